"""What one browser session has picked on the page: the Solara reactives that the panels and
the page share (selected institution, filters, the scenario picked, "run to month").
"""

from __future__ import annotations

from urllib.parse import parse_qs

import solara

from simulator import views
from simulator.app.params import DEFAULT_SEED, initial_lesson_name, initial_scenario_name
from simulator.model import ContagionModel

# Module-level reactives are per browser session (Solara scopes them per kernel).
selected_name = solara.reactive("")  # institution shown in the inspector and ringed in the network
highlight_choice = solara.reactive("no circular deals")
event_kind = solara.reactive("all kinds")
event_institution = solara.reactive("all institutions")
event_all_months = solara.reactive(False)
debtrank_method = solara.reactive("linear")
run_to_month = solara.reactive(24)
run_message = solara.reactive("")
chosen_scenario = solara.reactive("")  # "" = initial_scenario_name(); set by the scenario picker
chosen_seed = solara.reactive(DEFAULT_SEED)  # the seed a newly picked scenario starts with
# Lesson mode: None = not picked on the page yet (follow ?lesson=NAME), "" = no lesson.
chosen_lesson: solara.Reactive[str | None] = solara.reactive(None)
lesson_stage = solara.reactive(0)  # index of the stage shown
lesson_pick = solara.reactive("")  # the choice the student picked for that stage ("" = none yet)
lesson_revealed = solara.reactive(False)  # the stage's month has been run and its answer shown
lesson_message = solara.reactive("")  # why a stage could not be run (e.g. the model is past its month)
lesson_highlight: solara.Reactive[tuple[str, ...]] = solara.reactive(())  # ringed in the network


def lesson_from_query(search: str | None) -> str:
    """The lesson named in the page address (``?lesson=NAME``), else ""."""
    values = parse_qs(search or "").get("lesson", [])
    return values[0].strip() if values else ""


def session_lesson(search: str | None) -> str:
    """The lesson this session shows: the one picked on the page, else the address's, else the
    one the server was started with (``aicontagion app --lesson``), else "".
    """
    if chosen_lesson.value is not None:
        return chosen_lesson.value
    return lesson_from_query(search) or initial_lesson_name()


def reset_lesson_progress() -> None:
    """Back to the first stage, nothing picked or highlighted."""
    lesson_stage.set(0)
    lesson_pick.set("")
    lesson_revealed.set(False)
    lesson_message.set("")
    lesson_highlight.set(())


def session_scenario() -> str:
    return chosen_scenario.value or initial_scenario_name()


def current_selection(model: ContagionModel) -> str:
    """The selected institution if it exists in this model, else the model's starting focus."""
    name = selected_name.value
    if name in model.index_of:
        return name
    setup = getattr(model, "setup", None)  # an AppModel's; a plain ContagionModel has none
    return setup.focus if setup is not None else views.default_focus(model)
