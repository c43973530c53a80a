package kiosk_test

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// qrStore finds the QR code's store command (GS ( k pL pH 49 80 48 data)
// in an ESC/POS stream and returns its data.
func qrStore(job []byte) (string, bool) {
	i := bytes.Index(job, []byte{0x1d, '(', 'k'})
	for i >= 0 {
		rest := job[i:]
		if len(rest) >= 8 && rest[5] == 49 && rest[6] == 80 && rest[7] == 48 {
			n := int(rest[3]) + int(rest[4])*256 - 3
			if len(rest) >= 8+n {
				return string(rest[8 : 8+n]), true
			}
		}
		j := bytes.Index(job[i+3:], []byte{0x1d, '(', 'k'})
		if j < 0 {
			break
		}
		i += 3 + j
	}
	return "", false
}

// The ESC/POS stream a network printer gets holds the number, the QR
// code of the status URL and a cut; one connection per ticket, after the
// ticket committed; a repeat with the same Idempotency-Key neither issues
// nor prints again.
func TestPrinterGetsTicket(t *testing.T) {
	t.Parallel()
	// The longest date of the year, a minute before midnight.
	s := apptest.Start(t, apptest.Options{Start: time.Date(2026, 9, 29, 23, 59, 0, 0, jakarta)})
	m := s.SetupMall()
	printer := startPrinter(t)
	token := kioskWithPrinter(t, s, printer.Addr())

	var self struct {
		Kind    string `json:"kind"`
		Printer bool   `json:"printer"`
		PaperMM int    `json:"paper_mm"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/kiosk", token, nil, http.StatusOK, &self)
	if self.Kind != "kiosk" || !self.Printer || self.PaperMM != 80 {
		t.Errorf("GET /api/v1/kiosk: %+v", self)
	}

	start := time.Now()
	r, a := issueAs(t, s, token, m.ServiceA1.ID, "tap-1")
	took := time.Since(start)
	if r.Status != http.StatusCreated || !a.Printed {
		t.Fatalf("issue: %d %s", r.Status, r.Body)
	}
	jobs := printer.Jobs(1)
	job := jobs[0]
	t.Logf("ticket %s: answered printed=true in %v; the printer got %d bytes", a.Ticket.Number, took.Round(time.Millisecond), len(job))
	if !bytes.HasPrefix(job, []byte{0x1b, '@'}) {
		t.Errorf("the stream does not start with ESC @: % x", job[:min(8, len(job))])
	}
	if !bytes.Contains(job, []byte(a.Ticket.Number)) {
		t.Errorf("the stream lacks the number %s", a.Ticket.Number)
	}
	if url, ok := qrStore(job); !ok || url != a.StatusURL {
		t.Errorf("the QR command holds %q (found %v), want the status URL %q", url, ok, a.StatusURL)
	}
	if !bytes.Contains(job, []byte{0x1d, '(', 'k', 3, 0, 49, 81, 48}) {
		t.Error("the stream never prints the stored QR code (GS ( k fn 81)")
	}
	if i := bytes.LastIndex(job, []byte{0x1d, 'V'}); i < 0 || i < len(job)-4 {
		t.Errorf("the stream does not end with a cut (GS V): % x", job[max(0, len(job)-8):])
	}
	for _, want := range []string{"MPP Uji", "Dinas Kependudukan", "Perekaman KTP-el", "KTP-el", "Tidak ada antrean di depan Anda", "lapor.go.id"} {
		if !bytes.Contains(job, []byte(want)) {
			t.Errorf("the printout lacks %q", want)
		}
	}

	// The same tap again (a lost answer retried): the same ticket, the
	// same printed, and nothing more on the printer.
	r2, again := issueAs(t, s, token, m.ServiceA1.ID, "tap-1")
	if r2.Status != http.StatusCreated || again.Ticket.ID != a.Ticket.ID || !again.Printed || r2.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("repeat: %d %s (replayed %q)", r2.Status, r2.Body, r2.Header.Get("Idempotent-Replayed"))
	}
	// A new tap prints a new ticket, on its own connection.
	_, b := issueAs(t, s, token, m.ServiceA1.ID, "tap-2")
	jobs = printer.Jobs(2)
	if len(jobs) != 2 || !bytes.Contains(jobs[1], []byte(b.Ticket.Number)) || printer.Conns() != 2 {
		t.Errorf("after a repeat and a new tap: %d jobs on %d connections, want 2 on 2", len(jobs), printer.Conns())
	}
	if n := ticketCount(t, s); n != 2 {
		t.Errorf("%d tickets issued, want 2", n)
	}
	if !bytes.Contains(jobs[1], []byte("1 orang di depan Anda")) {
		t.Errorf("the second printout does not say one person is ahead")
	}

	// 58 mm paper: the same content in 32 columns.
	site := queue.DefaultSite()
	site.Name, site.Weekdays, site.Opens, site.Closes, site.TicketPaperMM = "MPP Uji", []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "00:00", "24:00", 58
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	_, c := issueAs(t, s, token, m.ServiceA2.ID, "tap-3")
	p := parseESCPOS(t, printer.Jobs(3)[2])
	if bad := overflows(p, 32); len(bad) > 0 {
		t.Errorf("58 mm lines wider than 32 columns: %s", strings.Join(bad, ", "))
	}
	for _, want := range []string{"Selasa, 29 September 2026", "23.59 WIB", c.Ticket.Number} {
		if !hasLine(p, want) {
			t.Errorf("58 mm: no line holds %q whole:\n%s", want, p.Text())
		}
	}
	if len(p.QR) != 1 || p.QR[0] != c.StatusURL {
		t.Errorf("58 mm: the QR command holds %q", p.QR)
	}
}

// A printer that refuses the connection loses nothing: the ticket is
// issued and answered with printed: false.
func TestPrinterRefusedKeepsTicket(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	token := kioskWithPrinter(t, s, refusedAddr(t))
	start := time.Now()
	r, a := issueAs(t, s, token, m.ServiceA1.ID, "tap-1")
	took := time.Since(start)
	if r.Status != http.StatusCreated || a.Printed || a.Ticket.Number != "A001" {
		t.Fatalf("issue with a refusing printer: %d %s", r.Status, r.Body)
	}
	t.Logf("refused printer: answered printed=false in %v", took.Round(time.Millisecond))
	var pub struct{ Number, Status string }
	s.MustJSON(http.MethodGet, "/api/v1/tickets/"+a.Ticket.ID+"?k="+a.Key(), "", nil, http.StatusOK, &pub)
	if pub.Number != "A001" || pub.Status != "waiting" {
		t.Errorf("the ticket after the fault: %+v", pub)
	}
	// The retry of the same tap: the same ticket, still not printed.
	r2, again := issueAs(t, s, token, m.ServiceA1.ID, "tap-1")
	if r2.Status != http.StatusCreated || again.Ticket.ID != a.Ticket.ID || again.Printed {
		t.Errorf("repeat: %d %s", r2.Status, r2.Body)
	}
	if n := ticketCount(t, s); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	// Kiosks without a printer and greeters print nothing: printed false.
	_, k := issueAs(t, s, m.Tokens["kiosk"], m.ServiceA1.ID, "")
	if k.Printed {
		t.Error("a kiosk without a printer answered printed: true")
	}
}

// A per-kiosk rate limit: a burst of 10, then one per 2 s; 429 with
// Retry-After; a repeat of an earlier tap is not limited; other kiosks
// are not held back.
func TestIssueRateLimit(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{IssueLimit: true, Start: apptest.Workday})
	m := s.SetupMall()
	kiosk := m.Tokens["kiosk"]
	for i := range 10 {
		if r, _ := issueAs(t, s, kiosk, m.ServiceA1.ID, fmt.Sprintf("tap-%d", i)); r.Status != http.StatusCreated {
			t.Fatalf("ticket %d of the burst: %d %s", i+1, r.Status, r.Body)
		}
	}
	r, _ := issueAs(t, s, kiosk, m.ServiceA1.ID, "tap-10")
	if r.Status != http.StatusTooManyRequests || r.ErrorCode() != queue.ERateLimited {
		t.Fatalf("the 11th ticket at once: %d %s, want 429 rate_limited", r.Status, r.Body)
	}
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds", r.Header.Get("Retry-After"))
	}
	// A repeat of a tap that was answered is never limited.
	if r, a := issueAs(t, s, kiosk, m.ServiceA1.ID, "tap-3"); r.Status != http.StatusCreated || a.Ticket.Number != "A004" {
		t.Errorf("repeat of tap 3 while limited: %d %s", r.Status, r.Body)
	}
	// Another kiosk and the greeter have their own buckets.
	other := kioskWithPrinter(t, s, "")
	if r, _ := issueAs(t, s, other, m.ServiceA1.ID, ""); r.Status != http.StatusCreated {
		t.Errorf("another kiosk: %d %s", r.Status, r.Body)
	}
	if r, _ := issueAs(t, s, m.Tokens["greeter"], m.ServiceA1.ID, ""); r.Status != http.StatusCreated {
		t.Errorf("the greeter: %d %s", r.Status, r.Body)
	}
	if n := ticketCount(t, s); n != 12 {
		t.Errorf("%d tickets, want 12 (the limited request issued nothing)", n)
	}
	// Retry-After later the kiosk may issue again (the server's clock
	// moves; nobody waits).
	s.Clock.Add(time.Duration(retry)*time.Second - time.Millisecond)
	if r, _ := issueAs(t, s, kiosk, m.ServiceA1.ID, "tap-11"); r.Status != http.StatusTooManyRequests {
		t.Errorf("just before Retry-After: %d %s, want 429", r.Status, r.Body)
	}
	s.Clock.Add(time.Millisecond)
	if r, _ := issueAs(t, s, kiosk, m.ServiceA1.ID, "tap-11"); r.Status != http.StatusCreated {
		t.Errorf("after Retry-After: %d %s", r.Status, r.Body)
	}
}

// GET /api/v1/state tells a kiosk, before any tap, which services take
// tickets now and why the others do not.
func TestStateShowsOpeningAndQuota(t *testing.T) {
	t.Parallel()
	wib := time.FixedZone("WIB", 7*3600)
	s := apptest.Start(t, apptest.Options{Start: time.Date(2027, 3, 4, 10, 0, 0, 0, wib)}) // a Thursday
	m := s.SetupMall()
	svc := func(code, opens, closes string, quota int, active bool) string {
		var v queue.Service
		s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyB.ID, "code": code, "name": "Layanan " + code, "opens": opens, "closes": closes, "daily_quota": quota, "active": active}, http.StatusCreated, &v)
		return v.ID
	}
	full := svc("Q", "", "", 1, true)
	s.Issue(m, full, false)
	later := svc("R", "13:00", "", 0, true)
	over := svc("S", "", "09:00", 0, true)
	off := svc("T", "", "", 0, false)
	left := svc("U", "", "", 5, true)

	var st struct {
		Services []struct {
			ID           string `json:"id"`
			Open         bool   `json:"open"`
			ClosedReason string `json:"closed_reason"`
			Opens        string `json:"opens"`
			Closes       string `json:"closes"`
			QuotaLeft    *int   `json:"quota_left"`
		} `json:"services"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &st)
	type want struct {
		open          bool
		reason, opens string
		quota         int // -1: null
	}
	wants := map[string]want{
		m.ServiceA1.ID: {true, "", "00:00", -1},
		full:           {false, queue.ClosedQuotaFull, "00:00", 0},
		later:          {false, queue.ClosedNotYet, "13:00", -1},
		over:           {false, queue.ClosedForDay, "00:00", -1},
		off:            {false, queue.ClosedInactive, "00:00", -1},
		left:           {true, "", "00:00", 5},
	}
	seen := 0
	for _, sv := range st.Services {
		w, ok := wants[sv.ID]
		if !ok {
			continue
		}
		seen++
		q := -1
		if sv.QuotaLeft != nil {
			q = *sv.QuotaLeft
		}
		if sv.Open != w.open || sv.ClosedReason != w.reason || sv.Opens != w.opens || q != w.quota {
			t.Errorf("service %s: %+v (quota %d), want %+v", sv.ID, sv, q, w)
		}
	}
	if seen != len(wants) {
		t.Errorf("saw %d of %d services", seen, len(wants))
	}
	// The closed ones indeed issue nothing.
	for _, id := range []string{full, later, over, off} {
		if r := s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": id}); r.Status != http.StatusConflict {
			t.Errorf("issue in closed service %s: %d %s", id, r.Status, r.Body)
		}
	}
	// A holiday closes the whole day.
	site := queue.DefaultSite()
	site.Name, site.Weekdays, site.Opens, site.Closes, site.Holidays = "MPP Uji", []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "00:00", "24:00", []string{"2027-03-04"}
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	s.MustJSON(http.MethodGet, "/api/v1/state", "", nil, http.StatusOK, &st)
	for _, sv := range st.Services {
		if sv.ID == m.ServiceA1.ID && (sv.Open || sv.ClosedReason != queue.ClosedToday || sv.Opens != "") {
			t.Errorf("on a holiday: %+v", sv)
		}
	}
}

// The visitor's page shows the number and status without JavaScript; a
// wrong key and a missing ticket get the same 404 page; every page carries
// the security headers and no inline script or style.
func TestVisitorPageServerRendered(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	s.Issue(m, m.ServiceA1.ID, false)
	a := s.Issue(m, m.ServiceA1.ID, true)
	page := s.Do(http.MethodGet, "/t/"+a.Ticket.ID+"?k="+a.Key(), "", nil)
	if page.Status != http.StatusOK {
		t.Fatalf("visitor page: %d", page.Status)
	}
	html := string(page.Body)
	for _, want := range []string{">" + a.Ticket.Number + "<", ">Menunggu<", "Perekaman KTP-el", "Dukcapil", "Posisi Anda: 1 — Anda berikutnya", "KTP-el", "Prioritas", "lapor.go.id", "SMS 1708", `lang="id"`, "Kamis, 26 November 2026", "10.00 WIB"} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	checkPageSafety(t, "visitor page", page)

	en := s.Do(http.MethodGet, "/t/"+a.Ticket.ID+"?k="+a.Key()+"&lang=en", "", nil)
	if !strings.Contains(string(en.Body), ">Waiting<") || !strings.Contains(string(en.Body), `lang="en"`) {
		t.Errorf("English page: %s", en.Body)
	}

	wrong := s.Do(http.MethodGet, "/t/"+a.Ticket.ID+"?k=wrong", "", nil)
	missing := s.Do(http.MethodGet, "/t/tkt_none?k="+a.Key(), "", nil)
	nokey := s.Do(http.MethodGet, "/t/"+a.Ticket.ID, "", nil)
	for name, r := range map[string]*apptest.Response{"wrong key": wrong, "missing ticket": missing, "no key": nokey} {
		if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "Tiket tidak ditemukan") || strings.Contains(string(r.Body), a.Ticket.Number) {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	if !bytes.Equal(wrong.Body, missing.Body) {
		t.Error("a wrong key and a missing ticket answer different pages")
	}
	printWrong := s.Do(http.MethodGet, "/t/"+a.Ticket.ID+"/print?k=wrong", "", nil)
	if printWrong.Status != http.StatusNotFound || !bytes.Equal(printWrong.Body, missing.Body) {
		t.Errorf("print page with a wrong key: %d", printWrong.Status)
	}

	for _, mm := range []string{"58", "80"} {
		p := s.Do(http.MethodGet, "/t/"+a.Ticket.ID+"/print?k="+a.Key()+"&mm="+mm, "", nil)
		if p.Status != http.StatusOK || !strings.Contains(string(p.Body), "print-"+mm+".css") || !strings.Contains(string(p.Body), a.Ticket.Number) {
			t.Errorf("print page %s mm: %d", mm, p.Status)
		}
		checkPageSafety(t, "print page", p)
		if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'self'") {
			t.Errorf("the print page may not be framed by the kiosk: %q", csp)
		}
	}
	k := s.Do(http.MethodGet, "/kiosk", "", nil)
	if k.Status != http.StatusOK {
		t.Fatalf("/kiosk: %d", k.Status)
	}
	checkPageSafety(t, "kiosk", k)
	if csp := k.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("the kiosk page may be framed: %q", csp)
	}

	// The status of a called ticket without JavaScript.
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/open", m.Tokens["officerA"], nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, "/api/v1/counters/"+m.CounterA.ID+"/next", m.Tokens["officerA"], nil, http.StatusOK, nil)
	called := string(s.Do(http.MethodGet, "/t/"+a.Ticket.ID+"?k="+a.Key(), "", nil).Body)
	for _, want := range []string{"is-called", "SILAKAN MENUJU", "LOKET 1", ">Dipanggil<"} {
		if !strings.Contains(called, want) {
			t.Errorf("called page lacks %q", want)
		}
	}
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	styleAttr    = regexp.MustCompile(`\sstyle\s*=|<style[\s>]|\son[a-z]+\s*=`)
)

// checkPageSafety: the API.md headers, and nothing inline that a strict
// CSP would block (scripts only by src or as JSON data).
func checkPageSafety(t *testing.T, name string, r *apptest.Response) {
	t.Helper()
	h := r.Header
	if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("%s: headers %v", name, h)
	}
	if strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Errorf("%s: the CSP allows inline code", name)
	}
	for _, tag := range inlineScript.FindAllString(string(r.Body), -1) {
		if !strings.Contains(tag, "src=") && !strings.Contains(tag, `type="application/json"`) {
			t.Errorf("%s: inline script %s", name, tag)
		}
	}
	if m := styleAttr.FindString(string(r.Body)); m != "" {
		t.Errorf("%s: inline style or handler %q", name, m)
	}
}
