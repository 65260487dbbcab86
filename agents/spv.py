"""Special-purpose vehicles (the Meta--Blue Owl Louisiana data centre): build a data centre,
lease it to a hyperscaler, and pass the lease cash to ABS tranche holders.

Rules
-----
* Its only asset is the data centre, worth the lease it earns: a renegotiated lease re-marks
  the data centre in proportion to the cut.
* Lease cash is paid out through a **sequential waterfall**: senior coupons first, then
  mezzanine; losses hit the equity piece first, then mezzanine, then senior (the marks are
  applied by the engine, ``simulator.valuation.mark_abs_tranches``).
* It has no other source of cash: a coupon it cannot pay is a default -- unless the central
  bank lends to it.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
operate          ``real_asset_value_after_lease_cut``
raise_liquidity  ``liquidity_actions``
===============  =========================================================
"""

from __future__ import annotations

from agents.base import Institution, Rules
from agents.decisions import LiquidityAction, Order
from agents.names import InstitutionKind


class SpvRules(Rules):
    pass


class SPV(Institution):
    kind = InstitutionKind.SPV
    Rules = SpvRules

    def real_asset_value_after_lease_cut(self, value_bn: float, cut: float) -> float:
        """The data centre is worth the lease it earns."""
        return value_bn * (1 - cut)

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        return [Order(LiquidityAction.CENTRAL_BANK)]
