// admin.js — the admin screens (SCREENS.md, "Admin"): sign-in, the left
// navigation and the pages. Every page reads and writes through the staff
// API with the session cookie and the CSRF token (staff.js); the API
// decides what the user may do, and the navigation hides what their role
// cannot do (a supervisor manages only their own agency).
//
// Test hook: window.__antrean = {ready, page, user, session}.

import { Live, bindStatus } from "/static/live.js";
import { loadI18n } from "/static/i18n.js";
import { Session, bindLogin, resumeSession, h } from "/static/staff.js";
import { setTranslator, notice } from "./ui.js";
import * as overview from "./overview.js";
import * as services from "./services.js";
import * as agencies from "./agencies.js";
import * as users from "./users.js";
import * as devices from "./devices.js";
import * as settings from "./settings.js";
import * as audit from "./audit.js";
import * as webhooks from "./webhooks.js";
import * as laporan from "./laporan.js";
import * as ikm from "./ikm.js";

const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($("admin-config").textContent);
const { t } = loadI18n();
setTranslator(t);

const ADMIN = ["admin"];
const STAFF = ["admin", "supervisor"];

// The navigation of SCREENS.md, in its order, with Webhook (the
// integrators' receivers) beside the settings.
const pages = [
  { id: "ringkasan", label: "nav.overview", roles: STAFF, module: overview },
  { id: "layanan", label: "nav.services", roles: STAFF, module: services },
  { id: "instansi", label: "nav.agencies", roles: ADMIN, module: agencies },
  { id: "pengguna", label: "nav.users", roles: STAFF, module: users },
  { id: "perangkat", label: "nav.devices", roles: ADMIN, module: devices },
  { id: "laporan", label: "nav.reports", roles: STAFF, module: laporan },
  { id: "skm", label: "nav.skm", roles: STAFF, module: ikm },
  { id: "pengaturan", label: "nav.settings", roles: ADMIN, module: settings },
  { id: "webhook", label: "nav.webhooks", roles: ADMIN, module: webhooks },
  { id: "cadangan", label: "nav.backup", roles: ADMIN, module: { mount: mountBackup } },
  { id: "audit", label: "nav.audit", roles: ADMIN, module: audit },
];

const state = { user: null, current: null, mounted: null, board: null, view: "loading" };

const session = new Session({ lang: cfg.lang, onSignedOut: () => sessionEnded() });

const hook = (window.__antrean = { ready: false, page: "", session, state });

const ctx = {
  t,
  session,
  cfg,
  lang: cfg.lang,
  get user() {
    return state.user;
  },
  get isAdmin() {
    return state.user && state.user.role === "admin";
  },
  get board() {
    return state.board;
  },
  notice(text, kind) {
    notice($("notice"), text, kind);
    hook.notice = text;
  },
};

// ---- sign-in

function show(view) {
  state.view = view;
  $("login-view").hidden = view !== "login";
  $("denied-view").hidden = view !== "denied";
  $("shell").hidden = view !== "shell";
  $("logout").hidden = view === "login" || view === "loading";
  $("who").hidden = view !== "shell" && view !== "denied";
}

function showLogin(note) {
  for (const d of document.querySelectorAll("dialog[open]")) d.close();
  show("login");
  const n = $("login-note");
  n.textContent = note || "";
  n.hidden = !note;
  const u = $("login-username");
  if (state.user && !u.value) u.value = state.user.username;
  (u.value ? $("login-password") : u).focus();
}

function sessionEnded() {
  if (state.view === "login") return;
  showLogin(t("login.expired"));
}

async function afterLogin(user) {
  state.user = user;
  $("who").textContent = `${user.username} · ${t("role." + user.role)}`;
  if (!STAFF.includes(user.role)) {
    show("denied");
    return;
  }
  show("shell");
  renderNav();
  await route();
}

// ---- navigation

function allowed() {
  return pages.filter((p) => p.roles.includes(state.user.role));
}

function renderNav() {
  $("nav").replaceChildren(...allowed().map((p) =>
    h("li", {}, h("a", { href: "#/" + p.id, id: "nav-" + p.id, dataset: { page: p.id } },
      h("span", {}, t(p.label)), p.soon ? h("span", { class: "soon" }, t("soon")) : null))));
}

async function route() {
  if (state.view !== "shell") return;
  const id = (location.hash.replace(/^#\/?/, "") || "ringkasan").split("?")[0];
  const page = allowed().find((p) => p.id === id) || allowed()[0];
  if (state.mounted && state.mounted.unmount) state.mounted.unmount();
  state.mounted = null;
  state.current = page;
  hook.page = "";
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.page === page.id) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  notice($("notice"), "");
  const el = $("page");
  el.replaceChildren();
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, t(page.label));
  el.append(heading);
  document.title = `${t(page.label)} — ${t("title")} — ${cfg.site.name}`;
  try {
    if (page.soon) {
      el.append(h("div", { class: "card soon-card" }, h("p", {}, t("soon.text"))));
    } else {
      state.mounted = (await page.module.mount(el, ctx)) || {};
    }
  } catch (err) {
    if (err.status !== 401) {
      el.append(h("p", { class: "form-error" }, t("error.load", { message: err.message })));
      console.error("admin: page", err);
    }
  }
  if (state.current === page) {
    hook.page = page.id;
    if (navigated) heading.focus();
  }
}

let navigated = false;
window.addEventListener("hashchange", () => {
  navigated = true;
  route();
});

// ---- the live feed: the overview follows it; other pages refresh what
// another admin changed.

const live = new Live({
  onSnapshot: (board) => {
    state.board = board;
    if (state.mounted && state.mounted.onBoard) state.mounted.onBoard(board);
  },
  onEvent: (ev) => {
    if (state.mounted && state.mounted.onEvent) state.mounted.onEvent(ev);
    if (ev.type === "config.changed" && ev.data && ev.data.what === "user" && state.user && ev.data.id === state.user.id) {
      session.restore().then((u) => {
        if (!u) sessionEnded();
      }).catch(() => {});
    }
    if (ev.type === "config.changed" && ev.data && ev.data.what === "site") {
      session.get("/api/v1/site").then((s) => {
        cfg.site.name = s.name;
        $("site-name").textContent = s.name;
      }).catch(() => {});
    }
  },
  onStatus: bindStatus($("conn"), $("offline"), t),
});

// ---- backup

function mountBackup(el) {
  el.append(h("div", { class: "card prose" },
    h("p", {}, t("backup.text")),
    h("p", {}, h("a", { class: "button primary", href: "/api/v1/backup", download: "", id: "backup-link" }, t("backup.download"))),
    h("p", { class: "hint" }, t("backup.restore"))));
  return {};
}

// ---- start

async function boot() {
  bindLogin($("login-form"), session, t, afterLogin);
  $("logout").addEventListener("click", async () => {
    try {
      await session.logout();
    } catch (err) {
      ctx.notice(err.message, "err");
      return;
    }
    state.user = null;
    $("login-username").value = "";
    showLogin();
  });
  live.start();
  await resumeSession(session, t, { afterLogin, showLogin });
  hook.ready = true;
}

boot();
