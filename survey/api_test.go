package survey_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/survey"
)

var jakarta = func() *time.Location {
	l, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		panic(err)
	}
	return l
}()

// world is a test mall with a fixed clock (Thursday 26 November 2026,
// 09:00 WIB) and counter A open.
type world struct {
	t *testing.T
	s *apptest.Server
	m *apptest.Mall
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Start: time.Date(2026, 11, 26, 9, 0, 0, 0, jakarta)})
	m := s.SetupMall()
	w := &world{t: t, s: s, m: m}
	w.act(m.CounterA.ID, "open")
	return w
}

func (w *world) act(counter, action string) {
	w.t.Helper()
	r := w.s.Do(http.MethodPost, "/api/v1/counters/"+counter+"/"+action, w.m.Tokens["officerA"], nil)
	if r.Status != http.StatusOK && r.Status != http.StatusNoContent {
		w.t.Fatalf("%s %s: %d %s", counter, action, r.Status, r.Body)
	}
}

// served is a ticket of service A1 that counter A called and finished.
func (w *world) served() apptest.IssueAnswer {
	w.t.Helper()
	a := w.s.Issue(w.m, w.m.ServiceA1.ID, false)
	w.s.Clock.Add(time.Minute)
	w.act(w.m.CounterA.ID, "next")
	w.s.Clock.Add(3 * time.Minute)
	w.act(w.m.CounterA.ID, "done")
	return a
}

func feedbackPath(a apptest.IssueAnswer, key string) string {
	return "/api/v1/tickets/" + a.Ticket.ID + "/feedback?k=" + key
}

func scores(vals ...int) []int {
	if len(vals) == 1 {
		return []int{vals[0], vals[0], vals[0], vals[0], vals[0], vals[0], vals[0], vals[0], vals[0]}
	}
	return vals
}

// surveyDevice registers a survey tablet at a counter and returns its
// token.
func (w *world) surveyDevice(counter string) string {
	w.t.Helper()
	var d struct {
		CounterID string `json:"counter_id"`
		Token     string
	}
	w.s.MustJSON(http.MethodPost, "/api/v1/devices", w.s.Admin, map[string]string{"kind": "survey", "name": "Tablet " + counter, "counter_id": counter}, http.StatusCreated, &d)
	if !strings.HasPrefix(d.Token, "survey_") || d.CounterID != counter {
		w.t.Fatalf("survey device: %+v", d)
	}
	return d.Token
}

func expect(t *testing.T, r *apptest.Response, status int, code string) {
	t.Helper()
	if r.Status != status || r.ErrorCode() != code {
		t.Errorf("%d %s, want %d %q", r.Status, r.Body, status, code)
	}
}

// TestFeedbackAPI: the visitor rates a done ticket once with its key; a
// wrong key is a missing ticket; refusals say why.
func TestFeedbackAPI(t *testing.T) {
	w := newWorld(t)
	s, m := w.s, w.m
	a := w.served()
	waiting := s.Issue(m, m.ServiceB1.ID, false) // counter B is closed
	body := map[string]any{"scores": scores(4, 3, 4, 4, 3, 4, 4, 2, 4), "profile": map[string]string{"gender": "L", "age_band": "20-29"}, "comment": "Petugas ramah."}

	// Wrong, missing or someone else's key: 404, as a missing ticket —
	// also for staff and device tokens, which are no key.
	for _, p := range []string{feedbackPath(a, "wrong"), "/api/v1/tickets/" + a.Ticket.ID + "/feedback", feedbackPath(a, waiting.Key()), "/api/v1/tickets/20261126-999/feedback?k=x"} {
		for _, tok := range []string{"", m.Tokens["officerA"], s.Admin, m.Tokens["kiosk"]} {
			expect(t, s.Do(http.MethodPost, p, tok, body), http.StatusNotFound, queue.ENotFound)
		}
	}
	// Not done yet.
	expect(t, s.Do(http.MethodPost, feedbackPath(waiting, waiting.Key()), "", body), http.StatusConflict, queue.EInvalidTransition)
	// Bad bodies.
	for _, b := range []any{
		map[string]any{"scores": scores(4)[:8]},
		map[string]any{"scores": scores(5)},
		map[string]any{"scores": scores(4), "profile": map[string]string{"gender": "X"}},
		map[string]any{"scores": scores(4), "profile": map[string]string{"religion": "x"}},
		map[string]any{"scores": scores(4), "comment": "dua\nbaris"},
		map[string]any{"scores": scores(4), "extra": true},
		`{"scores": [4,4,4,4,4,4,4,4,4]} {}`,
		`{"scores": [4,4,4,4,4,4,4,4,3.5]}`,
		`{"scores": "4"}`,
		`[]`,
		``,
	} {
		expect(t, s.Do(http.MethodPost, feedbackPath(a, a.Key()), "", b), http.StatusBadRequest, queue.EInvalid)
	}
	r := s.Do(http.MethodPost, feedbackPath(a, a.Key()), "", `{"scores":[4,4,4,4,4,4,4,4,4]}`, "Content-Type", "text/plain")
	if r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: %d %s", r.Status, r.Body)
	}
	// Rated, once.
	var got queue.Feedback
	r = s.MustJSON(http.MethodPost, feedbackPath(a, a.Key()), "", body, http.StatusCreated, &got)
	if got.TicketID != a.Ticket.ID || got.Comment != "Petugas ramah." || got.Profile == nil || got.Profile.Gender != "L" || got.Channel != queue.FeedbackVisitor {
		t.Errorf("answer %s", r.Body)
	}
	expect(t, s.Do(http.MethodPost, feedbackPath(a, a.Key()), "", body), http.StatusConflict, queue.EAlreadyRated)
	// The event log has it, with the answers and without the profile
	// or the comment.
	var evs struct{ Events []queue.Event }
	s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, &evs)
	last := evs.Events[len(evs.Events)-1]
	if last.Type != "feedback.received" || string(last.Data) != `{"ticket_id":"`+a.Ticket.ID+`","service_id":"`+m.ServiceA1.ID+`","agency_id":"`+m.ServiceA1.AgencyID+`","scores":[4,3,4,4,3,4,4,2,4]}` {
		t.Errorf("last event %s %s", last.Type, last.Data)
	}

	// Idempotent retries get the first answer; the visitor's page sends
	// a key per submission.
	b2 := w.served()
	key := []string{"Idempotency-Key", "rating-1"}
	r1 := s.Do(http.MethodPost, feedbackPath(b2, b2.Key()), "", body, key...)
	r2 := s.Do(http.MethodPost, feedbackPath(b2, b2.Key()), "", body, key...)
	if r1.Status != http.StatusCreated || r2.Status != http.StatusCreated || r2.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(r1.Body, r2.Body) {
		t.Errorf("retry with the same key: %d %s / %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
	}

	// The next day the survey of yesterday's ticket has closed.
	c := w.served()
	s.Clock.Set(time.Date(2026, 11, 27, 8, 0, 0, 0, jakarta))
	expect(t, s.Do(http.MethodPost, feedbackPath(c, c.Key()), "", body), http.StatusConflict, queue.ESurveyClosed)
}

// TestFeedbackDevice: a survey tablet rates its own counter's tickets,
// with its token instead of a key, within 5 minutes after done.
func TestFeedbackDevice(t *testing.T) {
	w := newWorld(t)
	s, m := w.s, w.m
	// Registering: a survey device needs its counter.
	r := s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": "survey", "name": "Tablet"})
	if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "counter_id") {
		t.Errorf("survey device without a counter: %d %s", r.Status, r.Body)
	}
	r = s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": "kiosk", "name": "Kios", "counter_id": m.CounterA.ID})
	if r.Status != http.StatusBadRequest {
		t.Errorf("kiosk with a counter: %d %s", r.Status, r.Body)
	}
	tabA, tabB := w.surveyDevice(m.CounterA.ID), w.surveyDevice(m.CounterB.ID)
	// PUT keeps it a survey device at a counter.
	var list struct{ Devices []queue.Device }
	s.MustJSON(http.MethodGet, "/api/v1/devices", s.Admin, nil, http.StatusOK, &list)
	var id string
	for _, d := range list.Devices {
		if d.Kind == queue.DeviceSurvey && d.CounterID == m.CounterB.ID {
			id = d.ID
		}
	}
	s.MustJSON(http.MethodPut, "/api/v1/devices/"+id, s.Admin, map[string]string{"kind": "survey", "name": "Tablet Loket 7", "counter_id": m.CounterB.ID}, http.StatusOK, nil)
	expect(t, s.Do(http.MethodDelete, "/api/v1/counters/"+m.CounterB.ID, s.Admin, nil), http.StatusConflict, queue.EInUse)

	// Nothing pending before the counter finished a ticket.
	var self struct {
		Name     string
		Counter  struct{ ID, Name string }
		Elements []struct {
			Element, Name string
			NameEN        string `json:"name_en"`
		}
		WindowS int `json:"window_s"`
		Pending *struct {
			TicketID  string `json:"ticket_id"`
			Number    string
			ClosesInS int `json:"closes_in_s"`
		}
	}
	s.MustJSON(http.MethodGet, "/api/v1/survey", tabA, nil, http.StatusOK, &self)
	if self.Counter.ID != m.CounterA.ID || self.Pending != nil || len(self.Elements) != 9 || self.Elements[0].NameEN != "Requirements" || self.WindowS != 300 {
		t.Errorf("tablet before a ticket: %+v", self)
	}
	for _, tok := range []string{m.Tokens["kiosk"], m.Tokens["display"], s.Admin, m.Tokens["officerA"]} {
		expect(t, s.Do(http.MethodGet, "/api/v1/survey", tok, nil), http.StatusForbidden, queue.EForbidden)
	}
	expect(t, s.Do(http.MethodGet, "/api/v1/survey", "", nil), http.StatusUnauthorized, queue.EUnauthenticated)

	a := w.served()
	s.Clock.Add(time.Minute)
	s.MustJSON(http.MethodGet, "/api/v1/survey", tabA, nil, http.StatusOK, &self)
	if self.Pending == nil || self.Pending.TicketID != a.Ticket.ID || self.Pending.ClosesInS != 240 {
		t.Errorf("tablet after done: %+v", self.Pending)
	}
	path := "/api/v1/tickets/" + a.Ticket.ID + "/feedback"
	expect(t, s.Do(http.MethodPost, path, tabB, map[string]any{"scores": scores(4)}), http.StatusForbidden, queue.EForbidden)
	expect(t, s.Do(http.MethodPost, path, tabA, map[string]any{"scores": scores(9)}), http.StatusBadRequest, queue.EInvalid)
	var got queue.Feedback
	s.MustJSON(http.MethodPost, path, tabA, map[string]any{"scores": scores(3)}, http.StatusCreated, &got)
	if got.Channel != queue.FeedbackDevice || got.CounterID != m.CounterA.ID {
		t.Errorf("tablet's response %+v", got)
	}
	expect(t, s.Do(http.MethodPost, path, tabA, map[string]any{"scores": scores(3)}), http.StatusConflict, queue.EAlreadyRated)
	expect(t, s.Do(http.MethodPost, feedbackPath(a, a.Key()), "", map[string]any{"scores": scores(3)}), http.StatusConflict, queue.EAlreadyRated)
	s.MustJSON(http.MethodGet, "/api/v1/survey", tabA, nil, http.StatusOK, &self)
	if self.Pending != nil {
		t.Errorf("a rated ticket is still pending: %+v", self.Pending)
	}

	// Five minutes after done, and not a second more.
	b := w.served()
	s.Clock.Add(5*time.Minute + time.Second)
	s.MustJSON(http.MethodGet, "/api/v1/survey", tabA, nil, http.StatusOK, &self)
	if self.Pending != nil {
		t.Errorf("pending after the window: %+v", self.Pending)
	}
	expect(t, s.Do(http.MethodPost, "/api/v1/tickets/"+b.Ticket.ID+"/feedback", tabA, map[string]any{"scores": scores(3)}), http.StatusConflict, queue.ESurveyClosed)
	// The visitor's own page still may.
	s.MustJSON(http.MethodPost, feedbackPath(b, b.Key()), "", map[string]any{"scores": scores(2)}, http.StatusCreated, nil)
	// A waiting ticket is not the tablet's.
	c := s.Issue(m, m.ServiceA1.ID, false)
	expect(t, s.Do(http.MethodPost, "/api/v1/tickets/"+c.Ticket.ID+"/feedback", tabA, map[string]any{"scores": scores(3)}), http.StatusForbidden, queue.EForbidden)

	// A survey device may do nothing else: public reads only.
	for _, try := range []struct{ method, path string }{
		{http.MethodPost, "/api/v1/tickets"}, {http.MethodGet, "/api/v1/tickets"}, {http.MethodGet, "/api/v1/kiosk"},
		{http.MethodGet, "/api/v1/reports/ikm"}, {http.MethodGet, "/api/v1/devices"}, {http.MethodPost, "/api/v1/counters/" + m.CounterA.ID + "/next"},
	} {
		expect(t, s.Do(try.method, try.path, tabA, map[string]string{"service_id": m.ServiceA1.ID}), http.StatusForbidden, queue.EForbidden)
	}
	s.MustJSON(http.MethodGet, "/api/v1/state", tabA, nil, http.StatusOK, nil)
}

// TestIKMReport: the report's figures in JSON, CSV and the workbook, and
// who may read which agency.
func TestIKMReport(t *testing.T) {
	w := newWorld(t)
	s, m := w.s, w.m
	// Two respondents of agency A's service A1 on the 26th (see the hand
	// computation in TestComputeWorkedExamples: 3.5 and 2.75 style),
	// one of agency B on the 27th.
	rate := func(a apptest.IssueAnswer, body map[string]any) {
		t.Helper()
		s.MustJSON(http.MethodPost, feedbackPath(a, a.Key()), "", body, http.StatusCreated, nil)
	}
	rate(w.served(), map[string]any{"scores": scores(4, 4, 3, 4, 3, 4, 4, 3, 4), "profile": map[string]string{"gender": "P", "education": "S1"}, "comment": "Ruang tunggu nyaman."})
	rate(w.served(), map[string]any{"scores": scores(3, 3, 3, 4, 3, 4, 4, 2, 3), "profile": map[string]string{"gender": "L"}})
	s.Clock.Set(time.Date(2026, 11, 27, 9, 0, 0, 0, jakarta))
	// Yesterday's logins have ended (12 h).
	for _, who := range []string{"officerA", "officerB", "supervisorA"} {
		m.Tokens[who] = s.Login(m.Users[who].Username, apptest.StaffPassword)
	}
	s.Admin = s.Login("admin", apptest.AdminPassword)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/open", m.Tokens["officerB"], nil, http.StatusOK, nil)
	bt := s.Issue(m, m.ServiceB1.ID, false)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/next", m.Tokens["officerB"], nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterB.ID+"/done", m.Tokens["officerB"], nil, http.StatusOK, nil)
	rate(bt, map[string]any{"scores": scores(1), "comment": "Antrean lama."})

	type report struct {
		Respondents int
		Elements    []struct {
			Element, Name string
			Average       *float64
			Grade         *string
		}
		IKMUnit     *float64 `json:"ikm_unit"`
		IKM         *float64
		Grade       *string
		Performance *string
		Profile     map[string]map[string]int
	}
	// Agency A, both days: R1 + R2 of the worked example.
	// Σ sums 34+28 = 62 over 2 respondents... per element (4+3)/2 etc:
	// NRR 3.5 3.5 3 4 3 4 4 2.5 3.5 → Σ 31 → 31/9 × 25 = 86.11: B.
	var rep report
	q := "/api/v1/reports/ikm?from=2026-11-26&to=2026-11-27&agency_id=" + m.AgencyA.ID
	s.MustJSON(http.MethodGet, q, s.Admin, nil, http.StatusOK, &rep)
	if rep.Respondents != 2 || rep.IKM == nil || *rep.IKM != 86.11 || *rep.Grade != "B" || *rep.Performance != "Baik" || *rep.IKMUnit != 3.444 {
		t.Errorf("agency A: %+v ikm %v", rep, rep.IKM)
	}
	if e := rep.Elements[7]; e.Element != "U8" || *e.Average != 2.5 || *e.Grade != "D" {
		t.Errorf("U8 %+v", e)
	}
	if rep.Profile["gender"]["P"] != 1 || rep.Profile["gender"]["L"] != 1 || rep.Profile["education"]["none"] != 1 || rep.Profile["occupation"]["none"] != 2 {
		t.Errorf("profile %v", rep.Profile)
	}
	// The supervisor of A reads the same by default; of B, gets 403.
	var sup report
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?from=2026-11-26&to=2026-11-27", m.Tokens["supervisorA"], nil, http.StatusOK, &sup)
	if sup.Respondents != 2 {
		t.Errorf("supervisor A by default: %d respondents", sup.Respondents)
	}
	expect(t, s.Do(http.MethodGet, "/api/v1/reports/ikm?agency_id="+m.AgencyB.ID, m.Tokens["supervisorA"], nil), http.StatusForbidden, queue.EForbidden)
	expect(t, s.Do(http.MethodGet, "/api/v1/reports/ikm?service_id="+m.ServiceB1.ID, m.Tokens["supervisorA"], nil), http.StatusForbidden, queue.EForbidden)
	expect(t, s.Do(http.MethodGet, "/api/v1/reports/ikm", m.Tokens["officerA"], nil), http.StatusForbidden, queue.EForbidden)
	// The admin over the whole mall; agency B alone: all 1s = 25.00 D.
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?from=2026-11-26&to=2026-11-27", s.Admin, nil, http.StatusOK, &rep)
	if rep.Respondents != 3 {
		t.Errorf("whole mall: %d respondents", rep.Respondents)
	}
	// The comments, newest first, with their day and service; no ticket.
	var withComments struct {
		Comments []struct {
			Day, Comment string
			ServiceID    string `json:"service_id"`
			At           time.Time
			TicketID     *string `json:"ticket_id"`
		}
		CommentsTotal int `json:"comments_total"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?from=2026-11-26&to=2026-11-27", s.Admin, nil, http.StatusOK, &withComments)
	if cs := withComments.Comments; withComments.CommentsTotal != 2 || len(cs) != 2 || cs[0].Comment != "Antrean lama." || cs[0].Day != "2026-11-27" ||
		cs[0].ServiceID != m.ServiceB1.ID || cs[1].Comment != "Ruang tunggu nyaman." || !cs[0].At.After(cs[1].At) || cs[0].TicketID != nil {
		t.Errorf("comments %+v", withComments)
	}
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?from=2026-11-27&to=2026-11-27&service_id="+m.ServiceB1.ID, s.Admin, nil, http.StatusOK, &rep)
	if rep.Respondents != 1 || *rep.IKM != 25 || *rep.Grade != "D" || *rep.Performance != "Tidak Baik" {
		t.Errorf("service B1: %+v", rep)
	}
	// A day without respondents: nulls; today by default.
	r := s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?from=2026-11-01&to=2026-11-25", s.Admin, nil, http.StatusOK, &rep)
	if rep.Respondents != 0 || rep.IKM != nil || rep.Grade != nil || !strings.Contains(string(r.Body), `"ikm":null`) {
		t.Errorf("no respondents: %s", r.Body)
	}
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm", s.Admin, nil, http.StatusOK, &rep)
	if rep.Respondents != 1 {
		t.Errorf("today (27th) by default: %d respondents", rep.Respondents)
	}

	// Dates and filters.
	for _, bad := range []string{"from=2026-11-27&to=2026-11-26", "from=26-11-2026", "to=2026-02-30", "from=2025-11-26&to=2026-11-27",
		"format=pdf", "agency_id=nope", "service_id=nope", "agency_id=" + m.AgencyB.ID + "&service_id=" + m.ServiceA1.ID} {
		expect(t, s.Do(http.MethodGet, "/api/v1/reports/ikm?"+bad, s.Admin, nil), http.StatusBadRequest, queue.EInvalid)
	}
	// 366 days inclusive is the longest range (2024 is a leap year).
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?from=2024-01-01&to=2024-12-31", s.Admin, nil, http.StatusOK, nil)
	expect(t, s.Do(http.MethodGet, "/api/v1/reports/ikm?from=2023-12-31&to=2024-12-31", s.Admin, nil), http.StatusBadRequest, queue.EInvalid)

	// CSV: a header row, the elements, the IKM row.
	r = s.Do(http.MethodGet, q+"&format=csv", s.Admin, nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(rows) != 11 {
		t.Fatalf("csv rows %d: %v\n%s", len(rows), err, r.Body)
	}
	if strings.Join(rows[0], ",") != "element,name,respondents,sum,average,weight,converted,grade,performance" ||
		strings.Join(rows[1], ",") != "U1,Persyaratan,2,7,3.500,0.111111,87.50,B,Baik" ||
		strings.Join(rows[10], ",") != "IKM,Indeks Kepuasan Masyarakat,2,,3.444,,86.11,B,Baik" {
		t.Errorf("csv:\n%s", r.Body)
	}

	// The workbook opens and holds the figures.
	r = s.Do(http.MethodGet, q+"&format=xlsx", m.Tokens["supervisorA"], nil)
	if r.Status != http.StatusOK || r.Header.Get("Content-Type") != survey.XLSXType || !strings.Contains(r.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	x, err := excelize.OpenReader(bytes.NewReader(r.Body))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), "|"); got != "Responden|NRR per Unsur|IKM|Saran" {
		t.Errorf("sheets %s", got)
	}
	cell := func(sheet, at string) string {
		t.Helper()
		v, err := x.GetCellValue(sheet, at)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ikm := map[string]string{}
	rowsIKM, _ := x.GetRows(survey.SheetIKM)
	for _, row := range rowsIKM {
		if len(row) >= 2 {
			ikm[row[0]] = row[1]
		}
	}
	if ikm["Jumlah responden"] != "2" || ikm["IKM konversi (25–100)"] != "86.11" || ikm["IKM (skala 1–4)"] != "3.444" || ikm["Mutu pelayanan"] != "B" || ikm["Kinerja unit pelayanan"] != "Baik" || ikm["Unit pelayanan"] != m.AgencyA.Name {
		t.Errorf("IKM sheet %v", ikm)
	}
	if cell(survey.SheetNRR, "A5") != "U1" || cell(survey.SheetNRR, "E5") != "3.500" || cell(survey.SheetNRR, "F5") != "0.1111" || cell(survey.SheetNRR, "I12") != "D" ||
		cell(survey.SheetNRR, "G14") != "3.444" || cell(survey.SheetNRR, "H14") != "86.11" {
		rowsNRR, _ := x.GetRows(survey.SheetNRR)
		t.Errorf("NRR sheet %q", rowsNRR)
	}
	resp, _ := x.GetRows(survey.SheetRespondents)
	found := false
	for _, row := range resp {
		if len(row) >= 4 && row[1] == "Perempuan" && row[2] == "1" && row[3] == "50.00%" {
			found = true
		}
	}
	if !found {
		t.Errorf("respondents sheet %q", resp)
	}
	if cell(survey.SheetComments, "D5") != "Ruang tunggu nyaman." || cell(survey.SheetComments, "A5") != "2026-11-26" {
		rowsC, _ := x.GetRows(survey.SheetComments)
		t.Errorf("comments sheet %q", rowsC)
	}
}
