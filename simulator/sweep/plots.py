"""Figures of a finished or partial sweep (``aicontagion plot DIR``), drawn with matplotlib (Agg).

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

from simulator.config import LEVERS
from simulator.sweep import store
from simulator.sweep.analysis import AnalysisError, morris_indices, sobol_indices
from simulator.sweep.runner import RUN_COLUMNS, sweep_table
from simulator.sweep.spec import SweepSpec

__all__ = ["NEOCLOUD_DEFAULTS", "PLOTS", "headline_measure", "plot_sweep"]

PLOTS = "plots"
"""Subfolder of the sweep folder that the figures go into."""
NEOCLOUD_DEFAULTS = "defaults_by_kind.neocloud"
"""Measure counting neoclouds in default at the end of a run."""
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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _morris_scatter(effects: pd.DataFrame, measure: str, title: str, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(7.5, 5.5), layout="constrained")
    ax.errorbar(effects["mu_star"], effects["sigma"], xerr=effects["mu_star_conf"], fmt="o", color="tab:purple")
    for name, row in effects.iterrows():
        ax.annotate(str(name), (row["mu_star"], row["sigma"]), fontsize=8, xytext=(4, 3), textcoords="offset points")
    ax.set_xlabel("mu*: mean absolute change of the measure across each input's range (bars: 95% interval)")
    ax.set_ylabel("sigma (interactions, non-linearity)")
    ax.set_title(f"{title}\nMorris screening of {measure} (mean over seeds)")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
