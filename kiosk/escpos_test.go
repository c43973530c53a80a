package kiosk_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/kiosk"
	"github.com/mpp-digital/antrean/queue"
)

// printedLine is one line as the printer prints it: its text (commands
// taken out) and how many font A columns it takes at its character size.
type printedLine struct {
	Text    string
	Columns int
}

// printout is what an ESC/POS stream prints.
type printout struct {
	Lines []printedLine
	// QR is the data of each QR code stored (GS ( k fn 80).
	QR []string
	// Cuts counts the paper cuts (GS V).
	Cuts int
}

// Text is the printout's lines, one per line.
func (p *printout) Text() string {
	var b strings.Builder
	for _, l := range p.Lines {
		b.WriteString(l.Text + "\n")
	}
	return b.String()
}

// Words is the printout's text with every run of spaces and line breaks
// one space: what a reader reads, however it was wrapped.
func (p *printout) Words() string {
	return strings.Join(strings.Fields(p.Text()), " ")
}

// parseESCPOS reads an ESC/POS stream as a printer does: commands with
// their parameters are taken out, and each character counts as wide as
// the character size of the moment (GS ! or ESC !). A command this parser
// does not know, a control byte or a byte outside printable ASCII in the
// text fails the test: the layout must not rely on what it cannot check.
func parseESCPOS(t *testing.T, raw []byte) *printout {
	t.Helper()
	p := &printout{}
	width := 1
	var cur strings.Builder
	cols := 0
	endLine := func() {
		p.Lines = append(p.Lines, printedLine{Text: cur.String(), Columns: cols})
		cur.Reset()
		cols = 0
	}
	need := func(i, n int) {
		if i+n > len(raw) {
			t.Fatalf("ESC/POS: command at byte %d is cut short: % x", i, raw[i:])
		}
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == 0x1b: // ESC
			need(i, 2)
			switch raw[i+1] {
			case '@': // initialise: normal size
				width = 1
				i += 2
			case 'a', 'E', 'd': // justification, bold, print and feed n lines
				need(i, 3)
				if raw[i+1] == 'd' && cur.Len() > 0 {
					endLine()
				}
				i += 3
			case '!': // print mode: bit 0 font B, bit 5 double width
				need(i, 3)
				n := raw[i+2]
				if n&0x01 != 0 {
					t.Fatalf("ESC/POS: font B at byte %d; the layout counts font A columns", i)
				}
				width = 1
				if n&0x20 != 0 {
					width = 2
				}
				i += 3
			default:
				t.Fatalf("ESC/POS: unknown command ESC %q at byte %d", raw[i+1], i)
			}
		case c == 0x1d: // GS
			need(i, 2)
			switch raw[i+1] {
			case '!': // character size: width in the high nibble, height in the low
				need(i, 3)
				width = int(raw[i+2]>>4&0x07) + 1
				i += 3
			case 'V': // cut: GS V m, or GS V m n for m 65, 66, 97…
				need(i, 3)
				if cur.Len() > 0 {
					endLine()
				}
				p.Cuts++
				if m := raw[i+2]; m == 0 || m == 1 || m == 48 || m == 49 {
					i += 3
				} else {
					need(i, 4)
					i += 4
				}
			case '(': // GS ( fn pL pH data: skip by the length
				need(i, 5)
				n := int(raw[i+3]) + int(raw[i+4])*256
				need(i, 5+n)
				if raw[i+2] == 'k' && n >= 3 && raw[i+5] == 49 && raw[i+6] == 80 {
					p.QR = append(p.QR, string(raw[i+8:i+5+n]))
				}
				i += 5 + n
			default:
				t.Fatalf("ESC/POS: unknown command GS %q at byte %d", raw[i+1], i)
			}
		case c == '\n':
			endLine()
			i++
		case c < 0x20 || c >= 0x7f:
			t.Fatalf("ESC/POS: byte %#x in the text at %d (after %q)", c, i, cur.String())
		default:
			cur.WriteByte(c)
			cols += width
			i++
		}
	}
	if cur.Len() > 0 {
		endLine()
	}
	return p
}

// overflows lists the lines wider than the roll's columns: lines the
// printer would break wherever the column runs out.
func overflows(p *printout, cols int) []string {
	var out []string
	for _, l := range p.Lines {
		if l.Columns > cols {
			out = append(out, fmt.Sprintf("%q (%d columns)", l.Text, l.Columns))
		}
	}
	return out
}

// hasLine reports whether some line, trimmed, contains s whole.
func hasLine(p *printout, s string) bool {
	for _, l := range p.Lines {
		if strings.Contains(l.Text, s) {
			return true
		}
	}
	return false
}

// The printout at its worst: the longest weekday and month names, two-
// digit days, a minute before midnight in WITA and WIT and in a zone
// without an Indonesian name, the year's last day, names and requirements
// at their validation limits, a number of a busy day and a priority
// ticket. On 58 mm (32 columns) and 80 mm (48) no line is wider than the
// roll; the date and the time are never broken inside; no word is lost.
func TestReceiptFitsTheRoll(t *testing.T) {
	zone := func(name string) *time.Location {
		l, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	long := func(words string, n int) string { // words repeated to n characters
		s := strings.Repeat(words+" ", n/len(words)+1)
		return strings.TrimSpace(s[:n])
	}
	site := long("Mal Pelayanan Publik Kabupaten Kepulauan Bintan Provinsi Kepulauan Riau", 120)
	agency := long("Dinas Kependudukan dan Pencatatan Sipil Kabupaten Kepulauan Bintan", 120)
	service := "Penerbitan/Perpanjangan/Penggantian Dokumen Kependudukan " + long("Kartu Identitas Anak dan Akta Kelahiran", 120-58)
	reqs := []string{
		long("Surat keterangan lahir dari rumah sakit, puskesmas atau bidan yang menolong kelahiran", 200),
		"Fotokopi KTP-el kedua orang tua (dilegalisir) — 2 lembar",
		strings.Repeat("x", 70), // a "word" longer than the line
	}
	cases := []struct {
		name, tz   string
		at         time.Time
		date, time string // as printed
		number     string
		eta        int
	}{
		{"Selasa 29 September WITA", "Asia/Makassar", time.Date(2026, 9, 29, 23, 59, 0, 0, zone("Asia/Makassar")), "Selasa, 29 September 2026", "23.59 WITA", "ABC100000", 600},
		{"Rabu 30 September WIT", "Asia/Jayapura", time.Date(2026, 9, 30, 23, 59, 0, 0, zone("Asia/Jayapura")), "Rabu, 30 September 2026", "23.59 WIT", "A012", 5},
		{"Kamis 31 Desember WIB", "Asia/Jakarta", time.Date(2026, 12, 31, 23, 59, 0, 0, zone("Asia/Jakarta")), "Kamis, 31 Desember 2026", "23.59 WIB", "K1000", 45},
		{"Minggu 27 September, another zone", "Asia/Kathmandu", time.Date(2026, 9, 27, 23, 59, 0, 0, zone("Asia/Kathmandu")), "Minggu, 27 September 2026", "23.59 UTC+5:45", "SKC9999", 90},
		{"Kamis 3 Desember, fits one line", "Asia/Jakarta", time.Date(2026, 12, 3, 13, 49, 0, 0, zone("Asia/Jakarta")), "Kamis, 3 Desember 2026", "13.49 WIB", "A001", 0},
	}
	for _, c := range cases {
		for _, paper := range []struct{ mm, cols int }{{58, 32}, {80, 48}} {
			t.Run(fmt.Sprintf("%s %d mm", c.name, paper.mm), func(t *testing.T) {
				ahead := 1234
				job := &kiosk.PrintJob{
					Printer: "10.0.0.31:9100", Site: site, PaperMM: paper.mm,
					Loc: zone(c.tz), Timezone: c.tz, AgencyName: agency,
					Ticket: &queue.PublicTicket{
						Number: c.number, Priority: true, ServiceName: service, AgencyName: "Dukcapil",
						Requirements: reqs, Fee: long("Rp 30.000 untuk penerbitan, Rp 15.000 untuk penggantian karena rusak", 200),
						PeopleAhead: &ahead, EtaMin: &c.eta, IssuedAt: c.at.UTC(),
					},
					StatusURL: "https://antrean.mpp.bintankab.go.id/t/20260929-100000?k=" + strings.Repeat("k", 22),
				}
				p := parseESCPOS(t, kiosk.Receipt(job))
				if bad := overflows(p, paper.cols); len(bad) > 0 {
					t.Errorf("lines wider than %d columns:\n%s\nprintout:\n%s", paper.cols, strings.Join(bad, "\n"), p.Text())
				}
				if !hasLine(p, c.date) || !hasLine(p, c.time) {
					t.Errorf("the date %q or the time %q is broken:\n%s", c.date, c.time, p.Text())
				}
				oneLine := c.date + " " + c.time
				if fits := len(oneLine) <= paper.cols; fits != hasLine(p, oneLine) {
					t.Errorf("%q (%d columns) on one line: %v, want %v:\n%s", oneLine, len(oneLine), !fits, fits, p.Text())
				}
				words := p.Words()
				for _, want := range []string{site, agency, "Perkiraan dipanggil sekitar", "1234 orang di depan Anda", "PRIORITAS", "Persyaratan:", "Fotokopi KTP-el kedua orang tua (dilegalisir) - 2 lembar", "lapor.go.id"} {
					if !strings.Contains(words, want) {
						t.Errorf("the printout lacks %q:\n%s", want, p.Text())
					}
				}
				// The service's long "word" is cut after a slash, not lost
				// and not cut mid-word.
				if !strings.Contains(strings.ReplaceAll(p.Text(), "\n", ""), "Penerbitan/Perpanjangan/Penggantian") || !strings.Contains(words, "Penggantian Dokumen Kependudukan") {
					t.Errorf("the service name is cut mid-word or lost characters:\n%s", p.Text())
				}
				if !hasLine(p, c.number) {
					t.Errorf("the number %s is not on one line:\n%s", c.number, p.Text())
				}
				if len(p.QR) != 1 || p.QR[0] != job.StatusURL || p.Cuts != 1 {
					t.Errorf("QR %q and %d cuts, want the status URL and one cut", p.QR, p.Cuts)
				}
				if testing.Verbose() && paper.mm == 58 && c.number == "ABC100000" {
					t.Logf("printout:\n%s", p.Text())
				}
			})
		}
	}
}

// The number is as large as the roll allows: four times normal when it
// fits, smaller for a long number, never wrapped.
func TestReceiptNumberSize(t *testing.T) {
	for _, c := range []struct {
		mm             int
		number         string
		columnsPerChar int
	}{
		{58, "A012", 4}, {58, "ABC1000", 4}, {58, "ABC10000", 4}, {58, "ABC100000", 3},
		{80, "ABC100000", 4}, {80, "ABC1000000000", 3},
	} {
		job := &kiosk.PrintJob{Site: "MPP Uji", PaperMM: c.mm, Loc: time.UTC, Timezone: "Asia/Jakarta",
			Ticket: &queue.PublicTicket{Number: c.number, ServiceName: "KTP-el", IssuedAt: time.Date(2026, 9, 29, 3, 0, 0, 0, time.UTC)}}
		p := parseESCPOS(t, kiosk.Receipt(job))
		found := false
		for _, l := range p.Lines {
			if l.Text == c.number {
				found = true
				if l.Columns != len(c.number)*c.columnsPerChar {
					t.Errorf("%d mm: %s takes %d columns, want %d×%d", c.mm, c.number, l.Columns, len(c.number), c.columnsPerChar)
				}
			}
		}
		if !found {
			t.Errorf("%d mm: no line holds just %s:\n%s", c.mm, c.number, p.Text())
		}
	}
}
