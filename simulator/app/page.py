"""The visual model: watch a cascade and pull the levers (Solara + Mesa's SolaraViz).

Run it with ``aicontagion app`` (loopback, offline assets; see :mod:`simulator.app.server`),
``solara run simulator.app`` or ``solara run simulator/app/page.py``. Each browser session builds
its own model (inside ``Page``, with ``solara.use_memo``), so two people on one server never see
each other's run.

The page has no model logic: it builds :class:`~simulator.model.ContagionModel` from the
widgets, calls ``step()`` / ``run_for()`` and shows what :mod:`simulator.views` reads back.

Layout
------
* Sidebar: lesson picker (:mod:`simulator.app.lessons`; also ``?lesson=NAME``), scenario picker (loads the scenario at once) and "run to month N"; then SolaraViz's
  Reset / Play / Step and the model parameters -- seed, the main levers of
  :data:`simulator.config.LEVERS` with units, an extra shock, the central-bank backstop and the
  channel switches. Sliders start at the scenario's own values; what you change applies when
  you press Reset.
* Main area: in lesson mode the lesson panel (stage, question, reveal), then a summary bar (month, statuses, losses, first covenant breach, any error in the
  parameters), then six panels: deal network, time series, event log, inspector, systemic
  ranking (DebtRank) and circular deals.

Modules (one job each)
----------------------
* ``page.py`` (this file): the entry point -- ``Page``, ``Layout``, the grid layout and the CSS.
* :mod:`simulator.app.params`: widget values in, ``ContagionModel`` keywords out (``AppModel``).
* :mod:`simulator.app.session`: what this browser session has picked (Solara reactives).
* :mod:`simulator.app.panels`: the panels, summary bar and scenario card (Solara components).
* :mod:`simulator.app.network_svg`, :mod:`simulator.app.chart_svg`, :mod:`simulator.app.markup`:
  pure rendering of the deal network, the time-series charts and the tables / number formats.
* :mod:`simulator.app.server`: starts ``solara run`` for ``aicontagion app`` (no Solara imported).
"""

from __future__ import annotations

import solara
import solara.server.settings
from mesa.visualization import SolaraViz
from mesa.visualization import solara_viz as _solara_viz

from simulator.app.lessons import CSS as LESSON_CSS
from simulator.app.lessons import LessonPanel, LessonPicker
from simulator.app.panels import (
    CircularDeals,
    DealNetwork,
    EventLog,
    Inspector,
    ScenarioCard,
    Summary,
    SystemicRisk,
    TimeSeries,
)
from simulator.app.params import AppModel, lesson_spec, model_params_for, scenario_config_safe
from simulator.app.session import (
    chosen_language,
    chosen_seed,
    session_language,
    session_lesson,
    session_scenario,
    shown_language,
)
from simulator.config import ConfigError
from simulator.i18n import LANGUAGES, N_, gettext_for

# =============================================================================== page
COMPONENTS = [DealNetwork, TimeSeries, EventLog, Inspector, SystemicRisk, CircularDeals]
# Grid cells (12 columns, rows of 30 px + 10 px margin): big network and charts on top, then the
# event log and inspector, then the systemic panels; legible on a 1400 x 900 screen.
GRID_LAYOUT = [
    {"i": 0, "x": 0, "y": 0, "w": 6, "h": 14},
    {"i": 1, "x": 6, "y": 0, "w": 6, "h": 14},
    {"i": 2, "x": 0, "y": 14, "w": 6, "h": 14},
    {"i": 3, "x": 6, "y": 14, "w": 6, "h": 14},
    {"i": 4, "x": 0, "y": 28, "w": 6, "h": 9},
    {"i": 5, "x": 6, "y": 28, "w": 6, "h": 9},
]
_mesa_initial_layout = _solara_viz.make_initial_grid_layout


def _initial_grid_layout(num_components: int) -> list[dict]:
    """SolaraViz gives every component the same 6 x 10 cell; this page uses its own sizes."""
    if num_components == len(GRID_LAYOUT):
        return [{**cell, "moved": False} for cell in GRID_LAYOUT]
    return _mesa_initial_layout(num_components)


_solara_viz.make_initial_grid_layout = _initial_grid_layout

# Mesa's SolaraViz writes its own sidebar labels (Controls, Reset, Step, ...). It finds Solara
# as the name ``solara`` in its module; there it gets a stand-in that translates those labels
# into the page's language (``shown_language``) and is Solara in every other respect.
MESA_LABELS = frozenset(
    {
        N_("Controls"),
        N_("Play Interval (ms)"),
        N_("Render Interval (steps)"),
        N_("Increase play interval to avoid skipping plots"),
        N_("Use Threads"),
        N_("Model Parameters"),
        N_("Information"),
        N_("Command Console"),
        N_("Reset"),
        N_("Step"),
    }
)


def _mesa_text(text: object) -> object:
    """``text`` in the page's language if it is one of Mesa's labels (or "Time: N"), else as it is."""
    if not isinstance(text, str):
        return text
    _ = gettext_for(shown_language.value, "app")
    if text in MESA_LABELS:
        return _(text)
    if text.startswith("Time: "):
        return _("Time: {time}").format(time=text.removeprefix("Time: "))
    return text


class _SolaraForMesa:
    """Solara, with the labels of ``Card``, ``Button``, ``SliderInt``, ``Checkbox`` and ``Text``
    translated by :func:`_mesa_text`.
    """

    _TRANSLATED = frozenset({"Card", "Button", "SliderInt", "Checkbox", "Text"})

    def __getattr__(self, name: str):
        attr = getattr(solara, name)
        if name not in self._TRANSLATED:
            return attr

        def translated(*args, **kwargs):
            if args:
                args = (_mesa_text(args[0]), *args[1:])
            if "label" in kwargs:
                kwargs["label"] = _mesa_text(kwargs["label"])
            return attr(*args, **kwargs)

        return translated


_solara_viz.solara = _SolaraForMesa()
# Solara's "This website runs on Solara" badge would sit on top of the panels' bottom-right corner.
solara.server.settings.theme.show_banner = False
solara.server.settings.theme.title = "aicontagion"  # the browser tab before the page has rendered

CSS = """
.aic-panel { height: 100%; overflow: hidden; padding: 6px 8px; background: white; color: #222; border: 1px solid #E3E3E3;
             border-radius: 4px; font-size: 13px; flex-wrap: nowrap !important; }
.aic-panel > * { flex: 0 0 auto; }
.aic-panel > .aic-scroll { flex: 1 1 auto; min-height: 0; }
.solara-content-main .v-tabs, .solara-content-main .v-sheet:has(> .v-tabs) { display: none; }  /* the lone 'Page 0' tab */
/* Solara leaves an empty placeholder div where sidebar and app-bar contents are declared (its
   style "display; none" is not valid CSS); hide them so they add no gaps above the panels. */
.solara-autorouter-content .v-sheet.d-flex > div:not([class]):empty { display: none; }
.aic-title { font-size: 14px; }
.aic-muted { color: #777; }
.aic-small { font-size: 12px; }
.aic-scroll { overflow-y: auto; flex: 1 1 auto; min-height: 0; }
.aic-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px;
           border: 1px solid #555; vertical-align: -1px; }
.aic-chip { display: inline-block; margin-right: 10px; white-space: nowrap; }
.aic-legend { font-size: 12px; line-height: 1.6; }
.aic-legend svg { vertical-align: middle; margin-right: 3px; }
.aic-net { line-height: 0; }
.aic-net svg { display: block; margin: 0 auto; width: 100%; height: auto; }
.aic-net .aic-node { cursor: pointer; }
.aic-net .aic-label { font: 11px sans-serif; fill: #222; paint-order: stroke; stroke: white; stroke-width: 3px; cursor: pointer; }
.aic-net .aic-sector { font: bold 9px sans-serif; fill: #8A8A8A; paint-order: stroke; stroke: white; stroke-width: 3px; }
.aic-keyfigs { min-height: 18px; }
.aic-events { list-style: none; padding: 0 !important; margin: 0; }
.aic-event { padding: 3px 0; border-bottom: 1px solid #F0F0F0; font-size: 12.5px; line-height: 1.35; }
.aic-month { color: #777; margin-right: 6px; font-variant-numeric: tabular-nums; }
.aic-kind { display: inline-block; padding: 0 5px; margin-right: 6px; border-radius: 3px; font-size: 11px; }
.aic-sev-high { background: #A50F15; color: white; }
.aic-sev-mid { background: #F8D6A8; color: #5A3300; }
.aic-sev-low { background: #ECECEC; color: #444; }
.aic-table { border-collapse: collapse; width: 100%; font-size: 12px; margin: 2px 0 4px 0; }
.aic-table th { text-align: left; color: #555; font-weight: 600; border-bottom: 1px solid #DDD; padding: 1px 4px; }
.aic-table td { padding: 1px 4px; border-bottom: 1px solid #F3F3F3; white-space: nowrap; }
.aic-bs td:nth-child(2), .aic-bs td:nth-child(4), .aic-loans td:nth-child(3), .aic-exp td:nth-child(3),
.aic-exp td:nth-child(4) { text-align: right; font-variant-numeric: tabular-nums; }
.aic-bs td:nth-child(odd), .aic-loans td:first-child { white-space: normal; }
.aic-inspector { overflow-x: auto; }
.aic-inspector h4 { font-size: 12.5px; margin: 8px 0 2px 0; color: #333; }
.aic-bad { color: #A50F15; font-weight: 600; }
.aic-good { color: #1A7340; }
.aic-bar-row { display: flex; align-items: center; gap: 6px; font-size: 12px; margin: 2px 0; }
.aic-bar-name { width: 150px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.aic-bar { flex: 1; background: #F1F1F1; height: 10px; border-radius: 2px; }
.aic-bar span { display: block; height: 10px; background: #882255; border-radius: 2px; }
.aic-bar-val { width: 110px; text-align: right; font-variant-numeric: tabular-nums; }
.aic-cycles { padding-left: 16px !important; margin: 0; font-size: 12px; line-height: 1.5; }
.aic-link { color: #777; }
.aic-summary { padding: 6px 12px; margin: 0 10px; font-size: 13px; background: white; color: #222; border-radius: 4px; }
.aic-scn { font-size: 14px; }
.aic-scenario-card .v-card__text { padding-top: 4px; }
.vue-grid-item > div > div { height: 100%; }
/* Sidebar: slider labels on their own line, the value always shown under the thumb, tight checkboxes. */
.v-navigation-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-navigation-drawer .v-input__slider .v-input__slot > .v-label { flex: 0 0 100%; max-width: 100%; white-space: normal;
  font-size: 14px; height: auto; margin: 0 0 -6px 0; }
.v-navigation-drawer .v-input__slider { margin-bottom: 10px; }
.v-navigation-drawer .v-slider__thumb-container::after { content: attr(aria-valuenow); position: absolute; top: 9px;
  left: 0; transform: translateX(-50%); font-size: 11px; color: #444; white-space: nowrap; }
.v-navigation-drawer .v-input--checkbox { margin-top: 0 !important; padding-top: 0 !important; }
.v-navigation-drawer .v-input--checkbox .v-messages { display: none; }
.v-navigation-drawer .v-input--checkbox .v-input__slot { margin-bottom: 0; }
.aic-panel > .aic-scroll { max-height: none; }
.aic-charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 10px; }
.aic-chart { width: 100%; height: auto; display: block; }
.aic-chart-title { font-size: 11.5px; font-weight: 600; color: #333; }
.aic-chart-legend { font-size: 10.5px; line-height: 1.3; min-height: 14px; }
.aic-swatch { display: inline-block; width: 12px; height: 3px; margin-right: 3px; vertical-align: middle; }
.aic-chart .aic-grid { stroke: #EEE; stroke-width: 1; }
.aic-chart .aic-axis { stroke: #999; stroke-width: 1; }
.aic-chart .aic-ref { stroke: #BBB; stroke-width: 1; stroke-dasharray: 2 3; }
.aic-chart .aic-tick { font: 9px sans-serif; fill: #666; }
.aic-chart .aic-note { font: 11px sans-serif; fill: #999; }
"""


@solara.component
def Layout(children=()):
    """Solara's app layout, started afresh whenever the user picks another scenario.

    SolaraViz keeps its parameter widgets' state in the sidebar; keying the layout on the
    scenario (and the lesson) remounts all of it, so the sliders show the new scenario's own values.
    """
    lesson = session_lesson(solara.use_router().search)
    return solara.AppLayout(children=children).key(f"aicontagion-{session_scenario()}-{lesson}")


def _open_lesson(name: str, lang: str):
    """The lesson called ``name`` (its texts in ``lang``) and no error, or None and why it cannot
    be opened.
    """
    if not name:
        return None, None
    try:
        return lesson_spec(name, lang), None
    except ConfigError as exc:
        return None, str(exc)


@solara.component
def LanguageSwitch(lang: str):
    """Sidebar: the page's language, English or 简体中文 (each written in its own language)."""
    _ = gettext_for(lang, "app")
    with solara.Row(gap="6px", style="align-items: center", classes=["aic-language"]):
        solara.HTML(tag="span", classes=["aic-small", "aic-muted"], unsafe_innerHTML=_("Language"))
        with solara.ToggleButtonsSingle(value=lang, on_value=chosen_language.set, dense=True):
            for code, name in LANGUAGES.items():
                solara.Button(name, value=code, classes=[f"aic-lang-{code}"])


@solara.component
def Page():
    # One model per browser session (and per scenario picked in it), built when the page
    # mounts -- never at import time, which would share one model between all sessions.
    search = solara.use_router().search
    lang, lang_error = session_language(search)
    _ = gettext_for(lang, "app")
    solara.use_effect(lambda: shown_language.set(lang), [lang])  # (Mesa's labels follow it)
    lesson_name = session_lesson(search)
    lesson, lesson_error = solara.use_memo(lambda: _open_lesson(lesson_name, lang), [lang])

    def build() -> AppModel:
        if lesson is not None:
            return AppModel(scenario_name=lesson.scenario, seed=lesson.seed, lesson=lesson_name)
        return AppModel(scenario_name=session_scenario(), seed=chosen_seed.value)

    first = solara.use_memo(build, [])
    model: solara.Reactive[AppModel] = solara.use_reactive(first)
    current = model.value
    params = solara.use_memo(
        lambda: model_params_for(
            scenario_config_safe(current), current.setup.scenario, current.setup.seed, current.setup.lesson, lang
        ),
        [lang],
    )
    solara.Style(CSS + LESSON_CSS)
    solara.Title("aicontagion")
    with solara.Sidebar():
        LanguageSwitch(lang)
        LessonPicker(lesson_name if lesson is not None else "")
        ScenarioCard(model)
    if lang_error:
        solara.Error(
            _("Language not available: {error}. The page is in {language}.").format(
                error=lang_error, language=LANGUAGES[lang]
            ),
            classes=["aic-lang-error"],
        )
    if lesson_error:
        solara.Error(_("Lesson not opened: {error}").format(error=lesson_error), classes=["aic-lesson-error"])
    if lesson is not None:
        LessonPanel(model, lesson_name, lesson)
    Summary(current)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        name=_("aicontagion · AI-infrastructure contagion"),
        play_interval=150,
    )
