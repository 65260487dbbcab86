"""Validation of simulator.kernels.fire_sales (price impact, GLT 2015, Caccioli 2014, CFS 2005)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

import simulator.kernels.fire_sales as fs
from simulator.kernels.clearing import eisenberg_noe
from simulator.kernels.fire_sales import (
    PRICE_IMPACT_MODELS,
    caccioli_cascade,
    cifuentes_equilibrium,
    exponential_price_impact,
    greenwood_vulnerability,
    linear_price_impact,
    price_impact,
)

PROP = settings(
    max_examples=100, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)


# ---------------------------------------------------------------------------
# price impact
# ---------------------------------------------------------------------------


def test_price_impact_values():
    sold = np.array([0.0, 1.0, 2.0, 5.0])
    np.testing.assert_allclose(exponential_price_impact(sold, 2.0), np.exp(-sold / 2))
    np.testing.assert_allclose(linear_price_impact(sold, 2.0), [1.0, 0.5, 0.0, 0.0])
    # per-asset depths broadcast; inf depth means no impact
    np.testing.assert_allclose(exponential_price_impact([1.0, 1.0], [1.0, np.inf]), [np.exp(-1), 1.0])
    # Caccioli et al. (2014): alpha = 1.0536 -> selling 10% of an asset cuts its price by 10%
    assert exponential_price_impact(0.1, 1 / 1.0536) == pytest.approx(0.9, abs=1e-4)
    assert price_impact(1.0, 2.0) == exponential_price_impact(1.0, 2.0)
    assert price_impact(1.0, 2.0, model="linear") == 0.5
    assert set(PRICE_IMPACT_MODELS) == {"exponential", "linear"}
    assert PRICE_IMPACT_MODELS["linear"] is linear_price_impact


@PROP
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=20), st.floats(1e-6, 1e6))
def test_price_impact_bounds_and_monotonicity(sold, depth):
    s = np.sort(np.array(sold))
    for model in PRICE_IMPACT_MODELS:
        p = price_impact(s, depth, model)
        assert np.all(p <= 1.0) and np.all(p >= 0.0)
        assert np.all(np.diff(p) <= 0)
    assert np.all(exponential_price_impact(s[s / depth < 700], depth) > 0)


def test_price_impact_errors():
    with pytest.raises(ValueError, match=r"unknown model 'sqrt'; choose from \['exponential', 'linear'\]"):
        price_impact(1.0, 1.0, model="sqrt")
    with pytest.raises(ValueError, match="sold must be >= 0"):
        exponential_price_impact(-1.0, 1.0)
    with pytest.raises(ValueError, match="depth must be > 0"):
        linear_price_impact(1.0, 0.0)
    with pytest.raises(ValueError, match="sold must be >= 0"):
        exponential_price_impact([np.nan], 1.0)


# ---------------------------------------------------------------------------
# Greenwood, Landier & Thesmar (2015)
# ---------------------------------------------------------------------------


def test_greenwood_closed_form_two_banks_two_assets():
    """Hand computation of GLT's formulas.

    a = (100, 50), e = (10, 5) -> leverage b = (9, 9); M = [[.5, .5], [1, 0]];
    F = (-10%, 0); ell = 1e-3 per unit sold.
    Direct losses A M (-F) = (5, 5); sales B·(5, 5) = (45, 45);
    asset sales M'·(45, 45) = (67.5, 22.5); returns -ell·sales = (-.0675, -.0225);
    fire-sale losses: bank 0 100·(.5·.0675 + .5·.0225) = 4.5, bank 1 50·.0675 =
    3.375; AV = 7.875 / 15 = 0.525.  1'AML = ell·M'a = (0.1, 0.05), so
    S_0 = (.5·.1 + .5·.05)·45/15 = 0.225, S_1 = .1·45/15 = 0.3.
    """
    g = greenwood_vulnerability([100, 50], [10, 5], [[0.5, 0.5], [1, 0]], [-0.1, 0.0], 1e-3)
    assert g.aggregate_vulnerability == pytest.approx(0.525)
    np.testing.assert_allclose(g.systemicness, [0.225, 0.3])
    np.testing.assert_allclose(g.bank_losses, [4.5, 3.375])
    np.testing.assert_allclose(g.direct_losses, [5, 5])
    np.testing.assert_allclose(g.asset_sales, [67.5, 22.5])
    np.testing.assert_allclose(g.price_changes, [-0.0675, -0.0225])
    np.testing.assert_allclose(g.indirect_vulnerability, [0.45, 0.675])


@st.composite
def glt_systems(draw):
    N = draw(st.integers(1, 8))
    K = draw(st.integers(1, 6))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.exponential(100, N) + 1
    e = a * rng.uniform(0.02, 1.0, N)
    M = rng.random((N, K)) * (rng.random((N, K)) < 0.7)
    M = M / np.maximum(M.sum(axis=1, keepdims=True), 1e-12)
    F = -rng.uniform(0, 0.3, K)
    ell = rng.uniform(0, 1e-3, K)
    return a, e, M, F, ell


@PROP
@given(glt_systems())
def test_greenwood_matrix_formula_and_decomposition(sysm):
    """AV = 1'AMLM'BAM(-F)/E and sum(S) = AV (GLT 2015, eqs. for AV and S_n)."""
    a, e, M, F, ell = sysm
    g = greenwood_vulnerability(a, e, M, F, ell)
    A, B, L = np.diag(a), np.diag((a - e) / e), np.diag(ell)
    av = np.ones(a.size) @ A @ M @ L @ M.T @ B @ A @ M @ (-F) / e.sum()
    assert g.aggregate_vulnerability == pytest.approx(av, rel=1e-10, abs=1e-15)
    assert g.systemicness.sum() == pytest.approx(g.aggregate_vulnerability, rel=1e-10, abs=1e-15)
    assert np.all(g.bank_losses >= 0)
    # linear in the shock and in the price impact
    g2 = greenwood_vulnerability(a, e, M, 2 * F / 3, 3 * ell)
    assert g2.aggregate_vulnerability == pytest.approx(2 * av, rel=1e-10, abs=1e-15)
    gs = greenwood_vulnerability(a, e, sp.csr_matrix(M), F, ell)
    np.testing.assert_allclose(gs.systemicness, g.systemicness, rtol=1e-12, atol=1e-15)


def test_greenwood_errors():
    with pytest.raises(ValueError, match="weights has shape"):
        greenwood_vulnerability([1, 1], [0.5, 0.5], np.ones((3, 2)), [0, 0], 0.1)
    with pytest.raises(ValueError, match="equity must not exceed assets"):
        greenwood_vulnerability([1, 1], [2, 0.5], np.ones((2, 2)), [0, 0], 0.1)
    with pytest.raises(ValueError, match="shock has length 3"):
        greenwood_vulnerability([1, 1], [0.5, 0.5], np.ones((2, 2)), [0, 0, 0], 0.1)
    with pytest.raises(ValueError, match="price_impact has negative"):
        greenwood_vulnerability([1, 1], [0.5, 0.5], np.ones((2, 2)), [0, 0], -0.1)
    with pytest.raises(ValueError, match="weights contains NaN"):
        greenwood_vulnerability([1, 1], [0.5, 0.5], np.array([[np.nan, 1], [1, 1]]), [0, 0], 0.1)


# ---------------------------------------------------------------------------
# Caccioli, Shrestha, Moore & Farmer (2014)
# ---------------------------------------------------------------------------


def test_caccioli_diversification_window():
    """Caccioli et al. (2014), Fig. 2: N = M = 1000 banks and assets, a random
    bank fails.  Contagion needs enough overlap (mu_b > ~1) but disappears
    with strong diversification; the unstable window widens with leverage.
    """
    draws = 150
    p = {}
    for lev, mu in [(20, 0.5), (20, 3.0), (20, 25.0), (10, 8.0), (33, 8.0), (10, 3.0), (33, 25.0)]:
        p[lev, mu] = caccioli_cascade(1000, 1000, mu, lev, draws=draws, rng=100 + int(mu * 10) + lev)
    assert p[20, 0.5].probability <= 0.03
    assert p[20, 3.0].probability >= 0.85 and p[20, 3.0].extent >= 0.85
    assert p[20, 25.0].probability <= 0.03 and p[33, 25.0].probability <= 0.03
    assert p[10, 3.0].probability >= 0.4
    assert p[10, 8.0].probability <= 0.05
    assert p[33, 8.0].probability >= 0.5 and p[33, 8.0].extent >= 0.95


@pytest.fixture
def price_impact_depths(monkeypatch) -> list[float]:
    """The depth of every call the kernels make to the shared exponential price impact."""
    depths = []
    original = fs.exponential_price_impact

    def spy(sold, depth):
        depths.append(depth)
        return original(sold, depth)

    monkeypatch.setattr(fs, "exponential_price_impact", spy)
    return depths


def test_caccioli_uses_shared_price_impact(price_impact_depths):
    caccioli_cascade(50, 50, 3.0, 20, alpha=2.0, draws=3, rng=0)
    assert price_impact_depths and all(d == pytest.approx(0.5) for d in price_impact_depths)


def test_caccioli_small_worked_example():
    """One asset held by two banks with leverage 10 (equity 0.1 of assets 1):
    bank A fails and sells its half of the asset -> price exp(-1.0536·0.5) =
    0.5905, bank B loses 0.41 > 0.1 and fails.  With alpha = 0.2 the price
    falls to exp(-0.1) = 0.905 and B loses 0.095 < 0.1: it survives.
    """
    r = caccioli_cascade(2, 1, 1.0, 10, draws=4, rng=0)  # mu_b = M: complete bipartite
    np.testing.assert_allclose(r.failed_share, 1.0)
    r = caccioli_cascade(2, 1, 1.0, 10, alpha=0.2, draws=4, rng=0)
    np.testing.assert_allclose(r.failed_share, 0.5)
    # an asset devaluation of 20% with leverage 4 (equity 25%) does not fail anyone
    r = caccioli_cascade(2, 1, 1.0, 4, shock=0.2, draws=2, rng=0)
    np.testing.assert_allclose(r.failed_share, 0.0)
    assert r.probability == 0.0 and np.isnan(r.extent)
    r = caccioli_cascade(2, 1, 1.0, 4, shock=0.3, draws=2, rng=0)
    np.testing.assert_allclose(r.failed_share, 1.0)


def test_caccioli_deterministic_and_errors():
    a = caccioli_cascade(200, 200, 3.0, 20, draws=20, rng=5)
    b = caccioli_cascade(200, 200, 3.0, 20, draws=20, rng=5)
    assert np.array_equal(a.failed_share, b.failed_share)
    with pytest.raises(ValueError, match="leverage"):
        caccioli_cascade(10, 10, 2.0, 0.5)
    with pytest.raises(ValueError, match="mean_diversification must be <= n_assets"):
        caccioli_cascade(10, 10, 20.0, 10)
    with pytest.raises(ValueError, match="unknown shock 'asset'"):
        caccioli_cascade(10, 10, 2.0, 10, shock="asset")


# ---------------------------------------------------------------------------
# Cifuentes, Ferrucci & Shin (2005)
# ---------------------------------------------------------------------------


def test_cifuentes_no_breach_no_sales():
    L = np.array([[0, 1.0], [1.0, 0]])
    r = cifuentes_equilibrium(L, [1.0, 1.0], [0.1, 0.1], 0.1, alpha=0.5)
    assert r.price == 1.0 and np.all(r.sales == 0) and r.converged
    np.testing.assert_allclose(r.payments, [1.0, 1.0])


def test_cifuentes_two_bank_fixed_point_against_root_finder():
    """Bank 0 owes 1 to bank 1 and holds 1.2 units of the illiquid asset; r* =
    20%.  Its capital ratio (1.2p - 1)/(1.2p) is below r*, so it sells
    s(p) = 1.2 - (1.2p - 1)/(0.2p) = 5/p - 4.8 units (CFS's sale rule); bank 1
    (ratio >= 1) sells nothing.  The equilibrium price solves
    p = exp(-alpha (5/p - 4.8)); for alpha = 0.1 the greatest root lies in
    (0.95, 1).
    """
    L = np.array([[0, 1.0], [0, 0]])
    r = cifuentes_equilibrium(L, [1.2, 1.0], [0.0, 0.0], 0.2, alpha=0.1)
    root = brentq(lambda p: np.exp(-0.1 * (5 / p - 4.8)) - p, 0.95, 1.0, xtol=1e-15)
    assert r.converged
    assert r.price == pytest.approx(root, abs=1e-10)
    assert r.sales[0] == pytest.approx(5 / root - 4.8, abs=1e-8)
    assert r.sales[1] == 0.0
    # no root above: the iteration from p = 1 reached the greatest equilibrium
    grid = np.linspace(root + 1e-6, 1.0, 2000)
    assert np.all(np.exp(-0.1 * (5 / grid - 4.8)) < grid)
    assert not r.defaulted.any()


def test_cifuentes_insolvent_bank_sells_everything_and_defaults():
    """Bank 0's assets (0.5 units + 0.1 cash) cannot cover its debt of 1: it
    defaults, pays what it has to bank 1, and dumps all its illiquid asset.
    """
    L = np.array([[0, 1.0], [0, 0]])
    alpha = 0.3
    r = cifuentes_equilibrium(L, [0.5, 2.0], [0.1, 0.5], 0.1, alpha)
    assert r.defaulted.tolist() == [True, False]
    assert r.sales[0] == 0.5
    assert r.price == pytest.approx(np.exp(-alpha * r.sales.sum()), abs=1e-12)
    np.testing.assert_allclose(r.payments[0], r.price * 0.5 + 0.1, rtol=1e-12)
    # payments are the Eisenberg-Noe clearing vector at the equilibrium price
    en = eisenberg_noe(L, r.price * np.array([0.5, 2.0]) + np.array([0.1, 0.5]))
    np.testing.assert_allclose(r.payments, en.payments, rtol=1e-12)


def test_cifuentes_fixed_point_properties_ring_and_sparse(price_impact_depths):
    """Ring of 6 banks, one weak: equilibrium conditions hold, sparse = dense,
    and the price comes from the shared exponential price-impact function.
    """
    n = 6
    L = np.zeros((n, n))
    for i in range(n):
        L[i, (i + 1) % n] = 1.0
    e = np.full(n, 1.0)
    e[0] = 0.6
    c = np.full(n, 0.12)
    r = cifuentes_equilibrium(L, e, c, 0.5, alpha=0.5)
    assert price_impact_depths and all(d == pytest.approx(1 / 0.5) for d in price_impact_depths)
    assert r.converged and r.price < 1 and r.sales[0] > 0
    assert r.price == pytest.approx(np.exp(-0.5 * r.sales.sum()), abs=1e-11)
    en = eisenberg_noe(L, r.price * e + c)
    np.testing.assert_allclose(r.payments, en.payments, rtol=1e-12)
    # selling banks end exactly at r* (or sold everything); others satisfy it
    receipts = L.T @ (r.payments / L.sum(axis=1))
    post = r.equity / (r.price * (e - r.sales) + receipts)
    selling = r.sales > 0
    np.testing.assert_allclose(post[selling & (r.sales < e)], 0.5, atol=1e-9)
    assert np.all(r.capital_ratio[~selling] >= 0.5 - 1e-12)
    s = cifuentes_equilibrium(sp.csr_matrix(L), e, c, 0.5, alpha=0.5)
    assert s.price == pytest.approx(r.price, abs=1e-12)
    np.testing.assert_allclose(s.sales, r.sales, atol=1e-10)


def test_cifuentes_errors():
    L = np.array([[0, 1.0], [0, 0]])
    with pytest.raises(ValueError, match="illiquid_holdings has length 3"):
        cifuentes_equilibrium(L, [1, 1, 1], [0, 0], 0.1, 0.1)
    with pytest.raises(ValueError, match="capital_ratio must be > 0"):
        cifuentes_equilibrium(L, [1, 1], [0, 0], 0.0, 0.1)
    with pytest.raises(ValueError, match="liquid_assets has negative"):
        cifuentes_equilibrium(L, [1, 1], [0, -1], 0.1, 0.1)


def test_volume_for_price_factor_inverts_price_impact():
    from simulator.kernels.fire_sales import price_impact, volume_for_price_factor

    for model in ("exponential", "linear"):
        for factor in (0.3, 0.7, 1.0):
            volume = volume_for_price_factor(factor, 12.0, model)
            assert float(price_impact(volume, 12.0, model=model)) == pytest.approx(factor)
    with pytest.raises(ValueError, match="unknown"):
        volume_for_price_factor(0.5, 1.0, "cubic")
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\]"):
        volume_for_price_factor(0.0, 1.0)
