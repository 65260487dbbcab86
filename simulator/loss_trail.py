"""Where a holder's losses came from: its positions, what each lost since month 0, and the
events that explain it.

For an institution (an insurer, a pension fund, 401(k) savers, a bank) the trail lists every
position it held at month 0 -- fund shares and equity stakes (by issuer), loans, bonds and ABS
tranches (by obligor), outside securities (by credit class) -- with its loss over the run:

* stakes: the fall in value per unit times the units held at month 0 (a NAV or share-price
  fall; redemptions paid out at NAV are not a loss);
* debt rows: the fall in the mark (``principal x value_factor``) on the principal held at
  month 0, plus what was written off (``write_off`` events);
* securities: the fall in price times the face held at month 0.

Each position names the events that explain it: the counterparty's own distress (defaults,
covenant breaches, gates, margin calls, lease and contract cuts, forced sales) and, for
securities, the forced sales and rate moves in their market and what their credit follows: the
AI firms' defaults for outside private credit, the lease cuts behind the model's ABS tranches for
outside ABS. Losses are US$ bn, positive = lost.
This module reads a finished model; it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from agents.names import CREDIT_CLASSES, DebtKind, StakeKind

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

DISTRESS = frozenset(
    {
        "default",
        "covenant_breach",
        "acceleration",
        "seizure",
        "gate",
        "margin_call",
        "lease_renegotiation",
        "contract_renegotiation",
        "contract_terminated",
        "missed_payment",
        "derisking",
        "asset_sale",
        "fire_sale",
        "write_off",
        "shock",
    }
)
"""Event kinds that explain a loss (routine events -- rollovers, draws, new loans -- do not)."""


@dataclass
class Position:
    """One position of the holder and what it lost (US$ bn)."""

    kind: str  # "fund shares", "equity", "loan", "bond", "abs tranche", "credit line", "securities"
    name: str  # the issuer or obligor, or the credit class of securities
    value_at_start_bn: float
    loss_bn: float
    events: list[str] = field(default_factory=list)  # "month N: sentence", oldest first


def loss_trail(model: ContagionModel, holder: str, max_events: int = 3) -> list[Position]:
    """The positions ``holder`` held at month 0, largest loss first (see the module docstring).
    The model is compared with a fresh copy of itself at month 0 (same config: the opening books
    do not depend on the seed).
    """
    from simulator.model import ContagionModel as Model  # (the same class, built at month 0)

    if holder not in model.index_of:
        raise ValueError(f"unknown institution {holder!r}; choose from {sorted(model.index_of)}")
    start = Model(model.config, rng=0, counterfactual=False)
    i = model.index_of[holder]
    names = model.names
    led0, led1 = start.state.ledger, model.state.ledger
    positions: list[Position] = []

    # Stakes: value per unit then and now, on the units held at month 0.
    s0 = led0.stakes
    price0 = led0.equity_value_bn / led0.shares_outstanding
    price1 = led1.equity_value_bn / led1.shares_outstanding
    for row in (s0.holder == i).nonzero()[0].tolist():
        issuer = int(s0.issuer[row])
        units = float(s0.units[row])
        kind = "fund shares" if int(s0.kind[row]) == StakeKind.FUND_SHARE else "equity"
        loss = units * (float(price0[issuer]) - float(price1[issuer]))
        positions.append(Position(kind, names[issuer], units * float(price0[issuer]), loss))

    # Debt rows held at month 0: the fall in their mark, plus what was written off.
    d0, d1 = led0.debt, led1.debt
    written_off: dict[str, float] = {}
    for e in model.events:
        if e.kind == "write_off" and e.actor == holder and e.counterparty:
            written_off[e.counterparty] = written_off.get(e.counterparty, 0.0) + e.amount_bn
    by_obligor: dict[tuple[str, str], list[float]] = {}
    for row in ((d0.holder == i) & d0.active).nonzero()[0].tolist():
        rid = d0.ids[row]
        obligor = names[int(d0.obligor[row])]
        kind = DebtKind(int(d0.kind[row])).name.lower().replace("_", " ")
        value0 = float(d0.principal_bn[row] * d0.value_factor[row])
        row1 = d1.ids.index(rid)
        factor1 = float(d1.value_factor[row1]) if d1.active[row1] else float(d0.value_factor[row])
        mark = float(d0.principal_bn[row]) * (float(d0.value_factor[row]) - factor1)
        entry = by_obligor.setdefault((kind, obligor), [0.0, 0.0])
        entry[0] += value0
        entry[1] += mark
    for (kind, obligor), (value0, mark) in by_obligor.items():
        positions.append(Position(kind, obligor, value0, mark + written_off.pop(obligor, 0.0)))
    for obligor, amount in written_off.items():  # (rows added after month 0)
        positions.append(Position("loan", obligor, 0.0, amount))

    # Outside securities by credit class.
    for k, credit_class in enumerate(CREDIT_CLASSES):
        face = float(led0.securities_face_bn[i, k])
        if face > 0:
            loss = face * (float(led0.securities_price[k]) - float(led1.securities_price[k]))
            positions.append(Position("securities", credit_class, face * float(led0.securities_price[k]), loss))

    df = model.datacollector.get_model_vars_dataframe()
    market = ""
    if "sentiment" in df and len(df):
        market = (
            f"months 0-{model.month}: market sentiment {float(df['sentiment'].iloc[0]):.2f} -> "
            f"{float(df['sentiment'].iloc[-1]):.2f} (quoted spreads widen and equity values fall as it falls)"
        )
    for p in positions:
        p.events = _explaining_events(model, p, max_events)
        if market and p.kind in ("securities", "equity") and p.loss_bn > 0:
            p.events.append(market)
    return sorted(positions, key=lambda p: -p.loss_bn)


def _explaining_events(model: ContagionModel, p: Position, limit: int) -> list[str]:
    """The first ``limit`` events that explain ``p``'s loss."""
    found = []
    ai_firms = {a.name for a in model.institutions if model.state.const.ai_firm[a.index]}
    for e in model.events:
        if e.kind not in DISTRESS:
            continue
        if p.kind == "securities":
            hit = (
                (e.kind in ("asset_sale", "derisking") and p.name.replace("_", "-") in e.message)
                or (e.kind == "shock" and ("rate" in e.message.lower() or "sentiment" in e.message.lower()))
                # credit: outside private credit follows the AI firms' private loans, outside ABS the model's tranches
                or (p.name == "private" and e.kind == "default" and e.actor in ai_firms)
                or (p.name.startswith("abs") and e.kind == "lease_renegotiation")
            )
        else:
            hit = e.actor == p.name and e.kind != "write_off"
        if hit:
            found.append(f"month {e.month}: {e.message}")
            if len(found) >= limit:
                break
    return found
