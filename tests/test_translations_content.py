"""The lessons, the glossary and the handout read in Simplified Chinese, completely and up to date.

The English texts are re-extracted from their sources (``configs/lessons/*.yaml``,
``docs/teaching/glossary.md`` and ``handout.md``) on every run, so an English text edited without
being translated fails here, naming the file, the line and the text. Each translation keeps the
source's placeholders and Markdown markup (links, code spans, bold, italics: compared on the
rendered HTML, so markup a Chinese sentence breaks is caught too). The catalogues and the Chinese
pages must be exactly what ``scripts/update_content_catalogues.py`` writes. Every shipped lesson
loads in Chinese with its answer still one of its choices, and every glossary term of issue 13
has a Chinese entry with the standard term.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from markdown_it import MarkdownIt  # a dependency of rich

import simulator.content_catalogues as content
import simulator.lessons as lessons_module
from simulator.config import load_scenario, scenario_names
from simulator.content_catalogues import (
    CONTENT_DOMAINS,
    TEACHING_DIR,
    TEACHING_PAGES,
    Block,
    LanguageSwitch,
    TableRow,
    Verbatim,
    extract_lesson,
    generated_files,
    missing_translations,
    parse_markdown,
)
from simulator.i18n import catalogue_path, scenario_description
from simulator.lessons import LESSON_DIR, lesson_names, load_lesson, translate_lesson

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}|%\([A-Za-z_]\w*\)[sdifr]")
MARKDOWN = MarkdownIt("commonmark")


def _catalogue(domain: str) -> Catalog:
    with catalogue_path("zh", domain).open("rb") as po:
        return read_po(po, locale="zh_CN", domain=domain)


def _markup(text: str) -> tuple:
    """What a translation must keep: placeholders, code spans, link targets, bold and italic spans."""
    html = MARKDOWN.renderInline(text)
    return (
        sorted(PLACEHOLDER.findall(text)),
        sorted(re.findall(r"<code>(.*?)</code>", html)),
        sorted(re.findall(r'<a href="([^"]*)"', html)),
        html.count("<strong>"),
        html.count("<em>"),
    )


def _where(message) -> str:
    return ", ".join(f"{file}:{line}" for file, line in message.locations)


# --------------------------------------------------------------------------- completeness
@pytest.mark.parametrize("domain", CONTENT_DOMAINS)
def test_every_message_has_a_checked_chinese_translation(domain):
    missing = missing_translations(domain)
    assert not missing, (
        f"{len(missing)} {domain} message(s) without a Chinese translation (run "
        "scripts/update_content_catalogues.py, write the Chinese into each msgstr of "
        f"{catalogue_path('zh', domain).relative_to(ROOT)}, remove '#, fuzzy'):\n" + "\n".join(missing)
    )


def test_an_edited_lesson_text_is_named_as_untranslated(tmp_path, monkeypatch):
    for path in LESSON_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    edited = tmp_path / "backstop.yaml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("title: A year on", "title: A year and a day on"), encoding="utf-8")
    monkeypatch.setattr(content, "LESSON_DIR", tmp_path)
    missing = missing_translations("lessons")
    assert len(missing) == 1
    assert "configs/lessons/backstop.yaml:" in missing[0]
    assert "'A year and a day on'" in missing[0]
    assert "not in the catalogue" in missing[0]


@pytest.mark.parametrize("domain", CONTENT_DOMAINS)
def test_every_translation_keeps_the_placeholders_and_markup(domain):
    broken = [
        f"{_where(m)}: {m.id!r}\n  English {_markup(m.id)}\n  Chinese {_markup(m.string)}"
        for m in _catalogue(domain)
        if m.id and m.string and _markup(m.id) != _markup(m.string)
    ]
    assert not broken, "translations that lose or change markup:\n" + "\n".join(broken)


def test_the_markup_check_sees_what_a_translation_breaks():
    source = "**Plain:** see `ltv` and [the list](calibration_sources.md), *Inspector*, {name}."
    assert _markup(source) == _markup("**通俗地说**：见 `ltv` 和[清单](calibration_sources.md)、*检查器*、{name}。")
    # bold closed after a full-width colon and before a Chinese character is not bold in Markdown
    assert _markup(source) != _markup("**通俗地说：**见 `ltv` 和[清单](calibration_sources.md)、*检查器*、{name}。")
    assert _markup(source) != _markup("**通俗地说**：见 ltv 和[清单](calibration_sources.md)、*检查器*、{name}。")
    assert _markup(source) != _markup("**通俗地说**：见 `ltv` 和[清单](glossary.md)、*检查器*、{name}。")
    assert _markup(source) != _markup("**通俗地说**：见 `ltv` 和[清单](calibration_sources.md)、*检查器*、{名称}。")


@pytest.mark.parametrize("domain", CONTENT_DOMAINS)
def test_every_translation_is_chinese(domain):
    names = set()
    for name in lesson_names():
        lesson = load_lesson(name)
        names |= set(load_scenario(lesson.scenario, **lesson.levers).institutions)
    english = [
        f"{_where(m)}: {m.string!r}"
        for m in _catalogue(domain)
        if m.id and m.string and not CJK.search(m.string) and not (domain == "lessons" and m.string in names)
    ]
    assert not english, "translations with no Chinese (only institutions' names may stay English):\n" + "\n".join(
        english
    )


# --------------------------------------------------------------------------- up to date
def test_the_catalogues_and_the_chinese_pages_are_up_to_date():
    stale = [
        str(path.relative_to(ROOT))
        for path, content_bytes in generated_files().items()
        if not path.exists() or path.read_bytes() != content_bytes
    ]
    assert not stale, f"stale: {stale}; run python scripts/update_content_catalogues.py"


def test_the_update_script_changes_nothing_when_up_to_date():
    result = subprocess.run(
        [sys.executable, "scripts/update_content_catalogues.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_catalogues_are_real_gettext_files():
    for domain in CONTENT_DOMAINS:
        text = catalogue_path("zh", domain).read_text(encoding="utf-8")
        assert '"Language: zh_CN\\n"' in text
        assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
        reference = {"lessons": "#: configs/lessons/", "scenarios": "#: configs/ai_crash.yaml:"}
        assert reference.get(domain, "#: docs/teaching/glossary.md:") in text
        assert "#, python-format" not in text  # "10% a year" is not a format string


# --------------------------------------------------------------------------- lessons
def test_the_extractor_finds_exactly_what_translate_lesson_translates(monkeypatch):
    for name in lesson_names():
        asked: list[str] = []

        def recorder(lang, domain, asked=asked):
            assert domain == "lessons"
            return lambda text: asked.append(text) or text

        monkeypatch.setattr(lessons_module, "gettext_for", recorder)
        translate_lesson(load_lesson(name), "zh")
        with (LESSON_DIR / f"{name}.yaml").open("rb") as fileobj:
            extracted = [message for _line, _f, message, _c in extract_lesson(fileobj, (), (), {"name": name})]
        assert Counter(extracted) == Counter(asked), name


def test_the_lesson_extractor_names_file_line_and_stage():
    with (LESSON_DIR / "ai_winter.yaml").open("rb") as fileobj:
        found = list(extract_lesson(fileobj, (), (), {"name": "ai_winter"}))
    lines = (LESSON_DIR / "ai_winter.yaml").read_text(encoding="utf-8").splitlines()
    by_text = {message: (line, comments) for line, _f, message, comments in found}
    line, comments = by_text["The slow squeeze"]
    assert lines[line - 1].strip() == "- title: The slow squeeze"
    assert comments == ["ai_winter: stage 2 (The slow squeeze): title"]
    assert by_text["Gates redemptions (investors must wait)"][1] == [
        "ai_winter: stage 2 (The slow squeeze): answer"
    ]  # the answer comes last: the choice it repeats is the same message


@pytest.mark.parametrize("name", lesson_names())
def test_every_lesson_reads_in_chinese(name):
    english, chinese = load_lesson(name), load_lesson(name, lang="zh")
    institutions = set(load_scenario(english.scenario, **english.levers).institutions)

    def check(text: str, source: str, where: str) -> None:
        assert CJK.search(text) or (text == source and text in institutions), f"{name}: {where}: {text!r}"

    check(chinese.title, english.title, "title")
    check(chinese.intro, english.intro, "intro")
    for number, (en, zh) in enumerate(zip(english.stages, chinese.stages, strict=True), start=1):
        for field in ("title", "narrative", "question", "reveal", "answer"):
            check(getattr(zh, field), getattr(en, field), f"stage {number}: {field}")
        for choice_zh, choice_en in zip(zh.choices, en.choices, strict=True):
            check(choice_zh, choice_en, f"stage {number}: choices")
        assert zh.answer in zh.choices, f"{name}: stage {number}: answer {zh.answer!r} not in {zh.choices}"
        assert zh.choices.index(zh.answer) == en.choices.index(en.answer)
        assert len(set(zh.choices)) == len(zh.choices), f"{name}: stage {number}: two choices read the same"
        assert (zh.run_to_month, zh.highlight, zh.check) == (en.run_to_month, en.highlight, en.check)
    assert (chinese.scenario, chinese.seed, chinese.levers) == (english.scenario, english.seed, english.levers)


def test_a_chinese_stage_reads_as_written():
    stage = load_lesson("gpu_collateral_spiral", lang="zh").stages[2]
    assert stage.title == "豁免还是加速到期？"
    assert stage.answer == "宣布贷款加速到期（全部立即到期）"
    assert "Miner Beta" in stage.narrative and "Blue Owl" in stage.reveal  # names stay as the facts use them


# --------------------------------------------------------------------------- teaching pages
GLOSSARY_TERMS = {  # issue 13's terms: (the English heading, the standard Chinese term)
    "LTV": ("LTV (loan to value)", "贷款价值比"),
    "DSCR": ("DSCR (debt-service coverage ratio)", "偿债覆盖率"),
    "covenant": ("Covenant", "契约条款"),
    "waiver": ("Waiver", "豁免"),
    "acceleration": ("Acceleration", "加速到期"),
    "fire sale": ("Fire sale", "甩卖"),
    "clearing vector": ("Clearing vector", "清算向量"),
    "DebtRank": ("DebtRank", "DebtRank"),
    "SPV": ("SPV (special-purpose vehicle)", "特殊目的载体"),
    "ABS tranche": ("ABS tranche", "资产支持证券分层"),
    "round-tripping": ("Round-tripping", "循环交易"),
    "private credit": ("Private credit", "私募信贷"),
    "gate": ("Gate", "赎回闸门"),
    "margin call": ("Margin call", "追加保证金"),
    "counterfactual": ("Counterfactual", "反事实"),
}


@pytest.mark.parametrize("term", GLOSSARY_TERMS)
def test_every_glossary_term_has_a_chinese_entry(term):
    heading, chinese_term = GLOSSARY_TERMS[term]
    assert f"### {heading}\n" in (TEACHING_DIR / "glossary.md").read_text(encoding="utf-8")
    translation = _catalogue("teaching")[heading].string
    assert CJK.search(translation) and chinese_term in translation, f"{heading!r} -> {translation!r}"
    page = (TEACHING_DIR / "zh" / "glossary.md").read_text(encoding="utf-8")
    anchor = content.heading_anchor(heading)
    assert f'<a id="{anchor}"></a>\n### {translation}\n' in page  # the term list's link still lands here
    assert f"(#{anchor})" in page


@pytest.mark.parametrize("page", TEACHING_PAGES)
def test_the_chinese_pages_link_to_what_exists(page):
    zh_page = TEACHING_DIR / "zh" / page
    text = zh_page.read_text(encoding="utf-8")
    assert f"[English](../{page})" in text
    assert f"[简体中文](zh/{page})" in (TEACHING_DIR / page).read_text(encoding="utf-8")
    assert f"(zh/{page})" in (TEACHING_DIR / "README.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith("#"):
            assert target[1:] in anchors, f"{page}: {target}"
        elif not target.startswith(("http://", "https://")):
            assert (zh_page.parent / target.split("#")[0]).exists(), f"{page}: {target}"
    assert "```bash\naicontagion scenarios" in text or page != "handout.md"  # code stays as it is


def test_markdown_is_split_into_blocks_that_translate_well():
    page = (
        "# Title\n\n**English** · [简体中文](zh/x.md)\n\nA paragraph\nwrapped on two lines.\n\n"
        "1. **shocks** hit\n   (continued);\n2. second\n\n```bash\naicontagion run x  # a comment\n```\n\n"
        "| file | what |\n|---|---|\n| `a.md` | one `a|b` cell |\n\n---\n"
    )
    segments = parse_markdown(page)
    blocks = [s for s in segments if not isinstance(s, Verbatim)]
    assert blocks == [
        Block("heading", 1, "# ", "Title"),
        LanguageSwitch("x.md"),
        Block("paragraph", 5, "", "A paragraph wrapped on two lines."),
        Block("list item", 8, "1. ", "**shocks** hit (continued);"),
        Block("list item", 10, "2. ", "second"),
        TableRow(16, ("file", "what")),
        TableRow(18, ("`a.md`", "one `a|b` cell")),
    ]
    assert Verbatim("```bash\naicontagion run x  # a comment\n```") in segments


@pytest.mark.parametrize("name", scenario_names())
def test_every_shipped_scenario_describes_itself_in_chinese(name):
    """The description the app, ``run --lang zh`` and the report show is found in the
    ``scenarios`` catalogue (the lookup collapses whitespace as the extractor does).
    """
    description = load_scenario(name).description
    chinese = scenario_description(description, "zh")
    assert chinese != " ".join(description.split()) and CJK.search(chinese), (name, chinese)
    assert scenario_description(description, "en") == " ".join(description.split())
