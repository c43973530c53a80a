package queue

import (
	"strconv"
	"strings"
	"unicode"
)

// Announcement is the spoken text of a call, in Indonesian and English,
// in its full form and in the short form a lobby display speaks while
// announcements pile up (DOMAIN.md: "When more than two wait, the short
// form keeps up").
type Announcement struct {
	ID      string `json:"id"`
	EN      string `json:"en"`
	ShortID string `json:"short_id"`
	ShortEN string `json:"short_en"`
}

// maxSpoken is the largest number NumberWords and NumberWordsEN spell as a
// cardinal. Anything outside 0..maxSpoken is spoken digit by digit, so a
// malformed ticket number can never make a call fail.
const maxSpoken = 999999

var (
	unitsID = [...]string{"nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"}
	unitsEN = [...]string{
		"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
		"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
	}
	tensEN = [...]string{"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
)

// NumberWords spells n (0 <= n <= 999999) as Indonesian words: 0 "nol",
// 10 "sepuluh", 11 "sebelas", 12 "dua belas", 100 "seratus", 1000 "seribu",
// 2021 "dua ribu dua puluh satu". A number outside that range is spoken
// digit by digit ("minus" for a sign), e.g. 1234567 "satu dua tiga empat lima
// enam tujuh".
func NumberWords(n int) string {
	if n < 0 || n > maxSpoken {
		return digitWords(strconv.Itoa(n), unitsID[:], "minus")
	}
	if n == 0 {
		return unitsID[0]
	}
	var w []string
	if t := n / 1000; t > 0 {
		if t == 1 {
			w = append(w, "seribu")
		} else {
			w = append(w, belowThousandID(t)...)
			w = append(w, "ribu")
		}
	}
	w = append(w, belowThousandID(n%1000)...)
	return strings.Join(w, " ")
}

// belowThousandID spells 0 < n < 1000 (nothing for 0).
func belowThousandID(n int) []string {
	var w []string
	switch h := n / 100; {
	case h == 1:
		w = append(w, "seratus")
	case h > 1:
		w = append(w, unitsID[h], "ratus")
	}
	r := n % 100
	switch {
	case r == 0:
	case r < 10:
		w = append(w, unitsID[r])
	case r == 10:
		w = append(w, "sepuluh")
	case r == 11:
		w = append(w, "sebelas")
	case r < 20:
		w = append(w, unitsID[r-10], "belas")
	default:
		w = append(w, unitsID[r/10], "puluh")
		if r%10 != 0 {
			w = append(w, unitsID[r%10])
		}
	}
	return w
}

// NumberWordsEN spells n (0 <= n <= 999999) in English words ("twelve",
// "one hundred twenty-three", "two thousand twenty-one"). Like NumberWords,
// a number outside that range is spoken digit by digit.
func NumberWordsEN(n int) string {
	if n < 0 || n > maxSpoken {
		return digitWords(strconv.Itoa(n), unitsEN[:10], "minus")
	}
	if n == 0 {
		return unitsEN[0]
	}
	var w []string
	if t := n / 1000; t > 0 {
		w = append(w, belowThousandEN(t)...)
		w = append(w, "thousand")
	}
	w = append(w, belowThousandEN(n%1000)...)
	return strings.Join(w, " ")
}

// belowThousandEN spells 0 < n < 1000 (nothing for 0).
func belowThousandEN(n int) []string {
	var w []string
	if h := n / 100; h > 0 {
		w = append(w, unitsEN[h], "hundred")
	}
	switch r := n % 100; {
	case r == 0:
	case r < 20:
		w = append(w, unitsEN[r])
	case r%10 == 0:
		w = append(w, tensEN[r/10])
	default:
		w = append(w, tensEN[r/10]+"-"+unitsEN[r%10])
	}
	return w
}

// digitWords speaks each digit of s on its own; '-' becomes minus.
func digitWords(s string, units []string, minus string) string {
	w := make([]string, 0, len(s))
	for _, c := range s {
		switch {
		case c == '-':
			w = append(w, minus)
		case c >= '0' && c <= '9':
			w = append(w, units[c-'0'])
		}
	}
	return strings.Join(w, " ")
}

// spellDigits speaks a run of ASCII digits as a cardinal without leading
// zeros ("012" is twelve, "000" is zero). A run too long for a cardinal is
// spoken digit by digit.
func spellDigits(run string, en bool) string {
	t := strings.TrimLeft(run, "0")
	if t == "" {
		t = "0"
	}
	units := unitsID[:]
	if en {
		units = unitsEN[:10]
	}
	if len(t) > len(strconv.Itoa(maxSpoken)) {
		return digitWords(t, units, "")
	}
	n, err := strconv.Atoi(t)
	if err != nil || n > maxSpoken {
		return digitWords(t, units, "")
	}
	if en {
		return NumberWordsEN(n)
	}
	return NumberWords(n)
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// SpeakTicket turns a ticket number like "A012" or "DK1000" into its spoken
// Indonesian form: letters one by one (upper-cased, so a speech engine says
// the letter's name), then each run of digits as a cardinal without leading
// zeros: "A dua belas", "D K seribu". A number with no digits is just its
// letters. Anything that is neither a letter nor a digit (a dash, a space) only
// separates.
func SpeakTicket(number string) string {
	var w []string
	rs := []rune(number)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isASCIIDigit(r):
			j := i
			for j < len(rs) && isASCIIDigit(rs[j]) {
				j++
			}
			w = append(w, spellDigits(string(rs[i:j]), false))
			i = j
		case unicode.IsLetter(r):
			w = append(w, string(unicode.ToUpper(r)))
			i++
		default:
			i++
		}
	}
	return strings.Join(w, " ")
}

// SpeakName speaks a counter's name: each run of digits becomes Indonesian
// words (a cardinal without leading zeros) and the rest is kept, ordinary
// words lower-cased as in DOMAIN.md's example: "Loket 3" -> "loket tiga",
// "Meja 12" -> "meja dua belas". A word written wholly in capitals (an
// acronym such as "BPJS", or a lone letter as in "Loket A") is kept as
// written, so it is still spelt out. Whitespace is collapsed to single spaces.
func SpeakName(name string) string {
	return speakName(name, false)
}

// speakNameEN is SpeakName in English: "Loket" and "Meja" become "counter"
// and digits become English words: "Loket 3" -> "counter three".
func speakNameEN(name string) string {
	return speakName(name, true)
}

func speakName(name string, en bool) string {
	var w []string
	rs := []rune(name)
	for i := 0; i < len(rs); {
		r := rs[i]
		j := i + 1
		switch {
		case unicode.IsSpace(r):
			i = j
			continue
		case isASCIIDigit(r):
			for j < len(rs) && isASCIIDigit(rs[j]) {
				j++
			}
			w = append(w, spellDigits(string(rs[i:j]), en))
		default:
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !isASCIIDigit(rs[j]) {
				j++
			}
			w = append(w, speakWord(string(rs[i:j]), en))
		}
		i = j
	}
	return strings.Join(w, " ")
}

// speakWord lower-cases an ordinary word, keeps an all-capitals one and, in
// English, translates the Indonesian words for a counter.
func speakWord(word string, en bool) string {
	lower := strings.ToLower(word)
	if en && (lower == "loket" || lower == "meja") {
		return "counter"
	}
	hasUpper, hasLower := false, false
	for _, r := range word {
		hasUpper = hasUpper || unicode.IsUpper(r)
		hasLower = hasLower || unicode.IsLower(r)
	}
	if hasUpper && !hasLower {
		return word
	}
	return lower
}

// displayTicket writes a ticket number as it is read in English: each run of
// digits without leading zeros ("A012" -> "A12", "A000" -> "A0"), whitespace
// collapsed, everything else kept.
func displayTicket(number string) string {
	var b strings.Builder
	rs := []rune(strings.Join(strings.Fields(number), " "))
	for i := 0; i < len(rs); {
		if !isASCIIDigit(rs[i]) {
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isASCIIDigit(rs[j]) {
			j++
		}
		t := strings.TrimLeft(string(rs[i:j]), "0")
		if t == "" {
			t = "0"
		}
		b.WriteString(t)
		i = j
	}
	return b.String()
}

// Announce builds the call's text (DOMAIN.md, "How a call is spoken").
// agency is the agency's short name, used only when withAgency is true (the
// site's announce_agency setting) and it is not blank.
//
// Indonesian: "Nomor antrean A dua belas, silakan menuju loket tiga."; with
// the agency: "Nomor antrean Dukcapil, A dua belas, silakan menuju loket
// tiga.".
//
// English: "Ticket A12, please go to counter three."; with the agency:
// "Ticket Dukcapil, A12, please go to counter three.". The ticket number is
// written without leading zeros and the counter's "Loket"/"Meja" becomes
// "counter", its digits English words.
//
// The short forms keep only the number and the counter: "A dua belas,
// loket tiga." / "A12, counter three.". They leave the agency out even
// when the site names it: the short form is for a backlog, when every
// second counts, and the ticket's letters already tell its service.
//
// A counter whose name is blank leaves out the "go to" clause: "Nomor antrean
// A dua belas." / "Ticket A12." (short: "A dua belas." / "A12.").
func Announce(number, counterName, agency string, withAgency bool) Announcement {
	prefixID, prefixEN := "Nomor antrean ", "Ticket "
	if a := strings.Join(strings.Fields(agency), " "); withAgency && a != "" {
		prefixID += a + ", "
		prefixEN += a + ", "
	}
	spokenID, spokenEN := SpeakTicket(number), displayTicket(number)
	id, en := prefixID+spokenID, prefixEN+spokenEN
	shortID, shortEN := spokenID, spokenEN
	if c := SpeakName(counterName); c != "" {
		id += ", silakan menuju " + c
		en += ", please go to " + speakNameEN(counterName)
		shortID += ", " + c
		shortEN += ", " + speakNameEN(counterName)
	}
	return Announcement{ID: id + ".", EN: en + ".", ShortID: shortID + ".", ShortEN: shortEN + "."}
}
