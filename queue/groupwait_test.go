package queue

import (
	"testing"
	"time"
)

// The group wait's decisions: a quiet engine sends every group at once; a
// busy one holds a smaller group until it is as big as the last or the
// wait is over; stopping, a full group or a quiet spell ends the wait.
func TestGroupWait(t *testing.T) {
	gw := newGroupWait(time.Hour) // the timer never fires by itself here
	defer gw.timer.Stop()
	step := func(n int, stopping bool, want bool) {
		t.Helper()
		if got := gw.ready(n, 256, stopping); got != want {
			t.Fatalf("ready(%d, stopping %v) = %v with last %d, want %v", n, stopping, got, gw.last, want)
		}
	}
	step(3, false, true)  // quiet: at once
	step(7, false, true)  // below groupWaitAfter: at once
	step(12, false, true) // busy from now on: last = 12
	step(5, false, false) // smaller: it waits
	if gw.c == nil {
		t.Fatal("a waiting group has no timer")
	}
	step(9, false, false) // still smaller
	step(12, false, true) // as big as the last: goes
	if gw.c != nil {
		t.Fatal("the timer still runs after the group went")
	}
	step(4, false, false)
	gw.c = nil           // the wait is over (the loop does this when gw.c fires)
	step(4, false, true) // so it goes, however small: last = 4
	step(2, false, true) // last 4 is below groupWaitAfter: quiet again

	step(20, false, true)
	step(3, true, true) // stopping: no waiting
	step(20, false, true)
	if !gw.ready(10, 10, false) { // a full group never waits
		t.Fatal("a group at MaxGroup waited")
	}

	step(20, false, true)
	gw.idle()
	gw.idleAt = gw.idleAt.Add(-2 * time.Hour) // the committer idle for longer than the wait
	gw.opening()
	step(1, false, true) // a lone request after a quiet spell goes at once

	off := newGroupWait(0)
	defer off.timer.Stop()
	for _, n := range []int{50, 1, 50, 2} {
		if !off.ready(n, 256, false) {
			t.Fatalf("GroupWait off: a group of %d waited", n)
		}
	}
}
