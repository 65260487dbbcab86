"""Where the holders' losses came from (simulator.loss_trail): insurers, pension funds, 401(k)
savers and banks, position by position, with the events that explain each loss.

Usage: .venv/bin/python scripts/holder_losses.py [SCENARIO] [--seed 42] [--holders NAME ...] [--top 6]
Prints Markdown (the tables in docs/validation.md). Losses in US$ bn since month 0.
"""

from __future__ import annotations

import argparse

from simulator import ContagionModel
from simulator.loss_trail import loss_trail

HOLDERS = ("US Life Insurers", "Pension Funds", "Retail 401(k) Savers", "Bank A", "Bank B")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="ai_crash")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--holders", nargs="*", default=list(HOLDERS))
    parser.add_argument("--top", type=int, default=6, help="positions shown per holder")
    args = parser.parse_args()
    model = ContagionModel(args.scenario, rng=args.seed)
    model.run_for(model.config.months)
    print(f"## {args.scenario}, seed {args.seed}, {model.month} months\n")
    for holder in args.holders:
        trail = loss_trail(model, holder)
        total = sum(p.loss_bn for p in trail)
        print(f"### {holder}: US${total:,.1f}B lost on its month-0 positions\n")
        print("| position | value at month 0 | loss | explained by (first events) |")
        print("|---|---|---|---|")
        for p in trail[: args.top]:
            why = "<br>".join(p.events) if p.events else "-"
            print(f"| {p.kind}: {p.name} | {p.value_at_start_bn:,.1f} | {p.loss_bn:,.1f} | {why} |")
        print()


if __name__ == "__main__":
    main()
