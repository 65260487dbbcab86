"""Capital-regulated investors (insurers, pension funds, banks): a risk-weighted capital ratio
and the de-risking rule that follows from it.

Rule
----
Risk weights are by asset class (``agents.base.RISK_CLASSES``): each credit class (the debt it
holds by the row's ``credit_class``, and its outside securities), stakes, fund shares, real
assets and other assets at book. When ``equity / risk-weighted assets`` falls below
``min_capital_ratio``, it sells claims -- debt rows and outside securities, into each credit
class's market -- to shed the risk-weighted assets that take it back to
``target_capital_ratio``: class by class in ``derisking_order``, pro rata within a class, and no
more than ``max_derisking_share_per_month`` of what it holds in a class each month (a forced
seller spreads its sales). It sells no stakes or fund shares. Short of cash, it borrows from the
central bank (when it lends), then sells outside securities (``liquid_classes``, in that order,
at their market's price), then draws on credit lines. With ``excess_capital_payout_per_month``
it returns that share of its capital above ``target_capital_ratio`` to its shareholders each
month (a bank managing its ratio down to its target), nothing while stressed.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
raise_liquidity  ``liquidity_actions``, ``securities_to_sell``
second_round     ``derisking_sale_bn``, ``derisking_orders`` (from
                 ``regulatory_capital_ratio``: ``capital_ratio`` at market, or with
                 bonds at amortised cost when ``statutory_capital``)
invest           ``payout_bn`` (capital above target)
(world)          ``risk_weights``, ``pays_shareholders``
===============  =========================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import numpy as np
from pydantic import Field

from agents.base import RISK_CLASSES, Institution, Rules
from agents.decisions import Holding, LiquidityAction, Order, Sale
from agents.names import CREDIT_CLASSES, STAKE_KINDS, CreditClass

CreditClassName = Annotated[str, Field(pattern="^(" + "|".join(CREDIT_CLASSES) + ")$")]


class CapitalRules(Rules):
    min_capital_ratio: float = Field(0.08, ge=0, le=1, description="capital / risk-weighted assets floor")
    target_capital_ratio: float = Field(0.10, ge=0, le=1, description="ratio it restores after a breach")
    # Risk weights (shares of value counted as risk-weighted assets)
    risk_weight_other: float = Field(0.05, ge=0, le=5, description="other assets, at book (cash-like, mortgages)")
    risk_weight_government: float = Field(0.0, ge=0, le=5, description="Treasuries")
    risk_weight_investment_grade: float = Field(0.5, ge=0, le=5, description="investment-grade bonds")
    risk_weight_high_yield: float = Field(1.0, ge=0, le=5, description="high-yield bonds")
    risk_weight_private: float = Field(1.0, ge=0, le=5, description="private loans and credit lines")
    risk_weight_abs_senior: float = Field(0.3, ge=0, le=5, description="senior ABS tranches")
    risk_weight_abs_junior: float = Field(1.0, ge=0, le=5, description="mezzanine and equity ABS tranches")
    risk_weight_equity: float = Field(2.5, ge=0, le=5)
    risk_weight_fund_share: float = Field(1.5, ge=0, le=5)
    risk_weight_real: float = Field(1.0, ge=0, le=5, description="GPUs and data centres")
    derisking_order: tuple[CreditClassName, ...] = Field(
        ("investment_grade", "high_yield", "abs_senior", "abs_junior", "private"),
        description="credit classes it sells to restore its capital ratio, first to last (the liquid ones first)",
    )
    max_derisking_share_per_month: float = Field(
        0.1, gt=0, le=1, description="most of its holdings of a credit class it sells for capital in a month"
    )
    liquid_classes: tuple[CreditClassName, ...] = Field(
        ("government", "investment_grade"), description="outside securities it sells for cash, first to last"
    )
    excess_capital_payout_per_month: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of its capital above its target ratio it returns to shareholders each month (dividends "
        "and buybacks: it manages its ratio down to the target)",
    )
    statutory_capital: bool = Field(
        False,
        description="its capital rule reads bonds and loans at amortised cost, not at market yields (statutory "
        "accounting for insurers, smoothed asset values for pension funds): rates alone never force it to sell",
    )


STAKE_CLASSES = slice(RISK_CLASSES.index(STAKE_KINDS[0]), RISK_CLASSES.index(STAKE_KINDS[-1]) + 1)
"""Risk-class columns of the ``STAKE_KINDS``, in that order."""
assert RISK_CLASSES[STAKE_CLASSES] == STAKE_KINDS
CREDIT_RISK_CLASSES = slice(RISK_CLASSES.index(CREDIT_CLASSES[0]), RISK_CLASSES.index(CREDIT_CLASSES[-1]) + 1)
"""Risk-class columns of the credit classes, in ``CreditClass`` order."""
assert RISK_CLASSES[CREDIT_RISK_CLASSES] == CREDIT_CLASSES
OTHER_CLASS, REAL_CLASS = RISK_CLASSES.index("other"), RISK_CLASSES.index("real")


def risk_weighted_assets_bn(ledger, weights: np.ndarray, at_cost: np.ndarray | None = None) -> np.ndarray:
    """Risk-weighted assets of every institution at once (US$ bn), from the ledger's marks and
    the ``(n, len(RISK_CLASSES))`` risk weights. Institutions flagged ``at_cost`` (statutory
    capital) weigh their bonds, loans and securities as their equity counts them: before the
    marks of market yields (``Views.market_marks_bn``), after credit impairments.
    """
    d, s, n = ledger.debt, ledger.stakes, ledger.n_agents
    credit_weights = weights[:, CREDIT_RISK_CLASSES]  # one column per credit class
    cost = np.zeros(n, dtype=bool) if at_cost is None else at_cost
    debt_value = d.principal_bn * np.where(cost[d.holder], d.value_factor / d.rate_factor, d.value_factor)
    price = np.where(cost[:, None], ledger.securities_credit[None, :], ledger.securities_price[None, :])
    rwa = np.zeros(n)
    rwa += np.bincount(d.holder, weights=debt_value * credit_weights[d.holder, d.credit_class], minlength=n)
    rwa += (ledger.securities_face_bn * credit_weights * price).sum(axis=1)
    stake_weights = weights[:, STAKE_CLASSES]  # one column per STAKE_KINDS entry
    rwa += np.bincount(s.holder, weights=ledger.stake_values_bn() * stake_weights[s.holder, s.kind], minlength=n)
    rwa += weights[:, OTHER_CLASS] * ledger.other_assets_bn
    rwa += weights[:, REAL_CLASS] * (ledger.gpu_value_bn() + ledger.real_assets_bn)
    return rwa


class CapitalRegulated(Institution):
    """Base for insurers, pension funds and banks."""

    Rules = CapitalRules
    rules: CapitalRules

    def risk_weights(self) -> np.ndarray:
        r = self.rules
        return np.array([getattr(r, f"risk_weight_{name}") for name in RISK_CLASSES])

    def risk_weighted_assets_bn(self) -> float:
        """Its risk-weighted assets, US$ bn (the engine computes all institutions' at once)."""
        return float(self.situation.risk_weighted_assets_bn()[self.index])

    def capital_ratio(self) -> float | None:
        """Capital ratio at market: equity / risk-weighted assets (None without risk)."""
        rwa = self.risk_weighted_assets_bn()
        return self.equity_bn() / rwa if rwa > 0 else None

    def regulatory_equity_bn(self) -> float:
        """The equity its capital rule reads (US$ bn): at market, or with bonds and loans at
        amortised cost (``statutory_capital``: what market yields took off is added back).
        """
        equity = self.equity_bn()
        if self.rules.statutory_capital:
            equity += float(self.situation.market_marks_bn()[self.index])
        return equity

    def regulatory_capital_ratio(self) -> float | None:
        """The ratio its capital rule reads: regulatory equity / risk-weighted assets."""
        rwa = self.risk_weighted_assets_bn()
        return self.regulatory_equity_bn() / rwa if rwa > 0 else None

    @property
    def pays_shareholders(self) -> bool:
        return super().pays_shareholders or self.rules.excess_capital_payout_per_month > 0

    def payout_bn(self, spare_bn: float) -> float:
        """Its planned payout plus ``excess_capital_payout_per_month`` of its capital above the
        target ratio (US$ bn), from spare cash; nothing while it is stressed.
        """
        planned = super().payout_bn(spare_bn)
        rwa = self.risk_weighted_assets_bn()
        if self.is_stressed() or rwa <= 0 or self.rules.excess_capital_payout_per_month <= 0:
            return planned
        excess = self.regulatory_equity_bn() - self.rules.target_capital_ratio * rwa
        extra = max(excess, 0.0) * self.rules.excess_capital_payout_per_month
        return min(planned + extra, max(spare_bn, 0.0))

    def derisking_sale_bn(self) -> float:
        """Risk-weighted assets (US$ billions) it wants to shed this round (0 if compliant).

        Selling risky assets for cash lowers RWA at constant equity; shedding
        ``RWA - equity / target`` restores the target ratio (both read the regulatory equity).
        """
        ratio = self.regulatory_capital_ratio()
        if ratio is None or ratio >= self.rules.min_capital_ratio:
            return 0.0
        equity = max(self.regulatory_equity_bn(), 0.0)
        return max(self.risk_weighted_assets_bn() - equity / self.rules.target_capital_ratio, 0.0)

    def derisking_orders(self, holdings: Sequence[Holding], target_bn: float) -> list[Sale]:
        """Sales that shed ``target_bn`` of risk-weighted assets: class by class in
        ``derisking_order`` (a class whose risk weight is 0 sheds nothing and is skipped), pro
        rata within a class, at most ``max_derisking_share_per_month`` of each class (so the
        result does not depend on the order of the holdings).
        """
        r = self.rules
        weight = self.risk_weights()[CREDIT_RISK_CLASSES]
        left = target_bn
        sales: list[Sale] = []
        for name in r.derisking_order:
            k = CreditClass(CREDIT_CLASSES.index(name))
            group = [h for h in holdings if h.credit_class == k and h.value_bn > 0]
            value = sum(h.value_bn for h in group)
            if value <= 0 or weight[k] <= 0:
                continue
            share = min(r.max_derisking_share_per_month, left / (value * weight[k]))
            sales += [Sale(h.ref, h.security, share) for h in group]
            left -= share * value * weight[k]
            if left <= 1e-9:
                break
        return sales

    def securities_to_sell(self, need_bn: float, values_bn: Sequence[float]) -> list[tuple[int, float]]:
        """Outside securities to sell for ``need_bn`` of cash, given what it holds of each credit
        class at market (``values_bn``, ``CreditClass`` order): (class, value) in
        ``liquid_classes`` order until the need is met.
        """
        orders = []
        for name in self.rules.liquid_classes:
            k = CREDIT_CLASSES.index(name)
            value = min(need_bn, float(values_bn[k]))
            if value > 1e-12:
                orders.append((k, value))
                need_bn -= value
            if need_bn <= 1e-12:
                break
        return orders

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        """The central bank (when it lends), then its liquid securities at market, then other
        assets at book, then credit lines.
        """
        return [
            Order(LiquidityAction.CENTRAL_BANK),
            Order(LiquidityAction.SELL_SECURITIES),
            Order(LiquidityAction.SELL_OTHER_ASSETS),
            Order(LiquidityAction.DRAW_CREDIT),
        ]
