// laporan.js — Laporan: the summary report of a period (API.md,
// "Reports") as a table with its CSV download, and charts where people
// would rather look than read: arrivals and served per hour, waits
// against their targets, arrivals by weekday and hour, and a day's
// longest waits (the reports package's /waits, /heatmap and /longest).
// A supervisor sees their own agency: the API decides, the page only
// leaves out the agency choice. "Cetak" prints it on A4 landscape
// (admin.css, @media print).

import { h } from "./ui.js";
import { periodPicker, agencyFilter, formatDay, formatPeriod, numberFormat, minutes, percent } from "./period.js";
import { figure, numbersTable, hourlyChart, waitsChart, heatmapChart, heatLegend, hbarChart, niceMax } from "./charts.js";

const GROUPS = ["agency", "service", "counter", "officer", "hour", "day"];
const COLUMNS = ["issued", "served", "no_show", "no_show_pct", "cancelled", "avg_wait_s", "p90_wait_s", "avg_service_s", "within_target_pct"];

export async function mount(el, ctx) {
  const { t, session, lang } = ctx;
  const int = numberFormat(lang);
  const [state, ag] = await Promise.all([session.get("/api/v1/state"), session.get("/api/v1/agencies")]);
  const today = state.day;
  const agencies = ag.agencies || [];

  const picker = periodPicker(t, today, { id: "report-period", onChange: () => load() });
  const agencyField = agencyFilter(t, ctx, agencies, "report-agency");
  const agency = agencyField.querySelector("select");
  const groupBy = h("select", { id: "report-group", name: "group_by" },
    GROUPS.map((g) => h("option", { value: g, selected: g === "service" }, t("report.group." + g))));
  const csv = h("a", { class: "button", id: "report-csv", download: "" }, t("report.csv"));
  const print = h("button", { type: "button", id: "report-print", onclick: () => window.print() }, t("report.print"));
  const form = h("form", { class: "filters report-filters", id: "report-filters", onsubmit: (e) => { e.preventDefault(); load(); } },
    picker.el,
    agencyField,
    h("label", { class: "field" }, h("span", {}, t("report.group")), groupBy),
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "primary", id: "report-show" }, t("report.show")), csv, print));
  agency.addEventListener("change", () => load());
  groupBy.addEventListener("change", () => load());

  const period = h("p", { class: "period-line", id: "report-period-line", "aria-live": "polite" });
  const tiles = h("div", { class: "tiles report-tiles", id: "report-tiles" });
  const tableBox = h("section", { class: "section", "aria-labelledby": "report-table-title" });
  const charts = h("div", { class: "charts", id: "report-charts" });
  const longestBox = h("div", { id: "report-longest-box" });
  const longestDay = h("input", { type: "date", id: "report-longest-day", name: "day", value: today, max: today });
  longestDay.addEventListener("change", () => loadLongest());

  el.append(
    h("p", { class: "lead no-print" }, t("report.lead")),
    form,
    h("p", { class: "print-only print-head" }, `${ctx.cfg.site.name} · ${t("nav.reports")}`),
    period,
    tiles,
    tableBox,
    charts,
    longestBox);

  let seq = 0;
  function query() {
    const r = picker.range();
    const q = new URLSearchParams({ from: r.from, to: r.to });
    if (ctx.isAdmin && agency.value) q.set("agency_id", agency.value);
    return { r, q };
  }

  async function load() {
    const my = ++seq;
    el.dataset.state = "loading";
    const { r, q } = query();
    const g = groupBy.value;
    const csvQ = new URLSearchParams(q);
    csvQ.set("group_by", g);
    csvQ.set("format", "csv");
    csv.href = "/api/v1/reports/summary?" + csvQ;
    longestDay.value = r.to;
    try {
      const [summary, hourly, waits, heat] = await Promise.all([
        session.get(`/api/v1/reports/summary?${q}&group_by=${g}`),
        session.get(`/api/v1/reports/summary?${q}&group_by=hour`),
        session.get(`/api/v1/reports/waits?${q}`),
        session.get(`/api/v1/reports/heatmap?${q}`),
      ]);
      if (my !== seq) return;
      const agencyName = ctx.isAdmin ? (agency.value ? agency.selectedOptions[0].textContent : t("report.all_agencies")) : agency.selectedOptions[0].textContent;
      period.textContent = t("report.period_line", { period: formatPeriod(r.from, r.to, t), agency: agencyName });
      renderTiles(hourly.rows, waits);
      renderTable(summary.rows, g);
      renderCharts(hourly.rows, waits, heat);
      await loadLongest(my);
      if (my !== seq) return;
      el.dataset.state = "ready";
    } catch (err) {
      if (my !== seq) return;
      el.dataset.state = "error";
      ctx.notice(err.message, "err");
    }
  }

  function tile(id, label, value, sub) {
    return h("div", { class: "tile", id }, h("span", { class: "tile-label" }, label), h("span", { class: "tile-value num" }, value), sub ? h("span", { class: "tile-sub" }, sub) : null);
  }

  function renderTiles(rows, waits) {
    const sum = (k) => rows.reduce((a, r) => a + r[k], 0);
    const served = sum("served");
    const noShow = sum("no_show");
    tiles.replaceChildren(
      tile("tile-issued", t("report.tile.issued"), int(sum("issued"))),
      tile("tile-served", t("report.tile.served"), int(served), served + noShow ? t("report.tile.no_show", { n: int(noShow) }) : null),
      tile("tile-within", t("report.tile.within"), percent(waits.within_target_pct, lang),
        waits.waits ? t("report.tile.within_sub", { n: int(waits.within_target), total: int(waits.waits) }) : t("report.none")));
  }

  function cell(row, c) {
    const v = row[c];
    if (c.endsWith("_s")) return minutes(v, t, lang);
    if (c.endsWith("_pct")) return percent(v, lang);
    return int(v);
  }

  function renderTable(rows, g) {
    const head = [t("report.group." + g), ...COLUMNS.map((c) => t("report.col." + c))];
    const table = h("table", { class: "data summary", id: "report-table" },
      h("caption", { class: "sr-only" }, t("report.table.caption", { group: t("report.group." + g) })),
      h("thead", {}, h("tr", {}, head.map((c, i) => h("th", { scope: "col", class: i ? "num-col" : null }, c)))),
      h("tbody", {}, rows.map((row) => h("tr", { dataset: { key: row.key } },
        h("th", { scope: "row" }, g === "day" ? formatDay(row.label, t) : row.label),
        COLUMNS.map((c) => h("td", { class: "num-col", dataset: { col: c, value: row[c] === null ? "" : String(row[c]) } }, cell(row, c)))))));
    tableBox.replaceChildren(
      h("h2", { id: "report-table-title" }, t("report.table.title")),
      // A narrow window scrolls the table: the keyboard can reach it.
      rows.length ? h("div", { class: "table-wrap" }, h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-labelledby": "report-table-title" }, table))
        : h("p", { class: "empty", id: "report-empty" }, t("report.empty")),
      h("p", { class: "hint" }, t("report.table.hint")));
  }

  function renderCharts(hourRows, waits, heat) {
    const none = (id, title) => figure(t, { id, title, desc: t("report.none") });
    // Arrivals and served per hour of issue.
    const hours = hourRows.length ? hourRows : [];
    const hourly = hours.length ? figure(t, {
      id: "chart-hourly",
      title: t("chart.hourly.title"),
      desc: t("chart.hourly.desc", { issued: int(hours.reduce((a, r) => a + r.issued, 0)), served: int(hours.reduce((a, r) => a + r.served, 0)) }),
      legend: [["bar-arrivals", t("chart.hourly.issued")], ["url:served", t("chart.hourly.served")]],
      svg: hourlyChart(hours, { fmt: int }),
      table: numbersTable(t("chart.hourly.title"), [t("chart.hour"), t("chart.hourly.issued"), t("chart.hourly.served")],
        hours.map((r) => [r.label, int(r.issued), int(r.served)])),
    }) : none("chart-hourly", t("chart.hourly.title"));
    // Waits against their targets.
    const targets = waits.targets_min.map((m) => int(m)).join(", ");
    const binLabel = (b) => (b.to_min === null ? t("chart.waits.bin_open", { from: b.from_min }) : t("chart.waits.bin", { from: b.from_min, to: b.to_min }));
    const waitsFig = waits.waits ? figure(t, {
      id: "chart-waits",
      title: t("chart.waits.title"),
      desc: t("chart.waits.desc", { pct: percent(waits.within_target_pct, lang), n: int(waits.within_target), total: int(waits.waits), targets }),
      extra: h("p", { class: "chart-big num", id: "chart-waits-pct" }, percent(waits.within_target_pct, lang), h("span", {}, " " + t("chart.waits.within_short"))),
      legend: [["bar-within", t("chart.waits.within")], ["url:over", t("chart.waits.over")], ["target-key", t("chart.waits.target_line")]],
      svg: waitsChart(waits, { fmt: int, t }),
      table: numbersTable(t("chart.waits.title"), [t("chart.waits.bin_head"), t("chart.waits.count"), t("chart.waits.within"), t("chart.waits.over")],
        waits.bins.map((b) => [binLabel(b), int(b.waits), int(b.within_target), int(b.waits - b.within_target)])),
    }) : none("chart-waits", t("chart.waits.title"));
    // Weekday × hour.
    const heatFig = heat.max ? figure(t, {
      id: "chart-heatmap",
      title: t("chart.heat.title"),
      desc: t("chart.heat.desc", { busiest: busiest(heat) }),
      extra: heatLegend(t),
      svg: heatmapChart(heat, { fmt: int, t }),
      table: heatTable(heat),
      wide: true,
    }) : none("chart-heatmap", t("chart.heat.title"));
    charts.replaceChildren(hourly, waitsFig, heatFig);
  }

  function busiest(heat) {
    let best = null;
    heat.rows.forEach((r) => r.issued.forEach((v, hr) => {
      if (!best || v > best.v) best = { v, day: r.weekday, hr };
    }));
    return t("chart.heat.busiest", { day: t("weekday." + best.day), hour: String(best.hr).padStart(2, "0"), n: int(best.v) });
  }

  function heatTable(heat) {
    const hours = [];
    heat.rows.forEach((r) => r.issued.forEach((v, hr) => { if (v > 0 && !hours.includes(hr)) hours.push(hr); }));
    hours.sort((a, b) => a - b);
    const span = [];
    for (let hr = hours[0]; hr <= hours[hours.length - 1]; hr++) span.push(hr);
    return numbersTable(t("chart.heat.title"), [t("chart.heat.day"), ...span.map((hr) => String(hr).padStart(2, "0")), t("chart.heat.total"), t("chart.heat.days")],
      heat.rows.map((r) => [t("weekday." + r.weekday), ...span.map((hr) => int(r.issued[hr])), int(r.total), int(r.days)]));
  }

  async function loadLongest(my) {
    const day = longestDay.value || today;
    const { q } = query();
    const lq = new URLSearchParams({ day, limit: "10" });
    if (q.get("agency_id")) lq.set("agency_id", q.get("agency_id"));
    const data = await session.get("/api/v1/reports/longest?" + lq);
    if (my !== undefined && my !== seq) return;
    const dayField = h("label", { class: "field short inline no-print" }, h("span", {}, t("chart.longest.day")), longestDay);
    const title = t("chart.longest.title", { day: formatDay(day, t) });
    if (!data.waits.length) {
      longestBox.replaceChildren(figure(t, { id: "chart-longest", title, desc: t("chart.longest.none"), extra: dayField, wide: true }));
      return;
    }
    const top = Math.max(...data.waits.map((w) => Math.max(w.wait_s / 60, w.target_min)));
    const { max, step } = niceMax(top);
    const ticks = [];
    for (let v = 0; v <= max; v += step) ticks.push({ v, label: int(v) });
    const over = data.waits.filter((w) => !w.within_target).length;
    longestBox.replaceChildren(figure(t, {
      id: "chart-longest",
      title,
      desc: t("chart.longest.desc", { n: int(data.waits.length), over: int(over) }),
      extra: dayField,
      legend: [["bar-within", t("chart.waits.within")], ["url:over", t("chart.waits.over")], ["target-key", t("chart.waits.target_line")]],
      svg: hbarChart(data.waits.map((w) => ({
        label: w.number,
        sub: w.service,
        value: w.wait_s / 60,
        text: minutes(w.wait_s, t, lang),
        cls: w.within_target ? "bar-within" : "bar-over",
        hatched: w.within_target ? null : "over",
        mark: w.target_min,
      })), { scale: { min: 0, max, ticks }, labelWidth: 180, width: 900 }),
      table: numbersTable(title, [t("chart.longest.number"), t("chart.longest.service"), t("chart.longest.wait"), t("chart.longest.target"), t("chart.longest.called")],
        data.waits.map((w) => [w.number, w.service, minutes(w.wait_s, t, lang), t("unit.min", { n: int(w.target_min) }), clock(w.called_at)])),
      wide: true,
    }));
  }

  function clock(at) {
    // RFC 3339 in the site's offset: its wall-clock time as written.
    const m = /T(\d\d):(\d\d)/.exec(at);
    return m ? `${m[1]}${t("time.sep")}${m[2]}` : at;
  }

  await load();
  return {};
}
