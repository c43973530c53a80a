package httpapi_test

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// authzCallers are the columns of authzTable, in order. "A" callers belong
// to agency A, the agency of every object the requests target; "B" callers
// to the other agency. The plain greeter belongs to no agency (the mall's
// information desk); greeterA and greeterB to agency A and B. The revoked
// callers send a staff token after its logout and a device token after
// DELETE /devices/{id}.
var authzCallers = []string{
	"admin", "supervisorA", "officerA", "supervisorB", "officerB", "greeter",
	"greeterA", "greeterB", "kiosk", "display", "anonymous", "revokedStaff", "revokedDevice",
}

// authzRow is one route's decision for every caller: Y allows (any answer
// but 401 and 403), - denies (401 for anonymous and revoked callers, 403
// for the others).
type authzRow struct {
	marks string // one mark per authzCallers column
	route string // "METHOD path" as registered on echo
	who   string // API.md's "who" column for the route
}

// authzTable is API.md's "who" column, route by route. Agency-scoped
// requests target agency A: its service A1, counters, officers and
// tickets; a POST names agency A in its body. A revoked bearer token is
// refused with 401 on every route, public ones included (API.md is silent;
// this is RFC 6750's invalid_token and the server's authenticate: a client
// learns its token went stale instead of silently acting as anonymous).
var authzTable = []authzRow{
	//adm  supA offA supB offB grt grA grB kio dsp anon rvS rvD
	// Operations
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /healthz", "public"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /readyz", "public"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/backup", "admin"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/openapi.json", "public"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /metrics", "by address, not caller: loopback (this test's) and ANTREAN_METRICS_ALLOW, others 403 (metrics.TestMetricsAccess); a stale token is 401 as on every route"},
	// Staff and setup
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "POST /api/v1/login", "anyone"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   -   -   -    -   -", "POST /api/v1/logout", "staff"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   -   -   -    -   -", "GET /api/v1/me", "staff"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/site", "GET public"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "PUT /api/v1/site", "PUT admin"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/agencies", "read public"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/agencies", "write admin"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/agencies/:id", "read public"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "PUT /api/v1/agencies/:id", "write admin (agency A: its own supervisor may not)"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "DELETE /api/v1/agencies/:id", "write admin"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/services", "read public"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/services", "write admin or the agency's supervisor (body names agency A)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/services/:id", "read public"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "PUT /api/v1/services/:id", "write admin or the agency's supervisor"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "DELETE /api/v1/services/:id", "write admin or the agency's supervisor"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/counters", "read public"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters", "write admin or supervisor (own agency; body names agency A)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/counters/:id", "read public"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "PUT /api/v1/counters/:id", "write admin or supervisor (own agency)"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "DELETE /api/v1/counters/:id", "write admin or supervisor (own agency)"},
	{"Y    Y    -    Y    -    -   -   -   -   -   -    -   -", "GET /api/v1/users", "admin (supervisor: officers of own agency; no agency named)"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/users", "admin (supervisor: officers of own agency; body: officer of A)"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/users/:id", "not in API.md: as the other /users routes"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "PUT /api/v1/users/:id", "admin (supervisor: officers of own agency)"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "DELETE /api/v1/users/:id", "admin (supervisor: officers of own agency)"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/devices", "admin"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/devices", "admin"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/devices/:id", "not in API.md: admin, as the other /devices routes"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "PUT /api/v1/devices/:id", "admin"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "DELETE /api/v1/devices/:id", "admin"},
	// Tickets
	{"Y    Y    Y    -    -    Y   Y   -   Y   -   -    -   -", "POST /api/v1/tickets", "kiosk, greeter, staff of the agency"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/tickets", "staff (own agency below admin; ?service_id=A1); greeter: nothing else"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/tickets/:id", "visitor (with the key)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/tickets/:id/qr.png", "visitor (with the key)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "DELETE /api/v1/tickets/:id", "visitor (with the key)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   -   -    -   -", "GET /api/v1/kiosk", "not in API.md: who issues at a kiosk screen (README): the callers of POST /tickets, any agency"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "POST /api/v1/tickets/:id/feedback", "visitor (with the key), once, after done; a survey device of the ticket's counter (survey.TestFeedbackDevice)"},
	// Reports and satisfaction survey (SKM)
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/reports/ikm", "supervisor (own agency; ?agency_id=A), admin"},
	{"-    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/survey", "not in API.md: a survey device's own view (README); survey devices only (survey.TestFeedbackDevice)"},
	// Counter actions: an officer of the counter's agency, its supervisor, or an admin
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/open", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/pause", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/close", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/next", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/call", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/recall", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/start", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/done", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/no-show", "officer of the agency, its supervisor, admin"},
	{"Y    Y    Y    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/counters/:id/transfer", "officer of the agency, its supervisor, admin (target: agency B's service)"},
	// Live state and events
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/state", "public"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/events", "admin"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/audit", "admin"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/ws", "public (the public feed; ?ticket=&k= in TestAuthzVisitorKey)"},
	// Online booking: anyone books; the holder of a code manages it; the
	// kiosk and greeters check in (a greeter of an agency only its own
	// agency's bookings: greeterB is refused agency A's booking); the
	// admin too (everything).
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/services/:id/slots", "public"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "POST /api/v1/bookings", "public, rate limited"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/bookings/:code", "holder of the code"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "DELETE /api/v1/bookings/:code", "holder of the code"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "POST /api/v1/bookings/:code/reschedule", "holder of the code"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/bookings/:code/booking.ics", "holder of the code"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /api/v1/bookings/:code/qr.png", "not in API.md: holder of the code (the qr_url of the booking's answer)"},
	{"Y    -    -    -    -    Y   Y   -   Y   -   -    -   -", "POST /api/v1/bookings/:code/check-in", "kiosk, greeter (of the booking's agency, or of none); admin"},
	// Reports
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/reports/summary", "supervisor (own agency; ?agency_id=A), admin"},
	// Webhooks
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/webhooks", "admin"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "POST /api/v1/webhooks", "admin"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "DELETE /api/v1/webhooks/:id", "admin"},
	{"Y    -    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/webhooks/:id/deliveries", "admin"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/reports/waits", "not in API.md: supervisor (own agency; ?agency_id=A), admin, as the summary"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/reports/heatmap", "not in API.md: supervisor (own agency; ?agency_id=A), admin, as the summary"},
	{"Y    Y    -    -    -    -   -   -   -   -   -    -   -", "GET /api/v1/reports/longest", "not in API.md: supervisor (own agency; ?agency_id=A), admin, as the summary"},
	// Web screens
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /", "public (the start page)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /display", "public (the lobby display; ?device= picks a display's zone)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /display/assets/*", "public (the lobby display's files)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /display/voice/*", "public (the lobby display's voice clips)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /static/*", "public (files shared by the screens)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /counter", "public (the officer console's page; its data comes from the API)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /counter/assets/*", "public (the officer console's files)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /admin", "public (the admin screens' page; its data comes from the API)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /admin/assets/*", "public (the admin screens' files)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /kiosk", "public (the kiosk page; the API decides who issues)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /kiosk/assets/*", "public (the kiosk's and visitor page's files)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /t/:id", "visitor (with the key; a wrong key is a missing ticket)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /t/:id/print", "visitor (with the key): the ticket's print page"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /survey", "public (the survey tablet's page; ?device= pairs it, the API decides)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /survey/assets/*", "public (the survey tablet's files)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /booking", "public (the booking page)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /booking/:code", "public (the booking page of a code: what its QR opens; the API decides)"},
	{"Y    Y    Y    Y    Y    Y   Y   Y   Y   Y   Y    -   -", "GET /booking/assets/*", "public (the booking page's files)"},
}

// authzReq is one request of a route: its path (with query) and body.
// fresh asks for a new login of a staff caller, for requests that end the
// caller's session; ws makes the request a websocket handshake.
type authzReq struct {
	path  string
	body  any
	fresh bool
	ws    bool
}

// authzWorld is a running mall with a token for every caller and helpers
// that make throwaway objects (as the admin) for requests that consume one.
type authzWorld struct {
	t      *testing.T
	s      *apptest.Server
	m      *apptest.Mall
	tokens map[string]string
	n      int
}

func newAuthzWorld(t *testing.T) *authzWorld {
	t.Helper()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	w := &authzWorld{t: t, s: s, m: m, tokens: map[string]string{}}
	for _, who := range authzCallers {
		w.tokens[who] = m.Tokens[who]
	}
	w.tokens["anonymous"] = ""

	// A staff token after its logout.
	tok := s.Login(m.Users["officerA"].Username, apptest.StaffPassword)
	s.MustJSON(http.MethodGet, "/api/v1/me", tok, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/logout", tok, nil, http.StatusNoContent, nil)
	w.tokens["revokedStaff"] = tok

	// A device token after its device was deleted.
	id, dtok := w.device(queue.DeviceKiosk)
	s.MustJSON(http.MethodPost, "/api/v1/tickets", dtok, map[string]any{"service_id": m.ServiceA1.ID}, http.StatusCreated, nil)
	s.MustJSON(http.MethodDelete, "/api/v1/devices/"+id, s.Admin, nil, http.StatusNoContent, nil)
	w.tokens["revokedDevice"] = dtok

	for _, who := range authzCallers {
		if w.tokens[who] == "" && who != "anonymous" {
			t.Fatalf("no token for %s", who)
		}
	}
	return w
}

// token is the caller's token; fresh makes a new login for staff.
func (w *authzWorld) token(who string, fresh bool) string {
	if !fresh {
		return w.tokens[who]
	}
	switch who {
	case "admin":
		return w.s.Login("admin", apptest.AdminPassword)
	case "supervisorA", "officerA", "supervisorB", "officerB", "greeter", "greeterA", "greeterB":
		return w.s.Login(w.m.Users[who].Username, apptest.StaffPassword)
	}
	return w.tokens[who]
}

func (w *authzWorld) next() int { w.n++; return w.n }

// code is a fresh service code: QAA, QAB, ... (the mall uses A, B and K).
func (w *authzWorld) code() string {
	n := w.next()
	return string([]byte{byte('Q' + n/676), byte('A' + n/26%26), byte('A' + n%26)})
}

func (w *authzWorld) name(prefix string) string { return fmt.Sprintf("%s %d", prefix, w.next()) }

func (w *authzWorld) username() string { return fmt.Sprintf("authz.user%d", w.next()) }

func (w *authzWorld) agency() string {
	var a queue.Agency
	w.s.MustJSON(http.MethodPost, "/api/v1/agencies", w.s.Admin, map[string]string{"code": fmt.Sprintf("T%d", w.next()), "name": "Instansi Uji"}, http.StatusCreated, &a)
	return a.ID
}

func (w *authzWorld) service(agency string) (id, code string) {
	var v queue.Service
	w.s.MustJSON(http.MethodPost, "/api/v1/services", w.s.Admin, map[string]any{"agency_id": agency, "code": w.code(), "name": "Layanan Uji"}, http.StatusCreated, &v)
	return v.ID, v.Code
}

func (w *authzWorld) counter(agency string, services ...string) string {
	var v queue.Counter
	w.s.MustJSON(http.MethodPost, "/api/v1/counters", w.s.Admin, map[string]any{"agency_id": agency, "name": w.name("Loket Uji"), "service_ids": services}, http.StatusCreated, &v)
	return v.ID
}

func (w *authzWorld) officer(agency string) (id, username string) {
	var u queue.User
	w.s.MustJSON(http.MethodPost, "/api/v1/users", w.s.Admin, map[string]string{"username": w.username(), "password": apptest.StaffPassword, "role": queue.RoleOfficer, "agency_id": agency}, http.StatusCreated, &u)
	return u.ID, u.Username
}

// webhook registers a webhook whose receiver is not there (its deliveries
// fail and wait; nothing here needs them).
func (w *authzWorld) webhook() string {
	var v struct{ ID string }
	w.s.MustJSON(http.MethodPost, "/api/v1/webhooks", w.s.Admin, authzWebhookBody, http.StatusCreated, &v)
	return v.ID
}

var authzWebhookBody = map[string]any{"url": "http://127.0.0.1:9/authz", "secret": "authz-secret-0123456789"}

func (w *authzWorld) device(kind string) (id, token string) {
	var d struct{ ID, Token string }
	w.s.MustJSON(http.MethodPost, "/api/v1/devices", w.s.Admin, map[string]string{"kind": kind, "name": w.name("Perangkat Uji")}, http.StatusCreated, &d)
	return d.ID, d.Token
}

// tomorrow is the site's next date (the mall of SetupMall is in
// Asia/Jakarta and open around the clock).
func (w *authzWorld) tomorrow() string {
	return w.s.App.Engine.Now().In(w.s.App.Engine.State().Loc).AddDate(0, 0, 1).Format(queue.DateLayout)
}

// slot is a start time of tomorrow's 48 half-hour slots, a new one each
// call (each holds 5 places).
func (w *authzWorld) slot() string {
	n := w.next() % 48
	return fmt.Sprintf("%02d:%02d", n/2, n%2*30)
}

// bookingBody books tomorrow with a phone number of its own.
func (w *authzWorld) bookingBody(service string) map[string]string {
	return map[string]string{"service_id": service, "date": w.tomorrow(), "start": w.slot(), "name": "Budi Santoso", "phone": fmt.Sprintf("0813%08d", w.next())}
}

// book makes a booking tomorrow and returns its code.
func (w *authzWorld) book(service string) string {
	var out struct{ Code string }
	w.s.MustJSON(http.MethodPost, "/api/v1/bookings", "", w.bookingBody(service), http.StatusCreated, &out)
	return out.Code
}

// bookingService is a service of agency whose slots hold 1000 places,
// for the bookings checked in now.
func (w *authzWorld) bookingService(agency string) string {
	var v queue.Service
	w.s.MustJSON(http.MethodPost, "/api/v1/services", w.s.Admin, map[string]any{"agency_id": agency, "code": w.code(), "name": "Layanan Booking", "slot_capacity": 1000}, http.StatusCreated, &v)
	return v.ID
}

// bookNow books the slot running now (a slot can be booked until it
// ends; its check-in window then runs checkin_after_min from the
// booking), or the next one in its last seconds, and returns the code.
func (w *authzWorld) bookNow(service string) string {
	eng := w.s.App.Engine
	now := eng.Now().In(eng.State().Loc)
	start := now.Truncate(30 * time.Minute)
	if now.Sub(start) > 29*time.Minute+50*time.Second {
		start = start.Add(30 * time.Minute)
	}
	var out struct{ Code string }
	w.s.MustJSON(http.MethodPost, "/api/v1/bookings", "", map[string]string{"service_id": service, "date": start.Format(queue.DateLayout), "start": start.Format("15:04"),
		"name": "Budi Santoso", "phone": fmt.Sprintf("0813%08d", w.next())}, http.StatusCreated, &out)
	return out.Code
}

// visitorPath is a ticket's path with its key.
func authzVisitorPath(a apptest.IssueAnswer, suffix string) string {
	return "/api/v1/tickets/" + a.Ticket.ID + suffix + "?k=" + a.Key()
}

// served is a throwaway ticket of agency A that its own counter called
// and finished, as the admin: one the visitor may rate.
func (w *authzWorld) served() apptest.IssueAnswer {
	s := w.s
	svc, _ := w.service(w.m.AgencyA.ID)
	base := "/api/v1/counters/" + w.counter(w.m.AgencyA.ID, svc) + "/"
	s.MustJSON(http.MethodPost, base+queue.ActOpen, s.Admin, nil, http.StatusOK, nil)
	tk := s.Issue(w.m, svc, false)
	s.MustJSON(http.MethodPost, base+queue.ActNext, s.Admin, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, base+queue.ActDone, s.Admin, nil, http.StatusOK, nil)
	return tk
}

// counterAction prepares, as the admin, a counter of agency A (on a
// service of its own) in the state in which act succeeds, and returns the
// request for act.
func (w *authzWorld) counterAction(act string) authzReq {
	s, m := w.s, w.m
	svc, _ := w.service(m.AgencyA.ID)
	ctr := w.counter(m.AgencyA.ID, svc)
	base := "/api/v1/counters/" + ctr + "/"
	if act == queue.ActOpen {
		return authzReq{path: base + act}
	}
	s.MustJSON(http.MethodPost, base+queue.ActOpen, s.Admin, nil, http.StatusOK, nil)
	var body any
	switch act {
	case queue.ActPause:
		body = map[string]string{"reason": "istirahat"}
	case queue.ActClose:
	case queue.ActNext:
		s.Issue(m, svc, false)
	case queue.ActCall:
		body = map[string]string{"ticket_id": s.Issue(m, svc, false).Ticket.ID}
	default: // actions on a called current ticket
		s.Issue(m, svc, false)
		s.MustJSON(http.MethodPost, base+queue.ActNext, s.Admin, nil, http.StatusOK, nil)
		if act == queue.ActTransfer {
			body = map[string]string{"service_id": m.ServiceB1.ID} // another agency's service
		}
	}
	return authzReq{path: base + act, body: body}
}

// requests builds, per route, the request every caller sends. Requests are
// made to succeed for an allowed caller; ones that consume what they act
// on get a throwaway object per call.
func (w *authzWorld) requests() map[string]func() authzReq {
	s, m := w.s, w.m
	A := m.AgencyA.ID
	fixed := func(path string, body any) func() authzReq {
		return func() authzReq { return authzReq{path: path, body: body} }
	}
	site := queue.DefaultSite() // the mall's, as SetupMall put it
	site.Name = "MPP Uji"
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	site.Opens, site.Closes = "00:00", "24:00"
	shown := s.Issue(m, m.ServiceA1.ID, false)
	booked := w.book(m.ServiceA1.ID)
	checkinSvc := w.bookingService(A)
	loginProbe, _ := w.officer(A)
	loginName := s.App.Engine.State().User(loginProbe).Username

	r := map[string]func() authzReq{
		"GET /healthz":       fixed("/healthz", nil),
		"GET /readyz":        fixed("/readyz", nil),
		"GET /metrics":       fixed("/metrics", nil),
		"GET /api/v1/backup": fixed("/api/v1/backup", nil),

		"GET /api/v1/openapi.json": fixed("/api/v1/openapi.json", nil),

		"POST /api/v1/login":  fixed("/api/v1/login", map[string]string{"username": loginName, "password": apptest.StaffPassword}),
		"POST /api/v1/logout": func() authzReq { return authzReq{path: "/api/v1/logout", fresh: true} },
		"GET /api/v1/me":      fixed("/api/v1/me", nil),
		"GET /api/v1/site":    fixed("/api/v1/site", nil),
		"PUT /api/v1/site":    fixed("/api/v1/site", site),

		"GET /api/v1/agencies":     fixed("/api/v1/agencies", nil),
		"GET /api/v1/agencies/:id": fixed("/api/v1/agencies/"+A, nil),
		"POST /api/v1/agencies": func() authzReq {
			return authzReq{path: "/api/v1/agencies", body: map[string]string{"code": fmt.Sprintf("T%d", w.next()), "name": "Instansi Uji"}}
		},
		"PUT /api/v1/agencies/:id": fixed("/api/v1/agencies/"+A, map[string]string{"code": m.AgencyA.Code, "name": m.AgencyA.Name, "short_name": m.AgencyA.ShortName}),
		"DELETE /api/v1/agencies/:id": func() authzReq {
			return authzReq{path: "/api/v1/agencies/" + w.agency()}
		},

		"GET /api/v1/services":     fixed("/api/v1/services", nil),
		"GET /api/v1/services/:id": fixed("/api/v1/services/"+m.ServiceA1.ID, nil),
		"POST /api/v1/services": func() authzReq {
			return authzReq{path: "/api/v1/services", body: map[string]any{"agency_id": A, "code": w.code(), "name": "Layanan Baru"}}
		},
		"PUT /api/v1/services/:id": func() authzReq {
			id, code := w.service(A)
			return authzReq{path: "/api/v1/services/" + id, body: map[string]any{"agency_id": A, "code": code, "name": "Layanan Diubah"}}
		},
		"DELETE /api/v1/services/:id": func() authzReq {
			id, _ := w.service(A)
			return authzReq{path: "/api/v1/services/" + id}
		},

		"GET /api/v1/counters":     fixed("/api/v1/counters", nil),
		"GET /api/v1/counters/:id": fixed("/api/v1/counters/"+m.CounterA.ID, nil),
		"POST /api/v1/counters": func() authzReq {
			return authzReq{path: "/api/v1/counters", body: map[string]any{"agency_id": A, "name": w.name("Loket Baru"), "service_ids": []string{m.ServiceA1.ID}}}
		},
		"PUT /api/v1/counters/:id": func() authzReq {
			id := w.counter(A, m.ServiceA1.ID)
			return authzReq{path: "/api/v1/counters/" + id, body: map[string]any{"agency_id": A, "name": w.name("Loket Diubah"), "service_ids": []string{m.ServiceA1.ID, m.ServiceA2.ID}}}
		},
		"DELETE /api/v1/counters/:id": func() authzReq {
			return authzReq{path: "/api/v1/counters/" + w.counter(A, m.ServiceA1.ID)}
		},

		"GET /api/v1/users": fixed("/api/v1/users", nil),
		"POST /api/v1/users": func() authzReq {
			return authzReq{path: "/api/v1/users", body: map[string]string{"username": w.username(), "password": apptest.StaffPassword, "role": queue.RoleOfficer, "agency_id": A}}
		},
		"GET /api/v1/users/:id": fixed("/api/v1/users/"+m.Users["officerA"].ID, nil),
		"PUT /api/v1/users/:id": func() authzReq {
			id, name := w.officer(A)
			return authzReq{path: "/api/v1/users/" + id, body: map[string]string{"username": name, "role": queue.RoleOfficer, "agency_id": A}}
		},
		"DELETE /api/v1/users/:id": func() authzReq {
			id, _ := w.officer(A)
			return authzReq{path: "/api/v1/users/" + id}
		},

		"GET /api/v1/devices":     fixed("/api/v1/devices", nil),
		"GET /api/v1/devices/:id": fixed("/api/v1/devices/"+m.Display, nil),
		"POST /api/v1/devices": func() authzReq {
			return authzReq{path: "/api/v1/devices", body: map[string]any{"kind": queue.DeviceDisplay, "name": w.name("Layar Baru"), "agency_ids": []string{A}}}
		},
		"PUT /api/v1/devices/:id": func() authzReq {
			id, _ := w.device(queue.DeviceDisplay)
			return authzReq{path: "/api/v1/devices/" + id, body: map[string]any{"kind": queue.DeviceDisplay, "name": w.name("Layar Diubah"), "agency_ids": []string{A}}}
		},
		"DELETE /api/v1/devices/:id": func() authzReq {
			id, _ := w.device(queue.DeviceDisplay)
			return authzReq{path: "/api/v1/devices/" + id}
		},

		"POST /api/v1/tickets":           fixed("/api/v1/tickets", map[string]any{"service_id": m.ServiceA1.ID, "priority": false}),
		"GET /api/v1/tickets":            fixed("/api/v1/tickets?service_id="+m.ServiceA1.ID, nil),
		"GET /api/v1/tickets/:id":        fixed(authzVisitorPath(shown, ""), nil),
		"GET /api/v1/tickets/:id/qr.png": fixed(authzVisitorPath(shown, "/qr.png"), nil),
		"DELETE /api/v1/tickets/:id": func() authzReq {
			return authzReq{path: authzVisitorPath(s.Issue(m, m.ServiceA1.ID, false), "")}
		},
		"GET /api/v1/kiosk": fixed("/api/v1/kiosk", nil),
		"POST /api/v1/tickets/:id/feedback": func() authzReq {
			done := w.served()
			return authzReq{path: authzVisitorPath(done, "/feedback"), body: map[string]any{"scores": []int{4, 4, 4, 4, 4, 4, 4, 4, 4}}}
		},
		"GET /api/v1/reports/ikm": fixed("/api/v1/reports/ikm?agency_id="+A, nil),
		"GET /api/v1/survey":      fixed("/api/v1/survey", nil),

		"GET /api/v1/state":  fixed("/api/v1/state", nil),
		"GET /api/v1/events": fixed("/api/v1/events", nil),
		"GET /api/v1/audit":  fixed("/api/v1/audit?limit=5", nil),
		"GET /api/v1/ws":     func() authzReq { return authzReq{path: "/api/v1/ws", ws: true} },

		"GET /api/v1/reports/summary": fixed("/api/v1/reports/summary?from=2026-01-01&to=2026-01-31&group_by=service&agency_id="+A, nil),
		"GET /api/v1/webhooks":        fixed("/api/v1/webhooks", nil),
		"POST /api/v1/webhooks":       fixed("/api/v1/webhooks", authzWebhookBody),
		"DELETE /api/v1/webhooks/:id": func() authzReq {
			return authzReq{path: "/api/v1/webhooks/" + w.webhook()}
		},
		"GET /api/v1/webhooks/:id/deliveries": fixed("/api/v1/webhooks/"+w.webhook()+"/deliveries", nil),
		"GET /api/v1/reports/waits":           fixed("/api/v1/reports/waits?from=2026-01-01&to=2026-01-31&agency_id="+A, nil),
		"GET /api/v1/reports/heatmap":         fixed("/api/v1/reports/heatmap?from=2026-01-01&to=2026-01-31&agency_id="+A, nil),
		"GET /api/v1/reports/longest":         fixed("/api/v1/reports/longest?agency_id="+A, nil),

		"GET /":                 fixed("/", nil),
		"GET /display":          fixed("/display", nil),
		"GET /display/assets/*": fixed("/display/assets/display.js", nil),
		"GET /display/voice/*":  fixed("/display/voice/clips.json", nil),
		"GET /static/*":         fixed("/static/live.js", nil),
		"GET /counter":          fixed("/counter", nil),
		"GET /counter/assets/*": fixed("/counter/assets/console.js", nil),
		"GET /admin":            fixed("/admin", nil),
		"GET /admin/assets/*":   fixed("/admin/assets/admin.js", nil),
		"GET /kiosk":            fixed("/kiosk", nil),
		"GET /kiosk/assets/*":   fixed("/kiosk/assets/kiosk.js", nil),
		"GET /t/:id":            fixed("/t/"+shown.Ticket.ID+"?k="+shown.Key(), nil),
		"GET /t/:id/print":      fixed("/t/"+shown.Ticket.ID+"/print?k="+shown.Key(), nil),
		"GET /survey":           fixed("/survey", nil),
		"GET /survey/assets/*":  fixed("/survey/assets/survey.js", nil),

		"GET /api/v1/services/:id/slots": fixed("/api/v1/services/"+m.ServiceA1.ID+"/slots?date="+w.tomorrow(), nil),
		"POST /api/v1/bookings": func() authzReq {
			return authzReq{path: "/api/v1/bookings", body: w.bookingBody(m.ServiceA1.ID)}
		},
		"GET /api/v1/bookings/:code":             fixed("/api/v1/bookings/"+booked, nil),
		"GET /api/v1/bookings/:code/booking.ics": fixed("/api/v1/bookings/"+booked+"/booking.ics", nil),
		"GET /api/v1/bookings/:code/qr.png":      fixed("/api/v1/bookings/"+booked+"/qr.png", nil),
		"DELETE /api/v1/bookings/:code": func() authzReq {
			return authzReq{path: "/api/v1/bookings/" + w.book(m.ServiceA1.ID)}
		},
		"POST /api/v1/bookings/:code/reschedule": func() authzReq {
			code := w.book(m.ServiceA1.ID)
			return authzReq{path: "/api/v1/bookings/" + code + "/reschedule", body: map[string]string{"date": w.tomorrow(), "start": w.slot()}}
		},
		"POST /api/v1/bookings/:code/check-in": func() authzReq {
			return authzReq{path: "/api/v1/bookings/" + w.bookNow(checkinSvc) + "/check-in"}
		},
		"GET /booking":          fixed("/booking", nil),
		"GET /booking/:code":    fixed("/booking/"+booked, nil),
		"GET /booking/assets/*": fixed("/booking/assets/booking.js", nil),
	}
	for _, act := range queue.CounterActions {
		r["POST /api/v1/counters/:id/"+act] = func() authzReq { return w.counterAction(act) }
	}
	return r
}

// send sends a request as the token's caller. A websocket handshake that
// succeeds reads the first message and answers 200.
func (w *authzWorld) send(method string, rq authzReq, token string) *apptest.Response {
	if !rq.ws {
		return w.s.Do(method, rq.path, token, rq.body)
	}
	w.t.Helper()
	h := http.Header{}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	conn, resp, err := d.Dial("ws"+strings.TrimPrefix(w.s.URL, "http")+rq.path, h)
	if err != nil {
		if resp == nil {
			w.t.Fatalf("websocket %s: %v", rq.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return &apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, msg, err := conn.ReadMessage()
	if err != nil {
		w.t.Fatalf("websocket %s: first message: %v", rq.path, err)
	}
	return &apptest.Response{Status: http.StatusOK, Header: resp.Header, Body: msg}
}

// check compares an answer with the decision. It returns a complaint, or
// "".
func authzCheck(who string, allow bool, r *apptest.Response) string {
	if allow {
		switch {
		case r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden:
			return fmt.Sprintf("denied with %d %s, want allowed", r.Status, r.ErrorCode())
		case r.Status < 200 || r.Status > 299:
			// Not an authorization failure, but the request was built to
			// succeed; an error here would make the allow check vacuous.
			return fmt.Sprintf("allowed but answered %d %s (%.200s); the test's request should succeed", r.Status, r.ErrorCode(), r.Body)
		}
		return ""
	}
	want, code := http.StatusForbidden, queue.EForbidden
	if who == "anonymous" || strings.HasPrefix(who, "revoked") {
		want, code = http.StatusUnauthorized, queue.EUnauthenticated
	}
	if r.Status != want || r.ErrorCode() != code {
		return fmt.Sprintf("answered %d %q, want denied with %d %q", r.Status, r.ErrorCode(), want, code)
	}
	return ""
}

// TestAuthzRoutes walks every route on the server with every kind of
// caller and checks authzTable's decision. A route without a row fails the
// test: a new route needs its authorization decision written down.
func TestAuthzRoutes(t *testing.T) {
	w := newAuthzWorld(t)
	s := w.s

	registered := map[string]bool{}
	for _, rt := range s.App.API.Echo.Routes() {
		registered[rt.Method+" "+rt.Path] = true
	}
	rows := map[string]authzRow{}
	for _, row := range authzTable {
		if _, dup := rows[row.route]; dup {
			t.Errorf("authzTable: %s appears twice", row.route)
		}
		rows[row.route] = row
		marks := strings.Fields(row.marks)
		if len(marks) != len(authzCallers) {
			t.Fatalf("authzTable: %s has %d marks, want one per caller (%d)", row.route, len(marks), len(authzCallers))
		}
		for _, mk := range marks {
			if mk != "Y" && mk != "-" {
				t.Fatalf("authzTable: %s: mark %q is neither Y nor -", row.route, mk)
			}
		}
		if !registered[row.route] {
			t.Errorf("authzTable: %s is not a route of the server; remove the row or register the route", row.route)
		}
	}
	reqs := w.requests()
	var missing []string
	for route := range registered {
		if _, ok := rows[route]; !ok {
			missing = append(missing, route)
		} else if reqs[route] == nil {
			t.Errorf("route %s has a row but no request to send", route)
		}
	}
	sort.Strings(missing)
	for _, route := range missing {
		t.Errorf("route %s has no authorization decision: add a row to authzTable from API.md's who column", route)
	}

	cells, audited := 0, 0
	for _, row := range authzTable {
		build := reqs[row.route]
		if !registered[row.route] || build == nil {
			continue
		}
		method, _, _ := strings.Cut(row.route, " ")
		marks := strings.Fields(row.marks)
		for i, who := range authzCallers {
			rq := build()
			tok := w.token(who, rq.fresh)
			before := w.lastAudit()
			r := w.send(method, rq, tok)
			if msg := authzCheck(who, marks[i] == "Y", r); msg != "" {
				t.Errorf("%s (%s) as %s: %s", row.route, row.who, who, msg)
			}
			if msg := w.checkAudit(row.route, who, r, before); msg != "" {
				t.Errorf("%s as %s: audit log: %s", row.route, who, msg)
			}
			if len(w.auditSince(before)) > 0 {
				audited++
			}
			cells++
		}
	}
	t.Logf("checked %d routes × %d callers = %d decisions; %d requests left an audit entry", len(rows), len(authzCallers), cells, audited)
}

// auditActions is what each route's successful request by a member of
// staff is called in the audit log (API.md: every staff action, setup
// change, sign-in and backup). Routes not here leave no entry; a route
// added by a feature that is not here must leave exactly one entry of
// some action when staff change something with it.
var auditActions = map[string]string{
	"POST /api/v1/login":                 "login",
	"POST /api/v1/logout":                "logout",
	"GET /api/v1/backup":                 "backup",
	"PUT /api/v1/site":                   "site.updated",
	"POST /api/v1/agencies":              "agency.created",
	"PUT /api/v1/agencies/:id":           "agency.updated",
	"DELETE /api/v1/agencies/:id":        "agency.deleted",
	"POST /api/v1/services":              "service.created",
	"PUT /api/v1/services/:id":           "service.updated",
	"DELETE /api/v1/services/:id":        "service.deleted",
	"POST /api/v1/counters":              "counter.created",
	"PUT /api/v1/counters/:id":           "counter.updated",
	"DELETE /api/v1/counters/:id":        "counter.deleted",
	"POST /api/v1/users":                 "user.created",
	"PUT /api/v1/users/:id":              "user.updated",
	"DELETE /api/v1/users/:id":           "user.deleted",
	"POST /api/v1/devices":               "device.created",
	"PUT /api/v1/devices/:id":            "device.updated",
	"DELETE /api/v1/devices/:id":         "device.deleted",
	"POST /api/v1/tickets":               "ticket.created",
	"DELETE /api/v1/tickets/:id":         "ticket.cancelled",
	"POST /api/v1/counters/:id/open":     "counter.open",
	"POST /api/v1/counters/:id/pause":    "counter.pause",
	"POST /api/v1/counters/:id/close":    "counter.close",
	"POST /api/v1/counters/:id/next":     "counter.next",
	"POST /api/v1/counters/:id/call":     "counter.call",
	"POST /api/v1/counters/:id/recall":   "counter.recall",
	"POST /api/v1/counters/:id/start":    "counter.start",
	"POST /api/v1/counters/:id/done":     "counter.done",
	"POST /api/v1/counters/:id/no-show":  "counter.no-show",
	"POST /api/v1/counters/:id/transfer": "counter.transfer",
	"GET /api/v1/bookings/:code":         "booking.viewed",
}

// lastAudit is the seq of the newest audit entry.
func (w *authzWorld) lastAudit() uint64 {
	es, err := w.s.App.Engine.Store().Audit(queue.AuditFilter{Limit: 1})
	if err != nil {
		w.t.Fatal(err)
	}
	if len(es) == 0 {
		return 0
	}
	return es[0].Seq
}

// auditSince lists the entries written after seq.
func (w *authzWorld) auditSince(seq uint64) []*queue.AuditEntry {
	es, err := w.s.App.Engine.Store().Audit(queue.AuditFilter{After: seq})
	if err != nil {
		w.t.Fatal(err)
	}
	return es
}

// checkAudit checks the audit entries a request left: exactly one, of the
// route's action, by the member of staff who made it (a sign-in's by the
// user signing in), when the request succeeded and was a staff action;
// none otherwise.
func (w *authzWorld) checkAudit(route, who string, r *apptest.Response, before uint64) string {
	got := w.auditSince(before)
	method, _, _ := strings.Cut(route, " ")
	action, listed := auditActions[route]
	staffCaller := w.m.Users[who].ID != "" || who == "admin"
	ok := r.Status >= 200 && r.Status < 300
	want := ok && staffCaller && (listed || method != http.MethodGet)
	if route == "POST /api/v1/login" {
		want = ok // the sign-in of the body's user, whoever sends it
	}
	if !want {
		if len(got) > 0 {
			return fmt.Sprintf("%d entries (first %s by %s), want none", len(got), got[0].Action, got[0].Actor.Name)
		}
		return ""
	}
	if len(got) != 1 {
		return fmt.Sprintf("%d entries, want exactly one", len(got))
	}
	e := got[0]
	if listed && e.Action != action {
		return fmt.Sprintf("action %q, want %q", e.Action, action)
	}
	if e.Actor.Kind != "user" || e.Actor.ID == "" || e.Address == "" || e.At.IsZero() {
		return fmt.Sprintf("entry %+v lacks its actor, address or time", e)
	}
	if route != "POST /api/v1/login" {
		wantID := w.m.Users[who].ID
		if who == "admin" {
			wantID = w.s.App.Engine.State().UserByName("admin").ID
		}
		if e.Actor.ID != wantID {
			return fmt.Sprintf("actor %s, want %s", e.Actor.ID, wantID)
		}
	}
	return ""
}

// TestAuthzVisitorKey: the ticket's visitor routes answer anyone who has
// the key, and a wrong or missing key looks exactly like a missing ticket
// (404), whoever asks — a staff or device token is no key.
func TestAuthzVisitorKey(t *testing.T) {
	w := newAuthzWorld(t)
	s, m := w.s, w.m
	tk := s.Issue(m, m.ServiceA1.ID, false)
	id := tk.Ticket.ID
	for _, who := range authzCallers {
		if strings.HasPrefix(who, "revoked") {
			continue // refused before the key is looked at (TestAuthzRoutes)
		}
		tok := w.tokens[who]
		var tries [][2]string // method, path
		for _, tid := range []string{id, "tkt_none"} {
			for _, q := range []string{"?k=wrong-key", "", "?k=", "?k=" + tk.Key()} {
				if tid == id && q == "?k="+tk.Key() {
					continue // the right key: TestAuthzRoutes
				}
				base := "/api/v1/tickets/" + tid
				tries = append(tries, [2]string{http.MethodGet, base + q}, [2]string{http.MethodGet, base + "/qr.png" + q}, [2]string{http.MethodDelete, base + q},
					[2]string{http.MethodPost, base + "/feedback" + q})
			}
		}
		for _, try := range tries {
			if r := s.Do(try[0], try[1], tok, nil); r.Status != http.StatusNotFound || r.ErrorCode() != queue.ENotFound {
				t.Errorf("%s %s as %s: %d %s, want 404 not_found", try[0], try[1], who, r.Status, r.Body)
			}
		}
		// The ticket's websocket: the key opens it for anyone; a wrong one
		// is a missing ticket.
		for _, q := range []string{"?ticket=" + id + "&k=wrong-key", "?ticket=" + id, "?ticket=tkt_none&k=" + tk.Key()} {
			if r := w.send(http.MethodGet, authzReq{path: "/api/v1/ws" + q, ws: true}, tok); r.Status != http.StatusNotFound || r.ErrorCode() != queue.ENotFound {
				t.Errorf("websocket /api/v1/ws%s as %s: %d %s, want 404 not_found", q, who, r.Status, r.Body)
			}
		}
		r := w.send(http.MethodGet, authzReq{path: "/api/v1/ws?ticket=" + id + "&k=" + tk.Key(), ws: true}, tok)
		var msg struct{ Type string }
		if r.Status != http.StatusOK {
			t.Errorf("websocket of the ticket with its key as %s: %d %s, want it open", who, r.Status, r.Body)
		} else if r.JSON(t, &msg); msg.Type != "ticket" {
			t.Errorf("websocket of the ticket as %s: first message %s, want the ticket", who, r.Body)
		}
	}
	for _, who := range []string{"revokedStaff", "revokedDevice"} {
		r := w.send(http.MethodGet, authzReq{path: "/api/v1/ws?ticket=" + id + "&k=" + tk.Key(), ws: true}, w.tokens[who])
		if r.Status != http.StatusUnauthorized {
			t.Errorf("websocket of the ticket with its key as %s: %d %s, want 401", who, r.Status, r.Body)
		}
	}
	// Nothing above cancelled it; the key still opens it, without a token.
	var pub struct{ Status string }
	s.MustJSON(http.MethodGet, authzVisitorPath(tk, ""), "", nil, http.StatusOK, &pub)
	if pub.Status != string(queue.Waiting) {
		t.Errorf("after wrong-key cancels the ticket is %q, want waiting", pub.Status)
	}
	if r := s.Do(http.MethodGet, authzVisitorPath(tk, "/qr.png"), "", nil); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("qr.png with the key: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	s.MustJSON(http.MethodDelete, authzVisitorPath(tk, ""), "", nil, http.StatusNoContent, nil)
}

// TestAuthzBodyRules: a supervisor, officer or greeter who names another
// agency in a body or filter gets 403 — except the target service of a
// transfer, which may belong to any agency.
func TestAuthzBodyRules(t *testing.T) {
	w := newAuthzWorld(t)
	s, m := w.s, w.m
	A, B := m.AgencyA.ID, m.AgencyB.ID
	supA, offA := w.tokens["supervisorA"], w.tokens["officerA"]
	svcA, codeA := w.service(A)
	ctrA := w.counter(A, svcA)

	cases := []struct {
		name, who, method, path string
		body                    any
		want                    int
	}{
		{"service for agency B", "supervisorA", http.MethodPost, "/api/v1/services",
			map[string]any{"agency_id": B, "code": w.code(), "name": "Layanan B"}, http.StatusForbidden},
		{"own service moved to agency B", "supervisorA", http.MethodPut, "/api/v1/services/" + svcA,
			map[string]any{"agency_id": B, "code": codeA, "name": "Layanan A"}, http.StatusForbidden},
		{"counter for agency B", "supervisorA", http.MethodPost, "/api/v1/counters",
			map[string]any{"agency_id": B, "name": w.name("Loket B"), "service_ids": []string{m.ServiceB1.ID}}, http.StatusForbidden},
		{"own counter moved to agency B", "supervisorA", http.MethodPut, "/api/v1/counters/" + ctrA,
			map[string]any{"agency_id": B, "name": w.name("Loket B"), "service_ids": []string{m.ServiceB1.ID}}, http.StatusForbidden},
		{"officer of agency B", "supervisorA", http.MethodPost, "/api/v1/users",
			map[string]string{"username": w.username(), "password": apptest.StaffPassword, "role": queue.RoleOfficer, "agency_id": B}, http.StatusForbidden},
		{"supervisor of own agency", "supervisorA", http.MethodPost, "/api/v1/users",
			map[string]string{"username": w.username(), "password": apptest.StaffPassword, "role": queue.RoleSupervisor, "agency_id": A}, http.StatusForbidden},
		{"greeter", "supervisorA", http.MethodPost, "/api/v1/users",
			map[string]string{"username": w.username(), "password": apptest.StaffPassword, "role": queue.RoleGreeter}, http.StatusForbidden},
		{"tickets of agency B's service", "supervisorA", http.MethodGet, "/api/v1/tickets?service_id=" + m.ServiceB1.ID, nil, http.StatusForbidden},
		{"tickets of agency B's service", "officerA", http.MethodGet, "/api/v1/tickets?service_id=" + m.ServiceB1.ID, nil, http.StatusForbidden},
		{"ticket of agency B's service", "officerA", http.MethodPost, "/api/v1/tickets",
			map[string]any{"service_id": m.ServiceB1.ID}, http.StatusForbidden},
		{"ticket of agency B's service", "supervisorA", http.MethodPost, "/api/v1/tickets",
			map[string]any{"service_id": m.ServiceB1.ID}, http.StatusForbidden},
		{"ticket of agency B's service", "greeterA", http.MethodPost, "/api/v1/tickets",
			map[string]any{"service_id": m.ServiceB1.ID}, http.StatusForbidden},
		// The allowed side of the same rules.
		{"ticket of any agency's service", "greeter", http.MethodPost, "/api/v1/tickets",
			map[string]any{"service_id": m.ServiceB1.ID, "priority": true}, http.StatusCreated},
		{"priority ticket of own agency's service", "greeterB", http.MethodPost, "/api/v1/tickets",
			map[string]any{"service_id": m.ServiceB1.ID, "priority": true}, http.StatusCreated},
		{"service for agency B", "admin", http.MethodPost, "/api/v1/services",
			map[string]any{"agency_id": B, "code": w.code(), "name": "Layanan B"}, http.StatusCreated},
		{"tickets of own agency", "officerA", http.MethodGet, "/api/v1/tickets", nil, http.StatusOK},
	}
	for _, c := range cases {
		r := s.Do(c.method, c.path, w.tokens[c.who], c.body)
		if r.Status != c.want {
			t.Errorf("%s %s (%s) as %s: %d %s, want %d", c.method, c.path, c.name, c.who, r.Status, r.Body, c.want)
		}
	}

	// Transfer to another agency's service: allowed for the officer and
	// the supervisor of the counter's agency.
	for _, tok := range []string{offA, supA} {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+ctrA+"/open", tok, nil, http.StatusOK, nil)
		tk := s.Issue(m, svcA, false)
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+ctrA+"/next", tok, nil, http.StatusOK, nil)
		var k queue.CounterView
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+ctrA+"/transfer", tok, map[string]string{"service_id": m.ServiceB1.ID}, http.StatusOK, &k)
		var pub struct{ Status, ServiceName string }
		r := s.MustJSON(http.MethodGet, authzVisitorPath(tk, ""), "", nil, http.StatusOK, nil)
		r.JSON(t, &pub)
		if k.Current != nil || pub.Status != string(queue.Waiting) {
			t.Errorf("after transfer: counter current %v, ticket %s; want none and waiting", k.Current, r.Body)
		}
	}
	// Agency B's staff may then work the transferred tickets: its own
	// service's list holds them.
	var list struct{ Tickets []queue.Ticket }
	s.MustJSON(http.MethodGet, "/api/v1/tickets?service_id="+m.ServiceB1.ID, w.tokens["officerB"], nil, http.StatusOK, &list)
	if len(list.Tickets) < 2 {
		t.Errorf("agency B's list holds %d tickets, want the 2 transferred ones and the greeter's", len(list.Tickets))
	}
}
