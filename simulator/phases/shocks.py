"""Phase 1, shocks: the exogenous drivers move, the scenario's scheduled shocks hit, and the
books take the new values.

* Drivers advance one month (``simulator.drivers``): AI revenue and crypto follow noisy paths,
  GPU values depreciate, rents deflate, fire-sale discounts heal, sentiment reverts.
* Sentiment falls with last month's losses and defaults (``sentiment_feedback``) and rises while
  the central bank lent last month.
* Scheduled shocks of this month apply (one handler per ``agents.names.ShockKind``).
* Depreciation is booked as an operating cost; the healing (or deepening) of a fire-sale
  discount as a fire-sale gain (or loss); data-centre shells depreciate; equity is re-marked, so
  this month's decisions see values after the shocks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from agents.ledger import FIRE_SALE, OPERATING
from agents.names import EventKind, ShockKind
from simulator.config import contracts_named
from simulator.events import Sentence, say
from simulator.valuation import depreciate_real_assets, mark_equity, mark_gpus, mark_rates, update_impairment

if TYPE_CHECKING:  # pragma: no cover
    from simulator.config import Shock
    from simulator.state import State


def run(state: State) -> None:
    """Move the drivers, apply this month's shocks, book the new values."""
    d, led, mem, c = state.drivers, state.ledger, state.memory, state.const
    cfg = c.config
    old_discount = d.discount.copy()
    idle = state.ledger.contracts.idle_compute_share(mem.month - 1, mem.defaulted)  # as last month ended
    issued = float(mem.bonds_issued_bn.sum())  # in the last three months (this month's slot is empty)
    d.advance(mem.month, state.market.overhang_k(len(c.generation_names)), idle, issued)
    if cfg.channels.sentiment_feedback:
        s = cfg.markets.sentiment
        hit = s.loss_sensitivity * mem.losses_last_month_bn / max(c.opening_system_equity_bn, 1e-9)
        hit += s.default_impact * mem.defaults_last_month
        d.hit_sentiment(hit)
    if mem.backstop_lent_last_month:
        d.hit_sentiment(-cfg.markets.sentiment.backstop_support)
    for shock in cfg.shocks:
        if shock.month == mem.month:
            text = HANDLERS[ShockKind(shock.kind)](state, shock)
            state.log.add(
                EventKind.SHOCK, c.index_of.get(shock.target or ""), None, shock.size, say("Shock: {what}", what=text)
            )
    d.hit_sentiment(0.0)  # clamp
    # Depreciation is an operating cost (for impaired GPUs, at last month's discount); then the
    # impairment test, and the market moves of impaired GPUs, are market losses or gains.
    led.mark_gpus(np.where(mem.gpu_impaired, d.fundamental_price_bn * old_discount, d.fundamental_price_bn), OPERATING)
    update_impairment(state)
    mark_gpus(state, FIRE_SALE)
    depreciate_real_assets(state)
    mark_rates(state)
    mark_equity(state)  # decisions this month see values after the shocks


# --------------------------------------------------------------------------- one handler per kind
# Each applies one shock and returns the sentence of its event.
def _ai_growth(state: State, shock: Shock) -> Sentence:
    """AI end-customer revenue grows at ``size`` a year from now on."""
    state.drivers.ai_growth_per_year = shock.size
    return say("AI revenue growth changed to {growth:+.0%} a year", growth=shock.size)


def _revenue_loss(state: State, shock: Shock) -> Sentence:
    """The target loses ``size`` of its outside revenue (for good)."""
    d, i = state.drivers, state.const.index_of[shock.target or ""]
    d.revenue_scale[i] = d.revenue_scale.get(i, 1.0) * (1 - shock.size)
    return say("{company} lost {share:.0%} of its outside revenue", company=shock.target, share=shock.size)


def _rate_shock(state: State, shock: Shock) -> Sentence:
    """The base rate moves by ``size`` (per year)."""
    d = state.drivers
    d.base_rate_per_year += shock.size
    return say(
        "Interest rates moved by {move_bp:+.0f} bp to {rate:.2%}", move_bp=shock.size * 1e4, rate=d.base_rate_per_year
    )


def _crypto_crash(state: State, shock: Shock) -> Sentence:
    """Crypto prices fall by ``size``."""
    state.drivers.crypto_index *= 1 - shock.size
    return say("Crypto prices fell {fall:.0%}", fall=shock.size)


def _depreciation(state: State, shock: Shock) -> Sentence:
    """The target generation(s) depreciate ``size`` a year faster from now on."""
    gens = _generations(state, shock.target)
    state.drivers.add_depreciation(gens, shock.size)
    return say(
        "{generations} GPUs now depreciate {faster:.0%} a year faster",
        generations=_generation_text(state, gens),
        faster=shock.size,
    )


def _gpu_price(state: State, shock: Shock) -> Sentence:
    """The fundamental value of the target generation(s) falls by ``size``."""
    gens = _generations(state, shock.target)
    state.drivers.fundamental_price_bn[gens] *= 1 - shock.size
    return say(
        "Fundamental value of {generations} GPUs fell {fall:.0%}",
        generations=_generation_text(state, gens),
        fall=shock.size,
    )


def _sentiment(state: State, shock: Shock) -> Sentence:
    """Market sentiment falls by ``size``."""
    d = state.drivers
    d.hit_sentiment(shock.size)
    return say("Market sentiment fell by {fall:.2f} to {sentiment:.2f}", fall=shock.size, sentiment=d.sentiment)


def _failure(state: State, shock: Shock) -> Sentence:
    """The target is put into resolution at this month's first clearing."""
    state.scratch.forced_failures.append(state.const.index_of[shock.target or ""])
    return say("{company} failed and goes into resolution", company=shock.target)


def _contract_cut(state: State, shock: Shock) -> Sentence:
    """The target contract's payments (or those of every compute contract between a
    ``"Payer->Payee"`` pair, including contracts that start later) are cut by ``size``.
    """
    c = state.ledger.contracts
    ids = contracts_named(state.const.config, shock.target or "")
    for contract_id in ids:
        c.monthly_payment_bn[c.index_of(contract_id)] *= 1 - shock.size
    return say("Payments on {contracts} were cut by {cut:.0%}", contracts=", ".join(ids), cut=shock.size)


def _redemption_run(state: State, shock: Shock) -> Sentence:
    """Investors in the target fund ask back ``size`` more of their holding this month (a run:
    the monthly redemptions, ``simulator.phases.redemptions``, add it to each investor's share).
    """
    fund = state.const.index_of[shock.target or ""]
    runs = state.scratch.redemption_runs
    runs[fund] = min(runs.get(fund, 0.0) + shock.size, 1.0)
    return say(
        "A run on {fund}: its investors ask back {share:.0%} of their holdings", fund=shock.target, share=shock.size
    )


HANDLERS: dict[ShockKind, Callable[[State, Shock], Sentence]] = {
    ShockKind.AI_GROWTH: _ai_growth,
    ShockKind.REVENUE_LOSS: _revenue_loss,
    ShockKind.RATE_SHOCK: _rate_shock,
    ShockKind.CRYPTO_CRASH: _crypto_crash,
    ShockKind.DEPRECIATION: _depreciation,
    ShockKind.GPU_PRICE: _gpu_price,
    ShockKind.SENTIMENT: _sentiment,
    ShockKind.FAILURE: _failure,
    ShockKind.CONTRACT_CUT: _contract_cut,
    ShockKind.REDEMPTION_RUN: _redemption_run,
}
assert list(HANDLERS) == list(ShockKind), "every shock kind needs exactly one handler"


def _generations(state: State, target: str | None) -> np.ndarray:
    """The generations a shock names: one, or all for ``None`` / ``"all"``."""
    names = state.const.generation_names
    if target in (None, "all"):
        return np.arange(len(names))
    return np.array([names.index(target)]) if target in names else np.arange(0)


def _generation_text(state: State, gens: np.ndarray) -> Sentence | str:
    """The generations as words for the event's sentence (their names, or "All")."""
    names = state.const.generation_names
    return say("All") if len(gens) == len(names) else "/".join(names[g] for g in gens)
