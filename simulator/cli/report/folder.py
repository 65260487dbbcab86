"""Reading a run's folder for the report: every file checked, every problem a :class:`ReportError`
that names the file (and the field or line) and what was expected.

A run folder is what ``aicontagion run --out DIR`` writes (:data:`simulator.cli.outputs.OUTPUT_FILES`).
The report needs ``summary.json`` (schema :data:`~simulator.cli.outputs.SUMMARY_SCHEMA`),
``events.jsonl`` and ``agents.csv``; it uses ``timeseries.csv``, ``graph.json``,
``timeseries.png`` and ``network.png`` when the run wrote them. A file that ``summary.json`` lists
in ``files`` must be there; a file it does not list was not written (a run interrupted by Ctrl-C,
``"complete": false``), and the report says so instead of showing it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from networks import INSTITUTION_KINDS, STATUSES
from simulator.cli.outputs import OUTPUT_FILES, SUMMARY_SCHEMA
from simulator.events import Event
from simulator.records import LOSS_MEASURES

__all__ = ["ReportError", "RunFolder", "Summary", "read_run_folder"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NEEDED = ("summary.json", "events.jsonl", "agents.csv")
AGENT_COLUMNS_NEEDED = ("month", "institution", "name", "kind", "equity_bn", "status")
RERUN = "re-run the scenario with 'aicontagion run SCENARIO --seed S --out DIR'"


class ReportError(ValueError):
    """The folder cannot be turned into a report; the message names the path and what is expected."""


# ----------------------------------------------------------------------------- summary.json


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


class LossMeasure(_Strict):
    total: float | None
    by_sector: dict[str, float | None]


class Losses(_Strict):
    """The four measures of :data:`simulator.records.LOSS_MEASURES` (None: no counterfactual)."""

    realised_losses_bn: LossMeasure
    unrealised_losses_bn: LossMeasure
    equity_shortfall_bn: LossMeasure | None
    market_value_shortfall_bn: LossMeasure | None


assert tuple(Losses.model_fields) == LOSS_MEASURES


class EquityFigures(_Strict):
    start: float | None
    end: float | None
    counterfactual_end: float | None


class FirstEvent(_Strict):
    month: int = Field(ge=0)
    actor: str | None = None
    counterparty: str | None = None
    message: str  # the sentence in English
    template: str = ""  # the sentence's ``events`` message and its values (simulator.events.event_sentence)
    params: dict[str, Any] = Field(default_factory=dict)


class GpuPrice(_Strict):
    start_k_usd: float | None
    min_k_usd: float | None
    min_month: int = Field(ge=0)
    end_k_usd: float | None
    peak_fall_pct: float | None
    counterfactual_end_k_usd: float | None = None
    largest_gap_pct: float | None = None
    largest_gap_month: int | None = None


class Sentiment(_Strict):
    start: float | None
    end: float | None


class SetupShock(_Strict):
    month: int
    kind: str
    target: str | None = None
    size: float
    meaning: str = ""


class Setup(_Strict):
    description: str = ""
    settings: list[str] = []
    shocks: list[SetupShock] = []
    levers: dict[str, Any] = {}
    channels: dict[str, bool] = {}


class Summary(_Strict):
    """The part of ``summary.json`` the report reads (see :func:`simulator.cli.outputs.summarise`)."""

    schema_: Literal["aicontagion.summary/2"] = Field(alias="schema")
    scenario: str
    months: int = Field(ge=0)
    counterfactual: str | None
    institutions_by_kind: dict[str, int]
    defaults_by_kind: dict[str, int]
    defaults_total: int = Field(ge=0)
    losses_bn: Losses
    system_equity_bn: EquityFigures
    first_breach: FirstEvent | None
    first_default: FirstEvent | None
    gpu_prices: dict[str, GpuPrice]
    sentiment: Sentiment
    central_bank_lending_bn_peak: float | None
    events_by_kind: dict[str, int]
    events_total: int = Field(ge=0)
    complete: bool
    files: list[str]
    seed: int | None = None
    months_requested: int | None = None
    note: str | None = None
    setup: Setup | None = None


_EXPECTED = {
    "float_type": "a number",
    "int_type": "a whole number",
    "string_type": "text",
    "bool_type": "true or false",
    "dict_type": "an object",
    "list_type": "a list",
    "model_type": "an object",
    "missing": "required",
}


def _summary_problem(path: Path, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors()[:8]:
        where = ".".join(str(part) for part in err["loc"] if not str(part).startswith(("function-", "nullable")))
        where = where.replace("schema_", "schema")
        if err["type"] == "missing":
            lines.append(f"{where}: missing (required)")
            continue
        shown = repr(err.get("input"))[:60]
        if err["type"] in _EXPECTED:
            lines.append(f"{where}: expected {_EXPECTED[err['type']]}, got {shown}")
        else:  # a range or a fixed value: pydantic's own words ("Input should be ...")
            lines.append(f"{where}: {err['msg'].replace('Input should be', 'must be')}, got {shown}")
    more = f" (and {len(exc.errors()) - 8} more)" if len(exc.errors()) > 8 else ""
    return f"{path}: not a valid run summary{more}:\n  " + "\n  ".join(lines) + f"\n{RERUN} to write it anew"


def read_summary(path: Path) -> Summary:
    """``summary.json`` checked against :class:`Summary`; ReportError naming the field otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); {RERUN}") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); "
            f"summary.json is written by 'aicontagion run' -- {RERUN}"
        ) from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object (a run summary), got {type(data).__name__}; {RERUN}")
    schema = data.get("schema")
    if schema != SUMMARY_SCHEMA:
        raise ReportError(f"{path}: {_schema_problem(schema)}")
    try:
        return Summary.model_validate(data)
    except ValidationError as exc:
        raise ReportError(_summary_problem(path, exc)) from None


def _schema_problem(schema: object) -> str:
    if schema is None:
        return (
            f"written by an older aicontagion (no 'schema' key: before {SUMMARY_SCHEMA}, when one "
            f"'losses_bn_total' mixed realised and unrealised losses); this report reads {SUMMARY_SCHEMA} -- {RERUN}"
        )
    found = re.fullmatch(r"aicontagion\.summary/(\d+)", str(schema))
    ours = int(SUMMARY_SCHEMA.rsplit("/", 1)[1])
    if found and int(found.group(1)) < ours:
        return f"written by an older aicontagion (schema {schema!r}); this report reads {SUMMARY_SCHEMA!r} -- {RERUN}"
    if found:
        return f"written by a newer aicontagion (schema {schema!r}); this report reads {SUMMARY_SCHEMA!r}: update aicontagion"
    return f"'schema' is {schema!r}, not an aicontagion run summary (expected {SUMMARY_SCHEMA!r})"


# ----------------------------------------------------------------------------- events.jsonl


_EVENT_FIELDS = {"month": int, "phase": str, "kind": str, "actor": str, "message": str}


def read_events(path: Path, months: int) -> list[Event]:
    """``events.jsonl``, oldest first; ReportError naming the line for a broken one."""
    events = []
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                events.append(_event(path, number, line, months))
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path}: not UTF-8 text ({exc.reason}); {RERUN}") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return events


def _event(path: Path, number: int, line: str, months: int) -> Event:
    where = f"{path}, line {number}"
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{where}: not valid JSON ({exc.msg}); each line must be one event object; {RERUN}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{where}: expected an event object, got {type(data).__name__}")
    for name, kind in _EVENT_FIELDS.items():
        value = data.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            expected = "a whole number" if kind is int else "text"
            raise ReportError(f"{where}: '{name}' must be {expected}, got {value!r}")
    amount = data.get("amount_bn")
    if not isinstance(amount, (int, float)) or isinstance(amount, bool) or not math.isfinite(amount):
        raise ReportError(f"{where}: 'amount_bn' must be a number (US$ bn), got {amount!r}")
    counterparty = data.get("counterparty")
    if counterparty is not None and not isinstance(counterparty, str):
        raise ReportError(f"{where}: 'counterparty' must be text or null, got {counterparty!r}")
    template, params = data.get("template", ""), data.get("params", {})  # (absent in runs saved before 2026-11)
    if not isinstance(template, str) or not isinstance(params, dict):
        raise ReportError(f"{where}: 'template' must be text and 'params' an object, got {template!r}, {params!r}")
    if not 0 <= data["month"] <= months:
        raise ReportError(
            f"{where}: month {data['month']} is outside the run's months 0 to {months} (summary.json); "
            "the files come from different runs"
        )
    return Event(data["month"], data["phase"], data["kind"], data["actor"], counterparty, float(amount),
                 data["message"], template, params)  # fmt: skip


# ----------------------------------------------------------------------------- tables


def read_agents(path: Path, months: int) -> pd.DataFrame:
    """``agents.csv`` with the columns the replay needs; ReportError naming what is wrong."""
    df = _read_csv(path)
    missing = [c for c in AGENT_COLUMNS_NEEDED if c not in df.columns]
    if missing:
        raise ReportError(
            f"{path}: missing column(s) {', '.join(missing)}; expected the agent table of a run "
            f"({', '.join(AGENT_COLUMNS_NEEDED)}, ...)"
        )
    if df.empty:
        raise ReportError(f"{path}: no rows; expected one row per institution per month")
    for column in ("month", "institution"):
        if not pd.api.types.is_integer_dtype(df[column]):
            raise ReportError(f"{path}: column '{column}' must hold whole numbers")
    if not pd.api.types.is_numeric_dtype(df["equity_bn"]):
        raise ReportError(f"{path}: column 'equity_bn' must hold numbers (US$ bn)")
    unknown = sorted(set(df["status"].astype(str)) - set(STATUSES))
    if unknown:
        raise ReportError(f"{path}: unknown status {unknown[0]!r} in column 'status'; allowed: {', '.join(STATUSES)}")
    kinds = sorted(set(df["kind"].astype(str)) - set(INSTITUTION_KINDS))
    if kinds:
        raise ReportError(f"{path}: unknown institution kind {kinds[0]!r}; allowed: {', '.join(INSTITUTION_KINDS)}")
    seen = sorted(set(df["month"].tolist()))
    if seen != list(range(months + 1)):
        raise ReportError(
            f"{path}: holds months {_span(seen)}, but summary.json says the run covers months 0 to {months}; "
            "the files come from different runs"
        )
    first = df[df["month"] == 0]
    if first["institution"].duplicated().any() or (df.groupby("month").size() != len(first)).any():
        raise ReportError(f"{path}: expected each institution once in every month")
    return df


def read_timeseries(path: Path, months: int) -> pd.DataFrame:
    """``timeseries.csv`` (one row per month); ReportError if it does not match the summary."""
    df = _read_csv(path)
    if "month" not in df.columns or df["month"].tolist() != list(range(months + 1)):
        raise ReportError(f"{path}: expected a 'month' column with months 0 to {months}, one row each (summary.json)")
    return df


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReportError(f"{path}: not a readable CSV table ({reason}); {RERUN}") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it ({exc.strerror or exc})") from None


def _span(values: list[int]) -> str:
    if not values:
        return "none"
    return f"{values[0]} to {values[-1]}" + ("" if values == list(range(values[0], values[-1] + 1)) else " with gaps")


# ----------------------------------------------------------------------------- graph and figures


def read_graph(path: Path) -> dict:
    """``graph.json`` (networkx node-link): nodes with ``name`` and edges with ``source``,
    ``target``, ``kind`` and ``amount_bn``.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: not valid JSON ({exc}); expected the deal graph of a run; {RERUN}") from None
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    ok = isinstance(data, dict) and isinstance(data.get("nodes"), list) and isinstance(data.get("edges"), list)
    if ok:
        ok = all(isinstance(n, dict) and "id" in n and isinstance(n.get("name"), str) for n in data["nodes"])
        ok = ok and all(
            isinstance(e, dict)
            and {"source", "target"} <= set(e)
            and isinstance(e.get("kind"), str)
            and isinstance(e.get("amount_bn"), (int, float))
            for e in data["edges"]
        )
    if not ok:
        raise ReportError(
            f"{path}: expected a deal graph in node-link form ('nodes' with 'id' and 'name', 'edges' with "
            f"'source', 'target', 'kind' and 'amount_bn'); {RERUN}"
        )
    return data


def read_png(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReportError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not data.startswith(PNG_SIGNATURE):
        raise ReportError(f"{path}: not a PNG image; {RERUN}")
    return data


# ----------------------------------------------------------------------------- the folder


@dataclass
class RunFolder:
    """Everything the report shows, read and checked. Optional parts are None when the run did not
    write them (``summary.files``), with the reason in :attr:`not_written`.
    """

    path: Path
    summary: Summary
    events: list[Event]
    agents: pd.DataFrame
    timeseries: pd.DataFrame | None
    graph: dict | None
    timeseries_png: bytes | None
    network_png: bytes | None
    not_written: list[str] = field(default_factory=list)


def read_run_folder(folder: str | Path) -> RunFolder:
    """Read and check a run's folder; ReportError (naming the path and what is expected) if it is
    missing, not a run's folder, or a file in it is broken.
    """
    path = Path(folder)
    if not path.exists():
        raise ReportError(f"{str(path)!r} does not exist; give the folder of a run (aicontagion run --out DIR)")
    if not path.is_dir():
        raise ReportError(
            f"{str(path)!r} is a file, not a folder; give the folder of a run (aicontagion run --out DIR)"
        )
    summary_path = path / OUTPUT_FILES["summary_json"]
    if not summary_path.is_file():
        holds = sorted(p.name for p in path.iterdir())[:5]
        raise ReportError(
            f"{str(path)!r} is not a run's folder: it has no summary.json (it holds "
            f"{', '.join(holds) if holds else 'nothing'}); give a folder written by 'aicontagion run --out DIR', "
            f"which holds {', '.join(OUTPUT_FILES.values())}"
        )
    summary = read_summary(summary_path)
    listed = set(summary.files)
    gone = [name for name in summary.files if not (path / name).is_file()]
    if gone:
        raise ReportError(
            f"{str(path)!r}: summary.json lists {', '.join(gone)}, but the folder does not hold "
            f"{'it' if len(gone) == 1 else 'them'}; {RERUN}"
        )
    for name in NEEDED:
        if name not in listed:
            raise ReportError(
                f"{str(path)!r}: the run did not write {name} (it was interrupted before that: summary.json says "
                f'"complete": {str(summary.complete).lower()}); a report needs {", ".join(NEEDED)} -- {RERUN}'
            )
    months = summary.months
    events = read_events(path / "events.jsonl", months)
    agents = read_agents(path / "agents.csv", months)
    not_written = [name for name in OUTPUT_FILES.values() if name not in listed]
    return RunFolder(
        path=path,
        summary=summary,
        events=events,
        agents=agents,
        timeseries=read_timeseries(path / "timeseries.csv", months) if "timeseries.csv" in listed else None,
        graph=read_graph(path / "graph.json") if "graph.json" in listed else None,
        timeseries_png=read_png(path / "timeseries.png") if "timeseries.png" in listed else None,
        network_png=read_png(path / "network.png") if "network.png" in listed else None,
        not_written=not_written,
    )
