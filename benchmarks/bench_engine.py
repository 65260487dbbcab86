"""Engine benchmark: compute time of a 120-month run, baseline and every scenario.

Usage: .venv/bin/python benchmarks/bench_engine.py [--repeats N] [--months M]

Prints the median CPU time (time.process_time, so other load on the machine matters less) and
wall time of building the model and of running it, per scenario, with each scenario's ratio to
the baseline scenario measured in the same run, a breakdown of where a baseline month spends its
time (phase by phase), and the target: a 120-month baseline run in under 0.1 s of compute.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict

from simulator import ContagionModel, load_scenario, scenario_names

TARGET_S = 0.1


def timed_run(name: str, months: int, seed: int = 1) -> tuple[float, float, float]:
    scenario = load_scenario(name)
    c0, w0 = time.process_time(), time.perf_counter()
    model = ContagionModel(scenario, rng=seed)
    c1 = time.process_time()
    model.run_for(months)
    c2, w2 = time.process_time(), time.perf_counter()
    return c1 - c0, c2 - c1, w2 - w0


def phase_breakdown(months: int) -> dict[str, float]:
    """CPU time per phase of a baseline run (wraps the model's phase methods)."""
    import simulator.covenants as covenants

    totals: dict[str, float] = defaultdict(float)
    model = ContagionModel(load_scenario("baseline_2025"), rng=1)

    def wrap(owner, name, label):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            t = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                totals[label] += time.process_time() - t

        setattr(owner, name, timed)

    for method, label in [
        ("apply_shocks", "1 shocks"), ("operate", "2 operate"), ("service_debt", "3 service debt"),
        ("spend_discretionary", "2/3 discretionary spending"), ("propagate", "5-7 rounds"), ("_collect", "8 collect"),
    ]:
        wrap(model, method, label)
    original_test = covenants.test_and_decide
    wrap(covenants, "test_and_decide", "4 covenants")
    try:
        model.run_for(months)
    finally:
        covenants.test_and_decide = original_test
    return dict(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--months", type=int, default=120)
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
        print(f"{name:<18} {build * 1e3:9.1f} {cpu:10.3f} {median:9.3f} {cpu / args.months * 1e3:9.2f} {cpu / base_cpu:11.2f}x")
        if name == "baseline_2025":
            verdict = "meets" if cpu < TARGET_S else "misses"
            print(f"{'':<18} target < {TARGET_S} s of compute: {verdict} it ({cpu / TARGET_S:.1f}x the target)")
    print("\nwhere a baseline run spends its CPU time:")
    totals = phase_breakdown(args.months)
    whole = sum(totals.values())
    for label, seconds in sorted(totals.items()):
        print(f"  {label:<28} {seconds:7.3f} s  {seconds / whole:6.1%}")


if __name__ == "__main__":
    main()
