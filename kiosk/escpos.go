package kiosk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// ESC/POS commands used (Epson's reference; every thermal printer sold
// for queue machines speaks them).
var (
	escInit       = []byte{0x1b, '@'}        // ESC @: reset
	escCenter     = []byte{0x1b, 'a', 1}     // ESC a 1
	escLeft       = []byte{0x1b, 'a', 0}     // ESC a 0
	escBoldOn     = []byte{0x1b, 'E', 1}     // ESC E 1
	escBoldOff    = []byte{0x1b, 'E', 0}     // ESC E 0
	escFeed4      = []byte{0x1b, 'd', 4}     // ESC d 4: feed four lines
	gsCutAfterFed = []byte{0x1d, 'V', 65, 3} // GS V 65 3: feed, then full cut
)

// QR code commands: GS ( k pL pH cn fn [params]. cn 49 is QR code.
func qrCommands(data string, module byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{0x1d, '(', 'k', 4, 0, 49, 65, 50, 0})  // fn 65: model 2
	b.Write([]byte{0x1d, '(', 'k', 3, 0, 49, 67, module}) // fn 67: module size in dots
	b.Write([]byte{0x1d, '(', 'k', 3, 0, 49, 69, 49})     // fn 69: error correction M
	n := len(data) + 3
	b.Write([]byte{0x1d, '(', 'k', byte(n % 256), byte(n / 256), 49, 80, 48}) // fn 80: store
	b.WriteString(data)
	b.Write([]byte{0x1d, '(', 'k', 3, 0, 49, 81, 48}) // fn 81: print
	return b.Bytes()
}

// Receipt is a ticket's printout as an ESC/POS stream: the mall and
// agency, the service, the number in large type, the date and time, the
// people ahead and the estimate, the requirements, the status page as a
// native QR code, and a cut. The text is Indonesian, folded to ASCII for
// the printer's code page.
//
// Every line is laid out here to fit the roll in font A — 32 columns on
// 58 mm, 48 on 80 mm, half as many in double width — so the printer never
// wraps a line itself (it breaks anywhere, mid-word and mid-number). Long
// names are word-wrapped; the date and the time each stay whole and go on
// one line when both fit ("Kamis, 3 Desember 2026 10.40 WIB" is 32
// columns), else on two ("Selasa, 29 September 2026" and "23.59 WITA").
func Receipt(job *PrintJob) []byte {
	cols := 48 // 80 mm, font A
	module := byte(6)
	if job.PaperMM == 58 {
		cols, module = 32, 5
	}
	tk := job.Ticket
	f := newFormatter("id", job.Loc, job.Timezone)
	t := func(key string) string { return catalog.T("id", key) }
	r := &receipt{cols: cols, size: 1}
	r.cmd(escInit)
	r.cmd(escCenter)
	r.cmd(escBoldOn)
	r.line(job.Site)
	r.cmd(escBoldOff)
	agency := job.AgencyName
	if agency == "" {
		agency = tk.AgencyName
	}
	r.line(agency)
	r.rule()
	r.cmd(escBoldOn)
	r.line(tk.ServiceName)
	r.cmd(escBoldOff)
	r.line(strings.ToUpper(t("ticket.label")))
	r.number(tk.Number)
	if tk.Priority {
		r.setSize(2)
		r.line(strings.ToUpper(t("ticket.priority")))
		r.setSize(1)
	}
	r.line(keep(f.Date(tk.IssuedAt)) + " " + keep(f.Time(tk.IssuedAt)))
	if tk.PeopleAhead != nil {
		r.line(aheadText("id", *tk.PeopleAhead))
	}
	if tk.EtaMin != nil {
		r.line(fill(t("ticket.eta"), "time", keep(f.Time(tk.IssuedAt.Add(time.Duration(*tk.EtaMin)*time.Minute)))))
	}
	r.rule()
	r.cmd(escLeft)
	r.cmd(escBoldOn)
	r.line(t("service.requirements") + ":")
	r.cmd(escBoldOff)
	if len(tk.Requirements) == 0 {
		r.line(t("service.requirements.none"))
	}
	for _, req := range tk.Requirements {
		r.lines(wrap(req, cols, "- "))
	}
	r.line(t("service.fee") + ": " + feeText("id", tk.Fee))
	r.cmd(escCenter)
	r.b.WriteByte('\n')
	r.cmd(qrCommands(job.StatusURL, module))
	r.line(t("ticket.scan"))
	r.b.WriteByte('\n')
	r.line(t("lapor.print"))
	r.cmd(escFeed4)
	r.cmd(gsCutAfterFed)
	return r.b.Bytes()
}

// receipt writes an ESC/POS stream, keeping each line within the roll's
// columns at the current character size.
type receipt struct {
	b    bytes.Buffer
	cols int // font A columns of the roll at normal size
	size int // character width and height: 1 normal, 2 double, …
}

func (r *receipt) cmd(c []byte) { r.b.Write(c) }

// setSize sets width and height to n times normal (GS !, 1 to 8).
func (r *receipt) setSize(n int) {
	r.size = n
	m := byte(n - 1)
	r.b.Write([]byte{0x1d, '!', m<<4 | m})
}

// line writes s word-wrapped to the columns of the current size.
func (r *receipt) line(s string) { r.lines(wrap(s, r.cols/r.size, "")) }

func (r *receipt) lines(ls []string) {
	for _, l := range ls {
		r.b.WriteString(l)
		r.b.WriteByte('\n')
	}
}

// rule is a dashed line across the roll.
func (r *receipt) rule() { r.line(strings.Repeat("-", r.cols/r.size)) }

// number prints the ticket number as large as the roll allows: four
// times normal ("A012" is 16 of 32 columns on 58 mm), smaller for the
// long numbers of a busy service ("ABC1000"), never wrapped.
func (r *receipt) number(n string) {
	n = ascii(n)
	size := 4
	for size > 1 && len(n)*size > r.cols {
		size--
	}
	r.setSize(size)
	r.line(n)
	r.setSize(1)
}

// nbsp joins words that wrap keeps on one line.
const nbsp = '\u00a0'

// keep makes s one unit for wrap: its spaces do not break.
func keep(s string) string { return strings.ReplaceAll(s, " ", string(nbsp)) }

// breaks reports where wrap may break a line: at spaces other than the
// no-break space of keep.
func breaks(r rune) bool { return unicode.IsSpace(r) && r != nbsp }

// wrap breaks s into lines of at most cols characters at spaces, the
// words folded to ASCII (ascii); the first line starts with bullet and
// the others are indented to match. A word longer than a line is cut,
// after a slash or hyphen where it has one ("Penerbitan/Perpanjangan/").
func wrap(s string, cols int, bullet string) []string {
	indent := strings.Repeat(" ", len(bullet))
	width := cols - len(bullet)
	var out []string
	cur := ""
	flush := func() {
		prefix := indent
		if len(out) == 0 {
			prefix = bullet
		}
		out = append(out, prefix+cur)
		cur = ""
	}
	for _, w := range strings.FieldsFunc(s, breaks) {
		w = ascii(w)
		for len(w) > width { // a word longer than the line: cut after a
			if cur != "" { // slash or hyphen when it has one, else anywhere
				flush()
			}
			cut := width
			if i := strings.LastIndexAny(w[:width], "/-"); i > 0 {
				cut = i + 1
			}
			cur = w[:cut]
			w = w[cut:]
			flush()
		}
		switch {
		case w == "":
		case cur == "":
			cur = w
		case len(cur)+1+len(w) <= width:
			cur += " " + w
		default:
			flush()
			cur = w
		}
	}
	if cur != "" || len(out) == 0 {
		flush()
	}
	return out
}

var asciiReplacer = strings.NewReplacer("—", "-", "–", "-", "±", "+/-", "…", "...", "“", `"`, "”", `"`, "‘", "'", "’", "'", "·", "-", "•", "-", "×", "x", string(nbsp), " ")

// ascii folds text to printable ASCII: accents dropped, dashes and
// quotes plain, anything else a question mark. Control bytes never reach
// the printer from data.
func ascii(s string) string {
	s = asciiReplacer.Replace(norm.NFD.String(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '\t' || r == '\n':
			b.WriteByte(' ')
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

// NetPrinter prints tickets on ESC/POS network printers (raw TCP, usually
// port 9100): one connection per ticket, dial and write within Timeout.
type NetPrinter struct {
	// Timeout bounds one ticket (default PrintTimeout, 3 s).
	Timeout time.Duration
}

// Print sends the ticket's receipt to job.Printer.
func (p NetPrinter) Print(ctx context.Context, job *PrintJob) error {
	if job.Printer == "" {
		return errors.New("kiosk: no printer")
	}
	limit := p.Timeout
	if limit <= 0 {
		limit = PrintTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	deadline, _ := ctx.Deadline()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", job.Printer)
	if err != nil {
		return fmt.Errorf("kiosk: printer %s: %w", job.Printer, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	if _, err := conn.Write(Receipt(job)); err != nil {
		return fmt.Errorf("kiosk: printer %s: %w", job.Printer, err)
	}
	return nil
}
