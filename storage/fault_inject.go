//go:build faultinject

package storage

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// ANTREAN_FAULT_COMMIT=N:landed fails the Nth commit of the process after
// writing it; N:lost fails it without writing. Only in test builds
// (go build -tags faultinject).
func init() {
	v := os.Getenv("ANTREAN_FAULT_COMMIT")
	if v == "" {
		return
	}
	ns, mode, _ := strings.Cut(v, ":")
	n, err := strconv.ParseInt(ns, 10, 64)
	if err != nil || n < 1 || (mode != "landed" && mode != "lost") {
		panic(fmt.Sprintf("ANTREAN_FAULT_COMMIT=%q: want N:landed or N:lost", v))
	}
	commitFault = func(i int64) (bool, bool) { return i == n, mode == "landed" }
}

// ANTREAN_FAULT_ARCHIVE=N ends the process (exit 3) right after the
// archive files of the Nth day archived by this process are written and
// synced, before the day leaves the database: a crash at the worst point.
func init() {
	v := os.Getenv("ANTREAN_FAULT_ARCHIVE")
	if v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		panic(fmt.Sprintf("ANTREAN_FAULT_ARCHIVE=%q: want N", v))
	}
	count := 0
	archiveFault = func(day string) {
		if count++; count == n {
			fmt.Fprintf(os.Stderr, "fault: exiting after writing the archive of %s\n", day)
			os.Exit(3)
		}
	}
}
