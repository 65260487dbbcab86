"""The central bank (the Fed): when enabled, a backstop whose terms are a policy choice.

Rules
-----
* **When.** It acts once its trigger fires (``trigger``): market sentiment below
  ``stress_sentiment_threshold`` (while it stays there), at least ``trigger_defaults``
  institutions in default, or simply from ``start_month`` -- and never before ``start_month``.
* **Lending** (``lends``): to institutions of the ``eligible_kinds`` short of cash, at the base
  rate plus ``penalty_spread_per_year`` (Bagehot's penalty rate: a floating rate), for
  ``loan_term_months``, against collateral valued at market after a haircut by collateral class:
  Treasuries, investment-grade and high-yield bonds, private loans (loans to the network and
  other loans at book), ABS by rating (a downgraded tranche is worth less as collateral), GPUs.
  A haircut of 1 makes a class ineligible. It lends what the borrower needs up to the collateral
  after haircuts, and takes the same share of every eligible item as its pledge. If the
  borrower defaults it seizes the pledge, valued at market, and its loss is what the collateral
  and the estate do not cover. Lending creates reserves (a liability of the central bank), so the
  cash is new money, recorded as a named exogenous flow. It rolls its loans over while its
  backstop lasts and the borrower is sound.
* **Purchases at a floor.** As buyer of last resort of GPUs (``buys_gpus``) it stops a fire sale's
  price at ``gpu_floor`` of the pre-sale price and buys what outside buyers would take only below
  it; of ABS (``buys_abs``) it stops the price of ABS sold at ``abs_floor_price`` of par (never
  paying more than they fetched before the sale) and buys the rest. What it buys it holds,
  marked to market.

Which phase asks what
---------------------
================  ======================================================================
phase             method
================  ======================================================================
raise_liquidity   ``lends_to``, ``advance`` (with ``haircut``)
service_debt      as a lender ``rolls_over``, ``rollover_term_months``
fire_sales        ``gpu_floor_factor``, ``abs_floor_price``
================  ======================================================================
It cannot be stressed: it can always create reserves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, Strict

from agents.base import Institution, Rules
from agents.decisions import Advance, Collateral, CollateralKind
from agents.names import CreditClass, InstitutionKind, Rating, Status

ABS_CLASSES = (CreditClass.ABS_SENIOR, CreditClass.ABS_JUNIOR)


class CentralBankRules(Rules):
    enabled: bool = Field(False, description="is the backstop switched on at all")
    trigger: Literal["sentiment", "defaults", "month"] = Field(
        "sentiment",
        description="when it starts: 'sentiment' (below stress_sentiment_threshold), 'defaults' (at least "
        "trigger_defaults institutions in default) or 'month' (from start_month)",
    )
    stress_sentiment_threshold: float = Field(
        0.85, ge=0, le=2, description="sentiment below which it acts (trigger 'sentiment')"
    )
    trigger_defaults: int = Field(
        1, ge=1, le=10_000, description="institutions in default from which it acts (trigger 'defaults')"
    )
    start_month: int = Field(0, ge=0, le=600, description="first month in which it may act, whatever the trigger")
    lends: bool = Field(True, description="lend against collateral (the discount window); false: it only buys")
    penalty_spread_per_year: float = Field(
        0.01, ge=0, le=0.5, description="spread over the base rate on its loans (floating), per year"
    )
    loan_term_months: int = Field(12, ge=1, le=120, description="term of its loans, months")
    haircut_government: float = Field(0.02, ge=0, le=1, description="haircut on Treasuries pledged (1: not accepted)")
    haircut_investment_grade: float = Field(0.08, ge=0, le=1, description="haircut on investment-grade bonds")
    haircut_high_yield: float = Field(
        0.25, ge=0, le=1, description="haircut on high-yield bonds (and on any claim rated junk but ABS)"
    )
    haircut_private_loans: float = Field(
        0.35, ge=0, le=1, description="haircut on private loans: loans to the network and other loans at book"
    )
    haircut_abs_aaa: float = Field(0.08, ge=0, le=1, description="haircut on AAA-rated ABS")
    haircut_abs_a: float = Field(0.15, ge=0, le=1, description="haircut on A-rated ABS")
    haircut_abs_bbb: float = Field(0.35, ge=0, le=1, description="haircut on BBB-rated ABS")
    haircut_abs_junk: float = Field(1.0, ge=0, le=1, description="haircut on ABS rated below investment grade")
    haircut_gpus: float = Field(0.5, ge=0, le=1, description="haircut on GPUs pledged (1: not accepted)")
    buys_gpus: bool = Field(False, description="buyer of last resort in GPU fire sales")
    gpu_floor: float = Field(
        0.5, ge=0, le=1, description="share of the pre-sale GPU price at which it stops a fire sale and buys"
    )
    buys_abs: bool = Field(False, description="buyer of last resort of ABS tranches and ABS securities")
    abs_floor_price: float = Field(
        0.7, ge=0, le=1, description="price per unit of par at which it stops an ABS fire sale and buys"
    )
    eligible_kinds: tuple[Annotated[InstitutionKind, Strict(False)], ...] = Field(
        (
            InstitutionKind.PRIVATE_CREDIT,
            InstitutionKind.BANK,
            InstitutionKind.INSURER,
            InstitutionKind.PENSION,
            InstitutionKind.SPV,
            InstitutionKind.NEOCLOUD,
            InstitutionKind.MINER,
            InstitutionKind.HYPERSCALER,
            InstitutionKind.AI_LAB,
            InstitutionKind.CHIP_MAKER,
        ),
        strict=False,  # a list of kind names, as YAML writes it
        description="institution kinds it lends to",
    )


class CentralBank(Institution):
    kind = InstitutionKind.CENTRAL_BANK
    Rules = CentralBankRules
    rules: CentralBankRules

    can_be_stressed = False  # it can always create reserves

    def backstop_active(self) -> bool:
        """Is its backstop on now? Switched on, not before ``start_month``, and its trigger fired."""
        r, s = self.rules, self.situation
        if not r.enabled or s.month < r.start_month:
            return False
        if r.trigger == "sentiment":
            return s.sentiment < r.stress_sentiment_threshold
        if r.trigger == "defaults":
            return int(np.count_nonzero(s.defaulted)) >= r.trigger_defaults
        return True  # "month": from start_month on

    def lends_to(self, kind: str) -> bool:
        """Would it lend to an institution of this kind now?"""
        return self.rules.lends and self.backstop_active() and kind in self.rules.eligible_kinds

    def lending_rate_per_year(self, base_rate_per_year: float) -> float:
        """The rate its loans pay now: the base rate plus its penalty spread."""
        return base_rate_per_year + self.rules.penalty_spread_per_year

    def haircut(self, item: Collateral) -> float:
        """Its haircut on ``item`` (1: not accepted): GPUs at ``haircut_gpus``, ABS by rating,
        other claims by credit class -- at least the high-yield haircut once rated junk.
        """
        r = self.rules
        if item.kind == CollateralKind.GPU:
            return r.haircut_gpus
        if item.credit_class in ABS_CLASSES:
            return (r.haircut_abs_aaa, r.haircut_abs_a, r.haircut_abs_bbb, r.haircut_abs_junk)[item.rating]
        by_class = {
            CreditClass.GOVERNMENT: r.haircut_government,
            CreditClass.INVESTMENT_GRADE: r.haircut_investment_grade,
            CreditClass.HIGH_YIELD: r.haircut_high_yield,
            CreditClass.PRIVATE: r.haircut_private_loans,
        }[CreditClass(item.credit_class)]
        return max(by_class, r.haircut_high_yield) if item.rating == Rating.JUNK else by_class

    def capacity_bn(self, collateral: Sequence[Collateral]) -> float:
        """What it would lend against ``collateral`` (values after its haircuts), US$ bn."""
        return sum(c.value_bn * (1.0 - self.haircut(c)) for c in collateral if c.value_bn > 0)

    def advance(self, need_bn: float, collateral: Sequence[Collateral]) -> Advance | None:
        """Lend ``need_bn`` (at most the ``collateral`` after haircuts) at its penalty spread over
        the base rate; the pledge is the same share of every eligible item. None if nothing can
        be lent.
        """
        eligible = tuple(c for c in collateral if c.value_bn > 0 and self.haircut(c) < 1.0)
        capacity = self.capacity_bn(eligible)
        amount = min(max(need_bn, 0.0), capacity)
        if amount <= 1e-9:
            return None
        r = self.rules
        return Advance(amount, r.penalty_spread_per_year, r.loan_term_months, eligible, min(amount / capacity, 1.0))

    def rolls_over(self, borrower_status: str) -> bool:
        """Roll its loans over while it still lends and the borrower is sound (neither in breach
        nor in default).
        """
        return self.rules.lends and self.backstop_active() and borrower_status in (Status.HEALTHY, Status.STRESSED)

    def rollover_term_months(self) -> int:
        return self.rules.loan_term_months

    def gpu_floor_factor(self) -> float | None:
        """As buyer of last resort: the share of the pre-sale GPU price below which it buys
        (None: it does not buy GPUs now).
        """
        if self.rules.buys_gpus and self.backstop_active():
            return self.rules.gpu_floor
        return None

    def abs_floor_price(self) -> float | None:
        """As buyer of last resort of ABS: the price per unit of par below which it buys (None:
        it does not buy ABS now).
        """
        if self.rules.buys_abs and self.backstop_active():
            return self.rules.abs_floor_price
        return None
