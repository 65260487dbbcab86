"""Retail savers: 401(k) money given access to private credit (August 2025 executive order,
ATL-1). They hold fund shares and redeem quickly when NAVs fall -- the run-prone investor.

Which phase asks what
---------------------
=======================  ==================================================
phase                    method
=======================  ==================================================
operate, second_round    ``redemption_share`` (the default, with its own
                         ``redemption_sensitivity``)
=======================  ==================================================
They cannot be stressed (no covenants or capital ratios here).
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules
from agents.names import InstitutionKind


class RetailRules(Rules):
    redemption_base_per_month: float = Field(0.0, ge=0, le=1)
    redemption_sensitivity: float = Field(
        3.0, ge=0, le=20, description="monthly redemption share per unit NAV drawdown"
    )


class RetailSavers(Institution):
    kind = InstitutionKind.RETAIL
    Rules = RetailRules

    can_be_stressed = False  # households have no covenants or capital ratios here
