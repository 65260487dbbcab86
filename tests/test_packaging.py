"""Packaging: aicontagion works when installed, not only from its checkout.

``test_wheel_install`` builds a wheel from a copy of the repository, installs it into a fresh
virtual environment outside the checkout and, from a folder outside the checkout with no
PYTHONPATH, lists the scenarios, runs one, loads scenarios that extend packaged ones, and starts
the app until it serves its page. ``test_editable_install`` checks that an editable install (what
``scripts/bootstrap.sh`` makes) finds the scenarios through ``importlib.resources`` too.

Both reuse uv's cache, which ``scripts/bootstrap.sh`` filled: the environments link the already
downloaded wheels (pinned by ``requirements.lock`` as constraints, so only the wheel's declared
dependencies are installed) and each test takes seconds, not minutes. Each test is
self-contained, so ``pytest -n 2`` may run them on two workers at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(p.stem for p in (ROOT / "configs").glob("*.yaml"))
LESSONS = sorted(p.stem for p in (ROOT / "configs" / "lessons").glob("*.yaml"))
APP_START_TIMEOUT = 60.0
# Not copied into the build folder: virtualenvs, caches, outputs and earlier build products.
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".cache", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints", "__pycache__",
    "build", "dist", "*.egg-info", "runs", "out", "test-artifacts", "node_modules",
)  # fmt: skip

# Printed by the installed Python: where the code and the scenarios come from, and two scenarios
# from outside the package that extend packaged ones (by name, and by a relative file name).
PROBE = textwrap.dedent(
    """
    import json, sys
    from importlib import resources
    import simulator
    from simulator.config import CONFIG_DIR, _resolve, load_scenario, scenario_names
    from simulator.lessons import lesson_names, load_lesson
    child = load_scenario(sys.argv[1])
    print(json.dumps({
        "simulator": simulator.__file__,
        "resources": str(resources.files("simulator.scenarios")),
        "config_dir": str(CONFIG_DIR),
        "names": scenario_names(),
        "resolved": str(_resolve("baseline_2025")),
        "backstop_shocks": len(load_scenario("backstop").shocks),
        "child": [child.name, child.months, len(child.shocks)],
        "lessons": {name: len(load_lesson(name).stages) for name in lesson_names()},
    }))
    """
)


# ----------------------------------------------------------------------------- helpers


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(empty)"


def _run(cmd: list[str], what: str, *, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    """Run ``cmd``; fail with its exit code, stdout and stderr if it fails or hangs."""
    shown = " ".join(str(c) for c in cmd)
    try:
        result = subprocess.run(
            [str(c) for c in cmd], capture_output=True, text=True, timeout=timeout,
            stdin=subprocess.DEVNULL, **kwargs,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        err = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        pytest.fail(f"{what}: no answer within {timeout:.0f} s\n$ {shown}\n--- stdout\n{_tail(out)}\n"
                    f"--- stderr\n{_tail(err)}", pytrace=False)  # fmt: skip
    if result.returncode != 0:
        pytest.fail(f"{what}: exit code {result.returncode}\n$ {shown}\n--- stdout\n{_tail(result.stdout)}\n"
                    f"--- stderr\n{_tail(result.stderr)}", pytrace=False)  # fmt: skip
    return result


def _uv() -> str:
    """The uv that scripts/bootstrap.sh installed next to this Python (else one on PATH)."""
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv not found next to the test interpreter or on PATH; run scripts/bootstrap.sh", pytrace=False)
    return found


def _uv_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["UV_PYTHON_DOWNLOADS"] = "never"  # use the interpreter running the tests; never download one
    return env


def _copy_repo(dest: Path) -> Path:
    """A copy of the repository to build from (building writes build/ and *.egg-info)."""
    shutil.copytree(ROOT, dest, ignore=COPY_IGNORE, symlinks=True)
    return dest


def _make_venv(path: Path, *install_args: str | Path) -> Path:
    """A fresh virtual environment at ``path`` holding ``install_args``; returns its bin folder."""
    uv, env = _uv(), _uv_env()
    _run([uv, "venv", "-q", "--python", sys.executable, path], "creating a virtual environment",
         timeout=60, env=env)  # fmt: skip
    python = path / "bin" / "python"
    _run([uv, "pip", "install", "-q", "--python", python, "-c", ROOT / "requirements.lock", *install_args],
         "installing into the fresh virtual environment", timeout=600, env=env)  # fmt: skip
    return path / "bin"


def _clean_env(bin_dir: Path) -> dict[str, str]:
    """The environment of a user of the installed package: no PYTHONPATH, its venv first on PATH."""
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "SOLARA_ASSETS_PROXY_CACHE_DIR")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    return env


def _outside_extensions(folder: Path) -> Path:
    """Two scenario files outside the package: parent extends a packaged one by name, child the parent by file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "parent.yaml").write_text("extends: neocloud_default\nname: outside_parent\n")
    (folder / "child.yaml").write_text("extends: parent.yaml\nname: outside_child\nmonths: 2\n")
    return folder / "child.yaml"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _assert_lists_all(listed: subprocess.CompletedProcess) -> None:
    names = sorted(line.split()[0] for line in listed.stdout.splitlines() if line.strip())
    assert names == SCENARIOS, (f"aicontagion scenarios listed {names}, expected {SCENARIOS}\n"
                                f"--- stdout\n{_tail(listed.stdout)}\n--- stderr\n{_tail(listed.stderr)}")  # fmt: skip


def _is_within(path: str | Path, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


# ----------------------------------------------------------------------------- app


def _stop_group(proc: subprocess.Popen) -> None:
    """Ctrl-C the app's process group; then SIGTERM, then SIGKILL, each after a grace period."""
    for sig, grace in ((signal.SIGINT, 15), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; give the rest of the group (solara) the same grace period.
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _serve_and_fetch(bin_dir: Path, cwd: Path, log_path: Path) -> tuple[str, float, int | None]:
    """Start ``aicontagion app``, poll its page until it answers 200 with HTML, stop it.

    Returns the page, the seconds it took to answer and the exit code after Ctrl-C.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    cmd = [str(bin_dir / "aicontagion"), "app", "--port", str(port)]
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=_clean_env(bin_dir), stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,  # its own group: stop app + solara together
        )  # fmt: skip
    t0 = time.monotonic()
    page, last_error = None, "no answer yet"
    try:
        while page is None:
            if proc.poll() is not None:
                pytest.fail(f"aicontagion app exited with code {proc.returncode} before serving {url}\n"
                            f"$ {' '.join(cmd)}\n--- output\n{_tail(log_path.read_text(errors='replace'))}",
                            pytrace=False)  # fmt: skip
            if time.monotonic() - t0 > APP_START_TIMEOUT:
                pytest.fail(f"aicontagion app did not serve {url} within {APP_START_TIMEOUT:.0f} s "
                            f"(last: {last_error})\n$ {' '.join(cmd)}\n--- output\n"
                            f"{_tail(log_path.read_text(errors='replace'))}", pytrace=False)  # fmt: skip
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = response.read().decode(errors="replace")
                    kind = response.headers.get("Content-Type", "")
                if response.status == 200 and "text/html" in kind and "<html" in body.lower():
                    page = body
                else:
                    last_error = f"HTTP {response.status}, {kind}, {len(body)} characters"
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                last_error = repr(exc)
            if page is None:
                time.sleep(0.25)
        answered_in = time.monotonic() - t0
    finally:
        _stop_group(proc)
    return page, answered_in, proc.returncode


# ----------------------------------------------------------------------------- tests


def test_wheel_install(tmp_path):
    """The wheel carries every scenario; installed outside the checkout, the CLI and the app work."""
    t0 = time.monotonic()
    source = _copy_repo(tmp_path / "source")
    dist = tmp_path / "dist"
    _run([_uv(), "build", "-q", "--wheel", "--python", sys.executable, "--out-dir", dist, source],
         "building the wheel", timeout=300, env=_uv_env())  # fmt: skip
    wheels = list(dist.glob("aicontagion-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {dist}, found {[w.name for w in wheels]}"
    with zipfile.ZipFile(wheels[0]) as wheel:
        shipped = set(wheel.namelist())
    expected = {f"simulator/scenarios/{name}.yaml" for name in SCENARIOS}
    expected |= {"simulator/scenarios/__init__.py", "simulator/scenarios/README.md"}
    assert expected <= shipped, f"the wheel lacks {sorted(expected - shipped)}"
    assert not any(n.startswith("configs/") for n in shipped), "configs/ must ship as simulator/scenarios/"

    venv = tmp_path / "venv"
    bin_dir = _make_venv(venv, wheels[0])
    work = tmp_path / "elsewhere"  # the user's folder: neither the checkout nor the venv
    work.mkdir()
    env = _clean_env(bin_dir)
    t_install = time.monotonic() - t0

    listed = _run([bin_dir / "aicontagion", "scenarios"], "aicontagion scenarios", timeout=120, cwd=work, env=env)
    _assert_lists_all(listed)
    assert len(SCENARIOS) == 9

    probe = _run([bin_dir / "python", "-c", PROBE, _outside_extensions(work / "mine")],
                 "loading scenarios in the installed package", timeout=120, cwd=work, env=env)  # fmt: skip
    found = json.loads(probe.stdout)
    site_scenarios = Path(found["simulator"]).parent / "scenarios"
    assert _is_within(found["simulator"], venv), f"simulator imported from {found['simulator']}, not the venv"
    assert not _is_within(found["simulator"], ROOT), "the installed test imported the checkout's code"
    assert Path(found["resources"]) == Path(found["config_dir"]) == site_scenarios, found
    assert found["names"] == SCENARIOS, found
    assert Path(found["resolved"]) == site_scenarios / "baseline_2025.yaml", found
    assert found["backstop_shocks"] > 0, "backstop lost neocloud_default's shocks through extends"
    assert sorted(found["lessons"]) == LESSONS and min(found["lessons"].values()) > 0, found  # lessons ship too
    assert found["child"][:2] == ["outside_child", 2] and found["child"][2] > 0, found

    out = work / "run-out"
    _run([bin_dir / "aicontagion", "run", "neocloud_default", "--months", "3", "--out", out, "--quiet"],
         "aicontagion run neocloud_default", timeout=180, cwd=work, env=env)  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "neocloud_default" and summary["months"] == 3, summary

    page, answered_in, code = _serve_and_fetch(bin_dir, work, tmp_path / "app.log")
    assert "aicontagion" in page, f"the page does not look like the app:\n{page[:500]}"
    assert code == 0, f"aicontagion app exited with {code} after Ctrl-C:\n{_tail((tmp_path / 'app.log').read_text())}"
    print(
        f"build + install {t_install:.1f} s; app answered in {answered_in:.1f} s; total {time.monotonic() - t0:.1f} s"
    )


def test_editable_install(tmp_path):
    """``pip install -e`` (scripts/bootstrap.sh) maps simulator.scenarios to the checkout's configs/."""
    source = _copy_repo(tmp_path / "source")
    venv = tmp_path / "venv"
    bin_dir = _make_venv(venv, "-e", source)
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = _clean_env(bin_dir)

    listed = _run([bin_dir / "aicontagion", "scenarios"], "aicontagion scenarios", timeout=120, cwd=work, env=env)
    _assert_lists_all(listed)

    probe = _run([bin_dir / "python", "-c", PROBE, _outside_extensions(work / "mine")],
                 "loading scenarios in the editable install", timeout=120, cwd=work, env=env)  # fmt: skip
    found = json.loads(probe.stdout)
    configs = (source / "configs").resolve()
    assert Path(found["simulator"]).resolve() == source.resolve() / "simulator" / "__init__.py", found
    assert Path(found["resources"]).resolve() == configs, "importlib.resources does not find configs/"
    assert Path(found["config_dir"]).resolve() == configs, found
    assert found["names"] == SCENARIOS, found
    assert found["child"][:2] == ["outside_child", 2] and found["child"][2] > 0, found
