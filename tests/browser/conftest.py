"""Fixtures for real-browser tests: an app server on a free loopback port, headless Chromium.

Usage (see test_infra.py)::

    def test_page(app_server, page, save_screenshot):
        page.goto(app_server.url)                      # app_server: simulator/app/page.py
        ...
        save_screenshot(page, "loaded")                # -> test-artifacts/loaded.png

    def test_other_page(start_app_server, page):
        server = start_app_server(app_path=SOME_PAGE, scenario="baseline")
        page.goto(server.url)

``page`` / ``context`` / ``new_context`` / ``browser`` are pytest-playwright's fixtures; this file
makes them use Debian's Chromium (/usr/bin/chromium) with the flags these machines need. Every
test here is marked ``browser``. When Chromium or the offline Solara assets are missing, the tests
are skipped locally but FAIL under CI (CI=true), so CI can never go green without running them. A
test that opens a file instead of the app (test_report_page.py) needs Chromium only.

Set-up: scripts/install_chromium.sh and scripts/fetch_solara_assets.sh.
Artifacts (screenshots, server logs, failure screenshots) go to <repo>/test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"
CHROMIUM = os.environ.get("AICONTAGION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0  # seconds until the server must answer HTTP
VIEWPORT = {"width": 1400, "height": 900}

if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from simulator.app.server import (  # noqa: E402
    DEFAULT_APP_PATH,
    DEFAULT_ASSETS_DIR,
    assets_dir_is_complete,
)


def server_command(host: str, port: int, app_path: Path, scenario: str | None) -> list[str]:
    """The one place that says how a test starts the app server.

    Once the CLI exists this can become
    ``[sys.executable, "-m", "simulator.cli", "app", "--host", host, "--port", str(port), ...]``
    (the CLI has no app-path option: keep this form for test-only pages such as _smoke_app.py).
    """
    call = f"serve(host={host!r}, port={port!r}, scenario={scenario!r}, app_path={str(app_path)!r})"
    return [sys.executable, "-c", f"from simulator.app.server import serve; raise SystemExit({call})"]


# --------------------------------------------------------------------------- requirements


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes", "on")


def _assets_dir() -> Path:
    return Path(os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR") or DEFAULT_ASSETS_DIR)


def missing_requirements(app: bool = True) -> list[str]:
    """What the browser tests need but this machine lacks (empty list: all there); ``app=False``:
    what a test that opens a file, not the app, needs (Chromium only).
    """
    missing = []
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium not found at {CHROMIUM} (run scripts/install_chromium.sh)")
    if app and not assets_dir_is_complete(_assets_dir()):
        missing.append(f"Solara front-end assets missing in {_assets_dir()} (run scripts/fetch_solara_assets.sh)")
    return missing


def pytest_configure(config: pytest.Config) -> None:
    # pytest-playwright's base_url fixture triggers this pytest deprecation; not ours to fix.
    config.addinivalue_line("filterwarnings", "ignore:Session-scoped fixtures defined as instance methods")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip (locally) or fail (CI=true) a browser test when the set-up is incomplete.

    A hook, not a fixture, so it runs before session fixtures such as ``browser`` try to start.
    """
    if item.get_closest_marker("browser") is None:
        return
    fixtures = set(getattr(item, "fixturenames", ()))
    missing = missing_requirements(app=bool(fixtures & {"app_server", "start_app_server"}))
    if not missing:
        return
    reason = "browser test set-up incomplete: " + "; ".join(missing)
    if _in_ci():
        pytest.fail(reason + " [CI=true: browser tests must run, not skip]", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- server


def get_free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    return get_free_port()


@dataclass
class AppServer:
    """A running app server (its own process group) and where to reach it."""

    url: str
    port: int
    proc: subprocess.Popen
    log_path: Path
    started_in: float  # seconds from launch until HTTP answered
    _log_file: object = field(repr=False, default=None)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop the whole process group (serve() and its `solara run` child)."""
        if self.proc.poll() is None:
            for sig, timeout in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
                try:
                    self.proc.wait(timeout=timeout)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # The group may outlive its leader (a child still shutting down): make sure it is gone.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


def start_server(
    app_path: Path | str | None = None,
    scenario: str | None = None,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = SERVER_START_TIMEOUT,
    name: str | None = None,
) -> AppServer:
    """Start the app server in its own process group and wait until it answers HTTP."""
    app_path = Path(app_path) if app_path is not None else DEFAULT_APP_PATH
    if not app_path.exists():
        pytest.fail(f"app page not found: {app_path}", pytrace=False)
    port = port or get_free_port(host)
    logs = ARTIFACTS_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    label = _slug(name or "-".join(filter(None, [app_path.stem.lstrip("_"), scenario])))
    log_path = logs / f"server-{label}.log"  # overwritten by the next run
    log_file = open(log_path, "wb")  # noqa: SIM115 (closed in AppServer.stop)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        server_command(host, port, app_path, scenario),
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # own process group: stop() kills serve() and solara together
    )
    server = AppServer(f"http://{host}:{port}/", port, proc, log_path, 0.0, log_file)
    deadline = t0 + timeout
    while True:
        if proc.poll() is not None:
            server.stop()
            pytest.fail(
                f"app server exited with code {proc.returncode} before answering; log "
                f"({log_path}):\n{_tail(server.log())}",
                pytrace=False,
            )
        try:
            with urllib.request.urlopen(f"http://{host}:{port}/readyz", timeout=2) as r:
                if r.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.perf_counter() > deadline:
            server.stop()
            pytest.fail(
                f"app server did not answer on port {port} within {timeout:.0f} s; log "
                f"({log_path}):\n{_tail(server.log())}",
                pytrace=False,
            )
        time.sleep(0.2)
    server.started_in = time.perf_counter() - t0
    return server


@pytest.fixture(scope="session")
def start_app_server() -> Iterator[Callable[..., AppServer]]:
    """Factory: ``start_app_server(app_path=None, scenario=None)`` -> AppServer.

    Servers are cached per (app_path, scenario) for the whole session and stopped at its end.
    """
    servers: dict[tuple[str, str | None], AppServer] = {}

    def start(app_path: Path | str | None = None, scenario: str | None = None) -> AppServer:
        key = (str(Path(app_path or DEFAULT_APP_PATH).resolve()), scenario)
        server = servers.get(key)
        if server is None or server.proc.poll() is not None:
            if missing := missing_requirements():  # don't start servers that cannot be tested
                pytest.skip("browser test set-up incomplete: " + "; ".join(missing))
            server = servers[key] = start_server(app_path, scenario)
        return server

    yield start
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def app_server(start_app_server: Callable[..., AppServer]) -> AppServer:
    """The real app (simulator/app/page.py) with its default scenario, shared by the session."""
    return start_app_server()


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """pytest-playwright launches Debian's Chromium, never a downloaded one."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": browser_type_launch_args.get("headless", True),
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {"viewport": VIEWPORT, **browser_context_args}


# --------------------------------------------------------------------------- artifacts


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screenshot"


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture
def save_screenshot(artifacts_dir: Path) -> Callable[..., Path]:
    """``save_screenshot(page, "name")`` -> test-artifacts/name.png (returns the path)."""

    def save(page, name: str, **kwargs) -> Path:
        path = artifacts_dir / f"{_slug(name)}.png"
        page.screenshot(path=str(path), **kwargs)
        return path

    return save


class PageProblems:
    """Console errors, uncaught page errors and failed requests seen on a page."""

    def __init__(self, page) -> None:
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed_requests: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed_requests.append(f"{r.url} ({r.failure})"))
        page.on(
            "response",
            lambda r: self.failed_requests.append(f"{r.url} (HTTP {r.status})") if r.status >= 400 else None,
        )

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def all(self) -> list[str]:
        return self.page_errors + self.console_errors + self.failed_requests


@pytest.fixture
def page_problems(page) -> PageProblems:
    """Records what went wrong on ``page``; assert ``page_problems.all() == []``."""
    return PageProblems(page)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"_aic_rep_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _screenshot_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    """If a test using ``page`` fails, save test-artifacts/failures/<test>.png."""
    page = request.getfixturevalue("page") if "page" in request.fixturenames else None
    yield
    rep = getattr(request.node, "_aic_rep_call", None)
    if page is None or rep is None or not rep.failed:
        return
    try:
        path = ARTIFACTS_DIR / "failures" / f"{_slug(request.node.nodeid)}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
    except Exception:
        pass


def pytest_report_header(config: pytest.Config) -> list[str]:
    missing = missing_requirements()
    state = "ready" if not missing else "INCOMPLETE: " + "; ".join(missing)
    return [f"browser tests: chromium={CHROMIUM} assets={_assets_dir()} -> {state}"]


__all__ = ["AppServer", "PageProblems", "get_free_port", "missing_requirements", "server_command", "start_server"]
