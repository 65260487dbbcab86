"""Life insurers: long-dated policy reserves funded by bonds, ABS tranches and private credit
(nearly $1T of private-credit holdings at the large life insurers, ATL-1).

They follow the capital-regulated rule (``agents.capital``): below their risk-based capital
floor they sell risky assets; short of cash they sell Treasuries first.
"""

from __future__ import annotations

from agents.capital import CapitalRegulated, CapitalRules


class InsurerRules(CapitalRules):
    pass


class Insurer(CapitalRegulated):
    kind = "insurer"
    Rules = InsurerRules
