"""The ``aicontagion`` command line: every scenario runs and writes all outputs; bad input gives a
clear message and exit code 2 (never a traceback); an interrupted run keeps its finished months.

Runs ``simulator.cli.main`` in-process (fast), plus one subprocess test of the installed script.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simulator import cli
from simulator.cli.outputs import OUTPUT_FILES
from simulator.config import scenario_names

MONTHS = 6
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_yaml(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: baseline_2025\nname: {name}\n{text}")
    return path


def _no_server(monkeypatch) -> None:
    """Make ``aicontagion app`` fail the test instead of starting a server."""
    from simulator.app import server

    def serve(**kwargs):
        pytest.fail(f"the app server was started with {kwargs}")

    monkeypatch.setattr(server, "serve", serve)


def assert_bad_input(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in message:\n{err}"


# ----------------------------------------------------------------------------- run writes everything


@pytest.mark.parametrize("scenario", scenario_names())
def test_run_writes_all_outputs(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "run", scenario, "--months", str(MONTHS), "--seed", "7", "--out", str(out))
    assert code == 0, err
    assert "Traceback" not in err
    for heading in (
        "Defaults and losses by sector",
        "GPU secondary-market price",
        "First covenant breach",
        "Sentiment",
        "Events:",
    ):
        assert heading in stdout, heading

    for file in OUTPUT_FILES.values():
        assert (out / file).is_file(), file
    assert not list(out.glob(".*.tmp")), "temporary files left behind"

    timeseries = pd.read_csv(out / "timeseries.csv")
    assert len(timeseries) == MONTHS + 1
    assert timeseries["month"].tolist() == list(range(MONTHS + 1))
    assert len(pd.read_parquet(out / "timeseries.parquet")) == MONTHS + 1
    agents = pd.read_csv(out / "agents.csv")
    assert sorted(agents["month"].unique()) == list(range(MONTHS + 1))

    for line in (out / "events.jsonl").read_text().splitlines():
        event = json.loads(line)
        assert {"month", "phase", "kind", "actor", "counterparty", "amount_bn", "message"} <= set(event)
        assert 1 <= event["month"] <= MONTHS

    summary = json.loads((out / "summary.json").read_text())
    assert summary["months"] == MONTHS and summary["seed"] == 7
    assert summary["complete"] is True
    assert sorted(summary["files"]) == sorted(OUTPUT_FILES.values())
    assert set(summary["gpu_prices"]) == {"H100", "Blackwell", "Rubin"}
    assert len(summary["top_events"]) <= 10
    # One schema: the four loss measures (total and by sector), the counterfactual's name, GPU
    # prices against it, the first breach and default it does not have.
    assert summary["schema"] == "aicontagion.summary/2"
    losses = summary["losses_bn"]
    assert set(losses) == {
        "realised_losses_bn",
        "unrealised_losses_bn",
        "equity_shortfall_bn",
        "market_value_shortfall_bn",
    }
    for measure in ("realised_losses_bn", "unrealised_losses_bn"):
        assert set(losses[measure]) == {"total", "by_sector"}
        assert losses[measure]["total"] == pytest.approx(sum(losses[measure]["by_sector"].values()), abs=1e-4)
    shocked = scenario != "baseline_2025"
    assert (summary["counterfactual"] is not None) == shocked
    assert (losses["market_value_shortfall_bn"] is not None) == shocked
    assert all((p["counterfactual_end_k_usd"] is not None) == shocked for p in summary["gpu_prices"].values())
    for key in ("first_breach", "first_default"):
        assert summary[key] is None or {"month", "actor", "counterparty", "message"} <= set(summary[key])
    assert "Realised" in stdout
    assert ("Market value" in stdout) == shocked

    graph = json.loads((out / "graph.json").read_text())
    assert graph["nodes"] and "edges" in graph
    assert (out / "graph.graphml").read_text().lstrip().startswith("<?xml")

    for png in ("timeseries.png", "network.png"):
        data = (out / png).read_bytes()
        assert data.startswith(PNG_SIGNATURE), png
        assert len(data) > 10_000, png


def test_run_defaults_and_quiet(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_cli(capsys, "run", "--months", "2", "--quiet")
    assert code == 0, err
    assert stdout == "" and err == ""
    assert (tmp_path / "runs" / "baseline_2025-seed42" / "timeseries.csv").is_file()


def test_same_seed_same_outputs(tmp_path, capsys):
    for name in ("a", "b"):
        assert cli.main(["run", "--months", "4", "--seed", "3", "--out", str(tmp_path / name), "--quiet"]) == 0
    capsys.readouterr()
    for file in ("timeseries.csv", "events.jsonl"):
        assert (tmp_path / "a" / file).read_text() == (tmp_path / "b" / file).read_text(), file


def test_set_accepts_config_paths_and_levers(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = run_cli(
        capsys,
        "run",
        "--months",
        "2",
        "--out",
        str(out),
        "--quiet",
        "--set",
        "markets.gpu.market_depth_bn=40",
        "--set",
        "waiver_propensity=0.2",
    )
    assert code == 0, err


# ----------------------------------------------------------------------------- bad input


def test_wrong_type_in_config(tmp_path, capsys):
    path = write_yaml(tmp_path, "wrong_type", "markets:\n  gpu:\n    market_depth_bn: deep\n")
    code, _, err = run_cli(capsys, "run", str(path), "--months", "2", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, str(path), "markets.gpu.market_depth_bn", "valid number", "'deep'")
    assert not (tmp_path / "o").exists(), "a bad config must fail before anything is written"


def test_negative_amount_in_config(tmp_path, capsys):
    path = write_yaml(tmp_path, "negative", "institutions:\n  CoreWeave:\n    cash_bn: -5\n")
    code, _, err = run_cli(capsys, "run", str(path), "--months", "2", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, str(path), "institutions.CoreWeave.cash_bn", "greater than or equal to 0", "-5")


def test_unknown_institution_in_contract(tmp_path, capsys):
    path = write_yaml(
        tmp_path,
        "ghost",
        "contracts:\n  ghost_compute: {kind: compute_contract, payer: Ghost Labs,"
        " payee: CoreWeave, monthly_payment_bn: 0.1, months: 12}\n",
    )
    code, _, err = run_cli(capsys, "run", str(path), "--months", "2", "--out", str(tmp_path / "o"))
    assert_bad_input(
        code, err, str(path), "contracts.ghost_compute.payer", "unknown institution 'Ghost Labs'", "known:", "CoreWeave"
    )


def test_unknown_scenario(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "no_such_scenario", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, "unknown scenario 'no_such_scenario'", "baseline_2025")
    code, _, err = run_cli(capsys, "run", str(tmp_path / "missing.yaml"))
    assert_bad_input(code, err, "missing.yaml", "no such scenario file")


def test_out_of_range_set(tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "--set", "markets.gpu.market_depth_bn=-5", "--out", str(tmp_path / "o"))
    assert_bad_input(
        code, err, "baseline_2025.yaml", "markets.gpu.market_depth_bn", "greater than or equal to 0.1", "-5"
    )
    code, _, err = run_cli(capsys, "run", "--set", "waiver_propensity=2", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, "waiver_propensity", "out of range", "[0.0, 1.0]")


@pytest.mark.parametrize("setting", ["market_depth_bn", "=3"])
def test_malformed_set(setting, tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", "--set", setting, "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, f"override {setting!r}", "key")


@pytest.mark.parametrize(
    ("option", "value", "allowed"),
    [
        ("--months", "0", "from 1 to 600"),
        ("--months", "-3", "from 1 to 600"),
        ("--months", "2.5", "from 1 to 600"),
        ("--months", "601", "from 1 to 600"),
        ("--seed", "-1", ">= 0"),
        ("--seed", "abc", ">= 0"),
    ],
)
def test_bad_months_or_seed(option, value, allowed, tmp_path, capsys):
    code, _, err = run_cli(capsys, "run", option, value, "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, option, allowed, value)


def test_app_rejects_unknown_scenario(capsys):
    code, _, err = run_cli(capsys, "app", "--scenario", "no_such_scenario")
    assert_bad_input(code, err, "--scenario", "unknown scenario 'no_such_scenario'")


@pytest.mark.parametrize("command", ["run", "app"])
def test_folder_as_scenario(command, tmp_path, capsys):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    argv = (
        ["run", str(folder), "--months", "1", "--out", str(tmp_path / "o")]
        if command == "run"
        else ["app", "--scenario", str(folder)]
    )
    code, _, err = run_cli(capsys, *argv)
    assert_bad_input(code, err, f"aicontagion {command}: ", str(folder), "is a folder, not a scenario file")
    if command == "app":
        assert "--scenario" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("command", ["run", "app"])
def test_folder_named_like_a_scenario_in_the_current_folder(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline_2025").mkdir()
    argv = (
        ["run", "baseline_2025", "--months", "1", "--out", "o"]
        if command == "run"
        else ["app", "--scenario", "baseline_2025"]
    )
    code, _, err = run_cli(capsys, *argv)
    assert_bad_input(code, err, "'baseline_2025' is a folder, not a scenario file", "configs", "baseline_2025.yaml")


def test_default_scenario_is_the_shipped_one_whatever_the_current_folder_holds(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "baseline_2025").mkdir()
    code, _, err = run_cli(capsys, "run", "--months", "1", "--out", "o", "--quiet")
    assert code == 0, err


def test_extends_a_folder(tmp_path, capsys):
    (tmp_path / "parent.yaml").mkdir()
    path = tmp_path / "child.yaml"
    path.write_text("extends: parent.yaml\nname: child\n")
    code, _, err = run_cli(capsys, "run", str(path), "--months", "1", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, "aicontagion run: ", "parent.yaml")


def test_set_below_a_number(tmp_path, capsys):
    # markets.gpu.market_depth_bn is a number: it has no item x.
    code, _, err = run_cli(capsys, "run", "--set", "markets.gpu.market_depth_bn.x=1", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, "aicontagion run: ", "markets.gpu.market_depth_bn.x")


def test_any_config_error_is_reported_cleanly(tmp_path, capsys, monkeypatch):
    from simulator import config

    def broken(*args, **kwargs):
        raise config.ConfigError("x.yaml: institutions.Acme.cash_bn: not allowed here")

    monkeypatch.setattr(config, "load_scenario", broken)
    for argv in (["run", "--months", "1", "--out", str(tmp_path / "o")], ["app", "--scenario", "x"]):
        code, _, err = run_cli(capsys, *argv)
        assert_bad_input(code, err, f"aicontagion {argv[0]}: ", "x.yaml: institutions.Acme.cash_bn: not allowed here")


def test_scenario_file_not_utf8(tmp_path, capsys):
    path = tmp_path / "latin.yaml"
    path.write_bytes("extends: baseline_2025\nname: caf\xe9\n".encode("latin-1"))
    code, _, err = run_cli(capsys, "run", str(path), "--months", "1", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, str(path), "UTF-8")


def test_unreadable_scenario_file(tmp_path, capsys, monkeypatch):
    path = write_yaml(tmp_path, "secret", "")
    # (chmod 000 does not stop root, so the read itself is made to fail, at both ways in)
    read_text, read_bytes = Path.read_text, Path.read_bytes

    def refuse(read):
        def unreadable(self, *args, **kwargs):
            if self.name == path.name:
                raise PermissionError(13, "Permission denied", str(self))
            return read(self, *args, **kwargs)

        return unreadable

    monkeypatch.setattr(Path, "read_text", refuse(read_text))
    monkeypatch.setattr(Path, "read_bytes", refuse(read_bytes))
    code, _, err = run_cli(capsys, "run", str(path), "--months", "1", "--out", str(tmp_path / "o"))
    assert_bad_input(code, err, str(path), "Permission denied")


@pytest.mark.parametrize("out", ["", " "])
def test_out_must_name_a_folder(out, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "run", "--months", "1", "--out", out)
    assert_bad_input(code, err, "--out: give a folder name")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--months", "--seed", "--port"])
@pytest.mark.parametrize(
    "value", ["2.5", "1e3", "-1e3", "-.5", "1.0", "true", "True", "-1", "1_0", "\u0663", "", "0x10", "9" * 5000]
)
def test_whole_number_options_are_written_in_digits(option, value, tmp_path, capsys, monkeypatch):
    _no_server(monkeypatch)
    allowed = {"--months": "from 1 to 600", "--seed": ">= 0", "--port": "from 1 to 65535"}[option]
    for given in ([f"{option}={value}"], [option, value]):  # --months=-1e3 and --months -1e3
        argv = ["app", *given] if option == "--port" else ["run", *given, "--out", str(tmp_path / "o")]
        code, _, err = run_cli(capsys, *argv)
        assert_bad_input(code, err, option, allowed)
        assert len(err) < 500, "the message repeats a long value in full"


@pytest.mark.parametrize("option", ["--months", "--seed", "--port", "--out", "--set"])
def test_option_without_its_value_says_what_is_allowed(option, capsys, monkeypatch):
    _no_server(monkeypatch)
    argv = ["app", option] if option == "--port" else ["run", option]
    code, _, err = run_cli(capsys, *argv)
    assert_bad_input(code, err, option, "expected one argument")
    if option in ("--months", "--port"):
        assert "from 1 to" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["no_such_scenario"], "unknown scenario"),
        (["{tmp}/missing.yaml"], "no such scenario file"),
        (["{tmp}/bad.yaml"], "not valid YAML"),
        (["{tmp}/list.yaml"], "mapping"),
        (["--set", "nosuchlever=1"], "nosuchlever"),
        (["--set", "waiver_propensity=2"], "waiver_propensity"),
        (["--set", "x"], "key=value"),
        (["--months", "0"], "--months"),
        (["--seed", "x"], "--seed"),
        (["--out", ""], "--out"),
        (["--bogus"], "--bogus"),
    ],
)
def test_every_bad_input_takes_one_path(argv, fragment, tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("name: [unclosed\n")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "o")]
    code, out, err = run_cli(capsys, "run", *argv)
    assert_bad_input(code, err, fragment)
    assert err.startswith("aicontagion run: "), err
    assert out == ""
    assert not (tmp_path / "o").exists()


# ----------------------------------------------------------------------------- interruption


def _interrupt_after(monkeypatch, months: int, error: type[BaseException] = KeyboardInterrupt) -> None:
    """Make ContagionModel.step raise ``error`` once ``months`` months have finished."""
    from simulator.model import ContagionModel

    real_step = ContagionModel.step

    def step(self):
        if self.month >= months:
            raise error("stopped by the test")
        real_step(self)

    monkeypatch.setattr(ContagionModel, "step", step)


def test_interrupted_run_keeps_finished_months(tmp_path, capsys, monkeypatch):
    _interrupt_after(monkeypatch, 3)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "run", "--months", "12", "--out", str(out))
    assert code == 130
    assert "Traceback" not in err and "interrupted" in err
    assert len(pd.read_csv(out / "timeseries.csv")) == 3 + 1
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert all(e["month"] <= 3 for e in events)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["months"] == 3 and summary["months_requested"] == 12
    assert summary["complete"] is False
    assert "interrupted" in summary["note"]
    assert (out / "network.png").is_file()  # stopped between months: the graph is consistent


def test_interrupted_mid_month_skips_unfinished_month(tmp_path, capsys, monkeypatch):
    from simulator.phases import covenants

    real_test = covenants.run

    def test_covenants(state, *args, **kwargs):  # phase 5 of month 4: months 1-3 are finished
        if state.memory.month == 4:
            raise KeyboardInterrupt
        return real_test(state, *args, **kwargs)

    monkeypatch.setattr(covenants, "run", test_covenants)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "run", "--months", "12", "--out", str(out), "--quiet")
    assert code == 130 and "Traceback" not in err
    assert len(pd.read_csv(out / "timeseries.csv")) == 3 + 1
    assert all(json.loads(line)["month"] <= 3 for line in (out / "events.jsonl").read_text().splitlines())
    assert not (out / "graph.json").exists(), "a half-finished month's graph must not be written"


def test_unexpected_error_propagates_after_writing_finished_months(tmp_path, capsys, monkeypatch):
    _interrupt_after(monkeypatch, 2, error=RuntimeError)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="stopped by the test"):
        cli.main(["run", "--months", "12", "--out", str(out), "--quiet"])
    assert "stopped by an error (RuntimeError) after 2 of 12 months" in capsys.readouterr().err
    assert len(pd.read_csv(out / "timeseries.csv")) == 2 + 1


# ----------------------------------------------------------------------------- the output folder
#
# A run is written into a fresh folder beside --out and moved into place when complete, so an
# interruption leaves either the previous run untouched or a folder of the new run alone whose
# summary.json says whether it is complete -- never files of two runs side by side.

# Every function that changes the disk while a run is written, counted in the order of its calls.
_DISK_STEPS = (
    "write_timeseries_csv",
    "write_timeseries_parquet",
    "write_agents_csv",
    "write_agents_parquet",
    "write_events_jsonl",
    "write_timeseries_png",
    "write_graph_graphml",
    "write_graph_json",
    "write_network_png",
    "write_summary_json",
    "_rename",
    "_remove_tree",
    "tempfile.mkstemp",  # the temporary file of each atomic write, made but not yet written
)


class _Interrupts:
    """Wrap the disk steps of simulator.cli.outputs; interrupt the chosen calls (before or after the
    step does its work) by raising KeyboardInterrupt from the step itself (``how="raise"``: as if
    the step could be cut anywhere) or by a real SIGINT to this process (``how="signal"``: a
    Ctrl-C, which the command may hold back until the run's folder is in place).
    """

    def __init__(self, monkeypatch, at: set[int], when: str, how: str = "raise"):
        from simulator.cli import outputs

        self.calls, self.at, self.when, self.how, self.raised = 0, at, when, how, []
        for name in _DISK_STEPS:
            owner, _, attribute = name.rpartition(".")
            module = getattr(outputs, owner) if owner else outputs
            real = getattr(module, attribute, None)
            if real is not None:
                monkeypatch.setattr(module, attribute, self._wrap(name, real))

    def _wrap(self, name, real):
        def step(*args, **kwargs):
            self.calls += 1
            interrupt = self.calls in self.at
            if interrupt and self.when == "before":
                self._interrupt(name)
            result = real(*args, **kwargs)
            if interrupt and self.when == "after":
                self._interrupt(name)
            return result

        return step

    def _interrupt(self, name: str) -> None:
        self.raised.append(name)
        if self.how == "signal":
            import signal

            signal.raise_signal(signal.SIGINT)
        else:
            raise KeyboardInterrupt(f"Ctrl-C at {name} (call {self.calls})")


def _quick_figures(monkeypatch) -> None:
    """Small stand-ins for the two figures (a title, nothing drawn): the steps stay, the time goes."""
    from matplotlib.figure import Figure

    from simulator.cli import plots

    def figure(data, title=None, lang="en"):
        fig = Figure(figsize=(2, 1))
        fig.suptitle(str(title))
        return fig

    monkeypatch.setattr(plots, "timeseries_panel", figure)
    monkeypatch.setattr(plots, "network_figure", figure)


def _load_once(monkeypatch) -> None:
    """Read each scenario file once (a copy each time): the steps stay, the time goes."""
    from simulator import config

    real, loaded = config.load_scenario, {}

    def load_scenario(name_or_path, overrides=None, **levers):
        key = (str(name_or_path), repr(overrides), repr(sorted(levers.items())))
        if key not in loaded:
            loaded[key] = real(name_or_path, overrides=overrides, **levers)
        return loaded[key].model_copy(deep=True)

    monkeypatch.setattr(config, "load_scenario", load_scenario)


def _files(folder: Path) -> dict[str, bytes]:
    assert all(p.is_file() for p in folder.iterdir()), sorted(folder.iterdir())
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def assert_one_run(folder: Path, previous: dict[str, bytes], scenario: str = "baseline_2025") -> str:
    """``folder`` holds the previous run untouched, or the new run alone: return which, and how."""
    files = _files(folder)
    if files == previous:
        return "previous"
    assert "summary.json" in files, f"the previous run was changed but no summary was written: {sorted(files)}"
    summary = json.loads(files["summary.json"])
    assert summary["scenario"] == scenario
    assert sorted(summary["files"]) == sorted(files), "summary.json lists the files in the folder"
    mixed = [name for name, data in files.items() if previous.get(name) == data]
    assert not mixed, f"files of the previous run beside the new one's: {mixed}"
    if "timeseries.csv" in files:
        assert len(pd.read_csv(folder / "timeseries.csv")) == summary["months"] + 1
    if "events.jsonl" in files:
        assert all(json.loads(line)["month"] <= summary["months"] for line in files["events.jsonl"].splitlines())
    if summary["complete"]:
        assert sorted(files) == sorted(OUTPUT_FILES.values())
        assert summary["months"] == summary["months_requested"]
        return "new, complete"
    assert summary["months"] <= summary["months_requested"]
    return "new, incomplete"


def _leftovers(parent: Path, out: Path) -> list[str]:
    """Temporary folders and files of the writing left behind (hidden, beside or inside ``out``)."""
    beside = [p.name for p in parent.iterdir() if p.name.startswith(f".{out.name}.")]
    inside = [p.name for p in out.iterdir() if p.name.endswith(".tmp")] if out.is_dir() else []
    return beside + inside


_POSIX = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")


@pytest.fixture
def previous_run(tmp_path_factory) -> Path:
    """A complete earlier run of another scenario (quick figures), to be copied into --out."""
    folder = tmp_path_factory.mktemp("previous") / "run"
    with pytest.MonkeyPatch.context() as mp:
        _quick_figures(mp)
        assert (
            cli.main(["run", "neocloud_default", "--months", "4", "--seed", "1", "--out", str(folder), "--quiet"]) == 0
        )
    return folder


@pytest.mark.parametrize("how", ["raise", pytest.param("signal", marks=_POSIX)])
@pytest.mark.parametrize("when", ["before", "after"])
@pytest.mark.parametrize(
    "case", ["Ctrl-C while writing", "two Ctrl-C while writing", "Ctrl-C in the run, then while writing"]
)
def test_interrupt_at_every_disk_step_never_mixes_two_runs(
    case, when, how, previous_run, tmp_path, capsys, monkeypatch
):
    import shutil

    _quick_figures(monkeypatch)
    _load_once(monkeypatch)
    if case.startswith("Ctrl-C in the run"):
        _interrupt_after(monkeypatch, 2)
    previous = _files(previous_run)
    outcomes = {}
    for k in range(1, 100):
        out = tmp_path / f"case{k}" / "out"
        shutil.copytree(previous_run, out)
        at = {k, k + 1} if case.startswith("two") else {k}
        with monkeypatch.context() as mp:
            steps = _Interrupts(mp, at, when, how)
            code, _, err = run_cli(capsys, "run", "--months", "3", "--seed", "7", "--out", str(out), "--quiet")
        assert "Traceback" not in err
        if not steps.raised and not case.startswith("Ctrl-C in the run"):
            assert code == 0, err
            assert assert_one_run(out, previous) == "new, complete"
            break
        assert code == 130, f"call {k}: {err}"
        outcomes[k] = (steps.raised, assert_one_run(out, previous))
        leftovers = _leftovers(out.parent, out)
        if "_remove_tree" not in steps.raised:  # (only deleting the previous run, after the move, can be cut)
            assert not leftovers, f"call {k} {steps.raised}: left behind {leftovers}"
        if k > steps.calls:
            break
    else:
        pytest.fail("more steps than expected")
    assert len(outcomes) >= 10, outcomes
    kinds = {outcome for _, outcome in outcomes.values()}
    if how == "signal":  # a real Ctrl-C never loses the new run: it stops the writing or waits for the move
        assert kinds <= {"new, incomplete", "new, complete"}, outcomes
    if how == "signal" or not case.startswith("two"):
        assert "new, incomplete" in kinds, outcomes


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
def test_real_ctrl_c_while_writing_never_mixes_two_runs(previous_run, tmp_path):
    import os
    import shutil
    import time

    out = tmp_path / "out"
    shutil.copytree(previous_run, out)
    previous = _files(out)
    command = ["-m", "simulator.cli", "run", "baseline_2025", "--months", "600", "--seed", "7", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, *command, "--quiet"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )

    def writing() -> bool:  # the new run's files appear: in a folder beside out, or in out itself
        staged = [p for p in tmp_path.iterdir() if p.name.startswith(".out.") and p.is_dir()]
        in_place = (out / "summary.json").is_file() and b'"scenario": "baseline_2025"' in (
            out / "summary.json"
        ).read_bytes()
        return in_place or any(any(p.iterdir()) for p in staged)

    try:
        deadline = time.monotonic() + 60
        while not writing() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # a second, impatient Ctrl-C
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err, err
    outcome = assert_one_run(out, previous)
    assert outcome != "previous" or proc.returncode == 130
    assert not _leftovers(tmp_path, out)


@_POSIX
@pytest.mark.parametrize("where", ["simulation", "writing"])
def test_ctrl_c_that_compiled_code_turns_into_an_error_is_an_interruption(where, tmp_path, capsys, monkeypatch):
    # matplotlib's Agg, cut by Ctrl-C while it draws, raised "ValueError: Invalid affine
    # transformation matrix" (seen in scripts/reliability.py's trials): the Ctrl-C, not a bug.

    from simulator.cli import outputs
    from simulator.model import ContagionModel

    _quick_figures(monkeypatch)

    def garbled(*args, **kwargs):  # compiled code gets the Ctrl-C, drops it, reports its own error
        with contextlib.suppress(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        raise ValueError("Invalid affine transformation matrix")

    if where == "writing":
        monkeypatch.setattr(outputs, "write_timeseries_png", garbled)
    else:
        real_step = ContagionModel.step
        monkeypatch.setattr(ContagionModel, "step", lambda self: garbled() if self.month >= 2 else real_step(self))
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, "run", "--months", "4", "--out", str(out), "--quiet")
    assert code == 130, err
    assert "Traceback" not in err and "interrupted" in err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is False
    if where == "writing":
        assert summary["months"] == 4 and "timeseries.png" not in summary["files"]
        assert "events.jsonl" in summary["files"]
    else:
        assert summary["months"] == 2 and "timeseries.png" in summary["files"]


def test_write_run_writes_in_place_summary_last(tmp_path, monkeypatch):
    from simulator.cli import outputs
    from simulator.model import ContagionModel

    _quick_figures(monkeypatch)
    model = ContagionModel("baseline_2025", rng=1)
    for _ in range(2):
        model.step()
    order = []
    real = outputs.atomic_file

    def watched(path, mode="w"):
        order.append(Path(path).name)
        return real(path, mode)

    monkeypatch.setattr(outputs, "atomic_file", watched)
    written = outputs.write_run(model, tmp_path / "run", {"months_requested": 2, **outputs.summarise(model)})
    assert sorted(p.name for p in written.values()) == sorted(OUTPUT_FILES.values())
    assert order[-1] == "summary.json"
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["complete"] is True and sorted(summary["files"]) == sorted(OUTPUT_FILES.values())


def test_out_replaces_a_previous_run(previous_run, tmp_path, capsys):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(previous_run, out)
    previous = _files(out)
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", str(out), "--quiet")
    assert code == 0, err
    assert assert_one_run(out, previous) == "new, complete"
    assert not _leftovers(tmp_path, out)


def test_out_takes_an_empty_folder(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", str(out), "--quiet")
    assert code == 0, err
    assert json.loads((out / "summary.json").read_text())["complete"] is True


@pytest.mark.parametrize("extra", ["notes.txt", "sub/"])
def test_out_refuses_a_folder_that_is_not_a_run(extra, previous_run, tmp_path, capsys, monkeypatch):
    import shutil

    out = tmp_path / "out"
    shutil.copytree(previous_run, out)
    if extra.endswith("/"):
        (out / extra).mkdir()
    else:
        (out / extra).write_text("mine")
    before = sorted(p.name for p in out.iterdir())
    _interrupt_after(monkeypatch, 0, error=AssertionError)  # the run must not even start
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", str(out))
    assert_bad_input(code, err, "--out", str(out), "does not look like an aicontagion run", extra.rstrip("/"))
    assert sorted(p.name for p in out.iterdir()) == before
    assert not _leftovers(tmp_path, out)


def test_out_refuses_a_file(tmp_path, capsys):
    out = tmp_path / "out.txt"
    out.write_text("mine")
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", str(out))
    assert_bad_input(code, err, "--out", str(out), "is a file")
    assert out.read_text() == "mine"


@pytest.mark.parametrize("out", [".", "..", "sub/.."])
def test_out_refuses_the_current_folder(out, tmp_path, capsys, monkeypatch):
    (tmp_path / "here" / "sub").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "here")
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", out)
    assert_bad_input(code, err, "--out", "the current folder")


def test_out_through_a_symbolic_link(previous_run, tmp_path, capsys):
    import shutil

    real = tmp_path / "real"
    shutil.copytree(previous_run, real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", str(link), "--quiet")
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real
    assert json.loads((real / "summary.json").read_text())["scenario"] == "baseline_2025"


def test_out_changed_during_the_run_is_not_deleted(previous_run, tmp_path, capsys, monkeypatch):
    import shutil

    from simulator.model import ContagionModel

    out = tmp_path / "out"
    shutil.copytree(previous_run, out)
    real_step = ContagionModel.step

    def step(self):  # someone saves a file of their own into the folder while the run goes on
        (out / "notes.txt").write_text("mine")
        real_step(self)

    monkeypatch.setattr(ContagionModel, "step", step)
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", str(out), "--quiet")
    assert_bad_input(code, err, "--out", "notes.txt", "out.new-")
    assert (out / "notes.txt").read_text() == "mine"
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("out.new-")]
    assert len(kept) == 1 and json.loads((kept[0] / "summary.json").read_text())["complete"] is True


# ----------------------------------------------------------------------------- scenarios and the script


def test_scenarios_lists_every_scenario(capsys):
    code, stdout, _ = run_cli(capsys, "scenarios")
    assert code == 0
    lines = stdout.splitlines()
    assert [line.split()[0] for line in lines] == scenario_names()
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines), "every scenario has a description"


def test_installed_console_script():
    script = Path(sys.executable).parent / "aicontagion"
    if not script.exists():
        pytest.skip("the aicontagion script is not installed (pip install -e .)")
    result = subprocess.run([str(script), "scenarios"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "baseline_2025" in result.stdout
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- Ctrl-C while starting up

# Run in a child Python before the command line starts: the first `import numpy` (the first heavy
# import, wherever it happens) announces itself on stderr and then takes 2 s, so the parent can
# send SIGINT while the command is still importing.
_SLOW_IMPORT_HOOK = """
import importlib.abc, sys, time

class _SlowNumpy(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "numpy":
            sys.meta_path.remove(self)
            print("importing numpy", file=sys.stderr, flush=True)
            time.sleep(2)  # (Ctrl-C waits for the import to finish)
        return None

sys.meta_path.insert(0, _SlowNumpy())
sys.argv = ["aicontagion", "scenarios"]
"""
_START = {
    # what the installed console script does
    "console script": "from simulator.cli import main\nsys.exit(main())\n",
    # python -m simulator.cli
    "python -m": "import runpy\nrunpy.run_module('simulator.cli', run_name='__main__', alter_sys=True)\n",
}


def _ctrl_c_when(argv: list[str], line: str) -> tuple[int, str]:
    """Start ``python argv`` (this checkout first on the path), wait until its stderr says
    ``line`` (an import hook's), send it Ctrl-C; its exit code and the rest of its stderr.
    """
    import os

    proc = subprocess.Popen(
        [sys.executable, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline().strip() == line, "the hook never ran"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
@pytest.mark.parametrize("start", sorted(_START))
def test_ctrl_c_while_importing_exits_130_quietly(start):
    returncode, err = _ctrl_c_when(["-c", _SLOW_IMPORT_HOOK + _START[start]], "importing numpy")
    assert returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "interrupted" in err


@pytest.mark.skipif(sys.platform == "win32", reason="exit by SIGINT is POSIX")
def test_ctrl_c_caught_inside_exec_still_exits_130(tmp_path):
    # Under `python -m`, CPython remembers a KeyboardInterrupt that ended an exec() of text
    # (dataclasses and others exec code while they are imported) and kills itself with SIGINT at
    # exit although the command caught it: exit -2 instead of 130, seen when Ctrl-C lands while
    # pydantic loads.
    (tmp_path / "probe.py").write_text(
        "import sys\n"
        "import simulator.cli as cli\n"
        "cli.cmd_scenarios = lambda args: exec('raise KeyboardInterrupt', {})\n"
        "sys.argv = ['aicontagion', 'scenarios']\n"
        "sys.exit(cli.main())\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{Path(__file__).resolve().parent.parent}"}
    result = subprocess.run([sys.executable, "-m", "probe"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr and "interrupted" in result.stderr


_IMPORT_WATCH = """
import importlib.abc, sys, time

class _SlowParquet(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "pyarrow.parquet":
            sys.meta_path.remove(self)
            print("importing pyarrow.parquet", file=sys.stderr, flush=True)
            time.sleep(1.0)
            print("imported pyarrow.parquet in full", file=sys.stderr, flush=True)
        return None

sys.meta_path.insert(0, _SlowParquet())
from simulator.cli import main
sys.exit(main())
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is POSIX")
def test_ctrl_c_while_the_engine_loads_waits_for_the_import(tmp_path):
    # A Ctrl-C inside the import of a compiled module (matplotlib's ft2font, pyarrow, numpy) can
    # leave it half made: an ImportError with a traceback, or a crash at exit. The command loads
    # what it needs first, with Ctrl-C held back until the imports are done, then exits 130.
    returncode, err = _ctrl_c_when(
        ["-c", _IMPORT_WATCH, "run", "--months", "1", "--out", str(tmp_path / "out")], "importing pyarrow.parquet"
    )
    assert returncode == 130, err
    assert "imported pyarrow.parquet in full" in err
    assert "Traceback" not in err and "interrupted" in err
    assert not (tmp_path / "out").exists()


def test_an_import_failed_by_ctrl_c_is_an_interruption(capsys, monkeypatch):
    def scenarios(args):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:  # what a compiled module's import makes of a Ctrl-C
            raise ImportError("initialization failed") from exc

    monkeypatch.setattr(cli, "cmd_scenarios", scenarios)
    code, _, err = run_cli(capsys, "scenarios")
    assert code == 130 and "interrupted" in err and "Traceback" not in err


def test_importing_the_command_line_loads_no_heavy_module():
    code = "import sys, simulator.cli; print(sorted(m for m in ('numpy', 'pandas', 'mesa', 'pydantic', 'yaml') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- app


def test_app_exposure_notice_goes_to_stderr(capsys, monkeypatch):
    from simulator.app import server

    class FakeServer:
        def __init__(self, *args, **kwargs):
            pass

        def wait(self):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(server.subprocess, "Popen", FakeServer)
    monkeypatch.setattr(server, "_check_port_free", lambda host, port: None)
    monkeypatch.setattr(server, "assets_dir_is_complete", lambda path=None: True)
    code, out, err = run_cli(capsys, "app", "--host", "0.0.0.0", "--port", "8765")
    assert code == 0, err
    assert "reachable from other machines" in err
    assert "reachable" not in out
    assert "open http://127.0.0.1:8765" in out


# ----------------------------------------------------------------------------- Ctrl-C inside a month
@_POSIX
@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_in_the_middle_of_a_month_leaves_whole_months(presses, tmp_path, capsys, monkeypatch):
    """A Ctrl-C that lands between the appends of a month's records (seen once in
    scripts/reliability.py as "ValueError: All arrays must be of the same length"): one Ctrl-C
    lets the month finish and stops the run there; a second one stops it at once and the
    unfinished month is dropped. Either way the outputs hold whole months, and the run exits 130.
    """
    import signal

    from simulator.records import MonthlyRecords

    _quick_figures(monkeypatch)
    real = MonthlyRecords.collect

    pressed: list[bool] = []

    class Cut(list):
        """The second column: in month 3, once the first column has its value, Ctrl-C."""

        def append(self, value):
            if len(self) == 3 and not pressed:
                pressed.append(True)
                for _ in range(presses):
                    signal.raise_signal(signal.SIGINT)
            super().append(value)

    def collect(self, step, report, month_end):
        name, values = self._columns[1]
        if not isinstance(values, Cut):
            self._columns[1] = (name, Cut(values))
            self.model_vars[name] = self._columns[1][1]
        return real(self, step, report, month_end)

    monkeypatch.setattr(MonthlyRecords, "collect", collect)
    out = tmp_path / "run"
    code = cli.main(["run", "neocloud_default", "--months", "6", "--out", str(out), "--quiet"])
    assert code == 130
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] is False
    months = 3 if presses == 1 else 2  # month 3 finished, or dropped
    assert summary["months"] == months, summary.get("note")
    table = pd.read_csv(out / "timeseries.csv")
    assert list(table["month"]) == list(range(months + 1))
    agents = pd.read_csv(out / "agents.csv")
    assert sorted(agents["month"].unique()) == list(range(months + 1))
    assert "Traceback" not in capsys.readouterr().err
