"""The contagion model: one Mesa model, one month per step.

``ContagionModel`` holds the run's ``State`` (``simulator.state``) and nothing else; each
``step()`` runs the month's phases in order (``simulator.phases``, whose docstring lists them).
The institutions are its Mesa agents (``agents``), created by ``simulator.world``.

Money is in US$ billions, time in months (month 0 is the opening balance sheet), rates per year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
from mesa.experimental.scenarios import Scenario as MesaScenario

from simulator import counterfactual as cf
from simulator import phases
from simulator.config import LEVERS, ConfigError, Scenario, build_scenario, load_scenario, scenario_names
from simulator.state import State, Views
from simulator.world import build_state


class ContagionModel(mesa.Model):
    """Agent-based model of financial contagion in the AI-infrastructure network.

    Parameters
    ----------
    config : Scenario, str or Path, optional
        A validated ``Scenario``, a scenario name from ``configs/`` or a path to a YAML file
        (default ``"baseline_2025"``).
    rng : int or numpy Generator, optional
        Seed for all randomness (same seed and config give identical results): a whole number
        >= 0 (an int, a numpy integer or an integral float), or a numpy ``Generator``,
        ``BitGenerator`` or ``SeedSequence``.
    seed : int or str, optional
        Alias of ``rng`` that also takes the number as text (a text box in the app passes a
        string).
    overrides : dict or list of "key=value", optional
        Dotted-path overrides of the config (see ``simulator.config.load_scenario``).
    counterfactual : bool, optional
        Run the scenario's counterfactual alongside (default True; ``simulator.counterfactual``).
    **levers
        Main parameters by name (``simulator.config.LEVERS``: ``gpu_market_depth_bn``,
        ``ai_revenue_growth_per_year``, ``central_bank_enabled``, channel switches, ...), so that
        ``mesa.batch_run`` and SolaraViz can drive the model. ``scenario=NAME`` is accepted as
        an alias of ``config``.

    Raises
    ------
    ConfigError
        For any invalid argument, naming the argument (or the file and field) and what is allowed.

    Attributes
    ----------
    state : State
        Everything the run knows, by lifetime (``simulator.state``).
    """

    def __init__(
        self,
        config: Scenario | str | Path | None = None,
        *,
        rng: Any = None,
        seed: Any = None,
        overrides: dict | list | None = None,
        counterfactual: bool = True,
        **levers: Any,
    ):
        config = _check_config(config, "config")
        if "scenario" in levers:
            alias = levers.pop("scenario")
            # Mesa's SolaraViz passes Mesa's own Scenario object back on Reset: not ours, ignore it.
            if alias is not None and not isinstance(alias, MesaScenario):
                if config is not None:
                    raise ConfigError("give either config or scenario, not both")
                config = _check_config(alias, "scenario")
        if seed is not None:
            if rng is not None:
                raise ConfigError("give either rng or seed, not both")
            rng = _parse_seed(seed)
        else:
            rng = _parse_rng(rng)
        if isinstance(config, Scenario):
            if overrides:
                raise ConfigError("overrides apply to a scenario name or path, not to a Scenario object")
            scenario = build_scenario(config.model_dump(), f"scenario {config.name!r}", **levers) if levers else config
        else:
            scenario = load_scenario("baseline_2025" if config is None else config, overrides, **levers)
        # (before Mesa seeds the model: a Generator passed as rng is copied unused)
        cf_scenario = None
        if counterfactual:
            extra_shock = any(lever in levers for lever in cf.SHOCK_LEVERS)
            cf_scenario = cf.counterfactual_scenario(scenario, overrides, levers, extra_shock)
        cf_run = cf.for_run(cf_scenario, rng) if cf_scenario is not None else None
        super().__init__(rng=rng)
        self.state: State = build_state(self, scenario, cf_run)
        phases.start(self.state)

    # ================================================================== stepping
    def step(self) -> None:
        """Advance one month (the phases of ``simulator.phases``)."""
        phases.run_month(self.state)
        self.running = self.state.memory.month < self.state.const.config.months  # Play in the app stops at the horizon

    def run_for(self, months: int) -> None:
        if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or not 0 <= months <= 100_000:
            raise ConfigError(f"run_for: months must be a whole number in [0, 100000], got {months!r}")
        for _ in range(int(months)):
            self.step()

    def discard_unfinished_month(self) -> None:
        """After a step was interrupted (a second Ctrl-C in ``aicontagion run``), keep the
        records of the finished months only. The state stays as the interruption left it: the
        run's outputs read the finished months (``simulator.cli.outputs.finished_month``).
        """
        self.state.records.drop_unfinished_month()

    # ================================================================== reading the run
    @property
    def config(self) -> Scenario:
        """The validated scenario this run was built from."""
        return self.state.const.config

    @property
    def month(self) -> int:
        """The month just run (0 before the first step)."""
        return self.state.memory.month

    @property
    def events(self) -> list:
        """The event log, oldest first (``simulator.events.Event``)."""
        return self.state.log.events

    @property
    def datacollector(self):
        """The monthly model and agent tables (``simulator.records.MonthlyRecords``: the
        ``mesa.DataCollector`` interface).
        """
        return self.state.records

    @property
    def ledger(self):
        """Everyone's balance sheet and the contract book (``agents.ledger.Ledger``)."""
        return self.state.ledger

    @property
    def drivers(self):
        """The exogenous markets (``simulator.drivers.Drivers``)."""
        return self.state.drivers

    @property
    def sentiment(self) -> float:
        return self.state.drivers.sentiment

    @property
    def names(self) -> tuple[str, ...]:
        """Institution names; index ``i`` is row ``i`` of every ledger array."""
        return self.state.const.names

    @property
    def index_of(self):
        """Institution name -> index."""
        return self.state.const.index_of

    @property
    def kinds(self) -> np.ndarray:
        return self.state.const.kinds

    @property
    def generation_names(self) -> tuple[str, ...]:
        return self.state.const.generation_names

    @property
    def institutions(self) -> tuple:
        """The institutions (Mesa agents), in index order."""
        return self.state.agents

    @property
    def counterfactual(self) -> cf.Counterfactual | None:
        """The run this one is measured against (``simulator.counterfactual``), or None."""
        return self.state.counterfactual

    @property
    def first_breach(self) -> tuple[int, str] | None:
        """(month, sentence) of the run's first covenant breach, if any."""
        return self.state.memory.first_breach

    def agent(self, name: str):
        """The institution called ``name``."""
        try:
            return self.state.agents[self.state.const.index_of[name]]
        except KeyError:
            raise KeyError(f"no institution {name!r}; known: {list(self.names)}") from None

    def deal_graph(self):
        """A ``networkx.MultiDiGraph`` snapshot of the current network (see ``networks``)."""
        from simulator.snapshot import deal_graph

        return deal_graph(self.state)

    @property
    def views(self) -> Views:
        """The cached balance-sheet views (``simulator.state.Views``), refreshed."""
        self.state.views.refresh()
        return self.state.views


def _check_config(config: Any, argument: str) -> Any:
    """``config`` if it can name a scenario (a ``Scenario``, a name, a path or None)."""
    if config is None or isinstance(config, (Scenario, str, Path)):
        return config
    raise ConfigError(
        f"{argument}: expected a Scenario, a scenario name or a path to a .yaml file, got "
        f"{config!r} ({type(config).__name__}); scenarios: {scenario_names()}"
    )


def _parse_seed(seed: Any, argument: str = "seed") -> int:
    """``seed`` as a whole number >= 0: an int, a numpy integer, an integral float or (for
    ``seed``, typed in a text box) the digits as text; ConfigError naming ``argument`` otherwise.
    """
    allowed = "a whole number >= 0" + (" or a numpy Generator" if argument == "rng" else "")
    value = seed.item() if isinstance(seed, np.generic) else seed
    if isinstance(value, str) and argument == "seed" and value.strip().isdecimal() and len(value.strip()) <= 1000:
        value = int(value.strip())  # (isdecimal: what int() reads; "²" is a digit but not a number)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        shown = repr(seed) if len(repr(seed)) <= 80 else repr(seed)[:77] + "..."
        raise ConfigError(f"{argument} must be {allowed}, got {shown}")
    return value


def _parse_rng(rng: Any) -> Any:
    """``rng`` as Mesa takes it: None, a numpy random generator, or a seed (``_parse_seed``)."""
    if rng is None or isinstance(rng, (np.random.Generator, np.random.BitGenerator, np.random.SeedSequence)):
        return rng
    return _parse_seed(rng, "rng")


__all__ = ["LEVERS", "ContagionModel"]
