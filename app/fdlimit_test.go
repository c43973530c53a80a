package app

import (
	"io"
	"log/slog"
	"testing"
)

// The websocket cap stays below the open files limit, with room for the
// rest, so that the cap and not the limit refuses a flood of websockets.
func TestFitDescriptors(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range []struct{ wsMax, limit, want int }{
		{20000, 1 << 20, 20000},
		{20000, 0, 20000},
		{20000, 20000, 20000 - descriptorReserve},
		{20000, 1024, 512},
		{5, 1024, 5},
		{-1, 1024, -1},
		{20000, 1, 1},
	} {
		if got := fitDescriptors(c.wsMax, c.limit, log); got != c.want {
			t.Errorf("fitDescriptors(%d, %d) = %d, want %d", c.wsMax, c.limit, got, c.want)
		}
	}
	if openFilesLimit() < 0 {
		t.Error("a negative open files limit")
	}
}
