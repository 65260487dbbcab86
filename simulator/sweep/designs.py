"""Designs: where in parameter space a sweep runs (one row per design point).

``grid`` is the full factorial of each parameter's values (a range gives ``samples`` evenly
spaced values, ends included; the first parameter varies slowest). ``random`` draws points
uniformly, ``lhs`` is a Latin hypercube (``scipy.stats.qmc.LatinHypercube``), both from the
spec's own random stream (``simulator.sweep.seeds.design_rng``). ``sobol`` is Saltelli's
extension of a Sobol' sequence and ``morris`` Morris's elementary-effects trajectories, both
sampled by SALib (``SALib.sample.sobol``, ``SALib.sample.morris``) with ``master_seed``, so that
``simulator.sweep.analysis`` can analyse them with SALib in the same order.

In ``random`` and ``lhs``, a parameter given as ``values:`` takes one of its values with equal
probability. Whole-number parameters (``months``, ``shock_month``, integer config fields) are
rounded to the nearest whole number after sampling.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from simulator.sweep.seeds import design_rng
from simulator.sweep.spec import SweepSpec

__all__ = ["design_points", "salib_problem"]


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The SALib problem of a spec whose parameters all have ranges: names and bounds."""
    names = list(spec.parameters)
    bounds = [[float(r.low), float(r.high)] for r in spec.parameters.values()]  # type: ignore[arg-type]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_points(spec: SweepSpec) -> pd.DataFrame:
    """The design points of ``spec``: one row per point (index = point number), one column per
    parameter, in the parameter's own unit and type.
    """
    method = spec.design.method
    names = list(spec.parameters)
    if method == "grid":
        axes = [_grid_axis(spec, name) for name in names]
        rows = list(itertools.product(*axes))
        return _typed(spec, pd.DataFrame(rows, columns=names))
    n = int(spec.design.samples or 0)
    if method in ("random", "lhs"):
        rng = design_rng(spec.master_seed)
        if method == "random":
            unit = rng.random((n, len(names)))
        else:
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d=len(names), rng=rng).random(n)
        columns = {name: _from_unit(spec, name, unit[:, j]) for j, name in enumerate(names)}
        return _typed(spec, pd.DataFrame(columns))
    problem = salib_problem(spec)
    if method == "sobol":
        from SALib.sample import sobol

        values = sobol.sample(problem, n, calc_second_order=spec.design.second_order, seed=spec.master_seed)
    else:
        from SALib.sample import morris

        values = morris.sample(problem, n, num_levels=spec.design.levels, seed=spec.master_seed)
    return _typed(spec, pd.DataFrame(values, columns=names))


def _grid_axis(spec: SweepSpec, name: str) -> list[Any]:
    rng = spec.parameters[name]
    if rng.values is not None:
        return list(rng.values)
    return [float(x) for x in np.linspace(float(rng.low), float(rng.high), int(spec.design.samples or 2))]  # type: ignore[arg-type]


def _from_unit(spec: SweepSpec, name: str, u: np.ndarray) -> list[Any]:
    """Numbers in [0, 1) mapped onto the parameter: its range, or one of its values."""
    rng = spec.parameters[name]
    if rng.values is not None:
        picks = np.minimum((u * len(rng.values)).astype(int), len(rng.values) - 1)
        return [rng.values[i] for i in picks]
    low, high = float(rng.low), float(rng.high)  # type: ignore[arg-type]
    return [float(x) for x in low + u * (high - low)]


def _typed(spec: SweepSpec, points: pd.DataFrame) -> pd.DataFrame:
    """Whole-number parameters rounded; the rest as given."""
    for name, kind in spec.parameter_types.items():
        if kind == "int" and spec.parameters[name].values is None:
            points[name] = points[name].round().astype(int)
    points.index.name = "point"
    return points
