"""Scenario loading, inheritance, overrides, levers and the error messages for bad input."""

from __future__ import annotations

import pytest
import yaml

from simulator import ContagionModel
from simulator.config import LEVERS, ConfigError, build_scenario, load_scenario, scenario_names, scenario_summary
from tests.conftest import raw_copy

SCENARIOS = [
    "baseline_2025",
    "ai_winter",
    "next_gen_launch",
    "rate_shock",
    "neocloud_default",
    "crypto_crash",
    "backstop",
    "ai_crash",
    "private_credit_run",
]


def test_every_required_scenario_exists_and_validates():
    assert set(SCENARIOS) <= set(scenario_names())
    for name in scenario_names():
        scenario = load_scenario(name)
        assert scenario.name == name
        assert scenario_summary(name), f"{name} has no description"


def test_scenarios_extend_the_baseline():
    base, winter = load_scenario("baseline_2025"), load_scenario("ai_winter")
    assert winter.institutions == base.institutions
    assert winter.shocks and not base.shocks
    backstop = load_scenario("backstop")
    assert backstop.central_bank.enabled and not load_scenario("neocloud_default").central_bank.enabled
    assert backstop.shocks == load_scenario("neocloud_default").shocks


def test_dotted_overrides_and_levers():
    s = load_scenario(
        "baseline_2025", ["markets.gpu.market_depth_bn=40", "debts.blackstone_coreweave_gpu_loan.ltv_covenant=0.7"]
    )
    assert s.markets.gpu.market_depth_bn == 40
    assert s.debts["blackstone_coreweave_gpu_loan"].ltv_covenant == 0.7
    s = load_scenario("baseline_2025", gpu_depreciation_per_year=0.5, fire_sale_impact=False, waiver_propensity=0.0)
    assert all(g.depreciation_per_year == 0.5 for g in s.markets.gpu.generations)
    assert s.channels.fire_sale_impact is False
    assert all(i.rules.get("waiver_propensity") == 0.0 for i in s.institutions.values())
    s = load_scenario("baseline_2025", shock_kind="failure", shock_target="Lambda", shock_month=2)
    assert s.shocks[-1].kind == "failure" and s.shocks[-1].target == "Lambda"


def test_model_accepts_keyword_levers_and_scenario_alias():
    model = ContagionModel(scenario="rate_shock", seed="7", gpu_market_depth_bn=30)
    assert model.config.name == "rate_shock"
    assert model.config.markets.gpu.market_depth_bn == 30


def _error(raw: dict, **levers) -> str:
    with pytest.raises(ConfigError) as info:
        build_scenario(raw, "bad.yaml", **levers)
    return str(info.value)


def test_wrong_type_names_file_and_field(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["institutions"]["CoreWeave"]["cash_bn"] = "lots"
    msg = _error(raw)
    assert "bad.yaml" in msg and "institutions.CoreWeave.cash_bn" in msg and "number" in msg


def test_negative_amount_names_field_and_bound(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["debts"]["blackstone_coreweave_gpu_loan"]["principal_bn"] = -1
    msg = _error(raw)
    assert "debts.blackstone_coreweave_gpu_loan.principal_bn" in msg and "greater than or equal to 0" in msg


def test_unknown_institution_in_contract(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["contracts"]["openai_oracle_compute"]["payee"] = "Oracel"
    msg = _error(raw)
    assert "contracts.openai_oracle_compute.payee" in msg and "Oracel" in msg and "known" in msg


def test_unknown_field_is_rejected(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["institutions"]["Nvidia"]["cash"] = 3
    assert "institutions.Nvidia.cash" in _error(raw)


def test_rules_are_validated_against_the_kind(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["institutions"]["OpenAI"]["rules"] = {"renegotiation_cut": 2.0}
    msg = _error(raw)
    assert "institutions.OpenAI" in msg and "renegotiation_cut" in msg and "less than or equal to 1" in msg
    raw["institutions"]["OpenAI"]["rules"] = {"spot_share": 0.5}  # a neocloud rule
    assert "spot_share" in _error(raw)


def test_nan_and_infinity_are_rejected(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["markets"]["gpu"]["market_depth_bn"] = float("nan")
    assert "markets.gpu.market_depth_bn" in _error(raw)
    raw["markets"]["gpu"]["market_depth_bn"] = float("inf")
    assert "markets.gpu.market_depth_bn" in _error(raw)


def test_unknown_scenario_lists_choices():
    with pytest.raises(ConfigError, match=r"unknown scenario 'ai_wintr'.*baseline_2025"):
        load_scenario("ai_wintr")


def test_out_of_range_lever_names_range():
    with pytest.raises(ConfigError, match=r"gpu_market_depth_bn.*out of range.*\[0.1, 10000.0\]"):
        load_scenario("baseline_2025", gpu_market_depth_bn=-5)
    with pytest.raises(ConfigError, match="waiver_propensity"):
        ContagionModel("baseline_2025", waiver_propensity=float("nan"))
    with pytest.raises(ConfigError, match="unknown parameter 'gpu_depth'"):
        ContagionModel("baseline_2025", gpu_depth=3)


def test_shock_size_range_and_target_checked(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["shocks"] = [{"month": 2, "kind": "crypto_crash", "size": 1.5}]
    assert "must be in [0.0, 0.99]" in _error(raw)
    raw["shocks"] = [{"month": 2, "kind": "failure", "target": "Nobody"}]
    assert "shocks.0.target" in _error(raw)


def test_bad_override_path_names_known_keys():
    with pytest.raises(ConfigError, match=r"unknown key 'gpus' at markets; allowed: .*'gpu'"):
        load_scenario("baseline_2025", ["markets.gpus.market_depth_bn=3"])
    with pytest.raises(ConfigError, match="expected key=value"):
        load_scenario("baseline_2025", ["markets.gpu.market_depth_bn"])


def test_pledging_more_gpus_than_owned_fails_before_the_run(baseline_raw):
    raw = raw_copy(baseline_raw)
    raw["debts"]["blackstone_coreweave_gpu_loan"]["collateral"]["units_k"] = 10_000
    scenario = build_scenario(raw)
    with pytest.raises(ConfigError, match=r"CoreWeave pledges 10000k Blackwell GPUs.*owns"):
        ContagionModel(scenario)


def test_bad_seed_and_months_are_clear_errors():
    with pytest.raises(ConfigError, match="seed must be a whole number"):
        ContagionModel("baseline_2025", seed="abc")
    model = ContagionModel("baseline_2025", rng=1)
    with pytest.raises(ValueError, match="months must be a whole number"):
        model.run_for(-1)


def test_yaml_file_path_and_extends(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump({"extends": "baseline_2025", "name": "mine", "months": 5}))
    assert load_scenario(path).months == 5
    path.write_text("name: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_scenario(path)


def test_every_lever_is_documented():
    for lever in LEVERS.values():
        assert lever.description and lever.unit
        if lever.kind in (int, float):
            assert lever.low < lever.high
