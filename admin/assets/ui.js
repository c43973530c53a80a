// ui.js — the admin screens' building blocks: forms that validate as you
// type and show the API's field errors in words, tables with inline
// search, dialogs and notices.

import { h } from "/static/staff.js";

export { h };

let t = (k) => k;
export function setTranslator(fn) {
  t = fn;
}

let uid = 0;
const nextId = (p) => `${p}-${++uid}`;

// ---- the API's reasons, in words

// API.md answers invalid_input with {"fields": {"name": "why"}}; the "why"
// is short English. explain turns each into a sentence of the page's
// language; an unknown reason is shown as it stands.
const reasons = [
  [/^required$/, () => t("why.required")],
  [/^at most (\d+) characters$/, (m) => t("why.max_chars", { n: m[1] })],
  [/^at least (\d+) characters$/, (m) => t("why.min_chars", { n: m[1] })],
  [/^at most 72 bytes$/, () => t("why.max_bytes")],
  [/^between (-?\d+) and (-?\d+)$/, (m) => t("why.between", { a: m[1], b: m[2] })],
  [/^a time as HH:MM$/, () => t("why.time")],
  [/^a date as YYYY-MM-DD$/, () => t("why.date")],
  [/^not a real date$/, () => t("why.real_date")],
  [/^already in use$/, () => t("why.in_use")],
  [/^1 to 3 of A–Z$/, () => t("why.service_code")],
  [/^1 to 10 of A–Z and 0–9$/, () => t("why.agency_code")],
  [/^2 to 40 of a–z/, () => t("why.username")],
  [/^after opens$/, () => t("why.after_opens")],
  [/^after from$/, () => t("why.after_from")],
  [/^no such agency$/, () => t("why.no_agency")],
  [/^no such service$/, () => t("why.no_service")],
  [/^at least one service$/, () => t("why.one_service")],
  [/^at most (\d+)$/, (m) => t("why.at_most", { n: m[1] })],
  [/^one per requirement, in the same order, or none$/, () => t("why.requirements_en.api")],
  [/^at least one day$/, () => t("why.one_day")],
  [/^services of the counter's agency, each once$/, () => t("why.counter_services")],
  [/^counters of the old agency still serve this service$/, () => t("why.service_moved")],
  [/^one of admin, supervisor, officer, greeter$/, () => t("why.role")],
  [/^an admin belongs to no agency$/, () => t("why.admin_agency")],
  [/^required for this role$/, () => t("why.role_agency")],
  [/^kiosk or display$/, () => t("why.kind")],
  [/^only kiosks have a printer$/, () => t("why.printer_kiosk")],
  [/^host:port of an ESC\/POS network printer$/, () => t("why.printer")],
  [/^only displays have a zone$/, () => t("why.zone_display")],
  [/^a device's kind cannot change$/, () => t("why.kind_fixed")],
  [/^58 or 80$/, () => t("why.paper")],
  [/^between 1 and 20 elements$/, () => t("why.skm_count")],
  [/^weekdays as mon, tue/, () => t("why.weekdays")],
  [/^both opens and closes, or neither/, () => t("why.special_day")],
  [/^an absolute http\(s\) URL$/, () => t("why.url")],
  [/^an IANA time zone/, () => t("why.timezone")],
  [/^one of "exact", "0.111", "0.11"$/, () => t("why.weight_mode")],
  [/^event types of API.md, each once$/, () => t("why.event_types")],
  [/^printable characters only$/, () => t("why.printable")],
  [/^unknown field$/, () => t("why.unknown_field")],
  [/^must be a number$/, () => t("why.number")],
  [/^must be (.+)$/, (m) => t("why.type", { what: m[1] })],
];

export function explain(why) {
  for (const [re, fn] of reasons) {
    const m = re.exec(why || "");
    if (m) return fn(m);
  }
  return why;
}

// errorText is a whole error in words, for a notice.
export function errorText(err) {
  if (!err) return "";
  if (err.code === "network") return t("error.network");
  return err.message || err.code;
}

// ---- notices

export function notice(el, text, kind = "ok") {
  el.className = "notice " + kind;
  el.textContent = text;
  el.hidden = !text;
}

// ---- dialogs

// openDialog shows a modal dialog with content and answers it; the dialog
// is removed when closed. Focus goes to the first field (or [autofocus])
// and back to where it was afterwards.
export function openDialog(title, content, opts = {}) {
  const back = document.activeElement;
  const titleId = nextId("dlg");
  const d = h("dialog", { "aria-labelledby": titleId, class: opts.wide ? "wide" : null },
    h("div", { class: "dialog-body" }, h("h2", { id: titleId }, title), content));
  document.body.append(d);
  d.addEventListener("close", () => {
    d.remove();
    if (opts.onClose) opts.onClose();
    if (back && back.isConnected && typeof back.focus === "function") back.focus();
  });
  d.showModal();
  const first = d.querySelector("[autofocus]") || d.querySelector("input:not([type=hidden]):not([disabled]), select, textarea, button.primary");
  if (first) first.focus();
  return d;
}

// confirmDialog asks a yes/no question; it answers true for yes.
export function confirmDialog(title, text, yesLabel, danger = true) {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h("button", { type: "button", class: danger ? "danger" : "primary", "data-confirm": "yes" }, yesLabel);
    const no = h("button", { type: "button", class: "ghost" }, t("cancel"));
    const d = openDialog(title, [h("p", {}, text), h("div", { class: "dialog-actions" }, no, yes)], {
      onClose: () => resolve(answer),
    });
    yes.addEventListener("click", () => {
      answer = true;
      d.close();
    });
    no.addEventListener("click", () => d.close());
    no.focus();
  });
}

// confirmAction asks first (confirm: [title, text, yesLabel]; null asks
// nothing), then runs run(): a notice says done, or the error in words;
// reload refreshes the page either way.
export async function confirmAction(ctx, { confirm, run, done, reload }) {
  if (confirm && !(await confirmDialog(...confirm))) return;
  try {
    await run();
    ctx.notice(done);
  } catch (err) {
    ctx.notice(errorText(err), "err");
  }
  await reload();
}

// formDialog shows a Form in a dialog: Cancel closes it, and
// onSubmit(values, close) runs on a valid submit (its error stays in the
// form, with the API's field errors at their fields). before is shown
// above the form. Answers the dialog.
export function formDialog(title, spec, initial, { submitLabel, onSubmit, wide, before }) {
  let d;
  const form = new Form(spec, initial, {
    submitLabel,
    onCancel: () => d.close(),
    onSubmit: (v) => onSubmit(v, () => d.close()),
  });
  d = openDialog(title, before ? [before, form.el] : form.el, { wide });
  return d;
}

// editDialog is the add/edit dialog of a row of the API collection at
// path: it PUTs path/ID when editing row, POSTs path when adding (send(v)
// replaces both), then closes, says "saved"/"added" what name(v) names,
// and reloads.
export function editDialog(ctx, { row, path, title, addLabel, spec, initial, name, reload, send, wide }) {
  const { t, session } = ctx;
  return formDialog(title, spec, initial, {
    submitLabel: row ? t("save") : addLabel,
    wide,
    onSubmit: async (v, close) => {
      if (send) await send(v);
      else if (row) await session.request("PUT", `${path}/${row.id}`, { body: v });
      else await session.request("POST", path, { body: v });
      close();
      ctx.notice(t(row ? "saved.what" : "added.what", { what: name(v) }));
      await reload();
    },
  });
}

// reloadOn answers a page's onEvent: each event when(ev) accepts reloads
// the page, once, ms after the last of a burst.
export function reloadOn(load, when, ms = 250) {
  let timer = 0;
  return {
    onEvent(ev) {
      if (when(ev)) {
        clearTimeout(timer);
        timer = setTimeout(() => load().catch(() => {}), ms);
      }
    },
  };
}

// ---- tables with inline search

// dataTable renders rows with a search box that filters them as you type.
// columns: [{label, cell(row) → node|string, text(row) → searchable
// string, class}]. Answers {el, update(rows)}.
export function dataTable({ label, columns, empty, rowId, actions }) {
  const searchId = nextId("search");
  const input = h("input", { type: "search", id: searchId, class: "search", autocomplete: "off", placeholder: t("search.placeholder") });
  const count = h("span", { class: "count", "aria-live": "polite" });
  const tbody = h("tbody");
  const emptyEl = h("p", { class: "empty" }, empty);
  const table = h("table", { class: "data" },
    h("caption", { class: "sr-only" }, label),
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class || null }, c.label)), actions ? h("th", { scope: "col", class: "actions-col" }, h("span", { class: "sr-only" }, t("actions"))) : null)),
    tbody);
  let rows = [];
  const render = () => {
    const words = input.value.toLocaleLowerCase("id").split(/\s+/).filter(Boolean);
    const shown = rows.filter((r) => {
      const hay = columns.map((c) => (c.text ? c.text(r) : typeof c.cell(r) === "string" ? c.cell(r) : "")).join(" ").toLocaleLowerCase("id");
      return words.every((w) => hay.includes(w));
    });
    tbody.replaceChildren(...shown.map((r) => h("tr", { dataset: { id: rowId ? rowId(r) : "" } },
      columns.map((c) => h("td", { class: c.class || null }, c.cell(r))),
      actions ? h("td", { class: "actions-col" }, h("div", { class: "row-actions" }, actions(r))) : null)));
    emptyEl.hidden = shown.length > 0;
    emptyEl.textContent = rows.length === 0 ? empty : t("search.none");
    count.textContent = words.length ? t("search.count", { n: shown.length, total: rows.length }) : "";
  };
  input.addEventListener("input", render);
  const el = h("div", { class: "table-wrap" },
    h("div", { class: "table-tools" },
      h("label", { class: "search-label", for: searchId }, h("span", { class: "sr-only" }, t("search.label", { what: label })), input), count),
    h("div", { class: "table-scroll" }, table), emptyEl);
  return {
    el,
    update(next) {
      rows = next;
      render();
    },
  };
}

// ---- forms that validate as you type

const TIME_RE = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

// Form builds a <form> from a spec and keeps its values.
//
// A field: {name, label, type, required, help, pattern, patternWhy, min,
// max, maxLength, options: [{value, label}] or (values) → [...],
// dependsOn, when(values), validate(value, values) → message, upper,
// placeholder, autocomplete}. Types: text (default), password, number,
// time (HH:MM, 24:00 allowed), date, textarea, lines (one item per
// line → array), select, checkbox, checks (several options → array),
// list (rows of item fields → array; scalar: true for an array of one
// field's values). {group, fields} makes a fieldset.
export class Form {
  constructor(spec, initial, opts = {}) {
    this.spec = spec;
    this.opts = opts;
    this.values = structuredClone(initial || {});
    this.touched = new Set();
    this.submitted = false;
    this.controls = new Map();
    this.wrappers = [];
    this.el = h("form", { class: "form", novalidate: true });
    this.el.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    this.general = h("div", { class: "form-error", role: "alert", hidden: true });
    this.fieldsEl = h("div", { class: "form-fields" + (opts.columns ? " columns" : "") });
    this.el.append(this.general, this.fieldsEl);
    this.renderInto(this.fieldsEl, spec);
    this.submitButton = h("button", { type: "submit", class: "primary" }, opts.submitLabel || t("save"));
    const actions = h("div", { class: "form-actions" });
    if (opts.onCancel) actions.append(h("button", { type: "button", class: "ghost", onclick: opts.onCancel }, t("cancel")));
    actions.append(this.submitButton);
    // The outcome of a save, beside the button that made it.
    this.status = h("p", { class: "form-status", role: "status", "aria-live": "polite" });
    actions.append(this.status);
    this.el.append(actions);
    this.updateVisibility();
  }

  renderInto(parent, spec) {
    for (const f of spec) {
      if (f.group) {
        const fs = h("fieldset", { class: "group" + (f.class ? " " + f.class : "") }, h("legend", {}, f.group));
        if (f.help) fs.append(h("p", { class: "field-help" }, f.help));
        const inner = h("div", { class: "group-fields" + (f.columns ? " columns" : "") });
        fs.append(inner);
        this.renderInto(inner, f.fields);
        parent.append(fs);
        continue;
      }
      parent.append(this.field(f, f.name, () => this.values[f.name], (v) => (this.values[f.name] = v)));
    }
  }

  field(f, key, get, set) {
    if (f.type === "list") return this.list(f, key, get, set);
    const id = nextId("f");
    const err = h("p", { class: "field-error", id: id + "-err" });
    const helpId = f.help ? id + "-help" : null;
    const describedBy = [helpId, id + "-err"].filter(Boolean).join(" ");
    let control;
    let wrapper;
    const onChange = (v) => {
      set(v);
      this.touched.add(key);
      if (this.opts.onInput) this.opts.onInput(this.values, key);
      this.updateVisibility();
      this.refreshDependents(f.name);
      // Re-check every touched field: rules such as "closes after opens"
      // span fields.
      for (const k of this.touched) this.check(k);
    };
    const opts = () => (typeof f.options === "function" ? f.options(this.values) : f.options || []);
    switch (f.type) {
      case "select": {
        control = h("select", { id, name: key, "aria-describedby": describedBy, required: f.required });
        const fill = () => {
          const cur = get() ?? "";
          control.replaceChildren(...opts().map((o) => h("option", { value: o.value, selected: String(o.value) === String(cur) }, o.label)));
          if (!opts().some((o) => String(o.value) === String(cur)) && opts().length) {
            control.value = opts()[0].value;
            set(control.value);
          }
        };
        fill();
        control._fill = fill;
        control.addEventListener("change", () => onChange(f.number ? Number(control.value) : control.value));
        break;
      }
      case "checkbox": {
        control = h("input", { type: "checkbox", id, name: key, checked: !!get(), "aria-describedby": describedBy });
        control.addEventListener("change", () => onChange(control.checked));
        wrapper = h("div", { class: "field checkbox", dataset: { key } },
          h("label", { for: id }, control, h("span", {}, f.label)),
          f.help ? h("p", { class: "field-help", id: helpId }, f.help) : null, err);
        break;
      }
      case "checks": {
        control = h("div", { class: "checks", role: "group", "aria-describedby": describedBy, id, tabindex: null });
        const fill = () => {
          const cur = new Set(get() || []);
          control.replaceChildren(...opts().map((o) => {
            const cb = h("input", { type: "checkbox", value: o.value, checked: cur.has(o.value), name: key });
            cb.addEventListener("change", () => {
              const vals = [...control.querySelectorAll("input:checked")].map((x) => x.value);
              onChange(vals);
            });
            return h("label", { class: "check" }, cb, h("span", {}, o.label));
          }));
          if (opts().length === 0 && f.emptyText) control.append(h("span", { class: "field-help" }, f.emptyText));
          const valid = new Set(opts().map((o) => o.value));
          const kept = [...cur].filter((v) => valid.has(v));
          if (kept.length !== cur.size) set(kept);
        };
        fill();
        control._fill = fill;
        wrapper = h("fieldset", { class: "field checks-field" + (f.wide ? " wide" : ""), dataset: { key }, "aria-describedby": describedBy },
          h("legend", { class: "field-label" }, f.label), control,
          f.help ? h("p", { class: "field-help", id: helpId }, f.help) : null, err);
        break;
      }
      case "textarea":
      case "lines": {
        const v = get();
        control = h("textarea", { id, name: key, rows: f.rows || 4, "aria-describedby": describedBy, placeholder: f.placeholder });
        control.value = f.type === "lines" ? (v || []).join("\n") : v ?? "";
        control.addEventListener("input", () => onChange(f.type === "lines" ? control.value.split("\n").map((s) => s.trim()).filter(Boolean) : control.value));
        break;
      }
      default: {
        const type = f.type === "number" ? "text" : f.type === "time" ? "text" : f.type || "text";
        control = h("input", {
          id, name: key, type, "aria-describedby": describedBy, required: f.required,
          inputmode: f.type === "number" || f.type === "time" ? "numeric" : null,
          placeholder: f.placeholder || (f.type === "time" ? "08:00" : null),
          autocomplete: f.autocomplete || (f.type === "password" ? "new-password" : "off"),
          autocapitalize: f.upper ? "characters" : f.lower ? "none" : null,
          spellcheck: f.upper || f.lower ? "false" : null,
          maxlength: f.maxLength || null,
          size: f.size || null,
        });
        const v = get();
        control.value = v === undefined || v === null ? "" : String(v);
        control.addEventListener("input", () => {
          let s = control.value;
          if (f.upper && s !== s.toUpperCase()) {
            const pos = control.selectionStart;
            control.value = s = s.toUpperCase();
            control.setSelectionRange(pos, pos);
          }
          if (f.type === "number") {
            onChange(/^-?\d+$/.test(s.trim()) ? Number(s.trim()) : s);
          } else {
            onChange(s);
          }
        });
        control.addEventListener("blur", () => {
          this.touched.add(key);
          this.check(key);
        });
      }
    }
    control.dataset.field = key;
    this.controls.set(key, { f, control, err, get });
    if (!wrapper) {
      wrapper = h("div", { class: "field" + (f.wide ? " wide" : "") + (f.span2 ? " span2" : "") + (f.short ? " short" : ""), dataset: { key } },
        h("label", { for: id, class: "field-label" }, f.label, f.required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null),
        control,
        f.help ? h("p", { class: "field-help", id: helpId }, f.help) : null,
        err);
    }
    if (f.when) this.wrappers.push({ f, wrapper, key });
    return wrapper;
  }

  // list renders an editable list of rows (breaks, holidays, …).
  list(f, key, get, set) {
    if (!Array.isArray(get())) set([]);
    const rows = h("div", { class: "list-rows" });
    const errId = nextId("f") + "-err";
    const err = h("p", { class: "field-error", id: errId });
    const add = h("button", { type: "button", class: "small ghost add", dataset: { add: key } }, "+ ", f.addLabel || t("add"));
    const wrapper = h("fieldset", { class: "field list-field" + (f.wide ? " wide" : ""), dataset: { key }, "aria-describedby": errId },
      h("legend", { class: "field-label" }, f.label),
      f.help ? h("p", { class: "field-help" }, f.help) : null, rows, err, h("div", { class: "list-tools" }, add, f.presets ? f.presets.map((p, i) => h("button", { type: "button", class: "small ghost", dataset: { preset: `${key}-${i}` }, onclick: () => addItem(p.value()) }, "+ ", p.label)) : null));
    const redraw = () => {
      for (const k of [...this.controls.keys()]) if (k.startsWith(key + "[")) this.controls.delete(k);
      const items = get();
      rows.replaceChildren(...items.map((item, i) => {
        const row = h("div", { class: "list-row" + (f.scalar ? " scalar" : "") });
        if (f.scalar) {
          const sub = f.item[0];
          row.append(this.field({ ...sub, label: `${sub.label} ${i + 1}` }, `${key}[${i}]`, () => get()[i], (v) => {
            get()[i] = v;
          }));
        } else {
          for (const sub of f.item) {
            // An item's validate(value, item, all) sees its own row.
            const validate = sub.validate ? (v, all) => sub.validate(v, get()[i], all) : undefined;
            row.append(this.field({ ...sub, validate }, `${key}[${i}].${sub.name}`, () => get()[i][sub.name], (v) => {
              get()[i][sub.name] = v;
            }));
          }
        }
        row.append(h("button", {
          type: "button", class: "small ghost remove", "aria-label": t("remove.item", { what: f.itemName || f.label, n: i + 1 }),
          onclick: () => {
            get().splice(i, 1);
            this.touched.add(key);
            redraw();
            this.check(key);
            const next = rows.querySelectorAll(".remove")[Math.min(i, get().length - 1)];
            (next || add).focus();
          },
        }, t("remove")));
        return row;
      }));
    };
    const addItem = (v) => {
      get().push(v);
      redraw();
      this.check(key);
      const last = rows.lastElementChild;
      const first = last && last.querySelector("input, select, textarea");
      if (first) first.focus();
    };
    add.addEventListener("click", () => addItem(f.scalar ? f.newItem() : f.newItem()));
    redraw();
    this.controls.set(key, { f, control: wrapper, err, get, isList: true });
    if (f.when) this.wrappers.push({ f, wrapper, key });
    return wrapper;
  }

  refreshDependents(name) {
    for (const [, c] of this.controls) {
      if (c.f.dependsOn === name && c.control._fill) {
        c.control._fill();
      }
    }
  }

  updateVisibility() {
    for (const w of this.wrappers) w.wrapper.hidden = !w.f.when(this.values);
  }

  visible(key) {
    const c = this.controls.get(key);
    return c && !c.control.closest("[hidden]");
  }

  // validate answers the message for a field's value, or "".
  validate(f, v) {
    const empty = v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
    if (f.required && empty) return t("why.required");
    if (f.type === "list") {
      if (f.min && (v || []).length < f.min) return t("why.list_min", { n: f.min });
      if (f.max && (v || []).length > f.max) return t("why.at_most", { n: f.max });
    }
    if (!empty) {
      if (f.type === "number") {
        if (typeof v !== "number" || !Number.isInteger(v)) return t("why.number");
        if (f.min !== undefined && f.max !== undefined && (v < f.min || v > f.max)) return t("why.between", { a: f.min, b: f.max });
      }
      if (f.type === "time" && !TIME_RE.test(v)) return t("why.time");
      if (f.type === "date" && !DATE_RE.test(v)) return t("why.date");
      if (f.pattern && !f.pattern.test(v)) return f.patternWhy;
      if (f.minLength && [...String(v)].length < f.minLength) return t("why.min_chars", { n: f.minLength });
      if (f.maxLength && [...String(v)].length > f.maxLength) return t("why.max_chars", { n: f.maxLength });
    }
    if (f.validate) return f.validate(v, this.values) || "";
    return "";
  }

  check(key) {
    const c = this.controls.get(key);
    if (!c) return "";
    const msg = this.visible(key) ? this.validate(c.f, c.get()) : "";
    const show = msg && (this.touched.has(key) || this.submitted);
    this.mark(c, show ? msg : "");
    return msg;
  }

  mark(c, msg) {
    c.err.textContent = msg;
    if (c.isList) return;
    const targets = c.control.matches("input, select, textarea") ? [c.control] : [...c.control.querySelectorAll("input")];
    for (const el of targets) {
      if (msg) el.setAttribute("aria-invalid", "true");
      else el.removeAttribute("aria-invalid");
    }
  }

  checkAll() {
    let first = null;
    for (const key of this.controls.keys()) {
      const msg = this.check(key);
      if (msg && !first) first = key;
    }
    // Cross-field rules re-checked (closes after opens…).
    return first;
  }

  // setErrors shows the API's field errors, in words, at their fields;
  // fields the form does not show go to the general message.
  setErrors(fields) {
    const rest = [];
    let first = null;
    for (const [key, why] of Object.entries(fields || {})) {
      const c = this.controls.get(key);
      if (c && this.visible(key)) {
        this.mark(c, explain(why));
        if (!first) first = c;
      } else {
        rest.push(`${this.labelOf(key)}: ${explain(why)}`);
      }
    }
    if (first) {
      const el = first.control.matches("input, select, textarea") ? first.control : first.control.querySelector("input, select, textarea, button");
      if (el) el.focus();
    }
    return rest;
  }

  labelOf(key) {
    const c = this.controls.get(key);
    if (c) return c.f.label;
    // "breaks[0].to" → "Istirahat 1 — Sampai"
    const m = /^(\w+)\[(\d+)\](?:\.(\w+))?$/.exec(key);
    const list = m && this.controls.get(m[1]);
    if (list) {
      const sub = m[3] && (list.f.item || []).find((x) => x.name === m[3]);
      return `${list.f.itemName || list.f.label} ${Number(m[2]) + 1}${sub ? " — " + sub.label : ""}`;
    }
    return key;
  }

  showGeneral(lines) {
    this.general.replaceChildren(...lines.map((l) => h("p", {}, l)));
    this.general.hidden = lines.length === 0;
  }

  // setStatus says beside the Save button how the save went.
  setStatus(text, kind) {
    this.status.textContent = text || "";
    this.status.className = "form-status" + (kind ? " " + kind : "");
  }

  async submit() {
    this.submitted = true;
    this.setStatus("");
    const first = this.checkAll();
    if (first) {
      this.showGeneral([t("form.fix")]);
      this.setStatus(t("form.fix"), "err");
      const c = this.controls.get(first);
      const el = c.control.matches("input, select, textarea") ? c.control : c.control.querySelector("input, select, textarea, button");
      if (el) el.focus();
      return;
    }
    this.showGeneral([]);
    this.submitButton.disabled = true;
    try {
      // onSubmit may answer a sentence to show beside the button.
      const said = await this.opts.onSubmit(this.output());
      if (typeof said === "string") this.setStatus(said, "ok");
    } catch (err) {
      if (err.status === 401) return;
      const lines = [errorText(err)];
      if (err.fields) lines.push(...this.setErrors(err.fields));
      this.showGeneral(lines);
      this.setStatus(errorText(err), "err");
    } finally {
      this.submitButton.disabled = false;
    }
  }

  // output is the values to send: hidden fields take their defaults.
  output() {
    const out = structuredClone(this.values);
    for (const w of this.wrappers) {
      if (!w.f.when(this.values) && "hiddenValue" in w.f) out[w.key] = structuredClone(w.f.hiddenValue);
    }
    return out;
  }
}
