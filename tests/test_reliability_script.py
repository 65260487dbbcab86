"""scripts/reliability.py runs end to end (with the smallest counts) and prints its tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_reliability_script_prints_its_figures(tmp_path):
    counts = ["--seeds", "1", "--horizon", "3", "--identical", "1", "--fuzz", "3", "--cli-generated", "10",
              "--api-generated", "10", "--interrupts", "0"]  # fmt: skip
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "reliability.py"), *counts, "--json", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for heading in ("measure", "command line, catalogue", "Python API, catalogue", "runs with invariants each month",
                    "bit-identical in 2 more processes", "the catalogue", "--out \"\""):  # fmt: skip
        assert heading in result.stdout, heading
    assert (tmp_path / "r.json").is_file()
