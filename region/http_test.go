package region_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/natstest"
	"github.com/mpp-digital/antrean/region"
)

// twoSites runs two malls publishing to one embedded NATS server and a
// region serving HTTP on the same fixed clock, and waits until the
// region has applied every event of both.
type twoSites struct {
	rr    *regionRun
	a, b  *apptest.Server
	clock *apptest.Clock
	day   string
}

func startTwoSites(t *testing.T) *twoSites {
	t.Helper()
	ns := natstest.Start(t)
	addSite(t, ns.URL(), "bintan", "MPP Kabupaten Bintan", 1)
	addSite(t, ns.URL(), "batam", "MPP Kota Batam", 1)
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	a := startSite(t, ns.URL(), "bintan", "", clock)
	b := startSite(t, ns.URL(), "batam", "", clock)
	ma, mb := a.SetupMall(), b.SetupMall()
	rr := startRegion(t, ns.URL(), "", func(c *region.Config) { c.Clock = clock.Now })
	if err := rr.R.AddUser("pemantau", "pemantau-pw-123", region.RoleViewer); err != nil {
		t.Fatal(err)
	}
	newSim(t, a, ma, 1).run(300)
	newSim(t, b, mb, 2).run(150)
	wa, wb := siteSeq(a), siteSeq(b)
	waitFor(t, "the region to apply both sites' events", 30*time.Second, func() bool {
		return uint64(rr.Obs.count("bintan")) >= wa && uint64(rr.Obs.count("batam")) >= wb
	})
	if err := rr.R.Serve(); err != nil {
		t.Fatal(err)
	}
	return &twoSites{rr: rr, a: a, b: b, clock: clock, day: clock.Now().Format("2006-01-02")}
}

func login(t testing.TB, base, user, pw string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	resp, err := http.Post(base+"/api/v1/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("login %s: %d %s", user, resp.StatusCode, b)
	}
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Token
}

func do(t testing.TB, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The JSON API: sign-in, the board of both sites, the summary and IKM
// across sites and filtered by site_id, and what a viewer may not do.
func TestRegionAPI(t *testing.T) {
	x := startTwoSites(t)
	base := x.rr.R.URL()

	if code, body := do(t, http.MethodGet, base+"/api/v1/board", "", ""); code != http.StatusUnauthorized || !strings.Contains(body, "Silakan masuk") {
		t.Fatalf("board without sign-in: %d %s", code, body)
	}
	if code, _ := do(t, http.MethodPost, base+"/api/v1/login", "", `{"username":"admin","password":"wrong-password"}`); code != http.StatusUnauthorized {
		t.Fatalf("a wrong password: %d", code)
	}
	admin := login(t, base, "admin", "region-admin-pw")
	viewer := login(t, base, "pemantau", "pemantau-pw-123")

	var board region.Board
	if code := getJSON(t, base+"/api/v1/board", viewer, &board); code != http.StatusOK {
		t.Fatalf("board: %d", code)
	}
	if len(board.Sites) != 2 || board.Sites[0].Name != "MPP Kabupaten Bintan" || board.Sites[1].SiteID != "batam" {
		t.Fatalf("board sites: %+v %+v", *board.Sites[0], *board.Sites[1])
	}
	if board.Totals.Issued != board.Sites[0].Issued+board.Sites[1].Issued || board.Totals.Issued == 0 ||
		board.Totals.Waiting != board.Sites[0].Waiting+board.Sites[1].Waiting {
		t.Errorf("totals %+v do not add up the sites", board.Totals)
	}

	q := "?from=" + x.day + "&to=" + x.day
	var all, one struct{ Rows []region.Row }
	getJSON(t, base+"/api/v1/reports/summary"+q+"&group_by=site", viewer, &all)
	if len(all.Rows) != 2 {
		t.Fatalf("summary by site: %+v", all.Rows)
	}
	getJSON(t, base+"/api/v1/reports/summary"+q+"&group_by=agency&site_id=batam", viewer, &one)
	if len(one.Rows) == 0 {
		t.Fatal("site_id=batam by agency: no rows")
	}
	for _, r := range one.Rows {
		if r.SiteID != "batam" {
			t.Errorf("site_id=batam gave a row of %q", r.SiteID)
		}
	}
	for _, r := range all.Rows {
		for _, b := range board.Sites {
			if b.SiteID == r.SiteID && (int(r.Issued) != b.Issued || int(r.Served) != b.Served) {
				t.Errorf("%s: the summary says %d issued %d served, the board %d and %d", r.SiteID, r.Issued, r.Served, b.Issued, b.Served)
			}
		}
	}
	var ikm region.IKMReport
	getJSON(t, base+"/api/v1/reports/ikm"+q, viewer, &ikm)
	if len(ikm.Sites) != 2 || ikm.Respondents != ikm.Sites[0].Respondents+ikm.Sites[1].Respondents || ikm.Respondents == 0 {
		t.Errorf("IKM across sites: %+v", ikm)
	}
	var ikmOne region.IKMReport
	getJSON(t, base+"/api/v1/reports/ikm"+q+"&site_id=bintan", viewer, &ikmOne)
	if len(ikmOne.Sites) != 1 || ikmOne.Sites[0].SiteID != "bintan" {
		t.Errorf("IKM of bintan: %+v", ikmOne.Sites)
	}
	if code, body := do(t, http.MethodGet, base+"/api/v1/reports/summary"+q+"&group_by=site&format=csv", viewer, ""); code != http.StatusOK ||
		!strings.Contains(body, "MPP Kota Batam") {
		t.Errorf("CSV: %d %s", code, body)
	}
	if code, body := do(t, http.MethodGet, base+"/api/v1/reports/summary"+q+"&group_by=site&site_id=Not+A+Site&lang=en", viewer, ""); code != http.StatusBadRequest ||
		!strings.Contains(body, "site_id") {
		t.Errorf("a bad site_id: %d %s", code, body)
	}

	// A viewer watches; only an admin manages users.
	if code, _ := do(t, http.MethodPost, base+"/api/v1/users", viewer, `{"username":"x","password":"password-123","role":"admin"}`); code != http.StatusForbidden {
		t.Errorf("a viewer adding a user: %d", code)
	}
	if code, body := do(t, http.MethodPost, base+"/api/v1/users", admin, `{"username":"provinsi","password":"password-123","role":"viewer"}`); code != http.StatusCreated {
		t.Errorf("an admin adding a viewer: %d %s", code, body)
	}
	code, body := do(t, http.MethodGet, base+"/api/v1/users", admin, "")
	if code != http.StatusOK || !strings.Contains(body, "provinsi") || strings.Contains(body, "hash") || strings.Contains(body, "$2") {
		t.Errorf("users: %d %s", code, body)
	}
	login(t, base, "provinsi", "password-123")
	if code, _ := do(t, http.MethodPost, base+"/api/v1/logout", viewer, ""); code != http.StatusNoContent {
		t.Errorf("logout: %d", code)
	}
	if code := getJSON(t, base+"/api/v1/board", viewer, nil); code != http.StatusUnauthorized {
		t.Errorf("board after logout: %d", code)
	}
	var ready map[string]any
	if code := getJSON(t, base+"/readyz", "", &ready); code != http.StatusOK || ready["sites"] != float64(2) || ready["nats_connected"] != true {
		t.Errorf("readyz: %d %v", code, ready)
	}
}

// region/openapi.json documents every route of the region's API, and
// the server serves it.
func TestRegionOpenAPIDocumentsEveryRoute(t *testing.T) {
	ns := natstest.Start(t)
	rr := startRegion(t, ns.URL(), "", nil)
	if err := rr.R.Serve(); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if code := getJSON(t, rr.R.URL()+"/api/v1/openapi.json", "", &doc); code != http.StatusOK || doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi.json: %d %q", code, doc.OpenAPI)
	}
	for _, rt := range rr.R.Routes() {
		method, path, _ := strings.Cut(rt, " ")
		if !strings.HasPrefix(path, "/api/") && path != "/readyz" && path != "/healthz" || strings.HasSuffix(path, "*") {
			continue
		}
		p := path
		if i := strings.Index(p, ":"); i >= 0 {
			p = p[:i] + "{" + p[i+1:] + "}"
		}
		if _, ok := doc.Paths[p][strings.ToLower(method)]; !ok {
			t.Errorf("%s %s is not in region/openapi.json", method, p)
		}
	}
}
