"""AI labs (OpenAI, Anthropic, xAI): revenue far below spend, funded by equity rounds.

Rules
-----
* Funding rounds: when its cash covers fewer than ``runway_trigger_months`` of burn and
  sentiment is at least ``funding_sentiment_floor``, it raises ``funding_round_months`` of burn
  from investors outside the model (sovereign funds, venture capital).
* Short of cash it **cuts or renegotiates its compute commitments**: every compute contract it
  pays is cut by ``renegotiation_cut`` (at most ``max_renegotiations`` times per contract);
  what it still cannot pay, it misses.
"""

from __future__ import annotations

from pydantic import Field

from agents.base import Institution, Rules


class AiLabRules(Rules):
    runway_trigger_months: float = Field(9.0, ge=0, le=120, description="runway below which it raises money")
    funding_round_months: float = Field(18.0, ge=0, le=120, description="size of a round, months of burn")
    funding_sentiment_floor: float = Field(
        0.8, ge=0, le=2, description="sentiment below which no outside round closes"
    )
    renegotiation_cut: float = Field(0.3, ge=0, le=1, description="share cut from compute commitments when short")
    max_renegotiations: int = Field(3, ge=0, le=100, description="cuts per contract before it simply misses")


class AiLab(Institution):
    kind = "ai_lab"
    Rules = AiLabRules

    def funding_round_bn(self, burn_bn_per_month: float) -> float:
        """Size of the outside equity round it raises this month (0 if none)."""
        r = self.rules
        if burn_bn_per_month <= 0 or self.model.sentiment < r.funding_sentiment_floor:
            return 0.0
        if self.cash_bn >= r.runway_trigger_months * burn_bn_per_month:
            return 0.0
        return r.funding_round_months * burn_bn_per_month

    def liquidity_actions(self, shortfall_bn: float) -> list[tuple]:
        return [("draw_credit", shortfall_bn), ("cut_contracts", self.rules.renegotiation_cut)]
