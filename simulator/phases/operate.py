"""Phase 2, operate: the month's business.

* Revenue from customers outside the model comes in (each institution's outside revenue follows
  its driver: AI end-customer revenue, AI demand against expectations, crypto prices, or flat),
  plus spot rental of the GPU fleets of those that rent on the spot market.
* Operating costs, and the take-or-pay compute contracts and leases that fall due, become
  *obligations*: they are paid in the clearing (``resolve_defaults``), not here.
* EBITDA goes into the three-month history that DSCR covenants read.
* Institutions short of runway raise outside equity (``Institution.funding_round_bn``).
* Institutions review the leases and compute contracts they pay against AI demand
  (``contract_cut_wanted``): hyperscalers cut data-centre leases, labs their compute
  commitments, each contract once; a lessor re-marks its real assets if they are worth the lease
  (``real_asset_value_after_lease_cut``). The cuts apply from next month's payments.

Monthly redemption requests (``simulator.phases.redemptions``) follow, in the same phase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.names import EventKind, ExecutoryKind
from simulator.events import say
from simulator.obligations import CONTRACT, OPERATING_COST

if TYPE_CHECKING:  # pragma: no cover
    from simulator.state import State

COMPUTE, LEASE = int(ExecutoryKind.COMPUTE_CONTRACT), int(ExecutoryKind.LEASE)


def outside_revenue_bn(state: State) -> np.ndarray:
    """Revenue from customers outside the model this month, per institution (US$ bn)."""
    d, c = state.drivers, state.const
    n = c.n
    scale = np.ones(n)
    for i, s in d.revenue_scale.items():
        scale[i] = s
    driver = np.ones(n)
    driver[c.driven_by["ai_demand"]] = d.ai_revenue_index
    driver[c.driven_by["ai_capex"]] = d.demand_ratio
    driver[c.driven_by["crypto"]] = d.crypto_index
    return c.revenue_bn_per_month * driver * scale * ~state.memory.defaulted


def spot_revenue_bn(state: State) -> np.ndarray:
    """Spot rental of GPU fleets this month, per institution (US$ bn): the share of the fleet on
    the spot market x the rent x a utilisation that follows AI demand.
    """
    led, d, c = state.ledger, state.drivers, state.const
    utilisation = np.minimum(np.maximum(c.spot_utilisation * d.demand_ratio, 0.0), 1.0)  # (np.clip, cheaper)
    return (led.gpu_units_k @ d.rental_bn_per_k_month) * c.spot_share * utilisation * ~state.memory.defaulted


def run(state: State) -> None:
    """Revenue, costs, contracts due, EBITDA history, funding rounds, lease reviews."""
    led, c, mem, const = state.ledger, state.ledger.contracts, state.memory, state.const
    alive = ~mem.defaulted
    mem.outside_revenue_bn = outside_revenue_bn(state)
    spot = spot_revenue_bn(state)
    led.exogenous(const.everyone, mem.outside_revenue_bn + spot, "revenue from outside customers")
    # Operating costs are owed to suppliers outside the model and clear with everything else.
    ob = state.obligations
    ob.add(const.everyone, ob.outside, const.opex_bn_per_month * alive, OPERATING_COST, -1)
    _renew_compute(state)
    # Take-or-pay contracts and leases fall due.
    due = (c.due_mask(mem.month) & ((c.kind == COMPUTE) | (c.kind == LEASE))).nonzero()[0]
    ob.add(c.payer[due], c.payee[due], c.monthly_payment_bn[due], CONTRACT, due)
    n = led.n_agents
    contract_in = np.bincount(c.payee[due], weights=c.monthly_payment_bn[due], minlength=n)
    contract_out = np.bincount(c.payer[due], weights=c.monthly_payment_bn[due], minlength=n)
    ebitda = mem.outside_revenue_bn + spot + contract_in - const.opex_bn_per_month * alive - contract_out
    mem.ebitda_history[mem.month % 3] = ebitda  # a ring of the last three months
    mem.histories_version += 1
    _funding_rounds(state, contract_out)
    _review_contracts(state)


def _renew_compute(state: State) -> None:
    """Compute contracts that ended last month are renewed, if the customer wants
    (``Institution.renews_compute``), at today's market rent: their payment scales with GPU
    rents since the price was last set, so rent deflation reaches the provider's revenue.
    """
    c, mem, d = state.ledger.contracts, state.memory, state.drivers
    ended = (c.active & (c.kind == COMPUTE) & (c.end_month == mem.month)).nonzero()[0]
    if not len(ended):
        return
    ratio, rent, names = d.demand_ratio, d.rent_index, state.const.names
    answers = [(int(row), state.agents[int(c.payer[row])].renews_compute(ratio)) for row in ended]
    for row, months in answers:
        if months <= 0 or mem.defaulted[c.payee[row]] or mem.defaulted[c.payer[row]]:
            continue
        before = float(c.monthly_payment_bn[row])
        c.monthly_payment_bn[row] = before * rent / float(c.rent_index_at_signing[row])
        c.rent_index_at_signing[row] = rent
        c.end_month[row] = mem.month + months
        c.renewals[row] += 1
        payer, payee = int(c.payer[row]), int(c.payee[row])
        state.log.add(
            EventKind.CONTRACT_RENEWAL,
            payer,
            payee,
            float(c.monthly_payment_bn[row]) * months,
            say(
                "{payer} renewed {contract} with {payee} for {months} months at today's rent: "
                "{payment:money} a month (was {before:money})",
                payer=names[payer],
                contract=c.ids[row],
                payee=names[payee],
                months=months,
                payment=c.monthly_payment_bn[row],
                before=before,
            ),
        )


def _funding_rounds(state: State, contract_out: np.ndarray) -> None:
    """Institutions burning cash (costs and contract payments above outside revenue) may raise
    money from investors outside the model (their rule reads cash and sentiment, not the
    balance-sheet views).
    """
    led, mem, const = state.ledger, state.memory, state.const
    burn_bn = const.opex_bn_per_month + contract_out - mem.outside_revenue_bn
    for i in ((burn_bn > 0) & ~mem.defaulted).nonzero()[0].tolist():
        agent, burn = state.agents[i], burn_bn[i]
        amount = agent.funding_round_bn(float(burn))
        if amount > 0:
            led.issue_shares(i, amount, None, "equity raised from outside investors")
            state.log.add(
                EventKind.FUNDING_ROUND,
                i,
                None,
                amount,
                say(
                    "{company} raised {amount:money} from outside investors (now {months:.0f} months of burn in cash)",
                    company=agent.name,
                    amount=amount,
                    months=agent.cash_bn / burn,
                ),
            )


def _review_contracts(state: State) -> None:
    """Every payer of leases and compute contracts says, on the same demand figure, by how much
    it wants to cut the contracts of each kind it has not renegotiated yet; the cuts then apply
    together (leases under the ``lease_renegotiation`` channel, compute contracts under
    ``contract_cuts``).
    """
    led, c, names = state.ledger, state.ledger.contracts, state.const.names
    channels = state.const.config.channels
    kinds = [k for k, on in ((LEASE, channels.lease_renegotiation), (COMPUTE, channels.contract_cuts)) if on]
    ratio = state.drivers.demand_ratio
    defaulted = state.memory.defaulted
    wanted = [
        (i, kind, state.agents[i].contract_cut_wanted(ExecutoryKind(kind), ratio))
        for i in state.const.contract_payers
        if not defaulted[i]
        for kind in kinds
    ]
    for i, kind, cut in wanted:
        if cut <= 0:
            continue
        rows = ((c.payer == i) & c.active & (c.kind == kind) & (c.renegotiations == 0)).nonzero()[0]
        for row in rows.tolist():
            before = float(c.monthly_payment_bn[row])
            c.monthly_payment_bn[row] *= 1 - cut
            c.renegotiations[row] += 1
            payee = int(c.payee[row])
            if kind == LEASE:
                value = led.real_assets_bn[payee]
                new_value = state.agents[payee].real_asset_value_after_lease_cut(value, cut)
                if new_value != value:
                    led.impair_real_assets(payee, new_value)
                event, what = EventKind.LEASE_RENEGOTIATION, say("lease")
            else:
                event, what = EventKind.CONTRACT_RENEGOTIATION, say("compute contract")
            state.log.add(
                event,
                i,
                payee,
                before * cut * max(int(c.end_month[row]) - state.memory.month, 1),
                say(
                    "{payer}, seeing AI demand at {demand:.0%} of expectations, cut its {what} {contract} with "
                    "{payee} by {cut:.0%}: {before:money} -> {after:money} a month",
                    payer=names[i],
                    demand=ratio,
                    what=what,
                    contract=c.ids[row],
                    payee=names[payee],
                    cut=cut,
                    before=before,
                    after=c.monthly_payment_bn[row],
                ),
            )
