"""Neoclouds (CoreWeave, Lambda, Crusoe): GPU clouds financed with GPU-backed debt.

Rules
-----
* Revenue: take-or-pay compute contracts with hyperscalers and labs, plus renting
  ``spot_share`` of their fleet on the spot market at the current rental rate and a
  utilisation that follows AI demand (``spot_utilisation`` when demand meets expectations).
* Capex: chip purchases their cash does not cover are financed with **new GPU-backed loans** from
  their GPU lender (up to ``capex_financing_share`` of the purchase), while that lender is
  willing: the debt book grows on the way up, and stops growing when sentiment falls.
* Short of cash they **draw credit lines**, borrow from the central bank (when it lends), then
  **sell GPUs** that are not pledged to a lender (into the thin secondary market, oldest
  generation first), and otherwise **miss payments**.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
invest           ``capex_borrowing_bn``
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
    capex_financing_share: float = Field(
        0.8,
        ge=0,
        le=1,
        description="share of a chip purchase it finances with a new loan against the GPUs bought, when its cash "
        "does not cover the purchase (0: it buys only what its cash covers)",
    )


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

    def capex_borrowing_bn(self, purchase_bn: float, gap_bn: float) -> float:
        """New GPU-backed borrowing it wants for a chip purchase of ``purchase_bn`` whose cash
        falls ``gap_bn`` short: the gap, up to ``capex_financing_share`` of the purchase.
        """
        return min(max(gap_bn, 0.0), self.rules.capex_financing_share * purchase_bn)

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        orders = [Order(LiquidityAction.DRAW_CREDIT), Order(LiquidityAction.CENTRAL_BANK)]
        if self.rules.sells_gpus_when_short:
            orders.append(Order(LiquidityAction.SELL_GPUS))
        return orders
