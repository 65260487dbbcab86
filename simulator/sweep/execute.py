"""Run many independent model runs, serially, on a local process pool or on a Dask cluster.

This module is the executor every sweep-like front end shares (``run_sweep``, tipping-point
searches). Its API is stable:

* :class:`Task` -- one run: ``(scenario, overrides, months, seed)`` plus its ``run_index`` (the
  position in the caller's table) and whether to keep the monthly time series.
* :class:`RunResult` -- what came back: the run's :func:`~simulator.sweep.measures.measures`, or
  the error it raised, or ``lost=True`` when the worker running it died and retries ran out.
* :func:`run_tasks` -- runs a list of tasks on a backend and returns one result per task, in
  the order of the tasks; ``on_result`` / ``on_batch`` see results as they finish.
* :func:`process_pool` -- a local process pool kept open for several calls of ``run_tasks``
  (``pool=``), for front ends that run in rounds (a tipping-point search): the workers start
  once, and keep their cache of counterfactual runs from one round to the next.

A run's result depends only on its task (scenario, overrides, months and seed): runs share no
state but the per-process cache of counterfactual runs (``simulator.counterfactual``), which
holds runs that are themselves fixed by their configuration and seed. So the results are the
same whatever the backend, the number of workers, the batch size or the order the runs finish.

Runs travel in batches (a run takes ~0.1 s; a Dask task costs ~4 ms, a pool task ~0.03 ms).
Tasks that share a counterfactual (they differ only in the shock levers) are put next to each
other, so the counterfactual is computed once in the process that runs them and reused.
"""

from __future__ import annotations

import math
import os
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from simulator.config import LEVERS, ConfigError
from simulator.counterfactual import SHOCK_LEVERS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "BACKENDS",
    "Backend",
    "ProcessPool",
    "RunResult",
    "Task",
    "default_batch_size",
    "default_workers",
    "process_pool",
    "run_batch",
    "run_task",
    "run_tasks",
]

Backend = Literal["serial", "processes", "dask"]
BACKENDS: tuple[str, ...] = ("serial", "processes", "dask")
"""The backends :func:`run_tasks` knows, in order of set-up cost."""
MAX_POOL_RESTARTS = 3
"""Times a local process pool whose worker died is replaced before the unfinished runs are given up
(as ``lost``, so that ``--resume`` runs them again)."""
DASK_RETRIES = 2
"""Times Dask re-runs a batch whose worker died (on top of the scheduler's own rescheduling)."""
MAX_BATCH = 32
"""Largest batch of runs sent to a worker as one task."""


@dataclass(frozen=True)
class Task:
    """One model run.

    Attributes
    ----------
    scenario : str
        A scenario name from ``configs/`` or a path to a scenario YAML file.
    overrides : mapping of str to value
        Settings of this run: lever names (``simulator.config.LEVERS``, e.g.
        ``gpu_market_depth_bn``) and dotted config paths (``markets.gpu.market_depth_bn``), as
        ``aicontagion run --set`` takes them. Money in US$ bn, time in months, rates per year.
    months : int
        Months to simulate.
    seed : int
        The run's seed (>= 0).
    run_index : int
        Position of the run in the caller's table; results carry it back.
    keep_timeseries : bool
        Also return the monthly model variables (``RunResult.timeseries``).
    """

    scenario: str
    overrides: Mapping[str, Any]
    months: int
    seed: int
    run_index: int = 0
    keep_timeseries: bool = False

    def model_arguments(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """``(dotted overrides, levers)``: the keyword arguments ``ContagionModel`` takes."""
        dotted = {k: v for k, v in self.overrides.items() if "." in k or k not in LEVERS}
        levers = {k: v for k, v in self.overrides.items() if k not in dotted}
        return dotted, levers

    def counterfactual_key(self) -> tuple:
        """What decides this run's counterfactual (all but the shock levers): tasks with equal
        keys share one counterfactual run.
        """
        shared = sorted((k, repr(v)) for k, v in self.overrides.items() if k not in SHOCK_LEVERS)
        return (self.scenario, tuple(shared), self.seed)


@dataclass(frozen=True)
class RunResult:
    """The outcome of one :class:`Task`.

    Attributes
    ----------
    run_index, seed : int
        As in the task.
    measures : dict of str to float, or None
        The run's measures (``simulator.sweep.measures.measures``; US$ bn, months), None if the
        run raised or was lost.
    error : str or None
        ``"ExceptionType: message"`` if the run raised (or why it was lost), else None.
    traceback : str or None
        The formatted traceback of that error.
    seconds : float
        Wall-clock time of the run in its worker, s (including its counterfactual, unless that
        was cached).
    lost : bool
        True if the run never finished because its worker died and retries ran out: not a
        result, to be run again (``--resume``).
    timeseries : pandas.DataFrame or None
        Monthly model variables (``Task.keep_timeseries``), one row per month.
    """

    run_index: int
    seed: int
    measures: dict[str, float] | None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0
    lost: bool = False
    timeseries: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """True if the run finished and was measured."""
        return self.measures is not None


def run_task(task: Task) -> RunResult:
    """Build the model of ``task``, run it for ``task.months`` months and measure it.

    An exception raised by the model (a configuration this combination of settings makes
    invalid, or a bug) is caught and returned as the result's ``error``; Ctrl-C is not caught.
    """
    from simulator.model import ContagionModel
    from simulator.sweep.measures import measures

    started = time.perf_counter()
    try:
        dotted, levers = task.model_arguments()
        model = ContagionModel(task.scenario, rng=task.seed, overrides=dotted or None, **levers)
        model.run_for(task.months)
        row = measures(model)
        series = None
        if task.keep_timeseries:
            from simulator.cli.outputs import model_timeseries

            series = model_timeseries(model)
    except Exception as exc:
        return RunResult(
            run_index=task.run_index,
            seed=task.seed,
            measures=None,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
            seconds=time.perf_counter() - started,
        )
    return RunResult(task.run_index, task.seed, row, seconds=time.perf_counter() - started, timeseries=series)


def run_batch(tasks: Sequence[Task]) -> list[RunResult]:
    """Run ``tasks`` one after the other in this process (the unit a worker receives)."""
    return [run_task(task) for task in tasks]


def default_workers() -> int:
    """The cores this process may use (``os.sched_getaffinity``, else ``os.cpu_count()``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover (not Linux)
        return max(1, os.cpu_count() or 1)


def default_batch_size(runs: int, workers: int) -> int:
    """Runs per batch: about four batches per worker (so the load evens out and an interruption
    loses little), at most ``MAX_BATCH``.
    """
    return max(1, min(MAX_BATCH, math.ceil(runs / (4 * max(1, workers)))))


def run_tasks(
    tasks: Iterable[Task],
    backend: Backend | str = "processes",
    workers: int | None = None,
    address: str | None = None,
    on_result: Callable[[RunResult], None] | None = None,
    on_batch: Callable[[list[RunResult]], None] | None = None,
    batch_size: int | None = None,
    pool: ProcessPool | None = None,
) -> list[RunResult]:
    """Run every task and return one :class:`RunResult` per task, in the order of ``tasks``.

    Parameters
    ----------
    tasks : iterable of Task
        The runs. Their ``run_index`` values should be distinct (they label the results).
    backend : {"serial", "processes", "dask"}
        ``"serial"``: in this process. ``"processes"`` (default): a local process pool of
        ``workers`` processes. ``"dask"``: a Dask distributed cluster, the scheduler at
        ``address`` (``"tcp://host:port"``), or a local cluster of ``workers`` processes when
        ``address`` is None.
    workers : int, optional
        Processes for ``"processes"`` and a local Dask cluster (default: the cores this process
        may use). Ignored by ``"serial"`` and by a running Dask cluster.
    address : str, optional
        The Dask scheduler's address; only with ``backend="dask"``.
    on_result : callable, optional
        Called with each result as it arrives (in the order runs finish, not task order).
    on_batch : callable, optional
        Called with the list of results of each batch as it finishes; a sweep writes one
        results file per batch from here, so a finished batch is never lost.
    batch_size : int, optional
        Runs per worker task (default :func:`default_batch_size` for the pool's processes, or for
        the Dask cluster's worker threads once connected). Results do not depend on it.
    pool : ProcessPool, optional
        A pool kept open by :func:`process_pool`, used instead of starting one (only with
        ``"processes"``; ``workers`` defaults to its size). Results do not depend on it.

    Returns
    -------
    list of RunResult
        In the order of ``tasks``. A run that raised has ``error`` set; a run whose worker died
        until retries ran out has ``lost=True`` (run it again later).

    Raises
    ------
    ConfigError
        For an unknown backend, a bad number of workers or batch size, or an address without the
        Dask backend.
    """
    tasks = list(tasks)
    if backend not in BACKENDS:
        raise ConfigError(f"backend: unknown backend {backend!r}; choose from {list(BACKENDS)}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError(f"workers: expected a whole number >= 1, got {workers!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ConfigError(f"batch_size: expected a whole number >= 1, got {batch_size!r}")
    if address is not None and backend != "dask":
        raise ConfigError(f"address: a scheduler address needs backend='dask', got backend={backend!r}")
    if pool is not None and backend != "processes":
        raise ConfigError(f"pool: a process pool needs backend='processes', got backend={backend!r}")
    if not tasks:
        return []
    n_workers = workers or (pool.workers if pool is not None else default_workers())
    # Runs that share a counterfactual go next to each other, in one batch where possible.
    ordered = sorted(tasks, key=Task.counterfactual_key)

    by_index: dict[int, RunResult] = {}

    def receive(results: list[RunResult]) -> None:
        for result in results:
            by_index[result.run_index] = result
            if on_result is not None:
                on_result(result)
        if on_batch is not None:
            on_batch(results)

    if backend == "dask":  # (batches sized once the cluster's size is known)
        from simulator.sweep.dask_backend import run_on_dask

        run_on_dask(ordered, batch_size, n_workers if workers else None, address, receive)
    else:
        batches = in_batches(
            ordered, batch_size or default_batch_size(len(ordered), 1 if backend == "serial" else n_workers)
        )
        if backend == "serial":
            for batch in batches:
                receive(run_batch(batch))
        else:
            _run_on_pool(batches, n_workers, receive, pool)
    return [by_index[task.run_index] for task in tasks]


def in_batches(tasks: Sequence[Task], size: int) -> list[list[Task]]:
    """``tasks`` cut into consecutive batches of ``size`` (the last one shorter)."""
    return [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]


def lost_results(batch: Sequence[Task], why: str) -> list[RunResult]:
    """Results marking every run of ``batch`` as lost (its worker died), with the reason."""
    return [RunResult(t.run_index, t.seed, None, error=f"lost: {why}", lost=True) for t in batch]


def _pool(workers: int) -> ProcessPoolExecutor:
    """A local process pool of ``workers`` processes.

    When this process runs no other Python thread, the workers are forked from it (``fork``:
    they start at once with the engine already imported; the pool's own threads start after
    them). Otherwise (a progress bar's thread, a notebook kernel, a Dask client) forking could
    copy a lock another thread holds, so the workers fork from a server process that imports the
    engine once (``forkserver``, about a second or two to start). ``spawn`` where neither exists.
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    context: Any
    if "fork" in methods and threading.active_count() == 1:
        context = multiprocessing.get_context("fork")
    elif "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["simulator.sweep.execute", "simulator.model", "simulator.sweep.measures"])
    else:  # pragma: no cover (Windows)
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)


class ProcessPool:
    """A local process pool that outlives one call of :func:`run_tasks` (see :func:`process_pool`).

    Attributes
    ----------
    workers : int
        Its processes.
    executor : concurrent.futures.ProcessPoolExecutor or None
        The pool in use; None until the first run, and again after a worker died (the next
        round starts a new one).
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None

    def get(self) -> ProcessPoolExecutor:
        """The pool, started on first use."""
        if self.executor is None:
            self.executor = _pool(self.workers)
        return self.executor

    def discard(self, wait: bool) -> None:
        """Shut the pool down (a broken one without waiting); the next :meth:`get` starts another."""
        if self.executor is not None:
            self.executor.shutdown(wait=wait, cancel_futures=True)
            self.executor = None


@contextmanager
def process_pool(workers: int | None = None) -> Iterator[ProcessPool]:
    """A local process pool of ``workers`` processes (default: the cores this process may use)
    for several calls of ``run_tasks(..., backend="processes", pool=pool)``, shut down on leaving.

    Starting a pool costs from a few tens of milliseconds (``fork``) to a second or two
    (``forkserver``, when other threads run); a front end that calls ``run_tasks`` in many short
    rounds pays it once, and the workers' cache of counterfactual runs serves every round. The
    results are those of separate pools, or of ``"serial"``: a run depends only on its task.

    Examples
    --------
    >>> tasks = [Task("baseline_2025", {}, 2, seed, run_index=seed) for seed in range(2)]
    >>> with process_pool(2) as pool:                                            # doctest: +SKIP
    ...     first = run_tasks(tasks, backend="processes", pool=pool)
    ...     again = run_tasks(tasks, backend="processes", pool=pool)             # the same workers
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ConfigError(f"workers: expected a whole number >= 1, got {workers!r}")
    kept = ProcessPool(workers or default_workers())
    try:
        yield kept
    finally:
        kept.discard(wait=True)


def _run_on_pool(
    batches: list[list[Task]],
    workers: int,
    receive: Callable[[list[RunResult]], None],
    kept: ProcessPool | None = None,
) -> None:
    """Run ``batches`` on a local process pool (``kept``'s, or one started for this call). A pool
    whose worker died (killed, out of memory) is replaced and the unfinished batches resubmitted,
    at most ``MAX_POOL_RESTARTS`` times; after that they come back as lost.
    """
    pending = list(range(len(batches)))
    restarts = 0
    while pending:
        pool = kept.get() if kept is not None else _pool(min(workers, len(pending)))
        broken = False
        try:
            with warnings.catch_warnings():
                # Forked only when no other Python thread runs (_pool). Python 3.12 warns about any
                # native thread too: numpy's OpenBLAS and Arrow keep thread pools, which re-create
                # themselves in a forked child (at-fork handlers), and the workers use no Arrow.
                warnings.filterwarnings(
                    "ignore", message=".*use of fork\\(\\) may lead to deadlocks", category=DeprecationWarning
                )
                futures: dict[Future, int] = {pool.submit(run_batch, batches[i]): i for i in pending}
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=futures.__getitem__):
                    try:
                        results = future.result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    pending.remove(futures[future])
                    receive(results)
        except BaseException:
            if kept is not None:
                kept.discard(wait=False)
            else:
                pool.shutdown(wait=False, cancel_futures=True)
            raise
        if kept is None:
            pool.shutdown(wait=not broken, cancel_futures=True)
        elif broken:
            kept.discard(wait=False)
        if broken:
            restarts += 1
            if restarts > MAX_POOL_RESTARTS:
                for i in pending:
                    receive(lost_results(batches[i], f"a worker process died {restarts} times"))
                return
