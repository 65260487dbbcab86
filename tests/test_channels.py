"""One focused test per contagion channel, on small hand-built networks.

Each test builds the smallest network that exercises one channel with deterministic drivers
(no noise, no depreciation unless the channel needs it), runs a few months, and checks the
chain of events and balance-sheet effects the channel should produce -- and, where the config
has a switch, that switching the channel off removes the effect.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from agents.names import CREDIT_CLASSES
from simulator import ContagionModel
from simulator.config import build_scenario
from simulator.kernels.clearing import eisenberg_noe
from tests.conftest import check_invariants

CALM_MARKETS = {
    "gpu": {
        "generations": [
            {
                "name": "H100",
                "price_bn_per_k": 0.02,
                "rental_bn_per_k_month": 0.001,
                "depreciation_per_year": 0.0,
                "launch_month": -12,
            }
        ],
        "market_depth_bn": 5.0,
        "discount_recovery_per_month": 0.0,
        "rental_deflation_per_year": 0.0,
        "next_gen_extra_depreciation_per_year": 0.0,
    },
    "rates": {"base_rate_per_year": 0.0, "spreads_per_year": {}, "spread_sentiment_sensitivity": 0.0},
    "credit": {"depth_bn": dict.fromkeys(CREDIT_CLASSES, 100.0)},
    "sentiment": {
        "initial": 1.0,
        "mean_reversion_per_month": 0.0,
        "volatility_per_month": 0.0,
        "loss_sensitivity": 0.0,
        "default_impact": 0.0,
        "backstop_support": 0.0,
    },
    "demand": {
        "ai_revenue_growth_per_year": 0.0,
        "expected_ai_revenue_growth_per_year": 0.0,
        "ai_revenue_volatility_per_year": 0.0,
        "crypto_drift_per_year": 0.0,
        "crypto_volatility_per_year": 0.0,
    },
}
RESOLUTION = {
    "recovery_external": 1.0,
    "recovery_interbank": 1.0,
    "other_asset_recovery": 0.5,
    "stake_sale_haircut": 0.0,
    "max_rounds": 10,
}


def mini(institutions: dict, debts: dict | None = None, **extra) -> dict:
    raw = {
        "name": "mini",
        "months": 12,
        "markets": copy.deepcopy(CALM_MARKETS),
        "resolution": dict(RESOLUTION),
        "institutions": institutions,
        "debts": debts or {},
    }
    raw.update(extra)
    return raw


def run(raw: dict, months: int, **levers) -> ContagionModel:
    model = ContagionModel(build_scenario(raw, "test", **levers), rng=0)
    for _ in range(months):
        model.step()
        check_invariants(model)
    return model


def kinds(model, month=None, who=None):
    return [
        (e.kind, e.actor, e.counterparty)
        for e in model.events
        if (month is None or e.month == month) and (who is None or who in (e.actor, e.counterparty))
    ]


def first(model, kind, actor=None, counterparty=None) -> int:
    for k, e in enumerate(model.events):
        if (
            e.kind == kind
            and (actor is None or e.actor == actor)
            and (counterparty is None or e.counterparty == counterparty)
        ):
            return k
    raise AssertionError(f"no {kind} event (actor={actor}, counterparty={counterparty}); events: {kinds(model)}")


# --------------------------------------------------------------------------- GPU collateral spiral
def spiral_network(depth_bn: float = 5.0) -> dict:
    patient = {"waiver_propensity": 0.0, "max_reprice_severity": 5.0, "acceleration_recovery_threshold": 2.0}
    raw = mini(
        {
            "NeoA": {"kind": "neocloud", "cash_bn": 0.05, "gpus_k": {"H100": 100.0}},
            "NeoB": {"kind": "neocloud", "cash_bn": 0.5, "gpus_k": {"H100": 100.0}},
            # FundA runs out of patience at once; FundB would amend -- but we only check its breach.
            "FundA": {
                "kind": "private_credit",
                "cash_bn": 1.0,
                "other_assets_bn": 10.0,
                "rules": {"waiver_propensity": 0.0, "max_reprice_severity": 0.01},
            },
            "FundB": {"kind": "private_credit", "cash_bn": 1.0, "other_assets_bn": 10.0, "rules": patient},
        },
        {
            "loan_a": {
                "kind": "loan",
                "holder": "FundA",
                "obligor": "NeoA",
                "principal_bn": 1.4,
                "rate_per_year": 0.0,
                "maturity_month": 60,
                "collateral": {"generation": "H100", "units_k": 100.0},
                "ltv_covenant": 0.8,
            },
            "loan_b": {
                "kind": "loan",
                "holder": "FundB",
                "obligor": "NeoB",
                "principal_bn": 1.2,
                "rate_per_year": 0.0,
                "maturity_month": 60,
                "collateral": {"generation": "H100", "units_k": 100.0},
                "ltv_covenant": 0.8,
            },
        },
        shocks=[{"month": 1, "kind": "gpu_price", "target": "H100", "size": 0.2}],
    )
    raw["markets"]["gpu"]["market_depth_bn"] = depth_bn
    return raw


def test_gpu_price_fall_spirals_from_one_lender_to_another():
    """GPU price fall -> NeoA's LTV breach -> acceleration -> default -> seizure -> fire sale ->
    lower price -> FundB's loan to NeoB breaches in the same month.
    """
    model = run(spiral_network(), 1)
    order = [
        first(model, "covenant_breach", "NeoA", "FundA"),
        first(model, "acceleration", "FundA", "NeoA"),
        first(model, "default", "NeoA"),
        first(model, "seizure", "FundA", "NeoA"),
        first(model, "fire_sale", "NeoA", "FundA"),  # FundA has NeoA's pledged GPUs sold
        first(model, "covenant_breach", "NeoB", "FundB"),
    ]
    assert order == sorted(order)
    assert model.drivers.market_price_bn[0] < 0.02 * 0.8 * 0.9  # the shock, then the fire-sale impact
    assert model.agent("NeoA").status == "defaulted" and model.agent("NeoB").status == "breached"


def test_without_price_impact_the_spiral_stops_at_the_first_borrower():
    model = run(spiral_network(), 1, fire_sale_impact=False)
    assert model.agent("NeoA").defaulted
    assert model.drivers.market_price_bn[0] == pytest.approx(0.016)
    assert ("covenant_breach", "NeoB", "FundB") not in kinds(model)


def test_a_deep_market_absorbs_the_fire_sale():
    model = run(spiral_network(depth_bn=500.0), 1)
    assert model.agent("NeoA").defaulted
    assert ("covenant_breach", "NeoB", "FundB") not in kinds(model)


def test_ltv_covenants_switch():
    model = run(spiral_network(), 2, ltv_covenants=False)
    assert not any(k == "covenant_breach" for k, *_ in kinds(model))
    assert not model.agent("NeoA").defaulted


# --------------------------------------------------------------------------- Eisenberg-Noe
def test_interbank_loans_alone_reproduce_eisenberg_noe():
    """Only interbank loans, all due in month 1, no default costs: the engine's clearing is the
    Eisenberg-Noe greatest clearing vector.
    """
    rng = np.random.default_rng(7)
    n = 8
    L = rng.uniform(0.0, 2.0, (n, n)) * (rng.random((n, n)) < 0.5)
    np.fill_diagonal(L, 0.0)
    e = rng.uniform(0.0, 1.5, n)
    banks = {
        f"Bank {i}": {
            "kind": "bank",
            "cash_bn": float(e[i]),
            "rules": {"rollover_sentiment_floor": 2.0, "liquidity_buffer_months": 0.0},
        }
        for i in range(n)
    }
    debts = {
        f"loan_{i}_{j}": {
            "kind": "loan",
            "holder": f"Bank {j}",
            "obligor": f"Bank {i}",
            "principal_bn": float(L[i, j]),
            "rate_per_year": 0.0,
            "maturity_month": 1,
        }
        for i in range(n)
        for j in range(n)
        if L[i, j] > 0
    }
    off = dict.fromkeys(
        ("redemptions", "margin_calls", "capital_derisking", "sentiment_feedback", "equity_marks"), False
    )
    model = run(mini(banks, debts), 1, **off)
    expected = eisenberg_noe(L, e)
    cash = model.ledger.cash_bn
    received = L.T @ np.where(L.sum(1) > 0, expected.payments / np.where(L.sum(1) > 0, L.sum(1), 1.0), 0.0)
    paid = e + received - cash  # what each bank paid out in the engine
    np.testing.assert_allclose(paid, expected.payments, rtol=0, atol=1e-9)
    assert [model.institutions[i].defaulted for i in range(n)] == list(expected.defaulted)


# --------------------------------------------------------------------------- labs and contracts
def lab_network(lab_cash: float = 0.5) -> dict:
    return mini(
        {
            "Lab": {
                "kind": "ai_lab",
                "cash_bn": lab_cash,
                "market_value_bn": 10.0,
                "rules": {"funding_sentiment_floor": 2.0},
            },  # no outside rounds
            "Cloud": {"kind": "neocloud", "cash_bn": 1.0, "market_value_bn": 5.0},
        },
        contracts={
            "lab_cloud": {
                "kind": "compute_contract",
                "payer": "Lab",
                "payee": "Cloud",
                "monthly_payment_bn": 0.3,
                "months": 24,
            }
        },
    )


def test_lab_short_of_cash_cuts_its_compute_commitments():
    model = run(lab_network(), 3)
    assert first(model, "contract_renegotiation", "Lab", "Cloud") >= 0
    c = model.ledger.contracts
    assert c.monthly_payment_bn[0] == pytest.approx(0.3 * 0.7 ** c.renegotiations[0])
    assert c.renegotiations[0] >= 1


def test_without_contract_cuts_the_lab_defaults_and_the_cloud_loses_its_customer():
    model = run(lab_network(), 3, contract_cuts=False)
    assert model.agent("Lab").defaulted
    first(model, "contract_terminated", "Cloud", "Lab")
    assert not model.ledger.contracts.active[0]


# --------------------------------------------------------------------------- refinancing wall
def refinancing_network() -> dict:
    return mini(
        {
            "Neo": {"kind": "neocloud", "cash_bn": 0.2, "gpus_k": {"H100": 50.0}},
            "Bank": {"kind": "bank", "cash_bn": 50.0, "other_assets_bn": 100.0, "other_liabilities_bn": 130.0},
        },
        {
            "term": {
                "kind": "loan",
                "holder": "Bank",
                "obligor": "Neo",
                "principal_bn": 2.0,
                "rate_per_year": 0.0,
                "maturity_month": 2,
            }
        },
        shocks=[{"month": 1, "kind": "sentiment", "size": 0.5}],
    )


def test_maturing_debt_is_refused_when_sentiment_is_low():
    model = run(refinancing_network(), 2)
    first(model, "refinancing_refused", "Bank", "Neo")
    assert model.agent("Neo").defaulted


def test_with_refinancing_switched_off_the_loan_rolls():
    model = run(refinancing_network(), 2, refinancing=False)
    first(model, "rollover", "Bank", "Neo")
    assert not model.agent("Neo").defaulted


# --------------------------------------------------------------------------- rollover repricing
def repricing_network(sentiment_fall: float = 0.0) -> dict:
    """A fixed-rate and a floating-rate loan mature in month 2, after a +200 bp rate shock (and,
    optionally, a fall in sentiment that widens credit spreads).
    """
    shocks = [{"month": 1, "kind": "rate_shock", "size": 0.02}]
    if sentiment_fall:
        shocks.append({"month": 1, "kind": "sentiment", "size": sentiment_fall})
    raw = mini(
        {
            "Neo": {"kind": "neocloud", "cash_bn": 5.0, "gpus_k": {"H100": 50.0}},
            "Bank": {
                "kind": "bank",
                "cash_bn": 50.0,
                "other_assets_bn": 100.0,
                "other_liabilities_bn": 130.0,
                "rules": {"rollover_sentiment_floor": 0.0},
            },
        },
        {
            "fixed": {
                "kind": "loan",
                "holder": "Bank",
                "obligor": "Neo",
                "principal_bn": 1.0,
                "rate_per_year": 0.05,
                "maturity_month": 2,
            },
            "floating": {
                "kind": "loan",
                "holder": "Bank",
                "obligor": "Neo",
                "principal_bn": 1.0,
                "rate_per_year": 0.02,
                "floating": True,
                "maturity_month": 2,
            },
        },
        shocks=shocks,
    )
    raw["markets"]["rates"] = {
        "base_rate_per_year": 0.04,
        "spreads_per_year": {"investment_grade": 0.01, "private": 0.01},
        "spread_sentiment_sensitivity": 2.0,
    }
    # Its loans are private credit, which is not quoted by default (its spread moves with the base
    # rate and forced sales only): quote it here, so that sentiment moves its spread too.
    raw["markets"]["credit"]["quoted"] = ["investment_grade", "private"]
    return raw


def test_rolled_debt_pays_the_new_base_rate_and_spread():
    model = run(repricing_network(), 2)
    d = model.ledger.debt
    fixed, floating = d.ids.index("fixed"), d.ids.index("floating")
    # Fixed-rate debt reprices by the +200 bp; floating-rate debt already pays the base rate.
    assert d.rate_per_year[fixed] == pytest.approx(0.07)
    assert d.rate_per_year[floating] == pytest.approx(0.02)
    rolled = [e.message for e in model.events if e.kind == "rollover"]
    assert any("(fixed) at 7.00% a year (was 5.00%" in m for m in rolled), rolled
    assert any("(floating) at 2.00% a year over the base rate, unchanged" in m for m in rolled), rolled
    # The next month's interest is charged at the new rates (base rate now 6% for the floater).
    model.step()
    interest = model.state.memory.debt_service_history[model.month % 3]
    assert interest[model.index_of["Neo"]] == pytest.approx((0.07 + 0.02 + 0.06) / 12)


def test_wider_spreads_reprice_both_kinds_of_debt():
    model = run(repricing_network(sentiment_fall=0.25), 2)  # spread 1% x (1 + 2 x 0.25) = 1.5%
    d = model.ledger.debt
    assert d.rate_per_year[d.ids.index("fixed")] == pytest.approx(0.05 + 0.02 + 0.005)
    assert d.rate_per_year[d.ids.index("floating")] == pytest.approx(0.02 + 0.005)


def test_with_rollover_repricing_switched_off_rates_stay():
    model = run(repricing_network(sentiment_fall=0.25), 2, rollover_repricing=False)
    d = model.ledger.debt
    assert d.rate_per_year[d.ids.index("fixed")] == 0.05
    assert d.rate_per_year[d.ids.index("floating")] == 0.02
    assert any(e.kind == "rollover" and "at 5.00% a year" in e.message for e in model.events)


# --------------------------------------------------------------------------- DSCR squeeze
def test_rental_deflation_squeezes_dscr_until_the_covenant_breaks():
    raw = mini(
        {
            "Neo": {
                "kind": "neocloud",
                "cash_bn": 1.0,
                "gpus_k": {"H100": 100.0},
                "rules": {"spot_share": 1.0, "spot_utilisation": 1.0},
            },
            "Fund": {"kind": "private_credit", "cash_bn": 1.0, "other_assets_bn": 10.0},
        },
        {
            "loan": {
                "kind": "loan",
                "holder": "Fund",
                "obligor": "Neo",
                "principal_bn": 1.0,
                "rate_per_year": 0.3,
                "maturity_month": 60,
                "dscr_covenant": 1.5,
            }
        },
    )
    raw["markets"]["gpu"]["rental_deflation_per_year"] = 0.9
    model = run(raw, 12)
    k = first(model, "covenant_breach", "Neo", "Fund")
    assert "DSCR" in model.events[k].message
    calm = run(mini(raw["institutions"], raw["debts"]), 12)  # same network, no deflation
    assert not any(kind == "covenant_breach" for kind, *_ in kinds(calm))


# --------------------------------------------------------------------------- leases and ABS
def test_lease_cut_hits_the_mezzanine_tranche_before_the_senior():
    raw = mini(
        {
            "Hyper": {"kind": "hyperscaler", "cash_bn": 50.0, "market_value_bn": 100.0},
            "SPV": {"kind": "spv", "cash_bn": 0.1, "real_assets_bn": 10.0},
            "Insurer": {"kind": "insurer", "cash_bn": 5.0, "other_assets_bn": 50.0, "other_liabilities_bn": 40.0},
            "Pension": {"kind": "pension", "cash_bn": 5.0, "other_assets_bn": 50.0, "other_liabilities_bn": 40.0},
        },
        {
            "senior": {
                "kind": "abs_tranche",
                "tranche": "senior",
                "holder": "Insurer",
                "obligor": "SPV",
                "principal_bn": 6.0,
                "rate_per_year": 0.0,
                "maturity_month": 240,
            },
            "mezz": {
                "kind": "abs_tranche",
                "tranche": "mezzanine",
                "holder": "Pension",
                "obligor": "SPV",
                "principal_bn": 3.0,
                "rate_per_year": 0.0,
                "maturity_month": 240,
            },
        },
        contracts={
            "lease": {"kind": "lease", "payer": "Hyper", "payee": "SPV", "monthly_payment_bn": 0.05, "months": 240}
        },
        shocks=[{"month": 1, "kind": "ai_growth", "size": -0.9}],
    )
    raw["markets"]["demand"]["expected_ai_revenue_growth_per_year"] = 1.0
    model = run(raw, 8)
    first(model, "lease_renegotiation", "Hyper", "SPV")
    d = model.ledger.debt
    senior, mezz = d.ids.index("senior"), d.ids.index("mezz")
    assert d.value_factor[senior] == pytest.approx(1.0)
    assert d.value_factor[mezz] < 0.9
    off = run(raw, 8, lease_renegotiation=False)
    assert off.ledger.debt.value_factor[mezz] == pytest.approx(1.0)


# --------------------------------------------------------------------------- private credit
def fund_network() -> dict:
    """A fund whose only loan goes bad, financed by retail savers and a bank credit line."""
    return mini(
        {
            "Neo": {"kind": "neocloud", "cash_bn": 0.0, "gpus_k": {"H100": 10.0}, "opex_bn_per_month": 0.1},
            "Fund": {"kind": "private_credit", "cash_bn": 0.5, "other_assets_bn": 2.0},
            "Bank": {
                "kind": "bank",
                "cash_bn": 20.0,
                "other_assets_bn": 100.0,
                "other_liabilities_bn": 100.0,
                "rules": {"advance_rate": 0.5},
            },
            "Savers": {"kind": "retail", "cash_bn": 1.0},
        },
        {
            "fund_loan": {
                "kind": "loan",
                "holder": "Fund",
                "obligor": "Neo",
                "principal_bn": 4.0,
                "rate_per_year": 0.0,
                "maturity_month": 60,
            },
            "line": {
                "kind": "credit_line",
                "holder": "Bank",
                "obligor": "Fund",
                "principal_bn": 2.5,
                "limit_bn": 3.0,
                "rate_per_year": 0.0,
                "maturity_month": 60,
            },
        },
        stakes={"savers_fund": {"kind": "fund_share", "holder": "Savers", "issuer": "Fund", "share": 1.0}},
    )


def test_losses_trigger_redemptions_gates_and_a_margin_call():
    model = run(fund_network(), 3)
    assert model.agent("Neo").defaulted
    first(model, "write_off", "Fund", "Neo")
    first(model, "redemption", "Fund")
    first(model, "gate", "Fund")
    first(model, "margin_call", "Bank", "Fund")


def test_redemption_and_margin_call_switches():
    model = run(fund_network(), 3, redemptions=False, margin_calls=False)
    assert not {"redemption", "gate", "margin_call"} & {k for k, *_ in kinds(model)}


# --------------------------------------------------------------------------- capital de-risking
def test_insurer_below_its_capital_floor_sells_risky_assets():
    raw = mini(
        {
            "Hyper": {"kind": "hyperscaler", "cash_bn": 50.0, "market_value_bn": 100.0},
            "Insurer": {
                "kind": "insurer",
                "cash_bn": 1.0,
                "other_assets_bn": 20.0,
                "other_liabilities_bn": 29.0,
                "rules": {"min_capital_ratio": 0.5, "target_capital_ratio": 0.6},
            },
        },
        {
            "bond": {
                "kind": "bond",
                "holder": "Insurer",
                "obligor": "Hyper",
                "principal_bn": 10.0,
                "rate_per_year": 0.0,
                "maturity_month": 120,
            }
        },
    )
    model = run(raw, 1)
    first(model, "derisking", "Insurer")
    assert model.ledger.debt.principal_bn[0] < 10.0
    off = run(raw, 1, capital_derisking=False)
    assert off.ledger.debt.principal_bn[0] == pytest.approx(10.0)


# --------------------------------------------------------------------------- central bank
def test_central_bank_lends_against_collateral_once_stress_crosses_its_threshold():
    raw = fund_network()
    raw["institutions"]["Fed"] = {"kind": "central_bank"}
    raw["shocks"] = [{"month": 1, "kind": "sentiment", "size": 0.5}]
    raw["central_bank"] = {"enabled": True, "stress_sentiment_threshold": 0.8}
    model = run(raw, 3)
    first(model, "central_bank_loan", "Fed")
    assert model.state.views.central_bank_lending_bn() > 0
    off = run(raw, 3, central_bank_enabled=False)
    assert off.state.views.central_bank_lending_bn() == 0.0


# --------------------------------------------------------------------------- circular funding
def test_chip_maker_funds_customers_only_while_its_equity_allows():
    base = ContagionModel("baseline_2025", rng=1)
    s = base.ledger.stakes
    row = s.ids.index("nvidia_openai")
    before = s.units[row]
    base.step()
    assert s.units[row] > before  # Nvidia bought new OpenAI shares
    off = ContagionModel("baseline_2025", rng=1, circular_funding=False)
    off.step()
    assert off.ledger.stakes.units[row] == pytest.approx(before)
    crash = ContagionModel(
        "baseline_2025", rng=1, shock_kind="sentiment", shock_target="none", shock_size=0.8, shock_month=1
    )
    crash.step()
    first(crash, "customer_funding_stopped", "Nvidia")


def test_a_failure_shock_hits_even_when_nothing_is_due():
    """A forced failure goes into resolution in its month, also in a network where nothing falls
    due (no costs, no debt): it does not wait for the next obligation.
    """
    raw = mini(
        {"Quiet": {"kind": "neocloud", "cash_bn": 1.0}, "Other": {"kind": "neocloud", "cash_bn": 1.0}},
        shocks=[{"month": 1, "kind": "failure", "target": "Quiet"}],
    )
    model = run(raw, 1)
    assert model.agent("Quiet").defaulted and model.agent("Quiet").defaulted_month == 1
    assert not model.agent("Other").defaulted
    assert model.state.scratch.forced_failures == []
    first(model, "default", "Quiet")
