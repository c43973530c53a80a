// Package storage keeps Antrean's state in one bbolt file, antrean.db, in
// the data folder. It implements queue.Store and is the only package that
// imports bbolt.
//
// Layout: bucket meta (schema_version, day, seq), one bucket per kind of
// configuration record keyed by ID, tickets, events and survey responses
// in one nested bucket per business day ("2026-11-26") keyed by the 8-byte
// big-endian ticket index or event seq, and reports' per-day summaries
// keyed by day. Values are JSON, except the summaries, whose encoding is
// the reports package's. Days older than the archive window leave for
// compressed files in the folder archive beside the database (archive.go).
package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// FileName is the database file's name inside the data folder.
const FileName = "antrean.db"

// ErrLocked is matched (errors.Is) by the error of opening a data folder that
// another process uses.
var ErrLocked = errors.New("storage: data folder in use")

// ErrTooNew is matched by the error of opening a database written by a newer
// Antrean.
var ErrTooNew = errors.New("storage: database newer than this antrean")

// Options tune Open.
type Options struct {
	// LockTimeout is how long Open waits for another process to release the
	// file (1s when zero).
	LockTimeout time.Duration
	// ReadOnly opens without writing; the schema must be current.
	ReadOnly bool
	// NoSync skips fsync on commit. Only for tests that say so: a crash
	// loses or corrupts data.
	NoSync bool
	// CompactFree, when above 0, compacts the file at Open (Compact) when
	// at least this share of it is free pages and it is at least
	// CompactMinSize (64 MiB when 0) big.
	CompactFree    float64
	CompactMinSize int64
}

// DB is the bbolt store. It is safe for concurrent use; Commit is meant to
// be called by one writer (the engine).
type DB struct {
	bolt *bolt.DB
	path string
	// commits counts Commit calls, for commitFault.
	commits atomic.Int64
	// compacted tells what Open's compaction did (nil: none).
	compacted *CompactResult
}

var _ queue.Store = (*DB)(nil)

// Bucket and key names.
var (
	bktMeta     = []byte("meta")
	bktSite     = []byte("site")
	bktAgencies = []byte("agencies")
	bktServices = []byte("services")
	bktCounters = []byte("counters")
	bktUsers    = []byte("users")
	bktDevices  = []byte("devices")
	bktSessions = []byte("sessions")
	bktIdem     = []byte("idem")
	bktTickets  = []byte("tickets")
	bktEvents   = []byte("events")
	// bktLive holds the day's recent calls ("recent_calls") and each
	// service's recent service times ("service_times/ID"), and the
	// publishers' cursors ("publish_cursor/NAME").
	bktLive = []byte("live")
	// bktAudit holds the audit log by seq.
	bktAudit = []byte("audit")
	// bktFeedback holds the survey responses, one nested bucket per
	// business day keyed by the 8-byte ticket index (storage/feedback.go).
	bktFeedback = []byte("feedback")
	// bktReports holds the reports' per-day summaries by day (reports.go).
	bktReports = []byte("reports")

	keySchema = []byte("schema_version")
	keyDay    = []byte("day")
	keySeq    = []byte("seq")
	keySite   = []byte("site")

	keyRecentCalls     = []byte("recent_calls")
	prefixServiceTimes = "service_times/"
	// prefixPublishCursor keys the publishers' cursors in bktLive: no
	// migration, the bucket is there since schema 2.
	prefixPublishCursor = "publish_cursor/"
)

// migrations[i] migrates the schema from version i to i+1, inside the one
// write transaction that Open runs for all pending steps. Append only.
var migrations = []func(tx *bolt.Tx) error{
	// 0 → 1: the buckets.
	func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bktMeta, bktSite, bktAgencies, bktServices, bktCounters,
			bktUsers, bktDevices, bktSessions, bktIdem, bktTickets, bktEvents} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	},
	// 1 → 2: the live bucket. Tickets gain queue_seq and visits; those
	// stored before have neither, and queue makes them up on load.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bktLive)
		return err
	},
	// 2 → 3: the audit log.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bktAudit)
		return err
	},
	// 3 → 4: the survey responses (feedback), per business day.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bktFeedback)
		return err
	},
	// 4 → 5: online bookings, their dates and the site's secrets
	// (bookings.go).
	migrateBookings,
	// 5 → 6: the reports bucket of per-day summaries. Days stored before
	// have none; reports builds them from the tickets when first read.
	func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bktReports)
		return err
	},
	// 6 → 7: the webhooks and webhook_deliveries buckets (webhooks.go).
	migrateWebhooks,
	// 7 → 8: the archive's index (archive.go). An older antrean must not
	// open a database whose old days live in archive files it knows
	// nothing of.
	migrateArchive,
}

// SchemaVersion is the schema version this binary writes.
func SchemaVersion() uint64 { return uint64(len(migrations)) }

// Open opens (creating it and dir when needed) the database of the data
// folder dir and brings its schema up to date. It fails with ErrLocked when
// another process holds the folder and with ErrTooNew when a newer Antrean
// wrote it.
func Open(dir string, opts Options) (*DB, error) {
	if !opts.ReadOnly {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	path := filepath.Join(dir, FileName)
	bo := func() *bolt.Options {
		return &bolt.Options{Timeout: opts.LockTimeout, ReadOnly: opts.ReadOnly, NoSync: opts.NoSync}
	}
	bdb, err := openBolt(dir, path, bo())
	if err != nil {
		return nil, err
	}
	if err := migrate(bdb, opts.ReadOnly); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("storage: %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path}
	if opts.ReadOnly {
		return db, nil
	}
	removeTemps(dir) // left by a crash during a compaction or backup
	minSize := opts.CompactMinSize
	if minSize <= 0 {
		minSize = 64 << 20
	}
	if free, size := freeShare(bdb); opts.CompactFree > 0 && free >= opts.CompactFree && size >= minSize {
		res, err := compactOpen(dir, bdb, CompactOptions{})
		bdb.Close() // the old file, compacted or not
		if err != nil {
			return nil, err
		}
		if bdb, err = openBolt(dir, path, bo()); err != nil {
			return nil, err
		}
		db.bolt, db.compacted = bdb, &res
	}
	return db, nil
}

// Compacted tells what Open's compaction did: nil when it did none.
func (db *DB) Compacted() *CompactResult { return db.compacted }

// openBolt opens a bbolt file with a lock timeout (1s by default) and turns
// a lock timeout into the ErrLocked message.
func openBolt(dir, path string, o *bolt.Options) (*bolt.DB, error) {
	if o.Timeout <= 0 {
		o.Timeout = time.Second
	}
	if !o.ReadOnly {
		o.InitialMmapSize = initialMmap(path)
	}
	bdb, err := bolt.Open(path, 0o600, o)
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, lockedError(dir)
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("storage: no database in %s (%s is missing)", dir, FileName)
	case err != nil:
		return nil, fmt.Errorf("storage: open %s: %w", path, err)
	}
	return bdb, nil
}

// sentinelError carries a full message and matches a sentinel with
// errors.Is.
type sentinelError struct {
	msg      string
	sentinel error
}

func (e *sentinelError) Error() string { return e.msg }
func (e *sentinelError) Unwrap() error { return e.sentinel }

func lockedError(dir string) error {
	return &sentinelError{sentinel: ErrLocked, msg: fmt.Sprintf(
		"storage: the data folder %s is in use by another antrean process (stop it, or use GET /api/v1/backup on the running server)", dir)}
}

// readVersion returns the schema version; 0 when the meta bucket is missing.
func readVersion(tx *bolt.Tx) (uint64, error) {
	b := tx.Bucket(bktMeta)
	if b == nil {
		return 0, nil
	}
	v := b.Get(keySchema)
	if v == nil {
		return 0, nil
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("bad schema_version %x", v)
	}
	return binary.BigEndian.Uint64(v), nil
}

// checkVersion refuses versions newer than the binary's.
func checkVersion(v uint64) error {
	if v > SchemaVersion() {
		return &sentinelError{sentinel: ErrTooNew, msg: fmt.Sprintf(
			"database schema version %d is newer than this antrean knows (%d): run a newer antrean, or restore a backup made by this version",
			v, SchemaVersion())}
	}
	return nil
}

// migrate runs the pending migrations in one write transaction.
func migrate(bdb *bolt.DB, readOnly bool) error {
	var v uint64
	err := bdb.View(func(tx *bolt.Tx) (err error) {
		v, err = readVersion(tx)
		return err
	})
	if err != nil {
		return err
	}
	if err := checkVersion(v); err != nil || v == SchemaVersion() {
		return err
	}
	if readOnly {
		return fmt.Errorf("schema version %d needs migrating to %d: open it once without read-only", v, SchemaVersion())
	}
	return bdb.Update(func(tx *bolt.Tx) error {
		v, err := readVersion(tx) // again, inside the write lock
		if err != nil {
			return err
		}
		if err := checkVersion(v); err != nil {
			return err
		}
		for ; v < SchemaVersion(); v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate %d to %d: %w", v, v+1, err)
			}
		}
		meta, err := tx.CreateBucketIfNotExists(bktMeta)
		if err != nil {
			return err
		}
		return meta.Put(keySchema, u64(v))
	})
}

// Path returns the database file's path.
func (db *DB) Path() string { return db.path }

// Close closes the database; it waits for open transactions to end.
func (db *DB) Close() error { return db.bolt.Close() }

// u64 encodes n as an 8-byte big-endian key.
func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// getU64 decodes an 8-byte big-endian value; nil or malformed gives 0.
func getU64(b []byte) uint64 {
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}
