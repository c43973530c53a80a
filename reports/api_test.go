package reports_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
)

// apiWorld is a running server with a day of work done through the API
// (2026-11-25) and today (2026-11-26) begun.
type apiWorld struct {
	s *apptest.Server
	m *apptest.Mall
	// odd is a service whose name a spreadsheet would take for a formula.
	odd queue.Service
}

const (
	apiDay   = "2026-11-25"
	apiToday = "2026-11-26"
)

func newAPIWorld(t *testing.T) *apiWorld {
	t.Helper()
	jkt, _ := time.LoadLocation("Asia/Jakarta")
	s := apptest.Start(t, apptest.Options{Start: time.Date(2026, 11, 25, 8, 0, 0, 0, jkt)})
	m := s.SetupMall()
	w := &apiWorld{s: s, m: m}
	s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyB.ID, "code": "Q", "name": "=HYPERLINK(\"http://example.com\")"}, http.StatusCreated, &w.odd)
	s.MustJSON(http.MethodPut, "/api/v1/counters/"+m.CounterB.ID, s.Admin, map[string]any{"agency_id": m.AgencyB.ID, "name": m.CounterB.Name, "service_ids": []string{m.ServiceB1.ID, w.odd.ID}}, http.StatusOK, nil)
	act := func(who, counter, action string, body any, want int) {
		t.Helper()
		s.Clock.Add(2 * time.Minute)
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+counter+"/"+action, m.Tokens[who], body, want, nil)
	}
	issue := func(svc string) apptest.IssueAnswer {
		s.Clock.Add(time.Minute)
		return s.Issue(m, svc, false)
	}
	// Agency A: five tickets in A1 and A2 at Loket 1.
	issue(m.ServiceA1.ID)
	issue(m.ServiceA1.ID)
	issue(m.ServiceA2.ID)
	gone := issue(m.ServiceA2.ID)
	issue(m.ServiceA1.ID)
	s.Clock.Add(time.Minute)
	s.MustJSON(http.MethodDelete, "/api/v1/tickets/"+gone.Ticket.ID+"?k="+gone.Key(), "", nil, http.StatusNoContent, nil)
	act("officerA", m.CounterA.ID, "open", nil, http.StatusOK)
	act("officerA", m.CounterA.ID, "next", nil, http.StatusOK)    // A001
	act("officerA", m.CounterA.ID, "next", nil, http.StatusOK)    // A001 done; A002
	act("officerA", m.CounterA.ID, "no-show", nil, http.StatusOK) // A002 no-show
	act("officerA", m.CounterA.ID, "next", nil, http.StatusOK)    // B001
	act("officerA", m.CounterA.ID, "transfer", map[string]string{"service_id": m.ServiceB1.ID}, http.StatusOK)
	// A003 (in A1) stays waiting and expires.
	// Agency B: the transferred ticket and three of its own, all served;
	// after a long first service, the last three wait over their target
	// (15 min).
	issue(m.ServiceB1.ID)
	issue(w.odd.ID)
	issue(m.ServiceB1.ID)
	act("officerB", m.CounterB.ID, "open", nil, http.StatusOK)
	act("officerB", m.CounterB.ID, "next", nil, http.StatusOK) // B001
	s.Clock.Add(15 * time.Minute)
	act("officerB", m.CounterB.ID, "next", nil, http.StatusOK) // K001
	act("officerB", m.CounterB.ID, "next", nil, http.StatusOK) // Q001
	act("officerB", m.CounterB.ID, "next", nil, http.StatusOK) // K002
	act("officerB", m.CounterB.ID, "done", nil, http.StatusOK)
	// Today: the first ticket rolls the day. Yesterday's logins have
	// ended (12 h); sign in again.
	s.Clock.Set(time.Date(2026, 11, 26, 9, 0, 0, 0, jkt))
	issue(m.ServiceA1.ID)
	s.Admin = s.Login("admin", apptest.AdminPassword)
	m.Tokens["admin"] = s.Admin
	for who, u := range m.Users {
		m.Tokens[who] = s.Login(u.Username, apptest.StaffPassword)
	}
	return w
}

// summary asks for a report as who and decodes it.
func (w *apiWorld) summary(t *testing.T, who, query string) []reports.Row {
	t.Helper()
	var out struct{ Rows []reports.Row }
	w.s.MustJSON(http.MethodGet, "/api/v1/reports/summary?"+query, w.m.Tokens[who], nil, http.StatusOK, &out)
	if out.Rows == nil {
		t.Fatalf("%s: rows is not a list", query)
	}
	return out.Rows
}

func keys(rows []reports.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Key)
	}
	return out
}

func labels(rows []reports.Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Label)
	}
	return out
}

// TestSummaryAPIGroupings: each group_by over yesterday (from its stored
// summary) and today (live), with keys, labels, order and figures as the
// day's work made them.
func TestSummaryAPIGroupings(t *testing.T) {
	w := newAPIWorld(t)
	m := w.m
	both := "from=" + apiDay + "&to=" + apiToday
	uA, uB := m.Users["officerA"], m.Users["officerB"]
	cases := []struct {
		group          string
		keys, labels   []string
		issued, served []int64
	}{
		{"agency", []string{m.AgencyA.ID, m.AgencyB.ID}, []string{"Dukcapil", "Polres"}, []int64{6, 4}, []int64{1, 4}},
		{"service", []string{m.ServiceA1.ID, m.ServiceA2.ID, m.ServiceB1.ID, w.odd.ID}, []string{"Perekaman KTP-el", "Kartu Keluarga", "SKCK", w.odd.Name},
			[]int64{4, 2, 3, 1}, []int64{1, 0, 3, 1}},
		{"counter", []string{m.CounterA.ID, m.CounterB.ID, ""}, []string{"Loket 1", "Loket 7", "Tidak dipanggil"}, []int64{3, 4, 3}, []int64{1, 4, 0}},
		{"officer", []string{uA.ID, uB.ID, ""}, []string{uA.Username, uB.Username, "Tidak dipanggil"}, []int64{3, 4, 3}, []int64{1, 4, 0}},
		{"hour", []string{"08", "09"}, []string{"08.00–09.00", "09.00–10.00"}, []int64{8, 1}, []int64{5, 0}},
		{"day", []string{apiDay, apiToday}, []string{apiDay, apiToday}, []int64{8, 1}, []int64{5, 0}},
	}
	for _, c := range cases {
		rows := w.summary(t, "admin", both+"&group_by="+c.group)
		var issued, served []int64
		for _, r := range rows {
			issued, served = append(issued, r.Issued), append(served, r.Served)
		}
		if !slices.Equal(keys(rows), c.keys) || !slices.Equal(labels(rows), c.labels) || !slices.Equal(issued, c.issued) || !slices.Equal(served, c.served) {
			t.Errorf("group_by=%s: keys %q labels %q issued %v served %v\nwant keys %q labels %q issued %v served %v",
				c.group, keys(rows), labels(rows), issued, served, c.keys, c.labels, c.issued, c.served)
		}
	}

	// Agency A's figures of yesterday: A001 served, A002 a no-show, B001
	// transferred after a call, B002 cancelled, A003 never called; all
	// waits within 15 minutes.
	rows := w.summary(t, "admin", "from="+apiDay+"&to="+apiDay+"&group_by=agency")
	a := rows[0]
	if a.Issued != 5 || a.Served != 1 || a.NoShow != 1 || a.Cancelled != 1 || a.NoShowPct == nil || *a.NoShowPct != 500 ||
		a.AvgWaitS == nil || a.P90WaitS == nil || a.AvgServiceS == nil || a.WithinTargetPct == nil || *a.WithinTargetPct != 1000 {
		t.Errorf("agency A yesterday: %+v", a)
	}
	// Today: one ticket waiting, nothing else to count (nulls).
	rows = w.summary(t, "admin", "from="+apiToday+"&to="+apiToday+"&group_by=service")
	if len(rows) != 1 || rows[0].Issued != 1 || rows[0].AvgWaitS != nil || rows[0].P90WaitS != nil || rows[0].NoShowPct != nil || rows[0].WithinTargetPct != nil || rows[0].AvgServiceS != nil {
		t.Errorf("today: %+v", rows)
	}
	// Null figures are JSON null, percentages have their decimal.
	r := w.s.Do(http.MethodGet, "/api/v1/reports/summary?"+both+"&group_by=agency", w.s.Admin, nil)
	for _, want := range []string{`"no_show_pct":50.0`, `"within_target_pct":100.0`, `"within_target_pct":25.0`} {
		if !bytes.Contains(r.Body, []byte(want)) {
			t.Errorf("answer %s lacks %s", r.Body, want)
		}
	}
	r = w.s.Do(http.MethodGet, "/api/v1/reports/summary?from="+apiToday+"&to="+apiToday+"&group_by=day", w.s.Admin, nil)
	if !bytes.Contains(r.Body, []byte(`"avg_wait_s":null`)) {
		t.Errorf("today's answer %s: want avg_wait_s null", r.Body)
	}
	// A range with no tickets has no rows; the summary of yesterday was
	// stored when the day rolled or at the first report.
	if rows := w.summary(t, "admin", "from=2026-01-01&to=2026-01-31&group_by=day"); len(rows) != 0 {
		t.Errorf("an empty range: %+v", rows)
	}
	if _, missing := reportDays(t, w.s.App.DB); len(missing) != 1 || missing[0] != apiToday {
		t.Errorf("days without summary: %v, want only today", missing)
	}
	// English asks for English names where there are some.
	r = w.s.Do(http.MethodGet, "/api/v1/reports/summary?"+both+"&group_by=counter", w.s.Admin, nil, "Accept-Language", "en")
	if !bytes.Contains(r.Body, []byte(`"label":"Not called"`)) {
		t.Errorf("in English: %s", r.Body)
	}
}

func reportDays(t *testing.T, db interface {
	ReportDays(from, to string, fn func(day string, rec []byte) error) ([]string, error)
}) ([]string, []string) {
	t.Helper()
	var have []string
	missing, err := db.ReportDays("", "", func(day string, _ []byte) error { have = append(have, day); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return have, missing
}

// TestSummaryAPIWho: admins see any agency or all; a supervisor sees their
// own agency, named or not, and gets 403 for another; everyone else 401
// or 403.
func TestSummaryAPIWho(t *testing.T) {
	w := newAPIWorld(t)
	m := w.m
	q := "from=" + apiDay + "&to=" + apiToday + "&group_by=service"
	ownA := w.summary(t, "admin", q+"&agency_id="+m.AgencyA.ID)
	if !slices.Equal(keys(ownA), []string{m.ServiceA1.ID, m.ServiceA2.ID}) {
		t.Errorf("admin, agency A: %q", keys(ownA))
	}
	for _, query := range []string{q, q + "&agency_id=" + m.AgencyA.ID} {
		if got := w.summary(t, "supervisorA", query); !slices.EqualFunc(got, ownA, rowEqual) {
			t.Errorf("supervisor A, %s: %q, want agency A's %q", query, keys(got), keys(ownA))
		}
	}
	if got := w.summary(t, "supervisorB", q); !slices.Equal(keys(got), []string{m.ServiceB1.ID, w.odd.ID}) {
		t.Errorf("supervisor B: %q", keys(got))
	}
	if got := w.summary(t, "admin", q); len(got) != 4 {
		t.Errorf("admin, all agencies: %q", keys(got))
	}
	for _, c := range []struct {
		who, query string
		status     int
		code       string
	}{
		{"supervisorA", q + "&agency_id=" + m.AgencyB.ID, http.StatusForbidden, queue.EForbidden},
		{"supervisorB", q + "&agency_id=" + m.AgencyA.ID, http.StatusForbidden, queue.EForbidden},
		{"supervisorA", "group_by=nope&agency_id=" + m.AgencyB.ID, http.StatusForbidden, queue.EForbidden},
		{"officerA", q, http.StatusForbidden, queue.EForbidden},
		{"greeter", q, http.StatusForbidden, queue.EForbidden},
		{"kiosk", q, http.StatusForbidden, queue.EForbidden},
		{"display", q, http.StatusForbidden, queue.EForbidden},
		{"anonymous", q, http.StatusUnauthorized, queue.EUnauthenticated},
		{"admin", q + "&agency_id=agn_none", http.StatusBadRequest, queue.EInvalid},
	} {
		r := w.s.Do(http.MethodGet, "/api/v1/reports/summary?"+c.query, m.Tokens[c.who], nil)
		if r.Status != c.status || r.ErrorCode() != c.code {
			t.Errorf("%s, %s: %d %s, want %d %s", c.who, c.query, r.Status, r.Body, c.status, c.code)
		}
	}
}

// TestSummaryAPIBadInput: malformed or missing dates, to before from, a
// range over 366 days, an unknown group_by or format: 400 invalid_input
// naming the fields.
func TestSummaryAPIBadInput(t *testing.T) {
	w := newAPIWorld(t)
	for _, c := range []struct {
		query  string
		fields []string
	}{
		{"to=2026-11-26&group_by=day", []string{"from"}},
		{"from=2026-11-26&group_by=day", []string{"to"}},
		{"from=2026-02-30&to=2026-03-01&group_by=day", []string{"from"}},
		{"from=2026-1-05&to=2026-03-01&group_by=day", []string{"from"}},
		{"from=26-11-2026&to=2026-13-01&group_by=day", []string{"from", "to"}},
		{"from=2026-11-26T00:00:00Z&to=2026-11-26&group_by=day", []string{"from"}},
		{"from=2026-11-26&to=2026-11-25&group_by=day", []string{"to"}},
		{"from=2025-01-01&to=2026-01-02&group_by=day", []string{"to"}}, // 367 days
		{"from=2026-11-26&to=2026-11-26", []string{"group_by"}},
		{"from=2026-11-26&to=2026-11-26&group_by=week", []string{"group_by"}},
		{"from=2026-11-26&to=2026-11-26&group_by=day&format=xlsx", []string{"format"}},
		{"", []string{"from", "group_by", "to"}},
	} {
		r := w.s.Do(http.MethodGet, "/api/v1/reports/summary?"+c.query, w.s.Admin, nil)
		var e struct {
			Error struct {
				Code   string
				Fields map[string]string
			}
		}
		_ = json.Unmarshal(r.Body, &e)
		var fields []string
		for f := range e.Error.Fields {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		if r.Status != http.StatusBadRequest || e.Error.Code != queue.EInvalid || !slices.Equal(fields, c.fields) {
			t.Errorf("%q: %d %s, want 400 invalid_input on %v", c.query, r.Status, r.Body, c.fields)
		}
	}
	// The longest range: 366 days, both included (2024 is a leap year).
	w.summary(t, "admin", "from=2024-01-01&to=2024-12-31&group_by=day")
	w.summary(t, "admin", "from=2025-11-26&to=2026-11-26&group_by=day")
}

// TestSummaryAPICSV: format=csv is a download a spreadsheet set to
// Indonesian opens as it is: BOM, ";" between fields, decimal commas,
// the JSON's rows and figures, and no text read as a formula.
func TestSummaryAPICSV(t *testing.T) {
	w := newAPIWorld(t)
	q := "from=" + apiDay + "&to=" + apiToday + "&group_by=service"
	r := w.s.Do(http.MethodGet, "/api/v1/reports/summary?"+q+"&format=csv", w.s.Admin, nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("CSV: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="ringkasan-service-2026-11-25-2026-11-26.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	body, ok := bytes.CutPrefix(r.Body, []byte("\ufeff"))
	if !ok {
		t.Errorf("no UTF-8 byte order mark: %q", r.Body[:min(10, len(r.Body))])
	}
	if !bytes.Contains(body, []byte("\r\n")) {
		t.Error("lines do not end with CRLF")
	}
	cr := csv.NewReader(bytes.NewReader(body))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("reading the CSV with ';': %v\n%s", err, body)
	}
	want := []string{"key", "label", "issued", "served", "no_show", "no_show_pct", "cancelled", "avg_wait_s", "p90_wait_s", "avg_service_s", "within_target_pct"}
	if !slices.Equal(recs[0], want) {
		t.Errorf("header %q, want %q", recs[0], want)
	}
	rows := w.summary(t, "admin", q)
	if len(recs) != len(rows)+1 {
		t.Fatalf("%d CSV rows, %d JSON rows", len(recs)-1, len(rows))
	}
	dec := func(p *reports.Percent) string {
		if p == nil {
			return ""
		}
		return strings.Replace(p.String(), ".", ",", 1)
	}
	num := func(v *int64) string {
		if v == nil {
			return ""
		}
		return json.Number(strings.TrimSpace(string(mustJSON(*v)))).String()
	}
	sawComma := false
	for i, row := range rows {
		rec := recs[i+1]
		label := row.Label
		if strings.HasPrefix(label, "=") {
			label = "'" + label // neutralised
		}
		wantRec := []string{row.Key, label, mustText(row.Issued), mustText(row.Served), mustText(row.NoShow), dec(row.NoShowPct),
			mustText(row.Cancelled), num(row.AvgWaitS), num(row.P90WaitS), num(row.AvgServiceS), dec(row.WithinTargetPct)}
		if !slices.Equal(rec, wantRec) {
			t.Errorf("CSV row %d %q, want %q", i+1, rec, wantRec)
		}
		for _, cell := range []string{rec[5], rec[10]} {
			sawComma = sawComma || strings.Contains(cell, ",") && !strings.HasSuffix(cell, ",0")
		}
	}
	if !sawComma {
		t.Errorf("no percentage with a decimal comma and a non-zero decimal to check: %q", recs)
	}
	if !slices.ContainsFunc(recs, func(rec []string) bool { return rec[1] == "'"+w.odd.Name }) {
		t.Errorf("the formula-like service name is not neutralised: %q", recs)
	}
	// An empty cell is null; a supervisor's CSV is their agency's.
	r = w.s.Do(http.MethodGet, "/api/v1/reports/summary?"+q+"&format=csv", w.m.Tokens["supervisorB"], nil)
	if r.Status != http.StatusOK || bytes.Contains(r.Body, []byte(w.m.ServiceA1.ID)) {
		t.Errorf("supervisor B's CSV: %d %s", r.Status, r.Body)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func mustText(v int64) string { return string(mustJSON(v)) }

// TestCSVNeutralises: every text a spreadsheet would run as a formula
// gets an apostrophe; other texts stay as they are.
func TestCSVNeutralises(t *testing.T) {
	var rows []reports.Row
	texts := []string{"=1+1", "+62 812", "-Layanan", "@SUM(A1)", "\tTab", "Loket 1", "", "'quoted", "a=b"}
	for _, s := range texts {
		rows = append(rows, reports.Row{Key: s, Label: s})
	}
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(reports.CSV(rows), []byte("\ufeff"))))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range texts {
		want := s
		if i < 5 {
			want = "'" + s
		}
		if got := recs[i+1]; got[0] != want || got[1] != want {
			t.Errorf("%q written as %q, want %q", s, got[:2], want)
		}
	}
	// A carriage return first (the writer drops a lone CR with CRLF line
	// ends; the API refuses control characters in names anyway).
	if out := reports.CSV([]reports.Row{{Label: "\rCR"}}); !bytes.Contains(out, []byte(`;"'`)) {
		t.Errorf("a label starting with CR written as %q", out)
	}
}
