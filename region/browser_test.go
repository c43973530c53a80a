package region_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/browsertest"
)

// allowedConsole: the page asks who is signed in before anybody is.
var allowedConsole = []string{`status of 401`}

func checkScreen(t *testing.T, b *browsertest.Browser, what string) {
	t.Helper()
	b.Axe("region " + what)
	if bad := b.LowContrast(); len(bad) > 0 {
		t.Errorf("%s: text below WCAG AA contrast: %v", what, bad)
	}
	if bad := b.SmallTargets(24); len(bad) > 0 {
		t.Errorf("%s: controls smaller than 24×24: %v", what, bad)
	}
	if b.Overflows() {
		t.Errorf("%s: the page scrolls sideways", what)
	}
	if f := b.ForeignRequests(); len(f) > 0 {
		t.Errorf("%s: requests to other origins: %v", what, f)
	}
}

// A viewer signs in with the keyboard and sees the live board of both
// malls, in Bahasa Indonesia; then the reports, across sites and for
// one site; then the board in English on a phone.
func TestRegionScreensInChromium(t *testing.T) {
	x := startTwoSites(t)
	base := x.rr.R.URL()
	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	b.Open(base + "/")
	b.WaitVisible("#login", 5*time.Second)
	checkScreen(t, b, "sign-in")
	b.Screenshot("masuk")
	b.Type(`#login input[name=username]`, "pemantau")
	b.Type(`#login input[name=password]`, "salah-sandi"+kb.Enter)
	b.WaitText("#login-error", "salah", 5*time.Second)
	b.Clear(`#login input[name=password]`)
	b.Type(`#login input[name=password]`, "pemantau-pw-123"+kb.Enter)

	b.WaitText("#sites", "MPP Kota Batam", 10*time.Second)
	board, err := x.rr.R.Board()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	b.Eval(`[...document.querySelectorAll("#sites tr")].map((tr) => [...tr.cells].map((td) => td.innerText.trim()))`, &rows)
	if len(rows) != 2 || !strings.HasPrefix(rows[0][0], "MPP Kabupaten Bintan") || !strings.HasPrefix(rows[1][0], "MPP Kota Batam") {
		t.Fatalf("board rows: %q", rows)
	}
	for i, s := range board.Sites {
		if strings.Fields(rows[i][1])[len(strings.Fields(rows[i][1]))-1] != itoa(s.Waiting) || rows[i][2] != itoa(s.OpenCounters) || rows[i][5] != itoa(s.Served) {
			t.Errorf("row %d %q: the board says waiting %d, open %d, served %d", i, rows[i], s.Waiting, s.OpenCounters, s.Served)
		}
		if !strings.Contains(rows[i][6], ",") || !strings.Contains(rows[i][7], "peristiwa terakhir") {
			t.Errorf("row %d: IKM %q (Indonesian decimals), link %q", i, rows[i][6], rows[i][7])
		}
	}
	if got := b.Text("#t-waiting"); got != itoa(board.Totals.Waiting) {
		t.Errorf("total waiting %q, want %d", got, board.Totals.Waiting)
	}
	checkScreen(t, b, "board")
	b.Screenshot("papan")

	b.Click(`nav a[href^="/laporan"]`)
	b.WaitFor(`document.querySelectorAll("#rows tr td.num").length > 0 && document.querySelectorAll("#ikm-sites tbody tr").length === 3`, 10*time.Second)
	var labels []string
	b.Eval(`[...document.querySelectorAll("#rows tr")].map((tr) => tr.cells[0].innerText.trim())`, &labels)
	if len(labels) != 2 || labels[0] != "MPP Kabupaten Bintan" || labels[1] != "MPP Kota Batam" {
		t.Errorf("summary by site: %q", labels)
	}
	checkScreen(t, b, "reports")
	b.Screenshot("laporan")

	// One site, by service.
	b.Eval(`(() => { const f = document.getElementById("q"); f.site_id.value = "batam"; f.group_by.value = "service"; f.requestSubmit(); return true })()`, nil)
	b.WaitFor(`location.search.includes("site_id=batam") && document.querySelectorAll("#ikm-sites tbody tr").length === 2`, 10*time.Second)
	var ikmSites []string
	b.Eval(`[...document.querySelectorAll("#ikm-sites tbody tr")].map((tr) => tr.cells[0].innerText.trim())`, &ikmSites)
	if ikmSites[0] != "MPP Kota Batam" {
		t.Errorf("IKM of batam: %q", ikmSites)
	}
	b.Screenshot("laporan-batam")
	b.NoErrors(allowedConsole...)

	p := b.NewTab(390, 844)
	p.Open(base + "/?lang=en")
	p.WaitText("#sites", "MPP Kota Batam", 10*time.Second)
	if got := p.Text("th"); got != "Sites" {
		t.Errorf("English board's first heading %q", got)
	}
	checkScreen(t, p, "phone board")
	p.Screenshot("board-phone-en")
}

func itoa(n int) string {
	s := []byte{}
	for {
		s = append([]byte{byte('0' + n%10)}, s...)
		n /= 10
		if n == 0 {
			break
		}
	}
	if len(s) > 3 {
		return string(s[:len(s)-3]) + "." + string(s[len(s)-3:])
	}
	return string(s)
}
