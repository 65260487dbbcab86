"""Banks: lend to neoclouds and miners, and -- increasingly -- to private-credit funds through
credit lines (up to a quarter of their loans to non-banks, ATL-1).

Rules
-----
* Capital-regulated de-risking (``agents.capital``).
* **Margin calls**: a credit line to a fund may be drawn up to its borrowing base -- what the
  fund pledges, after the bank's haircuts: ``advance_rate`` of private loans (a fund's loan
  book), and ``1 - repo haircut`` of bonds, ABS and securities by their rating (the haircuts of
  ``repo_haircut_aaa`` ... ``repo_haircut_junk``: a downgrade raises them). When marks or ratings
  fall, the bank calls the excess. A stressed bank lowers every advance by
  ``stressed_advance_cut``.
* A stressed bank lets no new drawings on its credit lines (the default ``allows_drawing``).

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
second_round     ``margin_call`` (``advance``); ``derisking_orders`` (``agents.capital``)
raise_liquidity  as a lender ``allows_drawing``; as a borrower ``liquidity_actions``
===============  =========================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field

from agents.capital import CapitalRegulated, CapitalRules
from agents.decisions import MarginCall, Pledge
from agents.names import CreditClass, InstitutionKind


class BankRules(CapitalRules):
    advance_rate: float = Field(0.6, ge=0, le=1, description="credit line / value of the private loans pledged")
    repo_haircut_aaa: float = Field(0.05, ge=0, le=1, description="haircut on AAA bonds, ABS and securities pledged")
    repo_haircut_a: float = Field(0.12, ge=0, le=1, description="haircut on A-rated collateral")
    repo_haircut_bbb: float = Field(0.30, ge=0, le=1, description="haircut on BBB-rated collateral")
    repo_haircut_junk: float = Field(0.75, ge=0, le=1, description="haircut on collateral below investment grade")
    stressed_advance_cut: float = Field(0.2, ge=0, le=1, description="cut in every advance when stressed")


class Bank(CapitalRegulated):
    kind = InstitutionKind.BANK
    Rules = BankRules
    rules: BankRules

    def advance(self, pledge: Pledge) -> float:
        """What it lends per unit of value of ``pledge``: its advance rate on private loans,
        ``1 - haircut`` by rating on the rest, cut when it is stressed.
        """
        r = self.rules
        if pledge.credit_class == CreditClass.PRIVATE:
            rate = r.advance_rate
        else:
            haircut = (r.repo_haircut_aaa, r.repo_haircut_a, r.repo_haircut_bbb, r.repo_haircut_junk)[pledge.rating]
            rate = 1.0 - haircut
        return rate * (1.0 - r.stressed_advance_cut) if self.is_stressed() else rate

    def margin_call(self, drawn_bn: float, pledges: Sequence[Pledge], called_bn: float) -> MarginCall | None:
        """Call what is drawn beyond the borrowing base (the pledges after its haircuts), less
        what it already called.
        """
        base = sum(self.advance(p) * p.value_bn for p in pledges)
        excess = drawn_bn - base - called_bn
        return MarginCall(excess, base) if excess > 1e-9 else None
