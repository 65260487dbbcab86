"""The tick's obligations: everything that falls due, collected before it is cleared.

Phases 2-4 (and the second round) do not move cash for payments between institutions: they
*add obligations* here (who owes whom how much, and why). Phase 5 clears them all at once
through the obligation network (``simulator.resolution``), and then ``settle`` books what was
actually paid, obligation by obligation, each kind by its own accounting rule.

Payments to creditors outside the model use the pseudo-institution ``OUTSIDE`` (index n).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from agents.ledger import CREDIT, Ledger

# kind of obligation -> how a payment is booked
OBLIGATION_KINDS = (
    "contract",  # compute contract or lease payment: revenue / expense
    "chip_sale",  # chip purchase: GPUs delivered for the amount paid
    "equity_funding",  # funding commitment: new shares issued to the payer
    "interest",  # interest: revenue / expense
    "principal",  # principal (scheduled, maturing, accelerated, margin call, estate claim)
    "redemption",  # fund redemption: units cancelled at NAV
    "outside",  # claims of creditors outside the model (other liabilities)
    "operating_cost",  # operating costs owed to suppliers outside the model: an expense
)
CONTRACT, CHIP_SALE, EQUITY_FUNDING, INTEREST, PRINCIPAL, REDEMPTION, OUTSIDE_CLAIM, OPERATING_COST = range(8)


@dataclass
class Obligations:
    """Obligations falling due, as parallel lists (converted to arrays when cleared)."""

    n_agents: int
    payer: list[int] = field(default_factory=list)
    payee: list[int] = field(default_factory=list)
    amount_bn: list[float] = field(default_factory=list)
    kind: list[int] = field(default_factory=list)
    ref: list[int] = field(default_factory=list)  # row in the book the kind refers to

    @property
    def outside(self) -> int:
        return self.n_agents

    def add(self, payer, payee, amount_bn, kind: int, ref) -> None:
        """Add one or many obligations (array arguments broadcast)."""
        if np.ndim(payer) == 0:  # one obligation: the common case in decision loops
            if amount_bn > 0:
                self.payer.append(int(payer)), self.payee.append(int(payee)), self.amount_bn.append(float(amount_bn))
                self.kind.append(kind), self.ref.append(int(ref))
            return
        payer = np.asarray(payer)
        amount = np.asarray(amount_bn, dtype=float)
        if amount.shape == payer.shape:
            keep = (amount > 0).nonzero()[0]
            amounts = amount[keep].tolist()
        else:  # one amount for every payer
            keep = np.arange(len(payer)) if float(amount) > 0 else np.arange(0)
            amounts = [float(amount)] * len(keep)
        if not len(keep):
            return
        self.payer.extend(payer[keep].tolist())
        self.payee.extend(payee[keep].tolist() if np.ndim(payee) else [int(payee)] * len(keep))
        self.amount_bn.extend(amounts)
        self.kind.extend([kind] * len(keep))
        self.ref.extend(ref[keep].tolist() if np.ndim(ref) else [int(ref)] * len(keep))

    def __len__(self) -> int:
        return len(self.payer)

    def arrays(self):
        return (
            np.asarray(self.payer, dtype=np.int64),
            np.asarray(self.payee, dtype=np.int64),
            np.asarray(self.amount_bn, dtype=float),
            np.asarray(self.kind, dtype=np.int64),
            np.asarray(self.ref, dtype=np.int64),
        )

    def due_by_payer(self) -> np.ndarray:
        if not self.payer:
            return np.zeros(self.n_agents + 1)
        return np.bincount(self.payer, weights=self.amount_bn, minlength=self.n_agents + 1)

    def scale_where(self, mask_fn, factor: float) -> None:
        """Multiply the amounts of obligations selected by ``mask_fn(payer, kind, ref)``."""
        for k in range(len(self.payer)):
            if mask_fn(self.payer[k], self.kind[k], self.ref[k]):
                self.amount_bn[k] *= factor

    def clear(self) -> None:
        self.payer.clear(), self.payee.clear(), self.amount_bn.clear(), self.kind.clear(), self.ref.clear()

    def matrix(self) -> np.ndarray:
        """The (n+1) x (n+1) liabilities matrix: [i, j] = what i owes j (j = n is outside)."""
        n1 = self.n_agents + 1
        if not self.payer:
            return np.zeros((n1, n1))
        cell = np.asarray(self.payer) * n1 + np.asarray(self.payee)
        return np.bincount(cell, weights=self.amount_bn, minlength=n1 * n1).reshape(n1, n1)


def settle(
    ledger: Ledger,
    obligations: Obligations,
    paid_share: np.ndarray,
    *,
    newest_gen: int,
    unit_price_bn: float,
    cost_of_goods_share: np.ndarray,
) -> np.ndarray:
    """Book the payments a clearing decided: obligation ``k`` is paid ``paid_share[payer_k]`` of
    its amount (clearing pays all of a payer's creditors pro rata). Returns the amount paid per
    obligation (US$ billions).
    """
    payer, payee, amount, kind, ref = obligations.arrays()
    if len(payer) == 0:
        return np.zeros(0)
    paid = amount * paid_share[payer]
    positive = paid > 0
    kinds_paid = set(kind[positive].tolist())  # most months see only a few kinds

    if CONTRACT in kinds_paid or INTEREST in kinds_paid:
        sel = ((kind == CONTRACT) | (kind == INTEREST)) & positive  # both revenue for the payee
        ledger.transfer(payer[sel], payee[sel], paid[sel], income=True)
    if PRINCIPAL in kinds_paid:
        sel = (kind == PRINCIPAL) & positive
        ledger.pay_principal(ref[sel], paid[sel])
    if CHIP_SALE in kinds_paid:
        sel = (kind == CHIP_SALE) & positive
        ledger.buy_new_gpus(payer[sel], payee[sel], newest_gen, paid[sel], unit_price_bn)
        # The chip maker pays its suppliers (foundries, memory) outside the model.
        cogs = paid[sel] * cost_of_goods_share[payee[sel]]
        ledger.exogenous(payee[sel], -cogs, "chip production costs (suppliers)")
    if EQUITY_FUNDING in kinds_paid:
        for k in ((kind == EQUITY_FUNDING) & positive).nonzero()[0]:
            ledger.issue_shares(int(payee[k]), float(paid[k]), int(payer[k]), "equity funding")
    if REDEMPTION in kinds_paid:
        sel = (kind == REDEMPTION) & positive
        ledger.redeem_units(ref[sel], paid[sel])
    if OUTSIDE_CLAIM in kinds_paid:
        sel = (kind == OUTSIDE_CLAIM) & positive & (payee == obligations.outside)
        if sel.any():
            ledger.repay_outside(payer[sel], paid[sel], "paid to creditors outside the model")
    if OPERATING_COST in kinds_paid:
        sel = (kind == OPERATING_COST) & positive
        ledger.exogenous(payer[sel], -paid[sel], "operating costs paid outside")
    return paid


def book_default_costs(ledger: Ledger, agents: np.ndarray, cash_before: np.ndarray, received: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """Rogers-Veraart default costs: a defaulter realises only ``alpha`` of its own cash and
    ``beta`` of what it receives; the rest is lost (lawyers, fire-sale frictions)."""
    lost = (1.0 - alpha) * cash_before[agents] + (1.0 - beta) * received[agents]
    lost = np.minimum(lost, ledger.cash_bn[agents])
    lost = np.maximum(lost, 0.0)
    if lost.sum() > 0:
        ledger.exogenous(agents, -lost, "default costs (legal, liquidation)", category=CREDIT)
    return lost
