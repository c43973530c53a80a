package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// BackupFile writes a consistent copy of the database of the data folder
// dir to file (mode 0600), for a server that is stopped. It fails with
// ErrLocked while a server uses the folder.
func BackupFile(dir, file string) error {
	src, err := openBolt(dir, filepath.Join(dir, FileName), &bolt.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer src.Close()
	return src.View(func(tx *bolt.Tx) error {
		return writeFileAtomic(file, tx)
	})
}

// RestoreFile puts the backup file in place as the database of the data
// folder dir, after checking that it is a sound database this Antrean can
// open (any schema version up to its own). It fails with ErrLocked while a
// process uses the folder, and replaces the old database atomically.
func RestoreFile(dir, file string) error {
	path := filepath.Join(dir, FileName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	if old, err := os.Stat(path); err == nil {
		if os.SameFile(fi, old) {
			return fmt.Errorf("storage: restore: %s is the database of %s itself", file, dir)
		}
		// Hold the folder's lock until the new file is in place. A file
		// too damaged to open is replaced without it: no server can be
		// using it.
		lock, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
		if errors.Is(err, berrors.ErrTimeout) {
			return lockedError(dir)
		}
		if err == nil {
			defer lock.Close()
		}
	}
	src, err := bolt.Open(file, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("storage: restore: %s is not an antrean database: %w", file, err)
	}
	defer src.Close()
	return src.View(func(tx *bolt.Tx) error {
		if err := verify(tx); err != nil {
			return fmt.Errorf("storage: restore: %s: %w", file, err)
		}
		// A scheduled backup's folder holds the archive files beside its
		// copies (BackupTo): bring the data folder's up to what this copy
		// names, before the copy is in place.
		if b := tx.Bucket(bktArchive); b != nil {
			lengths := map[string]int64{}
			b.Bucket(bktArchiveFiles).ForEach(func(k, v []byte) error {
				lengths[string(k)] = int64(getU64(v))
				return nil
			})
			from := filepath.Join(filepath.Dir(file), ArchiveDir)
			have := map[string]int64{}
			for name := range lengths {
				if fi, err := os.Stat(filepath.Join(from, name)); err == nil {
					have[name] = min(fi.Size(), lengths[name])
				}
			}
			if _, _, err := copyArchive(from, filepath.Join(dir, ArchiveDir), have); err != nil {
				return fmt.Errorf("storage: restore: %w", err)
			}
		}
		return writeFileAtomic(path, tx)
	})
}

// verify checks that tx's database is an Antrean database of a schema this
// binary can open, and that bbolt finds no damage in it.
func verify(tx *bolt.Tx) error {
	v, err := readVersion(tx)
	if err != nil {
		return err
	}
	if v == 0 {
		return errors.New("not an antrean database (no schema version)")
	}
	if err := checkVersion(v); err != nil {
		return err
	}
	var errs []error
	for err := range tx.Check() { // drain: Check's goroutine sends them all
		if len(errs) < 5 {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("damaged database: %w", errors.Join(errs...))
	}
	return nil
}

// writeFileAtomic writes a copy of tx's database to path through a temporary
// file in the same folder: written, synced, then renamed over path.
func writeFileAtomic(path string, tx io.WriterTo) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("storage: write %s: %w", path, err)
		}
	}()
	if _, err = tx.WriteTo(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil { // make the rename durable (best effort)
		d.Sync()
		d.Close()
	}
	return nil
}

// Backup writes a consistent copy of the database to w while it serves,
// and returns the bytes written.
//
// A bbolt write that grows the file past its mapping waits for every
// open read transaction, and a copy streamed to a slow client from one
// read transaction would hold it for the whole download (and keep the
// pages freed meanwhile from reuse, growing the file). So the copy is
// first written to a temporary file in the data folder, as fast as the
// local disk takes it, and the read transaction ends; then that file is
// streamed to w at w's pace. The file is unlinked at once where the
// system allows (it lives while open; a crash leaves nothing), else
// removed after. When the data folder lacks the room for it, the copy is
// streamed from the read transaction as before (the mapping's headroom,
// mmapHeadroom, still keeps commits from waiting on it).
func (db *DB) Backup(w io.Writer) (int64, error) {
	dir := filepath.Dir(db.path)
	var size int64
	db.bolt.View(func(tx *bolt.Tx) error { size = tx.Size(); return nil })
	if enoughSpace(dir, size) {
		if n, ok, err := db.backupViaFile(dir, w); ok {
			return n, err
		}
	}
	return db.BackupStream(w)
}

// BackupStream is Backup without the temporary file: the copy streams to
// w from one read transaction, which lasts as long as w takes it.
func (db *DB) BackupStream(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// backupViaFile is Backup through a temporary file; ok is false when
// nothing was written to w and the caller may stream instead.
func (db *DB) backupViaFile(dir string, w io.Writer) (n int64, ok bool, err error) {
	f, err := os.CreateTemp(dir, tempBackup+"*")
	if err != nil {
		return 0, false, nil
	}
	unlinked := os.Remove(f.Name()) == nil
	defer func() {
		f.Close()
		if !unlinked {
			os.Remove(f.Name())
		}
	}()
	err = db.bolt.View(func(tx *bolt.Tx) error {
		_, err := tx.WriteTo(f)
		return err
	})
	if err != nil {
		return 0, false, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, false, nil
	}
	n, err = io.Copy(w, f)
	return n, true, err
}

// enoughSpace reports whether the file system of dir has room for size
// bytes and a margin (256 MiB, or a quarter of size) left for the
// database to grow while the copy is written; true when unknown.
func enoughSpace(dir string, size int64) bool {
	free, ok := freeSpace(dir)
	return !ok || free >= size+max(256<<20, size/4)
}

// BackupInfo says what BackupTo wrote.
type BackupInfo struct {
	Path string
	Size int64
	// ArchiveFiles and ArchiveBytes count the archive files copied (those
	// whose copy was not up to date).
	ArchiveFiles int
	ArchiveBytes int64
}

// BackupTo writes a consistent copy of the database to dir/name while it
// serves, atomically (a temporary file in dir, synced, then renamed), and
// brings dir/archive up to date with the archive files: each is copied
// up to the length the copy's index names (what was archived before the
// copy; files only ever grow), when the copy there is not that long.
// dir/archive is shared by the copies in dir: it holds what the newest
// needs, and the older ones need a prefix of it.
func (db *DB) BackupTo(dir, name string) (BackupInfo, error) {
	info := BackupInfo{Path: filepath.Join(dir, name)}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return info, fmt.Errorf("storage: backup: %w", err)
	}
	var lengths map[string]int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		info.Size = tx.Size()
		if !enoughSpace(dir, info.Size) {
			return fmt.Errorf("storage: backup: not enough room in %s for %d MiB", dir, info.Size>>20)
		}
		lengths = map[string]int64{}
		tx.Bucket(bktArchive).Bucket(bktArchiveFiles).ForEach(func(k, v []byte) error {
			lengths[string(k)] = int64(getU64(v))
			return nil
		})
		return writeFileAtomic(info.Path, tx)
	})
	if err != nil {
		return info, err
	}
	info.ArchiveFiles, info.ArchiveBytes, err = copyArchive(filepath.Join(filepath.Dir(db.path), ArchiveDir), filepath.Join(dir, ArchiveDir), lengths)
	return info, err
}

// copyArchive copies each archive file named in lengths from src to dst,
// its first lengths[name] bytes, unless dst's is already that long (or
// longer: the same file, further on).
func copyArchive(src, dst string, lengths map[string]int64) (files int, bytes int64, err error) {
	for name, n := range lengths {
		if fi, err := os.Stat(filepath.Join(dst, name)); err == nil && fi.Size() >= n {
			continue
		}
		if err := os.MkdirAll(dst, 0o700); err != nil {
			return files, bytes, err
		}
		if err := copyPrefix(filepath.Join(src, name), filepath.Join(dst, name), n); err != nil {
			return files, bytes, fmt.Errorf("storage: copy archive file %s: %w", name, err)
		}
		files++
		bytes += n
	}
	return files, bytes, nil
}

// copyPrefix copies the first n bytes of src to dst through a synced
// temporary file renamed into place.
func copyPrefix(src, dst string, n int64) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	if _, err = io.Copy(out, io.LimitReader(in, n)); err != nil {
		return err
	}
	if fi, _ := out.Stat(); fi == nil || fi.Size() != n {
		return fmt.Errorf("%s is shorter than the %d bytes archived in it", src, n)
	}
	if err = out.Sync(); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	if err = os.Rename(out.Name(), dst); err != nil {
		return err
	}
	syncDir(filepath.Dir(dst))
	return nil
}

// ArchiveProblems lists the archive files that the database of the data
// folder dir names but that are missing or shorter than what was
// archived in them: the archived days they hold cannot be read (exports,
// old days' ticket lists, a lost report summary) until they are put back.
// The folder must not be in use.
func ArchiveProblems(dir string) ([]string, error) {
	db, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	lengths, err := db.fileLengths()
	if err != nil {
		return nil, err
	}
	var out []string
	for name, n := range lengths {
		p := filepath.Join(dir, ArchiveDir, name)
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("%s is missing", p))
		case fi.Size() < n:
			out = append(out, fmt.Sprintf("%s has %d bytes, %d were archived in it", p, fi.Size(), n))
		}
	}
	slices.Sort(out)
	return out, nil
}
