"""The event log: every consequential action as one readable record.

An event has the month (tick), the phase of the month it happened in, a kind
(``agents.names.EventKind``: ``covenant_breach``, ``waiver``, ``acceleration``, ``default``,
``seizure``, ``fire_sale``, ...), the acting institution, the counterparty, an amount in US$
billions and one sentence a student can read.

Phases never say which phase they are: the month's driver (``simulator.phases``) sets the log's
``month`` and ``phase`` before it runs each phase, and every event is stamped with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from types import MappingProxyType

from agents.names import EVENT_KINDS, MARKETS, EventKind, Phase

__all__ = ["CONSEQUENTIAL", "EVENT_KINDS", "MATERIAL_BN", "SEVERITY", "Event", "EventLog", "money", "most_important"]

_E = EventKind
SEVERITY: MappingProxyType[str, int] = MappingProxyType(
    {
        _E.DEFAULT: 10,
        _E.WRITE_OFF: 9,
        _E.SEIZURE: 8,
        _E.ACCELERATION: 8,
        _E.FIRE_SALE: 7,
        _E.MISSED_PAYMENT: 7,
        _E.MARGIN_CALL: 6,
        _E.GATE: 6,
        _E.REFINANCING_REFUSED: 6,
        _E.CONTRACT_TERMINATED: 6,
        _E.COVENANT_BREACH: 5,
        _E.CENTRAL_BANK_LOAN: 5,
        _E.DERISKING: 5,
        _E.CONTRACT_RENEGOTIATION: 5,
        _E.LEASE_RENEGOTIATION: 5,
        _E.SHOCK: 5,
        _E.LIQUIDATION: 5,
        _E.REPRICING: 4,
        _E.WAIVER: 4,
        _E.REDEMPTION: 3,
        _E.CUSTOMER_FUNDING_STOPPED: 4,
        _E.CAPEX_CUT: 3,
        _E.PAYOUT_CUT: 4,
        _E.CREDIT_DRAW: 2,
        _E.NEW_LOAN: 2,
        _E.BOND_ISSUE: 2,
        _E.ASSET_SALE: 2,
        _E.FUNDING_ROUND: 2,
        _E.ROLLOVER: 1,
        _E.CONTRACT_RENEWAL: 1,
    }
)
"""How serious an event kind is (the app's colours; ties among equally large events)."""
assert set(SEVERITY) == set(EventKind)

CONSEQUENTIAL = frozenset(
    kind
    for kind, level in SEVERITY.items()
    if level >= 4 and kind not in (_E.SHOCK, _E.WAIVER, _E.REPRICING, _E.CONTRACT_TERMINATED)
)
"""Kinds that are candidates for "the most important events": losses, defaults, breaches and
what lenders and markets did about them -- not routine flows (rollovers, draws, redemptions),
not waivers (the loan goes on), and not the end of a defaulter's contracts (a consequence of its
default, whose size is future payments, not a loss)."""

MATERIAL_BN = 0.0005
"""Events smaller than this (US$ bn: half a million dollars, which rounds to $0M) are not logged:
they carry no information. Defaults and shocks are always logged."""


@dataclass(frozen=True)
class Event:
    month: int
    phase: str  # an ``agents.names.Phase``
    kind: str  # an ``agents.names.EventKind``
    actor: str  # an institution's name, or ``MARKETS`` for a market-wide shock
    counterparty: str | None
    amount_bn: float
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


class EventLog:
    """The events of a run, oldest first, stamped with the month and phase being run.

    ``add`` names institutions by index (``None`` for the markets as actor, or for no
    counterparty; index ``n`` -- creditors outside the model -- also gives no counterparty).
    """

    def __init__(self, names: Sequence[str]):
        self.names = list(names)
        self.events: list[Event] = []
        self.month = 0
        self.phase: str = Phase.SHOCKS

    def add(self, kind: str, actor: int | None, counterparty: int | None, amount_bn: float, message: str) -> None:
        if abs(amount_bn) < MATERIAL_BN and kind not in (EventKind.DEFAULT, EventKind.SHOCK):
            return
        names = self.names
        self.events.append(
            Event(
                # (stored as plain strings: tables, JSON and Parquet see text, not enum members)
                month=self.month,
                phase=str(self.phase),
                kind=str(kind),
                actor=MARKETS if actor is None else names[actor],
                counterparty=None if counterparty is None or counterparty >= len(names) else names[counterparty],
                amount_bn=float(amount_bn),
                message=message,
            )
        )

    def __len__(self) -> int:
        return len(self.events)


def most_important(events: list[Event], top: int = 10) -> list[Event]:
    """The ``top`` consequential events (``CONSEQUENTIAL``) by economic size -- the amount at
    stake, US$ bn -- then by how serious their kind is, then time; listed in time order.
    """
    ranked = sorted(
        (ie for ie in enumerate(events) if ie[1].kind in CONSEQUENTIAL),
        key=lambda ie: (-abs(ie[1].amount_bn), -SEVERITY.get(ie[1].kind, 0), ie[1].month, ie[0]),
    )
    return [e for _, e in sorted(ranked[:top])]


def money(amount_bn: float) -> str:
    """Format US$ billions for a sentence: $7.6B, $350M."""
    if abs(amount_bn) >= 1:
        return f"${amount_bn:,.1f}B"
    return f"${amount_bn * 1000:,.0f}M"
