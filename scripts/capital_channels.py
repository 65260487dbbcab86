"""Capital and the channels that carry losses to the holders, by scenario (docs/validation.md).

Usage: .venv/bin/python scripts/capital_channels.py [--seeds 10] [--workers 2]

Prints two Markdown tables over ``--seeds`` seeds (0, 1, ...), each run over its scenario's whole
horizon:

1. **Channels by scenario**: for each channel's event kind, the number of seeds on which it
   occurred / the number of events over all seeds (margin calls, gates, asset sales by the
   private-credit funds, sales by the leveraged ABS holder, defaults, refinancing refused,
   capital de-risking).
2. **Capital headroom**: for each capital-regulated holder (insurers, pension funds, banks), the
   closest its regulatory capital ratio (what its capital rule reads:
   ``CapitalRegulated.regulatory_capital_ratio``) came to its floor (``min_capital_ratio``, below
   which it de-risks), as ratio minus floor at month ends: the least over the seeds, then the
   median. A negative value means it went below its floor and de-risked.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from agents.capital import CapitalRegulated
from agents.names import EventKind, InstitutionKind
from simulator import ContagionModel

SCENARIOS = ("baseline_2025", "private_credit_run", "ai_crash", "ai_winter", "rate_shock")
COLUMNS = (
    ("margin calls", lambda e, kinds: e.kind == EventKind.MARGIN_CALL),
    ("gates", lambda e, kinds: e.kind == EventKind.GATE),
    (
        "private-credit funds' asset sales",
        lambda e, kinds: e.kind == EventKind.ASSET_SALE and kinds.get(e.actor) == InstitutionKind.PRIVATE_CREDIT,
    ),
    (
        "leveraged ABS holder sells",
        lambda e, kinds: e.kind == EventKind.ASSET_SALE and kinds.get(e.actor) == InstitutionKind.LEVERAGED_FUND,
    ),
    ("defaults", lambda e, kinds: e.kind == EventKind.DEFAULT),
    ("refinancing refused", lambda e, kinds: e.kind == EventKind.REFINANCING_REFUSED),
    ("capital de-risking", lambda e, kinds: e.kind == EventKind.DERISKING),
)


def one_run(name: str, seed: int) -> tuple[list[int], dict[str, float]]:
    """Event counts per column, and each capital-regulated holder's least ratio minus floor."""
    model = ContagionModel(name, rng=seed)
    regulated = [a for a in model.agents if isinstance(a, CapitalRegulated)]
    headroom = {a.name: np.inf for a in regulated}
    for _ in range(model.config.months):
        model.step()
        for a in regulated:
            ratio = a.regulatory_capital_ratio()
            if ratio is not None and not a.defaulted:
                headroom[a.name] = min(headroom[a.name], ratio - a.rules.min_capital_ratio)
    kinds = {a.name: str(a.kind) for a in model.agents}
    counts = [sum(1 for e in model.events if test(e, kinds)) for _, test in COLUMNS]
    return counts, headroom


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    with ProcessPoolExecutor(args.workers) as pool:
        runs = {s: list(pool.map(one_run, [s] * len(seeds), seeds)) for s in SCENARIOS}
    print(f"Channels by scenario ({len(seeds)} seeds, whole horizon; seeds with the event / events):\n")
    print("| scenario | " + " | ".join(c for c, _ in COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    for s in SCENARIOS:
        counts = np.array([c for c, _ in runs[s]])
        cells = [f"{int((counts[:, j] > 0).sum())} / {int(counts[:, j].sum())}" for j in range(len(COLUMNS))]
        print(f"| `{s}` | " + " | ".join(cells) + " |")
    holders = list(runs[SCENARIOS[0]][0][1])
    print(f"\nCapital headroom ({len(seeds)} seeds: least / median over seeds of the lowest month-end")
    print("regulatory capital ratio minus the floor below which the holder de-risks):\n")
    print("| scenario | " + " | ".join(holders) + " |")
    print("|---|" + "---|" * len(holders))
    for s in SCENARIOS:
        cells = []
        for h in holders:
            values = np.array([headroom[h] for _, headroom in runs[s]])
            cells.append(f"{values.min():.3f} / {np.median(values):.3f}")
        print(f"| `{s}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
