// overview.js — Ringkasan: the live overview of the mall — queues per
// agency, counter states, the longest wait. It follows the public feed and
// re-reads the board (GET /api/v1/state) and the waiting tickets (staff
// API) after the events that change them. A supervisor sees their own
// agency only.

import { h } from "./ui.js";

export async function mount(el, ctx) {
  const { t, session } = ctx;
  let agencies = [];
  let board = null;
  let waiting = [];
  let offset = 0;

  const tiles = h("div", { class: "tiles", id: "overview-tiles" });
  const grid = h("div", { class: "agency-grid", id: "overview-agencies" });
  const updated = h("p", { class: "hint", id: "overview-updated" });
  el.append(h("p", { class: "lead" }, ctx.isAdmin ? t("overview.lead") : t("overview.lead.supervisor")), tiles, grid, updated);

  const mine = (agencyId) => ctx.isAdmin || agencyId === ctx.user.agency_id;
  const mins = (iso) => Math.max(0, Math.floor((Date.now() + offset - Date.parse(iso)) / 60000));

  async function load() {
    const [a, st, w] = await Promise.all([
      session.get("/api/v1/agencies"),
      session.get("/api/v1/state"),
      session.getAll("/api/v1/tickets?status=waiting", "tickets"),
    ]);
    offset = session.serverOffset;
    agencies = (a.agencies || []).filter((x) => mine(x.id));
    board = st;
    waiting = w.filter((x) => mine(x.agency_id));
    render();
  }

  function longest(list) {
    let best = null;
    for (const tk of list) if (!best || Date.parse(tk.queued_at) < Date.parse(best.queued_at)) best = tk;
    return best;
  }

  function tile(label, value, sub, id) {
    return h("div", { class: "tile", id }, h("span", { class: "tile-label" }, label), h("strong", { class: "tile-value num" }, value), sub ? h("span", { class: "tile-sub" }, sub) : null);
  }

  function render() {
    if (!board) return;
    const counters = board.counters.filter((c) => mine(c.agency_id));
    const services = board.services.filter((s) => mine(s.agency_id));
    const open = counters.filter((c) => c.status === "open").length;
    const paused = counters.filter((c) => c.status === "paused").length;
    const total = services.reduce((n, s) => n + s.waiting, 0);
    const top = longest(waiting);
    const agencyOf = (id) => agencies.find((a) => a.id === id);
    tiles.replaceChildren(
      tile(t("overview.waiting"), String(total), t("overview.services", { n: services.length }), "tile-waiting"),
      tile(t("overview.counters"), t("overview.open_of", { open, total: counters.length }), paused ? t("overview.paused", { n: paused }) : t("overview.none_paused"), "tile-counters"),
      tile(t("overview.longest"), top ? t("minutes", { m: mins(top.queued_at) }) : "—", top ? `${top.number} · ${(agencyOf(top.agency_id) || {}).short_name || (agencyOf(top.agency_id) || {}).name || ""}` : t("overview.nobody"), "tile-longest"),
    );
    if (agencies.length === 0) {
      grid.replaceChildren(h("p", { class: "empty" }, t("overview.empty")));
    } else {
      grid.replaceChildren(...agencies.map((a) => {
        const svcs = services.filter((s) => s.agency_id === a.id);
        const ctrs = counters.filter((c) => c.agency_id === a.id).sort((x, y) => x.name.localeCompare(y.name, "id", { numeric: true }));
        const w = waiting.filter((x) => x.agency_id === a.id);
        const lg = longest(w);
        const n = svcs.reduce((s, x) => s + x.waiting, 0);
        return h("section", { class: "card agency-card", dataset: { agency: a.id }, "aria-labelledby": "ov-" + a.id },
          h("div", { class: "agency-head" },
            h("h2", { id: "ov-" + a.id }, a.short_name || a.name),
            h("span", { class: "agency-stats" }, t("overview.agency.waiting", { n }), lg ? ` · ${t("overview.agency.longest", { m: mins(lg.queued_at), number: lg.number })}` : "")),
          svcs.length ? h("table", { class: "mini" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("svc.name")), h("th", { scope: "col", class: "right" }, t("overview.col.waiting")), h("th", { scope: "col", class: "right" }, t("overview.col.eta")), h("th", { scope: "col", class: "right" }, t("overview.col.longest")))),
            h("tbody", {}, svcs.map((s) => {
              const sl = longest(w.filter((x) => x.service_id === s.id));
              return h("tr", { dataset: { service: s.id } },
                h("td", {}, h("span", { class: "code" }, s.code), " ", s.name),
                h("td", { class: "right num" }, String(s.waiting)),
                h("td", { class: "right" }, s.eta_min === null || s.eta_min === undefined ? "—" : t("overview.eta", { m: s.eta_min })),
                h("td", { class: "right" }, sl ? t("minutes", { m: mins(sl.queued_at) }) : "—"));
            }))) : h("p", { class: "hint" }, t("overview.no_services")),
          h("ul", { class: "counter-chips", "aria-label": t("counters.title") }, ctrs.map((c) =>
            h("li", { class: "counter-chip " + c.status, dataset: { counter: c.id } },
              h("span", { class: "cc-name" }, c.name),
              h("span", { class: "chip " + c.status }, t("counter." + c.status)),
              h("span", { class: "cc-num num" }, c.current ? c.current.number : "—")))),
        );
      }));
    }
    updated.textContent = t("overview.updated");
  }

  let timer = 0;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().catch((err) => console.error("overview", err)), 250);
  };
  const tick = setInterval(render, 30000);
  await load();
  return {
    onEvent(ev) {
      if (ev.type.startsWith("ticket.") || ev.type.startsWith("counter.") || ev.type === "config.changed" || ev.type === "day.started") soon();
    },
    onBoard() {
      soon();
    },
    unmount() {
      clearTimeout(timer);
      clearInterval(tick);
    },
  };
}
