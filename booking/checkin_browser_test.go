package booking_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// TestKioskCheckIn: at the kiosk (portrait 1080×1920), a booking is
// checked in by its code typed on the keypad, another by a scanner
// typing the QR's URL and Enter on the start screen; unknown, early,
// late and used codes get clear words; the booked tickets are shown like
// walk-in tickets and are called before a walk-in who came earlier.
func TestKioskCheckIn(t *testing.T) {
	t.Parallel()
	s, m := startMall(t, apptest.Options{})
	A1 := m.ServiceA1.ID
	keyed := book(t, s, A1, "2026-11-26", "09:00", "081200000001")
	scanned := book(t, s, A1, "2026-11-26", "09:00", "081200000002")
	later := book(t, s, A1, "2026-11-26", "11:00", "081200000003")
	missed := book(t, s, A1, "2026-11-26", "08:00", "081200000004")
	s.Clock.Set(at("2026-11-26 08:40:00"))

	b := browsertest.New(t, browsertest.Options{Width: 1080, Height: 1920})
	b.Open(s.URL + "/kiosk?device=" + url.QueryEscape(m.Tokens["kiosk"]))
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.screen() === "start"`, 10*time.Second)
	var disabled bool
	b.Eval(`document.getElementById("booking").disabled`, &disabled)
	if disabled {
		t.Fatal("the booking button is disabled")
	}
	// A walk-in comes first.
	b.Click(`.tile[data-agency="` + m.AgencyA.ID + `"]`)
	b.Click(`[data-take="` + A1 + `"]`)
	b.WaitVisible("#screen-ticket", 5*time.Second)
	walkIn := b.Text("#t-number")
	b.Click("#t-finish")

	// The keypad.
	b.Click("#booking")
	b.WaitVisible("#keypad", 5*time.Second)
	if bad := b.SmallTargets(64); len(bad) > 0 {
		t.Errorf("check-in targets under 64 px: %v", bad)
	}
	for _, c := range keyed.Code[:7] {
		b.Click(fmt.Sprintf(`#keypad [data-key="%c"]`, c))
	}
	b.Click(`#keypad [data-key="del"]`)
	b.Click(fmt.Sprintf(`#keypad [data-key="%c"]`, keyed.Code[6]))
	var goDisabled bool
	b.Eval(`document.getElementById("checkin-go").disabled`, &goDisabled)
	if !goDisabled {
		t.Error("check-in offered with 7 symbols")
	}
	b.Click(fmt.Sprintf(`#keypad [data-key="%c"]`, keyed.Code[7]))
	b.Screenshot("kiosk-keypad-1080x1920")
	checkLook(t, b, "keypad", 64)
	b.Click("#checkin-go")
	b.WaitVisible("#screen-ticket", 5*time.Second)
	var answers []apptest.IssueAnswer
	b.Eval(`window.__antrean.checkins`, &answers)
	if len(answers) != 1 || answers[0].Ticket.Channel != queue.ChannelBooking || b.Text("#t-number") != answers[0].Ticket.Number {
		t.Fatalf("check-in answers %+v, screen %q", answers, b.Text("#t-number"))
	}
	keyedNumber := answers[0].Ticket.Number
	var badge bool
	b.Eval(`!document.getElementById("t-booking").hidden`, &badge)
	if !badge || !strings.Contains(b.Text("#t-what"), "Perekaman KTP-el") {
		t.Errorf("the ticket screen: badge %v, %q", badge, b.Text("#t-what"))
	}
	b.WaitFor(`document.getElementById("t-qr").complete && document.getElementById("t-qr").naturalWidth > 0`, 5*time.Second)
	b.Screenshot("kiosk-checked-in-1080x1920")
	b.Axe("checked in (id)")
	b.Click("#t-finish")

	// A scanner on the start screen: the QR's URL, typed fast, and Enter.
	b.WaitFor(`window.__antrean.screen() === "start"`, 5*time.Second)
	b.Keys(scanned.ManageURL + kb.Enter)
	b.WaitFor(`window.__antrean.checkins.length === 2`, 5*time.Second)
	b.WaitVisible("#screen-ticket", 5*time.Second)
	b.Eval(`window.__antrean.checkins`, &answers)
	scannedNumber := answers[1].Ticket.Number
	b.Click("#t-finish")

	// Clear words for the codes that do not check in, typed like a
	// scanner on the check-in screen.
	refuse := func(text, title, words string) {
		t.Helper()
		b.WaitFor(`window.__antrean.screen() === "start"`, 5*time.Second)
		b.Click("#booking")
		b.WaitVisible("#keypad", 5*time.Second)
		b.Keys(text + kb.Enter)
		b.WaitText("#checkin-msg-title", title, 5*time.Second)
		b.Eval(`window.__antrean.screen()`, nil)
		if got := b.Text("#checkin-msg-text"); !strings.Contains(got, words) {
			t.Errorf("%s: %q, want %q in it", title, got, words)
		}
	}
	refuse("ZZZZZZZZ", "Kode booking tidak ditemukan", "tidak memakai huruf O")
	b.Screenshot("kiosk-unknown-1080x1920")
	b.Click(`#screen-checkin [data-action="home"]`)
	refuse(later.Code, "Belum waktunya check-in", "10.30 WIB")
	b.Screenshot("kiosk-too-early-1080x1920")
	b.Click(`#screen-checkin [data-action="home"]`)
	refuse(strings.ToLower(missed.Code), "Waktu check-in sudah lewat", "08.15 WIB")
	b.Screenshot("kiosk-expired-1080x1920")
	b.Click(`#screen-checkin [data-action="home"]`)
	refuse(keyed.Code, "Kode ini sudah dipakai", keyedNumber)
	b.Screenshot("kiosk-used-1080x1920")
	checkLook(t, b, "a refused code", 64)
	b.Click("#lang-en")
	b.WaitFor(`document.documentElement.lang === "en"`, 5*time.Second)
	b.Axe("a refused code (en)")
	b.Click(`#screen-checkin [data-action="home"]`)
	b.WaitFor(`window.__antrean.screen() === "start"`, 5*time.Second)
	b.Click("#booking")
	b.WaitVisible("#keypad", 5*time.Second)
	b.Click("#lang-en")
	b.WaitFor(`document.documentElement.lang === "en"`, 5*time.Second)
	b.Axe("keypad (en)")
	b.Click(`#screen-checkin [data-action="home"]`)
	b.NoErrors(`Failed to load resource`)

	// The officer calls: the booked tickets before the earlier walk-in,
	// on the lobby display.
	d := browsertest.New(t, browsertest.Options{Width: 1920, Height: 1080})
	d.Open(s.URL + "/display")
	d.WaitFor(`document.getElementById("now-number")`, 10*time.Second)
	off := m.Tokens["officerA"]
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", off, nil, http.StatusOK, nil)
	var k queue.CounterView
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", off, nil, http.StatusOK, &k)
	if k.Current == nil || k.Current.Number != keyedNumber {
		t.Fatalf("next called %+v, want the booked %s before the walk-in %s", k.Current, keyedNumber, walkIn)
	}
	d.WaitText("#now-number", keyedNumber, 5*time.Second)
	d.WaitText(`[data-counter="`+m.CounterA.ID+`"]`, keyedNumber, 5*time.Second)
	d.Screenshot("display-booked-called-first-1920x1080")
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", off, nil, http.StatusOK, &k)
	if k.Current.Number != scannedNumber {
		t.Errorf("second call %s, want the scanned booking's %s", k.Current.Number, scannedNumber)
	}
}

// TestKioskGreeterCheckIn: a greeter signed in on /kiosk checks a booking
// in by its code. (On the real clock: the session cookie's expiry is the
// server's time, which the browser holds against its own.)
func TestKioskGreeterCheckIn(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	now := s.App.Engine.Now().In(jakarta)
	start := now.Truncate(30 * time.Minute)
	if now.Sub(start) > 29*time.Minute+30*time.Second {
		time.Sleep(40 * time.Second) // into the next slot
		now = s.App.Engine.Now().In(jakarta)
		start = now.Truncate(30 * time.Minute)
	}
	// The slot running now: a slot can be booked until it ends.
	byGreeter := book(t, s, m.ServiceA1.ID, start.Format(queue.DateLayout), start.Format("15:04"), "081200000005")

	g := browsertest.New(t, browsertest.Options{Width: 1920, Height: 1080})
	g.Open(s.URL + "/kiosk")
	var status int
	g.Eval(fmt.Sprintf(`fetch("/api/v1/login", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({username: %q, password: %q})}).then(r => r.status)`, m.Users["greeterA"].Username, apptest.StaffPassword), &status)
	if status != http.StatusOK {
		t.Fatalf("greeter login: %d", status)
	}
	g.Open(s.URL + "/kiosk")
	g.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.screen() === "start"`, 10*time.Second)
	g.Click("#booking")
	g.WaitVisible("#keypad", 5*time.Second)
	for _, c := range byGreeter.Code {
		g.Click(fmt.Sprintf(`#keypad [data-key="%c"]`, c))
	}
	g.Screenshot("greeter-keypad-1920x1080")
	checkLook(t, g, "greeter keypad", 64)
	g.Click("#checkin-go")
	g.WaitVisible("#screen-ticket", 5*time.Second)
	var answers []apptest.IssueAnswer
	g.Eval(`window.__antrean.checkins`, &answers)
	if len(answers) != 1 || answers[0].Ticket.Channel != queue.ChannelBooking {
		t.Fatalf("greeter check-in: %+v", answers)
	}
	g.Screenshot("greeter-checked-in-1920x1080")
	g.NoErrors(`Failed to load resource`) // the kiosk's 401 before the sign-in
}
