package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
)

var wib = time.FixedZone("WIB", 7*3600)

// reportWorld is three mornings of work through the API on a fixed
// clock — Monday 23 and Tuesday 24 November 2026, and today, Thursday
// the 26th, still going on at 11.00 — with survey answers after each:
// every served visitor rates, some give a profile or a comment.
func reportWorld(t *testing.T) (*apptest.Server, *apptest.Mall) {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Start: time.Date(2026, 11, 23, 7, 30, 0, 0, wib)})
	m := s.SetupMall()
	genders := []string{"L", "P", ""}
	ages := []string{"20-29", "30-39", "40-49", "<20", "60+"}
	edu := []string{"SMA", "S1", "SMP", "D1-D3"}
	jobs := []string{"Swasta", "PNS", "Wirausaha", "Lainnya"}
	comments := []string{"Petugas ramah dan cepat.", "", "Ruang tunggu kurang kursi.", "", "Antrean SKCK terlalu lama.", ""}
	n := 0
	for i, d := range []int{23, 24, 26} {
		w := s.DoWork(m, time.Date(2026, 11, d, 8, 0, 0, 0, wib), i, d != 26)
		for _, tk := range w.Tickets {
			if !tk.Done {
				continue
			}
			n++
			scores := make([]int, 9)
			for j := range scores {
				scores[j] = 4 - (n+j)%3
				if j == 7 { // complaint handling: the weakest
					scores[j] = 2 + n%2
				}
			}
			body := map[string]any{"scores": scores, "comment": comments[n%len(comments)]}
			if n%4 != 3 {
				body["profile"] = map[string]string{"gender": genders[n%3], "age_band": ages[n%5], "education": edu[n%4], "occupation": jobs[n%4]}
			}
			s.Clock.Add(time.Minute)
			s.MustJSON(http.MethodPost, "/api/v1/tickets/"+tk.ID+"/feedback?k="+tk.Key, "", body, http.StatusCreated, nil)
		}
	}
	return s, m
}

// waitReady waits for a report page to have loaded what it asked for.
func waitReady(b *browsertest.Browser) {
	b.T.Helper()
	b.WaitFor(`document.getElementById("page").dataset.state === "ready"`, 10*time.Second)
}

// checkCharts: every chart is a figure titled by its h2, its SVG an image
// labelled by the title and the description, and its numbers a table
// under "Lihat angka" / "Show the numbers"; answers each chart's table
// as text cells.
func checkCharts(t *testing.T, b *browsertest.Browser, ids ...string) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, id := range ids {
		var c struct {
			Title, Desc, Label, Summary string
			Rows                        [][]string
			Role                        string
		}
		b.Eval(fmt.Sprintf(`(() => {
			const f = document.getElementById(%q);
			if (!f) return null;
			const svg = f.querySelector("svg.chart-svg");
			const label = svg ? svg.getAttribute("aria-labelledby").split(" ").map((id) => document.getElementById(id).textContent).join(" | ") : "";
			const d = f.querySelector("details.chart-numbers");
			return {
				title: f.querySelector("h2").textContent,
				desc: f.querySelector(".chart-desc").textContent,
				label, role: svg ? svg.getAttribute("role") : "",
				summary: d ? d.querySelector("summary").textContent : "",
				rows: d ? [...d.querySelectorAll("tbody tr")].map((tr) => [...tr.cells].map((c) => c.textContent)) : [],
			};
		})()`, id), &c)
		if c.Title == "" || c.Role != "img" || c.Label != c.Title+" | "+c.Desc || c.Summary == "" || len(c.Rows) == 0 {
			t.Errorf("chart %s: title %q, role %q, labelled %q, numbers %q with %d rows", id, c.Title, c.Role, c.Label, c.Summary, len(c.Rows))
		}
		out[id] = c.Rows
	}
	return out
}

// idNum writes a whole number as the Indonesian page does (1.234).
func idNum(v int64) string {
	s := strconv.FormatInt(v, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}

// idPct writes a percentage with its decimal comma ("62,5 %").
func idPct(p *float64) string {
	if p == nil {
		return "—"
	}
	return strings.Replace(strconv.FormatFloat(*p, 'f', 1, 64), ".", ",", 1) + " %"
}

// idMin writes seconds as the page does: minutes with one decimal.
func idMin(sec *int64) string {
	if sec == nil {
		return "—"
	}
	tenths := (*sec*10 + 30) / 60
	return fmt.Sprintf("%d,%d mnt", tenths/10, tenths%10)
}

type summaryRow struct {
	Key, Label                        string
	Issued, Served, NoShow, Cancelled int64
	NoShowPct                         *float64 `json:"no_show_pct"`
	AvgWaitS                          *int64   `json:"avg_wait_s"`
	P90WaitS                          *int64   `json:"p90_wait_s"`
	AvgServiceS                       *int64   `json:"avg_service_s"`
	WithinTargetPct                   *float64 `json:"within_target_pct"`
}

// checkTable compares the page's summary table with the API's rows.
func checkTable(t *testing.T, b *browsertest.Browser, s *apptest.Server, token, query string) {
	t.Helper()
	var api struct{ Rows []summaryRow }
	s.MustJSON(http.MethodGet, "/api/v1/reports/summary?"+query, token, nil, http.StatusOK, &api)
	var shown [][]string
	b.Eval(`[...document.querySelectorAll("#report-table tbody tr")].map((tr) => [tr.dataset.key, ...[...tr.cells].map((c) => c.textContent)])`, &shown)
	if len(shown) != len(api.Rows) || len(api.Rows) == 0 {
		t.Fatalf("%s: the page shows %d rows, the API has %d", query, len(shown), len(api.Rows))
	}
	for i, r := range api.Rows {
		want := []string{r.Key, r.Label, idNum(r.Issued), idNum(r.Served), idNum(r.NoShow), idPct(r.NoShowPct), idNum(r.Cancelled),
			idMin(r.AvgWaitS), idMin(r.P90WaitS), idMin(r.AvgServiceS), idPct(r.WithinTargetPct)}
		if !slices.Equal(shown[i], want) {
			t.Errorf("%s row %d: page %q, API %q", query, i, shown[i], want)
		}
	}
}

// pick a preset of the range picker as a person does.
func preset(b *browsertest.Browser, scope, p string) {
	b.T.Helper()
	b.Eval(`document.getElementById("page").dataset.state = "changing"`, nil)
	b.Click(fmt.Sprintf(`label[for="%s-%s"]`, scope, p))
}

// printFits emulates print media at the width of A4 landscape's
// printable area (277 mm at 96 dpi, 10 mm margins) and reports what sticks
// out of it; then prints the page to a PDF next to the screenshots.
func printFits(t *testing.T, b *browsertest.Browser, name string) {
	t.Helper()
	const width = 1047 // 277 mm
	media := func(m string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return err
		})
	}
	b.Do(media("print"), chromedp.EmulateViewport(width, 740))
	var over []string
	b.Eval(fmt.Sprintf(`(() => {
		const out = [];
		for (const el of document.querySelectorAll("body *")) {
			const r = el.getBoundingClientRect();
			if (r.width && r.right > %d + 1) out.push(el.tagName + "#" + el.id + "." + el.className + " " + Math.round(r.right));
		}
		if (document.documentElement.scrollWidth > %d + 1) out.push("page " + document.documentElement.scrollWidth);
		return out.slice(0, 10);
	})()`, width, width), &over)
	if len(over) > 0 {
		t.Errorf("%s: printed on A4 landscape, these stick out: %q", name, over)
	}
	var shown struct{ Nav, Filters, Head bool }
	b.Eval(`({nav: !!document.querySelector(".side").offsetParent, filters: !!document.querySelector(".filters").offsetParent,
		head: !!document.querySelector(".print-head").offsetParent})`, &shown)
	if shown.Nav || shown.Filters || !shown.Head {
		t.Errorf("%s: in print the navigation shows %v, the controls %v, the print heading %v", name, shown.Nav, shown.Filters, shown.Head)
	}
	var pdf []byte
	yes := true
	b.Do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		res, err := cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{Landscape: &yes, PrintBackground: &yes, PreferCSSPageSize: &yes, PaperWidth: 8.27, PaperHeight: 11.69})
		if err == nil {
			pdf = res.Data
		}
		return err
	}))
	if len(pdf) < 1000 || string(pdf[:4]) != "%PDF" {
		t.Errorf("%s: printing made no PDF (%d bytes)", name, len(pdf))
	}
	path := filepath.Join(browsertest.ScreenshotDir(t), strings.ReplaceAll(t.Name(), "/", "-")+"-"+name+".pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Error(err)
	}
	t.Logf("printed: %s", path)
	b.Do(media(""))
	b.Viewport(1366, 768)
}

// TestReportScreen: an admin opens Laporan over three days of work: the
// summary table matches the API for today and for this month, grouped
// as chosen; each chart has its numbers as a table, which match the
// chart APIs; the CSV link downloads the same rows; the page prints on
// A4 landscape with nothing sticking out; axe finds nothing serious in
// either language. A supervisor sees their own agency only.
func TestReportScreen(t *testing.T) {
	t.Parallel()
	s, m := reportWorld(t)
	b := openAdmin(t, s, "admin", apptest.AdminPassword)
	gotoPage(b, "laporan")
	waitReady(b)
	if got := b.Text("#report-period-line"); got != "Periode Kamis, 26 November 2026 · Semua instansi" {
		t.Errorf("period line %q", got)
	}
	checkTable(t, b, s, s.Admin, "from=2026-11-26&to=2026-11-26&group_by=service")
	b.Screenshot("laporan-today-1366x768")

	// This month, by agency.
	preset(b, "report-period", "month")
	waitReady(b)
	choose(b, "#report-group", "Instansi")
	waitReady(b)
	checkTable(t, b, s, s.Admin, "from=2026-11-01&to=2026-11-26&group_by=agency")
	if got := b.Text("#report-period-line"); got != "Periode 1 November 2026 – 26 November 2026 · Semua instansi" {
		t.Errorf("period line %q", got)
	}
	var href string
	b.Eval(`document.getElementById("report-csv").getAttribute("href")`, &href)
	if href != "/api/v1/reports/summary?from=2026-11-01&to=2026-11-26&group_by=agency&format=csv" {
		t.Errorf("CSV link %q", href)
	}
	var csv struct {
		Status int
		Type   string
		Text   string
	}
	b.Eval(`fetch(document.getElementById("report-csv").href, {credentials: "same-origin"}).then(async (r) => ({status: r.status, type: r.headers.get("Content-Type"), text: await r.text()}))`, &csv)
	if csv.Status != http.StatusOK || csv.Type != "text/csv; charset=utf-8" || !strings.Contains(csv.Text, "Dukcapil") || !strings.Contains(csv.Text, "Polres") {
		t.Errorf("the CSV link: %d %s %q", csv.Status, csv.Type, csv.Text)
	}

	rows := checkCharts(t, b, "chart-hourly", "chart-waits", "chart-heatmap", "chart-longest")
	q := "from=2026-11-01&to=2026-11-26"
	var waits struct {
		Bins []struct {
			FromMin      int  `json:"from_min"`
			ToMin        *int `json:"to_min"`
			Waits        int64
			WithinTarget int64 `json:"within_target"`
		}
		WithinTargetPct *float64 `json:"within_target_pct"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/reports/waits?"+q, s.Admin, nil, http.StatusOK, &waits)
	if len(rows["chart-waits"]) != len(waits.Bins) {
		t.Errorf("waits table %q, API %d bins", rows["chart-waits"], len(waits.Bins))
	} else {
		for i, bn := range waits.Bins {
			r := rows["chart-waits"][i]
			if r[1] != idNum(bn.Waits) || r[2] != idNum(bn.WithinTarget) || r[3] != idNum(bn.Waits-bn.WithinTarget) {
				t.Errorf("waits bin %d: page %q, API %+v", i, r, bn)
			}
		}
	}
	if got := b.Text("#chart-waits-pct"); !strings.HasPrefix(got, idPct(waits.WithinTargetPct)) {
		t.Errorf("share within target %q, API %s", got, idPct(waits.WithinTargetPct))
	}
	var heat struct {
		Rows []struct {
			Weekday string
			Total   int64
		}
	}
	s.MustJSON(http.MethodGet, "/api/v1/reports/heatmap?"+q, s.Admin, nil, http.StatusOK, &heat)
	for i, r := range heat.Rows {
		row := rows["chart-heatmap"][i]
		if row[len(row)-2] != idNum(r.Total) {
			t.Errorf("heatmap %s: page total %q, API %d", r.Weekday, row[len(row)-2], r.Total)
		}
	}
	var longest struct {
		Waits []struct {
			Number string
			WaitS  int64 `json:"wait_s"`
		}
	}
	s.MustJSON(http.MethodGet, "/api/v1/reports/longest?day=2026-11-26", s.Admin, nil, http.StatusOK, &longest)
	if len(rows["chart-longest"]) != len(longest.Waits) {
		t.Errorf("longest waits: page %q, API %+v", rows["chart-longest"], longest.Waits)
	} else {
		for i, w := range longest.Waits {
			if r := rows["chart-longest"][i]; r[0] != w.Number || r[2] != idMin(&w.WaitS) {
				t.Errorf("longest #%d: page %q, API %+v", i, r, w)
			}
		}
	}
	// Another day's longest waits, from the store.
	pick(b, "#report-longest-day", "2026-11-23")
	b.WaitText("#chart-longest h2", "Senin, 23 November 2026", 5*time.Second)
	s.MustJSON(http.MethodGet, "/api/v1/reports/longest?day=2026-11-23", s.Admin, nil, http.StatusOK, &longest)
	var first string
	b.Eval(`document.querySelector("#chart-longest tbody tr th").textContent`, &first)
	if first != longest.Waits[0].Number {
		t.Errorf("Monday's longest wait on the page %q, API %q", first, longest.Waits[0].Number)
	}

	b.Eval(`window.scrollTo(0, 0)`, nil)
	b.Screenshot("laporan-month-1366x768")
	b.Eval(`document.getElementById("report-charts").scrollIntoView()`, nil)
	b.Screenshot("laporan-charts-1366x768")
	b.Eval(`document.getElementById("chart-heatmap").scrollIntoView()`, nil)
	b.Screenshot("laporan-heatmap-1366x768")
	b.Eval(`document.getElementById("report-longest-box").scrollIntoView()`, nil)
	b.Screenshot("laporan-longest-1366x768")
	b.Eval(`document.querySelectorAll("details.chart-numbers").forEach((d) => d.open = true)`, nil)
	b.Axe("admin laporan (id)")
	b.Eval(`document.querySelectorAll("details.chart-numbers").forEach((d) => d.open = false)`, nil)

	// Custom dates, and print.
	preset(b, "report-period", "custom")
	pick(b, "#report-period-from", "2026-11-23")
	pick(b, "#report-period-to", "2026-11-24")
	b.Click("#report-show")
	waitReady(b)
	checkTable(t, b, s, s.Admin, "from=2026-11-23&to=2026-11-24&group_by=agency")
	printFits(t, b, "laporan-print")

	// English.
	b.Open(s.URL + "/admin?lang=en#/laporan")
	b.WaitFor(`window.__antrean && window.__antrean.page === "laporan"`, 10*time.Second)
	waitReady(b)
	if got := b.Text("#report-table thead"); !strings.Contains(got, "Average wait") {
		t.Errorf("English headings %q", got)
	}
	preset(b, "report-period", "week")
	waitReady(b)
	checkCharts(t, b, "chart-hourly", "chart-waits", "chart-heatmap", "chart-longest")
	b.Screenshot("laporan-en-1366x768")
	b.Eval(`document.querySelectorAll("details.chart-numbers").forEach((d) => d.open = true)`, nil)
	b.Axe("admin laporan (en)")

	// A supervisor: their own agency, no choice of another.
	b.Click("#logout")
	b.WaitVisible("#login-form", 3*time.Second)
	b.Open(s.URL + "/admin#/laporan")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitVisible("#login-form", 3*time.Second)
	b.Clear("#login-username")
	b.Type("#login-username", m.Users["supervisorB"].Username)
	b.Type("#login-password", apptest.StaffPassword+"\r")
	b.WaitFor(`window.__antrean.page === "laporan"`, 5*time.Second)
	waitReady(b)
	var dis bool
	b.Eval(`document.getElementById("report-agency").disabled`, &dis)
	if !dis || b.Text("#report-agency") != "Polres" {
		t.Errorf("a supervisor's agency choice: disabled %v, %q", dis, b.Text("#report-agency"))
	}
	checkTable(t, b, s, m.Tokens["supervisorB"], "from=2026-11-26&to=2026-11-26&group_by=service")
	if strings.Contains(b.Text("#report-table"), "KTP") {
		t.Error("a supervisor of Polres sees Dukcapil's services")
	}
	b.Axe("admin laporan supervisor (id)")
	b.NoErrors(allowed...)
}

type ikmReport struct {
	Respondents int
	IKM         *float64
	Grade       *string
	Elements    []struct {
		Element, Name string
		Respondents   int
		Average       *float64
		Grade         *string
	}
	Profile  map[string]map[string]int
	Comments []struct {
		Day, Comment string
	}
	CommentsTotal int `json:"comments_total"`
}

// TestSKMScreen: SKM over this week shows the API's index, grade and
// performance, each element's NRR with the weakest marked, respondents
// by profile and the comments newest first; the CSV and workbook links
// carry the filters and download; filtering by agency and service asks
// the API again; axe finds nothing serious in either language.
func TestSKMScreen(t *testing.T) {
	t.Parallel()
	s, m := reportWorld(t)
	b := openAdmin(t, s, "admin", apptest.AdminPassword)
	gotoPage(b, "skm")
	waitReady(b)
	preset(b, "skm-period", "week")
	waitReady(b)
	q := "from=2026-11-23&to=2026-11-26"
	var rep ikmReport
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?"+q, s.Admin, nil, http.StatusOK, &rep)
	if rep.Respondents < 10 || rep.IKM == nil || rep.CommentsTotal == 0 {
		t.Fatalf("the seeded survey: %+v", rep)
	}
	ikm := strings.Replace(strconv.FormatFloat(*rep.IKM, 'f', 2, 64), ".", ",", 1)
	if got := b.Text("#skm-ikm"); got != ikm {
		t.Errorf("IKM on the page %q, API %s", got, ikm)
	}
	perf := map[string]string{"A": "Sangat Baik", "B": "Baik", "C": "Kurang Baik", "D": "Tidak Baik"}[*rep.Grade]
	if got := b.Text("#skm-grade"); !strings.HasPrefix(got, *rep.Grade) || !strings.HasSuffix(got, perf) {
		t.Errorf("grade on the page %q, API %s %s", got, *rep.Grade, perf)
	}
	if got := b.Text("#skm-respondents"); got != strconv.Itoa(rep.Respondents) {
		t.Errorf("respondents %q, API %d", got, rep.Respondents)
	}
	rows := checkCharts(t, b, "chart-elements")
	weak := 0
	for i, e := range rep.Elements {
		if *e.Average < *rep.Elements[weak].Average {
			weak = i
		}
	}
	for i, e := range rep.Elements {
		r := rows["chart-elements"][i]
		name := e.Element + " " + e.Name
		if i == weak {
			name += " (terlemah)"
		}
		if r[0] != name || r[1] != strconv.Itoa(e.Respondents) || r[2] != strings.Replace(strconv.FormatFloat(*e.Average, 'f', 3, 64), ".", ",", 1) || !strings.HasPrefix(r[4], *e.Grade) {
			t.Errorf("element %s: page %q, API %+v", e.Element, r, e)
		}
	}
	if got := b.Text("#skm-weakest"); got != rep.Elements[weak].Element+" "+rep.Elements[weak].Name {
		t.Errorf("weakest %q", got)
	}
	for field, counts := range rep.Profile {
		var shown map[string]string
		b.Eval(fmt.Sprintf(`Object.fromEntries([...document.querySelectorAll("#skm-profile-%s tbody tr")].map((tr) => [tr.dataset.code, tr.cells[1].textContent]))`, field), &shown)
		for code, n := range counts {
			if shown[code] != strconv.Itoa(n) {
				t.Errorf("profile %s %s: page %q, API %d", field, code, shown[code], n)
			}
		}
	}
	var comments []string
	b.Eval(`[...document.querySelectorAll("#skm-comments .comment-text")].map((p) => p.textContent)`, &comments)
	var want []string
	for _, c := range rep.Comments {
		want = append(want, c.Comment)
	}
	if !slices.Equal(comments, want) || len(want) != rep.CommentsTotal {
		t.Errorf("comments on the page %q, API %q", comments, want)
	}
	for _, f := range []string{"csv", "xlsx"} {
		var dl struct {
			Href   string
			Status int
			Type   string
		}
		b.Eval(fmt.Sprintf(`(async () => { const a = document.getElementById("skm-%s"); const r = await fetch(a.href, {credentials: "same-origin"});
			return {href: a.getAttribute("href"), status: r.status, type: r.headers.get("Content-Type")}; })()`, f), &dl)
		if dl.Href != "/api/v1/reports/ikm?"+q+"&format="+f || dl.Status != http.StatusOK || !strings.Contains(dl.Type, map[string]string{"csv": "text/csv", "xlsx": "spreadsheet"}[f]) {
			t.Errorf("%s download: %+v", f, dl)
		}
	}
	b.Eval(`window.scrollTo(0, 0)`, nil)
	b.Screenshot("skm-week-1366x768")
	b.Eval(`document.getElementById("chart-elements").scrollIntoView()`, nil)
	b.Screenshot("skm-elements-1366x768")
	b.Eval(`document.getElementById("skm-profile").scrollIntoView()`, nil)
	b.Screenshot("skm-profile-1366x768")
	b.Eval(`document.querySelectorAll("details.chart-numbers").forEach((d) => d.open = true)`, nil)
	b.Axe("admin skm (id)")

	// One agency, then one service.
	choose(b, "#skm-agency", "Polres")
	waitReady(b)
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?"+q+"&agency_id="+m.AgencyB.ID, s.Admin, nil, http.StatusOK, &rep)
	if got := b.Text("#skm-respondents"); got != strconv.Itoa(rep.Respondents) {
		t.Errorf("Polres: respondents %q, API %d", got, rep.Respondents)
	}
	choose(b, "#skm-agency", "Dukcapil")
	waitReady(b)
	choose(b, "#skm-service", "Kartu Keluarga")
	waitReady(b)
	s.MustJSON(http.MethodGet, "/api/v1/reports/ikm?"+q+"&agency_id="+m.AgencyA.ID+"&service_id="+m.ServiceA2.ID, s.Admin, nil, http.StatusOK, &rep)
	if got := b.Text("#skm-respondents"); got != strconv.Itoa(rep.Respondents) {
		t.Errorf("Kartu Keluarga: respondents %q, API %d", got, rep.Respondents)
	}
	printFits(t, b, "skm-print")

	// English.
	b.Open(s.URL + "/admin?lang=en#/skm")
	b.WaitFor(`window.__antrean && window.__antrean.page === "skm"`, 10*time.Second)
	waitReady(b)
	preset(b, "skm-period", "month")
	waitReady(b)
	if got := b.Text("#skm-index-title"); got != "Community Satisfaction Index (IKM)" {
		t.Errorf("English title %q", got)
	}
	b.Screenshot("skm-en-1366x768")
	b.Eval(`document.querySelectorAll("details.chart-numbers").forEach((d) => d.open = true)`, nil)
	b.Axe("admin skm (en)")
	b.NoErrors(allowed...)
}
