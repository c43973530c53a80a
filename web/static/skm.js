// skm.js — the satisfaction survey form (SKM, DOMAIN.md), shared by the
// visitor's ticket page (/t/{id}) and the survey tablet (/survey).
//
//   import { SurveyForm } from "/static/skm.js";
//   const form = new SurveyForm(el, {
//     elements: [{element: "U1", name, name_en}],  // the site's list
//     t, lang,                                      // the page's catalogue (web.SKM merged in)
//     send: async (body) => "ok" | "rated" | "closed" | "invalid" | "error",
//     onFinish(result) {},                          // after "ok", "rated" or "closed"
//   });
//
// One element per card, its four answers as large buttons (1 Tidak baik …
// 4 Sangat baik); a tap answers and moves on to the next card. After the
// last element: the optional profile (chips; a second tap clears) and an
// optional one-line comment, then "Kirim penilaian". send gets
// {scores, profile, comment} and says how it went; "error" and "invalid"
// keep the form so the visitor can send again. Nothing is kept on the
// device: the response is anonymous.

const PROFILE = [
  ["gender", ["L", "P"]],
  ["age_band", ["<20", "20-29", "30-39", "40-49", "50-59", "60+"]],
  ["education", ["SD", "SMP", "SMA", "D1-D3", "S1", "S2", "S3"]],
  ["occupation", ["PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"]],
];

export const MAX_COMMENT = 500;

const SVG = "http://www.w3.org/2000/svg";
// Mouths from a frown (1) to a broad smile (4).
const MOUTHS = ["M8 17.2 Q12 13.2 16 17.2", "M8.2 16.4 Q12 14.6 15.8 16.4", "M8.2 14.8 Q12 17.6 15.8 14.8", "M7.4 13.8 Q12 19.8 16.6 13.8"];

function face(score) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "skm-face");
  const parts = [
    ["circle", { cx: 12, cy: 12, r: 10, fill: "none", stroke: "currentColor", "stroke-width": 1.8 }],
    ["circle", { cx: 8.8, cy: 9.6, r: 1.3, fill: "currentColor" }],
    ["circle", { cx: 15.2, cy: 9.6, r: 1.3, fill: "currentColor" }],
    ["path", { d: MOUTHS[score - 1], fill: "none", stroke: "currentColor", "stroke-width": 1.8, "stroke-linecap": "round" }],
  ];
  for (const [tag, attrs] of parts) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    svg.append(el);
  }
  return svg;
}

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// oneLine is what the API takes: no control characters, no line breaks.
export function oneLine(s) {
  return String(s || "").replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").replace(/\s+/g, " ").trim();
}

export class SurveyForm {
  constructor(root, opts) {
    this.root = root;
    this.opts = opts;
    this.t = opts.t;
    this.lang = opts.lang || "id";
    this.elements = opts.elements || [];
    this.reset();
  }

  // reset starts again at the first element with nothing answered.
  reset() {
    this.scores = this.elements.map(() => 0);
    this.profile = {};
    this.comment = "";
    this.step = 0; // 0..n-1: an element; n: profile and comment; n+1: done
    this.sending = false;
    this.result = "";
    this.render(false);
  }

  elementName(e) {
    return this.lang === "en" && e.name_en ? e.name_en : e.name;
  }

  // finish shows the end state for a result without asking: "rated"
  // (already rated, e.g. after a reload) or "closed".
  finish(result) {
    this.result = result;
    this.step = this.elements.length + 1;
    this.render(true);
  }

  go(step) {
    this.step = step;
    this.render(true);
  }

  answer(i, score) {
    this.scores[i] = score;
    this.render(false);
    clearTimeout(this.advance);
    // A short pause shows the choice before the next card comes.
    this.advance = setTimeout(() => {
      if (this.step === i) this.go(i + 1);
    }, 220);
  }

  render(moveFocus) {
    const t = this.t;
    const n = this.elements.length;
    const root = this.root;
    root.classList.add("skm");
    root.replaceChildren();
    if (this.step > n) {
      const key = this.result === "rated" ? "skm.rated" : this.result === "closed" ? "skm.closed" : "skm.thanks";
      const box = h("div", { class: "skm-done", role: "status", tabindex: -1, dataset: { result: this.result || "ok" } },
        this.result === "closed" ? null : h("span", { class: "skm-done-mark", "aria-hidden": "true" }, face(4)),
        h("p", { class: "skm-done-title" }, t(key)),
        this.result === "ok" ? h("p", { class: "skm-done-text" }, t("skm.thanks.text")) : null);
      root.append(box);
      if (moveFocus) box.focus();
      return;
    }
    const progress = h("div", { class: "skm-head" },
      h("p", { class: "skm-step", id: "skm-step" }, this.step < n ? t("skm.progress", { n: this.step + 1, total: n }) : t("skm.progress.last")),
      h("progress", { class: "skm-progress", max: n + 1, value: this.step, "aria-labelledby": "skm-step" }));
    root.append(progress);
    if (this.step < n) root.append(this.card(this.step, moveFocus));
    else root.append(this.profileStep(moveFocus));
  }

  card(i, moveFocus) {
    const t = this.t;
    const e = this.elements[i];
    const legend = h("legend", { class: "skm-legend", tabindex: -1 }, h("span", { class: "skm-code" }, e.element), " ", this.elementName(e));
    const answers = h("div", { class: "skm-answers", role: "radiogroup", "aria-label": this.elementName(e) });
    for (let v = 1; v <= 4; v++) {
      const chosen = this.scores[i] === v;
      answers.append(h("button", {
        type: "button", class: `skm-answer skm-a${v}`, role: "radio", "aria-checked": chosen ? "true" : "false",
        dataset: { score: v }, onclick: () => this.answer(i, v),
      }, face(v), h("span", { class: "skm-answer-text" }, t("skm.answer." + v))));
    }
    const nav = h("div", { class: "skm-nav" },
      i > 0 ? h("button", { type: "button", class: "skm-link skm-back", onclick: () => this.go(i - 1) }, "← ", t("skm.back")) : h("span"),
      this.scores[i] ? h("button", { type: "button", class: "skm-link skm-next", onclick: () => this.go(i + 1) }, t("skm.next"), " →") : null);
    const card = h("fieldset", { class: "skm-card", dataset: { element: e.element } },
      legend, h("p", { class: "skm-question" }, t("skm.question")), answers, nav);
    if (moveFocus) queueMicrotask(() => legend.focus({ preventScroll: false }));
    return card;
  }

  profileStep(moveFocus) {
    const t = this.t;
    const n = this.elements.length;
    const title = h("h3", { class: "skm-profile-title", tabindex: -1 }, t("skm.profile.title"));
    const groups = PROFILE.map(([field, options]) => {
      const chips = h("div", { class: "skm-chips", role: "radiogroup", "aria-labelledby": "skm-" + field });
      for (const o of options) {
        const on = this.profile[field] === o;
        chips.append(h("button", {
          type: "button", class: "skm-chip", role: "radio", "aria-checked": on ? "true" : "false", dataset: { field, value: o },
          onclick: () => {
            this.profile[field] = this.profile[field] === o ? "" : o;
            for (const b of chips.children) b.setAttribute("aria-checked", b.dataset.value === this.profile[field] ? "true" : "false");
          },
        }, t(`skm.profile.${field}.${o}`)));
      }
      return h("div", { class: "skm-group" }, h("p", { class: "skm-group-label", id: "skm-" + field }, t("skm.profile." + field)), chips);
    });
    const count = h("p", { class: "skm-count", "aria-live": "polite" });
    const showCount = () => (count.textContent = t("skm.comment.count", { n: this.comment.length, max: MAX_COMMENT }));
    const area = h("textarea", { class: "skm-comment", id: "skm-comment", rows: 3, maxlength: MAX_COMMENT, "aria-describedby": "skm-comment-hint" });
    area.value = this.comment;
    area.addEventListener("input", () => {
      this.comment = area.value;
      showCount();
    });
    showCount();
    const error = h("p", { class: "skm-error", role: "alert", hidden: !this.error }, this.error || "");
    const submit = h("button", { type: "button", class: "skm-submit", disabled: this.sending, onclick: () => this.submit() },
      this.sending ? t("skm.sending") : t("skm.submit"));
    const box = h("div", { class: "skm-profile" },
      title,
      h("p", { class: "skm-hint" }, t("skm.profile.hint")),
      h("div", { class: "skm-groups" }, ...groups),
      h("label", { class: "skm-group-label", for: "skm-comment" }, t("skm.comment")),
      h("p", { class: "skm-hint", id: "skm-comment-hint" }, t("skm.comment.hint")),
      area, count, error, submit,
      h("div", { class: "skm-nav" }, h("button", { type: "button", class: "skm-link skm-back", onclick: () => this.go(n - 1) }, "← ", t("skm.back"))));
    if (moveFocus) queueMicrotask(() => title.focus());
    return box;
  }

  async submit() {
    if (this.sending) return;
    const first = this.scores.findIndex((v) => !v);
    if (first >= 0) {
      this.go(first);
      return;
    }
    const profile = {};
    for (const [field] of PROFILE) if (this.profile[field]) profile[field] = this.profile[field];
    const body = { scores: [...this.scores], profile, comment: oneLine(this.comment) };
    this.sending = true;
    this.error = "";
    this.render(false);
    let result = "error";
    try {
      result = await this.opts.send(body);
    } catch (err) {
      console.warn("skm: send", err);
    }
    this.sending = false;
    if (result === "ok" || result === "rated" || result === "closed") {
      this.finish(result);
      if (this.opts.onFinish) this.opts.onFinish(result);
      return;
    }
    this.error = this.t(result === "invalid" ? "skm.error.invalid" : "skm.error");
    this.render(false);
  }
}

// sendFeedback posts a response and tells how it went. headers carry
// the device token, if any; key is the Idempotency-Key of this
// submission (a retry after a lost answer gets the first answer).
export async function sendFeedback(url, body, { headers = {}, key = "", lang = "id" } = {}) {
  const h = { "Content-Type": "application/json", "Accept-Language": lang, ...headers };
  if (key) h["Idempotency-Key"] = key;
  const r = await fetch(url, { method: "POST", headers: h, body: JSON.stringify(body), credentials: "omit" });
  if (r.status === 201) return "ok";
  let code = "";
  try {
    code = (await r.json()).error.code;
  } catch {
    code = "";
  }
  if (code === "already_rated") return "rated";
  if (code === "survey_closed" || code === "invalid_transition" || code === "not_found" || code === "forbidden") return "closed";
  if (r.status === 400) return "invalid";
  return "error";
}

export function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}
