package booking

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mpp-digital/antrean/queue"
)

// calendar is the booking as an iCalendar file (RFC 5545): one event at
// the slot, in UTC (no time zone table needed), with the code, the
// check-in window and what to bring, and a reminder an hour before. Its
// UID is the booking's, so a rescheduled booking saved again replaces
// the old event.
func calendar(st *queue.State, b *queue.Booking, base string, english bool) []byte {
	start := slotTime(st, b.Date, b.Start)
	end := slotTime(st, b.Date, b.End)
	opens, closes := st.CheckinWindow(b)
	lang := "id"
	if english {
		lang = "en"
	}
	svcName, agency, reqs := "", "", []string(nil)
	if svc := st.Service(b.ServiceID); svc != nil {
		svcName, reqs = svc.NameIn(lang), svc.RequirementsIn(lang)
	}
	if a := st.Agency(b.AgencyID); a != nil {
		agency = a.Label(lang)
	}
	clock := func(t time.Time) string { return t.In(st.Loc).Format("15.04 MST") }
	code := FormatCode(b.Code)
	var summary, desc, alarm string
	if english {
		summary = fmt.Sprintf("%s (%s) — booking %s", svcName, agency, code)
		desc = fmt.Sprintf("Booking code: %s\nCheck in at the kiosk between %s and %s with this code or its QR.", code, clock(opens), clock(closes))
		if len(reqs) > 0 {
			desc += "\nBring: " + strings.Join(reqs, ", ")
		}
		alarm = "Your booking at " + st.Site.Name + " in an hour: " + code
	} else {
		summary = fmt.Sprintf("%s (%s) — booking %s", svcName, agency, code)
		desc = fmt.Sprintf("Kode booking: %s\nCheck-in di kios antara pukul %s dan %s dengan kode ini atau kode QR-nya.", code, clock(opens), clock(closes))
		if len(reqs) > 0 {
			desc += "\nBawa: " + strings.Join(reqs, ", ")
		}
		alarm = "Booking Anda di " + st.Site.Name + " satu jam lagi: " + code
	}
	manage := ManageURL(base, b.Code)
	desc += "\n" + manage
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Antrean//Booking//ID",
		"CALSCALE:GREGORIAN",
		"METHOD:PUBLISH",
		"BEGIN:VEVENT",
		"UID:" + b.ID + "@antrean",
		"DTSTAMP:" + utc(b.SlotAt),
		"DTSTART:" + utc(start),
		"DTEND:" + utc(end),
		"SUMMARY:" + icsText(summary),
		"LOCATION:" + icsText(st.Site.Name),
		"DESCRIPTION:" + icsText(desc),
		"URL:" + manage,
	}
	if b.Status == queue.BookingCancelled {
		lines = append(lines, "STATUS:CANCELLED")
	} else {
		lines = append(lines, "STATUS:CONFIRMED",
			"BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT1H", "DESCRIPTION:"+icsText(alarm), "END:VALARM")
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	var sb strings.Builder
	for _, l := range lines {
		sb.WriteString(fold(l))
	}
	return []byte(sb.String())
}

// slotTime is the local time of a date and an "HH:MM" (24:00 included).
func slotTime(st *queue.State, date, clock string) time.Time {
	d, _ := time.ParseInLocation(queue.DateLayout, date, st.Loc)
	var h, m int
	fmt.Sscanf(clock, "%d:%d", &h, &m)
	return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// icsText escapes a TEXT value: backslash, semicolon, comma and newline.
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", "").Replace(s)
}

// fold writes a content line folded at 75 octets (never inside a UTF-8
// character), ending in CRLF.
func fold(line string) string {
	var sb strings.Builder
	n, limit := 0, 75
	for len(line) > 0 {
		_, size := utf8.DecodeRuneInString(line)
		if n+size > limit {
			sb.WriteString("\r\n ")
			n, limit = 0, 74 // a continuation line starts with a space
		}
		sb.WriteString(line[:size])
		line = line[size:]
		n += size
	}
	sb.WriteString("\r\n")
	return sb.String()
}

// FormatCode shows a code as people read it: two groups of four.
func FormatCode(code string) string {
	if len(code) != queue.BookingCodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}
