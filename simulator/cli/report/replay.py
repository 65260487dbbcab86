"""The deal network month by month, for the report's replay: one inline SVG drawn once (fixed
sector layout, :func:`networks.sector_layout`) and, per month, every institution's status and
equity and that month's events, as data for the page's slider to recolour the nodes.

Pure computation and string building (no browser, no matplotlib). The SVG's
``<g class="rp-node" data-index="n">`` is the ``n``-th institution in the order of the
``institution`` column of ``agents.csv`` (its id), which is also its place in every per-node list
of :func:`replay_data`.
"""

from __future__ import annotations

import math
from html import escape

import networkx as nx
import pandas as pd

from networks import EDGE_KINDS, EDGE_STYLES, STATUS_COLOURS, STATUSES, sector_layout
from simulator.events import SEVERITY, Event, event_sentence
from simulator.i18n import gettext_for
from simulator.words import event_kind_label, kind_word, sector_label, status_label

__all__ = ["MONTH_EVENTS_SHOWN", "REPLAY_MIN_SEVERITY", "network_svg", "replay_data"]

RADIUS = 230.0  # px, the circle the institutions sit on
_DASHES = {"solid": "", "dashed": "6 4", "dotted": "1.5 3", "dashdot": "7 3 1.5 3"}
REPLAY_MIN_SEVERITY = 4
"""A month's events shown beside the replay: kinds at least this serious (``SEVERITY``):
defaults, write-offs, seizures, accelerations, fire sales, breaches, waivers, shocks, cuts...;
routine flows (rollovers, draws, new loans, redemptions, funding rounds) stay in events.jsonl."""
MONTH_EVENTS_SHOWN = 8
_LOSS_TOTALS = {
    "realised": "realised_losses_bn_total",
    "unrealised": "unrealised_losses_bn_total",
    "market_value_short": "market_value_shortfall_bn_total",
}


def institutions(agents: pd.DataFrame) -> pd.DataFrame:
    """One row per institution (index = its id), with ``name``, ``kind`` and month-0 total assets."""
    first = agents[agents["month"] == 0].set_index("institution").sort_index()
    leverage = pd.to_numeric(first.get("leverage"), errors="coerce") if "leverage" in first else None
    assets = first["equity_bn"].astype(float) * leverage if leverage is not None else first["equity_bn"] * math.nan
    return pd.DataFrame({"name": first["name"].astype(str), "kind": first["kind"].astype(str), "assets_bn": assets})


def positions(nodes: pd.DataFrame) -> dict[int, tuple[float, float]]:
    """Pixel positions (centre at 0, 0; y down) from :func:`networks.sector_layout`."""
    G = nx.Graph()
    G.add_nodes_from((int(i), {"kind": k}) for i, k in nodes["kind"].items())
    return {i: (RADIUS * x, -RADIUS * y) for i, (x, y) in sector_layout(G).items()}


def _radii(nodes: pd.DataFrame) -> dict[int, float]:
    assets = nodes["assets_bn"].astype(float)
    known = assets[assets.notna() & (assets > 0)]
    largest = float(known.max()) if len(known) else 1.0
    middle = float(known.median()) if len(known) else 1.0
    return {int(i): 5.0 + 17.0 * math.sqrt((a if a == a and a > 0 else middle) / largest) for i, a in assets.items()}


def _curve(p: tuple[float, float], q: tuple[float, float], rad: float, trim_a: float, trim_b: float) -> str:
    """A quadratic Bézier from p to q bent by ``rad`` (like matplotlib's arc3), trimmed at the nodes."""
    (x1, y1), (x2, y2) = p, q
    cx, cy = (x1 + x2) / 2 + rad * (y2 - y1), (y1 + y2) / 2 - rad * (x2 - x1)

    def towards(ax: float, ay: float, d: float) -> tuple[float, float]:
        length = math.hypot(cx - ax, cy - ay) or 1.0
        return ax + (cx - ax) * d / length, ay + (cy - ay) * d / length

    sx, sy = towards(x1, y1, trim_a)
    ex, ey = towards(x2, y2, trim_b)
    return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}"


def network_svg(agents: pd.DataFrame, graph: dict | None, month: int, lang: str = "en") -> str:
    """The deal network as an inline SVG, coloured as at ``month`` (the page's script recolours it).

    Nodes: colour = status, area ~ total assets at month 0, names outside the circle along the
    radius. Contracts: those of ``graph.json`` (the final month's), one curve per holder, obligor
    and kind, styled like the run's network.png (:data:`networks.EDGE_STYLES`); none if the run
    did not write the graph. Words (sectors, statuses, tooltips) in ``lang``.
    """
    _ = gettext_for(lang, "app")
    nodes = institutions(agents)
    pos = positions(nodes)
    radius = _radii(nodes)
    at = agents[agents["month"] == month].set_index("institution")
    parts = [
        "<svg class='rp-svg' viewBox='-400 -372 800 744' role='img' "
        f"aria-label='{escape(_('Deal network, coloured by status month by month'), quote=True)}' "
        f"data-month='{month}'>",
        "<defs>",
        *(
            f"<marker id='rp-arrow-{k}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' markerHeight='7' "
            f"markerUnits='userSpaceOnUse' orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
            f"fill='{s['color']}'/></marker>"
            for k, s in EDGE_STYLES.items()
        ),
        "</defs>",
    ]
    parts += _sector_bands(nodes, pos, lang)
    parts += _edges(graph, nodes, pos, radius, lang)
    for n, (i, row) in enumerate(nodes.iterrows()):  # n: the node's place in replay_data's lists
        x, y = pos[int(i)]
        status = str(at.loc[i, "status"])
        parts.append(
            f"<g class='rp-node' data-index='{n}' data-name='{escape(row['name'], quote=True)}' data-status='{status}'>"
            f"<title>{escape(_tip(row['name'], row['kind'], status, float(at.loc[i, 'equity_bn']), month, lang))}</title>"
            f"<circle class='rp-ring' cx='{x:.1f}' cy='{y:.1f}' r='{radius[int(i)] + 5:.1f}'/>"
            f"<circle class='rp-dot' cx='{x:.1f}' cy='{y:.1f}' r='{radius[int(i)]:.1f}' "
            f"fill='{STATUS_COLOURS[status]}'/></g>"
        )
        parts.append(_label(row["name"], x, y, radius[int(i)]))
    parts.append("</svg>")
    return "".join(parts)


def _tip(name: str, kind: str, status: str, equity_bn: float, month: int, lang: str = "en") -> str:
    _ = gettext_for(lang, "app")
    return _("{name} ({sector}): {status} at month {month}, book equity {equity}").format(
        name=name,
        sector=sector_label(kind, lang),
        status=status_label(status, lang),
        month=month,
        equity=_("US$ {amount} bn").format(amount=f"{equity_bn:,.1f}"),
    )


def _label(name: str, x: float, y: float, r: float) -> str:
    """The name outside the circle along the radius, turned so it never reads upside down."""
    angle = math.degrees(math.atan2(y, x))
    ux, uy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    tx, ty = x + ux * (r + 6), y + uy * (r + 6)
    flip = abs(angle) > 90
    rotate, anchor = (angle + 180, "end") if flip else (angle, "start")
    return (
        f"<text class='rp-label' x='{tx:.1f}' y='{ty:.1f}' text-anchor='{anchor}' dominant-baseline='middle' "
        f"transform='rotate({rotate:.1f} {tx:.1f} {ty:.1f})'>{escape(name)}</text>"
    )


def _sector_bands(nodes: pd.DataFrame, pos: dict[int, tuple[float, float]], lang: str = "en") -> list[str]:
    """A grey arc behind each sector's institutions, with the sector's name inside the circle."""
    parts = []
    members: dict[str, list[int]] = {}
    for i, kind in nodes["kind"].items():
        members.setdefault(kind, []).append(int(i))
    slot = 2 * math.pi / max(len(nodes) + len(members), 1)
    for kind, group in members.items():
        angles = [math.atan2(pos[i][1], pos[i][0]) for i in group]
        mean = math.atan2(sum(map(math.sin, angles)), sum(map(math.cos, angles)))
        offsets = [math.remainder(a - mean, 2 * math.pi) for a in angles]
        a0, a1 = mean + min(offsets) - 0.4 * slot, mean + max(offsets) + 0.4 * slot
        x0, y0 = RADIUS * math.cos(a0), RADIUS * math.sin(a0)
        x1, y1 = RADIUS * math.cos(a1), RADIUS * math.sin(a1)
        parts.append(
            f"<path class='rp-band' d='M{x0:.1f},{y0:.1f} A{RADIUS:.0f},{RADIUS:.0f} 0 {int(a1 - a0 > math.pi)} 1 "
            f"{x1:.1f},{y1:.1f}'/>"
        )
        lx, ly = 0.8 * RADIUS * math.cos(mean), 0.8 * RADIUS * math.sin(mean)
        anchor = "start" if math.cos(mean) < -0.5 else "end" if math.cos(mean) > 0.5 else "middle"
        parts.append(
            f"<text class='rp-sector' x='{lx:.1f}' y='{ly:.1f}' text-anchor='{anchor}' dominant-baseline='middle'>"
            f"{escape(sector_label(kind, lang).upper())}</text>"
        )
    return parts


def _edges(graph: dict | None, nodes: pd.DataFrame, pos: dict, radius: dict[int, float], lang: str = "en") -> list[str]:
    if graph is None:
        return []
    index = {name: int(i) for i, name in nodes["name"].items()}
    by_id = {n["id"]: index.get(n["name"]) for n in graph["nodes"]}
    totals: dict[tuple[int, int, str], float] = {}
    for e in graph["edges"]:
        u, w = by_id.get(e["source"]), by_id.get(e["target"])
        if u is None or w is None or e["kind"] not in EDGE_STYLES:
            continue
        totals[u, w, e["kind"]] = totals.get((u, w, e["kind"]), 0.0) + float(e["amount_bn"])
    order = {k: n for n, k in enumerate(EDGE_KINDS)}
    arcs: dict[tuple[int, int], list[str]] = {}
    for u, w, kind in totals:
        arcs.setdefault((u, w), []).append(kind)
    names = nodes["name"].to_dict()
    _ = gettext_for(lang, "app")
    parts = []
    for (u, w), kinds in sorted(arcs.items()):
        for n, kind in enumerate(sorted(kinds, key=lambda k: order.get(k, len(order)))):
            amount = totals[u, w, kind]
            style = EDGE_STYLES[kind]
            tip = _("{holder} → {obligor}: {kind}, US$ {amount} bn at the end of the run").format(
                holder=names[u], obligor=names[w], kind=kind_word(kind, lang), amount=f"{amount:,.1f}"
            )
            parts.append(
                f"<path class='rp-edge' d='{_curve(pos[u], pos[w], 0.08 + 0.09 * n, radius[u] + 1, radius[w] + 2)}' "
                f"stroke='{style['color']}' stroke-width='{0.5 + 0.55 * math.log1p(max(amount, 0.0)):.2f}' "
                f"stroke-dasharray='{_DASHES.get(style['linestyle'], '')}' marker-end='url(#rp-arrow-{kind})' "
                f"data-kind='{kind}'><title>{escape(tip)}</title></path>"
            )
    return parts


def replay_data(agents: pd.DataFrame, events: list[Event], timeseries: pd.DataFrame | None, lang: str = "en") -> dict:
    """What the slider shows for each month, as JSON-ready values.

    ``months`` (0..N); per node (in id order) ``names`` and ``kinds``; ``statuses`` and
    ``colours`` (:data:`networks.STATUS_COLOURS`); ``status[m][i]`` (an index into ``statuses``)
    and ``equity[m][i]`` (book equity, US$ bn) of node ``i`` in month ``m``; ``events[m]``: the
    month's events of kinds at least :data:`REPLAY_MIN_SEVERITY` serious, the most serious and
    largest first, at most :data:`MONTH_EVENTS_SHOWN` (``[kind, actor, message]``), and
    ``more[m]``, how many other events the month had; ``totals[m]``: realised and unrealised
    losses, market value below the counterfactual (US$ bn, None without one) and defaults so far,
    from timeseries.csv (None if the run did not write it). ``sectors``, ``status_labels``,
    ``kind_labels`` (of event kinds) and the events' sentences in ``lang`` (``kinds``,
    ``statuses`` and the events' kinds stay codes).
    """
    nodes = institutions(agents)
    ids = list(nodes.index)
    months = sorted(int(m) for m in agents["month"].unique())
    code = {s: n for n, s in enumerate(STATUSES)}
    table = agents.set_index(["month", "institution"]).sort_index()
    status = [[code[str(table.loc[(m, i), "status"])] for i in ids] for m in months]
    equity = [[round(float(table.loc[(m, i), "equity_bn"]), 3) for i in ids] for m in months]
    by_month: dict[int, list[Event]] = {m: [] for m in months}
    for e in events:
        by_month.setdefault(e.month, []).append(e)
    shown, more = [], []
    for m in months:
        serious = [e for e in by_month[m] if SEVERITY.get(e.kind, 0) >= REPLAY_MIN_SEVERITY]
        serious.sort(key=lambda e: (-SEVERITY.get(e.kind, 0), -abs(e.amount_bn)))
        picked = serious[:MONTH_EVENTS_SHOWN]
        shown.append([[e.kind, e.actor, event_sentence(e, lang)] for e in picked])
        more.append(len(by_month[m]) - len(picked))
    totals = None
    if timeseries is not None:
        totals = [
            {
                **{key: _number(row.get(column)) for key, column in _LOSS_TOTALS.items()},
                "defaults": int(row["defaults_total"]) if "defaults_total" in row else None,
            }
            for _, row in timeseries.iterrows()
        ]
    return {
        "months": months,
        "names": nodes["name"].tolist(),
        "kinds": nodes["kind"].tolist(),
        "sectors": {k: sector_label(k, lang) for k in sorted(set(nodes["kind"]))},
        "statuses": list(STATUSES),
        "status_labels": {s: status_label(s, lang) for s in STATUSES},
        "kind_labels": {k: event_kind_label(k, lang) for k in sorted({e.kind for e in events})},
        "colours": dict(STATUS_COLOURS),
        "status": status,
        "equity": equity,
        "events": shown,
        "more": more,
        "totals": totals,
    }


def _number(value: object) -> float | None:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return round(x, 6) if math.isfinite(x) else None
