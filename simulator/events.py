"""The event log: every consequential action as one readable record.

An event has the month (tick), the phase of the month it happened in, a kind
(``agents.names.EventKind``: ``covenant_breach``, ``waiver``, ``acceleration``, ``default``,
``seizure``, ``fire_sale``, ...), the acting institution, the counterparty, an amount in US$
billions and one sentence a student can read.

The sentence is kept twice: rendered in English (``message``, what tables, tests and the golden
results read) and as its :class:`Sentence` -- a gettext message of the ``events`` domain
(``template``, English, with named ``{placeholders}``) and the values that fill it (``params``)
-- so :func:`event_sentence` can render it again in any language of :mod:`simulator.i18n`, also
from a saved run (``events.jsonl`` and ``summary.json`` keep both). Phases build sentences with
:func:`say`, which marks its template for extraction into the ``events`` catalogue.

Phases never say which phase they are: the month's driver (``simulator.phases``) sets the log's
``month`` and ``phase`` before it runs each phase, and every event is stamped with them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from agents.names import EVENT_KINDS, MARKETS, EventKind, Phase

__all__ = [
    "CONSEQUENTIAL",
    "EVENT_KINDS",
    "MATERIAL_BN",
    "SEVERITY",
    "Event",
    "EventLog",
    "Sentence",
    "event_sentence",
    "money",
    "most_important",
    "render_sentence",
    "say",
]

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
class Sentence:
    """An event's sentence before it is put into words: ``template`` is a message of the
    ``events`` gettext domain, English, with named ``{placeholders}`` (``str.format`` syntax;
    the format spec ``money`` writes US$ billions as :func:`money` does), and ``params`` fills
    them: institutions' names and ids (text, kept as they are in every language), numbers, a
    nested :class:`Sentence` (a clause, translated too) or a tuple of sentences (clauses written
    one after the other; with the format spec ``list``, separated by commas).
    """

    template: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def render(self, lang: str = "en") -> str:
        """The sentence in ``lang`` (see :func:`render_sentence`)."""
        return render_sentence(self.template, self.to_dict()["params"], lang)

    def to_dict(self) -> dict:
        """``{"template": ..., "params": ...}`` with nested sentences as such dicts (JSON-ready)."""
        return {"template": self.template, "params": {k: _param_to_data(v) for k, v in self.params.items()}}


def say(template: str, /, **params: Any) -> Sentence:
    """An event's sentence: ``template`` (English, a message of the ``events`` domain, with
    named ``{placeholders}``) and the values of its placeholders. Write the template as a
    string literal where ``say`` is called: that is how it is extracted into the catalogue.
    """
    return Sentence(template, params)


def _param_to_data(value: Any) -> Any:
    if isinstance(value, Sentence):
        return value.to_dict()
    if isinstance(value, dict) and "template" in value:  # a sentence already as data
        return {"template": value["template"], "params": {k: _param_to_data(v) for k, v in value["params"].items()}}
    if isinstance(value, (tuple, list)):
        return [_param_to_data(v) for v in value]
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if hasattr(value, "item"):  # a numpy scalar: its plain Python value
        return value.item()
    raise TypeError(f"an event sentence's value must be text, a number or a sentence, not {type(value).__name__}")


_LIST_SEPARATOR = say(", ").template  # joins the clauses of a ``{name:list}`` placeholder


class _SentenceFormatter:
    """``str.format`` that also writes money (``{x:money}``), nested sentences (in the same
    language) and lists of them.
    """

    def __init__(self, lang: str):
        from simulator.i18n import gettext_for

        self.lang = lang
        self.gettext = gettext_for(lang, "events")

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, dict) and "template" in value:
            return self.sentence(value["template"], value.get("params", {}))
        if isinstance(value, list):
            parts = [self.format_field(v, "") for v in value]
            return (self.gettext(_LIST_SEPARATOR) if format_spec == "list" else "").join(parts)
        if format_spec == "money":
            return money(float(value))
        return format(value, format_spec)

    def sentence(self, template: str, params: Mapping[str, Any]) -> str:
        # (``vformat`` would parse the template and walk its fields in Python every time: a run
        # logs thousands of events, so each template is parsed once, and its fields -- plain
        # names with a format spec, as the events catalogue's tests require -- filled directly)
        out = []
        for literal, name, spec in _parsed(self.gettext(template)):
            out.append(literal)
            if name is not None:
                out.append(self.format_field(params[name], spec))
        return "".join(out)


@cache
def _parsed(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """``template``'s pieces: (literal text, placeholder name or None, format spec)."""
    pieces = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if name is not None and (conversion or not name.isidentifier() or "{" in (spec or "")):
            raise ValueError(
                f"event sentence {template!r}: placeholder {{{name}}} must be a plain name with a format spec"
            )
        pieces.append((literal, name, spec or ""))
    return tuple(pieces)


def render_sentence(template: str, params: Mapping[str, Any], lang: str = "en") -> str:
    """The sentence ``template`` filled with ``params`` (as saved: nested sentences as
    ``{"template", "params"}`` dicts) in ``lang``; a template the catalogue does not translate
    reads in English.
    """
    return _formatter(lang).sentence(template, {k: _param_to_data(v) for k, v in params.items()})


@cache
def _formatter(lang: str) -> _SentenceFormatter:
    return _SentenceFormatter(lang)


@dataclass(frozen=True)
class Event:
    month: int
    phase: str  # an ``agents.names.Phase``
    kind: str  # an ``agents.names.EventKind``
    actor: str  # an institution's name, or ``MARKETS`` for a market-wide shock
    counterparty: str | None
    amount_bn: float
    message: str  # the sentence in English
    template: str = ""  # the sentence's ``events`` message (empty: saved before sentences were kept)
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)  # its values (JSON-ready)

    def to_dict(self) -> dict:
        return asdict(self)


def event_sentence(event: Event | Mapping[str, Any], lang: str = "en") -> str:
    """The event's sentence in ``lang`` (a code of :data:`simulator.i18n.LANGUAGES`). ``event``
    is an :class:`Event` or one as saved (a dict with ``message`` and, since sentences are kept,
    ``template`` and ``params``: ``events.jsonl``, ``summary.json``'s ``top_events``). An event
    saved without its template (an older run folder) reads in English.
    """
    from simulator.i18n import check_language

    check_language(lang)
    if isinstance(event, Event):
        message, template, params = event.message, event.template, event.params
    else:
        message, template, params = event["message"], event.get("template") or "", event.get("params") or {}
    if not template or lang == "en":
        return message
    return render_sentence(template, params, lang)


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

    def add(self, kind: str, actor: int | None, counterparty: int | None, amount_bn: float, sentence: Sentence) -> None:
        """Log an event whose sentence is ``sentence`` (built with :func:`say`)."""
        if abs(amount_bn) < MATERIAL_BN and kind not in (EventKind.DEFAULT, EventKind.SHOCK):
            return
        names = self.names
        params = sentence.to_dict()["params"]
        self.events.append(
            Event(
                # (stored as plain strings: tables, JSON and Parquet see text, not enum members)
                month=self.month,
                phase=str(self.phase),
                kind=str(kind),
                actor=MARKETS if actor is None else names[actor],
                counterparty=None if counterparty is None or counterparty >= len(names) else names[counterparty],
                amount_bn=float(amount_bn),
                message=_formatter("en").sentence(sentence.template, params),
                template=sentence.template,
                params=params,
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
