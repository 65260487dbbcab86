"""Writers for the outputs of a run, and the summary figures ``aicontagion run`` prints.

Every writer writes atomically (to a temporary file in the same folder, then renames it), so a
reader -- or a run stopped halfway -- never sees half a file. Only the model's public API is read
here (data collector, event log, deal graph, ``first_breach``, ``config``); no model logic.

A model stopped in the middle of a month (Ctrl-C) has collected data only for the months it
finished; :func:`summarise` and :func:`write_run` then describe those months only (events of
the unfinished month are left out, and the deal graph, which would show a half-finished
month, is not written).

Files written by :func:`write_run` (money in US$ bn, time in months):

=====================  ====================================================================
``timeseries.csv``     model variables, one row per month (0 = opening balance sheet)
``timeseries.parquet`` the same, typed
``agents.csv``         agent variables, one row per institution per month
``agents.parquet``     the same, typed
``events.jsonl``       the event log, one JSON object per line, oldest first
``graph.graphml``      the final deal graph (GraphML)
``graph.json``         the same as networkx node-link JSON
``summary.json``       the summary figures of :func:`summarise`
``timeseries.png``     the time-series panel (:func:`simulator.cli.plots.timeseries_panel`)
``network.png``        the final deal graph coloured by status (:func:`simulator.cli.plots.network_figure`)
=====================  ====================================================================
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from simulator.cli import plots
from simulator.events import Event, most_important

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

__all__ = [
    "OUTPUT_FILES",
    "agent_timeseries",
    "atomic_file",
    "finished_events",
    "finished_month",
    "model_timeseries",
    "summarise",
    "write_agents_csv",
    "write_agents_parquet",
    "write_events_jsonl",
    "write_graph_graphml",
    "write_graph_json",
    "write_network_png",
    "write_run",
    "write_summary_json",
    "write_timeseries_csv",
    "write_timeseries_parquet",
    "write_timeseries_png",
]

#: Output name -> file name, in the order :func:`write_run` writes them.
OUTPUT_FILES: dict[str, str] = {
    "timeseries_csv": "timeseries.csv",
    "timeseries_parquet": "timeseries.parquet",
    "agents_csv": "agents.csv",
    "agents_parquet": "agents.parquet",
    "events_jsonl": "events.jsonl",
    "summary_json": "summary.json",
    "timeseries_png": "timeseries.png",
    "graph_graphml": "graph.graphml",
    "graph_json": "graph.json",
    "network_png": "network.png",
}
_GRAPH_OUTPUTS = ("graph_graphml", "graph_json", "network_png")

_NEGLIGIBLE_BN = 1e-9  # |amount| below this (US$ bn) is floating-point noise and reported as 0
TOP_EVENTS = 10


# ----------------------------------------------------------------------------- reading the run


def model_timeseries(model: ContagionModel) -> pd.DataFrame:
    """Model variables, one row per finished month (0 = opening balance sheet), index reset."""
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    if "month" in df:
        df["month"] = df["month"].astype(int)
    return df


def agent_timeseries(model: ContagionModel) -> pd.DataFrame:
    """Agent variables, one row per institution per finished month.

    Columns ``month`` and ``institution`` (the node id in the deal graph) come first, then
    the agent reporters (name, kind, equity_bn, cash_bn, leverage, ltv, dscr, status).
    Missing values (e.g. the LTV of an institution with no GPU-backed loan) are empty.
    """
    df = model.datacollector.get_agent_vars_dataframe().reset_index()
    df = df.rename(columns={"Step": "month"}).drop(columns=["AgentID"], errors="ignore")
    df["month"] = df["month"].astype(int)
    df.insert(1, "institution", df["name"].map(model.index_of).astype(int))
    return df


def finished_month(model: ContagionModel) -> int:
    """The last month whose data were collected (``model.month`` unless stopped mid-month)."""
    return len(model.datacollector.get_model_vars_dataframe()) - 1


def finished_events(model: ContagionModel) -> list[Event]:
    """The event log up to the last finished month, oldest first."""
    last = finished_month(model)
    return [e for e in model.events if e.month <= last]


def _clean(x: Any) -> float | None:
    """A float for JSON: None for NaN/inf, 0 for floating-point noise, else rounded to 1e-6."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return 0.0 if abs(x) < _NEGLIGIBLE_BN else round(x, 6)


def _jsonable(obj: Any) -> Any:
    """Recursively replace NaN/inf by None and numpy scalars by Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if hasattr(obj, "item"):  # numpy scalar
        obj = obj.item()
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


SUMMARY_SCHEMA = "aicontagion.summary/2"
"""The ``schema`` of ``summary.json`` (bumped when a key changes meaning)."""


def summarise(model: ContagionModel, top: int = TOP_EVENTS) -> dict:
    """The summary figures of a run (only finished months), as JSON-ready Python values: the
    one documented schema of ``summary.json`` (``SUMMARY_SCHEMA``; money in US$ bn, GPU
    prices in US$ thousand per GPU, time in months).

    Keys
    ----
    ``schema``, ``scenario``, ``months`` (finished), ``counterfactual`` (the name of the run it
    is measured against, or None for the baseline), ``institutions_by_kind``,
    ``defaults_by_kind`` (institutions in default at the end, by kind), ``defaults_total``;
    ``losses_bn``: for each of the four measures of ``simulator.records.LOSS_MEASURES``
    (``realised_losses_bn``, ``unrealised_losses_bn``, ``equity_shortfall_bn``,
    ``market_value_shortfall_bn``) ``{"total": x, "by_sector": {sector: x}}`` at the last
    month, or None for the two shortfalls without a counterfactual;
    ``system_equity_bn`` (``start``, ``end``, ``counterfactual_end``: book equity);
    ``first_breach`` and ``first_default``: the first covenant breach and the first default that
    the counterfactual does not have (``{"month", "actor", "counterparty", "message"}``, or None);
    ``gpu_prices``: per generation ``start_k_usd``, ``min_k_usd``, ``min_month``, ``end_k_usd``,
    ``peak_fall_pct`` (month 0 to the minimum, %), and against the counterfactual
    ``counterfactual_end_k_usd`` and ``largest_gap_pct`` / ``largest_gap_month`` (how far below
    the counterfactual's price it was at worst, %; None without one);
    ``sentiment`` (``start``, ``end``), ``central_bank_lending_bn_peak``, ``events_by_kind``
    (counts), ``events_total``, ``top_events`` (the ``top`` most important by economic size,
    :func:`simulator.events.most_important`, as dicts).
    """
    from simulator.records import LOSS_MEASURES  # (engine import, kept out of the CLI's start-up)
    from simulator.views import first_new_event

    df = model_timeseries(model)
    first, last = df.iloc[0], df.iloc[-1]
    months = int(last.get("month", len(df) - 1))
    events = finished_events(model)
    cf = model.counterfactual

    defaults = {c[len("defaults_"):]: int(last[c]) for c in df.columns
                if c.startswith("defaults_") and c != "defaults_total"}  # fmt: skip
    losses: dict[str, dict | None] = {}
    for measure in LOSS_MEASURES:
        total = last.get(f"{measure}_total")
        if total is None or (isinstance(total, float) and math.isnan(total)):
            losses[measure] = None
            continue
        prefix = f"{measure}_"
        by_sector = {c[len(prefix):]: _clean(last[c]) for c in df.columns
                     if c.startswith(prefix) and c != f"{measure}_total"}  # fmt: skip
        losses[measure] = {"total": _clean(total), "by_sector": by_sector}

    cf_prices = None
    if cf is not None:
        cf.at(months)
        cf_prices = np.array([cf.at(m).gpu_price_bn for m in range(months + 1)]) * 1e3
    gpu_prices = {}
    generation = 0
    for col in df.columns:
        if col.startswith("gpu_price_") and col.endswith("_k_usd"):
            gen = col[len("gpu_price_") : -len("_k_usd")]
            series = df[col].astype(float)
            start, low = float(series.iloc[0]), float(series.min())
            entry = {
                "start_k_usd": _clean(start),
                "min_k_usd": _clean(low),
                "min_month": int(df["month"].iloc[int(series.to_numpy().argmin())]),
                "end_k_usd": _clean(series.iloc[-1]),
                "peak_fall_pct": _clean(100.0 * (start - low) / start) if start > 0 else None,
                "counterfactual_end_k_usd": None,
                "largest_gap_pct": None,
                "largest_gap_month": None,
            }
            if cf_prices is not None:
                theirs = cf_prices[: len(series), generation]
                with np.errstate(divide="ignore", invalid="ignore"):
                    gap = np.where(theirs > 0, 100.0 * (theirs - series.to_numpy()) / theirs, 0.0)
                worst = int(np.argmax(gap))
                entry.update(
                    counterfactual_end_k_usd=_clean(theirs[-1]),
                    largest_gap_pct=_clean(max(float(gap[worst]), 0.0)),
                    largest_gap_month=int(df["month"].iloc[worst]) if gap[worst] > 0 else None,
                )
            gpu_prices[gen] = entry
            generation += 1

    def first_new(kind: str) -> dict | None:
        event = first_new_event(model, kind)
        if event is None or event.month > months:
            return None
        return {"month": int(event.month), "actor": event.actor, "counterparty": event.counterparty,
                "message": event.message}  # fmt: skip

    kinds = Counter(e.kind for e in events)
    summary = {
        "schema": SUMMARY_SCHEMA,
        "scenario": model.config.name,
        "months": months,
        "counterfactual": None if cf is None else cf.name,
        "institutions_by_kind": dict(Counter(str(a.kind) for a in model.institutions)),
        "defaults_by_kind": defaults,
        "defaults_total": int(last.get("defaults_total", sum(defaults.values()))),
        "losses_bn": losses,
        "system_equity_bn": {
            "start": _clean(first.get("system_equity_bn")),
            "end": _clean(last.get("system_equity_bn")),
            "counterfactual_end": None if cf is None else _clean(float(cf.at(months).equity_bn.sum())),
        },
        "first_breach": first_new("covenant_breach"),
        "first_default": first_new("default"),
        "gpu_prices": gpu_prices,
        "sentiment": {"start": _clean(first.get("sentiment")), "end": _clean(last.get("sentiment"))},
        "central_bank_lending_bn_peak": _clean(df["central_bank_lending_bn"].max())
        if "central_bank_lending_bn" in df
        else None,
        "events_by_kind": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        "events_total": len(events),
        "top_events": [_jsonable(e.to_dict()) for e in most_important(events, top=top)],
    }
    return _jsonable(summary)


# ----------------------------------------------------------------------------- atomic writing


@contextmanager
def atomic_file(path: str | Path, mode: str = "w") -> Iterator[Any]:
    r"""Open a temporary file next to ``path``; on success rename it to ``path``, else delete it.

    Readers never see a half-written file, and an interrupted write leaves the old file (if
    any) in place. Text mode writes UTF-8 with ``\\n`` line ends. The file gets the usual
    permissions (0666 minus the umask), not the private 0600 of a temporary file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
        with os.fdopen(fd, mode, **text) as handle:  # type: ignore[call-overload]
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# ----------------------------------------------------------------------------- one writer per file


def write_timeseries_csv(df: pd.DataFrame, path: Path) -> Path:
    """Model variables as CSV, one row per month."""
    with atomic_file(Path(path)) as handle:
        df.to_csv(handle, index=False, lineterminator="\n")
    return Path(path)


def write_timeseries_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Model variables as Parquet."""
    with atomic_file(Path(path), "wb") as handle:
        df.to_parquet(handle, index=False)
    return Path(path)


def write_agents_csv(df: pd.DataFrame, path: Path) -> Path:
    """Agent variables as CSV, one row per institution per month."""
    return write_timeseries_csv(df, path)


def write_agents_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Agent variables as Parquet."""
    return write_timeseries_parquet(df, path)


def write_events_jsonl(events: list[Event], path: Path) -> Path:
    """The event log, one JSON object per line (month, phase, kind, actor, counterparty,
    amount_bn, message), oldest first.
    """
    with atomic_file(Path(path)) as handle:
        for event in events:
            handle.write(json.dumps(_jsonable(event.to_dict()), ensure_ascii=False, allow_nan=False))
            handle.write("\n")
    return Path(path)


def write_graph_graphml(G: nx.MultiDiGraph, path: Path) -> Path:
    """The deal graph as GraphML (attributes with None values are left out)."""
    H = nx.MultiDiGraph()
    H.add_nodes_from((n, {k: v for k, v in d.items() if v is not None}) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, key, {k: x for k, x in d.items() if x is not None})
                     for u, v, key, d in G.edges(keys=True, data=True))  # fmt: skip
    with atomic_file(Path(path), "wb") as handle:
        nx.write_graphml(H, handle)
    return Path(path)


def write_graph_json(G: nx.MultiDiGraph, path: Path) -> Path:
    """The deal graph as networkx node-link JSON (``nodes`` and ``edges``; read it back with
    ``networkx.node_link_graph(data, edges="edges")``).
    """
    data = nx.node_link_data(G, edges="edges")
    with atomic_file(Path(path)) as handle:
        json.dump(_jsonable(data), handle, indent=1, ensure_ascii=False, allow_nan=False)
        handle.write("\n")
    return Path(path)


def write_summary_json(summary: dict, path: Path) -> Path:
    """The summary figures (:func:`summarise`, plus anything the caller added) as JSON."""
    with atomic_file(Path(path)) as handle:
        json.dump(_jsonable(summary), handle, indent=2, ensure_ascii=False, allow_nan=False)
        handle.write("\n")
    return Path(path)


def write_timeseries_png(df: pd.DataFrame, path: Path, title: str | None = None) -> Path:
    """The time-series panel as PNG."""
    return plots.save_figure(plots.timeseries_panel(df, title=title), path)


def write_network_png(G: nx.MultiDiGraph, path: Path, title: str | None = None) -> Path:
    """The deal graph coloured by status as PNG."""
    return plots.save_figure(plots.network_figure(G, title=title), path)


def write_run(model: ContagionModel, out_dir: str | Path, summary: dict) -> dict[str, Path]:
    """Write every output of a run into ``out_dir`` (created); return output name -> path.

    Files are written in the order of :data:`OUTPUT_FILES`, cheapest and most valuable first
    (time series, agents, events, summary), so an interruption while writing loses as little
    as possible. If the model stopped in the middle of a month, the graph outputs are skipped.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = {name: out / file for name, file in OUTPUT_FILES.items()}
    months = finished_month(model)
    title = f"{model.config.name}: {months} months"
    if "seed" in summary:
        title += f", seed {summary['seed']}"

    timeseries = model_timeseries(model)
    agents = agent_timeseries(model)
    written = {
        "timeseries_csv": write_timeseries_csv(timeseries, path["timeseries_csv"]),
        "timeseries_parquet": write_timeseries_parquet(timeseries, path["timeseries_parquet"]),
        "agents_csv": write_agents_csv(agents, path["agents_csv"]),
        "agents_parquet": write_agents_parquet(agents, path["agents_parquet"]),
        "events_jsonl": write_events_jsonl(finished_events(model), path["events_jsonl"]),
        "summary_json": write_summary_json(summary, path["summary_json"]),
        "timeseries_png": write_timeseries_png(timeseries, path["timeseries_png"], title=title),
    }
    if model.month == months:  # the state is the end of a finished month
        G = model.deal_graph()
        written["graph_graphml"] = write_graph_graphml(G, path["graph_graphml"])
        written["graph_json"] = write_graph_json(G, path["graph_json"])
        written["network_png"] = write_network_png(
            G, path["network_png"], title=f"Deal network at month {months} ({model.config.name})"
        )
    else:  # stale graph files from an earlier run in this folder would not match this run
        for name in _GRAPH_OUTPUTS:
            path[name].unlink(missing_ok=True)
    return written
