"""The deal graph of the model's current state, built with ``networks.build_deal_graph``.

Edges run from the holder of a claim to the obligor: lenders -> borrowers, shareholders ->
issuers, and for executory contracts the payee (who is owed the payments) -> the payer; an
equity-funding commitment runs from the funder to the funded (like the stake it buys).
Amounts are US$ billions: outstanding principal, stake value, or payments still to come.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.names import DEBT_KINDS, EXECUTORY_KINDS, STAKE_KINDS, ContractKind
from networks import build_deal_graph

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

    from simulator.state import State


def deal_graph(state: State) -> nx.MultiDiGraph:
    """The network of institutions and live contracts now."""
    led, views = state.ledger, state.views
    views.refresh()
    institutions = [
        {
            "id": a.index,
            "name": a.name,
            "kind": str(a.kind),
            "status": str(a.status),
            "total_assets_bn": float(max(views.assets_bn[a.index], 0.0)),
            "equity_bn": float(views.equity_bn[a.index]),
            "cash_bn": float(led.cash_bn[a.index]),
        }
        for a in state.agents
    ]
    contracts = []
    d = led.debt
    for row in np.flatnonzero(d.active & (d.principal_bn > 1e-9)):
        contracts.append(
            {
                "id": d.ids[row],
                "holder": int(d.holder[row]),
                "obligor": int(d.obligor[row]),
                "kind": DEBT_KINDS[d.kind[row]],
                "amount_bn": float(d.principal_bn[row]),
            }
        )
    s = led.stakes
    values = led.stake_values_bn()
    for row in np.flatnonzero(s.units > 0):
        contracts.append(
            {
                "id": s.ids[row],
                "holder": int(s.holder[row]),
                "obligor": int(s.issuer[row]),
                "kind": STAKE_KINDS[s.kind[row]],
                "amount_bn": float(max(values[row], 0.0)),
            }
        )
    c = led.contracts
    remaining = c.remaining_value_bn(state.memory.month)
    for row in np.flatnonzero(c.active & (remaining > 0)):
        kind = EXECUTORY_KINDS[c.kind[row]]
        if kind == ContractKind.EQUITY_FUNDING:
            holder, obligor, kind = int(c.payer[row]), int(c.payee[row]), ContractKind.EQUITY.value
        else:
            holder, obligor = int(c.payee[row]), int(c.payer[row])
        contracts.append(
            {
                "id": c.ids[row],
                "holder": holder,
                "obligor": obligor,
                "kind": kind,
                "amount_bn": float(remaining[row]),
                "monthly_payment_bn": float(c.monthly_payment_bn[row]),
            }
        )
    return build_deal_graph(institutions, contracts)
