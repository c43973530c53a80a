package metrics_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// families is one scrape of /metrics, parsed.
type families map[string]*dto.MetricFamily

// scrape reads /metrics over real HTTP from loopback and parses it with
// Prometheus' own text parser, with the strict (legacy) name rules.
//
// The engine answers a request before it hands the events of its commit
// to the publishers (the metrics among them); /readyz first sends the
// engine a Ping, which its committer answers only after it is done with
// every group before, so the scrape sees every answered request's events.
func scrape(t *testing.T, s *apptest.Server) families {
	t.Helper()
	s.MustJSON(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil)
	resp, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("GET /metrics: Content-Type %q, want Prometheus text", ct)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// find is the series of a family whose labels include want (name, value
// pairs), or nil.
func (f families) find(name string, want ...string) *dto.Metric {
	fam := f[name]
	if fam == nil {
		return nil
	}
next:
	for _, m := range fam.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(want); i += 2 {
			if have[want[i]] != want[i+1] {
				continue next
			}
		}
		return m
	}
	return nil
}

// val is a counter's or gauge's value (0 when the series is absent, as
// for a counter not yet touched).
func (f families) val(name string, labels ...string) float64 {
	m := f.find(name, labels...)
	switch {
	case m == nil:
		return 0
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Untyped != nil:
		return m.Untyped.GetValue()
	}
	return 0
}

// hist is a histogram's count and sum.
func (f families) hist(name string, labels ...string) (uint64, float64) {
	m := f.find(name, labels...)
	if m == nil || m.Histogram == nil {
		return 0, 0
	}
	return m.Histogram.GetSampleCount(), m.Histogram.GetSampleSum()
}

// Every family of antrean's own is prefixed and explained; the Go runtime
// and process collectors are there under their usual names.
func TestMetricsNamesAndHelp(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	s.SetupMall()
	f := scrape(t, s)
	var own []string
	for name, fam := range f {
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
			continue
		}
		if !strings.HasPrefix(name, "antrean_") {
			t.Errorf("metric %s is not prefixed antrean_", name)
		}
		if fam.GetHelp() == "" {
			t.Errorf("metric %s has no help text", name)
		}
		own = append(own, name)
	}
	sort.Strings(own)
	t.Logf("antrean's metrics: %s", strings.Join(own, " "))
	for _, name := range []string{
		"antrean_tickets", "antrean_tickets_issued_total", "antrean_waiting", "antrean_service_info", "antrean_counters",
		"antrean_websocket_clients", "antrean_commit_group_size", "antrean_commit_duration_seconds",
		"antrean_idempotent_replays_total", "antrean_printer_failures_total", "antrean_build_info",
		"antrean_calls_total", "antrean_recalls_total", "antrean_wait_duration_seconds", "antrean_service_duration_seconds",
		"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes",
	} {
		if f[name] == nil {
			t.Errorf("no metric %s", name)
		}
	}
	// Every service has its series from the start, zero included.
	if m := f.find("antrean_waiting", "agency", "POL", "service", "K"); m == nil || m.Gauge.GetValue() != 0 {
		t.Errorf("antrean_waiting of service K: %v, want a 0 series", m)
	}
	if m := f.find("antrean_service_info", "service", "A", "name", "Perekaman KTP-el", "active", "true"); m == nil {
		t.Error("antrean_service_info has no series for service A with its name")
	}
	if v := f.val("antrean_counters", "agency", "DKP", "status", "closed"); v != 1 {
		t.Errorf("antrean_counters{DKP,closed} = %v, want 1", v)
	}
}

// The queue's series move as its tickets do: issue, call, serve, finish,
// call again, recall.
func TestMetricsFollowTickets(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	A := []string{"agency", "DKP", "service", "A"}
	with := func(extra ...string) []string { return append(append([]string{}, A...), extra...) }
	f0 := scrape(t, s)

	for range 3 {
		s.Issue(m, m.ServiceA1.ID, false)
	}
	f1 := scrape(t, s)
	if v := f1.val("antrean_waiting", A...); v != 3 {
		t.Errorf("after 3 issued: waiting %v, want 3", v)
	}
	if v := f1.val("antrean_tickets", with("status", "waiting")...); v != 3 {
		t.Errorf("after 3 issued: tickets{waiting} %v, want 3", v)
	}
	if v := f1.val("antrean_tickets_issued_total", A...); v != 3 {
		t.Errorf("after 3 issued: issued_total %v, want 3", v)
	}
	n0, _ := f0.hist("antrean_commit_group_size")
	n1, cmds1 := f1.hist("antrean_commit_group_size")
	if n1 < n0+3 {
		t.Errorf("commits: %d before, %d after three issues, want at least 3 more", n0, n1)
	}
	if d, _ := f1.hist("antrean_commit_duration_seconds"); d != n1 {
		t.Errorf("commit durations counted %d, commits %d: want one per commit", d, n1)
	}
	if cmds1 < float64(n1) {
		t.Errorf("commit group sizes sum to %v over %d commits", cmds1, n1)
	}

	// Five minutes later the counter opens and calls the first ticket.
	s.Clock.Add(5 * time.Minute)
	base := "/api/v1/counters/" + m.CounterA.ID + "/"
	officer := m.Tokens["officerA"]
	s.MustJSON(http.MethodPost, base+queue.ActOpen, officer, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, base+queue.ActNext, officer, nil, http.StatusOK, nil)
	f2 := scrape(t, s)
	if v := f2.val("antrean_waiting", A...); v != 2 {
		t.Errorf("after a call: waiting %v, want 2", v)
	}
	if w, c := f2.val("antrean_tickets", with("status", "waiting")...), f2.val("antrean_tickets", with("status", "called")...); w != 2 || c != 1 {
		t.Errorf("after a call: tickets waiting %v called %v, want 2 and 1", w, c)
	}
	if d := f2.val("antrean_calls_total", A...) - f1.val("antrean_calls_total", A...); d != 1 {
		t.Errorf("calls_total moved by %v on a call, want 1", d)
	}
	if n, sum := f2.hist("antrean_wait_duration_seconds", A...); n != 1 || sum != 300 {
		t.Errorf("wait histogram: %d observations summing %v s, want 1 of 300 s", n, sum)
	}
	if v := f2.val("antrean_counters", "agency", "DKP", "status", "open"); v != 1 {
		t.Errorf("counters{DKP,open} = %v, want 1", v)
	}
	if n2, _ := f2.hist("antrean_commit_group_size"); n2 < n1+2 {
		t.Errorf("commits: %d, then %d after open and next", n1, n2)
	}

	// Served from a minute later for two minutes.
	s.Clock.Add(time.Minute)
	s.MustJSON(http.MethodPost, base+queue.ActStart, officer, nil, http.StatusOK, nil)
	s.Clock.Add(2 * time.Minute)
	s.MustJSON(http.MethodPost, base+queue.ActDone, officer, nil, http.StatusOK, nil)
	f3 := scrape(t, s)
	if n, sum := f3.hist("antrean_service_duration_seconds", A...); n != 1 || sum != 120 {
		t.Errorf("service-time histogram: %d observations summing %v s, want 1 of 120 s", n, sum)
	}
	if v := f3.val("antrean_tickets", with("status", "done")...); v != 1 {
		t.Errorf("after done: tickets{done} %v, want 1", v)
	}

	// The second ticket waited eight minutes; a recall is no new call.
	s.MustJSON(http.MethodPost, base+queue.ActNext, officer, nil, http.StatusOK, nil)
	s.Clock.Add(30 * time.Second)
	s.MustJSON(http.MethodPost, base+queue.ActRecall, officer, nil, http.StatusOK, nil)
	f4 := scrape(t, s)
	if v := f4.val("antrean_calls_total", A...); v != 2 {
		t.Errorf("calls_total %v after two calls and a recall, want 2", v)
	}
	if v := f4.val("antrean_recalls_total", A...); v != 1 {
		t.Errorf("recalls_total %v, want 1", v)
	}
	if n, sum := f4.hist("antrean_wait_duration_seconds", A...); n != 2 || sum != 300+480 {
		t.Errorf("wait histogram: %d observations summing %v s, want 2 of 300 and 480 s", n, sum)
	}
	// Buckets: 300 s falls in le=300, 480 s in le=600.
	if m := f4.find("antrean_wait_duration_seconds", A...); m != nil {
		for _, b := range m.Histogram.GetBucket() {
			want := map[float64]uint64{120: 0, 300: 1, 600: 2, 7200: 2}
			if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
				t.Errorf("wait bucket le=%v holds %d, want %d", b.GetUpperBound(), b.GetCumulativeCount(), w)
			}
		}
	}
	if v := f4.val("antrean_waiting", A...); v != 1 {
		t.Errorf("waiting %v at the end, want 1", v)
	}
	// Another service's series did not move.
	if v := f4.val("antrean_calls_total", "agency", "DKP", "service", "B"); v != 0 {
		t.Errorf("calls_total of service B: %v", v)
	}
}

// The websocket gauge follows real clients of the public and ticket feeds.
func TestMetricsWebsocketClients(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	tk := s.Issue(m, m.ServiceA1.ID, false)
	ws := "ws" + strings.TrimPrefix(s.URL, "http") + "/api/v1/ws"
	dial := func(path string) *websocket.Conn {
		t.Helper()
		c, _, err := websocket.DefaultDialer.Dial(ws+path, nil)
		if err != nil {
			t.Fatalf("websocket %s: %v", path, err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, _, err := c.ReadMessage(); err != nil {
			t.Fatalf("websocket %s: first message: %v", path, err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	clients := func() (public, ticket float64) {
		f := scrape(t, s)
		return f.val("antrean_websocket_clients", "feed", "public"), f.val("antrean_websocket_clients", "feed", "ticket")
	}
	waitFor := func(public, ticket float64) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			p, k := clients()
			if p == public && k == ticket {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("websocket clients: public %v ticket %v, want %v and %v", p, k, public, ticket)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor(0, 0)
	first := dial("")
	dial("")
	dial("?ticket=" + tk.Ticket.ID + "&k=" + tk.Key())
	waitFor(2, 1)
	_ = first.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	first.Close()
	waitFor(1, 1)
}

// An idempotent replay, a printer that refuses and an error answer each
// count once.
func TestMetricsReplaysPrinterFailuresErrors(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	f0 := scrape(t, s)

	issue := func(token, key string) *apptest.Response {
		return s.Do(http.MethodPost, "/api/v1/tickets", token, map[string]any{"service_id": m.ServiceA1.ID}, "Idempotency-Key", key)
	}
	if r := issue(m.Tokens["kiosk"], "tap-1"); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first tap: %d %s", r.Status, r.Body)
	}
	if r := issue(m.Tokens["kiosk"], "tap-1"); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the tap's retry: %d, replayed %q", r.Status, r.Header.Get("Idempotent-Replayed"))
	}
	f1 := scrape(t, s)
	if d := f1.val("antrean_idempotent_replays_total") - f0.val("antrean_idempotent_replays_total"); d != 1 {
		t.Errorf("replays moved by %v, want 1", d)
	}
	if v := f1.val("antrean_tickets_issued_total", "service", "A"); v != 1 {
		t.Errorf("issued_total %v after a tap and its retry, want 1", v)
	}

	// A kiosk whose printer refuses the connection.
	var dev struct{ Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": queue.DeviceKiosk, "name": "Kios Printer", "printer": refusedAddr(t)}, http.StatusCreated, &dev)
	var a apptest.IssueAnswer
	if r := issue(dev.Token, "tap-2"); r.Status != http.StatusCreated {
		t.Fatalf("issue at the printer kiosk: %d %s", r.Status, r.Body)
	} else if r.JSON(t, &a); a.Printed {
		t.Fatal("printed: true with a refusing printer")
	}
	f2 := scrape(t, s)
	if d := f2.val("antrean_printer_failures_total") - f1.val("antrean_printer_failures_total"); d != 1 {
		t.Errorf("printer failures moved by %v, want 1", d)
	}

	// A visitor's wrong key: 404 not_found.
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+a.Ticket.ID+"?k=wrong", "", nil, http.StatusNotFound, nil)
	f3 := scrape(t, s)
	if d := f3.val("antrean_http_errors_total", "status", "404", "code", "not_found") - f2.val("antrean_http_errors_total", "status", "404", "code", "not_found"); d != 1 {
		t.Errorf("http_errors_total{404,not_found} moved by %v, want 1", d)
	}
}

// refusedAddr is a loopback address where nothing listens: a printer
// that refuses the connection (as kiosk's tests make one).
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Loopback and ANTREAN_METRICS_ALLOW's networks read the metrics; any
// other peer gets API.md's JSON 403. The decision is the TCP peer's
// address: X-Forwarded-For never allows, not even from a trusted proxy,
// and a forwarded request is refused even from loopback (a proxy on the
// same host).
func TestMetricsAccess(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday, Configure: func(c *app.Config) {
		c.MetricsAllow = []string{"198.51.100.0/24", "2001:db8::/32"}
		c.TrustedProxies = []string{"203.0.113.0/24"}
	}})
	e := s.App.API.Echo
	for _, c := range []struct {
		peer    string
		headers []string
		want    int
	}{
		{"127.0.0.1:40000", nil, 200},
		{"127.0.0.2:40000", nil, 200}, // all of 127/8 is loopback
		{"[::1]:40000", nil, 200},
		{"198.51.100.20:40000", nil, 200},          // an allowed network
		{"[2001:db8::7]:40000", nil, 200},          // an allowed network
		{"[::ffff:198.51.100.20]:40000", nil, 200}, // the same, IPv4-mapped
		{"198.51.101.20:40000", nil, 403},
		{"10.0.0.5:40000", nil, 403}, // private ranges are not allowed unless named
		{"192.168.1.10:40000", nil, 403},
		{"203.0.113.7:40000", nil, 403}, // a trusted proxy is no scraper
		{"203.0.113.7:40000", []string{"X-Forwarded-For", "198.51.100.20"}, 403},
		{"203.0.113.7:40000", []string{"X-Forwarded-For", "127.0.0.1"}, 403},
		{"192.0.2.1:40000", []string{"X-Forwarded-For", "127.0.0.1"}, 403},
		{"192.0.2.1:40000", []string{"X-Real-IP", "127.0.0.1"}, 403},
		// Forwarded for someone else: refused even from an allowed peer.
		{"127.0.0.1:40000", []string{"X-Forwarded-For", "192.0.2.1"}, 403},
		{"127.0.0.1:40000", []string{"X-Real-IP", "192.0.2.1"}, 403},
		{"127.0.0.1:40000", []string{"Forwarded", "for=192.0.2.1"}, 403},
		{"198.51.100.20:40000", []string{"X-Forwarded-For", "198.51.100.21"}, 403},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = c.peer
		for i := 0; i+1 < len(c.headers); i += 2 {
			req.Header.Set(c.headers[i], c.headers[i+1])
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != c.want {
			t.Errorf("from %s %v: %d, want %d", c.peer, c.headers, rec.Code, c.want)
			continue
		}
		if c.want == 200 {
			if !strings.Contains(rec.Body.String(), "# HELP antrean_build_info ") {
				t.Errorf("from %s: 200 without the metrics", c.peer)
			}
			continue
		}
		var body struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code != queue.EForbidden || body.Error.Message == "" {
			t.Errorf("from %s %v: 403 body %q, want API.md's JSON error forbidden", c.peer, c.headers, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "antrean_") && !strings.Contains(rec.Body.String(), "ANTREAN_METRICS_ALLOW") {
			t.Errorf("from %s: the 403 leaks metrics: %s", c.peer, rec.Body)
		}
	}

	// Over a real loopback connection: allowed, and refused once it says
	// it was forwarded.
	if r := s.Do(http.MethodGet, "/metrics", "", nil); r.Status != http.StatusOK {
		t.Errorf("loopback: %d", r.Status)
	}
	r := s.Do(http.MethodGet, "/metrics", "", nil, "X-Forwarded-For", "192.0.2.1", "Accept-Language", "en")
	if r.Status != http.StatusForbidden || r.ErrorCode() != queue.EForbidden || !strings.Contains(string(r.Body), "loopback") {
		t.Errorf("loopback, forwarded: %d %s", r.Status, r.Body)
	}
	f := scrape(t, s)
	if v := f.val("antrean_http_errors_total", "status", "403", "code", "forbidden"); v < 1 {
		t.Errorf("the refusals are not counted: http_errors_total{403,forbidden} = %v", v)
	}

	// Without ANTREAN_METRICS_ALLOW only loopback reads them.
	plain := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "198.51.100.20:40000"
	rec := httptest.NewRecorder()
	plain.App.API.Echo.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("without an allow list, 198.51.100.20: %d, want 403", rec.Code)
	}
}
