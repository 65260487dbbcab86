"""Lesson mode in a real browser: open the app at ``?lesson=gpu_collateral_spiral``, answer the
questions, see the reveal and the highlighted nodes (fixtures in conftest.py, helpers in test_app.py).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect
from test_app import LOAD_TIMEOUT, assert_no_traceback, choose, wait_for_month


def open_lesson(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}?lesson={name}")
    expect(page.locator("[data-testid=lesson]")).to_be_visible(timeout=LOAD_TIMEOUT)
    expect(page.locator(".aic-node").first).to_be_visible()


def test_lesson_from_the_address_asks_runs_reveals_and_highlights(app_server, page, page_problems, save_screenshot):
    open_lesson(page, app_server.url, "gpu_collateral_spiral")
    lesson = page.locator("[data-testid=lesson]")
    expect(lesson).to_have_attribute("data-stage", "1")
    expect(lesson).to_have_attribute("data-revealed", "false")
    expect(page.locator("[data-testid=summary]")).to_contain_text("neocloud_default")
    expect(page.locator(".aic-node[data-highlighted=true]")).to_have_count(0)

    page.get_by_role("button", name="No", exact=True).click()
    wait_for_month(page, 2)
    expect(lesson).to_have_attribute("data-revealed", "true")
    expect(page.locator("[data-testid=lesson-reveal]")).to_contain_text("right.")

    page.get_by_role("button", name="Next stage").click()
    expect(lesson).to_have_attribute("data-stage", "2")
    expect(lesson).to_contain_text("Which other institution defaults in the same month?")
    page.get_by_role("button", name="Lambda", exact=True).click()
    wait_for_month(page, 3)
    reveal = page.locator("[data-testid=lesson-reveal]")
    expect(reveal).to_contain_text("You picked “Lambda”: right.")
    expect(reveal.locator(".aic-facts li[data-holds=true]")).to_have_count(3)
    expect(reveal.locator(".aic-facts li[data-holds=false]")).to_have_count(0)
    expect(reveal.locator(".aic-event[data-kind=default]", has_text="Lambda defaulted")).to_be_visible()
    # The stage's institutions are ringed in the network; Lambda has defaulted.
    lit = page.locator(".aic-node[data-highlighted=true]")
    expect(lit).to_have_count(3)
    expect(page.locator(".aic-node[data-name=Lambda]")).to_have_attribute("data-highlighted", "true")
    expect(page.locator(".aic-node[data-name=Lambda]")).to_have_attribute("data-status", "defaulted")
    expect(page.locator(".aic-node[data-name=Lambda] .aic-highlight")).to_have_count(1)
    assert_no_traceback(page)
    page.wait_for_timeout(300)
    save_screenshot(page, "app-lesson-reveal")
    page.locator(".aic-net").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    save_screenshot(page, "app-lesson-network")
    assert page_problems.all() == []


def test_lesson_picker_starts_a_lesson(app_server, page):
    page.goto(app_server.url)
    expect(page.locator("[data-testid=summary]")).to_be_visible(timeout=LOAD_TIMEOUT)
    choose(page, "Lesson", "The central-bank backstop")
    lesson = page.locator("[data-testid=lesson]")
    expect(lesson).to_contain_text("Will Lambda default in month 3 this time?")
    expect(page.locator("[data-testid=summary]")).to_contain_text("backstop")
    page.get_by_role("button", name="Yes", exact=True).click()
    wait_for_month(page, 3)
    expect(page.locator("[data-testid=lesson-reveal]")).to_contain_text("the answer is “No”")
    expect(page.locator(".aic-node[data-name='Federal Reserve']")).to_have_attribute("data-highlighted", "true")
    assert_no_traceback(page)
