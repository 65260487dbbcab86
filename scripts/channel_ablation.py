"""Channel ablation: what each channel adds, per scenario, over 20 seeds.

Usage: .venv/bin/python scripts/channel_ablation.py [--seeds 20] [--months 24]
Prints a Markdown table (the one in docs/validation.md): for each scenario and channel, the mean
losses booked by month 24 (realised + unrealised, US$ bn) and the mean number of defaults, with
every channel on and with that one channel off, and on how many seeds switching it off
*increased* the losses booked. The counterfactual of each run has the same channel switched off,
so the shortfalls compare like with like; booked losses are what this table shows.
"""

from __future__ import annotations

import argparse

import numpy as np

from simulator import ContagionModel
from simulator.config import Channels

SCENARIOS = ("neocloud_default", "ai_winter", "ai_crash", "crypto_crash", "next_gen_launch")


def outcomes(name: str, seeds, months: int, **levers) -> np.ndarray:
    """(losses booked US$ bn, defaults) at ``months`` for each seed."""
    out = []
    for seed in seeds:
        model = ContagionModel(name, rng=seed, **levers)
        model.run_for(months)
        last = model.datacollector.get_model_vars_dataframe().iloc[-1]
        out.append((last["realised_losses_bn_total"] + last["unrealised_losses_bn_total"], last["defaults_total"]))
    return np.array(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    seeds = range(args.seeds)
    print("| channel switched off | " + " | ".join(SCENARIOS) + " |")
    print("|---|" + "---|" * len(SCENARIOS))
    on = {s: outcomes(s, seeds, args.months) for s in SCENARIOS}
    print("| (all channels on) | " + " | ".join(f"{on[s][:, 0].mean():.1f} / {on[s][:, 1].mean():.2f}" for s in SCENARIOS)
          + " |")  # fmt: skip
    for channel in Channels.model_fields:
        cells = []
        for s in SCENARIOS:
            off = outcomes(s, seeds, args.months, **{channel: False})
            worse = int((off[:, 0] > on[s][:, 0] + 1e-6).sum())
            cells.append(f"{off[:, 0].mean():.1f} / {off[:, 1].mean():.2f}" + (f" ({worse} worse)" if worse else ""))
        print(f"| `{channel}` | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
