"""How the world moves: the Mesa model, its monthly phases, the canonical contagion kernels,
configuration, and the front ends (command line, outputs, the Solara app).

>>> from simulator import ContagionModel, load_scenario
>>> model = ContagionModel(load_scenario("baseline_2025"), rng=42)

The model's names below are imported lazily, so that importing the canonical kernels
(``simulator.clearing``, ``simulator.cascades``, ``simulator.fire_sales``, which live in
``simulator.kernels``) does not load Mesa.
"""

from __future__ import annotations

import importlib
import sys

from simulator.kernels import cascades, clearing, fire_sales

# The kernels' documented import paths (``import simulator.clearing``) name the same modules.
for _kernel in (cascades, clearing, fire_sales):
    sys.modules[f"{__name__}.{_kernel.__name__.rsplit('.', 1)[1]}"] = _kernel

_EXPORTS = {
    "ContagionModel": "simulator.model",
    "LEVERS": "simulator.config",
    "ConfigError": "simulator.config",
    "Scenario": "simulator.config",
    "load_scenario": "simulator.config",
    "scenario_names": "simulator.config",
}

__all__ = sorted([*_EXPORTS, "cascades", "clearing", "fire_sales"])


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
