"""Small line charts as SVG, and the eight time-series charts of the model variables.

Pure rendering (strings out, no Solara) from the DataCollector's model-variable table; the
panel that shows them is :func:`simulator.app.panels.TimeSeries`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from networks import GENERATION_COLOURS, SECTOR_COLOURS
from simulator.app.markup import esc
from simulator.i18n import DEFAULT_LANGUAGE, gettext_for
from simulator.words import sector_label

PANEL_W, PANEL_H = 262, 140


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]
    colour: str
    step: bool = False
    dashed: bool = False


def _nice_step(span: float, target: int = 4) -> float:
    raw = max(span, 1e-12) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _tick_text(x: float, step: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{x:.{min(decimals, 3)}f}"


def line_chart_svg(
    title: str,
    months: list[int],
    series: list[Series],
    *,
    y_floor: float | None = 0.0,
    unit: str = "",
    empty_note: str = "",
    ref_line: float | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """One small line chart as an SVG panel (title, axes, nice ticks, lines, HTML legend).

    Each line has a ``<title>`` tooltip with its latest value; ``None`` values leave gaps.
    """
    _ = gettext_for(lang, "app")
    left, right, top, bottom = 38, 8, 6, 18
    w, h = PANEL_W - left - right, PANEL_H - top - bottom
    xs_max = max(max(months, default=0), 1)
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    if ref_line is not None:
        values.append(ref_line)
    lo = min(values, default=0.0)
    hi = max(values, default=1.0)
    if y_floor is not None:
        lo = min(lo, y_floor)
    if hi - lo < 1e-9:
        hi = lo + (abs(lo) * 0.1 or 1.0)
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step

    def X(m: float) -> float:
        return left + w * m / xs_max

    def Y(val: float) -> float:
        return top + h * (1 - (val - lo) / (hi - lo))

    out = [f"<svg viewBox='0 0 {PANEL_W} {PANEL_H}' class='aic-chart'>"]
    k = 0
    while lo + k * step <= hi + 1e-9:
        val = lo + k * step
        out.append(
            f"<line x1='{left}' x2='{left + w}' y1='{Y(val):.1f}' y2='{Y(val):.1f}' class='aic-grid'/>"
            f"<text x='{left - 4}' y='{Y(val):.1f}' class='aic-tick' text-anchor='end' "
            f"dominant-baseline='middle'>{_tick_text(val, step)}</text>"
        )
        k += 1
    xstep = max(1, int(_nice_step(xs_max, 6)))
    for m in range(0, xs_max + 1, xstep):
        out.append(f"<text x='{X(m):.1f}' y='{PANEL_H - 5}' class='aic-tick' text-anchor='middle'>{m}</text>")
    out.append(f"<line x1='{left}' x2='{left + w}' y1='{top + h}' y2='{top + h}' class='aic-axis'/>")
    if ref_line is not None:
        out.append(f"<line x1='{left}' x2='{left + w}' y1='{Y(ref_line):.1f}' y2='{Y(ref_line):.1f}' class='aic-ref'/>")
    for s in series:
        segments: list[list[str]] = []  # runs of 'x,y' points between missing values
        current: list[str] = []
        prev: float | None = None
        for m, point in zip(months, s.values):
            if point is None or not math.isfinite(point):
                if current:
                    segments.append(current)
                current, prev = [], None
                continue
            if s.step and prev is not None:
                current.append(f"{X(m):.1f},{Y(prev):.1f}")
            current.append(f"{X(m):.1f},{Y(point):.1f}")
            prev = point
        if current:
            segments.append(current)
        latest = next((v for v in reversed(s.values) if v is not None and math.isfinite(v)), None)
        tip = esc(
            _("{series}: {value} in month {month}").format(
                series=s.label,
                value=f"{_tick_text(latest, step / 10) if latest is not None else '–'}{unit}",
                month=months[-1] if months else 0,
            )
        )
        dash = " stroke-dasharray='4 3'" if s.dashed else ""
        for seg in segments:
            if len(seg) > 1:
                out.append(
                    f"<polyline points='{' '.join(seg)}' fill='none' stroke='{s.colour}' stroke-width='1.8'{dash} "
                    f"stroke-linejoin='round'><title>{tip}</title></polyline>"
                )
        if segments:  # the latest value as a dot (the only mark at month 0)
            x_last, y_last = segments[-1][-1].split(",")
            out.append(f"<circle cx='{x_last}' cy='{y_last}' r='2.4' fill='{s.colour}'><title>{tip}</title></circle>")
    if not series and empty_note:
        out.append(
            f"<text x='{left + w / 2}' y='{top + h / 2}' class='aic-note' text-anchor='middle'>{esc(empty_note)}</text>"
        )
    out.append("</svg>")
    legend = "".join(
        f"<span class='aic-chip'><span class='aic-swatch' style='background:{s.colour}'></span>{esc(s.label)}</span>"
        for s in series
    )
    return (
        f"<div class='aic-chart-panel'><div class='aic-chart-title'>{esc(title)}</div>{''.join(out)}"
        f"<div class='aic-chart-legend'>{legend}</div></div>"
    )


def _col(df, name: str) -> tuple[float | None, ...]:
    return tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in df[name].tolist())


def _by_sector(df, prefix: str, lang: str = DEFAULT_LANGUAGE) -> list[Series]:
    """The five sectors with the largest final value of a per-sector column family (``prefix`` +
    sector), then the rest summed as "others"; sectors that never moved are left out.
    """
    cols = [c for c in df.columns if c.startswith(prefix) and c != f"{prefix}total"]
    cols = [c for c in cols if df[c].notna().any() and df[c].abs().max() > 1e-6]
    cols.sort(key=lambda c: -float(df[c].iloc[-1] or 0.0))
    series = [
        Series(
            sector_label(c.removeprefix(prefix), lang),
            _col(df, c),
            SECTOR_COLOURS.get(c.removeprefix(prefix), "#999"),
        )
        for c in cols[:5]
    ]
    if len(cols) > 5:
        rest = df[cols[5:]].fillna(0.0).sum(axis=1)
        _ = gettext_for(lang, "app")
        others = _("others")
        series.append(Series(others, tuple(float(v) for v in rest), "#999999", dashed=True))
    return series


def timeseries_html(df, lang: str = DEFAULT_LANGUAGE) -> str:
    """Eight small charts of the model variables (one DataCollector row per month), words in ``lang``."""
    _ = gettext_for(lang, "app")
    months = [int(m) for m in df["month"].tolist()]
    gens = [c for c in df.columns if c.startswith("gpu_price_")]
    gpu = [
        Series(c.removeprefix("gpu_price_").removesuffix("_k_usd"), _col(df, c), GENERATION_COLOURS[n % 6])
        for n, c in enumerate(gens)
    ]
    losses = _by_sector(df, "realised_losses_bn_", lang)
    shortfall = _by_sector(df, "market_value_shortfall_bn_", lang)
    marks = _by_sector(df, "unrealised_losses_bn_", lang)
    default_cols = [c for c in df.columns if c.startswith("defaults_") and c != "defaults_total" and df[c].max() > 0]
    defaults = [
        Series(
            sector_label(c.removeprefix("defaults_"), lang),
            _col(df, c),
            SECTOR_COLOURS.get(c.removeprefix("defaults_"), "#999"),
            step=True,
        )
        for c in sorted(default_cols, key=lambda c: -float(df[c].iloc[-1]))
    ]
    mood = [Series(_("sentiment"), _col(df, "sentiment"), "#4477AA")]
    if "ai_demand_ratio" in df:
        mood.append(Series(_("AI demand / expected"), _col(df, "ai_demand_ratio"), "#EE6677"))
    capital = [
        Series(
            sector_label(k, lang),
            tuple(None if v is None else 100 * v for v in _col(df, f"capital_ratio_{k}")),
            SECTOR_COLOURS[k],
        )
        for k in ("insurer", "bank")
        if f"capital_ratio_{k}" in df and df[f"capital_ratio_{k}"].notna().any()
    ]
    stress = [
        Series(_("GPUs fire-sold (cumulative)"), _col(df, "gpus_fire_sold_bn"), "#CC6677"),
        Series(_("central-bank lending"), _col(df, "central_bank_lending_bn"), "#555555"),
    ]
    charts = [
        line_chart_svg(_("GPU price (US$k per GPU)"), months, gpu, unit="k", lang=lang),
        line_chart_svg(
            _("Realised losses by sector (US$ bn, cumulative)"),
            months,
            losses,
            empty_note=_("no losses yet"),
            lang=lang,
        ),
        line_chart_svg(
            _("Market value below the counterfactual, by sector (US$ bn)"),
            months,
            shortfall,
            empty_note=_("no counterfactual (the baseline)")
            if df["market_value_shortfall_bn_total"].isna().all()
            else _("no shortfall"),
            lang=lang,
        ),
        line_chart_svg(
            _("Unrealised losses by sector (US$ bn, marks)"), months, marks, empty_note=_("no marks"), lang=lang
        ),
        line_chart_svg(
            _("Defaults by kind (cumulative)"), months, defaults, empty_note=_("no defaults yet"), lang=lang
        ),
        line_chart_svg(_("Sentiment and AI demand (index)"), months, mood, ref_line=1.0, lang=lang),
        line_chart_svg(
            _("Capital ratios (% of risk-weighted assets)"),
            months,
            capital,
            unit="%",
            empty_note=_("no insurers or banks"),
            lang=lang,
        ),
        line_chart_svg(_("Fire sales and backstop (US$ bn)"), months, stress, lang=lang),
    ]
    return f"<div class='aic-charts' data-month='{months[-1] if months else 0}'>{''.join(charts)}</div>"
