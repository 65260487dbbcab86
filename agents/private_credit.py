"""Private-credit funds (Blackstone, Blue Owl): lend to AI infrastructure, fund themselves with
investors' money (insurers, pensions, 401(k) savers) and bank credit lines -- shadow banking.

Rules
-----
* NAV = assets - liabilities, marked each round; investors redeem at NAV.
* **Redemptions** are paid up to ``gate_share_per_month`` of NAV a month; beyond that the fund
  **gates** (the rest waits, and is asked again next month). It never promises more than its
  cash, undrawn lines and outside loans at market.
* **While gated** it makes no new loans and rolls over none: what borrowers repay goes to the
  investors waiting.
* Its bank credit lines are **margined against its loan book** (the bank's advance rate x the
  value of the loans it holds): when marks fall, the bank calls the excess (``agents.bank``).
* Short of cash it draws on its bank credit line, borrows from the central bank (when it
  lends), then **sells loans**: first its diversified loans outside the network, then its loans
  to the network into the credit market, accepting a ``loan_sale_haircut`` discount.

Which phase asks what
---------------------
==========================  ==================================================
phase                       method
==========================  ==================================================
operate, second_round       ``redemption_capacity_bn`` (the gate)
raise_liquidity             ``liquidity_actions``
second_round (margin calls) ``pledged_collateral``
service_debt, invest        ``rolls_over``, ``lends_against_gpus`` (not while gated)
==========================  ==================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from agents.base import Institution, Rules
from agents.decisions import Holding, LiquidityAction, Order, Pledge
from agents.names import InstitutionKind


class PrivateCreditRules(Rules):
    gate_share_per_month: float = Field(
        0.0167, ge=0, le=1, description="redemptions paid per month as a share of NAV (5%/quarter)"
    )
    loan_sale_haircut: float = Field(0.15, ge=0, le=1, description="discount when it sells loans outside")


class PrivateCreditFund(Institution):
    kind = InstitutionKind.PRIVATE_CREDIT
    Rules = PrivateCreditRules
    rules: PrivateCreditRules

    def redemption_capacity_bn(self, nav_bn: float) -> float:
        """Most it pays out to redeeming investors this month before gating."""
        return max(nav_bn, 0.0) * self.rules.gate_share_per_month

    def is_gated(self) -> bool:
        """Are investors waiting for redemptions it gated?"""
        return bool(self.situation.redemptions_waiting_bn[self.index] > 1e-9)

    def rolls_over(self, borrower_status: str) -> bool:
        """As any lender, but not while it is gated: what borrowers repay goes to the investors
        waiting (the sources' "neocloud refinancing refused" in a private-credit run).
        """
        return not self.is_gated() and super().rolls_over(borrower_status)

    def lends_against_gpus(self, requested_bn: float, available_bn: float) -> float:
        """As any lender, but nothing new while it is gated."""
        return 0.0 if self.is_gated() else super().lends_against_gpus(requested_bn, available_bn)

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        return [
            Order(LiquidityAction.DRAW_CREDIT),
            Order(LiquidityAction.CENTRAL_BANK),
            Order(LiquidityAction.SELL_LOANS, haircut=self.rules.loan_sale_haircut),
        ]

    def pledged_collateral(self, holdings: Sequence[Holding]) -> list[Pledge] | None:
        """Its credit lines are margined against its loan book: every loan and security it holds."""
        return [Pledge(h.credit_class, h.rating, h.value_bn) for h in holdings]
