"""One month of the model, phase by phase: each phase is a module of this package.

``run_month(state)`` is the whole month, in this order:

1. **shocks** (``shocks``) -- the drivers move (AI demand, GPU values and rents, rates, crypto,
   sentiment), the scenario's scheduled shocks hit, and the books take the new values.
2. **operate** (``operate``, then ``redemptions.monthly``) -- outside revenues and costs;
   compute contracts and leases fall due; labs raise funding rounds; lessees renegotiate leases;
   investors ask funds to redeem.
3. **service debt** (``service_debt``) -- interest, amortisation, maturities rolled over (at
   today's rates) or refused.
4. **invest** (``invest``) -- construction, chip purchases and customer funding, from spare cash.
5. **test covenants** (``covenants``) -- LTV, DSCR, minimum liquidity; lenders waive, reprice or
   accelerate.
6. **rounds**, repeated until nothing new happens (at most ``resolution.max_rounds``):

   a. **fire sales** (``fire_sales``) -- the market clears the sales submitted in the previous
      round; then **marks** (``marks``);
   b. **raise liquidity** (``liquidity``) -- those short of cash draw credit lines, borrow from
      the central bank, sell GPUs, loans or securities, issue bonds, cut contracts; the sales
      clear at once (fire sales, marks), a few attempts;
   c. **resolve defaults** (``resolve_defaults``) -- everything due clears through the
      obligation network (Rogers-Veraart, with cross-default); defaulters are wound up; estates
      with nothing left close; then **marks**;
   d. **second round** (``redemptions.second_wave``, ``second_round``, ``covenants`` for LTVs)
      -- a second redemption wave at funds that lost value, margin calls, capital de-risking and
      LTV re-tests create the obligations and sales of the next round.

7. **collect** (``collect``) -- month-end figures and the DataCollector's rows.

Phases read and write only the ``State`` (``simulator.state``); institutions decide, phases
apply. Every event is stamped with the phase that ran it (``state.log.phase``, set here).
Phase modules never import one another: this package is the only place that knows their order.
"""

from __future__ import annotations

import numpy as np

from agents.names import Phase
from simulator import backstop
from simulator.phases import (
    collect,
    covenants,
    fire_sales,
    invest,
    liquidity,
    marks,
    operate,
    redemptions,
    resolve_defaults,
    second_round,
    service_debt,
    shocks,
)
from simulator.phases.redemptions import value_per_unit
from simulator.state import State
from simulator.valuation import fundamentals_bn

LIQUIDITY_ATTEMPTS = 3
"""Rounds of raising liquidity (each followed by clearing the market) before each clearing."""


def start(state: State) -> None:
    """Month 0: the figures the first month reads (outside revenue, fundamentals, peak values),
    and the first row of the records.
    """
    mem = state.memory
    mem.outside_revenue_bn = operate.outside_revenue_bn(state)
    mem.last_fundamentals_bn = fundamentals_bn(state)
    mem.last_sentiment = state.drivers.sentiment
    mem.last_base_rate = state.drivers.base_rate_per_year
    mem.peak_nav_per_unit = value_per_unit(state)
    _run(state, Phase.COLLECT, collect.run)


def run_month(state: State) -> None:
    """Advance ``state`` by one month (the phases above, in order)."""
    mem = state.memory
    mem.month += 1
    state.log.month = mem.month
    mem.bonds_issued_bn[mem.month % 3] = 0.0  # (the ring keeps the last three months)
    _begin_month(state)
    _run(state, Phase.SHOCKS, shocks.run)
    _run(state, Phase.OPERATE, operate.run)
    _run(state, Phase.OPERATE, redemptions.monthly)
    _run(state, Phase.SERVICE_DEBT, service_debt.run)
    _run(state, Phase.INVEST, invest.run)
    _run(state, Phase.TEST_COVENANTS, covenants.run)
    for _ in range(state.const.config.resolution.max_rounds):
        if _run(state, Phase.FIRE_SALES, fire_sales.run):  # sales submitted in the previous round
            _run(state, Phase.MARKS, marks.run)
        # Those short of cash raise it; sales clear at once, so a seller that got less than it
        # hoped (price impact) can try again, a bounded number of times.
        for _ in range(LIQUIDITY_ATTEMPTS):
            _run(state, Phase.RAISE_LIQUIDITY, liquidity.run)
            if not _run(state, Phase.FIRE_SALES, fire_sales.run):
                break
            _run(state, Phase.MARKS, marks.run)
        new = _run(state, Phase.RESOLVE_DEFAULTS, resolve_defaults.run)
        _run(state, Phase.MARKS, marks.run)
        _run(state, Phase.SECOND_ROUND, _second_round)
        if not new and len(state.obligations) == 0 and not fire_sales.pending(state):
            break
    _end_month(state)
    _run(state, Phase.COLLECT, collect.run)


def _run(state: State, phase: Phase, step):
    """Run one phase function with the log stamping its events with ``phase``."""
    state.log.phase = phase
    return step(state)


def _second_round(state: State) -> None:
    """Everyone reacts to the same state (after this round's clearing and marks)."""
    state.views.refresh()
    redemptions.second_wave(state)
    second_round.run(state)
    # LTVs move only with GPU prices (payments only lower them): re-test after a price move.
    tested = state.scratch.gpu_prices_tested
    if tested is None or not np.array_equal(state.drivers.market_price_bn, tested):
        covenants.run(state, only_ltv=True, refresh=False)


def _begin_month(state: State) -> None:
    """Reset the month's scratch and note where the month starts from."""
    s, led = state.scratch, state.ledger
    s.reset()
    led.debt.in_breach[:] = False  # (breach flags are per month; no balance-sheet view reads them)
    s.losses_at_start_bn = float(led.realised_losses_bn.sum())
    s.nav_at_start = value_per_unit(state)
    s.cb_lending_at_start_bn = state.views.central_bank_lending_bn()
    s.gpu_absorbed_k = np.zeros(len(state.const.generation_names))  # the market absorbs afresh each month


def _end_month(state: State) -> None:
    """What this month hands to the next: its losses, defaults, backstop lending, peak values."""
    s, mem, led = state.scratch, state.memory, state.ledger
    backstop.retire_reserves(state)  # the central bank's receipts retire the reserves it created
    # Markets react to losses taken (write-offs, discounts on sales), not to marks that can recover.
    mem.losses_last_month_bn = max(float(led.realised_losses_bn.sum()) - s.losses_at_start_bn, 0.0)
    mem.defaults_last_month = len(s.new_defaults)
    mem.backstop_lent_last_month = (
        state.const.central_bank is not None and state.views.central_bank_lending_bn() > s.cb_lending_at_start_bn + 1e-9
    )
    mem.peak_nav_per_unit = np.maximum(mem.peak_nav_per_unit, value_per_unit(state))
