// ikm.js — SKM: the satisfaction survey's index (IKM) of a period
// (DOMAIN.md, PermenPANRB 14/2017) from GET /api/v1/reports/ikm: the
// index large with its grade and performance, the NRR of each element
// (the weakest marked), the respondents by profile, the comments newest
// first, and the CSV and workbook downloads of the same filters.

import { h } from "./ui.js";
import { periodPicker, agencyFilter, formatDay, formatPeriod, numberFormat } from "./period.js";
import { figure, numbersTable, hbarChart } from "./charts.js";

// The profile's fields and their codes, in the survey form's order.
const PROFILE = {
  gender: ["L", "P"],
  age_band: ["<20", "20-29", "30-39", "40-49", "50-59", "60+"],
  education: ["SD", "SMP", "SMA", "D1-D3", "S1", "S2", "S3"],
  occupation: ["PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"],
};

// Grade bands on the 1–4 scale (converted ÷ 25).
const BANDS = [{ v: 65 / 25, g: "C" }, { v: 76.61 / 25, g: "B" }, { v: 88.31 / 25, g: "A" }];

export async function mount(el, ctx) {
  const { t, session, lang } = ctx;
  const int = numberFormat(lang);
  const dec2 = numberFormat(lang, 2);
  const [state, ag, sv, site] = await Promise.all(["/api/v1/state", "/api/v1/agencies", "/api/v1/services", "/api/v1/site"].map((p) => session.get(p)));
  const today = state.day;
  const agencies = ag.agencies || [];
  const services = (sv.services || []).filter((s) => ctx.isAdmin || s.agency_id === ctx.user.agency_id);
  const serviceName = (id) => {
    const s = services.find((x) => x.id === id);
    return s ? (lang === "en" && s.name_en) || s.name : id;
  };

  const picker = periodPicker(t, today, { id: "skm-period", onChange: () => load() });
  const agencyField = agencyFilter(t, ctx, agencies, "skm-agency");
  const agency = agencyField.querySelector("select");
  const service = h("select", { id: "skm-service", name: "service_id" });
  const fillServices = () => {
    const a = ctx.isAdmin ? agency.value : ctx.user.agency_id;
    const keep = service.value;
    service.replaceChildren(h("option", { value: "" }, t("ikm.all_services")),
      ...services.filter((s) => !a || s.agency_id === a).map((s) => h("option", { value: s.id, selected: s.id === keep }, (lang === "en" && s.name_en) || s.name)));
  };
  fillServices();
  agency.addEventListener("change", () => {
    fillServices();
    load();
  });
  service.addEventListener("change", () => load());
  const csv = h("a", { class: "button", id: "skm-csv", download: "" }, t("ikm.csv"));
  const xlsx = h("a", { class: "button", id: "skm-xlsx", download: "" }, t("ikm.xlsx"));
  const form = h("form", { class: "filters report-filters", id: "skm-filters", onsubmit: (e) => { e.preventDefault(); load(); } },
    picker.el,
    agencyField,
    h("label", { class: "field" }, h("span", {}, t("ikm.service")), service),
    h("div", { class: "filter-actions" },
      h("button", { type: "submit", class: "primary", id: "skm-show" }, t("report.show")), csv, xlsx,
      h("button", { type: "button", id: "skm-print", onclick: () => window.print() }, t("report.print"))));

  const period = h("p", { class: "period-line", id: "skm-period-line", "aria-live": "polite" });
  const body = h("div", { id: "skm-body" });
  el.append(h("p", { class: "lead no-print" }, t("ikm.lead")), form,
    h("p", { class: "print-only print-head" }, `${ctx.cfg.site.name} · ${t("nav.skm")}`), period, body);

  let seq = 0;
  async function load() {
    const my = ++seq;
    el.dataset.state = "loading";
    const r = picker.range();
    const q = new URLSearchParams({ from: r.from, to: r.to });
    if (ctx.isAdmin && agency.value) q.set("agency_id", agency.value);
    if (service.value) q.set("service_id", service.value);
    csv.href = `/api/v1/reports/ikm?${q}&format=csv`;
    xlsx.href = `/api/v1/reports/ikm?${q}&format=xlsx`;
    try {
      const rep = await session.get("/api/v1/reports/ikm?" + q);
      if (my !== seq) return;
      const scope = service.value ? service.selectedOptions[0].textContent : agency.selectedOptions[0].textContent;
      period.textContent = t("report.period_line", { period: formatPeriod(r.from, r.to, t), agency: scope });
      render(rep);
      el.dataset.state = "ready";
    } catch (err) {
      if (my !== seq) return;
      el.dataset.state = "error";
      ctx.notice(err.message, "err");
    }
  }

  function render(rep) {
    const answered = rep.elements.filter((e) => e.average !== null);
    const weakest = answered.length ? answered.reduce((a, e) => (e.average < a.average ? e : a)) : null;
    const index = h("section", { class: "card ikm-index", id: "skm-index", "aria-labelledby": "skm-index-title" },
      h("h2", { id: "skm-index-title" }, t("ikm.index")),
      rep.ikm === null
        ? h("p", { class: "empty", id: "skm-empty" }, t("ikm.empty"))
        : h("div", { class: "ikm-figures" },
          h("p", { class: "ikm-value num", id: "skm-ikm" }, dec2(rep.ikm)),
          h("p", { class: `grade grade-${rep.grade}`, id: "skm-grade" },
            h("span", { class: "grade-letter" }, rep.grade), h("span", { class: "grade-text" }, t("ikm.grade"), h("strong", {}, t("ikm.performance." + rep.grade)))),
          h("dl", { class: "ikm-facts" },
            h("dt", {}, t("ikm.respondents")), h("dd", { id: "skm-respondents" }, int(rep.respondents)),
            h("dt", {}, t("ikm.unit")), h("dd", {}, numberFormat(lang, 3)(rep.ikm_unit)),
            weakest ? [h("dt", {}, t("ikm.weakest")), h("dd", { id: "skm-weakest" }, `${weakest.element} ${weakest.name}`)] : null)));

    const ticks = [1, 2, 3, 4].map((v) => ({ v, label: int(v) })).concat(BANDS.map((b) => ({ v: b.v, label: "", strong: true })));
    const elems = answered.length ? figure(t, {
      id: "chart-elements",
      title: t("ikm.elements.title"),
      desc: t("ikm.elements.desc", { element: `${weakest.element} ${weakest.name}`, value: dec2(weakest.average) }),
      legend: [["bar-nrr", t("ikm.elements.bar")], ["url:weak", t("ikm.elements.weak")], ["band-key", t("ikm.elements.bands")]],
      svg: hbarChart(answered.map((e) => ({
        label: `${e.element} ${e.name}`,
        value: e.average,
        text: `${dec2(e.average)} · ${e.grade}${e === weakest ? " · " + t("ikm.weak") : ""}`,
        cls: e === weakest ? "bar-weak" : "bar-nrr",
        hatched: e === weakest ? "weak" : null,
      })), { scale: { min: 1, max: 4, ticks }, labelWidth: 300, width: 900 }),
      table: numbersTable(t("ikm.elements.title"),
        [t("ikm.col.element"), t("ikm.col.respondents"), t("ikm.col.nrr"), t("ikm.col.converted"), t("ikm.col.grade")],
        rep.elements.map((e) => [`${e.element} ${e.name}${e === weakest ? " (" + t("ikm.weak") + ")" : ""}`, int(e.respondents),
          numberFormat(lang, 3)(e.average), dec2(e.converted), e.grade ? `${e.grade} (${t("ikm.performance." + e.grade)})` : "—"])),
      wide: true,
    }) : null;

    const profiles = h("section", { class: "section", "aria-labelledby": "skm-profile-title", id: "skm-profile" },
      h("h2", { id: "skm-profile-title" }, t("ikm.profile")),
      h("div", { class: "profile-grid" }, Object.keys(PROFILE).map((f) => profileTable(f, rep.profile[f] || {}, rep.respondents))));

    const shown = rep.comments || [];
    const comments = h("section", { class: "section comments-box", "aria-labelledby": "skm-comments-title", id: "skm-comments" },
      h("h2", { id: "skm-comments-title" }, t("ikm.comments")),
      shown.length
        ? h("ol", { class: "comments" }, shown.map((c) => h("li", {},
          h("p", { class: "comment-meta" }, `${formatDay(c.day, t)} · ${serviceName(c.service_id)}`),
          h("p", { class: "comment-text" }, c.comment))))
        : h("p", { class: "empty" }, t("ikm.comments.none")),
      rep.comments_total > shown.length ? h("p", { class: "hint" }, t("ikm.comments.more", { n: int(shown.length), total: int(rep.comments_total) })) : null,
      h("p", { class: "hint" }, t("ikm.comments.retention", { n: int(site.retention_days) })));

    body.replaceChildren(index, elems || h("p", {}), profiles, comments);
  }

  function profileTable(field, counts, total) {
    const codes = [...PROFILE[field], "none"];
    const pct = numberFormat(lang, 1);
    return h("table", { class: "data mini profile", id: `skm-profile-${field}` },
      h("caption", {}, t("skm.profile." + field)),
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("ikm.profile.answer")),
        h("th", { scope: "col", class: "num-col" }, t("ikm.profile.count")),
        h("th", { scope: "col", class: "num-col" }, t("ikm.profile.share")),
        h("td", { "aria-hidden": "true", class: "bar-col" }))),
      h("tbody", {}, codes.map((code) => {
        const n = counts[code] || 0;
        const bar = h("span", { class: "pbar" + (code === "none" ? " none" : "") });
        bar.style.width = total ? `${(n / total) * 100}%` : "0";
        return h("tr", { dataset: { code } },
          h("th", { scope: "row" }, code === "none" ? t("skm.profile.none") : t(`skm.profile.${field}.${code}`)),
          h("td", { class: "num-col" }, int(n)),
          h("td", { class: "num-col" }, total ? pct((n / total) * 100) + " %" : "—"),
          h("td", { class: "bar-col", "aria-hidden": "true" }, bar));
      })));
  }

  await load();
  return {};
}
