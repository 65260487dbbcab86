"""Hyperscalers (Microsoft, Amazon, Alphabet, Meta, Oracle): large, mostly self-funded clouds.

Rules
-----
* Capex: each month they buy GPUs from the chip maker according to their plan, scaled by AI
  demand relative to what was expected (capped at ``max_capex_scale``), and cut by
  ``capex_cut_when_stressed`` when stressed.
* Leases: when AI demand falls below ``lease_exit_demand_ratio`` of expectations they
  renegotiate their data-centre leases down by ``lease_cut`` (once per lease) -- the event that
  turns "AAA" lease-backed paper into losses.
* Short of cash: draw on credit lines, borrow from the central bank (when it lends), then issue
  bonds to outside investors while the bond market is open (sentiment at least
  ``bond_market_sentiment_floor``).

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
operate          ``contract_cut_wanted``
invest           ``capex_scale``
raise_liquidity  ``liquidity_actions``
===============  =========================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules
from agents.decisions import LiquidityAction, Order
from agents.names import ExecutoryKind, InstitutionKind


class HyperscalerRules(Rules):
    max_capex_scale: float = Field(1.5, ge=0, le=10, description="cap on capex relative to plan")
    capex_cut_when_stressed: float = Field(0.5, ge=0, le=1, description="share of capex cut when stressed")
    lease_exit_demand_ratio: float = Field(
        0.5, ge=0, le=2, description="AI demand / expected demand below which it renegotiates leases"
    )
    lease_cut: float = Field(0.3, ge=0, le=1, description="share by which a renegotiated lease is cut")
    bond_market_sentiment_floor: float = Field(
        0.6, ge=0, le=2, description="sentiment below which the bond market is closed to it"
    )


class Hyperscaler(Institution):
    kind = InstitutionKind.HYPERSCALER
    Rules = HyperscalerRules
    rules: HyperscalerRules

    def capex_scale(self, demand_ratio: float) -> float:
        """Multiplier on its planned chip purchases this month."""
        scale = min(max(demand_ratio, 0.0), self.rules.max_capex_scale) * self.rate_capex_factor()
        if self.is_stressed():
            scale *= 1.0 - self.rules.capex_cut_when_stressed
        return scale

    def contract_cut_wanted(self, kind: ExecutoryKind, demand_ratio: float) -> float:
        """Share by which it wants to cut its AI data-centre leases (0 = keep them); it keeps
        its compute contracts.
        """
        if kind == ExecutoryKind.LEASE and demand_ratio < self.rules.lease_exit_demand_ratio:
            return self.rules.lease_cut
        return 0.0

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        orders = [Order(LiquidityAction.DRAW_CREDIT), Order(LiquidityAction.CENTRAL_BANK)]
        if self.situation.sentiment >= self.rules.bond_market_sentiment_floor:
            orders.append(Order(LiquidityAction.ISSUE_BONDS))
        return orders
