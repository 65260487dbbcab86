"""The central bank's books: what it lent against which collateral, what it bought, what it cost.

The central bank decides (``agents.central_bank``); the phases apply its decisions through the
functions here:

* ``collateral_of`` -- what an institution can still pledge (not yet pledged), at market;
* ``lend`` -- book an ``Advance``: the loan (a floating-rate debt row at the base rate plus the
  penalty spread), the reserves it creates and the pledges (``Ledger.pledges``);
* ``seize_pledges`` -- a borrower defaulted: take its pledged collateral, at market, against what
  it owes (the rest is a claim on its estate like any other);
* ``retire_reserves`` -- cash the central bank received (interest, repayments) destroys reserves.

``CentralBankBook`` (``state.memory.central_bank``) remembers what the central bank's holdings
cost, so its unrealised losses are measured against what *it* paid: the discount a seller took
when it sold to the central bank at the floor is the seller's realised loss, and counting it again
as the central bank's mark would count it twice. ``figures`` gives the monthly columns
(``simulator.records.CENTRAL_BANK_FIGURES``).

Money in US$ bn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from agents.decisions import Advance, Collateral, CollateralKind
from agents.names import CreditClass, EventKind, Rating
from simulator.events import MATERIAL_BN, say
from simulator.holdings import holdings
from simulator.records import CENTRAL_BANK_FIGURES

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

ABS_CLASSES = (int(CreditClass.ABS_SENIOR), int(CreditClass.ABS_JUNIOR))
RESERVES = "central bank reserves created"
RESERVES_RETIRED = "central bank reserves retired"


@dataclass
class CentralBankBook:
    """What the central bank's operations have cost so far (memory: carried month to month)."""

    loan_rows: list[int] = field(default_factory=list)  # debt rows of the loans it made
    lent_bn: float = 0.0  # lent in all, cumulative
    seized_bn: float = 0.0  # collateral taken from defaulted borrowers, at market when taken, cumulative
    bought_gpus_bn: float = 0.0  # paid for GPUs bought at its floor, cumulative
    bought_abs_bn: float = 0.0  # paid for ABS bought at its floor, cumulative
    gpu_cost_bn: dict[int, float] = field(default_factory=dict)  # generation -> cost of the GPUs acquired
    gpu_units_k: dict[int, float] = field(default_factory=dict)  # generation -> GPUs acquired (thousands)
    securities_cost_bn: dict[int, float] = field(default_factory=dict)  # credit class -> cost of the face acquired
    securities_face_bn: dict[int, float] = field(default_factory=dict)  # credit class -> face acquired
    debt_cost_per_par: dict[int, float] = field(default_factory=dict)  # debt row acquired -> price paid per par

    def acquired_gpus(self, gen: int, units_k: float, cost_bn: float) -> None:
        self.gpu_units_k[gen] = self.gpu_units_k.get(gen, 0.0) + units_k
        self.gpu_cost_bn[gen] = self.gpu_cost_bn.get(gen, 0.0) + cost_bn

    def acquired_securities(self, credit_class: int, face_bn: float, cost_bn: float) -> None:
        self.securities_face_bn[credit_class] = self.securities_face_bn.get(credit_class, 0.0) + face_bn
        self.securities_cost_bn[credit_class] = self.securities_cost_bn.get(credit_class, 0.0) + cost_bn


# --------------------------------------------------------------------------- lending
def collateral_of(state: State, i: int) -> list[Collateral]:
    """What institution ``i`` can still pledge to the central bank, at market: its debt rows and
    outside securities (rated), its GPUs (neither pledged to a lender nor offered for sale) and its
    other assets (loans at book, rated BBB) -- each less what it has already pledged.
    """
    led, d = state.ledger, state.ledger.debt
    items: list[Collateral] = []
    pledged_debt = led.pledged(i, CollateralKind.DEBT)
    pledged_sec = led.pledged(i, CollateralKind.SECURITY)
    for h in holdings(state, i):
        if h.security:
            face = float(led.securities_face_bn[i, h.ref]) - pledged_sec.get(h.ref, 0.0)
            face -= state.market.securities_orders.get((i, h.ref), 0.0)
            price = float(led.securities_price[h.ref])
            if face > 1e-12 and price > 0:
                items.append(Collateral(CollateralKind.SECURITY, h.ref, h.credit_class, h.rating, face, face * price))
        elif h.ref not in state.market.debt_orders:
            principal = float(d.principal_bn[h.ref]) - pledged_debt.get(h.ref, 0.0)
            if principal > 1e-12:
                value = principal * float(d.value_factor[h.ref])
                items.append(Collateral(CollateralKind.DEBT, h.ref, h.credit_class, h.rating, principal, value))
    pledged_gpus = led.pledged(i, CollateralKind.GPU)
    own_debt = (d.obligor == i) & d.active
    for gen in range(led.n_generations):
        free = float(led.gpu_units_k[i, gen]) - float(d.collateral_units_k[own_debt & (d.collateral_gen == gen)].sum())
        free -= pledged_gpus.get(gen, 0.0) + state.market.offered_k(i, gen)
        price = float(state.drivers.market_price_bn[gen])  # (the secondary market, not value in use)
        if free > 1e-12 and price > 0:
            items.append(Collateral(CollateralKind.GPU, gen, -1, Rating.AAA, free, free * price))
    other = float(led.other_assets_bn[i]) - led.pledged(i, CollateralKind.OTHER).get(-1, 0.0)
    if other > 1e-12:
        items.append(Collateral(CollateralKind.OTHER, -1, CreditClass.PRIVATE, Rating.BBB, other, other))
    return items


def lend(state: State, i: int, advance: Advance) -> int:
    """Book the central bank's ``advance`` to institution ``i``: a floating-rate loan at the base
    rate plus the penalty spread, funded with new reserves, and its pledges. Returns its debt row.
    """
    cb, led, d = state.const.central_bank, state.ledger, state.ledger.debt
    assert cb is not None
    month, name = state.memory.month, state.const.names[i]
    count = int(np.count_nonzero((d.holder == cb) & (d.obligor == i)))
    # Named after the borrower, so a loan's id never depends on the order of institutions.
    loan_id = f"central_bank_loan_{month}_{name}_{count + 1}"
    row = d.add(
        loan_id,
        kind="loan",
        holder=cb,
        obligor=i,
        principal_bn=advance.amount_bn,
        rate_per_year=advance.spread_per_year,
        floating=True,
        reference_rate_per_year=state.drivers.market_rate_per_year(True, CreditClass.GOVERNMENT),
        credit_class=CreditClass.GOVERNMENT,  # (its own loans: priced off the risk-free rate)
        maturity_month=month + advance.term_months,
    )
    led.lend_new_reserves(row, RESERVES)
    for k, item in enumerate(advance.pledged):
        led.pledges.add(
            f"{loan_id}:pledge_{k}", loan_row=row, kind=item.kind, ref=item.ref, quantity=item.quantity * advance.share
        )
    book = state.memory.central_bank
    book.loan_rows.append(row)
    book.lent_bn += advance.amount_bn
    return row


def seize_pledges(state: State, i: int) -> None:
    """Institution ``i`` defaulted: the central bank takes what it pledged, at market (GPUs at the
    secondary-market price), up to what
    each loan is owed (pro rata over the pledge when it is worth more). What the collateral does
    not cover stays a claim on the estate; what the estate does not pay is written off when it
    closes -- the central bank's realised loss.
    """
    led, d, p = state.ledger, state.ledger.debt, state.ledger.pledges
    live = led.live_pledges(i)
    if not len(live):
        return
    book, names = state.memory.central_bank, state.const.names
    for row in sorted(set(p.loan_row[live].tolist())):
        items = [k for k in live.tolist() if p.loan_row[k] == row]
        owed = float(d.principal_bn[row])
        worth = sum(_value(state, i, int(p.kind[k]), int(p.ref[k]), float(p.quantity[k])) for k in items)
        if worth <= 1e-12 or owed <= 1e-12:
            continue
        share = min(owed / worth, 1.0)
        taken = 0.0
        for k in items:
            kind, ref = int(p.kind[k]), int(p.ref[k])
            quantity = float(p.quantity[k]) * share
            price = _price(state, i, kind, ref)
            gpu_price = price if kind == CollateralKind.GPU else None
            value = led.seize_collateral(row, kind, ref, quantity, f"{p.ids[k]}:seized", gpu_price)
            if value > 0:
                taken += value
                _record(state, kind, ref, value / price if price > 0 else 0.0, value)
        book.seized_bn += taken
        holder = int(d.holder[row])
        state.log.add(
            EventKind.SEIZURE,
            holder,
            i,
            taken,
            say(
                "{holder} seized {owner}'s collateral worth {taken:money} at market against {owed:money} owed ({loan}){rest}",
                holder=names[holder],
                owner=names[i],
                taken=taken,
                owed=owed,
                loan=d.ids[row],
                rest=say("; {left:money} is left a claim on the estate", left=owed - taken)
                if owed - taken >= MATERIAL_BN
                else say(": covered"),
            ),
        )


def _price(state: State, i: int, kind: int, ref: int) -> float:
    led = state.ledger
    if kind == CollateralKind.DEBT:
        return float(led.debt.value_factor[ref])
    if kind == CollateralKind.SECURITY:
        return float(led.securities_price[ref])
    if kind == CollateralKind.GPU:
        return float(state.drivers.market_price_bn[ref])  # (what GPUs fetch, not their value in use)
    return 1.0


def _value(state: State, i: int, kind: int, ref: int, quantity: float) -> float:
    """What ``quantity`` of pledged collateral is worth at market (at most what ``i`` still holds)."""
    led = state.ledger
    if kind == CollateralKind.DEBT:
        held = float(led.debt.principal_bn[ref])
    elif kind == CollateralKind.SECURITY:
        held = float(led.securities_face_bn[i, ref])
    elif kind == CollateralKind.GPU:
        held = float(led.gpu_units_k[i, ref])
    else:
        held = float(led.other_assets_bn[i])
    return min(quantity, held) * _price(state, i, kind, ref)


def _record(state: State, kind: int, ref: int, quantity: float, cost_bn: float) -> None:
    """The central bank acquired ``quantity`` of an asset for ``cost_bn``: remember its cost."""
    book, d = state.memory.central_bank, state.ledger.debt
    if kind == CollateralKind.DEBT:
        new_row = len(d) - 1  # (seize_collateral appended the central bank's part as the last row)
        book.debt_cost_per_par[new_row] = cost_bn / quantity if quantity > 0 else 0.0
    elif kind == CollateralKind.SECURITY:
        book.acquired_securities(ref, quantity, cost_bn)
    elif kind == CollateralKind.GPU:
        book.acquired_gpus(ref, quantity, cost_bn)


def retire_reserves(state: State) -> None:
    """Cash the central bank received (interest, repayments, sale proceeds) retires the reserves
    it created: its balance sheet shrinks by as much.
    """
    cb = state.const.central_bank
    if cb is None:
        return
    led = state.ledger
    cash = min(float(led.cash_bn[cb]), float(led.other_liabilities_bn[cb]))
    if cash > 1e-12:
        led.repay_outside(cb, cash, RESERVES_RETIRED)


# --------------------------------------------------------------------------- what it costs
def figures(state: State) -> dict[str, float]:
    """The central bank's monthly figures (US$ bn; all 0 without a central bank):

    * ``central_bank_lending_bn`` -- its loans outstanding (principal);
    * ``central_bank_lent_bn`` -- lent in all so far;
    * ``central_bank_bought_bn`` -- paid for GPUs and ABS bought at its floors, in all so far;
    * ``central_bank_gpus_cost_bn`` / ``_market_bn`` -- the GPUs it holds (bought at its floor or
      seized), at what they cost it and at the secondary-market price (not at value in use, which
      the ledger carries GPUs at until impaired: the central bank cannot earn rents with them);
    * ``central_bank_abs_cost_bn`` / ``_market_bn`` -- the same for ABS tranches and ABS securities;
    * ``central_bank_other_assets_bn`` -- other collateral it seized (bonds, loans, securities,
      other assets), at market;
    * ``central_bank_realised_losses_bn`` -- loans written off after what collateral and the
      estate recovered (cumulative);
    * ``central_bank_unrealised_losses_bn`` -- its loans marked below par, and what it holds
      marked below what it paid (not below par: a seller's discount is the seller's loss);
    * ``central_bank_balance_sheet_bn`` -- its assets at market: loans at their mark plus
      everything it holds (and any cash not yet used to retire reserves).
    """
    names = CENTRAL_BANK_FIGURES
    cb = state.const.central_bank
    if cb is None:
        return dict.fromkeys(names, 0.0)
    led, d, book = state.ledger, state.ledger.debt, state.memory.central_bank
    loans = np.array(book.loan_rows, dtype=np.int64)
    loans = loans[d.active[loans]] if len(loans) else loans
    lending = float(d.principal_bn[loans].sum())
    loans_value = float((d.principal_bn[loans] * d.value_factor[loans]).sum())
    unrealised = float((d.principal_bn[loans] * np.maximum(1.0 - d.value_factor[loans], 0.0)).sum())
    gpu_cost = gpu_market = 0.0
    gpu_price = state.drivers.market_price_bn  # (the secondary market: it cannot earn value in use)
    for gen in range(led.n_generations):
        units = float(led.gpu_units_k[cb, gen])
        if units <= 1e-12:
            continue
        acquired = book.gpu_units_k.get(gen, 0.0)
        cost = units * (book.gpu_cost_bn.get(gen, 0.0) / acquired if acquired > 0 else float(gpu_price[gen]))
        market = units * float(gpu_price[gen])
        gpu_cost, gpu_market = gpu_cost + cost, gpu_market + market
        unrealised += max(cost - market, 0.0)
    abs_cost = abs_market = other = 0.0
    for row, per_par in book.debt_cost_per_par.items():
        principal = float(d.principal_bn[row]) if d.active[row] else 0.0
        cost, market = principal * per_par, principal * float(d.value_factor[row])
        unrealised += max(cost - market, 0.0)
        if int(d.credit_class[row]) in ABS_CLASSES:
            abs_cost, abs_market = abs_cost + cost, abs_market + market
        else:
            other += market
    for k in range(led.securities_face_bn.shape[1]):
        face = float(led.securities_face_bn[cb, k])
        if face <= 1e-12:
            continue
        acquired = book.securities_face_bn.get(k, 0.0)
        price = float(led.securities_price[k])
        cost = face * (book.securities_cost_bn.get(k, 0.0) / acquired if acquired > 0 else price)
        market = face * price
        unrealised += max(cost - market, 0.0)
        if k in ABS_CLASSES:
            abs_cost, abs_market = abs_cost + cost, abs_market + market
        else:
            other += market
    other += float(led.other_assets_bn[cb] + led.real_assets_bn[cb])
    balance = loans_value + gpu_market + abs_market + other + float(led.cash_bn[cb])
    values = (
        lending,
        book.lent_bn,
        book.bought_gpus_bn + book.bought_abs_bn,
        gpu_cost,
        gpu_market,
        abs_cost,
        abs_market,
        other,
        float(led.realised_losses_bn[cb]),
        unrealised,
        balance,
    )
    return dict(zip(names, values, strict=True))
