// agencies.js — Instansi: the agencies serving at the mall (admin only).

import { h, dataTable, editDialog, confirmAction, reloadOn } from "./ui.js";

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let list = [];

  const table = dataTable({
    label: t("nav.agencies"),
    empty: t("agencies.empty"),
    rowId: (a) => a.id,
    columns: [
      { label: t("agency.code"), cell: (a) => h("span", { class: "code" }, a.code), text: (a) => a.code },
      { label: t("agency.name"), cell: (a) => h("span", {}, a.name, a.name_en ? h("span", { class: "sub", lang: "en" }, a.name_en) : null), text: (a) => `${a.name} ${a.name_en || ""}` },
      { label: t("agency.short_name"), cell: (a) => a.short_name || "—", text: (a) => a.short_name },
    ],
    actions: (a) => [
      h("button", { type: "button", class: "small", onclick: () => edit(a), "aria-label": t("edit.what", { what: a.name }) }, t("edit")),
      h("button", { type: "button", class: "small danger-outline", onclick: () => remove(a), "aria-label": t("delete.what", { what: a.name }) }, t("delete")),
    ],
  });

  el.append(
    h("p", { class: "lead" }, t("agencies.lead")),
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", id: "add-agency", onclick: () => edit(null) }, "+ ", t("agencies.add"))),
    table.el,
  );

  async function load() {
    const data = await session.get("/api/v1/agencies");
    list = (data.agencies || []).sort((a, b) => a.code.localeCompare(b.code));
    table.update(list);
  }

  function edit(a) {
    const spec = [
      { name: "code", label: t("agency.code"), required: true, upper: true, pattern: /^[A-Z0-9]{1,10}$/, patternWhy: t("why.agency_code"), help: t("agency.code.help"), short: true },
      { name: "name", label: t("agency.name"), required: true, maxLength: 120, wide: true },
      { name: "short_name", label: t("agency.short_name"), maxLength: 40, help: t("agency.short_name.help") },
      { name: "name_en", label: t("agency.name_en"), maxLength: 120, wide: true, help: t("agency.name_en.help") },
      { name: "short_name_en", label: t("agency.short_name_en"), maxLength: 40, help: t("agency.short_name_en.help") },
    ];
    const initial = a
      ? { code: a.code, name: a.name, short_name: a.short_name, name_en: a.name_en || "", short_name_en: a.short_name_en || "" }
      : { code: "", name: "", short_name: "", name_en: "", short_name_en: "" };
    editDialog(ctx, {
      row: a, path: "/api/v1/agencies", spec, initial, reload: load,
      title: a ? t("agencies.edit", { what: a.name }) : t("agencies.add"),
      addLabel: t("agencies.add"),
      name: (v) => v.name,
    });
  }

  function remove(a) {
    return confirmAction(ctx, {
      confirm: [t("delete.what", { what: a.name }), t("agencies.delete.confirm", { what: a.name }), t("delete")],
      run: () => session.request("DELETE", `/api/v1/agencies/${a.id}`),
      done: t("deleted.what", { what: a.name }),
      reload: load,
    });
  }

  await load();
  return reloadOn(load, (ev) => ev.type === "config.changed" && ev.data.what === "agency", 200);
}
