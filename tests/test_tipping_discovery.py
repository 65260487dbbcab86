"""Scenario discovery (``simulator.sweep.discovery``): PRIM finds a box planted in a synthetic
sweep table and reports its coverage and density; bad input names the problem;
``aicontagion discover`` writes its table.
"""

from __future__ import annotations

import json
import os
from importlib.util import find_spec

import numpy as np
import pandas as pd
import pytest

from simulator import cli
from simulator.config import ConfigError
from simulator.sweep import discover_scenarios
from simulator.sweep.discovery import lever_columns, read_results

RUNS = 600
# (the test set-up installs it, so in CI a missing prim fails these tests instead of skipping them)
needs_prim = pytest.mark.skipif(
    find_spec("prim") is None and not os.environ.get("CI"), reason="the prim package (PRIM 1.0.0) is not installed"
)


def synthetic_sweep(seed: int = 3) -> pd.DataFrame:
    """A sweep over three levers in which a neocloud defaults exactly when the GPU market is thin
    (depth below 3) and lenders rarely waive (propensity below 0.4), plus 2% noise each way.
    """
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "gpu_market_depth_bn": rng.uniform(0.5, 10.0, RUNS),
            "waiver_propensity": rng.uniform(0.0, 1.0, RUNS),
            "gpu_depreciation_per_year": rng.uniform(0.1, 0.6, RUNS),
            "seed": np.arange(RUNS),
        }
    )
    planted = (table["gpu_market_depth_bn"] < 3.0) & (table["waiver_propensity"] < 0.4)
    flipped = rng.uniform(size=RUNS) < 0.02
    table["defaults_by_kind.neocloud"] = (planted ^ flipped).astype(float)
    table["defaults_total"] = table["defaults_by_kind.neocloud"] * 2
    table["losses_bn.realised_losses_bn.total"] = rng.uniform(0, 5, RUNS) + 40 * planted
    return table


@needs_prim
def test_prim_recovers_a_planted_box():
    table = synthetic_sweep()
    found = discover_scenarios(table, "defaults_by_kind.neocloud >= 1", max_boxes=1)
    assert found.inputs == ("gpu_market_depth_bn", "waiver_propensity", "gpu_depreciation_per_year")
    assert found.runs == RUNS
    (box,) = found.boxes
    limits = {limit.lever: limit for limit in box.limits}
    assert set(limits) == {"gpu_market_depth_bn", "waiver_propensity"}  # not the lever that does not matter
    depth, waiver = limits["gpu_market_depth_bn"], limits["waiver_propensity"]
    assert depth.low is None or depth.low < 1.0
    assert 2.5 < depth.high <= 3.2 and 0.33 < waiver.high <= 0.45 and waiver.low is None
    assert box.coverage >= 0.75 and box.density >= 0.85
    assert box.density > 3 * found.share_with_outcome
    assert box.runs_with_outcome == round(box.density * box.runs)
    assert all(limit.quasi_p < 1e-6 for limit in box.limits)
    table_out = found.table()
    assert list(table_out["lever"]) == [limit.lever for limit in box.limits]
    assert set(table_out.columns) >= {"coverage", "density", "low", "high", "quasi_p"}
    assert "gpu_market_depth_bn <=" in box.text()


@needs_prim
def test_min_coverage_chooses_along_the_peeling_trajectory():
    table = synthetic_sweep()
    broad = discover_scenarios(table, "defaults_by_kind.neocloud >= 1", max_boxes=1, min_coverage=0.95).boxes[0]
    narrow = discover_scenarios(table, "defaults_by_kind.neocloud >= 1", max_boxes=1, min_coverage=0.3).boxes[0]
    assert broad.coverage >= 0.95
    assert narrow.density >= broad.density and narrow.coverage <= broad.coverage


def test_no_run_or_every_run_has_the_outcome():
    table = synthetic_sweep()
    none = discover_scenarios(table, "defaults_total > 100")
    assert none.boxes == () and none.runs_with_outcome == 0 and "no run has the outcome" in none.note
    every = discover_scenarios(table, "defaults_total >= 0")
    assert every.boxes == () and "every run has the outcome" in every.note


def test_levers_are_found_by_name():
    table = synthetic_sweep()
    table["markets.gpu.market_depth_bn"] = table["gpu_market_depth_bn"]
    table["months"] = 24.0  # (a measure, and constant)
    assert lever_columns(table) == [
        "gpu_market_depth_bn", "waiver_propensity", "gpu_depreciation_per_year", "markets.gpu.market_depth_bn",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"outcome": "defaults"}, "a number, not a condition"),
        ({"outcome": "neocloud_defaults >= 1"}, "unknown measure 'neocloud_defaults'"),
        ({"inputs": ["depth"]}, "inputs: no column 'depth'"),
        ({"min_coverage": 1.5}, "min_coverage: expected a number from 0.0 to 1.0"),
        ({"max_boxes": 0}, "max_boxes: expected a whole number from 1 to 20"),
    ],
)
def test_bad_input_names_the_problem(kwargs, fragment):
    arguments = {"outcome": "defaults >= 1", **kwargs}
    with pytest.raises(ConfigError) as info:
        discover_scenarios(synthetic_sweep(), arguments.pop("outcome"), **arguments)
    assert fragment in str(info.value)


def test_results_are_read_from_a_sweep_folder_or_a_file(tmp_path):
    from simulator.sweep import run_sweep

    spec = {
        "name": "tiny", "scenario": "baseline_2025", "months": 2, "replications": 1, "master_seed": 1,
        "parameters": {"gpu_market_depth_bn": {"values": [1.0, 5.0]}, "waiver_propensity": {"values": [0.0, 1.0]}},
        "design": {"method": "grid"},
    }  # fmt: skip
    table = run_sweep(spec, backend="serial", out=tmp_path / "sweep")
    read = read_results(tmp_path / "sweep")
    assert read.attrs["parameters"] == ["gpu_market_depth_bn", "waiver_propensity"]
    pd.testing.assert_frame_equal(read.reset_index(drop=True), table.reset_index(drop=True), check_dtype=False)
    (tmp_path / "sweep" / "results.parquet").unlink()  # a sweep still running: its parts
    assert len(read_results(tmp_path / "sweep")) == 4
    found = discover_scenarios(tmp_path / "sweep", "defaults >= 0")
    assert found.inputs == ("gpu_market_depth_bn", "waiver_propensity") and found.boxes == ()
    synthetic_sweep().to_csv(tmp_path / "results.csv", index=False)
    assert len(read_results(tmp_path / "results.csv")) == RUNS
    with pytest.raises(ConfigError, match="no such file or folder"):
        read_results(tmp_path / "missing.csv")
    with pytest.raises(ConfigError, match="is not a sweep's output folder"):
        read_results(tmp_path)


@needs_prim
def test_cli_discover_writes_boxes_and_rejects_bad_input(tmp_path, capsys):
    synthetic_sweep().to_csv(tmp_path / "results.csv", index=False)
    code = cli.main(["discover", str(tmp_path / "results.csv"), "--outcome", "defaults_by_kind.neocloud >= 1",
                     "--boxes", "1"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Coverage" in out and "gpu_market_depth_bn" in out
    assert (tmp_path / "discovery.png").read_bytes().startswith(b"\x89PNG")
    boxes = pd.read_csv(tmp_path / "discovery.csv")
    assert set(boxes["lever"]) == {"gpu_market_depth_bn", "waiver_propensity"}
    data = json.loads((tmp_path / "discovery.json").read_text())
    assert data["boxes"][0]["coverage"] == pytest.approx(boxes["coverage"][0])

    for argv, fragment in [
        (["--outcome", "defaults"], "--outcome: outcome 'defaults': a number, not a condition"),
        (["--outcome", "defaults >= 1", "--inputs", "depth"], "--inputs: inputs: no column 'depth'"),
        (["--outcome", "defaults >= 1", "--min-coverage", "2"], "min-coverage must be a number from 0 to 1"),
    ]:
        code = cli.main(["discover", str(tmp_path / "results.csv"), *argv])
        _, err = capsys.readouterr()
        assert code == 2 and fragment in err and "Traceback" not in err, err
    code = cli.main(["discover", str(tmp_path / "nothing"), "--outcome", "defaults >= 1"])
    _, err = capsys.readouterr()
    assert code == 2 and "RESULTS: results:" in err and "no such file or folder" in err


@needs_prim
def test_plot_draws_the_boxes_of_a_discovery(tmp_path, capsys):
    from simulator.sweep.discovery import Discovery

    synthetic_sweep().to_csv(tmp_path / "results.csv", index=False)
    out = tmp_path / "found"  # a folder of its own: discovery.json names the results it was found in
    code = cli.main(["discover", str(tmp_path / "results.csv"), "--outcome", "defaults_by_kind.neocloud >= 1",
                     "--out", str(out), "--quiet"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    data = json.loads((out / "discovery.json").read_text())
    assert data["results"] == str((tmp_path / "results.csv").resolve())
    found = Discovery.from_dict(data)
    assert found.to_dict() == {k: v for k, v in data.items() if k != "results"}
    assert cli.main(["plot", str(out)]) == 0
    assert capsys.readouterr().out.split() == [str(out / "plots" / "discovery.png")]
    assert (out / "plots" / "discovery.png").read_bytes() == (out / "discovery.png").read_bytes()
    (tmp_path / "results.csv").unlink()  # the results are gone, and the folder holds no sweep
    assert cli.main(["plot", str(out)]) == 2
    assert "are gone, and" in capsys.readouterr().err


def test_without_prim_the_error_says_what_to_install(monkeypatch, capsys, tmp_path):
    import sys

    from simulator.sweep.discovery import PrimMissing

    monkeypatch.setitem(sys.modules, "prim", None)  # (an import of it raises ImportError)
    with pytest.raises(PrimMissing, match=r"pip install PRIM==1\.0\.0"):
        discover_scenarios(synthetic_sweep(), "defaults >= 1")
    synthetic_sweep().to_csv(tmp_path / "results.csv", index=False)
    code = cli.main(["discover", str(tmp_path / "results.csv"), "--outcome", "defaults >= 1"])
    assert code == 2 and "needs the 'prim' package" in capsys.readouterr().err
