//go:build !linux

package display_test

// shrinkSocket does nothing here; the slow-consumer test then needs more
// events before the kernel's buffers fill and the hub's queue overflows.
func shrinkSocket(fd uintptr) error { return nil }
