"""The measures of one finished run: one flat row of numbers for a sweep's results table.

:func:`measures` reads the run through the same function that writes ``summary.json``
(:func:`simulator.cli.outputs.summarise`), so a figure added to the summary becomes a sweep
column without any change here. Every numeric leaf of the summary becomes one column named by
its dotted path (``losses_bn.realised_losses_bn.total``, ``defaults_by_kind.neocloud``,
``gpu_prices.H100.peak_fall_pct``, ``first_default.month``); text, lists (``top_events``) and
figures that do not vary between runs (``institutions_by_kind``) are left out, and a figure the
run does not have (``None``: a shortfall without a counterfactual, a first default that never
came) is left out too, so it is missing (NaN) in the table. Event counts are given for every
event kind (0 if it never happened), so the columns do not depend on what happened.

On top of the summary, each institution's default is one column ``defaulted.<name>`` (1.0 if it
is in default at the end of the run, else 0.0): what a tipping-point search or scenario
discovery asks about.

Units are the summary's: money in US$ bn, GPU prices in US$ thousand per GPU, time in months,
counts as numbers.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from agents.names import EVENT_KINDS
from simulator.cli.outputs import summarise

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

__all__ = ["DEFAULTED_PREFIX", "absent_figures", "measures"]

LEFT_OUT = frozenset({"schema", "institutions_by_kind", "top_events", "scenario", "counterfactual"})
"""Top-level summary keys that are not measures (labels, constants of the network, lists)."""
SENTENCE_VALUES = "params"
"""Key of an event's sentence values in the summary (``first_breach.params``): not measures."""
DEFAULTED_PREFIX = "defaulted."
"""Column prefix of the per-institution default flags (``defaulted.CoreWeave``)."""


def measures(model: ContagionModel) -> dict[str, float]:
    """The measures of a finished (or stopped) run, as ``{dotted name: number}``.

    Parameters
    ----------
    model : ContagionModel
        A model that has been stepped (the months it finished are measured).

    Returns
    -------
    dict of str to float
        Every numeric figure of ``summarise(model)`` under its dotted path, in the summary's
        order, then ``defaulted.<institution>`` (1.0 or 0.0) for each institution in index
        order. Money in US$ bn, time in months.

    Examples
    --------
    >>> from simulator.model import ContagionModel
    >>> model = ContagionModel("neocloud_default", rng=1)
    >>> model.run_for(3)
    >>> row = measures(model)
    >>> row["months"], row["defaulted.CoreWeave"]
    (3.0, 1.0)
    """
    summary = summarise(model, top=0)
    counts = summary.get("events_by_kind")
    if isinstance(counts, dict):
        summary["events_by_kind"] = {kind: counts.get(kind, 0) for kind in (*EVENT_KINDS, *counts)}
    row: dict[str, float] = {}
    for key, value in summary.items():
        if key not in LEFT_OUT:
            _flatten(value, key, row)
    for agent in model.institutions:
        row[f"{DEFAULTED_PREFIX}{agent.name}"] = 1.0 if agent.defaulted else 0.0
    return row


def absent_figures(model: ContagionModel) -> list[str]:
    """Dotted paths of summary figures this run does not have (``None``), which another run may
    have: ``first_default`` before any default, the shortfalls without a counterfactual. A sweep
    spec may name measures under them (``first_default.month``).
    """
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if value is None:
            found.append(path)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if key != SENTENCE_VALUES:
                    walk(inner, f"{path}.{key}")

    for key, value in summarise(model, top=0).items():
        if key not in LEFT_OUT:
            walk(value, key)
    return found


def _flatten(value: Any, path: str, row: dict[str, float]) -> None:
    """Put the numeric leaves of ``value`` into ``row`` under dotted names starting with ``path``."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key != SENTENCE_VALUES:
                _flatten(inner, f"{path}.{key}", row)
    elif isinstance(value, bool):
        row[path] = 1.0 if value else 0.0
    elif isinstance(value, (int, float)) and math.isfinite(value):
        row[path] = float(value)
