"""Each kind of institution's decisions, on small hand-built states (``FixedSituation``).

A decision method reads only the institution's rules, its ``Situation`` and its arguments, and
returns a decision, an amount or orders: so each can be tested alone, without a model run.
"""

from __future__ import annotations

import itertools
import math

import mesa
import numpy as np
import pytest

from agents.ai_lab import AiLab
from agents.bank import Bank
from agents.base import Institution
from agents.capital import CapitalRegulated
from agents.central_bank import CentralBank
from agents.chip_maker import ChipMaker
from agents.decisions import (
    ACCELERATE,
    REPRICE,
    WAIVE,
    Advance,
    Breach,
    Collateral,
    CollateralKind,
    Commitment,
    Cut,
    Holding,
    LiquidityAction,
    Pledge,
    Sale,
)
from agents.hyperscaler import Hyperscaler
from agents.insurer import Insurer
from agents.leveraged_fund import LeveragedFund
from agents.miner import Miner
from agents.names import CreditClass, ExecutoryKind, InstitutionKind, Rating, Status, rating_of
from agents.neocloud import Neocloud
from agents.pension import Pension
from agents.private_credit import PrivateCreditFund
from agents.registry import AGENT_CLASSES
from agents.retail import RetailSavers
from agents.situation import FixedSituation
from agents.spv import SPV

A = LiquidityAction


def make(cls: type[Institution], situation: FixedSituation | None = None, index: int = 0, **rules) -> Institution:
    """An institution of ``cls`` reading ``situation`` (one institution, calm markets, by default)."""
    return cls(mesa.Model(), index, cls.__name__, cls.Rules(**rules), situation or FixedSituation.of(1))


def actions(agent: Institution) -> list[str]:
    return [order.action for order in agent.liquidity_actions(1.0)]


def breach(
    severity: float = 0.1,
    recovery: float = 0.5,
    waivers: int = 0,
    amendments: int = 0,
    covenant: str = "ltv",
    value: float = 0.88,
    limit: float = 0.8,
) -> Breach:
    return Breach(0, covenant, value, limit, severity, recovery, waivers, amendments)


# --------------------------------------------------------------------------- every lender
class TestLender:
    def test_waives_a_mild_breach_while_it_has_waivers_left(self):
        lender = make(Institution, waiver_propensity=1.0, max_waiver_severity=0.25, max_waivers=2)
        assert lender.respond_to_breach(breach(severity=0.2)).response == WAIVE
        assert lender.respond_to_breach(breach(severity=0.2, waivers=2)).response != WAIVE

    def test_a_lender_that_never_waives_reprices_a_mild_breach(self):
        lender = make(Institution, waiver_propensity=0.0)
        answer = lender.respond_to_breach(breach(severity=0.1, value=0.88, limit=0.8))
        assert answer.response == REPRICE
        assert answer.extra_rate_per_year == pytest.approx(0.02)
        assert answer.new_limit == pytest.approx(0.88 * 1.10)  # LTV reset 10% above today's value

    def test_a_floor_covenant_resets_below_todays_value(self):
        lender = make(Institution, waiver_propensity=0.0)
        answer = lender.respond_to_breach(breach(severity=0.2, covenant="dscr", value=1.0, limit=1.25))
        assert answer.response == REPRICE and answer.new_limit == pytest.approx(1.0 / 1.10)

    def test_accelerates_a_severe_breach_or_a_well_covered_loan(self):
        lender = make(Institution, waiver_propensity=0.0)
        assert lender.respond_to_breach(breach(severity=0.5)).response == ACCELERATE
        assert lender.respond_to_breach(breach(severity=0.1, recovery=0.95)).response == ACCELERATE

    def test_runs_out_of_patience_after_max_amendments(self):
        lender = make(Institution, waiver_propensity=0.0, max_amendments=2)
        assert lender.respond_to_breach(breach(amendments=1)).response == REPRICE
        assert lender.respond_to_breach(breach(amendments=2)).response == ACCELERATE

    def test_a_stressed_lender_accelerates_even_a_mild_breach(self):
        stressed = FixedSituation.of(1, stressed=[True])
        lender = make(Institution, stressed, waiver_propensity=1.0)
        assert lender.respond_to_breach(breach(severity=0.01)).response == ACCELERATE

    def test_expected_recovery_is_a_share_in_0_1(self):
        lender = make(Institution, liquidation_discount=0.3)
        assert lender.expected_recovery(10.0, 10.0) == pytest.approx(0.7)
        assert lender.expected_recovery(100.0, 10.0) == 1.0
        assert lender.expected_recovery(-5.0, 10.0) == 0.0
        assert lender.expected_recovery(5.0, 0.0) == 1.0  # nothing owed: nothing to lose

    def test_rolls_over_only_healthy_borrowers_in_calm_markets(self):
        calm = make(Institution, FixedSituation.of(1, sentiment=0.9), rollover_sentiment_floor=0.7)
        assert calm.rolls_over(Status.HEALTHY) and calm.rolls_over(Status.STRESSED)
        assert not calm.rolls_over(Status.BREACHED) and not calm.rolls_over(Status.DEFAULTED)
        panic = make(Institution, FixedSituation.of(1, sentiment=0.5), rollover_sentiment_floor=0.7)
        assert not panic.rolls_over(Status.HEALTHY)
        stressed = make(Institution, FixedSituation.of(1, stressed=[True]))
        assert not stressed.rolls_over(Status.HEALTHY)
        assert make(Institution, rollover_term_months=24).rollover_term_months() == 24

    def test_lets_borrowers_draw_unless_stressed_or_defaulted(self):
        assert make(Institution).allows_drawing()
        assert not make(Institution, FixedSituation.of(1, stressed=[True])).allows_drawing()
        assert not make(Institution, FixedSituation.of(1, defaulted=[True])).allows_drawing()

    def test_does_not_margin_call_by_default(self):
        assert make(Institution).margin_call(10.0, 1.0, 0.0) is None


# --------------------------------------------------------------------------- every investor and borrower
class TestDefaults:
    def test_redemption_share_grows_with_the_drawdown_and_with_stress(self):
        investor = make(
            Institution, redemption_base_per_month=0.01, redemption_sensitivity=2.0, redemption_drawdown_tolerance=0.05
        )
        assert investor.redemption_share(0.0) == pytest.approx(0.01)
        assert investor.redemption_share(0.15) == pytest.approx(0.01 + 2.0 * 0.10)
        assert investor.redemption_share(5.0) == 1.0
        stressed = make(Institution, FixedSituation.of(1, stressed=[True]), redemption_base_per_month=0.01)
        assert stressed.redemption_share(0.0) == pytest.approx(0.06)

    def test_default_liquidity_plan_credit_then_central_bank(self):
        assert actions(make(Institution)) == [A.DRAW_CREDIT, A.CENTRAL_BANK]

    def test_gpus_are_sold_oldest_generation_first_and_no_more_than_needed(self):
        seller = make(Institution)
        free = np.array([10.0, 5.0, 0.0])  # thousands of units by generation
        price = np.array([0.02, 0.04, 0.07])
        launch = np.array([-24, -6, 12])
        assert seller.gpus_to_sell(0.1, free, price, launch) == [(0, pytest.approx(5.0))]
        offers = seller.gpus_to_sell(0.3, free, price, launch)
        assert [g for g, _ in offers] == [0, 1]
        assert sum(u * price[g] for g, u in offers) == pytest.approx(0.3)
        assert seller.gpus_to_sell(0.3, free, np.zeros(3), launch) == []  # worthless GPUs raise nothing

    def test_company_defaults_do_nothing_special(self):
        agent = make(Institution)
        assert agent.capex_scale(0.4) == 1.0 and agent.contract_cut_wanted(ExecutoryKind.LEASE, 0.1) == 0.0
        assert agent.funding_round_bn(5.0) == 0.0 and agent.contracts_to_cut([Commitment(3, 0)]) == []
        assert agent.real_asset_value_after_lease_cut(10.0, 0.3) == 10.0
        assert agent.pledged_collateral(HOLDINGS) is None and agent.capital_ratio() is None
        assert agent.derisking_sale_bn() == 0.0 and agent.derisking_orders([], 1.0) == []
        assert agent.redemption_capacity_bn(100.0) == math.inf
        assert (
            agent.funds_customers() and not make(Institution, FixedSituation.of(1, stressed=[True])).funds_customers()
        )


# --------------------------------------------------------------------------- kinds
def test_chip_maker_funds_customers_while_its_value_holds():
    def maker(value, stressed=False):
        s = FixedSituation.of(1, equity_value_bn=[value], opening_equity_value_bn=[100.0], stressed=[stressed])
        return make(ChipMaker, s, funding_equity_floor=0.6, cost_of_goods_share=0.3)

    assert maker(70.0).funds_customers() and not maker(50.0).funds_customers()
    assert not maker(90.0, stressed=True).funds_customers()
    assert maker(70.0).production_cost_share == 0.3


def test_hyperscaler_capex_follows_demand_and_is_cut_when_stressed():
    calm = make(Hyperscaler, max_capex_scale=1.5, capex_cut_when_stressed=0.5)
    assert calm.capex_scale(0.8) == pytest.approx(0.8) and calm.capex_scale(3.0) == pytest.approx(1.5)
    assert calm.capex_scale(-1.0) == 0.0
    stressed = make(Hyperscaler, FixedSituation.of(1, stressed=[True]), capex_cut_when_stressed=0.5)
    assert stressed.capex_scale(1.0) == pytest.approx(0.5)


def test_hyperscaler_cuts_leases_when_demand_disappoints_and_issues_bonds_while_the_market_is_open():
    h = make(Hyperscaler, lease_exit_demand_ratio=0.6, lease_cut=0.3)
    assert h.contract_cut_wanted(ExecutoryKind.LEASE, 0.5) == 0.3
    assert h.contract_cut_wanted(ExecutoryKind.LEASE, 0.7) == 0.0
    assert h.contract_cut_wanted(ExecutoryKind.COMPUTE_CONTRACT, 0.1) == 0.0  # it keeps its compute contracts
    open_market = make(Hyperscaler, FixedSituation.of(1, sentiment=0.9), bond_market_sentiment_floor=0.6)
    closed = make(Hyperscaler, FixedSituation.of(1, sentiment=0.5), bond_market_sentiment_floor=0.6)
    assert actions(open_market) == [A.DRAW_CREDIT, A.CENTRAL_BANK, A.ISSUE_BONDS]
    assert actions(closed) == [A.DRAW_CREDIT, A.CENTRAL_BANK]


def test_ai_lab_raises_a_round_when_runway_is_short_and_funding_follows_markets_smoothly():
    def lab(cash, **situation):
        return make(
            AiLab,
            FixedSituation.of(1, cash_bn=[cash], **situation),
            runway_trigger_months=9,
            target_runway_months=18,
            funding_sentiment_floor=0.6,
            funding_sentiment_full=1.0,
            funding_results_elasticity=1.0,
            funding_rate_sensitivity=10.0,
        )

    assert lab(cash=5.0).funding_round_bn(1.0) == pytest.approx(13.0)  # back to 18 months of burn
    assert lab(cash=20.0).funding_round_bn(1.0) == 0.0  # 20 months of runway: no round
    assert lab(cash=5.0).funding_round_bn(-1.0) == 0.0  # not burning cash
    # No cliff: appetite falls linearly from full at sentiment 1.0 to none at 0.6 ...
    assert lab(cash=5.0, sentiment=0.8).funding_round_bn(1.0) == pytest.approx(6.5)
    assert lab(cash=5.0, sentiment=0.6).funding_round_bn(1.0) == 0.0
    rounds = [lab(cash=5.0, sentiment=s).funding_round_bn(1.0) for s in np.linspace(0.5, 1.1, 61)]
    assert all(b >= a for a, b in itertools.pairwise(rounds))  # never less in better markets
    assert max(abs(b - a) for a, b in itertools.pairwise(rounds)) < 0.5  # and no jump
    # ... with the lab's results against expectations, and with a rise in rates.
    assert lab(cash=5.0, demand_ratio=0.5).funding_round_bn(1.0) == pytest.approx(6.5)
    assert lab(cash=5.0, base_rate_rise_per_year=0.01).funding_round_bn(1.0) == pytest.approx(13.0 * math.exp(-0.1))


def test_ai_lab_cuts_each_commitment_until_it_has_cut_it_max_renegotiations_times():
    lab = make(AiLab, renegotiation_cut=0.3, max_renegotiations=2)
    cuts = lab.contracts_to_cut([Commitment(4, 0), Commitment(7, 2), Commitment(9, 1)])
    assert cuts == [Cut(4, 0.3), Cut(9, 0.3)]
    assert actions(lab) == [A.DRAW_CREDIT, A.CENTRAL_BANK, A.CUT_CONTRACTS]


def test_ai_lab_renegotiates_its_compute_commitments_when_revenue_falls_short_of_them():
    lab = make(AiLab, commitment_review_demand_ratio=0.7, renegotiation_cut=0.3)
    assert lab.contract_cut_wanted(ExecutoryKind.COMPUTE_CONTRACT, 0.65) == 0.3
    assert lab.contract_cut_wanted(ExecutoryKind.COMPUTE_CONTRACT, 0.75) == 0.0
    assert lab.contract_cut_wanted(ExecutoryKind.LEASE, 0.1) == 0.0


@pytest.mark.parametrize("cls", [Neocloud, Miner])
def test_neoclouds_and_miners_rent_spot_and_sell_gpus_when_short(cls):
    agent = make(cls, spot_share=0.25, spot_utilisation=0.8)
    assert (agent.spot_share, agent.spot_utilisation) == (0.25, 0.8)
    assert actions(agent) == [A.DRAW_CREDIT, A.CENTRAL_BANK, A.SELL_GPUS]
    assert actions(make(cls, sells_gpus_when_short=False)) == [A.DRAW_CREDIT, A.CENTRAL_BANK]


def test_private_credit_fund_gates_margins_its_lines_on_its_loans_and_sells_loans_at_a_haircut():
    fund = make(PrivateCreditFund, gate_share_per_month=0.05, loan_sale_haircut=0.15)
    assert fund.redemption_capacity_bn(100.0) == pytest.approx(5.0)
    assert fund.redemption_capacity_bn(-3.0) == 0.0
    assert fund.pledged_collateral(HOLDINGS) == [Pledge(h.credit_class, h.rating, h.value_bn) for h in HOLDINGS]
    plan = fund.liquidity_actions(1.0)
    assert [o.action for o in plan] == [A.DRAW_CREDIT, A.CENTRAL_BANK, A.SELL_LOANS]
    assert plan[-1].haircut == 0.15


def test_spv_is_worth_its_lease_and_has_only_the_central_bank_to_turn_to():
    spv = make(SPV)
    assert spv.real_asset_value_after_lease_cut(27.0, 0.3) == pytest.approx(18.9)
    assert actions(spv) == [A.CENTRAL_BANK]


G, IG, HY, PRIVATE, SENIOR, JUNIOR = range(6)  # (CreditClass)
HOLDINGS = [
    Holding(1, False, SENIOR, 30.0),  # a senior ABS tranche
    Holding(2, False, PRIVATE, 10.0),  # a loan
    Holding(3, False, JUNIOR, 10.0),  # a mezzanine tranche
    Holding(4, False, HY, 20.0),  # a high-yield bond
    Holding(IG, True, IG, 40.0),  # investment-grade securities
    Holding(G, True, G, 100.0),  # Treasuries (weight 0: selling them sheds nothing)
]


@pytest.mark.parametrize("cls", [Insurer, Pension, Bank])
def test_capital_regulated_derisk_below_their_floor_class_by_class_capped_pro_rata(cls):
    # Equity 5 on risk-weighted assets 100: a 5% ratio, below an 8% floor; target 10% -> shed 50.
    s = FixedSituation.of(1, equity_bn=[5.0], rwa_bn=[100.0])
    weights = dict(
        risk_weight_high_yield=1.0,
        risk_weight_abs_junior=1.0,
        risk_weight_private=1.0,
        risk_weight_investment_grade=0.5,
        risk_weight_abs_senior=0.5,
        risk_weight_government=0.0,
    )
    order = ("high_yield", "abs_junior", "private", "investment_grade", "abs_senior")
    agent = make(
        cls,
        s,
        min_capital_ratio=0.08,
        target_capital_ratio=0.10,
        max_derisking_share_per_month=0.5,
        derisking_order=order,
        statutory_capital=False,
        **weights,
    )
    assert agent.capital_ratio() == pytest.approx(0.05)
    assert agent.derisking_sale_bn() == pytest.approx(50.0)
    sales = agent.derisking_orders(HOLDINGS, 50.0)
    # In derisking_order: high yield, junior ABS, private, IG, senior ABS; at most half of each
    # class a month: 10 + 5 + 5 of risk-weighted assets, then IG at weight 0.5: 20 of its 40
    # sheds 10, then senior: 20 left / 0.5 = 40 of 30, capped at 15 (7.5 shed). Treasuries never.
    by_ref = {(sale.ref, sale.security): sale.share for sale in sales}
    assert by_ref == pytest.approx(
        {(4, False): 0.5, (3, False): 0.5, (2, False): 0.5, (IG, True): 0.5, (1, False): 0.5}
    )
    assert sorted(agent.derisking_orders(HOLDINGS[::-1], 50.0)) == sorted(sales)  # order-independent
    small = agent.derisking_orders(HOLDINGS, 5.0)
    assert small == [Sale(4, False, 0.25)]  # 5 of risk-weighted assets: a quarter of the high-yield bond
    compliant = make(cls, FixedSituation.of(1, equity_bn=[9.0], rwa_bn=[100.0]), min_capital_ratio=0.08)
    assert compliant.derisking_sale_bn() == 0.0
    assert actions(agent) == [A.CENTRAL_BANK, A.SELL_SECURITIES, A.SELL_OTHER_ASSETS, A.DRAW_CREDIT]
    assert agent.risk_weights().shape == (10,) and agent.risk_weights()[0] == agent.rules.risk_weight_other
    # For cash: liquid securities in order, until the need is met.
    assert agent.securities_to_sell(50.0, [30.0, 40.0, 0, 0, 0, 0]) == [(G, 30.0), (IG, 20.0)]


LOANS = [Pledge(PRIVATE, Rating.BBB, 20.0)]  # a fund's loan book


def test_bank_calls_the_excess_over_its_advance_rate_and_cuts_the_rate_when_stressed():
    calm = make(Bank, advance_rate=0.6, stressed_advance_cut=0.2)
    call = calm.margin_call(drawn_bn=15.0, pledges=LOANS, called_bn=0.0)
    assert call.amount_bn == pytest.approx(3.0) and call.borrowing_base_bn == pytest.approx(12.0)
    assert calm.margin_call(drawn_bn=15.0, pledges=LOANS, called_bn=3.0) is None  # already called
    assert calm.margin_call(drawn_bn=10.0, pledges=LOANS, called_bn=0.0) is None
    stressed = make(Bank, FixedSituation.of(1, stressed=[True]), advance_rate=0.6, stressed_advance_cut=0.2)
    assert stressed.margin_call(15.0, LOANS, 0.0).amount_bn == pytest.approx(15.0 - 0.48 * 20.0)
    assert not stressed.allows_drawing()


def test_repo_haircuts_rise_when_abs_is_downgraded_and_the_leveraged_fund_pledges_its_abs():
    bank = make(Bank, repo_haircut_aaa=0.05, repo_haircut_a=0.12, repo_haircut_bbb=0.3, repo_haircut_junk=0.75)
    aaa, junk = Pledge(SENIOR, Rating.AAA, 40.0), Pledge(JUNIOR, Rating.JUNK, 10.0)
    assert bank.margin_call(40.0, [aaa, junk], 0.0) is None  # base 38 + 2.5 = 40.5
    downgraded = [Pledge(SENIOR, Rating.BBB, 40.0), junk]
    call = bank.margin_call(40.0, downgraded, 0.0)
    assert call.borrowing_base_bn == pytest.approx(28.0 + 2.5) and call.amount_bn == pytest.approx(9.5)
    fund = make(LeveragedFund)
    assert fund.pledged_collateral(HOLDINGS) == [Pledge(SENIOR, 0, 30.0), Pledge(JUNIOR, 0, 10.0)]  # only its ABS
    assert [o.action for o in fund.liquidity_actions(1.0)] == [A.DRAW_CREDIT, A.CENTRAL_BANK, A.SELL_LOANS]
    assert [rating_of(x) for x in (1.0, 0.96, 0.9, 0.5)] == [Rating.AAA, Rating.A, Rating.BBB, Rating.JUNK]


def test_central_bank_lends_only_when_on_and_markets_are_stressed():
    def fed(sentiment, **rules):
        return make(CentralBank, FixedSituation.of(1, sentiment=sentiment), **rules)

    off = fed(0.5, enabled=False)
    assert not off.backstop_active() and not off.lends_to(InstitutionKind.NEOCLOUD)
    on = fed(0.5, enabled=True, stress_sentiment_threshold=0.85, eligible_kinds=["neocloud"])
    assert on.lends_to("neocloud") and not on.lends_to("retail")
    assert not fed(0.9, enabled=True, stress_sentiment_threshold=0.85).backstop_active()
    bonds = Collateral(CollateralKind.SECURITY, 1, CreditClass.INVESTMENT_GRADE, Rating.A, 10.0, 10.0)
    gpus = Collateral(CollateralKind.GPU, 0, -1, Rating.AAA, 0.5, 8.0)
    assert on.capacity_bn([bonds, gpus]) == pytest.approx(9.2 + 4.0)  # 8% and 50% haircuts
    no_gpus = fed(0.5, enabled=True, haircut_gpus=1.0)
    assert no_gpus.capacity_bn([bonds, gpus]) == pytest.approx(9.2)
    advance = no_gpus.advance(4.6, [bonds, gpus])
    assert advance.amount_bn == pytest.approx(4.6) and advance.share == pytest.approx(0.5)
    assert advance.pledged == (bonds,)  # GPUs are not accepted, so not pledged
    assert no_gpus.advance(50.0, [bonds]).amount_bn == pytest.approx(9.2)  # at most the collateral after haircuts
    assert on.gpu_floor_factor() is None and on.abs_floor_price() is None
    buyer = fed(0.5, enabled=True, buys_gpus=True, gpu_floor=0.6, buys_abs=True, abs_floor_price=0.75)
    assert buyer.gpu_floor_factor() == 0.6 and buyer.abs_floor_price() == 0.75
    assert not CentralBank.can_be_stressed


def test_central_bank_charges_a_penalty_rate_and_haircuts_abs_by_rating():
    fed = make(CentralBank, FixedSituation.of(1, sentiment=0.5), enabled=True, penalty_spread_per_year=0.03)
    assert fed.lending_rate_per_year(0.04) == pytest.approx(0.07)
    assert fed.advance(1.0, [Collateral(CollateralKind.OTHER, -1, CreditClass.PRIVATE, Rating.BBB, 5.0, 5.0)]) == (
        Advance(
            1.0,
            0.03,
            12,
            (Collateral(CollateralKind.OTHER, -1, CreditClass.PRIVATE, Rating.BBB, 5.0, 5.0),),
            1.0 / 3.25,
        )
    )

    def abs_rated(rating):
        return Collateral(CollateralKind.DEBT, 7, CreditClass.ABS_SENIOR, rating, 10.0, 10.0)

    lent = [fed.capacity_bn([abs_rated(r)]) for r in Rating]
    assert lent == pytest.approx([9.2, 8.5, 6.5, 0.0])  # a downgrade cuts what it lends; junk ABS not accepted
    assert fed.advance(5.0, [abs_rated(Rating.JUNK)]) is None
    junk_bond = Collateral(CollateralKind.DEBT, 3, CreditClass.INVESTMENT_GRADE, Rating.JUNK, 10.0, 10.0)
    assert fed.haircut(junk_bond) == fed.rules.haircut_high_yield


def test_central_bank_trigger_and_start_month_and_lending_switch():
    def fed(**values):
        rules = values.pop("rules", {})
        return make(CentralBank, FixedSituation.of(3, **values), enabled=True, **rules)

    by_defaults = {"trigger": "defaults", "trigger_defaults": 2}
    assert not fed(defaulted=[True, False, False], rules=by_defaults).backstop_active()
    assert fed(defaulted=[True, True, False], rules=by_defaults).backstop_active()
    assert not fed(month=5, rules={"trigger": "month", "start_month": 6}).backstop_active()
    assert fed(month=6, sentiment=1.0, rules={"trigger": "month", "start_month": 6}).backstop_active()
    buys_only = fed(month=6, rules={"trigger": "month", "lends": False, "buys_abs": True})
    assert not buys_only.lends_to("neocloud") and buys_only.abs_floor_price() == 0.7
    assert not buys_only.rolls_over("healthy")


def test_retail_savers_run_on_falling_navs_and_cannot_be_stressed():
    saver = make(RetailSavers)
    assert saver.redemption_share(0.11) == pytest.approx(3.0 * 0.10)
    assert not RetailSavers.can_be_stressed


def test_every_kind_has_a_class_and_every_class_documents_the_decisions_it_makes_its_own():
    """Each agent module's docstring names every decision its class defines itself (its table of
    which phase asks what), so a student who opens it learns all of what that kind does.
    """
    import inspect

    decisions = {
        name for name, member in vars(Institution).items() if inspect.isfunction(member) and not name.startswith("_")
    }
    decisions |= {"spot_share", "spot_utilisation", "production_cost_share"}
    assert set(AGENT_CLASSES) == set(InstitutionKind)
    for cls in [*AGENT_CLASSES.values(), CapitalRegulated]:
        module = inspect.getmodule(cls)
        own = {name for name in vars(cls) if name in decisions}
        missing = [name for name in own if f"``{name}``" not in (module.__doc__ or "")]
        assert not missing, f"{module.__name__}'s docstring does not mention {missing}"


def test_dearer_funding_defers_capex():
    """Planned chip purchases shrink by exp(-capex_rate_sensitivity x the rise in the base
    rate), for every buyer (a hyperscaler on top of its demand-driven scale); a fall in rates
    does not raise them.
    """
    from agents.hyperscaler import Hyperscaler

    risen = FixedSituation.of(1, base_rate_rise_per_year=0.02)
    assert make(Institution, risen, capex_rate_sensitivity=5.0).capex_scale(1.0) == pytest.approx(math.exp(-0.1))
    assert make(Institution, FixedSituation.of(1, base_rate_rise_per_year=-0.01)).capex_scale(1.0) == 1.0
    calm = make(Hyperscaler, FixedSituation.of(1)).capex_scale(0.8)
    assert make(Hyperscaler, risen, capex_rate_sensitivity=5.0).capex_scale(0.8) == pytest.approx(calm * math.exp(-0.1))
