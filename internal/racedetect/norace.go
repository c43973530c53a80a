//go:build !race

// Package racedetect tells tests whether the race detector is on, so that
// an exhaustive test of single-goroutine code can check a sample under
// -race (where it finds no race and runs ten times slower) and
// everything without it. CI runs such packages both ways.
package racedetect

// Enabled reports whether the binary was built with -race.
const Enabled = false
