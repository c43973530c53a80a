// display.js — the lobby display (SCREENS.md, "Lobby display").
//
// The page follows the public feed (live.js). A call (ticket.called,
// ticket.recalled) shows at once: in its counter's tile (the tiles turn
// to the page that holds it) and at the top of the last calls. It also
// joins the announcement queue (announcer.js), and when its turn comes it
// takes the big panel, flashes, goes to the aria-live region and is
// spoken. Announcements play one after another, never over each other;
// one whose ticket has moved on is dropped, and a backlog is spoken in
// the short form.
//
// Test hooks on window.__antrean: announcements lists every announcement
// when it starts, in order: {text, at, end, via: "speech"|"clips"|"muted",
// number, counter, recall, form: "full"|"short", behind}; dropped lists
// the ones dropped unspoken ({number, counter, at}); pending() names the
// waiting ones; useVirtualClock() and advance(ms) run the voice on a
// virtual clock (at and end are then virtual ms); quiet() is true when no
// board refresh is due or under way.

import { Live, bindStatus } from "/static/live.js";
import { loadI18n, formatClock, zoneAbbr } from "/static/i18n.js";
import { Voice, VirtualClock, clipsFor } from "./voice.js";
import { Announcer } from "./announcer.js";

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
  dropped: [],
  ready: false,
  status: null,
  clipsFor: (text) => clipsFor(text, voice.index || {}),
  voiceMode: () => voice.mode(),
  snapshots: () => state.snapshots,
  pending: () => announcer.waiting.map((c) => ({ number: c.number, counter: c.counter, recall: !!c.recall })),
  speaking: () => (announcer.current ? announcer.current.number : null),
  useVirtualClock() {
    const clock = new VirtualClock(() => announcer.idle);
    voice.clock = clock;
    hook.clock = clock;
    return true;
  },
  advance: (ms) => hook.clock.advance(ms),
  // quiet: no board refresh waits or runs (tests wait for it between
  // their calls, as ten calls a minute leave the page).
  quiet: () => !refreshTimer && !refreshing,
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
  // eventSeq is the last event applied: a board older than it must not
  // undo what the events said about the counters.
  eventSeq: 0,
  // tickets holds, by number, what the events last said of each called
  // ticket: {status, counterId}. It decides whether an announcement still
  // waiting is still true.
  tickets: new Map(),
  // recent holds the calls shown, newest first, as they arrive; panel is
  // the call in the big panel, the one the voice says (or said last).
  recent: [],
  panel: null,
  // chipFlash: counter id → when its tile's "new call" highlight ends.
  chipFlash: new Map(),
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

// counterLabel is what the screen calls a counter (a board counter, a
// counter event's counter, an event's {name, name_en}): in English its
// English name, falling back to the Indonesian one.
const counterLabel = (c) => (c ? (cfg.lang === "en" && c.name_en) || c.name || "" : "");

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
    // Calls recorded before counter_name_en existed have none.
    counter: (cfg.lang === "en" && rc.counter_name_en) || rc.counter_name,
    agencyId: svc ? svc.agency_id : "",
    agency: svc ? agencyName(svc.agency_id) : "",
    service: svc ? (cfg.lang === "en" && svc.name_en) || svc.name : "",
    text: "",
    at: Date.parse(rc.called_at) || 0,
  };
}

// ---- voice and the announcement queue

const voice = new Voice(cfg.voice);

// stillCalled: the ticket is still called at the announcement's counter,
// and the counter is not closed.
function stillCalled(call) {
  const tk = state.tickets.get(call.number);
  if (!tk || tk.status !== "called" || tk.counterId !== call.counterId) return false;
  const ctr = state.counters.find((c) => c.id === call.counterId);
  return !ctr || ctr.status !== "closed";
}

const announcer = new Announcer({
  stillCalled,
  play(call, form) {
    const text = form === "short" ? call.short || call.text : call.text;
    return voice.announce(text, voice.mode(), form === "short");
  },
  onStart(call, form, behind) {
    const rec = {
      text: form === "short" ? call.short || call.text : call.text,
      at: voice.clock.now(), end: 0, via: voice.mode(),
      number: call.number, counter: call.counter, recall: !!call.recall, form, behind,
    };
    hook.announcements.push(rec);
    setPanel(call, true);
    return rec;
  },
  onEnd(call, rec) {
    rec.end = voice.clock.now();
  },
  onDrop(call) {
    hook.dropped.push({ number: call.number, counter: call.counter, at: voice.clock.now() });
  },
});

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

// addRecent puts a call at the top of the last calls, at once. A number
// is in one place at a time: called again, or elsewhere, it moves.
function addRecent(call) {
  state.recent = state.recent.filter((c) => c.number !== call.number);
  state.recent.unshift(call);
  state.recent.length = Math.min(state.recent.length, 20);
  state.lastShownAt = Math.max(state.lastShownAt, call.at);
  renderRecent();
}

// setPanel puts a call in the big panel; isNew flashes it and tells the
// aria-live region (the call is being announced).
function setPanel(call, isNew) {
  state.panel = call;
  renderNow();
  renderRecent();
  if (isNew) {
    flash();
    $("announce").textContent = call.text
      ? t("call.aria", { number: call.number, counter: call.counter })
      : "";
  }
}

const samePlace = (a, b) => !!a && !!b && a.number === b.number && a.counter === b.counter;

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
  const call = state.panel;
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
  // The call in the panel is not repeated below it.
  const items = state.recent.filter((c) => !samePlace(c, state.panel)).slice(0, RECENT_SHOWN);
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
  name.textContent = counterLabel(c);
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
    if ((state.chipFlash.get(c.id) || 0) > Date.now()) chip.classList.add("is-new");
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
// counters than a column holds takes several rows ("Dukcapil (1/2)").
// Rows that do not fit go to further pages, which turn every few seconds
// (and to the page of each new call). So that thirty counters need as
// few pages as possible, an agency is split to fill a column's last free
// lines when it would otherwise start a new page, or is split anyway.
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
  // Measure a row of one counter: how many chips fit on a line, how high
  // a line of chips and the agency's own block are.
  const probe = rowElement(rows[0], 1, 1, rows[0].counters.slice(0, 1));
  cols[0].append(probe);
  const area = probe.querySelector(".row-counters");
  const chip = area.firstElementChild;
  const gap = parseFloat(getComputedStyle(area).columnGap) || 0;
  const perLine = chip ? Math.max(1, Math.floor((area.clientWidth + gap) / (chip.offsetWidth + gap))) : 8;
  const lineGap = parseFloat(getComputedStyle(area).rowGap) || 0;
  const infoH = probe.querySelector(".row-info").offsetHeight;
  const chipH = chip ? chip.offsetHeight : probe.offsetHeight;
  const pad = probe.offsetHeight - Math.max(infoH, area.offsetHeight);
  const rowGap = parseFloat(getComputedStyle(cols[0]).rowGap) || 0;
  probe.remove();
  const linesOf = (n) => Math.ceil(n / perLine);
  const heightOf = (lines) => pad + Math.max(infoH, lines * chipH + Math.max(0, lines - 1) * lineGap);

  // plan says where each part goes — [{row, counters, page, col}] — and
  // how many pages that takes, in columns avail high (the last column of
  // a page lastAvail: the pager sits in its bottom corner).
  const plan = (avail, lastAvail) => {
    // A row may take as many lines of counters as a column holds.
    let maxLines = 1;
    while (heightOf(maxLines + 1) <= lastAvail + 1) maxLines++;
    const per = perLine * maxLines;
    const parts = [];
    let page = 0;
    let col = 0;
    let used = 0;
    for (const r of rows) {
      let rest = r.counters;
      do {
        const room = (col + 1 >= ncols ? lastAvail : avail) - used - (used > 0 ? rowGap : 0);
        let take = Math.min(rest.length, per);
        if (used > 0 && heightOf(linesOf(take)) > room + 1) {
          let fits = 0;
          while (fits < maxLines && heightOf(fits + 1) <= room + 1) fits++;
          const lastColumn = col + 1 >= ncols;
          if (fits >= 1 && (rest.length > per || (lastColumn && fits >= 2))) {
            take = fits * perLine;
          } else {
            // On to the next column, or the next page.
            if (lastColumn) page++;
            col = lastColumn ? 0 : col + 1;
            used = 0;
            continue;
          }
        }
        parts.push({ row: r, counters: rest.slice(0, take), page, col });
        used += (used > 0 ? rowGap : 0) + heightOf(linesOf(take));
        rest = rest.slice(take);
      } while (rest.length);
    }
    return { parts, pages: page + 1 };
  };
  let layout = plan(box.clientHeight, box.clientHeight);
  if (layout.pages > 1) {
    // Pages carry the pager in the bottom corner: leave it its room.
    const pager = $("pager");
    const hidden = pager.hidden;
    pager.hidden = false;
    const pagerH = pager.offsetHeight + (parseFloat(getComputedStyle(pager).bottom) || 0);
    pager.hidden = hidden;
    layout = plan(box.clientHeight, box.clientHeight - pagerH);
  }
  for (let i = 0; i < layout.pages; i++) pages.push(Array.from({ length: ncols }, () => []));
  const partsOf = new Map();
  for (const p of layout.parts) partsOf.set(p.row, (partsOf.get(p.row) || 0) + 1);
  const partNo = new Map();
  const els = layout.parts.map((p) => {
    const no = (partNo.get(p.row) || 0) + 1;
    partNo.set(p.row, no);
    const el = rowElement(p.row, no, partsOf.get(p.row), p.counters);
    pages[p.page][p.col].push(el);
    return el;
  });
  // Shrink long agency names to their box, measured at the column's width.
  cols[0].append(...els);
  for (const el of cols[0].querySelectorAll(".row-agency")) fit(el, 0.6);
  cols[0].replaceChildren();
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
  if (!pageTimer) startPageTimer();
}

function startPageTimer() {
  clearInterval(pageTimer);
  pageTimer = setInterval(() => {
    if (pages.length > 1) {
      pageIndex = (pageIndex + 1) % pages.length;
      showPage();
    }
  }, PAGE_MS);
}

// pageRows lists a page's rows (of every column).
const pageRows = (page) => page.flat();

// showCounterPage turns the tiles to the page that holds a counter (a
// call has just come from it) and holds that page for a full turn.
function showCounterPage(counterId) {
  const sel = `[data-counter="${CSS.escape(counterId)}"]`;
  const i = pages.findIndex((page) => pageRows(page).some((row) => row.querySelector(sel)));
  if (i < 0 || pages.length < 2) return;
  if (i !== pageIndex) {
    pageIndex = i;
    showPage();
  }
  startPageTimer();
}

// updateChip redraws one counter's tile in place — on whichever page it
// is — without laying the rows out again: a call must reach its tile at
// once, and tiles keep their size whatever they hold.
function updateChip(counterId) {
  const c = state.counters.find((x) => x.id === counterId);
  if (!c) return false;
  if (!inZone(c.agency_id)) return true; // not on this screen
  const sel = `[data-counter="${CSS.escape(counterId)}"]`;
  let found = false;
  for (const row of pages.flatMap(pageRows)) {
    for (const old of row.querySelectorAll(sel)) {
      old.replaceWith(counterChip(c));
      found = true;
    }
  }
  return found;
}

// flashChip highlights the tile of the newest call for a few seconds
// (steady, not blinking: nothing for prefers-reduced-motion to stop).
// Only the newest: in a burst of calls the eye gets one place to look.
function flashChip(counterId) {
  const before = [...state.chipFlash.keys()].filter((id) => id !== counterId);
  state.chipFlash = new Map([[counterId, Date.now() + FLASH_MS]]);
  for (const id of before) updateChip(id);
  setTimeout(() => {
    if ((state.chipFlash.get(counterId) || 0) > Date.now()) return; // called again since
    state.chipFlash.delete(counterId);
    updateChip(counterId);
  }, FLASH_MS + 50);
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
  // A board fetched before the last event applied would take back what
  // that event said of the counters: keep theirs (a later board comes).
  if (state.boardSeq >= state.eventSeq) state.counters = board.counters || [];
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
  state.eventSeq = 0;
  applyBoard(board);
  state.eventSeq = board.seq || 0;
  // What the counters hold now is all that may still be announced.
  state.tickets = new Map();
  for (const c of state.counters) {
    if (c.current) state.tickets.set(c.current.number, { status: c.current.status, counterId: c.id });
  }
  announcer.prune();
  const calls = (board.recent_calls || []).map(callFromRecent).filter((c) => inZone(c.agencyId));
  if (state.snapshots++ === 0) {
    // First load: show where things stand, say nothing.
    state.recent = calls.sort((a, b) => b.at - a.at);
    state.panel = state.recent[0] || null;
    state.lastShownAt = state.recent.length ? state.recent[0].at : 0;
  } else {
    // Back after a gap too long to replay (a restore, a long outage):
    // the snapshot has no announcements, so calls made meanwhile are
    // shown, the newest in the panel, without speech.
    const missed = calls.filter((c) => c.at > state.lastShownAt).sort((a, b) => a.at - b.at);
    for (const c of missed) addRecent(c);
    if (missed.length && announcer.idle) setPanel(missed[missed.length - 1], true);
  }
  renderAll();
}

// applyTicket brings the counters and the called tickets up to date with
// a ticket event, at once: the tiles and the announcement queue must not
// wait for the board. It returns the ids of the counters it changed.
function applyTicket(type, d) {
  const tk = d.ticket;
  const touched = [];
  if (!tk || !tk.number) return touched;
  const counterId = (d.counter && d.counter.id) || "";
  const called = type === "ticket.called" || type === "ticket.recalled";
  for (const c of state.counters) {
    if (c.current && c.current.number === tk.number && (!called || c.id !== counterId)) {
      if (type === "ticket.serving" && c.id === counterId) c.current = { ...c.current, status: "serving" };
      else c.current = null;
      touched.push(c.id);
    }
  }
  if (called) {
    const ctr = state.counters.find((c) => c.id === counterId);
    if (ctr) {
      ctr.current = { number: tk.number, status: "called", called_at: tk.called_at };
      touched.push(ctr.id);
    }
  }
  state.tickets.set(tk.number, { status: tk.status, counterId });
  if (type === "ticket.transferred" || type === "ticket.cancelled" || type === "ticket.expired") {
    // Waiting again elsewhere (or gone): "A003 → Loket 3" would send its
    // visitor to a counter it has left.
    state.recent = state.recent.filter((c) => c.number !== tk.number);
    renderRecent();
  }
  return touched;
}

function onEvent(ev) {
  const d = ev.data || {};
  if (typeof ev.seq === "number") state.eventSeq = Math.max(state.eventSeq, ev.seq);
  switch (ev.type) {
    case "ticket.called":
    case "ticket.recalled": {
      const touched = applyTicket(ev.type, d);
      const agencyId = (d.agency && d.agency.id) || d.ticket.agency_id || "";
      if (inZone(agencyId)) {
        const a = d.announcement || {};
        const call = {
          number: d.ticket.number,
          counter: counterLabel(d.counter),
          counterId: d.counter ? d.counter.id : "",
          agencyId,
          agency: agencyName(agencyId) || (d.agency && d.agency.name) || "",
          service: (cfg.lang === "en" && d.ticket.service_name_en) || (d.service ? d.service.name : ""),
          text: a.id || "",
          // Events recorded before the short form existed lack it: the
          // full text is spoken then.
          short: a.short_id || "",
          at: Date.parse(ev.at) || serverNow(),
          recall: ev.type === "ticket.recalled",
          seq: ev.seq,
        };
        addRecent(call);
        if (call.counterId) flashChip(call.counterId);
        if (serverNow() - call.at < FRESH_MS) announcer.add(call);
        else if (announcer.idle) setPanel(call, false);
      }
      announcer.prune();
      redrawTiles(touched);
      if (d.counter && inZone(agencyId)) showCounterPage(d.counter.id);
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
      state.panel = null;
      state.tickets = new Map();
      announcer.clear();
      renderAll();
      scheduleRefresh();
      break;
    default:
      if (ev.type.startsWith("ticket.")) {
        const touched = applyTicket(ev.type, d);
        announcer.prune();
        redrawTiles(touched);
      } else if (ev.type.startsWith("counter.") && d.counter) {
        applyCounter(d.counter);
        announcer.prune();
        renderRows();
      }
      if (ev.type.startsWith("ticket.") || ev.type.startsWith("counter.")) scheduleRefresh();
  }
}

// redrawTiles shows a ticket event on the tiles: in place when its
// counter's tile is there, else (a counter the page has not laid out
// yet) by laying the rows out again.
function redrawTiles(counterIds) {
  let ok = true;
  for (const id of counterIds) ok = updateChip(id) && ok;
  if (!ok) renderRows();
}

// applyCounter takes a counter.* event's counter as the tile's state.
function applyCounter(v) {
  const cur = v.current && (v.current.status === "called" || v.current.status === "serving")
    ? { number: v.current.number, status: v.current.status, called_at: v.current.called_at }
    : null;
  const ctr = state.counters.find((c) => c.id === v.id);
  if (ctr) {
    Object.assign(ctr, { name: v.name, name_en: v.name_en, agency_id: v.agency_id, status: v.status, current: cur });
  } else {
    state.counters.push({ id: v.id, name: v.name, name_en: v.name_en, agency_id: v.agency_id, status: v.status, current: cur });
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
