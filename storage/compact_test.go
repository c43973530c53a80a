package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
	bolt "go.etcd.io/bbolt"
)

// fullDump walks every bucket of the database file of dir, nested ones
// included, with their sequences, keys and values.
func fullDump(t *testing.T, dir string) string {
	t.Helper()
	b, err := bolt.Open(filepath.Join(dir, storage.FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var sb strings.Builder
	var walk func(path string, bk *bolt.Bucket)
	walk = func(path string, bk *bolt.Bucket) {
		fmt.Fprintf(&sb, "bucket %s seq %d\n", path, bk.Sequence())
		bk.ForEach(func(k, v []byte) error {
			if v == nil {
				walk(path+"/"+string(k), bk.Bucket(k))
			} else {
				fmt.Fprintf(&sb, "%s %x=%x\n", path, k, v)
			}
			return nil
		})
	}
	b.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			walk(string(name), bk)
			return nil
		})
	})
	return sb.String()
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// bigWorld makes a database with many free pages: 60 days, most of them
// archived.
func bigWorld(t *testing.T, dir string) {
	t.Helper()
	db := open(t, dir)
	days := archiveWorld(t, db, 60)
	// Fatten the days so that archiving frees many pages.
	for _, d := range days[:50] {
		var puts []queue.Put
		for k := 4; k < 200; k++ {
			tk := ticket(d, k, "s", "a", queue.Done)
			tk.Number = strings.Repeat("N", 200)
			puts = append(puts, ticketPut(tk))
		}
		commit(t, db, &queue.Batch{Puts: puts})
	}
	archive(t, db, days[50], storage.ArchiveOptions{Level: zstd.SpeedFastest}) // quick: the test compacts, the level is not its subject
	db.Close()
}

// TestCompactKeepsEveryRecord: compaction gives back the free pages and
// keeps every bucket, key, value and sequence; the archive still reads.
func TestCompactKeepsEveryRecord(t *testing.T) {
	dir := t.TempDir()
	bigWorld(t, dir)
	before := fullDump(t, dir)
	db := open(t, dir)
	exports := dump(t, db, "2026-01-01", "2026-12-31")
	free, size := db.FreeShare()
	db.Close()
	t.Logf("before: %d KiB, %.0f%% free", size>>10, free*100)
	if free < 0.5 {
		t.Fatalf("the test database is only %.0f%% free pages", free*100)
	}
	res, err := storage.Compact(dir, storage.CompactOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compact: %d KiB → %d KiB", res.Before>>10, res.After>>10)
	if res.After >= res.Before || res.After != fileSize(t, filepath.Join(dir, storage.FileName)) {
		t.Errorf("compact: %+v", res)
	}
	if after := fullDump(t, dir); after != before {
		t.Errorf("the compacted database differs (%d bytes of dump, %d before)", len(after), len(before))
	}
	db = open(t, dir)
	if got := dump(t, db, "2026-01-01", "2026-12-31"); fmt.Sprint(got) != fmt.Sprint(exports) {
		t.Error("exports differ after compaction")
	}
	// It goes on working: a commit after compaction.
	commit(t, db, &queue.Batch{Events: []queue.Event{event(181, "2026-10-27")}})
	db.Close()
	if _, err := storage.Compact(t.TempDir(), storage.CompactOptions{}); err == nil {
		t.Error("Compact of an empty folder succeeded")
	}
}

// TestCompactCrash: a compaction that stops before its rename (a crash)
// leaves the database as it was, and the next Open removes the
// temporary file a real crash would leave.
func TestCompactCrash(t *testing.T) {
	dir := t.TempDir()
	bigWorld(t, dir)
	path := filepath.Join(dir, storage.FileName)
	raw, _ := os.ReadFile(path)
	crash := errors.New("power cut")
	if _, err := storage.Compact(dir, storage.CompactOptions{BeforeRename: func() error { return crash }}); !errors.Is(err, crash) {
		t.Fatalf("Compact: %v", err)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, raw) {
		t.Error("a compaction stopped before its rename changed the database")
	}
	left := filepath.Join(dir, ".antrean.db.compact-123")
	os.WriteFile(left, []byte("half a file"), 0o600)
	open(t, dir).Close()
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open left a crashed compaction's file: %v", err)
	}
	// In use: refused.
	db := open(t, dir)
	if _, err := storage.Compact(dir, storage.CompactOptions{}); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("Compact of a folder in use: %v", err)
	}
	db.Close()
}

// TestCompactAtOpen: Open compacts when free pages pass the share asked
// for, and not otherwise.
func TestCompactAtOpen(t *testing.T) {
	dir := t.TempDir()
	bigWorld(t, dir)
	before := fullDump(t, dir)
	db, err := storage.Open(dir, storage.Options{CompactFree: 0.99, CompactMinSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	if db.Compacted() != nil {
		t.Error("compacted below the share")
	}
	db.Close()
	db, err = storage.Open(dir, storage.Options{CompactFree: 0.3, CompactMinSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := db.Compacted()
	if c == nil || c.After >= c.Before {
		t.Fatalf("Open did not compact: %+v", c)
	}
	commit(t, db, &queue.Batch{Events: []queue.Event{event(181, "2026-10-27")}})
	db.Close()
	// Everything there was, plus the event committed after.
	after := fullDump(t, dir)
	for _, line := range strings.Split(before, "\n") {
		if !strings.HasPrefix(line, "meta ") && !strings.Contains(after, line) {
			t.Errorf("lost at Open's compaction: %q", line)
			break
		}
	}
}

// TestBackupTo: a scheduled backup is a database copy plus the archive
// files it names, in a folder they share; a restore of it into a new
// data folder brings the archive along and reads the same.
func TestBackupTo(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	days := archiveWorld(t, db, 10)
	archive(t, db, days[4], storage.ArchiveOptions{})
	want := dump(t, db, days[0], days[9])
	backups := t.TempDir()
	info, err := db.BackupTo(backups, "antrean-1.db")
	if err != nil {
		t.Fatal(err)
	}
	if info.ArchiveFiles != 3 || info.Size != fileSize(t, info.Path) {
		t.Errorf("first backup: %+v", info)
	}
	// The second copies only what grew.
	archive(t, db, days[6], storage.ArchiveOptions{})
	info, err = db.BackupTo(backups, "antrean-2.db")
	if err != nil {
		t.Fatal(err)
	}
	if info.ArchiveFiles != 3 { // September's tickets, events, audit
		t.Errorf("second backup copied %d archive files, want 3", info.ArchiveFiles)
	}
	if m, _ := filepath.Glob(filepath.Join(backups, ".*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
	db.Close()
	for _, name := range []string{"antrean-1.db", "antrean-2.db"} {
		fresh := filepath.Join(t.TempDir(), "restored")
		if err := storage.RestoreFile(fresh, filepath.Join(backups, name)); err != nil {
			t.Fatal(err)
		}
		if p, err := storage.ArchiveProblems(fresh); err != nil || len(p) > 0 {
			t.Errorf("%s: archive problems %v, %v", name, p, err)
		}
		r := open(t, fresh)
		if got := dump(t, r, days[0], days[9]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s restored reads differently", name)
		}
		// The older copy archives its later days again, once.
		archive(t, r, days[6], storage.ArchiveOptions{})
		if got := dump(t, r, days[0], days[9]); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s restored and archived again reads differently", name)
		}
		r.Close()
	}
	// A copy restored without its archive folder says what is missing.
	alone := filepath.Join(t.TempDir(), "alone.db")
	raw, _ := os.ReadFile(filepath.Join(backups, "antrean-1.db"))
	os.WriteFile(alone, raw, 0o600)
	fresh := filepath.Join(t.TempDir(), "restored")
	if err := storage.RestoreFile(fresh, alone); err != nil {
		t.Fatal(err)
	}
	if p, err := storage.ArchiveProblems(fresh); err != nil || len(p) != 3 {
		t.Errorf("archive problems of a copy without its archive: %v, %v", p, err)
	}
}

// TestBackupLeavesNothing: the hot backup's temporary file is gone once
// it is done.
func TestBackupLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	threeDays(t, db)
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*")); len(m) > 0 {
		t.Errorf("files left in the data folder: %v", m)
	}
}
