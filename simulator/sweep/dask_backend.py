"""The Dask backend of :func:`simulator.sweep.execute.run_tasks`: batches of runs as Dask tasks.

Connects to a running scheduler (``address="tcp://host:port"``; its workers must be able to
import ``simulator``, i.e. have aicontagion installed or on ``PYTHONPATH``) or starts a local
cluster of worker processes on the loopback interface. A worker that dies while running a batch
makes the scheduler run the batch again elsewhere (``distributed.scheduler.allowed-failures``,
plus ``DASK_RETRIES`` of our own); a batch that still fails comes back as lost, so a resumed
sweep runs it again.

Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_=65536`` in each worker it starts, which made a run
about twice as slow on these machines; the local cluster is started without it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING

from simulator.config import ConfigError
from simulator.sweep.execute import (
    DASK_RETRIES,
    RunResult,
    Task,
    default_batch_size,
    default_workers,
    in_batches,
    lost_results,
    run_batch,
)

if TYPE_CHECKING:  # pragma: no cover
    from distributed import Client

__all__ = ["connect", "run_on_dask"]

CONNECT_TIMEOUT_S = 20
"""Seconds to wait for a scheduler at the given address before giving up."""
NO_MALLOC_TRIM = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def connect(stack: ExitStack, address: str | None, workers: int | None) -> Client:
    """A Dask client, closed with ``stack``: to the scheduler at ``address``, or to a new local
    cluster of ``workers`` single-threaded processes on 127.0.0.1 (default: one per core).
    """
    import dask
    from distributed import Client, LocalCluster

    stack.enter_context(dask.config.set(NO_MALLOC_TRIM))
    if address is None:
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
        )
        return stack.enter_context(Client(cluster))
    if not isinstance(address, str) or "://" not in address:
        raise ConfigError(f"address: expected a Dask scheduler address such as tcp://127.0.0.1:8786, got {address!r}")
    try:
        return stack.enter_context(Client(address, timeout=CONNECT_TIMEOUT_S))
    except OSError as exc:
        raise ConfigError(
            f"address: no Dask scheduler answered at {address} within {CONNECT_TIMEOUT_S} s ({exc}); start one with "
            "'dask scheduler' and workers with 'dask worker ADDRESS', or leave the address out for a local cluster"
        ) from None


def run_on_dask(
    tasks: list[Task],
    batch_size: int | None,
    workers: int | None,
    address: str | None,
    receive: Callable[[list[RunResult]], None],
) -> None:
    """Submit ``tasks`` in batches, each as one Dask task, and hand each batch's results to
    ``receive`` as it finishes (lost batches as lost results). Without ``batch_size``, batches
    are sized for the cluster's worker threads (about four batches each).
    """
    from distributed import as_completed

    with ExitStack() as stack:
        client = connect(stack, address, workers)
        threads = sum(client.nthreads().values()) or 1
        batches = in_batches(tasks, batch_size or default_batch_size(len(tasks), threads))
        futures = {
            client.submit(run_batch, batch, pure=False, retries=DASK_RETRIES): i for i, batch in enumerate(batches)
        }
        try:
            for future in as_completed(list(futures)):
                batch = batches[futures[future]]
                try:
                    results = future.result()
                except Exception as exc:  # KilledWorker and the like: the runs did not finish
                    receive(lost_results(batch, f"{type(exc).__name__}: {exc}"))
                    continue
                receive(results)
        except BaseException:
            client.cancel(list(futures), force=True)
            raise
