"""Phase 6d (each round), second round: the reactions that this round's losses and prices trigger inside the
month (with the redemptions' second wave, ``simulator.phases.redemptions``, and LTV re-tests,
``simulator.phases.covenants``, which the month's driver runs in the same phase).

* **Margin calls**: a credit line to a borrower whose lines are margined
  (``Institution.pledged_collateral``: a private-credit fund's loan book, a leveraged fund's ABS)
  may be drawn only up to what its lender allows against that collateral
  (``Institution.margin_call``: a bank's advance rate on loans, its repo haircuts by rating on
  bonds and ABS -- a downgrade raises them); the excess is called, due now, and the line's limit
  is cut to the borrowing base.
* **Capital-ratio de-risking**: institutions below their capital floor put claims up for sale in
  their credit markets (``Institution.derisking_sale_bn``, ``derisking_orders``), at most once a
  month.

Everything here creates obligations or sales for the next clearing round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.decisions import Holding
from agents.names import CreditClass, DebtKind, EventKind, Rating
from simulator.events import say
from simulator.holdings import holdings
from simulator.obligations import PRINCIPAL

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

CREDIT_LINE = int(DebtKind.CREDIT_LINE)


def run(state: State) -> None:
    """Margin calls, then de-risking; everyone reacts to the same (refreshed) views."""
    margin_calls(state)
    derisking(state)


def margin_calls(state: State) -> None:
    """Lenders call credit lines drawn beyond what the borrower's collateral supports."""
    if not state.const.config.channels.margin_calls:
        return
    led, d, agents, scratch = state.ledger, state.ledger.debt, state.agents, state.scratch
    rows = ((d.kind == CREDIT_LINE) & d.active & (d.principal_bn > 0)).nonzero()[0]
    if not len(rows):
        return
    names, defaulted = state.const.names, state.memory.defaulted.tolist()
    pledges: dict[int, list | None] = {}  # borrower -> what it pledges (asked once per borrower)
    for row, holder, obligor, drawn in zip(
        rows.tolist(), d.holder[rows].tolist(), d.obligor[rows].tolist(), d.principal_bn[rows].tolist()
    ):
        if defaulted[obligor]:
            continue
        lender, borrower = agents[holder], agents[obligor]
        if obligor not in pledges:
            book = holdings(state, obligor)
            if led.other_assets_bn[obligor] > 0:  # its other loans, outside the network, at book
                book.append(Holding(-1, True, CreditClass.PRIVATE, float(led.other_assets_bn[obligor]), Rating.BBB))
            pledges[obligor] = borrower.pledged_collateral(book)
        pledged = pledges[obligor]
        if pledged is None:
            continue
        call = lender.margin_call(drawn, pledged, scratch.margin_called.get(row, 0.0))
        if call is None:
            continue
        scratch.margin_called[row] = scratch.margin_called.get(row, 0.0) + call.amount_bn
        # The lender also cuts the line to the borrowing base: what is called cannot be drawn again.
        d.limit_bn[row] = min(float(d.limit_bn[row]), call.borrowing_base_bn)
        state.obligations.add(obligor, holder, call.amount_bn, PRINCIPAL, row)
        state.log.add(
            EventKind.MARGIN_CALL,
            holder,
            obligor,
            call.amount_bn,
            say(
                "{lender} made a {amount:money} margin call on {borrower}'s credit line: "
                "drawn {drawn:money} vs borrowing base {base:money}",
                lender=names[holder],
                amount=call.amount_bn,
                borrower=names[obligor],
                drawn=d.principal_bn[row],
                base=call.borrowing_base_bn,
            ),
        )


def derisking(state: State) -> None:
    """Institutions below their capital floor put claims up for sale (once a month each). Only
    those with risk-weighted assets have a capital ratio to restore.
    """
    if not state.const.config.channels.capital_derisking:
        return
    scratch = state.scratch
    weighted = (state.views.risk_weighted_assets_bn() > 0) & ~state.memory.defaulted
    for i in weighted.nonzero()[0].tolist():
        agent = state.agents[i]
        if i in scratch.derisked:
            continue
        target = agent.derisking_sale_bn()
        if target <= 1e-9:
            continue
        scratch.derisked.add(agent.index)
        led = state.ledger
        book = holdings(state, agent.index)
        sales = agent.derisking_orders(book, target)
        values = {(h.ref, h.security): h.value_bn for h in book}
        shed = 0.0
        for ref, security, share in sales:
            if security:
                face = float(led.securities_face_bn[agent.index, ref]) * share
                shed += state.market.submit_securities(agent.index, ref, face) * float(led.securities_price[ref])
            else:
                state.market.submit_debt(ref, share)
                shed += share * values[(ref, False)]
        if shed <= 0:
            continue
        ratio = agent.regulatory_capital_ratio()
        state.log.add(
            EventKind.DERISKING,
            agent.index,
            None,
            shed,
            say(
                "{bank}, with a capital ratio of {ratio:.1%} (below its floor), put {amount:money} of loans, "
                "bonds, ABS and securities up for sale",
                bank=agent.name,
                ratio=ratio,
                amount=shed,
            ),
        )
