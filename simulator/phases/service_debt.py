"""Phase 3, service debt: interest and amortisation fall due; maturing debt is rolled over or
refused, at the lender's choice (``Institution.rolls_over``) and today's price.

* Interest (fixed rate, or the base rate plus a spread for floating-rate debt) and scheduled
  amortisation of every live claim become obligations, paid in the clearing.
* The month's debt service goes into the three-month history that DSCR covenants read.
* A lender that rolls a maturing claim extends it by its ``rollover_term_months``; with
  ``rollover_repricing`` the rate moves by how far the market rate (credit spread, plus the base
  rate for fixed-rate debt) has moved since the rate was set. A lender that refuses makes the
  rest of the principal due now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.names import DebtKind, EventKind, Status
from simulator.events import Sentence, say
from simulator.obligations import INTEREST, PRINCIPAL

CREDIT_LINE = int(DebtKind.CREDIT_LINE)
STATUS_WORDS: dict[str, Sentence] = {
    Status.HEALTHY: say("healthy"),
    Status.STRESSED: say("stressed"),
    Status.BREACHED: say("breached"),
    Status.DEFAULTED: say("defaulted"),
}
"""An institution's status as a word in an event's sentence."""
assert all(STATUS_WORDS[s].template == s for s in Status)

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State


def run(state: State) -> None:
    """Interest, amortisation and maturities."""
    led, d, mem = state.ledger, state.ledger.debt, state.memory
    n = led.n_agents
    live = d.active & (d.principal_bn > 1e-12)
    live &= ~mem.defaulted[d.obligor]
    rate = d.rate_per_year + d.floating * state.drivers.base_rate_per_year
    # (x * live: x where live, else 0 -- np.where, cheaper; principal and rates are >= 0)
    interest = d.principal_bn * rate / 12.0 * live
    amort = np.minimum(d.original_principal_bn * d.amortisation_per_month, d.principal_bn) * live
    rows = np.arange(len(d))
    ob = state.obligations
    ob.add(d.obligor, d.holder, interest, INTEREST, rows)
    ob.add(d.obligor, d.holder, amort, PRINCIPAL, rows)
    service = np.bincount(d.obligor, weights=interest + amort, minlength=n)
    mem.debt_service_history[mem.month % 3] = service
    mem.histories_version += 1
    # A credit line comes up for renewal at maturity even when nothing is drawn on it.
    open_line = d.active & (d.kind == CREDIT_LINE) & (d.limit_bn > 1e-12) & ~mem.defaulted[d.obligor]
    maturing = ((live | open_line) & (d.maturity_month <= mem.month)).nonzero()[0]
    if len(maturing):
        state.views.refresh()  # lenders decide on the current views
    refinancing = state.const.config.channels.refinancing
    agents, sentiment = state.agents, state.drivers.sentiment
    # Every lender decides on the same state; then the decisions apply.
    rolls = [not refinancing or agents[d.holder[row]].rolls_over(agents[d.obligor[row]].status) for row in maturing]
    for row, roll in zip(maturing, rolls):
        lender, borrower = agents[d.holder[row]], agents[d.obligor[row]]
        rest = float(d.principal_bn[row] - amort[row])
        if roll:
            d.maturity_month[row] = mem.month + lender.rollover_term_months()
            terms = _reprice(state, int(row))
            if rest > 0:
                state.log.add(
                    EventKind.ROLLOVER,
                    lender.index,
                    borrower.index,
                    rest,
                    say(
                        "{lender} rolled over {amount:money} owed by {borrower} ({loan}){terms}",
                        lender=lender.name,
                        amount=rest,
                        borrower=borrower.name,
                        loan=d.ids[row],
                        terms=terms,
                    ),
                )
            continue
        # Refused: what is drawn falls due, and a credit line is closed to new drawing.
        undrawn = float(d.limit_bn[row] - d.principal_bn[row]) if d.kind[row] == CREDIT_LINE else 0.0
        if d.kind[row] == CREDIT_LINE:
            d.limit_bn[row] = 0.0
        why = say(
            "(sentiment {sentiment:.2f}, borrower {status})", sentiment=sentiment, status=STATUS_WORDS[borrower.status]
        )
        if rest > 0:
            ob.add(borrower.index, lender.index, rest, PRINCIPAL, row)
            state.log.add(
                EventKind.REFINANCING_REFUSED,
                lender.index,
                borrower.index,
                rest,
                say(
                    "{lender} refused to roll over {amount:money} owed by {borrower} {why}: repayment due, and closed the line",
                    lender=lender.name,
                    amount=rest,
                    borrower=borrower.name,
                    why=why,
                )
                if d.kind[row] == CREDIT_LINE
                else say(
                    "{lender} refused to roll over {amount:money} owed by {borrower} {why}: repayment due",
                    lender=lender.name,
                    amount=rest,
                    borrower=borrower.name,
                    why=why,
                ),
            )
        elif undrawn > 0:
            state.log.add(
                EventKind.REFINANCING_REFUSED,
                lender.index,
                borrower.index,
                undrawn,
                say(
                    "{lender} refused to renew {borrower}'s undrawn {amount:money} credit line {why}: closed",
                    lender=lender.name,
                    borrower=borrower.name,
                    amount=undrawn,
                    why=why,
                ),
            )


def _reprice(state: State, row: int) -> Sentence:
    """Rolled debt is priced at today's market: its rate moves by how far the market rate
    (credit spread, plus the base rate for fixed-rate debt) has moved since it was set.
    Returns the terms for the event's sentence.
    """
    d = state.ledger.debt
    old_rate = float(d.rate_per_year[row])
    if not state.const.config.channels.rollover_repricing:
        return say(" at {rate:.2%} a year", rate=old_rate)
    market = state.drivers.market_rate_per_year(bool(d.floating[row]), int(d.credit_class[row]))
    new_rate = max(old_rate + market - float(d.reference_rate_per_year[row]), 0.0)
    d.rate_per_year[row] = new_rate
    d.reference_rate_per_year[row] = market
    if abs(new_rate - old_rate) < 5e-5:  # under half a basis point: as before
        if d.floating[row]:
            return say(" at {rate:.2%} a year over the base rate, unchanged", rate=new_rate)
        return say(" at {rate:.2%} a year, unchanged", rate=new_rate)
    if d.floating[row]:
        return say(
            " at {rate:.2%} a year over the base rate (was {old_rate:.2%}: market rates and spreads moved)",
            rate=new_rate,
            old_rate=old_rate,
        )
    return say(
        " at {rate:.2%} a year (was {old_rate:.2%}: market rates and spreads moved)", rate=new_rate, old_rate=old_rate
    )
