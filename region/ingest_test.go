package region_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
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
	want = x.marker(rr, "bintan", 0) // nothing more may come
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

// The link drops for an hour of tickets: the site keeps serving (and
// says so in /readyz), and when the link returns the region catches up
// exactly.
func TestLinkDropsForAnHourAndTheRegionCatchesUp(t *testing.T) {
	ns := natstest.Start(t)
	addSite(t, ns.URL(), "tanjungpinang", "MPP Kota Tanjungpinang", 1)
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	s := startSite(t, ns.URL(), "tanjungpinang", "", clock)
	m := s.SetupMall()
	rr := startRegion(t, ns.URL(), "", nil)
	x := newSim(t, s, m, 2)
	x.run(60)
	waitFor(t, "the first events", 20*time.Second, func() bool { return uint64(rr.Obs.count("tanjungpinang")) >= siteSeq(s) })

	ns.Shutdown()
	before := siteSeq(s)
	start := clock.Now()
	for clock.Now().Sub(start) < time.Hour {
		x.run(10)
	}
	if siteSeq(s) <= before+50 {
		t.Fatalf("only %d events in the hour", siteSeq(s)-before)
	}
	var ready struct {
		Status  string
		Details struct{ NATS natsStatus } `json:"details"`
	}
	if code := getJSON(t, s.URL+"/readyz", "", &ready); code != http.StatusOK || ready.Status != "ready" {
		t.Fatalf("/readyz with NATS down: %d %+v", code, ready)
	}
	if ready.Details.NATS.Connected || ready.Details.NATS.LagEvents == 0 || ready.Details.NATS.LagSeconds < 3000 {
		t.Fatalf("/readyz details with NATS down: %+v", ready.Details.NATS)
	}

	// /metrics says the same to a monitor.
	met := metricsText(t, s.URL)
	if !strings.Contains(met, `antrean_nats_connected{site_id="tanjungpinang"} 0`) ||
		!strings.Contains(met, fmt.Sprintf(`antrean_nats_lag_events{site_id="tanjungpinang"} %d`, ready.Details.NATS.LagEvents)) ||
		strings.Contains(met, `antrean_nats_lag_seconds{site_id="tanjungpinang"} 0`) {
		t.Errorf("/metrics with NATS down:\n%s", grepLines(met, "antrean_nats_"))
	}

	ns.Restart()
	want := siteSeq(s)
	waitFor(t, "the region to catch up", 30*time.Second, func() bool { return uint64(rr.Obs.count("tanjungpinang")) >= want })
	want = x.marker(rr, "tanjungpinang", 0)
	rr.Obs.checkOnceInOrder(t, "tanjungpinang", want)
	sameReports(t, s, rr.R, "tanjungpinang", clock.Now().Format("2006-01-02"))
	waitFor(t, "the site to say it caught up", 10*time.Second, func() bool {
		getJSON(t, s.URL+"/readyz", "", &ready)
		return ready.Details.NATS.Connected && ready.Details.NATS.LagEvents == 0
	})
	met = metricsText(t, s.URL)
	if !strings.Contains(met, `antrean_nats_connected{site_id="tanjungpinang"} 1`) ||
		!strings.Contains(met, `antrean_nats_lag_events{site_id="tanjungpinang"} 0`) {
		t.Errorf("/metrics caught up:\n%s", grepLines(met, "antrean_nats_"))
	}
}

func metricsText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

type natsStatus struct {
	Connected  bool   `json:"connected"`
	Cursor     uint64 `json:"cursor"`
	LagEvents  uint64 `json:"lag_events"`
	LagSeconds int64  `json:"lag_seconds"`
	LastError  string `json:"last_error"`
}

// A site restarted while it publishes a backlog neither loses nor
// duplicates: the new process goes on after the stream's last message,
// whatever cursor it saved.
func TestSiteRestartMidPublish(t *testing.T) {
	ns := natstest.Start(t)
	addSite(t, ns.URL(), "karimun", "MPP Kabupaten Karimun", 1)
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	data := t.TempDir()
	s := startSite(t, ns.URL(), "karimun", data, clock)
	m := s.SetupMall()
	rr := startRegion(t, ns.URL(), "", nil)
	ns.Shutdown()
	x := newSim(t, s, m, 3)
	x.run(1500)
	want := siteSeq(s)
	ns.Restart()
	waitFor(t, "publishing to start", 20*time.Second, func() bool { return rr.Obs.count("karimun") > 0 })
	s.Stop()
	got := rr.Obs.count("karimun")
	if uint64(got) >= want {
		t.Logf("the site published all %d before it stopped; the restart still must not repeat any", want)
	}
	s = startSite(t, ns.URL(), "karimun", data, clock)
	x.s = s
	x.run(100)
	want = siteSeq(s)
	// The region retries a failing stream with a backoff of up to 30 s
	// (follow); after the outage above a retry can be that far off, so
	// the wait is longer than that.
	waitFor(t, "the region to have everything", 75*time.Second, func() bool { return uint64(rr.Obs.count("karimun")) >= want })
	want = x.marker(rr, "karimun", 0)
	rr.Obs.checkOnceInOrder(t, "karimun", want)
	sameReports(t, s, rr.R, "karimun", clock.Now().Format("2006-01-02"))
}

// A region server restarted goes on where it was; one whose data is
// lost (or one added late) rebuilds everything from the streams.
func TestRegionRestartAndRebuild(t *testing.T) {
	ns := natstest.Start(t)
	addSite(t, ns.URL(), "lingga", "MPP Kabupaten Lingga", 1)
	clock := apptest.NewClock(apptest.Workday.Add(-26 * time.Hour))
	s := startSite(t, ns.URL(), "lingga", "", clock)
	m := s.SetupMall()
	x := newSim(t, s, m, 4)
	x.run(200)
	// The next day: the site rolls at midnight, the first day is summed up.
	clock.Set(apptest.Workday.Add(-2 * time.Hour))
	x.open = false
	x.run(200)
	s.Admin = s.Login("admin", apptest.AdminPassword) // the first day's sign-in has ended
	day1 := apptest.Workday.Add(-26 * time.Hour).Format("2006-01-02")
	day2 := clock.Now().Format("2006-01-02")

	rr := startRegion(t, ns.URL(), "", nil)
	want := siteSeq(s)
	waitFor(t, "the region, added late, to read everything", 20*time.Second, func() bool { return uint64(rr.Obs.count("lingga")) >= want })
	rr.Obs.checkOnceInOrder(t, "lingga", want)
	sameReports(t, s, rr.R, "lingga", day1)
	sameReports(t, s, rr.R, "lingga", day2)

	// Restarted on its data: nothing is applied twice.
	rr.Stop()
	x.run(50)
	rr2 := startRegion(t, ns.URL(), rr.Data, nil)
	want2 := siteSeq(s)
	waitFor(t, "the restarted region", 20*time.Second, func() bool { return uint64(rr2.Obs.count("lingga")) >= want2-want })
	want2 = x.marker(rr2, "lingga", want)
	if n := rr2.Obs.count("lingga"); uint64(n) != want2-want {
		t.Fatalf("the restarted region applied %d events, want the %d new ones", n, want2-want)
	}
	sameReports(t, s, rr2.R, "lingga", day2)

	// Its data lost: a new folder under the same consumer name rebuilds.
	rr2.Stop()
	rr3 := startRegion(t, ns.URL(), "", nil)
	waitFor(t, "the rebuilt region", 20*time.Second, func() bool { return uint64(rr3.Obs.count("lingga")) >= want2 })
	rr3.Obs.checkOnceInOrder(t, "lingga", want2)
	sameReports(t, s, rr3.R, "lingga", day1)
	sameReports(t, s, rr3.R, "lingga", day2)
}

// On a three-node JetStream cluster with an R3 stream, killing a node
// (the stream's leader) while the site publishes loses nothing.
func TestClusterNodeDiesNothingLost(t *testing.T) {
	c := natstest.StartCluster(t)
	addSite(t, c.URL(), "natuna", "MPP Kabupaten Natuna", 3)
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	s := startSite(t, c.URL(), "natuna", "", clock)
	m := s.SetupMall()
	rr := startRegion(t, c.URL(), "", nil)
	x := newSim(t, s, m, 5)
	x.run(150)
	waitFor(t, "the first events", 20*time.Second, func() bool { return rr.Obs.count("natuna") > 50 })
	leader := c.StreamLeader(t, "ANTREAN_natuna")
	leader.Shutdown()
	x.run(300)
	want := siteSeq(s)
	deadline := time.Now().Add(60 * time.Second)
	for uint64(rr.Obs.count("natuna")) < want {
		if time.Now().After(deadline) {
			var ready struct {
				Details struct{ NATS natsStatus } `json:"details"`
			}
			getJSON(t, s.URL+"/readyz", "", &ready)
			t.Fatalf("the region applied %d of %d events; the site's publisher: %+v; the region: %+v",
				rr.Obs.count("natuna"), want, ready.Details.NATS, rr.R.Sites())
		}
		time.Sleep(20 * time.Millisecond)
	}
	want = x.marker(rr, "natuna", 0)
	rr.Obs.checkOnceInOrder(t, "natuna", want)
	sameReports(t, s, rr.R, "natuna", clock.Now().Format("2006-01-02"))
}
