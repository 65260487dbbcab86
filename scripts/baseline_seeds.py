"""The no-shock baseline over many seeds: its realised losses, and the event chain behind
every default.

Usage: .venv/bin/python scripts/baseline_seeds.py [--seeds 20] [--months 24]
Prints a Markdown table (the one in docs/validation.md): realised losses at ``--months`` (US$
bn), defaults, and for each default the events that led to it (its covenant breaches, the
lender's answer, missed payments), from the run's own event log.
"""

from __future__ import annotations

import argparse

from simulator import ContagionModel

CHAIN = ("covenant_breach", "acceleration", "refinancing_refused", "fire_sale", "missed_payment", "default")


def chain(model: ContagionModel, name: str, month: int) -> str:
    """The first event of each kind in ``CHAIN`` that names ``name`` by ``month``, in order."""
    seen: dict[str, tuple[int, str]] = {}
    for e in model.events:
        if e.month > month:
            break
        if name in (e.actor, e.counterparty) and e.kind in CHAIN and e.kind not in seen:
            if e.kind == "fire_sale" and e.actor != name:
                continue
            seen[e.kind] = (e.month, e.message)
    return "; ".join(f"m{m}: {text}" for m, text in sorted(seen.values()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    print("| seed | realised losses, US$ bn | defaults | what led to each default (event log) |")
    print("|---|---|---|---|")
    for seed in range(args.seeds):
        model = ContagionModel("baseline_2025", rng=seed)
        model.run_for(args.months)
        realised = model.datacollector.get_model_vars_dataframe()["realised_losses_bn_total"].iloc[-1]
        defaults = [(e.month, e.actor) for e in model.events if e.kind == "default"]
        why = " / ".join(f"**{name}**: {chain(model, name, month)}" for month, name in defaults)
        listed = ", ".join(f"{name} (m{month})" for month, name in defaults) or "none"
        print(f"| {seed} | {realised:.1f} | {listed} | {why or 'calm'} |")


if __name__ == "__main__":
    main()
