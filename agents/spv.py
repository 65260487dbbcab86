"""Special-purpose vehicles (the Meta--Blue Owl Louisiana data centre): build a data centre,
lease it to a hyperscaler, and pass the lease cash to ABS tranche holders.

Rules
-----
* Its only asset is the data centre, worth the lease it earns: a renegotiated lease re-marks
  the data centre in proportion to the cut.
* Lease cash is paid out through a **sequential waterfall**: senior coupons first, then
  mezzanine; losses hit the equity piece first, then mezzanine, then senior.
* It has no other source of cash: a coupon it cannot pay is a default.
"""

from __future__ import annotations

from agents.base import Institution, Rules


class SpvRules(Rules):
    pass


class SPV(Institution):
    kind = "spv"
    Rules = SpvRules

    def liquidity_actions(self, shortfall_bn: float) -> list[tuple]:
        return []
