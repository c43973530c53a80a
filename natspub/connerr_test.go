package natspub_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/mpp-digital/antrean/natspub"
)

// A link that keeps failing for the same reasons is logged once per
// reason, however many attempts (a server list tried round and round),
// and again after it was up; a nil connection has no reason to show.
func TestConnErrLogsEachReasonOnce(t *testing.T) {
	var e natspub.ConnErr
	refused := errors.New("dial tcp 10.0.0.1:4222: connect: connection refused")
	timeout := errors.New("dial tcp 10.0.0.2:4222: i/o timeout")
	for i, c := range []struct {
		err  error
		up   bool
		want bool
	}{
		{err: refused, want: true},
		{err: timeout, want: true},
		{err: refused, want: false},
		{err: timeout, want: false},
		{up: true},
		{err: refused, want: true},
		{err: nil, want: false},
	} {
		if c.up {
			e.Up()
			continue
		}
		if got := e.Failed(c.err); got != c.want {
			t.Errorf("step %d: Failed(%v) = %t, want %t", i, c.err, got, c.want)
		}
	}
	if r := e.Reason(nil); r != "" {
		t.Errorf("Reason(nil) = %q", r)
	}
	// Many distinct reasons (a long server list) stay bounded: the
	// record starts again rather than growing.
	for i := range 100 {
		if !e.Failed(fmt.Errorf("dial tcp 10.0.1.%d:4222: i/o timeout", i)) {
			t.Fatalf("reason %d not new", i)
		}
	}
}
