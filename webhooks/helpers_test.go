package webhooks_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/webhooks"
)

// ---- fake timers: the dispatcher's waits, fired by the test ----

// fakeTimers hands the dispatcher timers that fire only when the test
// says so: a minute of retries takes no time, and the test knows when a
// worker waits (nothing waits on a real sleep for another goroutine).
type fakeTimers struct {
	mu      sync.Mutex
	pending []*fakeTimer
	changed chan struct{} // closed and replaced when pending changes
	elapsed time.Duration // simulated time: the sum of the waits fired
}

type fakeTimer struct {
	f *fakeTimers
	d time.Duration
	c chan time.Time
}

func newFakeTimers() *fakeTimers { return &fakeTimers{changed: make(chan struct{})} }

func (f *fakeTimers) NewTimer(d time.Duration) webhooks.Timer {
	t := &fakeTimer{f: f, d: d, c: make(chan time.Time, 1)}
	f.mu.Lock()
	f.pending = append(f.pending, t)
	f.notify()
	f.mu.Unlock()
	return t
}

func (f *fakeTimers) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (t *fakeTimer) C() <-chan time.Time { return t.c }

func (t *fakeTimer) Stop() bool {
	f := t.f
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.Index(f.pending, t)
	if i < 0 {
		return false
	}
	f.pending = slices.Delete(f.pending, i, i+1)
	f.notify()
	return true
}

// durations lists the pending timers' durations.
func (f *fakeTimers) durations() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for _, t := range f.pending {
		out = append(out, t.d)
	}
	return out
}

// fire waits (up to 30 s) until a timer of duration d is pending, and
// fires it.
func (f *fakeTimers) fire(t testing.TB, d time.Duration) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		f.mu.Lock()
		for i, tm := range f.pending {
			if tm.d == d {
				f.pending = slices.Delete(f.pending, i, i+1)
				f.elapsed += d
				f.notify()
				f.mu.Unlock()
				tm.c <- time.Now()
				return
			}
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no timer of %s started within 30 s (pending: %v)", d, f.durations())
		}
	}
}

// waitNone waits (up to 30 s) until no timer is pending.
func (f *fakeTimers) waitNone(t testing.TB) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		f.mu.Lock()
		n, ch := len(f.pending), f.changed
		f.mu.Unlock()
		if n == 0 {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("timers still pending: %v", f.durations())
		}
	}
}

// ---- a receiver: a real HTTP server that checks what it gets ----

// behaviour is what the receiver does with one request.
type behaviour int

const (
	answerOK behaviour = iota // take it, answer 200
	refuse                    // answer 503 without taking it
	drop                      // take it, then drop the connection unanswered
	hang                      // take it, then answer nothing until the sender gives up
)

// received is one request the receiver took.
type received struct {
	Seq  uint64
	Type string
	Body []byte
	// Lost: the receiver took it but the sender never got the answer.
	Lost bool
}

type receiver struct {
	t      testing.TB
	srv    *httptest.Server
	secret string

	mu      sync.Mutex
	next    []behaviour // for the next requests, in order; then always
	always  behaviour
	got     []received
	arrived int // requests seen, refused ones included
	changed chan struct{}
}

func newReceiver(t testing.TB, secret string) *receiver {
	r := &receiver{t: t, secret: secret, changed: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) URL() string { return r.srv.URL + "/hook" }

// set makes the receiver answer the next requests with bs, then always
// with the last of them.
func (r *receiver) set(bs ...behaviour) {
	r.mu.Lock()
	r.next, r.always = bs[:len(bs)-1], bs[len(bs)-1]
	r.mu.Unlock()
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("receiver: reading: %v", err)
		return
	}
	// Everything the sender promises, checked on every request.
	var ev struct {
		Seq  uint64          `json:"seq"`
		Type string          `json:"type"`
		At   time.Time       `json:"at"`
		Data json.RawMessage `json:"data"`
	}
	mac := hmac.New(sha256.New, []byte(r.secret))
	mac.Write(body)
	switch {
	case req.Method != http.MethodPost || req.URL.Path != "/hook":
		r.t.Errorf("receiver: %s %s", req.Method, req.URL.Path)
	case req.Header.Get("Content-Type") != "application/json":
		r.t.Errorf("receiver: Content-Type %q", req.Header.Get("Content-Type"))
	case json.Unmarshal(body, &ev) != nil || ev.Seq == 0 || ev.Type == "" || ev.At.IsZero() || len(ev.Data) == 0:
		r.t.Errorf("receiver: body is not an event: %s", body)
	case req.Header.Get("X-Antrean-Event") != ev.Type || req.Header.Get("X-Antrean-Seq") != strconv.FormatUint(ev.Seq, 10):
		r.t.Errorf("receiver: headers %q %q for event %d %s", req.Header.Get("X-Antrean-Event"), req.Header.Get("X-Antrean-Seq"), ev.Seq, ev.Type)
	case !hmac.Equal([]byte(req.Header.Get("X-Antrean-Signature")), []byte("sha256="+hex.EncodeToString(mac.Sum(nil)))):
		r.t.Errorf("receiver: bad signature %q for %s", req.Header.Get("X-Antrean-Signature"), body)
	}
	r.mu.Lock()
	b := r.always
	if len(r.next) > 0 {
		b, r.next = r.next[0], r.next[1:]
	}
	r.arrived++
	if b != refuse {
		r.got = append(r.got, received{Seq: ev.Seq, Type: ev.Type, Body: body, Lost: b == drop || b == hang})
	}
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	switch b {
	case answerOK:
		w.WriteHeader(http.StatusOK)
	case refuse:
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	case drop:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			r.t.Errorf("receiver: hijack: %v", err)
			return
		}
		conn.Close()
	case hang:
		<-req.Context().Done()
	}
}

// wait waits (up to 30 s) until cond holds for what the receiver took.
func (r *receiver) wait(what string, cond func(got []received, arrived int) bool) {
	r.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		r.mu.Lock()
		ok := cond(r.got, r.arrived)
		ch := r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			r.t.Fatalf("receiver: %s: not within 30 s; took %s", what, seqList(r.got))
		}
	}
}

// waitSeq waits until the receiver took the event seq (answered or not).
func (r *receiver) waitSeq(seq uint64) {
	r.t.Helper()
	r.wait(fmt.Sprintf("event %d", seq), func(got []received, _ int) bool {
		return len(got) > 0 && got[len(got)-1].Seq >= seq
	})
}

func (r *receiver) took() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func seqList(got []received) string {
	s := "["
	for i, g := range got {
		if i > 0 {
			s += " "
		}
		s += strconv.FormatUint(g.Seq, 10)
		if g.Lost {
			s += "(lost)"
		}
	}
	return s + "]"
}

// ---- the server ----

// records keeps the engine's own record of every event (Event.Record,
// the bytes the store keeps), across restarts.
type records struct {
	mu sync.Mutex
	m  map[uint64][]byte
}

func (r *records) Publish(evs []queue.Event, _ *queue.State) {
	r.mu.Lock()
	for _, e := range evs {
		r.m[e.Seq] = e.Record
	}
	r.mu.Unlock()
}

func (r *records) get(seq uint64) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[seq]
}

// start runs a server whose dispatcher uses the fake timers; data "" is
// a new folder.
func start(t *testing.T, timers *fakeTimers, data string, recs *records) *apptest.Server {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Data: data, Configure: func(c *app.Config) {
		c.Webhooks.NewTimer = timers.NewTimer
	}})
	if recs != nil {
		s.App.Engine.Subscribe(recs)
	}
	return s
}

// register adds a webhook through the API and returns it.
func register(s *apptest.Server, url, secret string, events ...string) queue.Webhook {
	s.T.Helper()
	if events == nil {
		events = []string{}
	}
	var w queue.Webhook
	s.MustJSON(http.MethodPost, "/api/v1/webhooks", s.Admin, map[string]any{"url": url, "secret": secret, "events": events}, http.StatusCreated, &w)
	return w
}

// delivery is an entry of GET /api/v1/webhooks/{id}/deliveries.
type delivery struct {
	Seq         uint64     `json:"seq"`
	Type        string     `json:"type"`
	Attempts    int        `json:"attempts"`
	Status      string     `json:"status"`
	LastError   string     `json:"last_error"`
	DeliveredAt *time.Time `json:"delivered_at"`
}

func deliveries(s *apptest.Server, id string) []delivery {
	s.T.Helper()
	var out struct{ Deliveries []delivery }
	s.MustJSON(http.MethodGet, "/api/v1/webhooks/"+id+"/deliveries", s.Admin, nil, http.StatusOK, &out)
	return out.Deliveries
}
