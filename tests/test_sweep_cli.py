"""`aicontagion sweep` and `aicontagion plot`: files written, bad specs refused with exit 2 and a
message naming the key, and a sweep whose process is killed completed by --resume.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from importlib.util import find_spec
from pathlib import Path

import pandas as pd
import pytest
import yaml

from simulator.cli import main
from simulator.sweep import run_sweep, store

ROOT = Path(__file__).resolve().parent.parent
SPEC = {
    "description": "a small phase diagram for the tests",
    "scenario": "baseline_2025",
    "months": 3,
    "replications": 2,
    "master_seed": 3,
    "settings": {"gpu_depreciation_per_year": 0.6},
    "parameters": {
        "ltv_covenant": {"low": 0.4, "high": 1.2},
        "gpu_market_depth_bn": {"values": [0.5, 4.0]},
    },
    "design": {"method": "grid", "samples": 2},
    "outputs": {"timeseries": True},
}


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(SPEC, sort_keys=False))
    return path


def test_sweep_then_plot_write_results_and_figures(spec_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["sweep", str(spec_file), "--backend", "serial", "--out", str(out), "--quiet"]) == 0
    table = pd.read_parquet(out / store.RESULTS)
    assert len(table) == 8 and table["error"].isna().all()
    assert store.read_manifest(out)["name"] == "small"
    assert main(["plot", str(out)]) == 0
    written = {p.name for p in (out / "plots").iterdir()}
    assert {"summary.csv", "phase_diagram.png", "distribution.png", "fan_chart.png"} <= written
    assert all((out / "plots" / name).stat().st_size > 10_000 for name in written if name.endswith(".png"))
    summary = pd.read_csv(out / "plots" / "summary.csv")
    assert len(summary) == 4 and "p_neocloud_default" in summary
    assert main(["plot", str(out), "--measure", "no.such.measure"]) == 2
    assert "measure 'no.such.measure' is not in the sweep; choose from" in capsys.readouterr().err
    assert main(["plot", str(tmp_path / "nothing")]) == 2
    err = capsys.readouterr().err
    assert "nothing to draw" in err and "manifest.json" in err and "tipping.json" in err and "discovery.json" in err


@pytest.mark.skipif(
    find_spec("prim") is None and not os.environ.get("CI"), reason="the prim package (PRIM 1.0.0) is not installed"
)  # (as in tests/test_tipping_discovery.py: in CI a missing prim fails)
def test_plot_adds_the_prim_boxes_of_a_discovery_made_in_the_sweep_folder(spec_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["sweep", str(spec_file), "--backend", "serial", "--out", str(out), "--quiet"]) == 0
    # realised losses happen with the tight covenant (ltv_covenant 0.4) and not with the loose one (1.2)
    assert main(["discover", str(out), "--outcome", "realised_losses_bn > 1", "--quiet"]) == 0
    assert main(["plot", str(out)]) == 0
    written = {p.name for p in (out / "plots").iterdir()}
    assert {"summary.csv", "phase_diagram.png", "fan_chart.png", "discovery.png"} <= written
    assert (out / "plots" / "discovery.png").read_bytes() == (out / "discovery.png").read_bytes()


def test_a_bad_spec_exits_2_naming_the_key(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**SPEC, "parameters": {"ltv_covenant": {"low": 0.4, "high": 99}}}))
    assert main(["sweep", str(bad), "--backend", "serial", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "parameters.ltv_covenant.high: 99.0 is not allowed" in err and "allowed [0.05, 10.0]" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()
    assert main(["sweep", str(tmp_path / "missing.yaml")]) == 2
    assert (
        "no such file; give a path to a .yaml file or a shipped spec: ['depreciation_x_depth'"
        in capsys.readouterr().err
    )
    assert main(["plot", str(tmp_path)]) == 2
    assert (
        "nothing to draw (it holds none of them); give a folder with a sweep (manifest.json" in capsys.readouterr().err
    )


def test_a_killed_sweep_is_completed_by_resume(spec_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "simulator.cli", "sweep", str(spec_file), "--backend", "serial",
               "--batch-size", "1", "--out", str(out), "--quiet"]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list((out / store.PARTS).glob("runs-*.parquet"))) < 2 and process.poll() is None:
            assert time.monotonic() < deadline, "the sweep wrote no results"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)  # the process this test started
    finally:
        process.wait()
    done = len(store.read_runs(out))
    assert done >= 2
    if process.returncode != -signal.SIGKILL:
        pytest.skip("the sweep finished before it could be killed")
    assert done < 8 and not store.read_manifest(out)["complete"]
    assert main(["sweep", str(spec_file), "--backend", "serial", "--out", str(out), "--resume", "--quiet"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / store.RESULTS), run_sweep(SPEC | {"name": "small"}, backend="serial")
    )
    recorded = pd.concat(pd.read_parquet(p) for p in (out / store.PARTS).glob("runs-*.parquet"))
    assert sorted(recorded["run_index"]) == list(range(8))  # no duplicate, none missing


def test_failed_runs_are_listed_and_exit_1(spec_file: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    from simulator.model import ContagionModel

    step = ContagionModel.step

    def failing_step(self: ContagionModel) -> None:
        if self.config.markets.gpu.market_depth_bn == 4.0:
            raise ZeroDivisionError("a test failure")
        step(self)

    monkeypatch.setattr(ContagionModel, "step", failing_step)
    out = tmp_path / "out"
    assert main(["sweep", str(spec_file), "--backend", "serial", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "4 runs failed (all listed in" in err and "ZeroDivisionError: a test failure" in err
    assert "'gpu_market_depth_bn': 4.0" in err
    assert len(pd.read_parquet(out / store.RESULTS)) == 8  # the other runs finished and were written
