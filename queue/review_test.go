package queue_test

// Review tests: moving a service or a counter to another agency must not
// leave the day's tickets or the counter's officer with the old agency.

import (
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

// A ticket carries its service's agency from issue: staff listings,
// reports and the spoken call go by it. A service whose tickets are still
// open today cannot move to another agency, or those tickets would be
// called at the new agency's counters while they belong to the old one.
func TestReviewServiceMovesOnlyWithoutOpenTickets(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	// k1 stops serving B, so that no counter stands in the way of the move.
	e.must(queue.PutCounter{Counter: &queue.Counter{ID: "k1", AgencyID: "ag-x", Name: "Loket 1", ServiceIDs: []string{"svc-a"}}})
	b1 := e.issue("svc-b", false)
	move := func() queue.PutService {
		s := *e.st().Service("svc-b")
		s.AgencyID = "ag-y"
		return queue.PutService{Service: &s}
	}
	e.refuse(move(), queue.EInUse)
	if got := e.st().Ticket(b1.ID).AgencyID; got != "ag-x" {
		t.Fatalf("waiting ticket's agency %s", got)
	}
	// Once nobody holds a ticket of it today, it moves.
	e.must(queue.CancelTicket{TicketID: b1.ID})
	e.must(move())
	if got := e.st().Service("svc-b").AgencyID; got != "ag-y" {
		t.Fatalf("service agency %s after the move", got)
	}
	// New tickets carry the new agency.
	if got := e.issue("svc-b", false).AgencyID; got != "ag-y" {
		t.Fatalf("new ticket's agency %s", got)
	}
}

// A counter moved to another agency while open would stay open under an
// officer of the old agency, who may no longer act there: it moves closed.
func TestReviewCounterMovesOnlyWhenClosed(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.openCounter("k3", "u1")
	move := queue.PutCounter{Counter: &queue.Counter{ID: "k3", AgencyID: "ag-y", Name: "Loket 3", ServiceIDs: []string{"svc-c"}}}
	e.refuse(move, queue.ECounterBusy)
	e.act("k3", queue.ActPause)
	e.refuse(move, queue.ECounterBusy)
	e.act("k3", queue.ActClose)
	e.must(move)
	k := e.st().Counter("k3")
	if k.AgencyID != "ag-y" || k.Status != queue.CounterClosed || k.OfficerID != "" {
		t.Fatalf("moved counter: %+v", k)
	}
	// Its own setup changes while open, as before.
	e.openCounter("k3", "u2")
	e.must(queue.PutCounter{Counter: &queue.Counter{ID: "k3", AgencyID: "ag-y", Name: "Loket 3A", ServiceIDs: []string{"svc-c"}}})
	if k := e.st().Counter("k3"); k.Status != queue.CounterOpen || k.OfficerID != "u2" || k.Name != "Loket 3A" {
		t.Fatalf("renamed open counter: %+v", k)
	}
}
