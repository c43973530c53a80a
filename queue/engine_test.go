package queue_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// ---- the test bed: a real engine on real bbolt in t.TempDir() ----

// fakeClock is the engine's clock. Tests pass each command's time
// explicitly; the clock only matters to Open (the roll after downtime) and
// to the housekeeping timer, which runs at the clock's time and so stays a
// no-op while the clock lags behind the commands.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type env struct {
	t    testing.TB
	dir  string
	zone string
	loc  *time.Location
	clk  *fakeClock
	db   *storage.DB
	eng  *queue.Engine
	// now is the time of the next command; apply moves it on by a second.
	now  time.Time
	keys atomic.Int64
	// ids maps ticket numbers to the ID of the latest ticket with it.
	ids map[string]string
	// noSync opens the store without fsync (the fuzz target: a crash is
	// not what it tests).
	noSync bool
	// onCommit is the engine's Options.OnCommit.
	onCommit func(commands int, took time.Duration)
}

// Times are written "2006-01-02 15:04:05" in the site's zone.
const stamp = "2006-01-02 15:04:05"

func mustLoc(t testing.TB, zone string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func localTime(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation(stamp, s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// newBareEnv opens an engine on an empty database; its clock and first
// command time are start (local time in zone).
func newBareEnv(t testing.TB, zone, start string) *env {
	t.Helper()
	loc := mustLoc(t, zone)
	e := &env{t: t, dir: t.TempDir(), zone: zone, loc: loc, clk: &fakeClock{}, ids: map[string]string{}}
	e.now = localTime(t, loc, start)
	e.clk.Set(e.now)
	e.open()
	t.Cleanup(e.close)
	return e
}

// newEnv is newBareEnv plus the standard mall of setup.
func newEnv(t testing.TB, zone, start string) *env {
	e := newBareEnv(t, zone, start)
	e.setup()
	return e
}

func (e *env) open() {
	e.t.Helper()
	db, err := storage.Open(e.dir, storage.Options{NoSync: e.noSync})
	if err != nil {
		e.t.Fatal(err)
	}
	eng, err := queue.Open(db, queue.Options{Clock: e.clk.Now, Location: e.loc, OnCommit: e.onCommit})
	if err != nil {
		db.Close()
		e.t.Fatal(err)
	}
	e.db, e.eng = db, eng
}

func (e *env) close() {
	if e.eng != nil {
		e.eng.Close()
		e.eng = nil
	}
	if e.db != nil {
		e.db.Close()
		e.db = nil
	}
}

// restart closes engine and store and opens both again, the clock at the
// time of the next command.
func (e *env) restart() {
	e.t.Helper()
	e.close()
	e.clk.Set(e.now)
	e.open()
}

// at sets the time of the next command (local time); time only moves on.
func (e *env) at(s string) {
	e.t.Helper()
	tm := localTime(e.t, e.loc, s)
	if tm.Before(e.now) {
		e.t.Fatalf("at(%s): time would go back from %s", s, e.now.Format(stamp))
	}
	e.now = tm
}

func (e *env) st() *queue.State { return e.eng.State() }

// apply runs one command at e.now and moves e.now on by a second.
func (e *env) apply(cmd queue.Command) (any, error) {
	v, err := e.eng.Apply(context.Background(), e.now, cmd)
	e.now = e.now.Add(time.Second)
	return v, err
}

func (e *env) must(cmd queue.Command) any {
	e.t.Helper()
	v, err := e.apply(cmd)
	if err != nil {
		e.t.Fatalf("%T %+v: %v", cmd, cmd, err)
	}
	return v
}

func allDays() []string { return []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"} }

// site is the default site in e's zone, open every day around the clock.
func (e *env) site() *queue.Site {
	s := queue.DefaultSite()
	s.Timezone = e.zone
	s.Weekdays = allDays()
	s.Opens, s.Closes = "00:00", "24:00"
	return s
}

func newService(id, agency, code string) *queue.Service {
	s := queue.DefaultService()
	s.ID, s.AgencyID, s.Code, s.Name = id, agency, code, "Layanan "+code
	return s
}

// setup creates the standard mall:
//
//	agency ag-x DKC (Dukcapil): services svc-a "A", svc-b "B";
//	  counters k1 "Loket 1" [A, B], k3 "Loket 3" [A]
//	agency ag-y IMI (Imigrasi): service svc-c "C"; counter k2 "Loket 2" [C]
//	officers u1, u3 (ag-x), u2 (ag-y)
func (e *env) setup() {
	e.t.Helper()
	e.must(queue.PutSite{Site: e.site()})
	e.must(queue.PutAgency{Agency: &queue.Agency{ID: "ag-x", Code: "DKC", Name: "Dinas Kependudukan dan Pencatatan Sipil", ShortName: "Dukcapil"}, Create: true})
	e.must(queue.PutAgency{Agency: &queue.Agency{ID: "ag-y", Code: "IMI", Name: "Kantor Imigrasi", ShortName: "Imigrasi"}, Create: true})
	e.must(queue.PutService{Service: newService("svc-a", "ag-x", "A"), Create: true})
	e.must(queue.PutService{Service: newService("svc-b", "ag-x", "B"), Create: true})
	e.must(queue.PutService{Service: newService("svc-c", "ag-y", "C"), Create: true})
	e.must(queue.PutCounter{Counter: &queue.Counter{ID: "k1", AgencyID: "ag-x", Name: "Loket 1", ServiceIDs: []string{"svc-a", "svc-b"}}, Create: true})
	e.must(queue.PutCounter{Counter: &queue.Counter{ID: "k2", AgencyID: "ag-y", Name: "Loket 2", ServiceIDs: []string{"svc-c"}}, Create: true})
	e.must(queue.PutCounter{Counter: &queue.Counter{ID: "k3", AgencyID: "ag-x", Name: "Loket 3", ServiceIDs: []string{"svc-a"}}, Create: true})
	for _, u := range []*queue.User{
		{ID: "u1", Username: "petugas1", Role: queue.RoleOfficer, AgencyID: "ag-x", PasswordHash: "x"},
		{ID: "u2", Username: "petugas2", Role: queue.RoleOfficer, AgencyID: "ag-y", PasswordHash: "x"},
		{ID: "u3", Username: "petugas3", Role: queue.RoleOfficer, AgencyID: "ag-x", PasswordHash: "x"},
	} {
		e.must(queue.PutUser{User: u, Create: true})
	}
}

// updateService replaces a service with a changed copy.
func (e *env) updateService(id string, change func(s *queue.Service)) {
	e.t.Helper()
	s := *e.st().Service(id)
	change(&s)
	e.must(queue.PutService{Service: &s})
}

// updateSite replaces the site settings with a changed copy.
func (e *env) updateSite(change func(s *queue.Site)) {
	e.t.Helper()
	s := *e.st().Site
	change(&s)
	e.must(queue.PutSite{Site: &s})
}

func (e *env) key() string { return fmt.Sprintf("key-%d", e.keys.Add(1)) }

func (e *env) issueCmd(service string, priority bool) queue.IssueTicket {
	return queue.IssueTicket{ServiceID: service, Priority: priority, Channel: queue.ChannelKiosk, Key: e.key()}
}

// issue takes a ticket and returns it.
func (e *env) issue(service string, priority bool) *queue.Ticket {
	e.t.Helper()
	return e.issueWith(e.issueCmd(service, priority))
}

func (e *env) issueWith(cmd queue.IssueTicket) *queue.Ticket {
	e.t.Helper()
	iss := e.must(cmd).(*queue.Issued)
	e.ids[iss.Ticket.Number] = iss.Ticket.ID
	return iss.Ticket
}

// tk returns the current version of the latest ticket with that number.
func (e *env) tk(number string) *queue.Ticket {
	e.t.Helper()
	id, ok := e.ids[number]
	if !ok {
		e.t.Fatalf("no ticket %s was issued", number)
	}
	t := e.st().Ticket(id)
	if t == nil {
		e.t.Fatalf("ticket %s (%s) is not in today's state", number, id)
	}
	return t
}

// act runs a counter action that must succeed.
func (e *env) act(counter, action string, args ...string) *queue.CounterResult {
	e.t.Helper()
	return e.must(counterCmd(counter, action, args...)).(*queue.CounterResult)
}

// counterCmd builds a counter action; args are the ticket ID for call,
// the service for transfer, the reason for pause, the user for open.
func counterCmd(counter, action string, args ...string) queue.CounterAction {
	c := queue.CounterAction{CounterID: counter, Action: action, UserID: "u1"}
	arg := ""
	if len(args) > 0 {
		arg = args[0]
	}
	switch action {
	case queue.ActCall:
		c.TicketID = arg
	case queue.ActTransfer:
		c.ServiceID = arg
	case queue.ActPause:
		c.Reason = arg
	case queue.ActOpen:
		if arg != "" {
			c.UserID = arg
		}
	}
	return c
}

// openCounter opens a counter for a user.
func (e *env) openCounter(counter, user string) {
	e.t.Helper()
	e.act(counter, queue.ActOpen, user)
}

func (e *env) events(after uint64) []queue.Event {
	e.t.Helper()
	evs, err := e.db.Events(after, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func types(evs []queue.Event) []string {
	out := []string{}
	for _, ev := range evs {
		out = append(out, ev.Type)
	}
	return out
}

// checkSeqs checks that the whole event log is numbered 1, 2, 3, ... and
// ends at the state's seq.
func (e *env) checkSeqs() []queue.Event {
	e.t.Helper()
	evs := e.events(0)
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			e.t.Fatalf("event %d has seq %d, want %d (gap or repeat)", i, ev.Seq, i+1)
		}
	}
	if n := uint64(len(evs)); n != e.st().Seq {
		e.t.Fatalf("the log holds %d events, the state's seq is %d", n, e.st().Seq)
	}
	return evs
}

// snapshot is everything observable about the engine and its store, for
// checking that a refused command changed nothing.
type snapshot struct {
	Seq      uint64
	Day      string
	Board    string
	Counters []queue.Counter
	Tickets  []queue.Ticket // the state's version of every stored ticket
	Stored   []queue.Ticket
	Waiting  map[string][]string
	Quota    map[string]int
	Events   []queue.Event
	LastSeq  uint64
	Services []queue.Service
}

func (e *env) snapshot() snapshot {
	e.t.Helper()
	st := e.st()
	board, _ := json.Marshal(st.Board())
	s := snapshot{Seq: st.Seq, Day: st.Day, Board: string(board), Waiting: map[string][]string{}, Quota: map[string]int{}, Events: e.events(0)}
	for _, c := range st.Counters() {
		s.Counters = append(s.Counters, *c)
	}
	for _, svc := range st.Services() {
		s.Services = append(s.Services, *svc)
		for _, t := range st.Waiting(svc.ID) {
			s.Waiting[svc.ID] = append(s.Waiting[svc.ID], t.ID)
		}
		s.Quota[svc.ID] = st.QuotaLeft(svc.ID)
	}
	stored, err := e.db.Tickets(queue.TicketFilter{Day: st.Day})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, t := range stored {
		s.Stored = append(s.Stored, *t)
		if cur := st.Ticket(t.ID); cur != nil {
			s.Tickets = append(s.Tickets, *cur)
		} else {
			s.Tickets = append(s.Tickets, queue.Ticket{ID: t.ID + " missing"})
		}
	}
	if n := len(s.Events); n > 0 {
		s.LastSeq = s.Events[n-1].Seq
	}
	return s
}

// refuse runs a command that must fail with code and checks that neither
// the state nor the store changed.
func (e *env) refuse(cmd queue.Command, code string) {
	e.t.Helper()
	before := e.snapshot()
	_, err := e.apply(cmd)
	if err == nil {
		e.t.Fatalf("%T %+v: succeeded, want %s", cmd, cmd, code)
	}
	if got := queue.ErrorCode(err); got != code {
		e.t.Fatalf("%T %+v: error %v (code %s), want %s", cmd, cmd, err, got, code)
	}
	after := e.snapshot()
	if !reflect.DeepEqual(before, after) {
		b, _ := json.MarshalIndent(before, "", " ")
		a, _ := json.MarshalIndent(after, "", " ")
		e.t.Fatalf("%T %+v was refused (%s) but changed state or store:\nbefore %s\nafter %s", cmd, cmd, code, b, a)
	}
}

func numbers(ts []*queue.Ticket) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, t.Number)
	}
	return out
}

func intp(p *int) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// ---- concurrency ----

func TestConcurrentIssue(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.openCounter("k1", "u1")
	const n = 400
	services := []string{"svc-a", "svc-b", "svc-c"}
	codes := map[string]string{"svc-a": "A", "svc-b": "B", "svc-c": "C"}
	seqBefore := e.st().Seq
	base := e.now
	got := make([]*queue.Ticket, n)
	errs := make([]error, n)

	// Readers walk the published snapshots while the writer changes them.
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 3 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				st := e.eng.State()
				_ = st.Board()
				for _, sid := range services {
					w := st.Waiting(sid)
					for _, tk := range w[:min(len(w), 10)] {
						_ = st.Public(tk)
					}
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}

	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := queue.IssueTicket{ServiceID: services[i%3], Priority: i%7 == 0, Channel: queue.ChannelKiosk, Key: fmt.Sprintf("ck-%d", i)}
			v, err := e.eng.Apply(context.Background(), base.Add(time.Duration(i%5)*time.Millisecond), cmd)
			if err != nil {
				errs[i] = err
				return
			}
			got[i] = v.(*queue.Issued).Ticket
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()

	ids := map[string]bool{}
	indexes := map[int]bool{}
	perService := map[string][]int{}
	for i, tk := range got {
		if errs[i] != nil {
			t.Fatalf("issue %d: %v", i, errs[i])
		}
		if ids[tk.ID] {
			t.Fatalf("ticket ID %s issued twice", tk.ID)
		}
		ids[tk.ID] = true
		indexes[tk.Index] = true
		if tk.ServiceID != services[i%3] {
			t.Fatalf("issue %d went to %s", i, tk.ServiceID)
		}
		if want := fmt.Sprintf("%s%03d", codes[tk.ServiceID], tk.Seq); tk.Number != want {
			t.Fatalf("ticket seq %d has number %s, want %s", tk.Seq, tk.Number, want)
		}
		perService[tk.ServiceID] = append(perService[tk.ServiceID], tk.Seq)
		if st := e.st().Ticket(tk.ID); st == nil || st.Number != tk.Number {
			t.Fatalf("ticket %s missing from the state", tk.ID)
		}
	}
	for i := 1; i <= n; i++ {
		if !indexes[i] {
			t.Fatalf("ticket index %d missing: indexes are not 1..%d", i, n)
		}
	}
	for _, sid := range services {
		seqs := perService[sid]
		slices.Sort(seqs)
		for i, s := range seqs {
			if s != i+1 {
				t.Fatalf("%s numbers are not contiguous: position %d holds %d", sid, i, s)
			}
		}
		if want := (n + 2 - slices.Index(services, sid)) / 3; len(seqs) != want {
			t.Fatalf("%s got %d tickets, want %d", sid, len(seqs), want)
		}
		if w := len(e.st().Waiting(sid)); w != len(seqs) {
			t.Fatalf("%s: %d waiting, want %d", sid, w, len(seqs))
		}
	}
	evs := e.checkSeqs()
	issued := 0
	for _, ev := range evs[seqBefore:] {
		if ev.Type == "ticket.issued" {
			issued++
		}
	}
	if issued != n {
		t.Fatalf("%d ticket.issued events, want %d", issued, n)
	}
	stored, err := e.db.Tickets(queue.TicketFilter{Day: e.st().Day})
	if err != nil || len(stored) != n {
		t.Fatalf("store holds %d tickets (%v), want %d", len(stored), err, n)
	}
}

// ---- ETA ----

// OnCommit hears of every commit that wrote something, with its size
// and time: the commands of all of them add up to the commands sent,
// and State.Tickets sees every ticket they issued.
func TestOnCommit(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	var (
		mu       sync.Mutex
		commits  int
		commands int
		bad      []string
	)
	e.close()
	e.onCommit = func(n int, took time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		commits++
		commands += n
		if n < 1 || took <= 0 || took > time.Minute {
			bad = append(bad, fmt.Sprintf("%d commands in %v", n, took))
		}
	}
	e.open()
	mu.Lock()
	commits, commands = 0, 0 // the day's start at Open
	mu.Unlock()
	const n = 64
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := e.eng.Apply(context.Background(), e.now, queue.IssueTicket{ServiceID: "svc-a", Channel: queue.ChannelKiosk, Key: fmt.Sprint("k", i)}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	// The housekeeping timer may add a command of its own to a group.
	if commands < n || commands > n+2 || commits < 1 || commits > commands {
		t.Errorf("OnCommit heard %d commits of %d commands in all, want %d commands", commits, commands, n)
	}
	if len(bad) > 0 {
		t.Errorf("OnCommit got %v", bad)
	}
	seen := 0
	for tk := range e.st().Tickets() {
		if tk.ServiceID == "svc-a" {
			seen++
		}
	}
	if seen != n {
		t.Errorf("State.Tickets saw %d tickets of svc-a, want %d", seen, n)
	}
}

func TestETA(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	var ts []*queue.Ticket
	for range 5 {
		iss := e.must(e.issueCmd("svc-a", false)).(*queue.Issued)
		if iss.EtaMin != nil {
			t.Fatalf("eta_min %d with no counter open, want nil", *iss.EtaMin)
		}
		e.ids[iss.Ticket.Number] = iss.Ticket.ID
		ts = append(ts, iss.Ticket)
	}
	fifth := func() *queue.PublicTicket { return e.st().Public(e.st().Ticket(ts[4].ID)) }
	if p := fifth(); p.EtaMin != nil || intp(p.Position) != "5" || intp(p.PeopleAhead) != "4" {
		t.Fatalf("no counter open: position %s, ahead %s, eta %s; want 5, 4, nil", intp(p.Position), intp(p.PeopleAhead), intp(p.EtaMin))
	}
	for _, bs := range e.st().Board().Services {
		if bs.EtaMin != nil {
			t.Fatalf("board: service %s eta %d with no counter open", bs.ID, *bs.EtaMin)
		}
	}

	e.openCounter("k1", "u1")
	if got := intp(fifth().EtaMin); got != "40" {
		t.Fatalf("one counter, 4 ahead, 10 min: eta %s, want 40", got)
	}
	e.openCounter("k3", "u3")
	if got := intp(fifth().EtaMin); got != "20" {
		t.Fatalf("two counters, 4 ahead, 10 min: eta %s, want 20", got)
	}
	if got := intp(e.st().ETA("svc-a", 4)); got != "20" {
		t.Fatalf("State.ETA(4): %s, want 20", got)
	}
	if got := intp(e.st().ETA("svc-a", 3)); got != "15" {
		t.Fatalf("State.ETA(3): %s, want 15", got)
	}
	iss := e.must(e.issueCmd("svc-a", false)).(*queue.Issued)
	e.ids[iss.Ticket.Number] = iss.Ticket.ID
	if iss.Position != 6 || intp(iss.EtaMin) != "25" {
		t.Fatalf("issued 6th: position %d eta %s, want 6 and 25", iss.Position, intp(iss.EtaMin))
	}
	if got := intp(e.st().ETA("svc-c", 0)); got != "nil" {
		t.Fatalf("svc-c has no open counter: eta %s, want nil", got)
	}
	e.act("k3", queue.ActPause, "istirahat")
	if got := intp(fifth().EtaMin); got != "40" {
		t.Fatalf("a paused counter is not open: eta %s, want 40", got)
	}
	e.openCounter("k3", "u3")

	// Real service times replace the configured average: 4 min (from
	// serving) and 6 min (from the call, never started) average 5 min.
	e.at("2026-11-26 09:00:00")
	e.act("k1", queue.ActNext) // A001 called 09:00:00
	e.at("2026-11-26 09:01:00")
	e.act("k1", queue.ActStart) // serving 09:01
	e.at("2026-11-26 09:05:00")
	e.act("k1", queue.ActDone) // done 09:05: 4 min
	if got := e.st().AvgServiceTime("svc-a"); got != 4*time.Minute {
		t.Fatalf("average after one 4 min service: %v", got)
	}
	e.at("2026-11-26 09:10:00")
	e.act("k1", queue.ActNext) // A002 called 09:10
	e.at("2026-11-26 09:16:00")
	r := e.act("k1", queue.ActNext) // A002 done 09:16 (6 min), A003 called
	if r.Current == nil || r.Current.Number != "A003" {
		t.Fatalf("next called %v, want A003", r.Current)
	}
	if got := e.st().AvgServiceTime("svc-a"); got != 5*time.Minute {
		t.Fatalf("average of 4 and 6 min: %v, want 5m", got)
	}
	// Waiting: A004, A005, A006; A006 has 2 ahead: 2*5/2 = 5.
	p := e.st().Public(e.tk("A006"))
	if intp(p.PeopleAhead) != "2" || intp(p.EtaMin) != "5" {
		t.Fatalf("A006: ahead %s eta %s, want 2 and 5", intp(p.PeopleAhead), intp(p.EtaMin))
	}
	if got := intp(e.st().ETA("svc-a", 3)); got != "8" { // 7.5 rounds up
		t.Fatalf("ETA(3) at 5 min avg, 2 counters: %s, want 8", got)
	}
	// Another service keeps its configured average.
	if got := e.st().AvgServiceTime("svc-b"); got != 10*time.Minute {
		t.Fatalf("svc-b average %v, want the configured 10m", got)
	}
}

// ---- restart ----

func TestRestartContinuity(t *testing.T) {
	e := newEnv(t, "Asia/Makassar", "2026-11-26 08:00:00")
	e.updateService("svc-a", func(s *queue.Service) { s.DailyQuota = 10 })
	e.issue("svc-a", false) // A001
	e.issue("svc-a", true)  // A002 priority
	e.issue("svc-a", false) // A003
	e.issue("svc-b", false) // B001
	e.issue("svc-a", false) // A004
	e.must(queue.CancelTicket{TicketID: e.ids["A004"]})
	e.openCounter("k1", "u1")
	r := e.act("k1", queue.ActNext)
	if r.Current == nil || r.Current.Number != "A002" {
		t.Fatalf("next called %v, want the priority A002", r.Current)
	}
	sess := &queue.Session{TokenHash: "th-1", UserID: "u1", CSRFToken: "csrf", Created: e.now, Expires: e.now.Add(12 * time.Hour)}
	e.must(queue.CreateSession{Session: sess})

	before := e.st()
	beforeEvents := e.checkSeqs()
	waitA := numbers(before.Waiting("svc-a"))
	positions := map[string]int{}
	for _, n := range []string{"A001", "A003", "B001"} {
		positions[n] = before.Position(e.tk(n))
	}
	quota := before.QuotaLeft("svc-a")
	if quota != 7 { // 4 issued, 1 cancelled
		t.Fatalf("quota left %d before restart, want 7", quota)
	}
	keyA1 := e.tk("A001").Key

	e.at("2026-11-26 10:00:00")
	e.restart()
	after := e.st()
	if after.Seq != before.Seq || after.Day != before.Day {
		t.Fatalf("after restart seq %d day %s, want %d %s", after.Seq, after.Day, before.Seq, before.Day)
	}
	if s := after.Session("th-1", e.now); s == nil || s.UserID != "u1" || s.CSRFToken != "csrf" {
		t.Fatalf("session after restart: %+v", s)
	}
	k1 := after.Counter("k1")
	if k1.Status != queue.CounterOpen || k1.OfficerID != "u1" || k1.CurrentID != e.ids["A002"] || k1.FrontStreak != 1 {
		t.Fatalf("k1 after restart: %+v", k1)
	}
	if cur := after.Ticket(k1.CurrentID); cur == nil || cur.Status != queue.Called || cur.CounterID != "k1" {
		t.Fatalf("k1's current after restart: %+v", cur)
	}
	if got := numbers(after.Waiting("svc-a")); !slices.Equal(got, waitA) {
		t.Fatalf("waiting after restart %v, want %v", got, waitA)
	}
	for n, p := range positions {
		if got := after.Position(e.tk(n)); got != p {
			t.Fatalf("position of %s after restart %d, want %d", n, got, p)
		}
	}
	if got := after.QuotaLeft("svc-a"); got != quota {
		t.Fatalf("quota left after restart %d, want %d", got, quota)
	}
	if got := e.tk("A001").Key; got != keyA1 || got == "" {
		t.Fatalf("ticket key after restart %q, want %q", got, keyA1)
	}
	if got := e.tk("A004").Status; got != queue.Cancelled {
		t.Fatalf("A004 after restart: %s", got)
	}
	if len(after.RecentCalls()) != 1 || after.RecentCalls()[0].Number != "A002" {
		t.Fatalf("recent calls after restart: %+v", after.RecentCalls())
	}

	if tk := e.issue("svc-a", false); tk.Number != "A005" || tk.Index != 6 {
		t.Fatalf("first ticket after restart %s (index %d), want A005 (index 6)", tk.Number, tk.Index)
	}
	if tk := e.issue("svc-b", false); tk.Number != "B002" {
		t.Fatalf("B after restart %s, want B002", tk.Number)
	}
	if got := e.st().QuotaLeft("svc-a"); got != quota-1 {
		t.Fatalf("quota left %d, want %d", got, quota-1)
	}
	// Routing continues: k1 has called one priority ticket; next is A001.
	if r := e.act("k1", queue.ActNext); r.Current.Number != "A001" {
		t.Fatalf("next after restart %s, want A001", r.Current.Number)
	}
	evs := e.checkSeqs()
	if evs[len(beforeEvents)].Seq != beforeEvents[len(beforeEvents)-1].Seq+1 {
		t.Fatal("seq did not continue after restart")
	}
	if !reflect.DeepEqual(evs[:len(beforeEvents)], beforeEvents) {
		t.Fatal("the event log before the restart changed")
	}
}

// ---- idempotency ----

func TestIdempotency(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	renders := 0
	render := func(st *queue.State, v any) (int, []byte) {
		renders++
		iss := v.(*queue.Issued)
		return 201, []byte(`{"number":"` + iss.Ticket.Number + `","seq":` + fmt.Sprint(st.Seq) + `}`)
	}
	req := func(key, body string, cmd queue.Command) queue.Request {
		return queue.Request{Now: e.now, Cmd: cmd, Idem: &queue.Idem{Key: key, BodyHash: body, TTL: 10 * time.Minute}, Render: render}
	}
	do := func(r queue.Request) (queue.Reply, error) {
		rep, err := e.eng.Do(context.Background(), r)
		e.now = e.now.Add(time.Second)
		return rep, err
	}
	cmd := e.issueCmd("svc-a", false)
	first, err := do(req("k", "h1", cmd))
	if err != nil || first.Replayed || first.Status != 201 || !strings.Contains(string(first.Body), `"A001"`) {
		t.Fatalf("first: %+v %v", first, err)
	}
	start := e.now.Add(-time.Second) // the first request's time
	seq := e.st().Seq

	e.at("2026-11-26 08:05:00")
	again, err := do(req("k", "h1", e.issueCmd("svc-a", false)))
	if err != nil || !again.Replayed || again.Status != first.Status || string(again.Body) != string(first.Body) {
		t.Fatalf("repeat: %+v %v; want the first answer replayed", again, err)
	}
	if e.st().Seq != seq || renders != 1 {
		t.Fatalf("the repeat changed something: seq %d→%d, renders %d", seq, e.st().Seq, renders)
	}

	before := e.snapshot()
	_, err = do(req("k", "h2", e.issueCmd("svc-a", false)))
	if queue.ErrorCode(err) != queue.EIdempotencyMismatch {
		t.Fatalf("other body, same key: %v, want idempotency_mismatch", err)
	}
	if !reflect.DeepEqual(before, e.snapshot()) {
		t.Fatal("a mismatch changed state or store")
	}

	// A refused request records nothing: its key stays free.
	if _, err := do(req("bad", "h1", e.issueCmd("svc-nope", false))); queue.ErrorCode(err) != queue.ENotFound {
		t.Fatalf("unknown service: %v", err)
	}
	if rep, err := do(req("bad", "h2", e.issueCmd("svc-a", false))); err != nil || rep.Replayed || !strings.Contains(string(rep.Body), `"A002"`) {
		t.Fatalf("key of a refused request reused: %+v %v", rep, err)
	}

	// The record survives a restart.
	e.at("2026-11-26 08:08:00")
	e.restart()
	again, err = do(req("k", "h1", e.issueCmd("svc-a", false)))
	if err != nil || !again.Replayed || string(again.Body) != string(first.Body) {
		t.Fatalf("repeat after restart: %+v %v", again, err)
	}
	if _, err := do(req("k", "h2", e.issueCmd("svc-a", false))); queue.ErrorCode(err) != queue.EIdempotencyMismatch {
		t.Fatalf("mismatch after restart: %v", err)
	}

	// Just before the TTL ends it is a repeat; at the TTL it is new.
	e.now = start.Add(10*time.Minute - time.Second)
	if again, err = do(req("k", "h1", e.issueCmd("svc-a", false))); err != nil || !again.Replayed {
		t.Fatalf("repeat 1 s before the TTL: %+v %v", again, err)
	}
	e.now = start.Add(10 * time.Minute)
	fresh, err := do(req("k", "h1", e.issueCmd("svc-a", false)))
	if err != nil || fresh.Replayed || !strings.Contains(string(fresh.Body), `"A003"`) {
		t.Fatalf("after the TTL: %+v %v; want a new ticket A003", fresh, err)
	}
	// ... and the new answer is what repeats now, also with another body
	// hash refused as before.
	if again, err = do(req("k", "h1", e.issueCmd("svc-a", false))); err != nil || !again.Replayed || string(again.Body) != string(fresh.Body) {
		t.Fatalf("repeat of the new request: %+v %v", again, err)
	}
	if n := len(e.st().Waiting("svc-a")); n != 3 {
		t.Fatalf("%d tickets waiting, want 3 (A001, A002, A003)", n)
	}
}

// ---- ticket IDs ----

func FuzzParseTicketID(f *testing.F) {
	for _, s := range []string{"20261126-1", "20261126-42", "20261126-999999999", "20261126-0", "20261126-01",
		"2026-11-26-1", "20261126-", "-1", "", "20261126-1000000000", "2026112a-1", "20261126-+1", "20261126--1", "20261126-1-2", "٢٠٢٦١١٢٦-1"} {
		f.Add(s, "2026-11-26", 1)
	}
	f.Fuzz(func(t *testing.T, id, day string, index int) {
		d, i, ok := queue.ParseTicketID(id)
		if ok {
			if i <= 0 || len(d) != 10 || d[4] != '-' || d[7] != '-' {
				t.Fatalf("ParseTicketID(%q) = %q, %d", id, d, i)
			}
			if back := queue.TicketID(d, i); back != id {
				t.Fatalf("ParseTicketID(%q) = %q, %d; TicketID gives %q", id, d, i, back)
			}
		} else if d != "" || i != 0 {
			t.Fatalf("ParseTicketID(%q) failed but returned %q, %d", id, d, i)
		}
		// Valid inputs round-trip: a date YYYY-MM-DD and an index 1..999999999.
		if _, err := time.Parse(queue.DateLayout, day); err == nil && len(day) == 10 && index > 0 && index < 1e9 {
			gd, gi, ok := queue.ParseTicketID(queue.TicketID(day, index))
			if !ok || gd != day || gi != index {
				t.Fatalf("TicketID(%q, %d) = %q parses to %q, %d, %v", day, index, queue.TicketID(day, index), gd, gi, ok)
			}
		}
	})
}
