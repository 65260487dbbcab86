"""The institution every agent kind builds on: a Mesa agent with a balance sheet and rules.

An institution does not store its balance sheet: it reads its row of the model's ``Ledger``.
Its *decisions* are the small methods below (and their overrides in each kind's module). The
simulator asks for decisions, collects them for every institution on the same state, and only
then applies them, so the order in which institutions are asked never changes the outcome.

Rules are explicit parameters (a pydantic model per kind) so that a student can read, and a
scenario can change, what each institution does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import mesa
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:  # pragma: no cover
    from agents.ledger import Ledger

STATUSES = ("healthy", "stressed", "breached", "defaulted")


def stressed_flags(assets_bn, equity_bn, cash_bn, outflows_bn, stress_equity_ratio, buffer_months, can_be_stressed):
    """The stress rule, for every institution at once (arrays, one entry per institution).

    An institution is *stressed* when its equity is below ``stress_equity_ratio`` of its assets,
    or its cash is below ``buffer_months`` of the month's scheduled outflows -- unless it cannot
    be stressed at all (a central bank creates its own reserves; households have no covenants).
    """
    equity_ratio = np.divide(equity_bn, assets_bn, out=np.zeros(len(assets_bn)), where=assets_bn > 0)
    return can_be_stressed & ((equity_ratio < stress_equity_ratio) | (cash_bn < buffer_months * outflows_bn))


class Rules(BaseModel):
    """Decision parameters shared by every institution. Rates are per year, shares in [0, 1]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    liquidity_buffer_months: float = Field(
        1.0, ge=0, le=24, description="cash it wants to hold, in months of its scheduled outflows"
    )
    stress_equity_ratio: float = Field(
        0.05, ge=0, le=1, description="equity / assets below which it counts as stressed"
    )
    # --- as a lender (any institution that holds loans, bonds or credit lines)
    waiver_propensity: float = Field(
        0.5, ge=0, le=1, description="0 = never waives a covenant breach, 1 = waives up to max_waiver_severity"
    )
    max_waiver_severity: float = Field(
        0.25, ge=0, le=5, description="relative covenant excess a fully willing lender still waives"
    )
    max_waivers: int = Field(3, ge=0, le=100, description="waivers granted per loan before it stops waiving")
    max_amendments: int = Field(
        2, ge=0, le=100, description="amend-and-extends (repricings) per loan before it accelerates instead"
    )
    max_reprice_severity: float = Field(
        0.25, ge=0, le=10, description="relative covenant excess beyond which it accelerates rather than amends"
    )
    acceleration_recovery_threshold: float = Field(
        0.9, ge=0, le=2, description="expected recovery at which accelerating costs the lender little"
    )
    reprice_spread_per_year: float = Field(0.02, ge=0, le=0.5, description="spread added when it reprices")
    covenant_reset_headroom: float = Field(
        0.10, ge=0, le=1, description="headroom of a reset covenant after an amend-and-extend"
    )
    rollover_sentiment_floor: float = Field(
        0.7, ge=0, le=2, description="market sentiment below which it refuses to roll maturing debt"
    )
    rollover_term_months: int = Field(36, ge=1, le=480, description="term of a rolled loan, months")
    liquidation_discount: float = Field(
        0.3, ge=0, le=1, description="discount it expects when selling seized collateral"
    )
    # --- as an investor in funds
    redemption_base_per_month: float = Field(
        0.0, ge=0, le=1, description="share of fund holdings it redeems each month in calm markets"
    )
    redemption_sensitivity: float = Field(
        0.0, ge=0, le=20, description="extra monthly redemption share per unit of NAV drawdown"
    )
    redemption_drawdown_tolerance: float = Field(
        0.01, ge=0, le=1, description="NAV drawdown it ignores before redeeming more"
    )


@dataclass(frozen=True)
class Breach:
    """A covenant test that failed this month (what the lender decides about)."""

    row: int  # debt row in the ledger
    covenant: str  # "ltv", "dscr" or "min_liquidity"
    value: float  # measured LTV / DSCR / cash
    limit: float  # the covenant threshold
    severity: float  # relative distance beyond the threshold (>= 0)
    expected_recovery: float  # share of principal the lender expects if it accelerates now
    waivers: int
    amendments: int = 0


WAIVE, REPRICE, ACCELERATE = "waive", "reprice", "accelerate"


class Institution(mesa.Agent):
    """A financial or industrial institution in the AI-finance network.

    Attributes
    ----------
    index : int
        Row of this institution in the ledger's arrays (also its deal-graph node id).
    name, kind : str
    rules : Rules
        Its decision parameters.
    status : str
        One of ``STATUSES``, as of the last month-end snapshot (a default shows at once).
    equity, cash, leverage, ltv, dscr
        Its figures at the last month-end snapshot (what the DataCollector records: US$ bn,
        assets / equity, highest LTV of its GPU-backed loans, debt-service coverage; None where
        undefined). They are read from the model's snapshot, written once for everyone.
    """

    kind: ClassVar[str] = "institution"
    Rules: ClassVar[type[Rules]] = Rules
    can_be_stressed: ClassVar[bool] = True

    def __init__(self, model: mesa.Model, index: int, name: str, rules: Rules):
        super().__init__(model)
        self.index = index
        self.name = name
        self.rules = rules
        self.defaulted_month: int | None = None

    # ------------------------------------------------------------------ month-end snapshot
    # (model.agent_records: one tuple per institution, in simulator.reporters.AGENT_REPORTERS order)
    @property
    def status(self) -> str:
        return self.model.agent_status[self.index]

    @status.setter
    def status(self, value: str) -> None:
        self.model.agent_status[self.index] = value

    equity = property(lambda self: self.model.agent_records[self.index][4], doc="equity at the snapshot, US$ bn")
    cash = property(lambda self: self.model.agent_records[self.index][5], doc="cash at the snapshot, US$ bn")
    leverage = property(lambda self: self.model.agent_records[self.index][6], doc="assets / equity (None if equity <= 0)")
    ltv = property(lambda self: self.model.agent_records[self.index][7], doc="highest LTV of its GPU-backed loans, or None")
    dscr = property(lambda self: self.model.agent_records[self.index][8], doc="debt-service coverage, or None")

    # ------------------------------------------------------------------ views of the ledger
    @property
    def ledger(self) -> Ledger:
        return self.model.ledger

    @property
    def cash_bn(self) -> float:
        return float(self.ledger.cash_bn[self.index])

    @property
    def defaulted(self) -> bool:
        return self.defaulted_month is not None

    def equity_bn(self) -> float:
        return float(self.model.equity_bn[self.index])

    def assets_bn(self) -> float:
        return float(self.model.assets_bn[self.index])

    def is_stressed(self) -> bool:
        """Low equity relative to assets, or cash below its liquidity buffer (the rule is
        ``stressed_flags``, applied to everyone each time the model refreshes its views)."""
        return bool(self.model.stressed[self.index])

    # ------------------------------------------------------------------ as a lender
    def respond_to_breach(self, breach: Breach) -> str:
        """Waive, reprice or accelerate a borrower's covenant breach.

        * A lender that is itself stressed accelerates: it cannot afford to wait.
        * A mild breach (severity within ``waiver_propensity x max_waiver_severity``) is waived
          while the loan has had fewer than ``max_waivers`` waivers ("technical default, waived").
        * A severe breach (beyond ``max_reprice_severity``: the collateral has collapsed) is
          accelerated: waiting would only let other lenders sell first.
        * So is a breach where the collateral covers the loan well (expected recovery at least
          ``acceleration_recovery_threshold``): accelerating costs little.
        * Otherwise accelerating would crystallise a loss: amend and extend at a higher rate
          (reprice), resetting the covenant with some headroom ("extend and pretend") -- at most
          ``max_amendments`` times per loan; after that its patience is gone: accelerate.
        """
        r = self.rules
        if self.is_stressed():
            return ACCELERATE
        if breach.severity <= r.waiver_propensity * r.max_waiver_severity and breach.waivers < r.max_waivers:
            return WAIVE
        if breach.severity > r.max_reprice_severity or breach.expected_recovery >= r.acceleration_recovery_threshold:
            return ACCELERATE
        if breach.amendments >= r.max_amendments:
            return ACCELERATE
        return REPRICE

    def rolls_over(self, borrower: Institution, sentiment: float) -> bool:
        """Refinance a maturing loan? Only for a borrower that is not in breach or default,
        when this lender is not stressed and markets are calm enough."""
        return (
            not self.is_stressed()
            and borrower.status in ("healthy", "stressed")
            and sentiment >= self.rules.rollover_sentiment_floor
        )

    # ------------------------------------------------------------------ as an investor
    def redemption_share(self, nav_drawdown: float) -> float:
        """Share of a fund holding to redeem this month, given the fund's NAV drawdown from its
        peak (0 = at peak). Stressed investors redeem more, to raise cash."""
        r = self.rules
        excess = max(nav_drawdown - r.redemption_drawdown_tolerance, 0.0)
        share = r.redemption_base_per_month + r.redemption_sensitivity * excess
        if self.is_stressed():
            share += 0.05
        return min(max(float(share), 0.0), 1.0)

    # ------------------------------------------------------------------ as a borrower
    def liquidity_actions(self, shortfall_bn: float) -> list[tuple]:
        """What it does when cash falls ``shortfall_bn`` short of what it must pay this month.

        Returns an ordered list of actions for the simulator to carry out, e.g.
        ``("draw_credit", amount)``, ``("sell_gpus", amount)``, ``("cut_contracts", share)``,
        ``("raise_equity", amount)``, ``("sell_assets", amount)``. The default: draw on credit
        lines, then miss the payment (the clearing decides what it can pay).
        """
        return [("draw_credit", shortfall_bn)]

    def capital_ratio(self) -> float | None:
        """Regulatory capital ratio, for kinds that have one (insurers, banks)."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
