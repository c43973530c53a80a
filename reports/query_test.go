package reports_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
)

// FuzzParseQuery: whatever the query string, the parser answers a query
// within the rules (real dates, from ≤ to, at most 366 days, a known
// grouping) or invalid_input naming the fields at fault; it never panics.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"from=2026-11-01&to=2026-11-30&group_by=service",
		"from=2026-11-01&to=2026-11-30&group_by=day&format=csv&agency_id=agc_1",
		"from=2025-11-26&to=2026-11-26&group_by=hour",
		"from=2025-11-25&to=2026-11-26&group_by=hour",
		"from=2026-02-29&to=2026-03-01&group_by=day",
		"from=2024-02-29&to=2024-02-29&group_by=officer&format=json",
		"from=2026-11-30&to=2026-11-01&group_by=counter",
		"from=%ZZ&to=;&group_by=agency&group_by=day",
		"from=+2026-11-01&to=2026-11-01 &group_by=agency",
		"from=0000-01-01&to=9999-12-31&group_by=agency",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, _ := url.ParseQuery(raw)
		q, err := reports.ParseQuery(v)
		if err != nil {
			var e *queue.Error
			if !errors.As(err, &e) || e.Code != queue.EInvalid || len(e.Fields) == 0 {
				t.Fatalf("%q: error %#v, want invalid_input with fields", raw, err)
			}
			for field := range e.Fields {
				if !slices.Contains([]string{"from", "to", "group_by", "format"}, field) {
					t.Fatalf("%q: fault on unknown field %q", raw, field)
				}
			}
			return
		}
		from, err1 := time.Parse(queue.DateLayout, q.From)
		to, err2 := time.Parse(queue.DateLayout, q.To)
		if err1 != nil || err2 != nil || from.Format(queue.DateLayout) != q.From || to.Format(queue.DateLayout) != q.To {
			t.Fatalf("%q: accepted dates %q, %q", raw, q.From, q.To)
		}
		if to.Before(from) || to.Sub(from) > 365*24*time.Hour {
			t.Fatalf("%q: accepted the range %s..%s", raw, q.From, q.To)
		}
		if !slices.Contains(reports.Groupings, q.GroupBy) {
			t.Fatalf("%q: accepted group_by %q", raw, q.GroupBy)
		}
		if q.CSV != (v.Get("format") == "csv") || q.AgencyID != v.Get("agency_id") {
			t.Fatalf("%q: parsed as %+v", raw, q)
		}
	})
}
