"""The visual model (simulator/app/) in a real browser: Debian Chromium against a real
``aicontagion`` app server on a free loopback port (fixtures in conftest.py).

The page exposes its state for tests without relying on pixels: the summary bar carries
``data-month`` / ``data-defaulted``, every network node is a ``.aic-node`` with ``data-name`` and
``data-status``, events are ``.aic-event[data-kind]`` and the inspector's balance sheet is a
``[data-testid=balance-sheet][data-institution=NAME]`` table.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

LOAD_TIMEOUT = 60_000  # ms: first page of a fresh server (kernel start, imports)
TRACEBACK = re.compile(r"Traceback \(most recent call last\)")


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_role("button", name="Step", exact=True)).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.locator("[data-testid=summary]")).to_be_visible()
    expect(page.locator(".aic-node").first).to_be_visible()


def time_text(page: Page):
    return page.get_by_text(re.compile(r"^Time: \d"))


def step(page: Page, times: int = 1) -> None:
    """Press Step and wait until the page shows each new month."""
    summary = page.locator("[data-testid=summary]")
    for _ in range(times):
        month = int(summary.get_attribute("data-month"))
        page.get_by_role("button", name="Step", exact=True).click()
        wait_for_month(page, month + 1)


def wait_for_month(page: Page, month: int) -> None:
    """Wait until every part of the page shows ``month`` (they update one after another)."""
    expect(page.locator("[data-testid=summary]")).to_have_attribute("data-month", str(month))
    expect(time_text(page)).to_have_text(f"Time: {month}.0")
    expect(page.locator(".aic-net-svg")).to_have_attribute("data-month", str(month))
    expect(page.locator("ul.aic-events")).to_have_attribute("data-month", str(month))


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the Vuetify select whose label is exactly ``label`` (the first one)."""
    select = page.locator(".v-select").filter(has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))
    select.first.click()
    page.get_by_role("option", name=option, exact=True).click()


def assert_no_traceback(page: Page) -> None:
    expect(page.get_by_text(TRACEBACK)).to_have_count(0)


def test_page_loads_without_errors(app_server, page, page_problems, save_screenshot):
    open_app(page, app_server.url)

    summary = page.locator("[data-testid=summary]")
    expect(summary).to_contain_text("baseline_2025")
    expect(summary).to_have_attribute("data-month", "0")
    expect(time_text(page)).to_have_text("Time: 0.0")
    # Every panel is there.
    for title in ("Deal network", "Time series", "Event log", "Inspector", "Systemic risk now", "Circular deals"):
        expect(page.locator(".aic-title", has_text=title).first).to_be_visible()
    assert page.locator(".aic-node").count() >= 10
    assert page.locator(".aic-chart").count() == 8
    # The baseline has nothing to be measured against, and says so.
    expect(page.locator("[data-testid=losses]")).to_contain_text("no counterfactual")
    expect(page.locator("[data-testid=debtrank] .aic-bar-row").first).to_be_visible()
    # Statuses are in the DOM: one counter per status, all healthy at month 0.
    counts = page.locator("[data-testid=summary] .aic-chip[data-status]")
    expect(counts).to_have_count(4)
    expect(page.locator("[data-testid=summary] .aic-chip[data-status=defaulted]")).to_have_attribute("data-count", "0")
    assert_no_traceback(page)
    page.wait_for_timeout(300)  # let the charts settle before the picture

    shot = save_screenshot(page, "app-loaded")
    assert shot.stat().st_size > 20_000
    # Offline and clean: no failed request, no console error, no uncaught exception.
    assert page_problems.all() == []


def test_neocloud_default_cascade_turns_nodes_defaulted(app_server, page, page_problems, save_screenshot):
    open_app(page, app_server.url)
    choose(page, "Scenario", "neocloud_default")
    summary = page.locator("[data-testid=summary]")
    expect(summary).to_contain_text("neocloud_default")
    page.get_by_role("button", name="Reset").click()
    wait_for_month(page, 0)
    expect(summary).to_contain_text("neocloud_default")

    # Step month by month until the shock has done its work (CoreWeave fails in month 3).
    for _ in range(8):
        step(page)
        if int(summary.get_attribute("data-defaulted")) > 0:
            break
    month = int(summary.get_attribute("data-month"))
    assert month >= 1
    assert int(summary.get_attribute("data-defaulted")) >= 1, "no institution defaulted within 8 months"
    # The summary bar measures the shock against the same world without it.
    expect(page.locator("[data-testid=losses]")).to_contain_text("below baseline_2025")
    expect(page.locator("[data-testid=first-default]")).to_contain_text("CoreWeave defaulted")
    expect(page.locator(".aic-node[data-status=defaulted]").first).to_be_visible()
    # The month a default happens, the event log tells the story in sentences.
    events = page.locator(".aic-event")
    expect(events.first).to_be_visible()
    story = page.locator(".aic-event[data-kind=default], .aic-event[data-kind=covenant_breach]")
    assert story.count() >= 1
    assert re.search(r"breached its|defaulted", story.first.inner_text())
    assert all(int(m) == month for m in events.evaluate_all("els => els.map(e => e.dataset.month)"))

    # Filter the log by kind: only defaults remain.
    choose(page, "Kind", "default")
    expect(page.locator(".aic-event[data-kind=covenant_breach]")).to_have_count(0)
    expect(page.locator(".aic-event[data-kind=default]").first).to_be_visible()

    assert_no_traceback(page)
    save_screenshot(page, "app-neocloud-default")
    assert page_problems.all() == []


def test_inspector_shows_selected_institution(app_server, page):
    open_app(page, app_server.url)
    step(page)

    # Click a node in the network: the inspector follows.
    page.locator(".aic-node[data-name='Blue Owl'] circle").last.click()
    sheet = page.locator("[data-testid=balance-sheet][data-institution='Blue Owl']")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("Total assets")
    expect(sheet).to_contain_text("Equity (book)")
    expect(page.locator(".aic-inspector[data-institution='Blue Owl']")).to_contain_text("Largest exposures")
    expect(page.locator("[data-testid=round-trip]")).to_contain_text("Round-trip ratio")

    # Or choose one in the inspector's own picker.
    inspector = page.locator(".aic-panel", has=page.locator(".aic-inspector"))
    inspector.locator(".v-select").click()
    page.get_by_role("option", name="CoreWeave", exact=True).click()
    sheet = page.locator("[data-testid=balance-sheet][data-institution='CoreWeave']")
    expect(sheet).to_be_visible()
    expect(sheet).to_contain_text("GPUs")
    expect(page.locator("[data-testid=loans]")).to_contain_text("Headroom")
    assert_no_traceback(page)


def test_bad_seed_shows_a_message_not_a_traceback(app_server, page):
    open_app(page, app_server.url)
    seed = page.get_by_label("Seed (whole number ≥ 0)")
    seed.fill("forty-two")
    seed.press("Enter")
    page.get_by_role("button", name="Reset").click()
    message = page.locator(".aic-param-error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Seed must be a whole number")
    assert_no_traceback(page)
    step(page)  # the page still works, with the default seed


def test_two_browser_contexts_run_independent_models(app_server, browser, browser_context_args):
    first = browser.new_context(**browser_context_args)
    second = browser.new_context(**browser_context_args)
    try:
        a, b = first.new_page(), second.new_page()
        open_app(a, app_server.url)
        open_app(b, app_server.url)
        step(a, 3)
        expect(time_text(a)).to_have_text("Time: 3.0")
        expect(time_text(b)).to_have_text("Time: 0.0")
        expect(b.locator("[data-testid=summary]")).to_have_attribute("data-month", "0")
        step(b)
        expect(time_text(b)).to_have_text("Time: 1.0")
        expect(time_text(a)).to_have_text("Time: 3.0")
    finally:
        first.close()
        second.close()


def test_run_to_month_and_play(app_server, page, page_problems):
    open_app(page, app_server.url)
    box = page.get_by_label("Run to month")
    box.fill("5")
    box.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    wait_for_month(page, 5)

    # Play steps on its own until paused.
    summary = page.locator("[data-testid=summary]")
    page.get_by_role("button", name="▶").click()
    expect(summary).not_to_have_attribute("data-month", re.compile(r"^[0-6]$"), timeout=15_000)
    page.get_by_role("button", name="❚❚").click()
    expect(page.get_by_role("button", name="▶")).to_be_visible()
    page.wait_for_timeout(800)  # a step already under way when pausing may still land (Mesa's play loop)
    month = int(summary.get_attribute("data-month"))
    wait_for_month(page, month)
    page.wait_for_timeout(800)
    assert int(summary.get_attribute("data-month")) == month  # paused
    assert_no_traceback(page)
    assert page_problems.all() == []
