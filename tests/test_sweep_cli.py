"""`aicontagion sweep` and `aicontagion plot`: files written, bad specs refused with exit 2 and a
message naming the key, and a sweep whose process is killed completed by --resume.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
    assert "not a sweep folder (no manifest.json)" in capsys.readouterr().err


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
