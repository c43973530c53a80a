// display.js — the lobby display (SCREENS.md, "Lobby display").
//
// The page follows the public feed (live.js). Counters' numbers change as
// events arrive; a call (ticket.called, ticket.recalled) joins the
// announcement queue, and when its turn comes it takes the big panel,
// flashes, goes to the aria-live region and is spoken. Announcements play
// one after another, never over each other.
//
// Test hook: window.__antrean.announcements lists every announcement when
// it starts, in order: {text, at, end, via: "speech"|"clips"|"muted",
// number, counter, recall}.

import { Live, bindStatus } from "/static/live.js";
import { loadI18n, formatClock, zoneAbbr } from "/static/i18n.js";
import { Voice, clipsFor } from "./voice.js";

const DEVICE_KEY = "antrean.display.device";
const SOUND_KEY = "antrean.display.sound";
// A call older than this (by the server's clock) when it reaches the
// screen — replayed after a long outage — is shown but not spoken.
const FRESH_MS = 60 * 1000;
const FLASH_MS = 3000;
const RECENT_SHOWN = 6;
const PAGE_MS = 8000;

const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($("display-config").textContent);
const { t } = loadI18n();

const hook = (window.__antrean = {
  announcements: [],
  ready: false,
  status: null,
  clipsFor: (text) => clipsFor(text, voice.index || {}),
  voiceMode: () => voice.mode(),
  snapshots: () => state.snapshots,
});

// ---- device token: kept in localStorage, never left in the address bar

function handleDevice() {
  const url = new URL(location.href);
  const token = url.searchParams.get("device");
  if (cfg.error === "device_unknown") {
    localStorage.removeItem(DEVICE_KEY);
  }
  if (token !== null) {
    if (cfg.device) localStorage.setItem(DEVICE_KEY, token);
    url.searchParams.delete("device");
    history.replaceState(history.state, "", url.pathname + url.search + url.hash);
    return false;
  }
  const kept = localStorage.getItem(DEVICE_KEY);
  if (kept && !url.searchParams.has("agency") && !cfg.error) {
    // A reload of a paired display: let the server resolve its zone again.
    url.searchParams.set("device", kept);
    location.replace(url.toString());
    return true;
  }
  return false;
}


// ---- state

const state = {
  site: cfg.site,
  agencies: cfg.agencies,
  zone: cfg.zone ? new Set(cfg.zone) : null,
  services: [],
  counters: [],
  boardSeq: 0,
  // recent holds the calls shown, newest first; recent[0] is in the panel.
  recent: [],
  lastShownAt: 0,
  serverOffset: 0,
  snapshots: 0,
};

const inZone = (agencyId) => !state.zone || state.zone.has(agencyId);
const serverNow = () => Date.now() + state.serverOffset;

// agencyLabel is what the screen calls an agency: in English its English
// short name or name, falling back to the Indonesian (queue.Agency.Label).
function agencyLabel(a) {
  if (!a) return "";
  if (cfg.lang === "en" && a.short_name_en) return a.short_name_en;
  if (cfg.lang === "en" && !a.short_name && a.name_en) return a.name_en;
  return a.short_name || a.name;
}

function agencyName(id) {
  return agencyLabel(state.agencies.find((x) => x.id === id));
}

// serviceOf finds a ticket number's service by its letter prefix (codes
// are unique in the site).
function serviceOf(number) {
  const m = /^[A-Za-z]+/.exec(number || "");
  if (!m) return null;
  return state.services.find((s) => s.code === m[0].toUpperCase()) || null;
}

function callFromRecent(rc) {
  const svc = serviceOf(rc.number);
  return {
    number: rc.number,
    counter: rc.counter_name,
    agencyId: svc ? svc.agency_id : "",
    agency: svc ? agencyName(svc.agency_id) : "",
    service: svc ? (cfg.lang === "en" && svc.name_en) || svc.name : "",
    text: "",
    at: Date.parse(rc.called_at) || 0,
  };
}

// ---- voice and the announcement queue

const voice = new Voice(cfg.voice);
const queue = [];
let playing = false;

function enqueue(call) {
  queue.push(call);
  if (!playing) pump();
}

async function pump() {
  playing = true;
  while (queue.length) {
    const call = queue.shift();
    const via = voice.mode();
    const rec = { text: call.text, at: Date.now(), end: 0, via, number: call.number, counter: call.counter, recall: !!call.recall };
    hook.announcements.push(rec);
    show(call, true);
    try {
      await voice.announce(call.text, via);
    } catch (err) {
      console.error("announce", err);
    }
    rec.end = Date.now();
  }
  playing = false;
}

function setupSound() {
  const prompt = $("unlock");
  const mark = $("sound-off");
  const refresh = () => {
    const on = voice.unlocked;
    const asked = localStorage.getItem(SOUND_KEY) === "on";
    prompt.hidden = on || asked;
    mark.hidden = on || !asked;
    document.documentElement.dataset.sound = on ? "on" : "off";
  };
  const unlock = async () => {
    localStorage.setItem(SOUND_KEY, "on");
    await voice.unlock();
    refresh();
    if (voice.unlocked) {
      document.removeEventListener("pointerdown", unlock);
      document.removeEventListener("keydown", unlock);
    }
  };
  if (!voice.unlocked) {
    document.addEventListener("pointerdown", unlock);
    document.addEventListener("keydown", unlock);
  }
  if (voice.ctx) voice.ctx.addEventListener("statechange", refresh);
  refresh();
}

// ---- rendering

function show(call, isNew) {
  state.recent = state.recent.filter((c) => !(c.number === call.number && c.counter === call.counter));
  state.recent.unshift(call);
  state.recent.length = Math.min(state.recent.length, 20);
  state.lastShownAt = Math.max(state.lastShownAt, call.at);
  renderNow();
  renderRecent();
  if (isNew) {
    flash();
    $("announce").textContent = call.text
      ? t("call.aria", { number: call.number, counter: call.counter })
      : "";
  }
}

let flashTimer = 0;
function flash() {
  const panel = $("now");
  panel.classList.remove("flash");
  void panel.offsetWidth; // restart the animation
  panel.classList.add("flash");
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => panel.classList.remove("flash"), FLASH_MS);
}

function renderNow() {
  const call = state.recent[0];
  const num = $("now-number");
  const where = $("now-where");
  if (!call) {
    num.textContent = "—";
    where.hidden = true;
    $("now-what").textContent = t("now.none");
    fitNumber();
    return;
  }
  num.textContent = call.number;
  $("now-counter").textContent = (call.counter || "").toUpperCase();
  where.hidden = !call.counter;
  $("now-what").textContent = [call.agency, call.service].filter(Boolean).join(" · ");
  fitNumber();
}

// fit shrinks an element's text (through its --fit factor) only when it
// would overflow its box, down to min.
function fit(el, min) {
  el.style.setProperty("--fit", "1");
  const avail = el.clientWidth;
  const need = el.scrollWidth;
  if (need > avail && avail > 0) {
    el.style.setProperty("--fit", String(Math.max(min, (avail / need) * 0.97)));
  }
}

// fitNumber shrinks the big number only when it would overflow its panel
// (a long number like DK1000 at 1366×768).
function fitNumber() {
  fit($("now-number"), 0.4);
}

function renderRecent() {
  const list = $("recent");
  const items = state.recent.slice(1, 1 + RECENT_SHOWN);
  list.replaceChildren(
    ...items.map((c) => {
      const li = document.createElement("li");
      const n = document.createElement("span");
      n.className = "r-number num";
      n.textContent = c.number;
      const arrow = document.createElement("span");
      arrow.className = "r-arrow";
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = "→";
      const ctr = document.createElement("span");
      ctr.className = "r-counter";
      ctr.textContent = c.counter || "";
      li.append(n, arrow, ctr);
      return li;
    }),
  );
  $("recent-empty").hidden = items.length > 0;
  // Keep only the entries that fit whole.
  const bottom = list.parentElement.getBoundingClientRect().bottom - 4;
  for (const li of [...list.children].reverse()) {
    if (li.getBoundingClientRect().bottom <= bottom) break;
    li.remove();
  }
}

const collator = new Intl.Collator("id", { numeric: true, sensitivity: "base" });

function agencyRows() {
  const rows = [];
  for (const a of state.agencies) {
    if (!inZone(a.id)) continue;
    const counters = state.counters
      .filter((c) => c.agency_id === a.id)
      .sort((x, y) => collator.compare(x.name, y.name));
    const services = state.services.filter((s) => s.agency_id === a.id);
    if (!counters.length && !services.length) continue;
    const waiting = services.reduce((n, s) => n + (s.waiting || 0), 0);
    let eta = null;
    for (const s of services) {
      if (s.waiting > 0 && typeof s.eta_min === "number") eta = Math.max(eta ?? 0, s.eta_min);
    }
    rows.push({ agency: a, counters, waiting, eta });
  }
  return rows;
}

function counterChip(c) {
  const chip = document.createElement("div");
  chip.className = "chip";
  chip.dataset.counter = c.id;
  const name = document.createElement("span");
  name.className = "chip-name";
  name.textContent = c.name;
  const val = document.createElement("span");
  val.className = "chip-number num";
  if (c.status === "closed") {
    chip.classList.add("is-closed");
    val.textContent = t("counter.closed");
  } else if (c.status === "paused") {
    chip.classList.add("is-paused");
    val.textContent = t("counter.paused");
  } else if (c.current && (c.current.status === "called" || c.current.status === "serving")) {
    val.textContent = c.current.number;
  } else {
    val.textContent = t("counter.idle");
  }
  chip.append(name, val);
  return chip;
}

function rowElement(r, part, parts, counters) {
  const row = document.createElement("div");
  row.className = "row";
  const info = document.createElement("div");
  info.className = "row-info";
  const name = document.createElement("div");
  name.className = "row-agency";
  name.textContent = (agencyLabel(r.agency) || r.agency.name) + (parts > 1 ? ` (${part}/${parts})` : "");
  const wait = document.createElement("div");
  wait.className = "row-wait num";
  const count = document.createElement("span");
  count.textContent = t("waiting", { n: r.waiting });
  wait.append(count);
  if (r.eta !== null) {
    const eta = document.createElement("span");
    eta.textContent = t("eta", { n: r.eta });
    wait.append(eta);
  }
  info.append(name, wait);
  const chips = document.createElement("div");
  chips.className = "row-counters";
  chips.append(...counters.map(counterChip));
  row.append(info, chips);
  return row;
}

let pages = [];
let pageIndex = 0;
let pageTimer = 0;

// renderRows lays the agencies out in rows — in two columns when there
// are several, filled top to bottom like a newspaper. An agency with more
// counters than one screen holds takes several rows. Rows that do not fit
// go to further pages, which turn every few seconds.
function renderRows() {
  const box = $("rows");
  const rows = agencyRows();
  const ncols = rows.length > 1 && innerWidth > innerHeight * 1.2 ? 2 : 1;
  box.classList.toggle("two-columns", ncols === 2);
  const cols = Array.from({ length: ncols }, () => {
    const c = document.createElement("div");
    c.className = "col";
    return c;
  });
  box.replaceChildren(...cols);
  pages = [];
  if (!rows.length) {
    showPage();
    return;
  }
  // Measure how many counter chips fit on a line of a row.
  const probe = rowElement(rows[0], 1, 1, rows[0].counters.slice(0, 1));
  cols[0].append(probe);
  const area = probe.querySelector(".row-counters");
  const chip = area.firstElementChild;
  const gap = parseFloat(getComputedStyle(area).columnGap) || 0;
  const perLine = chip ? Math.max(1, Math.floor((area.clientWidth + gap) / (chip.offsetWidth + gap))) : 8;
  // A row may take as many lines of counters as the area holds.
  const lineGap = parseFloat(getComputedStyle(area).rowGap) || 0;
  const extra = probe.offsetHeight - area.offsetHeight;
  const chipH = chip ? chip.offsetHeight : probe.offsetHeight;
  const maxLines = Math.max(1, Math.floor((box.clientHeight - extra + lineGap) / (chipH + lineGap)));
  probe.remove();
  const els = [];
  for (const r of rows) {
    const per = perLine * maxLines;
    const parts = Math.max(1, Math.ceil(r.counters.length / per));
    for (let p = 0; p < parts; p++) {
      els.push(rowElement(r, p + 1, parts, r.counters.slice(p * per, (p + 1) * per)));
    }
  }
  // Measure every row at the column's width, then fill the columns.
  cols[0].append(...els);
  for (const el of cols[0].querySelectorAll(".row-agency")) fit(el, 0.6);
  const heights = els.map((el) => el.offsetHeight);
  cols[0].replaceChildren();
  const avail = box.clientHeight;
  const rowGap = parseFloat(getComputedStyle(cols[0]).rowGap) || 0;
  let page = null;
  let col = 0;
  let used = 0;
  els.forEach((el, i) => {
    const h = heights[i] + (used > 0 ? rowGap : 0);
    if (!page || (used > 0 && used + h > avail + 1)) {
      if (page && col + 1 < ncols) {
        col++;
      } else {
        page = Array.from({ length: ncols }, () => []);
        pages.push(page);
        col = 0;
      }
      used = 0;
    }
    page[col].push(el);
    used += heights[i] + (used > 0 ? rowGap : 0);
  });
  if (pageIndex >= pages.length) pageIndex = 0;
  showPage();
}

function showPage() {
  const cols = [...$("rows").children];
  const page = pages[pageIndex] || [];
  cols.forEach((c, i) => c.replaceChildren(...(page[i] || [])));
  const pager = $("pager");
  pager.hidden = pages.length < 2;
  pager.textContent = `${pageIndex + 1}/${pages.length}`;
  // One steady timer turns the pages: re-rendering on every event must
  // not hold a page forever.
  if (!pageTimer) {
    pageTimer = setInterval(() => {
      if (pages.length > 1) {
        pageIndex = (pageIndex + 1) % pages.length;
        showPage();
      }
    }, PAGE_MS);
  }
}

function renderTicker() {
  // In English the English running text, else the Indonesian one.
  const running = ((cfg.lang === "en" && (state.site.running_text_en || "").trim()) || (state.site.running_text || "").trim());
  const text = running
    ? running
    : t("hours", {
        opens: (state.site.opens || "").replace(":", t("time.sep")),
        closes: (state.site.closes || "").replace(":", t("time.sep")),
        zone: zoneAbbr(state.site.timezone),
      });
  const el = $("ticker-text");
  if (el.textContent === text) return;
  el.textContent = text;
  const track = el.parentElement;
  // Scroll at about a tenth of the screen height per second.
  const distance = track.clientWidth + el.scrollWidth;
  const speed = Math.max(60, window.innerHeight * 0.1);
  el.style.setProperty("--ticker-from", `${track.clientWidth}px`);
  el.style.setProperty("--ticker-duration", `${Math.round(distance / speed)}s`);
}

function renderSite() {
  $("site-name").textContent = state.site.name;
  document.title = `${t("title")} — ${state.site.name}`;
  renderTicker();
  tick(); // the clock first: the name gets the room the date leaves
  fit($("site-name"), 0.6);
}

function renderAll() {
  renderNow();
  renderRecent();
  renderRows();
}

// ---- clock

function tick() {
  const c = formatClock(new Date(serverNow()), state.site.timezone, t);
  const newDate = $("date").textContent !== c.date;
  $("date").textContent = c.date;
  $("time").textContent = c.time;
  // A longer date ("Wednesday, 30 September") leaves the name less room.
  if (newDate) fit($("site-name"), 0.6);
}

function startClock() {
  tick();
  const next = () => setTimeout(() => {
    tick();
    next();
  }, 1000 - (Date.now() % 1000) + 20);
  next();
}

// ---- server data

async function getJSON(url) {
  const res = await fetch(url, { cache: "no-store" });
  const date = Date.parse(res.headers.get("Date") || "");
  if (date) state.serverOffset = date + 500 - Date.now();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

function applyBoard(board) {
  if (!board || (board.seq || 0) < state.boardSeq) return;
  state.boardSeq = board.seq || 0;
  state.services = board.services || [];
  state.counters = board.counters || [];
}

let refreshTimer = 0;
let refreshing = false;
let refreshAgain = false;
// scheduleRefresh fetches the board shortly after events: events carry
// tickets and counters, the board adds the waiting counts and estimates.
function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    refreshTimer = 0;
    if (refreshing) {
      refreshAgain = true;
      return;
    }
    refreshing = true;
    try {
      applyBoard(await getJSON("/api/v1/state"));
      renderRows();
    } catch (err) {
      console.warn("refresh", err);
    } finally {
      refreshing = false;
      if (refreshAgain) {
        refreshAgain = false;
        scheduleRefresh();
      }
    }
  }, 250);
}

async function refreshSite() {
  try {
    const site = await getJSON("/api/v1/site");
    state.site = { ...state.site, ...site };
    renderSite();
  } catch (err) {
    console.warn("site", err);
  }
}

async function refreshAgencies() {
  try {
    const out = await getJSON("/api/v1/agencies");
    if (Array.isArray(out.agencies)) state.agencies = out.agencies;
    renderAll();
  } catch (err) {
    console.warn("agencies", err);
  }
}

// ---- feed

function onSnapshot(board) {
  state.boardSeq = 0; // a snapshot wins, even one older than what we had (a restore)
  applyBoard(board);
  const calls = (board.recent_calls || []).map(callFromRecent).filter((c) => inZone(c.agencyId));
  if (state.snapshots++ === 0) {
    // First load: show where things stand, say nothing.
    state.recent = calls.sort((a, b) => b.at - a.at);
    state.lastShownAt = state.recent.length ? state.recent[0].at : 0;
  } else {
    // Back after a gap too long to replay (a restore, a long outage):
    // the snapshot has no announcements, so calls made meanwhile are
    // shown, the newest in the panel, without speech.
    const missed = calls.filter((c) => c.at > state.lastShownAt).sort((a, b) => a.at - b.at);
    for (const c of missed) show(c, c === missed[missed.length - 1]);
  }
  renderAll();
}

function onEvent(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case "ticket.called":
    case "ticket.recalled": {
      const ctr = d.counter && state.counters.find((c) => c.id === d.counter.id);
      if (ctr) ctr.current = { number: d.ticket.number, status: d.ticket.status };
      const agencyId = (d.agency && d.agency.id) || d.ticket.agency_id || "";
      if (inZone(agencyId)) {
        const call = {
          number: d.ticket.number,
          counter: d.counter ? d.counter.name : "",
          agencyId,
          agency: agencyName(agencyId) || (d.agency && d.agency.name) || "",
          service: (cfg.lang === "en" && d.ticket.service_name_en) || (d.service ? d.service.name : ""),
          text: (d.announcement && d.announcement.id) || "",
          at: Date.parse(ev.at) || serverNow(),
          recall: ev.type === "ticket.recalled",
          seq: ev.seq,
        };
        if (serverNow() - call.at < FRESH_MS) enqueue(call);
        else show(call, false);
      }
      renderRows();
      scheduleRefresh();
      break;
    }
    case "config.changed":
      if (d.what === "site") refreshSite();
      else if (d.what === "agency") refreshAgencies();
      else if (d.what === "device" && cfg.device) location.reload();
      scheduleRefresh();
      break;
    case "day.started":
      state.recent = [];
      queue.length = 0;
      renderAll();
      scheduleRefresh();
      break;
    default:
      if (ev.type.startsWith("ticket.") || ev.type.startsWith("counter.")) scheduleRefresh();
  }
}

async function main() {
  renderSite();
  startClock();
  renderNow();
  renderRecent();
  const status = bindStatus($("conn"), $("offline"), t);
  let wasConnected = false;
  const live = new Live({
    onSnapshot,
    onEvent,
    onStatus(s) {
      hook.status = s;
      status(s);
      if (s.connected && !wasConnected && state.snapshots > 0) {
        // Back after a break: the settings may have changed too.
        refreshSite();
        refreshAgencies();
        scheduleRefresh();
      }
      wasConnected = s.connected;
    },
  });
  hook.live = live;
  live.start();
  refreshSite();
  await voice.init();
  setupSound();
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      renderAll();
      $("ticker-text").textContent = "";
      renderSite();
    }, 200);
  });
  hook.ready = true;
}

// ---- start

if (handleDevice()) {
  // navigating to the paired address
} else if (cfg.error) {
  startClock();
} else {
  main();
}
