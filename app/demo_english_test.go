package app_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// TestDemoEnglish: the demo mall (demo-mall.json, through the loader)
// gives every agency, every service (its fee too), every counter, every
// break and the running text their English fields, each service one
// English requirement per Indonesian one, and
// the public API hands them out to a client asking for English. Without
// them the demo's English screens fall back to Indonesian and look
// untranslated.
func TestDemoEnglish(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday, Demo: true})
	get := func(path string, out any) {
		t.Helper()
		r := s.Do(http.MethodGet, path, "", nil, "Accept-Language", "en")
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
		}
		r.JSON(t, out)
	}

	var agencies struct{ Agencies []queue.Agency }
	get("/api/v1/agencies", &agencies)
	if len(agencies.Agencies) != 10 {
		t.Errorf("the demo has %d agencies, want 10", len(agencies.Agencies))
	}
	for _, a := range agencies.Agencies {
		if a.NameEN == "" || a.ShortNameEN == "" || a.NameEN == a.Name {
			t.Errorf("agency %s without English: name_en %q, short_name_en %q", a.Code, a.NameEN, a.ShortNameEN)
		}
	}

	var services struct{ Services []queue.Service }
	get("/api/v1/services", &services)
	if len(services.Services) < 18 {
		t.Errorf("the demo has %d services, want 18", len(services.Services))
	}
	for _, svc := range services.Services {
		if svc.NameEN == "" {
			t.Errorf("service %s without name_en", svc.Code)
		}
		if svc.Fee == "" || svc.FeeEN == "" || svc.FeeEN == svc.Fee {
			t.Errorf("service %s: fee %q, fee_en %q", svc.Code, svc.Fee, svc.FeeEN)
		}
		if len(svc.Requirements) == 0 {
			t.Errorf("service %s without requirements", svc.Code)
		}
		if len(svc.RequirementsEN) != len(svc.Requirements) {
			t.Errorf("service %s: %d requirements_en for %d requirements", svc.Code, len(svc.RequirementsEN), len(svc.Requirements))
			continue
		}
		if slices.Equal(svc.RequirementsEN, svc.Requirements) {
			t.Errorf("service %s: requirements_en copy the Indonesian: %q", svc.Code, svc.RequirementsEN)
		}
		for i, r := range svc.RequirementsEN {
			if r == "" {
				t.Errorf("service %s: requirements_en[%d] is empty", svc.Code, i)
			}
		}
	}

	var one queue.Service
	get("/api/v1/services/"+services.Services[0].ID, &one)
	if len(one.RequirementsEN) == 0 || len(one.RequirementsEN) != len(one.Requirements) {
		t.Errorf("GET one service: requirements_en %q for %q", one.RequirementsEN, one.Requirements)
	}

	var counters struct{ Counters []queue.Counter }
	get("/api/v1/counters", &counters)
	if len(counters.Counters) != 17 {
		t.Errorf("the demo has %d counters, want 17", len(counters.Counters))
	}
	for _, k := range counters.Counters {
		if want := strings.Replace(k.Name, "Loket", "Counter", 1); k.NameEN != want {
			t.Errorf("counter %s: name_en %q, want %q", k.Name, k.NameEN, want)
		}
	}

	var site queue.Site
	get("/api/v1/site", &site)
	if site.RunningTextEN == "" || site.RunningTextEN == site.RunningText {
		t.Errorf("the demo's running_text_en %q (running_text %q)", site.RunningTextEN, site.RunningText)
	}
	if len(site.Breaks) == 0 {
		t.Error("the demo has no breaks")
	}
	for _, b := range site.Breaks {
		if b.NameEN == "" || b.NameEN == b.Name {
			t.Errorf("break %s: name_en %q", b.Name, b.NameEN)
		}
	}
}
