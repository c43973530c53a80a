package admin_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/webhooks"
)

// stuckTimer never fires: a failed delivery stays pending, with its
// error, for the screenshot.
type stuckTimer struct{}

func (stuckTimer) C() <-chan time.Time { return nil }
func (stuckTimer) Stop() bool          { return true }

// TestAdminWebhooks: an admin adds a webhook under Webhook — the URL is
// checked as they type, the event types are ticked, the secret comes made
// and is shown once more after saving — then follows its deliveries,
// delivered and failing, and deletes it.
func TestAdminWebhooks(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Configure: func(c *app.Config) {
		c.Webhooks.NewTimer = func(time.Duration) webhooks.Timer { return stuckTimer{} }
	}})
	m := s.SetupMall()
	var (
		mu     sync.Mutex
		status = http.StatusOK
		taken  = make(chan string, 100)
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		st := status
		mu.Unlock()
		taken <- r.Header.Get("X-Antrean-Event")
		w.WriteHeader(st)
	}))
	t.Cleanup(rcv.Close)
	await := func(n int) {
		t.Helper()
		for range n {
			select {
			case <-taken:
			case <-time.After(10 * time.Second):
				t.Fatal("the receiver got fewer deliveries than expected")
			}
		}
	}

	b := openAdmin(t, s, "admin", apptest.AdminPassword)
	if got := navEntries(b); !slices.Contains(got, "Webhook") {
		t.Fatalf("no Webhook in the admin's navigation: %q", got)
	}
	gotoPage(b, "webhook")
	b.WaitText("#page", "Belum ada webhook.", 3*time.Second)

	b.Click("#add-webhook")
	b.WaitVisible(field("url"), 2*time.Second)
	b.Type(field("url"), "ftp://portal")
	if got := fieldError(b, "dialog[open]", "url"); !strings.Contains(got, "https://") {
		t.Errorf("URL ftp://portal: error %q, want the URL rule in words", got)
	}
	b.Clear(field("url"))
	b.Type(field("url"), rcv.URL+"/antrean")
	b.Click(`dialog[open] input[name="events"][value="ticket.issued"]`)
	b.Click(`dialog[open] input[name="events"][value="ticket.called"]`)
	var secret string
	b.Eval(`document.querySelector('dialog[open] [data-field="secret"]').value`, &secret)
	if len(secret) != 32 {
		t.Errorf("the secret made for the form: %q", secret)
	}
	b.Screenshot("webhook-add-1366x768")
	b.Click("dialog[open] .form-actions button[type=submit]")
	b.WaitVisible("#webhook-secret", 5*time.Second)
	if got := b.Text("#webhook-secret"); got != secret {
		t.Errorf("the secret shown after saving %q, want %q", got, secret)
	}
	b.Screenshot("webhook-secret-1366x768")
	b.Click("#secret-done")
	b.WaitText("#notice", "ditambahkan", 3*time.Second)
	b.WaitFor(`document.querySelectorAll("table.data tbody tr").length === 1`, 3*time.Second)
	b.Screenshot("webhook-list-1366x768")

	var list struct{ Webhooks []queue.Webhook }
	s.MustJSON(http.MethodGet, "/api/v1/webhooks", s.Admin, nil, http.StatusOK, &list)
	if len(list.Webhooks) != 1 || list.Webhooks[0].URL != rcv.URL+"/antrean" || !slices.Equal(list.Webhooks[0].Events, []string{"ticket.issued", "ticket.called"}) {
		t.Fatalf("webhooks after adding: %+v", list.Webhooks)
	}
	if got := s.App.Engine.State().Webhook(list.Webhooks[0].ID).Secret; got != secret {
		t.Errorf("the stored secret %q, want the form's %q", got, secret)
	}

	// Deliveries: three tickets and a call go through; then the receiver
	// fails and a fourth ticket waits, with its error.
	for range 3 {
		s.Issue(m, m.ServiceA1.ID, false)
	}
	for _, a := range []string{"open", "next"} {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/"+a, s.Admin, nil, http.StatusOK, nil)
	}
	await(4)
	mu.Lock()
	status = http.StatusServiceUnavailable
	mu.Unlock()
	s.Issue(m, m.ServiceA1.ID, false)
	await(1)
	b.Click(`table.data tbody tr button`) // Riwayat kirim
	b.WaitFor(`document.querySelectorAll("#deliveries tbody tr").length === 5 && document.querySelector("#deliveries tbody tr").textContent.includes("Gagal, dicoba lagi")`, 10*time.Second)
	if got := b.Text("#deliveries tbody tr"); !strings.Contains(got, "HTTP 503 Service Unavailable") || !strings.Contains(got, "ticket.issued") {
		t.Errorf("the pending delivery's row: %q", got)
	}
	if got := b.Text("#deliveries tbody tr:nth-child(2)"); !strings.Contains(got, "ticket.called") || !strings.Contains(got, "Terkirim") {
		t.Errorf("the last delivered row: %q", got)
	}
	b.Screenshot("webhook-deliveries-1366x768")
	b.Keys(kb.Escape)
	b.WaitFor(`!document.querySelector("dialog[open]")`, 2*time.Second)

	// Delete, after a question.
	b.Click(`table.data tbody tr button.danger-outline`)
	b.WaitVisible(`dialog[open] [data-confirm="yes"]`, 2*time.Second)
	b.Click(`dialog[open] [data-confirm="yes"]`)
	b.WaitText("#notice", "dihapus", 3*time.Second)
	b.WaitText("#page", "Belum ada webhook.", 3*time.Second)
	s.MustJSON(http.MethodGet, "/api/v1/webhooks", s.Admin, nil, http.StatusOK, &list)
	if len(list.Webhooks) != 0 {
		t.Errorf("webhooks after deleting: %+v", list.Webhooks)
	}
	b.NoErrors(allowed...)
}
