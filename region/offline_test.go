package region_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/natstest"
	"github.com/mpp-digital/antrean/queue"
)

// unreachableNATS is a NATS URL where nothing listens: a port that was
// free a moment ago.
func unreachableNATS(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "nats://" + addr
}

// issuer is a mall whose kiosk issues tickets through the engine.
type issuer struct {
	s *apptest.Server
	m *apptest.Mall
	n int
}

// newIssuer starts a site: without NATS when url is "", else publishing
// to url.
func newIssuer(t testing.TB, url string) *issuer {
	t.Helper()
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	var s *apptest.Server
	if url == "" {
		s = apptest.Start(t, apptest.Options{Clock: clock, Configure: func(c *app.Config) { c.NoSync = true }})
	} else {
		s = startSite(t, url, "uji", "", clock)
	}
	return &issuer{s: s, m: s.SetupMall()}
}

func (x *issuer) issue(t testing.TB, n int) {
	services := []string{x.m.ServiceA1.ID, x.m.ServiceA2.ID, x.m.ServiceB1.ID}
	for range n {
		x.n++
		x.s.Clock.Add(time.Second)
		if _, err := x.s.App.Engine.Apply(context.Background(), time.Time{}, queue.IssueTicket{
			ServiceID: services[x.n%3], Channel: queue.ChannelKiosk, Key: fmt.Sprint("k", x.n)}); err != nil {
			t.Fatal(err)
		}
	}
}

// A mall whose NATS is unreachable (the province's link is down, or its
// servers are) issues tickets as fast as a mall with no NATS configured:
// the publisher never stands in the engine's way. The two take turns
// in rounds so that whatever else the machine does falls on both.
func TestNATSUnreachableIssuesAtTheSameRate(t *testing.T) {
	plain := newIssuer(t, "")
	down := newIssuer(t, unreachableNATS(t))
	plain.issue(t, 200) // warm both up
	down.issue(t, 200)
	const rounds, per = 8, 300
	var tPlain, tDown time.Duration
	for i := range rounds {
		first, second := plain, down
		if i%2 == 1 {
			first, second = down, plain
		}
		for _, x := range []*issuer{first, second} {
			start := time.Now()
			x.issue(t, per)
			if x == plain {
				tPlain += time.Since(start)
			} else {
				tDown += time.Since(start)
			}
		}
	}
	ratePlain := float64(rounds*per) / tPlain.Seconds()
	rateDown := float64(rounds*per) / tDown.Seconds()
	t.Logf("tickets/s: no NATS %.0f, NATS unreachable %.0f (ratio %.2f)", ratePlain, rateDown, rateDown/ratePlain)
	if rateDown < 0.75*ratePlain {
		t.Errorf("with NATS unreachable the site issues %.0f tickets/s, without NATS %.0f: more than 25%% slower", rateDown, ratePlain)
	}
	// It has every ticket, and says the link is down and how far behind.
	var ready struct {
		Status  string
		Details struct{ NATS natsStatus } `json:"details"`
	}
	if code := getJSON(t, down.s.URL+"/readyz", "", &ready); code != http.StatusOK || ready.Status != "ready" {
		t.Fatalf("/readyz: %d %+v", code, ready)
	}
	if n := ready.Details.NATS; n.Connected || n.LagEvents < uint64(down.n) {
		t.Errorf("/readyz nats with NATS unreachable: %+v; %d tickets issued", n, down.n)
	}
}

// BenchmarkIssueTicket issues tickets on a site with no NATS configured,
// with NATS unreachable, and publishing to an embedded NATS server.
func BenchmarkIssueTicket(b *testing.B) {
	for _, mode := range []string{"no_nats", "nats_unreachable", "nats_up"} {
		b.Run(mode, func(b *testing.B) {
			url := ""
			switch mode {
			case "nats_unreachable":
				url = unreachableNATS(b)
			case "nats_up":
				ns := natstest.Start(b)
				addSite(b, ns.URL(), "uji", "MPP Uji", 1)
				url = ns.URL()
			}
			x := newIssuer(b, url)
			b.ReportAllocs()
			b.ResetTimer()
			x.issue(b, b.N)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
		})
	}
}
