"""Shared fixtures and helpers for the engine tests."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import yaml

from simulator.state import Views

# Every refresh skipped as unchanged is checked against a fresh one in the tests.
Views.verify = True

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"


@pytest.fixture(scope="session")
def baseline_raw() -> dict:
    """The baseline scenario as a raw mapping (deep-copy before changing it)."""
    return yaml.safe_load((CONFIGS / "baseline_2025.yaml").read_text())


def raw_copy(raw: dict) -> dict:
    return copy.deepcopy(raw)


def check_invariants(model, rel: float = 1e-9) -> None:
    """Accounting invariants that must hold after every tick.

    * balance sheet: assets - liabilities equals equity from the flow statements
      (opening equity + cumulative P&L + capital) for every institution;
    * cash enters or leaves the system only through named exogenous flows;
    * no negative holdings (cash, GPUs, principal, stakes, other assets).
    """
    led = model.ledger
    assets = led.assets_bn()
    balance = assets - led.liabilities_bn()
    flows = led.equity_from_flows_bn()
    scale = np.maximum(1.0, np.abs(assets))
    gap = np.abs(balance - flows) / scale
    worst = int(np.argmax(gap))
    assert gap[worst] <= rel, (
        f"month {model.month}: {model.names[worst]} balance-sheet equity {balance[worst]} != flow equity {flows[worst]}"
    )
    cash_change = float(led.cash_bn.sum()) - led.opening_cash_bn
    exogenous = led.total_exogenous_bn()
    # Rounding grows with the amounts added up: opening cash, cash now and the named flows.
    scale = max(
        1.0, abs(led.opening_cash_bn), abs(float(led.cash_bn.sum())), *(abs(v) for v in led.exogenous_bn.values())
    )
    assert abs(cash_change - exogenous) <= rel * scale, (
        f"month {model.month}: cash changed by {cash_change} but named exogenous flows total {exogenous}"
    )
    tol = 1e-9
    assert led.cash_bn.min() >= -tol, f"negative cash: {model.names[int(np.argmin(led.cash_bn))]} {led.cash_bn.min()}"
    assert led.gpu_units_k.min() >= -tol, "negative GPU holdings"
    assert led.other_assets_bn.min() >= -tol and led.real_assets_bn.min() >= -tol, "negative other/real assets"
    assert led.debt.principal_bn.min(initial=0.0) >= -tol, "negative principal"
    assert led.stakes.units.min(initial=0.0) >= -tol, "negative stake units"
    assert np.all(np.isfinite(assets)) and np.all(np.isfinite(flows)), "non-finite balance sheet"
