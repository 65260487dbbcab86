"""Life insurers: long-dated policy reserves funded by bonds, ABS tranches and private credit
(nearly $1T of private-credit holdings at the large life insurers, ATL-1).

They follow the capital-regulated rule (``agents.capital``): below their risk-based capital
floor they sell risky assets; short of cash they borrow from the central bank (when it lends),
then sell Treasuries, then draw credit lines. They invest in
private-credit funds and redeem from them when NAVs fall (``redemption_share``, the default of
``agents.base.Institution`` with the scenario's rules).

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


class InsurerRules(CapitalRules):
    statutory_capital: bool = Field(
        True, description="statutory accounting: bonds at amortised cost, so rates alone never force a sale"
    )


class Insurer(CapitalRegulated):
    kind = InstitutionKind.INSURER
    Rules = InsurerRules
