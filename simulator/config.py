"""Scenario configuration: YAML files in ``configs/`` validated into frozen, typed models.

Conventions (also in ``configs/README.md``): money in US$ billions (``*_bn``), flows in US$
billions per month (``*_bn_per_month``), time in months, rates and growth per year
(``*_per_year``), GPU quantities in thousands of units (``*_k``).

A scenario may ``extends:`` another; its keys are merged into the parent's recursively
(mappings merge, lists and scalars replace; an empty mapping replaces too, so ``debts: {}``
removes the parent's debts). ``load_scenario`` accepts a scenario name from
``configs/`` or a path, plus dotted ``key=value`` overrides (``markets.gpu.market_depth_bn=40``)
and named levers (``gpu_market_depth_bn=40``), and every problem is reported as a
``ConfigError`` naming the file, the field path and what is allowed.
"""

from __future__ import annotations

import copy
import math
import re
import types
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from agents.central_bank import CentralBankRules
from agents.names import (
    CREDIT_CLASSES,
    DEBT_KINDS,
    EXECUTORY_KINDS,
    STAKE_KINDS,
    TRANCHES,
    ContractKind,
    InstitutionKind,
    ShockKind,
    Tranche,
)
from agents.registry import AGENT_CLASSES


class ConfigError(ValueError):
    """A scenario, override or lever is invalid; the message names the source and field."""


class Strict(BaseModel):
    """Frozen, no unknown fields, no NaN or infinity, and strict types: a number must be written as
    a number (``true`` or ``"5"`` is not 1.0 or 5.0), a whole number as an integer (not 2.5) and
    a switch as ``true``/``false`` (not 1 or ``"yes"``). Names of kinds are read from text.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, strict=True)


# --------------------------------------------------------------------------- bounds
# Every size has an upper bound far above anything real, for two reasons: a larger value is a
# typo (1e308 for 1e3), and sums of such values overflow (cash of 1e308 made system equity
# infinite) or swallow everything else in rounding (a float64 keeps ~16 significant digits, so
# next to a principal of 1e305 a lender's loss of a few billion vanishes). With every amount at
# most 1e6 (US$ bn) a loss of US$1 million is still exact to ~1e-9 next to the largest balance,
# and a sum over thousands of institutions and 600 months stays far from overflow.
MAX_BN = 1e6
"""Largest amount of money, US$ bn: US$1,000 trillion, about ten times world GDP."""
MAX_BN_PER_MONTH = 1e5
"""Largest monthly flow, US$ bn per month: US$100 trillion a month, about a year of world GDP."""
MAX_UNITS_K = 1e6
"""Largest quantity of GPUs, thousands: a billion GPUs, hundreds of times all ever made."""
MIN_PRICE_BN_PER_K, MAX_PRICE_BN_PER_K = 1e-6, 10.0
"""GPU prices, US$ bn per thousand: US$1 to US$10 million per GPU (an H100 costs ~US$25,000)."""
MAX_RENT_BN_PER_K_MONTH = 1.0
"""Largest GPU rent, US$ bn per thousand per month: US$1 million per GPU per month."""
MIN_DEPTH_BN = 0.1
"""Thinnest market, US$ bn: US$100 million of sales cut prices by 1/e. Thinner markets drive a
fire-sale price to exactly 0 in floating point (exp(-sales / depth) underflows) after a single
forced sale; the gpu_market_depth_bn lever starts here too."""
_MONEY = "at most 1e6 = US$1,000 trillion, ~10x world GDP: larger is a typo and loses smaller sums in rounding"
_FLOW = "at most 1e5 = US$100 trillion a month, ~a year of world GDP: larger is a typo"
_UNITS = "at most 1e6 thousand = a billion GPUs, hundreds of times all GPUs ever made"
_DEPTH = (
    "at least 0.1 (US$100 million: thinner markets drive the fire-sale price to 0 in floating point) "
    "and at most 1e6 (US$1,000 trillion, ~10x world GDP)"
)
MAX_MONTHS = 600
"""Longest run a scenario may ask for (``months``); no shock is scheduled beyond it."""


# --------------------------------------------------------------------------- markets
class Generation(Strict):
    name: str
    price_bn_per_k: float = Field(
        ge=MIN_PRICE_BN_PER_K,
        le=MAX_PRICE_BN_PER_K,
        description="value at month 0 (launch price if not yet launched), US$ bn per thousand; from 1e-6 "
        "(US$1 per GPU) to 10 (US$10 million per GPU, 400x an H100)",
    )
    rental_bn_per_k_month: float = Field(
        ge=0,
        le=MAX_RENT_BN_PER_K_MONTH,
        description="rent per thousand GPUs per month at month 0, US$ bn; at most 1 (US$1 million per GPU a month)",
    )
    depreciation_per_year: float = Field(ge=0, lt=1, description="fall in fundamental value per year")
    launch_month: int = Field(0, ge=-600, le=600, description="month it goes on sale (<= 0: already on sale)")


class GpuMarket(Strict):
    generations: list[Generation] = Field(min_length=1)
    market_depth_bn: float = Field(
        ge=MIN_DEPTH_BN,
        le=MAX_BN,
        description=f"sales (US$ bn in one round) that cut the price by 1/e; {_DEPTH}",
    )
    impact_model: Literal["exponential", "linear"] = "exponential"
    discount_recovery_per_month: float = Field(
        ge=0, le=1, description="share of a fire-sale discount that heals per month"
    )
    rental_deflation_per_year: float = Field(
        ge=0, lt=1, description="fall in GPU rental rates per year while AI demand is as expected (or above)"
    )
    rent_glut_sensitivity: float = Field(
        0.0,
        ge=0,
        le=5,
        description="extra fall in rents per year per unit share of contracted GPU capacity that customers "
        "have given up (cut or terminated compute contracts: idle capacity competes for the remaining "
        "demand); the total is capped at 95% a year",
    )
    expected_rental_deflation_per_year: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="fall in rents priced into GPU values at month 0 (default: rental_deflation_per_year); rents "
        "falling faster than this cut what GPUs are worth in use",
    )
    next_gen_extra_depreciation_per_year: float = Field(
        ge=0, lt=1, description="extra depreciation of older generations once a newer one launches"
    )
    absorption_k_per_month: float = Field(
        5.0,
        gt=0,
        le=MAX_UNITS_K,
        description="thousand GPUs of one generation the secondary market absorbs in a month; a forced sale "
        "beyond it waits (an overhang that keeps the fire-sale discount from healing)",
    )
    salvage_share: float = Field(
        0.2,
        ge=0,
        le=1,
        description="share of their value in use below which no fire sale drives GPUs: buyers with other uses "
        "(smaller clouds, enterprises, parts) take them there",
    )
    impairment_months: int = Field(
        3,
        ge=1,
        le=MAX_MONTHS,
        description="month ends the secondary price must stay below value in use before GPUs are carried at it",
    )

    @field_validator("generations")
    @classmethod
    def _unique_names(cls, gens: list[Generation]) -> list[Generation]:
        names = [g.name for g in gens]
        if len(set(names)) != len(names):
            raise ValueError(f"generation names must be unique, got {names}")
        return gens


CreditClassName = Literal[CREDIT_CLASSES]  # type: ignore[valid-type]
"""A credit class by name: government, investment_grade, high_yield, private, abs_senior, abs_junior."""


def _by_class(values: dict[str, float]) -> dict[str, float]:
    """``values`` keyed by credit-class name, every class present (missing ones 0.0)."""
    return {name: float(values.get(name, 0.0)) for name in CREDIT_CLASSES}


class Rates(Strict):
    base_rate_per_year: float = Field(ge=0, le=0.3, description="risk-free rate (10-year Treasury)")
    spreads_per_year: dict[CreditClassName, Annotated[float, Field(ge=0, le=0.5)]] = Field(
        default_factory=dict,
        validate_default=True,
        description="calm-market spread over the base rate of each credit class (government, investment_grade, "
        "high_yield, private, abs_senior, abs_junior; a class left out: 0)",
    )
    spread_sentiment_sensitivity: float = Field(
        ge=0, le=20, description="credit spreads (all but government) x (1 + this x fall in sentiment below 1)"
    )
    issuance_spread_per_year: float = Field(
        0.0,
        ge=0,
        le=0.1,
        description="credit spreads widen by this (per year) for every US$100 bn of bonds the model's borrowers "
        "issued in the last three months: heavy issuance competes for the same buyers",
    )
    equity_duration_years: float = Field(
        0.0,
        ge=0,
        le=50,
        description="market values of companies fall by exp(-this x rise in the base rate): their earnings are "
        "discounted at a rate that moves with it",
    )

    @field_validator("spreads_per_year")
    @classmethod
    def _every_class(cls, values: dict[str, float]) -> dict[str, float]:
        return _by_class(values)

    @property
    def credit_spread_per_year(self) -> float:
        """The investment-grade spread in calm markets."""
        return self.spreads_per_year["investment_grade"]


class CreditMarkets(Strict):
    """The markets where loans, bonds, ABS tranches and outside securities are sold, one per
    credit class: each has its own depth, and the discount of a forced sale widens that
    class's spread until it heals.
    """

    depth_bn: dict[CreditClassName, Annotated[float, Field(ge=MIN_DEPTH_BN, le=MAX_BN)]] = Field(
        default_factory=dict,
        validate_default=True,
        description=f"sales of a class at once (US$ bn) that cut its price by 1/e; a class left out: 100; {_DEPTH}",
    )
    maturity_years: dict[CreditClassName, Annotated[float, Field(gt=0, le=50)]] = Field(
        default_factory=dict,
        validate_default=True,
        description="average remaining maturity of the outside securities of each class (years; left out: 5)",
    )
    floating: list[CreditClassName] = Field(
        default_factory=lambda: ["private"], description="classes whose outside securities pay a floating rate"
    )
    quoted: list[CreditClassName] = Field(
        default_factory=lambda: ["investment_grade", "high_yield", "abs_senior", "abs_junior"],
        description="classes quoted in a market every day, whose spreads widen as sentiment falls; the others "
        "(Treasuries, private loans) move only with the base rate and with forced sales in their own market",
    )
    discount_recovery_per_month: float = Field(
        0.2, ge=0, le=1, description="share of a credit class's fire-sale discount that heals per month"
    )
    ai_share_of_private: float = Field(
        0.0,
        ge=0,
        le=1,
        description="share of the outside private credit (the holders' securities of the private class) lent to "
        "the AI build-out: it loses that share of what the model's own private loans to AI firms have lost",
    )

    @field_validator("depth_bn")
    @classmethod
    def _every_depth(cls, values: dict[str, float]) -> dict[str, float]:
        return {name: float(values.get(name, 100.0)) for name in CREDIT_CLASSES}

    @field_validator("maturity_years")
    @classmethod
    def _every_maturity(cls, values: dict[str, float]) -> dict[str, float]:
        return {name: float(values.get(name, 5.0)) for name in CREDIT_CLASSES}


class Sentiment(Strict):
    initial: float = Field(ge=0.1, le=2)
    mean_reversion_per_month: float = Field(ge=0, le=1)
    volatility_per_month: float = Field(ge=0, le=0.5)
    loss_sensitivity: float = Field(
        ge=0, le=100, description="fall per unit of last month's realised losses / opening system book equity"
    )
    default_impact: float = Field(ge=0, le=1, description="fall per institution that defaults")
    backstop_support: float = Field(ge=0, le=1, description="rise per month while the central bank is lending")
    demand_sensitivity: float = Field(
        0.0, ge=0, le=5, description="sentiment reverts to initial x min(1, AI demand / expected)^this"
    )


class Demand(Strict):
    ai_revenue_growth_per_year: float = Field(ge=-0.9, le=10, description="growth of AI end-customer revenue")
    expected_ai_revenue_growth_per_year: float = Field(ge=-0.9, le=10, description="growth priced in at month 0")
    long_run_growth_per_year: float = Field(
        0.05,
        ge=-0.5,
        le=1,
        description="growth AI revenue slows towards (actual and expected alike), per year: no market doubles forever",
    )
    growth_half_life_months: float = Field(
        36.0, gt=0, le=1200, description="months in which the gap to the long-run growth halves"
    )
    ai_revenue_volatility_per_year: float = Field(ge=0, le=2)
    crypto_drift_per_year: float = Field(ge=-1, le=5)
    crypto_volatility_per_year: float = Field(ge=0, le=5)


class Markets(Strict):
    gpu: GpuMarket
    rates: Rates
    credit: CreditMarkets = CreditMarkets()
    sentiment: Sentiment
    demand: Demand


class Resolution(Strict):
    recovery_external: float = Field(
        ge=0, le=1, description="Rogers-Veraart alpha: share of a defaulter's cash that reaches creditors"
    )
    recovery_interbank: float = Field(
        ge=0, le=1, description="Rogers-Veraart beta: share of a defaulter's receipts passed on"
    )
    other_asset_recovery: float = Field(
        ge=0, le=1, description="share of book value realised when a defaulter's other assets are sold"
    )
    stake_sale_haircut: float = Field(ge=0, le=1, description="discount on equity stakes sold by forced sellers")
    max_rounds: int = Field(ge=1, le=100, description="bound on clearing / fire-sale rounds inside one month")


class Channels(Strict):
    """Switches: every contagion channel can be turned off to see what it adds."""

    circular_funding: bool = True  # chip maker funds its customers
    ltv_covenants: bool = True  # GPU-collateral LTV tests (the collateral spiral)
    dscr_covenants: bool = True
    liquidity_covenants: bool = True
    refinancing: bool = True  # maturing debt must be rolled at the lender's choice
    rollover_repricing: bool = True  # rolled debt pays today's base rate and credit spread
    contract_cuts: bool = True  # labs cut compute commitments when short
    lease_renegotiation: bool = True
    fire_sale_impact: bool = True  # forced sales move prices
    equity_marks: bool = True  # sentiment and fundamentals move equity values
    redemptions: bool = True  # investors redeem from private-credit funds
    margin_calls: bool = True
    capital_derisking: bool = True
    sentiment_feedback: bool = True  # losses and defaults depress sentiment
    rate_marks: bool = True  # bonds, loans, tranches and outside securities marked at market yields


# --------------------------------------------------------------------------- institutions
REVENUE_DRIVERS = ("flat", "ai_demand", "ai_capex", "crypto")
"""What can scale an institution's outside revenue (``Institution.revenue_driver``)."""


class Institution(Strict):
    kind: InstitutionKind = Field(strict=False)
    cash_bn: float = Field(0.0, ge=0, le=MAX_BN, description=f"cash, US$ bn; {_MONEY}")
    other_assets_bn: float = Field(
        0.0, ge=0, le=MAX_BN, description=f"businesses, loans and property outside the model, at book; {_MONEY}"
    )
    securities_bn: dict[CreditClassName, Annotated[float, Field(ge=0, le=MAX_BN)]] = Field(
        default_factory=dict,
        description="bonds and loans of issuers outside the model by credit class, at par at month 0 and marked "
        f"to market after (government, investment_grade, high_yield, private, abs_senior, abs_junior); {_MONEY}",
    )
    real_assets_bn: float = Field(0.0, ge=0, le=MAX_BN, description=f"data-centre shells, land, power; {_MONEY}")
    other_liabilities_bn: float = Field(
        0.0, ge=0, le=MAX_BN, description=f"owed to parties outside the model; {_MONEY}"
    )
    gpus_k: dict[str, Annotated[float, Field(ge=0, le=MAX_UNITS_K)]] = Field(
        default_factory=dict, description=f"thousands of GPUs by generation; {_UNITS}"
    )
    market_value_bn: float | None = Field(
        None, gt=0, le=MAX_BN, description=f"market value of equity; omit to value at NAV; {_MONEY}"
    )
    equity_beta: float = Field(1.0, ge=0, le=5, description="elasticity of its market value to sentiment")
    revenue_bn_per_month: float = Field(
        0.0, ge=0, le=MAX_BN_PER_MONTH, description=f"revenue from customers outside the model; {_FLOW}"
    )
    revenue_driver: Literal[REVENUE_DRIVERS] = Field(  # type: ignore[valid-type]
        "flat",
        description="what scales its outside revenue: flat, AI end-customer revenue (ai_demand), AI "
        "demand relative to expectations (ai_capex: spending by customers outside the model), crypto prices",
    )
    opex_bn_per_month: float = Field(
        0.0, ge=0, le=MAX_BN_PER_MONTH, description=f"operating costs paid outside the model; {_FLOW}"
    )
    capex_real_bn_per_month: float = Field(
        0.0, ge=0, le=MAX_BN_PER_MONTH, description=f"capitalised construction spending; {_FLOW}"
    )
    rules: dict[str, Any] = Field(default_factory=dict, description="overrides of its kind's decision rules")

    @field_validator("rules")
    @classmethod
    def _rules_fit_kind(cls, rules: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        kind = info.data.get("kind")
        if kind is None:  # the kind itself is invalid: that is the error to report
            return rules
        rules_cls = AGENT_CLASSES[kind].Rules
        try:
            rules_cls.model_validate(rules)
        except ValidationError as exc:
            problems = []
            for err in exc.errors()[:5]:
                name = ".".join(str(p) for p in err["loc"])
                if err["type"] == "extra_forbidden":
                    problems.append(f"{name}: not a rule of kind {kind}; allowed: {sorted(rules_cls.model_fields)}")
                else:
                    problems.append(f"{name}: {err['msg']} (got {_short_repr(err.get('input'))})")
            raise ValueError("; ".join(problems)) from None
        return rules


class Collateral(Strict):
    generation: str
    units_k: float = Field(gt=0, le=MAX_UNITS_K, description=f"thousands of GPUs pledged; {_UNITS}")


class Debt(Strict):
    kind: Literal[DEBT_KINDS]  # type: ignore[valid-type]
    holder: str
    obligor: str
    principal_bn: float = Field(ge=0, le=MAX_BN, description=f"outstanding (drawn) principal; {_MONEY}")
    limit_bn: float | None = Field(
        None, ge=0, le=MAX_BN, description=f"credit-line limit (default: principal); {_MONEY}"
    )
    rate_per_year: float = Field(ge=0, le=1, description="fixed rate, or the spread over the base rate if floating")
    floating: bool = False
    amortisation_per_month: float = Field(0.0, ge=0, le=1, description="share of original principal repaid per month")
    maturity_month: int = Field(ge=1, le=1200)
    collateral: Collateral | None = None
    ltv_covenant: float | None = Field(None, gt=0, le=10)
    dscr_covenant: float | None = Field(None, ge=0, le=20)
    min_liquidity_bn: float | None = Field(
        None, ge=0, le=MAX_BN, description=f"cash the borrower must keep (a covenant); {_MONEY}"
    )
    tranche: Literal[TRANCHES[: Tranche.EQUITY]] | None = None  # type: ignore[valid-type]  # (the equity piece is the SPV's own equity)
    credit_class: CreditClassName | None = Field(
        None,
        description="the spread it is priced at and the market it is sold in (default: ABS tranches by seniority, "
        "bonds of hyperscalers and the chip maker investment_grade, other bonds high_yield, loans and credit lines "
        "private)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Debt:
        if self.holder == self.obligor:
            raise ValueError(f"holder and obligor are both {self.holder!r}")
        if self.kind == "abs_tranche" and self.tranche is None:
            raise ValueError("an abs_tranche needs tranche: senior or mezzanine")
        if self.ltv_covenant is not None and self.collateral is None:
            raise ValueError("an ltv_covenant needs collateral")
        if self.limit_bn is not None and self.limit_bn < self.principal_bn:
            raise ValueError(f"limit_bn ({self.limit_bn}) is below principal_bn ({self.principal_bn})")
        return self


class Stake(Strict):
    kind: Literal[STAKE_KINDS]  # type: ignore[valid-type]
    holder: str
    issuer: str
    share: float = Field(gt=0, le=1, description="share of the issuer's equity held")


class Contract(Strict):
    kind: Literal[EXECUTORY_KINDS]  # type: ignore[valid-type]
    payer: str
    payee: str
    monthly_payment_bn: float = Field(ge=0, le=MAX_BN_PER_MONTH, description=f"US$ bn per month; {_FLOW}")
    start_month: int = Field(0, ge=0, le=1200)
    months: int = Field(ge=1, le=1200, description="number of monthly payments")
    take_or_pay: bool = True

    @model_validator(mode="after")
    def _distinct(self) -> Contract:
        if self.payer == self.payee:
            raise ValueError(f"payer and payee are both {self.payer!r}")
        return self


SHOCK_KINDS: dict[str, tuple[float, float, str, str]] = {
    # kind: (min size, max size, what target names, meaning)
    ShockKind.AI_GROWTH: (-0.9, 10.0, "none", "AI revenue growth per year becomes `size` from `month` on"),
    ShockKind.REVENUE_LOSS: (0.0, 1.0, "institution", "target loses `size` of its outside revenue"),
    ShockKind.RATE_SHOCK: (-0.1, 0.2, "none", "base rate rises by `size` (per year)"),
    ShockKind.CRYPTO_CRASH: (0.0, 0.99, "none", "crypto prices fall by `size`"),
    ShockKind.DEPRECIATION: (0.0, 0.9, "generation", "target generation (or all) depreciates `size` faster per year"),
    ShockKind.GPU_PRICE: (
        0.0,
        0.99,
        "generation",
        "fundamental GPU value of target generation (or all) falls by `size`",
    ),
    ShockKind.SENTIMENT: (-1.0, 1.0, "none", "market sentiment falls by `size`"),
    ShockKind.FAILURE: (0.0, 1.0, "institution", "target fails: it is put into resolution"),
    ShockKind.CONTRACT_CUT: (
        0.0,
        1.0,
        "contract",
        "payments of target contract (an id, or 'Payer->Payee' for every compute contract between them) are cut by "
        "`size`",
    ),
    ShockKind.REDEMPTION_RUN: (
        0.0,
        1.0,
        "fund",
        "investors in target fund (an institution whose fund shares others hold) ask back `size` of their "
        "holding this month, on top of what its drawdown makes them ask",
    ),
}
assert list(SHOCK_KINDS) == list(ShockKind), "every shock kind needs its range, target and meaning"


PAIR_ARROW = "->"
"""A contract-cut target ``"Payer->Payee"`` names every compute contract between the two."""


def contracts_named(scenario: Scenario, target: str) -> list[str]:
    """The contract ids a contract-cut ``target`` names: the contract with that id, or every
    compute contract from payer to payee for ``"Payer->Payee"`` (empty if none).
    """
    if target in scenario.contracts:
        return [target]
    payer, arrow, payee = target.partition(PAIR_ARROW)
    if not arrow:
        return []
    payer, payee = payer.strip(), payee.strip()
    return [
        key
        for key, c in scenario.contracts.items()
        if c.payer == payer and c.payee == payee and c.kind == ContractKind.COMPUTE_CONTRACT
    ]


class Shock(Strict):
    month: int = Field(
        ge=0,
        le=MAX_MONTHS,
        description="month it strikes, 0-600: the longest run a scenario allows (`months`; a run "
        "continued with run_for beyond `months` can reach a later shock, but none after 600)",
    )
    kind: ShockKind = Field(strict=False)
    target: str | None = None
    size: float = 0.0

    @model_validator(mode="after")
    def _size_in_range(self) -> Shock:
        lo, hi, target_kind, _ = SHOCK_KINDS[self.kind]
        kind = str(self.kind)
        if not lo <= self.size <= hi:
            raise ValueError(f"size of a {kind!r} shock must be in [{lo}, {hi}], got {self.size}")
        if target_kind in ("institution", "contract", "fund") and not self.target:
            raise ValueError(f"a {kind!r} shock needs a target ({target_kind})")
        if target_kind == "none" and self.target is not None:
            raise ValueError(f"a {kind!r} shock takes no target, got {self.target!r}; leave target out")
        return self


class Scenario(Strict):
    name: str
    description: str = ""
    months: int = Field(24, ge=1, le=MAX_MONTHS, description="default run length, months")
    markets: Markets
    resolution: Resolution
    channels: Channels = Channels()
    central_bank: CentralBankRules = CentralBankRules()
    institutions: dict[str, Institution] = Field(min_length=1)
    debts: dict[str, Debt] = Field(default_factory=dict)
    stakes: dict[str, Stake] = Field(default_factory=dict)
    contracts: dict[str, Contract] = Field(default_factory=dict)
    shocks: list[Shock] = Field(default_factory=list)
    counterfactual: str | None = Field(
        None,
        description="the scenario this one is measured against (a name, or a path to a .yaml file): the same "
        "world without this scenario's shock; by default the scenario it extends; none for the baseline; "
        "'without_shocks': this scenario itself without its shocks",
    )

    @model_validator(mode="after")
    def _references_exist(self) -> Scenario:
        names = set(self.institutions)
        gens = {g.name for g in self.markets.gpu.generations}

        def need(name: str, where: str) -> None:
            if name not in names:
                raise ValueError(f"{where}: unknown institution {name!r}; known: {sorted(names)}")

        for key, inst in self.institutions.items():
            for gen in inst.gpus_k:
                if gen not in gens:
                    raise ValueError(f"institutions.{key}.gpus_k: unknown generation {gen!r}; known: {sorted(gens)}")
        for key, d in self.debts.items():
            need(d.holder, f"debts.{key}.holder")
            need(d.obligor, f"debts.{key}.obligor")
            if d.collateral and d.collateral.generation not in gens:
                raise ValueError(
                    f"debts.{key}.collateral.generation: unknown generation {d.collateral.generation!r}; known: {sorted(gens)}"
                )
        for key, s in self.stakes.items():
            need(s.holder, f"stakes.{key}.holder")
            need(s.issuer, f"stakes.{key}.issuer")
        for key, c in self.contracts.items():
            need(c.payer, f"contracts.{key}.payer")
            need(c.payee, f"contracts.{key}.payee")
        for k, shock in enumerate(self.shocks):
            target_kind = SHOCK_KINDS[shock.kind][2]
            if target_kind == "institution":
                need(shock.target or "", f"shocks.{k}.target")
            elif target_kind == "contract" and not contracts_named(self, shock.target or ""):
                raise ValueError(
                    f"shocks.{k}.target: {shock.target!r} is neither a contract id nor 'Payer->Payee' with a compute "
                    "contract between them"
                )
            elif target_kind == "fund":
                need(shock.target or "", f"shocks.{k}.target")
                if not any(s.issuer == shock.target and s.kind == "fund_share" for s in self.stakes.values()):
                    funds = sorted({s.issuer for s in self.stakes.values() if s.kind == "fund_share"})
                    raise ValueError(
                        f"shocks.{k}.target: {shock.target!r} issues no fund shares, so nobody can redeem; funds: {funds}"
                    )
            elif target_kind == "generation" and shock.target not in (None, "all", *gens):
                raise ValueError(
                    f"shocks.{k}.target: unknown generation {shock.target!r}; known: {sorted(gens)} or 'all'"
                )
        issued: dict[str, float] = {}
        for s in self.stakes.values():
            issued[s.issuer] = issued.get(s.issuer, 0.0) + s.share
        for issuer, total in issued.items():
            if total > 1 + 1e-9:
                raise ValueError(f"stakes: shares of {issuer!r} add up to {total:.3f} > 1")
        central_banks = [k for k, v in self.institutions.items() if v.kind == "central_bank"]
        if len(central_banks) > 1:
            raise ValueError(f"at most one central_bank institution, got {central_banks}")
        return self


# --------------------------------------------------------------------------- levers
@dataclass(frozen=True)
class Lever:
    """A main model parameter a user can set by keyword (CLI, sweeps, sliders)."""

    name: str
    kind: type
    low: float | None
    high: float | None
    unit: str
    description: str
    apply: Callable[[dict, Any], None]

    def check(self, value: Any) -> Any:
        """``value`` checked against the lever's kind and range, as a plain Python value.

        NumPy scalars (``mesa.batch_run`` over numpy ranges) become Python values; a whole number
        may be given as an integral float (``3.0``, as ``numpy.linspace`` makes it), never as
        ``2.5``; booleans and text never pass as numbers.
        """
        where = f"lever {self.name!r}"
        value = _plain(value, where)
        if self.kind is bool:
            if not isinstance(value, bool):
                raise ConfigError(f"{where}: expected true/false, got {_describe_value(value)}")
            return value
        if self.kind is str:
            if not isinstance(value, str):
                raise ConfigError(f"{where}: expected a name, got {_describe_value(value)}")
            return value
        assert self.low is not None and self.high is not None, f"numeric lever {self.name!r} needs a range"
        allowed = f"[{self.low}, {self.high}] ({self.unit})"
        if self.kind is int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{where}: expected a whole number in {allowed}, got {_describe_value(value)}")
        elif (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or (isinstance(value, float) and not math.isfinite(value))  # (an int is finite, if not a float)
        ):
            raise ConfigError(f"{where}: expected a finite number in {allowed}, got {_describe_value(value)}")
        if not self.low <= value <= self.high:  # (compared as is: an int may be too large for a float)
            raise ConfigError(f"{where} = {_short_repr(value)} is out of range: allowed {allowed}")
        return float(value) if self.kind is float else value


def _plain(value: Any, where: str, path: str = "") -> Any:
    """``value`` with NumPy scalars turned into Python values (``np.bool_`` into ``bool``, so that
    it is not read as a number), in nested dicts, lists and tuples; a NumPy array is a
    ConfigError naming ``where`` and the ``path`` inside ``value``.
    """
    if isinstance(value, dict):
        return {_plain(k, where, path): _plain(v, where, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v, where, f"{path}.{i}" if path else str(i)) for i, v in enumerate(value))
    if isinstance(value, np.ndarray):
        at = f"{where}: {path}" if path else where
        raise ConfigError(f"{at}: expected one value, got a numpy array of shape {value.shape}")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _set_path(raw: dict, path: str, value: Any) -> None:
    node = raw
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def _each_generation(field: str):
    def apply(raw: dict, value: Any) -> None:
        for gen in raw["markets"]["gpu"]["generations"]:
            gen[field] = value

    return apply


def _each_debt_with(field: str):
    def apply(raw: dict, value: Any) -> None:
        for debt in raw.get("debts", {}).values():
            if debt.get(field) is not None:
                debt[field] = value

    return apply


def _each_rules(field: str, kinds: tuple[str, ...] | None = None):
    def apply(raw: dict, value: Any) -> None:
        for inst in raw["institutions"].values():
            if kinds is None or inst["kind"] in kinds:
                inst.setdefault("rules", {})[field] = value

    return apply


def _path(path: str):
    return lambda raw, value: _set_path(raw, path, value)


def _shock_field(field: str):
    """Shock levers edit one extra shock appended to the scenario's list (created on first use)."""

    def apply(raw: dict, value: Any) -> None:
        shocks = raw.setdefault("shocks", [])
        if not shocks or not shocks[-1].get("_lever"):
            shocks.append({"_lever": True, "month": 1, "kind": "revenue_loss", "target": None, "size": 0.0})
        shocks[-1][field] = value

    return apply


LEVERS: dict[str, Lever] = {
    lever.name: lever
    for lever in [
        Lever("months", int, 1, MAX_MONTHS, "months", "default run length", _path("months")),
        Lever(
            "gpu_depreciation_per_year",
            float,
            0.0,
            0.95,
            "share per year",
            "depreciation of every GPU generation",
            _each_generation("depreciation_per_year"),
        ),
        Lever(
            "rental_deflation_per_year",
            float,
            0.0,
            0.95,
            "share per year",
            "fall in GPU rental rates",
            _path("markets.gpu.rental_deflation_per_year"),
        ),
        Lever(
            "ai_revenue_growth_per_year",
            float,
            -0.9,
            10.0,
            "share per year",
            "growth of AI end-customer revenue",
            _path("markets.demand.ai_revenue_growth_per_year"),
        ),
        Lever(
            "gpu_market_depth_bn",
            float,
            0.1,
            10_000.0,
            "US$ bn",
            "depth of the secondary GPU market",
            _path("markets.gpu.market_depth_bn"),
        ),
        Lever(
            "ltv_covenant",
            float,
            0.05,
            10.0,
            "loan / collateral value",
            "LTV covenant of every GPU-backed loan that has one",
            _each_debt_with("ltv_covenant"),
        ),
        Lever(
            "waiver_propensity",
            float,
            0.0,
            1.0,
            "0-1",
            "every lender's propensity to waive covenant breaches",
            _each_rules("waiver_propensity"),
        ),
        Lever(
            "base_rate_per_year",
            float,
            0.0,
            0.3,
            "share per year",
            "risk-free interest rate",
            _path("markets.rates.base_rate_per_year"),
        ),
        Lever(
            "central_bank_enabled",
            bool,
            None,
            None,
            "on/off",
            "central-bank liquidity backstop",
            _path("central_bank.enabled"),
        ),
        Lever(
            "shock_kind",
            str,
            None,
            None,
            "name",
            f"kind of an extra shock: one of {sorted(map(str, SHOCK_KINDS))}",
            _shock_field("kind"),
        ),
        Lever(
            "shock_target",
            str,
            None,
            None,
            "name",
            "target of the extra shock (institution, generation or contract)",
            _shock_field("target"),
        ),
        Lever("shock_size", float, -1.0, 10.0, "depends on kind", "size of the extra shock", _shock_field("size")),
        Lever("shock_month", int, 0, MAX_MONTHS, "month", "month of the extra shock", _shock_field("month")),
    ]
    + [
        Lever(name, bool, None, None, "on/off", f"channel switch: {name.replace('_', ' ')}", _path(f"channels.{name}"))
        for name in Channels.model_fields
    ]
}


# --------------------------------------------------------------------------- loading
SCENARIO_PACKAGE = "simulator.scenarios"  # pyproject.toml ships the top-level configs/ under this name


def _find_scenario_dir() -> Path:
    """The folder of the scenarios that ship with aicontagion, found with importlib.resources.

    A wheel installs ``configs/`` as ``site-packages/simulator/scenarios``; in an editable install
    the package is the checkout's ``configs/`` itself. Code imported from a source tree that is not
    installed (``PYTHONPATH=.``, or a git worktree sharing another checkout's virtualenv, whose
    editable install points at the other checkout) reads its own tree's ``configs/``.
    """
    from importlib import resources

    try:
        found = resources.files(SCENARIO_PACKAGE)
    except ModuleNotFoundError:
        found = None
    tree = Path(__file__).resolve().parent.parent
    own = tree / "configs"
    in_checkout = (tree / "pyproject.toml").is_file() and (own / "__init__.py").is_file()
    if in_checkout and not (isinstance(found, Path) and found.resolve() == own):
        return own
    if found is None:
        raise ModuleNotFoundError(
            f"the scenarios (package {SCENARIO_PACKAGE!r}) are not installed; reinstall aicontagion"
        )
    if not isinstance(found, Path):
        raise ImportError(f"the scenarios ({found}) are not a folder on disk; install aicontagion unpacked (pip or uv)")
    return found


# Scenario names resolve here; a filesystem path, as relative `extends:` and error messages need one.
CONFIG_DIR = _find_scenario_dir()


def scenario_names() -> list[str]:
    return sorted(p.stem for p in CONFIG_DIR.glob("*.yaml"))


def _short_repr(value: Any) -> str:
    """``repr(value)``, cut short for an error message."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _describe_value(value: Any) -> str:
    """``value`` as it is shown in an error message: its repr, cut short, and its type."""
    return f"{_short_repr(value)} ({type(value).__name__})"


def _is_scenario_name(text: str) -> bool:
    """A bare name (no ``.yaml`` suffix, no path separator) names a scenario in ``configs/`` first."""
    return (
        not any(sep in text for sep in ("/", "\\"))
        and Path(text).suffix.lower() not in (".yaml", ".yml")
        and text not in (".", "..")
    )


def _resolve(name_or_path: str | Path, what: str = "scenario", relative_to: Path | None = None) -> Path:
    """The file of a scenario given by name (``configs/NAME.yaml``) or by path.

    A string without a ``.yaml`` suffix and without a path separator is a scenario name first,
    so a folder or file of that name in the current directory does not shadow a packaged
    scenario. Anything else is a path (relative to ``relative_to`` if given, as for
    ``extends:``). ``what`` names the argument or field in the error message.
    """
    choices = f"choose a scenario from {scenario_names()} or give a path to a .yaml file"
    if isinstance(name_or_path, Path):
        text = str(name_or_path)
        as_name = False
    elif isinstance(name_or_path, str):
        text = name_or_path.strip()
        as_name = _is_scenario_name(text)
    else:
        raise ConfigError(f"{what}: expected a scenario name or a path, got {_describe_value(name_or_path)}; {choices}")
    if not text:
        raise ConfigError(f"{what}: the scenario name is empty; {choices}")
    path = Path(text) if relative_to is None or Path(text).is_absolute() else relative_to / text
    if as_name:
        packaged = CONFIG_DIR / f"{text}.yaml"
        if packaged.is_file():
            return packaged
        if not path.is_file():  # a file without a suffix is still a scenario file
            raise ConfigError(f"{what}: unknown scenario {text!r}; {choices}")
    if path.is_dir():
        raise ConfigError(f"{what}: {path} is a folder, not a scenario file; {choices}")
    if not path.is_file():
        raise ConfigError(f"{what}: {path}: no such scenario file; {choices}")
    return path


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int, first_line: int):
        super().__init__(f"line {line}: duplicate key {key!r} (first on line {first_line})")
        self.key, self.line, self.first_line = key, line, first_line


_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser is 4x faster


class ScenarioLoader(_SafeLoader):
    """PyYAML's SafeLoader (on libyaml's parser if installed), stricter and closer to YAML 1.2 in
    two ways.

    * A key may appear only once in a mapping: a second ``Nvidia:`` under ``institutions:`` is an
      error naming both lines, not a silent replacement of the first.
    * Numbers in exponent form without a dot or an exponent sign (``1e3``, ``1E-3``, ``2.5e3``)
      are numbers, as in YAML 1.2 and Python, not text (YAML 1.1 requires ``1.0e+3``).
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges keys that the mapping may override
            key = self.construct_object(key_node, deep=True)
            try:
                seen = first.get(key)
            except TypeError:  # an unhashable key: SafeLoader reports it
                continue
            line = key_node.start_mark.line + 1
            if seen is not None:  # (shown as written: `no:` is the key False in YAML 1.1)
                raise _DuplicateKey(key_node.value if isinstance(key_node, yaml.ScalarNode) else key, line, seen)
            first[key] = line
        return super().construct_mapping(node, deep=deep)


ScenarioLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, ScenarioLoader.construct_mapping)
ScenarioLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


_PARSED: OrderedDict[str, Any] = OrderedDict()
"""Parsed YAML texts, by text (a copy is handed out): a sweep loads the same scenario files for
every run, and parsing them took a fifth of a 24-month run."""
_PARSED_SIZE = 32


def _load_yaml(text: str, source: str) -> Any:
    """Parse YAML ``text`` with ``ScenarioLoader``; ConfigError naming ``source`` and the line.

    The result is a fresh copy each time, also when the text was parsed before (``_PARSED``).
    """
    if text in _PARSED:
        _PARSED.move_to_end(text)
        return copy.deepcopy(_PARSED[text])
    parsed = _parse_yaml(text, source)
    _PARSED[text] = copy.deepcopy(parsed)
    while len(_PARSED) > _PARSED_SIZE:
        _PARSED.popitem(last=False)
    return parsed


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=ScenarioLoader)
    except _DuplicateKey as exc:
        raise ConfigError(f"{source}: {exc}; each key may appear once in a mapping") from None
    except yaml.MarkedYAMLError as exc:
        parts = [
            f"{text} (line {mark.line + 1}, column {mark.column + 1})" if mark else str(text)
            for text, mark in ((exc.context, exc.context_mark), (exc.problem, exc.problem_mark))
            if text
        ]
        raise ConfigError(f"{source}: not valid YAML: {'; '.join(parts)}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None


def _read_text(path: Path) -> str:
    """The text of ``path`` as UTF-8; ConfigError naming the file if it cannot be read or decoded."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); save the file as UTF-8"
        ) from None


def _deep_merge(base: dict, extra: dict) -> dict:
    """``extra`` (a scenario that ``extends:``) merged into ``base`` (its parent).

    Mappings merge key by key; lists and single values replace. An empty mapping replaces too:
    ``debts: {}`` removes all of the parent's debts and ``channels: {}`` puts every switch back to
    its default (merged, it would change nothing).
    """
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and value and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _read_raw(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    if path.resolve() in seen:
        raise ConfigError(f"{path}: 'extends' forms a loop: {[str(p) for p in seen]}")
    raw = _load_yaml(_read_text(path), str(path))
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of scenario fields at the top level")
    if "extends" not in raw:
        return raw
    parent = raw.pop("extends")
    what = f"{path}: extends"
    if not isinstance(parent, str):  # (a path object cannot come from YAML: only text names a parent)
        raise ConfigError(
            f"{what}: expected a scenario name or a path to a .yaml file relative to this file, got "
            f"{_describe_value(parent)}; choose a scenario from {scenario_names()}"
        )
    parent_path = _resolve(parent, what, relative_to=path.parent)
    merged = _deep_merge(_read_raw(parent_path, (*seen, path.resolve())), raw)
    if "counterfactual" not in raw:  # measured against the scenario it extends, by default
        merged["counterfactual"] = parent if parent_path.parent == CONFIG_DIR else str(parent_path)
    return merged


def _allowed_fields(loc: tuple) -> list[str] | None:
    """The fields the schema allows in the mapping at ``loc`` (None if it is not a model)."""
    schema: Any = Scenario
    for part in loc:
        schema = _schema_of(schema, part, None)
    schema = _unwrap(schema)
    return sorted(schema.model_fields) if _is_model(schema) else None


_BOUND_ERRORS = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")


def _allowed_range(loc: tuple) -> str | None:
    """The bounds of the model field at ``loc`` (``Field(ge=..., le=...)``) as text, e.g.
    ``0 <= x <= 1``; None if ``loc`` is not a bounded field of a model.
    """
    schema: Any = Scenario
    for part in loc[:-1]:
        schema = _schema_of(schema, part, None)
    schema = _unwrap(schema)
    if not _is_model(schema) or str(loc[-1]) not in schema.model_fields:
        return None
    low = high = ""
    for bound in schema.model_fields[str(loc[-1])].metadata:
        for attr, text in (("ge", "{} <= "), ("gt", "{} < ")):
            if getattr(bound, attr, None) is not None:
                low = text.format(getattr(bound, attr))
        for attr, text in (("le", " <= {}"), ("lt", " < {}")):
            if getattr(bound, attr, None) is not None:
                high = text.format(getattr(bound, attr))
    return f"{low}x{high}" if low or high else None


def _describe(exc: ValidationError, source: str) -> str:
    lines = []
    for err in exc.errors()[:10]:
        parts = tuple(p for p in err["loc"] if not str(p).startswith("function-after"))
        loc = ".".join(str(p) for p in parts)
        msg = err["msg"].removeprefix("Value error, ")
        got = err.get("input")
        got_text = (
            ""
            if isinstance(got, (dict, list)) or err["type"] in ("value_error", "extra_forbidden")
            else f" (got {_short_repr(got)})"
        )
        if err["type"] == "extra_forbidden":
            allowed = _allowed_fields(parts[:-1])
            msg = f"unknown field; allowed: {allowed}" if allowed else "unknown field"
        elif err["type"] in _BOUND_ERRORS:
            allowed_range = _allowed_range(parts)
            if allowed_range:
                msg = f"{msg}; allowed: {allowed_range}"
        # Cross-field checks start their message with the full field path; others get the location.
        names_own_path = ":" in msg and "." in msg.split(":")[0] and " " not in msg.split(":")[0]
        where = "" if names_own_path else f"{loc or 'top level'}: "
        lines.append(f"{source}: {where}{msg}{got_text}")
    return "\n".join(lines)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` (the value as YAML: numbers such as ``40``, ``1e3`` or ``.5``,
    true/false, names, lists).
    """
    if not isinstance(text, str):
        raise ConfigError(f"parse_assignment: expected 'key=value' text, got {_describe_value(text)}")
    if "=" not in text:
        raise ConfigError(f"override {text!r}: expected key=value, e.g. markets.gpu.market_depth_bn=40")
    key, value = text.split("=", 1)
    if not key.strip():
        raise ConfigError(f"override {text!r}: the key before '=' is empty")
    return key.strip(), _load_yaml(value, f"override {text!r}: the value")


def _overrides_dict(overrides: Any) -> dict[str, Any]:
    """The ``overrides`` argument as {dotted path: value}; ConfigError if it is neither a list of
    ``"key=value"`` texts nor a dict with dotted paths as keys.
    """
    example = "e.g. ['markets.gpu.market_depth_bn=40'] or {'markets.gpu.market_depth_bn': 40}"
    if overrides is None:
        return {}
    if isinstance(overrides, dict):
        for key in overrides:
            if not isinstance(key, str):
                raise ConfigError(f"overrides: key {_describe_value(key)}: expected a dotted path as text; {example}")
        return dict(overrides)
    if isinstance(overrides, (list, tuple)):
        pairs = {}
        for item in overrides:
            if not isinstance(item, str):
                raise ConfigError(f"overrides: item {_describe_value(item)}: expected 'key=value' text; {example}")
            key, value = parse_assignment(item)
            pairs[key] = value
        return pairs
    hint = f"; write [{overrides!r}]" if isinstance(overrides, str) else f"; {example}"
    raise ConfigError(
        f"overrides: expected a list of 'key=value' texts or a dict {{dotted.path: value}}, "
        f"got {_describe_value(overrides)}{hint}"
    )


def _unwrap(annotation: Any) -> Any:
    """The type inside ``Annotated[...]`` and ``X | None``."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(annotation):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _is_model(schema: Any) -> bool:
    return isinstance(schema, type) and issubclass(schema, BaseModel)


def _schema_of(schema: Any, key: str | int, node: Any) -> Any:
    """The schema of ``node[key]`` given the schema of ``node``: a model class, ``dict[str, X]``,
    ``list[X]`` or ``Any``. An institution's ``rules`` are its kind's ``Rules`` model.
    """
    schema = _unwrap(schema)
    if _is_model(schema):
        if schema is Institution and key == "rules":
            kind = node.get("kind") if isinstance(node, dict) else None
            if isinstance(kind, str) and kind in AGENT_CLASSES:
                return AGENT_CLASSES[InstitutionKind(kind)].Rules
            return dict[str, Any]
        field = schema.model_fields.get(str(key))
        return field.annotation if field is not None else Any
    origin = get_origin(schema)
    if origin is dict:
        return get_args(schema)[1]
    if origin in (list, tuple):
        return get_args(schema)[0]
    return Any


def _holds_keys(schema: Any) -> bool:
    """Can a value of this schema hold dotted keys (a model, a mapping or anything)?"""
    schema = _unwrap(schema)
    return _is_model(schema) or get_origin(schema) is dict or schema is Any


def _apply_dotted(raw: dict, key: str, value: Any, source: str) -> None:
    """Set ``raw[a][b][c] = value`` for the dotted ``key`` "a.b.c", checked against the schema.

    Any path the schema knows is accepted, also where the file leaves a section out (a
    baseline without ``channels:`` still takes ``channels.fire_sale_impact=false``): missing
    sections are created. Unknown keys, list indices out of range and keys under a single value
    are ConfigErrors that name the path and list what is allowed.
    """
    where = f"{source}: override {key!r}"
    parts = key.split(".") if isinstance(key, str) else []
    if not parts or not all(part.strip() for part in parts):
        raise ConfigError(f"{where}: expected a dotted path such as markets.gpu.market_depth_bn")
    node: Any = raw
    schema: Any = Scenario
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth]) or "top level"
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                indices = f"use an index 0-{len(node) - 1}" if node else "it is empty"
                raise ConfigError(f"{where}: {here} is a list of {len(node)} items: {indices}, got {part!r}")
            slot: str | int = int(part)
        elif isinstance(node, dict):
            model = _unwrap(schema)
            if _is_model(model) and part not in model.model_fields:
                levers = f"; or a lever (keyword argument or --set NAME=VALUE): {sorted(LEVERS)}" if depth == 0 else ""
                raise ConfigError(
                    f"{where}: unknown key {part!r} at {here}; allowed: {sorted(model.model_fields)}{levers}"
                )
            if get_origin(model) is dict and _is_model(_schema_of(model, part, node)) and part not in node and not last:
                raise ConfigError(f"{where}: unknown key {part!r} at {here}; allowed: {sorted(node)}")
            slot = part
        else:
            raise ConfigError(
                f"{where}: {here} is a single value, not a mapping (it holds {node!r}); it has no key {part!r}"
            )
        child = _schema_of(schema, slot, node)
        holder: Any = node  # a list or a dict (Any: indexed by slot, an int or a str)
        if last:
            holder[slot] = value
            return
        current = holder.get(slot) if isinstance(holder, dict) else holder[slot]
        if current is None:  # a section the file leaves out
            if not _holds_keys(child):
                path = f"{here}.{part}" if depth else part
                raise ConfigError(
                    f"{where}: {path} is a single value, not a mapping; it has no key {parts[depth + 1]!r}"
                )
            holder[slot] = {}
        node, schema = holder[slot], child


def load_scenario(
    name_or_path: str | Path = "baseline_2025",
    overrides: dict[str, Any] | list[str] | None = None,
    **levers: Any,
) -> Scenario:
    """Load and validate a scenario.

    Parameters
    ----------
    name_or_path : str or Path
        A scenario name from ``configs/`` (see ``scenario_names()``) or a path to a YAML file.
    overrides : dict or list of "key=value", optional
        Dotted-path overrides applied to the raw config before validation.
    **levers
        Named main parameters (``LEVERS``), e.g. ``gpu_market_depth_bn=40``.

    Raises
    ------
    ConfigError
        Naming the file, the field path and what is allowed.
    """
    pairs = _overrides_dict(overrides)
    path = _resolve(name_or_path)
    source = str(path)
    raw = _read_raw(path)
    for key, value in pairs.items():
        _apply_dotted(raw, key, value, source)
    return build_scenario(raw, source, **levers)


def build_scenario(raw: dict, source: str = "<config>", **levers: Any) -> Scenario:
    """Validate a raw scenario mapping (after applying ``levers``) into a ``Scenario``.

    ``source`` names where ``raw`` came from in error messages (a file, "parameter", ...).
    """
    source = str(source)
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping of scenario fields, got {_describe_value(raw)}")
    raw = _plain(raw, source)  # (a copy)
    checked = {}
    for name, value in levers.items():
        if name not in LEVERS:
            raise ConfigError(f"unknown parameter {name!r}; choose from {sorted(LEVERS)}")
        checked[name] = LEVERS[name].check(value)
    unlevered = copy.deepcopy(raw) if checked else raw
    for name, value in checked.items():
        try:
            LEVERS[name].apply(raw, value)
        except (KeyError, TypeError, AttributeError, IndexError):
            # The mapping lacks the section the lever sets (or has something else there): the
            # mapping is the problem, so report it as it is; the lever if the mapping is valid.
            _validate(unlevered, source)
            raise ConfigError(f"{source}: lever {name!r} cannot be applied to this scenario") from None
    shocks = raw.get("shocks")
    for shock in shocks if isinstance(shocks, list) else []:
        if isinstance(shock, dict):
            shock.pop("_lever", None)
            if shock.get("target") in ("", "none"):
                shock["target"] = None
    return _validate(raw, source)


def _validate(raw: dict, source: str) -> Scenario:
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None


def scenario_summary(name: str) -> str:
    """First line of a scenario's description (for ``aicontagion scenarios``)."""
    try:
        description = load_scenario(name).description
    except ConfigError as exc:
        return f"(invalid: {str(exc).splitlines()[0]})"
    return description.strip().splitlines()[0] if description.strip() else ""
