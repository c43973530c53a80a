package display_test

// Review test: a visitor's page that stays open over midnight sees its
// ticket expire (ARCHITECTURE.md: a screen is never silently stale).

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
)

func TestReviewTicketFeedSeesTheDayRoll(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	s := apptest.Start(t, apptest.Options{Start: time.Date(2026, 11, 26, 14, 0, 0, 0, loc)})
	m := s.SetupMall()
	me := s.Issue(m, m.ServiceA1.ID, false)
	c := connect(t, s, "ticket="+me.Ticket.ID+"&k="+me.Key())
	read := func() publicTicket {
		t.Helper()
		var msg ticketMsg
		var p publicTicket
		raw := c.next(wait).raw
		if err := json.Unmarshal(raw, &msg); err != nil || msg.Type != "ticket" || json.Unmarshal(msg.Data, &p) != nil {
			t.Fatalf("ticket feed message %s", raw)
		}
		return p
	}
	if p := read(); p.Status != "waiting" {
		t.Fatalf("first message: %+v", p)
	}
	// Midnight passes; the next command rolls the day and expires the ticket.
	s.Clock.Set(time.Date(2026, 11, 27, 0, 0, 30, 0, loc))
	if r := s.Do(http.MethodGet, "/readyz", "", nil); r.Status != http.StatusOK {
		t.Fatalf("readyz: %d %s", r.Status, r.Body)
	}
	if p := read(); p.ID != me.Ticket.ID || p.Status != "expired" || p.Position != nil {
		t.Fatalf("after the day roll the feed says %+v, want the ticket expired", p)
	}
	// The new day's events do not repeat it.
	s.Issue(m, m.ServiceA1.ID, false)
	c.quiet(300 * time.Millisecond)
}
