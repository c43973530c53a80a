// announcer.js — the lobby display's queue of announcements (DOMAIN.md,
// "How a call is spoken"; README, "Lobby display").
//
// The screen shows a call the moment it arrives (tiles, last calls); only
// the voice — and the big panel, which shows what the voice says — has to
// take turns, because announcements must not talk over each other. So the
// queue has to stay short, and every entry in it must still be true when
// its turn comes:
//
//   - An announcement whose ticket is no longer called at that counter
//     (served, done, no-show, transferred, called elsewhere, counter
//     closed) is dropped before it is spoken: stillCalled decides, from
//     the events the page has applied, at every arrival, at every event
//     and again just before each announcement starts.
//   - A recall of a call still waiting replaces it in its place: one
//     announcement, not two.
//   - The backlog is the announcement being spoken plus those waiting.
//     When it grows past two, the short form ("A dua belas, loket tiga",
//     with the short chime) is spoken from the next announcement on; when
//     an announcement starts with none waiting behind it, the full form
//     comes back.
//
// At ten calls a minute (thirty counters, three-minute services) the full
// form, about six seconds with its chime, saturates the voice; the short
// form takes about three, so the queue stays within two announcements.

export class Announcer {
  // play(call, form) speaks one call and resolves when it has ended
  // (form: "full" or "short"); stillCalled(call) says whether its ticket
  // is still called at its counter; onStart(call, form, behind) and
  // onEnd(call, started) frame each announcement (started is what
  // onStart returned); onDrop(call, why) tells of one dropped unspoken.
  constructor({ play, stillCalled, onStart, onEnd, onDrop }) {
    this.play = play;
    this.stillCalled = stillCalled;
    this.onStart = onStart || (() => null);
    this.onEnd = onEnd || (() => {});
    this.onDrop = onDrop || (() => {});
    this.waiting = [];
    this.current = null;
    this.short = false;
    this.running = false;
  }

  // backlog counts the announcement being spoken and those waiting.
  get backlog() {
    return (this.current ? 1 : 0) + this.waiting.length;
  }

  // idle is true when nothing is being spoken or about to be.
  get idle() {
    return !this.running;
  }

  // add queues a call (call.recall for a recall). A recall of a call that
  // still waits takes its place instead of queueing a second one.
  add(call) {
    if (call.recall) {
      const i = this.waiting.findIndex((w) => w.number === call.number && w.counterId === call.counterId);
      if (i >= 0) {
        this.waiting[i] = { ...call, replaced: true };
        return "replaced";
      }
    }
    this.waiting.push(call);
    this.prune();
    if (this.backlog > 2) this.short = true;
    this.pump();
    return "queued";
  }

  // prune drops the waiting announcements whose ticket has moved on.
  prune() {
    const keep = [];
    for (const call of this.waiting) {
      if (this.stillCalled(call)) keep.push(call);
      else this.onDrop(call, "moved-on");
    }
    this.waiting = keep;
  }

  // clear forgets every waiting announcement (a new day).
  clear() {
    this.waiting = [];
  }

  async pump() {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        this.prune();
        const call = this.waiting.shift();
        if (!call) break;
        const behind = this.waiting.length;
        if (behind === 0) this.short = false;
        else if (behind + 1 > 2) this.short = true;
        const form = this.short ? "short" : "full";
        this.current = call;
        const started = this.onStart(call, form, behind);
        try {
          await this.play(call, form);
        } catch (err) {
          console.error("announce", err);
        }
        this.current = null;
        this.onEnd(call, started);
      }
    } finally {
      this.running = false;
    }
  }
}
