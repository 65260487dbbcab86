"""Bad input to the configuration and the Python API: each is a ``ConfigError`` that names its
source (file, "parameter" or argument), the field and what is allowed -- never a traceback from
deep inside yaml, pydantic or numpy, and never a silent coercion.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator import ContagionModel
from simulator.config import CONFIG_DIR, ConfigError, build_scenario, load_scenario
from tests.conftest import raw_copy


def write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- names and paths
def test_a_folder_is_not_a_scenario(tmp_path):
    with pytest.raises(ConfigError, match=r"is a folder, not a scenario file.*baseline_2025"):
        load_scenario(tmp_path)
    with pytest.raises(ConfigError, match="is a folder"):
        load_scenario(str(tmp_path))


def test_a_folder_in_the_current_directory_does_not_shadow_a_scenario_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline_2025").mkdir()
    (tmp_path / "other").mkdir()
    assert load_scenario("baseline_2025").name == "baseline_2025"
    with pytest.raises(ConfigError, match=r"unknown scenario 'other'.*baseline_2025"):
        load_scenario("other")


def test_a_bare_name_is_a_scenario_name_first(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "name: not the packaged one\n", name="baseline_2025")
    assert load_scenario("baseline_2025").name == "baseline_2025"
    assert load_scenario(CONFIG_DIR / "baseline_2025.yaml").name == "baseline_2025"


# ----------------------------------------------------------------------------- extends
@pytest.mark.parametrize(
    ("extends", "expected"),
    [
        ("nothere.yaml", r"mine\.yaml: extends: .*nothere\.yaml: no such scenario file"),
        ("nothere", r"mine\.yaml: extends: unknown scenario 'nothere'; choose a scenario from \[.*baseline_2025"),
        ("5", r"mine\.yaml: extends: expected a scenario name or a path.*got 5 \(int\)"),
        (
            "[baseline_2025]",
            r"mine\.yaml: extends: expected a scenario name or a path.*got \['baseline_2025'\] \(list\)",
        ),
        ("", r"mine\.yaml: extends: expected a scenario name or a path.*got None"),
        ("'.'", r"mine\.yaml: extends: .* is a folder, not a scenario file"),
    ],
)
def test_bad_extends_names_the_file_and_what_is_allowed(tmp_path, extends, expected):
    path = write(tmp_path, f"extends: {extends}\nname: mine\n")
    with pytest.raises(ConfigError, match=expected):
        load_scenario(path)


def test_extends_a_relative_file_or_a_scenario_name(tmp_path):
    write(tmp_path, "extends: baseline_2025\nname: parent\nmonths: 7\n", name="parent.yaml")
    (tmp_path / "sub").mkdir()
    child = write(tmp_path / "sub", "extends: ../parent.yaml\nname: child\n")
    assert load_scenario(child).months == 7
    assert load_scenario(write(tmp_path, "extends: rate_shock\nname: x\n")).shocks == load_scenario("rate_shock").shocks


# ----------------------------------------------------------------------------- reading YAML
def test_duplicate_keys_are_rejected_with_their_line(tmp_path):
    text = (
        "extends: baseline_2025\n"
        "name: mine\n"
        "institutions:\n"
        "  Nvidia: {cash_bn: 1}\n"
        "  Oracle: {cash_bn: 2}\n"
        "  Nvidia: {cash_bn: 3}\n"
    )
    with pytest.raises(ConfigError, match=r"mine\.yaml: line 6: duplicate key 'Nvidia' \(first on line 4\)"):
        load_scenario(write(tmp_path, text))
    with pytest.raises(ConfigError, match=r"line 3: duplicate key 'months'"):
        load_scenario(write(tmp_path, "extends: baseline_2025\nmonths: 3\nmonths: 4\n"))
    with pytest.raises(ConfigError, match=r"line 3: duplicate key 'no' \(first on line 2\)"):  # the key False
        load_scenario(write(tmp_path, "extends: baseline_2025\nno: 3\nno: 4\n"))


def test_a_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes("extends: baseline_2025\nname: café\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.yaml: not UTF-8 text.*line 2"):
        load_scenario(path)


def test_broken_yaml_names_the_file_and_line(tmp_path):
    with pytest.raises(ConfigError, match=r"mine\.yaml: not valid YAML.*line 2"):
        load_scenario(write(tmp_path, "extends: baseline_2025\nname: [unclosed\n"))


@pytest.mark.parametrize(("text", "number"), [("1e3", 1000.0), ("1E-3", 0.001), (".5", 0.5), ("-2.5e+2", -250.0)])
def test_numbers_in_exponent_form_are_numbers(text, number, tmp_path):
    from simulator.config import parse_assignment

    assert parse_assignment(f"gpu_market_depth_bn={text}") == ("gpu_market_depth_bn", number)
    path = write(tmp_path, f"extends: baseline_2025\ninstitutions: {{Nvidia: {{cash_bn: {text.lstrip('-')}}}}}\n")
    assert load_scenario(path).institutions["Nvidia"].cash_bn == abs(number)
    if number >= 0.1:
        assert load_scenario("baseline_2025", gpu_market_depth_bn=parse_assignment(f"x={text}")[1])


# ----------------------------------------------------------------------------- dotted overrides
def test_an_override_into_a_single_value_names_the_path():
    with pytest.raises(ConfigError, match=r"markets\.gpu\.market_depth_bn is a single value, not a mapping"):
        load_scenario("baseline_2025", ["markets.gpu.market_depth_bn.x=1"])
    with pytest.raises(ConfigError, match=r"markets\.gpu\.impact_model is a single value"):
        load_scenario("baseline_2025", ["markets.gpu.impact_model.x=1"])


def test_overrides_reach_every_path_of_the_schema():
    s = load_scenario("baseline_2025", ["channels.fire_sale_impact=false", "central_bank.enabled=true"])
    assert s.channels.fire_sale_impact is False and s.central_bank.enabled is True
    s = load_scenario(
        "baseline_2025", {"markets.gpu.impact_model": "linear", "markets.gpu.generations.0.launch_month": -1}
    )
    assert s.markets.gpu.impact_model == "linear" and s.markets.gpu.generations[0].launch_month == -1
    s = load_scenario("baseline_2025", ["institutions.OpenAI.rules.renegotiation_cut=0.5"])
    assert s.institutions["OpenAI"].rules == {"renegotiation_cut": 0.5}


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("channels.fire_sales=false", r"unknown key 'fire_sales' at channels; allowed: .*fire_sale_impact"),
        ("central_bank.enable=true", r"unknown key 'enable' at central_bank; allowed: .*enabled"),
        (
            "nosuchlever=1",
            r"unknown key 'nosuchlever' at top level; allowed: .*markets.*or a lever .*gpu_market_depth_bn",
        ),
        ("institutions.Nobody.cash_bn=1", r"unknown key 'Nobody' at institutions; allowed: .*CoreWeave"),
        (
            "institutions.OpenAI.rules.spot_share=0.5",
            r"unknown key 'spot_share' at institutions\.OpenAI\.rules; allowed: .*renegotiation_cut",
        ),
        (
            "markets.gpu.generations.9.name=x",
            r"markets\.gpu\.generations is a list of 3 items: use an index 0-2, got '9'",
        ),
        ("markets..gpu=1", r"'markets\.\.gpu': expected a dotted path such as markets\.gpu\.market_depth_bn"),
    ],
)
def test_unknown_override_paths_list_what_is_allowed(override, expected):
    with pytest.raises(ConfigError, match=expected):
        load_scenario("baseline_2025", [override])


# ----------------------------------------------------------------------------- types
@pytest.mark.parametrize(
    ("override", "field", "expected"),
    [
        ({"institutions.Nvidia.cash_bn": True}, "institutions.Nvidia.cash_bn", "valid number"),
        ({"institutions.Nvidia.cash_bn": "5"}, "institutions.Nvidia.cash_bn", "valid number"),
        (["institutions.Nvidia.cash_bn=true"], "institutions.Nvidia.cash_bn", "valid number"),
        (["markets.gpu.market_depth_bn=yes"], "markets.gpu.market_depth_bn", "valid number"),
        ({"debts.blackstone_coreweave_gpu_loan.maturity_month": 30.5}, "maturity_month", "valid integer"),
        ({"months": "12"}, "months", "valid integer"),
        ({"months": False}, "months", "valid integer"),
        ({"channels.fire_sale_impact": 1}, "channels.fire_sale_impact", "valid boolean"),
        ({"channels.fire_sale_impact": "no"}, "channels.fire_sale_impact", "valid boolean"),
        ({"central_bank.enabled": "yes"}, "central_bank.enabled", "valid boolean"),
        ({"name": 2025}, "name", "valid string"),
        ({"institutions.OpenAI.rules.renegotiation_cut": True}, "renegotiation_cut", "valid number"),
        ({"institutions.OpenAI.rules.max_renegotiations": 2.5}, "max_renegotiations", "valid integer"),
        ({"institutions.CoreWeave.gpus_k.H100": True}, "institutions.CoreWeave.gpus_k.H100", "valid number"),
    ],
)
def test_booleans_text_and_fractions_do_not_pass_as_numbers(override, field, expected):
    with pytest.raises(ConfigError, match=rf"baseline_2025\.yaml: .*{field}.*{expected}") as info:
        load_scenario("baseline_2025", override)
    assert "got" in str(info.value)


@pytest.mark.parametrize(
    ("lever", "value", "expected"),
    [
        ("months", 2.5, r"lever 'months': expected a whole number in \[1, 600\]"),
        ("shock_month", 1.7, r"lever 'shock_month': expected a whole number"),
        ("months", True, r"lever 'months': expected a whole number"),
        ("gpu_market_depth_bn", True, r"lever 'gpu_market_depth_bn': expected a finite number"),
        ("gpu_market_depth_bn", "40", r"lever 'gpu_market_depth_bn': expected a finite number"),
        ("fire_sale_impact", 0, r"lever 'fire_sale_impact': expected true/false"),
        ("gpu_market_depth_bn", np.array([3.0]), r"lever 'gpu_market_depth_bn': expected one value, got a numpy array"),
        ("months", [3], r"lever 'months': expected a whole number"),
        ("gpu_market_depth_bn", 10**400, r"lever 'gpu_market_depth_bn' = 1000.*\.\.\. is out of range"),
        ("months", -(10**400), r"lever 'months' = -1000.*\.\.\. is out of range: allowed \[1, 600\]"),
    ],
)
def test_levers_are_checked_like_the_schema(lever, value, expected):
    with pytest.raises(ConfigError, match=expected):
        load_scenario("baseline_2025", **{lever: value})
    with pytest.raises(ConfigError, match=expected):
        ContagionModel("baseline_2025", **{lever: value})


def test_levers_take_numpy_scalars_and_whole_floats():
    s = load_scenario(
        "baseline_2025",
        months=np.int64(5),
        gpu_market_depth_bn=np.float64(30.0),
        fire_sale_impact=np.bool_(False),
        shock_month=np.float64(2.0),
        shock_kind=np.str_("sentiment"),
        shock_size=np.float32(0.25),
    )
    assert (s.months, s.markets.gpu.market_depth_bn, s.channels.fire_sale_impact) == (5, 30.0, False)
    assert type(s.months) is int and type(s.channels.fire_sale_impact) is bool
    assert (s.shocks[-1].month, s.shocks[-1].kind, s.shocks[-1].size) == (2, "sentiment", 0.25)
    assert load_scenario("baseline_2025", months=7.0).months == 7


def test_numpy_values_in_overrides_and_raw_mappings(baseline_raw):
    s = load_scenario("baseline_2025", {"markets.gpu.market_depth_bn": np.float64(30), "months": np.int64(9)})
    assert (s.markets.gpu.market_depth_bn, s.months) == (30.0, 9)
    with pytest.raises(ConfigError, match=r"institutions\.Nvidia\.cash_bn.*valid number"):
        load_scenario("baseline_2025", {"institutions.Nvidia.cash_bn": np.bool_(True)})
    raw = raw_copy(baseline_raw)
    raw["institutions"]["Nvidia"]["cash_bn"] = np.array([1.0, 2.0])
    with pytest.raises(
        ConfigError, match=r"mine: institutions\.Nvidia\.cash_bn: expected one value, got a numpy array"
    ):
        build_scenario(raw, "mine")


# ----------------------------------------------------------------------------- bounds
@pytest.mark.parametrize(
    ("path", "value", "allowed"),
    [
        ("institutions.Nvidia.cash_bn", 1e308, "less than or equal to 1000000"),
        ("institutions.Nvidia.other_assets_bn", 2e6, "less than or equal to 1000000"),
        ("institutions.Nvidia.real_assets_bn", 2e6, "less than or equal to 1000000"),
        ("institutions.Nvidia.other_liabilities_bn", 2e6, "less than or equal to 1000000"),
        ("institutions.Nvidia.market_value_bn", 2e6, "less than or equal to 1000000"),
        ("institutions.Nvidia.revenue_bn_per_month", 2e5, "less than or equal to 100000"),
        ("institutions.Nvidia.opex_bn_per_month", 2e5, "less than or equal to 100000"),
        ("institutions.Nvidia.capex_real_bn_per_month", 2e5, "less than or equal to 100000"),
        ("institutions.CoreWeave.gpus_k.H100", 2e6, "less than or equal to 1000000"),
        ("debts.blackstone_coreweave_gpu_loan.principal_bn", 1e305, "less than or equal to 1000000"),
        ("debts.blackstone_coreweave_gpu_loan.limit_bn", 2e6, "less than or equal to 1000000"),
        ("debts.blackstone_coreweave_gpu_loan.min_liquidity_bn", 2e6, "less than or equal to 1000000"),
        ("debts.blackstone_coreweave_gpu_loan.collateral.units_k", 2e6, "less than or equal to 1000000"),
        ("contracts.openai_oracle_compute.monthly_payment_bn", 2e5, "less than or equal to 100000"),
        ("markets.gpu.generations.0.price_bn_per_k", 100.0, "less than or equal to 10"),
        ("markets.gpu.generations.0.price_bn_per_k", 1e-300, "greater than or equal to 0.000001"),
        ("markets.gpu.generations.0.rental_bn_per_k_month", 5.0, "less than or equal to 1"),
        ("markets.gpu.market_depth_bn", 1e-9, "greater than or equal to 0.1"),
        ("markets.gpu.market_depth_bn", 1e7, "less than or equal to 1000000"),
        ("markets.credit.depth_bn.private", 1e-9, "greater than or equal to 0.1"),
        ("markets.credit.depth_bn.private", 1e7, "less than or equal to 1000000"),
    ],
)
def test_sizes_are_bounded(path, value, allowed):
    with pytest.raises(ConfigError, match=rf"{path}: Input should be {allowed}"):
        load_scenario("baseline_2025", {path: value})


def test_bounds_say_why():
    from simulator.config import Debt, GpuMarket, Institution

    for field in ("cash_bn", "revenue_bn_per_month"):
        assert "world GDP" in (Institution.model_fields[field].description or "")
    assert "GPUs" in (Institution.model_fields["gpus_k"].description or "")
    assert "world GDP" in (Debt.model_fields["principal_bn"].description or "")
    assert "price to 0" in (GpuMarket.model_fields["market_depth_bn"].description or "")


def test_the_largest_allowed_sizes_stay_finite(baseline_raw):
    raw = raw_copy(baseline_raw)
    for inst in raw["institutions"].values():
        inst["cash_bn"] = 1e6
        inst["other_assets_bn"] = 1e6
    raw["debts"]["blackstone_coreweave_gpu_loan"]["principal_bn"] = 1e6
    raw["debts"]["blackstone_coreweave_gpu_loan"].pop("limit_bn", None)
    model = ContagionModel(build_scenario(raw, "largest"), rng=0)
    model.run_for(2)
    table = model.datacollector.get_model_vars_dataframe()
    assert np.isfinite(table["system_equity_bn"]).all()
    assert np.isfinite(model.ledger.assets_bn()).all()


# ----------------------------------------------------------------------------- empty mappings under extends
def test_an_empty_mapping_under_extends_clears_the_parents(tmp_path):
    base = load_scenario("baseline_2025")
    child = load_scenario(write(tmp_path, "extends: baseline_2025\nname: no_debt\ndebts: {}\n"))
    assert child.debts == {} and base.debts
    assert child.contracts == base.contracts and child.institutions == base.institutions
    write(tmp_path, "extends: baseline_2025\nname: parent\nchannels: {fire_sale_impact: false}\n", name="parent.yaml")
    child = load_scenario(write(tmp_path, "extends: parent.yaml\nname: child\nchannels: {}\n"))
    assert child.channels.fire_sale_impact is True  # back to the defaults
    nested = load_scenario(write(tmp_path, "extends: baseline_2025\ninstitutions: {Lambda: {rules: {}}}\n"))
    assert nested.institutions["Lambda"].rules == {} and nested.institutions["Lambda"].kind == "neocloud"


def test_clearing_the_institutions_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match=r"mine\.yaml: institutions: .*at least 1 item"):
        load_scenario(write(tmp_path, "extends: baseline_2025\ninstitutions: {}\n"))


# ----------------------------------------------------------------------------- shocks
def test_shocks_fall_within_the_longest_run():
    with pytest.raises(
        ConfigError,
        match=r"shocks\.0\.month: Input should be less than or equal to 600; allowed: 0 <= x <= 600 \(got 900\)",
    ):
        load_scenario("baseline_2025", {"shocks": [{"month": 900, "kind": "sentiment", "size": 0.1}]})
    with pytest.raises(ConfigError, match=r"lever 'shock_month' = 900 is out of range: allowed \[0, 600\]"):
        load_scenario("baseline_2025", shock_kind="sentiment", shock_size=0.1, shock_month=900)
    assert load_scenario("baseline_2025", {"shocks": [{"month": 600, "kind": "sentiment", "size": 0.1}]}).shocks


@pytest.mark.parametrize("kind", ["rate_shock", "ai_growth", "crypto_crash", "sentiment"])
def test_a_shock_that_takes_no_target_rejects_one(kind):
    shock = {"month": 2, "kind": kind, "size": 0.05, "target": "Nvidia"}
    with pytest.raises(ConfigError, match=rf"shocks\.0: a '{kind}' shock takes no target, got 'Nvidia'"):
        load_scenario("baseline_2025", {"shocks": [shock]})
    with pytest.raises(ConfigError, match=rf"a '{kind}' shock takes no target"):
        load_scenario("baseline_2025", shock_kind=kind, shock_size=0.05, shock_target="Nvidia")
    assert load_scenario("baseline_2025", shock_kind=kind, shock_size=0.05, shock_target="").shocks[-1].target is None


# ----------------------------------------------------------------------------- the Python API's arguments
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"rng": "abc"}, r"rng must be a whole number >= 0 or a numpy Generator, got 'abc'"),
        ({"rng": 1.5}, r"rng must be a whole number >= 0 or a numpy Generator, got 1\.5"),
        ({"rng": -1}, r"rng must be a whole number >= 0 or a numpy Generator, got -1"),
        ({"rng": True}, r"rng must be a whole number >= 0 or a numpy Generator, got True"),
        ({"rng": [1, 2]}, r"rng must be a whole number >= 0 or a numpy Generator, got \[1, 2\]"),
        ({"seed": True}, r"seed must be a whole number >= 0, got True"),
        ({"seed": "1_000"}, r"seed must be a whole number >= 0, got '1_000'"),
        ({"seed": 2.5}, r"seed must be a whole number >= 0, got 2\.5"),
        ({"seed": "²"}, r"seed must be a whole number >= 0, got '²'"),
        ({"seed": "9" * 5000}, r"seed must be a whole number >= 0, got '9999.*\.\.\.$"),
        ({"config": 123}, r"config: expected a Scenario, a scenario name or a path to a \.yaml file, got 123 \(int\)"),
        ({"scenario": 123}, r"scenario: expected a Scenario, a scenario name or a path .*got 123 \(int\)"),
        ({"config": ""}, r"scenario: the scenario name is empty; choose a scenario from \[.*baseline_2025"),
        (
            {"overrides": "a=b"},
            r"overrides: expected a list of 'key=value' texts or a dict .*got 'a=b' \(str\); write \['a=b'\]",
        ),
        ({"overrides": {5: 1}}, r"overrides: key 5 \(int\): expected a dotted path as text"),
        ({"overrides": [5]}, r"overrides: item 5 \(int\): expected 'key=value' text"),
        ({"overrides": 5}, r"overrides: expected a list of 'key=value' texts or a dict"),
    ],
)
def test_bad_model_arguments_name_the_argument(kwargs, expected):
    with pytest.raises(ConfigError, match=expected):
        ContagionModel(**kwargs)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((None,), r"scenario: expected a scenario name or a path, got None \(NoneType\)"),
        (("",), r"scenario: the scenario name is empty"),
        (("  ",), r"scenario: the scenario name is empty"),
        ((5,), r"scenario: expected a scenario name or a path, got 5 \(int\)"),
        (("baseline_2025", "a=b"), r"overrides: expected a list of 'key=value' texts or a dict"),
        (("baseline_2025", {5: 1}), r"overrides: key 5 \(int\)"),
        (("baseline_2025", ["=3"]), r"override '=3': the key before '=' is empty"),
    ],
)
def test_bad_load_scenario_arguments_name_the_argument(args, expected):
    with pytest.raises(ConfigError, match=expected):
        load_scenario(*args)


def test_good_model_arguments_still_work():
    from mesa.experimental.scenarios import Scenario as MesaScenario

    assert ContagionModel(rng=np.int64(3)).config.name == "baseline_2025"
    assert ContagionModel(rng=np.random.default_rng(3)).config.name == "baseline_2025"
    assert ContagionModel(seed=" 7 ").config.name == "baseline_2025"
    assert ContagionModel(scenario=MesaScenario(rng=1)).config.name == "baseline_2025"  # SolaraViz's Reset
    assert ContagionModel(Path(CONFIG_DIR / "rate_shock.yaml")).config.name == "rate_shock"
    model = ContagionModel(rng=1.0)
    with pytest.raises(ConfigError, match=r"run_for: months must be a whole number in \[0, 100000\], got 2\.5"):
        model.run_for(2.5)


def test_build_scenario_needs_a_mapping():
    with pytest.raises(ConfigError, match=r"mine: expected a mapping of scenario fields, got 'x' \(str\)"):
        build_scenario("x", "mine")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"parse_assignment: expected 'key=value' text, got 5 \(int\)"):
        from simulator.config import parse_assignment

        parse_assignment(5)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- messages list what is allowed
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "institutions: {OpenAI: {rules: {spot_share: 0.5}}}",
            r"institutions\.OpenAI\.rules: spot_share: not a rule of kind ai_lab; allowed: \[.*'renegotiation_cut'",
        ),
        ("nosuchlever: 1", r"nosuchlever: unknown field; allowed: \[.*'markets'.*\]"),
        ("channels: {fire_sales: false}", r"channels\.fire_sales: unknown field; allowed: \[.*'fire_sale_impact'"),
        ("central_bank: {enable: true}", r"central_bank\.enable: unknown field; allowed: \[.*'enabled'"),
        (
            "markets: {gpu: {generations: [{nam: x}]}}",
            r"markets\.gpu\.generations\.0\.nam: unknown field; allowed: \[.*'name'",
        ),
        (
            "debts: {x: {kind: loan, holder: Nvidia, obligor: Oracle, principal: 1}}",
            r"debts\.x\.principal: unknown field; allowed: .*'principal_bn'",
        ),
    ],
)
def test_unknown_fields_in_a_file_list_what_is_allowed(tmp_path, text, expected):
    with pytest.raises(ConfigError, match=rf"mine\.yaml: {expected}"):
        load_scenario(write(tmp_path, f"extends: baseline_2025\n{text}\n"))


def test_an_unknown_lever_lists_the_levers(baseline_raw):
    with pytest.raises(ConfigError, match=r"unknown parameter 'nosuchlever'; choose from \[.*'gpu_market_depth_bn'"):
        build_scenario(raw_copy(baseline_raw), "parameter", nosuchlever=1)
    with pytest.raises(ConfigError, match=r"unknown parameter 'nosuchlever'; choose from \[.*'months'"):
        load_scenario("baseline_2025", nosuchlever=1)
