"""Channel ablation: what each channel adds, per scenario, over 20 seeds.

Usage: .venv/bin/python scripts/channel_ablation.py [--seeds 20] [--months N] [--workers 2]
Prints a Markdown table (the one in docs/validation.md): for each scenario and channel, the mean
losses booked by the end of the run (each scenario's own length unless ``--months``; realised +
unrealised, US$ bn) and the mean number of defaults, with every channel on and with that one
channel off; then on how many seeds switching it off changed the result at all (losses booked or
defaults) and on how many it *increased* the losses booked. The counterfactual of each run has the
same channel switched off, so the shortfalls compare like with like; booked losses are what this
table shows.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from simulator import ContagionModel
from simulator.config import Channels

SCENARIOS = (
    "neocloud_default",
    "ai_winter",
    "ai_crash",
    "crypto_crash",
    "next_gen_launch",
    "rate_shock",
    "private_credit_run",
)


def one_run(name: str, seed: int, months: int | None, levers: dict) -> tuple[float, float]:
    """(losses booked US$ bn, defaults) at the end of one run."""
    model = ContagionModel(name, rng=seed, **levers)
    model.run_for(months or model.config.months)
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    return (last["realised_losses_bn_total"] + last["unrealised_losses_bn_total"], last["defaults_total"])


def outcomes(pool: ProcessPoolExecutor, name: str, seeds, months: int | None, **levers) -> np.ndarray:
    """(losses booked US$ bn, defaults) for each seed, one row per seed."""
    return np.array(list(pool.map(one_run, *zip(*[(name, seed, months, levers) for seed in seeds]))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--months", type=int, default=None, help="months to run (default: each scenario's own)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = range(args.seeds)
    with ProcessPoolExecutor(args.workers) as pool:
        table(pool, seeds, args.months)


def table(pool: ProcessPoolExecutor, seeds, months: int | None) -> None:
    print("| channel switched off | " + " | ".join(SCENARIOS) + " |")
    print("|---|" + "---|" * len(SCENARIOS))
    on = {s: outcomes(pool, s, seeds, months) for s in SCENARIOS}
    print("| (all channels on) | " + " | ".join(f"{on[s][:, 0].mean():.1f} / {on[s][:, 1].mean():.2f}" for s in SCENARIOS)
          + " |")  # fmt: skip
    for channel in Channels.model_fields:
        cells = []
        for s in SCENARIOS:
            off = outcomes(pool, s, seeds, months, **{channel: False})
            changed = int((np.abs(off - on[s]) > 1e-6).any(axis=1).sum())
            worse = int((off[:, 0] > on[s][:, 0] + 1e-6).sum())
            note = f"{changed} changed" + (f", {worse} worse" if worse else "") if changed else "no change"
            cells.append(f"{off[:, 0].mean():.1f} / {off[:, 1].mean():.2f} ({note})")
        print(f"| `{channel}` | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
