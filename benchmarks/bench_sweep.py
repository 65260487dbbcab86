"""Sweep benchmark: the same 200-run sweep of the baseline on every backend, and mesa.batch_run.

Usage: .venv/bin/python benchmarks/bench_sweep.py [--runs 200] [--months 24] [--workers 2] [--sobol]

In one process, one after the other, it runs a random design of ``--runs`` runs of
``baseline_2025`` (GPU depreciation x market depth, four seeds per point) serially, on a process
pool and on a local Dask cluster of ``--workers`` processes, and prints each one's wall time,
runs per second and ratio to serial (set-up of the pool or cluster included: that is what a user
waits for), and checks the three tables are identical. It also prints the sweep layer's own
overhead per run (the serial sweep's wall time minus the time spent inside its runs: the model,
its counterfactual and its measures), the cost of a bare model run and of measuring it, and what
``mesa.batch_run`` takes for the same runs with 1 and with ``--workers`` processes.

``--sobol`` also times the shipped Sobol analysis (``configs/sweeps/sobol_eight_levers.yaml``:
N = 64, 704 runs of 24 months, each with its counterfactual) on the process pool.

Targets (issue 12): processes at least 1.6x serial on 2 free cores; Dask within 15% of
processes; the sweep layer's overhead under 5 ms a run; the Sobol analysis in under a minute on
two cores. Wall times depend on the machine's other load: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from simulator.model import ContagionModel
from simulator.sweep import load_spec, plan_runs, run_sweep
from simulator.sweep.measures import measures

TARGETS = {"processes_vs_serial": 1.6, "dask_vs_processes": 0.85, "overhead_ms": 5.0, "sobol_s": 60.0}


def bench_spec(runs: int, months: int) -> dict:
    points = max(1, runs // 4)
    return {
        "name": "bench",
        "scenario": "baseline_2025",
        "months": months,
        "replications": runs // points,
        "master_seed": 1,
        "parameters": {
            "gpu_depreciation_per_year": {"low": 0.2, "high": 0.6},
            "gpu_market_depth_bn": {"low": 0.5, "high": 8.0},
        },
        "design": {"method": "random", "samples": points},
    }


def timed(label: str, call) -> tuple[float, object]:
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    print(f"  {label:<34} {seconds:8.2f} s", flush=True)
    return seconds, result


def bare_runs(spec: dict) -> tuple[float, float]:
    """(seconds building and running the models, seconds measuring them) for the spec's runs, in
    a plain loop without the sweep layer.
    """
    checked = load_spec(spec)
    plan = plan_runs(checked)
    run_s = measure_s = 0.0
    for row in plan.itertuples(index=False):
        start = time.perf_counter()
        model = ContagionModel(
            checked.scenario,
            rng=int(row.seed),
            gpu_depreciation_per_year=float(row.gpu_depreciation_per_year),
            gpu_market_depth_bn=float(row.gpu_market_depth_bn),
        )
        model.run_for(checked.run_months)
        middle = time.perf_counter()
        measures(model)
        run_s += middle - start
        measure_s += time.perf_counter() - middle
    return run_s, measure_s


def batch_run_seconds(spec: dict, processes: int) -> float:
    import mesa
    import numpy as np

    checked = load_spec(spec)
    points = max(1, checked.replications and len(plan_runs(checked)) // checked.replications)
    depths = list(np.linspace(0.5, 8.0, points))
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mesa.batch_run(
            ContagionModel,
            parameters={"scenario": "baseline_2025", "gpu_market_depth_bn": depths},
            rng=list(range(checked.replications)),
            max_steps=checked.run_months,
            number_processes=processes,
            data_collection_period=-1,
            display_progress=False,
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sobol", action="store_true", help="also time the shipped Sobol spec (704 runs)")
    args = parser.parse_args()
    spec = bench_spec(args.runs, args.months)
    runs = len(plan_runs(load_spec(spec)))
    print(f"{runs} runs of baseline_2025, {args.months} months, {args.workers} workers")

    import simulator.sweep.execute as execute

    inside = []  # wall time of each run inside run_task (model, counterfactual, measures)
    plain_run_task = execute.run_task

    def timed_run_task(task):
        start = time.perf_counter()
        result = plain_run_task(task)
        inside.append(time.perf_counter() - start)
        return result

    execute.run_task = timed_run_task  # (the serial backend runs in this process)
    try:
        serial_s, serial = timed("sweep, serial", lambda: run_sweep(spec, backend="serial"))
    finally:
        execute.run_task = plain_run_task
    with tempfile.TemporaryDirectory() as tmp:
        pool_s, pooled = timed(
            f"sweep, processes ({args.workers})",
            lambda: run_sweep(spec, backend="processes", workers=args.workers, out=Path(tmp) / "pool"),
        )
    dask_s, on_dask = timed(
        f"sweep, dask ({args.workers}, local)", lambda: run_sweep(spec, backend="dask", workers=args.workers)
    )
    pd.testing.assert_frame_equal(serial, pooled)
    pd.testing.assert_frame_equal(serial, on_dask)
    (run_s, measure_s) = bare_runs(spec)
    batch_1 = batch_run_seconds(spec, 1)
    batch_n = batch_run_seconds(spec, args.workers)
    print(f"  {'mesa.batch_run, 1 process':<34} {batch_1:8.2f} s")
    print(f"  {f'mesa.batch_run, {args.workers} processes':<34} {batch_n:8.2f} s")

    print("\nbackend                 runs/s   x serial")
    for label, seconds in (("serial", serial_s), ("processes", pool_s), ("dask", dask_s),
                           ("mesa.batch_run 1", batch_1), (f"mesa.batch_run {args.workers}", batch_n)):  # fmt: skip
        print(f"{label:<22} {runs / seconds:7.1f}   {serial_s / seconds:7.2f}")
    overhead_ms = (serial_s - sum(inside)) / runs * 1e3
    print(f"\nper run (bare loop): model {run_s / runs * 1e3:.1f} ms, measures {measure_s / runs * 1e3:.1f} ms; "
          f"sweep layer outside the runs {overhead_ms:.2f} ms (spec checks, plan, tasks, table: the serial "
          "sweep's wall time minus its runs' own)")  # fmt: skip
    print("the three tables are identical")
    print("\ntargets:")
    print(f"  processes / serial = {serial_s / pool_s:.2f} (target >= {TARGETS['processes_vs_serial']})")
    print(
        f"  processes / dask   = {dask_s and pool_s / dask_s:.2f} (target >= {TARGETS['dask_vs_processes']}: dask within 15%)"
    )
    print(f"  sweep layer        = {overhead_ms:.2f} ms a run (target < {TARGETS['overhead_ms']})")
    print(f"  mesa.batch_run {args.workers} / 1 = {batch_1 / batch_n:.2f}")
    if args.sobol:
        with tempfile.TemporaryDirectory() as tmp:
            sobol_s, table = timed(
                f"sobol_eight_levers, processes ({args.workers})",
                lambda: run_sweep("sobol_eight_levers", backend="processes", workers=args.workers, out=Path(tmp) / "s"),
            )
        print(f"  Sobol N=64: {len(table)} runs in {sobol_s:.1f} s (target < {TARGETS['sobol_s']:.0f} s)")


if __name__ == "__main__":
    main()
