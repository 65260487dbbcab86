"""The one list of names: institution kinds (sectors), contract kinds, statuses, event kinds and
the phases of a month.

Everything else takes its vocabulary from here: the config schema (``simulator.config``), the
agent classes (``agents.registry``), the engine's phases and records, ``networks`` (drawing
styles and layouts) and the app. Adding a kind of institution or contract starts with one line
here (see the "where do I change X" table in ``docs/architecture.md``).

It lives in ``agents/`` because ``agents`` is the lowest layer every other package may import
(``networks`` imports this module and nothing else of ``agents``; see the import contracts in
``pyproject.toml``).

String names are ``StrEnum`` members, so they compare equal to, and serialise as, plain strings
(``InstitutionKind.NEOCLOUD == "neocloud"``). The books store contract kinds as small integers:
``DebtKind``, ``StakeKind`` and ``ExecutoryKind`` are those codes (``IntEnum``).
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from types import MappingProxyType


# --------------------------------------------------------------------------- institutions
class InstitutionKind(StrEnum):
    """Kinds of institution, which are also the sectors losses and defaults are reported by.

    The order is the order of every sector table and layout: the chip maker sells to the
    hyperscalers, AI labs and neoclouds who run the compute; miners and SPVs host it; private
    credit, leveraged funds (repo-financed holders of ABS), banks, insurers and pensions finance
    it; retail and the central bank sit at the edge.
    """

    CHIP_MAKER = "chip_maker"
    HYPERSCALER = "hyperscaler"
    AI_LAB = "ai_lab"
    NEOCLOUD = "neocloud"
    MINER = "miner"
    SPV = "spv"
    PRIVATE_CREDIT = "private_credit"
    LEVERAGED_FUND = "leveraged_fund"
    BANK = "bank"
    INSURER = "insurer"
    PENSION = "pension"
    RETAIL = "retail"
    CENTRAL_BANK = "central_bank"


INSTITUTION_KINDS: tuple[str, ...] = tuple(k.value for k in InstitutionKind)
SECTORS = INSTITUTION_KINDS
"""Sectors are institution kinds (one sector per kind), in the same order."""

SECTOR_LABELS: MappingProxyType[str, str] = MappingProxyType(
    {
        "chip_maker": "Chip makers",
        "hyperscaler": "Hyperscalers",
        "ai_lab": "AI labs",
        "neocloud": "Neoclouds",
        "miner": "Crypto miners",
        "spv": "SPVs",
        "private_credit": "Private credit",
        "leveraged_fund": "Leveraged funds",
        "bank": "Banks",
        "insurer": "Insurers",
        "pension": "Pension funds",
        "retail": "Retail investors",
        "central_bank": "Central bank",
    }
)
"""Human-readable label of each sector."""
assert tuple(SECTOR_LABELS) == INSTITUTION_KINDS


class Status(StrEnum):
    """An institution's status, from best to worst (a worse one wins when several apply)."""

    HEALTHY = "healthy"
    STRESSED = "stressed"  # low equity ratio or cash below its liquidity buffer
    BREACHED = "breached"  # a covenant of one of its loans is breached or the loan accelerated
    DEFAULTED = "defaulted"  # it could not pay what was due, and is being wound up


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)


# --------------------------------------------------------------------------- contracts
class ContractKind(StrEnum):
    """Every kind of contract, as named in configs and on the deal graph's edges."""

    EQUITY = "equity"
    LOAN = "loan"
    BOND = "bond"
    CREDIT_LINE = "credit_line"
    ABS_TRANCHE = "abs_tranche"
    FUND_SHARE = "fund_share"
    COMPUTE_CONTRACT = "compute_contract"
    LEASE = "lease"
    CHIP_SALE = "chip_sale"
    EQUITY_FUNDING = "equity_funding"


class DebtKind(IntEnum):
    """Rows of the debt book (``DebtBook.kind``): claims with a principal."""

    LOAN = 0
    BOND = 1
    CREDIT_LINE = 2
    ABS_TRANCHE = 3


class StakeKind(IntEnum):
    """Rows of the stake book (``StakeBook.kind``): shares of an issuer's equity."""

    EQUITY = 0
    FUND_SHARE = 1


class ExecutoryKind(IntEnum):
    """Rows of the executory-contract book (``ContractBook.kind``): monthly payments, off
    balance sheet.
    """

    COMPUTE_CONTRACT = 0
    LEASE = 1
    CHIP_SALE = 2
    EQUITY_FUNDING = 3


class Tranche(IntEnum):
    """Seniority of an ABS tranche (``DebtBook.tranche``; -1 for debt that is not a tranche)."""

    SENIOR = 0
    MEZZANINE = 1
    EQUITY = 2


class CreditClass(IntEnum):
    """Quality class of a claim (``DebtBook.credit_class``, and of outside securities): the
    spread it is priced at and the credit market it is sold in.
    """

    GOVERNMENT = 0  # Treasuries
    INVESTMENT_GRADE = 1  # hyperscalers', the chip maker's and other IG corporate bonds
    HIGH_YIELD = 2  # neoclouds', miners' and other high-yield bonds
    PRIVATE = 3  # private loans: bank and private-credit loans, credit lines
    ABS_SENIOR = 4  # senior ABS tranches
    ABS_JUNIOR = 5  # mezzanine and equity ABS tranches


class Rating(IntEnum):
    """Rating of a claim, from the share of its par a holder expects back (its credit factor:
    ``rating_of``); repo lenders set their haircuts by it.
    """

    AAA = 0
    A = 1
    BBB = 2
    JUNK = 3


RATING_FLOORS: tuple[float, ...] = (0.99, 0.95, 0.85, 0.0)
"""Least credit factor of each ``Rating`` (an assumption: a senior tranche covered 99% is still AAA;
below 85% it is junk)."""


def rating_of(credit_factor: float) -> Rating:
    """The rating of a claim whose holder expects ``credit_factor`` of par back."""
    for rating, floor in zip(Rating, RATING_FLOORS, strict=True):
        if credit_factor >= floor:
            return rating
    return Rating.JUNK


def _names(codes: type[IntEnum]) -> tuple[str, ...]:
    return tuple(code.name.lower() for code in codes)


DEBT_KINDS: tuple[str, ...] = _names(DebtKind)
"""Names of the debt-book codes, by code: ``DEBT_KINDS[DebtKind.LOAN] == "loan"``."""
STAKE_KINDS: tuple[str, ...] = _names(StakeKind)
EXECUTORY_KINDS: tuple[str, ...] = _names(ExecutoryKind)
TRANCHES: tuple[str, ...] = _names(Tranche)
CREDIT_CLASSES: tuple[str, ...] = _names(CreditClass)
"""Names of the credit classes, by code: ``CREDIT_CLASSES[CreditClass.PRIVATE] == "private"``."""
NOT_A_TRANCHE = -1

FUNDING_KINDS: tuple[str, ...] = tuple(
    k.value
    for k in (
        ContractKind.EQUITY,
        ContractKind.LOAN,
        ContractKind.BOND,
        ContractKind.CREDIT_LINE,
        ContractKind.ABS_TRANCHE,
        ContractKind.FUND_SHARE,
    )
)
"""Edges through which a holder *funds* an obligor (the holder provided money)."""
REVENUE_KINDS: tuple[str, ...] = tuple(
    k.value for k in (ContractKind.COMPUTE_CONTRACT, ContractKind.LEASE, ContractKind.CHIP_SALE)
)
"""Edges through which a holder *earns revenue* from an obligor (the obligor is a customer)."""
EDGE_KINDS: tuple[str, ...] = FUNDING_KINDS + REVENUE_KINDS
"""The kinds of edge on the deal graph (an equity-funding commitment is drawn as equity)."""

assert set(DEBT_KINDS) | set(STAKE_KINDS) | set(EXECUTORY_KINDS) == set(ContractKind)


class Covenant(StrEnum):
    """The covenants a loan can carry (``DebtBook.ltv_covenant``, ``dscr_covenant``,
    ``min_liquidity_bn``).
    """

    LTV = "ltv"  # principal / value of the pledged GPUs, at most the covenant
    DSCR = "dscr"  # operating cash flow / debt service, at least the covenant
    MIN_LIQUIDITY = "min_liquidity"  # the obligor's cash, at least the covenant


# --------------------------------------------------------------------------- the month
class Phase(StrEnum):
    """The phases of a month, in the order they run (``simulator.phases``). Every event is
    stamped with the phase it happened in.
    """

    SHOCKS = "shocks"
    OPERATE = "operate"
    SERVICE_DEBT = "service_debt"
    INVEST = "invest"
    TEST_COVENANTS = "test_covenants"
    FIRE_SALES = "fire_sales"
    RAISE_LIQUIDITY = "raise_liquidity"
    RESOLVE_DEFAULTS = "resolve_defaults"
    MARKS = "marks"
    SECOND_ROUND = "second_round"
    COLLECT = "collect"


class ShockKind(StrEnum):
    """Scheduled shocks a scenario can apply (ranges and targets: ``simulator.config.SHOCK_KINDS``;
    what each does: ``simulator.phases.shocks``).
    """

    AI_GROWTH = "ai_growth"
    REVENUE_LOSS = "revenue_loss"
    RATE_SHOCK = "rate_shock"
    CRYPTO_CRASH = "crypto_crash"
    DEPRECIATION = "depreciation"
    GPU_PRICE = "gpu_price"
    SENTIMENT = "sentiment"
    FAILURE = "failure"
    CONTRACT_CUT = "contract_cut"
    REDEMPTION_RUN = "redemption_run"


class EventKind(StrEnum):
    """What an event records (one sentence each in the event log)."""

    SHOCK = "shock"
    FUNDING_ROUND = "funding_round"
    CUSTOMER_FUNDING_STOPPED = "customer_funding_stopped"
    CAPEX_CUT = "capex_cut"
    PAYOUT_CUT = "payout_cut"
    LEASE_RENEGOTIATION = "lease_renegotiation"
    CONTRACT_RENEGOTIATION = "contract_renegotiation"
    CONTRACT_TERMINATED = "contract_terminated"
    CONTRACT_RENEWAL = "contract_renewal"
    ROLLOVER = "rollover"
    REFINANCING_REFUSED = "refinancing_refused"
    COVENANT_BREACH = "covenant_breach"
    WAIVER = "waiver"
    REPRICING = "repricing"
    ACCELERATION = "acceleration"
    CREDIT_DRAW = "credit_draw"
    NEW_LOAN = "new_loan"
    BOND_ISSUE = "bond_issue"
    ASSET_SALE = "asset_sale"
    FIRE_SALE = "fire_sale"
    MISSED_PAYMENT = "missed_payment"
    DEFAULT = "default"
    SEIZURE = "seizure"
    LIQUIDATION = "liquidation"
    WRITE_OFF = "write_off"
    REDEMPTION = "redemption"
    GATE = "gate"
    MARGIN_CALL = "margin_call"
    DERISKING = "derisking"
    CENTRAL_BANK_LOAN = "central_bank_loan"


EVENT_KINDS: tuple[str, ...] = tuple(k.value for k in EventKind)

_E = EventKind
EVENT_PHASES: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        Phase.SHOCKS: frozenset({_E.SHOCK}),
        Phase.OPERATE: frozenset(
            {
                _E.FUNDING_ROUND,
                _E.LEASE_RENEGOTIATION,
                _E.CONTRACT_RENEGOTIATION,
                _E.CONTRACT_RENEWAL,
                _E.REDEMPTION,
                _E.GATE,
            }
        ),
        Phase.SERVICE_DEBT: frozenset({_E.ROLLOVER, _E.REFINANCING_REFUSED}),
        Phase.INVEST: frozenset({_E.CAPEX_CUT, _E.CUSTOMER_FUNDING_STOPPED, _E.PAYOUT_CUT, _E.NEW_LOAN}),
        Phase.TEST_COVENANTS: frozenset({_E.COVENANT_BREACH, _E.WAIVER, _E.REPRICING, _E.ACCELERATION}),
        Phase.FIRE_SALES: frozenset({_E.FIRE_SALE, _E.ASSET_SALE}),
        Phase.RAISE_LIQUIDITY: frozenset(
            {_E.CREDIT_DRAW, _E.CENTRAL_BANK_LOAN, _E.ASSET_SALE, _E.BOND_ISSUE, _E.CONTRACT_RENEGOTIATION}
        ),
        Phase.RESOLVE_DEFAULTS: frozenset(
            {_E.MISSED_PAYMENT, _E.DEFAULT, _E.SEIZURE, _E.LIQUIDATION, _E.CONTRACT_TERMINATED, _E.WRITE_OFF}
        ),
        Phase.MARKS: frozenset(),
        Phase.SECOND_ROUND: frozenset(
            {
                _E.REDEMPTION,
                _E.GATE,
                _E.MARGIN_CALL,
                _E.DERISKING,
                _E.COVENANT_BREACH,
                _E.WAIVER,
                _E.REPRICING,
                _E.ACCELERATION,
            }
        ),
        Phase.COLLECT: frozenset(),
    }
)
"""Which kinds of event each phase can produce (a test checks every logged event against it)."""
assert set(EVENT_PHASES) == set(Phase) and set().union(*EVENT_PHASES.values()) == set(EventKind)

MARKETS = "markets"
"""The actor named on market-wide events (a shock that hits no one institution)."""
