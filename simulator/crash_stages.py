"""The stages of an AI crash as the sources tell it, found in a run.

ATL-2 ("Here's how the AI crash happens"), CPF and ATL-1 describe one sequence:

1. AI revenue falls short of what the labs committed to spend;
2. the labs cut or renegotiate their compute contracts;
3. neocloud revenue and debt cover (DSCR) fall;
4. GPU-backed loans break their covenants: LTV breaches, waivers, accelerations, seizures and
   GPU fire sales;
5. private-credit funds mark their loans down and their investors run: redemptions and gates;
6. the equity narrative breaks and cross-holdings are marked down.

``crash_stages(model)`` finds the month each stage begins in a run, always against the run's
counterfactual (``simulator.counterfactual``): an event counts only if the counterfactual does not
have it (another institution, or the same one at least a month earlier), so the covenant breach a
thinly-capitalised miner has in calm markets too is not mistaken for the crash. What marks each
stage's start:

======  =====================================================================================
stage   first month in which
======  =====================================================================================
1       AI end-customer revenue is at least ``REVENUE_SHORTFALL`` below the counterfactual's
2       an AI lab renegotiates a compute contract down
3       a neocloud's contracted revenue is cut (a customer renegotiates, or a contract ends),
        with the neoclouds' debt cover (DSCR) below the counterfactual's then or later
4       an LTV breach, waiver, acceleration, seizure or GPU fire sale
5       a private-credit fund meets redemption requests or gates them
6       the chip maker stops funding its customers (its market value fell below its floor) or
        sentiment is ``SENTIMENT_BREAK`` below the counterfactual's
======  =====================================================================================

A stage the run never reaches has month None. The stages are read from the run's event log and
monthly records, so this works on any finished (or partly run) model with a counterfactual.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

from agents.names import EventKind, InstitutionKind
from simulator.counterfactual import new_to_the_shock

if TYPE_CHECKING:  # pragma: no cover
    from simulator.events import Event
    from simulator.model import ContagionModel

REVENUE_SHORTFALL = 0.05
"""Stage 1: AI revenue this far below the counterfactual's (a share)."""
SENTIMENT_BREAK = 0.15
"""Stage 6: sentiment this far below the counterfactual's (index points)."""

TITLES = (
    "AI revenue falls short of the labs' commitments",
    "labs cut or renegotiate compute contracts",
    "neocloud revenue and DSCR fall",
    "LTV breaches, waivers, accelerations, seizures and GPU fire sales",
    "private-credit marks, redemptions and gates",
    "the equity narrative breaks; cross-holdings are marked down",
)


@dataclass(frozen=True)
class Stage:
    number: int  # 1..6
    title: str
    month: int | None  # first month of the stage (None: not reached)
    evidence: str  # what marked it: an event's sentence or a figure against the counterfactual


def crash_stages(model: ContagionModel) -> list[Stage]:
    """The six stages and the month each began in ``model``'s run so far (see the module
    docstring). Raises ``ValueError`` if the run has no counterfactual to compare with.
    """
    cf = model.counterfactual
    if cf is None:
        raise ValueError("crash_stages needs a run with a counterfactual (Scenario.counterfactual)")
    cf.at(model.month)
    kinds = dict(zip(model.names, model.kinds, strict=True))
    mine = model.datacollector.get_model_vars_dataframe()
    theirs = cf.model.datacollector.get_model_vars_dataframe().reindex(mine.index)
    found: list[tuple[int | None, str]] = []

    # 1. AI revenue against the counterfactual's (the expected path is the same in both runs, so
    # the ratio of their demand ratios is the ratio of their revenues).
    short = mine["ai_demand_ratio"] < (1.0 - REVENUE_SHORTFALL) * theirs["ai_demand_ratio"]
    month = _first_month(short)
    found.append(
        (
            month,
            ""
            if month is None
            else f"AI revenue {mine['ai_demand_ratio'][month] / theirs['ai_demand_ratio'][month]:.0%} "
            "of the counterfactual's",
        )
    )
    # 2. A lab renegotiates.
    found.append(
        _first_new(
            model,
            cf.events,
            lambda e: kinds.get(e.actor) == InstitutionKind.AI_LAB,
            (EventKind.CONTRACT_RENEGOTIATION,),
        )
    )

    # 3. A neocloud's contracted revenue is cut, and the neoclouds' DSCR falls.
    def to_neocloud(e: Event) -> bool:
        return kinds.get(e.counterparty or "") == InstitutionKind.NEOCLOUD

    month, text = _first_new(
        model, cf.events, to_neocloud, (EventKind.CONTRACT_RENEGOTIATION, EventKind.CONTRACT_TERMINATED)
    )
    if month is not None:
        fell = _dscr_fell(model, cf.model, month)
        month, text = (None, "") if fell is None else (month, f"{text}; {fell}")
    found.append((month, text))
    # 4. The collateral spiral.
    found.append(
        _first_new(
            model,
            cf.events,
            lambda e: e.kind != EventKind.COVENANT_BREACH or "LTV" in e.message,
            (
                EventKind.COVENANT_BREACH,
                EventKind.WAIVER,
                EventKind.ACCELERATION,
                EventKind.SEIZURE,
                EventKind.FIRE_SALE,
            ),
        )
    )
    # 5. Private credit.
    found.append(
        _first_new(
            model,
            cf.events,
            lambda e: kinds.get(e.actor) == InstitutionKind.PRIVATE_CREDIT,
            (EventKind.REDEMPTION, EventKind.GATE),
        )
    )
    # 6. The narrative breaks.
    stopped = _first_new(model, cf.events, lambda e: True, (EventKind.CUSTOMER_FUNDING_STOPPED,))
    broke = _first_month(mine["sentiment"] < theirs["sentiment"] - SENTIMENT_BREAK)
    candidates = [stopped]
    if broke is not None:
        candidates.append(
            (
                broke,
                f"sentiment {mine['sentiment'][broke]:.2f} against {theirs['sentiment'][broke]:.2f} in the "
                "counterfactual",
            )
        )
    reached = [(month, text) for month, text in candidates if month is not None]
    found.append(min(reached, key=lambda c: c[0]) if reached else (None, ""))
    return [Stage(k + 1, TITLES[k], month, text) for k, (month, text) in enumerate(found)]


def in_order(stages: list[Stage]) -> bool:
    """Every stage reached, each beginning no earlier than the one before."""
    months = [s.month for s in stages]
    if any(m is None for m in months):
        return False
    return all(a <= b for a, b in pairwise(months))  # type: ignore[operator]


def _first_month(mask) -> int | None:
    hits = mask[mask].index
    return int(hits[0]) if len(hits) else None


def _first_new(
    model: ContagionModel, baseline: list[Event], keep: Callable[[Event], bool], kinds: tuple[str, ...]
) -> tuple[int | None, str]:
    """The earliest event of ``kinds`` kept by ``keep`` that the counterfactual does not have."""
    best = None
    for kind in kinds:
        event = new_to_the_shock([e for e in model.events if keep(e)], [e for e in baseline if keep(e)], kind)
        if event is not None and (best is None or event.month < best.month):
            best = event
    return (None, "") if best is None else (best.month, f"{best.actor}: {best.message}")


def _dscr_fell(model: ContagionModel, counterfactual: ContagionModel, month: int) -> str | None:
    """The first neocloud whose DSCR is below the counterfactual's from ``month`` on (in the
    agent table), as a sentence; None if none is.
    """
    mine = model.datacollector.get_agent_vars_dataframe()
    theirs = counterfactual.datacollector.get_agent_vars_dataframe()
    neoclouds = mine[mine["kind"] == InstitutionKind.NEOCLOUD]
    for (step, _), row in neoclouds[neoclouds.index.get_level_values("Step") >= month].iterrows():
        other = theirs[(theirs.index.get_level_values("Step") == step) & (theirs["name"] == row["name"])]
        if other.empty or row["dscr"] is None or other["dscr"].iloc[0] is None:
            continue
        a, b = float(row["dscr"]), float(other["dscr"].iloc[0])
        if math.isfinite(a) and math.isfinite(b) and a < b:
            return f"{row['name']}'s DSCR {a:.2f}x against {b:.2f}x in the counterfactual in month {int(step)}"
    return None
