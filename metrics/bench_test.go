package metrics_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// What the metrics cost, apart from the machine's noise that swamps the
// end-to-end benchmarks of internal/bench (BENCHMARKS.md, Metrics):
//
//	go test -run '^$' -bench . -benchtime 2s ./metrics/

// capture keeps the events of the groups it is shown.
type capture struct {
	mu     sync.Mutex
	events []queue.Event
}

func (c *capture) Publish(evs []queue.Event, _ *queue.State) {
	c.mu.Lock()
	c.events = append(c.events, evs...)
	c.mu.Unlock()
}

func (c *capture) of(typ string) []queue.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []queue.Event
	for _, e := range c.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// benchMall is a server with a busy day: n tickets issued over the
// mall's three services, and some called and done.
func benchMall(b *testing.B, n int) (*apptest.Server, *capture) {
	b.Helper()
	s := apptest.Start(b, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	c := &capture{}
	s.App.Engine.Subscribe(c)
	services := []string{m.ServiceA1.ID, m.ServiceA2.ID, m.ServiceB1.ID}
	var wg sync.WaitGroup
	work := make(chan int)
	for range 64 {
		wg.Go(func() {
			for i := range work {
				if _, err := s.App.Engine.Apply(context.Background(), time.Time{}, queue.IssueTicket{ServiceID: services[i%3], Channel: queue.ChannelKiosk, Key: fmt.Sprint("k", i)}); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	officer := m.Tokens["officerA"]
	base := "/api/v1/counters/" + m.CounterA.ID + "/"
	s.MustJSON(http.MethodPost, base+queue.ActOpen, officer, nil, http.StatusOK, nil)
	for range 20 {
		s.Clock.Add(time.Minute)
		s.MustJSON(http.MethodPost, base+queue.ActNext, officer, nil, http.StatusOK, nil)
	}
	s.MustJSON(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil) // every event published
	return s, c
}

// BenchmarkPublish is the metrics' Publisher on the committer goroutine,
// per event: ticket.issued (the busy one, skipped by its type) and
// ticket.called and ticket.done (decoded and observed).
func BenchmarkPublish(b *testing.B) {
	s, c := benchMall(b, 300)
	st := s.App.Engine.State()
	for _, typ := range []string{"ticket.issued", "ticket.called", "ticket.done"} {
		evs := c.of(typ)
		if len(evs) == 0 {
			b.Fatalf("no %s events", typ)
		}
		b.Run("event="+typ, func(b *testing.B) {
			i := 0
			for b.Loop() {
				s.App.Metrics.Publish(evs[i%len(evs):i%len(evs)+1], st)
				i++
			}
		})
	}
}

// BenchmarkObserveCommit is the engine's OnCommit hook.
func BenchmarkObserveCommit(b *testing.B) {
	s := apptest.Start(b, apptest.Options{Start: apptest.Workday})
	for b.Loop() {
		s.App.Metrics.ObserveCommit(64, 700*time.Microsecond)
	}
}

// BenchmarkScrape is one whole GET /metrics (the Go and process
// collectors included) on a day of 10 000 tickets: off the engine's
// path, once per scrape interval.
func BenchmarkScrape(b *testing.B) {
	s, _ := benchMall(b, 10000)
	h := s.App.Metrics.Handler()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatal(rec.Code)
		}
		_, _ = io.Copy(io.Discard, rec.Body)
	}
}
