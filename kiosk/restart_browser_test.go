package kiosk_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
)

// A kiosk whose ticket request meets a server that failed a commit (503
// unavailable; the commit in fact landed) and restarts: it keeps retrying
// with the same Idempotency-Key, says "Sedang menyambung ulang…" rather
// than an error, and shows the one ticket the first request took.
func TestKioskRetriesThroughARestart(t *testing.T) {
	t.Parallel()
	clock := apptest.NewClock(time.Date(2026, 12, 31, 23, 40, 0, 0, time.FixedZone("WIT", 9*3600)))
	s := apptest.Start(t, apptest.Options{Clock: clock})
	m := s.SetupMall()
	front := apptest.NewFront(t, s.URL)

	b := browsertest.New(t, browsertest.Options{Width: 1080, Height: 1920})
	openKiosk(t, b, front.URL+"/kiosk?device="+url.QueryEscape(m.Tokens["kiosk"]))
	tap(t, b, `.tile[data-agency="`+m.AgencyA.ID+`"]`)
	b.WaitVisible(`[data-take="`+m.ServiceA1.ID+`"]`, 5*time.Second)

	front.FailFrom(http.MethodPost, "/api/v1/tickets")
	tap(t, b, `[data-take="`+m.ServiceA1.ID+`"]`)
	front.WaitKeys(t, 2, 10*time.Second) // the request, and a retry
	b.WaitText("#busy", "Sedang menyambung ulang", 5*time.Second)
	b.Screenshot("reconnecting-1080x1920")
	b.Axe("kiosk reconnecting (id)")

	// The service manager restarts the server on the same address.
	addr := strings.TrimPrefix(s.URL, "http://")
	s.Stop()
	apptest.Start(t, apptest.Options{Data: s.Data, Addr: addr, Clock: clock})
	front.Up()

	b.WaitVisible("#screen-ticket", 30*time.Second)
	issued := issuedAnswers(t, b)
	if len(issued) != 1 || issued[0].Ticket.Number != "A001" {
		t.Fatalf("the kiosk shows %+v, want the one ticket A001", issued)
	}
	if got := b.Text("#t-number"); got != "A001" {
		t.Errorf("ticket screen number %q, want A001", got)
	}
	keys := front.Keys()
	for _, k := range keys {
		if k == "" || k != keys[0] {
			t.Fatalf("Idempotency-Keys of the tap and its retries: %q, want one key", keys)
		}
	}
	var fails []map[string]any
	b.Eval(`window.__antrean.failures`, &fails)
	if len(fails) != 0 {
		t.Errorf("the kiosk reported failures %v", fails)
	}
	t.Logf("%d requests with one key; the ticket came after the restart", len(keys))
}
