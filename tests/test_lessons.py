"""Guided lessons (simulator/lessons.py, configs/lessons/*.yaml, simulator/app/lessons.py).

* Every shipped lesson loads, and its answers still hold: the model is run with the lesson's
  pinned scenario, seed and levers to each stage's month and every ``check`` fact is tested.
* A bad lesson file gets a ConfigError naming the file, the stage (number and title) and the field.
* The lesson panel, rendered with solara's test harness: pick a choice, the model runs to the
  stage's month, the reveal and the highlighted nodes appear, next stage, restart.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import ipyvuetify as v
import pytest
import solara

from simulator import ContagionModel
from simulator.config import ConfigError
from simulator.lessons import LESSON_DIR, check_stage, lesson_names, load_lesson, stage_events

GOOD = textwrap.dedent(
    """
    title: A small lesson
    scenario: neocloud_default
    seed: 42
    intro: CoreWeave fails in month 3.
    stages:
      - title: The failure
        narrative: CoreWeave cannot pay.
        question: Does CoreWeave default by month 3?
        choices: ["Yes", "No"]
        answer: "Yes"
        run_to_month: 3
        reveal: It does.
        highlight: [CoreWeave]
        check:
          - {institution: CoreWeave, status: defaulted}
      - title: Afterwards
        narrative: The sales go on.
        question: Does Blackstone gate?
        choices: ["Yes", "No"]
        answer: "Yes"
        run_to_month: 4
        reveal: It does.
        check:
          - {event: gate, institution: Blackstone}
    """
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my_lesson.yaml"
    path.write_text(text)
    return path


# =============================================================================== shipped lessons
def test_at_least_the_three_lessons_ship():
    assert {"gpu_collateral_spiral", "ai_winter", "backstop"} <= set(lesson_names())
    assert LESSON_DIR.name == "lessons"


@pytest.mark.parametrize("name", lesson_names())
def test_shipped_lesson_answers_still_hold(name):
    lesson = load_lesson(name)
    model = ContagionModel(lesson.scenario, seed=lesson.seed, **lesson.levers)
    for index, stage in enumerate(lesson.stages):
        model.run_for(stage.run_to_month - model.month)
        results = check_stage(model, lesson, index)
        failed = [r.text for r in results if not r.holds]
        assert not failed, (
            f"{name}, stage {index + 1} ({stage.title}), answer {stage.answer!r}: {failed} no longer true"
        )
        assert stage_events(model, lesson, index), f"{name}, stage {index + 1}: no events to explain the reveal"


def test_facts_can_fail():
    """A check is not a formality: the same facts on another scenario's run do not hold."""
    lesson = load_lesson("backstop")
    model = ContagionModel("neocloud_default", seed=lesson.seed)
    model.run_for(lesson.stages[0].run_to_month)
    results = {r.text: r.holds for r in check_stage(model, lesson, 0)}
    assert results["no default involving Lambda in months 1–3"] is False
    with pytest.raises(ValueError, match="needs it run to month"):
        check_stage(ContagionModel("backstop", seed=42), lesson, 0)


def test_facts_read_in_the_lessons_language():
    """The facts a reveal lists read in the page's language: the same verdicts, Chinese words."""
    lesson = load_lesson("backstop")
    model = ContagionModel("neocloud_default", seed=lesson.seed)
    model.run_for(lesson.stages[0].run_to_month)
    english, chinese = check_stage(model, lesson, 0), check_stage(model, lesson, 0, lang="zh")
    assert [r.holds for r in english] == [r.holds for r in chinese]
    for fact in chinese:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in fact.text) and "{" not in fact.text, fact.text
    assert (
        "没有发生涉及Lambda的违约"
        in chinese[[r.text for r in english].index("no default involving Lambda in months 1–3")].text
    )


# =============================================================================== bad lesson files
def test_a_good_file_loads(tmp_path):
    lesson = load_lesson(write(tmp_path, GOOD))
    assert [s.run_to_month for s in lesson.stages] == [3, 4]


@pytest.mark.parametrize(
    "old, new, message",
    [
        (
            'answer: "Yes"\n    run_to_month: 3',
            'answer: "Maybe"\n    run_to_month: 3',
            r"stage 1 \(The failure\): answer: 'Maybe' is not one of the choices \['Yes', 'No'\]",
        ),
        (
            "run_to_month: 4",
            "run_to_month: 2",
            r"stage 2 \(Afterwards\): run_to_month: 2 must be after the previous stage's month 3",
        ),
        ("run_to_month: 4", "run_to_month: 99", r"stage 2 \(Afterwards\): run_to_month: 99 is beyond the 24 months"),
        (
            "run_to_month: 4",
            "run_to_month: four",
            r"stage 2 \(Afterwards\): run_to_month: Input should be a valid integer",
        ),
        (
            "highlight: [CoreWeave]",
            "highlight: [CoreWave]",
            r"stage 1 \(The failure\): highlight: unknown institution 'CoreWave'",
        ),
        (
            "status: defaulted",
            "status: bankrupt",
            r"stage 1 \(The failure\): check\[0\]\.status: Input should be 'healthy', .* \(got 'bankrupt'\)",
        ),
        (
            "{event: gate,",
            "{event: gated,",
            r"stage 2 \(Afterwards\): check\[0\]\.event: Input should be .*'gate'.* \(got 'gated'\)",
        ),
        (
            "reveal: It does.\n    check:\n      - {event",
            "revealed: It does.\n    check:\n      - {event",
            r"stage 2 \(Afterwards\): (reveal: Field required|revealed: unknown field)",
        ),
        ("{event: gate,", "{evnt: gate,", r"stage 2 \(Afterwards\): check\[0\]\.evnt: unknown field"),
        (
            "scenario: neocloud_default",
            "scenario: neocloud_defualt",
            r"scenario/levers: .*unknown scenario 'neocloud_defualt'",
        ),
        ("seed: 42", "seed: 42\nlevers: {gpu_depth: 5}", r"levers: unknown lever 'gpu_depth'"),
    ],
)
def test_bad_field_names_the_file_stage_and_field(tmp_path, old, new, message):
    assert old in GOOD, old
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_lesson(path)
    text = str(info.value)
    assert text.startswith(str(path)), text
    assert re.search(message, text), text


def test_unknown_lesson_name_lists_the_lessons():
    with pytest.raises(ConfigError, match=r"unknown lesson 'nope'; choose from \[.*'ai_winter'"):
        load_lesson("nope")


def test_a_lesson_that_is_not_a_mapping(tmp_path):
    with pytest.raises(ConfigError, match="expected a mapping of lesson fields"):
        load_lesson(write(tmp_path, "- just\n- a list\n"))


# =============================================================================== the app
from simulator.app import lessons as app_lessons  # noqa: E402
from simulator.app import page, panels, params, session  # noqa: E402  (importing the page is slower)


@solara.component
def _Wrapped():
    page.Layout(children=[page.Page()])


@pytest.fixture
def lesson_ui(monkeypatch):
    """The page in lesson mode (gpu_collateral_spiral), as a student opens it."""
    monkeypatch.delenv(params.SCENARIO_ENV, raising=False)
    session.selected_name.set("")
    session.chosen_scenario.set("")
    session.chosen_seed.set(params.DEFAULT_SEED)
    session.reset_lesson_progress()
    session.chosen_lesson.set("gpu_collateral_spiral")
    _box, rc = solara.render(_Wrapped(), handle_error=False)
    yield rc
    rc.close()
    session.chosen_lesson.set(None)
    session.reset_lesson_progress()


def htmls(rc) -> list[str]:
    return [w.unsafe_innerHTML or "" for w in rc.find(solara.widgets.HTML).widgets]


def html_with(rc, needle: str) -> str:
    found = [h for h in htmls(rc) if needle in h]
    assert found, f"no HTML containing {needle!r}"
    return found[0]


def highlighted(rc) -> list[str]:
    svg = rc.find(panels.NetworkView).widget.svg
    return re.findall(r"data-name='([^']*)' data-status='\w+' data-index='\d+' data-highlighted='true'", svg)


def month(rc) -> int:
    return int(re.search(r"month (\d+)</b>", html_with(rc, "aic-scn")).group(1))


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def test_query_parameter_names_the_lesson():
    assert session.lesson_from_query("lesson=ai_winter&x=1") == "ai_winter"
    assert session.lesson_from_query(None) == ""
    assert session.lesson_from_query("scenario=backstop") == ""


def test_lesson_mode_asks_then_reveals_and_highlights(lesson_ui):
    rc = lesson_ui
    assert "neocloud_default" in html_with(rc, "aic-scn") and month(rc) == 0
    question = html_with(rc, "aic-question")
    assert "Will any borrower breach a covenant in months 1 and 2?" in question
    assert "The GPU collateral spiral" in question and "stage 1 of 4" in question
    assert highlighted(rc) == []
    assert not [h for h in htmls(rc) if "aic-facts" in h]  # nothing revealed before the pick

    click(rc, "Yes")  # the wrong prediction
    assert month(rc) == 2
    reveal = html_with(rc, "aic-facts")
    assert "the answer is “No”" in reveal
    assert "✓ no covenant breach in months 1–2" in reveal and "✗" not in reveal
    assert "data-kind='new_loan' data-month='1'" in reveal  # the events of those months
    assert highlighted(rc) == ["CoreWeave", "Lambda", "Miner Beta"]
    assert rc.find(v.Btn, children=["No"]).widget.disabled
    click(rc, "Yes")  # one prediction per stage: a second click changes nothing
    assert month(rc) == 2 and "the answer is “No”" in html_with(rc, "aic-facts")

    click(rc, "Next stage")
    assert "Which other institution defaults in the same month?" in html_with(rc, "aic-question")
    assert highlighted(rc) == []
    click(rc, "Lambda")
    assert month(rc) == 3
    reveal = html_with(rc, "aic-facts")
    assert "You picked “Lambda”: right." in reveal
    assert "✓ a default involving Lambda in month 3" in reveal
    assert re.search(r"data-kind='default' data-month='3'>.*Lambda defaulted", reveal)
    assert highlighted(rc) == ["CoreWeave", "Lambda", "Blue Owl"]
    # The inspector follows the first highlighted institution.
    assert "data-institution='CoreWeave'" in html_with(rc, "data-testid='balance-sheet'")

    click(rc, "Restart lesson")
    assert month(rc) == 0
    assert "stage 1 of 4" in html_with(rc, "aic-question")
    assert highlighted(rc) == []


def test_a_model_past_the_stage_says_so(lesson_ui):
    rc = lesson_ui
    for _ in range(3):
        click(rc, "Step")
    click(rc, "No")
    messages = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
    assert "past this stage's month 2" in messages
    assert not [h for h in htmls(rc) if "aic-facts" in h]


def test_picking_a_lesson_in_the_sidebar_and_leaving_it(monkeypatch):
    monkeypatch.delenv(params.SCENARIO_ENV, raising=False)
    session.chosen_scenario.set("")
    session.chosen_lesson.set(None)
    session.reset_lesson_progress()
    _box, rc = solara.render(_Wrapped(), handle_error=False)
    try:
        assert "baseline_2025" in html_with(rc, "aic-scn")
        assert not [h for h in htmls(rc) if "aic-question" in h]
        rc.find(v.Select, label="Lesson").widget.v_model = "The central-bank backstop"
        assert "backstop" in html_with(rc, "aic-scn")
        assert "Will Lambda default in month 3 this time?" in html_with(rc, "aic-question")
        click(rc, "No")
        assert "✓ a central bank loan involving Lambda in months 1–3" in html_with(rc, "aic-facts")
        rc.find(v.Select, label="Lesson").widget.v_model = app_lessons.NO_LESSON
        assert not [h for h in htmls(rc) if "aic-question" in h]
        assert highlighted(rc) == []
    finally:
        rc.close()
        session.chosen_lesson.set(None)
        session.chosen_scenario.set("")
        session.reset_lesson_progress()


def test_lesson_levers_apply_and_survive_reset(tmp_path, monkeypatch):
    """A lesson's levers reach the model, and SolaraViz's Reset keeps them."""
    spec = load_lesson(write(tmp_path, GOOD.replace("seed: 42", "seed: 42\nlevers: {central_bank_enabled: true}")))
    monkeypatch.setattr(params, "lesson_spec", lambda name: spec)
    model = params.AppModel(lesson="with_levers", seed=42)
    assert model.setup.error is None and model.setup.lesson == "with_levers"
    assert model.config.central_bank.enabled is True
    assert params.widget_defaults(params.scenario_config_safe(model))["central_bank_enabled"] is True
    widgets = params.model_params_for(params.scenario_config_safe(model), model.setup.scenario, 42, "with_levers")
    reset = params.AppModel(**{k: (w["value"] if isinstance(w, dict) else w) for k, w in widgets.items()})
    assert reset.config.central_bank.enabled is True and reset.setup.levers == {}
    assert reset.setup.lesson == "with_levers"


def test_a_broken_lesson_in_the_address_shows_its_error(monkeypatch):
    session.chosen_lesson.set("no_such_lesson")
    _box, rc = solara.render(_Wrapped(), handle_error=False)
    try:
        messages = " ".join(str(w.children) for w in rc.find(v.Alert).widgets)
        assert "Lesson not opened" in messages and "unknown lesson 'no_such_lesson'" in messages
        assert "baseline_2025" in html_with(rc, "aic-scn")
    finally:
        rc.close()
        session.chosen_lesson.set(None)


def test_the_command_line_opens_a_lesson(monkeypatch, capsys):
    """``aicontagion app --lesson NAME``: an unknown name is bad input (exit 2, the lessons
    listed); a known one reaches the app as $AICONTAGION_LESSON, which a session opens when its
    address names no lesson (the address wins).
    """
    from simulator import cli
    from simulator.app.server import server_env

    assert cli.main(["app", "--lesson", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "unknown lesson 'nosuch'" in err and "gpu_collateral_spiral" in err
    assert server_env(base={}, lesson=" ai_winter ")["AICONTAGION_LESSON"] == "ai_winter"
    with pytest.raises(ValueError, match="invalid lesson"):
        server_env(base={}, lesson=" ")
    monkeypatch.setenv(params.LESSON_ENV, "backstop")
    monkeypatch.setattr(session.chosen_lesson, "value", None, raising=False)
    assert session.session_lesson("") == "backstop"
    assert session.session_lesson("lesson=ai_winter") == "ai_winter"
