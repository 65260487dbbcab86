"""Scenario discovery: the boxes of lever space where an outcome is most likely, found with PRIM
in a finished sweep's results.

PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999), as used for scenario discovery
by Bryant and Lempert (2010), peels thin slices off the box of all runs, each time the slice
whose removal raises the share of runs with the outcome the most, until the box holds too few
runs; then it pastes back what helps. Each step of that *peeling trajectory* is a box with two
figures:

* **coverage** -- the share of all runs with the outcome that lie in the box (how much of the
  outcome the box explains);
* **density** -- the share of runs in the box that have the outcome (how sure the outcome is
  inside it).

Peeling trades coverage for density. :func:`discover_scenarios` picks on each trajectory the box
of highest density whose coverage is at least ``min_coverage``, reports it (its limits on the
levers it restricts, with Bryant and Lempert's quasi-p value per limit: the chance that the
restriction's gain in density is luck), then looks for the next box among the runs outside it, up
to ``max_boxes`` boxes, stopping early when a box is no denser than the sweep as a whole.

The algorithm is the ``prim`` package's (1.0.0, Project Platypus; a standalone version of the EMA
Workbench's PRIM), imported only when discovery runs. Note its licence: GPL-3 (aicontagion's own
is MIT).

References
----------
Friedman, J. H. and Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics and
Computing 9(2), 123-143.
Bryant, B. P. and Lempert, R. J. (2010). Thinking inside the box: a participatory,
computer-assisted approach to scenario discovery. Technological Forecasting and Social Change
77(1), 34-49.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.config import LEVERS, ConfigError, Scenario
from simulator.sweep.outcomes import compile_outcome

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["DiscoveredBox", "Discovery", "PrimMissing", "discover_scenarios", "lever_columns", "read_results"]

NOT_INPUTS = frozenset({"seed", "run_index", "replication", "point", "error", "traceback", "seconds"})
"""Columns of a results table that are never levers."""
DISCOVERY_SCHEMA = "aicontagion.discovery/1"
"""The ``schema`` of :meth:`Discovery.to_dict` (``discovery.json``)."""
_CONFIG_SECTIONS = frozenset(Scenario.model_fields) - {"months", "name", "description"}


class PrimMissing(ImportError):
    """The ``prim`` package that scenario discovery runs on is not installed."""


@dataclass(frozen=True)
class Limit:
    """A box's restriction on one lever: ``low <= lever <= high`` (None where the box is open)."""

    lever: str
    low: float | None
    high: float | None
    quasi_p: float

    def text(self) -> str:
        if self.low is not None and self.high is not None:
            return f"{self.low:g} <= {self.lever} <= {self.high:g}"
        if self.low is not None:
            return f"{self.lever} >= {self.low:g}"
        return f"{self.lever} <= {self.high:g}"


@dataclass(frozen=True)
class DiscoveredBox:
    """One box: its limits and how well it captures the outcome (see the module docstring)."""

    number: int
    coverage: float
    density: float
    mass: float
    runs: int
    runs_with_outcome: int
    limits: tuple[Limit, ...]

    def text(self) -> str:
        return " and ".join(limit.text() for limit in self.limits) or "(the whole sweep)"


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover_scenarios` found.

    Attributes
    ----------
    outcome : str
        The outcome expression.
    inputs : tuple of str
        The levers PRIM could restrict.
    runs, runs_with_outcome : int
        Runs in the table (with every lever known), and those with the outcome.
    boxes : tuple of DiscoveredBox
        The boxes, the first found first (empty when no run, or every run, has the outcome).
    note : str
        Why there are no (more) boxes, if there is something to say.
    """

    outcome: str
    inputs: tuple[str, ...]
    runs: int
    runs_with_outcome: int
    boxes: tuple[DiscoveredBox, ...]
    note: str = ""

    @property
    def share_with_outcome(self) -> float:
        return self.runs_with_outcome / self.runs if self.runs else math.nan

    def table(self) -> pd.DataFrame:
        """One row per limit of each box: ``box``, ``coverage``, ``density``, ``mass``, ``runs``,
        ``runs_with_outcome``, ``lever``, ``low``, ``high`` (empty where the box is open), ``quasi_p``.
        """
        import pandas as pd

        rows = [
            {
                "box": box.number,
                "coverage": box.coverage,
                "density": box.density,
                "mass": box.mass,
                "runs": box.runs,
                "runs_with_outcome": box.runs_with_outcome,
                "lever": limit.lever,
                "low": limit.low,
                "high": limit.high,
                "quasi_p": limit.quasi_p,
            }
            for box in self.boxes
            for limit in box.limits or (Limit("", None, None, math.nan),)
        ]
        columns = ["box", "coverage", "density", "mass", "runs", "runs_with_outcome", "lever", "low", "high", "quasi_p"]
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready (``discovery.json``); :meth:`from_dict` reads it back."""
        return {
            "schema": DISCOVERY_SCHEMA,
            "outcome": self.outcome,
            "inputs": list(self.inputs),
            "runs": self.runs,
            "runs_with_outcome": self.runs_with_outcome,
            "note": self.note,
            "boxes": [
                {
                    "box": b.number,
                    "coverage": b.coverage,
                    "density": b.density,
                    "mass": b.mass,
                    "runs": b.runs,
                    "runs_with_outcome": b.runs_with_outcome,
                    "rule": b.text(),
                    "limits": [
                        {"lever": lim.lever, "low": lim.low, "high": lim.high, "quasi_p": lim.quasi_p}
                        for lim in b.limits
                    ],
                }
                for b in self.boxes
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Discovery:
        """The discovery :meth:`to_dict` wrote (``discovery.json``), for drawing it again
        (``aicontagion plot DIR``).

        Raises
        ------
        ConfigError
            If ``data`` is not a discovery of this schema.
        """
        if not isinstance(data, Mapping) or data.get("schema") != DISCOVERY_SCHEMA:
            found = data.get("schema") if isinstance(data, Mapping) else type(data).__name__
            raise ConfigError(f"discovery.json: expected a discovery of schema {DISCOVERY_SCHEMA!r}, got {found!r}")
        try:
            boxes = tuple(
                DiscoveredBox(
                    number=int(b["box"]),
                    coverage=float(b["coverage"]),
                    density=float(b["density"]),
                    mass=float(b["mass"]),
                    runs=int(b["runs"]),
                    runs_with_outcome=int(b["runs_with_outcome"]),
                    limits=tuple(
                        Limit(lim["lever"], lim["low"], lim["high"], float(lim["quasi_p"])) for lim in b["limits"]
                    ),
                )
                for b in data["boxes"]
            )
            return cls(
                outcome=str(data["outcome"]),
                inputs=tuple(data["inputs"]),
                runs=int(data["runs"]),
                runs_with_outcome=int(data["runs_with_outcome"]),
                boxes=boxes,
                note=str(data.get("note", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"discovery.json: not a complete discovery ({type(exc).__name__}: {exc})") from None


def lever_columns(results: pd.DataFrame) -> list[str]:
    """The columns of a sweep's results that are levers it varied: lever names
    (``simulator.config.LEVERS``, but ``months``) and dotted config paths
    (``markets.gpu.market_depth_bn``) that take more than one value.
    """
    chosen = []
    for column in results.columns:
        name = str(column)
        is_lever = (name in LEVERS and name != "months") or name.split(".")[0] in _CONFIG_SECTIONS
        if is_lever and name not in NOT_INPUTS and results[column].nunique(dropna=True) > 1:
            chosen.append(name)
    return chosen


def read_results(source: str | Path) -> pd.DataFrame:
    """A sweep's results table from its output folder (``simulator.sweep.store``: the finished
    ``results.parquet``, or the runs recorded so far in its parts, each once) or from a file
    (``.parquet`` or ``.csv``). From a folder, ``attrs["parameters"]`` lists the levers the
    sweep's spec varied (its manifest).

    Raises
    ------
    ConfigError
        If nothing readable is there, naming the path.
    """
    import pandas as pd

    from simulator.sweep import store

    path = Path(source)
    if path.is_dir():
        try:
            manifest = store.read_manifest(path)
        except store.SweepFolderError as exc:
            raise ConfigError(f"results: {path} is not a sweep's output folder ({exc})") from None
        finished = path / store.RESULTS
        table = pd.read_parquet(finished) if finished.is_file() else store.read_runs(path)
        if table.empty:
            raise ConfigError(f"results: the sweep in {path} has no finished run yet")
        table.attrs["parameters"] = list(manifest.get("parameters", []))
        return table
    if not path.is_file():
        raise ConfigError(f"results: {path}: no such file or folder; give a sweep's output folder or its results file")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"results: cannot read {path} ({exc})") from None
    raise ConfigError(f"results: {path}: expected a .parquet or .csv file, or a sweep's output folder")


def discover_scenarios(
    results: pd.DataFrame | str | Path,
    outcome: str,
    *,
    inputs: Sequence[str] | None = None,
    min_coverage: float = 0.5,
    max_boxes: int = 3,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> Discovery:
    """Find the boxes of lever space where ``outcome`` is most likely, with PRIM.

    Parameters
    ----------
    results : DataFrame, str or Path
        A sweep's results (one row per run: its levers, seed and measures, as ``run_sweep``
        returns them), or the file or output folder they are in (:func:`read_results`).
    outcome : str
        An outcome expression over the measures (``simulator.sweep.outcomes``), e.g.
        ``"defaults_by_kind.neocloud >= 1"`` or ``'defaulted("CoreWeave")'``.
    inputs : sequence of str, optional
        The levers PRIM may restrict (numeric or true/false columns; default: the parameters of
        the sweep's manifest when read from its folder, else :func:`lever_columns`; either way
        only those that take more than one value).
    min_coverage : float
        On each peeling trajectory, the box of highest density with at least this coverage is
        chosen (0 to 1; default 0.5).
    max_boxes : int
        At most this many boxes (1 to 20; default 3).
    peel_alpha, paste_alpha : float
        Share of runs peeled off or pasted back per step (PRIM's alphas; 0.01 to 0.5, default 0.05).
    mass_min : float
        A box keeps at least this share of the runs (0 to 0.5; default 0.05).

    Returns
    -------
    Discovery

    Raises
    ------
    ConfigError
        Naming the argument (or column) and what is allowed.
    """
    import numpy as np
    import pandas as pd

    table = read_results(results) if isinstance(results, (str, Path)) else results
    if not isinstance(table, pd.DataFrame):
        raise ConfigError(f"results: expected a pandas DataFrame, a file or a folder, got {type(results).__name__}")
    if table.empty:
        raise ConfigError("results: the table has no runs")
    _between(min_coverage, "min_coverage", 0.0, 1.0)
    _between(peel_alpha, "peel_alpha", 0.01, 0.5)
    _between(paste_alpha, "paste_alpha", 0.01, 0.5)
    _between(mass_min, "mass_min", 0.0, 0.5)
    if isinstance(max_boxes, bool) or not isinstance(max_boxes, int) or not 1 <= max_boxes <= 20:
        raise ConfigError(f"max_boxes: expected a whole number from 1 to 20, got {max_boxes!r}")
    columns = [str(c) for c in table.columns]
    if "error" in table.columns:  # (runs that raised have no measures)
        table = table[table["error"].isna()]
    if inputs is None:
        declared = table.attrs.get("parameters")
        chosen = (
            [p for p in declared if p in table.columns and table[p].nunique(dropna=True) > 1]
            if declared
            else lever_columns(table)
        )
        if not chosen:
            raise ConfigError(
                f"inputs: no column of the results is a lever that varies; name them (columns: {columns})"
            )
    else:
        if isinstance(inputs, str) or not isinstance(inputs, Sequence) or not inputs:
            raise ConfigError(f"inputs: expected a list of column names, got {inputs!r}")
        chosen = list(inputs)
        for name in chosen:
            if name not in table.columns:
                raise ConfigError(f"inputs: no column {name!r} in the results; columns: {columns}")
    for name in chosen:
        if not (pd.api.types.is_numeric_dtype(table[name]) or pd.api.types.is_bool_dtype(table[name])):
            raise ConfigError(f"inputs: column {name!r} is not numeric or true/false (dtype {table[name].dtype})")
    measures = [c for c in columns if c not in chosen and c not in NOT_INPUTS]
    test = compile_outcome(outcome, measures)
    known = table.dropna(subset=chosen)
    records = known[measures].to_dict("records")
    happened = np.array([test(row) for row in records], dtype=bool)
    x = known[chosen].astype(float).reset_index(drop=True)
    runs, hits = len(x), int(happened.sum())
    if hits == 0 or hits == runs:
        note = "no run has the outcome" if hits == 0 else "every run has the outcome"
        return Discovery(test.text, tuple(chosen), runs, hits, (), f"{note}: there is no box to find")

    try:
        import prim  # (GPL-3; imported only here)
    except ImportError:
        raise PrimMissing(
            "scenario discovery needs the 'prim' package (PRIM 1.0.0 on PyPI, GPL-3): pip install PRIM==1.0.0"
        ) from None

    finder = prim.Prim(x, happened, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    full = {name: (float(x[name].min()), float(x[name].max())) for name in chosen}
    overall = hits / runs
    boxes: list[DiscoveredBox] = []
    note = ""
    while len(boxes) < max_boxes:
        finder._update_yi_remaining()  # (the runs outside the boxes found so far)
        if not happened[finder.yi_remaining].any():
            note = "every run with the outcome is in a box"
            break
        box = finder.find_box()
        if box is None:  # (no run left outside the boxes)
            note = "every run is in a box"
            break
        trajectory = box.peeling_trajectory
        eligible = trajectory[trajectory["coverage"] >= min_coverage - 1e-12]
        if eligible.empty:
            eligible = trajectory.iloc[[0]]
        best = eligible.sort_values(["density", "coverage"], ascending=[False, False], kind="stable").index[0]
        box.select(int(best))
        stats = trajectory.loc[best]
        if float(stats["density"]) <= overall + 1e-12 and boxes:
            note = f"box {len(boxes) + 1} would be no denser than the whole sweep ({overall:.0%}); stopped"
            break
        qp = box.limits["qp values"].to_dict() if float(stats["res dim"]) > 0 else {}
        limits = []
        for name in chosen:
            low, high = (float(v) for v in box._box_lims[int(best)][name])
            if name not in qp:
                continue
            limits.append(
                Limit(
                    name,
                    None if low <= full[name][0] else low,
                    None if high >= full[name][1] else high,
                    float(qp[name]),
                )
            )
        inside = len(box.yi)
        boxes.append(
            DiscoveredBox(
                number=len(boxes) + 1,
                coverage=float(stats["coverage"]),
                density=float(stats["density"]),
                mass=float(stats["mass"]),
                runs=inside,
                runs_with_outcome=int(happened[box.yi].sum()),
                limits=tuple(limits),
            )
        )
    return Discovery(test.text, tuple(chosen), runs, hits, tuple(boxes), note)


def _between(value: Any, name: str, low: float, high: float) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(f"{name}: expected a number from {low} to {high}, got {value!r}")
