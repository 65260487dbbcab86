"""AI labs (OpenAI, Anthropic, xAI): revenue far below spend, funded by equity rounds.

Rules
-----
* Funding rounds: when its cash covers fewer than ``runway_trigger_months`` of burn and
  sentiment is at least ``funding_sentiment_floor``, it raises ``funding_round_months`` of burn
  from investors outside the model (sovereign funds, venture capital).
* Short of cash it draws credit lines, borrows from the central bank (when it lends), then
  **cuts or renegotiates its compute commitments**: every compute contract it pays is cut by
  ``renegotiation_cut`` (at most ``max_renegotiations`` times per contract); what it still
  cannot pay, it misses.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
operate          ``funding_round_bn``
raise_liquidity  ``liquidity_actions``, ``contracts_to_cut``
===============  =========================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from agents.base import Institution, Rules
from agents.decisions import Commitment, Cut, LiquidityAction, Order
from agents.names import InstitutionKind


class AiLabRules(Rules):
    runway_trigger_months: float = Field(9.0, ge=0, le=120, description="runway below which it raises money")
    funding_round_months: float = Field(18.0, ge=0, le=120, description="size of a round, months of burn")
    funding_sentiment_floor: float = Field(0.8, ge=0, le=2, description="sentiment below which no outside round closes")
    renegotiation_cut: float = Field(0.3, ge=0, le=1, description="share cut from compute commitments when short")
    max_renegotiations: int = Field(3, ge=0, le=100, description="cuts per contract before it simply misses")


class AiLab(Institution):
    kind = InstitutionKind.AI_LAB
    Rules = AiLabRules
    rules: AiLabRules

    def funding_round_bn(self, burn_bn_per_month: float) -> float:
        """Size of the outside equity round it raises this month (0 if none)."""
        r = self.rules
        if burn_bn_per_month <= 0 or self.situation.sentiment < r.funding_sentiment_floor:
            return 0.0
        if self.cash_bn >= r.runway_trigger_months * burn_bn_per_month:
            return 0.0
        return r.funding_round_months * burn_bn_per_month

    def liquidity_actions(self, shortfall_bn: float) -> list[Order]:
        return [
            Order(LiquidityAction.DRAW_CREDIT),
            Order(LiquidityAction.CENTRAL_BANK),
            Order(LiquidityAction.CUT_CONTRACTS),
        ]

    def contracts_to_cut(self, commitments: Sequence[Commitment]) -> list[Cut]:
        """Every compute commitment not yet cut ``max_renegotiations`` times, by
        ``renegotiation_cut``.
        """
        r = self.rules
        return [Cut(c.row, r.renegotiation_cut) for c in commitments if c.renegotiations < r.max_renegotiations]
