package app

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// The archive and the scheduled backups are background jobs beside the
// engine, like the survey's retention purge: they read committed history
// and the files of the data folder through the store, never through the
// engine's goroutine, which they would only slow.

// ArchiveNow moves the days older than ArchiveAfterDays before the
// engine's day to the archive files (storage.DB.Archive) and logs what it
// did. The cutoff comes from the engine's day, so a day the engine still
// lives in is never archived.
func (a *App) ArchiveNow(ctx context.Context) (storage.ArchiveResult, error) {
	days := a.Config.ArchiveAfterDays
	st := a.Engine.State()
	if days <= 0 || st.Day == "" {
		return storage.ArchiveResult{}, nil
	}
	t, err := time.Parse(queue.DateLayout, st.Day)
	if err != nil {
		return storage.ArchiveResult{}, err
	}
	before := t.AddDate(0, 0, -days).Format(queue.DateLayout)
	t0 := time.Now()
	res, err := a.DB.Archive(ctx, before, storage.ArchiveOptions{})
	if len(res.Days) > 0 {
		a.log.Info("archive: moved old days out of the database", "days", len(res.Days), "first", res.Days[0], "last", res.Days[len(res.Days)-1],
			"tickets", res.Records[storage.KindTickets], "events", res.Records[storage.KindEvents], "audit", res.Records[storage.KindAudit],
			"compressed_bytes", res.Bytes, "took", time.Since(t0).Round(time.Millisecond), "before", before)
	}
	if err != nil {
		a.log.Error("archive: stopped", "err", err)
	} else if res.Waiting != "" {
		a.log.Debug("archive: waiting for the report summary of a day", "day", res.Waiting)
	}
	return res, err
}

// runArchive archives at start and then every ArchiveEvery; while a day
// waits for its report summary (the reports' builder makes it in the
// background), every ArchiveRetry.
func (a *App) runArchive(ctx context.Context) {
	for {
		res, err := a.ArchiveNow(ctx)
		wait := a.Config.ArchiveEvery
		if err == nil && res.Waiting != "" {
			wait = a.Config.ArchiveRetry
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// backupPrefix and backupSuffix frame the names of scheduled backups:
// antrean-20261126-080000.db, in the site's time; they sort by time.
const (
	backupPrefix = "antrean-"
	backupSuffix = ".db"
)

// BackupNow writes a scheduled backup into BackupDir (storage.DB.BackupTo:
// the database copy, atomically, and the archive files it names), notes
// it in the audit log, and keeps the newest BackupKeep copies.
func (a *App) BackupNow(ctx context.Context) (storage.BackupInfo, error) {
	now := time.Now().In(a.Engine.State().Loc)
	name := backupPrefix + now.Format("20060102-150405") + backupSuffix
	t0 := time.Now()
	info, err := a.DB.BackupTo(a.Config.BackupDir, name)
	if err != nil {
		a.log.Error("backup: failed", "dir", a.Config.BackupDir, "err", err)
		return info, err
	}
	a.log.Info("backup: written", "file", info.Path, "bytes", info.Size, "archive_files_copied", info.ArchiveFiles,
		"archive_bytes_copied", info.ArchiveBytes, "took", time.Since(t0).Round(time.Millisecond))
	entry := &queue.AuditEntry{Actor: queue.AuditActor{Kind: "system", ID: "backup", Name: "scheduled backup"}, Action: "backup", Detail: info.Path}
	if _, err := a.Engine.Apply(ctx, time.Time{}, queue.RecordAudit{Entry: entry}); err != nil {
		a.log.Warn("backup: noting it in the audit log", "err", err)
	}
	a.pruneBackups()
	return info, nil
}

// Backups lists the scheduled backups in BackupDir, oldest first.
func (a *App) Backups() []string {
	names, _ := filepath.Glob(filepath.Join(a.Config.BackupDir, backupPrefix+"*"+backupSuffix))
	var out []string
	for _, n := range names {
		if base := filepath.Base(n); !strings.HasPrefix(base, ".") {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// pruneBackups removes all but the newest BackupKeep backups. The
// archive files beside them stay: the newest copy needs them.
func (a *App) pruneBackups() {
	all := a.Backups()
	for _, old := range all[:max(0, len(all)-a.Config.BackupKeep)] {
		if err := os.Remove(old); err != nil {
			a.log.Warn("backup: removing an old copy", "file", old, "err", err)
		} else {
			a.log.Info("backup: removed an old copy", "file", old, "keep", a.Config.BackupKeep)
		}
	}
}

// runBackups writes a backup every BackupEvery: the first when the newest
// in the folder is that old (at once when there is none), so that a
// restart does not reset the schedule.
func (a *App) runBackups(ctx context.Context) {
	next := time.Now()
	if all := a.Backups(); len(all) > 0 {
		if fi, err := os.Stat(all[len(all)-1]); err == nil {
			next = fi.ModTime().Add(a.Config.BackupEvery)
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		a.BackupNow(ctx)
		next = time.Now().Add(a.Config.BackupEvery)
	}
}
