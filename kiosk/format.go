package kiosk

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Indonesian conventions (SCREENS.md): "Kamis, 26 November 2026",
// "10.40 WIB", "± 25 menit". The names come from the catalogues, so
// English pages read "Thursday, 26 November 2026", "10:40 WIB".

// zoneNames are Indonesia's three zones by their usual names.
var zoneNames = map[string]string{
	"Asia/Jakarta":       "WIB",
	"Asia/Pontianak":     "WIB",
	"Asia/Makassar":      "WITA",
	"Asia/Ujung_Pandang": "WITA",
	"Asia/Jayapura":      "WIT",
}

// ZoneAbbr names the site's zone: WIB, WITA, WIT, or the UTC offset.
func ZoneAbbr(tz string, t time.Time) string {
	if n, ok := zoneNames[tz]; ok {
		return n
	}
	_, off := t.Zone()
	if off%3600 == 0 {
		return fmt.Sprintf("UTC%+d", off/3600)
	}
	return fmt.Sprintf("UTC%+d:%02d", off/3600, abs(off%3600)/60)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// formatter formats dates and times in one language and zone.
type formatter struct {
	lang string
	loc  *time.Location
	tz   string
}

func newFormatter(lang string, loc *time.Location, tz string) formatter {
	if loc == nil {
		loc = time.UTC
	}
	return formatter{lang: lang, loc: loc, tz: tz}
}

func (f formatter) t(key string) string { return catalog.T(f.lang, key) }

// Date is "Kamis, 26 November 2026".
func (f formatter) Date(t time.Time) string {
	l := t.In(f.loc)
	return fmt.Sprintf("%s, %d %s %d", f.t("day."+strconv.Itoa(int(l.Weekday()))), l.Day(), f.t("month."+strconv.Itoa(int(l.Month()))), l.Year())
}

// Clock is "10.40" ("10:40" in English).
func (f formatter) Clock(t time.Time) string {
	l := t.In(f.loc)
	return fmt.Sprintf("%02d%s%02d", l.Hour(), f.t("time.sep"), l.Minute())
}

// Time is "10.40 WIB".
func (f formatter) Time(t time.Time) string {
	return strings.TrimSpace(f.Clock(t) + " " + ZoneAbbr(f.tz, t.In(f.loc)))
}

// HHMM turns a clock "08:00" into the language's "08.00".
func (f formatter) HHMM(s string) string {
	return strings.Replace(s, ":", f.t("time.sep"), 1)
}

// fill replaces {name} in s with the values of kv (name, value, ...).
func fill(s string, kv ...any) string {
	for i := 0; i+1 < len(kv); i += 2 {
		s = strings.ReplaceAll(s, "{"+fmt.Sprint(kv[i])+"}", fmt.Sprint(kv[i+1]))
	}
	return s
}
