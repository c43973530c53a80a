package browsertest

import (
	"os"
	"strconv"
	"time"
)

// The waits of this package are how long a test gives a screen before it
// gives up, not how fast the screen must be (speed is for benchmarks).
// Under the race detector, and on a shared machine, everything runs
// several times slower: the waits stretch by patience, 3 under -race
// (race.go), 1 otherwise, or ANTREAN_TEST_PATIENCE when set.
var patience = 1.0

func init() {
	if v, err := strconv.ParseFloat(os.Getenv("ANTREAN_TEST_PATIENCE"), 64); err == nil && v > 0 {
		patience = v
	}
}

// stretch is a wait as this run's patience allows.
func stretch(d time.Duration) time.Duration { return time.Duration(float64(d) * patience) }
