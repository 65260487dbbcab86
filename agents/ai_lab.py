"""AI labs (OpenAI, Anthropic, xAI): revenue far below spend, funded by equity rounds.

Rules
-----
* Funding rounds: when its cash covers fewer than ``runway_trigger_months`` of burn, it raises
  money from investors outside the model (sovereign funds, venture capital) to restore
  ``target_runway_months`` of burn -- as much of that as investors will fund, which falls
  smoothly with sentiment, with AI revenue short of expectations and with rising rates.
* Commitments against revenue: when AI revenue falls below ``commitment_review_demand_ratio``
  of what was expected, it renegotiates each compute contract it pays down by
  ``renegotiation_cut`` (once, in the month it sees the shortfall) -- the first step of the crash
  the sources describe: revenue short of the commitments, so the commitments are cut.
* Short of cash it draws credit lines, borrows from the central bank (when it lends), then
  **cuts or renegotiates its compute commitments**: every compute contract it pays is cut by
  ``renegotiation_cut`` (at most ``max_renegotiations`` times per contract); what it still
  cannot pay, it misses.

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
operate          ``funding_round_bn``, ``contract_cut_wanted``
raise_liquidity  ``liquidity_actions``, ``contracts_to_cut``
===============  =========================================================
Everything else is the default of ``agents.base.Institution``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import Field

from agents.base import Institution, Rules
from agents.decisions import Commitment, Cut, LiquidityAction, Order
from agents.names import ExecutoryKind, InstitutionKind


class AiLabRules(Rules):
    runway_trigger_months: float = Field(9.0, ge=0, le=120, description="runway below which it raises money")
    target_runway_months: float = Field(
        18.0, ge=0, le=120, description="runway a round aims to restore, months of burn"
    )
    funding_sentiment_floor: float = Field(
        0.6, ge=0, le=2, description="sentiment at or below which no outside investor puts money in"
    )
    funding_sentiment_full: float = Field(
        1.0, ge=0, le=2, description="sentiment at or above which investors fund the whole runway gap"
    )
    funding_results_elasticity: float = Field(
        1.0, ge=0, le=10, description="how much of the gap is funded falls as (AI revenue / expected) ** this"
    )
    funding_rate_sensitivity: float = Field(
        10.0, ge=0, le=100, description="funding falls by exp(-this x rise in the base rate per year)"
    )
    commitment_review_demand_ratio: float = Field(
        0.7,
        ge=0,
        le=2,
        description="AI revenue / expected below which it renegotiates its compute contracts down (once each)",
    )
    renegotiation_cut: float = Field(
        0.3, ge=0, le=1, description="share cut from a compute commitment when it renegotiates"
    )
    max_renegotiations: int = Field(3, ge=0, le=100, description="cuts per contract before it simply misses")


class AiLab(Institution):
    kind = InstitutionKind.AI_LAB
    Rules = AiLabRules
    rules: AiLabRules

    def funding_round_bn(self, burn_bn_per_month: float) -> float:
        """Outside equity it raises this month (US$ bn, 0 if none): when its cash covers fewer
        than ``runway_trigger_months`` of burn, a round that restores ``target_runway_months`` --
        times the share investors will fund, which falls smoothly with sentiment (none at
        ``funding_sentiment_floor``, all at ``funding_sentiment_full``), with AI revenue short of
        expectations and with a rise in interest rates. No cliff: in a crash it dries up.
        """
        r, s = self.rules, self.situation
        if burn_bn_per_month <= 0 or self.cash_bn >= r.runway_trigger_months * burn_bn_per_month:
            return 0.0
        gap = r.target_runway_months * burn_bn_per_month - self.cash_bn
        span = max(r.funding_sentiment_full - r.funding_sentiment_floor, 1e-9)
        appetite = min(max((s.sentiment - r.funding_sentiment_floor) / span, 0.0), 1.0)
        appetite *= min(s.demand_ratio, 1.0) ** r.funding_results_elasticity
        appetite *= math.exp(-r.funding_rate_sensitivity * max(s.base_rate_rise_per_year, 0.0))
        return max(gap, 0.0) * appetite

    def contract_cut_wanted(self, kind: ExecutoryKind, demand_ratio: float) -> float:
        """Share by which it cuts each compute contract it pays when AI revenue falls below
        ``commitment_review_demand_ratio`` of expectations (0 = keep them).
        """
        r = self.rules
        if kind == ExecutoryKind.COMPUTE_CONTRACT and demand_ratio < r.commitment_review_demand_ratio:
            return r.renegotiation_cut
        return 0.0

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
