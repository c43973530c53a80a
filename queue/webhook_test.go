package queue_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

func webhookCmd(id string) queue.CreateWebhook {
	return queue.CreateWebhook{Webhook: &queue.Webhook{ID: id, URL: "https://portal.example.id/antrean", Secret: "rahasia-yang-panjang"}}
}

// TestWebhookValidate: the fields of API.md's POST /api/v1/webhooks, and
// why each bad one is refused.
func TestWebhookValidate(t *testing.T) {
	long := strings.Repeat("a", 257)
	for _, c := range []struct {
		url, secret string
		events      []string
		field, why  string
	}{
		{url: "https://portal.example.id/hook?token=x", secret: "0123456789abcdef"},
		{url: "http://10.0.0.5:8081/antrean", secret: long[:256], events: []string{"ticket.called", "booking.created"}},
		{url: "", secret: "0123456789abcdef", field: "url", why: "required"},
		{url: "/relative", secret: "0123456789abcdef", field: "url", why: "an absolute http(s) URL"},
		{url: "ftp://x.example", secret: "0123456789abcdef", field: "url", why: "an absolute http(s) URL"},
		{url: "https://user:pw@x.example/", secret: "0123456789abcdef", field: "url", why: "an absolute http(s) URL"},
		{url: "https://x.example/#frag", secret: "0123456789abcdef", field: "url", why: "an absolute http(s) URL"},
		{url: "https://x.example/\n", secret: "0123456789abcdef", field: "url", why: "an absolute http(s) URL"},
		{url: "https://:80/", secret: "0123456789abcdef", field: "url", why: "an absolute http(s) URL"},
		{url: "https://x.example/" + strings.Repeat("a", 2000), secret: "0123456789abcdef", field: "url", why: "at most 2000 characters"},
		{url: "https://x.example/", secret: "", field: "secret", why: "required"},
		{url: "https://x.example/", secret: "pendek", field: "secret", why: "at least 16 characters"},
		{url: "https://x.example/", secret: long, field: "secret", why: "at most 256 characters"},
		{url: "https://x.example/", secret: "0123456789abcdef\x00", field: "secret", why: "printable characters only"},
		{url: "https://x.example/", secret: "0123456789abcdef", events: []string{"ticket.nope"}, field: "events", why: "event types of API.md, each once"},
		{url: "https://x.example/", secret: "0123456789abcdef", events: []string{"ticket.done", "ticket.done"}, field: "events", why: "event types of API.md, each once"},
	} {
		err := (&queue.Webhook{URL: c.url, Secret: c.secret, Events: c.events}).Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%q %q %v: %v", c.url, c.secret, c.events, err)
			}
			continue
		}
		qe, ok := err.(*queue.Error)
		if !ok || qe.Code != queue.EInvalid || qe.Fields[c.field] != c.why {
			t.Errorf("%q %q %v: %v, want %s: %s", c.url, c.secret, c.events, err, c.field, c.why)
		}
	}
}

// TestWebhookCommands: registration emits config.changed and sets the
// cursor on it; advances record deliveries (the last
// WebhookDeliveriesKept), never move back, and need a committed seq;
// deleting removes the deliveries too; all of it survives a restart.
func TestWebhookCommands(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	w := e.must(webhookCmd("whk_1")).(*queue.Webhook)
	evs := e.events(w.After - 1)
	if len(evs) != 1 || evs[0].Type != "config.changed" || evs[0].Seq != w.After || string(evs[0].Data) != `{"id":"whk_1","what":"webhook"}` {
		t.Fatalf("registration: cursor %d, events %+v", w.After, evs)
	}
	if w.Secret == "" || !w.CreatedAt.Equal(e.now.Add(-1e9)) || w.Events == nil {
		t.Errorf("registered %+v", w)
	}
	e.refuse(webhookCmd("whk_1"), queue.EAlreadyExists)
	e.refuse(queue.CreateWebhook{Webhook: &queue.Webhook{ID: "whk_2", URL: "x"}}, queue.EInvalid)
	e.refuse(queue.AdvanceWebhook{ID: "whk_1", Seq: e.st().Seq + 1}, queue.EInvalid)
	e.refuse(queue.AdvanceWebhook{ID: "whk_nope", Seq: 1}, queue.ENotFound)

	first := w.After
	for range queue.WebhookDeliveriesKept + 5 {
		e.issue("svc-a", false)
		seq := e.st().Seq
		seqBefore := seq
		e.must(queue.AdvanceWebhook{ID: "whk_1", Seq: seq, Delivery: &queue.WebhookDelivery{Type: "ticket.issued", Attempts: 2, LastError: "HTTP 503"}})
		if e.st().Seq != seqBefore {
			t.Fatal("an advance emitted an event")
		}
	}
	last := e.st().Seq
	ds := e.st().WebhookDeliveries("whk_1")
	if len(ds) != queue.WebhookDeliveriesKept || ds[len(ds)-1].Seq != last || ds[0].Seq != last-queue.WebhookDeliveriesKept+1 {
		t.Fatalf("kept %d deliveries, %d..%d", len(ds), ds[0].Seq, ds[len(ds)-1].Seq)
	}
	if d := ds[len(ds)-1]; d.Status != queue.DeliveryDelivered || d.Attempts != 2 || d.DeliveredAt == nil || d.LastError != "HTTP 503" || d.WebhookID != "whk_1" {
		t.Errorf("delivery %+v", d)
	}
	// A stale advance (a restart redelivered) changes nothing.
	before := e.snapshot()
	e.must(queue.AdvanceWebhook{ID: "whk_1", Seq: first + 1, Delivery: &queue.WebhookDelivery{Type: "ticket.issued", Attempts: 1}})
	if got := e.st().Webhook("whk_1").After; got != last {
		t.Errorf("cursor moved back to %d", got)
	}
	if after := e.snapshot(); fmt.Sprint(before) != fmt.Sprint(after) {
		t.Error("a stale advance changed something")
	}
	// Passing over filtered events records no delivery.
	e.issue("svc-a", false)
	e.must(queue.AdvanceWebhook{ID: "whk_1", Seq: e.st().Seq})
	if got := e.st().WebhookDeliveries("whk_1"); len(got) != queue.WebhookDeliveriesKept || got[len(got)-1].Seq != last {
		t.Errorf("a pass-over recorded a delivery")
	}

	e.restart()
	if got := e.st().Webhook("whk_1"); got == nil || got.After != e.st().Seq || got.Secret != w.Secret || got.URL != w.URL {
		t.Fatalf("after restart: %+v", got)
	}
	if got := e.st().WebhookDeliveries("whk_1"); len(got) != queue.WebhookDeliveriesKept || got[len(got)-1].Seq != last {
		t.Fatalf("after restart: %d deliveries", len(got))
	}

	e.must(queue.CreateWebhook{Webhook: &queue.Webhook{ID: "whk_2", URL: "http://x.example/", Secret: "0123456789abcdef", Events: []string{"ticket.called"}}})
	e.must(queue.DeleteWebhook{ID: "whk_1"})
	e.refuse(queue.DeleteWebhook{ID: "whk_1"}, queue.ENotFound)
	e.restart()
	if e.st().Webhook("whk_1") != nil || len(e.st().WebhookDeliveries("whk_1")) != 0 {
		t.Error("deleted webhook came back")
	}
	ws := e.st().Webhooks()
	if len(ws) != 1 || ws[0].ID != "whk_2" || !ws[0].Wants("ticket.called") || ws[0].Wants("ticket.issued") {
		t.Errorf("webhooks %+v", ws)
	}
	l, err := e.db.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.WebhookDeliveries) != 0 {
		t.Errorf("the store still holds %d deliveries of the deleted webhook", len(l.WebhookDeliveries))
	}
	raw, _ := json.Marshal(ws[0])
	if strings.Contains(string(raw), "0123456789abcdef") {
		t.Errorf("the secret is in the JSON: %s", raw)
	}
}

// TestWebhookLimit: a site has at most MaxWebhooks.
func TestWebhookLimit(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	for i := range queue.MaxWebhooks {
		e.must(webhookCmd(fmt.Sprintf("whk_%d", i)))
	}
	e.refuse(webhookCmd("whk_more"), queue.ELimitReached)
	e.must(queue.DeleteWebhook{ID: "whk_0"})
	e.must(webhookCmd("whk_more"))
}
