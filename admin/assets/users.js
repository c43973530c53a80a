// users.js — Pengguna: staff accounts, their roles, password resets and
// disabling. An admin manages everyone; a supervisor the officers of their
// own agency (the API lists only those). A new password or disabling ends
// the user's sessions on the server.

import { h, dataTable, editDialog, formDialog, confirmAction, reloadOn } from "./ui.js";

const USERNAME_RE = /^[a-z0-9][a-z0-9._-]{1,39}$/;
const ROLES = ["admin", "supervisor", "officer", "greeter"];

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let agencies = [];
  let users = [];

  const agencyName = (id) => {
    const a = agencies.find((x) => x.id === id);
    return a ? a.short_name || a.name : "—";
  };
  const roleOptions = () => (ctx.isAdmin ? ROLES : ["officer"]).map((r) => ({ value: r, label: t("role." + r) }));
  const agencyOptions = (v) => {
    const list = agencies.filter((a) => ctx.isAdmin || a.id === ctx.user.agency_id).map((a) => ({ value: a.id, label: a.short_name || a.name }));
    return v.role === "greeter" ? [{ value: "", label: t("user.no_agency") }, ...list] : list;
  };
  const needsAgency = (v) => v.role === "supervisor" || v.role === "officer";
  const passwordRule = (v) => (v && new TextEncoder().encode(v).length > 72 ? t("why.max_bytes") : "");

  const table = dataTable({
    label: t("nav.users"),
    empty: t("users.empty"),
    rowId: (u) => u.id,
    columns: [
      { label: t("user.username"), cell: (u) => h("strong", {}, u.username, u.id === ctx.user.id ? h("span", { class: "sub" }, t("user.you")) : null), text: (u) => u.username },
      { label: t("user.role"), cell: (u) => t("role." + u.role) },
      { label: t("svc.agency"), cell: (u) => (u.agency_id ? agencyName(u.agency_id) : "—"), text: (u) => agencyName(u.agency_id) },
      { label: t("user.status"), cell: (u) => h("span", { class: "chip " + (u.disabled ? "muted" : "ok") }, u.disabled ? t("user.disabled") : t("user.enabled")), text: (u) => (u.disabled ? t("user.disabled") : t("user.enabled")) },
    ],
    actions: (u) => u.id === ctx.user.id
      ? [h("button", { type: "button", class: "small", onclick: () => resetPassword(u), "aria-label": t("user.reset.what", { what: u.username }) }, t("user.reset"))]
      : [
        h("button", { type: "button", class: "small", onclick: () => edit(u), "aria-label": t("edit.what", { what: u.username }) }, t("edit")),
        h("button", { type: "button", class: "small", onclick: () => resetPassword(u), "aria-label": t("user.reset.what", { what: u.username }) }, t("user.reset")),
        h("button", { type: "button", class: "small", onclick: () => toggle(u), "aria-label": t(u.disabled ? "user.enable.what" : "user.disable.what", { what: u.username }) }, u.disabled ? t("user.enable") : t("user.disable")),
        h("button", { type: "button", class: "small danger-outline", onclick: () => remove(u), "aria-label": t("delete.what", { what: u.username }) }, t("delete")),
      ],
  });

  el.append(
    h("p", { class: "lead" }, ctx.isAdmin ? t("users.lead") : t("users.lead.supervisor")),
    h("div", { class: "toolbar" }, h("button", { type: "button", class: "primary", id: "add-user", onclick: () => edit(null) }, "+ ", t("users.add"))),
    table.el,
  );

  async function load() {
    const [a, u] = await Promise.all([session.get("/api/v1/agencies"), session.get("/api/v1/users")]);
    agencies = a.agencies || [];
    users = (u.users || []).sort((x, y) => ROLES.indexOf(x.role) - ROLES.indexOf(y.role) || x.username.localeCompare(y.username));
    table.update(users);
  }

  // body is the PUT of a user: every field, the password only when set.
  const body = (u, v) => {
    const role = v.role ?? u.role;
    const b = {
      username: v.username ?? u.username,
      role,
      agency_id: role === "admin" ? "" : (v.agency_id ?? u.agency_id) || "",
      disabled: v.disabled ?? u.disabled,
    };
    if (v.password) b.password = v.password;
    return b;
  };

  function edit(u) {
    const spec = [
      { name: "username", label: t("user.username"), required: true, lower: true, pattern: USERNAME_RE, patternWhy: t("why.username"), autocomplete: "off" },
      { name: "role", label: t("user.role"), type: "select", options: roleOptions, help: t("user.role.help") },
      { name: "agency_id", label: t("svc.agency"), type: "select", options: agencyOptions, dependsOn: "role", when: (v) => v.role !== "admin", hiddenValue: "", required: false, validate: (val, v) => (needsAgency(v) && !val ? t("why.role_agency") : "") },
    ];
    if (!u) {
      spec.push(
        { name: "password", label: t("user.password"), type: "password", required: true, minLength: 10, validate: passwordRule, help: t("user.password.help") },
        { name: "password2", label: t("user.password2"), type: "password", required: true, validate: (val, v) => (val !== v.password ? t("why.password_match") : "") },
      );
    }
    const initial = u
      ? { username: u.username, role: u.role, agency_id: u.agency_id }
      : { username: "", role: "officer", agency_id: ctx.isAdmin ? (agencies[0] || {}).id || "" : ctx.user.agency_id, password: "", password2: "" };
    editDialog(ctx, {
      row: u, spec, initial, reload: load,
      title: u ? t("users.edit", { what: u.username }) : t("users.add"),
      addLabel: t("users.add"),
      name: (v) => v.username,
      send: (v) => u
        ? session.request("PUT", `/api/v1/users/${u.id}`, { body: body(u, v) })
        : session.request("POST", "/api/v1/users", { body: { username: v.username, password: v.password, role: v.role, agency_id: v.role === "admin" ? "" : v.agency_id || "" } }),
    });
  }

  function resetPassword(u) {
    const own = u.id === ctx.user.id;
    const spec = [
      { name: "password", label: t("user.password.new"), type: "password", required: true, minLength: 10, validate: passwordRule, help: t("user.password.help") },
      { name: "password2", label: t("user.password2"), type: "password", required: true, validate: (val, v) => (val !== v.password ? t("why.password_match") : "") },
    ];
    formDialog(t("user.reset.what", { what: u.username }), spec, { password: "", password2: "" }, {
      submitLabel: t("user.reset"),
      before: h("p", { class: "hint" }, own ? t("user.reset.own") : t("user.reset.note")),
      onSubmit: async (v, close) => {
        await session.request("PUT", `/api/v1/users/${u.id}`, { body: body(u, { password: v.password }) });
        close();
        ctx.notice(t("user.reset.done", { what: u.username }));
        if (!own) await load();
        // Our own password change ends this session too: the next
        // request answers 401 and the sign-in form comes back.
        else await session.restore().then((x) => x || session.onSignedOut());
      },
    });
  }

  function toggle(u) {
    return confirmAction(ctx, {
      // Enabling asks nothing.
      confirm: u.disabled ? null : [t("user.disable.what", { what: u.username }), t("user.disable.confirm", { what: u.username }), t("user.disable")],
      run: () => session.request("PUT", `/api/v1/users/${u.id}`, { body: body(u, { disabled: !u.disabled }) }),
      done: t(u.disabled ? "user.enabled.done" : "user.disabled.done", { what: u.username }),
      reload: load,
    });
  }

  function remove(u) {
    return confirmAction(ctx, {
      confirm: [t("delete.what", { what: u.username }), t("users.delete.confirm", { what: u.username }), t("delete")],
      run: () => session.request("DELETE", `/api/v1/users/${u.id}`),
      done: t("deleted.what", { what: u.username }),
      reload: load,
    });
  }

  await load();
  return reloadOn(load, (ev) => ev.type === "config.changed" && (ev.data.what === "user" || ev.data.what === "agency"));
}
