package httpapi_test

// HTTP tests of API.md's "Conventions", "Live state and events" and
// "Operations" (health, backup), and of a restart: what a server holds
// when it comes back on the same data folder.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// --- conventions

func TestAPIConventions(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	kiosk := m.Tokens["kiosk"]

	t.Run("unknown path and wrong method", func(t *testing.T) {
		for _, p := range []string{"/api/v1/nope", "/api/v2/state", "/api/v1/tickets/x/y/z", "/api/", "/api/v1/agencies/x/services"} {
			apiWantError(t, s.Do(http.MethodGet, p, "", nil), http.StatusNotFound, queue.ENotFound)
			apiWantError(t, s.Do(http.MethodPost, p, s.Admin, `{}`), http.StatusNotFound, queue.ENotFound)
		}
		for _, c := range []struct{ method, path string }{
			{http.MethodPost, "/api/v1/site"},
			{http.MethodDelete, "/api/v1/site"},
			{http.MethodPatch, "/api/v1/agencies/" + m.AgencyA.ID},
			{http.MethodPut, "/api/v1/tickets"},
			{http.MethodGet, "/api/v1/login"},
			{http.MethodPost, "/api/v1/state"},
			{http.MethodDelete, "/api/v1/events"},
		} {
			r := s.Do(c.method, c.path, s.Admin, nil)
			apiWantError(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
			if r.Header.Get("Allow") == "" {
				t.Errorf("%s %s: 405 without Allow", c.method, c.path)
			}
		}
	})

	t.Run("security headers", func(t *testing.T) {
		// Answers of the API, errors included: nothing in them may run or
		// be framed, and none is kept in a cache.
		for _, r := range []*apptest.Response{
			s.Do(http.MethodGet, "/api/v1/state", kiosk, nil),
			s.Do(http.MethodPost, "/api/v1/tickets", kiosk, `{"service_id": "`+m.ServiceA1.ID+`"}`),
			s.Do(http.MethodGet, "/api/v1/nope", "", nil),
		} {
			for h, want := range map[string]string{
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
				"X-Content-Type-Options":  "nosniff",
				"Referrer-Policy":         "no-referrer",
				"Cache-Control":           "no-store",
			} {
				if got := r.Header.Values(h); len(got) != 1 || got[0] != want {
					t.Errorf("status %d: %s %q, want %q", r.Status, h, got, want)
				}
			}
		}
		// A screen gets the page policy: its own scripts, styles and images.
		r := s.Do(http.MethodGet, "/", "", nil)
		if csp := r.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET /: headers %v", r.Header)
		}
	})

	t.Run("body too large", func(t *testing.T) {
		big := `{"service_id": "` + strings.Repeat("x", 70<<10) + `"}`
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", kiosk, big), http.StatusRequestEntityTooLarge, "too_large")
		// Without a Content-Length (chunked), found while reading.
		r := apiRaw(t, s, http.MethodPost, "/api/v1/tickets", io.MultiReader(strings.NewReader(big)), map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + kiosk})
		apiWantError(t, r, http.StatusRequestEntityTooLarge, "too_large")
		apiWantError(t, s.Do(http.MethodPut, "/api/v1/site", s.Admin, big), http.StatusRequestEntityTooLarge, "too_large")
		// Just under the limit is read (and refused for what it says).
		ok := `{"service_id": "` + strings.Repeat("x", 60<<10) + `"}`
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", kiosk, ok), http.StatusNotFound, queue.ENotFound)
	})

	t.Run("not JSON", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/jsonx"} {
			r := apiRaw(t, s, http.MethodPost, "/api/v1/tickets", strings.NewReader(`{"service_id":"`+m.ServiceA1.ID+`"}`), map[string]string{"Content-Type": ct, "Authorization": "Bearer " + kiosk})
			apiWantError(t, r, http.StatusUnsupportedMediaType, "unsupported_media_type")
		}
		apiWantStatus(t, s.Do(http.MethodPost, "/api/v1/tickets", kiosk, `{"service_id":"`+m.ServiceA1.ID+`"}`, "Content-Type", "application/json; charset=utf-8"), http.StatusCreated)
	})

	t.Run("strict decoding", func(t *testing.T) {
		for body, field := range map[string]string{
			`{"service_id": "x", "nama": "Budi"}`: "nama",
			`{"service_id": "x"} {"a": 1}`:        "body",
			`{"service_id": "x"} trailing`:        "body",
			`{"service_id": `:                     "body",
			`{service_id: "x"}`:                   "body",
			`nonsense`:                            "body",
			`[1, 2]`:                              "body",
			`"just a string"`:                     "body",
			`{"service_id": ["x"]}`:               "service_id",
			`{"priority": 3}`:                     "priority",
			``:                                    "body",
		} {
			r := s.Do(http.MethodPost, "/api/v1/tickets", kiosk, body)
			apiWantFields(t, r, field)
		}
		apiWantFields(t, s.Do(http.MethodPut, "/api/v1/site", s.Admin, `{"name": "x", "timezon": "Asia/Jakarta"}`), "timezon")
		apiWantFields(t, s.Do(http.MethodPost, "/api/v1/login", "", `{"username": "admin", "password": "x", "remember": true}`), "remember")
	})

	t.Run("language", func(t *testing.T) {
		r := s.Do(http.MethodGet, "/api/v1/nope", "", nil)
		if e := apiWantError(t, r, http.StatusNotFound, queue.ENotFound); e.Error.Message != "Tidak ditemukan." {
			t.Errorf("default message %q, want Indonesian", e.Error.Message)
		}
		for lang, want := range map[string]string{
			"en":                      "Not found.",
			"en-US,en;q=0.9":          "Not found.",
			"id":                      "Tidak ditemukan.",
			"id-ID,id;q=0.9,en;q=0.8": "Tidak ditemukan.",
			"fr":                      "Tidak ditemukan.",
		} {
			r := s.Do(http.MethodGet, "/api/v1/nope", "", nil, "Accept-Language", lang)
			if e := apiWantError(t, r, http.StatusNotFound, queue.ENotFound); e.Error.Message != want {
				t.Errorf("Accept-Language %q: %q, want %q", lang, e.Error.Message, want)
			}
		}
		r = s.Do(http.MethodPost, "/api/v1/tickets", kiosk, map[string]any{}, "Accept-Language", "en")
		if e := apiWantError(t, r, http.StatusBadRequest, queue.EInvalid); e.Error.Message != "Some fields are not valid." {
			t.Errorf("English invalid_input: %q", e.Error.Message)
		}
	})

	t.Run("security headers", func(t *testing.T) {
		for _, r := range []*apptest.Response{
			s.Do(http.MethodGet, "/api/v1/state", "", nil),
			s.Do(http.MethodGet, "/api/v1/nope", "", nil),
			s.Do(http.MethodPost, "/api/v1/tickets", "", nil),
			s.Do(http.MethodGet, "/healthz", "", nil),
			s.Do(http.MethodGet, "/", "", nil),
		} {
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("status %d answer without the security headers: %v", r.Status, r.Header)
			}
		}
	})
}

// --- live state and events

func TestAPIStateAndEvents(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	apiActOK(t, s, off, m.CounterA.ID, "open", nil)
	a1 := s.Issue(m, m.ServiceA1.ID, false)
	a2 := s.Issue(m, m.ServiceA1.ID, false)
	k1 := s.Issue(m, m.ServiceB1.ID, true)
	apiActOK(t, s, off, m.CounterA.ID, "next", nil)
	apiActOK(t, s, off, m.CounterA.ID, "recall", nil)

	t.Run("state", func(t *testing.T) {
		r := s.Do(http.MethodGet, "/api/v1/state", "", nil)
		apiWantStatus(t, r, http.StatusOK)
		for _, a := range []apptest.IssueAnswer{a1, a2, k1} {
			if bytes.Contains(r.Body, []byte(a.Key())) {
				t.Fatalf("the state shows a ticket key: %s", r.Body)
			}
		}
		if bytes.Contains(r.Body, []byte(`"key"`)) || bytes.Contains(r.Body, []byte(a1.Ticket.ID)) {
			t.Errorf("the state shows keys or ticket IDs: %s", r.Body)
		}
		var st struct {
			Seq      uint64 `json:"seq"`
			Day      string `json:"day"`
			Services []struct {
				ID, Code, Name string
				AgencyID       string `json:"agency_id"`
				Waiting        int    `json:"waiting"`
				EtaMin         *int   `json:"eta_min"`
				OpenCounters   int    `json:"open_counters"`
			} `json:"services"`
			Counters []struct {
				ID, Name, Status string
				AgencyID         string `json:"agency_id"`
				Current          *struct {
					Number   string     `json:"number"`
					Status   string     `json:"status"`
					CalledAt *time.Time `json:"called_at"`
				} `json:"current"`
			} `json:"counters"`
			RecentCalls []struct {
				Number      string    `json:"number"`
				CounterName string    `json:"counter_name"`
				CalledAt    time.Time `json:"called_at"`
			} `json:"recent_calls"`
		}
		r.JSON(t, &st)
		if st.Seq == 0 || st.Day != a1.Ticket.Day || len(st.Services) != 3 || len(st.Counters) != 2 {
			t.Fatalf("state: %s", r.Body)
		}
		for _, sv := range st.Services {
			switch sv.Code {
			case "A":
				if sv.ID != m.ServiceA1.ID || sv.Name != "Perekaman KTP-el" || sv.AgencyID != m.AgencyA.ID || sv.Waiting != 1 || sv.OpenCounters != 1 || sv.EtaMin == nil {
					t.Errorf("service A: %+v", sv)
				}
			case "K":
				if sv.Waiting != 1 || sv.OpenCounters != 0 || sv.EtaMin != nil {
					t.Errorf("service K (no counter open: eta_min null): %+v", sv)
				}
			}
		}
		for _, c := range st.Counters {
			switch c.ID {
			case m.CounterA.ID:
				if c.Status != "open" || c.Name != "Loket 1" || c.Current == nil || c.Current.Number != "A001" || c.Current.Status != "called" || c.Current.CalledAt == nil {
					t.Errorf("counter A: %+v %+v", c, c.Current)
				}
			case m.CounterB.ID:
				if c.Status != "closed" || c.Current != nil {
					t.Errorf("counter B: %+v", c)
				}
			}
		}
		if len(st.RecentCalls) != 1 || st.RecentCalls[0].Number != "A001" || st.RecentCalls[0].CounterName != "Loket 1" || st.RecentCalls[0].CalledAt.IsZero() {
			t.Errorf("recent_calls: %+v", st.RecentCalls)
		}
		// The board is public: no sign-in needed, and a device may read it.
		apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/state", m.Tokens["display"], nil), http.StatusOK)
	})

	t.Run("events", func(t *testing.T) {
		type page struct {
			Events    []queue.Event `json:"events"`
			NextAfter uint64        `json:"next_after"`
		}
		var all page
		r := s.Do(http.MethodGet, "/api/v1/events", s.Admin, nil)
		apiWantStatus(t, r, http.StatusOK)
		r.JSON(t, &all)
		for i, ev := range all.Events {
			if ev.Seq != uint64(i+1) {
				t.Fatalf("event %d has seq %d: seq starts at 1 without gaps", i, ev.Seq)
			}
			if ev.Type == "" || ev.At.IsZero() || len(ev.Data) == 0 {
				t.Fatalf("event %+v", ev)
			}
		}
		n := uint64(len(all.Events))
		var st struct{ Seq uint64 }
		s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &st)
		if n == 0 || all.NextAfter != n || st.Seq != n {
			t.Fatalf("%d events, next_after %d, state seq %d", n, all.NextAfter, st.Seq)
		}
		for _, a := range []apptest.IssueAnswer{a1, a2, k1} {
			if bytes.Contains(r.Body, []byte(a.Key())) {
				t.Fatalf("an event shows a ticket key")
			}
		}
		types := map[string]int{}
		for _, ev := range all.Events {
			types[ev.Type]++
		}
		for typ, want := range map[string]int{"day.started": 1, "ticket.issued": 3, "ticket.called": 1, "ticket.recalled": 1, "counter.opened": 1} {
			if types[typ] != want {
				t.Errorf("%d %s events, want %d (all: %v)", types[typ], typ, want, types)
			}
		}
		if all.Events[0].Type != "day.started" {
			t.Errorf("the first event is %s", all.Events[0].Type)
		}

		// The call's announcement.
		for _, ev := range all.Events {
			if ev.Type != "ticket.called" && ev.Type != "ticket.recalled" {
				continue
			}
			var d struct {
				Ticket       map[string]any `json:"ticket"`
				Counter      *struct{ ID, Name string }
				Service      *struct{ ID, Code, Name string }
				Agency       *struct{ ID, Name string }
				Announcement *struct {
					ID, EN  string
					ShortID string `json:"short_id"`
					ShortEN string `json:"short_en"`
				}
			}
			if err := json.Unmarshal(ev.Data, &d); err != nil {
				t.Fatal(err)
			}
			if d.Announcement == nil || d.Announcement.ID != "Nomor antrean A satu, silakan menuju loket satu." || !strings.Contains(d.Announcement.EN, "A1") ||
				d.Announcement.ShortID != "A satu, loket satu." || d.Announcement.ShortEN != "A1, counter one." {
				t.Errorf("%s announcement: %s", ev.Type, ev.Data)
			}
			if d.Ticket["number"] != "A001" || d.Ticket["id"] != a1.Ticket.ID || d.Counter == nil || d.Counter.ID != m.CounterA.ID || d.Counter.Name != "Loket 1" ||
				d.Service == nil || d.Service.Code != "A" || d.Agency == nil || d.Agency.ID != m.AgencyA.ID {
				t.Errorf("%s data: %s", ev.Type, ev.Data)
			}
		}

		// Paging with after and limit.
		var got []uint64
		after := uint64(0)
		for i := 0; i < 100; i++ {
			var p page
			s.MustJSON(http.MethodGet, "/api/v1/events?limit=7&after="+strconv.FormatUint(after, 10), s.Admin, nil, http.StatusOK, &p)
			if len(p.Events) > 7 {
				t.Fatalf("%d events with limit 7", len(p.Events))
			}
			if len(p.Events) == 0 {
				if p.NextAfter != after {
					t.Fatalf("an empty page's next_after %d, want after %d", p.NextAfter, after)
				}
				break
			}
			for _, ev := range p.Events {
				got = append(got, ev.Seq)
			}
			if p.NextAfter != p.Events[len(p.Events)-1].Seq {
				t.Fatalf("next_after %d is not the last seq", p.NextAfter)
			}
			after = p.NextAfter
		}
		if uint64(len(got)) != n || got[0] != 1 || got[len(got)-1] != n {
			t.Fatalf("paged seqs %v, want 1..%d", got, n)
		}
		var tail page
		s.MustJSON(http.MethodGet, "/api/v1/events?after="+strconv.FormatUint(n-2, 10), s.Admin, nil, http.StatusOK, &tail)
		if len(tail.Events) != 2 || tail.Events[0].Seq != n-1 {
			t.Fatalf("after n-2: %+v", tail)
		}
		s.MustJSON(http.MethodGet, "/api/v1/events?after=999999", s.Admin, nil, http.StatusOK, &tail)
		if len(tail.Events) != 0 || tail.NextAfter != 999999 {
			t.Fatalf("after the end: %+v", tail)
		}

		for _, q := range []string{"?limit=10001", "?limit=0", "?limit=-1", "?after=-1", "?after=abc", "?after=1.5", "?after=%201"} {
			apiWantError(t, s.Do(http.MethodGet, "/api/v1/events"+q, s.Admin, nil), http.StatusBadRequest, queue.EInvalid)
		}
		s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, nil)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/events", m.Tokens["supervisorA"], nil), http.StatusForbidden, queue.EForbidden)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/events", m.Tokens["display"], nil), http.StatusForbidden, queue.EForbidden)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/events", "", nil), http.StatusUnauthorized, queue.EUnauthenticated)
	})
}

// --- operations

func TestAPIHealth(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	var h map[string]any
	s.MustJSON(http.MethodGet, "/healthz", "", nil, http.StatusOK, &h)
	if h["status"] != "ok" {
		t.Fatalf("/healthz: %v", h)
	}
	s.MustJSON(http.MethodGet, "/readyz", "", nil, http.StatusOK, nil)
}

func TestAPIBackup(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	apiActOK(t, s, m.Tokens["officerA"], m.CounterA.ID, "open", nil)
	a1 := s.Issue(m, m.ServiceA1.ID, false)
	a2 := s.Issue(m, m.ServiceA1.ID, true)
	apiActOK(t, s, m.Tokens["officerA"], m.CounterA.ID, "next", nil)

	apiWantError(t, s.Do(http.MethodGet, "/api/v1/backup", m.Tokens["supervisorA"], nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/backup", m.Tokens["kiosk"], nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/backup", "", nil), http.StatusUnauthorized, queue.EUnauthenticated)

	r := s.Do(http.MethodGet, "/api/v1/backup", s.Admin, nil)
	apiWantStatus(t, r, http.StatusOK)
	if len(r.Body) < 4096 || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("backup: %d bytes, %v", len(r.Body), r.Header)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "antrean.db"), r.Body, 0o600); err != nil {
		t.Fatal(err)
	}

	// The first server keeps serving while the copy starts as another.
	apiWantStatus(t, s.Do(http.MethodGet, "/readyz", "", nil), http.StatusOK)
	b := apptest.Start(t, apptest.Options{Data: dir})
	for _, p := range []string{"/api/v1/agencies", "/api/v1/services", "/api/v1/counters", "/api/v1/site"} {
		one, two := s.Do(http.MethodGet, p, "", nil), b.Do(http.MethodGet, p, "", nil)
		apiWantStatus(t, two, http.StatusOK)
		if !bytes.Equal(one.Body, two.Body) {
			t.Errorf("%s differs in the copy:\n%s\n%s", p, one.Body, two.Body)
		}
	}
	for _, a := range []apptest.IssueAnswer{a1, a2} {
		one := s.Do(http.MethodGet, apiVisitorPath(a, "", a.Key()), "", nil)
		two := b.Do(http.MethodGet, apiVisitorPath(a, "", a.Key()), "", nil)
		apiWantStatus(t, two, http.StatusOK)
		if !bytes.Equal(one.Body, two.Body) {
			t.Errorf("ticket %s differs in the copy:\n%s\n%s", a.Ticket.Number, one.Body, two.Body)
		}
	}
	var st1, st2 map[string]any
	s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &st1)
	b.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &st2)
	if st1["seq"] != st2["seq"] {
		t.Errorf("state seq %v in the copy, %v in the original", st2["seq"], st1["seq"])
	}
	// Staff signed in before the backup are signed in on the copy.
	apiWantStatus(t, b.Do(http.MethodGet, "/api/v1/me", m.Tokens["officerA"], nil), http.StatusOK)
	// The two servers go their own ways.
	a3 := b.Issue(m, m.ServiceA1.ID, false)
	if a3.Ticket.Number != "A003" {
		t.Errorf("numbering in the copy continues: %s", a3.Ticket.Number)
	}
	apiWantError(t, s.Do(http.MethodGet, apiVisitorPath(a3, "", a3.Key()), "", nil), http.StatusNotFound, queue.ENotFound)
}

func TestAPIRestart(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Tokens["officerA"]
	apiActOK(t, s, off, m.CounterA.ID, "open", nil)
	a1 := s.Issue(m, m.ServiceA1.ID, false)
	s.Issue(m, m.ServiceA1.ID, false)
	apiActOK(t, s, off, m.CounterA.ID, "next", nil)
	var before struct{ Seq uint64 }
	s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &before)
	ended := s.Login("sup.b", apptest.StaffPassword)
	apiWantStatus(t, s.Do(http.MethodPost, "/api/v1/logout", ended, nil), http.StatusNoContent)

	s.Stop()
	s2 := apptest.Start(t, apptest.Options{Data: s.Data})

	// Tokens survive: staff and devices; an ended login stays ended.
	for who, tok := range m.Tokens {
		if who == "kiosk" || who == "display" {
			apiWantStatus(t, s2.Do(http.MethodGet, "/api/v1/state", tok, nil), http.StatusOK)
			continue
		}
		apiWantStatus(t, s2.Do(http.MethodGet, "/api/v1/me", tok, nil), http.StatusOK)
	}
	apiWantError(t, s2.Do(http.MethodGet, "/api/v1/me", ended, nil), http.StatusUnauthorized, queue.EUnauthenticated)

	// The counter and its current ticket are as they were.
	var c apiCounter
	s2.MustJSON(http.MethodGet, "/api/v1/counters/"+m.CounterA.ID, "", nil, http.StatusOK, &c)
	if c.Status != "open" || c.Current == nil || c.Current.ID != a1.Ticket.ID {
		t.Fatalf("counter after restart: %+v", c)
	}
	var st struct {
		Seq         uint64
		RecentCalls []map[string]any `json:"recent_calls"`
	}
	s2.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &st)
	if st.Seq < before.Seq || len(st.RecentCalls) != 1 {
		t.Fatalf("state after restart: seq %d (before %d), recent calls %v", st.Seq, before.Seq, st.RecentCalls)
	}

	// Numbering and seq continue.
	a3 := s2.Issue(m, m.ServiceA1.ID, false)
	if a3.Ticket.Number != "A003" {
		t.Fatalf("numbering after restart: %s", a3.Ticket.Number)
	}
	c = apiActOK(t, s2, off, m.CounterA.ID, "next", nil)
	if c.Current == nil || c.Current.Number != "A002" {
		t.Fatalf("the queue after restart: %+v", c.Current)
	}
	var evs struct{ Events []queue.Event }
	s2.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s2.Admin, nil, http.StatusOK, &evs)
	for i, ev := range evs.Events {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d after a restart: gap or repeat", i, ev.Seq)
		}
	}
	if n := uint64(len(evs.Events)); n <= before.Seq {
		t.Fatalf("%d events after restart, %d before", n, before.Seq)
	}
}

// TestAPISecondServerRefused: API.md's command line says a second process
// on the same data folder fails at once with a clear message.
func TestAPISecondServerRefused(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	start := time.Now()
	a, err := app.Open(app.Config{Data: s.Data, Addr: "127.0.0.1:0", AdminPassword: apptest.AdminPassword, BcryptCost: 4})
	if err == nil {
		a.Close()
		t.Fatal("a second server opened a data folder in use")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the second server took %v to give up", d)
	}
	if !strings.Contains(err.Error(), "in use") {
		t.Errorf("the message does not say the folder is in use: %v", err)
	}
	apiWantStatus(t, s.Do(http.MethodGet, "/readyz", "", nil), http.StatusOK)
}

// The root page names the mall and leads to every screen and to the API's
// description, without inline code (the page CSP allows none).
func TestStartPage(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	s.SetupMall()
	r := s.Do(http.MethodGet, "/", "", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	body := string(r.Body)
	for _, want := range []string{"MPP Uji", `href="/display"`, `href="/kiosk"`, `href="/counter"`, `href="/admin"`, `href="/api/v1/openapi.json"`, `rel="icon"`, "/static/staff.css?v="} {
		if !strings.Contains(body, want) {
			t.Errorf("the start page lacks %s", want)
		}
	}
	for _, inline := range []string{"<script", "<style", "style="} {
		if strings.Contains(body, inline) {
			t.Errorf("the start page has inline %s", inline)
		}
	}
}
