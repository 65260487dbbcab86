"""The run report (``aicontagion report``) in a real browser: Debian Chromium opens the HTML file
itself (no server, no network), the slider replays the cascade and the timeline jumps to a month.

The page exposes its state without relying on pixels: each institution is a ``.rp-node`` with
``data-name`` and ``data-status`` and a ``.rp-dot`` whose ``fill`` is its status colour; the
replay panel carries ``data-month``; the month's events are ``[data-testid=replay-events] li``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from networks import STATUS_COLOURS
from simulator import cli


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, dict]:
    """The report of a complete neocloud_default run (seed 42, 12 months) and its summary."""
    out = tmp_path_factory.mktemp("browser-report") / "run"
    assert cli.main(["run", "neocloud_default", "--months", "12", "--out", str(out), "--quiet"]) == 0
    assert cli.main(["report", str(out)]) == 0
    return out / "report.html", json.loads((out / "summary.json").read_text())


def node(page: Page, name: str):
    return page.locator(f".rp-node[data-name='{name}']")


def set_month(page: Page, month: int) -> None:
    page.locator("#rp-month").fill(str(month))  # a range input: sets the value, fires 'input'
    expect(page.locator("[data-testid=replay]")).to_have_attribute("data-month", str(month))


def test_slider_replays_the_cascade(report, page: Page, page_problems, save_screenshot):
    path, summary = report
    first = summary["first_default"]
    defaulter, month = first["actor"], first["month"]
    page.goto(path.as_uri())
    expect(page.locator("[data-testid=scenario]")).to_have_text("neocloud_default")

    # Month 0: the defaulter is not yet in default, and nothing is counted as defaulted.
    replay = page.locator("[data-testid=replay]")
    expect(replay).to_have_attribute("data-month", "0")
    expect(page.locator("[data-testid=replay-month]")).to_have_text("Month 0")
    expect(node(page, defaulter)).not_to_have_attribute("data-status", "defaulted")
    expect(page.locator("#rp-counts .chip[data-status=defaulted]")).to_have_attribute("data-count", "0")
    events_before = page.locator("[data-testid=replay-events] li").all_inner_texts()

    # The month of the first default: its node turns the defaulted colour, its default is listed.
    set_month(page, month)
    expect(page.locator("[data-testid=replay-month]")).to_have_text(f"Month {month}")
    expect(node(page, defaulter)).to_have_attribute("data-status", "defaulted")
    expect(node(page, defaulter).locator(".rp-dot")).to_have_attribute("fill", STATUS_COLOURS["defaulted"])
    expect(node(page, defaulter)).to_have_class("rp-node rp-active")  # ringed: this month's events name it
    expect(node(page, defaulter).locator("title")).to_contain_text(f"defaulted at month {month}")
    events = page.locator("[data-testid=replay-events] li")
    expect(events.filter(has_text=first["message"])).to_have_count(1)
    assert events.all_inner_texts() != events_before
    assert int(page.locator("#rp-counts .chip[data-status=defaulted]").get_attribute("data-count")) >= 1
    expect(page.locator("[data-testid=replay-totals]")).to_contain_text("in default")

    page.locator("#replay").evaluate("section => section.scrollIntoView({block: 'start'})")
    save_screenshot(page, "report_replay")

    # ◀ goes back a month, and the defaulter is no longer shown in default there.
    page.locator("#rp-prev").click()
    expect(replay).to_have_attribute("data-month", str(month - 1))
    expect(node(page, defaulter)).not_to_have_attribute("data-status", "defaulted")
    assert page_problems.all() == []


def test_timeline_row_jumps_to_its_month(report, page: Page, page_problems):
    path, summary = report
    page.goto(path.as_uri())
    last = summary["months"]
    row = page.locator("tr.tl-row[data-kind=default]").first
    month = int(row.get_attribute("data-month"))
    row.click()
    expect(page.locator("[data-testid=replay]")).to_have_attribute("data-month", str(month))
    expect(page.locator("#rp-month")).to_have_value(str(month))
    # ▶ stops at the last month.
    set_month(page, last)
    page.locator("#rp-next").click()
    expect(page.locator("[data-testid=replay]")).to_have_attribute("data-month", str(last))
    assert page_problems.all() == []
