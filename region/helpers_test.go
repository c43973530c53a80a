package region_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/natspub"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/region"
	"github.com/mpp-digital/antrean/storage"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// jetStream connects to the NATS server at url for the rest of the test.
func jetStream(t testing.TB, url string, opts ...nats.Option) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// addSite makes a site's stream, as the operator's add-site does; opts
// are the operator's (its CA, for a server that takes TLS only).
func addSite(t testing.TB, url, site, name string, replicas int, opts ...nats.Option) {
	t.Helper()
	js := jetStream(t, url, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := natspub.EnsureStream(ctx, js, site, natspub.StreamOptions{Name: name, Replicas: replicas}); err != nil {
		t.Fatalf("stream of %s: %v", site, err)
	}
}

// startSite runs a site that publishes to NATS at url as site.
func startSite(t testing.TB, url, site, data string, clock *apptest.Clock) *apptest.Server {
	t.Helper()
	return startSiteConn(t, natspub.Conn{URL: url}, site, data, clock)
}

// startSiteConn is startSite with the whole of the site's NATS link
// (its CA); log, when set, gets the site's log.
func startSiteConn(t testing.TB, conn natspub.Conn, site, data string, clock *apptest.Clock, log ...io.Writer) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{Data: data, Clock: clock, Configure: func(c *app.Config) {
		c.NATS = natspub.Config{Conn: conn, SiteID: site,
			MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, AckTimeout: 3 * time.Second, SaveEvery: 100 * time.Millisecond}
		c.NoSync = true
		if len(log) > 0 {
			c.Logger = slog.New(slog.NewTextHandler(log[0], nil))
		}
	}})
}

// logBuffer is a log that a test reads while the server writes it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// observer records what the region applied, per site, in order.
type observer struct {
	mu   sync.Mutex
	seqs map[string][]uint64
}

func (o *observer) observe(site string, seq uint64, _ time.Time) {
	o.mu.Lock()
	if o.seqs == nil {
		o.seqs = map[string][]uint64{}
	}
	o.seqs[site] = append(o.seqs[site], seq)
	o.mu.Unlock()
}

func (o *observer) count(site string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.seqs[site])
}

// checkOnceInOrder fails unless the region applied exactly the events
// 1..want of site, each once, in order.
func (o *observer) checkOnceInOrder(t testing.TB, site string, want uint64) {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	got := o.seqs[site]
	if uint64(len(got)) != want {
		t.Fatalf("site %s: the region applied %d events, want %d", site, len(got), want)
	}
	for i, s := range got {
		if s != uint64(i+1) {
			t.Fatalf("site %s: event #%d applied is seq %d, want %d (each once, in order)", site, i+1, s, i+1)
		}
	}
}

type regionRun struct {
	R    *region.Region
	DB   *storage.RegionDB
	Obs  *observer
	Data string
}

// startRegion runs a region server on data (a new folder when empty).
func startRegion(t testing.TB, url, data string, configure func(*region.Config)) *regionRun {
	t.Helper()
	if data == "" {
		data = t.TempDir()
	}
	db, err := storage.OpenRegion(data, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	obs := &observer{}
	cfg := region.Config{Conn: natspub.Conn{URL: url}, Addr: "127.0.0.1:0", DiscoverEvery: 100 * time.Millisecond,
		BcryptCost: 4, AdminPassword: "region-admin-pw", Observe: obs.observe, Logger: quiet}
	if configure != nil {
		configure(&cfg)
	}
	r, err := region.Open(cfg, db)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	run := &regionRun{R: r, DB: db, Obs: obs, Data: data}
	t.Cleanup(run.Stop)
	return run
}

func (rr *regionRun) Stop() {
	if rr.R != nil {
		rr.R.Close()
		rr.DB.Close()
		rr.R = nil
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t testing.TB, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sim plays a mall's day through the engine: tickets issued, called,
// served, no-shows, transfers, cancellations and survey answers, with
// the clock moving on.
type sim struct {
	t    testing.TB
	s    *apptest.Server
	m    *apptest.Mall
	rng  *rand.Rand
	open bool
}

func newSim(t testing.TB, s *apptest.Server, m *apptest.Mall, seed uint64) *sim {
	return &sim{t: t, s: s, m: m, rng: rand.New(rand.NewPCG(seed, 7))}
}

func (x *sim) apply(cmd queue.Command) (any, error) {
	return x.s.App.Engine.Apply(context.Background(), time.Time{}, cmd)
}

// run plays n steps, each a few seconds to a minute after the last.
func (x *sim) run(n int) {
	x.t.Helper()
	m := x.m
	if !x.open {
		for _, c := range []struct{ ctr, user string }{{m.CounterA.ID, m.Users["officerA"].ID}, {m.CounterB.ID, m.Users["officerB"].ID}} {
			if _, err := x.apply(queue.CounterAction{CounterID: c.ctr, Action: queue.ActOpen, UserID: c.user}); err != nil {
				x.t.Fatal(err)
			}
		}
		x.open = true
	}
	services := []string{m.ServiceA1.ID, m.ServiceA2.ID, m.ServiceB1.ID}
	for range n {
		x.s.Clock.Add(time.Duration(5+x.rng.IntN(55)) * time.Second)
		switch k := x.rng.IntN(10); {
		case k < 5:
			_, err := x.apply(queue.IssueTicket{ServiceID: services[x.rng.IntN(3)], Priority: x.rng.IntN(8) == 0, Channel: queue.ChannelKiosk, Key: "k"})
			if err != nil {
				x.t.Fatal(err)
			}
		case k < 9:
			ctr := m.CounterA.ID
			if x.rng.IntN(2) == 0 {
				ctr = m.CounterB.ID
			}
			st := x.s.App.Engine.State()
			cur := st.Counter(ctr).CurrentID
			act := queue.ActNext
			var target string
			if cur != "" {
				switch r := x.rng.IntN(12); {
				case r == 0:
					act = queue.ActNoShow
				case r == 1:
					act, target = queue.ActTransfer, services[x.rng.IntN(3)]
				case r == 2:
					act = queue.ActStart
				}
				if t := st.Ticket(cur); t != nil && t.Status == queue.Serving && (act == queue.ActNoShow || act == queue.ActStart) {
					act = queue.ActDone
				}
			}
			res, err := x.apply(queue.CounterAction{CounterID: ctr, Action: act, ServiceID: target})
			if err != nil {
				x.t.Fatalf("%s at %s: %v", act, ctr, err)
			}
			_ = res
		default:
			// A visitor cancels, or one who was served answers the survey.
			st := x.s.App.Engine.State()
			for t := range st.Tickets() {
				if t.Status == queue.Waiting && x.rng.IntN(4) == 0 {
					if _, err := x.apply(queue.CancelTicket{TicketID: t.ID}); err != nil {
						x.t.Fatal(err)
					}
					break
				}
				if t.Status == queue.Done && !st.Rated(t.ID) {
					scores := make([]int, 9)
					for i := range scores {
						scores[i] = 1 + x.rng.IntN(4)
					}
					if _, err := x.apply(queue.SubmitFeedback{TicketID: t.ID, Scores: scores}); err != nil {
						x.t.Fatal(err)
					}
					break
				}
			}
		}
	}
}

// marker commits at least one more event at the site and waits until the
// region applied them all, instead of sleeping "long enough" for nothing
// more to come: the region applies a site's events in stream order and
// the stream holds each once, so once the marker is applied everything
// committed before it has arrived, and any repeat of it would have been
// applied before the marker. It returns the site's last seq, the count
// checkOnceInOrder then wants (after applied, the count from which the
// region under test started).
func (x *sim) marker(rr *regionRun, site string, applied uint64) uint64 {
	x.t.Helper()
	before := siteSeq(x.s)
	for siteSeq(x.s) == before {
		x.run(1)
	}
	want := siteSeq(x.s)
	waitFor(x.t, "the region to apply the marker event", 30*time.Second, func() bool {
		return uint64(rr.Obs.count(site))+applied >= want
	})
	return want
}

// siteSeq is the site's last committed event.
func siteSeq(s *apptest.Server) uint64 { return s.App.Engine.State().Seq }

func getJSON(t testing.TB, url, token string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := decodeJSON(resp.Body, out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}
