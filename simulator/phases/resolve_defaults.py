"""Phase 6c (each round), resolve defaults: clear the round's obligations and wind up defaulters.

Clearing
--------
All obligations due in this round form a liabilities matrix ``L`` (what i owes j, with one
extra column for creditors outside the model). Each institution's external assets are its
cash. ``simulator.kernels.clearing`` (Rogers-Veraart) gives the greatest clearing vector with
default costs (a defaulter passes on ``alpha`` of its cash and ``beta`` of its receipts).

**Cross-default.** An institution that cannot pay what is due is in default, and then *all* its
debt is due (acceleration on default): its full outstanding principal and its outside
liabilities join ``L`` and the clearing is repeated until the set of defaulters stops growing
(at most n repetitions; the set only grows). With only one-period interbank debts this is
exactly Eisenberg-Noe / Rogers-Veraart.

Wind-up
-------
A new defaulter's secured lenders seize their GPU collateral (and must sell it), and the central
bank takes what was pledged to it at market (``simulator.backstop.seize_pledges``); its other
assets are sold outside at ``other_asset_recovery``, its stakes at a haircut, its loans and
unpledged GPUs go to the fire-sale market, and its contracts end. The proceeds reach its
creditors in the next round's clearing. When nothing is left to sell, the remaining claims are
written off: that is the creditors' credit loss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from agents.instruments import NO_COLLATERAL
from agents.names import EventKind
from simulator import backstop
from simulator.events import say
from simulator.kernels.clearing import rogers_veraart_unchecked
from simulator.obligations import OUTSIDE_CLAIM, PRINCIPAL, book_default_costs, settle

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

SPARSE_CLEARING_FROM = 200
"""From this many institutions the clearing works on a sparse liabilities matrix (no n x n array);
below it a dense one is faster."""


def run(state: State) -> list[int]:
    """Clear this round's obligations, wind up new defaulters, close finished estates. Returns
    the institutions that newly defaulted.
    """
    new = clear_round(state)
    close_estates(state)
    return new


def _estate_claims(state: State, agents: set[int], already_due: np.ndarray) -> list[tuple]:
    """Every outstanding claim on the given defaulters that is not already due this round."""
    led, d = state.ledger, state.ledger.debt
    claims = []
    for i in sorted(agents):
        rows = ((d.obligor == i) & d.active & (d.principal_bn > 1e-12)).nonzero()[0]
        for row in rows:
            rest = d.principal_bn[row] - already_due[row]
            if rest > 1e-12:
                claims.append((i, int(d.holder[row]), rest, PRINCIPAL, int(row)))
        if led.other_liabilities_bn[i] > 1e-12:
            claims.append((i, state.obligations.outside, float(led.other_liabilities_bn[i]), OUTSIDE_CLAIM, -1))
    return claims


def clear_round(state: State) -> list[int]:
    """Clear this round's obligations; returns the institutions that newly defaulted."""
    led, ob, mem, scratch = state.ledger, state.obligations, state.memory, state.scratch
    n = led.n_agents
    res_cfg = state.const.config.resolution
    alpha, beta = res_cfg.recovery_external, res_cfg.recovery_interbank
    in_resolution = set((mem.defaulted & ~mem.closed).nonzero()[0].tolist())
    defaulters = in_resolution | set(scratch.forced_failures)
    base = len(ob)
    # External assets of the clearing: cash floored at zero, and nothing for the outside (index n).
    cash_before = np.zeros(n + 1)
    np.maximum(led.cash_bn, 0.0, out=cash_before[:n])
    while True:
        # Remove estate claims added by a previous pass, then add those of the current set.
        ob.truncate(base)
        if defaulters:
            sel = ob.kind == PRINCIPAL  # (read from the live columns before adding to them)
            due_principal = np.bincount(ob.ref[sel], weights=ob.amount_bn[sel], minlength=len(led.debt))
            for claim in _estate_claims(state, defaulters, due_principal):
                ob.add(*claim)
        if len(ob) == 0:  # nothing due, and no claims on the failing: they fail all the same
            return _fail(state, sorted(defaulters), np.zeros(n + 1))
        L = ob.sparse_matrix() if n >= SPARSE_CLEARING_FROM else ob.matrix()
        # (the engine built L and cash_before itself: no need to re-validate them)
        result = rogers_veraart_unchecked(L, cash_before, alpha, beta)
        found = set(result.defaulted[:n].nonzero()[0].tolist())
        if found <= defaulters:
            break
        defaulters |= found

    total_due = result.total_liabilities  # row sums of L
    share = np.ones(n + 1)  # (a payer owing nothing has paid all it owes)
    owes = total_due > 0
    share[owes] = np.minimum(result.payments[owes] / total_due[owes], 1.0)
    newest = state.drivers.newest_generation(mem.month)
    # New GPUs are sold at the newest generation's fundamental value (its list price when new).
    settle(
        led,
        ob,
        share,
        newest_gen=newest,
        unit_price_bn=float(state.drivers.fundamental_price_bn[newest]),
        cost_of_goods_share=state.const.production_cost_share,
    )
    failing_mask = result.defaulted[:n].copy()
    if defaulters:
        failing_mask[list(defaulters)] = True
    failing = failing_mask.nonzero()[0]
    if len(failing):
        received = L.T @ share if sp.issparse(L) else share @ L  # what each institution was paid this round
        book_default_costs(led, failing, cash_before, received, alpha, beta)
    # Record missed payments before the obligations are cleared.
    names = state.const.names
    for i in failing.tolist():
        short = total_due[i] - result.payments[i]
        if short > 1e-9 and i not in in_resolution:
            state.log.add(
                EventKind.MISSED_PAYMENT,
                i,
                None,
                short,
                say(
                    "{company} could pay only {paid:money} of the {due:money} it owed this month",
                    company=names[i],
                    paid=result.payments[i],
                    due=total_due[i],
                ),
            )
    # What each failing institution could not pay of this round's dues besides its debt (whose
    # principal stays owed): contract payments, interest, costs, redemptions.
    dues = ob.kind != PRINCIPAL
    unpaid = np.bincount(ob.payer[dues], weights=ob.amount_bn[dues] * (1.0 - share[ob.payer[dues]]), minlength=n + 1)
    ob.clear()
    return _fail(state, failing.tolist(), unpaid)


def _fail(state: State, failing: list[int], unpaid_dues_bn: np.ndarray) -> list[int]:
    """Put those of ``failing`` not already in resolution into it (all at once: estates keep
    their claims on each other); the shocks' forced failures are then done. Returns them.
    ``unpaid_dues_bn``: what each could not pay this round besides its debt (US$ bn).
    """
    mem = state.memory
    new = [int(i) for i in failing if not mem.defaulted[i]]
    state.scratch.forced_failures.clear()
    if new:
        mem.defaulted[new] = True
        for i in new:
            start_resolution(state, i, float(unpaid_dues_bn[i]))
    return new


def start_resolution(state: State, i: int, unpaid_dues_bn: float = 0.0) -> None:
    """Put institution ``i`` into default: its lenders enforce their collateral, everything it
    owns is sold, its contracts end. ``unpaid_dues_bn``: what it could not pay this month besides
    its debt.
    """
    led, d, mem, names = state.ledger, state.ledger.debt, state.memory, state.const.names
    res_cfg = state.const.config.resolution
    mem.defaulted_month[i] = mem.month
    mem.defaulted[i] = True
    state.scratch.new_defaults.append(i)
    owed_rows = ((d.obligor == i) & d.active & (d.principal_bn > 0)).nonzero()[0]
    for row in owed_rows.tolist():  # what each lender was owed when it defaulted (for its write-off)
        mem.claims_at_default[row] = float(d.principal_bn[row])
    debt = float(d.principal_bn[owed_rows].sum())
    outside = float(led.other_liabilities_bn[i])
    owed = debt + outside + unpaid_dues_bn
    parts = tuple(
        part
        for x, part in (
            (debt, say("{amount:money} of loans and bonds", amount=debt)),
            (outside, say("{amount:money} to creditors outside the model", amount=outside)),
            (unpaid_dues_bn, say("{amount:money} of this month's payments it could not make", amount=unpaid_dues_bn)),
        )
        if x >= 0.0005
    )
    state.log.add(
        EventKind.DEFAULT,
        i,
        None,
        owed,
        say("{company} defaulted owing {owed:money}: {parts:list}", company=names[i], owed=owed, parts=parts)
        if parts
        else say("{company} defaulted owing {owed:money}", company=names[i], owed=owed),
    )
    # The central bank takes the collateral pledged to it, at market (simulator.backstop).
    backstop.seize_pledges(state, i)
    # Secured lenders enforce their claims: the GPUs pledged to them are sold, and what they
    # fetch repays them first (simulator.phases.fire_sales); the rest of the GPUs are sold too.
    secured = ((d.obligor == i) & d.active & (d.collateral_gen != NO_COLLATERAL) & (d.principal_bn > 0)).nonzero()[0]
    gens, price = state.const.generation_names, state.drivers.market_price_bn
    for row in secured.tolist():
        gen = int(d.collateral_gen[row])
        units = state.market.submit_gpus(i, gen, float(d.collateral_units_k[row]), for_row=row)
        if units <= 0:
            continue
        lender = int(d.holder[row])
        state.log.add(
            EventKind.SEIZURE,
            lender,
            i,
            units * float(price[gen]),
            say(
                "{lender} enforced its claim on {borrower}'s pledged GPUs: {units:,.1f}k {generation} worth "
                "{value:money} at today's price, against {owed:money} owed ({loan})",
                lender=names[lender],
                borrower=names[i],
                units=units,
                generation=gens[gen],
                value=units * float(price[gen]),
                owed=d.principal_bn[row],
                loan=d.ids[row],
            ),
        )
    for gen in range(led.n_generations):
        state.market.submit_gpus(i, gen, float(led.gpu_units_k[i, gen]))
    recovered = led.liquidate_other_assets(i, res_cfg.other_asset_recovery, "liquidation sales (outside buyers)")
    if recovered > 0:
        state.log.add(
            EventKind.LIQUIDATION,
            i,
            None,
            recovered,
            say(
                "{company}'s other assets were sold for {recovered:money} ({recovery:.0%} of book)",
                company=names[i],
                recovered=recovered,
                recovery=res_cfg.other_asset_recovery,
            ),
        )
    s = led.stakes
    stake_rows = ((s.holder == i) & (s.units > 0)).nonzero()[0]
    if len(stake_rows):
        led.sell_stakes_outside(stake_rows, 1.0, res_cfg.stake_sale_haircut, "liquidation sales (outside buyers)")
    # Claims on solvent obligors are sold; claims on other defaulters stay in the estate and are
    # paid through the clearing as those estates distribute.
    held = ((d.holder == i) & d.active & (d.principal_bn > 0) & ~mem.defaulted[d.obligor]).nonzero()[0]
    if len(held):
        state.market.submit_debt(held, 1.0)
    for credit_class in led.securities_face_bn[i].nonzero()[0].tolist():  # and its outside securities
        state.market.submit_securities(i, credit_class, float(led.securities_face_bn[i, credit_class]))
    # Its contracts end: customers lose the capacity, suppliers lose the revenue.
    c = led.contracts
    ended = (c.active & ((c.payer == i) | (c.payee == i))).nonzero()[0]
    for row in ended:
        c.active[row] = False
        other = int(c.payee[row] if c.payer[row] == i else c.payer[row])
        months_left = max(int(c.end_month[row]) - max(int(c.start_month[row]), mem.month), 0)
        monthly = float(c.monthly_payment_bn[row])
        if not months_left or monthly <= 0:
            continue
        if c.take_or_pay[row]:
            text = say("({lost:money} of payments will not happen)", lost=monthly * months_left)
            size = monthly * months_left
        else:  # a plan, not a claim: its size is one month of it
            text, size = (
                say("(plans of {monthly:money} a month, not a commitment, end with it)", monthly=monthly),
                monthly,
            )
        state.log.add(
            EventKind.CONTRACT_TERMINATED,
            other,
            i,
            size,
            say(
                "{party}'s contract {contract} with {defaulter} ended {what}",
                party=names[other],
                contract=c.ids[row],
                defaulter=names[i],
                what=text,
            ),
        )


def close_estates(state: State) -> None:
    """Write off what defaulters still owe once they have nothing left to distribute.

    An estate closes when it has no cash, no GPUs and nothing up for sale, and every claim it
    still holds is on another estate that closes at the same time (so no later distribution
    can reach a closed estate).
    """
    led, d, mem, names = state.ledger, state.ledger.debt, state.memory, state.const.names
    open_estates = (mem.defaulted & ~mem.closed).nonzero()[0].tolist()
    if not open_estates:
        return  # the common case: nobody is in resolution
    pending = state.market.pending_sellers()
    closing = {
        i for i in open_estates if i not in pending and led.cash_bn[i] <= 1e-9 and led.gpu_units_k[i].sum() <= 1e-12
    }
    claims = d.active & (d.principal_bn > 1e-12)
    while True:
        blocked = {
            i
            for i in closing
            if any(not mem.closed[o] and o not in closing for o in d.obligor[claims & (d.holder == i)])
        }
        if not blocked:
            break
        closing -= blocked
    for i in sorted(closing):
        rows = ((d.obligor == i) & d.active & (d.principal_bn > 0)).nonzero()[0]
        loss = float(d.principal_bn[rows].sum())
        for row in rows:
            holder = int(d.holder[row])
            amount = float(d.principal_bn[row])
            at_default = mem.claims_at_default.get(int(row), amount)
            led.write_off(row, amount)
            state.log.add(
                EventKind.WRITE_OFF,
                holder,
                i,
                amount,
                say(
                    "{holder} wrote off {amount:money} owed by {defaulter} ({loan}): its loss on the "
                    "{at_default:money} owed at the default, after {recovered:money} recovered "
                    "from collateral and the estate",
                    holder=names[holder],
                    amount=amount,
                    defaulter=names[i],
                    loan=d.ids[row],
                    at_default=at_default,
                    recovered=max(at_default - amount, 0.0),
                ),
            )
        d.active[rows] = False
        outside = float(led.other_liabilities_bn[i])
        if outside > 0:
            led.write_down_other_liabilities(i, outside)
        mem.closed[i] = True
        mem.credit_losses_bn += loss
