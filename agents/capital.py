"""Capital-regulated investors (insurers, pension funds, banks): a risk-weighted capital ratio
and the de-risking rule that follows from it.

Rule
----
When ``equity / risk-weighted assets`` falls below ``min_capital_ratio``, the institution puts
debt claims up for sale (into the credit market, at fire-sale prices if others sell at the same
time) worth the risk-weighted assets it must shed to be back at ``target_capital_ratio``: first
its loans, bonds, credit lines and junior (mezzanine) ABS tranches, then its senior ABS
tranches; within each group, every claim pro rata to its value. (It sells no equity stakes or
fund shares.) Short of cash, it borrows from the central bank (when it lends), then sells
Treasuries and other liquid securities at book, then draws on credit lines.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
raise_liquidity  ``liquidity_actions``
second_round     ``derisking_sale_bn``, ``derisking_orders`` (from ``capital_ratio``)
(world)          ``risk_weights``
===============  =========================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import Field

from agents.base import RISK_CLASSES, Institution, Rules
from agents.decisions import Holding, LiquidityAction, Order, Sale
from agents.names import DEBT_KINDS, STAKE_KINDS, TRANCHES, DebtKind, Tranche


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


def _debt_risk_classes() -> np.ndarray:
    """Risk class of a debt row by ``[kind, tranche]`` (``DebtKind`` x ``Tranche``; the last
    column is tranche -1, "not a tranche"): loans, bonds and credit lines are their own class,
    senior ABS ``abs_senior``, mezzanine and equity tranches ``abs_junior``.
    """
    table = np.empty((len(DEBT_KINDS), len(TRANCHES) + 1), dtype=np.intp)
    for kind in DebtKind:
        for tranche in range(-1, len(TRANCHES)):
            if kind != DebtKind.ABS_TRANCHE:
                name = DEBT_KINDS[kind]
            else:
                name = "abs_junior" if tranche > Tranche.SENIOR else "abs_senior"
            table[kind, tranche] = RISK_CLASSES.index(name)
    return table


DEBT_RISK_CLASS = _debt_risk_classes()
STAKE_CLASSES = slice(RISK_CLASSES.index(STAKE_KINDS[0]), RISK_CLASSES.index(STAKE_KINDS[-1]) + 1)
"""Risk-class columns of the ``STAKE_KINDS``, in that order."""
assert RISK_CLASSES[STAKE_CLASSES] == STAKE_KINDS
OTHER_CLASS, REAL_CLASS = RISK_CLASSES.index("other"), RISK_CLASSES.index("real")


def risk_weighted_assets_bn(ledger, weights: np.ndarray) -> np.ndarray:
    """Risk-weighted assets of every institution at once (US$ bn), from the ledger's marks and
    the ``(n, len(RISK_CLASSES))`` risk weights.
    """
    d, s, n = ledger.debt, ledger.stakes, ledger.n_agents
    debt_class = DEBT_RISK_CLASS[d.kind, d.tranche]  # (a table look-up: no int8 arithmetic)
    rwa = np.zeros(n)
    rwa += np.bincount(d.holder, weights=d.principal_bn * d.value_factor * weights[d.holder, debt_class], minlength=n)
    stake_weights = weights[:, STAKE_CLASSES]  # one column per STAKE_KINDS entry
    rwa += np.bincount(s.holder, weights=ledger.stake_values_bn() * stake_weights[s.holder, s.kind], minlength=n)
    rwa += weights[:, OTHER_CLASS] * ledger.other_assets_bn
    rwa += weights[:, REAL_CLASS] * (ledger.gpu_value_bn() + ledger.real_assets_bn)
    return rwa


def _sold_last(h: Holding) -> bool:
    """Senior ABS tranches are the last claims it sells."""
    return h.kind == DebtKind.ABS_TRANCHE and h.tranche == Tranche.SENIOR


class CapitalRegulated(Institution):
    """Base for insurers, pension funds and banks."""

    Rules = CapitalRules
    rules: CapitalRules

    def risk_weights(self) -> np.ndarray:
        r = self.rules
        return np.array(
            [
                r.risk_weight_other,
                r.risk_weight_loan,
                r.risk_weight_bond,
                r.risk_weight_credit_line,
                r.risk_weight_abs_senior,
                r.risk_weight_abs_junior,
                r.risk_weight_equity,
                r.risk_weight_fund_share,
                r.risk_weight_loan,
            ]
        )

    def risk_weighted_assets_bn(self) -> float:
        """Its risk-weighted assets, US$ bn (the engine computes all institutions' at once)."""
        return float(self.situation.risk_weighted_assets_bn()[self.index])

    def capital_ratio(self) -> float | None:
        """Regulatory capital ratio: equity / risk-weighted assets (None without risk)."""
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

    def derisking_orders(self, holdings: Sequence[Holding], target_bn: float) -> list[Sale]:
        """Claims to sell, worth ``target_bn``: riskier groups first, pro rata within a group
        (so the result does not depend on the order of the holdings).
        """
        target = target_bn
        sales: list[Sale] = []
        for last in (False, True):
            group = [h for h in holdings if _sold_last(h) == last and h.value_bn > 0]
            total = sum(h.value_bn for h in group)
            if total <= 0:
                continue
            share = min(1.0, target / total)
            sales += [Sale(h.row, share) for h in group]
            target -= share * total
            if target <= 1e-9:
                break
        return sales

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        """The central bank (when it lends), then Treasuries, then credit lines."""
        return [
            Order(LiquidityAction.CENTRAL_BANK),
            Order(LiquidityAction.SELL_OTHER_ASSETS),
            Order(LiquidityAction.DRAW_CREDIT),
        ]
