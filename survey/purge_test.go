package survey_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/survey"
)

// TestRetentionPurge: with retention_days 30, a response of 26 November
// keeps its profile and comment through 26 December and loses them on 27
// December (the fixed clock); its scores stay and the IKM of November
// still computes. The server's own job purges at start.
func TestRetentionPurge(t *testing.T) {
	w := newWorld(t)
	s := w.s
	a := w.served()
	s.MustJSON(http.MethodPost, feedbackPath(a, a.Key()), "", map[string]any{"scores": scores(3), "profile": map[string]string{"gender": "L", "occupation": "Swasta"}, "comment": "Antrean tertib."}, http.StatusCreated, nil)
	b := w.served()
	s.MustJSON(http.MethodPost, feedbackPath(b, b.Key()), "", map[string]any{"scores": scores(4)}, http.StatusCreated, nil)

	p := &survey.Purger{Engine: s.App.Engine}
	if n, err := p.PurgeOnce(time.Date(2026, 12, 26, 23, 59, 0, 0, jakarta)); err != nil || n != 0 {
		t.Fatalf("on day 30: purged %d, %v; want nothing", n, err)
	}
	if f := stored(t, w); f[0].Comment != "Antrean tertib." || f[0].Profile == nil {
		t.Fatalf("on day 30 the response lost its profile or comment: %+v", f[0])
	}
	// Midnight in Jakarta is still the 26th in UTC: the site's zone counts.
	if n, err := p.PurgeOnce(time.Date(2026, 12, 27, 0, 0, 0, 0, jakarta)); err != nil || n != 1 {
		t.Fatalf("on day 31: purged %d, %v; want 1", n, err)
	}
	for _, f := range stored(t, w) {
		if f.Personal() || len(f.Scores) != 9 {
			t.Errorf("after the purge: %+v", f)
		}
	}
	s.Clock.Set(time.Date(2026, 12, 27, 8, 0, 0, 0, jakarta))
	s.Admin = s.Login("admin", apptest.AdminPassword)
	var rep struct {
		Respondents int
		IKM         *float64
		Profile     map[string]map[string]int
	}
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?from=2026-11-01&to=2026-11-30", s.Admin, nil, http.StatusOK, &rep)
	// (9 × 3 + 9 × 4) / 18 = 3.5 → 87.50.
	if rep.Respondents != 2 || rep.IKM == nil || *rep.IKM != 87.5 || rep.Profile["gender"]["none"] != 2 {
		t.Errorf("November after the purge: %+v", rep)
	}

	// A shorter retention, and a restart: the server's job purges at
	// start (the next day's response is younger than the new cutoff).
	c := w.served2(t)
	site := *s.App.Engine.State().Site
	site.RetentionDays = 1
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	s.Stop()
	s.Clock.Set(time.Date(2026, 12, 29, 8, 0, 0, 0, jakarta))
	s2 := apptest.Start(t, apptest.Options{Data: s.Data, Clock: s.Clock})
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left []*queue.Feedback
		_ = s2.App.DB.Feedback("2026-12-27", "2026-12-27", func(f *queue.Feedback) error { left = append(left, f); return nil })
		if len(left) == 1 && !left[0].Personal() && left[0].TicketID == c {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's job did not purge the response of 27 December: %+v", left)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// served2 is served for a day after the first (fresh logins), rated with
// a comment; it answers the ticket's ID.
func (w *world) served2(t *testing.T) string {
	t.Helper()
	w.m.Tokens["officerA"] = w.s.Login(w.m.Users["officerA"].Username, apptest.StaffPassword)
	w.act(w.m.CounterA.ID, "open")
	a := w.served()
	w.s.MustJSON(http.MethodPost, feedbackPath(a, a.Key()), "", map[string]any{"scores": scores(2), "comment": "Lama."}, http.StatusCreated, nil)
	return a.Ticket.ID
}
