// The region's screens: the live board (polled every 5 s) and the
// reports. Words come from the page (#texts), Indonesian first.
const T = JSON.parse(document.getElementById('texts').textContent);
const page = document.body.dataset.page;
const lang = T.lang;
const nf = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'id-ID');
const df = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'id-ID', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const nf3 = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'id-ID', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
let csrf = '';

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? '' : String(k)));
  return e;
}

async function api(path, opts = {}) {
  const headers = { 'Accept-Language': lang, ...(opts.headers || {}) };
  if (opts.body) headers['Content-Type'] = 'application/json';
  if (opts.method && opts.method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const r = await fetch(path, { credentials: 'same-origin', ...opts, headers });
  if (r.status === 401 && page !== 'login') { location.reload(); throw new Error('unauthenticated'); }
  if (!r.ok && r.status !== 204) {
    let msg = r.statusText;
    try { msg = (await r.json()).error.message; } catch { /* not JSON */ }
    throw new Error(msg);
  }
  return r.status === 204 ? null : r.json();
}

function duration(s) {
  if (s == null) return '–';
  if (s < 60) return `${s} ${T.sec}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} ${T.min}`;
  return `${Math.floor(m / 60)} ${T.hour_short} ${String(m % 60).padStart(2, '0')} ${T.min}`;
}

function grade(g) { return g ? el('span', { class: `grade ${g}` }, g) : ''; }

// --- sign in and out
const login = document.getElementById('login');
if (login) {
  login.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(login);
    const err = document.getElementById('login-error');
    err.textContent = '';
    try {
      const r = await fetch('/api/v1/login', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Accept-Language': lang },
        body: JSON.stringify({ username: f.get('username'), password: f.get('password') }) });
      if (!r.ok) { err.textContent = (await r.json()).error.message || T.login_failed; return; }
      location.reload();
    } catch (e) { err.textContent = e.message; }
  });
  login.querySelector('input').focus();
} else {
  api('/api/v1/me').then((me) => { csrf = me.csrf_token || ''; }).catch(() => {});
  const out = document.getElementById('logout');
  if (out) out.addEventListener('click', async () => { await api('/api/v1/logout', { method: 'POST' }); location.reload(); });
  if (page === 'board') board(); else reports();
}

// --- the live board
function linkCell(s, now) {
  if (!s.last_event_at) return el('td', { class: 'link' }, el('span', { class: 'link-off' }, T.never));
  const ago = Math.max(0, Math.round((now - new Date(s.last_event_at)) / 60000));
  const cls = s.pending > 0 ? 'link-late' : ago > 30 ? 'link-off' : 'link-ok';
  const what = ago < 1 ? T.just_now : `${nf.format(ago)} ${T.minutes_ago}`;
  const td = el('td', { class: 'link' }, el('span', { class: cls }, `● ${T.last_event} ${what}`));
  if (s.pending > 0) td.append(el('br'), el('small', {}, `${T.behind} ${nf.format(s.pending)} ${T.events}`));
  if (s.missing > 0) td.append(el('br'), el('small', {}, `${nf.format(s.missing)} ${T.events} ${T.missing}`));
  return td;
}

async function board() {
  const body = document.getElementById('sites');
  const tick = async () => {
    try {
      const b = await api('/api/v1/board');
      const now = new Date(b.at);
      const t = b.totals;
      document.getElementById('t-waiting').textContent = nf.format(t.waiting);
      document.getElementById('t-open').textContent = nf.format(t.open_counters);
      document.getElementById('t-longest').textContent = duration(t.longest_wait_s);
      document.getElementById('t-served').textContent = nf.format(t.served);
      document.getElementById('t-ikm').textContent = t.ikm == null ? '–' : df.format(t.ikm);
      document.getElementById('count').textContent = `${nf.format(b.sites.length)} ${T.sites.toLowerCase()}`;
      document.getElementById('updated').textContent = now.toLocaleTimeString(lang === 'en' ? 'en-GB' : 'id-ID');
      const rows = b.sites.map((s) => el('tr', {},
        el('th', { scope: 'row', class: 'site' }, el('strong', {}, s.name || s.site_id), el('small', {}, `${s.site_id} · ${s.day || '–'}`)),
        el('td', { class: 'num', 'data-label': T.waiting }, nf.format(s.waiting)),
        el('td', { class: 'num', 'data-label': T.open_counters }, nf.format(s.open_counters)),
        el('td', { class: `num${s.longest_wait_s > 3600 ? ' long' : ''}`, 'data-label': T.longest_wait }, duration(s.longest_wait_s)),
        el('td', { class: 'num', 'data-label': T.issued }, nf.format(s.issued)),
        el('td', { class: 'num', 'data-label': T.served }, nf.format(s.served)),
        el('td', { class: 'num', 'data-label': T.ikm }, s.ikm == null ? '–' : df.format(s.ikm), ' ', grade(s.ikm_grade)),
        linkCell(s, now)));
      if (rows.length === 0) rows.push(el('tr', {}, el('td', { colspan: '8' }, T.no_sites)));
      body.replaceChildren(...rows);
    } catch (e) {
      document.getElementById('updated').textContent = `${T.error}: ${e.message}`;
    }
  };
  await tick();
  setInterval(tick, 5000);
}

// --- the reports
async function reports() {
  const form = document.getElementById('q');
  const today = document.body.dataset.today;
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 29);
  const params = new URLSearchParams(location.search);
  form.from.value = params.get('from') || d.toISOString().slice(0, 10);
  form.to.value = params.get('to') || today;
  form.group_by.value = params.get('group_by') || 'site';
  try {
    const { sites } = await api('/api/v1/sites');
    for (const s of sites) form.site_id.append(el('option', { value: s.site_id }, s.name || s.site_id));
    form.site_id.value = params.get('site_id') || '';
  } catch { /* the list stays empty */ }
  const show = async () => {
    const q = new URLSearchParams({ from: form.from.value, to: form.to.value, group_by: form.group_by.value });
    if (form.site_id.value) q.set('site_id', form.site_id.value);
    document.getElementById('csv').href = `/api/v1/reports/summary?${q}&format=csv`;
    const rowsBody = document.getElementById('rows');
    rowsBody.replaceChildren(el('tr', {}, el('td', { colspan: '10' }, T.loading)));
    const pct = (p) => (p == null ? '–' : `${df.format(p).replace(/0$/, '')} %`);
    try {
      const [{ rows }, ikm] = await Promise.all([api(`/api/v1/reports/summary?${q}`),
        api(`/api/v1/reports/ikm?${new URLSearchParams({ from: q.get('from'), to: q.get('to'), ...(q.get('site_id') ? { site_id: q.get('site_id') } : {}) })}`)]);
      const siteName = {};
      for (const o of form.site_id.options) siteName[o.value] = o.textContent;
      const out = rows.map((r) => el('tr', {},
        el('td', {}, r.label, (r.site_id && q.get('group_by') !== 'site' && !q.get('site_id')) ? el('small', {}, ` · ${siteName[r.site_id] || r.site_id}`) : ''),
        el('td', { class: 'num' }, nf.format(r.issued)), el('td', { class: 'num' }, nf.format(r.served)),
        el('td', { class: 'num' }, nf.format(r.no_show)), el('td', { class: 'num' }, pct(r.no_show_pct)),
        el('td', { class: 'num' }, nf.format(r.cancelled)), el('td', { class: 'num' }, duration(r.avg_wait_s)),
        el('td', { class: 'num' }, duration(r.p90_wait_s)), el('td', { class: 'num' }, duration(r.avg_service_s)),
        el('td', { class: 'num' }, pct(r.within_target_pct))));
      if (out.length === 0) out.push(el('tr', {}, el('td', { colspan: '10' }, T.no_rows)));
      rowsBody.replaceChildren(...out);
      const ikmRows = ikm.sites.map((s) => el('tr', {}, el('td', {}, s.name || s.site_id), el('td', { class: 'num' }, nf.format(s.respondents)),
        el('td', { class: 'num' }, s.ikm == null ? '–' : df.format(s.ikm)), el('td', {}, grade(s.grade)), el('td', {}, s.performance || '–')));
      ikmRows.push(el('tr', {}, el('td', {}, el('strong', {}, T.overall)), el('td', { class: 'num' }, nf.format(ikm.respondents)),
        el('td', { class: 'num' }, ikm.ikm == null ? '–' : df.format(ikm.ikm)), el('td', {}, grade(ikm.grade)), el('td', {}, ikm.performance || '–')));
      document.querySelector('#ikm-sites tbody').replaceChildren(...ikmRows);
      document.querySelector('#ikm-elements tbody').replaceChildren(...ikm.elements.map((e) => el('tr', {},
        el('td', {}, `${e.element} · ${e.name}`), el('td', { class: 'num' }, e.average == null ? '–' : nf3.format(e.average)), el('td', {}, grade(e.grade)))));
      history.replaceState(null, '', `?${q}&lang=${lang}`);
    } catch (e) {
      rowsBody.replaceChildren(el('tr', {}, el('td', { colspan: '10' }, `${T.error}: ${e.message}`)));
    }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); show(); });
  show();
}
