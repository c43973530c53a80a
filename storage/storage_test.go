package storage_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
	bolt "go.etcd.io/bbolt"
)

func open(t testing.TB, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func commit(t testing.TB, db *storage.DB, b *queue.Batch) {
	t.Helper()
	if err := db.Commit(b); err != nil {
		t.Fatal(err)
	}
}

func load(t testing.TB, db *storage.DB) *queue.Loaded {
	t.Helper()
	l, err := db.Load()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// fill sets every field of v to a distinct non-zero value.
func fill(t *testing.T, v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint8, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(t, v.Index(i), n)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 26, 8, *n%60, 0, *n, time.UTC)))
			return
		}
		for i := range v.NumField() {
			fill(t, v.Field(i), n)
		}
	default:
		t.Fatalf("fill: add %s", v.Type())
	}
}

func filled[T any](t *testing.T, n *int) *T {
	v := new(T)
	fill(t, reflect.ValueOf(v).Elem(), n)
	return v
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Errorf("%s:\n got %s %+v\nwant %s %+v", what, g, got, w, want)
	}
}

func ticket(day string, index int, service, agency string, status queue.Status) *queue.Ticket {
	return &queue.Ticket{ID: queue.TicketID(day, index), Index: index, Day: day,
		ServiceID: service, AgencyID: agency, Status: status, Key: "k" + fmt.Sprint(index)}
}

func ticketPut(t *queue.Ticket) queue.Put {
	return queue.Put{Kind: queue.KindTicket, ID: t.ID, Value: t}
}

func event(seq uint64, day string) queue.Event {
	at, err := time.ParseInLocation(queue.DateLayout, day, time.UTC)
	if err != nil {
		panic(err)
	}
	return queue.Event{Seq: seq, Type: "test", At: at.Add(time.Duration(seq) * time.Minute), Data: json.RawMessage(`{"n":1}`)}
}

func seqs(evs []queue.Event) []uint64 {
	out := []uint64{}
	for _, e := range evs {
		out = append(out, e.Seq)
	}
	return out
}

// TestRoundTrip proves that every field of every record, hidden ones
// included, survives Commit, Close, Open and Load.
func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	n := 0
	const day = "2026-11-26"
	site := filled[queue.Site](t, &n)
	agency := filled[queue.Agency](t, &n)
	service := filled[queue.Service](t, &n)
	counter := filled[queue.Counter](t, &n)
	user := filled[queue.User](t, &n)
	device := filled[queue.Device](t, &n)
	session := filled[queue.Session](t, &n)
	idem := filled[queue.IdemRecord](t, &n)
	tk := filled[queue.Ticket](t, &n)
	tk.Index, tk.Day = 7, day
	tk.ID = queue.TicketID(day, tk.Index)
	calls := filled[queue.RecentCalls](t, &n)
	times := filled[queue.ServiceTimes](t, &n)
	ev := filled[queue.Event](t, &n)
	ev.Seq, ev.Data = 1, json.RawMessage(`{"ticket":{"id":"x"}}`)
	ev.Record = nil // the engine's encoding, never read back
	commit(t, db, &queue.Batch{Day: day, Events: []queue.Event{*ev}, Puts: []queue.Put{
		{Kind: queue.KindRecentCalls, ID: "recent_calls", Value: calls},
		{Kind: queue.KindServiceTimes, ID: times.ServiceID, Value: times},
		{Kind: queue.KindSite, ID: "site", Value: site},
		{Kind: queue.KindAgency, ID: agency.ID, Value: agency},
		{Kind: queue.KindService, ID: service.ID, Value: service},
		{Kind: queue.KindCounter, ID: counter.ID, Value: counter},
		{Kind: queue.KindUser, ID: user.ID, Value: user},
		{Kind: queue.KindDevice, ID: device.ID, Value: device},
		{Kind: queue.KindSession, ID: session.TokenHash, Value: session},
		{Kind: queue.KindIdem, ID: idem.Key, Value: idem},
		ticketPut(tk),
	}})
	db.Close()

	db = open(t, dir)
	equal(t, "load", load(t, db), &queue.Loaded{
		Site: site, Agencies: []*queue.Agency{agency}, Services: []*queue.Service{service},
		Counters: []*queue.Counter{counter}, Users: []*queue.User{user}, Devices: []*queue.Device{device},
		Sessions: []*queue.Session{session}, Idem: []*queue.IdemRecord{idem},
		Day: day, Tickets: []*queue.Ticket{tk}, Seq: 1, LastAt: ev.At,
		RecentCalls: calls, ServiceTimes: []*queue.ServiceTimes{times},
	})
	got, err := db.Ticket(tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "ticket", got, tk)
	evs, err := db.Events(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "events", evs, []queue.Event{*ev})
}

func TestDelete(t *testing.T) {
	db := open(t, t.TempDir())
	tk := ticket("2026-11-26", 1, "s", "a", queue.Waiting)
	commit(t, db, &queue.Batch{Day: tk.Day, Puts: []queue.Put{
		{Kind: queue.KindAgency, ID: "a1", Value: &queue.Agency{ID: "a1"}},
		{Kind: queue.KindAgency, ID: "a2", Value: &queue.Agency{ID: "a2"}},
		{Kind: queue.KindSite, ID: "site", Value: &queue.Site{Name: "MPP"}},
		ticketPut(tk),
	}})
	commit(t, db, &queue.Batch{Puts: []queue.Put{
		{Kind: queue.KindAgency, ID: "a1"},                              // untyped nil
		{Kind: queue.KindAgency, ID: "a2", Value: (*queue.Agency)(nil)}, // typed nil
		{Kind: queue.KindSite, ID: "site"},
		{Kind: queue.KindTicket, ID: tk.ID},
		{Kind: queue.KindTicket, ID: "20250101-1"}, // no such day: a no-op
	}})
	l := load(t, db)
	if len(l.Agencies) != 0 || l.Site != nil || len(l.Tickets) != 0 {
		t.Errorf("after deletes: %+v", l)
	}
}

// TestCommitAtomic: a batch that fails writes nothing, events included.
func TestCommitAtomic(t *testing.T) {
	db := open(t, t.TempDir())
	good := []queue.Put{
		{Kind: queue.KindAgency, ID: "a1", Value: &queue.Agency{ID: "a1"}},
		ticketPut(ticket("2026-11-26", 1, "s", "a1", queue.Waiting)),
	}
	for _, tc := range []struct {
		name string
		bad  queue.Put
		evs  []queue.Event
	}{
		{"unknown kind", queue.Put{Kind: "nope", ID: "x", Value: &queue.Agency{}}, nil},
		{"wrong type", queue.Put{Kind: queue.KindService, ID: "x", Value: &queue.Agency{}}, nil},
		{"value not a pointer", queue.Put{Kind: queue.KindAgency, ID: "x", Value: queue.Agency{}}, nil},
		{"bad ticket ID", queue.Put{Kind: queue.KindTicket, ID: "T1", Value: &queue.Ticket{}}, nil},
		{"empty ID", queue.Put{Kind: queue.KindUser, Value: &queue.User{}}, nil},
		{"bad event data", good[0], []queue.Event{{Seq: 1, Data: json.RawMessage("{")}}},
		// fails inside the transaction, after seq 1 was written
		{"gap after a good event", good[0], []queue.Event{event(1, "2026-11-26"), event(3, "2026-11-26")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs := tc.evs
			if evs == nil {
				evs = []queue.Event{event(1, "2026-11-26")}
			}
			err := db.Commit(&queue.Batch{Day: "2026-11-26", Puts: append(append([]queue.Put{}, good...), tc.bad), Events: evs})
			if err == nil {
				t.Fatal("Commit succeeded")
			}
			equal(t, "load", load(t, db), &queue.Loaded{})
			if evs, err := db.Events(0, 0); err != nil || len(evs) != 0 {
				t.Errorf("events %v, %v", evs, err)
			}
		})
	}
}

// A batch prepared a part at a time, as the engine does while a group
// grows, is stored exactly as one encoded at once; a part that fails to
// encode fails Prepare, then Commit, and nothing is written.
func TestPrepareInParts(t *testing.T) {
	day := "2026-11-26"
	t1, t2 := ticket(day, 1, "s", "a1", queue.Waiting), ticket(day, 2, "s", "a1", queue.Waiting)
	parts := []queue.Batch{
		{Puts: []queue.Put{{Kind: queue.KindAgency, ID: "a1", Value: &queue.Agency{ID: "a1", Name: "Dukcapil"}}}},
		{Puts: []queue.Put{ticketPut(t1)}, Events: []queue.Event{event(1, day)}},
		{Puts: []queue.Put{ticketPut(t2)}, Events: []queue.Event{event(2, day), event(3, day)}},
	}
	inParts, atOnce := open(t, t.TempDir()), open(t, t.TempDir())
	var grown, whole queue.Batch
	for _, p := range parts {
		grown.Puts = append(grown.Puts, p.Puts...)
		grown.Events = append(grown.Events, p.Events...)
		if err := inParts.Prepare(&grown); err != nil {
			t.Fatal(err)
		}
	}
	grown.Day = day
	commit(t, inParts, &grown)
	for _, p := range parts {
		whole.Puts = append(whole.Puts, p.Puts...)
		whole.Events = append(whole.Events, p.Events...)
	}
	whole.Day = day
	commit(t, atOnce, &whole)
	equal(t, "load", load(t, inParts), load(t, atOnce))
	a, _ := inParts.Events(0, 0)
	b, _ := atOnce.Events(0, 0)
	equal(t, "events", a, b)
	if len(a) != 3 {
		t.Fatalf("%d events stored, want 3", len(a))
	}

	db := open(t, t.TempDir())
	bad := queue.Batch{Day: day, Puts: []queue.Put{ticketPut(t1)}}
	if err := db.Prepare(&bad); err != nil {
		t.Fatal(err)
	}
	bad.Puts = append(bad.Puts, queue.Put{Kind: "nope", ID: "x", Value: &queue.Agency{}})
	if db.Prepare(&bad) == nil {
		t.Fatal("Prepare took a record of an unknown kind")
	}
	if db.Commit(&bad) == nil {
		t.Fatal("Commit took a batch whose last part does not encode")
	}
	equal(t, "load after the failed commit", load(t, db), &queue.Loaded{})
}

func TestSeqContiguity(t *testing.T) {
	db := open(t, t.TempDir())
	const day = "2026-11-26"
	if err := db.Commit(&queue.Batch{Events: []queue.Event{event(2, day)}}); err == nil {
		t.Error("first seq 2 accepted")
	}
	commit(t, db, &queue.Batch{Events: []queue.Event{event(1, day), event(2, day), event(3, day)}})
	for _, bad := range [][]uint64{{3}, {5}, {4, 4}, {4, 6}, {2}} {
		var evs []queue.Event
		for _, s := range bad {
			evs = append(evs, event(s, day))
		}
		if err := db.Commit(&queue.Batch{Events: evs}); err == nil {
			t.Errorf("seqs %v accepted after 3", bad)
		}
	}
	commit(t, db, &queue.Batch{Events: []queue.Event{event(4, day)}})
	evs, _ := db.Events(0, 0)
	equal(t, "seqs", seqs(evs), []uint64{1, 2, 3, 4})
	if l := load(t, db); l.Seq != 4 {
		t.Errorf("seq %d", l.Seq)
	}
}

// threeDays commits events 1-9 (three a day) and one ticket a day.
func threeDays(t *testing.T, db *storage.DB) []string {
	days := []string{"2026-11-24", "2026-11-25", "2026-11-26"}
	seq := uint64(0)
	for _, d := range days {
		b := &queue.Batch{Day: d, Puts: []queue.Put{ticketPut(ticket(d, 1, "s", "a", queue.Done))}}
		for range 3 {
			seq++
			b.Events = append(b.Events, event(seq, d))
		}
		commit(t, db, b)
	}
	return days
}

func TestEventsPaging(t *testing.T) {
	db := open(t, t.TempDir())
	threeDays(t, db)
	for _, tc := range []struct {
		after uint64
		limit int
		want  []uint64
	}{
		{0, 0, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{0, 4, []uint64{1, 2, 3, 4}},
		{4, 4, []uint64{5, 6, 7, 8}},
		{8, 4, []uint64{9}},
		{9, 4, []uint64{}},
		{2, 1, []uint64{3}},
		{3, 1, []uint64{4}},
		{5, 0, []uint64{6, 7, 8, 9}},
		{100, 0, []uint64{}},
	} {
		evs, err := db.Events(tc.after, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, fmt.Sprintf("Events(%d, %d)", tc.after, tc.limit), seqs(evs), tc.want)
	}
	var all []uint64
	for after := uint64(0); ; {
		evs, err := db.Events(after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		all = append(all, seqs(evs)...)
		after = evs[len(evs)-1].Seq
	}
	equal(t, "paged", all, []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9})
}

// TestClockBack: an event dated before the latest day already holding
// events is filed under that day, so events stay in seq order.
func TestClockBack(t *testing.T) {
	db := open(t, t.TempDir())
	commit(t, db, &queue.Batch{Events: []queue.Event{event(1, "2026-11-26")}})
	commit(t, db, &queue.Batch{Events: []queue.Event{event(2, "2026-11-25"), event(3, "2026-11-26")}})
	evs, err := db.Events(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "seqs", seqs(evs), []uint64{1, 2, 3})
	equal(t, "day kept", evs[1].Day(), "2026-11-25")
}

// TestEventDayLocal: events are filed under their local day, as Day() says.
func TestEventDayLocal(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	wib := time.FixedZone("WIB", 7*3600)
	e := queue.Event{Seq: 1, Type: "x", At: time.Date(2026, 11, 26, 23, 30, 0, 0, wib), Data: json.RawMessage(`{}`)}
	commit(t, db, &queue.Batch{Events: []queue.Event{e}})
	if err := db.DropBefore("2026-11-26"); err != nil {
		t.Fatal(err)
	}
	evs, _ := db.Events(0, 0)
	if len(evs) != 1 || !evs[0].At.Equal(e.At) || evs[0].Day() != "2026-11-26" {
		t.Errorf("events %+v", evs)
	}
}

func TestDropBefore(t *testing.T) {
	db := open(t, t.TempDir())
	if s, err := db.FirstSeq(); err != nil || s != 0 {
		t.Errorf("empty FirstSeq %d, %v", s, err)
	}
	days := threeDays(t, db)
	first := func() uint64 {
		s, err := db.FirstSeq()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := first(); s != 1 {
		t.Errorf("FirstSeq %d", s)
	}
	if err := db.DropBefore(days[1]); err != nil {
		t.Fatal(err)
	}
	if s := first(); s != 4 {
		t.Errorf("FirstSeq after dropping a day %d, want 4", s)
	}
	for i, d := range days {
		tk, err := db.Ticket(queue.TicketID(d, 1))
		if err != nil || (tk == nil) != (i == 0) {
			t.Errorf("ticket of %s: %v, %v", d, tk, err)
		}
	}
	if err := db.DropBefore("2026-12-01"); err != nil {
		t.Fatal(err)
	}
	if s := first(); s != 0 {
		t.Errorf("FirstSeq after dropping all %d", s)
	}
	// seq and day survive the drop; numbering continues
	if l := load(t, db); l.Seq != 9 || l.Day != days[2] || len(l.Tickets) != 0 {
		t.Errorf("load %+v", l)
	}
	commit(t, db, &queue.Batch{Events: []queue.Event{event(10, "2026-12-01")}})
	if s := first(); s != 10 {
		t.Errorf("FirstSeq %d", s)
	}
}

func TestTickets(t *testing.T) {
	db := open(t, t.TempDir())
	const day = "2026-11-26"
	all := []*queue.Ticket{
		ticket(day, 1, "s1", "a1", queue.Done),
		ticket(day, 2, "s2", "a1", queue.Waiting),
		ticket(day, 3, "s3", "a2", queue.Waiting),
		ticket(day, 4, "s1", "a1", queue.Waiting),
		ticket(day, 5, "s2", "a1", queue.Called),
		ticket(day, 6, "s1", "a1", queue.Waiting),
		ticket(day, 7, "s3", "a2", queue.Waiting),
	}
	b := &queue.Batch{Day: day}
	for i := len(all) - 1; i >= 0; i-- { // order of writing does not matter
		b.Puts = append(b.Puts, ticketPut(all[i]))
	}
	b.Puts = append(b.Puts, ticketPut(ticket("2026-11-25", 9, "s1", "a1", queue.Waiting)))
	// index 10 sorts after 9 only with fixed-width keys
	all = append(all, ticket(day, 10, "s1", "a1", queue.Waiting))
	b.Puts = append(b.Puts, ticketPut(all[7]))
	commit(t, db, b)

	pick := func(idx ...int) []*queue.Ticket {
		var out []*queue.Ticket
		for _, i := range idx {
			for _, tk := range all {
				if tk.Index == i {
					out = append(out, tk)
				}
			}
		}
		return out
	}
	for _, tc := range []struct {
		name string
		f    queue.TicketFilter
		want []*queue.Ticket
	}{
		{"all", queue.TicketFilter{Day: day}, all},
		{"other day", queue.TicketFilter{Day: "2026-11-25"}, []*queue.Ticket{ticket("2026-11-25", 9, "s1", "a1", queue.Waiting)}},
		{"empty day", queue.TicketFilter{Day: "2026-11-27"}, nil},
		{"services", queue.TicketFilter{Day: day, ServiceIDs: []string{"s2", "s3"}}, pick(2, 3, 5, 7)},
		{"agency", queue.TicketFilter{Day: day, AgencyID: "a2"}, pick(3, 7)},
		{"status", queue.TicketFilter{Day: day, Status: queue.Waiting}, pick(2, 3, 4, 6, 7, 10)},
		{"all three", queue.TicketFilter{Day: day, ServiceIDs: []string{"s1", "s3"}, AgencyID: "a1", Status: queue.Waiting}, pick(4, 6, 10)},
		{"limit", queue.TicketFilter{Day: day, Status: queue.Waiting, Limit: 2}, pick(2, 3)},
		{"after", queue.TicketFilter{Day: day, Status: queue.Waiting, After: queue.TicketID(day, 3), Limit: 2}, pick(4, 6)},
		{"after a filtered one", queue.TicketFilter{Day: day, Status: queue.Waiting, After: queue.TicketID(day, 5)}, pick(6, 7, 10)},
		{"after the last", queue.TicketFilter{Day: day, After: queue.TicketID(day, 10)}, nil},
	} {
		got, err := db.Tickets(tc.f)
		if err != nil {
			t.Fatal(err)
		}
		equal(t, tc.name, got, tc.want)
	}
	for _, after := range []string{"x", queue.TicketID("2026-11-25", 1)} {
		if _, err := db.Tickets(queue.TicketFilter{Day: day, After: after}); err == nil {
			t.Errorf("After %q accepted", after)
		}
	}
	for _, id := range []string{"", "garbage", "20261126-0", "20261126-99", "20261127-1"} {
		if tk, err := db.Ticket(id); tk != nil || err != nil {
			t.Errorf("Ticket(%q) = %v, %v", id, tk, err)
		}
	}
}

func TestLocked(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	start := time.Now()
	_, err := storage.Open(dir, storage.Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, storage.ErrLocked) {
		t.Fatalf("second Open: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("second Open took %v", d)
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "/api/v1/backup") {
		t.Errorf("message %q", err)
	}
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := storage.BackupFile(dir, backup); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("BackupFile: %v", err)
	}
	other := t.TempDir()
	open(t, other).Close()
	if err := storage.BackupFile(other, backup); err != nil {
		t.Fatal(err)
	}
	if err := storage.RestoreFile(dir, backup); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("RestoreFile: %v", err)
	}
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	commit(t, db, &queue.Batch{Day: "2026-11-26", Events: []queue.Event{event(1, "2026-11-26"), event(2, "2026-11-26")}})
	db.Close()
	db = open(t, dir)
	if l := load(t, db); l.Seq != 2 || l.Day != "2026-11-26" {
		t.Errorf("after reopen: seq %d day %q", l.Seq, l.Day)
	}
	commit(t, db, &queue.Batch{Events: []queue.Event{event(3, "2026-11-26")}})
	db.Close()

	ro, err := storage.Open(dir, storage.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if l := load(t, ro); l.Seq != 3 {
		t.Errorf("read-only: seq %d", l.Seq)
	}
	if _, err := storage.Open(t.TempDir(), storage.Options{ReadOnly: true}); err == nil {
		t.Error("read-only Open of an empty folder succeeded")
	}
}

func TestBackup(t *testing.T) {
	db := open(t, t.TempDir())
	threeDays(t, db)
	commit(t, db, &queue.Batch{Puts: []queue.Put{{Kind: queue.KindUser, ID: "u1", Value: &queue.User{ID: "u1", PasswordHash: "h"}}}})
	var buf bytes.Buffer
	n, err := db.Backup(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("Backup: %d, %v (%d bytes)", n, err, buf.Len())
	}
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, storage.FileName), buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cp := open(t, dir2)
	equal(t, "load", load(t, cp), load(t, db))
	want, _ := db.Events(0, 0)
	got, _ := cp.Events(0, 0)
	equal(t, "events", got, want)
}

func TestBackupRestoreFile(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	threeDays(t, db)
	want := load(t, db)
	db.Close()

	file := filepath.Join(t.TempDir(), "backup.db")
	if err := storage.BackupFile(dir, file); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", fi, err)
	}

	db = open(t, dir) // change the data after the backup
	commit(t, db, &queue.Batch{Day: "2026-11-27", Events: []queue.Event{event(10, "2026-11-27")}})
	db.Close()

	if err := storage.RestoreFile(dir, file); err != nil {
		t.Fatal(err)
	}
	db = open(t, dir)
	equal(t, "restored", load(t, db), want)
	db.Close()

	fresh := filepath.Join(t.TempDir(), "new")
	if err := storage.RestoreFile(fresh, file); err != nil {
		t.Fatal(err)
	}
	equal(t, "restored into a new folder", load(t, open(t, fresh)), want)

	// Refusals leave the database as it was.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	bare := filepath.Join(t.TempDir(), "bare.db")
	b, err := bolt.Open(bare, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	for _, bad := range []string{junk, bare, filepath.Join(dir, "missing.db"), filepath.Join(dir, storage.FileName)} {
		if err := storage.RestoreFile(dir, bad); err == nil {
			t.Errorf("RestoreFile(%s) succeeded", bad)
		} else {
			t.Logf("RestoreFile(%s): %v", filepath.Base(bad), err)
		}
	}
	equal(t, "after refusals", load(t, open(t, dir)), want)
	if m, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
	if err := storage.BackupFile(t.TempDir(), file); err == nil {
		t.Error("BackupFile of an empty folder succeeded")
	}
}

// setVersion writes a schema version into the database file of dir.
func setVersion(t *testing.T, dir string, v uint64) {
	b, err := bolt.Open(filepath.Join(dir, storage.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint64(nil, v))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestTooNew(t *testing.T) {
	dir := t.TempDir()
	open(t, dir).Close()
	setVersion(t, dir, storage.SchemaVersion()+1)
	_, err := storage.Open(dir, storage.Options{})
	if !errors.Is(err, storage.ErrTooNew) {
		t.Fatalf("Open: %v", err)
	}
	t.Log(err)
	target := t.TempDir()
	if err := storage.RestoreFile(target, filepath.Join(dir, storage.FileName)); !errors.Is(err, storage.ErrTooNew) {
		t.Errorf("RestoreFile: %v", err)
	}
	if _, err := os.Stat(filepath.Join(target, storage.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused restore left a database: %v", err)
	}
}

// TestMigrate: a bbolt file without a schema is brought to the current
// version with all its buckets.
func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	b, err := bolt.Open(filepath.Join(dir, storage.FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := storage.Open(dir, storage.Options{ReadOnly: true}); err == nil {
		t.Error("read-only Open migrated")
	}
	db := open(t, dir)
	commit(t, db, &queue.Batch{Day: "2026-11-26", Puts: []queue.Put{ticketPut(ticket("2026-11-26", 1, "s", "a", queue.Waiting))}})
	if l := load(t, db); len(l.Tickets) != 1 {
		t.Errorf("tickets %v", l.Tickets)
	}
	db.Close()
	b, err = bolt.Open(filepath.Join(dir, storage.FileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema_version")); binary.BigEndian.Uint64(v) != storage.SchemaVersion() {
			t.Errorf("schema_version %x", v)
		}
		return nil
	})
}

// BenchmarkCommitOneTicket commits one new ticket with its event per
// transaction, as a lone visitor at the kiosk does.
func BenchmarkCommitOneTicket(b *testing.B) {
	for _, noSync := range []bool{false, true} {
		b.Run(map[bool]string{false: "fsync", true: "nosync"}[noSync], func(b *testing.B) {
			db, err := storage.Open(b.TempDir(), storage.Options{NoSync: noSync})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			const day = "2026-11-26"
			at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
			seq := uint64(0)
			for b.Loop() {
				seq++
				tk := &queue.Ticket{ID: queue.TicketID(day, int(seq)), Index: int(seq), Number: fmt.Sprintf("A%03d", seq),
					ServiceID: "svc_a", AgencyID: "agn_a", Status: queue.Waiting, Channel: queue.ChannelKiosk,
					Day: day, IssuedAt: at, QueuedAt: at, Key: "k3m9x2ab4qk3m9x2", IssuedServiceID: "svc_a", Seq: int(seq)}
				data, _ := json.Marshal(tk)
				err := db.Commit(&queue.Batch{
					Puts:   []queue.Put{{Kind: queue.KindTicket, ID: tk.ID, Value: tk}},
					Events: []queue.Event{{Seq: seq, Type: "ticket.issued", At: at, Data: data}},
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
