"""Synthetic deal graphs for tests, classes and benchmarks.

:func:`random_deal_graph` draws a small, valid, plausibly shaped AI-finance network from a table of
deal rules ("a chip maker sells chips to each hyperscaler with probability 0.9, about $20B").
:func:`directed_erdos_renyi_edges` draws the edge arrays of a large random digraph quickly, for
scaling benchmarks of the array-based model.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import networkx as nx
import numpy as np

from networks.graph import DealGraphError, build_deal_graph
from networks.kinds import INSTITUTION_KINDS

__all__ = ["DEAL_RULES", "DEFAULT_N_PER_KIND", "directed_erdos_renyi_edges", "random_deal_graph"]

#: Default number of institutions of each kind in :func:`random_deal_graph` (22 in all).
DEFAULT_N_PER_KIND: Mapping[str, int] = MappingProxyType(
    {
        "chip_maker": 1,
        "hyperscaler": 3,
        "ai_lab": 2,
        "neocloud": 3,
        "miner": 2,
        "spv": 2,
        "private_credit": 2,
        "leveraged_fund": 0,
        "bank": 2,
        "insurer": 2,
        "pension": 1,
        "retail": 1,
        "central_bank": 1,
    }
)

#: ``(holder kind, obligor kind, contract kind, probability, median amount in US$ bn)``: each
#: holder/obligor pair of those kinds gets the contract with that probability, for an amount
#: ``median * LogNormal(0, 0.6)``. Illustrative magnitudes, not a calibration.
DEAL_RULES: tuple[tuple[str, str, str, float, float], ...] = (
    ("chip_maker", "hyperscaler", "chip_sale", 0.9, 20.0),
    ("chip_maker", "neocloud", "chip_sale", 0.9, 5.0),
    ("chip_maker", "ai_lab", "equity", 0.5, 10.0),
    ("chip_maker", "neocloud", "equity", 0.5, 1.0),
    ("hyperscaler", "ai_lab", "compute_contract", 0.5, 20.0),
    ("hyperscaler", "ai_lab", "equity", 0.4, 10.0),
    ("neocloud", "ai_lab", "compute_contract", 0.5, 8.0),
    ("neocloud", "hyperscaler", "compute_contract", 0.5, 8.0),
    ("miner", "neocloud", "lease", 0.5, 3.0),
    ("spv", "hyperscaler", "lease", 0.7, 15.0),
    ("private_credit", "neocloud", "loan", 0.6, 3.0),
    ("private_credit", "miner", "loan", 0.4, 1.0),
    ("private_credit", "spv", "bond", 0.6, 8.0),
    ("private_credit", "spv", "equity", 0.3, 2.0),
    ("bank", "neocloud", "credit_line", 0.5, 2.0),
    ("bank", "private_credit", "credit_line", 0.6, 3.0),
    ("bank", "hyperscaler", "bond", 0.4, 5.0),
    ("insurer", "private_credit", "fund_share", 0.6, 5.0),
    ("insurer", "spv", "abs_tranche", 0.5, 3.0),
    ("pension", "private_credit", "fund_share", 0.6, 4.0),
    ("pension", "hyperscaler", "equity", 0.6, 10.0),
    ("retail", "chip_maker", "equity", 0.9, 50.0),
    ("retail", "hyperscaler", "equity", 0.9, 50.0),
    ("retail", "neocloud", "equity", 0.6, 5.0),
    ("retail", "private_credit", "fund_share", 0.4, 3.0),
    ("central_bank", "bank", "loan", 0.2, 5.0),
)

# Typical size (total assets, US$ bn) and equity share of total assets per kind; illustrative.
_BALANCE_SHEETS: Mapping[str, tuple[float, float]] = {
    "chip_maker": (110.0, 0.7),
    "hyperscaler": (400.0, 0.5),
    "ai_lab": (60.0, 0.6),
    "neocloud": (30.0, 0.15),
    "miner": (5.0, 0.4),
    "spv": (25.0, 0.2),
    "private_credit": (100.0, 0.3),
    "leveraged_fund": (50.0, 0.1),
    "bank": (2000.0, 0.08),
    "insurer": (500.0, 0.1),
    "pension": (400.0, 0.9),
    "retail": (5000.0, 1.0),
    "central_bank": (7000.0, 0.01),
}

_SINGULAR_NAMES: Mapping[str, str] = {
    "chip_maker": "Chip maker",
    "hyperscaler": "Hyperscaler",
    "ai_lab": "AI lab",
    "neocloud": "Neocloud",
    "miner": "Miner",
    "spv": "SPV",
    "private_credit": "Credit fund",
    "leveraged_fund": "Leveraged fund",
    "bank": "Bank",
    "insurer": "Insurer",
    "pension": "Pension fund",
    "retail": "Retail",
    "central_bank": "Central bank",
}


def random_deal_graph(
    n_per_kind: int | Mapping[str, int] | None = None,
    rng: np.random.Generator | int | None = None,
    density: float = 1.0,
) -> nx.MultiDiGraph:
    """Draw a random but plausibly shaped deal graph.

    Institutions get consecutive ids in :data:`~networks.kinds.INSTITUTION_KINDS` order, names
    such as "Neocloud 2" (no number when a kind has one member), ``status="healthy"``, and
    ``total_assets_bn`` / ``equity_bn`` around illustrative sector medians. For every rule in
    :data:`DEAL_RULES` and every holder/obligor pair of its kinds, the contract
    ``"{kind}-{holder}-{obligor}"`` exists with probability ``min(1, density * p)``.

    Parameters
    ----------
    n_per_kind : int, mapping or None
        Institutions per kind: one int for every kind, a mapping kind -> count (missing kinds
        get 0), or None for :data:`DEFAULT_N_PER_KIND`.
    rng : numpy.random.Generator, int or None
        Source of randomness (an int is a seed). The same seed gives the same graph.
    density : float, default 1.0
        Multiplier on every rule's probability.

    Returns
    -------
    networkx.MultiDiGraph
        A graph that passes :func:`~networks.graph.validate_deal_graph`.

    Raises
    ------
    DealGraphError
        On an unknown kind or a negative / non-integer count in ``n_per_kind``.
    ValueError
        If ``density`` is negative.

    Examples
    --------
    >>> G = random_deal_graph({"chip_maker": 1, "neocloud": 2}, rng=0, density=10)
    >>> sorted(G.nodes(data="name"))
    [(0, 'Chip maker'), (1, 'Neocloud 1'), (2, 'Neocloud 2')]
    >>> sorted(G.edges(keys=True))[:2]
    [(0, 1, 'chip_sale-0-1'), (0, 1, 'equity-0-1')]
    """
    counts = _counts(n_per_kind)
    if not density >= 0:
        raise ValueError(f"density must be >= 0, got {density!r}")
    rng = np.random.default_rng(rng)

    institutions: list[dict] = []
    members: dict = {}
    for kind in INSTITUTION_KINDS:
        members[kind] = list(range(len(institutions), len(institutions) + counts[kind]))
        median_assets, equity_share = _BALANCE_SHEETS[kind]
        for i, node in enumerate(members[kind], start=1):
            assets = round(float(median_assets * rng.lognormal(0.0, 0.4)), 2)
            name = _SINGULAR_NAMES[kind] + (f" {i}" if counts[kind] > 1 else "")
            institutions.append(
                {"id": node, "name": name, "kind": kind, "status": "healthy",
                 "total_assets_bn": assets, "equity_bn": round(assets * equity_share, 2)}
            )  # fmt: skip

    contracts = []
    for holder_kind, obligor_kind, kind, p, median in DEAL_RULES:
        holders, obligors = members[holder_kind], members[obligor_kind]
        draws = rng.random((len(holders), len(obligors)))
        amounts = median * rng.lognormal(0.0, 0.6, size=draws.shape)
        for i, j in zip(*np.nonzero(draws < min(1.0, density * p))):
            holder, obligor = holders[i], obligors[j]
            contracts.append(
                {"id": f"{kind}-{holder}-{obligor}", "holder": holder, "obligor": obligor,
                 "kind": kind, "amount_bn": round(float(amounts[i, j]), 2)}
            )  # fmt: skip
    return build_deal_graph(institutions, contracts)


def directed_erdos_renyi_edges(
    n: int, mean_degree: float, rng: np.random.Generator | int | None
) -> tuple[np.ndarray, np.ndarray]:
    r"""Edge arrays of a directed Erdős–Rényi graph :math:`G(n, p)`, :math:`p = d/(n-1)`.

    Each of the :math:`n(n-1)` ordered pairs :math:`(i, j), i \\ne j` is an edge independently
    with probability :math:`p`, so every node's expected out- and in-degree is the
    ``mean_degree`` :math:`d`. Sampled exactly without a loop over pairs: the edge count is
    :math:`M \\sim \\mathrm{Binomial}(n(n-1), p)`, then :math:`M` distinct pair indices
    :math:`k` are drawn uniformly and decoded as :math:`i = \\lfloor k/(n-1) \\rfloor`,
    :math:`j = r + [r \\ge i]` with :math:`r = k \\bmod (n-1)` (which skips self-loops).

    Parameters
    ----------
    n : int
        Number of nodes (0 .. n-1).
    mean_degree : float
        Expected out-degree, between 0 and n - 1.
    rng : numpy.random.Generator, int or None
        Source of randomness (an int is a seed).

    Returns
    -------
    src, dst : numpy.ndarray of int64
        Edge endpoints, sorted by ``(src, dst)``; no self-loops, no duplicates.

    Raises
    ------
    ValueError
        If ``n`` is negative or ``mean_degree`` is outside [0, n - 1].

    Examples
    --------
    >>> src, dst = directed_erdos_renyi_edges(4, 3, rng=0)  # p = 1: the complete digraph
    >>> list(zip(src.tolist(), dst.tolist()))[:4]
    [(0, 1), (0, 2), (0, 3), (1, 0)]
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    n = int(n)
    if not 0 <= mean_degree <= max(n - 1, 0):
        raise ValueError(f"mean_degree must be between 0 and n - 1 = {max(n - 1, 0)}, got {mean_degree!r}")
    rng = np.random.default_rng(rng)
    if n < 2 or mean_degree == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    pairs = n * (n - 1)
    m = rng.binomial(pairs, mean_degree / (n - 1))
    k = np.sort(rng.choice(pairs, size=m, replace=False).astype(np.int64))
    src, r = np.divmod(k, n - 1)
    dst = r + (r >= src)
    return src, dst


def _counts(n_per_kind: int | Mapping[str, int] | None) -> dict[str, int]:
    if n_per_kind is None:
        n_per_kind = DEFAULT_N_PER_KIND
    if isinstance(n_per_kind, Mapping):
        unknown = [k for k in n_per_kind if k not in INSTITUTION_KINDS]
        if unknown:
            raise DealGraphError(f"n_per_kind has unknown kind(s) {unknown}; choose from {list(INSTITUTION_KINDS)}")
        counts = {kind: n_per_kind.get(kind, 0) for kind in INSTITUTION_KINDS}
    else:
        counts = dict.fromkeys(INSTITUTION_KINDS, n_per_kind)
    for kind, count in counts.items():
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
            raise DealGraphError(f"n_per_kind[{kind!r}] must be a non-negative int, got {count!r}")
    return {kind: int(count) for kind, count in counts.items()}


def random_interbank_liabilities(
    n: int,
    mean_degree: float,
    rng: np.random.Generator | int | None,
    *,
    buffer: float = 0.05,
    shocked_share: float = 0.0,
):
    """A random interbank system for clearing and cascade experiments.

    Liabilities ``L[i, j]`` (what i owes j) on a directed Erdős–Rényi graph
    (:func:`directed_erdos_renyi_edges`) with exponential(1) amounts; external assets
    ``e0_i = max(0, owed_i - owed to i) + buffer * (owed_i + owed to i)`` (every bank solvent
    before the shock, with a cushion); then ``shocked_share`` of the banks, drawn at random,
    lose all their external assets.

    Returns
    -------
    L : scipy.sparse.csr_matrix
    e0, e : numpy.ndarray
        External assets before and after the shock.
    shocked : numpy.ndarray of bool

    Examples
    --------
    >>> L, e0, e, shocked = random_interbank_liabilities(50, 4, rng=1, shocked_share=0.1)
    >>> L.shape, int(shocked.sum()), bool((e[shocked] == 0).all())
    ((50, 50), 5, True)
    """
    import scipy.sparse as sp

    rng = np.random.default_rng(rng)
    src, dst = directed_erdos_renyi_edges(n, mean_degree, rng)
    L = sp.csr_matrix((rng.exponential(1.0, len(src)), (src, dst)), shape=(n, n))
    owed = np.asarray(L.sum(axis=1)).ravel()
    owed_to = np.asarray(L.sum(axis=0)).ravel()
    e0 = np.maximum(0.0, owed - owed_to) + buffer * (owed + owed_to)
    shocked = np.zeros(n, dtype=bool)
    shocked[rng.choice(n, round(shocked_share * n), replace=False)] = True
    return L, e0, np.where(shocked, 0.0, e0), shocked
