package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

type auditPage struct {
	Entries   []queue.AuditEntry `json:"entries"`
	NextAfter string             `json:"next_after"`
}

func actions(es []queue.AuditEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Action)
	}
	return strings.Join(out, " ")
}

// The audit log of API.md: sign-ins and failed ones with the address,
// staff actions once (a replay and a refusal add nothing), newest first,
// filtered by day, actor and action, paged with after; it goes on after a
// restart.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Asia/Makassar")
	clock := apptest.NewClock(time.Date(2026, 12, 31, 23, 58, 0, 0, loc))
	s := apptest.Start(t, apptest.Options{Clock: clock})
	m := s.SetupMall()
	site := s.App.Engine.State().Site
	site.Timezone = "Asia/Makassar"
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	officer := m.Users["officerA"]
	ctr := "/api/v1/counters/" + m.CounterA.ID

	// Day 1 (31 December, WITA): a failed sign-in of a user and of a name
	// that is none, a sign-in, and counter actions.
	if r := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": officer.Username, "password": "wrong-password"}); r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", r.Status)
	}
	s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "nobody\x07", "password": "wrong-password"})
	tok := s.Login(officer.Username, apptest.StaffPassword)
	s.MustJSON(http.MethodPost, ctr+"/open", tok, nil, http.StatusOK, nil)
	s.Issue(m, m.ServiceA1.ID, false)
	key := []string{"Idempotency-Key", "press-1"}
	for range 2 { // the second is a replay
		if r := s.Do(http.MethodPost, ctr+"/next", tok, nil, key...); r.Status != http.StatusOK {
			t.Fatalf("next: %d %s", r.Status, r.Body)
		}
	}
	if r := s.Do(http.MethodPost, ctr+"/start", tok, nil); r.Status != http.StatusOK {
		t.Fatalf("start: %d", r.Status)
	}
	if r := s.Do(http.MethodPost, ctr+"/no-show", tok, nil); r.Status != http.StatusConflict {
		t.Fatalf("no-show of a ticket being served: %d, want 409", r.Status)
	}
	// Day 2 (1 January): the admin takes a backup.
	clock.Set(time.Date(2027, 1, 1, 0, 5, 0, 0, loc))
	s.Do(http.MethodGet, "/api/v1/backup", s.Admin, nil)

	var day1 auditPage
	s.MustJSON(http.MethodGet, "/api/v1/audit?from=2026-12-31&to=2026-12-31&actor_id="+officer.ID, s.Admin, nil, http.StatusOK, &day1)
	if got, want := actions(day1.Entries), "counter.start counter.next counter.open login login.failed login"; got != want { // the last: SetupMall's
		t.Errorf("the officer's entries of 31 December, newest first: %q, want %q", got, want)
	}
	for _, e := range day1.Entries {
		if e.Actor.Kind != "user" || e.Actor.Name != officer.Username || e.Address != "127.0.0.1" || e.At.In(loc).Day() != 31 {
			t.Errorf("entry %+v: want the officer, from 127.0.0.1, on the 31st", e)
		}
	}
	if e := day1.Entries[1]; e.Target.Kind != "counter" || e.Target.ID != m.CounterA.ID {
		t.Errorf("next's target %+v, want the counter", e.Target)
	}
	var failed auditPage
	s.MustJSON(http.MethodGet, "/api/v1/audit?action=login.failed", s.Admin, nil, http.StatusOK, &failed)
	if len(failed.Entries) != 2 || failed.Entries[0].Actor.Name != "nobody" || failed.Entries[0].Actor.ID != "" || failed.Entries[1].Actor.ID != officer.ID {
		t.Errorf("failed sign-ins: %+v, want the unknown name (printable only, no ID) and the officer", failed.Entries)
	}
	var day2 auditPage
	s.MustJSON(http.MethodGet, "/api/v1/audit?from=2027-01-01", s.Admin, nil, http.StatusOK, &day2)
	if actions(day2.Entries) != "backup" {
		t.Errorf("entries of 1 January: %q, want the backup", actions(day2.Entries))
	}

	// Paging: two at a time reaches every entry once, newest first.
	var all []queue.AuditEntry
	after := ""
	for range 100 {
		var p auditPage
		s.MustJSON(http.MethodGet, "/api/v1/audit?limit=2&after="+after, s.Admin, nil, http.StatusOK, &p)
		all = append(all, p.Entries...)
		if p.NextAfter == "" {
			break
		}
		after = p.NextAfter
	}
	for i := 1; i < len(all); i++ {
		a, _ := strconv.Atoi(all[i-1].ID)
		b, _ := strconv.Atoi(all[i].ID)
		if b >= a {
			t.Fatalf("page order broken at %d: %s after %s", i, all[i].ID, all[i-1].ID)
		}
	}
	var whole auditPage
	s.MustJSON(http.MethodGet, "/api/v1/audit?limit=1000", s.Admin, nil, http.StatusOK, &whole)
	if len(all) != len(whole.Entries) {
		t.Errorf("paging gave %d entries, one page %d", len(all), len(whole.Entries))
	}

	for _, q := range []string{"from=31-12-2026", "to=2026-13-01", "from=2027-01-02&to=2027-01-01", "after=x", "limit=0", "limit=1001"} {
		if r := s.Do(http.MethodGet, "/api/v1/audit?"+q, s.Admin, nil); r.Status != http.StatusBadRequest || r.ErrorCode() != queue.EInvalid {
			t.Errorf("?%s: %d %s, want 400 invalid_input", q, r.Status, r.ErrorCode())
		}
	}

	// After a restart the log goes on with new IDs.
	addr := strings.TrimPrefix(s.URL, "http://")
	s.Stop()
	s2 := apptest.Start(t, apptest.Options{Data: s.Data, Addr: addr, Clock: clock})
	var after2 auditPage
	s2.MustJSON(http.MethodGet, "/api/v1/audit?limit=1000", s2.Admin, nil, http.StatusOK, &after2)
	if len(after2.Entries) != len(whole.Entries)+1 || after2.Entries[0].Action != "login" || after2.Entries[1].ID != whole.Entries[0].ID {
		t.Errorf("after the restart: %d entries (newest %s), want the %d before and the admin's new sign-in on top", len(after2.Entries), after2.Entries[0].Action, len(whole.Entries))
	}
}
