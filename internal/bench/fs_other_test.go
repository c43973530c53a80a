//go:build !linux

package bench

import "os"

func fsType(dir string) (name string, inMemory bool) { return "unknown", false }

// dataSync is f.Sync where fdatasync(2) is not at hand.
func dataSync(f *os.File) error { return f.Sync() }
