// Package procstat reads a process's memory from /proc, for the load
// commands that report a server's footprint (Linux only).
package procstat

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// RSS reads a process's resident set size (VmRSS of /proc/PID/status) in
// bytes.
func RSS(pid int) (uint64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb uint64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				return 0, err
			}
			return kb << 10, nil
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}
