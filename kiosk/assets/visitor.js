// visitor.js — the visitor's ticket page /t/{id}?k=KEY (SCREENS.md,
// "Visitor's ticket"). The server renders the number and status; this
// script follows the ticket's own feed (/api/v1/ws?ticket=ID&k=KEY, one
// {"type":"ticket","seq","data":public view} per change) and keeps the
// page current. When the ticket is called the whole page turns green,
// "SILAKAN MENUJU LOKET 3", with a beep (Web Audio) and vibration where
// the phone allows; a recall does it again. The requirements checklist
// is kept in this phone's localStorage only. "Batalkan antrean" asks
// first, then DELETEs the ticket. After "Selesai" the satisfaction
// survey (/static/skm.js) asks one element per card and posts the
// anonymous response with the ticket's key; once sent (or after a reload:
// the server knows the ticket was rated) the page thanks instead.
//
// Test hook: window.__antrean = {ready, ticket(), alerts, beeps,
// vibrations, status}.

import { Live, bindStatus } from "/static/live.js";
import { loadI18n, formatTime, zoneAbbr } from "/static/i18n.js";
import { SurveyForm, sendFeedback, newKey } from "/static/skm.js";

document.documentElement.classList.add("js");

const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($("visitor-config").textContent);
const { t } = loadI18n();
const lang = cfg.lang || "id";
const tz = cfg.timezone || "Asia/Jakarta";
const FINAL = new Set(["cancelled", "expired"]);

let ticket = cfg.ticket;

const hook = (window.__antrean = {
  ready: false,
  ticket: () => ticket,
  updates: 0,
  alerts: 0,
  beeps: 0,
  vibrations: 0,
  status: null,
  survey: () => surveyState,
});

// ---- rendering

function serviceName(tk) {
  return lang === "en" && tk.service_name_en ? tk.service_name_en : tk.service_name;
}

// counterName is where to go: in English the counter's English name,
// else its name.
function counterName(tk) {
  return (lang === "en" && tk.counter_name_en) || tk.counter_name || "";
}

function positionText(pos) {
  if (pos <= 1) return t("visitor.position.next");
  return t("visitor.position", { pos, ahead: pos - 1 });
}

function etaText(eta) {
  if (eta == null) return t("ticket.eta.none");
  if (eta <= 0) return t("visitor.eta.now");
  const at = new Date(Date.now() + eta * 60000);
  return t("visitor.eta", { n: eta, time: `${formatTime(at, tz, t)} ${zoneAbbr(tz, at)}`.trim() });
}

function render(tk, prev) {
  const called = tk.status === "called";
  document.body.className = `visitor status-${tk.status}${called ? " is-called" : ""}`;
  $("number").textContent = tk.number;
  const chip = $("status");
  chip.textContent = t("status." + tk.status);
  chip.dataset.status = tk.status;
  $("priority").hidden = !tk.priority;
  $("service").textContent = serviceName(tk);
  $("agency").textContent = (lang === "en" && tk.agency_name_en) || tk.agency_name;

  const waiting = tk.status === "waiting" && tk.position != null;
  $("place").hidden = !waiting;
  if (waiting) {
    $("position").textContent = positionText(tk.position);
    $("eta").textContent = etaText(tk.eta_min);
  }
  $("called").hidden = !called;
  $("called-counter").textContent = counterName(tk).toUpperCase();
  const msg = $("message");
  msg.hidden = tk.status === "waiting";
  if (!msg.hidden) msg.textContent = t("visitor.msg." + tk.status, { counter: counterName(tk) });
  $("survey").hidden = tk.status !== "done";
  if (tk.status === "done") showSurvey();
  $("cancel").hidden = tk.status !== "waiting";
  // Sound matters while a call can still come.
  $("sound").hidden = !["waiting", "called", "no_show"].includes(tk.status);
  if (tk.status !== "waiting") closeConfirm();

  const wasCalled = prev && prev.status === "called";
  if (called && (!wasCalled || (tk.calls || 0) > (prev.calls || 0))) alertCall(tk);
}

// ---- the satisfaction survey, once the ticket is done

let surveyState = (cfg.survey && cfg.survey.state) || "closed";
let survey = null;
let sent = { body: "", key: "" };

function showSurvey() {
  if (surveyState === "pending") surveyState = "open"; // done while the page was open
  if (!survey) {
    survey = new SurveyForm($("survey-form"), {
      elements: cfg.survey.elements || [],
      t,
      lang,
      send: async (body) => {
        // One Idempotency-Key per response: a retry after a lost answer
        // gets the first answer instead of already_rated.
        const json = JSON.stringify(body);
        if (json !== sent.body) sent = { body: json, key: newKey() };
        const url = `/api/v1/tickets/${encodeURIComponent(ticket.id)}/feedback?k=${encodeURIComponent(cfg.key)}`;
        return sendFeedback(url, body, { key: sent.key, lang });
      },
      onFinish: (result) => {
        surveyState = result === "closed" ? "closed" : "rated";
        $("survey-intro").hidden = true;
      },
    });
  }
  if (surveyState !== "open") {
    survey.finish(surveyState);
    $("survey-intro").hidden = true;
  }
}

// ---- the call: sound, vibration, screen reader

let audio = null;

function unlockAudio() {
  try {
    if (!audio) {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) audio = new Ctx();
    }
    if (audio && audio.state === "suspended") audio.resume();
  } catch {
    audio = null;
  }
}

function beep() {
  unlockAudio();
  if (!audio) return;
  hook.beeps++;
  const start = audio.currentTime + 0.05;
  [880, 660, 880].forEach((freq, i) => {
    const at = start + i * 0.35;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.5, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    osc.connect(gain).connect(audio.destination);
    osc.start(at);
    osc.stop(at + 0.32);
  });
}

function vibrate(pattern) {
  // Browsers allow vibration only after the visitor touched the page.
  const active = !navigator.userActivation || navigator.userActivation.hasBeenActive;
  if (!navigator.vibrate || !active) return;
  try {
    if (navigator.vibrate(pattern)) hook.vibrations++;
  } catch {
    // Not allowed here.
  }
}

function alertCall(tk) {
  hook.alerts++;
  beep();
  vibrate([400, 150, 400, 150, 400]);
  $("announce").textContent = t("visitor.announce", { number: tk.number, counter: counterName(tk) });
}

// ---- requirements checklist, on this phone only

function wireChecklist() {
  const list = $("checklist");
  if (!list) return;
  const key = "antrean.req." + ticket.id;
  let ticked = [];
  try {
    ticked = JSON.parse(localStorage.getItem(key) || "[]");
  } catch {
    ticked = [];
  }
  for (const box of list.querySelectorAll("input[type=checkbox]")) {
    box.checked = ticked.includes(Number(box.dataset.index));
  }
  list.addEventListener("change", () => {
    const now = [...list.querySelectorAll("input[type=checkbox]")].filter((b) => b.checked).map((b) => Number(b.dataset.index));
    try {
      localStorage.setItem(key, JSON.stringify(now));
    } catch {
      // Private mode: the ticks last as long as the page.
    }
  });
}

// ---- cancel, with confirmation

function openConfirm() {
  $("cancel-question").textContent = t("visitor.cancel.confirm", { number: ticket.number });
  $("cancel-error").hidden = true;
  $("cancel-confirm").hidden = false;
  $("cancel-open").hidden = true;
  $("cancel-no").focus();
}

function closeConfirm() {
  $("cancel-confirm").hidden = true;
  $("cancel-open").hidden = false;
}

async function cancelTicket() {
  const yes = $("cancel-yes");
  yes.disabled = true;
  try {
    const r = await fetch(`/api/v1/tickets/${encodeURIComponent(ticket.id)}?k=${encodeURIComponent(cfg.key)}`, {
      method: "DELETE",
      headers: { "Accept-Language": lang },
    });
    if (r.status !== 204) throw new Error("status " + r.status);
    update({ ...ticket, status: "cancelled", position: null, people_ahead: null, eta_min: null });
  } catch (err) {
    console.warn("visitor: cancel", err);
    $("cancel-error").hidden = false;
  } finally {
    yes.disabled = false;
  }
}

// ---- live

let live = null;

function update(tk) {
  const prev = ticket;
  ticket = tk;
  hook.updates++;
  render(tk, prev);
  if (FINAL.has(tk.status) && live) {
    live.stop();
    document.documentElement.dataset.conn = "done";
    $("conn").hidden = true;
    $("offline").hidden = true;
  }
}

function start() {
  wireChecklist();
  $("cancel-open").addEventListener("click", openConfirm);
  $("cancel-no").addEventListener("click", closeConfirm);
  $("cancel-yes").addEventListener("click", cancelTicket);
  $("sound").addEventListener("click", () => {
    unlockAudio();
    beep();
    vibrate(200);
    $("sound").textContent = t("visitor.sound.on");
    $("sound").setAttribute("aria-pressed", "true");
  });
  // Any tap lets the page make sound later (browsers need a gesture).
  document.addEventListener("pointerdown", unlockAudio, { once: true });

  render(ticket, null);
  if (FINAL.has(ticket.status)) {
    $("conn").hidden = true;
    hook.ready = true;
    return;
  }
  const show = bindStatus($("conn"), $("offline"), t);
  live = new Live({
    url: `/api/v1/ws?ticket=${encodeURIComponent(ticket.id)}&k=${encodeURIComponent(cfg.key)}`,
    onSnapshot: () => {},
    onEvent: (msg) => {
      if (msg.type === "ticket" && msg.data) update(msg.data);
    },
    onStatus: (s) => {
      hook.status = s;
      show(s);
    },
  });
  live.start();
  hook.ready = true;
}

start();
