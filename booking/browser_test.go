package booking_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/browsertest"
	"github.com/mpp-digital/antrean/queue"
)

// The screens of online booking in Chromium: /booking on a phone
// (360×800) and the kiosk's check-in (1080×1920, a touch screen with a
// USB scanner), against a real server on a fixed clock.

// checkLook fails on text below WCAG AA, a page wider than the screen,
// touch targets under min px, resources from another origin, and what axe
// finds serious or critical.
func checkLook(t *testing.T, b *browsertest.Browser, label string, min int) {
	t.Helper()
	if bad := b.LowContrast(); len(bad) > 0 {
		t.Errorf("%s: text below WCAG AA contrast: %v", label, bad)
	}
	if b.Overflows() {
		t.Errorf("%s: the page is wider than the screen", label)
	}
	if bad := b.SmallTargets(min); len(bad) > 0 {
		t.Errorf("%s: targets under %d px: %v", label, min, bad)
	}
	if foreign := b.ForeignRequests(); len(foreign) > 0 {
		t.Errorf("%s: loads from elsewhere than the server (a LAN without internet has none): %v", label, foreign)
	}
	b.Axe(label)
}

func screenshotQR(t *testing.T, b *browsertest.Browser, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code in %s: %v", sel, err)
	}
	return res.GetText()
}

// bookingMall is the mall with what the page shows: a service asking for
// the NIK, a day full, a holiday.
func bookingMall(t *testing.T) (*apptest.Server, *apptest.Mall) {
	s, m := startMall(t, apptest.Options{})
	site := *s.App.Engine.State().Site
	site.Holidays = []string{"2026-11-29"}
	site.Breaks = []queue.Break{{Name: "ISHOMA", Days: []string{}, From: "12:00", To: "13:00"}}
	site.Opens, site.Closes = "08:00", "15:00"
	s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, site, http.StatusOK, nil)
	a1 := *s.App.Engine.State().Service(m.ServiceA1.ID)
	a1.DailyQuota, a1.OnlineSharePct, a1.Fee = 40, 50, "Gratis"
	a1.Requirements = []string{"Fotokopi Kartu Keluarga", "Surat pengantar RT/RW"}
	s.MustJSON(http.MethodPut, "/api/v1/services/"+a1.ID, s.Admin, a1, http.StatusOK, nil)
	a2 := *s.App.Engine.State().Service(m.ServiceA2.ID)
	a2.RequiresNIK, a2.Fee = true, "Rp 30.000"
	s.MustJSON(http.MethodPut, "/api/v1/services/"+a2.ID, s.Admin, a2, http.StatusOK, nil)
	// The 28th of A1 is full: its 20 online places are taken.
	for i := range 20 {
		book(t, s, a1.ID, "2026-11-28", fmt.Sprintf("%02d:%02d", 8+i/10, i%2*30), fmt.Sprintf("0856%08d", i))
	}
	return s, m
}

// TestBookingPageOnPhone books on /booking at 360×800: agency → service
// → date (the full day and the holiday greyed) → time → name and phone,
// with the privacy notice → the code, its QR (which reads as the code)
// and the calendar file; then manages it by code: reschedules once and
// cancels.
func TestBookingPageOnPhone(t *testing.T) {
	t.Parallel()
	s, m := bookingMall(t)
	b := browsertest.New(t, browsertest.Options{Width: 360, Height: 800})
	b.Open(s.URL + "/booking")
	b.WaitFor(`window.__booking && window.__booking.ready`, 10*time.Second)
	if got := b.Text("#agency-title"); got != "Pilih instansi" {
		t.Errorf("first step %q", got)
	}
	b.Screenshot("1-agencies-360x800")
	checkLook(t, b, "agencies", 44)

	b.Click(`[data-agency="` + m.AgencyA.ID + `"]`)
	b.WaitVisible(`[data-choose="`+m.ServiceA1.ID+`"]`, 5*time.Second)
	if txt := b.Text("#services"); !strings.Contains(txt, "Surat pengantar RT/RW") || !strings.Contains(txt, "Rp 30.000") || !strings.Contains(txt, "Perlu NIK") {
		t.Errorf("services show %q", txt)
	}
	b.Screenshot("2-services-360x800")
	checkLook(t, b, "services", 44)

	b.Click(`[data-choose="` + m.ServiceA1.ID + `"]`)
	b.WaitFor(`document.querySelectorAll("#days .day").length === 15 && !document.querySelector("#days .day.is-loading")`, 10*time.Second)
	var days []struct {
		Date, Text string
		Disabled   bool
	}
	b.Eval(`[...document.querySelectorAll("#days .day")].map((d) => ({date: d.dataset.date, text: d.innerText.replace(/\s+/g, " "), disabled: d.disabled}))`, &days)
	for _, d := range days {
		switch d.Date {
		case "2026-11-28":
			if !d.Disabled || !strings.Contains(d.Text, "Penuh") {
				t.Errorf("the full day: %+v", d)
			}
		case "2026-11-29":
			if !d.Disabled || !strings.Contains(d.Text, "Tutup") {
				t.Errorf("the holiday: %+v", d)
			}
		case "2026-11-26":
			if d.Disabled || !strings.Contains(d.Text, "Hari ini") || !strings.Contains(d.Text, "20 tempat") {
				t.Errorf("today: %+v", d)
			}
		default:
			if d.Disabled {
				t.Errorf("an open day greyed: %+v", d)
			}
		}
	}
	b.Screenshot("3-dates-360x800")
	checkLook(t, b, "dates", 44)

	b.Click(`[data-date="2026-11-27"]`)
	b.WaitVisible(`[data-start="09:00"]`, 5*time.Second)
	if txt := b.Text("#slots"); strings.Contains(txt, "12.00–") || !strings.Contains(txt, "13.00–") || !strings.Contains(txt, "5 tempat tersisa") {
		t.Errorf("slots (no 12.00: the break) %q", txt)
	}
	b.Screenshot("4-slots-360x800")
	checkLook(t, b, "slots", 44)

	b.Click(`[data-start="09:00"]`)
	b.WaitVisible("#f-name", 5*time.Second)
	if !strings.Contains(b.Text("#privacy-text"), "dihapus 30 hari setelah tanggal booking") {
		t.Errorf("privacy notice before submission: %q", b.Text("#privacy-text"))
	}
	var nikShown bool
	b.Eval(`!document.getElementById("nik-field").hidden`, &nikShown)
	if nikShown {
		t.Error("the NIK is asked by a service that needs none")
	}
	// A wrong phone number is said next to the field; nothing is sent.
	b.Type("#f-name", "Siti Rahayu")
	b.Type("#f-phone", "12345")
	b.Click("#submit")
	b.WaitText("#e-phone", "nomor HP Indonesia", 2*time.Second)
	b.Clear("#f-phone")
	b.Type("#f-phone", "0812 3456 7890")
	b.Screenshot("5-form-360x800")
	checkLook(t, b, "form", 44)
	b.Click("#submit")
	b.WaitFor(`window.__booking.step() === "done"`, 10*time.Second)
	var created []created
	b.Eval(`window.__booking.created`, &created)
	if len(created) != 1 {
		t.Fatalf("created %v", created)
	}
	c := created[0]
	if got := b.Text("#done-code"); got != c.Code[:4]+"-"+c.Code[4:] {
		t.Errorf("the code shown %q, booked %q", got, c.Code)
	}
	b.WaitFor(`document.getElementById("done-qr").complete && document.getElementById("done-qr").naturalWidth > 0`, 5*time.Second)
	qr := screenshotQR(t, b, "#done-qr")
	if code, ok := queue.ParseBookingCode(qr); !ok || code != c.Code {
		t.Errorf("the QR holds %q, which is not the code %s", qr, c.Code)
	}
	for _, want := range []string{"Jumat, 27 November 2026, 09.00\u201309.30 WIB", "Check-in di kios antara pukul 08.30 WIB dan 09.15 WIB", "Fotokopi Kartu Keluarga", "Gratis"} {
		if !strings.Contains(b.Text("#step-done"), want) {
			t.Errorf("the done step lacks %q: %s", want, b.Text("#step-done"))
		}
	}
	var ics string
	b.Eval(`fetch(document.getElementById("done-ics").href).then((r) => r.text())`, &ics)
	if !strings.Contains(ics, "DTSTART:20261127T020000Z") {
		t.Errorf("the calendar link gives %q", ics)
	}
	b.Screenshot("6-done-360x800")
	checkLook(t, b, "done", 44)
	b.NoErrors()

	// Manage: the QR's address opens the booking; reschedule once; cancel.
	b.Open(qr)
	b.WaitFor(`window.__booking.ready && window.__booking.views.length === 1`, 10*time.Second)
	if got := b.Text("#v-status"); got != "Terjadwal" {
		t.Errorf("status %q", got)
	}
	if got := b.Text("#v-phone"); got != "**********7890" {
		t.Errorf("phone shown as %q", got)
	}
	b.Screenshot("7-manage-360x800")
	checkLook(t, b, "manage", 44)
	b.Click("#v-reschedule")
	b.WaitFor(`document.querySelector('#days .day[data-date="2026-11-30"]') && !document.querySelector("#days .day.is-loading")`, 10*time.Second)
	b.Click(`[data-date="2026-11-30"]`)
	b.WaitVisible(`[data-start="13:30"]`, 5*time.Second)
	b.Click(`[data-start="13:30"]`)
	b.WaitText("#v-note", "Jadwal berhasil diubah", 5*time.Second)
	if got := b.Text("#v-when"); !strings.Contains(got, "Senin, 30 November 2026, 13.30") {
		t.Errorf("after the reschedule %q", got)
	}
	var again bool
	b.Eval(`!document.getElementById("v-reschedule").hidden`, &again)
	if again {
		t.Error("a rescheduled booking offers another reschedule")
	}
	b.Screenshot("8-rescheduled-360x800")
	b.Click("#v-cancel")
	b.WaitVisible("#cancel-yes", 2*time.Second)
	b.Screenshot("9-cancel-confirm-360x800")
	b.Click("#cancel-yes")
	b.WaitText("#v-status", "Dibatalkan", 5*time.Second)
	if got := b.Text("#v-name"); got != "\u2014" {
		t.Errorf("after cancel the name shows %q", got)
	}
	b.Screenshot("10-cancelled-360x800")
	checkLook(t, b, "cancelled", 44)
	b.NoErrors()

	// English: the steps up to the form, then a code that does not exist.
	b.Open(s.URL + "/booking?lang=en")
	b.WaitFor(`window.__booking.ready`, 10*time.Second)
	b.Axe("agencies (en)")
	b.Click(`[data-agency="` + m.AgencyA.ID + `"]`)
	b.WaitVisible(`[data-choose="`+m.ServiceA1.ID+`"]`, 5*time.Second)
	b.Axe("services (en)")
	b.Click(`[data-choose="` + m.ServiceA1.ID + `"]`)
	b.WaitFor(`document.querySelectorAll("#days .day").length === 15 && !document.querySelector("#days .day.is-loading")`, 10*time.Second)
	b.Axe("dates (en)")
	b.Click(`[data-date="2026-11-27"]`)
	b.WaitVisible(`[data-start="09:00"]`, 5*time.Second)
	b.Axe("slots (en)")
	b.Click(`[data-start="09:00"]`)
	b.WaitVisible("#f-name", 5*time.Second)
	b.Axe("form (en)")
	b.Open(s.URL + "/booking?lang=en")
	b.WaitFor(`window.__booking.ready`, 10*time.Second)
	b.Click("#tab-manage")
	b.Type("#m-code", "zzzz-zzzz")
	b.Click("#m-find")
	b.WaitText("#m-error", "No booking has this code", 5*time.Second)
	b.Screenshot("11-manage-unknown-en-360x800")
	b.Axe("manage, unknown code (en)")
	b.NoErrors(`Failed to load resource`)
}
