// Package apptest starts a real Antrean server for tests: real bbolt in
// t.TempDir(), real HTTP on 127.0.0.1:0, and small helpers to call the
// API as one caller or another.
package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/booking"
	"github.com/mpp-digital/antrean/queue"
)

// AdminPassword is the first admin's password in every test server.
const AdminPassword = "admin-password-1"

// Server is a running test server.
type Server struct {
	T    testing.TB
	App  *app.App
	URL  string
	Data string
	// Admin is a bearer token of the first admin.
	Admin string
	// Clock, when the test asked for one, moves the server's time.
	Clock *Clock
	stop  func()

	// checkMu guards violations: requests or answers that do not match
	// the OpenAPI document (openapi.go).
	checkMu    sync.Mutex
	violations []string
	// checked counts the exchanges with this server that were validated.
	checked atomic.Int64
}

// Options adjust a test server.
type Options struct {
	// Data reuses a data folder (a restart); empty means a new temp dir.
	Data string
	// Clock starts a controllable clock at this time (zero: real time).
	Start time.Time
	// Clock reuses a clock (a restart).
	Clock *Clock
	Demo  bool
	// Addr listens on this address (a restart on the same port);
	// empty means 127.0.0.1:0.
	Addr string
	// IssueLimit keeps the per-kiosk issue rate limit on; tests issue in
	// bursts, so it is off unless asked for.
	IssueLimit bool
	// Configure, when set, adjusts the server's configuration last
	// (trusted proxies, websocket caps, ...).
	Configure func(*app.Config)
	// BookingLimit and GuessLimit are the limits on online bookings per
	// client and on lookups of unknown booking codes; tests book and look
	// up in bursts from one address, so they are off unless set.
	BookingLimit, GuessLimit booking.Limit
}

// Workday is a fixed, ordinary moment for tests that need the mall open
// and do not care when: Kamis, 26 November 2026, 10.00 WIB. A server on
// the wall clock makes a test pass or fail with the date and hour it runs
// at (a long month name, a day's end, a year's end), so screen tests start
// their servers here (Options.Start) unless they pick another moment.
var Workday = time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("WIB", 7*3600))

// Clock is a settable clock for the engine.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Add moves the clock forward.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Start runs a server until the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	data := o.Data
	if data == "" {
		data = t.TempDir()
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cfg := app.Config{
		Addr:          addr,
		Data:          data,
		Demo:          o.Demo,
		AdminPassword: AdminPassword,
		BcryptCost:    4,
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if !o.IssueLimit {
		cfg.IssueBurst = -1
	}
	cfg.BookingLimit, cfg.GuessLimit = o.BookingLimit, o.GuessLimit
	if cfg.BookingLimit == (booking.Limit{}) {
		cfg.BookingLimit.Burst = -1
	}
	if cfg.GuessLimit == (booking.Limit{}) {
		cfg.GuessLimit.Burst = -1
	}
	s := &Server{T: t, Data: data, Clock: o.Clock}
	if s.Clock == nil && !o.Start.IsZero() {
		s.Clock = NewClock(o.Start)
	}
	if s.Clock != nil {
		cfg.Clock = s.Clock.Now
	}
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	a, err := app.Open(cfg)
	if err != nil {
		t.Fatalf("apptest: open: %v", err)
	}
	if err := a.Serve(); err != nil {
		t.Fatalf("apptest: serve: %v", err)
	}
	s.App, s.URL = a, a.URL
	s.checkServer()
	closed := false
	t.Cleanup(func() {
		if !closed {
			a.Close()
		}
	})
	s.stop = func() {
		closed = true
		a.Close()
		// Kept-alive connections to it are dead: a restart on the same
		// address must not meet them.
		http.DefaultClient.CloseIdleConnections()
	}
	s.Admin = s.Login("admin", AdminPassword)
	return s
}

// Stop shuts the server down now (for restart tests).
func (s *Server) Stop() { s.stop() }

// Login signs in and returns the bearer token.
func (s *Server) Login(user, password string) string {
	s.T.Helper()
	var out struct{ Token string }
	s.MustJSON(http.MethodPost, "/api/v1/login", "", map[string]string{"username": user, "password": password}, http.StatusOK, &out)
	return out.Token
}

// Response is an answer read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decoding %q: %v", r.Body, err)
	}
}

// ErrorCode returns the code of an API error answer, or "".
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct{ Code string }
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Do sends a request. body may be nil, a string or []byte (sent as is),
// or any value (sent as JSON). token, when set, goes as a bearer token.
func (s *Server) Do(method, path, token string, body any, headers ...string) *Response {
	s.T.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.T.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.T.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// MustJSON sends a request, checks the status and decodes the answer into
// out (when not nil).
func (s *Server) MustJSON(method, path, token string, body any, want int, out any) *Response {
	s.T.Helper()
	r := s.Do(method, path, token, body)
	if r.Status != want {
		s.T.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if out != nil {
		r.JSON(s.T, out)
	}
	return r
}

// Mall is a small set-up made through the API: two agencies, services,
// counters, staff of each role and devices, for tests to act on.
type Mall struct {
	AgencyA, AgencyB     queue.Agency
	ServiceA1, ServiceA2 queue.Service // of agency A, codes A and B
	ServiceB1            queue.Service // of agency B, code K
	CounterA, CounterB   queue.Counter // CounterA serves A1 and A2
	// Tokens by caller: "supervisorA", "officerA", "greeterA",
	// "supervisorB", "officerB", "greeterB", "greeter" (the mall's
	// information desk: no agency), "kiosk", "display".
	Tokens map[string]string
	Users  map[string]queue.User
	// Kiosk and Display are the devices' IDs.
	Kiosk, Display string
}

// StaffPassword is the password of the Mall's staff.
const StaffPassword = "staff-password-1"

// SetupMall builds the Mall. The site is open every day around the clock
// so tests can issue tickets at any time of their clock.
func (s *Server) SetupMall() *Mall {
	s.T.Helper()
	m := &Mall{Tokens: map[string]string{}, Users: map[string]queue.User{}}
	site := queue.DefaultSite()
	site.Name = "MPP Uji"
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	site.Opens, site.Closes = "00:00", "24:00"
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/agencies", s.Admin, map[string]string{"code": "DKP", "name": "Dinas Kependudukan", "short_name": "Dukcapil"}, http.StatusCreated, &m.AgencyA)
	s.MustJSON(http.MethodPost, "/api/v1/agencies", s.Admin, map[string]string{"code": "POL", "name": "Polres", "short_name": "Polres"}, http.StatusCreated, &m.AgencyB)
	svc := func(agency, code, name string, out *queue.Service) {
		s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": agency, "code": code, "name": name, "requirements": []string{"KTP-el"}}, http.StatusCreated, out)
	}
	svc(m.AgencyA.ID, "A", "Perekaman KTP-el", &m.ServiceA1)
	svc(m.AgencyA.ID, "B", "Kartu Keluarga", &m.ServiceA2)
	svc(m.AgencyB.ID, "K", "SKCK", &m.ServiceB1)
	s.MustJSON(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 1", "service_ids": []string{m.ServiceA1.ID, m.ServiceA2.ID}}, http.StatusCreated, &m.CounterA)
	s.MustJSON(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyB.ID, "name": "Loket 7", "service_ids": []string{m.ServiceB1.ID}}, http.StatusCreated, &m.CounterB)
	user := func(key, name, role, agency string) {
		var u queue.User
		s.MustJSON(http.MethodPost, "/api/v1/users", s.Admin, map[string]string{"username": name, "password": StaffPassword, "role": role, "agency_id": agency}, http.StatusCreated, &u)
		m.Users[key] = u
		m.Tokens[key] = s.Login(name, StaffPassword)
	}
	user("supervisorA", "sup.a", queue.RoleSupervisor, m.AgencyA.ID)
	user("officerA", "off.a", queue.RoleOfficer, m.AgencyA.ID)
	user("supervisorB", "sup.b", queue.RoleSupervisor, m.AgencyB.ID)
	user("officerB", "off.b", queue.RoleOfficer, m.AgencyB.ID)
	user("greeter", "greeter", queue.RoleGreeter, "")
	user("greeterA", "greeter.a", queue.RoleGreeter, m.AgencyA.ID)
	user("greeterB", "greeter.b", queue.RoleGreeter, m.AgencyB.ID)
	device := func(kind string) (string, string) {
		var d struct {
			ID    string
			Token string
		}
		s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": kind, "name": "Test " + kind}, http.StatusCreated, &d)
		return d.ID, d.Token
	}
	m.Kiosk, m.Tokens["kiosk"] = device("kiosk")
	m.Display, m.Tokens["display"] = device("display")
	m.Tokens["admin"] = s.Admin
	return m
}

// Issue takes a ticket through the API as the kiosk.
func (s *Server) Issue(m *Mall, serviceID string, priority bool) IssueAnswer {
	s.T.Helper()
	var out IssueAnswer
	s.MustJSON(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": serviceID, "priority": priority}, http.StatusCreated, &out)
	return out
}

// IssueAnswer is the answer of POST /api/v1/tickets.
type IssueAnswer struct {
	Ticket    queue.Ticket `json:"ticket"`
	Position  int          `json:"position"`
	EtaMin    *int         `json:"eta_min"`
	StatusURL string       `json:"status_url"`
	QRURL     string       `json:"qr_url"`
	Printed   bool         `json:"printed"`
}

// Key returns the ticket key from the status URL.
func (a IssueAnswer) Key() string {
	_, k, _ := strings.Cut(a.StatusURL, "?k=")
	return k
}
