package metrics_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/internal/apptest"
)

// dashboard is what Grafana needs of deploy/grafana-dashboard.json to
// import it.
type dashboard struct {
	UID           string `json:"uid"`
	Title         string `json:"title"`
	SchemaVersion int    `json:"schemaVersion"`
	Panels        []struct {
		ID      int    `json:"id"`
		Type    string `json:"type"`
		Title   string `json:"title"`
		GridPos *struct {
			X, Y, W, H int
		} `json:"gridPos"`
		Datasource struct {
			Type string `json:"type"`
			UID  string `json:"uid"`
		} `json:"datasource"`
		Targets []struct {
			RefID string `json:"refId"`
			Expr  string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

var metricName = regexp.MustCompile(`\b(antrean|go|process)_[a-z0-9_]+\b`)

// The example dashboard is valid JSON of Grafana's dashboard model, and
// every metric its queries name is one a server exports: a renamed
// metric breaks this test, not the mall's dashboard. (The PromQL itself
// was checked with promtool check rules when it was written.)
func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile("../deploy/grafana-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("deploy/grafana-dashboard.json: %v", err)
	}
	if d.UID == "" || d.Title == "" || d.SchemaVersion == 0 || len(d.Panels) == 0 {
		t.Fatalf("dashboard: uid %q, title %q, schemaVersion %d, %d panels", d.UID, d.Title, d.SchemaVersion, len(d.Panels))
	}
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
	}
	if !vars["datasource"] {
		t.Error("dashboard: no datasource variable; panels name ${datasource}")
	}

	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	s.SetupMall()
	exported := scrape(t, s)
	known := func(name string) bool {
		if exported[name] != nil {
			return true
		}
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if base, ok := strings.CutSuffix(name, suffix); ok && exported[base] != nil {
				return true
			}
		}
		return false
	}

	ids := map[int]bool{}
	used := map[string]bool{}
	for _, p := range d.Panels {
		if p.ID == 0 || ids[p.ID] {
			t.Errorf("panel %q: id %d missing or not unique", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.Title == "" || p.Type == "" || p.GridPos == nil || p.GridPos.W == 0 || p.GridPos.H == 0 {
			t.Errorf("panel %d: title %q, type %q, gridPos %+v", p.ID, p.Title, p.Type, p.GridPos)
		}
		if p.Datasource.Type != "prometheus" || p.Datasource.UID != "${datasource}" {
			t.Errorf("panel %q: data source %+v, want the prometheus ${datasource}", p.Title, p.Datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			if q.RefID == "" || q.Expr == "" {
				t.Errorf("panel %q: a target without refId or expr", p.Title)
			}
			names := metricName.FindAllString(q.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q: %q names no metric", p.Title, q.Expr)
			}
			for _, n := range names {
				used[n] = true
				if !known(n) {
					t.Errorf("panel %q: %s is not exported by the server", p.Title, n)
				}
			}
		}
	}
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(map[string]any); ok {
			for _, n := range metricName.FindAllString(q["query"].(string), -1) {
				if !known(n) {
					t.Errorf("variable %s: %s is not exported by the server", v.Name, n)
				}
			}
		}
	}
	for _, want := range []string{"antrean_tickets_issued_total", "antrean_waiting", "antrean_wait_duration_seconds_bucket", "antrean_commit_duration_seconds_bucket", "antrean_websocket_clients", "antrean_http_errors_total"} {
		if !used[want] {
			t.Errorf("the dashboard has no panel on %s", want)
		}
	}
}
