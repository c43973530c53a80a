// period.js — what the report pages share: the range picker (Hari ini,
// Minggu ini, Bulan ini, or two dates), the agency filter, and the way
// dates, durations and figures are written. Dates are business days as
// the server has them (YYYY-MM-DD in the site's zone): "today" is the
// live state's day, never the browser's clock.

import { h } from "./ui.js";

// ---- days as YYYY-MM-DD, counted in UTC so no zone shifts them

function parse(day) {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

function iso(date) {
  return date.toISOString().slice(0, 10);
}

export function addDays(day, n) {
  const d = parse(day);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
}

// weekStart is the Monday of day's week; monthStart its first day.
export function weekStart(day) {
  const d = parse(day);
  return addDays(day, -((d.getUTCDay() + 6) % 7));
}

export function monthStart(day) {
  return day.slice(0, 8) + "01";
}

// ---- writing

// formatDay: "Kamis, 26 November 2026" (weekday: false leaves it out).
export function formatDay(day, t, weekday = true) {
  const d = parse(day);
  const date = `${d.getUTCDate()} ${t("month." + (d.getUTCMonth() + 1))} ${d.getUTCFullYear()}`;
  return weekday ? `${t("day." + d.getUTCDay())}, ${date}` : date;
}

// formatPeriod: one day, or "23 November 2026 – 26 November 2026".
export function formatPeriod(from, to, t) {
  return from === to ? formatDay(from, t) : `${formatDay(from, t, false)} – ${formatDay(to, t, false)}`;
}

// Numbers in the page's language: "12,5" in Indonesian.
export function numberFormat(lang, digits = 0) {
  const f = new Intl.NumberFormat(lang === "en" ? "en-GB" : "id-ID", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return (v) => (v === null || v === undefined ? "—" : f.format(v));
}

// minutes writes seconds as minutes with one decimal: "12,5 mnt".
export function minutes(seconds, t, lang) {
  if (seconds === null || seconds === undefined) return "—";
  return t("unit.min", { n: numberFormat(lang, 1)(Math.round(seconds / 6) / 10) });
}

export function percent(p, lang) {
  if (p === null || p === undefined) return "—";
  return numberFormat(lang, 1)(p) + " %";
}

// ---- the picker

const PRESETS = ["today", "week", "month", "custom"];

// periodPicker builds the range picker. today is the live state's day.
// Answers {el, range() → {from, to}, label()}; onChange runs when a
// preset is picked (the custom dates wait for the form's submit).
export function periodPicker(t, today, { id, onChange }) {
  let preset = "today";
  const from = h("input", { type: "date", id: `${id}-from`, name: "from", value: today, max: today, required: true });
  const to = h("input", { type: "date", id: `${id}-to`, name: "to", value: today, max: today, required: true });
  const custom = h("div", { class: "period-custom", hidden: true },
    h("label", { class: "field short" }, h("span", {}, t("period.from")), from),
    h("label", { class: "field short" }, h("span", {}, t("period.to")), to));
  const radios = PRESETS.map((p) => {
    const input = h("input", { type: "radio", name: `${id}-preset`, value: p, id: `${id}-${p}`, checked: p === preset });
    input.addEventListener("change", () => {
      if (!input.checked) return;
      preset = p;
      custom.hidden = p !== "custom";
      if (p !== "custom") onChange();
      else from.focus();
    });
    return h("label", { class: "seg", for: `${id}-${p}` }, input, h("span", {}, t("period." + p)));
  });
  const el = h("fieldset", { class: "period", id },
    h("legend", {}, t("period.label")),
    h("div", { class: "segs" }, radios),
    custom);
  return {
    el,
    range() {
      switch (preset) {
        case "week":
          return { from: weekStart(today), to: today };
        case "month":
          return { from: monthStart(today), to: today };
        case "custom": {
          let a = from.value || today;
          let b = to.value || a;
          if (b < a) [a, b] = [b, a];
          return { from: a, to: b };
        }
        default:
          return { from: today, to: today };
      }
    },
    label() {
      const r = this.range();
      return formatPeriod(r.from, r.to, t);
    },
  };
}

// agencyFilter is a select of the agencies for an admin ("" = all); a
// supervisor sees their own agency named, without a choice (the API
// keeps them to it anyway).
export function agencyFilter(t, ctx, agencies, id) {
  if (!ctx.isAdmin) {
    const own = agencies.find((a) => a.id === ctx.user.agency_id);
    const select = h("select", { id, name: "agency_id", disabled: true },
      h("option", { value: ctx.user.agency_id || "" }, own ? own.short_name || own.name : "—"));
    return h("label", { class: "field" }, h("span", {}, t("report.agency")), select);
  }
  const select = h("select", { id, name: "agency_id" },
    h("option", { value: "" }, t("report.all_agencies")),
    agencies.map((a) => h("option", { value: a.id }, a.short_name || a.name)));
  return h("label", { class: "field" }, h("span", {}, t("report.agency")), select);
}
