"""The order book of the month's forced sales: sales are *submitted* here during a round and
*cleared* all at once by the fire-sales phase (``simulator.phases.fire_sales``), so the order in
which sellers arrive never matters.

Two markets: GPUs (one per generation, thousands of units) and credit (shares of debt rows:
loans, bonds, ABS tranches). Buyers are outside the model.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from agents.ledger import Ledger


class Market:
    """Sales submitted in the current round, waiting for the next clearing."""

    def __init__(self, ledger: Ledger):
        self._ledger = ledger
        self.gpu_orders: dict[tuple[int, int], float] = defaultdict(float)  # (seller, generation) -> thousand units
        self.debt_orders: dict[int, float] = defaultdict(float)  # debt row -> share of it sold
        self.debt_haircut: dict[int, float] = {}  # debt row -> discount its seller accepts

    def submit_gpus(self, seller: int, gen: int, units_k: float) -> None:
        """Offer ``units_k`` thousand GPUs of generation ``gen`` (at most what the seller holds)."""
        held = self._ledger.gpu_units_k[seller, gen]
        self.gpu_orders[(seller, gen)] = min(self.gpu_orders[(seller, gen)] + units_k, held)

    def submit_debt(self, rows, share: float, haircut: float = 0.0) -> None:
        """Offer ``share`` of each debt row in ``rows`` (shares add up to at most the whole row)."""
        for row in np.atleast_1d(rows):
            row = int(row)
            self.debt_orders[row] = min(self.debt_orders[row] + share, 1.0)
            self.debt_haircut[row] = max(self.debt_haircut.get(row, 0.0), haircut)

    def pending_sellers(self) -> set[int]:
        """Institutions with a sale waiting to clear."""
        sellers = {s for (s, _), u in self.gpu_orders.items() if u > 0}
        holder = self._ledger.debt.holder
        sellers |= {int(holder[row]) for row in self.debt_orders}
        return sellers

    def has_orders(self) -> bool:
        return bool(self.gpu_orders) or bool(self.debt_orders)

    def clear_orders(self) -> None:
        """Forget every order (after they cleared)."""
        self.gpu_orders.clear()
        self.debt_orders.clear()
        self.debt_haircut.clear()
