"""Who acts and what they hold: balance sheets (the ledger), instruments (the contract book)
and one module per kind of institution with its decision rules. Imports nothing of ours."""

from agents.base import Breach, Institution, Rules, STATUSES
from agents.ledger import Ledger, PNL_CATEGORIES
from agents.registry import AGENT_CLASSES, agent_class

__all__ = ["AGENT_CLASSES", "Breach", "Institution", "Ledger", "PNL_CATEGORIES", "Rules", "STATUSES", "agent_class"]
