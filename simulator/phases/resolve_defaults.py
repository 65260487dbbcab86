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
from simulator.events import money
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
                f"{names[i]} could pay only {money(result.payments[i])} of the {money(total_due[i])} it owed this month",
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
    parts = [
        f"{money(x)} {what}"
        for x, what in (
            (debt, "of loans and bonds"),
            (outside, "to creditors outside the model"),
            (unpaid_dues_bn, "of this month's payments it could not make"),
        )
        if x >= 0.0005
    ]
    state.log.add(
        EventKind.DEFAULT,
        i,
        None,
        owed,
        f"{names[i]} defaulted owing {money(owed)}" + (f": {', '.join(parts)}" if parts else ""),
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
            f"{names[lender]} enforced its claim on {names[i]}'s pledged GPUs: {units:,.1f}k {gens[gen]} worth "
            f"{money(units * float(price[gen]))} at today's price, against {money(d.principal_bn[row])} owed ({d.ids[row]})",
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
            f"{names[i]}'s other assets were sold for {money(recovered)} ({res_cfg.other_asset_recovery:.0%} of book)",
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
            text, size = f"({money(monthly * months_left)} of payments will not happen)", monthly * months_left
        else:  # a plan, not a claim: its size is one month of it
            text, size = f"(plans of {money(monthly)} a month, not a commitment, end with it)", monthly
        state.log.add(
            EventKind.CONTRACT_TERMINATED,
            other,
            i,
            size,
            f"{names[other]}'s contract {c.ids[row]} with {names[i]} ended {text}",
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
                f"{names[holder]} wrote off {money(amount)} owed by {names[i]} ({d.ids[row]}): its loss on the "
                f"{money(at_default)} owed at the default, after {money(max(at_default - amount, 0.0))} recovered "
                "from collateral and the estate",
            )
        d.active[rows] = False
        outside = float(led.other_liabilities_bn[i])
        if outside > 0:
            led.write_down_other_liabilities(i, outside)
        mem.closed[i] = True
        mem.credit_losses_bn += loss
