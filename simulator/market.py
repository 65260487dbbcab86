"""The order book of forced sales: sales are *submitted* here and *cleared* all at once by the
fire-sales phase (``simulator.phases.fire_sales``), so the order in which sellers arrive never
matters.

GPU markets (one per generation, thousands of units) and credit markets (one per credit class:
shares of debt rows -- loans, bonds, ABS tranches -- and face value of outside securities).
Buyers are outside the model.

A GPU order is a seller's own sale, or the sale of GPUs pledged on a debt row whose lender is
enforcing its claim: the GPUs are still the borrower's until they sell, and what they fetch
repays that lender first. GPU orders the market cannot absorb in a month stay in the book (an
overhang) and are offered again; debt orders always clear.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from agents.ledger import Ledger

OWN_ACCOUNT = -1
"""The debt row of a GPU order that is the seller's own sale (not a lender's collateral)."""


class Market:
    """Sales submitted and not yet sold."""

    def __init__(self, ledger: Ledger):
        self._ledger = ledger
        # (seller, generation, debt row or OWN_ACCOUNT) -> thousand units offered
        self.gpu_orders: dict[tuple[int, int, int], float] = defaultdict(float)
        self.debt_orders: dict[int, float] = defaultdict(float)  # debt row -> share of it sold
        self.debt_haircut: dict[int, float] = {}  # debt row -> discount its seller accepts
        # (seller, credit class) -> face value (US$ bn) of outside securities offered
        self.securities_orders: dict[tuple[int, int], float] = defaultdict(float)
        # generation -> thousand GPUs on offer whose effect on the price was already felt (the
        # overhang left by the last clearing): only new offers move the price again
        self.priced_k: dict[int, float] = defaultdict(float)

    def offered_k(self, seller: int, gen: int) -> float:
        """Thousand GPUs of ``gen`` that ``seller`` has on offer (own and pledged)."""
        return sum(u for (s, g, _), u in self.gpu_orders.items() if s == seller and g == gen)

    def submit_gpus(self, seller: int, gen: int, units_k: float, for_row: int = OWN_ACCOUNT) -> float:
        """Offer ``units_k`` thousand GPUs of generation ``gen`` (for the lender of debt row
        ``for_row``, or on the seller's own account); never more than the seller holds and has not
        offered yet. Returns the units added to the book.
        """
        room = float(self._ledger.gpu_units_k[seller, gen]) - self.offered_k(seller, gen)
        units = min(max(units_k, 0.0), max(room, 0.0))
        if units > 0:
            self.gpu_orders[(seller, gen, for_row)] += units
        return units

    def submit_debt(self, rows, share: float, haircut: float = 0.0) -> None:
        """Offer ``share`` of each debt row in ``rows`` (shares add up to at most the whole row)."""
        for row in np.atleast_1d(rows):
            row = int(row)
            self.debt_orders[row] = min(self.debt_orders[row] + share, 1.0)
            self.debt_haircut[row] = max(self.debt_haircut.get(row, 0.0), haircut)

    def submit_securities(self, seller: int, credit_class: int, face_bn: float) -> float:
        """Offer ``face_bn`` of outside securities of ``credit_class`` (never more than the seller
        holds and has not offered yet). Returns the face value added to the book.
        """
        room = float(self._ledger.securities_face_bn[seller, credit_class]) - self.securities_orders.get(
            (seller, credit_class), 0.0
        )
        face = min(max(face_bn, 0.0), max(room, 0.0))
        if face > 0:
            self.securities_orders[(seller, credit_class)] += face
        return face

    def pending_sellers(self) -> set[int]:
        """Institutions with a sale waiting to clear."""
        sellers = {s for (s, _, _), u in self.gpu_orders.items() if u > 0}
        holder = self._ledger.debt.holder
        sellers |= {int(holder[row]) for row in self.debt_orders}
        sellers |= {seller for (seller, _), face in self.securities_orders.items() if face > 0}
        return sellers

    def has_orders(self) -> bool:
        return bool(self.gpu_orders) or bool(self.debt_orders) or bool(self.securities_orders)

    def has_new_orders(self) -> bool:
        """Anything to clear now: debt, or GPUs beyond the overhang already priced in."""
        if self.debt_orders or self.securities_orders:
            return True
        offered: dict[int, float] = defaultdict(float)
        for (_, gen, _), units in self.gpu_orders.items():
            offered[gen] += units
        return any(units > self.priced_k[gen] + 1e-12 for gen, units in offered.items())

    def overhang_k(self, n_generations: int) -> np.ndarray:
        """Thousand GPUs of each generation waiting to sell."""
        waiting = np.zeros(n_generations)
        for (_, gen, _), units in self.gpu_orders.items():
            waiting[gen] += units
        return waiting
