"""The ``app`` and ``events`` catalogues (simulator/locale/zh_CN/LC_MESSAGES/{app,events}.po):
every message the code marks has a checked Chinese translation that keeps its placeholders, the
catalogues are what a fresh extraction gives (scripts/update_catalogues.py), and the Chinese
reaches the user: event sentences of a real run, ``aicontagion run --lang zh``, the report and
the app's labels. (The browser test is tests/browser/test_chinese_pages.py.)
"""

from __future__ import annotations

import inspect
import io
import json
import re
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from simulator import cli
from simulator.events import Event, event_sentence, render_sentence
from simulator.i18n import LANGUAGES, LOCALES, PYTHON_SOURCES, catalogue_path, extract_python, updated_catalogue
from simulator.model import ContagionModel

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = tuple(PYTHON_SOURCES)  # app, events
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def catalogue(domain: str):
    with catalogue_path("zh", domain).open("rb") as po:
        return read_po(po, locale=LOCALES["zh"], domain=domain)


def placeholders(text: str) -> Counter:
    """The ``{name:spec}`` fields of a message, with their format specs (a multiset)."""
    return Counter((name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None)


def markup(text: str) -> Counter:
    """The HTML tags and rich markup (``[bold]``) of a message (a multiset)."""
    return Counter(re.findall(r"</?[a-z]+[^>]*>|\[/?bold\]", text))


def has_chinese(text: str) -> bool:
    return CHINESE.search(text) is not None


# ----------------------------------------------------------------------------- the catalogues


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_has_a_chinese_translation(domain):
    translated = {m.id: m for m in catalogue(domain) if m.id}
    problems = []
    for message in extract_python(domain):
        if not message.id:
            continue
        entry = translated.get(message.id)
        where = ", ".join(sorted({path for path, _ in message.locations}))
        if entry is None:
            problems.append(f"not in the catalogue: {message.id!r} ({where})")
        elif not entry.string:
            problems.append(f"not translated: {message.id!r} ({where})")
        elif entry.fuzzy:
            problems.append(f"fuzzy (check and unmark it): {message.id!r} ({where})")
    assert not problems, (
        f"{catalogue_path('zh', domain)}: run scripts/update_catalogues.py, translate, see docs/translating.md:\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_placeholders_and_markup(domain):
    problems = []
    for m in catalogue(domain):
        if not m.id or not m.string:
            continue
        if placeholders(m.id) != placeholders(m.string):
            problems.append(f"{m.id!r}: placeholders {sorted(placeholders(m.id))} vs {sorted(placeholders(m.string))}")
        if markup(m.id) != markup(m.string):
            problems.append(f"{m.id!r}: markup {sorted(markup(m.id))} vs {sorted(markup(m.string))}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogue_is_what_a_fresh_extraction_gives(domain):
    path = catalogue_path("zh", domain)
    existing = path.read_bytes()
    fresh = updated_catalogue(extract_python(domain), "zh", domain, existing)
    if fresh != existing:
        old = {m.id for m in read_po(io.BytesIO(existing), locale="zh_CN") if m.id}
        new = {m.id for m in read_po(io.BytesIO(fresh), locale="zh_CN") if m.id}
        pytest.fail(
            f"{path} is stale: run scripts/update_catalogues.py and translate the new entries "
            f"(docs/translating.md). New in the code: {sorted(new - old)}; no longer in the code: {sorted(old - new)}"
        )


def test_the_update_script_changes_nothing_when_up_to_date():
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_catalogues.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "app.po: up to date; 0 to translate" in done.stdout
    assert "events.po: up to date; 0 to translate" in done.stdout


def test_headers_say_the_language():
    for domain in DOMAINS:
        text = catalogue_path("zh", domain).read_text(encoding="utf-8")
        assert '"Language: zh_CN\\n"' in text and '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
        assert "#: simulator/" in text  # extracted, with the files each message is in


def test_a_stale_catalogue_is_reported_with_its_new_message(tmp_path):
    # An English text edited in the code: the update keeps the old translations and brings the
    # new message in untranslated or fuzzy, which the completeness test names.
    existing = catalogue_path("zh", "events").read_bytes()
    template = extract_python("events")
    template.add("{company} went bust owing {owed:money}", locations=[("simulator/phases/x.py", 1)])
    fresh = updated_catalogue(template, "zh", "events", existing)
    assert fresh != existing
    entry = read_po(io.BytesIO(fresh), locale="zh_CN").get("{company} went bust owing {owed:money}")
    assert entry is not None and (not entry.string or entry.fuzzy)


# ----------------------------------------------------------------------------- event sentences


def _templates(template: str, params: dict, out: set[str]) -> None:
    out.add(template)
    for value in params.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and "template" in item:
                _templates(item["template"], item["params"], out)


@pytest.fixture(scope="module")
def cascade() -> ContagionModel:
    model = ContagionModel("neocloud_default", rng=42)
    model.run_for(12)
    return model


def test_events_of_a_real_run_read_in_chinese(cascade):
    assert len(cascade.events) > 50
    extracted = {m.id for m in extract_python("events") if m.id}
    used: set[str] = set()
    for event in cascade.events:
        _templates(event.template, event.params, used)
        assert event_sentence(event, "en") == event.message
        assert render_sentence(event.template, event.params, "en") == event.message
        zh = event_sentence(event, "zh")
        assert has_chinese(zh), zh
        assert "{" not in zh and "}" not in zh, zh
        assert event.actor in zh or event.actor == "markets"  # names stay as they are
    assert used <= extracted, f"templates not marked for extraction: {used - extracted}"
    defaults = [e for e in cascade.events if e.kind == "default"]
    assert defaults and event_sentence(defaults[0], "zh").startswith(f"{defaults[0].actor}违约")


def test_a_saved_run_keeps_what_renders_its_sentences(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["run", "neocloud_default", "--months", "6", "--out", str(out), "--quiet"]) == 0
    saved = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert saved and all(e["template"] and isinstance(e["params"], dict) for e in saved)
    for data in saved:
        assert event_sentence(data, "en") == data["message"]
        assert has_chinese(event_sentence(data, "zh"))
        assert event_sentence(Event(**data), "zh") == event_sentence(data, "zh")
    summary = json.loads((out / "summary.json").read_text())
    assert has_chinese(event_sentence(summary["first_default"], "zh"))
    assert all(has_chinese(event_sentence(e, "zh")) for e in summary["top_events"])


def test_an_event_saved_without_its_template_reads_in_english():
    old = {"message": "CoreWeave defaulted owing $13.8B"}  # an events.jsonl line from before
    assert event_sentence(old, "zh") == old["message"]
    with pytest.raises(Exception, match="lang: 'fr'"):
        event_sentence(old, "fr")


# ----------------------------------------------------------------------------- the command line


def test_run_lang_zh_prints_chinese(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["run", "neocloud_default", "--months", "6", "--out", str(out), "--lang", "zh"]) == 0
    printed = capsys.readouterr().out
    for words in ("各部门违约与损失", "GPU二级市场价格", "首次违约", "最重要的", "发生了什么", "CoreWeave违约"):
        assert words in printed
    assert "Defaults and losses by sector" not in printed and "{" not in printed
    # English is the default, and unchanged by the translations.
    assert cli.main(["run", "neocloud_default", "--months", "6", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Defaults and losses by sector" in printed and not has_chinese(printed)


@pytest.mark.parametrize(
    "argv",
    [["run", "--lang", "fr"], ["app", "--lang", "zh_TW"], ["report", "runs/x", "--lang", "EN"], ["run", "--lang"]],
)
def test_a_bad_language_is_a_clear_error(argv, capsys):
    assert cli.main(argv) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "--lang" in err and "Traceback" not in err
    if len(argv) > 2:
        assert "must be one of en (English), zh (Simplified Chinese)" in err and repr(argv[-1]) in err
    else:
        assert "en (English, the default) or zh (Simplified Chinese)" in err  # the option's help


def test_cli_languages_are_the_translated_ones():
    assert list(cli.LANGUAGE_CHOICES) == list(LANGUAGES)


def test_report_lang_zh(tmp_path):
    from simulator.cli.report import build_report

    out = tmp_path / "run"
    assert cli.main(["run", "neocloud_default", "--months", "6", "--out", str(out), "--quiet"]) == 0
    zh = build_report(out, "zh")
    assert "<html lang='zh-Hans'>" in zh
    for words in ("相对于反事实情景的主要指标", "重要事件时间线", "逐月交易网络", "CoreWeave违约", "指标的含义"):
        assert words in zh
    assert "Headline measures against the counterfactual" not in zh
    data = json.loads(re.search(r"<script type='application/json' id='rp-data'>(.*?)</script>", zh).group(1))
    assert data["words"]["month"] == "第{month}个月" and data["status_labels"]["defaulted"] == "已违约"
    en = build_report(out)
    assert "<html lang='en'>" in en and not has_chinese(en.split("<script type='application/json'")[0])
    assert cli.main(["report", str(out), "--lang", "zh", "--out", str(tmp_path / "zh.html")]) == 0
    assert "重要事件时间线" in (tmp_path / "zh.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the app


def test_app_language_comes_from_the_address_then_the_server():
    from simulator.app import session

    # (Solara's router gives the address's query without its "?")
    assert session.language_from_query("lesson=ai_winter&lang=zh") == ("zh", None)
    assert session.language_from_query("lesson=x") == (None, None)
    lang, error = session.language_from_query("lang=fr")
    assert lang is None and "'fr'" in error and "zh (简体中文)" in error
    assert session.session_language("lang=fr") == ("en", error)  # the page says why, in English
    assert session.session_language("lang=zh") == ("zh", None)


def test_app_server_passes_the_language(monkeypatch):
    from simulator.app import params
    from simulator.app.server import server_env

    assert server_env(lang="zh", base={})["AICONTAGION_LANG"] == "zh"
    with pytest.raises(ValueError, match="lang: 'fr'"):
        server_env(lang="fr", base={})
    monkeypatch.setenv(params.LANGUAGE_ENV, "zh")
    assert params.initial_language() == "zh"
    monkeypatch.setenv(params.LANGUAGE_ENV, "klingon")
    assert params.initial_language() == "en"


def test_slider_and_switch_labels_are_translated():
    from simulator.app import params

    config = params.scenario_config("baseline_2025")
    labels = {k: v["label"] for k, v in params.model_params_for(config, "baseline_2025", 42, lang="zh").items()
              if isinstance(v, dict)}  # fmt: skip
    assert labels and all(has_chinese(label) for label in labels.values()), labels
    english = params.model_params_for(config, "baseline_2025", 42)
    assert english["gpu_depreciation_per_year"]["label"] == "GPU depreciation (%/yr)"
    assert english["ltv_covenants"]["label"] == "Channel: LTV covenants"


def test_panels_render_in_chinese(cascade):
    from simulator.app.chart_svg import timeseries_html
    from simulator.app.markup import inspector_html
    from simulator.app.network_svg import _legend_html, network_svg

    html = inspector_html(cascade, "CoreWeave", "zh")
    assert "资产负债表" in html and "新型云服务商" in html and "已违约" in html
    assert "GPU价格（每块千美元）" in timeseries_html(cascade.datacollector.get_model_vars_dataframe(), "zh")
    assert "超大规模云服务商" in network_svg(cascade, "CoreWeave", [], lang="zh")
    assert "已违约" in _legend_html(cascade, {"loan"}, "zh")


def test_mesa_labels_translated_are_mesas():
    # The page translates SolaraViz's own labels by their English text: if Mesa renames one,
    # this says which.
    from mesa.visualization import solara_viz

    from simulator.app.page import MESA_LABELS

    source = inspect.getsource(solara_viz)
    assert not [label for label in MESA_LABELS if f'"{label}"' not in source]
    assert 'f"Time: {model.time}"' in source


def test_a_pick_made_in_one_language_reads_in_the_other(monkeypatch):
    # A student picks a choice, then switches the page's language: the pick is still the same choice.
    from types import SimpleNamespace

    from simulator.app import lessons as app_lessons

    choices = {"en": ["It waives", "It accelerates"], "zh": ["豁免", "加速到期"]}
    spec = {lang: SimpleNamespace(stages=[SimpleNamespace(choices=c)]) for lang, c in choices.items()}
    monkeypatch.setattr(app_lessons, "lesson_spec", lambda name, lang="en": spec[lang])
    assert app_lessons._in_this_language("x", 0, "It accelerates", choices["zh"]) == "加速到期"
    assert app_lessons._in_this_language("x", 0, "豁免", choices["en"]) == "It waives"
    assert app_lessons._in_this_language("x", 0, "", choices["zh"]) == ""


def test_sentence_values_are_not_sweep_measures(cascade):
    from simulator.sweep.measures import absent_figures, measures

    assert not [name for name in measures(cascade) if ".params" in name or ".template" in name]
    assert not [name for name in absent_figures(cascade) if ".params" in name]


def test_every_translated_literal_is_marked_for_extraction():
    # gettext_for(lang, "app")("...") translates a literal the extractor cannot see (it looks for
    # _("...") and N_("...")): write _ = gettext_for(lang, "app") and then _("...").
    hidden = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "simulator").rglob("*.py"))
        for match in re.finditer(r"gettext_for\([^)]*\)\(\s*[\"']", path.read_text(encoding="utf-8"))
    ]
    assert not hidden, hidden


def test_a_shocks_meaning_reads_in_both_languages():
    """The run report's table of shocks says what each does, with its size, month and target."""
    from simulator.words import shock_meaning

    assert shock_meaning("ai_growth", 0.1, 3, None) == "AI revenue growth per year becomes 0.1 from month 3 on"
    assert shock_meaning("ai_growth", 0.1, 3, None, "zh") == "从第3个月起，AI收入的年增长率变为0.1"
    assert shock_meaning("failure", 1.0, 3, "CoreWeave", "zh") == "CoreWeave倒闭：进入处置程序"
    assert shock_meaning("depreciation", 0.2, 3, None) == "every generation depreciates 0.2 faster per year"


def test_the_run_s_figures_read_in_chinese(tmp_path, monkeypatch):
    """``run --lang zh`` draws its PNG figures in Chinese, in a font that covers it; without such
    a font they are drawn in English (rather than in boxes).
    """
    from matplotlib.text import Text

    from simulator import ContagionModel
    from simulator.cli import plots

    model = ContagionModel("neocloud_default", rng=0)
    model.run_for(4)
    df = model.datacollector.get_model_vars_dataframe()
    titles = [ax.get_title() for ax in plots.timeseries_panel(df, lang="zh").axes]
    assert titles and all(CHINESE.search(t) for t in titles), titles
    network = plots.network_figure(model.deal_graph(), lang="zh")
    texts = [t for t in network.findobj(Text) if t.get_text()]
    assert any(t.get_text() == "循环交易" for t in texts)
    assert all("CJK" in t.get_fontfamily()[0] for t in texts)

    assert (
        cli.main(["run", "neocloud_default", "--months", "4", "--lang", "zh", "--out", str(tmp_path / "zh"), "--quiet"])
        == 0
    )
    assert cli.main(["run", "neocloud_default", "--months", "4", "--out", str(tmp_path / "en"), "--quiet"]) == 0
    for png in ("timeseries.png", "network.png"):
        assert (tmp_path / "zh" / png).read_bytes() != (tmp_path / "en" / png).read_bytes(), png

    monkeypatch.setattr(plots, "_cjk_font", lambda: None)
    titles = [ax.get_title() for ax in plots.timeseries_panel(df, lang="zh").axes]
    assert titles[0] == "GPU secondary-market price"
