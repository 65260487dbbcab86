"""Redemptions from funds: investors ask for their money back, funds pay or gate.

Run twice in a month: the **monthly** requests (in the operate phase; sized by each fund's
drawdown from its peak value per unit) and, in the second round, a **second wave** at a fund
whose value per unit fell *during* the month (sized by that fresh fall). Each investor decides
its share (``Institution.redemption_share``); each fund pays up to its own limit
(``redemption_capacity_bn``: the gate) and never more than its cash, undrawn credit lines and
outside securities at market,
pro rata to the requests; the rest waits (a gate): gated requests stay in the queue and are
asked again each month until paid (or until the fund defaults). Payments are obligations,
cleared with everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.names import DebtKind, EventKind, StakeKind
from simulator.events import say
from simulator.obligations import REDEMPTION

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

FUND_SHARE = int(StakeKind.FUND_SHARE)
CREDIT_LINE = int(DebtKind.CREDIT_LINE)
SECOND_WAVE_THRESHOLD = 0.005
"""A fall in value per unit within the month that triggers a second wave."""


def value_per_unit(state: State) -> np.ndarray:
    """Each issuer's equity value per unit (a fund's NAV per unit)."""
    led = state.ledger
    return led.equity_value_bn / led.shares_outstanding


def monthly(state: State) -> None:
    """The month's redemption requests (drawdown from the peak value per unit)."""
    _redeem(state, second_wave=False)


def second_wave(state: State) -> None:
    """A second wave at funds whose value per unit fell this month (drawdown since the start of
    the month, or since the last wave).
    """
    _redeem(state, second_wave=True)


def _redeem(state: State, second_wave: bool) -> None:
    """Investors ask (``redemption_share`` of their holding, by the fund's drawdown); each fund
    pays pro rata up to its gate and its liquid means, as obligations; the rest is gated.
    """
    if not state.const.config.channels.redemptions:
        return
    led, s, scratch = state.ledger, state.ledger.stakes, state.scratch
    per_unit = value_per_unit(state)
    reference = scratch.nav_at_start if second_wave else state.memory.peak_nav_per_unit
    ratio = np.empty(len(reference))
    ratio.fill(1.0)  # (no reference value: no drawdown)
    known = reference > 0
    ratio[known] = per_unit[known] / reference[known]
    drawdowns = 1.0 - ratio
    if second_wave:
        scratch.nav_at_start = np.minimum(scratch.nav_at_start, per_unit)  # one wave per fall
        fell = drawdowns > SECOND_WAVE_THRESHOLD
        if not fell.any():
            return  # no fund lost value this month: no second wave
    rows = ((s.kind == FUND_SHARE) & (s.units > 0)).nonzero()[0]
    queue = state.memory.redemption_queue_bn
    if second_wave:
        rows = rows[fell[s.issuer[rows]]]
        queue = {}  # (the queue is asked again with the monthly requests)
    if not len(rows):
        return
    if not second_wave:
        state.views.refresh()  # (in the second round the views were refreshed already)
    values = led.stake_values_bn()[rows].tolist()
    drawdown_of, defaulted, agents = drawdowns.tolist(), state.memory.defaulted.tolist(), state.agents
    runs = {} if second_wave else scratch.redemption_runs  # (a run, a shock, adds to the monthly requests)
    requests: dict[int, list[tuple[int, float]]] = {}
    for row, fund, holder, value in zip(rows.tolist(), s.issuer[rows].tolist(), s.holder[rows].tolist(), values):
        if defaulted[fund]:
            state.memory.redemption_queue_bn.pop(row, None)  # (its investors claim on its estate instead)
            continue
        share = min(agents[holder].redemption_share(drawdown_of[fund]) + runs.get(fund, 0.0), 1.0)
        # What it wants out now; requests still waiting in the queue count towards it.
        amount = min(max(share * value, queue.get(row, 0.0)), value)
        if amount > 0 and value > 0:
            requests.setdefault(fund, []).append((row, amount))
    names = state.const.names
    for fund, reqs in sorted(requests.items()):
        total = sum(a for _, a in reqs)
        capacity = agents[fund].redemption_capacity_bn(float(led.equity_value_bn[fund]))
        # A fund promises only what it can pay from cash and undrawn credit: the rest is gated.
        capacity = min(capacity, _liquid_bn(state, fund))
        paid_share = min(1.0, capacity / total) if total > 0 else 1.0
        for row, amount in reqs:
            state.obligations.add(fund, int(s.holder[row]), amount * paid_share, REDEMPTION, row)
            waiting = amount * (1 - paid_share)
            if waiting > 1e-9:
                state.memory.redemption_queue_bn[row] = waiting
            else:
                state.memory.redemption_queue_bn.pop(row, None)
        state.log.add(
            EventKind.REDEMPTION,
            fund,
            None,
            total * paid_share,
            say(
                "Investors asked {fund} to redeem {asked:money}; it pays {paid:money} this month",
                fund=names[fund],
                asked=total,
                paid=total * paid_share,
            ),
        )
        if paid_share < 1.0:
            state.log.add(
                EventKind.GATE,
                fund,
                None,
                total * (1 - paid_share),
                say(
                    "{fund} gated redemptions: {waiting:money} must wait",
                    fund=names[fund],
                    waiting=total * (1 - paid_share),
                ),
            )


def _liquid_bn(state: State, i: int) -> float:
    """Cash, undrawn credit lines and outside securities at today's price (which it can sell into
    their markets), less what is already due this round.
    """
    led, d = state.ledger, state.ledger.debt
    lines = (d.obligor == i) & (d.kind == CREDIT_LINE) & d.active
    undrawn = float(np.clip(d.limit_bn[lines] - d.principal_bn[lines], 0, None).sum())
    securities = float(led.securities_face_bn[i] @ led.securities_price)
    due = float(state.obligations.due_by_payer()[i])
    return max(float(led.cash_bn[i]) + undrawn + securities - due, 0.0)
