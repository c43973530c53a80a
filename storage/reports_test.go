package storage_test

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
	bolt "go.etcd.io/bbolt"
)

// reportDays reads the summaries of from..to as a map, with the days
// that lack one.
func reportDays(t *testing.T, db *storage.DB, from, to string) (map[string]string, []string) {
	t.Helper()
	got := map[string]string{}
	var order []string
	missing, err := db.ReportDays(from, to, func(day string, rec []byte) error {
		got[day] = string(rec)
		order = append(order, day)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.IsSorted(order) {
		t.Errorf("ReportDays(%q, %q) calls in the order %v, want day order", from, to, order)
	}
	return got, missing
}

// TestReportDays: summaries are kept by day, read by range in day order,
// deleted by a nil record, and the days holding tickets without one are
// reported missing. Retention drops tickets, never summaries.
func TestReportDays(t *testing.T) {
	db := open(t, t.TempDir())
	for _, day := range []string{"2026-01-30", "2026-01-31", "2026-02-01", "2026-02-03"} {
		commit(t, db, &queue.Batch{Day: day, Puts: []queue.Put{ticketPut(ticket(day, 1, "s", "a", queue.Done))}})
	}
	if err := db.PutReportDays(map[string][]byte{"2026-01-31": []byte("jan31"), "2026-02-02": []byte("feb02"), "2026-02-03": []byte("feb03")}); err != nil {
		t.Fatal(err)
	}
	got, missing := reportDays(t, db, "2026-01-30", "2026-02-03")
	equal(t, "summaries", got, map[string]string{"2026-01-31": "jan31", "2026-02-02": "feb02", "2026-02-03": "feb03"})
	equal(t, "missing", missing, []string{"2026-01-30", "2026-02-01"})

	got, missing = reportDays(t, db, "2026-01-31", "2026-02-02")
	equal(t, "summaries of a part", got, map[string]string{"2026-01-31": "jan31", "2026-02-02": "feb02"})
	equal(t, "missing of a part", missing, []string{"2026-02-01"})

	// Open bounds, and no callback: only what is missing.
	missing, err := db.ReportDays("", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "missing of all days", missing, []string{"2026-01-30", "2026-02-01"})

	// A nil record deletes; the day is then missing again.
	if err := db.PutReportDays(map[string][]byte{"2026-01-31": nil, "2026-01-30": []byte("jan30")}); err != nil {
		t.Fatal(err)
	}
	got, missing = reportDays(t, db, "", "2026-01-31")
	equal(t, "after a delete", got, map[string]string{"2026-01-30": "jan30"})
	equal(t, "missing after a delete", missing, []string{"2026-01-31"})

	// The callback's error ends the read.
	stop := errors.New("stop")
	if _, err := db.ReportDays("", "", func(string, []byte) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("ReportDays with a failing callback: %v", err)
	}

	if err := db.PutReportDays(map[string][]byte{"26-01-31": []byte("x")}); err == nil {
		t.Error("a summary keyed by a malformed day was stored")
	}

	// Retention: tickets go, summaries stay.
	if err := db.DropBefore("2026-03-01"); err != nil {
		t.Fatal(err)
	}
	got, missing = reportDays(t, db, "", "")
	equal(t, "summaries after retention", got, map[string]string{"2026-01-30": "jan30", "2026-02-02": "feb02", "2026-02-03": "feb03"})
	if len(missing) != 0 {
		t.Errorf("missing after retention dropped the tickets: %v", missing)
	}
}

// TestMigrateReports: a database of schema version 2 gains the reports
// bucket when opened.
func TestMigrateReports(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	commit(t, db, &queue.Batch{Day: "2026-11-26", Puts: []queue.Put{ticketPut(ticket("2026-11-26", 1, "s", "a", queue.Done))}})
	db.Close()
	b, err := bolt.Open(filepath.Join(dir, storage.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("reports")) }); err != nil {
		t.Fatal(err)
	}
	b.Close()
	setVersion(t, dir, 2)
	db = open(t, dir)
	_, missing := reportDays(t, db, "", "")
	equal(t, "missing after the migration", missing, []string{"2026-11-26"})
	if err := db.PutReportDays(map[string][]byte{"2026-11-26": []byte("x")}); err != nil {
		t.Fatal(err)
	}
}
