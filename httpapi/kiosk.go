package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/mpp-digital/antrean/queue"
)

// What issuing at a kiosk needs beyond the engine: a per-device rate
// limit, and the answer's printed, once the kiosk's printer (TicketPrinter)
// had the ticket after it committed.

// Default issue rate limit of one kiosk device or one greeter: a burst of
// DefaultIssueBurst tickets, then one per DefaultIssueEvery. A person needs
// several seconds for the three taps of a ticket; a kiosk issuing faster is
// stuck or abused (hoarding).
const (
	DefaultIssueBurst = 10
	DefaultIssueEvery = 2 * time.Second
)

// TicketPrinter prints the tickets a kiosk issues on its network printer
// (kiosk.Printing does). The API asks for the printout while the engine
// renders the answer, with the state the ticket was issued in, and sends
// it only after the ticket committed.
type TicketPrinter interface {
	// Prepare returns nil when dev prints nothing (no kiosk, or no
	// printer); else a func that prints the ticket, gives up within
	// 3 s (API.md, Operations) and reports whether the printer took it.
	Prepare(dev *queue.Device, st *queue.State, t *queue.Ticket, statusURL string) func() bool
	// Printed reports whether a ticket's printout went out, so that a
	// repeated request answers the first one's printed.
	Printed(ticketID string) bool
}

// issueLimiter holds one token bucket per issuing caller.
type issueLimiter struct {
	burst int
	every time.Duration
	mu    sync.Mutex
	byKey map[string]*rate.Limiter
	seen  map[string]time.Time
}

func newIssueLimiter(burst int, every time.Duration) *issueLimiter {
	if burst == 0 {
		burst = DefaultIssueBurst
	}
	if every <= 0 {
		every = DefaultIssueEvery
	}
	if burst < 0 {
		return nil // off
	}
	return &issueLimiter{burst: burst, every: every, byKey: map[string]*rate.Limiter{}, seen: map[string]time.Time{}}
}

// take spends one ticket of key's bucket; when it is empty it returns how
// long until the next one.
func (l *issueLimiter) take(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.byKey[key]
	if lim == nil {
		if len(l.byKey) > 10000 {
			// Callers idle long enough have full buckets again: drop them.
			for k, at := range l.seen {
				if now.Sub(at) > time.Duration(l.burst)*l.every {
					delete(l.byKey, k)
					delete(l.seen, k)
				}
			}
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.byKey[key] = lim
	}
	l.seen[key] = now
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// issueRateKey names who a rate limit counts: a kiosk device or a
// greeter. Other staff issue tickets now and then at their own counters
// and are not limited.
func issueRateKey(c *Caller) string {
	switch c.Kind() {
	case kiosk:
		return "d:" + c.Device.ID
	case greeter:
		return "u:" + c.User.ID
	}
	return ""
}

// limitIssue answers 429 rate_limited with Retry-After when the caller
// issues too fast. A repeat of an earlier request (same Idempotency-Key)
// is never limited: it issues nothing.
func (s *Server) limitIssue(c echo.Context) error {
	key := issueRateKey(callerOf(c))
	if s.issueLimit == nil || key == "" {
		return nil
	}
	if k := c.Request().Header.Get("Idempotency-Key"); k != "" && s.engine.State().Idem(s.idemKey(c, k), s.engine.Now()) != nil {
		return nil
	}
	wait := s.issueLimit.take(key, s.engine.Now()) // the server's clock, as everything it answers
	if wait <= 0 {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return queue.Errorf(queue.ERateLimited,
		"This kiosk is taking tickets too fast; try again in %d s.",
		"Terlalu banyak permintaan dari kios ini; coba lagi dalam %d detik.", secs)
}

// withPrinted rewrites an issue answer's printed field.
func withPrinted(body []byte, printed bool) []byte {
	var a IssueAnswer
	if err := json.Unmarshal(body, &a); err != nil || a.Printed == printed {
		return body
	}
	a.Printed = printed
	out, err := json.Marshal(&a)
	if err != nil {
		return body
	}
	return out
}

// kioskAnswer is GET /api/v1/kiosk: who is issuing at this kiosk screen.
type kioskAnswer struct {
	// Kind is "kiosk" for a paired kiosk device, else the staff role.
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Printer is true when the kiosk has a network printer: its tickets
	// are printed by the server, and printed: false means a fault.
	Printer bool `json:"printer"`
	// AgencyID limits a supervisor, officer or greeter to their agency
	// ("" = all; a greeter at the mall's information desk has none).
	AgencyID string `json:"agency_id"`
	PaperMM  int    `json:"paper_mm"`
}

// kioskSelf answers GET /api/v1/kiosk for the callers that issue tickets.
func (s *Server) kioskSelf(c echo.Context) error {
	caller := callerOf(c)
	a := kioskAnswer{Kind: caller.Kind(), PaperMM: s.engine.State().Site.TicketPaperMM}
	switch {
	case caller.Device != nil:
		a.Name, a.Printer = caller.Device.Name, caller.Device.Printer != "" && s.cfg.Printer != nil
	case caller.User != nil:
		a.Name = caller.User.Username
		if a.Kind == supervisor || a.Kind == officer || a.Kind == greeter {
			a.AgencyID = caller.User.AgencyID // a greeter may have none: every agency
		}
	}
	return c.JSON(http.StatusOK, a)
}

// afterIssue prints a newly issued ticket on the kiosk's printer and sets
// printed in the answer; a repeated request gets the first print's result
// and prints nothing.
func (s *Server) afterIssue(rep *queue.Reply, printTicket func() bool) {
	if rep.Status != http.StatusCreated || s.cfg.Printer == nil {
		return
	}
	if rep.Replayed {
		var a IssueAnswer
		if json.Unmarshal(rep.Body, &a) == nil && a.Ticket != nil && s.cfg.Printer.Printed(a.Ticket.ID) {
			rep.Body = withPrinted(rep.Body, true)
		}
		return
	}
	if printTicket != nil && printTicket() {
		rep.Body = withPrinted(rep.Body, true)
	}
}
