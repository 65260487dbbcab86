"""The ``lessons``, ``scenarios`` and ``teaching`` catalogues: extraction, update and the
translated Markdown.

Two Babel extractors (functions with Babel's extractor signature, run through
:func:`babel.messages.extract.extract`) find the English texts:

* :func:`extract_lesson` reads a lesson's YAML (``configs/lessons/*.yaml``) and yields exactly the
  texts :func:`simulator.lessons.translate_lesson` translates: the fields named by
  :data:`~simulator.lessons.LESSON_TEXTS`, :data:`~simulator.lessons.STAGE_TEXTS` and
  :data:`~simulator.lessons.STAGE_CHOICE_TEXTS` (each choice of the list), each with its line and
  a comment naming the lesson, the stage and the field.
* :func:`extract_scenario` reads a scenario's YAML (``configs/*.yaml``) and yields its
  ``description``, whitespace collapsed (:func:`simulator.i18n.scenario_description` looks it up
  the same way).
* :func:`extract_markdown` reads a teaching page (``docs/teaching/glossary.md``, ``handout.md``)
  block by block, as po4a does: each heading, paragraph, list item and table cell is one message;
  code blocks, horizontal rules and HTML comments are not text to translate and stay as they are.
  A paragraph or list item's lines are joined by one space, so re-wrapping the English does not
  change the message. A table is split into cells (not rows) so that a translator never has to
  keep a row's ``|`` layout intact: the renderer does that.

:func:`updated_catalogue` builds the template from the sources and merges it into the Chinese
catalogue with :meth:`babel.messages.catalog.Catalog.update` (a changed English text keeps its old
translation as a *fuzzy* suggestion, which counts as untranslated until a translator checks it);
:func:`catalogue_bytes` writes it as the ``.po`` file's exact bytes. :func:`render_markdown` writes
a teaching page in another language from the English page and the catalogue: the Chinese pages
``docs/teaching/zh/*.md`` are generated, never edited by hand.
``scripts/update_content_catalogues.py`` runs all of it; ``tests/test_translations_content.py``
checks the files are complete and up to date. This is a tool for a source checkout (the teaching
pages do not ship in the wheel).
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from simulator.config import CONFIG_DIR
from simulator.i18n import LOCALES, catalogue_path, check_language
from simulator.lessons import LESSON_DIR, LESSON_TEXTS, STAGE_CHOICE_TEXTS, STAGE_TEXTS

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the references in the catalogues are relative to it)."""

TEACHING_DIR = ROOT / "docs" / "teaching"
TEACHING_PAGES = ("glossary.md", "handout.md")
"""The teaching pages translated through the ``teaching`` catalogue (in ``docs/teaching/``)."""

CONTENT_DOMAINS = ("lessons", "scenarios", "teaching")
"""The catalogues this module keeps: the guided lessons, the scenarios' descriptions and the
teaching pages."""

_DESCRIPTIONS = {
    "lessons": "the guided lessons (configs/lessons/*.yaml)",
    "scenarios": "the scenarios' descriptions (configs/*.yaml)",
    "teaching": "the glossary and the handout",
}

Extraction = tuple[int, str | None, str, list[str]]
"""What a Babel extractor yields: (line, function name, message, comments)."""


# --------------------------------------------------------------------------- lessons
def extract_lesson(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extraction]:
    """Babel extractor for a lesson file: every text a reader sees, with its line and a comment
    ``"<lesson> title"`` or ``"<lesson> stage 2 (The slow squeeze): narrative"``.
    """
    text = fileobj.read().decode("utf-8")
    lesson = str(options.get("name", "lesson"))
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return
    fields = _mapping(root)
    for name in LESSON_TEXTS:
        yield from _texts(fields.get(name), f"{lesson}: {name}")
    stages = fields.get("stages")
    if not isinstance(stages, yaml.SequenceNode):
        return
    for number, stage in enumerate(stages.value, start=1):
        if not isinstance(stage, yaml.MappingNode):
            continue
        stage_fields = _mapping(stage)
        title = stage_fields.get("title")
        label = f"stage {number}" + (f" ({title.value})" if isinstance(title, yaml.ScalarNode) else "")
        for name in STAGE_TEXTS + STAGE_CHOICE_TEXTS:
            yield from _texts(stage_fields.get(name), f"{lesson}: {label}: {name}")


def extract_scenario(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extraction]:
    """Babel extractor for a scenario file: its ``description`` (whitespace collapsed, as
    :func:`simulator.i18n.scenario_description` looks it up), with a comment naming the scenario.
    """
    root = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        return
    for line, function, text, comments in _texts(
        _mapping(root).get("description"), f"{options.get('name')}: description"
    ):
        yield line, function, " ".join(text.split()), comments


def _mapping(node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _texts(node: yaml.Node | None, where: str) -> Iterator[Extraction]:
    """The string scalars of ``node`` (one, or each item of a list), 1-based lines."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:str" and item.value.strip():
            yield item.start_mark.line + 1, None, item.value, [where]


# --------------------------------------------------------------------------- Markdown
@dataclass(frozen=True)
class Verbatim:
    """Lines kept as they are: blank lines, code blocks, rules, HTML comments, table separators."""

    text: str


@dataclass(frozen=True)
class Block:
    """One message: ``prefix`` (e.g. ``"### "``, ``"1. "``) + ``text`` on one line of the output."""

    kind: str
    line: int
    prefix: str
    text: str


@dataclass(frozen=True)
class TableRow:
    """A table row: each cell is a message; the renderer rebuilds the ``|`` layout."""

    line: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class LanguageSwitch:
    """The line ``**English** · [简体中文](zh/PAGE.md)`` at the top of a translated page."""

    page: str


Segment = Verbatim | Block | TableRow | LanguageSwitch

LANGUAGE_SWITCH = re.compile(r"^\*\*English\*\* · \[简体中文\]\(zh/([\w.-]+\.md)\)$")
"""The English page's link to its Chinese page (not a message: the Chinese page links back)."""

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6}\s+)(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_LIST_ITEM = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)(.*)$")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$")


def parse_markdown(text: str) -> list[Segment]:
    """The page as segments, in order; joining their renderings gives the page back."""
    lines = text.splitlines()
    segments: list[Segment] = []
    i = 0

    def starts_block(line: str) -> bool:
        return bool(
            not line.strip()
            or _FENCE.match(line)
            or _HEADING.match(line)
            or _RULE.match(line)
            or _LIST_ITEM.match(line)
            or line.lstrip().startswith(("|", "<!--"))
        )

    while i < len(lines):
        line = lines[i]
        if not line.strip() or _RULE.match(line):
            segments.append(Verbatim(line))
            i += 1
        elif _FENCE.match(line):
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            end = i + 1
            while end < len(lines) and not lines[end].lstrip().startswith(fence):
                end += 1
            segments.append(Verbatim("\n".join(lines[i : end + 1])))
            i = end + 1
        elif line.lstrip().startswith("<!--"):
            end = i
            while end < len(lines) and "-->" not in lines[end]:
                end += 1
            segments.append(Verbatim("\n".join(lines[i : end + 1])))
            i = end + 1
        elif heading := _HEADING.match(line):
            segments.append(Block("heading", i + 1, heading.group(1), heading.group(2)))
            i += 1
        elif line.lstrip().startswith("|"):
            if _TABLE_SEPARATOR.match(line):
                segments.append(Verbatim(line))
            else:
                segments.append(TableRow(i + 1, tuple(_cells(line))))
            i += 1
        else:
            item = _LIST_ITEM.match(line)
            prefix, first = (item.group(1), item.group(2)) if item else ("", line.strip())
            parts = [first.strip()]
            end = i + 1
            while end < len(lines) and not starts_block(lines[end]):
                parts.append(lines[end].strip())
                end += 1
            joined = " ".join(parts)
            switch = LANGUAGE_SWITCH.match(joined)
            if switch and not item:
                segments.append(LanguageSwitch(switch.group(1)))
            else:
                segments.append(Block("list item" if item else "paragraph", i + 1, prefix, joined))
            i = end
    return segments


def _cells(row: str) -> list[str]:
    """A table row's cells (a ``|`` inside a code span does not split)."""
    cells, current, in_code = [], "", False
    for char in row.strip().removeprefix("|").removesuffix("|"):
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
    cells.append(current.strip())
    return cells


def extract_markdown(
    fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, Any]
) -> Iterator[Extraction]:
    """Babel extractor for a Markdown page: each heading, paragraph, list item and table cell, with
    its line and a comment naming its kind (``type: heading`` ...).
    """
    for segment in parse_markdown(fileobj.read().decode("utf-8")):
        if isinstance(segment, Block):
            yield segment.line, None, segment.text, [f"type: {segment.kind}"]
        elif isinstance(segment, TableRow):
            for cell in segment.cells:
                if cell:
                    yield segment.line, None, cell, ["type: table cell"]


def heading_anchor(text: str) -> str:
    """The anchor GitHub gives a heading: ``"LTV (loan to value)"`` -> ``"ltv-loan-to-value"``."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")


def render_markdown(page: str, lang: str, translate: Callable[[str], str]) -> str:
    """``docs/teaching/<page>`` in ``lang`` (``docs/teaching/<lang>/<page>``): every block replaced
    by ``translate`` of it, relative links pointing back up to ``docs/teaching/``, and an HTML
    anchor with the English name before each heading a link of the page points to (a translated
    heading has another anchor).
    """
    check_language(lang)
    text = (TEACHING_DIR / page).read_text(encoding="utf-8")
    linked = {target[1:] for target in _LINK_TARGET.findall(text) if target.startswith("#")}
    out = [
        f"<!-- Generated by scripts/update_content_catalogues.py from docs/teaching/{page} and "
        f"simulator/locale/{LOCALES[lang]}/LC_MESSAGES/teaching.po: edit those, not this file. -->",
        "",
    ]
    for segment in parse_markdown(text):
        if isinstance(segment, Verbatim):
            out.append(segment.text)
        elif isinstance(segment, LanguageSwitch):
            out.append(f"[English](../{page}) · **简体中文**")
        elif isinstance(segment, TableRow):
            out.append("| " + " | ".join(_relink(translate(c)) if c else c for c in segment.cells) + " |")
        else:
            if segment.kind == "heading" and heading_anchor(segment.text) in linked:
                out.append(f'<a id="{heading_anchor(segment.text)}"></a>')
            out.append(segment.prefix + _relink(translate(segment.text)))
    return "\n".join(out) + "\n"


def _relink(text: str) -> str:
    """Relative links one folder up (the translated page is in ``docs/teaching/<lang>/``)."""

    def up(match: re.Match[str]) -> str:
        target = match.group(1)
        if target.startswith(("#", "/", "http://", "https://", "mailto:")):
            return match.group(0)
        return f"]({'../' + target})"

    return _LINK_TARGET.sub(up, text)


# --------------------------------------------------------------------------- catalogues
def sources(domain: str) -> list[tuple[Path, str]]:
    """The source files of ``domain`` as (path, reference relative to the repository), sorted."""
    if domain == "lessons":
        return [(path, f"configs/lessons/{path.name}") for path in sorted(LESSON_DIR.glob("*.yaml"))]
    if domain == "scenarios":
        return [(path, f"configs/{path.name}") for path in sorted(CONFIG_DIR.glob("*.yaml"))]
    if domain == "teaching":
        return [(TEACHING_DIR / page, f"docs/teaching/{page}") for page in TEACHING_PAGES]
    raise ValueError(f"domain: {domain!r} is not one of {', '.join(CONTENT_DOMAINS)}")


def extract_template(domain: str) -> Catalog:
    """A fresh template of ``domain``: every English message of its sources, with ``#:``
    references (file:line) and ``#.`` comments (lesson, stage and field; or the block's kind).
    """
    template = Catalog(domain=domain, project="aicontagion", fuzzy=False)
    # (Babel's extractor signature)
    method: Any = {"lessons": extract_lesson, "scenarios": extract_scenario}.get(domain, extract_markdown)
    for path, reference in sources(domain):
        with path.open("rb") as fileobj:
            options = {"name": path.stem}
            for lineno, message, comments, _context in extract(method, fileobj, options=options):
                template.add(message, locations=[(reference, lineno)], auto_comments=comments)
    return template


def updated_catalogue(domain: str, lang: str = "zh") -> Catalog:
    """The ``lang`` catalogue of ``domain`` brought up to date with a fresh extraction: new
    messages empty, changed ones fuzzy with their old translation, gone ones dropped. The header's
    dates are kept, so an update that changes nothing changes no byte.
    """
    template = extract_template(domain)
    path = catalogue_path(lang, domain)
    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, locale=LOCALES[lang], domain=domain)
    else:
        catalog = Catalog(
            locale=LOCALES[lang],
            domain=domain,
            project="aicontagion",
            version=domain,
            creation_date=template.creation_date,
            revision_date=template.creation_date,
            fuzzy=False,
            last_translator="aicontagion contributors",
            language_team=f"{LOCALES[lang]} (aicontagion contributors)",
            header_comment=(
                f"# {lang} translations of {_DESCRIPTIONS[domain]} for aicontagion.\n"
                "# Updated by scripts/update_content_catalogues.py (docs/teaching/README.md says how):\n"
                "# write the translation into each msgstr; a fuzzy entry counts as untranslated."
            ),
        )
    catalog.update(template, update_creation_date=False)
    for message in catalog:
        if message.id:  # these texts are never %-formatted: "100% from month 3" is not a format
            message.flags.discard("python-format")
    return catalog


def missing_translations(domain: str, lang: str = "zh") -> list[str]:
    """Every message a fresh extraction of ``domain`` finds that the committed ``lang`` catalogue
    does not translate (absent, empty or fuzzy), as ``"file:line: state: 'text'"``.
    """
    path = catalogue_path(lang, domain)
    catalog = Catalog(locale=LOCALES[lang], domain=domain)
    if path.exists():
        with path.open("rb") as po:
            catalog = read_po(po, locale=LOCALES[lang], domain=domain)
    found = []
    for message in extract_template(domain):
        if not message.id:
            continue
        entry = catalog.get(message.id)
        state = "not in the catalogue" if entry is None else "fuzzy" if entry.fuzzy else "" if entry.string else "empty"
        if state:
            where = ", ".join(f"{file}:{line}" for file, line in message.locations)
            found.append(f"{where}: {state}: {message.id!r}")
    return found


def catalogue_bytes(catalog: Catalog) -> bytes:
    """The ``.po`` file of ``catalog``, exactly (no obsolete entries, messages in source order)."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, ignore_obsolete=True, include_previous=True)
    return buffer.getvalue()


def gettext_of(catalog: Catalog) -> Callable[[str], str]:
    """``gettext`` of ``catalog`` as :func:`simulator.i18n.translations` reads it: fuzzy and empty
    entries fall back to English.
    """
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer).gettext


def translated_page_path(page: str, lang: str) -> Path:
    """Where the ``lang`` version of a teaching page lives: ``docs/teaching/<lang>/<page>``."""
    return TEACHING_DIR / check_language(lang) / page


def generated_files(lang: str = "zh") -> dict[Path, bytes]:
    """Every file this module generates, path -> exact bytes: the two catalogues and the
    translated teaching pages (rendered from the updated ``teaching`` catalogue).
    """
    files: dict[Path, bytes] = {}
    for domain in CONTENT_DOMAINS:
        catalog = updated_catalogue(domain, lang)
        files[catalogue_path(lang, domain)] = catalogue_bytes(catalog)
        if domain == "teaching":
            translate = gettext_of(catalog)
            for page in TEACHING_PAGES:
                files[translated_page_path(page, lang)] = render_markdown(page, lang, translate).encode("utf-8")
    return files
