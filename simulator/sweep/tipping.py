"""Tipping points: the smallest shock that makes an outcome happen, and a distance-to-default
table of every institution.

>>> from simulator.sweep import find_tipping_points
>>> report = find_tipping_points("baseline_2025", "gpu_price_fall", seeds=5)   # doctest: +SKIP
>>> report.table()                                                              # doctest: +SKIP

For a kind of shock (``simulator.sweep.shock_sizes``: a GPU price fall, an AI-revenue shortfall,
a rate rise, a named institution's default, a contract cut, ...) and an outcome
(``simulator.sweep.outcomes``: a named institution defaults, at least k defaults, realised losses
above X US$ bn, ...), :func:`find_tipping_points` finds the smallest shock size at which the
outcome happens on at least half of the seeds, by the bracketing search of
``simulator.sweep.bracketing`` (a scan of sizes from 0 to the largest, then bisection), with the
seeds as replications. It reports a bracket ``[lower, upper]``, the share of seeds at every size
it tried, and a 95% Wilson interval on the share at both ends; *already at size 0* and *never
within range* are answers of their own.

Asked for every institution at once (the default), it gives a **distance-to-default table**:
which institutions break first under which shock. This is the reverse stress test of Grigat and
Caccioli (2017), who searched for the smallest exogenous shock that produces a given systemic loss
and ranked 44 European banks by it, carried over to a model with several channels of contagion and
random drivers. Every run of a size serves every institution's search, so the table costs little
more than one search.

The runs go through the sweep executor (``simulator.sweep.execute.run_tasks``: serially, on a
local process pool or on a Dask cluster) and are measured by ``simulator.sweep.measures``, as any
sweep's runs are. The search runs in rounds (the scan, then one bisection step of every
unfinished search at a time), each round one call of ``run_tasks``. A local process pool
(``simulator.sweep.execute.process_pool``) or a local Dask cluster is started once for the whole
search, not once per round, and the pool's workers keep their counterfactual runs from round to
round. A run's result depends only on its scenario, settings, months and seed, and the
sizes tried depend only on earlier results, so the same seeds and configuration give the same
table on any backend and any number of workers.

References
----------
Grigat, D. and Caccioli, F. (2017). Reverse stress testing interbank networks. Scientific
Reports 7, 15616. https://doi.org/10.1038/s41598-017-15036-x
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.config import LEVERS, MAX_MONTHS, ConfigError, Scenario, load_scenario
from simulator.counterfactual import SHOCK_LEVERS
from simulator.sweep.bracketing import TippingPoint, search
from simulator.sweep.outcomes import DEFAULTED_PREFIX, compile_outcome, defaulted_outcome
from simulator.sweep.shock_sizes import SHOCK_SCALES, ShockScale, check_target, shock_scale

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from simulator.sweep.execute import RunResult, Task

__all__ = ["TippingError", "TippingReport", "compare_shocks", "find_tipping_points"]

MAX_SEEDS = 1000
TIPPING_SCHEMA = "aicontagion.tipping/1"
"""The ``schema`` of :meth:`TippingReport.to_dict` (``tipping.json``)."""
DEFAULT_SHOCK_MONTH = 3
"""Month the shock strikes by default: month 3, as in the shipped scenarios."""


class TippingError(RuntimeError):
    """A run of the search failed (it raised, or its worker was lost); the message names it."""


@dataclass(frozen=True)
class TippingReport:
    """What :func:`find_tipping_points` found: one :class:`~simulator.sweep.bracketing.TippingPoint`
    per outcome, and how it was searched.

    Attributes
    ----------
    scenario : str
        The scenario (a name or a path).
    shock : str
        The kind of shock (``simulator.sweep.shock_sizes.SHOCK_SCALES``).
    shock_target : str or None
        What the shock hits (an institution, a contract, a generation), or None.
    shock_month : int
        Month the shock strikes.
    unit, meaning : str
        The unit of the size and what a size means.
    max_size : float
        The largest size searched; sizes run from 0 to it.
    months : int
        Months each run lasts.
    seeds : tuple of int
        The seeds every size is run with.
    labels : tuple of str
        One per point: the institution (a distance-to-default table) or the outcome text.
    kinds : tuple of str
        The kind of each institution (empty strings for outcomes that are not one institution's default).
    points : tuple of TippingPoint
        The answers, in the order of ``labels``.
    runs : int
        Model runs made.
    seconds : float
        Wall-clock time of the search, s.
    settings : dict
        Levers and dotted overrides applied to every run (``--set``).
    """

    scenario: str
    shock: str
    shock_target: str | None
    shock_month: int
    unit: str
    meaning: str
    max_size: float
    months: int
    seeds: tuple[int, ...]
    grid: int
    tolerance: float
    labels: tuple[str, ...]
    kinds: tuple[str, ...]
    points: tuple[TippingPoint, ...]
    runs: int
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def by_institution(self) -> bool:
        """True for a distance-to-default table (every point is one institution's default)."""
        return all(self.kinds)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per point, the tipping points first (smallest upper end first), then those
        already at size 0 ... see :meth:`table` for the columns.
        """
        rows = []
        for label, kind, point in zip(self.labels, self.kinds, self.points):
            low, high = point.at(point.lower), point.at(point.upper)
            row: dict[str, Any] = {"institution": label, "kind": kind} if self.by_institution else {"outcome": label}
            row.update(
                status=point.status,
                lower=point.lower,
                upper=point.upper,
                width=point.width,
                share_at_lower=None if low is None else low.share,
                share_at_upper=None if high is None else high.share,
                share_at_lower_low95=None if low is None else low.interval[0],
                share_at_lower_high95=None if low is None else low.interval[1],
                share_at_upper_low95=None if high is None else high.interval[0],
                share_at_upper_high95=None if high is None else high.interval[1],
                share_at_zero=point.tested[0].share,
                share_at_max=point.tested[-1].share,
                sizes_tested=len(point.tested),
                non_monotone=" ".join(f"{s:g}" for s in point.non_monotone),
            )
            rows.append(row)
        order = {"at_zero": 0, "tips": 1, "never": 2}
        return sorted(
            rows,
            key=lambda r: (order[r["status"]], r["upper"] if r["upper"] is not None else math.inf, r["lower"] or 0.0),
        )

    def table(self) -> pd.DataFrame:
        """The table, one row per outcome (per institution for a distance-to-default table),
        those that tip at the smallest size first, then those that never do.

        Columns: ``institution`` and ``kind`` (or ``outcome``); ``status`` (``tips``, ``at_zero``,
        ``never``); ``lower`` and ``upper``, the bracket (in the shock's unit); ``width``;
        ``share_at_lower`` and ``share_at_upper``, the share of seeds on which the outcome happened
        there, with their 95% Wilson intervals (``*_low95``, ``*_high95``); ``share_at_max``, the
        share at the largest size, and ``share_at_zero``, without the shock (an institution that
        defaults on some seeds anyway is nearer default than its bracket says); ``sizes_tested``; ``non_monotone``, tested sizes that break the
        pattern (space-separated).
        """
        import pandas as pd

        return pd.DataFrame(self.rows())

    def to_dict(self) -> dict[str, Any]:
        """Everything, JSON-ready: the search's settings, the rows of :meth:`table` and, per
        point, every size tested with the number of seeds on which the outcome happened.
        """
        return {
            "schema": TIPPING_SCHEMA,
            "scenario": self.scenario,
            "shock": {
                "kind": self.shock,
                "target": self.shock_target,
                "month": self.shock_month,
                "unit": self.unit,
                "meaning": self.meaning,
                "max_size": self.max_size,
            },
            "months": self.months,
            "seeds": list(self.seeds),
            "grid": self.grid,
            "tolerance": self.tolerance,
            "settings": dict(self.settings),
            "rule": "the outcome happens at a size when it happens on at least half of the seeds",
            "runs": self.runs,
            "seconds": round(self.seconds, 3),
            "rows": self.rows(),
            "tested": {
                label: [{"size": r.size, "happened": r.happened, "seeds": r.seeds} for r in point.tested]
                for label, point in zip(self.labels, self.points)
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TippingReport:
        """The report :meth:`to_dict` wrote (``tipping.json``), for drawing it again
        (``aicontagion plot DIR``). ``seconds`` comes back rounded to the millisecond.

        Raises
        ------
        ConfigError
            If ``data`` is not a tipping report of this schema.
        """
        from simulator.sweep.bracketing import SizeResult

        if not isinstance(data, Mapping) or data.get("schema") != TIPPING_SCHEMA:
            found = data.get("schema") if isinstance(data, Mapping) else type(data).__name__
            raise ConfigError(f"tipping.json: expected a report of schema {TIPPING_SCHEMA!r}, got {found!r}")
        try:
            shock, rows, tested = data["shock"], data["rows"], data["tested"]
            by_label = {row.get("institution", row.get("outcome")): row for row in rows}
            labels = tuple(tested)
            points = []
            for label in labels:
                row = by_label[label]
                results = tuple(
                    SizeResult(float(r["size"]), int(r["happened"]), int(r["seeds"])) for r in tested[label]
                )
                lower, upper = row["lower"], row["upper"]
                odd = tuple(
                    r.size
                    for r in results
                    if (lower is not None and r.size < lower and r.happens)
                    or (upper is not None and r.size > upper and not r.happens)
                )
                points.append(TippingPoint(label, row["status"], lower, upper, float(shock["max_size"]), results, odd))
            return cls(
                scenario=data["scenario"],
                shock=shock["kind"],
                shock_target=shock["target"],
                shock_month=int(shock["month"]),
                unit=shock["unit"],
                meaning=shock["meaning"],
                max_size=float(shock["max_size"]),
                months=int(data["months"]),
                seeds=tuple(int(s) for s in data["seeds"]),
                grid=int(data["grid"]),
                tolerance=float(data["tolerance"]),
                labels=labels,
                kinds=tuple(str(by_label[label].get("kind", "")) for label in labels),
                points=tuple(points),
                runs=int(data["runs"]),
                seconds=float(data["seconds"]),
                settings=dict(data.get("settings") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"tipping.json: not a complete tipping report ({type(exc).__name__}: {exc})") from None


def find_tipping_points(
    scenario: str | Path = "baseline_2025",
    shock: str = "gpu_price_fall",
    *,
    outcome: str | Sequence[str] | None = None,
    targets: str | Sequence[str] | None = None,
    shock_target: str | None = None,
    shock_month: int = DEFAULT_SHOCK_MONTH,
    seeds: int | Sequence[int] = 5,
    months: int | None = None,
    settings: Mapping[str, Any] | None = None,
    grid: int = 4,
    tolerance: float | None = None,
    max_size: float | None = None,
    backend: str = "serial",
    workers: int | None = None,
    address: str | None = None,
    on_round: Callable[[int, int], None] | None = None,
) -> TippingReport:
    """Find the smallest size of a shock at which each outcome happens on at least half the seeds.

    Parameters
    ----------
    scenario : str or Path
        The base scenario (a name from ``configs/`` or a path to a YAML file); its own shocks
        stay, and the searched shock is added to them.
    shock : str
        The kind of shock, from ``simulator.sweep.shock_sizes.SHOCK_SCALES``: ``gpu_price_fall``
        (share of GPU value), ``ai_revenue_shortfall`` (growth per year), ``rate_rise`` (per
        year), ``institution_default`` (the target fails; the size is the loss given default,
        share of book value), ``contract_cut`` (share of payments), ``revenue_loss``,
        ``sentiment_fall``, ``crypto_crash``, ``faster_depreciation``, ``redemption_run`` (a run on
        the target private-credit fund: share of holdings its investors ask back).
    outcome : str or sequence of str, optional
        Outcome expressions (``simulator.sweep.outcomes``), e.g. ``"defaults >= 3"``. Give
        either ``outcome`` or ``targets``.
    targets : "all" or sequence of str, optional
        Institutions: the outcome of each is "it is in default at the end". Default (neither
        given): every institution but the shock's own target, a distance-to-default table.
    shock_target : str, optional
        What the shock hits: an institution (``institution_default``, ``revenue_loss``), a
        contract id or ``"Payer->Payee"`` (``contract_cut``), a GPU generation (default all), a fund
        that issues fund shares (``redemption_run``).
    shock_month : int
        Month the shock strikes, from 1 to ``months`` (default 3).
    seeds : int or sequence of int
        The seeds every size is run with: ``N`` means seeds 0 to N-1 (default 5).
    months : int, optional
        Months each run lasts (default: the scenario's ``months``).
    settings : mapping, optional
        Levers and dotted overrides for every run, as ``aicontagion run --set`` takes them
        (``{"gpu_market_depth_bn": 3.0}``); not the shock levers.
    grid : int
        Intervals of the first scan of sizes (default 4: sizes 0, 1/4, 1/2, 3/4 and 1 of the largest).
    tolerance : float, optional
        The bracket is narrowed to at most this width, in the shock's unit (default 1% of the largest size).
    max_size : float, optional
        Search sizes up to this (default and upper bound: the kind's largest size).
    backend, workers, address
        Where the runs go (``simulator.sweep.execute.run_tasks``): ``"serial"`` (default),
        ``"processes"`` (a local pool of ``workers`` processes started once for the search) or
        ``"dask"`` (``address`` of a scheduler, or a local cluster started once for the search).
    on_round : callable, optional
        Called as ``on_round(runs_done, runs_in_this_round)`` before each round of runs.

    Returns
    -------
    TippingReport
        ``.table()`` is the (distance-to-default) table; ``.to_dict()`` has every size tested.

    Raises
    ------
    ConfigError
        For any invalid argument, naming it and what is allowed (before any run).
    TippingError
        If a run raised or was lost.
    """
    started = time.perf_counter()
    scale = shock_scale(shock)
    settings = _check_settings(settings)
    _check_backend(backend, workers, address)
    dotted = {k: v for k, v in settings.items() if "." in k or k not in LEVERS}
    levers = {k: v for k, v in settings.items() if k not in dotted}
    if not isinstance(scenario, (str, Path)):
        raise ConfigError(f"scenario: expected a scenario name or a path, got {scenario!r} ({type(scenario).__name__})")
    base = load_scenario(scenario, dotted or None, **levers)
    months = base.months if months is None else _whole(months, "months", 1, MAX_MONTHS)
    shock_month = _whole(shock_month, "shock_month", 1, months)
    target = check_target(scale, base, shock_target)
    seed_list = _check_seeds(seeds)
    largest = scale.max_size(base, shock_month)
    if largest <= 0:
        raise ConfigError(f"shock: the {scale.name} shock has no room in this scenario (largest size {largest})")
    if max_size is not None:
        if isinstance(max_size, bool) or not isinstance(max_size, (int, float)) or not 0 < max_size <= largest:
            raise ConfigError(f"max_size: expected a number in (0, {largest}] ({scale.unit}), got {max_size!r}")
        largest = float(max_size)
    if isinstance(grid, bool) or not isinstance(grid, int) or not 1 <= grid <= 100:
        raise ConfigError(f"grid: expected a whole number from 1 to 100, got {grid!r}")
    if tolerance is not None and (
        isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 < tolerance <= largest
    ):
        raise ConfigError(f"tolerance: expected a number in (0, {largest}] ({scale.unit}), got {tolerance!r}")
    tolerance = largest / 100 if tolerance is None else float(tolerance)
    # A file is named by its absolute path: workers (other processes, a Dask cluster) may run elsewhere.
    text = str(scenario)
    named = isinstance(scenario, str) and not any(c in text for c in "/\\") and not text.endswith((".yaml", ".yml"))
    source = text if named else str(Path(text).resolve())

    def task_settings(size: float) -> dict[str, Any]:
        return {**settings, **scale.settings(base, size, target, shock_month)}

    names, absent = _measure_names(source, task_settings(0.0), seed_list[0])
    labels, kinds, compiled = _outcomes(base, scale, target, outcome, targets, names, absent)

    runs_done = 0
    pool = None

    def run_sizes(sizes: Sequence[float]) -> dict[float, dict[str, list[bool]]]:
        nonlocal runs_done
        from simulator.sweep.execute import Task, run_tasks

        tasks = [
            Task(source, task_settings(size), months, seed, run_index=i * len(seed_list) + j)
            for i, size in enumerate(sizes)
            for j, seed in enumerate(seed_list)
        ]
        if on_round is not None:
            on_round(runs_done, len(tasks))
        results = run_tasks(tasks, backend=backend, workers=workers, address=address, pool=pool)
        runs_done += len(tasks)
        found: dict[float, dict[str, list[bool]]] = {}
        for i, size in enumerate(sizes):
            batch = results[i * len(seed_list) : (i + 1) * len(seed_list)]
            observed = [_measures_of(result, tasks[i * len(seed_list) + k]) for k, result in enumerate(batch)]
            found[size] = {label: [test(obs) for obs in observed] for label, test in zip(labels, compiled)}
        return found

    with ExitStack() as stack:
        if backend == "processes":  # one pool for every round, not one per round
            from simulator.sweep.execute import process_pool

            pool = stack.enter_context(process_pool(workers))
        if backend == "dask" and address is None:  # one local cluster for every round, not one per round
            from simulator.sweep.dask_backend import connect

            scheduler = connect(stack, None, workers).scheduler
            assert scheduler is not None, "a connected client has a scheduler"
            address = scheduler.address
        points = search(labels, run_sizes, largest, grid=grid, tolerance=tolerance)
    return TippingReport(
        scenario=source,
        shock=scale.name,
        shock_target=target,
        shock_month=shock_month,
        unit=scale.unit,
        meaning=scale.meaning,
        max_size=largest,
        months=months,
        seeds=tuple(seed_list),
        grid=grid,
        tolerance=tolerance,
        labels=tuple(labels),
        kinds=tuple(kinds),
        points=tuple(points),
        runs=runs_done,
        seconds=time.perf_counter() - started,
        settings=dict(settings),
    )


def compare_shocks(reports: Sequence[TippingReport]) -> pd.DataFrame:
    """Distance-to-default tables of several shocks side by side: which institutions break
    first, under which shock.

    One row per institution (those in any report), ordered by how many of the shocks break it
    within range, then by the mean upper end of its brackets as a share of each shock's range
    (so the nearest to default first), then as in the first report; for each report (labelled by its shock, and its
    target if it has one) the columns ``<label>`` (the bracket as text: ``"0.278-0.286 (10/10)"``
    with the seeds in default at the upper end, ``"at 0 (10/10)"``, ``"never"``, or ``"(the
    shock)"`` for the institution an ``institution_default`` shock fails), ``<label> lower`` and
    ``<label> upper`` (in that shock's unit; empty where it never tips). Each report must be a
    distance-to-default table (``targets``, not ``outcome``).

    Examples
    --------
    >>> reports = [find_tipping_points("baseline_2025", shock, seeds=10) for shock in ("gpu_price_fall", "rate_rise")]  # doctest: +SKIP
    >>> compare_shocks(reports)  # doctest: +SKIP
    """
    import pandas as pd

    if not reports or not all(isinstance(r, TippingReport) and r.by_institution for r in reports):
        raise ConfigError(
            "reports: expected distance-to-default tables (find_tipping_points with targets, not outcome)"
        )
    labels = [f"{r.shock} {r.shock_target}" if r.shock_target else r.shock for r in reports]
    if len(set(labels)) != len(labels):
        raise ConfigError(f"reports: each shock once, got {labels}")
    kinds: dict[str, str] = {}
    cells: dict[str, dict[str, Any]] = {}
    for label, report in zip(labels, reports):
        n = len(report.seeds)
        for row in report.rows():
            name = row["institution"]
            kinds.setdefault(name, row["kind"])
            entry = cells.setdefault(name, {})
            if row["status"] == "tips":
                text = f"{row['lower']:.3g}-{row['upper']:.3g} ({round(row['share_at_upper'] * n)}/{n})"
            elif row["status"] == "at_zero":
                text = f"at 0 ({round(row['share_at_upper'] * n)}/{n})"
            else:
                text = "never"
            entry[label], entry[f"{label} lower"], entry[f"{label} upper"] = text, row["lower"], row["upper"]
        if report.shock == "institution_default" and report.shock_target:
            kinds.setdefault(report.shock_target, "")
            cells.setdefault(report.shock_target, {})[label] = "(the shock)"
    first = [row["institution"] for row in reports[0].rows()]
    order = {name: i for i, name in enumerate(first)}
    largest = dict(zip(labels, (r.max_size for r in reports)))

    def distance(name: str) -> tuple[int, float, int]:
        """(shocks that break it, negated; mean upper end as a share of each shock's range; first report's order)."""
        ends = [cells[name][f"{lab} upper"] / largest[lab] for lab in labels
                if cells[name].get(f"{lab} upper") is not None and not math.isnan(cells[name][f"{lab} upper"])]  # fmt: skip
        return -len(ends), sum(ends) / len(ends) if ends else math.inf, order.get(name, len(order))

    names = sorted(cells, key=distance)
    columns = [*labels, *(f"{lab} {end}" for lab in labels for end in ("lower", "upper"))]
    table = pd.DataFrame([{"institution": n, "kind": kinds[n], **cells[n]} for n in names])
    return table.reindex(columns=["institution", "kind", *columns])


# --------------------------------------------------------------------------- checks
def _whole(value: Any, name: str, low: int, high: int) -> int:
    if isinstance(value, np.integer):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name}: expected a whole number from {low} to {high}, got {value!r}")
    return value


def _check_seeds(seeds: Any) -> list[int]:
    if isinstance(seeds, (int, float, np.integer)) and not isinstance(seeds, bool):
        return list(range(_whole(seeds, "seeds", 1, MAX_SEEDS)))
    if isinstance(seeds, np.ndarray) and seeds.ndim == 1:
        seeds = seeds.tolist()
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise ConfigError(f"seeds: expected a number of seeds (1 to {MAX_SEEDS}) or a list of seeds, got {seeds!r}")
    checked = [_whole(s, "seeds: each seed", 0, 2**63 - 1) for s in seeds]
    if not 1 <= len(checked) <= MAX_SEEDS or len(set(checked)) != len(checked):
        raise ConfigError(f"seeds: expected 1 to {MAX_SEEDS} distinct seeds, got {list(seeds)!r}")
    return checked


def _check_settings(settings: Any) -> dict[str, Any]:
    if settings is None:
        return {}
    if not isinstance(settings, Mapping) or not all(isinstance(k, str) for k in settings):
        raise ConfigError(
            f"settings: expected a mapping of lever names or dotted paths to values, e.g. "
            f"{{'gpu_market_depth_bn': 3.0}}, got {settings!r}"
        )
    taken = sorted(set(settings) & set(SHOCK_LEVERS))
    if taken:
        raise ConfigError(
            f"settings: {taken} are set by the search itself (the shock it moves); choose the shock with "
            f"shock= and shock_target= ({list(SHOCK_SCALES)})"
        )
    return dict(settings)


def _check_backend(backend: Any, workers: Any, address: Any) -> None:
    from simulator.sweep.execute import run_tasks

    run_tasks([], backend=backend, workers=workers, address=address)  # checks the arguments, runs nothing


def _measure_names(source: str, settings: Mapping[str, Any], seed: int) -> tuple[set[str], list[str]]:
    """The measures a run of this search can have, and the figures it may lack as a whole: those
    of a run at size 0 stopped at month 0 (``simulator.sweep.measures``).
    """
    from simulator.model import ContagionModel
    from simulator.sweep.execute import Task
    from simulator.sweep.measures import absent_figures, measures

    dotted, levers = Task(source, settings, 1, seed).model_arguments()
    model = ContagionModel(source, rng=seed, overrides=dotted or None, **levers)
    absent = absent_figures(model)
    return set(measures(model)) | set(absent), absent


def _outcomes(
    base: Scenario,
    scale: ShockScale,
    target: str | None,
    outcome: Any,
    targets: Any,
    names: set[str],
    absent: list[str],
) -> tuple[list[str], list[str], list[Callable[[Mapping[str, Any]], bool]]]:
    """(labels, institution kinds, compiled outcomes) of the search."""
    if outcome is not None and targets is not None:
        raise ConfigError("give either outcome (expressions) or targets (institutions), not both")
    if outcome is not None:
        texts = [outcome] if isinstance(outcome, str) else outcome
        if not isinstance(texts, Sequence) or not texts:
            raise ConfigError(f"outcome: expected an expression or a list of them, got {outcome!r}")
        compiled = [compile_outcome(text, names, absent) for text in texts]
        if len(set(texts)) != len(texts):
            raise ConfigError(f"outcome: each expression once, got {list(texts)}")
        singles = [c.institution for c in compiled]
        if all(singles) and len(set(singles)) == len(singles):  # each one institution's default: distance to default
            labels = [str(name) for name in singles]
            kinds = [str(base.institutions[name].kind) for name in labels]
        else:
            labels, kinds = list(texts), [""] * len(texts)
        return labels, kinds, [c.__call__ for c in compiled]
    if targets is None or targets == "all":
        chosen = [n for n in base.institutions if not (scale.target == "institution" and n == target)]
    elif isinstance(targets, str):
        chosen = [targets]
    elif isinstance(targets, Sequence) and targets:
        chosen = list(targets)
    else:
        raise ConfigError(f"targets: expected 'all' or a list of institutions, got {targets!r}")
    known = sorted(base.institutions)
    for name in chosen:
        if name not in base.institutions:
            raise ConfigError(f"targets: unknown institution {name!r}; choose from {known} or 'all'")
    if len(set(chosen)) != len(chosen):
        raise ConfigError(f"targets: each institution once, got {chosen}")
    missing = [n for n in chosen if DEFAULTED_PREFIX + n not in names]
    if missing:  # (measures name every institution; a scenario's are all there)
        raise ConfigError(f"targets: the runs do not measure the default of {missing}")
    compiled = [compile_outcome(defaulted_outcome(name), names) for name in chosen]
    return chosen, [str(base.institutions[n].kind) for n in chosen], [c.__call__ for c in compiled]


def _measures_of(result: RunResult, task: Task) -> Mapping[str, float]:
    if result.measures is None:
        size = task.overrides.get("shock_size")
        raise TippingError(
            f"the run with seed {task.seed} and shock_size {size} ({dict(task.overrides)}) "
            f"{'was lost' if result.lost else 'failed'}: {result.error}"
        )
    return result.measures
