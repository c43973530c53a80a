package display

import "testing"

// The per-client queue keeps order across growth and wrap-around, holds
// no more than its limit asks, and lets a grown array go when it empties.
func TestRing(t *testing.T) {
	var r ring
	const limit = 16
	next := uint64(1)
	want := uint64(1)
	for round := 0; round < 50; round++ {
		// Push a varying number, pop a varying number: the head wraps.
		for range round%limit + 1 {
			if r.n == limit {
				break
			}
			r.push(message{seq: next}, limit)
			next++
			if len(r.buf) > limit {
				t.Fatalf("array of %d for a limit of %d", len(r.buf), limit)
			}
		}
		for range round%5 + 1 {
			m, ok := r.pop()
			if !ok {
				break
			}
			if m.seq != want {
				t.Fatalf("popped %d, want %d", m.seq, want)
			}
			want++
		}
	}
	for {
		m, ok := r.pop()
		if !ok {
			break
		}
		if m.seq != want {
			t.Fatalf("popped %d, want %d", m.seq, want)
		}
		want++
	}
	if want != next {
		t.Fatalf("popped up to %d of %d", want-1, next-1)
	}
	if r.buf != nil {
		t.Fatalf("an empty grown queue still holds %d slots", len(r.buf))
	}
	// A small one keeps its four slots: no allocation per event.
	r.push(message{seq: 1}, limit)
	r.pop()
	if len(r.buf) != 4 {
		t.Fatalf("a small empty queue holds %d slots, want 4", len(r.buf))
	}
}
