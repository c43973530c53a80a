package storage

import (
	"encoding/json"
	"fmt"

	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// The audit log: bucket audit, keyed by the entry's 8-byte big-endian
// seq. The engine's time never goes back, so seq order is time order and
// a listing by time is a walk down the keys that stops at From.

// auditRec adds the hidden seq to an entry's JSON.
type auditRec struct {
	*queue.AuditEntry
	Seq uint64 `json:"seq"`
}

func decodeAudit(b []byte) (*queue.AuditEntry, error) {
	r := auditRec{AuditEntry: new(queue.AuditEntry)}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("storage: decode audit entry: %w", err)
	}
	r.AuditEntry.Seq = r.Seq
	return r.AuditEntry, nil
}

func encodeAudit(p queue.Put) (op, error) {
	e, ok := p.Value.(*queue.AuditEntry)
	if !ok || e == nil || e.Seq == 0 {
		return op{}, fmt.Errorf("storage: audit %q: value is %T, want a numbered *queue.AuditEntry", p.ID, p.Value)
	}
	b, err := json.Marshal(auditRec{e, e.Seq})
	if err != nil {
		return op{}, fmt.Errorf("storage: encode audit %q: %w", p.ID, err)
	}
	return op{bucket: bktAudit, key: u64(e.Seq), val: b}, nil
}

// lastAuditSeq is the seq of the newest entry (0 when none).
func lastAuditSeq(tx *bolt.Tx) uint64 {
	k, _ := tx.Bucket(bktAudit).Cursor().Last()
	return getU64(k)
}

// Audit lists the entries that match f, newest first, at most f.Limit (all
// when 0).
func (db *DB) Audit(f queue.AuditFilter) ([]*queue.AuditEntry, error) {
	var out []*queue.AuditEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bktAudit).Cursor()
		var k, v []byte
		if f.Before > 0 {
			k, v = c.Seek(u64(f.Before))
			if k == nil {
				k, v = c.Last()
			}
			for k != nil && getU64(k) >= f.Before {
				k, v = c.Prev()
			}
		} else {
			k, v = c.Last()
		}
		for ; k != nil && getU64(k) > f.After && (f.Limit <= 0 || len(out) < f.Limit); k, v = c.Prev() {
			e, err := decodeAudit(v)
			if err != nil {
				return err
			}
			if !f.From.IsZero() && e.At.Before(f.From) {
				return nil // older entries are older still
			}
			if !f.To.IsZero() && !e.At.Before(f.To) {
				continue
			}
			if (f.ActorID == "" || e.Actor.ID == f.ActorID) && (f.Action == "" || e.Action == f.Action) {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}
