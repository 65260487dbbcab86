"""The model's state: one object, with a part for each lifetime.

=====================  ==========================================================================
part                   lifetime
=====================  ==========================================================================
``state.const``        **constants** fixed by the scenario for the whole run (read-only arrays)
``state.ledger``       **memory**: everyone's balance sheet and the contract book
                       (``agents.ledger``), carried from month to month
``state.drivers``      **memory**: the exogenous markets (AI demand, GPU values and rents, rates,
                       crypto, sentiment; ``simulator.drivers``)
``state.memory``       **memory**: everything else a month hands to the next (who defaulted,
                       histories for DSCR, peak NAVs, episode flags, month-end figures)
``state.log``          **memory**: the event log (append-only)
``state.records``      **memory**: the DataCollector's tables (append-only)
``state.obligations``  **round**: what falls due in the current clearing round (empty at month
                       end unless ``resolution.max_rounds`` ran out, then carried over)
``state.market``       **round**: sales submitted for the next clearing of the markets
``state.scratch``      **scratch**: used within one month, reset at its start
``state.views``        **views**: balance-sheet figures derived from the ledger and cached on
                       its version counters (and what institutions read: the ``Situation``)
``state.agents``       the institutions (constant; index ``i`` is row ``i`` of every array)
``state.counterfactual`` the same world without the shock, run alongside (or None)
=====================  ==========================================================================

Phases read and write only this object; the Mesa model (``simulator.model``) holds it and sets
nothing else. Every per-institution quantity is an array over institutions and every
per-contract quantity an array over the rows of a book, so nothing here needs a dense
institution x institution matrix.

Money in US$ billions, time in months, rates per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from agents.base import stressed_flags
from agents.capital import risk_weighted_assets_bn
from agents.ledger import Ledger
from agents.names import DebtKind, Tranche
from agents.situation import MonthEnd
from simulator.backstop import CentralBankBook
from simulator.config import Scenario
from simulator.drivers import Drivers
from simulator.events import EventLog
from simulator.market import Market
from simulator.obligations import Obligations
from simulator.records import MonthlyRecords, ReportKeys
from simulator.valuation import nav_order

if TYPE_CHECKING:  # pragma: no cover
    from agents.base import Institution


def read_only(array: np.ndarray) -> np.ndarray:
    """``array``, frozen: a constant written by mistake raises instead of drifting."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class Constants:
    """Fixed by the scenario (and the opening balance sheet) for the whole run."""

    config: Scenario
    names: tuple[str, ...]
    index_of: Mapping[str, int]
    kinds: np.ndarray  # institution kind of each (strings)
    ai_firm: np.ndarray  # in the AI build-out (valuation.AI_SECTOR_KINDS): a borrower of AI private loans
    agent_ids: tuple[int, ...]  # Mesa's unique_id of each institution
    generation_names: tuple[str, ...]
    everyone: np.ndarray  # every institution's index (0..n-1)
    market_valued: np.ndarray  # valued at a market value (else at NAV)
    equity_beta: np.ndarray  # elasticity of market value to sentiment
    revenue_bn_per_month: np.ndarray  # outside revenue at month 0, US$ bn per month
    driven_by: Mapping[str, np.ndarray]  # revenue driver name -> who follows it
    opex_bn_per_month: np.ndarray  # operating costs paid outside, US$ bn per month
    capex_real_bn_per_month: np.ndarray  # planned construction spending, US$ bn per month
    builders: tuple[int, ...]  # those with construction spending planned
    payers: tuple[int, ...]  # those with dividends and buybacks planned
    gpu_lender: tuple[int, ...]  # each one's main GPU-backed lender (-1: none), who finances its capex
    gpu_loan_terms: tuple[
        tuple[float, bool, float, float, float], ...
    ]  # (rate, floating, amortisation, LTV, DSCR covenant) of that loan
    contract_payers: tuple[int, ...]  # those that pay at least one lease or compute contract (the book never grows)
    spot_share: np.ndarray  # share of the GPU fleet rented on the spot market
    spot_utilisation: np.ndarray  # spot utilisation when AI demand meets expectations
    production_cost_share: np.ndarray  # chip makers' cost of goods, share of the price
    cash_buffer_bn: np.ndarray  # cash kept back from discretionary spending, US$ bn
    stress_parameters: tuple[np.ndarray, np.ndarray, np.ndarray]  # (equity ratio, buffer months, can be stressed)
    statutory_capital: np.ndarray  # its capital (and stress) rule reads bonds and loans at amortised cost
    risk_weights: np.ndarray  # (n, len(RISK_CLASSES)); zero rows without a capital rule
    central_bank: int | None  # index of the central bank, if there is one
    sectors_present: tuple[str, ...]  # sectors with at least one institution, in sector order
    sector_members: Mapping[str, np.ndarray]
    sector_code: np.ndarray  # position of each institution's sector in sectors_present
    report_keys: ReportKeys  # model-table columns that depend on the generations and sectors
    opening_equity_value_bn: np.ndarray  # each issuer's equity value at month 0
    opening_system_equity_bn: float  # sum of positive book equity at month 0
    opening_backlog_bn: np.ndarray  # payments still to come under each one's contracts at month 0

    @property
    def n(self) -> int:
        return len(self.names)


@dataclass(eq=False)
class Memory:
    """What one month hands to the next (besides the ledger, drivers, log and records)."""

    n: int
    month: int = 0
    defaulted: np.ndarray = field(init=False)  # defaulted (in resolution or wound up)
    closed: np.ndarray = field(init=False)  # wound up: its estate has closed
    defaulted_month: np.ndarray = field(init=False)  # month it defaulted (-1: it has not)
    funding_stopped: set[int] = field(default_factory=set)  # stopped funding its customers (logged once)
    capex_cutters: set[int] = field(default_factory=set)  # buying < 50% of planned chips (an episode)
    payout_cutters: set[int] = field(default_factory=set)  # paying less than planned to shareholders (an episode)
    outside_revenue_bn: np.ndarray = field(init=False)  # this month's revenue from outside customers
    ebitda_history: np.ndarray = field(init=False)  # (3, n) ring of the last three months' EBITDA
    debt_service_history: np.ndarray = field(init=False)  # (3, n) ring of the last three months' debt service
    histories_version: int = 0  # bumped when either history is written (DSCR is cached on it)
    bonds_issued_bn: np.ndarray = field(init=False)  # (3,) ring: bonds the model's borrowers issued, by month
    last_fundamentals_bn: np.ndarray = field(init=False)  # fundamentals at the last equity mark
    last_sentiment: float = 1.0  # sentiment at the last equity mark
    last_base_rate: float = 0.0  # base rate at the last equity mark (set to month 0's when the world is built)
    peak_nav_per_unit: np.ndarray = field(init=False)  # highest month-end value per unit of each issuer
    months_below_value_in_use: np.ndarray = field(init=False)  # per generation: months its market price has been below
    gpu_impaired: np.ndarray = field(init=False)  # per generation: GPUs carried at the market price, not value in use
    first_breach: tuple[int, str] | None = None  # (month, sentence) of the first covenant breach
    claims_at_default: dict[int, float] = field(
        default_factory=dict
    )  # debt row -> principal owed when its obligor defaulted
    credit_losses_bn: float = 0.0  # claims written off when estates closed, cumulative
    estates_marked_at: tuple = ()  # (ledger version, GPU prices) the claims on open estates were last marked at
    rates_marked_at: tuple = ()  # (month, ledger version, market rates) debt and securities were last marked at
    ai_private_loss_rate: float = 0.0  # worst share of par AI firms' private loans have lost (kept)
    gpu_sold_bn: float = 0.0  # GPUs sold in fire sales, cumulative proceeds
    redemption_queue_bn: dict[int, float] = field(default_factory=dict)  # fund-share row -> gated, still asked
    losses_last_month_bn: float = 0.0  # realised last month (US$ bn); feeds next month's sentiment
    defaults_last_month: int = 0
    backstop_lent_last_month: bool = False
    central_bank: CentralBankBook = field(default_factory=CentralBankBook)  # what its operations cost
    month_end: MonthEnd = field(init=False)  # everyone's figures at the last month end
    report: dict[str, Any] = field(default_factory=dict)  # the month's model-level figures

    def __post_init__(self) -> None:
        n = self.n
        self.defaulted = np.zeros(n, dtype=bool)
        self.closed = np.zeros(n, dtype=bool)
        self.defaulted_month = np.full(n, -1, dtype=np.int64)
        self.outside_revenue_bn = np.zeros(n)
        self.ebitda_history = np.zeros((3, n))
        self.debt_service_history = np.zeros((3, n))
        self.bonds_issued_bn = np.zeros(3)
        self.last_fundamentals_bn = np.zeros(n)
        self.peak_nav_per_unit = np.zeros(n)
        self.months_below_value_in_use = np.zeros(0, dtype=np.int64)
        self.gpu_impaired = np.zeros(0, dtype=bool)
        self.month_end = MonthEnd.empty(n)


@dataclass(eq=False)
class Scratch:
    """Used within one month and reset at its start (``reset``)."""

    decided_rows: set[int] = field(default_factory=set)  # debt rows whose breach a lender decided on
    margin_called: dict[int, float] = field(default_factory=dict)  # credit-line row -> amount called
    derisked: set[int] = field(default_factory=set)  # institutions that de-risked this month
    redemption_runs: dict[int, float] = field(default_factory=dict)  # fund -> extra share asked back (a shock)
    new_defaults: list[int] = field(default_factory=list)  # institutions that defaulted this month
    forced_failures: list[int] = field(default_factory=list)  # put into resolution by a shock
    losses_at_start_bn: float = 0.0  # cumulative realised losses when the month began
    nav_at_start: np.ndarray = field(
        default_factory=lambda: np.zeros(0)
    )  # value per unit when the month began (lowered by each redemption wave)
    cb_lending_at_start_bn: float = 0.0  # central-bank loans outstanding when the month began
    gpu_prices_tested: np.ndarray | None = None  # GPU prices at the last covenant test
    gpu_absorbed_k: np.ndarray = field(default_factory=lambda: np.zeros(0))  # GPUs sold per generation this month

    def reset(self) -> None:
        self.decided_rows.clear()
        self.margin_called.clear()
        self.derisked.clear()
        self.redemption_runs.clear()
        self.new_defaults = []
        self.gpu_prices_tested = None


class Views:
    """Figures derived from the ledger, recomputed only when it changed; what institutions see.

    ``refresh()`` recomputes the balance-sheet views (assets, liabilities, equity: when the
    ledger's version counter moved) and what each must pay this month and the stress flags (when
    the ledger's or the obligations' counter moved). Other views are cached on their own keys:
    risk-weighted assets until the balance sheets change, DSCR on ``memory.histories_version``,
    central-bank lending on the ledger version, the NAV re-mark order and the ABS waterfalls on
    the length of their books (rows are only appended).

    This object is also the ``agents.situation.Situation`` every institution reads.
    """

    verify: ClassVar[bool] = False
    """When True (the test suite sets it), a refresh skipped because nothing changed recomputes
    the views anyway and fails if they differ: a change that bypassed the version counters."""

    def __init__(self, ledger: Ledger, obligations: Obligations, drivers: Drivers, memory: Memory):
        self._ledger, self._obligations, self._drivers, self._memory = ledger, obligations, drivers, memory
        self._const: Constants | None = None
        n = ledger.n_agents
        self.assets_bn = np.zeros(n)
        self.liabilities_bn = np.zeros(n)
        self.equity_bn = np.zeros(n)
        self._stress_equity_bn = np.zeros(n)  # equity as each one's stress rule reads it
        self.scheduled_outflows_bn = np.zeros(n)  # what each must pay this month (at least its opex)
        self.stressed = np.zeros(n, dtype=bool)
        self._key: tuple[int, int] | None = None  # (ledger, obligations) versions of the views
        self._rwa_bn: np.ndarray | None = None
        self._dscr: tuple[int, np.ndarray] | None = None
        self._cb_lending: tuple[int, float] = (-1, 0.0)
        self._marks: tuple[int, np.ndarray] = (-1, np.zeros(0))  # (ledger version, market_marks_bn)
        self._nav_order: tuple[int, list[int], list[np.ndarray], np.ndarray] | None = None
        self._waterfalls: tuple[int, list[tuple[int, list[np.ndarray]]]] = (-1, [])

    def attach(self, const: Constants) -> None:
        """The scenario's constants (known once the world is built)."""
        self._const = const

    @property
    def const(self) -> Constants:
        assert self._const is not None, "views used before the world was built"
        return self._const

    # ----------------------------------------------------------------- balance-sheet views
    def refresh(self) -> None:
        """Recompute the views institutions decide on (skipped when neither the ledger nor the
        obligations changed since the last refresh).
        """
        led = self._ledger
        key = (led.version, self._obligations.version)
        if key == self._key:
            if self.verify:
                self._verify()
            return
        if self._key is None or key[0] != self._key[0]:  # (only the obligations changed: same balance sheets)
            self.assets_bn = led.assets_bn()
            self.liabilities_bn = led.liabilities_bn()
            self.equity_bn = self.assets_bn - self.liabilities_bn
            self._rwa_bn = None
            # Equity as each one's own stress rule reads it: with statutory accounting, before
            # market-yield marks (these move only with the ledger, like the balance sheets).
            c = self.const
            self._stress_equity_bn = (
                self.equity_bn + np.where(c.statutory_capital, self.market_marks_bn(), 0.0)
                if c.statutory_capital.any()
                else self.equity_bn
            )
        self._key = key
        c = self.const
        due = self._obligations.due_by_payer()[: led.n_agents]
        # What it must pay this month: its dues once they are known (they include operating costs).
        self.scheduled_outflows_bn = np.maximum(due, c.opex_bn_per_month)
        # Everyone's stress flag under the same views (the rule: agents.base.stressed_flags).
        self.stressed = stressed_flags(
            self.assets_bn, self._stress_equity_bn, led.cash_bn, self.scheduled_outflows_bn, *c.stress_parameters
        )

    def _verify(self) -> None:
        """Recompute everything cached on the version counters; fail if anything was stale."""

        def views() -> tuple[np.ndarray, ...]:
            return (
                self.assets_bn,
                self.liabilities_bn,
                self.scheduled_outflows_bn,
                self.stressed,
                self.risk_weighted_assets_bn(),
                np.array([self.central_bank_lending_bn()]),
            )

        kept = views()
        self._key, self._cb_lending, self._marks = None, (-1, 0.0), (-1, np.zeros(0))
        self.refresh()
        fresh = views()
        if not all(np.array_equal(a, b) for a, b in zip(kept, fresh)):
            raise AssertionError(f"month {self.month}: stale balance-sheet views (a change bypassed Ledger.version)")

    def risk_weighted_assets_bn(self) -> np.ndarray:
        """Risk-weighted assets of every institution (US$ bn), cached until the next refresh."""
        if self._rwa_bn is None:
            self._rwa_bn = risk_weighted_assets_bn(self._ledger, self.const.risk_weights, self.const.statutory_capital)
        return self._rwa_bn

    def market_marks_bn(self) -> np.ndarray:
        """What market yields have taken off each institution's debt holdings and outside
        securities since they were priced (US$ bn, a loss > 0; ``agents.situation.Situation``).
        """
        led = self._ledger
        if self._marks[0] != led.version:  # (computed once per ledger version: capital rules ask often)
            d = led.debt
            rate_loss = d.principal_bn * (d.value_factor / d.rate_factor) * (1.0 - d.rate_factor)
            marks = np.bincount(d.holder, weights=rate_loss, minlength=led.n_agents)
            # a security's price is its rate part times its credit part: only the rate part is added back
            securities_loss = led.securities_face_bn @ (led.securities_credit - led.securities_price)
            self._marks = (led.version, marks + securities_loss)
        return self._marks[1]

    def dscr_by_agent(self) -> np.ndarray:
        """Debt-service coverage per institution over the last three months (inf if no debt
        service); computed once after the month's histories are written (read-only).
        """
        m = self._memory
        if self._dscr is None or self._dscr[0] != m.histories_version:
            service = m.debt_service_history.sum(axis=0)
            ebitda = m.ebitda_history.sum(axis=0)
            dscr = np.full(len(service), np.inf)
            owes = service > 1e-12
            dscr[owes] = ebitda[owes] / service[owes]
            dscr.flags.writeable = False
            self._dscr = (m.histories_version, dscr)
        return self._dscr[1]

    def central_bank_lending_bn(self) -> float:
        """Central-bank loans outstanding, US$ bn (recomputed when the ledger changes)."""
        cb = self.const.central_bank
        if cb is None:
            return 0.0
        led = self._ledger
        if self._cb_lending[0] != led.version:
            d = led.debt
            rows = np.array(self._memory.central_bank.loan_rows, dtype=np.int64)  # (not what it bought)
            self._cb_lending = (led.version, float((d.principal_bn[rows] * d.active[rows]).sum()))
        return self._cb_lending[1]

    def nav_order(self) -> tuple[list[int], list[np.ndarray], np.ndarray]:
        """NAV-valued issuers that someone holds, each after the NAV issuers it holds (a fund
        after the SPV it owns), with each one's stake rows; and the mask of NAV-valued issuers
        nobody holds. Recomputed when the stake book grows. Raises if NAV issuers hold each
        other in a circle.
        """
        s = self._ledger.stakes
        if self._nav_order is None or self._nav_order[0] != len(s):
            self._nav_order = (len(s), *nav_order(self._ledger, self.const.market_valued, self.const.names))
        return self._nav_order[1], self._nav_order[2], self._nav_order[3]

    def abs_waterfalls(self) -> list[tuple[int, list[np.ndarray]]]:
        """Each SPV that issued ABS tranches, in index order, with the debt rows of its senior and
        of its mezzanine tranches (active or not). A row's kind, obligor and tranche never change
        and rows are only appended, so this is recomputed only when the debt book grows.
        """
        d = self._ledger.debt
        if self._waterfalls[0] != len(d):
            abs_rows = (d.kind == DebtKind.ABS_TRANCHE).nonzero()[0]
            spvs = sorted(set(d.obligor[abs_rows].tolist()))
            self._waterfalls = (
                len(d),
                [
                    (
                        spv,
                        [
                            abs_rows[(d.obligor[abs_rows] == spv) & (d.tranche[abs_rows] == tranche)]
                            for tranche in (Tranche.SENIOR, Tranche.MEZZANINE)
                        ],
                    )
                    for spv in spvs
                ],
            )
        return self._waterfalls[1]

    # ----------------------------------------------------------------- the Situation protocol
    @property
    def month(self) -> int:
        return self._memory.month

    @property
    def sentiment(self) -> float:
        return self._drivers.sentiment

    @property
    def demand_ratio(self) -> float:
        return self._drivers.demand_ratio

    @property
    def base_rate_rise_per_year(self) -> float:
        return self._drivers.base_rate_per_year - self.const.config.markets.rates.base_rate_per_year

    @property
    def cash_bn(self) -> np.ndarray:
        return self._ledger.cash_bn

    @property
    def defaulted(self) -> np.ndarray:
        return self._memory.defaulted

    @property
    def defaulted_month(self) -> np.ndarray:
        return self._memory.defaulted_month

    @property
    def redemptions_waiting_bn(self) -> np.ndarray:
        waiting = np.zeros(self._ledger.n_agents)
        issuer = self._ledger.stakes.issuer
        for row, amount in self._memory.redemption_queue_bn.items():
            waiting[issuer[row]] += amount
        return waiting

    @property
    def equity_value_bn(self) -> np.ndarray:
        return self._ledger.equity_value_bn

    @property
    def opening_equity_value_bn(self) -> np.ndarray:
        return self.const.opening_equity_value_bn

    @property
    def month_end(self) -> MonthEnd:
        return self._memory.month_end


@dataclass(eq=False)
class State:
    """The whole state of a run (see the module docstring for each part's lifetime)."""

    const: Constants
    ledger: Ledger
    drivers: Drivers
    memory: Memory
    log: EventLog
    records: MonthlyRecords
    obligations: Obligations
    market: Market
    scratch: Scratch
    views: Views
    agents: tuple[Institution, ...]
    counterfactual: Any = None  # the run measured against (simulator.counterfactual.Counterfactual), or None

    @property
    def central_bank(self) -> Any:
        """The central bank's agent (``agents.central_bank.CentralBank``), or None."""
        i = self.const.central_bank
        return None if i is None else self.agents[i]
