"""Leveraged funds (a hedge fund or CLO-like vehicle): hold ABS tranches financed by repo from a
bank -- the leveraged holder the sources' "AAA to junk" fire sale needs.

Rules
-----
* Its repo line is **margined against its ABS**: the bank lends the value of the tranches it
  pledges after a haircut set by their rating (``agents.bank``: ``repo_haircut_aaa`` ...). When a
  tranche is downgraded -- a lease cut leaves its SPV's assets short of the tranche -- or its
  price falls, the bank calls margin.
* Short of cash (a margin call falls due) it draws what is left of its line, borrows from the
  central bank when it lends, then **sells its ABS** into the ABS markets at their price: a
  forced seller whose sales move the price every holder marks.
* It takes no new positions and pays no dividends: its equity is its investors' first loss.

Which phase asks what
---------------------
==========================  ==================================================
phase                       method
==========================  ==================================================
second_round (margin calls) ``pledged_collateral``
raise_liquidity             ``liquidity_actions``
==========================  ==================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from agents.base import Institution, Rules
from agents.decisions import Holding, LiquidityAction, Order, Pledge
from agents.names import CreditClass, InstitutionKind

ABS_CLASSES = (CreditClass.ABS_SENIOR, CreditClass.ABS_JUNIOR)


class LeveragedFundRules(Rules):
    abs_sale_haircut: float = Field(
        0.0, ge=0, le=1, description="discount it accepts on top of the market's when it sells ABS it holds directly"
    )


class LeveragedFund(Institution):
    kind = InstitutionKind.LEVERAGED_FUND
    Rules = LeveragedFundRules
    rules: LeveragedFundRules

    def pledged_collateral(self, holdings: Sequence[Holding]) -> list[Pledge] | None:
        """Its repo is secured by every ABS tranche and ABS security it holds."""
        return [Pledge(h.credit_class, h.rating, h.value_bn) for h in holdings if h.credit_class in ABS_CLASSES]

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        return [
            Order(LiquidityAction.DRAW_CREDIT),
            Order(LiquidityAction.CENTRAL_BANK),
            Order(LiquidityAction.SELL_LOANS, haircut=self.rules.abs_sale_haircut),
        ]
