"""The central bank (the Fed): when enabled, a liquidity backstop.

Rule
----
Once stress crosses a threshold (market sentiment below ``stress_sentiment_threshold``), it
lends to institutions short of cash **against collateral**: the loans, bonds and ABS tranches
they hold, their other securities and loans (and, if ``accepts_gpu_collateral``, their GPUs),
each after a haircut, at
``lending_rate_per_year``. Lending creates reserves (a liability of the central bank), so the
cash is new money, recorded as a named exogenous flow.
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules


class CentralBankRules(Rules):
    enabled: bool = Field(False, description="is the backstop switched on")
    stress_sentiment_threshold: float = Field(0.85, ge=0, le=2, description="sentiment below which it lends")
    collateral_haircut: float = Field(0.2, ge=0, le=1, description="haircut on securities and loans pledged")
    accepts_gpu_collateral: bool = Field(False, description="also lend against GPUs (a buyer of last resort)")
    gpu_haircut: float = Field(0.5, ge=0, le=1, description="haircut on GPUs pledged")
    lending_rate_per_year: float = Field(0.05, ge=0, le=1, description="rate on its emergency loans")
    loan_term_months: int = Field(12, ge=1, le=120, description="term of its emergency loans")
    eligible_kinds: tuple[str, ...] = Field(
        ("private_credit", "bank", "insurer", "pension", "spv", "neocloud", "miner", "hyperscaler", "ai_lab", "chip_maker"),
        description="institution kinds it lends to",
    )


class CentralBank(Institution):
    kind = "central_bank"
    Rules = CentralBankRules

    can_be_stressed = False  # it can always create reserves

    def backstop_active(self, sentiment: float) -> bool:
        return self.rules.enabled and sentiment < self.rules.stress_sentiment_threshold
