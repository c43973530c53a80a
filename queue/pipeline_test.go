package queue_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// gatedStore is the real store with injected faults: the commit it is told
// to hold waits at a gate, then fails (as a full or broken disk would,
// writing nothing) or goes through.
type gatedStore struct {
	*storage.DB
	mu      sync.Mutex
	hold    bool
	fail    bool
	entered chan struct{}
	release chan struct{}
}

func newGatedStore(db *storage.DB) *gatedStore {
	return &gatedStore{DB: db, entered: make(chan struct{}), release: make(chan struct{})}
}

// holdNext makes the next commit wait at the gate, then fail or not.
func (s *gatedStore) holdNext(fail bool) {
	s.mu.Lock()
	s.hold, s.fail = true, fail
	s.mu.Unlock()
}

func (s *gatedStore) Commit(b *queue.Batch) error {
	s.mu.Lock()
	hold, fail := s.hold, s.fail
	s.hold = false
	s.mu.Unlock()
	if hold {
		close(s.entered)
		<-s.release
		if fail {
			return errors.New("no space left on device")
		}
	}
	return s.DB.Commit(b)
}

// reopen closes e's engine and opens another on store with opts.
func (e *env) reopen(store queue.Store, opts queue.Options) {
	e.t.Helper()
	e.eng.Close()
	opts.Clock, opts.Location = e.clk.Now, e.loc
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // failed commits are expected here
	eng, err := queue.Open(store, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.eng = eng
}

// faultStore is the real store whose nth commit fails, held at a gate
// first when asked. A "landed" failure writes the commit, then reports an
// error, as when bbolt's second fsync (of the meta page) fails after the
// page reached the disk (bbolt #233); otherwise nothing is written, as
// with a full disk.
type faultStore struct {
	*storage.DB
	failAt  int64
	landed  bool
	gate    bool
	n       atomic.Int64
	entered chan struct{}
	release chan struct{}
}

func newFaultStore(db *storage.DB, failAt int64, landed, gate bool) *faultStore {
	return &faultStore{DB: db, failAt: failAt, landed: landed, gate: gate, entered: make(chan struct{}), release: make(chan struct{})}
}

func (s *faultStore) Commit(b *queue.Batch) error {
	if s.n.Add(1) != s.failAt {
		return s.DB.Commit(b)
	}
	if s.gate {
		close(s.entered)
		<-s.release
	}
	if s.landed {
		if err := s.DB.Commit(b); err != nil {
			return err
		}
	}
	return errors.New("fdatasync: input/output error")
}

// idemIssue issues a ticket with an Idempotency-Key; the answer's body is
// the ticket's number. applied, when set, hears each time the engine
// applies the request.
func (e *env) idemIssue(ctx context.Context, key string, now time.Time, applied chan<- string) (queue.Reply, error) {
	cmd := queue.IssueTicket{ServiceID: "svc-a", Channel: queue.ChannelKiosk, Key: "visitor-" + key}
	return e.eng.Do(ctx, queue.Request{
		Now: now, Cmd: cmd,
		Idem: &queue.Idem{Key: key, BodyHash: "issue svc-a"},
		Render: func(st *queue.State, v any) (int, []byte) {
			n := v.(*queue.Issued).Ticket.Number
			if applied != nil {
				applied <- n
			}
			return 201, []byte(n)
		},
	})
}

// A commit that fails stops the engine (fail-stop): whether the failed
// group is on disk is unknown, so its callers, those of the group applied
// on top of it and every later caller are answered unavailable, nothing of
// it is published, and the engine says why. After a restart, a retry with
// the same Idempotency-Key answers the truth: the first answer again when
// the commit landed, a ticket applied afresh when it did not.
func TestFailedCommitStopsTheEngine(t *testing.T) {
	for _, landed := range []bool{true, false} {
		t.Run(fmt.Sprintf("landed=%v", landed), func(t *testing.T) {
			e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
			e.issue("svc-a", false) // A001
			fs := newFaultStore(e.db, 1, landed, true)
			e.reopen(fs, queue.Options{})
			pub := &recordingPublisher{}
			e.eng.Subscribe(pub)
			before := e.st()

			first := make(chan error, 1)
			go func() {
				_, err := e.idemIssue(context.Background(), "k1", e.now, nil)
				first <- err
			}()
			<-fs.entered // the failing group is on its way to disk
			applied := make(chan string, 1)
			second := make(chan error, 1)
			go func() {
				_, err := e.idemIssue(context.Background(), "k2", e.now.Add(time.Second), applied)
				second <- err
			}()
			if n := <-applied; n != "A003" {
				t.Fatalf("the next group was applied as %s, want A003 on top of the committing A002", n)
			}
			close(fs.release)
			for name, ch := range map[string]chan error{"failed group": first, "group on top": second} {
				if err := <-ch; queue.ErrorCode(err) != queue.EUnavailable {
					t.Errorf("%s: %v, want unavailable", name, err)
				}
			}
			<-e.eng.Failed()
			if err := e.eng.Err(); err == nil || !strings.Contains(err.Error(), "input/output error") {
				t.Errorf("Err() = %v, want the commit's cause", err)
			}
			if _, err := e.eng.Apply(context.Background(), e.now, e.issueCmd("svc-a", false)); queue.ErrorCode(err) != queue.EUnavailable {
				t.Errorf("a request after the failure: %v, want unavailable", err)
			}
			if e.st() != before {
				t.Error("the engine published a state after the failed commit")
			}
			if evs := pub.all(); len(evs) != 0 {
				t.Errorf("%d events of the failed commit were published", len(evs))
			}

			// The restart loads what the disk holds.
			e.now = e.now.Add(time.Minute)
			e.restart()
			stored, err := e.db.Tickets(queue.TicketFilter{Day: e.st().Day})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"A001"}
			if landed {
				want = append(want, "A002")
			}
			if got := numbers(stored); !slices.Equal(got, want) {
				t.Fatalf("on disk after the restart: %v, want %v", got, want)
			}
			rep, err := e.idemIssue(context.Background(), "k1", e.now, nil)
			if err != nil || string(rep.Body) != "A002" || rep.Replayed != landed {
				t.Errorf("retry of k1: %s replayed=%v (%v), want A002 replayed=%v", rep.Body, rep.Replayed, err, landed)
			}
			rep, err = e.idemIssue(context.Background(), "k2", e.now, nil)
			if err != nil || string(rep.Body) != "A003" || rep.Replayed {
				t.Errorf("retry of k2: %s replayed=%v (%v), want a fresh A003", rep.Body, rep.Replayed, err)
			}
			e.checkSeqs()
		})
	}
}

// Close answers every request queued before it, also while a commit is in
// flight and a group waits behind it, commits them all, and leaves no
// goroutine behind.
func TestCloseCommitsEveryQueuedRequest(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	gs := newGatedStore(e.db)
	e.reopen(gs, queue.Options{})
	eng := e.eng
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	gs.holdNext(false)
	const k = 40
	type answer struct {
		id  string
		err error
	}
	answers := make(chan answer, k+1)
	applied := make(chan struct{}, 2*k+2)
	issue := func() {
		rep, err := eng.Do(context.Background(), queue.Request{
			Now: e.now, Cmd: e.issueCmd("svc-a", false),
			Render: func(*queue.State, any) (int, []byte) {
				applied <- struct{}{}
				return 201, nil
			},
		})
		a := answer{err: err}
		if err == nil {
			a.id = rep.Value.(*queue.Issued).Ticket.ID
		}
		answers <- a
	}
	go issue()
	<-gs.entered // one commit in flight
	for range k {
		go issue()
	}
	for range k + 1 { // all applied: the held one, and k behind it
		<-applied
	}
	closed := make(chan struct{})
	go func() {
		eng.Close()
		close(closed)
	}()
	time.Sleep(20 * time.Millisecond)
	close(gs.release)
	<-closed
	e.eng = nil
	var ids []string
	for range k + 1 {
		a := <-answers
		if a.err != nil {
			t.Fatalf("a request queued before Close got %v", a.err)
		}
		ids = append(ids, a.id)
	}
	for _, id := range ids {
		if tk, err := e.db.Ticket(id); err != nil || tk == nil {
			t.Fatalf("acknowledged ticket %s is not on disk (%v)", id, err)
		}
	}
}

// checkingPublisher checks what the engine publishes: events in seq order
// without gaps, each batch with the state that holds it, and that state
// already published.
type checkingPublisher struct {
	eng  *queue.Engine
	mu   sync.Mutex
	last uint64
	errs []string
}

func (p *checkingPublisher) Publish(evs []queue.Event, st *queue.State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ev := range evs {
		if ev.Seq != p.last+1 {
			p.errs = append(p.errs, fmt.Sprintf("event %d after %d", ev.Seq, p.last))
		}
		p.last = ev.Seq
	}
	if st.Seq != p.last {
		p.errs = append(p.errs, fmt.Sprintf("published with a state at seq %d, events up to %d", st.Seq, p.last))
	}
	if p.eng.State() != st {
		p.errs = append(p.errs, "published before the state")
	}
}

// Under concurrent issues with Idempotency-Keys (some callers giving up
// early) and counters calling, one commit fails, landed or not, at some
// point. Every acknowledged ticket is on disk after the restart; every
// request answered unavailable, retried with its key, answers either its
// first answer (and that ticket is on disk) or a ticket applied afresh;
// numbers run 1..n per service; the event log has no gap; publishers saw
// every event published once, in order, and none after the failure.
func TestFailStopUnderLoad(t *testing.T) {
	for _, c := range []struct {
		name   string
		opts   queue.Options
		failAt int64
		landed bool
	}{
		{"no group wait, landed", queue.Options{GroupWait: -1}, 7, true},
		{"default, lost", queue.Options{}, 12, false},
		{"default, landed", queue.Options{}, 20, true},
		{"small groups, lost", queue.Options{GroupWait: 5 * time.Millisecond, MaxGroup: 3}, 30, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
			e.openCounter("k1", "u1")
			e.act("k3", queue.ActOpen, "u3")
			now := e.now
			e.reopen(newFaultStore(e.db, c.failAt, c.landed, false), c.opts)
			pub := &checkingPublisher{eng: e.eng, last: e.st().Seq}
			e.eng.Subscribe(pub)

			var (
				mu     sync.Mutex
				acked  = map[string]string{} // key → number
				failed []string              // keys answered with an error
				wg     sync.WaitGroup
			)
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(i), 1))
					for j := 0; ; j++ {
						key := fmt.Sprintf("c%d-%d", i, j)
						ctx, cancel := context.Background(), context.CancelFunc(func() {})
						if i%4 == 0 { // some callers give up quickly
							ctx, cancel = context.WithTimeout(ctx, time.Duration(rng.IntN(200))*time.Microsecond)
						}
						rep, err := e.idemIssue(ctx, key, now, nil)
						cancel()
						mu.Lock()
						if err == nil {
							acked[key] = string(rep.Body)
						} else { // unavailable, or given up: retried below
							failed = append(failed, key)
						}
						mu.Unlock()
						if queue.ErrorCode(err) == queue.EUnavailable {
							return
						}
					}
				}()
			}
			for _, k := range []struct{ counter, user string }{{"k1", "u1"}, {"k3", "u3"}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						cmd := counterCmd(k.counter, queue.ActNext)
						cmd.UserID = k.user
						if _, err := e.eng.Apply(context.Background(), now, cmd); queue.ErrorCode(err) == queue.EUnavailable {
							return
						}
					}
				}()
			}
			wg.Wait()
			<-e.eng.Failed()
			pub.mu.Lock()
			if len(pub.errs) > 0 {
				t.Errorf("publisher saw %d problems, first: %s", len(pub.errs), pub.errs[0])
			}
			published := pub.last
			pub.mu.Unlock()
			if len(acked) < 10 || len(failed) == 0 {
				t.Fatalf("%d acknowledged, %d unavailable: the fault came too early or never", len(acked), len(failed))
			}

			e.now = now.Add(time.Second)
			e.restart()
			if got := e.st().Seq; got < published || (got > published) != c.landed {
				t.Errorf("after the restart the log ends at %d; %d were published (landed=%v)", got, published, c.landed)
			}
			day := e.st().Day
			onDisk := func() map[string]*queue.Ticket {
				stored, err := e.db.Tickets(queue.TicketFilter{Day: day})
				if err != nil {
					t.Fatal(err)
				}
				m := map[string]*queue.Ticket{}
				for _, tk := range stored {
					m[tk.Number] = tk
				}
				return m
			}
			disk := onDisk()
			for key, n := range acked {
				if tk := disk[n]; tk == nil || tk.Key != "visitor-"+key {
					t.Fatalf("acknowledged %s (%s) is not on disk as it was answered", n, key)
				}
			}
			replays := 0
			for _, key := range failed {
				rep, err := e.idemIssue(context.Background(), key, e.now, nil)
				if err != nil {
					t.Fatalf("retry of %s: %v", key, err)
				}
				tk := onDisk()[string(rep.Body)]
				if tk == nil || tk.Key != "visitor-"+key {
					t.Fatalf("retry of %s answered %s, which is not its ticket on disk", key, rep.Body)
				}
				if rep.Replayed {
					replays++
					if disk[string(rep.Body)] == nil {
						t.Errorf("retry of %s replayed %s, which was not on disk before the retry", key, rep.Body)
					}
				}
			}
			if replays > 0 && !c.landed {
				t.Errorf("%d retries were replays, but the failed commit did not land", replays)
			}
			stored, err := e.db.Tickets(queue.TicketFilter{Day: day})
			if err != nil {
				t.Fatal(err)
			}
			// Nothing is on disk that neither an answer nor a retry told of.
			told := map[string]bool{}
			for key := range acked {
				told["visitor-"+key] = true
			}
			for _, key := range failed {
				told["visitor-"+key] = true
			}
			for _, tk := range stored {
				if !told[tk.Key] {
					t.Errorf("ticket %s is on disk, but no answer or retry told of it", tk.Number)
				}
			}
			next := map[string]int{}
			for _, tk := range stored {
				code := tk.Number[:1]
				next[code]++
				if want := fmt.Sprintf("%s%03d", code, next[code]); tk.Number != want {
					t.Fatalf("ticket %s has number %s, want %s: numbers must run without gaps", tk.ID, tk.Number, want)
				}
			}
			e.checkSeqs()
		})
	}
}

// recordingPublisher keeps every published event.
type recordingPublisher struct {
	mu      sync.Mutex
	evs     []queue.Event
	changed chan struct{} // closed and replaced at each Publish
}

func (p *recordingPublisher) Publish(evs []queue.Event, _ *queue.State) {
	p.mu.Lock()
	p.evs = append(p.evs, evs...)
	if p.changed != nil {
		close(p.changed)
		p.changed = nil
	}
	p.mu.Unlock()
}

func (p *recordingPublisher) all() []queue.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.evs)
}

// upTo waits until events up to seq are published and returns them all.
// The engine answers a group's callers before it publishes the group's
// events, so a caller that reads right after Do returns may be early.
func (p *recordingPublisher) upTo(t testing.TB, seq uint64) []queue.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		p.mu.Lock()
		if n := len(p.evs); n > 0 && p.evs[n-1].Seq >= seq {
			evs := slices.Clone(p.evs)
			p.mu.Unlock()
			return evs
		}
		if p.changed == nil {
			p.changed = make(chan struct{})
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-timeout:
			t.Fatalf("events up to %d were not published within 10 s", seq)
		}
	}
}

// Every event the engine makes carries its record, which is exactly
// json.Marshal of the event with its Data inside; the store keeps those
// bytes, so an event read back marshals to them too.
func TestEventRecordIsMarshal(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	pub := &recordingPublisher{}
	e.eng.Subscribe(pub)
	e.openCounter("k1", "u1")
	e.issue("svc-a", false)
	e.issue("svc-a", true)
	e.issue("svc-b", false)
	e.act("k1", queue.ActNext)
	e.act("k1", queue.ActRecall)
	e.act("k1", queue.ActStart)
	e.act("k1", queue.ActDone)
	e.act("k1", queue.ActNext)
	e.act("k1", queue.ActNoShow)
	e.act("k1", queue.ActNext)
	e.act("k1", queue.ActTransfer, "svc-c")
	e.must(queue.CancelTicket{TicketID: e.issue("svc-a", false).ID})
	e.act("k1", queue.ActPause, "istirahat <siang> & \"sholat\"")
	e.updateService("svc-b", func(s *queue.Service) { s.Name = "Kartu Keluarga — baru" })
	e.at("2026-11-27 00:00:05") // the day rolls
	e.issue("svc-a", false)

	evs := pub.upTo(t, e.st().Seq)
	types := map[string]bool{}
	for _, ev := range evs {
		types[ev.Type] = true
		want, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ev.Record, want) {
			t.Fatalf("%s #%d:\n record %s\n want   %s", ev.Type, ev.Seq, ev.Record, want)
		}
		if !bytes.Contains(ev.Record, append([]byte(`,"data":`), ev.Data...)) {
			t.Fatalf("%s #%d: the record does not hold Data", ev.Type, ev.Seq)
		}
	}
	if len(types) < 10 {
		t.Errorf("only %d event types covered: %v", len(types), types)
	}
	stored := e.events(evs[0].Seq - 1)
	if len(stored) != len(evs) {
		t.Fatalf("%d events stored, %d published", len(stored), len(evs))
	}
	for i, ev := range stored {
		got, _ := json.Marshal(ev)
		if !bytes.Equal(got, evs[i].Record) {
			t.Fatalf("stored %s #%d marshals to %s, the engine's record is %s", ev.Type, ev.Seq, got, evs[i].Record)
		}
	}
}
