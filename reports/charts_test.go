package reports_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
)

// chartWorld is three mornings of work done through the API: Monday
// 2026-11-23 and Tuesday 2026-11-24 (stored), nothing on Wednesday, and
// today, Thursday 2026-11-26, still going on (live). Polres' SKCK has a
// target of 30 minutes, agency A's services the default 15.
type chartWorld struct {
	s    *apptest.Server
	m    *apptest.Mall
	work []*apptest.Work
}

var wib = time.FixedZone("WIB", 7*3600)

func newChartWorld(t *testing.T) *chartWorld {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Start: time.Date(2026, 11, 23, 7, 30, 0, 0, wib)})
	m := s.SetupMall()
	var svc queue.Service
	s.MustJSON(http.MethodGet, "/api/v1/services/"+m.ServiceB1.ID, "", nil, http.StatusOK, &svc)
	svc.TargetWaitMin = 30
	s.MustJSON(http.MethodPut, "/api/v1/services/"+m.ServiceB1.ID, s.Admin, svc, http.StatusOK, nil)
	w := &chartWorld{s: s, m: m}
	for i, d := range []int{23, 24, 26} {
		w.work = append(w.work, s.DoWork(m, time.Date(2026, 11, d, 8, 0, 0, 0, wib), i, d != 26))
	}
	return w
}

// waits are the waits the work made on days from..to, of agency (or all).
func (w *chartWorld) waits(from, to, agency string) []apptest.WorkWait {
	var out []apptest.WorkWait
	for _, wk := range w.work {
		for _, x := range wk.Waits {
			if x.Day >= from && x.Day <= to && (agency == "" || x.AgencyID == agency) {
				out = append(out, x)
			}
		}
	}
	return out
}

func (w *chartWorld) target(service string) int64 {
	if service == w.m.ServiceB1.ID {
		return 30
	}
	return 15
}

func (w *chartWorld) get(t *testing.T, who, path string, out any) {
	t.Helper()
	w.s.MustJSON(http.MethodGet, path, w.m.Tokens[who], nil, http.StatusOK, out)
}

// TestReportWaitsAPI: the distribution of waits over stored days and
// today, for all agencies and each, in bins of 5 and 10 minutes, as the
// test's own record of its calls has it; its share within target is the
// summary's.
func TestReportWaitsAPI(t *testing.T) {
	w := newChartWorld(t)
	m := w.m
	for _, c := range []struct {
		who, agency, from, to string
		bin                   int
	}{
		{"admin", "", "2026-11-23", "2026-11-26", 5},
		{"admin", "", "2026-11-23", "2026-11-26", 10},
		{"admin", m.AgencyA.ID, "2026-11-24", "2026-11-24", 5},
		{"supervisorB", "", "2026-11-20", "2026-11-30", 5},
		{"supervisorA", "", "2026-11-26", "2026-11-26", 1},
	} {
		agency := c.agency
		if c.who == "supervisorB" {
			agency = m.AgencyB.ID
		} else if c.who == "supervisorA" {
			agency = m.AgencyA.ID
		}
		q := fmt.Sprintf("from=%s&to=%s", c.from, c.to)
		if c.agency != "" {
			q += "&agency_id=" + c.agency
		}
		var got reports.Waits
		w.get(t, c.who, fmt.Sprintf("/api/v1/reports/waits?%s&bin_min=%d", q, c.bin), &got)

		recs := w.waits(c.from, c.to, agency)
		if len(recs) == 0 {
			t.Fatalf("%s %s: the work made no waits to check", c.who, q)
		}
		width := int64(c.bin) * 60
		var top, within int64
		targets := []int{}
		for _, x := range recs {
			top = max(top, x.Seconds())
			if x.Seconds() <= w.target(x.ServiceID)*60 {
				within++
			}
			if tg := int(w.target(x.ServiceID)); !slices.Contains(targets, tg) {
				targets = append(targets, tg)
			}
		}
		sort.Ints(targets)
		n := min(max(top, int64(targets[len(targets)-1])*60)/width+1, reports.MaxBins)
		want := make([]reports.WaitBin, n)
		for i := range want {
			want[i].FromMin = i * c.bin
			if to := (i + 1) * c.bin; int64(i) < n-1 || int64(to)*60 > top {
				want[i].ToMin = &to
			}
		}
		for _, x := range recs {
			b := &want[min(x.Seconds()/width, n-1)]
			b.Waits++
			if x.Seconds() <= w.target(x.ServiceID)*60 {
				b.WithinTarget++
			}
		}
		if got.Waits != int64(len(recs)) || got.WithinTarget != within || !slices.Equal(got.TargetsMin, targets) || got.BinMin != c.bin || got.AgencyID != agency {
			t.Errorf("%s %s: %d waits, %d within, targets %v, bin %d, agency %q; want %d, %d, %v, %d, %q",
				c.who, q, got.Waits, got.WithinTarget, got.TargetsMin, got.BinMin, got.AgencyID, len(recs), within, targets, c.bin, agency)
		}
		if g, wt := mustJSON(got.Bins), mustJSON(want); string(g) != string(wt) {
			t.Errorf("%s %s bin %d:\n got  %s\n want %s", c.who, q, c.bin, g, wt)
		}
		// The share within target is the summary's.
		if all := w.summaryOf(t, c.who, q+"&group_by=agency"); len(all) == 1 && fmt.Sprint(all[0].WithinTargetPct) != fmt.Sprint(got.WithinTargetPct) {
			t.Errorf("%s %s: within target %v, the summary says %v", c.who, q, got.WithinTargetPct, all[0].WithinTargetPct)
		}
	}
	// A range without waits: no bins, a null share.
	var none reports.Waits
	w.get(t, "admin", "/api/v1/reports/waits?from=2026-11-25&to=2026-11-25", &none)
	if none.Waits != 0 || len(none.Bins) != 0 || none.WithinTargetPct != nil || none.Bins == nil {
		t.Errorf("a day without work: %+v", none)
	}
}

// summaryOf asks the summary report as who.
func (w *chartWorld) summaryOf(t *testing.T, who, query string) []reports.Row {
	t.Helper()
	var out struct{ Rows []reports.Row }
	w.get(t, who, "/api/v1/reports/summary?"+query, &out)
	return out.Rows
}

// TestReportHeatmapAPI: arrivals by weekday and hour as the work issued
// them, per agency and in all; each hour's column adds up to the
// summary's hour row; days count only up to today.
func TestReportHeatmapAPI(t *testing.T) {
	w := newChartWorld(t)
	m := w.m
	for _, c := range []struct {
		who, agency, from, to string
		days                  [7]int
	}{
		{"admin", "", "2026-11-23", "2026-11-26", [7]int{1, 1, 1, 1, 0, 0, 0}},
		{"admin", m.AgencyB.ID, "2026-11-17", "2026-11-30", [7]int{1, 2, 2, 2, 1, 1, 1}},
		{"supervisorA", "", "2026-11-24", "2026-11-24", [7]int{0, 1, 0, 0, 0, 0, 0}},
	} {
		agency := c.agency
		if c.who == "supervisorA" {
			agency = m.AgencyA.ID
		}
		q := fmt.Sprintf("from=%s&to=%s", c.from, c.to)
		if c.agency != "" {
			q += "&agency_id=" + c.agency
		}
		var got reports.Heatmap
		w.get(t, c.who, "/api/v1/reports/heatmap?"+q, &got)
		var want [7][24]int64
		var total int64
		for _, wk := range w.work {
			for _, tk := range wk.Tickets {
				if tk.Day < c.from || tk.Day > c.to || (agency != "" && tk.AgencyID != agency) {
					continue
				}
				d, _ := time.Parse(queue.DateLayout, tk.Day)
				want[(int(d.Weekday())+6)%7][tk.Issued.In(wib).Hour()]++
				total++
			}
		}
		if len(got.Rows) != 7 {
			t.Fatalf("%s: %d rows", q, len(got.Rows))
		}
		var sum, top int64
		for i, r := range got.Rows {
			if r.Weekday != reports.Weekdays[i] || r.Issued != want[i] || r.Days != c.days[i] {
				t.Errorf("%s %s: %s %d days %v, want %s %d days %v", c.who, q, r.Weekday, r.Days, r.Issued, reports.Weekdays[i], c.days[i], want[i])
			}
			for _, v := range want[i] {
				top = max(top, v)
			}
			sum += r.Total
		}
		if sum != total || got.Max != top || total == 0 {
			t.Errorf("%s %s: total %d max %d, want %d and %d", c.who, q, sum, got.Max, total, top)
		}
		for _, r := range w.summaryOf(t, c.who, q+"&group_by=hour") {
			var col int64
			var h int
			h, _ = strconv.Atoi(r.Key)
			for _, hr := range got.Rows {
				col += hr.Issued[h]
			}
			if col != r.Issued {
				t.Errorf("%s %s: hour %s adds up to %d, the summary says %d", c.who, q, r.Key, col, r.Issued)
			}
		}
	}
}

// TestReportLongestAPI: a stored day's and today's longest waits, longest
// first, with numbers, services, waits and targets as the work made
// them; limit and agency; a day to come has none.
func TestReportLongestAPI(t *testing.T) {
	w := newChartWorld(t)
	m := w.m
	for _, c := range []struct {
		who, query, day, agency string
		limit                   int
	}{
		{"admin", "day=2026-11-23", "2026-11-23", "", 10},
		{"admin", "", "2026-11-26", "", 10},
		{"admin", "day=2026-11-24&limit=3&agency_id=" + m.AgencyA.ID, "2026-11-24", m.AgencyA.ID, 3},
		{"supervisorB", "day=2026-11-24&limit=100", "2026-11-24", m.AgencyB.ID, 100},
		{"supervisorA", "day=2026-11-26", "2026-11-26", m.AgencyA.ID, 10},
	} {
		var got reports.Longest
		w.get(t, c.who, "/api/v1/reports/longest?"+c.query, &got)
		recs := w.waits(c.day, c.day, c.agency)
		slices.SortStableFunc(recs, func(a, b apptest.WorkWait) int {
			if a.Seconds() != b.Seconds() {
				return int(b.Seconds() - a.Seconds())
			}
			return a.Queued.Compare(b.Queued)
		})
		recs = recs[:min(len(recs), c.limit)]
		if got.Day != c.day || len(got.Waits) != len(recs) || len(recs) == 0 {
			t.Fatalf("%s %s: day %s, %d waits, want %s and %d", c.who, c.query, got.Day, len(got.Waits), c.day, len(recs))
		}
		for i, x := range recs {
			g := got.Waits[i]
			tg := w.target(x.ServiceID)
			if g.Number != x.Number || g.ServiceID != x.ServiceID || g.WaitS != x.Seconds() || int64(g.TargetMin) != tg ||
				g.WithinTarget != (x.Seconds() <= tg*60) || !g.CalledAt.Equal(x.Called) || !g.QueuedAt.Equal(x.Queued) || g.AgencyID != x.AgencyID {
				t.Errorf("%s %s #%d: %+v, want %+v", c.who, c.query, i, g, x)
			}
			if svc := map[string]string{m.ServiceA1.ID: m.ServiceA1.Name, m.ServiceA2.ID: m.ServiceA2.Name, m.ServiceB1.ID: m.ServiceB1.Name}[x.ServiceID]; g.Service != svc {
				t.Errorf("service name %q, want %q", g.Service, svc)
			}
		}
	}
	r := w.s.Do(http.MethodGet, "/api/v1/reports/longest?day=2026-11-27", w.s.Admin, nil)
	if r.Status != http.StatusOK || string(r.Body) != `{"day":"2026-11-27","agency_id":"","waits":[]}`+"\n" {
		t.Errorf("a day to come: %d %s", r.Status, r.Body)
	}
	// Nothing personal: no ticket IDs or keys.
	r = w.s.Do(http.MethodGet, "/api/v1/reports/longest?day=2026-11-23&limit=100", w.s.Admin, nil)
	for _, tk := range w.work[0].Tickets {
		if bytes.Contains(r.Body, []byte(`"`+tk.ID+`"`)) || bytes.Contains(r.Body, []byte(tk.Key)) {
			t.Errorf("the longest waits show ticket %s's ID or key", tk.Number)
		}
	}
}

// TestReportChartsWhoAndBadInput: the chart reports follow the summary's
// rules: 403 for another agency's supervisor (before the parameters), for
// officers, greeters and devices; 401 without a login; 400 for bad dates,
// ranges, bins, limits and unknown agencies.
func TestReportChartsWhoAndBadInput(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	rng := "from=2026-11-01&to=2026-11-26"
	for _, c := range []struct {
		who, path string
		status    int
		fields    []string
	}{
		{"supervisorA", "/api/v1/reports/waits?" + rng + "&agency_id=" + m.AgencyB.ID, 403, nil},
		{"supervisorA", "/api/v1/reports/heatmap?from=bad&agency_id=" + m.AgencyB.ID, 403, nil},
		{"supervisorB", "/api/v1/reports/longest?agency_id=" + m.AgencyA.ID, 403, nil},
		{"officerA", "/api/v1/reports/waits?" + rng, 403, nil},
		{"greeterA", "/api/v1/reports/heatmap?" + rng, 403, nil},
		{"kiosk", "/api/v1/reports/longest", 403, nil},
		{"display", "/api/v1/reports/longest", 403, nil},
		{"anonymous", "/api/v1/reports/waits?" + rng, 401, nil},
		{"admin", "/api/v1/reports/waits?to=2026-11-26", 400, []string{"from"}},
		{"admin", "/api/v1/reports/waits?from=2026-11-26&to=2026-11-25", 400, []string{"to"}},
		{"admin", "/api/v1/reports/waits?from=2025-01-01&to=2026-01-02", 400, []string{"to"}},
		{"admin", "/api/v1/reports/waits?" + rng + "&bin_min=0", 400, []string{"bin_min"}},
		{"admin", "/api/v1/reports/waits?" + rng + "&bin_min=61", 400, []string{"bin_min"}},
		{"admin", "/api/v1/reports/waits?from=2026-02-30&to=x&bin_min=five", 400, []string{"bin_min", "from", "to"}},
		{"admin", "/api/v1/reports/waits?" + rng + "&agency_id=agn_none", 400, []string{"agency_id"}},
		{"admin", "/api/v1/reports/heatmap?from=2026-11-26", 400, []string{"to"}},
		{"admin", "/api/v1/reports/heatmap?from=2026-1-01&to=2026-11-26", 400, []string{"from"}},
		{"admin", "/api/v1/reports/heatmap?" + rng + "&agency_id=agn_none", 400, []string{"agency_id"}},
		{"admin", "/api/v1/reports/longest?day=2026-13-01", 400, []string{"day"}},
		{"admin", "/api/v1/reports/longest?day=26-11-2026&limit=0", 400, []string{"day", "limit"}},
		{"admin", "/api/v1/reports/longest?limit=101", 400, []string{"limit"}},
		{"admin", "/api/v1/reports/longest?agency_id=agn_none", 400, []string{"agency_id"}},
		{"supervisorA", "/api/v1/reports/longest?agency_id=" + m.AgencyA.ID, 200, nil},
		{"supervisorA", "/api/v1/reports/heatmap?" + rng, 200, nil},
	} {
		r := s.Do(http.MethodGet, c.path, m.Tokens[c.who], nil)
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
		if r.Status != c.status || !slices.Equal(fields, c.fields) {
			t.Errorf("%s %s: %d %s, want %d on %v", c.who, c.path, r.Status, r.Body, c.status, c.fields)
		}
	}
}
