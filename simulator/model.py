"""The contagion model: one Mesa model, one month per step.

``ContagionModel.step()`` runs the phases of one month in order:

1. **shocks** -- drivers move (AI demand, GPU values and rents, rates, crypto, sentiment) and
   the scenario's scheduled shocks hit.
2. **operate** -- outside revenues and costs; compute contracts and leases fall due; labs raise
   funding rounds; hyperscalers renegotiate leases when demand disappoints.
3. **service debt** -- interest, amortisation and maturities (rolled or refused by lenders);
   then discretionary spending: chip purchases (capex) and customer funding.
4. **test covenants** -- LTV, DSCR, minimum liquidity; lenders waive, reprice or accelerate.
5-7. **rounds** (bounded by ``resolution.max_rounds``), repeated until nothing new happens:
   institutions short of cash raise liquidity; the fire-sale market clears all submitted sales
   (phase 6); everything due clears through the obligation network with Rogers-Veraart
   (phase 5), defaulters are wound up; marks; second round (redemptions, margin calls,
   de-risking, LTV re-tests) creates new obligations and sales for the next round.
8. **collect** -- statuses, DataCollector rows; events are logged as they happen.

Money is in US$ billions, time in months (month 0 is the opening balance sheet), rates per year.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np

from agents.base import stressed_flags
from agents.capital import CapitalRegulated, risk_weight_matrix, risk_weighted_assets_bn
from agents.central_bank import CentralBank
from agents.chip_maker import ChipMaker
from agents.hyperscaler import Hyperscaler
from agents.ledger import CREDIT, FIRE_SALE, OPERATING
from simulator import covenants, liquidity, resolution, second_round
from simulator.config import LEVERS, ConfigError, Scenario, build_scenario, load_scenario
from simulator.drivers import Drivers
from simulator.events import Event, money
from simulator.markets import (
    Market,
    depreciate_real_assets,
    fundamentals_bn,
    mark_abs_tranches,
    mark_equity,
    mark_gpus,
)
from simulator.obligations import (
    CHIP_SALE,
    CONTRACT,
    EQUITY_FUNDING,
    INTEREST,
    OPERATING_COST,
    PRINCIPAL,
    Obligations,
)
from simulator.reporters import make_datacollector, model_report, refresh_agent_snapshots

COMPUTE, LEASE, CHIP, FUNDING = range(4)  # ContractBook kinds
PHASE_OPERATE = "operate"
MARKETS = "markets"  # the actor of market-wide events
LIQUIDITY_ATTEMPTS = 3  # rounds of liquidity raising (with market clearing) before each clearing


class ContagionModel(mesa.Model):
    """Agent-based model of financial contagion in the AI-infrastructure network.

    Parameters
    ----------
    config : Scenario, str or Path, optional
        A validated ``Scenario``, a scenario name from ``configs/`` or a path to a YAML file
        (default ``"baseline_2025"``).
    rng : int or numpy Generator, optional
        Seed for all randomness (same seed and config give identical results).
    seed : int or str, optional
        Alias of ``rng`` (a text box in the app passes a string).
    overrides : dict or list of "key=value", optional
        Dotted-path overrides of the config (see ``simulator.config.load_scenario``).
    **levers
        Main parameters by name (``simulator.config.LEVERS``: ``gpu_market_depth_bn``,
        ``ai_revenue_growth_per_year``, ``central_bank_enabled``, channel switches, ...), so that
        ``mesa.batch_run`` and SolaraViz can drive the model. ``scenario=NAME`` is accepted as
        an alias of ``config``.
    """

    def __init__(
        self,
        config: Scenario | str | Path | None = None,
        *,
        rng: Any = None,
        seed: Any = None,
        overrides: dict | list | None = None,
        **levers: Any,
    ):
        if "scenario" in levers:
            alias = levers.pop("scenario")
            # Mesa's SolaraViz passes Mesa's own Scenario object back on Reset: not ours, ignore it.
            if isinstance(alias, (str, Path, Scenario)):
                if config is not None:
                    raise ConfigError("give either config or scenario, not both")
                config = alias
        if seed is not None:
            if rng is not None:
                raise ConfigError("give either rng or seed, not both")
            rng = _parse_seed(seed)
        if isinstance(config, Scenario):
            if overrides:
                raise ConfigError("overrides apply to a scenario name or path, not to a Scenario object")
            scenario = build_scenario(config.model_dump(), f"scenario {config.name!r}", **levers) if levers else config
        else:
            scenario = load_scenario(config or "baseline_2025", overrides, **levers)
        super().__init__(rng=rng)
        self.seed = rng if isinstance(rng, (int, np.integer)) else None  # None: not reproducible
        self.config: Scenario = scenario
        self.month = 0
        self.events: list[Event] = []
        self.drivers = Drivers(scenario, self.rng)
        self._views_state = None  # (ledger, obligations) versions the views were computed at
        self._cb_lending = (-1, 0.0)  # (ledger version, central-bank lending in US$ bn)
        from simulator.world import build_world  # local import: world needs the class defined

        self.obligations = Obligations(len(scenario.institutions))
        build_world(self, scenario)
        n = self.ledger.n_agents
        self.market = Market(self)
        self.closed = np.zeros(n, dtype=bool)  # defaulted and wound up
        self.defaulted = np.zeros(n, dtype=bool)
        self.spot_share = np.array([getattr(a.rules, "spot_share", 0.0) for a in self.institutions])
        self.spot_utilisation = np.array([getattr(a.rules, "spot_utilisation", 0.0) for a in self.institutions])
        self.risk_weights = risk_weight_matrix(self.institutions)
        self.hyperscaler_indices = [a.index for a in self.institutions if isinstance(a, Hyperscaler)]
        self.labs = [a for a in self.institutions if a.kind == "ai_lab"]
        self.all_agents = np.arange(n)  # every institution's index (the ledger's rows)
        self.capital_regulated = [a for a in self.institutions if isinstance(a, CapitalRegulated)]  # in index order
        buffer_months = np.array([a.rules.liquidity_buffer_months for a in self.institutions])
        self.cash_buffer_bn = buffer_months * self.opex_bn_per_month  # cash kept back from discretionary spending
        self.forced_failures: list[int] = []
        self.new_defaults: list[int] = []
        self.decided_rows: set[int] = set()
        self.margin_called: dict[int, float] = {}
        self.derisked: set[int] = set()
        self.first_breach: tuple[int, str] | None = None
        self.credit_losses_bn = 0.0
        self.gpu_sold_bn = 0.0
        self.losses_last_month_bn = 0.0
        self.defaults_last_month = 0
        self.backstop_lent_last_month = False
        self.central_bank = next((a for a in self.institutions if isinstance(a, CentralBank)), None)
        self.cost_of_goods_share = np.array(
            [a.rules.cost_of_goods_share if isinstance(a, ChipMaker) else 0.0 for a in self.institutions]
        )
        self.funding_stopped: set[int] = set()
        self.capex_cutters: set[int] = set()  # institutions currently buying < 50% of planned chips
        # Which institutions' outside revenue follows which driver (fixed by the scenario).
        self.driven_by = {name: self.revenue_driver == name for name in ("ai_demand", "ai_capex", "crypto")}
        self.outside_revenue_bn = self._outside_revenue()
        self.ebitda_history = np.zeros((3, n))
        self.debt_service_history = np.zeros((3, n))
        self._dscr = None  # dscr_by_agent(), until the histories change
        self.last_fundamentals_bn = fundamentals_bn(self)
        self.last_sentiment = self.drivers.sentiment
        self.opening_system_equity_bn = float(np.clip(self.ledger.equity_bn(), 0, None).sum())
        self.peak_nav_per_unit = self.ledger.equity_value_bn / self.ledger.shares_outstanding
        self.refresh()
        self.datacollector = make_datacollector(self)
        self._collect()

    # ================================================================== public API
    @property
    def sentiment(self) -> float:
        return self.drivers.sentiment

    def step(self) -> None:
        """Advance one month (see the module docstring for the phases)."""
        self.month += 1
        self._begin_month()
        self.apply_shocks()  # 1
        self.operate()  # 2
        self.service_debt()  # 3
        self.spend_discretionary()  # 2/3: capex and customer funding, once dues are known
        covenants.test_and_decide(self)  # 4
        self.propagate()  # 5-7
        self._end_month()
        self._collect()  # 8
        self.running = self.month < self.config.months  # Play in the app stops at the horizon

    def run_for(self, months: int) -> None:  # noqa: D102 - documented in mesa; validates input
        if isinstance(months, bool) or not isinstance(months, (int, np.integer)) or not 0 <= months <= 100_000:
            raise ValueError(f"months must be a whole number in [0, 100000], got {months!r}")
        for _ in range(int(months)):
            self.step()

    def deal_graph(self):
        """A ``networkx.MultiDiGraph`` snapshot of the current network (see ``networks``)."""
        from simulator.snapshot import deal_graph

        return deal_graph(self)

    def agent(self, name: str):
        """The institution called ``name``."""
        try:
            return self.institutions[self.index_of[name]]
        except KeyError:
            raise KeyError(f"no institution {name!r}; known: {self.names}") from None

    # ================================================================== bookkeeping helpers
    def log(self, phase: str, kind: str, actor: int | None, counterparty: int | None, amount_bn: float, message: str) -> None:
        """Record an event; ``actor`` None means the markets (a market-wide shock)."""
        self.events.append(Event(
            month=self.month, phase=phase, kind=kind, actor=MARKETS if actor is None else self.names[actor],
            counterparty=None if counterparty is None or counterparty >= len(self.names) else self.names[counterparty],
            amount_bn=float(amount_bn), message=message,
        ))

    verify_views = False
    """When True (the test suite sets it), a refresh skipped because nothing changed recomputes
    the views anyway and fails if they differ: a change that bypassed the version counters."""

    def refresh(self) -> None:
        """Recompute the balance-sheet views agents read when they decide (skipped when neither
        the ledger nor the obligations changed since the last refresh)."""
        led = self.ledger
        state = (led.version, self.obligations.version)
        if state == self._views_state:
            if self.verify_views:
                self._verify_views()
            return
        self._views_state = state
        self.assets_bn = led.assets_bn()
        self.liabilities_bn = led.liabilities_bn()
        self.equity_bn = self.assets_bn - self.liabilities_bn
        due = self.obligations.due_by_payer()[: led.n_agents]
        # What it must pay this month: its dues once they are known (they include operating costs).
        self.scheduled_outflows_bn = np.maximum(due, self.opex_bn_per_month)
        self._rwa_bn = None
        # Everyone's stress flag under the same views (the rule: agents.base.stressed_flags).
        self.stressed = stressed_flags(
            self.assets_bn, self.equity_bn, led.cash_bn, self.scheduled_outflows_bn, *self.stress_parameters
        )

    def _verify_views(self) -> None:
        """Recompute everything cached on the version counters; fail if anything was stale."""
        def views():
            return (self.assets_bn, self.liabilities_bn, self.scheduled_outflows_bn, self.stressed,
                    self.risk_weighted_assets_bn(), np.array([self.central_bank_lending_bn()]))
        kept = views()
        self._views_state, self._cb_lending = None, (-1, 0.0)
        self.refresh()
        fresh = views()
        if not all(np.array_equal(a, b) for a, b in zip(kept, fresh)):
            raise AssertionError(f"month {self.month}: stale balance-sheet views (a change bypassed Ledger.version)")

    def risk_weighted_assets_bn(self) -> np.ndarray:
        """Risk-weighted assets of every institution (US$ bn), cached until the next refresh."""
        if self._rwa_bn is None:
            self._rwa_bn = risk_weighted_assets_bn(self.ledger, self.risk_weights)
        return self._rwa_bn

    def mark_nav_issuers(self, book_entry: bool = True) -> None:
        """NAV-valued issuers (funds, SPVs, ...) are worth their book equity (at least 0).

        Issuers that someone in the network holds are re-marked one by one, each after the NAV
        issuers it holds (a fund after the SPV it owns), so one pass makes every NAV exact; a
        re-mark changes its holders' equity by exactly what it books. Issuers nobody holds just
        take their book equity (there is no holder to book anything)."""
        led = self.ledger
        order = self._nav_order()
        equity = led.equity_bn()
        for k, rows in zip(order, self._nav_stake_rows):
            new_value = max(float(equity[k]), 0.0)
            if new_value == led.equity_value_bn[k]:
                continue
            if book_entry:
                equity = equity + led.mark_issuer(k, new_value, rows)
            else:
                led.equity_value_bn[k] = new_value
                led.changed()
                equity = led.equity_bn()
        # Nobody in the network holds these, so no balance sheet (and no cached view) changes.
        unheld = self._nav_unheld
        led.equity_value_bn[unheld] = np.maximum(equity[unheld], 0.0)

    def _nav_order(self) -> list[int]:
        """NAV-valued issuers with holders, each after the NAV issuers it holds (recomputed when
        the stake book grows). Raises if NAV issuers hold each other in a circle."""
        s = self.ledger.stakes
        if getattr(self, "_nav_order_rows", None) == len(s):
            return self._nav_order_cache
        nav = ~self.market_valued
        held = [int(i) for i in np.unique(s.issuer) if nav[i]]
        holds = {k: {int(i) for h, i in zip(s.holder, s.issuer) if h == k and nav[i] and i != k} for k in held}
        order: list[int] = []
        pending = set(held)
        while pending:
            ready = sorted(k for k in pending if not (holds[k] & pending))
            if not ready:
                names = [self.names[k] for k in sorted(pending)]
                raise ConfigError(f"stakes: NAV-valued institutions hold each other in a circle: {names}")
            order += ready
            pending -= set(ready)
        unheld = nav.copy()
        unheld[held] = False
        self._nav_order_cache, self._nav_unheld, self._nav_order_rows = order, unheld, len(s)
        self._nav_stake_rows = [(s.issuer == k).nonzero()[0] for k in order]
        return order

    def dscr_by_agent(self) -> np.ndarray:
        """Debt-service coverage per institution over the last three months (inf if no debt);
        computed once after the month's histories are written (read-only)."""
        if self._dscr is None:
            service = self.debt_service_history.sum(axis=0)
            ebitda = self.ebitda_history.sum(axis=0)
            dscr = np.full(len(service), np.inf)
            owes = service > 1e-12
            dscr[owes] = ebitda[owes] / service[owes]
            dscr.flags.writeable = False
            self._dscr = dscr
        return self._dscr

    # ================================================================== phase 1: shocks
    def apply_shocks(self) -> None:
        d, led = self.drivers, self.ledger
        ch = self.config.channels
        old_discount = d.discount.copy()
        d.advance(self.month)
        if ch.sentiment_feedback:
            s = self.config.markets.sentiment
            hit = s.loss_sensitivity * self.losses_last_month_bn / max(self.opening_system_equity_bn, 1e-9)
            hit += s.default_impact * self.defaults_last_month
            d.hit_sentiment(hit)
        if self.backstop_lent_last_month:
            d.hit_sentiment(-self.config.markets.sentiment.backstop_support)
        for shock in self.config.shocks:
            if shock.month == self.month:
                self._apply_shock(shock)
        d.hit_sentiment(0.0)  # clamp
        # Depreciation is an operating cost; a moving fire-sale discount is a market loss or gain.
        led.mark_gpus(d.fundamental_price_bn * old_discount, OPERATING)
        mark_gpus(self, FIRE_SALE)
        depreciate_real_assets(self)
        mark_equity(self)  # decisions this month see values after the shocks

    def _apply_shock(self, shock) -> None:
        d = self.drivers
        kind, size, target = shock.kind, shock.size, shock.target
        gens = self._generations(target)
        if kind == "ai_growth":
            d.ai_growth_per_year = size
            text = f"AI revenue growth changed to {size:+.0%} a year"
        elif kind == "revenue_loss":
            i = self.index_of[target]
            d.revenue_scale[i] = d.revenue_scale.get(i, 1.0) * (1 - size)
            text = f"{target} lost {size:.0%} of its outside revenue"
        elif kind == "rate_shock":
            d.base_rate_per_year += size
            text = f"Interest rates moved by {size * 1e4:+.0f} bp to {d.base_rate_per_year:.2%}"
        elif kind == "crypto_crash":
            d.crypto_index *= 1 - size
            text = f"Crypto prices fell {size:.0%}"
        elif kind == "depreciation":
            d.add_depreciation(gens, size)
            text = f"{self._gen_text(gens)} GPUs now depreciate {size:.0%} a year faster"
        elif kind == "gpu_price":
            d.fundamental_price_bn[gens] *= 1 - size
            text = f"Fundamental value of {self._gen_text(gens)} GPUs fell {size:.0%}"
        elif kind == "sentiment":
            d.hit_sentiment(size)
            text = f"Market sentiment fell by {size:.2f} to {d.sentiment:.2f}"
        elif kind == "failure":
            self.forced_failures.append(self.index_of[target])
            text = f"{target} failed and goes into resolution"
        elif kind == "contract_cut":
            c = self.ledger.contracts
            row = c.index_of(target)
            c.monthly_payment_bn[row] *= 1 - size
            text = f"Payments on {target} were cut by {size:.0%}"
        else:  # pragma: no cover - the config schema admits only the kinds above
            raise ValueError(f"unknown shock kind {kind!r}")
        self.log("shocks", "shock", self.index_of.get(target), None, size, f"Shock: {text}")

    def _generations(self, target) -> np.ndarray:
        if target in (None, "all"):
            return np.arange(len(self.generation_names))
        return np.array([self.generation_names.index(target)]) if target in self.generation_names else np.arange(0)

    def _gen_text(self, gens: np.ndarray) -> str:
        return "All" if len(gens) == len(self.generation_names) else "/".join(self.generation_names[g] for g in gens)

    # ================================================================== phase 2: operate
    def _outside_revenue(self) -> np.ndarray:
        d = self.drivers
        n = self.ledger.n_agents
        scale = np.ones(n)
        for i, s in d.revenue_scale.items():
            scale[i] = s
        driver = np.ones(n)
        driver[self.driven_by["ai_demand"]] = d.ai_revenue_index
        driver[self.driven_by["ai_capex"]] = d.demand_ratio
        driver[self.driven_by["crypto"]] = d.crypto_index
        return self.revenue_bn_per_month * driver * scale * ~self.defaulted

    def _spot_revenue(self) -> np.ndarray:
        led, d = self.ledger, self.drivers
        utilisation = np.minimum(np.maximum(self.spot_utilisation * d.demand_ratio, 0.0), 1.0)  # (np.clip, cheaper)
        return (led.gpu_units_k @ d.rental_bn_per_k_month) * self.spot_share * utilisation * ~self.defaulted

    def operate(self) -> None:
        led, c = self.ledger, self.ledger.contracts
        alive = ~self.defaulted
        self.outside_revenue_bn = self._outside_revenue()
        spot = self._spot_revenue()
        led.exogenous(self.all_agents, self.outside_revenue_bn + spot, "revenue from outside customers")
        # Operating costs are owed to suppliers outside the model and clear with everything else.
        self.obligations.add(self.all_agents, self.obligations.outside, self.opex_bn_per_month * alive, OPERATING_COST, -1)
        # Take-or-pay contracts and leases fall due.
        due = (c.due_mask(self.month) & ((c.kind == COMPUTE) | (c.kind == LEASE))).nonzero()[0]
        self.obligations.add(c.payer[due], c.payee[due], c.monthly_payment_bn[due], CONTRACT, due)
        n = led.n_agents
        contract_in = np.bincount(c.payee[due], weights=c.monthly_payment_bn[due], minlength=n)
        contract_out = np.bincount(c.payer[due], weights=c.monthly_payment_bn[due], minlength=n)
        ebitda = self.outside_revenue_bn + spot + contract_in - self.opex_bn_per_month * alive - contract_out
        self.ebitda_history[self.month % 3] = ebitda  # a ring of the last three months
        self._dscr = None
        self._funding_rounds(contract_out)
        if self.config.channels.lease_renegotiation:
            self._review_leases()
        second_round.redemptions(self, PHASE_OPERATE)  # investors' monthly redemption requests

    def _funding_rounds(self, contract_out: np.ndarray) -> None:
        """Labs short of runway raise money (their rule reads cash and sentiment, not the views)."""
        led = self.ledger
        for agent in self.labs:
            if agent.defaulted:
                continue
            i = agent.index
            burn = self.opex_bn_per_month[i] + contract_out[i] - self.outside_revenue_bn[i]
            amount = agent.funding_round_bn(float(burn))
            if amount > 0:
                led.issue_shares(i, amount, None, "equity raised from outside investors")
                self.log("operate", "funding_round", i, None, amount,
                         f"{agent.name} raised {money(amount)} from outside investors "
                         f"({agent.rules.funding_round_months:.0f} months of burn)")

    def _review_leases(self) -> None:
        led, c = self.ledger, self.ledger.contracts
        ratio = self.drivers.demand_ratio
        for i in self.hyperscaler_indices:
            agent = self.institutions[i]
            if agent.defaulted:
                continue
            cut = agent.lease_cut_wanted(ratio)
            if cut <= 0:
                continue
            rows = ((c.payer == agent.index) & c.active & (c.kind == LEASE) & (c.renegotiations == 0)).nonzero()[0]
            for row in rows:
                before = float(c.monthly_payment_bn[row])
                c.monthly_payment_bn[row] *= 1 - cut
                c.renegotiations[row] += 1
                payee = int(c.payee[row])
                if self.kinds[payee] == "spv":
                    # The SPV's data centre is worth the lease it earns.
                    led.revalue_real_assets(payee, led.real_assets_bn[payee] * (1 - cut), CREDIT)
                self.log("operate", "lease_renegotiation", agent.index, payee, before * cut,
                         f"{agent.name}, seeing AI demand at {ratio:.0%} of expectations, cut its lease {c.ids[row]} with "
                         f"{self.names[payee]} by {cut:.0%}")

    # ================================================================== phase 3: service debt
    def service_debt(self) -> None:
        led, d = self.ledger, self.ledger.debt
        n = led.n_agents
        live = d.active & (d.principal_bn > 1e-12)
        live &= ~self.defaulted[d.obligor]
        rate = d.rate_per_year + d.floating * self.drivers.base_rate_per_year
        # (x * live: x where live, else 0 -- np.where, cheaper; principal and rates are >= 0)
        interest = d.principal_bn * rate / 12.0 * live
        amort = np.minimum(d.original_principal_bn * d.amortisation_per_month, d.principal_bn) * live
        rows = np.arange(len(d))
        self.obligations.add(d.obligor, d.holder, interest, INTEREST, rows)
        self.obligations.add(d.obligor, d.holder, amort, PRINCIPAL, rows)
        service = np.bincount(d.obligor, weights=interest + amort, minlength=n)
        self.debt_service_history[self.month % 3] = service
        self._dscr = None
        maturing = (live & (d.maturity_month <= self.month)).nonzero()[0]
        if len(maturing):
            self.refresh()  # lenders decide on the current views
        for row in maturing:
            lender, borrower = self.institutions[d.holder[row]], self.institutions[d.obligor[row]]
            rest = float(d.principal_bn[row] - amort[row])
            if not self.config.channels.refinancing or lender.rolls_over(borrower, self.sentiment):
                d.maturity_month[row] = self.month + lender.rules.rollover_term_months
                terms = self._reprice_rollover(row)
                if rest > 0:
                    self.log("service_debt", "rollover", lender.index, borrower.index, rest,
                             f"{lender.name} rolled over {money(rest)} owed by {borrower.name} ({d.ids[row]}){terms}")
            elif rest > 0:
                self.obligations.add(borrower.index, lender.index, rest, PRINCIPAL, row)
                self.log("service_debt", "refinancing_refused", lender.index, borrower.index, rest,
                         f"{lender.name} refused to roll over {money(rest)} owed by {borrower.name} "
                         f"(sentiment {self.sentiment:.2f}, borrower {borrower.status}): repayment due")

    def _reprice_rollover(self, row: int) -> str:
        """Rolled debt is priced at today's market: its rate moves by how far the market rate
        (credit spread, plus the base rate for fixed-rate debt) has moved since it was set.
        Returns the terms for the event's sentence."""
        d = self.ledger.debt
        old_rate = float(d.rate_per_year[row])
        if not self.config.channels.rollover_repricing:
            return f" at {old_rate:.2%} a year"
        market = self.drivers.market_rate_per_year(bool(d.floating[row]))
        new_rate = max(old_rate + market - float(d.reference_rate_per_year[row]), 0.0)
        d.rate_per_year[row] = new_rate
        d.reference_rate_per_year[row] = market
        floating = " over the base rate" if d.floating[row] else ""
        if abs(new_rate - old_rate) < 5e-5:  # under half a basis point: as before
            return f" at {new_rate:.2%} a year{floating}, unchanged"
        return f" at {new_rate:.2%} a year{floating} (was {old_rate:.2%}: market rates and spreads moved)"

    def spend_discretionary(self) -> None:
        """Chip purchases (capex plans), construction and customer funding: discretionary, so
        paid only from cash left after this month's obligations and a liquidity buffer."""
        led, c = self.ledger, self.ledger.contracts
        self.refresh()
        ratio = self.drivers.demand_ratio
        spare = np.maximum(led.cash_bn - self.obligations.due_by_payer()[: led.n_agents] - self.cash_buffer_bn, 0.0)
        spare[self.defaulted] = 0.0
        scale = np.ones(led.n_agents)
        for i in self.hyperscaler_indices:
            scale[i] = self.institutions[i].capex_scale(ratio)
        real = np.minimum(self.capex_real_bn_per_month * scale, spare)
        if real.any():
            led.spend_on_real_assets(self.all_agents, real, "construction and power spending (outside)")
            spare -= real
        due = c.due_mask(self.month)
        chip_rows = (due & (c.kind == CHIP)).nonzero()[0]
        amounts = np.zeros(len(chip_rows))
        planned = c.monthly_payment_bn[chip_rows]
        for k, (i, plan) in enumerate(zip(c.payer[chip_rows].tolist(), planned.tolist())):
            amounts[k] = min(plan * scale[i], spare[i])  # in order: a payer's earlier plans come first
            spare[i] -= amounts[k]
        self.obligations.add(c.payer[chip_rows], c.payee[chip_rows], np.where(amounts > 1e-9, amounts, 0.0), CHIP_SALE, chip_rows)
        self._report_capex_cuts(c.payer[chip_rows], planned, amounts)
        funding_rows = (due & (c.kind == FUNDING)).nonzero()[0]
        decided: dict[int, bool] = {}
        for row in funding_rows:
            i = int(c.payer[row])
            if i not in decided:
                agent = self.institutions[i]
                decided[i] = self.config.channels.circular_funding and (
                    agent.funds_customers() if isinstance(agent, ChipMaker) else not agent.is_stressed()
                )
                if not decided[i] and i not in self.funding_stopped:
                    self.funding_stopped.add(i)
                    stopped = float(c.monthly_payment_bn[funding_rows[c.payer[funding_rows] == i]].sum())
                    self.log("operate", "customer_funding_stopped", i, None, stopped,
                             f"{agent.name} stopped funding its customers (market value "
                             f"{led.equity_value_bn[i] / self.opening_equity_value_bn[i]:.0%} of its opening value)")
            amount = min(float(c.monthly_payment_bn[row]), spare[i]) if decided[i] else 0.0
            if amount > 1e-9:
                self.obligations.add(i, int(c.payee[row]), amount, EQUITY_FUNDING, row)
                spare[i] -= amount

    def _report_capex_cuts(self, payers: np.ndarray, planned: np.ndarray, paid: np.ndarray) -> None:
        """Log when an institution starts buying less than half of its planned chips (once per
        episode; the episode ends when it is back above 90% of plan)."""
        if not self.capex_cutters and (paid >= 0.5 * planned).all():
            return  # every plan at least half bought, so no institution's total is below half
        n = self.ledger.n_agents
        plan = np.bincount(payers, weights=planned, minlength=n)
        bought = np.bincount(payers, weights=paid, minlength=n)
        for i in ((plan > 0) & (bought < 0.5 * plan) & ~self.defaulted).nonzero()[0].tolist():
            if i not in self.capex_cutters:
                self.capex_cutters.add(i)
                self.log("operate", "capex_cut", i, None, float(plan[i] - bought[i]),
                         f"{self.names[i]} cut its chip purchases to {money(bought[i])} of a planned "
                         f"{money(plan[i])} this month ({'stressed' if self.institutions[i].is_stressed() else 'short of spare cash'})")
        self.capex_cutters -= set((bought >= 0.9 * plan).nonzero()[0].tolist())

    # ================================================================== phases 5-7
    def propagate(self) -> None:
        for _ in range(self.config.resolution.max_rounds):
            if self.market.clear():  # 6: fire sales submitted in the previous round
                self._mark()
            # Those short of cash raise it; sales clear at once, so a seller that got less than it
            # hoped (price impact) can try again, a bounded number of times.
            for _ in range(LIQUIDITY_ATTEMPTS):
                liquidity.raise_liquidity(self)
                if not self.market.clear():
                    break
                self._mark()
            new = resolution.clear_round(self)  # 5
            resolution.close_estates(self)
            self._mark()
            second_round.run(self)  # 7
            if not new and len(self.obligations) == 0 and not self.market.has_orders():
                break

    def _mark(self) -> None:
        mark_gpus(self, FIRE_SALE)
        mark_abs_tranches(self)
        mark_equity(self)

    # ================================================================== month boundaries
    def _begin_month(self) -> None:
        self.decided_rows.clear()
        self.margin_called.clear()
        self.derisked.clear()
        self.new_defaults = []
        self.ledger.debt.in_breach[:] = False
        self._losses_at_start = float(self.ledger.losses_bn().sum())
        self.nav_at_start = self.ledger.equity_value_bn / self.ledger.shares_outstanding
        cb = self.central_bank
        self._cb_lending_at_start = self.central_bank_lending_bn() if cb else 0.0

    def _end_month(self) -> None:
        self.losses_last_month_bn = max(float(self.ledger.losses_bn().sum()) - self._losses_at_start, 0.0)
        self.defaults_last_month = len(self.new_defaults)
        self.backstop_lent_last_month = self.central_bank is not None and self.central_bank_lending_bn() > self._cb_lending_at_start + 1e-9
        per_unit = self.ledger.equity_value_bn / self.ledger.shares_outstanding
        self.peak_nav_per_unit = np.maximum(self.peak_nav_per_unit, per_unit)

    def central_bank_lending_bn(self) -> float:
        """Central-bank loans outstanding, US$ bn (recomputed when the ledger changes)."""
        if self.central_bank is None:
            return 0.0
        led = self.ledger
        if self._cb_lending[0] != led.version:
            d = led.debt
            self._cb_lending = (led.version, float(d.principal_bn[(d.holder == self.central_bank.index) & d.active].sum()))
        return self._cb_lending[1]

    def _collect(self) -> None:
        self.refresh()
        refresh_agent_snapshots(self)
        self.report = model_report(self)
        self.datacollector.collect(self)


def _parse_seed(seed: Any) -> int:
    if isinstance(seed, bool):
        raise ConfigError(f"seed must be a whole number >= 0, got {seed!r}")
    try:
        value = int(str(seed).strip()) if isinstance(seed, str) else int(seed)
    except (TypeError, ValueError):
        raise ConfigError(f"seed must be a whole number >= 0, got {seed!r}") from None
    if value < 0 or value != seed and not isinstance(seed, str) and float(seed) != value:
        raise ConfigError(f"seed must be a whole number >= 0, got {seed!r}")
    return value


__all__ = ["ContagionModel", "LEVERS"]
