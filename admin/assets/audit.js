// audit.js — Jejak audit: who did what, from where and when (admin only).
// The log is searched on the server (day range, action, user) and read
// newest first, a page at a time.

import { h } from "./ui.js";

const PAGE = 100;

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let users = [];
  let next = "";

  const from = h("input", { type: "date", id: "audit-from", name: "from" });
  const to = h("input", { type: "date", id: "audit-to", name: "to" });
  // Any action may be typed; the list offers the usual ones.
  const known = ["login", "login.failed", "logout", "backup", "user.password", "booking.viewed"];
  for (const kind of ["site", "agency", "service", "counter", "user", "device"]) {
    known.push(`${kind}.updated`);
    if (kind !== "site") known.push(`${kind}.created`, `${kind}.deleted`);
  }
  for (const act of ["open", "pause", "close", "next", "call", "recall", "start", "done", "no-show", "transfer"]) known.push(`counter.${act}`);
  const action = h("input", { type: "search", id: "audit-action", name: "action", list: "audit-actions", autocomplete: "off", spellcheck: "false", placeholder: t("audit.any_action") });
  const actions = h("datalist", { id: "audit-actions" }, known.map((a) => h("option", { value: a })));
  const actor = h("select", { id: "audit-actor", name: "actor_id" }, h("option", { value: "" }, t("audit.any_user")));
  const tbody = h("tbody");
  const empty = h("p", { class: "empty", hidden: true }, t("audit.empty"));
  const more = h("button", { type: "button", class: "ghost", id: "audit-more", hidden: true, onclick: () => load(false) }, t("audit.more"));
  const fmt = new Intl.DateTimeFormat(ctx.lang === "en" ? "en-GB" : "id-ID", {
    dateStyle: "medium", timeStyle: "medium", timeZone: ctx.cfg.timezone || undefined,
  });

  const form = h("form", { class: "filters", id: "audit-filters", onsubmit: (e) => { e.preventDefault(); load(true); } },
    h("label", { class: "field short" }, h("span", {}, t("audit.from")), from),
    h("label", { class: "field short" }, h("span", {}, t("audit.to")), to),
    h("label", { class: "field" }, h("span", {}, t("audit.action")), action, actions),
    h("label", { class: "field" }, h("span", {}, t("audit.user")), actor),
    h("button", { type: "submit", class: "primary" }, t("audit.search")));

  el.append(
    h("p", { class: "lead" }, t("audit.lead")),
    form,
    h("div", { class: "table-wrap" }, h("div", { class: "table-scroll" },
      h("table", { class: "data", id: "audit-table" },
        h("caption", { class: "sr-only" }, t("nav.audit")),
        h("thead", {}, h("tr", {},
          [t("audit.at"), t("audit.user"), t("audit.action"), t("audit.target"), t("audit.address")].map((l) => h("th", { scope: "col" }, l)))),
        tbody)), empty),
    more);

  // Names of what entries point at, where the lists know them.
  const names = new Map();
  function targetText(tg) {
    if (!tg || !tg.kind) return "—";
    const name = names.get(`${tg.kind}:${tg.id}`);
    return name ? `${t("audit.kind." + tg.kind)} · ${name}` : `${t("audit.kind." + tg.kind)} ${tg.id || ""}`.trim();
  }

  function row(e) {
    const who = e.actor.name || e.actor.id || "—";
    const target = targetText(e.target);
    return h("tr", { dataset: { id: e.id } },
      h("td", { class: "nowrap" }, fmt.format(new Date(e.at))),
      h("td", {}, who),
      h("td", {}, h("span", { class: "code" }, e.action)),
      h("td", {}, target, e.detail ? h("span", { class: "hint" }, " · " + e.detail) : null),
      h("td", { class: "nowrap" }, e.address || "—"));
  }

  async function load(fresh) {
    const q = new URLSearchParams({ limit: String(PAGE) });
    for (const [k, input] of [["from", from], ["to", to], ["action", action], ["actor_id", actor]]) {
      if (input.value) q.set(k, input.value);
    }
    if (!fresh && next) q.set("after", next);
    try {
      const data = await session.get("/api/v1/audit?" + q);
      if (fresh) tbody.replaceChildren();
      tbody.append(...data.entries.map(row));
      next = data.next_after || "";
      more.hidden = !next;
      empty.hidden = tbody.children.length > 0;
    } catch (err) {
      ctx.notice(err.message, "error");
    }
  }

  const [u, ag, sv, ct, dv] = await Promise.all(["users", "agencies", "services", "counters", "devices"].map((l) => session.get("/api/v1/" + l)));
  users = (u.users || []).sort((a, b) => a.username.localeCompare(b.username));
  actor.append(...users.map((x) => h("option", { value: x.id }, x.username)));
  for (const x of users) names.set(`user:${x.id}`, x.username);
  for (const x of ag.agencies || []) names.set(`agency:${x.id}`, x.short_name || x.name);
  for (const x of sv.services || []) names.set(`service:${x.id}`, x.name);
  for (const x of ct.counters || []) names.set(`counter:${x.id}`, x.name);
  for (const x of dv.devices || []) names.set(`device:${x.id}`, x.name);
  await load(true);
  return {};
}
