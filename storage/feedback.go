package storage

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// Survey responses live in bucket feedback, one nested bucket per business
// day keyed by the ticket's 8-byte index: a report over a range of days
// seeks to the first day and walks the days in order, and the engine
// learns which of today's tickets were rated from the keys of one bucket.
// The engine writes them (queue.KindFeedback) in its commits; the purge of
// their personal parts is a write of its own, on days the engine no
// longer writes (only today's tickets can be rated).

// keyFeedbackPurged in meta is the day before which the responses have no
// profile or comment left, so a purge starts there instead of at the
// first day.
var keyFeedbackPurged = []byte("feedback_purged_before")

// loadRated lists the tickets of l.Day that have a response.
func loadRated(tx *bolt.Tx, l *queue.Loaded) error {
	b := tx.Bucket(bktFeedback).Bucket([]byte(l.Day))
	if b == nil || l.Day == "" {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		if v != nil && len(k) == 8 {
			l.Rated = append(l.Rated, queue.TicketID(l.Day, int(getU64(k))))
		}
		return nil
	})
}

// Feedback calls fn with each response of the days from..to (inclusive),
// by day, then by ticket: the archived days' from the archive files
// first (they are older), then the database's. Each response is decoded
// afresh: fn may keep it.
func (db *DB) Feedback(from, to string, fn func(*queue.Feedback) error) error {
	days, parts, err := db.archivedParts(KindFeedback, from, to)
	if err != nil {
		return err
	}
	for _, day := range days {
		err := db.readParts(parts[day], func(rec []byte) error {
			f, err := decodePlain[queue.Feedback](rec)
			if err != nil {
				return fmt.Errorf("%w (archived feedback of %s)", err, day)
			}
			return fn(f)
		})
		if err != nil {
			return err
		}
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bktFeedback)
		days := root.Cursor()
		for day, v := days.Seek([]byte(from)); day != nil && string(day) <= to; day, v = days.Next() {
			if v != nil {
				continue
			}
			err := root.Bucket(day).ForEach(func(k, v []byte) error {
				f, err := decodePlain[queue.Feedback](v)
				if err != nil {
					return fmt.Errorf("%w (feedback %s #%d)", err, day, getU64(k))
				}
				return fn(f)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// PurgeFeedback removes the profile and the comment of every response of
// the days before the given day, in one write transaction, and answers how
// many responses it changed. It remembers how far it got, so the next
// purge reads only the days after.
func (db *DB) PurgeFeedback(before string) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		done := string(meta.Get(keyFeedbackPurged))
		if before <= done {
			return nil
		}
		root := tx.Bucket(bktFeedback)
		days := root.Cursor()
		for day, v := days.Seek([]byte(done)); day != nil && string(day) < before; day, v = days.Next() {
			if v != nil {
				continue
			}
			b := root.Bucket(day)
			var keys, vals [][]byte
			err := b.ForEach(func(k, v []byte) error {
				f, err := decodePlain[queue.Feedback](v)
				if err != nil {
					return fmt.Errorf("%w (feedback %s #%d)", err, day, getU64(k))
				}
				if !f.Personal() {
					return nil
				}
				f.Profile, f.Comment = nil, ""
				raw, err := json.Marshal(f)
				if err != nil {
					return err
				}
				keys, vals = append(keys, bytes.Clone(k)), append(vals, raw)
				return nil
			})
			if err != nil {
				return err
			}
			// Puts after the walk: a bucket must not change under ForEach.
			for i, k := range keys {
				if err := b.Put(k, vals[i]); err != nil {
					return err
				}
			}
			n += len(keys)
		}
		return meta.Put(keyFeedbackPurged, []byte(before))
	})
	if err != nil {
		return 0, fmt.Errorf("storage: purge feedback: %w", err)
	}
	return n, nil
}
