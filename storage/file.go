package storage

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
