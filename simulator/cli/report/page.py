"""The report's HTML: one self-contained page (inline CSS, inline SVG, PNGs as data: URIs, a
small inline script for the replay; nothing is fetched from the network).

Sections, in order: the run (scenario, seed, months, complete or partial, set-up and levers);
headline measures against the counterfactual; defaults and losses by sector; GPU prices; the
timeline of important events; the deal network month by month (the replay); the figures the run
wrote; what the measures mean. Money is in US$ bn, time in months.

Every figure from ``summary.json`` is printed rounded and carries its exact value in a
``data-value`` attribute, so a test (or a student) can check it against the file.
"""

from __future__ import annotations

import base64
import json
from html import escape
from typing import Any

from networks import SECTOR_LABELS, STATUS_COLOURS, STATUSES
from simulator.cli.report.folder import RunFolder, SetupShock, Summary
from simulator.cli.report.replay import MONTH_EVENTS_SHOWN, network_svg, replay_data
from simulator.events import SEVERITY, Event, most_important

__all__ = ["TIMELINE_TOP", "build_page", "timeline_events"]

TIMELINE_TOP = 10
"""The timeline lists the ``TIMELINE_TOP`` most important events (as ``aicontagion run`` prints
them: :func:`simulator.events.most_important`), plus every default, covenant breach and shock."""
_ALWAYS = {"default": "default", "covenant_breach": "covenant breach", "shock": "shock"}

MEASURES = {
    "realised_losses_bn": (
        "Realised losses",
        "written off after recoveries, and discounts taken on assets sold; cumulative, never decrease",
    ),
    "unrealised_losses_bn": (
        "Unrealised losses",
        "marks below cost on assets still held; can recover",
    ),
    "equity_shortfall_bn": (
        "Book equity below the counterfactual",
        "how far book equity falls short of the counterfactual's, both net of shareholders' money since month 0",
    ),
    "market_value_shortfall_bn": (
        "Market value below the counterfactual",
        "how far the market value of equity (net asset value for funds) falls short of the counterfactual's",
    ),
}


# ----------------------------------------------------------------------------- formatting


def esc(text: Any) -> str:
    return escape(str(text), quote=True)


def bn(x: float | None) -> str:
    """US$ bn for a table cell: one decimal (three below 0.05), 'n/a' for none."""
    if x is None:
        return "n/a"
    return f"{x:,.3f}" if x != 0 and abs(x) < 0.05 else f"{x:,.1f}"


def pct(x: float | None, digits: int = 0) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def _cell(value: float | None, key: str, text: str | None = None) -> str:
    data = "" if value is None else f" data-value='{value!r}'"
    return f"<td class='num' data-key='{esc(key)}'{data}>{esc(text if text is not None else bn(value))}</td>"


def _png(data: bytes, alt: str, test_id: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f"<img data-testid='{test_id}' alt='{esc(alt)}' src='data:image/png;base64,{encoded}'>"


# ----------------------------------------------------------------------------- sections


def _header(run: RunFolder) -> str:
    s = run.summary
    seed = "not recorded" if s.seed is None else str(s.seed)
    asked = s.months_requested
    months = f"{s.months} months" + (f" of {asked} asked for" if asked is not None and asked != s.months else "")
    state = "complete" if s.complete else "PARTIAL"
    parts = [
        "<header>",
        f"<p class='kicker'>aicontagion run report · folder {esc(run.path.name or run.path)}</p>",
        f"<h1 data-testid='scenario'>{esc(s.scenario)}</h1>",
        "<p class='facts'>"
        f"<span>seed <b data-testid='seed'>{esc(seed)}</b></span>"
        f"<span><b data-testid='months'>{esc(months)}</b> (month 0 = the opening balance sheet)</span>"
        f"<span>run <b data-testid='run-state' data-complete='{str(s.complete).lower()}'>{state}</b></span>"
        "<span>measured against "
        f"<b data-testid='counterfactual'>{esc(s.counterfactual or 'nothing (no counterfactual)')}</b></span>"
        "</p>",
    ]
    if not s.complete:
        missing = ", ".join(run.not_written) or "none"
        parts.append(
            "<div class='partial' data-testid='partial' role='note'><b>Partial run.</b> "
            f"{esc(s.note or 'summary.json says the run is not complete.')} This report covers months 0 to "
            f"{s.months} only. Files the run did not write: {esc(missing)}.</div>"
        )
    parts.append("</header>")
    return "".join(parts)


def _setup(s: Summary) -> str:
    out = ["<section id='scenario'><h2>The scenario and its levers</h2>"]
    setup = s.setup
    if setup is None:
        out.append(
            "<p class='muted' data-testid='setup-missing'>This run's summary.json does not record its set-up (it "
            "was written before aicontagion recorded the levers and --set values); re-run the scenario to "
            "include them.</p></section>"
        )
        return "".join(out)
    if setup.description:
        out.append(f"<p class='description'>{esc(setup.description)}</p>")
    if setup.shocks:
        rows = "".join(
            f"<tr><td class='num'>{sh.month}</td><td>{esc(sh.kind.replace('_', ' '))}</td>"
            f"<td>{esc(sh.target or '–')}</td><td class='num'>{sh.size:g}</td><td>{esc(_meaning(sh))}</td></tr>"
            for sh in setup.shocks
        )
        out.append(
            "<table data-testid='shocks'><caption>Shocks</caption><thead><tr><th>Month</th><th>Kind</th>"
            f"<th>Target</th><th>Size</th><th>Meaning</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    else:
        out.append("<p>No shocks: this run is the world as it stands.</p>")
    settings = (
        "".join(f"<li><code>--set {esc(text)}</code></li>" for text in setup.settings)
        or "<li>none: the scenario as written</li>"
    )
    out.append(f"<h3>Changes asked for on the command line</h3><ul data-testid='settings'>{settings}</ul>")
    out.append(_levers(setup.levers, setup.channels))
    out.append("</section>")
    return "".join(out)


def _meaning(shock: SetupShock) -> str:
    """The shock kind's meaning (``SHOCK_KINDS``) with this shock's size, month and target in it."""
    text = shock.meaning.replace("`size`", f"{shock.size:g}").replace("`month`", f"month {shock.month}")
    text = text.replace("target", shock.target or "the target", 1) if shock.target else text
    return text.replace("`", "")


def _levers(levers: dict[str, Any], channels: dict[str, bool]) -> str:
    rows = []

    def row(label: str, value: str, key: str) -> None:
        rows.append(f"<tr data-lever='{key}'><th scope='row'>{esc(label)}</th><td>{esc(value)}</td></tr>")

    dep = levers.get("gpu_depreciation_per_year")
    if isinstance(dep, dict):
        row("GPU depreciation per year, by generation", ", ".join(f"{g} {pct(v)}" for g, v in dep.items()),
            "gpu_depreciation_per_year")  # fmt: skip
    labels = {
        "rental_deflation_per_year": ("GPU rental-rate deflation per year", pct),
        "ai_revenue_growth_per_year": ("AI revenue growth per year, before any shock", pct),
        "gpu_market_depth_bn": (
            "GPU secondary-market depth: forced sales that cut the price by 1/e, US$ bn",
            lambda v: f"{v:,.1f}",
        ),
        "base_rate_per_year": ("Base interest rate per year, before any shock", lambda v: pct(v, 1)),
    }
    for key, (label, fmt) in labels.items():
        if isinstance(levers.get(key), (int, float)):
            row(label, fmt(levers[key]), key)
    ltv = levers.get("ltv_covenants")
    if isinstance(ltv, list):
        row("LTV covenants of GPU-backed loans (loan / collateral value)", ", ".join(pct(v) for v in ltv) or "none",
            "ltv_covenants")  # fmt: skip
    if isinstance(levers.get("central_bank_enabled"), bool):
        row("Central-bank backstop", "on" if levers["central_bank_enabled"] else "off", "central_bank_enabled")
    if channels:
        off = [name.replace("_", " ") for name, on in channels.items() if not on]
        row("Contagion channels switched off", ", ".join(off) if off else f"none (all {len(channels)} on)", "channels")
    if not rows:
        return ""
    return f"<table class='levers' data-testid='levers'><caption>Levers in this run</caption>{''.join(rows)}</table>"


def _headline(s: Summary) -> str:
    cf = s.counterfactual
    last = s.months
    losses = s.losses_bn
    rows = []
    for key, (label, meaning) in MEASURES.items():
        measure = getattr(losses, key)
        cell = _cell(None, key, "n/a: no counterfactual") if measure is None else _cell(measure.total, key)
        rows.append(
            f"<tr data-measure='{key}'><th scope='row'>{esc(label)}, all sectors, at month {last}"
            f"<span class='meaning'>{esc(meaning)}</span></th>{cell}</tr>"
        )
    eq = s.system_equity_bn
    rows.append(
        f"<tr><th scope='row'>System book equity at month 0<span class='meaning'>all institutions</span></th>"
        f"{_cell(eq.start, 'system_equity_start')}</tr>"
        f"<tr><th scope='row'>System book equity at month {last}<span class='meaning'>this run; not net of money "
        f"raised or paid out, unlike the shortfall above</span></th>{_cell(eq.end, 'system_equity_end')}</tr>"
    )
    if cf:
        rows.append(
            f"<tr><th scope='row'>System book equity at month {last} in the counterfactual<span class='meaning'>"
            f"{esc(cf)}, same seed</span></th>{_cell(eq.counterfactual_end, 'system_equity_counterfactual_end')}</tr>"
        )
    if s.central_bank_lending_bn_peak:
        rows.append(
            "<tr><th scope='row'>Central-bank lending, peak</th>"
            f"{_cell(s.central_bank_lending_bn_peak, 'central_bank_lending_bn_peak')}</tr>"
        )
    total = sum(s.institutions_by_kind.values())
    against = (
        f"against <b>{esc(cf)}</b> with the same seed: the same world without this scenario's shock"
        if cf
        else "<b>no counterfactual</b>: this run is the baseline other scenarios are measured against"
    )
    firsts = []
    for key, label in (("first_breach", "covenant breach"), ("first_default", "default")):
        event = getattr(s, key)
        new = " the counterfactual does not have" if cf else ""
        text = f"month {event.month}: {event.message}" if event else f"none in {last} months"
        firsts.append(f"<li data-testid='{key}'><b>First {label}{new}:</b> {esc(text)}</li>")
    sentiment = s.sentiment
    return (
        "<section id='headline'><h2>Headline measures against the counterfactual</h2>"
        f"<p>Measured at month {last}, {against}. Money in US$ bn.</p>"
        "<table class='headline' data-testid='headline'><thead><tr><th>Measure</th><th class='num'>US$ bn</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<p data-testid='defaults'><b>Institutions in default at month {last}:</b> "
        f"<span data-value='{s.defaults_total}'>{s.defaults_total}</span> of {total}.</p>"
        f"<ul class='firsts'>{''.join(firsts)}</ul>"
        f"<p><b>Market sentiment</b> (1 = month 0): {_num(sentiment.start)} at month 0, {_num(sentiment.end)} at "
        f"month {last}. <b>Events logged:</b> {s.events_total}.</p>"
        "</section>"
    )


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def _sectors(s: Summary) -> str:
    losses = s.losses_bn
    shown = [k for k in MEASURES if getattr(losses, k) is not None]
    head = "".join(f"<th class='num'>{esc(MEASURES[k][0])}</th>" for k in shown)
    rows = []
    for kind, count in s.institutions_by_kind.items():
        cells = "".join(_cell(getattr(losses, k).by_sector.get(kind), f"{k}:{kind}") for k in shown)
        defaults = s.defaults_by_kind.get(kind, 0)
        rows.append(
            f"<tr data-sector='{esc(kind)}'><th scope='row'>{esc(SECTOR_LABELS.get(kind, kind))}</th>"
            f"<td class='num'>{defaults} of {count}</td>{cells}</tr>"
        )
    totals = "".join(_cell(getattr(losses, k).total, f"{k}:total") for k in shown)
    rows.append(
        f"<tr class='total'><th scope='row'>All sectors</th><td class='num'>{s.defaults_total} of "
        f"{sum(s.institutions_by_kind.values())}</td>{totals}</tr>"
    )
    return (
        "<section id='sectors'><h2>Defaults and losses by sector</h2>"
        f"<table data-testid='sectors'><caption>At month {s.months}, US$ bn</caption><thead><tr><th>Sector</th>"
        f"<th class='num'>Defaults</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _gpu_prices(s: Summary) -> str:
    if not s.gpu_prices:
        return ""
    cf = s.counterfactual
    head = ["Generation", "Month 0", "Lowest (month)", f"Month {s.months}", "Peak fall"]
    if cf:
        head += [f"Month {s.months} in the counterfactual", "Most below the counterfactual (month)"]
    rows = []
    for gen, p in s.gpu_prices.items():
        fall = "n/a" if p.peak_fall_pct is None else f"{p.peak_fall_pct:.1f}%"
        cells = [
            f"<th scope='row'>{esc(gen)}</th>",
            _cell(p.start_k_usd, f"gpu:{gen}:start"),
            f"<td class='num'>{bn(p.min_k_usd)} ({p.min_month})</td>",
            _cell(p.end_k_usd, f"gpu:{gen}:end"),
            f"<td class='num'>{fall}</td>",
        ]
        if cf:
            gap = "never" if not p.largest_gap_pct else f"{p.largest_gap_pct:.1f}% ({p.largest_gap_month})"
            cells += [_cell(p.counterfactual_end_k_usd, f"gpu:{gen}:counterfactual_end"), f"<td class='num'>{gap}</td>"]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th{' class=num' if n else ''}>{esc(h)}</th>" for n, h in enumerate(head))
    return (
        "<section id='gpu'><h2>GPU secondary-market prices</h2><table data-testid='gpu-prices'>"
        f"<caption>US$ thousand per GPU</caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody>"
        "</table></section>"
    )


def timeline_events(events: list[Event]) -> list[tuple[Event, list[str]]]:
    """The timeline's events in time order, each with why it is listed: one of the
    :data:`TIMELINE_TOP` most important (as ``aicontagion run`` prints them), a default, a covenant
    breach or a shock.
    """
    top = {id(e) for e in most_important(events, top=TIMELINE_TOP)}
    listed = []
    for e in events:
        why = [f"top {TIMELINE_TOP} by size"] if id(e) in top else []
        if e.kind in _ALWAYS:
            why.append(_ALWAYS[e.kind])
        if why:
            listed.append((e, why))
    return listed


def _timeline(events: list[Event]) -> str:
    listed = timeline_events(events)
    intro = (
        f"<p>The {TIMELINE_TOP} most important events by economic size (as <code>aicontagion run</code> lists "
        "them), every default, covenant breach and shock, in time order. Click a row to see its month in the "
        "replay below.</p>"
    )
    if not listed:
        return f"<section id='timeline'><h2>Timeline of important events</h2>{intro}<p>None: nothing happened that the event log records as important.</p></section>"
    rows = "".join(
        f"<tr class='tl-row sev-{min(SEVERITY.get(e.kind, 0), 10)}' data-month='{e.month}' data-kind='{esc(e.kind)}' "
        f"tabindex='0'><td class='num'>{e.month}</td><td class='kind'>{esc(e.kind.replace('_', ' '))}</td>"
        f"<td>{esc(e.message)}</td><td class='why'>{esc(', '.join(why))}</td></tr>"
        for e, why in listed
    )
    return (
        f"<section id='timeline'><h2>Timeline of important events</h2>{intro}"
        "<table class='timeline' data-testid='timeline'><thead><tr><th class='num'>Month</th><th>Kind</th>"
        f"<th>What happened</th><th>Listed as</th></tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _replay(run: RunFolder) -> str:
    data = replay_data(run.agents, run.events, run.timeseries)
    last = data["months"][-1]
    svg = network_svg(run.agents, run.graph, 0)
    edges_note = (
        f"Arrows: the contracts at the end of the run (month {last}, graph.json), from the holder of the claim to "
        "the obligor; hover one for its kind and amount."
        if run.graph is not None
        else "The run did not write its final deal graph (graph.json), so no contracts are drawn."
    )
    legend = "".join(
        f"<span class='chip' data-status='{st}'><span class='dot' style='background:{STATUS_COLOURS[st]}'></span>"
        f"{st} <b class='count'>0</b></span>"
        for st in STATUSES
    )
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        "<section id='replay'><h2>The deal network month by month</h2>"
        "<p>Move the slider (or use the arrow keys, ◀ ▶, or Play) to replay the cascade: each institution is "
        "coloured by its status in that month, and the month's serious events are listed beside it (their "
        f"institutions ringed). Node size: total assets at month 0. {esc(edges_note)}</p>"
        f"<div class='replay' data-testid='replay' data-month='0'>"
        f"<div class='rp-figure'>{svg}</div>"
        "<div class='rp-side'>"
        f"<div class='rp-controls'><button type='button' id='rp-prev' aria-label='previous month'>◀</button>"
        f"<input type='range' id='rp-month' min='0' max='{last}' step='1' value='0' aria-label='month'>"
        f"<button type='button' id='rp-next' aria-label='next month'>▶</button>"
        "<button type='button' id='rp-play'>Play</button></div>"
        f"<p class='rp-month'><span id='rp-month-label' data-testid='replay-month'>Month 0</span> of {last}</p>"
        f"<div class='legend' id='rp-counts' data-testid='status-counts'>{legend}</div>"
        "<p class='rp-totals' id='rp-totals' data-testid='replay-totals'></p>"
        f"<h3>Serious events this month <span class='muted'>(up to {MONTH_EVENTS_SHOWN})</span></h3>"
        "<ul class='rp-events' id='rp-events' data-testid='replay-events'></ul>"
        "</div></div>"
        f"<script type='application/json' id='rp-data'>{payload}</script>"
        "</section>"
    )


def _figures(run: RunFolder, timeseries_png: bytes | None, timeseries_note: str) -> str:
    parts = ["<section id='figures'><h2>Figures</h2>"]
    if timeseries_png is not None:
        parts.append(
            f"<figure>{_png(timeseries_png, 'Time series of the run', 'timeseries-figure')}<figcaption>Time series, "
            f"month by month: GPU prices (US$ thousand per GPU), losses by sector (US$ bn), defaults, sentiment and "
            f"AI demand, private-credit NAV (US$ bn), capital ratios. {esc(timeseries_note)}</figcaption></figure>"
        )
    else:
        parts.append(f"<p class='muted'>No time-series figure: {esc(timeseries_note)}</p>")
    if run.network_png is not None:
        parts.append(
            f"<figure>{_png(run.network_png, 'The deal network at the end of the run', 'network-figure')}"
            f"<figcaption>The deal network at month {run.summary.months} (network.png): colour = status, size = "
            "total assets, grey bands = circular deals.</figcaption></figure>"
        )
    else:
        parts.append(
            "<p class='muted'>No network figure: the run did not write network.png (it stopped in the middle of a "
            "month, so the final deal graph was not saved).</p>"
        )
    parts.append("</section>")
    return "".join(parts)


def _about(run: RunFolder) -> str:
    items = "".join(f"<dt>{esc(label)}</dt><dd>{esc(meaning)}.</dd>" for label, meaning in MEASURES.values())
    return (
        "<section id='about'><h2>What the measures mean</h2>"
        f"<dl>{items}<dt>Counterfactual</dt><dd>The same world with the same seed and the same random draws, "
        "without this scenario's shock; shortfalls are measured against it. A headline never mixes realised "
        "losses, unrealised marks and shortfalls.</dd>"
        "<dt>Statuses</dt><dd>healthy; stressed (a low equity ratio, or cash below its liquidity buffer); "
        "breached (a covenant of one of its loans is breached, or the loan accelerated); defaulted (it could not "
        "pay what was due, and is being wound up). A worse status wins when several apply.</dd></dl>"
        f"<p class='muted'>Made by <code>aicontagion report</code> from the files of {esc(str(run.path))}: "
        f"{esc(', '.join(run.summary.files))}. Money in US$ bn, time in months.</p></section>"
    )


def build_page(run: RunFolder, timeseries_png: bytes | None, timeseries_note: str) -> str:
    """The whole report for ``run`` as one HTML document (a string)."""
    from simulator.cli.report.assets import CSS, SCRIPT

    s = run.summary
    title = f"aicontagion report: {s.scenario}, seed {s.seed if s.seed is not None else 'not recorded'}"
    body = "".join(
        [
            _header(run),
            "<main>",
            _setup(s),
            _headline(s),
            _sectors(s),
            _gpu_prices(s),
            _timeline(run.events),
            _replay(run),
            _figures(run, timeseries_png, timeseries_note),
            _about(run),
            "</main>",
        ]
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='aicontagion report'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body>{body}<script>{SCRIPT}</script></body></html>\n"
    )


assert set(_ALWAYS) <= set(SEVERITY), "the timeline's kinds are event kinds"
