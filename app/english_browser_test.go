package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// englishMall gives agency A English names, its first service English
// requirements and an English fee, its counter (Loket 1) an English name
// ("Registry desk 1"), the site an English running text and its first
// break an English name; agency B, its service (fee "Rp 30.000"), its
// counter (Loket 7), agency A's second service (fee "Rp 10.000") and the
// second break stay Indonesian only, to show the fallback.
func englishMall(t *testing.T, s *apptest.Server) *apptest.Mall {
	t.Helper()
	m := s.SetupMall()
	site := *s.App.Engine.State().Site
	site.RunningText, site.RunningTextEN = "Selamat datang di MPP Uji.", "Welcome to MPP Uji."
	site.Breaks = []queue.Break{
		{Name: "ISHOMA", NameEN: "Midday break", Days: []string{"mon", "tue", "wed", "thu"}, From: "12:00", To: "13:00"},
		{Name: "Salat Jumat", Days: []string{"fri"}, From: "11:30", To: "13:00"},
	}
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	a := m.AgencyA
	a.NameEN, a.ShortNameEN = "Population and Civil Registration Office", "Civil Registry"
	s.MustJSON(http.MethodPut, "/api/v1/agencies/"+a.ID, s.Admin, a, http.StatusOK, nil)
	svc := *s.App.Engine.State().Service(m.ServiceA1.ID)
	svc.NameEN, svc.RequirementsEN = "Electronic ID card enrolment", []string{"Electronic ID card"}
	svc.Fee, svc.FeeEN = "Rp 50.000 (PNBP)", "IDR 50,000 (state fee)"
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc, http.StatusOK, nil)
	for id, fee := range map[string]string{m.ServiceB1.ID: "Rp 30.000", m.ServiceA2.ID: "Rp 10.000"} {
		other := *s.App.Engine.State().Service(id)
		other.Fee = fee
		s.MustJSON(http.MethodPut, "/api/v1/services/"+id, s.Admin, other, http.StatusOK, nil)
	}
	s.MustJSON(http.MethodPut, "/api/v1/counters/"+m.CounterA.ID, s.Admin, map[string]any{
		"agency_id": m.AgencyA.ID, "name": "Loket 1", "name_en": "Registry desk 1", "service_ids": m.CounterA.ServiceIDs,
	}, http.StatusOK, nil)
	return m
}

// apiError is the JSON error of API.md.
type apiError struct {
	Error struct {
		Code   string            `json:"code"`
		Fields map[string]string `json:"fields"`
	} `json:"error"`
}

// refused checks that a request is refused as 400 invalid_input naming
// field, in words.
func refused(t *testing.T, r *apptest.Response, field string) {
	t.Helper()
	var e apiError
	_ = json.Unmarshal(r.Body, &e)
	if r.Status != http.StatusBadRequest || e.Error.Code != "invalid_input" || !strings.Contains(e.Error.Fields[field], "at most") {
		t.Errorf("want 400 invalid_input naming %s: %d %s", field, r.Status, r.Body)
	}
}

// TestEnglishFieldsAPI: the English fields go in and out through the
// API, into the visitor's view, the board and the events, each falling
// back to the Indonesian where it is empty; English requirements that do
// not match the Indonesian line by line are refused in words.
func TestEnglishFieldsAPI(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := englishMall(t, s)

	var a queue.Agency
	s.MustJSON(http.MethodGet, "/api/v1/agencies/"+m.AgencyA.ID, "", nil, http.StatusOK, &a)
	if a.NameEN != "Population and Civil Registration Office" || a.ShortNameEN != "Civil Registry" {
		t.Errorf("agency: %+v", a)
	}
	var site queue.Site
	s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
	if site.RunningTextEN != "Welcome to MPP Uji." {
		t.Errorf("site running_text_en %q", site.RunningTextEN)
	}
	if len(site.Breaks) != 2 || site.Breaks[0].NameEN != "Midday break" || site.Breaks[1].NameEN != "" {
		t.Errorf("site breaks %+v", site.Breaks)
	}
	var svcA queue.Service
	s.MustJSON(http.MethodGet, "/api/v1/services/"+m.ServiceA1.ID, "", nil, http.StatusOK, &svcA)
	if svcA.Fee != "Rp 50.000 (PNBP)" || svcA.FeeEN != "IDR 50,000 (state fee)" {
		t.Errorf("service fee %q, fee_en %q", svcA.Fee, svcA.FeeEN)
	}
	var ctrs struct{ Counters []queue.Counter }
	s.MustJSON(http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &ctrs)
	for _, k := range ctrs.Counters {
		want := map[string]string{m.CounterA.ID: "Registry desk 1"}[k.ID]
		if k.NameEN != want {
			t.Errorf("counter %s name_en %q, want %q", k.Name, k.NameEN, want)
		}
	}
	// A new counter takes its English name; an English name too long is
	// refused, in words, and changes nothing.
	var k2 queue.Counter
	s.MustJSON(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 2", "name_en": "Counter 2", "service_ids": []string{m.ServiceA1.ID}}, http.StatusCreated, &k2)
	if k2.NameEN != "Counter 2" {
		t.Errorf("a new counter's name_en %q", k2.NameEN)
	}
	long := strings.Repeat("x", 61)
	refused(t, s.Do(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 3", "name_en": long, "service_ids": []string{m.ServiceA1.ID}}), "name_en")
	refused(t, s.Do(http.MethodPut, "/api/v1/counters/"+k2.ID, s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 2", "name_en": long, "service_ids": []string{m.ServiceA1.ID}}), "name_en")
	s.MustJSON(http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &ctrs)
	if len(ctrs.Counters) != 3 || s.App.Engine.State().Counter(k2.ID).NameEN != "Counter 2" {
		t.Errorf("after the refused counters: %d counters, Loket 2's name_en %q", len(ctrs.Counters), s.App.Engine.State().Counter(k2.ID).NameEN)
	}
	tooLongFee := svcA
	tooLongFee.FeeEN = strings.Repeat("x", 201)
	refused(t, s.Do(http.MethodPut, "/api/v1/services/"+svcA.ID, s.Admin, tooLongFee), "fee_en")
	if got := s.App.Engine.State().Service(svcA.ID).FeeEN; got != "IDR 50,000 (state fee)" {
		t.Errorf("fee_en after a refused PUT: %q", got)
	}
	tooLongBreak := site
	tooLongBreak.Breaks = []queue.Break{{Name: "ISHOMA", NameEN: long, Days: []string{}, From: "12:00", To: "13:00"}}
	refused(t, s.Do(http.MethodPut, "/api/v1/site", s.Admin, tooLongBreak), "breaks[0].name_en")
	if got := s.App.Engine.State().Site.Breaks; len(got) != 2 || got[0].NameEN != "Midday break" {
		t.Errorf("breaks after a refused PUT: %+v", got)
	}
	svc := *s.App.Engine.State().Service(m.ServiceA1.ID)
	svc.RequirementsEN = []string{"one", "two"}
	r := s.Do(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc)
	var e struct {
		Error struct {
			Code   string
			Fields map[string]string
		}
	}
	_ = json.Unmarshal(r.Body, &e)
	if r.Status != http.StatusBadRequest || e.Error.Fields["requirements_en"] == "" {
		t.Errorf("mismatched requirements_en: %d %s", r.Status, r.Body)
	}
	// A new service left without them answers an empty list.
	var created queue.Service
	s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyB.ID, "code": "Z", "name": "Legalisir"}, http.StatusCreated, &created)
	if created.RequirementsEN == nil || len(created.RequirementsEN) != 0 {
		t.Errorf("a new service's requirements_en: %#v", created.RequirementsEN)
	}

	tA := s.Issue(m, m.ServiceA1.ID, false)
	tB := s.Issue(m, m.ServiceB1.ID, false)
	type visitorView struct {
		AgencyName     string   `json:"agency_name"`
		AgencyNameEN   string   `json:"agency_name_en"`
		ServiceNameEN  string   `json:"service_name_en"`
		Requirements   []string `json:"requirements"`
		RequirementsEN []string `json:"requirements_en"`
		Fee            string   `json:"fee"`
		FeeEN          string   `json:"fee_en"`
		CounterName    string   `json:"counter_name"`
		CounterNameEN  string   `json:"counter_name_en"`
	}
	var pub visitorView
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+tA.Ticket.ID+"?k="+tA.Key(), "", nil, http.StatusOK, &pub)
	if pub.AgencyName != "Dukcapil" || pub.AgencyNameEN != "Civil Registry" || strings.Join(pub.RequirementsEN, "|") != "Electronic ID card" || strings.Join(pub.Requirements, "|") != "KTP-el" ||
		pub.Fee != "Rp 50.000 (PNBP)" || pub.FeeEN != "IDR 50,000 (state fee)" {
		t.Errorf("visitor's view with English: %+v", pub)
	}
	pub = visitorView{}
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+tB.Ticket.ID+"?k="+tB.Key(), "", nil, http.StatusOK, &pub)
	if pub.AgencyNameEN != "Polres" || strings.Join(pub.RequirementsEN, "|") != "KTP-el" || pub.Fee != "Rp 30.000" || pub.FeeEN != "Rp 30.000" {
		t.Errorf("visitor's view falling back: %+v", pub)
	}
	var board struct {
		Services []struct{ ID, Name, NameEN string } `json:"services"`
	}
	raw := s.Do(http.MethodGet, "/api/v1/state", "", nil).Body
	var b2 struct {
		Services []map[string]any `json:"services"`
	}
	_ = json.Unmarshal(raw, &b2)
	for _, x := range b2.Services {
		board.Services = append(board.Services, struct{ ID, Name, NameEN string }{x["id"].(string), x["name"].(string), x["name_en"].(string)})
	}
	for _, x := range board.Services {
		want := x.Name
		if x.ID == m.ServiceA1.ID {
			want = "Electronic ID card enrolment"
		}
		if x.NameEN != want {
			t.Errorf("board service %s name_en %q, want %q", x.Name, x.NameEN, want)
		}
	}
	// The call's event names the agency and the service in both, and the
	// English announcement names the agency in English when asked to.
	site.AnnounceAgency = true
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	// Loket 1 ("Registry desk 1" in English) and Loket 7 (no English
	// name) each call one.
	for _, c := range []struct{ id, officer string }{{m.CounterA.ID, "officerA"}, {m.CounterB.ID, "officerB"}} {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+c.id+"/open", m.Tokens[c.officer], nil, http.StatusOK, nil)
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+c.id+"/next", m.Tokens[c.officer], nil, http.StatusOK, nil)
	}
	var evs struct {
		Events []struct {
			Type string
			Data struct {
				Agency struct {
					Name   string `json:"name"`
					NameEN string `json:"name_en"`
				} `json:"agency"`
				Service struct {
					Name   string `json:"name"`
					NameEN string `json:"name_en"`
				} `json:"service"`
				Counter struct {
					ID     string `json:"id"`
					Name   string `json:"name"`
					NameEN string `json:"name_en"`
				} `json:"counter"`
				Ticket struct {
					CounterName   string `json:"counter_name"`
					CounterNameEN string `json:"counter_name_en"`
				} `json:"ticket"`
				Announcement struct {
					ID      string `json:"id"`
					EN      string `json:"en"`
					ShortID string `json:"short_id"`
					ShortEN string `json:"short_en"`
				} `json:"announcement"`
			}
		}
	}
	s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, &evs)
	// The Indonesian call says the counter's name, the English one its
	// English name, or "counter" for "Loket" without one.
	type call struct{ name, nameEN, id, en, shortEN string }
	wantCall := map[string]call{
		m.CounterA.ID: {"Loket 1", "Registry desk 1", "silakan menuju loket satu.", "Ticket Civil Registry, A1, please go to registry desk one.", "A1, registry desk one."},
		m.CounterB.ID: {"Loket 7", "Loket 7", "silakan menuju loket tujuh.", "Ticket Polres, K1, please go to counter seven.", "K1, counter seven."},
	}
	found := 0
	for _, ev := range evs.Events {
		if ev.Type != "ticket.called" {
			continue
		}
		found++
		d := ev.Data
		w := wantCall[d.Counter.ID]
		if d.Counter.Name != w.name || d.Counter.NameEN != w.nameEN || d.Ticket.CounterName != w.name || d.Ticket.CounterNameEN != w.nameEN {
			t.Errorf("ticket.called names the counter %+v, its ticket %+v; want %q, %q", d.Counter, d.Ticket, w.name, w.nameEN)
		}
		if !strings.HasSuffix(d.Announcement.ID, w.id) || d.Announcement.EN != w.en || d.Announcement.ShortEN != w.shortEN {
			t.Errorf("announcement %+v, want %+v", d.Announcement, w)
		}
		if d.Counter.ID != m.CounterA.ID {
			continue
		}
		if d.Agency.Name != "Dukcapil" || d.Service.NameEN != "Electronic ID card enrolment" {
			t.Errorf("ticket.called names %+v", d)
		}
		if !strings.Contains(d.Announcement.EN, "Civil Registry") || !strings.Contains(d.Announcement.ID, "Dukcapil") {
			t.Errorf("announcement %+v", d.Announcement)
		}
	}
	if found != 2 {
		t.Errorf("%d ticket.called events, want 2", found)
	}
	// The board and the visitor's view name the counters in both.
	var board2 struct {
		Counters []struct {
			ID     string `json:"id"`
			Name   string `json:"name"`
			NameEN string `json:"name_en"`
		} `json:"counters"`
		RecentCalls []struct {
			Number        string `json:"number"`
			CounterName   string `json:"counter_name"`
			CounterNameEN string `json:"counter_name_en"`
		} `json:"recent_calls"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &board2)
	for _, k := range board2.Counters {
		if w, ok := wantCall[k.ID]; ok && (k.Name != w.name || k.NameEN != w.nameEN) {
			t.Errorf("board counter %+v, want %q, %q", k, w.name, w.nameEN)
		}
		if k.ID == k2.ID && k.NameEN != "Counter 2" {
			t.Errorf("board counter %+v", k)
		}
	}
	if len(board2.RecentCalls) != 2 || board2.RecentCalls[0].CounterNameEN != "Loket 7" || board2.RecentCalls[1].CounterNameEN != "Registry desk 1" {
		t.Errorf("recent calls %+v", board2.RecentCalls)
	}
	pub = visitorView{}
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+tA.Ticket.ID+"?k="+tA.Key(), "", nil, http.StatusOK, &pub)
	if pub.CounterName != "Loket 1" || pub.CounterNameEN != "Registry desk 1" {
		t.Errorf("called visitor's view names the counter %q, %q", pub.CounterName, pub.CounterNameEN)
	}

	// The pages rendered on the server: the visitor's page (its first
	// paint) and the print page show the English fee and counter name,
	// or the Indonesian ones where none is set; in Indonesian, the
	// Indonesian. The booking page lists the fees in its language.
	page := func(path string) string {
		t.Helper()
		r := s.Do(http.MethodGet, path, "", nil)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.Status)
		}
		return string(r.Body)
	}
	pages := []struct {
		path      string
		want, not []string
	}{
		// The visitor's page carries the whole view for its script: the
		// texts shown are what counts.
		{"/t/" + tA.Ticket.ID + "?k=" + tA.Key() + "&lang=en", []string{"</strong> IDR 50,000 (state fee)</p>", `id="called-counter">REGISTRY DESK 1<`}, nil},
		{"/t/" + tA.Ticket.ID + "?k=" + tA.Key(), []string{"</strong> Rp 50.000 (PNBP)</p>", `id="called-counter">LOKET 1<`}, nil},
		{"/t/" + tB.Ticket.ID + "?k=" + tB.Key() + "&lang=en", []string{"</strong> Rp 30.000</p>", `id="called-counter">LOKET 7<`}, nil},
		{"/t/" + tA.Ticket.ID + "/print?k=" + tA.Key() + "&lang=en", []string{"IDR 50,000 (state fee)"}, []string{"Rp 50.000"}},
		{"/t/" + tA.Ticket.ID + "/print?k=" + tA.Key(), []string{"Rp 50.000 (PNBP)"}, []string{"IDR 50,000"}},
		{"/t/" + tB.Ticket.ID + "/print?k=" + tB.Key() + "&lang=en", []string{"Rp 30.000"}, nil},
		{"/booking?lang=en", []string{"IDR 50,000 (state fee)", "Rp 30.000"}, []string{"Rp 50.000"}},
		{"/booking", []string{"Rp 50.000 (PNBP)", "Rp 30.000"}, []string{"IDR 50,000"}},
	}
	for _, p := range pages {
		html := page(p.path)
		for _, w := range p.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s lacks %q", p.path, w)
			}
		}
		for _, n := range p.not {
			if strings.Contains(html, n) {
				t.Errorf("%s shows %q", p.path, n)
			}
		}
	}
	raw = s.Do(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil).Body
	if !strings.Contains(string(raw), `"name_en":"Civil Registry"`) {
		t.Errorf("no event names the agency in English")
	}
}

// TestEnglishContentOnScreens: the visitor's page, the lobby display,
// the kiosk, the booking page, the survey tablet and the officer console
// in English show the English agency names, requirements, fees, counter
// names, break names and running text, and the Indonesian ones where none
// are set; in Indonesian, the Indonesian.
func TestEnglishContentOnScreens(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := englishMall(t, s)
	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	body := func() string {
		var s string
		b.Eval(`document.body.innerText`, &s)
		return s
	}
	tA := s.Issue(m, m.ServiceA1.ID, false)
	s.Issue(m, m.ServiceB1.ID, false) // K001, called at Loket 7
	s.Issue(m, m.ServiceA1.ID, false) // A002, called while the display looks on
	open := func(counter, officer string) {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+counter+"/open", m.Tokens[officer], nil, http.StatusOK, nil)
	}
	next := func(counter, officer string) {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+counter+"/next", m.Tokens[officer], nil, http.StatusOK, nil)
	}

	// The visitor's page in English: the English fee; called, its script
	// sends the visitor to the counter's English name.
	b.Open(tA.StatusURL + "&lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	if got := b.Text(".fee"); !strings.Contains(got, "IDR 50,000 (state fee)") {
		t.Errorf("visitor's page fee: %q", got)
	}
	open(m.CounterA.ID, "officerA")
	next(m.CounterA.ID, "officerA")
	b.WaitText("#called-counter", "REGISTRY DESK 1", 5*time.Second)
	if got := b.Text("#message"); !strings.Contains(got, "Registry desk 1") {
		t.Errorf("visitor's page message: %q", got)
	}
	// Loket 7, without an English name, calls K001.
	open(m.CounterB.ID, "officerB")
	next(m.CounterB.ID, "officerB")

	// The lobby display: the tiles, the big panel and the last calls
	// name the counters in the screen's language, from the snapshot
	// (A001, K001) and from a call's event (A002).
	calls := func(want ...string) {
		t.Helper()
		expr := `(() => {
			const pairs = [...document.querySelectorAll("#recent li")].map((li) => li.querySelector(".r-number").textContent + " " + li.querySelector(".r-counter").textContent);
			pairs.push(document.getElementById("now-number").textContent + " " + document.getElementById("now-counter").textContent);
			return pairs.map((p) => p.toLowerCase());
		})()`
		var got []string
		for range 100 { // 5 s
			b.Eval(expr, &got)
			missing := false
			for _, w := range want {
				missing = missing || !slices.Contains(got, w)
			}
			if !missing {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("the display's calls are %q, want %q among them", got, want)
	}
	b.Open(s.URL + "/display?lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitText("#ticker-text", "Welcome to MPP Uji.", 3*time.Second)
	calls("a001 registry desk 1", "k001 loket 7")
	next(m.CounterA.ID, "officerA")
	calls("a002 registry desk 1", "k001 loket 7")
	if got := body(); !strings.Contains(got, "Civil Registry") || !strings.Contains(got, "Polres") || strings.Contains(got, "Dukcapil") {
		t.Errorf("English display:\n%s", got)
	}
	if got := strings.ToLower(b.Text("#rows")); !strings.Contains(got, "registry desk 1") || !strings.Contains(got, "loket 7") || strings.Contains(got, "loket 1") {
		t.Errorf("English display's counters:\n%s", got)
	}
	b.Screenshot("display-en")
	b.Axe("display (en)")
	b.Open(s.URL + "/display")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitText("#ticker-text", "Selamat datang di MPP Uji.", 3*time.Second)
	calls("a002 loket 1", "k001 loket 7")
	if got := body(); !strings.Contains(got, "Dukcapil") || strings.Contains(strings.ToLower(got), "registry desk") {
		t.Errorf("Indonesian display:\n%s", got)
	}
	// No English running text: the Indonesian one.
	site := *s.App.Engine.State().Site
	site.RunningTextEN = ""
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	b.Open(s.URL + "/display?lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitText("#ticker-text", "Selamat datang di MPP Uji.", 3*time.Second)

	// The booking page.
	b.Open(s.URL + "/booking?lang=en")
	b.WaitVisible(`[data-agency="`+m.AgencyA.ID+`"]`, 10*time.Second)
	if got := b.Text(`[data-agency="` + m.AgencyA.ID + `"]`); !strings.Contains(got, "Civil Registry") {
		t.Errorf("booking agency choice: %q", got)
	}
	if got := b.Text(`[data-agency="` + m.AgencyB.ID + `"]`); !strings.Contains(got, "Polres") {
		t.Errorf("booking agency without English: %q", got)
	}
	b.Click(`[data-agency="` + m.AgencyA.ID + `"]`)
	b.WaitFor(`document.body.innerText.includes("Electronic ID card enrolment")`, 3*time.Second)
	// Kartu Keluarga has no English requirements nor fee: its Indonesian
	// ones.
	if got := body(); !strings.Contains(got, "Electronic ID card\n") || !strings.Contains(got, "Kartu Keluarga") || !strings.Contains(got, "KTP-el") ||
		!strings.Contains(got, "IDR 50,000 (state fee)") || !strings.Contains(got, "Rp 10.000") || strings.Contains(got, "Rp 50.000") {
		t.Errorf("booking services in English:\n%s", got)
	}
	b.Axe("booking services (en)")

	// The kiosk switched to English: the English fee, and the
	// Indonesian one where none is set.
	b.Open(s.URL + "/kiosk?device=" + url.QueryEscape(m.Tokens["kiosk"]) + "&print=none")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.Click("#lang-en")
	b.WaitFor(`document.documentElement.lang === "en"`, 3*time.Second)
	b.Click(`.tile[data-agency="` + m.AgencyA.ID + `"]`)
	b.WaitText(`[data-service="`+m.ServiceA1.ID+`"] .facts`, "IDR 50,000 (state fee)", 3*time.Second)
	if got := b.Text(`[data-service="` + m.ServiceA2.ID + `"] .facts`); !strings.Contains(got, "Rp 10.000") {
		t.Errorf("kiosk fee without English: %q", got)
	}

	// The survey tablet at Loket 1, switched to English.
	var d struct{ Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": "survey", "name": "Tablet", "counter_id": m.CounterA.ID}, http.StatusCreated, &d)
	b.Open(s.URL + "/survey?device=" + url.QueryEscape(d.Token))
	b.WaitText("#counter", "Loket 1 · Dukcapil", 10*time.Second)
	b.Click("#lang-en")
	b.WaitText("#counter", "Registry desk 1 · Civil Registry", 3*time.Second)
	b.Axe("survey tablet (en)")

	// The officer console in English: its counter by its English name;
	// the break dialog offers the site's breaks by their English names
	// (Salat Jumat has none), and the break taken is said in English
	// while the counter keeps the Indonesian name as its reason.
	b.Open(s.URL + "/counter?lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitVisible("#login-form", 5*time.Second)
	b.Type("#login-username", m.Users["officerA"].Username)
	b.Type("#login-password", apptest.StaffPassword+kb.Enter)
	b.WaitVisible(`#picker-view [data-counter="`+m.CounterA.ID+`"]`, 5*time.Second)
	if got := b.Text(`#picker-view [data-counter="` + m.CounterA.ID + `"]`); !strings.Contains(got, "Registry desk 1") {
		t.Errorf("console's counter choice: %q", got)
	}
	b.Click(`#picker-view [data-counter="` + m.CounterA.ID + `"]`)
	b.WaitText("#counter-name", "Registry desk 1", 5*time.Second)
	b.Keys(kb.F9)
	b.WaitVisible("#pause-dialog", 3*time.Second)
	var reasons []string
	b.Eval(`[...document.querySelectorAll("#pause-form label")].filter((l) => l.offsetParent && !l.closest("[hidden]")).map((l) => l.textContent.trim())`, &reasons)
	if len(reasons) < 2 || reasons[0] != "Midday break" || reasons[1] != "Salat Jumat" || slices.ContainsFunc(reasons, func(r string) bool { return strings.HasPrefix(r, "ISHOMA") }) {
		t.Errorf("the break dialog offers %q", reasons)
	}
	b.Screenshot("console-break-en")
	b.Keys(kb.Enter)
	b.WaitText("#counter-state", "On break · Midday break", 5*time.Second)
	if got := b.Text("#result-text"); got != "Registry desk 1 is on a break: Midday break." {
		t.Errorf("the console says %q", got)
	}
	if k := s.App.Engine.State().Counter(m.CounterA.ID); k.Status != queue.CounterPaused || k.PauseReason != "ISHOMA" {
		t.Errorf("after the break the counter is %s for %q", k.Status, k.PauseReason)
	}
	b.NoErrors()
}

// TestDemoKioskEnglish: the kiosk in English with the demo mall shows the
// agencies' English names and the services' English requirements.
func TestDemoKioskEnglish(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday, Demo: true})
	var agencies struct{ Agencies []queue.Agency }
	s.MustJSON(http.MethodGet, "/api/v1/agencies", "", nil, http.StatusOK, &agencies)
	var dkp queue.Agency
	for _, a := range agencies.Agencies {
		if a.Code == "DKP" {
			dkp = a
		}
	}
	if dkp.ID == "" {
		t.Fatal("no Dukcapil in the demo")
	}
	var d struct{ Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": "kiosk", "name": "Kios Uji"}, http.StatusCreated, &d)
	b := browsertest.New(t, browsertest.Options{Width: 1920, Height: 1080})
	b.Open(s.URL + "/kiosk?device=" + url.QueryEscape(d.Token) + "&print=none")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.Click("#lang-en")
	b.WaitFor(`document.documentElement.lang === "en"`, 3*time.Second)
	tile := `.tile[data-agency="` + dkp.ID + `"]`
	b.WaitText(tile, "Civil Registry", 3*time.Second)
	b.Screenshot("demo-start-english")
	b.Click(tile)
	b.WaitFor(`document.body.innerText.includes("Photocopy of the Kartu Keluarga (family card)")`, 5*time.Second)
	if got := b.Text("#agency-name"); got != dkp.NameEN {
		t.Errorf("the agency screen's heading in English is %q, want %q", got, dkp.NameEN)
	}
	b.Screenshot("demo-agency-english")
	b.NoErrors()
}
