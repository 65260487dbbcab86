"""TEST SCAFFOLDING ONLY (not the product): a minimal Solara page for tests/browser/test_infra.py.

It proves the browser-test infrastructure (offline Solara assets, app server, Chromium) without
depending on the simulation model: a button that increments a per-session counter, and the
scenario name the server passed through AICONTAGION_SCENARIO.
"""

import os

import solara


@solara.component
def Page():
    clicks = solara.use_reactive(0)  # per browser session
    with solara.Card("aicontagion browser-test smoke page"), solara.Column():
        solara.Text(f"Clicks: {clicks.value}", classes=["smoke-clicks"])
        solara.Text(f"Scenario: {os.environ.get('AICONTAGION_SCENARIO', '(none)')}")
        solara.Button("Increment", color="primary", on_click=lambda: clicks.set(clicks.value + 1))
