package kiosk_test

import (
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// jakarta is the test mall's zone (WIB).
var jakarta = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		panic(err)
	}
	return l
}()

// fakePrinter is a TCP listener posing as an ESC/POS network printer: it
// keeps what each connection sent.
type fakePrinter struct {
	t  testing.TB
	ln net.Listener

	mu    sync.Mutex
	jobs  [][]byte
	conns int
	got   chan struct{}
}

func startPrinter(t testing.TB) *fakePrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &fakePrinter{t: t, ln: ln, got: make(chan struct{}, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns++
			p.mu.Unlock()
			go func() {
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				raw, _ := io.ReadAll(c)
				p.mu.Lock()
				p.jobs = append(p.jobs, raw)
				p.mu.Unlock()
				p.got <- struct{}{}
			}()
		}
	}()
	return p
}

func (p *fakePrinter) Addr() string { return p.ln.Addr().String() }

// Jobs returns what the printer received, once n jobs came (or fails).
func (p *fakePrinter) Jobs(n int) [][]byte {
	p.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		p.mu.Lock()
		if len(p.jobs) >= n {
			out := append([][]byte(nil), p.jobs...)
			p.mu.Unlock()
			return out
		}
		p.mu.Unlock()
		select {
		case <-p.got:
		case <-deadline:
			p.t.Fatalf("the printer got %d jobs, want %d", len(p.jobs), n)
		}
	}
}

// Conns is how many connections the printer accepted.
func (p *fakePrinter) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.conns
}

// refusedAddr is a loopback address where nothing listens: a printer
// that refuses the connection.
func refusedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("something listens on %s", addr)
	}
	return addr
}

// kioskWithPrinter registers a kiosk device with a network printer and
// returns its token.
func kioskWithPrinter(t testing.TB, s *apptest.Server, printer string) string {
	t.Helper()
	var d struct{ ID, Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": queue.DeviceKiosk, "name": "Kios Printer", "printer": printer}, http.StatusCreated, &d)
	return d.Token
}

// issueAs takes a ticket as the token's caller, with an Idempotency-Key
// when key is set.
func issueAs(t testing.TB, s *apptest.Server, token, serviceID, key string) (*apptest.Response, apptest.IssueAnswer) {
	t.Helper()
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	r := s.Do(http.MethodPost, "/api/v1/tickets", token, map[string]any{"service_id": serviceID, "priority": false}, headers...)
	var a apptest.IssueAnswer
	if r.Status == http.StatusCreated {
		r.JSON(t, &a)
	}
	return r, a
}

// ticketCount is how many tickets the day holds (admin view).
func ticketCount(t testing.TB, s *apptest.Server) int {
	t.Helper()
	var out struct{ Tickets []queue.Ticket }
	s.MustJSON(http.MethodGet, "/api/v1/tickets", s.Admin, nil, http.StatusOK, &out)
	return len(out.Tickets)
}
