"""The institution every agent kind builds on: a Mesa agent with rules and decisions.

An institution does not store its balance sheet: the ledger holds everyone's, as arrays, and the
institution reads what it needs from its ``Situation`` (``agents.situation``). Its *decisions*
are the methods below, with the defaults every kind starts from; each kind's module overrides
the ones where that kind behaves differently. A decision method returns a decision, an amount
or orders, and changes nothing: the engine's phases ask every institution concerned on the same
state, then apply all the answers together, so the order in which institutions are asked never
changes the outcome.

Rules are explicit parameters (a frozen pydantic model per kind) so that a student can read, and
a scenario can change, what each institution does.

Which phase asks what (the defaults; see each kind's module for its own table)
------------------------------------------------------------------------------
==================  =================================================================
phase               methods
==================  =================================================================
operate             ``funding_round_bn``, ``contract_cut_wanted``, ``renews_compute``,
                    ``real_asset_value_after_lease_cut``; as an investor in a fund
                    ``redemption_share``; as a fund ``redemption_capacity_bn``
service_debt        as a lender ``rolls_over``, ``rollover_term_months``
invest              ``capex_scale``, ``capex_borrowing_bn``, ``funds_customers``,
                    ``payout_bn``; as a lender ``lends_against_gpus``
test_covenants      as a lender ``expected_recovery``, ``respond_to_breach``
raise_liquidity     ``liquidity_actions``, ``gpus_to_sell``, ``securities_to_sell``,
                    ``contracts_to_cut``; as a
                    lender ``allows_drawing``
second_round        ``redemption_share`` / ``redemption_capacity_bn`` (second wave);
                    as a lender ``margin_call``, as a borrower ``pledged_collateral``;
                    ``derisking_sale_bn``, ``derisking_orders``,
                    ``regulatory_capital_ratio``; LTV re-tests as in
                    test_covenants
(building the world) ``spot_share``, ``spot_utilisation``, ``production_cost_share``,
                    ``risk_weights``, ``can_be_stressed``
==================  =================================================================
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import ClassVar

import mesa
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agents.decisions import (
    ACCELERATE,
    REPRICE,
    WAIVE,
    Breach,
    BreachAnswer,
    Commitment,
    Cut,
    Holding,
    LiquidityAction,
    MarginCall,
    Order,
    Pledge,
    Sale,
)
from agents.names import CREDIT_CLASSES, Covenant, ExecutoryKind, Status
from agents.situation import Situation

RISK_CLASSES = ("other", *CREDIT_CLASSES, "equity", "fund_share", "real")
"""Asset classes with their own risk weight: other assets at book, the credit classes (debt rows
by their ``credit_class``, outside securities by theirs), stakes, and ``real`` (GPUs and data
centres); see ``agents.capital``."""


def stressed_flags(assets_bn, equity_bn, cash_bn, outflows_bn, stress_equity_ratio, buffer_months, can_be_stressed):
    """The stress rule, for every institution at once (arrays, one entry per institution).

    An institution is *stressed* when its equity is below ``stress_equity_ratio`` of its assets,
    or its cash is below ``buffer_months`` of the month's scheduled outflows -- unless it cannot
    be stressed at all (a central bank creates its own reserves; households have no covenants).
    """
    equity_ratio = np.divide(equity_bn, assets_bn, out=np.zeros(len(assets_bn)), where=assets_bn > 0)
    return can_be_stressed & ((equity_ratio < stress_equity_ratio) | (cash_bn < buffer_months * outflows_bn))


class Rules(BaseModel):
    """Decision parameters shared by every institution. Rates are per year, shares in [0, 1].

    Strict: a number must be given as a number (not ``true`` or ``"0.5"``), a whole number as an
    integer and a switch as ``true``/``false``, so that a typo is an error, not a silent 1.0.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    liquidity_buffer_months: float = Field(
        1.0, ge=0, le=24, description="cash it wants to hold, in months of its scheduled outflows"
    )
    stress_equity_ratio: float = Field(
        0.05, ge=0, le=1, description="equity / assets below which it counts as stressed"
    )
    # --- as a company with shareholders outside the model
    payout_bn_per_month: float = Field(
        0.0,
        ge=0,
        le=1e5,
        description="dividends and buybacks it plans to pay its shareholders, US$ bn a month (0: it reinvests)",
    )
    capex_rate_sensitivity: float = Field(
        5.0,
        ge=0,
        le=100,
        description="its planned chip purchases shrink by exp(-this x rise in the base rate since month 0, per "
        "year): dearer funding defers capex (assumption: ~5% less per +100 bp)",
    )
    # --- as a customer of compute
    compute_renewal_months: int = Field(
        24, ge=0, le=480, description="term of a compute contract it renews when one ends, months (0: never renews)"
    )
    compute_renewal_demand_floor: float = Field(
        0.5, ge=0, le=2, description="AI demand / expected below which it lets compute contracts lapse"
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
    new_lending_sentiment_floor: float = Field(
        0.85, ge=0, le=2, description="market sentiment below which it makes no new GPU-backed loans"
    )
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


RulesModel = Rules
"""(The base rules model, by a name that the ``Rules`` attribute of agent classes does not hide.)"""

STRESSED_EXTRA_REDEMPTION = 0.05
"""Extra share of a fund holding a stressed investor redeems each month, to raise cash."""


class Institution(mesa.Agent):
    """A financial or industrial institution in the AI-finance network.

    Parameters
    ----------
    model : mesa.Model
    index : int
        Row of this institution in the ledger's arrays (also its deal-graph node id).
    name : str
    rules : Rules
        Its decision parameters (the kind's ``Rules`` model).
    situation : Situation
        What it reads when it decides (``agents.situation``).

    Attributes
    ----------
    status : str
        A ``Status``, as of the last month end (a default shows at once).
    equity, cash, leverage, ltv, dscr
        Its figures at the last month end (what the DataCollector records: US$ bn, assets /
        equity, highest LTV of its GPU-backed loans, debt-service coverage; None where
        undefined).
    """

    kind: ClassVar[str] = "institution"
    Rules: ClassVar[type[RulesModel]] = RulesModel
    can_be_stressed: ClassVar[bool] = True

    def __init__(self, model: mesa.Model, index: int, name: str, rules: RulesModel, situation: Situation):
        super().__init__(model)
        self.index = index
        self.name = name
        self.rules = rules
        self.situation = situation

    # ------------------------------------------------------------------ month-end figures
    @property
    def status(self) -> str:
        if self.situation.defaulted[self.index]:
            return Status.DEFAULTED
        return self.situation.month_end.status[self.index]

    equity = property(
        lambda self: self.situation.month_end.equity_bn[self.index], doc="equity at the last month end, US$ bn"
    )
    cash = property(lambda self: self.situation.month_end.cash_bn[self.index], doc="cash at the last month end, US$ bn")
    leverage = property(
        lambda self: self.situation.month_end.leverage[self.index],
        doc="assets / equity (None if equity is under a dollar)",
    )
    ltv = property(
        lambda self: self.situation.month_end.ltv[self.index], doc="highest LTV of its GPU-backed loans, or None"
    )
    dscr = property(lambda self: self.situation.month_end.dscr[self.index], doc="debt-service coverage, or None")

    # ------------------------------------------------------------------ current figures
    @property
    def cash_bn(self) -> float:
        return float(self.situation.cash_bn[self.index])

    @property
    def defaulted(self) -> bool:
        return bool(self.situation.defaulted[self.index])

    @property
    def defaulted_month(self) -> int | None:
        month = int(self.situation.defaulted_month[self.index])
        return None if month < 0 else month

    def equity_bn(self) -> float:
        return float(self.situation.equity_bn[self.index])

    def assets_bn(self) -> float:
        return float(self.situation.assets_bn[self.index])

    def is_stressed(self) -> bool:
        """Low equity relative to assets, or cash below its liquidity buffer (the rule is
        ``stressed_flags``, applied to everyone each time the engine refreshes its views).
        """
        return bool(self.situation.stressed[self.index])

    # ------------------------------------------------------------------ constants of its kind
    @property
    def spot_share(self) -> float:
        """Share of its GPU fleet it rents out on the spot market (0: it rents none)."""
        return 0.0

    @property
    def spot_utilisation(self) -> float:
        """Spot utilisation when AI demand meets expectations."""
        return 0.0

    @property
    def production_cost_share(self) -> float:
        """Cost of the chips it sells, as a share of their price, paid to suppliers outside."""
        return 0.0

    def risk_weights(self) -> np.ndarray:
        """Its risk weight per ``RISK_CLASSES`` entry (zeros: it has no capital rule)."""
        return np.zeros(len(RISK_CLASSES))

    # ------------------------------------------------------------------ as a lender
    def expected_recovery(self, value_bn: float, claim_bn: float) -> float:
        """Share of a claim of ``claim_bn`` it expects to recover from assets worth ``value_bn``
        if it accelerates now (after its ``liquidation_discount``), in [0, 1].
        """
        if claim_bn <= 0:
            return 1.0
        recovery = value_bn * (1 - self.rules.liquidation_discount) / claim_bn
        return min(max(float(recovery), 0.0), 1.0)

    def respond_to_breach(self, breach: Breach) -> BreachAnswer:
        """Waive, reprice or accelerate a borrower's covenant breach.

        * A lender that is itself stressed accelerates: it cannot afford to wait.
        * A mild breach (severity within ``waiver_propensity x max_waiver_severity``) is waived
          while the loan has had fewer than ``max_waivers`` waivers ("technical default, waived").
        * A severe breach (beyond ``max_reprice_severity``: the collateral has collapsed) is
          accelerated: waiting would only let other lenders sell first.
        * So is a breach where the collateral covers the loan well (expected recovery at least
          ``acceleration_recovery_threshold``): accelerating costs little.
        * Otherwise accelerating would crystallise a loss: amend and extend at
          ``reprice_spread_per_year`` more, resetting the covenant ``covenant_reset_headroom``
          beyond today's value ("extend and pretend") -- at most ``max_amendments`` times per
          loan; after that its patience is gone: accelerate.
        """
        r = self.rules
        if self.is_stressed():
            return BreachAnswer(ACCELERATE)
        if breach.severity <= r.waiver_propensity * r.max_waiver_severity and breach.waivers < r.max_waivers:
            return BreachAnswer(WAIVE)
        if breach.severity > r.max_reprice_severity or breach.expected_recovery >= r.acceleration_recovery_threshold:
            return BreachAnswer(ACCELERATE)
        if breach.amendments >= r.max_amendments:
            return BreachAnswer(ACCELERATE)
        if breach.covenant == Covenant.LTV:
            reset = breach.value * (1 + r.covenant_reset_headroom)
        else:  # DSCR and minimum liquidity are floors: the reset sits below today's value
            reset = max(breach.value, 0.0) / (1 + r.covenant_reset_headroom)
        return BreachAnswer(REPRICE, r.reprice_spread_per_year, reset)

    def rolls_over(self, borrower_status: str) -> bool:
        """Refinance a maturing loan? Only for a borrower that is not in breach or default,
        when this lender is not stressed and markets are calm enough.
        """
        return (
            not self.is_stressed()
            and borrower_status in (Status.HEALTHY, Status.STRESSED)
            and self.situation.sentiment >= self.rules.rollover_sentiment_floor
        )

    def rollover_term_months(self) -> int:
        """Term of the loan it rolls over, months."""
        return self.rules.rollover_term_months

    def capex_borrowing_bn(self, purchase_bn: float, gap_bn: float) -> float:
        """New borrowing it wants against GPUs it buys (none: it buys what its cash covers)."""
        return 0.0

    def lends_against_gpus(self, requested_bn: float, available_bn: float) -> float:
        """How much of a new GPU-backed loan of ``requested_bn`` it makes, from ``available_bn``
        of spare cash: all it can while it is not stressed and sentiment is at least
        ``new_lending_sentiment_floor``; nothing otherwise.
        """
        if self.is_stressed() or self.situation.sentiment < self.rules.new_lending_sentiment_floor:
            return 0.0
        return min(max(requested_bn, 0.0), max(available_bn, 0.0))

    def allows_drawing(self) -> bool:
        """Does it let borrowers draw more on the credit lines it has granted? Not once it is
        stressed or has defaulted.
        """
        return not self.defaulted and not self.is_stressed()

    def margin_call(self, drawn_bn: float, pledges: Sequence[Pledge], called_bn: float) -> MarginCall | None:
        """Call part of a credit line drawn ``drawn_bn`` against the borrower's ``pledges``
        (``called_bn`` already called this month)? By default it does not.
        """
        return None

    # ------------------------------------------------------------------ as an investor
    def redemption_share(self, nav_drawdown: float) -> float:
        """Share of a fund holding to redeem this month, given the fund's NAV drawdown (0 = at
        the reference NAV). Stressed investors redeem more, to raise cash.
        """
        r = self.rules
        excess = max(nav_drawdown - r.redemption_drawdown_tolerance, 0.0)
        share = r.redemption_base_per_month + r.redemption_sensitivity * excess
        if self.is_stressed():
            share += STRESSED_EXTRA_REDEMPTION
        return min(max(float(share), 0.0), 1.0)

    def derisking_sale_bn(self) -> float:
        """Risk-weighted assets (US$ bn) it wants to shed this round to restore its capital
        ratio (none: it has no capital rule).
        """
        return 0.0

    def securities_to_sell(self, need_bn: float, values_bn: Sequence[float]) -> list[tuple[int, float]]:
        """Outside securities it sells for ``need_bn`` of cash: (credit class, value) pairs
        (none).
        """
        return []

    def derisking_orders(self, holdings: Sequence[Holding], target_bn: float) -> list[Sale]:
        """Which of its debt ``holdings`` it puts up for sale to shed ``target_bn`` (none)."""
        return []

    # ------------------------------------------------------------------ as an issuer of fund units
    def redemption_capacity_bn(self, nav_bn: float) -> float:
        """Most it pays out to redeeming investors this month before gating (no limit of its
        own: only its cash and undrawn credit lines bound it).
        """
        return math.inf

    # ------------------------------------------------------------------ as a borrower
    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        """What it does when cash falls ``shortfall_bn`` short of what it must pay this month.

        Returns the orders to try, in order, until the shortfall is covered; whatever is still
        short is missed in the clearing. The default: draw on credit lines, then borrow from
        the central bank (if it lends).
        """
        return [Order(LiquidityAction.DRAW_CREDIT), Order(LiquidityAction.CENTRAL_BANK)]

    def gpus_to_sell(
        self, need_bn: float, free_units_k: np.ndarray, price_bn: np.ndarray, launch_month: np.ndarray
    ) -> list[tuple[int, float]]:
        """Which unpledged GPUs to offer, worth about ``need_bn`` at today's prices: the oldest
        generation first. Returns ``(generation, thousands of units)`` pairs.
        """
        offers: list[tuple[int, float]] = []
        offered = 0.0
        for gen in np.argsort(launch_month).tolist():
            price = float(price_bn[gen])
            if price <= 0 or free_units_k[gen] <= 1e-12:
                continue
            units = min(float(free_units_k[gen]), (need_bn - offered) / price)
            offers.append((gen, units))
            offered += units * price
            if offered >= need_bn - 1e-12:
                break
        return offers

    def contracts_to_cut(self, commitments: Sequence[Commitment]) -> list[Cut]:
        """Which compute commitments it renegotiates down when short of cash (none)."""
        return []

    def pledged_collateral(self, holdings: Sequence[Holding]) -> list[Pledge] | None:
        """What its margined credit lines are secured by, among its ``holdings`` (None: its
        lines are not margined).
        """
        return None

    def capital_ratio(self) -> float | None:
        """Capital ratio at market, for kinds that have one (insurers, pensions, banks)."""
        return None

    def regulatory_capital_ratio(self) -> float | None:
        """The capital ratio its capital rule reads (the one at market, unless its kind says
        otherwise).
        """
        return self.capital_ratio()

    # ------------------------------------------------------------------ as a company
    def funding_round_bn(self, burn_bn_per_month: float) -> float:
        """Equity it raises from investors outside the model this month (none)."""
        return 0.0

    def contract_cut_wanted(self, kind: ExecutoryKind, demand_ratio: float) -> float:
        """Share by which it wants to renegotiate down each contract of ``kind`` it pays (a
        data-centre lease or a compute contract) that it has not renegotiated yet, given AI
        demand relative to expectations (0 = keep them as they are).
        """
        return 0.0

    def real_asset_value_after_lease_cut(self, value_bn: float, cut: float) -> float:
        """Value of its real assets after a lease it earns is cut by ``cut`` (unchanged: its
        real assets do not depend on one lease).
        """
        return value_bn

    def capex_scale(self, demand_ratio: float) -> float:
        """Multiplier on its planned chip purchases this month: as planned, less what dearer
        funding defers (``capex_rate_sensitivity``).
        """
        return self.rate_capex_factor()

    def rate_capex_factor(self) -> float:
        """``exp(-capex_rate_sensitivity x rise in the base rate)``: 1 while rates are at or below
        their month-0 level.
        """
        rise = max(self.situation.base_rate_rise_per_year, 0.0)
        return math.exp(-self.rules.capex_rate_sensitivity * rise) if rise > 0 else 1.0

    @property
    def pays_shareholders(self) -> bool:
        """Does it ever pay dividends or buybacks to shareholders outside the model?"""
        return self.rules.payout_bn_per_month > 0

    def payout_bn(self, spare_bn: float) -> float:
        """Dividends and buybacks it pays this month (US$ bn): its plan, from cash left after
        investing -- and nothing while it is stressed: a company under stress cuts its payout
        before anything else.
        """
        if self.is_stressed():
            return 0.0
        return min(self.rules.payout_bn_per_month, max(spare_bn, 0.0))

    def renews_compute(self, demand_ratio: float) -> int:
        """Months for which it renews a compute contract that has just ended, at today's market
        rent (0: it lets it lapse): ``compute_renewal_months`` while it is not stressed and AI
        demand holds up.
        """
        if self.is_stressed() or demand_ratio < self.rules.compute_renewal_demand_floor:
            return 0
        return self.rules.compute_renewal_months

    def funds_customers(self) -> bool:
        """Pay this month's equity-funding commitments to its customers? While not stressed."""
        return not self.is_stressed()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"
