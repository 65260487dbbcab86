"""Phase 7, second round: the reactions that new losses and prices trigger inside the month.

* **Redemptions**: investors in private-credit funds redeem according to their rules, more when
  the fund's NAV per unit has fallen from its peak. Monthly requests are made in phase 2 (and
  paid in the first clearing); here, a fund whose NAV fell *during* the month faces a second
  wave, sized by that fresh fall. Each fund pays up to its gate and gates the rest.
* **Margin calls**: a bank's credit line to a fund may be drawn only up to the bank's advance
  rate x the fund's loan book; the excess is called (due now).
* **Capital-ratio de-risking**: insurers, pension funds and banks below their capital floor sell
  risky assets into the credit market.
* **Covenants again**: GPU prices moved, so LTV covenants are tested again (rows already decided
  this month are not asked twice).

Everything here creates obligations or sales for the next clearing round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents.instruments import DEBT_KINDS, STAKE_KINDS
from simulator import covenants
from simulator.events import money
from simulator.obligations import PRINCIPAL, REDEMPTION

if TYPE_CHECKING:  # pragma: no cover
    from simulator.model import ContagionModel

PHASE = "second_round"
FUND_SHARE = STAKE_KINDS.index("fund_share")
SECOND_WAVE_THRESHOLD = 0.005  # a fall in NAV per unit within the month that triggers a second wave
CREDIT_LINE = DEBT_KINDS.index("credit_line")


def nav_per_unit(model: ContagionModel) -> np.ndarray:
    led = model.ledger
    return led.equity_value_bn / led.shares_outstanding


def redemptions(model: ContagionModel, phase: str = PHASE) -> None:
    """Redemption requests: the monthly ones (``phase`` operate: drawdown from the peak NAV) or a
    second wave (phase 7: drawdown since the start of the month, funds that lost value only)."""
    if not model.config.channels.redemptions:
        return
    led, s = model.ledger, model.ledger.stakes
    per_unit = nav_per_unit(model)
    monthly = phase != PHASE
    reference = model.peak_nav_per_unit if monthly else model.nav_at_start
    ratio = np.empty(len(reference))
    ratio.fill(1.0)  # (no reference value: no drawdown)
    known = reference > 0
    ratio[known] = per_unit[known] / reference[known]
    drawdowns = 1.0 - ratio
    if not monthly:
        model.nav_at_start = np.minimum(model.nav_at_start, per_unit)  # one wave per fall
        fell = drawdowns > SECOND_WAVE_THRESHOLD
        if not fell.any():
            return  # no fund lost value this month: no second wave
    rows = ((s.kind == FUND_SHARE) & (s.units > 0)).nonzero()[0]
    if not monthly:
        rows = rows[fell[s.issuer[rows]]]
    if not len(rows):
        return
    if monthly:
        model.refresh()  # in the second round, run() refreshed already
    values = led.stake_values_bn()[rows].tolist()
    drawdown_of, defaulted, institutions = drawdowns.tolist(), model.defaulted.tolist(), model.institutions
    requests: dict[int, list[tuple[int, float]]] = {}
    for row, fund, holder, value in zip(rows.tolist(), s.issuer[rows].tolist(), s.holder[rows].tolist(), values):
        if defaulted[fund]:
            continue
        share = institutions[holder].redemption_share(drawdown_of[fund])
        if share > 0 and value > 0:
            requests.setdefault(fund, []).append((row, share * value))
    for fund, reqs in sorted(requests.items()):
        total = sum(a for _, a in reqs)
        agent = model.institutions[fund]
        capacity = agent.redemption_capacity_bn(float(led.equity_value_bn[fund])) if hasattr(agent, "redemption_capacity_bn") else total
        # A fund promises only what it can pay from cash and undrawn credit: the rest is gated.
        capacity = min(capacity, _liquid_bn(model, fund))
        paid_share = min(1.0, capacity / total) if total > 0 else 1.0
        for row, amount in reqs:
            model.obligations.add(fund, int(s.holder[row]), amount * paid_share, REDEMPTION, row)
        model.log(phase, "redemption", fund, None, total * paid_share,
                  f"Investors asked {model.names[fund]} to redeem {money(total)}; it pays {money(total * paid_share)} this month")
        if paid_share < 1.0:
            model.log(phase, "gate", fund, None, total * (1 - paid_share),
                      f"{model.names[fund]} gated redemptions: {money(total * (1 - paid_share))} must wait")


def _liquid_bn(model: ContagionModel, i: int) -> float:
    """Cash plus undrawn credit lines, less what is already due this round."""
    d = model.ledger.debt
    lines = (d.obligor == i) & (d.kind == CREDIT_LINE) & d.active
    undrawn = float(np.clip(d.limit_bn[lines] - d.principal_bn[lines], 0, None).sum())
    due = float(model.obligations.due_by_payer()[i])
    return max(float(model.ledger.cash_bn[i]) + undrawn - due, 0.0)


def margin_calls(model: ContagionModel) -> None:
    if not model.config.channels.margin_calls:
        return
    led, d = model.ledger, model.ledger.debt
    rows = ((d.kind == CREDIT_LINE) & d.active & (d.principal_bn > 0)).nonzero()[0]
    if not len(rows):
        return
    held_value = np.bincount(d.holder, weights=d.principal_bn * d.value_factor, minlength=led.n_agents)
    institutions = model.institutions
    for row, holder, obligor, drawn in zip(rows.tolist(), d.holder[rows].tolist(), d.obligor[rows].tolist(), d.principal_bn[rows].tolist()):
        bank, fund = institutions[holder], institutions[obligor]
        if fund.kind != "private_credit" or fund.defaulted or not hasattr(bank, "current_advance_rate"):
            continue
        base = bank.current_advance_rate() * (held_value[obligor] + led.other_assets_bn[obligor])
        excess = drawn - base - model.margin_called.get(row, 0.0)
        if excess > 1e-9:
            model.margin_called[row] = model.margin_called.get(row, 0.0) + excess
            model.obligations.add(fund.index, bank.index, excess, PRINCIPAL, row)
            model.log(PHASE, "margin_call", bank.index, fund.index, excess,
                      f"{bank.name} made a {money(excess)} margin call on {fund.name}'s credit line: "
                      f"drawn {money(d.principal_bn[row])} vs borrowing base {money(base)}")


def derisking(model: ContagionModel) -> None:
    if not model.config.channels.capital_derisking:
        return
    d = model.ledger.debt
    for agent in model.capital_regulated:
        if agent.defaulted or agent.index in model.derisked:
            continue
        target = agent.derisking_sale_bn()
        if target <= 1e-9:
            continue
        model.derisked.add(agent.index)
        rows = ((d.holder == agent.index) & d.active & (d.principal_bn > 0)).nonzero()[0]
        # Riskiest first: junior ABS and loans, then bonds, then senior ABS.
        order = sorted(rows, key=lambda r: (-(1.0 if d.kind[r] != DEBT_KINDS.index("abs_tranche") or d.tranche[r] > 0 else 0.3), int(r)))
        shed = 0.0
        for row in order:
            value = float(d.principal_bn[row] * d.value_factor[row])
            share = min(1.0, (target - shed) / value) if value > 0 else 0.0
            if share <= 0:
                break
            model.market.submit_debt(int(row), share)
            shed += share * value
        if shed > 0:
            ratio = agent.capital_ratio()
            model.log(PHASE, "derisking", agent.index, None, shed,
                      f"{agent.name}, with a capital ratio of {ratio:.1%} (floor {agent.rules.min_capital_ratio:.0%}), "
                      f"put {money(shed)} of loans, bonds and ABS up for sale")


def run(model: ContagionModel) -> None:
    """The second round; every institution reacts to the same state (the one after this
    round's clearing and marks), so the views are refreshed once."""
    model.refresh()
    redemptions(model)
    margin_calls(model)
    derisking(model)
    # LTVs move only with GPU prices (payments only lower them): re-test after a price move.
    if not np.array_equal(model.ledger.gpu_price_bn, model.gpu_prices_tested):
        covenants.test_and_decide(model, phase=PHASE, only_ltv=True, refresh=False)
