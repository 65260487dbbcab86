"""Who acts and what they hold: balance sheets (the ledger), instruments (the contract book),
the names everything shares, and one module per kind of institution with its decision rules.
Imports nothing of ``simulator`` or ``networks``.

The names below are imported lazily, so that ``import agents.names`` (what ``networks`` needs)
loads neither Mesa nor pydantic.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "AGENT_CLASSES": "agents.registry",
    "agent_class": "agents.registry",
    "Breach": "agents.decisions",
    "BreachAnswer": "agents.decisions",
    "LiquidityAction": "agents.decisions",
    "Order": "agents.decisions",
    "Response": "agents.decisions",
    "FixedSituation": "agents.situation",
    "MonthEnd": "agents.situation",
    "Situation": "agents.situation",
    "Institution": "agents.base",
    "Rules": "agents.base",
    "Ledger": "agents.ledger",
    "PNL_CATEGORIES": "agents.ledger",
    "STATUSES": "agents.names",
    "InstitutionKind": "agents.names",
    "Status": "agents.names",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'agents' has no attribute {name!r}")
