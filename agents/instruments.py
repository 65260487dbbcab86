"""The contract book: every instrument as one row of a column-oriented table.

Each family of instruments is a small table of numpy arrays, one row per contract, so that
per-contract arithmetic (interest, amortisation, LTV, marks) is one vectorised expression over
the whole book instead of a Python loop per contract.

Families
--------
``DebtBook``      loans, bonds, credit lines and ABS tranches: a claim of ``holder`` on ``obligor``
                  with an outstanding principal (US$ billions), a rate (per year), amortisation
                  and maturity (months), optional GPU collateral and covenants.
``StakeBook``     equity stakes and fund shares: ``units`` of the ``issuer``'s shares.
``ContractBook``  executory contracts, off balance sheet: compute contracts, leases, chip
                  purchase plans and equity-funding commitments: ``payer`` pays ``payee`` a
                  monthly amount (US$ billions per month) between ``start_month`` and
                  ``end_month``.

Rows are never deleted (ids stay stable for the event log); a closed contract has ``active``
False. Money is in US$ billions, time in months, rates per year.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from agents.names import DEBT_KINDS, EXECUTORY_KINDS, NOT_A_TRANCHE, STAKE_KINDS, TRANCHES, CreditClass

NO_COLLATERAL = -1
"""``DebtBook.collateral_gen`` of an unsecured claim."""


def _grow(array: np.ndarray, values) -> np.ndarray:
    return np.concatenate([array, np.asarray(values, dtype=array.dtype)])


@dataclass
class _Table:
    """Shared mechanics of the three books: column arrays plus parallel string ids.

    Rows are appended one at a time (a few during a run), or many at once inside ``bulk()``
    (building a scenario), where the columns grow once at the end instead of once per row.
    """

    ids: list[str] = field(default_factory=list)
    _row_of: dict[str, int] = field(default_factory=dict, repr=False)  # id -> row
    _pending: dict[str, list] | None = field(default=None, repr=False)  # columns of rows added in bulk()

    def __len__(self) -> int:
        return len(self.ids)

    def index_of(self, contract_id: str) -> int:
        try:
            return self._row_of[contract_id]
        except KeyError:
            raise KeyError(f"no contract with id {contract_id!r}") from None

    def _append(self, contract_id: str, **columns) -> int:
        if contract_id in self._row_of:
            raise ValueError(f"duplicate contract id {contract_id!r}")
        if self._pending is None:
            for name, value in columns.items():
                setattr(self, name, _grow(getattr(self, name), [value]))
        else:
            for name, value in columns.items():
                self._pending.setdefault(name, []).append(value)
        self._row_of[contract_id] = len(self.ids)
        self.ids.append(contract_id)
        return len(self.ids) - 1

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Add many rows: the columns are extended once, when the block ends (read no column
        inside it).
        """
        self._pending = {}
        try:
            yield
        finally:
            pending, self._pending = self._pending, None
            for name, values in pending.items():
                setattr(self, name, _grow(getattr(self, name), values))


@dataclass
class DebtBook(_Table):
    """Loans, bonds, credit lines and ABS tranches (one row each).

    Columns (all numpy arrays of equal length)
    ------------------------------------------
    kind : int            ``agents.names.DebtKind`` code
    holder, obligor : int agent indices (holder owns the claim; obligor owes it)
    principal_bn          outstanding principal, US$ billions (drawn amount for credit lines)
    limit_bn              credit-line limit, US$ billions (= original principal otherwise)
    rate_per_year         contractual interest rate (fixed part), per year
    reference_rate_per_year  the market rate ``rate_per_year`` was set against, per year: the
                          credit spread, plus the base rate for fixed-rate debt (a rollover
                          reprices by how far the market has moved since)
    floating              True if the base rate is added to ``rate_per_year`` each month
    amortisation_per_month  scheduled repayment as a share of original principal, per month
    maturity_month        month in which the remaining principal falls due
    collateral_gen        GPU generation pledged (``NO_COLLATERAL`` = unsecured)
    collateral_units_k    pledged GPUs, thousands of units
    ltv_covenant          maximum loan-to-value (``inf`` = no covenant)
    dscr_covenant         minimum debt-service coverage ratio (0 = no covenant)
    min_liquidity_bn      minimum cash the obligor must keep, US$ billions (0 = none)
    tranche               ``agents.names.Tranche`` code for ABS tranches (-1 otherwise)
    value_factor          holder's mark as a share of principal (1 = par): the credit mark
                          (expected recovery, the ABS waterfall) times ``rate_factor``
    credit_class          ``agents.names.CreditClass`` code: its spread and its market
    rate_factor           the market-rate part of the mark: its cash flows discounted at today's
                          yield for its class against the yield it was priced at (1 = par)
    active, accelerated, in_breach : bool
    waivers               number of covenant waivers granted so far
    amendments            number of amend-and-extends (repricings) so far
    """

    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    holder: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    obligor: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    principal_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    original_principal_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    limit_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rate_per_year: np.ndarray = field(default_factory=lambda: np.zeros(0))
    reference_rate_per_year: np.ndarray = field(default_factory=lambda: np.zeros(0))
    floating: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    amortisation_per_month: np.ndarray = field(default_factory=lambda: np.zeros(0))
    maturity_month: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    collateral_gen: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    collateral_units_k: np.ndarray = field(default_factory=lambda: np.zeros(0))
    ltv_covenant: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dscr_covenant: np.ndarray = field(default_factory=lambda: np.zeros(0))
    min_liquidity_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tranche: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    value_factor: np.ndarray = field(default_factory=lambda: np.zeros(0))
    credit_class: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    rate_factor: np.ndarray = field(default_factory=lambda: np.zeros(0))
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    accelerated: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    in_breach: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    waivers: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    amendments: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add(
        self,
        contract_id: str,
        *,
        kind: str,
        holder: int,
        obligor: int,
        principal_bn: float,
        rate_per_year: float,
        reference_rate_per_year: float = 0.0,
        limit_bn: float | None = None,
        floating: bool = False,
        amortisation_per_month: float = 0.0,
        maturity_month: int = 10_000,
        collateral_gen: int = NO_COLLATERAL,
        collateral_units_k: float = 0.0,
        ltv_covenant: float = np.inf,
        dscr_covenant: float = 0.0,
        min_liquidity_bn: float = 0.0,
        tranche: str | None = None,
        credit_class: int = CreditClass.PRIVATE,
    ) -> int:
        return self._append(
            contract_id,
            kind=DEBT_KINDS.index(kind),
            holder=holder,
            obligor=obligor,
            principal_bn=principal_bn,
            original_principal_bn=principal_bn,
            limit_bn=principal_bn if limit_bn is None else limit_bn,
            rate_per_year=rate_per_year,
            reference_rate_per_year=reference_rate_per_year,
            floating=floating,
            amortisation_per_month=amortisation_per_month,
            maturity_month=maturity_month,
            collateral_gen=collateral_gen,
            collateral_units_k=collateral_units_k,
            ltv_covenant=ltv_covenant,
            dscr_covenant=dscr_covenant,
            min_liquidity_bn=min_liquidity_bn,
            tranche=NOT_A_TRANCHE if tranche is None else TRANCHES.index(tranche),
            value_factor=1.0,
            credit_class=int(credit_class),
            rate_factor=1.0,
            active=True,
            accelerated=False,
            in_breach=False,
            waivers=0,
            amendments=0,
        )

    def split(self, row: int, principal_bn: float, contract_id: str, holder: int) -> int:
        """Carve ``principal_bn`` (at most what is left) out of debt ``row`` into a new row held by
        ``holder``, on the same terms (its schedule, limit and original principal in proportion).
        Returns the new row.
        """
        share = min(max(principal_bn / self.principal_bn[row], 0.0), 1.0) if self.principal_bn[row] > 0 else 0.0
        columns = {name: getattr(self, name)[row].item() for name in _DEBT_COLUMNS}
        for name in ("principal_bn", "original_principal_bn", "limit_bn"):
            columns[name] *= share
            getattr(self, name)[row] *= 1.0 - share
        columns["holder"] = holder
        return self._append(contract_id, **columns)


_DEBT_COLUMNS = tuple(f for f in DebtBook.__dataclass_fields__ if f not in ("ids", "_row_of", "_pending"))
"""The column arrays of ``DebtBook``."""


@dataclass
class PledgeBook(_Table):
    """Collateral pledged to the central bank, one row per item of one loan.

    Columns
    -------
    loan_row              the debt row of the loan it secures (the pledge lapses when that row is
                          repaid or closed)
    kind                  ``agents.decisions.CollateralKind`` code: a debt row, a credit class of
                          outside securities, a GPU generation, or other assets
    ref                   the debt row, credit class or generation (-1 for other assets)
    quantity              principal or face (US$ bn), thousands of GPUs, or book value (US$ bn)
    """

    loan_row: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    ref: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    quantity: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def add(self, contract_id: str, *, loan_row: int, kind: int, ref: int, quantity: float) -> int:
        return self._append(contract_id, loan_row=loan_row, kind=kind, ref=ref, quantity=quantity)


@dataclass
class StakeBook(_Table):
    """Equity stakes and fund shares: ``units`` of ``issuer`` held by ``holder``.

    The value of a row is ``units / shares_outstanding[issuer] * equity_value[issuer]``, with
    both issuer columns kept by the ledger; ``basis_bn`` is what the units held cost (their value
    when the books opened, plus what was paid for units bought since), the reference of an
    unrealised loss.
    """

    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    holder: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    issuer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    units: np.ndarray = field(default_factory=lambda: np.zeros(0))
    basis_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))  # cost of the units held, US$ bn

    def add(self, contract_id: str, *, kind: str, holder: int, issuer: int, units: float, basis_bn: float = 0.0) -> int:
        return self._append(
            contract_id, kind=STAKE_KINDS.index(kind), holder=holder, issuer=issuer, units=units, basis_bn=basis_bn
        )


@dataclass
class ContractBook(_Table):
    """Executory contracts (off balance sheet): monthly payments from ``payer`` to ``payee``.

    Columns
    -------
    kind                  ``agents.names.ExecutoryKind`` code
    payer, payee          agent indices (the payee holds the claim to be paid)
    monthly_payment_bn    current payment, US$ billions per month (after renegotiations)
    original_payment_bn   payment when signed, US$ billions per month
    start_month, end_month  payments fall due for start_month <= t < end_month
    take_or_pay           True if the payer owes the payment whatever it uses
    active                False once terminated (by default of either side)
    renegotiations        how many times the payment has been cut
    rent_index_at_signing the GPU rent level (1 = month 0) its payment was set at
    renewals              how many times it was renewed (at the market rent then)
    """

    kind: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    payer: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    payee: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    monthly_payment_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    original_payment_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    start_month: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    end_month: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    take_or_pay: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    active: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    renegotiations: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rent_index_at_signing: np.ndarray = field(
        default_factory=lambda: np.zeros(0)
    )  # GPU rent level its price was set at
    renewals: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def add(
        self,
        contract_id: str,
        *,
        kind: str,
        payer: int,
        payee: int,
        monthly_payment_bn: float,
        start_month: int,
        end_month: int,
        take_or_pay: bool = True,
    ) -> int:
        return self._append(
            contract_id,
            kind=EXECUTORY_KINDS.index(kind),
            payer=payer,
            payee=payee,
            monthly_payment_bn=monthly_payment_bn,
            original_payment_bn=monthly_payment_bn,
            start_month=start_month,
            end_month=end_month,
            take_or_pay=take_or_pay,
            active=True,
            renegotiations=0,
            rent_index_at_signing=1.0,
            renewals=0,
        )

    def due_mask(self, month: int) -> np.ndarray:
        """Contracts with a payment due in ``month``."""
        return self.active & (self.start_month <= month) & (month < self.end_month)

    def idle_compute_share(self, month: int, defaulted: np.ndarray) -> float:
        """Share of the GPU capacity under compute contracts scheduled to run in ``month`` that
        its customers have given up -- cut in a renegotiation, or ended by the customer's
        default -- measured in capacity, not money (a contract renewed at a lower rent keeps its
        capacity; one ended by the provider's default does not free capacity: the customer
        still wants it, the provider's GPUs are sold). ``defaulted`` flags institutions in
        default. 0 when no compute contract is scheduled.
        """
        scheduled = (self.kind == EXECUTORY_KINDS.index("compute_contract")) & (self.start_month <= month)
        scheduled &= month < self.end_month
        if not scheduled.any():
            return 0.0
        signed = float(self.original_payment_bn[scheduled].sum())
        volume = self.monthly_payment_bn[scheduled] / self.rent_index_at_signing[scheduled]
        kept = volume * (self.active[scheduled] | ~defaulted[self.payer[scheduled]])
        return min(max(1.0 - float(kept.sum()) / signed, 0.0), 1.0) if signed > 0 else 0.0

    def remaining_value_bn(self, month: int) -> np.ndarray:
        """Undiscounted value of the payments still to come, US$ billions."""
        months_left = np.maximum(self.end_month - np.maximum(self.start_month, month), 0)
        return self.monthly_payment_bn * (months_left * self.active)  # (inactive: no payments left)
