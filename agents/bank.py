"""Banks: lend to neoclouds and miners, and -- increasingly -- to private-credit funds through
credit lines (up to a quarter of their loans to non-banks, ATL-1).

Rules
-----
* Capital-regulated de-risking (``agents.capital``).
* **Margin calls**: a credit line to a fund may be drawn up to ``advance_rate`` x the value of
  the fund's loan book (its borrowing base); when marks fall below that, the bank calls the
  excess. A stressed bank lowers its advance rate by ``stressed_advance_cut``.
* A stressed bank lets no new drawings on its credit lines (the default ``allows_drawing``).

Which phase asks what
---------------------
===============  =========================================================
phase            method
===============  =========================================================
second_round     ``margin_call``; ``derisking_orders`` (``agents.capital``)
raise_liquidity  as a lender ``allows_drawing``; as a borrower ``liquidity_actions``
===============  =========================================================
"""

from __future__ import annotations

from pydantic import Field

from agents.capital import CapitalRegulated, CapitalRules
from agents.decisions import MarginCall
from agents.names import InstitutionKind


class BankRules(CapitalRules):
    advance_rate: float = Field(0.6, ge=0, le=1, description="credit line / value of the borrower's loan book")
    stressed_advance_cut: float = Field(0.2, ge=0, le=1, description="cut in the advance rate when stressed")


class Bank(CapitalRegulated):
    kind = InstitutionKind.BANK
    Rules = BankRules
    rules: BankRules

    def current_advance_rate(self) -> float:
        r = self.rules
        return r.advance_rate * (1.0 - r.stressed_advance_cut) if self.is_stressed() else r.advance_rate

    def margin_call(self, drawn_bn: float, collateral_bn: float, called_bn: float) -> MarginCall | None:
        """Call what is drawn beyond ``advance rate x collateral`` (less what it already called)."""
        base = self.current_advance_rate() * collateral_bn
        excess = drawn_bn - base - called_bn
        return MarginCall(excess, base) if excess > 1e-9 else None
