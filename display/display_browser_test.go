package display_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// announcement is one entry of window.__antrean.announcements.
type announcement struct {
	Text    string  `json:"text"`
	At      float64 `json:"at"`
	End     float64 `json:"end"`
	Via     string  `json:"via"`
	Number  string  `json:"number"`
	Counter string  `json:"counter"`
	Recall  bool    `json:"recall"`
	Form    string  `json:"form"`
	Behind  int     `json:"behind"`
}

// callAct runs a counter action and returns the number of the counter's
// current ticket afterwards ("" when none).
func callAct(t *testing.T, s *apptest.Server, token, counterID, action string) string {
	t.Helper()
	r := s.Do(http.MethodPost, "/api/v1/counters/"+counterID+"/"+action, token, nil)
	if r.Status == http.StatusNoContent {
		return ""
	}
	if r.Status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", action, counterID, r.Status, r.Body)
	}
	var c struct {
		Current *struct {
			Number string `json:"number"`
		} `json:"current"`
	}
	r.JSON(t, &c)
	if c.Current == nil {
		return ""
	}
	return c.Current.Number
}

// openDisplay opens the lobby screen and waits until it follows the feed.
func openDisplay(t *testing.T, b *browsertest.Browser, url string) {
	t.Helper()
	b.Open(url)
	b.WaitFor(`window.__antrean && window.__antrean.ready && window.__antrean.status && window.__antrean.status.connected`, 10*time.Second)
}

func announcements(b *browsertest.Browser) []announcement {
	var out []announcement
	b.Eval(`window.__antrean.announcements`, &out)
	return out
}

// allowedErrors are console messages a test may see: the websocket
// failing while the server is down on purpose.
var allowedErrors = []string{`WebSocket connection to .* failed`, `ERR_CONNECTION_REFUSED`, `Failed to load resource`}

func TestDisplayShowsCallWithinOneSecond(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	officer := m.Tokens["officerA"]
	callAct(t, s, officer, m.CounterA.ID, "open")
	s.Issue(m, m.ServiceA1.ID, false)

	b := browsertest.New(t, browsertest.Options{Sound: true})
	openDisplay(t, b, s.URL+"/display")
	// Note exactly when the number lands in the DOM.
	b.Eval(`(() => {
		window.__seen = 0;
		const el = document.getElementById("now-number");
		new MutationObserver(() => {
			if (!window.__seen && el.textContent === "A001") window.__seen = Date.now();
		}).observe(el, {childList: true, characterData: true, subtree: true});
	})()`, nil)

	number := callAct(t, s, officer, m.CounterA.ID, "next")
	returned := time.Now()
	if number != "A001" {
		t.Fatalf("next called %q", number)
	}
	waited := b.WaitText("#now-number", "A001", 3*time.Second)
	var seen float64
	b.Eval(`window.__seen`, &seen)
	exact := time.Duration(seen-float64(returned.UnixMilli())) * time.Millisecond
	t.Logf("call to screen: %v after the POST returned (seen by polling: %v)", exact, waited)
	b.WaitText("#now-counter", "LOKET 1", time.Second)
	b.WaitText("#now-what", "Dukcapil · Perekaman KTP-el", time.Second)
	b.WaitText("#announce", "A001", time.Second)
	b.WaitText(`[data-counter="`+m.CounterA.ID+`"]`, "A001", time.Second)
	b.Screenshot("call-1920x1080")
	b.NoErrors()
}

func TestDisplayAnnouncesInOrder(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	offA, offB := m.Tokens["officerA"], m.Tokens["officerB"]
	callAct(t, s, offA, m.CounterA.ID, "open")
	callAct(t, s, offB, m.CounterB.ID, "open")
	s.Issue(m, m.ServiceA1.ID, false)
	s.Issue(m, m.ServiceA1.ID, false)
	s.Issue(m, m.ServiceB1.ID, false)

	b := browsertest.New(t, browsertest.Options{Sound: true})
	openDisplay(t, b, s.URL+"/display")
	b.WaitFor(`window.__antrean.voiceMode() === "clips"`, 5*time.Second)

	// The words of the server's announcements map onto clips.
	for _, tc := range []struct{ number, counter string }{
		{"A001", "Loket 1"}, {"A012", "Loket 3"}, {"A123", "Meja 12"}, {"A1000", "Loket A"},
		{"DK2021", "Loket 20"}, {"B019", "Loket 11"}, {"Z999", "Loket 100"}, {"K017", "Ruang 7"},
	} {
		// The full form and the short one a backlog speaks.
		ann := queue.Announce(tc.number, tc.counter, "", false)
		for _, text := range []string{ann.ID, ann.ShortID} {
			var got struct {
				Keys    []string `json:"keys"`
				Missing []string `json:"missing"`
			}
			b.Eval(fmt.Sprintf(`window.__antrean.clipsFor(%q)`, text), &got)
			var spoken []string
			for _, k := range got.Keys {
				if k != "," {
					spoken = append(spoken, strings.ToLower(k))
				}
			}
			want := strings.ToLower(strings.NewReplacer(",", "", ".", "").Replace(text))
			if strings.Join(spoken, " ") != want || len(got.Missing) > 0 {
				t.Errorf("clips for %q: %q, missing %q", text, spoken, got.Missing)
			}
		}
	}

	// Calls in quick succession from two counters, then a recall of the
	// last while it still waits: three calls wait at once (the backlog is
	// past two), so the one in the middle is spoken short; the recall
	// takes the waiting A002's place rather than queueing a second one.
	want := []string{
		callAct(t, s, offA, m.CounterA.ID, "next"),
		callAct(t, s, offB, m.CounterB.ID, "next"),
		callAct(t, s, offA, m.CounterA.ID, "next"),
		callAct(t, s, offA, m.CounterA.ID, "recall"),
	}
	if strings.Join(want, " ") != "A001 K001 A002 A002" {
		t.Fatalf("calls = %v", want)
	}
	b.WaitFor(`window.__antrean.announcements.length >= 3 && window.__antrean.announcements[2].end > 0`, 40*time.Second)
	got := announcements(b)
	if len(got) != 3 {
		t.Fatalf("%d announcements, want 3: %+v", len(got), got)
	}
	numbers := []string{"A001", "K001", "A002"}
	counters := []string{"Loket 1", "Loket 7", "Loket 1"}
	forms := []string{"full", "short", "full"}
	for i, a := range got {
		if a.Number != numbers[i] || a.Counter != counters[i] {
			t.Errorf("announcement %d: %s at %s, want %s at %s", i, a.Number, a.Counter, numbers[i], counters[i])
		}
		ann := queue.Announce(numbers[i], counters[i], "", false)
		wantText := ann.ID
		if forms[i] == "short" {
			wantText = ann.ShortID
		}
		if a.Form != forms[i] || a.Text != wantText {
			t.Errorf("announcement %d says %q (%s), want %q (%s)", i, a.Text, a.Form, wantText, forms[i])
		}
		if a.Via != "clips" {
			t.Errorf("announcement %d via %q, want clips", i, a.Via)
		}
		if a.Recall != (i == 2) {
			t.Errorf("announcement %d recall = %v", i, a.Recall)
		}
		if least := map[string]float64{"full": 4500, "short": 2000}[forms[i]]; a.End-a.At < least {
			t.Errorf("announcement %d (%s) lasted only %.0f ms", i, a.Form, a.End-a.At)
		}
		if i > 0 && a.At < got[i-1].End {
			t.Errorf("announcement %d started %.0f ms before the previous one ended", i, got[i-1].End-a.At)
		}
	}
	t.Logf("announcements: %s", mustJSON(got))
	// The panel ends on the recalled number, the list holds the others.
	b.WaitText("#now-number", "A002", time.Second)
	b.WaitText("#recent", "K001", time.Second)
	b.WaitText("#recent", "A001", time.Second)
	b.NoErrors()
}

func TestDisplayReconnectsAfterRestart(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	officer := m.Tokens["officerA"]
	callAct(t, s, officer, m.CounterA.ID, "open")
	s.Issue(m, m.ServiceA1.ID, false)
	s.Issue(m, m.ServiceA1.ID, false)

	b := browsertest.New(t, browsertest.Options{})
	openDisplay(t, b, s.URL+"/display")
	callAct(t, s, officer, m.CounterA.ID, "next")
	b.WaitText("#now-number", "A001", 2*time.Second)

	addr := strings.TrimPrefix(s.URL, "http://")
	s.Stop()
	down := time.Now()
	b.WaitFor(`!document.getElementById("offline").hidden`, 6*time.Second)
	t.Logf("offline banner after %v", time.Since(down))
	if got := b.Text("#offline"); got != "Terputus — menyambung kembali…" {
		t.Errorf("offline banner says %q", got)
	}
	b.Screenshot("offline-1920x1080")
	b.Axe("display offline (id)")

	s2 := apptest.Start(t, apptest.Options{Data: s.Data, Addr: addr, Clock: s.Clock})
	if got := callAct(t, s2, officer, m.CounterA.ID, "next"); got != "A002" {
		t.Fatalf("after the restart next called %q", got)
	}
	up := time.Now()
	b.WaitText("#now-number", "A002", 10*time.Second)
	t.Logf("caught up %v after the restart", time.Since(up))
	b.WaitFor(`document.getElementById("offline").hidden && window.__antrean.status.connected`, 2*time.Second)
	b.WaitText(`[data-counter="`+m.CounterA.ID+`"]`, "A002", 2*time.Second)
	// It resumed with after= (one snapshot in all, at the first load) and
	// holds exactly the server's state; the call was announced.
	var got struct {
		Seq       uint64       `json:"seq"`
		Snapshots int          `json:"snapshots"`
		Last      announcement `json:"last"`
	}
	b.Eval(`({seq: window.__antrean.live.seq, snapshots: window.__antrean.snapshots(), last: window.__antrean.announcements.at(-1)})`, &got)
	if want := s2.App.Engine.State().Seq; got.Seq != want || got.Snapshots != 1 {
		t.Errorf("display at seq %d after %d snapshots, server at %d", got.Seq, got.Snapshots, want)
	}
	if got.Last.Number != "A002" || got.Last.Via != "muted" {
		t.Errorf("last announcement %+v, want A002 (muted: no sound without a tap)", got.Last)
	}
	b.NoErrors(allowedErrors...)
}

// TestDisplayDevicePairing opens a display device's link: the page keeps
// the token, takes it out of the address bar, shows the device's zone, and
// still does after a reload.
func TestDisplayDevicePairing(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	var dev struct{ Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "display", "name": "Lobi Polres", "agency_ids": []string{m.AgencyB.ID}}, http.StatusCreated, &dev)

	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	check := func(when string) {
		t.Helper()
		b.WaitFor(`document.querySelectorAll(".row").length > 0`, 5*time.Second)
		var got struct {
			Search string   `json:"search"`
			Stored string   `json:"stored"`
			Rows   []string `json:"rows"`
		}
		b.Eval(`({
			search: location.search,
			stored: localStorage.getItem("antrean.display.device"),
			rows: [...document.querySelectorAll(".row-agency")].map((e) => e.textContent),
		})`, &got)
		if got.Search != "" || got.Stored != dev.Token || len(got.Rows) != 1 || got.Rows[0] != "Polres" {
			t.Errorf("%s: address %q, stored token %v, rows %q", when, got.Search, got.Stored == dev.Token, got.Rows)
		}
	}
	openDisplay(t, b, s.URL+"/display?device="+dev.Token)
	check("first open")
	// The reload goes on to /display?device=… by script, which would abort
	// a navigation that waits for the load: navigate by script too.
	b.Eval(`window.__stale = true; location.assign("/display"); true`, nil)
	b.WaitFor(`!window.__stale && window.__antrean && window.__antrean.ready && window.__antrean.status && window.__antrean.status.connected`, 10*time.Second)
	check("after a reload")

	// A token that no longer works is forgotten. (The open page would
	// reload itself on the device's change: leave it first.)
	b.Open("about:blank")
	s.MustJSON(http.MethodDelete, "/api/v1/devices/"+m.Display, s.Admin, nil, http.StatusNoContent, nil)
	b.Open(s.URL + "/display?device=" + m.Tokens["display"])
	b.WaitText("#error", "tidak dikenal", 3*time.Second)
	b.Screenshot("unknown-device-1366x768")
	b.Axe("display unknown device (id)")
	var stored *string
	b.Eval(`localStorage.getItem("antrean.display.device")`, &stored)
	if stored != nil {
		t.Errorf("an unknown token left %q stored", *stored)
	}
	b.NoErrors(`status of 404`)
}

// TestDisplayReducedMotion: with prefers-reduced-motion a new call is a
// steady green highlight, not a flash, and the running text stands still.
func TestDisplayReducedMotion(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	callAct(t, s, m.Tokens["officerB"], m.CounterB.ID, "open")
	s.Issue(m, m.ServiceB1.ID, false)
	b := browsertest.New(t, browsertest.Options{ReducedMotion: true})
	openDisplay(t, b, s.URL+"/display")
	callAct(t, s, m.Tokens["officerB"], m.CounterB.ID, "next")
	b.WaitText("#now-number", "K001", 2*time.Second)
	var got struct {
		Flash      bool   `json:"flash"`
		Animation  string `json:"animation"`
		Background string `json:"background"`
		Ticker     string `json:"ticker"`
		// The new call's tile is lit steadily too.
		Tile          string `json:"tile"`
		TileAnimation string `json:"tileAnimation"`
	}
	b.Eval(`(() => {
		const now = getComputedStyle(document.getElementById("now"));
		const tile = document.querySelector(".chip.is-new");
		return {
			flash: document.getElementById("now").classList.contains("flash"),
			animation: now.animationName,
			background: now.backgroundColor,
			ticker: getComputedStyle(document.getElementById("ticker-text")).animationName,
			tile: tile ? getComputedStyle(tile).backgroundColor : "",
			tileAnimation: tile ? getComputedStyle(tile).animationName : "",
		};
	})()`, &got)
	if !got.Flash || got.Animation != "none" || got.Background != "rgb(30, 158, 90)" || got.Ticker != "none" ||
		got.Tile != "rgb(30, 158, 90)" || got.TileAnimation != "none" {
		t.Errorf("reduced motion: %+v", got)
	}
	b.Axe("display new call, steady highlight (id)")
	b.NoErrors()
}

// TestDisplayScreenshots fills the demo mall with calls and saves the
// lobby screen at its two sizes and in English, for a person to look at.
func TestDisplayScreenshots(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Demo: true, Start: apptest.Workday})
	var counters struct {
		Counters []queue.Counter `json:"counters"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &counters)
	var services struct {
		Services []queue.Service `json:"services"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/services", "", nil, http.StatusOK, &services)
	for _, svc := range services.Services {
		for i := 0; i < 3+len(svc.Code)%3; i++ {
			s.MustJSON(http.MethodPost, "/api/v1/tickets", s.Admin, map[string]any{"service_id": svc.ID}, http.StatusCreated, nil)
		}
	}
	// Open most counters (one paused, one left closed) and call.
	for i, c := range counters.Counters {
		if i%9 == 8 {
			continue
		}
		callAct(t, s, s.Admin, c.ID, "open")
		callAct(t, s, s.Admin, c.ID, "next")
		if i%7 == 3 {
			callAct(t, s, s.Admin, c.ID, "pause")
		}
	}

	b := browsertest.New(t, browsertest.Options{Sound: true})
	openDisplay(t, b, s.URL+"/display")
	b.WaitFor(`document.querySelectorAll(".chip").length > 0`, 5*time.Second)
	// A fresh call, so the panel shows one as it arrives.
	first := counters.Counters[0].ID
	number := callAct(t, s, s.Admin, first, "next")
	b.WaitText("#now-number", number, 3*time.Second)
	b.Screenshot("1920x1080-flash")
	b.WaitFor(`!document.getElementById("now").classList.contains("flash")`, 5*time.Second) // after the flash
	b.Screenshot("1920x1080")
	b.Axe("display (id)")

	b.Viewport(1366, 768)
	time.Sleep(400 * time.Millisecond)
	b.Screenshot("1366x768")
	checkLayout(t, b)

	b.Viewport(1920, 1080)
	openDisplay(t, b, s.URL+"/display?lang=en")
	b.WaitFor(`document.querySelectorAll(".chip").length > 0`, 5*time.Second)
	var lang string
	b.Eval(`document.documentElement.lang`, &lang)
	if lang != "en" || !strings.Contains(b.Text("#now-label"), "TICKET NUMBER") {
		t.Errorf("English page: lang %q, label %q", lang, b.Text("#now-label"))
	}
	b.Screenshot("en-1920x1080")
	checkLayout(t, b)
	b.Axe("display (en)")

	// A zone of one agency with 40 counters pages its rows.
	var agencies struct {
		Agencies []queue.Agency `json:"agencies"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/agencies", "", nil, http.StatusOK, &agencies)
	var dukcapil queue.Agency
	for _, a := range agencies.Agencies {
		if a.ShortName == "Dukcapil" {
			dukcapil = a
		}
	}
	var svcIDs []string
	for _, svc := range services.Services {
		if svc.AgencyID == dukcapil.ID {
			svcIDs = append(svcIDs, svc.ID)
		}
	}
	for i := 5; i <= 40; i++ {
		var c queue.Counter
		s.MustJSON(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": dukcapil.ID, "name": fmt.Sprintf("Loket %d", 100+i), "service_ids": svcIDs}, http.StatusCreated, &c)
		if i%3 != 0 {
			callAct(t, s, s.Admin, c.ID, "open")
			callAct(t, s, s.Admin, c.ID, "next")
		}
	}
	openDisplay(t, b, s.URL+"/display?agency="+dukcapil.ID)
	b.WaitFor(`document.querySelectorAll(".chip").length > 0`, 5*time.Second)
	b.Screenshot("zone-40-counters-1920x1080")
	checkLayout(t, b)
	var pager string
	b.Eval(`document.getElementById("pager").hidden ? "" : document.getElementById("pager").textContent`, &pager)
	if pager != "1/2" {
		t.Errorf("40 counters: pager %q, want 1/2", pager)
	}

	// Without autoplay the page asks once for a tap.
	q := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	openDisplay(t, q, s.URL+"/display")
	q.WaitVisible("#unlock", 3*time.Second)
	q.Screenshot("1366x768-sound-prompt")
	q.Axe("display sound prompt (id)")
	openDisplay(t, q, s.URL+"/display?lang=en")
	q.WaitVisible("#unlock", 10*time.Second)
	q.Axe("display sound prompt (en)")
	b.NoErrors()
	q.NoErrors()
}

// checkLayout fails on text that overflows its box and on a called number
// smaller than a fifth of the screen's height.
func checkLayout(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	var out struct {
		NumberRatio float64  `json:"numberRatio"`
		Overflow    []string `json:"overflow"`
		PageHeight  float64  `json:"pageHeight"`
		ViewHeight  float64  `json:"viewHeight"`
	}
	b.Eval(`(() => {
		const num = document.getElementById("now-number");
		const overflow = [];
		for (const sel of ["#now-number", ".site", ".clock", ".r-counter", ".row-agency", ".row-wait", ".chip-number"]) {
			for (const el of document.querySelectorAll(sel)) {
				if (el.offsetParent && el.scrollWidth > el.clientWidth + 1) overflow.push(sel + ": " + el.textContent);
			}
		}
		return {
			numberRatio: parseFloat(getComputedStyle(num).fontSize) / innerHeight,
			overflow,
			pageHeight: document.documentElement.scrollHeight,
			viewHeight: innerHeight,
		};
	})()`, &out)
	if out.NumberRatio < 0.2 {
		t.Errorf("the called number is %.0f%% of the screen's height, want at least 20%%", out.NumberRatio*100)
	}
	if len(out.Overflow) > 0 {
		t.Errorf("text overflows: %q", out.Overflow)
	}
	if out.PageHeight > out.ViewHeight {
		t.Errorf("page is %v px high in a %v px window", out.PageHeight, out.ViewHeight)
	}
}

func mustJSON(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
