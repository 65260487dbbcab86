"""Writers for the outputs of a run, and the summary figures ``aicontagion run`` prints.

Every writer writes atomically (to a temporary file in the same folder, then renames it), so a
reader -- or a run stopped halfway -- never sees half a file. Only the model's public API is read
here (data collector, event log, deal graph, ``first_breach``, ``config``); no model logic.

A run's folder is written whole, too (``aicontagion run --out DIR``): :func:`staging_folder`
makes a fresh hidden folder beside DIR (same parent, so the same file system), the files go
there with ``summary.json`` last, and :func:`publish_run` moves the folder into place, replacing
a previous run at DIR (renamed aside, then deleted). So DIR holds one run or another, never
files of two. What may be replaced is decided by :func:`check_out_folder`: nothing yet, an empty
folder or a folder that :func:`looks_like_run` (its files, and a ``report.html`` made from it by
``aicontagion report``); a file, the current folder, or a folder holding anything else
(``notes.txt``, a subfolder) is refused with :class:`OutFolderError`.

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
``timeseries.png``     the time-series panel (:func:`simulator.cli.plots.timeseries_panel`)
``graph.graphml``      the final deal graph (GraphML)
``graph.json``         the same as networkx node-link JSON
``network.png``        the final deal graph coloured by status (:func:`simulator.cli.plots.network_figure`)
``summary.json``       the summary figures of :func:`summarise`, written last, with ``complete``
                       (true if every month asked for ran and every file was written) and
                       ``files`` (the files in the folder)
=====================  ====================================================================
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd

from simulator.cli import plots
from simulator.events import Event, most_important
from simulator.i18n import gettext_for
from simulator.records import LOSS_MEASURES
from simulator.views import first_new_event

if TYPE_CHECKING:  # pragma: no cover
    from simulator.config import Scenario
    from simulator.model import ContagionModel

__all__ = [
    "DERIVED_FILES",
    "OUTPUT_FILES",
    "OutFolderError",
    "agent_timeseries",
    "atomic_file",
    "check_out_folder",
    "discard_folder",
    "finish_summary",
    "finished_events",
    "finished_month",
    "looks_like_run",
    "model_timeseries",
    "output_steps",
    "publish_run",
    "remove_partial_files",
    "run_setup",
    "staging_folder",
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

#: Output name -> file name, in the order :func:`write_run` writes them: the cheapest and most
#: valuable first, ``summary.json`` last (it says whether the folder is complete).
OUTPUT_FILES: dict[str, str] = {
    "timeseries_csv": "timeseries.csv",
    "timeseries_parquet": "timeseries.parquet",
    "agents_csv": "agents.csv",
    "agents_parquet": "agents.parquet",
    "events_jsonl": "events.jsonl",
    "timeseries_png": "timeseries.png",
    "graph_graphml": "graph.graphml",
    "graph_json": "graph.json",
    "network_png": "network.png",
    "summary_json": "summary.json",
}
_GRAPH_OUTPUTS = ("graph_graphml", "graph_json", "network_png")
#: Files made from a run's folder afterwards (``aicontagion report``): they belong to the run, so
#: a later run may replace a folder holding them (and does, as a whole).
DERIVED_FILES = frozenset({"report.html"})

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
    ``sentiment`` (``start``, ``end``), ``central_bank_lending_bn_peak``; ``central_bank`` (None
    without a central bank): ``enabled``, ``lent_bn`` (in all), ``lending_peak_bn``,
    ``lending_end_bn``, ``bought_bn`` (paid for GPUs and ABS at its floors, in all),
    ``holdings_end_bn`` (GPUs and ABS at cost and at market, other collateral seized at market),
    ``balance_sheet_peak_bn`` / ``_end_bn`` (assets at market), ``realised_losses_bn``,
    ``unrealised_losses_bn`` (against what it paid) and ``losses_bn`` (their sum) at the last
    month; ``events_by_kind``
    (counts), ``events_total``, ``top_events`` (the ``top`` most important by economic size,
    :func:`simulator.events.most_important`, as dicts).
    """
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
                "message": event.message, "template": event.template,
                "params": _jsonable(dict(event.params))}  # fmt: skip

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
        "central_bank": _central_bank_block(model, df),
        "events_by_kind": dict(sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))),
        "events_total": len(events),
        "top_events": [_jsonable(e.to_dict()) for e in most_important(events, top=top)],
    }
    return _jsonable(summary)


def run_setup(config: Scenario, settings: list[str] | tuple[str, ...] = ()) -> dict:
    """What a run was asked to simulate, for the ``setup`` key of ``summary.json`` (written by
    ``aicontagion run``; read by ``aicontagion report``).

    Keys: ``description`` (the scenario's), ``settings`` (the ``--set KEY=VALUE`` texts as typed,
    already applied to ``config``), ``shocks`` (``month``, ``kind``, ``target``, ``size`` and
    ``meaning``, from :data:`simulator.config.SHOCK_KINDS`), ``levers`` (the main levers' values
    in the run: GPU depreciation per year by generation, rental deflation and AI revenue growth
    per year, GPU market depth in US$ bn, the distinct LTV covenants of GPU-backed loans, the base
    rate per year, whether the central-bank backstop is on) and ``channels`` (each switch of
    :class:`simulator.config.Channels`, on or off).
    """
    from simulator.config import SHOCK_KINDS, Channels

    gpu = config.markets.gpu
    return _jsonable(
        {
            "description": " ".join(config.description.split()),
            "settings": list(settings),
            "shocks": [
                {
                    "month": s.month,
                    "kind": str(s.kind),
                    "target": s.target,
                    "size": s.size,
                    "meaning": SHOCK_KINDS[s.kind][3],
                }
                for s in config.shocks
            ],
            "levers": {
                "gpu_depreciation_per_year": {g.name: g.depreciation_per_year for g in gpu.generations},
                "rental_deflation_per_year": gpu.rental_deflation_per_year,
                "ai_revenue_growth_per_year": config.markets.demand.ai_revenue_growth_per_year,
                "gpu_market_depth_bn": gpu.market_depth_bn,
                "ltv_covenants": sorted({d.ltv_covenant for d in config.debts.values() if d.ltv_covenant is not None}),
                "base_rate_per_year": config.markets.rates.base_rate_per_year,
                "central_bank_enabled": bool(config.central_bank.enabled),
            },
            "channels": {name: bool(getattr(config.channels, name)) for name in Channels.model_fields},
        }
    )


def _central_bank_block(model: ContagionModel, df: pd.DataFrame) -> dict | None:
    """What the central bank did and what it cost (US$ bn; None without a central bank): see
    ``summarise``.
    """
    if "central_bank" not in {str(a.kind) for a in model.institutions} or "central_bank_lent_bn" not in df:
        return None
    last = df.iloc[-1]

    def at_end(column: str) -> float | None:
        return _clean(float(last[column]))

    return {
        "enabled": bool(model.config.central_bank.enabled),
        "lent_bn": at_end("central_bank_lent_bn"),
        "lending_peak_bn": _clean(float(df["central_bank_lending_bn"].max())),
        "lending_end_bn": at_end("central_bank_lending_bn"),
        "bought_bn": at_end("central_bank_bought_bn"),
        "holdings_end_bn": {
            "gpus_at_cost": at_end("central_bank_gpus_cost_bn"),
            "gpus_at_market": at_end("central_bank_gpus_market_bn"),
            "abs_at_cost": at_end("central_bank_abs_cost_bn"),
            "abs_at_market": at_end("central_bank_abs_market_bn"),
            "other_collateral_seized_at_market": at_end("central_bank_other_assets_bn"),
        },
        "balance_sheet_peak_bn": _clean(float(df["central_bank_balance_sheet_bn"].max())),
        "balance_sheet_end_bn": at_end("central_bank_balance_sheet_bn"),
        "realised_losses_bn": at_end("central_bank_realised_losses_bn"),
        "unrealised_losses_bn": at_end("central_bank_unrealised_losses_bn"),
        "losses_bn": _clean(float(last["central_bank_realised_losses_bn"] + last["central_bank_unrealised_losses_bn"])),
    }


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


def write_timeseries_png(df: pd.DataFrame, path: Path, title: str | None = None, lang: str = "en") -> Path:
    """The time-series panel as PNG, its words in ``lang``."""
    return plots.save_figure(plots.timeseries_panel(df, title=title, lang=lang), path)


def write_network_png(G: nx.MultiDiGraph, path: Path, title: str | None = None, lang: str = "en") -> Path:
    """The deal graph coloured by status as PNG, its words in ``lang``."""
    return plots.save_figure(plots.network_figure(G, title=title, lang=lang), path)


def output_steps(
    model: ContagionModel, out_dir: str | Path, seed: int | None = None, lang: str = "en"
) -> list[tuple[str, Callable[[], Path]]]:
    """Every output of a run but ``summary.json``, as (output name, writer) in the order of
    :data:`OUTPUT_FILES`; calling a writer writes its file into ``out_dir`` and returns its path.
    The figures' words are in ``lang``; the tables and files are the same in every language.

    If the model stopped in the middle of a month, the graph outputs are left out (the state
    would show a half-finished month).
    """
    out = Path(out_dir)
    path = {name: out / file for name, file in OUTPUT_FILES.items()}
    months = finished_month(model)
    lang = plots.figure_language(lang)  # (the figures are the only words written)
    _ = gettext_for(lang, "app")
    title = (
        _("{scenario}: {months} months").format(scenario=model.config.name, months=months)
        if seed is None
        else _("{scenario}: {months} months, seed {seed}").format(scenario=model.config.name, months=months, seed=seed)
    )
    tables: dict[str, pd.DataFrame] = {}

    def table(name: str) -> pd.DataFrame:  # built once, when first written
        if name not in tables:
            tables[name] = model_timeseries(model) if name == "timeseries" else agent_timeseries(model)
        return tables[name]

    graphs: list[nx.MultiDiGraph] = []

    def graph() -> nx.MultiDiGraph:
        if not graphs:
            graphs.append(model.deal_graph())
        return graphs[0]

    steps: list[tuple[str, Callable[[], Path]]] = [
        ("timeseries_csv", lambda: write_timeseries_csv(table("timeseries"), path["timeseries_csv"])),
        ("timeseries_parquet", lambda: write_timeseries_parquet(table("timeseries"), path["timeseries_parquet"])),
        ("agents_csv", lambda: write_agents_csv(table("agents"), path["agents_csv"])),
        ("agents_parquet", lambda: write_agents_parquet(table("agents"), path["agents_parquet"])),
        ("events_jsonl", lambda: write_events_jsonl(finished_events(model), path["events_jsonl"])),
        (
            "timeseries_png",
            lambda: write_timeseries_png(table("timeseries"), path["timeseries_png"], title=title, lang=lang),
        ),
    ]
    if model.month == months:  # the state is the end of a finished month
        steps += [
            ("graph_graphml", lambda: write_graph_graphml(graph(), path["graph_graphml"])),
            ("graph_json", lambda: write_graph_json(graph(), path["graph_json"])),
            ("network_png", lambda: write_network_png(graph(), path["network_png"], lang=lang,
                                                      title=_("Deal network at month {month} ({scenario})").format(
                                                          month=months, scenario=model.config.name))),
        ]  # fmt: skip
    return steps


def finish_summary(summary: dict, out_dir: str | Path, complete: bool) -> dict:
    """``summary`` with ``complete`` and ``files`` (what ``out_dir`` holds, plus summary.json)."""
    names = {p.name for p in Path(out_dir).iterdir() if p.name in _RUN_FILES} | {OUTPUT_FILES["summary_json"]}
    return {**summary, "complete": bool(complete), "files": [f for f in OUTPUT_FILES.values() if f in names]}


def write_run(model: ContagionModel, out_dir: str | Path, summary: dict) -> dict[str, Path]:
    """Write every output of a run into ``out_dir`` (created), ``summary.json`` last; return
    output name -> path.

    This writes into ``out_dir`` in place; ``aicontagion run`` writes into a
    :func:`staging_folder` and moves it into place with :func:`publish_run`. Graph files of an
    earlier run in ``out_dir`` are removed if this run stopped in the middle of a month.
    ``summary.json`` gets ``complete`` (unless the caller set it) and ``files``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {name: write() for name, write in output_steps(model, out, summary.get("seed"))}
    for name in _GRAPH_OUTPUTS:  # stale graph files would not match this run
        if name not in written:
            (out / OUTPUT_FILES[name]).unlink(missing_ok=True)
    complete = summary.get("complete", finished_month(model) == summary.get("months_requested", model.month))
    summary = finish_summary(summary, out, complete)
    written["summary_json"] = write_summary_json(summary, out / OUTPUT_FILES["summary_json"])
    return written


# ----------------------------------------------------------------------------- the run's folder, whole

_RUN_FILES = frozenset(OUTPUT_FILES.values())
#: Files an operating system's file browser leaves in a folder it showed.
_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_PARTIAL_FILE = re.compile(r"\.(?P<name>[^/]+)\.[^/]*\.tmp")  # an atomic_file cut short (process killed)


class OutFolderError(ValueError):
    """The output folder cannot be used; the message says why and what to give instead."""


def _is_run_entry(entry: os.DirEntry) -> bool:
    if not entry.is_file(follow_symlinks=False):
        return False
    partial = _PARTIAL_FILE.fullmatch(entry.name)
    known = _RUN_FILES | DERIVED_FILES
    return entry.name in known or entry.name in _LITTER or bool(partial and partial["name"] in known)


def _foreign_entries(folder: Path) -> list[str]:
    """What ``folder`` holds that a run does not write (names, sorted; folders end with '/')."""
    with os.scandir(folder) as entries:
        return sorted(e.name + ("/" if e.is_dir() else "") for e in entries if not _is_run_entry(e))


def looks_like_run(folder: str | Path) -> bool:
    """True if ``folder`` is a folder that holds only files a run writes, or its report (and is not empty)."""
    folder = Path(folder)
    return folder.is_dir() and any(folder.iterdir()) and not _foreign_entries(folder)


def check_out_folder(out_dir: str | Path) -> Path:
    """Check that a run may be written to ``out_dir``; return where it will go (absolute).

    Allowed: a path where nothing is yet (parent folders are made), an empty folder, or a folder
    that :func:`looks_like_run` (an earlier run, replaced as a whole). A symbolic link is followed:
    the run replaces the folder it points to. Raises OutFolderError for an empty name, the
    current folder or one that contains it, a file, or a folder holding anything else.
    """
    shown = str(out_dir)
    if not shown.strip():
        raise OutFolderError("give a folder name")
    target = Path(out_dir).resolve()
    cwd = Path.cwd().resolve()
    if target == cwd or target in cwd.parents:
        raise OutFolderError(f"{shown!r} is the current folder or contains it; give a folder name for the run")
    if target.exists() and not target.is_dir():
        raise OutFolderError(f"{shown!r} is a file, not a folder; give a folder name for the run")
    if target.is_dir():
        foreign = _foreign_entries(target)
        if foreign:
            listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutFolderError(
                f"{shown!r} is a folder that does not look like an aicontagion run (it holds {listed}); a run "
                "replaces its folder as a whole, so give a new folder name, an earlier run's folder or an empty one"
            )
    return target


def staging_folder(target: str | Path) -> Path:
    """A fresh hidden folder beside ``target`` (made, with the usual permissions) to write a run into."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-{os.getpid()}-", dir=target.parent))
    os.chmod(staging, 0o777 & ~_umask())
    return staging


# The two operations that move folders, as names of this module (tests interrupt them).
_rename = os.rename
_remove_tree = shutil.rmtree


def publish_run(staging: str | Path, target: str | Path) -> None:
    """Move the written ``staging`` folder to ``target``, replacing what :func:`check_out_folder`
    allowed there: the previous folder is renamed aside (``.<name>.old-<pid>``), the new one
    renamed into place, then the previous one deleted. If the second rename fails, the previous
    folder is put back. Raises OutFolderError (and moves nothing) if ``target`` has meanwhile
    become something a run may not replace.
    """
    staging, target = Path(staging), Path(target)
    old = None
    if os.path.lexists(target):
        check_out_folder(target)
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        while os.path.lexists(old):
            old = old.with_name(old.name + "_")
    try:
        if old is not None:
            _rename(target, old)
        _rename(staging, target)
    except BaseException:  # failed or interrupted: one run or the other ends up at target
        if not os.path.lexists(staging):  # the new run got into place after all
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        elif old is not None and os.path.lexists(old) and not os.path.lexists(target):
            os.rename(old, target)  # the previous run back in place
        raise
    if old is not None:
        _remove_tree(old, ignore_errors=True)


def remove_partial_files(folder: str | Path) -> list[str]:
    """Delete what is not an output file in ``folder`` (a staging folder): temporary files of a
    write that was interrupted before :func:`atomic_file` could clean up. Returns their names.
    """
    removed = []
    for entry in Path(folder).iterdir():
        if entry.name not in _RUN_FILES:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed


def discard_folder(folder: str | Path) -> None:
    """Delete ``folder`` (a staging folder never published) if it is still there."""
    shutil.rmtree(folder, ignore_errors=True)
