"""Figures of tipping points and scenario discovery, drawn with matplotlib (Agg).

* :func:`tipping_figure` -- the (distance-to-default) table as a sorted bar chart: one bar per
  outcome from the bracket's lower end to its upper end, the institutions that break first at the
  top; *already at size 0* as a mark at 0, *never within range* as a grey bar over the whole range.
* :func:`discovery_figure` -- the runs of a sweep in the plane of the two levers a PRIM box
  restricts most (or along the one it restricts), with and without the outcome, and the boxes as
  rectangles labelled with their coverage and density.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.figure import Figure

    from simulator.sweep.discovery import Discovery
    from simulator.sweep.tipping import TippingReport

__all__ = ["discovery_figure", "tipping_figure"]

TIPS, AT_ZERO, NEVER = "#c0392b", "#7b241c", "#bdc3c7"


def tipping_figure(report: TippingReport) -> Figure:
    """A sorted bar chart of the tipping points of ``report`` (see the module docstring)."""
    rows = report.rows()
    label_key = "institution" if report.by_institution else "outcome"
    height = max(2.5, 0.32 * len(rows) + 1.4)
    fig, ax = plt.subplots(figsize=(8.5, height))
    n = len(report.seeds)
    for y, row in enumerate(rows):
        if row["status"] == "never":
            ax.barh(y, report.max_size, left=0, color=NEVER, height=0.6)
            ax.text(report.max_size, y, f" never ({round(row['share_at_max'] * n)}/{n} at max)", va="center",
                    fontsize=8, color="#555")  # fmt: skip
        elif row["status"] == "at_zero":
            ax.plot([0], [y], marker="D", color=AT_ZERO, markersize=7)
            ax.text(0, y, f"  already at 0 ({round(row['share_at_upper'] * n)}/{n})", va="center", fontsize=8)
        else:
            lower, upper = row["lower"], row["upper"]
            ax.barh(y, upper - lower, left=lower, color=TIPS, height=0.6)
            ax.plot([upper], [y], marker="|", color=TIPS, markersize=12)
            ax.text(upper, y, f"  [{lower:.3g}, {upper:.3g}]  {round(row['share_at_upper'] * n)}/{n} at upper",
                    va="center", fontsize=8)  # fmt: skip
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([str(r[label_key]) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-0.02 * report.max_size, report.max_size * 1.45)
    ax.set_xlabel(f"size of the {report.shock} shock ({report.unit})")
    target = f" on {report.shock_target}" if report.shock_target else ""
    what = "Distance to default" if report.by_institution else "Tipping points"
    ax.set_title(
        f"{what}: {report.scenario}, {report.shock}{target} in month {report.shock_month}, "
        f"{report.months} months, {n} seeds\n(bar: the bracket where the outcome starts to happen on at least half "
        "of the seeds)",
        fontsize=9,
    )
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def _edges(limit, full: tuple[float, float]) -> tuple[float, float]:
    """A box's extent along one lever: its limits, or the whole range where it is open."""
    if limit is None:
        return full
    return (full[0] if limit.low is None else limit.low, full[1] if limit.high is None else limit.high)


def discovery_figure(found: Discovery, results: pd.DataFrame) -> Figure:
    """The runs and the PRIM boxes of ``found`` in the plane of the levers the first box restricts most."""
    import numpy as np

    from simulator.sweep.outcomes import compile_outcome

    first = found.boxes[0].limits if found.boxes else ()
    ranked = [limit.lever for limit in sorted(first, key=lambda lim: lim.quasi_p)]
    levers = (ranked + [i for i in found.inputs if i not in ranked])[:2]
    table = results[results["error"].isna()] if "error" in results.columns else results
    table = table.dropna(subset=list(found.inputs))
    measures = [c for c in table.columns if c not in found.inputs]
    happened = np.array([compile_outcome(found.outcome, measures)(row) for row in table[measures].to_dict("records")])
    fig, ax = plt.subplots(figsize=(6.5, 5))
    rng = np.random.default_rng(0)  # jitter, so that runs of one grid point do not hide each other

    def coordinate(name: str) -> np.ndarray:
        values = table[name].to_numpy(dtype=float)
        spread = float(np.ptp(values)) or 1.0
        return values + rng.uniform(-0.012, 0.012, len(values)) * spread

    x = coordinate(levers[0])
    y = coordinate(levers[1]) if len(levers) > 1 else rng.uniform(-1, 1, len(x))
    ax.scatter(x[~happened], y[~happened], s=12, color="#95a5a6", label="without the outcome", alpha=0.7)
    ax.scatter(x[happened], y[happened], s=12, color="#c0392b", label="with the outcome", alpha=0.7)
    x_range = (float(table[levers[0]].min()), float(table[levers[0]].max()))
    y_range = (float(table[levers[1]].min()), float(table[levers[1]].max())) if len(levers) > 1 else (-1.0, 1.0)
    for box in found.boxes:
        limits = {limit.lever: limit for limit in box.limits}

        x0, x1 = _edges(limits.get(levers[0]), x_range)
        y0, y1 = _edges(limits.get(levers[1]) if len(levers) > 1 else None, y_range)
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#1f3a93", linewidth=1.8))
        ax.text(x0, y1, f" box {box.number}: coverage {box.coverage:.0%}, density {box.density:.0%}", va="bottom",
                fontsize=8, color="#1f3a93")  # fmt: skip
    ax.set_xlabel(levers[0])
    if len(levers) > 1:
        ax.set_ylabel(levers[1])
    else:
        ax.set_yticks([])
    ax.set_title(f"PRIM boxes for: {found.outcome}\n({found.runs_with_outcome} of {found.runs} runs have it)",
                 fontsize=9)  # fmt: skip
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    fig.tight_layout()
    return fig
