"""A sweep's folder: results written as they finish, so nothing finished is ever lost.

::

    DIR/manifest.json             the spec, its hash, versions, the seeds, sessions (start, end,
                                  backend, workers, runs done), failures; rewritten atomically
    DIR/parts/runs-*.parquet      one file per finished batch: one row per run (run_index, point,
                                  replication, seed, the parameters, the measures, error)
    DIR/parts/timeseries-*.parquet  monthly model variables of the batch's runs (outputs.timeseries)
    DIR/results.parquet           the whole table, sorted by run_index, once the sweep is complete

Every file is written to a temporary name in the same folder and renamed into place, so a
reader (or a resumed sweep) sees whole parts or nothing. The parts are the record of what is
done: reading them, a run that appears twice (a batch that finished twice, e.g. after a worker
was thought lost) counts once, so a resumed sweep has no duplicate and no missing run.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "MANIFEST",
    "MANIFEST_SCHEMA",
    "PARTS",
    "RESULTS",
    "SweepFolderError",
    "read_manifest",
    "read_runs",
    "read_timeseries",
    "write_json",
    "write_part",
]

MANIFEST = "manifest.json"
PARTS = "parts"
RESULTS = "results.parquet"
MANIFEST_SCHEMA = "aicontagion.sweep/1"


class SweepFolderError(ValueError):
    """A sweep folder cannot be used as asked (not a sweep, another spec, not writable)."""


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write ``data`` as indented JSON to ``path`` atomically (temporary file, then rename)."""
    text = json.dumps(data, indent=2, sort_keys=False, default=str) + "\n"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the sweep in ``folder``; SweepFolderError if there is none or it is unreadable."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepFolderError(f"{folder}: not a sweep folder (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise SweepFolderError(f"{path}: cannot read the manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        raise SweepFolderError(f"{path}: not a manifest of schema {MANIFEST_SCHEMA}")
    return manifest


def write_part(folder: Path, rows: list[dict[str, Any]], timeseries: pd.DataFrame | None = None) -> None:
    """Write one finished batch: its rows (and the time series of its runs) as new part files."""
    parts = Path(folder) / PARTS
    parts.mkdir(parents=True, exist_ok=True)
    tag = f"{min(r['run_index'] for r in rows):08d}-{uuid.uuid4().hex[:8]}"
    if timeseries is not None and len(timeseries):  # first, so that a run listed as done has its series
        _write_parquet(timeseries, parts / f"timeseries-{tag}.parquet")
    _write_parquet(pd.DataFrame(rows), parts / f"runs-{tag}.parquet")


def _part_files(folder: Path, prefix: str) -> list[Path]:
    parts = Path(folder) / PARTS
    return sorted(parts.glob(f"{prefix}-*.parquet")) if parts.is_dir() else []


def read_runs(folder: Path) -> pd.DataFrame:
    """Every run recorded in ``folder``'s parts, each once, sorted by ``run_index`` (an empty
    frame if none). Columns as written (``simulator.sweep.runner`` puts them in table order).
    """
    frames = [pd.read_parquet(path) for path in _part_files(folder, "runs")]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    runs = pd.concat(frames, ignore_index=True)
    runs = runs.drop_duplicates("run_index", keep="first").sort_values("run_index", kind="stable")
    return runs.reset_index(drop=True)


def read_timeseries(folder: Path, run_indices: Iterable[int] | None = None) -> pd.DataFrame:
    """The monthly model variables of the runs recorded in ``folder`` (``run_index``, ``month``
    and the variables; money in US$ bn), each run once; empty if none were kept.
    """
    frames = [pd.read_parquet(path) for path in _part_files(folder, "timeseries")]
    if not frames:
        return pd.DataFrame()
    series = pd.concat(frames, ignore_index=True).drop_duplicates(["run_index", "month"], keep="first")
    if run_indices is not None:
        series = series[series["run_index"].isin(list(run_indices))]
    return series.sort_values(["run_index", "month"], kind="stable").reset_index(drop=True)


def write_results(folder: Path, table: pd.DataFrame) -> None:
    """Write the complete table as ``results.parquet`` (atomically)."""
    _write_parquet(table, Path(folder) / RESULTS)
