"""The golden baseline (``tests/golden/``): every scenario at seed 42 gives exactly the pinned
time series, last-month agent table and event log. ``make golden`` rewrites it on purpose.
"""

from __future__ import annotations

import pytest

from simulator import scenario_names
from tests import golden


@pytest.mark.parametrize("name", scenario_names())
def test_scenario_matches_golden_baseline(name):
    pinned = golden.load(name)
    fresh = golden.roundtrip(golden.snapshot(name))
    diffs = golden.differences(pinned, fresh)
    assert not diffs, f"{name} moved from its golden baseline (make golden rewrites it on purpose):\n" + "\n".join(
        diffs
    )


def test_every_scenario_has_a_baseline():
    pinned = sorted(p.stem for p in golden.GOLDEN_DIR.glob("*.json"))
    assert pinned == scenario_names()


def test_a_difference_is_reported():
    pinned = golden.load("baseline_2025")
    changed = golden.roundtrip(golden.snapshot("baseline_2025"))
    changed["timeseries"]["rows"][3][5] = 123.0
    changed["events"][0][6] = "something else"
    diffs = golden.differences(pinned, changed)
    assert any("row 3" in d for d in diffs) and any("first difference at event 0" in d for d in diffs)
