"""The shared executor (simulator.sweep.execute): results independent of the backend and batch size,
failures recorded with their error, results in task order.
"""

from __future__ import annotations

import math

import pytest

from simulator.config import ConfigError
from simulator.sweep.execute import Task, process_pool, run_tasks


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


def test_runs_that_share_a_counterfactual_compute_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator import counterfactual
    from simulator.model import ContagionModel

    built = []
    init = ContagionModel.__init__

    def counting_init(self, *args, **kwargs) -> None:
        built.append(kwargs.get("counterfactual", True))
        init(self, *args, **kwargs)

    monkeypatch.setattr(ContagionModel, "__init__", counting_init)
    monkeypatch.setattr(counterfactual, "_CACHE", type(counterfactual._CACHE)())
    # three shock sizes, two seeds, shuffled: the counterfactual (no extra shock) depends on the seed only
    tasks = [
        Task("baseline_2025", {"shock_kind": "gpu_price", "shock_month": 1, "shock_size": size}, 3, seed, run_index=i)
        for i, (size, seed) in enumerate([(0.1, 1), (0.2, 2), (0.3, 1), (0.1, 2), (0.2, 1), (0.3, 2)])
    ]
    results = run_tasks(tasks, backend="serial", batch_size=2)
    assert all(r.ok for r in results)
    assert built.count(False) == 2 and built.count(True) == 6  # one counterfactual per seed, six runs
    assert (
        results[0].measures["losses_bn.equity_shortfall_bn.total"]
        != results[2].measures["losses_bn.equity_shortfall_bn.total"]
    )


_DIES_ONCE = """
import os, sys, json
from pathlib import Path
import simulator.sweep.execute as execute
from simulator.sweep.execute import Task, run_tasks

marker = Path(sys.argv[1])
plain = execute.run_task

def dies_once(task):
    if task.run_index == 3 and not marker.exists():  # the worker process dies, once
        marker.write_text("died")
        os._exit(1)
    return plain(task)

execute.run_task = dies_once  # (the pool's workers are forked from this process: they run it too)
tasks = [Task("baseline_2025", {"gpu_market_depth_bn": 1.0 + i}, 2, 7, run_index=i) for i in range(6)]
pooled = run_tasks(tasks, backend="processes", workers=2, batch_size=1)
execute.run_task = plain
serial = run_tasks(tasks, backend="serial")
print(json.dumps({"died": marker.exists(), "lost": [r.lost for r in pooled],
                  "same": [a.measures == b.measures for a, b in zip(pooled, serial)]}))
"""


_KEPT_POOL = """
with execute.process_pool(2) as pool:  # one pool for two rounds; a worker dies in the first
    first = run_tasks(tasks, backend="processes", pool=pool, batch_size=1)
    second = run_tasks(tasks, backend="processes", pool=pool, batch_size=1)
pooled = first + second
tasks = tasks + tasks
"""


def _run_script(script: str, marker) -> dict:
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", script, str(marker)], env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_pool_worker_that_dies_is_replaced_and_its_runs_done_again(tmp_path) -> None:
    report = _run_script(_DIES_ONCE, tmp_path / "marker")
    assert report == {"died": True, "lost": [False] * 6, "same": [True] * 6}


def test_a_kept_pool_serves_several_rounds_and_survives_a_dead_worker(tmp_path) -> None:
    pooled = 'pooled = run_tasks(tasks, backend="processes", workers=2, batch_size=1)\n'
    assert pooled in _DIES_ONCE
    report = _run_script(_DIES_ONCE.replace(pooled, _KEPT_POOL), tmp_path / "marker")
    assert report == {"died": True, "lost": [False] * 12, "same": [True] * 12}


def test_a_kept_pool_needs_the_processes_backend_and_whole_workers() -> None:
    with pytest.raises(ConfigError, match="workers: expected a whole number >= 1"), process_pool(0):
        pass
    with process_pool(1) as pool:
        with pytest.raises(ConfigError, match="pool: a process pool needs backend='processes'"):
            run_tasks(_tasks(), backend="serial", pool=pool)
        assert pool.executor is None  # nothing ran, nothing started
