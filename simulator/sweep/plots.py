"""Figures of a finished or partial sweep, a tipping-point search and a scenario discovery
(``aicontagion plot DIR``), drawn with matplotlib (Agg).

``plot_folder(folder)`` draws whatever ``folder`` holds, into ``folder/plots/``: the sweep's
figures (:func:`plot_sweep`) if it holds a sweep (``manifest.json``), the tipping-point table if it
holds a tipping result (``tipping.json``, from ``aicontagion tipping``), the PRIM boxes if it holds a
discovery result (``discovery.json``, from ``aicontagion discover``); one folder may hold several.
The last two are drawn by ``simulator.sweep.tipping_plots``, as ``tipping`` and ``discover`` draw them:

=========================  ===============================================================
``tipping.png``            the (distance-to-default) table as a sorted bar chart: one bar per
                           outcome over its bracket, those that tip at the smallest shock first
``discovery.png``          the sweep's runs in the plane of the two levers the first PRIM box
                           restricts most, with and without the outcome, and the boxes with
                           their coverage and density (needs the sweep's results: the folder's
                           own, or the file ``discovery.json`` names)
=========================  ===============================================================

``plot_sweep(folder)`` reads the sweep's manifest and parts and writes into ``folder/plots/``:

=========================  ===============================================================
``summary.csv``            per design point: parameters, runs, failed runs, mean, standard
                           deviation and 5/50/95% quantiles over seeds of the headline
                           measure, and the share of seeds in which at least one neocloud
                           defaults
``phase_diagram.png``      two swept parameters (a grid with exactly two varying): the mean
                           over seeds of the headline measure as a heat map, with the contour
                           where the probability that at least one neocloud defaults is 50%
``distribution.png``       the headline measure over seeds: a box per design point (up to 40
                           points), else a histogram of every run
``fan_chart.png``          realised losses over time across seeds (5-95% and 25-75% bands,
                           median), when the sweep kept time series
``sobol.png`` / ``.csv``   first-order and total Sobol indices with 95% intervals (sobol design)
``morris.png`` / ``.csv``  Morris mu* against sigma (morris design)
=========================  ===============================================================

The headline measure is ``losses_bn.equity_shortfall_bn.total`` (how far system book equity
falls short of the counterfactual, US$ bn) when the runs have a counterfactual, else
``losses_bn.realised_losses_bn.total``; ``measure=`` picks another.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from simulator.config import LEVERS, ConfigError
from simulator.sweep import store
from simulator.sweep.analysis import AnalysisError, morris_indices, sobol_indices
from simulator.sweep.runner import RUN_COLUMNS, sweep_table
from simulator.sweep.spec import SweepSpec

__all__ = [
    "NEOCLOUD_DEFAULTS",
    "PLOTS",
    "headline_measure",
    "plot_discovery",
    "plot_folder",
    "plot_sweep",
    "plot_tipping",
]

PLOTS = "plots"
"""Subfolder of the sweep folder that the figures go into."""
NEOCLOUD_DEFAULTS = "defaults_by_kind.neocloud"
"""Measure counting neoclouds in default at the end of a run."""
TIPPING_JSON = "tipping.json"
"""What ``aicontagion tipping`` writes: a :class:`~simulator.sweep.tipping.TippingReport` as JSON."""
DISCOVERY_JSON = "discovery.json"
"""What ``aicontagion discover`` writes: a :class:`~simulator.sweep.discovery.Discovery` as JSON."""
HEADLINES = ("losses_bn.equity_shortfall_bn.total", "losses_bn.realised_losses_bn.total")
FAN_SERIES = "realised_losses_bn_total"
MAX_BOXES = 40


def headline_measure(table: pd.DataFrame) -> str:
    """The first of ``HEADLINES`` the table has values for."""
    for name in HEADLINES:
        if name in table and table[name].notna().any():
            return name
    measures = [c for c in table.columns if "." in c]
    if not measures:
        raise AnalysisError("the sweep has no measured runs yet")
    return measures[0]


def _label(name: str) -> str:
    lever = LEVERS.get(name)
    return f"{name} ({lever.unit})" if lever is not None else name


def _spec_of(manifest: dict) -> SweepSpec:
    from simulator.sweep.spec import load_spec

    return load_spec(manifest["spec"])


def plot_folder(folder: str | Path, measure: str | None = None) -> list[Path]:
    """Draw everything ``folder`` holds (see the module docstring) into ``folder/plots`` and
    return the files written. ``measure`` is for the sweep's figures.

    Raises
    ------
    simulator.sweep.store.SweepFolderError
        If ``folder`` holds no sweep, no ``tipping.json`` and no ``discovery.json``.
    AnalysisError, ConfigError
        As :func:`plot_sweep`, :func:`plot_tipping` and :func:`plot_discovery` raise them.
    """
    folder = Path(folder)
    sweep = (folder / store.MANIFEST).is_file()
    tipping, discovery = folder / TIPPING_JSON, folder / DISCOVERY_JSON
    if not (sweep or tipping.is_file() or discovery.is_file()):
        what = "no such folder" if not folder.is_dir() else "it holds none of them"
        raise store.SweepFolderError(
            f"{folder}: nothing to draw ({what}); give a folder with a sweep ({store.MANIFEST}, from aicontagion "
            f"sweep), a tipping result ({TIPPING_JSON}, from aicontagion tipping) or a discovery result "
            f"({DISCOVERY_JSON}, from aicontagion discover)"
        )
    written = plot_sweep(folder, measure) if sweep else []
    if tipping.is_file():
        written.append(plot_tipping(tipping, folder / PLOTS / "tipping.png"))
    if discovery.is_file():
        written.append(plot_discovery(discovery, folder / PLOTS / "discovery.png"))
    return written


def _read_json(path: Path) -> dict:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read it as JSON ({exc})") from None


def plot_tipping(source: str | Path, path: str | Path) -> Path:
    """Draw the tipping-point table in ``source`` (a ``tipping.json``) as a sorted bar chart into
    ``path`` (``simulator.sweep.tipping_plots.tipping_figure``) and return ``path``.
    """
    from simulator.sweep.tipping import TippingReport
    from simulator.sweep.tipping_plots import tipping_figure

    report = TippingReport.from_dict(_read_json(Path(source)))
    return _save(tipping_figure(report), Path(path))


def plot_discovery(source: str | Path, path: str | Path) -> Path:
    """Draw the PRIM boxes in ``source`` (a ``discovery.json``) over the sweep's runs into ``path``
    (``simulator.sweep.tipping_plots.discovery_figure``) and return ``path``. The runs are read from
    the results ``discovery.json`` names (``aicontagion discover`` records them), else, when those
    are gone or not named, from the sweep in the folder it is in.
    """
    from simulator.sweep.discovery import Discovery, read_results
    from simulator.sweep.tipping_plots import discovery_figure

    source = Path(source)
    data = _read_json(source)
    found = Discovery.from_dict(data)
    named = data.get("results")
    results_at = Path(named) if named and Path(named).exists() else source.parent
    if results_at == source.parent and not (results_at / store.MANIFEST).is_file():
        gone = f"the results it was found in, {named}, are gone" if named else "it names no results"
        raise ConfigError(
            f"{source}: {gone}, and {results_at} holds no sweep; run aicontagion discover on the sweep again"
        )
    return _save(discovery_figure(found, read_results(results_at)), Path(path))


def _save(figure, path: Path, dpi: int = 110) -> Path:
    """Write ``figure`` to ``path`` atomically (``simulator.cli.plots.save_figure``), close it and
    return ``path``.
    """
    from simulator.cli.plots import save_figure

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return save_figure(figure, path, dpi=dpi)
    finally:
        plt.close(figure)


def plot_sweep(folder: str | Path, measure: str | None = None) -> list[Path]:
    """Write the figures and the CSV summary of the sweep in ``folder`` (see the module
    docstring) and return the files written. Works on a partial sweep (the runs done so far).

    Raises
    ------
    simulator.sweep.store.SweepFolderError
        If ``folder`` holds no sweep.
    AnalysisError
        If no run is recorded yet, or ``measure`` is not a measure of the sweep.
    """
    folder = Path(folder)
    manifest = store.read_manifest(folder)
    spec = _spec_of(manifest)
    parameters = list(manifest["parameters"])
    table = sweep_table(store.read_runs(folder), parameters, list(manifest["measures"]))
    if table.empty:
        raise AnalysisError(f"{folder}: no run has finished yet")
    ok = table[table["error"].isna()]
    if ok.empty:
        raise AnalysisError(f"{folder}: every finished run failed; see the failures in {store.MANIFEST}")
    measure = measure or headline_measure(ok)
    if measure not in table:
        measures = [c for c in table.columns if c not in (*RUN_COLUMNS, *parameters, "error")]
        raise AnalysisError(f"measure {measure!r} is not in the sweep; choose from {measures}")
    out = folder / PLOTS
    out.mkdir(exist_ok=True)
    title = f"{manifest['name']}: {len(table)} of {manifest['runs_total']} runs"
    written = [_summary_csv(ok, table, parameters, measure, out / "summary.csv")]
    varying = [p for p in parameters if table[p].nunique() > 1]
    if spec.design.method == "grid" and len(varying) == 2:
        written.append(_phase_diagram(ok, varying, measure, title, out / "phase_diagram.png"))
    written.append(_distribution(ok, parameters, measure, title, out / "distribution.png"))
    series = store.read_timeseries(folder, ok["run_index"])
    if not series.empty and FAN_SERIES in series:
        written.append(_fan_chart(series, title, out / "fan_chart.png"))
    complete = len(table) == manifest["runs_total"]
    if spec.design.method == "sobol" and complete:
        indices = sobol_indices(ok, spec, measure)
        indices.to_csv(out / "sobol.csv")
        written += [out / "sobol.csv", _sobol_bars(indices, measure, title, out / "sobol.png")]
    if spec.design.method == "morris" and complete:
        effects = morris_indices(ok, spec, measure)
        effects.to_csv(out / "morris.csv")
        written += [out / "morris.csv", _morris_scatter(effects, measure, title, out / "morris.png")]
    return written


def _summary_csv(ok: pd.DataFrame, table: pd.DataFrame, parameters: list[str], measure: str, path: Path) -> Path:
    grouped = ok.groupby("point")
    summary = table.groupby("point")[parameters].first()
    summary["runs"] = table.groupby("point").size()
    summary["failed"] = table.groupby("point")["error"].apply(lambda e: int(e.notna().sum()))
    values = grouped[measure]
    summary[f"{measure}.mean"] = values.mean()
    summary[f"{measure}.std"] = values.std()
    for q in (0.05, 0.5, 0.95):
        summary[f"{measure}.q{int(q * 100):02d}"] = values.quantile(q)
    if NEOCLOUD_DEFAULTS in ok:
        summary["p_neocloud_default"] = grouped[NEOCLOUD_DEFAULTS].apply(lambda d: float((d > 0).mean()))
    summary.to_csv(path)
    return path


def _phase_diagram(ok: pd.DataFrame, axes: list[str], measure: str, title: str, path: Path) -> Path:
    """Heat map over the grid's cells (one cell per value, evenly spaced whatever the values'
    spacing, labelled with the values), and the 50% contour of P(at least one neocloud defaults).
    """
    from matplotlib.lines import Line2D

    x_name, y_name = axes
    mean = ok.pivot_table(index=y_name, columns=x_name, values=measure, aggfunc="mean")
    fig, ax = plt.subplots(figsize=(7.5, 5.5), layout="constrained")
    cells = mean.to_numpy(dtype=float)
    image = ax.imshow(cells, origin="lower", aspect="auto", cmap="magma_r", interpolation="nearest")
    fig.colorbar(image, ax=ax, label=f"{measure}\nmean over seeds")
    ax.set_xticks(range(len(mean.columns)), [f"{v:g}" for v in mean.columns])
    ax.set_yticks(range(len(mean.index)), [f"{v:g}" for v in mean.index])
    if NEOCLOUD_DEFAULTS in ok:
        flags = ok[[x_name, y_name]].assign(p=(ok[NEOCLOUD_DEFAULTS] > 0).astype(float))
        prob = flags.pivot_table(index=y_name, columns=x_name, values="p", aggfunc="mean")
        p = prob.reindex(index=mean.index, columns=mean.columns).to_numpy(dtype=float)
        if p.shape[0] > 1 and p.shape[1] > 1 and np.nanmin(p) < 0.5 < np.nanmax(p):
            ax.contour(np.arange(p.shape[1]), np.arange(p.shape[0]), p, levels=[0.5], colors="deepskyblue",
                       linewidths=3)  # fmt: skip
            line = Line2D([], [], color="deepskyblue", linewidth=3)
            ax.legend([line], ["P(at least one neocloud defaults) = 50%"], loc="upper left", fontsize=8)
        else:
            ax.text(0.01, 0.99, f"P(at least one neocloud defaults): {np.nanmin(p):.0%} to {np.nanmax(p):.0%}, "
                    "never crossing 50%", transform=ax.transAxes, fontsize=8, va="top", color="deepskyblue")  # fmt: skip
    ax.set_xlabel(_label(x_name))
    ax.set_ylabel(_label(y_name))
    ax.set_title(f"{title}\nphase diagram: mean over seeds")
    return _save(fig, path, dpi=120)


def _distribution(ok: pd.DataFrame, parameters: list[str], measure: str, title: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    points = sorted(ok["point"].unique())
    if len(points) <= MAX_BOXES:
        data = [ok.loc[ok["point"] == p, measure].dropna().to_numpy() for p in points]
        ax.boxplot(data, tick_labels=[str(p) for p in points], showmeans=True)
        ax.set_xlabel("design point (parameters in plots/summary.csv)")
        ax.set_ylabel(measure)
        ax.set_title(f"{title}\n{measure} over seeds, by design point")
    else:
        ax.hist(ok[measure].dropna(), bins=40, color="tab:red", alpha=0.8)
        ax.set_xlabel(measure)
        ax.set_ylabel("runs")
        ax.set_title(f"{title}\n{measure} over every run")
    return _save(fig, path, dpi=120)


def _fan_chart(series: pd.DataFrame, title: str, path: Path) -> Path:
    wide = series.pivot_table(index="month", columns="run_index", values=FAN_SERIES)
    q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
    fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    months = q.index.to_numpy()
    ax.fill_between(months, q[0.05], q[0.95], color="tab:red", alpha=0.2, label="5-95% of runs")
    ax.fill_between(months, q[0.25], q[0.75], color="tab:red", alpha=0.4, label="25-75% of runs")
    ax.plot(months, q[0.5], color="darkred", label="median")
    ax.set_xlabel("month")
    ax.set_ylabel("realised losses, US$ bn (cumulative)")
    ax.set_title(f"{title}\nrealised losses over time across {wide.shape[1]} runs")
    ax.legend(loc="upper left")
    return _save(fig, path, dpi=120)


def _sobol_bars(indices: pd.DataFrame, measure: str, title: str, path: Path) -> Path:
    order = indices.sort_values("ST", ascending=True)
    y = np.arange(len(order))
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(order) + 1.8), layout="constrained")
    ax.barh(y - 0.2, order["S1"], height=0.4, xerr=order["S1_conf"], label="first order S1", color="tab:blue")
    ax.barh(y + 0.2, order["ST"], height=0.4, xerr=order["ST_conf"], label="total ST", color="tab:orange")
    ax.set_yticks(y, order.index)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("Sobol index (share of variance; bars: 95% interval)")
    ax.set_title(f"{title}\nSobol indices of {measure} (mean over seeds)")
    ax.legend(loc="lower right")
    return _save(fig, path, dpi=120)


def _morris_scatter(effects: pd.DataFrame, measure: str, title: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7.5, 5.5), layout="constrained")
    ax.errorbar(effects["mu_star"], effects["sigma"], xerr=effects["mu_star_conf"], fmt="o", color="tab:purple")
    for name, row in effects.iterrows():
        ax.annotate(str(name), (row["mu_star"], row["sigma"]), fontsize=8, xytext=(4, 3), textcoords="offset points")
    ax.set_xlabel("mu*: mean absolute change of the measure across each input's range (bars: 95% interval)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    ax.set_title(f"{title}\nMorris screening of {measure} (mean over seeds)")
    return _save(fig, path, dpi=120)
