"""Exact clearing of interbank obligations: Eisenberg–Noe and Rogers–Veraart.

Both functions return the *greatest* clearing payment vector, computed exactly
(up to the rounding of one linear solve per round) by the fictitious-default
algorithm:

1. start from full payment, ``p = p̄``; the first default set ``D_1`` is the set
   of *fundamental* defaults, the nodes that cannot pay even if everybody else
   pays in full;
2. given the current default set ``D``, solve the linear system in which every
   node outside ``D`` pays in full and every node in ``D`` pays out all it has
   (Eisenberg–Noe) or the recoverable part of it (Rogers–Veraart);
3. add to ``D`` every node that cannot pay in full given those payments and go
   back to 2; stop when a round adds no new default (at most ``n`` rounds).

The default sets only grow and the payments only fall, so the algorithm ends
at the greatest clearing vector (Eisenberg & Noe 2001, section 3; Rogers &
Veraart 2013, Definition 3.6 and Theorem 3.7).

Conventions (shared by both functions)
---------------------------------------
* ``liabilities[i, j] >= 0`` is the nominal amount node ``i`` owes node ``j``
  (money, any consistent unit, e.g. US$ billions); the diagonal must be zero.
* ``p̄_i = sum_j liabilities[i, j]`` is node ``i``'s total interbank
  liability (:attr:`ClearingResult.total_liabilities`); ``Π_ij = L_ij / p̄_i``
  is the relative-liabilities matrix (row ``i`` of ``Π`` is zero when
  ``p̄_i = 0``).
* Payments are pro rata: creditor ``j`` of node ``i`` receives
  ``Π_ij p_i``.  Node ``i``'s interbank receipts are ``x_i = (Πᵀ p)_i``.
* A node is **in default** when it cannot pay in full,
  ``e_i + x_i < p̄_i``.  Nodes that owe nothing (``p̄_i = 0``: an all-zero row)
  never default.  The comparison uses a relative tolerance ``rtol`` (default
  ``1e-10``): a node defaults only if its shortfall exceeds ``rtol * p̄_i``, so
  that rounding noise cannot trigger a (discontinuous) Rogers–Veraart default
  of a node whose equity is exactly zero.
* **Equity** is reported as the balance-sheet net worth *before* any default
  cost, ``equity_i = e_i + x_i - p̄_i``, for every node.  It is ``>= 0`` for
  solvent nodes and ``< 0`` for defaulted nodes.  Under Eisenberg–Noe a
  defaulted node pays out everything, so its equity equals minus its
  shortfall, ``-(p̄_i - p_i)``.  Under Rogers–Veraart a defaulted node pays
  only ``alpha e_i + beta x_i``; its equity is still ``e_i + x_i - p̄_i``
  (owners are wiped out; the creditors' loss is the larger
  :attr:`ClearingResult.shortfall` ``p̄_i - p_i``, the difference being the
  default cost ``(1 - alpha) e_i + (1 - beta) x_i``).  With this single
  formula ``rogers_veraart(L, e, 1, 1)`` returns exactly what
  ``eisenberg_noe(L, e)`` returns.

.. _clearing-solvers:

Solving each round's linear system
----------------------------------
The default-set matrix ``diag(p̄_D) - beta L_DDᵀ`` is a nonsingular M-matrix
(the default set of the greatest clearing vector contains no closed set of
nodes), written below in Jacobi form ``r_D = c + G r_D``, ``G >= 0``.

* Dense input: with ``n <= 64`` one LAPACK ``dgesv`` on the full system
  (identity rows for solvent nodes); above that the defaulted block is
  extracted and solved with LAPACK.
* Sparse input (``scipy.sparse``; kept in CSR, never densified): blocks of up
  to 64 defaulted nodes are solved densely; larger blocks by Jacobi
  iteration warm-started at the previous round's ratios (which lie above the
  solution, so the iterates decrease monotonically), stopped when a geometric
  tail bound guarantees an error below 1e-14 in the ratios; if the
  contraction is slow (a nearly closed defaulted set), by GMRES, and as a
  last resort by SuperLU (:func:`scipy.sparse.linalg.spsolve`).  Sparse LU is
  not the first choice because random-graph blocks suffer catastrophic
  fill-in (seconds for a few thousand defaulted nodes).

The receipts ``x = Lᵀ r`` are updated incrementally between rounds (only the
defaulted nodes' ratios change) and recomputed exactly for the result.

References
----------
Eisenberg, L. and Noe, T. H. (2001). Systemic risk in financial systems.
*Management Science* 47(2), 236–249.

Rogers, L. C. G. and Veraart, L. A. M. (2013). Failure and rescue in an
interbank network. *Management Science* 59(4), 882–898.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.linalg.lapack import dgesv as _dgesv

from ._validation import as_square_matrix, as_unit_interval, as_vector, check_zero_diagonal

__all__ = ["ClearingResult", "eisenberg_noe", "rogers_veraart"]

#: Default relative tolerance of the default test (see module docstring).
DEFAULT_RTOL = 1e-10


@dataclass(frozen=True, slots=True, eq=False)
class ClearingResult:
    """Outcome of a clearing computation.

    Attributes
    ----------
    payments : numpy.ndarray, shape (n,)
        Greatest clearing vector ``p``: the total amount each node pays to its
        interbank creditors (same money unit as the inputs).  ``0 <= p <= p̄``.
    equity : numpy.ndarray, shape (n,)
        ``e + Πᵀ p - p̄``: net worth before default costs (negative for defaulted
        nodes; see the module docstring).
    defaulted : numpy.ndarray of bool, shape (n,)
        True where the node cannot pay its liabilities in full (``p_i < p̄_i``).
    rounds : tuple of numpy.ndarray of bool
        The default set after each round of the fictitious-default algorithm.
        ``rounds[0]`` holds the fundamental defaults (nodes that fail even if
        everybody pays in full), ``rounds[k]`` the defaults after ``k`` waves of
        contagion, ``rounds[-1]`` equals ``defaulted``.  Each set strictly
        contains the previous one; when nothing defaults ``rounds`` is a single
        all-False array.  ``len(rounds)`` is the number of default waves.
    total_liabilities : numpy.ndarray, shape (n,)
        ``p̄``: each node's nominal interbank liabilities (row sums).
    """

    payments: np.ndarray
    equity: np.ndarray
    defaulted: np.ndarray
    rounds: tuple
    total_liabilities: np.ndarray

    @property
    def shortfall(self) -> np.ndarray:
        """Creditors' loss per debtor, ``p̄ - p`` (zero for solvent nodes)."""
        return self.total_liabilities - self.payments

    @property
    def n_defaulted(self) -> int:
        """Number of defaulted nodes."""
        return int(np.count_nonzero(self.defaulted))


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def eisenberg_noe(liabilities, external_assets, *, rtol: float = DEFAULT_RTOL) -> ClearingResult:
    """Greatest Eisenberg–Noe clearing vector, by the fictitious-default algorithm.

    Finds the greatest ``p`` with ``p = min(p̄, e + Πᵀ p)`` (limited liability,
    absolute priority of debt over equity, pro-rata sharing among creditors).

    Parameters
    ----------
    liabilities : array_like or scipy.sparse matrix, shape (n, n)
        ``liabilities[i, j]`` is what node ``i`` owes node ``j`` (money, any
        consistent unit, e.g. US$ billions).  Nonnegative, finite, zero
        diagonal.  Rows may be all zero (a node owing nothing).
    external_assets : array_like, shape (n,)
        ``e_i >= 0``: value of node ``i``'s assets outside the interbank
        network, in the same unit (zeros allowed).
    rtol : float, default 1e-10
        Relative tolerance of the default test (a node defaults when
        ``e_i + x_i < (1 - rtol) p̄_i``).

    Returns
    -------
    ClearingResult
        ``payments``, ``equity`` (``e + Πᵀ p - p̄``), ``defaulted``, ``rounds``
        (default set after each round) and ``total_liabilities`` (``p̄``).

    Notes
    -----
    Algorithm: Eisenberg & Noe's fictitious-default algorithm (section 3 of
    the paper).  Starting from ``p = p̄``, each round finds the nodes that
    cannot pay in full, then solves, for that default set ``D``, the linear
    system ``p_D = e_D + (Πᵀ p)_D`` with ``p_i = p̄_i`` off ``D``.  The system is
    written in the payment ratios ``r = p / p̄`` as
    ``(diag(p̄_D) - L_DDᵀ) r_D = e_D + L_{D̄D}ᵀ 1``.  At most ``n`` rounds.
    See :ref:`the module notes <clearing-solvers>` for how each round's system
    is solved: the default set is exact, the payments solve the final system
    to machine precision (about 1e-14 in the ratios).

    References
    ----------
    Eisenberg, L. and Noe, T. H. (2001). Systemic risk in financial systems.
    *Management Science* 47(2), 236–249.

    Examples
    --------
    >>> import numpy as np
    >>> L = np.array([[0, 2.0], [1.0, 0]])   # node 0 owes 2 to node 1, node 1 owes 1 to node 0
    >>> r = eisenberg_noe(L, [0.5, 0.0])
    >>> r.payments, r.defaulted
    (array([1.5, 1. ]), array([ True, False]))
    """
    return _clear(liabilities, external_assets, 1.0, 1.0, rtol)


def rogers_veraart(liabilities, external_assets, alpha, beta, *, rtol: float = DEFAULT_RTOL) -> ClearingResult:
    """Greatest Rogers–Veraart clearing vector (clearing with default costs).

    A solvent node pays ``p̄_i`` in full.  A node in default
    (``e_i + (Πᵀ p)_i < p̄_i``) pays only ``alpha * e_i + beta * (Πᵀ p)_i``: it
    realises a fraction ``alpha`` of its external assets and ``beta`` of its
    interbank receipts.  ``alpha = beta = 1`` is Eisenberg–Noe.

    Parameters
    ----------
    liabilities : array_like or scipy.sparse matrix, shape (n, n)
        ``liabilities[i, j]`` is what node ``i`` owes node ``j`` (money, e.g.
        US$ billions).  Nonnegative, finite, zero diagonal; all-zero rows are
        allowed.
    external_assets : array_like, shape (n,)
        ``e_i >= 0``, external (non-interbank) assets, same unit.
    alpha : float in [0, 1]
        Fraction of external assets realised by a defaulted node.
    beta : float in [0, 1]
        Fraction of interbank receipts passed on by a defaulted node.
    rtol : float, default 1e-10
        Relative tolerance of the default test.

    Returns
    -------
    ClearingResult
        ``payments`` (greatest clearing vector), ``equity`` (``e + Πᵀ p - p̄``:
        net worth before default costs, negative for defaulted nodes; the
        creditors' loss is ``result.shortfall = p̄ - p``), ``defaulted``,
        ``rounds`` and ``total_liabilities``.

    Notes
    -----
    Algorithm: the Greatest Clearing Vector Algorithm (GA) of Rogers & Veraart
    (2013, Definition 3.6), which is the fictitious-default algorithm with
    default costs: ``Λ⁰ = p̄``, ``D⁰ = ∅``; round ``k`` sets
    ``D^{k+1} = {i : e_i + (Πᵀ Λᵏ)_i < p̄_i}``, stops if it equals ``Dᵏ``, and
    otherwise solves ``Λ_D = alpha e_D + beta (Πᵀ Λ)_D`` with ``Λ_i = p̄_i`` off
    ``D``.  In payment ratios ``r = Λ / p̄`` that is
    ``(diag(p̄_D) - beta L_DDᵀ) r_D = alpha e_D + beta L_{D̄D}ᵀ 1`` (solvers:
    see the module notes).  At most ``n`` rounds.  The small dense path (the
    engine's case, ``n`` of a few dozen: one LAPACK ``dgesv`` per round on the
    full ``n x n`` system) does no sparse conversion and no per-node Python
    loop; a call on ``n = 30`` takes some 30–70 µs.

    References
    ----------
    Rogers, L. C. G. and Veraart, L. A. M. (2013). Failure and rescue in an
    interbank network. *Management Science* 59(4), 882–898.
    """
    a = as_unit_interval(alpha, "alpha")
    b = as_unit_interval(beta, "beta")
    return _clear(liabilities, external_assets, a, b, rtol)


def rogers_veraart_unchecked(
    liabilities: np.ndarray | sp.csr_matrix, external_assets: np.ndarray, alpha: float, beta: float
) -> ClearingResult:
    """:func:`rogers_veraart` for the simulation engine, without re-validating its inputs.

    Engine-internal (``simulator.phases.resolve_defaults`` clears every round through it): the engine builds
    the inputs itself, so the checks of the public entry (about half the cost of a call on the
    engine's small matrices) would only re-prove what their construction guarantees. The
    caller must pass

    * ``liabilities``: a C-contiguous ``float64`` ndarray of shape (n, n), nonnegative and
      finite, with a zero diagonal (``Obligations.matrix``: amounts > 0 summed by payer and
      payee, nobody owing itself);
    * ``external_assets``: a ``float64`` vector of length n, nonnegative and finite (cash
      floored at zero);
    * ``alpha``, ``beta`` in [0, 1] (the validated scenario configuration).

    The result is exactly that of ``rogers_veraart(liabilities, external_assets, alpha, beta)``.
    Anything else (user input, notebooks, other kernels) should call :func:`rogers_veraart`.
    ``liabilities`` may also be a ``scipy.sparse`` CSR matrix (large networks).
    """
    if sp.issparse(liabilities):
        return _clear_sparse(liabilities, external_assets, float(alpha), float(beta), DEFAULT_RTOL)
    return _clear_dense(liabilities, external_assets, float(alpha), float(beta), DEFAULT_RTOL)


# ---------------------------------------------------------------------------
# implementation
# ---------------------------------------------------------------------------


def _clear(liabilities, external_assets, alpha: float, beta: float, rtol: float) -> ClearingResult:
    L, is_sparse = as_square_matrix(liabilities, "liabilities")
    n = L.shape[0]
    e = as_vector(external_assets, n, "external_assets")
    check_zero_diagonal(L, "liabilities", is_sparse)
    rtol = float(rtol)
    if not (0.0 <= rtol < 1.0):
        raise ValueError(f"rtol must be in [0, 1), got {rtol!r}")
    if is_sparse:
        return _clear_sparse(L, e, alpha, beta, rtol)
    return _clear_dense(L, e, alpha, beta, rtol)


#: Up to this size the dense path solves the full n x n system each round
#: (identity rows for solvent nodes) with one LAPACK call, which is cheaper than
#: extracting the defaulted block; above it the block is extracted.
_SMALL_DENSE = 64


def _clear_dense(L: np.ndarray, e: np.ndarray, alpha: float, beta: float, rtol: float) -> ClearingResult:
    n = L.shape[0]
    # (np.add.reduce is what ndarray.sum calls, without its Python wrapper: this path is hot)
    pbar = np.add.reduce(L, axis=1)
    limit = pbar * (1.0 - rtol)  # default iff e + x < limit
    LT = L.T
    x = np.add.reduce(L, axis=0)  # receipts under full payment, L^T 1
    worth = e + x
    D = worth < limit
    if not np.logical_or.reduce(D):  # (D.any())
        return ClearingResult(
            payments=pbar.copy(), equity=worth - pbar, defaulted=D, rounds=(D,), total_liabilities=pbar
        )
    x_full = x
    owes = pbar > 0
    rounds = [D]
    r = np.ones(n)
    small = n <= _SMALL_DENSE
    if small:
        # A^T for "every node defaulted": diag(pbar) - beta * L (column i <-> equation of node i)
        Bt = L * (-beta)
        Bt.flat[:: n + 1] = pbar
        eye = _eye(n)
        ae = alpha * e
        ones = _ones(n)
    for _ in range(n):
        k = np.count_nonzero(D)
        solved = False
        if k == 1:
            # a single defaulted node i: everybody else pays in full, so
            # r_i = (alpha e_i + beta sum_j L_ji) / pbar_i  (L_ii = 0)
            i = int(np.flatnonzero(D)[0])
            ri = (alpha * e[i] + beta * (x_full[i] if small else float(LT[i].sum()))) / pbar[i]
            if 0.0 <= ri <= 1.0 + 1e-9:
                r = np.ones(n)
                r[i] = ri
                solved = True
        elif small:
            # rows of A: identity for solvent nodes (r_i = 1); for i in D,
            # pbar_i r_i - beta sum_j L_ji r_j = alpha e_i.  A^T is built in C
            # order, so A = AT.T is Fortran-contiguous and dgesv does not copy it.
            _, _, sol, info = _dgesv(np.where(D, Bt, eye).T, np.where(D, ae, ones), overwrite_a=1, overwrite_b=1)
            # (NaN fails both comparisons, so this also rejects non-finite output)
            if info == 0 and sol.min() >= -1e-9 and sol.max() <= 1.0 + 1e-9:
                r = sol
                solved = True
        if not solved:
            idx = np.flatnonzero(D)
            sub_T = LT[np.ix_(idx, idx)]  # (L_DD)^T
            M = sub_T * (-beta)
            M.flat[:: idx.size + 1] += pbar[idx]
            # receipts of defaulted nodes from solvent (full-paying) nodes: L_{~D,D}^T 1
            from_solvent = LT[idx] @ (~D).astype(np.float64)
            rhs = alpha * e[idx] + beta * from_solvent
            r_new = np.ones(n)
            r_new[idx] = _solve_dense_block(M, rhs, idx, LT, pbar, e, alpha, beta, D, r)
            r = r_new
        x = LT @ r
        # (`owes`: rounding noise in r can never put a node owing nothing in default)
        newD = D | (((e + x) < limit) & owes)
        if np.count_nonzero(newD) == k:
            break
        D = newD
        rounds.append(D)
    # remove rounding overshoot (|.| <= 1e-9) so that 0 <= p <= pbar exactly
    r = np.minimum(np.maximum(r, 0.0), 1.0)
    p = r * pbar
    return ClearingResult(payments=p, equity=e + x - pbar, defaulted=D, rounds=tuple(rounds), total_liabilities=pbar)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@functools.cache
def _eye(n: int) -> np.ndarray:
    """Read-only identity matrix, cached per size (small-n hot path)."""
    return _read_only(np.eye(n))


@functools.cache
def _ones(n: int) -> np.ndarray:
    """Read-only vector of ones, cached per size."""
    return _read_only(np.ones(n))


def _solve_dense_block(M, rhs, idx, LT, pbar, e, alpha, beta, D, r_prev):
    """Solve the round's linear system; fall back to a monotone iteration if singular."""
    try:
        rD = np.linalg.solve(M, rhs)
        ok = np.isfinite(rD).all() and rD.min() >= -1e-9 and rD.max() <= 1.0 + 1e-9
    except np.linalg.LinAlgError:
        ok = False
    if ok:
        return np.clip(rD, 0.0, 1.0)
    # Singular/ill-conditioned block (can only happen through rounding: the
    # default set of the greatest clearing vector holds no closed class).
    # Decreasing Picard iteration from the previous ratios, which lie above the
    # greatest solution of the block system.
    sub = LT[np.ix_(idx, idx)]
    r0 = np.minimum(r_prev[idx], 1.0)
    pb = pbar[idx]
    base = alpha * e[idx] + beta * (LT[idx] @ (~D).astype(np.float64))
    return _block_picard(lambda v: sub @ v, base, pb, beta, r0)


def _block_picard(sub_matvec, base, pb, beta, r0, max_iter: int = 200_000):
    """Decreasing Picard iteration ``r <- clip((base + beta * S r) / pb, 0, 1)`` from ``r0``.

    Last-resort solver for a (numerically) singular block; ``r0`` lies above
    the greatest solution, so the iterates decrease towards it.
    """
    r = r0.copy()
    for _ in range(max_iter):
        new = np.clip((base + beta * sub_matvec(r)) / pb, 0.0, 1.0)
        if not np.isfinite(new).all():
            raise FloatingPointError("clearing: non-finite values in the block iteration")
        if np.max(np.abs(new - r), initial=0.0) <= 1e-15:
            return new
        r = new
    return r


def _clear_sparse(L: sp.csr_matrix, e: np.ndarray, alpha: float, beta: float, rtol: float) -> ClearingResult:
    n = L.shape[0]
    pbar = np.asarray(L @ np.ones(n)).ravel()  # row sums (a mat-vec is faster than .sum)
    limit = pbar * (1.0 - rtol)
    LT = L.T  # CSC view of L^T: matvec without conversion
    r = np.ones(n)
    x = LT @ r
    D = (e + x) < limit
    rounds = [D]
    if not D.any():
        return ClearingResult(
            payments=pbar.copy(), equity=e + x - pbar, defaulted=D, rounds=(D,), total_liabilities=pbar
        )
    indptr, indices, data = L.indptr, L.indices, L.data
    owes = pbar > 0
    for _ in range(n):
        idx = np.flatnonzero(D)
        k = idx.size
        pos = np.cumsum(D, dtype=np.int64) - 1  # global -> local index (valid on D)
        # edges i -> j with debtor i in D (CSR row slices), then keep creditors j in D
        starts, ends = indptr[idx], indptr[idx + 1]
        lens = ends - starts
        total = int(lens.sum())
        offs = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
        all_c = indices[offs]
        all_d = data[offs]
        all_r = np.repeat(idx, lens)
        inD = D[all_c]
        kr, kc, kd = all_r[inD], all_c[inD], all_d[inD]
        # receipts of defaulted nodes from solvent (full-paying) debtors,
        # L_{~D,D}^T 1 = x_D - L_DD^T r_D (x = L^T r at the previous ratios,
        # where every node outside D pays in full).  A defaulted node has
        # x_i < p̄_i, so the subtraction costs at most a few ulps of p̄_i.
        from_solvent = np.maximum(x[idx] - np.bincount(pos[kc], weights=kd * r[kr], minlength=k), 0.0)
        # Jacobi form of the block system: r_D = c + G r_D with
        # c = (alpha e_D + beta L_{~D,D}^T 1) / pbar_D and G = beta diag(1/pbar_D) L_DD^T.
        # The edges are grouped by debtor (= column of G), so G is built in CSC
        # form directly.
        c = (alpha * e[idx] + beta * from_solvent) / pbar[idx]
        g_indptr = np.zeros(k + 1, dtype=np.int64)
        np.cumsum(np.bincount(pos[kr], minlength=k), out=g_indptr[1:])
        G = _Block(k, g_indptr, pos[kc], kd * (beta / pbar[kc]))
        rD = _solve_block(G, c, np.minimum(r[idx], 1.0))
        # only the ratios of D changed: update the receipts through D's rows
        delta = rD - r[idx]
        r = r.copy()
        r[idx] = rD
        x = x + np.bincount(all_c, weights=all_d * delta[pos[all_r]], minlength=n)
        # (nodes owing nothing have limit 0; `owes` keeps rounding noise in the
        # incrementally updated x from ever putting them in default)
        newD = D | (((e + x) < limit) & owes)
        if np.count_nonzero(newD) == k:
            break
        D = newD
        rounds.append(D)
    x = LT @ r  # fresh receipts (no accumulated rounding) for the reported equity
    return ClearingResult(
        payments=r * pbar, equity=e + x - pbar, defaulted=D, rounds=tuple(rounds), total_liabilities=pbar
    )


#: Accuracy of the iterative block solves: absolute error bound on the payment
#: ratios r = p / p̄, which lie in [0, 1].
_BLOCK_TOL = 1e-14
#: Blocks up to this size are solved densely (LAPACK) in the sparse path.
_DENSE_BLOCK = 64


class _Block:
    """The defaulted block G (CSC arrays) with a low-overhead mat-vec."""

    __slots__ = ("data", "indices", "indptr", "k")

    def __init__(self, k, indptr, indices, data):
        self.k, self.indptr, self.indices, self.data = k, indptr, indices.astype(np.int64, copy=False), data

    def matvec(self, v: np.ndarray) -> np.ndarray:
        out = np.zeros(self.k)
        if _csc_matvec is not None:
            _csc_matvec(self.k, self.k, self.indptr, self.indices, self.data, v, out)
        else:  # pragma: no cover - scipy without the private kernels
            out = self.tocsc() @ v
        return out

    def tocsc(self) -> sp.csc_matrix:
        return sp.csc_matrix((self.data, self.indices, self.indptr), shape=(self.k, self.k))


try:  # scipy's C kernel behind `csc_matrix @ vector`, without the Python dispatch overhead
    from scipy.sparse._sparsetools import csc_matvec as _csc_matvec
except ImportError:  # pragma: no cover
    _csc_matvec = None


def _solve_block(G: _Block, c: np.ndarray, r0: np.ndarray) -> np.ndarray:
    """Solve ``r = c + G r`` for the defaulted block (``G >= 0``, spectral radius < 1).

    1. Blocks of up to ``_DENSE_BLOCK`` nodes: one dense LAPACK solve.
    2. Otherwise, Jacobi/Picard iteration from the warm start ``r0`` (the
       previous round's ratios, which lie above the solution, so the iterates
       decrease monotonically).  On the sparse blocks of a cascade the
       contraction factor is small and a few dozen sparse mat-vecs reach
       ``_BLOCK_TOL`` (stopping rule: the geometric tail bound
       ``diff * q / (1 - q)`` with ``q`` the largest of the last three
       contraction ratios).
    3. If the contraction is slow (a nearly closed defaulted set), GMRES on
       ``(I - G) r = c`` warm-started at the current iterate.
    4. If that does not reach a residual of 1e-13 either, a direct SuperLU
       solve (LU factorisation of random-graph blocks suffers catastrophic
       fill-in, which is why it is only the last resort).
    """
    k = c.size
    if k <= _DENSE_BLOCK:
        # small block: one LAPACK solve is exact and cheaper than iterating
        A = np.eye(k) - G.tocsc().toarray()
        try:
            sol = np.linalg.solve(A, c)
        except np.linalg.LinAlgError:
            sol = None
        if sol is not None and np.isfinite(sol).all() and sol.min() >= -1e-9 and sol.max() <= 1 + 1e-9:
            return np.clip(sol, 0.0, 1.0)
    r = r0
    rates = [1.0, 1.0, 1.0]
    prev = np.inf
    for it in range(300):
        new = c + G.matvec(r)
        diff = float(np.abs(new - r).max())
        r = new
        if diff <= _BLOCK_TOL * 0.1:
            return np.clip(r, 0.0, 1.0)
        rates = [rates[1], rates[2], diff / prev if prev > 0 else 1.0]
        prev = diff
        rate = max(rates)
        if it >= 3 and rate < 1.0 and diff * rate / (1.0 - rate) <= _BLOCK_TOL:
            return np.clip(r, 0.0, 1.0)
        if it >= 10 and rate > 0.7:
            break
    Gs = G.tocsc()
    A = (sp.identity(k, format="csc") - Gs).tocsc()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol, _ = spla.gmres(A, c, x0=r, rtol=1e-15, atol=0.0, restart=min(k, 60), maxiter=50)
    if np.isfinite(sol).all() and np.max(np.abs(c + Gs @ sol - sol), initial=0.0) <= 1e-13:
        return np.clip(sol, 0.0, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spla.MatrixRankWarning)
        sol = np.atleast_1d(spla.spsolve(A, c))
    if np.isfinite(sol).all():
        return np.clip(sol, 0.0, 1.0)
    # singular block (only possible through rounding): monotone iteration
    return _block_picard(G.matvec, c, np.ones(k), 1.0, np.minimum(r0, 1.0))
