"""The golden baseline: every scenario's results at seed 42, pinned exactly.

For each scenario in ``configs/`` (run over its own ``months``, seed 42) the baseline stores

* the model time series (every DataCollector model column, every month),
* the agent table at the last month (every agent reporter column), and
* the whole event log,

one JSON file per scenario in this folder, one row per line so that a change shows up as a
readable diff. Floats are written with ``repr`` and read back exactly, so the comparison in
``tests/test_golden.py`` is bit-for-bit.

The baseline changes only on purpose: ``make golden`` (``python -m tests.golden``) rewrites it,
and the commit that does so says which results moved and why.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parent
SEED = 42


def _plain(value: Any) -> Any:
    """A JSON-safe, exactly comparable form of one cell (NaN and None both become None)."""
    if value is None:
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str):
        return str(value)  # (an enum member that is a str becomes its plain value)
    return value


def snapshot(name: str) -> dict[str, Any]:
    """Run scenario ``name`` at seed 42 over its own horizon; return what the baseline pins."""
    from simulator import ContagionModel  # (imported here: `make golden` needs only this file)

    model = ContagionModel(name, rng=SEED)
    model.run_for(model.config.months)
    series = model.datacollector.get_model_vars_dataframe()
    agents = model.datacollector.get_agent_vars_dataframe()
    last = agents.xs(agents.index.get_level_values(0).max(), level=0)
    return {
        "scenario": name,
        "seed": SEED,
        "months": model.config.months,
        "timeseries": {
            "columns": [str(c) for c in series.columns],
            "rows": [[_plain(v) for v in row] for row in series.itertuples(index=False, name=None)],
        },
        "agents_last_month": {
            "columns": ["AgentID", *[str(c) for c in last.columns]],
            "rows": [
                [_plain(i), *[_plain(v) for v in row]]
                for i, row in zip(last.index, last.itertuples(index=False, name=None))
            ],
        },
        "events": [
            [
                e.month,
                _plain(e.phase),
                _plain(e.kind),
                _plain(e.actor),
                _plain(e.counterparty),
                _plain(e.amount_bn),
                e.message,
            ]
            for e in model.events
        ],
    }


def dumps(snap: dict[str, Any]) -> str:
    """The snapshot as JSON with one table row or event per line (readable diffs)."""

    def rows(items: list) -> str:
        return "[\n" + ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in items) + "\n  ]"

    ts, ag = snap["timeseries"], snap["agents_last_month"]
    return (
        "{\n"
        f'  "scenario": {json.dumps(snap["scenario"])}, "seed": {snap["seed"]}, "months": {snap["months"]},\n'
        f'  "timeseries_columns": {json.dumps(ts["columns"])},\n'
        f'  "timeseries": {rows(ts["rows"])},\n'
        f'  "agents_columns": {json.dumps(ag["columns"])},\n'
        f'  "agents_last_month": {rows(ag["rows"])},\n'
        f'  "events": {rows(snap["events"])}\n'
        "}\n"
    )


def load(name: str) -> dict[str, Any]:
    """The pinned snapshot of scenario ``name`` (same shape as ``snapshot``)."""
    raw = json.loads((GOLDEN_DIR / f"{name}.json").read_text())
    return {
        "scenario": raw["scenario"],
        "seed": raw["seed"],
        "months": raw["months"],
        "timeseries": {"columns": raw["timeseries_columns"], "rows": raw["timeseries"]},
        "agents_last_month": {"columns": raw["agents_columns"], "rows": raw["agents_last_month"]},
        "events": raw["events"],
    }


def roundtrip(snap: dict[str, Any]) -> dict[str, Any]:
    """``snap`` as it reads back from disk (tuples become lists, and so on)."""
    raw = json.loads(dumps(snap))
    return {
        "scenario": raw["scenario"],
        "seed": raw["seed"],
        "months": raw["months"],
        "timeseries": {"columns": raw["timeseries_columns"], "rows": raw["timeseries"]},
        "agents_last_month": {"columns": raw["agents_columns"], "rows": raw["agents_last_month"]},
        "events": raw["events"],
    }


def differences(expected: dict[str, Any], actual: dict[str, Any], limit: int = 12) -> list[str]:
    """Human-readable differences between two snapshots (empty when identical)."""
    out: list[str] = []
    for key in ("months",):
        if expected[key] != actual[key]:
            out.append(f"{key}: pinned {expected[key]}, now {actual[key]}")
    for table in ("timeseries", "agents_last_month"):
        e, a = expected[table], actual[table]
        if e["columns"] != a["columns"]:
            out.append(f"{table} columns: pinned {e['columns']}, now {a['columns']}")
            continue
        if len(e["rows"]) != len(a["rows"]):
            out.append(f"{table}: pinned {len(e['rows'])} rows, now {len(a['rows'])}")
        for r, (er, ar) in enumerate(zip(e["rows"], a["rows"])):
            for column, ev, av in zip(e["columns"], er, ar):
                if ev != av:
                    out.append(f"{table} row {r} {column}: pinned {ev!r}, now {av!r}")
    e_ev, a_ev = expected["events"], actual["events"]
    if e_ev != a_ev:
        first = next((k for k, (x, y) in enumerate(zip(e_ev, a_ev)) if x != y), min(len(e_ev), len(a_ev)))
        out.append(f"events: pinned {len(e_ev)}, now {len(a_ev)}; first difference at event {first}:")
        out.append(f"    pinned: {e_ev[first] if first < len(e_ev) else '(none)'}")
        out.append(f"    now:    {a_ev[first] if first < len(a_ev) else '(none)'}")
    if len(out) > limit:
        out = [*out[:limit], f"... and {len(out) - limit} more"]
    return out


def write_all(names: list[str] | None = None) -> list[Path]:
    """Rewrite the baseline files (all scenarios unless ``names`` is given)."""
    from simulator import scenario_names

    written = []
    for name in names or scenario_names():
        path = GOLDEN_DIR / f"{name}.json"
        path.write_text(dumps(snapshot(name)))
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    """``python -m tests.golden [--check] [SCENARIO ...]``: rewrite (default) or compare."""
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")] or None
    if not check:
        for path in write_all(names):
            print(f"wrote {path.relative_to(GOLDEN_DIR.parent.parent)}")
        return 0
    from simulator import scenario_names

    failed = 0
    for name in names or scenario_names():
        diffs = differences(load(name), roundtrip(snapshot(name)))
        print(f"{name}: {'identical' if not diffs else 'DIFFERENT'}")
        for line in diffs:
            print("  " + line)
        failed += bool(diffs)
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
