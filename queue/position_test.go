package queue

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/racedetect"
)

// positionByMerge is the definition of Position: walk the interleave of
// the front group and the regular tickets until the ticket comes up.
func positionByMerge(s *State, t *Ticket) int {
	if t == nil || t.Status != Waiting {
		return 0
	}
	ratio := 0
	if s.Site != nil {
		ratio = s.Site.PriorityInterleave
	}
	var front, regular []*Ticket
	for _, w := range s.waiting[t.ServiceID] {
		if w.Front() {
			front = append(front, w)
		} else {
			regular = append(regular, w)
		}
	}
	streak, pos := 0, 0
	for len(front) > 0 || len(regular) > 0 {
		pos++
		var next *Ticket
		if pickFront(len(front) > 0, len(regular) > 0, streak, ratio) {
			next, front = front[0], front[1:]
			streak++
		} else {
			next, regular = regular[0], regular[1:]
			streak = 0
		}
		if next.ID == t.ID {
			return pos
		}
	}
	return 0
}

// TestPositionMatchesMerge: the counted Position agrees with the merge
// walk, and Positions with Position, for every ticket, over random issues, calls, cancels and transfers
// between two services, for several interleave ratios, and frontWaiting
// always matches the waiting lists.
//
// Under -race it walks 100 steps instead of 300: the race detector finds
// nothing in this one goroutine and slows it tenfold; CI's -cpu pass runs
// the whole walk.
func TestPositionMatchesMerge(t *testing.T) {
	steps := 300
	if racedetect.Enabled {
		steps = 100
	}
	for _, ratio := range []int{0, 1, 2, 3, 5} {
		t.Run(fmt.Sprintf("ratio=%d", ratio), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(ratio), 7))
			st, err := stateFromLoaded(&Loaded{}, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			st.Site.PriorityInterleave = ratio
			services := []string{"s1", "s2"}
			base := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
			var all []*Ticket
			for step := range steps {
				tx := newTxn(st)
				for range 1 + rng.IntN(4) {
					switch r := rng.IntN(10); {
					case r < 6 || len(all) == 0: // issue
						tk := &Ticket{ID: fmt.Sprintf("t%d", len(all)), ServiceID: services[rng.IntN(2)], Status: Waiting,
							Priority: rng.IntN(4) == 0, Channel: ChannelKiosk, Index: len(all) + 1,
							QueuedAt: base.Add(time.Duration(step) * time.Second)}
						if rng.IntN(8) == 0 {
							tk.Channel = ChannelBooking
						}
						all = append(all, tk)
						tx.putTicket(tk)
					default: // call, cancel or transfer a random ticket
						old, _ := tx.st.tickets.get(all[rng.IntN(len(all))].ID)
						if old.Status != Waiting {
							continue
						}
						nt := *old
						switch rng.IntN(3) {
						case 0:
							nt.Status = Called
						case 1:
							nt.Status = Cancelled
						default:
							nt.ServiceID = services[rng.IntN(2)]
							nt.QueuedAt = base.Add(time.Duration(step-rng.IntN(30)) * time.Second)
						}
						tx.putTicket(&nt)
					}
				}
				st = tx.st
				for _, sid := range services {
					fronts := 0
					for _, w := range st.waiting[sid] {
						if w.Front() {
							fronts++
						}
					}
					if fronts != st.frontWaiting[sid] {
						t.Fatalf("step %d: %s has %d front tickets waiting, frontWaiting says %d", step, sid, fronts, st.frontWaiting[sid])
					}
				}
				places := map[string]map[string]int{}
				for _, sid := range services {
					places[sid] = st.Positions(sid)
				}
				st.tickets.each(func(_ string, tk *Ticket) {
					if got, want := st.Position(tk), positionByMerge(st, tk); got != want {
						t.Fatalf("step %d: ticket %s (front %v, %s): Position %d, merge walk %d", step, tk.ID, tk.Front(), tk.Status, got, want)
					}
					if got, want := places[tk.ServiceID][tk.ID], st.Position(tk); got != want {
						t.Fatalf("step %d: ticket %s: Positions %d, Position %d", step, tk.ID, got, want)
					}
					if tk.Status == Waiting {
						a, _ := json.Marshal(st.PublicIn(tk, st.Places(tk.ServiceID)))
						b, _ := json.Marshal(st.Public(tk))
						if string(a) != string(b) {
							t.Fatalf("step %d: ticket %s: PublicIn %s, Public %s", step, tk.ID, a, b)
						}
					}
				})
			}
		})
	}
}

// TestPositionAfterLoad: a state loaded from the store counts its front
// tickets too.
func TestPositionAfterLoad(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	var tickets []*Ticket
	for i := range 20 {
		tickets = append(tickets, &Ticket{ID: fmt.Sprintf("20261126-%d", i+1), ServiceID: "s", IssuedServiceID: "s", Status: Waiting,
			Priority: i%3 == 0, Channel: ChannelKiosk, Index: i + 1, Seq: i + 1, QueuedAt: at.Add(time.Duration(i) * time.Minute)})
	}
	st, err := stateFromLoaded(&Loaded{Day: "2026-11-26", Tickets: tickets}, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if st.frontWaiting["s"] != 7 {
		t.Fatalf("frontWaiting = %d, want 7", st.frontWaiting["s"])
	}
	for _, tk := range tickets {
		if got, want := st.Position(tk), positionByMerge(st, tk); got != want {
			t.Fatalf("ticket %s: Position %d, merge walk %d", tk.ID, got, want)
		}
	}
}
