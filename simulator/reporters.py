"""DataCollector reporters (phase 8): what the model records each month.

Model reporters (one row per month): GPU price by generation (US$ thousands per GPU),
cumulative defaults by institution kind, cumulative market + credit losses by sector (US$ bn),
total system equity (US$ bn), sentiment, private-credit NAV (US$ bn), insurer and bank capital
ratios (aggregate equity / risk-weighted assets), central-bank lending outstanding (US$ bn).

Agent reporters (one row per institution per month): equity_bn, cash_bn, leverage
(assets / equity; None if equity <= 0), ltv (highest LTV of its GPU-backed loans; None if it
has none), dscr (None if it has no debt service), status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from agents.capital import CapitalRegulated
from agents.instruments import NO_COLLATERAL

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

SECTORS = ("chip_maker", "hyperscaler", "ai_lab", "neocloud", "miner", "private_credit", "spv",
           "insurer", "pension", "bank", "central_bank", "retail")


def _clean(value: float) -> float:
    """Round away floating-point dust (|x| < 1e-9 US$ bn, i.e. under a dollar) from sums."""
    return 0.0 if abs(value) < 1e-9 else float(value)


def _capital_ratio(kind: str):
    def report(model: ContagionModel) -> float | None:
        members = [a for a in model.institutions if a.kind == kind and isinstance(a, CapitalRegulated) and not a.defaulted]
        rwa = sum(a.risk_weighted_assets_bn() for a in members)
        return float(sum(a.equity_bn() for a in members) / rwa) if rwa > 0 else None
    return report


def make_datacollector(model: ContagionModel) -> mesa.DataCollector:
    reporters = {"month": lambda m: m.month}
    for g, name in enumerate(model.generation_names):
        reporters[f"gpu_price_{name}_k_usd"] = lambda m, g=g: float(m.ledger.gpu_price_bn[g] * 1e3)
    kinds_present = [k for k in SECTORS if k in set(model.kinds)]
    for kind in kinds_present:
        reporters[f"defaults_{kind}"] = lambda m, kind=kind: sum(1 for a in m.institutions if a.kind == kind and a.defaulted)
    for kind in kinds_present:
        mask = model.kinds == kind
        reporters[f"losses_bn_{kind}"] = lambda m, mask=mask: _clean(m.ledger.losses_bn()[mask].sum())
    reporters.update({
        "defaults_total": lambda m: sum(1 for a in m.institutions if a.defaulted),
        "losses_bn_total": lambda m: _clean(m.ledger.losses_bn().sum()),
        "system_equity_bn": lambda m: float(m.equity_bn.sum()),
        "sentiment": lambda m: float(m.sentiment),
        "ai_demand_ratio": lambda m: float(m.drivers.demand_ratio),
        "private_credit_nav_bn": lambda m: float(m.ledger.equity_value_bn[m.kinds == "private_credit"].sum()),
        "capital_ratio_insurer": _capital_ratio("insurer"),
        "capital_ratio_bank": _capital_ratio("bank"),
        "central_bank_lending_bn": lambda m: m.central_bank_lending_bn(),
        "gpus_fire_sold_bn": lambda m: float(m.gpu_sold_bn),
    })
    agent_reporters = {
        "name": "name", "kind": "kind", "equity_bn": "equity", "cash_bn": "cash",
        "leverage": "leverage", "ltv": "ltv", "dscr": "dscr", "status": "status",
    }
    return mesa.DataCollector(model_reporters=reporters, agent_reporters=agent_reporters)


def refresh_agent_snapshots(model: ContagionModel) -> None:
    """Write each institution's current figures and status onto the agent (for reporters)."""
    led, d = model.ledger, model.ledger.debt
    n = led.n_agents
    price = np.where(d.collateral_gen != NO_COLLATERAL, led.gpu_price_bn[np.maximum(d.collateral_gen, 0)], 0.0)
    collateral = d.collateral_units_k * price
    secured = d.active & (d.collateral_gen != NO_COLLATERAL) & (d.principal_bn > 1e-12) & (collateral > 0)
    ltv = np.full(n, -1.0)
    np.maximum.at(ltv, d.obligor[secured], d.principal_bn[secured] / collateral[secured])
    dscr = model.dscr_by_agent()
    breached = np.zeros(n, dtype=bool)
    flagged = d.active & (d.in_breach | d.accelerated)
    breached[d.obligor[flagged]] = True
    for agent in model.institutions:
        i = agent.index
        agent.equity = float(model.equity_bn[i])
        agent.cash = float(led.cash_bn[i])
        agent.leverage = float(model.assets_bn[i] / model.equity_bn[i]) if model.equity_bn[i] > 0 else None
        agent.ltv = float(ltv[i]) if ltv[i] >= 0 else None
        agent.dscr = float(dscr[i]) if np.isfinite(dscr[i]) else None
        if agent.defaulted:
            agent.status = "defaulted"
        elif breached[i]:
            agent.status = "breached"
        elif agent.is_stressed():
            agent.status = "stressed"
        else:
            agent.status = "healthy"
