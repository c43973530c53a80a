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

// While a group is being committed the engine applies the next one on top
// of it. When that commit fails, its callers get the error, and the next
// group is applied again to what is on disk: its ticket takes the number
// the failed one would have had, and nothing of the failed group remains.
func TestFailedCommitReappliesTheNextGroup(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	first := e.issue("svc-a", false)
	gs := newGatedStore(e.db)
	e.reopen(gs, queue.Options{})
	eng := e.eng
	seqBefore := e.st().Seq

	gs.holdNext(true)
	failed := make(chan error, 1)
	go func() {
		_, err := eng.Apply(context.Background(), e.now, e.issueCmd("svc-a", false))
		failed <- err
	}()
	<-gs.entered // the failing group is on its way to disk
	var (
		applied  = make(chan struct{}, 2)
		numbers_ []string
		mu       sync.Mutex
	)
	next := make(chan error, 1)
	go func() {
		_, err := eng.Do(context.Background(), queue.Request{
			Now: e.now.Add(time.Second),
			Cmd: e.issueCmd("svc-a", false),
			// Render runs each time the engine applies the request.
			Render: func(st *queue.State, v any) (int, []byte) {
				mu.Lock()
				numbers_ = append(numbers_, v.(*queue.Issued).Ticket.Number)
				mu.Unlock()
				applied <- struct{}{}
				return 201, nil
			},
		})
		next <- err
	}()
	<-applied // applied on top of the group being committed
	close(gs.release)

	if err := <-failed; err == nil {
		t.Fatal("the caller of the failed commit got no error")
	}
	if err := <-next; err != nil {
		t.Fatalf("the group after the failed one: %v", err)
	}
	mu.Lock()
	got := numbers_
	mu.Unlock()
	if len(got) != 2 || got[0] != "A003" || got[1] != "A002" {
		t.Errorf("the second ticket was applied as %v, want [A003 A002]: on top of the failed A002, then again without it", got)
	}
	if got := e.st().Seq; got != seqBefore+1 {
		t.Errorf("state seq %d after one committed issue, want %d", got, seqBefore+1)
	}
	e.checkSeqs()
	stored, err := e.db.Tickets(queue.TicketFilter{Day: first.Day})
	if err != nil {
		t.Fatal(err)
	}
	if got := numbers(stored); len(got) != 2 || got[0] != "A001" || got[1] != "A002" {
		t.Errorf("stored tickets %v, want [A001 A002]", got)
	}
	e.now = e.now.Add(2 * time.Second)
	e.restart()
	if n := e.issue("svc-a", false).Number; n != "A003" {
		t.Errorf("after a restart the next number is %s, want A003", n)
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

// flakyStore is the real store, slowed down, failing every nth commit.
type flakyStore struct {
	*storage.DB
	n     atomic.Int64
	every int64
	delay time.Duration
}

func (s *flakyStore) Commit(b *queue.Batch) error {
	time.Sleep(s.delay)
	if s.n.Add(1)%s.every == 0 {
		return errors.New("I/O error")
	}
	return s.DB.Commit(b)
}

// Under concurrent issues (some given up by their callers), counters
// calling, and every fourth commit failing, whatever the group settings:
// every acknowledged ticket is on disk after a restart, numbers run 1..n
// per service with no gap, the event log has no gap, and publishers see
// every committed event once, in order, with its state.
func TestPipelineUnderFaults(t *testing.T) {
	for _, c := range []struct {
		name string
		opts queue.Options
	}{
		{"no group wait", queue.Options{GroupWait: -1}},
		{"default", queue.Options{}},
		{"long wait, small groups", queue.Options{GroupWait: 5 * time.Millisecond, MaxGroup: 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
			e.openCounter("k1", "u1")
			e.act("k3", queue.ActOpen, "u3")
			now := e.now
			e.reopen(&flakyStore{DB: e.db, every: 4, delay: 300 * time.Microsecond}, c.opts)
			pub := &checkingPublisher{eng: e.eng, last: e.st().Seq}
			e.eng.Subscribe(pub)

			var (
				mu    sync.Mutex
				acked []string
				wg    sync.WaitGroup
				stop  atomic.Bool
			)
			for i := range 24 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(i), 1))
					for !stop.Load() {
						ctx, cancel := context.Background(), context.CancelFunc(func() {})
						if i%4 == 0 { // some callers give up quickly
							ctx, cancel = context.WithTimeout(ctx, time.Duration(rng.IntN(200))*time.Microsecond)
						}
						svc := []string{"svc-a", "svc-b", "svc-c"}[rng.IntN(3)]
						v, err := e.eng.Apply(ctx, now, e.issueCmd(svc, rng.IntN(5) == 0))
						cancel()
						if err == nil {
							mu.Lock()
							acked = append(acked, v.(*queue.Issued).Ticket.ID)
							mu.Unlock()
						}
					}
				}()
			}
			for _, k := range []struct{ counter, user string }{{"k1", "u1"}, {"k3", "u3"}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stop.Load() {
						cmd := counterCmd(k.counter, queue.ActNext)
						cmd.UserID = k.user
						e.eng.Apply(context.Background(), now, cmd)
						time.Sleep(200 * time.Microsecond)
					}
				}()
			}
			time.Sleep(400 * time.Millisecond)
			stop.Store(true)
			wg.Wait()

			pub.mu.Lock()
			if len(pub.errs) > 0 {
				t.Errorf("publisher saw %d problems, first: %s", len(pub.errs), pub.errs[0])
			}
			pub.mu.Unlock()
			if len(acked) < 50 {
				t.Fatalf("only %d tickets acknowledged", len(acked))
			}
			e.now = now.Add(time.Second)
			e.restart()
			for _, id := range acked {
				if tk, err := e.db.Ticket(id); err != nil || tk == nil {
					t.Fatalf("acknowledged ticket %s is not on disk (%v)", id, err)
				}
			}
			stored, err := e.db.Tickets(queue.TicketFilter{Day: e.st().Day})
			if err != nil {
				t.Fatal(err)
			}
			next := map[string]int{}
			for _, tk := range stored {
				code := tk.Number[:1]
				next[code]++
				if want := fmt.Sprintf("%s%03d", code, next[code]); tk.Number != want {
					t.Fatalf("ticket %s has number %s, want %s: numbers must run without gaps", tk.ID, tk.Number, want)
				}
			}
			if len(stored) < len(acked) {
				t.Errorf("%d tickets stored, %d acknowledged", len(stored), len(acked))
			}
			e.checkSeqs()
		})
	}
}

// recordingPublisher keeps every published event.
type recordingPublisher struct {
	mu  sync.Mutex
	evs []queue.Event
}

func (p *recordingPublisher) Publish(evs []queue.Event, _ *queue.State) {
	p.mu.Lock()
	p.evs = append(p.evs, evs...)
	p.mu.Unlock()
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

	pub.mu.Lock()
	evs := pub.evs
	pub.mu.Unlock()
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
