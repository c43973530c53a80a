package kiosk_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// repeatTo repeats words (with spaces) to exactly n characters.
func repeatTo(words string, n int) string {
	s := strings.Repeat(words+" ", n/len(words)+1)
	return strings.TrimSpace(s[:n])
}

// worstMall is a mall whose printed ticket is as long and as wide as
// validation allows: names at 120 characters (the service's with one
// long unbroken word), requirements and fee at 200, a three-letter code
// on its thousandth ticket of the day, in the zone tz at the clock's
// time. It returns the last ticket, a priority one.
func worstMall(t *testing.T, at time.Time, tz string) (*apptest.Server, apptest.IssueAnswer) {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Start: at})
	m := s.SetupMall()
	site := queue.DefaultSite()
	site.Name = repeatTo("Mal Pelayanan Publik Kabupaten Kepulauan Bintan Provinsi Kepulauan Riau", 120)
	site.Timezone, site.Weekdays, site.Opens, site.Closes = tz, []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "00:00", "24:00"
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	var agency queue.Agency
	s.MustJSON(http.MethodPost, "/api/v1/agencies", s.Admin, map[string]string{"code": "DKPS", "name": repeatTo("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan Bintan", 120), "short_name": "Dukcapil"}, http.StatusCreated, &agency)
	var svc queue.Service
	s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{
		"agency_id": agency.ID, "code": "ABC",
		"name":    "Penerbitan/Perpanjangan/Penggantian Dokumen Kependudukan " + repeatTo("Kartu Identitas Anak dan Akta Kelahiran", 120-58),
		"name_en": "Issuing/Extending/Replacing Population Documents " + repeatTo("Child Identity Cards and Birth Certificates", 120-50),
		"fee":     repeatTo("Rp 30.000 untuk penerbitan, Rp 15.000 untuk penggantian karena rusak", 200),
		"requirements": []string{
			repeatTo("Surat keterangan lahir dari rumah sakit, puskesmas atau bidan yang menolong kelahiran", 200),
			"Fotokopi KTP-el kedua orang tua (dilegalisir) — 2 lembar",
		},
	}, http.StatusCreated, &svc)
	// An open counter, so the ticket carries an estimate (a priority
	// ticket ahead of the 999: "Langsung dilayani").
	var counter queue.Counter
	s.MustJSON(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": agency.ID, "name": "Loket 12", "service_ids": []string{svc.ID}}, http.StatusCreated, &counter)
	s.MustJSON(http.MethodPost, "/api/v1/users", s.Admin, map[string]string{"username": "off.dkps", "password": apptest.StaffPassword, "role": queue.RoleOfficer, "agency_id": agency.ID}, http.StatusCreated, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+counter.ID+"/open", s.Login("off.dkps", apptest.StaffPassword), nil, http.StatusOK, nil)
	// 999 tickets straight through the engine (quicker than HTTP), so
	// the one the page shows is ABC1000.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 999; i += 8 {
				if _, err := s.App.Engine.Apply(context.Background(), time.Time{}, queue.IssueTicket{ServiceID: svc.ID, Channel: queue.ChannelStaff, Key: queue.RandomString(16)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("issuing: %v", err)
	}
	a := s.Issue(m, svc.ID, true)
	if a.Ticket.Number != "ABC1000" || a.EtaMin == nil {
		t.Fatalf("the last ticket is %s with estimate %v, want ABC1000 with one", a.Ticket.Number, a.EtaMin)
	}
	return s, a
}

// printOverflow lists what of the slip lies outside its printable width
// (the slip's content box): element boxes and each line of text. It also
// lists the number, the date and the time when one of them is broken over
// lines.
const printOverflow = `(() => {
	const slip = document.querySelector(".slip");
	const cs = getComputedStyle(slip), r = slip.getBoundingClientRect();
	const left = r.left + parseFloat(cs.paddingLeft), right = r.right - parseFloat(cs.paddingRight);
	const bad = [], eps = 0.5;
	const name = (el) => el.className || el.tagName.toLowerCase();
	const page = document.documentElement;
	if (page.scrollWidth > page.clientWidth) bad.push("the page scrolls sideways: " + page.scrollWidth + " > " + page.clientWidth);
	if (r.left < -eps || r.right > innerWidth + eps) bad.push("the slip " + r.left + "–" + r.right + " is off the page's " + innerWidth);
	for (const el of slip.querySelectorAll("*")) {
		const b = el.getBoundingClientRect();
		if (b.width === 0 && b.height === 0) continue;
		if (b.left < left - eps || b.right > right + eps) bad.push(name(el) + " box " + b.left.toFixed(1) + "–" + b.right.toFixed(1) + " outside " + left.toFixed(1) + "–" + right.toFixed(1));
		if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) bad.push(name(el) + " content " + el.scrollWidth + " wider than its box " + el.clientWidth);
	}
	const walk = document.createTreeWalker(slip, NodeFilter.SHOW_TEXT);
	while (walk.nextNode()) {
		const range = document.createRange();
		range.selectNodeContents(walk.currentNode);
		for (const q of range.getClientRects()) {
			if (q.width && (q.left < left - eps || q.right > right + eps)) bad.push("text " + JSON.stringify(walk.currentNode.textContent.trim().slice(0, 40)) + " " + q.left.toFixed(1) + "–" + q.right.toFixed(1));
		}
	}
	for (const sel of [".number", ".when .date", ".when .time"]) {
		const el = slip.querySelector(sel);
		if (!el) { bad.push("no " + sel); continue; }
		const range = document.createRange();
		range.selectNodeContents(el);
		const tops = new Set([...range.getClientRects()].filter((q) => q.width).map((q) => Math.round(q.top)));
		if (tops.size !== 1) bad.push(sel + " " + JSON.stringify(el.textContent) + " is on " + tops.size + " lines");
	}
	return bad;
})()`

// The print page of the longest ticket, as Chromium prints it on 58 and
// 80 mm rolls (print media, the page as wide as the roll), in both
// languages: the longest weekday and month names ("Selasa, 29
// September", "Wednesday, 30 September"), a minute before midnight in
// WITA and WIT, names at their validation limits and a seven-character
// number. Nothing lies outside the printable width; the number, the date
// and the time are each on one line. Screenshots are saved to look at.
func TestPrintPageFitsTheRoll(t *testing.T) {
	t.Parallel()
	makassar, _ := time.LoadLocation("Asia/Makassar")
	jayapura, _ := time.LoadLocation("Asia/Jayapura")
	cases := []struct {
		name, tz   string
		at         time.Time
		date, time map[string]string // by language
	}{
		{"selasa-wita", "Asia/Makassar", time.Date(2026, 9, 29, 23, 59, 0, 0, makassar),
			map[string]string{"id": "Selasa, 29 September 2026", "en": "Tuesday, 29 September 2026"}, map[string]string{"id": "23.59 WITA", "en": "23:59 WITA"}},
		{"wednesday-wit", "Asia/Jayapura", time.Date(2026, 9, 30, 23, 59, 0, 0, jayapura),
			map[string]string{"id": "Rabu, 30 September 2026", "en": "Wednesday, 30 September 2026"}, map[string]string{"id": "23.59 WIT", "en": "23:59 WIT"}},
	}
	b := browsertest.New(t, browsertest.Options{Width: 400, Height: 900})
	for _, c := range cases {
		s, a := worstMall(t, c.at, c.tz)
		for _, lang := range []string{"id", "en"} {
			for _, mm := range []int{58, 80} {
				label := fmt.Sprintf("%s-%s-%dmm", c.name, lang, mm)
				px := int(math.Round(float64(mm) * 96 / 25.4))
				setPrintMedia(t, b, px, 900)
				b.Open(fmt.Sprintf("%s/t/%s/print?k=%s&mm=%d&lang=%s", s.URL, a.Ticket.ID, url.QueryEscape(a.Key()), mm, lang))
				b.WaitFor(`document.querySelector(".qr").complete && document.documentElement.dataset.pageMm`, 5*time.Second)
				var bad []string
				b.Eval(printOverflow, &bad)
				if len(bad) > 0 {
					t.Errorf("%s: outside the roll or broken:\n  %s", label, strings.Join(bad, "\n  "))
				}
				for _, want := range []string{c.date[lang], c.time[lang], "ABC1000", map[string]string{"id": "Langsung dilayani", "en": "Served right away"}[lang]} {
					if got := visibleText(t, b); !strings.Contains(got, want) {
						t.Errorf("%s: the slip lacks %q", label, want)
					}
				}
				var height float64
				b.Eval(`document.querySelector(".slip").getBoundingClientRect().height`, &height)
				setPrintMedia(t, b, px, int(math.Ceil(height)))
				b.Screenshot(label)
			}
		}
	}
	b.NoErrors()
}

// setPrintMedia makes the tab render as it prints: print media, a page
// width px wide, at twice the pixels for a legible screenshot.
func setPrintMedia(t *testing.T, b *browsertest.Browser, width, height int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(int64(width), int64(height), chromedp.EmulateScale(2)),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}))
	if err != nil {
		t.Fatalf("print media: %v", err)
	}
}
