"""Distress and default cascades on exposure networks.

* :func:`debtrank` — DebtRank, in the original single-propagation form of
  Battiston et al. (2012) and the linear form of Bardoscia et al. (2015).
* :func:`threshold_cascade` — Furfine-style default cascade with a recovery
  rate.
* :func:`gai_kapadia` — Monte Carlo of the Gai & Kapadia (2010) model of
  contagion on directed Erdős–Rényi networks (the "robust-yet-fragile"
  window), with an exact integer default test.

Conventions
-----------
``exposures[i, j] >= 0`` is node ``i``'s exposure to node ``j``: what ``i``
loses (money, any consistent unit, e.g. US$ billions) if ``j`` defaults with
zero recovery.  Rows are creditors, columns debtors (the transpose of a
liabilities matrix).  The diagonal must be zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np
import scipy.sparse as sp

from ._validation import (
    as_fraction,
    as_generator,
    as_positive_int,
    as_positive_real,
    as_square_matrix,
    as_vector,
    check_choice,
    check_zero_diagonal,
)

__all__ = [
    "DEBTRANK_METHODS",
    "DebtRankResult",
    "GaiKapadiaResult",
    "debtrank",
    "gai_kapadia",
    "gai_kapadia_thresholds",
    "threshold_cascade",
]


# ---------------------------------------------------------------------------
# DebtRank
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class DebtRankResult:
    """Outcome of :func:`debtrank`.

    Attributes
    ----------
    h : numpy.ndarray, shape (n,)
        Final relative equity loss of each node, in [0, 1] (1 = default).
    R : float
        DebtRank: ``sum_i v_i h_i(T) - sum_i v_i h_i(1)``, the weighted
        relative loss caused by propagation, net of the initial shock (``v``
        are the normalised weights; a fraction of total economic value).
    initial : numpy.ndarray, shape (n,)
        The initial shock ``h(1)`` (copy of ``shocked``).
    weights : numpy.ndarray, shape (n,)
        The normalised weights ``v`` used for ``R`` (sum to 1).
    iterations : int
        Number of propagation steps performed.
    method : str
        ``"original"`` or ``"linear"``.
    """

    h: np.ndarray
    R: float
    initial: np.ndarray
    weights: np.ndarray
    iterations: int
    method: str


def _debtrank_original(A, inv_e: np.ndarray, h0: np.ndarray, max_iter: int, tol: float):
    """Battiston et al. (2012): every distressed node propagates exactly once.

    States: undistressed (U), distressed (D), inactive (I).  At each step
    ``h_i <- min(1, h_i + sum_{j in D} W_ij h_j)`` with ``W_ij = min(1,
    exposures[i, j] / equity_i)``; nodes in D become I, undistressed nodes whose
    ``h`` became positive become D.  Ends when no node is in D (at most ``n``
    steps; ``tol`` is unused).
    """
    if sp.issparse(A):
        W = A.copy()  # never modify the caller's matrix
        W.data = np.minimum(W.data * np.repeat(inv_e, np.diff(W.indptr)), 1.0)
    else:
        W = np.minimum(A * inv_e[:, None], 1.0)
    n = h0.size
    h = h0.copy()
    active = h > 0  # state D
    inactive = np.zeros(n, dtype=bool)
    steps = 0
    while active.any() and steps < max_iter:
        steps += 1
        spread = W @ np.where(active, h, 0.0)
        h_new = np.minimum(1.0, h + spread)
        inactive |= active
        active = (h_new > 0) & ~inactive
        h = h_new
    return h, steps


def _debtrank_linear(A, inv_e: np.ndarray, h0: np.ndarray, max_iter: int, tol: float):
    """Bardoscia et al. (2015): ``h(t+1) = min(1, h(t) + Λ (h(t) - h(t-1)))``.

    Every increment of distress is propagated (nodes stay active), with
    ``Λ_ij = exposures[i, j] / equity_i`` and ``h(0) = 0``, ``h(1) = shock``.
    Equivalently (by induction on t), ``h(t+1) = min(1, shock + Λ h(t))``: a
    Picard iteration that increases monotonically to the least fixed point
    ``h* = min(1, shock + Λ h*)``.

    The iteration stops when the largest increment is ``<= tol``.  When it
    contracts slowly (a subcritical network close to criticality), the fixed
    point for the current set ``S`` of saturated nodes (``h = 1``) is computed
    directly: ``(I - Λ_UU) h_U = shock_U + Λ_US 1`` on the unsaturated nodes
    ``U`` by GMRES.  The candidate is accepted only if it is a fixed point of
    the map (residual <= 1e-12), lies in [h(t), 1]; since it is then a fixed
    point above a Picard iterate with the same saturated set, it is the least
    fixed point ``h*``.  Otherwise the Picard iteration simply continues.

    ``Λ v`` is computed as ``inv_e * (A @ v)``, so Λ is never materialised.
    """

    def lam(v):
        return inv_e * (A @ v)

    h = h0.copy()
    dh = h0.copy()
    steps = 0
    prev = np.inf
    tried_at = -1
    while steps < max_iter:
        if not dh.any():
            break
        steps += 1
        h_new = np.minimum(1.0, h + lam(dh))
        dh = h_new - h
        h = h_new
        top = dh.max(initial=0.0)
        if top <= tol:
            break
        rate = top / prev if prev > 0 else 1.0
        prev = top
        if steps >= 8 and rate > 0.6 and steps - tried_at >= 25:
            tried_at = steps
            direct = _linear_fixed_point(lam, h0, h)
            if direct is not None:
                return direct, steps
    return h, steps


def _linear_fixed_point(lam, shock: np.ndarray, h: np.ndarray):
    """Least fixed point for the saturated set of ``h`` (see _debtrank_linear), or None."""
    from scipy.sparse.linalg import LinearOperator, gmres

    U = h < 1.0
    k = int(np.count_nonzero(U))
    if k == 0:
        return None
    sat = np.where(U, 0.0, 1.0)
    b = (shock + lam(sat))[U]
    full = np.zeros(h.size)

    def matvec(y):
        full[U] = y
        return y - lam(full)[U]

    op = LinearOperator((k, k), matvec=matvec, dtype=np.float64)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y, _ = gmres(op, b, x0=h[U], rtol=1e-15, atol=0.0, restart=min(k, 50), maxiter=20)
    if not np.all(np.isfinite(y)) or y.min(initial=0.0) < h[U].min(initial=0.0) - 1e-12:
        return None
    cand = np.where(U, 0.0, 1.0)
    cand[U] = y
    if np.any(cand < h - 1e-12) or cand.max(initial=0.0) > 1.0 + 1e-12:
        return None
    cand = np.clip(cand, h, 1.0)
    if np.max(np.abs(np.minimum(1.0, shock + lam(cand)) - cand), initial=0.0) > 1e-12:
        return None
    return cand


#: Registry of DebtRank propagation rules:
#: name -> f(exposures, 1 / equity, h(1), max_iter, tol) -> (h, steps).
DEBTRANK_METHODS = {
    "original": _debtrank_original,  # Battiston et al. (2012): each distressed node propagates once
    "linear": _debtrank_linear,  # Bardoscia et al. (2015): every increment of distress propagates
}


def debtrank(
    exposures,
    equity,
    shocked,
    weights=None,
    method: str = "original",
    *,
    tol: float = 1e-13,
    max_iter: int = 100_000,
) -> DebtRankResult:
    """DebtRank distress propagation.

    Parameters
    ----------
    exposures : array_like or scipy.sparse matrix, shape (n, n)
        ``exposures[i, j] >= 0``: node ``i``'s exposure to node ``j`` (money,
        e.g. US$ billions); ``i`` loses ``exposures[i, j] * h_j`` when ``j``'s
        relative equity loss is ``h_j``.  Zero diagonal.
    equity : array_like, shape (n,)
        Initial equity (capital) of each node, same unit, strictly positive.
    shocked : array_like, shape (n,)
        Initial relative equity loss ``h(1)`` of each node, in [0, 1]
        (1 = default, 0 = unaffected).
    weights : array_like, shape (n,), optional
        Nonnegative economic weights ``v`` used to aggregate ``R``; they are
        normalised to sum to 1.  Default: *relative economic value* measured
        by total interbank exposure (row sums of ``exposures``, i.e. each
        node's interbank assets) — nodes with no exposures cannot be hit by
        propagation and get weight 0.  If every row sum is zero, equal
        weights are used.
    method : {"original", "linear"}, default "original"
        ``"original"``: Battiston et al. (2012); each distressed node
        propagates its distress once, with impact ``W_ij = min(1,
        exposures[i, j] / equity_i)``.  ``"linear"``: Bardoscia et al. (2015);
        every increment of distress propagates, with ``Λ_ij = exposures[i, j] /
        equity_i``.
    tol : float, default 1e-13
        ``"linear"`` only: stop when the largest increment of ``h`` is
        ``<= tol``.
    max_iter : int, default 100000
        Cap on propagation steps.

    Returns
    -------
    DebtRankResult
        ``h`` (final relative equity losses, in [0, 1]), ``R`` (DebtRank net of
        the initial shock), ``initial``, ``weights`` (normalised), ``iterations``
        and ``method``.

    Raises
    ------
    ValueError
        Bad shapes, negative/NaN entries, non-positive equity, ``shocked``
        outside [0, 1], or an unknown ``method`` (the message lists the
        choices).

    Notes
    -----
    Both variants are vectorised: one sparse (or dense) mat-vec per step.
    The original algorithm ends after at most ``n`` steps; the linear one is a
    monotone Picard iteration, stopped at ``tol``.  For networks without
    cycles in which no node saturates at ``h = 1`` and each node is reached
    at a single step (e.g. a chain) the two variants coincide.

    References
    ----------
    Battiston, S., Puliga, M., Kaushik, R., Tasca, P. and Caldarelli, G.
    (2012). DebtRank: too central to fail? Financial networks, the FED and
    systemic risk. *Scientific Reports* 2, 541.

    Bardoscia, M., Battiston, S., Caccioli, F. and Caldarelli, G. (2015).
    DebtRank: a microscopic foundation for shock propagation. *PLoS ONE*
    10(6), e0130406.
    """
    check_choice(method, DEBTRANK_METHODS, "method")
    A, is_sparse = as_square_matrix(exposures, "exposures")
    n = A.shape[0]
    check_zero_diagonal(A, "exposures", is_sparse)
    E = as_vector(equity, n, "equity")
    if n and E.min() <= 0:
        raise ValueError(
            "equity must be strictly positive (a node with zero equity is already in default: "
            "give it shocked=1 and remove its exposures)"
        )
    h0 = as_vector(shocked, n, "shocked")
    if n and h0.max() > 1:
        raise ValueError(f"shocked must be in [0, 1] (relative equity loss), got max {h0.max():g}")
    if weights is None:
        v = np.asarray(A @ np.ones(n)).ravel()  # interbank assets (row sums)
        if v.sum() <= 0:
            v = np.ones(n)
    else:
        v = as_vector(weights, n, "weights")
        if n and v.sum() <= 0:
            raise ValueError("weights must have a positive sum")
    v = v / v.sum() if n else v
    max_iter = as_positive_int(max_iter, "max_iter")
    tol = as_positive_real(tol, "tol", allow_zero=True)

    inv_e = 1.0 / E
    h, steps = DEBTRANK_METHODS[method](A, inv_e, h0, max_iter, tol)
    R = float(v @ h - v @ h0)
    return DebtRankResult(h=h, R=R, initial=h0.copy(), weights=v, iterations=steps, method=method)


# ---------------------------------------------------------------------------
# Furfine threshold cascade
# ---------------------------------------------------------------------------


def threshold_cascade(exposures, capital, initially_defaulted, recovery=0.0) -> np.ndarray:
    """Furfine-style default cascade.

    Every defaulted debtor ``j`` inflicts a loss ``(1 - recovery_j) *
    exposures[i, j]`` on each creditor ``i``; a node defaults when its total
    loss **strictly exceeds** its capital.  Repeats until no new default.

    Parameters
    ----------
    exposures : array_like or scipy.sparse matrix, shape (n, n)
        ``exposures[i, j] >= 0``: ``i``'s exposure to ``j`` (money, e.g. US$
        billions).  Zero diagonal.
    capital : array_like, shape (n,)
        Loss-absorbing capital of each node (same unit, ``>= 0``).
    initially_defaulted : array_like
        Boolean mask of length ``n``, or an array of node indices, of the
        nodes that default at the start (they stay defaulted).
    recovery : float or array_like of shape (n,), default 0.0
        Recovery rate in [0, 1] on claims on a defaulted node (a scalar, or
        one rate per debtor ``j``).

    Returns
    -------
    numpy.ndarray of bool, shape (n,)
        True for every node in default at the end (including the initial
        ones).

    Notes
    -----
    Each round recomputes every node's loss as one mat-vec,
    ``exposures @ ((1 - recovery) * defaulted)``, so the result does not
    depend on the order in which defaults are discovered; at most ``n``
    rounds.

    References
    ----------
    Furfine, C. H. (2003). Interbank exposures: quantifying the risk of
    contagion. *Journal of Money, Credit and Banking* 35(1), 111–128.

    Upper, C. (2011). Simulation methods to assess the danger of contagion in
    interbank markets. *Journal of Financial Stability* 7(3), 111–125.
    """
    A, is_sparse = as_square_matrix(exposures, "exposures")
    n = A.shape[0]
    check_zero_diagonal(A, "exposures", is_sparse)
    K = as_vector(capital, n, "capital")
    D = _as_node_mask(initially_defaulted, n, "initially_defaulted")
    rec = as_vector(recovery, n, "recovery", allow_scalar=True)
    if n and rec.max() > 1:
        raise ValueError(f"recovery must be in [0, 1], got max {rec.max():g}")
    lgd = 1.0 - rec
    for _ in range(n + 1):
        loss = A @ np.where(D, lgd, 0.0)
        new = D | (loss > K)
        if np.count_nonzero(new) == np.count_nonzero(D):
            break
        D = new
    return D


def _as_node_mask(x, n: int, name: str) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == bool:
        if a.shape != (n,):
            raise ValueError(f"{name} as a boolean mask must have shape ({n},), got {a.shape}")
        return a.copy()
    if a.size == 0:
        return np.zeros(n, dtype=bool)
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} must be a boolean mask or an array of integer node indices")
    a = a.ravel()
    if a.min() < 0 or a.max() >= n:
        raise ValueError(f"{name} has node indices outside [0, {n - 1}]")
    mask = np.zeros(n, dtype=bool)
    mask[a] = True
    return mask


# ---------------------------------------------------------------------------
# Gai & Kapadia (2010)
# ---------------------------------------------------------------------------


def _thresholds(k: np.ndarray, lhs_unit: int, rhs_unit: int) -> np.ndarray:
    if lhs_unit == 0:  # no interbank assets: nobody can lose
        return np.full(k.shape, np.iinfo(np.int64).max, dtype=np.int64)
    return (rhs_unit * k.astype(np.int64)) // lhs_unit + 1  # smallest d with d*lhs > rhs*k


def gai_kapadia_thresholds(in_degree, capital_ratio=0.04, interbank_share=0.20) -> np.ndarray:
    """Number of defaulted debtors that makes a Gai–Kapadia bank default.

    A bank with ``k`` debtors (interbank assets split evenly over them) loses
    ``d * interbank_share / k`` of its assets when ``d`` of them default, and
    defaults when that strictly exceeds ``capital_ratio``.  The smallest such
    ``d`` is ``floor(capital_ratio * k / interbank_share) + 1``, computed here
    in exact integer arithmetic (floats are read as the decimal they print
    as).  Floating point gets ties wrong: with 3% capital, 10% interbank assets
    and 30 debtors, nine defaults cost exactly 3% (no default), but summing
    ``0.1 / 30`` nine times gives ``0.030000000000000002 > 0.03``.

    Parameters
    ----------
    in_degree : array_like of int
        Number of debtors ``k`` of each bank (``>= 0``).
    capital_ratio, interbank_share : float or fractions.Fraction
        As in :func:`gai_kapadia`.

    Returns
    -------
    numpy.ndarray of int64
        The thresholds (a huge number when ``interbank_share`` is 0).
    """
    c = as_fraction(capital_ratio, "capital_ratio")
    s = as_fraction(interbank_share, "interbank_share")
    k = np.asarray(in_degree)
    if not np.issubdtype(k.dtype, np.integer) or (k.size and k.min() < 0):
        raise ValueError("in_degree must hold nonnegative integers")
    return _thresholds(k, s.numerator * c.denominator, c.numerator * s.denominator)


@dataclass(frozen=True, slots=True, eq=False)
class GaiKapadiaResult:
    """Outcome of :func:`gai_kapadia`.

    Attributes
    ----------
    probability : float
        Share of draws in which contagion occurred (at least
        ``contagion_threshold`` of the banks defaulted).
    extent : float
        Mean share of banks defaulted in the draws with contagion (NaN if
        there was none).
    defaulted_share : numpy.ndarray, shape (draws,)
        Share of banks in default at the end of each draw (the initially
        shocked bank included).
    contagion : numpy.ndarray of bool, shape (draws,)
        Whether each draw counts as contagion.
    n, mean_degree, draws
        The parameters of the experiment.
    """

    probability: float
    extent: float
    defaulted_share: np.ndarray
    contagion: np.ndarray
    n: int
    mean_degree: float
    draws: int


def gai_kapadia(
    n: int,
    mean_degree: float,
    capital_ratio=0.04,
    interbank_share=0.20,
    draws: int = 1000,
    rng=0,
    *,
    contagion_threshold=0.05,
) -> GaiKapadiaResult:
    """Probability and extent of contagion in the Gai–Kapadia model.

    Each draw builds a directed Erdős–Rényi network on ``n`` banks (every
    ordered pair ``(i, j)``, ``i != j``, is an interbank loan from ``j`` to
    ``i`` independently with probability ``mean_degree / (n - 1)``), wipes out
    the external assets of one bank chosen uniformly at random, and runs the
    default cascade with zero recovery.

    Balance sheets (Gai & Kapadia 2010, section 3): every bank has the same
    total assets ``A``; a share ``interbank_share`` of them are interbank
    assets, split evenly over the bank's ``k_i`` debtors (its in-links);
    capital is ``capital_ratio * A``.  A bank defaults when its loss
    **strictly exceeds** its capital.  A bank with ``d_i`` defaulted debtors
    loses ``d_i * interbank_share * A / k_i``, so the test is the exact
    integer comparison ``d_i * s_num * c_den > c_num * s_den * k_i`` with
    ``interbank_share = s_num / s_den`` and ``capital_ratio = c_num / c_den``
    (floats are read as the decimal they print as: ``0.04 -> 1/25``).  The
    shocked bank defaults iff ``1 - interbank_share > capital_ratio``.

    Parameters
    ----------
    n : int
        Number of banks (>= 2).
    mean_degree : float
        Mean in- (= out-) degree ``z`` of the network, ``0 <= z <= n - 1``.
    capital_ratio : float or fractions.Fraction, default 0.04
        Capital as a share of total assets.
    interbank_share : float or fractions.Fraction, default 0.20
        Interbank assets as a share of total assets.
    draws : int, default 1000
        Number of independent networks (one shock each).
    rng : int, numpy.random.SeedSequence or numpy.random.Generator, default 0
        Seed or generator; the default makes the function deterministic.
    contagion_threshold : float or Fraction, default 0.05
        A draw counts as contagion when at least this share of the banks
        (the shocked one included) defaults.

    Returns
    -------
    GaiKapadiaResult
        ``probability``, ``extent`` (mean defaulted share given contagion),
        per-draw ``defaulted_share`` and ``contagion``.

    Notes
    -----
    Per draw: the number of links is Binomial(n(n-1), p) and the links are a
    uniform sample of that many ordered pairs (together: exactly G(n, p));
    the cascade is a breadth-first search from the shocked bank that counts
    defaulted debtors per creditor with integer ``bincount``s and compares
    them with the precomputed integer thresholds
    ``t_i = floor(c k_i / s) + 1``.

    References
    ----------
    Gai, P. and Kapadia, S. (2010). Contagion in financial networks.
    *Proceedings of the Royal Society A* 466(2120), 2401–2423.
    """
    n = as_positive_int(n, "n", minimum=2)
    z = as_positive_real(mean_degree, "mean_degree", allow_zero=True)
    if z > n - 1:
        raise ValueError(f"mean_degree must be <= n - 1 = {n - 1}, got {z:g}")
    c = as_fraction(capital_ratio, "capital_ratio")
    s = as_fraction(interbank_share, "interbank_share")
    thr = as_fraction(contagion_threshold, "contagion_threshold")
    draws = as_positive_int(draws, "draws")
    gen = as_generator(rng)

    p = z / (n - 1)
    pairs = n * (n - 1)
    min_defaults = max(1, ceil(thr * n))
    shocked_defaults = (1 - s) > c
    # integer threshold: bank defaults when d * s_num * c_den > c_num * s_den * k
    lhs_unit = s.numerator * c.denominator
    rhs_unit = c.numerator * s.denominator

    counts = np.zeros(draws, dtype=np.int64)
    for d in range(draws):
        m = int(gen.binomial(pairs, p)) if p > 0 else 0
        shock = int(gen.integers(n))
        if not shocked_defaults:
            if m:
                gen.choice(pairs, size=m, replace=False)  # keep the stream aligned
            continue
        if m == 0:
            counts[d] = 1
            continue
        code = np.sort(gen.choice(pairs, size=m, replace=False))
        debtor = code // (n - 1)
        creditor = code % (n - 1)
        creditor += creditor >= debtor
        # in-degree of each creditor = number of debtors it lends to
        k = np.bincount(creditor, minlength=n)
        threshold = _thresholds(k, lhs_unit, rhs_unit)
        # CSR of debtor -> creditors (codes are sorted, hence grouped by debtor)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(debtor, minlength=n), out=indptr[1:])
        hits = np.zeros(n, dtype=np.int64)
        defaulted = np.zeros(n, dtype=bool)
        defaulted[shock] = True
        frontier = np.array([shock])
        count = 1
        while frontier.size:
            starts = indptr[frontier]
            lens = indptr[frontier + 1] - starts
            total = int(lens.sum())
            if total == 0:
                break
            # concatenate creditor ranges of all newly defaulted debtors
            offs = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
            hits += np.bincount(creditor[offs], minlength=n)
            new = (hits >= threshold) & ~defaulted
            frontier = np.flatnonzero(new)
            defaulted[frontier] = True
            count += frontier.size
        counts[d] = count
    shares = counts / n
    contagion = counts >= min_defaults
    prob = float(contagion.mean())
    extent = float(shares[contagion].mean()) if contagion.any() else float("nan")
    return GaiKapadiaResult(
        probability=prob, extent=extent, defaulted_share=shares, contagion=contagion, n=n, mean_degree=z, draws=draws
    )
