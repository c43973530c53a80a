// booking.js — online booking (SCREENS.md, "Online booking"), phone first.
//
// Book: agency → service (requirements, fee) → date (today and the next
// 14 days; closed and full days greyed) → time (places left; full ones
// shown as full) → name and phone (and the NIK where the service needs
// it), with the privacy notice before the button → the code large, its
// QR, the calendar file and what to bring.
// Manage by code (also /booking/CODE, what the QR opens): view, cancel,
// change the time once.
//
// Everything goes through the API (API.md, "Online booking"); the page
// needs nothing from the internet. Test hook: window.__booking = {ready,
// step(), created: [answers], views: [views], failures: [{status, code}]}.

import { translator, zoneAbbr } from "/static/i18n.js";

const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($("booking-config").textContent);
const t = translator(JSON.parse($("i18n").textContent));
const lang = cfg.lang === "en" ? "en" : "id";
const tz = cfg.site.timezone || "Asia/Jakarta";

document.documentElement.classList.add("js");

const state = {
  step: "",
  mode: "book", // or "reschedule": the date and time steps move state.view
  agencyId: "",
  serviceId: "",
  date: "",
  start: "",
  days: new Map(), // date → {slots, left, open}
  view: null, // the booking being managed
  idemKey: "",
  busy: false,
};

const hook = (window.__booking = {
  ready: false,
  step: () => state.step,
  created: [],
  views: [],
  failures: [],
});

// ---- small helpers

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const agencyOf = (id) => cfg.agencies.find((a) => a.id === id);
const serviceOf = (id) => cfg.services.find((s) => s.id === id);
const serviceName = (s) => (s ? (lang === "en" && s.name_en ? s.name_en : s.name) : "");
const agencyShort = (a) => (a ? a.short_name || a.name : "");

function feeText(fee) {
  const f = (fee || "").trim().toLowerCase();
  return ["", "0", "rp 0", "rp0", "gratis", "free"].includes(f) ? t("fee.free") : fee;
}

// Dates are "YYYY-MM-DD" in the site's zone; their weekday does not
// depend on the phone's zone.
function parts(date) {
  const [y, m, d] = date.split("-").map(Number);
  return { y, m, d, wd: new Date(Date.UTC(y, m - 1, d)).getUTCDay() };
}

function addDays(date, n) {
  const { y, m, d } = parts(date);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

// "Kamis, 27 November 2026"
function longDate(date) {
  const p = parts(date);
  return `${t("day." + p.wd)}, ${p.d} ${t("month." + p.m)} ${p.y}`;
}

const clock = (hhmm) => (hhmm || "").replace(":", t("time.sep"));
const zone = () => zoneAbbr(tz);

// "08.00–08.30 WIB"
const span = (a, b) => `${clock(a)}\u2013${clock(b)} ${zone()}`.trim();

// A time from the API (RFC 3339) as the site's clock: "08.30 WIB".
function timeOf(iso) {
  const d = new Date(iso);
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d);
  return `${f.replace(":", t("time.sep"))} ${zoneAbbr(tz, d)}`.trim();
}

function pathOf(u) {
  try {
    const x = new URL(u, location.href);
    return x.pathname + x.search;
  } catch {
    return u;
  }
}

function say(text) {
  $("announce").textContent = text;
}

// ---- the API

async function api(method, path, body, extra = {}) {
  const headers = { "Accept-Language": lang, ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit" });
  } catch {
    hook.failures.push({ status: 0, code: "network" });
    return { ok: false, status: 0, error: { code: "network", message: t("error.network") } };
  }
  let data = null;
  try {
    data = r.status === 204 ? null : await r.json();
  } catch {
    data = null;
  }
  if (r.ok) return { ok: true, status: r.status, data };
  const error = (data && data.error) || { code: "", message: t("error.generic") };
  if (error.code === "rate_limited") error.message = t("error.rate_limited", { n: r.headers.get("Retry-After") || "60" });
  hook.failures.push({ status: r.status, code: error.code });
  return { ok: false, status: r.status, error };
}

// ---- steps

function go(step) {
  state.step = step;
  for (const s of document.querySelectorAll(".step")) s.hidden = s.id !== "step-" + step;
  const manage = step === "manage" || state.mode === "reschedule";
  $("tab-book").setAttribute("aria-pressed", String(!manage));
  $("tab-manage").setAttribute("aria-pressed", String(manage));
  window.scrollTo(0, 0);
  const h = $("step-" + step)?.querySelector("[tabindex='-1']");
  if (h) h.focus({ preventScroll: true });
}

function startBooking() {
  state.mode = "book";
  state.agencyId = state.serviceId = state.date = state.start = "";
  renderAgencies();
  go("agency");
}

function renderAgencies() {
  const list = $("agencies");
  list.replaceChildren();
  $("agencies-empty").hidden = cfg.agencies.length > 0;
  const sorted = [...cfg.agencies].sort((a, b) => agencyShort(a).localeCompare(agencyShort(b), "id"));
  for (const a of sorted) {
    const n = cfg.services.filter((s) => s.agency_id === a.id).length;
    const b = el("button", { type: "button", class: "choice", "data-agency": a.id },
      el("span", { class: "choice-title", text: agencyShort(a) }),
      a.short_name && a.short_name !== a.name ? el("span", { class: "choice-sub", text: a.name }) : null,
      el("span", { class: "choice-meta", text: n === 1 ? t("agency.services.one") : t("agency.services", { n }) }));
    b.addEventListener("click", () => chooseAgency(a.id));
    list.append(b);
  }
}

function chooseAgency(id) {
  state.agencyId = id;
  const a = agencyOf(id);
  $("service-agency").textContent = a ? a.name : "";
  const list = $("services");
  list.replaceChildren();
  for (const s of cfg.services.filter((x) => x.agency_id === id).sort((x, y) => x.code.localeCompare(y.code))) {
    const card = el("article", { class: "card service", "data-service": s.id, "aria-labelledby": "svc-" + s.id });
    const head = el("div", { class: "service-head" }, el("h2", { id: "svc-" + s.id, text: serviceName(s) }));
    if (s.requires_nik) head.append(el("span", { class: "chip chip-nik", text: t("service.nik") }));
    card.append(head);
    card.append(el("p", { class: "fee" }, el("strong", { text: t("service.fee") + ": " }), feeText(s.fee)));
    card.append(el("h3", { class: "req-title", text: t("service.requirements") }));
    const reqs = el("ul", { class: "checklist" });
    for (const r of s.requirements || []) reqs.append(el("li", { text: r }));
    if (!(s.requirements || []).length) reqs.append(el("li", { text: t("service.requirements.none") }));
    card.append(reqs);
    const pick = el("button", { type: "button", class: "button primary", "data-choose": s.id, text: t("service.choose") });
    pick.addEventListener("click", () => chooseService(s.id));
    card.append(pick);
    list.append(card);
  }
  go("service");
}

function chooseService(id) {
  state.serviceId = id;
  openDates();
}

// openDates lists today and the next 14 days; each day's places come
// from its slots.
async function openDates() {
  const s = serviceOf(state.serviceId);
  $("date-title").textContent = state.mode === "reschedule" ? t("manage.reschedule.title") : t("date.title");
  $("date-summary").textContent = [serviceName(s), agencyShort(agencyOf(s?.agency_id))].filter(Boolean).join(" · ");
  const days = $("days");
  days.replaceChildren();
  $("dates-loading").hidden = false;
  go("date");
  const dates = [];
  for (let d = cfg.today; d <= cfg.last; d = addDays(d, 1)) dates.push(d);
  const buttons = new Map();
  for (const d of dates) {
    const p = parts(d);
    const top = d === cfg.today ? t("date.today") : d === addDays(cfg.today, 1) ? t("date.tomorrow") : t("day." + p.wd);
    const b = el("button", { type: "button", class: "day is-loading", "data-date": d, disabled: true },
      el("span", { class: "day-name", text: top }),
      el("span", { class: "day-date", text: `${p.d} ${t("month." + p.m).slice(0, 3)}` }),
      el("span", { class: "day-left", text: "\u2026" }),
      // The full date for screen readers. The button keeps its name from
      // what it shows (an aria-label would hide the words a person using
      // voice control reads off the screen), and adds this.
      el("span", { class: "sr-only", text: longDate(d) }));
    b.addEventListener("click", () => chooseDate(d));
    buttons.set(d, b);
    days.append(b);
  }
  const service = state.serviceId;
  await Promise.all(dates.map(async (d) => {
    const r = await api("GET", `/api/v1/services/${encodeURIComponent(service)}/slots?date=${d}`);
    if (service !== state.serviceId) return;
    const b = buttons.get(d);
    b.classList.remove("is-loading");
    if (!r.ok) {
      b.querySelector(".day-left").textContent = "\u2014";
      return;
    }
    const slots = r.data.slots || [];
    let left = slots.reduce((n, x) => n + Math.max(0, x.capacity - x.booked), 0);
    if (r.data.places_left != null) left = Math.min(left, r.data.places_left);
    state.days.set(d, { slots, left, open: slots.length > 0 });
    let text;
    if (!slots.length) text = t("date.closed");
    else if (left === 0) text = t("date.full");
    else text = left === 1 ? t("date.left.one") : t("date.left", { n: left });
    b.querySelector(".day-left").textContent = text;
    const usable = left > 0;
    b.disabled = !usable;
    b.classList.toggle("is-full", slots.length > 0 && !usable);
    b.classList.toggle("is-closed", !slots.length);
  }));
  $("dates-loading").hidden = true;
}

async function chooseDate(date) {
  state.date = date;
  $("slot-title").textContent = state.mode === "reschedule" ? t("manage.reschedule.title") : t("slot.title");
  $("slot-summary").textContent = `${longDate(date)} (${t("slot.zone", { zone: zone() })})`;
  $("slot-problem").hidden = true;
  await renderSlots();
  go("slot");
}

async function renderSlots(problem = "") {
  const list = $("slots");
  list.replaceChildren();
  const p = $("slot-problem");
  p.textContent = problem;
  p.hidden = !problem;
  const r = await api("GET", `/api/v1/services/${encodeURIComponent(state.serviceId)}/slots?date=${state.date}`);
  const slots = r.ok ? r.data.slots || [] : [];
  $("slots-empty").hidden = slots.length > 0;
  if (!r.ok) {
    p.textContent = r.error.message;
    p.hidden = false;
  }
  for (const s of slots) {
    const left = Math.max(0, s.capacity - s.booked);
    const own = state.mode === "reschedule" && state.view && state.view.date === state.date && state.view.start === s.start;
    const b = el("button", { type: "button", class: "slot" + (left ? "" : " is-full"), "data-start": s.start, disabled: !left || own },
      el("span", { class: "slot-time num", text: `${clock(s.start)}\u2013${clock(s.end)}` }),
      el("span", { class: "slot-left", text: left === 0 ? t("slot.full") : left === 1 ? t("slot.left.one") : t("slot.left", { n: left }) }));
    b.addEventListener("click", () => chooseSlot(s));
    list.append(b);
  }
}

function chooseSlot(slot) {
  state.start = slot.start;
  state.end = slot.end;
  if (state.mode === "reschedule") return reschedule();
  const s = serviceOf(state.serviceId);
  $("form-summary").textContent = `${serviceName(s)} · ${longDate(state.date)} · ${span(slot.start, slot.end)}`;
  $("nik-field").hidden = !s?.requires_nik;
  $("privacy-text").textContent = lang === "en" ? cfg.privacy.en : cfg.privacy.id;
  $("form-problem").hidden = true;
  for (const f of ["name", "phone", "nik"]) fieldError(f, "");
  state.idemKey = newKey();
  go("form");
}

// ---- the form

function fieldError(name, text) {
  const e = $("e-" + name);
  const input = $("f-" + name);
  e.textContent = text;
  e.hidden = !text;
  if (text) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

const phoneOK = (v) => {
  const d = v.replace(/[\s\-.()]/g, "");
  return /^(\+?62|0)0?[1-9]\d{7,11}$/.test(d);
};

async function submit(ev) {
  ev.preventDefault();
  if (state.busy) return;
  const s = serviceOf(state.serviceId);
  const name = $("f-name").value.trim();
  const phone = $("f-phone").value.trim();
  const nik = s?.requires_nik ? $("f-nik").value.replace(/[\s.\-]/g, "") : "";
  let bad = "";
  fieldError("name", name ? "" : t("error.name"));
  if (!name) bad ||= "name";
  fieldError("phone", phoneOK(phone) ? "" : t("error.phone"));
  if (!phoneOK(phone)) bad ||= "phone";
  if (s?.requires_nik) {
    const ok = /^\d{16}$/.test(nik);
    fieldError("nik", ok ? "" : t("error.nik"));
    if (!ok) bad ||= "nik";
  }
  if (bad) {
    $("f-" + bad).focus();
    return;
  }
  state.busy = true;
  const button = $("submit");
  button.disabled = true;
  button.textContent = t("form.sending");
  const body = { service_id: state.serviceId, date: state.date, start: state.start, name, phone };
  if (s?.requires_nik) body.nik = nik;
  const r = await api("POST", "/api/v1/bookings", body, { "Idempotency-Key": state.idemKey });
  state.busy = false;
  button.disabled = false;
  button.textContent = t("form.submit");
  if (r.ok) {
    hook.created.push(r.data);
    state.idemKey = "";
    return showDone(r.data);
  }
  const e = r.error;
  switch (e.code) {
    case "slot_full":
      await renderSlots(t("error.slot_full"));
      return go("slot");
    case "invalid_input": {
      const f = e.fields || {};
      if (f.name) fieldError("name", t("error.name"));
      if (f.phone) fieldError("phone", t("error.phone"));
      if (f.nik) fieldError("nik", t("error.nik"));
      if (f.name || f.phone || f.nik) return;
    }
  }
  const p = $("form-problem");
  p.textContent = e.message || t("error.generic");
  p.hidden = false;
  say(p.textContent);
}

function formatCode(code) {
  return code && code.length === 8 ? code.slice(0, 4) + "-" + code.slice(4) : code || "";
}

function checkinText(opens, closes) {
  return `${t("checkin.window", { from: timeOf(opens), to: timeOf(closes) })} ${t("checkin.late", { to: timeOf(closes) })}`;
}

function showDone(a) {
  const s = serviceOf(a.service_id);
  $("done-code").textContent = formatCode(a.code);
  $("done-qr").src = pathOf(a.qr_url);
  $("done-qr").alt = `${t("done.code")}: ${formatCode(a.code)}`;
  $("done-ics").href = pathOf(a.ics_url);
  $("done-ics").setAttribute("download", `booking-${a.code}.ics`);
  $("done-what").textContent = [serviceName(s), agencyShort(agencyOf(s?.agency_id))].filter(Boolean).join(" · ");
  $("done-when").textContent = `${longDate(a.date)}, ${span(a.start, a.end)}`;
  $("done-checkin").textContent = checkinText(a.checkin_opens, a.checkin_closes);
  const bring = $("done-bring");
  bring.replaceChildren();
  for (const r of s?.requirements || []) bring.append(el("li", { text: r }));
  if (!(s?.requirements || []).length) bring.append(el("li", { text: t("service.requirements.none") }));
  $("done-fee").textContent = `${t("service.fee")}: ${feeText(s?.fee)}`;
  $("done-manage").href = pathOf(a.manage_url);
  go("done");
  say(`${t("done.title")}. ${t("done.code")}: ${formatCode(a.code).split("").join(" ")}`);
}

// ---- manage

function openManage(code = "") {
  state.mode = "book";
  $("view").hidden = !state.view;
  if (code) $("m-code").value = formatCode(code);
  go("manage");
  if (code) find();
}

function codeOf(v) {
  const c = v.toUpperCase().replace(/[\s-]/g, "");
  return /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/.test(c) ? c : "";
}

async function find(ev) {
  if (ev) ev.preventDefault();
  const err = $("m-error");
  const code = codeOf($("m-code").value);
  err.hidden = true;
  if (!code) {
    err.textContent = t("error.code_format");
    err.hidden = false;
    return;
  }
  const r = await api("GET", `/api/v1/bookings/${code}`);
  if (!r.ok) {
    state.view = null;
    $("view").hidden = true;
    err.textContent = r.error.code === "not_found" ? t("error.not_found") : r.error.message;
    err.hidden = false;
    return;
  }
  showView(r.data);
}

function showView(v, note = "") {
  state.view = v;
  hook.views.push(v);
  $("view").hidden = false;
  const chip = $("v-status");
  chip.textContent = t("bstatus." + v.status);
  chip.dataset.status = v.status;
  $("v-code").textContent = formatCode(v.code);
  const name = lang === "en" && v.service_name_en ? v.service_name_en : v.service_name;
  $("v-what").textContent = [name, (lang === "en" && v.agency_name_en) || v.agency_name].filter(Boolean).join(" · ");
  $("v-when").textContent = `${longDate(v.date)}, ${span(v.start, v.end)}`;
  $("v-checkin").textContent = v.status === "booked" ? checkinText(v.checkin_opens, v.checkin_closes) : "";
  $("v-checkin").hidden = v.status !== "booked";
  $("v-name").textContent = v.name || "\u2014";
  $("v-phone").textContent = v.phone || "\u2014";
  $("v-nik").textContent = v.nik;
  $("v-nik-row").hidden = !v.nik;
  const tk = $("v-ticket");
  tk.hidden = !v.ticket;
  if (v.ticket) {
    tk.href = pathOf(v.ticket.status_url);
    tk.textContent = t("manage.ticket", { number: v.ticket.number });
  }
  let text = note;
  if (!text && v.status === "cancelled") text = t("manage.cancelled");
  if (!text && v.status === "expired") text = t("manage.expired");
  if (!text && v.status === "booked" && v.rescheduled) text = t("manage.rescheduled");
  if (!text && v.can_reschedule) text = t("manage.reschedule.note");
  $("v-note").textContent = text;
  $("v-note").hidden = !text;
  $("v-ics").href = pathOf(v.ics_url);
  $("v-ics").setAttribute("download", `booking-${v.code}.ics`);
  $("v-ics").hidden = v.status === "cancelled";
  $("v-reschedule").hidden = !v.can_reschedule;
  $("v-cancel").hidden = !v.can_cancel;
  $("cancel-confirm").hidden = true;
  $("v-problem").hidden = true;
  if (note) say(note);
}

function viewProblem(text) {
  const p = $("v-problem");
  p.textContent = text;
  p.hidden = false;
  say(text);
}

async function cancelBooking() {
  const v = state.view;
  if (!v || state.busy) return;
  state.busy = true;
  const r = await api("DELETE", `/api/v1/bookings/${v.code}`);
  state.busy = false;
  if (!r.ok) return viewProblem(r.error.message);
  const again = await api("GET", `/api/v1/bookings/${v.code}`);
  if (again.ok) showView(again.data, t("manage.cancelled"));
}

function startReschedule() {
  const v = state.view;
  if (!v) return;
  state.mode = "reschedule";
  state.serviceId = v.service_id;
  state.agencyId = v.agency_id;
  openDates();
}

async function reschedule() {
  const v = state.view;
  if (!v || state.busy) return;
  state.busy = true;
  const r = await api("POST", `/api/v1/bookings/${v.code}/reschedule`, { date: state.date, start: state.start });
  state.busy = false;
  if (!r.ok) {
    if (r.error.code === "slot_full") return renderSlots(t("error.slot_full"));
    state.mode = "book";
    go("manage");
    return viewProblem(r.error.message);
  }
  state.mode = "book";
  go("manage");
  showView(r.data, t("manage.rescheduled.ok"));
}

// ---- wiring

function back(to) {
  if (state.mode === "reschedule" && (to === "service" || (to === "date" && state.step === "date"))) {
    state.mode = "book";
    return go("manage");
  }
  if (to === "agency") return startBooking();
  if (to === "service") return chooseAgency(state.agencyId);
  if (to === "date") return openDates();
  if (to === "slot") return chooseDate(state.date);
}

function wire() {
  $("tab-book").addEventListener("click", startBooking);
  $("tab-manage").addEventListener("click", () => openManage());
  for (const b of document.querySelectorAll("[data-back]")) b.addEventListener("click", () => back(b.dataset.back));
  $("form").addEventListener("submit", submit);
  for (const f of ["name", "phone", "nik"]) $("f-" + f).addEventListener("input", () => fieldError(f, ""));
  $("m-code").addEventListener("input", () => { $("m-error").hidden = true; });
  $("manage-form").addEventListener("submit", find);
  $("done-again").addEventListener("click", startBooking);
  $("done-manage").addEventListener("click", (e) => {
    e.preventDefault();
    openManage(codeOf($("done-code").textContent));
  });
  $("v-cancel").addEventListener("click", () => {
    $("cancel-confirm").hidden = false;
    $("cancel-yes").focus();
  });
  $("cancel-no").addEventListener("click", () => {
    $("cancel-confirm").hidden = true;
    $("v-cancel").focus();
  });
  $("cancel-yes").addEventListener("click", cancelBooking);
  $("v-reschedule").addEventListener("click", startReschedule);
}

wire();
if (cfg.code) openManage(cfg.code);
else startBooking();
hook.ready = true;
