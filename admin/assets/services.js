// services.js — Layanan & Loket: services (code, requirements, fee,
// quota, hours, target wait) and counters with the services they call.
// A supervisor sees and manages their own agency's only.

import { h, dataTable, editDialog, confirmAction, reloadOn } from "./ui.js";

const TIME_RE = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const minutes = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let agencies = [];
  let services = [];
  let counters = [];

  const mineOnly = (x) => ctx.isAdmin || x.agency_id === ctx.user.agency_id;
  const agencyName = (id) => {
    const a = agencies.find((x) => x.id === id);
    return a ? a.short_name || a.name : "—";
  };
  const agencyOptions = () => agencies.filter((a) => ctx.isAdmin || a.id === ctx.user.agency_id).map((a) => ({ value: a.id, label: a.short_name && a.short_name !== a.name ? `${a.short_name} — ${a.name}` : a.name }));
  const svcLabel = (s) => `${s.code} · ${s.name}`;

  const svcTable = dataTable({
    label: t("services.title"),
    empty: t("services.empty"),
    rowId: (s) => s.id,
    columns: [
      { label: t("svc.code"), cell: (s) => h("span", { class: "code" }, s.code), text: (s) => s.code },
      { label: t("svc.name"), class: "name-col", cell: (s) => h("span", {}, s.name, s.requirements.length ? h("span", { class: "sub" }, t("svc.requirements.n", { n: s.requirements.length })) : null), text: (s) => `${s.name} ${s.name_en} ${s.requirements.join(" ")} ${(s.requirements_en || []).join(" ")}` },
      { label: t("svc.agency"), cell: (s) => agencyName(s.agency_id) },
      { label: t("svc.fee"), class: "fee-col", cell: (s) => s.fee || "—", text: (s) => `${s.fee} ${s.fee_en || ""}` },
      { label: t("svc.quota"), cell: (s) => (s.daily_quota ? String(s.daily_quota) : t("svc.quota.none")), class: "num-col" },
      { label: t("svc.hours"), class: "nowrap", cell: (s) => (s.opens || s.closes ? `${s.opens || "…"}–${s.closes || "…"}` : t("svc.hours.site")) },
      { label: t("svc.target"), cell: (s) => t("minutes", { m: s.target_wait_min }), class: "num-col" },
      { label: t("svc.status"), cell: (s) => h("span", { class: "chip " + (s.active ? "ok" : "muted") }, s.active ? t("svc.active") : t("svc.inactive")), text: (s) => (s.active ? t("svc.active") : t("svc.inactive")) },
    ],
    actions: (s) => [
      h("button", { type: "button", class: "small", onclick: () => editService(s), "aria-label": t("edit.what", { what: svcLabel(s) }) }, t("edit")),
      h("button", { type: "button", class: "small danger-outline", onclick: () => removeService(s), "aria-label": t("delete.what", { what: svcLabel(s) }) }, t("delete")),
    ],
  });

  const ctrTable = dataTable({
    label: t("counters.title"),
    empty: t("counters.empty"),
    rowId: (k) => k.id,
    columns: [
      { label: t("ctr.name"), cell: (k) => h("span", {}, h("strong", {}, k.name), k.name_en ? h("span", { class: "sub", lang: "en" }, k.name_en) : null), text: (k) => `${k.name} ${k.name_en || ""}` },
      { label: t("svc.agency"), cell: (k) => agencyName(k.agency_id) },
      { label: t("ctr.services"), cell: (k) => k.service_ids.map((id) => services.find((s) => s.id === id)).filter(Boolean).map(svcLabel).join(", ") },
      { label: t("ctr.status"), cell: (k) => h("span", { class: "chip " + k.status }, t("counter." + k.status) + (k.current ? ` · ${k.current.number}` : "")), text: (k) => t("counter." + k.status) },
    ],
    actions: (k) => [
      h("button", { type: "button", class: "small", onclick: () => editCounter(k), "aria-label": t("edit.what", { what: k.name }) }, t("edit")),
      h("button", { type: "button", class: "small danger-outline", onclick: () => removeCounter(k), "aria-label": t("delete.what", { what: k.name }) }, t("delete")),
    ],
  });

  el.append(
    h("section", { class: "section", "aria-labelledby": "services-title" },
      h("div", { class: "section-head" },
        h("h2", { id: "services-title" }, t("services.title")),
        h("button", { type: "button", class: "primary", id: "add-service", onclick: () => editService(null) }, "+ ", t("services.add"))),
      svcTable.el),
    h("section", { class: "section", "aria-labelledby": "counters-title" },
      h("div", { class: "section-head" },
        h("h2", { id: "counters-title" }, t("counters.title")),
        h("button", { type: "button", class: "primary", id: "add-counter", onclick: () => editCounter(null) }, "+ ", t("counters.add"))),
      ctrTable.el),
  );

  async function load() {
    const [a, s, c] = await Promise.all([session.get("/api/v1/agencies"), session.get("/api/v1/services"), session.get("/api/v1/counters")]);
    agencies = a.agencies || [];
    services = (s.services || []).filter(mineOnly).sort((x, y) => x.code.localeCompare(y.code));
    counters = (c.counters || []).filter(mineOnly).sort((x, y) => agencyName(x.agency_id).localeCompare(agencyName(y.agency_id)) || x.name.localeCompare(y.name, "id", { numeric: true }));
    svcTable.update(services);
    ctrTable.update(counters);
  }

  function needAgency() {
    if (agencies.length > 0) return true;
    ctx.notice(t("services.no_agency"), "err");
    return false;
  }

  function editService(s) {
    if (!needAgency()) return;
    const afterOpens = (v, vals) => (v && vals.opens && TIME_RE.test(v) && TIME_RE.test(vals.opens) && minutes(v) <= minutes(vals.opens) ? t("why.after_opens") : "");
    const spec = [
      { group: t("svc.group.what"), columns: true, fields: [
        { name: "agency_id", label: t("svc.agency"), type: "select", required: true, options: agencyOptions, wide: true },
        { name: "code", label: t("svc.code"), required: true, upper: true, pattern: /^[A-Z]{1,3}$/, patternWhy: t("why.service_code"), help: t("svc.code.help"), short: true, size: 4 },
        { name: "name", label: t("svc.name"), required: true, maxLength: 120, span2: true },
        { name: "name_en", label: t("svc.name_en"), maxLength: 120, span2: true },
        { name: "fee", label: t("svc.fee"), maxLength: 200, help: t("svc.fee.help"), span2: true },
        { name: "fee_en", label: t("svc.fee_en"), maxLength: 200, help: t("svc.fee_en.help"), span2: true },
        { name: "requirements", label: t("svc.requirements"), type: "lines", help: t("svc.requirements.help"), wide: true, rows: 3, validate: (v) => (v.length > 30 ? t("why.at_most", { n: 30 }) : v.some((r) => r.length > 200) ? t("why.max_chars", { n: 200 }) : "") },
        // The English requirements translate the Indonesian ones line by
        // line (the visitor's checklist is one list in either language).
        { name: "requirements_en", label: t("svc.requirements_en"), type: "lines", help: t("svc.requirements_en.help"), wide: true, rows: 3,
          validate: (v, all) => (v.length && v.length !== (all.requirements || []).length ? t("why.requirements_en", { n: (all.requirements || []).length }) : v.some((r) => r.length > 200) ? t("why.max_chars", { n: 200 }) : "") },
      ] },
      { group: t("svc.group.when"), columns: true, fields: [
        { name: "daily_quota", label: t("svc.quota"), type: "number", required: true, min: 0, max: 100000, help: t("svc.quota.help") },
        { name: "target_wait_min", label: t("svc.target_min"), type: "number", required: true, min: 1, max: 600 },
        { name: "opens", label: t("svc.opens"), type: "time", help: t("svc.hours.help") },
        { name: "closes", label: t("svc.closes"), type: "time", validate: afterOpens },
        { name: "avg_service_min", label: t("svc.avg_min"), type: "number", required: true, min: 1, max: 600, help: t("svc.avg_min.help") },
      ] },
      { group: t("svc.group.online"), columns: true, fields: [
        { name: "slot_minutes", label: t("svc.slot_minutes"), type: "number", required: true, min: 5, max: 240 },
        { name: "slot_capacity", label: t("svc.slot_capacity"), type: "number", required: true, min: 1, max: 1000 },
        { name: "online_share_pct", label: t("svc.online_share"), type: "number", required: true, min: 0, max: 100 },
        { name: "requires_nik", label: t("svc.requires_nik"), type: "checkbox" },
        { name: "active", label: t("svc.active.label"), type: "checkbox", help: t("svc.active.help") },
      ] },
    ];
    const defaults = {
      agency_id: ctx.isAdmin ? (agencies[0] || {}).id : ctx.user.agency_id,
      code: "", name: "", name_en: "", fee: "", fee_en: "", requirements: [], requirements_en: [], daily_quota: 0, opens: "", closes: "",
      target_wait_min: 15, avg_service_min: 10, slot_minutes: 30, slot_capacity: 5, online_share_pct: 50, requires_nik: false, active: true,
    };
    const initial = s ? { ...defaults, ...s } : defaults;
    delete initial.id;
    editDialog(ctx, {
      row: s, path: "/api/v1/services", spec, initial, reload: load, wide: true,
      title: s ? t("services.edit", { what: svcLabel(s) }) : t("services.add"),
      addLabel: t("services.add"),
      name: (v) => `${v.code} · ${v.name}`,
    });
  }

  function removeService(s) {
    return confirmAction(ctx, {
      confirm: [t("delete.what", { what: svcLabel(s) }), t("services.delete.confirm", { what: svcLabel(s) }), t("delete")],
      run: () => session.request("DELETE", `/api/v1/services/${s.id}`),
      done: t("deleted.what", { what: svcLabel(s) }),
      reload: load,
    });
  }

  function editCounter(k) {
    if (!needAgency()) return;
    const spec = [
      { name: "agency_id", label: t("svc.agency"), type: "select", required: true, options: agencyOptions },
      { name: "name", label: t("ctr.name"), required: true, maxLength: 60, help: t("ctr.name.help") },
      { name: "name_en", label: t("ctr.name_en"), maxLength: 60, help: t("ctr.name_en.help") },
      {
        name: "service_ids", label: t("ctr.services"), type: "checks", required: true, dependsOn: "agency_id",
        options: (v) => services.filter((s) => s.agency_id === v.agency_id).map((s) => ({ value: s.id, label: svcLabel(s) })),
        emptyText: t("ctr.services.none"), help: t("ctr.services.help"),
      },
    ];
    const initial = k
      ? { agency_id: k.agency_id, name: k.name, name_en: k.name_en || "", service_ids: [...k.service_ids] }
      : { agency_id: ctx.isAdmin ? (agencies[0] || {}).id : ctx.user.agency_id, name: "", name_en: "", service_ids: [] };
    editDialog(ctx, {
      row: k, path: "/api/v1/counters", spec, initial, reload: load,
      title: k ? t("counters.edit", { what: k.name }) : t("counters.add"),
      addLabel: t("counters.add"),
      name: (v) => v.name,
    });
  }

  function removeCounter(k) {
    return confirmAction(ctx, {
      confirm: [t("delete.what", { what: k.name }), t("counters.delete.confirm", { what: k.name }), t("delete")],
      run: () => session.request("DELETE", `/api/v1/counters/${k.id}`),
      done: t("deleted.what", { what: k.name }),
      reload: load,
    });
  }

  await load();
  return reloadOn(load, (ev) => {
    const what = ev.type === "config.changed" ? ev.data.what : "";
    return ["agency", "service", "counter"].includes(what) || ev.type.startsWith("counter.") || ev.type === "ticket.called" || ev.type === "ticket.done";
  });
}
