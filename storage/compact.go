package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt never gives disk space back: pages freed by deletes (archived
// days, purged records) are reused by later writes, but the file keeps
// its size. Compact copies every bucket, key and value into a fresh file
// with full pages (bbolt's own Compact), then puts it in place of the
// old one: written and synced under a temporary name in the data folder,
// then renamed over antrean.db, so that a crash at any point leaves
// either the old file or the new one, whole. A temporary file left by a
// crash is removed by the next Open or Compact.

// The names of the temporary files of compaction and backups in the data
// folder start so; a crash can leave one behind.
const (
	tempCompact = "." + FileName + ".compact-"
	tempBackup  = "." + FileName + ".backup-"
)

// CompactOptions tune Compact.
type CompactOptions struct {
	// BeforeRename, when set, is called when the new file is written and
	// synced, before it replaces the old one; an error stops there, as a
	// crash would (tests).
	BeforeRename func() error
}

// CompactResult gives the file's size before and after.
type CompactResult struct {
	Before, After int64
}

// Compact rewrites the database of the data folder dir into a fresh file
// without free pages. The folder must not be in use (ErrLocked).
func Compact(dir string, opts CompactOptions) (CompactResult, error) {
	path := filepath.Join(dir, FileName)
	src, err := openBolt(dir, path, &bolt.Options{})
	if err != nil {
		return CompactResult{}, err
	}
	defer src.Close()
	return compactOpen(dir, src, opts)
}

// compactOpen compacts the open database src of dir (whose lock it
// holds) into its place. src stays open; the caller closes it.
func compactOpen(dir string, src *bolt.DB, opts CompactOptions) (res CompactResult, err error) {
	path := filepath.Join(dir, FileName)
	if err := src.View(func(tx *bolt.Tx) error {
		v, err := readVersion(tx)
		if err != nil {
			return err
		}
		if v == 0 {
			return errors.New("not an antrean database (no schema version)")
		}
		res.Before = tx.Size()
		return checkVersion(v)
	}); err != nil {
		return res, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	removeTemps(dir)
	f, err := os.CreateTemp(dir, tempCompact+"*")
	if err != nil {
		return res, fmt.Errorf("storage: compact: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
			err = fmt.Errorf("storage: compact %s: %w", path, err)
		}
	}()
	// Synced once at the end rather than at each of Compact's commits.
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{NoSync: true, Timeout: time.Second})
	if err != nil {
		return res, err
	}
	if err = bolt.Compact(dst, src, 64<<20); err != nil {
		dst.Close()
		return res, err
	}
	dst.NoSync = false
	if err = dst.Sync(); err != nil {
		dst.Close()
		return res, err
	}
	if err = dst.Close(); err != nil {
		return res, err
	}
	if err = syncFile(tmp); err != nil {
		return res, err
	}
	if opts.BeforeRename != nil {
		if err = opts.BeforeRename(); err != nil {
			return res, err
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return res, err
	}
	syncDir(dir)
	if fi, err := os.Stat(path); err == nil {
		res.After = fi.Size()
	}
	return res, nil
}

// syncFile fsyncs a closed file.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// removeTemps removes the temporary files a crash left in the data folder.
func removeTemps(dir string) {
	for _, pat := range []string{tempCompact + "*", tempBackup + "*"} {
		names, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, n := range names {
			os.Remove(n)
		}
	}
}

// FreeShare reports how much of the open database's file is free pages
// (0 to 1), and the file's size.
func (db *DB) FreeShare() (float64, int64) {
	return freeShare(db.bolt)
}

func freeShare(b *bolt.DB) (float64, int64) {
	var size int64
	b.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	st := b.Stats()
	pages := size / int64(b.Info().PageSize)
	if pages == 0 {
		return 0, size
	}
	return float64(st.FreePageN+st.PendingPageN) / float64(pages), size
}

// mmapHeadroom is how much larger than the file Open maps it: bbolt
// remaps when the file outgrows its mapping, and a remap waits for every
// open read transaction (a backup being written, a long report). With a
// gibibyte of room a server remaps after its database has grown by that
// much, not at each doubling of a small file. The mapping is address
// space, not memory; only 64-bit systems have that to spare.
const mmapHeadroom = 1 << 30

func initialMmap(path string) int {
	if strconv.IntSize < 64 {
		return 0
	}
	var size int64
	if fi, err := os.Stat(path); err == nil {
		size = fi.Size()
	}
	return int(size) + mmapHeadroom
}
