package storage_test

import (
	"encoding/binary"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

func feedbackPut(day string, index int, comment string) queue.Put {
	id := queue.TicketID(day, index)
	f := &queue.Feedback{TicketID: id, Day: day, ServiceID: "s", AgencyID: "a", Channel: queue.FeedbackVisitor,
		At: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Scores: []int{4, 3, 2}, Comment: comment}
	if comment != "" {
		f.Profile = &queue.Profile{Gender: "L", Occupation: "PNS"}
	}
	return queue.Put{Kind: queue.KindFeedback, ID: id, Value: f}
}

func readFeedback(t *testing.T, db *storage.DB, from, to string) []*queue.Feedback {
	t.Helper()
	var out []*queue.Feedback
	if err := db.Feedback(from, to, func(f *queue.Feedback) error { out = append(out, f); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func ids(fs []*queue.Feedback) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.TicketID)
	}
	return out
}

// TestFeedbackStore: responses are read back by day range in day and
// ticket order, the engine learns today's rated tickets on load, and the
// purge strips profiles and comments of old days only, keeping scores.
func TestFeedbackStore(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	commit(t, db, &queue.Batch{Day: "2026-11-24", Puts: []queue.Put{feedbackPut("2026-11-24", 2, "bagus"), feedbackPut("2026-11-24", 10, "")}})
	commit(t, db, &queue.Batch{Day: "2026-11-25", Puts: []queue.Put{feedbackPut("2026-11-25", 1, "antrean lama")}})
	commit(t, db, &queue.Batch{Day: "2026-11-26", Puts: []queue.Put{feedbackPut("2026-11-26", 300, "ramah"), feedbackPut("2026-11-26", 7, "")}})

	if got := ids(readFeedback(t, db, "2026-11-24", "2026-11-26")); !slices.Equal(got, []string{"20261124-2", "20261124-10", "20261125-1", "20261126-7", "20261126-300"}) {
		t.Errorf("all days: %v", got)
	}
	if got := ids(readFeedback(t, db, "2026-11-25", "2026-11-25")); !slices.Equal(got, []string{"20261125-1"}) {
		t.Errorf("one day: %v", got)
	}
	if got := ids(readFeedback(t, db, "2026-11-27", "2026-12-31")); len(got) != 0 {
		t.Errorf("later days: %v", got)
	}
	if l := load(t, db); !slices.Equal(l.Rated, []string{"20261126-7", "20261126-300"}) {
		t.Errorf("rated on load: %v", l.Rated)
	}

	n, err := db.PurgeFeedback("2026-11-26")
	if err != nil || n != 2 {
		t.Fatalf("purge: %d, %v; want 2 changed", n, err)
	}
	all := readFeedback(t, db, "2026-11-01", "2026-11-30")
	for _, f := range all {
		if f.Day < "2026-11-26" && f.Personal() {
			t.Errorf("%s keeps %+v %q after the purge", f.TicketID, f.Profile, f.Comment)
		}
		if !slices.Equal(f.Scores, []int{4, 3, 2}) {
			t.Errorf("%s scores %v after the purge", f.TicketID, f.Scores)
		}
	}
	if last := all[len(all)-1]; last.Comment != "ramah" || last.Profile == nil {
		t.Errorf("today's response was purged: %+v", last)
	}
	// Again: nothing left to do, and the old days are not read again.
	if n, err := db.PurgeFeedback("2026-11-26"); err != nil || n != 0 {
		t.Errorf("second purge: %d, %v", n, err)
	}
	if n, err := db.PurgeFeedback("2026-11-27"); err != nil || n != 1 {
		t.Errorf("purge of one more day: %d, %v; want 1", n, err)
	}
	db.Close()
}

// TestFeedbackMigration: a database of schema 2 gains the feedback bucket
// and keeps what it held.
func TestFeedbackMigration(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	commit(t, db, &queue.Batch{Day: "2026-11-26", Puts: []queue.Put{ticketPut(ticket("2026-11-26", 1, "s", "a", queue.Done))}})
	db.Close()
	b, err := bolt.Open(filepath.Join(dir, storage.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("feedback")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint64(nil, 2))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	defer db.Close()
	commit(t, db, &queue.Batch{Puts: []queue.Put{feedbackPut("2026-11-26", 1, "")}})
	l := load(t, db)
	if len(l.Tickets) != 1 || !slices.Equal(l.Rated, []string{"20261126-1"}) {
		t.Errorf("after migrating: tickets %d, rated %v", len(l.Tickets), l.Rated)
	}
}
