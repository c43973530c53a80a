package queue

import (
	"fmt"
	"slices"
	"testing"
)

func TestPickFront(t *testing.T) {
	for _, tc := range []struct {
		haveFront, haveRegular bool
		streak, ratio          int
		want                   bool
	}{
		{false, false, 0, 2, false}, // nobody waits: the caller finds no regular either
		{false, true, 0, 2, false},
		{false, true, 5, 0, false},
		{true, false, 0, 2, true},
		{true, false, 7, 2, true}, // no regular waits: the front goes on
		{true, true, 0, 2, true},
		{true, true, 1, 2, true},
		{true, true, 2, 2, false}, // two front calls in a row: a regular's turn
		{true, true, 3, 2, false},
		{true, true, 0, 1, true},
		{true, true, 1, 1, false},
		{true, true, 0, 0, true}, // ratio 0: strict priority
		{true, true, 100, 0, true},
		{true, true, 100, -1, true},
	} {
		if got := pickFront(tc.haveFront, tc.haveRegular, tc.streak, tc.ratio); got != tc.want {
			t.Errorf("pickFront(front %v, regular %v, streak %d, ratio %d) = %v, want %v",
				tc.haveFront, tc.haveRegular, tc.streak, tc.ratio, got, tc.want)
		}
	}
}

func TestNaturalCompare(t *testing.T) {
	// In order; equal neighbours marked with a leading "=".
	order := []string{"", "1", "2", "10", "A", "Loket", "Loket 1", "Loket 2", "Loket 2A", "Loket 2B", "Loket 9", "Loket 10", "Loket 10A", "Loket 11", "Loket 100", "Loket B", "Meja 1", "meja 1"}
	for i := range order {
		for j := range order {
			got := naturalCompare(order[i], order[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("naturalCompare(%q, %q) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	if naturalCompare("Loket 007", "Loket 7") != 0 || naturalCompare("Loket 07", "Loket 8") != -1 {
		t.Error("leading zeros should not count")
	}
	shuffled := []string{"Loket 10", "Loket 2", "Loket 1", "Loket 21", "Loket 3"}
	slices.SortFunc(shuffled, naturalCompare)
	if !slices.Equal(shuffled, []string{"Loket 1", "Loket 2", "Loket 3", "Loket 10", "Loket 21"}) {
		t.Errorf("sorted: %v", shuffled)
	}
}

// A value copy of a shardMap shares its shards until it writes; writes to
// the copy never show in the original (copy-on-write of published states).
func TestShardMapCopyOnWrite(t *testing.T) {
	var orig shardMap[int]
	var owned [nShards]bool
	keys := []string{}
	for i := range 300 {
		k := fmt.Sprintf("20261126-%d", i+1)
		if i%2 == 1 {
			k = fmt.Sprintf("sess-%d", i)
		}
		keys = append(keys, k)
		orig.set(k, i, &owned)
	}
	if count(&orig) != 300 {
		t.Fatalf("len %d", count(&orig))
	}
	cp := orig
	var cpOwned [nShards]bool
	cp.set(keys[0], -1, &cpOwned)
	cp.set("new", 1000, &cpOwned)
	cp.del(keys[1], &cpOwned)
	cp.del("never there", &cpOwned)
	if v, _ := orig.get(keys[0]); v != 0 {
		t.Fatalf("the original sees the copy's write: %d", v)
	}
	if _, ok := orig.get("new"); ok {
		t.Fatal("the original sees the copy's new key")
	}
	if v, ok := orig.get(keys[1]); !ok || v != 1 {
		t.Fatal("the original lost a key the copy deleted")
	}
	if count(&orig) != 300 || count(&cp) != 300 {
		t.Fatalf("len: original %d, copy %d, want 300 and 300", count(&orig), count(&cp))
	}
	if v, _ := cp.get(keys[0]); v != -1 {
		t.Fatalf("copy: %d", v)
	}
	if _, ok := cp.get(keys[1]); ok {
		t.Fatal("copy still has the deleted key")
	}
	n := 0
	cp.each(func(k string, v int) {
		n++
		if w, _ := cp.get(k); w != v {
			t.Fatalf("each gave %s=%d, get %d", k, v, w)
		}
	})
	if n != 300 {
		t.Fatalf("each visited %d, want 300", n)
	}
	// Only the shards the copy wrote were cloned.
	shared := 0
	for i := range nShards {
		if orig.shards[i] != nil && fmt.Sprintf("%p", orig.shards[i]) == fmt.Sprintf("%p", cp.shards[i]) {
			shared++
		}
	}
	cloned := 0
	for _, o := range cpOwned {
		if o {
			cloned++
		}
	}
	if cloned == 0 || cloned > 3 || shared == 0 {
		t.Fatalf("copy cloned %d shards and shares %d", cloned, shared)
	}
}

func count[V any](m *shardMap[V]) int {
	n := 0
	m.each(func(string, V) { n++ })
	return n
}

func TestAppendKept(t *testing.T) {
	var s []int
	for i := range 25 {
		s = appendKept(s, i, 20)
		n := min(i+1, 20)
		if len(s) != n {
			t.Fatalf("after %d appends: len %d, want %d", i+1, len(s), n)
		}
		for j, v := range s {
			if v != i-n+1+j {
				t.Fatalf("after %d appends: %v, want the last %d values", i+1, s, n)
			}
		}
	}
	// It never writes into its argument's array.
	a := make([]int, 3, 10)
	b := appendKept(a, 7, 20)
	c := appendKept(a, 8, 20)
	if b[3] != 7 || c[3] != 8 {
		t.Fatalf("shared array: %v %v", b, c)
	}
}
