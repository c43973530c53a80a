// agencies.js — Instansi: the agencies serving at the mall (admin only).

import { h, dataTable, Form, openDialog, confirmDialog, errorText } from "./ui.js";

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let list = [];

  const table = dataTable({
    label: t("nav.agencies"),
    empty: t("agencies.empty"),
    rowId: (a) => a.id,
    columns: [
      { label: t("agency.code"), cell: (a) => h("span", { class: "code" }, a.code), text: (a) => a.code },
      { label: t("agency.name"), cell: (a) => a.name },
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
    ];
    const initial = a ? { code: a.code, name: a.name, short_name: a.short_name } : { code: "", name: "", short_name: "" };
    let d;
    const form = new Form(spec, initial, {
      submitLabel: a ? t("save") : t("agencies.add"),
      onCancel: () => d.close(),
      onSubmit: async (v) => {
        if (a) await session.request("PUT", `/api/v1/agencies/${a.id}`, { body: v });
        else await session.request("POST", "/api/v1/agencies", { body: v });
        d.close();
        ctx.notice(t(a ? "saved.what" : "added.what", { what: v.name }));
        await load();
      },
    });
    d = openDialog(a ? t("agencies.edit", { what: a.name }) : t("agencies.add"), form.el);
  }

  async function remove(a) {
    if (!(await confirmDialog(t("delete.what", { what: a.name }), t("agencies.delete.confirm", { what: a.name }), t("delete")))) return;
    try {
      await session.request("DELETE", `/api/v1/agencies/${a.id}`);
      ctx.notice(t("deleted.what", { what: a.name }));
    } catch (err) {
      ctx.notice(errorText(err), "err");
    }
    await load();
  }

  await load();
  let timer = 0;
  return {
    onEvent(ev) {
      if (ev.type === "config.changed" && ev.data.what === "agency") {
        clearTimeout(timer);
        timer = setTimeout(() => load().catch(() => {}), 200);
      }
    },
  };
}
