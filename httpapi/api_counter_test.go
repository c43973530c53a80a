package httpapi_test

// HTTP tests of API.md's "Counter actions": every action, the state ×
// action table of ARCHITECTURE.md, their errors, and Idempotency-Key.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// apiCounter is the Counter object of API.md.
type apiCounter struct {
	ID          string        `json:"id"`
	AgencyID    string        `json:"agency_id"`
	Name        string        `json:"name"`
	ServiceIDs  []string      `json:"service_ids"`
	Status      string        `json:"status"`
	PauseReason string        `json:"pause_reason"`
	OfficerID   string        `json:"officer_id"`
	Current     *queue.Ticket `json:"current"`
}

// apiAct posts a counter action and returns the answer.
func apiAct(s *apptest.Server, tok, counterID, act string, body any, headers ...string) *apptest.Response {
	return s.Do(http.MethodPost, "/api/v1/counters/"+counterID+"/"+act, tok, body, headers...)
}

// apiActOK posts an action that must answer 200 with the Counter.
func apiActOK(t *testing.T, s *apptest.Server, tok, counterID, act string, body any) apiCounter {
	t.Helper()
	r := apiAct(s, tok, counterID, act, body)
	apiWantStatus(t, r, http.StatusOK)
	raw := apiObj(t, r)
	for _, f := range []string{"id", "agency_id", "name", "service_ids", "status", "pause_reason", "officer_id", "current"} {
		if _, ok := raw[f]; !ok {
			t.Errorf("%s answer has no %q: %s", act, f, r.Body)
		}
	}
	var c apiCounter
	r.JSON(t, &c)
	return c
}

// apiTicketStatus reads a ticket's staff view through the admin listing.
func apiTicket(t *testing.T, s *apptest.Server, id string) queue.Ticket {
	t.Helper()
	var p struct{ Tickets []queue.Ticket }
	s.MustJSON(http.MethodGet, "/api/v1/tickets", s.Admin, nil, http.StatusOK, &p)
	for _, tk := range p.Tickets {
		if tk.ID == id {
			return tk
		}
	}
	t.Fatalf("ticket %s is not listed", id)
	return queue.Ticket{}
}

func TestAPICounterActions(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	ctr := m.CounterA.ID

	// A closed counter takes no calls.
	apiWantError(t, apiAct(s, off, ctr, "next", nil), http.StatusConflict, queue.ECounterClosed)
	apiWantError(t, apiAct(s, off, ctr, "start", nil), http.StatusConflict, queue.ECounterClosed)
	apiWantError(t, apiAct(s, off, ctr, "pause", nil), http.StatusConflict, queue.ECounterClosed)

	c := apiActOK(t, s, off, ctr, "open", nil)
	if c.Status != "open" || c.OfficerID != m.Users["officerA"].ID || c.Current != nil || c.ID != ctr || c.Name != "Loket 1" {
		t.Fatalf("open: %+v", c)
	}
	// Nobody waits: 204, no body.
	r := apiAct(s, off, ctr, "next", nil)
	apiWantStatus(t, r, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with a body: %q", r.Body)
	}
	// Actions on the current ticket need one.
	for _, act := range []string{"recall", "start", "done", "no-show"} {
		apiWantError(t, apiAct(s, off, ctr, act, nil), http.StatusConflict, queue.EInvalidTransition)
	}
	apiWantError(t, apiAct(s, off, ctr, "transfer", map[string]string{"service_id": m.ServiceB1.ID}), http.StatusConflict, queue.EInvalidTransition)

	a1 := s.Issue(m, m.ServiceA1.ID, false)
	a2 := s.Issue(m, m.ServiceA1.ID, false)
	b1 := s.Issue(m, m.ServiceA2.ID, false)

	c = apiActOK(t, s, off, ctr, "next", nil)
	if c.Current == nil || c.Current.ID != a1.Ticket.ID || c.Current.Status != queue.Called || c.Current.Calls != 1 || c.Current.CalledAt == nil || c.Current.CounterID != ctr {
		t.Fatalf("next calls A001: %+v", c.Current)
	}
	c = apiActOK(t, s, off, ctr, "recall", nil)
	if c.Current.Calls != 2 || c.Current.Status != queue.Called {
		t.Fatalf("recall: %+v", c.Current)
	}
	c = apiActOK(t, s, off, ctr, "start", nil)
	if c.Current.Status != queue.Serving || c.Current.ServingAt == nil {
		t.Fatalf("start: %+v", c.Current)
	}
	for _, act := range []string{"recall", "start", "no-show"} {
		apiWantError(t, apiAct(s, off, ctr, act, nil), http.StatusConflict, queue.EInvalidTransition)
	}
	apiWantError(t, apiAct(s, off, ctr, "close", nil), http.StatusConflict, queue.ECounterBusy)
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/counters/"+ctr, s.Admin, nil), http.StatusConflict, queue.ECounterBusy)

	// next finishes the current (serving) ticket as done.
	c = apiActOK(t, s, off, ctr, "next", nil)
	if c.Current == nil || c.Current.ID != a2.Ticket.ID {
		t.Fatalf("next calls A002: %+v", c.Current)
	}
	if tk := apiTicket(t, s, a1.Ticket.ID); tk.Status != queue.Done || tk.DoneAt == nil {
		t.Fatalf("A001 after next: %+v", tk)
	}

	c = apiActOK(t, s, off, ctr, "no-show", nil)
	if c.Current != nil {
		t.Fatalf("no-show leaves no current: %+v", c.Current)
	}
	if tk := apiTicket(t, s, a2.Ticket.ID); tk.Status != queue.NoShow {
		t.Fatalf("A002 after no-show: %+v", tk)
	}

	// next skips the no-show; call brings it back.
	c = apiActOK(t, s, off, ctr, "next", nil)
	if c.Current == nil || c.Current.ID != b1.Ticket.ID {
		t.Fatalf("next calls B001: %+v", c.Current)
	}
	c = apiActOK(t, s, off, ctr, "call", map[string]string{"ticket_id": a2.Ticket.ID})
	if c.Current == nil || c.Current.ID != a2.Ticket.ID || c.Current.Status != queue.Called || c.Current.Calls != 1 {
		t.Fatalf("call A002 back: %+v", c.Current)
	}
	if tk := apiTicket(t, s, b1.Ticket.ID); tk.Status != queue.Done {
		t.Fatalf("call finishes the current: B001 is %s", tk.Status)
	}
	c = apiActOK(t, s, off, ctr, "done", nil)
	if c.Current != nil {
		t.Fatalf("done leaves no current: %+v", c.Current)
	}
	if tk := apiTicket(t, s, a2.Ticket.ID); tk.Status != queue.Done {
		t.Fatalf("A002 after done: %s", tk.Status)
	}
	apiWantError(t, apiAct(s, off, ctr, "done", nil), http.StatusConflict, queue.EInvalidTransition)
	apiWantError(t, apiAct(s, off, ctr, "call", map[string]string{"ticket_id": a2.Ticket.ID}), http.StatusConflict, queue.EInvalidTransition)
	apiWantError(t, apiAct(s, off, ctr, "call", map[string]string{"ticket_id": "20991231-1"}), http.StatusNotFound, queue.ENotFound)
	k1 := s.Issue(m, m.ServiceB1.ID, false)
	apiWantError(t, apiAct(s, off, ctr, "call", map[string]string{"ticket_id": k1.Ticket.ID}), http.StatusConflict, queue.EInvalidTransition)

	// Pause: no calls while paused; open again.
	a3 := s.Issue(m, m.ServiceA1.ID, false)
	c = apiActOK(t, s, off, ctr, "pause", map[string]string{"reason": "ISHOMA"})
	if c.Status != "paused" || c.PauseReason != "ISHOMA" {
		t.Fatalf("pause: %+v", c)
	}
	apiWantError(t, apiAct(s, off, ctr, "next", nil), http.StatusConflict, queue.ECounterClosed)
	apiWantError(t, apiAct(s, off, ctr, "call", map[string]string{"ticket_id": a3.Ticket.ID}), http.StatusConflict, queue.ECounterClosed)
	apiWantFields(t, apiAct(s, off, ctr, "pause", map[string]string{"reason": strings.Repeat("x", 101)}), "reason")
	if c = apiActOK(t, s, off, ctr, "pause", nil); c.PauseReason != "" {
		t.Errorf("pause without a reason: %+v", c)
	}
	c = apiActOK(t, s, off, ctr, "open", nil)
	if c.Status != "open" || c.PauseReason != "" {
		t.Fatalf("open after pause: %+v", c)
	}

	// Transfer to another agency's service: same number, queued again.
	c = apiActOK(t, s, off, ctr, "next", nil)
	if c.Current == nil || c.Current.ID != a3.Ticket.ID {
		t.Fatalf("next calls A003: %+v", c.Current)
	}
	calledAt := *c.Current.CalledAt
	apiWantFields(t, apiAct(s, off, ctr, "transfer", map[string]string{"service_id": "svc_nope"}), "service_id")
	c = apiActOK(t, s, off, ctr, "transfer", map[string]string{"service_id": m.ServiceB1.ID})
	if c.Current != nil {
		t.Fatalf("transfer leaves no current: %+v", c.Current)
	}
	tk := apiTicket(t, s, a3.Ticket.ID)
	if tk.Status != queue.Waiting || tk.ServiceID != m.ServiceB1.ID || tk.AgencyID != m.AgencyB.ID || tk.Number != "A003" || tk.QueuedAt.Before(calledAt) || tk.CounterID != "" {
		t.Fatalf("transferred ticket: %+v", tk)
	}
	var pub map[string]any
	s.MustJSON(http.MethodGet, apiVisitorPath(a3, "", a3.Key()), "", nil, http.StatusOK, &pub)
	if pub["service_name"] != "SKCK" || pub["position"] != 2.0 {
		t.Fatalf("the transferred ticket waits behind K001 in SKCK: %v", pub)
	}
	offB := m.Tokens["officerB"]
	apiActOK(t, s, offB, m.CounterB.ID, "open", nil)
	if c = apiActOK(t, s, offB, m.CounterB.ID, "next", nil); c.Current.ID != k1.Ticket.ID {
		t.Fatalf("counter B calls K001 first: %+v", c.Current)
	}
	if c = apiActOK(t, s, offB, m.CounterB.ID, "next", nil); c.Current.ID != a3.Ticket.ID || c.Current.Number != "A003" {
		t.Fatalf("counter B calls the transferred A003: %+v", c.Current)
	}

	// Transfer into an inactive service is refused.
	apiActOK(t, s, offB, m.CounterB.ID, "start", nil)
	s.MustJSON(http.MethodPut, "/api/v1/services/"+m.ServiceA2.ID, s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "code": "B", "name": "Kartu Keluarga", "active": false}, http.StatusOK, nil)
	apiWantError(t, apiAct(s, offB, m.CounterB.ID, "transfer", map[string]string{"service_id": m.ServiceA2.ID}), http.StatusConflict, queue.EServiceClosed)
	// ... and back to agency A is fine: "any agency".
	apiActOK(t, s, offB, m.CounterB.ID, "transfer", map[string]string{"service_id": m.ServiceA1.ID})

	// Close.
	c = apiActOK(t, s, off, ctr, "close", nil)
	if c.Status != "closed" || c.OfficerID != "" {
		t.Fatalf("close: %+v", c)
	}
	apiWantError(t, apiAct(s, off, ctr, "next", nil), http.StatusConflict, queue.ECounterClosed)
	apiWantError(t, apiAct(s, off, ctr, "recall", nil), http.StatusConflict, queue.ECounterClosed)
	var got apiCounter
	s.MustJSON(http.MethodGet, "/api/v1/counters/"+ctr, "", nil, http.StatusOK, &got)
	if got.Status != "closed" {
		t.Fatalf("GET after close: %+v", got)
	}

	// Whoever opens a counter takes it.
	if c = apiActOK(t, s, m.Tokens["supervisorA"], ctr, "open", nil); c.OfficerID != m.Users["supervisorA"].ID {
		t.Fatalf("supervisor opens: %+v", c)
	}
	if c = apiActOK(t, s, off, ctr, "open", nil); c.OfficerID != m.Users["officerA"].ID || c.Status != "open" {
		t.Fatalf("officer takes the open counter: %+v", c)
	}

	// The events of what happened above.
	var evs struct{ Events []queue.Event }
	s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, &evs)
	seen := map[string]bool{}
	for _, ev := range evs.Events {
		seen[ev.Type] = true
		switch ev.Type {
		case "ticket.transferred":
			var d struct {
				Ticket      map[string]any
				Service     struct{ ID, Code string }
				FromService *struct{ ID, Code string } `json:"from_service"`
				Counter     *struct{ ID, Name string }
			}
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.FromService == nil || d.Ticket["number"] != "A003" {
				t.Errorf("ticket.transferred without from_service: %s", ev.Data)
			}
		case "counter.paused":
			var d struct{ Counter *apiCounter }
			if err := json.Unmarshal(ev.Data, &d); err != nil || d.Counter == nil || d.Counter.ID != ctr || d.Counter.Status != "paused" {
				t.Errorf("counter.paused: %s", ev.Data)
			}
		case "config.changed":
			var d map[string]string
			if err := json.Unmarshal(ev.Data, &d); err != nil || d["what"] == "" {
				t.Errorf("config.changed: %s", ev.Data)
			}
		}
	}
	for _, typ := range []string{"ticket.issued", "ticket.called", "ticket.recalled", "ticket.serving", "ticket.done", "ticket.no_show", "ticket.transferred", "counter.opened", "counter.paused", "counter.closed", "config.changed", "day.started"} {
		if !seen[typ] {
			t.Errorf("no %s event", typ)
		}
	}
}

func TestAPICounterActionErrors(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	ctr := m.CounterA.ID
	apiActOK(t, s, off, ctr, "open", nil)
	a := s.Issue(m, m.ServiceA1.ID, false)

	apiWantError(t, apiAct(s, off, "ctr_nope", "next", nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, apiAct(s, off, ctr, "dance", nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, apiAct(s, m.Tokens["officerB"], ctr, "next", nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, apiAct(s, m.Tokens["kiosk"], ctr, "next", nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, apiAct(s, "", ctr, "next", nil), http.StatusUnauthorized, queue.EUnauthenticated)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/counters/"+ctr+"/next", off, nil), http.StatusMethodNotAllowed, "method_not_allowed")

	// Bodies are strict: unknown fields, fields of other actions, missing
	// fields, wrong types, trailing data, non-JSON.
	apiWantFields(t, apiAct(s, off, ctr, "next", map[string]any{"force": true}), "force")
	apiWantFields(t, apiAct(s, off, ctr, "next", map[string]any{"reason": "x"}), "reason")
	apiWantFields(t, apiAct(s, off, ctr, "pause", map[string]any{"ticket_id": a.Ticket.ID}), "ticket_id")
	apiWantFields(t, apiAct(s, off, ctr, "call", map[string]any{}), "ticket_id")
	apiWantFields(t, apiAct(s, off, ctr, "call", map[string]any{"ticket_id": 7}), "ticket_id")
	apiWantFields(t, apiAct(s, off, ctr, "transfer", nil), "service_id")
	apiWantError(t, apiAct(s, off, ctr, "next", `{} {}`), http.StatusBadRequest, queue.EInvalid)
	apiWantError(t, apiAct(s, off, ctr, "next", `{`), http.StatusBadRequest, queue.EInvalid)
	apiWantError(t, apiAct(s, off, ctr, "next", `[]`), http.StatusBadRequest, queue.EInvalid)
	apiWantError(t, apiAct(s, off, ctr, "next", `{}`, "Content-Type", "text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type")

	// None of that changed anything: A001 still waits.
	if tk := apiTicket(t, s, a.Ticket.ID); tk.Status != queue.Waiting {
		t.Fatalf("refused actions changed the ticket: %+v", tk)
	}
	// An empty JSON object, or no body and no Content-Type, are fine.
	apiActOK(t, s, off, ctr, "next", `{}`)
	apiWantStatus(t, apiRaw(t, s, http.MethodPost, "/api/v1/counters/"+ctr+"/recall", nil, map[string]string{"Authorization": "Bearer " + off}), http.StatusOK)

	// The agency's supervisor and an admin may act too.
	apiActOK(t, s, m.Tokens["supervisorA"], ctr, "recall", nil)
	apiActOK(t, s, s.Admin, ctr, "recall", nil)
}

func TestAPIPriorityInterleave(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	ctr := m.CounterA.ID
	apiActOK(t, s, off, ctr, "open", nil)
	// Two regular, then three priority tickets.
	for _, p := range []bool{false, false, true, true, true} {
		s.Issue(m, m.ServiceA1.ID, p)
	}
	var order []string
	for i := 0; i < 5; i++ {
		order = append(order, apiActOK(t, s, off, ctr, "next", nil).Current.Number)
	}
	// 2 priority : 1 regular by default.
	if got := strings.Join(order, " "); got != "A003 A004 A001 A005 A002" {
		t.Fatalf("call order %q, want A003 A004 A001 A005 A002", got)
	}
	apiWantStatus(t, apiAct(s, off, ctr, "next", nil), http.StatusNoContent)
}

func TestAPICounterIdempotency(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	ctr := m.CounterA.ID
	apiActOK(t, s, off, ctr, "open", nil)
	a1 := s.Issue(m, m.ServiceA1.ID, false)
	a2 := s.Issue(m, m.ServiceA1.ID, false)
	a3 := s.Issue(m, m.ServiceA1.ID, false)

	first := apiAct(s, off, ctr, "next", nil, "Idempotency-Key", "next-1")
	apiWantStatus(t, first, http.StatusOK)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("a first answer is marked replayed")
	}
	again := apiAct(s, off, ctr, "next", nil, "Idempotency-Key", "next-1")
	apiWantStatus(t, again, http.StatusOK)
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("the repeat answered differently:\n%s\n%s", first.Body, again.Body)
	}
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the repeat has no Idempotent-Replayed: true")
	}
	// One visitor was called: A002 still waits.
	if tk := apiTicket(t, s, a1.Ticket.ID); tk.Status != queue.Called || tk.Calls != 1 {
		t.Fatalf("A001: %+v", tk)
	}
	if tk := apiTicket(t, s, a2.Ticket.ID); tk.Status != queue.Waiting {
		t.Fatalf("the repeated next called A002: %+v", tk)
	}

	// The same key with a different body.
	apiWantError(t, apiAct(s, off, ctr, "next", `{}`, "Idempotency-Key", "next-1"), http.StatusUnprocessableEntity, queue.EIdempotencyMismatch)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+ctr+"/call", off, map[string]string{"ticket_id": a3.Ticket.ID}, http.StatusOK, nil)
	c1 := apiAct(s, off, ctr, "call", map[string]string{"ticket_id": a2.Ticket.ID}, "Idempotency-Key", "call-1")
	apiWantStatus(t, c1, http.StatusOK)
	apiWantError(t, apiAct(s, off, ctr, "call", map[string]string{"ticket_id": a1.Ticket.ID}, "Idempotency-Key", "call-1"), http.StatusUnprocessableEntity, queue.EIdempotencyMismatch)
	if tk := apiTicket(t, s, a2.Ticket.ID); tk.Status != queue.Called {
		t.Fatalf("A002 after call: %+v", tk)
	}

	// The key is scoped to the path and to the caller.
	apiWantStatus(t, apiAct(s, off, ctr, "recall", nil, "Idempotency-Key", "next-1"), http.StatusOK)
	if tk := apiTicket(t, s, a2.Ticket.ID); tk.Calls != 2 {
		t.Fatalf("the same key on another path is another request: calls %d", tk.Calls)
	}
	r := apiAct(s, m.Tokens["supervisorA"], ctr, "next", nil, "Idempotency-Key", "next-1")
	apiWantStatus(t, r, http.StatusNoContent) // a fresh next: finishes A002, nobody left
	if r.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("another caller's key replayed")
	}

	// A 204 is replayed as a 204.
	r = apiAct(s, off, ctr, "next", nil, "Idempotency-Key", "next-2")
	apiWantStatus(t, r, http.StatusNoContent)
	r = apiAct(s, off, ctr, "next", nil, "Idempotency-Key", "next-2")
	apiWantStatus(t, r, http.StatusNoContent)
	if r.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a replayed 204 has no Idempotent-Replayed")
	}
	apiWantFields(t, apiAct(s, off, ctr, "next", nil, "Idempotency-Key", strings.Repeat("k", 256)), "Idempotency-Key")

	// Issuing a ticket is idempotent too.
	body := map[string]any{"service_id": m.ServiceA1.ID}
	t1 := s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], body, "Idempotency-Key", "print-1")
	apiWantStatus(t, t1, http.StatusCreated)
	t2 := s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], body, "Idempotency-Key", "print-1")
	apiWantStatus(t, t2, http.StatusCreated)
	if !bytes.Equal(t1.Body, t2.Body) || t2.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a repeated issue made another ticket:\n%s\n%s", t1.Body, t2.Body)
	}
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA2.ID}, "Idempotency-Key", "print-1"), http.StatusUnprocessableEntity, queue.EIdempotencyMismatch)
	var p struct{ Tickets []queue.Ticket }
	s.MustJSON(http.MethodGet, "/api/v1/tickets?status=waiting", s.Admin, nil, http.StatusOK, &p)
	if len(p.Tickets) != 1 {
		t.Fatalf("%d waiting tickets after an issue and its repeat, want 1", len(p.Tickets))
	}
}

func TestAPIIdempotencyAcrossRestart(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	ctr := m.CounterA.ID
	apiActOK(t, s, off, ctr, "open", nil)
	a1 := s.Issue(m, m.ServiceA1.ID, false)
	a2 := s.Issue(m, m.ServiceA1.ID, false)
	first := apiAct(s, off, ctr, "next", nil, "Idempotency-Key", "k-restart")
	apiWantStatus(t, first, http.StatusOK)

	s.Stop()
	s2 := apptest.Start(t, apptest.Options{Data: s.Data})
	again := apiAct(s2, off, ctr, "next", nil, "Idempotency-Key", "k-restart")
	apiWantStatus(t, again, http.StatusOK)
	if !bytes.Equal(first.Body, again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("after a restart the repeat answered differently:\n%s\n%s", first.Body, again.Body)
	}
	if tk := apiTicket(t, s2, a2.Ticket.ID); tk.Status != queue.Waiting {
		t.Fatalf("the repeat after a restart called A002: %+v", tk)
	}
	if tk := apiTicket(t, s2, a1.Ticket.ID); tk.Status != queue.Called {
		t.Fatalf("A001 after restart: %+v", tk)
	}
	apiWantError(t, apiAct(s2, off, ctr, "next", `{}`, "Idempotency-Key", "k-restart"), http.StatusUnprocessableEntity, queue.EIdempotencyMismatch)
}
