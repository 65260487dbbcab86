"""Lesson mode: the lesson picker (sidebar) and the lesson panel (above the summary bar).

A lesson (``configs/lessons/NAME.yaml``, :mod:`simulator.lessons`) walks through stages: the
panel shows a stage's narrative and question; when the student picks a choice it runs the model
to the stage's month, says whether the prediction was right, shows the reveal, the facts that
make the answer true (checked against this run), the events of those months, and rings the
stage's institutions in the network. Open it with the sidebar's "Lesson" picker or
``?lesson=NAME`` in the address. No model logic here.
"""

from __future__ import annotations

import solara
from mesa.visualization.utils import force_update

from simulator.app.markup import _severity_class, esc, kind_label
from simulator.app.params import AppModel, lesson_spec
from simulator.app.session import (
    chosen_lesson,
    chosen_scenario,
    chosen_seed,
    lesson_highlight,
    lesson_message,
    lesson_pick,
    lesson_revealed,
    lesson_stage,
    reset_lesson_progress,
    selected_name,
    use_language,
)
from simulator.config import ConfigError
from simulator.events import event_sentence
from simulator.i18n import LANGUAGES, N_, gettext_for
from simulator.lessons import Lesson, check_stage, lesson_names, stage_events, stage_months

NO_LESSON = N_("(no lesson: free play)")

CSS = """
.aic-lesson { padding: 8px 12px; margin: 0 10px 6px 10px; background: #FFF8F0; color: #222; border-radius: 4px;
              border-left: 4px solid #E66100; font-size: 13.5px; max-height: 420px; overflow-y: auto; }
.aic-lesson h3 { font-size: 15px; margin: 0 0 4px 0; }
.aic-lesson .aic-question { font-weight: 600; margin: 6px 0 2px 0; }
.aic-lesson .aic-verdict-right { color: #1A7340; font-weight: 600; }
.aic-lesson .aic-verdict-wrong { color: #A50F15; font-weight: 600; }
.aic-lesson .aic-facts { list-style: none; padding-left: 0 !important; margin: 4px 0; font-size: 12.5px; }
.aic-lesson .aic-lesson-events { list-style: none; padding: 0 !important; margin: 0; max-height: 120px; overflow-y: auto; }
.aic-net .aic-highlight { pointer-events: none; }
"""


@solara.component
def LessonPicker(current: str):
    """Sidebar card: pick a lesson (or none); picking one starts it from its first stage."""
    lang = use_language()
    _ = gettext_for(lang, "app")
    names = lesson_names()
    titles = {_title(n, lang): n for n in names}
    no_lesson = _(NO_LESSON)
    shown = next((t for t, n in titles.items() if n == current), no_lesson)

    def pick(title: str) -> None:
        name = titles.get(title, "")
        reset_lesson_progress()
        if name:
            spec = lesson_spec(name)
            chosen_seed.set(spec.seed)
            chosen_scenario.set(spec.scenario)
        chosen_lesson.set(name)  # Layout is keyed on the lesson: the page starts afresh with it

    with solara.Card(_("Lesson"), margin=0, classes=["aic-lesson-card"]):
        solara.Select(_("Lesson"), values=[no_lesson, *titles], value=shown, on_value=pick)
        solara.HTML(
            tag="div",
            classes=["aic-small", "aic-muted"],
            unsafe_innerHTML=_("Predict, then see: each stage asks a question before the model runs on."),
        )


def _in_this_language(name: str, index: int, picked: str, choices: list[str]) -> str:
    """The choice ``picked`` (as it read when it was picked, maybe in the other language: the
    page's language was switched since) as it reads in ``choices``; "" for none.
    """
    if not picked or picked in choices:
        return picked
    for lang in LANGUAGES:
        try:
            those = lesson_spec(name, lang).stages[index].choices
        except (ConfigError, IndexError):
            continue
        if picked in those:
            return choices[those.index(picked)]
    return picked


def _title(name: str, lang: str) -> str:
    try:
        return lesson_spec(name, lang).title
    except Exception:  # a broken file is reported when it is opened, not in the list
        return name


@solara.component
def LessonPanel(model: solara.Reactive[AppModel], name: str, lesson: Lesson):
    """The current stage: narrative and question; after a pick, the reveal (``lesson``: its texts
    in the page's language).
    """
    lang = use_language()
    _ = gettext_for(lang, "app")
    index = min(lesson_stage.value, len(lesson.stages) - 1)
    stage = lesson.stages[index]
    revealed = lesson_revealed.value
    picked = _in_this_language(name, index, lesson_pick.value, stage.choices)

    def answer(choice: str) -> None:
        if lesson_revealed.value:  # one prediction per stage
            return
        m = model.value
        target = stage.run_to_month
        if m.month > target:
            lesson_message.set(
                _("The model is at month {month}, past this stage's month {target}: press Restart lesson.").format(
                    month=m.month, target=target
                )
            )
            return
        lesson_message.set("")
        if m.month < target:
            m.run_for(target - m.month)
        lesson_highlight.set(tuple(stage.highlight))
        if stage.highlight:
            selected_name.set(stage.highlight[0])
        lesson_pick.set(choice)
        lesson_revealed.set(True)
        force_update()

    def next_stage() -> None:
        lesson_revealed.set(False)
        lesson_pick.set("")
        lesson_message.set("")
        lesson_highlight.set(())
        lesson_stage.set(index + 1)

    def restart() -> None:
        reset_lesson_progress()
        model.set(AppModel(scenario_name=lesson.scenario, seed=lesson.seed, lesson=name))

    first, last = stage_months(lesson, index)
    where = _("stage {stage} of {stages}: {title} · {scenario}, seed {seed}").format(
        stage=index + 1,
        stages=len(lesson.stages),
        title=esc(stage.title),
        scenario=esc(lesson.scenario),
        seed=lesson.seed,
    )
    head = (
        f"<h3>{_('Lesson: {title}').format(title=esc(lesson.title))} "
        f"<span class='aic-muted aic-small'>· {where}</span></h3>"
    )
    intro = f"<p class='aic-small'>{esc(lesson.intro)}</p>" if index == 0 and not revealed else ""
    with solara.Column(gap="2px", classes=["aic-lesson"]):
        solara.HTML(
            tag="div",
            attributes={
                "data-testid": "lesson",
                "data-lesson": name,
                "data-stage": str(index + 1),
                "data-revealed": "true" if revealed else "false",
            },
            unsafe_innerHTML=(
                f"{head}{intro}{'' if revealed else f'<p>{esc(stage.narrative)}</p>'}"
                f"<div class='aic-question'>{esc(stage.question)} "
                f"<span class='aic-muted aic-small'>{_('(the model then runs to month {month})').format(month=last)}"
                "</span></div>"
            ),
        )
        # The choices, then (on the same line, so they are never scrolled away) where to go next.
        with solara.Row(gap="6px", style="flex-wrap: wrap; align-items: center"):
            for choice in stage.choices:
                solara.Button(
                    choice,
                    on_click=lambda c=choice: answer(c),
                    disabled=revealed and choice != picked,
                    outlined=choice != picked,
                    color="primary" if choice == picked else None,
                    dense=True,
                    classes=["aic-choice"],
                )
            solara.HTML(tag="span", unsafe_innerHTML="", style="flex: 1 1 auto")
            if revealed and index + 1 < len(lesson.stages):
                solara.Button(_("Next stage"), color="success", on_click=next_stage, dense=True)
            elif revealed:
                solara.HTML(tag="span", classes=["aic-small"], unsafe_innerHTML=f"<b>{_('End of the lesson.')}</b>")
            solara.Button(_("Restart lesson"), on_click=restart, dense=True, text=True)
        if lesson_message.value:
            solara.Warning(lesson_message.value, dense=True)
        if revealed and model.value.month >= last:
            solara.HTML(
                tag="div",
                attributes={"data-testid": "lesson-reveal"},
                unsafe_innerHTML=_reveal_html(model.value, lesson, index, picked, first, last, lang),
            )


def _reveal_html(model: AppModel, lesson: Lesson, index: int, picked: str, first: int, last: int, lang: str) -> str:
    _ = gettext_for(lang, "app")
    stage = lesson.stages[index]
    right = picked == stage.answer
    verdict = (
        f"<span class='aic-verdict-right'>{_('You picked “{choice}”: right.').format(choice=esc(picked))}</span>"
        if right
        else "<span class='aic-verdict-wrong'>"
        + _("You picked “{choice}”; the answer is “{answer}”.").format(choice=esc(picked), answer=esc(stage.answer))
        + "</span>"
    )
    facts = check_stage(model, lesson, index, lang)
    fact_items = "".join(
        f"<li data-holds='{str(f.holds).lower()}'>{'✓' if f.holds else '✗'} {esc(f.text)}</li>" for f in facts
    )
    changed = model.setup.seed != lesson.seed or bool(model.setup.levers)
    not_borne_out = (
        _(
            "This run does not bear the answer out (you changed the seed or the levers): the lesson was written "
            "for {scenario} with seed {seed}."
        )
        if changed
        else _("This run does not bear the answer out: the lesson was written for {scenario} with seed {seed}.")
    )
    warning = (
        ""
        if all(f.holds for f in facts)
        else f"<div class='aic-bad aic-small'>{not_borne_out.format(scenario=esc(lesson.scenario), seed=lesson.seed)}</div>"
    )
    events = stage_events(model, lesson, index)
    span = (
        _("month {month}").format(month=last)
        if first == last
        else _("months {first}–{last}").format(first=first, last=last)
    )
    rows = (
        "".join(
            f"<li class='aic-event' data-kind='{e.kind}' data-month='{e.month}'><span class='aic-month'>m{e.month}</span>"
            f"<span class='aic-kind {_severity_class(e.kind)}'>{kind_label(e.kind, lang)}</span>"
            f"<span class='aic-msg'>{esc(event_sentence(e, lang))}</span></li>"
            for e in events
        )
        or f"<li class='aic-muted'>{_('No such events in {span}.').format(span=span)}</li>"
    )
    return (
        f"<p>{verdict}</p><p>{esc(stage.reveal)}</p>"
        f"<div class='aic-small'>"
        + _("<b>In this run</b> (the institutions are ringed in orange in the deal network below):")
        + f"</div><ul class='aic-facts'>{fact_items}</ul>{warning}<div class='aic-small'>"
        + _("<b>What explains it</b>: the events of {span}").format(span=span)
        + f"</div><ul class='aic-lesson-events' data-testid='lesson-events'>{rows}</ul>"
    )
