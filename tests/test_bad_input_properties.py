"""Property-based test: the Python API fed generated bad input.

Every drawn case is input that must be refused: a field of the wrong type or out of range, an
unknown field or rule, broken YAML text, a file that is not UTF-8, a duplicate key, a bad path
or ``extends:``, a bad lever, bad overrides, a bad rng or seed, a bad ``config`` argument, a
random mapping, a bad shock. Each must raise ``ConfigError`` -- never another exception and
never a model -- and the message must name the source (file, argument, lever) and the field.
The test counts the cases it ran and checks that every kind of bad input was drawn.
"""

from __future__ import annotations

import math
import types
from collections import Counter
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal, NamedTuple, Union, get_args, get_origin

import annotated_types
import numpy as np
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from agents.registry import AGENT_CLASSES
from simulator import ContagionModel
from simulator.config import LEVERS, SHOCK_KINDS, ConfigError, build_scenario, load_scenario, scenario_names
from tests.conftest import CONFIGS, raw_copy

EXAMPLES = 1000

Call = Callable[[Path], object]
"""Makes the call that must fail, given a fresh empty folder for the files it writes."""


class Case(NamedTuple):
    kind: str  # which kind of bad input
    call: Call
    names: tuple[str, ...]  # what the message must contain: the source and the field
    shown: str = ""  # the bad input, for the report of a failing case


# ----------------------------------------------------------------------------- the schema's leaves
class Leaf(NamedTuple):
    scenario: str
    path: str  # dotted path, as an override takes it
    type: str  # "number", "whole", "switch", "text" or "choice"
    optional: bool  # None is allowed
    low: float | None
    low_open: bool
    high: float | None
    high_open: bool
    choices: tuple[str, ...]
    names: tuple[str, ...]  # the message names these


def _unwrap(annotation: Any, metadata: list) -> tuple[Any, list, bool]:
    """(type, constraints, optional) of an annotation such as ``Annotated[float, Field(ge=0)] | None``."""
    optional = False
    metadata = list(metadata)
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation, *extra = get_args(annotation)
            for item in extra:
                metadata.extend(getattr(item, "metadata", [item]))
        elif origin in (Union, types.UnionType) and type(None) in get_args(annotation):
            optional = True
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation, metadata, optional


def _leaf(scenario: str, path: str, annotation: Any, metadata: list, names: tuple[str, ...]) -> Leaf | None:
    annotation, metadata, optional = _unwrap(annotation, metadata)
    bounds: dict[str, Any] = {"low": None, "low_open": False, "high": None, "high_open": False}
    for c in metadata:
        if isinstance(c, annotated_types.Ge):
            bounds.update(low=c.ge)
        elif isinstance(c, annotated_types.Gt):
            bounds.update(low=c.gt, low_open=True)
        elif isinstance(c, annotated_types.Le):
            bounds.update(high=c.le)
        elif isinstance(c, annotated_types.Lt):
            bounds.update(high=c.lt, high_open=True)
    choices: tuple[str, ...] = ()
    if annotation is bool:
        kind = "switch"
    elif annotation is int:
        kind = "whole"
    elif annotation is float:
        kind = "number"
    elif annotation is str:
        kind = "text"
    elif get_origin(annotation) is Literal:
        kind, choices = "choice", tuple(map(str, get_args(annotation)))
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        kind, choices = "choice", tuple(str(m.value) for m in annotation)
    else:
        return None  # a tuple of kinds, a free mapping: not a leaf
    return Leaf(scenario, path, kind, optional, choices=choices, names=names, **bounds)


def _leaves(scenario: str, model: BaseModel, prefix: str = "") -> Iterator[Leaf]:
    for name, field in type(model).model_fields.items():
        value, path = getattr(model, name), f"{prefix}{name}"
        if isinstance(value, BaseModel):
            yield from _leaves(scenario, value, f"{path}.")
        elif isinstance(value, dict) and name != "rules":
            inner = get_args(_unwrap(field.annotation, [])[0])[1]
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _leaves(scenario, item, f"{path}.{key}.")
                elif (leaf := _leaf(scenario, f"{path}.{key}", inner, [], (f"{path}.{key}",))) is not None:
                    yield leaf
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _leaves(scenario, item, f"{path}.{i}.")
        elif name == "rules":  # every rule of the institution's kind, set or not
            rules = AGENT_CLASSES[model.kind].Rules
            for rule, rule_field in rules.model_fields.items():
                leaf = _leaf(scenario, f"{path}.{rule}", rule_field.annotation, rule_field.metadata, (path, rule))
                if leaf is not None:
                    yield leaf
        elif (leaf := _leaf(scenario, path, field.annotation, field.metadata, (path,))) is not None:
            yield leaf


LEAVES = [leaf for name in ("baseline_2025", "backstop") for leaf in _leaves(name, load_scenario(name))]
BOUNDED = [leaf for leaf in LEAVES if leaf.type in ("number", "whole") and (leaf.low, leaf.high) != (None, None)]
BASELINE_RAW = yaml.safe_load((CONFIGS / "baseline_2025.yaml").read_text())
INSTITUTIONS = sorted(BASELINE_RAW["institutions"])
CONTRACTS = sorted(BASELINE_RAW["contracts"])
GENERATIONS = [g["name"] for g in BASELINE_RAW["markets"]["gpu"]["generations"]]
TAKEN_NAMES = {"config", "scenario", "rng", "seed", "overrides", "name_or_path", "raw", "source"}

# ----------------------------------------------------------------------------- values
identifiers = st.from_regex(r"[a-z][a-z0-9_]{0,14}", fullmatch=True)
texts = st.text(max_size=12)
finite = st.floats(allow_nan=False, allow_infinity=False)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | finite | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts | st.integers(), inner, max_size=3),
    max_leaves=12,
)
arrays = st.sampled_from([np.array([1.0]), np.array([0.5, 2.0]), np.zeros((2, 2))])
fractional = st.floats().filter(lambda x: not (math.isfinite(x) and x.is_integer()))
not_a_number = st.booleans() | texts | st.lists(st.integers(), max_size=2) | st.just({}) | arrays
not_whole = not_a_number | fractional
not_a_switch = st.integers() | finite | texts | st.lists(st.booleans(), max_size=2) | arrays
not_text = st.integers() | finite | st.booleans() | st.lists(texts, max_size=2)
step = st.floats(1e-3, 1e6)


def wrong_values(leaf: Leaf) -> st.SearchStrategy:
    """Values of the wrong type for ``leaf`` (None too, where None is not allowed)."""
    wrong = {
        "number": not_a_number,
        "whole": not_whole,
        "switch": not_a_switch,
        "text": not_text,
        "choice": not_text | texts.filter(lambda t: t not in leaf.choices),
    }[leaf.type]
    return wrong if leaf.optional else wrong | st.none()


@st.composite
def outside(draw, leaf: Leaf) -> float:
    """A value just or far outside ``leaf``'s range (or not finite)."""
    sides = [side for side, bound in (("low", leaf.low), ("high", leaf.high)) if bound is not None]
    side = draw(st.sampled_from(sides))
    if leaf.type == "number" and draw(st.integers(0, 5)) == 0:
        return draw(
            st.sampled_from([math.nan, -math.inf, -(10**400)] if side == "low" else [math.nan, math.inf, 10**400])
        )
    bound = leaf.low if side == "low" else leaf.high
    assert bound is not None
    is_open = leaf.low_open if side == "low" else leaf.high_open
    if is_open and draw(st.booleans()):
        return bound
    if leaf.type == "whole":
        n = draw(st.integers(1, 10_000))
        return int(bound) - n if side == "low" else int(bound) + n
    delta = draw(step) + abs(bound) * 1e-6
    return bound - delta if side == "low" else bound + delta


# ----------------------------------------------------------------------------- the cases
def _write(folder: Path, content: str | bytes, name: str = "fuzz.yaml") -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _model_or_load(draw, scenario: str, **kwargs: Any) -> Call:
    """Build through load_scenario or ContagionModel (the two public entry points)."""
    if draw(st.booleans()):
        return lambda _: load_scenario(scenario, **kwargs)
    return lambda _: ContagionModel(scenario, rng=0, **kwargs)


@st.composite
def wrong_type(draw) -> Case:
    leaf = draw(st.sampled_from(LEAVES))
    value = draw(wrong_values(leaf))
    call = _model_or_load(draw, leaf.scenario, overrides={leaf.path: value})
    return Case("field of the wrong type", call, leaf.names, f"{leaf.scenario}: {leaf.path}={value!r}")


@st.composite
def out_of_range(draw) -> Case:
    leaf = draw(st.sampled_from(BOUNDED))
    value = draw(outside(leaf))
    call = _model_or_load(draw, leaf.scenario, overrides={leaf.path: value})
    return Case("field out of range", call, leaf.names, f"{leaf.scenario}: {leaf.path}={value!r}")


UNKNOWN_FIELD_AT = [
    "",
    "markets",
    "markets.gpu",
    "markets.gpu.generations.0",
    "markets.rates",
    "resolution",
    "channels",
    "central_bank",
    "institutions.Nvidia",
    "debts.blackstone_coreweave_gpu_loan",
    "debts.blackstone_coreweave_gpu_loan.collateral",
    "contracts.openai_oracle_compute",
    "institutions.OpenAI.rules",
    "institutions.CoreWeave.rules",
]


def _schema_keys(raw: dict, at: str) -> set[str]:
    scenario = load_scenario("baseline_2025")
    node: Any = scenario
    for part in filter(None, at.split(".")):
        node = (
            node[int(part)]
            if isinstance(node, list)
            else (node[part] if isinstance(node, dict) else getattr(node, part))
        )
    if at.endswith(".rules"):
        kind = raw["institutions"][at.split(".")[1]]["kind"]
        return set(AGENT_CLASSES[kind].Rules.model_fields)
    return set(type(node).model_fields)


KNOWN_KEYS = {at: _schema_keys(BASELINE_RAW, at) for at in UNKNOWN_FIELD_AT}


@st.composite
def unknown_field(draw) -> Case:
    at = draw(st.sampled_from(UNKNOWN_FIELD_AT))
    key = draw(identifiers.filter(lambda k: k not in KNOWN_KEYS[at]))
    path = f"{at}.{key}" if at else key
    value = draw(st.integers(0, 5))
    if draw(st.booleans()):  # as an override
        call = _model_or_load(draw, "baseline_2025", overrides=[f"{path}={value}"])
        return Case("unknown field", call, (key,), f"override {path}={value}")
    raw = raw_copy(BASELINE_RAW)  # as a key in a mapping
    node: Any = raw
    for part in filter(None, at.split(".")):
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    node[key] = value
    return Case("unknown field", lambda _: build_scenario(raw, "fuzz-raw"), ("fuzz-raw", key), f"mapping with {path}")


BROKEN_YAML = [
    "name: [unclosed\n",
    "a:\n\t- tab\n",
    "key: value: other\n",
    "- a\nb: c\n",
    "{a: 1\n",
    '"unterminated\n',
    "a: *nope\n",
    "!!python/object/apply:os.system [ls]\n",
    "? [a, b]\n: 1\n",
    "extends: baseline_2025\nmonths: 3\n  bad: indent\n",
    "---\nname: a\n---\nname: b\n",
    "%YAML 9.9\n---\na: 1\n",
]


@st.composite
def broken_yaml(draw) -> Case:
    text = draw(st.sampled_from(BROKEN_YAML) | st.text(max_size=200) | st.binary(max_size=200))
    return Case("broken YAML text", lambda folder: load_scenario(_write(folder, text)), ("fuzz.yaml",), repr(text))


@st.composite
def not_utf8(draw) -> Case:
    data = bytearray(draw(st.binary(max_size=100)))
    data.insert(
        draw(st.integers(0, len(data))), draw(st.sampled_from([0xFF, 0xFE, 0xC0, 0xC1, 0xF5]))
    )  # never in UTF-8
    call: Call = lambda folder: load_scenario(_write(folder, bytes(data)))  # noqa: E731
    return Case("file not UTF-8", call, ("fuzz.yaml", "UTF-8"), repr(bytes(data)))


@st.composite
def duplicate_key(draw) -> Case:
    key = draw(identifiers)
    first, second = draw(st.integers(0, 9)), draw(st.integers(0, 9))
    section = draw(st.sampled_from(["", "institutions", "markets", "debts", "channels"]))
    if section:
        text = f"extends: baseline_2025\n{section}:\n  {key}: {first}\n  {key}: {second}\n"
    else:
        text = f"extends: baseline_2025\n{key}: {first}\n{key}: {second}\n"
    call: Call = lambda folder: load_scenario(_write(folder, text))  # noqa: E731
    return Case("duplicate key", call, ("fuzz.yaml", "duplicate key", key), repr(text))


def _load_a_folder_named_yaml(folder: Path) -> object:
    (folder / "x.yaml").mkdir()
    return load_scenario(folder / "x.yaml")


@st.composite
def bad_path(draw) -> Case:
    how = draw(st.sampled_from(["folder", "missing file", "yaml folder", "name", "empty file"]))
    if how == "folder":
        return Case("bad path", lambda folder: load_scenario(folder), ("scenario", "folder"), "a folder")
    if how == "missing file":
        name = draw(identifiers) + draw(st.sampled_from([".yaml", ".yml", ""]))
        return Case("bad path", lambda folder: load_scenario(folder / "missing" / name), ("scenario",), name)
    if how == "yaml folder":
        return Case("bad path", _load_a_folder_named_yaml, ("scenario", "folder"), "a folder x.yaml")
    if how == "empty file":
        return Case("bad path", lambda folder: load_scenario(_write(folder, "")), ("fuzz.yaml",), "an empty file")
    name = draw(texts.filter(lambda t: t.strip() not in scenario_names()))
    return Case("bad path", lambda folder: load_scenario(name), ("scenario",), repr(name))


@st.composite
def bad_extends(draw) -> Case:
    value = draw(
        st.integers()
        | finite
        | st.booleans()
        | st.none()
        | st.lists(texts, max_size=2)
        | st.dictionaries(texts, texts, max_size=2)
        | texts.filter(lambda t: t.strip() not in scenario_names() and t.strip() not in ("fuzz.yaml", "fuzz"))
        | identifiers.map(lambda t: f"{t}.yaml")
    )
    text = yaml.safe_dump({"extends": value, "name": "x"}, allow_unicode=True)
    return Case("bad extends", lambda folder: load_scenario(_write(folder, text)), ("fuzz.yaml", "extends"), repr(text))


@st.composite
def bad_lever(draw) -> Case:
    if draw(st.integers(0, 5)) == 0:
        name = draw(identifiers.filter(lambda n: n not in LEVERS and n not in TAKEN_NAMES))
        value: Any = draw(st.integers())
        names: tuple[str, ...] = ("unknown parameter", name)
    else:
        name = draw(st.sampled_from(sorted(LEVERS)))
        lever = LEVERS[name]
        if lever.kind is bool:
            value = draw(not_a_switch | st.none())
        elif lever.kind is str:
            value = draw(not_text | st.none() | arrays)
        elif draw(st.booleans()):
            value = draw((not_whole if lever.kind is int else not_a_number) | st.none())
        else:
            assert lever.low is not None and lever.high is not None
            value = draw(
                st.sampled_from([lever.low - 1, lever.high + 1, math.nan, math.inf, 10**400, -(10**400)])
                | st.integers(max_value=math.floor(lever.low) - 1)
                | st.integers(min_value=math.ceil(lever.high) + 1)
                | step.map(lambda d, lo=lever.low: lo - d)
                | step.map(lambda d, hi=lever.high: hi + d)
            )
        names = (f"lever {name!r}",)
    route = draw(st.sampled_from(["load_scenario", "ContagionModel", "build_scenario"]))
    shown = f"{route}({name}={value!r})"
    if route == "load_scenario":
        return Case("bad lever", lambda _: load_scenario("baseline_2025", **{name: value}), names, shown)
    if route == "ContagionModel":
        return Case("bad lever", lambda _: ContagionModel(rng=0, **{name: value}), names, shown)
    return Case(
        "bad lever", lambda _: build_scenario(raw_copy(BASELINE_RAW), "fuzz-raw", **{name: value}), names, shown
    )


@st.composite
def bad_shock_kind_lever(draw) -> Case:
    kind = draw(texts.filter(lambda t: t not in SHOCK_KINDS and t not in ("", "none")))
    call: Call = lambda _: load_scenario("baseline_2025", shock_kind=kind)  # noqa: E731
    return Case("bad shock lever", call, ("shocks.0.kind",), f"shock_kind={kind!r}")


@st.composite
def bad_overrides(draw) -> Case:
    how = draw(st.integers(0, 8))
    if how == 0:  # not a list or a dict
        overrides: Any = draw(
            st.integers() | finite | texts | st.booleans() | st.sets(st.integers(), min_size=1, max_size=2)
        )
        names: tuple[str, ...] = ("overrides",)
    elif how == 1:  # a key that is not text
        overrides = {draw(st.integers() | st.none() | st.booleans() | st.tuples(texts)): 1}
        names = ("overrides",)
    elif how == 2:  # an item that is not text
        overrides = ["months=3", draw(st.integers() | st.none() | st.lists(texts, max_size=2))]
        names = ("overrides",)
    elif how == 3:  # no '='
        text = draw(texts.filter(lambda t: "=" not in t))
        overrides, names = [text], ("override", "key=value")
    elif how == 4:  # an empty key or an empty part of the path
        key = draw(st.sampled_from(["", " ", "markets..gpu", ".months", "months.", "markets.gpu."]))
        overrides, names = [f"{key}=1"], ("override",)
    elif how == 5:  # a key under a single value
        leaf = draw(st.sampled_from([leaf for leaf in LEAVES if leaf.scenario == "baseline_2025"]))
        overrides, names = [f"{leaf.path}.{draw(identifiers)}=1"], ("override", "single value")
    elif how == 6:  # a list index that is not there
        index = draw(st.integers(len(GENERATIONS), 10_000).map(str) | identifiers)
        overrides, names = [f"markets.gpu.generations.{index}.name=x"], ("override", "markets.gpu.generations")
    elif how == 7:  # a value that is not YAML
        value = draw(st.sampled_from(["[unclosed", "{a: 1", '"x', "a: b: c", "*nope"]))
        overrides, names = [f"months={value}"], ("override", "not valid YAML")
    else:  # an unknown institution, debt or contract
        section = draw(st.sampled_from(["institutions", "debts", "contracts", "stakes"]))
        known = set(BASELINE_RAW[section])
        name = draw(identifiers.filter(lambda n: n not in known))
        overrides, names = [f"{section}.{name}.kind=bank"], ("override", name)
    return Case("bad overrides", _model_or_load(draw, "baseline_2025", overrides=overrides), names, repr(overrides))


@st.composite
def bad_rng(draw) -> Case:
    numbers = (
        st.integers(max_value=-1)
        | fractional
        | st.floats(max_value=-1, allow_nan=False)
        | st.booleans()
        | st.lists(st.integers(0, 9), max_size=3)
        | st.dictionaries(texts, st.integers(), max_size=2)
        | st.sampled_from([np.float64(1.5), np.int64(-3), np.bool_(True), np.array([1, 2]), 1j])
    )
    if draw(st.booleans()):
        value = draw(numbers | texts)
        return Case("bad rng or seed", lambda _: ContagionModel(rng=value), ("rng",), f"rng={value!r}")
    value = draw(
        numbers
        | texts.filter(lambda t: not t.strip().isdecimal())
        | st.sampled_from(["²", "1_000", "1e3", "0x10", "9" * 5000, " -3 ", "+7"])
    )
    return Case("bad rng or seed", lambda _: ContagionModel(seed=value), ("seed",), f"seed={value!r}")


@st.composite
def bad_config_argument(draw) -> Case:
    value = draw(
        st.integers()
        | finite
        | st.booleans()
        | st.lists(texts, max_size=2)
        | st.binary(max_size=8)
        | st.dictionaries(texts, texts, max_size=2)
    )
    how = draw(st.sampled_from(["config", "scenario", "load_scenario"]))
    if how == "config":
        return Case("bad config argument", lambda _: ContagionModel(value), ("config",), repr(value))
    if how == "scenario":
        return Case("bad config argument", lambda _: ContagionModel(scenario=value), ("scenario",), repr(value))
    return Case("bad config argument", lambda _: load_scenario(value), ("scenario",), repr(value))


SAFE_LEVERS = {
    "months": 5,
    "gpu_market_depth_bn": 30.0,
    "waiver_propensity": 0.5,
    "ltv_covenant": 1.0,
    "gpu_depreciation_per_year": 0.3,
    "shock_size": 0.1,
    "fire_sale_impact": False,
}


@st.composite
def random_mapping(draw) -> Case:
    raw = draw(
        json_like
        | st.dictionaries(
            st.sampled_from(["name", "months", "markets", "institutions", "debts", "shocks", "channels"]),
            json_like,
            max_size=5,
        )
    )
    levers = {
        name: SAFE_LEVERS[name]
        for name in draw(st.lists(st.sampled_from(sorted(SAFE_LEVERS)), max_size=3, unique=True))
    }
    return Case(
        "random mapping", lambda _: build_scenario(raw, "fuzz-raw", **levers), ("fuzz-raw",), f"{raw!r} {levers}"
    )


@st.composite
def bad_shock(draw) -> Case:
    kind = draw(st.sampled_from(sorted(map(str, SHOCK_KINDS))))
    lo, hi, takes, _ = SHOCK_KINDS[kind]
    shock: dict[str, Any] = {"month": 2, "kind": kind, "size": (lo + hi) / 2}
    shock["target"] = {
        "none": None,
        "institution": "Lambda",
        "generation": None,
        "contract": CONTRACTS[0],
        "fund": "Blackstone",
    }[takes]
    how = draw(st.sampled_from(["kind", "month", "size", "target", "extra"]))
    if how == "kind":
        shock["kind"] = draw(texts.filter(lambda t: t not in SHOCK_KINDS) | st.integers())
    elif how == "month":
        shock["month"] = draw(
            st.integers(max_value=-1) | st.integers(min_value=601) | fractional | st.booleans() | texts
        )
    elif how == "size":
        shock["size"] = draw(
            st.floats(max_value=lo, exclude_max=True)
            | st.floats(min_value=hi, exclude_min=True)
            | st.booleans()
            | texts
        )
    elif how == "target":
        known = {
            "none": set(),
            "institution": set(INSTITUTIONS),
            "generation": {*GENERATIONS, "all", "none", ""},
            "contract": set(CONTRACTS),
            "fund": {"Blackstone", "Blue Owl"},
        }[takes]
        shock["target"] = draw(
            texts.filter(lambda t: t not in known and t not in ("", "none")) | st.integers() | st.booleans()
        )
    else:
        shock[draw(identifiers.filter(lambda k: k not in ("month", "kind", "size", "target")))] = 1
    call = _model_or_load(draw, "baseline_2025", overrides={"shocks": [shock]})
    return Case("bad shock", call, ("shocks.0",), repr(shock))


STRATEGIES = {
    "field of the wrong type": wrong_type(),
    "field out of range": out_of_range(),
    "unknown field": unknown_field(),
    "broken YAML text": broken_yaml(),
    "file not UTF-8": not_utf8(),
    "duplicate key": duplicate_key(),
    "bad path": bad_path(),
    "bad extends": bad_extends(),
    "bad lever": bad_lever(),
    "bad shock lever": bad_shock_kind_lever(),
    "bad overrides": bad_overrides(),
    "bad rng or seed": bad_rng(),
    "bad config argument": bad_config_argument(),
    "random mapping": random_mapping(),
    "bad shock": bad_shock(),
}


def test_generated_bad_input_is_always_a_clear_config_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # bare names must not find files of the checkout
    drawn: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    )
    @given(case=st.one_of(*STRATEGIES.values()))
    def check(case: Case) -> None:
        folder = tmp_path / f"case{sum(drawn.values())}"
        folder.mkdir()
        drawn[case.kind] += 1
        note(f"{case.kind}: {case.shown}")
        try:
            result = case.call(folder)
        except ConfigError as exc:
            message = str(exc)
            missing = [name for name in case.names if name not in message]
            assert not missing, f"{case.kind} {case.shown}: the message does not name {missing}: {message}"
            assert "Traceback" not in message
            return
        raise AssertionError(f"{case.kind} {case.shown}: accepted, got {type(result).__name__}")

    check()
    print(f"{sum(drawn.values())} bad inputs of {len(drawn)} kinds: {dict(drawn)}")
    assert sum(drawn.values()) >= EXAMPLES
    assert set(drawn) == set(STRATEGIES), f"kinds never drawn: {set(STRATEGIES) - set(drawn)}"
