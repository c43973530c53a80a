package queue

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mpp-digital/antrean/internal/racedetect"
)

// ---- a test-only parser for the words NumberWords produces ----

var digitID = map[string]int{
	"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
	"enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
}

// parseGroupID parses a group below one thousand starting at t[i]:
//
//	[seratus | D ratus] [sepuluh | sebelas | D belas | D puluh [U] | U]
//
// where D is dua..sembilan and U is satu..sembilan. It returns the value and
// the index after the group; an empty group is (0, i, nil).
func parseGroupID(t []string, i int) (int, int, error) {
	v := 0
	if i < len(t) && t[i] == "seratus" {
		v, i = 100, i+1
	} else if i+1 < len(t) && t[i+1] == "ratus" {
		d, ok := digitID[t[i]]
		if !ok || d < 2 {
			return 0, i, fmt.Errorf("bad hundreds %q ratus", t[i])
		}
		v, i = d*100, i+2
	}
	if i >= len(t) {
		return v, i, nil
	}
	switch w := t[i]; w {
	case "sepuluh":
		return v + 10, i + 1, nil
	case "sebelas":
		return v + 11, i + 1, nil
	}
	d, ok := digitID[t[i]]
	if !ok {
		return v, i, nil
	}
	if i+1 < len(t) && (t[i+1] == "belas" || t[i+1] == "puluh") {
		if d < 2 {
			return 0, i, fmt.Errorf("%q before %q", t[i], t[i+1])
		}
		if t[i+1] == "belas" {
			return v + 10 + d, i + 2, nil
		}
		v, i = v+10*d, i+2
		if i < len(t) {
			if u, ok := digitID[t[i]]; ok {
				return v + u, i + 1, nil
			}
		}
		return v, i, nil
	}
	return v + d, i + 1, nil
}

// parseID turns Indonesian number words back into a number, accepting only
// the canonical form: "nol" | [seribu | G ribu] [G], G a group, not empty.
func parseID(s string) (int, error) {
	if s == "nol" {
		return 0, nil
	}
	t := strings.Split(s, " ")
	total, i := 0, 0
	if t[0] == "seribu" {
		total, i = 1000, 1
	} else {
		g, j, err := parseGroupID(t, 0)
		if err != nil {
			return 0, err
		}
		if j > 0 && j < len(t) && t[j] == "ribu" {
			if g == 1 {
				return 0, fmt.Errorf("%q: satu ribu", s)
			}
			total, i = g*1000, j+1
		}
	}
	g, j, err := parseGroupID(t, i)
	if err != nil {
		return 0, err
	}
	if j == i && i == 0 {
		return 0, fmt.Errorf("%q: no number", s)
	}
	if j != len(t) {
		return 0, fmt.Errorf("%q: unexpected %q", s, t[j])
	}
	return total + g, nil
}

var wordEN = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
	"ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}

var tensWordEN = map[string]int{
	"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}

// parseBelowHundredEN parses one..nineteen, a tens word or tens-unit.
func parseBelowHundredEN(w string) (int, bool) {
	if v, ok := wordEN[w]; ok {
		return v, true
	}
	if v, ok := tensWordEN[w]; ok {
		return v, true
	}
	tens, unit, ok := strings.Cut(w, "-")
	if !ok {
		return 0, false
	}
	tv, ok1 := tensWordEN[tens]
	uv, ok2 := wordEN[unit]
	if !ok1 || !ok2 || uv > 9 {
		return 0, false
	}
	return tv + uv, true
}

// parseGroupEN parses [U hundred] [below-hundred] at t[i].
func parseGroupEN(t []string, i int) (int, int) {
	v := 0
	if i+1 < len(t) && t[i+1] == "hundred" {
		if u, ok := wordEN[t[i]]; ok && u <= 9 {
			v, i = u*100, i+2
		}
	}
	if i < len(t) {
		if r, ok := parseBelowHundredEN(t[i]); ok {
			return v + r, i + 1
		}
	}
	return v, i
}

// parseEN turns English number words back into a number (canonical form only).
func parseEN(s string) (int, error) {
	if s == "zero" {
		return 0, nil
	}
	t := strings.Split(s, " ")
	total, i := 0, 0
	if g, j := parseGroupEN(t, 0); j > 0 && j < len(t) && t[j] == "thousand" {
		total, i = g*1000, j+1
	}
	g, j := parseGroupEN(t, i)
	if j == 0 {
		return 0, fmt.Errorf("%q: no number", s)
	}
	if j != len(t) {
		return 0, fmt.Errorf("%q: unexpected %q", s, t[j])
	}
	return total + g, nil
}

func TestNumberWordsKnown(t *testing.T) {
	cases := []struct {
		n    int
		want string
	}{
		{0, "nol"},
		{1, "satu"},
		{9, "sembilan"},
		{10, "sepuluh"},
		{11, "sebelas"},
		{12, "dua belas"},
		{19, "sembilan belas"},
		{20, "dua puluh"},
		{21, "dua puluh satu"},
		{99, "sembilan puluh sembilan"},
		{100, "seratus"},
		{101, "seratus satu"},
		{110, "seratus sepuluh"},
		{111, "seratus sebelas"},
		{115, "seratus lima belas"},
		{199, "seratus sembilan puluh sembilan"},
		{200, "dua ratus"},
		{999, "sembilan ratus sembilan puluh sembilan"},
		{1000, "seribu"},
		{1001, "seribu satu"},
		{1010, "seribu sepuluh"},
		{1100, "seribu seratus"},
		{1999, "seribu sembilan ratus sembilan puluh sembilan"},
		{2000, "dua ribu"},
		{2021, "dua ribu dua puluh satu"},
		{9999, "sembilan ribu sembilan ratus sembilan puluh sembilan"},
		{10000, "sepuluh ribu"},
		{11000, "sebelas ribu"},
		{12345, "dua belas ribu tiga ratus empat puluh lima"},
		{21000, "dua puluh satu ribu"},
		{100000, "seratus ribu"},
		{101000, "seratus satu ribu"},
		{111111, "seratus sebelas ribu seratus sebelas"},
		{999999, "sembilan ratus sembilan puluh sembilan ribu sembilan ratus sembilan puluh sembilan"},
		// Outside the range: digit by digit, never a panic.
		{1000000, "satu nol nol nol nol nol nol"},
		{-5, "minus lima"},
	}
	for _, c := range cases {
		if got := NumberWords(c.n); got != c.want {
			t.Errorf("NumberWords(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestNumberWordsStructure(t *testing.T) {
	seen := make(map[string]int)
	for n := 0; n <= 9999; n++ {
		s := NumberWords(n)
		checkWordsShape(t, n, s)
		for _, bad := range []string{"satu puluh", "satu ratus", "satu ribu", "satu belas"} {
			if strings.Contains(s, bad) {
				t.Errorf("NumberWords(%d) = %q contains %q", n, s, bad)
			}
		}
		for _, r := range s {
			if r != ' ' && (r < 'a' || r > 'z') {
				t.Errorf("NumberWords(%d) = %q has %q", n, s, r)
			}
		}
		if got, err := parseID(s); err != nil || got != n {
			t.Errorf("parseID(NumberWords(%d) = %q) = %d, %v", n, s, got, err)
		}
		if m, dup := seen[s]; dup {
			t.Errorf("NumberWords(%d) = NumberWords(%d) = %q", n, m, s)
		}
		seen[s] = n

		words := strings.Fields(s)
		has := func(w string) bool {
			for _, x := range words {
				if x == w {
					return true
				}
			}
			return false
		}
		if has("nol") != (n == 0) {
			t.Errorf("NumberWords(%d) = %q: nol only for zero", n, s)
		}
		if (has("ribu") || has("seribu")) != (n >= 1000) {
			t.Errorf("NumberWords(%d) = %q: ribu iff n >= 1000", n, s)
		}
		if strings.HasPrefix(s, "seribu") != (n >= 1000 && n < 2000) {
			t.Errorf("NumberWords(%d) = %q: seribu iff 1000..1999", n, s)
		}
		switch h := n / 100 % 10; {
		case h == 0 && (has("ratus") || has("seratus")):
			t.Errorf("NumberWords(%d) = %q: no hundreds expected", n, s)
		case h == 1 && !has("seratus"):
			t.Errorf("NumberWords(%d) = %q: want seratus", n, s)
		case h > 1 && !strings.Contains(s, unitsID[h]+" ratus"):
			t.Errorf("NumberWords(%d) = %q: want %s ratus", n, s, unitsID[h])
		}
		var tail string
		switch r := n % 100; {
		case n == 0:
			tail = "nol"
		case r == 0 && n%1000 == 0:
			tail = "ribu"
		case r == 0:
			tail = "ratus"
		case r < 10:
			tail = unitsID[r]
		case r == 10:
			tail = "sepuluh"
		case r == 11:
			tail = "sebelas"
		case r < 20:
			tail = unitsID[r-10] + " belas"
		case r%10 == 0:
			tail = unitsID[r/10] + " puluh"
		default:
			tail = unitsID[r/10] + " puluh " + unitsID[r%10]
		}
		if !strings.HasSuffix(s, tail) {
			t.Errorf("NumberWords(%d) = %q, want it to end with %q", n, s, tail)
		}
		if len(words) > 7 {
			t.Errorf("NumberWords(%d) = %q: %d words", n, s, len(words))
		}
	}
}

// TestNumberWordsRoundTripAll parses back every number in the whole range
// (under -race, every number below 20,000 and every 97th above: the race
// detector finds nothing in this one goroutine and slows it tenfold; CI's
// -cpu pass runs the whole range).
func TestNumberWordsRoundTripAll(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	for n := 0; n <= 999999; n++ {
		if racedetect.Enabled && n >= 20000 && n%97 != 0 {
			continue
		}
		s := NumberWords(n)
		if got, err := parseID(s); err != nil || got != n {
			t.Fatalf("parseID(NumberWords(%d) = %q) = %d, %v", n, s, got, err)
		}
		if got, err := parseEN(NumberWordsEN(n)); err != nil || got != n {
			t.Fatalf("parseEN(NumberWordsEN(%d) = %q) = %d, %v", n, NumberWordsEN(n), got, err)
		}
	}
}

func TestNumberWordsParserRejects(t *testing.T) {
	for _, s := range []string{
		"", "satu puluh", "satu ratus", "satu ribu", "satu belas", "dua nol",
		"seribu ribu", "puluh", "dua puluh puluh", "ribu", "seratus nol",
	} {
		if n, err := parseID(s); err == nil {
			t.Errorf("parseID(%q) = %d, want an error", s, n)
		}
	}
	for _, s := range []string{"", "one ten", "hundred", "one thousand thousand", "twenty-ten"} {
		if n, err := parseEN(s); err == nil {
			t.Errorf("parseEN(%q) = %d, want an error", s, n)
		}
	}
}

func checkWordsShape(t *testing.T, n int, s string) {
	t.Helper()
	if s == "" || strings.Contains(s, "  ") || strings.TrimSpace(s) != s {
		t.Errorf("words for %d = %q: empty, double or trailing space", n, s)
	}
}

func TestNumberWordsENKnown(t *testing.T) {
	cases := []struct {
		n    int
		want string
	}{
		{0, "zero"},
		{1, "one"},
		{10, "ten"},
		{12, "twelve"},
		{19, "nineteen"},
		{20, "twenty"},
		{21, "twenty-one"},
		{40, "forty"},
		{99, "ninety-nine"},
		{100, "one hundred"},
		{101, "one hundred one"},
		{115, "one hundred fifteen"},
		{123, "one hundred twenty-three"},
		{1000, "one thousand"},
		{1001, "one thousand one"},
		{2021, "two thousand twenty-one"},
		{9999, "nine thousand nine hundred ninety-nine"},
		{11000, "eleven thousand"},
		{100000, "one hundred thousand"},
		{999999, "nine hundred ninety-nine thousand nine hundred ninety-nine"},
		{1000000, "one zero zero zero zero zero zero"},
		{-3, "minus three"},
	}
	for _, c := range cases {
		if got := NumberWordsEN(c.n); got != c.want {
			t.Errorf("NumberWordsEN(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestNumberWordsENStructure(t *testing.T) {
	seen := make(map[string]int)
	for n := 0; n <= 9999; n++ {
		s := NumberWordsEN(n)
		checkWordsShape(t, n, s)
		if strings.Contains(s, " and ") || strings.Contains(s, "--") {
			t.Errorf("NumberWordsEN(%d) = %q", n, s)
		}
		if (n == 0) != strings.Contains(s, "zero") {
			t.Errorf("NumberWordsEN(%d) = %q: zero only for 0", n, s)
		}
		if (n >= 1000) != strings.Contains(s, "thousand") {
			t.Errorf("NumberWordsEN(%d) = %q: thousand iff n >= 1000", n, s)
		}
		if (n/100%10 != 0) != strings.Contains(s, "hundred") {
			t.Errorf("NumberWordsEN(%d) = %q: hundred iff hundreds digit", n, s)
		}
		if got, err := parseEN(s); err != nil || got != n {
			t.Errorf("parseEN(NumberWordsEN(%d) = %q) = %d, %v", n, s, got, err)
		}
		if m, dup := seen[s]; dup {
			t.Errorf("NumberWordsEN(%d) = NumberWordsEN(%d) = %q", n, m, s)
		}
		seen[s] = n
	}
}

func TestSpeakTicket(t *testing.T) {
	cases := map[string]string{
		"A001":     "A satu",
		"A012":     "A dua belas",
		"A12":      "A dua belas",
		"A123":     "A seratus dua puluh tiga",
		"A1000":    "A seribu",
		"DK1000":   "D K seribu",
		"DK012":    "D K dua belas",
		"B2021":    "B dua ribu dua puluh satu",
		"A000":     "A nol",
		"A0":       "A nol",
		"ABC":      "A B C",
		"":         "",
		"12":       "dua belas",
		"a12":      "A dua belas",
		"A-012":    "A dua belas",
		" A 12 ":   "A dua belas",
		"A1B2":     "A satu B dua",
		"A0000001": "A satu",
		"A1234567": "A satu dua tiga empat lima enam tujuh",
		"--":       "",
	}
	for in, want := range cases {
		if got := SpeakTicket(in); got != want {
			t.Errorf("SpeakTicket(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpeakName(t *testing.T) {
	cases := map[string]string{
		"Loket 3":           "loket tiga",
		"Meja 12":           "meja dua belas",
		"Loket 03":          "loket tiga",
		"Loket 7":           "loket tujuh",
		"Loket  10 ":        "loket sepuluh",
		"Loket3":            "loket tiga",
		"Loket A":           "loket A",
		"Loket BPJS 1":      "loket BPJS satu",
		"Loket Prioritas 2": "loket prioritas dua",
		"Ruang 101":         "ruang seratus satu",
		"Meja 3A":           "meja tiga A",
		"Meja 1000":         "meja seribu",
		"":                  "",
		"   ":               "",
	}
	for in, want := range cases {
		if got := SpeakName(in); got != want {
			t.Errorf("SpeakName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSpeakNameEN(t *testing.T) {
	cases := map[string]string{
		"Loket 3":      "counter three",
		"Meja 12":      "counter twelve",
		"loket 03":     "counter three",
		"LOKET 21":     "counter twenty-one",
		"Loket3":       "counter three",
		"Loket BPJS 1": "counter BPJS one",
		// A counter's English name (name_en) is spoken as it is written,
		// its digits as English words.
		"Counter 3":          "counter three",
		"Priority counter 2": "priority counter two",
		"Passport Desk 12":   "passport desk twelve",
	}
	for in, want := range cases {
		if got := speakNameEN(in); got != want {
			t.Errorf("speakNameEN(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnnounce(t *testing.T) {
	cases := []struct {
		number, counter, agency string
		withAgency              bool
		want                    Announcement
	}{
		{"A012", "Loket 3", "Dukcapil", false, Announcement{
			ID:      "Nomor antrean A dua belas, silakan menuju loket tiga.",
			EN:      "Ticket A12, please go to counter three.",
			ShortID: "A dua belas, loket tiga.", ShortEN: "A12, counter three.",
		}},
		{"A012", "Loket 3", "Dukcapil", true, Announcement{
			ID:      "Nomor antrean Dukcapil, A dua belas, silakan menuju loket tiga.",
			EN:      "Ticket Dukcapil, A12, please go to counter three.",
			ShortID: "A dua belas, loket tiga.", ShortEN: "A12, counter three.",
		}},
		{"A012", "Loket 7", "Dukcapil", true, Announcement{
			ID:      "Nomor antrean Dukcapil, A dua belas, silakan menuju loket tujuh.",
			EN:      "Ticket Dukcapil, A12, please go to counter seven.",
			ShortID: "A dua belas, loket tujuh.", ShortEN: "A12, counter seven.",
		}},
		{"A012", "Loket 3", "", true, Announcement{
			ID:      "Nomor antrean A dua belas, silakan menuju loket tiga.",
			EN:      "Ticket A12, please go to counter three.",
			ShortID: "A dua belas, loket tiga.", ShortEN: "A12, counter three.",
		}},
		{"A012", "Loket 3", "  ", true, Announcement{
			ID:      "Nomor antrean A dua belas, silakan menuju loket tiga.",
			EN:      "Ticket A12, please go to counter three.",
			ShortID: "A dua belas, loket tiga.", ShortEN: "A12, counter three.",
		}},
		{"DK1000", "Meja 12", "", false, Announcement{
			ID:      "Nomor antrean D K seribu, silakan menuju meja dua belas.",
			EN:      "Ticket DK1000, please go to counter twelve.",
			ShortID: "D K seribu, meja dua belas.", ShortEN: "DK1000, counter twelve.",
		}},
		{"A007", "Loket 7", " BPJS  Kesehatan ", true, Announcement{
			ID:      "Nomor antrean BPJS Kesehatan, A tujuh, silakan menuju loket tujuh.",
			EN:      "Ticket BPJS Kesehatan, A7, please go to counter seven.",
			ShortID: "A tujuh, loket tujuh.", ShortEN: "A7, counter seven.",
		}},
		{"A000", "Loket 1", "", false, Announcement{
			ID:      "Nomor antrean A nol, silakan menuju loket satu.",
			EN:      "Ticket A0, please go to counter one.",
			ShortID: "A nol, loket satu.", ShortEN: "A0, counter one.",
		}},
		{"B123", "Loket Prioritas 2", "", false, Announcement{
			ID:      "Nomor antrean B seratus dua puluh tiga, silakan menuju loket prioritas dua.",
			EN:      "Ticket B123, please go to counter prioritas two.",
			ShortID: "B seratus dua puluh tiga, loket prioritas dua.", ShortEN: "B123, counter prioritas two.",
		}},
		{"A012", "", "", false, Announcement{
			ID:      "Nomor antrean A dua belas.",
			EN:      "Ticket A12.",
			ShortID: "A dua belas.", ShortEN: "A12.",
		}},
	}
	for _, c := range cases {
		got := Announce(c.number, c.counter, c.agency, c.withAgency)
		if got != c.want {
			t.Errorf("Announce(%q, %q, %q, %v) =\n  %+v, want\n  %+v",
				c.number, c.counter, c.agency, c.withAgency, got, c.want)
		}
	}
}

func TestAnnouncementJSON(t *testing.T) {
	b, err := json.Marshal(Announce("A012", "Loket 3", "", false))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"Nomor antrean A dua belas, silakan menuju loket tiga.","en":"Ticket A12, please go to counter three.",` +
		`"short_id":"A dua belas, loket tiga.","short_en":"A12, counter three."}`
	if string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
}

func FuzzSpeakTicket(f *testing.F) {
	for _, s := range []string{"A012", "DK1000", "", "A", "0", "A-0-0", " a 1 b ", "A99999999999999999999999", "\xff1", "É12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, number string) {
		s := SpeakTicket(number)
		if strings.Contains(s, "  ") || strings.TrimSpace(s) != s {
			t.Errorf("SpeakTicket(%q) = %q: double, leading or trailing space", number, s)
		}
		if strings.ContainsAny(s, "0123456789") {
			t.Errorf("SpeakTicket(%q) = %q: digits left", number, s)
		}
		if utf8.ValidString(number) && !utf8.ValidString(s) {
			t.Errorf("SpeakTicket(%q) = %q: invalid UTF-8", number, s)
		}
		a := Announce(number, number, number, true)
		if strings.Contains(a.ID+a.EN+a.ShortID+a.ShortEN, "  ") {
			t.Errorf("Announce(%q) = %+v: double space", number, a)
		}
		if n := SpeakName(number); strings.Contains(n, "  ") || strings.TrimSpace(n) != n {
			t.Errorf("SpeakName(%q) = %q: double, leading or trailing space", number, n)
		}
	})
}
