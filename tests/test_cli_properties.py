"""Property-based test of the command line: generated bad input of every kind -- option values of
the wrong type or out of range, ``--set`` values for unknown keys, of the wrong type or out of
range, unknown scenario names, broken YAML files, folders and missing files, an empty ``--out``
-- always ends with exit code 2 and one message naming the option or field, never a traceback
and never a run. Runs ``simulator.cli.main`` in-process, like ``tests/test_cli.py``; counts the
cases of each kind that ran, so it cannot pass by drawing nothing.
"""

from __future__ import annotations

import itertools
import re
import string
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import cli
from simulator.config import LEVERS, Scenario, scenario_names

EXAMPLES = 500
MIN_PER_KIND = 5

finite = dict(allow_nan=False, allow_infinity=False)
WORDS = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12).filter(lambda w: w[0] != "_")
NUMERIC = sorted(n for n, lever in LEVERS.items() if lever.kind in (int, float))
SWITCHES = sorted(n for n, lever in LEVERS.items() if lever.kind is bool)
WHOLE = {"--months": (1, 600), "--seed": (0, None), "--port": (1, 65535)}
ALLOWED = {"--months": "from 1 to 600", "--seed": ">= 0", "--port": "from 1 to 65535"}
# Numeric fields of the baseline as dotted paths: True if a negative number is out of range.
FIELDS = {
    "markets.gpu.market_depth_bn": True,
    "markets.rates.base_rate_per_year": False,
    "institutions.CoreWeave.cash_bn": True,
    "institutions.OpenAI.cash_bn": True,
    "debts.blackstone_coreweave_gpu_loan.principal_bn": True,
}
NOT_NUMBERS = st.sampled_from(["deep", "[1, 2]", "{a: 1}", "null", "0x1G", "inf_", "~", "'12'", "1e+16"])
# For config fields, not "'12'" or "1e+16" (YAML reads them as text): the config reads text that
# spells a number as the number.
FIELD_NOT_NUMBERS = st.sampled_from(["deep", "[1, 2]", "{a: 1}", "null", "0x1G", "inf_", "~"])


def _valid_whole(text: str, low: int, high: int | None) -> bool:
    """What the option accepts: ASCII digits (and a sign) within the range."""
    if not re.fullmatch(r"[+-]?[0-9]{1,40}", text.strip()):
        return False
    value = int(text.strip())
    return value >= low and (high is None or value <= high)


@st.composite
def bad_option(draw):
    option = draw(st.sampled_from(sorted(WHOLE)))
    low, high = WHOLE[option]
    value = draw(
        st.one_of(
            st.integers(max_value=low - 1).map(str),
            st.integers(min_value=high + 1).map(str) if high is not None else st.nothing(),
            st.floats(**finite).filter(lambda x: x != int(x)).map(repr),
            st.integers(low, high or 10**6).map(lambda n: f"{n}.0"),
            st.integers(low, high or 10**6).map(lambda n: f"{n}e0"),
            st.sampled_from(["true", "false", "True", "nan", "inf", "", " ", "1_0", "0x10", "\u0663", "1,000", "1 2"]),
            st.text(max_size=8),
        ).filter(lambda text: not _valid_whole(text, low, high))
    )
    command = ["app"] if option == "--port" else ["run", "--out", "{out}"]
    return ("option " + option, [*command, f"{option}={value}"], [option, ALLOWED[option]])


@st.composite
def bad_setting(draw):
    kind = draw(st.sampled_from(["unknown key", "wrong type", "out of range", "field"]))
    if kind == "unknown key":
        key = draw(WORDS.filter(lambda w: w not in LEVERS and w not in Scenario.model_fields))
        if draw(st.booleans()):
            key = f"{draw(st.sampled_from(['markets', 'channels', 'central_bank', 'resolution']))}.{key}"
        value, named = draw(st.sampled_from(["1", "true", "x"])), key
    elif kind == "wrong type":
        key = draw(st.sampled_from(NUMERIC + SWITCHES))
        wrong = NOT_NUMBERS if key in NUMERIC else st.sampled_from(["5", "0.5", "abc", "[true]", "null", "2"])
        value, named = draw(wrong), key
    elif kind == "out of range":
        key = draw(st.sampled_from(NUMERIC))
        lever = LEVERS[key]
        assert lever.low is not None and lever.high is not None
        step = draw(st.integers(1, 10**6) if lever.kind is int else st.floats(1e-3, 1e6, **finite))
        number = lever.low - step if draw(st.booleans()) else lever.high + step
        value, named = repr(lever.kind(number)), key
    else:
        key = draw(st.sampled_from(sorted(FIELDS)))
        negative = st.floats(-1e6, -1e-3, **finite).map(repr)
        value, named = draw(st.one_of(FIELD_NOT_NUMBERS, negative) if FIELDS[key] else FIELD_NOT_NUMBERS), key
    return ("--set " + kind, ["run", "--months=1", "--out", "{out}", "--set", f"{key}={value}"], [named])


@st.composite
def bad_scenario_name(draw):
    name = draw(WORDS.filter(lambda w: w not in scenario_names()))
    return ("unknown scenario", ["run", name, "--months=1", "--out", "{out}"], [f"unknown scenario {name!r}"])


@st.composite
def broken_yaml(draw):
    kind = draw(st.sampled_from(["syntax", "top level", "extends"]))
    word = draw(WORDS)
    if kind == "syntax":
        text = "extends: baseline_2025\nname: broken\n" + draw(
            st.sampled_from([f"{word}: [1, {{", f"{word}: '{word}", f"{word}: a: b", f"- {word}", f"{word}:\n\t- 1"])
        )
        named = ["not valid YAML"]
    elif kind == "top level":
        text = draw(st.sampled_from([f"- {word}\n- 2\n", "42\n", f"{word}\n", "", "null\n", "[1, 2]\n"]))
        named = ["a mapping"]
    else:
        parent = draw(
            st.sampled_from([f"{word}_nothere.yaml", "5", "[baseline_2025]", f"{word}_nothere", "{a: 1}", "3.5"])
        )
        text = f"extends: {parent}\nname: broken\n"
        named = []  # the file is named (below); what its extends: names depends on the value
    return ("YAML " + kind, ["run", "{file}", "--months=1", "--out", "{out}"], named, text)


@st.composite
def bad_path(draw):
    kind = draw(st.sampled_from(["folder as scenario", "missing file", "empty --out", "file as --out"]))
    if kind == "folder as scenario":
        command = draw(
            st.sampled_from([["run", "{folder}", "--months=1", "--out", "{out}"], ["app", "--scenario", "{folder}"]])
        )
        return (kind, command, ["is a folder, not a scenario file"])
    if kind == "missing file":
        name = draw(WORDS) + draw(st.sampled_from([".yaml", ".yml"]))
        return (kind, ["run", f"{{tmp}}/{name}", "--months=1", "--out", "{out}"], [name, "no such scenario file"])
    if kind == "empty --out":
        return (
            kind,
            ["run", "--months=1", f"--out={draw(st.sampled_from(['', ' ', '  ']))}"],
            ["--out", "folder name"],
        )
    return (kind, ["run", "--months=1", "--out", "{afile}"], ["--out", "is a file"])


CASES = st.one_of(bad_option(), bad_setting(), bad_scenario_name(), broken_yaml(), bad_path())


@pytest.fixture
def no_server(monkeypatch):
    from simulator.app import server

    def serve(**kwargs):
        raise AssertionError(f"bad input started the app server: {kwargs}")

    monkeypatch.setattr(server, "serve", serve)


def test_bad_command_lines_exit_2_with_a_message(tmp_path, capsys, monkeypatch, no_server):
    monkeypatch.chdir(tmp_path)  # an empty current folder: a name is never found there by chance
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file.txt").write_text("mine")
    seen: Counter[str] = Counter()
    drawn = itertools.count()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(case=CASES)
    def check(case):
        kind, argv, named, *text = case
        n = next(drawn)
        file = tmp_path / f"case{n}.yaml"
        if text:
            file.write_text(text[0])
            named = [*named, str(file)]
        fill = {"{out}": str(tmp_path / f"out{n}"), "{file}": str(file), "{folder}": str(tmp_path / "a_folder"),
                "{afile}": str(tmp_path / "a_file.txt"), "{tmp}": str(tmp_path)}  # fmt: skip
        argv = [_fill(a, fill) for a in argv]
        code = cli.main(argv)
        out, err = capsys.readouterr()
        assert code == 2, f"{kind}: {argv} gave exit {code}\n{err}"
        assert "Traceback" not in err and out == "", f"{kind}: {argv}\n{err}"
        assert err.startswith(f"aicontagion {argv[0]}: "), err
        for fragment in named:
            assert fragment in err, f"{kind}: {argv}: {fragment!r} not in\n{err}"
        assert not (tmp_path / f"out{n}").exists(), f"{kind}: {argv} wrote outputs"
        seen[kind] += 1

    check()
    print(f"{sum(seen.values())} bad command lines, each exit 2 with a message: {dict(sorted(seen.items()))}")
    assert sum(seen.values()) >= EXAMPLES
    families = Counter(kind.split(" ")[0] for kind in seen)
    assert set(families) >= {"option", "--set", "unknown", "YAML", "folder", "missing", "empty", "file"}
    kinds = ["option --months", "option --seed", "option --port", "YAML syntax", "YAML top level", "YAML extends"]
    for kind in [*kinds, "--set unknown key", "--set wrong type", "--set out of range", "--set field"]:
        assert seen[kind] >= MIN_PER_KIND, seen


def _fill(arg: str, fill: dict[str, str]) -> str:
    for key, value in fill.items():
        arg = arg.replace(key, value)
    return arg


def test_the_strategies_draw_only_bad_input():
    """(The generator's own check: a YAML syntax case is really not YAML.)"""
    for text in ["x: [1, {", "x: 'x", "x: a: b", "- x", "x:\n\t- 1"]:
        with pytest.raises(yaml.YAMLError):
            yaml.safe_load("extends: baseline_2025\nname: broken\n" + text)
