"""What one browser session has picked on the page: the Solara reactives that the panels and
the page share (selected institution, filters, the scenario picked, "run to month", the
language).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import solara

from simulator import views
from simulator.app.params import DEFAULT_SEED, initial_language, initial_lesson_name, initial_scenario_name
from simulator.config import ConfigError
from simulator.i18n import DEFAULT_LANGUAGE, check_language, gettext_for
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
# Language: None = not switched on the page yet (follow ?lang=CODE, else ``aicontagion app --lang``).
chosen_language: solara.Reactive[str | None] = solara.reactive(None)
shown_language = solara.reactive(DEFAULT_LANGUAGE)  # what the page shows, kept in step by Page (for Mesa's labels)


def language_from_query(search: str | None) -> tuple[str | None, str | None]:
    """The language named in the page address (``?lang=CODE``) and no error; ``(None, None)`` if
    the address names none; ``(None, why)`` if it names one aicontagion does not speak.
    """
    values = parse_qs(search or "").get("lang", [])
    if not values:
        return None, None
    try:
        return check_language(values[0].strip(), "lang (in the page address)"), None
    except ConfigError as exc:
        return None, str(exc)


def session_language(search: str | None) -> tuple[str, str | None]:
    """The language this session shows -- the one switched to on the page, else the address's
    (``?lang=zh``), else the one the server was started with (``aicontagion app --lang``), else
    English -- and why the address's could not be used (None if it could).
    """
    from_query, error = language_from_query(search)
    if chosen_language.value is not None:
        return chosen_language.value, None
    return from_query or initial_language(), error


def use_language() -> str:
    """The session's language (a hook: call it at the top of a component)."""
    return session_language(solara.use_router().search)[0]


def use_gettext():
    """The ``app`` domain's gettext in the session's language (a hook, like :func:`use_language`)."""
    return gettext_for(use_language(), "app")


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
