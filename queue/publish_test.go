package queue_test

import (
	"context"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// A publisher's cursor survives a restart, never moves back, emits no
// event and cannot pass the last committed event.
func TestPublishCursor(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 31, 23, 59, 30, 0, time.UTC) // a year's last minute
	open := func() (*storage.DB, *queue.Engine) {
		db, err := storage.Open(dir, storage.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		eng, err := queue.Open(db, queue.Options{Clock: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return db, eng
	}
	db, eng := open()
	ctx := context.Background()
	if _, err := eng.Apply(ctx, now, queue.PutAgency{Agency: &queue.Agency{ID: "ag", Code: "AG", Name: "Agency"}, Create: true}); err != nil {
		t.Fatal(err)
	}
	seq := eng.State().Seq
	if _, err := eng.Apply(ctx, now, queue.AdvancePublishCursor{Name: "nats", Seq: seq + 1}); queue.ErrorCode(err) != queue.EInvalid {
		t.Fatalf("past the last event: %v", err)
	}
	if _, err := eng.Apply(ctx, now, queue.AdvancePublishCursor{Name: "nats", Seq: seq}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Apply(ctx, now, queue.AdvancePublishCursor{Name: "nats", Seq: seq - 1}); err != nil {
		t.Fatal(err)
	}
	if got := eng.State().PublishCursor("nats"); got != seq {
		t.Fatalf("cursor %d, want %d (never back)", got, seq)
	}
	if eng.State().Seq != seq {
		t.Fatal("advancing the cursor emitted an event")
	}
	eng.Close()
	db.Close()
	db, eng = open()
	defer db.Close()
	defer eng.Close()
	if got := eng.State().PublishCursor("nats"); got != seq {
		t.Fatalf("after a restart the cursor is %d, want %d", got, seq)
	}
}
