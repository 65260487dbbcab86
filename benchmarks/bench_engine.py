"""Engine benchmark: compute time of a 120-month run, baseline and every scenario.

Usage: .venv/bin/python benchmarks/bench_engine.py [--repeats N] [--months M] [--against DIR]

Prints the minimum and median CPU time (time.process_time, so other load on the machine matters
less) of building the model and of running it, per scenario, with each scenario's ratio to the
baseline scenario measured in the same run; where a baseline month spends its time, phase by
phase; and the target: a 120-month baseline run in under 0.1 s of compute.

``--against DIR`` also times the baseline run of another checkout of aicontagion (a git worktree
of an older commit, say), in fresh processes interleaved with fresh processes of this one, and
prints both and their ratio: the comparison a change that must not slow the engine needs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from simulator import ContagionModel, load_scenario, scenario_names

TARGET_S = 0.1
ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh interpreter by --against: the least CPU time of a few baseline runs.
_ONE_TREE = """
import time
from simulator import ContagionModel, load_scenario
scenario = load_scenario("baseline_2025")
ContagionModel(scenario, rng=1).run_for(12)  # warm-up
best = float("inf")
for _ in range({runs}):
    model = ContagionModel(scenario, rng=1)
    start = time.process_time()
    model.run_for({months})
    best = min(best, time.process_time() - start)
print(best)
"""


def timed_run(name: str, months: int, seed: int = 1) -> tuple[float, float, float]:
    """(build CPU s, run CPU s, wall s) of one run of scenario ``name``."""
    scenario = load_scenario(name)
    c0, w0 = time.process_time(), time.perf_counter()
    model = ContagionModel(scenario, rng=seed)
    c1 = time.process_time()
    model.run_for(months)
    c2, w2 = time.process_time(), time.perf_counter()
    return c1 - c0, c2 - c1, w2 - w0


def phase_breakdown(months: int) -> dict[str, float]:
    """CPU time per phase of a baseline run (wraps the month driver's phase runner)."""
    import simulator.phases as phases

    totals: dict[str, float] = defaultdict(float)
    original = phases._run

    def timed(state, phase, step):
        t = time.process_time()
        try:
            return original(state, phase, step)
        finally:
            totals[str(phase)] += time.process_time() - t

    model = ContagionModel(load_scenario("baseline_2025"), rng=1)
    phases._run = timed
    try:
        model.run_for(months)
    finally:
        phases._run = original
    return dict(totals)


def tree_time(tree: Path, months: int, runs: int = 3) -> float:
    """Least CPU time of a baseline run of the checkout at ``tree``, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _ONE_TREE.format(runs=runs, months=months)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise SystemExit(f"timing {tree} failed:\n{out.stderr}")
    return float(out.stdout.strip())


def compare(against: Path, months: int, repeats: int) -> None:
    """Interleaved fresh-process timings of this checkout and ``against``."""
    times: dict[str, list[float]] = {"this checkout": [], str(against): []}
    for _ in range(repeats):
        times["this checkout"].append(tree_time(ROOT, months))
        times[str(against)].append(tree_time(against, months))
    print(f"\n{months}-month baseline, this checkout vs {against} ({repeats} interleaved fresh processes each):")
    for label, values in times.items():
        print(f"  {label:<40} min {min(values):.4f} s   median {statistics.median(values):.4f} s")
    new, old = times["this checkout"], times[str(against)]
    print(
        f"  ratio this / other: {min(new) / min(old):.3f} (minimum), "
        f"{statistics.median(new) / statistics.median(old):.3f} (median)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--against", type=Path, default=None, help="another checkout to compare the baseline run with")
    args = parser.parse_args()
    for _ in range(3):  # warm-up: imports, caches, CPU frequency
        timed_run("baseline_2025", args.months)
    print(f"aicontagion engine benchmark: {args.months}-month runs, {args.repeats} repeats, scenarios interleaved")
    print("(CPU time; the minimum is the least disturbed by other load on the machine)")
    names = ["baseline_2025"] + [n for n in scenario_names() if n != "baseline_2025"]
    runs: dict[str, list] = {name: [] for name in names}
    for _ in range(args.repeats):  # round-robin, so load changes hit every scenario alike
        for name in names:
            runs[name].append(timed_run(name, args.months))
    print(f"{'scenario':<18} {'build ms':>9} {'run CPU s':>10} {'(median)':>9} {'ms/month':>9} {'vs baseline':>12}")
    base_cpu = None
    for name in names:
        build = min(r[0] for r in runs[name])
        cpu = min(r[1] for r in runs[name])
        median = statistics.median(r[1] for r in runs[name])
        base_cpu = base_cpu or cpu
        print(
            f"{name:<18} {build * 1e3:9.1f} {cpu:10.3f} {median:9.3f} {cpu / args.months * 1e3:9.2f} {cpu / base_cpu:11.2f}x"
        )
        if name == "baseline_2025":
            verdict = "meets" if cpu < TARGET_S else "misses"
            print(f"{'':<18} target < {TARGET_S} s of compute: {verdict} it ({cpu / TARGET_S:.1f}x the target)")
    print("\nwhere a baseline run spends its CPU time, by phase:")
    totals = phase_breakdown(args.months)
    whole = sum(totals.values())
    for label, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<28} {seconds:7.3f} s  {seconds / whole:6.1%}")
    if args.against:
        compare(args.against.resolve(), args.months, args.repeats)


if __name__ == "__main__":
    main()
