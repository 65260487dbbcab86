"""Fire sales and price-mediated contagion.

* Price-impact functions shared by every fire-sale mechanism of the project —
  :func:`exponential_price_impact`, :func:`linear_price_impact` and the
  dispatcher :func:`price_impact` over the registry
  :data:`PRICE_IMPACT_MODELS`.  The engine's fire-sale phase,
  :func:`caccioli_cascade` and :func:`cifuentes_equilibrium` all call these
  same functions.
* :func:`greenwood_vulnerability` — Greenwood, Landier & Thesmar (2015)
  aggregate vulnerability and systemicness under leverage targeting.
* :func:`caccioli_cascade` — Monte Carlo of the overlapping-portfolio
  contagion model of Caccioli, Shrestha, Moore & Farmer (2014).
* :func:`cifuentes_equilibrium` — joint fixed point of asset price and
  interbank clearing under a capital-ratio constraint (Cifuentes, Ferrucci &
  Shin 2005).

Money amounts are in any consistent unit (e.g. US$ billions); asset
quantities in any consistent unit (e.g. units of the asset, or currency at the
initial price 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np

from . import clearing as _clearing
from ._validation import (
    as_fraction,
    as_generator,
    as_matrix,
    as_positive_int,
    as_positive_real,
    as_square_matrix,
    as_unit_interval,
    as_vector,
    check_choice,
    check_zero_diagonal,
)

__all__ = [
    "PRICE_IMPACT_MODELS",
    "CaccioliResult",
    "CifuentesResult",
    "GreenwoodResult",
    "caccioli_cascade",
    "cifuentes_equilibrium",
    "exponential_price_impact",
    "greenwood_vulnerability",
    "linear_price_impact",
    "price_impact",
]


# ---------------------------------------------------------------------------
# price impact
# ---------------------------------------------------------------------------


def _impact_args(sold, depth):
    # Arrays that implement the numpy protocols (numpy, and e.g. CuPy through
    # __array_ufunc__) are used as they are; anything else goes through asarray.
    if not hasattr(sold, "__array_ufunc__"):
        sold = np.asarray(sold, dtype=np.float64)
    if not hasattr(depth, "__array_ufunc__"):
        depth = np.asarray(depth, dtype=np.float64)
    if bool((sold < 0).any()) or bool(np.isnan(sold).any()):
        raise ValueError("sold must be >= 0 and not NaN")
    if bool((depth <= 0).any()) or bool(np.isnan(depth).any()):
        raise ValueError("depth must be > 0 and not NaN (use inf for no price impact)")
    return sold, depth


def exponential_price_impact(sold, depth):
    """Exponential price impact: price factor ``exp(-sold / depth)``.

    Parameters
    ----------
    sold : array_like
        Cumulative quantity sold, ``>= 0`` (e.g. US$ billions at pre-sale
        prices, units of the asset, or a fraction of the outstanding amount).
    depth : array_like
        Market depth in the same unit as ``sold``, ``> 0`` (``inf`` means no
        impact).  Broadcasts against ``sold``.  Selling ``depth`` lowers the
        price by a factor ``e``.

    Returns
    -------
    numpy.ndarray
        Price relative to the pre-sale price, in (0, 1], elementwise.

    Notes
    -----
    This is the inverse demand curve of Cifuentes, Ferrucci & Shin (2005),
    ``p = exp(-alpha * s)`` with ``depth = 1 / alpha``, and the market impact of
    Caccioli et al. (2014), ``p = exp(-alpha * x)`` with ``x`` the fraction of
    the asset sold and ``depth = 1 / alpha``.

    Examples
    --------
    >>> round(float(exponential_price_impact(0.1, 1 / 1.0536)), 4)  # Caccioli: 10% sold -> 10% drop
    0.9
    """
    sold, depth = _impact_args(sold, depth)
    return np.exp(-(sold / depth))


def linear_price_impact(sold, depth):
    """Linear price impact: price factor ``max(0, 1 - sold / depth)``.

    Parameters
    ----------
    sold : array_like
        Cumulative quantity sold, ``>= 0`` (same unit as ``depth``).
    depth : array_like
        Quantity whose sale drives the price to zero, ``> 0`` (``inf``: no
        impact).  Broadcasts against ``sold``.

    Returns
    -------
    numpy.ndarray
        Price relative to the pre-sale price, in [0, 1], elementwise.

    Notes
    -----
    With ``depth = 1 / ell`` this is the linear impact of Greenwood, Landier &
    Thesmar (2015), a return of ``-ell`` per unit sold (floored at a price of
    zero).
    """
    sold, depth = _impact_args(sold, depth)
    return np.maximum(0.0, 1.0 - sold / depth)


#: Registry of price-impact models: name -> f(sold, depth) -> price factor.
PRICE_IMPACT_MODELS = {
    "exponential": exponential_price_impact,
    "linear": linear_price_impact,
}


def price_impact(sold, depth, model: str = "exponential"):
    """Price factor after selling ``sold`` into a market of depth ``depth``.

    Dispatches to :data:`PRICE_IMPACT_MODELS` (``"exponential"``:
    :func:`exponential_price_impact`; ``"linear"``: :func:`linear_price_impact`).

    Parameters
    ----------
    sold, depth : array_like
        See the model functions (same unit, ``sold >= 0``, ``depth > 0``).
    model : {"exponential", "linear"}, default "exponential"

    Returns
    -------
    numpy.ndarray
        Relative price in [0, 1].

    Raises
    ------
    ValueError
        Unknown model (the message lists the choices) or invalid inputs.
    """
    check_choice(model, PRICE_IMPACT_MODELS, "model")
    return PRICE_IMPACT_MODELS[model](sold, depth)


def volume_for_price_factor(factor: float, depth: float, model: str = "exponential") -> float:
    """Sales that move the price to ``factor`` x its level: the inverse of :func:`price_impact`.

    ``-depth * ln(factor)`` for the exponential model, ``depth * (1 - factor)`` for the linear
    one (same unit as ``depth``). Used where a buyer of last resort stops the price at a floor.

    Raises
    ------
    ValueError
        Unknown model, ``factor`` outside (0, 1] or ``depth`` <= 0.
    """
    check_choice(model, PRICE_IMPACT_MODELS, "model")
    if not 0.0 < factor <= 1.0:
        raise ValueError(f"factor must be in (0, 1], got {factor!r}")
    if not depth > 0:
        raise ValueError(f"depth must be > 0, got {depth!r}")
    return float(-depth * np.log(factor)) if model == "exponential" else float(depth * (1.0 - factor))


# ---------------------------------------------------------------------------
# Greenwood, Landier & Thesmar (2015)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class GreenwoodResult:
    """Outcome of :func:`greenwood_vulnerability` (losses are positive numbers).

    Attributes
    ----------
    aggregate_vulnerability : float
        AV: total fire-sale (second-round) losses as a share of total equity.
    systemicness : numpy.ndarray, shape (N,)
        S_n: contribution of bank ``n``'s deleveraging to AV; sums to AV.
    bank_losses : numpy.ndarray, shape (N,)
        Fire-sale loss of each bank (money).
    indirect_vulnerability : numpy.ndarray, shape (N,)
        ``bank_losses / equity``.
    direct_losses : numpy.ndarray, shape (N,)
        First-round loss from the shock, ``-a_n m_n' F`` (money).
    asset_sales : numpy.ndarray, shape (K,)
        Net fire sales of each asset (money).
    price_changes : numpy.ndarray, shape (K,)
        Fire-sale returns ``-ell_k * asset_sales_k``.
    """

    aggregate_vulnerability: float
    systemicness: np.ndarray
    bank_losses: np.ndarray
    indirect_vulnerability: np.ndarray
    direct_losses: np.ndarray
    asset_sales: np.ndarray
    price_changes: np.ndarray


def greenwood_vulnerability(assets, equity, weights, shock, price_impact) -> GreenwoodResult:
    """Aggregate vulnerability and systemicness (Greenwood, Landier & Thesmar 2015).

    Banks hold portfolios ``M`` (``weights``), suffer an asset-return shock
    ``F``, and sell assets in proportion to their holdings to return to their
    initial leverage; sales move prices linearly, which inflicts second-round
    losses on every holder.

    Parameters
    ----------
    assets : array_like, shape (N,)
        Total assets ``a_n`` of each bank (money, e.g. US$ billions), > 0.
    equity : array_like, shape (N,)
        Equity ``e_n``, ``0 < e_n <= a_n``; leverage ``b_n = (a_n - e_n) / e_n``
        (debt over equity) is the target kept by the bank.
    weights : array_like or scipy.sparse matrix, shape (N, K)
        Portfolio weights ``m_nk >= 0`` (share of bank ``n``'s assets held in
        asset ``k``; rows typically sum to 1).
    shock : array_like, shape (K,)
        Asset returns ``F_k`` (e.g. ``-0.01`` for a 1% fall), each ``>= -1``.
    price_impact : float or array_like, shape (K,)
        Linear price impact ``ell_k >= 0``: return per unit of money of net
        sales of asset ``k`` (e.g. ``1e-4`` per US$ billion = 10 bp per US$10
        billion).

    Returns
    -------
    GreenwoodResult
        ``aggregate_vulnerability``, ``systemicness`` (per bank, summing to AV),
        ``bank_losses``, ``indirect_vulnerability``, ``direct_losses``,
        ``asset_sales`` and ``price_changes``.

    Notes
    -----
    Closed form (first-order, pre-shock holdings), with ``A = diag(a)``,
    ``B = diag(b)``, ``L = diag(ell)``, ``E = sum(e)``:

    * direct losses ``D = -A M F``; sales ``phi = B D`` (leverage targeting);
    * asset sales ``M' phi``; fire-sale returns ``-L M' phi``;
    * bank losses ``A M L M' B D`` = ``-A M L M' B A M F``;
    * ``AV = 1' A M L M' B A M (-F) / E``;
    * ``S_n = (1' A M L m_n) b_n a_n (-m_n' F) / E``, so ``sum_n S_n = AV``.

    References
    ----------
    Greenwood, R., Landier, A. and Thesmar, D. (2015). Vulnerable banks.
    *Journal of Financial Economics* 115(3), 471–485.
    """
    a = as_vector(assets, None, "assets")
    N = a.size
    e = as_vector(equity, N, "equity")
    if N and (e.min() <= 0 or a.min() <= 0):
        raise ValueError("assets and equity must be strictly positive")
    if np.any(e > a):
        raise ValueError("equity must not exceed assets (leverage (a - e) / e must be >= 0)")
    M, _ = as_matrix(weights, "weights", (N, None))
    K = M.shape[1]
    F = as_vector(shock, K, "shock", nonnegative=False)
    if K and F.min() < -1:
        raise ValueError("shock returns must be >= -1 (an asset cannot lose more than its value)")
    ell = as_vector(price_impact, K, "price_impact", allow_scalar=True)
    b = (a - e) / e
    direct = -a * (M @ F)
    sales = b * direct
    asset_sales = M.T @ sales
    asset_sales = np.asarray(asset_sales).ravel()
    price_changes = -ell * asset_sales
    bank_losses = -a * np.asarray(M @ price_changes).ravel()
    E = e.sum()
    weight_k = ell * np.asarray(M.T @ a).ravel()  # (1' A M L)_k
    systemicness = np.asarray(M @ weight_k).ravel() * sales / E
    av = float(bank_losses.sum() / E)
    return GreenwoodResult(
        aggregate_vulnerability=av,
        systemicness=systemicness,
        bank_losses=bank_losses,
        indirect_vulnerability=bank_losses / e,
        direct_losses=direct,
        asset_sales=asset_sales,
        price_changes=price_changes,
    )


# ---------------------------------------------------------------------------
# Caccioli, Shrestha, Moore & Farmer (2014)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class CaccioliResult:
    """Outcome of :func:`caccioli_cascade`.

    Attributes
    ----------
    probability : float
        Share of draws with contagion (at least ``contagion_threshold`` of the
        banks failed).
    extent : float
        Mean share of failed banks given contagion (NaN if none).
    failed_share : numpy.ndarray, shape (draws,)
        Share of banks failed at the end of each draw (initial failure
        included).
    contagion : numpy.ndarray of bool, shape (draws,)
    n_banks, n_assets, mean_diversification, leverage, alpha, draws
        The parameters of the experiment.
    """

    probability: float
    extent: float
    failed_share: np.ndarray
    contagion: np.ndarray
    n_banks: int
    n_assets: int
    mean_diversification: float
    leverage: float
    alpha: float
    draws: int


def caccioli_cascade(
    n_banks: int,
    n_assets: int,
    mean_diversification: float,
    leverage: float,
    alpha: float = 1.0536,
    draws: int = 1000,
    rng=0,
    *,
    shock="bank",
    contagion_threshold=0.05,
) -> CaccioliResult:
    """Contagion through overlapping portfolios (Caccioli et al. 2014).

    Each draw builds a random bipartite bank–asset network: every (bank,
    asset) pair is a holding independently with probability
    ``mean_diversification / n_assets`` (so a bank holds ``mu_b`` assets on
    average).  Every bank has total assets 1 (the unit), spread evenly over its
    holdings, and equity ``1 / leverage``; banks own all the shares of each
    asset.  A failed bank liquidates its whole portfolio; the price of asset
    ``j`` becomes ``exponential_price_impact(x_j, 1 / alpha) = exp(-alpha
    x_j)``, with ``x_j`` the fraction of the asset's shares that have been
    liquidated.  A surviving bank fails when its mark-to-market loss strictly
    exceeds its equity.  Rounds repeat until no new failure.

    Parameters
    ----------
    n_banks, n_assets : int
        Number of banks ``N`` and of assets ``M``.
    mean_diversification : float
        Mean number of assets per bank ``mu_b`` (``0 <= mu_b <= M``).
    leverage : float
        Assets over equity ``lambda >= 1`` (the same for every bank).
    alpha : float, default 1.0536
        Market-impact parameter; 1.0536 makes the price fall by 10% when 10% of
        an asset is sold (``exp(-0.10536) = 0.9``).
    draws : int, default 1000
        Number of independent networks.
    rng : int, SeedSequence or Generator, default 0
        Seed or generator (deterministic by default).
    shock : "bank" or float, default "bank"
        ``"bank"``: one bank chosen uniformly at random fails and liquidates
        its portfolio.  A float ``delta`` in (0, 1]: the price of one asset
        chosen at random is first devalued by the fraction ``delta`` (banks
        that then fail start the cascade).
    contagion_threshold : float or Fraction, default 0.05
        A draw is "contagion" when at least this share of banks fails.

    Returns
    -------
    CaccioliResult
        ``probability``, ``extent`` (mean failed share given contagion),
        per-draw ``failed_share`` and ``contagion``.

    Notes
    -----
    Per draw the network is an exact G(N, M, p) bipartite random graph (a
    Binomial number of links, sampled without replacement); every round of
    the cascade is two ``bincount`` aggregations over the links (liquidated
    shares per asset, losses per bank).

    References
    ----------
    Caccioli, F., Shrestha, M., Moore, C. and Farmer, J. D. (2014). Stability
    analysis of financial contagion due to overlapping portfolios. *Journal of
    Banking & Finance* 46, 233–245.
    """
    N = as_positive_int(n_banks, "n_banks")
    M = as_positive_int(n_assets, "n_assets")
    mu = as_positive_real(mean_diversification, "mean_diversification", allow_zero=True)
    if mu > M:
        raise ValueError(f"mean_diversification must be <= n_assets = {M}, got {mu:g}")
    lam = as_positive_real(leverage, "leverage")
    if lam < 1:
        raise ValueError(f"leverage (assets / equity) must be >= 1, got {lam:g}")
    alpha = as_positive_real(alpha, "alpha", allow_zero=True)
    depth = np.inf if alpha == 0 else 1.0 / alpha
    draws = as_positive_int(draws, "draws")
    thr = as_fraction(contagion_threshold, "contagion_threshold")
    if isinstance(shock, str):
        check_choice(shock, {"bank"}, "shock")
        devalue = None
    else:
        devalue = as_unit_interval(shock, "shock")
        if devalue == 0:
            raise ValueError("shock as a devaluation must be in (0, 1]")
    gen = as_generator(rng)
    min_failures = max(1, ceil(thr * N))
    equity = 1.0 / lam
    p = mu / M
    pairs = N * M

    counts = np.zeros(draws, dtype=np.int64)
    for d in range(draws):
        m = int(gen.binomial(pairs, p)) if p > 0 else 0
        code = gen.choice(pairs, size=m, replace=False) if m else np.zeros(0, dtype=np.int64)
        target = int(gen.integers(N if devalue is None else M))
        bank = code // M
        asset = code % M
        k = np.bincount(bank, minlength=N)
        q = 1.0 / k[bank]  # value of each holding (assets 1 spread evenly)
        shares = np.bincount(asset, weights=q, minlength=M)  # total holdings per asset
        failed = np.zeros(N, dtype=bool)
        base = np.ones(M)
        if devalue is None:
            failed[target] = True
        else:
            base[target] = 1.0 - devalue
        newly = failed.copy()
        liquidated = np.zeros(M)
        while True:
            if newly.any():
                sel = newly[bank]
                liquidated += np.bincount(asset[sel], weights=q[sel], minlength=M)
            with np.errstate(invalid="ignore", divide="ignore"):
                x = np.where(shares > 0, liquidated / np.where(shares > 0, shares, 1.0), 0.0)
            price = base * exponential_price_impact(np.minimum(x, 1.0), depth)
            alive = ~failed[bank]
            loss = np.bincount(bank[alive], weights=q[alive] * (1.0 - price[asset[alive]]), minlength=N)
            newly = (loss > equity) & ~failed
            if not newly.any():
                break
            failed |= newly
        counts[d] = int(np.count_nonzero(failed))
    shares_failed = counts / N
    contagion = counts >= min_failures
    prob = float(contagion.mean())
    extent = float(shares_failed[contagion].mean()) if contagion.any() else float("nan")
    return CaccioliResult(
        probability=prob,
        extent=extent,
        failed_share=shares_failed,
        contagion=contagion,
        n_banks=N,
        n_assets=M,
        mean_diversification=mu,
        leverage=lam,
        alpha=alpha,
        draws=draws,
    )


# ---------------------------------------------------------------------------
# Cifuentes, Ferrucci & Shin (2005)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class CifuentesResult:
    """Outcome of :func:`cifuentes_equilibrium`.

    Attributes
    ----------
    price : float
        Equilibrium price of the illiquid asset (initial price 1).
    payments : numpy.ndarray, shape (n,)
        Greatest Eisenberg–Noe clearing vector at that price (money).
    sales : numpy.ndarray, shape (n,)
        Units of the illiquid asset sold by each bank.
    equity : numpy.ndarray, shape (n,)
        ``price * illiquid + liquid + interbank receipts - interbank
        liabilities`` (negative for banks in default).
    capital_ratio : numpy.ndarray, shape (n,)
        Equity over risk-weighted assets *before* the sales (NaN where the
        risk-weighted assets are zero).
    defaulted : numpy.ndarray of bool, shape (n,)
        Banks that cannot pay their interbank liabilities in full.
    iterations : int
        Fixed-point iterations performed.
    converged : bool
        Whether ``|p_{k+1} - p_k| <= tol`` was reached within ``max_iter``.
    """

    price: float
    payments: np.ndarray
    sales: np.ndarray
    equity: np.ndarray
    capital_ratio: np.ndarray
    defaulted: np.ndarray
    iterations: int
    converged: bool


def _cfs_state(L, is_sparse, illiquid, liquid, r_star, price):
    ext = price * illiquid + liquid
    clr = (_clearing._clear_sparse if is_sparse else _clearing._clear_dense)(L, ext, 1.0, 1.0, _clearing.DEFAULT_RTOL)
    receipts = clr.equity + clr.total_liabilities - ext  # Π' p
    equity = clr.equity
    risk_weighted = price * illiquid + receipts
    # units to sell so that equity / (price * (illiquid - s) + receipts) = r*
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(
            equity >= r_star * risk_weighted,
            0.0,
            np.where(equity > 0, (risk_weighted - equity / r_star) / price, np.inf),
        )
    sales = np.clip(need, 0.0, illiquid)
    return clr, sales, equity, risk_weighted


def cifuentes_equilibrium(
    liabilities,
    illiquid_holdings,
    liquid_assets,
    capital_ratio: float,
    alpha: float,
    *,
    tol: float = 1e-12,
    max_iter: int = 10_000,
) -> CifuentesResult:
    """Joint fixed point of asset price and interbank clearing (Cifuentes, Ferrucci & Shin 2005).

    Banks hold ``illiquid_holdings`` units of an illiquid asset (price ``p``,
    initially 1), ``liquid_assets`` of a riskless liquid asset (price 1) and
    interbank claims; they owe each other ``liabilities``.  Interbank debts
    clear à la Eisenberg–Noe given the marked-to-market external assets
    ``p e_i + c_i``.  Each bank must keep

        equity_i / (p e_i + x_i) >= r*,

    where ``x_i`` are its interbank receipts (liquid assets have zero risk
    weight).  A bank below the requirement sells the smallest amount ``s_i``
    of the illiquid asset that restores it (sale proceeds are liquid, so the
    equity is unchanged and ``s_i = e_i + x_i / p - equity_i / (r* p)``),
    capped at its holdings; a bank with non-positive equity sells everything.
    The price clears the market through the inverse demand curve
    ``p = exp(-alpha * sum_i s_i)``, computed by
    :func:`exponential_price_impact` with ``depth = 1 / alpha``.

    Parameters
    ----------
    liabilities : array_like or scipy.sparse matrix, shape (n, n)
        ``liabilities[i, j]``: what bank ``i`` owes bank ``j`` (money).
    illiquid_holdings : array_like, shape (n,)
        Units ``e_i >= 0`` of the illiquid asset.
    liquid_assets : array_like, shape (n,)
        Liquid assets ``c_i >= 0`` (money).
    capital_ratio : float
        Minimum capital ratio ``r*`` in (0, 1].
    alpha : float
        Price sensitivity of the inverse demand curve, per unit sold (``>= 0``).
    tol : float, default 1e-12
        Stop when the price changes by at most ``tol`` in an iteration.
    max_iter : int, default 10000

    Returns
    -------
    CifuentesResult
        ``price``, ``payments``, ``sales``, ``equity``, ``capital_ratio`` (before
        sales), ``defaulted``, ``iterations``, ``converged``.

    Notes
    -----
    Algorithm: monotone fixed-point iteration from ``p = 1`` (CFS, section
    2).  Each step computes the *exact* greatest Eisenberg–Noe clearing vector
    at the current price (:func:`simulator.clearing.eisenberg_noe`'s
    fictitious-default algorithm), the resulting sales, and the new price
    ``exp(-alpha * sum(s))``.  When sales rise as the price falls (the case CFS
    study) the prices decrease monotonically to the greatest equilibrium.

    References
    ----------
    Cifuentes, R., Ferrucci, G. and Shin, H. S. (2005). Liquidity risk and
    contagion. *Journal of the European Economic Association* 3(2–3), 556–566.
    """
    L, is_sparse = as_square_matrix(liabilities, "liabilities")
    n = L.shape[0]
    check_zero_diagonal(L, "liabilities", is_sparse)
    e = as_vector(illiquid_holdings, n, "illiquid_holdings")
    c = as_vector(liquid_assets, n, "liquid_assets")
    r_star = as_unit_interval(capital_ratio, "capital_ratio")
    if r_star == 0:
        raise ValueError("capital_ratio must be > 0")
    alpha = as_positive_real(alpha, "alpha", allow_zero=True)
    depth = np.inf if alpha == 0 else 1.0 / alpha
    tol = as_positive_real(tol, "tol", allow_zero=True)
    max_iter = as_positive_int(max_iter, "max_iter")

    price = 1.0
    converged = False
    it = 0
    for it in range(1, max_iter + 1):  # noqa: B007 - the count of iterations is returned
        clr, sales, equity, rw = _cfs_state(L, is_sparse, e, c, r_star, price)
        new_price = float(exponential_price_impact(sales.sum(), depth))
        if abs(new_price - price) <= tol:
            price = new_price
            converged = True
            break
        price = new_price
    clr, sales, equity, rw = _cfs_state(L, is_sparse, e, c, r_star, price)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(rw > 0, equity / np.where(rw > 0, rw, 1.0), np.nan)
    return CifuentesResult(
        price=price,
        payments=clr.payments,
        sales=sales,
        equity=equity,
        capital_ratio=ratio,
        defaulted=clr.defaulted,
        iterations=it,
        converged=converged,
    )
