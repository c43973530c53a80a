// staff.js — the web session of the staff screens (officer console, admin).
//
// ARCHITECTURE.md's security model for the browser: POST /api/v1/login sets
// the HttpOnly, SameSite=Strict session cookie and answers a CSRF token.
// The page keeps only that CSRF token, in memory (never the bearer token,
// never in localStorage), and sends it as X-CSRF-Token on every unsafe
// request. A 401 from any request means the session ended — it expired,
// the user signed out elsewhere, a password change or a disabled account
// ended it: onSignedOut lets the screen ask for a new sign-in without
// dropping what it shows.
//
//   import { Session, newKey } from "/static/staff.js";
//   const session = new Session({ lang: "id", onSignedOut() { … } });
//   const user = await session.restore();      // null when not signed in
//   await session.login(username, password);
//   const { data } = await session.request("POST", "/api/v1/counters/ID/next",
//     { idempotencyKey: newKey(), retries: 4 });
//
// An Idempotency-Key stays the same for every retry of one request: a
// retry after a network error that hid a committed answer gets that answer
// again (API.md) instead of acting twice.

export class ApiError extends Error {
  // status is the HTTP status (0: no answer at all), code the API's error
  // code ("network" when the server could not be reached), fields the
  // fields at fault of an invalid_input answer.
  constructor(status, code, message, fields) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.fields = fields || null;
  }
}

// hasSessionHint reports whether the page may have a staff session: the
// server sets the cookie antrean_signed_in with the session cookie, and
// ends it at sign-out or when a request meets no session.
export function hasSessionHint() {
  return document.cookie.split(";").some((c) => c.trim() === "antrean_signed_in=1");
}

// newKey returns a fresh random Idempotency-Key. crypto.getRandomValues
// works on plain http too (a counter PC on the mall's LAN), unlike
// crypto.randomUUID.
export function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// retryDelays are the waits before the retries of a request whose answer
// was lost (network error, a gateway's 502/504, or 503 while the server
// restarts); the last repeats.
const retryDelays = [300, 800, 1500, 3000];

export class Session {
  constructor(opts = {}) {
    this.lang = opts.lang || document.documentElement.lang || "id";
    this.onSignedOut = opts.onSignedOut || (() => {});
    this.onRetry = opts.onRetry || (() => {});
    this.user = null;
    this.csrf = "";
    // serverOffset is server time minus local time, from answers' Date
    // headers (good to a second) and refined by the screens.
    this.serverOffset = 0;
  }

  // restore asks who is signed in with the cookie; null when nobody.
  // Without the session's hint cookie (httpapi.SessionHintCookie: it
  // comes and goes with the HttpOnly session cookie) nobody is, and the
  // server is not asked: its 401 would be a red line in the console at
  // every sign-in page.
  async restore() {
    if (!hasSessionHint()) {
      this.user = null;
      this.csrf = "";
      return null;
    }
    try {
      const { data } = await this.request("GET", "/api/v1/me", { quiet: true });
      this._set(data, data.csrf_token);
      return this.user;
    } catch (err) {
      if (err.status === 401) {
        this.user = null;
        this.csrf = "";
        return null;
      }
      throw err;
    }
  }

  async login(username, password) {
    const { data } = await this.request("POST", "/api/v1/login", {
      body: { username, password },
      quiet: true,
    });
    this._set(data.user, data.csrf_token);
    return this.user;
  }

  // logout ends this login on the server; the page forgets the user.
  async logout() {
    try {
      await this.request("POST", "/api/v1/logout", { quiet: true });
    } catch (err) {
      if (err.status !== 401) throw err;
    }
    this.user = null;
    this.csrf = "";
  }

  _set(user, csrf) {
    const u = { ...user };
    delete u.csrf_token;
    this.user = u;
    this.csrf = csrf || "";
  }

  // request sends one API request and answers {status, data, headers,
  // replayed}. opts: body (sent as JSON), idempotencyKey, retries (how
  // many times a lost answer is retried, with the same key), quiet (a 401
  // does not call onSignedOut). Errors are ApiError.
  async request(method, path, opts = {}) {
    const headers = { Accept: "application/json", "Accept-Language": this.lang };
    let body;
    if (opts.body !== undefined && opts.body !== null) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    if (method !== "GET" && method !== "HEAD" && this.csrf) {
      headers["X-CSRF-Token"] = this.csrf;
    }
    if (opts.idempotencyKey) headers["Idempotency-Key"] = opts.idempotencyKey;
    const retries = opts.retries ?? (method === "GET" ? 2 : 0);
    for (let attempt = 0; ; attempt++) {
      let res;
      try {
        res = await fetch(path, { method, headers, body, credentials: "same-origin", cache: "no-store" });
      } catch (err) {
        // No answer: the request may or may not have reached the server.
        // Only a request that is safe to repeat (a GET, or one with an
        // idempotency key) is sent again.
        if (attempt < retries && (method === "GET" || opts.idempotencyKey)) {
          this.onRetry({ method, path, attempt: attempt + 1 });
          await sleep(retryDelays[Math.min(attempt, retryDelays.length - 1)]);
          continue;
        }
        throw new ApiError(0, "network", String(err && err.message ? err.message : err));
      }
      const date = Date.parse(res.headers.get("Date") || "");
      if (date) this.serverOffset = date + 500 - Date.now();
      if ([502, 503, 504].includes(res.status) && attempt < retries && (method === "GET" || opts.idempotencyKey)) {
        this.onRetry({ method, path, attempt: attempt + 1 });
        await sleep(retryDelays[Math.min(attempt, retryDelays.length - 1)]);
        continue;
      }
      let data = null;
      const text = res.status === 204 ? "" : await res.text();
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = null;
        }
      }
      if (!res.ok) {
        const e = (data && data.error) || {};
        const err = new ApiError(res.status, e.code || `http_${res.status}`, e.message || res.statusText, e.fields);
        if (res.status === 401 && !opts.quiet) {
          this.user = null;
          this.csrf = "";
          try {
            this.onSignedOut(err);
          } catch (cbErr) {
            console.error("staff: onSignedOut", cbErr);
          }
        }
        throw err;
      }
      return { status: res.status, data, headers: res.headers, replayed: res.headers.get("Idempotent-Replayed") === "true" };
    }
  }

  get(path) {
    return this.request("GET", path).then((r) => r.data);
  }

  // getAll pages through a paged list (tickets): key names the list.
  async getAll(path, key) {
    const out = [];
    let after = "";
    for (let i = 0; i < 100; i++) {
      const sep = path.includes("?") ? "&" : "?";
      const page = await this.get(path + (after ? `${sep}after=${encodeURIComponent(after)}` : ""));
      out.push(...(page[key] || []));
      if (!page.next_after) break;
      after = page.next_after;
    }
    return out;
  }
}

// h builds an element: h("button", {class: "x", onclick: fn}, "text", child…).
// Attributes starting with "on" are listeners; true/false toggle boolean
// attributes; null and undefined are skipped. Children may be strings,
// nodes, arrays, or null.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") {
      el.addEventListener(k.slice(2), v);
    } else if (k === "dataset") {
      Object.assign(el.dataset, v);
    } else if (v === true) {
      el.setAttribute(k, "");
    } else {
      el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// bindLogin wires a sign-in form (fields "username" and "password", an
// element [data-login-error]) to the session; onSuccess gets the user.
export function bindLogin(form, session, t, onSuccess) {
  const errEl = form.querySelector("[data-login-error]");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    if (!username || !password) {
      errEl.textContent = t("login.missing");
      errEl.hidden = false;
      (username ? form.elements.password : form.elements.username).focus();
      return;
    }
    errEl.hidden = true;
    button.disabled = true;
    try {
      const user = await session.login(username, password);
      form.elements.password.value = "";
      await onSuccess(user);
    } catch (err) {
      errEl.textContent =
        err.code === "invalid_credentials" ? t("login.wrong") :
        err.code === "rate_limited" ? t("login.limited") :
        err.code === "network" ? t("error.network") : err.message;
      errEl.hidden = false;
      form.elements.password.select();
      form.elements.password.focus();
    } finally {
      button.disabled = false;
    }
  });
}

// resumeSession picks up the cookie's session as a screen starts:
// afterLogin(user) when someone is signed in, else showLogin() — with
// the error in words when asking failed.
export async function resumeSession(session, t, { afterLogin, showLogin }) {
  let user = null;
  try {
    user = await session.restore();
  } catch (err) {
    showLogin(t("error.load", { message: err.message }));
    return;
  }
  if (user) await afterLogin(user);
  else showLogin();
}

// formatDuration shows seconds as "2:41" or "1:02:41".
export function formatDuration(sec) {
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = String(sec % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${String(m).padStart(2, "0")}:${s}`;
}
