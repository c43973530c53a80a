package queue_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// applyAt runs a command at exactly now (e.apply moves on a second).
func (e *env) applyAt(now time.Time, cmd queue.Command) any {
	e.t.Helper()
	v, err := e.eng.Apply(context.Background(), now, cmd)
	if err != nil {
		e.t.Fatalf("%T %+v: %v", cmd, cmd, err)
	}
	if iss, ok := v.(*queue.Issued); ok {
		e.ids[iss.Ticket.Number] = iss.Ticket.ID
	}
	return v
}

// callOrder calls every waiting ticket at a counter and returns the
// numbers in call order.
func (e *env) callOrder(counter string) []string {
	e.t.Helper()
	var out []string
	for {
		r := e.act(counter, queue.ActNext)
		if r.Current == nil {
			return out
		}
		out = append(out, r.Current.Number)
	}
}

// API.md, queue order: among tickets of equal rank, the one that entered
// its queue first is called first, even within the same second and after
// a restart. A001 is issued before C001 but transferred into C's queue in
// the second C001 was issued: it waits behind C001.
func TestTransferInTheSameSecondQueuesBehind(t *testing.T) {
	for _, restart := range []bool{false, true} {
		e := newEnv(t, "Asia/Jayapura", "2026-12-31 23:58:00")
		e.openCounter("k1", "u1")
		e.issue("svc-a", false)    // A001, the older ticket
		e.act("k1", queue.ActNext) // k1 calls A001
		same := e.now.Add(time.Minute)
		e.applyAt(same, e.issueCmd("svc-c", false)) // C001
		e.applyAt(same, counterCmd("k1", queue.ActTransfer, "svc-c"))
		e.applyAt(same, e.issueCmd("svc-c", false)) // C002, after the transfer
		want := []string{"C001", "A001", "C002"}
		if got := numbers(e.st().Waiting("svc-c")); !slices.Equal(got, want) {
			t.Fatalf("svc-c waits %v, want %v", got, want)
		}
		if restart {
			e.now = same.Add(time.Second)
			e.restart()
			if got := numbers(e.st().Waiting("svc-c")); !slices.Equal(got, want) {
				t.Fatalf("after a restart svc-c waits %v, want %v", got, want)
			}
		}
		for i, n := range want {
			if p := e.st().Position(e.tk(n)); p != i+1 {
				t.Errorf("restart=%v: %s has position %d, want %d", restart, n, p, i+1)
			}
		}
		e.openCounter("k2", "u2")
		if got := e.callOrder("k2"); !slices.Equal(got, want) {
			t.Errorf("restart=%v: k2 called %v, want %v", restart, got, want)
		}
	}
}

// A clock stepped back while the server was down (NTP at boot) does not
// make time run backwards: the engine goes on from the latest stored
// time, and tickets issued and transferred after the restart queue behind
// those already waiting.
func TestClockSteppedBackAcrossRestart(t *testing.T) {
	e := newEnv(t, "Asia/Makassar", "2026-09-29 10:00:00")
	e.openCounter("k1", "u1")
	e.issue("svc-a", false) // A001 at 10:00:xx
	e.issue("svc-a", false) // A002
	e.issue("svc-b", false) // B001
	e.act("k1", queue.ActNext)
	lastBefore := e.st().Now()

	// Down, and back with the clock an hour behind.
	e.close()
	back := lastBefore.Add(-time.Hour)
	e.clk.Set(back)
	e.open()
	if now := e.st().Now(); now.Before(lastBefore) {
		t.Fatalf("after the restart the engine's time is %s, before the last stored %s", now, lastBefore)
	}
	e.applyAt(back, e.issueCmd("svc-a", false)) // A003
	e.applyAt(back, counterCmd("k1", queue.ActTransfer, "svc-a"))
	a3 := e.tk("A003")
	if a3.IssuedAt.Before(lastBefore) {
		t.Errorf("A003 issued at %s, before the last time stored %s", a3.IssuedAt, lastBefore)
	}
	want := []string{"A002", "A003", "A001"}
	if got := numbers(e.st().Waiting("svc-a")); !slices.Equal(got, want) {
		t.Fatalf("svc-a waits %v, want %v", got, want)
	}
	e.restart()
	if got := numbers(e.st().Waiting("svc-a")); !slices.Equal(got, want) {
		t.Fatalf("after a second restart svc-a waits %v, want %v", got, want)
	}
	// k1 serves A and B: B001 entered its queue between A002 and A003.
	if got, want := e.callOrder("k1"), []string{"A002", "B001", "A003", "A001"}; !slices.Equal(got, want) {
		t.Errorf("k1 called %v, want %v", got, want)
	}
	e.checkSeqs()
}

// What the lobby and the estimates show is the same after a restart as
// before it: recent calls include calls that ended in a no-show or a
// transfer and call-backs, and the service times behind the estimates are
// the same, in the same order, also for tickets finished in one second.
func TestRecentCallsAndEstimatesSurviveRestart(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-30 23:30:00")
	e.openCounter("k1", "u1")
	e.openCounter("k3", "u3")
	e.openCounter("k2", "u2")
	for range 14 {
		e.issue("svc-a", false)
	}
	for range 3 {
		e.issue("svc-b", false)
		e.issue("svc-c", false)
	}
	// Serve, with finishes of two counters in one second.
	for i := range 6 {
		e.act("k1", queue.ActNext)
		e.act("k3", queue.ActNext)
		e.at(e.now.Add(time.Duration(40+i*17) * time.Second).Format(stamp))
		same := e.now
		e.applyAt(same, counterCmd("k1", queue.ActDone))
		e.applyAt(same, counterCmd("k3", queue.ActDone))
	}
	noShow := e.act("k1", queue.ActNext).Current.ID
	e.act("k1", queue.ActNoShow)
	e.act("k3", queue.ActNext)
	e.act("k3", queue.ActRecall)
	e.act("k3", queue.ActTransfer, "svc-c")
	e.act("k2", queue.ActNext)
	e.act("k2", queue.ActStart)
	e.at(e.now.Add(3 * time.Minute).Format(stamp))
	e.act("k2", queue.ActNext)
	e.act("k1", queue.ActCall, noShow) // called back
	e.checkInvariants()

	before := observe(e)
	e.now = e.now.Add(time.Second)
	e.restart()
	after := observe(e)
	if before != after {
		t.Fatalf("before the restart:\n%s\nafter:\n%s", before, after)
	}
	if n := len(e.st().RecentCalls()); n != 10 {
		t.Errorf("%d recent calls, want the 10 kept", n)
	}
}

// observe renders what screens and estimates show: the board (with its
// recent calls), and each service's average service time and estimates.
func observe(e *env) string {
	e.t.Helper()
	st := e.st()
	type svc struct {
		ID  string
		Avg time.Duration
		ETA []*int
	}
	var out struct {
		Board    *queue.Board
		Services []svc
	}
	out.Board = st.Board()
	for _, s := range st.Services() {
		v := svc{ID: s.ID, Avg: st.AvgServiceTime(s.ID)}
		for ahead := range 5 {
			v.ETA = append(v.ETA, st.ETA(s.ID, ahead))
		}
		out.Services = append(out.Services, v)
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}
