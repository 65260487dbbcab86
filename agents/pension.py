"""Pension funds and endowments: long-horizon investors in private credit and data-centre ABS.

They are not capital-regulated like insurers, but they rebalance the same way
(``agents.capital``): when their equity cushion against risk-weighted assets falls below
``min_capital_ratio`` (a funding-ratio floor) they sell risky assets, and they redeem from
private-credit funds when NAVs fall (``redemption_share``).

Which phase asks what (all inherited from ``agents.capital.CapitalRegulated``)
-----------------------------------------------------------------------------
===============  =========================================================
phase            method
===============  =========================================================
operate          as an investor in funds ``redemption_share`` (the default)
raise_liquidity  ``liquidity_actions``: the central bank, Treasuries, credit lines
second_round     ``derisking_sale_bn``, ``derisking_orders``; ``redemption_share``
(world)          ``risk_weights``
===============  =========================================================
"""

from __future__ import annotations

from pydantic import Field

from agents.capital import CapitalRegulated, CapitalRules
from agents.names import InstitutionKind


class PensionRules(CapitalRules):
    statutory_capital: bool = Field(
        True, description="funding is measured on smoothed (actuarial) asset values: rates alone never force a sale"
    )


class Pension(CapitalRegulated):
    kind = InstitutionKind.PENSION
    Rules = PensionRules
