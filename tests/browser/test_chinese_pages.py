"""The Chinese pages in a real browser: the app opened with ``?lang=zh`` (and switched back to
English with the page's language switch), an unknown ``?lang=`` explained on the page, and the
run report written with ``aicontagion report --lang zh``.

Chromium needs a font with Chinese glyphs (fonts-noto-cjk, installed by
scripts/install_chromium.sh) for the screenshots to show characters rather than boxes; the
assertions read the page's text, not its pixels.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from simulator import cli
from tests.browser.test_app import LOAD_TIMEOUT, assert_no_traceback

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    return CHINESE.search(text) is not None


def step_in_chinese(page: Page) -> None:
    summary = page.locator("[data-testid=summary]")
    month = int(summary.get_attribute("data-month"))
    page.get_by_role("button", name="单步", exact=True).click()
    expect(summary).to_have_attribute("data-month", str(month + 1))
    expect(page.locator("ul.aic-events")).to_have_attribute("data-month", str(month + 1))


def test_app_in_chinese_and_switched_to_english(app_server, page, page_problems, save_screenshot):
    page.goto(f"{app_server.url}/?lang=zh")
    # Mesa's own buttons, the panels' titles and the sidebar all speak Chinese.
    expect(page.get_by_role("button", name="单步", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.get_by_role("button", name="重置", exact=True)).to_be_visible()
    for title in ("交易网络", "时间序列", "事件日志", "机构详情", "当前系统性风险", "循环交易"):
        expect(page.locator(".aic-title", has_text=title).first).to_be_visible()
    expect(page.locator("[data-testid=summary]")).to_contain_text("随机种子")
    expect(page.locator("[data-testid=losses]")).to_contain_text("无反事实情景")
    expect(page.locator(".v-navigation-drawer label", has_text="GPU折旧率（%/年）").first).to_be_visible()
    expect(page.get_by_text("传导渠道：循环融资")).to_be_visible()
    expect(page.locator(".aic-chart-title", has_text="GPU价格（每块千美元）")).to_be_visible()
    expect(page.get_by_text("Deal network", exact=True)).to_have_count(0)

    # A month on, the event log tells what happened in Chinese sentences, every placeholder filled.
    step_in_chinese(page)
    sentences = page.locator(".aic-event .aic-msg").all_inner_texts()
    assert sentences, "no events in month 1 of baseline_2025"
    assert all(has_chinese(s) and "{" not in s for s in sentences), sentences[:3]
    kinds = page.locator(".aic-event .aic-kind").all_inner_texts()
    assert all(has_chinese(k) for k in kinds), kinds[:3]
    assert_no_traceback(page)
    page.wait_for_timeout(300)  # let the charts settle before the picture
    save_screenshot(page, "app-chinese")

    # The switch: English, the same run (still month 1), English words and sentences.
    page.locator(".aic-lang-en").click()
    expect(page.locator(".aic-title", has_text="Deal network").first).to_be_visible()
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible()
    expect(page.locator("[data-testid=summary]")).to_have_attribute("data-month", "1")
    sentences = page.locator(".aic-event .aic-msg").all_inner_texts()
    assert sentences and not any(has_chinese(s) for s in sentences), sentences[:3]
    save_screenshot(page, "app-switched-to-english")
    # ... and back.
    page.locator(".aic-lang-zh").click()
    expect(page.locator(".aic-title", has_text="交易网络").first).to_be_visible()
    assert page_problems.all() == []


def test_unknown_language_is_explained_on_the_page(app_server, page, page_problems):
    page.goto(f"{app_server.url}/?lang=fr")
    error = page.locator(".aic-lang-error")
    expect(error).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(error).to_contain_text("'fr'")
    expect(error).to_contain_text("en (English), zh (简体中文)")
    # The page still works, in English.
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible()
    expect(page.locator(".aic-title", has_text="Deal network").first).to_be_visible()
    assert_no_traceback(page)
    assert page_problems.all() == []


@pytest.fixture(scope="module")
def chinese_report(tmp_path_factory) -> tuple[Path, dict]:
    """The Chinese report of a neocloud_default run (seed 42, 12 months) and its summary."""
    out = tmp_path_factory.mktemp("browser-report-zh") / "run"
    assert cli.main(["run", "neocloud_default", "--months", "12", "--out", str(out), "--quiet"]) == 0
    assert cli.main(["report", str(out), "--lang", "zh"]) == 0
    return out / "report.html", json.loads((out / "summary.json").read_text())


def test_report_in_chinese_replays_the_cascade(chinese_report, page: Page, page_problems, save_screenshot):
    path, summary = chinese_report
    month = summary["first_default"]["month"]
    page.goto(path.as_uri())
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("#timeline h2")).to_have_text("重要事件时间线")
    timeline = page.locator("[data-testid=timeline] td:nth-child(3)").all_inner_texts()
    assert timeline and all(has_chinese(t) and "{" not in t for t in timeline)
    expect(page.locator("[data-testid=replay-month]")).to_have_text("第0个月")
    page.locator("#rp-month").fill(str(month))
    expect(page.locator("[data-testid=replay-month]")).to_have_text(f"第{month}个月")
    expect(page.locator("[data-testid=replay-events] li").first).to_contain_text("违约")
    expect(page.locator("[data-testid=replay-totals]")).to_contain_text("截至目前")
    expect(page.locator("#rp-play")).to_have_text("播放")
    page.locator("[data-testid=replay]").scroll_into_view_if_needed()
    save_screenshot(page, "report-chinese")
    assert page_problems.all() == []


def test_lesson_in_chinese_then_in_english(app_server, page, page_problems, save_screenshot):
    page.goto(f"{app_server.url}/?lesson=gpu_collateral_spiral&lang=zh")
    lesson = page.locator("[data-testid=lesson]")
    expect(lesson).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(lesson).to_contain_text("课程：GPU抵押品螺旋")
    expect(lesson).to_contain_text("第1阶段（共")
    expect(page.get_by_role("button", name="重新开始课程")).to_be_visible()
    page.get_by_role("button", name="不会", exact=True).click()
    expect(lesson).to_have_attribute("data-revealed", "true")
    reveal = page.locator("[data-testid=lesson-reveal]")
    expect(reveal).to_contain_text("你选择了“不会”：正确。")
    expect(reveal).to_contain_text("本次运行中")
    page.wait_for_timeout(300)
    save_screenshot(page, "app-lesson-chinese")
    # Switched to English, the pick made in Chinese is still the right answer, in English.
    page.locator(".aic-lang-en").click()
    expect(reveal).to_contain_text("You picked “No”: right.")
    expect(lesson).to_contain_text("Lesson: ")
    assert_no_traceback(page)
    assert page_problems.all() == []
