"""Private-credit funds (Blackstone, Blue Owl): lend to AI infrastructure, fund themselves with
investors' money (insurers, pensions, 401(k) savers) and bank credit lines -- shadow banking.

Rules
-----
* NAV = assets - liabilities, marked each round; investors redeem at NAV.
* **Redemptions** are paid up to ``gate_share_per_month`` of NAV a month; beyond that the fund
  **gates** (the rest waits).
* Short of cash it draws on its bank credit line, then **sells loans** to outside buyers at a
  ``loan_sale_haircut`` discount.
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules


class PrivateCreditRules(Rules):
    gate_share_per_month: float = Field(
        0.0167, ge=0, le=1, description="redemptions paid per month as a share of NAV (5%/quarter)"
    )
    loan_sale_haircut: float = Field(0.15, ge=0, le=1, description="discount when it sells loans outside")


class PrivateCreditFund(Institution):
    kind = "private_credit"
    Rules = PrivateCreditRules

    def redemption_capacity_bn(self, nav_bn: float) -> float:
        """Most it pays out to redeeming investors this month before gating."""
        return max(nav_bn, 0.0) * self.rules.gate_share_per_month

    def liquidity_actions(self, shortfall_bn: float) -> list[tuple]:
        return [("draw_credit", shortfall_bn), ("sell_loans", shortfall_bn)]
