"""What an institution holds that it could sell or pledge, with ratings: read by the second round
(margin calls and de-risking) and by the central bank's lending (``simulator.backstop``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.decisions import Holding
from agents.names import Rating, rating_of

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

SECURITY_RATINGS: tuple[Rating, ...] = (Rating.AAA, Rating.A, Rating.JUNK, Rating.BBB, Rating.AAA, Rating.BBB)
"""The rating of outside securities of each credit class (``CreditClass`` order; an assumption:
Treasuries and senior ABS AAA, investment grade A, private loans BBB, junior ABS BBB, high yield
junk)."""


def security_rating(state: State, credit_class: int) -> Rating:
    """The rating of outside securities of ``credit_class``: by class, downgraded when the class's
    credit is impaired.
    """
    return max(SECURITY_RATINGS[credit_class], rating_of(float(state.ledger.securities_credit[credit_class])))


def holdings(state: State, i: int) -> list[Holding]:
    """What institution ``i`` holds and could sell or pledge: its debt rows (rated by the share of
    par it expects back) and its outside securities by credit class (rated by class), at market.
    """
    led, d = state.ledger, state.ledger.debt
    rows = ((d.holder == i) & d.active & (d.principal_bn > 0)).nonzero()[0]
    credit = led.credit_factor(rows)
    book = [
        Holding(
            int(r), False, int(d.credit_class[r]), float(d.principal_bn[r] * d.value_factor[r]), rating_of(float(c))
        )
        for r, c in zip(rows.tolist(), credit.tolist(), strict=True)
    ]
    for k in led.securities_face_bn[i].nonzero()[0].tolist():
        # (securities are rated by class, downgraded when their class's credit is impaired)
        book.append(
            Holding(
                k, True, k, float(led.securities_face_bn[i, k] * led.securities_price[k]), security_rating(state, k)
            )
        )
    return book
