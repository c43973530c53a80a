package httpapi_test

// HTTP tests of API.md's "Tickets" section: issuing, the visitor's view,
// QR code and cancel by key, and the staff listing.

import (
	"bytes"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

func apiVisitorPath(a apptest.IssueAnswer, suffix, key string) string {
	return "/api/v1/tickets/" + url.PathEscape(a.Ticket.ID) + suffix + "?k=" + url.QueryEscape(key)
}

func TestAPIIssueTicket(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	r := s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA1.ID})
	apiWantStatus(t, r, http.StatusCreated)
	raw := apiObj(t, r)
	for _, f := range []string{"ticket", "position", "eta_min", "status_url", "qr_url", "printed"} {
		if _, ok := raw[f]; !ok {
			t.Errorf("issue answer has no %q: %s", f, r.Body)
		}
	}
	var a apptest.IssueAnswer
	r.JSON(t, &a)
	tk := a.Ticket
	if tk.Number != "A001" || tk.Status != queue.Waiting || tk.Channel != "kiosk" || tk.Priority || tk.ServiceID != m.ServiceA1.ID || tk.AgencyID != m.AgencyA.ID || tk.Calls != 0 || tk.CalledAt != nil || tk.CounterID != "" {
		t.Fatalf("issued ticket: %s", r.Body)
	}
	if tk.Day == "" || tk.IssuedAt.IsZero() || !tk.QueuedAt.Equal(tk.IssuedAt) {
		t.Fatalf("issued ticket times: %s", r.Body)
	}
	if _, off := tk.IssuedAt.Zone(); off != 7*3600 {
		t.Errorf("issued_at is not in the site's offset (+07:00): %v", tk.IssuedAt)
	}
	if a.Position != 1 || a.EtaMin != nil || a.Printed {
		t.Fatalf("position 1, eta_min null while no counter is open, printed false: %s", r.Body)
	}
	key := a.Key()
	if len(key) < 16 {
		t.Fatalf("key %q is too short to be unguessable", key)
	}
	wantStatus := s.URL + "/t/" + tk.ID + "?k=" + key
	if a.StatusURL != wantStatus {
		t.Errorf("status_url %q, want %q", a.StatusURL, wantStatus)
	}
	if a.QRURL != s.URL+"/api/v1/tickets/"+tk.ID+"/qr.png?k="+key {
		t.Errorf("qr_url %q", a.QRURL)
	}
	// The key is only in the URLs, never a field of the ticket.
	if strings.Count(string(r.Body), key) != 2 || strings.Contains(string(r.Body), `"key"`) {
		t.Errorf("the key shows outside the two URLs: %s", r.Body)
	}

	b := s.Issue(m, m.ServiceA1.ID, false)
	if b.Ticket.Number != "A002" || b.Position != 2 {
		t.Fatalf("second ticket %s at %d", b.Ticket.Number, b.Position)
	}
	if c := s.Issue(m, m.ServiceA2.ID, false); c.Ticket.Number != "B001" || c.Position != 1 {
		t.Fatalf("first ticket of service B: %s at %d", c.Ticket.Number, c.Position)
	}
	if p := s.Issue(m, m.ServiceA1.ID, true); !p.Ticket.Priority || p.Position != 1 {
		t.Fatalf("a priority ticket goes to the front: %+v at %d", p.Ticket, p.Position)
	}

	// With a counter open there is an estimate.
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
	if d := s.Issue(m, m.ServiceA1.ID, false); d.EtaMin == nil || *d.EtaMin <= 0 {
		t.Fatalf("eta_min with an open counter and people ahead: %v", d.EtaMin)
	}

	// Staff and greeters issue with channel staff.
	var g apptest.IssueAnswer
	s.MustJSON(http.MethodPost, "/api/v1/tickets", m.Tokens["greeter"], map[string]any{"service_id": m.ServiceB1.ID, "priority": true}, http.StatusCreated, &g)
	if g.Ticket.Channel != "staff" || !g.Ticket.Priority || g.Ticket.Number != "K001" {
		t.Fatalf("greeter's ticket: %+v", g.Ticket)
	}
	s.MustJSON(http.MethodPost, "/api/v1/tickets", m.Tokens["officerA"], map[string]any{"service_id": m.ServiceA2.ID}, http.StatusCreated, &g)
	if g.Ticket.Channel != "staff" {
		t.Fatalf("officer's ticket: %+v", g.Ticket)
	}

	// Errors.
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": "svc_nope"}), http.StatusNotFound, queue.ENotFound)
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{}), "service_id")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA1.ID, "priority": "yes"}), "priority")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA1.ID, "name": "Budi"}), "name")
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["officerB"], map[string]any{"service_id": m.ServiceA1.ID}), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["display"], map[string]any{"service_id": m.ServiceA1.ID}), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", "", map[string]any{"service_id": m.ServiceA1.ID}), http.StatusUnauthorized, queue.EUnauthenticated)

	// base_url makes status_url absolute on the site's address.
	site := queue.DefaultSite()
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	site.Opens, site.Closes = "00:00", "24:00"
	site.BaseURL = "https://antrean.mpp.example.go.id/"
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	e := s.Issue(m, m.ServiceA1.ID, false)
	if want := "https://antrean.mpp.example.go.id/t/" + e.Ticket.ID + "?k=" + e.Key(); e.StatusURL != want {
		t.Errorf("status_url with base_url: %q, want %q", e.StatusURL, want)
	}
	if !strings.HasPrefix(e.QRURL, "https://antrean.mpp.example.go.id/api/v1/tickets/") {
		t.Errorf("qr_url with base_url: %q", e.QRURL)
	}
}

func TestAPIIssueClosedAndQuota(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	// An inactive service is closed.
	svc := map[string]any{"agency_id": m.AgencyA.ID, "code": "Q", "name": "Legalisir", "daily_quota": 2}
	var created queue.Service
	s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, svc, http.StatusCreated, &created)
	svc["active"] = false
	s.MustJSON(http.MethodPut, "/api/v1/services/"+created.ID, s.Admin, svc, http.StatusOK, nil)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": created.ID}), http.StatusConflict, queue.EServiceClosed)
	svc["active"] = true
	s.MustJSON(http.MethodPut, "/api/v1/services/"+created.ID, s.Admin, svc, http.StatusOK, nil)

	// A daily quota of 2: the third is refused; a cancel gives a place back.
	one := s.Issue(m, created.ID, false)
	s.Issue(m, created.ID, false)
	r := s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": created.ID})
	e := apiWantError(t, r, http.StatusConflict, queue.EQuotaExhausted)
	if !strings.Contains(e.Error.Message, "Kuota") {
		t.Errorf("the default message is Indonesian: %q", e.Error.Message)
	}
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["greeter"], map[string]any{"service_id": created.ID, "priority": true}), http.StatusConflict, queue.EQuotaExhausted)
	apiWantStatus(t, s.Do(http.MethodDelete, apiVisitorPath(one, "", one.Key()), "", nil), http.StatusNoContent)
	three := s.Issue(m, created.ID, false)
	if three.Ticket.Number != "Q003" {
		t.Errorf("numbers are never reused: got %s", three.Ticket.Number)
	}
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": created.ID}), http.StatusConflict, queue.EQuotaExhausted)
	// Other services are not limited.
	s.Issue(m, m.ServiceA1.ID, false)

	// Transferred-in tickets don't count against the quota.
	var r2 queue.Service
	s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyB.ID, "code": "R", "name": "Legalisir SKCK", "daily_quota": 1}, http.StatusCreated, &r2)
	off := m.Tokens["officerA"]
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", off, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", off, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/transfer", off, map[string]string{"service_id": r2.ID}, http.StatusOK, nil)
	s.Issue(m, r2.ID, false)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": r2.ID}), http.StatusConflict, queue.EQuotaExhausted)
}

func TestAPIIssueHours(t *testing.T) {
	t.Parallel()
	wib := time.FixedZone("WIB", 7*3600)
	// Thursday 2027-03-04, 07:40 WIB, well away from the wall clock.
	start := time.Date(2027, 3, 4, 7, 40, 0, 0, wib)
	if start.Weekday() != time.Thursday {
		t.Fatalf("%v is a %v", start, start.Weekday())
	}
	s := apptest.Start(t, apptest.Options{Start: start})
	m := s.SetupMall()
	put := func(change func(*queue.Site)) {
		t.Helper()
		site := queue.DefaultSite() // mon–fri 08:00–15:00, tickets from 15 minutes before
		site.Name = "MPP Uji"
		change(site)
		s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	}
	issue := func() *apptest.Response {
		t.Helper()
		return s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA1.ID})
	}
	put(func(*queue.Site) {})

	apiWantError(t, issue(), http.StatusConflict, queue.EServiceClosed) // 07:40
	s.Clock.Set(time.Date(2027, 3, 4, 7, 45, 0, 0, wib))
	apiWantStatus(t, issue(), http.StatusCreated) // doors at 07:45 for 08:00
	s.Clock.Set(time.Date(2027, 3, 4, 14, 59, 0, 0, wib))
	apiWantStatus(t, issue(), http.StatusCreated)
	s.Clock.Set(time.Date(2027, 3, 4, 15, 0, 0, 0, wib))
	apiWantError(t, issue(), http.StatusConflict, queue.EServiceClosed) // closes is exclusive

	// The service's own hours narrow the site's.
	s.Clock.Set(time.Date(2027, 3, 5, 9, 0, 0, 0, wib)) // Friday
	// Yesterday's login has ended (sessions last 12 hours).
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", s.Admin, nil), http.StatusUnauthorized, queue.EUnauthenticated)
	s.Admin = s.Login("admin", apptest.AdminPassword)
	apiWantStatus(t, issue(), http.StatusCreated)
	s.MustJSON(http.MethodPut, "/api/v1/services/"+m.ServiceA1.ID, s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "code": "A", "name": "Perekaman KTP-el", "opens": "10:00"}, http.StatusOK, nil)
	apiWantError(t, issue(), http.StatusConflict, queue.EServiceClosed)
	apiWantStatus(t, s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA2.ID}), http.StatusCreated)
	s.MustJSON(http.MethodPut, "/api/v1/services/"+m.ServiceA1.ID, s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "code": "A", "name": "Perekaman KTP-el"}, http.StatusOK, nil)

	// A holiday, and a special day without hours, are closed.
	put(func(st *queue.Site) { st.Holidays = []string{"2027-03-05"} })
	apiWantError(t, issue(), http.StatusConflict, queue.EServiceClosed)
	put(func(st *queue.Site) { st.SpecialDays = []queue.SpecialDay{{Date: "2027-03-05"}} })
	apiWantError(t, issue(), http.StatusConflict, queue.EServiceClosed)
	put(func(*queue.Site) {})

	// Saturday is not a weekday of the site, unless a special day opens it.
	s.Clock.Set(time.Date(2027, 3, 6, 9, 0, 0, 0, wib))
	s.Admin = s.Login("admin", apptest.AdminPassword)
	apiWantError(t, issue(), http.StatusConflict, queue.EServiceClosed)
	put(func(st *queue.Site) {
		st.SpecialDays = []queue.SpecialDay{{Date: "2027-03-06", Opens: "08:00", Closes: "12:00"}}
	})
	r := issue()
	apiWantStatus(t, r, http.StatusCreated)
	var a apptest.IssueAnswer
	r.JSON(t, &a)
	if a.Ticket.Number != "A001" || a.Ticket.Day != "2027-03-06" {
		t.Errorf("numbering restarts each day: %s on %s", a.Ticket.Number, a.Ticket.Day)
	}
}

func TestAPIVisitorTicket(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	a := s.Issue(m, m.ServiceA1.ID, false)
	b := s.Issue(m, m.ServiceA1.ID, false)
	key := b.Key()

	t.Run("public view", func(t *testing.T) {
		r := s.Do(http.MethodGet, apiVisitorPath(b, "", key), "", nil)
		apiWantStatus(t, r, http.StatusOK)
		if bytes.Contains(r.Body, []byte(key)) || bytes.Contains(r.Body, []byte(`"key"`)) {
			t.Fatalf("the public view shows the key: %s", r.Body)
		}
		p := apiObj(t, r)
		if p["number"] != "A002" || p["status"] != "waiting" || p["service_name"] != "Perekaman KTP-el" || p["agency_name"] != "Dukcapil" {
			t.Fatalf("public view: %s", r.Body)
		}
		if p["position"] != 2.0 || p["people_ahead"] != 1.0 || p["eta_min"] != nil {
			t.Fatalf("position 2, one ahead, no estimate: %s", r.Body)
		}
		req, _ := p["requirements"].([]any)
		if len(req) != 1 || req[0] != "KTP-el" {
			t.Fatalf("requirements: %s", r.Body)
		}
		// It works for anyone holding the key, signed in or not.
		apiWantStatus(t, s.Do(http.MethodGet, apiVisitorPath(b, "", key), m.Tokens["officerB"], nil), http.StatusOK)
	})

	t.Run("wrong or missing key looks like a missing ticket", func(t *testing.T) {
		missing := s.Do(http.MethodGet, "/api/v1/tickets/20991231-1?k="+key, "", nil)
		apiWantError(t, missing, http.StatusNotFound, queue.ENotFound)
		for _, path := range []string{
			apiVisitorPath(b, "", a.Key()),
			apiVisitorPath(b, "", key[:len(key)-1]),
			apiVisitorPath(b, "", ""),
			"/api/v1/tickets/" + b.Ticket.ID,
			"/api/v1/tickets/not-a-ticket?k=x",
			apiVisitorPath(b, "/qr.png", "wrong"),
		} {
			r := s.Do(http.MethodGet, path, "", nil)
			apiWantError(t, r, http.StatusNotFound, queue.ENotFound)
			if !bytes.Equal(r.Body, missing.Body) {
				t.Errorf("GET %s: %s, unlike a missing ticket's %s", path, r.Body, missing.Body)
			}
		}
		r := s.Do(http.MethodDelete, apiVisitorPath(b, "", a.Key()), "", nil)
		apiWantError(t, r, http.StatusNotFound, queue.ENotFound)
		if !bytes.Equal(r.Body, missing.Body) {
			t.Errorf("DELETE with a wrong key: %s", r.Body)
		}
	})

	t.Run("qr.png", func(t *testing.T) {
		r := s.Do(http.MethodGet, apiVisitorPath(b, "/qr.png", key), "", nil)
		apiWantStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "image/png" {
			t.Errorf("Content-Type %q", ct)
		}
		if !bytes.HasPrefix(r.Body, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("not a PNG: % x", r.Body[:min(8, len(r.Body))])
		}
		img, err := png.Decode(bytes.NewReader(r.Body))
		if err != nil {
			t.Fatalf("decoding the PNG: %v", err)
		}
		if sz := img.Bounds().Size(); sz.X < 100 || sz.X != sz.Y {
			t.Errorf("QR image is %v", sz)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		apiWantStatus(t, s.Do(http.MethodDelete, apiVisitorPath(a, "", a.Key()), "", nil), http.StatusNoContent)
		var p map[string]any
		s.MustJSON(http.MethodGet, apiVisitorPath(a, "", a.Key()), "", nil, http.StatusOK, &p)
		if p["status"] != "cancelled" || p["position"] != nil {
			t.Fatalf("after cancel: %v", p)
		}
		apiWantError(t, s.Do(http.MethodDelete, apiVisitorPath(a, "", a.Key()), "", nil), http.StatusConflict, queue.EInvalidTransition)
		// b moved up.
		s.MustJSON(http.MethodGet, apiVisitorPath(b, "", key), "", nil, http.StatusOK, &p)
		if p["position"] != 1.0 || p["people_ahead"] != 0.0 {
			t.Fatalf("after the one ahead cancelled: %v", p)
		}
		// A called ticket can no longer be cancelled.
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", m.Tokens["officerA"], nil, http.StatusOK, nil)
		s.MustJSON(http.MethodGet, apiVisitorPath(b, "", key), "", nil, http.StatusOK, &p)
		if p["status"] != "called" || p["counter_name"] != "Loket 1" {
			t.Fatalf("called ticket's public view: %v", p)
		}
		apiWantError(t, s.Do(http.MethodDelete, apiVisitorPath(b, "", key), "", nil), http.StatusConflict, queue.EInvalidTransition)
	})
}

func TestAPIListTickets(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	var all []apptest.IssueAnswer
	for _, sid := range []string{m.ServiceA1.ID, m.ServiceB1.ID, m.ServiceA2.ID, m.ServiceA1.ID, m.ServiceB1.ID, m.ServiceA1.ID} {
		all = append(all, s.Issue(m, sid, false))
	}
	apiWantStatus(t, s.Do(http.MethodDelete, apiVisitorPath(all[3], "", all[3].Key()), "", nil), http.StatusNoContent)

	type page struct {
		Tickets   []queue.Ticket `json:"tickets"`
		NextAfter string         `json:"next_after"`
	}
	list := func(tok, query string) page {
		t.Helper()
		r := s.Do(http.MethodGet, "/api/v1/tickets"+query, tok, nil)
		apiWantStatus(t, r, http.StatusOK)
		for _, a := range all {
			if bytes.Contains(r.Body, []byte(a.Key())) {
				t.Fatalf("the staff list shows a ticket key: %s", r.Body)
			}
		}
		var p page
		r.JSON(t, &p)
		if p.Tickets == nil {
			t.Fatalf("tickets is not an array: %s", r.Body)
		}
		return p
	}
	numbers := func(p page) string {
		var n []string
		for _, t := range p.Tickets {
			n = append(n, t.Number)
		}
		return strings.Join(n, " ")
	}

	p := list(s.Admin, "")
	if got := numbers(p); got != "A001 K001 B001 A002 K002 A003" || p.NextAfter != "" {
		t.Fatalf("all of today in issue order: %q next_after %q", got, p.NextAfter)
	}
	if p.Tickets[0].Channel != "kiosk" || p.Tickets[0].Day == "" || p.Tickets[3].Status != queue.Cancelled {
		t.Fatalf("staff view: %+v", p.Tickets)
	}
	if got := numbers(list(s.Admin, "?service_id="+m.ServiceA1.ID)); got != "A001 A002 A003" {
		t.Errorf("by service: %q", got)
	}
	if got := numbers(list(s.Admin, "?status=cancelled")); got != "A002" {
		t.Errorf("by status: %q", got)
	}
	if got := numbers(list(s.Admin, "?day="+p.Tickets[0].Day+"&status=waiting&service_id="+m.ServiceA1.ID)); got != "A001 A003" {
		t.Errorf("by day, status and service: %q", got)
	}
	if got := list(s.Admin, "?day=2020-01-01"); len(got.Tickets) != 0 || got.NextAfter != "" {
		t.Errorf("another day: %+v", got)
	}

	// Paging.
	var paged []string
	after := ""
	for i := 0; ; i++ {
		q := "?limit=4"
		if after != "" {
			q += "&after=" + after
		}
		pg := list(s.Admin, q)
		if len(pg.Tickets) > 4 {
			t.Fatalf("page of %d with limit 4", len(pg.Tickets))
		}
		paged = append(paged, numbers(pg))
		if pg.NextAfter == "" {
			break
		}
		if pg.NextAfter != pg.Tickets[len(pg.Tickets)-1].ID {
			t.Fatalf("next_after %q is not the last ticket", pg.NextAfter)
		}
		after = pg.NextAfter
		if i > 5 {
			t.Fatal("paging does not end")
		}
	}
	if got := strings.TrimSpace(strings.Join(paged, " ")); got != "A001 K001 B001 A002 K002 A003" {
		t.Errorf("pages: %q", paged)
	}

	// Own agency below admin.
	if got := numbers(list(m.Tokens["officerA"], "")); got != "A001 B001 A002 A003" {
		t.Errorf("officer A sees %q", got)
	}
	if got := numbers(list(m.Tokens["supervisorB"], "")); got != "K001 K002" {
		t.Errorf("supervisor B sees %q", got)
	}
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/tickets?service_id="+m.ServiceB1.ID, m.Tokens["officerA"], nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/tickets", m.Tokens["greeter"], nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/tickets", m.Tokens["kiosk"], nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/tickets", "", nil), http.StatusUnauthorized, queue.EUnauthenticated)

	// Bad filters are 400, never 500.
	for q, field := range map[string]string{
		"?limit=10001":         "limit",
		"?limit=0":             "limit",
		"?limit=ten":           "limit",
		"?status=lost":         "status",
		"?day=2026-02-30":      "day",
		"?day=yesterday":       "day",
		"?after=nope":          "after",
		"?after=20200101-1":    "after", // a ticket of another day than the listing's
		"?service_id=svc_nope": "service_id",
		"?day=2020-01-01&after=" + all[0].Ticket.ID: "after",
	} {
		apiWantFields(t, s.Do(http.MethodGet, "/api/v1/tickets"+q, s.Admin, nil), field)
	}
	if got := list(s.Admin, "?limit=10000"); len(got.Tickets) != 6 {
		t.Errorf("limit 10000 is allowed: %d tickets", len(got.Tickets))
	}
}

// GET /api/v1/kiosk tells a kiosk screen whose services to offer: a
// supervisor, officer or greeter of an agency gets that agency, the
// mall's information-desk greeter and devices every agency.
func TestKioskSelfAgency(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	for who, want := range map[string]string{
		"officerA": m.AgencyA.ID, "supervisorB": m.AgencyB.ID, "greeterA": m.AgencyA.ID,
		"greeterB": m.AgencyB.ID, "greeter": "", "kiosk": "", "admin": "",
	} {
		var self struct {
			Kind     string `json:"kind"`
			AgencyID string `json:"agency_id"`
		}
		s.MustJSON(http.MethodGet, "/api/v1/kiosk", m.Tokens[who], nil, http.StatusOK, &self)
		if self.AgencyID != want {
			t.Errorf("%s (%s): agency_id %q, want %q", who, self.Kind, self.AgencyID, want)
		}
	}
}
