"""Validation of simulator.kernels.cascades (DebtRank, Furfine cascade, Gai–Kapadia)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.kernels.cascades import (
    DEBTRANK_METHODS,
    debtrank,
    gai_kapadia,
    gai_kapadia_thresholds,
    threshold_cascade,
)
from tests import _pure_python as ref

# ---------------------------------------------------------------------------
# DebtRank worked examples
# ---------------------------------------------------------------------------


def test_debtrank_two_node_cycle_original_vs_linear():
    """Two banks exposed to each other (Bardoscia et al. 2015, section "The
    original DebtRank"): in the original algorithm each bank propagates once,
    in the linear one distress reverberates around the cycle.

    Λ_01 = Λ_10 = 0.5 (exposure / equity), bank 0 loses 20% of its equity.
    Original (Battiston et al. 2012): t=1 bank 1 gets 0.5·0.2 = 0.1; t=2 bank 0
    gets 0.5·0.1 = 0.05 -> h = (0.25, 0.1), then bank 0 is inactive: stop.
    Linear: h0 = 0.2 + 0.25 h0 -> h = (0.2/0.75, 0.1/0.75) = (4/15, 2/15).
    """
    A = np.array([[0, 5.0], [5.0, 0]])
    E = np.array([10.0, 10.0])
    shock = np.array([0.2, 0.0])
    w = np.array([1.0, 1.0])
    orig = debtrank(A, E, shock, w, method="original")
    np.testing.assert_allclose(orig.h, [0.25, 0.1], atol=1e-15)
    assert pytest.approx(0.5 * (0.05 + 0.1)) == orig.R
    assert orig.iterations == 2
    lin = debtrank(A, E, shock, w, method="linear")
    np.testing.assert_allclose(lin.h, [4 / 15, 2 / 15], atol=1e-12)
    assert pytest.approx(0.5 * (4 / 15 - 0.2 + 2 / 15), abs=1e-12) == lin.R


def test_debtrank_chain_impact_cap():
    """Chain 0 <- 1 <- 2 (1 exposed to 0, 2 exposed to 1), bank 0 defaults.

    exposures[1, 0] = 5 with equity 10 -> Λ_10 = 0.5; exposures[2, 1] = 4 with
    equity 2 -> Λ_21 = 2.  Original: W = min(1, Λ), so h1 = 0.5 and
    h2 = min(1, 1·0.5) = 0.5.  Linear: h2 = min(1, 2·0.5) = 1 (bank 2 defaults).
    With the default weights (interbank assets: 0, 5, 4), R_original =
    (5·0.5 + 4·0.5)/9 = 0.5 and R_linear = (5·0.5 + 4·1)/9 = 6.5/9.
    """
    A = np.zeros((3, 3))
    A[1, 0] = 5.0
    A[2, 1] = 4.0
    E = np.array([3.0, 10.0, 2.0])
    shock = np.array([1.0, 0.0, 0.0])
    orig = debtrank(A, E, shock)
    np.testing.assert_allclose(orig.h, [1.0, 0.5, 0.5])
    np.testing.assert_allclose(orig.weights, [0, 5 / 9, 4 / 9])
    assert pytest.approx(0.5) == orig.R
    lin = debtrank(A, E, shock, method="linear")
    np.testing.assert_allclose(lin.h, [1.0, 0.5, 1.0])
    assert pytest.approx(6.5 / 9) == lin.R


def test_debtrank_star_hub_default():
    """Battiston et al. (2012) style star: four banks each lend 2 to a hub of
    equity 1 (their equity 4).  The hub's default costs each 50% of equity:
    h = (1, 0.5, 0.5, 0.5, 0.5); with equity weights R = 4·4·0.5 / 17.
    """
    A = np.zeros((5, 5))
    A[1:, 0] = 2.0
    E = np.array([1.0, 4, 4, 4, 4])
    for method in DEBTRANK_METHODS:
        r = debtrank(A, E, np.array([1.0, 0, 0, 0, 0]), weights=E, method=method)
        np.testing.assert_allclose(r.h, [1, 0.5, 0.5, 0.5, 0.5])
        assert pytest.approx(8 / 17) == r.R


def test_debtrank_unknown_method_message():
    with pytest.raises(ValueError, match=r"unknown method 'x'; choose from \['linear', 'original'\]"):
        debtrank(np.zeros((2, 2)), [1.0, 1.0], [1.0, 0.0], method="x")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(exposures=np.ones((2, 3))), "exposures must be a square matrix"),
        (dict(equity=[1.0, 0.0]), "equity must be strictly positive"),
        (dict(equity=[1.0, 1.0, 1.0]), "equity has length 3"),
        (dict(shocked=[1.5, 0.0]), r"shocked must be in \[0, 1\]"),
        (dict(shocked=[np.nan, 0.0]), "shocked contains NaN"),
        (dict(exposures=np.array([[0, -1.0], [0, 0]])), "exposures has negative"),
        (dict(exposures=np.array([[1.0, 0], [0, 0]])), "nonzero diagonal"),
        (dict(weights=[-1.0, 1.0]), "weights has negative"),
    ],
)
def test_debtrank_input_errors(kwargs, match):
    args = dict(exposures=np.array([[0, 1.0], [1.0, 0]]), equity=[1.0, 1.0], shocked=[1.0, 0.0])
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        debtrank(**args)


# ---------------------------------------------------------------------------
# DebtRank properties
# ---------------------------------------------------------------------------


@st.composite
def exposure_networks(draw, max_n=10):
    n = draw(st.integers(2, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    density = draw(st.sampled_from([0.2, 0.5, 1.0]))
    A = rng.exponential(1.0, (n, n)) * (rng.random((n, n)) < density)
    np.fill_diagonal(A, 0.0)
    E = rng.exponential(draw(st.sampled_from([0.5, 2.0, 10.0])), n) + 1e-3
    shock = np.where(rng.random(n) < 0.3, rng.random(n), 0.0)
    if draw(st.booleans()):
        shock[rng.integers(n)] = 1.0
    return A, E, shock


PROP = settings(
    max_examples=120, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROP
@given(exposure_networks())
def test_debtrank_h_in_unit_interval_and_matches_pure_python(net):
    A, E, shock = net
    n = A.shape[0]
    edges = ref.edges_from_matrix(A)
    orig = debtrank(A, E, shock, method="original")
    lin = debtrank(A, E, shock, method="linear")
    for r in (orig, lin):
        assert np.all(r.h >= 0) and np.all(r.h <= 1)
        assert np.all(r.h >= shock)
        assert r.R >= -1e-12
        assert r.weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(orig.h, ref.debtrank_original(n, edges, list(E), list(shock)), atol=1e-12)
    np.testing.assert_allclose(lin.h, ref.debtrank_linear(n, edges, list(E), list(shock)), atol=1e-9)
    # the single-propagation original never exceeds the linear fixed point
    assert np.all(orig.h <= lin.h + 1e-9)


@PROP
@given(exposure_networks())
def test_debtrank_dense_and_sparse_agree(net):
    A, E, shock = net
    for method in ("original", "linear"):
        d = debtrank(A, E, shock, method=method)
        s = debtrank(sp.csr_matrix(A), E, shock, method=method)
        np.testing.assert_allclose(s.h, d.h, rtol=1e-12, atol=1e-12)
        assert pytest.approx(d.R, abs=1e-12) == s.R


@PROP
@given(exposure_networks(), st.floats(0.1, 0.9))
def test_debtrank_monotone_in_shock(net, factor):
    A, E, shock = net
    for method in ("original", "linear"):
        lo = debtrank(A, E, shock * factor, method=method)
        hi = debtrank(A, E, shock, method=method)
        assert np.all(hi.h >= lo.h - 1e-9)


def test_debtrank_large_sparse():
    rng = np.random.default_rng(5)
    n = 2000
    A = sp.random(n, n, density=5 / n, random_state=7, format="csr")
    A.setdiag(0)
    A.eliminate_zeros()
    E = np.asarray(A.sum(axis=1)).ravel() * 0.3 + 0.1
    shock = np.where(rng.random(n) < 0.1, 1.0, 0.0)
    for method in ("original", "linear"):
        s = debtrank(A, E, shock, method=method)
        d = debtrank(A.toarray(), E, shock, method=method)
        np.testing.assert_allclose(s.h, d.h, atol=1e-12)
        assert 0 < s.R < 1


# ---------------------------------------------------------------------------
# threshold (Furfine) cascade
# ---------------------------------------------------------------------------


def test_threshold_cascade_worked_example():
    """Bank 0 fails; bank 1 lost 3 > capital 2 and fails; bank 2 lost 1 from
    bank 0 and 2 from bank 1: 3 = capital 3, not strictly more: survives.
    With 50% recovery bank 1 loses 1.5 < 2 and survives.
    """
    A = np.array([[0, 0, 0], [3.0, 0, 0], [1.0, 2.0, 0]])
    K = np.array([1.0, 2.0, 3.0])
    assert threshold_cascade(A, K, [0]).tolist() == [True, True, False]
    assert threshold_cascade(A, K, np.array([True, False, False]), recovery=0.5).tolist() == [True, False, False]
    K2 = np.array([1.0, 2.0, 2.999])
    assert threshold_cascade(A, K2, [0]).tolist() == [True, True, True]
    # per-debtor recovery: full recovery on bank 0's debts
    assert threshold_cascade(A, K2, [0], recovery=[1.0, 0.0, 0.0]).tolist() == [True, False, False]


@PROP
@given(exposure_networks(), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_threshold_cascade_matches_pure_python(net, recovery, seed):
    A, E, _ = net
    n = A.shape[0]
    init = np.random.default_rng(seed).random(n) < 0.2
    got = threshold_cascade(A, E, init, recovery=recovery)
    want = ref.threshold_cascade(n, ref.edges_from_matrix(A), list(E), list(init), recovery)
    assert got.tolist() == want
    assert np.array_equal(threshold_cascade(sp.csr_matrix(A), E, init, recovery=recovery), got)
    # more capital never creates defaults
    assert not np.any(threshold_cascade(A, E * 2, init, recovery=recovery) & ~got)


def test_threshold_cascade_errors():
    A = np.array([[0, 1.0], [1.0, 0]])
    with pytest.raises(ValueError, match="capital has length 3"):
        threshold_cascade(A, [1, 1, 1], [0])
    with pytest.raises(ValueError, match="initially_defaulted has node indices outside"):
        threshold_cascade(A, [1, 1], [5])
    with pytest.raises(ValueError, match="recovery must be in"):
        threshold_cascade(A, [1, 1], [0], recovery=1.5)


# ---------------------------------------------------------------------------
# Gai & Kapadia (2010)
# ---------------------------------------------------------------------------


def test_gai_kapadia_exact_threshold_on_complete_graphs():
    """Complete graphs make the network deterministic (p = 1).

    n = 6: each bank has 5 debtors, so one default costs 0.20/5 = 0.04 of
    assets = exactly the 4% capital -> not *strictly* more: only the shocked
    bank fails (decided by the integer test 25·d > 5·k, not by rounding).  With
    3.9% capital, or with
    n = 5 (4 debtors: 0.05 > 0.04), everybody fails.
    """
    r = gai_kapadia(6, 5, draws=3, rng=0)
    np.testing.assert_allclose(r.defaulted_share, 1 / 6)
    assert r.probability == 1.0  # 1 of 6 banks is >= 5%
    r = gai_kapadia(6, 5, capital_ratio=0.039, draws=3, rng=0)
    np.testing.assert_allclose(r.defaulted_share, 1.0)
    r = gai_kapadia(5, 4, draws=3, rng=0)
    np.testing.assert_allclose(r.defaulted_share, 1.0)
    # exact fractions are accepted too: 3/50 capital with 1/5 interbank, 4 debtors:
    # loss 1/20 < 3/50 -> no contagion
    r = gai_kapadia(5, 4, capital_ratio=Fraction(3, 50), interbank_share=Fraction(1, 5), draws=2, rng=0)
    np.testing.assert_allclose(r.defaulted_share, 0.2)


def test_gai_kapadia_integer_thresholds_resolve_float_ties():
    """3% capital, 10% interbank assets, 30 debtors: 9 defaults cost exactly 3%
    (a tie, no default) although the float sum of nine 0.1/30 exceeds 0.03.
    """
    assert sum([0.1 / 30] * 9) > 0.03  # the floating-point trap
    assert gai_kapadia_thresholds([30], 0.03, 0.1).tolist() == [10]
    k = np.arange(0, 40)
    # GK baseline: 4% / 20% -> vulnerable to a single default iff k < 5
    np.testing.assert_array_equal(gai_kapadia_thresholds(k), k // 5 + 1)
    np.testing.assert_array_equal(gai_kapadia_thresholds(k, Fraction(1, 25), Fraction(1, 5)), k // 5 + 1)


def test_gai_kapadia_robust_yet_fragile_window():
    """Gai & Kapadia (2010), Fig. 3a: n = 1000, capital 4%, interbank assets
    20%.  Contagion is absent for very sparse networks, frequent and
    system-wide for mean degree ~3–4, and vanishes again for dense networks
    (z ~ 10), while the extent stays near 100% whenever it occurs.
    """
    draws = 400
    sparse = gai_kapadia(1000, 0.5, draws=draws, rng=11)
    assert sparse.probability <= 0.02
    for z in (3.0, 4.0):
        mid = gai_kapadia(1000, z, draws=draws, rng=12)
        assert mid.probability >= 0.6, (z, mid.probability)
        assert mid.extent >= 0.9
    edge = gai_kapadia(1000, 6.0, draws=draws, rng=13)
    assert 0.02 <= edge.probability <= 0.5
    assert edge.extent >= 0.97  # rare but catastrophic
    dense = gai_kapadia(1000, 10.0, draws=draws, rng=14)
    assert dense.probability <= 0.02


def test_gai_kapadia_deterministic_and_seed_sensitive():
    a = gai_kapadia(300, 3.0, draws=50, rng=1)
    b = gai_kapadia(300, 3.0, draws=50, rng=1)
    c = gai_kapadia(300, 3.0, draws=50, rng=2)
    assert np.array_equal(a.defaulted_share, b.defaulted_share)
    assert not np.array_equal(a.defaulted_share, c.defaulted_share)
    g = gai_kapadia(300, 3.0, draws=50, rng=np.random.default_rng(1))
    assert np.array_equal(a.defaulted_share, g.defaulted_share)


def test_gai_kapadia_matches_pure_python_distribution():
    """Same model, independent implementation (float test, pairwise Bernoulli
    graph): the mean defaulted share agrees within sampling error.
    """
    n, z, draws = 200, 2.5, 150
    fast = gai_kapadia(n, z, draws=draws, rng=3)
    slow = np.array([ref.gai_kapadia_draw(n, z, seed=s) for s in range(draws)]) / n
    se = np.sqrt(fast.defaulted_share.var() / draws + slow.var() / draws)
    assert abs(fast.defaulted_share.mean() - slow.mean()) < 4 * se + 1e-9


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n=1), "n must be >= 2"),
        (dict(mean_degree=-1.0), "mean_degree must be >= 0"),
        (dict(mean_degree=20.0), "mean_degree must be <= n - 1"),
        (dict(capital_ratio=1.5), r"capital_ratio must be in \[0, 1\]"),
        (dict(draws=0), "draws must be >= 1"),
        (dict(rng=None), "rng must be"),
    ],
)
def test_gai_kapadia_errors(kwargs, match):
    args = dict(n=10, mean_degree=2.0, draws=5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        gai_kapadia(**args)
