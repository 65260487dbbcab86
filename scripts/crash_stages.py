"""The stages of the AI crash (simulator.crash_stages) in a scenario, over seeds.

Usage: .venv/bin/python scripts/crash_stages.py [SCENARIO] [--seeds 20] [--show 42]
Prints a Markdown table (the one in docs/validation.md): the month each of the six stages began
on each seed, whether they came in the sources' order, and for one seed (``--show``) what marked
each stage.
"""

from __future__ import annotations

import argparse

from simulator import ContagionModel
from simulator.crash_stages import TITLES, crash_stages, in_order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="ai_crash")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--show", type=int, default=42, help="seed whose evidence is printed")
    args = parser.parse_args()
    print("| seed | " + " | ".join(f"{k + 1}. {t}" for k, t in enumerate(TITLES)) + " | in order |")
    print("|---|" + "---|" * (len(TITLES) + 1))
    ordered = 0
    for seed in range(args.seeds):
        model = ContagionModel(args.scenario, rng=seed)
        model.run_for(model.config.months)
        stages = crash_stages(model)
        ordered += in_order(stages)
        months = " | ".join("-" if s.month is None else str(s.month) for s in stages)
        print(f"| {seed} | {months} | {'yes' if in_order(stages) else 'no'} |")
    print(f"\nIn order on {ordered} of {args.seeds} seeds.\n")
    model = ContagionModel(args.scenario, rng=args.show)
    model.run_for(model.config.months)
    print(f"Seed {args.show}:\n")
    for s in crash_stages(model):
        print(f"{s.number}. month {s.month}: {s.title} -- {s.evidence}")


if __name__ == "__main__":
    main()
