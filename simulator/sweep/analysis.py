"""What a finished sweep says: means over seeds per point, Sobol and Morris indices (SALib).

The indices are SALib's (``SALib.analyze.sobol``, ``SALib.analyze.morris``), computed on the
mean of a measure over the replications of each design point, in the design's own order (the
order ``simulator.sweep.designs`` sampled with SALib). Both need every point of the design, so
they refuse a partial sweep or a measure that is missing at some point, naming how many points
lack it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.sweep.designs import design_points, salib_problem
from simulator.sweep.spec import SweepSpec

__all__ = ["AnalysisError", "morris_indices", "point_means", "sobol_indices"]


class AnalysisError(ValueError):
    """The sweep cannot be analysed this way (wrong design, missing points or measure)."""


def point_means(table: pd.DataFrame, measure: str, points: int | None = None) -> pd.Series:
    """Mean of ``measure`` over the successful runs of each design point (index: point, 0 to
    ``points - 1`` if given; NaN where a point has no run with the measure).
    """
    if measure not in table:
        shown = [c for c in table.columns if "." in c][:8]
        raise AnalysisError(f"measure {measure!r} is not in the table; measures are e.g. {shown}")
    means = table.groupby("point")[measure].mean()
    if points is not None:
        means = means.reindex(range(points))
    return means


def _outputs(table: pd.DataFrame, spec: SweepSpec, measure: str, method: str) -> tuple[np.ndarray, pd.DataFrame]:
    if spec.design.method != method:
        raise AnalysisError(f"{method} indices need a {method} design; this sweep's design is {spec.design.method}")
    design = design_points(spec)
    y = point_means(table, measure, len(design)).to_numpy(dtype=float)
    missing = int(np.isnan(y).sum())
    if missing:
        raise AnalysisError(
            f"{method} indices of {measure!r} need every design point: {missing} of {len(y)} points have no "
            "successful run with it (resume an unfinished sweep; failed runs are listed in its manifest)"
        )
    return y, design


def sobol_indices(table: pd.DataFrame, spec: SweepSpec, measure: str) -> pd.DataFrame:
    """First-order and total Sobol indices of ``measure`` (mean over seeds), with 95% confidence
    half-widths (SALib's bootstrap), one row per parameter: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
    """
    from SALib.analyze import sobol

    y, _ = _outputs(table, spec, measure, "sobol")
    if np.ptp(y) == 0:
        raise AnalysisError(f"{measure!r} is the same at every point: it has no variance to attribute")
    result = sobol.analyze(
        salib_problem(spec),
        y,
        calc_second_order=spec.design.second_order,
        seed=spec.master_seed,
        print_to_console=False,
    )
    return _indices_frame(result, spec, ["S1", "S1_conf", "ST", "ST_conf"])


def morris_indices(table: pd.DataFrame, spec: SweepSpec, measure: str) -> pd.DataFrame:
    """Morris elementary-effect statistics of ``measure`` (mean over seeds), one row per
    parameter: ``mu``, ``mu_star`` (mean absolute effect), ``sigma`` (spread: interactions or
    non-linearity) and ``mu_star_conf`` (95% half-width), in the measure's unit: SALib scales
    each elementary effect to the parameter's whole range (a slope times the range's width).
    """
    from SALib.analyze import morris

    y, design = _outputs(table, spec, measure, "morris")
    result = morris.analyze(
        salib_problem(spec),
        design.to_numpy(dtype=float),
        y,
        num_levels=spec.design.levels,
        seed=spec.master_seed,
        print_to_console=False,
    )
    return _indices_frame(result, spec, ["mu", "mu_star", "sigma", "mu_star_conf"])


def _indices_frame(result, spec: SweepSpec, columns: list[str]) -> pd.DataFrame:
    """SALib's ``columns`` as a frame, one row per swept parameter (index ``parameter``)."""
    frame = pd.DataFrame({c: np.asarray(result[c], dtype=float) for c in columns}, index=list(spec.parameters))
    frame.index.name = "parameter"
    return frame
