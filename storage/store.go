package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// Load returns the configuration, sessions, idempotency records, the day
// the engine last lived in with that day's tickets in issue order, and the
// last event seq.
func (db *DB) Load() (*queue.Loaded, error) {
	l := &queue.Loaded{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		l.Day, l.Seq = string(meta.Get(keyDay)), getU64(meta.Get(keySeq))
		var err, errAt, errCalls error
		if v := tx.Bucket(bktSite).Get(keySite); v != nil {
			l.Site, err = decodePlain[queue.Site](v)
		}
		l.LastAt, errAt = lastEventTime(tx)
		l.AuditSeq = lastAuditSeq(tx)
		live := tx.Bucket(bktLive)
		if v := live.Get(keyRecentCalls); v != nil {
			l.RecentCalls, errCalls = decodePlain[queue.RecentCalls](v)
		}
		c := live.Cursor()
		for k, v := c.Seek([]byte(prefixServiceTimes)); k != nil && bytes.HasPrefix(k, []byte(prefixServiceTimes)); k, v = c.Next() {
			st, err := decodePlain[queue.ServiceTimes](v)
			if err != nil {
				return err
			}
			l.ServiceTimes = append(l.ServiceTimes, st)
		}
		for k, v := c.Seek([]byte(prefixPublishCursor)); k != nil && bytes.HasPrefix(k, []byte(prefixPublishCursor)); k, v = c.Next() {
			pc, err := decodePlain[queue.PublishCursor](v)
			if err != nil {
				return err
			}
			l.PublishCursors = append(l.PublishCursors, pc)
		}
		return errors.Join(err, errAt, errCalls,
			loadAll(tx.Bucket(bktAgencies), decodePlain[queue.Agency], &l.Agencies),
			loadAll(tx.Bucket(bktServices), decodePlain[queue.Service], &l.Services),
			loadAll(tx.Bucket(bktCounters), decodeCounter, &l.Counters),
			loadAll(tx.Bucket(bktUsers), decodeUser, &l.Users),
			loadAll(tx.Bucket(bktDevices), decodeDevice, &l.Devices),
			loadAll(tx.Bucket(bktSessions), decodePlain[queue.Session], &l.Sessions),
			loadAll(tx.Bucket(bktIdem), decodePlain[queue.IdemRecord], &l.Idem),
			loadAll(tx.Bucket(bktTickets).Bucket([]byte(l.Day)), decodeTicket, &l.Tickets),
			loadRated(tx, l),
			loadBookings(tx, l.Day, l),
			loadWebhooks(tx, l),
		)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// lastEventTime is the time of the last event stored (zero when none).
func lastEventTime(tx *bolt.Tx) (time.Time, error) {
	root := tx.Bucket(bktEvents)
	days := root.Cursor()
	for name, v := days.Last(); name != nil; name, v = days.Prev() {
		if v != nil {
			continue
		}
		if k, rec := root.Bucket(name).Cursor().Last(); k != nil {
			var e struct {
				At time.Time `json:"at"`
			}
			if err := json.Unmarshal(rec, &e); err != nil {
				return time.Time{}, fmt.Errorf("storage: decode event %d: %w", getU64(k), err)
			}
			return e.At, nil
		}
	}
	return time.Time{}, nil
}

// loadAll appends the decoded values of bucket b (nil: none) to dst in key
// order. Decoding copies: nothing returned points into the mmap.
func loadAll[T any](b *bolt.Bucket, dec func([]byte) (*T, error), dst *[]*T) error {
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil { // a nested bucket
			return nil
		}
		x, err := dec(v)
		if err != nil {
			return fmt.Errorf("%w (key %q)", err, k)
		}
		*dst = append(*dst, x)
		return nil
	})
}

// Commit writes the batch in one transaction: every Put (a nil Value
// deletes), every event under its business day, meta seq and meta day.
// Events must continue the stored seq without a gap. On any error nothing
// is written.
//
// An event is filed under its own day, or under the latest day that already
// holds events when its day is earlier (the clock went back): day buckets
// then keep seqs in order, which Events relies on.
func (db *DB) Commit(b *queue.Batch) error {
	if b == nil || len(b.Puts) == 0 && len(b.Events) == 0 && b.Day == "" {
		return nil
	}
	if _, ok := b.Encoded.(*encodedBatch); !ok && b.Encoded != nil {
		return fmt.Errorf("storage: batch encoded by another store (%T)", b.Encoded)
	}
	if err := db.Prepare(b); err != nil { // what is not encoded yet
		return err
	}
	if commitFault != nil {
		if fail, landed := commitFault(db.commits.Add(1)); fail {
			if landed {
				if err := db.commit(b); err != nil {
					return err
				}
			}
			return errInjected
		}
	}
	return db.commit(b)
}

// commit writes a prepared batch.
func (db *DB) commit(b *queue.Batch) error {
	enc := b.Encoded.(*encodedBatch)
	ops, events := enc.ops, enc.events
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		if len(b.Events) > 0 {
			if err := putEvents(tx, getU64(meta.Get(keySeq)), b.Events, events); err != nil {
				return err
			}
			if err := meta.Put(keySeq, u64(b.Events[len(b.Events)-1].Seq)); err != nil {
				return err
			}
		}
		if b.Day != "" {
			if err := meta.Put(keyDay, []byte(b.Day)); err != nil {
				return err
			}
		}
		for _, o := range ops {
			if err := o.apply(tx); err != nil {
				return fmt.Errorf("storage: write %s %q: %w", o.bucket, o.key, err)
			}
		}
		return nil
	})
}

// encodedBatch is a batch's records and events as they are stored.
type encodedBatch struct {
	ops    []op
	events [][]byte
}

// Prepare encodes the batch's records and events for Commit
// (queue.Preparer). It encodes only what an earlier Prepare of the same
// batch has not: the engine calls it as a group grows, so the encoding
// happens while the group before is being committed. On an error the
// records encoded so far are kept and the failing one is met again.
func (db *DB) Prepare(b *queue.Batch) error {
	enc, _ := b.Encoded.(*encodedBatch)
	if enc == nil {
		enc = &encodedBatch{}
		b.Encoded = enc
	}
	for _, p := range b.Puts[len(enc.ops):] {
		o, err := encodePut(p)
		if err != nil {
			return err
		}
		enc.ops = append(enc.ops, o)
	}
	for _, e := range b.Events[len(enc.events):] {
		raw, err := encodeEvent(e)
		if err != nil {
			return fmt.Errorf("storage: encode event %d: %w", e.Seq, err)
		}
		enc.events = append(enc.events, raw)
	}
	return nil
}

// apply writes or deletes the op's record.
func (o op) apply(tx *bolt.Tx) error {
	if o.fn != nil {
		return o.fn(tx)
	}
	b := tx.Bucket(o.bucket)
	if o.day != "" {
		if o.val == nil {
			if b = b.Bucket([]byte(o.day)); b == nil {
				return nil
			}
		} else {
			var err error
			if b, err = b.CreateBucketIfNotExists([]byte(o.day)); err != nil {
				return err
			}
			b.FillPercent = 0.9 // new tickets only ever go at the end
		}
	}
	if o.val == nil {
		return b.Delete(o.key)
	}
	return b.Put(o.key, o.val)
}

// putEvents stores encoded events after checking that they continue seq.
func putEvents(tx *bolt.Tx, seq uint64, evs []queue.Event, encoded [][]byte) error {
	root := tx.Bucket(bktEvents)
	latest, _ := root.Cursor().Last()
	floor := string(latest)
	var (
		day string
		b   *bolt.Bucket
	)
	for i, e := range evs {
		if e.Seq != seq+1 {
			return fmt.Errorf("storage: event seq %d does not follow the stored seq %d", e.Seq, seq)
		}
		seq = e.Seq
		if d := max(e.Day(), floor); d != day {
			var err error
			if b, err = root.CreateBucketIfNotExists([]byte(d)); err != nil {
				return err
			}
			b.FillPercent = 0.9 // keys only ever grow
			day, floor = d, d
		}
		if err := b.Put(u64(e.Seq), encoded[i]); err != nil {
			return err
		}
	}
	return nil
}

// Events returns up to limit (all when limit <= 0) events with seq > after,
// in order.
func (db *DB) Events(after uint64, limit int) ([]queue.Event, error) {
	var out []queue.Event
	err := db.bolt.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bktEvents)
		days := root.Cursor()
		for name, v := days.First(); name != nil; name, v = days.Next() {
			if v != nil {
				continue
			}
			c := root.Bucket(name).Cursor()
			if last, _ := c.Last(); last == nil || getU64(last) <= after {
				continue // the whole day is older
			}
			for k, v := c.Seek(u64(after + 1)); k != nil; k, v = c.Next() {
				if limit > 0 && len(out) >= limit {
					return nil
				}
				var e queue.Event
				if err := json.Unmarshal(v, &e); err != nil { // copies out of the mmap
					return fmt.Errorf("storage: decode event %d: %w", getU64(k), err)
				}
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// FirstSeq returns the lowest event seq still held, 0 when none.
func (db *DB) FirstSeq() (uint64, error) {
	var seq uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		root := tx.Bucket(bktEvents)
		return root.ForEachBucket(func(name []byte) error {
			if k, _ := root.Bucket(name).Cursor().First(); k != nil {
				seq = getU64(k)
				return errStop
			}
			return nil
		})
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return seq, err
}

// errStop ends a ForEach early.
var errStop = errors.New("stop")

// Ticket returns the ticket with the given ID of any day the database
// holds, or nil when there is none or the ID is malformed. Tickets of
// archived days are not looked up: their visitor pages answer "not
// found".
func (db *DB) Ticket(id string) (*queue.Ticket, error) {
	day, index, ok := queue.ParseTicketID(id)
	if !ok {
		return nil, nil
	}
	var t *queue.Ticket
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktTickets).Bucket([]byte(day))
		if b == nil {
			return nil
		}
		v := b.Get(u64(uint64(index)))
		if v == nil {
			return nil
		}
		var err error
		t, err = decodeTicket(v)
		return err
	})
	return t, err
}

// Tickets lists the tickets of f.Day in issue order that match the filter,
// starting after the ticket f.After (which must be of that day), at most
// f.Limit of them (all when 0). An archived day's come from the archive.
func (db *DB) Tickets(f queue.TicketFilter) ([]*queue.Ticket, error) {
	start := uint64(1)
	if f.After != "" {
		day, index, ok := queue.ParseTicketID(f.After)
		if !ok || day != f.Day {
			return nil, fmt.Errorf("storage: ticket listing of %s cannot start after %q", f.Day, f.After)
		}
		start = uint64(index) + 1
	}
	var out []*queue.Ticket
	live := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bktTickets).Bucket([]byte(f.Day))
		if b == nil {
			return nil
		}
		live = true
		c := b.Cursor()
		for k, v := c.Seek(u64(start)); k != nil && (f.Limit <= 0 || len(out) < f.Limit); k, v = c.Next() {
			t, err := decodeTicket(v)
			if err != nil {
				return fmt.Errorf("%w (ticket %s #%d)", err, f.Day, getU64(k))
			}
			if ticketMatches(t, f) {
				out = append(out, t)
			}
		}
		return nil
	})
	if err == nil && !live {
		// An archived day: from its archive file (reports remake a lost
		// summary from these; staff may list an old day).
		out, _, err = db.archivedTickets(f, start)
	}
	return out, err
}

// DropBefore deletes the tickets and events of the days before day.
func (db *DB) DropBefore(day string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bktTickets, bktEvents} {
			root := tx.Bucket(name)
			var old [][]byte
			c := root.Cursor()
			for k, _ := c.First(); k != nil && string(k) < day; k, _ = c.Next() {
				old = append(old, bytes.Clone(k))
			}
			for _, k := range old {
				if err := root.DeleteBucket(k); err != nil {
					return fmt.Errorf("storage: drop %s/%s: %w", name, k, err)
				}
			}
		}
		return nil
	})
}
