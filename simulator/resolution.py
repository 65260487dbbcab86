"""Phase 5, resolve defaults: clear the tick's obligations and wind up defaulters.

Clearing
--------
All obligations due in this round form a liabilities matrix ``L`` (what i owes j, with one
extra column for creditors outside the model). Each institution's external assets are its
cash. ``simulator.clearing.rogers_veraart`` gives the greatest clearing vector with default
costs (a defaulter passes on ``alpha`` of its cash and ``beta`` of its receipts).

**Cross-default.** An institution that cannot pay what is due is in default, and then *all* its
debt is due (acceleration on default): its full outstanding principal and its outside
liabilities join ``L`` and the clearing is repeated until the set of defaulters stops growing
(at most n repetitions; the set only grows). With only one-period interbank debts this is
exactly Eisenberg-Noe / Rogers-Veraart.

Wind-up
-------
A new defaulter's secured lenders seize their GPU collateral (and must sell it); its other
assets are sold outside at ``other_asset_recovery``, its stakes and loans at a haircut, its
unpledged GPUs go to the fire-sale market, and its contracts end. The proceeds reach its
creditors in the next round's clearing. When nothing is left to sell, the remaining claims are
written off: that is the creditors' credit loss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.instruments import NO_COLLATERAL
from simulator.clearing import rogers_veraart_unchecked
from simulator.events import money
from simulator.obligations import OUTSIDE_CLAIM, PRINCIPAL, book_default_costs, settle

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

PHASE = "resolve_defaults"


def _estate_claims(model: ContagionModel, agents: set[int], already_due: np.ndarray) -> list[tuple]:
    """Every outstanding claim on the given defaulters that is not already due this round."""
    led, d = model.ledger, model.ledger.debt
    claims = []
    for i in sorted(agents):
        rows = ((d.obligor == i) & d.active & (d.principal_bn > 1e-12)).nonzero()[0]
        for row in rows:
            rest = d.principal_bn[row] - already_due[row]
            if rest > 1e-12:
                claims.append((i, int(d.holder[row]), rest, PRINCIPAL, int(row)))
        if led.other_liabilities_bn[i] > 1e-12:
            claims.append((i, model.obligations.outside, float(led.other_liabilities_bn[i]), OUTSIDE_CLAIM, -1))
    return claims


def clear_round(model: ContagionModel) -> list[int]:
    """Clear this round's obligations; returns the institutions that newly defaulted."""
    led, ob = model.ledger, model.obligations
    n = led.n_agents
    res_cfg = model.config.resolution
    alpha, beta = res_cfg.recovery_external, res_cfg.recovery_interbank
    in_resolution = set((model.defaulted & ~model.closed).nonzero()[0].tolist())
    defaulters = in_resolution | set(model.forced_failures)
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
            for claim in _estate_claims(model, defaulters, due_principal):
                ob.add(*claim)
        if len(ob) == 0:
            return []
        L = ob.matrix()
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
    newest = model.drivers.newest_generation(model.month)
    # New GPUs are sold at the newest generation's fundamental value (its list price when new).
    settle(
        led, ob, share,
        newest_gen=newest,
        unit_price_bn=float(model.drivers.fundamental_price_bn[newest]),
        cost_of_goods_share=model.cost_of_goods_share,
    )
    failing_mask = result.defaulted[:n].copy()
    if defaulters:
        failing_mask[list(defaulters)] = True
    failing = failing_mask.nonzero()[0]
    if len(failing):
        received = share @ L  # what each institution was paid this round
        book_default_costs(led, failing, cash_before, received, alpha, beta)
    # Record missed payments before the obligations are cleared.
    for i in failing:
        short = total_due[i] - result.payments[i]
        if short > 1e-9 and i not in in_resolution:
            model.log(PHASE, "missed_payment", i, None, short,
                      f"{model.names[i]} could pay only {money(result.payments[i])} of the {money(total_due[i])} it owed this month")
    ob.clear()
    new = [int(i) for i in failing if not model.defaulted[i]]
    model.forced_failures.clear()
    if new:
        model.defaulted[new] = True  # all at once: estates keep their claims on each other
        for i in new:
            start_resolution(model, i)
    return new


def start_resolution(model: ContagionModel, i: int) -> None:
    """Put institution ``i`` into default: seize collateral, sell its assets, end its contracts."""
    led, d = model.ledger, model.ledger.debt
    agent = model.institutions[i]
    agent.defaulted_month = model.month
    model.defaulted[i] = True
    agent.status = "defaulted"
    model.new_defaults.append(i)
    debt_total = float(d.principal_bn[(d.obligor == i) & d.active].sum() + led.other_liabilities_bn[i])
    model.log(PHASE, "default", i, None, debt_total,
              f"{model.names[i]} defaulted with {money(debt_total)} of debt outstanding")
    # Secured lenders seize their collateral and must sell it.
    secured = ((d.obligor == i) & d.active & (d.collateral_gen != NO_COLLATERAL) & (d.principal_bn > 0)).nonzero()[0]
    if len(secured):
        credited = led.seize_collateral(secured)
        for row, value in zip(secured, credited):
            if value <= 0:
                continue
            lender = int(d.holder[row])
            gen = int(d.collateral_gen[row])
            model.log(PHASE, "seizure", lender, i, float(value),
                      f"{model.names[lender]} seized {model.generation_names[gen]} GPUs worth {money(value)} from {model.names[i]}")
            model.market.submit_gpus(lender, gen, led.gpu_units_k[lender, gen])
    # Everything else it owns is sold.
    for gen in range(led.n_generations):
        if led.gpu_units_k[i, gen] > 0:
            model.market.submit_gpus(i, gen, led.gpu_units_k[i, gen])
    recovered = led.liquidate_other_assets(i, model.config.resolution.other_asset_recovery, "liquidation sales (outside buyers)")
    if recovered > 0:
        model.log(PHASE, "liquidation", i, None, recovered,
                  f"{model.names[i]}'s other assets were sold for {money(recovered)} "
                  f"({model.config.resolution.other_asset_recovery:.0%} of book)")
    s = led.stakes
    stake_rows = ((s.holder == i) & (s.units > 0)).nonzero()[0]
    if len(stake_rows):
        led.sell_stakes_outside(stake_rows, 1.0, model.config.resolution.stake_sale_haircut, "liquidation sales (outside buyers)")
    # Claims on solvent obligors are sold; claims on other defaulters stay in the estate and are
    # paid through the clearing as those estates distribute.
    held = ((d.holder == i) & d.active & (d.principal_bn > 0) & ~model.defaulted[d.obligor]).nonzero()[0]
    if len(held):
        model.market.submit_debt(held, 1.0)
    # Its contracts end: customers lose the capacity, suppliers lose the revenue.
    c = led.contracts
    ended = (c.active & ((c.payer == i) | (c.payee == i))).nonzero()[0]
    for row in ended:
        c.active[row] = False
        other = int(c.payee[row] if c.payer[row] == i else c.payer[row])
        remaining = float(c.monthly_payment_bn[row] * max(c.end_month[row] - max(c.start_month[row], model.month), 0))
        if remaining > 0:
            model.log(PHASE, "contract_terminated", other, i, remaining,
                      f"{model.names[other]}'s contract {c.ids[row]} with {model.names[i]} ended "
                      f"({money(remaining)} of payments will not happen)")


def close_estates(model: ContagionModel) -> None:
    """Write off what defaulters still owe once they have nothing left to distribute.

    An estate closes when it has no cash, no GPUs and nothing up for sale, and every claim it
    still holds is on another estate that closes at the same time (so no later distribution
    can reach a closed estate)."""
    led, d = model.ledger, model.ledger.debt
    open_estates = (model.defaulted & ~model.closed).nonzero()[0].tolist()
    if not open_estates:
        return  # the common case: nobody is in resolution
    pending = model.market.pending_sellers()
    closing = {
        i for i in open_estates
        if i not in pending and led.cash_bn[i] <= 1e-9 and led.gpu_units_k[i].sum() <= 1e-12
    }
    claims = d.active & (d.principal_bn > 1e-12)
    while True:
        blocked = {i for i in closing
                   if any(not model.closed[o] and o not in closing for o in d.obligor[claims & (d.holder == i)])}
        if not blocked:
            break
        closing -= blocked
    for i in sorted(closing):
        rows = ((d.obligor == i) & d.active & (d.principal_bn > 0)).nonzero()[0]
        loss = float(d.principal_bn[rows].sum())
        if len(rows):
            for row in rows:
                holder = int(d.holder[row])
                amount = float(d.principal_bn[row])
                led.write_off(row, amount)
                model.log(PHASE, "write_off", holder, i, amount,
                          f"{model.names[holder]} wrote off {money(amount)} owed by {model.names[i]} ({d.ids[row]})")
        d.active[rows] = False
        outside = float(led.other_liabilities_bn[i])
        if outside > 0:
            led.write_down_other_liabilities(i, outside)
        model.closed[i] = True
        model.credit_losses_bn += loss
