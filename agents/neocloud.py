"""Neoclouds (CoreWeave, Lambda, Crusoe): GPU clouds financed with GPU-backed debt.

Rules
-----
* Revenue: take-or-pay compute contracts with hyperscalers and labs, plus renting
  ``spot_share`` of their fleet on the spot market at the current rental rate and a
  utilisation that follows AI demand (``spot_utilisation`` when demand meets expectations).
* Short of cash they **draw credit lines**, borrow from the central bank (when it lends), then
  **sell GPUs** that are not pledged to a lender (into the thin secondary market, oldest
  generation first), and otherwise **miss payments**.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
raise_liquidity  ``liquidity_actions`` (and the default ``gpus_to_sell``)
(world)          ``spot_share``, ``spot_utilisation``
===============  =========================================================
Everything else is the default of ``agents.base.Institution``; as lenders' borrowers, their
loans' covenants are tested in ``test_covenants``.
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules
from agents.decisions import LiquidityAction, Order
from agents.names import InstitutionKind


class NeocloudRules(Rules):
    spot_share: float = Field(0.2, ge=0, le=1, description="share of its GPU fleet rented on the spot market")
    spot_utilisation: float = Field(0.85, ge=0, le=1, description="spot utilisation when demand meets expectations")
    sells_gpus_when_short: bool = Field(True, description="sell unpledged GPUs to meet payments")


class Neocloud(Institution):
    kind = InstitutionKind.NEOCLOUD
    Rules = NeocloudRules
    rules: NeocloudRules

    @property
    def spot_share(self) -> float:
        return self.rules.spot_share

    @property
    def spot_utilisation(self) -> float:
        return self.rules.spot_utilisation

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        orders = [Order(LiquidityAction.DRAW_CREDIT), Order(LiquidityAction.CENTRAL_BANK)]
        if self.rules.sells_gpus_when_short:
            orders.append(Order(LiquidityAction.SELL_GPUS))
        return orders
