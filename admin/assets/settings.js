// settings.js — Pengaturan: every setting of the Site object of API.md
// (admin only): name, time zone and base URL; weekdays and hours, early
// ticket opening; breaks (ISHOMA, the Friday break); holidays and special
// days; priority interleave and the check-in window; announcements, paper
// width and running text; the SKM elements and weight mode; retention.

import { h, Form } from "./ui.js";

const TIME_RE = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const minutes = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const ZONES = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"];

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let site = await session.get("/api/v1/site");

  const dayOptions = DAYS.map((d) => ({ value: d, label: t("weekday." + d) }));
  const shortDays = DAYS.map((d) => ({ value: d, label: t("weekday.short." + d) }));
  const after = (a, b, why) => (a && b && TIME_RE.test(a) && TIME_RE.test(b) && minutes(b) <= minutes(a) ? why : "");

  const spec = [
    { group: t("set.general"), columns: true, fields: [
      { name: "name", label: t("set.name"), required: true, maxLength: 120, wide: true },
      { name: "timezone", label: t("set.timezone"), type: "select", options: () => [...new Set([...ZONES, site.timezone])].map((z) => ({ value: z, label: t("zone." + z) === "zone." + z ? z : t("zone." + z) })) },
      { name: "base_url", label: t("set.base_url"), help: t("set.base_url.help"), placeholder: "https://antrean.mpp.example.go.id", validate: (v) => (v && !/^https?:\/\/[^\s/?#]+[^\s?#]*$/.test(v) ? t("why.url") : "") },
    ] },
    { group: t("set.hours"), columns: true, fields: [
      { name: "weekdays", label: t("set.weekdays"), type: "checks", required: true, options: dayOptions, wide: true },
      { name: "opens", label: t("set.opens"), type: "time", required: true },
      { name: "closes", label: t("set.closes"), type: "time", required: true, help: t("set.closes.help"), validate: (v, all) => after(all.opens, v, t("why.after_opens")) },
      { name: "issue_opens_before_min", label: t("set.issue_before"), type: "number", required: true, min: 0, max: 240, help: t("set.issue_before.help") },
    ] },
    { group: t("set.breaks"), fields: [
      {
        name: "breaks", label: t("set.breaks.list"), type: "list", itemName: t("set.break"), addLabel: t("set.breaks.add"), help: t("set.breaks.help"), wide: true,
        newItem: () => ({ name: "", name_en: "", days: ["mon", "tue", "wed", "thu", "fri"], from: "12:00", to: "13:00" }),
        // The presets' names are content in both languages, whatever the
        // language of this screen.
        presets: [
          { label: t("set.breaks.ishoma"), value: () => ({ name: "ISHOMA", name_en: "ISHOMA (rest, prayer, meal)", days: ["mon", "tue", "wed", "thu"], from: "12:00", to: "13:00" }) },
          { label: t("set.breaks.friday"), value: () => ({ name: "Salat Jumat", name_en: "Friday prayer", days: ["fri"], from: "11:30", to: "13:00" }) },
        ],
        item: [
          { name: "name", label: t("set.break.name"), required: true, maxLength: 60 },
          { name: "name_en", label: t("set.break.name_en"), maxLength: 60 },
          { name: "days", label: t("set.break.days"), type: "checks", options: shortDays },
          { name: "from", label: t("set.break.from"), type: "time", required: true },
          { name: "to", label: t("set.break.to"), type: "time", required: true, validate: (v, item) => after(item.from, v, t("why.after_from")) },
        ],
      },
    ] },
    { group: t("set.days"), columns: true, fields: [
      {
        name: "holidays", label: t("set.holidays"), type: "list", scalar: true, wide: true, itemName: t("set.holiday"), addLabel: t("set.holidays.add"), help: t("set.holidays.help"),
        newItem: () => "", item: [{ label: t("set.holiday"), type: "date", required: true }],
      },
      {
        name: "special_days", label: t("set.special"), type: "list", wide: true, itemName: t("set.special.one"), addLabel: t("set.special.add"), help: t("set.special.help"),
        newItem: () => ({ date: "", opens: "", closes: "" }),
        item: [
          { name: "date", label: t("set.special.date"), type: "date", required: true },
          { name: "opens", label: t("set.opens"), type: "time", validate: (v, item) => (!v !== !item.closes ? t("why.special_day") : "") },
          { name: "closes", label: t("set.closes"), type: "time", validate: (v, item) => (!v !== !item.opens ? t("why.special_day") : after(item.opens, v, t("why.after_opens"))) },
        ],
      },
    ] },
    { group: t("set.queue"), columns: true, fields: [
      { name: "priority_interleave", label: t("set.interleave"), type: "number", required: true, min: 0, max: 20, help: t("set.interleave.help") },
      { name: "checkin_before_min", label: t("set.checkin_before"), type: "number", required: true, min: 0, max: 240 },
      { name: "checkin_after_min", label: t("set.checkin_after"), type: "number", required: true, min: 0, max: 240, help: t("set.checkin.help") },
    ] },
    { group: t("set.screens"), columns: true, fields: [
      { name: "announce_agency", label: t("set.announce_agency"), type: "checkbox", help: t("set.announce_agency.help") },
      { name: "ticket_paper_mm", label: t("set.paper"), type: "select", number: true, options: [{ value: 80, label: "80 mm" }, { value: 58, label: "58 mm" }] },
      { name: "running_text", label: t("set.running_text"), type: "textarea", maxLength: 1000, rows: 2, wide: true, help: t("set.running_text.help") },
      { name: "running_text_en", label: t("set.running_text_en"), type: "textarea", maxLength: 1000, rows: 2, wide: true, help: t("set.running_text_en.help") },
    ] },
    { group: t("set.skm"), columns: true, fields: [
      {
        name: "skm_elements", label: t("set.skm.elements"), type: "list", scalar: true, itemName: t("set.skm.element"), addLabel: t("set.skm.add"), help: t("set.skm.help"), min: 1, max: 20, wide: true,
        newItem: () => "", item: [{ label: t("set.skm.element"), required: true, maxLength: 120 }],
      },
      { name: "skm_weight_mode", label: t("set.skm.weight"), type: "select", options: [{ value: "exact", label: t("set.skm.weight.exact") }, { value: "0.111", label: t("set.skm.weight.0111") }, { value: "0.11", label: t("set.skm.weight.011") }], help: t("set.skm.weight.help") },
    ] },
    { group: t("set.data"), columns: true, fields: [
      { name: "retention_days", label: t("set.retention"), type: "number", required: true, min: 1, max: 3660, help: t("set.retention.help") },
    ] },
  ];

  let form;
  const render = () => {
    form = new Form(spec, site, {
      submitLabel: t("set.save"),
      onSubmit: async (v) => {
        // PUT replaces the site: send every field, ours over what was read.
        const body = { ...site, ...v };
        site = (await session.request("PUT", "/api/v1/site", { body })).data;
        // Said beside the Save button, where the eyes are (the page's
        // notice is far above a long form).
        return t("set.saved");
      },
    });
    form.el.id = "settings-form";
    wrap.replaceChildren(form.el);
  };
  const wrap = h("div", { class: "card settings" });
  el.append(h("p", { class: "lead" }, t("set.lead")), wrap);
  render();
  return {};
}
