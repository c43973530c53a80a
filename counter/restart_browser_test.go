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
)

// An officer's F1 meets a server that failed a commit (503 unavailable;
// the call in fact landed) and restarts: the console keeps retrying the
// press with its Idempotency-Key, says "Sedang menyambung ulang" rather
// than an error, and ends with the one call the first request made.
func TestConsoleRetriesThroughARestart(t *testing.T) {
	t.Parallel()
	clock := apptest.NewClock(time.Date(2026, 9, 29, 7, 45, 0, 0, time.FixedZone("WITA", 8*3600)))
	s := apptest.Start(t, apptest.Options{Clock: clock})
	m := s.SetupMall()
	ctr := m.CounterA.ID
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+ctr+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
	s.Issue(m, m.ServiceA1.ID, false)
	s.Issue(m, m.ServiceA1.ID, false)
	front := apptest.NewFront(t, s.URL)

	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	b.Open(front.URL + "/counter")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	signIn(b, m.Users["officerA"].Username, apptest.StaffPassword)
	b.WaitVisible(`#picker-view [data-counter="`+ctr+`"]`, 5*time.Second)
	b.Click(`#picker-view [data-counter="` + ctr + `"]`)
	b.WaitFor(fmt.Sprintf(`window.__antrean.state.view === "console" && window.__antrean.state.counter && window.__antrean.state.counter.id === %q && window.__antrean.state.counter.status === "open"`, ctr), 5*time.Second)

	front.FailFrom(http.MethodPost, "/next")
	b.Keys(kb.F1)
	front.WaitKeys(t, 2, 10*time.Second)
	b.WaitText("#result-text", "Sedang menyambung ulang", 5*time.Second)
	b.Screenshot("reconnecting-1366x768")

	addr := strings.TrimPrefix(s.URL, "http://")
	s.Stop()
	s2 := apptest.Start(t, apptest.Options{Data: s.Data, Addr: addr, Clock: clock})
	front.Up()

	b.WaitFor(`!window.__antrean.state.busy && document.getElementById("result-text").textContent.includes("A001 dipanggil.")`, 30*time.Second)
	if c := calledEvents(t, s2); c["A001"] != 1 || c["A002"] != 0 {
		t.Errorf("called events after the retried press: %v, want A001 once", c)
	}
	keys := front.Keys()
	for _, k := range keys {
		if k == "" || k != keys[0] {
			t.Fatalf("Idempotency-Keys of the press and its retries: %q, want one key", keys)
		}
	}
	t.Logf("%d requests with one key; A001 called once, after the restart", len(keys))
}
