"""Phase 4, invest: discretionary spending -- construction (capitalised), chip purchases and
customer funding -- paid only from cash left after this month's obligations and a liquidity
buffer ("spare cash").

* Each institution scales its planned spending (``Institution.capex_scale``: hyperscalers follow
  AI demand and cut when stressed).
* Construction is paid first, then chip purchases (obligations to the chip maker, paid in the
  clearing with GPUs delivered), then equity-funding commitments to customers, if the funder
  still wants to fund them (``Institution.funds_customers``; the ``circular_funding`` channel).
* Last come dividends and buybacks (``Institution.payout_bn``): the first spending a company
  cuts when cash runs short, and none while it is stressed.
* When spare cash does not cover all of an institution's chip plans (or all of its funding
  commitments), each plan gets the same share of what there is: pro rata, so the order of the
  contracts never matters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.names import CreditClass, DebtKind, EventKind, ExecutoryKind
from simulator.events import say
from simulator.obligations import CHIP_SALE, EQUITY_FUNDING

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

CHIP, FUNDING = int(ExecutoryKind.CHIP_SALE), int(ExecutoryKind.EQUITY_FUNDING)
LOAN = int(DebtKind.LOAN)
CAPEX_CUT_SHARE = 0.5
"""A capex-cut episode starts when an institution buys less than half of its planned chips..."""
CAPEX_RECOVERED_SHARE = 0.9
"""...and ends when it is back above 90% of plan."""


def run(state: State) -> None:
    """Construction, chip purchases and customer funding from spare cash."""
    led, c, mem, const = state.ledger, state.ledger.contracts, state.memory, state.const
    state.views.refresh()
    ratio = state.drivers.demand_ratio
    spare = np.maximum(led.cash_bn - state.obligations.due_by_payer()[: led.n_agents] - const.cash_buffer_bn, 0.0)
    spare[mem.defaulted] = 0.0
    due = c.due_mask(mem.month)
    chip_rows = (due & (c.kind == CHIP)).nonzero()[0]
    payers = c.payer[chip_rows]
    # Those with spending planned say how much of it they go ahead with.
    scale = np.ones(led.n_agents)
    for i in sorted(set(payers.tolist()).union(const.builders)):
        scale[i] = state.agents[i].capex_scale(ratio)
    real = np.minimum(const.capex_real_bn_per_month * scale, spare)
    if real.any():
        led.spend_on_real_assets(const.everyone, real, "construction and power spending (outside)")
        spare -= real
    planned = c.monthly_payment_bn[chip_rows]
    wanted = planned * scale[payers]
    _borrow_for_chips(state, payers, wanted, spare)
    amounts = np.array(_pro_rata(payers.tolist(), wanted.tolist(), spare))
    state.obligations.add(payers, c.payee[chip_rows], np.where(amounts > 1e-9, amounts, 0.0), CHIP_SALE, chip_rows)
    _report_capex_cuts(state, payers, planned, amounts)
    _fund_customers(state, (due & (c.kind == FUNDING)).nonzero()[0], spare)
    _pay_shareholders(state, spare)


def _borrow_for_chips(state: State, payers: np.ndarray, wanted: np.ndarray, spare: np.ndarray) -> None:
    """Buyers whose spare cash falls short of their chip plans borrow the gap (as much as they
    want, ``capex_borrowing_bn``) from their GPU lender (as much as it will,
    ``lends_against_gpus``), against the GPUs the purchase buys: a draw on their GPU facility with
    that lender for that generation (the GPU loan that generation secures, or a new facility on
    the terms of their existing GPU loan at today's market rate), whose principal and collateral
    grow by the draw. ``spare`` grows by what they borrowed.
    """
    const, led, d = state.const, state.ledger, state.ledger.debt
    plan = np.bincount(payers, weights=wanted, minlength=len(spare))
    buyers = [int(i) for i in np.unique(payers) if const.gpu_lender[i] >= 0 and plan[i] > spare[i] + 1e-9]
    if not buyers:
        return
    due = state.obligations.due_by_payer()
    asks = {i: state.agents[i].capex_borrowing_bn(float(plan[i]), float(plan[i] - spare[i])) for i in buyers}
    newest = state.drivers.newest_generation(state.memory.month)
    price = float(state.drivers.fundamental_price_bn[newest])
    names, month = const.names, state.memory.month
    for i in buyers:
        lender = const.gpu_lender[i]
        if asks[i] <= 1e-9 or state.memory.defaulted[lender]:
            continue
        available = float(led.cash_bn[lender] - due[lender] - const.cash_buffer_bn[lender])
        amount = state.agents[lender].lends_against_gpus(asks[i], available)
        if amount <= 1e-9:
            continue
        units = float(plan[i]) / price  # the GPUs the purchase buys secure the loan
        facility = (d.obligor == i) & (d.holder == lender) & (d.collateral_gen == newest) & d.active
        facility &= d.kind == LOAN
        if facility.any():
            row = int(facility.nonzero()[0][0])
        else:
            rate, floating, amortisation, covenant, dscr = const.gpu_loan_terms[i]
            row = d.add(
                f"gpu_facility_{names[lender]}_{names[i]}_{const.generation_names[newest]}",
                kind="loan",
                holder=lender,
                obligor=i,
                principal_bn=0.0,
                rate_per_year=rate,
                reference_rate_per_year=state.drivers.market_rate_per_year(floating, CreditClass.PRIVATE),
                floating=floating,
                amortisation_per_month=amortisation,
                maturity_month=month + 60,
                collateral_gen=newest,
                collateral_units_k=0.0,
                ltv_covenant=covenant,
                dscr_covenant=dscr,
            )
        d.limit_bn[row] = d.principal_bn[row] + amount
        before = float(d.principal_bn[row])
        led.draw_credit(row, amount)
        drawn = float(d.principal_bn[row]) - before
        d.original_principal_bn[row] += drawn
        d.limit_bn[row] = d.principal_bn[row]
        d.collateral_units_k[row] += units
        spare[i] += drawn
        state.log.add(
            EventKind.NEW_LOAN,
            lender,
            i,
            drawn,
            say(
                "{lender} lent {amount:money} to {borrower} against {units:,.1f}k new "
                "{generation} GPUs to buy them ({loan}: {owed:money} owed)",
                lender=names[lender],
                amount=drawn,
                borrower=names[i],
                units=units,
                generation=const.generation_names[newest],
                loan=d.ids[row],
                owed=d.principal_bn[row],
            ),
        )


def _pro_rata(payers: list[int], wanted: list[float], spare: np.ndarray) -> list[float]:
    """What each plan gets when a payer's plans share its spare cash: all of it if the payer can
    afford all its plans, else the same share of each (so the order of the contracts never
    matters). ``spare`` is reduced by what is spent.
    """
    total: dict[int, float] = {}
    plans: dict[int, int] = {}
    for i, want in zip(payers, wanted):
        total[i] = total.get(i, 0.0) + want
        plans[i] = plans.get(i, 0) + 1
    amounts = []
    for i, want in zip(payers, wanted):
        if plans[i] == 1:
            amounts.append(min(want, spare[i]))
        elif total[i] <= spare[i]:
            amounts.append(want)
        else:
            amounts.append(want * (spare[i] / total[i]))
    for i, amount in zip(payers, amounts):
        spare[i] -= amount
    return amounts


def _fund_customers(state: State, funding_rows: np.ndarray, spare: np.ndarray) -> None:
    """Equity-funding commitments: each funder decides once whether it still funds its
    customers; the payments it makes share its spare cash pro rata.
    """
    if not len(funding_rows):
        return
    c, mem, led, names = state.ledger.contracts, state.memory, state.ledger, state.const.names
    channel_on = state.const.config.channels.circular_funding
    rows, payers = funding_rows.tolist(), c.payer[funding_rows].tolist()
    payments = c.monthly_payment_bn[funding_rows].tolist()
    funds = {i: channel_on and state.agents[i].funds_customers() for i in sorted(set(payers))}
    for i, yes in funds.items():
        if not yes and i not in mem.funding_stopped:
            mem.funding_stopped.add(i)
            stopped = sum(p for p, payer in zip(payments, payers) if payer == i)
            state.log.add(
                EventKind.CUSTOMER_FUNDING_STOPPED,
                i,
                None,
                stopped,
                say(
                    "{company} stopped funding its customers (market value {share:.0%} of its opening value)",
                    company=names[i],
                    share=led.equity_value_bn[i] / state.const.opening_equity_value_bn[i],
                ),
            )
    wanted = [p if funds[i] else 0.0 for p, i in zip(payments, payers)]
    for row, i, amount in zip(rows, payers, _pro_rata(payers, wanted, spare)):
        if amount > 1e-9:
            state.obligations.add(i, int(c.payee[row]), amount, EQUITY_FUNDING, row)


def _pay_shareholders(state: State, spare: np.ndarray) -> None:
    """Dividends and buybacks, from the cash left after investing: the first spending cut when
    cash runs short, and stopped while a company is stressed (``Institution.payout_bn``). A cut
    is logged once per episode (until it pays its full plan again).
    """
    led, mem, names = state.ledger, state.memory, state.const.names
    payers = [i for i in state.const.payers if not mem.defaulted[i]]
    if not payers:
        return
    # Every payer decides on the same state; then the payouts go out together.
    wanted = [state.agents[i].payout_bn(float(spare[i])) for i in payers]
    paid_all = led.return_capital(payers, wanted, "dividends and buybacks (outside shareholders)")
    for i, paid in zip(payers, paid_all.tolist(), strict=True):
        agent = state.agents[i]
        plan = agent.rules.payout_bn_per_month
        spare[i] -= paid
        if paid < plan - 1e-9 and i not in mem.payout_cutters:
            mem.payout_cutters.add(i)
            why = say("stressed") if agent.is_stressed() else say("short of spare cash")
            state.log.add(
                EventKind.PAYOUT_CUT,
                i,
                None,
                plan - paid,
                say(
                    "{company} cut its dividends and buybacks to {paid:money} of a planned {plan:money} this month ({why})",
                    company=names[i],
                    paid=paid,
                    plan=plan,
                    why=why,
                ),
            )
        elif paid >= plan - 1e-9:
            mem.payout_cutters.discard(i)


def _report_capex_cuts(state: State, payers: np.ndarray, planned: np.ndarray, paid: np.ndarray) -> None:
    """Log when an institution starts buying less than half of its planned chips (once per
    episode; the episode ends when it is back above 90% of plan).
    """
    mem = state.memory
    if not mem.capex_cutters and (paid >= CAPEX_CUT_SHARE * planned).all():
        return  # every plan at least half bought, so no institution's total is below half
    n = state.ledger.n_agents
    plan = np.bincount(payers, weights=planned, minlength=n)
    bought = np.bincount(payers, weights=paid, minlength=n)
    for i in ((plan > 0) & (bought < CAPEX_CUT_SHARE * plan) & ~mem.defaulted).nonzero()[0].tolist():
        if i not in mem.capex_cutters:
            mem.capex_cutters.add(i)
            why = say("stressed") if state.agents[i].is_stressed() else say("short of spare cash")
            state.log.add(
                EventKind.CAPEX_CUT,
                i,
                None,
                float(plan[i] - bought[i]),
                say(
                    "{company} cut its chip purchases to {bought:money} of a planned {plan:money} this month ({why})",
                    company=state.const.names[i],
                    bought=bought[i],
                    plan=plan[i],
                    why=why,
                ),
            )
    mem.capex_cutters -= set((bought >= CAPEX_RECOVERED_SHARE * plan).nonzero()[0].tolist())
