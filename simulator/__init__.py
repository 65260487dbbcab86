"""How the world moves: the Mesa model, its monthly phases, the canonical contagion kernels,
configuration, and the front ends (command line, outputs, the Solara app).

>>> from simulator import ContagionModel, load_scenario
>>> model = ContagionModel(load_scenario("baseline_2025"), rng=42)

Everything here is imported lazily: ``import simulator`` loads no numpy, Mesa or pandas, so the
``aicontagion`` command starts (and answers Ctrl-C) at once, and importing the canonical kernels
(``simulator.clearing``, ``simulator.cascades``, ``simulator.fire_sales``, which live in
``simulator.kernels``) does not load Mesa.
"""

from __future__ import annotations

import importlib
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType

_KERNELS = ("cascades", "clearing", "fire_sales")


class _KernelAliases:
    """``import simulator.clearing`` gives the module ``simulator.kernels.clearing`` itself.

    The kernels' documented import paths name the same module objects, loaded on first use. (A
    finder and loader by the protocol, not by subclassing ``importlib.abc``, whose import alone
    would double the time ``import simulator`` takes.)
    """

    def find_spec(self, fullname, path=None, target=None):
        package, _, short = fullname.rpartition(".")
        if package != __name__ or short not in _KERNELS:
            return None
        return ModuleSpec(fullname, self)  # type: ignore[arg-type]  # (a Loader by the protocol)

    def create_module(self, spec):
        module = importlib.import_module(f"{__name__}.kernels.{spec.name.rpartition('.')[2]}")
        spec.loader_state = module.__spec__  # the import system is about to overwrite it
        return module

    def exec_module(self, module: ModuleType) -> None:
        alias = module.__spec__
        if alias is not None and alias.loader_state is not None:
            module.__spec__ = alias.loader_state  # the module keeps its own spec

    def invalidate_caches(self) -> None:
        pass


if not any(isinstance(finder, _KernelAliases) for finder in sys.meta_path):
    sys.meta_path.append(_KernelAliases())

_EXPORTS = {
    "ContagionModel": "simulator.model",
    "LEVERS": "simulator.config",
    "ConfigError": "simulator.config",
    "Scenario": "simulator.config",
    "load_scenario": "simulator.config",
    "scenario_names": "simulator.config",
}

__all__ = sorted([*_EXPORTS, *_KERNELS])


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _KERNELS:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
