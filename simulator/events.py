"""The event log: every consequential action as one readable record.

An event has the month (tick), the phase of the tick, a kind (``covenant_breach``, ``waiver``,
``acceleration``, ``default``, ``seizure``, ``fire_sale``, ...), the acting institution, the
counterparty, an amount in US$ billions and one sentence a student can read.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

EVENT_KINDS = (
    "shock", "funding_round", "customer_funding_stopped", "capex_cut", "lease_renegotiation",
    "contract_renegotiation", "contract_terminated", "rollover", "refinancing_refused",
    "covenant_breach", "waiver", "repricing", "acceleration", "credit_draw", "bond_issue",
    "asset_sale", "fire_sale", "missed_payment", "default", "seizure", "liquidation", "write_off",
    "redemption", "gate", "margin_call", "derisking", "central_bank_loan",
)

# How much an event kind matters when picking "the most important events" (higher first).
SEVERITY = {
    "default": 10, "write_off": 9, "seizure": 8, "acceleration": 8, "fire_sale": 7,
    "missed_payment": 7, "margin_call": 6, "gate": 6, "refinancing_refused": 6,
    "contract_terminated": 6, "covenant_breach": 5, "central_bank_loan": 5, "derisking": 5,
    "contract_renegotiation": 5, "lease_renegotiation": 5, "shock": 5, "liquidation": 5,
    "repricing": 4, "waiver": 4, "redemption": 3, "customer_funding_stopped": 4,
    "capex_cut": 3, "credit_draw": 2, "bond_issue": 2, "asset_sale": 2, "funding_round": 2,
    "rollover": 1,
}


@dataclass(frozen=True)
class Event:
    month: int
    phase: str
    kind: str
    actor: str
    counterparty: str | None
    amount_bn: float
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def most_important(events: list[Event], top: int = 10) -> list[Event]:
    """The ``top`` events by severity of their kind, then amount, then time (stable)."""
    ranked = sorted(
        enumerate(events),
        key=lambda ie: (-SEVERITY.get(ie[1].kind, 0), -abs(ie[1].amount_bn), ie[1].month, ie[0]),
    )
    return sorted((e for _, e in ranked[:top]), key=lambda e: (e.month, events.index(e)))


def money(amount_bn: float) -> str:
    """Format US$ billions for a sentence: $7.6B, $350M."""
    if abs(amount_bn) >= 1:
        return f"${amount_bn:,.1f}B"
    return f"${amount_bn * 1000:,.0f}M"
