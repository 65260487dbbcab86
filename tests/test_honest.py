"""Honest answers (issue 10): what the headline numbers mean, checked against their
counterfactuals, across scenarios and seeds.

Each test states the claim it checks; docs/validation.md shows the figures and the commands that
produced them.
"""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pytest

from simulator import ContagionModel
from simulator.config import scenario_names
from simulator.crash_stages import crash_stages, in_order
from simulator.events import MATERIAL_BN
from simulator.views import first_new_event

SEEDS = (0, 1, 42)
SHOCKED = [name for name in scenario_names() if name != "baseline_2025"]


@cache
def run(name: str, seed: int, months: int | None = None, **levers) -> ContagionModel:
    model = ContagionModel(name, rng=seed, **levers)
    model.run_for(months if months is not None else model.config.months)
    return model


def table(model: ContagionModel):
    return model.datacollector.get_model_vars_dataframe()


# --------------------------------------------------------------------------- loss measures
@pytest.mark.parametrize("name", scenario_names())
def test_realised_losses_never_decrease(name):
    """Cumulative realised losses never fall, for the system and for every institution."""
    for seed in SEEDS:
        model = run(name, seed)
        total = table(model)["realised_losses_bn_total"].to_numpy()
        assert (np.diff(total) >= -1e-9).all(), (name, seed, total)
        agents = model.datacollector.get_agent_vars_dataframe()["realised_losses_bn"].unstack("AgentID")
        assert (agents.diff().iloc[1:] >= -1e-9).all().all(), (name, seed)


@pytest.mark.parametrize("name", SHOCKED)
def test_no_shock_makes_the_system_richer(name):
    """A shock never leaves the system's book equity or market value above the same seed
    without it (the old headline "system equity rises in a crash" mixed the shock with
    growth, payouts and outside equity).
    """
    for seed in SEEDS:
        model = run(name, seed)
        last = table(model).iloc[-1]
        # Book equity may sit a hair above when the shock only moves money within the system
        # (a rate rise: lenders and cash holders earn what borrowers pay) -- never by 0.1%.
        tolerance = 1e-3 * float(model.counterfactual.at(model.month).equity_bn.sum())
        assert last["equity_shortfall_bn_total"] >= -tolerance, (name, seed, last["equity_shortfall_bn_total"])
        assert last["market_value_shortfall_bn_total"] >= -1e-6, (name, seed)


def test_ai_winter_costs_of_the_order_of_a_trillion_with_every_holder_in_the_table():
    last = table(run("ai_winter", 42)).iloc[-1]
    assert 1_000 <= last["market_value_shortfall_bn_total"] <= 10_000
    assert last["market_value_shortfall_bn_chip_maker"] > 100  # the chip maker's row is not zero
    assert last["market_value_shortfall_bn_retail"] > 0.1  # nor retail's
    assert last["realised_losses_bn_total"] < last["market_value_shortfall_bn_total"]


def test_the_baseline_has_no_counterfactual_and_no_shortfall():
    model = run("baseline_2025", 42)
    assert model.counterfactual is None
    assert table(model)["market_value_shortfall_bn_total"].isna().all()


# --------------------------------------------------------------------------- the counterfactual
def test_common_random_numbers():
    """The run and its counterfactual draw the same exogenous paths: crypto (which no AI shock
    touches) is identical month by month, and AI revenue is identical until the shock.
    """
    model = ContagionModel("ai_winter", rng=7)
    assert model.counterfactual.name == "baseline_2025"
    twin = ContagionModel("baseline_2025", rng=7)  # the counterfactual, stepped alongside
    shock_month = min(s.month for s in model.config.shocks)
    for month in range(1, 25):
        model.step()
        twin.step()
        assert model.drivers.crypto_index == twin.drivers.crypto_index
        if month < shock_month:
            assert model.drivers.ai_revenue_index == twin.drivers.ai_revenue_index
        # and the cached counterfactual is that same run
        assert model.counterfactual.at(month).equity_bn.tolist() == twin.state.views.equity_bn.tolist()
    assert model.drivers.ai_revenue_index != twin.drivers.ai_revenue_index


def test_counterfactual_is_cached_across_runs():
    """Scenarios measured against the same world share one counterfactual run (a sweep pays for
    it once).
    """
    a = ContagionModel("neocloud_default", rng=3)
    b = ContagionModel("backstop", rng=3)  # backstop.yaml names baseline_2025 too
    assert a.counterfactual is b.counterfactual is not None
    assert ContagionModel("neocloud_default", rng=4).counterfactual is not a.counterfactual


# --------------------------------------------------------------------------- events
@pytest.mark.parametrize("name", scenario_names())
def test_no_event_reports_an_amount_that_rounds_to_zero(name):
    for seed in SEEDS:
        for e in run(name, seed).events:
            assert abs(e.amount_bn) >= MATERIAL_BN or e.kind in ("default", "shock"), e
            # "$0M" in a sentence is only ever a payment cut to nothing.
            if "$0M" in e.message:
                assert re.search(r"to \$0M of a planned", e.message), e


def test_first_breach_and_default_are_new_to_the_shock_and_tell_scenarios_apart():
    firsts = {}
    for name in SHOCKED:
        model = run(name, 42)
        cf = model.counterfactual
        breach = first_new_event(model, "covenant_breach")
        default = first_new_event(model, "default")
        for event in (breach, default):
            if event is None:
                continue
            same = [
                e
                for e in cf.events
                if e.kind == event.kind
                and e.actor == event.actor
                and e.month <= event.month
                and (event.kind != "covenant_breach" or e.counterparty == event.counterparty)
            ]
            assert not same, (name, event, same[:1])
        firsts[name] = (None if breach is None else breach.message, None if default is None else default.message)
    breaches = [b for b, _ in firsts.values() if b]
    assert len(set(breaches)) >= len(breaches) - 1, firsts  # (two scenarios may share one cause)
    told = [
        v for v in firsts.values() if v != (None, None)
    ]  # (runs on funds and rate shocks need not break a covenant)
    assert len(told) >= len(firsts) - 2 and len(set(told)) == len(told), firsts


@pytest.mark.parametrize("name", scenario_names())
def test_a_refused_credit_line_is_not_drawn_again(name):
    """Bug: Bank B refused to roll Blue Owl's credit line, then Blue Owl drew on it."""
    for seed in SEEDS:
        closed: dict[tuple[str, str], int] = {}
        for e in run(name, seed).events:
            if e.kind == "refinancing_refused" and ("closed the line" in e.message or "credit line" in e.message):
                closed.setdefault((e.counterparty, e.actor), e.month)
            if e.kind == "credit_draw" and (e.actor, e.counterparty) in closed:
                pytest.fail(
                    f"{name} seed {seed}: {e.message} after the line was closed in month "
                    f"{closed[(e.actor, e.counterparty)]}"
                )


# --------------------------------------------------------------------------- neocloud financing
def test_losing_microsoft_defaults_coreweave_within_a_year_on_most_seeds():
    shock = [{"month": 3, "kind": "contract_cut", "target": "Microsoft->CoreWeave", "size": 1.0}]
    defaulted = 0
    for seed in range(20):
        model = ContagionModel("baseline_2025", overrides={"shocks": shock}, rng=seed)
        model.run_for(15)
        defaulted += bool(model.agent("CoreWeave").defaulted)
    assert defaulted >= 15


def test_rent_deflation_of_40_percent_breaks_neocloud_dscr_covenants_within_two_years():
    breached = 0
    for seed in range(10):
        model = run("baseline_2025", seed, 24, rental_deflation_per_year=0.4)
        kinds = dict(zip(model.names, model.kinds, strict=True))
        breached += any(
            e.kind == "covenant_breach" and "DSCR" in e.message and kinds[e.actor] == "neocloud" for e in model.events
        )
    assert breached >= 5


def test_dscr_covenants_change_a_calibrated_scenario():
    on, off = run("ai_crash", 42), run("ai_crash", 42, None, dscr_covenants=False)
    assert any("DSCR" in e.message for e in on.events if e.kind == "covenant_breach")
    assert table(on)["defaults_total"].iloc[-1] != table(off)["defaults_total"].iloc[-1] or not np.allclose(
        table(on)["realised_losses_bn_total"], table(off)["realised_losses_bn_total"]
    )


def test_the_baseline_is_calm_on_most_seeds():
    """No chip maker, hyperscaler, lab or neocloud fails without a shock on most seeds (a crypto
    miner may, on the crypto noise; docs/validation.md explains every seed that is not calm).
    """
    core = {"chip_maker", "hyperscaler", "ai_lab", "neocloud"}
    calm = 0
    for seed in range(20):
        model = run("baseline_2025", seed)
        kinds = dict(zip(model.names, model.kinds, strict=True))
        calm += not any(e.kind == "default" and kinds[e.actor] in core for e in model.events)
    assert calm >= 15


# --------------------------------------------------------------------------- the crash, in order
def test_ai_crash_goes_through_the_stages_of_the_sources_in_order():
    stages = crash_stages(run("ai_crash", 42))
    assert in_order(stages), [(s.number, s.month, s.evidence) for s in stages]
    assert stages[0].month < stages[-1].month  # a sequence, not one month


def test_crash_stages_need_a_counterfactual():
    with pytest.raises(ValueError, match="counterfactual"):
        crash_stages(run("baseline_2025", 42, 3))
