"""``aicontagion report DIR``: the report of a run folder as one self-contained HTML page.

The page is checked against the folder's own files: the scenario and its set-up, the headline
numbers (each cell's exact value against summary.json), the timeline (against events.jsonl), the
replay's month-by-month statuses (against agents.csv), and that nothing is fetched from the
network. Bad folders give exit code 2 and a message naming the path and what is expected. The
page in a real browser: tests/browser/test_report_page.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from simulator import cli
from simulator.cli.outputs import SUMMARY_SCHEMA
from simulator.cli.report import build_report, write_report
from simulator.cli.report.page import TIMELINE_TOP
from simulator.events import Event, most_important

SCENARIO = "ai_winter"
DEPTH = "gpu_market_depth_bn=2.0"  # a --set value the report must show


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    """A complete ai_winter run (its 36 months) with one --set value."""
    out = tmp_path_factory.mktemp("report") / "winter"
    assert cli.main(["run", SCENARIO, "--seed", "3", "--set", DEPTH, "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def html(run_dir: Path) -> str:
    return build_report(run_dir)


@pytest.fixture(scope="module")
def summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def copy_run(run_dir: Path, tmp_path: Path) -> Path:
    """A copy of the run folder to break (the module's run stays intact)."""
    return Path(shutil.copytree(run_dir, tmp_path / "copy"))


def edit_summary(folder: Path, change) -> None:
    path = folder / "summary.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def cells(html: str) -> dict[str, tuple[float, str]]:
    """data-key -> (exact value, text shown) of every figure cell."""
    found = re.findall(r"data-key='([^']+)' data-value='([^']+)'>([^<]*)</td>", html)
    return {key: (float(value), text) for key, value, text in found}


def replay_payload(html: str) -> dict:
    match = re.search(r"<script type='application/json' id='rp-data'>(.*?)</script>", html, re.S)
    assert match, "the replay's data are in the page"
    return json.loads(match.group(1))


def read_events(run_dir: Path) -> list[Event]:
    return [Event(**json.loads(line)) for line in (run_dir / "events.jsonl").read_text().splitlines()]


# ----------------------------------------------------------------------------- what the page says


def test_report_names_the_run_and_its_set_up(html, summary):
    assert f"<h1 data-testid='scenario'>{SCENARIO}</h1>" in html
    assert "<b data-testid='seed'>3</b>" in html
    assert f"<b data-testid='months'>{summary['months']} months</b>" in html
    assert "data-complete='true'>complete</b>" in html
    assert f"<b data-testid='counterfactual'>{summary['counterfactual']}</b>" in html
    assert "data-testid='partial'" not in html
    # The scenario's description, its shocks with their meaning, the --set value and the levers.
    assert summary["setup"]["description"][:60] in html
    assert "<td>AI revenue growth per year becomes 0.1 from month 3 on</td>" in html
    assert f"<code>--set {DEPTH}</code>" in html
    assert re.search(r"<tr data-lever='gpu_market_depth_bn'><th scope='row'>[^<]*</th><td>2.0</td>", html)
    assert re.search(r"<tr data-lever='central_bank_enabled'><th scope='row'>[^<]*</th><td>off</td>", html)


def test_summary_records_the_set_up(summary):
    setup = summary["setup"]
    assert setup["settings"] == [DEPTH]
    assert setup["levers"]["gpu_market_depth_bn"] == 2.0
    assert [(s["month"], s["kind"]) for s in setup["shocks"]] == [(3, "ai_growth"), (6, "sentiment")]
    assert all(setup["channels"].values())


def test_headline_numbers_are_summary_json_s(html, summary):
    shown = cells(html)
    losses = summary["losses_bn"]
    expected = {key: losses[key]["total"] for key in losses}
    expected |= {f"{key}:total": losses[key]["total"] for key in losses}
    expected |= {f"{key}:{sector}": v for key in losses for sector, v in losses[key]["by_sector"].items()}
    equity = summary["system_equity_bn"]
    expected |= {
        "system_equity_start": equity["start"],
        "system_equity_end": equity["end"],
        "system_equity_counterfactual_end": equity["counterfactual_end"],
    }
    expected |= {f"gpu:{gen}:end": p["end_k_usd"] for gen, p in summary["gpu_prices"].items()}
    expected |= {
        f"gpu:{gen}:counterfactual_end": p["counterfactual_end_k_usd"] for gen, p in summary["gpu_prices"].items()
    }
    for key, value in expected.items():
        assert key in shown, f"{key} is not in the report"
        text = f"{value:,.1f}" if value == 0 or abs(value) >= 0.05 else f"{value:,.3f}"
        assert shown[key] == (value, text), key
    # The four measures keep their own names, in US$ bn, and the shortfalls say what they are short of.
    for label in ("Realised losses", "Unrealised losses", "Book equity below the counterfactual",
                  "Market value below the counterfactual"):  # fmt: skip
        assert f"{label}, all sectors, at month {summary['months']}" in html
    assert "<th class='num'>US$ bn</th>" in html
    assert f"<span data-value='{summary['defaults_total']}'>" in html
    assert summary["first_default"]["message"] in html


def test_timeline_lists_the_important_events_defaults_and_breaches(run_dir, html):
    events = read_events(run_dir)
    rows = re.findall(r"<tr class='tl-row[^']*' data-month='(\d+)' data-kind='([a-z_]+)'.*?<td>([^<]*)</td>", html)
    listed = [(int(m), kind, message) for m, kind, message in rows]
    from html import escape

    def key(e: Event) -> tuple[int, str, str]:
        return e.month, e.kind, escape(e.message, quote=True)

    for e in most_important(events, top=TIMELINE_TOP):
        assert key(e) in listed, f"a top event is missing: {e.message}"
    always = [e for e in events if e.kind in ("default", "covenant_breach", "shock")]
    assert always and any(e.kind == "default" for e in always)
    for e in always:
        assert key(e) in listed, f"missing: {e.message}"
    assert len(listed) <= len(always) + TIMELINE_TOP
    assert [m for m, _, _ in listed] == sorted(m for m, _, _ in listed), "in time order"


def test_replay_colours_each_month_as_agents_csv_says(run_dir, html):
    data = replay_payload(html)
    agents = pd.read_csv(run_dir / "agents.csv")
    months = sorted(agents["month"].unique())
    assert data["months"] == months
    first = agents[agents["month"] == 0].sort_values("institution")
    assert data["names"] == first["name"].tolist()
    for month in (0, months[len(months) // 2], months[-1]):
        rows = agents[agents["month"] == month].sort_values("institution")
        assert [data["statuses"][code] for code in data["status"][month]] == rows["status"].tolist()
    assert any(s != data["status"][0] for s in data["status"]), "the cascade changes some status"
    # Every node of the SVG is there once, coloured as at month 0, with its name.
    for i, name in enumerate(data["names"]):
        assert html.count(f"<g class='rp-node' data-index='{i}' data-name='{name}' data-status='") == 1
    assert html.count("class='rp-edge'") > 10, "the contracts of graph.json are drawn"
    # A month's events are that month's, and the most serious first.
    events = read_events(run_dir)
    for month, shown in enumerate(data["events"]):
        messages = [e.message for e in events if e.month == month]
        assert all(message in messages for _, _, message in shown)
        assert data["more"][month] == len(messages) - len(shown)
    default_month = json.loads((run_dir / "summary.json").read_text())["first_default"]["month"]
    assert "default" in [kind for kind, _, _ in data["events"][default_month]]


def test_page_needs_no_network(html):
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<link\b", html) and "@import" not in html
    sources = re.findall(r"\bsrc=['\"]([^'\"]*)", html)
    assert sources and all(src.startswith("data:image/png;base64,") for src in sources)
    assert all(url.startswith("#") for url in re.findall(r"url\(([^)]*)\)", html))
    assert len(re.findall(r"<script\b", html)) == 2  # the replay's data and its script, both inline


def test_baseline_has_no_counterfactual_and_says_so(tmp_path, capsys):
    out = tmp_path / "base"
    assert cli.main(["run", "--months", "3", "--out", str(out), "--quiet"]) == 0
    html = build_report(out)
    assert "nothing (no counterfactual)" in html
    assert html.count("n/a: no counterfactual") == 2
    assert "Book equity below the counterfactual" in html


# ----------------------------------------------------------------------------- partial runs


def test_run_stopped_mid_month_is_reported_and_flagged(tmp_path, capsys, monkeypatch):
    from simulator.phases import covenants

    real_test = covenants.run

    def stop_in_month_5(state, *args, **kwargs):  # months 1-4 finished, no final graph written
        if state.memory.month == 5:
            raise KeyboardInterrupt
        return real_test(state, *args, **kwargs)

    monkeypatch.setattr(covenants, "run", stop_in_month_5)
    out = tmp_path / "stopped"
    code, _, _ = run_cli(capsys, "run", "--months", "12", "--out", str(out), "--quiet")  # (no counterfactual)
    assert code == 130
    monkeypatch.undo()
    code, stdout, err = run_cli(capsys, "report", str(out))
    assert code == 0, err
    assert f"Wrote {out / 'report.html'}" in stdout
    html = (out / "report.html").read_text()
    assert "data-complete='false'>PARTIAL</b>" in html
    assert "data-testid='partial'" in html and "covers months 0 to 4 only" in html
    assert "graph.json" in html and "class='rp-edge'" not in html  # no contracts: graph.json not written
    assert "No network figure: the run did not write network.png" in html
    assert replay_payload(html)["months"] == [0, 1, 2, 3, 4]


def test_missing_time_series_picture_is_drawn_from_the_table(run_dir, tmp_path):
    folder = copy_run(run_dir, tmp_path)
    (folder / "timeseries.png").unlink()
    edit_summary(folder, lambda s: s.update(complete=False, files=[f for f in s["files"] if f != "timeseries.png"]))
    html = build_report(folder)
    assert "drawn by the report from timeseries.csv" in html
    assert "data-testid='timeseries-figure'" in html


def test_summary_without_set_up_says_so(run_dir, tmp_path):
    folder = copy_run(run_dir, tmp_path)
    edit_summary(folder, lambda s: s.pop("setup"))
    assert "does not record its set-up" in build_report(folder)


# ----------------------------------------------------------------------------- the command


def test_report_writes_dir_report_html_by_default(run_dir, capsys):
    (run_dir / "report.html").unlink(missing_ok=True)
    code, out, err = run_cli(capsys, "report", str(run_dir))
    assert code == 0, err
    path = run_dir / "report.html"
    assert f"Wrote {path}" in out
    assert path.read_text().startswith("<!DOCTYPE html>")


def test_report_out_writes_there_only(run_dir, tmp_path, capsys):
    (run_dir / "report.html").unlink(missing_ok=True)
    target = tmp_path / "hand-in" / "winter.html"
    code, out, err = run_cli(capsys, "report", str(run_dir), "--out", str(target))
    assert code == 0, err
    assert f"Wrote {target}" in out
    assert target.is_file() and not (run_dir / "report.html").exists()
    assert f"<h1 data-testid='scenario'>{SCENARIO}</h1>" in target.read_text()


def test_a_later_run_replaces_a_folder_holding_its_report(run_dir, tmp_path, capsys):
    folder = copy_run(run_dir, tmp_path)
    write_report(folder)
    code, _, err = run_cli(capsys, "run", "--months", "2", "--out", str(folder), "--quiet")
    assert code == 0, err
    assert not (folder / "report.html").exists(), "the old run's report went with it"
    assert json.loads((folder / "summary.json").read_text())["scenario"] == "baseline_2025"


def assert_bad_input(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err and err.startswith("aicontagion report: ")
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in message:\n{err}"


def test_missing_folder(tmp_path, capsys):
    where = str(tmp_path / "nowhere")
    assert_bad_input(*run_cli(capsys, "report", where)[::2], where, "does not exist", "aicontagion run --out DIR")


def test_a_file_is_not_a_run_folder(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert_bad_input(*run_cli(capsys, "report", str(path))[::2], str(path), "is a file, not a folder")


def test_a_folder_without_summary_is_not_a_run_folder(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")
    code, _, err = run_cli(capsys, "report", str(tmp_path))
    assert_bad_input(code, err, str(tmp_path), "not a run's folder", "no summary.json", "notes.txt", "events.jsonl")
    assert not (tmp_path / "report.html").exists()


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('{"schema": "aicontagion.summary/2", ', ["summary.json", "not valid JSON", "line 1"]),
        ("[1, 2]", ["expected a JSON object (a run summary), got list"]),
        ('{"scenario": "x", "losses_bn_total": 3}', ["older aicontagion", "no 'schema' key", SUMMARY_SCHEMA]),
        ('{"schema": "aicontagion.summary/1"}', ["older aicontagion", "'aicontagion.summary/1'", "aicontagion run"]),
        ('{"schema": "aicontagion.summary/3"}', ["newer aicontagion", "update aicontagion"]),
        ('{"schema": "something else"}', ["not an aicontagion run summary"]),
    ],
)
def test_broken_or_foreign_summary(run_dir, tmp_path, capsys, text, fragments):
    folder = copy_run(run_dir, tmp_path)
    (folder / "summary.json").write_text(text)
    code, _, err = run_cli(capsys, "report", str(folder))
    assert_bad_input(code, err, str(folder / "summary.json"), *fragments)


@pytest.mark.parametrize(
    ("change", "fragments"),
    [
        (lambda s: s["losses_bn"]["realised_losses_bn"].update(total="5"), ["losses_bn.realised_losses_bn.total", "a number", "'5'"]),
        (lambda s: s.pop("months"), ["months: missing (required)"]),
        (lambda s: s.update(complete="yes"), ["complete: expected true or false"]),
        (lambda s: s["losses_bn"].pop("unrealised_losses_bn"), ["losses_bn.unrealised_losses_bn: missing"]),
    ],
)  # fmt: skip
def test_summary_field_errors_name_the_field(run_dir, tmp_path, capsys, change, fragments):
    folder = copy_run(run_dir, tmp_path)
    edit_summary(folder, change)
    code, _, err = run_cli(capsys, "report", str(folder))
    assert_bad_input(code, err, "summary.json: not a valid run summary", *fragments)


def test_file_listed_but_missing(run_dir, tmp_path, capsys):
    folder = copy_run(run_dir, tmp_path)
    (folder / "agents.csv").unlink()
    code, _, err = run_cli(capsys, "report", str(folder))
    assert_bad_input(code, err, "summary.json lists agents.csv, but the folder does not hold it")


def test_broken_event_line_is_named(run_dir, tmp_path, capsys):
    folder = copy_run(run_dir, tmp_path)
    lines = (folder / "events.jsonl").read_text().splitlines()
    lines[4] = '{"month": 1, "kind": "default"'
    (folder / "events.jsonl").write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(capsys, "report", str(folder))
    assert_bad_input(code, err, f"{folder / 'events.jsonl'}, line 5: not valid JSON")


def test_agents_table_from_another_run_is_refused(run_dir, tmp_path, capsys):
    folder = copy_run(run_dir, tmp_path)
    agents = pd.read_csv(folder / "agents.csv")
    agents.loc[3, "status"] = "bankrupt"
    agents.to_csv(folder / "agents.csv", index=False)
    code, _, err = run_cli(capsys, "report", str(folder))
    assert_bad_input(code, err, "agents.csv", "unknown status 'bankrupt'", "healthy, stressed, breached, defaulted")
    agents = pd.read_csv(run_dir / "agents.csv")
    agents[agents["month"] <= 5].to_csv(folder / "agents.csv", index=False)
    code, _, err = run_cli(capsys, "report", str(folder))
    assert_bad_input(code, err, "holds months 0 to 5", "months 0 to 36", "different runs")


@pytest.mark.parametrize("name", ["report.txt", "summary.json"])
def test_out_must_be_an_html_file(run_dir, tmp_path, capsys, name):
    code, _, err = run_cli(capsys, "report", str(run_dir), "--out", str(tmp_path / name))
    assert_bad_input(code, err, "--out", "must end in .html")
    assert not (tmp_path / name).exists()


def test_out_cannot_be_a_folder_or_unwritable(run_dir, tmp_path, capsys):
    (tmp_path / "x.html").mkdir()
    assert_bad_input(*run_cli(capsys, "report", str(run_dir), "--out", str(tmp_path / "x.html"))[::2], "is a folder")
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run_cli(capsys, "report", str(run_dir), "--out", str(blocker / "r.html"))
    assert_bad_input(code, err, "cannot write", str(blocker / "r.html"))
