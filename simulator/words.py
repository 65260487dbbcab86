"""Words the front ends show (the app, the command line's summary, the run report) that come
from the model's vocabularies: sector names, event kinds, statuses. Each is a message of the
``app`` gettext domain (:mod:`simulator.i18n`), marked here with ``N_`` so that extraction finds
it; ``sector_label``, ``event_kind_label`` and ``status_label`` translate them.
"""

from __future__ import annotations

from types import MappingProxyType

from agents.names import DEBT_KINDS, EXECUTORY_KINDS, INSTITUTION_KINDS, SECTOR_LABELS, STAKE_KINDS, STATUSES, EventKind
from simulator.i18n import N_, gettext_for

__all__ = [
    "EVENT_KIND_LABELS",
    "FACT_SENTENCES",
    "KIND_WORDS",
    "SECTOR_WORDS",
    "STATUS_LABELS",
    "event_kind_label",
    "kind_word",
    "sector_label",
    "status_label",
]

SECTOR_WORDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "chip_maker": N_("Chip makers"),
        "hyperscaler": N_("Hyperscalers"),
        "ai_lab": N_("AI labs"),
        "neocloud": N_("Neoclouds"),
        "miner": N_("Crypto miners"),
        "spv": N_("SPVs"),
        "private_credit": N_("Private credit"),
        "leveraged_fund": N_("Leveraged funds"),
        "bank": N_("Banks"),
        "insurer": N_("Insurers"),
        "pension": N_("Pension funds"),
        "retail": N_("Retail investors"),
        "central_bank": N_("Central bank"),
    }
)
"""``agents.names.SECTOR_LABELS``, marked for translation (the same English)."""
assert dict(SECTOR_WORDS) == dict(SECTOR_LABELS), "SECTOR_WORDS must repeat agents.names.SECTOR_LABELS"

_E = EventKind
EVENT_KIND_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        _E.SHOCK: N_("shock"),
        _E.FUNDING_ROUND: N_("funding round"),
        _E.CUSTOMER_FUNDING_STOPPED: N_("customer funding stopped"),
        _E.CAPEX_CUT: N_("capex cut"),
        _E.PAYOUT_CUT: N_("payout cut"),
        _E.LEASE_RENEGOTIATION: N_("lease renegotiation"),
        _E.CONTRACT_RENEGOTIATION: N_("contract renegotiation"),
        _E.CONTRACT_TERMINATED: N_("contract terminated"),
        _E.CONTRACT_RENEWAL: N_("contract renewal"),
        _E.ROLLOVER: N_("rollover"),
        _E.REFINANCING_REFUSED: N_("refinancing refused"),
        _E.COVENANT_BREACH: N_("covenant breach"),
        _E.WAIVER: N_("waiver"),
        _E.REPRICING: N_("repricing"),
        _E.ACCELERATION: N_("acceleration"),
        _E.CREDIT_DRAW: N_("credit draw"),
        _E.NEW_LOAN: N_("new loan"),
        _E.BOND_ISSUE: N_("bond issue"),
        _E.ASSET_SALE: N_("asset sale"),
        _E.FIRE_SALE: N_("fire sale"),
        _E.MISSED_PAYMENT: N_("missed payment"),
        _E.DEFAULT: N_("default"),
        _E.SEIZURE: N_("seizure"),
        _E.LIQUIDATION: N_("liquidation"),
        _E.WRITE_OFF: N_("write off"),
        _E.REDEMPTION: N_("redemption"),
        _E.GATE: N_("gate"),
        _E.MARGIN_CALL: N_("margin call"),
        _E.DERISKING: N_("derisking"),
        _E.CENTRAL_BANK_LOAN: N_("central bank loan"),
    }
)
"""Each event kind as words (the kind with spaces for underscores), marked for translation."""
assert {str(k): v for k, v in EVENT_KIND_LABELS.items()} == {str(k): str(k).replace("_", " ") for k in EventKind}

STATUS_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {"healthy": N_("healthy"), "stressed": N_("stressed"), "breached": N_("breached"), "defaulted": N_("defaulted")}
)
"""Each institution status (``agents.names.STATUSES``), marked for translation."""
assert tuple(STATUS_LABELS) == STATUSES


KIND_WORDS: MappingProxyType[str, str] = MappingProxyType(
    {
        # institutions (one of a sector)
        "chip_maker": N_("chip maker"),
        "hyperscaler": N_("hyperscaler"),
        "ai_lab": N_("AI lab"),
        "neocloud": N_("neocloud"),
        "miner": N_("miner"),
        "spv": N_("SPV"),
        "private_credit": N_("private credit"),
        "leveraged_fund": N_("leveraged fund"),
        "bank": N_("bank"),
        "insurer": N_("insurer"),
        "pension": N_("pension"),
        "retail": N_("retail"),
        "central_bank": N_("central bank"),
        # debts, stakes and contracts
        "loan": N_("loan"),
        "bond": N_("bond"),
        "credit_line": N_("credit line"),
        "abs_tranche": N_("abs tranche"),
        "equity": N_("equity"),
        "fund_share": N_("fund share"),
        "compute_contract": N_("compute contract"),
        "lease": N_("lease"),
        "chip_sale": N_("chip sale"),
        "equity_funding": N_("equity funding"),
    }
)
"""Kinds of institution, debt, stake and contract as words (the kind with spaces for
underscores, except SPV and AI lab), marked for translation."""
assert set(KIND_WORDS) == {*INSTITUTION_KINDS, *DEBT_KINDS, *STAKE_KINDS, *EXECUTORY_KINDS}


def kind_word(kind: str, lang: str = "en") -> str:
    """A kind of institution, debt, stake, contract or event as words in ``lang`` (an unknown
    kind with spaces for underscores).
    """
    label = KIND_WORDS.get(kind) or EVENT_KIND_LABELS.get(kind)
    return kind.replace("_", " ") if label is None else gettext_for(lang, "app")(label)


def sector_label(kind: str, lang: str = "en") -> str:
    """The sector of institution kind ``kind`` in ``lang`` (an unknown kind as it is)."""
    label = SECTOR_WORDS.get(kind)
    return kind if label is None else gettext_for(lang, "app")(label)


def event_kind_label(kind: str, lang: str = "en") -> str:
    """Event kind ``kind`` as words in ``lang`` (an unknown kind with spaces for underscores)."""
    label = EVENT_KIND_LABELS.get(kind)
    return kind.replace("_", " ") if label is None else gettext_for(lang, "app")(label)


def status_label(status: str, lang: str = "en") -> str:
    """Institution status ``status`` in ``lang``."""
    label = STATUS_LABELS.get(status)
    return status if label is None else gettext_for(lang, "app")(label)


FACT_SENTENCES: MappingProxyType[str, str] = MappingProxyType(
    {
        "status": N_("{institution} is {status} at month {month}"),
        "none": N_("no {kind} in {span}"),
        "none_involving": N_("no {kind} involving {institution} in {span}"),
        "first": N_("the run's first {kind}, in {span}"),
        "first_involving": N_("the run's first {kind} involving {institution}, in {span}"),
        "some": N_("a {kind} in {span}"),
        "some_involving": N_("a {kind} involving {institution} in {span}"),
        "some_vowel": N_("an {kind} in {span}"),  # (English article before a vowel)
        "some_vowel_involving": N_("an {kind} involving {institution} in {span}"),
        "one_month": N_("month {month}"),
        "months": N_("months {first}–{last}"),
    }
)
"""The sentences a guided lesson's facts are read in (``simulator.lessons.check_stage``), by
template; ``kind`` and ``status`` are filled with their words in the same language."""
