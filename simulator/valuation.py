"""How everything is valued: the marks the shocks phase and the marks phase apply.

* GPUs at the secondary-market price of their generation (fundamental value x fire-sale
  discount, ``simulator.drivers``);
* listed and private companies at fundamentals x sentiment^beta, discounted for a rise in the
  base rate (``equity_duration_years``): fundamentals are outside revenue plus contract backlog
  spread over five years;
* loans, bonds, ABS tranches and outside securities at market yields: their remaining cash
  flows discounted at today's yield for their credit class against the yield they were priced at
  (``price_per_par``; the credit part of the mark is separate);
* private-credit funds, SPVs and other NAV-valued issuers at book equity (at least 0);
* ABS tranches by the SPV's sequential loss waterfall;
* data-centre shells depreciate straight-line over 40 years (TRI).

Every mark goes through a ``Ledger`` method, so it is booked in the P&L of whoever holds the
asset. Functions here change the ledger; they decide nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.instruments import NO_COLLATERAL
from agents.ledger import FIRE_SALE, OPERATING, Ledger
from agents.names import CREDIT_CLASSES, CreditClass, InstitutionKind
from simulator.config import ConfigError

ABS_CLASSES = (CreditClass.ABS_SENIOR, CreditClass.ABS_JUNIOR)

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

DATA_CENTRE_LIFE_MONTHS = 480.0
"""Data-centre shells last about 40 years (TRI)."""
BACKLOG_MONTHS = 60.0
"""Markets value a contract backlog as if it were earned over five years (an assumption)."""
LONGEST_DURATION_YEARS = 30.0
"""Cash flows further out than this are discounted as if they ended here (perpetual lines, the
central bank's open-ended loans): beyond 30 years a price barely moves with the horizon."""


def price_per_par(coupon, yield_, years) -> np.ndarray:
    """The price, per unit of par, of a bond paying ``coupon`` a year for ``years`` and par at the
    end, discounted at ``yield_`` a year (annual compounding): 1 when the yield is the coupon,
    below 1 when it is higher. Vectorised over all three (rates per year, years >= 0).
    """
    coupon, yield_, years = np.broadcast_arrays(
        np.asarray(coupon, dtype=float), np.asarray(yield_, dtype=float), np.asarray(years, dtype=float)
    )
    y = np.maximum(yield_, -0.99)  # (a yield below -99% is no price at all)
    discount = (1.0 + y) ** -years
    small = np.abs(y) < 1e-9
    annuity = np.where(small, years, (1.0 - discount) / np.where(small, 1.0, y))
    return coupon * annuity + discount


def debt_years_left(state: State, rows: np.ndarray) -> np.ndarray:
    """How long the cash flows of debt ``rows`` last, in years: to maturity (at most
    ``LONGEST_DURATION_YEARS``), or for an amortising loan half of what is left of its
    repayment schedule when that is shorter (its weighted average life).
    """
    d = state.ledger.debt
    months = np.maximum(d.maturity_month[rows] - state.memory.month, 1).astype(float)
    amort = d.amortisation_per_month[rows]
    share_left = np.divide(
        d.principal_bn[rows],
        d.original_principal_bn[rows],
        out=np.ones(len(rows)),
        where=d.original_principal_bn[rows] > 0,
    )
    schedule = np.divide(share_left, amort, out=np.full(len(rows), np.inf), where=amort > 0) / 2.0
    return np.minimum(np.minimum(months, schedule) / 12.0, LONGEST_DURATION_YEARS)


def mark_rates(state: State) -> None:
    """Loans, bonds, ABS tranches and outside securities at today's market yields.

    A debt row is worth its remaining cash flows (its contractual rate, plus the base rate if it
    floats) discounted at that rate moved by how far its market rate has moved since it was
    priced (``reference_rate_per_year``: the base rate for fixed-rate debt, plus its credit
    class's spread): at par when nothing moved. A defaulted obligor's debt has no rate part (what
    it is worth is the estate's recovery). Outside securities of each credit class are priced the
    same way as one bond of the class's ``maturity_years``, priced at par at month 0.
    """
    if not state.const.config.channels.rate_marks:
        return
    led, d, drivers, mem = state.ledger, state.ledger.debt, state.drivers, state.memory
    key = (
        mem.month,
        led.version,
        drivers.base_rate_per_year,
        drivers.sentiment,
        drivers.issued_bn_3m,
        drivers.credit_discount.tobytes(),
    )
    if key == mem.rates_marked_at:  # nothing a mark reads has moved since (defaults change the ledger)
        return
    if len(d):
        rows = (d.active & (d.principal_bn > 1e-12)).nonzero()[0]
        target = np.ones(len(rows))
        alive = ~mem.defaulted[d.obligor[rows]]
        live = rows[alive]
        if len(live):
            floating = d.floating[live]
            moved = drivers.market_rates_per_year(floating, d.credit_class[live]) - d.reference_rate_per_year[live]
            coupon = d.rate_per_year[live] + floating * drivers.base_rate_per_year
            target[alive] = price_per_par(coupon, coupon + moved, debt_years_left(state, live))
        changed = np.abs(d.rate_factor[rows] - target) > 1e-12
        if changed.any():
            led.mark_debt_rates(rows[changed], target[changed])
    if led.securities_face_bn.any():
        classes = np.arange(len(CREDIT_CLASSES))
        floating = drivers.floating_classes
        market = drivers.market_rates_per_year(floating, classes)
        coupon = drivers.opening_class_rates + floating * drivers.base_rate_per_year
        moved = market - drivers.opening_class_rates
        mem.ai_private_loss_rate = max(mem.ai_private_loss_rate, ai_private_loss_rate(state))
        credit = securities_credit(state)
        led.securities_credit = credit
        led.mark_securities(price_per_par(coupon, coupon + moved, drivers.class_years) * credit)
    mem.rates_marked_at = (mem.month, led.version, *key[2:])


def securities_credit(state: State) -> np.ndarray:
    """The credit part of each class's securities price (``CreditClass`` order; 1 = sound).

    * The outside ABS stand with the model's own data-centre ABS: each ABS class's securities
      carry the credit factor of the model's tranches of that class (by face).
    * The outside private credit is lent partly to the AI build-out
      (``markets.credit.ai_share_of_private``): that share loses what the model's own private
      loans to AI firms have lost at worst so far (``Memory.ai_private_loss_rate``; an
      impairment is not reversed when the defaulted loans leave the books).
    * Other classes carry none.
    """
    led, d = state.ledger, state.ledger.debt
    credit = np.ones(len(CREDIT_CLASSES))
    for k in ABS_CLASSES:
        rows, face = _live_rows(state, d.credit_class == k)
        if face.sum() > 0:
            credit[k] = float(face @ led.credit_factor(rows) / face.sum())
    share = state.const.config.markets.credit.ai_share_of_private
    credit[CreditClass.PRIVATE] = 1.0 - share * state.memory.ai_private_loss_rate
    return credit


AI_SECTOR_KINDS = (
    InstitutionKind.CHIP_MAKER,
    InstitutionKind.HYPERSCALER,
    InstitutionKind.AI_LAB,
    InstitutionKind.NEOCLOUD,
    InstitutionKind.MINER,
)
"""Institution kinds whose private loans are loans to the AI build-out (not loans to funds)."""


def ai_private_loss_rate(state: State) -> float:
    """Share of par the model's private loans to AI firms (``AI_SECTOR_KINDS``) have lost now:
    ``1 - credit factor``, by face, over the rows still on the books.
    """
    led, d = state.ledger, state.ledger.debt
    rows, face = _live_rows(state, (d.credit_class == CreditClass.PRIVATE) & state.const.ai_firm[d.obligor])
    if face.sum() <= 0:
        return 0.0
    return float(face @ (1.0 - led.credit_factor(rows)) / face.sum())


def _live_rows(state: State, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The debt rows flagged in ``wanted`` that are live (active, with principal left), and their
    principal (US$ bn).
    """
    d = state.ledger.debt
    rows = (wanted & d.active & (d.principal_bn > 1e-12)).nonzero()[0]
    return rows, d.principal_bn[rows]


def gpu_book_price_bn(state: State) -> np.ndarray:
    """What a thousand GPUs of each generation are carried at: their value in use (the
    fundamental value, depreciating; what an operator earns with them), or the secondary-market
    price while the generation is impaired. Fire sales alone do not move it; they move the market
    price, which lenders use to value collateral.
    """
    d = state.drivers
    return np.where(state.memory.gpu_impaired, d.market_price_bn, d.fundamental_price_bn)


def update_impairment(state: State) -> None:
    """Count the month ends each generation's market price has stayed below its value in use;
    impaired after ``markets.gpu.impairment_months`` of them (the evidence an impairment test
    looks for, IAS 36), and no longer once the price is back.
    """
    mem, d = state.memory, state.drivers
    below = d.market_price_bn < d.fundamental_price_bn * (1.0 - 1e-9)
    mem.months_below_value_in_use = np.where(below, mem.months_below_value_in_use + 1, 0)
    mem.gpu_impaired = mem.months_below_value_in_use >= state.const.config.markets.gpu.impairment_months


def mark_gpus(state: State, category: int = FIRE_SALE) -> None:
    """GPUs at their book price (``gpu_book_price_bn``); ``category``: FIRE_SALE for
    impairments and market moves of impaired GPUs, OPERATING for scheduled depreciation.
    """
    state.ledger.mark_gpus(gpu_book_price_bn(state), category)


def depreciate_real_assets(state: State) -> None:
    """Data-centre shells depreciate straight-line: 1/480 of their value a month."""
    led = state.ledger
    led.revalue_real_assets(state.const.everyone, led.real_assets_bn * (1.0 - 1.0 / DATA_CENTRE_LIFE_MONTHS), OPERATING)


def fundamentals_bn(state: State) -> np.ndarray:
    """A company's fundamental earning power against what its month-0 price assumed (US$ bn per
    month): outside revenue, with the growth that was priced in taken out (AI revenue was
    expected to grow at ``expected_ai_revenue_growth_per_year``), plus its month-0 contract
    backlog spread over five years, times the share of the backlog scheduled by now that is still
    intact. Growth as expected and contracts paid off as scheduled leave a value where it was;
    a surprise -- demand short of expectations, a cut or cancelled contract -- moves it at once.
    """
    c, d, const = state.ledger.contracts, state.drivers, state.const
    n, month = state.ledger.n_agents, state.memory.month
    priced_in_growth = np.where(const.driven_by["ai_demand"], d.expected_ai_index, 1.0)
    intact = np.bincount(c.payee, weights=c.remaining_value_bn(month), minlength=n)
    left = np.maximum(c.end_month - np.maximum(c.start_month, month), 0)
    scheduled = np.bincount(c.payee, weights=c.original_payment_bn * left, minlength=n)
    share = np.minimum(np.divide(intact, scheduled, out=np.ones(n), where=scheduled > 1e-12), 1.0)
    return state.memory.outside_revenue_bn / priced_in_growth + const.opening_backlog_bn / BACKLOG_MONTHS * share


def mark_equity(state: State) -> None:
    """Equity values: market-valued companies move with fundamentals and sentiment; defaulted
    issuers are worth nothing; NAV-valued issuers (funds, SPVs, ...) are marked at book equity.
    """
    led, mem, c = state.ledger, state.memory, state.const
    new = led.equity_value_bn.copy()
    mv = c.market_valued
    if c.config.channels.equity_marks:
        f_now = fundamentals_bn(state)
        last = mem.last_fundamentals_bn
        s_ratio = state.drivers.sentiment / mem.last_sentiment
        # A rise in the base rate discounts everyone's earnings more (equity duration, years).
        rise = state.drivers.base_rate_per_year - mem.last_base_rate
        r_ratio = float(np.exp(-c.config.markets.rates.equity_duration_years * rise)) if rise else 1.0
        if s_ratio != 1.0 or r_ratio != 1.0 or not (f_now == last).all():  # (all ratios 1: values stay)
            f_ratio = np.empty(len(last))
            f_ratio.fill(1.0)
            moved = last > 0
            f_ratio[moved] = f_now[moved] / last[moved]
            value = new[mv] * f_ratio[mv]
            if s_ratio != 1.0:  # (otherwise every factor 1 ** beta is exactly 1)
                value *= s_ratio ** c.equity_beta[mv]
            new[mv] = value * r_ratio
        mem.last_fundamentals_bn = f_now
        mem.last_sentiment = state.drivers.sentiment
        mem.last_base_rate = state.drivers.base_rate_per_year
    new[mem.defaulted] = 0.0
    if not (new == led.equity_value_bn).all():  # an unchanged value would book zeros
        led.mark_equity(new)
    mark_nav_issuers(led, *state.views.nav_order())


def nav_order(ledger: Ledger, market_valued: np.ndarray, names) -> tuple[list[int], list[np.ndarray], np.ndarray]:
    """NAV-valued issuers that someone holds, each after the NAV issuers it holds (a fund after
    the SPV it owns), with each one's stake rows; and the mask of NAV-valued issuers nobody
    holds. Raises ``ConfigError`` if NAV-valued issuers hold each other in a circle.
    """
    s = ledger.stakes
    nav = ~market_valued
    held = [int(i) for i in np.unique(s.issuer) if nav[i]]
    holds = {k: {int(i) for h, i in zip(s.holder, s.issuer) if h == k and nav[i] and i != k} for k in held}
    order: list[int] = []
    pending = set(held)
    while pending:
        ready = sorted(k for k in pending if not (holds[k] & pending))
        if not ready:
            circle = [names[k] for k in sorted(pending)]
            raise ConfigError(f"stakes: NAV-valued institutions hold each other in a circle: {circle}")
        order += ready
        pending -= set(ready)
    unheld = nav.copy()
    unheld[held] = False
    return order, [(s.issuer == k).nonzero()[0] for k in order], unheld


def mark_nav_issuers(
    ledger: Ledger, order: list[int], stake_rows: list[np.ndarray], unheld: np.ndarray, book_entry: bool = True
) -> None:
    """NAV-valued issuers (funds, SPVs, ...) are worth their book equity (at least 0).

    Issuers that someone in the network holds are re-marked one by one in ``order`` (each after
    the NAV issuers it holds), so one pass makes every NAV exact; a re-mark changes its holders'
    equity by exactly what it books. Issuers nobody holds just take their book equity (there is
    no holder to book anything). ``book_entry=False`` sets the values without booking (the
    opening balance sheet).
    """
    led = ledger
    equity = led.equity_bn()
    for k, rows in zip(order, stake_rows):
        new_value = max(float(equity[k]), 0.0)
        if new_value == led.equity_value_bn[k]:
            continue
        if book_entry:
            equity = equity + led.mark_issuer(k, new_value, rows)
        else:
            led.equity_value_bn[k] = new_value
            led.changed()
            equity = led.equity_bn()
    # Nobody in the network holds these, so no balance sheet (and no cached view) changes.
    led.equity_value_bn[unheld] = np.maximum(equity[unheld], 0.0)


_NO_PRICE = np.zeros(1)
assert NO_COLLATERAL == -1  # (covenant_measures indexes the zero price appended to the GPU prices with it)


def covenant_measures(state: State) -> dict[str, np.ndarray]:
    """What the covenant tests read, per debt row: ``ltv`` (principal / value of the pledged
    GPUs at the secondary-market price; inf if unsecured, 0 if nothing is owed), ``collateral_bn``
    (that value),
    ``dscr`` (the obligor's debt-service coverage over the last three months) and ``cash`` (the
    obligor's cash). No NaN: undefined tests give safe values.
    """
    led, d = state.ledger, state.ledger.debt
    # Price of each row's collateral: unsecured rows (NO_COLLATERAL = -1) pick the 0 appended last.
    price = np.concatenate((state.drivers.market_price_bn, _NO_PRICE))[d.collateral_gen]
    collateral = d.collateral_units_k * price
    ltv = np.empty(len(collateral))
    ltv.fill(np.inf)
    secured = collateral > 0
    ltv[secured] = d.principal_bn[secured] / collateral[secured]
    ltv[d.principal_bn <= 0] = 0.0
    dscr_by_agent = state.views.dscr_by_agent()
    return {"ltv": ltv, "collateral_bn": collateral, "dscr": dscr_by_agent[d.obligor], "cash": led.cash_bn[d.obligor]}


def mark_claims_on_estates(state: State) -> None:
    """Claims on a defaulted institution whose estate is still being wound up are marked at what
    they can expect to recover (an unrealised loss until the write-off realises it): a secured
    lender first gets its pledged GPUs at today's secondary-market price, and every claim then
    shares the rest of the estate -- cash, other holdings at their marks, the other GPUs at
    market -- pro rata.
    """
    mem = state.memory
    open_estates = (mem.defaulted & ~mem.closed).nonzero()[0]
    if not len(open_estates):
        return
    led, d, price = state.ledger, state.ledger.debt, state.drivers.market_price_bn
    key = (led.version, price.tobytes())
    if key == mem.estates_marked_at:  # nothing an estate is worth has moved since
        return
    n = led.n_agents
    is_open = np.zeros(n, dtype=bool)
    is_open[open_estates] = True
    rows = (is_open[d.obligor] & d.active & (d.principal_bn > 1e-12)).nonzero()[0]
    if len(rows):
        obligor = d.obligor[rows]
        principal = d.principal_bn[rows]
        secured = d.collateral_gen[rows] != NO_COLLATERAL
        pledged_value = np.where(
            secured, d.collateral_units_k[rows] * price[np.maximum(d.collateral_gen[rows], 0)], 0.0
        )
        from_collateral = np.minimum(pledged_value, principal)
        rest = principal - from_collateral
        held_value = np.bincount(d.holder, weights=d.principal_bn * d.value_factor, minlength=n)
        stake_value = np.bincount(led.stakes.holder, weights=led.stake_values_bn(), minlength=n)
        # What each estate has for its unsecured claims: everything at its marks, the pledged GPUs
        # out (their lenders take them) but what they fetch above their loans back in.
        estate = (
            led.cash_bn
            + led.other_assets_bn
            + led.real_assets_bn
            + held_value
            + stake_value
            + led.gpu_units_k @ price
            + led.securities_value_bn()
        )
        estate -= np.bincount(obligor, weights=from_collateral, minlength=n)
        claims = np.bincount(obligor, weights=rest, minlength=n) + led.other_liabilities_bn
        share = np.minimum(np.divide(np.maximum(estate, 0.0), claims, out=np.ones(n), where=claims > 1e-12), 1.0)
        factor = np.minimum((from_collateral + rest * share[obligor]) / principal, 1.0)
        changed = np.abs(led.credit_factor(rows) - factor) > 1e-12
        if changed.any():
            led.mark_debt(rows[changed], factor[changed])
    mem.estates_marked_at = (led.version, price.tobytes())


def mark_abs_tranches(state: State) -> None:
    """Sequential waterfall: the SPV's assets cover senior tranches first, then mezzanine."""
    led, d = state.ledger, state.ledger.debt
    waterfalls = state.views.abs_waterfalls()
    if not waterfalls:
        return
    assets = led.assets_bn()
    for spv, tranches in waterfalls:
        value = assets[spv]
        for rows in tranches:  # senior, mezzanine
            tr = rows[d.active[rows]]
            face = d.principal_bn[tr].sum()
            if face <= 1e-12:  # (no active rows, or nothing left owed)
                continue
            factor = min(max(float(value / face), 0.0), 1.0)
            value = max(value - face, 0.0)
            credit = led.credit_factor(tr)
            changed = [row for row, c in zip(tr.tolist(), credit.tolist(), strict=True) if abs(c - factor) > 1e-12]
            if changed:
                led.mark_debt(np.array(changed, dtype=np.int64), factor)


__all__ = [
    "covenant_measures",
    "depreciate_real_assets",
    "fundamentals_bn",
    "mark_abs_tranches",
    "mark_equity",
    "mark_gpus",
    "mark_nav_issuers",
    "mark_rates",
    "nav_order",
    "price_per_par",
]
