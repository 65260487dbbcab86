"""Who acts and what they hold: balance sheets (the ledger), instruments (the contract book),
the names everything shares, and one module per kind of institution with its decision rules.
Imports nothing of ``simulator`` or ``networks``.
"""

from agents.base import Institution, Rules
from agents.decisions import Breach, BreachAnswer, LiquidityAction, Order, Response
from agents.ledger import PNL_CATEGORIES, Ledger
from agents.names import STATUSES, InstitutionKind, Status
from agents.registry import AGENT_CLASSES, agent_class
from agents.situation import FixedSituation, MonthEnd, Situation

__all__ = [
    "AGENT_CLASSES",
    "PNL_CATEGORIES",
    "STATUSES",
    "Breach",
    "BreachAnswer",
    "FixedSituation",
    "Institution",
    "InstitutionKind",
    "Ledger",
    "LiquidityAction",
    "MonthEnd",
    "Order",
    "Response",
    "Rules",
    "Situation",
    "Status",
    "agent_class",
]
