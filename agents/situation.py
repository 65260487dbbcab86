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
from typing import Any, NamedTuple, Protocol

import numpy as np

from agents.names import Status


class MonthEnd(NamedTuple):
    """Everyone's figures at the last month end (what the DataCollector records): one column
    per figure, one entry per institution (``month_end.status[i]``).
    """

    equity_bn: Sequence[float]  # book equity: assets - liabilities, marked to market
    cash_bn: Sequence[float]
    leverage: Sequence[float | None]  # assets / equity (None if equity is under a dollar)
    ltv: Sequence[float | None]  # highest loan-to-value of its GPU-backed loans (None if it has none)
    dscr: Sequence[float | None]  # debt-service coverage over the last three months (None if no debt service)
    status: Sequence[str]  # a ``Status`` each
    realised_losses_bn: Sequence[float]  # losses taken for good so far (simulator.records.LOSS_MEASURES)
    unrealised_losses_bn: Sequence[float]  # marks on assets still held, which can recover
    equity_shortfall_bn: Sequence[float | None]  # book equity below the counterfactual's (None: none)
    market_value_shortfall_bn: Sequence[float | None]  # market value below the counterfactual's

    @classmethod
    def empty(cls, n: int) -> MonthEnd:
        """Before the first month end: no figures, everyone healthy."""
        none: list[float | None] = [None] * n
        zero = [0.0] * n
        return cls(zero, zero, none, none, none, [Status.HEALTHY.value] * n, zero, zero, none, none)


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
    def base_rate_rise_per_year(self) -> float:
        """How far the base rate is above its month-0 level (per year; negative if below)."""

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
    def redemptions_waiting_bn(self) -> np.ndarray:
        """Redemptions each fund has gated that its investors still ask for (US$ bn)."""

    @property
    def defaulted_month(self) -> np.ndarray:
        """Month each institution defaulted in (-1: it has not)."""

    @property
    def equity_value_bn(self) -> np.ndarray:
        """Value of 100% of each institution's equity: market value, or NAV for funds."""

    @property
    def opening_equity_value_bn(self) -> np.ndarray: ...

    @property
    def month_end(self) -> MonthEnd:
        """Everyone's figures at the last month end."""

    def risk_weighted_assets_bn(self) -> np.ndarray: ...

    def market_marks_bn(self) -> np.ndarray:
        """What market yields have taken off each institution's bonds, loans, tranches and
        outside securities since they were priced (US$ bn, a loss > 0): the marks statutory
        accounting does not book (held at amortised cost), as opposed to credit impairments.
        """
        ...


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
    base_rate_rise_per_year: float = 0.0
    assets_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    equity_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cash_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    stressed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    defaulted: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    defaulted_month: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    equity_value_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    opening_equity_value_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rwa_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    marks_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    redemptions_waiting_bn: np.ndarray = field(default_factory=lambda: np.zeros(0))
    month_end: MonthEnd = field(default_factory=lambda: MonthEnd.empty(0))

    @classmethod
    def of(cls, n: int, **values) -> FixedSituation:
        """``n`` institutions; unspecified arrays are zeros (no one stressed or defaulted)."""

        def array(name: str, default: float | bool | int, dtype=float) -> np.ndarray:
            value = values.pop(name, None)
            return np.full(n, default, dtype=dtype) if value is None else np.asarray(value, dtype=dtype)

        arrays: dict[str, Any] = {
            "assets_bn": array("assets_bn", 0.0),
            "equity_bn": array("equity_bn", 0.0),
            "cash_bn": array("cash_bn", 0.0),
            "stressed": array("stressed", False, bool),
            "defaulted": array("defaulted", False, bool),
            "defaulted_month": array("defaulted_month", -1, np.int64),
            "equity_value_bn": array("equity_value_bn", 0.0),
            "opening_equity_value_bn": array("opening_equity_value_bn", 0.0),
            "rwa_bn": array("rwa_bn", 0.0),
            "marks_bn": array("marks_bn", 0.0),
            "redemptions_waiting_bn": array("redemptions_waiting_bn", 0.0),
        }
        month_end = values.pop("month_end", None) or MonthEnd(
            arrays["equity_bn"].tolist(),
            arrays["cash_bn"].tolist(),
            [None] * n,
            [None] * n,
            [None] * n,
            [Status.DEFAULTED.value if d else Status.HEALTHY.value for d in arrays["defaulted"]],
            [0.0] * n,
            [0.0] * n,
            [None] * n,
            [None] * n,
        )
        return cls(**arrays, month_end=month_end, **values)

    def risk_weighted_assets_bn(self) -> np.ndarray:
        return self.rwa_bn

    def market_marks_bn(self) -> np.ndarray:
        return self.marks_bn
