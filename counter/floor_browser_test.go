package counter_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// floorMall is the test mall made to look like a busy morning at a real
// one: the mall's long name, an agency with a long name and an English
// one, a service with many long requirements, and a counter that serves it.
func floorMall(t *testing.T, s *apptest.Server) *apptest.Mall {
	t.Helper()
	m := s.SetupMall()
	site := *s.App.Engine.State().Site
	site.Name = "Mal Pelayanan Publik Kabupaten Bintan"
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	a := m.AgencyA
	a.Name, a.NameEN, a.ShortNameEN = "Dinas Kependudukan dan Pencatatan Sipil", "Population and Civil Registration Office", "Civil Registry"
	s.MustJSON(http.MethodPut, "/api/v1/agencies/"+a.ID, s.Admin, a, http.StatusOK, nil)
	svc := *s.App.Engine.State().Service(m.ServiceA1.ID)
	svc.Name, svc.NameEN = "Akta Kelahiran", "Birth certificate"
	svc.Requirements = []string{
		"Surat keterangan lahir dari rumah sakit, puskesmas atau bidan",
		"Kartu Keluarga", "KTP-el kedua orang tua",
		"Buku nikah atau akta perkawinan orang tua",
		"Surat keterangan dua orang saksi kelahiran",
	}
	svc.RequirementsEN = []string{
		"Birth letter from the hospital, health centre or midwife",
		"Family card", "Both parents' ID cards",
		"Parents' marriage book or certificate",
		"Statement of two witnesses to the birth",
	}
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc, http.StatusOK, nil)
	return m
}

// headerCheck finds what is wrong with the console's top bar: items that
// overlap, items cut short, text that wraps onto a second line.
const headerCheck = `(() => {
	const bad = [];
	const items = [...document.querySelectorAll(".topbar .brand .site, .topbar .brand .app, #where > *, #today > *, #conn, .top-actions > *")]
		.filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden");
	const box = (el) => el.getBoundingClientRect();
	const name = (el) => (el.id || el.className) + " " + JSON.stringify(el.textContent.trim().slice(0, 30));
	for (let i = 0; i < items.length; i++) {
		const a = box(items[i]);
		if (a.right > innerWidth + 0.5 || a.left < -0.5) bad.push(name(items[i]) + " leaves the screen");
		if (items[i].scrollWidth > items[i].clientWidth + 1) bad.push(name(items[i]) + " is cut short");
		// One line: every text line of the item at one height.
		const r = document.createRange();
		r.selectNodeContents(items[i]);
		const rects = [...r.getClientRects()].filter((x) => x.width > 0).sort((x, y) => x.top - y.top);
		let lines = 0, bottom = -Infinity;
		for (const x of rects) {
			if (x.top >= bottom - 2) {
				lines++;
				bottom = x.bottom;
			} else bottom = Math.max(bottom, x.bottom);
		}
		if (lines > 1) bad.push(name(items[i]) + " wraps onto " + lines + " lines");
		for (let j = i + 1; j < items.length; j++) {
			if (items[i].contains(items[j]) || items[j].contains(items[i])) continue;
			const b = box(items[j]);
			if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
				bad.push(name(items[i]) + " overlaps " + name(items[j]));
			}
		}
	}
	return bad;
})()`

// actionsCheck finds the console's controls that are not wholly on the
// screen, and the requirements or the result line when they are cut.
const actionsCheck = `(() => {
	const bad = [];
	const shown = (el) => el && el.getClientRects().length && getComputedStyle(el).visibility !== "hidden";
	for (const el of document.querySelectorAll("#actions .act, #open-button, #result, #undo")) {
		if (!shown(el)) continue;
		const r = el.getBoundingClientRect();
		if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5) bad.push((el.id || el.className) + " is off the screen: " + JSON.stringify(r));
	}
	for (const id of ["cur-reqs", "result", "current"]) {
		const el = document.getElementById(id);
		if (shown(el) && el.scrollHeight > el.clientHeight + 1) bad.push(id + " is cut: " + el.scrollHeight + " > " + el.clientHeight);
	}
	const reqs = document.getElementById("cur-reqs"), acts = document.getElementById("actions");
	if (shown(reqs) && reqs.getBoundingClientRect().bottom > acts.getBoundingClientRect().top + 0.5) bad.push("the requirements run under the actions");
	return bad;
})()`

func checkConsoleLayout(t *testing.T, b *browsertest.Browser, label string) {
	t.Helper()
	// A busy day's figures take their room in the top bar.
	b.WaitFor(`!window.__antrean.refreshing() && !window.__antrean.state.busy`, 5*time.Second)
	b.Eval(`window.__antrean.state.figures = {served: 128, avgSec: 372}; window.__antrean.render()`, nil)
	b.Screenshot(label)
	var bad []string
	b.Eval(headerCheck, &bad)
	for _, x := range bad {
		t.Errorf("%s: top bar: %s", label, x)
	}
	bad = nil
	b.Eval(actionsCheck, &bad)
	for _, x := range bad {
		t.Errorf("%s: %s", label, x)
	}
	if b.Overflows() {
		t.Errorf("%s: the page scrolls sideways", label)
	}
	b.Axe("counter " + label)
}

// TestConsoleFloor1366: the console at 1366×768, in Indonesian and
// English, idle, called, serving and paused, with a long mall name, a
// long agency name, a service with many requirements and a two-line
// result: no two items of the top bar meet, none is cut or wraps, every
// action and the whole result are on the screen, the requirements are
// not cut; F1 says what it will do; the transfer list says which
// services have an open counter and how many wait, and asks before
// sending a visitor where no counter is open; F1 on a break says why
// and how to carry on; no console error from signing in to the end.
func TestConsoleFloor1366(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := floorMall(t, s)
	for i := 0; i < 12; i++ {
		s.Issue(m, m.ServiceA1.ID, i%5 == 1)
	}
	// Polres's SKCK has a counter open and two waiting; Kartu Keluarga
	// is served by Loket 1 only, and nobody waits for it.
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/open", m.Tokens["officerB"], nil, http.StatusOK, nil)
	s.Issue(m, m.ServiceB1.ID, false)
	s.Issue(m, m.ServiceB1.ID, false)

	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	b.Open(s.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	signIn(b, m.Users["officerA"].Username, apptest.StaffPassword)
	b.WaitVisible(`#picker-view [data-counter="`+m.CounterA.ID+`"]`, 5*time.Second)
	b.Keys(kb.Enter)
	b.WaitFor(`document.activeElement.id === "open-button"`, 5*time.Second)
	b.Keys(kb.Enter)
	b.WaitFor(`window.__antrean.state.counter.status === "open" && !window.__antrean.state.busy && document.querySelectorAll("#waiting-body tr").length === 12`, 5*time.Second)

	en := b.NewTab(1366, 768)
	english := func(label, cond string) {
		t.Helper()
		en.Open(s.URL + "/counter?lang=en")
		en.WaitFor(`window.__antrean && window.__antrean.ready && !window.__antrean.state.busy && window.__antrean.state.view === "console" && (`+cond+`)`, 10*time.Second)
		checkConsoleLayout(t, en, label+"-en")
	}
	nextLabel := func(b *browsertest.Browser) string {
		var s string
		b.Eval(`document.getElementById("act-next").innerText`, &s)
		return strings.Join(strings.Fields(s), " ")
	}

	// Idle: F1 calls the next.
	b.WaitText("#act-next", "Berikutnya", time.Second)
	if got := nextLabel(b); got != "F1 Berikutnya" {
		t.Errorf("idle F1 reads %q, want F1 Berikutnya", got)
	}
	checkConsoleLayout(t, b, "idle-id")
	english("idle", `!window.__antrean.state.counter.current`)
	if got := nextLabel(en); got != "F1 Next" {
		t.Errorf("idle F1 reads %q in English, want F1 Next", got)
	}

	// Called: F1 finishes the ticket and calls the next — it says so.
	press(b, kb.F1, "dipanggil.")
	if got := nextLabel(b); got != "F1 Selesai & berikutnya" {
		t.Errorf("with a called ticket F1 reads %q, want F1 Selesai & berikutnya", got)
	}
	var desc string
	b.Eval(`document.getElementById("act-next").getAttribute("aria-describedby") ? document.getElementById(document.getElementById("act-next").getAttribute("aria-describedby")).textContent : ""`, &desc)
	if !strings.Contains(desc, "selesai") {
		t.Errorf("F1's description %q does not say the current ticket is finished", desc)
	}
	checkConsoleLayout(t, b, "called-id")
	english("called", `window.__antrean.state.counter.current && window.__antrean.state.counter.current.status === "called"`)
	if got := nextLabel(en); got != "F1 Done & next" {
		t.Errorf("with a called ticket F1 reads %q in English, want F1 Done & next", got)
	}
	// The English console shows the English agency name and
	// requirements.
	en.WaitText("#agency-name", "Civil Registry", time.Second)
	en.WaitText("#cur-reqs-list", "Birth letter from the hospital", time.Second)

	// Serving, with a result that takes two lines.
	press(b, kb.F3, "sedang dilayani.")
	b.Eval(`window.__antrean.showResult("A002 dialihkan ke Dinas Kependudukan dan Pencatatan Sipil — Penerbitan dan Perubahan Kartu Keluarga dan Akta Kelahiran untuk anak yang lahir di luar negeri.", "ok")`, nil)
	var lines int
	b.Eval(`(() => { const r = document.createRange(); r.selectNodeContents(document.getElementById("result-text")); return new Set([...r.getClientRects()].map((x) => Math.round(x.top))).size; })()`, &lines)
	if lines < 2 {
		t.Errorf("the long result takes %d line, want at least 2 for this test", lines)
	}
	checkConsoleLayout(t, b, "serving-id")
	english("serving", `window.__antrean.state.counter.current && window.__antrean.state.counter.current.status === "serving"`)
	en.Eval(`window.__antrean.showResult("A002 transferred to the Population and Civil Registration Office — Family card issue and changes, and birth certificates for children born abroad.", "ok")`, nil)
	checkConsoleLayout(t, en, "serving-result-en")

	// The transfer list: per service, an open counter or none, and how
	// many wait; sending a visitor where no counter is open asks first.
	b.Keys(kb.F7)
	b.WaitVisible("#transfer-dialog[open] #transfer-search", 2*time.Second)
	skck := b.Text(`#svc-opt-` + m.ServiceB1.ID)
	if !strings.Contains(skck, "1 loket buka") || !strings.Contains(skck, "2 menunggu") {
		t.Errorf("SKCK in the transfer list reads %q, want its open counter and 2 waiting", skck)
	}
	kk := b.Text(`#svc-opt-` + m.ServiceA2.ID)
	if !strings.Contains(kk, "1 loket buka") || !strings.Contains(kk, "0 menunggu") {
		t.Errorf("Kartu Keluarga in the transfer list reads %q: Loket 1 serves it and is open, nobody waits", kk)
	}
	b.Screenshot("transfer-id")
	b.Axe("counter transfer (id)")
	// Close Loket 7, and SKCK has no open counter: a confirm step.
	b.Keys(kb.Escape)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/close", m.Tokens["officerB"], nil, http.StatusOK, nil)
	for deadline := time.Now().Add(3 * time.Second); ; {
		var n int
		b.Eval(`window.__antrean.openCounters(`+q(m.ServiceB1.ID)+`)`, &n)
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SKCK still has %d open counters", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Keys(kb.F7)
	b.WaitVisible("#transfer-dialog[open] #transfer-search", 2*time.Second)
	b.Type("#transfer-search", "skck")
	b.WaitFor(`document.querySelector("#transfer-list [aria-selected=true]")`, 2*time.Second)
	if got := b.Text(`#svc-opt-` + m.ServiceB1.ID); !strings.Contains(got, "Tidak ada loket buka") {
		t.Errorf("closed SKCK reads %q in the transfer list", got)
	}
	b.Keys(kb.Enter)
	b.WaitVisible("#transfer-confirm:not([hidden])", 2*time.Second)
	if got := b.Text("#transfer-confirm"); !strings.Contains(got, "belum ada loket yang buka") {
		t.Errorf("the confirm step says %q", got)
	}
	b.Screenshot("transfer-confirm-id")
	b.Axe("counter transfer confirm (id)")
	var cur string
	b.Eval(`window.__antrean.state.counter.current.status`, &cur)
	if cur != "serving" {
		t.Errorf("before the confirmation the ticket is %s, want still serving", cur)
	}
	press(b, kb.Enter, "dialihkan ke Polres — SKCK.")

	// Paused: F1 says why it is refused and how to carry on.
	press(b, kb.F1, "dipanggil.")
	b.Keys(kb.F9)
	b.WaitVisible("#pause-dialog[open]", 2*time.Second)
	press(b, kb.Enter, "istirahat: ISHOMA.")
	b.Keys(kb.F1)
	b.WaitText("#result-text", "Loket sedang istirahat", time.Second)
	if got := b.Text("#result-text"); !strings.Contains(got, "F9") {
		t.Errorf("F1 on a break says %q, want how to resume (F9)", got)
	}
	checkConsoleLayout(t, b, "paused-id")
	english("paused", `window.__antrean.state.counter.status === "paused"`)
	en.Keys(kb.F1)
	en.WaitText("#result-text", "on a break", time.Second)
	if got := en.Text("#result-text"); !strings.Contains(got, "F9") {
		t.Errorf("F1 on a break says %q in English", got)
	}
	b.NoErrors()
	en.NoErrors()
}

func q(s string) string { return fmt.Sprintf("%q", s) }

// TestConsoleSignInQuiet: opening the console with no session asks
// nobody who is signed in (no 401 in the console); signed in, it resumes;
// a session ended elsewhere is found once, and then the page is quiet.
func TestConsoleSignInQuiet(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	b.Open(s.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.state.view === "login"`, 10*time.Second)
	var asked bool
	b.Eval(`performance.getEntriesByType("resource").some((e) => e.name.includes("/api/v1/me"))`, &asked)
	if asked {
		t.Error("the console asked /api/v1/me with no session to ask about")
	}
	signIn(b, m.Users["officerA"].Username, apptest.StaffPassword)
	b.WaitVisible(`#picker-view`, 5*time.Second)
	// Reloaded, the signed-in console resumes through /me.
	b.Open(s.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.state.view === "picker"`, 10*time.Second)
	b.NoErrors()
	// A session ended elsewhere (an admin changed the password): the
	// console finds out (the live feed's config.changed, or a reload's
	// 401 from /me, the one an ended session deserves) and shows the
	// sign-in; that 401 also ends the hint, so the next load is quiet.
	var u queue.User = m.Users["officerA"]
	s.MustJSON(http.MethodPut, "/api/v1/users/"+u.ID, s.Admin, map[string]any{"username": u.Username, "role": u.Role, "agency_id": u.AgencyID, "password": "another-password-9"}, http.StatusOK, nil)
	b.Open(s.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.state.view === "login"`, 10*time.Second)
	before := len(b.Errors())
	b.Open(s.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.state.view === "login"`, 10*time.Second)
	var hint bool
	b.Eval(`document.cookie.includes("antrean_signed_in")`, &hint)
	if after := len(b.Errors()); after != before || hint {
		t.Errorf("after the ended session was found: %d new console errors, hint cookie kept %v", after-before, hint)
	}
}
