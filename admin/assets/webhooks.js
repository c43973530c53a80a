// webhooks.js — Webhook: other systems (the MPP Digital portal, an
// agency's own) that get every event of the chosen types, POSTed in order
// and signed with a secret (admin only). The list, a form to add one (the
// secret is made here, shown once and never again), deletion, and each
// webhook's recent deliveries with their attempts and errors.

import { wallClock, zoneAbbr } from "/static/i18n.js";
import { h, dataTable, formDialog, openDialog, confirmAction, reloadOn } from "./ui.js";

// The event types of API.md, in its order.
const TYPES = [
  "ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.done",
  "ticket.no_show", "ticket.transferred", "ticket.cancelled", "ticket.expired",
  "counter.opened", "counter.paused", "counter.closed",
  "booking.created", "booking.cancelled", "booking.checked_in",
  "feedback.received", "config.changed", "day.started",
];

// newSecret is 32 random hex digits (128 bits).
function newSecret() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

export async function mount(el, ctx) {
  const { t, session, cfg } = ctx;
  const tz = cfg.site.timezone;
  let hooks = [];

  // stamp shows an API time in the site's zone: "08.03.11 WIB" today,
  // "25/11 08.03.11 WIB" before.
  const stamp = (iso) => {
    if (!iso) return "—";
    const d = new Date(iso);
    const w = wallClock(d, tz);
    const today = wallClock(new Date(), tz);
    const sep = t("time.sep");
    const time = `${w.hour === "24" ? "00" : w.hour}${sep}${w.minute}${sep}${String(d.getUTCSeconds()).padStart(2, "0")} ${zoneAbbr(tz, d)}`;
    return w.year === today.year && w.month === today.month && w.day === today.day ? time : `${w.day}/${w.month}/${w.year} ${time}`;
  };
  const typesText = (w) => (w.events.length ? w.events.join(", ") : t("webhook.events.all"));

  const table = dataTable({
    label: t("nav.webhooks"),
    empty: t("webhooks.empty"),
    rowId: (w) => w.id,
    columns: [
      { label: t("webhook.url"), cell: (w) => h("code", { class: "url" }, w.url), text: (w) => w.url },
      { label: t("webhook.events"), cell: (w) => (w.events.length ? h("span", { class: "types" }, w.events.join(", ")) : h("em", {}, t("webhook.events.all"))), text: typesText },
      { label: t("webhook.created"), cell: (w) => stamp(w.created_at), class: "nowrap" },
    ],
    actions: (w) => [
      h("button", { type: "button", class: "small", onclick: () => showDeliveries(w), "aria-label": t("webhook.deliveries.what", { what: w.url }) }, t("webhook.deliveries")),
      h("button", { type: "button", class: "small danger-outline", onclick: () => remove(w), "aria-label": t("delete.what", { what: w.url }) }, t("delete")),
    ],
  });

  el.append(
    h("p", { class: "lead" }, t("webhooks.lead")),
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", id: "add-webhook", onclick: () => add() }, "+ ", t("webhooks.add"))),
    table.el,
    h("p", { class: "hint" }, t("webhooks.hint")),
  );

  async function load() {
    const data = await session.get("/api/v1/webhooks");
    hooks = data.webhooks || [];
    table.update(hooks);
  }

  function add() {
    const spec = [
      {
        name: "url", label: t("webhook.url"), required: true, maxLength: 2000, wide: true, lower: true,
        placeholder: "https://portal.example.go.id/antrean", help: t("webhook.url.help"),
        validate: (v) => (v && !/^https?:\/\/[^\s/?#@]+[^\s#]*$/i.test(v) ? t("why.url") : ""),
      },
      {
        name: "events", label: t("webhook.events"), type: "checks", wide: true, help: t("webhook.events.help"),
        options: TYPES.map((x) => ({ value: x, label: `${x} — ${t("event." + x)}` })),
      },
      { name: "secret", label: t("webhook.secret"), required: true, minLength: 16, maxLength: 256, wide: true, lower: true, help: t("webhook.secret.help") },
    ];
    formDialog(t("webhooks.add"), spec, { url: "", events: [], secret: newSecret() }, {
      submitLabel: t("webhooks.add"),
      wide: true,
      onSubmit: async (v, close) => {
        const { data } = await session.request("POST", "/api/v1/webhooks", { body: v });
        close();
        showSecret(data, v.secret);
        await load();
      },
    });
  }

  // showSecret shows the new webhook's secret once more, to copy it to
  // the receiver: the server never shows it again.
  function showSecret(w, secret) {
    const copied = h("span", { class: "copied", role: "status", "aria-live": "polite" });
    const copy = async () => {
      let ok = false;
      try {
        await navigator.clipboard.writeText(secret);
        ok = true;
      } catch {
        // No clipboard API (plain http on the LAN): copy from a selection.
        const ta = h("textarea", { class: "sr-only", readonly: true });
        ta.value = secret;
        dlg.append(ta);
        ta.select();
        try {
          ok = document.execCommand("copy");
        } catch {
          ok = false;
        }
        ta.remove();
      }
      copied.textContent = ok ? t("device.copied", { what: t("webhook.secret") }) : t("device.copy.failed");
    };
    const done = h("button", { type: "button", class: "primary", id: "secret-done" }, t("webhook.secret.saved"));
    const dlg = openDialog(t("webhook.secret.title"), [
      h("p", { class: "note" }, t("webhook.secret.once", { what: w.url })),
      h("div", { class: "secret" },
        h("span", { class: "field-label" }, t("webhook.secret")),
        h("code", { id: "webhook-secret" }, secret),
        h("button", { type: "button", class: "small", id: "copy-secret", onclick: copy }, t("device.copy"))),
      h("p", { class: "hint" }, t("webhook.secret.verify")),
      copied,
      h("div", { class: "dialog-actions" }, done),
    ], { wide: true });
    done.addEventListener("click", () => dlg.close());
    done.focus();
    ctx.notice(t("webhook.added", { what: w.url }));
  }

  function statusCell(d) {
    if (d.status === "delivered") return h("span", { class: "chip ok" }, t("delivery.status.delivered"));
    if (d.last_error) return h("span", { class: "chip bad" }, t("delivery.status.retrying"));
    return h("span", { class: "chip warn" }, t("delivery.status.sending"));
  }

  // showDeliveries lists a webhook's deliveries; while open it reads them
  // again every few seconds (deliveries make no events on the feed).
  function showDeliveries(w) {
    const list = dataTable({
      label: t("webhook.deliveries.title", { what: w.url }),
      empty: t("webhook.deliveries.empty"),
      rowId: (d) => String(d.seq),
      columns: [
        { label: t("delivery.seq"), cell: (d) => String(d.seq), class: "num-col" },
        { label: t("delivery.type"), cell: (d) => h("code", {}, d.type), text: (d) => d.type },
        { label: t("delivery.status"), cell: statusCell, text: (d) => d.status },
        { label: t("delivery.attempts"), cell: (d) => String(d.attempts), class: "num-col" },
        { label: t("delivery.error"), cell: (d) => d.last_error || "—", text: (d) => d.last_error },
        { label: t("delivery.at"), cell: (d) => stamp(d.delivered_at), class: "nowrap" },
      ],
    });
    const refresh = async () => {
      try {
        const data = await session.get(`/api/v1/webhooks/${w.id}/deliveries`);
        list.update(data.deliveries || []);
        list.el.dataset.loaded = "true";
      } catch (err) {
        if (err.status === 404) {
          dlg.close();
        }
      }
    };
    const close = h("button", { type: "button", class: "ghost" }, t("close"));
    const again = h("button", { type: "button", class: "small", id: "deliveries-refresh", onclick: refresh }, t("webhook.deliveries.refresh"));
    const timer = setInterval(refresh, 3000);
    const dlg = openDialog(t("webhook.deliveries.title", { what: w.url }), [
      h("p", { class: "lead" }, t("webhook.deliveries.lead")),
      h("div", { class: "toolbar" }, again),
      h("div", { class: "deliveries", id: "deliveries" }, list.el),
      h("div", { class: "dialog-actions" }, close),
    ], { wide: true, onClose: () => clearInterval(timer) });
    close.addEventListener("click", () => dlg.close());
    refresh();
  }

  function remove(w) {
    return confirmAction(ctx, {
      confirm: [t("delete.what", { what: w.url }), t("webhook.delete.confirm", { what: w.url }), t("delete")],
      run: () => session.request("DELETE", `/api/v1/webhooks/${w.id}`),
      done: t("deleted.what", { what: w.url }),
      reload: load,
    });
  }

  await load();
  return reloadOn(load, (ev) => ev.type === "config.changed" && ev.data.what === "webhook");
}
