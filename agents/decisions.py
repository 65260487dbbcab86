"""The questions the engine asks institutions, and the answers they give.

A phase of the month puts the same kind of question to every institution concerned, on the
same state, and then applies all the answers together. Answers are plain data: a decision, an
amount, or a list of orders. Nothing here changes any state.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import NamedTuple


# --------------------------------------------------------------------------- lenders
@dataclass(frozen=True)
class Breach:
    """A covenant test that failed this month (what the lender decides about)."""

    row: int  # debt row in the ledger
    covenant: str  # a ``agents.names.Covenant``: "ltv", "dscr" or "min_liquidity"
    value: float  # measured LTV / DSCR / cash (US$ bn)
    limit: float  # the covenant threshold
    severity: float  # relative distance beyond the threshold (>= 0)
    expected_recovery: float  # share of principal the lender expects if it accelerates now
    waivers: int  # waivers granted on this loan so far
    amendments: int = 0  # amend-and-extends (repricings) so far


class Response(StrEnum):
    """A lender's answer to a covenant breach."""

    WAIVE = "waive"  # let it pass (a "technical default, waived")
    REPRICE = "reprice"  # amend and extend: a higher rate, the covenant reset with headroom
    ACCELERATE = "accelerate"  # the whole principal is due now


WAIVE, REPRICE, ACCELERATE = Response.WAIVE, Response.REPRICE, Response.ACCELERATE


@dataclass(frozen=True)
class BreachAnswer:
    """What a lender does about a breach, with the new terms when it reprices."""

    response: Response
    extra_rate_per_year: float = 0.0  # added to the loan's rate (REPRICE)
    new_limit: float | None = None  # the reset covenant (REPRICE)


@dataclass(frozen=True)
class MarginCall:
    """A lender calls ``amount_bn`` of a credit line drawn beyond its borrowing base."""

    amount_bn: float
    borrowing_base_bn: float  # what the lender lets be drawn now (the collateral after its haircuts)


# --------------------------------------------------------------------------- borrowers
class LiquidityAction(StrEnum):
    """What an institution short of cash can do (``Institution.liquidity_actions``)."""

    DRAW_CREDIT = "draw_credit"  # draw undrawn credit lines (if the lender allows it)
    CENTRAL_BANK = "central_bank"  # borrow from the central bank against collateral (if it lends)
    SELL_GPUS = "sell_gpus"  # offer unpledged GPUs in the fire-sale market
    SELL_LOANS = "sell_loans"  # sell loans: outside the network first, then into the credit market
    SELL_SECURITIES = "sell_securities"  # sell outside securities into their credit markets
    SELL_OTHER_ASSETS = "sell_other_assets"  # sell other (cash-like) assets at book
    ISSUE_BONDS = "issue_bonds"  # borrow from bond investors outside the network
    CUT_CONTRACTS = "cut_contracts"  # renegotiate compute commitments down


class Order(NamedTuple):
    """One step of a liquidity plan, tried in order until the shortfall is covered."""

    action: LiquidityAction
    haircut: float = 0.0  # discount accepted (SELL_LOANS)


class Holding(NamedTuple):
    """A claim an institution holds and could sell or pledge: a debt row, or its outside
    securities of one credit class.
    """

    ref: int  # the debt row (``security`` False) or the credit class (``security`` True)
    security: bool  # outside securities of a class, not a debt row
    credit_class: int  # ``agents.names.CreditClass``: its market and its risk weight
    value_bn: float  # its value at market (US$ bn)
    rating: int = 0  # ``agents.names.Rating`` (AAA by default)


class Pledge(NamedTuple):
    """Collateral pledged against a margined credit line: a value of one credit class and rating."""

    credit_class: int  # ``agents.names.CreditClass``
    rating: int  # ``agents.names.Rating``
    value_bn: float  # at market (US$ bn)


class Sale(NamedTuple):
    """Sell ``share`` of a holding (submitted to its credit class's market)."""

    ref: int
    security: bool
    share: float


class Cut(NamedTuple):
    """Cut the payments of executory contract ``row`` by ``share``."""

    row: int
    share: float


class Commitment(NamedTuple):
    """A compute commitment an institution pays (what it could renegotiate)."""

    row: int  # contract row
    renegotiations: int  # cuts so far


# --------------------------------------------------------------------------- the central bank
class CollateralKind(IntEnum):
    """What an institution can pledge to the central bank (``Collateral.kind``)."""

    DEBT = 0  # a loan, bond or ABS tranche it holds (a debt row; quantity: principal, US$ bn)
    SECURITY = 1  # its outside securities of one credit class (quantity: face value, US$ bn)
    GPU = 2  # its GPUs of one generation not pledged elsewhere (quantity: thousands of units)
    OTHER = 3  # its other assets outside the network, loans at book (quantity: book value, US$ bn)


class Collateral(NamedTuple):
    """An asset an institution could pledge: one debt row, one credit class of its securities, one
    GPU generation, or its other assets; what of it is not yet pledged, at market.
    """

    kind: int  # a ``CollateralKind``
    ref: int  # the debt row, credit class or GPU generation (-1 for other assets)
    credit_class: int  # ``agents.names.CreditClass`` (-1 for GPUs)
    rating: int  # ``agents.names.Rating`` (AAA for GPUs)
    quantity: float  # principal or face (US$ bn), or thousands of GPUs
    value_bn: float  # at market (US$ bn)


@dataclass(frozen=True)
class Advance:
    """A central-bank loan: ``amount_bn`` lent at the base rate plus ``spread_per_year``
    (floating), for ``term_months``, against ``share`` of the quantity of every item of
    ``pledged``.
    """

    amount_bn: float
    spread_per_year: float  # over the base rate: the penalty (per year)
    term_months: int
    pledged: tuple[Collateral, ...]
    share: float  # of each pledged item's quantity
