package kiosk_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
)

// englishMall gives the test mall's agency A and its first service
// English names and requirements; agency B and its service keep only
// Indonesian ones, to show the fallback.
func englishMall(t *testing.T, s *apptest.Server, m *apptest.Mall) {
	t.Helper()
	a := m.AgencyA
	a.NameEN, a.ShortNameEN = "Population and Civil Registration Office", "Civil Registry"
	s.MustJSON(http.MethodPut, "/api/v1/agencies/"+a.ID, s.Admin, a, http.StatusOK, nil)
	svc := *s.App.Engine.State().Service(m.ServiceA1.ID)
	svc.NameEN = "Electronic ID card enrolment"
	svc.Requirements, svc.RequirementsEN = []string{"Fotokopi Kartu Keluarga", "Berusia 17 tahun"}, []string{"Copy of the family card", "Aged 17 or over"}
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc, http.StatusOK, nil)
	svcB := *s.App.Engine.State().Service(m.ServiceB1.ID)
	svcB.Requirements = []string{"Pas foto 4x6 latar merah"}
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svcB.ID, s.Admin, svcB, http.StatusOK, nil)
}

// TestKioskFloor: with a counter open and nobody waiting the kiosk says
// "Langsung dilayani" (not "± 0 menit") in both languages; the English
// kiosk shows the English agency names and requirements, and the
// Indonesian ones where there are none; the printing status resolves —
// printed by the network printer, printed by the browser (afterprint),
// or the fallback when the browser's print fails or never ends.
func TestKioskFloor(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	englishMall(t, s, m)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/open", m.Tokens["officerB"], nil, http.StatusOK, nil)
	printer := startPrinter(t)
	token := kioskWithPrinter(t, s, printer.Addr())

	b := browsertest.New(t, browsertest.Options{Width: 1080, Height: 1920})
	openKiosk(t, b, s.URL+"/kiosk?device="+url.QueryEscape(token))
	tap(t, b, `.tile[data-agency="`+m.AgencyA.ID+`"]`)
	b.WaitVisible(`[data-service="`+m.ServiceA1.ID+`"]`, 5*time.Second)
	if got := b.Text(`[data-service="` + m.ServiceA1.ID + `"] .facts`); !strings.Contains(got, "Langsung dilayani") || strings.Contains(got, "± 0") {
		t.Errorf("a service nobody waits for reads %q", got)
	}
	b.Axe("kiosk agency (id)")
	tap(t, b, "#lang-en")
	b.WaitFor(`document.documentElement.lang === "en"`, 5*time.Second)
	card := b.Text(`[data-service="` + m.ServiceA1.ID + `"]`)
	for _, want := range []string{"Served right away", "Electronic ID card enrolment", "Copy of the family card", "Aged 17 or over"} {
		if !strings.Contains(card, want) {
			t.Errorf("the English service card lacks %q: %q", want, card)
		}
	}
	if strings.Contains(card, "Fotokopi") {
		t.Errorf("the English service card shows the Indonesian requirements: %q", card)
	}
	b.Screenshot("agency-en")
	b.Axe("kiosk agency (en)")
	tap(t, b, `#screen-agency [data-action="home"]`)
	b.WaitVisible("#screen-start", 5*time.Second)
	// Back at the start the kiosk greets the next visitor in Indonesian.
	tap(t, b, "#lang-en")
	b.WaitFor(`document.documentElement.lang === "en"`, 5*time.Second)
	if got := b.Text(`.tile[data-agency="` + m.AgencyA.ID + `"]`); !strings.Contains(got, "Civil Registry") || !strings.Contains(got, "Population and Civil Registration Office") {
		t.Errorf("the English tile reads %q", got)
	}
	// Agency B has no English names: the Indonesian ones, and its
	// service's Indonesian requirements.
	tap(t, b, `.tile[data-agency="`+m.AgencyB.ID+`"]`)
	b.WaitText(`[data-service="`+m.ServiceB1.ID+`"]`, "Pas foto 4x6 latar merah", 5*time.Second)

	// The network printer took it: printed, in words.
	tap(t, b, `[data-take="`+m.ServiceB1.ID+`"]`)
	b.WaitVisible("#screen-ticket", 5*time.Second)
	b.WaitText("#t-print", "Ticket printed", 5*time.Second)
	if got := b.Text("#t-eta"); got != "Served right away" {
		t.Errorf("the ticket's estimate with nobody ahead: %q", got)
	}
	printer.Jobs(1)
	b.Axe("kiosk ticket printed (en)")
	tap(t, b, "#lang-id")
	b.WaitText("#t-print", "Tiket tercetak", 5*time.Second)
	b.Screenshot("ticket-printed-id")
	b.NoErrors()

	// The kiosk's browser prints (a kiosk device without a printer).
	b2 := browsertest.New(t, browsertest.Options{Width: 1080, Height: 1920})
	openKiosk(t, b2, s.URL+"/kiosk?device="+url.QueryEscape(m.Tokens["kiosk"])+"&print=browser")
	take := func(mode, wantStatus string) {
		t.Helper()
		b2.Eval(`window.__antrean.limits.printMs = 1500; window.__antrean.printFrame = `+mode, nil)
		tap(t, b2, `.tile[data-agency="`+m.AgencyA.ID+`"]`)
		tap(t, b2, `[data-take="`+m.ServiceA2.ID+`"]`)
		b2.WaitVisible("#screen-ticket", 5*time.Second)
		b2.WaitText("#t-print", wantStatus, 4*time.Second)
		tap(t, b2, "#t-finish")
		b2.WaitVisible("#screen-start", 5*time.Second)
	}
	// afterprint: printed.
	take(`(win) => win.dispatchEvent(new Event("afterprint"))`, "Tiket tercetak — silakan ambil")
	// The print throws: the fallback at once.
	take(`() => { throw new Error("no printer") }`, "Printer bermasalah — foto kode QR ini")
	// The print never ends: the fallback after printMs.
	take(`() => {}`, "Printer bermasalah — foto kode QR ini")
	b2.NoErrors()
}

// TestPrintSlipAheadAndEstimate: the browser-printed slip has the people
// ahead and the estimate, as the ESC/POS slip does, in both languages,
// on both rolls; with no counter open it says the estimate comes later;
// in English the agency's English name and the English requirements.
func TestPrintSlipAheadAndEstimate(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	englishMall(t, s, m)
	page := func(a apptest.IssueAnswer, q string) string {
		t.Helper()
		u, _ := url.Parse(a.StatusURL)
		resp, err := http.Get(s.URL + u.Path + "/print?" + u.RawQuery + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return string(raw)
	}
	// No counter open: no estimate yet, said so.
	a1 := s.Issue(m, m.ServiceA1.ID, false)
	if p := page(a1, ""); !strings.Contains(p, `class="ahead">Tidak ada antrean di depan Anda`) || !strings.Contains(p, `class="eta">Perkiraan waktu muncul setelah loket dibuka`) {
		t.Errorf("slip before any counter opens:\n%s", p)
	}
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
	a2 := s.Issue(m, m.ServiceA1.ID, false)
	for _, q := range []string{"", "&mm=58", "&mm=80"} {
		p := page(a2, q)
		if !strings.Contains(p, `class="ahead">1 orang di depan Anda`) || !strings.Contains(p, `class="eta">Perkiraan dipanggil sekitar`) {
			t.Errorf("slip%s lacks people ahead or the estimate:\n%s", q, p)
		}
		en := page(a2, q+"&lang=en")
		for _, want := range []string{`class="ahead">1 person ahead of you`, `class="eta">Expected call around`, "Population and Civil Registration Office", "Copy of the family card", "Electronic ID card enrolment"} {
			if !strings.Contains(en, want) {
				t.Errorf("English slip%s lacks %q", q, want)
			}
		}
	}
	// The first in line with a counter open: served right away.
	if p := page(a1, ""); !strings.Contains(p, `class="eta">Langsung dilayani`) {
		t.Errorf("the first ticket's slip:\n%s", p)
	}

	// Both rolls still fit (print.css): the slip's lines keep to the
	// roll's printable width.
	b := browsertest.New(t, browsertest.Options{Width: 400, Height: 900})
	for _, mm := range []string{"58", "80"} {
		u, _ := url.Parse(a2.StatusURL)
		b.Open(s.URL + u.Path + "/print?" + u.RawQuery + "&mm=" + mm)
		b.WaitVisible(".eta", 5*time.Second)
		var wide []string
		b.Eval(`(() => { const slip = document.querySelector(".slip").getBoundingClientRect(); return [...document.querySelectorAll(".slip > *")].filter((e) => e.getBoundingClientRect().right > slip.right + 0.5 || e.scrollWidth > e.clientWidth + 1).map((e) => e.className); })()`, &wide)
		if len(wide) > 0 {
			t.Errorf("%s mm: lines run off the slip: %v", mm, wide)
		}
		b.Screenshot("slip-" + mm)
		b.Axe("print slip " + mm + " mm (id)")
	}
}

// TestVisitorFloor: the ticket page's QR card, collapsed, says what it
// holds ("Tampilkan kode QR") with a chevron, and opens to the QR; the
// English page shows the English agency name and requirements, and the
// Indonesian ones where a service has none.
func TestVisitorFloor(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	englishMall(t, s, m)
	a := s.Issue(m, m.ServiceA1.ID, false)
	bTk := s.Issue(m, m.ServiceB1.ID, false)
	b := browsertest.New(t, browsertest.Options{Width: 360, Height: 640})
	b.Open(a.StatusURL)
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	var card struct {
		Label   string  `json:"label"`
		Chevron bool    `json:"chevron"`
		Height  float64 `json:"height"`
		Open    bool    `json:"open"`
	}
	read := `(() => { const d = document.querySelector(".qr-card"), s = d.querySelector("summary"), c = s.querySelector(".chevron");
		return {label: s.innerText, chevron: !!c && getComputedStyle(c).borderRightWidth !== "0px", height: s.getBoundingClientRect().height, open: d.open}; })()`
	b.Eval(read, &card)
	if !strings.Contains(card.Label, "Tampilkan kode QR") || !card.Chevron || card.Height < 44 || card.Open {
		t.Errorf("the collapsed QR card: %+v", card)
	}
	b.Eval(`document.querySelector(".qr-card").scrollIntoView()`, nil)
	b.Screenshot("qr-collapsed")
	b.Axe("visitor QR collapsed (id)")
	b.Click(".qr-card summary")
	b.WaitFor(`document.querySelector(".qr-card").open && document.querySelector(".qr-card img").complete && document.querySelector(".qr-card img").naturalWidth > 0`, 3*time.Second)
	b.Keys(kb.End)
	b.Screenshot("qr-open")

	b.Open(a.StatusURL + "&lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	for sel, want := range map[string]string{"#agency": "Civil Registry", "#checklist": "Copy of the family card", "#service": "Electronic ID card enrolment", ".qr-card summary": "Show the QR code"} {
		if got := b.Text(sel); !strings.Contains(got, want) {
			t.Errorf("English ticket page: %s reads %q, want %q", sel, got, want)
		}
	}
	b.Axe("visitor (en)")
	b.Open(bTk.StatusURL + "&lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	if got := b.Text("#agency"); got != "Polres" {
		t.Errorf("agency without English names reads %q", got)
	}
	if got := b.Text("#checklist"); !strings.Contains(got, "Pas foto 4x6 latar merah") {
		t.Errorf("service without English requirements: %q", got)
	}
	b.NoErrors()
}

// TestKioskUnpairedSignIn: an unpaired kiosk asks the server nothing it
// knows the answer to (no 401 in the console) and offers information
// desk staff a sign-in; a greeter signs in there and issues at once.
func TestKioskUnpairedSignIn(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	b := browsertest.New(t, browsertest.Options{Width: 1920, Height: 1080})
	openKiosk(t, b, s.URL+"/kiosk")
	b.WaitVisible("#greeter-login", 5*time.Second)
	b.Screenshot("unpaired-signin")
	checkScreen(t, b, "unpaired sign-in", true)
	b.Axe("kiosk unpaired sign-in (id)")
	tap(t, b, "#greeter-submit")
	b.WaitText("#greeter-login [data-login-error]", "Isi nama pengguna dan kata sandi", 5*time.Second)
	b.Type("#greeter-username", m.Users["greeter"].Username)
	b.Type("#greeter-password", apptest.StaffPassword+kb.Enter)
	b.WaitVisible("#screen-start", 5*time.Second)
	tap(t, b, `.tile[data-agency="`+m.AgencyA.ID+`"]`)
	tap(t, b, `[data-take="`+m.ServiceA1.ID+`"]`)
	b.WaitVisible("#screen-ticket", 5*time.Second)
	if a := issuedAnswers(t, b); len(a) != 1 || a[0].Ticket.Channel != "staff" {
		t.Errorf("the greeter's ticket: %+v", a)
	}
	b.NoErrors()
}
