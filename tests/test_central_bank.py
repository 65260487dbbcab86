"""The central bank's backstop as a choice: penalty-rate loans against haircut collateral that it
seizes on default, purchases of GPUs and ABS at a floor, and what all of it costs.

Small hand-built networks (``tests.test_channels.mini``: no noise, calm markets) with the central
bank's trigger set to a month, so every number here follows from the rules by hand.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agents.decisions import CollateralKind
from agents.ledger import OPERATING
from agents.names import CreditClass
from simulator import ContagionModel
from simulator.config import ConfigError, build_scenario, load_scenario
from simulator.records import CENTRAL_BANK_FIGURES
from tests.conftest import check_invariants
from tests.test_channels import mini

FED_ON = {"enabled": True, "trigger": "month", "start_month": 1}


def run(raw: dict, months: int) -> ContagionModel:
    model = ContagionModel(build_scenario(raw, "test"), rng=0)
    for _ in range(months):
        model.step()
        check_invariants(model)
    return model


def events(model: ContagionModel, kind: str) -> list:
    return [e for e in model.events if e.kind == kind]


def borrower(fed: dict, base_rate: float = 0.0, kind: str = "neocloud", **neo) -> dict:
    """An institution ("Neo") with no cash and monthly costs, holding what it can pledge; the Fed."""
    raw = mini(
        {
            "Neo": {"kind": kind, "cash_bn": 0.0, "opex_bn_per_month": 0.5, **neo},
            "Fed": {"kind": "central_bank"},
        },
        central_bank=fed,
    )
    raw["markets"]["rates"]["base_rate_per_year"] = base_rate
    return raw


def test_it_lends_at_the_base_rate_plus_its_penalty_spread_against_the_collateral_pledged():
    fed = {**FED_ON, "penalty_spread_per_year": 0.02}
    model = run(borrower(fed, base_rate=0.04, securities_bn={"investment_grade": 10.0}), 2)
    d, led = model.ledger.debt, model.ledger
    loans = events(model, "central_bank_loan")
    assert [e.month for e in loans] == [1, 2] and loans[0].amount_bn == pytest.approx(0.5)
    assert "6.00% a year (the base rate + 2.00%)" in loans[0].message
    row = d.ids.index("central_bank_loan_1_Neo_1")
    assert d.floating[row] and d.rate_per_year[row] == pytest.approx(0.02)
    # Month 2: the first loan's interest, at 4% + 2% a year, is the central bank's income.
    fed_index = model.names.index("Fed")
    assert led.pnl_bn[fed_index, OPERATING] == pytest.approx(0.5 * 0.06 / 12)
    # The pledge: the same share of its bonds as the loan is of what it could borrow (8% haircut).
    pledges = led.pledges
    first = [k for k in range(len(pledges)) if pledges.loan_row[k] == row]
    assert [int(pledges.kind[k]) for k in first] == [CollateralKind.SECURITY]
    assert pledges.quantity[first[0]] == pytest.approx(10.0 * 0.5 / 9.2)
    frame = model.datacollector.get_model_vars_dataframe()
    assert frame["central_bank_lent_bn"].iloc[-1] == pytest.approx(0.5 + 0.5 + 0.5 * 0.06 / 12)


def test_lending_switched_off_means_no_central_bank_loans():
    raw = borrower({**FED_ON, "lends": False}, securities_bn={"investment_grade": 10.0})
    model = run(raw, 2)
    assert not events(model, "central_bank_loan")
    assert model.state.views.central_bank_lending_bn() == 0.0
    assert model.datacollector.get_model_vars_dataframe()["central_bank_lent_bn"].max() == 0.0
    not_yet = run(borrower({**FED_ON, "start_month": 3}, securities_bn={"investment_grade": 10.0}), 2)
    assert not events(not_yet, "central_bank_loan")  # its backstop starts only in month 3


def test_a_defaulting_borrower_leaves_the_central_bank_the_loan_less_the_collateral_it_seized():
    # An SPV (it can only borrow from the central bank) borrows 1.0 against all of its GPUs (worth
    # 2.0, 50% haircut); then GPUs lose 60% and it cannot pay: the Fed takes the GPUs at 0.8 and
    # writes off the 0.2 the empty estate cannot pay.
    raw = borrower({**FED_ON, "haircut_gpus": 0.5}, kind="spv", gpus_k={"H100": 100.0}, opex_bn_per_month=1.0)
    raw["shocks"] = [{"month": 2, "kind": "gpu_price", "size": 0.6, "target": "H100"}]
    model = run(raw, 3)
    fed = model.names.index("Fed")
    assert model.agent("Neo").defaulted
    assert [e.amount_bn for e in events(model, "central_bank_loan")] == [pytest.approx(1.0)]
    (seizure,) = [e for e in events(model, "seizure") if e.actor == "Fed"]
    assert seizure.amount_bn == pytest.approx(0.8)  # 100k GPUs at US$8k
    (write_off,) = [e for e in events(model, "write_off") if e.actor == "Fed"]
    assert write_off.amount_bn == pytest.approx(1.0 - 0.8)
    assert model.ledger.realised_losses_bn[fed] == pytest.approx(1.0 - 0.8)
    assert model.ledger.gpu_units_k[fed, 0] == pytest.approx(100.0)  # it holds what it seized
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    assert last["central_bank_realised_losses_bn"] == pytest.approx(0.2)
    assert last["central_bank_lending_bn"] == pytest.approx(0.0)
    assert last["central_bank_gpus_cost_bn"] == pytest.approx(0.8)


def abs_seller(fed: dict) -> dict:
    """A fund that fails in month 1 holding ABS: its senior tranche of an SPV and ABS securities,
    dumped into a US$100 bn-deep ABS market (50 offered: exp(-0.5) = 61% of their value).
    """
    raw = mini(
        {
            "Fund": {"kind": "private_credit", "cash_bn": 1.0, "securities_bn": {"abs_senior": 40.0}},
            "Spv": {"kind": "spv", "cash_bn": 1.0, "real_assets_bn": 20.0},
            "Fed": {"kind": "central_bank"},
        },
        {
            "senior": {
                "kind": "abs_tranche",
                "tranche": "senior",
                "holder": "Fund",
                "obligor": "Spv",
                "principal_bn": 10.0,
                "rate_per_year": 0.0,
                "maturity_month": 120,
            }
        },
        central_bank=fed,
    )
    raw["shocks"] = [{"month": 1, "kind": "failure", "target": "Fund"}]
    return raw


def test_the_abs_floor_holds_the_price_and_the_central_bank_keeps_what_it_bought():
    floor = {**FED_ON, "lends": False, "buys_abs": True, "abs_floor_price": 0.8}
    model = run(abs_seller(floor), 3)
    led, d = model.ledger, model.ledger.debt
    fed = model.names.index("Fed")
    sales = [e for e in events(model, "asset_sale") if e.actor == "Fund"]
    sold = sum(e.amount_bn for e in sales)
    assert sold == pytest.approx(0.8 * 50.0)  # every unit of par sold at the floor
    assert all("Fed bought" in e.message for e in sales)
    # Outside buyers take what moves the price to 80% (100 x ln(1/0.8) of value); the Fed the rest.
    outside = 100.0 * np.log(1 / 0.8)
    held_face = led.securities_face_bn[fed, CreditClass.ABS_SENIOR]
    held_tranche = sum(d.principal_bn[r] for r in range(len(d)) if d.holder[r] == fed and d.active[r])
    assert held_face + held_tranche == pytest.approx(50.0 - outside)
    assert held_tranche == pytest.approx(10.0 * (1 - outside / 50.0))
    last = model.datacollector.get_model_vars_dataframe().iloc[-1]
    assert last["central_bank_bought_bn"] == pytest.approx(0.8 * (50.0 - outside))
    assert last["central_bank_abs_cost_bn"] == pytest.approx(0.8 * (50.0 - outside))
    # Without the floor the same sale fetches exp(-0.5) of its value.
    off = run(abs_seller({**floor, "buys_abs": False}), 3)
    fetched = sum(e.amount_bn for e in events(off, "asset_sale") if e.actor == "Fund")
    assert fetched == pytest.approx(50.0 * np.exp(-0.5)) and fetched < sold
    assert off.ledger.securities_face_bn[off.names.index("Fed")].sum() == 0.0


def test_the_central_bank_columns_add_up_to_its_balance_sheet():
    model = ContagionModel("backstop", rng=3)
    model.run_for(12)
    frame = model.datacollector.get_model_vars_dataframe()
    assert set(CENTRAL_BANK_FIGURES) <= set(frame.columns)
    last = frame.iloc[-1]
    led, d = model.ledger, model.ledger.debt
    fed = model.names.index("Federal Reserve")
    loans = np.array(model.state.memory.central_bank.loan_rows, dtype=np.int64)
    loans_value = float((d.principal_bn[loans] * d.value_factor[loans] * d.active[loans]).sum())
    held = last["central_bank_gpus_market_bn"] + last["central_bank_abs_market_bn"]
    held += last["central_bank_other_assets_bn"]
    assert last["central_bank_balance_sheet_bn"] == pytest.approx(loans_value + held + led.cash_bn[fed])
    assert last["central_bank_lending_bn"] == pytest.approx(model.state.views.central_bank_lending_bn())
    assert last["central_bank_gpus_market_bn"] == pytest.approx(
        float(led.gpu_units_k[fed] @ model.state.drivers.market_price_bn)
    )
    assert last["central_bank_bought_bn"] > 0 and frame["central_bank_balance_sheet_bn"].max() > 0
    # Its unrealised loss in the sector table is the one against what it paid.
    assert last["unrealised_losses_bn_central_bank"] == pytest.approx(last["central_bank_unrealised_losses_bn"])
    # (generation by generation: one may be below what it paid while another is above)
    below_cost = max(last["central_bank_gpus_cost_bn"] - last["central_bank_gpus_market_bn"], 0.0)
    assert below_cost - 1e-9 <= last["central_bank_unrealised_losses_bn"] <= last["central_bank_gpus_cost_bn"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_backstop_prevents_defaults_at_a_cost(seed):
    on = ContagionModel("backstop", rng=seed)
    off = ContagionModel("backstop", rng=seed, central_bank_enabled=False)
    on.run_for(24)
    off.run_for(24)
    with_it = on.datacollector.get_model_vars_dataframe()
    without = off.datacollector.get_model_vars_dataframe()
    assert with_it["defaults_total"].iloc[-1] <= without["defaults_total"].iloc[-1]
    assert with_it["central_bank_balance_sheet_bn"].max() > 0  # what it cost: a balance sheet ...
    assert with_it["central_bank_bought_bn"].iloc[-1] > 0  # ... of assets bought at its floor
    assert without["central_bank_balance_sheet_bn"].max() == 0.0


@pytest.mark.parametrize(
    ("override", "field", "allowed"),
    [
        ("central_bank.haircut_abs_aaa=1.5", "central_bank.haircut_abs_aaa", "0 <= x <= 1"),
        ("central_bank.penalty_spread_per_year=-0.01", "central_bank.penalty_spread_per_year", "0 <= x <= 0.5"),
        ("central_bank.abs_floor_price=2", "central_bank.abs_floor_price", "0 <= x <= 1"),
        ("central_bank.start_month=-1", "central_bank.start_month", "0 <= x <= 600"),
        ("central_bank.trigger=soon", "central_bank.trigger", "'sentiment', 'defaults' or 'month'"),
    ],
)
def test_bad_central_bank_settings_name_the_field_and_its_range(override, field, allowed):
    with pytest.raises(ConfigError) as error:
        load_scenario("backstop", [override])
    assert field in str(error.value) and allowed in str(error.value)


def test_an_old_switch_name_is_rejected_with_the_allowed_fields():
    raw = copy.deepcopy(borrower(FED_ON))
    raw["central_bank"]["accepts_gpu_collateral"] = True
    with pytest.raises(ConfigError, match=r"central_bank\.accepts_gpu_collateral: unknown field; allowed: .*buys_gpus"):
        build_scenario(raw, "test")


def test_the_costs_script_prints_and_saves_its_table(tmp_path):
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [
            sys.executable,
            str(root / "scripts" / "backstop_costs.py"),
            "--seeds",
            "1",
            "--months",
            "4",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for version in ("no backstop", "lending only", "purchases only", "whole backstop"):
        assert f"| {version} |" in result.stdout
    runs = pd.read_csv(tmp_path / "backstop_costs.csv")
    assert len(runs) == 4 and (tmp_path / "backstop_costs.md").is_file()
    off = runs[runs.version == "no backstop"].iloc[0]
    assert off.cb_peak_balance_sheet_bn == 0.0 and off.cb_lent_bn == 0.0
