package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// The region server's database (antrean region --data DIR) is its own
// file, region.db, beside nothing else: per-site aggregates made from the
// sites' event streams, and the region's own users. Package region owns
// its layout and encoding; this is the bbolt side of it — named buckets
// of sorted keys, one write transaction (one fsync) per Commit, reads in
// read transactions — so that storage stays the only bbolt importer.

// RegionFileName is the region database's file in its data folder.
const RegionFileName = "region.db"

// regionSchema is the region file's schema version (meta/schema_version).
const regionSchema = 1

// RegionBuckets are the region database's buckets.
var RegionBuckets = []string{"sites", "names", "counters", "tracks", "days", "ikm", "users", "sessions"}

// RegionDB is the region server's database.
type RegionDB struct {
	bolt *bolt.DB
	path string
}

// OpenRegion opens (creating it and dir when needed) the region database
// in dir. A second process on the folder fails with ErrLocked.
func OpenRegion(dir string, opts Options) (*RegionDB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	path := filepath.Join(dir, RegionFileName)
	bdb, err := openBolt(dir, path, &bolt.Options{Timeout: opts.LockTimeout, NoSync: opts.NoSync})
	if err != nil {
		return nil, err
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bktMeta)
		if err != nil {
			return err
		}
		if v := meta.Get(keySchema); v != nil {
			if len(v) != 8 {
				return fmt.Errorf("bad schema_version %x", v)
			}
			if n := binary.BigEndian.Uint64(v); n > regionSchema {
				return &sentinelError{sentinel: ErrTooNew, msg: fmt.Sprintf(
					"region database schema version %d is newer than this antrean knows (%d)", n, regionSchema)}
			}
		}
		for _, name := range RegionBuckets {
			if _, err := tx.CreateBucketIfNotExists([]byte(name)); err != nil {
				return err
			}
		}
		return meta.Put(keySchema, u64(regionSchema))
	})
	if err != nil {
		bdb.Close()
		return nil, fmt.Errorf("storage: %s: %w", path, err)
	}
	return &RegionDB{bolt: bdb, path: path}, nil
}

// Update runs fn in one write transaction (one fsync); fn puts and
// deletes (value nil) through put. An error from fn or put rolls it all
// back.
func (db *RegionDB) Update(fn func(put func(bucket string, key, value []byte) error) error) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return fn(func(bucket string, key, value []byte) error {
			b := tx.Bucket([]byte(bucket))
			if b == nil {
				return fmt.Errorf("storage: region bucket %q does not exist", bucket)
			}
			var err error
			if value == nil {
				err = b.Delete(key)
			} else {
				err = b.Put(key, value)
			}
			if err != nil {
				return fmt.Errorf("storage: region %s %q: %w", bucket, key, err)
			}
			return nil
		})
	})
}

// Get returns a copy of one value, nil when there is none.
func (db *RegionDB) Get(bucket string, key []byte) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return fmt.Errorf("storage: region bucket %q does not exist", bucket)
		}
		if v := b.Get(key); v != nil {
			out = bytes.Clone(v)
		}
		return nil
	})
	return out, err
}

// Scan calls fn with each key in [from, to) of a bucket, in order (from
// nil: the first; to nil: the last). k and v are valid during fn only:
// fn copies what it keeps, and must be quick (it runs in a read
// transaction).
func (db *RegionDB) Scan(bucket string, from, to []byte, fn func(k, v []byte) error) error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return fmt.Errorf("storage: region bucket %q does not exist", bucket)
		}
		c := b.Cursor()
		var k, v []byte
		if from == nil {
			k, v = c.First()
		} else {
			k, v = c.Seek(from)
		}
		for ; k != nil && (to == nil || bytes.Compare(k, to) < 0); k, v = c.Next() {
			if err := fn(k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close closes the database.
func (db *RegionDB) Close() error { return db.bolt.Close() }

// Path is the database file's path.
func (db *RegionDB) Path() string { return db.path }
