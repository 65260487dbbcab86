"""The shared executor (simulator.sweep.execute): results independent of the backend and batch size,
failures recorded with their error, results in task order.
"""

from __future__ import annotations

import math

import pytest

from simulator.config import ConfigError
from simulator.sweep.execute import Task, run_tasks


def _tasks() -> list[Task]:
    depths = (15.0, 60.0)
    return [
        Task("neocloud_default", {"gpu_market_depth_bn": depths[i % 2]}, months=4, seed=10 + i // 2, run_index=i)
        for i in range(6)
    ]


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a.values(), b.values())
    )


def test_results_come_in_task_order_whatever_the_batch_size() -> None:
    tasks = _tasks()[::-1]  # (the other backends: tests/test_sweep.py, tests/test_sweep_dask.py)
    serial = run_tasks(tasks, backend="serial", batch_size=4)
    pooled = run_tasks(tasks, backend="serial", batch_size=1)
    assert [r.run_index for r in serial] == [t.run_index for t in tasks] == [r.run_index for r in pooled]
    assert all(r.ok for r in serial + pooled)
    for a, b in zip(serial, pooled):
        assert a.seed == b.seed
        assert _same(a.measures, b.measures)
    # the parameters matter: different depths give different losses for the same seed
    assert serial[0].measures != serial[1].measures


def test_a_run_that_raises_is_recorded_and_the_others_finish() -> None:
    good = Task("baseline_2025", {}, months=2, seed=1, run_index=0)
    bad = Task("baseline_2025", {"markets.gpu.market_depth_bn": -5}, months=2, seed=1, run_index=1)
    seen = []
    results = run_tasks([good, bad], backend="serial", on_result=seen.append)
    assert results[0].ok and results[0].measures["months"] == 2.0
    assert not results[1].ok and not results[1].lost
    assert results[1].error.startswith("ConfigError") and "market_depth_bn" in results[1].error
    assert sorted(r.run_index for r in seen) == [0, 1]


def test_bad_backend_and_workers_are_named() -> None:
    with pytest.raises(ConfigError, match="backend: unknown backend 'threads'; choose from"):
        run_tasks(_tasks(), backend="threads")
    with pytest.raises(ConfigError, match="workers: expected a whole number >= 1"):
        run_tasks(_tasks(), workers=0)
    with pytest.raises(ConfigError, match="address: a scheduler address needs backend='dask'"):
        run_tasks(_tasks(), backend="processes", address="tcp://127.0.0.1:1")
