"""Proves the browser-test infrastructure: offline assets + app server + headless Chromium."""

import time
from pathlib import Path

from playwright.sync_api import expect

SMOKE_APP = Path(__file__).with_name("_smoke_app.py")


def test_smoke_page_counts_clicks_offline(start_app_server, page, page_problems, save_screenshot):
    server = start_app_server(app_path=SMOKE_APP, scenario="smoke")

    t0 = time.perf_counter()
    page.goto(server.url)
    button = page.get_by_role("button", name="Increment")
    expect(button).to_be_visible(timeout=30_000)
    loaded = time.perf_counter() - t0

    # Vuetify rendered (not a blank page) and the scenario reached the app.
    expect(page.locator(".v-application")).to_be_visible()
    expect(page.get_by_text("Scenario: smoke")).to_be_visible()
    expect(page.get_by_text("Clicks: 0")).to_be_visible()

    t0 = time.perf_counter()
    button.click()
    expect(page.get_by_text("Clicks: 1")).to_be_visible()
    clicked = time.perf_counter() - t0
    button.click()
    expect(page.get_by_text("Clicks: 2")).to_be_visible()

    shot = save_screenshot(page, "infra-smoke-page")
    assert shot.stat().st_size > 5_000

    # Every asset came from the local proxy cache: nothing failed, no console errors.
    assert page_problems.all() == []
    print(f"\nserver start {server.started_in:.1f} s, page load {loaded:.2f} s, click->update {clicked * 1000:.0f} ms")
