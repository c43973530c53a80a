package storage_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

var wib = time.FixedZone("WIB", 7*3600)

// archiveWorld commits n days from 2026-08-28 on: per day three tickets,
// three events, two audit entries, a survey response and the day's
// report summary (made-up bytes); a day of events and audit only (no
// tickets: a holiday with a sign-in) in the middle; and the engine's day,
// the last. It answers the days.
func archiveWorld(t *testing.T, db *storage.DB, n int) []string {
	t.Helper()
	var days []string
	seq, audit := uint64(0), uint64(0)
	start := time.Date(2026, 8, 28, 0, 0, 0, 0, wib)
	for i := range n {
		d := start.AddDate(0, 0, i).Format(queue.DateLayout)
		days = append(days, d)
		b := &queue.Batch{Day: d}
		holiday := i == n/2
		if !holiday {
			for k := 1; k <= 3; k++ {
				tk := ticket(d, k, "s", "a", queue.Done)
				tk.Number = fmt.Sprintf("A%03d", k)
				b.Puts = append(b.Puts, ticketPut(tk))
			}
			b.Puts = append(b.Puts, queue.Put{Kind: queue.KindFeedback, ID: queue.TicketID(d, 1), Value: &queue.Feedback{
				TicketID: queue.TicketID(d, 1), Day: d, ServiceID: "s", Scores: []int{4, 3, 4}, Comment: "Cepat <3",
				Profile: &queue.Profile{Gender: "P"}}})
		}
		at, _ := time.ParseInLocation(queue.DateLayout, d, wib)
		for k := range 3 {
			seq++
			b.Events = append(b.Events, queue.Event{Seq: seq, Type: "ticket.issued", At: at.Add(time.Duration(8*60+k) * time.Minute),
				Data: json.RawMessage(fmt.Sprintf(`{"n":%d,"s":"<Loket & \u2028>"}`, seq))})
		}
		for k := range 2 {
			audit++
			b.Puts = append(b.Puts, queue.Put{Kind: queue.KindAudit, ID: fmt.Sprint(audit), Value: &queue.AuditEntry{
				ID: fmt.Sprint(audit), Seq: audit, At: at.Add(time.Duration(7*60+k) * time.Minute), Action: "login",
				Actor: queue.AuditActor{Kind: "user", ID: "usr_1", Name: "petugas"}}})
		}
		commit(t, db, b)
		if !holiday && i < n-1 {
			if err := db.PutReportDays(map[string][]byte{d: []byte("summary of " + d)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return days
}

// dump is every export of the days, kind by kind.
func dump(t *testing.T, db *storage.DB, from, to string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, kind := range storage.ExportKinds {
		var buf bytes.Buffer
		n, err := db.Export(&buf, kind, from, to)
		if err != nil {
			t.Fatalf("export %s: %v", kind, err)
		}
		if got := strings.Count(buf.String(), "\n"); got != n {
			t.Errorf("export %s: answered %d lines, wrote %d", kind, n, got)
		}
		out[kind] = buf.String()
	}
	return out
}

func archive(t *testing.T, db *storage.DB, before string, opts storage.ArchiveOptions) storage.ArchiveResult {
	t.Helper()
	res, err := db.Archive(context.Background(), before, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// archiveFiles lists the archive folder: name → size.
func archiveFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	ents, err := os.ReadDir(filepath.Join(dir, storage.ArchiveDir))
	if errors.Is(err, os.ErrNotExist) {
		return out
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		fi, _ := e.Info()
		out[e.Name()] = fi.Size()
	}
	return out
}

// members reads an archive file: the day named by each day's header
// frame. It checks that the file is one valid zstd stream holding the
// records the headers count, and that the zstd tool (where installed)
// reads it the same.
func members(t *testing.T, path string) []string {
	t.Helper()
	hs, err := storage.ArchiveFileDays(path)
	if err != nil {
		t.Fatal(err)
	}
	kind := strings.Split(filepath.Base(path), ".")[1]
	var days []string
	records := 0
	for _, h := range hs {
		if h.Kind != kind {
			t.Errorf("%s: the header of %s says kind %q", path, h.Day, h.Kind)
		}
		days = append(days, h.Day)
		records += h.Records
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	whole, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s as one zstd stream: %v", path, err)
	}
	if n := bytes.Count(whole, []byte{'\n'}); n != records {
		t.Errorf("%s: %d lines, the headers say %d", path, n, records)
	}
	if tool, err := exec.LookPath("zstd"); err == nil {
		out, err := exec.Command(tool, "-dc", path).Output()
		if err != nil || !bytes.Equal(out, whole) {
			t.Errorf("zstd -dc %s: %v, %d bytes, %d decoded here", path, err, len(out), len(whole))
		}
	}
	return days
}

// TestArchiveMovesOldDays: exactly the days before the cutoff leave the
// database for the monthly files; every export reads back identically,
// from the archive for those days; an archived day's tickets still list
// (reports remake a summary from them); a second run changes nothing.
func TestArchiveMovesOldDays(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	days := archiveWorld(t, db, 10) // 2026-08-28 .. 2026-09-06
	before := dump(t, db, days[0], days[9])
	tickets0, _ := db.Tickets(queue.TicketFilter{Day: days[2]})
	cut := days[7] // archives 08-28 .. 09-03
	res := archive(t, db, cut, storage.ArchiveOptions{})
	if want := days[:7]; !slices.Equal(res.Days, want) {
		t.Fatalf("archived %v, want %v", res.Days, want)
	}
	// 6 days of tickets (the holiday has none), 7 of events and audit.
	if res.Records[storage.KindTickets] != 18 || res.Records[storage.KindEvents] != 21 || res.Records[storage.KindAudit] != 14 || res.Waiting != "" {
		t.Errorf("result %+v", res)
	}
	files := archiveFiles(t, dir)
	for _, name := range []string{"2026-08.tickets.jsonl.zst", "2026-09.tickets.jsonl.zst", "2026-08.events.jsonl.zst", "2026-09.events.jsonl.zst", "2026-08.audit.jsonl.zst", "2026-09.audit.jsonl.zst"} {
		if files[name] == 0 {
			t.Errorf("no %s in %v", name, files)
		}
	}
	if len(files) != 6 {
		t.Errorf("files %v", files)
	}
	if got := members(t, filepath.Join(dir, storage.ArchiveDir, "2026-08.events.jsonl.zst")); !slices.Equal(got, days[:4]) {
		t.Errorf("members of August's events: %v", got)
	}

	// The database holds none of the archived days' tickets and events.
	for i, d := range days {
		tk, err := db.Ticket(queue.TicketID(d, 1))
		if err != nil {
			t.Fatal(err)
		}
		if archived := i < 7; archived != (tk == nil) && i != 5 {
			t.Errorf("ticket of %s in the database: %v", d, tk != nil)
		}
	}
	if first, _ := db.FirstSeq(); first != 22 {
		t.Errorf("FirstSeq %d, want 22 (the first event of %s)", first, cut)
	}
	if a, _ := db.Audit(queue.AuditFilter{}); len(a) != 6 || a[len(a)-1].Seq != 15 {
		t.Errorf("audit left: %d entries", len(a))
	}
	if f, _ := feedbackDays(t, db, days[0], days[9]); len(f) != 9 {
		t.Errorf("survey responses are kept: %d left, want 9", len(f))
	}

	// Everything reads back identically, archived or not.
	after := dump(t, db, days[0], days[9])
	for kind := range before {
		if before[kind] != after[kind] {
			t.Errorf("export of %s differs after archiving:\nbefore %s\nafter  %s", kind, before[kind], after[kind])
		}
	}
	part := dump(t, db, days[3], days[8]) // across the cut
	if n := strings.Count(part[storage.KindTickets], "\n"); n != 15 {
		t.Errorf("tickets of 08-31..09-05: %d lines", n)
	}
	tickets1, err := db.Tickets(queue.TicketFilter{Day: days[2]})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "archived day's tickets", tickets1, tickets0)
	page, err := db.Tickets(queue.TicketFilter{Day: days[2], After: queue.TicketID(days[2], 1), Limit: 1})
	if err != nil || len(page) != 1 || page[0].Index != 2 {
		t.Errorf("a page of an archived day: %v, %v", page, err)
	}

	// A second run finds nothing to do and writes nothing.
	if res := archive(t, db, cut, storage.ArchiveOptions{}); len(res.Days) != 0 {
		t.Errorf("second run archived %v", res.Days)
	}
	if got := archiveFiles(t, dir); fmt.Sprint(got) != fmt.Sprint(files) {
		t.Errorf("second run changed the files: %v → %v", files, got)
	}

	// The rest later, in the same files.
	res = archive(t, db, days[9], storage.ArchiveOptions{})
	if !slices.Equal(res.Days, days[7:9]) {
		t.Errorf("later run archived %v", res.Days)
	}
	if got := members(t, filepath.Join(dir, storage.ArchiveDir, "2026-09.tickets.jsonl.zst")); !slices.Equal(got, []string{days[4], days[6], days[7], days[8]}) {
		t.Errorf("members of September's tickets: %v", got)
	}
	if after := dump(t, db, days[0], days[9]); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Error("export differs after the second archiving")
	}
	// A reopened database finds its archive.
	db.Close()
	db = open(t, dir)
	if after := dump(t, db, days[0], days[9]); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Error("export differs after reopening")
	}
}

func feedbackDays(t *testing.T, db *storage.DB, from, to string) ([]*queue.Feedback, error) {
	t.Helper()
	var out []*queue.Feedback
	err := db.Feedback(from, to, func(f *queue.Feedback) error { out = append(out, f); return nil })
	return out, err
}

// TestArchiveNeverTakesTheEngineDay: a cutoff after the engine's day
// stops before it; a day without its report summary waits.
func TestArchiveWaits(t *testing.T) {
	db := open(t, t.TempDir())
	days := archiveWorld(t, db, 4)
	// The last day is the engine's and has no summary; asked for more,
	// Archive stops before the engine's day.
	res := archive(t, db, "2027-01-01", storage.ArchiveOptions{})
	if !slices.Equal(res.Days, days[:3]) || res.Waiting != "" {
		t.Errorf("archived %v, waiting %q", res.Days, res.Waiting)
	}
	if tk, _ := db.Tickets(queue.TicketFilter{Day: days[3]}); len(tk) != 3 {
		t.Errorf("the engine's day lost its tickets: %d", len(tk))
	}

	db2 := open(t, t.TempDir())
	days = archiveWorld(t, db2, 5)
	if err := db2.PutReportDays(map[string][]byte{days[1]: nil}); err != nil {
		t.Fatal(err)
	}
	res = archive(t, db2, days[4], storage.ArchiveOptions{})
	if !slices.Equal(res.Days, days[:1]) || res.Waiting != days[1] {
		t.Errorf("archived %v, waiting %q; want %s and waiting %s", res.Days, res.Waiting, days[0], days[1])
	}
	if tk, _ := db2.Ticket(queue.TicketID(days[1], 1)); tk == nil {
		t.Error("a day without its summary was archived")
	}
}

// TestArchiveCrashBetweenWriteAndDelete: a run that stops after a day's
// files are written and synced but before the day leaves the database
// (a crash there) leaves the day in both; the next run archives it once.
func TestArchiveCrashBetweenWriteAndDelete(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	days := archiveWorld(t, db, 8)
	before := dump(t, db, days[0], days[7])
	crash := errors.New("power cut")
	res, err := db.Archive(context.Background(), days[6], storage.ArchiveOptions{AfterWrite: func(day string) error {
		if day == days[2] {
			return crash
		}
		return nil
	}})
	if !errors.Is(err, crash) || !slices.Equal(res.Days, days[:2]) {
		t.Fatalf("run with a crash at %s: %v, %v", days[2], res.Days, err)
	}
	// The day is in the file and still in the database.
	if got := members(t, filepath.Join(dir, storage.ArchiveDir, "2026-08.tickets.jsonl.zst")); !slices.Equal(got, days[:3]) {
		t.Errorf("after the crash the file holds %v", got)
	}
	if tk, _ := db.Ticket(queue.TicketID(days[2], 1)); tk == nil {
		t.Fatal("the day left the database although its run stopped before the delete")
	}
	// Exports still read each record once (the index does not know the
	// tail).
	if got := dump(t, db, days[0], days[7]); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("export after the crash differs")
	}
	// The same happens in a fresh process.
	db.Close()
	db = open(t, dir)
	res = archive(t, db, days[6], storage.ArchiveOptions{})
	if !slices.Equal(res.Days, days[2:6]) {
		t.Errorf("the re-run archived %v", res.Days)
	}
	if got := members(t, filepath.Join(dir, storage.ArchiveDir, "2026-08.tickets.jsonl.zst")); !slices.Equal(got, days[:4]) {
		t.Errorf("after the re-run August's tickets hold %v, each day once", got)
	}
	if got := dump(t, db, days[0], days[7]); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("export after the re-run differs:\n%v\n%v", got, before)
	}
	var buf bytes.Buffer
	if n, err := storage.ExportArchive(dir, &buf, storage.KindTickets, days[0], days[7]); err != nil || n != 15 {
		t.Errorf("the archive alone holds %d tickets (%v), want 15, each once", n, err)
	}
}

// TestArchiveFileCutShort: a file shorter than the index says (lost, or
// restored from an older copy) stops archiving, and nothing is deleted;
// a file that is only longer (a run's tail) is cut back.
func TestArchiveFileCutShort(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	days := archiveWorld(t, db, 8)
	archive(t, db, days[2], storage.ArchiveOptions{})
	name := filepath.Join(dir, storage.ArchiveDir, "2026-08.tickets.jsonl.zst")
	fi, _ := os.Stat(name)
	if err := os.Truncate(name, fi.Size()-5); err != nil {
		t.Fatal(err)
	}
	_, err := db.Archive(context.Background(), days[4], storage.ArchiveOptions{})
	if err == nil || !strings.Contains(err.Error(), "shorter") {
		t.Fatalf("archiving into a cut file: %v", err)
	}
	t.Log(err)
	if tk, _ := db.Ticket(queue.TicketID(days[2], 1)); tk == nil {
		t.Fatal("a refused run deleted the day")
	}
	if _, err := db.Tickets(queue.TicketFilter{Day: days[1]}); err == nil {
		t.Error("reading a day from a cut file gave no error")
	}
}

// TestExportArchive: the archive alone (the server holds the database)
// reads back the archived days as Export does; a day cut short at the
// end of a file is left out whole.
func TestExportArchive(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	days := archiveWorld(t, db, 10)
	archive(t, db, days[8], storage.ArchiveOptions{})
	for _, kind := range []string{storage.KindTickets, storage.KindEvents, storage.KindAudit} {
		var a, b bytes.Buffer
		na, err := db.Export(&a, kind, days[1], days[6])
		if err != nil {
			t.Fatal(err)
		}
		nb, err := storage.ExportArchive(dir, &b, kind, days[1], days[6])
		if err != nil {
			t.Fatal(err)
		}
		if na != nb || a.String() != b.String() {
			t.Errorf("%s: the archive alone gives %d lines, Export %d:\n%s\n%s", kind, nb, na, b.String(), a.String())
		}
	}
	if n, err := storage.ExportArchive(dir, io.Discard, storage.KindFeedback, days[0], days[9]); err != nil || n != 0 {
		t.Errorf("survey responses from the archive before their purge: %d, %v", n, err)
	}
	// A run's tail: half a day at the end.
	name := filepath.Join(dir, storage.ArchiveDir, "2026-09.events.jsonl.zst")
	whole, _ := os.ReadFile(name)
	enc, _ := zstd.NewWriter(nil)
	frame := enc.EncodeAll(bytes.Repeat([]byte(`{"seq":99}`+"\n"), 1000), nil)
	hdr := fmt.Appendf(nil, `{"format":"antrean-archive/1","kind":"events","day":"2026-09-06","records":1000,"size":%d}`, len(frame))
	tail := binary.LittleEndian.AppendUint32(nil, 0x184D2A5A)
	tail = binary.LittleEndian.AppendUint32(tail, uint32(len(hdr)))
	tail = append(append(tail, hdr...), frame[:len(frame)/2]...)
	os.WriteFile(name, append(whole, tail...), 0o600)
	var b bytes.Buffer
	n, err := storage.ExportArchive(dir, &b, storage.KindEvents, days[0], days[9])
	if err != nil || n != 24 || strings.Contains(b.String(), `"seq":99`) {
		t.Errorf("with a cut tail: %d lines, %v", n, err)
	}
}

// TestArchiveKeepsPurges: the survey's purge works as before on a
// database whose old days are archived; survey responses are archived
// only once purged (the archive holds no profile or comment), by a later
// run when the retention is longer than the archive's window, and read
// back the same from the archive.
func TestArchiveKeepsPurges(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	days := archiveWorld(t, db, 8) // the holiday: days[4]
	all := func() []*queue.Feedback {
		f, err := feedbackDays(t, db, days[0], days[7])
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	res := archive(t, db, days[5], storage.ArchiveOptions{})
	if len(res.Days) != 5 || res.Records[storage.KindFeedback] != 0 {
		t.Fatalf("first run: %+v", res)
	}
	if files := archiveFiles(t, dir); files["2026-08.feedback.jsonl.zst"] != 0 {
		t.Errorf("responses with profiles archived: %v", files)
	}
	n, err := db.PurgeFeedback(days[3])
	if err != nil || n != 3 {
		t.Fatalf("purge after archiving: %d, %v", n, err)
	}
	purged := all()
	if len(purged) != 7 {
		t.Fatalf("%d responses left", len(purged))
	}
	for _, f := range purged {
		if f.Personal() != (f.Day >= days[3]) || len(f.Scores) != 3 {
			t.Errorf("response of %s after the purge: %+v", f.Day, f)
		}
	}
	before := dump(t, db, days[0], days[7])
	// The next run archives the purged days' responses, and no others.
	res = archive(t, db, days[5], storage.ArchiveOptions{})
	if !slices.Equal(res.Days, days[:3]) || res.Records[storage.KindFeedback] != 3 || res.Records[storage.KindTickets] != 0 {
		t.Errorf("run after the purge: %+v", res)
	}
	equal(t, "responses read from the archive", all(), purged)
	if after := dump(t, db, days[0], days[7]); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("exports differ after archiving the responses:\n%s\n%s", after[storage.KindFeedback], before[storage.KindFeedback])
	}
	var buf bytes.Buffer
	if n, err := storage.ExportArchive(dir, &buf, storage.KindFeedback, days[0], days[7]); err != nil || n != 3 || strings.Contains(buf.String(), "Cepat") {
		t.Errorf("the archive's responses: %d, %v: %s", n, err, buf.String())
	}
	// The whole purge later: the rest goes too.
	if _, err := db.PurgeFeedback(days[7]); err != nil {
		t.Fatal(err)
	}
	res = archive(t, db, days[7], storage.ArchiveOptions{})
	if res.Records[storage.KindFeedback] != 3 {
		t.Errorf("last run: %+v", res)
	}
	if f := all(); len(f) != 7 {
		t.Errorf("%d responses after archiving them all", len(f))
	}
}
