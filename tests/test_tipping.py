"""Tipping points (``simulator.sweep.tipping``): the bracketing search against fake evaluators
whose thresholds are known, the outcome language and its errors, a real (tiny) search on the
model, and ``aicontagion tipping``.
"""

from __future__ import annotations

import doctest
import importlib
import json
import math

import numpy as np
import pandas as pd
import pytest

from simulator import cli
from simulator.config import ConfigError, load_scenario
from simulator.model import ContagionModel
from simulator.sweep import find_tipping_points
from simulator.sweep.bracketing import search, wilson_interval
from simulator.sweep.outcomes import OutcomeError, compile_outcome
from simulator.sweep.shock_sizes import SHOCK_SCALES, ai_growth_in_force

SEEDS = (0, 1)
MONTHS = 4  # CoreWeave and Lambda default within 4 months after a large GPU price fall in month 1


def fake_runs(threshold_of_seed, seeds=(0,), labels=("outcome",), calls=None):
    """``run_sizes`` for :func:`search`: on seed ``s`` the outcome happens iff size >= threshold_of_seed(s)."""

    def run_sizes(sizes):
        if calls is not None:
            calls.append(list(sizes))
        return {size: {label: [size >= threshold_of_seed(s) for s in seeds] for label in labels} for size in sizes}

    return run_sizes


# ----------------------------------------------------------------------------- the search


@pytest.mark.parametrize("threshold", [0.013, 0.25, 0.37, 0.5, 0.731, 0.99, 1.0])
def test_bisection_finds_a_known_threshold(threshold):
    (point,) = search(["outcome"], fake_runs(lambda s: threshold), max_size=1.0, tolerance=0.01)
    assert point.status == "tips"
    assert point.lower < threshold <= point.upper
    assert point.upper - point.lower <= 0.01
    assert point.at(point.lower).share == 0.0 and point.at(point.upper).share == 1.0
    assert point.non_monotone == ()


def test_half_of_the_seeds_decides():
    # Five seeds tip at 0.1, 0.2, 0.6, 0.7 and 0.9: the outcome happens on at least half (3 of 5) from 0.6.
    thresholds = {0: 0.1, 1: 0.2, 2: 0.6, 3: 0.7, 4: 0.9}
    (point,) = search(["outcome"], fake_runs(thresholds.get, seeds=range(5)), max_size=1.0, tolerance=0.001)
    assert point.lower < 0.6 <= point.upper <= 0.601
    assert point.at(point.upper).happened == 3 and point.at(point.lower).happened == 2
    assert point.at(point.upper).interval == pytest.approx(wilson_interval(3, 5))
    # With four seeds, two of four is half: the tipping point is the second seed's.
    thresholds4 = {0: 0.1, 1: 0.3, 2: 0.6, 3: 0.9}
    (point4,) = search(["outcome"], fake_runs(thresholds4.get, seeds=range(4)), max_size=1.0, tolerance=0.001)
    assert point4.lower < 0.3 <= point4.upper


def test_stochastic_fake_evaluator_respects_the_half_rule():
    """Each seed has the outcome with probability size (a seeded draw per seed, fixed across sizes): the
    bracket separates a size where fewer than half had it from one where at least half did, whatever the draws.
    """
    seeds = range(9)
    uniform = {s: np.random.default_rng(1000 + s).uniform() for s in seeds}  # seed s tips at size uniform[s]
    (point,) = search(["outcome"], fake_runs(uniform.get, seeds=seeds), max_size=1.0, tolerance=0.005)
    median = sorted(uniform.values())[4]  # the fifth of nine seeds to tip
    assert point.lower < median <= point.upper
    assert 2 * point.at(point.upper).happened >= 9 > 2 * point.at(point.lower).happened


def test_already_at_zero_and_never_within_range():
    at_zero, never = search(
        ["always", "never"],
        lambda sizes: {s: {"always": [True, True], "never": [False, False]} for s in sizes},
        max_size=2.0,
    )
    assert (at_zero.status, at_zero.lower, at_zero.upper) == ("at_zero", None, 0.0)
    assert (never.status, never.lower, never.upper) == ("never", None, None)
    assert [r.size for r in never.tested] == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert never.tested[-1].share == 0.0


def test_outcomes_share_sizes_and_the_search_is_deterministic():
    calls: list[list[float]] = []
    thresholds = {"a": 0.3, "b": 0.3, "c": 0.8}

    def run_sizes(sizes):
        calls.append(list(sizes))
        return {s: {k: [s >= t] for k, t in thresholds.items()} for s in reversed(sizes)}

    first = search(list(thresholds), run_sizes, max_size=1.0)
    first_calls = list(calls)
    calls.clear()
    second = search(list(thresholds), run_sizes, max_size=1.0)
    assert first == second and calls == first_calls
    sizes = [s for call in first_calls for s in call]
    assert len(sizes) == len(set(sizes)), "a size was run twice"
    assert first[0].tested == first[1].tested  # a and b share every run


def test_a_pattern_that_breaks_is_flagged():
    # Happens on [0.2, 0.6) only: the scan finds the crossing at 0.25 and flags 0.75 and 1.0.
    (point,) = search(["x"], lambda sizes: {s: {"x": [0.2 <= s < 0.6]} for s in sizes}, max_size=1.0)
    assert point.lower < 0.2 <= point.upper
    assert point.non_monotone == (0.75, 1.0)


def test_wilson_interval():
    assert wilson_interval(3, 5) == pytest.approx((0.2307, 0.8824), abs=1e-4)
    low, high = wilson_interval(0, 3)
    assert low == 0.0 and high == pytest.approx(0.5615, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"max_size": 0}, "max_size must be a number > 0"),
        ({"max_size": 1.0, "grid": 0}, "grid must be a whole number"),
        ({"max_size": 1.0, "tolerance": 2.0}, "tolerance must be a number in (0, max_size"),
    ],
)
def test_search_rejects_bad_arguments(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        search(["outcome"], fake_runs(lambda s: 0.5), **kwargs)


# ----------------------------------------------------------------------------- outcomes

MEASURES = {
    "defaults_total",
    "losses_bn.realised_losses_bn.total",
    "losses_bn.realised_losses_bn.by_sector.bank",
    "defaults_by_kind.neocloud",
    "defaulted.CoreWeave",
    "defaulted.Miner Alpha",
    "first_default.month",
}


@pytest.mark.parametrize(
    "text, observation, expected",
    [
        ('defaulted("CoreWeave")', {"defaulted.CoreWeave": 1.0}, True),
        ('defaulted("CoreWeave")', {"defaulted.CoreWeave": 0.0}, False),
        ("defaults >= 3", {"defaults_total": 3.0}, True),
        ("realised_losses_bn > 50", {"losses_bn.realised_losses_bn.total": 50.0}, False),
        (
            "realised_losses_bn - losses_bn.realised_losses_bn.by_sector.bank > 10",
            {"losses_bn.realised_losses_bn.total": 30.0, "losses_bn.realised_losses_bn.by_sector.bank": 15.0},
            True,
        ),
        (
            'defaults_by_kind.neocloud >= 1 and not defaulted("Miner Alpha")',
            {"defaults_by_kind.neocloud": 2.0, "defaulted.Miner Alpha": 0.0},
            True,
        ),
        ("first_default.month < 6", {}, False),  # missing: NaN, and a comparison with NaN is false
        ("defaults / 0 > 1", {"defaults_total": 1.0}, True),
        ("0 < defaults <= 2", {"defaults_total": 2.0}, True),
    ],
)
def test_outcomes_evaluate(text, observation, expected):
    assert compile_outcome(text, MEASURES)(observation) is expected


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("defaults", "a number, not a condition"),
        ("defaults >", "not a valid expression"),
        ("defualts > 2", "unknown measure 'defualts'; did you mean defaults"),
        ("profit > 2", "unknown measure 'profit'; known:"),
        ('defaulted("Coreweave")', "unknown institution 'Coreweave'; did you mean 'CoreWeave'"),
        ("defaulted(CoreWeave)", "defaulted takes an institution name in quotes"),
        ('__import__("os").system("true")', "calling an expression is not allowed"),
        ('open("x") > 1', "function 'open' is not allowed"),
        ("defaults[0] > 1", "subscript expressions are not allowed"),
        ("True", "true/false is not allowed"),
        ("defaults > 1 and 3", "and/or needs a condition"),
        ("defaults in (1, 2)", "only the comparisons"),
        ("", "the expression is empty"),
        ("defaults > 1e999", "not a finite number"),
    ],
)
def test_outcome_errors_name_the_problem(text, fragment):
    with pytest.raises(OutcomeError) as info:
        compile_outcome(text, MEASURES)
    assert fragment in str(info.value)
    assert isinstance(info.value, ConfigError)


@pytest.mark.parametrize("module", ["simulator.sweep.outcomes", "simulator.sweep.bracketing"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# ----------------------------------------------------------------------------- shock sizes


def test_every_shock_kind_gives_a_valid_run_at_zero_and_at_its_largest_size():
    base = load_scenario("baseline_2025")
    targets = {"institution": "CoreWeave", "contract": "OpenAI->Oracle", "generation": None, "none": None,
               "fund": "Blackstone"}  # fmt: skip
    for scale in SHOCK_SCALES.values():
        for size in (0.0, scale.max_size(base, 1)):
            settings = scale.settings(base, size, targets[scale.target], 1)
            dotted = {k: v for k, v in settings.items() if "." in k}
            levers = {k: v for k, v in settings.items() if k not in dotted}
            ContagionModel("baseline_2025", rng=0, overrides=dotted or None, **levers)  # validates, runs nothing


def test_ai_revenue_shortfall_is_measured_from_the_growth_in_force():
    winter = load_scenario("ai_winter")  # growth becomes 10% a year in month 3
    assert ai_growth_in_force(winter, 2) == 1.0 and ai_growth_in_force(winter, 3) == 0.10
    scale = SHOCK_SCALES["ai_revenue_shortfall"]
    assert scale.max_size(winter, 3) == pytest.approx(1.0)
    assert scale.settings(winter, 0.3, None, 3)["shock_size"] == pytest.approx(-0.2)


# ----------------------------------------------------------------------------- real runs


def test_a_bigger_gpu_price_fall_breaks_coreweave_and_none_does_not():
    report = find_tipping_points(
        "baseline_2025", "gpu_price_fall", targets=["CoreWeave"], shock_month=1, months=MONTHS, seeds=len(SEEDS),
        grid=2, tolerance=0.2, backend="serial",
    )  # fmt: skip
    (point,) = report.points
    assert point.status == "tips"
    assert point.at(0.0).share == 0.0 and point.at(report.max_size).share == 1.0
    assert 0 < point.lower < point.upper <= report.max_size
    # The bracket holds when the runs are made by hand: not at lower, on at least half of the seeds at upper.
    for size, expected in ((point.lower, 0), (point.upper, point.at(point.upper).happened)):
        defaulted = 0
        for seed in SEEDS:
            model = ContagionModel("baseline_2025", rng=seed, shock_kind="gpu_price", shock_size=size, shock_month=1)
            model.run_for(MONTHS)
            defaulted += model.agent("CoreWeave").defaulted
        assert defaulted == expected
    assert 2 * point.at(point.upper).happened >= len(SEEDS)


def test_a_large_run_on_a_fund_makes_it_gate_and_none_does_not():
    """The redemption_run shock of a tipping search: investors ask Blackstone for a share of their
    holdings back; asked for enough, the fund gates (pays what its gate allows, holds back the rest).
    """
    gates = "events_by_kind.gate >= 1"
    report = find_tipping_points(
        "baseline_2025", "redemption_run", shock_target="Blackstone", outcome=gates, shock_month=1, months=3,
        seeds=len(SEEDS), grid=2, tolerance=0.5, backend="serial",
    )  # fmt: skip
    (point,) = report.points
    assert report.unit == "share of holdings" and report.max_size == 1.0 and report.shock_target == "Blackstone"
    assert point.status == "tips" and 0 <= point.lower < point.upper <= 1.0
    assert point.at(0.0).happened == 0 and point.at(1.0).happened == len(SEEDS)
    # The same runs made by hand: a run on Blackstone of the bracket's upper size makes it gate, none does not.
    for size, gated in ((0.0, False), (point.upper, True)):
        model = ContagionModel(
            "baseline_2025", rng=SEEDS[0], shock_kind="redemption_run", shock_target="Blackstone", shock_size=size,
            shock_month=1,
        )  # fmt: skip
        model.run_for(3)
        assert any(e.kind == "gate" and e.actor == "Blackstone" for e in model.events) is gated


def test_a_search_of_many_rounds_keeps_one_pool_and_matches_serial(monkeypatch):
    from simulator.sweep import execute

    started, rounds = [], []
    start_pool = execute._pool
    monkeypatch.setattr(execute, "_pool", lambda workers: started.append(workers) or start_pool(workers))
    common = dict(targets=["CoreWeave", "Lambda"], shock_month=1, months=MONTHS, seeds=len(SEEDS), grid=2,
                  tolerance=0.2)  # fmt: skip
    serial = find_tipping_points("baseline_2025", "gpu_price_fall", backend="serial", **common)
    assert started == []
    pooled = find_tipping_points(
        "baseline_2025", "gpu_price_fall", backend="processes", workers=2,
        on_round=lambda done, now: rounds.append(now), **common,
    )  # fmt: skip
    assert len(rounds) >= 3 and started == [2]  # one pool of two processes for every round of the search
    assert [p.status for p in serial.points] == ["tips", "tips"]
    pd.testing.assert_frame_equal(serial.table(), pooled.table())
    assert serial.to_dict()["tested"] == pooled.to_dict()["tested"]


def test_distance_to_default_table_is_the_same_on_two_processes():
    common = dict(shock_target="CoreWeave", shock_month=1, months=MONTHS, seeds=2, grid=1, tolerance=0.5)
    serial = find_tipping_points("baseline_2025", "institution_default", backend="serial", **common)
    pooled = find_tipping_points("baseline_2025", "institution_default", backend="processes", workers=2, **common)
    assert serial.to_dict()["rows"] == pooled.to_dict()["rows"]
    assert serial.to_dict()["tested"] == pooled.to_dict()["tested"]
    table = serial.table()
    assert "CoreWeave" not in set(table["institution"])  # the institution that fails is the shock, not an outcome
    others = len(ContagionModel("baseline_2025", rng=0).names) - 1  # (every institution but CoreWeave)
    assert len(table) == others and list(table.columns[:5]) == ["institution", "kind", "status", "lower", "upper"]
    lambda_row = table.set_index("institution").loc["Lambda"]  # CoreWeave's failure takes Lambda with it
    assert lambda_row["status"] == "at_zero" and lambda_row["upper"] == 0.0
    order = {"at_zero": 0, "tips": 1, "never": 2}
    assert list(table["status"].map(order)) == sorted(table["status"].map(order))


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"shock": "meteor"}, "shock: unknown kind 'meteor'"),
        (
            {"shock": "institution_default"},
            "shock_target (of the institution_default shock): the institution_default shock needs an institution",
        ),
        ({"shock": "contract_cut", "shock_target": "nobody"}, "'nobody' names no contract"),
        ({"shock": "gpu_price_fall", "shock_target": "B300"}, "unknown GPU generation 'B300'"),
        ({"shock": "redemption_run"}, "the redemption_run shock needs a fund; choose from ['Blackstone', 'Blue Owl']"),
        ({"shock": "redemption_run", "shock_target": "CoreWeave"}, "'CoreWeave' issues no fund shares"),
        ({"shock_month": 9, "months": 6}, "shock_month: expected a whole number from 1 to 6"),
        ({"seeds": 0}, "seeds: expected a whole number from 1 to 1000"),
        ({"settings": {"shock_size": 0.5}}, "are set by the search itself"),
        ({"targets": ["Nobody"]}, "targets: unknown institution 'Nobody'"),
        ({"outcome": "defaults"}, "a number, not a condition"),
        ({"outcome": "defaults > 1", "targets": "all"}, "give either outcome"),
        ({"max_size": 2.0}, "max_size: expected a number in (0, 0.99]"),
        ({"backend": "cloud"}, "backend: unknown backend 'cloud'"),
        ({"scenario": "nowhere"}, "unknown scenario 'nowhere'"),
    ],
)
def test_bad_arguments_fail_before_any_run(kwargs, fragment, monkeypatch):
    from simulator.sweep import execute

    monkeypatch.setattr(execute, "run_batch", lambda tasks: pytest.fail("a run started"))
    arguments = {"scenario": "baseline_2025", "shock": "gpu_price_fall", "months": 6, "backend": "serial", **kwargs}
    with pytest.raises(ConfigError) as info:
        find_tipping_points(arguments.pop("scenario"), arguments.pop("shock"), **arguments)
    assert fragment in str(info.value)


# ----------------------------------------------------------------------------- command line


def run_cli(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_tipping_prints_and_writes_the_table(tmp_path, capsys):
    out = tmp_path / "tp"
    code, stdout, err = run_cli(
        capsys, "tipping", "baseline_2025", "--shock", "gpu_price_fall", "--target", "CoreWeave", "--target",
        "Oracle", "--seeds", "2", "--months", str(MONTHS), "--shock-month", "1", "--grid", "2", "--tolerance", "0.2",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "Distance to default" in stdout and "CoreWeave" in stdout
    assert "Never within range" in stdout and "Oracle" in stdout
    assert (out / "tipping.png").read_bytes().startswith(b"\x89PNG")
    table = pd.read_csv(out / "tipping.csv")
    assert list(table["institution"]) == ["CoreWeave", "Oracle"]
    assert list(table["status"]) == ["tips", "never"]
    data = json.loads((out / "tipping.json").read_text())
    assert data["shock"]["kind"] == "gpu_price_fall" and data["seeds"] == [0, 1]
    assert data["rows"][0]["upper"] == pytest.approx(table["upper"][0])
    assert all(math.isfinite(r["size"]) for r in data["tested"]["CoreWeave"])
    # the report reads back from tipping.json, and `aicontagion plot` draws the same bar chart from it
    from simulator.sweep.tipping import TippingReport

    again = TippingReport.from_dict(data)
    assert again.to_dict() == data and again.points[0].non_monotone == ()
    code, stdout, err = run_cli(capsys, "plot", str(out))
    assert code == 0, err
    assert stdout.split() == [str(out / "plots" / "tipping.png")]
    assert (out / "plots" / "tipping.png").read_bytes() == (out / "tipping.png").read_bytes()
    (out / "tipping.json").write_text('{"schema": "aicontagion.sweep/1"}')
    code, _, err = run_cli(capsys, "plot", str(out))
    assert code == 2 and "tipping.json: expected a report of schema 'aicontagion.tipping/1'" in err, err


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["--shock", "meteor"], ["--shock", "unknown kind 'meteor'", "gpu_price_fall"]),
        (["--shock", "gpu_price_fall", "--seeds", "0"], ["seeds must be a whole number from 1 to 1000"]),
        (["--shock", "gpu_price_fall", "--target", "Nobody"], ["--target", "unknown institution 'Nobody'"]),
        (["--shock", "gpu_price_fall", "--outcome", "defaults"], ["--outcome", "a number, not a condition"]),
        (["--shock", "gpu_price_fall", "--outcome", "losses > 1"], ["--outcome", "unknown measure 'losses'"]),
        (["--shock", "gpu_price_fall", "--months", "6", "--shock-month", "9"], ["--shock-month", "from 1 to 6"]),
        (["--shock", "institution_default"], ["--shock-target", "needs an institution", "CoreWeave"]),
        (["--shock", "gpu_price_fall", "--backend", "cloud"], ["--backend", "serial", "dask"]),
        (["--shock", "gpu_price_fall", "--target", "Oracle", "--outcome", "defaults > 1"], ["--target and --outcome"]),
        (["--shock", "gpu_price_fall", "--set", "shock_size=0.5"], ["--set", "set by the search itself"]),
        (["--shock", "gpu_price_fall", "--max-size", "5"], ["--max-size", "(0, 0.99]"]),
        (["--shock", "gpu_price_fall", "--scheduler", "tcp://127.0.0.1:1"], ["--scheduler", "--backend dask"]),
        (["nowhere", "--shock", "gpu_price_fall"], ["unknown scenario 'nowhere'"]),
        ([], ["--shock"]),
    ],
)
def test_cli_tipping_rejects_bad_input(argv, fragments, tmp_path, capsys, monkeypatch):
    from simulator.sweep import execute

    monkeypatch.setattr(execute, "run_batch", lambda tasks: pytest.fail("a run started"))
    code, _, err = run_cli(capsys, "tipping", *argv, "--out", str(tmp_path / "out"))
    assert code == 2, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert not (tmp_path / "out" / "tipping.csv").exists()


def test_a_measure_under_a_figure_a_run_may_lack_is_accepted():
    outcome = compile_outcome("first_default.month <= 6", {"defaults_total"}, absent=["first_default"])
    assert outcome({"first_default.month": 4.0}) and not outcome({})
    with pytest.raises(OutcomeError, match=r"unknown measure 'first_breach\.month'"):
        compile_outcome("first_breach.month <= 6", {"defaults_total"}, absent=["first_default"])


def test_a_scenario_file_is_searched_by_its_absolute_path(tmp_path, monkeypatch):
    (tmp_path / "deep.yaml").write_text("extends: baseline_2025\nname: deep\nmarkets: {gpu: {market_depth_bn: 50.0}}\n")
    monkeypatch.chdir(tmp_path)
    report = find_tipping_points(
        "deep.yaml", "rate_rise", targets=["CoreWeave"], shock_month=1, months=2, seeds=np.array([5]), grid=1,
        tolerance=0.2,
        backend="serial",
    )  # fmt: skip
    assert report.scenario == str(tmp_path / "deep.yaml")
    assert report.seeds == (5,) and report.points[0].tested[0].seeds == 1
    assert report.points[0].status == "never"


def test_shocks_compared_side_by_side():
    from simulator.sweep.tipping import compare_shocks

    common = dict(shock_month=1, months=MONTHS, seeds=1, grid=1, tolerance=0.5)
    gpu = find_tipping_points("baseline_2025", "gpu_price_fall", **common)
    failure = find_tipping_points("baseline_2025", "institution_default", shock_target="CoreWeave", **common)
    table = compare_shocks([gpu, failure]).set_index("institution")
    assert len(table) == len(ContagionModel("baseline_2025", rng=0).names)  # (every institution)
    assert table.loc["CoreWeave", "institution_default CoreWeave"] == "(the shock)"
    assert table.loc["Lambda", "institution_default CoreWeave"] == "at 0 (1/1)"
    assert table.loc["Oracle", "gpu_price_fall"] == "never" and math.isnan(table.loc["Oracle", "gpu_price_fall upper"])
    assert table.loc["CoreWeave", "gpu_price_fall upper"] == gpu.points[gpu.labels.index("CoreWeave")].upper
    assert list(table.index[:2]) == ["Lambda", "CoreWeave"]  # broken by both shocks, then by one
    with pytest.raises(ConfigError, match="each shock once"):
        compare_shocks([gpu, gpu])
