package webhooks_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

const secret = "rahasia-penerima-uji-1234"

// TestDeliveries follows one webhook through a working day: a receiver
// gets every event after the registration, in seq order, each signed,
// with the event log's own bytes as the body; an event goes twice only
// where its answer was lost (the connection dropped, or no answer within
// the time limit); a receiver outage of a simulated minute is ridden out
// with backoff (1, 2, 4, 8, 16, 30 s) while tickets go on being issued;
// and the queue survives restarts of the server, with an event pending
// across one.
func TestDeliveries(t *testing.T) {
	timers := newFakeTimers()
	recs := &records{m: map[uint64][]byte{}}
	s := start(t, timers, "", recs)
	m := s.SetupMall()
	rcv := newReceiver(t, secret)
	w := register(s, rcv.URL(), secret)
	registered := s.App.Engine.State().Seq // its own config.changed
	if w.ID == "" || w.URL != rcv.URL() || w.Events == nil || len(w.Events) != 0 {
		t.Fatalf("registered %+v", w)
	}
	seq := func() uint64 { return s.App.Engine.State().Seq }
	issue := func() { s.Issue(m, m.ServiceA1.ID, false) }
	act := func(a string) {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/"+a, m.Tokens["officerA"], nil, http.StatusOK, nil)
	}

	// A morning: tickets, a counter opening and calling.
	for range 5 {
		issue()
	}
	act("open")
	act("next")
	act("start")
	act("next")
	rcv.waitSeq(seq())

	// A lost answer: the receiver takes the event, the connection drops.
	rcv.set(drop, answerOK)
	issue()
	rcv.waitSeq(seq())
	timers.fire(t, time.Second) // the retry
	rcv.wait("the retry after a dropped connection", func(got []received, _ int) bool {
		return len(got) >= 2 && got[len(got)-1].Seq == seq() && !got[len(got)-1].Lost
	})

	// A lost answer: the receiver takes the event and answers nothing.
	rcv.set(hang, answerOK)
	issue()
	rcv.waitSeq(seq())
	timers.fire(t, 5*time.Second) // the attempt's time limit
	timers.fire(t, time.Second)   // the retry
	rcv.wait("the retry after a time-out", func(got []received, _ int) bool {
		return got[len(got)-1].Seq == seq() && !got[len(got)-1].Lost
	})
	waitDelivered(t, s, w.ID, seq())
	if d := deliveries(s, w.ID)[0]; d.Attempts != 2 || d.LastError != "no answer within 5s" || d.Status != "delivered" {
		t.Errorf("after a time-out: %+v", d)
	}

	// An outage of a simulated minute, while the mall goes on.
	rcv.set(refuse)
	before := timers.elapsed
	issue()
	first := seq()
	rcv.wait("the first refused attempt", func(_ []received, arrived int) bool { return arrived > 0 })
	for _, wait := range []time.Duration{1, 2, 4, 8, 16, 30} {
		timers.fire(t, wait*time.Second)
		issue() // ticket issuing is not held up by the outage
	}
	if got := timers.elapsed - before; got != 61*time.Second {
		t.Errorf("simulated outage %s", got)
	}
	waitPending(t, s, w.ID, first, 7)
	ds := deliveries(s, w.ID)
	if p := ds[0]; p.Seq != first || p.Status != "pending" || p.LastError != "HTTP 503 Service Unavailable" || p.DeliveredAt != nil {
		t.Errorf("during the outage: %+v", p)
	}
	rcv.set(answerOK)
	timers.fire(t, 30*time.Second) // backoff is capped at 30 s
	rcv.waitSeq(seq())             // the rest follow without waiting
	waitDelivered(t, s, w.ID, seq())
	if d := findDelivery(deliveries(s, w.ID), first); d.Attempts != 8 || d.Status != "delivered" {
		t.Errorf("after the outage: %+v", d)
	}

	// A restart with everything delivered sends nothing again (the
	// tokens survive restarts).
	s.Stop()
	s = start(t, timers, s.Data, recs)
	issue()
	rcv.waitSeq(seq())

	// A restart while an event is pending: it goes after the restart.
	rcv.set(refuse)
	issue()
	pending := seq()
	waitPending(t, s, w.ID, pending, 1)
	s.Stop()
	timers.waitNone(t) // the stopped worker's backoff is not fired
	rcv.set(answerOK)
	s = start(t, timers, s.Data, recs)
	rcv.waitSeq(pending)
	issue()
	rcv.waitSeq(seq())
	waitDelivered(t, s, w.ID, seq())
	if d := findDelivery(deliveries(s, w.ID), pending); d.Status != "delivered" || d.Attempts != 1 {
		t.Errorf("the event pending over the restart: %+v (attempts count from the restart)", d)
	}

	// Every event after the registration, in order, with the event log's
	// bytes; a repeat only right after its lost answer.
	got := rcv.took()
	want := registered + 1
	for i, g := range got {
		if i > 0 && got[i-1].Lost && got[i-1].Seq == g.Seq {
			continue // the repeat of a lost answer
		}
		if g.Seq != want {
			t.Fatalf("got %s: event %d where %d was due", seqList(got), g.Seq, want)
		}
		want++
		if rec := recs.get(g.Seq); !bytes.Equal(g.Body, rec) {
			t.Errorf("event %d: body %s, the log's record %s", g.Seq, g.Body, rec)
		}
	}
	if last := seq(); want != last+1 {
		t.Errorf("the receiver has up to %d, the log up to %d", want-1, last)
	}
	lost := 0
	for _, g := range got {
		if g.Lost {
			lost++
		}
	}
	if lost != 2 || len(got) != int(seq()-registered)+lost {
		t.Errorf("%d lost answers, %d requests taken for %d events: %s", lost, len(got), seq()-registered, seqList(got))
	}
}

func findDelivery(ds []delivery, seq uint64) delivery {
	for _, d := range ds {
		if d.Seq == seq {
			return d
		}
	}
	return delivery{}
}

// waitDelivered waits until the deliveries list shows seq delivered.
func waitDelivered(t *testing.T, s *apptest.Server, id string, seq uint64) {
	t.Helper()
	waitList(t, s, id, func(ds []delivery) bool {
		return len(ds) > 0 && ds[0].Seq == seq && ds[0].Status == "delivered"
	})
}

// waitPending waits until the list shows seq pending after attempts.
func waitPending(t *testing.T, s *apptest.Server, id string, seq uint64, attempts int) {
	t.Helper()
	waitList(t, s, id, func(ds []delivery) bool {
		return len(ds) > 0 && ds[0].Seq == seq && ds[0].Status == "pending" && ds[0].Attempts == attempts && ds[0].LastError != ""
	})
}

// waitList reads the deliveries list until cond holds, each time the
// dispatcher reports a change (the worker records an attempt just after
// the receiver answered it), for up to 10 s.
func waitList(t *testing.T, s *apptest.Server, id string, cond func([]delivery) bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		changed := s.App.Webhooks.Changes()
		ds := deliveries(s, id)
		if cond(ds) {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("deliveries of %s: %+v", id, ds)
		}
	}
}

// TestTypeFilter: a webhook gets only the types it asked for, in order;
// one without types gets everything; both from their registration on.
func TestTypeFilter(t *testing.T) {
	timers := newFakeTimers()
	s := start(t, timers, "", nil)
	m := s.SetupMall()
	calls, all := newReceiver(t, secret), newReceiver(t, secret)
	wc := register(s, calls.URL(), secret, "ticket.called", "counter.opened")
	if strings.Join(wc.Events, ",") != "ticket.called,counter.opened" {
		t.Errorf("events %v", wc.Events)
	}
	wa := register(s, all.URL(), secret)
	from := s.App.Engine.State().Seq
	for range 3 {
		s.Issue(m, m.ServiceA1.ID, false)
	}
	for _, a := range []string{"open", "next", "next", "next"} {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/"+a, s.Admin, nil, http.StatusOK, nil)
	}
	last := s.App.Engine.State().Seq
	all.waitSeq(last)
	evs, err := s.App.DB.Events(from, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wantCalls, wantAll []string
	for _, e := range evs {
		wantAll = append(wantAll, e.Type)
		if e.Type == "ticket.called" || e.Type == "counter.opened" {
			wantCalls = append(wantCalls, e.Type)
		}
	}
	calls.wait("the calls", func(got []received, _ int) bool { return len(got) == len(wantCalls) })
	if got := typesOf(calls.took()); strings.Join(got, " ") != strings.Join(wantCalls, " ") {
		t.Errorf("filtered receiver got %v, want %v", got, wantCalls)
	}
	if got := typesOf(all.took()); strings.Join(got, " ") != strings.Join(wantAll, " ") {
		t.Errorf("unfiltered receiver got %v, want %v", got, wantAll)
	}
	waitDelivered(t, s, wa.ID, last)
	if n := len(deliveries(s, wc.ID)); n != len(wantCalls) {
		t.Errorf("the filtered webhook lists %d deliveries, want %d", n, len(wantCalls))
	}
}

func typesOf(got []received) []string {
	var out []string
	for _, g := range got {
		out = append(out, g.Type)
	}
	return out
}

// TestDeliveriesList: the list answers the pending delivery first, then
// the last queue.WebhookDeliveriesKept delivered ones, newest first,
// with API.md's fields.
func TestDeliveriesList(t *testing.T) {
	timers := newFakeTimers()
	s := start(t, timers, "", nil)
	m := s.SetupMall()
	rcv := newReceiver(t, secret)
	w := register(s, rcv.URL(), secret, "ticket.issued")
	if ds := deliveries(s, w.ID); len(ds) != 0 {
		t.Errorf("a new webhook lists %+v", ds)
	}
	n := queue.WebhookDeliveriesKept + 5
	for range n {
		s.Issue(m, m.ServiceA1.ID, false)
	}
	last := s.App.Engine.State().Seq
	waitDelivered(t, s, w.ID, last)
	ds := deliveries(s, w.ID)
	if len(ds) != queue.WebhookDeliveriesKept {
		t.Fatalf("%d deliveries listed, want %d", len(ds), queue.WebhookDeliveriesKept)
	}
	for i, d := range ds {
		if d.Seq != last-uint64(i) || d.Type != "ticket.issued" || d.Attempts != 1 || d.Status != "delivered" || d.LastError != "" || d.DeliveredAt == nil {
			t.Fatalf("delivery %d: %+v", i, d)
		}
	}
	// The raw answer has exactly API.md's fields.
	r := s.Do(http.MethodGet, "/api/v1/webhooks/"+w.ID+"/deliveries", s.Admin, nil)
	for _, f := range []string{`"seq":`, `"type":`, `"attempts":`, `"status":`, `"last_error":`, `"delivered_at":"`} {
		if !strings.Contains(string(r.Body), f) {
			t.Errorf("the answer lacks %s: %.300s", f, r.Body)
		}
	}

	rcv.set(refuse)
	s.Issue(m, m.ServiceA1.ID, false)
	waitPending(t, s, w.ID, last+1, 1)
	ds = deliveries(s, w.ID)
	if len(ds) != queue.WebhookDeliveriesKept+1 || ds[1].Seq != last || ds[0].DeliveredAt != nil {
		t.Errorf("with a pending one: %d listed, %+v, %+v", len(ds), ds[0], ds[1])
	}
	r = s.Do(http.MethodGet, "/api/v1/webhooks/"+w.ID+"/deliveries", s.Admin, nil)
	if !strings.Contains(string(r.Body), `"delivered_at":null`) {
		t.Errorf("a pending delivery's delivered_at is not null: %.300s", r.Body)
	}
}

// TestWebhookAPI: registration, listing and removal as API.md has them,
// and the errors: 400 with the fields at fault, 415, 404, 409 past the
// limit; the secret never comes back.
func TestWebhookAPI(t *testing.T) {
	s := start(t, newFakeTimers(), "", nil)
	rcv := newReceiver(t, secret)
	body := map[string]any{"url": rcv.URL(), "events": []string{"ticket.called"}, "secret": secret}
	r := s.Do(http.MethodPost, "/api/v1/webhooks", s.Admin, body)
	if r.Status != http.StatusCreated || strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), "secret") {
		t.Fatalf("POST: %d %s", r.Status, r.Body)
	}
	var w queue.Webhook
	r.JSON(t, &w)
	if !strings.HasPrefix(w.ID, "whk_") || w.URL != rcv.URL() || len(w.Events) != 1 {
		t.Errorf("created %+v", w)
	}
	evs, _ := s.App.DB.Events(s.App.Engine.State().Seq-1, 0)
	if len(evs) != 1 || evs[0].Type != "config.changed" || string(evs[0].Data) != `{"id":"`+w.ID+`","what":"webhook"}` {
		t.Errorf("registration event %+v", evs)
	}
	// The booking events Antrean emits beyond API.md's list can be named.
	r = s.Do(http.MethodPost, "/api/v1/webhooks", s.Admin, map[string]any{"url": rcv.URL(), "events": []string{"booking.rescheduled", "booking.expired"}, "secret": secret})
	if r.Status != http.StatusCreated {
		t.Errorf("POST with booking.rescheduled and booking.expired: %d %s", r.Status, r.Body)
	}
	var w2 queue.Webhook
	r.JSON(t, &w2)
	if r := s.Do(http.MethodDelete, "/api/v1/webhooks/"+w2.ID, s.Admin, nil); r.Status != http.StatusNoContent {
		t.Errorf("DELETE: %d %s", r.Status, r.Body)
	}
	r = s.Do(http.MethodGet, "/api/v1/webhooks", s.Admin, nil)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), secret) || !strings.Contains(string(r.Body), `"webhooks":[{"id":"`+w.ID+`"`) {
		t.Errorf("GET: %d %s", r.Status, r.Body)
	}

	for _, c := range []struct {
		body   string
		status int
		field  string
	}{
		{`{"url": "not a url", "secret": "` + secret + `"}`, 400, "url"},
		{`{"url": "ftp://x.example/", "secret": "` + secret + `"}`, 400, "url"},
		{`{"secret": "` + secret + `"}`, 400, "url"},
		{`{"url": "https://x.example/", "secret": "pendek"}`, 400, "secret"},
		{`{"url": "https://x.example/"}`, 400, "secret"},
		{`{"url": "https://x.example/", "secret": "` + secret + `", "events": ["ticket.eaten"]}`, 400, "events"},
		{`{"url": "https://x.example/", "secret": "` + secret + `", "events": "ticket.called"}`, 400, "events"},
		{`{"url": "https://x.example/", "secret": "` + secret + `", "token": "x"}`, 400, "token"},
		{`{"url": "https://x.example/", "secret": "` + secret + `"} {}`, 400, "body"},
		{``, 400, "body"},
	} {
		r := s.Do(http.MethodPost, "/api/v1/webhooks", s.Admin, c.body)
		var e struct {
			Error struct {
				Code   string
				Fields map[string]string
			}
		}
		r.JSON(t, &e)
		if r.Status != c.status || e.Error.Code != queue.EInvalid || e.Error.Fields[c.field] == "" {
			t.Errorf("POST %s: %d %s, want %d with field %s", c.body, r.Status, r.Body, c.status, c.field)
		}
	}
	r = s.Do(http.MethodPost, "/api/v1/webhooks", s.Admin, []byte(`{}`), "Content-Type", "text/plain")
	if r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d %s", r.Status, r.Body)
	}
	for _, p := range []string{"/api/v1/webhooks/whk_nope", "/api/v1/webhooks/whk_nope/deliveries"} {
		method := http.MethodDelete
		if strings.HasSuffix(p, "deliveries") {
			method = http.MethodGet
		}
		if r := s.Do(method, p, s.Admin, nil); r.Status != http.StatusNotFound || r.ErrorCode() != queue.ENotFound {
			t.Errorf("%s %s: %d %s", method, p, r.Status, r.Body)
		}
	}
	for range queue.MaxWebhooks - 1 {
		register(s, rcv.URL(), secret)
	}
	if r := s.Do(http.MethodPost, "/api/v1/webhooks", s.Admin, body); r.Status != http.StatusConflict || r.ErrorCode() != queue.ELimitReached {
		t.Errorf("past the limit: %d %s", r.Status, r.Body)
	}
	if r := s.Do(http.MethodDelete, "/api/v1/webhooks/"+w.ID, s.Admin, nil); r.Status != http.StatusNoContent {
		t.Errorf("DELETE: %d %s", r.Status, r.Body)
	}
	if r := s.Do(http.MethodDelete, "/api/v1/webhooks/"+w.ID, s.Admin, nil); r.Status != http.StatusNotFound {
		t.Errorf("DELETE again: %d %s", r.Status, r.Body)
	}
	// An Idempotency-Key makes a repeated registration one webhook.
	before := len(s.App.Engine.State().Webhooks())
	var a, b queue.Webhook
	s.Do(http.MethodPost, "/api/v1/webhooks", s.Admin, body, "Idempotency-Key", "k1").JSON(t, &a)
	s.Do(http.MethodPost, "/api/v1/webhooks", s.Admin, body, "Idempotency-Key", "k1").JSON(t, &b)
	if a.ID == "" || a.ID != b.ID || len(s.App.Engine.State().Webhooks()) != before+1 {
		t.Errorf("idempotent registration: %q %q", a.ID, b.ID)
	}
}

// TestDeleteStopsDeliveries: a deleted webhook gets nothing more, also
// when it was retrying.
func TestDeleteStopsDeliveries(t *testing.T) {
	timers := newFakeTimers()
	s := start(t, timers, "", nil)
	m := s.SetupMall()
	rcv := newReceiver(t, secret)
	w := register(s, rcv.URL(), secret)
	rcv.set(refuse)
	s.Issue(m, m.ServiceA1.ID, false)
	waitPending(t, s, w.ID, s.App.Engine.State().Seq, 1)
	s.MustJSON(http.MethodDelete, "/api/v1/webhooks/"+w.ID, s.Admin, nil, http.StatusNoContent, nil)
	// The worker stops: its backoff timer is stopped, not fired.
	timers.waitNone(t)
	rcv.set(answerOK)
	s.Issue(m, m.ServiceA1.ID, false)
	other := newReceiver(t, secret)
	register(s, other.URL(), secret)
	s.Issue(m, m.ServiceA1.ID, false)
	other.waitSeq(s.App.Engine.State().Seq) // a later webhook is served meanwhile
	if got := rcv.took(); len(got) != 0 {
		t.Errorf("the deleted webhook's receiver took %s", seqList(got))
	}
}
