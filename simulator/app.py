"""The visual model: watch a cascade and pull the levers (Solara + Mesa's SolaraViz).

Run it with ``aicontagion app`` (loopback, offline assets; see ``simulator.app_server``) or
``solara run simulator/app.py``. Each browser session builds its own model (inside ``Page``,
with ``solara.use_memo``), so two people on one server never see each other's run.

The page has no model logic: it builds :class:`~simulator.model.ContagionModel` from the
widgets, calls ``step()`` / ``run_for()`` and shows what :mod:`simulator.views` reads back.

Layout
------
* Sidebar: scenario picker (loads the scenario at once) and "run to month N"; then SolaraViz's
  Reset / Play / Step and the model parameters -- seed, the main levers of
  :data:`simulator.config.LEVERS` with units, an extra shock, the central-bank backstop and the
  channel switches. Sliders start at the scenario's own values; what you change applies when
  you press Reset.
* Main area: a summary bar (month, statuses, losses, first covenant breach, any error in the
  parameters), then six panels: deal network, time series, event log, inspector, systemic
  ranking (DebtRank) and circular deals.
"""

from __future__ import annotations

import functools
import html
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipyvuetify as v
import numpy as np
import solara
import solara.server.settings
import traitlets
from mesa.visualization import SolaraViz
from mesa.visualization import solara_viz as _solara_viz
from mesa.visualization.utils import force_update, update_counter

from agents.registry import AGENT_CLASSES
from networks import EDGE_STYLES, SECTOR_LABELS, STATUS_COLOURS, STATUSES, sector_layout
from networks.kinds import CONTRACT_KINDS
from simulator import views
from simulator.config import (
    CONFIG_DIR,
    LEVERS,
    SHOCK_KINDS,
    Channels,
    ConfigError,
    Scenario,
    load_scenario,
    scenario_names,
)
from simulator.events import EVENT_KINDS, SEVERITY
from simulator.model import ContagionModel

DEFAULT_SCENARIO = "baseline_2025"
DEFAULT_SEED = 42
SCENARIO_ENV = "AICONTAGION_SCENARIO"  # set by simulator.app_server.serve(scenario=...)
NO_SHOCK = "none"
NO_TARGET = "(no target)"
MAX_MONTH = 600
EVENTS_SHOWN = 200


# =============================================================================== parameters
def initial_scenario_name() -> str:
    """The scenario a new session starts with: $AICONTAGION_SCENARIO, else baseline_2025."""
    return (os.environ.get(SCENARIO_ENV) or "").strip() or DEFAULT_SCENARIO


def parse_seed(text: Any) -> int:
    """The seed typed in the page as a whole number >= 0, or ConfigError with a clear message."""
    if isinstance(text, bool):
        raise ConfigError(f"Seed must be a whole number ≥ 0, got {text!r}")
    if isinstance(text, (int, np.integer)):
        value = int(text)
    else:
        raw = str(text).strip()
        if not raw.isdigit():
            raise ConfigError(f"Seed must be a whole number ≥ 0, got {raw!r}")
        value = int(raw)
    if value < 0:
        raise ConfigError(f"Seed must be a whole number ≥ 0, got {value}")
    return value


@dataclass(frozen=True)
class Knob:
    """A slider for one lever of ``simulator.config.LEVERS``, in the unit shown in its label.

    ``scale`` converts the slider's number to the lever's (0.01 for % of a share);
    ``read`` reads the scenario's own value (in lever units) from its config.
    """

    lever: str
    label: str
    scale: float
    step: float
    read: Callable[[Scenario], float]
    display_max: float | None = None  # cap for levers whose allowed range is too wide to slide
    display_min: float | None = None

    def bounds(self) -> tuple[float, float]:
        lever = LEVERS[self.lever]
        lo, hi = lever.low / self.scale, lever.high / self.scale
        if self.display_min is not None:
            lo = max(lo, self.display_min)
        if self.display_max is not None:
            hi = min(hi, self.display_max)
        return _snap(lo, self.step), _snap(hi, self.step)

    def default(self, config: Scenario) -> float:
        lo, hi = self.bounds()
        return float(np.clip(_snap(self.read(config) / self.scale, self.step), lo, hi))

    def to_lever(self, value: float) -> float:
        return LEVERS[self.lever].kind(round(float(value) * self.scale, 10))


def _snap(x: float, step: float) -> float:
    return round(round(x / step) * step, 6)


def _mean(values) -> float:
    values = list(values)
    return float(np.mean(values)) if values else 0.0


def _median_ltv(config: Scenario) -> float:
    covenants = [d.ltv_covenant for d in config.debts.values() if d.ltv_covenant is not None]
    return float(np.median(covenants)) if covenants else 0.85


def _median_waiver(config: Scenario) -> float:
    values = [AGENT_CLASSES[inst.kind].Rules(**inst.rules).waiver_propensity for inst in config.institutions.values()]
    return float(np.median(values)) if values else 0.5


KNOBS: tuple[Knob, ...] = (
    Knob("gpu_depreciation_per_year", "GPU depreciation (%/yr)", 0.01, 1,
         lambda c: _mean(g.depreciation_per_year for g in c.markets.gpu.generations)),
    Knob("rental_deflation_per_year", "GPU rental-rate deflation (%/yr)", 0.01, 1,
         lambda c: c.markets.gpu.rental_deflation_per_year),
    Knob("ai_revenue_growth_per_year", "AI revenue growth (%/yr)", 0.01, 5,
         lambda c: c.markets.demand.ai_revenue_growth_per_year, display_max=400),
    Knob("gpu_market_depth_bn", "GPU secondary-market depth (US$ bn)", 1.0, 1,
         lambda c: c.markets.gpu.market_depth_bn, display_min=1, display_max=300),
    Knob("ltv_covenant", "LTV covenant threshold (% loan / collateral)", 0.01, 5,
         _median_ltv, display_min=30, display_max=200),
    Knob("waiver_propensity", "Lender waiver propensity (0 = never … 1 = most)", 1.0, 0.05, _median_waiver),
)
CHANNELS: tuple[str, ...] = tuple(name for name in Channels.model_fields if name in LEVERS)
SHOCK_CHOICES: tuple[str, ...] = (NO_SHOCK, *SHOCK_KINDS)


def channel_label(name: str) -> str:
    words = name.replace("ltv", "LTV").replace("dscr", "DSCR").replace("_", " ")
    return f"Channel: {words}"


@functools.lru_cache(maxsize=32)
def scenario_config(name: str) -> Scenario:
    """The scenario as written in configs/ (no levers applied); cached per name."""
    return load_scenario(name)


def widget_defaults(config: Scenario) -> dict[str, Any]:
    """What every parameter widget shows for ``config`` before the user touches it."""
    values: dict[str, Any] = {knob.lever: knob.default(config) for knob in KNOBS}
    values["central_bank_enabled"] = bool(config.central_bank.enabled)
    values.update({name: bool(getattr(config.channels, name)) for name in CHANNELS})
    values.update(shock_kind=NO_SHOCK, shock_target=NO_TARGET, shock_size=0.0, shock_month=1)
    return values


def shock_targets(config: Scenario) -> list[str]:
    """Targets the shock picker offers: none, every GPU generation, institutions, contracts."""
    gens = [g.name for g in config.markets.gpu.generations]
    return [NO_TARGET, "all", *gens, *config.institutions, *config.contracts]


def levers_from_widgets(config: Scenario, widgets: dict[str, Any]) -> dict[str, Any]:
    """Lever keywords for ``ContagionModel`` from the widget values.

    A slider or switch left at the scenario's own value is not passed, so the scenario keeps its
    detail (e.g. a different depreciation per GPU generation); one the user moved overrides the
    scenario everywhere it applies. The extra shock is passed only if a kind is chosen.
    """
    defaults = widget_defaults(config)
    levers: dict[str, Any] = {}
    for knob in KNOBS:
        value = widgets.get(knob.lever, defaults[knob.lever])
        if value is not None and not math.isclose(float(value), defaults[knob.lever], abs_tol=1e-9):
            levers[knob.lever] = knob.to_lever(value)
    for name in ("central_bank_enabled", *CHANNELS):
        value = widgets.get(name, defaults[name])
        if bool(value) != defaults[name]:
            levers[name] = bool(value)
    kind = widgets.get("shock_kind") or NO_SHOCK
    if kind != NO_SHOCK:
        target = widgets.get("shock_target") or NO_TARGET
        levers.update(
            shock_kind=kind,
            shock_target="" if target == NO_TARGET else str(target),
            shock_size=float(widgets.get("shock_size") or 0.0),
            shock_month=int(widgets.get("shock_month") or 1),
        )
    return levers


class AppModel(ContagionModel):
    """``ContagionModel`` built from the page's widgets (parameter plumbing only).

    SolaraViz re-creates the model on Reset as ``AppModel(**widget_values)``. Invalid input never
    breaks the page: a bad seed falls back to the default seed, levers the engine rejects
    (``ConfigError``) are dropped, an unknown scenario falls back to baseline_2025, and
    ``param_error`` keeps the messages for the page to show.

    ``scenario`` is Mesa's own ``Scenario`` object, which SolaraViz's Reset passes back; our
    scenario is ``scenario_name``.
    """

    def __init__(self, scenario_name: str | None = None, seed: Any = DEFAULT_SEED, scenario: Any = None, **widgets: Any):
        del scenario  # Mesa's experiment object, not a scenario name
        errors: list[str] = []
        self.requested_scenario = scenario_name or initial_scenario_name()
        try:
            self.app_seed = parse_seed(seed)
        except ConfigError as exc:
            errors.append(str(exc))
            self.app_seed = DEFAULT_SEED
        source = self.requested_scenario
        try:
            base = scenario_config(source)
        except ConfigError as exc:
            errors.append(str(exc))
            source, base = DEFAULT_SCENARIO, scenario_config(DEFAULT_SCENARIO)
        try:
            self.applied_levers = levers_from_widgets(base, widgets)
            config = load_scenario(source, **self.applied_levers) if self.applied_levers else base
        except ConfigError as exc:
            errors.append(str(exc))
            self.applied_levers = {}
            config = base
        # Name config files relative to the repository: shorter, and enough to find them.
        self.param_error = " · ".join(e.replace(f"{CONFIG_DIR}{os.sep}", "configs/") for e in errors) or None
        super().__init__(config, seed=self.app_seed)
        self.focus = views.default_focus(self)  # inspected first; fixed for the whole run


# =============================================================================== session state
# Module-level reactives are per browser session (Solara scopes them per kernel).
selected_name = solara.reactive("")  # institution shown in the inspector and ringed in the network
highlight_choice = solara.reactive("no circular deals")
event_kind = solara.reactive("all kinds")
event_institution = solara.reactive("all institutions")
event_all_months = solara.reactive(False)
debtrank_method = solara.reactive("linear")
run_to_month = solara.reactive(24)
run_message = solara.reactive("")
chosen_scenario = solara.reactive("")  # "" = initial_scenario_name(); set by the scenario picker
chosen_seed = solara.reactive(DEFAULT_SEED)  # the seed a newly picked scenario starts with


def session_scenario() -> str:
    return chosen_scenario.value or initial_scenario_name()


def current_selection(model: ContagionModel) -> str:
    """The selected institution if it exists in this model, else the model's starting focus."""
    name = selected_name.value
    if name in model.index_of:
        return name
    return getattr(model, "focus", None) or views.default_focus(model)


# =============================================================================== formatting
def fmt_bn(x: float | None) -> str:
    """US$ billions for a table: $7.6B, $350M, −$1.2B; '–' for None."""
    if x is None or not math.isfinite(x):
        return "–"
    sign = "−" if x < 0 else ""
    a = abs(x)
    if a >= 100:
        return f"{sign}${a:,.0f}B"
    if a >= 1:
        return f"{sign}${a:,.1f}B"
    if a >= 0.0005:
        return f"{sign}${a * 1000:,.0f}M"
    return "$0"


def fmt_pct(x: float | None, digits: int = 0) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if math.isinf(x):
        return "∞"
    return f"{x * 100:.{digits}f}%"


def fmt_ratio(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return "∞" if math.isinf(x) else f"{x:.2f}x"


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def kind_label(kind: str) -> str:
    return kind.replace("_", " ")


def _status_dot(status: str) -> str:
    return f"<span class='aic-dot' style='background:{STATUS_COLOURS.get(status, '#999')}'></span>"


# =============================================================================== deal network (SVG)
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


def network_svg(model: ContagionModel, selected: str | None, cycles: list[list[int]]) -> str:
    """The deal graph as SVG: fixed sector layout, colour = status, area ~ total assets, edges
    styled by contract kind (networks.EDGE_STYLES), optional circular deals as grey bands.

    Every node is a ``<g data-name=... data-status=...>`` with a ``<title>`` tooltip holding its
    key figures; clicking one selects it.
    """
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
    order = {k: n for n, k in enumerate(CONTRACT_KINDS)}

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='@VIEWBOX@' "
             f"class='aic-net-svg' data-month='{model.month}'>",
             "<defs>"]
    for kind, style in EDGE_STYLES.items():
        parts.append(f"<marker id='aic-arrow-{kind}' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='7' "
                     f"markerHeight='7' markerUnits='userSpaceOnUse' orient='auto-start-reverse'>"
                     f"<path d='M0,0 L10,5 L0,10 z' fill='{style['color']}'/></marker>")
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
        parts.append(f"<path d='M{x0:.1f},{y0:.1f} A{r0:.1f},{r0:.1f} 0 {large} 0 {x1:.1f},{y1:.1f}' fill='none' "
                     f"stroke='#EDEDED' stroke-width='26' stroke-linecap='round'/>")
        if len(nodes) > 1:  # a lone institution's own name says it all
            lx, ly = cx + 0.8 * r0 * math.cos(mean), cy - 0.8 * r0 * math.sin(mean)
            anchor = "start" if math.cos(mean) < -0.5 else "end" if math.cos(mean) > 0.5 else "middle"
            parts.append(f"<text x='{lx:.1f}' y='{ly:.1f}' class='aic-sector' text-anchor='{anchor}' "
                         f"dominant-baseline='middle'>{esc(SECTOR_LABELS.get(kind, kind).upper())}</text>")

    # Circular deals: grey bands under the arcs.
    for cycle in cycles:
        for u, w in zip(cycle, cycle[1:] + cycle[:1]):
            n_kinds = len(by_arc.get((u, w), [])) or 1
            d, _ = _curve(pos[u], pos[w], 0.08 + 0.045 * (n_kinds - 1), radius[u], radius[w])
            parts.append(f"<path d='{d}' class='aic-cycle' fill='none' stroke='#000' stroke-opacity='0.13' "
                         f"stroke-width='8' stroke-linecap='round'/>")

    # Contracts: one curve per (holder, obligor, kind); the selected node's on top.
    edges_low, edges_high = [], []
    for (u, w), arc_kinds in sorted(by_arc.items()):
        for n, kind in enumerate(sorted(arc_kinds, key=order.get)):
            amount = totals[u, w, kind]
            style = EDGE_STYLES[kind]
            d, _ = _curve(pos[u], pos[w], 0.08 + 0.09 * n, radius[u] + 1, radius[w] + 2)
            width = 0.5 + 0.55 * math.log1p(amount)
            touches = sel is not None and sel in (u, w)
            opacity = 0.95 if touches else (0.3 if sel is not None else 0.6)
            dash = _DASHES.get(style["linestyle"], "")
            tip = f"{model.names[u]} → {model.names[w]}: {kind_label(kind)} {fmt_bn(amount)}"
            path = (f"<path d='{d}' fill='none' stroke='{style['color']}' stroke-width='{width:.2f}' "
                    f"stroke-opacity='{opacity}' stroke-dasharray='{dash}' marker-end='url(#aic-arrow-{kind})' "
                    f"data-kind='{kind}'><title>{esc(tip)}</title></path>")
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
        tip = [f"{name} ({kind_label(fig['kind'])}): {status}"
               + (f" since month {fig['defaulted_month']}" if fig["defaulted_month"] is not None else ""),
               f"Total assets {fmt_bn(fig['total_assets_bn'])} · equity {fmt_bn(fig['equity_bn'])} · cash {fmt_bn(fig['cash_bn'])}",
               f"Leverage {fmt_ratio(fig['leverage'])} · LTV {fmt_pct(fig['ltv'])} · DSCR {fmt_ratio(fig['dscr'])}",
               f"Contagion losses so far {fmt_bn(fig['losses_bn'])}"]
        ring = (f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius[i] + 4:.1f}' fill='none' stroke='#111' "
                f"stroke-width='2.5'/>") if i == sel else ""
        outline = "#111" if any(i in c for c in cycles) else "#555"
        parts.append(f"<g class='aic-node' data-name='{esc(name)}' data-status='{status}' data-index='{i}'>"
                     f"<title>{esc(chr(10).join(tip))}</title>{ring}"
                     f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{radius[i]:.1f}' fill='{STATUS_COLOURS.get(status, '#999')}' "
                     f"stroke='{outline}' stroke-width='{1.6 if outline == '#111' else 0.8}'/></g>")
        labels.append(_Label(i, name, x, y, radius[i], cx, cy, bold=i == sel))
    _separate(labels)
    box = [math.inf, math.inf, -math.inf, -math.inf]
    for lab in labels:
        x0, y0, x1, y1 = lab.bbox()
        box = [min(box[0], x0, lab.x - lab.r - 14), min(box[1], y0, lab.y - lab.r - 14),
               max(box[2], x1, lab.x + lab.r + 14), max(box[3], y1, lab.y + lab.r + 14)]
        weight = " font-weight='700'" if lab.bold else ""
        parts.append(f"<text x='{lab.tx:.1f}' y='{lab.ty:.1f}' text-anchor='{lab.anchor}' dominant-baseline='{lab.baseline}' "
                     f"class='aic-label' data-name='{esc(lab.name)}'{weight}>{esc(lab.name)}</text>")
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
            for b in labels[a_i + 1:]:
                ax0, ay0, ax1, ay1 = a.bbox()
                bx0, by0, bx1, by1 = b.bbox()
                if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                    mover = a if abs(a.ux) < abs(b.ux) else b
                    mover.distance += 4
                    moved = True
        if not moved:
            return

class NetworkView(v.VuetifyTemplate):
    """Shows the SVG; a click on a node calls ``on_pick(name)``."""

    template = traitlets.Unicode("""
<template>
  <div class="aic-net" v-html="svg" @click="pick"></div>
</template>
<script>
module.exports = {
  methods: {
    pick(event) {
      const node = event.target.closest("[data-name]");
      if (node) { this.pick_node(node.getAttribute("data-name")); }
    }
  }
}
</script>
""").tag(sync=True)
    svg = traitlets.Unicode("").tag(sync=True)
    on_pick = traitlets.Callable(None, allow_none=True)

    def vue_pick_node(self, name):
        if self.on_pick is not None:
            self.on_pick(name)


def _legend_html(model: ContagionModel, G_kinds: set[str]) -> str:
    counts = views.status_counts(model)
    statuses = "".join(
        f"<span class='aic-chip' data-status='{s}' data-count='{counts.get(s, 0)}'>{_status_dot(s)}{s} "
        f"<b>{counts.get(s, 0)}</b></span>" for s in STATUSES
    )
    edges = "".join(
        f"<span class='aic-chip'><svg width='22' height='8'><line x1='1' y1='4' x2='21' y2='4' "
        f"stroke='{EDGE_STYLES[k]['color']}' stroke-width='2.2' stroke-dasharray='{_DASHES.get(EDGE_STYLES[k]['linestyle'], '')}'/>"
        f"</svg>{kind_label(k)}</span>"
        for k in CONTRACT_KINDS if k in G_kinds
    )
    return (f"<div class='aic-legend' data-testid='status-counts'>{statuses}</div>"
            f"<div class='aic-legend aic-small'>{edges} <span class='aic-muted'>node size = total assets; arrow: holder of the claim → obligor</span></div>")


@solara.component
def DealNetwork(model: ContagionModel):
    """Deal network: fixed sector layout, status colours, contract styles, circular deals."""
    update_counter.get()
    selected = current_selection(model)
    deals = views.circular_deals(model, max_length=4)
    labels = {" → ".join(d["names"]): d for d in deals}
    choices = ["no circular deals", "all circular deals", *labels]
    choice = highlight_choice.value if highlight_choice.value in choices else "no circular deals"
    if choice == "all circular deals":
        cycles = [d["nodes"] for d in deals]
    elif choice in labels:
        cycles = [labels[choice]["nodes"]]
    else:
        cycles = []
    svg = network_svg(model, selected, cycles)
    kinds_present = {k for _, _, k in model.deal_graph().edges(data="kind")}
    fig = views.key_figures(model, selected)
    with solara.Column(gap="4px", classes=["aic-panel"]):
        solara.HTML(tag="div", unsafe_innerHTML="<b>Deal network</b> <span class='aic-muted'>· hover a node for its "
                    "figures, click to inspect it</span>", classes=["aic-title"])
        with solara.Row(gap="8px", style="align-items: center"):
            solara.Select("Highlight", values=choices, value=choice, on_value=highlight_choice.set, dense=True,
                          style="max-width: 300px")
            solara.Select("Institution", values=list(model.names), value=selected, on_value=selected_name.set,
                          dense=True, style="max-width: 200px")
        NetworkView.element(svg=svg, on_pick=selected_name.set)
        solara.HTML(tag="div", classes=["aic-small", "aic-keyfigs"], unsafe_innerHTML=(
            f"{_status_dot(fig['status'])}<b>{esc(fig['name'])}</b> ({kind_label(fig['kind'])}, {fig['status']}): "
            f"assets {fmt_bn(fig['total_assets_bn'])} · equity {fmt_bn(fig['equity_bn'])} · cash {fmt_bn(fig['cash_bn'])} · "
            f"LTV {fmt_pct(fig['ltv'])} · DSCR {fmt_ratio(fig['dscr'])}"))
        solara.HTML(tag="div", unsafe_innerHTML=_legend_html(model, kinds_present))


# =============================================================================== time series
_GEN_COLOURS = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377")
_SECTOR_COLOURS = {
    "chip_maker": "#332288", "hyperscaler": "#88CCEE", "ai_lab": "#44AA99", "neocloud": "#CC6677",
    "miner": "#DDCC77", "private_credit": "#AA4499", "spv": "#999933", "insurer": "#117733",
    "pension": "#882255", "bank": "#6699CC", "central_bank": "#555555", "retail": "#EE8866",
}
PANEL_W, PANEL_H = 262, 140


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]
    colour: str
    step: bool = False
    dashed: bool = False


def _nice_step(span: float, target: int = 4) -> float:
    raw = max(span, 1e-12) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * magnitude:
            return m * magnitude
    return 10 * magnitude


def _tick_text(x: float, step: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
    return f"{x:.{min(decimals, 3)}f}"


def line_chart_svg(title: str, months: list[int], series: list[Series], *, y_floor: float | None = 0.0,
                   unit: str = "", empty_note: str = "", ref_line: float | None = None) -> str:
    """One small line chart as an SVG panel (title, axes, nice ticks, lines, HTML legend).

    Each line has a ``<title>`` tooltip with its latest value; ``None`` values leave gaps.
    """
    left, right, top, bottom = 38, 8, 6, 18
    w, h = PANEL_W - left - right, PANEL_H - top - bottom
    xs_max = max(max(months, default=0), 1)
    values = [v for s in series for v in s.values if v is not None and math.isfinite(v)]
    if ref_line is not None:
        values.append(ref_line)
    lo = min(values, default=0.0)
    hi = max(values, default=1.0)
    if y_floor is not None:
        lo = min(lo, y_floor)
    if hi - lo < 1e-9:
        hi = lo + (abs(lo) * 0.1 or 1.0)
    step = _nice_step(hi - lo)
    lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step

    def X(m: float) -> float:
        return left + w * m / xs_max

    def Y(val: float) -> float:
        return top + h * (1 - (val - lo) / (hi - lo))

    out = [f"<svg viewBox='0 0 {PANEL_W} {PANEL_H}' class='aic-chart'>"]
    k = 0
    while lo + k * step <= hi + 1e-9:
        val = lo + k * step
        out.append(f"<line x1='{left}' x2='{left + w}' y1='{Y(val):.1f}' y2='{Y(val):.1f}' class='aic-grid'/>"
                   f"<text x='{left - 4}' y='{Y(val):.1f}' class='aic-tick' text-anchor='end' "
                   f"dominant-baseline='middle'>{_tick_text(val, step)}</text>")
        k += 1
    xstep = max(1, int(_nice_step(xs_max, 6)))
    for m in range(0, xs_max + 1, xstep):
        out.append(f"<text x='{X(m):.1f}' y='{PANEL_H - 5}' class='aic-tick' text-anchor='middle'>{m}</text>")
    out.append(f"<line x1='{left}' x2='{left + w}' y1='{top + h}' y2='{top + h}' class='aic-axis'/>")
    if ref_line is not None:
        out.append(f"<line x1='{left}' x2='{left + w}' y1='{Y(ref_line):.1f}' y2='{Y(ref_line):.1f}' class='aic-ref'/>")
    for s in series:
        segments, current = [], []
        prev = None
        for m, val in zip(months, s.values):
            if val is None or not math.isfinite(val):
                if current:
                    segments.append(current)
                current, prev = [], None
                continue
            if s.step and prev is not None:
                current.append(f"{X(m):.1f},{Y(prev):.1f}")
            current.append(f"{X(m):.1f},{Y(val):.1f}")
            prev = val
        if current:
            segments.append(current)
        latest = next((v for v in reversed(s.values) if v is not None and math.isfinite(v)), None)
        tip = esc(f"{s.label}: {_tick_text(latest, step / 10) if latest is not None else '–'}{unit} in month {months[-1] if months else 0}")
        dash = " stroke-dasharray='4 3'" if s.dashed else ""
        for seg in segments:
            if len(seg) > 1:
                out.append(f"<polyline points='{' '.join(seg)}' fill='none' stroke='{s.colour}' stroke-width='1.8'{dash} "
                           f"stroke-linejoin='round'><title>{tip}</title></polyline>")
        if segments:  # the latest value as a dot (the only mark at month 0)
            x_last, y_last = segments[-1][-1].split(",")
            out.append(f"<circle cx='{x_last}' cy='{y_last}' r='2.4' fill='{s.colour}'><title>{tip}</title></circle>")
    if not series and empty_note:
        out.append(f"<text x='{left + w / 2}' y='{top + h / 2}' class='aic-note' text-anchor='middle'>{esc(empty_note)}</text>")
    out.append("</svg>")
    legend = "".join(f"<span class='aic-chip'><span class='aic-swatch' style='background:{s.colour}'></span>{esc(s.label)}</span>"
                     for s in series)
    return (f"<div class='aic-chart-panel'><div class='aic-chart-title'>{esc(title)}</div>{''.join(out)}"
            f"<div class='aic-chart-legend'>{legend}</div></div>")


def _col(df, name: str) -> tuple[float | None, ...]:
    return tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in df[name].tolist())


def timeseries_html(df) -> str:
    """Six small charts of the model variables (one DataCollector row per month)."""
    months = [int(m) for m in df["month"].tolist()]
    gens = [c for c in df.columns if c.startswith("gpu_price_")]
    gpu = [Series(c.removeprefix("gpu_price_").removesuffix("_k_usd"), _col(df, c), _GEN_COLOURS[n % 6])
           for n, c in enumerate(gens)]
    loss_cols = [c for c in df.columns if c.startswith("losses_bn_") and c != "losses_bn_total"]
    loss_cols = sorted((c for c in loss_cols if df[c].abs().max() > 1e-6), key=lambda c: -float(df[c].iloc[-1]))
    losses = [Series(SECTOR_LABELS.get(c.removeprefix("losses_bn_"), c), _col(df, c),
                     _SECTOR_COLOURS.get(c.removeprefix("losses_bn_"), "#999")) for c in loss_cols[:5]]
    if len(loss_cols) > 5:
        rest = df[loss_cols[5:]].sum(axis=1)
        losses.append(Series("others", tuple(float(v) for v in rest), "#999999", dashed=True))
    default_cols = [c for c in df.columns if c.startswith("defaults_") and c != "defaults_total" and df[c].max() > 0]
    defaults = [Series(SECTOR_LABELS.get(c.removeprefix("defaults_"), c), _col(df, c),
                       _SECTOR_COLOURS.get(c.removeprefix("defaults_"), "#999"), step=True)
                for c in sorted(default_cols, key=lambda c: -float(df[c].iloc[-1]))]
    mood = [Series("sentiment", _col(df, "sentiment"), "#4477AA")]
    if "ai_demand_ratio" in df:
        mood.append(Series("AI demand / expected", _col(df, "ai_demand_ratio"), "#EE6677"))
    capital = [Series(SECTOR_LABELS[k], tuple(None if v is None else 100 * v for v in _col(df, f"capital_ratio_{k}")),
                      _SECTOR_COLOURS[k]) for k in ("insurer", "bank")
               if f"capital_ratio_{k}" in df and df[f"capital_ratio_{k}"].notna().any()]
    stress = [Series("GPUs fire-sold (cumulative)", _col(df, "gpus_fire_sold_bn"), "#CC6677"),
              Series("central-bank lending", _col(df, "central_bank_lending_bn"), "#555555")]
    charts = [
        line_chart_svg("GPU price (US$k per GPU)", months, gpu, unit="k"),
        line_chart_svg("Cumulative losses by sector (US$ bn)", months, losses, empty_note="no losses yet"),
        line_chart_svg("Defaults by kind (cumulative)", months, defaults, empty_note="no defaults yet"),
        line_chart_svg("Sentiment and AI demand (index)", months, mood, ref_line=1.0),
        line_chart_svg("Capital ratios (% of risk-weighted assets)", months, capital, unit="%",
                       empty_note="no insurers or banks"),
        line_chart_svg("Fire sales and backstop (US$ bn)", months, stress),
    ]
    return f"<div class='aic-charts' data-month='{months[-1] if months else 0}'>{''.join(charts)}</div>"


@solara.component
def TimeSeries(model: ContagionModel):
    """GPU prices, losses, defaults, sentiment, capital ratios, fire sales: one point per month."""
    update_counter.get()
    df = model.datacollector.get_model_vars_dataframe()
    with solara.Column(gap="2px", classes=["aic-panel"]):
        solara.HTML(tag="div", unsafe_innerHTML="<b>Time series</b> <span class='aic-muted'>· one point per month; "
                    "hover a line for its latest value</span>", classes=["aic-title"])
        solara.HTML(tag="div", classes=["aic-scroll"], unsafe_innerHTML=timeseries_html(df))


# =============================================================================== event log
def _severity_class(kind: str) -> str:
    level = SEVERITY.get(kind, 0)
    return "aic-sev-high" if level >= 8 else "aic-sev-mid" if level >= 5 else "aic-sev-low"


@solara.component
def EventLog(model: ContagionModel):
    """This month's events as sentences, newest first; filter by kind and institution."""
    update_counter.get()
    kinds_seen = sorted({e.kind for e in model.events}, key=lambda k: EVENT_KINDS.index(k) if k in EVENT_KINDS else 99)
    kind_values = ["all kinds", *kinds_seen]
    inst_values = ["all institutions", *model.names]
    kind = event_kind.value if event_kind.value in kind_values else "all kinds"
    inst = event_institution.value if event_institution.value in inst_values else "all institutions"
    kinds = None if kind == "all kinds" else kind
    who = None if inst == "all institutions" else inst
    if event_all_months.value:
        events = views.event_log(model, kinds=kinds, institution=who, limit=EVENTS_SHOWN)
        scope = "all months"
    else:
        events = views.events_for_month(model, kinds=kinds, institution=who)
        scope = f"month {model.month}"
    rows = "".join(
        f"<li class='aic-event' data-kind='{e.kind}' data-month='{e.month}'>"
        f"<span class='aic-month'>m{e.month}</span><span class='aic-kind {_severity_class(e.kind)}'>{kind_label(e.kind)}</span>"
        f"<span class='aic-msg'>{esc(e.message)}</span></li>"
        for e in events[:EVENTS_SHOWN]
    )
    if not rows:
        rows = f"<li class='aic-muted aic-empty'>No events in {scope}{' for these filters' if kinds or who else ''}.</li>"
    with solara.Column(gap="4px", classes=["aic-panel"]):
        solara.HTML(tag="div", classes=["aic-title"], unsafe_innerHTML=(
            f"<b>Event log</b> <span class='aic-muted'>· {len(events)} event{'s' if len(events) != 1 else ''} in {scope}, newest first</span>"))
        with solara.Row(gap="8px", style="align-items: center"):
            solara.Select("Kind", values=kind_values, value=kind, on_value=event_kind.set, dense=True, style="max-width: 170px")
            solara.Select("Institution", values=inst_values, value=inst, on_value=event_institution.set, dense=True,
                          style="max-width: 170px")
            solara.Checkbox(label="all months", value=event_all_months.value, on_value=event_all_months.set)
        solara.HTML(tag="ul", classes=["aic-events", "aic-scroll"], unsafe_innerHTML=rows,
                    attributes={"data-month": str(model.month), "data-count": str(len(events))})


# =============================================================================== inspector
def _table(headers: list[str], rows: list[list[str]], classes: str = "", attrs: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='aic-table {classes}' {attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _headroom(x: float | None, as_pct: bool) -> str:
    if x is None:
        return "–"
    if math.isinf(x):
        return "<span class='aic-bad'>none</span>" if x < 0 else "∞"
    text = f"{x * 100:+.0f} pts" if as_pct else f"{x:+.2f}x"
    return f"<span class='{'aic-bad' if x < 0 else 'aic-good'}'>{text}</span>"


def inspector_html(model: ContagionModel, name: str) -> str:
    """Balance sheet, covenanted loans, largest exposures and round-trip ratio of ``name``."""
    bs = views.balance_sheet(model, name)
    fig = views.key_figures(model, name)
    status = bs["status"] + (f" since month {fig['defaulted_month']}" if fig["defaulted_month"] is not None else "")
    assets = [[views.ASSET_LINES[k], fmt_bn(x)] for k, x in bs["assets_bn"].items() if abs(x) > 5e-4]
    liabilities = [[views.LIABILITY_LINES[k], fmt_bn(x)] for k, x in bs["liabilities_bn"].items() if abs(x) > 5e-4]
    n = max(len(assets), len(liabilities))
    assets += [["", ""]] * (n - len(assets))
    liabilities += [["", ""]] * (n - len(liabilities))
    rows = [a + l for a, l in zip(assets, liabilities)]
    rows.append([f"<b>Total assets</b>", f"<b>{fmt_bn(bs['total_assets_bn'])}</b>",
                 f"<b>Equity (book)</b>", f"<b class='{'aic-bad' if bs['equity_bn'] < 0 else ''}'>{fmt_bn(bs['equity_bn'])}</b>"])
    sheet = _table(["Assets", "", "Liabilities", ""], rows, "aic-bs",
                   f"data-testid='balance-sheet' data-institution='{esc(name)}'")
    gpus = ", ".join(f"{units:,.0f}k {gen}" for gen, units in bs["gpus_k"].items()) or "none"
    rt = views.round_trip(model, name)
    summary = (f"<div class='aic-small'>Leverage {fmt_ratio(bs['leverage'])} · market value of equity "
               f"{fmt_bn(bs['market_value_bn'])} · GPUs {gpus} · contagion losses {fmt_bn(bs['losses_bn'])}</div>"
               f"<div class='aic-small' data-testid='round-trip'>Round-trip ratio <b>{fmt_pct(rt)}</b> "
               f"<span class='aic-muted'>(share of its contracted revenue owed by customers it funded)</span></div>")

    loans = views.loans_of(model, name)
    if loans:
        loan_rows = []
        for loan in loans[:12]:
            flags = []
            if loan["accelerated"]:
                flags.append("<span class='aic-bad'>accelerated</span>")
            elif loan["in_breach"]:
                flags.append("<span class='aic-bad'>in breach</span>")
            if loan["waivers"]:
                flags.append(f"{loan['waivers']} waiver{'s' if loan['waivers'] > 1 else ''}")
            ltv = f"{fmt_pct(loan['ltv'])} / {fmt_pct(loan['ltv_covenant'])}" if loan["ltv_covenant"] else fmt_pct(loan["ltv"])
            dscr = f"{fmt_ratio(loan['dscr'])} / {fmt_ratio(loan['dscr_covenant'])}" if loan["dscr_covenant"] else "–"
            loan_rows.append([esc(loan["lender"]), kind_label(loan["kind"]), fmt_bn(loan["principal_bn"]),
                              ltv, _headroom(loan["ltv_headroom"], True), dscr, _headroom(loan["dscr_headroom"], False),
                              ", ".join(flags) or "ok"])
        loans_html = _table(["Lender", "Kind", "Owed", "LTV / cov.", "Headroom", "DSCR / cov.", "Headroom", "State"],
                            loan_rows, "aic-loans", "data-testid='loans'")
    else:
        loans_html = "<div class='aic-muted aic-small'>It owes no loans, bonds or credit lines in the model.</div>"

    exposures = views.largest_exposures(model, name, top=5)
    if exposures:
        exp_html = _table(["Counterparty", "Contract", "Amount", "% of its equity"],
                          [[esc(e["counterparty"]), kind_label(e["kind"]), fmt_bn(e["amount_bn"]), fmt_pct(e["share_of_equity"])]
                           for e in exposures], "aic-exp", "data-testid='exposures'")
    else:
        exp_html = "<div class='aic-muted aic-small'>It holds no claims on other institutions.</div>"

    return (f"<div class='aic-inspector' data-institution='{esc(name)}' data-status='{bs['status']}' "
            f"data-month='{bs['month']}'>"
            f"<div>{_status_dot(bs['status'])}<b>{esc(name)}</b> · {kind_label(bs['kind'])} · {status} · month {bs['month']}</div>"
            f"<h4>Balance sheet</h4>{sheet}{summary}"
            f"<h4>Debt it owes, with covenant headroom</h4>{loans_html}"
            f"<h4>Largest exposures (claims it holds)</h4>{exp_html}</div>")


@solara.component
def Inspector(model: ContagionModel):
    """Choose an institution: balance sheet, loans and covenant headroom, exposures, round trip."""
    update_counter.get()
    name = current_selection(model)
    with solara.Column(gap="4px", classes=["aic-panel"]):
        with solara.Row(gap="8px", style="align-items: center"):
            solara.HTML(tag="div", unsafe_innerHTML="<b>Inspector</b>", classes=["aic-title"])
            solara.Select("Institution", values=list(model.names), value=name, on_value=selected_name.set, dense=True,
                          style="max-width: 240px")
        solara.HTML(tag="div", classes=["aic-scroll"], unsafe_innerHTML=inspector_html(model, name))


# =============================================================================== systemic panel
@solara.component
def SystemicRisk(model: ContagionModel):
    """DebtRank: whose failure now would cost the rest of the network the most equity."""
    update_counter.get()
    method = debtrank_method.value
    try:
        ranking = views.systemic_ranking(model, method=method)
        error = None
    except ImportError:
        ranking, error = [], "DebtRank is not available (simulator.cascades is missing)."
    total_equity = float(sum(e for e in views.exposure_inputs(model)[1] if e > 0)) or 1.0
    top = [item for item in ranking if item[1] > 0][:10]
    largest = max((s for _, s in top), default=0.0) or 1.0
    bars = "".join(
        f"<div class='aic-bar-row' data-name='{esc(n)}' data-score='{s:.4f}'><span class='aic-bar-name'>"
        f"{_status_dot(model.institutions[model.index_of[n]].status)}{esc(n)}</span>"
        f"<span class='aic-bar'><span style='width:{100 * s / largest:.1f}%'></span></span>"
        f"<span class='aic-bar-val'>{fmt_bn(s)} <span class='aic-muted'>({fmt_pct(s / total_equity, 1)})</span></span></div>"
        for n, s in top
    ) or f"<div class='aic-muted aic-small'>{error or 'No institution would pass losses on to others now.'}</div>"
    with solara.Column(gap="4px", classes=["aic-panel"]):
        with solara.Row(gap="8px", style="align-items: center; justify-content: space-between"):
            solara.HTML(tag="div", classes=["aic-title"], unsafe_innerHTML=(
                "<b>Systemic risk now</b> <span class='aic-muted'>· DebtRank: equity the others would lose "
                "if it failed</span>"))
            solara.ToggleButtonsSingle(value=method, values=["linear", "original"], on_value=debtrank_method.set, dense=True)
        solara.HTML(tag="div", classes=["aic-small", "aic-muted"], unsafe_innerHTML=(
            "Exposures: equity, loans, bonds, credit lines, ABS and fund shares each holder has on the failing "
            "institution, relative to the holder's book equity; % = share of system equity."))
        solara.HTML(tag="div", classes=["aic-scroll", "aic-bars"], unsafe_innerHTML=bars,
                    attributes={"data-testid": "debtrank", "data-month": str(model.month), "data-method": method})


@solara.component
def CircularDeals(model: ContagionModel):
    """Cycles of claims: money that goes round and comes back (up to four institutions)."""
    update_counter.get()
    deals = views.circular_deals(model, max_length=4)
    items = []
    for deal in deals:
        chain = " ".join(
            f"{esc(link['from'])} <span class='aic-link'>→ {'/'.join(kind_label(k) for k in link['kinds'])} "
            f"{fmt_bn(link['amount_bn'])} →</span>" for link in deal["links"]
        ) + f" {esc(deal['names'][0])}"
        items.append(f"<li data-names='{esc(' → '.join(deal['names']))}'>{chain}</li>")
    body = "".join(items) or "<li class='aic-muted'>No circular deals in the network now.</li>"
    with solara.Column(gap="4px", classes=["aic-panel"]):
        solara.HTML(tag="div", classes=["aic-title"], unsafe_innerHTML=(
            f"<b>Circular deals</b> <span class='aic-muted'>· {len(deals)} cycle{'s' if len(deals) != 1 else ''} "
            "of claims; largest round-trip first (highlight them in the network)</span>"))
        solara.HTML(tag="ul", classes=["aic-cycles", "aic-scroll"], unsafe_innerHTML=body,
                    attributes={"data-testid": "circular-deals", "data-month": str(model.month)})


# =============================================================================== summary + sidebar
@solara.component
def Summary(model: ContagionModel):
    """One bar above the panels: where the run stands, and any problem with the parameters."""
    update_counter.get()
    counts = views.status_counts(model)
    df = model.datacollector.get_model_vars_dataframe()
    last = df.iloc[-1]
    chips = "".join(
        f"<span class='aic-chip' data-status='{s}' data-count='{counts[s]}'>{_status_dot(s)}{s} <b>{counts[s]}</b></span>"
        for s in STATUSES
    )
    first = model.first_breach
    breach = (f"<span class='aic-small'>First covenant breach: month {first[0]}: {esc(first[1])}</span>"
              if first else "<span class='aic-small aic-muted'>No covenant breach yet.</span>")
    with solara.Column(gap="2px", classes=["aic-summary"]):
        solara.HTML(tag="div", attributes={"data-testid": "summary", "data-month": str(model.month),
                                           "data-defaulted": str(counts["defaulted"])},
                    unsafe_innerHTML=(
            f"<b class='aic-scn'>{esc(model.config.name)}</b> · <b data-testid='month'>month {model.month}</b> · seed "
            f"{model.app_seed} · {chips} · losses {fmt_bn(float(last['losses_bn_total']))} · system equity "
            f"{fmt_bn(float(last['system_equity_bn']))} · sentiment {float(last['sentiment']):.2f}<br>{breach}"))
        if model.param_error:
            solara.Error(f"Not applied: {model.param_error}. Running {model.config.name} with seed {model.app_seed}"
                         f"{' and the levers that were valid' if model.applied_levers else ' and its own settings'}.",
                         dense=True, classes=["aic-param-error"])


@solara.component
def ScenarioCard(model: solara.Reactive[ContagionModel]):
    """Scenario picker (loads at once) and "run to month N"."""
    current = model.value
    names = scenario_names()
    requested = current.requested_scenario if current.requested_scenario in names else current.config.name

    def load(name: str) -> None:
        # Layout is keyed on the chosen scenario: the whole page starts afresh with it, so the
        # model and every parameter widget start from the new scenario's values.
        run_message.set("")
        chosen_seed.set(current.app_seed)
        chosen_scenario.set(name)

    def run() -> None:
        target = run_to_month.value
        m = model.value
        if target is None or not 1 <= target <= MAX_MONTH:
            run_message.set(f"Choose a month from 1 to {MAX_MONTH}.")
            return
        if target <= m.month:
            run_message.set(f"Already at month {m.month}: press Reset to start again.")
            return
        run_message.set("")
        m.run_for(int(target - m.month))
        force_update()

    with solara.Card("Scenario", margin=0, classes=["aic-scenario-card"]):
        solara.Select("Scenario", values=names, value=requested, on_value=load)
        solara.HTML(tag="div", classes=["aic-small", "aic-muted"], unsafe_innerHTML=esc(
            (current.config.description or "").strip()))
        with solara.Row(gap="6px", style="align-items: center"):
            solara.InputInt("Run to month", value=run_to_month, dense=True, style="max-width: 130px")
            solara.Button("Run", color="primary", on_click=run, dense=True)
        if run_message.value:
            solara.Warning(run_message.value, dense=True)
        with solara.Details("Extra shock: kinds, sizes and targets"):
            solara.HTML(tag="div", unsafe_innerHTML=_shock_help())
        solara.HTML(tag="div", classes=["aic-small", "aic-muted"], unsafe_innerHTML=(
            "Picking a scenario loads it. The parameters below start at its values; changes apply when "
            "you press <b>Reset</b>. A slider you leave alone keeps the scenario's own detail."))


def model_params_for(config: Scenario, scenario_name: str, seed: int) -> dict[str, Any]:
    """SolaraViz ``model_params``: seed, lever sliders, shock, backstop and channel switches."""
    defaults = widget_defaults(config)
    params: dict[str, Any] = {
        "scenario_name": scenario_name,  # fixed: the scenario card picks it
        "seed": {"type": "InputText", "value": str(seed), "label": "Seed (whole number ≥ 0)"},
    }
    for knob in KNOBS:
        lo, hi = knob.bounds()
        integer = float(knob.step).is_integer()
        params[knob.lever] = {
            "type": "SliderInt" if integer else "SliderFloat", "label": knob.label,
            "value": int(defaults[knob.lever]) if integer else defaults[knob.lever],
            "min": int(lo) if integer else lo, "max": int(hi) if integer else hi,
            "step": int(knob.step) if integer else knob.step,
        }
    params["shock_kind"] = {"type": "Select", "value": NO_SHOCK, "values": list(SHOCK_CHOICES), "label": "Extra shock: kind"}
    params["shock_target"] = {"type": "Select", "value": NO_TARGET, "values": shock_targets(config),
                              "label": "Extra shock: target"}
    params["shock_size"] = {"type": "SliderFloat", "value": 0.0, "min": LEVERS["shock_size"].low, "max": 2.0,
                            "step": 0.05, "label": "Extra shock: size (share; per yr for rate/growth)"}
    params["shock_month"] = {"type": "SliderInt", "value": 1, "min": 1, "max": 60, "step": 1,
                             "label": "Extra shock: month"}
    params["central_bank_enabled"] = {"type": "Checkbox", "value": defaults["central_bank_enabled"],
                                      "label": "Central-bank backstop (on/off)"}
    for name in CHANNELS:
        params[name] = {"type": "Checkbox", "value": defaults[name], "label": channel_label(name)}
    return params


def _shock_help() -> str:
    rows = "".join(f"<tr><td>{k}</td><td>[{lo:g}, {hi:g}]</td><td>{target}</td></tr>"
                   for k, (lo, hi, target, _) in SHOCK_KINDS.items())
    return f"<table class='aic-table aic-small'><thead><tr><th>kind</th><th>size</th><th>target</th></tr></thead>{rows}</table>"


# =============================================================================== page
COMPONENTS = [DealNetwork, TimeSeries, EventLog, Inspector, SystemicRisk, CircularDeals]
# Grid cells (12 columns, rows of 30 px + 10 px margin): big network and charts on top, then the
# event log and inspector, then the systemic panels; legible on a 1400 x 900 screen.
GRID_LAYOUT = [
    {"i": 0, "x": 0, "y": 0, "w": 6, "h": 14},
    {"i": 1, "x": 6, "y": 0, "w": 6, "h": 14},
    {"i": 2, "x": 0, "y": 14, "w": 6, "h": 14},
    {"i": 3, "x": 6, "y": 14, "w": 6, "h": 14},
    {"i": 4, "x": 0, "y": 28, "w": 6, "h": 9},
    {"i": 5, "x": 6, "y": 28, "w": 6, "h": 9},
]
_mesa_initial_layout = _solara_viz.make_initial_grid_layout


def _initial_grid_layout(num_components: int) -> list[dict]:
    """SolaraViz gives every component the same 6 x 10 cell; this page uses its own sizes."""
    if num_components == len(GRID_LAYOUT):
        return [{**cell, "moved": False} for cell in GRID_LAYOUT]
    return _mesa_initial_layout(num_components)


_solara_viz.make_initial_grid_layout = _initial_grid_layout
# Solara's "This website runs on Solara" badge would sit on top of the panels' bottom-right corner.
solara.server.settings.theme.show_banner = False
solara.server.settings.theme.title = "aicontagion"  # the browser tab before the page has rendered

CSS = """
.aic-panel { height: 100%; overflow: hidden; padding: 6px 8px; background: white; color: #222; border: 1px solid #E3E3E3;
             border-radius: 4px; font-size: 13px; flex-wrap: nowrap !important; }
.aic-panel > * { flex: 0 0 auto; }
.aic-panel > .aic-scroll { flex: 1 1 auto; min-height: 0; }
.solara-content-main .v-tabs, .solara-content-main .v-sheet:has(> .v-tabs) { display: none; }  /* the lone 'Page 0' tab */
/* Solara leaves an empty placeholder div where sidebar and app-bar contents are declared (its
   style "display; none" is not valid CSS); hide them so they add no gaps above the panels. */
.solara-autorouter-content .v-sheet.d-flex > div:not([class]):empty { display: none; }
.aic-title { font-size: 14px; }
.aic-muted { color: #777; }
.aic-small { font-size: 12px; }
.aic-scroll { overflow-y: auto; flex: 1 1 auto; min-height: 0; }
.aic-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px;
           border: 1px solid #555; vertical-align: -1px; }
.aic-chip { display: inline-block; margin-right: 10px; white-space: nowrap; }
.aic-legend { font-size: 12px; line-height: 1.6; }
.aic-legend svg { vertical-align: middle; margin-right: 3px; }
.aic-net { line-height: 0; }
.aic-net svg { display: block; margin: 0 auto; width: 100%; height: auto; }
.aic-net .aic-node { cursor: pointer; }
.aic-net .aic-label { font: 11px sans-serif; fill: #222; paint-order: stroke; stroke: white; stroke-width: 3px; cursor: pointer; }
.aic-net .aic-sector { font: bold 9px sans-serif; fill: #8A8A8A; paint-order: stroke; stroke: white; stroke-width: 3px; }
.aic-keyfigs { min-height: 18px; }
.aic-events { list-style: none; padding: 0 !important; margin: 0; }
.aic-event { padding: 3px 0; border-bottom: 1px solid #F0F0F0; font-size: 12.5px; line-height: 1.35; }
.aic-month { color: #777; margin-right: 6px; font-variant-numeric: tabular-nums; }
.aic-kind { display: inline-block; padding: 0 5px; margin-right: 6px; border-radius: 3px; font-size: 11px; }
.aic-sev-high { background: #A50F15; color: white; }
.aic-sev-mid { background: #F8D6A8; color: #5A3300; }
.aic-sev-low { background: #ECECEC; color: #444; }
.aic-table { border-collapse: collapse; width: 100%; font-size: 12px; margin: 2px 0 4px 0; }
.aic-table th { text-align: left; color: #555; font-weight: 600; border-bottom: 1px solid #DDD; padding: 1px 4px; }
.aic-table td { padding: 1px 4px; border-bottom: 1px solid #F3F3F3; white-space: nowrap; }
.aic-bs td:nth-child(2), .aic-bs td:nth-child(4), .aic-loans td:nth-child(3), .aic-exp td:nth-child(3),
.aic-exp td:nth-child(4) { text-align: right; font-variant-numeric: tabular-nums; }
.aic-bs td:nth-child(odd), .aic-loans td:first-child { white-space: normal; }
.aic-inspector { overflow-x: auto; }
.aic-inspector h4 { font-size: 12.5px; margin: 8px 0 2px 0; color: #333; }
.aic-bad { color: #A50F15; font-weight: 600; }
.aic-good { color: #1A7340; }
.aic-bar-row { display: flex; align-items: center; gap: 6px; font-size: 12px; margin: 2px 0; }
.aic-bar-name { width: 150px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.aic-bar { flex: 1; background: #F1F1F1; height: 10px; border-radius: 2px; }
.aic-bar span { display: block; height: 10px; background: #882255; border-radius: 2px; }
.aic-bar-val { width: 110px; text-align: right; font-variant-numeric: tabular-nums; }
.aic-cycles { padding-left: 16px !important; margin: 0; font-size: 12px; line-height: 1.5; }
.aic-link { color: #777; }
.aic-summary { padding: 6px 12px; margin: 0 10px; font-size: 13px; background: white; color: #222; border-radius: 4px; }
.aic-scn { font-size: 14px; }
.aic-scenario-card .v-card__text { padding-top: 4px; }
.vue-grid-item > div > div { height: 100%; }
/* Sidebar: slider labels on their own line, the value always shown under the thumb, tight checkboxes. */
.v-navigation-drawer .v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-navigation-drawer .v-input__slider .v-input__slot > .v-label { flex: 0 0 100%; max-width: 100%; white-space: normal;
  font-size: 14px; height: auto; margin: 0 0 -6px 0; }
.v-navigation-drawer .v-input__slider { margin-bottom: 10px; }
.v-navigation-drawer .v-slider__thumb-container::after { content: attr(aria-valuenow); position: absolute; top: 9px;
  left: 0; transform: translateX(-50%); font-size: 11px; color: #444; white-space: nowrap; }
.v-navigation-drawer .v-input--checkbox { margin-top: 0 !important; padding-top: 0 !important; }
.v-navigation-drawer .v-input--checkbox .v-messages { display: none; }
.v-navigation-drawer .v-input--checkbox .v-input__slot { margin-bottom: 0; }
.aic-panel > .aic-scroll { max-height: none; }
.aic-charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 4px 10px; }
.aic-chart { width: 100%; height: auto; display: block; }
.aic-chart-title { font-size: 11.5px; font-weight: 600; color: #333; }
.aic-chart-legend { font-size: 10.5px; line-height: 1.3; min-height: 14px; }
.aic-swatch { display: inline-block; width: 12px; height: 3px; margin-right: 3px; vertical-align: middle; }
.aic-chart .aic-grid { stroke: #EEE; stroke-width: 1; }
.aic-chart .aic-axis { stroke: #999; stroke-width: 1; }
.aic-chart .aic-ref { stroke: #BBB; stroke-width: 1; stroke-dasharray: 2 3; }
.aic-chart .aic-tick { font: 9px sans-serif; fill: #666; }
.aic-chart .aic-note { font: 11px sans-serif; fill: #999; }
"""


@solara.component
def Layout(children=[]):
    """Solara's app layout, started afresh whenever the user picks another scenario.

    SolaraViz keeps its parameter widgets' state in the sidebar; keying the layout on the
    scenario remounts all of it, so the sliders show the new scenario's own values.
    """
    return solara.AppLayout(children=children).key(f"aicontagion-{session_scenario()}")


@solara.component
def Page():
    # One model per browser session (and per scenario picked in it), built when the page
    # mounts -- never at import time, which would share one model between all sessions.
    first = solara.use_memo(lambda: AppModel(scenario_name=session_scenario(), seed=chosen_seed.value), [])
    model = solara.use_reactive(first)
    current = model.value
    params = solara.use_memo(
        lambda: model_params_for(scenario_config_safe(current), current.requested_scenario, current.app_seed), [])
    solara.Style(CSS)
    solara.Title("aicontagion")
    with solara.Sidebar():
        ScenarioCard(model)
    Summary(current)
    SolaraViz(
        model,
        components=COMPONENTS,
        model_params=params,
        name="aicontagion · AI-infrastructure contagion",
        play_interval=150,
    )


def scenario_config_safe(model: AppModel) -> Scenario:
    """The pristine config of the scenario the model was asked for (the sliders' defaults)."""
    try:
        return scenario_config(model.requested_scenario)
    except ConfigError:
        return scenario_config(DEFAULT_SCENARIO)
