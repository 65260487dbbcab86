"""Sweeps (simulator.sweep, issue 12): specs checked before any run, design sizes, seeds,
determinism across backends, resume after an interruption, failures recorded, SALib analysis on a
known function, the shipped specs, and mesa.batch_run still driving the model.

Specs here are tiny (a few months, a few runs) so the file runs in seconds.
"""

from __future__ import annotations

import copy
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
import yaml

from simulator.config import ConfigError
from simulator.model import ContagionModel
from simulator.sweep import SweepFolderError, load_spec, plan_runs, run_sweep, store
from simulator.sweep.analysis import AnalysisError, morris_indices, sobol_indices
from simulator.sweep.designs import design_points
from simulator.sweep.seeds import run_seed
from simulator.sweep.spec import SWEEPS_DIR

TINY = {
    "name": "tiny",
    "scenario": "neocloud_default",
    "months": 4,
    "replications": 2,
    "master_seed": 11,
    "parameters": {
        "gpu_depreciation_per_year": {"low": 0.2, "high": 0.6},
        "markets.gpu.market_depth_bn": {"values": [0.5, 8.0]},
    },
    "design": {"method": "grid", "samples": 2},
    "outputs": {"measures": ["losses_bn.*.total", "defaults_*", "defaulted.CoreWeave"]},
}


def tiny(**changes) -> dict:
    spec = copy.deepcopy(TINY)
    spec.update(changes)
    return spec


@pytest.fixture(scope="module")
def serial_table() -> pd.DataFrame:
    return run_sweep(tiny(), backend="serial")


# ----------------------------------------------------------------------------- spec errors


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"replicates": 3}, r"replicates: unknown key; allowed: \[.*'replications'"),
        (
            {"parameters": {"gpu_deprecation": {"low": 0.1, "high": 0.5}}},
            r"parameters\.gpu_deprecation: unknown parameter .*ltv_covenant",
        ),
        (
            {"parameters": {"ltv_covenant": {"low": 0.9, "high": 0.9}}},
            r"parameters\.ltv_covenant: empty range: low \(0\.9\) must be below high",
        ),
        ({"parameters": {"ltv_covenant": {"values": []}}}, r"parameters\.ltv_covenant\.values: empty list"),
        (
            {"parameters": {"ltv_covenant": {"low": 0.5, "high": 20}}},
            r"parameters\.ltv_covenant\.high: 20\.0 is not allowed: .*allowed \[0\.05, 10\.0\]",
        ),
        (
            {"parameters": {"markets.gpu.market_depth_bn": {"low": -1, "high": 5}}},
            r"parameters\.markets\.gpu\.market_depth_bn\.low: -1\.0 is not allowed: .*market_depth_bn",
        ),
        (
            {"parameters": {"markets.gpu.no_such_field": {"low": 1, "high": 5}}},
            r"unknown key 'no_such_field' at markets\.gpu; allowed",
        ),
        (
            {"design": {"method": "factorial"}},
            r"design\.method: unknown design 'factorial'; choose from \['grid', 'random', 'lhs', 'sobol', 'morris'\]",
        ),
        ({"design": "lhs"}, r"design\.samples: the lhs design needs samples"),
        (
            {
                "parameters": {"ltv_covenant": {"low": 0.5, "high": 1}, "waiver_propensity": {"low": 0, "high": 1}},
                "design": {"method": "sobol", "samples": 10},
            },
            r"design\.samples: the sobol design needs a power of 2 .* got 10; e\.g\. 8",
        ),
        (
            {"design": {"method": "sobol", "samples": 8}},
            r"parameters\.markets\.gpu\.market_depth_bn: the sobol design needs a range",
        ),
        ({"design": {"method": "grid"}}, r"design\.samples: a grid over a range .* needs samples"),
        ({"months": 0}, r"months: Input should be greater than or equal to 1"),
        ({"scenario": "no_such_scenario"}, r"scenario: .*unknown scenario 'no_such_scenario'"),
        ({"outputs": {"measures": ["nothing.*"]}}, r"outputs\.measures: 'nothing\.\*' matches no measure"),
        ({"settings": {"ltv_covenant": 99}}, r"settings: .*ltv_covenant"),
    ],
)
def test_an_invalid_spec_fails_before_any_run_naming_the_key(tmp_path: Path, change: dict, expected: str) -> None:
    out = tmp_path / "never"
    with pytest.raises(ConfigError, match=expected):
        run_sweep(tiny(**change), backend="serial", out=out)
    assert not out.exists()  # nothing ran, nothing was written


def test_a_spec_file_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("scenario: baseline_2025\nparameters:\n  waiver_propensity: {low: 0.5, high: 0.1}\n")
    with pytest.raises(ConfigError, match=rf"{path}: parameters\.waiver_propensity: empty range"):
        load_spec(path)


# ----------------------------------------------------------------------------- designs and seeds


def test_design_sizes() -> None:
    ranges = {
        "gpu_depreciation_per_year": {"low": 0.2, "high": 0.6},
        "ltv_covenant": {"low": 0.6, "high": 1.2},
        "waiver_propensity": {"low": 0.0, "high": 1.0},
    }
    grid = load_spec(
        tiny(
            parameters={**ranges, "resolution.max_rounds": {"values": [5, 10]}}, design={"method": "grid", "samples": 3}
        )
    )
    assert len(design_points(grid)) == 3 * 3 * 3 * 2
    assert len(plan_runs(grid)) == 54 * 2
    lhs = load_spec(tiny(parameters=ranges, design={"method": "lhs", "samples": 7}))
    points = design_points(lhs)
    assert len(points) == 7
    for name, r in ranges.items():  # a Latin hypercube: one point in each of the 7 strata of every range
        strata = np.floor((points[name] - r["low"]) / (r["high"] - r["low"]) * 7).astype(int)
        assert sorted(strata) == list(range(7))
    sobol = load_spec(tiny(parameters=ranges, design={"method": "sobol", "samples": 8}))
    assert len(design_points(sobol)) == 8 * (3 + 2)
    second = load_spec(tiny(parameters=ranges, design={"method": "sobol", "samples": 8, "second_order": True}))
    assert len(design_points(second)) == 8 * (2 * 3 + 2)
    morris = load_spec(tiny(parameters=ranges, design={"method": "morris", "samples": 5}))
    assert len(design_points(morris)) == 5 * (3 + 1)
    shuffled = load_spec(tiny(parameters=ranges, design={"method": "random", "samples": 9}))
    assert len(design_points(shuffled)) == 9
    assert design_points(shuffled).equals(
        design_points(load_spec(tiny(parameters=ranges, design={"method": "random", "samples": 9})))
    )


def test_seeds_come_from_the_master_seed_and_the_index() -> None:
    plan = plan_runs(load_spec(tiny()))
    assert list(plan["seed"]) == [run_seed(11, r) for r in plan["replication"]]  # common random numbers
    own = plan_runs(load_spec(tiny(common_random_numbers=False)))
    assert list(own["seed"]) == [run_seed(11, i) for i in own["run_index"]]
    assert own["seed"].nunique() == len(own)
    assert run_seed(11, 0) == int(
        np.random.SeedSequence(11, spawn_key=(0,)).spawn(1)[0].generate_state(1, np.uint64)[0] >> np.uint64(1)
    )


# ----------------------------------------------------------------------------- determinism


def test_table_has_one_row_per_run_with_parameters_seed_and_measures(serial_table: pd.DataFrame) -> None:
    table = serial_table
    assert list(table.columns[:6]) == [
        "run_index", "point", "replication", "seed", "gpu_depreciation_per_year", "markets.gpu.market_depth_bn"
    ]  # fmt: skip
    assert list(table["run_index"]) == list(range(8))
    assert table["error"].isna().all()
    assert "losses_bn.realised_losses_bn.total" in table and "defaults_by_kind.neocloud" in table
    assert "gpu_prices.H100.end_k_usd" not in table  # outputs.measures keeps only what it names
    assert (table["defaulted.CoreWeave"] == 1.0).all()  # the scenario's failure, in every run
    # the parameters move the results: the thin market loses more than the deep one, seed for seed
    thin = table[table["markets.gpu.market_depth_bn"] == 0.5]["losses_bn.unrealised_losses_bn.total"].to_numpy()
    deep = table[table["markets.gpu.market_depth_bn"] == 8.0]["losses_bn.unrealised_losses_bn.total"].to_numpy()
    assert not np.allclose(thin, deep)


def test_serial_processes_and_dask_give_the_identical_table(serial_table: pd.DataFrame, tmp_path: Path) -> None:
    pooled = run_sweep(tiny(), backend="processes", workers=2, batch_size=1, out=tmp_path / "pool")
    pd.testing.assert_frame_equal(serial_table, pooled)
    on_dask = run_sweep(tiny(), backend="dask", workers=2, batch_size=3)
    pd.testing.assert_frame_equal(serial_table, on_dask)
    pd.testing.assert_frame_equal(serial_table, pd.read_parquet(tmp_path / "pool" / store.RESULTS))


# ----------------------------------------------------------------------------- faults


class _Stop(KeyboardInterrupt):
    pass


def test_resume_after_an_interruption_gives_the_identical_table(serial_table: pd.DataFrame, tmp_path: Path) -> None:
    out = tmp_path / "sweep"

    def interrupt_after_three(done: int, total: int) -> None:
        if done == 3:
            raise _Stop

    with pytest.raises(_Stop):
        run_sweep(tiny(), backend="serial", out=out, batch_size=1, on_progress=interrupt_after_three)
    manifest = store.read_manifest(out)
    assert manifest["runs_done"] == 2 and manifest["runs_missing"] == 6 and not manifest["complete"]
    assert manifest["sessions"][0]["interrupted"]
    from simulator.sweep.plots import plot_sweep

    drawn = {p.name for p in plot_sweep(out)}  # a partial sweep can be drawn
    assert {"summary.csv", "distribution.png"} <= drawn
    with pytest.raises(SweepFolderError, match="holds a sweep already; resume it"):
        run_sweep(tiny(), backend="serial", out=out)
    with pytest.raises(SweepFolderError, match=r"different spec \(keys that differ: \['master_seed'\]\)"):
        run_sweep(tiny(master_seed=12), backend="serial", out=out, resume=True)

    resumed = run_sweep(tiny(), backend="serial", out=out, resume=True, batch_size=4)
    pd.testing.assert_frame_equal(serial_table, resumed)
    recorded = pd.concat(pd.read_parquet(p) for p in (out / store.PARTS).glob("runs-*.parquet"))
    assert sorted(recorded["run_index"]) == list(range(8))  # no duplicate, none missing
    manifest = store.read_manifest(out)
    assert manifest["complete"] and manifest["runs_done"] == 8 and len(manifest["sessions"]) == 2
    # resuming a complete sweep runs nothing and returns the same table
    pd.testing.assert_frame_equal(serial_table, run_sweep(tiny(), backend="serial", out=out, resume=True))


def test_a_run_that_raises_is_recorded_and_the_sweep_finishes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    step = ContagionModel.step

    def failing_step(self: ContagionModel) -> None:
        if self.config.markets.gpu.market_depth_bn == 8.0 and self.month == 2:
            raise ArithmeticError("a test failure in month 3")
        step(self)

    monkeypatch.setattr(ContagionModel, "step", failing_step)
    out = tmp_path / "sweep"
    table = run_sweep(tiny(), backend="serial", out=out)
    failed = table[table["error"].notna()]
    assert list(failed["markets.gpu.market_depth_bn"].unique()) == [8.0] and len(failed) == 4
    assert (failed["error"] == "ArithmeticError: a test failure in month 3").all()
    assert failed["losses_bn.realised_losses_bn.total"].isna().all()
    assert table[table["error"].isna()]["losses_bn.realised_losses_bn.total"].notna().all()
    manifest = store.read_manifest(out)
    assert manifest["complete"] and manifest["runs_failed"] == 4
    first = manifest["failures"][0]
    assert first["parameters"]["markets.gpu.market_depth_bn"] == 8.0 and "failing_step" in first["traceback"]


# ----------------------------------------------------------------------------- analysis


def _ishigami_table(spec) -> pd.DataFrame:
    plan = plan_runs(spec)
    x = [
        -np.pi + 2 * np.pi * (plan[name] - r.low) / (r.high - r.low)  # each range onto [-pi, pi]
        for name, r in spec.parameters.items()
    ]
    return plan.assign(y=np.sin(x[0]) + 7 * np.sin(x[1]) ** 2 + 0.1 * x[2] ** 4 * np.sin(x[0]))


def test_sobol_indices_of_the_ishigami_function_through_the_sweep_path() -> None:
    ranges = {
        "gpu_depreciation_per_year": {"low": 0.0, "high": 0.9},
        "rental_deflation_per_year": {"low": 0.0, "high": 0.9},
        "waiver_propensity": {"low": 0.0, "high": 1.0},
    }
    spec = load_spec(tiny(parameters=ranges, replications=1, design={"method": "sobol", "samples": 1024}))
    indices = sobol_indices(_ishigami_table(spec), spec, "y")
    # closed form (Ishigami and Homma 1990; a = 7, b = 0.1): S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    np.testing.assert_allclose(indices["S1"], [0.314, 0.442, 0.0], atol=0.05)
    np.testing.assert_allclose(indices["ST"], [0.558, 0.442, 0.244], atol=0.05)
    with pytest.raises(AnalysisError, match="need every design point: 1 of"):
        sobol_indices(_ishigami_table(spec).query("point != 3"), spec, "y")
    with pytest.raises(AnalysisError, match="morris indices need a morris design"):
        morris_indices(_ishigami_table(spec), spec, "y")


def test_morris_ranks_a_linear_function_by_its_slopes() -> None:
    ranges = {
        "gpu_depreciation_per_year": {"low": 0.0, "high": 0.9},
        "rental_deflation_per_year": {"low": 0.0, "high": 0.9},
        "waiver_propensity": {"low": 0.0, "high": 1.0},
    }
    spec = load_spec(tiny(parameters=ranges, replications=1, design={"method": "morris", "samples": 10}))
    plan = plan_runs(spec)
    plan["y"] = 10 * plan["gpu_depreciation_per_year"] + 1 * plan["rental_deflation_per_year"]
    effects = morris_indices(plan, spec, "y")
    # SALib's elementary effects are per the whole range: slope x range width (0.9 here)
    np.testing.assert_allclose(effects["mu_star"], [10.0 * 0.9, 1.0 * 0.9, 0.0], atol=1e-9)
    np.testing.assert_allclose(effects["sigma"], 0.0, atol=1e-9)  # linear: no interactions


# ----------------------------------------------------------------------------- shipped specs


@pytest.mark.parametrize("path", sorted(SWEEPS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_specs_are_valid_and_run_with_tiny_overrides(path: Path, tmp_path: Path) -> None:
    spec = load_spec(path)
    assert spec.name == path.stem and spec.description
    runs = len(plan_runs(spec))
    assert runs <= 1000  # a laptop finishes it in minutes
    raw = yaml.safe_load(path.read_text())
    raw.update(months=1, replications=1)
    raw["design"]["samples"] = 1 if raw["design"]["method"] in ("sobol", "morris") else 2
    small = tmp_path / path.name
    small.write_text(yaml.safe_dump(raw))
    table = run_sweep(small, backend="serial")
    assert len(table) == len(plan_runs(load_spec(small))) and table["error"].isna().all()


def test_shipped_designs() -> None:
    assert {p.stem for p in SWEEPS_DIR.glob("*.yaml")} >= {
        "depreciation_x_depth",
        "leverage_x_waiver",
        "sobol_eight_levers",
    }
    sobol = load_spec("sobol_eight_levers")
    from simulator.config import LEVERS

    assert sobol.design.method == "sobol" and sum(name in LEVERS for name in sobol.parameters) >= 8
    assert len(plan_runs(sobol)) == 64 * (len(sobol.parameters) + 2)


# ----------------------------------------------------------------------------- mesa.batch_run


def test_mesa_batch_run_still_drives_the_model() -> None:
    rows = mesa.batch_run(
        ContagionModel,
        parameters={"scenario": "neocloud_default", "gpu_market_depth_bn": [0.5, 8.0]},
        rng=[1, 2],
        max_steps=3,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)  # one row per institution per run, the model's figures repeated
    assert frame["RunId"].nunique() == 4 and set(frame["gpu_market_depth_bn"]) == {0.5, 8.0}
    institutions = len(ContagionModel("neocloud_default", rng=1).names)  # (agents: every institution)
    assert len(frame) == 4 * institutions and {"name", "equity_bn", "AgentID"} <= set(frame.columns)
    assert "realised_losses_bn_total" in frame and (frame["Step"] == 3).all()
    runs = frame.groupby("RunId").first()
    assert runs.groupby("gpu_market_depth_bn")["realised_losses_bn_total"].mean().loc[0.5] > 0


def test_the_months_lever_sets_each_runs_length() -> None:
    table = run_sweep(
        tiny(scenario="baseline_2025", parameters={"months": {"values": [1, 3]}}, outputs={}), backend="serial"
    )
    assert list(table["months"]) == [1, 1, 3, 3]  # the parameter (the measure of the same name is the same)
    short, long = (table.loc[table["months"] == m, "system_equity_bn.end"].to_numpy() for m in (1, 3))
    assert not np.allclose(short, long)  # the runs did last 1 and 3 months
