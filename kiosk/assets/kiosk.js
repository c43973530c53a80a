// kiosk.js — the ticket kiosk (SCREENS.md, "Kiosk").
//
// Who issues: a paired kiosk device (its token comes once as
// /kiosk?device=TOKEN, is kept in localStorage, taken out of the address
// bar and sent as a bearer token), or a signed-in greeter (the session
// cookie, with the X-CSRF-Token of GET /api/v1/me on POST). GET
// /api/v1/kiosk says which, and whether the server prints on a network
// printer.
//
// Screens: start (agency tiles, booking code, priority, LAPOR!) → agency
// (its services: requirements, fee, waiting, estimate, open / closed /
// quota full before any tap) → priority confirmation → ticket (number,
// QR of the visitor page, printing status, countdown back to start).
// Check-in of an online booking: "Sudah daftar online?" opens an
// on-screen keypad for the 8-symbol code; a USB barcode scanner types the
// booking's QR (the code, or a URL ending in it) and Enter, on that
// screen or on the start screen; the ticket then shows as a walk-in's.
// Every screen returns to the start after 30 s without a touch.
//
// The services' live numbers and opening state come from the public feed
// (snapshot) and GET /api/v1/state, refreshed when tickets move, when the
// agency screen opens and every 20 s (opening hours pass with no event).
//
// Test hook: window.__antrean = {ready, screen(), issued: [answers],
// checkins: [answers], failures: [{status, code}], prints: [numbers],
// limits, lang()}.

import { Live, bindStatus } from "/static/live.js";
import { Session, bindLogin, hasSessionHint } from "/static/staff.js";
import { translator, formatClock, formatTime, zoneAbbr } from "/static/i18n.js";

const TOKEN_KEY = "antrean.kiosk.device";
const PRINT_KEY = "antrean.kiosk.print";

const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($("kiosk-config").textContent);
const catalogs = { id: JSON.parse($("i18n-id").textContent), en: JSON.parse($("i18n-en").textContent) };
const tz = cfg.site.timezone || "Asia/Jakarta";

let lang = "id";
let t = translator(catalogs.id);

const state = {
  agencies: cfg.agencies || [],
  services: cfg.services || [],
  board: new Map(),
  who: null,
  csrf: "",
  screen: "loading",
  agencyId: "",
  serviceId: "",
  ticket: null, // {answer, service, agency, print: "printing"|"printed"|"failed"|"none", manual}
  busy: false,
  lastInput: Date.now(),
  deadline: 0, // of the ticket screen's countdown
  notice: "",
  code: "", // the booking code typed on the keypad
  checkinMsg: null, // {title, text} of a refused check-in
};

const hook = (window.__antrean = {
  ready: false,
  screen: () => state.screen,
  lang: () => lang,
  issued: [],
  checkins: [],
  failures: [],
  prints: [],
  retries: 0,
  limits: { ticketMs: cfg.limits?.ticket_ms || 15000, idleMs: cfg.limits?.idle_ms || 30000, printMs: 10000 },
  // printFrame prints the frame's window (tests replace it to play a
  // printer that works or one that fails).
  printFrame: (win) => win.print(),
  refresh: () => refreshState(),
});

// ---- small DOM helper

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

function icon(name, cls = "icon") {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", "#icon-" + name);
  svg.append(use);
  return svg;
}

// ---- language

function setLang(l) {
  lang = l === "en" ? "en" : "id";
  t = translator(catalogs[lang]);
  document.documentElement.lang = lang;
  for (const e of document.querySelectorAll("[data-i18n]")) e.textContent = t(e.dataset.i18n);
  for (const e of document.querySelectorAll("[data-i18n-aria]")) e.setAttribute("aria-label", t(e.dataset.i18nAria));
  $("lang-id").setAttribute("aria-pressed", String(lang === "id"));
  $("lang-en").setAttribute("aria-pressed", String(lang === "en"));
  document.title = `${t("kiosk.title")} — ${cfg.site.name}`;
  $("announce").textContent = ""; // said in the other language already
  tick();
  if (live) onStatus(live.status());
  renderScreen();
}

// ---- pairing and who issues

function authHeaders() {
  const token = localStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: "Bearer " + token } : {};
}

// takeToken keeps ?device= (and ?print=) in localStorage and takes them
// out of the address bar.
function takeToken() {
  const url = new URL(location.href);
  const token = url.searchParams.get("device");
  const print = url.searchParams.get("print");
  if (token === null && print === null) return;
  if (token) localStorage.setItem(TOKEN_KEY, token);
  if (print === "browser" || print === "none") localStorage.setItem(PRINT_KEY, print);
  else if (print !== null) localStorage.removeItem(PRINT_KEY);
  url.searchParams.delete("device");
  url.searchParams.delete("print");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

async function whoAmI() {
  const hadToken = !!localStorage.getItem(TOKEN_KEY);
  // Neither paired nor signed in: nobody to ask about (the server's 401
  // would be a red line in the console).
  if (!hadToken && !hasSessionHint()) return unpaired("");
  let r;
  try {
    r = await fetch("/api/v1/kiosk", { headers: authHeaders(), credentials: "same-origin" });
  } catch {
    return unpaired(t("error.network"));
  }
  if (r.status === 401) {
    if (hadToken) {
      localStorage.removeItem(TOKEN_KEY);
      return unpaired(t("unpaired.unknown"));
    }
    return unpaired("");
  }
  if (r.status === 403) return unpaired(t("unpaired.forbidden"));
  if (!r.ok) return unpaired(t("error.network"));
  state.who = await r.json();
  $("conn").hidden = false;
  if (!hadToken) {
    // A cookie session: unsafe requests carry its CSRF token.
    try {
      const me = await fetch("/api/v1/me", { credentials: "same-origin" });
      if (me.ok) state.csrf = (await me.json()).csrf_token || "";
    } catch {
      // The POST will say so.
    }
  }
  goStart();
  startLive();
  hook.ready = true;
}

function unpaired(problem) {
  $("conn").hidden = true; // nothing to be connected to yet
  const p = $("unpaired-problem");
  p.textContent = problem;
  p.hidden = !problem;
  go("unpaired");
  hook.ready = true;
}

// ---- live numbers

let live = null;
let stateTimer = 0;
let onStatus = () => {};

function setBoard(b) {
  if (!b || !Array.isArray(b.services)) return;
  state.board = new Map(b.services.map((s) => [s.id, s]));
  if (state.screen === "start" || state.screen === "agency") renderScreen();
}

async function refreshState() {
  try {
    const r = await fetch("/api/v1/state");
    if (r.ok) setBoard(await r.json());
  } catch {
    // The connection mark tells; the next refresh tries again.
  }
}

async function refreshConfig() {
  try {
    const [a, s] = await Promise.all([fetch("/api/v1/agencies"), fetch("/api/v1/services")]);
    if (a.ok && s.ok) {
      state.agencies = (await a.json()).agencies || [];
      state.services = (await s.json()).services || [];
      refreshState();
    }
  } catch {
    // Kept as it was.
  }
}

function soon(fn, ms) {
  let timer = 0;
  return () => {
    if (!timer) timer = setTimeout(() => { timer = 0; fn(); }, ms);
  };
}
const stateSoon = soon(refreshState, 400);
const configSoon = soon(refreshConfig, 400);

function startLive() {
  const show = bindStatus($("conn"), $("offline"), (k) => t(k));
  onStatus = (s) => { hook.status = s; show(s); };
  live = new Live({
    onSnapshot: (b) => setBoard(b),
    onEvent: (ev) => {
      if (ev.type === "config.changed" || ev.type === "day.started") configSoon();
      else stateSoon();
    },
    onStatus,
  });
  live.start();
  clearInterval(stateTimer);
  stateTimer = setInterval(refreshState, 20000);
}

// ---- what the kiosk lists

const svcInfo = (id) => state.board.get(id) || {};

// Agencies by their short name, services by their code: the order a
// visitor can predict.
const byText = (f) => (a, b) => f(a).localeCompare(f(b), "id", { numeric: true });

function visibleAgencies() {
  const only = state.who && state.who.agency_id;
  return state.agencies
    .filter((a) => (!only || a.id === only) && servicesOf(a.id).length > 0)
    .sort(byText(agencyShort));
}

function servicesOf(agencyId) {
  return state.services.filter((s) => s.agency_id === agencyId && s.active !== false).sort(byText((s) => s.code));
}

const agencyOf = (id) => state.agencies.find((a) => a.id === id);
const serviceOf = (id) => state.services.find((s) => s.id === id);
const serviceName = (s) => (lang === "en" && s.name_en ? s.name_en : s.name);
// In English the English names and requirements, falling back to the
// Indonesian (queue.Agency.Label and friends).
const agencyShort = (a) => {
  if (!a) return "";
  if (lang === "en" && a.short_name_en) return a.short_name_en;
  if (lang === "en" && !a.short_name && a.name_en) return a.name_en;
  return a.short_name || a.name;
};
const agencyFull = (a) => (a ? (lang === "en" && a.name_en) || a.name : "");
const requirementsOf = (s) => (s ? (lang === "en" && s.requirements_en && s.requirements_en.length ? s.requirements_en : s.requirements) || [] : []);
const feeOf = (s) => (lang === "en" && s.fee_en) || s.fee;
const clock = (hhmm) => (hhmm || "").replace(":", t("time.sep"));

function feeText(fee) {
  const f = (fee || "").trim().toLowerCase();
  return ["", "0", "rp 0", "rp0", "gratis", "free"].includes(f) ? t("fee.free") : fee;
}

// closedText explains why a service takes no ticket now.
function closedText(info) {
  const reason = info.closed_reason || "closed_today";
  return t("closed." + reason, { time: clock(info.opens) });
}

// ---- screens

function go(name) {
  state.screen = name;
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== "screen-" + name;
  const scr = $("screen-" + name);
  if (scr) scr.scrollTop = 0;
  renderScreen();
  const heading = scr && scr.querySelector("[tabindex='-1']");
  if (heading) heading.focus({ preventScroll: true });
}

function renderScreen() {
  switch (state.screen) {
    case "start": return renderStart();
    case "agency": return renderAgency();
    case "priority": return renderPriority();
    case "ticket": return renderTicket();
    case "checkin": return renderCheckin();
  }
}

function goStart() {
  clearPrintFrame();
  state.ticket = null;
  state.agencyId = state.serviceId = "";
  state.notice = "";
  state.deadline = 0;
  state.code = "";
  state.checkinMsg = null;
  scan.buf = "";
  state.screen = "start";
  if (lang !== "id") setLang("id"); // the next visitor starts in Indonesian
  go("start");
}

function renderStart() {
  const tiles = $("tiles");
  tiles.replaceChildren();
  const list = visibleAgencies();
  $("tiles-empty").hidden = list.length > 0;
  for (const a of list) {
    const svcs = servicesOf(a.id);
    const waiting = svcs.reduce((n, s) => n + (svcInfo(s.id).waiting || 0), 0);
    const open = svcs.some((s) => svcInfo(s.id).open);
    const meta = open ? t("start.waiting", { n: waiting }) : t("start.closed");
    const b = el("button", { type: "button", class: "tile" + (open ? "" : " is-closed"), "data-agency": a.id },
      el("span", { class: "tile-short", text: agencyShort(a) }),
      agencyShort(a) !== agencyFull(a) ? el("span", { class: "tile-name", text: agencyFull(a) }) : null,
      el("span", { class: "tile-meta" }, icon(open ? "people" : "clock"), el("span", { text: meta })));
    b.addEventListener("click", () => openAgency(a.id));
    tiles.append(b);
  }
}

function openAgency(id) {
  state.agencyId = id;
  state.notice = "";
  go("agency");
  refreshState();
}

function badgeFor(info) {
  if (info.open) return el("span", { class: "badge badge-open", text: t("badge.open") });
  switch (info.closed_reason) {
    case "quota_exhausted":
      return el("span", { class: "badge badge-quota", text: t("badge.quota") });
    case "not_yet_open":
      return el("span", { class: "badge badge-soon", text: t("badge.opens_at", { time: clock(info.opens) }) });
  }
  return el("span", { class: "badge badge-closed", text: t("badge.closed") });
}

function renderAgency() {
  const a = agencyOf(state.agencyId);
  if (!a) return goStart();
  $("agency-name").textContent = agencyFull(a);
  const notice = $("agency-notice");
  notice.textContent = state.notice;
  notice.hidden = !state.notice;
  const list = $("services");
  list.replaceChildren();
  for (const s of servicesOf(a.id)) {
    const info = svcInfo(s.id);
    const nameId = "svc-" + s.id;
    const card = el("article", { class: "service" + (info.open ? "" : " is-closed"), "data-service": s.id, "aria-labelledby": nameId });
    const name = el("h3", { class: "service-name", id: nameId, text: serviceName(s) });
    if (lang === "en" && s.name_en && s.name_en !== s.name) name.append(el("span", { class: "service-name-alt", lang: "id", text: s.name }));
    card.append(el("div", { class: "service-head" }, name, badgeFor(info)));

    const facts = el("p", { class: "facts" });
    facts.append(el("span", { class: "fact" }, el("span", { text: t("service.fee") + ":" }), el("strong", { text: feeText(feeOf(s)) })));
    if (info.open || info.waiting) {
      facts.append(el("span", { class: "fact" }, icon("people"), el("span", { text: info.waiting === 1 ? t("service.waiting.one") : t("service.waiting", { n: info.waiting || 0 }) })));
      // Nobody waits and a counter is open: served right away, not "± 0".
      const eta = info.eta_min == null ? t("service.eta.none") : info.eta_min <= 0 ? t("service.eta.now") : t("service.eta", { n: info.eta_min });
      facts.append(el("span", { class: "fact" }, icon("clock"), el("span", { text: eta })));
    }
    if (info.open && info.quota_left != null) facts.append(el("span", { class: "fact", text: t("service.quota_left", { n: info.quota_left }) }));
    card.append(facts);

    card.append(el("h4", { class: "req-title", text: t("service.requirements") }));
    const reqs = el("ul", { class: "checklist" });
    for (const r of requirementsOf(s)) reqs.append(el("li", {}, icon("check"), el("span", { text: r })));
    if (!requirementsOf(s).length) reqs.append(el("li", {}, icon("check"), el("span", { text: t("service.requirements.none") })));
    card.append(reqs);

    if (info.open) {
      const take = el("button", { type: "button", class: "button primary take", "data-take": s.id }, el("span", { text: t("take") }));
      const prio = el("button", { type: "button", class: "button priority take-priority", "data-take-priority": s.id }, icon("star"), el("span", { text: t("take.priority") }));
      take.addEventListener("click", () => issue(s.id, false));
      prio.addEventListener("click", () => { state.serviceId = s.id; go("priority"); });
      card.append(el("div", { class: "actions" }, take, prio));
    } else {
      const soonOpen = info.closed_reason === "not_yet_open";
      card.append(el("p", { class: "closed-msg" + (soonOpen ? " is-soon" : ""), role: "note", text: closedText(info) }));
    }
    list.append(card);
  }
}

function renderPriority() {
  const s = serviceOf(state.serviceId);
  if (!s) return goStart();
  $("confirm-service").textContent = t("confirm.service", { name: serviceName(s) });
}

// ---- issuing

function newKey() {
  // crypto.randomUUID needs a secure context; a kiosk on the LAN is
  // often plain http.
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function issue(serviceId, priority) {
  if (state.busy) return;
  state.busy = true;
  state.serviceId = serviceId;
  $("busy").hidden = false;
  // One key per tap: a retry after a lost answer gets the same ticket.
  const key = newKey();
  const headers = { ...authHeaders(), "Content-Type": "application/json", "Idempotency-Key": key, "Accept-Language": lang };
  if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
  const body = JSON.stringify({ service_id: serviceId, priority });
  let r = null;
  try {
    // A lost answer, or 503 while the server restarts (API.md: a store
    // failure makes it restart; the same key then tells the outcome), is
    // retried with the same key for about half a minute, saying so.
    for (let attempt = 0; ; attempt++) {
      try {
        r = await fetch("/api/v1/tickets", { method: "POST", headers, body, credentials: "same-origin" });
        if (r.status !== 502 && r.status !== 503 && r.status !== 504) break;
      } catch {
        r = null;
      }
      if (attempt >= issueRetryDelays.length) break;
      hook.retries++;
      setBusyText(t("busy.reconnecting"));
      await sleep(issueRetryDelays[attempt]);
    }
    await handleIssue(r, serviceId);
  } finally {
    state.busy = false;
    $("busy").hidden = true;
    setBusyText(t("busy"));
  }
}

// issueRetryDelays are the waits before each retry of a ticket request:
// about 30 s in all, longer than a restart.
const issueRetryDelays = [500, 1000, 2000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000, 3000];

function setBusyText(s) {
  const el = $("busy").querySelector("[data-i18n]");
  if (el) el.textContent = s;
}

async function handleIssue(r, serviceId) {
  if (!r) {
    hook.failures.push({ status: 0, code: "network" });
    return showNotice(t("error.network"));
  }
  if (r.status === 201) {
    const answer = await r.json();
    hook.issued.push(answer);
    return showTicket(answer, serviceId);
  }
  let err = {};
  try {
    err = (await r.json()).error || {};
  } catch {
    // Not JSON: a proxy's page.
  }
  hook.failures.push({ status: r.status, code: err.code || "" });
  switch (err.code) {
    case "quota_exhausted":
      await refreshState();
      return showNotice(t("closed.quota_exhausted"));
    case "service_closed": {
      await refreshState();
      const info = svcInfo(serviceId);
      return showNotice(info.open ? err.message || t("error.generic") : closedText(info));
    }
    case "rate_limited":
      return showNotice(t("error.rate_limited", { n: r.headers.get("Retry-After") || "…" }));
    case "unauthenticated":
      return whoAmI();
  }
  return showNotice(err.message || t("error.generic"));
}

function showNotice(text) {
  state.notice = text;
  if (state.screen !== "agency") {
    go("agency");
  } else {
    renderAgency();
  }
  $("announce").textContent = text;
}

// ---- the ticket

function qrPath(answer) {
  const k = new URL(answer.status_url, location.href).searchParams.get("k") || "";
  return `/api/v1/tickets/${encodeURIComponent(answer.ticket.id)}/qr.png?k=${encodeURIComponent(k)}`;
}

function printPath(answer) {
  const u = new URL(answer.status_url, location.href);
  return `${u.pathname}/print${u.search}&lang=${lang}`;
}

function printMode() {
  if (state.who && state.who.printer) return "network";
  const pref = localStorage.getItem(PRINT_KEY);
  if (pref === "browser" || pref === "none") return pref;
  return state.who && state.who.kind === "kiosk" ? "browser" : "manual";
}

function showTicket(answer, serviceId) {
  const s = serviceOf(serviceId) || serviceOf(answer.ticket.service_id);
  state.ticket = { answer, service: s, agency: agencyOf(answer.ticket.agency_id), print: "none", manual: false };
  switch (printMode()) {
    case "network":
      // The server printed before it answered: printed, or the fallback.
      state.ticket.print = answer.printed ? "printed" : "failed";
      break;
    case "browser":
      state.ticket.print = "printing";
      browserPrint(answer);
      break;
    case "manual":
      state.ticket.manual = true;
      break;
  }
  state.deadline = Date.now() + hook.limits.ticketMs;
  $("t-qr").src = qrPath(answer);
  go("ticket");
  const tk = answer.ticket;
  $("announce").textContent = `${t("ticket.label")}: ${tk.number}. ${aheadText(answer.position - 1)}`;
}

function aheadText(n) {
  if (n <= 0) return t("ticket.ahead.none");
  if (n === 1) return t("ticket.ahead.one");
  return t("ticket.ahead", { n });
}

function renderTicket() {
  const tk = state.ticket;
  if (!tk) return goStart();
  const a = tk.answer;
  const s = tk.service;
  $("t-number").textContent = a.ticket.number;
  $("t-priority").hidden = !a.ticket.priority;
  $("t-booking").hidden = a.ticket.channel !== "booking";
  $("t-what").textContent = [s ? serviceName(s) : "", agencyShort(tk.agency)].filter(Boolean).join(" · ");
  $("t-ahead").textContent = aheadText(a.position - 1);
  if (a.eta_min == null) {
    $("t-eta").textContent = t("ticket.eta.none");
  } else if (a.eta_min <= 0) {
    $("t-eta").textContent = t("service.eta.now");
  } else {
    const at = new Date((Date.parse(a.ticket.issued_at) || Date.now()) + a.eta_min * 60000);
    $("t-eta").textContent = t("ticket.eta", { time: `${formatTime(at, tz, t)} ${zoneAbbr(tz, at)}`.trim() });
  }
  const reqs = requirementsOf(s);
  $("t-bring").textContent = reqs.length ? t("ticket.bring", { list: reqs.join(", ") }) : "";
  $("t-bring").hidden = !reqs.length;
  $("t-qr").alt = t("ticket.qr");
  const p = $("t-print");
  p.className = "print-status is-" + tk.print;
  p.textContent = { printing: t("print.printing"), printed: t("print.printed"), failed: t("print.failed"), none: t("print.none") }[tk.print];
  $("screen-ticket").classList.toggle("print-failed", tk.print === "failed");
  $("t-print-button").hidden = !tk.manual;
  renderCountdown();
}

function renderCountdown() {
  const left = Math.max(0, Math.ceil((state.deadline - Date.now()) / 1000));
  $("t-countdown").textContent = t("ticket.countdown", { n: left });
}

// browserPrint prints the ticket's print page from a hidden frame: with
// Chromium's --kiosk-printing it goes to the default printer without a
// dialog (README, "Kiosk"). "Tiket sedang dicetak…" turns into "Tiket
// tercetak" at the frame's afterprint, or into the fallback ("Printer
// bermasalah — foto kode QR ini") when printing throws or no afterprint
// comes within limits.printMs: the visitor is never left waiting on a
// message that never changes.
function browserPrint(answer) {
  clearPrintFrame();
  const f = el("iframe", { class: "print-frame", id: "print-frame", title: t("print.title"), "aria-hidden": "true", tabindex: "-1" });
  const settle = (outcome) => {
    clearTimeout(timer);
    if (state.ticket && state.ticket.answer === answer && state.ticket.print === "printing") {
      state.ticket.print = outcome;
      if (state.screen === "ticket") renderTicket();
    }
  };
  let timer = 0;
  f.addEventListener("load", () => {
    try {
      f.contentWindow.addEventListener("afterprint", () => settle("printed"), { once: true });
      timer = setTimeout(() => settle("failed"), hook.limits.printMs);
      f.contentWindow.focus();
      hook.printFrame(f.contentWindow);
      hook.prints.push(answer.ticket.number);
    } catch (err) {
      console.warn("kiosk: printing", err);
      settle("failed");
    }
  }, { once: true });
  f.src = printPath(answer);
  document.body.append(f);
}

function clearPrintFrame() {
  const f = $("print-frame");
  if (f) f.remove();
}

// ---- check-in of an online booking

const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LEN = 8;

// parseCode reads a booking code as the server does (queue.ParseBookingCode):
// any case, spaces or dashes between symbols, or a URL ending in the code
// (".../booking/K7P2XM9Q", "?code=K7P2XM9Q"). "" when there is none.
function parseCode(text) {
  let s = (text || "").trim();
  if (s.includes("/") || s.includes("=")) {
    s = s.split("#")[0];
    const i = s.lastIndexOf("code=");
    if (i >= 0) {
      s = s.slice(i + 5).split("&")[0];
    } else {
      s = s.split("?")[0].replace(/\/+$/, "");
      s = s.slice(s.lastIndexOf("/") + 1);
    }
  }
  s = s.replace(/[\s-]/g, "").toUpperCase();
  if (s.length !== CODE_LEN) return "";
  for (const c of s) if (!CODE_ALPHABET.includes(c)) return "";
  return s;
}

function openCheckin() {
  state.code = "";
  state.checkinMsg = null;
  go("checkin");
}

function buildKeypad() {
  const pad = $("keypad");
  for (const c of CODE_ALPHABET) {
    const b = el("button", { type: "button", class: "key num", "data-key": c, text: c });
    b.addEventListener("click", () => typeCode(c));
    pad.append(b);
  }
  const del = el("button", { type: "button", class: "key key-del", "data-key": "del", id: "key-del" },
    el("span", { "aria-hidden": "true", text: "\u232B" }), el("span", { class: "key-word", text: t("checkin.backspace") }));
  del.addEventListener("click", () => typeCode("del"));
  pad.append(del);
}

// typeCode adds a symbol to the code (or takes the last one off).
function typeCode(c) {
  if (state.busy) return;
  if (c === "del") state.code = state.code.slice(0, -1);
  else if (state.code.length < CODE_LEN) state.code += c;
  state.checkinMsg = null;
  renderCheckin();
}

function renderCheckin() {
  const boxes = $("code-boxes");
  boxes.replaceChildren();
  for (let i = 0; i < CODE_LEN; i++) {
    if (i === CODE_LEN / 2) boxes.append(el("span", { class: "code-dash", "aria-hidden": "true", text: "\u2013" }));
    const filled = i < state.code.length;
    boxes.append(el("span", { class: "code-box" + (filled ? " is-filled" : "") + (i === state.code.length ? " is-next" : ""), text: filled ? state.code[i] : "" }));
  }
  boxes.setAttribute("aria-label", `${t("checkin.code")}: ${state.code.split("").join(" ")}`);
  $("key-del").querySelector(".key-word").textContent = t("checkin.backspace");
  $("checkin-go").disabled = state.code.length !== CODE_LEN || state.busy;
  $("checkin-clear").disabled = !state.code || state.busy;
  const msg = $("checkin-msg");
  msg.hidden = !state.checkinMsg;
  if (state.checkinMsg) {
    $("checkin-msg-title").textContent = state.checkinMsg.title;
    $("checkin-msg-text").textContent = state.checkinMsg.text;
    msg.hidden = false;
  }
  for (const k of document.querySelectorAll("#keypad .key")) k.disabled = state.busy || (k.dataset.key !== "del" && state.code.length >= CODE_LEN);
}

// A USB barcode scanner is a keyboard: it types the QR's text fast and
// ends with Enter. Keys typed on the check-in screen (a scanner, or a
// keyboard) and fast runs of keys on the start screen (a scanner) are
// read as a code.
const scan = { buf: "", last: 0 };

function onKey(e) {
  if (e.ctrlKey || e.altKey || e.metaKey) return;
  const onCheckin = state.screen === "checkin";
  if (!onCheckin && state.screen !== "start") return;
  const now = Date.now();
  if (!onCheckin && now - scan.last > 300) scan.buf = ""; // people do not type on the start screen
  scan.last = now;
  if (e.key === "Enter") {
    const code = parseCode(scan.buf) || (onCheckin ? parseCode(state.code) : "");
    const typed = scan.buf;
    scan.buf = "";
    if (code) {
      e.preventDefault();
      if (!onCheckin) go("checkin");
      state.code = code;
      renderCheckin();
      checkIn();
    } else if (onCheckin && typed) {
      state.checkinMsg = { title: t("checkin.err.not_found"), text: t("checkin.invalid") };
      renderCheckin();
    }
    return;
  }
  if (!onCheckin) {
    if (e.key.length === 1) scan.buf += e.key;
    return;
  }
  if (e.key === "Backspace") {
    e.preventDefault();
    scan.buf = scan.buf.slice(0, -1);
    typeCode("del");
    return;
  }
  if (e.key.length !== 1) return;
  e.preventDefault();
  scan.buf += e.key;
  // A person typing a code on a keyboard sees it in the boxes; a URL
  // being scanned does not fit them and is read at its Enter.
  const plain = scan.buf.replace(/[\s-]/g, "").toUpperCase();
  if (plain.length <= CODE_LEN && [...plain].every((c) => CODE_ALPHABET.includes(c))) {
    state.code = plain;
    state.checkinMsg = null;
    renderCheckin();
  }
}

async function checkIn() {
  const code = parseCode(state.code);
  if (!code || state.busy) return;
  state.busy = true;
  $("busy").hidden = false;
  setBusyText(t("checkin.busy"));
  renderCheckin();
  const headers = { ...authHeaders(), "Idempotency-Key": newKey(), "Accept-Language": lang };
  if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
  let r = null;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        r = await fetch(`/api/v1/bookings/${code}/check-in`, { method: "POST", headers, credentials: "same-origin" });
        if (r.status !== 502 && r.status !== 503 && r.status !== 504) break;
      } catch {
        r = null;
      }
      if (attempt >= issueRetryDelays.length) break;
      hook.retries++;
      setBusyText(t("busy.reconnecting"));
      await sleep(issueRetryDelays[attempt]);
    }
  } finally {
    state.busy = false;
    $("busy").hidden = true;
    setBusyText(t("busy"));
  }
  if (r && r.status === 201) {
    const answer = await r.json();
    hook.checkins.push(answer);
    state.code = "";
    return showTicket(answer, answer.ticket.service_id);
  }
  let err = {};
  try {
    err = (r && (await r.json()).error) || {};
  } catch {
    // Not JSON: a proxy's page.
  }
  hook.failures.push({ status: r ? r.status : 0, code: err.code || (r ? "" : "network") });
  if (!r) {
    state.checkinMsg = { title: t("checkin.err.generic"), text: t("error.network") };
  } else if (err.code === "unauthenticated") {
    return whoAmI();
  } else {
    const key = "checkin.err." + (err.code || "generic");
    const title = t(key) === key ? t("checkin.err.generic") : t(key);
    let text = err.message || t("error.generic");
    if (err.code === "not_found" || err.code === "booking_cancelled" || err.code === "forbidden") text = t(key + ".text");
    if (err.code === "rate_limited") text = t("checkin.err.rate_limited.text", { n: r.headers.get("Retry-After") || "…" });
    state.checkinMsg = { title, text };
    // Only a mistyped code is worth editing; the others start afresh.
    if (err.code !== "not_found") state.code = "";
  }
  if (state.screen !== "checkin") go("checkin");
  renderCheckin();
  $("announce").textContent = `${state.checkinMsg.title}. ${state.checkinMsg.text}`;
}

// ---- clock, idle and countdown

function tick() {
  const c = formatClock(new Date(), tz, t);
  $("date").textContent = c.date;
  $("time").textContent = c.time;
}

function everySecond() {
  tick();
  if (state.screen === "ticket") {
    if (Date.now() >= state.deadline) goStart();
    else renderCountdown();
  } else if ((state.screen === "agency" || state.screen === "priority" || state.screen === "checkin") && !state.busy && Date.now() - state.lastInput >= hook.limits.idleMs) {
    goStart();
  }
}

function noteInput() {
  state.lastInput = Date.now();
  if (state.screen === "ticket" && state.deadline) {
    // A visitor still looking (photographing the QR) gets the full time again.
    state.deadline = Math.max(state.deadline, Date.now() + hook.limits.ticketMs);
  }
}

// ---- wiring

function wire() {
  $("lang-id").addEventListener("click", () => setLang("id"));
  $("lang-en").addEventListener("click", () => setLang("en"));
  $("unpaired-retry").addEventListener("click", () => { go("loading"); whoAmI(); });
  // The unpaired kiosk's sign-in: a greeter signs in here and the kiosk
  // issues as the greeter (the cookie session, as after any staff sign-in).
  bindLogin($("greeter-login"), new Session({ lang }), (k, v) => t(k, v), async () => {
    $("greeter-password").value = "";
    go("loading");
    await whoAmI();
  });
  $("confirm-yes").addEventListener("click", () => issue(state.serviceId, true));
  $("booking").addEventListener("click", openCheckin);
  $("checkin-go").addEventListener("click", checkIn);
  $("checkin-clear").addEventListener("click", () => {
    state.code = "";
    state.checkinMsg = null;
    scan.buf = "";
    renderCheckin();
  });
  document.addEventListener("keydown", onKey);
  buildKeypad();
  $("t-print-button").addEventListener("click", () => {
    if (!state.ticket) return;
    state.ticket.print = "printing";
    browserPrint(state.ticket.answer);
    renderTicket();
  });
  document.addEventListener("click", (e) => {
    const b = e.target.closest("[data-action]");
    if (!b) return;
    if (b.dataset.action === "home") goStart();
    else if (b.dataset.action === "agency") go("agency");
  });
  for (const ev of ["pointerdown", "keydown", "touchstart"]) document.addEventListener(ev, noteInput, { passive: true });
  // A kiosk has no use for the context menu or text selection.
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  setInterval(everySecond, 1000);
}

for (const s of cfg.board?.services || []) state.board.set(s.id, s);
takeToken();
wire();
tick();
whoAmI();
