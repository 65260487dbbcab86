"""Order independence: the order in which a scenario lists its institutions and its contracts
(debts, stakes, executory contracts) never changes a result.

Each scenario is run as written and with every one of those lists shuffled (so institution
``i`` becomes another row of every array, and every contract another row of its book); the model
time series, everyone's figures every month and the whole event log must agree to 1e-9. Events
are compared as a set: within a phase, the log lists institutions in index order, which the
shuffle changes.
"""

from __future__ import annotations

import math
import random

import pytest

from simulator import ContagionModel, load_scenario, scenario_names
from simulator.config import build_scenario

REL = 1e-9


def shuffled(name: str, seed: int) -> dict:
    """Scenario ``name`` with its institutions, debts, stakes and contracts in a random order."""
    raw = load_scenario(name).model_dump()
    rng = random.Random(seed)
    for key in ("institutions", "debts", "stakes", "contracts"):
        items = list(raw[key].items())
        rng.shuffle(items)
        raw[key] = dict(items)
    return raw


def close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= REL * max(1.0, abs(a), abs(b))
    return a == b


def run(config, months: int) -> ContagionModel:
    model = ContagionModel(config, rng=42)
    model.run_for(months)
    return model


def events_of(model: ContagionModel) -> list[tuple]:
    return sorted(
        (e.month, e.phase, e.kind, e.actor, e.counterparty or "", e.message, e.amount_bn) for e in model.events
    )


@pytest.mark.parametrize("name", scenario_names())
def test_shuffled_institutions_and_contracts_give_the_same_results(name):
    months = load_scenario(name).months
    base = run(name, months)
    other = run(build_scenario(shuffled(name, seed=7), f"{name} (shuffled)"), months)
    assert base.names != other.names, "the shuffle must move institutions"

    a, b = base.datacollector.get_model_vars_dataframe(), other.datacollector.get_model_vars_dataframe()
    assert list(a.columns) == list(b.columns)
    for column in a.columns:
        for month, (x, y) in enumerate(zip(a[column], b[column])):
            assert close(x, y) or (x != x and y != y), f"{column} in month {month}: {x} vs {y}"

    agents_a = base.datacollector.get_agent_vars_dataframe().reset_index().set_index(["Step", "name"]).sort_index()
    agents_b = other.datacollector.get_agent_vars_dataframe().reset_index().set_index(["Step", "name"]).sort_index()
    for column in ("kind", "equity_bn", "cash_bn", "leverage", "ltv", "dscr", "status"):
        for key, x, y in zip(agents_a.index, agents_a[column], agents_b[column]):
            both_missing = (x is None or x != x) and (y is None or y != y)
            assert both_missing or close(x, y), f"{column} of {key[1]} in month {key[0]}: {x} vs {y}"

    ea, eb = events_of(base), events_of(other)
    assert len(ea) == len(eb), f"{len(ea)} events vs {len(eb)}"
    for x, y in zip(ea, eb):
        assert x[:6] == y[:6] and close(x[6], y[6]), f"{x} vs {y}"


def test_the_comparison_notices_a_change():
    """A different scenario is told apart (the check above can fail)."""
    a = run("baseline_2025", 6)
    b = run("neocloud_default", 6)
    assert events_of(a) != events_of(b)
