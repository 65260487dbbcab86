"""How the world moves: the Mesa model, its monthly phases, markets, clearing, the canonical
contagion kernels, configuration, the CLI and the Solara app.

>>> from simulator import ContagionModel, load_scenario
>>> model = ContagionModel(load_scenario("baseline_2025"), rng=42)

The names below are imported lazily, so that ``import simulator.clearing`` (the canonical
kernels) does not load Mesa.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "ContagionModel": "simulator.model",
    "LEVERS": "simulator.config",
    "ConfigError": "simulator.config",
    "Scenario": "simulator.config",
    "load_scenario": "simulator.config",
    "scenario_names": "simulator.config",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
