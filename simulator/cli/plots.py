"""Figures of a run: the time-series panel and the network snapshot (matplotlib, headless).

Used by ``aicontagion run`` and by notebooks. Figures are built as plain
:class:`matplotlib.figure.Figure` objects, not through ``pyplot``, so they never need a display
and never pile up in pyplot's global figure list; a notebook still shows them inline.

>>> fig = timeseries_panel(model.datacollector.get_model_vars_dataframe())   # doctest: +SKIP
>>> save_figure(fig, "runs/demo/timeseries.png")                             # doctest: +SKIP

Units follow the model's data: GPU prices in US$ thousands per GPU, money in US$ billions,
sentiment and the AI demand ratio as indices (1 = month 0 / expectations), capital ratios in
per cent of risk-weighted assets, time in months.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from networks import GENERATION_COLOURS, SECTOR_COLOURS, SECTOR_LABELS, circular_deals, draw_deal_graph
from simulator.i18n import N_, check_language, gettext_for
from simulator.words import sector_label

__all__ = ["figure_language", "network_figure", "save_figure", "timeseries_panel"]

NETWORK_WORDS = (N_("circular deal"), N_("contract (holder → obligor)"), N_("status"))
"""The words :func:`networks.draw_deal_graph` puts into a figure besides sector labels, contract
kinds and statuses (``simulator.words``): marked here, translated through its ``words``."""

_NEGLIGIBLE_BN = 1e-6  # losses below this (US$ bn, i.e. US$ 1,000) count as none
_CIRCULAR_DEALS_SHOWN = 5


def timeseries_panel(df: pd.DataFrame, title: str | None = None, lang: str = "en") -> Figure:
    """A 2 x 4 panel of a run's model variables, one row of ``df`` per month.

    Panels: GPU price by generation (US$k per GPU); realised losses by sector (US$ bn,
    cumulative); market value below the counterfactual by sector (US$ bn; a note when the run
    has no counterfactual); cumulative defaults by institution kind (step plot); sentiment and
    the AI demand ratio (index, 1 = month 0 / expectations); unrealised losses by sector (US$
    bn, marks that can recover); private-credit NAV (US$ bn); insurer and bank capital ratios
    (% of risk-weighted assets). Loss panels show only sectors with something to show.

    Parameters
    ----------
    df : pandas.DataFrame
        ``model.datacollector.get_model_vars_dataframe()`` (or the ``timeseries.csv`` of a run).
    title : str, optional
        Figure title (e.g. scenario and seed).
    lang : str
        Language of the figure's words (``simulator.i18n.LANGUAGES``); Chinese needs a font that
        covers it (Debian's ``fonts-noto-cjk``), else the figure is drawn in English.
    """
    lang = figure_language(lang)
    _ = gettext_for(lang, "app")
    fig = Figure(figsize=(21, 9.5), layout="constrained")
    axes = fig.subplots(2, 4, sharex=True)
    month = df["month"] if "month" in df else pd.Series(np.arange(len(df)), index=df.index)

    _gpu_prices(axes[0, 0], df, month, lang)
    _by_sector(axes[0, 1], df, month, "realised_losses_bn_", _("Realised losses by sector (cumulative)"),
               _("no losses"), lang)  # fmt: skip
    _by_sector(axes[0, 2], df, month, "market_value_shortfall_bn_", _("Market value below the counterfactual"),
               _("no counterfactual (the baseline)") if df["market_value_shortfall_bn_total"].isna().all() else
               _("no shortfall"), lang)  # fmt: skip
    _defaults_by_kind(axes[0, 3], df, month, lang)
    _sentiment_and_demand(axes[1, 0], df, month, lang)
    _by_sector(axes[1, 1], df, month, "unrealised_losses_bn_", _("Unrealised losses by sector (marks)"),
               _("no marks"), lang)  # fmt: skip
    _private_credit_nav(axes[1, 2], df, month, lang)
    _capital_ratios(axes[1, 3], df, month, lang)

    for ax in axes.flat:
        ax.grid(True, color="#E5E5E5", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.tick_params(labelsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=7))
        ax.set_xlim(float(month.min()), max(float(month.max()), float(month.min()) + 1))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in axes[1]:
        ax.set_xlabel(_("month"), fontsize=11)
    if title:
        fig.suptitle(title, fontsize=15, fontweight="bold")
    return _in_font_of(fig, lang)


def network_figure(G: nx.MultiDiGraph, title: str | None = None, lang: str = "en") -> Figure:
    """The deal graph coloured by status, with a few of the shortest circular deals highlighted.

    Nodes are coloured by status and sized by total assets, contracts styled by kind
    (:func:`networks.draw_deal_graph`); the shortest circular deals
    (:func:`networks.circular_deals`, at most five) are drawn as grey bands. Its words are in
    ``lang`` (as :func:`timeseries_panel`'s).
    """
    lang = figure_language(lang)
    _ = gettext_for(lang, "app")
    fig = Figure(figsize=(12, 12), layout="constrained")
    ax = fig.add_subplot()
    cycles = circular_deals(G, max_length=4)[:_CIRCULAR_DEALS_SHOWN]
    draw_deal_graph(G, ax=ax, highlight_cycles=cycles, title=None, words=_)
    if title:
        fig.suptitle(title, fontsize=15, fontweight="bold")
    if cycles:
        names = nx.get_node_attributes(G, "name")
        shown = [_cycle_text([str(names.get(n, n)) for n in c]) for c in cycles]
        ax.text(0.5, 0.985, _("Circular deals highlighted (grey bands):") + "\n" + "\n".join(shown),
                transform=ax.transAxes, ha="center", va="top", fontsize=10, color="#333333",
                linespacing=1.4)  # fmt: skip
    return _in_font_of(fig, lang)


def _cycle_text(names: list[str]) -> str:
    """'A ⇄ B' for a two-party cycle, 'A → B → C → A' otherwise."""
    if len(names) == 2:
        return f"{names[0]} ⇄ {names[1]}"
    return " → ".join([*names, names[0]])


def save_figure(fig: Figure, path: str | Path, dpi: int = 110) -> Path:
    """Write ``fig`` to ``path`` atomically (temporary file, then rename); format from the suffix.

    Returns the path written. The figure stays usable (e.g. for display in a notebook).
    """
    from simulator.cli.outputs import atomic_file  # outputs imports this module

    path = Path(path)
    fmt = path.suffix.lstrip(".").lower() or "png"
    with atomic_file(path, "wb") as handle:
        fig.savefig(handle, format=fmt, dpi=dpi, facecolor="white")
    return path


# ----------------------------------------------------------------------------- panels


def _columns(df: pd.DataFrame, prefix: str, suffix: str = "") -> dict[str, str]:
    """Column name -> the part between ``prefix`` and ``suffix`` (e.g. the sector)."""
    return {
        col: col[len(prefix) : len(col) - len(suffix) if suffix else None]
        for col in df.columns
        if col.startswith(prefix) and col.endswith(suffix) and not col.endswith("_total")
    }


def _label(kind: str, lang: str = "en") -> str:
    return sector_label(kind, lang) if kind in SECTOR_LABELS else kind.replace("_", " ")


@cache
def _cjk_font() -> str | None:
    """A font family matplotlib can find that covers Chinese (Noto Sans CJK), or None."""
    from matplotlib import font_manager

    def families() -> list[str]:
        return sorted({f.name for f in font_manager.fontManager.ttflist if "CJK" in f.name})

    if not families():  # matplotlib's font cache may predate the font's installation
        for path in font_manager.findSystemFonts():
            if "CJK" in Path(path).name:
                font_manager.fontManager.addfont(path)
    found = families()  # (sorted: Noto Sans before Noto Serif)
    return next((f for f in found if f.endswith(" SC")), found[0] if found else None)


def figure_language(lang: str) -> str:
    """``lang`` if a figure can be drawn in it here (Chinese needs a CJK font), else English: the
    language the figures of :func:`timeseries_panel` and :func:`network_figure` are in, and
    so the one their callers' titles should be in.
    """
    check_language(lang)
    return lang if lang == "en" or _cjk_font() is not None else "en"


def _in_font_of(fig: Figure, lang: str) -> Figure:
    """``fig`` with every text in a font that covers ``lang`` (DejaVu Sans for Latin and numbers)."""
    if lang != "en":
        from matplotlib.text import Text

        family = [str(_cjk_font()), "DejaVu Sans"]
        for text in fig.findobj(Text):
            text.set_fontfamily(family)
    return fig


def _note(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
            fontsize=11, color="#888888")  # fmt: skip


def _headroom_for_legend(ax, values: np.ndarray, rows: int) -> None:
    """Raise the top of the y axis so a legend of ``rows`` lines in the upper left clears the data."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return
    low, high = min(0.0, float(finite.min())), max(float(finite.max()), 1e-9)
    share = min(0.06 + 0.045 * rows, 0.5)  # fraction of the axes height the legend takes
    ax.set_ylim(low, low + (high - low) * 1.05 / (1 - share))


def _gpu_prices(ax, df: pd.DataFrame, month: pd.Series, lang: str) -> None:
    _ = gettext_for(lang, "app")
    for i, (col, gen) in enumerate(_columns(df, "gpu_price_", "_k_usd").items()):
        ax.plot(month, df[col], color=GENERATION_COLOURS[i % len(GENERATION_COLOURS)],
                linewidth=2.2, label=gen)  # fmt: skip
    ax.set_title(_("GPU secondary-market price"), fontsize=12)
    ax.set_ylabel(_("US$ thousand per GPU"), fontsize=11)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=9.5, frameon=False, loc="best")


def _by_sector(ax, df: pd.DataFrame, month: pd.Series, prefix: str, title: str, empty: str, lang: str) -> None:
    """One line per sector of a per-sector column family (``prefix`` + sector, US$ bn)."""
    _ = gettext_for(lang, "app")
    shown = {
        col: kind for col, kind in _columns(df, prefix).items()
        if np.nanmax(np.abs(df[col].to_numpy(dtype=float)), initial=0.0) > _NEGLIGIBLE_BN
    }  # fmt: skip
    # Largest first, so the legend reads top-down like the lines at the end of the run.
    for col, kind in sorted(shown.items(), key=lambda item: -float(np.nan_to_num(df[item[0]].iloc[-1]))):
        ax.plot(month, df[col], color=SECTOR_COLOURS.get(kind), linewidth=2.0, label=_label(kind, lang))
    ax.set_title(title, fontsize=12)
    ax.set_ylabel(_("US$ bn"), fontsize=11)
    if shown:
        ax.legend(fontsize=8.5, frameon=False, loc="upper left", ncol=2 if len(shown) > 4 else 1)
        _headroom_for_legend(ax, df[list(shown)].to_numpy(dtype=float), rows=math.ceil(len(shown) / 2))
    else:
        ax.set_ylim(0, 1)
        _note(ax, empty)


def _defaults_by_kind(ax, df: pd.DataFrame, month: pd.Series, lang: str) -> None:
    _ = gettext_for(lang, "app")
    shown = {col: kind for col, kind in _columns(df, "defaults_").items() if df[col].max() > 0}
    for col, kind in sorted(shown.items(), key=lambda item: -float(df[item[0]].iloc[-1])):
        colour = SECTOR_COLOURS.get(kind)
        ax.step(month, df[col], where="post", color=colour, linewidth=2.0, label=_label(kind, lang),
                clip_on=False)  # fmt: skip
        # A dot in the month each default happened, so one in the last month shows too.
        counts = df[col].to_numpy(dtype=float)
        jumps = np.flatnonzero(np.diff(counts, prepend=counts[0]) > 0)
        ax.plot(month.to_numpy()[jumps], counts[jumps], "o", color=colour, markersize=6, clip_on=False)
    ax.set_title(_("Defaults (cumulative)"), fontsize=12)
    ax.set_ylabel(_("institutions in default"), fontsize=11)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    top = max([float(df[c].max()) for c in shown] + [1.0])
    ax.set_ylim(0, math.ceil(top) + 0.5)
    if shown:
        ax.legend(fontsize=8.5, frameon=False, loc="upper left", ncol=2 if len(shown) > 4 else 1)
        _headroom_for_legend(ax, df[list(shown)].to_numpy(dtype=float), rows=math.ceil(len(shown) / 2))
    else:
        _note(ax, _("no defaults"))


def _sentiment_and_demand(ax, df: pd.DataFrame, month: pd.Series, lang: str) -> None:
    _ = gettext_for(lang, "app")
    ax.axhline(1.0, color="#999999", linewidth=1, linestyle=":")
    if "sentiment" in df:
        ax.plot(month, df["sentiment"], color="#4477AA", linewidth=2.2, label=_("market sentiment"))
    if "ai_demand_ratio" in df:
        ax.plot(month, df["ai_demand_ratio"], color="#EE6677", linewidth=2.2,
                label=_("AI demand / expected"))  # fmt: skip
    ax.set_title(_("Sentiment and AI demand"), fontsize=12)
    ax.set_ylabel(_("index (1 = month 0 / expected)"), fontsize=11)
    ax.legend(fontsize=9.5, frameon=False, loc="best")


def _private_credit_nav(ax, df: pd.DataFrame, month: pd.Series, lang: str) -> None:
    _ = gettext_for(lang, "app")
    if "private_credit_nav_bn" in df:
        ax.plot(month, df["private_credit_nav_bn"], color=SECTOR_COLOURS["private_credit"],
                linewidth=2.2)  # fmt: skip
    ax.set_title(_("Private-credit fund NAV"), fontsize=12)
    ax.set_ylabel(_("US$ bn"), fontsize=11)
    ax.set_ylim(bottom=0)


def _capital_ratios(ax, df: pd.DataFrame, month: pd.Series, lang: str) -> None:
    _ = gettext_for(lang, "app")
    plotted = False
    for kind in ("insurer", "bank"):
        col = f"capital_ratio_{kind}"
        if col in df and df[col].notna().any():
            ax.plot(month, 100 * df[col].astype(float), color=SECTOR_COLOURS[kind], linewidth=2.2,
                    label=_label(kind, lang))  # fmt: skip
            plotted = True
    ax.set_title(_("Capital ratios (equity / risk-weighted assets)"), fontsize=12)
    ax.set_ylabel(_("% of risk-weighted assets"), fontsize=11)
    ax.set_ylim(bottom=0)
    if plotted:
        ax.legend(fontsize=9.5, frameon=False, loc="best")
    else:
        _note(ax, _("no insurers or banks"))
