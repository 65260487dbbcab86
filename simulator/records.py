"""What the model records each month: the DataCollector's two tables.

``MonthlyRecords`` offers the interface of ``mesa.DataCollector`` that users and the app read
(``get_model_vars_dataframe()``, ``get_agent_vars_dataframe()``, ``model_vars``), filled from
the figures the collect phase computes once a month for everyone (``simulator.phases.collect``),
instead of calling one reporter per column and per agent. It writes nothing into Mesa's objects.

Model table (one row per month, columns in the order of the collect phase's report): GPU price
by generation (US$ thousands per GPU), cumulative defaults and losses by sector (US$ bn), system
equity (US$ bn), sentiment, AI demand ratio, private-credit NAV (US$ bn), insurer and bank
capital ratios, GPUs fire-sold (US$ bn), then the central bank's figures (``CENTRAL_BANK_FIGURES``:
lending, purchases, losses and balance sheet, US$ bn).

Agent table (one row per institution per month, indexed by (Step, AgentID)): ``AGENT_COLUMNS``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, NamedTuple

import pandas as pd

from agents.situation import MonthEnd

AGENT_COLUMNS = (
    "name",
    "kind",
    "equity_bn",
    "cash_bn",
    "leverage",
    "ltv",
    "dscr",
    "status",
    "realised_losses_bn",
    "unrealised_losses_bn",
    "equity_shortfall_bn",
    "market_value_shortfall_bn",
)
"""Columns of the agent table: the institution's name and kind, then its ``MonthEnd`` figures."""
assert AGENT_COLUMNS[2:] == MonthEnd._fields


LOSS_MEASURES = ("realised_losses_bn", "unrealised_losses_bn", "equity_shortfall_bn", "market_value_shortfall_bn")
"""The four loss measures, each meaning one thing (US$ bn; by institution, by sector, in total):

* ``realised_losses_bn`` -- losses taken for good: claims written off (after what collateral and
  the estate recovered), discounts to cost taken on assets sold or liquidated, default costs;
  cumulative, never decreasing;
* ``unrealised_losses_bn`` -- marks on assets still held, which can recover: GPUs impaired below
  their value in use, loans, bonds and tranches marked below par (claims on estates at their
  expected recovery), stakes and fund shares worth less than they cost, real assets impaired;
* ``equity_shortfall_bn`` -- book equity below the counterfactual's (the same world without the
  shock, ``simulator.counterfactual``), both net of shareholders' money since month 0 (equity
  raised from outside investors, dividends and buybacks paid): what the shock cost, not who
  put money in; None without a counterfactual;
* ``market_value_shortfall_bn`` -- the market value of listed and private equity (NAV for the rest)
  below the counterfactual's; None without a counterfactual.
"""

SYSTEM_FIGURES = (
    "defaults_total",
    *(f"{measure}_total" for measure in LOSS_MEASURES),
    "system_equity_bn",
    "sentiment",
    "ai_demand_ratio",
    "private_credit_nav_bn",
    "capital_ratio_insurer",
    "capital_ratio_bank",
    "gpus_fire_sold_bn",
)
"""Model-table columns after the per-generation and per-sector ones (then ``CENTRAL_BANK_FIGURES``)."""

CENTRAL_BANK_FIGURES = (
    "central_bank_lending_bn",
    "central_bank_lent_bn",
    "central_bank_bought_bn",
    "central_bank_gpus_cost_bn",
    "central_bank_gpus_market_bn",
    "central_bank_abs_cost_bn",
    "central_bank_abs_market_bn",
    "central_bank_other_assets_bn",
    "central_bank_realised_losses_bn",
    "central_bank_unrealised_losses_bn",
    "central_bank_balance_sheet_bn",
)
"""The central bank's columns (``simulator.backstop.figures``), US$ bn: loans outstanding, lent in
all, paid for GPUs and ABS bought at its floors in all, GPUs and ABS it holds at cost and at market, other collateral it seized at market, its
realised losses and its unrealised losses against what it paid, and its balance sheet (assets at
market)."""


class ReportKeys(NamedTuple):
    """Model-table columns that depend on the scenario (its GPU generations and sectors)."""

    gpu_prices: list[str]  # one per generation: "gpu_price_<name>_k_usd" (secondary market)
    defaults: list[str]  # one per sector present: "defaults_<sector>"
    losses: dict[str, list[str]]  # each of LOSS_MEASURES -> one per sector: "<measure>_<sector>"

    @classmethod
    def of(cls, generation_names: Sequence[str], sectors_present: Sequence[str]) -> ReportKeys:
        return cls(
            gpu_prices=[f"gpu_price_{name}_k_usd" for name in generation_names],
            defaults=[f"defaults_{kind}" for kind in sectors_present],
            losses={measure: [f"{measure}_{kind}" for kind in sectors_present] for measure in LOSS_MEASURES},
        )


def model_columns(generation_names: Sequence[str], sectors_present: Sequence[str]) -> list[str]:
    """The model table's columns, in order: month, GPU prices, sector by sector its defaults and
    its four loss measures, then ``SYSTEM_FIGURES``.
    """
    keys = ReportKeys.of(generation_names, sectors_present)
    columns = list(zip(keys.defaults, *keys.losses.values()))
    return [
        "month",
        *keys.gpu_prices,
        *(key for sector in columns for key in sector),
        *SYSTEM_FIGURES,
        *CENTRAL_BANK_FIGURES,
    ]


class MonthlyRecords:
    """The monthly model and agent tables (see the module docstring).

    Parameters
    ----------
    columns : sequence of str
        The model table's columns (the keys of each month's report).
    agent_ids, names, kinds : sequences, one entry per institution
        Mesa's ``unique_id``, name and kind of each institution (fixed for the run).
    """

    def __init__(self, columns: Sequence[str], agent_ids: Sequence[int], names: Sequence[str], kinds: Sequence[str]):
        self.model_vars: dict[str, list[Any]] = {column: [] for column in columns}
        self._columns = list(self.model_vars.items())  # (name, list) pairs, in column order
        self._agent_ids, self._names, self._kinds = list(agent_ids), list(names), list(kinds)
        self._agent_rows: list[tuple] = []

    def collect(self, step: float, report: dict[str, Any], month_end: MonthEnd) -> None:
        """Append one month: the model report and everyone's month-end figures."""
        for column, values in self._columns:
            values.append(report[column])
        self._agent_rows.extend(zip(itertools.repeat(step), self._agent_ids, self._names, self._kinds, *month_end))

    def drop_unfinished_month(self) -> None:
        """Drop a month whose recording was cut short (a Ctrl-C between the appends of
        :meth:`collect`): every column and the agent table keep only the months recorded whole.
        """
        months = min((len(values) for _, values in self._columns), default=0)
        for _, values in self._columns:
            del values[months:]
        self._agent_rows = [row for row in self._agent_rows if row[0] < months]

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One row per month (index 0..months), one column per model figure."""
        return pd.DataFrame(self.model_vars)

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per institution per month, indexed by (Step, AgentID)."""
        return pd.DataFrame.from_records(
            data=self._agent_rows, columns=["Step", "AgentID", *AGENT_COLUMNS], index=["Step", "AgentID"]
        )

    def __len__(self) -> int:
        return len(next(iter(self.model_vars.values()), []))

    # ``mesa.batch_run`` (mesa 3.5, ``batchrunner._collect_data``) reads these attributes of
    # ``mesa.DataCollector``; they are derived from the tables above when it asks.
    @property
    def _collection_steps(self) -> list[int]:
        """The steps collected: month m is row m (month 0 is the opening balance sheet)."""
        return list(range(len(self)))

    @property
    def _agent_records(self) -> dict[int, list[tuple]]:
        """Step -> the rows of that month, each ``(step, AgentID, *agent_reporters)``."""
        records: dict[int, list[tuple]] = {}
        for row in self._agent_rows:
            records.setdefault(int(row[0]), []).append(row)
        return records

    @property
    def agent_reporters(self) -> dict[str, str]:
        """The agent table's columns (the names ``mesa.batch_run`` gives the agent values)."""
        return {column: column for column in AGENT_COLUMNS}

    _agenttype_records: dict = {}  # noqa: RUF012  (never written: this model has no per-type reporters)
    agenttype_reporters: dict = {}  # noqa: RUF012


__all__ = [
    "AGENT_COLUMNS",
    "CENTRAL_BANK_FIGURES",
    "LOSS_MEASURES",
    "SYSTEM_FIGURES",
    "MonthlyRecords",
    "ReportKeys",
    "model_columns",
]
