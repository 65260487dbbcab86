"""Shared input checks for the contagion kernels.

Every public kernel in :mod:`simulator.clearing`, :mod:`simulator.cascades` and
:mod:`simulator.fire_sales` validates its inputs through these helpers, so the
error messages are uniform: a :class:`ValueError` that names the offending
argument and says what is wrong with it (not square, wrong shape, negative
entries, NaN or infinite values, ...).

Matrices may be given as numpy arrays (anything :func:`numpy.asarray` accepts)
or as :mod:`scipy.sparse` matrices/arrays.  Dense input is returned as a
C-contiguous ``float64`` :class:`numpy.ndarray` (no copy when it already is
one); sparse input is returned as a ``float64`` CSR matrix with duplicate
entries summed and explicit zeros removed.

The checks are written to be cheap (a handful of vectorised numpy reductions)
because the simulation engine calls the clearing kernels many times per tick on
small dense matrices.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp

__all__ = [
    "as_fraction",
    "as_generator",
    "as_matrix",
    "as_positive_int",
    "as_positive_real",
    "as_square_matrix",
    "as_unit_interval",
    "as_vector",
    "check_choice",
    "check_zero_diagonal",
]


def _check_values(data: np.ndarray, name: str, nonnegative: bool) -> None:
    """Raise if ``data`` holds NaN/inf or (optionally) negative values."""
    if data.size == 0:
        return
    if not np.isfinite(data).all():
        if np.isnan(data).any():
            raise ValueError(f"{name} contains NaN values")
        raise ValueError(f"{name} contains infinite values")
    if nonnegative and data.min() < 0:
        raise ValueError(f"{name} has negative entries (min {data.min():g}); entries must be >= 0")


def _canonical_csr(x, name: str, nonnegative: bool):
    """A ``float64`` CSR copy of sparse ``x``, duplicates summed, values checked, zeros dropped."""
    m = sp.csr_matrix(x, dtype=np.float64, copy=True)
    m.sum_duplicates()
    _check_values(m.data, name, nonnegative)
    m.eliminate_zeros()
    return m


def _dense_2d(x, name: str) -> np.ndarray:
    """``x`` as a ``float64`` ndarray, which must be two-dimensional (values not yet checked)."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric matrix ({exc})") from None
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got an array with shape {a.shape}")
    return a


def as_square_matrix(x, name: str, *, nonnegative: bool = True):
    """Validate a square matrix and return it with a flag telling if it is sparse.

    Parameters
    ----------
    x : array_like or scipy.sparse matrix, shape (n, n)
        The matrix to check.
    name : str
        Argument name used in error messages.
    nonnegative : bool, default True
        Reject negative entries.

    Returns
    -------
    matrix : numpy.ndarray or scipy.sparse.csr_matrix
        ``float64`` dense array, or ``float64`` CSR matrix for sparse input
        (the input object itself when it already is a canonical ``float64``
        CSR matrix/array: callers must not modify it).
    is_sparse : bool
        True when ``x`` was a scipy.sparse matrix/array.

    Raises
    ------
    ValueError
        If ``x`` is not two-dimensional, not square, or holds NaN, infinite or
        (when ``nonnegative``) negative entries.
    """
    if sp.issparse(x):
        if x.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix, got a {x.ndim}-D sparse array")
        if x.shape[0] != x.shape[1]:
            raise ValueError(f"{name} must be a square matrix, got shape {x.shape}")
        if x.format == "csr" and x.dtype == np.float64 and x.has_canonical_format:
            # already in the working format: used as is (the kernels never
            # modify their inputs), which saves a copy of large matrices
            _check_values(x.data, name, nonnegative)
            return x, True
        return _canonical_csr(x, name, nonnegative), True
    a = _dense_2d(x, name)
    if a.shape[0] != a.shape[1]:
        raise ValueError(f"{name} must be a square matrix, got shape {a.shape}")
    if not a.flags.c_contiguous:
        a = np.ascontiguousarray(a)
    _check_values(a, name, nonnegative)
    return a, False


def as_matrix(x, name: str, shape=None, *, nonnegative: bool = True, allow_sparse: bool = True):
    """Validate a (possibly rectangular) matrix.

    Parameters
    ----------
    x : array_like or scipy.sparse matrix
        The matrix.
    name : str
        Argument name used in error messages.
    shape : tuple of (int or None), optional
        Required shape; ``None`` in a position accepts any length.
    nonnegative : bool, default True
        Reject negative entries.
    allow_sparse : bool, default True
        If False, sparse input is densified.

    Returns
    -------
    matrix : numpy.ndarray or scipy.sparse.csr_matrix
    is_sparse : bool
    """
    if sp.issparse(x):
        if x.ndim != 2:
            raise ValueError(f"{name} must be a 2-D matrix, got a {x.ndim}-D sparse array")
        m = _canonical_csr(x, name, nonnegative)
        out, is_sparse = (m, True) if allow_sparse else (m.toarray(), False)
    else:
        out = _dense_2d(x, name)
        _check_values(out, name, nonnegative)
        is_sparse = False
    if shape is not None:
        for axis, want in enumerate(shape):
            if want is not None and out.shape[axis] != want:
                raise ValueError(
                    f"{name} has shape {out.shape}; expected {tuple('any' if s is None else s for s in shape)}"
                )
    return out, is_sparse


def as_vector(
    x,
    n: int | None,
    name: str,
    *,
    nonnegative: bool = True,
    allow_scalar: bool = False,
    dtype=np.float64,
) -> np.ndarray:
    """Validate a 1-D vector of length ``n`` and return it as ``float64``.

    Parameters
    ----------
    x : array_like
        The vector (or a scalar when ``allow_scalar``; it is then broadcast).
    n : int or None
        Required length (None: any length).
    name : str
        Argument name used in error messages.
    nonnegative : bool, default True
        Reject negative entries.
    allow_scalar : bool, default False
        Accept a scalar and broadcast it to length ``n``.

    Raises
    ------
    ValueError
        Wrong number of dimensions, wrong length, NaN/inf or negative entries.
    """
    if sp.issparse(x):
        x = x.toarray()
    try:
        v = np.asarray(x, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric ({exc})") from None
    if v.ndim == 0:
        if not allow_scalar:
            raise ValueError(f"{name} must be a 1-D array of length {n}, got a scalar")
        _check_values(v.reshape(1), name, nonnegative)
        if n is None:
            return v.reshape(1)
        return np.full(n, float(v), dtype=dtype)
    if v.ndim == 2 and 1 in v.shape:
        v = v.reshape(-1)
    if v.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got an array with shape {v.shape}")
    if n is not None and v.shape[0] != n:
        raise ValueError(f"{name} has length {v.shape[0]}, but the matrix has {n} rows (shape mismatch)")
    _check_values(v, name, nonnegative)
    return v


def as_unit_interval(x, name: str) -> float:
    """Validate a scalar in [0, 1] and return it as a float."""
    if type(x) is float or type(x) is int:  # fast path (hot in the engine)
        if 0.0 <= x <= 1.0:
            return float(x)
        raise ValueError(f"{name} must be in [0, 1], got {x!r}")
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number in [0, 1], got {x!r}")
    v = float(x)
    if not np.isfinite(v) or not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {x!r}")
    return v


def as_positive_real(x, name: str, *, allow_zero: bool = False, allow_inf: bool = False) -> float:
    """Validate a positive (or nonnegative) real scalar."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Real, np.floating, np.integer)):
        raise ValueError(f"{name} must be a real number, got {x!r}")
    v = float(x)
    if np.isnan(v) or (np.isinf(v) and not allow_inf):
        raise ValueError(f"{name} must be finite, got {x!r}")
    if v < 0 or (v == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {x!r}")
    return v


def as_positive_int(x, name: str, *, minimum: int = 1) -> int:
    """Validate an integer >= ``minimum``."""
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (Integral, np.integer)):
        raise ValueError(f"{name} must be an integer, got {x!r}")
    v = int(x)
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {v}")
    return v


def as_fraction(x, name: str, *, low: Fraction = Fraction(0), high: Fraction = Fraction(1)) -> Fraction:
    """Convert a ratio to an exact :class:`fractions.Fraction`.

    Floats are read through their shortest decimal representation
    (``0.04 -> 1/25``), which is what a user typing ``0.04`` means; pass a
    ``Fraction`` or an ``int`` for any other exact value.  The value must lie
    in ``[low, high]``.
    """
    if isinstance(x, Fraction):
        f = x
    elif isinstance(x, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got {x!r}")
    elif isinstance(x, (Integral, np.integer)):
        f = Fraction(int(x))
    elif isinstance(x, (Real, np.floating)):
        if not np.isfinite(float(x)):
            raise ValueError(f"{name} must be finite, got {x!r}")
        f = Fraction(repr(float(x)))
    else:
        raise ValueError(f"{name} must be a number or a fractions.Fraction, got {x!r}")
    if not low <= f <= high:
        raise ValueError(f"{name} must be in [{float(low):g}, {float(high):g}], got {float(f):g}")
    return f


def as_generator(rng) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` from a seed or generator.

    ``None`` is *not* accepted as "fresh entropy": every kernel in this package
    is deterministic, so pass an ``int`` seed, a ``SeedSequence`` or a
    ``Generator``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, np.bool_)):
        raise ValueError(f"rng must be an int seed or a numpy.random.Generator, got {rng!r}")
    if isinstance(rng, (Integral, np.integer, np.random.SeedSequence)):
        return np.random.default_rng(rng if isinstance(rng, np.random.SeedSequence) else int(rng))
    raise ValueError(f"rng must be an int seed, a numpy.random.SeedSequence or a numpy.random.Generator, got {rng!r}")


def check_zero_diagonal(m, name: str, is_sparse: bool) -> None:
    """Reject self-exposures (a nonzero diagonal)."""
    d = m.diagonal() if is_sparse else m.ravel()[:: m.shape[0] + 1] if m.size else m.ravel()
    if d.size and np.count_nonzero(d):
        i = int(np.flatnonzero(d)[0])
        raise ValueError(
            f"{name} has a nonzero diagonal (entry [{i}, {i}] = {d[i]:g}); "
            "a node cannot owe itself or be exposed to itself"
        )


def check_choice(value, choices, name: str) -> None:
    """Raise ``ValueError("unknown <name> 'x'; choose from [...]")`` for a bad choice."""
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose from {sorted(choices)}")
