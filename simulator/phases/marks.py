"""Marks (each round, after the markets or the obligations clear: 6a, 6b, 6c): everything is
valued again (``simulator.valuation``): GPUs at the new market prices, ABS tranches by their
SPV's waterfall, companies at fundamentals x sentiment, funds and SPVs at NAV.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.ledger import FIRE_SALE
from simulator.valuation import mark_abs_tranches, mark_claims_on_estates, mark_equity, mark_gpus, mark_rates

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State


def run(state: State) -> None:
    """Re-mark GPUs, ABS tranches and equity."""
    mark_gpus(state, FIRE_SALE)
    mark_rates(state)
    mark_claims_on_estates(state)
    mark_abs_tranches(state)
    mark_equity(state)
