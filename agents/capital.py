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
from agents.instruments import DEBT_KINDS, STAKE_KINDS, TRANCHES


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


RISK_CLASSES = ("other", "loan", "bond", "credit_line", "abs_senior", "abs_junior", "equity", "fund_share", "real")
"""Asset classes with their own risk weight (``real`` = GPUs and data centres, weighted as loans)."""


def _debt_risk_classes() -> np.ndarray:
    """Risk class of a debt row by ``[kind, tranche]`` (``DEBT_KINDS`` x ``TRANCHES``; the last
    column is tranche -1, "not a tranche"): loans, bonds and credit lines are their own class,
    senior ABS ``abs_senior``, mezzanine and equity tranches ``abs_junior``."""
    table = np.empty((len(DEBT_KINDS), len(TRANCHES) + 1), dtype=np.intp)
    for kind, kind_name in enumerate(DEBT_KINDS):
        for tranche in range(-1, len(TRANCHES)):
            if kind_name != "abs_tranche":
                name = kind_name
            else:
                name = "abs_junior" if tranche > 0 else "abs_senior"
            table[kind, tranche] = RISK_CLASSES.index(name)
    return table


DEBT_RISK_CLASS = _debt_risk_classes()
STAKE_CLASSES = slice(RISK_CLASSES.index(STAKE_KINDS[0]), RISK_CLASSES.index(STAKE_KINDS[-1]) + 1)
"""Risk-class columns of the ``STAKE_KINDS``, in that order."""
assert RISK_CLASSES[STAKE_CLASSES] == STAKE_KINDS


def risk_weight_matrix(institutions) -> np.ndarray:
    """(n, len(RISK_CLASSES)) risk weights; zero rows for institutions without a capital rule."""
    weights = np.zeros((len(institutions), len(RISK_CLASSES)))
    for agent in institutions:
        r = agent.rules
        if isinstance(r, CapitalRules):
            weights[agent.index] = [
                r.risk_weight_other, r.risk_weight_loan, r.risk_weight_bond, r.risk_weight_credit_line,
                r.risk_weight_abs_senior, r.risk_weight_abs_junior, r.risk_weight_equity,
                r.risk_weight_fund_share, r.risk_weight_loan,
            ]
    return weights


def risk_weighted_assets_bn(ledger, weights: np.ndarray) -> np.ndarray:
    """Risk-weighted assets of every institution at once (US$ bn), from the ledger's marks."""
    d, s, n = ledger.debt, ledger.stakes, ledger.n_agents
    debt_class = DEBT_RISK_CLASS[d.kind, d.tranche]  # (a table look-up: no int8 arithmetic)
    rwa = np.zeros(n)
    rwa += np.bincount(d.holder, weights=d.principal_bn * d.value_factor * weights[d.holder, debt_class], minlength=n)
    stake_weights = weights[:, STAKE_CLASSES]  # one column per STAKE_KINDS entry
    rwa += np.bincount(s.holder, weights=ledger.stake_values_bn() * stake_weights[s.holder, s.kind], minlength=n)
    rwa += weights[:, 0] * ledger.other_assets_bn
    rwa += weights[:, 8] * (ledger.gpu_value_bn() + ledger.real_assets_bn)
    return rwa


class CapitalRegulated(Institution):
    """Base for insurers, pension funds and banks."""

    Rules = CapitalRules

    def risk_weighted_assets_bn(self) -> float:
        """Its risk-weighted assets, US$ bn (the model computes all institutions' at once)."""
        return float(self.model.risk_weighted_assets_bn()[self.index])

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


