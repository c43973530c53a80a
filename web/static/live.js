// live.js — the public live feed of Antrean, for every screen.
//
//   import { Live } from "/static/live.js";
//   const live = new Live({
//     onSnapshot(board, msg) { ... },   // the whole public state
//     onEvent(ev) { ... },              // {seq, type, at, data}, in seq order, once each
//     onStatus(s) { ... },              // {connected, offline, attempt}
//   });
//   live.start();
//
// The client keeps the last seq it applied and reconnects with
// exponential backoff and jitter, asking for ?after=SEQ so the server
// replays exactly what was missed (or sends a fresh snapshot when it no
// longer holds it, e.g. after a restore). A screen is "offline" after
// offlineAfterMs without a connection (default 3 s): it then shows
// "Terputus — menyambung kembali…".

export class Live {
  constructor(opts = {}) {
    this.url = opts.url || "/api/v1/ws";
    this.onSnapshot = opts.onSnapshot || (() => {});
    this.onEvent = opts.onEvent || (() => {});
    this.onStatus = opts.onStatus || (() => {});
    this.offlineAfterMs = opts.offlineAfterMs ?? 3000;
    this.minDelayMs = opts.minDelayMs ?? 500;
    this.maxDelayMs = opts.maxDelayMs ?? 5000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10000;
    // seq is the last sequence number applied (0: none yet).
    this.seq = 0;
    this.connected = false;
    this.offline = false;
    this.attempt = 0;
    this.ws = null;
    this.stopped = true;
    this.retryTimer = 0;
    this.offlineTimer = 0;
    this.connectedAt = 0;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this._armOffline();
    this._connect();
    this._wake = () => {
      // Back on the network or visible again: try now rather than at
      // the end of a long backoff.
      if (!this.stopped && !this.ws) {
        clearTimeout(this.retryTimer);
        this._connect();
      }
    };
    window.addEventListener("online", this._wake);
    document.addEventListener("visibilitychange", this._wake);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.offlineTimer);
    window.removeEventListener("online", this._wake);
    document.removeEventListener("visibilitychange", this._wake);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000);
    }
  }

  status() {
    return { connected: this.connected, offline: this.offline, attempt: this.attempt, seq: this.seq };
  }

  _emitStatus() {
    try {
      this.onStatus(this.status());
    } catch (err) {
      console.error("live: onStatus", err);
    }
  }

  _armOffline() {
    clearTimeout(this.offlineTimer);
    this.offlineTimer = setTimeout(() => {
      if (!this.connected && !this.offline) {
        this.offline = true;
        this._emitStatus();
      }
    }, this.offlineAfterMs);
  }

  _wsURL() {
    const u = new URL(this.url, location.href);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    if (this.seq > 0) u.searchParams.set("after", String(this.seq));
    return u.toString();
  }

  _connect() {
    if (this.stopped || this.ws) return;
    let ws;
    try {
      ws = new WebSocket(this._wsURL());
    } catch (err) {
      console.error("live: connect", err);
      this._retry();
      return;
    }
    this.ws = ws;
    // A connection attempt that hangs (a server gone from the network
    // without a word) is given up, so the backoff goes on.
    const giveUp = setTimeout(() => {
      if (this.ws === ws && !this.connected) ws.close();
    }, this.connectTimeoutMs);
    ws.onopen = () => {
      clearTimeout(giveUp);
      if (this.ws !== ws) return;
      this.connected = true;
      this.connectedAt = Date.now();
      clearTimeout(this.offlineTimer);
      this.offline = false;
      this._emitStatus();
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch (err) {
        console.error("live: bad message", err);
        return;
      }
      this.attempt = 0;
      this._apply(msg);
    };
    ws.onclose = () => {
      clearTimeout(giveUp);
      if (this.ws !== ws) return;
      this.ws = null;
      const wasConnected = this.connected;
      this.connected = false;
      if (wasConnected) {
        this._armOffline();
        this._emitStatus();
      }
      this._retry();
    };
    ws.onerror = () => {
      // onclose follows and does the work.
    };
  }

  _apply(msg) {
    try {
      if (msg.type === "snapshot") {
        this.seq = msg.seq || 0;
        this.onSnapshot(msg.data, msg);
        return;
      }
      if (typeof msg.seq !== "number" || msg.seq <= this.seq) return; // already applied
      this.seq = msg.seq;
      this.onEvent(msg);
    } catch (err) {
      console.error("live: applying", msg && msg.type, err);
    }
  }

  // _retry waits min(max, min·2^attempt), with jitter between half and
  // all of it, so a restarted server is not hit by every screen at once.
  _retry() {
    if (this.stopped) return;
    const base = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this._connect(), delay);
  }
}

// bindStatus shows a Live's state on a screen: dot gets the class
// "is-online" / "is-offline" and a label; banner (hidden unless offline)
// gets the offline text. t translates conn.* keys.
export function bindStatus(dot, banner, t) {
  return (s) => {
    if (dot) {
      dot.classList.toggle("is-online", s.connected);
      dot.classList.toggle("is-offline", s.offline);
      const label = s.connected ? t("conn.online") : s.offline ? t("conn.offline") : t("conn.connecting");
      dot.setAttribute("aria-label", label);
      dot.title = label;
    }
    if (banner) {
      banner.textContent = t("conn.offline");
      banner.hidden = !s.offline;
    }
    document.documentElement.dataset.conn = s.connected ? "online" : s.offline ? "offline" : "connecting";
  };
}
