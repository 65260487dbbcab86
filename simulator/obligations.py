"""The month's obligations: everything that falls due, collected before it is cleared.

The phases before the clearing (operate, service debt, invest, test covenants, and each
round's second round) do not move cash for payments between institutions: they *add
obligations* here (who owes whom how much, and why). The resolve-defaults phase
(``simulator.phases.resolve_defaults``) clears them all at once through the obligation network,
and then ``settle`` books what was actually paid, obligation by obligation, each kind by its own
accounting rule.

Payments to creditors outside the model use the pseudo-institution ``OUTSIDE`` (index n).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from agents.ledger import CREDIT, Ledger, is_scalar

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


class Obligations:
    """Obligations falling due, as parallel columns: growable numpy arrays whose first
    ``len(self)`` entries are live, so that sums by payer and the clearing matrix need no
    list-to-array conversion. ``payer``, ``payee``, ``amount_bn``, ``kind`` and ``ref`` (row in
    the book the kind refers to) are views of the live entries, for reading: change obligations
    only through ``add``, ``scale``, ``truncate`` and ``clear``, which bump ``version``.
    """

    def __init__(self, n_agents: int, capacity: int = 64):
        self.n_agents = n_agents
        self._count = 0
        self.version = 0  # bumped by every change (see Ledger.version)
        self._payer = np.zeros(capacity, dtype=np.int64)
        self._payee = np.zeros(capacity, dtype=np.int64)
        self._amount_bn = np.zeros(capacity)
        self._kind = np.zeros(capacity, dtype=np.int64)
        self._ref = np.zeros(capacity, dtype=np.int64)
        self._due_by_payer: tuple[int, np.ndarray] | None = None  # (version, result) of the last due_by_payer()

    @property
    def outside(self) -> int:
        return self.n_agents

    payer = property(lambda self: self._payer[: self._count])
    payee = property(lambda self: self._payee[: self._count])
    amount_bn = property(lambda self: self._amount_bn[: self._count])
    kind = property(lambda self: self._kind[: self._count])
    ref = property(lambda self: self._ref[: self._count])

    def _reserve(self, extra: int) -> None:
        """Make room for ``extra`` more obligations (doubling, so appends stay cheap)."""
        needed = self._count + extra
        if needed <= len(self._payer):
            return
        capacity = max(needed, 2 * len(self._payer))
        for name in ("_payer", "_payee", "_amount_bn", "_kind", "_ref"):
            old = getattr(self, name)
            grown = np.zeros(capacity, dtype=old.dtype)
            grown[: self._count] = old[: self._count]
            setattr(self, name, grown)

    def add(self, payer, payee, amount_bn, kind: int, ref) -> None:
        """Add one or many obligations (array arguments broadcast); amounts <= 0 are dropped."""
        if is_scalar(payer):  # one obligation: the common case in decision loops
            if amount_bn > 0:
                self.version += 1
                k = self._count
                if k == len(self._payer):
                    self._reserve(1)
                self._payer[k], self._payee[k], self._amount_bn[k] = int(payer), int(payee), float(amount_bn)
                self._kind[k], self._ref[k] = kind, int(ref)
                self._count += 1
            return
        payer = np.asarray(payer)
        amount = np.asarray(amount_bn, dtype=float)
        if amount.shape == payer.shape:
            keep = (amount > 0).nonzero()[0]
            amount = amount[keep]
        else:  # one amount for every payer
            keep = np.arange(len(payer)) if float(amount) > 0 else np.arange(0)
            amount = amount.astype(float).reshape(())  # (one amount: broadcast below)
        m = len(keep)
        if not m:
            return
        self.version += 1
        self._reserve(m)
        live = slice(self._count, self._count + m)
        self._payer[live] = payer[keep]
        self._payee[live] = int(payee) if is_scalar(payee) else payee[keep]
        self._amount_bn[live] = amount
        self._kind[live] = kind
        self._ref[live] = int(ref) if is_scalar(ref) else ref[keep]
        self._count += m

    def __len__(self) -> int:
        return self._count

    def due_by_payer(self) -> np.ndarray:
        """Total amount due from each payer (length n + 1; index n is the outside), US$ bn.

        Read-only: it is kept until the obligations change (several phases ask for it between
        two changes).
        """
        cached = self._due_by_payer
        if cached is not None and cached[0] == self.version:
            return cached[1]
        if not self._count:
            due = np.zeros(self.n_agents + 1)
        else:
            due = np.bincount(self.payer, weights=self.amount_bn, minlength=self.n_agents + 1)
        due.flags.writeable = False
        self._due_by_payer = (self.version, due)
        return due

    def truncate(self, length: int) -> None:
        """Drop every obligation added after the first ``length``."""
        if length < self._count:
            self.version += 1
            self._count = length

    def clear(self) -> None:
        self.truncate(0)

    def scale(self, k: int, factor: float) -> None:
        """Scale obligation ``k``'s amount by ``factor`` (a renegotiated contract)."""
        self.version += 1
        self._amount_bn[k] *= factor

    def matrix(self) -> np.ndarray:
        """The (n+1) x (n+1) liabilities matrix: [i, j] = what i owes j (j = n is outside).
        Dense: for small networks (see ``sparse_matrix`` for large ones).
        """
        n1 = self.n_agents + 1
        if not self._count:
            return np.zeros((n1, n1))
        cell = self.payer * n1 + self.payee
        return np.bincount(cell, weights=self.amount_bn, minlength=n1 * n1).reshape(n1, n1)

    def sparse_matrix(self) -> sp.csr_matrix:
        """``matrix()`` as a sparse CSR matrix (duplicates summed): memory grows with the number
        of obligations, not with the square of the number of institutions.
        """
        n1 = self.n_agents + 1
        return sp.coo_matrix((self.amount_bn, (self.payer, self.payee)), shape=(n1, n1)).tocsr()


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
    if not len(obligations):
        return np.zeros(0)
    # The live columns themselves, not copies: booking payments changes the ledger, never the
    # obligations, and every selection below is a fancy index (a copy) anyway.
    payer, payee, kind, ref = obligations.payer, obligations.payee, obligations.kind, obligations.ref
    paid = obligations.amount_bn * paid_share[payer]
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
        chip_maker, chip_paid = payee[sel], paid[sel]
        ledger.buy_new_gpus(payer[sel], chip_maker, newest_gen, chip_paid, unit_price_bn)
        # The chip maker pays its suppliers (foundries, memory) outside the model.
        cogs = chip_paid * cost_of_goods_share[chip_maker]
        ledger.exogenous(chip_maker, -cogs, "chip production costs (suppliers)")
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


def book_default_costs(
    ledger: Ledger, agents: np.ndarray, cash_before: np.ndarray, received: np.ndarray, alpha: float, beta: float
) -> np.ndarray:
    """Rogers-Veraart default costs: a defaulter realises only ``alpha`` of its own cash and
    ``beta`` of what it receives; the rest is lost (lawyers, fire-sale frictions).
    """
    lost = (1.0 - alpha) * cash_before[agents] + (1.0 - beta) * received[agents]
    lost = np.minimum(lost, ledger.cash_bn[agents])
    lost = np.maximum(lost, 0.0)
    if lost.sum() > 0:
        ledger.exogenous(agents, -lost, "default costs (legal, liquidation)", category=CREDIT)
        ledger.realise(agents, lost)
    return lost
