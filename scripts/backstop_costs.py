"""What the central bank's backstop saves and what it costs, over many seeds.

Usage: .venv/bin/python scripts/backstop_costs.py [--seeds 20] [--months 24] [--scenario backstop]
                                                  [--policy backstop] [--out DIR]

Runs the scenario (by default ``backstop``: the neocloud default with the central bank's backstop)
with the central-bank policy of ``--policy`` (the ``central_bank:`` block of that scenario, applied
as overrides, so ``--scenario ai_crash`` asks what ``backstop``'s policy would do in ``ai_crash``;
overrides reach the counterfactual run too, where the policy acts only if its trigger fires)
on seeds 0..N-1 in four versions -- without the backstop (``central_bank_enabled=false``: the
same world and shock), with lending only (no purchases at a floor), with purchases only (no
lending), and with the whole backstop -- and prints a Markdown table of the means at the last
month (US$ bn):

* what it saves, against the run without it: defaults, realised losses outside the central bank,
  and losses booked (realised + unrealised) at insurers, pension funds, banks and retail savers,
  and the shortfall of the system's book equity outside the central bank against the
  counterfactual (the same world with neither the shock nor the backstop);
* what it costs: its peak balance sheet (assets at market), what it lent and bought in all, and its
  own losses (realised, and unrealised against what it paid) at the last month.

With ``--out DIR`` it also writes ``backstop_costs.csv`` (one row per version and seed) and
``backstop_costs.md`` (the table). Deterministic: the same seeds give the same table.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from simulator import ContagionModel
from simulator.config import load_scenario

VERSIONS: dict[str, dict] = {
    "no backstop": {"central_bank_enabled": False},
    "lending only": {"overrides": ["central_bank.buys_gpus=false", "central_bank.buys_abs=false"]},
    "purchases only": {"overrides": ["central_bank.lends=false"]},
    "whole backstop": {},
}
"""The versions compared, as keyword arguments of ``ContagionModel``."""
HOLDERS = ("insurer", "pension", "bank", "retail")


def policy_overrides(scenario: str) -> list[str]:
    """The ``central_bank:`` settings of ``scenario`` as dotted overrides."""
    rules = load_scenario(scenario).central_bank.model_dump(mode="json")
    return [f"central_bank.{key}={json.dumps(value)}" for key, value in rules.items()]


def outcome(scenario: str, seed: int, months: int, **kwargs) -> dict[str, float]:
    """One run's figures at its last month (US$ bn, defaults as a count)."""
    model = ContagionModel(scenario, rng=seed, **kwargs)
    model.run_for(months)
    frame = model.datacollector.get_model_vars_dataframe()
    last = frame.iloc[-1]

    def column(name: str) -> float:
        value = last.get(name)
        return 0.0 if value is None or pd.isna(value) else float(value)

    row = {
        "defaults": column("defaults_total"),
        "realised_outside_cb_bn": column("realised_losses_bn_total") - column("realised_losses_bn_central_bank"),
        "equity_shortfall_outside_cb_bn": column("equity_shortfall_bn_total")
        - column("equity_shortfall_bn_central_bank"),
    }
    for sector in HOLDERS:
        row[f"losses_{sector}_bn"] = column(f"realised_losses_bn_{sector}") + column(f"unrealised_losses_bn_{sector}")
    row.update(
        {
            "cb_peak_balance_sheet_bn": float(frame["central_bank_balance_sheet_bn"].max()),
            "cb_lent_bn": column("central_bank_lent_bn"),
            "cb_bought_bn": column("central_bank_bought_bn"),
            "cb_realised_losses_bn": column("central_bank_realised_losses_bn"),
            "cb_losses_bn": column("central_bank_realised_losses_bn") + column("central_bank_unrealised_losses_bn"),
        }
    )
    return row


def table(runs: pd.DataFrame) -> str:
    """The Markdown table of means by version, with what each version saves against none."""
    means = runs.groupby("version", sort=False).mean(numeric_only=True).drop(columns="seed")
    base = means.loc["no backstop"]
    fewer = runs.pivot(index="seed", columns="version", values="defaults")
    lines = [
        "| version | defaults (seeds with fewer) | realised losses outside the CB | losses at insurers / pensions / "
        "banks / retail | book-equity shortfall outside the CB | CB peak balance sheet | CB lent / bought | CB losses "
        "(realised) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for version, m in means.iterrows():
        saved = (
            ""
            if version == "no backstop"
            else f" (saves {base['realised_outside_cb_bn'] - m['realised_outside_cb_bn']:+.1f})"
        )
        fewer_seeds = "" if version == "no backstop" else f" ({int((fewer[version] < fewer['no backstop']).sum())})"
        holders = " / ".join(f"{m[f'losses_{s}_bn']:.1f}" for s in HOLDERS)
        lines.append(
            f"| {version} | {m['defaults']:.2f}{fewer_seeds} | {m['realised_outside_cb_bn']:.1f}{saved} | {holders} | "
            f"{m['equity_shortfall_outside_cb_bn']:.1f} | {m['cb_peak_balance_sheet_bn']:.1f} | "
            f"{m['cb_lent_bn']:.1f} / {m['cb_bought_bn']:.1f} | {m['cb_losses_bn']:.2f} ({m['cb_realised_losses_bn']:.2f}) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds 0..N-1 (default 20)")
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--scenario", default="backstop", help="a scenario with a central bank (default backstop)")
    parser.add_argument("--policy", default="backstop", help="the scenario whose central_bank: settings apply")
    parser.add_argument("--out", type=Path, default=None, help="folder for backstop_costs.csv and .md")
    args = parser.parse_args()
    if args.seeds < 1 or args.months < 1:
        parser.error("--seeds and --months must be at least 1")
    # (the scenario's own policy needs no overrides; overrides also reach the counterfactual run)
    policy = [] if args.policy == args.scenario else policy_overrides(args.policy)
    rows = []
    for version, kwargs in VERSIONS.items():
        kwargs = {**kwargs, "overrides": policy + kwargs.get("overrides", [])}
        for seed in range(args.seeds):
            rows.append({"version": version, "seed": seed, **outcome(args.scenario, seed, args.months, **kwargs)})
    runs = pd.DataFrame(rows)
    text = (
        f"{args.scenario} with the central-bank policy of {args.policy}, {args.seeds} seeds, month {args.months}: "
        f"means (US$ bn; defaults a count)\n\n{table(runs)}"
    )
    print(text)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        runs.to_csv(args.out / "backstop_costs.csv", index=False)
        (args.out / "backstop_costs.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
