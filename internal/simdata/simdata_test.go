package simdata

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// TestTicketsOnly: a tickets-only day holds the very tickets of the full
// day — the benchmarks that use it measure the same mall — and nothing
// else, and numbers no event or audit entry.
func TestTicketsOnly(t *testing.T) {
	wib, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	tickets := func(b *queue.Batch) (string, map[string]int) {
		var tks []any
		kinds := map[string]int{}
		for _, p := range b.Puts {
			kinds[p.Kind]++
			if p.Kind == queue.KindTicket {
				tks = append(tks, p.Value)
			}
		}
		raw, err := json.Marshal(tks)
		if err != nil {
			t.Fatal(err)
		}
		return string(raw), kinds
	}
	full, only := New(wib, 0, 0), New(wib, 7, 9)
	only.TicketsOnly = true
	for _, day := range []string{"2026-03-02", "2026-03-03"} {
		fb, ob := full.Day(day, 500), only.Day(day, 500)
		ft, fk := tickets(fb)
		ot, ok := tickets(ob)
		if fk[queue.KindTicket] != 500 || fk[queue.KindFeedback] == 0 || fk[queue.KindAudit] == 0 || len(fb.Events) == 0 {
			t.Fatalf("%s: the full day holds %v and %d events", day, fk, len(fb.Events))
		}
		if len(ok) != 1 || ok[queue.KindTicket] != 500 || len(ob.Events) != 0 || ob.Day != day {
			t.Errorf("%s: the tickets-only day holds %v and %d events (day %q)", day, ok, len(ob.Events), ob.Day)
		}
		if ot != ft {
			t.Errorf("%s: the tickets-only day's tickets differ from the full day's", day)
		}
	}
	if only.Seq() != 7 || only.AuditSeq() != 9 {
		t.Errorf("tickets-only days moved Seq to %d and AuditSeq to %d, want 7 and 9", only.Seq(), only.AuditSeq())
	}
}
