"""The deal network drawn as SVG: fixed sector layout, status colours, contract styles,
circular deals, node names placed clear of each other, and the legend under it.

Pure rendering (strings out, no Solara); the panel that shows it is
:func:`simulator.app.panels.DealNetwork`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection

from networks import EDGE_STYLES, STATUS_COLOURS, STATUSES, sector_layout
from networks.kinds import EDGE_KINDS
from simulator import views
from simulator.app.markup import _status_dot, esc, fmt_bn, fmt_pct, fmt_ratio, kind_label
from simulator.i18n import DEFAULT_LANGUAGE, gettext_for
from simulator.model import ContagionModel
from simulator.words import sector_label, status_label

NET_W, NET_H = 600, 500
NET_RADIUS = 0.33 * NET_H
_LABEL_CHAR_W, _LABEL_H = 6.0, 12.0  # approximate size of an 11 px label character
_DASHES = {"solid": "", "dashed": "6 4", "dotted": "1.5 3", "dashdot": "7 3 1.5 3"}


@functools.lru_cache(maxsize=64)
def _layout_for(kinds: tuple[str, ...]) -> dict[int, tuple[float, float]]:
    """Pixel positions from ``networks.sector_layout``: computed once per set of institutions."""
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_nodes_from((i, {"kind": k}) for i, k in enumerate(kinds))
    pos = sector_layout(G)
    cx, cy, r = NET_W / 2, NET_H / 2 - 4, NET_RADIUS
    return {i: (cx + r * x, cy - r * y) for i, (x, y) in pos.items()}


def _curve(p, q, rad: float, shrink_a: float, shrink_b: float) -> tuple[str, tuple[float, float]]:
    """Quadratic Bezier from p to q bent by ``rad`` (like matplotlib's arc3), trimmed at the nodes."""
    (x1, y1), (x2, y2) = p, q
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    cx, cy = mx + rad * dy, my - rad * dx

    def trim(ax, ay, bx, by, d):
        length = math.hypot(bx - ax, by - ay) or 1.0
        return ax + (bx - ax) * d / length, ay + (by - ay) * d / length

    sx, sy = trim(x1, y1, cx, cy, shrink_a)
    ex, ey = trim(x2, y2, cx, cy, shrink_b)
    return f"M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}", (cx, cy)


def network_svg(
    model: ContagionModel,
    selected: str | None,
    cycles: list[list[int]],
    highlighted: Collection[str] = (),
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """The deal graph as SVG: fixed sector layout, colour = status, area ~ total assets, edges
    styled by contract kind (networks.EDGE_STYLES), optional circular deals as grey bands, and
    the ``highlighted`` institutions (a lesson's) ringed in orange.

    Every node is a ``<g data-name=... data-status=... data-highlighted=...>`` with a ``<title>``
    tooltip holding its key figures; clicking one selects it. Words in ``lang``.
    """
    _ = gettext_for(lang, "app")
    G = model.deal_graph()
    kinds = tuple(G.nodes[i]["kind"] for i in sorted(G))
    pos = _layout_for(kinds)
    assets = {i: max(float(G.nodes[i].get("total_assets_bn", 0.0)), 0.0) for i in G}
    largest = max(assets.values(), default=0.0) or 1.0
    radius = {i: 4.5 + 17.5 * math.sqrt(assets[i] / largest) for i in G}
    sel = model.index_of.get(selected) if selected else None

    totals: dict[tuple[int, int, str], float] = {}
    for u, w, data in G.edges(data=True):
        totals[u, w, data["kind"]] = totals.get((u, w, data["kind"]), 0.0) + data["amount_bn"]
    by_arc: dict[tuple[int, int], list[str]] = {}
    for u, w, kind in totals:
        by_arc.setdefault((u, w), []).append(kind)
    order = {k: n for n, k in enumerate(EDGE_KINDS)}

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='@VIEWBOX@' class='aic-net-svg' data-month='{model.month}'>",
        "<defs>",
    ]
    for kind, style in EDGE_STYLES.items():
        parts.append(
            f"<marker id='aic-arrow-{kind}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
            f"markerHeight='7' markerUnits='userSpaceOnUse' orient='auto-start-reverse'>"
            f"<path d='M0,0 L10,5 L0,10 z' fill='{style['color']}'/></marker>"
        )
    parts.append("</defs>")

    # Sector bands (an arc behind each sector's nodes) and sector names inside the circle.
    cx, cy = NET_W / 2, NET_H / 2 - 4
    r0 = NET_RADIUS
    members: dict[str, list[int]] = {}
    for i in sorted(G):
        members.setdefault(G.nodes[i]["kind"], []).append(i)
    slot = 2 * math.pi / max(len(G) + len(members), 1)
    for kind, nodes in members.items():
        angles = [math.atan2(cy - pos[i][1], pos[i][0] - cx) for i in nodes]
        mean = math.atan2(sum(math.sin(a) for a in angles), sum(math.cos(a) for a in angles))
        offsets = [math.remainder(a - mean, 2 * math.pi) for a in angles]
        a0, a1 = mean + min(offsets) - 0.42 * slot, mean + max(offsets) + 0.42 * slot
        x0, y0 = cx + r0 * math.cos(a0), cy - r0 * math.sin(a0)
        x1, y1 = cx + r0 * math.cos(a1), cy - r0 * math.sin(a1)
        large = 1 if a1 - a0 > math.pi else 0
        parts.append(
            f"<path d='M{x0:.1f},{y0:.1f} A{r0:.1f},{r0:.1f} 0 {large} 0 {x1:.1f},{y1:.1f}' fill='none' "
            f"stroke='#EDEDED' stroke-width='26' stroke-linecap='round'/>"
        )
        if len(nodes) > 1:  # a lone institution's own name says it all
            lx, ly = cx + 0.8 * r0 * math.cos(mean), cy - 0.8 * r0 * math.sin(mean)
            anchor = "start" if math.cos(mean) < -0.5 else "end" if math.cos(mean) > 0.5 else "middle"
            parts.append(
                f"<text x='{lx:.1f}' y='{ly:.1f}' class='aic-sector' text-anchor='{anchor}' "
                f"dominant-baseline='middle'>{esc(sector_label(kind, lang).upper())}</text>"
            )

    # Circular deals: grey bands under the arcs.
    for cycle in cycles:
        for u, w in zip(cycle, cycle[1:] + cycle[:1]):
            n_kinds = len(by_arc.get((u, w), [])) or 1
            d, _mid = _curve(pos[u], pos[w], 0.08 + 0.045 * (n_kinds - 1), radius[u], radius[w])
            parts.append(
                f"<path d='{d}' class='aic-cycle' fill='none' stroke='#000' stroke-opacity='0.13' "
                f"stroke-width='8' stroke-linecap='round'/>"
            )

    # Contracts: one curve per (holder, obligor, kind); the selected node's on top.
    edges_low: list[str] = []
    edges_high: list[str] = []
    for (u, w), arc_kinds in sorted(by_arc.items()):
        for n, kind in enumerate(sorted(arc_kinds, key=lambda k: order.get(k, len(order)))):
            amount = totals[u, w, kind]
            style = EDGE_STYLES[kind]
            d, _mid = _curve(pos[u], pos[w], 0.08 + 0.09 * n, radius[u] + 1, radius[w] + 2)
            width = 0.5 + 0.55 * math.log1p(amount)
            touches = sel is not None and sel in (u, w)
            opacity = 0.95 if touches else (0.3 if sel is not None else 0.6)
            dash = _DASHES.get(style["linestyle"], "")
            tip = f"{model.names[u]} → {model.names[w]}: {kind_label(kind, lang)} {fmt_bn(amount)}"
            path = (
                f"<path d='{d}' fill='none' stroke='{style['color']}' stroke-width='{width:.2f}' "
                f"stroke-opacity='{opacity}' stroke-dasharray='{dash}' marker-end='url(#aic-arrow-{kind})' "
                f"data-kind='{kind}'><title>{esc(tip)}</title></path>"
            )
            (edges_high if touches else edges_low).append(path)
    parts += edges_low + edges_high

    # Nodes with tooltips, then their names outside the circle (nudged apart where they would
    # overlap); the viewBox is fitted to what is drawn.
    labels = []
    for i in sorted(G):
        x, y = pos[i]
        name = model.names[i]
        fig = views.key_figures(model, name)
        status = fig["status"]
        tip_lines = [
            f"{name} ({kind_label(fig['kind'], lang)}): {status_label(status, lang)}"
            + (
                _(" since month {month}").format(month=fig["defaulted_month"])
                if fig["defaulted_month"] is not None
                else ""
            ),
            _("Total assets {assets} · equity {equity} · cash {cash}").format(
                assets=fmt_bn(fig["total_assets_bn"]), equity=fmt_bn(fig["equity_bn"]), cash=fmt_bn(fig["cash_bn"])
            ),
            _("Leverage {leverage} · LTV {ltv} · DSCR {dscr}").format(
                leverage=fmt_ratio(fig["leverage"]), ltv=fmt_pct(fig["ltv"]), dscr=fmt_ratio(fig["dscr"])
            ),
            _("Realised losses {realised} · unrealised {unrealised}").format(
                realised=fmt_bn(fig["realised_losses_bn"]), unrealised=fmt_bn(fig["unrealised_losses_bn"])
            )
            + (
                ""
                if fig["market_value_shortfall_bn"] is None
                else _(" · market value {shortfall} below the counterfactual").format(
                    shortfall=fmt_bn(fig["market_value_shortfall_bn"])
                )
            ),
        ]
        ring = (
            (
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius[i] + 4:.1f}' fill='none' stroke='#111' "
                f"stroke-width='2.5'/>"
            )
            if i == sel
            else ""
        )
        lit = name in highlighted
        if lit:
            ring += (
                f"<circle class='aic-highlight' cx='{x:.1f}' cy='{y:.1f}' r='{radius[i] + 8:.1f}' fill='#E66100' "
                f"fill-opacity='0.12' stroke='#E66100' stroke-width='3' stroke-dasharray='5 3'/>"
            )
        outline = "#111" if any(i in c for c in cycles) else "#555"
        parts.append(
            f"<g class='aic-node' data-name='{esc(name)}' data-status='{status}' data-index='{i}' "
            f"data-highlighted='{'true' if lit else 'false'}'>"
            f"<title>{esc(chr(10).join(tip_lines))}</title>{ring}"
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius[i]:.1f}' fill='{STATUS_COLOURS.get(status, '#999')}' "
            f"stroke='{outline}' stroke-width='{1.6 if outline == '#111' else 0.8}'/></g>"
        )
        labels.append(_Label(i, name, x, y, radius[i], cx, cy, bold=i == sel or lit))
    _separate(labels)
    box = [math.inf, math.inf, -math.inf, -math.inf]
    for lab in labels:
        x0, y0, x1, y1 = lab.bbox()
        box = [
            min(box[0], x0, lab.x - lab.r - 14),
            min(box[1], y0, lab.y - lab.r - 14),
            max(box[2], x1, lab.x + lab.r + 14),
            max(box[3], y1, lab.y + lab.r + 14),
        ]
        weight = " font-weight='700'" if lab.bold else ""
        parts.append(
            f"<text x='{lab.tx:.1f}' y='{lab.ty:.1f}' text-anchor='{lab.anchor}' dominant-baseline='{lab.baseline}' "
            f"class='aic-label' data-name='{esc(lab.name)}'{weight}>{esc(lab.name)}</text>"
        )
    parts.append("</svg>")
    pad = 4
    viewbox = f"{box[0] - pad:.0f} {box[1] - pad:.0f} {box[2] - box[0] + 2 * pad:.0f} {box[3] - box[1] + 2 * pad:.0f}"
    return "".join(parts).replace("@VIEWBOX@", viewbox, 1)


class _Label:
    """A node name placed just outside its node, pointing away from the circle's centre."""

    def __init__(self, node: int, name: str, x: float, y: float, r: float, cx: float, cy: float, bold: bool):
        self.node, self.name, self.x, self.y, self.r, self.bold = node, name, x, y, r, bold
        norm = math.hypot(x - cx, y - cy) or 1.0
        self.ux, self.uy = (x - cx) / norm, (y - cy) / norm
        self.distance = r + 5
        self.width = _LABEL_CHAR_W * len(name) * (1.08 if bold else 1.0)
        self.anchor = "start" if self.ux > 0.15 else "end" if self.ux < -0.15 else "middle"
        self.baseline = "hanging" if self.uy > 0.3 else "auto" if self.uy < -0.3 else "middle"

    @property
    def tx(self) -> float:
        return self.x + self.ux * self.distance

    @property
    def ty(self) -> float:
        return self.y + self.uy * self.distance

    def bbox(self) -> tuple[float, float, float, float]:
        tx, ty = self.tx, self.ty
        x0 = tx if self.anchor == "start" else tx - self.width if self.anchor == "end" else tx - self.width / 2
        y0 = ty if self.baseline == "hanging" else ty - _LABEL_H if self.baseline == "auto" else ty - _LABEL_H / 2
        return x0, y0, x0 + self.width, y0 + _LABEL_H


def _separate(labels: list[_Label], rounds: int = 30) -> None:
    """Push overlapping labels outward (the one nearer the vertical moves) until none overlap."""
    for _ in range(rounds):
        moved = False
        for a_i, a in enumerate(labels):
            for b in labels[a_i + 1 :]:
                ax0, ay0, ax1, ay1 = a.bbox()
                bx0, by0, bx1, by1 = b.bbox()
                if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                    mover = a if abs(a.ux) < abs(b.ux) else b
                    mover.distance += 4
                    moved = True
        if not moved:
            return


def _legend_html(model: ContagionModel, G_kinds: set[str], lang: str = DEFAULT_LANGUAGE) -> str:
    _ = gettext_for(lang, "app")
    counts = views.status_counts(model)
    statuses = "".join(
        f"<span class='aic-chip' data-status='{s}' data-count='{counts.get(s, 0)}'>{_status_dot(s)}{status_label(s, lang)} "
        f"<b>{counts.get(s, 0)}</b></span>"
        for s in STATUSES
    )
    edges = "".join(
        f"<span class='aic-chip'><svg width='22' height='8'><line x1='1' y1='4' x2='21' y2='4' "
        f"stroke='{EDGE_STYLES[k]['color']}' stroke-width='2.2' stroke-dasharray='{_DASHES.get(EDGE_STYLES[k]['linestyle'], '')}'/>"
        f"</svg>{kind_label(k, lang)}</span>"
        for k in EDGE_KINDS
        if k in G_kinds
    )
    return (
        f"<div class='aic-legend' data-testid='status-counts'>{statuses}</div>"
        f"<div class='aic-legend aic-small'>{edges} <span class='aic-muted'>"
        f"{_('node size = total assets; arrow: holder of the claim → obligor')}</span></div>"
    )
