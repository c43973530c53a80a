package counter_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// allowed are console messages a test may see: the page asks who is
// signed in before anybody is (401), and a session ended on purpose
// answers 401 too.
var allowed = []string{`status of 401`}

// signIn fills the console's sign-in form with the keyboard.
func signIn(b *browsertest.Browser, user, password string) {
	b.T.Helper()
	b.WaitVisible("#login-form", 5*time.Second)
	b.Clear("#login-username")
	b.Type("#login-username", user)
	b.Type("#login-password", password+kb.Enter)
}

// press presses a key and waits until the console has finished the
// action it started (the result line changed, nothing in flight).
func press(b *browsertest.Browser, key, wantResult string) {
	b.T.Helper()
	b.Keys(key)
	expr := fmt.Sprintf(`!window.__antrean.state.busy && document.getElementById("result-text").textContent.includes(%q)`, wantResult)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var ok bool
		if err := b.TryEval(expr, &ok); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.T.Fatalf("after the key the console says %q, want %q (focus on %s)", b.Text("#result-text"), wantResult, b.Active())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// publicTicket is the visitor's view of a ticket (GET /api/v1/tickets/{id}?k=).
type publicTicket struct {
	Number      string `json:"number"`
	Status      string `json:"status"`
	ServiceName string `json:"service_name"`
	AgencyName  string `json:"agency_name"`
	CounterName string `json:"counter_name"`
	Calls       int    `json:"calls"`
	Position    *int   `json:"position"`
}

func visitor(t *testing.T, s *apptest.Server, a apptest.IssueAnswer) publicTicket {
	t.Helper()
	var p publicTicket
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+a.Ticket.ID+"?k="+a.Key(), "", nil, http.StatusOK, &p)
	return p
}

// waitVisitor polls the visitor's view until check passes (the view is
// read after the server answered the console, so it is there at once).
func waitVisitor(t *testing.T, s *apptest.Server, a apptest.IssueAnswer, what string, check func(publicTicket) bool) publicTicket {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		p := visitor(t, s, a)
		if check(p) {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("visitor's view of %s: %+v, want %s", a.Ticket.Number, p, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// displayShows waits until the lobby display's row of the counter holds
// text.
func displayShows(d *browsertest.Browser, counterID, text string) time.Duration {
	d.T.Helper()
	return d.WaitText(`[data-counter="`+counterID+`"]`, text, 3*time.Second)
}

// TestConsoleMorning: an officer works a morning at the console with the
// keyboard alone — sign in, pick the counter, open, next, recall, serve,
// transfer to another agency, no-show, call back from the no-show list,
// done, a session that ends midway (the admin resets the password), a
// priority ticket, a break, resume, close — while the lobby display and
// the first visitor's page (/t/{id}?k=, in other tabs) follow, and each
// visitor's view through the API too.
func TestConsoleMorning(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	ctr := m.CounterA.ID
	a1 := s.Issue(m, m.ServiceA1.ID, false)
	a2 := s.Issue(m, m.ServiceA1.ID, false)
	a3 := s.Issue(m, m.ServiceA1.ID, false)

	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	// The same console in English, in another tab of the same browser:
	// it is opened at the states that matter and checked with axe.
	en := b.NewTab(1366, 768)
	axeEnglish(en, s.URL, "sign-in", `window.__antrean.state.view === "login"`)
	b.Open(s.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitVisible("#login-form", 5*time.Second)
	b.Axe("counter sign-in (id)")
	signIn(b, m.Users["officerA"].Username, apptest.StaffPassword)

	// The agency has one counter: the picker offers it, focused.
	b.WaitVisible(`#picker-view [data-counter="`+ctr+`"]`, 5*time.Second)
	if got := b.Active(); !strings.HasPrefix(got, "button.counter-choice[Loket 1") {
		t.Errorf("picker focus on %s", got)
	}
	b.Axe("counter picker (id)")
	b.Keys(kb.Enter)
	b.WaitFor(`window.__antrean.state.view === "console" && document.activeElement.id === "open-button"`, 5*time.Second)
	b.Axe("counter closed (id)")
	var stored string
	b.Eval(`localStorage.getItem("antrean.counter.id")`, &stored)
	if stored != ctr {
		t.Errorf("remembered counter %q, want %q", stored, ctr)
	}

	// The lobby display in a second tab of the same browser.
	d := b.NewTab(1366, 768)
	d.Open(s.URL + "/display")
	d.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.status && window.__antrean.status.connected`, 10*time.Second)
	// A001's visitor page (package kiosk) on a phone-sized tab.
	v := b.NewTab(360, 640)
	v.Open(a1.StatusURL)
	v.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.ticket().status === "waiting"`, 10*time.Second)

	// Open with the focused button (Enter), then the waiting list shows
	// the three tickets.
	b.Keys(kb.Enter)
	b.WaitFor(`window.__antrean.state.counter.status === "open" && !window.__antrean.state.busy`, 5*time.Second)
	b.WaitText("#counter-state", "Buka", 2*time.Second)
	b.WaitText("#result-text", "Loket 1 dibuka.", 2*time.Second)
	b.WaitFor(`document.querySelectorAll("#waiting-body tr").length === 3`, 3*time.Second)
	b.WaitText("#n-waiting", "3", time.Second)
	b.Axe("counter open, idle (id)")
	axeEnglish(en, s.URL, "open, idle", `window.__antrean.state.counter.status === "open" && document.querySelectorAll("#waiting-body tr").length === 3`)

	// F1: next calls A001; the display and the visitor follow.
	press(b, kb.F1, "A001 dipanggil.")
	took := displayShows(d, ctr, "A001")
	d.WaitText("#now-number", "A001", 2*time.Second)
	t.Logf("display showed A001 %v after the console did", took)
	waitVisitor(t, s, a1, "called to Loket 1", func(p publicTicket) bool { return p.Status == "called" && p.CounterName == "Loket 1" })
	visitorPage(v, `tk.status === "called" && tk.counter_name === "Loket 1" && document.body.classList.contains("is-called")`)
	v.WaitFor(`document.getElementById("called-counter").textContent.toLowerCase().includes("loket 1")`, time.Second)
	b.WaitFor(`document.querySelectorAll("#waiting-body tr").length === 2`, 3*time.Second)
	b.Axe("counter called (id)")
	axeEnglish(en, s.URL, "called", `window.__antrean.state.counter.current && window.__antrean.state.counter.current.status === "called"`)

	// The keyboard alone: the focus stays on the primary action, and Tab
	// walks the actions that can run now, in their places, then the list;
	// the focus ring shows where it is.
	var walk []string
	for i := 0; i < 10; i++ {
		walk = append(walk, b.Active())
		b.Keys(kb.Tab)
	}
	wantWalk := []string{"#act-next", "#act-recall", "#act-start", "#act-done", "#act-no-show", "#act-transfer", "#act-pause", "#tab-waiting", "button.small[Panggil]", "button.small[Panggil]"}
	if !slices.Equal(walk, wantWalk) {
		t.Errorf("tab order %q, want %q", walk, wantWalk)
	}
	var ring struct {
		Visible bool   `json:"visible"`
		Outline string `json:"outline"`
	}
	b.Keys(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	b.Eval(`({visible: document.activeElement.matches(":focus-visible"), outline: getComputedStyle(document.activeElement).outlineStyle})`, &ring)
	if !ring.Visible || ring.Outline != "solid" {
		t.Errorf("keyboard focus on %s: focus-visible %v, outline %q", b.Active(), ring.Visible, ring.Outline)
	}

	// F2: recall.
	press(b, kb.F2, "A001 dipanggil ulang (2×).")
	waitVisitor(t, s, a1, "called twice", func(p publicTicket) bool { return p.Calls == 2 })
	visitorPage(v, `tk.calls === 2 && window.__antrean.alerts >= 2`)
	// F3: serve; the timer runs.
	press(b, kb.F3, "A001 sedang dilayani.")
	b.WaitText("#current-label", "SEDANG DILAYANI", time.Second)
	b.WaitText("#ticket-state", "Dilayani", time.Second)
	waitVisitor(t, s, a1, "serving", func(p publicTicket) bool { return p.Status == "serving" })
	visitorPage(v, `tk.status === "serving" && !document.body.classList.contains("is-called")`)
	b.WaitFor(`/^\d\d:\d\d$/.test(document.getElementById("cur-timer").textContent)`, 2*time.Second)
	b.Screenshot("serving-1366x768")

	// F7: transfer to another agency's service through the searchable list.
	b.Keys(kb.F7)
	b.WaitVisible("#transfer-dialog[open] #transfer-search", 2*time.Second)
	if got := b.Active(); got != "#transfer-search" {
		t.Errorf("transfer dialog opened with the focus on %s", got)
	}
	b.Type("#transfer-search", "skck")
	b.WaitFor(`document.querySelectorAll("#transfer-list [role=option]").length === 1 && document.querySelector("#transfer-list [aria-selected=true]")`, 2*time.Second)
	b.Screenshot("transfer-1366x768")
	b.Axe("counter transfer dialog (id)")
	// No counter of SKCK is open: the console asks first.
	b.Keys(kb.Enter)
	b.WaitVisible("#transfer-confirm:not([hidden])", 2*time.Second)
	if got := b.Active(); got != "#transfer-confirm-yes" {
		t.Errorf("the transfer's confirm step has the focus on %s", got)
	}
	press(b, kb.Enter, "A001 dialihkan ke Polres — SKCK.")
	displayShows(d, ctr, "—")
	waitVisitor(t, s, a1, "waiting for SKCK at Polres", func(p publicTicket) bool {
		return p.Status == "waiting" && p.ServiceName == "SKCK" && p.AgencyName == "Polres"
	})
	visitorPage(v, `tk.status === "waiting" && tk.service_name === "SKCK" && tk.agency_name === "Polres"`)
	v.WaitText("#agency", "Polres", time.Second)
	v.Screenshot("visitor-transferred-360x640")

	// F1 calls A002, F6 marks it a no-show; it moves to the no-show list.
	press(b, kb.F1, "A002 dipanggil.")
	displayShows(d, ctr, "A002")
	press(b, kb.F6, "A002 tidak hadir.")
	// For a few seconds the result offers to undo: call A002 again.
	b.WaitFor(`!document.getElementById("undo").hidden && document.getElementById("undo").textContent === "Panggil A002 lagi"`, time.Second)
	waitVisitor(t, s, a2, "no-show", func(p publicTicket) bool { return p.Status == "no_show" })
	b.WaitText("#n-noshow", "1", 2*time.Second)

	// Call A002 back from the no-show list with the keyboard: Tab to the
	// tabs, arrow to "Tidak hadir", Tab to its button, Enter.
	tabTo(t, b, "#tab-waiting", 20)
	b.Keys(kb.ArrowRight)
	b.WaitFor(`document.activeElement.id === "tab-noshow" && !document.getElementById("panel-noshow").hidden`, time.Second)
	b.Keys(kb.Tab)
	if got := b.Active(); !strings.Contains(got, "Panggil lagi") {
		t.Fatalf("after the no-show tab the focus is on %s, want its Panggil lagi button", got)
	}
	press(b, kb.Enter, "A002 dipanggil kembali.")
	waitVisitor(t, s, a2, "called back", func(p publicTicket) bool { return p.Status == "called" && p.CounterName == "Loket 1" })
	displayShows(d, ctr, "A002")
	// F4: done.
	press(b, kb.F4, "A002 selesai.")
	b.WaitText("#today", "hari ini: 1 dilayani", 3*time.Second)

	// Midway the admin resets the officer's password, which ends the
	// officer's sessions. The next key press meets the 401: the console
	// asks for a sign-in and keeps the counter; the counter stays open on
	// the server.
	pw2 := "new-staff-password-2"
	off := m.Users["officerA"]
	s.MustJSON(http.MethodPut, "/api/v1/users/"+off.ID, s.Admin, map[string]any{"username": off.Username, "role": off.Role, "agency_id": off.AgencyID, "password": pw2}, http.StatusOK, nil)
	b.Keys(kb.F1)
	b.WaitFor(`window.__antrean.state.view === "login"`, 5*time.Second)
	b.WaitText("#login-note", "Loket 1", time.Second)
	b.Screenshot("session-ended-1366x768")
	var k queue.CounterView
	s.MustJSON(http.MethodGet, "/api/v1/counters/"+ctr, "", nil, http.StatusOK, &k)
	if k.Status != queue.CounterOpen || k.Current != nil {
		t.Errorf("after the session ended the counter is %s with %v, want open and empty", k.Status, k.Current)
	}
	if got := visitor(t, s, a3); got.Status != "waiting" || got.Position == nil || *got.Position != 1 {
		t.Errorf("the refused press moved A003: %+v", got)
	}
	// Signing in again resumes on the same counter, without the picker.
	b.WaitFor(`document.activeElement.id === "login-password"`, time.Second)
	b.Type("#login-password", pw2+kb.Enter)
	b.WaitFor(`window.__antrean.state.view === "console" && window.__antrean.state.counter && window.__antrean.state.counter.status === "open"`, 5*time.Second)
	b.WaitText("#counter-name", "Loket 1", time.Second)
	b.WaitText("#counter-state", "Buka", time.Second)

	// A priority visitor arrives: ★ in the list, and next calls it first.
	b6 := s.Issue(m, m.ServiceA2.ID, true)
	b.WaitFor(`[...document.querySelectorAll("#waiting-body tr")].some((tr) => tr.textContent.startsWith("★B001"))`, 3*time.Second)
	b.Screenshot("console-1366x768")
	press(b, kb.F1, "B001 dipanggil.")
	b.WaitText("#cur-number", "★B001", time.Second)
	b.Screenshot("priority-called-1366x768")
	b.Axe("counter priority called (id)")
	displayShows(d, ctr, "B001")
	waitVisitor(t, s, b6, "called", func(p publicTicket) bool { return p.Status == "called" })
	press(b, kb.F3, "B001 sedang dilayani.")
	press(b, kb.F4, "B001 selesai.")
	b.WaitText("#today", "hari ini: 2 dilayani", 3*time.Second)

	// F9: a break (ISHOMA is the first reason); F9 again resumes.
	b.Keys(kb.F9)
	b.WaitVisible("#pause-dialog[open]", 2*time.Second)
	b.Screenshot("pause-1366x768")
	b.Axe("counter pause dialog (id)")
	press(b, kb.Enter, "Loket 1 istirahat: ISHOMA.")
	b.WaitText("#counter-state", "Istirahat · ISHOMA", time.Second)
	displayShows(d, ctr, "Istirahat")
	b.Axe("counter paused (id)")
	axeEnglish(en, s.URL, "paused", `window.__antrean.state.counter.status === "paused"`)
	k = queue.CounterView{}
	s.MustJSON(http.MethodGet, "/api/v1/counters/"+ctr, "", nil, http.StatusOK, &k)
	if k.Status != queue.CounterPaused || k.PauseReason != "ISHOMA" {
		t.Errorf("after F9 the counter is %s (%q), want paused for ISHOMA", k.Status, k.PauseReason)
	}
	// While paused, next is refused by the console itself.
	b.Keys(kb.F1)
	b.WaitText("#result-text", "Loket sedang istirahat", time.Second)
	press(b, kb.F9, "Loket 1 melayani lagi.")
	b.WaitText("#counter-state", "Buka", time.Second)

	// Close the counter: Tab to "Tutup loket", Enter.
	tabTo(t, b, "#act-close", 12)
	press(b, kb.Enter, "Loket 1 ditutup.")
	displayShows(d, ctr, "Tutup")
	b.WaitFor(`document.activeElement.id === "open-button"`, time.Second)

	// What the server holds now is what the console did.
	k = queue.CounterView{}
	s.MustJSON(http.MethodGet, "/api/v1/counters/"+ctr, "", nil, http.StatusOK, &k)
	if k.Status != queue.CounterClosed {
		t.Errorf("the counter is %s, want closed", k.Status)
	}
	var list struct{ Tickets []queue.Ticket }
	s.MustJSON(http.MethodGet, "/api/v1/tickets", s.Admin, nil, http.StatusOK, &list)
	got := map[string]string{}
	for _, tk := range list.Tickets {
		got[tk.Number] = fmt.Sprintf("%s %d", tk.Status, tk.Calls)
	}
	want := map[string]string{"A001": "waiting 2", "A002": "done 1", "A003": "waiting 0", "B001": "done 1"}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s: %q, want %q (status, calls)", n, got[n], w)
		}
	}
	// Each call was one call: the event log holds each called number once
	// per press (A002 twice: called, then called back).
	var evs struct {
		Events []struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		} `json:"events"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, &evs)
	calls := map[string]int{}
	for _, e := range evs.Events {
		if e.Type == "ticket.called" {
			var d struct{ Ticket struct{ Number string } }
			_ = json.Unmarshal(e.Data, &d)
			calls[d.Ticket.Number]++
		}
	}
	if calls["A001"] != 1 || calls["A002"] != 2 || calls["B001"] != 1 || calls["A003"] != 0 {
		t.Errorf("ticket.called events per number: %v", calls)
	}
	t.Logf("the display announced %s", announcements(d))
	b.NoErrors(allowed...)
	d.NoErrors()
	v.NoErrors()
}

// axeEnglish opens the console in English in tab en (the same session,
// so the same counter) once cond holds, and checks it with axe.
func axeEnglish(en *browsertest.Browser, base, label, cond string) {
	en.T.Helper()
	en.Open(base + "/counter?lang=en")
	en.WaitFor(`window.__antrean && window.__antrean.ready && document.documentElement.lang === "en" && !window.__antrean.state.busy && (`+cond+`)`, 10*time.Second)
	en.Axe("counter " + label + " (en)")
}

// visitorPage waits until the visitor's page holds a ticket tk for which
// cond is true.
func visitorPage(v *browsertest.Browser, cond string) {
	v.T.Helper()
	v.WaitFor(`(() => { const tk = window.__antrean.ticket(); return `+cond+`; })()`, 3*time.Second)
}

// tabTo presses Tab until the element matching sel has the focus.
func tabTo(t *testing.T, b *browsertest.Browser, sel string, max int) {
	t.Helper()
	var seen []string
	for i := 0; i < max; i++ {
		var ok bool
		b.Eval(fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, sel), &ok)
		if ok {
			return
		}
		seen = append(seen, b.Active())
		b.Keys(kb.Tab)
	}
	t.Fatalf("%s never got the focus in %d Tabs: %v", sel, max, seen)
}

func announcements(d *browsertest.Browser) string {
	var a []struct {
		Number  string `json:"number"`
		Counter string `json:"counter"`
	}
	d.Eval(`window.__antrean.announcements`, &a)
	var parts []string
	for _, x := range a {
		parts = append(parts, x.Number+"→"+x.Counter)
	}
	return strings.Join(parts, ", ")
}
