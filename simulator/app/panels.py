"""The page's panels, as Solara components: deal network, time series, event log, inspector,
systemic ranking and circular deals in the grid; the summary bar and the scenario card.

Each panel reads the model through :mod:`simulator.views` and the HTML / SVG builders
(:mod:`simulator.app.markup`, :mod:`simulator.app.network_svg`, :mod:`simulator.app.chart_svg`),
and shares the session's picks through :mod:`simulator.app.session`. No model logic here.
"""

from __future__ import annotations

import ipyvuetify as v
import solara
import traitlets
from mesa.visualization.utils import force_update, update_counter

from agents.names import EVENT_KINDS
from networks import STATUSES
from simulator import views
from simulator.app.chart_svg import timeseries_html
from simulator.app.markup import (
    _severity_class,
    _shock_help,
    _status_dot,
    esc,
    fmt_bn,
    fmt_pct,
    fmt_ratio,
    inspector_html,
    kind_label,
)
from simulator.app.network_svg import _legend_html, network_svg
from simulator.app.session import (
    chosen_lesson,
    chosen_scenario,
    chosen_seed,
    current_selection,
    debtrank_method,
    event_all_months,
    event_institution,
    event_kind,
    highlight_choice,
    lesson_highlight,
    reset_lesson_progress,
    run_message,
    run_to_month,
    selected_name,
    use_language,
)
from simulator.config import scenario_names
from simulator.events import event_sentence
from simulator.i18n import gettext_for, scenario_description
from simulator.model import ContagionModel
from simulator.words import status_label

MAX_MONTH = 600
EVENTS_SHOWN = 200


# =============================================================================== deal network
class NetworkView(v.VuetifyTemplate):
    """Shows the SVG; a click on a node calls ``on_pick(name)``."""

    template = traitlets.Unicode("""
<template>
  <div class="aic-net" v-html="svg" @click="pick"></div>
</template>
<script>
module.exports = {
  methods: {
    pick(event) {
      const node = event.target.closest("[data-name]");
      if (node) { this.pick_node(node.getAttribute("data-name")); }
    }
  }
}
</script>
""").tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    on_pick = traitlets.Callable(None, allow_none=True)

    def vue_pick_node(self, name):
        if self.on_pick is not None:
            self.on_pick(name)


@solara.component
def DealNetwork(model: ContagionModel):
    """Deal network: fixed sector layout, status colours, contract styles, circular deals."""
    update_counter.get()
    lang = use_language()
    _ = gettext_for(lang, "app")
    selected = current_selection(model)
    deals = views.circular_deals(model, max_length=4)
    labels = {" → ".join(d["names"]): d for d in deals}
    # The session keeps "no circular deals", "all circular deals" (in English) or a cycle.
    shown_as = {"no circular deals": _("no circular deals"), "all circular deals": _("all circular deals")}
    kept_as = {label: kept for kept, label in shown_as.items()}
    no_deals, all_deals = shown_as.values()
    choices = [no_deals, all_deals, *labels]
    choice = shown_as.get(highlight_choice.value, highlight_choice.value)
    choice = choice if choice in choices else no_deals
    if choice == all_deals:
        cycles = [d["nodes"] for d in deals]
    elif choice in labels:
        cycles = [labels[choice]["nodes"]]
    else:
        cycles = []
    svg = network_svg(model, selected, cycles, highlighted=lesson_highlight.value, lang=lang)
    kinds_present = {k for _, _, k in model.deal_graph().edges(data="kind")}
    fig = views.key_figures(model, selected)
    with solara.Column(gap="4px", classes=["aic-panel"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{_('Deal network')}</b> <span class='aic-muted'>· "
            f"{_('hover a node for its figures, click to inspect it')}</span>",
            classes=["aic-title"],
        )
        with solara.Row(gap="8px", style="align-items: center"):
            solara.Select(
                _("Highlight"),
                values=choices,
                value=choice,
                on_value=lambda label: highlight_choice.set(kept_as.get(label or "", label or "no circular deals")),
                dense=True,
                style="max-width: 300px",
            )
            solara.Select(
                _("Institution"),
                values=list(model.names),
                value=selected,
                on_value=selected_name.set,
                dense=True,
                style="max-width: 200px",
            )
        NetworkView.element(svg=svg, on_pick=selected_name.set)
        solara.HTML(
            tag="div",
            classes=["aic-small", "aic-keyfigs"],
            unsafe_innerHTML=(
                f"{_status_dot(fig['status'])}<b>{esc(fig['name'])}</b> ({kind_label(fig['kind'], lang)}, "
                f"{status_label(fig['status'], lang)}): "
                + _("assets {assets} · equity {equity} · cash {cash} · LTV {ltv} · DSCR {dscr}").format(
                    assets=fmt_bn(fig["total_assets_bn"]),
                    equity=fmt_bn(fig["equity_bn"]),
                    cash=fmt_bn(fig["cash_bn"]),
                    ltv=fmt_pct(fig["ltv"]),
                    dscr=fmt_ratio(fig["dscr"]),
                )
            ),
        )
        solara.HTML(tag="div", unsafe_innerHTML=_legend_html(model, kinds_present, lang))


# =============================================================================== time series
@solara.component
def TimeSeries(model: ContagionModel):
    """GPU prices, losses, defaults, sentiment, capital ratios, fire sales: one point per month."""
    update_counter.get()
    lang = use_language()
    _ = gettext_for(lang, "app")
    df = model.datacollector.get_model_vars_dataframe()
    with solara.Column(gap="2px", classes=["aic-panel"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=f"<b>{_('Time series')}</b> <span class='aic-muted'>· "
            f"{_('one point per month; hover a line for its latest value')}</span>",
            classes=["aic-title"],
        )
        solara.HTML(tag="div", classes=["aic-scroll"], unsafe_innerHTML=timeseries_html(df, lang))


# =============================================================================== event log
@solara.component
def EventLog(model: ContagionModel):
    """The month's events as sentences, newest first; filter by kind and institution."""
    update_counter.get()
    lang = use_language()
    _ = gettext_for(lang, "app")
    kinds_seen = sorted({e.kind for e in model.events}, key=lambda k: EVENT_KINDS.index(k) if k in EVENT_KINDS else 99)
    all_kinds, all_institutions = _("all kinds"), _("all institutions")
    kind_of = {kind_label(k, lang): k for k in kinds_seen}  # the label shown -> the kind
    kind_values = [all_kinds, *kind_of]
    inst_values = [all_institutions, *model.names]
    kinds = event_kind.value if event_kind.value in kinds_seen else None  # (the session keeps the kind itself)
    inst = event_institution.value if event_institution.value in model.names else all_institutions
    who = None if inst == all_institutions else inst
    if event_all_months.value:
        events = views.event_log(model, kinds=kinds, institution=who, limit=EVENTS_SHOWN)
        scope = _("all months")
    else:
        events = views.events_for_month(model, kinds=kinds, institution=who)
        scope = _("month {month}").format(month=model.month)
    rows = "".join(
        f"<li class='aic-event' data-kind='{e.kind}' data-month='{e.month}'>"
        f"<span class='aic-month'>m{e.month}</span><span class='aic-kind {_severity_class(e.kind)}'>{kind_label(e.kind, lang)}</span>"
        f"<span class='aic-msg'>{esc(event_sentence(e, lang))}</span></li>"
        for e in events[:EVENTS_SHOWN]
    )
    if not rows:
        empty = _("No events in {scope} for these filters.") if kinds or who else _("No events in {scope}.")
        rows = f"<li class='aic-muted aic-empty'>{esc(empty.format(scope=scope))}</li>"
    count = (
        _("{count} events in {scope}, newest first")
        if len(events) != 1
        else _("{count} event in {scope}, newest first")
    )
    with solara.Column(gap="4px", classes=["aic-panel"]):
        solara.HTML(
            tag="div",
            classes=["aic-title"],
            unsafe_innerHTML=(
                f"<b>{_('Event log')}</b> <span class='aic-muted'>· {count.format(count=len(events), scope=scope)}</span>"
            ),
        )
        with solara.Row(gap="8px", style="align-items: center"):
            solara.Select(
                _("Kind"),
                values=kind_values,
                value=kind_label(kinds, lang) if kinds else all_kinds,
                on_value=lambda label: event_kind.set(kind_of.get(label, "all kinds")),
                dense=True,
                style="max-width: 170px",
            )
            solara.Select(
                _("Institution"),
                values=inst_values,
                value=inst,
                on_value=event_institution.set,
                dense=True,
                style="max-width: 170px",
            )
            solara.Checkbox(label=_("all months"), value=event_all_months.value, on_value=event_all_months.set)
        solara.HTML(
            tag="ul",
            classes=["aic-events", "aic-scroll"],
            unsafe_innerHTML=rows,
            attributes={"data-month": str(model.month), "data-count": str(len(events))},
        )


# =============================================================================== inspector
@solara.component
def Inspector(model: ContagionModel):
    """Choose an institution: balance sheet, loans and covenant headroom, exposures, round trip."""
    update_counter.get()
    lang = use_language()
    _ = gettext_for(lang, "app")
    name = current_selection(model)
    with solara.Column(gap="4px", classes=["aic-panel"]):
        with solara.Row(gap="8px", style="align-items: center"):
            solara.HTML(tag="div", unsafe_innerHTML=f"<b>{_('Inspector')}</b>", classes=["aic-title"])
            solara.Select(
                _("Institution"),
                values=list(model.names),
                value=name,
                on_value=selected_name.set,
                dense=True,
                style="max-width: 240px",
            )
        solara.HTML(tag="div", classes=["aic-scroll"], unsafe_innerHTML=inspector_html(model, name, lang))


# =============================================================================== systemic panel
@solara.component
def SystemicRisk(model: ContagionModel):
    """DebtRank: whose failure now would cost the rest of the network the most equity."""
    update_counter.get()
    _ = gettext_for(use_language(), "app")
    method = debtrank_method.value
    try:
        ranking = views.systemic_ranking(model, method=method)
        error = None
    except ImportError:
        ranking, error = [], _("DebtRank is not available (simulator.kernels.cascades is missing).")
    total_equity = float(sum(e for e in views.exposure_inputs(model)[1] if e > 0)) or 1.0
    top = [item for item in ranking if item[1] > 0][:10]
    largest = max((s for _, s in top), default=0.0) or 1.0
    bars = (
        "".join(
            f"<div class='aic-bar-row' data-name='{esc(n)}' data-score='{s:.4f}'><span class='aic-bar-name'>"
            f"{_status_dot(model.institutions[model.index_of[n]].status)}{esc(n)}</span>"
            f"<span class='aic-bar'><span style='width:{100 * s / largest:.1f}%'></span></span>"
            f"<span class='aic-bar-val'>{fmt_bn(s)} <span class='aic-muted'>({fmt_pct(s / total_equity, 1)})</span></span></div>"
            for n, s in top
        )
        or f"<div class='aic-muted aic-small'>{error or _('No institution would pass losses on to others now.')}</div>"
    )
    with solara.Column(gap="4px", classes=["aic-panel"]):
        with solara.Row(gap="8px", style="align-items: center; justify-content: space-between"):
            solara.HTML(
                tag="div",
                classes=["aic-title"],
                unsafe_innerHTML=(
                    f"<b>{_('Systemic risk now')}</b> <span class='aic-muted'>· "
                    f"{_('DebtRank: equity the others would lose if it failed')}</span>"
                ),
            )
            solara.ToggleButtonsSingle(
                value=method, values=["linear", "original"], on_value=debtrank_method.set, dense=True
            )
        solara.HTML(
            tag="div",
            classes=["aic-small", "aic-muted"],
            unsafe_innerHTML=_(
                "Exposures: equity, loans, bonds, credit lines, ABS and fund shares each holder has on the failing "
                "institution, relative to the holder's book equity; % = share of system equity."
            ),
        )
        solara.HTML(
            tag="div",
            classes=["aic-scroll", "aic-bars"],
            unsafe_innerHTML=bars,
            attributes={"data-testid": "debtrank", "data-month": str(model.month), "data-method": method},
        )


@solara.component
def CircularDeals(model: ContagionModel):
    """Cycles of claims: money that goes round and comes back (up to four institutions)."""
    update_counter.get()
    lang = use_language()
    _ = gettext_for(lang, "app")
    deals = views.circular_deals(model, max_length=4)
    items = []
    for deal in deals:
        chain = (
            " ".join(
                f"{esc(link['from'])} <span class='aic-link'>→ {'/'.join(kind_label(k, lang) for k in link['kinds'])} "
                f"{fmt_bn(link['amount_bn'])} →</span>"
                for link in deal["links"]
            )
            + f" {esc(deal['names'][0])}"
        )
        items.append(f"<li data-names='{esc(' → '.join(deal['names']))}'>{chain}</li>")
    body = "".join(items) or f"<li class='aic-muted'>{_('No circular deals in the network now.')}</li>"
    cycles = _("{count} cycles of claims") if len(deals) != 1 else _("{count} cycle of claims")
    with solara.Column(gap="4px", classes=["aic-panel"]):
        solara.HTML(
            tag="div",
            classes=["aic-title"],
            unsafe_innerHTML=(
                f"<b>{_('Circular deals')}</b> <span class='aic-muted'>· {cycles.format(count=len(deals))}; "
                f"{_('largest round-trip first (highlight them in the network)')}</span>"
            ),
        )
        solara.HTML(
            tag="ul",
            classes=["aic-cycles", "aic-scroll"],
            unsafe_innerHTML=body,
            attributes={"data-testid": "circular-deals", "data-month": str(model.month)},
        )


# =============================================================================== summary + sidebar
@solara.component
def Summary(model: ContagionModel):
    """One bar above the panels: where the run stands, and any problem with the parameters."""
    update_counter.get()
    lang = use_language()
    _ = gettext_for(lang, "app")
    counts = views.status_counts(model)
    df = model.datacollector.get_model_vars_dataframe()
    last = df.iloc[-1]
    chips = "".join(
        f"<span class='aic-chip' data-status='{s}' data-count='{counts[s]}'>{_status_dot(s)}{status_label(s, lang)} "
        f"<b>{counts[s]}</b></span>"
        for s in STATUSES
    )
    cf = model.counterfactual
    if cf is None:
        labels = {"covenant_breach": (_("First covenant breach"), _("No covenant breach yet.")),
                  "default": (_("First default"), _("No default yet."))}  # fmt: skip
    else:
        labels = {
            "covenant_breach": (
                _("First covenant breach the counterfactual does not have"),
                _("No covenant breach the counterfactual does not have yet."),
            ),
            "default": (
                _("First default the counterfactual does not have"),
                _("No default the counterfactual does not have yet."),
            ),
        }
    firsts = []
    for kind, (first_label, none_label) in labels.items():
        event = views.first_new_event(model, kind)
        firsts.append(
            f"<span class='aic-small' data-testid='first-{kind}'>{first_label}: "
            + _("month {month}: {sentence}").format(month=event.month, sentence=esc(event_sentence(event, lang)))
            + "</span>"
            if event
            else f"<span class='aic-small aic-muted' data-testid='first-{kind}'>{none_label}</span>"
        )
    breach = "<br>".join(firsts)
    if cf is None:
        against = f"<span class='aic-muted'>{_('(no counterfactual: the baseline)')}</span>"
    else:
        against = _("market value {market_value} and book equity {book_equity} below <b>{counterfactual}</b>").format(
            market_value=fmt_bn(last["market_value_shortfall_bn_total"]),
            book_equity=fmt_bn(last["equity_shortfall_bn_total"]),
            counterfactual=esc(cf.name),
        )
    losses = _("realised losses {realised} · unrealised {unrealised} · {against}").format(
        realised=fmt_bn(last["realised_losses_bn_total"]),
        unrealised=fmt_bn(last["unrealised_losses_bn_total"]),
        against=against,
    )
    with solara.Column(gap="2px", classes=["aic-summary"]):
        solara.HTML(
            tag="div",
            attributes={
                "data-testid": "summary",
                "data-month": str(model.month),
                "data-defaulted": str(counts["defaulted"]),
            },
            unsafe_innerHTML=(
                f"<b class='aic-scn'>{esc(model.config.name)}</b> · "
                f"<b data-testid='month'>{_('month {month}').format(month=model.month)}</b> · "
                + _("seed {seed}").format(seed=model.setup.seed)
                + f" · {chips} · "
                + _("sentiment {sentiment:.2f}").format(sentiment=float(last["sentiment"]))
                + f"<br><span data-testid='losses'>{losses}</span><br>{breach}"
            ),
        )
        if model.setup.error:
            not_applied = (
                _("Not applied: {error}. Running {scenario} with seed {seed} and the levers that were valid.")
                if model.setup.levers
                else _("Not applied: {error}. Running {scenario} with seed {seed} and its own settings.")
            )
            solara.Error(
                not_applied.format(error=model.setup.error, scenario=model.config.name, seed=model.setup.seed),
                dense=True,
                classes=["aic-param-error"],
            )


@solara.component
def ScenarioCard(model: solara.Reactive[ContagionModel]):
    """Scenario picker (loads at once) and "run to month N"."""
    lang = use_language()
    _ = gettext_for(lang, "app")
    current = model.value
    names = scenario_names()
    requested = current.setup.scenario if current.setup.scenario in names else current.config.name

    def load(name: str) -> None:
        # Layout is keyed on the chosen scenario: the whole page starts afresh with it, so the
        # model and every parameter widget start from the new scenario's values.
        run_message.set("")
        chosen_seed.set(current.setup.seed)
        chosen_lesson.set("")  # a scenario picked by hand leaves lesson mode
        reset_lesson_progress()
        chosen_scenario.set(name)

    def run() -> None:
        target = run_to_month.value
        m = model.value
        if target is None or not 1 <= target <= MAX_MONTH:
            run_message.set(_("Choose a month from 1 to {max_month}.").format(max_month=MAX_MONTH))
            return
        if target <= m.month:
            run_message.set(_("Already at month {month}: press Reset to start again.").format(month=m.month))
            return
        run_message.set("")
        m.run_for(int(target - m.month))
        force_update()

    with solara.Card(_("Scenario"), margin=0, classes=["aic-scenario-card"]):
        solara.Select(_("Scenario"), values=names, value=requested, on_value=load)
        solara.HTML(
            tag="div",
            classes=["aic-small", "aic-muted"],
            unsafe_innerHTML=esc(scenario_description(current.config.description or "", lang)),
        )
        with solara.Row(gap="6px", style="align-items: center"):
            solara.InputInt(_("Run to month"), value=run_to_month, dense=True, style="max-width: 130px")
            solara.Button(_("Run"), color="primary", on_click=run, dense=True)
        if run_message.value:
            solara.Warning(run_message.value, dense=True)
        with solara.Details(_("Extra shock: kinds, sizes and targets")):
            solara.HTML(tag="div", unsafe_innerHTML=_shock_help(lang))
        solara.HTML(
            tag="div",
            classes=["aic-small", "aic-muted"],
            unsafe_innerHTML=_(
                "Picking a scenario loads it. The parameters below start at its values; changes apply when "
                "you press <b>Reset</b>. A slider you leave alone keeps the scenario's own detail."
            ),
        )
