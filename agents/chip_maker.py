"""The chip maker (Nvidia): sells GPUs to clouds and labs, and invests in its own customers.

Rules
-----
* Each month it is paid for the chips its customers' capex plans buy; making them costs
  ``cost_of_goods_share`` of the price, paid to suppliers outside the model.
* It funds its customers (equity-funding commitments such as the up-to-$100B OpenAI deal)
  **while its own equity allows**: only while its market value stays above
  ``funding_equity_floor`` x its opening value and it is not itself stressed.
* Short of cash, it stops funding customers first (see above), then draws on credit lines.

Which phase asks what
---------------------
=============  =========================================================
phase          method
=============  =========================================================
invest         ``funds_customers`` (its own rule, above)
(world)        ``production_cost_share``
=============  =========================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules
from agents.names import InstitutionKind


class ChipMakerRules(Rules):
    cost_of_goods_share: float = Field(0.30, ge=0, le=1, description="cost of making the chips, share of their price")
    funding_equity_floor: float = Field(
        0.6, ge=0, le=2, description="market value / opening market value below which it stops funding customers"
    )


class ChipMaker(Institution):
    kind = InstitutionKind.CHIP_MAKER
    Rules = ChipMakerRules
    rules: ChipMakerRules

    @property
    def production_cost_share(self) -> float:
        return self.rules.cost_of_goods_share

    def funds_customers(self) -> bool:
        """Pay this month's equity-funding commitments to customers?"""
        s = self.situation
        opening = s.opening_equity_value_bn[self.index]
        value = s.equity_value_bn[self.index]
        return bool(value >= self.rules.funding_equity_floor * opening) and not self.is_stressed()
