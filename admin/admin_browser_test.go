package admin_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// allowed are console messages a test may see: the page asks who is
// signed in before anybody is (401), and refusals the test provokes.
var allowed = []string{`status of 40[139]`}

// openAdmin opens /admin and signs in with the keyboard.
func openAdmin(t *testing.T, s *apptest.Server, user, password string) *browsertest.Browser {
	t.Helper()
	b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
	b.Open(s.URL + "/admin")
	b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
	b.WaitVisible("#login-form", 5*time.Second)
	b.Type("#login-username", user)
	b.Type("#login-password", password+kb.Enter)
	b.WaitFor(`window.__antrean.page === "ringkasan"`, 5*time.Second)
	return b
}

// navEntries lists the left navigation's entries.
func navEntries(b *browsertest.Browser) []string {
	b.T.Helper()
	var out []string
	b.Eval(`[...document.querySelectorAll("#nav a")].map((a) => [...a.children].map((c) => c.textContent).join(" "))`, &out)
	return out
}

// gotoPage clicks a navigation entry and waits for its page.
func gotoPage(b *browsertest.Browser, id string) {
	b.T.Helper()
	b.Click("#nav-" + id)
	b.WaitFor(fmt.Sprintf(`window.__antrean.page === %q`, id), 5*time.Second)
}

// field is the selector of a form field in the open dialog.
func field(name string) string { return fmt.Sprintf(`dialog[open] [data-field=%q]`, name) }

// choose picks the option of a select whose label contains text, as a
// person choosing it from the list does (the change event fires).
func choose(b *browsertest.Browser, sel, text string) {
	b.T.Helper()
	var ok bool
	b.Eval(fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		const o = [...el.options].find((o) => o.textContent.includes(%q));
		if (!o) return false;
		el.focus();
		el.value = o.value;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, sel, text), &ok)
	if !ok {
		b.T.Fatalf("no option %q in %s", text, sel)
	}
}

// pick sets an input's value as a picker (date) does: value, then the
// input and change events.
func pick(b *browsertest.Browser, sel, value string) {
	b.T.Helper()
	b.Eval(fmt.Sprintf(`(() => {
		const el = document.querySelector(%q);
		el.focus();
		el.value = %q;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
	})()`, sel, value), nil)
}

// submit presses the open dialog's submit button and waits for the
// dialog to close and the notice to say want.
func submit(b *browsertest.Browser, want string) {
	b.T.Helper()
	b.Click("dialog[open] .form-actions button[type=submit]")
	b.WaitFor(`!document.querySelector("dialog[open]")`, 5*time.Second)
	b.WaitText("#notice", want, 3*time.Second)
}

// fieldError is the error shown under a field of the open dialog (or the
// settings form).
func fieldError(b *browsertest.Browser, scope, name string) string {
	b.T.Helper()
	var s string
	b.Eval(fmt.Sprintf(`(() => {
		const el = document.querySelector(%q + " [data-field=" + JSON.stringify(%q) + "]");
		const id = (el.getAttribute("aria-describedby") || "").split(" ").find((x) => x.endsWith("-err"));
		return (id && document.getElementById(id).textContent) || "";
	})()`, scope, name), &s)
	return s
}

// TestAdminSetupFromEmpty: from an empty database (only the first admin),
// an admin sets up a mall through the screens alone — settings, two
// agencies, three services, a counter, an officer and a kiosk — typing and
// clicking; the test only reads the API to check what was made. Forms
// validate as you type and show the API's field errors in words.
func TestAdminSetupFromEmpty(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	b := openAdmin(t, s, "admin", apptest.AdminPassword)
	if got := navEntries(b); !slices.Equal(got, []string{"Ringkasan", "Layanan & Loket", "Instansi", "Pengguna", "Perangkat", "Laporan", "SKM", "Pengaturan", "Webhook", "Cadangan", "Jejak audit"}) {
		t.Errorf("admin navigation: %q", got)
	}

	// Settings: open every day around the clock, the two breaks, a
	// holiday, a running text.
	gotoPage(b, "pengaturan")
	form := "#settings-form"
	b.Clear(form + ` [data-field="opens"]`)
	b.Type(form+` [data-field="opens"]`, "00:00")
	b.Clear(form + ` [data-field="closes"]`)
	b.Type(form+` [data-field="closes"]`, "25:00")
	if got := fieldError(b, form, "closes"); !strings.Contains(got, "JJ:MM") {
		t.Errorf("closes 25:00: error %q, want the time format explained as you type", got)
	}
	b.Clear(form + ` [data-field="closes"]`)
	b.Type(form+` [data-field="closes"]`, "24:00")
	if got := fieldError(b, form, "closes"); got != "" {
		t.Errorf("closes 24:00: error %q, want none", got)
	}
	b.Click(form + ` input[name="weekdays"][value="sat"]`)
	b.Click(form + ` input[name="weekdays"][value="sun"]`)
	b.Click(`[data-preset="breaks-0"]`)
	b.Click(`[data-preset="breaks-1"]`)
	holiday := s.Clock.Now().AddDate(0, 1, 0).Format("2006-01-02") // a month after the server's today
	b.Click(`[data-add="holidays"]`)
	b.WaitFor(`document.activeElement && document.activeElement.dataset.field === "holidays[0]"`, 2*time.Second)
	// The browser's date picker varies with the locale: pick the date as
	// the picker would, by value.
	pick(b, `[data-field="holidays[0]"]`, holiday)
	b.Type(form+` [data-field="running_text"]`, "Jam layanan 08.00–15.00 WIB · ISHOMA 12.00–13.00")
	b.Clear(form + ` [data-field="priority_interleave"]`)
	b.Type(form+` [data-field="priority_interleave"]`, "3")
	b.Screenshot("settings-1366x768")
	b.Axe("admin settings with a holiday and breaks (id)")
	b.Click(form + ` .form-actions button[type=submit]`)
	b.WaitText("#settings-form .form-status", "Pengaturan disimpan.", 3*time.Second)
	var site queue.Site
	s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
	if site.Opens != "00:00" || site.Closes != "24:00" || len(site.Weekdays) != 7 || site.PriorityInterleave != 3 ||
		len(site.Breaks) != 2 || site.Breaks[0].Name != "ISHOMA" || site.Breaks[1].Days[0] != "fri" ||
		!slices.Equal(site.Holidays, []string{holiday}) || !strings.HasPrefix(site.RunningText, "Jam layanan") {
		t.Errorf("site after saving: %+v", site)
	}

	// Agencies.
	gotoPage(b, "instansi")
	addAgency := func(code, name, short string) {
		b.Click("#add-agency")
		b.WaitVisible(field("code"), 2*time.Second)
		b.Type(field("code"), code)
		b.Type(field("name"), name)
		b.Type(field("short_name"), short+kb.Enter)
		b.WaitFor(`!document.querySelector("dialog[open]")`, 5*time.Second)
		b.WaitText("#notice", name+" ditambahkan.", 3*time.Second)
	}
	// Validation as you type: lower case becomes upper case, a dash is
	// explained.
	b.Click("#add-agency")
	b.WaitVisible(field("code"), 2*time.Second)
	b.Type(field("code"), "dk-p")
	if got := fieldError(b, "dialog[open]", "code"); !strings.Contains(got, "huruf kapital") {
		t.Errorf("agency code DK-P: error %q, want the code rule in words", got)
	}
	b.Keys(kb.Escape)
	b.WaitFor(`!document.querySelector("dialog[open]")`, 2*time.Second)
	addAgency("dkp", "Dinas Kependudukan dan Pencatatan Sipil", "Dukcapil")
	addAgency("BPJSKES", "BPJS Kesehatan", "BPJS Kesehatan")
	b.WaitFor(`document.querySelectorAll("table.data tbody tr").length === 2`, 2*time.Second)

	// Services: two of Dukcapil, one of BPJS Kesehatan; the second "A"
	// meets the API's field error, shown at the field in words.
	gotoPage(b, "layanan")
	addService := func(agency, code, name, fee, reqs, quota string) {
		b.Click("#add-service")
		b.WaitVisible(field("code"), 2*time.Second)
		choose(b, field("agency_id"), agency)
		b.Type(field("code"), code)
		b.Type(field("name"), name)
		b.Type(field("fee"), fee)
		b.Type(field("requirements"), reqs)
		b.Clear(field("daily_quota"))
		b.Type(field("daily_quota"), quota)
	}
	addService("Dukcapil", "a", "Perekaman KTP-el", "Gratis", "Kartu Keluarga\nSurat pengantar", "150")
	submit(b, "A · Perekaman KTP-el ditambahkan.")
	addService("Dukcapil", "B", "Akta Kelahiran", "Gratis", "Surat keterangan lahir", "0")
	submit(b, "B · Akta Kelahiran ditambahkan.")
	addService("BPJS Kesehatan", "A", "Pendaftaran Peserta", "Gratis", "KTP-el", "x")
	if got := fieldError(b, "dialog[open]", "daily_quota"); got != "Isi dengan angka bulat." {
		t.Errorf("quota x: error %q", got)
	}
	b.Clear(field("daily_quota"))
	b.Type(field("daily_quota"), "80")
	b.Click("dialog[open] .form-actions button[type=submit]")
	b.WaitFor(`(document.querySelector("dialog[open] .form-error")?.textContent || "").length > 0`, 3*time.Second)
	if got := fieldError(b, "dialog[open]", "code"); got != "Sudah dipakai; pilih yang lain." {
		t.Errorf("a second service A: the code field says %q, want the API's already-in-use in words", got)
	}
	b.Screenshot("service-error-1366x768")
	b.Axe("admin service field errors (id)")
	b.Clear(field("code"))
	b.Type(field("code"), "K")
	submit(b, "K · Pendaftaran Peserta ditambahkan.")

	// A counter of Dukcapil calling both its services.
	b.Click("#add-counter")
	b.WaitVisible(field("name"), 2*time.Second)
	choose(b, field("agency_id"), "Dukcapil")
	b.Type(field("name"), "Loket 1")
	b.Click(`dialog[open] [data-key="service_ids"] label:nth-child(1) input`)
	b.Click(`dialog[open] [data-key="service_ids"] label:nth-child(2) input`)
	submit(b, "Loket 1 ditambahkan.")
	b.Screenshot("services-1366x768")

	// An officer of Dukcapil.
	gotoPage(b, "pengguna")
	b.Click("#add-user")
	b.WaitVisible(field("username"), 2*time.Second)
	b.Type(field("username"), "budi")
	choose(b, field("role"), "Petugas")
	choose(b, field("agency_id"), "Dukcapil")
	b.Type(field("password"), "pendek")
	if got := fieldError(b, "dialog[open]", "password"); got != "Paling sedikit 10 karakter." {
		t.Errorf("a short password: error %q", got)
	}
	b.Type(field("password"), "-sekali-lagi")
	b.Type(field("password2"), "pendek-sekali-lagi")
	submit(b, "budi ditambahkan.")
	b.Screenshot("users-1366x768")

	// A kiosk: its token is shown once, with a copy button and the
	// pairing link.
	gotoPage(b, "perangkat")
	b.Click("#add-device")
	b.WaitVisible(field("name"), 2*time.Second)
	b.Type(field("name"), "Kios Lobi")
	b.Click("dialog[open] .form-actions button[type=submit]")
	b.WaitVisible("#device-token", 3*time.Second)
	token := b.Text("#device-token")
	var link string
	b.Eval(`document.getElementById("device-link").getAttribute("href")`, &link)
	if !strings.HasPrefix(token, "kiosk_") || link != s.URL+"/kiosk?device="+token {
		t.Errorf("token %q, pairing link %q", token, link)
	}
	b.Click("#copy-token")
	b.WaitText(".copied", "tersalin", 2*time.Second)
	b.Screenshot("device-token-1366x768")
	b.Axe("admin device token (id)")
	b.Click("#token-done")
	b.WaitFor(`!document.querySelector("dialog[open]")`, 2*time.Second)
	b.WaitText("table.data", "Kios Lobi", 2*time.Second)
	if strings.Contains(b.Text("#page"), token) {
		t.Errorf("the token is still on the page after its dialog closed")
	}

	// A survey tablet stands at a counter: the form asks which.
	b.Click("#add-device")
	b.WaitVisible(field("name"), 2*time.Second)
	choose(b, field("kind"), "Tablet survei")
	b.Type(field("name"), "Tablet Loket 1")
	b.Click("dialog[open] .form-actions button[type=submit]")
	if got := fieldError(b, "dialog[open]", "counter_id"); got == "" {
		t.Errorf("a survey tablet without a counter: no error shown")
	}
	choose(b, field("counter_id"), "Loket 1")
	b.Screenshot("device-survey-1366x768")
	b.Click("dialog[open] .form-actions button[type=submit]")
	b.WaitVisible("#device-token", 3*time.Second)
	tabletToken := b.Text("#device-token")
	b.Eval(`document.getElementById("device-link").getAttribute("href")`, &link)
	if !strings.HasPrefix(tabletToken, "survey_") || link != s.URL+"/survey?device="+tabletToken {
		t.Errorf("survey tablet: token %q, pairing link %q", tabletToken, link)
	}
	b.Click("#token-done")
	b.WaitText("table.data", "di Loket 1", 2*time.Second)

	// What the screens made, read through the API.
	var ags struct{ Agencies []queue.Agency }
	s.MustJSON(http.MethodGet, "/api/v1/agencies", "", nil, http.StatusOK, &ags)
	agency := map[string]queue.Agency{}
	for _, a := range ags.Agencies {
		agency[a.Code] = a
	}
	if len(ags.Agencies) != 2 || agency["DKP"].ShortName != "Dukcapil" || agency["BPJSKES"].Name != "BPJS Kesehatan" {
		t.Errorf("agencies: %+v", ags.Agencies)
	}
	var svcs struct{ Services []queue.Service }
	s.MustJSON(http.MethodGet, "/api/v1/services", "", nil, http.StatusOK, &svcs)
	svc := map[string]queue.Service{}
	for _, v := range svcs.Services {
		svc[v.Code] = v
	}
	if a := svc["A"]; len(svcs.Services) != 3 || a.AgencyID != agency["DKP"].ID || a.DailyQuota != 150 || a.Fee != "Gratis" ||
		!slices.Equal(a.Requirements, []string{"Kartu Keluarga", "Surat pengantar"}) || svc["K"].AgencyID != agency["BPJSKES"].ID || svc["K"].DailyQuota != 80 {
		t.Errorf("services: %+v", svcs.Services)
	}
	var ctrs struct{ Counters []queue.Counter }
	s.MustJSON(http.MethodGet, "/api/v1/counters", "", nil, http.StatusOK, &ctrs)
	if len(ctrs.Counters) != 1 || ctrs.Counters[0].Name != "Loket 1" || !slices.Equal(ctrs.Counters[0].ServiceIDs, []string{svc["A"].ID, svc["B"].ID}) {
		t.Errorf("counters: %+v", ctrs.Counters)
	}
	var users struct{ Users []queue.User }
	s.MustJSON(http.MethodGet, "/api/v1/users", s.Admin, nil, http.StatusOK, &users)
	var budi *queue.User
	for i, u := range users.Users {
		if u.Username == "budi" {
			budi = &users.Users[i]
		}
	}
	if budi == nil || budi.Role != queue.RoleOfficer || budi.AgencyID != agency["DKP"].ID || budi.Disabled {
		t.Errorf("officer budi: %+v", budi)
	}
	var devs struct{ Devices []queue.Device }
	s.MustJSON(http.MethodGet, "/api/v1/devices", s.Admin, nil, http.StatusOK, &devs)
	if len(devs.Devices) != 2 || devs.Devices[0].Kind != queue.DeviceKiosk || devs.Devices[0].Name != "Kios Lobi" ||
		devs.Devices[1].Kind != queue.DeviceSurvey || devs.Devices[1].CounterID != ctrs.Counters[0].ID {
		t.Errorf("devices: %+v", devs.Devices)
	}
	// The mall works: the officer signs in, the kiosk's token takes a
	// ticket (this hour, any day: the settings opened the mall around the
	// clock).
	s.Login("budi", "pendek-sekali-lagi")
	s.MustJSON(http.MethodPost, "/api/v1/tickets", token, map[string]any{"service_id": svc["A"].ID}, http.StatusCreated, nil)

	// The overview follows: one waiting at Dukcapil.
	gotoPage(b, "ringkasan")
	b.WaitText("#tile-waiting", "1", 3*time.Second)
	b.WaitText(`[data-agency="`+agency["DKP"].ID+`"]`, "menunggu 1", 3*time.Second)

	// The audit log shows what was done, newest first: budi's sign-in on
	// top; filtered to device changes, the kiosk's creation.
	gotoPage(b, "audit")
	b.WaitFor(`document.querySelectorAll("#audit-table tbody tr").length > 5`, 3*time.Second)
	if got := b.Text("#audit-table tbody tr:first-child"); !strings.Contains(got, "budi") || !strings.Contains(got, "login") {
		t.Errorf("the newest audit entry reads %q, want budi's login", got)
	}
	b.Screenshot("audit-1366x768")
	b.Axe("admin audit (id)")
	b.Type("#audit-action", "device.created"+kb.Enter)
	b.WaitFor(`document.querySelectorAll("#audit-table tbody tr").length === 2`, 3*time.Second) // the kiosk and the survey tablet
	var rows []string
	b.Eval(`[...document.querySelectorAll("#audit-table tbody tr")].map((r) => r.textContent)`, &rows)
	for _, got := range rows {
		if !strings.Contains(got, "device.created") || !strings.Contains(got, "admin") {
			t.Errorf("device changes in the audit log: %q", got)
		}
	}
	b.NoErrors(allowed...)
}
