"""Phase 6, fire sales and marks.

Fire sales
----------
Institutions *submit* sales during a round; the market *clears* them all at once, so the order
in which sellers arrive never matters. Each GPU generation is one market: the value offered at
the current price, ``V``, moves the price by the factor
``simulator.fire_sales.price_impact(V, market_depth_bn)`` (exponential by default:
``exp(-V / depth)``). Every seller receives the post-impact price (a uniform-price batch
auction), and the discount persists, healing by ``discount_recovery_per_month``. Loans, bonds
and ABS tranches sold by forced sellers clear the same way in one credit market of depth
``credit_market_depth_bn``. Buyers are outside the model.

Marks
-----
After each round: GPUs at the new market prices; listed and private equity at
fundamentals x sentiment; private-credit funds and SPVs at NAV (book equity); ABS tranches by
the SPV's sequential loss waterfall.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from agents.instruments import DEBT_KINDS
from agents.ledger import FIRE_SALE, OPERATING
from simulator.events import money
from simulator.fire_sales import price_impact, volume_for_price_factor

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

PHASE = "fire_sales_and_marks"
ABS = DEBT_KINDS.index("abs_tranche")


class Market:
    """Sales submitted in the current round, cleared together by ``clear``."""

    def __init__(self, model: ContagionModel):
        self.model = model
        self.gpu_orders: dict[tuple[int, int], float] = defaultdict(float)  # (seller, gen) -> units
        self.debt_orders: dict[int, float] = defaultdict(float)  # debt row -> share sold
        self.debt_haircut: dict[int, float] = {}
        self._waterfalls: tuple[int, list[tuple[int, list[np.ndarray]]]] = (-1, [])  # see abs_waterfalls

    def abs_waterfalls(self) -> list[tuple[int, list[np.ndarray]]]:
        """Each SPV that issued ABS tranches, in index order, with the debt rows of its senior and
        of its mezzanine tranches (active or not). A row's kind, obligor and tranche never change
        and rows are only appended, so this is recomputed only when the debt book grows."""
        d = self.model.ledger.debt
        if self._waterfalls[0] != len(d):
            abs_rows = (d.kind == ABS).nonzero()[0]
            spvs = sorted(set(d.obligor[abs_rows].tolist()))
            self._waterfalls = (len(d), [
                (spv, [abs_rows[(d.obligor[abs_rows] == spv) & (d.tranche[abs_rows] == tranche)] for tranche in (0, 1)])
                for spv in spvs
            ])
        return self._waterfalls[1]

    # ----------------------------------------------------------------- submissions
    def submit_gpus(self, seller: int, gen: int, units_k: float) -> None:
        held = self.model.ledger.gpu_units_k[seller, gen]
        self.gpu_orders[(seller, gen)] = min(self.gpu_orders[(seller, gen)] + units_k, held)

    def submit_debt(self, rows, share: float, haircut: float = 0.0) -> None:
        for row in np.atleast_1d(rows):
            row = int(row)
            self.debt_orders[row] = min(self.debt_orders[row] + share, 1.0)
            self.debt_haircut[row] = max(self.debt_haircut.get(row, 0.0), haircut)

    def pending_sellers(self) -> set[int]:
        sellers = {s for (s, _), u in self.gpu_orders.items() if u > 0}
        holder = self.model.ledger.debt.holder
        sellers |= {int(holder[row]) for row in self.debt_orders}
        return sellers

    def has_orders(self) -> bool:
        return bool(self.gpu_orders) or bool(self.debt_orders)

    # ----------------------------------------------------------------- clearing
    def clear(self) -> bool:
        """Clear all submitted sales at once (phase 6). Returns whether anything was sold."""
        if not self.has_orders():
            return False
        model, led = self.model, self.model.ledger
        impact_on = model.config.channels.fire_sale_impact
        gpu_cfg = model.config.markets.gpu
        if self.gpu_orders:
            gens = model.drivers.fundamental_price_bn.shape[0]
            units_by_gen = np.zeros(gens)
            for (seller, gen), units in self.gpu_orders.items():
                units_by_gen[gen] += units
            price_before = led.gpu_price_bn.copy()
            value_offered = units_by_gen * price_before
            factor = price_impact(value_offered, gpu_cfg.market_depth_bn, model=gpu_cfg.impact_model) if impact_on else np.ones(gens)
            # A central bank that accepts GPUs (buyer of last resort) stops the price at a floor and
            # buys what outside buyers would only take below it.
            cb_share = np.zeros(gens)
            cb = model.central_bank
            if cb is not None and cb.rules.accepts_gpu_collateral and cb.backstop_active(model.sentiment):
                floor = 1.0 - cb.rules.gpu_haircut
                below = factor < floor
                if below.any():
                    absorbed = volume_for_price_factor(floor, gpu_cfg.market_depth_bn, gpu_cfg.impact_model)
                    cb_share[below] = 1.0 - absorbed / value_offered[below]
                    factor = np.where(below, floor, factor)
            sale_price = price_before * factor
            for (seller, gen), units in sorted(self.gpu_orders.items()):
                if units <= 0:
                    continue
                to_cb = units * cb_share[gen]
                led.sell_gpus_outside(seller, gen, units - to_cb, sale_price[gen], "fire-sale buyers of GPUs (outside)")
                text = ""
                if to_cb > 0:
                    led.central_bank_buys_gpus(cb.index, seller, gen, to_cb, sale_price[gen], "central bank reserves created")
                    text = f"; {cb.name} bought {to_cb:,.1f}k of them at its floor price"
                model.log(PHASE, "fire_sale", seller, None, float(units * sale_price[gen]),
                          f"{model.names[seller]} sold {units:,.1f}k {model.generation_names[gen]} GPUs for "
                          f"{money(units * sale_price[gen])} at ${sale_price[gen] * 1e3:,.1f}k each "
                          f"({factor[gen] - 1:+.1%} price impact){text}")
            model.drivers.discount = model.drivers.discount * factor
            model.gpu_sold_bn += float((units_by_gen * sale_price).sum())
        if self.debt_orders:
            d = led.debt
            rows = np.array(sorted(self.debt_orders), dtype=np.int64)
            share = np.array([self.debt_orders[r] for r in rows])
            value = d.principal_bn[rows] * d.value_factor[rows] * share
            total = float(value.sum())
            factor = float(price_impact(total, model.config.resolution.credit_market_depth_bn)) if impact_on else 1.0
            for row, sh in zip(rows, share):
                haircut = 1.0 - (1.0 - self.debt_haircut.get(int(row), 0.0)) * factor
                seller = int(d.holder[row])
                val = float(d.principal_bn[row] * d.value_factor[row] * sh)
                led.sell_debt_outside(row, sh, haircut, "buyers of loans and bonds (outside)")
                if val > 1e-9:
                    model.log(PHASE, "asset_sale", seller, int(d.obligor[row]), val * (1 - haircut),
                              f"{model.names[seller]} sold {d.ids[row]} worth {money(val)} for "
                              f"{money(val * (1 - haircut))} ({haircut:.0%} discount)")
        self.gpu_orders.clear()
        self.debt_orders.clear()
        self.debt_haircut.clear()
        return True


# --------------------------------------------------------------------- marks
def mark_gpus(model: ContagionModel, category: int = FIRE_SALE) -> None:
    model.ledger.mark_gpus(model.drivers.market_price_bn, category)


def fundamentals_bn(model: ContagionModel) -> np.ndarray:
    """A company's fundamental earning power: outside revenue this month plus its contract
    backlog spread over five years (US$ bn per month). Markets price backlog ahead of time, so a
    cut or cancelled contract moves a value at once; a scheduled start does not."""
    c = model.ledger.contracts
    backlog = np.bincount(c.payee, weights=c.remaining_value_bn(model.month), minlength=model.ledger.n_agents)
    return model.outside_revenue_bn + backlog / 60.0


def mark_equity(model: ContagionModel) -> None:
    """Equity values: market-valued companies move with fundamentals and sentiment; defaulted
    issuers are worth nothing; NAV-valued issuers (funds, SPVs, ...) are marked at book equity."""
    led = model.ledger
    new = led.equity_value_bn.copy()
    mv = model.market_valued
    if model.config.channels.equity_marks:
        f_now = fundamentals_bn(model)
        last = model.last_fundamentals_bn
        s_ratio = model.drivers.sentiment / model.last_sentiment
        if s_ratio != 1.0 or not (f_now == last).all():  # (both ratios 1: values stay as they are)
            f_ratio = np.empty(len(last))
            f_ratio.fill(1.0)
            moved = last > 0
            f_ratio[moved] = f_now[moved] / last[moved]
            value = new[mv] * f_ratio[mv]
            if s_ratio != 1.0:  # (otherwise every factor 1 ** beta is exactly 1)
                value *= s_ratio ** model.equity_beta[mv]
            new[mv] = value
        model.last_fundamentals_bn = f_now
        model.last_sentiment = model.drivers.sentiment
    new[model.defaulted] = 0.0
    if not (new == led.equity_value_bn).all():  # an unchanged value would book zeros
        led.mark_equity(new)
    model.mark_nav_issuers()


def mark_abs_tranches(model: ContagionModel) -> None:
    """Sequential waterfall: the SPV's assets cover senior tranches first, then mezzanine."""
    led, d = model.ledger, model.ledger.debt
    waterfalls = model.market.abs_waterfalls()
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
            vf = d.value_factor
            changed = [row for row in tr.tolist() if abs(vf[row] - factor) > 1e-12]  # (a tranche is a row or two)
            if changed:
                led.mark_debt(np.array(changed, dtype=np.int64), factor)


def depreciate_real_assets(model: ContagionModel) -> None:
    """Data-centre shells last about 40 years (TRI): straight-line, 1/480 of value a month."""
    led = model.ledger
    led.revalue_real_assets(model.all_agents, led.real_assets_bn * (1.0 - 1.0 / 480.0), OPERATING)
