"""Phase 6a (each round), fire sales: the market clears every sale submitted since it last cleared, all at once.

Each GPU generation is one market: the value offered at the current price, ``V``, moves the
price by the factor ``simulator.kernels.fire_sales.price_impact(V, market_depth_bn)``
(exponential by default: ``exp(-V / depth)``). Every seller receives the post-impact price (a
uniform-price batch auction), so the order in which sellers arrived never matters, and the
discount persists, healing by ``discount_recovery_per_month`` (``simulator.drivers``). When the
central bank is buyer of last resort (``CentralBank.gpu_floor_factor``), it stops the price at
its floor and buys what outside buyers would take only below it.

Loans, bonds and ABS tranches sold by forced sellers clear the same way in one credit market of
depth ``credit_market_depth_bn``, each at its seller's accepted haircut on top of the impact.
Buyers are outside the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.names import EventKind
from simulator.events import money
from simulator.kernels.fire_sales import price_impact, volume_for_price_factor

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State


def run(state: State) -> bool:
    """Clear all submitted sales at once. Returns whether anything was sold."""
    market = state.market
    if not market.has_orders():
        return False
    if market.gpu_orders:
        _clear_gpus(state)
    if market.debt_orders:
        _clear_debt(state)
    market.gpu_orders.clear()
    market.debt_orders.clear()
    market.debt_haircut.clear()
    return True


def _clear_gpus(state: State) -> None:
    """One uniform price per generation: every seller gets the post-impact price (the central
    bank, as buyer of last resort, takes what would sell only below its floor). What pledged
    GPUs fetch repays their lender first (up to what it is owed); the rest stays with the seller.
    """
    led, market, names, gen_names = state.ledger, state.market, state.const.names, state.const.generation_names
    d = led.debt
    cfg = state.const.config
    gpu_cfg = cfg.markets.gpu
    gens = state.drivers.fundamental_price_bn.shape[0]
    units_by_gen = np.zeros(gens)
    for (_seller, gen, _row), units in market.gpu_orders.items():
        units_by_gen[gen] += units
    price_before = state.drivers.market_price_bn
    value_offered = units_by_gen * price_before
    if cfg.channels.fire_sale_impact:
        factor = price_impact(value_offered, gpu_cfg.market_depth_bn, model=gpu_cfg.impact_model)
    else:
        factor = np.ones(gens)
    # A central bank that is buyer of last resort stops the price at a floor and buys what
    # outside buyers would only take below it.
    cb_share = np.zeros(gens)
    cb = state.central_bank
    floor = cb.gpu_floor_factor() if cb is not None else None
    if floor is not None:
        below = factor < floor
        if below.any():
            absorbed = volume_for_price_factor(floor, gpu_cfg.market_depth_bn, gpu_cfg.impact_model)
            cb_share[below] = 1.0 - absorbed / value_offered[below]
            factor = np.where(below, floor, factor)
    sale_price = price_before * factor
    for (seller, gen, row), units in sorted(market.gpu_orders.items()):
        if units <= 0:
            continue
        to_cb = units * cb_share[gen]
        led.sell_gpus_outside(seller, gen, units - to_cb, sale_price[gen], "fire-sale buyers of GPUs (outside)")
        text = ""
        if to_cb > 0:
            led.central_bank_buys_gpus(cb.index, seller, gen, to_cb, sale_price[gen], "central bank reserves created")
            text = f"; {cb.name} bought {to_cb:,.1f}k of them at its floor price"
        proceeds = float(units * sale_price[gen])
        whose = f"{names[seller]} sold"
        if row >= 0:  # pledged GPUs: the lender is repaid from what they fetched
            lender = int(d.holder[row])
            repaid = min(proceeds, float(d.principal_bn[row]))
            if repaid > 0:
                led.pay_principal(row, repaid)
            d.collateral_units_k[row] = max(float(d.collateral_units_k[row]) - units, 0.0)
            whose = f"{names[lender]} sold {names[seller]}'s pledged"
            text += f"; {money(repaid)} repaid {names[lender]} ({d.ids[row]})"
        state.log.add(
            EventKind.FIRE_SALE,
            seller,
            None if row < 0 else int(d.holder[row]),
            proceeds,
            f"{whose} {units:,.1f}k {gen_names[gen]} GPUs for {money(proceeds)} at ${sale_price[gen] * 1e3:,.1f}k each "
            f"({factor[gen] - 1:+.1%} price impact){text}",
        )
    state.drivers.discount = state.drivers.discount * factor
    state.memory.gpu_sold_bn += float((units_by_gen * sale_price).sum())


def _clear_debt(state: State) -> None:
    """One price impact for all debt sold this round; each seller also gives up its own haircut."""
    led, d, market, names = state.ledger, state.ledger.debt, state.market, state.const.names
    cfg = state.const.config
    rows = np.array(sorted(market.debt_orders), dtype=np.int64)
    share = np.array([market.debt_orders[r] for r in rows])
    value = d.principal_bn[rows] * d.value_factor[rows] * share
    total = float(value.sum())
    factor = float(price_impact(total, cfg.resolution.credit_market_depth_bn)) if cfg.channels.fire_sale_impact else 1.0
    for row, sh in zip(rows, share):
        haircut = 1.0 - (1.0 - market.debt_haircut.get(int(row), 0.0)) * factor
        seller = int(d.holder[row])
        val = float(d.principal_bn[row] * d.value_factor[row] * sh)
        led.sell_debt_outside(row, sh, haircut, "buyers of loans and bonds (outside)")
        if val > 1e-9:
            state.log.add(
                EventKind.ASSET_SALE,
                seller,
                int(d.obligor[row]),
                val * (1 - haircut),
                f"{names[seller]} sold {d.ids[row]} worth {money(val)} for "
                f"{money(val * (1 - haircut))} ({haircut:.0%} discount)",
            )
