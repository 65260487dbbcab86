"""Bad input to the configuration and the Python API: each is a ``ConfigError`` that names its
source (file, "parameter" or argument), the field and what is allowed -- never a traceback from
deep inside yaml, pydantic or numpy, and never a silent coercion.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.config import CONFIG_DIR, ConfigError, load_scenario


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
    path = write(tmp_path, f"extends: baseline_2025\nmarkets: {{gpu: {{market_depth_bn: {text.lstrip('-')}}}}}\n")
    assert load_scenario(path).markets.gpu.market_depth_bn == abs(number)
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
