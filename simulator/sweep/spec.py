"""Sweep specs: the YAML files in ``configs/sweeps/``, validated before any run.

A spec names a base scenario, the parameters to vary and how, and what to keep::

    name: depreciation_x_depth           # default: the file's name
    description: ...
    scenario: neocloud_default           # a scenario name or a path (relative to the spec file)
    months: 24                           # default: the scenario's months
    replications: 8                      # seeds per design point
    master_seed: 2025                    # every run's seed derives from it (simulator.sweep.seeds)
    common_random_numbers: true          # replication r has the same seed at every point (default)
    settings:                            # fixed in every run (levers or dotted paths), optional
      shock_kind: gpu_price
      shock_month: 3
    parameters:
      gpu_depreciation_per_year: {low: 0.1, high: 0.6}    # a lever (simulator.config.LEVERS) ...
      markets.gpu.market_depth_bn: {values: [10, 40, 160]}  # ... or a dotted config path
    design: {method: grid, samples: 6}   # grid | random | lhs | sobol | morris (or just `design: grid`)
    outputs:
      measures: ["losses_bn.*.total", "defaults_*"]   # names or glob patterns; default: all
      timeseries: false                  # also keep the monthly model variables of every run

A parameter takes ``values:`` (a list) or ``low:``/``high:`` (a range). ``design.samples`` is the
number of points per range for a grid, the number of points for ``random`` and ``lhs``, the base
sample N for ``sobol`` (N x (D + 2) points, a power of 2) and the number of trajectories for
``morris`` (N x (D + 1) points; ``levels:``, default 4). Sobol and Morris need a range for
every parameter.

Everything is checked before any run, and a problem is a ``ConfigError`` naming the spec, the
key and what is allowed: unknown keys, an unknown parameter (listing the levers), an empty
range, a bad design, a value outside a lever's range or rejected by the scenario's own
validation, and measure patterns that match nothing.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from simulator.config import CONFIG_DIR, LEVERS, MAX_MONTHS, ConfigError, _load_yaml, _read_text, load_scenario

__all__ = [
    "DESIGN_METHODS",
    "Design",
    "Outputs",
    "ParameterRange",
    "SweepSpec",
    "first_values",
    "keep_measure",
    "load_spec",
    "measure_names",
    "spec_hash",
]

DESIGN_METHODS = ("grid", "random", "lhs", "sobol", "morris")
"""The designs a spec may ask for (``design.method``)."""
MAX_RUNS = 1_000_000
"""Most runs one sweep may plan (points x replications): more is a typo."""
SWEEPS_DIR = CONFIG_DIR / "sweeps"
"""The shipped sweep specs (a spec is found here by name)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ParameterRange(_Strict):
    """How one parameter varies: a list of ``values`` or a range ``low``..``high`` (in the
    parameter's own unit: a lever's, see ``simulator.config.LEVERS``, or the config field's).
    """

    values: list[Any] | None = None
    low: float | None = None
    high: float | None = None

    def kind(self) -> Literal["values", "range"]:
        return "values" if self.values is not None else "range"


class Design(_Strict):
    method: Literal[DESIGN_METHODS] = "grid"  # type: ignore[valid-type]
    samples: int | None = Field(None, ge=1, le=MAX_RUNS)
    levels: int = Field(4, ge=2, le=100, description="Morris grid levels")
    second_order: bool = Field(False, description="Sobol: also sample for second-order indices")


class Outputs(_Strict):
    measures: list[str] | None = Field(
        None, description="measure names or glob patterns (simulator.sweep.measures); default all"
    )
    timeseries: bool = False


class SweepSpec(_Strict):
    """A validated sweep spec (see the module docstring). ``source`` is where it came from."""

    name: str
    description: str = ""
    scenario: str = "baseline_2025"
    months: int | None = Field(None, ge=1, le=MAX_MONTHS)
    replications: int = Field(1, ge=1, le=100_000)
    master_seed: int = Field(0, ge=0, le=2**63 - 1)
    common_random_numbers: bool = True
    settings: dict[str, Any] = Field(
        default_factory=dict, description="levers or dotted config paths set to one value in every run"
    )
    parameters: dict[str, ParameterRange] = Field(min_length=1)
    design: Design = Design()
    outputs: Outputs = Outputs()
    source: str = Field("<dict>", exclude=True)
    run_months: int = Field(24, exclude=True, description="months each run simulates (months or the scenario's)")
    parameter_types: dict[str, str] = Field(default_factory=dict, exclude=True)
    measure_order: list[str] = Field(
        default_factory=list, exclude=True, description="the measures of a run at month 0, in measures() order"
    )

    @field_validator("design", mode="before")
    @classmethod
    def _design_shorthand(cls, value: Any) -> Any:
        return {"method": value} if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not value.strip() or any(c in value for c in "/\\") or value.startswith("."):
            raise ValueError(f"expected a plain name (no '/' or leading '.'), got {value!r}")
        return value

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain JSON-ready values (what the manifest stores)."""
        return self.model_dump(mode="json")


# ----------------------------------------------------------------------------- loading


def load_spec(spec: str | Path | dict | SweepSpec) -> SweepSpec:
    """Read and check a sweep spec: a path to a YAML file, a shipped spec's name
    (``configs/sweeps/NAME.yaml``), a dict of the same keys, or a ``SweepSpec`` (returned as is).

    Raises
    ------
    ConfigError
        Naming the spec, the key and what is allowed, before any run.
    """
    if isinstance(spec, SweepSpec):
        return spec
    base_dir: Path | None = None
    if isinstance(spec, dict):
        raw, source = dict(spec), "sweep spec"
        raw.setdefault("name", "sweep")
    elif isinstance(spec, (str, Path)):
        path = _spec_path(spec)
        source = str(path)
        raw = _load_yaml(_read_text(path), source)
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: expected a mapping of sweep keys at the top level; allowed: {_allowed()}")
        raw.setdefault("name", path.stem)
        base_dir = path.parent
    else:
        raise ConfigError(
            f"sweep spec: expected a path to a .yaml file, a spec name or a dict, got {type(spec).__name__}"
        )
    scenario = raw.get("scenario", "baseline_2025")
    if base_dir is not None and isinstance(scenario, str) and scenario.endswith((".yaml", ".yml")):
        candidate = base_dir / scenario  # (a path relative to the spec file)
        if candidate.is_file() and not Path(scenario).is_absolute():
            raw["scenario"] = str(candidate)
    try:
        checked = SweepSpec.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
    return _check_semantics(checked.model_copy(update={"source": source}))


def _spec_path(spec: str | Path) -> Path:
    text = str(spec)
    path = Path(text)
    if path.is_file():
        return path
    shipped = SWEEPS_DIR / f"{text}.yaml"
    if "/" not in text and not text.endswith((".yaml", ".yml")) and shipped.is_file():
        return shipped
    names = sorted(p.stem for p in SWEEPS_DIR.glob("*.yaml")) if SWEEPS_DIR.is_dir() else []
    raise ConfigError(f"sweep spec {text!r}: no such file; give a path to a .yaml file or a shipped spec: {names}")


def _allowed(model: type[BaseModel] = SweepSpec) -> list[str]:
    return sorted(name for name, f in model.model_fields.items() if not f.exclude)


_MODELS: dict[str, type[BaseModel]] = {"design": Design, "outputs": Outputs}


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors()[:10]:
        loc = tuple(str(p) for p in err["loc"])
        where = ".".join(loc) or "top level"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            if len(loc) == 1:
                allowed = _allowed()
            elif loc[0] == "parameters":
                allowed = ["high", "low", "values"]
            else:
                allowed = _allowed(_MODELS.get(loc[0], SweepSpec))
            msg = f"unknown key; allowed: {allowed}"
        elif loc and loc[-1] == "method" and err["type"] == "literal_error":
            msg = f"unknown design {err.get('input')!r}; choose from {list(DESIGN_METHODS)}"
        elif err["type"] not in ("value_error", "missing"):
            msg += f" (got {err.get('input')!r})"
        lines.append(f"{source}: {where}: {msg}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- meaning


def _check_semantics(spec: SweepSpec) -> SweepSpec:
    """The checks pydantic cannot make alone: the scenario, each parameter against its lever or
    the scenario's schema, the design's needs, and the measure patterns.
    """
    where = spec.source
    try:
        base = load_scenario(spec.scenario)
    except ConfigError as exc:
        raise ConfigError(f"{where}: scenario: {exc}") from None
    raw = base.model_dump()
    types: dict[str, str] = {}
    for name in spec.settings:
        if name in spec.parameters:
            raise ConfigError(f"{where}: settings.{name}: also a parameter; a key is either fixed or varied")
        _parameter_type(spec, name, raw, "settings")
    for name, rng in spec.parameters.items():
        key = f"{where}: parameters.{name}"
        types[name] = _parameter_type(spec, name, raw)
        if rng.values is not None:
            if rng.low is not None or rng.high is not None:
                raise ConfigError(f"{key}: give either values: or low:/high:, not both")
            if not rng.values:
                raise ConfigError(f"{key}.values: empty list; give at least one value")
        else:
            if rng.low is None or rng.high is None:
                raise ConfigError(f"{key}: give values: [a list] or a range low: and high:")
            if types[name] in ("bool", "str"):
                raise ConfigError(f"{key}: a {types[name]} parameter takes values: [a list], not a range low:/high:")
            if not rng.low < rng.high:
                raise ConfigError(f"{key}: empty range: low ({rng.low}) must be below high ({rng.high})")
    try:
        _load_with(spec, {})
    except ConfigError as exc:
        raise ConfigError(f"{where}: settings: {exc}") from None
    for name, rng in spec.parameters.items():
        key = f"{where}: parameters.{name}"
        if rng.values is not None:
            for value in rng.values:
                _check_value(spec, name, value, f"{key}.values")
        else:
            _check_value(spec, name, rng.low, f"{key}.low")
            _check_value(spec, name, rng.high, f"{key}.high")
    _check_design(spec)
    months = spec.months if spec.months is not None else base.months
    checked = spec.model_copy(update={"run_months": months, "parameter_types": types})
    names, absent = _probe(checked)
    _check_measures(checked, names, absent)
    return checked.model_copy(update={"measure_order": names})


def _load_with(spec: SweepSpec, assignments: dict[str, Any]):
    """The base scenario with the spec's settings, the first value of each swept shock lever (a
    shock's size needs its kind) and then ``assignments`` (levers or dotted paths), validated.
    """
    from simulator.counterfactual import SHOCK_LEVERS
    from simulator.sweep.execute import Task

    shock = {k: v for k, v in first_values(spec).items() if k in SHOCK_LEVERS}
    values = {**spec.settings, **shock, **assignments}
    dotted, levers = Task(spec.scenario, values, 0, 0).model_arguments()
    return load_scenario(spec.scenario, dotted or None, **levers)


def first_values(spec: SweepSpec) -> dict[str, Any]:
    """Each parameter's first value (its first listed value or the low end of its range)."""
    return {n: (r.values[0] if r.values is not None else r.low) for n, r in spec.parameters.items()}


def _parameter_type(spec: SweepSpec, name: str, raw: dict, section: str = "parameters") -> str:
    """``"float"``, ``"int"``, ``"bool"`` or ``"str"``: the lever's kind, or the type of the
    scenario's value at the dotted path; ConfigError for an unknown name.
    """
    if name in LEVERS:
        return LEVERS[name].kind.__name__
    if "." not in name:
        raise ConfigError(
            f"{spec.source}: {section}.{name}: unknown parameter {name!r}; give a lever, one of {sorted(LEVERS)}, "
            "or a dotted config path such as markets.gpu.market_depth_bn"
        )
    node: Any = raw
    for part in name.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            node = None
            break
    if isinstance(node, bool):
        return "bool"
    if isinstance(node, int):
        return "int"
    if isinstance(node, str):
        return "str"
    if isinstance(node, (dict, list)):
        raise ConfigError(f"{spec.source}: {section}.{name}: {name} is a section of the scenario, not a single value")
    return "float"  # a float, or a field the scenario leaves at its default (checked by loading it)


def _check_value(spec: SweepSpec, name: str, value: Any, key: str) -> None:
    """``value`` for parameter ``name`` passes the lever's range and the scenario's validation."""
    try:
        if name in LEVERS:
            LEVERS[name].check(value)
        _load_with(spec, {name: value})
    except ConfigError as exc:
        raise ConfigError(f"{key}: {value!r} is not allowed: {exc}") from None


def _check_design(spec: SweepSpec) -> None:
    design, where = spec.design, f"{spec.source}: design"
    ranges = [n for n, r in spec.parameters.items() if r.kind() == "range"]
    if design.method == "grid":
        if ranges and (design.samples is None or design.samples < 2):
            raise ConfigError(
                f"{where}.samples: a grid over a range ({ranges[0]}) needs samples: points per range, at least 2"
            )
    elif design.samples is None:
        raise ConfigError(f"{where}.samples: the {design.method} design needs samples: (a whole number >= 1)")
    if design.method in ("sobol", "morris"):
        listed = [n for n, r in spec.parameters.items() if r.kind() == "values"]
        if listed:
            raise ConfigError(
                f"{spec.source}: parameters.{listed[0]}: the {design.method} design needs a range low:/high: for every "
                "parameter, not values:"
            )
        if design.method == "sobol" and len(spec.parameters) < 2:
            raise ConfigError(f"{where}: the sobol design needs at least 2 parameters")
        if design.method == "sobol" and design.samples and design.samples & (design.samples - 1):
            raise ConfigError(
                f"{where}.samples: the sobol design needs a power of 2 (Sobol' sequences converge only then), got "
                f"{design.samples}; e.g. {2 ** round(math.log2(design.samples))}"
            )
    runs = _points(spec) * spec.replications
    if runs > MAX_RUNS:
        raise ConfigError(
            f"{where}: the spec plans {runs:,} runs; at most {MAX_RUNS:,} (fewer samples or replications)"
        )


def _points(spec: SweepSpec) -> int:
    """Number of design points the spec plans."""
    design, d = spec.design, len(spec.parameters)
    if design.method == "grid":
        return math.prod(
            len(r.values) if r.values is not None else (design.samples or 1) for r in spec.parameters.values()
        )
    n = design.samples or 0
    if design.method == "sobol":
        return n * (2 * d + 2 if design.second_order else d + 2)
    if design.method == "morris":
        return n * (d + 1)
    return n


def _check_measures(spec: SweepSpec, names: list[str], absent: list[str]) -> None:
    """Every pattern of ``outputs.measures`` names a measure of ``names`` or one that may come
    under an ``absent`` figure.
    """
    patterns = spec.outputs.measures
    if not patterns:
        if patterns is not None:
            raise ConfigError(f"{spec.source}: outputs.measures: empty list; leave it out to keep every measure")
        return
    for pattern in patterns:
        if fnmatch.filter(names, pattern) or any(_may_match(pattern, path) for path in absent):
            continue
        raise ConfigError(
            f"{spec.source}: outputs.measures: {pattern!r} matches no measure; measures are dotted names such as "
            f"{names[:6]} (all: simulator.sweep.measures)"
        )


def _may_match(pattern: str, absent: str) -> bool:
    """Could ``pattern`` name a measure under the absent figure ``absent`` (``first_default``
    for ``first_default.month``)?
    """
    depth = absent.count(".") + 1
    return fnmatch.fnmatchcase(absent, pattern) or fnmatch.fnmatchcase(absent, ".".join(pattern.split(".")[:depth]))


def _probe(spec: SweepSpec) -> tuple[list[str], list[str]]:
    """The measures of a run of this spec and the summary figures it lacks (which other runs may
    have), from the base scenario at month 0 with the settings and the first value of every
    parameter (a shock lever adds the shortfall measures).
    """
    from simulator.model import ContagionModel
    from simulator.sweep.execute import Task
    from simulator.sweep.measures import absent_figures, measures

    first = {**spec.settings, **first_values(spec)}
    dotted, levers = Task(spec.scenario, first, 0, spec.master_seed).model_arguments()
    try:
        model = ContagionModel(spec.scenario, rng=spec.master_seed, overrides=dotted or None, **levers)
    except ConfigError as exc:
        raise ConfigError(
            f"{spec.source}: parameters: the first value of each together is not allowed: {exc}"
        ) from None
    return list(measures(model)), absent_figures(model)


def measure_names(spec: SweepSpec) -> list[str]:
    """The measures a run of this spec has at month 0, in the order of ``measures``: the order of
    the table's measure columns (measures that appear later, such as ``first_default.month``,
    follow in alphabetical order).
    """
    return list(spec.measure_order) or _probe(spec)[0]


def keep_measure(spec: SweepSpec, name: str) -> bool:
    """Is measure ``name`` kept by ``outputs.measures``?"""
    patterns = spec.outputs.measures
    return patterns is None or any(fnmatch.fnmatchcase(name, p) for p in patterns)


def spec_hash(spec: SweepSpec) -> str:
    """SHA-256 of what decides the results: the spec (without its description) and the base
    scenario's validated configuration (so an edited scenario file counts as a new spec).
    """
    content = spec.to_dict()
    content.pop("description", None)
    scenario = load_scenario(spec.scenario).model_dump(mode="json")
    text = json.dumps([content, scenario, spec.run_months], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
