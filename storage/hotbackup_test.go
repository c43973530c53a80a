package storage_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// pausedClient is a download client that takes the first bytes of a
// backup and then reads no more until released: a slow phone, a
// stalled link.
type pausedClient struct {
	once    sync.Once
	started chan struct{} // closed at the first Write
	release chan struct{} // the client reads on once closed
	buf     bytes.Buffer
}

func (c *pausedClient) Write(p []byte) (int, error) {
	c.once.Do(func() {
		close(c.started)
		<-c.release
	})
	return c.buf.Write(p)
}

// TestHotBackupDoesNotHoldCommits: while a client has taken only the
// first bytes of a hot backup (Backup, what GET /api/v1/backup streams),
// commits go on — many of them, growing the file well past its size when
// the backup began — and the backup, once read to the end, is the
// database as it was when it began: sound, restorable, without what was
// committed meanwhile. Ordering only: the commits happen on this
// goroutine while the backup's goroutine is parked in its client's
// Write; were they held by the backup, the test would never get past
// them.
func TestHotBackupDoesNotHoldCommits(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	days := archiveWorld(t, db, 10)
	want := dump(t, db, days[0], days[len(days)-1])
	before := fileSize(t, filepath.Join(dir, storage.FileName))

	client := &pausedClient{started: make(chan struct{}), release: make(chan struct{})}
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := db.Backup(client)
		done <- result{n, err}
	}()
	<-client.started

	// A busy day's worth of commits, each its own transaction, while the
	// client reads nothing.
	const later = "2026-12-01"
	for i := range 200 {
		b := &queue.Batch{Day: later}
		for k := range 20 {
			tk := ticket(later, i*20+k+1, "s", "a", queue.Waiting)
			tk.Number = strings.Repeat("N", 6000) // fat records: the file must grow
			b.Puts = append(b.Puts, ticketPut(tk))
		}
		commit(t, db, b)
	}
	grown := fileSize(t, filepath.Join(dir, storage.FileName))
	if grown < before+2<<20 {
		t.Fatalf("the commits grew the file from %d to %d bytes only: the test proves nothing", before, grown)
	}
	select {
	case r := <-done:
		t.Fatalf("the backup ended (%d bytes, %v) before its client read it", r.n, r.err)
	default:
	}

	close(client.release)
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.n != int64(client.buf.Len()) || r.n >= grown {
		t.Errorf("backup answered %d bytes, the client got %d; the file is %d now", r.n, client.buf.Len(), grown)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) > 0 {
		t.Errorf("files left in the data folder: %v", m)
	}

	// The copy restores into a new folder and reads as the database did
	// when the backup began: none of the later day's tickets.
	file := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(file, client.buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), "restored")
	if err := storage.RestoreFile(fresh, file); err != nil {
		t.Fatal(err)
	}
	rdb := open(t, fresh)
	if got := dump(t, rdb, days[0], days[len(days)-1]); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the restored copy reads differently from the database when the backup began")
	}
	var buf bytes.Buffer
	if n, err := rdb.Export(&buf, storage.KindTickets, later, later); err != nil || n != 0 {
		t.Errorf("the copy holds %d tickets of %s, committed after the backup began (%v)", n, later, err)
	}
	// And the live database holds them all.
	buf.Reset()
	if n, err := db.Export(&buf, storage.KindTickets, later, later); err != nil || n != 200*20 {
		t.Errorf("the live database holds %d tickets of %s, want %d (%v)", n, later, 200*20, err)
	}
}
