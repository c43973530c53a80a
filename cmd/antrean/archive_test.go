package main

// Years of data (README): the archive of old days, `antrean export` and
// `antrean compact`, and scheduled backups, on the real binary.

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/simdata"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/storage"
)

const histAdminPW = "history-admin-pw"

// history writes days of a busy mall (tickets per day) ending yesterday
// in Jakarta into a new data folder, as a server would have kept them,
// with each day's report summary made by the reports' own builder, and an
// admin. It answers the folder and the days.
func history(t *testing.T, days, tickets int) (string, []string) {
	t.Helper()
	data := t.TempDir()
	loc, _ := time.LoadLocation("Asia/Jakarta")
	db, err := storage.Open(data, storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	g := simdata.New(loc, 0, 0)
	if err := db.Commit(g.Setup()); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(loc)
	var out []string
	for i := days; i >= 1; i-- {
		d := today.AddDate(0, 0, -i).Format(queue.DateLayout)
		out = append(out, d)
		if err := db.Commit(g.Day(d, tickets)); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, err := queue.Open(db, queue.Options{Location: loc, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	rep := reports.New(eng, db, log)
	rep.Start()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		missing, err := db.ReportDays("", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("summaries missing: %v", missing)
		}
	}
	rep.Close()
	eng.Close()
	db.Close()
	if r := runCLI(t, []string{"ANTREAN_PASSWORD=" + histAdminPW}, "", "user", "add", "--data", data, "--username", "admin", "--role", "admin"); r.code != 0 {
		t.Fatalf("user add: %d %s", r.code, r.stderr)
	}
	return data, out
}

// export runs `antrean export` and answers its standard output.
func export(t *testing.T, data, kind, from, to string) (string, cliResult) {
	t.Helper()
	r := runCLI(t, nil, "", "export", "--data", data, "--from", from, "--to", to, "--kind", kind)
	if r.code != 0 {
		t.Fatalf("export %s %s..%s: exit %d: %s", kind, from, to, r.code, r.stderr)
	}
	return r.stdout, r
}

var exportKinds = []string{"tickets", "events", "audit", "feedback"}

// summary is GET /api/v1/reports/summary of a range, every grouping.
func summary(t *testing.T, base, token, from, to string) string {
	t.Helper()
	var all []string
	for _, g := range []string{"agency", "service", "counter", "officer", "hour", "day"} {
		_, raw := call(t, http.MethodGet, fmt.Sprintf("%s/api/v1/reports/summary?from=%s&to=%s&group_by=%s", base, from, to, g), token, nil)
		all = append(all, string(raw))
	}
	return strings.Join(all, "\n")
}

// waitLog waits until the child's log holds s n times.
func waitLog(t *testing.T, p *proc, s string, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for strings.Count(p.stderr.String(), s) < n {
		if p.done() || time.Now().After(deadline) {
			t.Fatalf("the log does not say %q %d times:\n%s", s, n, p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// memberDays lists the days of every archive file, as their header
// frames name them, by file.
func memberDays(t *testing.T, data string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	names, _ := filepath.Glob(filepath.Join(data, "archive", "*"+storage.ArchiveExt))
	for _, name := range names {
		hs, err := storage.ArchiveFileDays(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			out[filepath.Base(name)] = append(out[filepath.Base(name)], h.Day)
		}
	}
	return out
}

// The archive moves exactly the days older than --archive-after-days out
// of the database while the server runs; the reports give the same
// figures; `antrean export` reads every record back identically, of a
// stopped server from the database and the archive, of a running one
// from the archive alone; an archived ticket's visitor page answers not
// found, while staff still list the day; `antrean compact` keeps it all.
func TestArchiveExportCompact(t *testing.T) {
	t.Parallel()
	data, days := history(t, 40, 60)
	first, last := days[0], days[len(days)-1]
	cut := days[len(days)-30] // today − 30: the first day kept

	// A first start without archiving: the report, and the survey's
	// retention purge.
	p := startServer(t, "serve", data, nil, "--archive-after-days", "0")
	admin := login(t, p.url, "admin", histAdminPW)
	reportBefore := summary(t, p.url, admin, first, last)
	if !strings.Contains(reportBefore, `"issued":60`) {
		t.Fatalf("the report before archiving: %s", reportBefore)
	}
	waitLog(t, p, "survey: purged", 1, 30*time.Second)
	p.stop()
	before := map[string]string{}
	for _, k := range exportKinds {
		before[k], _ = export(t, data, k, first, last)
	}
	archivedBefore, _ := export(t, data, "tickets", first, days[len(days)-31])
	if n := strings.Count(archivedBefore, "\n"); n != 600 {
		t.Fatalf("the ten oldest days hold %d tickets, want 600", n)
	}

	p = startServer(t, "serve", data, nil, "--archive-after-days", "30")
	waitLog(t, p, "archive: moved old days", 1, 60*time.Second)
	if !strings.Contains(p.stderr.String(), "days=10 first="+first) {
		t.Errorf("the log does not say that the 10 days from %s were archived:\n%s", first, p.stderr)
	}
	admin = login(t, p.url, "admin", histAdminPW)
	if got := summary(t, p.url, admin, first, last); got != reportBefore {
		t.Errorf("the report differs after archiving:\nbefore %s\nafter  %s", reportBefore, got)
	}
	// While it runs: the archive alone.
	got, r := export(t, data, "tickets", first, last)
	if got != archivedBefore || !strings.Contains(r.stderr, "a server is running") {
		t.Errorf("export while serving: %d lines (want the %d archived), stderr %q", strings.Count(got, "\n"), 600, r.stderr)
	}
	// An archived ticket: no visitor page, still in the staff list.
	var tk struct {
		ID, Key, Day string
	}
	json.Unmarshal([]byte(archivedBefore[:strings.IndexByte(archivedBefore, '\n')]), &tk)
	if code, _ := call(t, http.MethodGet, p.url+"/api/v1/tickets/"+tk.ID+"?k="+url.QueryEscape(tk.Key), "", nil); code != http.StatusNotFound {
		t.Errorf("the visitor page of archived ticket %s answers %d, want 404", tk.ID, code)
	}
	var list struct{ Tickets []map[string]any }
	mustJSON(t, http.MethodGet, p.url+"/api/v1/tickets?limit=10000&day="+tk.Day, admin, nil, http.StatusOK, &list)
	if len(list.Tickets) != 60 || list.Tickets[0]["id"] != tk.ID {
		t.Errorf("the staff list of archived day %s has %d tickets", tk.Day, len(list.Tickets))
	}
	var kept struct {
		ID, Key string
	}
	keptLine := before["tickets"][strings.Index(before["tickets"], `{"id":"`+strings.ReplaceAll(cut, "-", "")):]
	json.Unmarshal([]byte(keptLine[:strings.IndexByte(keptLine, '\n')]), &kept)
	if code, _ := call(t, http.MethodGet, p.url+"/api/v1/tickets/"+kept.ID+"?k="+url.QueryEscape(kept.Key), "", nil); code != http.StatusOK {
		t.Errorf("the visitor page of ticket %s, within the window, answers %d", kept.ID, code)
	}
	p.stop()

	for _, k := range exportKinds {
		if got, _ := export(t, data, k, first, last); got != before[k] {
			t.Errorf("export of %s after archiving differs: %d lines, %d before", k, strings.Count(got, "\n"), strings.Count(before[k], "\n"))
		}
	}
	for name, ds := range memberDays(t, data) {
		if c := slices.Compact(slices.Clone(ds)); len(c) != len(ds) {
			t.Errorf("%s holds a day twice: %v", name, ds)
		}
	}

	r = runCLI(t, nil, "", "compact", "--data", data)
	if r.code != 0 || !strings.Contains(r.stdout, "MiB →") {
		t.Fatalf("compact: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	t.Log(strings.TrimSpace(r.stdout))
	for _, k := range exportKinds {
		if got, _ := export(t, data, k, first, last); got != before[k] {
			t.Errorf("export of %s after compaction differs", k)
		}
	}
	p = startServer(t, "serve", data, nil)
	if got := summary(t, p.url, login(t, p.url, "admin", histAdminPW), first, last); got != reportBefore {
		t.Errorf("the report differs after compaction")
	}
	// In use: compact refuses.
	if r := runCLI(t, nil, "", "compact", "--data", data); r.code == 0 {
		t.Error("compact of a folder in use exited 0")
	} else {
		checkInUse(t, "compact", r.stderr, data)
	}
	p.stop()

	// Bad input is a usage error.
	for _, args := range [][]string{
		{"export", "--data", data, "--from", last, "--to", first},
		{"export", "--data", data, "--from", "2026-13-01", "--to", last},
		{"export", "--data", data, "--from", first, "--to", last, "--kind", "bookings"},
		{"export", "--from", first, "--to", last},
		{"compact"},
	} {
		if r := runCLI(t, nil, "", args...); r.code != 2 {
			t.Errorf("antrean %v: exit %d, want 2: %s", args, r.code, r.stderr)
		}
	}
}

// A crash between writing a day to the archive and deleting it from the
// database (the process ends right after the fsync) leaves the day in
// both; the next start archives the rest, that day once.
func TestArchiveCrashAfterWrite(t *testing.T) {
	t.Parallel()
	bin := faultBinary(t)
	data, days := history(t, 8, 40)
	first, last := days[0], days[len(days)-1]
	before := map[string]string{}
	for _, k := range exportKinds {
		before[k], _ = export(t, data, k, first, last)
	}
	p := startProcBin(t, bin, []string{"ANTREAN_FAULT_ARCHIVE=3"}, "serve", "--addr", freeAddr(t), "--data", data, "--archive-after-days", "2")
	if code, _ := p.waitExit(60 * time.Second); code != 3 || !strings.Contains(p.stderr.String(), "fault: exiting after writing the archive of "+days[2]) {
		t.Fatalf("the faulty server exited %d:\n%s", code, p.stderr)
	}
	tail := memberDays(t, data)
	if got := tail[days[2][:7]+".tickets.jsonl.zst"]; !slices.Contains(got, days[2]) {
		t.Fatalf("the crash left the archive without %s: %v", days[2], tail)
	}
	// The database still has the day: a stopped export reads it once.
	if got, _ := export(t, data, "tickets", first, last); got != before["tickets"] {
		t.Errorf("export after the crash differs")
	}
	q := startServer(t, "serve", data, nil, "--archive-after-days", "2")
	waitLog(t, q, "archive: moved old days", 1, 60*time.Second)
	q.stop()
	for name, ds := range memberDays(t, data) {
		if c := slices.Compact(slices.Clone(ds)); len(c) != len(ds) {
			t.Errorf("%s holds a day twice after the re-run: %v", name, ds)
		}
	}
	var all []string
	for name, ds := range memberDays(t, data) {
		if strings.HasSuffix(name, ".tickets.jsonl.zst") {
			all = append(all, ds...)
		}
	}
	slices.Sort(all)
	if want := days[:6]; !slices.Equal(all, want) {
		t.Errorf("archived tickets of %v, want %v", all, want)
	}
	for _, k := range exportKinds {
		if got, _ := export(t, data, k, first, last); got != before[k] {
			t.Errorf("export of %s after the re-run differs: %d lines, %d before", k, strings.Count(got, "\n"), strings.Count(before[k], "\n"))
		}
	}
}

// Scheduled backups: written every --backup-every, the newest
// --backup-keep kept, each logged; a restore of the newest serves the
// state the server had.
func TestScheduledBackups(t *testing.T) {
	t.Parallel()
	data, backups := t.TempDir(), t.TempDir()
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW, "ANTREAN_BACKUP_DIR=" + backups}
	p := startServer(t, "demo", data, env, "--backup-every", "1s", "--backup-keep", "2")
	kiosk := kioskToken(t, data)
	svcs := unlimited(t, p.url)
	var issued []ticket
	for i := range 4 {
		issued = append(issued, issue(t, p.url, kiosk, svcs[i%2].ID))
	}
	n := strings.Count(p.stderr.String(), "backup: written")
	waitLog(t, p, "backup: written", max(n+2, 3), 60*time.Second)
	admin := login(t, p.url, "admin", adminPW)
	var st1 struct{ Seq uint64 }
	mustJSON(t, http.MethodGet, p.url+"/api/v1/state", "", nil, http.StatusOK, &st1)
	var audit struct {
		Entries []struct {
			Action string
			Actor  struct{ Kind string }
		}
	}
	mustJSON(t, http.MethodGet, p.url+"/api/v1/audit?action=backup", admin, nil, http.StatusOK, &audit)
	if len(audit.Entries) < 2 || audit.Entries[0].Actor.Kind != "system" {
		t.Errorf("the audit log of the backups: %+v", audit.Entries)
	}
	p.stop()
	if !strings.Contains(p.stderr.String(), "backup: removed an old copy") {
		t.Errorf("the log does not say that old copies were removed:\n%s", p.stderr)
	}
	copies, _ := filepath.Glob(filepath.Join(backups, "antrean-*.db"))
	if len(copies) != 2 {
		t.Fatalf("the backup folder holds %v, want the newest 2", copies)
	}
	if m, _ := filepath.Glob(filepath.Join(backups, ".*")); len(m) > 0 {
		t.Errorf("temporary files in the backup folder: %v", m)
	}
	slices.Sort(copies)
	restored := filepath.Join(t.TempDir(), "restored")
	if r := runCLI(t, nil, "", "restore", "--data", restored, copies[1]); r.code != 0 {
		t.Fatalf("restore: exit %d: %s", r.code, r.stderr)
	}
	q := startServer(t, "serve", restored, nil)
	var st2 struct{ Seq uint64 }
	mustJSON(t, http.MethodGet, q.url+"/api/v1/state", "", nil, http.StatusOK, &st2)
	if st2.Seq != st1.Seq {
		t.Errorf("the restored backup is at seq %d, the server was at %d", st2.Seq, st1.Seq)
	}
	admin = login(t, q.url, "admin", adminPW)
	for _, s := range svcs[:2] {
		var want []ticket
		for _, tk := range issued {
			if tk.ServiceID == s.ID {
				want = append(want, tk)
			}
		}
		if got := listTickets(t, q.url, admin, issued[0].Day, s.ID); mustMarshal(t, got) != mustMarshal(t, want) {
			t.Errorf("service %s after restoring the scheduled backup: %v, want %v", s.Code, got, want)
		}
	}
	q.stop()

	// A bad schedule is a usage error.
	for _, args := range [][]string{{"--backup-every", "0s"}, {"--backup-keep", "0"}, {"--archive-after-days", "-1"}, {"--compact-free", "1.5"}} {
		r := runCLI(t, env, "", append([]string{"serve", "--addr", freeAddr(t), "--data", t.TempDir()}, args...)...)
		if r.code != 2 {
			t.Errorf("serve %v: exit %d, want 2: %s", args, r.code, r.stderr)
		}
	}
}
