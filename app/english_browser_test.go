package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// englishMall gives agency A English names and its first service English
// requirements, the site an English running text; agency B and its
// service stay Indonesian only, to show the fallback.
func englishMall(t *testing.T, s *apptest.Server) *apptest.Mall {
	t.Helper()
	m := s.SetupMall()
	site := *s.App.Engine.State().Site
	site.RunningText, site.RunningTextEN = "Selamat datang di MPP Uji.", "Welcome to MPP Uji."
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	a := m.AgencyA
	a.NameEN, a.ShortNameEN = "Population and Civil Registration Office", "Civil Registry"
	s.MustJSON(http.MethodPut, "/api/v1/agencies/"+a.ID, s.Admin, a, http.StatusOK, nil)
	svc := *s.App.Engine.State().Service(m.ServiceA1.ID)
	svc.NameEN, svc.RequirementsEN = "Electronic ID card enrolment", []string{"Electronic ID card"}
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, s.Admin, svc, http.StatusOK, nil)
	return m
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
	var pub struct {
		AgencyName     string   `json:"agency_name"`
		AgencyNameEN   string   `json:"agency_name_en"`
		ServiceNameEN  string   `json:"service_name_en"`
		Requirements   []string `json:"requirements"`
		RequirementsEN []string `json:"requirements_en"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+tA.Ticket.ID+"?k="+tA.Key(), "", nil, http.StatusOK, &pub)
	if pub.AgencyName != "Dukcapil" || pub.AgencyNameEN != "Civil Registry" || strings.Join(pub.RequirementsEN, "|") != "Electronic ID card" || strings.Join(pub.Requirements, "|") != "KTP-el" {
		t.Errorf("visitor's view with English: %+v", pub)
	}
	pub = struct {
		AgencyName     string   `json:"agency_name"`
		AgencyNameEN   string   `json:"agency_name_en"`
		ServiceNameEN  string   `json:"service_name_en"`
		Requirements   []string `json:"requirements"`
		RequirementsEN []string `json:"requirements_en"`
	}{}
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+tB.Ticket.ID+"?k="+tB.Key(), "", nil, http.StatusOK, &pub)
	if pub.AgencyNameEN != "Polres" || strings.Join(pub.RequirementsEN, "|") != "KTP-el" {
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
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", m.Tokens["officerA"], nil, http.StatusOK, nil)
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
				Announcement struct{ ID, EN string } `json:"announcement"`
			}
		}
	}
	s.MustJSON(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil, http.StatusOK, &evs)
	found := false
	for _, ev := range evs.Events {
		if ev.Type != "ticket.called" {
			continue
		}
		found = true
		d := ev.Data
		if d.Agency.Name != "Dukcapil" || d.Service.NameEN != "Electronic ID card enrolment" {
			t.Errorf("ticket.called names %+v", d)
		}
		if !strings.Contains(d.Announcement.EN, "Civil Registry") || !strings.Contains(d.Announcement.ID, "Dukcapil") {
			t.Errorf("announcement %+v", d.Announcement)
		}
	}
	if !found {
		t.Error("no ticket.called event")
	}
	raw = s.Do(http.MethodGet, "/api/v1/events?limit=10000", s.Admin, nil).Body
	if !strings.Contains(string(raw), `"name_en":"Civil Registry"`) {
		t.Errorf("no event names the agency in English")
	}
}

// TestEnglishContentOnScreens: the lobby display, the booking page and
// the survey tablet in English show the English agency names,
// requirements and running text, and the Indonesian ones where none are
// set; in Indonesian, the Indonesian.
func TestEnglishContentOnScreens(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := englishMall(t, s)
	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})

	// The lobby display.
	b.Open(s.URL + "/display?lang=en")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitText("#ticker-text", "Welcome to MPP Uji.", 3*time.Second)
	body := func() string {
		var s string
		b.Eval(`document.body.innerText`, &s)
		return s
	}
	if got := body(); !strings.Contains(got, "Civil Registry") || !strings.Contains(got, "Polres") || strings.Contains(got, "Dukcapil") {
		t.Errorf("English display:\n%s", got)
	}
	b.Axe("display (en)")
	b.Open(s.URL + "/display")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitText("#ticker-text", "Selamat datang di MPP Uji.", 3*time.Second)
	if got := body(); !strings.Contains(got, "Dukcapil") {
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
	// Kartu Keluarga has no English requirements: its Indonesian ones.
	if got := body(); !strings.Contains(got, "Electronic ID card\n") || !strings.Contains(got, "Kartu Keluarga") || !strings.Contains(got, "KTP-el") {
		t.Errorf("booking services in English:\n%s", got)
	}
	b.Axe("booking services (en)")

	// The survey tablet at Loket 1, switched to English.
	var d struct{ Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", s.Admin, map[string]string{"kind": "survey", "name": "Tablet", "counter_id": m.CounterA.ID}, http.StatusCreated, &d)
	b.Open(s.URL + "/survey?device=" + url.QueryEscape(d.Token))
	b.WaitText("#counter", "Dukcapil", 10*time.Second)
	b.Click("#lang-en")
	b.WaitText("#counter", "Civil Registry", 3*time.Second)
	b.Axe("survey tablet (en)")
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
