package region

import (
	"encoding/json"
	"fmt"
	"time"
)

// What the region reconstructs from a site's events. It has no tickets:
// every ticket.* event carries the ticket's public view (number, service,
// agency, status, day, the times of issue, call, start and finish) and
// the counter, so the region follows each ticket of the site's open day
// as a track — its visits, one per queue it waited in, as the site's
// reports see them (queue.Visit) — and sums the tracks of a day up when
// the site's day ends. Waits (call − entry into the queue), service
// times (finish − last call), served, no-shows, cancellations and issues
// come out as the site's summary report counts them.
//
// What the events do not carry, the region cannot report: the officer who
// called (counter events name the counter's officer by an opaque user ID,
// not the call's; no group_by=officer), each service's target wait (the
// region counts within a target it is given, 15 minutes by default), the
// survey's profiles and comments (never published).

// event is an event as the site publishes it.
type event struct {
	Seq  uint64          `json:"seq"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
}

type ref struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ticketData is what the region reads of a ticket.* event.
type ticketData struct {
	Ticket struct {
		ID        string     `json:"id"`
		ServiceID string     `json:"service_id"`
		AgencyID  string     `json:"agency_id"`
		Status    string     `json:"status"`
		Day       string     `json:"day"`
		IssuedAt  time.Time  `json:"issued_at"`
		CalledAt  *time.Time `json:"called_at"`
		DoneAt    *time.Time `json:"done_at"`
	} `json:"ticket"`
	Counter *ref `json:"counter"`
	Service *ref `json:"service"`
	Agency  *ref `json:"agency"`
}

type counterData struct {
	Counter struct {
		ID       string `json:"id"`
		AgencyID string `json:"agency_id"`
		Name     string `json:"name"`
		Status   string `json:"status"`
	} `json:"counter"`
}

type feedbackData struct {
	TicketID  string `json:"ticket_id"`
	ServiceID string `json:"service_id"`
	AgencyID  string `json:"agency_id"`
	Scores    []int  `json:"scores"`
}

// track is one ticket of a site's open day. Times are Unix seconds; a
// visit's Called is the call that ended its wait, LastCalled the latest
// (a no-show called back), Ended when it ended with Outcome.
type track struct {
	Day    string  `json:"d"`
	Hour   uint8   `json:"h"`
	Status string  `json:"s"`
	Visits []visit `json:"v"`
}

type visit struct {
	Agency     string `json:"a"`
	Service    string `json:"sv"`
	Counter    string `json:"c,omitempty"`
	Queued     int64  `json:"q"`
	Called     int64  `json:"cl,omitempty"`
	LastCalled int64  `json:"lc,omitempty"`
	Ended      int64  `json:"e,omitempty"`
	Outcome    string `json:"o,omitempty"`
}

func (t *track) current() *visit { return &t.Visits[len(t.Visits)-1] }

// applyTicket changes the ticket's track for event e; t is nil for a
// ticket the region has not seen issued (its issue is older than the
// stream's history, or was lost): it is made from the view. It answers
// the track (a new one when t was nil).
func applyTicket(t *track, e *event, d *ticketData) *track {
	at := e.At.Unix()
	tk := &d.Ticket
	if t == nil {
		t = &track{Day: tk.Day, Hour: uint8(tk.IssuedAt.Hour()),
			Visits: []visit{{Agency: tk.AgencyID, Service: tk.ServiceID, Queued: tk.IssuedAt.Unix()}}}
		switch {
		case e.Type == "ticket.transferred":
			// Its earlier visits are unknown; this one starts now.
			t.Visits[0].Queued = at
			t.Status = tk.Status
			return t
		case e.Type != "ticket.issued" && tk.CalledAt != nil:
			// Called before the region's history began: its wait counts
			// from its issue (exact unless it was transferred).
			c := tk.CalledAt.Unix()
			t.Visits[0].Called, t.Visits[0].LastCalled = c, c
			if d.Counter != nil {
				t.Visits[0].Counter = d.Counter.ID
			}
		}
	}
	cur := t.current()
	switch e.Type {
	case "ticket.called":
		if cur.Called == 0 {
			cur.Called = at
			if d.Counter != nil {
				cur.Counter = d.Counter.ID
			}
		}
		cur.LastCalled, cur.Ended, cur.Outcome = at, 0, ""
	case "ticket.done":
		end := at
		if tk.DoneAt != nil {
			end = tk.DoneAt.Unix()
		}
		cur.Ended, cur.Outcome = end, "done"
	case "ticket.no_show":
		cur.Ended, cur.Outcome = at, "no_show"
	case "ticket.cancelled":
		cur.Ended, cur.Outcome = at, "cancelled"
	case "ticket.expired":
		// A no-show never called back stays a no-show (queue's roll).
		if cur.Outcome == "" {
			cur.Ended, cur.Outcome = at, "expired"
		}
	case "ticket.transferred":
		cur.Ended, cur.Outcome = at, "transferred"
		t.Visits = append(t.Visits, visit{Agency: tk.AgencyID, Service: tk.ServiceID, Queued: at})
	}
	t.Status = tk.Status
	return t
}

// The summary of one site's day is kept as rows of five groupings, each
// stored as one record (rows.go): the day's total, and rows by agency,
// by service, by counter and by hour of issue (the last three within
// their agency, so that a report of one agency reads the same records).
// Every row holds the figures of the summary report and the waits as a
// histogram.
const (
	gTotal   byte = 't'
	gAgency  byte = 'a'
	gService byte = 's'
	gCounter byte = 'c'
	gHour    byte = 'h'
)

var groupings = []byte{gTotal, gAgency, gService, gCounter, gHour}

// keySep joins an agency and an ID in a row key: IDs never hold it.
const keySep = "\x1f"

// summarize adds up a day's tracks into its rows, by grouping. target
// is the wait (seconds) a wait must not pass to count within target.
func summarize(tracks func(yield func(*track) bool), target uint32) map[byte]*rowSet {
	out := map[byte]*rowSet{}
	for _, g := range groupings {
		out[g] = newRowSet()
	}
	var agencies, services, counters []string
	seen := func(list *[]string, v string) bool {
		for _, x := range *list {
			if x == v {
				return true
			}
		}
		*list = append(*list, v)
		return false
	}
	for t := range tracks {
		agencies, services, counters = agencies[:0], services[:0], counters[:0]
		hour := fmt.Sprintf("%02d", t.Hour)
		for i, v := range t.Visits {
			firstAll := b2u(i == 0)
			firstAgency := b2u(!seen(&agencies, v.Agency))
			firstService := b2u(!seen(&services, v.Agency+keySep+v.Service))
			firstCounter := b2u(!seen(&counters, v.Counter))
			var f visitFigures
			f.from(&v, target)
			out[gTotal].row("").add(firstAll, firstAll, &f)
			out[gAgency].row(v.Agency).add(firstAgency, firstAll, &f)
			out[gService].row(v.Agency+keySep+v.Service).add(firstService, firstAll, &f)
			out[gCounter].row(v.Agency+keySep+v.Counter).add(firstCounter, firstAll, &f)
			out[gHour].row(v.Agency+keySep+hour).add(firstAgency, firstAll, &f)
		}
	}
	return out
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// visitFigures is what one visit adds to a row.
type visitFigures struct {
	served, noShow, cancelled uint64
	serviceN, serviceSum      uint64
	waited                    bool
	wait                      uint32
	within                    uint64
}

func (f *visitFigures) from(v *visit, target uint32) {
	if v.Called != 0 {
		f.waited = true
		f.wait = uint32(max(0, min(v.Called-v.Queued, 1<<31)))
		if f.wait <= target {
			f.within = 1
		}
	}
	switch v.Outcome {
	case "done":
		f.served = 1
		from := v.LastCalled
		if from == 0 {
			from = v.Called
		}
		if from != 0 && v.Ended != 0 {
			f.serviceN, f.serviceSum = 1, uint64(max(0, v.Ended-from))
		}
	case "no_show":
		f.noShow = 1
	case "cancelled":
		f.cancelled = 1
	}
}
