package load

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mpp-digital/antrean/internal/procstat"
)

// serverProbe reads the server's memory and CPU time: from /proc when the
// server runs on this machine (--pid, or the process that listens on the
// URL's port), else from its /metrics (process_resident_memory_bytes and
// process_cpu_seconds_total) when it serves them.
type serverProbe struct {
	pid     int
	metrics string // URL of /metrics; used when pid is 0
	hc      *http.Client
}

func (p *serverProbe) source() string {
	if p.pid != 0 {
		return "/proc"
	}
	return "/metrics"
}

// findServer picks the probe: the given PID, the local listener of port,
// or the metrics endpoint if it answers with process figures; nil if none.
func findServer(ctx context.Context, pid int, port int, local bool, base string) *serverProbe {
	hc := &http.Client{Timeout: 5 * time.Second}
	if pid != 0 {
		return &serverProbe{pid: pid, hc: hc}
	}
	if local && port != 0 {
		if pid := pidListening(port); pid != 0 {
			return &serverProbe{pid: pid, hc: hc}
		}
	}
	p := &serverProbe{metrics: base + "/metrics", hc: hc}
	if rss, _, err := p.read(ctx); err == nil && rss > 0 {
		return p
	}
	return nil
}

// read returns the resident set size in bytes and the CPU time used.
func (p *serverProbe) read(ctx context.Context) (uint64, time.Duration, error) {
	if p.pid != 0 {
		rss, err := procstat.RSS(p.pid)
		if err != nil {
			return 0, 0, err
		}
		cpu, _ := procCPU(p.pid)
		return rss, cpu, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.metrics, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("/metrics: status %d", resp.StatusCode)
	}
	var rss uint64
	var cpu time.Duration
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		f, err := strconv.ParseFloat(strings.Fields(val)[0], 64)
		if err != nil {
			continue
		}
		switch {
		case strings.HasSuffix(name, "process_resident_memory_bytes"):
			rss = uint64(f)
		case strings.HasSuffix(name, "process_cpu_seconds_total"):
			cpu = time.Duration(f * float64(time.Second))
		}
	}
	if rss == 0 {
		return 0, 0, errors.New("/metrics has no process_resident_memory_bytes")
	}
	return rss, cpu, sc.Err()
}

// procCPU reads user + system time from /proc/PID/stat (clock ticks of
// 1/100 s, as on every Linux this runs on).
func procCPU(pid int) (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields count from its ")".
	i := strings.LastIndexByte(string(raw), ')')
	if i < 0 {
		return 0, errors.New("unreadable /proc/PID/stat")
	}
	f := strings.Fields(string(raw[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("short /proc/PID/stat")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64) // field 14, utime
	st, err2 := strconv.ParseUint(f[12], 10, 64) // field 15, stime
	if err1 != nil || err2 != nil {
		return 0, errors.New("unreadable /proc/PID/stat")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// pidListening finds the process that listens on a TCP port of this
// machine: the socket's inode from /proc/net/tcp{,6}, then the process
// holding it among those this user may look into. 0 if not found.
func pidListening(port int) int {
	inodes := map[string]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 || fs[3] != "0A" { // 0A: LISTEN
				continue
			}
			_, hexPort, ok := strings.Cut(fs[1], ":")
			if p, err := strconv.ParseUint(hexPort, 16, 32); ok && err == nil && int(p) == port {
				inodes["socket:["+fs[9]+"]"] = true
			}
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	dirs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, d := range dirs {
		fds, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join(d, fd.Name())); err == nil && inodes[target] {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(d)))
				return pid
			}
		}
	}
	return 0
}

// loadAvg is the first three fields of /proc/loadavg, or "".
func loadAvg() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// selfCPU is this process's user + system time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// raiseNoFile lifts the open-files limit to its hard maximum: two
// thousand phones need two thousand descriptors.
func raiseNoFile() uint64 {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	return l.Cur
}
