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

import itertools
import math
from typing import TYPE_CHECKING, NamedTuple

import mesa
import numpy as np

from agents.base import STATUSES
from simulator.covenants import measure

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

SECTORS = ("chip_maker", "hyperscaler", "ai_lab", "neocloud", "miner", "private_credit", "spv",
           "insurer", "pension", "bank", "central_bank", "retail")


def _clean(value: float) -> float:
    """Round away floating-point dust (|x| < 1e-9 US$ bn, i.e. under a dollar) from sums."""
    return 0.0 if abs(value) < 1e-9 else float(value)


def _capital_ratio(model: ContagionModel, kind: str) -> float | None:
    """Aggregate capital ratio of a sector's surviving institutions: equity / risk-weighted assets."""
    members = model.sector_members.get(kind, _NONE)
    members = members[~model.defaulted[members]]
    rwa = float(model.risk_weighted_assets_bn()[members].sum())
    return float(model.equity_bn[members].sum() / rwa) if rwa > 0 else None


_NONE = np.zeros(0, dtype=np.int64)


class _ReportKeys(NamedTuple):
    """Column names that depend on the scenario (its GPU generations and sectors), built once."""

    gpu_prices: list[str]
    defaults: list[str]
    losses: list[str]


def model_report(model: ContagionModel) -> dict[str, float | None]:
    """Every model-level figure of the month, computed in one pass (the reporters read it)."""
    led = model.ledger
    report: dict[str, float | None] = {"month": model.month}
    keys = model.report_keys
    report.update(zip(keys.gpu_prices, (led.gpu_price_bn * 1e3).tolist()))
    losses = led.losses_bn()
    # Sector totals in one group-by each (sector_code: position in sectors_present).
    n_sectors = len(model.sectors_present)
    defaults = np.bincount(model.sector_code[model.defaulted], minlength=n_sectors).tolist()
    sector_losses = np.bincount(model.sector_code, weights=losses, minlength=n_sectors).tolist()
    for default_key, loss_key, sector_defaults, sector_loss in zip(keys.defaults, keys.losses, defaults, sector_losses):
        report[default_key] = sector_defaults
        report[loss_key] = _clean(sector_loss)
    report.update({
        "defaults_total": int(np.count_nonzero(model.defaulted)),
        "losses_bn_total": _clean(losses.sum()),
        "system_equity_bn": float(model.equity_bn.sum()),
        "sentiment": float(model.sentiment),
        "ai_demand_ratio": float(model.drivers.demand_ratio),
        "private_credit_nav_bn": float(led.equity_value_bn[model.sector_members.get("private_credit", _NONE)].sum()),
        "capital_ratio_insurer": _capital_ratio(model, "insurer"),
        "capital_ratio_bank": _capital_ratio(model, "bank"),
        "central_bank_lending_bn": model.central_bank_lending_bn(),
        "gpus_fire_sold_bn": float(model.gpu_sold_bn),
    })
    return report


AGENT_REPORTERS = {
    "name": "name", "kind": "kind", "equity_bn": "equity", "cash_bn": "cash",
    "leverage": "leverage", "ltv": "ltv", "dscr": "dscr", "status": "status",
}


class MonthlyDataCollector(mesa.DataCollector):
    """Mesa's DataCollector (same tables, same dataframes), filled from the month's figures that
    the model computes in one vectorised pass (``model.report``, ``model.agent_records``)
    instead of calling one reporter per column and per agent. The values are plain floats,
    ints, strings or None, so nothing needs copying."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._columns = [(self.model_vars[var], var) for var in self.model_reporters]  # (list, key) pairs

    def collect(self, model) -> None:
        if hasattr(self, "_collection_steps"):
            self._collection_steps.append(model.time)
        report = model.report
        for values, var in self._columns:
            values.append(report[var])
        self._agent_records[model.time] = model.agent_records  # a new list each month


def make_datacollector(model: ContagionModel) -> mesa.DataCollector:
    """A DataCollector whose columns are the keys of ``model_report`` and ``AGENT_REPORTERS``."""
    model.sectors_present = [k for k in SECTORS if k in set(model.kinds)]
    # Institutions never change kind, so the sector of each is fixed for the whole run.
    model.sector_members = {k: np.flatnonzero(model.kinds == k) for k in model.sectors_present}
    model.sector_code = np.array([model.sectors_present.index(k) for k in model.kinds], dtype=np.int64)
    model.report_keys = _ReportKeys(
        gpu_prices=[f"gpu_price_{name}_k_usd" for name in model.generation_names],
        defaults=[f"defaults_{kind}" for kind in model.sectors_present],
        losses=[f"losses_bn_{kind}" for kind in model.sectors_present],
    )
    model.agent_ids = [a.unique_id for a in model.institutions]
    model.kinds_list = [a.kind for a in model.institutions]
    keys = model_report(model).keys()
    reporters = {key: (lambda m, key=key: m.report[key]) for key in keys}
    return MonthlyDataCollector(model_reporters=reporters, agent_reporters=AGENT_REPORTERS)


def refresh_agent_snapshots(model: ContagionModel) -> None:
    """Write each institution's current figures and status onto the agent (for reporters)."""
    led, d = model.ledger, model.ledger.debt
    n = led.n_agents
    # Highest LTV of its live GPU-backed loans (-1: none), from the covenant test's measures.
    m = measure(model)
    secured = d.active & (d.principal_bn > 1e-12) & (m["collateral_bn"] > 0)
    ltv = np.full(n, -1.0)
    np.maximum.at(ltv, d.obligor[secured], m["ltv"][secured])
    # Status, most severe first: defaulted > breached (a loan in breach or accelerated) > stressed.
    code = model.stressed.astype(np.int64)
    flagged = d.active & (d.principal_bn > 1e-12) & (d.in_breach | d.accelerated)
    code[d.obligor[flagged]] = 2
    code[model.defaulted] = 3
    status = [STATUSES[k] for k in code.tolist()]
    equity, assets = model.equity_bn.tolist(), model.assets_bn.tolist()
    leverage = [a / e if e > 0 else None for a, e in zip(assets, equity)]
    ltv_or_none = [None if x < 0 else x for x in ltv.tolist()]
    dscr = [None if x == math.inf else x for x in model.dscr_by_agent().tolist()]
    cash = led.cash_bn.tolist()
    model.agent_status = status  # each agent's ``status`` (and its other figures, from the records)
    # One record per institution, in the order of AGENT_REPORTERS (what the DataCollector stores).
    model.agent_records = list(zip(itertools.repeat(model.time), model.agent_ids, model.names, model.kinds_list,
                                   equity, cash, leverage, ltv_or_none, dscr, status))
