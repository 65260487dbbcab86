"""A fixed sector layout of the deal graph and a matplotlib drawing of it.

:func:`sector_layout` puts the institutions on one big circle, each sector (institution kind) in
its own arc, in the order the money flows (chip maker, hyperscalers, AI labs, neoclouds, miners,
SPVs, private credit, banks, insurers, pensions, retail, central bank). Positions depend only on
the node set and the nodes' kinds, so stepping a model -- which changes contracts, amounts and
statuses but not institutions -- never moves a node.

:func:`draw_deal_graph` draws nodes coloured by status and sized by total assets, and contracts
styled by kind (see :data:`~networks.kinds.EDGE_STYLES`). Matplotlib is imported lazily so that
importing :mod:`networks` stays cheap; any backend works, including the headless Agg backend.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import networkx as nx

from networks.graph import DealGraphError
from networks.kinds import (
    EDGE_KINDS,
    EDGE_STYLES,
    INSTITUTION_KINDS,
    SECTOR_LABELS,
    STATUS_COLOURS,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["draw_deal_graph", "sector_layout"]

Position = tuple[float, float]

# Drawing constants (marker areas in pt^2, distances as fractions of the layout radius).
_MAX_NODE_AREA = 1600.0
_MIN_NODE_AREA = 160.0
_DEFAULT_NODE_AREA = 500.0
_LABEL_FONTSIZE = 9.0
_SECTOR_BAND_COLOUR = "#EFEFEF"
_HIGHLIGHT_COLOUR = "#000000"


def sector_layout(
    G: nx.Graph,
    sector_order: Sequence[str] | None = None,
    radius: float = 1.0,
) -> dict[int, Position]:
    r"""Place institutions on a circle, one arc per sector, in a fixed order.

    The circle is divided into :math:`N + S` equal slots for :math:`N` nodes in :math:`S`
    non-empty sectors: each node takes one slot and each sector is followed by an empty slot
    that separates it from the next. Node :math:`i` (counting slots clockwise) sits at angle
    :math:`\\theta_i = \\pi/2 - 2\\pi (i - c)/(N + S)`, where :math:`c` centres the first sector
    at the top. Within a sector nodes are ordered by id.

    Parameters
    ----------
    G : networkx graph
        Nodes must have a ``kind`` attribute from :data:`~networks.kinds.INSTITUTION_KINDS`.
        Edges are ignored.
    sector_order : sequence of str, optional
        Sector order clockwise from the top; default :data:`~networks.kinds.INSTITUTION_KINDS`.
        Kinds present in ``G`` but missing here are placed afterwards in default order.
    radius : float, default 1.0
        Circle radius; the circle is centred at the origin.

    Returns
    -------
    dict
        Node id -> ``(x, y)`` tuple of floats. Deterministic: the same nodes and kinds always
        give the same positions, whatever the edges.

    Raises
    ------
    DealGraphError
        If a node has no or an unknown ``kind``, or ``sector_order`` names an unknown kind or
        repeats one.
    ValueError
        If ``radius`` is not a positive finite number.

    Examples
    --------
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Nvidia", "kind": "chip_maker"},
    ...      {"id": 1, "name": "Oracle", "kind": "hyperscaler"}],
    ...     [],
    ... )
    >>> pos = sector_layout(G)
    >>> [round(c, 6) + 0.0 for c in pos[0]], [round(c, 6) + 0.0 for c in pos[1]]
    ([0.0, 1.0], [0.0, -1.0])
    """
    if not (isinstance(radius, (int, float)) and math.isfinite(radius) and radius > 0):
        raise ValueError(f"radius must be a positive finite number, got {radius!r}")
    angles, _ = _sector_angles(G, sector_order)
    return {node: (radius * math.cos(t), radius * math.sin(t)) for node, t in angles.items()}


def draw_deal_graph(
    G: nx.MultiDiGraph,
    ax: Axes | None = None,
    pos: Mapping[int, Position] | None = None,
    highlight_cycles: Iterable[Sequence[int]] | None = None,
    title: str | None = None,
    words: Callable[[str], str] | None = None,
) -> Axes:
    r"""Draw the deal graph with matplotlib.

    * Nodes: fill colour from the ``status`` attribute (:data:`~networks.kinds.STATUS_COLOURS`;
      missing status = healthy); marker area :math:`\\propto \\sqrt{\\text{total\\_assets\\_bn}}`
      scaled so the largest node is 1600 pt\\ :sup:`2` (floor 160 pt\\ :sup:`2`; 500 pt\\ :sup:`2`
      if the attribute is missing); labelled with ``name``; sector names around the outside.
    * Edges: all contracts of one kind from ``u`` to ``v`` are drawn as one arrow, styled by
      kind (:data:`~networks.kinds.EDGE_STYLES`), of width :math:`0.6 + 0.8\\log(1 + a)` for
      total amount :math:`a`; different kinds between the same pair bend apart.
    * ``highlight_cycles`` (e.g. from :func:`~networks.analytics.circular_deals`) are drawn as
      a grey band under their arcs, and their nodes get a thick outline.

    Parameters
    ----------
    G : networkx.MultiDiGraph
        A deal graph (see :func:`~networks.graph.build_deal_graph`).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; default a new 11 x 11 inch figure.
    pos : mapping, optional
        Node -> (x, y); default :func:`sector_layout`.
    highlight_cycles : iterable of sequences of node ids, optional
        Cycles to emphasise, each as a node list without repeating the first node.
    title : str, optional
        Axes title.
    words : callable, optional
        Puts the figure's own words into another language: it is given each English word or
        phrase -- sector labels ("Chip makers"), contract kinds ("compute contract"), statuses
        ("healthy"), "circular deal" and the legends' titles -- and returns its translation
        (default: as they are).

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (the graph is not modified).

    Raises
    ------
    DealGraphError
        If a node has an unknown ``status`` or kind, ``pos`` misses a node, or a highlighted
        cycle uses a node or arc that is not in the graph.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from networks.graph import build_deal_graph
    >>> G = build_deal_graph(
    ...     [{"id": 0, "name": "Nvidia", "kind": "chip_maker", "total_assets_bn": 111.0},
    ...      {"id": 1, "name": "OpenAI", "kind": "ai_lab", "status": "stressed"}],
    ...     [{"id": "eq", "holder": 0, "obligor": 1, "kind": "equity", "amount_bn": 100.0}],
    ... )
    >>> ax = draw_deal_graph(G, title="Nvidia and OpenAI")
    >>> ax.figure.savefig("/tmp/nvidia_openai.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if ax is None:
        _, ax = plt.subplots(figsize=(11, 11))
    if pos is None:
        pos = sector_layout(G)
        _draw_sector_bands(G, ax)
    pos = dict(pos)
    missing = [n for n in G if n not in pos]
    if missing:
        raise DealGraphError(f"pos has no position for node(s) {sorted(missing)}")
    nodes = sorted(G)
    areas = _node_areas(G, nodes)
    cycles = _cycle_arcs(G, highlight_cycles)
    curvature = _edge_curvatures(G)

    # Edges: one arrow per (holder, obligor, kind); highlighted cycles underneath.
    radius_pt = {n: math.sqrt(a) / 2 for n, a in zip(nodes, areas)}  # marker radius in points
    for u, v in sorted(cycles):
        ax.add_patch(_arc(pos[u], pos[v], curvature[u, v][0], radius_pt[u], radius_pt[v],
                          color=_HIGHLIGHT_COLOUR, alpha=0.22, linewidth=10, arrowstyle="-",
                          zorder=1))  # fmt: skip
    for (u, v, kind), amount in _aggregate_contracts(G).items():
        style = EDGE_STYLES[kind]
        ax.add_patch(_arc(pos[u], pos[v], curvature[u, v][1][kind], radius_pt[u], radius_pt[v],
                          color=style["color"], linestyle=style["linestyle"],
                          linewidth=0.6 + 0.8 * math.log1p(amount), arrowstyle="-|>",
                          mutation_scale=14, zorder=2))  # fmt: skip

    # Nodes, then labels.
    in_cycle = {node for arc in cycles for node in arc}
    ax.scatter(
        [pos[n][0] for n in nodes],
        [pos[n][1] for n in nodes],
        s=areas,
        c=[_status_colour(G, n) for n in nodes],
        edgecolors=[_HIGHLIGHT_COLOUR if n in in_cycle else "#444444" for n in nodes],
        linewidths=[2.8 if n in in_cycle else 0.8 for n in nodes],
        zorder=3,
    )
    say = words or (lambda text: text)
    _draw_labels(G, pos, radius_pt, ax, say)

    # Legends: contract kinds present, then statuses.
    kinds_present = {kind for _, _, kind in G.edges(data="kind")}
    contract_handles = [
        Line2D([], [], color=EDGE_STYLES[k]["color"], linestyle=EDGE_STYLES[k]["linestyle"],  # type: ignore[arg-type]
               linewidth=2.2, label=say(k.replace("_", " ")))
        for k in EDGE_KINDS if k in kinds_present
    ]  # fmt: skip
    status_handles = [
        Line2D([], [], marker="o", linestyle="", markersize=10, markerfacecolor=colour,
               markeredgecolor="#444444", label=say(status))
        for status, colour in STATUS_COLOURS.items()
    ]  # fmt: skip
    if cycles:
        status_handles.append(
            Line2D([], [], color=_HIGHLIGHT_COLOUR, alpha=0.22, linewidth=8, label=say("circular deal"))
        )
    if contract_handles:
        contracts_legend = ax.legend(
            handles=contract_handles, title=say("contract (holder → obligor)"), loc="lower left",
            fontsize=8, title_fontsize=9, frameon=False,
        )  # fmt: skip
        ax.add_artist(contracts_legend)
    ax.legend(handles=status_handles, title=say("status"), loc="lower right", fontsize=8,
              title_fontsize=9, frameon=False)  # fmt: skip

    if title:
        ax.set_title(title, fontsize=13)
    ax.set_aspect("equal")
    ax.set_axis_off()
    _fit_limits(ax, pos)
    return ax


# ----------------------------------------------------------------------------- layout helpers


def _sector_angles(G: nx.Graph, sector_order: Sequence[str] | None) -> tuple[dict[int, float], float]:
    """Node -> angle (radians) as documented in :func:`sector_layout`, and the slot width."""
    members = _sector_members(G)
    order = [kind for kind in _sector_order(sector_order) if kind in members]
    step = 2 * math.pi / max(len(G) + len(order), 1)
    first_centre = (len(members[order[0]]) - 1) / 2 if order else 0.0
    angles: dict[int, float] = {}
    slot = 0
    for kind in order:
        for node in members[kind]:
            angles[node] = math.pi / 2 - step * (slot - first_centre)
            slot += 1
        slot += 1  # the empty slot between sectors
    return angles, step


def _sector_members(G: nx.Graph) -> dict[str, list[int]]:
    members: dict[str, list[int]] = defaultdict(list)
    for node, kind in G.nodes(data="kind"):
        if kind not in INSTITUTION_KINDS:
            raise DealGraphError(f"institution {node!r}: unknown kind {kind!r}; choose from {list(INSTITUTION_KINDS)}")
        members[kind].append(node)
    return {kind: sorted(nodes) for kind, nodes in members.items()}


def _sector_order(sector_order: Sequence[str] | None) -> list[str]:
    if sector_order is None:
        return list(INSTITUTION_KINDS)
    order = list(sector_order)
    unknown = [kind for kind in order if kind not in INSTITUTION_KINDS]
    if unknown:
        raise DealGraphError(f"sector_order has unknown kind(s) {unknown}; choose from {list(INSTITUTION_KINDS)}")
    if len(set(order)) != len(order):
        raise DealGraphError(f"sector_order repeats a kind: {order}")
    return order + [kind for kind in INSTITUTION_KINDS if kind not in order]


# ----------------------------------------------------------------------------- drawing helpers


def _node_areas(G: nx.MultiDiGraph, nodes: list[int]) -> list[float]:
    assets = {n: G.nodes[n].get("total_assets_bn") for n in nodes}
    known = [a for a in assets.values() if a is not None and a > 0]
    largest = max(known, default=0.0)
    areas = []
    for n in nodes:
        a = assets[n]
        if a is None or largest == 0:
            areas.append(_DEFAULT_NODE_AREA)
        else:
            areas.append(max(_MIN_NODE_AREA, _MAX_NODE_AREA * math.sqrt(max(a, 0.0) / largest)))
    return areas


def _status_colour(G: nx.MultiDiGraph, node: int) -> str:
    status = G.nodes[node].get("status", "healthy")
    if status not in STATUS_COLOURS:
        raise DealGraphError(f"institution {node!r}: unknown status {status!r}; choose from {list(STATUS_COLOURS)}")
    return STATUS_COLOURS[status]


def _aggregate_contracts(G: nx.MultiDiGraph) -> dict[tuple[int, int, str], float]:
    totals: dict[tuple[int, int, str], float] = defaultdict(float)
    for u, v, data in G.edges(data=True):
        totals[u, v, data["kind"]] += data["amount_bn"]
    order = {kind: i for i, kind in enumerate(EDGE_KINDS)}
    return dict(sorted(totals.items(), key=lambda item: (*item[0][:2], order[item[0][2]])))


def _edge_curvatures(G: nx.MultiDiGraph) -> dict[tuple[int, int], tuple[float, dict[str, float]]]:
    """(u, v) -> (middle curvature, {kind: curvature}); kinds fan out from a slight bend.

    A slight positive bend also separates u -> v from v -> u, which bend to opposite sides.
    """
    kinds_by_arc: dict[tuple[int, int], set[str]] = defaultdict(set)
    for u, v, kind in G.edges(data="kind"):
        kinds_by_arc[u, v].add(kind)
    curvature = {}
    for arc, kinds in kinds_by_arc.items():
        ordered = [k for k in EDGE_KINDS if k in kinds]
        rads = {k: round(0.08 + 0.09 * i, 3) for i, k in enumerate(ordered)}
        curvature[arc] = (round(0.08 + 0.045 * (len(ordered) - 1), 3), rads)
    return curvature


def _arc(p: Position, q: Position, rad: float, shrink_a: float, shrink_b: float, **style):
    """A curved arrow from p to q that stops at the node markers (radii in points)."""
    from matplotlib.patches import FancyArrowPatch

    return FancyArrowPatch(p, q, connectionstyle=f"arc3,rad={rad}", shrinkA=shrink_a + 1,
                           shrinkB=shrink_b + 2, capstyle="butt", **style)  # fmt: skip


def _cycle_arcs(G: nx.MultiDiGraph, cycles: Iterable[Sequence[int]] | None) -> set[tuple[int, int]]:
    arcs: set[tuple[int, int]] = set()
    for cycle in cycles or ():
        cycle = list(cycle)
        for u, v in zip(cycle, cycle[1:] + cycle[:1]):
            if not G.has_edge(u, v):
                raise DealGraphError(
                    f"highlighted cycle {cycle} uses {u!r} -> {v!r}, which is not a contract in the graph"
                )
            arcs.add((u, v))
    return arcs


def _draw_sector_bands(G: nx.MultiDiGraph, ax: Axes) -> None:
    """A light grey arc behind each sector's nodes on the unit circle of :func:`sector_layout`."""
    from matplotlib.patches import Arc

    angles, step = _sector_angles(G, None)
    for members in _sector_members(G).values():
        lo = min(angles[n] for n in members) - 0.42 * step
        hi = max(angles[n] for n in members) + 0.42 * step
        ax.add_patch(Arc((0.0, 0.0), 2.0, 2.0, theta1=math.degrees(lo), theta2=math.degrees(hi),
                         linewidth=22, color=_SECTOR_BAND_COLOUR, zorder=0))  # fmt: skip


def _draw_labels(
    G: nx.MultiDiGraph, pos: dict[int, Position], radius_pt: dict[int, float], ax: Axes, say: Callable[[str], str]
) -> None:
    """Node names just outside each node; sector names beyond them, pointing away from the centre.

    Offsets are in points, so labels clear the markers and each other at any figure size.
    """
    if not pos:
        return
    cx = sum(x for x, _ in pos.values()) / len(pos)
    cy = sum(y for _, y in pos.values()) / len(pos)

    def outward(x: float, y: float) -> tuple[float, float]:
        d = math.hypot(x - cx, y - cy)
        return ((x - cx) / d, (y - cy) / d) if d > 1e-9 else (0.0, -1.0)

    def label(x: float, y: float, ux: float, uy: float, distance: float, text: str, **style):
        ha = "left" if ux > 0.3 else "right" if ux < -0.3 else "center"
        va = "bottom" if uy > 0.3 else "top" if uy < -0.3 else "center"
        ax.annotate(text, (x, y), xytext=(distance * ux, distance * uy), textcoords="offset points",
                    ha=ha, va=va, zorder=4, **style)  # fmt: skip

    names = {node: str(G.nodes[node].get("name", node)) for node in G}
    for node in G:
        x, y = pos[node]
        label(x, y, *outward(x, y), radius_pt[node] + 3, names[node], fontsize=_LABEL_FONTSIZE)

    for kind, members in _sector_members(G).items():
        ux, uy = outward(sum(pos[n][0] for n in members) / len(members),
                         sum(pos[n][1] for n in members) / len(members))  # fmt: skip
        reach = max(math.hypot(pos[n][0] - cx, pos[n][1] - cy) for n in members)
        # Clear the widest node label: horizontally on the sides, one text line at top/bottom.
        name_width = 0.6 * _LABEL_FONTSIZE * max(len(names[n]) for n in members)
        distance = (max(radius_pt[n] for n in members) + 8 + abs(ux) * name_width
                    + abs(uy) * 1.4 * _LABEL_FONTSIZE)  # fmt: skip
        label(cx + reach * ux, cy + reach * uy, ux, uy, distance, say(SECTOR_LABELS[kind]).upper(),
              fontsize=_LABEL_FONTSIZE - 0.5, fontweight="bold", color="#707070")  # fmt: skip


def _fit_limits(ax: Axes, pos: dict[int, Position]) -> None:
    if not pos:
        return
    xs = [x for x, _ in pos.values()]
    ys = [y for _, y in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    # Room for labels all round, and a little more at the bottom for the legends.
    ax.set_xlim(min(xs) - 0.5 * span, max(xs) + 0.5 * span)
    ax.set_ylim(min(ys) - 0.6 * span, max(ys) + 0.4 * span)
