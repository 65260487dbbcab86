"""Seeds of a sweep's runs, derived from the spec's ``master_seed`` alone.

A run's seed is a pure function of ``master_seed`` and an index (numpy's ``SeedSequence``
spawning, without drawing the siblings), so it never depends on the backend, the number of
workers, the batch size, the order runs finish or how often the sweep was interrupted.

With common random numbers (the default) the index is the replication: replication ``r`` has
the same seed at every design point, so two points differ by their parameters and not by luck,
and runs that share a counterfactual compute it once. Without, the index is the run's index
and every run has its own seed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["DESIGN_STREAM", "RUN_STREAM", "design_rng", "run_seed"]

RUN_STREAM = 0
"""First spawn key of the runs' seeds."""
DESIGN_STREAM = 1
"""First spawn key of the random numbers of the random and LHS designs."""


def run_seed(master_seed: int, index: int) -> int:
    """The seed (a whole number in [0, 2**63)) of index ``index`` under ``master_seed``: the same
    as ``SeedSequence(master_seed, spawn_key=(RUN_STREAM,)).spawn(index + 1)[index]`` would give.

    Examples
    --------
    >>> run_seed(2025, 0) == run_seed(2025, 0) != run_seed(2025, 1)
    True
    """
    sequence = np.random.SeedSequence(master_seed, spawn_key=(RUN_STREAM, index))
    return int(sequence.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def design_rng(master_seed: int) -> np.random.Generator:
    """The random generator of the random and LHS designs (its own stream of ``master_seed``)."""
    return np.random.default_rng(np.random.SeedSequence(master_seed, spawn_key=(DESIGN_STREAM,)))
