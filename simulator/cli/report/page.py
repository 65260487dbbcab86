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

from networks import STATUS_COLOURS, STATUSES
from simulator.cli.report.folder import RunFolder, SetupShock, Summary
from simulator.cli.report.language import _, current_language
from simulator.cli.report.replay import MONTH_EVENTS_SHOWN, network_svg, replay_data
from simulator.events import SEVERITY, Event, event_sentence, most_important
from simulator.i18n import N_, scenario_description
from simulator.words import event_kind_label, sector_label, status_label

__all__ = ["TIMELINE_TOP", "build_page", "timeline_events"]

TIMELINE_TOP = 10
"""The timeline lists the ``TIMELINE_TOP`` most important events (as ``aicontagion run`` prints
them: :func:`simulator.events.most_important`), plus every default, covenant breach and shock."""
_ALWAYS = {"default": N_("default"), "covenant_breach": N_("covenant breach"), "shock": N_("shock")}

MEASURES = {
    "realised_losses_bn": (
        N_("Realised losses"),
        N_("written off after recoveries, and discounts taken on assets sold; cumulative, never decrease"),
    ),
    "unrealised_losses_bn": (
        N_("Unrealised losses"),
        N_("marks below cost on assets still held; can recover"),
    ),
    "equity_shortfall_bn": (
        N_("Book equity below the counterfactual"),
        N_("how far book equity falls short of the counterfactual's, both net of shareholders' money since month 0"),
    ),
    "market_value_shortfall_bn": (
        N_("Market value below the counterfactual"),
        N_("how far the market value of equity (net asset value for funds) falls short of the counterfactual's"),
    ),
}
"""The headline measures: label and meaning (messages of the ``app`` domain, translated when shown)."""


# ----------------------------------------------------------------------------- formatting


def esc(text: Any) -> str:
    return escape(str(text), quote=True)


def bn(x: float | None) -> str:
    """US$ bn for a table cell: one decimal (three below 0.05), 'n/a' for none."""
    if x is None:
        return _("n/a")
    return f"{x:,.3f}" if x != 0 and abs(x) < 0.05 else f"{x:,.1f}"


def pct(x: float | None, digits: int = 0) -> str:
    return _("n/a") if x is None else f"{100 * x:.{digits}f}%"


def _cell(value: float | None, key: str, text: str | None = None) -> str:
    data = "" if value is None else f" data-value='{value!r}'"
    return f"<td class='num' data-key='{esc(key)}'{data}>{esc(text if text is not None else bn(value))}</td>"


def _png(data: bytes, alt: str, test_id: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f"<img data-testid='{test_id}' alt='{esc(alt)}' src='data:image/png;base64,{encoded}'>"


# ----------------------------------------------------------------------------- sections


def _header(run: RunFolder) -> str:
    s = run.summary
    seed = _("not recorded") if s.seed is None else str(s.seed)
    asked = s.months_requested
    months = (
        _("{months} months of {asked} asked for").format(months=s.months, asked=asked)
        if asked is not None and asked != s.months
        else _("{months} months").format(months=s.months)
    )
    state = _("complete") if s.complete else _("PARTIAL")
    parts = [
        "<header>",
        f"<p class='kicker'>{esc(_('aicontagion run report · folder {folder}').format(folder=run.path.name or run.path))}</p>",
        f"<h1 data-testid='scenario'>{esc(s.scenario)}</h1>",
        "<p class='facts'>"
        f"<span>{_('seed')} <b data-testid='seed'>{esc(seed)}</b></span>"
        f"<span><b data-testid='months'>{esc(months)}</b> {_('(month 0 = the opening balance sheet)')}</span>"
        f"<span>{_('run')} <b data-testid='run-state' data-complete='{str(s.complete).lower()}'>{state}</b></span>"
        f"<span>{_('measured against')} "
        f"<b data-testid='counterfactual'>{esc(s.counterfactual or _('nothing (no counterfactual)'))}</b></span>"
        "</p>",
    ]
    if not s.complete:
        missing = ", ".join(run.not_written) or _("none")
        parts.append(
            f"<div class='partial' data-testid='partial' role='note'><b>{_('Partial run.')}</b> "
            f"{esc(s.note or _('summary.json says the run is not complete.'))} "
            + esc(
                _("This report covers months 0 to {months} only. Files the run did not write: {missing}.").format(
                    months=s.months, missing=missing
                )
            )
            + "</div>"
        )
    parts.append("</header>")
    return "".join(parts)


def _setup(s: Summary) -> str:
    out = [f"<section id='scenario'><h2>{_('The scenario and its levers')}</h2>"]
    setup = s.setup
    if setup is None:
        missing = _(
            "This run's summary.json does not record its set-up (it was written before aicontagion recorded the "
            "levers and --set values); re-run the scenario to include them."
        )
        out.append(f"<p class='muted' data-testid='setup-missing'>{esc(missing)}</p></section>")
        return "".join(out)
    if setup.description:
        out.append(f"<p class='description'>{esc(scenario_description(setup.description, current_language()))}</p>")
    if setup.shocks:
        rows = "".join(
            f"<tr><td class='num'>{sh.month}</td><td>{esc(sh.kind.replace('_', ' '))}</td>"
            f"<td>{esc(sh.target or '–')}</td><td class='num'>{sh.size:g}</td><td>{esc(_meaning(sh))}</td></tr>"
            for sh in setup.shocks
        )
        out.append(
            f"<table data-testid='shocks'><caption>{_('Shocks')}</caption><thead><tr><th>{_('Month')}</th>"
            f"<th>{_('Kind')}</th><th>{_('Target')}</th><th>{_('Size')}</th><th>{_('Meaning')}</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        out.append(f"<p>{_('No shocks: this run is the world as it stands.')}</p>")
    settings = (
        "".join(f"<li><code>--set {esc(text)}</code></li>" for text in setup.settings)
        or f"<li>{_('none: the scenario as written')}</li>"
    )
    out.append(f"<h3>{_('Changes asked for on the command line')}</h3><ul data-testid='settings'>{settings}</ul>")
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
        row(_("GPU depreciation per year, by generation"), ", ".join(f"{g} {pct(v)}" for g, v in dep.items()),
            "gpu_depreciation_per_year")  # fmt: skip
    labels = {
        "rental_deflation_per_year": (_("GPU rental-rate deflation per year"), pct),
        "ai_revenue_growth_per_year": (_("AI revenue growth per year, before any shock"), pct),
        "gpu_market_depth_bn": (
            _("GPU secondary-market depth: forced sales that cut the price by 1/e, US$ bn"),
            lambda v: f"{v:,.1f}",
        ),
        "base_rate_per_year": (_("Base interest rate per year, before any shock"), lambda v: pct(v, 1)),
    }
    for key, (label, fmt) in labels.items():
        if isinstance(levers.get(key), (int, float)):
            row(label, fmt(levers[key]), key)
    ltv = levers.get("ltv_covenants")
    if isinstance(ltv, list):
        row(_("LTV covenants of GPU-backed loans (loan / collateral value)"),
            ", ".join(pct(v) for v in ltv) or _("none"), "ltv_covenants")  # fmt: skip
    if isinstance(levers.get("central_bank_enabled"), bool):
        row(_("Central-bank backstop"), _("on") if levers["central_bank_enabled"] else _("off"), "central_bank_enabled")
    if channels:
        off = [name.replace("_", " ") for name, on in channels.items() if not on]
        row(_("Contagion channels switched off"),
            ", ".join(off) if off else _("none (all {count} on)").format(count=len(channels)), "channels")  # fmt: skip
    if not rows:
        return ""
    return (
        f"<table class='levers' data-testid='levers'><caption>{_('Levers in this run')}</caption>"
        f"{''.join(rows)}</table>"
    )


def _headline(s: Summary) -> str:
    cf = s.counterfactual
    last = s.months
    losses = s.losses_bn
    rows = []
    for key, (label, meaning) in MEASURES.items():
        measure = getattr(losses, key)
        cell = _cell(None, key, _("n/a: no counterfactual")) if measure is None else _cell(measure.total, key)
        title = _("{measure}, all sectors, at month {month}").format(measure=_(label), month=last)
        rows.append(
            f"<tr data-measure='{key}'><th scope='row'>{esc(title)}"
            f"<span class='meaning'>{esc(_(meaning))}</span></th>{cell}</tr>"
        )
    eq = s.system_equity_bn
    at_month = _("System book equity at month {month}")
    rows.append(
        f"<tr><th scope='row'>{esc(at_month.format(month=0))}<span class='meaning'>{_('all institutions')}</span>"
        f"</th>{_cell(eq.start, 'system_equity_start')}</tr>"
        f"<tr><th scope='row'>{esc(at_month.format(month=last))}<span class='meaning'>"
        f"{_('this run; not net of money raised or paid out, unlike the shortfall above')}</span></th>"
        f"{_cell(eq.end, 'system_equity_end')}</tr>"
    )
    if cf:
        rows.append(
            f"<tr><th scope='row'>{esc(_('System book equity at month {month} in the counterfactual').format(month=last))}"
            f"<span class='meaning'>{esc(_('{counterfactual}, same seed').format(counterfactual=cf))}</span></th>"
            f"{_cell(eq.counterfactual_end, 'system_equity_counterfactual_end')}</tr>"
        )
    if s.central_bank_lending_bn_peak:
        rows.append(
            f"<tr><th scope='row'>{_('Central-bank lending, peak')}</th>"
            f"{_cell(s.central_bank_lending_bn_peak, 'central_bank_lending_bn_peak')}</tr>"
        )
    total = sum(s.institutions_by_kind.values())
    against = (
        _("against <b>{counterfactual}</b> with the same seed: the same world without this scenario's shock").format(
            counterfactual=esc(cf)
        )
        if cf
        else _("<b>no counterfactual</b>: this run is the baseline other scenarios are measured against")
    )
    if cf:
        first_labels = {"first_breach": _("First covenant breach the counterfactual does not have:"),
                        "first_default": _("First default the counterfactual does not have:")}  # fmt: skip
    else:
        first_labels = {"first_breach": _("First covenant breach:"), "first_default": _("First default:")}
    firsts = []
    for key, label in first_labels.items():
        event = getattr(s, key)
        text = (
            _("month {month}: {sentence}").format(
                month=event.month, sentence=event_sentence(event.model_dump(), current_language())
            )
            if event
            else _("none in {months} months").format(months=last)
        )
        firsts.append(f"<li data-testid='{key}'><b>{label}</b> {esc(text)}</li>")
    sentiment = s.sentiment
    return (
        f"<section id='headline'><h2>{_('Headline measures against the counterfactual')}</h2>"
        f"<p>{_('Measured at month {month}, {against}. Money in US$ bn.').format(month=last, against=against)}</p>"
        f"<table class='headline' data-testid='headline'><thead><tr><th>{_('Measure')}</th>"
        f"<th class='num'>{_('US$ bn')}</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<p data-testid='defaults'><b>{_('Institutions in default at month {month}:').format(month=last)}</b> "
        + _("{count} of {total}.").format(
            count=f"<span data-value='{s.defaults_total}'>{s.defaults_total}</span>", total=total
        )
        + f"</p><ul class='firsts'>{''.join(firsts)}</ul><p>"
        + _(
            "<b>Market sentiment</b> (1 = month 0): {start} at month 0, {end} at month {month}. "
            "<b>Events logged:</b> {events}."
        ).format(start=_num(sentiment.start), end=_num(sentiment.end), month=last, events=s.events_total)
        + "</p></section>"
    )


def _num(x: float | None) -> str:
    return _("n/a") if x is None else f"{x:.2f}"


def _sectors(s: Summary) -> str:
    losses = s.losses_bn
    shown = [k for k in MEASURES if getattr(losses, k) is not None]
    head = "".join(f"<th class='num'>{esc(_(MEASURES[k][0]))}</th>" for k in shown)
    rows = []
    for kind, count in s.institutions_by_kind.items():
        cells = "".join(_cell(getattr(losses, k).by_sector.get(kind), f"{k}:{kind}") for k in shown)
        defaults = s.defaults_by_kind.get(kind, 0)
        rows.append(
            f"<tr data-sector='{esc(kind)}'><th scope='row'>{esc(sector_label(kind, current_language()))}</th>"
            f"<td class='num'>{_('{count} of {total}').format(count=defaults, total=count)}</td>{cells}</tr>"
        )
    totals = "".join(_cell(getattr(losses, k).total, f"{k}:total") for k in shown)
    all_of = _("{count} of {total}").format(count=s.defaults_total, total=sum(s.institutions_by_kind.values()))
    rows.append(f"<tr class='total'><th scope='row'>{_('All sectors')}</th><td class='num'>{all_of}</td>{totals}</tr>")
    return (
        f"<section id='sectors'><h2>{_('Defaults and losses by sector')}</h2>"
        f"<table data-testid='sectors'><caption>{_('At month {month}, US$ bn').format(month=s.months)}</caption>"
        f"<thead><tr><th>{_('Sector')}</th><th class='num'>{_('Defaults')}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _gpu_prices(s: Summary) -> str:
    if not s.gpu_prices:
        return ""
    cf = s.counterfactual
    month_n = _("Month {month}")
    head = [_("Generation"), month_n.format(month=0), _("Lowest (month)"), month_n.format(month=s.months),
            _("Peak fall")]  # fmt: skip
    if cf:
        head += [
            _("Month {month} in the counterfactual").format(month=s.months),
            _("Most below the counterfactual (month)"),
        ]
    rows = []
    for gen, p in s.gpu_prices.items():
        fall = _("n/a") if p.peak_fall_pct is None else f"{p.peak_fall_pct:.1f}%"
        cells = [
            f"<th scope='row'>{esc(gen)}</th>",
            _cell(p.start_k_usd, f"gpu:{gen}:start"),
            f"<td class='num'>{bn(p.min_k_usd)} ({p.min_month})</td>",
            _cell(p.end_k_usd, f"gpu:{gen}:end"),
            f"<td class='num'>{fall}</td>",
        ]
        if cf:
            gap = _("never") if not p.largest_gap_pct else f"{p.largest_gap_pct:.1f}% ({p.largest_gap_month})"
            cells += [_cell(p.counterfactual_end_k_usd, f"gpu:{gen}:counterfactual_end"), f"<td class='num'>{gap}</td>"]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    header = "".join(f"<th{' class=num' if n else ''}>{esc(h)}</th>" for n, h in enumerate(head))
    return (
        f"<section id='gpu'><h2>{_('GPU secondary-market prices')}</h2><table data-testid='gpu-prices'>"
        f"<caption>{_('US$ thousand per GPU')}</caption><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody>"
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
        why = [_("top {count} by size").format(count=TIMELINE_TOP)] if id(e) in top else []
        if e.kind in _ALWAYS:
            why.append(_(_ALWAYS[e.kind]))
        if why:
            listed.append((e, why))
    return listed


def _timeline(events: list[Event]) -> str:
    listed = timeline_events(events)
    lang = current_language()
    intro = (
        "<p>"
        + _(
            "The {count} most important events by economic size (as <code>aicontagion run</code> lists them), every "
            "default, covenant breach and shock, in time order. Click a row to see its month in the replay below."
        ).format(count=TIMELINE_TOP)
        + "</p>"
    )
    heading = f"<h2>{_('Timeline of important events')}</h2>"
    if not listed:
        none = _("None: nothing happened that the event log records as important.")
        return f"<section id='timeline'>{heading}{intro}<p>{none}</p></section>"
    rows = "".join(
        f"<tr class='tl-row sev-{min(SEVERITY.get(e.kind, 0), 10)}' data-month='{e.month}' data-kind='{esc(e.kind)}' "
        f"tabindex='0'><td class='num'>{e.month}</td><td class='kind'>{esc(event_kind_label(e.kind, lang))}</td>"
        f"<td>{esc(event_sentence(e, lang))}</td><td class='why'>{esc(_(', ').join(why))}</td></tr>"
        for e, why in listed
    )
    return (
        f"<section id='timeline'>{heading}{intro}"
        f"<table class='timeline' data-testid='timeline'><thead><tr><th class='num'>{_('Month')}</th>"
        f"<th>{_('Kind')}</th><th>{_('What happened')}</th><th>{_('Listed as')}</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _replay(run: RunFolder) -> str:
    lang = current_language()
    data = replay_data(run.agents, run.events, run.timeseries, lang)
    data["words"] = _replay_words()
    last = data["months"][-1]
    svg = network_svg(run.agents, run.graph, 0, lang)
    edges_note = (
        _(
            "Arrows: the contracts at the end of the run (month {month}, graph.json), from the holder of the claim "
            "to the obligor; hover one for its kind and amount."
        ).format(month=last)
        if run.graph is not None
        else _("The run did not write its final deal graph (graph.json), so no contracts are drawn.")
    )
    legend = "".join(
        f"<span class='chip' data-status='{st}'><span class='dot' style='background:{STATUS_COLOURS[st]}'></span>"
        f"{status_label(st, lang)} <b class='count'>0</b></span>"
        for st in STATUSES
    )
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (
        f"<section id='replay'><h2>{_('The deal network month by month')}</h2><p>"
        + _(
            "Move the slider (or use the arrow keys, ◀ ▶, or Play) to replay the cascade: each institution is "
            "coloured by its status in that month, and the month's serious events are listed beside it (their "
            "institutions ringed). Node size: total assets at month 0."
        )
        + f" {esc(edges_note)}</p>"
        f"<div class='replay' data-testid='replay' data-month='0'>"
        f"<div class='rp-figure'>{svg}</div>"
        "<div class='rp-side'>"
        f"<div class='rp-controls'><button type='button' id='rp-prev' aria-label='{_('previous month')}'>◀</button>"
        f"<input type='range' id='rp-month' min='0' max='{last}' step='1' value='0' aria-label='{_('month')}'>"
        f"<button type='button' id='rp-next' aria-label='{_('next month')}'>▶</button>"
        f"<button type='button' id='rp-play'>{_('Play')}</button></div>"
        f"<p class='rp-month'><span id='rp-month-label' data-testid='replay-month'>"
        f"{_('Month {month}').format(month=0)}</span> {_('of {last}').format(last=last)}</p>"
        f"<div class='legend' id='rp-counts' data-testid='status-counts'>{legend}</div>"
        "<p class='rp-totals' id='rp-totals' data-testid='replay-totals'></p>"
        f"<h3>{_('Serious events this month')} <span class='muted'>"
        f"{_('(up to {count})').format(count=MONTH_EVENTS_SHOWN)}</span></h3>"
        "<ul class='rp-events' id='rp-events' data-testid='replay-events'></ul>"
        "</div></div>"
        f"<script type='application/json' id='rp-data'>{payload}</script>"
        "</section>"
    )


def _figures(run: RunFolder, timeseries_png: bytes | None, timeseries_note: str) -> str:
    parts = [f"<section id='figures'><h2>{_('Figures')}</h2>"]
    if timeseries_png is not None:
        caption = _(
            "Time series, month by month: GPU prices (US$ thousand per GPU), losses by sector (US$ bn), defaults, "
            "sentiment and AI demand, private-credit NAV (US$ bn), capital ratios."
        )
        parts.append(
            f"<figure>{_png(timeseries_png, _('Time series of the run'), 'timeseries-figure')}<figcaption>"
            f"{caption} {esc(timeseries_note)}</figcaption></figure>"
        )
    else:
        parts.append(f"<p class='muted'>{_('No time-series figure:')} {esc(timeseries_note)}</p>")
    if run.network_png is not None:
        caption = _(
            "The deal network at month {month} (network.png): colour = status, size = total assets, grey bands = "
            "circular deals."
        ).format(month=run.summary.months)
        parts.append(
            f"<figure>{_png(run.network_png, _('The deal network at the end of the run'), 'network-figure')}"
            f"<figcaption>{caption}</figcaption></figure>"
        )
    else:
        none = _(
            "No network figure: the run did not write network.png (it stopped in the middle of a month, so the "
            "final deal graph was not saved)."
        )
        parts.append(f"<p class='muted'>{none}</p>")
    parts.append("</section>")
    return "".join(parts)


def _about(run: RunFolder) -> str:
    items = "".join(f"<dt>{esc(_(label))}</dt><dd>{esc(_(meaning))}.</dd>" for label, meaning in MEASURES.values())
    counterfactual = _(
        "The same world with the same seed and the same random draws, without this scenario's shock; shortfalls "
        "are measured against it. A headline never mixes realised losses, unrealised marks and shortfalls."
    )
    statuses = _(
        "healthy; stressed (a low equity ratio, or cash below its liquidity buffer); breached (a covenant of one "
        "of its loans is breached, or the loan accelerated); defaulted (it could not pay what was due, and is "
        "being wound up). A worse status wins when several apply."
    )
    made_by = _(
        "Made by <code>aicontagion report</code> from the files of {folder}: {files}. Money in US$ bn, time in months."
    ).format(folder=esc(str(run.path)), files=esc(", ".join(run.summary.files)))
    return (
        f"<section id='about'><h2>{_('What the measures mean')}</h2>"
        f"<dl>{items}<dt>{_('Counterfactual')}</dt><dd>{counterfactual}</dd>"
        f"<dt>{_('Statuses')}</dt><dd>{statuses}</dd></dl>"
        f"<p class='muted'>{made_by}</p></section>"
    )


def build_page(run: RunFolder, timeseries_png: bytes | None, timeseries_note: str) -> str:
    """The whole report for ``run`` as one HTML document (a string)."""
    from simulator.cli.report.assets import CSS, SCRIPT

    s = run.summary
    title = _("aicontagion report: {scenario}, seed {seed}").format(
        scenario=s.scenario, seed=s.seed if s.seed is not None else _("not recorded")
    )
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
        f"<!DOCTYPE html>\n<html lang='{_HTML_LANG[current_language()]}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='aicontagion report'><title>{esc(title)}</title>"
        f"<style>{CSS}</style></head><body>{body}<script>{SCRIPT}</script></body></html>\n"
    )


assert set(_ALWAYS) <= set(SEVERITY), "the timeline's kinds are event kinds"

_HTML_LANG = {"en": "en", "zh": "zh-Hans"}
"""The page's ``lang`` attribute for each language (browsers pick fonts and line breaks by it)."""


def _replay_words() -> dict[str, str]:
    """The words of the replay's script (assets.SCRIPT), in the report's language: ``{name}``
    placeholders are filled in by the script.
    """
    return {
        "node": _("{name} ({sector}): {status} at month {month}, book equity {equity}"),
        "month": _("Month {month}"),
        "none": _("No serious events this month"),
        "other": _("{count} other event (routine or less serious: see events.jsonl)"),
        "others": _("{count} other events (routine or less serious: see events.jsonl)"),
        "separator": _("; "),
        "stop": _("."),
        "totals": _("So far: {defaults} in default; realised losses {realised}; unrealised {unrealised}"),
        "short": _("; market value {short} below the counterfactual"),
        "bn": _("US$ {amount} bn"),
        "na": _("n/a"),
        "play": _("Play"),
        "pause": _("Pause"),
    }
