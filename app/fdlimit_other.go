//go:build !linux

package app

// openFilesLimit is unknown here.
func openFilesLimit() int { return 0 }
