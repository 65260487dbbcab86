"""The visual model without a browser: simulator/views.py (plain functions) and the Solara page
rendered with solara's test helpers (``solara.render`` + widget lookups, no server, no browser).

Real-browser tests of the same page are in tests/browser/test_app.py.
"""

from __future__ import annotations

import dataclasses
import re

import ipyvuetify as v
import numpy as np
import pytest
import solara

from agents.names import EVENT_KINDS
from networks import FUNDING_KINDS, STATUSES
from simulator import ContagionModel, views
from simulator.config import LEVERS, ConfigError
from simulator.kernels.cascades import debtrank
from simulator.valuation import covenant_measures


# =============================================================================== fixtures
@pytest.fixture(scope="module")
def cascade() -> ContagionModel:
    """neocloud_default after its month-3 failure (read-only: tests must not step it)."""
    model = ContagionModel("neocloud_default", seed=7)
    model.run_for(4)
    return model


@pytest.fixture(scope="module")
def opening() -> ContagionModel:
    return ContagionModel("baseline_2025", seed=7)


# =============================================================================== views
def test_status_counts_cover_every_institution(cascade):
    counts = views.status_counts(cascade)
    assert list(counts) == list(STATUSES)
    assert sum(counts.values()) == len(cascade.names)
    assert counts["defaulted"] == sum(a.defaulted for a in cascade.institutions) >= 1


@pytest.mark.parametrize("model_name", ["opening", "cascade"])
def test_balance_sheet_adds_up_to_the_ledger(model_name, request):
    model = request.getfixturevalue(model_name)
    assets, equity = model.ledger.assets_bn(), model.ledger.equity_bn()
    for name in model.names:
        bs = views.balance_sheet(model, name)
        i = model.index_of[name]
        assert set(bs["assets_bn"]) == set(views.ASSET_LINES)
        assert set(bs["liabilities_bn"]) == set(views.LIABILITY_LINES)
        assert bs["total_assets_bn"] == pytest.approx(assets[i], rel=1e-9, abs=1e-9)
        assert bs["equity_bn"] == pytest.approx(equity[i], rel=1e-9, abs=1e-9)
        assert bs["total_assets_bn"] - bs["total_liabilities_bn"] == pytest.approx(bs["equity_bn"])
        assert bs["status"] == model.institutions[i].status
        if bs["equity_bn"] > 0:
            assert bs["leverage"] == pytest.approx(bs["total_assets_bn"] / bs["equity_bn"])
        else:
            assert bs["leverage"] is None


def test_balance_sheet_unknown_institution(opening):
    with pytest.raises(KeyError, match="no institution 'Nobody'"):
        views.balance_sheet(opening, "Nobody")


def test_loans_of_measures_covenants_like_the_engine(opening):
    d = opening.ledger.debt
    row = int(np.flatnonzero(np.isfinite(d.ltv_covenant) & d.active)[0])
    borrower, lender = opening.names[d.obligor[row]], opening.names[d.holder[row]]
    loans = {loan["id"]: loan for loan in views.loans_of(opening, borrower)}
    loan = loans[d.ids[row]]
    m = covenant_measures(opening.state)
    assert loan["lender"] == lender and loan["borrower"] == borrower
    assert loan["ltv"] == pytest.approx(m["ltv"][row])
    assert loan["ltv_covenant"] == pytest.approx(d.ltv_covenant[row])
    assert loan["ltv_headroom"] == pytest.approx(d.ltv_covenant[row] - m["ltv"][row])
    assert loan["collateral_value_bn"] == pytest.approx(m["collateral_bn"][row])
    principals = [x["principal_bn"] for x in loans.values()]
    assert principals == sorted(principals, reverse=True)
    # The same loan seen from the lender's side.
    assert d.ids[row] in {x["id"] for x in views.loans_of(opening, lender, role="lender")}
    with pytest.raises(ValueError, match="unknown role"):
        views.loans_of(opening, borrower, role="guarantor")


def test_loans_of_dscr_headroom_has_the_right_sign(cascade):
    for name in cascade.names:
        for loan in views.loans_of(cascade, name):
            if loan["dscr_headroom"] is not None:
                assert loan["dscr_headroom"] == pytest.approx(loan["dscr"] - loan["dscr_covenant"])
            if loan["ltv_covenant"] is None:
                assert loan["ltv_headroom"] is None


def test_largest_exposures_are_sorted_claims(cascade):
    for name in ("Blue Owl", "Nvidia", "Bank A"):
        exposures = views.largest_exposures(cascade, name, top=3)
        assert len(exposures) <= 3
        amounts = [e["amount_bn"] for e in exposures]
        assert amounts == sorted(amounts, reverse=True)
        equity = views.balance_sheet(cascade, name)["equity_bn"]
        for e in exposures:
            assert e["counterparty"] in cascade.names
            if equity > 0:
                assert e["share_of_equity"] == pytest.approx(e["amount_bn"] / equity)


def test_round_trip_ratios_are_shares(opening):
    ratios = views.round_trip(opening)
    assert set(ratios) == set(opening.names)
    assert all(0.0 <= r <= 1.0 for r in ratios.values())
    assert views.round_trip(opening, "Nvidia") == ratios["Nvidia"]
    assert max(ratios.values()) > 0  # the baseline has circular deals


def test_circular_deals_are_closed_chains(opening):
    deals = views.circular_deals(opening, max_length=4)
    assert deals, "the baseline network has circular deals"
    for deal in deals:
        links = deal["links"]
        assert len(links) == len(deal["nodes"]) >= 2
        assert [link["from"] for link in links] == deal["names"]
        assert [link["to"] for link in links] == deal["names"][1:] + deal["names"][:1]
        assert deal["amount_bn"] == pytest.approx(min(link["amount_bn"] for link in links))
    assert [d["amount_bn"] for d in deals] == sorted((d["amount_bn"] for d in deals), reverse=True)


def test_exposure_inputs_use_funding_contracts_only(cascade):
    exposures, _equity, alive = views.exposure_inputs(cascade)
    G = cascade.deal_graph()
    expected = sum(
        data["amount_bn"]
        for u, w, data in G.edges(data=True)
        if data["kind"] in FUNDING_KINDS and alive[u] and alive[w] and u != w
    )
    assert exposures.sum() == pytest.approx(expected)
    assert not exposures[~alive].any() and not exposures[:, ~alive].any()
    assert not alive[[a.index for a in cascade.institutions if a.defaulted]].any()


@pytest.mark.parametrize("method", ["linear", "original"])
def test_systemic_ranking_is_debtrank(cascade, method):
    ranking = views.systemic_ranking(cascade, method=method)
    names = [n for n, _ in ranking]
    scores = [s for _, s in ranking]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0
    defaulted = {a.name for a in cascade.institutions if a.defaulted}
    assert not defaulted & set(names)
    assert not {a.name for a in cascade.institutions if a.kind == "central_bank"} & set(names)
    # The top score is DebtRank's R (net of the shock, equity weights) in US$ bn.
    exposures, equity, alive = views.exposure_inputs(cascade)
    idx = np.flatnonzero(alive)
    top = cascade.index_of[names[0]]
    shocked = (idx == top).astype(float)
    sub_equity = equity[idx]
    result = debtrank(exposures[np.ix_(idx, idx)], sub_equity, shocked, weights=sub_equity, method=method)
    assert scores[0] == pytest.approx(result.R * sub_equity.sum())
    assert scores[0] > 0
    assert views.systemic_ranking(cascade, method=method, top=3) == ranking[:3]


def test_systemic_ranking_rejects_unknown_method(opening):
    with pytest.raises(ValueError, match="method"):
        views.systemic_ranking(opening, method="pagerank")


def test_events_for_month_newest_first_and_filtered(cascade):
    month = 3  # CoreWeave fails
    events = views.events_for_month(cascade, month)
    expected = [e for e in reversed(cascade.events) if e.month == month]
    assert events == expected and events
    defaults = views.events_for_month(cascade, month, kinds="default")
    assert defaults and all(e.kind == "default" for e in defaults)
    assert any("CoreWeave" in e.message for e in defaults)
    mine = views.events_for_month(cascade, month, institution="Blue Owl")
    assert mine and all("Blue Owl" in (e.actor, e.counterparty) for e in mine)
    both = views.events_for_month(cascade, month, kinds=["covenant_breach", "default"], institution="Blue Owl")
    assert all(e.kind in ("covenant_breach", "default") for e in both)
    assert views.events_for_month(cascade) == [e for e in reversed(cascade.events) if e.month == cascade.month]
    with pytest.raises(ValueError, match="unknown event kind"):
        views.events_for_month(cascade, kinds="explosion")
    with pytest.raises(KeyError):
        views.events_for_month(cascade, institution="Nobody")


def test_event_log_limit_and_months(cascade):
    latest = views.event_log(cascade, limit=5)
    assert latest == list(reversed(cascade.events))[:5]
    window = views.event_log(cascade, months=(2, 3))
    assert {e.month for e in window} <= {2, 3}
    assert set(EVENT_KINDS) >= {e.kind for e in window}


def test_key_figures(cascade):
    fig = views.key_figures(cascade, "CoreWeave")
    assert fig["status"] == "defaulted" and fig["defaulted_month"] == 3
    assert fig["name"] == "CoreWeave" and fig["kind"] == "neocloud"
    assert views.default_focus(ContagionModel("baseline_2025", seed=1)) in cascade.names


# =============================================================================== app plumbing
from simulator.app import (  # noqa: E402  (after the views tests: importing the page is slower)
    chart_svg,
    markup,
    network_svg,
    page,
    panels,
    params,
    session,
)


@pytest.mark.parametrize("text, seed", [("7", 7), (" 12 ", 12), (0, 0), ("0042", 42)])
def test_parse_seed_accepts_whole_numbers(text, seed):
    assert params.parse_seed(text) == seed


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "", "4 2", True, -3])
def test_parse_seed_rejects_the_rest(text):
    with pytest.raises(ConfigError, match="Seed must be a whole number"):
        params.parse_seed(text)


def test_knobs_come_from_levers_with_units():
    for knob in params.KNOBS:
        lever = LEVERS[knob.lever]
        lo, hi = knob.bounds()
        assert lever.low - 1e-9 <= lo * knob.scale <= hi * knob.scale <= lever.high + 1e-9
        LEVERS[knob.lever].check(knob.to_lever(lo)), LEVERS[knob.lever].check(knob.to_lever(hi))
        assert re.search(r"\(.+\)", knob.label), f"{knob.label!r} has no unit"
    labels = {k.lever: k.label for k in params.KNOBS}
    assert labels["gpu_depreciation_per_year"] == "GPU depreciation (%/yr)"
    assert set(params.CHANNELS) == {n for n, lev in LEVERS.items() if lev.description.startswith("channel switch")}


def test_untouched_widgets_keep_the_scenario():
    config = params.scenario_config("baseline_2025")
    defaults = params.widget_defaults(config)
    assert params.levers_from_widgets(config, defaults) == {}
    moved = {**defaults, "gpu_depreciation_per_year": 40, "waiver_propensity": 0.1, "refinancing": False}
    assert params.levers_from_widgets(config, moved) == {
        "gpu_depreciation_per_year": 0.4,
        "waiver_propensity": 0.1,
        "refinancing": False,
    }
    shock = {**defaults, "shock_kind": "failure", "shock_target": "Lambda", "shock_size": 0.0, "shock_month": 2}
    assert params.levers_from_widgets(config, shock) == {
        "shock_kind": "failure",
        "shock_target": "Lambda",
        "shock_size": 0.0,
        "shock_month": 2,
    }


def test_app_model_applies_levers_and_ignores_mesas_scenario():
    from mesa.experimental.scenarios import Scenario as MesaScenario

    model = params.AppModel(
        scenario_name="baseline_2025",
        seed="5",
        gpu_market_depth_bn=40,
        central_bank_enabled=True,
        scenario=MesaScenario(),
    )
    assert model.setup.error is None
    assert model.setup.seed == 5
    assert model.setup.scenario == "baseline_2025"
    assert model.setup.levers == {"gpu_market_depth_bn": 40.0, "central_bank_enabled": True}
    assert model.setup.focus in model.names
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.setup.seed = 6
    assert model.config.markets.gpu.market_depth_bn == 40
    assert model.config.central_bank.enabled is True
    # Per-generation depreciation survives when its slider is left alone.
    gens = [g.depreciation_per_year for g in model.config.markets.gpu.generations]
    assert len(set(gens)) > 1


def test_app_model_bad_seed_falls_back_with_a_message():
    model = params.AppModel(scenario_name="baseline_2025", seed="forty-two")
    assert model.setup.seed == params.DEFAULT_SEED
    assert "Seed must be a whole number" in model.setup.error


def test_app_model_invalid_shock_keeps_the_scenario_and_says_why():
    model = params.AppModel(scenario_name="neocloud_default", shock_kind="crypto_crash", shock_size=-0.5)
    assert model.config.name == "neocloud_default"
    assert model.setup.levers == {}
    assert "crypto_crash" in model.setup.error and "[0.0, 0.99]" in model.setup.error
    missing_target = params.AppModel(scenario_name="baseline_2025", shock_kind="failure", shock_size=1.0)
    assert "needs a target" in missing_target.setup.error


def test_app_model_unknown_scenario_falls_back_to_baseline():
    model = params.AppModel(scenario_name="no_such_scenario")
    assert model.config.name == "baseline_2025"
    assert "unknown scenario" in model.setup.error


def test_network_svg_and_charts(cascade):
    svg = network_svg.network_svg(cascade, "Blue Owl", [d["nodes"] for d in views.circular_deals(cascade)])
    nodes = re.findall(r"<g class='aic-node' data-name='([^']*)' data-status='(\w+)'", svg)
    assert [n for n, _ in nodes] == [markup.esc(n) for n in cascade.names]
    assert dict(nodes)["CoreWeave"] == "defaulted"
    assert svg.count("<title>") >= len(cascade.names)
    assert "viewBox='@VIEWBOX@'" not in svg
    charts = chart_svg.timeseries_html(cascade.datacollector.get_model_vars_dataframe())
    assert charts.count("class='aic-chart'") == 8
    assert "GPU price (US$k per GPU)" in charts


# =============================================================================== the page
@solara.component
def _Wrapped():
    page.Layout(children=[page.Page()])


@pytest.fixture
def ui(monkeypatch):
    """The rendered page (sidebar included) and its render context; session state reset."""
    monkeypatch.delenv(params.SCENARIO_ENV, raising=False)
    for state, value in [
        (session.selected_name, ""),
        (session.chosen_scenario, ""),
        (session.chosen_seed, params.DEFAULT_SEED),
        (session.event_kind, "all kinds"),
        (session.event_institution, "all institutions"),
        (session.event_all_months, False),
        (session.highlight_choice, "no circular deals"),
        (session.run_to_month, 24),
        (session.run_message, ""),
    ]:
        state.set(value)
    _box, rc = solara.render(_Wrapped(), handle_error=False)
    yield rc
    rc.close()


def html_with(rc, needle: str) -> str:
    found = [w.unsafe_innerHTML for w in rc.find(solara.widgets.HTML).widgets if needle in (w.unsafe_innerHTML or "")]
    assert found, f"no HTML containing {needle!r}"
    return found[0]


def summary_month(rc) -> int:
    return int(re.search(r"month (\d+)</b>", html_with(rc, "aic-scn")).group(1))


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def test_page_renders_every_panel(ui):
    assert "baseline_2025" in html_with(ui, "aic-scn")
    assert summary_month(ui) == 0
    ui.find(children=["Time: 0.0"]).assert_single()
    svg = ui.find(panels.NetworkView).widget.svg
    assert svg.count("class='aic-node'") == 24
    for marker in ("aic-charts", "data-testid='balance-sheet'", "aic-bar-row", "No events in month 0"):
        html_with(ui, marker)
    ui.find(v.Btn, children=["Reset"]).assert_single()
    ui.find(v.Select, label="Scenario").assert_single()


def test_step_advances_the_model(ui):
    click(ui, "Step")
    click(ui, "Step")
    ui.find(children=["Time: 2.0"]).assert_single()
    assert summary_month(ui) == 2
    assert "data-month='2'" in ui.find(panels.NetworkView).widget.svg
    assert "data-month='2'" in html_with(ui, "aic-charts")


def test_inspector_shows_the_chosen_institution(ui):
    # Choosing in the inspector's picker (the one without "all institutions", after the network's).
    pickers = [w for w in ui.find(v.Select, label="Institution").widgets if "all institutions" not in w.items]
    assert len(pickers) == 2  # network and inspector share the selection
    pickers[-1].v_model = "Blue Owl"
    sheet = html_with(ui, "data-testid='balance-sheet'")
    assert "data-institution='Blue Owl'" in sheet
    # Month 0 of baseline_2025 with the default seed: the same figures as a fresh model's.
    expected = views.balance_sheet(params.AppModel(scenario_name="baseline_2025"), "Blue Owl")
    assert f"<b>{markup.fmt_bn(expected['total_assets_bn'])}</b>" in sheet
    assert "Equity (book)" in sheet
    # The network rings the same institution; clicking a node there picks it too.
    network = ui.find(panels.NetworkView).widget
    assert re.search(r"<circle [^>]*stroke='#111' stroke-width='2.5'/><circle", network.svg)
    network.vue_pick_node("Bank A")
    assert "data-institution='Bank A'" in html_with(ui, "data-testid='balance-sheet'")


def test_bad_seed_shows_a_message(ui):
    seed = ui.find(v.TextField, label="Seed (whole number ≥ 0)").widget
    seed.v_model = "forty-two"
    seed.fire_event("keyup.enter", None)
    click(ui, "Reset")
    error = ui.find(v.Alert).widgets
    assert any("Seed must be a whole number" in str(w.children) for w in error)
    click(ui, "Step")  # still running, with the default seed
    ui.find(children=["Time: 1.0"]).assert_single()


def test_invalid_shock_shows_the_config_error(ui):
    ui.find(v.Select, label="Extra shock: kind").widget.v_model = "crypto_crash"
    ui.find(v.Slider, label="Extra shock: size (share; per yr for rate/growth)").widget.v_model = -0.5
    click(ui, "Reset")
    messages = " ".join(str(w.children) for w in ui.find(v.Alert).widgets)
    assert "crypto_crash" in messages and "must be in [0.0, 0.99]" in messages


def test_scenario_picker_loads_and_reset_keeps_it(ui):
    ui.find(v.Select, label="Scenario").widget.v_model = "neocloud_default"
    assert "neocloud_default" in html_with(ui, "aic-scn")
    click(ui, "Reset")
    for _ in range(3):
        click(ui, "Step")
    summary = html_with(ui, "aic-scn")
    assert "neocloud_default" in summary and "month 3" in summary
    assert "data-status='defaulted' data-count='0'" not in summary
    log = html_with(ui, "class='aic-event'")
    assert re.search(r"breached its|defaulted", log)


def test_run_to_month(ui):
    ui.find(v.TextField, label="Run to month").widget.v_model = "6"
    session.run_to_month.set(6)
    click(ui, "Run")
    ui.find(children=["Time: 6.0"]).assert_single()
    session.run_to_month.set(2)
    click(ui, "Run")
    assert "Already at month 6" in " ".join(str(w.children) for w in ui.find(v.Alert).widgets)
