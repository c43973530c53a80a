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
	gsSizeNormal  = []byte{0x1d, '!', 0x00}  // GS ! 0
	gsSizeDouble  = []byte{0x1d, '!', 0x11}  // GS ! : 2× wide, 2× high
	gsSizeNumber  = []byte{0x1d, '!', 0x33}  // GS ! : 4× wide, 4× high
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
// agency, the service, the number in large type, the time, the people
// ahead and the estimate, the requirements, the status page as a native
// QR code, and a cut. The text is Indonesian, folded to ASCII for the
// printer's code page.
func Receipt(job *PrintJob) []byte {
	cols := 48 // 80 mm, font A
	module := byte(6)
	if job.PaperMM == 58 {
		cols, module = 32, 5
	}
	tk := job.Ticket
	f := newFormatter("id", job.Loc, job.Timezone)
	t := func(key string) string { return catalog.T("id", key) }
	var b bytes.Buffer
	line := func(s string) {
		for _, l := range wrap(ascii(s), cols, "") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	b.Write(escInit)
	b.Write(escCenter)
	b.Write(escBoldOn)
	line(job.Site)
	b.Write(escBoldOff)
	agency := job.AgencyName
	if agency == "" {
		agency = tk.AgencyName
	}
	line(agency)
	b.WriteString(strings.Repeat("-", cols) + "\n")
	b.Write(escBoldOn)
	line(tk.ServiceName)
	b.Write(escBoldOff)
	line(strings.ToUpper(t("ticket.label")))
	b.Write(gsSizeNumber)
	b.WriteString(ascii(tk.Number) + "\n")
	b.Write(gsSizeNormal)
	if tk.Priority {
		b.Write(gsSizeDouble)
		line(strings.ToUpper(t("ticket.priority")))
		b.Write(gsSizeNormal)
	}
	line(f.Date(tk.IssuedAt) + " " + f.Time(tk.IssuedAt))
	if tk.PeopleAhead != nil {
		line(aheadText("id", *tk.PeopleAhead))
	}
	if tk.EtaMin != nil {
		line(fill(t("ticket.eta"), "time", f.Time(tk.IssuedAt.Add(time.Duration(*tk.EtaMin)*time.Minute))))
	}
	b.WriteString(strings.Repeat("-", cols) + "\n")
	b.Write(escLeft)
	b.Write(escBoldOn)
	line(t("service.requirements") + ":")
	b.Write(escBoldOff)
	if len(tk.Requirements) == 0 {
		line(t("service.requirements.none"))
	}
	for _, r := range tk.Requirements {
		for _, l := range wrap(ascii(r), cols, "- ") {
			b.WriteString(l + "\n")
		}
	}
	line(t("service.fee") + ": " + feeText("id", tk.Fee))
	b.Write(escCenter)
	b.WriteByte('\n')
	b.Write(qrCommands(job.StatusURL, module))
	line(t("ticket.scan"))
	b.WriteByte('\n')
	line(t("lapor.print"))
	b.Write(escFeed4)
	b.Write(gsCutAfterFed)
	return b.Bytes()
}

// wrap breaks s into lines of at most cols characters at spaces; the
// first line starts with bullet and the others are indented to match.
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
	for _, w := range strings.Fields(s) {
		for len(w) > width { // a word longer than the line
			if cur != "" {
				flush()
			}
			cur = w[:width]
			w = w[width:]
			flush()
		}
		switch {
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

var asciiReplacer = strings.NewReplacer("—", "-", "–", "-", "±", "+/-", "…", "...", "“", `"`, "”", `"`, "‘", "'", "’", "'", "·", "-", "•", "-", "×", "x")

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
