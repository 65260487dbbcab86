"""A sweep on a real Dask cluster: a `dask scheduler` and a `dask worker` with two worker
processes on 127.0.0.1, started here; one worker is killed in the middle of the sweep, and the
final table must still be complete and equal to the serial one.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from simulator.sweep import run_sweep, store

ROOT = Path(__file__).resolve().parent.parent
SPEC = {
    "name": "on_a_cluster",
    "scenario": "neocloud_default",
    "months": 3,
    "replications": 3,
    "master_seed": 5,
    "parameters": {"gpu_market_depth_bn": {"values": [0.5, 8.0, 32.0]}},
    "design": "grid",
    "outputs": {"measures": ["losses_bn.*.total", "defaults_total"]},
}


def _dask_command() -> list[str]:
    found = Path(sys.executable).with_name("dask")
    return [str(found)] if found.exists() else [shutil.which("dask") or "dask"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a scheduler with two single-threaded worker processes, all on loopback.

    The scheduler picks its own free port and writes its address to a scheduler file (a port
    chosen here and bound later could be taken meanwhile by a test on another pytest worker).
    """
    from distributed import Client

    scheduler_file = tmp_path_factory.mktemp("dask") / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [*_dask_command(), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    dashboard = ("--dashboard-address", "127.0.0.1:0")
    started = [
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--scheduler-file", str(scheduler_file), *dashboard)
    ]
    try:
        started.append(
            start("worker", "--scheduler-file", str(scheduler_file), "--host", "127.0.0.1", "--nworkers", "2",
                  "--nthreads", "1", *dashboard)
        )  # fmt: skip
        with Client(scheduler_file=str(scheduler_file), timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            address = client.scheduler.address
        yield address
    finally:
        for process in reversed(started):  # our own processes and their children, by group
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_worker_killed_mid_sweep_loses_nothing(cluster: str, tmp_path: Path) -> None:
    from distributed import Client

    serial = run_sweep(SPEC, backend="serial")
    with Client(cluster, timeout=30) as client:
        pids = sorted(client.run(os.getpid).values())
    assert len(pids) == 2
    killed = []

    def kill_one_worker(done: int, total: int) -> None:
        if done >= 2 and not killed:
            os.kill(pids[0], signal.SIGKILL)  # a worker process of the cluster this test started
            killed.append(pids[0])

    out = tmp_path / "sweep"
    table = run_sweep(SPEC, backend="dask", address=cluster, out=out, batch_size=2, on_progress=kill_one_worker)
    assert killed
    pd.testing.assert_frame_equal(serial, table)
    manifest = store.read_manifest(out)
    assert manifest["complete"] and manifest["runs_done"] == 9 and manifest["failures"] == []
    assert manifest["sessions"][0]["backend"] == "dask" and manifest["sessions"][0]["address"] == cluster
