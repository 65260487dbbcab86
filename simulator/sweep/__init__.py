"""Sweeps: many runs of the model over a design of parameters and seeds, on a laptop or a Dask cluster.

``run_sweep(spec, backend="processes", workers=None, address=None, out=None, resume=False)``
runs a sweep spec (``configs/sweeps/*.yaml``) and returns one row per run. The modules, one job
each: ``spec`` (the spec and its checks), ``designs`` (grid, random, LHS, Sobol, Morris),
``seeds``, ``measures`` (a finished model to one row of numbers), ``execute`` (the runs on a
backend), ``store`` (Parquet parts and the manifest), ``runner`` (``run_sweep``), ``analysis``
(Sobol and Morris indices with SALib) and ``plots``. See ``docs/sweeps.md``.

``find_tipping_points`` (``tipping``: the smallest shock at which an outcome happens, a
distance-to-default table; with ``bracketing``, ``outcomes`` and ``shock_sizes``) and
``discover_scenarios`` (``discovery``: PRIM boxes in a sweep's results) are described in
``docs/tipping_points.md``.
"""

from __future__ import annotations

from simulator.sweep.discovery import discover_scenarios
from simulator.sweep.execute import RunResult, Task, run_tasks
from simulator.sweep.measures import measures
from simulator.sweep.runner import SweepIncomplete, plan_runs, run_sweep
from simulator.sweep.spec import SweepSpec, load_spec
from simulator.sweep.store import SweepFolderError
from simulator.sweep.tipping import compare_shocks, find_tipping_points

__all__ = [
    "RunResult",
    "SweepFolderError",
    "SweepIncomplete",
    "SweepSpec",
    "Task",
    "compare_shocks",
    "discover_scenarios",
    "find_tipping_points",
    "load_spec",
    "measures",
    "plan_runs",
    "run_sweep",
    "run_tasks",
]
