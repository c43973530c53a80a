// console.js — the officer console (SCREENS.md, "Officer console").
//
// Sign in (cookie session + CSRF token, staff.js), pick one of the
// agency's counters (remembered in localStorage), then work it with one key
// per action. Everything shown comes from the staff API; the public
// websocket feed (live.js) says when to fetch again what an event touched.
//
// Safe actions: each press of an action gets a fresh Idempotency-Key, and
// every retry of that press (after a network error) reuses it, so the
// server applies it once. While a press is in flight further presses are
// ignored, and a second "next" right after one is refused as a double press.
//
// A 401 (the session expired, or ended by a password change) shows the
// sign-in form; the counter stays as it is on the server, and after the
// sign-in the console resumes on the same counter.
//
// Test hook: window.__antrean = {ready, state, send(action, body, key),
// act(action, body), press(name)}.

import { Live, bindStatus } from "/static/live.js";
import { loadI18n } from "/static/i18n.js";
import { Session, newKey, bindLogin, resumeSession, h, formatDuration } from "/static/staff.js";

const COUNTER_KEY = "antrean.counter.id";
// A "next" within this time after a call is taken as a double press.
const DOUBLE_PRESS_MS = 1200;
const UNDO_MS = 8000;
const KEYS = { F1: "next", F2: "recall", F3: "start", F4: "done", F6: "no-show", F7: "transfer", F9: "pause" };

const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($("counter-config").textContent);
const { t } = loadI18n();

const state = {
  view: "loading",
  user: null,
  agencies: [],
  services: [],
  counters: [],
  // breaks are the site's breaks (ISHOMA, the Friday prayer), the first
  // reasons the break dialog offers.
  breaks: [],
  counterId: localStorage.getItem(COUNTER_KEY) || "",
  counter: null,
  waiting: [],
  noShows: [],
  figures: { served: 0, avgSec: null },
  busy: false,
  // actions counts the starts and ends of actions, to tell a stale read.
  actions: 0,
  rereadCounter: false,
  lastCallAt: 0,
  tab: "waiting",
  undo: null,
  // board is the public board's figures per service (waiting,
  // open_counters), for the transfer list.
  board: new Map(),
  expired: false,
};

const session = new Session({
  lang: cfg.lang,
  onSignedOut: () => sessionEnded(),
  onRetry: () => showResult(t("error.retrying"), "info"),
});

const hook = (window.__antrean = {
  ready: false,
  state,
  session,
  send,
  act,
  press,
  refreshAll: () => refreshAll(),
  showResult: (text, kind) => showResult(text, kind),
  render: () => render(),
  refreshing: () => !!(refreshTimer || refreshing || pending.size),
  // openCounters answers, fresh from the server, how many counters serving
  // the service are open (the transfer list's figure).
  openCounters: async (id) => {
    await refreshBoard();
    const b = state.board.get(id);
    return b ? b.open_counters : null;
  },
});

const now = () => Date.now() + session.serverOffset;
// numberParts are a ticket's number with the priority star. The star is
// drawn for the eye and hidden from screen readers, which hear the word
// instead (an aria-label on a plain span or div is not read out).
const numberParts = (tk, star = {}) => tk.priority
  ? [h("span", { ...star, "aria-hidden": "true" }, "★"), tk.number, h("span", { class: "sr-only" }, ", " + t("priority"))]
  : [tk.number];
const minutesSince = (iso) => Math.max(0, Math.floor((now() - Date.parse(iso)) / 60000));

// ---- setup data

const serviceById = (id) => state.services.find((s) => s.id === id);
const agencyById = (id) => state.agencies.find((a) => a.id === id);
// In English the agencies' English names, falling back to the Indonesian
// ones (queue.Agency.Label).
const english = cfg.lang === "en";
const agencyShort = (a) => {
  if (!a) return "";
  if (english && a.short_name_en) return a.short_name_en;
  if (english && !a.short_name && a.name_en) return a.name_en;
  return a.short_name || a.name;
};
const agencyFull = (a) => (a ? (english && a.name_en) || a.name : "");
const agencyLabel = (id) => agencyShort(agencyById(id));
const requirementsOf = (svc) => {
  if (!svc) return [];
  const en = english && svc.requirements_en && svc.requirements_en.length ? svc.requirements_en : null;
  return en || svc.requirements || [];
};
const serviceName = (id) => {
  const s = serviceById(id);
  if (!s) return "";
  return cfg.lang === "en" && s.name_en ? s.name_en : s.name;
};
// In English a counter's English name, falling back to its name.
const counterName = (k) => (k ? (english && k.name_en) || k.name : "");
// A break's name in the console's language; a pause reason that is one
// of the site's breaks (the console sends a break's Indonesian name) is
// shown by that break's name too.
const breakName = (b) => (english && b.name_en) || b.name;
const reasonText = (reason) => {
  const b = state.breaks.find((x) => x.name === reason);
  return b ? breakName(b) : reason;
};

function mayWork(counter) {
  const u = state.user;
  if (!u) return false;
  if (u.role === "admin") return true;
  return (u.role === "officer" || u.role === "supervisor") && counter.agency_id === u.agency_id;
}

async function loadSetup() {
  const [a, s, c, site] = await Promise.all([
    session.get("/api/v1/agencies"),
    session.get("/api/v1/services"),
    session.get("/api/v1/counters"),
    session.get("/api/v1/site"),
  ]);
  state.agencies = a.agencies || [];
  state.services = s.services || [];
  state.counters = c.counters || [];
  // One reason per break name (a break may come back on other days with
  // other hours).
  state.breaks = (site.breaks || []).filter((b, i, all) => all.findIndex((x) => x.name === b.name) === i);
  renderBreakReasons();
}

// renderBreakReasons puts the site's breaks first among the break
// dialog's reasons, each sent as its Indonesian name and shown in the
// console's language. A site without breaks keeps the built-in ISHOMA and
// Friday prayer. The setup is read again often (every change to a
// counter): the reasons are redrawn only when the breaks changed, so an
// open dialog keeps its choice and its focus.
let breaksShown = "";
function renderBreakReasons() {
  const key = JSON.stringify(state.breaks.map((b) => [b.name, breakName(b)]));
  if (key === breaksShown) return;
  breaksShown = key;
  const box = $("pause-form").querySelector("fieldset");
  const was = box.querySelector("input[name=reason]:checked");
  const focused = box.contains(document.activeElement);
  for (const el of box.querySelectorAll("[data-site-break]")) el.remove();
  const builtin = state.breaks.length === 0;
  for (const el of box.querySelectorAll("[data-builtin-break]")) {
    el.hidden = !builtin;
    el.querySelector("input").disabled = !builtin;
  }
  const first = box.querySelector("label");
  for (const b of state.breaks) {
    box.insertBefore(h("label", { dataset: { siteBreak: "" } }, h("input", { type: "radio", name: "reason", value: b.name }), " ", breakName(b)), first);
  }
  // The choice stays when it is still there; else the first reason.
  const radios = [...box.querySelectorAll("input[name=reason]:not(:disabled)")];
  const pick = radios.find((r) => was && r.value === was.value) || radios[0];
  pick.checked = true;
  if (focused) pick.focus();
}

// ---- views

function show(view) {
  state.view = view;
  $("login-view").hidden = view !== "login";
  $("picker-view").hidden = view !== "picker";
  $("console-view").hidden = view !== "console";
  $("where").hidden = view !== "console";
  $("today").hidden = view !== "console";
  $("switch-counter").hidden = view !== "console";
  $("logout").hidden = view === "login" || view === "loading";
}

function showLogin(note) {
  closeDialogs();
  show("login");
  const n = $("login-note");
  n.textContent = note || "";
  n.hidden = !note;
  const user = $("login-username");
  if (state.user && !user.value) user.value = state.user.username;
  (user.value ? $("login-password") : user).focus();
}

function sessionEnded() {
  if (state.view === "login") return;
  state.expired = true;
  const k = state.counters.find((c) => c.id === state.counterId);
  showLogin(k ? t("login.expired", { counter: counterName(k) }) : t("login.expired.nocounter"));
}

async function afterLogin(user) {
  state.user = user;
  if (!["officer", "supervisor", "admin"].includes(user.role)) {
    await session.logout().catch(() => {});
    showLogin(t("login.not_officer"));
    return;
  }
  try {
    await loadSetup();
  } catch (err) {
    if (err.status !== 401) showLogin(t("error.load", { message: err.message }));
    return;
  }
  state.expired = false;
  const k = state.counters.find((c) => c.id === state.counterId);
  if (k && mayWork(k)) {
    await enterCounter(k.id);
  } else {
    showPicker();
  }
}

function showPicker() {
  closeDialogs();
  show("picker");
  const list = $("counter-list");
  list.replaceChildren();
  const mine = state.counters.filter(mayWork);
  if (mine.length === 0) {
    list.append(h("p", { class: "empty" }, t("picker.empty")));
    return;
  }
  const byAgency = new Map();
  for (const k of mine) {
    if (!byAgency.has(k.agency_id)) byAgency.set(k.agency_id, []);
    byAgency.get(k.agency_id).push(k);
  }
  for (const [agencyId, ks] of byAgency) {
    if (byAgency.size > 1 || state.user.role === "admin") list.append(h("h2", {}, agencyLabel(agencyId)));
    for (const k of ks) {
      const who = k.status === "closed" ? "" : k.officer_id === state.user.id ? t("picker.you") : t("other_officer");
      list.append(
        h("button", { type: "button", class: "counter-choice", dataset: { counter: k.id }, onclick: () => enterCounter(k.id) },
          h("span", { class: "what" },
            h("strong", {}, counterName(k)),
            h("span", { class: "svc" }, k.service_ids.map(serviceName).filter(Boolean).join(", "))),
          h("span", { class: "state" }, stateChip(k), who ? h("span", { class: "hint" }, " ", who) : null)),
      );
    }
  }
  const first = list.querySelector("button");
  if (first) first.focus();
}

function stateChip(k) {
  const label = k.status === "paused" && k.pause_reason ? t("state.paused.reason", { reason: reasonText(k.pause_reason) }) : t("state." + k.status);
  return h("span", { class: "chip " + k.status }, label);
}

async function enterCounter(id) {
  state.counterId = id;
  localStorage.setItem(COUNTER_KEY, id);
  state.counter = state.counters.find((c) => c.id === id) || null;
  state.waiting = [];
  state.noShows = [];
  state.figures = { served: 0, avgSec: null };
  clearResult();
  show("console");
  render();
  await refreshAll();
  focusPrimary(true);
}

// ---- fetching

async function refreshCounter() {
  if (!state.counterId) return;
  try {
    // An answer read while an action was under way may be older than the
    // action's own answer: then it is read again.
    const mark = state.actions;
    const k = await session.get(`/api/v1/counters/${encodeURIComponent(state.counterId)}`);
    if (mark !== state.actions || state.busy) {
      // Read again once no action is under way.
      if (state.busy) state.rereadCounter = true;
      else schedule("counter");
      return;
    }
    state.counter = k;
  } catch (err) {
    if (err.status === 404) {
      localStorage.removeItem(COUNTER_KEY);
      state.counterId = "";
      state.counter = null;
      showPicker();
      showResult(t("error.gone"), "err");
      return;
    }
    throw err;
  }
}

async function refreshLists() {
  const k = state.counter;
  if (!k) return;
  const ids = k.service_ids || [];
  const [waiting, noShows] = await Promise.all([
    Promise.all(ids.map((id) => session.getAll(`/api/v1/tickets?status=waiting&service_id=${encodeURIComponent(id)}`, "tickets"))),
    Promise.all(ids.map((id) => session.getAll(`/api/v1/tickets?status=no_show&service_id=${encodeURIComponent(id)}`, "tickets"))),
  ]);
  state.waiting = waiting.flat().sort((a, b) => Date.parse(a.queued_at) - Date.parse(b.queued_at) || a.number.localeCompare(b.number));
  state.noShows = noShows.flat().sort((a, b) => Date.parse(b.called_at || b.queued_at) - Date.parse(a.called_at || a.queued_at));
}

// refreshFigures counts today's tickets this counter finished and their
// average service time (from serving, or from the call when the officer
// never pressed Layani).
async function refreshFigures() {
  if (!state.counterId) return;
  const done = await session.getAll("/api/v1/tickets?status=done", "tickets");
  let n = 0;
  let total = 0;
  let timed = 0;
  for (const tk of done) {
    if (tk.counter_id !== state.counterId) continue;
    n++;
    const from = Date.parse(tk.serving_at || tk.called_at || "");
    const to = Date.parse(tk.done_at || "");
    if (from && to && to >= from) {
      total += (to - from) / 1000;
      timed++;
    }
  }
  state.figures = { served: n, avgSec: timed ? total / timed : null };
}

// Refreshes are coalesced: events arrive in bursts, and one fetch after
// the burst is enough. One refresh runs at a time; what is asked for
// meanwhile runs right after it.
const pending = new Set();
let refreshTimer = 0;
let refreshing = false;

function schedule(...what) {
  for (const w of what) pending.add(w);
  if (refreshTimer || refreshing) return;
  refreshTimer = setTimeout(runRefresh, 80);
}

async function runRefresh() {
  refreshTimer = 0;
  refreshing = true;
  try {
    while (pending.size) {
      const what = new Set(pending);
      pending.clear();
      if (state.view !== "console" && state.view !== "picker") continue;
      try {
        await refreshOnce(what);
      } catch (err) {
        if (err.status !== 401) console.error("console: refresh", err);
      }
    }
  } finally {
    refreshing = false;
    if (state.view === "console") render();
  }
}

async function refreshOnce(what) {
  const all = what.has("all");
  if (all || what.has("setup")) await loadSetup();
  if (state.view === "picker") {
    if (all || what.has("setup")) showPicker();
    return;
  }
  const jobs = [];
  if (all || what.has("counter")) jobs.push(refreshCounter());
  if (all || what.has("lists")) jobs.push(refreshLists());
  if (all || what.has("figures")) jobs.push(refreshFigures());
  if (what.has("board")) jobs.push(refreshBoard());
  await Promise.all(jobs);
}

// refreshAll fetches everything and resolves when the console shows it.
async function refreshAll() {
  schedule("all");
  while (refreshTimer || refreshing || pending.size) {
    await new Promise((r) => setTimeout(r, 20));
  }
}

// refreshBoard reads the public board's figures per service.
async function refreshBoard() {
  const b = await session.get("/api/v1/state");
  state.board = new Map((b.services || []).map((x) => [x.id, x]));
  if ($("transfer-dialog").open) renderTransfer(true);
}

// ---- live feed

function onEvent(ev) {
  const d = ev.data || {};
  const k = state.counter;
  // An open transfer list follows the queues and counters it shows.
  if ($("transfer-dialog").open && (ev.type.startsWith("ticket.") || ev.type.startsWith("counter."))) schedule("board");
  if (ev.type.startsWith("ticket.")) {
    if (!k) return;
    const sids = new Set(k.service_ids || []);
    const atMe = d.counter && d.counter.id === state.counterId;
    if (sids.has(d.ticket && d.ticket.service_id) || sids.has(d.from_service && d.from_service.id) || atMe) schedule("lists");
    if (atMe) schedule("counter");
    if (atMe && ev.type === "ticket.done") schedule("figures");
  } else if (ev.type.startsWith("counter.")) {
    if (d.counter && d.counter.id === state.counterId) schedule("counter");
    if (state.view === "picker") schedule("setup");
  } else if (ev.type === "config.changed") {
    if (["counter", "service", "agency"].includes(d.what)) schedule("setup", "counter", "lists");
    if (d.what === "site") schedule("setup");
    if (d.what === "user" && state.user && d.id === state.user.id) {
      // A change to this user may have ended the session: ask.
      session.restore().then((u) => {
        if (!u) sessionEnded();
      }).catch(() => {});
    }
  } else if (ev.type === "day.started") {
    schedule("all");
  }
}

const live = new Live({
  onSnapshot: () => {
    if (state.view === "console" || state.view === "picker") schedule("all");
  },
  onEvent,
  onStatus: (s) => {
    bindStatus($("conn"), $("offline"), t)(s);
    hook.status = s;
  },
});
hook.live = live;

// ---- actions

// send posts one action with the key of its press; lost answers, and
// 503 while the server restarts, are retried with the same key for about
// half a minute (staff.js), the console saying "Sedang menyambung ulang".
function send(action, body, key) {
  return session.request("POST", `/api/v1/counters/${encodeURIComponent(state.counterId)}/${action}`, {
    body: body || undefined,
    idempotencyKey: key,
    retries: 12,
  });
}

function can(action) {
  const k = state.counter;
  if (!k || state.view !== "console") return false;
  const cur = k.current;
  const st = cur ? cur.status : "";
  switch (action) {
    case "open":
      return k.status !== "open" || k.officer_id !== state.user.id;
    case "next":
    case "call":
      return k.status === "open";
    case "recall":
    case "no-show":
    case "start":
      return k.status !== "closed" && st === "called";
    case "done":
    case "transfer":
      return k.status !== "closed" && (st === "called" || st === "serving");
    case "pause":
      return k.status !== "closed";
    case "close":
      return k.status !== "closed" && !cur;
  }
  return false;
}

// act runs one press of an action. It answers the API's answer, or null
// when the press was refused or failed (the console says why).
async function act(action, body, opts = {}) {
  if (state.busy) return null;
  if (action === "next" && !opts.confirmed && Date.now() - state.lastCallAt < DOUBLE_PRESS_MS) {
    showResult(t("error.too_fast"), "info");
    state.lastCallAt = 0;
    return null;
  }
  const before = state.counter;
  state.busy = true;
  state.actions++;
  renderBusy();
  const key = opts.key || newKey();
  try {
    const res = await send(action, body, key);
    if (res.status === 204) {
      state.counter = { ...before, current: null };
    } else {
      state.counter = res.data;
    }
    state.lastCallAt = action === "next" || action === "call" ? Date.now() : 0;
    report(action, before, state.counter, body);
    // Called back from the no-show list: back to what waits.
    if (action === "call" && state.tab === "noshow") selectTab("waiting", false);
    schedule("lists", "figures");
    return res;
  } catch (err) {
    if (err.status === 401) return null;
    showResult(errorText(err), "err");
    schedule("counter", "lists");
    return null;
  } finally {
    state.busy = false;
    state.actions++;
    if (state.rereadCounter) {
      state.rereadCounter = false;
      schedule("counter");
    }
    if (state.view === "console") render();
  }
}

function errorText(err) {
  if (err.code === "network") return t("error.network");
  if (err.code === "counter_closed") return t("error.counter_closed");
  return err.message || err.code;
}

// report says what an action did ("A012 dialihkan ke BPJS Kesehatan").
function report(action, before, after, body) {
  const name = counterName(after || before);
  const prev = before && before.current;
  const cur = after && after.current;
  let text = "";
  let undo = null;
  switch (action) {
    case "open":
      text = before && before.status === "paused" ? t("done.resumed", { counter: name }) : t("done.opened", { counter: name });
      break;
    case "pause":
      text = after.pause_reason ? t("done.paused", { counter: name, reason: reasonText(after.pause_reason) }) : t("done.paused.plain", { counter: name });
      undo = { label: t("act.resume"), run: () => act("open") };
      break;
    case "close":
      text = t("done.closed", { counter: name });
      break;
    case "next":
      if (cur) text = prev ? t("done.finished_called", { prev: prev.number, number: cur.number }) : t("done.called", { number: cur.number });
      else text = prev ? t("done.finished_none", { prev: prev.number }) : t("done.none");
      break;
    case "call": {
      const wasNoShow = state.noShows.some((x) => x.id === (body && body.ticket_id));
      text = cur ? t(wasNoShow ? "done.calledback" : "done.called", { number: cur.number }) : "";
      if (prev) text = `${t("done.done", { number: prev.number })} · ${text}`;
      break;
    }
    case "recall":
      text = t("done.recalled", { number: cur.number, n: cur.calls });
      break;
    case "start":
      text = t("done.started", { number: cur.number });
      break;
    case "done":
      text = t("done.done", { number: prev.number });
      break;
    case "no-show":
      text = t("done.noshow", { number: prev.number });
      undo = { label: t("undo.noshow", { number: prev.number }), run: () => act("call", { ticket_id: prev.id }, { confirmed: true }), ticket: prev.id };
      break;
    case "transfer": {
      const svc = serviceById(body.service_id);
      const sameAgency = svc && before && svc.agency_id === before.agency_id;
      const agency = svc ? agencyById(svc.agency_id) : null;
      text = sameAgency
        ? t("done.transferred.same", { number: prev.number, service: serviceName(body.service_id) })
        : t("done.transferred", { number: prev.number, agency: agencyShort(agency), service: serviceName(body.service_id) });
      break;
    }
  }
  showResult(text, "ok", undo);
  $("announce").textContent = text;
}

let resultTimer = 0;
function showResult(text, kind, undo) {
  const el = $("result");
  el.className = "result " + (kind || "") + (text ? "" : " is-empty");
  $("result-text").textContent = text;
  const u = $("undo");
  clearTimeout(resultTimer);
  state.undo = undo ? { ...undo, state: counterMark() } : null;
  u.hidden = !undo;
  if (undo) {
    u.textContent = undo.label;
    resultTimer = setTimeout(() => {
      u.hidden = true;
      state.undo = null;
    }, UNDO_MS);
  }
  hook.result = text;
}

function clearResult() {
  $("result").className = "result is-empty";
  $("result-text").textContent = "";
  $("undo").hidden = true;
  state.undo = null;
}

// counterMark sums up what undo depends on: the counter's state and ticket.
function counterMark() {
  const k = state.counter;
  return k ? `${k.status}|${k.current ? k.current.id + k.current.status : ""}` : "";
}

function runUndo() {
  const u = state.undo;
  if (!u) return;
  // Only while nothing else happened at the counter since.
  if (counterMark() !== u.state) {
    $("undo").hidden = true;
    state.undo = null;
    return;
  }
  state.undo = null;
  $("undo").hidden = true;
  u.run();
}

// press is a key or button press of the console.
function press(name) {
  if (state.view !== "console" || state.busy) return;
  if (name === "pause" && state.counter && state.counter.status === "paused") name = "open";
  if (!can(name)) {
    const st = state.counter && state.counter.status;
    showResult(
      st === "closed" ? t("error.counter_closed") :
      st === "paused" && (name === "next" || name === "call") ? t("error.paused_next") :
      t("error.not_now"), "info");
    return;
  }
  if (name === "transfer") return openTransfer();
  if (name === "pause") return openPause();
  if (name === "close") return act("close");
  if (name !== "next") state.lastCallAt = 0;
  return act(name);
}

// ---- rendering

function render() {
  const k = state.counter;
  if (!k || state.view !== "console") return;
  $("counter-name").textContent = counterName(k);
  $("agency-name").textContent = agencyLabel(k.agency_id);
  const mine = k.officer_id && k.officer_id === state.user.id;
  $("officer-name").textContent = k.status === "closed" || mine ? state.user.username : t("other_officer");
  const chip = $("counter-state");
  chip.className = "chip " + k.status;
  chip.textContent = k.status === "paused" && k.pause_reason ? t("state.paused.reason", { reason: reasonText(k.pause_reason) }) : t("state." + k.status);
  const f = state.figures;
  $("today-served").textContent = t("today", { n: f.served });
  $("today-avg").textContent = f.avgSec !== null ? t("today.avg", { m: Math.max(1, Math.round(f.avgSec / 60)) }) : "";
  $("agency-name").title = agencyFull(agencyById(k.agency_id));

  const cur = k.current;
  const label = $("current-label");
  const number = $("cur-number");
  const tstate = $("ticket-state");
  if (cur) {
    label.textContent = cur.status === "serving" ? t("current.serving") : t("current.called");
    number.replaceChildren(...numberParts(cur));
    number.classList.toggle("prio", !!cur.priority);
    number.classList.remove("none");
    tstate.hidden = false;
    tstate.className = "chip " + cur.status;
    tstate.textContent = t("status." + cur.status);
    $("cur-service").textContent = serviceName(cur.service_id);
    const meta = [];
    if (cur.called_at) meta.push(t("current.waited", { m: Math.max(0, Math.round((Date.parse(cur.called_at) - Date.parse(cur.queued_at)) / 60000)) }));
    if (cur.calls > 1) meta.push(t("current.calls", { n: cur.calls }));
    $("cur-meta").textContent = meta.join(" · ");
    const reqs = requirementsOf(serviceById(cur.service_id));
    $("cur-reqs").hidden = reqs.length === 0;
    $("cur-reqs-list").replaceChildren(...reqs.map((r) => h("li", {}, r)));
  } else {
    $("cur-reqs").hidden = true;
    label.textContent = t("current.none");
    // The heading above already says there is none: the dash is decoration.
    number.replaceChildren(h("span", { "aria-hidden": "true" }, "—"));
    number.classList.remove("prio");
    number.classList.add("none");
    tstate.hidden = true;
    $("cur-service").textContent = "";
    $("cur-meta").textContent = "";
  }
  $("cur-note").textContent =
    k.status === "closed" ? t("current.closed") :
    k.status === "paused" ? t("current.paused") :
    !cur ? t("current.idle") : "";
  $("open-button").hidden = k.status !== "closed";
  tickTimer();

  $("pause-label").textContent = k.status === "paused" ? t("act.resume") : t("act.pause");
  // F1 says what it will do: with a ticket at the counter it finishes it
  // as done before calling the next (ARCHITECTURE.md).
  $("next-label").textContent = cur ? t("act.next.finish") : t("act.next");
  $("next-desc").textContent = cur ? t("act.next.finish.desc", { number: cur.number }) : t("act.next.desc");
  for (const b of document.querySelectorAll("#actions .act")) {
    let a = b.dataset.act;
    if (a === "pause" && k.status === "paused") a = "open";
    b.disabled = !can(a);
  }
  renderBusy();
  renderLists();
  focusPrimary(false);
}

function renderBusy() {
  $("actions").setAttribute("aria-busy", state.busy ? "true" : "false");
}

// focusPrimary keeps the keyboard somewhere useful: when focus was lost
// (its button became disabled) it goes to the first action that can run.
function focusPrimary(force) {
  if (state.view !== "console") return;
  const a = document.activeElement;
  const lost = !a || a === document.body || a.disabled || a.closest("[hidden]");
  if (!force && !lost) return;
  if (document.querySelector("dialog[open]")) return;
  const target = !$("open-button").hidden ? $("open-button") : [...document.querySelectorAll("#actions .act")].find((b) => !b.disabled);
  if (target) target.focus();
}

function tickTimer() {
  const k = state.counter;
  const el = $("cur-timer");
  const cur = k && k.current;
  if (!cur || !cur.called_at) {
    el.hidden = true;
    return;
  }
  const from = Date.parse(cur.status === "serving" && cur.serving_at ? cur.serving_at : cur.called_at);
  el.hidden = false;
  el.textContent = formatDuration((now() - from) / 1000);
  el.setAttribute("aria-label", cur.status === "serving" ? t("current.timer.serving") : t("current.timer"));
}

function renderLists() {
  // The lists are redrawn as events arrive: an officer moving through
  // them with the keyboard keeps the focus on the same ticket (or on its
  // neighbour when it left the list).
  const active = document.activeElement;
  const row = active && active.closest ? active.closest("#waiting-body tr, #noshow-body tr") : null;
  const keep = row ? { body: row.parentElement.id, id: row.dataset.ticket, index: [...row.parentElement.children].indexOf(row) } : null;
  drawLists();
  if (keep) {
    const body = $(keep.body);
    const same = body.querySelector(`tr[data-ticket="${CSS.escape(keep.id)}"] button`);
    const rows = body.querySelectorAll("tr button");
    const next = same || rows[Math.min(keep.index, rows.length - 1)];
    if (next && !next.disabled) next.focus();
    else focusPrimary(false);
  }
}

function drawLists() {
  const k = state.counter;
  $("n-waiting").textContent = String(state.waiting.length);
  $("n-noshow").textContent = String(state.noShows.length);
  const canCall = can("call");
  const target = (k && k.service_ids) || [];
  const svcTarget = new Map(target.map((id) => [id, (serviceById(id) || {}).target_wait_min || 15]));

  const wb = $("waiting-body");
  wb.replaceChildren(
    ...state.waiting.map((tk) => {
      const m = minutesSince(tk.queued_at);
      return h("tr", { dataset: { ticket: tk.id } },
        h("td", { class: "n num" }, ...numberParts(tk, { class: "prio", title: t("priority") })),
        h("td", { class: "svc" }, serviceName(tk.service_id)),
        h("td", { class: "mins" + (m > (svcTarget.get(tk.service_id) || 15) ? " late" : "") }, t("minutes", { m })),
        h("td", {}, h("button", {
          type: "button", class: "small", disabled: !canCall, title: t("act.call.title", { number: tk.number }),
          "aria-label": t("act.call.title", { number: tk.number }),
          onclick: () => act("call", { ticket_id: tk.id }, { confirmed: true }),
        }, t("act.call"))),
      );
    }),
  );
  $("waiting-empty").hidden = state.waiting.length > 0;

  const nb = $("noshow-body");
  nb.replaceChildren(
    ...state.noShows.map((tk) =>
      h("tr", { dataset: { ticket: tk.id } },
        h("td", { class: "n num" }, ...numberParts(tk, { class: "prio" })),
        h("td", { class: "svc" }, serviceName(tk.service_id)),
        h("td", { class: "mins" }, tk.called_at ? t("minutes", { m: minutesSince(tk.called_at) }) : ""),
        h("td", {}, h("button", {
          type: "button", class: "small", disabled: !canCall,
          "aria-label": t("act.call.title", { number: tk.number }),
          onclick: () => act("call", { ticket_id: tk.id }, { confirmed: true }),
        }, t("act.callback"))),
      ),
    ),
  );
  $("noshow-empty").hidden = state.noShows.length > 0;
}

function selectTab(name, focus) {
  state.tab = name;
  for (const [tab, panel, n] of [["tab-waiting", "panel-waiting", "waiting"], ["tab-noshow", "panel-noshow", "noshow"]]) {
    const on = n === name;
    $(tab).setAttribute("aria-selected", on ? "true" : "false");
    $(tab).tabIndex = on ? 0 : -1;
    $(panel).hidden = !on;
    if (on && focus) $(tab).focus();
  }
}

// ---- dialogs

function closeDialogs() {
  for (const d of document.querySelectorAll("dialog[open]")) d.close();
}

function openPause() {
  const d = $("pause-dialog");
  const cur = state.counter && state.counter.current;
  $("pause-current").hidden = !cur;
  if (cur) $("pause-current").textContent = t("pause.current", { number: cur.number });
  d.showModal();
  const checked = d.querySelector("input[name=reason]:checked");
  (checked || d.querySelector("input[name=reason]")).focus();
}

function pauseReason() {
  const v = $("pause-form").elements.reason.value;
  return v === "other" ? $("pause-other").value.trim() : v;
}

// The transfer list: every active service of every agency, searchable,
// each with whether a counter serving it is open and how many wait there
// (the public board), so an officer does not send a visitor to a queue
// nobody calls. Choosing a service without an open counter asks first.
let transferOptions = [];
let transferActive = -1;

function openTransfer() {
  const cur = state.counter && state.counter.current;
  if (!cur) return;
  $("transfer-title").textContent = t("transfer.title", { number: cur.number });
  $("transfer-search").value = "";
  $("transfer-error").hidden = true;
  hideTransferConfirm();
  renderTransfer();
  $("transfer-dialog").showModal();
  $("transfer-search").focus();
  refreshBoard().catch(() => {});
}

const norm = (s) => (s || "").toLocaleLowerCase("id").normalize("NFD").replace(/[\u0300-\u036f]/g, "");

// transferFigures says, for a service, its open counters and who waits.
function transferFigures(id) {
  const b = state.board.get(id);
  if (!b) return null;
  const open = b.open_counters || 0;
  return {
    open,
    text: (open === 1 ? t("transfer.open.one") : open > 1 ? t("transfer.open", { n: open }) : t("transfer.none_open")) + " · " + t("transfer.waiting", { n: b.waiting || 0 }),
  };
}

// renderTransfer draws the list; keep redraws it with the same option
// active (new figures from the board).
function renderTransfer(keep) {
  const cur = state.counter && state.counter.current;
  const q = norm($("transfer-search").value).split(/\s+/).filter(Boolean);
  const list = $("transfer-list");
  const activeId = keep && transferOptions[transferActive] ? transferOptions[transferActive].id : "";
  list.replaceChildren();
  transferOptions = [];
  const own = state.counter.agency_id;
  const agencies = [...state.agencies].sort((a, b) => (a.id === own ? -1 : b.id === own ? 1 : agencyShort(a).localeCompare(agencyShort(b))));
  for (const a of agencies) {
    const svcs = state.services.filter((s) => s.agency_id === a.id && s.active);
    const hay = (s) => norm([s.code, s.name, s.name_en, a.name, a.short_name, a.name_en, a.short_name_en, a.code].join(" "));
    const matching = svcs.filter((s) => q.every((w) => hay(s).includes(w)));
    if (matching.length === 0) continue;
    const short = agencyShort(a), full = agencyFull(a);
    list.append(h("li", { class: "group", role: "presentation" }, short && short !== full ? `${short} — ${full}` : full));
    for (const s of matching) {
      const here = cur && s.id === cur.service_id;
      const i = transferOptions.length;
      const fig = transferFigures(s.id);
      const li = h("li", {
        role: "option", id: "svc-opt-" + s.id, "aria-selected": "false", "aria-disabled": here ? "true" : null,
        dataset: { service: s.id },
        onclick: () => {
          if (here) return;
          setActive(i);
          doTransfer();
        },
      },
      h("span", { class: "code" }, s.code),
      h("span", { class: "svc-name" }, serviceName(s.id)),
      here ? h("span", { class: "here" }, `(${t("transfer.here")})`) : null,
      fig ? h("span", { class: "figures" + (fig.open ? "" : " none-open") }, fig.text) : null);
      list.append(li);
      transferOptions.push({ el: li, id: s.id, here, agency: a });
    }
  }
  $("transfer-empty").hidden = transferOptions.length > 0;
  const again = activeId ? transferOptions.findIndex((o) => o.id === activeId) : -1;
  if (again >= 0) {
    setActive(again);
    return;
  }
  const first = transferOptions.findIndex((o) => !o.here);
  setActive(q.length ? first : -1);
}

function setActive(i) {
  transferActive = i;
  transferOptions.forEach((o, j) => o.el.setAttribute("aria-selected", j === i ? "true" : "false"));
  const input = $("transfer-search");
  if (i >= 0 && transferOptions[i]) {
    input.setAttribute("aria-activedescendant", transferOptions[i].el.id);
    transferOptions[i].el.scrollIntoView({ block: "nearest" });
  } else {
    input.removeAttribute("aria-activedescendant");
  }
}

function moveActive(step) {
  if (transferOptions.length === 0) return;
  hideTransferConfirm();
  let i = transferActive;
  for (let n = 0; n < transferOptions.length; n++) {
    i = (i + step + transferOptions.length) % transferOptions.length;
    if (i < 0) i = 0;
    if (!transferOptions[i].here) break;
  }
  setActive(i);
}

// dialogClosedAt is when a dialog last closed (performance.now()).
let dialogClosedAt = -Infinity;

function hideTransferConfirm() {
  $("transfer-confirm").hidden = true;
  $("transfer-submit").hidden = false;
}

// doTransfer sends the current ticket to the chosen service; where no
// counter serving it is open it asks first (confirmed: the officer said
// yes).
async function doTransfer(confirmed) {
  const o = transferOptions[transferActive];
  if (!o || o.here) {
    $("transfer-error").textContent = t("transfer.pick");
    $("transfer-error").hidden = false;
    return;
  }
  const fig = transferFigures(o.id);
  if (!confirmed && fig && fig.open === 0) {
    const cur = state.counter.current;
    $("transfer-confirm-text").textContent = t("transfer.confirm", {
      service: serviceName(o.id), agency: agencyShort(o.agency), number: cur ? cur.number : "",
    });
    $("transfer-confirm").hidden = false;
    $("transfer-submit").hidden = true;
    $("transfer-confirm-yes").focus();
    return;
  }
  $("transfer-dialog").close();
  await act("transfer", { service_id: o.id });
}

// ---- sign-out

function openLogout() {
  const k = state.counter;
  if (state.view !== "console" || !k || k.status === "closed") {
    doLogout(false);
    return;
  }
  $("logout-text").textContent = t("logout.open", { counter: counterName(k) });
  $("logout-busy").hidden = !k.current;
  $("logout-close").disabled = !!k.current;
  $("logout-dialog").showModal();
  (k.current ? $("logout-keep") : $("logout-close")).focus();
}

async function doLogout(closeFirst) {
  $("logout-dialog").close();
  if (closeFirst) {
    const res = await act("close");
    if (!res) return;
  }
  try {
    await session.logout();
  } catch (err) {
    showResult(errorText(err), "err");
    return;
  }
  state.user = null;
  $("login-username").value = "";
  showLogin();
}

// ---- wiring

function wire() {
  bindLogin($("login-form"), session, t, afterLogin);
  for (const b of document.querySelectorAll("#actions .act")) {
    b.addEventListener("click", (e) => {
      // A keyboard click (detail 0) just after a dialog closed is the
      // Enter that confirmed the dialog reaching the focused button, not
      // a press of its own: it must not call the next visitor.
      if (e.detail === 0 && performance.now() - dialogClosedAt < 400) return;
      press(b.dataset.act);
    });
  }
  for (const d of document.querySelectorAll("dialog")) {
    d.addEventListener("close", () => {
      dialogClosedAt = performance.now();
    });
  }
  $("open-button").addEventListener("click", () => act("open"));
  $("undo").addEventListener("click", runUndo);
  $("switch-counter").addEventListener("click", () => {
    clearResult();
    showPicker();
    // Show the counters as they are now (who opened which).
    schedule("setup");
  });
  $("logout").addEventListener("click", openLogout);
  $("logout-keep").addEventListener("click", () => doLogout(false));
  $("logout-close").addEventListener("click", () => doLogout(true));
  for (const b of document.querySelectorAll("dialog [data-close]")) {
    b.addEventListener("click", () => b.closest("dialog").close());
  }
  for (const d of document.querySelectorAll("dialog")) {
    d.addEventListener("close", () => focusPrimary(true));
  }

  $("tab-waiting").addEventListener("click", () => selectTab("waiting", false));
  $("tab-noshow").addEventListener("click", () => selectTab("noshow", false));
  document.querySelector(".tabs").addEventListener("keydown", (e) => {
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      selectTab(state.tab === "waiting" ? "noshow" : "waiting", true);
    }
  });

  const pf = $("pause-form");
  pf.addEventListener("change", () => {
    const other = pf.elements.reason.value === "other";
    $("pause-other-field").hidden = !other;
    if (other) $("pause-other").focus();
  });
  pf.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.tagName === "INPUT") {
      e.preventDefault();
      pf.requestSubmit();
    }
  });
  pf.addEventListener("submit", async (e) => {
    e.preventDefault();
    const reason = pauseReason();
    $("pause-dialog").close();
    await act("pause", reason ? { reason } : null);
  });

  const search = $("transfer-search");
  search.addEventListener("input", () => {
    hideTransferConfirm();
    renderTransfer();
  });
  search.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      moveActive(1);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      moveActive(-1);
    } else if (e.key === "Enter") {
      // Chosen on the key's release: the confirm step takes the focus,
      // and a press whose keydown chose must not also press its button.
      e.preventDefault();
    }
  });
  search.addEventListener("keyup", (e) => {
    if (e.key === "Enter") doTransfer();
  });
  $("transfer-form").addEventListener("submit", (e) => {
    e.preventDefault();
    doTransfer();
  });
  $("transfer-confirm-yes").addEventListener("click", () => doTransfer(true));
  $("transfer-confirm-no").addEventListener("click", () => {
    hideTransferConfirm();
    $("transfer-search").select();
    $("transfer-search").focus();
  });

  // One key per action. Function keys are taken from the browser (F1
  // help, F7 caret browsing) on this page; while a dialog is open the
  // dialog has the keyboard. A held key does not repeat an action.
  window.addEventListener("keydown", (e) => {
    const action = KEYS[e.key];
    if (!action || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    if (e.repeat || document.querySelector("dialog[open]")) return;
    press(action);
  }, true);
}

function startTicker() {
  let n = 0;
  setInterval(() => {
    if (state.view !== "console") return;
    tickTimer();
    // Waited minutes move slowly: redraw the lists twice a minute.
    if (++n % 30 === 0) renderLists();
  }, 1000);
}

async function boot() {
  wire();
  live.start();
  startTicker();
  await resumeSession(session, t, { afterLogin, showLogin });
  hook.ready = true;
}

boot();
