"""Neoclouds (CoreWeave, Lambda, Crusoe): GPU clouds financed with GPU-backed debt.

Rules
-----
* Revenue: take-or-pay compute contracts with hyperscalers and labs, plus renting
  ``spot_share`` of their fleet on the spot market at the current rental rate and a
  utilisation that follows AI demand.
* Short of cash they **draw credit lines, then sell GPUs** that are not pledged to a lender
  (into the thin secondary market), and otherwise **miss payments**.
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules


class NeocloudRules(Rules):
    spot_share: float = Field(0.2, ge=0, le=1, description="share of its GPU fleet rented on the spot market")
    spot_utilisation: float = Field(0.85, ge=0, le=1, description="spot utilisation when demand meets expectations")
    sells_gpus_when_short: bool = Field(True, description="sell unpledged GPUs to meet payments")


class Neocloud(Institution):
    kind = "neocloud"
    Rules = NeocloudRules

    def liquidity_actions(self, shortfall_bn: float) -> list[tuple]:
        actions: list[tuple] = [("draw_credit", shortfall_bn)]
        if self.rules.sells_gpus_when_short:
            actions.append(("sell_gpus", shortfall_bn))
        return actions
