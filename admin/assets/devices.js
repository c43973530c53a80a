// devices.js — Perangkat: kiosks, lobby displays and survey tablets
// (admin only). A new device's token is shown once, with a copy button
// and the pairing link (/kiosk?device=TOKEN, /display?device=TOKEN,
// /survey?device=TOKEN); revoking deletes the device and its token stops
// working at once. A survey tablet stands at one counter.

import { h, dataTable, formDialog, openDialog, confirmAction, reloadOn } from "./ui.js";

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let agencies = [];
  let counters = [];
  let devices = [];
  let site = null;

  const agencyName = (id) => {
    const a = agencies.find((x) => x.id === id);
    return a ? a.short_name || a.name : id;
  };
  const counterName = (id) => {
    const k = counters.find((x) => x.id === id);
    return k ? `${k.name} · ${agencyName(k.agency_id)}` : id;
  };
  const where = (d) => {
    if (d.kind === "kiosk") return d.printer ? t("device.printer.at", { printer: d.printer }) : t("device.printer.none");
    if (d.kind === "survey") return t("device.counter.at", { counter: counterName(d.counter_id) });
    return d.agency_ids.length ? d.agency_ids.map(agencyName).join(", ") : t("device.zone.all");
  };
  const pairPath = { kiosk: "kiosk", display: "display", survey: "survey" };

  const table = dataTable({
    label: t("nav.devices"),
    empty: t("devices.empty"),
    rowId: (d) => d.id,
    columns: [
      { label: t("device.name"), cell: (d) => h("strong", {}, d.name), text: (d) => d.name },
      { label: t("device.kind"), cell: (d) => t("device.kind." + d.kind) },
      { label: t("device.where"), cell: (d) => where(d) },
    ],
    actions: (d) => [
      h("button", { type: "button", class: "small", onclick: () => edit(d), "aria-label": t("edit.what", { what: d.name }) }, t("edit")),
      h("button", { type: "button", class: "small danger-outline", onclick: () => revoke(d), "aria-label": t("device.revoke.what", { what: d.name }) }, t("device.revoke")),
    ],
  });

  el.append(
    h("p", { class: "lead" }, t("devices.lead")),
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", id: "add-device", onclick: () => edit(null) }, "+ ", t("devices.add"))),
    table.el,
  );

  async function load() {
    const [a, d, s, k] = await Promise.all([session.get("/api/v1/agencies"), session.get("/api/v1/devices"), session.get("/api/v1/site"), session.get("/api/v1/counters")]);
    agencies = a.agencies || [];
    counters = k.counters || [];
    site = s;
    devices = (d.devices || []).sort((x, y) => x.kind.localeCompare(y.kind) || x.name.localeCompare(y.name, "id", { numeric: true }));
    table.update(devices);
  }

  function edit(d) {
    const spec = [
      { name: "kind", label: t("device.kind"), type: "select", options: ["kiosk", "display", "survey"].map((k) => ({ value: k, label: t("device.kind." + k) })), help: d ? t("device.kind.fixed") : null },
      { name: "name", label: t("device.name"), required: true, maxLength: 60, help: t("device.name.help") },
      {
        name: "printer", label: t("device.printer"), when: (v) => v.kind === "kiosk", hiddenValue: "", help: t("device.printer.help"), placeholder: "192.168.1.50:9100",
        validate: (v) => (v && !/^[^\s:]+:\d{1,5}$/.test(v) && !/^\[[^\]]+\]:\d{1,5}$/.test(v) ? t("why.printer") : ""),
      },
      {
        name: "agency_ids", label: t("device.zone"), type: "checks", when: (v) => v.kind === "display", hiddenValue: [],
        options: () => agencies.map((a) => ({ value: a.id, label: a.short_name || a.name })), help: t("device.zone.help"), emptyText: t("device.zone.none"),
      },
      {
        name: "counter_id", label: t("device.counter"), type: "select", when: (v) => v.kind === "survey", hiddenValue: "", required: true, help: t("device.counter.help"),
        options: () => [{ value: "", label: t("device.counter.choose") }, ...counters.map((k) => ({ value: k.id, label: counterName(k.id) }))],
        validate: (v, vals) => (vals.kind === "survey" && !v ? t("why.counter") : ""),
      },
    ];
    const initial = d ? { kind: d.kind, name: d.name, printer: d.printer, agency_ids: [...d.agency_ids], counter_id: d.counter_id || "" } : { kind: "kiosk", name: "", printer: "", agency_ids: [], counter_id: "" };
    const dlg = formDialog(d ? t("devices.edit", { what: d.name }) : t("devices.add"), spec, initial, {
      submitLabel: d ? t("save") : t("devices.add"),
      onSubmit: async (v, close) => {
        if (d) {
          await session.request("PUT", `/api/v1/devices/${d.id}`, { body: v });
          close();
          ctx.notice(t("saved.what", { what: v.name }));
        } else {
          const { data } = await session.request("POST", "/api/v1/devices", { body: v });
          close();
          showToken(data);
        }
        await load();
      },
    });
    if (d) {
      const kind = dlg.querySelector("select[name=kind]");
      if (kind) kind.disabled = true;
    }
  }

  // showToken shows a new device's token, once, with its pairing link.
  function showToken(dev) {
    const base = (site && site.base_url ? site.base_url.replace(/\/+$/, "") : location.origin);
    const link = `${base}/${pairPath[dev.kind] || "display"}?device=${encodeURIComponent(dev.token)}`;
    const copied = h("span", { class: "copied", role: "status", "aria-live": "polite" });
    const copy = (text, what) => async () => {
      let ok = false;
      try {
        await navigator.clipboard.writeText(text);
        ok = true;
      } catch {
        // No clipboard API (plain http on the LAN): copy from a selection.
        const ta = h("textarea", { class: "sr-only", readonly: true });
        ta.value = text;
        dlg.append(ta);
        ta.select();
        try {
          ok = document.execCommand("copy");
        } catch {
          ok = false;
        }
        ta.remove();
      }
      copied.textContent = ok ? t("device.copied", { what }) : t("device.copy.failed");
    };
    const close = h("button", { type: "button", class: "primary", id: "token-done" }, t("device.token.saved"));
    const dlg = openDialog(t("device.token.title", { what: dev.name }), [
      h("p", { class: "note" }, t("device.token.once")),
      h("div", { class: "secret" },
        h("span", { class: "field-label" }, t("device.token")),
        h("code", { id: "device-token" }, dev.token),
        h("button", { type: "button", class: "small", id: "copy-token", onclick: copy(dev.token, t("device.token")) }, t("device.copy"))),
      h("div", { class: "secret" },
        h("span", { class: "field-label" }, t("device.link." + dev.kind)),
        h("a", { id: "device-link", href: link, target: "_blank", rel: "noreferrer" }, link),
        h("button", { type: "button", class: "small", id: "copy-link", onclick: copy(link, t("device.link")) }, t("device.copy"))),
      h("p", { class: "hint" }, t("device.link." + dev.kind + ".help")),
      copied,
      h("div", { class: "dialog-actions" }, close),
    ], { wide: true });
    close.addEventListener("click", () => dlg.close());
    close.focus();
    ctx.notice(t("device.added", { what: dev.name }));
  }

  function revoke(d) {
    return confirmAction(ctx, {
      confirm: [t("device.revoke.what", { what: d.name }), t("device.revoke.confirm", { what: d.name }), t("device.revoke")],
      run: () => session.request("DELETE", `/api/v1/devices/${d.id}`),
      done: t("device.revoked", { what: d.name }),
      reload: load,
    });
  }

  await load();
  return reloadOn(load, (ev) => ev.type === "config.changed" && (ev.data.what === "device" || ev.data.what === "agency" || ev.data.what === "counter"));
}
