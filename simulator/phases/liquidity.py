"""Phase 6b (each round), raise liquidity: before each clearing, institutions whose cash falls short of what
is due act on it.

Every institution short of cash says what it will try, in order
(``Institution.liquidity_actions``: draw credit lines, borrow from the central bank, sell GPUs
or loans into the fire-sale market, sell securities, issue bonds, cut compute commitments);
orders to borrow from the central bank count only if it lends to that kind of institution now
(``CentralBank.lends_to``). All plans are made on the same state. They are then carried out
**step by step**: first everyone's first order, then everyone's second order for what is still
short, and so on. Within a step only credit lines compete -- several borrowers may draw on one
lender, whose spare cash then goes to them pro rata -- and everything else touches only the
institution's own books, so the order of institutions never matters. Whatever is still short is
missed in the clearing.

Sales are *submitted* here and clear in the fire-sales phase; what a sale raises is counted at
today's price (a seller that got less can try again: the month runs a few liquidity attempts).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from agents.decisions import CollateralKind, Commitment, LiquidityAction, Order
from agents.names import DebtKind, EventKind, ExecutoryKind
from simulator import backstop
from simulator.events import Sentence, say
from simulator.obligations import CONTRACT

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

CREDIT_LINE = int(DebtKind.CREDIT_LINE)
COMPUTE = int(ExecutoryKind.COMPUTE_CONTRACT)
TINY_BN = 1e-9
"""Amounts below this (US$ bn, under a dollar) count as nothing."""


def shortfalls(state: State) -> np.ndarray:
    """What each institution must pay this round beyond its cash (US$ bn; negative: a surplus)."""
    n = state.ledger.n_agents
    return state.obligations.due_by_payer()[:n] - state.ledger.cash_bn


def run(state: State) -> None:
    """Plan everyone's liquidity orders on the same state, then carry them out step by step."""
    short = shortfalls(state)
    needy = (~(short <= TINY_BN) & ~state.memory.defaulted).nonzero()[0].tolist()  # (NaN counts as short)
    if not needy:
        return  # nobody is short: no decisions to make, so no fresh views needed
    state.views.refresh()  # the views the institutions decide on (shortfalls do not depend on it)
    cb = state.central_bank
    plans: dict[int, list[Order]] = {}
    for i in needy:
        agent = state.agents[i]
        orders = agent.liquidity_actions(float(short[i]))
        unknown = [o.action for o in orders if o.action not in ACTIONS]
        if unknown:
            raise ValueError(
                f"{agent.name} asked for unknown liquidity action {unknown[0]!r}; choose from {sorted(map(str, ACTIONS))}"
            )
        if cb is None or not cb.lends_to(agent.kind):
            orders = [o for o in orders if o.action != LiquidityAction.CENTRAL_BANK]
        plans[i] = orders
    need = {i: float(short[i]) for i in needy}
    events: dict[int, list[tuple[str, int | None, int | None, float, Sentence]]] = defaultdict(
        list
    )  # each institution's events, logged together
    for step in range(max(len(p) for p in plans.values())):
        orders = {i: p[step] for i, p in plans.items() if step < len(p) and need[i] > TINY_BN}
        draws = {i: o for i, o in orders.items() if o.action == LiquidityAction.DRAW_CREDIT}
        if draws:
            for i, raised in _draw_credit(state, {i: need[i] for i in draws}, events).items():
                need[i] -= raised
        for i, order in orders.items():
            if order.action != LiquidityAction.DRAW_CREDIT:
                need[i] -= SELF_ACTIONS[order.action](state, i, need[i], order, events[i])
    for i in sorted(events):
        for event in events[i]:
            state.log.add(*event)


def _draw_credit(
    state: State, wants: dict[int, float], events: dict[int, list[tuple[str, int | None, int | None, float, Sentence]]]
) -> dict[int, float]:
    """Borrowers draw on their undrawn credit lines at once. A borrower with several lines asks
    each in proportion to its undrawn amount; a lender that allows drawing lends at most its
    cash beyond what it owes this round, shared pro rata among the requests it receives.
    Returns what each borrower raised.
    """
    led, d, agents = state.ledger, state.ledger.debt, state.agents
    due = state.obligations.due_by_payer()
    requests: list[tuple[int, int, float]] = []  # (borrower, row, amount asked)
    for i, want in wants.items():
        rows = (
            (d.obligor == i)
            & (d.kind == CREDIT_LINE)
            & d.active
            & (d.limit_bn > d.principal_bn + 1e-12)
            & (d.maturity_month > state.memory.month)  # (a line past maturity is renewed or closed first)
        ).nonzero()[0]
        rows = [int(r) for r in rows if agents[d.holder[r]].allows_drawing()]
        if not rows:
            continue
        undrawn = [float(d.limit_bn[r] - d.principal_bn[r]) for r in rows]
        if len(rows) == 1:
            requests.append((i, rows[0], min(want, undrawn[0])))
        else:
            share = min(1.0, want / sum(undrawn))
            requests += [(i, r, u * share) for r, u in zip(rows, undrawn)]
    asked: dict[int, float] = defaultdict(float)
    for _, row, amount in requests:
        asked[int(d.holder[row])] += amount
    raised: dict[int, float] = defaultdict(float)
    for i, row, amount in requests:
        lender = int(d.holder[row])
        available = max(float(led.cash_bn[lender] - due[lender]), 0.0)
        if asked[lender] > available:  # the lender's spare cash is shared pro rata
            amount = amount * (available / asked[lender])
        if amount <= TINY_BN:
            continue
        led.draw_credit(row, amount)
        raised[i] += amount
        events[i].append(
            (
                EventKind.CREDIT_DRAW,
                i,
                lender,
                amount,
                say(
                    "{borrower} drew {amount:money} on its credit line from {lender}",
                    borrower=state.const.names[i],
                    amount=amount,
                    lender=state.const.names[lender],
                ),
            )
        )
    return raised


def _central_bank(
    state: State, i: int, need: float, order: Order, events: list[tuple[str, int | None, int | None, float, Sentence]]
) -> float:
    """Borrow from the central bank: it is offered everything the borrower can still pledge, at
    market (``backstop.collateral_of``), and answers with an ``Advance`` (``CentralBank.advance``:
    what it lends after its haircuts, at its penalty rate, against which pledge), booked by
    ``backstop.lend``.
    """
    cb = state.central_bank
    advance = cb.advance(need, backstop.collateral_of(state, i))
    if advance is None:
        return 0.0
    backstop.lend(state, i, advance)
    names = state.const.names
    pledged = sum(c.value_bn for c in advance.pledged) * advance.share
    rate = cb.lending_rate_per_year(state.drivers.base_rate_per_year)
    events.append(
        (
            EventKind.CENTRAL_BANK_LOAN,
            cb.index,
            i,
            advance.amount_bn,
            say(
                "{bank} lent {amount:money} to {borrower} for {months} months at {rate:.2%} "
                "a year (the base rate + {spread:.2%}) against collateral worth {pledged:money}",
                bank=cb.name,
                amount=advance.amount_bn,
                borrower=names[i],
                months=advance.term_months,
                rate=rate,
                spread=advance.spread_per_year,
                pledged=pledged,
            ),
        )
    )
    return advance.amount_bn


def _sell_gpus(
    state: State, i: int, need: float, order: Order, events: list[tuple[str, int | None, int | None, float, Sentence]]
) -> float:
    """Offer unpledged GPUs worth about ``need`` at current prices (which ones: the seller's
    ``gpus_to_sell``).
    """
    led, d, market = state.ledger, state.ledger.debt, state.market
    own_debt = (d.obligor == i) & d.active
    held = led.gpu_units_k[i]
    pledged = led.pledged(i, CollateralKind.GPU)  # (to the central bank)
    free = np.array(
        [
            held[gen]
            - d.collateral_units_k[own_debt & (d.collateral_gen == gen)].sum()
            - pledged.get(gen, 0.0)
            - market.offered_k(i, gen)
            for gen in range(led.n_generations)
        ]
    )
    prices = state.drivers.market_price_bn  # what they would fetch now
    offered = 0.0
    for gen, units in state.agents[i].gpus_to_sell(need, free, prices, state.drivers.launch_month):
        market.submit_gpus(i, gen, units)
        offered += units * float(prices[gen])
    return offered


def _sell_loans(
    state: State, i: int, need: float, order: Order, events: list[tuple[str, int | None, int | None, float, Sentence]]
) -> float:
    """Sell loans: first its loans and securities outside the network, into their credit
    markets; then other assets outside the network at the seller's ``order.haircut``; then its
    loans to the network, into the credit market (where forced sales also move the price).
    """
    led, d, names = state.ledger, state.ledger.debt, state.const.names
    haircut = order.haircut
    raised = 0.0
    free_face = _unpledged_face(state, i)
    for credit_class in (free_face * led.securities_price).nonzero()[0].tolist():
        if raised >= need - TINY_BN:
            break
        price = float(led.securities_price[credit_class])
        face = min((need - raised) / price, float(free_face[credit_class]))
        raised += state.market.submit_securities(i, credit_class, face) * price
    other = float(led.other_assets_bn[i]) - led.pledged(i, CollateralKind.OTHER).get(-1, 0.0)
    if raised < need - TINY_BN and other > TINY_BN and haircut < 1:
        book = min((need - raised) / (1 - haircut), other)
        sold = led.sell_other_assets(i, book, "loans sold to outside buyers", haircut)
        raised += sold
        events.append(
            (
                EventKind.ASSET_SALE,
                i,
                None,
                sold,
                say(
                    "{seller} sold {book:money} of loans outside the network for {sold:money} ({haircut:.0%} discount)",
                    seller=names[i],
                    book=book,
                    sold=sold,
                    haircut=haircut,
                ),
            )
        )
    rest = need - raised
    rows = ((d.holder == i) & d.active & (d.principal_bn > 0)).nonzero()[0]
    pledged = led.pledged(i, CollateralKind.DEBT)  # (to the central bank: not for sale)
    rows = np.array([r for r in rows.tolist() if r not in pledged], dtype=np.int64)
    value = float((d.principal_bn[rows] * d.value_factor[rows]).sum())
    if rest > TINY_BN and value > 0:
        share = min(1.0, rest / (value * (1 - haircut)))
        state.market.submit_debt(rows, share, haircut)
        raised += share * value * (1 - haircut)
    return raised


def _sell_securities(
    state: State, i: int, need: float, order: Order, events: list[tuple[str, int | None, int | None, float, Sentence]]
) -> float:
    """Offer outside securities worth about ``need`` at their market price (which classes: the
    seller's ``securities_to_sell``); they clear in their credit class's market.
    """
    led = state.ledger
    values = _unpledged_face(state, i) * led.securities_price
    offered = 0.0
    for credit_class, value in state.agents[i].securities_to_sell(need, values.tolist()):
        price = float(led.securities_price[credit_class])
        if price > 0:
            offered += state.market.submit_securities(i, credit_class, value / price) * price
    return offered


def _unpledged_face(state: State, i: int) -> np.ndarray:
    """Face value of institution ``i``'s outside securities by credit class, less what it pledged to
    the central bank (US$ bn).
    """
    face = state.ledger.securities_face_bn[i].copy()
    for credit_class, pledged in state.ledger.pledged(i, CollateralKind.SECURITY).items():
        face[credit_class] = max(face[credit_class] - pledged, 0.0)
    return face


def _sell_other_assets(
    state: State, i: int, need: float, order: Order, events: list[tuple[str, int | None, int | None, float, Sentence]]
) -> float:
    """Sell other (cash-like) assets held outside the network at book value."""
    led = state.ledger
    amount = min(need, float(led.other_assets_bn[i]) - led.pledged(i, CollateralKind.OTHER).get(-1, 0.0))
    if amount <= TINY_BN:
        return 0.0
    led.sell_other_assets(i, amount, "securities sold to outside buyers")
    events.append(
        (
            EventKind.ASSET_SALE,
            i,
            None,
            amount,
            say("{seller} sold {amount:money} of other assets for cash", seller=state.const.names[i], amount=amount),
        )
    )
    return amount


def _issue_bonds(
    state: State, i: int, need: float, order: Order, events: list[tuple[str, int | None, int | None, float, Sentence]]
) -> float:
    """Borrow ``need`` from bond investors outside the network (heavy issuance widens credit
    spreads, ``Drivers.spreads_per_year``).
    """
    state.ledger.borrow_outside(i, need, "bonds sold to outside investors")
    state.memory.bonds_issued_bn[state.memory.month % 3] += need
    events.append(
        (
            EventKind.BOND_ISSUE,
            i,
            None,
            need,
            say(
                "{issuer} issued {amount:money} of bonds to outside investors", issuer=state.const.names[i], amount=need
            ),
        )
    )
    return need


def _cut_contracts(
    state: State, i: int, need: float, order: Order, events: list[tuple[str, int | None, int | None, float, Sentence]]
) -> float:
    """Cut the compute commitments the institution chooses (``contracts_to_cut``); this month's
    payments on them shrink at once.
    """
    if not state.const.config.channels.contract_cuts:
        return 0.0
    c, ob, names = state.ledger.contracts, state.obligations, state.const.names
    rows = ((c.payer == i) & c.active & (c.kind == COMPUTE)).nonzero()[0]
    commitments = [Commitment(int(row), int(c.renegotiations[row])) for row in rows]
    saved = 0.0
    for row, share in state.agents[i].contracts_to_cut(commitments):
        before = float(c.monthly_payment_bn[row])
        c.monthly_payment_bn[row] *= 1.0 - share
        c.renegotiations[row] += 1
        for k in ((ob.kind == CONTRACT) & (ob.ref == row)).nonzero()[0].tolist():
            saved += float(ob.amount_bn[k]) * share
            ob.scale(k, 1.0 - share)
        payee = int(c.payee[row])
        events.append(
            (
                EventKind.CONTRACT_RENEGOTIATION,
                i,
                payee,
                before * share * max(int(c.end_month[row]) - state.memory.month, 1),
                say(
                    "{payer}, short of cash, cut its {contract} commitment to {payee} by "
                    "{share:.0%}: {before:money} -> {after:money} a month",
                    payer=names[i],
                    contract=c.ids[row],
                    payee=names[payee],
                    share=share,
                    before=before,
                    after=c.monthly_payment_bn[row],
                ),
            )
        )
    return saved


SELF_ACTIONS: dict[LiquidityAction, Callable[[State, int, float, Order, list[tuple]], float]] = {
    LiquidityAction.CENTRAL_BANK: _central_bank,
    LiquidityAction.SELL_GPUS: _sell_gpus,
    LiquidityAction.SELL_LOANS: _sell_loans,
    LiquidityAction.SELL_SECURITIES: _sell_securities,
    LiquidityAction.SELL_OTHER_ASSETS: _sell_other_assets,
    LiquidityAction.ISSUE_BONDS: _issue_bonds,
    LiquidityAction.CUT_CONTRACTS: _cut_contracts,
}
"""What an institution does on its own books, for each action but drawing credit (which
``_draw_credit`` carries out for everyone at once: lenders are shared). Each returns what it
raised (US$ bn)."""
ACTIONS = {LiquidityAction.DRAW_CREDIT, *SELF_ACTIONS}
assert ACTIONS == set(LiquidityAction), "every liquidity action needs exactly one handler"
