"""Capital-regulated investors (insurers, pension funds, banks): a risk-weighted capital ratio
and the de-risking rule that follows from it.

Rule
----
When ``equity / risk-weighted assets`` falls below ``min_capital_ratio``, the institution sells
risky assets (fund shares first, then tranches, bonds and loans) until the ratio would be back
at ``target_capital_ratio`` -- at fire-sale prices if others sell at the same time.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from agents.base import Institution, Rules
from agents.instruments import DEBT_KINDS


class CapitalRules(Rules):
    min_capital_ratio: float = Field(0.08, ge=0, le=1, description="capital / risk-weighted assets floor")
    target_capital_ratio: float = Field(0.10, ge=0, le=1, description="ratio it restores after a breach")
    # Risk weights (shares of value counted as risk-weighted assets)
    risk_weight_other: float = Field(0.05, ge=0, le=5, description="other assets (Treasuries, cash-like)")
    risk_weight_loan: float = Field(1.0, ge=0, le=5)
    risk_weight_bond: float = Field(0.5, ge=0, le=5)
    risk_weight_credit_line: float = Field(1.0, ge=0, le=5)
    risk_weight_abs_senior: float = Field(0.3, ge=0, le=5)
    risk_weight_abs_junior: float = Field(1.0, ge=0, le=5)
    risk_weight_equity: float = Field(2.5, ge=0, le=5)
    risk_weight_fund_share: float = Field(1.5, ge=0, le=5)


class CapitalRegulated(Institution):
    """Base for insurers, pension funds and banks."""

    Rules = CapitalRules

    def risk_weighted_assets_bn(self) -> float:
        r, led, i = self.rules, self.ledger, self.index
        d, s = led.debt, led.stakes
        held = d.holder == i
        values = d.principal_bn * d.value_factor
        weight_by_kind = np.array([r.risk_weight_loan, r.risk_weight_bond, r.risk_weight_credit_line, r.risk_weight_abs_senior])
        weights = weight_by_kind[d.kind]
        abs_junior = (d.kind == DEBT_KINDS.index("abs_tranche")) & (d.tranche > 0)
        weights = np.where(abs_junior, r.risk_weight_abs_junior, weights)
        rwa = float(values[held] @ weights[held])
        stake_w = np.array([r.risk_weight_equity, r.risk_weight_fund_share])[s.kind]
        mine = s.holder == i
        rwa += float(led.stake_values_bn()[mine] @ stake_w[mine])
        rwa += r.risk_weight_other * float(led.other_assets_bn[i])
        rwa += r.risk_weight_loan * float(led.gpu_value_bn()[i] + led.real_assets_bn[i])
        return rwa

    def capital_ratio(self) -> float | None:
        rwa = self.risk_weighted_assets_bn()
        return self.equity_bn() / rwa if rwa > 0 else None

    def derisking_sale_bn(self) -> float:
        """Risk-weighted assets (US$ billions) it wants to shed this round (0 if compliant).

        Selling risky assets for cash lowers RWA at constant equity; shedding
        ``RWA - equity / target`` restores the target ratio.
        """
        ratio = self.capital_ratio()
        if ratio is None or ratio >= self.rules.min_capital_ratio:
            return 0.0
        return max(self.risk_weighted_assets_bn() - max(self.equity_bn(), 0.0) / self.rules.target_capital_ratio, 0.0)

    def liquidity_actions(self, shortfall_bn: float) -> list[tuple]:
        """Sell liquid securities (Treasuries) first, then draw credit."""
        return [("sell_other_assets", shortfall_bn), ("draw_credit", shortfall_bn)]


