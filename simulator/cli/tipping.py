"""``aicontagion tipping`` and ``aicontagion discover``: the command-line front of
``simulator.sweep.tipping`` (tipping points, a distance-to-default table) and
``simulator.sweep.discovery`` (PRIM boxes in a finished sweep).

::

    aicontagion tipping [SCENARIO|PATH] --shock KIND [--shock-target NAME] [--shock-month M]
                        [--target NAME ... | --outcome EXPR ...] [--seeds N] [--months M]
                        [--grid G] [--tolerance X] [--max-size X] [--set KEY=VALUE ...]
                        [--backend serial|processes|dask] [--workers N] [--scheduler tcp://HOST:PORT]
                        [--out DIR] [--quiet]
    aicontagion discover RESULTS --outcome EXPR [--inputs A,B,...] [--min-coverage C]
                        [--boxes N] [--out DIR] [--quiet]

``tipping`` prints the table and writes ``tipping.csv``, ``tipping.json`` and ``tipping.png`` (a
sorted bar chart of the brackets) into ``--out`` (default ``runs/tipping-<scenario>-<shock>``);
``discover`` prints the boxes and writes ``discovery.csv``, ``discovery.json`` and
``discovery.png`` (the runs and the boxes in the plane of the levers restricted most; default
folder: the results' folder). Files are written
atomically, other files in the folder are left alone. Bad input exits with code 2 and a message
naming the option and what is allowed, before any run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simulator.cli import DEFAULT_SCENARIO, EXIT_OK, MAX_MONTHS, BadInput, _folder, _months, _whole_number

TIPPING_MODULES = (
    "simulator.config", "simulator.model", "simulator.sweep.tipping", "simulator.sweep.execute",
    "simulator.sweep.measures", "simulator.sweep.tipping_plots", "simulator.cli.outputs", "simulator.cli.plots",
    "pandas", "rich.console", "rich.table",
)  # fmt: skip
DISCOVER_MODULES = ("simulator.config", "simulator.sweep.discovery", "simulator.sweep.tipping_plots",
                    "simulator.cli.outputs", "simulator.cli.plots", "pandas", "rich.console", "rich.table")  # fmt: skip
BACKEND_CHOICES = ("serial", "processes", "dask")
OPTION_OF_FIELD = {
    "shock:": "--shock",
    "shock_target": "--shock-target",
    "shock_month": "--shock-month",
    "months": "--months",
    "seeds": "--seeds",
    "grid": "--grid",
    "tolerance": "--tolerance",
    "max_size": "--max-size",
    "targets": "--target",
    "outcome": "--outcome",
    "settings": "--set",
    "backend": "--backend",
    "workers": "--workers",
    "address": "--scheduler",
    "inputs": "--inputs",
    "min_coverage": "--min-coverage",
    "max_boxes": "--boxes",
    "results": "RESULTS",
}
"""The option of the command line that sets each argument of the Python functions."""


def _seeds(text: str) -> int:
    return _whole_number(text, "seeds", 1, 1000)


def _grid(text: str) -> int:
    return _whole_number(text, "grid", 1, 100)


def _workers(text: str) -> int:
    return _whole_number(text, "workers", 1, 1024)


def _boxes(text: str) -> int:
    return _whole_number(text, "boxes", 1, 20)


def _shock_month(text: str) -> int:
    return _whole_number(text, "shock-month", 1, MAX_MONTHS)


def _positive(field: str):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{field} must be a number > 0, got {text!r}") from None
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"{field} must be a finite number > 0, got {text!r}")
        return value

    return parse


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"min-coverage must be a number from 0 to 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"min-coverage must be a number from 0 to 1, got {text!r}")
    return value


def add_parsers(sub: Any) -> None:
    """Add the ``tipping`` and ``discover`` commands to the ``aicontagion`` sub-parsers."""
    shocks = "gpu_price_fall, ai_revenue_shortfall, rate_rise, institution_default, contract_cut, revenue_loss, " \
             "sentiment_fall, crypto_crash, faster_depreciation, redemption_run"  # fmt: skip
    tipping = sub.add_parser(
        "tipping",
        help="find the smallest shock that makes institutions default (a distance-to-default table)",
        description="Find the smallest size of a shock at which an outcome happens on at least half of the seeds, "
        "by a scan and bisection over the size; by default for every institution's default (a distance-to-default "
        "table). Prints the table and writes tipping.csv, tipping.json and tipping.png. See docs/tipping_points.md.",
    )
    tipping.add_argument(
        "scenario", nargs="?", default=None, metavar="SCENARIO|PATH",
        help=f"base scenario: a name from configs/ or a path to a YAML file (default {DEFAULT_SCENARIO})",
    )  # fmt: skip
    tipping.add_argument("--shock", required=True, metavar="KIND", help=f"kind of shock: one of {shocks}")
    tipping.add_argument(
        "--shock-target", default=None, metavar="NAME",
        help="what the shock hits: an institution (institution_default, revenue_loss), a contract id or "
        "'Payer->Payee' (contract_cut), a GPU generation (gpu_price_fall, faster_depreciation; default all), "
        "a fund that issues fund shares (redemption_run)",
    )  # fmt: skip
    tipping.add_argument(
        "--shock-month", type=_shock_month, default=3, metavar="M",
        help="month the shock strikes, from 1 to the run's months (default 3)",
    )  # fmt: skip
    tipping.add_argument(
        "--target", action="append", default=None, metavar="NAME",
        help="an institution whose default is the outcome (repeatable; default: every institution)",
    )  # fmt: skip
    tipping.add_argument(
        "--outcome", action="append", default=None, metavar="EXPR",
        help="an outcome expression instead, e.g. 'defaults >= 3', 'realised_losses_bn > 50', "
        "'defaulted(\"CoreWeave\")' (repeatable)",
    )  # fmt: skip
    tipping.add_argument("--seeds", type=_seeds, default=5, metavar="N",
                         help="seeds per size, from 1 to 1000 (seeds 0 to N-1; default 5)")  # fmt: skip
    tipping.add_argument("--months", type=_months, default=None, metavar="M",
                         help=f"months per run, from 1 to {MAX_MONTHS} (default: the scenario's months)")  # fmt: skip
    tipping.add_argument("--grid", type=_grid, default=4, metavar="G",
                         help="intervals of the first scan of sizes, from 1 to 100 (default 4)")  # fmt: skip
    tipping.add_argument("--tolerance", type=_positive("tolerance"), default=None, metavar="X",
                         help="narrow the bracket to this width, in the shock's unit (default 1%% of the largest size)")  # fmt: skip
    tipping.add_argument("--max-size", type=_positive("max-size"), default=None, metavar="X",
                         help="largest size to search (default and upper bound: the kind's largest)")  # fmt: skip
    tipping.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
        help="change one setting of every run: a dotted config path or a lever name (not the shock levers); repeatable",
    )  # fmt: skip
    tipping.add_argument("--backend", default="serial", metavar="|".join(BACKEND_CHOICES),
                         help="where the runs go: serial (default), processes (a local pool) or dask")  # fmt: skip
    tipping.add_argument("--workers", type=_workers, default=None, metavar="N",
                         help="processes for the processes and local dask backends (default: the cores)")  # fmt: skip
    tipping.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                         help="address of a running Dask scheduler (with --backend dask)")  # fmt: skip
    tipping.add_argument("--out", type=_folder, default=None, metavar="DIR",
                         help="folder for tipping.csv, .json and .png (default runs/tipping-<scenario>-<shock>)")  # fmt: skip
    tipping.add_argument("--quiet", action="store_true", help="print nothing but errors")
    tipping.set_defaults(handler=cmd_tipping, parser=tipping, modules=TIPPING_MODULES)

    discover = sub.add_parser(
        "discover",
        help="find the boxes of lever space where an outcome is most likely in a finished sweep (PRIM)",
        description="Scenario discovery with PRIM on a sweep's results: the boxes of lever space where the outcome "
        "is most likely, with their coverage and density. Prints the boxes and writes discovery.csv, "
        "discovery.json and discovery.png. See docs/tipping_points.md.",
    )
    discover.add_argument("results", metavar="RESULTS",
                          help="a sweep's output folder, or its results file (.parquet or .csv)")  # fmt: skip
    discover.add_argument("--outcome", required=True, metavar="EXPR",
                          help="outcome expression, e.g. 'defaults_by_kind.neocloud >= 1'")  # fmt: skip
    discover.add_argument("--inputs", default=None, metavar="A,B,...",
                          help="levers PRIM may restrict, comma-separated (default: the levers the sweep varied)")  # fmt: skip
    discover.add_argument("--min-coverage", type=_share, default=0.5, metavar="C",
                          help="choose the densest box with at least this coverage, from 0 to 1 (default 0.5)")  # fmt: skip
    discover.add_argument("--boxes", type=_boxes, default=3, metavar="N",
                          help="at most this many boxes, from 1 to 20 (default 3)")  # fmt: skip
    discover.add_argument("--out", type=_folder, default=None, metavar="DIR",
                          help="folder for discovery.csv, .json and .png (default: the results' folder)")  # fmt: skip
    discover.add_argument("--quiet", action="store_true", help="print nothing but errors")
    discover.set_defaults(handler=cmd_discover, parser=discover, modules=DISCOVER_MODULES)


def _bad(command: str, exc: Exception) -> BadInput:
    """BadInput naming the command-line option behind a ConfigError of the Python API."""
    message = str(exc)
    for field, option in OPTION_OF_FIELD.items():
        if message.startswith(field):
            return BadInput(f"aicontagion {command}: {option}: {message}")
    return BadInput(f"aicontagion {command}: {message}")


def _settings(overrides: list[str]) -> dict[str, Any]:
    from simulator.cli import split_settings
    from simulator.config import parse_assignment

    dotted, levers = split_settings(overrides)
    return {**dict(parse_assignment(text) for text in dotted), **levers}


def cmd_tipping(args: argparse.Namespace) -> int:
    from simulator.cli import load
    from simulator.config import ConfigError
    from simulator.sweep.shock_sizes import SHOCK_SCALES
    from simulator.sweep.tipping import find_tipping_points

    if args.shock not in SHOCK_SCALES:
        raise BadInput(f"aicontagion tipping: --shock: unknown kind {args.shock!r}; choose from {list(SHOCK_SCALES)}")
    if args.backend not in BACKEND_CHOICES:
        raise BadInput(
            f"aicontagion tipping: --backend: unknown backend {args.backend!r}; choose from {list(BACKEND_CHOICES)}"
        )
    if args.target == ["all"]:
        args.target = None  # (every institution, the default)
    if args.target and args.outcome:
        raise BadInput(
            "aicontagion tipping: --target and --outcome: give one or the other (institutions, or expressions)"
        )
    if args.scheduler is not None and args.backend != "dask":
        raise BadInput("aicontagion tipping: --scheduler: needs --backend dask")
    from simulator.counterfactual import SHOCK_LEVERS

    taken = [text for text in args.overrides if text.split("=", 1)[0].strip() in SHOCK_LEVERS]
    if taken:
        raise BadInput(
            f"aicontagion tipping: --set {taken[0]}: the shock levers {list(SHOCK_LEVERS)} are set by the search itself; "
            "choose the shock with --shock and --shock-target"
        )
    scenario = load(args.scenario, args.overrides, "aicontagion tipping: ")  # the scenario and --set, checked
    source = args.scenario or DEFAULT_SCENARIO
    label = Path(source).stem if source.endswith((".yaml", ".yml")) or "/" in source else source
    out_dir = args.out if args.out is not None else Path("runs") / f"tipping-{label}-{args.shock}"
    _check_folder(out_dir, "tipping")
    try:
        settings = _settings(args.overrides)
        report = find_tipping_points(
            args.scenario or DEFAULT_SCENARIO,
            args.shock,
            outcome=args.outcome,
            targets=args.target,
            shock_target=args.shock_target,
            shock_month=args.shock_month,
            seeds=args.seeds,
            months=args.months,
            settings=settings,
            grid=args.grid,
            tolerance=args.tolerance,
            max_size=args.max_size,
            backend=args.backend,
            workers=args.workers,
            address=args.scheduler,
            on_round=None if args.quiet else _progress,
        )
    except ConfigError as exc:
        raise _bad("tipping", exc) from None
    from simulator.sweep.tipping_plots import tipping_figure

    files = _write("tipping", out_dir, "tipping", report.table(), report.to_dict(), tipping_figure(report))
    if not args.quiet:
        print_tipping(report, scenario.description, files)
    return EXIT_OK


def _progress(done: int, now: int) -> None:
    import sys

    print(f"aicontagion tipping: {done} runs done, running {now} more", file=sys.stderr, flush=True)


def _check_folder(out_dir: Path, command: str) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise BadInput(f"aicontagion {command}: --out: {out_dir} is a file, not a folder")


def _write(command: str, out_dir: Path, stem: str, table: Any, data: dict, figure: Any) -> list[Path]:
    """Write ``<stem>.csv``, ``<stem>.json`` and ``<stem>.png`` into ``out_dir``, each atomically."""
    import json

    import matplotlib.pyplot as plt

    from simulator.cli import outputs
    from simulator.cli.plots import save_figure

    csv, js, png = out_dir / f"{stem}.csv", out_dir / f"{stem}.json", out_dir / f"{stem}.png"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with outputs.atomic_file(csv) as f:
            table.to_csv(f, index=False)
        with outputs.atomic_file(js) as f:
            json.dump(outputs._jsonable(data), f, indent=2)
            f.write("\n")
        save_figure(figure, png)
    except OSError as exc:
        raise BadInput(
            f"aicontagion {command}: --out: cannot write into {str(out_dir)!r} ({exc.strerror or exc})"
        ) from None
    finally:
        plt.close(figure)
    return [csv, js, png]


def _size(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def print_tipping(report: Any, description: str, files: list[Path]) -> None:
    """Print a :class:`~simulator.sweep.tipping.TippingReport` as a table."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    target = f" on {report.shock_target}" if report.shock_target else ""
    what = "Distance to default" if report.by_institution else "Tipping points"
    title = (
        f"{what}: smallest {report.shock}{target} (month {report.shock_month}; {report.unit}, 0 to "
        f"{report.max_size:g}) at which the outcome happens on at least half of {len(report.seeds)} seeds"
    )
    console.print(f"[bold]{report.scenario}[/bold], {report.months} months: {report.meaning}")
    if description.strip():
        console.print(description.strip(), style="dim")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, title_style="bold", pad_edge=False,
                  show_edge=False)  # fmt: skip
    if report.by_institution:
        table.add_column("Institution")
        table.add_column("Kind")
    else:
        table.add_column("Outcome")
    for name in ("At 0", "Lower", "Upper", "At lower", "At upper (95%)"):
        table.add_column(name, justify="right")
    table.add_column("Note")
    n = len(report.seeds)
    label_key = "institution" if report.by_institution else "outcome"
    never = []
    for row in report.rows():
        label = row[label_key]
        if row["status"] == "never":
            never.append(label)
            continue
        first = [label, row["kind"].replace("_", " ")] if report.by_institution else [label]
        if row["status"] == "tips":
            lower, at_lower = _size(row["lower"]), f"{round(row['share_at_lower'] * n)}/{n}"
        else:
            lower, at_lower = "-", "-"
        at_upper = (f"{round(row['share_at_upper'] * n)}/{n} ({row['share_at_upper_low95']:.0%}-"
                    f"{row['share_at_upper_high95']:.0%})")  # fmt: skip
        note = "already at size 0" if row["status"] == "at_zero" else ""
        if row["non_monotone"]:
            note = (note + "; " if note else "") + f"not monotone at {row['non_monotone']}"
        at_zero = f"{round(row['share_at_zero'] * n)}/{n}"
        table.add_row(*first, at_zero, lower, _size(row["upper"]), at_lower, at_upper, note)
    console.print()
    if table.row_count:
        console.print(table)
    else:
        console.print(f"[bold]{title}[/bold]")
    if never:
        console.print(
            f"[bold]Never within range[/bold] (on fewer than half of the seeds at every size up to "
            f"{report.max_size:g}): {', '.join(never)}"
        )
    anyway = [f"{r[label_key]} {round(r['share_at_zero'] * n)}/{n}" for r in report.rows() if r["share_at_zero"] > 0]
    if anyway:
        console.print(f"[bold]In default without the shock[/bold] on some seeds: {', '.join(anyway)}")
    console.print(
        f"{report.runs} runs in {report.seconds:.1f} s. The outcome happens at the upper end of the bracket on at "
        "least half of the seeds, and at the lower end on fewer (seeds on which it happened, of all; in brackets the "
        "Wilson 95% interval of that share). At 0: without the shock.",
        style="dim",
    )
    console.print(f"Wrote {', '.join(str(f) for f in files)}")


def cmd_discover(args: argparse.Namespace) -> int:
    from simulator.config import ConfigError
    from simulator.sweep.discovery import PrimMissing, discover_scenarios, read_results

    inputs = None
    if args.inputs is not None:
        inputs = [part.strip() for part in args.inputs.split(",") if part.strip()]
        if not inputs:
            raise BadInput("aicontagion discover: --inputs: give column names separated by commas")
    source = Path(args.results)
    out_dir = args.out if args.out is not None else (source if source.is_dir() else source.parent)
    _check_folder(out_dir, "discover")
    try:
        results = read_results(source)
        found = discover_scenarios(results, args.outcome, inputs=inputs, min_coverage=args.min_coverage,
                                   max_boxes=args.boxes)  # fmt: skip
    except ConfigError as exc:
        raise _bad("discover", exc) from None
    except PrimMissing as exc:
        raise BadInput(f"aicontagion discover: {exc}") from None
    from simulator.sweep.tipping_plots import discovery_figure

    figure = discovery_figure(found, results)
    data = {**found.to_dict(), "results": str(source.resolve())}  # (aicontagion plot draws the boxes over them)
    files = _write("discover", out_dir, "discovery", found.table(), data, figure)
    if not args.quiet:
        print_discovery(found, files)
    return EXIT_OK


def print_discovery(found: Any, files: list[Path]) -> None:
    """Print a :class:`~simulator.sweep.discovery.Discovery`."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=False)
    console.print(
        f"[bold]{found.outcome}[/bold]: in {found.runs_with_outcome} of {found.runs} runs "
        f"({found.share_with_outcome:.0%}); PRIM over {', '.join(found.inputs)}"
    )
    table = Table(title="Boxes where the outcome is most likely", title_justify="left", box=box.SIMPLE_HEAD,
                  title_style="bold", pad_edge=False, show_edge=False)  # fmt: skip
    for name, justify in (("Box", "right"), ("Coverage", "right"), ("Density", "right"), ("Runs in box", "right"),
                          ("Limits (quasi-p)", "left")):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for b in found.boxes:
        limits = "; ".join(f"{lim.text()} ({lim.quasi_p:.1e})" for lim in b.limits) or "(none)"
        table.add_row(str(b.number), f"{b.coverage:.0%}", f"{b.density:.0%}", f"{b.runs_with_outcome}/{b.runs}", limits)
    console.print()
    console.print(table)
    if found.note:
        console.print(found.note, style="dim")
    console.print(
        "Coverage: share of the runs with the outcome that are in the box. Density: share of the runs in the box "
        "that have it.",
        style="dim",
    )
    console.print(f"Wrote {', '.join(str(f) for f in files)}")
