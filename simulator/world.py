"""Compile a validated ``Scenario`` into the model's state: the ledger's arrays, the agents and
the constants of the run.

This is the only place that turns names into indices: institution ``i`` is row ``i`` of every
ledger array, agent ``state.agents[i]`` and node ``i`` of the deal graph.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import mesa
import numpy as np

from agents.instruments import NO_COLLATERAL
from agents.ledger import Ledger
from agents.names import CREDIT_CLASSES, SECTORS, ContractKind, CreditClass, DebtKind, InstitutionKind
from agents.registry import agent_class
from simulator.config import REVENUE_DRIVERS, ConfigError, Debt, Scenario
from simulator.drivers import Drivers
from simulator.events import EventLog
from simulator.market import Market
from simulator.obligations import Obligations
from simulator.records import MonthlyRecords, ReportKeys, model_columns
from simulator.state import Constants, Memory, Scratch, State, Views, read_only
from simulator.valuation import AI_SECTOR_KINDS, mark_nav_issuers, nav_order

INVESTMENT_GRADE_ISSUERS = frozenset({InstitutionKind.HYPERSCALER, InstitutionKind.CHIP_MAKER})
"""Institution kinds whose bonds are investment grade by default (``Debt.credit_class``)."""


def _credit_class(debt: Debt, obligor_kind: str) -> CreditClass:
    """A debt's credit class: as configured, or by default ABS tranches by seniority, bonds of
    hyperscalers and the chip maker investment grade, other bonds high yield, loans and credit
    lines private.
    """
    if debt.credit_class is not None:
        return CreditClass(CREDIT_CLASSES.index(debt.credit_class))
    if debt.kind == DebtKind.ABS_TRANCHE.name.lower():
        return CreditClass.ABS_SENIOR if debt.tranche == "senior" else CreditClass.ABS_JUNIOR
    if debt.kind == DebtKind.BOND.name.lower():
        return CreditClass.INVESTMENT_GRADE if obligor_kind in INVESTMENT_GRADE_ISSUERS else CreditClass.HIGH_YIELD
    return CreditClass.PRIVATE


def build_state(model: mesa.Model, scenario: Scenario, counterfactual: Any = None) -> State:
    """The state of ``scenario`` at month 0, with its institutions created as agents of
    ``model`` (Mesa registers them; ``model.rng`` drives every random draw), measured against
    ``counterfactual`` (``simulator.counterfactual.Counterfactual``) if given.
    """
    names = list(scenario.institutions)
    n = len(names)
    index = {name: i for i, name in enumerate(names)}
    gens = [g.name for g in scenario.markets.gpu.generations]
    gen_index = {g: k for k, g in enumerate(gens)}
    institutions = list(scenario.institutions.values())

    drivers = Drivers(scenario, model.rng)
    ledger = Ledger(n, len(gens))
    obligations = Obligations(n)
    memory = Memory(n)
    memory.last_base_rate = drivers.base_rate_per_year
    views = Views(ledger, obligations, drivers, memory)

    agents = []
    for i, (name, inst) in enumerate(scenario.institutions.items()):
        cls = agent_class(inst.kind)
        rules_raw = dict(inst.rules)
        if inst.kind == InstitutionKind.CENTRAL_BANK:
            rules_raw = {**scenario.central_bank.model_dump(), **rules_raw}
        agents.append(cls(model, i, name, cls.Rules(**rules_raw), views))
        ledger.cash_bn[i] = inst.cash_bn
        ledger.other_assets_bn[i] = inst.other_assets_bn
        ledger.real_assets_bn[i] = inst.real_assets_bn
        ledger.other_liabilities_bn[i] = inst.other_liabilities_bn
        for gen, units in inst.gpus_k.items():
            ledger.gpu_units_k[i, gen_index[gen]] = units
        for credit_class_name, face in inst.securities_bn.items():
            ledger.securities_face_bn[i, CREDIT_CLASSES.index(credit_class_name)] = face
    ledger.gpu_price_bn = np.array([g.price_bn_per_k for g in scenario.markets.gpu.generations])

    credit_class = {cid: _credit_class(d, scenario.institutions[d.obligor].kind) for cid, d in scenario.debts.items()}
    with ledger.debt.bulk():
        for cid, d in scenario.debts.items():
            ledger.debt.add(
                cid,
                kind=d.kind,
                holder=index[d.holder],
                obligor=index[d.obligor],
                principal_bn=d.principal_bn,
                limit_bn=d.limit_bn,
                rate_per_year=d.rate_per_year,
                reference_rate_per_year=drivers.market_rate_per_year(d.floating, credit_class[cid]),
                floating=d.floating,
                amortisation_per_month=d.amortisation_per_month,
                maturity_month=d.maturity_month,
                collateral_gen=gen_index[d.collateral.generation] if d.collateral else NO_COLLATERAL,
                collateral_units_k=d.collateral.units_k if d.collateral else 0.0,
                ltv_covenant=np.inf if d.ltv_covenant is None else d.ltv_covenant,
                dscr_covenant=d.dscr_covenant or 0.0,
                min_liquidity_bn=d.min_liquidity_bn or 0.0,
                tranche=d.tranche,
                credit_class=credit_class[cid],
            )
    with ledger.contracts.bulk():
        for cid, c in scenario.contracts.items():
            ledger.contracts.add(
                cid,
                kind=c.kind,
                payer=index[c.payer],
                payee=index[c.payee],
                monthly_payment_bn=c.monthly_payment_bn,
                start_month=c.start_month,
                end_month=c.start_month + c.months,
                take_or_pay=c.take_or_pay,
            )
    _check_pledges(ledger, names, gens)

    # Equity: market values for listed/private companies, NAV for the others.
    market_valued = read_only(np.array([inst.market_value_bn is not None for inst in institutions]))
    ledger.changed()  # the arrays above were written directly
    book = ledger.equity_bn()
    for i, inst in enumerate(institutions):
        ledger.equity_value_bn[i] = inst.market_value_bn if inst.market_value_bn is not None else max(book[i], 0.0)
    ledger.shares_outstanding[:] = 1.0
    with ledger.stakes.bulk():
        for cid, s in scenario.stakes.items():
            ledger.stakes.add(cid, kind=s.kind, holder=index[s.holder], issuer=index[s.issuer], units=s.share)
    ledger.changed()
    # Stakes held add to holders' assets; NAV-valued issuers that hold stakes need a re-mark.
    mark_nav_issuers(ledger, *nav_order(ledger, market_valued, names), book_entry=False)
    ledger.open_books()

    kinds = np.array([str(inst.kind) for inst in institutions])
    sectors_present = tuple(k for k in SECTORS if k in set(kinds))
    revenue_driver = np.array([inst.revenue_driver for inst in institutions])
    opex = read_only(np.array([inst.opex_bn_per_month for inst in institutions]))
    const = Constants(
        config=scenario,
        names=tuple(names),
        index_of=MappingProxyType(index),
        kinds=read_only(kinds),
        agent_ids=tuple(a.unique_id for a in agents),
        generation_names=tuple(gens),
        everyone=read_only(np.arange(n)),
        market_valued=market_valued,
        equity_beta=read_only(np.array([inst.equity_beta for inst in institutions])),
        revenue_bn_per_month=read_only(np.array([inst.revenue_bn_per_month for inst in institutions])),
        driven_by=MappingProxyType(
            {name: read_only(revenue_driver == name) for name in REVENUE_DRIVERS if name != "flat"}
        ),
        opex_bn_per_month=opex,
        capex_real_bn_per_month=read_only(np.array([inst.capex_real_bn_per_month for inst in institutions])),
        builders=tuple(i for i, inst in enumerate(institutions) if inst.capex_real_bn_per_month > 0),
        payers=tuple(a.index for a in agents if a.pays_shareholders),
        **_gpu_lenders(scenario, index),
        contract_payers=tuple(
            sorted(
                {
                    index[c.payer]
                    for c in scenario.contracts.values()
                    if c.kind in (ContractKind.LEASE, ContractKind.COMPUTE_CONTRACT)
                }
            )
        ),
        spot_share=read_only(np.array([a.spot_share for a in agents])),
        spot_utilisation=read_only(np.array([a.spot_utilisation for a in agents])),
        production_cost_share=read_only(np.array([a.production_cost_share for a in agents])),
        cash_buffer_bn=read_only(np.array([a.rules.liquidity_buffer_months for a in agents]) * opex),
        # Parameters of the stress rule, one entry per institution (agents.base.stressed_flags).
        stress_parameters=(
            read_only(np.array([a.rules.stress_equity_ratio for a in agents])),
            read_only(np.array([a.rules.liquidity_buffer_months for a in agents])),
            read_only(np.array([a.can_be_stressed for a in agents])),
        ),
        ai_firm=read_only(np.isin(kinds, [str(k) for k in AI_SECTOR_KINDS])),
        statutory_capital=read_only(np.array([bool(getattr(a.rules, "statutory_capital", False)) for a in agents])),
        risk_weights=read_only(np.array([a.risk_weights() for a in agents]).reshape(n, -1)),
        central_bank=next((i for i, k in enumerate(kinds) if k == InstitutionKind.CENTRAL_BANK), None),
        sectors_present=sectors_present,
        sector_members=MappingProxyType({k: read_only(np.flatnonzero(kinds == k)) for k in sectors_present}),
        sector_code=read_only(np.array([sectors_present.index(k) for k in kinds], dtype=np.int64)),
        report_keys=ReportKeys.of(gens, sectors_present),
        opening_equity_value_bn=read_only(ledger.equity_value_bn.copy()),
        opening_system_equity_bn=float(np.clip(ledger.equity_bn(), 0, None).sum()),
        opening_backlog_bn=read_only(
            np.bincount(ledger.contracts.payee, weights=ledger.contracts.remaining_value_bn(0), minlength=n)
        ),
    )
    views.attach(const)
    memory.months_below_value_in_use = np.zeros(len(gens), dtype=np.int64)
    memory.gpu_impaired = np.zeros(len(gens), dtype=bool)
    return State(
        const=const,
        ledger=ledger,
        drivers=drivers,
        memory=memory,
        log=EventLog(names),
        records=MonthlyRecords(model_columns(gens, sectors_present), const.agent_ids, names, list(kinds)),
        obligations=obligations,
        market=Market(ledger),
        scratch=Scratch(),
        views=views,
        agents=tuple(agents),
        counterfactual=counterfactual,
    )


def _gpu_lenders(scenario: Scenario, index: dict[str, int]) -> dict:
    """Each institution's main GPU-backed lender -- the one with the most principal secured on
    its GPUs (ties by name) -- and the terms of that lender's loan, which new GPU loans copy.
    """
    best: dict[int, tuple[float, str, Any]] = {}
    for debt in scenario.debts.values():
        if debt.collateral is None:
            continue
        i = index[debt.obligor]
        key = (debt.principal_bn, debt.holder)
        if i not in best or key > best[i][:2]:
            best[i] = (debt.principal_bn, debt.holder, debt)
    n = len(index)
    lender, terms = [-1] * n, [(0.0, False, 0.0, float("inf"), 0.0)] * n
    for i, (_, holder, debt) in best.items():
        lender[i] = index[holder]
        covenant = float("inf") if debt.ltv_covenant is None else debt.ltv_covenant
        terms[i] = (debt.rate_per_year, debt.floating, debt.amortisation_per_month, covenant, debt.dscr_covenant or 0.0)
    return {"gpu_lender": tuple(lender), "gpu_loan_terms": tuple(terms)}


def _check_pledges(ledger: Ledger, names: list[str], gens: list[str]) -> None:
    """Pledged GPUs cannot exceed what the borrower owns (checked here, where both are known)."""
    d = ledger.debt
    for gen in range(len(gens)):
        pledged = np.bincount(
            d.obligor[d.collateral_gen == gen],
            weights=d.collateral_units_k[d.collateral_gen == gen],
            minlength=len(names),
        )
        over = np.flatnonzero(pledged > ledger.gpu_units_k[:, gen] + 1e-9)
        if len(over):
            i = over[0]
            raise ConfigError(
                f"debts: {names[i]} pledges {pledged[i]:g}k {gens[gen]} GPUs as collateral but owns "
                f"{ledger.gpu_units_k[i, gen]:g}k (institutions.{names[i]}.gpus_k.{gens[gen]})"
            )
