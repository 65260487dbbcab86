"""The counterfactual: the same world without the scenario's shock, run alongside.

A run is measured against its counterfactual (``Scenario.counterfactual``: by default the
scenario it extends; ``baseline_2025`` has none): the same seed, so the same draws of AI demand,
crypto and sentiment noise (common random numbers), the same levers and overrides, but not the
scenario's own shocks nor an extra shock set by lever. What the shock costs is then the gap
between the two runs -- book equity and market value, institution by institution -- not what a
run lost since its first month (which mixes the shock with everything that happened anyway).

The counterfactual is stepped month by month as the run asks for it, and its figures are kept in
a small process-wide cache keyed by its configuration and seed, so runs that share a
counterfactual (a sweep over seeds of several scenarios, a scenario and its variants) pay for it
once.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.names import EventKind
from simulator.config import ConfigError, Scenario, build_scenario, load_scenario

if TYPE_CHECKING:  # pragma: no cover
    from simulator.events import Event
    from simulator.model import ContagionModel

WITHOUT_SHOCKS = "without_shocks"
"""A scenario's ``counterfactual`` may be this: the scenario itself without its shocks (for a
scenario whose world differs from its parent's on purpose, e.g. an earlier chip launch)."""
CACHE_SIZE = 32
"""Counterfactual runs kept in memory (each a few MB)."""
SHOCK_LEVERS = ("shock_kind", "shock_target", "shock_size", "shock_month")


@dataclass(frozen=True)
class MonthFigures:
    """What a run is compared with, at one month end (arrays over the counterfactual's
    institutions, by name in ``Counterfactual.names``).
    """

    equity_bn: np.ndarray  # book equity
    capital_bn: np.ndarray  # net capital from shareholders since month 0 (raised minus paid out)
    market_value_bn: np.ndarray  # market value of listed and private equity; NAV (book) for the rest
    gpu_price_bn: np.ndarray  # secondary-market price per thousand GPUs, by generation
    defaulted: np.ndarray


def market_value_bn(model: ContagionModel) -> np.ndarray:
    """Each institution's equity at market: the market value of listed and private companies,
    and book equity (NAV) for funds, SPVs, banks, insurers, households and the central bank.
    """
    state = model.state
    state.views.refresh()
    return np.where(state.const.market_valued, state.ledger.equity_value_bn, state.views.equity_bn)


@dataclass
class Counterfactual:
    """A counterfactual run, stepped as far as it is asked (see the module docstring)."""

    name: str
    model: ContagionModel
    figures: list[MonthFigures] = field(default_factory=list)

    @property
    def names(self) -> Sequence[str]:
        return self.model.names

    @property
    def events(self) -> list[Event]:
        return self.model.events

    def at(self, month: int) -> MonthFigures:
        """The counterfactual's figures at the end of ``month`` (stepping it if needed)."""
        while len(self.figures) <= month:
            if self.figures:
                self.model.step()
            self.figures.append(
                MonthFigures(
                    equity_bn=self.model.state.views.equity_bn.copy(),
                    capital_bn=self.model.state.ledger.capital_bn.copy(),
                    market_value_bn=market_value_bn(self.model),
                    gpu_price_bn=self.model.state.drivers.market_price_bn,
                    defaulted=self.model.state.memory.defaulted.copy(),
                )
            )
        return self.figures[month]


_CACHE: OrderedDict[str, Counterfactual] = OrderedDict()


def counterfactual_scenario(
    scenario: Scenario, overrides: dict | list | None, levers: dict[str, Any], extra_shock: bool
) -> Scenario | None:
    """The counterfactual of a run of ``scenario`` with ``overrides`` and ``levers``: its
    counterfactual scenario (or itself, when only a lever adds a shock) with the same overrides
    and levers, minus any shock lever. None when there is nothing to compare with.
    """
    plain = {k: v for k, v in levers.items() if k not in SHOCK_LEVERS}
    if scenario.counterfactual is None:
        return _without_lever_shock(scenario, plain) if extra_shock else None
    if scenario.counterfactual == WITHOUT_SHOCKS:
        raw = scenario.model_dump()
        raw["shocks"], raw["counterfactual"], raw["name"] = [], None, f"{scenario.name} without its shocks"
        return build_scenario(raw, f"counterfactual of {scenario.name!r}", **plain)
    try:
        return load_scenario(scenario.counterfactual, overrides, **plain)
    except ConfigError:  # overrides naming what only this scenario has: compare with it as it is
        return load_scenario(scenario.counterfactual, None, **plain)


def _without_lever_shock(scenario: Scenario, levers: dict[str, Any]) -> Scenario:
    """``scenario`` itself with ``levers`` but without the extra shock a lever added (it is the
    last shock of the list).
    """
    raw = scenario.model_dump()
    raw["shocks"] = raw["shocks"][:-1]
    raw["counterfactual"] = None
    return build_scenario(raw, f"counterfactual of {scenario.name!r}", **levers)


def for_run(cf_scenario: Scenario, rng: Any) -> Counterfactual | None:
    """The (cached) counterfactual run of ``cf_scenario`` with the run's seed ``rng`` (an int, or
    a numpy Generator not yet drawn from: its state is copied). None for an unseeded run.
    """
    from simulator.model import ContagionModel  # (a counterfactual is itself a model run)

    if rng is None:
        return None
    if isinstance(rng, np.random.Generator):
        seed_key = json.dumps(rng.bit_generator.state, sort_keys=True, default=str)
        rng = copy.deepcopy(rng)
    else:
        seed_key = str(int(rng))
    config = cf_scenario.model_dump(mode="json")
    config["counterfactual"] = None  # (a counterfactual has none of its own)
    key = hashlib.sha256(json.dumps([config, seed_key], sort_keys=True).encode()).hexdigest()
    found = _CACHE.get(key)
    if found is not None:
        _CACHE.move_to_end(key)
        return found
    plain = cf_scenario.model_copy(update={"counterfactual": None})
    run = Counterfactual(name=cf_scenario.name, model=ContagionModel(plain, rng=rng, counterfactual=False))
    _CACHE[key] = run
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return run


def new_to_the_shock(events: Sequence[Event], baseline: Sequence[Event] | None, kind: str) -> Event | None:
    """The first event of ``kind`` that the counterfactual does not have: another institution,
    or the same one at least a month earlier (a breach: the same borrower and lender).
    """

    def who(e: Event) -> tuple:
        return (e.actor, e.counterparty) if kind == EventKind.COVENANT_BREACH else (e.actor,)

    first_seen: dict[tuple, int] = {}
    for e in baseline or ():
        if e.kind == kind:
            first_seen.setdefault(who(e), e.month)
    for e in events:
        if e.kind == kind and first_seen.get(who(e), 10**9) > e.month:
            return e
    return None
