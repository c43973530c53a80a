package queue_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// FuzzEngine plays random sequences of commands — issues (priority or
// not), every counter action with any argument, cancellations, time
// moving on (across midnight too), quota changes and restarts — against
// the real engine and store, and checks after each command what must
// always hold: no panic and no internal error, store and state agree,
// one current ticket per counter and each current at one counter, the
// waiting lists hold exactly the waiting tickets in queue order, numbers
// run 1..n per service and day without a gap or a repeat, an issue never
// takes a service past its quota, and the event log has no gap.
func FuzzEngine(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 9, 1, 3, 1, 4, 1, 6, 3, 200, 1, 3})
	f.Add([]byte{4, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 3, 1, 33, 1, 63, 2, 0, 3, 255, 3, 255, 3, 255, 3, 255, 0, 1})
	f.Add([]byte{1, 0, 1, 2, 0, 0, 0, 8, 0, 1, 1, 3, 1, 5, 1, 27, 1, 6, 1, 3, 1, 18, 5, 0, 1, 3})
	f.Add([]byte{0, 2, 1, 1, 1, 4, 0, 2, 1, 7, 1, 4, 1, 28, 1, 4, 1, 10, 5, 16, 1, 4})
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 400 {
			prog = prog[:400]
		}
		e := newFuzzEnv(t)
		for i := 0; i+1 < len(prog); i += 2 {
			e.step(prog[i], prog[i+1])
			e.checkInvariants()
			e.checkNumbers()
		}
		e.checkSeqs()
	})
}

func newFuzzEnv(t *testing.T) *env {
	t.Helper()
	loc := mustLoc(t, "Asia/Jayapura")
	e := &env{t: t, dir: t.TempDir(), zone: "Asia/Jayapura", loc: loc, clk: &fakeClock{}, ids: map[string]string{}, noSync: true}
	e.now = localTime(t, loc, "2026-12-31 22:30:00")
	e.clk.Set(e.now)
	e.open()
	t.Cleanup(e.close)
	e.setup()
	return e
}

var (
	fuzzServices = []string{"svc-a", "svc-b", "svc-c"}
	fuzzCounters = []string{"k1", "k2", "k3"}
	fuzzOfficer  = map[string]string{"k1": "u1", "k2": "u2", "k3": "u3"}
)

// step runs one command chosen by op with argument arg.
func (e *env) step(op, arg byte) {
	e.t.Helper()
	var (
		cmd   queue.Command
		issue string // the service of an issue, to check its quota
	)
	switch op % 6 {
	case 0:
		issue = fuzzServices[int(arg)%3]
		cmd = e.issueCmd(issue, arg&8 != 0)
	case 1:
		ctr := fuzzCounters[int(arg)%3]
		act := queue.CounterActions[int(arg)/3%len(queue.CounterActions)]
		c := queue.CounterAction{CounterID: ctr, Action: act, UserID: fuzzOfficer[ctr]}
		switch act {
		case queue.ActCall:
			c.TicketID = e.someTicket(int(arg) / 30)
		case queue.ActTransfer:
			c.ServiceID = fuzzServices[int(arg)/30%3]
		case queue.ActPause:
			c.Reason = "ISHOMA"
		}
		cmd = c
	case 2:
		cmd = queue.CancelTicket{TicketID: e.someTicket(int(arg))}
	case 3:
		e.now = e.now.Add(time.Duration(arg) * 17 * time.Second)
		return
	case 4:
		svc := *e.st().Service(fuzzServices[int(arg)%3])
		svc.DailyQuota = int(arg) / 3 % 5
		cmd = queue.PutService{Service: &svc}
	case 5:
		if arg%16 == 0 {
			e.restart()
		}
		return
	}
	v, err := e.eng.Apply(context.Background(), e.now, cmd)
	e.now = e.now.Add(time.Second)
	if err != nil {
		if code := queue.ErrorCode(err); code == queue.EInternal || code == queue.EUnavailable {
			e.t.Fatalf("%T %+v: %v", cmd, cmd, err)
		}
		return
	}
	if is, ok := v.(*queue.Issued); ok {
		e.ids[is.Ticket.Number] = is.Ticket.ID
		if q := e.st().Service(issue).DailyQuota; q > 0 && e.issuedToday(issue) > q {
			e.t.Fatalf("issue took %s past its quota of %d", issue, q)
		}
	}
}

// someTicket picks one of the tickets issued so far (or a made-up ID).
func (e *env) someTicket(n int) string {
	if len(e.ids) == 0 {
		return "20261231-1"
	}
	numbers := slices.Sorted(maps.Keys(e.ids))
	return e.ids[numbers[n%len(numbers)]]
}

// issuedToday counts today's tickets that a service issued, less
// cancelled ones (API.md's quota).
func (e *env) issuedToday(serviceID string) int {
	e.t.Helper()
	stored, err := e.db.Tickets(queue.TicketFilter{Day: e.st().Day})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, tk := range stored {
		if tk.IssuedServiceID == serviceID && tk.Status != queue.Cancelled {
			n++
		}
	}
	return n
}

// checkNumbers checks that each service's numbers today run 1..n.
func (e *env) checkNumbers() {
	e.t.Helper()
	stored, err := e.db.Tickets(queue.TicketFilter{Day: e.st().Day})
	if err != nil {
		e.t.Fatal(err)
	}
	next := map[string]int{}
	for _, tk := range stored {
		code := tk.Number[:1]
		next[code]++
		if want := fmt.Sprintf("%s%03d", code, next[code]); tk.Number != want || tk.Seq != next[code] {
			e.t.Fatalf("ticket %s is %s (seq %d), want %s: numbers run 1..n per service and day", tk.ID, tk.Number, tk.Seq, want)
		}
	}
}
