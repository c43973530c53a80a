package storage

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// Reports' per-day summaries live in the bucket "reports", one record per
// business day keyed by the day ("2026-11-26"). They are derived data: the
// reports package makes them from a finished day's tickets and owns their
// encoding, which is opaque here. They are kept forever (a year is a few
// megabytes), also when retention drops the tickets they were made from
// or the archive takes them out of the database.

// ReportDays reads the stored summaries of the days from..to (inclusive;
// an empty bound is open) and calls fn, when not nil, with each in day
// order. The records are copied out of a short read transaction first, so
// fn may take its time without holding the database. It returns the days
// in the range that hold tickets but no summary, in order.
func (db *DB) ReportDays(from, to string, fn func(day string, rec []byte) error) (missing []string, err error) {
	type dayRec struct {
		day string
		rec []byte
	}
	var recs []dayRec
	within := func(k []byte) bool { return k != nil && (to == "" || string(k) <= to) }
	err = db.bolt.View(func(tx *bolt.Tx) error {
		have := map[string]bool{}
		c := tx.Bucket(bktReports).Cursor()
		for k, v := c.Seek([]byte(from)); within(k); k, v = c.Next() {
			have[string(k)] = true
			if fn != nil {
				recs = append(recs, dayRec{string(k), bytes.Clone(v)})
			}
		}
		days := tx.Bucket(bktTickets).Cursor()
		for k, v := days.Seek([]byte(from)); within(k); k, v = days.Next() {
			if v == nil && !have[string(k)] { // a day's bucket without a summary
				missing = append(missing, string(k))
			}
		}
		// An archived day without a summary (deleted, or of a format this
		// binary cannot read) is missing too: it is made again from the
		// archive file, never from the tickets the database no longer has.
		arch := tx.Bucket(bktArchive).Bucket(bktArchiveDays).Cursor()
		for k, v := arch.Seek([]byte(from)); within(k); k, v = arch.Next() {
			if have[string(k)] || !archivedKind(v, KindTickets) {
				continue
			}
			if i, found := slices.BinarySearch(missing, string(k)); !found {
				missing = slices.Insert(missing, i, string(k))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if err := fn(r.day, r.rec); err != nil {
			return nil, err
		}
	}
	return missing, nil
}

// PutReportDays stores summaries by day in one transaction; a nil record
// deletes the day's summary (it is then made again from the tickets).
func (db *DB) PutReportDays(recs map[string][]byte) error {
	for day := range recs {
		if _, err := time.Parse(queue.DateLayout, day); err != nil {
			return fmt.Errorf("storage: report summary for %q: not a day", day)
		}
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktReports)
		for day, rec := range recs {
			var err error
			if rec == nil {
				err = b.Delete([]byte(day))
			} else {
				err = b.Put([]byte(day), rec)
			}
			if err != nil {
				return fmt.Errorf("storage: report summary %s: %w", day, err)
			}
		}
		return nil
	})
}
