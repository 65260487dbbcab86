"""Guided lessons: YAML files in ``configs/lessons/`` validated into frozen, typed models.

A lesson pins a scenario, a seed and optional levers, and walks through stages. Each stage has
a short narrative, a prediction question with choices and the right answer, the month to run
the model to, a reveal text, the institutions to highlight in the network and ``check``: facts
about the run (an institution's status, an event that did or did not happen in the stage's
months) that make the answer true. The app (:mod:`simulator.app.lessons`) checks them live
when it reveals a stage, and ``tests/test_lessons.py`` checks every shipped lesson, so an answer
that the model no longer produces fails a test instead of misleading a class.

The lessons ship with the scenarios (package ``simulator.scenarios``, folder ``lessons/``), so
they are found in a checkout, an editable install and a wheel alike. ``docs/teaching/lessons.md``
explains how to write one. Every problem is a :class:`~simulator.config.ConfigError` naming the
file, the stage (number and title) and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, ValidationError, model_validator

from agents.names import EVENT_KINDS, STATUSES
from simulator.config import (
    CONFIG_DIR,
    LEVERS,
    ConfigError,
    Scenario,
    Strict,
    _load_yaml,
    _read_text,
    _short_repr,
    load_scenario,
)
from simulator.i18n import DEFAULT_LANGUAGE, check_language, gettext_for
from simulator.words import FACT_SENTENCES, event_kind_label, status_label

if TYPE_CHECKING:  # the engine is needed only to check facts against a run
    from simulator.events import Event
    from simulator.model import ContagionModel

LESSON_DIR = CONFIG_DIR / "lessons"
"""Where the shipped lessons live: ``configs/lessons/`` (``simulator/scenarios/lessons`` in a wheel)."""

__all__ = [
    "LESSON_DIR",
    "LESSON_TEXTS",
    "STAGE_CHOICE_TEXTS",
    "STAGE_TEXTS",
    "EventFact",
    "FactResult",
    "Lesson",
    "Stage",
    "StatusFact",
    "check_stage",
    "lesson_names",
    "load_lesson",
    "stage_events",
    "stage_months",
    "translate_lesson",
]


# --------------------------------------------------------------------------- schema
class StatusFact(Strict):
    """The institution has this status at the stage's month (after the step)."""

    institution: str = Field(min_length=1)
    status: Literal[STATUSES]  # type: ignore[valid-type]


class EventFact(Strict):
    """An event of kind ``event`` with the institution as actor or counterparty (any institution
    if none is named) did (``happened: true``, the default) or did not happen in the stage's
    months; ``first: true`` also requires it to be the run's first event of that kind.
    """

    event: Literal[EVENT_KINDS]  # type: ignore[valid-type]
    institution: str | None = Field(None, min_length=1)
    happened: bool = True
    first: bool = False

    @model_validator(mode="after")
    def _first_needs_happened(self) -> EventFact:
        if self.first and not self.happened:
            raise ValueError("first: true needs happened: true (the first event of a kind must happen)")
        return self


def _fact_kind(value: Any) -> str:
    """A fact with a ``status`` is a StatusFact, any other an EventFact (so errors name one kind)."""
    if isinstance(value, dict):
        return "status" if "status" in value else "event"
    return "status" if isinstance(value, StatusFact) else "event"


Fact = Annotated[Annotated[StatusFact, Tag("status")] | Annotated[EventFact, Tag("event")], Discriminator(_fact_kind)]
"""One ``check`` item: ``{institution, status}`` or ``{event, institution?, happened?, first?}``."""


class Stage(Strict):
    """One step of a lesson: narrative, prediction question, the step to run, the reveal."""

    title: str = Field(min_length=1)
    narrative: str = Field(min_length=1, description="what the student reads before predicting")
    question: str = Field(min_length=1)
    choices: list[str] = Field(min_length=2, max_length=8)
    answer: str = Field(min_length=1, description="one of the choices, exactly as written there")
    run_to_month: int = Field(ge=1, le=600, description="the model runs to the end of this month, months")
    reveal: str = Field(min_length=1, description="what happened and why, shown after the step")
    highlight: list[str] = Field(default_factory=list, description="institutions ringed in the network")
    explain_kinds: list[Literal[EVENT_KINDS]] | None = Field(  # type: ignore[valid-type]
        None, description="event kinds shown with the reveal (default: every kind)"
    )
    check: list[Fact] = Field(
        min_length=1, description="facts of the run that make the answer true (checked by the app and the tests)"
    )

    @model_validator(mode="after")
    def _answer_is_a_choice(self) -> Stage:
        if len(set(self.choices)) != len(self.choices):
            raise ValueError(f"choices: each choice must differ from the others, got {self.choices}")
        if self.answer not in self.choices:
            raise ValueError(f"answer: {self.answer!r} is not one of the choices {self.choices}")
        return self


class Lesson(Strict):
    """A guided lesson: a pinned run (scenario, seed, levers) and its stages, in month order."""

    title: str = Field(min_length=1)
    scenario: str = Field(min_length=1, description="a scenario name from configs/")
    seed: int = Field(42, ge=0)
    levers: dict[str, Any] = Field(default_factory=dict, description="named levers (simulator.config.LEVERS)")
    intro: str = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)


# --------------------------------------------------------------------------- loading
def lesson_names() -> list[str]:
    """The shipped lessons (file names without ``.yaml``), sorted."""
    return sorted(p.stem for p in LESSON_DIR.glob("*.yaml"))


def _stage_label(raw: Any, index: int) -> str:
    """'stage 2 (The backstop steps in)' for the stage at ``index`` of the raw lesson."""
    title = None
    stages = raw.get("stages") if isinstance(raw, dict) else None
    if isinstance(stages, list) and index < len(stages) and isinstance(stages[index], dict):
        title = stages[index].get("title")
    return f"stage {index + 1}" + (f" ({title})" if isinstance(title, str) and title.strip() else "")


def _where(loc: tuple, raw: Any) -> str:
    """A pydantic error location as the reader knows it: 'stage 2 (Title): check[1].status'."""
    parts = [p for p in loc if not (isinstance(p, str) and "function-after" in p)]
    for i in range(len(parts) - 2):  # ("check", 0, "status", ...): drop the fact kind's tag
        if parts[i] == "check" and isinstance(parts[i + 1], int) and parts[i + 2] in ("status", "event"):
            del parts[i + 2]
            break
    if len(parts) >= 2 and parts[0] == "stages" and isinstance(parts[1], int):
        head, rest = _stage_label(raw, parts[1]), parts[2:]
    else:
        head, rest = "", parts
    field = ""
    for p in rest:
        field += f"[{p}]" if isinstance(p, int) else (f".{p}" if field else str(p))
    return ": ".join(x for x in (head, field) if x) or "top level"


def _describe(exc: ValidationError, raw: Any, source: str) -> str:
    lines = []
    seen = set()
    for err in exc.errors():
        where = _where(err["loc"], raw)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] not in ("value_error", "missing") and not isinstance(err.get("input"), (dict, list)):
            msg += f" (got {_short_repr(err.get('input'))})"
        if msg.startswith(("answer:", "choices:")):  # a stage's own check names its field
            field, _, msg = msg.partition(": ")
            where = f"{where}: {field}" if where != "top level" else field
        line = f"{source}: {where}: {msg}"
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return "\n".join(lines[:10])


def _resolve_lesson(name_or_path: str | Path) -> Path:
    if isinstance(name_or_path, str) and "/" not in name_or_path and not name_or_path.endswith((".yaml", ".yml")):
        path = LESSON_DIR / f"{name_or_path.strip()}.yaml"
        if not path.is_file():
            raise ConfigError(f"lesson: unknown lesson {name_or_path!r}; choose from {lesson_names()} or give a path")
        return path
    path = Path(name_or_path)
    if not path.is_file():
        raise ConfigError(f"lesson: {path}: no such lesson file; choose from {lesson_names()} or give a path")
    return path


def _source(path: Path) -> str:
    """The file as an error names it: relative to the repository when it is a shipped lesson."""
    try:
        return f"configs/lessons/{path.resolve().relative_to(LESSON_DIR.resolve())}"
    except ValueError:
        return str(path)


def load_lesson(name_or_path: str | Path, lang: str = DEFAULT_LANGUAGE) -> Lesson:
    """Load and validate a lesson by name (``configs/lessons/NAME.yaml``) or path, its texts in
    ``lang`` (:func:`translate_lesson`).

    Checks the schema, then the lesson against its scenario: the scenario and levers load, the
    stages' months increase and fit in the scenario's run, and every institution named in
    ``highlight`` and ``check`` exists. Raises ConfigError naming the file, the stage and the field.
    """
    check_language(lang)
    path = _resolve_lesson(name_or_path)
    source = _source(path)
    raw = _load_yaml(_read_text(path), source)
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping of lesson fields (title, scenario, intro, stages)")
    try:
        lesson = Lesson.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, raw, source)) from None
    _check_against_scenario(lesson, raw, source)
    return translate_lesson(lesson, lang)


LESSON_TEXTS = ("title", "intro")
"""A lesson's own texts a reader sees, translated by ``lang``."""

STAGE_TEXTS = ("title", "narrative", "question", "reveal")
"""A stage's texts a reader sees (with its ``choices`` and ``answer``), translated by ``lang``."""

STAGE_CHOICE_TEXTS = ("choices", "answer")
"""A stage's prediction: the list of choices and the answer (one of them), translated alike.

These three tuples are the whole list of translated fields: :func:`translate_lesson` translates
them and :mod:`simulator.content_catalogues` extracts them into the ``lessons`` catalogue.
"""


def translate_lesson(lesson: Lesson, lang: str) -> Lesson:
    """The lesson with every text a reader sees in ``lang`` (the ``lessons`` catalogue of
    :mod:`simulator.i18n`); a text without a translation stays in English. Facts, months and
    institutions' names are not translated: the choices and the answer translate alike, so the
    answer is still one of the choices.
    """
    if lang == DEFAULT_LANGUAGE:
        return lesson
    _ = gettext_for(lang, "lessons")

    def translated(value: str | list[str]) -> str | list[str]:
        return _(value) if isinstance(value, str) else [_(item) for item in value]

    stages = [
        stage.model_copy(update={name: translated(getattr(stage, name)) for name in STAGE_TEXTS + STAGE_CHOICE_TEXTS})
        for stage in lesson.stages
    ]
    return lesson.model_copy(update={name: _(getattr(lesson, name)) for name in LESSON_TEXTS} | {"stages": stages})


def _check_against_scenario(lesson: Lesson, raw: dict, source: str) -> Scenario:
    unknown = sorted(set(lesson.levers) - set(LEVERS))
    if unknown:
        raise ConfigError(f"{source}: levers: unknown lever {unknown[0]!r}; choose from {sorted(LEVERS)}")
    try:
        config = load_scenario(lesson.scenario, **lesson.levers)
    except ConfigError as exc:
        raise ConfigError(f"{source}: scenario/levers: {exc}") from None
    names = set(config.institutions)
    previous = 0
    for i, stage in enumerate(lesson.stages):
        label = _stage_label(raw, i)
        if stage.run_to_month <= previous:
            raise ConfigError(
                f"{source}: {label}: run_to_month: {stage.run_to_month} must be after the previous stage's month "
                f"{previous} (stages run forward)"
            )
        if stage.run_to_month > config.months:
            raise ConfigError(
                f"{source}: {label}: run_to_month: {stage.run_to_month} is beyond the {config.months} months "
                f"scenario {lesson.scenario!r} runs"
            )
        previous = stage.run_to_month
        named = [("highlight", n) for n in stage.highlight] + [
            (f"check[{j}].institution", f.institution) for j, f in enumerate(stage.check) if f.institution is not None
        ]
        for field, name in named:
            if name not in names:
                raise ConfigError(
                    f"{source}: {label}: {field}: unknown institution {name!r}; "
                    f"scenario {lesson.scenario!r} has {sorted(names)}"
                )
    return config


# --------------------------------------------------------------------------- facts and events
def stage_months(lesson: Lesson, index: int) -> tuple[int, int]:
    """The months stage ``index`` covers: from after the previous stage's month to its own."""
    start = lesson.stages[index - 1].run_to_month + 1 if index > 0 else 1
    return start, lesson.stages[index].run_to_month


def stage_events(model: ContagionModel, lesson: Lesson, index: int, limit: int = 40) -> list[Event]:
    """The events that explain stage ``index``, oldest first: those of the stage's months, of the
    stage's ``explain_kinds`` (all kinds if none), involving a highlighted institution (any
    institution if none are highlighted).
    """
    stage = lesson.stages[index]
    first, last = stage_months(lesson, index)
    kinds = set(stage.explain_kinds) if stage.explain_kinds else None
    who = set(stage.highlight)
    chosen = [
        e
        for e in model.events
        if first <= e.month <= last
        and (kinds is None or e.kind in kinds)
        and (not who or e.actor in who or e.counterparty in who)
    ]
    return chosen[:limit]


@dataclass(frozen=True)
class FactResult:
    """One ``check`` fact of a stage, as a sentence, and whether this run bears it out."""

    text: str
    holds: bool


def check_stage(model: ContagionModel, lesson: Lesson, index: int, lang: str = DEFAULT_LANGUAGE) -> list[FactResult]:
    """Check the facts of stage ``index`` against ``model`` (which must have run to its month);
    each fact's sentence in ``lang`` (``simulator.words.FACT_SENTENCES``).
    """
    stage = lesson.stages[index]
    first, last = stage_months(lesson, index)
    if model.month < last:
        raise ValueError(f"the model is at month {model.month}; stage {index + 1} needs it run to month {last}")
    _ = gettext_for(check_language(lang), "app")

    def sentence(key: str, **values: object) -> str:
        return _(FACT_SENTENCES[key]).format(**values)

    span = sentence("one_month", month=last) if first == last else sentence("months", first=first, last=last)
    results = []
    for fact in stage.check:
        if isinstance(fact, StatusFact):
            status = str(model.institutions[model.index_of[fact.institution]].status)
            text = sentence("status", institution=fact.institution, status=status_label(fact.status, lang), month=last)
            results.append(FactResult(text, status == fact.status))
            continue
        who = fact.institution
        involved = [
            e
            for e in model.events
            if e.kind == fact.event and (who is None or who in (e.actor, e.counterparty)) and first <= e.month <= last
        ]
        kind = event_kind_label(fact.event, lang)
        involving = "_involving" if who else ""
        if not fact.happened:
            key, holds = "none", not involved
        elif fact.first:
            earliest = next((e for e in model.events if e.kind == fact.event), None)
            key = "first"
            holds = (
                bool(involved)
                and earliest is not None
                and (who is None or who in (earliest.actor, earliest.counterparty))
            )
        else:
            key, holds = ("some_vowel" if event_kind_label(fact.event)[0] in "aeiou" else "some"), bool(involved)
        results.append(FactResult(sentence(key + involving, kind=kind, institution=who, span=span), holds))
    return results


def answer_holds(results: Sequence[FactResult]) -> bool:
    """True if every fact of a stage holds in the run."""
    return all(r.holds for r in results)
