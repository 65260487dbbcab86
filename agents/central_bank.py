"""The central bank (the Fed): when enabled, a liquidity backstop.

Rules
-----
Once stress crosses a threshold (market sentiment below ``stress_sentiment_threshold``), it
lends to institutions of the ``eligible_kinds`` short of cash **against collateral**: the
loans, bonds and ABS tranches they hold and their other securities and loans, each after
``collateral_haircut`` (and, if ``accepts_gpu_collateral``, their GPUs after ``gpu_haircut``),
at ``lending_rate_per_year`` for ``loan_term_months``. Lending creates reserves (a liability of
the central bank), so the cash is new money, recorded as a named exogenous flow.

When it accepts GPUs it is also the **buyer of last resort** in a GPU fire sale: it stops the
price at ``1 - gpu_haircut`` of its pre-sale level and buys what outside buyers would take only
below that.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
raise_liquidity  ``lends_to``, ``lending_capacity_bn``, ``loan_terms``
fire_sales       ``gpu_floor_factor``
===============  =========================================================
It cannot be stressed: it can always create reserves.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Strict

from agents.base import Institution, Rules
from agents.names import InstitutionKind


class CentralBankRules(Rules):
    enabled: bool = Field(False, description="is the backstop switched on")
    stress_sentiment_threshold: float = Field(0.85, ge=0, le=2, description="sentiment below which it lends")
    collateral_haircut: float = Field(0.2, ge=0, le=1, description="haircut on securities and loans pledged")
    accepts_gpu_collateral: bool = Field(False, description="also lend against GPUs (a buyer of last resort)")
    gpu_haircut: float = Field(0.5, ge=0, le=1, description="haircut on GPUs pledged")
    lending_rate_per_year: float = Field(0.05, ge=0, le=1, description="rate on its emergency loans")
    loan_term_months: int = Field(12, ge=1, le=120, description="term of its emergency loans")
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
        """Is it lending now? When switched on and markets are stressed enough."""
        return self.rules.enabled and self.situation.sentiment < self.rules.stress_sentiment_threshold

    def lends_to(self, kind: str) -> bool:
        """Would it lend to an institution of this kind now?"""
        return self.backstop_active() and kind in self.rules.eligible_kinds

    def lending_capacity_bn(self, securities_bn: float, gpus_bn: float) -> float:
        """Most it lends against securities and loans worth ``securities_bn`` and GPUs worth
        ``gpus_bn`` (market values), after haircuts, US$ bn.
        """
        r = self.rules
        capacity = securities_bn * (1 - r.collateral_haircut)
        if r.accepts_gpu_collateral:
            capacity += gpus_bn * (1 - r.gpu_haircut)
        return capacity

    def loan_terms(self) -> tuple[float, int]:
        """Rate (per year) and term (months) of its emergency loans."""
        return self.rules.lending_rate_per_year, self.rules.loan_term_months

    def gpu_floor_factor(self) -> float | None:
        """As buyer of last resort: the share of the pre-sale GPU price below which it buys
        (None: it does not buy GPUs now).
        """
        if self.rules.accepts_gpu_collateral and self.backstop_active():
            return 1.0 - self.rules.gpu_haircut
        return None
