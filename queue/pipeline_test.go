package queue_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// faultyStore is the real store with one injected fault: the commit it is
// told to hold waits at a gate, then fails as a full or broken disk would,
// writing nothing.
type faultyStore struct {
	*storage.DB
	mu      sync.Mutex
	hold    bool
	entered chan struct{}
	release chan struct{}
}

func (s *faultyStore) Commit(b *queue.Batch) error {
	s.mu.Lock()
	hold := s.hold
	s.hold = false
	s.mu.Unlock()
	if hold {
		close(s.entered)
		<-s.release
		return errors.New("no space left on device")
	}
	return s.DB.Commit(b)
}

// While a group is being committed the engine applies the next one on top
// of it. When that commit fails, its callers get the error, and the next
// group is applied again to what is on disk: its ticket takes the number
// the failed one would have had, and nothing of the failed group remains.
func TestFailedCommitReappliesTheNextGroup(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	first := e.issue("svc-a", false)
	e.eng.Close()
	fs := &faultyStore{DB: e.db, entered: make(chan struct{}), release: make(chan struct{})}
	eng, err := queue.Open(fs, queue.Options{Clock: e.clk.Now, Location: e.loc})
	if err != nil {
		t.Fatal(err)
	}
	e.eng = eng
	seqBefore := e.st().Seq

	fs.mu.Lock()
	fs.hold = true
	fs.mu.Unlock()
	failed := make(chan error, 1)
	go func() {
		_, err := eng.Apply(context.Background(), e.now, e.issueCmd("svc-a", false))
		failed <- err
	}()
	<-fs.entered // the failing group is on its way to disk
	type answer struct {
		iss *queue.Issued
		err error
	}
	next := make(chan answer, 1)
	go func() {
		v, err := eng.Apply(context.Background(), e.now.Add(time.Second), e.issueCmd("svc-a", false))
		iss, _ := v.(*queue.Issued)
		next <- answer{iss, err}
	}()
	// Let the engine apply the second ticket on top of the first before
	// the first commit fails.
	time.Sleep(100 * time.Millisecond)
	close(fs.release)

	if err := <-failed; err == nil {
		t.Fatal("the caller of the failed commit got no error")
	}
	a := <-next
	if a.err != nil {
		t.Fatalf("the group after the failed one: %v", a.err)
	}
	if a.iss.Ticket.Number != "A002" {
		t.Errorf("the ticket after the failed commit is %s, want A002 (the failed A002 never happened)", a.iss.Ticket.Number)
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

// Close answers every request queued before it, also while groups wait
// for company and commits are in flight, and every ticket it acknowledged
// is on disk.
func TestCloseUnderLoadAnswersEveryone(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	now := e.now
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				v, err := e.eng.Apply(context.Background(), now, e.issueCmd("svc-a", false))
				if err != nil {
					return
				}
				mu.Lock()
				acked = append(acked, v.(*queue.Issued).Ticket.ID)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	e.eng.Close()
	wg.Wait() // every caller was answered
	e.eng = nil
	e.now = now.Add(time.Second)
	e.restart()
	if len(acked) < 64 {
		t.Fatalf("only %d tickets in 300 ms", len(acked))
	}
	for _, id := range acked {
		if tk, err := e.db.Ticket(id); err != nil || tk == nil {
			t.Fatalf("acknowledged ticket %s is not on disk (%v)", id, err)
		}
	}
	e.checkSeqs()
}
