"""The page's parameters: widget values in, ``ContagionModel`` keywords out.

The sliders are :class:`Knob` s over the main levers of :data:`simulator.config.LEVERS`, in the
units their labels show. :func:`widget_defaults` reads a scenario's own values,
:func:`levers_from_widgets` passes on only what the user moved, :func:`model_params_for` builds
SolaraViz's ``model_params``, and :class:`AppModel` is the model SolaraViz re-creates from the
widgets on Reset; its :class:`AppSetup` says what was applied. Parameter plumbing only: no Solara
and no model logic here.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np

from agents.registry import AGENT_CLASSES
from simulator import views
from simulator.config import (
    CONFIG_DIR,
    LEVERS,
    PAIR_ARROW,
    SHOCK_KINDS,
    Channels,
    ConfigError,
    Scenario,
    load_scenario,
)
from simulator.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext_for
from simulator.lessons import Lesson, load_lesson
from simulator.model import ContagionModel

DEFAULT_SCENARIO = "baseline_2025"
DEFAULT_SEED = 42
SCENARIO_ENV = "AICONTAGION_SCENARIO"  # set by simulator.app.server.serve(scenario=...)
NO_SHOCK = "none"
NO_TARGET = "(no target)"


LESSON_ENV = "AICONTAGION_LESSON"  # set by simulator.app.server.serve(lesson=...)
LANGUAGE_ENV = "AICONTAGION_LANG"  # set by simulator.app.server.serve(lang=...)


def initial_language() -> str:
    """The language a new session shows when its address names none: $AICONTAGION_LANG if it is
    one aicontagion speaks, else English.
    """
    lang = (os.environ.get(LANGUAGE_ENV) or "").strip()
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def initial_lesson_name() -> str:
    """The lesson a new session opens when its address names none: $AICONTAGION_LESSON, else ""."""
    return (os.environ.get(LESSON_ENV) or "").strip()


def initial_scenario_name() -> str:
    """The scenario a new session starts with: $AICONTAGION_SCENARIO, else baseline_2025."""
    return (os.environ.get(SCENARIO_ENV) or "").strip() or DEFAULT_SCENARIO


def parse_seed(text: Any) -> int:
    """The seed typed in the page as a whole number >= 0, or ConfigError with a clear message."""
    if isinstance(text, bool):
        raise ConfigError(f"Seed must be a whole number ≥ 0, got {text!r}")
    if isinstance(text, (int, np.integer)):
        value = int(text)
    else:
        raw = str(text).strip()
        if not raw.isdigit():
            raise ConfigError(f"Seed must be a whole number ≥ 0, got {raw!r}")
        value = int(raw)
    if value < 0:
        raise ConfigError(f"Seed must be a whole number ≥ 0, got {value}")
    return value


@dataclass(frozen=True)
class Knob:
    """A slider for one lever of ``simulator.config.LEVERS``, in the unit shown in its label.

    ``scale`` converts the slider's number to the lever's (0.01 for % of a share);
    ``read`` reads the scenario's own value (in lever units) from its config.
    """

    lever: str
    label: str
    scale: float
    step: float
    read: Callable[[Scenario], float]
    display_max: float | None = None  # cap for levers whose allowed range is too wide to slide
    display_min: float | None = None

    def bounds(self) -> tuple[float, float]:
        lever = LEVERS[self.lever]
        assert lever.low is not None and lever.high is not None, f"{self.lever} has no range"
        lo, hi = lever.low / self.scale, lever.high / self.scale
        if self.display_min is not None:
            lo = max(lo, self.display_min)
        if self.display_max is not None:
            hi = min(hi, self.display_max)
        return _snap(lo, self.step), _snap(hi, self.step)

    def default(self, config: Scenario) -> float:
        lo, hi = self.bounds()
        return float(np.clip(_snap(self.read(config) / self.scale, self.step), lo, hi))

    def to_lever(self, value: float) -> float:
        return LEVERS[self.lever].kind(round(float(value) * self.scale, 10))


def _snap(x: float, step: float) -> float:
    return round(round(x / step) * step, 6)


def _mean(values) -> float:
    values = list(values)
    return float(np.mean(values)) if values else 0.0


def _median_ltv(config: Scenario) -> float:
    covenants = [d.ltv_covenant for d in config.debts.values() if d.ltv_covenant is not None]
    return float(np.median(covenants)) if covenants else 0.85


def _median_waiver(config: Scenario) -> float:
    values = [AGENT_CLASSES[inst.kind].Rules(**inst.rules).waiver_propensity for inst in config.institutions.values()]
    return float(np.median(values)) if values else 0.5


KNOBS: tuple[Knob, ...] = (
    Knob(
        "gpu_depreciation_per_year",
        N_("GPU depreciation (%/yr)"),
        0.01,
        1,
        lambda c: _mean(g.depreciation_per_year for g in c.markets.gpu.generations),
    ),
    Knob(
        "rental_deflation_per_year",
        N_("GPU rental-rate deflation (%/yr)"),
        0.01,
        1,
        lambda c: c.markets.gpu.rental_deflation_per_year,
    ),
    Knob(
        "ai_revenue_growth_per_year",
        N_("AI revenue growth (%/yr)"),
        0.01,
        5,
        lambda c: c.markets.demand.ai_revenue_growth_per_year,
        display_max=400,
    ),
    Knob(
        "gpu_market_depth_bn",
        N_("GPU secondary-market depth (US$ bn)"),
        1.0,
        1,
        lambda c: c.markets.gpu.market_depth_bn,
        display_min=1,
        display_max=300,
    ),
    Knob(
        "ltv_covenant",
        N_("LTV covenant threshold (% loan / collateral)"),
        0.01,
        5,
        _median_ltv,
        display_min=30,
        display_max=200,
    ),
    Knob("waiver_propensity", N_("Lender waiver propensity (0 = never … 1 = most)"), 1.0, 0.05, _median_waiver),
)
CHANNELS: tuple[str, ...] = tuple(name for name in Channels.model_fields if name in LEVERS)
SHOCK_CHOICES: tuple[str, ...] = (NO_SHOCK, *SHOCK_KINDS)


CHANNEL_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "circular_funding": N_("Channel: circular funding"),
        "ltv_covenants": N_("Channel: LTV covenants"),
        "dscr_covenants": N_("Channel: DSCR covenants"),
        "liquidity_covenants": N_("Channel: liquidity covenants"),
        "refinancing": N_("Channel: refinancing"),
        "rollover_repricing": N_("Channel: rollover repricing"),
        "contract_cuts": N_("Channel: contract cuts"),
        "lease_renegotiation": N_("Channel: lease renegotiation"),
        "fire_sale_impact": N_("Channel: fire sale impact"),
        "equity_marks": N_("Channel: equity marks"),
        "redemptions": N_("Channel: redemptions"),
        "margin_calls": N_("Channel: margin calls"),
        "capital_derisking": N_("Channel: capital derisking"),
        "sentiment_feedback": N_("Channel: sentiment feedback"),
        "rate_marks": N_("Channel: rate marks"),
    }
)
"""The switch of each contagion channel (a message of the ``app`` domain)."""


def channel_label(name: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The label of channel ``name``'s switch in ``lang``."""
    label = CHANNEL_LABELS.get(name)
    if label is None:
        words = name.replace("ltv", "LTV").replace("dscr", "DSCR").replace("_", " ")
        return f"Channel: {words}"
    return gettext_for(lang, "app")(label)


@functools.lru_cache(maxsize=32)
def scenario_config(name: str) -> Scenario:
    """The scenario as written in configs/ (no levers applied); cached per name."""
    return load_scenario(name)


@functools.lru_cache(maxsize=32)
def lesson_spec(name: str, lang: str = DEFAULT_LANGUAGE) -> Lesson:
    """The lesson ``configs/lessons/NAME.yaml``, validated (ConfigError if it is not), its texts
    in ``lang``; cached per name and language.
    """
    return load_lesson(name, lang=lang)


def _base_config(scenario_name: str, lesson_levers: Mapping[str, Any]) -> Scenario:
    """The scenario with a lesson's levers applied (the scenario as written if there are none)."""
    return load_scenario(scenario_name, **lesson_levers) if lesson_levers else scenario_config(scenario_name)


def widget_defaults(config: Scenario) -> dict[str, Any]:
    """What every parameter widget shows for ``config`` before the user touches it."""
    values: dict[str, Any] = {knob.lever: knob.default(config) for knob in KNOBS}
    values["central_bank_enabled"] = bool(config.central_bank.enabled)
    values.update({name: bool(getattr(config.channels, name)) for name in CHANNELS})
    values.update(shock_kind=NO_SHOCK, shock_target=NO_TARGET, shock_size=0.0, shock_month=1)
    return values


def shock_targets(config: Scenario) -> list[str]:
    """Targets the shock picker offers: none, every GPU generation, institutions, contracts,
    and each payer->payee pair with compute contracts between them.
    """
    gens = [g.name for g in config.markets.gpu.generations]
    pairs = {f"{c.payer}{PAIR_ARROW}{c.payee}": None for c in config.contracts.values() if c.kind == "compute_contract"}
    return [NO_TARGET, "all", *gens, *config.institutions, *config.contracts, *pairs]


def levers_from_widgets(config: Scenario, widgets: dict[str, Any]) -> dict[str, Any]:
    """Lever keywords for ``ContagionModel`` from the widget values.

    A slider or switch left at the scenario's own value is not passed, so the scenario keeps its
    detail (e.g. a different depreciation per GPU generation); one the user moved overrides the
    scenario everywhere it applies. The extra shock is passed only if a kind is chosen.
    """
    defaults = widget_defaults(config)
    levers: dict[str, Any] = {}
    for knob in KNOBS:
        value = widgets.get(knob.lever, defaults[knob.lever])
        if value is not None and not math.isclose(float(value), defaults[knob.lever], abs_tol=1e-9):
            levers[knob.lever] = knob.to_lever(value)
    for name in ("central_bank_enabled", *CHANNELS):
        value = widgets.get(name, defaults[name])
        if bool(value) != defaults[name]:
            levers[name] = bool(value)
    kind = widgets.get("shock_kind") or NO_SHOCK
    if kind != NO_SHOCK:
        target = widgets.get("shock_target") or NO_TARGET
        levers.update(
            shock_kind=kind,
            shock_target="" if target == NO_TARGET else str(target),
            shock_size=float(widgets.get("shock_size") or 0.0),
            shock_month=int(widgets.get("shock_month") or 1),
        )
    return levers


@dataclass(frozen=True)
class AppSetup:
    """How the page set up one model run: what was asked for, what was applied, what was not.

    ``scenario`` is the scenario picked on the page (if it is unknown, the model runs
    baseline_2025 and ``error`` says so); ``seed`` the seed the model runs with (the default seed
    if the one typed was invalid); ``levers`` the lever keywords applied -- only those the user
    moved and the engine accepted; ``error`` why something asked for was not applied (shown on
    the page), else None; ``focus`` the institution the inspector shows first, fixed for the run.
    """

    scenario: str
    seed: int
    levers: Mapping[str, Any]
    error: str | None
    focus: str
    lesson: str | None = None  # the guided lesson this run belongs to (None outside lesson mode)
    lesson_levers: Mapping[str, Any] = MappingProxyType({})  # the levers that lesson pins


class AppModel(ContagionModel):
    """``ContagionModel`` built from the page's widgets (parameter plumbing only).

    SolaraViz re-creates the model on Reset as ``AppModel(**widget_values)``. Invalid input never
    breaks the page: a bad seed falls back to the default seed, levers the engine rejects
    (``ConfigError``) are dropped, an unknown scenario falls back to baseline_2025, and
    ``setup`` (an :class:`AppSetup`) records what was applied and the messages for the page.

    ``scenario`` is Mesa's own ``Scenario`` object, which SolaraViz's Reset passes back; our
    scenario is ``scenario_name``. ``lesson`` (a name from ``configs/lessons/``) runs the lesson's
    scenario with its levers; the widgets then move levers on top of those.
    """

    def __init__(
        self,
        scenario_name: str | None = None,
        seed: Any = DEFAULT_SEED,
        scenario: Any = None,
        lesson: str | None = None,
        **widgets: Any,
    ):
        del scenario  # Mesa's experiment object, not a scenario name
        errors: list[str] = []
        requested = scenario_name or initial_scenario_name()
        lesson_levers: dict[str, Any] = {}
        if lesson:
            try:
                spec = lesson_spec(lesson)
                requested, lesson_levers = spec.scenario, dict(spec.levers)
            except ConfigError as exc:
                errors.append(str(exc))
                lesson = None
        try:
            run_seed = parse_seed(seed)
        except ConfigError as exc:
            errors.append(str(exc))
            run_seed = DEFAULT_SEED
        source = requested
        try:
            base = _base_config(source, lesson_levers)
        except ConfigError as exc:
            errors.append(str(exc))
            source, base, lesson_levers = DEFAULT_SCENARIO, scenario_config(DEFAULT_SCENARIO), {}
        try:
            levers = levers_from_widgets(base, widgets)
            config = load_scenario(source, **{**lesson_levers, **levers}) if levers else base
        except ConfigError as exc:
            errors.append(str(exc))
            levers, config = {}, base
        super().__init__(config, seed=run_seed)
        self.setup = AppSetup(
            scenario=requested,
            seed=run_seed,
            levers=MappingProxyType(levers),
            # Name config files relative to the repository: shorter, and enough to find them.
            error=" · ".join(e.replace(f"{CONFIG_DIR}{os.sep}", "configs/") for e in errors) or None,
            focus=views.default_focus(self),
            lesson=lesson or None,
            lesson_levers=MappingProxyType(lesson_levers),
        )


def model_params_for(
    config: Scenario, scenario_name: str, seed: int, lesson: str | None = None, lang: str = DEFAULT_LANGUAGE
) -> dict[str, Any]:
    """SolaraViz ``model_params``: seed, lever sliders, shock, backstop and channel switches
    (and the lesson, fixed, so that Reset keeps the lesson's scenario and levers); labels in
    ``lang``.
    """
    _ = gettext_for(lang, "app")
    defaults = widget_defaults(config)
    params: dict[str, Any] = {
        "scenario_name": scenario_name,  # fixed: the scenario card picks it
        "lesson": lesson,  # fixed: the lesson picker picks it
        "seed": {"type": "InputText", "value": str(seed), "label": _("Seed (whole number ≥ 0)")},
    }
    for knob in KNOBS:
        lo, hi = knob.bounds()
        integer = float(knob.step).is_integer()
        params[knob.lever] = {
            "type": "SliderInt" if integer else "SliderFloat",
            "label": _(knob.label),
            "value": int(defaults[knob.lever]) if integer else defaults[knob.lever],
            "min": int(lo) if integer else lo,
            "max": int(hi) if integer else hi,
            "step": int(knob.step) if integer else knob.step,
        }
    params["shock_kind"] = {
        "type": "Select",
        "value": NO_SHOCK,
        "values": list(SHOCK_CHOICES),
        "label": _("Extra shock: kind"),
    }
    params["shock_target"] = {
        "type": "Select",
        "value": NO_TARGET,
        "values": shock_targets(config),
        "label": _("Extra shock: target"),
    }
    params["shock_size"] = {
        "type": "SliderFloat",
        "value": 0.0,
        "min": LEVERS["shock_size"].low,
        "max": 2.0,
        "step": 0.05,
        "label": _("Extra shock: size (share; per yr for rate/growth)"),
    }
    params["shock_month"] = {
        "type": "SliderInt",
        "value": 1,
        "min": 1,
        "max": 60,
        "step": 1,
        "label": _("Extra shock: month"),
    }
    params["central_bank_enabled"] = {
        "type": "Checkbox",
        "value": defaults["central_bank_enabled"],
        "label": _("Central-bank backstop (on/off)"),
    }
    for name in CHANNELS:
        params[name] = {"type": "Checkbox", "value": defaults[name], "label": channel_label(name, lang)}
    return params


def scenario_config_safe(model: AppModel) -> Scenario:
    """The pristine config of the scenario the model was asked for, with a lesson's levers (the
    sliders' defaults).
    """
    try:
        return _base_config(model.setup.scenario, model.setup.lesson_levers)
    except ConfigError:
        return scenario_config(DEFAULT_SCENARIO)
