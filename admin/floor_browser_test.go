package admin_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// tableActionsCheck finds the row actions of the page's tables that a
// person cannot see: outside the window sideways, or outside the part of
// their table's scroll box that shows. A table wider than its card
// scrolls inside the card; the actions stay in view at its right.
const tableActionsCheck = `(() => {
	const bad = [];
	for (const btn of document.querySelectorAll("#page .row-actions button, #page .row-actions a")) {
		if (!btn.getClientRects().length) continue;
		const r = btn.getBoundingClientRect();
		const name = (btn.getAttribute("aria-label") || btn.textContent).trim();
		if (r.left < -0.5 || r.right > innerWidth + 0.5) bad.push(name + " is outside the window: " + Math.round(r.left) + "–" + Math.round(r.right));
		const box = btn.closest(".table-scroll");
		if (box) {
			const b = box.getBoundingClientRect();
			if (r.left < b.left - 0.5 || r.right > b.right + 0.5) bad.push(name + " is outside its table's box: " + Math.round(r.left) + "–" + Math.round(r.right) + " of " + Math.round(b.left) + "–" + Math.round(b.right));
		}
		if (btn.scrollWidth > btn.clientWidth + 1) bad.push(name + " is cut short");
		// Nothing covers it where a person would click.
		const at = document.elementFromPoint(Math.min(innerWidth - 1, r.left + r.width / 2), r.top + r.height / 2);
		if (r.top >= 0 && r.bottom <= innerHeight && at && at !== btn && !btn.contains(at)) bad.push(name + " is covered by " + (at.id || at.className || at.tagName));
	}
	for (const wrap of document.querySelectorAll("#page .table-wrap")) {
		const r = wrap.getBoundingClientRect();
		if (r.right > innerWidth + 0.5) bad.push("a table's card runs out of the window: " + Math.round(r.right));
	}
	return bad;
})()`

func checkTables(t *testing.T, b *browsertest.Browser, label string) {
	t.Helper()
	var bad []string
	b.Eval(tableActionsCheck, &bad)
	for _, x := range bad {
		t.Errorf("%s: %s", label, x)
	}
	if b.Overflows() {
		t.Errorf("%s: the page scrolls sideways", label)
	}
}

// TestAdminFloor1366: the admin screens at 1366×768 with the demo mall,
// in Indonesian and English. Every table fits its card or scrolls inside
// it with its Ubah/Hapus buttons whole and in view; the settings say
// "Pengaturan disimpan" beside the Save button (which sticks to the
// window's bottom), not far above it; the English fields of agencies,
// services and the site can be set in the forms and reach the API.
func TestAdminFloor1366(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday, Demo: true})
	for _, lang := range []string{"id", "en"} {
		b := browsertest.New(t, browsertest.Options{Width: 1366, Height: 768})
		b.Open(s.URL + "/admin?lang=" + lang)
		b.WaitFor(`window.__antrean && window.__antrean.ready`, 10*time.Second)
		b.WaitVisible("#login-form", 5*time.Second)
		b.Type("#login-username", "admin")
		b.Type("#login-password", apptest.AdminPassword+kb.Enter)
		b.WaitFor(`window.__antrean.page === "ringkasan"`, 5*time.Second)
		for _, page := range []string{"layanan", "instansi", "pengguna", "perangkat", "webhook", "audit"} {
			gotoPage(b, page)
			b.WaitFor(`document.querySelector("#page table.data tbody tr, #page .table-wrap .empty")`, 5*time.Second)
			checkTables(t, b, page+" ("+lang+")")
			if page == "layanan" {
				b.Screenshot("services-" + lang)
				// Scrolled to the counters table too.
				b.Eval(`document.getElementById("counters-title").scrollIntoView()`, nil)
				checkTables(t, b, "counters ("+lang+")")
				b.Screenshot("counters-" + lang)
				b.Axe("admin services (" + lang + ")")
			}
		}

		// Settings: the outcome beside the Save button.
		gotoPage(b, "pengaturan")
		b.WaitVisible("#settings-form", 5*time.Second)
		saved := map[string]string{"id": "Pengaturan disimpan", "en": "Settings saved"}[lang]
		runEN := "Welcome to the public service mall. Service hours 08.00–15.00."
		b.Eval(`(() => { const el = document.querySelector("#settings-form [data-field=running_text_en]"); el.focus(); el.value = `+q(runEN+" "+lang)+`; el.dispatchEvent(new Event("input", {bubbles: true})); })()`, nil)
		b.Click("#settings-form button[type=submit]")
		b.WaitText("#settings-form .form-status", saved, 5*time.Second)
		var gap struct {
			Dx, Dy  float64
			Visible bool
		}
		b.Eval(`(() => {
			const s = document.querySelector("#settings-form .form-status").getBoundingClientRect();
			const btn = document.querySelector("#settings-form button[type=submit]").getBoundingClientRect();
			return {dx: s.left - btn.right, dy: Math.abs((s.top + s.bottom) / 2 - (btn.top + btn.bottom) / 2), visible: s.bottom <= innerHeight && s.top >= 0 && btn.bottom <= innerHeight};
		})()`, &gap)
		if gap.Dx < 0 || gap.Dx > 40 || gap.Dy > 4 || !gap.Visible {
			t.Errorf("%s: the outcome is %+v from the Save button, want beside it and in view", lang, gap)
		}
		b.Screenshot("settings-saved-" + lang)
		b.Axe("admin settings saved (" + lang + ")")
		var site struct {
			RunningTextEN string `json:"running_text_en"`
		}
		s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
		if site.RunningTextEN != runEN+" "+lang {
			t.Errorf("%s: running_text_en %q after saving", lang, site.RunningTextEN)
		}
		b.NoErrors()
	}
}

// TestAdminEnglishFields: the agency, service and counter forms and the
// settings' breaks take the English names, requirements and fee, and say
// in words when the English requirements do not match the Indonesian ones
// line by line; the break presets fill in both names.
func TestAdminEnglishFields(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	m := s.SetupMall()
	b := openAdmin(t, s, "admin", apptest.AdminPassword)

	gotoPage(b, "instansi")
	b.Click(`#page button[aria-label*="Dinas Kependudukan"]`)
	b.WaitVisible(field("name_en"), 2*time.Second)
	b.Type(field("name_en"), "Population and Civil Registration Office")
	b.Type(field("short_name_en"), "Civil Registry")
	b.Axe("admin agency form (id)")
	b.Click("dialog[open] button[type=submit]")
	b.WaitFor(`!document.querySelector("dialog[open]")`, 5*time.Second)
	var a struct{ NameEN, ShortNameEN string }
	s.MustJSON(http.MethodGet, "/api/v1/agencies/"+m.AgencyA.ID, "", nil, http.StatusOK, &struct {
		NameEN      *string `json:"name_en"`
		ShortNameEN *string `json:"short_name_en"`
	}{&a.NameEN, &a.ShortNameEN})
	if a.NameEN != "Population and Civil Registration Office" || a.ShortNameEN != "Civil Registry" {
		t.Errorf("agency's English names: %+v", a)
	}

	gotoPage(b, "layanan")
	b.Click(`#page button[aria-label*="Perekaman KTP-el"]`)
	b.WaitVisible(field("requirements_en"), 2*time.Second)
	b.Type(field("requirements"), kb.Enter+"Kartu Keluarga")
	b.Type(field("requirements_en"), "ID card")
	b.Click("dialog[open] button[type=submit]")
	b.WaitFor(`document.querySelector("dialog[open] [data-field=requirements_en][aria-invalid=true]")`, 3*time.Second)
	var why string
	b.Eval(`document.getElementById(document.querySelector("dialog[open] [data-field=requirements_en]").getAttribute("aria-describedby").split(" ").find((id) => document.getElementById(id) && document.getElementById(id).classList.contains("field-error"))).textContent`, &why)
	if !strings.Contains(why, "baris") {
		t.Errorf("the mismatch is explained as %q", why)
	}
	b.Type(field("requirements_en"), kb.Enter+"Family card")
	b.Type(field("fee"), "Rp 50.000 (PNBP)")
	b.Type(field("fee_en"), "IDR 50,000 (state fee)")
	b.Click("dialog[open] button[type=submit]")
	b.WaitFor(`!document.querySelector("dialog[open]")`, 5*time.Second)
	var svc struct {
		Requirements   []string `json:"requirements"`
		RequirementsEN []string `json:"requirements_en"`
		FeeEN          string   `json:"fee_en"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/services/"+m.ServiceA1.ID, "", nil, http.StatusOK, &svc)
	if strings.Join(svc.RequirementsEN, "|") != "ID card|Family card" || len(svc.Requirements) != 2 || svc.FeeEN != "IDR 50,000 (state fee)" {
		t.Errorf("service's requirements %q, English %q, fee_en %q", svc.Requirements, svc.RequirementsEN, svc.FeeEN)
	}

	b.Click(`#page button[aria-label*="Loket 1"]`)
	b.WaitVisible(field("name_en"), 2*time.Second)
	b.Type(field("name_en"), "Counter 1")
	b.Axe("admin counter form (id)")
	b.Click("dialog[open] button[type=submit]")
	b.WaitFor(`!document.querySelector("dialog[open]")`, 5*time.Second)
	var k struct {
		Name   string `json:"name"`
		NameEN string `json:"name_en"`
	}
	s.MustJSON(http.MethodGet, "/api/v1/counters/"+m.CounterA.ID, "", nil, http.StatusOK, &k)
	if k.Name != "Loket 1" || k.NameEN != "Counter 1" {
		t.Errorf("counter's names %+v", k)
	}
	// The table finds it by its English name too.
	b.WaitText(`#page tr[data-id="`+m.CounterA.ID+`"]`, "Counter 1", 3*time.Second)

	// The break presets give both names; an English name can be changed.
	gotoPage(b, "pengaturan")
	b.WaitVisible("#settings-form", 5*time.Second)
	b.Click(`[data-preset="breaks-0"]`)
	b.Click(`[data-preset="breaks-1"]`)
	b.Clear(`#settings-form [data-field="breaks[0].name_en"]`)
	b.Type(`#settings-form [data-field="breaks[0].name_en"]`, "Midday break")
	b.Click("#settings-form button[type=submit]")
	b.WaitText("#settings-form .form-status", "Pengaturan disimpan", 5*time.Second)
	var site queue.Site
	s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
	if len(site.Breaks) != 2 || site.Breaks[0].Name != "ISHOMA" || site.Breaks[0].NameEN != "Midday break" ||
		site.Breaks[1].Name != "Salat Jumat" || site.Breaks[1].NameEN != "Friday prayer" {
		t.Errorf("breaks after saving: %+v", site.Breaks)
	}
	b.NoErrors()
}

func q(s string) string { return strconv.Quote(s) }
