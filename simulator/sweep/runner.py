"""``run_sweep``: a sweep spec in, one row per run out, written to disk as the runs finish.

The plan (``plan_runs``) is the design's points times the replications: run ``i`` is point
``i // replications``, replication ``i % replications``, with the seed of
``simulator.sweep.seeds``. The table has one row per run: ``run_index``, ``point``,
``replication``, ``seed``, the parameters, the measures the spec keeps (US$ bn, months; see
``simulator.sweep.measures``) and ``error`` (None, or the error the run raised). It is the same
whatever the backend, worker count, batch size or interruption history: every run depends only on
its own task, rows are sorted by ``run_index`` and the measure columns come in a fixed order.

With ``out``, each finished batch is written at once as a Parquet part (``simulator.sweep.store``),
so Ctrl-C, a killed process or a lost worker loses only the runs in flight; ``resume=True``
reads the parts, runs what is missing and nothing twice, and refuses a folder made by another
spec.
"""

from __future__ import annotations

import importlib.metadata
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simulator.config import ConfigError
from simulator.sweep import store
from simulator.sweep.designs import design_points
from simulator.sweep.execute import RunResult, Task, run_tasks
from simulator.sweep.seeds import run_seed
from simulator.sweep.spec import SweepSpec, keep_measure, load_spec, measure_names, spec_hash

__all__ = ["RUN_COLUMNS", "SweepIncomplete", "plan_runs", "run_sweep", "sweep_table"]

RUN_COLUMNS = ("run_index", "point", "replication", "seed")
"""The columns that identify a run, first in every table."""
ERROR_COLUMN = "error"
TRACEBACK_COLUMN = "traceback"  # kept in the parts and the manifest, not in the table
MAX_TRACEBACK_CHARS = 4000


class SweepIncomplete(RuntimeError):
    """Some runs were lost (their workers died until retries ran out); ``table`` holds the rest.
    Run the sweep again with ``resume=True`` to complete it.
    """

    def __init__(self, message: str, table: pd.DataFrame):
        super().__init__(message)
        self.table = table


def plan_runs(spec: SweepSpec) -> pd.DataFrame:
    """Every run of the sweep: ``run_index``, ``point``, ``replication``, ``seed`` and the
    parameters' values, one row per run in run order.
    """
    points = design_points(spec)
    reps = spec.replications
    n = len(points) * reps
    plan = pd.DataFrame(
        {
            "run_index": np.arange(n, dtype=np.int64),
            "point": np.repeat(np.arange(len(points), dtype=np.int64), reps),
            "replication": np.tile(np.arange(reps, dtype=np.int64), len(points)),
        }
    )
    index = plan["replication"] if spec.common_random_numbers else plan["run_index"]
    plan["seed"] = np.array([run_seed(spec.master_seed, int(i)) for i in index], dtype=np.int64)
    for name in points.columns:
        plan[name] = np.repeat(points[name].to_numpy(), reps)
    return plan


def _tasks(spec: SweepSpec, plan: pd.DataFrame) -> list[Task]:
    names = list(spec.parameters)
    tasks = []
    for row in plan.itertuples(index=False):
        values = dict(zip(names, row[len(RUN_COLUMNS) :]))
        overrides = {**spec.settings, **{k: v.item() if isinstance(v, np.generic) else v for k, v in values.items()}}
        tasks.append(
            Task(
                scenario=spec.scenario,
                overrides=overrides,
                months=spec.run_months,
                seed=int(row.seed),
                run_index=int(row.run_index),
                keep_timeseries=spec.outputs.timeseries,
            )
        )
    return tasks


def _row(spec: SweepSpec, plan_row: dict[str, Any], result: RunResult) -> dict[str, Any]:
    row = dict(plan_row)
    for name, value in (result.measures or {}).items():
        if keep_measure(spec, name):
            row[name] = value
    row[ERROR_COLUMN] = result.error
    row[TRACEBACK_COLUMN] = None if result.traceback is None else result.traceback[-MAX_TRACEBACK_CHARS:]
    return row


def sweep_table(runs: pd.DataFrame, parameters: list[str], measures: list[str]) -> pd.DataFrame:
    """The results table from recorded rows: sorted by ``run_index``, columns in the fixed order
    run columns, ``parameters``, measures (``measures`` first, in that order, then any others
    alphabetically), ``error``; the traceback left out.
    """
    if runs.empty:
        return pd.DataFrame(columns=[*RUN_COLUMNS, *parameters, ERROR_COLUMN])
    runs = runs.sort_values("run_index", kind="stable").reset_index(drop=True)
    fixed = {*RUN_COLUMNS, *parameters, ERROR_COLUMN, TRACEBACK_COLUMN}
    present = [c for c in runs.columns if c not in fixed and runs[c].notna().any()]
    ordered = [m for m in measures if m in present] + sorted(set(present) - set(measures))
    table = runs[[*RUN_COLUMNS, *parameters, *ordered, ERROR_COLUMN]].copy()
    table[ERROR_COLUMN] = table[ERROR_COLUMN].astype(object).where(table[ERROR_COLUMN].notna(), None)
    for column in ordered:
        table[column] = table[column].astype("float64")
    return table


@dataclass
class _Session:
    """What one call of ``run_sweep`` did (one entry of the manifest's ``sessions``)."""

    backend: str
    workers: int | None
    address: str | None
    started: str = field(default_factory=lambda: _now())
    ended: str | None = None
    runs_done: int = 0
    runs_lost: int = 0
    interrupted: bool = False
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        rate = self.runs_done / self.seconds if self.seconds > 0 else None
        return {**self.__dict__, "seconds": round(self.seconds, 3), "runs_per_second": rate and round(rate, 3)}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _package_version() -> str:
    try:
        return importlib.metadata.version("aicontagion")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover (run from a bare checkout)
        return "unknown"


def run_sweep(
    spec: str | Path | dict | SweepSpec,
    backend: str = "processes",
    workers: int | None = None,
    address: str | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    *,
    batch_size: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Run a sweep and return its table, one row per run (see the module docstring).

    Parameters
    ----------
    spec : path, name, dict or SweepSpec
        A sweep spec (``simulator.sweep.spec``): a YAML file, a shipped spec's name
        (``configs/sweeps/``) or a dict of the same keys. Checked in full before any run.
    backend : {"serial", "processes", "dask"}
        Where the runs go (``simulator.sweep.execute.run_tasks``); default a local process pool.
    workers : int, optional
        Processes of the pool or of a local Dask cluster (default: one per core).
    address : str, optional
        ``"tcp://host:port"`` of a running Dask scheduler (``backend="dask"``); None starts a
        local cluster.
    out : path, optional
        Folder to write the results into as they finish (``simulator.sweep.store``). None keeps
        them in memory only.
    resume : bool
        Complete the sweep in ``out``: run only the runs its parts do not hold. Refused if the
        folder was made by a different spec (or scenario, or package version).
    batch_size : int, optional
        Runs per worker task (default: about four batches per worker). Results do not depend on it.
    on_progress : callable, optional
        ``on_progress(done, total)`` after each finished run (counting runs done before a resume).

    Returns
    -------
    pandas.DataFrame
        One row per run, sorted by ``run_index`` (``sweep_table``).

    Raises
    ------
    ConfigError
        For an invalid spec, backend, worker count or address, before any run.
    simulator.sweep.store.SweepFolderError
        If ``out`` cannot be used (another spec's sweep, a folder of other files, resume of a
        folder that is not a sweep).
    SweepIncomplete
        If runs were lost with their workers; the finished runs are saved, resume completes it.
    KeyboardInterrupt
        On Ctrl-C, once the manifest says how far the sweep got.
    """
    spec = load_spec(spec)
    if not isinstance(resume, bool):
        raise ConfigError(f"resume: expected true or false, got {resume!r}")
    plan = plan_runs(spec)
    parameters = list(spec.parameters)
    folder = Path(out) if out is not None else None
    manifest: dict[str, Any] | None = None
    done: set[int] = set()
    if folder is not None:
        manifest = _open_folder(folder, spec, plan, resume)
        done = set(store.read_runs(folder).get("run_index", pd.Series(dtype="int64")).astype(int))
        measures = list(manifest["measures"])
    else:
        measures = [m for m in measure_names(spec) if keep_measure(spec, m)]
    todo = plan[~plan["run_index"].isin(done)]
    session = _Session(backend=backend, workers=workers, address=address)
    plan_rows = {int(r["run_index"]): r for r in todo.to_dict("records")}
    memory_rows: list[dict[str, Any]] = []
    finished = len(done)
    total = len(plan)
    started = time.perf_counter()

    def on_result(result: RunResult) -> None:
        nonlocal finished
        if not result.lost:
            finished += 1
        if on_progress is not None:
            on_progress(finished, total)

    def on_batch(results: list[RunResult]) -> None:
        kept = [r for r in results if not r.lost]
        session.runs_lost += len(results) - len(kept)
        if not kept:
            return
        rows = [_row(spec, plan_rows[r.run_index], r) for r in kept]
        if folder is None:
            memory_rows.extend(rows)
        else:
            series = [r.timeseries.assign(run_index=r.run_index) for r in kept if r.timeseries is not None]
            store.write_part(folder, rows, pd.concat(series, ignore_index=True) if series else None)
        session.runs_done += len(kept)

    if on_progress is not None:
        on_progress(finished, total)
    try:
        run_tasks(
            _tasks(spec, todo),
            backend=backend,
            workers=workers,
            address=address,
            on_result=on_result,
            on_batch=on_batch,
            batch_size=batch_size,
        )
    except BaseException:
        session.interrupted = True
        raise
    finally:
        session.seconds = time.perf_counter() - started
        session.ended = _now()
        if folder is not None and manifest is not None:
            _close_manifest(folder, manifest, session, parameters, total)

    runs = store.read_runs(folder) if folder is not None else pd.DataFrame(memory_rows)
    table = sweep_table(runs, parameters, measures)
    if session.runs_lost:
        where = f" in {folder}; run it again with resume to complete it" if folder is not None else ""
        raise SweepIncomplete(
            f"{session.runs_lost} of {total} runs were lost with their workers; {len(table)} finished{where}", table
        )
    if folder is not None and len(table) == total:
        store.write_results(folder, table)
    return table


def _open_folder(folder: Path, spec: SweepSpec, plan: pd.DataFrame, resume: bool) -> dict[str, Any]:
    """The manifest of the sweep in ``folder``: a new one (after checking the folder may be
    used), or, with ``resume``, the existing one after checking it was made by this spec.
    """
    digest = spec_hash(spec)
    exists = (folder / store.MANIFEST).is_file()
    if exists and resume:
        manifest = store.read_manifest(folder)
        if manifest.get("spec_hash") != digest:
            changed = sorted(
                key
                for key in {*manifest.get("spec", {}), *spec.to_dict()}
                if manifest.get("spec", {}).get(key) != spec.to_dict().get(key)
            )
            hint = f" (keys that differ: {changed})" if changed else " (the base scenario's configuration changed)"
            raise store.SweepFolderError(
                f"{folder}: cannot resume: the sweep there was made by a different spec{hint}; give its spec, or "
                "another --out for this one"
            )
        if manifest.get("package_version") != _package_version():
            raise store.SweepFolderError(
                f"{folder}: cannot resume: the sweep there was made by aicontagion {manifest.get('package_version')}, "
                f"this is {_package_version()}; its results could differ, so start it again in another --out"
            )
        return manifest
    if exists:
        raise store.SweepFolderError(
            f"{folder}: holds a sweep already; resume it (--resume, resume=True), or give another --out"
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "a file" if not folder.is_dir() else "a folder of other files"
        raise store.SweepFolderError(f"{folder}: is {what}; give a new or empty folder for the sweep")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise store.SweepFolderError(f"{folder}: cannot make the folder ({exc.strerror or exc})") from None
    seeds_by = "replication" if spec.common_random_numbers else "run_index"
    seeds = (
        plan.groupby("replication")["seed"].first().tolist() if spec.common_random_numbers else plan["seed"].tolist()
    )
    manifest = {
        "schema": store.MANIFEST_SCHEMA,
        "name": spec.name,
        "spec": spec.to_dict(),
        "spec_source": spec.source,
        "spec_hash": digest,
        "package_version": _package_version(),
        "python": platform.python_version(),
        "mesa": importlib.metadata.version("mesa"),
        "months": spec.run_months,
        "runs_total": len(plan),
        "points_total": int(plan["point"].max()) + 1 if len(plan) else 0,
        "parameters": list(spec.parameters),
        "measures": [m for m in measure_names(spec) if keep_measure(spec, m)],
        "seeds": {"by": seeds_by, "values": seeds},
        "started": _now(),
        "finished": None,
        "complete": False,
        "runs_done": 0,
        "runs_failed": 0,
        "runs_missing": len(plan),
        "failures": [],
        "sessions": [],
    }
    store.write_json(manifest, folder / store.MANIFEST)
    return manifest


def _close_manifest(
    folder: Path, manifest: dict[str, Any], session: _Session, parameters: list[str], total: int
) -> None:
    """Record the session and what the parts hold now (done, failed, missing) in the manifest."""
    runs = store.read_runs(folder)
    failures = []
    if len(runs) and ERROR_COLUMN in runs:
        failed = runs[runs[ERROR_COLUMN].notna()]
        for row in failed.to_dict("records"):
            failures.append(
                {
                    "run_index": int(row["run_index"]),
                    "seed": int(row["seed"]),
                    "parameters": {p: _plain(row[p]) for p in parameters},
                    "error": row[ERROR_COLUMN],
                    "traceback": row.get(TRACEBACK_COLUMN),
                }
            )
    manifest["sessions"] = [*manifest.get("sessions", []), session.as_dict()]
    manifest.update(
        runs_done=len(runs),
        runs_failed=len(failures),
        runs_missing=total - len(runs),
        failures=failures,
        complete=len(runs) == total,
        finished=_now() if len(runs) == total else None,
    )
    store.write_json(manifest, folder / store.MANIFEST)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
