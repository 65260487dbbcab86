"""The shape of the house: one state object, events stamped with their phase, phases documented,
constants that stay constant, names defined once.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import mesa
import numpy as np
import pytest

import simulator.phases as phases
from agents.names import EVENT_KINDS, EVENT_PHASES, INSTITUTION_KINDS, Phase
from simulator import ContagionModel, scenario_names


def test_the_model_keeps_everything_in_its_state():
    """Besides Mesa's own attributes, the model sets exactly one: ``state``."""
    mesa_own = set(vars(mesa.Model(rng=1)))
    model = ContagionModel("neocloud_default", rng=1)
    model.run_for(6)
    assert set(vars(model)) - mesa_own == {"state"}


@pytest.mark.parametrize("name", scenario_names())
def test_every_event_is_stamped_with_the_phase_that_ran_it(name, monkeypatch):
    seen: list[tuple[str, str]] = []
    original = phases._run

    def watched(state, phase, step):
        before = len(state.log.events)
        result = original(state, phase, step)
        seen.extend((phase, e.phase) for e in state.log.events[before:])
        return result

    monkeypatch.setattr(phases, "_run", watched)
    model = ContagionModel(name, rng=42)
    model.run_for(model.config.months)
    assert seen, "no events"
    assert all(ran == stamped for ran, stamped in seen), {pair for pair in seen if pair[0] != pair[1]}
    for event in model.events:
        assert event.kind in EVENT_PHASES[event.phase], f"{event.kind} logged in phase {event.phase}: {event.message}"


def test_the_phase_table_covers_every_phase_and_event_kind():
    assert list(EVENT_PHASES) == list(Phase)
    assert set().union(*EVENT_PHASES.values()) == set(EVENT_KINDS)


def test_every_phase_function_has_a_docstring():
    modules = [importlib.import_module(f"simulator.phases.{m.name}") for m in pkgutil.iter_modules(phases.__path__)]
    assert len(modules) >= 10
    for module in [phases, *modules]:
        assert module.__doc__, module.__name__
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                assert function.__doc__, f"{module.__name__}.{name} has no docstring"


def test_constants_cannot_be_changed_by_mistake():
    model = ContagionModel("baseline_2025", rng=1)
    const = model.state.const
    with pytest.raises(ValueError, match="read-only"):
        const.opex_bn_per_month[0] = 1.0
    with pytest.raises(AttributeError):
        const.names = ()  # type: ignore[misc]


def test_scratch_is_reset_at_the_start_of_each_month():
    model = ContagionModel("neocloud_default", rng=1)
    model.run_for(4)
    scratch = model.state.scratch
    scratch.derisked.add(0)
    scratch.decided_rows.add(0)
    model.step()
    assert 0 not in scratch.derisked
    assert scratch.new_defaults == [] or all(
        model.state.memory.defaulted_month[i] == model.month for i in scratch.new_defaults
    )


def test_institutions_read_a_declared_situation_not_the_model():
    """What an agent reads when it decides is the engine's views object, which implements the
    Situation protocol of agents.situation.
    """
    from agents.situation import Situation

    model = ContagionModel("baseline_2025", rng=1)
    situation = model.institutions[0].situation
    assert situation is model.state.views
    for name in dir(Situation):
        if not name.startswith("_"):
            assert hasattr(situation, name), name


def test_names_are_defined_once():
    import networks
    from agents.registry import AGENT_CLASSES
    from simulator.config import Institution

    assert networks.INSTITUTION_KINDS is INSTITUTION_KINDS
    assert [str(k) for k in AGENT_CLASSES] == list(INSTITUTION_KINDS)
    schema_kinds = Institution.model_fields["kind"].annotation
    assert [str(k) for k in schema_kinds] == list(INSTITUTION_KINDS)


def test_the_kernels_keep_their_documented_import_paths():
    import simulator.clearing

    import simulator.kernels.clearing
    from simulator import cascades, fire_sales

    assert simulator.clearing is simulator.kernels.clearing
    assert cascades.debtrank is importlib.import_module("simulator.kernels.cascades").debtrank
    assert fire_sales.price_impact(np.array([0.0]), 1.0)[0] == 1.0
