"""Shock sizes: one number per kind of shock, from 0 (no shock) to a largest size, that a
tipping-point search moves along.

Each kind maps a size onto the scenario's shock schema (``simulator.config.SHOCK_KINDS``) through
the shock levers (``shock_kind``, ``shock_target``, ``shock_size``, ``shock_month``): one extra
shock, appended to the scenario's own, at ``month``. So every run is measured against the same
counterfactual as any other run with an extra shock (``simulator.counterfactual``: the scenario's
counterfactual, or the scenario itself without the extra shock).

=======================  ==============  ===============================================  ==========
kind                     target          size (units)                                     largest
=======================  ==============  ===============================================  ==========
``gpu_price_fall``       generation      share of the fundamental GPU value lost at once  0.99
                         (default all)   (``gpu_price``)
``ai_revenue_shortfall`` --              fall in AI revenue growth, per year, below the   growth + 0.9
                                         growth in force at ``month`` (``ai_growth``: the
                                         growth becomes that growth minus ``size``)
``rate_rise``            --              rise of the base rate, per year (0.01 = 100 bp)  0.2
                                         (``rate_shock``)
``institution_default``  institution     the target fails at ``month`` (``failure``);     1.0
                                         ``size`` is the loss given default on the other
                                         assets of every institution in resolution, i.e.
                                         ``resolution.other_asset_recovery = 1 - size``
``contract_cut``         contract        share of the contract's monthly payments cut     1.0
                                         (an id, or ``"Payer->Payee"``: every compute
                                         contract between them)
``revenue_loss``         institution     share of the target's outside revenue lost       1.0
``sentiment_fall``       --              fall of market sentiment (1 = month 0)           1.0
``crypto_crash``         --              share of crypto prices lost                      0.99
``faster_depreciation``  generation      extra depreciation per year                      0.9
                         (default all)
``redemption_run``       fund            a run on a private-credit fund: share of their   1.0
                         (an issuer of   holdings the fund's investors ask back at
                         fund shares)    ``month``, on top of what its drawdown makes
                                         them ask (``redemption_run``)
=======================  ==============  ===============================================  ==========

A failure has no size of its own (an institution fails or it does not), so ``institution_default``
moves the severity of the failure instead: how much of what defaulters own outside the model is
lost when it is sold (the scenarios' ``other_asset_recovery`` is 0.5, i.e. ``size`` 0.5). That
setting is a property of the world, so the counterfactual gets it too (it matters there only if
someone defaults without the shock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents.names import ShockKind
from simulator.config import PAIR_ARROW, ConfigError, Scenario, contracts_named

TARGET_KINDS = ("none", "generation", "institution", "contract", "fund")


@dataclass(frozen=True)
class ShockScale:
    """One kind of shock with a size from 0 to :meth:`max_size` (see the module docstring)."""

    name: str
    shock_kind: ShockKind
    target: str  # one of TARGET_KINDS: what the target names
    unit: str
    meaning: str
    largest: Callable[[Scenario, int], float]

    def max_size(self, scenario: Scenario, month: int) -> float:
        """The largest size of this shock for ``scenario`` struck at ``month``."""
        return self.largest(scenario, month)

    def settings(self, scenario: Scenario, size: float, target: str | None, month: int) -> dict[str, Any]:
        """Levers and dotted overrides that add this shock of ``size`` at ``month`` to a run of
        ``scenario`` (``ContagionModel(scenario, overrides=..., **levers)`` splits them by name).
        """
        shock_size = size
        extra: dict[str, Any] = {}
        if self.name == "ai_revenue_shortfall":
            shock_size = ai_growth_in_force(scenario, month) - size
        elif self.name == "institution_default":
            shock_size = 0.0
            extra["resolution.other_asset_recovery"] = 1.0 - size
        return {
            "shock_kind": str(self.shock_kind),
            "shock_target": target if target is not None else "none",
            "shock_size": float(shock_size),
            "shock_month": int(month),
            **extra,
        }


def ai_growth_in_force(scenario: Scenario, month: int) -> float:
    """The AI revenue growth per year the scenario sets for ``month``: its last ``ai_growth``
    shock at or before ``month``, else ``markets.demand.ai_revenue_growth_per_year``.
    """
    growth = scenario.markets.demand.ai_revenue_growth_per_year
    for shock in sorted(scenario.shocks, key=lambda s: s.month):
        if shock.kind == ShockKind.AI_GROWTH and shock.month <= month:
            growth = shock.size
    return growth


def _fixed(size: float) -> Callable[[Scenario, int], float]:
    return lambda scenario, month: size


SHOCK_SCALES: dict[str, ShockScale] = {
    scale.name: scale
    for scale in [
        ShockScale(
            "gpu_price_fall", ShockKind.GPU_PRICE, "generation", "share of value",
            "the fundamental value of GPUs (all generations, or the target generation) falls by `size` at once",
            _fixed(0.99),
        ),
        ShockScale(
            "ai_revenue_shortfall", ShockKind.AI_GROWTH, "none", "per year",
            "AI revenue growth falls by `size` per year below the growth in force at the shock month",
            lambda scenario, month: round(ai_growth_in_force(scenario, month) + 0.9, 12),
        ),
        ShockScale(
            "rate_rise", ShockKind.RATE_SHOCK, "none", "per year",
            "the base rate rises by `size` per year (0.01 = 100 bp)",
            _fixed(0.2),
        ),
        ShockScale(
            "institution_default", ShockKind.FAILURE, "institution", "share of book value",
            "the target fails; `size` is the loss given default on defaulters' other assets (1 - other_asset_recovery)",
            _fixed(1.0),
        ),
        ShockScale(
            "contract_cut", ShockKind.CONTRACT_CUT, "contract", "share of payments",
            "the target contract's monthly payments (or every compute contract of a 'Payer->Payee' pair) are cut by "
            "`size`",
            _fixed(1.0),
        ),
        ShockScale(
            "revenue_loss", ShockKind.REVENUE_LOSS, "institution", "share of revenue",
            "the target loses `size` of its outside revenue",
            _fixed(1.0),
        ),
        ShockScale(
            "sentiment_fall", ShockKind.SENTIMENT, "none", "sentiment (1 = month 0)",
            "market sentiment falls by `size`",
            _fixed(1.0),
        ),
        ShockScale(
            "crypto_crash", ShockKind.CRYPTO_CRASH, "none", "share of value",
            "crypto prices fall by `size`",
            _fixed(0.99),
        ),
        ShockScale(
            "faster_depreciation", ShockKind.DEPRECIATION, "generation", "per year",
            "GPUs (all generations, or the target generation) depreciate `size` a year faster",
            _fixed(0.9),
        ),
        ShockScale(
            "redemption_run", ShockKind.REDEMPTION_RUN, "fund", "share of holdings",
            "a run on the target private-credit fund: its investors ask back `size` of their holdings at once, on "
            "top of what its drawdown makes them ask",
            _fixed(1.0),
        ),
    ]
}  # fmt: skip


def shock_scale(name: Any) -> ShockScale:
    """The shock kind called ``name``; ConfigError listing the kinds otherwise."""
    if not isinstance(name, str) or name not in SHOCK_SCALES:
        raise ConfigError(f"shock: unknown kind {name!r}; choose from {list(SHOCK_SCALES)}")
    return SHOCK_SCALES[name]


def check_target(scale: ShockScale, scenario: Scenario, target: Any) -> str | None:
    """The shock's target, checked against ``scenario``: None where the kind takes none (or the
    default, every generation); ConfigError naming ``shock_target`` and what is allowed otherwise.
    """
    where = f"shock_target (of the {scale.name} shock)"
    if target is not None and not isinstance(target, str):
        raise ConfigError(f"{where}: expected a name, got {target!r} ({type(target).__name__})")
    if scale.target == "none":
        if target is not None:
            raise ConfigError(f"{where}: the {scale.name} shock takes no target, got {target!r}; leave it out")
        return None
    if scale.target == "generation":
        generations = [g.name for g in scenario.markets.gpu.generations]
        if target in (None, "all"):
            return None
        if target not in generations:
            raise ConfigError(f"{where}: unknown GPU generation {target!r}; choose from {generations} or 'all'")
        return target
    if scale.target == "institution":
        names = sorted(scenario.institutions)
        if target is None:
            raise ConfigError(f"{where}: the {scale.name} shock needs an institution; choose from {names}")
        if target not in scenario.institutions:
            raise ConfigError(f"{where}: unknown institution {target!r}; choose from {names}")
        return target
    if scale.target == "fund":
        funds = sorted({s.issuer for s in scenario.stakes.values() if s.kind == "fund_share"})
        if not funds:
            raise ConfigError(f"{where}: the scenario has no fund that issues fund shares, so nobody can redeem")
        if target is None:
            raise ConfigError(f"{where}: the {scale.name} shock needs a fund; choose from {funds}")
        if target not in funds:
            raise ConfigError(f"{where}: {target!r} issues no fund shares, so nobody can redeem; choose from {funds}")
        return target
    pairs = sorted(
        {f"{c.payer}{PAIR_ARROW}{c.payee}" for c in scenario.contracts.values() if c.kind == "compute_contract"}
    )
    allowed = f"a contract id (e.g. {sorted(scenario.contracts)[:3]}) or a compute pair 'Payer->Payee' from {pairs}"
    if target is None:
        raise ConfigError(f"{where}: a contract_cut needs a contract: {allowed}")
    if not contracts_named(scenario, target):
        raise ConfigError(f"{where}: {target!r} names no contract; give {allowed}")
    return target
