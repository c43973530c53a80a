// survey.js — the survey tablet at a counter, /survey (README, "Survey
// tablet"). Paired once with /survey?device=TOKEN: the token is kept in
// localStorage, taken out of the address bar and sent as a bearer token.
//
// Idle, it thanks and invites ("Terima kasih — Silakan menilai layanan
// kami"). It follows the public websocket feed (/static/live.js) and,
// when its counter finishes a ticket (ticket.done with that counter),
// shows the survey (/static/skm.js) for that ticket for the 5 minutes
// the server allows, posts the answers with its device token, thanks,
// and returns to idle. GET /api/v1/survey tells, at start and after
// every fresh snapshot (a reconnect that missed events), its counter and
// the ticket it may still rate, so a reload or a blip loses nothing.
//
// Test hook: window.__antrean = {ready, screen, ticket, counter}.

import { Live, bindStatus } from "/static/live.js";
import { loadI18n } from "/static/i18n.js";
import { SurveyForm, sendFeedback, newKey } from "/static/skm.js";

const TOKEN_KEY = "antrean.survey.device";
// After a response, the thanks stay this long before idle.
const THANKS_MS = 8000;

const $ = (id) => document.getElementById(id);
const catalogs = { id: loadI18n("i18n-id").t, en: loadI18n("i18n-en").t };
let lang = "id";
let t = catalogs.id;

const hook = (window.__antrean = { ready: false, screen: "loading", ticket: null, counter: null });

let info = null; // GET /api/v1/survey
let current = null; // {ticket_id, number, until}
let form = null;
let closeTimer = 0;
let tickTimer = 0;
let idleTimer = 0;
let sent = { body: "", key: "" };

// ---- screens and language

function go(name) {
  for (const s of document.querySelectorAll(".screen")) s.hidden = s.id !== "screen-" + name;
  hook.screen = name;
}

function applyLang() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-aria]")) el.setAttribute("aria-label", t(el.dataset.i18nAria));
  $("lang-id").setAttribute("aria-pressed", String(lang === "id"));
  $("lang-en").setAttribute("aria-pressed", String(lang === "en"));
  showCounter();
  if (current) {
    $("rate-heading").textContent = t("tablet.rate.heading", { number: current.number });
    tick();
  }
  if (form) {
    form.t = t;
    form.lang = lang;
    form.render(false);
  }
}

function setLang(l) {
  lang = l;
  t = catalogs[l];
  applyLang();
}

function showCounter() {
  const c = info && info.counter;
  const name = c ? (lang === "en" && c.name_en) || c.name : "";
  $("counter").textContent = name ? [name, (lang === "en" && c.agency_name_en) || c.agency_name].filter(Boolean).join(" · ") : "";
}

// ---- pairing

function token() {
  return localStorage.getItem(TOKEN_KEY) || "";
}

function takeToken() {
  const url = new URL(location.href);
  const tok = url.searchParams.get("device");
  if (tok === null) return;
  if (tok) localStorage.setItem(TOKEN_KEY, tok);
  url.searchParams.delete("device");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

function unpaired(problem) {
  $("conn").hidden = true;
  const p = $("unpaired-problem");
  p.textContent = problem;
  p.hidden = !problem;
  go("unpaired");
  hook.ready = true;
}

// load reads the tablet's view; it answers false when the tablet is not
// (or no longer) paired.
async function load() {
  const tok = token();
  if (!tok) {
    unpaired("");
    return false;
  }
  let r;
  try {
    r = await fetch("/api/v1/survey", { headers: { Authorization: "Bearer " + tok, "Accept-Language": lang }, credentials: "omit" });
  } catch {
    if (!info) unpaired(t("tablet.unpaired.network"));
    return !!info;
  }
  if (r.status === 401) {
    localStorage.removeItem(TOKEN_KEY);
    stopLive();
    unpaired(t("tablet.unpaired.unknown"));
    return false;
  }
  if (r.status === 403) {
    stopLive();
    unpaired(t("tablet.unpaired.forbidden"));
    return false;
  }
  if (!r.ok) {
    if (!info) unpaired(t("tablet.unpaired.network"));
    return !!info;
  }
  info = await r.json();
  hook.counter = info.counter;
  showCounter();
  if (info.pending && (!current || current.ticket_id !== info.pending.ticket_id)) {
    rate(info.pending.ticket_id, info.pending.number, info.pending.closes_in_s);
  } else if (!info.pending && current && !form?.result) {
    idle(); // rated elsewhere, or its window passed
  } else if (!current) {
    idle();
  }
  return true;
}

// ---- idle, rating, thanks

function idle() {
  clearTimeout(closeTimer);
  clearTimeout(idleTimer);
  clearInterval(tickTimer);
  current = null;
  hook.ticket = null;
  form = null;
  $("rate-form").replaceChildren();
  if (lang !== "id") setLang("id"); // the next visitor is greeted in Bahasa Indonesia
  go("idle");
}

function tick() {
  if (!current) return;
  const left = Math.max(0, Math.round((current.until - Date.now()) / 1000));
  const m = Math.floor(left / 60);
  const s = String(left % 60).padStart(2, "0");
  $("rate-closes").textContent = t("tablet.rate.closes", { time: `${m}:${s}` });
}

function rate(ticketID, number, closesInS) {
  clearTimeout(closeTimer);
  clearTimeout(idleTimer);
  clearInterval(tickTimer);
  current = { ticket_id: ticketID, number, until: Date.now() + closesInS * 1000 };
  hook.ticket = ticketID;
  sent = { body: "", key: "" };
  $("rate-heading").textContent = t("tablet.rate.heading", { number });
  $("rate-intro").hidden = false;
  form = new SurveyForm($("rate-form"), {
    elements: info.elements,
    t,
    lang,
    send: async (body) => {
      const json = JSON.stringify(body);
      if (json !== sent.body) sent = { body: json, key: newKey() };
      return sendFeedback(`/api/v1/tickets/${encodeURIComponent(ticketID)}/feedback`, body, {
        headers: { Authorization: "Bearer " + token() }, key: sent.key, lang,
      });
    },
    onFinish: () => {
      clearTimeout(closeTimer);
      clearInterval(tickTimer);
      $("rate-closes").textContent = "";
      $("rate-intro").hidden = true;
      idleTimer = setTimeout(idle, THANKS_MS);
    },
  });
  go("rate");
  tick();
  tickTimer = setInterval(tick, 1000);
  // The server refuses after the window; the screen leaves with it.
  closeTimer = setTimeout(idle, Math.max(0, closesInS) * 1000);
  $("announce").textContent = t("tablet.rate.heading", { number });
}

// ---- live

let live = null;

function stopLive() {
  if (live) live.stop();
  live = null;
}

function startLive() {
  const show = bindStatus($("conn"), $("offline"), t);
  let snapshots = 0;
  live = new Live({
    // A fresh snapshot after the first (load just ran) means events may
    // have been missed: ask again.
    onSnapshot: () => {
      if (snapshots++ > 0) load();
    },
    onEvent: (ev) => {
      const d = ev.data || {};
      if (ev.type === "ticket.done" && info && d.counter && d.counter.id === info.counter.id && d.ticket) {
        rate(d.ticket.id, d.ticket.number, info.window_s);
      } else if (ev.type === "config.changed" && (d.what === "device" || d.what === "site" || d.what === "counter")) {
        load();
      } else if (ev.type === "day.started" && current) {
        idle();
      }
    },
    onStatus: show,
  });
  live.start();
}

async function start() {
  $("lang-id").addEventListener("click", () => setLang("id"));
  $("lang-en").addEventListener("click", () => setLang("en"));
  $("unpaired-retry").addEventListener("click", () => location.reload());
  takeToken();
  if (!(await load())) return;
  $("conn").hidden = false;
  startLive();
  hook.ready = true;
}

start();
