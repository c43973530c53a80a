// voice.js — how the lobby display speaks a call: a chime made with Web
// Audio, then the announcement, either with the browser's Indonesian
// speech voice or, without one, with the offline clips of voice/clips
// (espeak-ng) joined back to back.
//
// Timing never depends on speech events (a browser without voices never
// fires them): clips end when their durations say, speech ends at its
// "end" event or at a generous estimate, whichever comes first.
//
// Every wait goes through the voice's clock (realClock, or a test's
// VirtualClock), so a test can run a morning's announcements in seconds
// with the real words, clips and durations.

export const PAUSE = ",";
const CHIME_S = 1.1;
// The short chime, for a backlog: the same two tones, closer together.
const CHIME_SHORT_S = 0.6;
const WORD_GAP_S = 0.04;
const PAUSE_S = 0.28;
// MUTED_MS is how long a call holds the screen when no sound plays
// (MUTED_SHORT_MS in the short form).
export const MUTED_MS = 3000;
export const MUTED_SHORT_MS = 1500;

// realClock is the wall clock.
export const realClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

// VirtualClock is a clock that moves only when told (advance): a test
// hook. Its sleeps end in time order; after each one advance lets the
// page run until it waits on the clock again (or is idle, as settled
// says) before it moves on, so an announcement that starts when another
// ends starts at that virtual moment.
export class VirtualClock {
  constructor(settled) {
    this.t = 0;
    this.timers = [];
    this.seq = 0;
    this.settled = settled || (() => true);
  }

  now() {
    return this.t;
  }

  sleep(ms) {
    return new Promise((resolve) => {
      this.timers.push({ at: this.t + Math.max(0, ms), seq: this.seq++, resolve });
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    });
  }

  // settle waits (in real time, at most limitMs) until the page waits
  // on the clock or has nothing to do.
  async settle(limitMs = 5000) {
    const deadline = Date.now() + limitMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 0));
      if (this.timers.length > 0 || this.settled()) return;
      if (Date.now() > deadline) throw new Error("virtual clock: the page never settled");
    }
  }

  // advance moves the clock to `to` (virtual ms), ending every sleep due
  // by then in order.
  async advance(to) {
    await this.settle();
    while (this.timers.length && this.timers[0].at <= to) {
      const next = this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.resolve();
      await this.settle();
    }
    this.t = Math.max(this.t, to);
    return this.t;
  }
}

const sleep = (ms) => realClock.sleep(ms);

// clipsFor maps an announcement's Indonesian text ("Nomor antrean A dua
// belas, silakan menuju loket tiga.") to clip keys of the index: phrases
// first ("nomor antrean"), single capitals as letters, acronyms letter by
// letter ("BPJS" → B P J S), other words as they are; a comma becomes a
// PAUSE. Words without a clip (an agency's name, say) are left out and
// listed in missing.
export function clipsFor(text, index) {
  const has = (k) => Object.prototype.hasOwnProperty.call(index, k);
  const tokens = String(text)
    .replace(/[.!?;:]/g, " ")
    .replace(/,/g, " , ")
    .split(/\s+/)
    .filter(Boolean);
  const keys = [];
  const missing = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    if (tok === ",") {
      if (keys.length && keys[keys.length - 1] !== PAUSE) keys.push(PAUSE);
      continue;
    }
    const next = tokens[i + 1];
    if (next && next !== "," && has((tok + " " + next).toLowerCase())) {
      keys.push((tok + " " + next).toLowerCase());
      i++;
      continue;
    }
    if (/^[A-Z]$/.test(tok) && has(tok)) {
      keys.push(tok);
      continue;
    }
    const lower = tok.toLowerCase();
    if (has(lower)) {
      keys.push(lower);
      continue;
    }
    if (/^[A-Z]{2,}$/.test(tok) && [...tok].every(has)) {
      keys.push(...tok);
      continue;
    }
    missing.push(tok);
  }
  while (keys.length && keys[keys.length - 1] === PAUSE) keys.pop();
  return { keys, missing };
}

export class Voice {
  constructor({ index, base }) {
    this.indexURL = index;
    this.base = base;
    this.index = null;
    this.buffers = new Map();
    this.ctx = null;
    this.speechVoice = null;
    this.clock = realClock;
  }

  // init loads the clip index, makes the audio context (running at once
  // where the browser allows autoplay) and looks for an Indonesian
  // speech voice.
  async init() {
    const AC = window.AudioContext || window.webkitAudioContext;
    if (AC) {
      try {
        this.ctx = new AC();
      } catch (err) {
        console.warn("voice: no audio", err);
      }
    }
    if (this.ctx && this.ctx.state !== "running") {
      // Resolves only where autoplay is allowed; do not wait for it.
      this.ctx.resume().catch(() => {});
      await Promise.race([sleep(300), new Promise((r) => {
        this.ctx.addEventListener("statechange", r, { once: true });
      })]);
    }
    this.findSpeechVoice();
    if ("speechSynthesis" in window) {
      speechSynthesis.addEventListener?.("voiceschanged", () => this.findSpeechVoice());
    }
    try {
      const res = await fetch(this.indexURL);
      if (res.ok) this.index = await res.json();
    } catch (err) {
      console.warn("voice: no clip index", err);
    }
    this.preload();
  }

  findSpeechVoice() {
    if (!("speechSynthesis" in window)) return;
    const voices = speechSynthesis.getVoices() || [];
    this.speechVoice = voices.find((v) => /^id([-_]|$)/i.test(v.lang)) || null;
  }

  get unlocked() {
    return !!this.ctx && this.ctx.state === "running";
  }

  // unlock runs from a tap or key press: it starts the audio context and
  // primes speech, which browsers allow only from a user gesture.
  async unlock() {
    if (!this.ctx) return false;
    try {
      await this.ctx.resume();
      const b = this.ctx.createBuffer(1, 1, 22050);
      const src = this.ctx.createBufferSource();
      src.buffer = b;
      src.connect(this.ctx.destination);
      src.start();
    } catch (err) {
      console.warn("voice: unlock", err);
    }
    if ("speechSynthesis" in window && this.speechVoice) {
      const u = new SpeechSynthesisUtterance(" ");
      u.volume = 0;
      speechSynthesis.speak(u);
    }
    return this.unlocked;
  }

  // mode is how the next call will be spoken.
  mode() {
    if (!this.unlocked) return "muted";
    if (this.speechVoice) return "speech";
    if (this.index) return "clips";
    return "muted";
  }

  async preload() {
    if (!this.index || !this.ctx) return;
    await Promise.all(Object.keys(this.index).map((k) => this.buffer(k).catch(() => null)));
  }

  buffer(key) {
    if (!this.buffers.has(key)) {
      const entry = this.index[key];
      const p = fetch(this.base + entry.file)
        .then((r) => {
          if (!r.ok) throw new Error(`clip ${entry.file}: ${r.status}`);
          return r.arrayBuffer();
        })
        .then((raw) => this.ctx.decodeAudioData(raw));
      p.catch(() => this.buffers.delete(key));
      this.buffers.set(key, p);
    }
    return this.buffers.get(key);
  }

  // announce plays one call and resolves when it has ended; short is the
  // backlog's form: the short chime (and a slightly brisker voice).
  async announce(text, via, short = false) {
    if (via === "muted") {
      await this.clock.sleep(short ? MUTED_SHORT_MS : MUTED_MS);
      return;
    }
    await this.chime(short);
    if (via === "speech") {
      await this.speak(text, short);
    } else {
      await this.playClips(text);
    }
  }

  // chime: two soft bell tones, E5 then C5; the short chime plays them
  // closer and briefer.
  async chime(short = false) {
    const ctx = this.ctx;
    const t0 = ctx.currentTime + 0.03;
    const tone = (freq, at, dur) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.5, at + 0.015);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + dur);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + dur + 0.02);
    };
    if (short) {
      tone(659.25, t0, 0.35);
      tone(523.25, t0 + 0.18, 0.35);
      await this.clock.sleep(CHIME_SHORT_S * 1000);
      return;
    }
    tone(659.25, t0, 0.7);
    tone(523.25, t0 + 0.38, 0.7);
    await this.clock.sleep(CHIME_S * 1000);
  }

  async playClips(text) {
    if (!this.index) return;
    const { keys, missing } = clipsFor(text, this.index);
    if (missing.length) console.info("voice: no clip for", missing.join(" "));
    const items = await Promise.all(keys.map((k) => (k === PAUSE ? PAUSE : this.buffer(k).catch(() => null))));
    const ctx = this.ctx;
    const t0 = ctx.currentTime + 0.05;
    let t = 0;
    for (const it of items) {
      if (it === PAUSE) {
        t += PAUSE_S;
        continue;
      }
      if (!it) continue;
      const src = ctx.createBufferSource();
      src.buffer = it;
      src.connect(ctx.destination);
      src.start(t0 + t);
      t += it.duration + WORD_GAP_S;
    }
    await this.clock.sleep((0.05 + t) * 1000 + 50);
  }

  speak(text, short = false) {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          resolve();
        }
      };
      // Never wait on events alone: some engines drop "end".
      this.clock.sleep(2000 + text.length * 110).then(finish);
      const u = new SpeechSynthesisUtterance(text);
      u.lang = "id-ID";
      u.voice = this.speechVoice;
      u.rate = short ? 1 : 0.9;
      u.onend = finish;
      u.onerror = finish;
      speechSynthesis.cancel();
      speechSynthesis.speak(u);
    });
  }
}
