package reports

import (
	"reflect"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// someDay is a day of a few tickets: served, a no-show called back and
// served, a transfer, a cancel, one never called.
func someDay() *daySum {
	at := func(h, m, s int) *time.Time {
		v := time.Date(2026, 11, 26, h, m, s, 0, time.FixedZone("WIB", 7*3600))
		return &v
	}
	tks := []*queue.Ticket{
		{ID: "20261126-1", Day: "2026-11-26", IssuedAt: *at(8, 0, 0), Visits: []queue.Visit{
			{ServiceID: "s1", AgencyID: "a1", QueuedAt: *at(8, 0, 0), CalledAt: at(8, 5, 0), LastCalledAt: at(8, 5, 0), CounterID: "k1", OfficerID: "u1", EndedAt: at(8, 9, 30), Outcome: queue.Done}}},
		{ID: "20261126-2", Day: "2026-11-26", IssuedAt: *at(8, 1, 0), Visits: []queue.Visit{
			{ServiceID: "s1", AgencyID: "a1", QueuedAt: *at(8, 1, 0), CalledAt: at(8, 10, 0), LastCalledAt: at(8, 30, 0), CounterID: "k1", OfficerID: "u1", EndedAt: at(8, 35, 0), Outcome: queue.Done}}},
		{ID: "20261126-3", Day: "2026-11-26", IssuedAt: *at(9, 0, 0), Visits: []queue.Visit{
			{ServiceID: "s1", AgencyID: "a1", QueuedAt: *at(9, 0, 0), CalledAt: at(9, 20, 0), LastCalledAt: at(9, 20, 0), CounterID: "k2", OfficerID: "u2", EndedAt: at(9, 25, 0), Outcome: queue.Transferred},
			{ServiceID: "s2", AgencyID: "a2", QueuedAt: *at(9, 25, 0), CalledAt: at(9, 40, 0), LastCalledAt: at(9, 40, 0), CounterID: "k3", OfficerID: "u3", EndedAt: at(9, 41, 0), Outcome: queue.NoShow}}},
		{ID: "20261126-4", Day: "2026-11-26", IssuedAt: *at(9, 5, 0), Visits: []queue.Visit{
			{ServiceID: "s2", AgencyID: "a2", QueuedAt: *at(9, 5, 0), EndedAt: at(9, 6, 0), Outcome: queue.Cancelled}}},
		{ID: "20261126-5", Day: "2026-11-26", IssuedAt: *at(9, 6, 0), Status: queue.Waiting, ServiceID: "s2", AgencyID: "a2", QueuedAt: *at(9, 6, 0)}, // no visits stored
		{ID: "20261125-9", Day: "2026-11-25", IssuedAt: *at(9, 6, 0)},                                                                                 // another day
	}
	return summarize("2026-11-26", func(yield func(*queue.Ticket) bool) {
		for _, t := range tks {
			if !yield(t) {
				return
			}
		}
	})
}

// TestDaySummaryRoundTrip: a summary decodes to what was encoded, cell by
// cell, and sums up the visits as the report defines them.
func TestDaySummaryRoundTrip(t *testing.T) {
	s := someDay()
	got, err := decodeDay(s.day, s.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", got, s)
	}
	// Cells: s1 at k1 by u1 at 8, s1 at k2 at 9, s2 at k3 at 9, and s2
	// not called at 9 (the cancelled one, the one stored without visits).
	if len(s.cells) != 4 {
		t.Fatalf("%d cells, want 4: %+v", len(s.cells), s.cells)
	}
	var served, noShow, cancelled, waits, first uint32
	var waitSum, serviceSum uint64
	for _, c := range s.cells {
		served, noShow, cancelled, first = served+c.served, noShow+c.noShow, cancelled+c.cancelled, first+c.first[firstOfAll]
		waitSum, serviceSum = waitSum+c.waitSum, serviceSum+c.serviceSum
		for _, b := range s.waits(&c) {
			waits += b.n
		}
	}
	// Waits 5, 9, 20 and 15 minutes; service 4.5 min, and 5 min from the
	// call-back.
	if served != 2 || noShow != 1 || cancelled != 1 || first != 5 || waits != 4 || waitSum != (5+9+20+15)*60 || serviceSum != 270+300 {
		t.Errorf("sums: served %d no-show %d cancelled %d tickets %d waits %d (%d s), service %d s", served, noShow, cancelled, first, waits, waitSum, serviceSum)
	}
	// The same tickets in another order make the same bytes.
	if b := someDay().encode(); string(b) != string(s.encode()) {
		t.Error("encoding is not deterministic")
	}
	if _, err := decodeDay(s.day, append([]byte{2}, s.encode()[1:]...)); err == nil {
		t.Error("a record of another version decoded")
	}
}

// FuzzDecodeDay: a stored summary that is damaged or of another version
// is refused (and made again from tickets), never a panic; one that
// decodes encodes back to an equal summary, and the report adds it up.
func FuzzDecodeDay(f *testing.F) {
	f.Add(someDay().encode())
	f.Add((&daySum{}).encode())
	f.Add([]byte{1, 1, 0, 1, 0, 0, 0, 0, 23, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 2, 5, 1, 0, 1})
	f.Fuzz(func(t *testing.T, rec []byte) {
		s, err := decodeDay("2026-11-26", rec)
		if err != nil {
			return
		}
		again, err := decodeDay("2026-11-26", s.encode())
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("re-encoding %+v: %+v, %v", s, again, err)
		}
		for _, g := range Groupings {
			rows(Query{From: "2026-11-26", To: "2026-11-26", GroupBy: g}, &queue.State{}, []*daySum{s}, false)
		}
	})
}
