"""Sweeps: many runs of the model over a design of parameters and seeds, on a laptop or a Dask cluster.

``run_sweep(spec, backend="processes", workers=None, address=None, out=None, resume=False)``
runs a sweep spec (``configs/sweeps/*.yaml``) and returns one row per run. The modules, one job
each: ``spec`` (the spec and its checks), ``designs`` (grid, random, LHS, Sobol, Morris),
``seeds``, ``measures`` (a finished model to one row of numbers), ``execute`` (the runs on a
backend), ``store`` (Parquet parts and the manifest), ``runner`` (``run_sweep``), ``analysis``
(Sobol and Morris indices with SALib) and ``plots``. See ``docs/sweeps.md``.
"""

from __future__ import annotations

from simulator.sweep.execute import RunResult, Task, run_tasks
from simulator.sweep.measures import measures

__all__ = ["RunResult", "Task", "measures", "run_tasks"]
