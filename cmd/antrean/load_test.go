package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `antrean load` against a demo server in another process, as an operator
// runs it: flags, the report, --json, the exit status, and the server's
// memory found by its port.
func TestLoadCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"load"}, // neither an admin password nor tokens
		{"load", "--bogus"},
		{"load", "--admin-password", adminPW, "--tickets", "5", "--phones", "10"},
		{"load", "--admin-password", adminPW, "--url", "ftp://x"},
		{"load", "--admin-password", adminPW, "--sources", "127.0.0.9-127.0.0.1"},
		{"load", "--admin-password", adminPW, "extra-argument"},
	} {
		if r := runCLI(t, nil, "", args...); r.code != 2 {
			t.Errorf("antrean %q: exit %d, want 2: %s", args, r.code, r.stderr)
		}
	}

	p := startServer(t, "demo", t.TempDir(), []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW}, "--issue-limit", "off")
	out := filepath.Join(t.TempDir(), "load.json")
	r := runCLI(t, []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW}, "", "load", "--url", p.url, "--duration", "3s",
		"--kiosks", "2", "--officers", "3", "--screens", "2", "--tickets", "40", "--phones", "30", "--json", out)
	if r.code != 0 || !strings.Contains(r.stdout, "Errors: none") || !strings.Contains(r.stdout, "at 1200× in 3s") {
		t.Fatalf("antrean load: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "the morning is over") {
		t.Errorf("no progress on stderr: %s", r.stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		ErrorTotal int `json:"error_total"`
		Counts     struct {
			Issued int `json:"issued"`
		} `json:"counts"`
		Latency map[string]struct {
			N int `json:"n"`
		} `json:"latency"`
		Server *struct {
			PID         int     `json:"pid"`
			RSSPeakMiB  float64 `json:"rss_peak_mib"`
			RSSStartMiB float64 `json:"rss_start_mib"`
		} `json:"server"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.ErrorTotal != 0 || rep.Counts.Issued == 0 || rep.Latency["issue"].N != rep.Counts.Issued || rep.Latency["call_to_screen"].N == 0 {
		t.Errorf("--json: %s", raw)
	}
	if rep.Server == nil || rep.Server.PID != p.cmd.Process.Pid || rep.Server.RSSStartMiB <= 0 {
		t.Errorf("the server's memory (pid %d, found by its port): %s", p.cmd.Process.Pid, raw)
	}
}
