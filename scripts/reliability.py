"""Measure the reliability figures that docs/validation.md quotes, and print them as tables.

Exit code 1 if a run, a re-run, a fuzz draw or an interruption failed (bad input that is not
rejected cleanly is reported in the tables, not in the exit code).

Usage (from the repository root)::

    PYTHONPATH=. .venv/bin/python scripts/reliability.py            # the full measurement (~10-20 min)
    PYTHONPATH=. .venv/bin/python scripts/reliability.py --quick    # a small run (~1 min)
    PYTHONPATH=. .venv/bin/python scripts/reliability.py --json out.json

What it measures:

1. **Bad input**: a fixed catalogue (every defect listed in issue 9, on the command line and on
   the Python API) and generated bad input (the strategies of ``tests/test_cli_properties.py``
   for the command line; bad levers, overrides, seeds and scenario arguments for the API). An
   input gives a *clean error* if the command exits with 2, prints no traceback and names the
   field (the command line), or if the call raises ``ConfigError`` naming the field (the API).
   "clean (generic)" marks a command-line message that comes from the command's fallback for an
   error the config did not anticipate (it names the file or ``--set`` value, not the field).
2. **Runs**: every scenario x seeds x horizons (its own months and ``--horizon``), with the
   accounting invariants of ``tests/conftest.check_invariants`` checked after every month, and
   a sample re-run in two fresh processes (each with its own hash seed) that must give
   bit-identical tables and event logs.
3. **Fuzz**: random draws of the levers (``simulator.config.LEVERS``) within their ranges, each
   run for 12 months with the invariants; a draw the config rejects is counted apart.
4. **Interruptions**: SIGINT at random times (sometimes twice) into real ``aicontagion run``
   processes writing over an earlier run; the output folder must hold the earlier run untouched
   or the new run alone, never a mix, and no temporary files may be left behind.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERIC = ("cannot load this scenario (", "cannot be applied to")  # the command line's fallback messages


# ----------------------------------------------------------------------------- results


@dataclass
class Tally:
    """How many were tried, how many passed, and the first few that did not."""

    name: str
    tried: int = 0
    passed: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    note: str = ""

    def add(self, ok: bool, outcome: str, detail: str = "") -> None:
        self.tried += 1
        self.passed += ok
        self.outcomes[outcome] += 1
        if not ok and len(self.failures) < 8:
            self.failures.append(f"{outcome}: {detail}"[:300])


# ----------------------------------------------------------------------------- the command line, in-process


def run_cli(argv: list[str]) -> tuple[int | None, str, str]:
    """``simulator.cli.main(argv)`` with its output captured; an escaping exception is a traceback."""
    from simulator import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: int | None = cli.main(argv)
        except BaseException:
            code = None
            err.write(traceback.format_exc())
    return code, out.getvalue(), err.getvalue()


def judge_cli(argv: list[str], named: list[list[str]]) -> tuple[bool, str, str]:
    """(clean?, outcome, message) for one bad command line; ``named``: groups of which one must appear."""
    code, _, err = run_cli(argv)
    first = err.strip().splitlines()[0] if err.strip() else ""
    if code is None or "Traceback" in err:
        return False, "traceback", err.strip().splitlines()[-1] if err.strip() else ""
    if code == 0:
        return False, "accepted (exit 0)", " ".join(argv)
    if code != 2:
        return False, f"exit {code}", first
    if not all(any(fragment in err for fragment in group) for group in named):
        return False, "exit 2, field not named", first
    if any(marker in err for marker in GENERIC):
        return True, "clean (generic)", first
    return True, "clean", first


@contextlib.contextmanager
def no_app_server():
    """``aicontagion app`` must not start a server here: serve() raises instead."""
    from simulator.app import server

    real = server.serve

    def serve(**kwargs):
        raise RuntimeError(f"bad input started the app server: {kwargs}")

    server.serve = serve  # type: ignore[assignment]
    try:
        yield
    finally:
        server.serve = real  # type: ignore[assignment]


# ----------------------------------------------------------------------------- the catalogue

BASE = "extends: baseline_2025\nname: catalogue\n"
# An extra shock that is valid but for its month (a rate shock takes no target).
SHOCK_LEVERS = {"shock_kind": "rate_shock", "shock_size": 0.01}
SHOCK_SETS = ("--set", "shock_kind=rate_shock", "--set", "shock_size=0.01")
YAML = {  # file name -> content (bytes for the latin-1 file)
    "extends_missing.yaml": "extends: nothere.yaml\nname: x\n",
    "extends_5.yaml": "extends: 5\nname: x\n",
    "extends_list.yaml": "extends: [baseline_2025]\nname: x\n",
    "duplicate.yaml": BASE + "institutions:\n  CoreWeave: {cash_bn: 1}\n  CoreWeave: {cash_bn: 2}\n",
    "cash_1e308.yaml": BASE + "institutions:\n  CoreWeave: {cash_bn: 1.0e+308}\n",
    "principal_1e305.yaml": BASE + "debts:\n  blackstone_coreweave_gpu_loan: {principal_bn: 1.0e+305}\n",
    "no_institutions.yaml": BASE + "institutions: {}\n",
    "shock_900.yaml": BASE + "shocks:\n  - {month: 900, kind: failure, target: CoreWeave, size: 1.0}\n",
    "target_on_none.yaml": BASE + "shocks:\n  - {month: 3, kind: rate_shock, target: CoreWeave, size: 0.05}\n",
    "cash_true.yaml": BASE + "institutions:\n  CoreWeave: {cash_bn: true}\n",
    "latin1.yaml": (BASE + "description: caf\xe9\n").encode("latin-1"),
    "bad_rules.yaml": BASE + "institutions:\n  CoreWeave: {rules: {nosuch_rule: 1}}\n",
}


def write_catalogue_files(folder: Path) -> None:
    for name, text in YAML.items():
        path = folder / name
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
    (folder / "a_folder").mkdir(exist_ok=True)


def cli_catalogue(folder: Path) -> list[tuple[str, list[str], list[list[str]]]]:
    """(issue 9 defect, command line, groups of words of which one per group must be in the message)."""

    def run(*args: str) -> list[str]:
        return ["run", *args, "--months", "1", "--out", str(folder / "out")]

    def file(name: str) -> str:
        return str(folder / name)

    return [
        ("extends: nothere.yaml", run(file("extends_missing.yaml")), [["extends"], ["nothere.yaml"]]),
        ("extends: 5", run(file("extends_5.yaml")), [["extends"]]),
        ("extends: [baseline_2025]", run(file("extends_list.yaml")), [["extends"]]),
        ("run with a directory", run(file("a_folder")), [["a_folder"], ["folder", "directory"]]),
        ("app with a directory", ["app", "--scenario", file("a_folder")], [["--scenario"], ["folder", "directory"]]),
        ("--set markets.gpu.market_depth_bn.x=1", run("--set", "markets.gpu.market_depth_bn.x=1"),
         [["markets.gpu.market_depth_bn"]]),
        ("duplicate institution in YAML", run(file("duplicate.yaml")), [["CoreWeave"], ["duplicate", "twice"]]),
        ("--set months=2.5", run("--set", "months=2.5"), [["months"], ["whole", "integer", "int"]]),
        ("--set shock_month=1.7", run(*SHOCK_SETS, "--set", "shock_month=1.7"), [["shock_month"], ["whole", "integer", "int"]]),
        ('--out ""', ["run", "--months", "1", "--out", ""], [["--out"]]),
        ("cash 1e308", run(file("cash_1e308.yaml")), [["cash_bn"]]),
        ("principal 1e305", run(file("principal_1e305.yaml")), [["principal_bn"]]),
        ("institutions: {} under extends", run(file("no_institutions.yaml")), [["institutions"]]),
        ("shock in month 900", run(file("shock_900.yaml")), [["shocks"], ["900", "month"]]),
        ("target on a shock kind that takes none", run(file("target_on_none.yaml")), [["target"]]),
        ("cash_bn: true", run(file("cash_true.yaml")), [["cash_bn"]]),
        ("latin-1 YAML", run(file("latin1.yaml")), [["latin1.yaml"], ["UTF-8", "utf-8"]]),
        ("--set nosuchlever=1", run("--set", "nosuchlever=1"), [["nosuchlever"]]),
        ("a bad rules: field", run(file("bad_rules.yaml")), [["rules"], ["nosuch_rule"]]),
        ("--months 2.5", ["run", "--months", "2.5", "--out", str(folder / "out")], [["--months"], ["1 to 600"]]),
        ("--seed -1", ["run", "--months", "1", "--seed", "-1", "--out", str(folder / "out")], [["--seed"], [">= 0"]]),
    ]  # fmt: skip


def api_catalogue(folder: Path) -> list[tuple[str, Callable[[], Any], list[list[str]]]]:
    """(issue 9 defect, a call of the Python API, groups of words of which one per group must be in the error)."""
    from simulator import ContagionModel, load_scenario

    def file(name: str) -> str:
        return str(folder / name)

    def model(*args: Any, **kwargs: Any) -> Any:
        built = ContagionModel(*args, **kwargs)
        built.step()  # a value the constructor lets through may still break the first month
        return built

    return [
        ("extends: nothere.yaml", lambda: load_scenario(file("extends_missing.yaml")), [["extends"], ["nothere.yaml"]]),
        ("extends: 5", lambda: load_scenario(file("extends_5.yaml")), [["extends"]]),
        ("extends: [baseline_2025]", lambda: load_scenario(file("extends_list.yaml")), [["extends"]]),
        ("load_scenario(a directory)", lambda: load_scenario(file("a_folder")), [["a_folder"]]),
        ("overrides markets.gpu.market_depth_bn.x=1",
         lambda: load_scenario("baseline_2025", overrides=["markets.gpu.market_depth_bn.x=1"]),
         [["markets.gpu.market_depth_bn"]]),
        ("duplicate institution in YAML", lambda: load_scenario(file("duplicate.yaml")), [["CoreWeave"]]),
        ("months=2.5 (lever)", lambda: load_scenario("baseline_2025", months=2.5), [["months"]]),
        ("shock_month=1.7 (lever)", lambda: load_scenario("baseline_2025", **SHOCK_LEVERS, shock_month=1.7),
         [["shock_month"]]),
        ("ContagionModel(months=2.5)", lambda: model(months=2.5), [["months"]]),
        ("cash 1e308", lambda: model(file("cash_1e308.yaml"), rng=1), [["cash_bn"]]),
        ("principal 1e305", lambda: model(file("principal_1e305.yaml"), rng=1), [["principal_bn"]]),
        ("institutions: {} under extends", lambda: load_scenario(file("no_institutions.yaml")), [["institutions"]]),
        ("shock in month 900", lambda: load_scenario(file("shock_900.yaml")), [["shocks"]]),
        ("target on a shock kind that takes none", lambda: load_scenario(file("target_on_none.yaml")), [["target"]]),
        ("cash_bn: true", lambda: load_scenario(file("cash_true.yaml")), [["cash_bn"]]),
        ("rng=True", lambda: model(rng=True), [["rng", "seed"]]),
        ("scenario=123", lambda: model(scenario=123), [["scenario", "123"]]),
        ('rng="abc"', lambda: model(rng="abc"), [["rng", "seed"]]),
        ("rng=1.5", lambda: model(rng=1.5), [["rng", "seed"]]),
        ("rng=-1", lambda: model(rng=-1), [["rng", "seed"]]),
        ("ContagionModel(123)", lambda: model(123), [["123", "config", "scenario"]]),
        ("load_scenario(None)", lambda: load_scenario(None), [["scenario", "None"]]),
        ('load_scenario("")', lambda: load_scenario(""), [["scenario", "''", "empty"]]),
        ('overrides="a=b"', lambda: load_scenario("baseline_2025", overrides="a=b"), [["overrides"]]),
        ("overrides={5: 1}", lambda: load_scenario("baseline_2025", overrides={5: 1}), [["overrides", "5"]]),
        ("latin-1 YAML", lambda: load_scenario(file("latin1.yaml")), [["latin1.yaml"]]),
        ("nosuchlever=1", lambda: load_scenario("baseline_2025", nosuchlever=1), [["nosuchlever"]]),
        ("a bad rules: field", lambda: load_scenario(file("bad_rules.yaml")), [["rules"]]),
    ]  # fmt: skip


def judge_api(call: Callable[[], Any], named: list[list[str]]) -> tuple[bool, str, str]:
    """(clean?, outcome, message) for one bad call: clean = ConfigError naming the field."""
    from simulator.config import ConfigError

    try:
        with warnings_as_text():
            call()
    except ConfigError as exc:
        text = str(exc)
        if all(any(fragment in text for fragment in group) for group in named):
            return True, "ConfigError", text.splitlines()[0]
        return False, "ConfigError, field not named", text.splitlines()[0]
    except Exception as exc:
        return False, type(exc).__name__, str(exc).splitlines()[0] if str(exc) else ""
    return False, "accepted", ""


@contextlib.contextmanager
def warnings_as_text():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# ----------------------------------------------------------------------------- generated bad input


def generated_cli(count: int, seed: int, folder: Path) -> Tally:
    """The strategies of tests/test_cli_properties.py, ``count`` examples (no shrinking)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from tests.test_cli_properties import CASES, _fill

    tally = Tally("command line, generated")
    (folder / "a_folder").mkdir(exist_ok=True)
    (folder / "a_file.txt").write_text("mine")
    drawn = iter(range(10**9))

    @hypothesis_seed(seed)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=CASES)
    def check(case):
        kind, argv, named, *text = case
        n = next(drawn)
        file = folder / f"case{n}.yaml"
        if text:
            file.write_text(text[0])
            named = [*named, str(file)]
        fill = {"{out}": str(folder / f"out{n}"), "{file}": str(file), "{folder}": str(folder / "a_folder"),
                "{afile}": str(folder / "a_file.txt"), "{tmp}": str(folder)}  # fmt: skip
        argv = [_fill(a, fill) for a in argv]
        ok, outcome, message = judge_cli(argv, [[fragment] for fragment in named])
        ok = ok and not (folder / f"out{n}").exists()
        tally.add(ok, outcome if ok or outcome != "clean" else "wrote outputs", f"{kind}: {argv} -> {message}")

    with no_app_server(), _in_folder(folder):
        check()
    return tally


@contextlib.contextmanager
def _in_folder(folder: Path):
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def _spells_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def generated_api(count: int, seed: int) -> Tally:
    """Bad levers, overrides, seeds and scenario arguments of the Python API."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    from simulator import ContagionModel, load_scenario
    from simulator.config import LEVERS, Scenario, scenario_names

    tally = Tally("Python API, generated")
    finite = dict(allow_nan=False, allow_infinity=False)
    words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(lambda w: w[0] != "_")
    numeric = sorted(n for n, lever in LEVERS.items() if lever.kind in (int, float))
    switches = sorted(n for n, lever in LEVERS.items() if lever.kind is bool)
    not_numbers = st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2), st.none(), st.booleans(),
                            st.just(float("nan")), st.just(float("inf")))  # fmt: skip

    @st.composite
    def case(draw):
        kind = draw(st.sampled_from(["lever out of range", "lever wrong type", "unknown lever", "override",
                                     "rng", "scenario argument"]))  # fmt: skip
        if kind == "lever out of range":
            name = draw(st.sampled_from(numeric))
            lever = LEVERS[name]
            step = draw(st.floats(1e-3, 1e9, **finite))
            value = lever.low - step if draw(st.booleans()) else lever.high + step  # type: ignore[operator]
            if lever.kind is int:
                value = int(value) - 1 if value < lever.low else int(value) + 1  # type: ignore[operator]
            return kind, {name: value}, [[name]]
        if kind == "lever wrong type":
            name = draw(st.sampled_from(numeric + switches))
            value = draw(not_numbers.filter(lambda v: not isinstance(v, bool)) if name in numeric
                         else st.one_of(st.integers(), st.floats(**finite), st.text(max_size=5), st.none()))  # fmt: skip
            return kind, {name: value}, [[name]]
        if kind == "unknown lever":
            name = draw(
                words.filter(lambda w: w not in LEVERS and w not in ("config", "scenario", "rng", "seed", "overrides"))
            )
            return kind, {name: draw(st.integers())}, [[name]]
        if kind == "override":
            key = draw(st.one_of(words.filter(lambda w: w not in Scenario.model_fields),
                                 st.sampled_from(["markets.gpu.market_depth_bn", "institutions.CoreWeave.cash_bn",
                                                  "debts.blackstone_coreweave_gpu_loan.principal_bn"])))  # fmt: skip
            # (Not text that spells a number: the config reads "12" as 12, a lax reading, not a crash.)
            field_not_numbers = not_numbers.filter(lambda v: not (isinstance(v, str) and _spells_number(v)))
            value = draw(
                st.one_of(field_not_numbers, st.floats(-1e9, -1e-3, **finite)) if "." in key else st.integers()
            )
            return kind, {"overrides": {key: value}}, [[key]]
        if kind == "rng":
            value = draw(st.one_of(st.booleans(), st.integers(max_value=-1), st.floats(**finite).filter(lambda x: x != int(x)),
                                   st.text(alphabet="abcxyz", min_size=1, max_size=4)))  # fmt: skip
            return kind, {"rng": value}, [["rng", "seed"]]
        value = draw(st.one_of(st.integers(), st.floats(**finite), st.lists(st.text(max_size=3), max_size=2),
                               st.just(""), words.filter(lambda w: w not in scenario_names())))  # fmt: skip
        return kind, {"scenario": value}, [["scenario", repr(value), str(value)]]

    drawn_so_far = iter(range(10**9))

    @hypothesis_seed(seed)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(drawn=case())
    def check(drawn):
        kind, kwargs, named = drawn
        # Every other call goes through the model's front door, the others through load_scenario.
        through_model = next(drawn_so_far) % 2 == 0 or kind == "rng"
        if through_model:
            call = lambda: ContagionModel(**kwargs).step()  # noqa: E731
        elif kind == "scenario argument":
            call = lambda: load_scenario(kwargs["scenario"])  # noqa: E731
        else:
            call = lambda: load_scenario("baseline_2025", **kwargs)  # noqa: E731
        ok, outcome, message = judge_api(call, named)
        door = "ContagionModel" if through_model else "load_scenario"
        shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        tally.add(ok, f"{kind} ({door}): {outcome}", f"{door}({shown}) -> {message}")

    check()
    return tally


# ----------------------------------------------------------------------------- runs


def digest(model) -> str:
    """A fingerprint of everything a run recorded: model and agent tables, the event log."""
    h = hashlib.sha256()
    h.update(model.datacollector.get_model_vars_dataframe().to_csv().encode())
    h.update(model.datacollector.get_agent_vars_dataframe().to_csv().encode())
    for event in model.events:
        h.update(repr(event.to_dict()).encode())
    return h.hexdigest()


def checked_runs(seeds: int, horizon: int, sample: int, tally: Tally, months_tally: Tally) -> list[tuple]:
    """Every scenario x seed x horizon with the invariants each month; returns the sample to re-run."""
    from simulator import ContagionModel, load_scenario, scenario_names
    from tests.conftest import check_invariants

    to_repeat: list[tuple] = []
    for name in scenario_names():
        scenario = load_scenario(name)
        for horizon_months in sorted({scenario.months, horizon}):
            for seed in range(seeds):
                try:
                    model = ContagionModel(scenario, rng=seed)
                    for _ in range(horizon_months):
                        model.step()
                        check_invariants(model)
                        months_tally.add(True, "month")
                except Exception as exc:
                    tally.add(False, type(exc).__name__, f"{name} seed {seed} {horizon_months} months: {exc}")
                    continue
                tally.add(True, "ran")
                if seed < sample:
                    to_repeat.append((name, seed, horizon_months, digest(model)))
    return to_repeat


def digests_in_this_process(cases: list[list]) -> list[str]:
    from simulator import ContagionModel

    out = []
    for name, seed, months in cases:
        model = ContagionModel(name, rng=seed)
        for _ in range(months):
            model.step()
        out.append(digest(model))
    return out


def identical_across_processes(sample: list[tuple], tally: Tally) -> None:
    """Re-run the sample in two fresh processes at once (each its own hash seed): same digests."""
    cases = [[name, seed, months] for name, seed, months, _ in sample]
    command = [sys.executable, str(Path(__file__).resolve()), "--digests", json.dumps(cases)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONHASHSEED", None)
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=3600)
        if proc.returncode != 0:
            tally.add(False, "child failed", err.strip().splitlines()[-1] if err.strip() else "")
            return
        results.append(json.loads(out))
    for (name, seed, months, here), first, second in zip(sample, *results):
        same = here == first == second
        tally.add(same, "identical" if same else "DIFFERENT", f"{name} seed {seed} {months} months")


# ----------------------------------------------------------------------------- fuzz


def lever_draw(r: random.Random, scenario) -> dict[str, Any]:
    """A random set of levers, each within its range (the shock's size within its kind's range)."""
    from simulator.config import LEVERS, SHOCK_KINDS

    levers: dict[str, Any] = {}
    for name, lever in LEVERS.items():
        if name.startswith("shock_") or r.random() < 0.5:
            continue
        if lever.kind is bool:
            levers[name] = r.random() < 0.5
        elif lever.kind is int:
            levers[name] = r.randint(int(lever.low), min(int(lever.high), 120))  # type: ignore[arg-type]
        elif lever.kind is float:
            levers[name] = r.uniform(lever.low, lever.high)  # type: ignore[arg-type]
    if r.random() < 0.6:  # an extra shock
        kind = r.choice(sorted(map(str, SHOCK_KINDS)))
        lo, hi, target_kind, _ = SHOCK_KINDS[kind]
        lever = LEVERS["shock_size"]
        levers["shock_kind"] = kind
        levers["shock_size"] = r.uniform(max(lo, lever.low), min(hi, lever.high))  # type: ignore[type-var]
        levers["shock_month"] = r.randint(0, 12)
        targets = {
            "institution": [n for n, i in scenario.institutions.items() if i.kind != "central_bank"],
            "generation": ["all", *(g.name for g in scenario.markets.gpu.generations)],
            "contract": list(scenario.contracts),
        }.get(target_kind)
        if targets:
            levers["shock_target"] = r.choice(targets)
    return levers


def fuzz(count: int, seed: int, months: int, tally: Tally, months_tally: Tally) -> None:
    from simulator import ContagionModel, load_scenario, scenario_names
    from simulator.config import ConfigError
    from tests.conftest import check_invariants

    r = random.Random(seed)
    scenarios = {name: load_scenario(name) for name in scenario_names()}
    for i in range(count):
        name = r.choice(sorted(scenarios))
        levers = lever_draw(r, scenarios[name])
        try:
            model = ContagionModel(scenarios[name], rng=i, **levers)
        except ConfigError as exc:
            tally.add(True, "rejected (ConfigError)", f"{name} {levers}: {str(exc).splitlines()[0]}")
            continue
        except Exception as exc:
            tally.add(False, f"{type(exc).__name__} when built", f"{name} {levers}: {exc}")
            continue
        try:
            for _ in range(months):
                model.step()
                check_invariants(model)
                months_tally.add(True, "month")
        except Exception as exc:
            tally.add(False, f"{type(exc).__name__} in month {model.month}", f"{name} {levers}: {exc}")
            continue
        tally.add(True, "ran")


# ----------------------------------------------------------------------------- interruptions


def interruptions(count: int, seed: int, jobs: int, months: int, tally: Tally, folder: Path) -> None:
    """SIGINT at random times (sometimes twice) into real ``aicontagion run`` processes."""
    from simulator import cli
    from tests.test_cli import _files, _leftovers, assert_one_run

    previous = folder / "previous"
    with contextlib.redirect_stdout(io.StringIO()):
        assert (
            cli.main(["run", "neocloud_default", "--months", "4", "--seed", "1", "--out", str(previous), "--quiet"])
            == 0
        )
    before = _files(previous)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    arguments = ["run", "baseline_2025", "--months", str(months), "--seed", "7", "--quiet"]
    starts = {  # python -m, and what the installed console script runs
        "python -m": [sys.executable, "-m", "simulator.cli", *arguments],
        "script": [sys.executable, "-c", "import sys; from simulator.cli import main; sys.exit(main())", *arguments],
    }
    command = starts["python -m"]

    def trial(i: int, delay: float, second: float | None) -> tuple[bool, str, str]:
        command = starts["python -m" if i % 2 == 0 else "script"]
        here = folder / f"trial{i}"
        here.mkdir()
        out = here / "out"
        shutil.copytree(previous, out)
        started = time.monotonic()
        proc = subprocess.Popen([*command, "--out", str(out)], stderr=subprocess.PIPE, text=True, env=env)
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        if second is not None:
            time.sleep(second)
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            proc.kill()
            return False, "hung", f"trial {i}"
        took = time.monotonic() - started
        detail = f"trial {i} ({command[1]}): SIGINT at {delay:.2f} s" + (
            f" and {second:.2f} s later" if second is not None else ""
        )
        early = " in start-up" if delay < startup else ""  # (the first signal came before main() could run)
        if "Traceback" in err:
            where = "" if ", in main\n" in err else " before main()"  # (main() is not on the stack: start-up)
            return False, f"traceback{where}", f"{detail}: {err.strip().splitlines()[-1]}"
        if proc.returncode not in (0, 130):
            return False, f"exit {proc.returncode}{early}", detail
        try:
            outcome = assert_one_run(out, before)
            leftovers = _leftovers(here, out)
            assert not leftovers, f"left behind {leftovers}"
        except (AssertionError, KeyError, ValueError) as exc:
            return False, "MIXED or invalid", f"{detail}: {exc}"
        finally:
            shutil.rmtree(here, ignore_errors=True)
        return True, f"{outcome} (exit {proc.returncode})", f"{detail}, {took:.2f} s"

    if count <= 0:
        return
    # How long the interpreter takes to start and import simulator.cli (the command's code runs after).
    startup = 0.0
    for _ in range(5):
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", "import simulator.cli"], env=env, check=True)
        startup = max(startup, time.monotonic() - started)
    # How long an uninterrupted run takes, so the signals land anywhere in it.
    started = time.monotonic()
    subprocess.run([*command, "--out", str(folder / "timing")], env=env, check=True, capture_output=True)
    total = time.monotonic() - started
    tally.note = (
        f"baseline_2025, {months} months, over an earlier run; an uninterrupted run takes {total:.1f} s, the "
        f'interpreter\'s start-up with import simulator.cli up to {startup:.2f} s ("in start-up": a signal before '
        f"that, when no code of the command runs yet); SIGINT at a "
        f"time drawn uniformly in [0, {1.5 * total:.1f}] s, half the time a second one 0-0.3 s later; "
        "python -m simulator.cli and the console script's call in turn"
    )
    r = random.Random(seed)
    plans = [(i, r.uniform(0, 1.5 * total), r.uniform(0, 0.3) if r.random() < 0.5 else None) for i in range(count)]
    lock = threading.Lock()

    def run(plan):
        result = trial(*plan)
        with lock:
            tally.add(*result)

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, plans))


# ----------------------------------------------------------------------------- report


def print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


def _short(text: str, tmp: str, width: int = 100) -> str:
    """``text`` with the temporary folder and the repository shortened, cut to ``width``."""
    text = text.replace(str(Path(tmp).resolve()), "<tmp>").replace(tmp, "<tmp>").replace(str(ROOT), "<repo>")
    return text if len(text) <= width else text[: width - 3] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small counts (about a minute)")
    parser.add_argument("--seeds", type=int, default=20, help="seeds per scenario and horizon (default 20)")
    parser.add_argument("--horizon", type=int, default=120, help="the long horizon in months (default 120)")
    parser.add_argument(
        "--identical", type=int, default=2, help="seeds per scenario and horizon re-run in 2 processes (default 2)"
    )
    parser.add_argument("--fuzz", type=int, default=500, help="random lever draws, 12 months each (default 500)")
    parser.add_argument("--cli-generated", type=int, default=1000, help="generated bad command lines (default 1000)")
    parser.add_argument("--api-generated", type=int, default=1000, help="generated bad API calls (default 1000)")
    parser.add_argument(
        "--interrupts", type=int, default=100, help="interrupted aicontagion run processes (default 100)"
    )
    parser.add_argument(
        "--interrupt-months", type=int, default=600, help="months of each interrupted run (default 600)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="interrupted processes at once (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random draw here (default 0)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON to this file")
    parser.add_argument("--digests", default=None, help=argparse.SUPPRESS)  # (internal: the child processes)
    args = parser.parse_args(argv)

    if args.digests is not None:
        print(json.dumps(digests_in_this_process(json.loads(args.digests))))
        return 0
    if args.quick:
        args.seeds, args.horizon, args.identical, args.fuzz = 2, 36, 1, 20
        args.cli_generated, args.api_generated, args.interrupts = 100, 100, 6

    started = time.monotonic()
    tallies: dict[str, Tally] = {}
    catalogue_rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="aicontagion-reliability-") as tmp:
        folder = Path(tmp)
        write_catalogue_files(folder)

        cli_fixed = tallies["cli_catalogue"] = Tally("command line, catalogue")
        with no_app_server():
            for defect, argv, named in cli_catalogue(folder):
                ok, outcome, message = judge_cli(argv, named)
                cli_fixed.add(ok, outcome, f"{defect}: {message}")
                catalogue_rows.append([defect, "CLI", "pass" if ok else "FAIL", outcome, message])
                shutil.rmtree(folder / "out", ignore_errors=True)
        api_fixed = tallies["api_catalogue"] = Tally("Python API, catalogue")
        for defect, call, named in api_catalogue(folder):
            ok, outcome, message = judge_api(call, named)
            api_fixed.add(ok, outcome, f"{defect}: {message}")
            catalogue_rows.append([defect, "API", "pass" if ok else "FAIL", outcome, message])
        print(f"[{time.monotonic() - started:6.1f} s] catalogue done", file=sys.stderr, flush=True)

        generated = folder / "generated"
        generated.mkdir()
        tallies["cli_generated"] = generated_cli(args.cli_generated, args.seed, generated)
        tallies["api_generated"] = generated_api(args.api_generated, args.seed)
        print(f"[{time.monotonic() - started:6.1f} s] generated bad input done", file=sys.stderr, flush=True)

        runs = tallies["runs"] = Tally("runs with invariants each month")
        months = Tally("months checked")
        sample = checked_runs(args.seeds, args.horizon, args.identical, runs, months)
        runs.note = f"7 scenarios x {args.seeds} seeds x (own months, {args.horizon} months)"
        print(f"[{time.monotonic() - started:6.1f} s] runs done", file=sys.stderr, flush=True)
        same = tallies["identical"] = Tally("bit-identical in 2 more processes")
        identical_across_processes(sample, same)
        same.note = "model and agent tables and event log, sha256; each process its own hash seed"
        print(f"[{time.monotonic() - started:6.1f} s] identical done", file=sys.stderr, flush=True)

        fuzzed = tallies["fuzz"] = Tally("fuzz: lever draws in range, 12 months")
        fuzz(args.fuzz, args.seed, 12, fuzzed, months)
        fuzzed.note = "a draw the config rejects counts as passed (a clean ConfigError)"
        tallies["months"] = months
        print(f"[{time.monotonic() - started:6.1f} s] fuzz done", file=sys.stderr, flush=True)

        interrupted = tallies["interrupts"] = Tally("SIGINT into aicontagion run")
        interrupts_folder = folder / "interrupts"
        interrupts_folder.mkdir()
        interruptions(args.interrupts, args.seed, args.jobs, args.interrupt_months, interrupted, interrupts_folder)
        print(f"[{time.monotonic() - started:6.1f} s] interruptions done", file=sys.stderr, flush=True)

    elapsed = time.monotonic() - started
    print(f"aicontagion reliability figures (scripts/reliability.py{' --quick' if args.quick else ''}, "
          f"seed {args.seed}, {elapsed / 60:.1f} min)\n")  # fmt: skip
    order = ["cli_catalogue", "cli_generated", "api_catalogue", "api_generated", "runs", "months", "identical", "fuzz",
             "interrupts"]  # fmt: skip
    rows = [[tallies[key].name, tallies[key].tried, tallies[key].passed, tallies[key].tried - tallies[key].passed]
            for key in order]  # fmt: skip
    print_table(rows, ["measure", "tried", "passed", "failed"])
    print("\npassed = a clean error (exit 2 or ConfigError, the field named, no traceback) for bad input; the")
    print(
        "invariants every month for runs and fuzz; the same sha256 in 3 processes; one run in the folder, never a mix"
    )
    print("\noutcomes:")
    for key in order:
        t = tallies[key]
        if key != "months":
            print(f"  {t.name}: " + ", ".join(f"{k} {v}" for k, v in t.outcomes.most_common()))
    notes = [f"{t.name}: {t.note}" for t in tallies.values() if t.note]
    if notes:
        print("\nnotes:\n  " + "\n  ".join(notes))
    print("\nthe catalogue (every defect listed in issue 9, and two option values):\n")
    print_table(
        [[*row[:4], _short(row[4], tmp)] for row in catalogue_rows], ["input", "on", "result", "outcome", "message"]
    )
    failures = [
        (t.name, f) for key, t in tallies.items() if key not in ("cli_catalogue", "api_catalogue") for f in t.failures
    ]
    if failures:
        print("\nfirst failures of the other measures:")
        for name, failure in failures:
            print(f"  {name}: {_short(failure, tmp, 200)}")
    if args.json is not None:
        args.json.write_text(json.dumps({
            "elapsed_s": round(elapsed, 1),
            "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "measures": {key: {"name": t.name, "tried": t.tried, "passed": t.passed, "outcomes": dict(t.outcomes),
                               "failures": t.failures, "note": t.note} for key, t in tallies.items()},
            "catalogue": [dict(zip(["input", "on", "result", "outcome", "message"], row)) for row in catalogue_rows],
        }, indent=1))  # fmt: skip
    # Bad input that is not yet rejected is a finding to report; a run that breaks is a failure.
    return (
        1 if any(tallies[key].passed < tallies[key].tried for key in ("runs", "identical", "fuzz", "interrupts")) else 0
    )


if __name__ == "__main__":
    sys.exit(main())
