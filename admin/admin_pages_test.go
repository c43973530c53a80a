package admin_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// busyDemo is the demo mall in the middle of a morning: tickets in every
// service, some counters open with a called or served ticket, one on a
// break.
func busyDemo(t *testing.T) *apptest.Server {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Demo: true, Start: apptest.Workday})
	var svcs struct{ Services []queue.Service }
	s.MustJSON(http.MethodGet, "/api/v1/services", "", nil, http.StatusOK, &svcs)
	for i, svc := range svcs.Services {
		for j := 0; j < 2+i%4; j++ {
			s.MustJSON(http.MethodPost, "/api/v1/tickets", s.Admin, map[string]any{"service_id": svc.ID, "priority": j == 1}, http.StatusCreated, nil)
		}
	}
	var ctrs struct{ Counters []queue.Counter }
	s.MustJSON(http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &ctrs)
	for i, k := range ctrs.Counters {
		if i%3 == 2 {
			continue
		}
		act := func(a string, body any) {
			s.MustJSON(http.MethodPost, "/api/v1/counters/"+k.ID+"/"+a, s.Admin, body, http.StatusOK, nil)
		}
		act("open", nil)
		act("next", nil)
		if i%2 == 0 {
			act("start", nil)
		}
		if i == 4 {
			act("pause", map[string]string{"reason": "ISHOMA"})
		}
	}
	return s
}

// TestAdminPages visits every page of the admin screens in the busy demo
// mall, as an admin and as a supervisor, saves a screenshot of each at
// 1366×768, and checks the inline search and what a supervisor is shown.
func TestAdminPages(t *testing.T) {
	t.Parallel()
	s := busyDemo(t)
	b := openAdmin(t, s, "admin", apptest.AdminPassword)

	b.WaitFor(`document.querySelectorAll("#overview-agencies .agency-card").length === 10`, 5*time.Second)
	b.WaitFor(`/^\d+$/.test(document.querySelector("#tile-waiting .tile-value").textContent)`, 2*time.Second)
	b.Screenshot("ringkasan-1366x768")
	b.Axe("admin ringkasan (id)")

	gotoPage(b, "layanan")
	b.WaitFor(`document.querySelectorAll("table.data")[0].tBodies[0].rows.length === 18`, 3*time.Second)
	b.Screenshot("layanan-1366x768")
	b.Axe("admin layanan (id)")
	// Inline search narrows the table as you type.
	b.Type(".search", "skck")
	b.WaitFor(`document.querySelectorAll("table.data")[0].tBodies[0].rows.length === 1`, 2*time.Second)
	if got := b.Text(".count"); got != "1 dari 18" {
		t.Errorf("search count %q", got)
	}
	b.Screenshot("layanan-search-1366x768")
	b.Click(`table.data tbody tr button`)
	b.WaitVisible(`dialog[open] [data-field="code"]`, 2*time.Second)
	b.Screenshot("layanan-edit-1366x768")
	b.Axe("admin layanan-edit (id)")
	b.Keys("\u001b")
	b.WaitFor(`!document.querySelector("dialog[open]")`, 2*time.Second)

	gotoPage(b, "instansi")
	b.WaitFor(`document.querySelectorAll("table.data tbody tr").length === 10`, 3*time.Second)
	b.Screenshot("instansi-1366x768")
	b.Axe("admin instansi (id)")
	gotoPage(b, "pengguna")
	b.WaitFor(`document.querySelectorAll("table.data tbody tr").length === 13`, 3*time.Second)
	b.Screenshot("pengguna-1366x768")
	b.Axe("admin pengguna (id)")
	gotoPage(b, "perangkat")
	b.WaitFor(`document.querySelectorAll("table.data tbody tr").length === 3`, 3*time.Second)
	b.Screenshot("perangkat-1366x768")
	b.Axe("admin perangkat (id)")
	gotoPage(b, "laporan")
	waitReady(b)
	b.Screenshot("laporan-1366x768")
	b.Axe("admin laporan (id)")
	gotoPage(b, "skm")
	waitReady(b)
	b.Axe("admin skm (id)")
	gotoPage(b, "pengaturan")
	b.WaitVisible("#settings-form", 2*time.Second)
	b.Screenshot("pengaturan-1366x768")
	b.Axe("admin pengaturan (id)")
	b.Eval(`document.querySelector('[data-key="breaks"]').scrollIntoView()`, nil)
	b.Screenshot("pengaturan-breaks-1366x768")
	b.Eval(`document.querySelector('[data-key="skm_elements"]').scrollIntoView()`, nil)
	b.Screenshot("pengaturan-skm-1366x768")
	gotoPage(b, "cadangan")
	var href string
	b.Eval(`document.getElementById("backup-link").getAttribute("href")`, &href)
	if href != "/api/v1/backup" {
		t.Errorf("backup link %q", href)
	}
	b.Screenshot("cadangan-1366x768")
	b.Axe("admin cadangan (id)")
	// The backup link downloads with the cookie session.
	var status int
	b.Eval(`fetch("/api/v1/backup", {credentials: "same-origin"}).then((r) => r.status)`, &status)
	if status != http.StatusOK {
		t.Errorf("the backup link answers %d", status)
	}

	// Every page in English too.
	b.Open(s.URL + "/admin?lang=en#/ringkasan")
	b.WaitFor(`window.__antrean && window.__antrean.page === "ringkasan" && document.documentElement.lang === "en"`, 5*time.Second)
	b.WaitFor(`document.querySelectorAll("#overview-agencies .agency-card").length === 10`, 5*time.Second)
	b.Axe("admin ringkasan (en)")
	for _, page := range []string{"layanan", "instansi", "pengguna", "perangkat", "laporan", "skm", "pengaturan", "cadangan", "audit"} {
		gotoPage(b, page) // it returns once the page has loaded its data
		b.Axe("admin " + page + " (en)")
		if page == "layanan" {
			b.Click("#add-service")
			b.WaitVisible(`dialog[open] [data-field="code"]`, 2*time.Second)
			b.Axe("admin add service (en)")
			b.Keys("\u001b")
			b.WaitFor(`!document.querySelector("dialog[open]")`, 2*time.Second)
		}
	}

	// Sign out; a supervisor sees their own agency only.
	b.Click("#logout")
	b.WaitVisible("#login-form", 3*time.Second)
	b.Axe("admin sign-in (en)")
	b.Open(s.URL + "/admin")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitVisible("#login-form", 3*time.Second)
	b.Axe("admin sign-in (id)")
	b.Clear("#login-username")
	b.Type("#login-username", "supervisor.dukcapil")
	b.Type("#login-password", app.DemoPassword+"\r")
	b.WaitFor(`window.__antrean.page === "ringkasan"`, 5*time.Second)
	if got := navEntries(b); !slices.Equal(got, []string{"Ringkasan", "Layanan & Loket", "Pengguna", "Laporan", "SKM"}) {
		t.Errorf("supervisor's navigation: %q", got)
	}
	b.WaitFor(`document.querySelectorAll("#overview-agencies .agency-card").length === 1`, 5*time.Second)
	if got := b.Text("#overview-agencies h2"); got != "Dukcapil" {
		t.Errorf("supervisor's overview shows %q", got)
	}
	b.Screenshot("supervisor-ringkasan-1366x768")
	gotoPage(b, "layanan")
	b.WaitFor(`document.querySelectorAll("table.data")[0].tBodies[0].rows.length === 5 && document.querySelectorAll("table.data")[1].tBodies[0].rows.length === 4`, 3*time.Second)
	if strings.Contains(b.Text("table.data"), "Imigrasi") {
		t.Errorf("a supervisor sees another agency's services")
	}
	gotoPage(b, "pengguna")
	b.WaitFor(`document.querySelectorAll("table.data tbody tr").length === 1`, 3*time.Second)
	if got := b.Text("table.data tbody"); !strings.Contains(got, "petugas.dkp") {
		t.Errorf("supervisor's users: %q", got)
	}
	b.Click("#add-user")
	b.WaitVisible(field("role"), 2*time.Second)
	var roles []string
	b.Eval(`[...document.querySelector('dialog[open] [data-field="role"]').options].map((o) => o.textContent)`, &roles)
	if !slices.Equal(roles, []string{"Petugas"}) {
		t.Errorf("a supervisor may create %q", roles)
	}
	b.Screenshot("supervisor-add-user-1366x768")
	b.Axe("admin supervisor add user (id)")
	b.Keys("\u001b")
	// A page the role cannot open falls back to the overview.
	b.Eval(`location.hash = "#/pengaturan"`, nil)
	b.WaitFor(`window.__antrean.page === "ringkasan"`, 3*time.Second)

	// English.
	b.Open(s.URL + "/admin?lang=en#/layanan")
	b.WaitFor(`window.__antrean && window.__antrean.page === "layanan"`, 5*time.Second)
	if got := b.Text("#page-title"); got != "Services & counters" {
		t.Errorf("English title %q", got)
	}
	b.Screenshot("supervisor-layanan-en-1366x768")
	b.Axe("admin supervisor layanan (en)")
	b.NoErrors(allowed...)
}

// TestAdminSessionEnds: resetting one's own password in Pengguna ends the
// session (sign-out everywhere is the server's); the page asks for a new
// sign-in and carries on.
func TestAdminSessionEnds(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	b := openAdmin(t, s, "admin", apptest.AdminPassword)
	other := s.Login("admin", apptest.AdminPassword) // another login of the same admin
	gotoPage(b, "pengguna")
	b.WaitFor(`document.querySelectorAll("table.data tbody tr").length === 1`, 3*time.Second)
	b.Click(`table.data tbody tr button`)
	b.WaitVisible(field("password"), 2*time.Second)
	b.Type(field("password"), "admin-password-2")
	b.Type(field("password2"), "admin-password-2")
	b.Click("dialog[open] .form-actions button[type=submit]")
	b.WaitVisible("#login-form", 5*time.Second)
	b.WaitText("#login-note", "Sesi Anda berakhir", time.Second)
	if r := s.Do(http.MethodGet, "/api/v1/me", other, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("the admin's other login after the password change: %d, want 401", r.Status)
	}
	b.Type("#login-password", "admin-password-2\r")
	b.WaitFor(`window.__antrean.page === "pengguna"`, 5*time.Second)
	b.NoErrors(allowed...)
}
