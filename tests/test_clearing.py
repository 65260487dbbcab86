"""Validation of simulator.kernels.clearing (Eisenberg–Noe, Rogers–Veraart)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from networks.synthetic import random_interbank_liabilities
from simulator.kernels.clearing import ClearingResult, eisenberg_noe, rogers_veraart
from tests import _pure_python as ref

# ---------------------------------------------------------------------------
# worked examples
# ---------------------------------------------------------------------------


def _systemicrisk_example():
    """The documented example of ``default_clearing`` in the R package
    *systemicrisk* (Gandy & Veraart; CRAN, ``?default_clearing``)::

        ea <- c(1/2,5/8,3/4); el <- c(3/2,1/2,1/2); x <- 0.5
        L <- matrix(c(0,x,1-x,1-x,0,x,x,1-x,0),nrow=3)

    i.e. three banks owing each other 0.5 pairwise, external assets
    ``ea`` and external liabilities ``el``.  External creditors rank pari passu
    with interbank ones, so they are represented here by a fourth node (the
    outside world) that is owed ``el`` and owes nothing.
    """
    L = np.array(
        [
            [0.0, 0.5, 0.5, 1.5],
            [0.5, 0.0, 0.5, 0.5],
            [0.5, 0.5, 0.0, 0.5],
            [0.0, 0.0, 0.0, 0.0],
        ]
    )
    e = np.array([0.5, 5 / 8, 3 / 4, 0.0])
    return L, e


def test_eisenberg_noe_systemicrisk_example():
    """Hand solution of the systemicrisk example by the fictitious-default algorithm.

    p̄ = (5/2, 3/2, 3/2).  Round 1 (everybody pays in full): bank 1 has
    1/2 + 1/2 + 1/2 = 3/2 < 5/2 and defaults; banks 2, 3 are solvent.  Round 2:
    bank 1 pays p1 = 1/2 + 1/3·3/2 + 1/3·3/2 = 3/2, so bank 2 has
    5/8 + 1/5·3/2 + 1/2 = 57/40 < 3/2 and defaults; bank 3 has
    3/4 + 3/10 + 1/2 = 31/20 >= 3/2.  Round 3 solves
    p1 = 1 + p2/3, p2 = 9/8 + p1/5, giving p2 = 159/112, p1 = 165/112; bank 3
    then has 3/4 + 33/112 + 53/112 = 1.5179 >= 3/2: no new default.
    """
    L, e = _systemicrisk_example()
    r = eisenberg_noe(L, e)
    expected = np.array([165 / 112, 159 / 112, 1.5, 0.0])
    np.testing.assert_allclose(r.payments, expected, rtol=0, atol=1e-14)
    assert r.defaulted.tolist() == [True, True, False, False]
    assert [d.tolist() for d in r.rounds] == [[True, False, False, False], [True, True, False, False]]
    np.testing.assert_allclose(r.total_liabilities, [2.5, 1.5, 1.5, 0.0])
    # EN equity = e + Π'p - p̄ = -(shortfall) for defaulted banks
    np.testing.assert_allclose(r.equity[:2], -(r.total_liabilities - r.payments)[:2], atol=1e-14)
    np.testing.assert_allclose(r.equity[2], 0.75 + 33 / 112 + 53 / 112 - 1.5, atol=1e-14)
    # the outside world receives 0.6·p1 + p2/3 + 1/2
    np.testing.assert_allclose(r.equity[3], 0.6 * 165 / 112 + 159 / 336 + 0.5, atol=1e-14)


def test_rogers_veraart_systemicrisk_example_with_costs():
    """Same example with ``alpha = 0.5, beta = 0.7`` (the second call in the
    systemicrisk documentation).

    Round 1 is the same as for EN (bank 1 fails).  Bank 1 then pays
    0.5·1/2 + 0.7·(1/2 + 1/2) = 0.95, which leaves bank 2 with
    5/8 + 0.19 + 1/2 = 1.315 < 3/2 and bank 3 with 3/4 + 0.19 + 1/2 = 1.44 < 3/2:
    both default, and the final payments solve
    p_i = alpha e_i + beta (Π'p)_i for all three banks.
    """
    L, e = _systemicrisk_example()
    r = rogers_veraart(L, e, 0.5, 0.7)
    assert r.defaulted.tolist() == [True, True, True, False]
    assert len(r.rounds) == 2
    Pi = L[:3, :3] / L[:3].sum(axis=1, keepdims=True)
    A = np.eye(3) - 0.7 * Pi.T
    expected = np.linalg.solve(A, 0.5 * e[:3])
    np.testing.assert_allclose(r.payments[:3], expected, rtol=1e-13)
    # equity is the pre-cost net worth e + Π'p - p̄ (negative), shortfall is p̄ - p
    receipts = L.T @ (r.payments / np.where(r.total_liabilities > 0, r.total_liabilities, 1))
    np.testing.assert_allclose(r.equity, e + receipts - r.total_liabilities, atol=1e-14)
    assert np.all(r.shortfall[:3] > -r.equity[:3])  # default costs add to the creditors' loss


def test_eisenberg_noe_two_banks_docstring_example():
    """Bank 0 owes 2 to bank 1, bank 1 owes 1 to bank 0, e = (0.5, 0)."""
    r = eisenberg_noe(np.array([[0, 2.0], [1.0, 0]]), [0.5, 0.0])
    np.testing.assert_allclose(r.payments, [1.5, 1.0])
    assert r.defaulted.tolist() == [True, False]
    np.testing.assert_allclose(r.equity, [-0.5, 0.5])


def test_rogers_veraart_costs_create_contagion_chain():
    """A chain 0 -> 1 -> 2 of unit debts, e = (0.9, 0.2, 0), worked by hand.

    Eisenberg–Noe: bank 0 pays 0.9; bank 1 has 0.9 + 0.2 = 1.1 >= 1 and pays in
    full: one default.  Rogers–Veraart with alpha = beta = 0.5: bank 0 pays
    0.45; bank 1 has 0.45 + 0.2 = 0.65 < 1, defaults and pays
    0.5·0.2 + 0.5·0.45 = 0.325 (default costs propagate distress, RV 2013 §4).
    """
    L = np.array([[0, 1.0, 0], [0, 0, 1.0], [0, 0, 0]])
    e = np.array([0.9, 0.2, 0.0])
    en = eisenberg_noe(L, e)
    np.testing.assert_allclose(en.payments, [0.9, 1.0, 0.0])
    assert en.defaulted.tolist() == [True, False, False]
    rv = rogers_veraart(L, e, 0.5, 0.5)
    np.testing.assert_allclose(rv.payments, [0.45, 0.325, 0.0])
    assert rv.defaulted.tolist() == [True, True, False]
    assert [d.tolist() for d in rv.rounds] == [[True, False, False], [True, True, False]]
    np.testing.assert_allclose(rv.equity, [0.9 - 1, 0.2 + 0.45 - 1, 0.325])


def test_greatest_not_least_clearing_vector_with_zero_external_assets():
    """A cycle of unit debts with no external assets has every p = t·1,
    t in [0, 1], as clearing vector; the greatest one is full payment.
    """
    L = np.array([[0, 1.0, 0], [0, 0, 1.0], [1.0, 0, 0]])
    for res in (
        eisenberg_noe(L, np.zeros(3)),
        rogers_veraart(L, np.zeros(3), 0.3, 0.6),
        eisenberg_noe(sp.csr_matrix(L), np.zeros(3)),
    ):
        np.testing.assert_array_equal(res.payments, [1.0, 1.0, 1.0])
        assert not res.defaulted.any()
        assert len(res.rounds) == 1 and not res.rounds[0].any()


def test_zero_rows_and_zero_external_assets():
    """Nodes owing nothing (all-zero rows) never default; zero e is allowed."""
    L = np.array([[0, 0, 0], [2.0, 0, 1.0], [0, 0, 0]])
    e = np.zeros(3)
    for res in (eisenberg_noe(L, e), rogers_veraart(L, e, 0.5, 0.5), eisenberg_noe(sp.csr_matrix(L), e)):
        np.testing.assert_array_equal(res.payments, [0.0, 0.0, 0.0])
        assert res.defaulted.tolist() == [False, True, False]
        np.testing.assert_array_equal(res.equity, [0.0, -3.0, 0.0])
    empty = eisenberg_noe(np.zeros((4, 4)), np.zeros(4))
    assert not empty.defaulted.any() and np.all(empty.payments == 0)


def test_result_type_and_fields():
    L, e = _systemicrisk_example()
    r = rogers_veraart(L, e, 0.9, 0.9)
    assert isinstance(r, ClearingResult)
    with pytest.raises(AttributeError):
        r.payments = None  # frozen
    assert r.rounds[-1] is r.defaulted or np.array_equal(r.rounds[-1], r.defaulted)
    assert r.n_defaulted == int(r.defaulted.sum())


def test_engine_sized_call_handles_many_rounds():
    """N = 30 dense, a long cascade: still exact (compare with the pure-Python oracle)."""
    n = 30
    L = np.zeros((n, n))
    for i in range(n - 1):
        L[i, i + 1] = 1.0
    e = np.full(n, 0.05)
    e[0] = 0.0
    r = rogers_veraart(L, e, 0.5, 0.5)
    p, d = ref.clearing_picard(n, ref.edges_from_matrix(L), list(e), 0.5, 0.5)
    np.testing.assert_allclose(r.payments, p, atol=1e-12)
    assert r.defaulted.tolist() == d
    assert len(r.rounds) == n - 1


# ---------------------------------------------------------------------------
# input validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "L, e, match",
    [
        (np.ones((2, 3)), np.ones(2), "liabilities must be a square matrix"),
        (np.ones(3), np.ones(3), "liabilities must be a 2-D matrix"),
        (np.array([[0, 1.0], [1.0, 0]]), np.ones(3), "external_assets has length 3"),
        (np.array([[0, -1.0], [1.0, 0]]), np.ones(2), "liabilities has negative entries"),
        (np.array([[0, np.nan], [1.0, 0]]), np.ones(2), "liabilities contains NaN"),
        (np.array([[0, np.inf], [1.0, 0]]), np.ones(2), "liabilities contains infinite"),
        (np.array([[1.0, 1.0], [1.0, 0]]), np.ones(2), "liabilities has a nonzero diagonal"),
        (np.array([[0, 1.0], [1.0, 0]]), np.array([1.0, -1.0]), "external_assets has negative"),
        (np.array([[0, 1.0], [1.0, 0]]), np.array([1.0, np.nan]), "external_assets contains NaN"),
        (sp.csr_matrix(np.array([[0, -1.0], [1.0, 0]])), np.ones(2), "liabilities has negative"),
        (sp.csr_matrix(np.ones((2, 3))), np.ones(2), "liabilities must be a square matrix"),
    ],
)
def test_input_errors(L, e, match):
    with pytest.raises(ValueError, match=match):
        eisenberg_noe(L, e)
    with pytest.raises(ValueError, match=match):
        rogers_veraart(L, e, 0.5, 0.5)


@pytest.mark.parametrize("alpha, beta", [(-0.1, 0.5), (0.5, 1.5), (float("nan"), 0.5)])
def test_alpha_beta_range(alpha, beta):
    with pytest.raises(ValueError, match=r"alpha|beta"):
        rogers_veraart(np.array([[0, 1.0], [1.0, 0]]), [0.0, 0.0], alpha, beta)


# ---------------------------------------------------------------------------
# property-based tests
# ---------------------------------------------------------------------------


@st.composite
def networks(draw, max_n=8):
    n = draw(st.integers(2, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    density = draw(st.sampled_from([0.2, 0.5, 1.0]))
    scale = draw(st.sampled_from([0.0, 0.3, 1.0, 3.0]))
    rng = np.random.default_rng(seed)
    L = rng.exponential(1.0, (n, n)) * (rng.random((n, n)) < density)
    np.fill_diagonal(L, 0.0)
    if draw(st.booleans()):
        L[rng.integers(n)] = 0.0  # a node owing nothing
    e = rng.exponential(scale, n) if scale > 0 else np.zeros(n)
    if draw(st.booleans()):
        e[rng.random(n) < 0.3] = 0.0
    return L, e


PROP = settings(
    max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROP
@given(networks(), st.floats(0, 1), st.floats(0, 1))
def test_payments_between_zero_and_owed_and_fixed_point(net, alpha, beta):
    L, e = net
    pbar = L.sum(axis=1)
    Pi = np.divide(L, pbar[:, None], out=np.zeros_like(L), where=pbar[:, None] > 0)
    for a, b in ((1.0, 1.0), (alpha, beta)):
        r = rogers_veraart(L, e, a, b)
        assert np.all(r.payments >= 0) and np.all(r.payments <= pbar)
        x = Pi.T @ r.payments
        expected = np.where(r.defaulted, a * e + b * x, pbar)
        np.testing.assert_allclose(r.payments, expected, rtol=1e-9, atol=1e-9)
        # defaulted exactly when assets fall short (up to the documented tolerance)
        short = e + x < pbar * (1 - 1e-10)
        assert np.array_equal(short | r.defaulted, r.defaulted)
        assert not np.any(r.defaulted & (e + x >= pbar + 1e-9))
        np.testing.assert_allclose(r.equity, e + x - pbar, atol=1e-9)
        # rounds: strictly increasing default sets ending at `defaulted`
        assert np.array_equal(r.rounds[-1], r.defaulted)
        for prev, nxt in zip(r.rounds, r.rounds[1:]):
            assert np.all(nxt >= prev) and nxt.sum() > prev.sum()


@PROP
@given(networks(max_n=7))
def test_eisenberg_noe_agrees_with_linear_program(net):
    """EN (2001, Lemma 4): the greatest clearing vector maximises sum(p) over
    {0 <= p <= p̄, p <= e + Π'p}.
    """
    L, e = net
    n = L.shape[0]
    pbar = L.sum(axis=1)
    Pi = np.divide(L, pbar[:, None], out=np.zeros_like(L), where=pbar[:, None] > 0)
    lp = linprog(-np.ones(n), A_ub=np.eye(n) - Pi.T, b_ub=e, bounds=list(zip(np.zeros(n), pbar)), method="highs")
    assert lp.status == 0
    r = eisenberg_noe(L, e)
    np.testing.assert_allclose(r.payments, lp.x, rtol=1e-7, atol=1e-7 * max(1.0, pbar.max()))


@PROP
@given(networks(max_n=7), st.floats(0, 1), st.floats(0, 1))
def test_rogers_veraart_matches_pure_python_greatest_fixed_point(net, alpha, beta):
    """Decreasing Picard iteration from p̄ converges to the greatest clearing vector."""
    L, e = net
    n = L.shape[0]
    r = rogers_veraart(L, e, alpha, beta)
    p, _ = ref.clearing_picard(n, ref.edges_from_matrix(L), list(e), alpha, beta, tol=1e-15)
    np.testing.assert_allclose(r.payments, p, rtol=1e-8, atol=1e-8)


@PROP
@given(networks(), st.floats(0, 1), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_payments_monotone_in_external_assets(net, alpha, beta, seed):
    L, e = net
    bump = np.random.default_rng(seed).exponential(0.5, e.size) * (np.random.default_rng(seed + 1).random(e.size) < 0.5)
    for a, b in ((1.0, 1.0), (alpha, beta)):
        lo = rogers_veraart(L, e, a, b)
        hi = rogers_veraart(L, e + bump, a, b)
        assert np.all(hi.payments >= lo.payments - 1e-9)
        assert not np.any(hi.defaulted & ~lo.defaulted)


@PROP
@given(networks(), st.floats(0, 1), st.floats(0, 1))
def test_default_costs_lower_payments(net, alpha, beta):
    L, e = net
    en = eisenberg_noe(L, e)
    rv = rogers_veraart(L, e, alpha, beta)
    assert np.all(rv.payments <= en.payments + 1e-9)
    assert not np.any(en.defaulted & ~rv.defaulted)


@PROP
@given(networks())
def test_rogers_veraart_with_unit_recovery_equals_eisenberg_noe(net):
    L, e = net
    en = eisenberg_noe(L, e)
    rv = rogers_veraart(L, e, 1.0, 1.0)
    np.testing.assert_array_equal(rv.payments, en.payments)
    np.testing.assert_array_equal(rv.equity, en.equity)
    np.testing.assert_array_equal(rv.defaulted, en.defaulted)
    assert len(rv.rounds) == len(en.rounds)


@PROP
@given(networks(), st.floats(0, 1), st.floats(0, 1))
def test_dense_and_sparse_agree(net, alpha, beta):
    L, e = net
    for fmt in (sp.csr_matrix, sp.csc_matrix, sp.coo_array):
        d = rogers_veraart(L, e, alpha, beta)
        s = rogers_veraart(fmt(L), e, alpha, beta)
        np.testing.assert_allclose(s.payments, d.payments, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(s.defaulted, d.defaulted)
        assert len(s.rounds) == len(d.rounds)


# ---------------------------------------------------------------------------
# larger networks: dense, sparse and pure Python agree
# ---------------------------------------------------------------------------


def _random_network(n, z, seed, buffer, shocked_share):
    L, _, e, _ = random_interbank_liabilities(n, z, seed, buffer=buffer, shocked_share=shocked_share)
    return L, e


@pytest.mark.parametrize("alpha, beta", [(1.0, 1.0), (0.5, 0.5), (0.9, 0.6)])
def test_large_sparse_network_against_dense_and_pure_python(alpha, beta):
    L, e = _random_network(400, 6, seed=3, buffer=0.05, shocked_share=0.2)
    s = rogers_veraart(L, e, alpha, beta)
    d = rogers_veraart(L.toarray(), e, alpha, beta)
    p, dflt = ref.clearing_picard(400, ref.edges_from_matrix(L), list(e), alpha, beta, tol=1e-14)
    assert s.defaulted.sum() >= 40  # a genuine cascade
    np.testing.assert_allclose(s.payments, d.payments, rtol=1e-11, atol=1e-11)
    np.testing.assert_array_equal(s.defaulted, d.defaulted)
    np.testing.assert_allclose(s.payments, p, rtol=1e-9, atol=1e-9)
    assert s.defaulted.tolist() == dflt


def test_nearly_closed_defaulted_set_is_solved_accurately():
    """A long cycle in which every node defaults slightly: the block system has
    spectral radius close to 1 (slow Picard), exercising the Krylov branch.
    """
    n = 300
    rows = np.arange(n)
    cols = (rows + 1) % n
    leak = 1e-3  # a tiny share of each debt goes to an outside node n
    data = np.full(n, 1.0 - leak)
    L = sp.csr_matrix(
        (
            np.concatenate((data, np.full(n, leak))),
            (np.concatenate((rows, rows)), np.concatenate((cols, np.full(n, n)))),
        ),
        shape=(n + 1, n + 1),
    )
    e = np.zeros(n + 1)
    e[:n] = 1e-4
    r = eisenberg_noe(L, e)
    # by symmetry every cycle node pays p with p = 1e-4 + (1 - leak) p -> p = 0.1
    np.testing.assert_allclose(r.payments[:n], 0.1, rtol=1e-11)
    assert r.defaulted[:n].all() and not r.defaulted[n]
    dense = eisenberg_noe(L.toarray(), e)
    np.testing.assert_allclose(dense.payments, r.payments, rtol=1e-11)


def test_exact_fractions_small_case():
    """All-rational example, compared with exact Fraction arithmetic."""
    L = np.array([[0, 4.0, 4.0], [2.0, 0, 2.0], [1.0, 1.0, 0]])
    e = np.array([1.0, 0.5, 0.0])
    r = eisenberg_noe(L, e)
    # bank 0: 1 + 2·(1/2) ... solve by hand with Fractions:
    # p̄ = (8, 4, 2). Round 1: receipts (2+1, 4+1, 4+2) = (3, 5, 6):
    # bank 0: 1 + 3 = 4 < 8 defaults; bank 1: 5.5 >= 4; bank 2: 6 >= 2.
    # Round 2: p0 = 1 + (1/2)·4 + (1/2)·2 = 4; bank 1: 0.5 + 2 + 1 = 3.5 < 4 defaults;
    # bank 2: 0 + 2 + 2 = 4 >= 2.  Round 3: p0 = 1 + p1/2 + 1, p1 = 1/2 + p0/2 + 1
    # -> p0 = 2 + (3/2 + p0/2)/2 = 11/4 + p0/4 -> p0 = 11/3, p1 = 3/2 + 11/6 = 10/3.
    # bank 2: 11/6 + 5/3 = 7/2 >= 2: stop.
    p0, p1 = Fraction(11, 3), Fraction(10, 3)
    np.testing.assert_allclose(r.payments, [float(p0), float(p1), 2.0], rtol=1e-15)
    assert r.defaulted.tolist() == [True, True, False]
