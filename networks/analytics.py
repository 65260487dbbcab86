"""Analytics on the deal graph: circular deals, round-tripping, exposures and concentration.

All functions are read-only: they take a deal graph (see :mod:`networks.graph`) and return plain
Python/numpy values, keyed by node id where that makes sense. Edges run from the holder of a
claim to the obligor, so a node's *out*-edges are what it is owed (its claims, its revenue) and
its *in*-edges are what it owes (its funding, its bills).

Every ``kinds`` argument accepts ``None`` (all contract kinds), one kind as a string, or an
iterable of kinds; an unknown kind raises :class:`~networks.graph.DealGraphError`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import networkx as nx
import numpy as np
import scipy.sparse

from networks.graph import DealGraphError
from networks.kinds import EDGE_KINDS, FUNDING_KINDS, INSTITUTION_KINDS, REVENUE_KINDS

__all__ = [
    "Claim",
    "circular_deals",
    "counterparty_concentration",
    "exposure_matrices_by_kind",
    "exposure_matrix",
    "herfindahl_index",
    "largest_exposures",
    "round_trip_ratio",
    "sector_exposures",
    "strength",
]

Kinds = str | Iterable[str] | None


class Claim(NamedTuple):
    """One contract seen from its holder: who owes, which contract, what kind, how much."""

    obligor: int
    contract: str
    kind: str
    amount_bn: float


def circular_deals(G: nx.MultiDiGraph, max_length: int | None = 6, kinds: Kinds = None) -> list[list[int]]:
    r"""Find circular deals: the elementary cycles of the deal graph.

    Parallel contracts are collapsed first: ``u -> v`` is an arc of the simple digraph if at
    least one contract of an allowed kind runs from ``u`` to ``v``. A cycle
    :math:`[v_0, v_1, \\dots, v_{k-1}]` means :math:`v_0` holds a claim on :math:`v_1`, ...,
    and :math:`v_{k-1}` holds a claim on :math:`v_0` -- money sent round the circle comes back.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A deal graph.
    max_length : int or None, default 6
        Longest cycle reported (number of nodes). ``None`` means unbounded, which can be
        exponentially slow on dense graphs.
    kinds : str, iterable of str or None
        Only contracts of these kinds form arcs (default: all kinds).

    Returns
    -------
    list of list of int
        Each cycle once, rotated to start at its smallest node id, sorted by length and then
        by node ids.

    Raises
    ------
    ValueError
        If ``max_length`` is not a positive int or None.
    DealGraphError
        If ``kinds`` names an unknown contract kind.

    Examples
    --------
    Nvidia invests in OpenAI, OpenAI in CoreWeave, and CoreWeave sells compute to Nvidia:

    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Nvidia", "kind": "chip_maker"},
    ...      {"id": 1, "name": "OpenAI", "kind": "ai_lab"},
    ...      {"id": 2, "name": "CoreWeave", "kind": "neocloud"}],
    ...     [{"id": "a", "holder": 0, "obligor": 1, "kind": "equity", "amount_bn": 100.0},
    ...      {"id": "b", "holder": 1, "obligor": 2, "kind": "equity", "amount_bn": 0.35},
    ...      {"id": "c", "holder": 2, "obligor": 0, "kind": "compute_contract", "amount_bn": 6.3}],
    ... )
    >>> circular_deals(G)
    [[0, 1, 2]]
    >>> circular_deals(G, kinds="equity")
    []
    """
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1):
        raise ValueError(f"max_length must be a positive int or None, got {max_length!r}")
    allowed = _kind_set(kinds)
    simple = nx.DiGraph()
    simple.add_nodes_from(G)
    simple.add_edges_from((u, v) for u, v, kind in G.edges(data="kind") if kind in allowed)
    cycles = []
    for cycle in nx.simple_cycles(simple, length_bound=max_length):
        start = cycle.index(min(cycle))
        cycles.append(cycle[start:] + cycle[:start])
    return sorted(cycles, key=lambda c: (len(c), c))


def round_trip_ratio(G: nx.MultiDiGraph) -> dict[int, float]:
    r"""Share of each institution's revenue that is paid by parties it funded.

    .. math::

        r_u = \\frac{\\sum_{(u,v) \\in R_u,\\; v \\in F_u} a_{uv}}{\\sum_{(u,v) \\in R_u} a_{uv}}

    where :math:`R_u` are ``u``'s out-contracts of a revenue kind (compute_contract, lease,
    chip_sale), :math:`F_u` is the set of obligors of ``u``'s funding contracts (equity, loan,
    bond, credit_line, abs_tranche, fund_share) and :math:`a` is ``amount_bn``. A ratio of 1
    means every dollar of revenue comes from a customer ``u`` financed itself.

    Returns
    -------
    dict
        Node id -> ratio in [0, 1] for every node. A node with no revenue (no revenue
        contracts, or only zero amounts) gets 0.0, never NaN.

    Examples
    --------
    Nvidia sells $30B of chips to OpenAI, in which it holds equity, and $10B to Oracle, in
    which it does not:

    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Nvidia", "kind": "chip_maker"},
    ...      {"id": 1, "name": "OpenAI", "kind": "ai_lab"},
    ...      {"id": 2, "name": "Oracle", "kind": "hyperscaler"}],
    ...     [{"id": "eq", "holder": 0, "obligor": 1, "kind": "equity", "amount_bn": 10.0},
    ...      {"id": "s1", "holder": 0, "obligor": 1, "kind": "chip_sale", "amount_bn": 30.0},
    ...      {"id": "s2", "holder": 0, "obligor": 2, "kind": "chip_sale", "amount_bn": 10.0}],
    ... )
    >>> round_trip_ratio(G)
    {0: 0.75, 1: 0.0, 2: 0.0}
    """
    ratios = {}
    for u in G:
        funded = {v for _, v, kind in G.out_edges(u, data="kind") if kind in FUNDING_KINDS}
        total = round_tripped = 0.0
        for _, v, data in G.out_edges(u, data=True):
            if data["kind"] in REVENUE_KINDS:
                total += data["amount_bn"]
                if v in funded:
                    round_tripped += data["amount_bn"]
        ratios[u] = round_tripped / total if total > 0 else 0.0
    return ratios


def exposure_matrix(
    G: nx.MultiDiGraph,
    kinds: Kinds = None,
    nodelist: Iterable[int] | None = None,
    sparse: bool = False,
) -> np.ndarray | scipy.sparse.csr_matrix:
    r"""Bilateral exposure matrix: :math:`E_{ij} = \\sum a` over contracts ``i`` holds on ``j``.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A deal graph.
    kinds : str, iterable of str or None
        Only count contracts of these kinds (default: all).
    nodelist : iterable of int, optional
        Row/column order; default ``sorted(G)``. Contracts with an endpoint outside
        ``nodelist`` are left out.
    sparse : bool, default False
        Return a ``scipy.sparse.csr_matrix`` instead of a dense ``numpy.ndarray``.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_matrix
        Float matrix of shape ``(n, n)``. Row sums are claims held, column sums obligations owed.

    Raises
    ------
    DealGraphError
        If ``kinds`` names an unknown kind, or ``nodelist`` has a duplicate or unknown node.

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Blackstone", "kind": "private_credit"},
    ...      {"id": 1, "name": "CoreWeave", "kind": "neocloud"}],
    ...     [{"id": "l1", "holder": 0, "obligor": 1, "kind": "loan", "amount_bn": 2.0},
    ...      {"id": "l2", "holder": 0, "obligor": 1, "kind": "loan", "amount_bn": 5.5}],
    ... )
    >>> exposure_matrix(G).tolist()
    [[0.0, 7.5], [0.0, 0.0]]
    """
    nodes = _nodelist(G, nodelist)
    allowed = _kind_set(kinds)
    index = {node: i for i, node in enumerate(nodes)}
    rows, cols, amounts = [], [], []
    for u, v, kind, amount in _contracts(G):
        if kind in allowed and u in index and v in index:
            rows.append(index[u])
            cols.append(index[v])
            amounts.append(amount)
    n = len(nodes)
    rows_cols = (np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp))
    matrix = scipy.sparse.csr_matrix((np.asarray(amounts, dtype=float), rows_cols), shape=(n, n))
    matrix.sum_duplicates()
    return matrix if sparse else matrix.toarray()


def exposure_matrices_by_kind(G: nx.MultiDiGraph, nodelist: Iterable[int] | None = None) -> dict[str, np.ndarray]:
    """One dense exposure matrix per contract kind (see :func:`exposure_matrix`).

    Returns
    -------
    dict
        Contract kind -> ``(n, n)`` float array, for every kind in
        :data:`~networks.kinds.EDGE_KINDS` (all-zero if the graph has none of that kind).
        The matrices sum to ``exposure_matrix(G, nodelist=nodelist)``.

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Nvidia", "kind": "chip_maker"},
    ...      {"id": 1, "name": "Oracle", "kind": "hyperscaler"}],
    ...     [{"id": "c", "holder": 0, "obligor": 1, "kind": "chip_sale", "amount_bn": 40.0}],
    ... )
    >>> by_kind = exposure_matrices_by_kind(G)
    >>> by_kind["chip_sale"][0, 1], by_kind["loan"].sum()
    (np.float64(40.0), np.float64(0.0))
    """
    nodes = _nodelist(G, nodelist)
    index = {node: i for i, node in enumerate(nodes)}
    matrices = {kind: np.zeros((len(nodes), len(nodes))) for kind in EDGE_KINDS}
    for u, v, kind, amount in _contracts(G):
        if u in index and v in index:
            matrices[kind][index[u], index[v]] += amount
    return matrices


def sector_exposures(G: nx.MultiDiGraph, kinds: Kinds = None) -> dict[tuple[str, str], float]:
    r"""Total claims by sector pair: :math:`S_{hk} = \\sum a` over contracts from kind h to kind k.

    Returns
    -------
    dict
        ``(holder_kind, obligor_kind) -> amount_bn`` for each sector pair with at least one
        contract, ordered by :data:`~networks.kinds.INSTITUTION_KINDS`.

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Apollo", "kind": "private_credit"},
    ...      {"id": 1, "name": "Blue Owl", "kind": "private_credit"},
    ...      {"id": 2, "name": "Meta Hyperion SPV", "kind": "spv"}],
    ...     [{"id": "b1", "holder": 0, "obligor": 2, "kind": "bond", "amount_bn": 3.0},
    ...      {"id": "b2", "holder": 1, "obligor": 2, "kind": "equity", "amount_bn": 2.5}],
    ... )
    >>> sector_exposures(G)
    {('private_credit', 'spv'): 5.5}
    """
    allowed = _kind_set(kinds)
    totals: dict[tuple[str, str], float] = defaultdict(float)
    for u, v, kind, amount in _contracts(G):
        if kind in allowed:
            totals[G.nodes[u]["kind"], G.nodes[v]["kind"]] += amount
    order = {kind: i for i, kind in enumerate(INSTITUTION_KINDS)}
    return dict(sorted(totals.items(), key=lambda item: (order[item[0][0]], order[item[0][1]])))


def counterparty_concentration(
    G: nx.MultiDiGraph, node: int, kinds: Kinds = REVENUE_KINDS, direction: str = "out"
) -> list[tuple[int, float]]:
    """Each counterparty's share of a node's contracts of the given kinds.

    With the defaults this is the node's revenue by customer. ``direction="in"`` looks at what
    the node owes instead, e.g. ``kinds=FUNDING_KINDS, direction="in"`` gives its funding by
    funder.

    Returns
    -------
    list of (int, float)
        ``(counterparty, share)`` pairs with shares summing to 1, largest share first (ties by
        node id). Empty if the node has no such contracts or they total zero.

    Raises
    ------
    networkx.NodeNotFound
        If ``node`` is not in the graph.
    ValueError
        If ``direction`` is not "out" or "in".

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "CoreWeave", "kind": "neocloud"},
    ...      {"id": 1, "name": "Microsoft", "kind": "hyperscaler"},
    ...      {"id": 2, "name": "OpenAI", "kind": "ai_lab"}],
    ...     [{"id": "m", "holder": 0, "obligor": 1, "kind": "compute_contract", "amount_bn": 6.0},
    ...      {"id": "o", "holder": 0, "obligor": 2, "kind": "compute_contract", "amount_bn": 2.0}],
    ... )
    >>> counterparty_concentration(G, 0)
    [(1, 0.75), (2, 0.25)]
    """
    shares = _shares(G, node, _kind_set(kinds), direction)
    return sorted(shares.items(), key=lambda pair: (-pair[1], pair[0]))


def herfindahl_index(G: nx.MultiDiGraph, kinds: Kinds = REVENUE_KINDS, direction: str = "out") -> dict[int, float]:
    r"""Herfindahl–Hirschman concentration :math:`H_u = \\sum_v s_{uv}^2` of each node's contracts.

    :math:`s_{uv}` is counterparty v's share, as in :func:`counterparty_concentration`.
    :math:`H_u = 1` means a single counterparty; :math:`1/m` means m equal ones. Nodes with no
    such contracts get 0.0.

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "CoreWeave", "kind": "neocloud"},
    ...      {"id": 1, "name": "Microsoft", "kind": "hyperscaler"},
    ...      {"id": 2, "name": "OpenAI", "kind": "ai_lab"}],
    ...     [{"id": "m", "holder": 0, "obligor": 1, "kind": "compute_contract", "amount_bn": 6.0},
    ...      {"id": "o", "holder": 0, "obligor": 2, "kind": "compute_contract", "amount_bn": 2.0}],
    ... )
    >>> herfindahl_index(G)
    {0: 0.625, 1: 0.0, 2: 0.0}
    """
    allowed = _kind_set(kinds)
    return {node: sum((s**2 for s in _shares(G, node, allowed, direction).values()), 0.0) for node in G}


def largest_exposures(G: nx.MultiDiGraph, node: int, top: int | None = 5, kinds: Kinds = None) -> list[Claim]:
    """The biggest individual claims a node holds, largest first.

    Parameters
    ----------
    top : int or None, default 5
        How many to return; ``None`` for all.

    Returns
    -------
    list of Claim
        ``Claim(obligor, contract, kind, amount_bn)`` sorted by amount (descending), then
        obligor id and contract id.

    Raises
    ------
    networkx.NodeNotFound
        If ``node`` is not in the graph.
    ValueError
        If ``top`` is negative.

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "JPMorgan", "kind": "bank"},
    ...      {"id": 1, "name": "CoreWeave", "kind": "neocloud"},
    ...      {"id": 2, "name": "Oracle", "kind": "hyperscaler"}],
    ...     [{"id": "rcf", "holder": 0, "obligor": 1, "kind": "credit_line", "amount_bn": 2.5},
    ...      {"id": "bd", "holder": 0, "obligor": 2, "kind": "bond", "amount_bn": 4.0}],
    ... )
    >>> largest_exposures(G, 0, top=1)
    [Claim(obligor=2, contract='bd', kind='bond', amount_bn=4.0)]
    """
    _require_node(G, node)
    if top is not None and top < 0:
        raise ValueError(f"top must be >= 0 or None, got {top!r}")
    allowed = _kind_set(kinds)
    claims = [
        Claim(v, key, data["kind"], data["amount_bn"])
        for _, v, key, data in G.out_edges(node, keys=True, data=True)
        if data["kind"] in allowed
    ]
    claims.sort(key=lambda c: (-c.amount_bn, c.obligor, c.contract))
    return claims if top is None else claims[:top]


def strength(G: nx.MultiDiGraph, direction: str = "out", kinds: Kinds = None) -> dict[int, float]:
    """Weighted degree: total ``amount_bn`` of each node's out- or in-contracts.

    Out-strength is the gross claims a node holds on the network; in-strength the gross
    obligations it owes. Together they are the cheapest centrality of a deal graph.

    Raises
    ------
    ValueError
        If ``direction`` is not "out" or "in".

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Blackstone", "kind": "private_credit"},
    ...      {"id": 1, "name": "CoreWeave", "kind": "neocloud"}],
    ...     [{"id": "l", "holder": 0, "obligor": 1, "kind": "loan", "amount_bn": 7.5}],
    ... )
    >>> strength(G), strength(G, "in")
    ({0: 7.5, 1: 0.0}, {0: 0.0, 1: 7.5})
    """
    _require_direction(direction)
    allowed = _kind_set(kinds)
    totals = dict.fromkeys(G, 0.0)
    for u, v, kind, amount in _contracts(G):
        if kind in allowed:
            totals[u if direction == "out" else v] += amount
    return totals


# ----------------------------------------------------------------------------- helpers


def _contracts(G: nx.MultiDiGraph) -> Iterator[tuple[int, int, str, float]]:
    for u, v, data in G.edges(data=True):
        yield u, v, data["kind"], data["amount_bn"]


def _kind_set(kinds: Kinds) -> frozenset[str]:
    if kinds is None:
        return frozenset(EDGE_KINDS)
    chosen = frozenset([kinds] if isinstance(kinds, str) else kinds)
    unknown = sorted(chosen.difference(EDGE_KINDS))
    if unknown:
        raise DealGraphError(f"unknown contract kind(s) {unknown}; choose from {list(EDGE_KINDS)}")
    return chosen


def _nodelist(G: nx.MultiDiGraph, nodelist: Iterable[int] | None) -> list[int]:
    if nodelist is None:
        return sorted(G)
    nodes = list(nodelist)
    if len(set(nodes)) != len(nodes):
        raise DealGraphError("nodelist contains duplicate nodes")
    missing = [n for n in nodes if n not in G]
    if missing:
        raise DealGraphError(f"nodelist contains nodes not in the graph: {missing}")
    return nodes


def _require_node(G: nx.MultiDiGraph, node: int) -> None:
    if node not in G:
        raise nx.NodeNotFound(f"institution {node!r} is not in the deal graph")


def _require_direction(direction: str) -> None:
    if direction not in ("out", "in"):
        raise ValueError(f"unknown direction {direction!r}; choose from ['out', 'in']")


def _by_counterparty(G: nx.MultiDiGraph, node: int, allowed: frozenset[str], direction: str) -> dict[int, float]:
    _require_node(G, node)
    _require_direction(direction)
    edges = (
        ((v, d) for _, v, d in G.out_edges(node, data=True))
        if direction == "out"
        else ((u, d) for u, _, d in G.in_edges(node, data=True))
    )
    totals: dict[int, float] = defaultdict(float)
    for other, data in edges:
        if data["kind"] in allowed:
            totals[other] += data["amount_bn"]
    return dict(totals)


def _shares(G: nx.MultiDiGraph, node: int, allowed: frozenset[str], direction: str) -> dict[int, float]:
    """Each counterparty's share of the node's contracts (empty if they total zero)."""
    totals = _by_counterparty(G, node, allowed, direction)
    grand_total = sum(totals.values())
    if grand_total <= 0:
        return {}
    return {other: amount / grand_total for other, amount in totals.items()}
