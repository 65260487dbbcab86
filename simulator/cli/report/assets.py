"""The report page's inline style sheet and script (no fonts, images or scripts from the network).

``SCRIPT`` is the replay: it reads the JSON in ``<script id="rp-data">`` (see
:func:`simulator.cli.report.replay.replay_data`) and, when the slider moves, recolours every
``.rp-node`` of the SVG, updates its ``data-status`` and tooltip, the month's status counts, loss
totals and serious events, and rings the institutions those events name. Rows of the timeline
(``tr.tl-row[data-month]``) jump the replay to their month. Plain ES5 + DOM, no library.
"""

from __future__ import annotations

__all__ = ["CSS", "SCRIPT"]

CSS = """
:root { --ink: #1d1d1f; --muted: #666; --line: #ddd; --soft: #f5f5f2; --accent: #A50F15; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; border-bottom: 2px solid var(--ink); }
.kicker { margin: 0; color: var(--muted); font-size: 13px; letter-spacing: .04em; text-transform: uppercase; }
h1 { margin: 4px 0 6px; font-size: 30px; }
h2 { margin: 30px 0 8px; font-size: 21px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 16px 0 6px; font-size: 16px; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 0 0 12px; }
.partial { margin: 0 0 14px; padding: 10px 14px; background: #FFF4E0; border-left: 5px solid #F08C00; }
.description { font-size: 16px; max-width: 60em; }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 14px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #999; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total th, tr.total td { font-weight: 700; border-top: 2px solid #999; }
table.headline th[scope=row] { font-weight: 600; max-width: 46em; }
table.headline td { font-size: 17px; font-weight: 700; }
.meaning { display: block; font-weight: 400; color: var(--muted); font-size: 13px; }
table.levers th { font-weight: 400; color: var(--muted); }
.firsts { padding-left: 20px; }
table.timeline { width: 100%; }
table.timeline td.kind { white-space: nowrap; font-weight: 600; }
table.timeline td.why { color: var(--muted); font-size: 12px; white-space: nowrap; }
tr.tl-row { cursor: pointer; }
tr.tl-row:hover, tr.tl-row:focus { background: var(--soft); outline: none; }
tr.sev-10 td.kind, tr.sev-9 td.kind, tr.sev-8 td.kind { color: var(--accent); }
.replay { display: flex; flex-wrap: wrap; gap: 12px 24px; align-items: flex-start; }
.rp-figure { flex: 1 1 560px; max-width: 700px; }
.rp-svg { width: 100%; height: auto; display: block; }
.rp-side { flex: 1 1 320px; min-width: 300px; }
.rp-controls { display: flex; gap: 8px; align-items: center; }
.rp-controls input { flex: 1; accent-color: #444; }
.rp-controls button { font: inherit; padding: 3px 10px; border: 1px solid #999; background: #fff; border-radius: 4px;
  cursor: pointer; }
.rp-month { font-size: 24px; font-weight: 700; margin: 8px 0 4px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 14px; }
.chip { white-space: nowrap; }
.dot { display: inline-block; width: 11px; height: 11px; border-radius: 50%; margin-right: 5px;
  border: 1px solid #555; vertical-align: -1px; }
.rp-totals { font-size: 13px; color: var(--muted); }
.rp-events { list-style: none; padding: 0; margin: 0; font-size: 13.5px; }
.rp-events li { padding: 5px 0; border-bottom: 1px solid var(--line); }
.rp-events .kind { font-weight: 700; margin-right: 6px; }
.rp-events li.more { color: var(--muted); }
.rp-band { fill: none; stroke: #EDEDED; stroke-width: 28; stroke-linecap: round; }
.rp-sector { font-size: 10px; fill: #8a8a8a; letter-spacing: .05em; }
.rp-edge { fill: none; stroke-opacity: .55; }
.rp-dot { stroke: #444; stroke-width: .8; transition: fill .25s; }
.rp-ring { fill: none; stroke: none; }
.rp-node.rp-active .rp-ring { stroke: #111; stroke-width: 2.5; }
.rp-label { font-size: 11px; fill: #222; }
figure { margin: 10px 0 22px; }
figure img { width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { font-size: 13px; color: var(--muted); }
dl dt { font-weight: 700; margin-top: 6px; }
dl dd { margin-left: 18px; }
code { font-size: 13px; background: var(--soft); padding: 0 3px; }
@media print { .rp-controls { display: none; } h2 { break-after: avoid; } figure, tr { break-inside: avoid; } }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rp-data").textContent);
  var last = data.months.length - 1;
  var slider = document.getElementById("rp-month");
  var panel = document.querySelector("[data-testid=replay]");
  var svg = panel.querySelector(".rp-svg");
  var nodes = Array.prototype.slice.call(svg.querySelectorAll(".rp-node"));
  var play = document.getElementById("rp-play");
  var timer = null;

  var words = data.words;

  function fill(template, values) {  // the page's words have {name} placeholders
    return template.replace(/\{(\w+)\}/g, function (all, name) { return String(values[name]); });
  }

  function bn(x) {
    if (x === null || x === undefined) { return words.na; }
    return fill(words.bn, {amount: x.toLocaleString("en-US", {minimumFractionDigits: 1, maximumFractionDigits: 1})});
  }

  function show(month) {
    month = Math.max(0, Math.min(last, month));
    var status = data.status[month], equity = data.equity[month], named = {};
    data.events[month].forEach(function (e) { named[e[1]] = true; });
    var counts = {};
    nodes.forEach(function (g) {
      var i = Number(g.getAttribute("data-index"));
      var s = data.statuses[status[i]];
      counts[s] = (counts[s] || 0) + 1;
      g.setAttribute("data-status", s);
      g.querySelector(".rp-dot").setAttribute("fill", data.colours[s]);
      g.classList.toggle("rp-active", named[data.names[i]] === true);
      g.querySelector("title").textContent = fill(words.node, {name: data.names[i], sector: data.sectors[data.kinds[i]],
        status: data.status_labels[s], month: month, equity: bn(equity[i])});
    });
    Array.prototype.forEach.call(document.querySelectorAll("#rp-counts .chip"), function (chip) {
      var n = counts[chip.getAttribute("data-status")] || 0;
      chip.setAttribute("data-count", String(n));
      chip.querySelector(".count").textContent = String(n);
    });
    var list = document.getElementById("rp-events");
    list.textContent = "";
    data.events[month].forEach(function (e) {
      var li = document.createElement("li"), kind = document.createElement("span");
      li.setAttribute("data-kind", e[0]);
      kind.className = "kind";
      kind.textContent = data.kind_labels[e[0]] || e[0].replace(/_/g, " ");
      li.appendChild(kind);
      li.appendChild(document.createTextNode(e[2]));
      list.appendChild(li);
    });
    var more = data.more[month], shown = data.events[month].length;
    if (more > 0 || shown === 0) {
      var li = document.createElement("li");
      li.className = "more";
      li.textContent = (shown === 0 ? words.none : "") +
        (more > 0 ? (shown === 0 ? words.separator : "") + fill(more === 1 ? words.other : words.others, {count: more})
        : "") + words.stop;
      list.appendChild(li);
    }
    var totals = document.getElementById("rp-totals");
    if (data.totals) {
      var t = data.totals[month];
      totals.textContent = fill(words.totals, {defaults: t.defaults, realised: bn(t.realised),
        unrealised: bn(t.unrealised)}) +
        (t.market_value_short === null ? "" : fill(words.short, {short: bn(t.market_value_short)})) + words.stop;
    } else {
      totals.textContent = "";
    }
    slider.value = String(month);
    svg.setAttribute("data-month", String(month));
    panel.setAttribute("data-month", String(month));
    document.getElementById("rp-month-label").textContent = fill(words.month, {month: month});
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = words.play;
  }

  slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
  document.getElementById("rp-prev").addEventListener("click", function () { stop(); show(Number(slider.value) - 1); });
  document.getElementById("rp-next").addEventListener("click", function () { stop(); show(Number(slider.value) + 1); });
  play.addEventListener("click", function () {
    if (timer !== null) { stop(); return; }
    if (Number(slider.value) >= last) { show(0); }
    play.textContent = words.pause;
    timer = setInterval(function () {
      if (Number(slider.value) >= last) { stop(); return; }
      show(Number(slider.value) + 1);
    }, 800);
  });
  Array.prototype.forEach.call(document.querySelectorAll("tr.tl-row"), function (row) {
    function jump() {
      stop();
      show(Number(row.getAttribute("data-month")));
      panel.scrollIntoView({behavior: "smooth", block: "start"});
    }
    row.addEventListener("click", jump);
    row.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { jump(); } });
  });
  show(Number(slider.value));
})();
"""
