"""The ``aicontagion`` command line: run a scenario, list scenarios, start the app.

::

    aicontagion run [SCENARIO|PATH] --months N --seed S --out DIR [--set key=value ...] [--quiet]
    aicontagion scenarios
    aicontagion app [--host 127.0.0.1] [--port 8765] [--scenario NAME] [--lesson NAME]
    aicontagion report DIR [--out FILE]
    aicontagion sweep SPEC [--workers N] [--backend serial|processes|dask] [--scheduler tcp://host:port]
                           [--out DIR] [--resume]
    aicontagion plot DIR [--measure NAME]
    aicontagion tipping [SCENARIO|PATH] --shock KIND [--target NAME | --outcome EXPR] [--seeds N] ...
    aicontagion discover RESULTS --outcome EXPR [--inputs A,B] ...

``run`` prints a summary (defaults and losses by sector in US$ bn, the first covenant breach,
the peak GPU price fall per generation, final sentiment, the ten most important events) and
writes the outputs listed in :mod:`simulator.cli.outputs` into DIR. ``report`` turns such a
folder into one self-contained HTML page (:mod:`simulator.cli.report`). ``sweep`` and ``plot``
are described in :mod:`simulator.cli.sweeps`; ``tipping`` and ``discover`` (tipping points and
PRIM scenario discovery) in :mod:`simulator.cli.tipping`.

The run's folder is written whole: the files go into a fresh hidden folder beside DIR
(``.DIR.new-<pid>-...``), ``summary.json`` last, and that folder then replaces DIR. DIR may be a
new name, an empty folder or an earlier run's folder (only the files a run writes); anything else
there (a file, a folder with other files or subfolders, the current folder) is refused before the
run starts, so nothing of the user's is ever deleted. Ctrl-C during the simulation stops it and
the finished months are written; Ctrl-C while the files are written stops the writing and keeps
the files written so far. Either way DIR then holds the new run alone, and its ``summary.json``
says ``"complete": false``, the last month written (``months``) and the files there (``files``);
a Ctrl-C before the simulation starts leaves DIR as it was. Exit code 130 in every such case.

Exit codes: 0 success, 1 the app server could not start, 2 bad input (unknown scenario, invalid
config or override, out-of-range option, a folder that is not a run's or holds a broken file; the
message names the field or path and what is allowed),
130 interrupted. This module is a thin front end: no model logic lives here.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

# Only the standard library at the top: the engine (numpy, pandas, Mesa, pydantic) is imported
# inside main(), so that a Ctrl-C while it loads is answered like any other (exit 130, no traceback).

DEFAULT_SCENARIO = "baseline_2025"
DEFAULT_SEED = 42
MAX_MONTHS = 600
EXIT_OK, EXIT_SERVER, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class BadInput(Exception):
    """Something the user typed is not allowed; the message says what and what is."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports errors as BadInput instead of exiting the interpreter."""

    def error(self, message: str) -> NoReturn:
        missing = re.fullmatch(r"argument (\S+): expected one argument", message)
        if missing:  # say what the option takes, as its help does
            for action in self._actions:
                if missing.group(1) in action.option_strings and action.help:
                    message += f": {action.help}"
        raise BadInput(f"{self.prog}: {message}. See '{self.prog} --help'.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "--months -1e3" is a value (rejected by the option's type with the allowed range), not
        # an unknown option: no option of this command starts with a dash and a digit or a dot.
        self._negative_number_matcher = re.compile(r"^-[0-9.]")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


class _Exit(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


# ----------------------------------------------------------------------------- option types


def _whole_number(text: str, field: str, low: int, high: int | None) -> int:
    """``text`` as a whole number written in (ASCII) digits within [low, high], else a clear error.

    Rejects what ``int()`` would let through by accident (``1_0``, non-ASCII digits) as well as
    decimals (``2.5``, ``1.0``), exponents (``1e3``), true/false and numbers out of range.
    """
    allowed = f"a whole number from {low} to {high}" if high is not None else f"a whole number >= {low}"
    shown = text if len(text) <= 40 else text[:37] + "..."
    if not re.fullmatch(r"[+-]?[0-9]{1,40}", text.strip()):
        raise argparse.ArgumentTypeError(f"{field} must be {allowed}, written in digits; got {shown!r}")
    value = int(text.strip())
    if value < low or (high is not None and value > high):
        raise argparse.ArgumentTypeError(f"{field} must be {allowed}, got {value}")
    return value


def _months(text: str) -> int:
    return _whole_number(text, "months", 1, MAX_MONTHS)


def _seed(text: str) -> int:
    return _whole_number(text, "seed", 0, None)


def _port(text: str) -> int:
    return _whole_number(text, "port", 1, 65535)


LANGUAGE_CHOICES: dict[str, str] = {"en": "English", "zh": "Simplified Chinese"}
"""The languages of --lang (those of ``simulator.i18n.LANGUAGES``, repeated here: the parser
imports only the standard library)."""


def _language(text: str) -> str:
    if text not in LANGUAGE_CHOICES:
        choices = ", ".join(f"{code} ({name})" for code, name in LANGUAGE_CHOICES.items())
        raise argparse.ArgumentTypeError(f"must be one of {choices}; got {text!r}")
    return text


def _add_lang(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--lang",
        type=_language,
        default="en",
        metavar="{" + ",".join(LANGUAGE_CHOICES) + "}",
        help=f"language of {what}: en (English, the default) or zh (Simplified Chinese)",
    )


def _folder(text: str) -> Path:
    if not text.strip():
        raise argparse.ArgumentTypeError(f"give a folder name, got {text!r}")
    return Path(text)


# ----------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="aicontagion",
        description="Agent-based simulator of financial contagion in the AI-infrastructure boom.",
        epilog="examples:\n"
        "  aicontagion scenarios\n"
        "  aicontagion run ai_winter --months 36 --seed 1 --out runs/winter\n"
        "  aicontagion run --set gpu_market_depth_bn=40 --set central_bank_enabled=true\n"
        "  aicontagion app --port 8765\n"
        "  aicontagion report runs/winter\n"
        "  aicontagion sweep depreciation_x_depth --workers 2 --out sweeps/phase\n"
        "  aicontagion plot sweeps/phase\n\n"
        "exit codes: 0 ok, 1 app server could not start or sweep runs failed, 2 bad input, 130 interrupted",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser(
        "run", help="run a scenario, print a summary and write its outputs",
        description="Run a scenario month by month, print a summary and write the time series, "
        "events, final deal graph and figures into --out.",
    )  # fmt: skip
    run.add_argument(
        "scenario",
        nargs="?",
        default=None,  # the shipped baseline_2025, whatever the current folder holds
        metavar="SCENARIO|PATH",
        help=f"scenario name from configs/ or a path to a YAML file (default {DEFAULT_SCENARIO})",
    )
    run.add_argument(
        "--months",
        type=_months,
        default=None,
        metavar="N",
        help=f"months to simulate, from 1 to {MAX_MONTHS} (default: the scenario's months)",
    )
    run.add_argument(
        "--seed",
        type=_seed,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"random seed, a whole number >= 0 (default {DEFAULT_SEED})",
    )
    run.add_argument(
        "--out",
        type=_folder,
        default=None,
        metavar="DIR",
        help="output folder (default runs/<scenario>-seed<S>): a new name, an empty folder or an earlier run's "
        "folder, which the run replaces as a whole",
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="change one setting: a dotted config path (markets.gpu.market_depth_bn=40) "
        "or a lever name (gpu_market_depth_bn=40, central_bank_enabled=true); repeatable",
    )
    run.add_argument("--quiet", action="store_true", help="print nothing but errors")
    _add_lang(run, "the printed summary and its event sentences")
    run.set_defaults(handler=cmd_run, parser=run, modules=_RUN_MODULES)

    scenarios = sub.add_parser(
        "scenarios",
        help="list the scenarios in configs/ with one line each",
        description="List the scenarios in configs/ with one line each.",
    )
    scenarios.set_defaults(handler=cmd_scenarios, parser=scenarios, modules=_ENGINE[:1])

    app = sub.add_parser(
        "app",
        help="start the interactive web app",
        description="Start the Solara web app on a local server (Ctrl-C stops it).",
    )
    app.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    app.add_argument("--port", type=_port, default=8765, help="port, from 1 to 65535 (default 8765)")
    app.add_argument(
        "--scenario", default=None, metavar="NAME", help="scenario the app opens with (name from configs/ or a path)"
    )
    app.add_argument(
        "--lesson",
        default=None,
        metavar="NAME",
        help="guided lesson the app opens with (configs/lessons/NAME.yaml; as the page address ?lesson=NAME)",
    )
    _add_lang(app, "the page the browser opens (as the page address ?lang=zh; the page has a switch too)")
    app.set_defaults(handler=cmd_app, parser=app, modules=(*_ENGINE[:1], "simulator.app.server"))

    report = sub.add_parser(
        "report",
        help="turn a run's output folder into one self-contained HTML report",
        description="Write one HTML page from a run's output folder: the scenario and its levers, the "
        "headline measures against the counterfactual, the timeline of important events, the figures and "
        "the deal network month by month (a slider replays the cascade). Figures are embedded: the page "
        "opens in any browser with no network.",
    )
    report.add_argument("folder", type=_folder, metavar="DIR", help="the folder of a run (aicontagion run --out DIR)")
    report.add_argument(
        "--out",
        type=_folder,
        default=None,
        metavar="FILE",
        help="the HTML file to write, ending in .html (default DIR/report.html, which a later run into DIR replaces)",
    )
    _add_lang(report, "the report's labels and event sentences")
    report.set_defaults(handler=cmd_report, parser=report, modules=_REPORT_MODULES)

    from simulator.cli.sweeps import add_commands
    from simulator.cli.tipping import add_parsers as add_tipping_parsers  # (standard library only, like this module)

    add_commands(sub, _Parser, _folder, _whole_number)
    add_tipping_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``aicontagion`` console script; returns the exit code.

    Everything, including the import of the engine, runs inside one handler of Ctrl-C.
    """
    try:
        try:
            return _main(argv)
        except KeyboardInterrupt:
            _error("aicontagion: interrupted")
            return EXIT_INTERRUPTED
        except Exception as exc:
            if not _caused_by_ctrl_c(exc):
                raise
            _error("aicontagion: interrupted")
            return EXIT_INTERRUPTED
    except KeyboardInterrupt:  # a second Ctrl-C while the first was reported
        return EXIT_INTERRUPTED
    finally:
        _forget_caught_ctrl_c()
        if argv is None:  # the process's own command line: it exits next, let no Ctrl-C cut that short
            with suppress(ValueError):  # (not the main thread)
                signal.signal(signal.SIGINT, signal.SIG_IGN)


def _caused_by_ctrl_c(exc: BaseException) -> bool:
    """True if a Ctrl-C caused ``exc`` (e.g. the ImportError of a compiled module whose import it cut)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def _forget_caught_ctrl_c() -> None:
    """Make CPython forget a Ctrl-C that ended an ``exec`` of text, although it was caught.

    CPython sets a flag when code run from text (``exec("...")``, which e.g. ``dataclasses`` does
    while pydantic is imported) ends with KeyboardInterrupt, whoever catches it later; under
    ``python -m`` it then ends the process by SIGINT (exit -2) instead of with our exit code. An
    ``exec`` of text resets the flag when it starts, and this one ends normally.
    """
    exec("pass", {})


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args, unknown = parser.parse_known_args(argv)
        if getattr(args, "handler", None) is None:
            if unknown:
                parser.error(f"unrecognized arguments: {' '.join(unknown)}")
            parser.print_help(sys.stderr)
            return EXIT_BAD_INPUT
        if unknown:  # reported by the command's own parser, like its other errors
            args.parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        _load(args.modules)
        return args.handler(args)
    except _Exit as stop:
        return stop.status
    except BadInput as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT


# The modules each command needs, loaded before it starts. Importing a compiled module (numpy,
# pyarrow, matplotlib's ft2font) that a Ctrl-C cuts short can leave it half made: an ImportError,
# or a crash when Python exits. So they are all loaded at once, with Ctrl-C held back until done.
_ENGINE = ("simulator.config", "simulator.model")
_RUN_MODULES = (
    *_ENGINE, "simulator.snapshot", "simulator.cli.outputs", "matplotlib.pyplot", "matplotlib.backends.backend_agg",
    "PIL.PngImagePlugin", "pyarrow.parquet", "pyarrow.pandas_compat", "pandas.io.parquet", "pandas.io.formats.csvs",
    "rich.console", "rich.table",
)  # fmt: skip


_REPORT_MODULES = ("simulator.cli.report", "simulator.cli.report.page", "matplotlib.backends.backend_agg",
                   "PIL.PngImagePlugin")  # fmt: skip


def _load(modules: tuple[str, ...]) -> None:
    """Import ``modules`` with Ctrl-C held back; answer a Ctrl-C (KeyboardInterrupt) once done."""
    import importlib

    with _CtrlC() as ctrl_c:
        for name in modules:
            importlib.import_module(name)
    if ctrl_c.presses:
        raise KeyboardInterrupt


def _error(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- run


def split_settings(settings: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Split ``--set`` values into dotted config overrides and named levers (``LEVERS``).

    A key without a dot that names a lever (``gpu_market_depth_bn``) is a lever; anything else
    is a dotted config path. Raises ConfigError for text that is not ``key=value``.
    """
    from simulator.config import LEVERS, ConfigError, parse_assignment

    overrides, levers = [], {}
    for text in settings:
        key, value = parse_assignment(text)
        if not key:
            raise ConfigError(f"override {text!r}: the key before '=' is empty")
        if "." not in key and key in LEVERS:
            levers[key] = value
        else:
            overrides.append(f"{key}={text.split('=', 1)[1]}")
    return overrides, levers


def cmd_run(args: argparse.Namespace) -> int:
    from simulator.cli import outputs

    model, scenario = _build_model(args)  # everything the user typed is checked before the run
    months = args.months if args.months is not None else scenario.months
    name = args.scenario or DEFAULT_SCENARIO
    label = Path(name).stem if _is_path(name) else name
    out_dir = args.out if args.out is not None else Path("runs") / f"{label}-seed{args.seed}"
    with _CtrlC() as ctrl_c:
        try:
            target = outputs.check_out_folder(out_dir)
            staging = outputs.staging_folder(target)
        except outputs.OutFolderError as exc:
            raise BadInput(f"aicontagion run: --out: {exc}") from None
        except OSError as exc:
            raise BadInput(
                f"aicontagion run: --out: cannot use {str(out_dir)!r} as the output folder "
                f"({exc.strerror or exc}); give a folder you can write to"
            ) from None
        try:
            return _run_into(staging, target, out_dir, model, scenario, months, args, ctrl_c)
        finally:
            outputs.discard_folder(staging)  # (gone already once the run is in place)


def _run_into(staging: Path, target: Path, out_dir: Path, model, scenario, months: int, args, ctrl_c: _CtrlC) -> int:
    """Simulate, write the outputs into ``staging`` (summary.json last) and move it to ``target``.

    Ctrl-C during the simulation stops it at the end of the month being run (a second Ctrl-C
    at once, the unfinished month discarded); the finished months are written. Ctrl-C while the
    files are written stops the writing once the file at hand is written (Ctrl-C cannot cut into
    matplotlib's or pyarrow's compiled code, which would make an error of it); the files written
    so far are kept. Either way summary.json says ``"complete": false`` and the last month
    written, and the folder replaces the previous run. Ctrl-C while summary.json is written and
    the folder moved is remembered and answered (exit 130) once the move is done, so ``out_dir``
    never holds files of two runs.
    """
    from simulator.cli import outputs

    started = time.perf_counter()
    try:
        stopped = _simulate(model, months, ctrl_c)
    except KeyboardInterrupt as exc:  # (a second Ctrl-C in the middle of a month)
        stopped = exc
        model.discard_unfinished_month()
    if isinstance(stopped, Exception) and ctrl_c.presses:  # compiled code made an error of a Ctrl-C
        stopped = KeyboardInterrupt()
    elapsed = time.perf_counter() - started

    presses = ctrl_c.presses
    summary = outputs.summarise(model)
    summary.update(seed=args.seed, months_requested=months, seconds=round(elapsed, 3),
                   setup=outputs.run_setup(scenario, args.overrides))  # fmt: skip
    cut_short = ctrl_c.presses > presses  # a Ctrl-C (another one) since the simulation ended
    for _, write in [] if cut_short else outputs.output_steps(model, staging, seed=args.seed, lang=args.lang):
        presses = ctrl_c.presses
        try:
            write()
        except KeyboardInterrupt:  # (raised by other means than our handler)
            cut_short = True
        except OSError as exc:
            if isinstance(stopped, Exception):
                raise stopped from None  # the model's error matters more than a failed write
            raise BadInput(f"aicontagion run: --out: cannot write the outputs into {str(out_dir)!r} ({exc})") from None
        except Exception:
            if ctrl_c.presses == presses:
                if isinstance(stopped, Exception):
                    raise stopped from None
                raise
            cut_short = True  # the error came with a Ctrl-C
        if cut_short or ctrl_c.presses > presses:
            cut_short = True
            break

    notes = []
    if stopped is not None:
        cause = ("interrupted (Ctrl-C)" if isinstance(stopped, KeyboardInterrupt)
                 else f"stopped by an error ({type(stopped).__name__})")  # fmt: skip
        notes.append(f"{cause} after {summary['months']} of {months} months; outputs cover the finished months only")
    if cut_short:
        notes.append("interrupted (Ctrl-C) while the outputs were written: only the files listed were written")
    if notes:
        summary["note"] = "; ".join(notes)
    presses = ctrl_c.presses  # from here on, Ctrl-C waits until the folder is in place
    outputs.remove_partial_files(staging)  # (a file cut short by Ctrl-C before it could clean up)
    summary = outputs.finish_summary(summary, staging, complete=stopped is None and not cut_short)
    outputs.write_summary_json(summary, staging / outputs.OUTPUT_FILES["summary_json"])
    try:
        outputs.publish_run(staging, target)
    except outputs.OutFolderError as exc:
        kept = _keep_aside(staging, target)
        raise BadInput(
            f"aicontagion run: --out: {exc}. It changed during the run, so nothing was replaced; "
            f"the new run is in {kept}"
        ) from None
    late = ctrl_c.presses > presses

    files = summary["files"]
    if isinstance(stopped, Exception):  # a bug, not bad input: show the traceback
        _error(f"aicontagion run: {summary['note']}; wrote {len(files)} files to {out_dir}")
        raise stopped
    if not args.quiet and not cut_short and not late:
        print_summary(summary, scenario.description, files, out_dir, lang=args.lang)
    if cut_short:
        when = f"after {summary['months']} of {months} months and again " if stopped is not None else ""
        _error(f"aicontagion run: interrupted (Ctrl-C) {when}while the outputs were written; {out_dir} holds "
               f"the {len(files)} files written up to then, for months 0 to {summary['months']} "
               '(summary.json: "complete": false)')  # fmt: skip
    elif stopped is not None:
        _error(f"aicontagion run: {summary['note']}; wrote {len(files)} files to {out_dir} "
               '(summary.json: "complete": false)')  # fmt: skip
    elif late:
        _error(f"aicontagion run: interrupted (Ctrl-C) after the run was written in full to {out_dir}")
    return EXIT_INTERRUPTED if stopped is not None or cut_short or late else EXIT_OK


def _keep_aside(staging: Path, target: Path) -> Path:
    """Rename a run that could not be moved into place to a visible folder beside it."""
    kept = target.with_name(f"{target.name}.new-{os.getpid()}")
    while os.path.lexists(kept):
        kept = kept.with_name(kept.name + "_")
    os.rename(staging, kept)
    return kept


class _CtrlC:
    """Ctrl-C (SIGINT) during a run: counted always, raised as KeyboardInterrupt only inside
    :meth:`interruptible` blocks (the simulation, the writing of files); elsewhere the caller
    looks at :attr:`presses`. Installed as a context manager (main thread only; elsewhere
    Ctrl-C cannot arrive and nothing is installed).
    """

    def __init__(self) -> None:
        self.presses = 0
        self._raising = False
        self._raise_after = 0
        self._previous: Any = None
        self._installed = False

    def __enter__(self) -> _CtrlC:
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started with Ctrl-C ignored: so be it
            return self
        try:
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        except ValueError:  # not the main thread
            pass
        return self

    def __exit__(self, *exc: object) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous if self._previous is not None else signal.SIG_DFL)

    def _handle(self, signum: int, frame: object) -> None:
        self.presses += 1
        if self._raising and self.presses > self._raise_after:
            raise KeyboardInterrupt

    @contextmanager
    def interruptible(self, after: int = 0) -> Iterator[None]:
        """Inside the block, the Ctrl-C that brings the count of presses above ``after`` raises
        KeyboardInterrupt (``after=1``: the first one is only counted, a second one raises).
        """
        self._raising, self._raise_after = True, after
        try:
            yield
        finally:
            self._raising = False


def _build_model(args: argparse.Namespace):
    """Load the scenario with the ``--set`` values and build the model; BadInput if invalid."""
    from simulator.config import ConfigError
    from simulator.model import ContagionModel

    scenario = load(args.scenario, args.overrides, "aicontagion run: ")
    try:
        return ContagionModel(scenario, rng=args.seed), scenario
    except (ConfigError, ValueError) as exc:
        raise BadInput(f"aicontagion run: {_block(str(exc))}") from None


def load(name_or_path: str | None, settings: list[str] = [], prefix: str = "aicontagion: "):  # noqa: B006
    """Load a scenario (None: the shipped default) with ``--set`` values, for the command line.

    The one error path of bad input: whatever is wrong with the scenario, the files it extends or
    the ``--set`` values (unknown name, a folder, an unreadable file, text that is not UTF-8, bad
    YAML, a field out of range, an override that cannot be applied) raises BadInput with
    ``prefix`` and a message naming the source, the field and what is allowed.
    """
    from simulator.config import CONFIG_DIR, ConfigError, load_scenario

    if name_or_path is None:
        source: str | Path = CONFIG_DIR / f"{DEFAULT_SCENARIO}.yaml"
    elif Path(name_or_path).is_dir():
        raise BadInput(prefix + _folder_message(name_or_path, CONFIG_DIR))
    else:
        source = name_or_path
    shown = str(source)
    try:
        overrides, levers = split_settings(settings)
        return load_scenario(source, overrides=overrides, **levers)
    except ConfigError as exc:
        message = str(exc)
        if message.startswith("unknown scenario") and shown not in message:  # named by a file's extends:
            message = f"{shown}: extends: {message}"
        raise BadInput(prefix + _block(message)) from None
    except UnicodeDecodeError as exc:
        raise BadInput(
            f"{prefix}{shown}: not UTF-8 text ({exc.reason}: byte {exc.object[exc.start : exc.start + 1]!r} at "
            f"position {exc.start}); save the file, and any file it extends, as UTF-8"
        ) from None
    except OSError as exc:
        what = str(exc.filename or shown)
        extended = ", which it extends" if Path(what) != Path(shown) and exc.filename else ""
        raise BadInput(f"{prefix}{shown}: cannot read {what!r}{extended} ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise BadInput(f"{prefix}{shown}: {_block(str(exc))}") from None
    except Exception as exc:  # the config's checks missed something: still the user's input, named
        raise BadInput(prefix + _unexpected(source, settings, exc)) from None


def _folder_message(name: str, config_dir: Path) -> str:
    message = (
        f"{name!r} is a folder, not a scenario file; give a scenario name (see 'aicontagion scenarios') or a .yaml file"
    )
    shipped = config_dir / f"{name}.yaml"
    if "/" not in name and shipped.is_file():  # a folder named like a scenario in the current folder
        message += f"; the scenario {name!r} that ships with aicontagion is {shipped}"
    return message


def _unexpected(source: str | Path, settings: list[str], exc: Exception) -> str:
    """Name the ``--set`` value (or else the scenario) that makes loading fail unexpectedly."""
    from simulator.config import load_scenario

    what = f"{type(exc).__name__}: {exc}"
    for setting in settings if _loads(load_scenario, source, []) else []:
        if not _loads(load_scenario, source, [setting]):
            return f"--set {setting}: cannot be applied to {source} ({what})"
    return f"{source}: cannot load this scenario ({what}); check its fields and its 'extends:'"


def _loads(load_scenario, source: str | Path, settings: list[str]) -> bool:
    try:
        overrides, levers = split_settings(settings)
        load_scenario(source, overrides=overrides, **levers)
    except Exception:
        return False
    return True


def _block(message: str) -> str:
    """A message of several lines (one per invalid field) under a heading."""
    return "invalid configuration:\n" + message if "\n" in message else message


def _simulate(model, months: int, ctrl_c: _CtrlC) -> BaseException | None:
    """Step ``model`` for ``months`` months; return what stopped it early (Ctrl-C or an error).

    A Ctrl-C stops the simulation at the end of the month being run (a month takes milliseconds),
    so the outputs never hold half a month; a second Ctrl-C before that month ends interrupts it
    at once (KeyboardInterrupt, raised to the caller, which discards the unfinished month). The
    months finished before the stop stay in the model's data collector and event log.
    """
    try:
        for _ in range(months):
            if ctrl_c.presses:
                return KeyboardInterrupt()
            with ctrl_c.interruptible(after=1):
                model.step()
    except Exception as exc:
        return exc
    return KeyboardInterrupt() if ctrl_c.presses else None


def print_summary(summary: dict, description: str, files: list[str], out_dir: Path, lang: str = "en") -> None:
    """Print the summary of a run as plain-text tables (readable without colour or a TTY), its
    labels, event sentences and the scenario's description in ``lang`` (a description of one's
    own scenario, without a translation, stays as written).
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    from simulator.events import event_sentence
    from simulator.i18n import gettext_for, scenario_description
    from simulator.words import event_kind_label, sector_label

    _ = gettext_for(lang, "app")
    # Chinese has no spaces to wrap at: a long cell folds onto the next line rather than being cut.
    fold: dict[str, Any] = {} if lang == "en" else {"overflow": "fold"}
    console = Console(highlight=False, soft_wrap=False)
    months = summary["months"]
    console.print(_("[bold]{scenario}[/bold]: seed {seed}, {months} months simulated in {seconds:.2f} s").format(
        scenario=summary["scenario"], seed=summary["seed"], months=months, seconds=summary["seconds"]))  # fmt: skip
    if description.strip():
        console.print(scenario_description(description, lang), style="dim")
    if summary.get("note"):
        console.print(_("NOTE: {note}").format(note=summary["note"]), style="bold")

    losses = summary["losses_bn"]
    cf = summary.get("counterfactual")
    title = (_("Defaults and losses by sector, US$ bn (shortfalls against {counterfactual})").format(counterfactual=cf)
             if cf else _("Defaults and losses by sector, US$ bn"))  # fmt: skip
    sectors = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, title_style="bold", pad_edge=False,
                    show_edge=False)  # fmt: skip
    sectors.add_column(_("Sector"), **fold)
    sectors.add_column(_("Defaults"), justify="right", **fold)
    headers = {
        "realised_losses_bn": _("Realised"),
        "unrealised_losses_bn": _("Unrealised"),
        "equity_shortfall_bn": _("Book equity short"),
        "market_value_shortfall_bn": _("Market value short"),
    }
    shown = [m for m in headers if losses.get(m) is not None]
    for measure in shown:
        sectors.add_column(headers[measure], justify="right", **fold)
    counts = summary.get("institutions_by_kind", {})
    of = _("{count} of {total}")
    for kind in counts:
        defaults = summary["defaults_by_kind"].get(kind, 0)
        cells = [_bn(losses[m]["by_sector"].get(kind), lang=lang) for m in shown]
        sectors.add_row(sector_label(kind, lang), of.format(count=defaults, total=counts.get(kind, "?")), *cells)
    sectors.add_section()
    sectors.add_row(_("All"), of.format(count=summary["defaults_total"], total=sum(counts.values()) or "?"),
                    *[_bn(losses[m]["total"], lang=lang) for m in shown], style="bold")  # fmt: skip
    console.print()
    console.print(sectors)
    console.print(
        _(
            "Realised: written off after recoveries, and discounts taken on sales (never decreases). Unrealised: "
            "marks on what is still held (can recover)."
        )
        + (
            _(" Short: below the same seed of {counterfactual}, the same world without this shock.").format(
                counterfactual=cf
            )
            if cf
            else _(" No counterfactual: the baseline is what other scenarios are measured against.")
        ),
        style="dim",
    )
    console.print()

    prices = Table(title=_("GPU secondary-market price, US$ thousand per GPU"), title_justify="left",
                   box=box.SIMPLE_HEAD, title_style="bold", pad_edge=False, show_edge=False)  # fmt: skip
    month_n = _("Month {month}")
    columns = [_("Generation"), month_n.format(month=0), _("Lowest (month)"), month_n.format(month=months),
               _("Peak fall")]  # fmt: skip
    if cf:
        columns += [_("Without the shock, month {month}").format(month=months), _("Most below it (month)")]
    for k, name in enumerate(columns):
        prices.add_column(name, justify="left" if k == 0 else "right", **fold)
    for gen, p in summary["gpu_prices"].items():
        fall = _("n/a") if p["peak_fall_pct"] is None else f"{p['peak_fall_pct']:.1f}%"
        row = [gen, _num(p["start_k_usd"], lang=lang), f"{_num(p['min_k_usd'], lang=lang)} ({p['min_month']})",
               _num(p["end_k_usd"], lang=lang), fall]  # fmt: skip
        if cf:
            gap = p["largest_gap_pct"]
            row += [_num(p["counterfactual_end_k_usd"], lang=lang),
                    _("never") if not gap else f"{gap:.1f}% ({p['largest_gap_month']})"]  # fmt: skip
        prices.add_row(*row)
    console.print(prices)
    console.print()

    firsts = (
        ("first_breach", _("First covenant breach the counterfactual does not have:"), _("First covenant breach:")),
        ("first_default", _("First default the counterfactual does not have:"), _("First default:")),
    )
    for key, versus_label, label in firsts:
        event = summary[key]
        console.print(
            f"[bold]{versus_label if cf else label}[/bold] "
            + (
                _("month {month}: {sentence}").format(month=event["month"], sentence=event_sentence(event, lang))
                if event
                else _("none in {months} months").format(months=months)
            )
        )
    sentiment = summary["sentiment"]
    console.print(_("[bold]Sentiment[/bold] (1 = month 0): {start} at month 0, {end} at month {months}").format(
        start=_num(sentiment["start"], 2, lang), end=_num(sentiment["end"], 2, lang), months=months))  # fmt: skip
    equity = summary["system_equity_bn"]
    console.print(
        _("[bold]System book equity:[/bold] US$ {start} bn at month 0, US$ {end} bn at month {months}").format(
            start=_bn(equity["start"], 0, lang), end=_bn(equity["end"], 0, lang), months=months
        )
        + (
            _(" (US$ {equity} bn in {counterfactual})").format(
                equity=_bn(equity["counterfactual_end"], 0, lang), counterfactual=cf
            )
            if cf
            else ""
        )
    )
    cb = summary.get("central_bank")
    if cb and (cb["enabled"] or cb["lent_bn"] or cb["bought_bn"]):
        console.print(
            _(
                "[bold]Central bank:[/bold] lent US$ {lent} bn, bought US$ {bought} bn, balance sheet US$ {peak} bn "
                "at its peak, losses US$ {losses} bn (realised US$ {realised} bn)"
            ).format(
                lent=_bn(cb["lent_bn"], lang=lang),
                bought=_bn(cb["bought_bn"], lang=lang),
                peak=_bn(cb["balance_sheet_peak_bn"], lang=lang),
                losses=_bn(cb["losses_bn"], lang=lang),
                realised=_bn(cb["realised_losses_bn"], lang=lang),
            )
        )
    by_kind = _(", ").join(f"{n} {event_kind_label(k, lang)}" for k, n in summary["events_by_kind"].items())
    console.print(
        _("[bold]Events:[/bold] {count}").format(count=summary["events_total"])
        + (_(" ({counts})").format(counts=by_kind) if by_kind else "")
    )

    top = summary["top_events"]
    console.print()
    if top:
        events = Table(title=_("The {count} most important events").format(count=len(top)), title_justify="left",
                       box=box.SIMPLE_HEAD, title_style="bold", pad_edge=False, show_edge=False)  # fmt: skip
        events.add_column(_("Month"), justify="right")
        events.add_column(_("Kind"), no_wrap=True)
        events.add_column(_("What happened"), ratio=1, **fold)
        for e in top:
            events.add_row(str(e["month"]), event_kind_label(e["kind"], lang), event_sentence(e, lang))
        console.print(events)
    else:
        console.print(_("[bold]Events:[/bold] nothing happened that the event log records"))
    console.print()

    console.print(_("Wrote {count} files to {folder}: {files}").format(count=len(files), folder=out_dir,
                                                                        files=", ".join(files)))  # fmt: skip


def _bn(value: float | None, digits: int = 1, lang: str = "en") -> str:
    if value is None:
        from simulator.i18n import gettext_for

        _ = gettext_for(lang, "app")
        return _("n/a")
    return f"{value:,.{digits}f}"


def _num(value: float | None, digits: int = 1, lang: str = "en") -> str:
    if value is None:
        from simulator.i18n import gettext_for

        _ = gettext_for(lang, "app")
        return _("n/a")
    return f"{value:.{digits}f}"


def _is_path(text: str) -> bool:
    return text.endswith((".yaml", ".yml")) or "/" in text or Path(text).exists()


# ----------------------------------------------------------------------------- report


def cmd_report(args: argparse.Namespace) -> int:
    from simulator.cli.report import ReportError, write_report

    try:
        path = write_report(args.folder, args.out, lang=args.lang)
    except ReportError as exc:
        raise BadInput(f"aicontagion report: {exc}") from None
    except OSError as exc:
        where = args.out if args.out is not None else args.folder / "report.html"
        raise BadInput(
            f"aicontagion report: cannot write {str(where)!r} ({exc.strerror or exc}); give --out FILE.html "
            "in a folder you can write to"
        ) from None
    print(f"Wrote {path} ({path.stat().st_size / 1e6:.1f} MB): open it in a browser; it needs no network")
    return EXIT_OK


# ----------------------------------------------------------------------------- scenarios


def cmd_scenarios(args: argparse.Namespace) -> int:
    from simulator.config import scenario_names, scenario_summary

    names = scenario_names()
    width = max((len(n) for n in names), default=0)
    for name in names:
        print(f"{name:<{width}}  {scenario_summary(name)}")
    return EXIT_OK


# ----------------------------------------------------------------------------- app


def cmd_app(args: argparse.Namespace) -> int:
    from simulator.app.server import serve

    if args.scenario is not None:
        load(args.scenario, prefix="aicontagion app: --scenario: ")
    if args.lesson is not None:
        from simulator.config import ConfigError
        from simulator.lessons import load_lesson

        try:
            load_lesson(args.lesson, lang=args.lang)
        except ConfigError as exc:
            raise BadInput(f"aicontagion app: {exc}") from None
    try:
        return serve(host=args.host, port=args.port, scenario=args.scenario, lesson=args.lesson, lang=args.lang)
    except ValueError as exc:
        raise BadInput(f"aicontagion app: {exc}") from None
    except OSError as exc:
        _error(f"aicontagion app: cannot start the server: {exc}")
        return EXIT_SERVER
