"""Rate shock by size: the table in docs/validation.md ("Rates, capital and the holders").

Usage: .venv/bin/python scripts/rate_shock_sizes.py [--seed 0] [--months 6]

Runs ``rate_shock`` with its base-rate rise set to 0, +100, +200, +400 and +800 bp
(``shocks.0.size``) for ``--months`` months and prints, for each size: the marks market yields
took off the insurers' and pension funds' bonds and tranches (US$ bn), the insurers' capital
ratio at market and their statutory ratio (what their capital rule reads), Bank A's capital
ratio (at market) and the defaults.
"""

from __future__ import annotations

import argparse

from simulator import ContagionModel

SIZES = (0.0, 0.01, 0.02, 0.04, 0.08)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--months", type=int, default=6)
    args = parser.parse_args()
    columns: list[list[str]] = []
    for size in SIZES:
        model = ContagionModel("rate_shock", rng=args.seed, overrides={"shocks.0.size": size, "months": args.months})
        model.run_for(args.months)
        views = model.state.views
        views.refresh()
        marks = views.market_marks_bn()
        insurer, pension, bank = (model.agent(n) for n in ("US Life Insurers", "Pension Funds", "Bank A"))
        columns.append(
            [
                f"{marks[insurer.index]:,.0f}",
                f"{marks[pension.index]:,.0f}",
                f"{insurer.capital_ratio():.2f}",
                f"{insurer.regulatory_capital_ratio():.2f}",
                f"{bank.capital_ratio():.3f}",
                str(sum(a.defaulted for a in model.institutions)),
            ]
        )
    rows = (
        "insurers' marks on bonds and tranches, US$ bn",
        "pension funds' marks, US$ bn",
        "insurers' capital ratio at market",
        "insurers' statutory capital ratio (drives sales)",
        f"Bank A's capital ratio (at market; floor {bank.rules.min_capital_ratio})",
        f"defaults in {args.months} months",
    )
    print("| rise in the base rate | " + " | ".join("0" if s == 0 else f"+{s * 10000:.0f} bp" for s in SIZES) + " |")
    print("|---|" + "---|" * len(SIZES))
    for i, label in enumerate(rows):
        print(f"| {label} | " + " | ".join(col[i] for col in columns) + " |")


if __name__ == "__main__":
    main()
