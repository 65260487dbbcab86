"""Compile a validated ``Scenario`` into the ledger's arrays and the Mesa agents.

This is the only place that turns names into indices: institution ``i`` is row ``i`` of every
ledger array, agent ``model.institutions[i]`` and node ``i`` of the deal graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.instruments import NO_COLLATERAL
from agents.ledger import Ledger
from agents.registry import agent_class
from simulator.config import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel


def build_world(model: ContagionModel, scenario: Scenario) -> None:
    """Create ``model.ledger`` and ``model.institutions`` from ``scenario``."""
    names = list(scenario.institutions)
    index = {name: i for i, name in enumerate(names)}
    gens = [g.name for g in scenario.markets.gpu.generations]
    gen_index = {g: k for k, g in enumerate(gens)}
    ledger = Ledger(len(names), len(gens))
    model.ledger = ledger
    model.names = names
    model.index_of = index
    model.generation_names = gens

    model.institutions = []
    model.agent_status = ["healthy"] * len(names)  # Institution.status (simulator.reporters writes it)
    for i, (name, inst) in enumerate(scenario.institutions.items()):
        cls = agent_class(inst.kind)
        rules_raw = dict(inst.rules)
        if inst.kind == "central_bank":
            rules_raw = {**scenario.central_bank.model_dump(), **rules_raw}
        agent = cls(model, i, name, cls.Rules(**rules_raw))
        model.institutions.append(agent)
        ledger.cash_bn[i] = inst.cash_bn
        ledger.other_assets_bn[i] = inst.other_assets_bn
        ledger.real_assets_bn[i] = inst.real_assets_bn
        ledger.other_liabilities_bn[i] = inst.other_liabilities_bn
        for gen, units in inst.gpus_k.items():
            ledger.gpu_units_k[i, gen_index[gen]] = units
    ledger.gpu_price_bn = np.array([g.price_bn_per_k for g in scenario.markets.gpu.generations])
    # Parameters of the stress rule, one entry per institution (agents.base.stressed_flags).
    model.stress_parameters = (
        np.array([a.rules.stress_equity_ratio for a in model.institutions]),
        np.array([a.rules.liquidity_buffer_months for a in model.institutions]),
        np.array([a.can_be_stressed for a in model.institutions]),
    )

    kinds = np.array([inst.kind for inst in scenario.institutions.values()])
    model.kinds = kinds
    model.market_valued = np.array([inst.market_value_bn is not None for inst in scenario.institutions.values()])
    model.equity_beta = np.array([inst.equity_beta for inst in scenario.institutions.values()])
    model.revenue_bn_per_month = np.array([inst.revenue_bn_per_month for inst in scenario.institutions.values()])
    model.revenue_driver = np.array([inst.revenue_driver for inst in scenario.institutions.values()])
    model.opex_bn_per_month = np.array([inst.opex_bn_per_month for inst in scenario.institutions.values()])
    model.capex_real_bn_per_month = np.array([inst.capex_real_bn_per_month for inst in scenario.institutions.values()])

    for cid, d in scenario.debts.items():
        collateral_gen = gen_index[d.collateral.generation] if d.collateral else NO_COLLATERAL
        ledger.debt.add(
            cid,
            kind=d.kind,
            holder=index[d.holder],
            obligor=index[d.obligor],
            principal_bn=d.principal_bn,
            limit_bn=d.limit_bn,
            rate_per_year=d.rate_per_year,
            reference_rate_per_year=model.drivers.market_rate_per_year(d.floating),
            floating=d.floating,
            amortisation_per_month=d.amortisation_per_month,
            maturity_month=d.maturity_month,
            collateral_gen=collateral_gen,
            collateral_units_k=d.collateral.units_k if d.collateral else 0.0,
            ltv_covenant=np.inf if d.ltv_covenant is None else d.ltv_covenant,
            dscr_covenant=d.dscr_covenant or 0.0,
            min_liquidity_bn=d.min_liquidity_bn or 0.0,
            tranche=d.tranche,
        )
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
    # Pledged GPUs cannot exceed what the borrower owns (checked here, where both are known).
    d = ledger.debt
    for gen in range(len(gens)):
        pledged = np.bincount(d.obligor[d.collateral_gen == gen], weights=d.collateral_units_k[d.collateral_gen == gen], minlength=len(names))
        over = np.flatnonzero(pledged > ledger.gpu_units_k[:, gen] + 1e-9)
        if len(over):
            i = over[0]
            from simulator.config import ConfigError

            raise ConfigError(
                f"debts: {names[i]} pledges {pledged[i]:g}k {gens[gen]} GPUs as collateral but owns "
                f"{ledger.gpu_units_k[i, gen]:g}k (institutions.{names[i]}.gpus_k.{gens[gen]})"
            )

    # Equity: market values for listed/private companies, NAV for the others.
    ledger.changed()  # the arrays above were written directly
    model.refresh()
    book = ledger.equity_bn()
    for i, inst in enumerate(scenario.institutions.values()):
        ledger.equity_value_bn[i] = inst.market_value_bn if inst.market_value_bn is not None else max(book[i], 0.0)
    ledger.shares_outstanding[:] = 1.0
    for cid, s in scenario.stakes.items():
        ledger.stakes.add(cid, kind=s.kind, holder=index[s.holder], issuer=index[s.issuer], units=s.share)
    ledger.changed()
    # Stakes held add to holders' assets; NAV-valued issuers that hold stakes need a re-mark.
    model.mark_nav_issuers(book_entry=False)
    ledger.open_books()
    model.opening_equity_value_bn = ledger.equity_value_bn.copy()
