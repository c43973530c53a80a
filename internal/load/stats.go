package load

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// stats collects what the actors measure: request latencies by kind,
// errors by kind, and counts. Every method is safe for concurrent use.
type stats struct {
	expect []string

	mu       sync.Mutex
	lat      map[string][]time.Duration
	errs     map[string]int
	expected map[string]int
	counts   map[string]int
}

func newStats(expect []string) *stats {
	return &stats{expect: expect, lat: map[string][]time.Duration{}, errs: map[string]int{},
		expected: map[string]int{}, counts: map[string]int{}}
}

func (s *stats) latency(kind string, d time.Duration) {
	s.mu.Lock()
	s.lat[kind] = append(s.lat[kind], d)
	s.mu.Unlock()
}

func (s *stats) count(kind string, n int) {
	s.mu.Lock()
	s.counts[kind] += n
	s.mu.Unlock()
}

func (s *stats) get(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[kind]
}

// fail records an error of kind "op: detail". It is an expected outcome,
// not an error, when the API error code or the HTTP status (code) is in
// --expect; fail reports which.
func (s *stats) fail(op, detail string, code ...string) (expected bool) {
	for _, c := range code {
		if c != "" && slices.Contains(s.expect, c) {
			expected = true
		}
	}
	kind := op + ": " + detail
	s.mu.Lock()
	if expected {
		s.expected[kind]++
	} else {
		s.errs[kind]++
	}
	s.mu.Unlock()
	return expected
}

func (s *stats) errorTotal() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.errs {
		n += v
	}
	return n
}

// Summary is one latency distribution in milliseconds; percentiles are
// nearest-rank.
type Summary struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P90 float64 `json:"p90_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func summarize(ds []time.Duration) Summary {
	if len(ds) == 0 {
		return Summary{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return Summary{N: len(s), P50: msOf(percentile(s, 0.50)), P90: msOf(percentile(s, 0.90)),
		P99: msOf(percentile(s, 0.99)), Max: msOf(s[len(s)-1])}
}

// percentile is the nearest-rank p-th percentile of sorted s (0 < p ≤ 1).
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Report is everything a run measured; --json writes it as is.
type Report struct {
	URL     string    `json:"url"`
	Started time.Time `json:"started"`
	Machine Machine   `json:"machine"`
	Setup   Setup     `json:"setup"`
	Counts  Counts    `json:"counts"`
	// Latency: "issue" (POST /tickets), "call" (a next or call that called
	// a ticket), "call_to_screen" (the officer's call answer to the
	// ticket.called frame, every lobby screen), "call_to_last_screen" (the
	// slowest screen of each call), "call_to_phone" (to the first message
	// of that ticket's own feed that shows the call), "press_to_last_screen"
	// and "press_to_phone" (the same from the moment the officer's request
	// went out: the commit included), and "action.X" for every counter
	// action X.
	Latency map[string]Summary `json:"latency"`
	// Errors by kind; a healthy run has none. Expected are the refusals
	// that --expect names (for example rate_limited): counted, not errors.
	Errors     map[string]int `json:"errors"`
	ErrorTotal int            `json:"error_total"`
	Expected   map[string]int `json:"expected"`
	Server     *ServerStats   `json:"server,omitempty"`
	// ToolCPUSeconds is this load generator's own CPU time (it shares the
	// machine with the server when both run here).
	ToolCPUSeconds float64 `json:"tool_cpu_seconds"`
	Interrupted    bool    `json:"interrupted,omitempty"`
}

// Machine is where the load ran.
type Machine struct {
	CPUs         int    `json:"cpus"`
	GoVersion    string `json:"go"`
	LoadAvgStart string `json:"loadavg_start,omitempty"`
	LoadAvgEnd   string `json:"loadavg_end,omitempty"`
}

// Setup is what was played.
type Setup struct {
	Kiosks    int     `json:"kiosks"`
	Officers  int     `json:"officers"`
	Screens   int     `json:"screens"`
	Phones    int     `json:"phones"`
	Tickets   int     `json:"tickets"`
	Speed     float64 `json:"speed"`
	Real      string  `json:"real"`
	Simulated string  `json:"simulated"`
	Sources   int     `json:"source_addresses"`
	Seed      uint64  `json:"seed"`
	Services  int     `json:"services"`
	Agencies  int     `json:"agencies"`
	// PeakPerMinute is the busiest simulated minute of the arrival curve.
	PeakPerMinute int `json:"peak_arrivals_per_min"`
}

// Counts are what happened.
type Counts struct {
	Issued    int `json:"issued"`
	NotIssued int `json:"not_issued"` // arrivals still at the kiosks when the morning ended
	Priority  int `json:"priority"`
	Calls     int `json:"calls"`
	CallBacks int `json:"call_backs"`
	Recalls   int `json:"recalls"`
	NoShows   int `json:"no_shows"`
	Transfers int `json:"transfers"`
	Done      int `json:"done"`
	// PhonesConnected opened their ticket's feed; PhonesPeak were open at once.
	PhonesConnected int `json:"phones_connected"`
	PhonesPeak      int `json:"phones_peak"`
	// ScreenFrames are ticket.called frames matched to a call;
	// EarlyFrames of them came before the officer had the answer (counted
	// as 0 ms).
	ScreenFrames int `json:"screen_frames"`
	EarlyFrames  int `json:"early_frames"`
	PhoneCalls   int `json:"phone_calls"`
}

// ServerStats are the server process's figures, when the tool can see them.
type ServerStats struct {
	PID         int     `json:"pid,omitempty"`
	Source      string  `json:"source"` // "/proc" or "/metrics"
	RSSStartMiB float64 `json:"rss_start_mib"`
	RSSPeakMiB  float64 `json:"rss_peak_mib"`
	RSSEndMiB   float64 `json:"rss_end_mib"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	// CPUShare is CPUSeconds over the run's real time and all CPUs.
	CPUShare float64 `json:"cpu_share"`
}

// Print writes the report for a person.
func (r *Report) Print(w io.Writer) {
	s := r.Setup
	fmt.Fprintf(w, "antrean load — %s\n", r.URL)
	fmt.Fprintf(w, "  %s of morning (doors 07:45) at %g× in %s; %d kiosks, %d officers, %d screens, %d phones, %d tickets over %d services of %d agencies (busiest minute %d arrivals)\n",
		s.Simulated, s.Speed, s.Real, s.Kiosks, s.Officers, s.Screens, s.Phones, s.Tickets, s.Services, s.Agencies, s.PeakPerMinute)
	fmt.Fprintf(w, "  machine: %d CPUs, %s, load average %s → %s; websockets from %d source address(es)\n",
		r.Machine.CPUs, r.Machine.GoVersion, orDash(r.Machine.LoadAvgStart), orDash(r.Machine.LoadAvgEnd), s.Sources)
	c := r.Counts
	fmt.Fprintf(w, "\nIssued %d tickets (%d priority; %d still at the kiosks at the end); %d calls (%d call-backs), %d recalls, %d no-shows, %d transfers, %d done\n",
		c.Issued, c.Priority, c.NotIssued, c.Calls, c.CallBacks, c.Recalls, c.NoShows, c.Transfers, c.Done)
	fmt.Fprintf(w, "Phones: %d connected, %d open at most; %d calls seen on a phone; %d ticket.called frames on screens (%d before the answer)\n",
		c.PhonesConnected, c.PhonesPeak, c.PhoneCalls, c.ScreenFrames, c.EarlyFrames)
	fmt.Fprintf(w, "\n%-26s %7s %9s %9s %9s %9s\n", "latency (ms)", "n", "p50", "p90", "p99", "max")
	row := func(label, key string) {
		if v, ok := r.Latency[key]; ok && v.N > 0 {
			fmt.Fprintf(w, "%-26s %7d %9.1f %9.1f %9.1f %9.1f\n", label, v.N, v.P50, v.P90, v.P99, v.Max)
		}
	}
	row("issue", "issue")
	row("call (next, call)", "call")
	row("call → screen", "call_to_screen")
	row("call → slowest screen", "call_to_last_screen")
	row("call → phone", "call_to_phone")
	row("press → slowest screen", "press_to_last_screen")
	row("press → phone", "press_to_phone")
	var acts []string
	for k := range r.Latency {
		if a, ok := strings.CutPrefix(k, "action."); ok {
			acts = append(acts, a)
		}
	}
	sort.Strings(acts)
	for _, a := range acts {
		row("  "+a, "action."+a)
	}
	fmt.Fprintln(w, "(call: from the officer's answer; press: from sending next or call)")
	fmt.Fprintln(w)
	if r.ErrorTotal == 0 {
		fmt.Fprintln(w, "Errors: none")
	} else {
		fmt.Fprintf(w, "Errors: %d\n", r.ErrorTotal)
		printKinds(w, r.Errors)
	}
	if len(r.Expected) > 0 {
		fmt.Fprintln(w, "Expected refusals (--expect):")
		printKinds(w, r.Expected)
	}
	if sv := r.Server; sv != nil {
		fmt.Fprintf(w, "Server (%s", sv.Source)
		if sv.PID != 0 {
			fmt.Fprintf(w, ", pid %d", sv.PID)
		}
		fmt.Fprintf(w, "): RSS %.1f MiB before, %.1f MiB at most, %.1f MiB at the end", sv.RSSStartMiB, sv.RSSPeakMiB, sv.RSSEndMiB)
		if sv.CPUSeconds > 0 {
			fmt.Fprintf(w, "; CPU %.1f s (%.0f%% of %d CPUs)", sv.CPUSeconds, sv.CPUShare*100, r.Machine.CPUs)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "Server: memory not seen (give --pid, run on the server's machine, or serve /metrics)")
	}
	fmt.Fprintf(w, "This tool: CPU %.1f s\n", r.ToolCPUSeconds)
	if r.Interrupted {
		fmt.Fprintln(w, "(interrupted: the figures cover the part that ran)")
	}
}

func printKinds(w io.Writer, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %6d  %s\n", m[k], k)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteJSON writes the report to a file.
func (r *Report) WriteJSON(path string) error {
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
