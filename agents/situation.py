"""What an institution can see when it decides: the ``Situation``.

Institutions never reach into the engine. Each holds one ``Situation`` (given when it is
created) and reads from it what its rules need: its own figures (by its ``index``), other
institutions' standing, and market-wide figures. The engine's cached views
(``simulator.state.Views``) are one implementation; ``FixedSituation`` is another, built by hand
from plain numbers, for unit tests of the decision rules and for teaching.

Arrays have one entry per institution (index = the institution's ``index``); money in US$ bn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np

from agents.names import Status


class MonthEnd(NamedTuple):
    """An institution's figures at the last month end (what the DataCollector records)."""

    equity_bn: float  # book equity: assets - liabilities, marked to market
    cash_bn: float
    leverage: float | None  # assets / equity (None if equity <= 0)
    ltv: float | None  # highest loan-to-value of its GPU-backed loans (None if it has none)
    dscr: float | None  # debt-service coverage over the last three months (None if no debt service)
    status: str  # a ``Status``


class Situation(Protocol):
    """The read-only state an institution decides on (see the module docstring)."""

    @property
    def month(self) -> int: ...

    @property
    def sentiment(self) -> float:
        """Market sentiment index (1 = calm late-2025 markets)."""

    @property
    def demand_ratio(self) -> float:
        """AI demand relative to what was priced in (1 = as expected)."""

    @property
    def assets_bn(self) -> np.ndarray: ...

    @property
    def equity_bn(self) -> np.ndarray:
        """Book equity (assets - liabilities, marked to market)."""

    @property
    def cash_bn(self) -> np.ndarray: ...

    @property
    def stressed(self) -> np.ndarray:
        """Stress flags (``agents.base.stressed_flags``) on the current views."""

    @property
    def defaulted(self) -> np.ndarray: ...

    @property
    def defaulted_month(self) -> np.ndarray:
        """Month each institution defaulted in (-1: it has not)."""

    @property
    def equity_value_bn(self) -> np.ndarray:
        """Value of 100% of each institution's equity: market value, or NAV for funds."""

    @property
    def opening_equity_value_bn(self) -> np.ndarray: ...

    @property
    def month_end(self) -> Sequence[MonthEnd]:
        """Everyone's figures at the last month end."""

    def risk_weighted_assets_bn(self) -> np.ndarray: ...


@dataclass
class FixedSituation:
    """A ``Situation`` made of plain numbers, for tests and teaching.

    Example
    -------
    >>> s = FixedSituation.of(2, stressed=[False, True], sentiment=0.6)
    >>> bool(s.stressed[1]), s.sentiment
    (True, 0.6)
    """

    month: int = 0
    sentiment: float = 1.0
    demand_ratio: float = 1.0
    assets_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    equity_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cash_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stressed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    defaulted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    defaulted_month: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    equity_value_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opening_equity_value_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rwa_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    month_end: list[MonthEnd] = field(default_factory=list)

    @classmethod
    def of(cls, n: int, **values) -> FixedSituation:
        """``n`` institutions; unspecified arrays are zeros (no one stressed or defaulted)."""
        def array(name: str, default: float | bool | int, dtype=float) -> np.ndarray:
            value = values.pop(name, None)
            return np.full(n, default, dtype=dtype) if value is None else np.asarray(value, dtype=dtype)

        arrays = {
            "assets_bn": array("assets_bn", 0.0),
            "equity_bn": array("equity_bn", 0.0),
            "cash_bn": array("cash_bn", 0.0),
            "stressed": array("stressed", False, bool),
            "defaulted": array("defaulted", False, bool),
            "defaulted_month": array("defaulted_month", -1, np.int64),
            "equity_value_bn": array("equity_value_bn", 0.0),
            "opening_equity_value_bn": array("opening_equity_value_bn", 0.0),
            "rwa_bn": array("rwa_bn", 0.0),
        }
        month_end = values.pop("month_end", None) or [
            MonthEnd(float(e), float(c), None, None, None, Status.DEFAULTED if d else Status.HEALTHY)
            for e, c, d in zip(arrays["equity_bn"], arrays["cash_bn"], arrays["defaulted"])
        ]
        return cls(**arrays, month_end=month_end, **values)

    def risk_weighted_assets_bn(self) -> np.ndarray:
        return self.rwa_bn
