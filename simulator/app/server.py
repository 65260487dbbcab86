"""Start the Solara web app (the visual model) on a local server.

No model logic lives here: this module only prepares the environment and runs
``solara run`` in a child process, so that Ctrl-C stops it cleanly. ``aicontagion app``
calls :func:`serve`.

Offline use: Solara's page loads its front end (Vuetify, require.js, ...) from a public CDN
unless those files sit in a local proxy cache. ``scripts/fetch_solara_assets.sh`` fills
``<repo>/.cache/solara-assets`` once (needs npm and the npm registry); :func:`serve` then points
``SOLARA_ASSETS_PROXY_CACHE_DIR`` at it and the page works with no internet.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path

__all__ = [
    "DEFAULT_APP_PATH",
    "DEFAULT_ASSETS_DIR",
    "REPO_ROOT",
    "assets_dir_is_complete",
    "serve",
    "server_command",
    "server_env",
    "validate_address",
]

REPO_ROOT = Path(__file__).resolve().parents[2]  # simulator/app/server.py -> the repository
DEFAULT_APP_PATH = Path(__file__).resolve().parent / "page.py"  # the page, run as a script
DEFAULT_ASSETS_DIR = REPO_ROOT / ".cache" / "solara-assets"

# One file per group of assets solara 1.64.1 loads on every page (see scripts/fetch_solara_assets.sh
# for the full list): if these are missing, the page stays blank without internet.
_REQUIRED_ASSETS = (
    "requirejs@2.3.6/require.js",
    "@widgetti/solara-vuetify-app@10.1.1/dist",
    "font-awesome@4.5.0/css/font-awesome.min.css",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2/dist/vue-grid-layout.umd.js",
)


class AssetsMissingWarning(UserWarning):
    """The local copy of Solara's front-end assets is missing or incomplete."""


def assets_dir_is_complete(path: Path | str = DEFAULT_ASSETS_DIR) -> bool:
    """True if ``path`` holds the Solara front-end assets the page needs offline."""
    path = Path(path)
    return all((path / rel).exists() for rel in _REQUIRED_ASSETS)


def validate_address(host: str, port: int | str) -> tuple[str, int]:
    """Check ``host`` and ``port``; return them normalised or raise ValueError with a clear message."""
    if not isinstance(host, str) or not host.strip() or any(c.isspace() for c in host):
        raise ValueError(f"invalid host {host!r}: give an address such as 127.0.0.1 or localhost")
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):  # "[::1]" -> "::1"
        host = host[1:-1]
    if "/" in host or (":" in host and not _is_ip(host)):
        raise ValueError(f"invalid host {host!r}: give a host name or IP address, not a URL")
    if isinstance(port, bool):
        raise ValueError(f"invalid port {port!r}: must be an integer from 1 to 65535")
    try:
        port_int = int(port)
    except (TypeError, ValueError):
        raise ValueError(f"invalid port {port!r}: must be an integer from 1 to 65535") from None
    if str(port_int) != str(port).strip() and not isinstance(port, int):
        raise ValueError(f"invalid port {port!r}: must be an integer from 1 to 65535")
    if not 1 <= port_int <= 65535:
        raise ValueError(f"invalid port {port_int}: must be from 1 to 65535")
    return host, port_int


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _check_port_free(host: str, port: int) -> None:
    """Raise OSError with a clear message if ``host:port`` cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise OSError(f"cannot resolve host {host!r}: {e}") from None
    family, socktype, proto, _, sockaddr = infos[0]
    with socket.socket(family, socktype, proto) as s:
        # uvicorn sets SO_REUSEADDR too, so a port in TIME_WAIT is not reported as busy.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(sockaddr)
        except OSError as e:
            raise OSError(
                f"cannot listen on {host}:{port} ({e.strerror or e}); "
                "is another server running there? Choose another port with --port."
            ) from None


def _url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown:  # IPv6 literal
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def server_env(
    scenario: str | None = None,
    base: Mapping[str, str] | None = None,
    lesson: str | None = None,
    lang: str | None = None,
) -> dict[str, str]:
    """Environment for the Solara server process.

    Points Solara's asset proxy at the local asset copy (unless SOLARA_ASSETS_PROXY_CACHE_DIR is
    already set), disables telemetry and the PyPI version check, and passes the scenario name
    to the app as AICONTAGION_SCENARIO (and a lesson to open as AICONTAGION_LESSON, the page's
    language as AICONTAGION_LANG). Warns (AssetsMissingWarning) if the assets are missing.
    """
    env = dict(os.environ if base is None else base)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    # Solara turns its asset proxy off when it thinks it runs inside VS Code (VSCODE_PID set,
    # e.g. in VS Code's terminal); the page would then load the CDN directly and fail offline.
    env["SOLARA_ASSETS_PROXY"] = "True"
    # Solara warns on every page load over plain http unless the host is literally "localhost";
    # harmless for a local app (cookies fall back to SameSite=Lax), so keep the console readable.
    quiet = "ignore:Cookies with samesite=none require https"
    env["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"), quiet]))
    cache_dir = Path(env.get("SOLARA_ASSETS_PROXY_CACHE_DIR") or DEFAULT_ASSETS_DIR)
    if cache_dir.is_dir():
        env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache_dir)
    if not assets_dir_is_complete(cache_dir):
        warnings.warn(
            f"Solara's front-end assets are missing or incomplete in {cache_dir}: the page will "
            "fetch them from cdn.jsdelivr.net and stay blank without internet. "
            "Run scripts/fetch_solara_assets.sh once (needs npm) to make the app work offline.",
            AssetsMissingWarning,
            stacklevel=2,
        )
    if scenario is not None:
        if not isinstance(scenario, str) or not scenario.strip():
            raise ValueError(f"invalid scenario {scenario!r}: give a scenario name")
        env["AICONTAGION_SCENARIO"] = scenario.strip()
    if lesson is not None:
        if not isinstance(lesson, str) or not lesson.strip():
            raise ValueError(f"invalid lesson {lesson!r}: give a lesson name")
        env["AICONTAGION_LESSON"] = lesson.strip()
    if lang is not None:
        if lang not in ("en", "zh"):  # (simulator.i18n.LANGUAGES; this module imports no engine module)
            raise ValueError(f"lang: {lang!r} is not a language aicontagion speaks; choose en or zh")
        env["AICONTAGION_LANG"] = lang
    return env


def server_command(host: str, port: int, app_path: Path | str | None = None) -> list[str]:
    """The ``solara run`` command line (run with the current interpreter)."""
    app = Path(app_path) if app_path is not None else DEFAULT_APP_PATH
    if not app.exists():
        raise FileNotFoundError(f"app page not found: {app}")
    return [
        sys.executable, "-m", "solara", "run", str(app.resolve()),
        "--host", host, "--port", str(port),
        "--production", "--no-open", "--no-check-version",
    ]  # fmt: skip


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    scenario: str | None = None,
    app_path: Path | str | None = None,
    lesson: str | None = None,
    lang: str | None = None,
) -> int:
    """Run the app server until it exits or Ctrl-C; return its exit code (0 after Ctrl-C).

    Raises ValueError (bad host/port/scenario), FileNotFoundError (no app page) or OSError
    (port in use, host not resolvable) before starting anything.
    """
    host, port = validate_address(host, port)
    cmd = server_command(host, port, app_path)
    env = server_env(scenario, lesson=lesson, lang=lang)
    _check_port_free(host, port)

    print(f"aicontagion app: open {_url(host, port)}", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        # A notice, not output: on stderr, where warnings go, so a script reading stdout is unaffected.
        print(f"aicontagion app: listening on {host}, reachable from other machines", file=sys.stderr, flush=True)

    proc = subprocess.Popen(cmd, env=env)
    previous_term = None
    try:
        try:
            # Forward SIGTERM (e.g. from a process manager) so the child never outlives us.
            previous_term = signal.signal(signal.SIGTERM, lambda *_: proc.send_signal(signal.SIGTERM))
        except ValueError:  # not in the main thread
            previous_term = None
        return proc.wait()
    except KeyboardInterrupt:
        # In a terminal the child got the same SIGINT and shuts down by itself.
        _stop(proc)
        print("aicontagion app: stopped", flush=True)
        return 0
    finally:
        if proc.poll() is None:
            _stop(proc)
        if previous_term is not None:
            signal.signal(signal.SIGTERM, previous_term)


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server: wait for its own shutdown, then SIGINT (forced exit), terminate, kill."""
    steps: list[tuple[Callable[[], object] | None, int]] = [(None, 1)]
    if os.name == "posix":
        steps.append((lambda: proc.send_signal(signal.SIGINT), 5))
    steps += [(proc.terminate, 3), (proc.kill, 3)]
    for action, timeout in steps:
        if action is not None:
            try:
                action()
            except ProcessLookupError:
                return
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # impatient second Ctrl-C: go on to the next, harder step
            continue
