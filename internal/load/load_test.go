package load

import (
	"context"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
)

// small is a morning scaled down to run in a few seconds, under -race, on
// a shared machine: the whole hour at 720× (5 s), quick visitors who are
// often slow, absent or sent on, so that every action happens many times.
func small(url string, real time.Duration) Config {
	cfg := Defaults()
	cfg.URL = url
	cfg.Kiosks, cfg.Officers, cfg.Screens, cfg.Tickets, cfg.Phones = 4, 6, 3, 120, 100
	cfg.Duration, cfg.Speed = real, float64(Morning)/float64(real)
	cfg.Grace = 20 * time.Second // an upper bound; the run returns once every frame is in
	b := &cfg.Behaviour
	b.AbsentShare, b.SlowShare, b.CallBackShare, b.CallBackAfter, b.TransferShare = 0.25, 0.25, 1, 1, 0.25
	b.ServiceMean = time.Minute
	b.Walk, b.Tap = [2]time.Duration{10 * time.Second, 30 * time.Second}, [2]time.Duration{2 * time.Second, 4 * time.Second}
	return cfg
}

// TestBusyMorning plays a short morning on the demo mall, signed in as
// admin: it creates its kiosks, counters and officers, lifts the quotas,
// and puts the mall back afterwards. No errors; every call reaches every
// screen; the figures hang together.
func TestBusyMorning(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Demo: true})
	quotas := func() map[string]int {
		var out struct {
			Services []struct {
				Code  string `json:"code"`
				Quota int    `json:"daily_quota"`
			} `json:"services"`
		}
		s.MustJSON(http.MethodGet, "/api/v1/services", "", nil, http.StatusOK, &out)
		m := map[string]int{}
		for _, sv := range out.Services {
			m[sv.Code] = sv.Quota
		}
		return m
	}
	before := quotas()
	if before["A"] == 0 {
		t.Fatalf("the demo mall's service A has no quota to lift: %v", before)
	}

	cfg := small(s.URL, 5*time.Second)
	cfg.AdminPassword = apptest.AdminPassword
	start := time.Now()
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the first run took %v", time.Since(start).Round(time.Millisecond))
	checkReport(t, rep, cfg)
	if c := rep.Counts; c.Recalls == 0 || c.NoShows == 0 || c.CallBacks == 0 || c.Transfers == 0 || c.Done == 0 {
		t.Errorf("not every action happened: %+v", rep.Counts)
	}
	// The server runs in this process: its memory is this process's.
	if rep.Server == nil || rep.Server.PID != os.Getpid() || rep.Server.RSSPeakMiB <= 0 {
		t.Errorf("server memory: %+v", rep.Server)
	}

	// The mall is as it was, but for the counters and officers kept for
	// the next run, all closed.
	if after := quotas(); !mapsEqual(before, after) {
		t.Errorf("quotas not put back: %v, want %v", after, before)
	}
	var devs struct {
		Devices []struct{ Name string } `json:"devices"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/devices", s.Admin, nil, http.StatusOK, &devs)
	for _, d := range devs.Devices {
		if strings.HasPrefix(d.Name, kioskPrefix) {
			t.Errorf("kiosk device %q left behind", d.Name)
		}
	}
	var ctrs struct {
		Counters []counter `json:"counters"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &ctrs)
	n := 0
	for _, k := range ctrs.Counters {
		if strings.HasPrefix(k.Name, counterPrefix) {
			n++
			if k.Status != "closed" {
				t.Errorf("%s left %s", k.Name, k.Status)
			}
		}
	}
	if n != cfg.Officers {
		t.Errorf("%d load counters, want %d", n, cfg.Officers)
	}

	// A second run reuses them; this time with the demo's own kiosks and
	// officers by token, quotas kept, nothing created.
	var kiosks []string
	for range 2 {
		var d struct{ Token string }
		s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": "kiosk", "name": "Kios Uji"}, http.StatusCreated, &d)
		kiosks = append(kiosks, d.Token)
	}
	var officers []string
	for _, u := range []string{"petugas.dkp", "petugas.pol", "petugas.sam"} {
		officers = append(officers, s.Login(u, app.DemoPassword))
	}
	cfg = small(s.URL, 2*time.Second)
	cfg.KioskTokens, cfg.OfficerTokens = kiosks, officers
	cfg.Tickets, cfg.Phones = 40, 40
	cfg.Expect = []string{"quota_exhausted"}
	rep, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, cfg)
}

func checkReport(t *testing.T, rep *Report, cfg Config) {
	t.Helper()
	if rep.ErrorTotal != 0 || len(rep.Errors) != 0 {
		t.Errorf("errors: %v", rep.Errors)
	}
	c := rep.Counts
	if c.Issued+c.NotIssued != cfg.Tickets || c.Issued < cfg.Tickets/2 {
		t.Errorf("issued %d, %d left at the kiosks, of %d", c.Issued, c.NotIssued, cfg.Tickets)
	}
	if c.Calls == 0 || c.PhonesConnected == 0 || c.PhonesConnected > cfg.Phones {
		t.Errorf("counts: %+v", c)
	}
	lat := rep.Latency
	if lat["issue"].N != c.Issued || lat["call"].N != c.Calls {
		t.Errorf("issue latencies %d for %d tickets, call latencies %d for %d calls", lat["issue"].N, c.Issued, lat["call"].N, c.Calls)
	}
	// Every call reached every screen (else an error above).
	if lat["call_to_screen"].N != c.Calls*cfg.Screens || lat["call_to_last_screen"].N != c.Calls {
		t.Errorf("call to screen: %+v, slowest %+v, for %d calls on %d screens", lat["call_to_screen"], lat["call_to_last_screen"], c.Calls, cfg.Screens)
	}
	if lat["call_to_phone"].N == 0 || lat["call_to_phone"].N != c.PhoneCalls {
		t.Errorf("call to phone: %+v (phone calls %d)", lat["call_to_phone"], c.PhoneCalls)
	}
	for k, v := range lat {
		if v.N > 0 && !(0 <= v.P50 && v.P50 <= v.P90 && v.P90 <= v.P99 && v.P99 <= v.Max && v.Max < 30_000) {
			t.Errorf("%s: %+v", k, v)
		}
	}
	if lat["issue"].P50 <= 0 || lat["call"].P50 <= 0 {
		t.Errorf("a request took no time: issue %+v, call %+v", lat["issue"], lat["call"])
	}
	var out strings.Builder
	rep.Print(&out)
	for _, want := range []string{"call → screen", "call → phone", "Errors: none"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the printed report lacks %q:\n%s", want, out.String())
		}
	}
	if t.Failed() {
		t.Log(out.String())
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The surge: most visitors come early, the peak a few minutes after the
// doors, arrivals in order and within the morning; phones spread evenly.
func TestArrivalTimes(t *testing.T) {
	arr, peak := arrivalTimes(2000, 2000, time.Hour, rand.New(rand.NewPCG(1, 0)))
	perMin := make([]int, 60)
	for i, a := range arr {
		if a.at < 0 || a.at >= time.Hour || (i > 0 && a.at < arr[i-1].at) || !a.phone {
			t.Fatalf("arrival %d at %v (phone %v)", i, a.at, a.phone)
		}
		perMin[a.at/time.Minute]++
	}
	first := 0
	for _, n := range perMin[:15] {
		first += n
	}
	if first < 1000 || first > 1400 {
		t.Errorf("%d of 2000 in the first quarter hour, want about 60%%", first)
	}
	busiest := 0
	for m, n := range perMin {
		if n > perMin[busiest] {
			busiest = m
		}
	}
	if busiest < 1 || busiest > 8 || perMin[busiest] != peak || peak < 3*perMin[50] {
		t.Errorf("busiest minute %d with %d (reported %d), minute 50 has %d", busiest, perMin[busiest], peak, perMin[50])
	}
	arr, _ = arrivalTimes(100, 25, time.Hour, rand.New(rand.NewPCG(1, 0)))
	phones := 0
	for _, a := range arr {
		if a.phone {
			phones++
		}
	}
	if phones != 25 {
		t.Errorf("%d phones, want 25", phones)
	}
}

func TestApportion(t *testing.T) {
	got := apportion(10, []string{"a", "b", "c"}, map[string]float64{"a": 4, "b": 2, "c": 1})
	count := map[string]int{}
	for _, k := range got {
		count[k]++
	}
	if len(got) != 10 || count["a"] != 6 || count["b"] != 3 || count["c"] != 1 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
		t.Errorf("apportion: %v", got)
	}
}

func TestNewCall(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	for _, c := range []struct {
		prev, v ticketView
		want    bool
	}{
		{ticketView{"waiting", nil}, ticketView{"called", &t0}, true},
		{ticketView{"called", &t0}, ticketView{"called", &t0}, false},  // a recall
		{ticketView{"called", &t0}, ticketView{"serving", &t0}, false}, // started
		{ticketView{"no_show", &t0}, ticketView{"called", &t1}, true},  // called back
		{ticketView{"no_show", &t0}, ticketView{"called", &t0}, true},  // called back in the same second
		{ticketView{"waiting", &t0}, ticketView{"serving", &t1}, true}, // transferred, called and started in between
	} {
		if got := newCall(&c.prev, &c.v); got != c.want {
			t.Errorf("%v → %v: %v, want %v", c.prev.Status, c.v.Status, got, c.want)
		}
	}
}

func TestSeqOf(t *testing.T) {
	for msg, want := range map[string]uint64{
		`{"seq":1234,"type":"ticket.called"`: 1234,
		`{"type":"snapshot","seq":7,"data"`:  7,
		`{"type":"ticket"}`:                  0,
	} {
		if got := seqOf([]byte(msg)); got != want {
			t.Errorf("seqOf(%s) = %d, want %d", msg, got, want)
		}
	}
}
