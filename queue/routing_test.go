package queue_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

// modelOrder is ARCHITECTURE.md's routing for one queue, written out
// independently of the engine: front tickets (priority, appointments) go
// first, but after ratio front calls in a row a waiting regular ticket gets
// its turn; ratio 0 serves the front group strictly first. Within a group,
// oldest first. front[i] tells whether the i-th oldest ticket is front; the
// answer is the indexes in call order.
func modelOrder(front []bool, ratio, streak int) []int {
	var fq, rq []int
	for i, f := range front {
		if f {
			fq = append(fq, i)
		} else {
			rq = append(rq, i)
		}
	}
	var out []int
	for len(fq) > 0 || len(rq) > 0 {
		takeFront := len(fq) > 0 && (len(rq) == 0 || ratio == 0 || streak < ratio)
		if takeFront {
			out, fq = append(out, fq[0]), fq[1:]
			streak++
		} else {
			out, rq = append(out, rq[0]), rq[1:]
			streak = 0
		}
	}
	return out
}

func TestModelOrder(t *testing.T) {
	// The brief's example: 5 priority, 5 regular, 2:1.
	front := []bool{false, true, false, true, false, true, false, true, false, true}
	got := ""
	for _, i := range modelOrder(front, 2, 0) {
		got += map[bool]string{true: "P", false: "R"}[front[i]]
	}
	if got != "PPRPPRPRRR" {
		t.Fatalf("model gives %s", got)
	}
}

// callAll calls next at counter until it has nobody left and returns the
// numbers in call order.
func (e *env) callAll(counter string) []string {
	e.t.Helper()
	var out []string
	for {
		r := e.act(counter, queue.ActNext)
		if r.Current == nil {
			return out
		}
		out = append(out, r.Current.Number)
		if len(out) > 1000 {
			e.t.Fatal("next never runs dry")
		}
	}
}

func TestInterleave(t *testing.T) {
	// Issue order R P R P R P R P R P (A001 regular, A002 priority, ...).
	kinds := "RPRPRPRPRP"
	for _, tc := range []struct {
		ratio int
		want  string
	}{
		{2, "PPRPPRPRRR"}, // the default 2:1
		{0, "PPPPPRRRRR"}, // strict priority
		{1, "PRPRPRPRPR"},
		{3, "PPPRPPRRRR"},
		{20, "PPPPPRRRRR"},
	} {
		t.Run(fmt.Sprintf("ratio%d", tc.ratio), func(t *testing.T) {
			e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
			e.updateSite(func(s *queue.Site) { s.PriorityInterleave = tc.ratio })
			var front []bool
			var issued []string
			for _, k := range kinds {
				tk := e.issue("svc-a", k == 'P')
				front = append(front, k == 'P')
				issued = append(issued, tk.Number)
			}
			var want []string
			pattern := ""
			for _, i := range modelOrder(front, tc.ratio, 0) {
				want = append(want, issued[i])
				pattern += string(kinds[i])
			}
			if pattern != tc.want {
				t.Fatalf("the model gives %s, the table says %s", pattern, tc.want)
			}
			// Position predicts the whole order before anyone is called.
			byPos := make([]string, len(issued))
			for _, n := range issued {
				p := e.st().Position(e.tk(n))
				if p < 1 || p > len(issued) || byPos[p-1] != "" {
					t.Fatalf("position of %s is %d (taken or out of range)", n, p)
				}
				byPos[p-1] = n
			}
			if !slices.Equal(byPos, want) {
				t.Fatalf("positions give %v, want %v", byPos, want)
			}
			e.openCounter("k3", "u3") // k3 serves svc-a only
			if got := e.callAll("k3"); !slices.Equal(got, want) {
				t.Fatalf("next called %v, want %v", got, want)
			}
		})
	}
}

// Position agrees with what "next" calls at a single-service counter: the
// order predicted before any call is the order of the calls, and so it
// stays before each call.
func TestPositionFollowsNext(t *testing.T) {
	pattern := "PRRPBPRRPPBRPRRR" // B: a checked-in booking (front)
	for _, ratio := range []int{0, 1, 2, 3} {
		t.Run(fmt.Sprintf("ratio%d", ratio), func(t *testing.T) {
			e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
			e.updateSite(func(s *queue.Site) { s.PriorityInterleave = ratio })
			var front []bool
			var issued []string
			for _, k := range pattern {
				cmd := e.issueCmd("svc-a", k == 'P')
				if k == 'B' {
					cmd.Channel = queue.ChannelBooking
				}
				tk := e.issueWith(cmd)
				if tk.Front() != (k != 'R') {
					t.Fatalf("%c ticket: Front() = %v", k, tk.Front())
				}
				front = append(front, k != 'R')
				issued = append(issued, tk.Number)
			}
			var want []string
			for _, i := range modelOrder(front, ratio, 0) {
				want = append(want, issued[i])
			}
			positions := map[int]string{}
			for _, n := range issued {
				positions[e.st().Position(e.tk(n))] = n
			}
			for i, n := range want {
				if positions[i+1] != n {
					t.Fatalf("position %d holds %s, next will call %s there (order %v)", i+1, positions[i+1], n, want)
				}
			}
			e.openCounter("k3", "u3")
			for i := range want {
				// Before every call, the positions of those still waiting
				// are the order of the calls to come, the counter's
				// interleave run included.
				for _, w := range e.st().Waiting("svc-a") {
					p := e.st().Position(w)
					if p < 1 || i+p-1 >= len(want) || want[i+p-1] != w.Number {
						t.Fatalf("before call %d (k3 has called %d front tickets in a row): %s has position %d, the calls to come are %v",
							i+1, e.st().Counter("k3").FrontStreak, w.Number, p, want[i:])
					}
				}
				if r := e.act("k3", queue.ActNext); r.Current.Number != want[i] {
					t.Fatalf("call %d: next called %s, want %s", i+1, r.Current.Number, want[i])
				}
			}
		})
	}
}

// Within each group the oldest ticket by queue time goes first across all
// of the counter's services, not service by service.
func TestRouteAcrossServices(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.issue("svc-a", false)   // A001
	e.issue("svc-b", false)   // B001
	e.issue("svc-a", false)   // A002
	e.issue("svc-b", true)    // B002 priority
	e.issue("svc-a", true)    // A003 priority
	e.issue("svc-b", false)   // B003
	e.issue("svc-c", true)    // C001: not k1's
	e.openCounter("k1", "u1") // serves A and B
	want := []string{"B002", "A003", "A001", "B001", "A002", "B003"}
	if got := e.callAll("k1"); !slices.Equal(got, want) {
		t.Fatalf("k1 called %v, want %v", got, want)
	}
	if got := numbers(e.st().Waiting("svc-c")); !slices.Equal(got, []string{"C001"}) {
		t.Fatalf("svc-c: %v", got)
	}
}

// The order of the counter's services does not matter, only queue time.
func TestRouteServiceOrderIrrelevant(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.must(queue.PutCounter{Counter: &queue.Counter{ID: "k1", AgencyID: "ag-x", Name: "Loket 1", ServiceIDs: []string{"svc-b", "svc-a"}}})
	e.issue("svc-a", false)
	e.issue("svc-b", false)
	e.issue("svc-a", false)
	e.openCounter("k1", "u1")
	if got := e.callAll("k1"); !slices.Equal(got, []string{"A001", "B001", "A002"}) {
		t.Fatalf("k1 called %v", got)
	}
}

// Booking check-ins are front tickets: ahead of walk-ins, interleaved with
// them like priority tickets.
func TestBookingIsFront(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.issue("svc-a", false) // A001
	b := e.issueCmd("svc-a", false)
	b.Channel = queue.ChannelBooking
	e.issueWith(b)          // A002 booking
	e.issue("svc-a", false) // A003
	e.issue("svc-a", true)  // A004 priority
	e.issueWith(b)          // A005 booking
	if p := e.st().Position(e.tk("A002")); p != 1 {
		t.Fatalf("booking A002 position %d, want 1", p)
	}
	e.openCounter("k3", "u3")
	want := []string{"A002", "A004", "A001", "A005", "A003"}
	if got := e.callAll("k3"); !slices.Equal(got, want) {
		t.Fatalf("called %v, want %v", got, want)
	}
}

// The interleave counts front calls in a row at the counter: once it has
// called ratio front tickets, a regular one arriving later goes next.
func TestInterleaveStreakCarries(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	for range 4 {
		e.issue("svc-a", true) // A001..A004 priority
	}
	e.openCounter("k3", "u3")
	e.act("k3", queue.ActNext) // A001
	e.act("k3", queue.ActNext) // A002
	e.act("k3", queue.ActNext) // A003: no regular waits, the front goes on
	e.issue("svc-a", false)    // A005 regular
	if r := e.act("k3", queue.ActNext); r.Current.Number != "A005" {
		t.Fatalf("after three front calls, next called %s, want the regular A005", r.Current.Number)
	}
	if r := e.act("k3", queue.ActNext); r.Current.Number != "A004" {
		t.Fatalf("then %s, want A004", r.Current.Number)
	}
	// The streak is the counter's own: k1 starts afresh.
	e.issue("svc-a", true)  // A006
	e.issue("svc-a", false) // A007
	e.openCounter("k1", "u1")
	if r := e.act("k1", queue.ActNext); r.Current.Number != "A006" {
		t.Fatalf("k1 called %s, want the priority A006", r.Current.Number)
	}
}

// Strict priority (ratio 0): a priority visitor arriving last is called
// before every regular one.
func TestStrictPriority(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.updateSite(func(s *queue.Site) { s.PriorityInterleave = 0 })
	for range 3 {
		e.issue("svc-a", false)
	}
	e.openCounter("k3", "u3")
	e.act("k3", queue.ActNext) // A001
	e.issue("svc-a", true)     // A004
	e.issue("svc-a", true)     // A005
	e.issue("svc-a", true)     // A006
	if got := e.callAll("k3"); !slices.Equal(got, []string{"A004", "A005", "A006", "A002", "A003"}) {
		t.Fatalf("called %v", got)
	}
}
