"""Phase 4, test covenants: LTV, DSCR and minimum-liquidity tests over the whole debt book at
once, then each breach goes to its lender, who waives, reprices or accelerates
(``agents.base.Institution.respond_to_breach``).

Definitions
-----------
LTV  = principal / (pledged GPUs x current secondary-market price); breach if above covenant.
DSCR = obligor's operating cash flow (EBITDA, average of the last three months) / its debt
       service (interest + scheduled amortisation, same window); breach if below covenant.
Minimum liquidity: obligor's cash below the covenant amount.

All lenders decide on the same state; the decisions are then applied together.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.base import ACCELERATE, REPRICE, WAIVE, Breach
from agents.instruments import NO_COLLATERAL
from simulator.events import money
from simulator.obligations import PRINCIPAL

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

PHASE = "test_covenants"
assert NO_COLLATERAL == -1  # (measure indexes the zero price appended to the GPU prices with it)
_NO_PRICE = np.zeros(1)


def measure(model: ContagionModel) -> dict[str, np.ndarray]:
    """LTV, DSCR and cash per debt row (inf / nan-free: undefined tests give safe values)."""
    led, d = model.ledger, model.ledger.debt
    # Price of each row's collateral: unsecured rows (NO_COLLATERAL = -1) pick the 0 appended last.
    price = np.concatenate((led.gpu_price_bn, _NO_PRICE))[d.collateral_gen]
    collateral = d.collateral_units_k * price
    ltv = np.empty(len(collateral))
    ltv.fill(np.inf)
    secured = collateral > 0
    ltv[secured] = d.principal_bn[secured] / collateral[secured]
    ltv[d.principal_bn <= 0] = 0.0
    dscr_by_agent = model.dscr_by_agent()
    return {"ltv": ltv, "collateral_bn": collateral, "dscr": dscr_by_agent[d.obligor], "cash": led.cash_bn[d.obligor]}


def find_breaches(model: ContagionModel, only_ltv: bool = False) -> list[Breach]:
    d = model.ledger.debt
    ch = model.config.channels
    m = measure(model)
    breaches: list[Breach] = []
    decided = model.decided_rows
    tests = []
    if ch.ltv_covenants:
        tests.append(("ltv", np.isfinite(d.ltv_covenant) & (m["ltv"] > d.ltv_covenant)))
    if not only_ltv and ch.dscr_covenants:
        tests.append(("dscr", (d.dscr_covenant > 0) & (m["dscr"] < d.dscr_covenant)))
    if not only_ltv and ch.liquidity_covenants:
        tests.append(("min_liquidity", (d.min_liquidity_bn > 0) & (m["cash"] < d.min_liquidity_bn)))
    assets, liabilities = model.assets_bn, model.liabilities_bn
    active, principal, accelerated, defaulted = d.active, d.principal_bn, d.accelerated, model.defaulted
    for covenant, failed in tests:
        # Only live rows breach: active, with principal left, not accelerated, between two
        # institutions that have not defaulted (checked row by row: few rows fail a test).
        for row in failed.nonzero()[0].tolist():
            if not (active[row] and principal[row] > 1e-9 and not accelerated[row]) \
                    or defaulted[d.obligor[row]] or defaulted[d.holder[row]] or row in decided:
                continue
            lender = model.institutions[d.holder[row]]
            if covenant == "ltv":
                value, limit = float(m["ltv"][row]), float(d.ltv_covenant[row])
                severity = value / limit - 1.0
                recovery = m["collateral_bn"][row] * (1 - lender.rules.liquidation_discount) / d.principal_bn[row]
            else:
                if covenant == "dscr":
                    value, limit = float(m["dscr"][row]), float(d.dscr_covenant[row])
                else:
                    value, limit = float(m["cash"][row]), float(d.min_liquidity_bn[row])
                severity = 1.0 - value / limit if limit > 0 else 0.0
                ob = d.obligor[row]
                recovery = assets[ob] * (1 - lender.rules.liquidation_discount) / liabilities[ob] if liabilities[ob] > 0 else 1.0
            breaches.append(Breach(int(row), covenant, value, limit, max(float(severity), 0.0),
                                   min(max(float(recovery), 0.0), 1.0), int(d.waivers[row]), int(d.amendments[row])))
    return breaches


def _describe(model: ContagionModel, b: Breach) -> str:
    d = model.ledger.debt
    borrower, lender = model.names[d.obligor[b.row]], model.names[d.holder[b.row]]
    if b.covenant == "ltv":
        collateral = d.principal_bn[b.row] / b.value if b.value > 0 else 0.0
        return (f"{borrower} breached its {b.limit:.0%} LTV covenant with {lender}: GPU collateral "
                f"{money(collateral)} vs loan {money(d.principal_bn[b.row])} (LTV {b.value:.0%})")
    if b.covenant == "dscr":
        return f"{borrower} breached its {b.limit:.2f}x DSCR covenant with {lender}: debt service covered {b.value:.2f}x"
    return f"{borrower} breached its {money(b.limit)} minimum-liquidity covenant with {lender}: cash {money(b.value)}"


def test_and_decide(model: ContagionModel, phase: str = PHASE, only_ltv: bool = False, refresh: bool = True) -> int:
    """Find breaches, ask each lender, apply the decisions. Returns the number of breaches.
    ``refresh=False`` when the caller has just refreshed the model's balance-sheet views."""
    if refresh:
        model.refresh()
    model.gpu_prices_tested = model.ledger.gpu_price_bn.copy()
    breaches = find_breaches(model, only_ltv=only_ltv)
    if not breaches:
        return 0
    d = model.ledger.debt
    decisions = [(b, model.institutions[d.holder[b.row]].respond_to_breach(b)) for b in breaches]
    for b, decision in decisions:
        row = b.row
        model.decided_rows.add(row)
        d.in_breach[row] = True
        lender, borrower = int(d.holder[row]), int(d.obligor[row])
        principal = float(d.principal_bn[row])
        if model.first_breach is None:
            model.first_breach = (model.month, _describe(model, b))
        model.log(phase, "covenant_breach", borrower, lender, principal, _describe(model, b))
        rules = model.institutions[lender].rules
        if decision == WAIVE:
            d.waivers[row] += 1
            model.log(phase, "waiver", lender, borrower, principal,
                      f"{model.names[lender]} waived {model.names[borrower]}'s {b.covenant.upper()} breach "
                      f"(waiver {d.waivers[row]} of at most {rules.max_waivers})")
        elif decision == REPRICE:
            d.rate_per_year[row] += rules.reprice_spread_per_year
            d.amendments[row] += 1
            if b.covenant == "ltv":
                d.ltv_covenant[row] = b.value * (1 + rules.covenant_reset_headroom)
            elif b.covenant == "dscr":
                d.dscr_covenant[row] = max(b.value, 0.0) / (1 + rules.covenant_reset_headroom)
            else:
                d.min_liquidity_bn[row] = max(b.value, 0.0) / (1 + rules.covenant_reset_headroom)
            model.log(phase, "repricing", lender, borrower, principal,
                      f"{model.names[lender]} amended {model.names[borrower]}'s loan instead of accelerating: "
                      f"+{rules.reprice_spread_per_year:.1%} a year, covenant reset")
        elif decision == ACCELERATE:
            accelerate(model, row, phase, reason=f"after its {b.covenant.upper()} breach")
    return len(breaches)


def accelerate(model: ContagionModel, row: int, phase: str, reason: str) -> None:
    """Make the whole principal of debt ``row`` due now."""
    d, ob = model.ledger.debt, model.obligations
    d.accelerated[row] = True
    already = sum(a for a, k, r in zip(ob.amount_bn.tolist(), ob.kind.tolist(), ob.ref.tolist()) if k == PRINCIPAL and r == row)
    rest = float(d.principal_bn[row]) - already
    lender, borrower = int(d.holder[row]), int(d.obligor[row])
    ob.add(borrower, lender, rest, PRINCIPAL, row)
    model.log(phase, "acceleration", lender, borrower, float(d.principal_bn[row]),
              f"{model.names[lender]} accelerated {money(d.principal_bn[row])} owed by {model.names[borrower]} {reason}: all due now")
