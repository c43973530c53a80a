package kiosk

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// Printing on a kiosk's network printer, all of it here: what a printout
// holds (PrintJob), how it is laid out (Receipt, escpos.go), how it is
// sent (NetPrinter) and what the API is told afterwards (Printing). The
// API only calls Printing.Prepare while the engine renders its answer and
// runs what it returns after the ticket committed, so a printer never
// holds up the engine and a rolled-back ticket is never printed.

// PrintTimeout bounds a ticket's print: one TCP connection per ticket,
// dial and write included (API.md, Operations).
const PrintTimeout = 3 * time.Second

// printedTTL is how long Printing remembers a print's outcome: as long
// as the API replays an idempotent answer (its idemTTL), so the repeat of
// a tap answers the same printed as the first.
const printedTTL = 10 * time.Minute

// PrintJob is one ticket for a kiosk's network printer.
type PrintJob struct {
	// Printer is the kiosk's printer, host:port.
	Printer string
	// Site is the mall's name; PaperMM the roll's width (58 or 80).
	Site    string
	PaperMM int
	// Loc is the site's time zone; Timezone its name (WIB, WITA, WIT).
	Loc      *time.Location
	Timezone string
	// Ticket is the public view at issue, with requirements and fee.
	Ticket *queue.PublicTicket
	// AgencyName is the agency's full name.
	AgencyName string
	StatusURL  string
}

// Printer sends a ticket to a kiosk's printer. It must give up by the
// context's deadline.
type Printer interface {
	Print(ctx context.Context, job *PrintJob) error
}

// Printing prints the tickets of kiosk devices that have a network
// printer, and remembers for a while whether each went out.
type Printing struct {
	// Printer sends the printouts (NetPrinter when nil).
	Printer Printer
	// Logger gets a warning for each ticket not printed.
	Logger *slog.Logger
	// OnFailure, when set, is called for each ticket not printed (the
	// metrics count them). It must not block.
	OnFailure func()

	mu   sync.Mutex
	done map[string]printEntry
}

type printEntry struct {
	printed bool
	at      time.Time
}

// Prepare makes the printout of a ticket that dev just issued, from the
// state it was issued in (it runs in the engine's render, so it only
// copies). It returns nil when dev is no kiosk with a printer; otherwise a
// func that prints the ticket within PrintTimeout, to be called after the
// commit, and reports whether the printer took it.
func (p *Printing) Prepare(dev *queue.Device, st *queue.State, t *queue.Ticket, statusURL string) func() bool {
	if dev == nil || dev.Printer == "" {
		return nil
	}
	pub := st.Public(t)
	if svc := st.Service(t.ServiceID); svc != nil {
		pub.Requirements, pub.Fee = append([]string(nil), svc.Requirements...), svc.Fee
	}
	job := &PrintJob{
		Printer: dev.Printer, Site: st.Site.Name, PaperMM: st.Site.TicketPaperMM,
		Loc: st.Loc, Timezone: st.Site.Timezone, Ticket: pub, StatusURL: statusURL,
	}
	if a := st.Agency(t.AgencyID); a != nil {
		job.AgencyName = a.Name
	}
	return func() bool { return p.print(job) }
}

// print sends a committed ticket to its printer within PrintTimeout and
// remembers the outcome. A failure is logged and leaves the ticket as it
// is: the kiosk shows the QR code instead.
func (p *Printing) print(job *PrintJob) bool {
	printer := p.Printer
	if printer == nil {
		printer = NetPrinter{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), PrintTimeout)
	defer cancel()
	start := time.Now()
	err := printer.Print(ctx, job)
	if err != nil {
		log := p.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Warn("ticket not printed; the kiosk shows its QR instead", "ticket", job.Ticket.Number, "printer", job.Printer, "took", time.Since(start).Round(time.Millisecond), "err", err)
		if p.OnFailure != nil {
			p.OnFailure()
		}
	}
	p.remember(job.Ticket.ID, err == nil, time.Now())
	return err == nil
}

// Printed reports whether the ticket's printout went out. It is memory
// only: after a restart it answers false.
func (p *Printing) Printed(ticketID string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done[ticketID].printed
}

func (p *Printing) remember(ticketID string, printed bool, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.done == nil {
		p.done = map[string]printEntry{}
	}
	if len(p.done) > 1000 {
		for k, e := range p.done {
			if now.Sub(e.at) > printedTTL {
				delete(p.done, k)
			}
		}
	}
	p.done[ticketID] = printEntry{printed: printed, at: now}
}
