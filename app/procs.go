package app

import (
	"os"
	"runtime"
)

// TuneProcs gives the Go scheduler one more P than it would take by
// itself, unless GOMAXPROCS is set in the environment, and returns the
// number now in force.
//
// The engine's committer spends much of its time in fdatasync. While it
// waits, the runtime hands its P to other goroutines; back from the disk,
// the committer finds every P busy and waits in the global run queue
// behind the HTTP work it is holding up. With one spare P it gets going
// again sooner. BENCHMARKS.md has the measurements (64 keep-alive clients
// issuing tickets on 2 CPUs: about 9% more requests per second; a trivial
// handler's rate does not change). The cmd/antrean binary and the
// benchmarks call it; tests and embedders keep the runtime's choice.
func TuneProcs() int {
	if os.Getenv("GOMAXPROCS") != "" {
		return runtime.GOMAXPROCS(0)
	}
	n := runtime.GOMAXPROCS(0) + 1
	runtime.GOMAXPROCS(n)
	return n
}
