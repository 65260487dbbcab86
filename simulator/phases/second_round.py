"""Phase 6d (each round), second round: the reactions that this round's losses and prices trigger inside the
month (with the redemptions' second wave, ``simulator.phases.redemptions``, and LTV re-tests,
``simulator.phases.covenants``, which the month's driver runs in the same phase).

* **Margin calls**: a credit line to a borrower whose lines are margined
  (``Institution.margin_collateral_bn``: a private-credit fund's loan book) may be drawn only up
  to what its lender allows against that collateral (``Institution.margin_call``: a bank's
  advance rate); the excess is called, due now.
* **Capital-ratio de-risking**: institutions below their capital floor put debt claims up for
  sale in the credit market (``Institution.derisking_sale_bn``, ``derisking_orders``), at most once
  a month.

Everything here creates obligations or sales for the next clearing round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.decisions import Holding
from agents.names import DebtKind, EventKind
from simulator.events import money
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
    held_value = np.bincount(d.holder, weights=d.principal_bn * d.value_factor, minlength=led.n_agents)
    securities = led.securities_value_bn()
    names, defaulted = state.const.names, state.memory.defaulted.tolist()
    for row, holder, obligor, drawn in zip(
        rows.tolist(), d.holder[rows].tolist(), d.obligor[rows].tolist(), d.principal_bn[rows].tolist()
    ):
        if defaulted[obligor]:
            continue
        lender, borrower = agents[holder], agents[obligor]
        loan_book = held_value[obligor] + securities[obligor] + led.other_assets_bn[obligor]
        collateral = borrower.margin_collateral_bn(loan_book)
        if collateral is None:
            continue
        call = lender.margin_call(drawn, collateral, scratch.margin_called.get(row, 0.0))
        if call is None:
            continue
        scratch.margin_called[row] = scratch.margin_called.get(row, 0.0) + call.amount_bn
        state.obligations.add(obligor, holder, call.amount_bn, PRINCIPAL, row)
        state.log.add(
            EventKind.MARGIN_CALL,
            holder,
            obligor,
            call.amount_bn,
            f"{names[holder]} made a {money(call.amount_bn)} margin call on {names[obligor]}'s credit line: "
            f"drawn {money(d.principal_bn[row])} vs borrowing base {money(call.borrowing_base_bn)}",
        )


def derisking(state: State) -> None:
    """Institutions below their capital floor put claims up for sale (once a month each). Only
    those with risk-weighted assets have a capital ratio to restore.
    """
    if not state.const.config.channels.capital_derisking:
        return
    d, scratch = state.ledger.debt, state.scratch
    weighted = (state.views.risk_weighted_assets_bn() > 0) & ~state.memory.defaulted
    for i in weighted.nonzero()[0].tolist():
        agent = state.agents[i]
        if i in scratch.derisked:
            continue
        target = agent.derisking_sale_bn()
        if target <= 1e-9:
            continue
        scratch.derisked.add(agent.index)
        rows = ((d.holder == agent.index) & d.active & (d.principal_bn > 0)).nonzero()[0]
        led = state.ledger
        holdings = [
            Holding(int(r), False, int(d.credit_class[r]), float(d.principal_bn[r] * d.value_factor[r])) for r in rows
        ] + [
            Holding(k, True, k, float(led.securities_face_bn[agent.index, k] * led.securities_price[k]))
            for k in led.securities_face_bn[agent.index].nonzero()[0].tolist()
        ]
        sales = agent.derisking_orders(holdings, target)
        values = {(h.ref, h.security): h.value_bn for h in holdings}
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
            f"{agent.name}, with a capital ratio of {ratio:.1%} (below its floor), put {money(shed)} of loans, "
            "bonds, ABS and securities up for sale",
        )
