package reports

import (
	"net/url"
	"slices"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// Groupings of the summary report (group_by).
const (
	ByAgency  = "agency"
	ByService = "service"
	ByCounter = "counter"
	ByOfficer = "officer"
	ByHour    = "hour"
	ByDay     = "day"
)

// Groupings lists every group_by value.
var Groupings = []string{ByAgency, ByService, ByCounter, ByOfficer, ByHour, ByDay}

// MaxDays is the longest range a report covers, from and to included.
const MaxDays = 366

// Query is a summary report's parameters.
type Query struct {
	From, To string // business days, YYYY-MM-DD, inclusive
	// AgencyID limits the report to one agency's services; "" is all.
	AgencyID string
	GroupBy  string
	CSV      bool
}

// ParseQuery reads the query parameters of GET /api/v1/reports/summary:
// from, to and group_by are required, agency_id and format (json, csv)
// optional. Every fault is reported at once, as invalid_input with a
// reason per field. Who may see which agency is the handler's business.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{From: v.Get("from"), To: v.Get("to"), AgencyID: v.Get("agency_id"), GroupBy: v.Get("group_by")}
	bad := checkRange(q.From, q.To)
	if !slices.Contains(Groupings, q.GroupBy) {
		bad["group_by"] = "required, one of agency, service, counter, officer, hour, day"
	}
	switch v.Get("format") {
	case "", "json":
	case "csv":
		q.CSV = true
	default:
		bad["format"] = "json or csv"
	}
	if len(bad) > 0 {
		return Query{}, queue.Invalid(bad)
	}
	return q, nil
}

// checkRange checks a report's from and to (both required, YYYY-MM-DD,
// to on or after from, at most MaxDays days): the reasons by field,
// empty when they are fine.
func checkRange(fromS, toS string) map[string]string {
	bad := map[string]string{}
	from, okFrom := parseDay(fromS)
	to, okTo := parseDay(toS)
	if !okFrom {
		bad["from"] = "required, a date as YYYY-MM-DD"
	}
	if !okTo {
		bad["to"] = "required, a date as YYYY-MM-DD"
	}
	if okFrom && okTo {
		switch days := int(to.Sub(from).Hours()/24) + 1; {
		case to.Before(from):
			bad["to"] = "on or after from"
		case days > MaxDays:
			bad["to"] = "at most 366 days from from, both included"
		}
	}
	return bad
}

// parseDay reads a date written exactly as YYYY-MM-DD.
func parseDay(s string) (time.Time, bool) {
	t, err := time.Parse(queue.DateLayout, s)
	if err != nil || t.Format(queue.DateLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

// addDays moves a valid YYYY-MM-DD day by n days.
func addDays(day string, n int) string {
	t, _ := time.Parse(queue.DateLayout, day)
	return t.AddDate(0, 0, n).Format(queue.DateLayout)
}
