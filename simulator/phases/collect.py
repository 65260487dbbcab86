"""Phase 7, collect: the month's figures, computed once for everyone, go into the records.

* Each institution's month-end figures (``agents.situation.MonthEnd``): equity, cash, leverage
  (assets / equity; None if equity is under a dollar), LTV (highest of its live GPU-backed loans; None if it
  has none), DSCR (None without debt service) and status (defaulted > breached -- a loan in
  breach or accelerated -- > stressed > healthy).
* The model report (``simulator.records``): GPU prices (US$ thousands per GPU), cumulative
  defaults and losses by sector (US$ bn), system equity, sentiment, AI demand ratio,
  private-credit NAV, insurer and bank capital ratios (aggregate equity / risk-weighted assets
  of the survivors), GPUs fire-sold, and the central bank's lending, purchases, losses and
  balance sheet (``simulator.backstop.figures``).
* The central bank's unrealised losses are against what it paid for what it holds (its loans at
  par), not against par or value in use: a seller's discount on a sale to the central bank is the
  seller's realised loss and is not counted twice.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from agents.names import STATUSES, InstitutionKind
from agents.situation import MonthEnd
from simulator import backstop
from simulator.valuation import covenant_measures

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

_NONE = np.zeros(0, dtype=np.int64)


def run(state: State) -> None:
    """Refresh the views, write everyone's month-end figures and the report, record them."""
    state.views.refresh()
    mem = state.memory
    mem.month_end = month_end_figures(state)
    mem.report = model_report(state, mem.month_end)
    state.records.collect(float(mem.month), mem.report, mem.month_end)


DUST_BN = 1e-9
"""Amounts under a dollar (US$ bn): floating-point dust left by sums and differences."""


def _clean(value: float) -> float:
    """Round away floating-point dust (|x| < 1e-9 US$ bn, i.e. under a dollar) from sums."""
    return 0.0 if abs(value) < DUST_BN else float(value)


def _capital_ratio(state: State, kind: str) -> float | None:
    """Aggregate capital ratio of a sector's surviving institutions: equity / risk-weighted assets."""
    members = state.const.sector_members.get(kind, _NONE)
    members = members[~state.memory.defaulted[members]]
    rwa = float(state.views.risk_weighted_assets_bn()[members].sum())
    return float(state.views.equity_bn[members].sum() / rwa) if rwa > 0 else None


def model_report(state: State, month_end: MonthEnd) -> dict[str, Any]:
    """Every model-level figure of the month, computed in one pass (sector sums of the
    institutions' ``month_end`` figures).
    """
    led, c, mem, views = state.ledger, state.const, state.memory, state.views
    report: dict[str, Any] = {"month": mem.month}
    keys = c.report_keys
    report.update(zip(keys.gpu_prices, (state.drivers.market_price_bn * 1e3).tolist()))
    # Sector totals in one group-by each (sector_code: position in sectors_present).
    n_sectors = len(c.sectors_present)
    report.update(zip(keys.defaults, np.bincount(c.sector_code[mem.defaulted], minlength=n_sectors).tolist()))
    totals: dict[str, float | None] = {}
    for measure, columns in keys.losses.items():
        values = getattr(month_end, measure)
        if values[0] is None and all(v is None for v in values):  # (no counterfactual)
            report.update(dict.fromkeys(columns))
            totals[f"{measure}_total"] = None
            continue
        amounts = np.array([0.0 if v is None else v for v in values])
        report.update(zip(columns, map(_clean, np.bincount(c.sector_code, weights=amounts, minlength=n_sectors))))
        totals[f"{measure}_total"] = _clean(float(amounts.sum()))
    report.update(
        {
            "defaults_total": int(np.count_nonzero(mem.defaulted)),
            **totals,
            "system_equity_bn": float(views.equity_bn.sum()),
            "sentiment": float(state.drivers.sentiment),
            "ai_demand_ratio": float(state.drivers.demand_ratio),
            "private_credit_nav_bn": float(
                led.equity_value_bn[c.sector_members.get(InstitutionKind.PRIVATE_CREDIT, _NONE)].sum()
            ),
            "capital_ratio_insurer": _capital_ratio(state, InstitutionKind.INSURER),
            "capital_ratio_bank": _capital_ratio(state, InstitutionKind.BANK),
            "gpus_fire_sold_bn": float(mem.gpu_sold_bn),
            **backstop.figures(state),
        }
    )
    return report


def _shortfalls(state: State) -> tuple[list[float | None], list[float | None]]:
    """Each institution's book equity (net of equity raised and paid out since month 0) and
    market value below the counterfactual's this month (institutions the counterfactual does
    not have, and runs without one: None).
    """
    n = state.const.n
    cf = state.counterfactual
    if cf is None:
        return [None] * n, [None] * n
    figures = cf.at(state.memory.month)
    where = {name: j for j, name in enumerate(cf.names)}
    market = np.where(state.const.market_valued, state.ledger.equity_value_bn, state.views.equity_bn)
    equity_gap: list[float | None] = [None] * n
    market_gap: list[float | None] = [None] * n
    for i, name in enumerate(state.const.names):
        j = where.get(name)
        if j is not None:
            # (net of shareholders' money: equity raised or paid out is not a gain or loss)
            theirs = figures.equity_bn[j] - figures.capital_bn[j]
            equity_gap[i] = _clean(float(theirs - (state.views.equity_bn[i] - state.ledger.capital_bn[i])))
            market_gap[i] = _clean(float(figures.market_value_bn[j] - market[i]))
    return equity_gap, market_gap


def month_end_figures(state: State) -> MonthEnd:
    """Each institution's figures and status at the end of the month."""
    led, d, views, mem = state.ledger, state.ledger.debt, state.views, state.memory
    n = led.n_agents
    # Highest LTV of its live GPU-backed loans (-1: none), from the covenant test's measures.
    m = covenant_measures(state)
    secured = (d.active & (d.principal_bn > 1e-12) & (m["collateral_bn"] > 0)).nonzero()[0]
    highest = [-1.0] * n
    for i, value in zip(d.obligor[secured].tolist(), m["ltv"][secured].tolist()):
        highest[i] = max(highest[i], value)
    # Status, most severe first: defaulted > breached (a loan in breach or accelerated) > stressed.
    code = views.stressed.astype(np.int64)
    flagged = d.active & (d.principal_bn > 1e-12) & (d.in_breach | d.accelerated)
    code[d.obligor[flagged]] = 2
    code[mem.defaulted] = 3
    status = [STATUSES[k] for k in code.tolist()]
    equity, assets = views.equity_bn.tolist(), views.assets_bn.tolist()
    # (undefined without equity; equity under a dollar is rounding dust, not a base to divide by)
    leverage = [a / e if e > DUST_BN else None for a, e in zip(assets, equity)]
    ltv_or_none = [None if x < 0 else x for x in highest]
    dscr = [None if x == math.inf else x for x in views.dscr_by_agent().tolist()]
    realised = led.realised_losses_bn.tolist()
    unrealised = led.unrealised_losses_bn(state.drivers.fundamental_price_bn).tolist()
    cb = state.const.central_bank
    if cb is not None:  # what the central bank holds is marked against what it paid (simulator.backstop)
        unrealised[cb] = backstop.figures(state)["central_bank_unrealised_losses_bn"]
    equity_gap, market_gap = _shortfalls(state)
    return MonthEnd(
        equity, led.cash_bn.tolist(), leverage, ltv_or_none, dscr, status, realised, unrealised, equity_gap, market_gap
    )
