package region_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/natstest"
	"github.com/mpp-digital/antrean/region"
	"github.com/mpp-digital/antrean/reports"
)

func decodeJSON(r io.Reader, out any) error { return json.NewDecoder(r).Decode(out) }

// sameReports checks that the region's summary of a site equals the
// site's own, grouping by grouping: counts, averages and the share
// within target exactly; the p90 within its bin (exact below 2 minutes).
func sameReports(t *testing.T, s *apptest.Server, r *region.Region, site, day string) {
	t.Helper()
	for _, g := range []string{"agency", "service", "counter", "hour", "day"} {
		var want struct{ Rows []reports.Row }
		s.MustJSON(http.MethodGet, "/api/v1/reports/summary?from="+day+"&to="+day+"&group_by="+g, s.Admin, nil, http.StatusOK, &want)
		q, err := region.ParseSummary(url.Values{"from": {day}, "to": {day}, "group_by": {g}, "site_id": {site}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Summary(q)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]region.Row{}
		for _, row := range got {
			byKey[row.Key] = row
		}
		if len(got) != len(want.Rows) {
			t.Errorf("group_by=%s: %d rows, the site has %d", g, len(got), len(want.Rows))
		}
		for _, w := range want.Rows {
			row, ok := byKey[w.Key]
			if !ok {
				t.Errorf("group_by=%s: no row %q", g, w.Key)
				continue
			}
			gr := row.Row
			if gr.Issued != w.Issued || gr.Served != w.Served || gr.NoShow != w.NoShow || gr.Cancelled != w.Cancelled ||
				!eqInt(gr.AvgWaitS, w.AvgWaitS) || !eqInt(gr.AvgServiceS, w.AvgServiceS) ||
				!eqPct(gr.NoShowPct, w.NoShowPct) || !eqPct(gr.WithinTargetPct, w.WithinTargetPct) || !nearP90(gr.P90WaitS, w.P90WaitS) {
				a, _ := json.Marshal(gr)
				b, _ := json.Marshal(w)
				t.Errorf("group_by=%s row %q:\nregion %s\nsite   %s", g, w.Key, a, b)
			}
			if row.SiteID != site && g != "day" && g != "hour" {
				t.Errorf("group_by=%s row %q: site_id %q", g, w.Key, row.SiteID)
			}
		}
	}
}

func eqInt(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func eqPct(a, b *reports.Percent) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func nearP90(a, b *int64) bool {
	if (a == nil) != (b == nil) {
		return false
	}
	if a == nil || *b < 120 {
		return a == nil || *a == *b
	}
	return *a <= *b && *b-*a < 300
}

// A site publishes; the region applies every event once, in order, and
// its report of the site's day is the site's own.
func TestRegionSeesEveryEventOnceInOrder(t *testing.T) {
	ns := natstest.Start(t)
	addSite(t, ns.URL(), "bintan", "MPP Kabupaten Bintan", 1)
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	s := startSite(t, ns.URL(), "bintan", "", clock)
	m := s.SetupMall()
	rr := startRegion(t, ns.URL(), "", nil)
	x := newSim(t, s, m, 1)
	x.run(400)
	want := siteSeq(s)
	waitFor(t, "the region to apply every event", 20*time.Second, func() bool { return uint64(rr.Obs.count("bintan")) >= want })
	time.Sleep(100 * time.Millisecond) // nothing more may come
	rr.Obs.checkOnceInOrder(t, "bintan", want)
	sameReports(t, s, rr.R, "bintan", clock.Now().Format("2006-01-02"))

	b, err := rr.R.Board()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Sites) != 1 || b.Sites[0].Name != "MPP Kabupaten Bintan" || b.Sites[0].AppliedSeq != want || b.Sites[0].OpenCounters != 2 {
		t.Fatalf("board %+v", b.Sites[0])
	}
	waiting := 0
	for tk := range s.App.Engine.State().Tickets() {
		if tk.Status == "waiting" {
			waiting++
		}
	}
	if b.Sites[0].Waiting != waiting {
		t.Errorf("board: %d waiting, the site has %d", b.Sites[0].Waiting, waiting)
	}
	if b.Sites[0].IKMRespondents == 0 || b.Sites[0].IKM == nil {
		t.Errorf("board: no IKM: %+v", b.Sites[0])
	}
}
