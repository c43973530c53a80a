// charts.js — the report pages' charts, drawn as SVG by hand: no build
// step, no library, nothing from the internet. Every chart is a figure
// with a title, a description the image is labelled by, and its numbers
// as a table under "Lihat angka", so that a screen reader (or someone
// who would rather read) gets every figure. Colours come from the tokens
// through CSS classes (admin.css: the page's CSP allows no inline
// styles), and colour is never the only cue: series differ by pattern
// too, and numbers are written on the bars and cells.

import { h } from "./ui.js";

const NS = "http://www.w3.org/2000/svg";

// s builds an SVG element: s("rect", {x: 1, class: "bar"}, child…).
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;

// patterns are the hatchings that tell series apart without colour.
function defs(prefix) {
  const hatch = (name, cls, angle) =>
    s("pattern", { id: `${prefix}-${name}`, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: `rotate(${angle})` },
      s("rect", { width: 6, height: 6, class: cls + "-bg" }),
      s("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: cls + "-line" }));
  return s("defs", {}, hatch("served", "pat-success", 45), hatch("over", "pat-danger", -45), hatch("weak", "pat-danger", 45));
}

// niceMax rounds a maximum up to 1, 2, 2.5 or 5 × a power of ten, and
// gives the step of about four ticks.
export function niceMax(v) {
  if (!(v > 0)) return { max: 4, step: 1 };
  const raw = v / 4;
  const p = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((m) => m >= raw);
  step = Math.max(1, Number.isInteger(step) ? step : Math.ceil(step)); // counts are whole
  return { max: Math.ceil(v / step) * step, step };
}

// figure wraps a chart: title (h2), description, the SVG labelled by
// both, a legend, and the numbers as a table in a details element.
export function figure(t, { id, title, desc, svg, legend, table, extra, wide }) {
  const tid = `${id}-title`;
  const did = `${id}-desc`;
  if (svg) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", `${tid} ${did}`);
    svg.setAttribute("id", `${id}-svg`);
    svg.classList.add("chart-svg");
    // Drawn at its own size (the viewBox's, in CSS pixels), and only
    // ever scaled down to fit: text stays the size it was drawn at.
    const vb = svg.getAttribute("viewBox").split(" ").map(Number);
    svg.setAttribute("width", vb[2]);
    svg.setAttribute("height", vb[3]);
  }
  return h("figure", { class: "chart card" + (wide ? " wide" : ""), id, "aria-labelledby": tid },
    h("h2", { id: tid }, title),
    h("p", { class: "chart-desc", id: did }, desc),
    extra || null,
    legend ? h("ul", { class: "legend", "aria-hidden": "true" }, legend.map(([cls, label]) =>
      h("li", {}, swatch(cls), label))) : null,
    svg || null,
    table ? h("details", { class: "chart-numbers" }, h("summary", {}, t("chart.numbers")), table) : null);
}

function swatch(cls) {
  const p = `sw${++uid}`;
  const fill = cls.startsWith("url:") ? `url(#${p}-${cls.slice(4)})` : null;
  return s("svg", { class: "swatch", viewBox: "0 0 14 14", width: 14, height: 14, "aria-hidden": "true", focusable: "false" },
    fill ? defs(p) : null,
    s("rect", { x: 0.5, y: 0.5, width: 13, height: 13, rx: 2, class: fill ? "bar-served" : cls, fill }));
}

// numbersTable is a plain table of a chart's figures.
export function numbersTable(caption, head, rows, { rowHeader = true } = {}) {
  return h("table", { class: "data numbers" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, head.map((c, i) => h("th", { scope: "col", class: i ? "num-col" : null }, c)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c, i) =>
      i === 0 && rowHeader ? h("th", { scope: "row" }, c) : h("td", { class: i ? "num-col" : null }, c))))));
}

const W = 560;

// yAxis draws horizontal grid lines and their labels.
function yAxis(g, { left, right, top, bottom, max, step, fmt }) {
  for (let v = 0; v <= max + 1e-9; v += step) {
    const y = bottom - (v / max) * (bottom - top);
    g.append(s("line", { x1: left, x2: right, y1: y, y2: y, class: v === 0 ? "axis" : "grid" }),
      s("text", { x: left - 6, y: y + 4, class: "tick", "text-anchor": "end" }, fmt(v)));
  }
}

// ---- arrivals and served per hour

// hourlyChart: rows of the summary by hour ({key: "08", issued, served}).
export function hourlyChart(rows, { fmt }) {
  const p = `c${++uid}`;
  const H = 250;
  const left = 40;
  const right = W - 8;
  const top = 14;
  const bottom = H - 28;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-hourly" }, defs(p));
  if (!rows.length) return svg;
  const hours = rows.map((r) => Number(r.key));
  const lo = Math.min(...hours);
  const hi = Math.max(...hours);
  const byHour = new Map(rows.map((r) => [Number(r.key), r]));
  const n = hi - lo + 1;
  const { max, step } = niceMax(Math.max(...rows.map((r) => Math.max(r.issued, r.served))));
  const g = s("g");
  yAxis(g, { left, right, top, bottom, max, step, fmt });
  const band = (right - left) / n;
  const bw = Math.min(22, band * 0.38);
  for (let i = 0; i < n; i++) {
    const r = byHour.get(lo + i) || { issued: 0, served: 0 };
    const x0 = left + i * band + band / 2;
    [[r.issued, "bar-arrivals", null, -1], [r.served, "bar-served", `url(#${p}-served)`, 0]].forEach(([v, cls, fill, off]) => {
      const y = bottom - (v / max) * (bottom - top);
      const x = x0 + off * bw + (off ? -1 : 1);
      g.append(s("rect", { x, y, width: bw, height: Math.max(0, bottom - y), class: cls, fill }));
      if (v > 0) g.append(s("text", { x: x + bw / 2, y: y - 3, class: "value", "text-anchor": "middle" }, fmt(v)));
    });
    g.append(s("text", { x: x0, y: bottom + 16, class: "tick", "text-anchor": "middle" }, String(lo + i).padStart(2, "0")));
  }
  svg.append(g);
  return svg;
}

// ---- waits against the target

// waitsChart: the distribution of GET /api/v1/reports/waits, each bin
// split into waits within their target (solid) and over it (hatched),
// the targets marked as dashed lines.
export function waitsChart(d, { fmt, t }) {
  const p = `c${++uid}`;
  const H = 250;
  const left = 40;
  const right = W - 8;
  const top = 26;
  const bottom = H - 30;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-waits" }, defs(p));
  if (!d.bins.length) return svg;
  const n = d.bins.length;
  const span = n * d.bin_min;
  const x = (m) => left + (m / span) * (right - left);
  const { max, step } = niceMax(Math.max(...d.bins.map((b) => b.waits)));
  const g = s("g");
  yAxis(g, { left, right, top, bottom, max, step, fmt });
  const every = Math.ceil(n / 12);
  d.bins.forEach((b, i) => {
    const x0 = x(b.from_min) + 1;
    const bw = x(b.from_min + d.bin_min) - x(b.from_min) - 2;
    const yw = bottom - (b.within_target / max) * (bottom - top);
    const yt = bottom - (b.waits / max) * (bottom - top);
    g.append(s("rect", { x: x0, y: yw, width: bw, height: bottom - yw, class: "bar-within" }));
    g.append(s("rect", { x: x0, y: yt, width: bw, height: yw - yt, class: "bar-over", fill: `url(#${p}-over)` }));
    if (b.waits > 0) g.append(s("text", { x: x0 + bw / 2, y: yt - 3, class: "value", "text-anchor": "middle" }, fmt(b.waits)));
    if (i % every === 0) g.append(s("text", { x: x(b.from_min), y: bottom + 15, class: "tick", "text-anchor": "middle" }, String(b.from_min)));
  });
  const last = d.bins[n - 1];
  g.append(s("text", { x: right, y: bottom + 15, class: "tick", "text-anchor": "end" }, last.to_min === null ? "…" : String(last.to_min)));
  g.append(s("text", { x: (left + right) / 2, y: H - 2, class: "tick", "text-anchor": "middle" }, t("chart.waits.axis")));
  for (const tg of d.targets_min) {
    if (tg > span) continue;
    const tx = x(tg);
    g.append(s("line", { x1: tx, x2: tx, y1: top - 14, y2: bottom, class: "target" }),
      s("text", { x: tx + 4, y: top - 4, class: "target-label" }, t("chart.target", { n: tg })));
  }
  svg.append(g);
  return svg;
}

// ---- arrivals by weekday and hour

// heatLevel puts a count on a scale of 0 (none) to 5.
export function heatLevel(v, max) {
  return v <= 0 || max <= 0 ? 0 : Math.max(1, Math.ceil((v / max) * 5));
}

// heatmapChart: rows of GET /api/v1/reports/heatmap; hours from the first
// to the last with arrivals; each cell shaded and numbered.
export function heatmapChart(d, { fmt, t }) {
  const withData = d.rows.flatMap((r) => r.issued.map((v, hr) => (v > 0 ? hr : -1))).filter((hr) => hr >= 0);
  const H = 24 + 7 * 26 + 8;
  if (!withData.length) return s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-heatmap" });
  const lo = Math.min(...withData);
  const hi = Math.max(...withData);
  const n = hi - lo + 1;
  const left = 64;
  const cw = 44;
  const ch = 24;
  const svg = s("svg", { viewBox: `0 0 ${left + n * cw + 4} ${H}`, class: "chart-heatmap" });
  for (let i = 0; i < n; i++) {
    svg.append(s("text", { x: left + i * cw + cw / 2, y: 14, class: "tick", "text-anchor": "middle" }, String(lo + i).padStart(2, "0")));
  }
  d.rows.forEach((r, j) => {
    const y = 22 + j * (ch + 2);
    svg.append(s("text", { x: left - 8, y: y + ch / 2 + 4, class: "tick", "text-anchor": "end" }, t("weekday.short." + r.weekday)));
    for (let i = 0; i < n; i++) {
      const v = r.issued[lo + i];
      const lvl = heatLevel(v, d.max);
      svg.append(s("rect", { x: left + i * cw + 1, y, width: cw - 2, height: ch, rx: 3, class: `heat heat-${lvl}` }));
      if (v > 0) {
        svg.append(s("text", { x: left + i * cw + cw / 2, y: y + ch / 2 + 4, class: `heat-text${lvl >= 4 ? " on-dark" : ""}`, "text-anchor": "middle" }, fmt(v)));
      }
    }
  });
  return svg;
}

// heatLegend is the scale under the heatmap.
export function heatLegend(t) {
  return h("p", { class: "heat-legend", "aria-hidden": "true" },
    h("span", {}, t("chart.heat.few")),
    [1, 2, 3, 4, 5].map((l) => s("svg", { class: "swatch", viewBox: "0 0 14 14", width: 14, height: 14 }, s("rect", { width: 14, height: 14, rx: 2, class: `heat heat-${l}` }))),
    h("span", {}, t("chart.heat.many")));
}

// ---- horizontal bars: the longest waits, the SKM elements

// hbarChart draws one bar per item: {label, sub, value, text, cls,
// hatched, mark}. scale: {min, max, ticks: [{v, label}]}; mark: a value
// to tick on the bar's row (the target).
export function hbarChart(items, { scale, labelWidth = 200, markLabel, width = W }) {
  const p = `c${++uid}`;
  const W = width;
  const row = 30;
  const top = scale.ticks.length ? 22 : 6;
  const H = top + items.length * row + 6;
  const left = labelWidth;
  const right = W - 70;
  const x = (v) => left + ((Math.min(Math.max(v, scale.min), scale.max) - scale.min) / (scale.max - scale.min)) * (right - left);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "chart-hbar" }, defs(p));
  for (const tk of scale.ticks) {
    svg.append(s("line", { x1: x(tk.v), x2: x(tk.v), y1: top - 4, y2: H - 4, class: tk.strong ? "band" : "grid" }),
      s("text", { x: x(tk.v), y: top - 8, class: "tick", "text-anchor": "middle" }, tk.label));
  }
  items.forEach((it, i) => {
    const y = top + i * row;
    // About 8 px a character of the bold label, 6.5 of the small one.
    svg.append(s("text", { x: 4, y: y + 13, class: "hlabel" }, clip(it.label, (labelWidth - 10) / 8)));
    if (it.sub) svg.append(s("text", { x: 4, y: y + 25, class: "hsub" }, clip(it.sub, (labelWidth - 10) / 6.5)));
    const x1 = x(it.value);
    svg.append(s("rect", { x: left, y: y + 5, width: Math.max(2, x1 - left), height: row - 12, rx: 2, class: it.cls, fill: it.hatched ? `url(#${p}-${it.hatched})` : null }));
    let tx = x1;
    if (it.mark !== undefined && it.mark !== null) {
      const mx = x(it.mark);
      svg.append(s("line", { x1: mx, x2: mx, y1: y + 1, y2: y + row - 3, class: "target" }));
      tx = Math.max(tx, mx); // the figure clear of the mark
    }
    svg.append(s("text", { x: tx + 6, y: y + 19, class: "value strong" }, it.text));
  });
  if (markLabel) svg.setAttribute("data-mark", markLabel);
  return svg;
}

function clip(text, n) {
  n = Math.floor(n);
  return text.length > n ? text.slice(0, n - 1) + "…" : text;
}
