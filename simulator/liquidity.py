"""Before each clearing round, institutions whose cash falls short of what is due act on it.

Each institution's own rules (``liquidity_actions``) say what it tries, in order; this module
carries the actions out: draw credit lines, borrow from the central bank (when its backstop
is on), sell GPUs or loans into the fire-sale market, sell securities, issue bonds, cut compute
commitments. Whatever is still short is missed in the clearing.

Plans are made for every institution on the same state, then carried out in index order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.instruments import DEBT_KINDS
from simulator.events import money
from simulator.obligations import CONTRACT

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

PHASE = "resolve_defaults"
CREDIT_LINE = DEBT_KINDS.index("credit_line")
COMPUTE = 0  # ContractBook kind index of compute_contract


def shortfalls(model: ContagionModel) -> np.ndarray:
    n = model.ledger.n_agents
    due = model.obligations.due_by_payer()[:n]
    return due - model.ledger.cash_bn


def raise_liquidity(model: ContagionModel) -> None:
    short = shortfalls(model)
    needy = (~(short <= 1e-9) & ~model.defaulted).nonzero()[0].tolist()  # (NaN counts as short, as before)
    if not needy:
        return  # nobody is short: no decisions to make, so no fresh views needed
    model.refresh()  # the views the institutions decide on (shortfalls do not depend on it)
    plans = []
    for i in needy:
        agent = model.institutions[i]
        actions = list(agent.liquidity_actions(float(short[i])))
        if model.central_bank is not None and model.central_bank.backstop_active(model.sentiment) \
                and agent.kind in model.central_bank.rules.eligible_kinds:
            actions.insert(1 if actions and actions[0][0] == "draw_credit" else 0, ("central_bank", 0.0))
        plans.append((i, actions))
    for i, actions in plans:
        need = float(shortfalls(model)[i])
        for action in actions:
            if need <= 1e-9:
                break
            name, argument = action[0], (action[1] if len(action) > 1 else None)
            if name not in ACTIONS:
                raise ValueError(f"{model.names[i]} asked for unknown action {name!r}; choose from {sorted(ACTIONS)}")
            need -= ACTIONS[name](model, i, need, argument)


def draw_credit(model: ContagionModel, i: int, need: float, _=None) -> float:
    led, d = model.ledger, model.ledger.debt
    rows = ((d.obligor == i) & (d.kind == CREDIT_LINE) & d.active & (d.limit_bn > d.principal_bn + 1e-12)).nonzero()[0]
    raised = 0.0
    for row in rows:
        lender = model.institutions[d.holder[row]]
        if lender.defaulted or lender.is_stressed() or (hasattr(lender, "allows_drawing") and not lender.allows_drawing()):
            continue
        lender_due = model.obligations.due_by_payer()[lender.index]
        available = min(d.limit_bn[row] - d.principal_bn[row], max(led.cash_bn[lender.index] - lender_due, 0.0))
        amount = min(need - raised, available)
        if amount <= 1e-9:
            continue
        led.draw_credit(row, amount)
        raised += amount
        model.log(PHASE, "credit_draw", i, lender.index, amount,
                  f"{model.names[i]} drew {money(amount)} on its credit line from {lender.name}")
        if raised >= need - 1e-12:
            break
    return raised


def central_bank(model: ContagionModel, i: int, need: float, _=None) -> float:
    """Borrow from the central bank against eligible collateral, after haircuts."""
    cb = model.central_bank
    led, d = model.ledger, model.ledger.debt
    r = cb.rules
    held = (d.holder == i) & d.active
    securities = float((d.principal_bn[held] * d.value_factor[held]).sum()) + float(led.other_assets_bn[i])
    capacity = securities * (1 - r.collateral_haircut)
    if r.accepts_gpu_collateral:
        capacity += float(led.gpu_value_bn()[i]) * (1 - r.gpu_haircut)
    owed = float(d.principal_bn[(d.holder == cb.index) & (d.obligor == i) & d.active].sum())
    amount = min(need, capacity - owed)
    if amount <= 1e-9:
        return 0.0
    row = d.add(f"central_bank_loan_{model.month}_{i}_{len(d)}", kind="loan", holder=cb.index, obligor=i,
                principal_bn=amount, rate_per_year=r.lending_rate_per_year,
                reference_rate_per_year=model.drivers.market_rate_per_year(False),
                maturity_month=model.month + r.loan_term_months)
    led.lend_new_reserves(row, "central bank reserves created")
    model.log(PHASE, "central_bank_loan", cb.index, i, amount,
              f"{cb.name} lent {money(amount)} to {model.names[i]} against collateral")
    return amount


def sell_gpus(model: ContagionModel, i: int, need: float, _=None) -> float:
    """Offer unpledged GPUs, oldest generation first, worth about ``need`` at current prices."""
    led, d = model.ledger, model.ledger.debt
    offered = 0.0
    own_debt = (d.obligor == i) & d.active
    held, prices, orders = led.gpu_units_k[i].tolist(), led.gpu_price_bn.tolist(), model.market.gpu_orders
    for gen in np.argsort(model.drivers.launch_month).tolist():
        price = prices[gen]
        if price <= 0:
            continue
        pledged = d.collateral_units_k[own_debt & (d.collateral_gen == gen)].sum()
        free = held[gen] - pledged - orders.get((i, gen), 0.0)
        if free <= 1e-12:
            continue
        units = min(free, (need - offered) / price)
        model.market.submit_gpus(i, gen, units)
        offered += units * price
        if offered >= need - 1e-12:
            break
    return offered


def sell_loans(model: ContagionModel, i: int, need: float, _=None) -> float:
    """A fund sells loans at its ``loan_sale_haircut``: first its diversified loans outside the
    network (sold at once), then its loans to the network, into the credit market (where
    forced sales also move the price)."""
    led, d = model.ledger, model.ledger.debt
    haircut = model.institutions[i].rules.loan_sale_haircut
    raised = 0.0
    if led.other_assets_bn[i] > 0 and haircut < 1:
        book = min(need / (1 - haircut), float(led.other_assets_bn[i]))
        raised = led.sell_other_assets(i, book, "loans sold to outside buyers", haircut)
        model.log(PHASE, "asset_sale", i, None, raised,
                  f"{model.names[i]} sold {money(book)} of loans outside the network for {money(raised)} ({haircut:.0%} discount)")
    rest = need - raised
    rows = ((d.holder == i) & d.active & (d.principal_bn > 0)).nonzero()[0]
    value = float((d.principal_bn[rows] * d.value_factor[rows]).sum())
    if rest > 1e-9 and value > 0:
        share = min(1.0, rest / (value * (1 - haircut)))
        model.market.submit_debt(rows, share, haircut)
        raised += share * value * (1 - haircut)
    return raised


def sell_other_assets(model: ContagionModel, i: int, need: float, _=None) -> float:
    """Sell liquid securities held outside the network (Treasuries) at book value."""
    led = model.ledger
    amount = min(need, float(led.other_assets_bn[i]))
    if amount <= 1e-9:
        return 0.0
    led.sell_other_assets(i, amount, "securities sold to outside buyers")
    model.log(PHASE, "asset_sale", i, None, amount, f"{model.names[i]} sold {money(amount)} of Treasuries and other securities for cash")
    return amount


def issue_bonds(model: ContagionModel, i: int, need: float, _=None) -> float:
    model.ledger.borrow_outside(i, need, "bonds sold to outside investors")
    model.log(PHASE, "bond_issue", i, None, need, f"{model.names[i]} issued {money(need)} of bonds to outside investors")
    return need


def cut_contracts(model: ContagionModel, i: int, need: float, share: float) -> float:
    """Cut (renegotiate) every compute commitment this institution pays by ``share``."""
    if not model.config.channels.contract_cuts:
        return 0.0
    c, ob = model.ledger.contracts, model.obligations
    max_cuts = getattr(model.institutions[i].rules, "max_renegotiations", 3)
    rows = ((c.payer == i) & c.active & (c.kind == COMPUTE) & (c.renegotiations < max_cuts)).nonzero()[0]
    saved = 0.0
    for row in rows:
        before = float(c.monthly_payment_bn[row])
        c.monthly_payment_bn[row] *= 1.0 - share
        c.renegotiations[row] += 1
        for k in ((ob.kind == CONTRACT) & (ob.ref == row)).nonzero()[0].tolist():
            saved += float(ob.amount_bn[k]) * share
            ob.scale(k, 1.0 - share)
        payee = int(c.payee[row])
        model.log(PHASE, "contract_renegotiation", i, payee, before * share,
                  f"{model.names[i]}, short of cash, cut its {c.ids[row]} commitment to {model.names[payee]} by "
                  f"{share:.0%}: {money(before)} -> {money(c.monthly_payment_bn[row])} a month")
    return saved


ACTIONS = {
    "draw_credit": draw_credit,
    "central_bank": central_bank,
    "sell_gpus": sell_gpus,
    "sell_loans": sell_loans,
    "sell_other_assets": sell_other_assets,
    "issue_bonds": issue_bonds,
    "cut_contracts": cut_contracts,
}
