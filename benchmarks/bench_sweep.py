"""Sweep benchmark: the same 200-run sweep of the baseline on every backend, and mesa.batch_run.

Usage: .venv/bin/python benchmarks/bench_sweep.py [--runs 200] [--months 24] [--workers 2] [--sobol]

In one process, one after the other, it runs a random design of ``--runs`` runs of
``baseline_2025`` (GPU depreciation x market depth, four seeds per point) serially, on a process
pool and on a local Dask cluster of ``--workers`` processes, and prints each one's wall time,
runs per second and ratio to serial (set-up of the pool or cluster included: that is what a user
waits for), and checks the tables are identical. Dask is timed twice: with a local cluster that
the sweep starts (``backend="dask"`` without an address: its start-up is in the wall time), and
on a cluster that is already running (``--scheduler tcp://...``, the usual case: a local cluster
of ``--workers`` single-threaded processes started before the clock starts, its workers having
imported the model, as a cluster that has run a sweep before has). The Dask target is reported
for both. It also prints the sweep layer's own
overhead per run (the serial sweep's wall time minus the time spent inside its runs: the model,
its counterfactual and its measures), the cost of a bare model run and of measuring it, and what
``mesa.batch_run`` takes for the same runs with 1 and with ``--workers`` processes.

``--sobol`` also times the shipped Sobol analysis (``configs/sweeps/sobol_eight_levers.yaml``:
N = 64, 704 runs of 24 months, each with its counterfactual) on the process pool.

Targets (issue 12): processes at least 1.6x serial on 2 free cores; Dask within 15% of
processes; the sweep layer's overhead under 5 ms a run; the Sobol analysis in under a minute on
two cores. Wall times depend on the machine's other load: compare the ratios of one run. The
benchmark measures how many cores the other load leaves (the same pure-Python loop on one and on
``--workers`` processes) before and after, and prints the CPU time per run of the serial and the
pool sweeps, from which the ratio on free cores follows.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from simulator.model import ContagionModel
from simulator.sweep import load_spec, plan_runs, run_sweep
from simulator.sweep.dask_backend import NO_MALLOC_TRIM
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


CPU: dict[str, float] = {}
"""Backend label -> CPU seconds of this process and its finished child processes (a Dask cluster's
workers are not its children: not counted)."""
STEADY: dict[str, float] = {}
"""Backend label -> runs per second after the first batch came back (set-up left out)."""


def timed(label: str, call) -> tuple[float, object]:
    """Wall time of ``call(on_progress)`` and its result; also records the steady-state rate."""
    seen: list[tuple[float, int]] = []

    def on_progress(done: int, total: int) -> None:
        if done:
            seen.append((time.perf_counter(), done))

    import resource

    def cpu() -> float:  # this process and its reaped children (the pool's forked workers), s
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    start, cpu_start = time.perf_counter(), cpu()
    result = call(on_progress)
    seconds = time.perf_counter() - start
    CPU[label] = cpu() - cpu_start
    steady = ""
    if len(seen) > 1 and seen[-1][0] > seen[0][0]:
        STEADY[label] = (seen[-1][1] - seen[0][1]) / (seen[-1][0] - seen[0][0])
        steady = f"   first result after {seen[0][0] - start:5.2f} s, then {STEADY[label]:6.1f} runs/s"
    print(f"  {label:<34} {seconds:8.2f} s{steady}", flush=True)
    return seconds, result


def _import_model() -> None:
    import simulator.model
    import simulator.sweep.execute  # noqa: F401


def running_cluster(stack, workers: int) -> str:
    """Start a local Dask cluster of ``workers`` single-threaded processes (as ``dask scheduler`` and
    ``dask worker --nthreads 1`` would, and as the dask backend starts one), wait for its workers and
    have them import the model; return the scheduler's address. Closed with ``stack``.
    """
    import dask
    from distributed import Client, LocalCluster

    stack.enter_context(dask.config.set(NO_MALLOC_TRIM))
    cluster = stack.enter_context(
        LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None)
    )
    client = stack.enter_context(Client(cluster))
    client.wait_for_workers(workers)
    client.run(_import_model)
    return cluster.scheduler_address


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def free_cores(workers: int, n: int = 10_000_000) -> float:
    """How many times faster ``workers`` processes finish ``workers`` equal pure-Python loops than
    one process does: the parallelism the machine's other load leaves (``workers`` if idle).
    """
    from concurrent.futures import ProcessPoolExecutor

    start = time.perf_counter()
    for _ in range(workers):
        _burn(n)
    alone = time.perf_counter() - start
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_burn, [10] * workers))  # started
        start = time.perf_counter()
        list(pool.map(_burn, [n] * workers))
        together = time.perf_counter() - start
    return alone / together


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
    print(f"{runs} runs of baseline_2025, {args.months} months, {args.workers} workers; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip

    cores_before = free_cores(args.workers)
    print(f"the machine's other load leaves {cores_before:.2f} of {args.workers} cores (a pure-Python loop)")

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
        serial_s, serial = timed("sweep, serial", lambda cb: run_sweep(spec, backend="serial", on_progress=cb))
    finally:
        execute.run_task = plain_run_task
    with tempfile.TemporaryDirectory() as tmp:
        pool_s, pooled = timed(
            f"sweep, processes ({args.workers})",
            lambda cb: run_sweep(spec, backend="processes", workers=args.workers, out=Path(tmp) / "p", on_progress=cb),
        )
    dask_s, on_dask = timed(
        f"sweep, dask ({args.workers}, local)",
        lambda cb: run_sweep(spec, backend="dask", workers=args.workers, on_progress=cb),
    )
    from contextlib import ExitStack

    with ExitStack() as stack:
        address = running_cluster(stack, args.workers)
        running_s, on_running = timed(
            f"sweep, dask ({args.workers}, running cluster)",
            lambda cb: run_sweep(spec, backend="dask", address=address, on_progress=cb),
        )
    pd.testing.assert_frame_equal(serial, pooled)
    pd.testing.assert_frame_equal(serial, on_dask)
    pd.testing.assert_frame_equal(serial, on_running)
    (run_s, measure_s) = bare_runs(spec)
    batch_1 = batch_run_seconds(spec, 1)
    batch_n = batch_run_seconds(spec, args.workers)
    print(f"  {'mesa.batch_run, 1 process':<34} {batch_1:8.2f} s")
    print(f"  {f'mesa.batch_run, {args.workers} processes':<34} {batch_n:8.2f} s")

    steady = list(STEADY.values())
    print("\nbackend                 runs/s   x serial   (after set-up: runs/s, x serial)")
    rows = [("serial", serial_s), ("processes", pool_s), ("dask, local cluster", dask_s),
            ("dask, running cluster", running_s), ("mesa.batch_run 1", batch_1),
            (f"mesa.batch_run {args.workers}", batch_n)]  # fmt: skip
    for i, (label, seconds) in enumerate(rows):
        after = f"   ({steady[i]:6.1f}, {steady[i] / steady[0]:5.2f})" if i < 4 and len(steady) >= 4 else ""
        print(f"{label:<22} {runs / seconds:7.1f}   {serial_s / seconds:7.2f}{after}")
    overhead_ms = (serial_s - sum(inside)) / runs * 1e3
    print(f"\nper run (bare loop): model {run_s / runs * 1e3:.1f} ms, measures {measure_s / runs * 1e3:.1f} ms; "
          f"sweep layer outside the runs {overhead_ms:.2f} ms (spec checks, plan, tasks, table: the serial "
          "sweep's wall time minus its runs' own)")  # fmt: skip
    cpu_serial, cpu_pool = CPU["sweep, serial"], CPU[f"sweep, processes ({args.workers})"]
    print(f"CPU per run: serial {cpu_serial / runs * 1e3:.1f} ms, processes {cpu_pool / runs * 1e3:.1f} ms "
          f"(workers included): on {args.workers} free cores the pool would run ~{args.workers * cpu_serial / cpu_pool:.2f}x "
          f"serial; load average now {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("the four sweep tables are identical")
    print("\ntargets:")
    print(f"  processes / serial = {serial_s / pool_s:.2f} (target >= {TARGETS['processes_vs_serial']})")
    goal = TARGETS["dask_vs_processes"]

    def verdict(ratio: float) -> str:
        return "meets" if ratio >= goal else "misses"

    print(f"  dask / processes (runs per second; target >= {goal}: Dask within 15% of processes):")
    print(f"    local cluster started by the sweep (its start-up included)  = {pool_s / dask_s:.2f}: "
          f"{verdict(pool_s / dask_s)} the target")  # fmt: skip
    print(f"    running cluster (--scheduler; no start-up)                   = {pool_s / running_s:.2f}: "
          f"{verdict(pool_s / running_s)} the target")  # fmt: skip
    if len(steady) >= 4:
        print(f"  after the first batch: processes / serial = {steady[1] / steady[0]:.2f}, "
              f"dask / processes = {steady[2] / steady[1]:.2f} (local), {steady[3] / steady[1]:.2f} (running)")  # fmt: skip
    cores_after = free_cores(args.workers)
    print(f"  free cores (a pure-Python loop, {args.workers} processes / 1): {cores_before:.2f} before, "
          f"{cores_after:.2f} after; processes / serial against it: {serial_s / pool_s / min(cores_before, cores_after):.2f}")  # fmt: skip
    print(f"  sweep layer        = {overhead_ms:.2f} ms a run (target < {TARGETS['overhead_ms']})")
    print(f"  mesa.batch_run {args.workers} / 1 = {batch_1 / batch_n:.2f}")
    if args.sobol:
        with tempfile.TemporaryDirectory() as tmp:
            sobol_s, table = timed(
                f"sobol_eight_levers, processes ({args.workers})",
                lambda cb: run_sweep(
                    "sobol_eight_levers", backend="processes", workers=args.workers, out=Path(tmp) / "s", on_progress=cb
                ),
            )
        print(f"  Sobol N=64: {len(table)} runs in {sobol_s:.1f} s (target < {TARGETS['sobol_s']:.0f} s)")


if __name__ == "__main__":
    main()
