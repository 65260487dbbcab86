"""Phase 5, test covenants: LTV, DSCR and minimum-liquidity tests over the whole debt book at
once; each breach goes to its lender, who waives, reprices or accelerates
(``Institution.respond_to_breach``).

Definitions (``simulator.valuation.covenant_measures``)
------------------------------------------------------
LTV  = principal / (pledged GPUs x current secondary-market price); breach if above covenant.
DSCR = obligor's operating cash flow (EBITDA, last three months) / its debt service
       (interest + scheduled amortisation, same window); breach if below covenant.
Minimum liquidity: obligor's cash below the covenant amount.

All lenders decide on the same state; the decisions are then applied together. A loan whose
breach was decided this month is not asked again (the second round re-tests LTVs after prices
move, with this same function).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.decisions import ACCELERATE, REPRICE, WAIVE, Breach
from agents.names import Covenant, EventKind
from simulator.events import Sentence, say
from simulator.obligations import PRINCIPAL
from simulator.valuation import covenant_measures

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State


def run(state: State, only_ltv: bool = False, refresh: bool = True) -> int:
    """Find breaches, ask each lender, apply the answers. Returns the number of breaches.
    ``refresh=False`` when the caller has just refreshed the views.
    """
    if refresh:
        state.views.refresh()
    state.scratch.gpu_prices_tested = state.drivers.market_price_bn
    breaches = find_breaches(state, only_ltv=only_ltv)
    if not breaches:
        return 0
    d, agents, mem = state.ledger.debt, state.agents, state.memory
    answers = [agents[d.holder[b.row]].respond_to_breach(b) for b in breaches]
    # The run's first breach: of the month's first breaches, the most severe (then by sentence,
    # so the choice never depends on the order of the debt book).
    first = max(breaches, key=lambda b: (b.severity, describe(state, b).render())) if mem.first_breach is None else None
    for b, answer in zip(breaches, answers):
        row = b.row
        state.scratch.decided_rows.add(row)
        d.in_breach[row] = True
        lender, borrower = int(d.holder[row]), int(d.obligor[row])
        principal = float(d.principal_bn[row])
        sentence = describe(state, b)
        if b is first:
            mem.first_breach = (mem.month, sentence.render())
        state.log.add(EventKind.COVENANT_BREACH, borrower, lender, principal, sentence)
        names = state.const.names
        if answer.response == WAIVE:
            d.waivers[row] += 1
            state.log.add(
                EventKind.WAIVER,
                lender,
                borrower,
                principal,
                say(
                    "{lender} waived {borrower}'s {covenant} breach (waiver {waiver} of at most {max_waivers})",
                    lender=names[lender],
                    borrower=names[borrower],
                    covenant=b.covenant.upper(),
                    waiver=int(d.waivers[row]),
                    max_waivers=agents[lender].rules.max_waivers,
                ),
            )
        elif answer.response == REPRICE:
            d.rate_per_year[row] += answer.extra_rate_per_year
            d.amendments[row] += 1
            limit = {
                Covenant.LTV: d.ltv_covenant,
                Covenant.DSCR: d.dscr_covenant,
                Covenant.MIN_LIQUIDITY: d.min_liquidity_bn,
            }[Covenant(b.covenant)]
            limit[row] = answer.new_limit
            state.log.add(
                EventKind.REPRICING,
                lender,
                borrower,
                principal,
                say(
                    "{lender} amended {borrower}'s loan instead of accelerating: +{extra_rate:.1%} a year, covenant reset",
                    lender=names[lender],
                    borrower=names[borrower],
                    extra_rate=answer.extra_rate_per_year,
                ),
            )
        elif answer.response == ACCELERATE:
            accelerate(state, row, reason=say("after its {covenant} breach", covenant=b.covenant.upper()))
    return len(breaches)


def find_breaches(state: State, only_ltv: bool = False) -> list[Breach]:
    """Every live loan that fails a switched-on covenant test and was not decided this month."""
    d, mem, views = state.ledger.debt, state.memory, state.views
    ch = state.const.config.channels
    m = covenant_measures(state)
    breaches: list[Breach] = []
    decided = state.scratch.decided_rows
    tests = []
    if ch.ltv_covenants:
        tests.append((Covenant.LTV, np.isfinite(d.ltv_covenant) & (m["ltv"] > d.ltv_covenant)))
    if not only_ltv and ch.dscr_covenants:
        tests.append((Covenant.DSCR, (d.dscr_covenant > 0) & (m["dscr"] < d.dscr_covenant)))
    if not only_ltv and ch.liquidity_covenants:
        tests.append((Covenant.MIN_LIQUIDITY, (d.min_liquidity_bn > 0) & (m["cash"] < d.min_liquidity_bn)))
    assets, liabilities = views.assets_bn, views.liabilities_bn
    active, principal, accelerated, defaulted = d.active, d.principal_bn, d.accelerated, mem.defaulted
    for covenant, failed in tests:
        # Only live rows breach: active, with principal left, not accelerated, between two
        # institutions that have not defaulted (checked row by row: few rows fail a test).
        for row in failed.nonzero()[0].tolist():
            if (
                not (active[row] and principal[row] > 1e-9 and not accelerated[row])
                or defaulted[d.obligor[row]]
                or defaulted[d.holder[row]]
                or row in decided
            ):
                continue
            lender = state.agents[d.holder[row]]
            if covenant == Covenant.LTV:
                value, limit = float(m["ltv"][row]), float(d.ltv_covenant[row])
                severity = value / limit - 1.0
                recovery = lender.expected_recovery(m["collateral_bn"][row], d.principal_bn[row])
            else:
                if covenant == Covenant.DSCR:
                    value, limit = float(m["dscr"][row]), float(d.dscr_covenant[row])
                else:
                    value, limit = float(m["cash"][row]), float(d.min_liquidity_bn[row])
                severity = 1.0 - value / limit if limit > 0 else 0.0
                ob = d.obligor[row]
                recovery = lender.expected_recovery(assets[ob], liabilities[ob])
            breaches.append(
                Breach(
                    int(row),
                    covenant,
                    value,
                    limit,
                    max(float(severity), 0.0),
                    recovery,
                    int(d.waivers[row]),
                    int(d.amendments[row]),
                )
            )
    return breaches


def describe(state: State, b: Breach) -> Sentence:
    """The breach in one sentence."""
    d, names = state.ledger.debt, state.const.names
    borrower, lender = names[d.obligor[b.row]], names[d.holder[b.row]]
    if b.covenant == Covenant.LTV:
        collateral = d.principal_bn[b.row] / b.value if b.value > 0 else 0.0
        return say(
            "{borrower} breached its {limit:.0%} LTV covenant with {lender}: GPU collateral "
            "{collateral:money} vs loan {principal:money} (LTV {ltv:.0%})",
            borrower=borrower,
            limit=b.limit,
            lender=lender,
            collateral=collateral,
            principal=d.principal_bn[b.row],
            ltv=b.value,
        )
    if b.covenant == Covenant.DSCR:
        return say(
            "{borrower} breached its {limit:.2f}x DSCR covenant with {lender}: debt service covered {dscr:.2f}x",
            borrower=borrower,
            limit=b.limit,
            lender=lender,
            dscr=b.value,
        )
    return say(
        "{borrower} breached its {limit:money} minimum-liquidity covenant with {lender}: cash {cash:money}",
        borrower=borrower,
        limit=b.limit,
        lender=lender,
        cash=b.value,
    )


def accelerate(state: State, row: int, reason: Sentence) -> None:
    """Make the whole principal of debt ``row`` due now (``reason``: why, a clause of the event's
    sentence).
    """
    d, ob, names = state.ledger.debt, state.obligations, state.const.names
    d.accelerated[row] = True
    already = sum(
        a for a, k, r in zip(ob.amount_bn.tolist(), ob.kind.tolist(), ob.ref.tolist()) if k == PRINCIPAL and r == row
    )
    rest = float(d.principal_bn[row]) - already
    lender, borrower = int(d.holder[row]), int(d.obligor[row])
    ob.add(borrower, lender, rest, PRINCIPAL, row)
    state.log.add(
        EventKind.ACCELERATION,
        lender,
        borrower,
        float(d.principal_bn[row]),
        say(
            "{lender} accelerated {principal:money} owed by {borrower} {reason}: all due now",
            lender=names[lender],
            principal=d.principal_bn[row],
            borrower=names[borrower],
            reason=reason,
        ),
    )
