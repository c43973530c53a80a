package display_test

// The caps of GET /api/v1/ws (API.md, Limits): public-feed connections
// per client address (ANTREAN_WS_PER_ADDR), 4 feeds per ticket whatever
// the address, ANTREAN_WS_MAX in all; beyond them the upgrade answers a
// JSON 429 rate_limited or 503 and never accepts the socket. And a public
// after= older than the last 1,000 events gets a snapshot.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/display"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// limited starts a server with websocket caps, trusting the test client
// as its reverse proxy so that X-Forwarded-For picks the address.
func limited(t *testing.T, perAddr, total int) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{Configure: func(c *app.Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
		c.WSPerAddr, c.WSMax = perAddr, total
	}})
}

// from is the header of a client at addr behind the proxy.
func from(addr string) http.Header { return http.Header{"X-Forwarded-For": {addr}} }

// open connects and keeps the connection until the test ends; it reads
// nothing (the first message waits in the socket's buffer).
func open(t *testing.T, s *apptest.Server, query string, h http.Header) *websocket.Conn {
	t.Helper()
	conn, resp, err := dial(s, query, h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial ws?%s from %v: %v (status %d)", query, h, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// refused dials and checks that the upgrade was refused with status and
// API.md's JSON error of code, with Retry-After.
func refused(t *testing.T, s *apptest.Server, query string, h http.Header, status int, code string) {
	t.Helper()
	d := websocket.Dialer{HandshakeTimeout: wait}
	conn, resp, err := d.Dial(wsURL(s, query), h)
	if err == nil {
		conn.Close()
		t.Fatalf("ws?%s from %v: upgraded, want %d %s", query, h, status, code)
	}
	if resp == nil {
		t.Fatalf("ws?%s: %v, no answer", query, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e struct {
		Error struct{ Code, Message string }
	}
	if resp.StatusCode != status || json.Unmarshal(raw, &e) != nil || e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("ws?%s from %v: %d %s, want %d with JSON error %s", query, h, resp.StatusCode, raw, status, code)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Fatalf("ws?%s: %d without Retry-After", query, status)
	}
}

// waitHeld waits until the feed's slots count total connections in all
// (a closed connection gives its slot back when its pumps end).
func waitHeld(t *testing.T, s *apptest.Server, total int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got, _, _ := s.App.Feed.Held("", "")
		if got == total {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections hold a slot, want %d", got, total)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// At most ANTREAN_WS_PER_ADDR public feeds per client address; another
// address, and a ticket's feed from the same address, are not held up; a
// closed connection frees its slot.
func TestWSPerAddressCap(t *testing.T) {
	s := limited(t, 5, 0)
	m := s.SetupMall()
	tk := s.Issue(m, m.ServiceA1.ID, false)
	var first *websocket.Conn
	for i := range 5 {
		c := open(t, s, "", from("203.0.113.7"))
		if i == 0 {
			first = c
		}
	}
	refused(t, s, "", from("203.0.113.7"), http.StatusTooManyRequests, queue.ERateLimited)
	refused(t, s, "after=1", from("203.0.113.7"), http.StatusTooManyRequests, queue.ERateLimited)
	open(t, s, "", from("203.0.113.8"))
	open(t, s, "ticket="+tk.Ticket.ID+"&k="+tk.Key(), from("203.0.113.7"))
	// An IPv6 client counts by its /64.
	for i := range 5 {
		open(t, s, "", from("2001:db8:5:6::"+strconv.Itoa(i+1)))
	}
	refused(t, s, "", from("2001:db8:5:6:ffff::1"), http.StatusTooManyRequests, queue.ERateLimited)
	open(t, s, "", from("2001:db8:5:7::1"))
	if total, addr, _ := s.App.Feed.Held("203.0.113.7", ""); total != 13 || addr != 5 {
		t.Fatalf("held %d in all, %d from the address; want 13 and 5", total, addr)
	}
	// Refused upgrades took no slot; a closed connection gives its back.
	first.Close()
	waitHeld(t, s, 12)
	reader(t, open(t, s, "", from("203.0.113.7"))).snapshot()
	// The endpoint still answers plain requests.
	if r := s.Do(http.MethodGet, "/healthz", "", nil, "X-Forwarded-For", "203.0.113.7"); r.Status != http.StatusOK {
		t.Fatalf("/healthz: %d", r.Status)
	}
}

// Without trusted proxies X-Forwarded-For counts for nothing: one client
// cannot pose as many addresses.
func TestWSPerAddressCapIgnoresUntrustedForwardedFor(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Configure: func(c *app.Config) { c.WSPerAddr = 3 }})
	for i := range 3 {
		open(t, s, "", from("198.51.100."+strconv.Itoa(i)))
	}
	refused(t, s, "", from("198.51.100.99"), http.StatusTooManyRequests, queue.ERateLimited)
}

// The default cap, 256 from one address: the loop opens raw connections
// and reads nothing, so it stays cheap.
func TestWSPerAddressCapDefault(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	if s.App.Config.WSPerAddr != display.DefaultPerAddr || display.DefaultPerAddr != 256 {
		t.Fatalf("per-address cap %d (default %d), want 256", s.App.Config.WSPerAddr, display.DefaultPerAddr)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []*websocket.Conn
		errs  []error
	)
	// Sixteen dialers at a time.
	sem := make(chan struct{}, 16)
	for range 256 {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, resp, err := dial(s, "", nil)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("%v (%v)", err, resp))
				return
			}
			conns = append(conns, conn)
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	if len(errs) > 0 {
		t.Fatalf("%d of 256 refused: %v", len(errs), errs[0])
	}
	refused(t, s, "", nil, http.StatusTooManyRequests, queue.ERateLimited)
	if r := s.Do(http.MethodGet, "/healthz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("/healthz: %d", r.Status)
	}
}

// A ticket's own feed: at most 4, whatever the addresses (phones on
// mobile data share carrier addresses); other tickets and the public
// feed are not held up; a wrong key or a refused origin takes no slot.
func TestWSPerTicketCap(t *testing.T) {
	s := limited(t, 0, 0)
	m := s.SetupMall()
	tk := s.Issue(m, m.ServiceA1.ID, false)
	other := s.Issue(m, m.ServiceA1.ID, false)
	q := "ticket=" + tk.Ticket.ID + "&k=" + tk.Key()
	for i := range display.PerTicket {
		reader(t, open(t, s, q, from("10.64.0."+strconv.Itoa(i)))).frame(wait)
	}
	for _, addr := range []string{"10.64.0.0", "10.64.9.9", "2001:db8::1"} {
		refused(t, s, q, from(addr), http.StatusTooManyRequests, queue.ERateLimited)
	}
	// A wrong key is a missing ticket, whatever the count.
	if _, resp, err := dial(s, "ticket="+tk.Ticket.ID+"&k=wrong", nil); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("wrong key: %v %v, want 404", err, resp)
	}
	reader(t, open(t, s, "ticket="+other.Ticket.ID+"&k="+other.Key(), from("10.64.0.0"))).frame(wait)
	reader(t, open(t, s, "", from("10.64.0.0"))).snapshot()
	evil := from("10.64.1.1")
	evil.Set("Origin", "http://evil.example")
	q2 := "ticket=" + other.Ticket.ID + "&k=" + other.Key()
	for range 5 {
		if _, resp, err := dial(s, q2, evil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("evil origin: %v %v, want 403", err, resp)
		}
	}
	if _, _, n := s.App.Feed.Held("", other.Ticket.ID); n != 1 {
		t.Fatalf("the other ticket holds %d slots, want 1", n)
	}
}

// ANTREAN_WS_MAX in all, public and ticket feeds together: beyond it 503,
// while plain requests (/healthz, the API) are answered.
func TestWSTotalCap(t *testing.T) {
	s := limited(t, 0, 3)
	m := s.SetupMall()
	tk := s.Issue(m, m.ServiceA1.ID, false)
	q := "ticket=" + tk.Ticket.ID + "&k=" + tk.Key()
	a := open(t, s, "", from("192.0.2.1"))
	open(t, s, "", from("192.0.2.2"))
	open(t, s, q, from("192.0.2.3"))
	refused(t, s, "", from("192.0.2.4"), http.StatusServiceUnavailable, queue.EUnavailable)
	refused(t, s, q, from("192.0.2.4"), http.StatusServiceUnavailable, queue.EUnavailable)
	for _, path := range []string{"/healthz", "/readyz", "/api/v1/state"} {
		if r := s.Do(http.MethodGet, path, "", nil); r.Status != http.StatusOK {
			t.Fatalf("%s with the websockets full: %d", path, r.Status)
		}
	}
	a.Close()
	waitHeld(t, s, 2)
	reader(t, open(t, s, "", from("192.0.2.4"))).snapshot()
}
