"""The bracketing search behind tipping points: the smallest shock size at which an outcome
happens on at least half of the seeds.

Seeds are replications: every size is run with the same seeds (common random numbers), and the
outcome "happens at a size" when it happens on at least half of them (``2 * k >= n``). The search
does not assume that this share grows smoothly with the size, only that the first crossing is
what a user asks for:

1. **Scan**: sizes ``0, max/grid, 2 max/grid, ..., max``. If the outcome happens at 0, the answer
   is *already at size 0*; if it happens at no size of the scan, *never within range*. (A crossing
   between two scan points that un-crosses before the next one is missed: a finer ``grid``
   finds it.)
2. **Bisection** between the last scan size where it does not happen and the first where it does,
   halving the bracket until it is at most ``tolerance`` wide.

The answer is the bracket ``[lower, upper]`` (the outcome does not happen at ``lower`` and does at
``upper``), the share of seeds at every size tested, and a Wilson score interval (95%) on the
share at both ends, not a single number. Sizes that break the pattern -- the outcome happens at a
size below ``lower`` or does not at a size above ``upper`` -- are listed as ``non_monotone``.

Many outcomes can be searched together (:func:`search`): sizes are shared, and each size is run
once for every outcome that needs it (one batch per round of the searches). The search is
deterministic: the sizes it tests depend only on what it has seen, never on timing or on the
order in which runs finish.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["tips", "at_zero", "never"]
STATUS_TEXT = {
    "tips": "tips within range",
    "at_zero": "already at size 0",
    "never": "never within range",
}
WILSON_Z = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""


def wilson_interval(happened: int, seeds: int, z: float = WILSON_Z) -> tuple[float, float]:
    """The Wilson score interval for a binomial share ``happened / seeds`` (95% by default).

    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical inference.
    Journal of the American Statistical Association 22(158), 209-212.

    Examples
    --------
    >>> [round(x, 3) for x in wilson_interval(3, 5)]
    [0.231, 0.882]
    """
    if seeds <= 0:
        return 0.0, 1.0
    share = happened / seeds
    z2 = z * z
    centre = (share + z2 / (2 * seeds)) / (1 + z2 / seeds)
    half = z / (1 + z2 / seeds) * math.sqrt(share * (1 - share) / seeds + z2 / (4 * seeds * seeds))
    return max(0.0, round(centre - half, 12)), min(1.0, round(centre + half, 12))


@dataclass(frozen=True)
class SizeResult:
    """The outcome at one shock size: on how many of the seeds it happened."""

    size: float
    happened: int
    seeds: int

    @property
    def share(self) -> float:
        return self.happened / self.seeds

    @property
    def happens(self) -> bool:
        """True if the outcome happened on at least half of the seeds."""
        return 2 * self.happened >= self.seeds

    @property
    def interval(self) -> tuple[float, float]:
        """95% Wilson interval of the share."""
        return wilson_interval(self.happened, self.seeds)


@dataclass(frozen=True)
class TippingPoint:
    """The answer of one search (see the module docstring).

    Attributes
    ----------
    outcome : str
        What was searched for.
    status : "tips", "at_zero" or "never"
        Whether the outcome starts within (0, max_size], already happens at 0, or never happens.
    lower, upper : float or None
        The bracket: the outcome does not happen at ``lower`` and does at ``upper`` (``lower`` is
        None when it happens at 0; ``upper`` is None when it never happens).
    max_size : float
        The largest size searched.
    tested : tuple of SizeResult
        Every size tested, smallest first.
    non_monotone : tuple of float
        Tested sizes where the outcome happens below ``lower`` or does not happen above ``upper``.
    """

    outcome: str
    status: Status
    lower: float | None
    upper: float | None
    max_size: float
    tested: tuple[SizeResult, ...]
    non_monotone: tuple[float, ...] = ()

    def at(self, size: float | None) -> SizeResult | None:
        """The result at a tested ``size`` (None if it was not tested)."""
        return next((r for r in self.tested if r.size == size), None)

    @property
    def width(self) -> float | None:
        """How wide the bracket is (None unless the outcome tips within range)."""
        return None if self.lower is None or self.upper is None else self.upper - self.lower

    @property
    def midpoint(self) -> float | None:
        return None if self.lower is None or self.upper is None else (self.lower + self.upper) / 2


@dataclass
class _Search:
    """One outcome's search, as a state machine: :meth:`wanted` sizes, then :meth:`learn` them."""

    outcome: str
    max_size: float
    grid: int
    tolerance: float
    results: dict[float, SizeResult] = field(default_factory=dict)
    lower: float | None = None
    upper: float | None = None
    done: bool = False
    status: Status = "tips"

    def scan_sizes(self) -> list[float]:
        return [self.max_size * i / self.grid for i in range(self.grid + 1)]

    def wanted(self) -> list[float]:
        """The sizes the search needs next (none once done)."""
        if self.done:
            return []
        if self.lower is None and self.upper is None:
            return [s for s in self.scan_sizes() if s not in self.results]
        assert self.lower is not None and self.upper is not None
        return [(self.lower + self.upper) / 2]

    def learn(self, results: Mapping[float, SizeResult]) -> None:
        """Take the results of the sizes :meth:`wanted` asked for, and move on."""
        for size in self.wanted():
            self.results[size] = results[size]
        if self.lower is None and self.upper is None:
            scan = self.scan_sizes()
            first = next((s for s in scan if self.results[s].happens), None)
            if first is None:
                self.status, self.done = "never", True
            elif first == 0:
                self.status, self.upper, self.done = "at_zero", 0.0, True
            else:
                self.lower, self.upper = scan[scan.index(first) - 1], first
        else:
            assert self.lower is not None and self.upper is not None
            middle = (self.lower + self.upper) / 2
            if self.results[middle].happens:
                self.upper = middle
            else:
                self.lower = middle
        if not self.done and self.upper is not None and self.lower is not None:
            middle = (self.lower + self.upper) / 2
            self.done = self.upper - self.lower <= self.tolerance or not self.lower < middle < self.upper

    def answer(self) -> TippingPoint:
        tested = tuple(self.results[s] for s in sorted(self.results))
        odd = tuple(
            r.size
            for r in tested
            if (self.lower is not None and r.size < self.lower and r.happens)
            or (self.upper is not None and r.size > self.upper and not r.happens)
        )
        return TippingPoint(self.outcome, self.status, self.lower, self.upper, self.max_size, tested, odd)


def search(
    outcomes: Sequence[str],
    run_sizes: Callable[[Sequence[float]], Mapping[float, Mapping[str, Sequence[bool]]]],
    max_size: float,
    grid: int = 4,
    tolerance: float | None = None,
) -> list[TippingPoint]:
    """Search the tipping point of every outcome at once.

    Parameters
    ----------
    outcomes : sequence of str
        Labels of the outcomes (unique).
    run_sizes : callable
        ``run_sizes(sizes)`` runs every size in ``sizes`` on every seed and returns, per size,
        per outcome label, whether the outcome happened on each seed (the same seeds, in the same
        order, at every size).
    max_size : float
        The largest size (> 0); the search covers [0, max_size].
    grid : int
        Intervals of the first scan (at least 1): ``grid + 1`` sizes from 0 to ``max_size``.
    tolerance : float, optional
        The bisection stops once the bracket is at most this wide (default ``max_size / 100``).

    Returns
    -------
    list of TippingPoint, in the order of ``outcomes``.
    """
    if not (isinstance(max_size, (int, float)) and math.isfinite(max_size) and max_size > 0):
        raise ValueError(f"max_size must be a number > 0, got {max_size!r}")
    if isinstance(grid, bool) or not isinstance(grid, int) or not 1 <= grid <= 1000:
        raise ValueError(f"grid must be a whole number from 1 to 1000, got {grid!r}")
    tolerance = max_size / 100 if tolerance is None else tolerance
    if not (isinstance(tolerance, (int, float)) and math.isfinite(tolerance) and 0 < tolerance <= max_size):
        raise ValueError(f"tolerance must be a number in (0, max_size = {max_size}], got {tolerance!r}")
    if len(set(outcomes)) != len(outcomes):
        raise ValueError(f"outcomes must be unique, got {list(outcomes)}")
    searches = {label: _Search(label, float(max_size), grid, float(tolerance)) for label in outcomes}
    seen: dict[float, Mapping[str, Sequence[bool]]] = {}
    while True:
        active = [s for s in searches.values() if not s.done]
        if not active:
            break
        needed = sorted({size for s in active for size in s.wanted()} - set(seen))
        if needed:
            found = run_sizes(needed)
            for size in needed:
                seen[size] = found[size]
        for s in active:
            s.learn({size: _tally(size, seen[size][s.outcome]) for size in s.wanted()})
    return [searches[label].answer() for label in outcomes]


def _tally(size: float, happened: Sequence[bool]) -> SizeResult:
    if not happened:
        raise ValueError(f"no seeds were run at size {size}")
    return SizeResult(size, sum(bool(h) for h in happened), len(happened))
