"""``aicontagion report DIR``: a run's output folder as one self-contained HTML page.

The page (default ``DIR/report.html``) needs no network and no aicontagion to open: its figures
are embedded (PNGs as ``data:`` URIs, the deal network as inline SVG) and the replay of the
cascade is a few lines of inline script. A student can hand it in; an instructor can project a
cascade with it without running anything (``docs/teaching/run_report.md``).

>>> html = build_report("runs/winter")                      # doctest: +SKIP
>>> write_report("runs/winter")                             # doctest: +SKIP
PosixPath('runs/winter/report.html')

Modules: :mod:`~simulator.cli.report.folder` reads and checks the folder (every problem a
:class:`ReportError` naming the path and what is expected), :mod:`~simulator.cli.report.replay`
draws the network and computes each month's colours and events, :mod:`~simulator.cli.report.page`
writes the HTML, :mod:`~simulator.cli.report.assets` holds its style sheet and script.
"""

from __future__ import annotations

import io
from pathlib import Path

from simulator.cli.report.folder import ReportError, RunFolder, read_run_folder

__all__ = ["DEFAULT_NAME", "ReportError", "RunFolder", "build_report", "read_run_folder", "write_report"]

DEFAULT_NAME = "report.html"


def build_report(folder: str | Path, lang: str = "en") -> str:
    """The report of the run in ``folder`` as one HTML document, its words and event sentences
    in ``lang`` (``en`` or ``zh``: :data:`simulator.i18n.LANGUAGES`; the run's own figures,
    timeseries.png and network.png, are in English); ReportError if the folder is missing, is not
    a run's folder, or holds a broken file. A partial run is reported, and flagged as partial.
    """
    from simulator.cli.report.language import report_language
    from simulator.cli.report.page import build_page

    with report_language(lang):
        run = read_run_folder(folder)
        png, note = _timeseries_figure(run)
        return build_page(run, png, note)


def _timeseries_figure(run: RunFolder) -> tuple[bytes | None, str]:
    """The run's timeseries.png, or one drawn from its timeseries.csv -- if the run stopped
    before writing the picture, or if the report is in another language than English (the
    run's picture may be in either) -- with a note saying which.
    """
    from simulator.cli.report.language import _, current_language

    lang = current_language()
    if run.timeseries_png is not None and (lang == "en" or run.timeseries is None):
        return run.timeseries_png, "(timeseries.png)"
    if run.timeseries is None:
        return None, _("the run wrote neither timeseries.png nor timeseries.csv.")
    from simulator.cli import plots

    drawn_in = plots.figure_language(lang)
    template = _("{scenario}: {months} months") if drawn_in == lang else "{scenario}: {months} months"
    title = template.format(scenario=run.summary.scenario, months=run.summary.months)
    fig = plots.timeseries_panel(run.timeseries, title=title, lang=drawn_in)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, facecolor="white")
    if run.timeseries_png is not None:
        return buffer.getvalue(), _("(drawn by the report from timeseries.csv, in the report's language)")
    return buffer.getvalue(), _(
        "(drawn by the report from timeseries.csv: the run stopped before writing timeseries.png)"
    )


def write_report(folder: str | Path, out: str | Path | None = None, lang: str = "en") -> Path:
    """Write the report of the run in ``folder`` to ``out`` (default ``folder/report.html``),
    in ``lang``, atomically; return the path written. ReportError for a bad folder or an ``out`` that is a
    folder or does not end in ``.html``; OSError if it cannot be written.
    """
    from simulator.cli.outputs import atomic_file

    target = Path(folder) / DEFAULT_NAME if out is None else Path(out)
    if out is not None:
        if target.is_dir():
            raise ReportError(f"--out: {str(out)!r} is a folder; give a file name ending in .html")
        if target.suffix.lower() not in (".html", ".htm"):
            raise ReportError(f"--out: {str(out)!r} must end in .html (the report is one HTML page)")
    text = build_report(folder, lang)
    with atomic_file(target) as handle:
        handle.write(text)
    return target
