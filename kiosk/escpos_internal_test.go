package kiosk

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

func TestASCIIFolding(t *testing.T) {
	for in, want := range map[string]string{
		"Perekaman KTP-el":           "Perekaman KTP-el",
		"Tiket sedang dicetak…":      "Tiket sedang dicetak...",
		"± 25 menit — Loket 3":       "+/- 25 menit - Loket 3",
		"Café “Sate” · Rp 30.000":    `Cafe "Sate" - Rp 30.000`,
		"line\nbreak\ttab\x1b@\x1dV": "line break tab?@?V",
		"漢字":                         "??",
	} {
		if got := ascii(in); got != want {
			t.Errorf("ascii(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWrap(t *testing.T) {
	long := "Surat keterangan lahir dari rumah sakit, puskesmas atau bidan"
	for _, cols := range []int{32, 48} {
		lines := wrap(long, cols, "- ")
		if strings.Join(strings.Fields(strings.Join(lines, " ")), " ") != "- "+long {
			t.Errorf("%d columns: words lost: %q", cols, lines)
		}
		for i, l := range lines {
			if len(l) > cols {
				t.Errorf("%d columns: line %q is %d long", cols, l, len(l))
			}
			if i > 0 && !strings.HasPrefix(l, "  ") {
				t.Errorf("continuation %q is not indented", l)
			}
		}
	}
	if got := wrap(strings.Repeat("x", 70), 32, ""); len(got) != 3 || len(got[0]) != 32 {
		t.Errorf("a word longer than the line: %q", got)
	}
	// A kept unit moves to the next line whole, and prints with spaces.
	got := wrap("Perkiraan dipanggil sekitar "+keep("10.40 WIB"), 32, "")
	if strings.Join(got, "|") != "Perkiraan dipanggil sekitar|10.40 WIB" {
		t.Errorf("the time was broken: %q", got)
	}
	if got := wrap("Loket\u00a0Terpadu — KTP-el", 48, ""); strings.Join(got, "|") != "Loket Terpadu - KTP-el" {
		t.Errorf("a no-break space in data: %q", got)
	}
}

// Data never smuggles printer commands: control bytes in a service's
// name or requirements reach the printer as "?".
func TestReceiptEscapesData(t *testing.T) {
	ahead := 3
	eta := 25
	job := &PrintJob{
		Site: "MPP \x1b@Uji", PaperMM: 58, Loc: time.UTC, Timezone: "Asia/Jakarta",
		Ticket: &queue.PublicTicket{
			Number: "A012", ServiceName: "Layanan\x1dV\x00", AgencyName: "Dukcapil",
			Requirements: []string{"KTP-el\x1b", "Kartu Keluarga"}, PeopleAhead: &ahead, EtaMin: &eta,
			IssuedAt: time.Date(2026, 11, 26, 3, 40, 0, 0, time.UTC),
		},
		StatusURL: "http://antrean.local/t/20261126-12?k=abc",
	}
	out := Receipt(job)
	for _, want := range []string{"MPP ?@Uji", "Layanan?V?", "A012", "3 orang di depan Anda", "Kamis, 26 November 2026\n03.40 WIB\n", "Perkiraan dipanggil sekitar", "04.05 WIB", "- KTP-el?", "Gratis"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the receipt lacks %q", want)
		}
	}
	if n := bytes.Count(out, []byte{0x1d, 'V'}); n != 1 {
		t.Errorf("%d cut commands, want the one at the end", n)
	}
	if n := bytes.Count(out, []byte{0x1b, '@'}); n != 1 {
		t.Errorf("%d reset commands, want the one at the start", n)
	}
}

// The print page's names get break opportunities after slashes, and
// stay escaped.
func TestSlashBreaks(t *testing.T) {
	got := string(slashBreaks(`Penerbitan/Perpanjangan <b>"SIM"</b> & STNK`))
	want := `Penerbitan/<wbr>Perpanjangan &lt;b&gt;&#34;SIM&#34;&lt;/<wbr>b&gt; &amp; STNK`
	if got != want {
		t.Errorf("slashBreaks = %s, want %s", got, want)
	}
}
