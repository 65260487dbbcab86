"""``aicontagion sweep`` and ``aicontagion plot``: the command-line front end of ``simulator.sweep``.

::

    aicontagion sweep SPEC [--workers N] [--backend serial|processes|dask] [--scheduler tcp://host:port]
                           [--out DIR] [--resume] [--batch-size N] [--quiet]
    aicontagion plot DIR [--measure NAME]    (a sweep's folder, or one with tipping.json / discovery.json)

``sweep`` checks the spec, runs it with a progress bar (runs done, elapsed time, ETA), writes the
results into DIR as they finish (default ``sweeps/<name>``) and prints where they are and which
runs failed. Ctrl-C keeps every finished run; ``--resume`` completes the rest. Exit codes: 0 every
run finished, 1 some runs failed or were lost (listed; the rest are saved), 2 bad input,
130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_RUNS_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
SHOWN_FAILURES = 10


def add_commands(sub: Any, parser_class: type, folder_type: Any, whole_number: Any) -> None:
    """Add the ``sweep`` and ``plot`` subcommands to the ``aicontagion`` parser."""
    from simulator.cli import BadInput  # noqa: F401  (the errors these commands raise)

    sweep = sub.add_parser(
        "sweep",
        help="run a sweep spec (configs/sweeps/) over parameters and seeds",
        description="Run a sweep spec: every design point times every replication, on a process pool "
        "(default), serially or on a Dask cluster; results are written into --out as they finish.",
    )
    sweep.add_argument("spec", metavar="SPEC", help="a sweep spec YAML file, or the name of one in configs/sweeps/")
    sweep.add_argument(
        "--backend",
        choices=("serial", "processes", "dask"),
        default="processes",
        help="where the runs go: this process, a local process pool (default) or a Dask cluster",
    )
    sweep.add_argument(
        "--workers",
        type=lambda text: whole_number(text, "workers", 1, 1024),
        default=None,
        metavar="N",
        help="processes of the pool or of a local Dask cluster, from 1 to 1024 (default: one per core)",
    )
    sweep.add_argument(
        "--scheduler",
        default=None,
        metavar="tcp://HOST:PORT",
        help="address of a running Dask scheduler (implies --backend dask); without it, dask starts a local cluster",
    )
    sweep.add_argument(
        "--out",
        type=folder_type,
        default=None,
        metavar="DIR",
        help="folder for the results (default sweeps/<spec name>): new or empty, or with --resume an unfinished sweep",
    )
    sweep.add_argument("--resume", action="store_true", help="complete the sweep in --out: run only what is missing")
    sweep.add_argument(
        "--batch-size",
        type=lambda text: whole_number(text, "batch size", 1, 10_000),
        default=None,
        metavar="N",
        help="runs per worker task, from 1 to 10000 (default: about four batches per worker)",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar; print only errors and failures")
    sweep.set_defaults(handler=cmd_sweep, parser=sweep, modules=SWEEP_MODULES)

    plot = sub.add_parser(
        "plot",
        help="draw the figures of a sweep, a tipping-point table or PRIM boxes",
        description="Write into DIR/plots the figures of what DIR holds: PNG figures and a CSV summary of a "
        "finished or partial sweep (aicontagion sweep --out), the tipping-point table as a sorted bar chart "
        "(tipping.json, from aicontagion tipping) and the PRIM boxes (discovery.json, from aicontagion discover).",
    )
    plot.add_argument(
        "folder", type=folder_type, metavar="DIR",
        help="a sweep's folder (aicontagion sweep --out), or a folder with tipping.json or discovery.json",
    )  # fmt: skip
    plot.add_argument(
        "--measure",
        default=None,
        metavar="NAME",
        help="measure of the sweep's figures (a column of the results, e.g. losses_bn.realised_losses_bn.total); "
        "default: the equity shortfall if the runs have a counterfactual, else realised losses",
    )
    plot.set_defaults(handler=cmd_plot, parser=plot, modules=PLOT_MODULES)


SWEEP_MODULES = (
    "simulator.config", "simulator.model", "simulator.sweep", "simulator.sweep.runner", "pyarrow.parquet",
    "pandas.io.parquet", "rich.console", "rich.progress",
)  # fmt: skip
PLOT_MODULES = (
    *SWEEP_MODULES, "simulator.sweep.plots", "simulator.sweep.tipping_plots", "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
)  # fmt: skip


def cmd_sweep(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from simulator.cli import BadInput
    from simulator.config import ConfigError
    from simulator.sweep import SweepFolderError, SweepIncomplete, load_spec, run_sweep

    backend = "dask" if args.scheduler else args.backend
    if args.scheduler and args.backend not in ("dask", "processes"):
        raise BadInput(f"aicontagion sweep: --scheduler needs --backend dask, got --backend {args.backend}")
    try:
        spec = load_spec(args.spec)
    except ConfigError as exc:
        raise BadInput(f"aicontagion sweep: {exc}") from None
    out = args.out if args.out is not None else Path("sweeps") / spec.name
    console = Console(stderr=True, highlight=False, soft_wrap=True)  # (messages stay one line each)
    progress = Progress(
        TextColumn(f"[bold]{spec.name}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        disable=args.quiet,
        auto_refresh=False,  # redrawn at each finished run, so no drawing thread runs while workers are forked
    )
    task_id = progress.add_task("runs", total=None)

    def on_progress(done: int, total: int) -> None:
        if progress.tasks[0].total is None:  # runs done before a resume do not count towards the ETA
            progress.update(task_id, total=total, completed=done)
            progress.reset(task_id, total=total, completed=done)
        progress.update(task_id, completed=done, refresh=True)

    resume_hint = f"aicontagion sweep {args.spec} --out {out} --resume"
    try:
        with progress:
            table = run_sweep(
                spec,
                backend=backend,
                workers=args.workers,
                address=args.scheduler,
                out=out,
                resume=args.resume,
                batch_size=args.batch_size,
                on_progress=on_progress,
            )
    except (ConfigError, SweepFolderError) as exc:
        raise BadInput(f"aicontagion sweep: {exc}") from None
    except SweepIncomplete as exc:
        _print_failures(out, console)
        console.print(f"aicontagion sweep: {exc}; complete it with: {resume_hint}", markup=False)
        return EXIT_RUNS_FAILED
    except KeyboardInterrupt:
        done = _runs_saved(out)
        console.print(
            f"aicontagion sweep: interrupted (Ctrl-C); {done} saved in {out}; complete it with: {resume_hint}",
            markup=False,
        )
        return EXIT_INTERRUPTED
    failed = int(table["error"].notna().sum())
    if not args.quiet:
        print(f"{spec.name}: {len(table)} runs ({failed} failed) of {spec.run_months} months written to {out}")
        print(f"results: {out / 'results.parquet'} (one row per run); figures: aicontagion plot {out}")
    if failed:
        _print_failures(out, console)
        return EXIT_RUNS_FAILED
    return EXIT_OK


def _runs_saved(out: Path) -> str:
    from simulator.sweep import store

    try:
        manifest = store.read_manifest(out)
    except store.SweepFolderError:
        return "no runs"
    return f"{manifest['runs_done']} of {manifest['runs_total']} runs"


def _print_failures(out: Path, console: Any) -> None:
    from simulator.sweep import store

    try:
        failures = store.read_manifest(out)["failures"]
    except store.SweepFolderError:
        return
    if not failures:
        return
    console.print(f"{len(failures)} runs failed (all listed in {out / store.MANIFEST}):", markup=False)
    for failure in failures[:SHOWN_FAILURES]:
        console.print(
            f"  run {failure['run_index']} (seed {failure['seed']}, {failure['parameters']}): {failure['error']}",
            markup=False,
        )
    if len(failures) > SHOWN_FAILURES:
        console.print(f"  ... and {len(failures) - SHOWN_FAILURES} more", markup=False)


def cmd_plot(args: argparse.Namespace) -> int:
    from simulator.cli import BadInput
    from simulator.config import ConfigError
    from simulator.sweep.analysis import AnalysisError
    from simulator.sweep.plots import plot_folder
    from simulator.sweep.store import SweepFolderError

    try:
        written = plot_folder(args.folder, measure=args.measure)
    except (SweepFolderError, AnalysisError, ConfigError) as exc:
        raise BadInput(f"aicontagion plot: {exc}") from None
    for path in written:
        print(path)
    print(f"{len(written)} files written to {Path(args.folder) / 'plots'}", file=sys.stderr)
    return EXIT_OK
