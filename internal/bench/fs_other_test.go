//go:build !linux

package bench

import (
	"os"
	"time"
)

func fsType(dir string) (name string, inMemory bool) { return "unknown", false }

// dataSync is f.Sync where fdatasync(2) is not at hand.
func dataSync(f *os.File) error { return f.Sync() }

// cpuTime is not measured here; the cpu-us/op metric is left out.
func cpuTime() time.Duration { return 0 }
