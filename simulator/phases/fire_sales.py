"""Phase 6a (each round), fire sales: the market clears every sale submitted since it last cleared, all at once.

Each GPU generation is one market: the value offered at the current price, ``V``, moves the
price by the factor ``simulator.kernels.fire_sales.price_impact(V, market_depth_bn)``
(exponential by default: ``exp(-V / depth)``). Every seller receives the post-impact price (a
uniform-price batch auction), so the order in which sellers arrived never matters, and the
discount persists, healing by ``discount_recovery_per_month`` (``simulator.drivers``). When the
central bank is buyer of last resort (``CentralBank.gpu_floor_factor``), it stops the price at
its floor and buys what outside buyers would take only below it.

Loans, bonds, ABS tranches and outside securities sold by forced sellers clear the same way, in
one market per credit class (``markets.credit.depth_bn``), each debt row also at its seller's
accepted haircut on top of the impact. The discount of a class's sale stays in its market (its
spread widens, ``Drivers.hit_credit_market``) until it heals, so every holder of the class
marks it. Buyers are outside the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.names import CREDIT_CLASSES, EventKind
from simulator.backstop import ABS_CLASSES, RESERVES
from simulator.events import MATERIAL_BN, Sentence, say
from simulator.kernels.fire_sales import price_impact, volume_for_price_factor

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

OUTSIDE = "buyers of loans and bonds (outside)"
OUTSIDE_SECURITIES = "buyers of securities (outside)"
CREDIT_CLASS_WORDS: tuple[Sentence, ...] = (
    say("government"),
    say("investment-grade"),
    say("high-yield"),
    say("private"),
    say("abs-senior"),
    say("abs-junior"),
)
"""The credit classes (``agents.names.CreditClass``, by code) as words in an event's sentence."""
assert [w.template for w in CREDIT_CLASS_WORDS] == [c.replace("_", "-") for c in CREDIT_CLASSES]


def run(state: State) -> bool:
    """Clear all submitted sales at once. Returns whether anything was sold."""
    market = state.market
    if not pending(state):
        return False
    if market.gpu_orders:
        _clear_gpus(state)
    if market.debt_orders or market.securities_orders:
        _clear_credit(state)
        market.debt_orders.clear()
        market.debt_haircut.clear()
        market.securities_orders.clear()
    return True


def pending(state: State) -> bool:
    """Is there anything the market can clear now: debt or securities for sale, GPUs offered since the last
    clearing, or an overhang the market can absorb more of this month (or the buyer of last
    resort will take)?
    """
    market = state.market
    if market.debt_orders or market.securities_orders:
        return True
    if not market.gpu_orders:
        return False
    if market.has_new_orders():
        return True
    gens = len(state.const.generation_names)
    waiting = market.overhang_k(gens) > 1e-12
    room = state.const.config.markets.gpu.absorption_k_per_month - state.scratch.gpu_absorbed_k > 1e-12
    cb = state.central_bank
    return bool((waiting & room).any() or (waiting.any() and cb is not None and cb.gpu_floor_factor() is not None))


def _clear_gpus(state: State) -> None:
    """One price per generation, paid to every seller alike.

    * Only offers new since the last clearing move the price (the overhang already did), by
      ``price_impact`` of their value against ``market_depth_bn``, down to at most the salvage
      price (``salvage_share`` of value in use: buyers with other uses take GPUs there).
    * The market absorbs at most ``absorption_k_per_month`` thousand GPUs of a generation a month;
      every order sells the same share of what it offered, and the rest waits (the overhang).
    * A central bank that is buyer of last resort (``CentralBank.gpu_floor_factor``) holds the price
      at its floor and buys what the market does not take.
    * What pledged GPUs fetch repays their lender first (up to what it is owed).
    """
    led, market, names, gen_names = state.ledger, state.market, state.const.names, state.const.generation_names
    d, drivers, absorbed = led.debt, state.drivers, state.scratch.gpu_absorbed_k
    cfg = state.const.config
    gpu_cfg = cfg.markets.gpu
    gens = len(gen_names)
    offered = market.overhang_k(gens)
    new = np.maximum(offered - np.array([market.priced_k[g] for g in range(gens)]), 0.0)
    price_before = drivers.market_price_bn
    factor = np.ones(gens)
    if cfg.channels.fire_sale_impact:
        factor = price_impact(new * price_before, gpu_cfg.market_depth_bn, model=gpu_cfg.impact_model)
        salvage = gpu_cfg.salvage_share * drivers.fundamental_price_bn
        lowest = np.divide(salvage, price_before, out=np.ones(gens), where=price_before > salvage)
        factor = np.maximum(factor, np.minimum(lowest, 1.0))
    takes = np.minimum(offered, np.maximum(gpu_cfg.absorption_k_per_month - absorbed, 0.0))  # the market
    to_cb = np.zeros(gens)
    cb = state.central_bank
    floor = cb.gpu_floor_factor() if cb is not None else None
    if floor is not None:  # the buyer of last resort: the price stops at its floor, it takes the rest
        below = factor < floor
        if below.any():
            at_floor_k = volume_for_price_factor(floor, gpu_cfg.market_depth_bn, gpu_cfg.impact_model) / price_before
            takes = np.where(below, np.minimum(takes, at_floor_k), takes)
            factor = np.where(below, floor, factor)
        to_cb = offered - takes
    sale_price = price_before * factor
    sold_share = np.divide(takes + to_cb, offered, out=np.zeros(gens), where=offered > 0)
    cb_share = np.divide(to_cb, takes + to_cb, out=np.zeros(gens), where=takes + to_cb > 0)
    fills = []  # (seller, gen, row, units offered, units sold), in order
    for (seller, gen, row), units in sorted(market.gpu_orders.items()):
        sold = units * sold_share[gen]
        market.gpu_orders[(seller, gen, row)] = units - sold
        if sold > 1e-12:
            fills.append((seller, gen, row, units, sold))
    if fills:  # what the outside market takes, in one booking
        sellers, sold_gens = [f[0] for f in fills], [f[1] for f in fills]
        to_market = [f[4] * (1.0 - cb_share[f[1]]) for f in fills]
        led.sell_gpus_outside(
            sellers, sold_gens, to_market, sale_price[sold_gens], "fire-sale buyers of GPUs (outside)"
        )
    repayments: list[tuple[int, float]] = []  # (debt row, amount): lenders repaid from their collateral
    for seller, gen, row, units, sold in fills:
        bought_by_cb = sold * cb_share[gen]
        text: list[Sentence] = []  # clauses after the sale itself
        if bought_by_cb > 0:
            led.central_bank_buys_gpus(cb.index, seller, gen, bought_by_cb, sale_price[gen], RESERVES)
            book = state.memory.central_bank
            book.acquired_gpus(gen, bought_by_cb, bought_by_cb * float(sale_price[gen]))
            book.bought_gpus_bn += bought_by_cb * float(sale_price[gen])
            text.append(
                say("; {bank} bought {units:,.1f}k of them at its floor price", bank=cb.name, units=bought_by_cb)
            )
        if units - sold > 1e-12:
            text.append(say("; {units:,.1f}k more wait for buyers", units=units - sold))
        proceeds = float(sold * sale_price[gen])
        whose = say("{seller} sold", seller=names[seller])
        if row >= 0:  # pledged GPUs: the lender is repaid from what they fetched
            lender = int(d.holder[row])
            repaid = min(proceeds, float(d.principal_bn[row]))
            if repaid > 0:
                repayments.append((row, repaid))
            d.collateral_units_k[row] = max(float(d.collateral_units_k[row]) - sold, 0.0)
            if repaid >= MATERIAL_BN:
                whose = say("{lender} sold {seller}'s pledged", lender=names[lender], seller=names[seller])
                text.append(
                    say(
                        "; {repaid:money} repaid {lender} ({loan})",
                        repaid=repaid,
                        lender=names[lender],
                        loan=d.ids[row],
                    )
                )
            else:  # the loan is already repaid: the rest of the collateral is the seller's
                text.append(say(" (once pledged to {lender}, whose loan is repaid)", lender=names[lender]))
        state.log.add(
            EventKind.FIRE_SALE,
            seller,
            None if row < 0 else int(d.holder[row]),
            proceeds,
            say(
                "{whose} {units:,.1f}k {generation} GPUs for {proceeds:money} at ${price_k:,.1f}k each "
                "({impact:+.1%} price impact){more}",
                whose=whose,
                units=sold,
                generation=gen_names[gen],
                proceeds=proceeds,
                price_k=sale_price[gen] * 1e3,
                impact=factor[gen] - 1,
                more=tuple(text),
            ),
        )
    if repayments:  # (one order per pledged row: each row is repaid once)
        led.pay_principal([r for r, _ in repayments], [a for _, a in repayments])
    for key in [key for key, units in market.gpu_orders.items() if units <= 1e-12]:
        del market.gpu_orders[key]
    remaining = market.overhang_k(gens)
    for gen in range(gens):
        market.priced_k[gen] = float(remaining[gen])
    absorbed += takes
    drivers.discount = drivers.discount * factor
    state.memory.gpu_sold_bn += float(((takes + to_cb) * sale_price).sum())


def _clear_credit(state: State) -> None:
    """One price impact per credit class for everything of the class sold this round (debt rows
    and outside securities); each debt row's seller also gives up its own haircut.

    A central bank that is buyer of last resort of ABS (``CentralBank.abs_floor_price``) stops an
    ABS class's price at its floor (per unit of par; only where the class sold at the floor or
    above before the sale: it stops fire-sale discounts, it does not pay more than a claim fetched
    before): outside buyers take what they would take down to the floor, and it buys the same share
    of every lot beyond that, at the same price.
    """
    led, d, market, names = state.ledger, state.ledger.debt, state.market, state.const.names
    cfg = state.const.config
    depth = cfg.markets.credit.depth_bn
    rows = np.array(sorted(market.debt_orders), dtype=np.int64)
    share = np.array([market.debt_orders[r] for r in rows])
    value = d.principal_bn[rows] * d.value_factor[rows] * share
    lots = sorted(market.securities_orders.items())
    n_classes = len(CREDIT_CLASSES)
    offered = np.bincount(d.credit_class[rows], weights=value, minlength=n_classes)
    par = np.bincount(d.credit_class[rows], weights=d.principal_bn[rows] * share, minlength=n_classes)
    for (_, credit_class), face in lots:
        offered[credit_class] += face * led.securities_price[credit_class]
        par[credit_class] += face
    factor = np.ones(n_classes)
    if cfg.channels.fire_sale_impact:
        for k, name in enumerate(CREDIT_CLASSES):
            if offered[k] > 0:
                factor[k] = float(price_impact(float(offered[k]), depth[name]))
    cb = state.central_bank
    floor = cb.abs_floor_price() if cb is not None else None
    to_cb = np.zeros(n_classes)  # share of every lot of a class the central bank buys
    for k in ABS_CLASSES if floor is not None else ():
        if offered[k] <= 0 or par[k] <= 0:
            continue
        floor_factor = floor / (offered[k] / par[k])  # (the floor relative to the pre-sale price)
        if factor[k] < floor_factor <= 1.0:
            outside = volume_for_price_factor(floor_factor, depth[CREDIT_CLASSES[k]])
            to_cb[k] = min(max(1.0 - outside / offered[k], 0.0), 1.0)
            factor[k] = floor_factor
    book = state.memory.central_bank
    for row, sh, val in zip(rows.tolist(), share.tolist(), value.tolist(), strict=True):
        k = int(d.credit_class[row])
        haircut = 1.0 - (1.0 - market.debt_haircut.get(row, 0.0)) * factor[k]
        seller = int(d.holder[row])
        whole = float(d.principal_bn[row])
        text: tuple[Sentence, ...] = ()
        if to_cb[k] > 0 and whole > 0:  # the central bank's part first, then the rest outside
            principal = whole * sh * to_cb[k]
            paid = led.central_bank_buys_debt(cb.index, row, principal / whole, haircut, f"{d.ids[row]}:cb", RESERVES)
            book.debt_cost_per_par[len(d) - 1] = paid / principal if principal > 0 else 0.0
            book.bought_abs_bn += paid
            text = (
                say(
                    "; {bank} bought {paid:money} of it at its floor of {floor:.0%} of par",
                    bank=cb.name,
                    paid=paid,
                    floor=floor,
                ),
            )
            rest = whole - principal
            led.sell_debt_outside(row, whole * sh * (1.0 - to_cb[k]) / rest if rest > 0 else 0.0, haircut, OUTSIDE)
        else:
            led.sell_debt_outside(row, sh, haircut, OUTSIDE)
        if val > 1e-9:
            state.log.add(
                EventKind.ASSET_SALE,
                seller,
                int(d.obligor[row]),
                val * (1 - haircut),
                say(
                    "{seller} sold {loan} worth {value:money} for {proceeds:money} ({haircut:.0%} discount){more}",
                    seller=names[seller],
                    loan=d.ids[row],
                    value=val,
                    proceeds=val * (1 - haircut),
                    haircut=haircut,
                    more=text,
                ),
            )
    for (seller, credit_class), face in lots:
        mark = float(led.securities_price[credit_class])
        price = mark * factor[credit_class]
        to_central_bank = face * to_cb[credit_class]
        text, paid = (), 0.0
        if to_central_bank > 0:
            paid = float(
                led.central_bank_buys_securities(cb.index, seller, credit_class, to_central_bank, price, RESERVES).sum()
            )
            book.acquired_securities(credit_class, to_central_bank, paid)
            book.bought_abs_bn += paid
            text = (
                say(
                    "; {bank} bought {paid:money} of them at its floor of {floor:.0%} of par",
                    bank=cb.name,
                    paid=paid,
                    floor=floor,
                ),
            )
        proceeds = paid + float(
            led.sell_securities_outside(seller, credit_class, face - to_central_bank, price, OUTSIDE_SECURITIES)[0]
        )
        label = CREDIT_CLASS_WORDS[credit_class]
        state.log.add(
            EventKind.ASSET_SALE,
            seller,
            None,
            proceeds,
            say(
                "{seller} sold {value:money} of {credit_class} securities for {proceeds:money} ({discount:.1%} discount){more}",
                seller=names[seller],
                value=face * mark,
                credit_class=label,
                proceeds=proceeds,
                discount=1 - factor[credit_class],
                more=text,
            ),
        )
    for k in (factor < 1.0).nonzero()[0].tolist():
        state.drivers.hit_credit_market(k, float(factor[k]))
