package main

// These tests run the real antrean binary as a child process: built once in
// TestMain, started with flags and environment as an operator would, talked
// to over HTTP, stopped with signals. They check the command line of API.md
// ("Command line", "Operations").

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// antreanBin is the binary under test, built by TestMain.
var antreanBin string

// raceChild is set when the child is built with the race detector
// (ANTREAN_TEST_CHILD_RACE=1): it starts several times slower.
var raceChild = os.Getenv("ANTREAN_TEST_CHILD_RACE") != ""

// adminPW is the first admin's password where the tests set one.
const adminPW = "admin-password-1"

// readyTimeout is generous: other tests, and other people's tests, share
// this machine.
const readyTimeout = 45 * time.Second

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "antrean-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	antreanBin = filepath.Join(dir, "antrean")
	args := []string{"build", "-o", antreanBin}
	// ANTREAN_TEST_CHILD_RACE=1 builds the child with the race detector
	// too (slower; the tests then also fail on a race report).
	if raceChild {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building antrean: %v\n", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// --- child processes

// syncBuffer collects a child's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// childEnv is the test process's environment without any ANTREAN_*
// variable, plus extra.
func childEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANTREAN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// proc is a running antrean child.
type proc struct {
	t              testing.TB
	cmd            *exec.Cmd
	args           []string
	url            string
	stdout, stderr *syncBuffer
	exited         chan struct{}
	exitCode       int
}

// startProc starts the binary with args and the extra environment.
func startProc(t testing.TB, env []string, args ...string) *proc {
	t.Helper()
	return startProcBin(t, antreanBin, env, args...)
}

// startProcBin is startProc with another build of antrean.
func startProcBin(t testing.TB, bin string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, stdout: &syncBuffer{}, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = childEnv(env)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting antrean %v: %v", args, err)
	}
	go func() {
		p.cmd.Wait()
		p.exitCode = p.cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if !p.done() {
			p.cmd.Process.Kill()
			<-p.exited
		}
		if strings.Contains(p.stderr.String(), "WARNING: DATA RACE") {
			t.Errorf("antrean %v reported a data race:\n%s", args, p.stderr)
		} else if t.Failed() {
			t.Logf("antrean %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, p.exitCode, p.stdout, p.stderr)
		}
	})
	return p
}

func (p *proc) done() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// freeAddr returns a loopback address with a port that was free a moment
// ago (the binary takes a fixed --addr).
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServer runs `antrean serve|demo --addr A --data DIR [more]` and
// waits until /readyz answers 200. A port taken between freeAddr and the
// child's listen is retried on another.
func startServer(t testing.TB, sub, data string, env []string, more ...string) *proc {
	t.Helper()
	return startServerBin(t, antreanBin, sub, data, env, more...)
}

// startServerBin is startServer with another build of antrean.
func startServerBin(t testing.TB, bin, sub, data string, env []string, more ...string) *proc {
	t.Helper()
	for attempt := 0; ; attempt++ {
		addr := freeAddr(t)
		args := append([]string{sub, "--addr", addr, "--data", data}, more...)
		p := startProcBin(t, bin, env, args...)
		p.url = "http://" + addr
		err := p.waitReady(readyTimeout)
		if err == nil {
			return p
		}
		if p.done() && strings.Contains(p.stderr.String(), "address already in use") && attempt < 3 {
			continue
		}
		t.Fatalf("antrean %v: %v\nstderr:\n%s", args, err, p.stderr)
	}
}

// waitReady polls /readyz until it answers 200, the child exits, or the
// time is up.
func (p *proc) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		if p.done() {
			return fmt.Errorf("exited with %d before it was ready", p.exitCode)
		}
		resp, err := c.Get(p.url + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %v (last: %v)", timeout, err)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// waitExit waits for the child to end and returns its exit code and how
// long it took from now.
func (p *proc) waitExit(timeout time.Duration) (int, time.Duration) {
	p.t.Helper()
	start := time.Now()
	select {
	case <-p.exited:
		return p.exitCode, time.Since(start)
	case <-time.After(timeout):
		p.t.Fatalf("antrean %v did not exit within %v", p.args, timeout)
		return 0, 0
	}
}

// term sends SIGTERM and waits for the exit; it returns the exit code and
// the time from the signal to the exit.
func (p *proc) term() (int, time.Duration) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		p.t.Fatalf("SIGTERM: %v", err)
	}
	return p.waitExit(20 * time.Second)
}

// stop is term that insists on a clean exit.
func (p *proc) stop() {
	p.t.Helper()
	if code, _ := p.term(); code != 0 {
		p.t.Fatalf("antrean %v exited with %d after SIGTERM, want 0\nstderr:\n%s", p.args, code, p.stderr)
	}
}

// kill ends the child with SIGKILL, as a power cut would.
func (p *proc) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("SIGKILL: %v", err)
	}
	p.waitExit(20 * time.Second)
}

// cliResult is the outcome of a one-shot command.
type cliResult struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

// runCLI runs the binary to completion.
func runCLI(t testing.TB, env []string, stdin string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, antreanBin, args...)
	cmd.Env = childEnv(env)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := cliResult{stdout: out.String(), stderr: errb.String(), elapsed: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("antrean %v: %v", args, err)
	}
	if strings.Contains(r.stderr, "WARNING: DATA RACE") {
		t.Errorf("antrean %v reported a data race:\n%s", args, r.stderr)
	}
	return r
}

// --- HTTP

var httpc = &http.Client{Timeout: 20 * time.Second}

// request sends a request; body is nil or a value sent as JSON.
func request(c *http.Client, method, url, token string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, raw, nil
}

// call sends a request and fails the test when it gets no answer.
func call(t testing.TB, method, url, token string, body any) (int, []byte) {
	t.Helper()
	status, raw, err := request(httpc, method, url, token, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return status, raw
}

// mustJSON sends a request, checks the status and decodes the answer.
func mustJSON(t testing.TB, method, url, token string, body any, want int, out any) {
	t.Helper()
	status, raw := call(t, method, url, token, body)
	if status != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, status, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decoding %q: %v", method, url, raw, err)
		}
	}
}

func login(t testing.TB, base, user, password string) string {
	t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	mustJSON(t, http.MethodPost, base+"/api/v1/login", "", map[string]string{"username": user, "password": password}, http.StatusOK, &out)
	if out.Token == "" {
		t.Fatalf("login %s: no token", user)
	}
	return out.Token
}

func loginStatus(t testing.TB, base, user, password string) int {
	t.Helper()
	status, _ := call(t, http.MethodPost, base+"/api/v1/login", "", map[string]string{"username": user, "password": password})
	return status
}

// kioskToken reads the first kiosk's token from the demo's credentials
// file ("  kiosk    Kios Lobi 1        <token>").
func kioskToken(t testing.TB, data string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(data, "demo-credentials.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "kiosk" {
			return f[len(f)-1]
		}
	}
	t.Fatalf("no kiosk token in demo-credentials.txt:\n%s", raw)
	return ""
}

type service struct {
	ID           string   `json:"id"`
	AgencyID     string   `json:"agency_id"`
	Code         string   `json:"code"`
	DailyQuota   int      `json:"daily_quota"`
	Requirements []string `json:"requirements"`
}

func services(t testing.TB, base string) []service {
	t.Helper()
	var out struct{ Services []service }
	mustJSON(t, http.MethodGet, base+"/api/v1/services", "", nil, http.StatusOK, &out)
	return out.Services
}

// unlimited returns the services without a daily quota, so that load never
// meets quota_exhausted.
func unlimited(t testing.TB, base string) []service {
	t.Helper()
	var out []service
	for _, s := range services(t, base) {
		if s.DailyQuota == 0 {
			out = append(out, s)
		}
	}
	if len(out) < 2 {
		t.Fatalf("the demo mall has %d services without a quota, want at least 2", len(out))
	}
	return out
}

type ticket struct {
	ID        string `json:"id"`
	Number    string `json:"number"`
	ServiceID string `json:"service_id"`
	Day       string `json:"day"`
}

func issue(t testing.TB, base, token, serviceID string) ticket {
	t.Helper()
	var out struct{ Ticket ticket }
	mustJSON(t, http.MethodPost, base+"/api/v1/tickets", token, map[string]any{"service_id": serviceID}, http.StatusCreated, &out)
	return out.Ticket
}

// listTickets pages through GET /api/v1/tickets of one day and service.
func listTickets(t testing.TB, base, token, day, serviceID string) []ticket {
	t.Helper()
	var all []ticket
	after := ""
	for {
		url := fmt.Sprintf("%s/api/v1/tickets?service_id=%s&limit=10000", base, serviceID)
		if day != "" {
			url += "&day=" + day
		}
		if after != "" {
			url += "&after=" + after
		}
		var page struct {
			Tickets   []ticket `json:"tickets"`
			NextAfter string   `json:"next_after"`
		}
		mustJSON(t, http.MethodGet, url, token, nil, http.StatusOK, &page)
		all = append(all, page.Tickets...)
		if page.NextAfter == "" {
			return all
		}
		after = page.NextAfter
	}
}

type event struct {
	Seq  uint64          `json:"seq"`
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// allEvents pages through GET /api/v1/events.
func allEvents(t testing.TB, base, token string) []event {
	t.Helper()
	var all []event
	var after uint64
	for {
		var page struct {
			Events    []event `json:"events"`
			NextAfter uint64  `json:"next_after"`
		}
		mustJSON(t, http.MethodGet, fmt.Sprintf("%s/api/v1/events?after=%d&limit=10000", base, after), token, nil, http.StatusOK, &page)
		all = append(all, page.Events...)
		if len(page.Events) == 0 {
			return all
		}
		after = page.NextAfter
	}
}

// checkSeqs fails unless the events are numbered 1..n without a gap.
func checkSeqs(t testing.TB, evs []event) {
	t.Helper()
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d, want %d (gap or disorder)", i, e.Seq, i+1)
		}
	}
}

// --- the tests

// A second process on a data folder in use fails at once with a clear
// message: a server, and the offline commands.
func TestSecondProcessOnDataFolderFailsFast(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW}
	first := startServer(t, "serve", data, env)
	// API.md: "fails at once", rather than waiting for the folder: the
	// lock wait is 1 s. The bound only tells a hang from a failure; how
	// fast is not for a unit test on a shared machine to judge.
	bound := 15 * time.Second

	second := runCLI(t, env, "", "serve", "--addr", freeAddr(t), "--data", data)
	t.Logf("second serve: exit %d after %v: %s", second.code, second.elapsed.Round(time.Millisecond), strings.TrimSpace(second.stderr))
	if second.code == 0 {
		t.Fatalf("a second serve on %s exited 0", data)
	}
	if second.elapsed > bound {
		t.Errorf("a second serve took %v to fail, want at most %v", second.elapsed, bound)
	}
	checkInUse(t, "serve", second.stderr, data)

	for _, args := range [][]string{
		{"user", "add", "--data", data, "--username", "someone", "--role", "greeter"},
		{"user", "passwd", "--data", data, "--username", "admin"},
		{"restore", "--data", data, filepath.Join(data, "nothing.db")},
	} {
		// restore needs a file that exists to get as far as the lock.
		if args[0] == "restore" {
			if err := os.WriteFile(args[len(args)-1], []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		r := runCLI(t, []string{"ANTREAN_PASSWORD=another-password-1"}, "", args...)
		t.Logf("%s while serving: exit %d after %v", strings.Join(args[:2], " "), r.code, r.elapsed.Round(time.Millisecond))
		if r.code == 0 {
			t.Fatalf("antrean %v exited 0 while a server uses the folder", args)
		}
		if r.elapsed > bound {
			t.Errorf("antrean %v took %v to fail, want at most %v", args, r.elapsed, bound)
		}
		checkInUse(t, args[0], r.stderr, data)
	}

	// The first server is unharmed.
	if err := first.waitReady(readyTimeout); err != nil {
		t.Fatalf("the first server after the attempts: %v", err)
	}
	login(t, first.url, "admin", adminPW)
	first.stop()
}

func checkInUse(t testing.TB, what, stderr, data string) {
	t.Helper()
	if !strings.Contains(stderr, "in use") || !strings.Contains(stderr, data) {
		t.Errorf("%s: the message does not say that %s is in use: %q", what, data, stderr)
	}
}

// backup refuses a folder in use and copies a stopped one; restore into a
// new folder serves the same state.
func TestBackupAndRestore(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW}
	p := startServer(t, "demo", data, env)
	kiosk := kioskToken(t, data)
	svcs := unlimited(t, p.url)
	var issued []ticket
	for i := range 5 {
		issued = append(issued, issue(t, p.url, kiosk, svcs[i%2].ID))
	}
	var agenciesBefore struct{ Agencies []map[string]any }
	mustJSON(t, http.MethodGet, p.url+"/api/v1/agencies", "", nil, http.StatusOK, &agenciesBefore)

	file := filepath.Join(t.TempDir(), "antrean-backup.db")
	r := runCLI(t, nil, "", "backup", "--data", data, file)
	t.Logf("backup while serving: exit %d after %v", r.code, r.elapsed.Round(time.Millisecond))
	if r.code == 0 {
		t.Fatal("backup of a folder in use exited 0")
	}
	checkInUse(t, "backup", r.stderr, data)
	if !strings.Contains(r.stderr, "/api/v1/backup") {
		t.Errorf("backup while serving does not point to GET /api/v1/backup: %q", r.stderr)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed backup left %s behind (%v)", file, err)
	}

	p.stop()
	if r := runCLI(t, nil, "", "backup", "--data", data, file); r.code != 0 {
		t.Fatalf("backup of a stopped server: exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
		t.Fatalf("backup file: %v", err)
	} else if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("backup file mode %v, want no access for others", fi.Mode().Perm())
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if r := runCLI(t, nil, "", "restore", "--data", restored, file); r.code != 0 {
		t.Fatalf("restore: exit %d: %s", r.code, r.stderr)
	}
	// serve (not demo) on the restored folder: the state came from the file.
	q := startServer(t, "serve", restored, nil)
	var agenciesAfter struct{ Agencies []map[string]any }
	mustJSON(t, http.MethodGet, q.url+"/api/v1/agencies", "", nil, http.StatusOK, &agenciesAfter)
	if a, b := mustMarshal(t, agenciesBefore), mustMarshal(t, agenciesAfter); a != b {
		t.Errorf("agencies after restore differ:\nbefore %s\nafter  %s", a, b)
	}
	if len(agenciesAfter.Agencies) != 10 {
		t.Errorf("restored %d agencies, want the demo's 10", len(agenciesAfter.Agencies))
	}
	admin := login(t, q.url, "admin", adminPW)
	for _, s := range svcs[:2] {
		var want []ticket
		for _, tk := range issued {
			if tk.ServiceID == s.ID {
				want = append(want, tk)
			}
		}
		got := listTickets(t, q.url, admin, issued[0].Day, s.ID)
		if a, b := mustMarshal(t, want), mustMarshal(t, got); a != b {
			t.Errorf("service %s after restore:\n got %s\nwant %s", s.Code, b, a)
		}
	}
	// Numbering goes on from the restored state.
	next := issue(t, q.url, kiosk, svcs[0].ID)
	if want := fmt.Sprintf("%s%03d", svcs[0].Code, 4); next.Number != want {
		t.Errorf("first ticket after restore is %s, want %s", next.Number, want)
	}
	q.stop()

	// A file that is no database is refused without touching the folder.
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if r := runCLI(t, nil, "", "restore", "--data", restored, junk); r.code == 0 || !strings.Contains(r.stderr, "not an antrean database") {
		t.Errorf("restore of junk: exit %d: %q", r.code, r.stderr)
	}
	q = startServer(t, "serve", restored, nil)
	if got := listTickets(t, q.url, login(t, q.url, "admin", adminPW), next.Day, svcs[0].ID); len(got) != 4 {
		t.Errorf("after a refused restore the folder has %d tickets of %s, want 4", len(got), svcs[0].Code)
	}
	q.stop()
}

func mustMarshal(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// `user add` and `user passwd` work on a stopped server's folder.
func TestUserCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW}
	p := startServer(t, "demo", data, env)
	p.stop()

	const pw1, pw2 = "first-password-1", "second-password-2"
	r := runCLI(t, []string{"ANTREAN_PASSWORD=" + pw1}, "", "user", "add", "--data", data, "--username", "u.officer", "--role", "officer", "--agency", "DKP")
	if r.code != 0 {
		t.Fatalf("user add: exit %d: %s", r.code, r.stderr)
	}
	// The password can be typed when ANTREAN_PASSWORD is not set.
	r = runCLI(t, nil, pw1+"\n", "user", "add", "--data", data, "--username", "u.greeter", "--role", "greeter")
	if r.code != 0 {
		t.Fatalf("user add with the password on stdin: exit %d: %s", r.code, r.stderr)
	}

	for _, c := range []struct {
		name  string
		env   []string
		args  []string
		wants []string // in the message, case-insensitive
	}{
		{"short password", []string{"ANTREAN_PASSWORD=short"}, []string{"--username", "u.short", "--role", "greeter"}, []string{"10 characters"}},
		{"unknown role", []string{"ANTREAN_PASSWORD=" + pw1}, []string{"--username", "u.role", "--role", "boss"}, []string{"role", "officer"}},
		{"unknown agency", []string{"ANTREAN_PASSWORD=" + pw1}, []string{"--username", "u.agency", "--role", "officer", "--agency", "NOPE"}, []string{"NOPE"}},
		{"existing user", []string{"ANTREAN_PASSWORD=" + pw1}, []string{"--username", "u.officer", "--role", "greeter"}, []string{"already exists"}},
	} {
		args := append([]string{"user", "add", "--data", data}, c.args...)
		r := runCLI(t, c.env, "", args...)
		t.Logf("user add, %s: exit %d: %s", c.name, r.code, strings.TrimSpace(r.stderr))
		if r.code == 0 {
			t.Errorf("user add, %s: exit 0", c.name)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(strings.ToLower(r.stderr), strings.ToLower(w)) {
				t.Errorf("user add, %s: the message %q does not mention %q", c.name, strings.TrimSpace(r.stderr), w)
			}
		}
	}

	p = startServer(t, "serve", data, nil)
	tok := login(t, p.url, "u.officer", pw1)
	var me struct {
		Role     string `json:"role"`
		AgencyID string `json:"agency_id"`
	}
	mustJSON(t, http.MethodGet, p.url+"/api/v1/me", tok, nil, http.StatusOK, &me)
	if me.Role != "officer" || me.AgencyID == "" {
		t.Errorf("u.officer is %+v, want an officer of DKP", me)
	}
	login(t, p.url, "u.greeter", pw1)
	for _, name := range []string{"u.short", "u.role", "u.agency"} {
		if s := loginStatus(t, p.url, name, pw1); s != http.StatusUnauthorized {
			t.Errorf("login of %s, whose creation failed: %d, want 401", name, s)
		}
	}
	p.stop()

	if r := runCLI(t, []string{"ANTREAN_PASSWORD=short"}, "", "user", "passwd", "--data", data, "--username", "u.officer"); r.code == 0 {
		t.Errorf("user passwd with a short password: exit 0")
	}
	if r := runCLI(t, []string{"ANTREAN_PASSWORD=" + pw2}, "", "user", "passwd", "--data", data, "--username", "nobody"); r.code == 0 || !strings.Contains(r.stderr, "nobody") {
		t.Errorf("user passwd of an unknown user: exit %d: %q", r.code, r.stderr)
	}
	if r := runCLI(t, []string{"ANTREAN_PASSWORD=" + pw2}, "", "user", "passwd", "--data", data, "--username", "u.officer"); r.code != 0 {
		t.Fatalf("user passwd: exit %d: %s", r.code, r.stderr)
	}

	p = startServer(t, "serve", data, nil)
	if s := loginStatus(t, p.url, "u.officer", pw1); s != http.StatusUnauthorized {
		t.Errorf("login with the old password: %d, want 401", s)
	}
	if s := loginStatus(t, p.url, "u.officer", pw2); s != http.StatusOK {
		t.Errorf("login with the new password: %d, want 200", s)
	}
	// A password change ends the user's logins.
	if s, body := call(t, http.MethodGet, p.url+"/api/v1/me", tok, nil); s != http.StatusUnauthorized {
		t.Errorf("a token from before the password change: %d, want 401: %s", s, body)
	}
	p.stop()
}

// SIGTERM ends the server cleanly and quickly; what it acknowledged, also
// while the signal arrived, is there after a restart.
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	// Eight clients share one kiosk's token: no per-kiosk rate limit here.
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW, "ANTREAN_ISSUE_LIMIT=off"}
	p := startServer(t, "demo", data, env)
	kiosk := kioskToken(t, data)
	svcs := unlimited(t, p.url)

	last := issue(t, p.url, kiosk, svcs[0].ID)
	// Keep some requests in flight while the signal arrives.
	c := &http.Client{Timeout: 20 * time.Second}
	var (
		mu    sync.Mutex
		acked = []ticket{last}
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				status, raw, err := request(c, http.MethodPost, p.url+"/api/v1/tickets", kiosk, map[string]any{"service_id": svcs[i%len(svcs)].ID})
				if err != nil {
					return // the server has gone
				}
				if status == http.StatusCreated {
					var out struct{ Ticket ticket }
					if json.Unmarshal(raw, &out) == nil {
						mu.Lock()
						acked = append(acked, out.Ticket)
						mu.Unlock()
					}
				} else if status != http.StatusServiceUnavailable {
					t.Errorf("issuing during shutdown: %d %s", status, raw)
					return
				}
			}
		}()
	}
	time.Sleep(150 * time.Millisecond)
	code, took := p.term()
	close(stop)
	wg.Wait()
	t.Logf("SIGTERM under load: exit %d after %v; %d tickets acknowledged", code, took.Round(time.Millisecond), len(acked))
	if code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	if took > 5*time.Second {
		t.Errorf("shutdown took %v, want a few seconds at most", took)
	}
	if !strings.Contains(p.stderr.String(), "shutting down") {
		t.Errorf("the log does not tell of the shutdown:\n%s", p.stderr)
	}

	p = startServer(t, "demo", data, env)
	admin := login(t, p.url, "admin", adminPW)
	stored := map[string]ticket{}
	for _, s := range svcs {
		for _, tk := range listTickets(t, p.url, admin, last.Day, s.ID) {
			stored[tk.ID] = tk
		}
	}
	for _, a := range acked {
		if got, ok := stored[a.ID]; !ok || got.Number != a.Number {
			t.Errorf("acknowledged ticket %s %s after the restart: %+v (found %v)", a.ID, a.Number, got, ok)
		}
	}
	p.stop()
}

// Flags win over the environment; a bad flag is a usage error.
func TestFlagsWinOverEnvironment(t *testing.T) {
	t.Parallel()
	data, envData := t.TempDir(), t.TempDir()
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW, "ANTREAN_ADDR=127.0.0.1:1", "ANTREAN_DATA=" + envData,
		"ANTREAN_WS_PER_ADDR=7", "ANTREAN_WS_MAX=9", "ANTREAN_BOOKING_LIMIT=3/1m", "ANTREAN_METRICS_ALLOW=10.9.0.0/16"}
	p := startServer(t, "serve", data, env, "--ws-max", "11", "--metrics-allow", "10.8.0.0/16,192.0.2.7")
	if !strings.Contains(p.stderr.String(), p.url) {
		t.Errorf("the log does not name the address served, %s:\n%s", p.url, p.stderr)
	}
	// The effective websocket caps: the environment's, and the flag's
	// over it.
	if log := p.stderr.String(); !strings.Contains(log, "ws_per_addr=7 ") || !strings.Contains(log, "ws_max=11 ") {
		t.Errorf("the log does not show ws_per_addr=7 and ws_max=11:\n%s", log)
	}
	if log := p.stderr.String(); !strings.Contains(log, "booking_limit=3/1m0s") || !strings.Contains(log, "code_guess_limit=10/1m0s") {
		t.Errorf("the log does not show the booking limits (3/1m from the environment, the default 10/1m):\n%s", log)
	}
	if log := p.stderr.String(); !strings.Contains(log, `metrics_allow="[10.8.0.0/16 192.0.2.7]"`) {
		t.Errorf("the effective config does not log --metrics-allow over ANTREAN_METRICS_ALLOW:\n%s", log)
	}
	if resp, err := http.Get(p.url + "/metrics"); err != nil {
		t.Errorf("GET /metrics: %v", err)
	} else {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "antrean_build_info") {
			t.Errorf("GET /metrics from loopback: %d %.200s", resp.StatusCode, body)
		}
	}
	login(t, p.url, "admin", adminPW)
	if _, err := os.Stat(filepath.Join(data, "antrean.db")); err != nil {
		t.Errorf("--data: %v", err)
	}
	if _, err := os.Stat(filepath.Join(envData, "antrean.db")); err == nil {
		t.Errorf("ANTREAN_DATA was used although --data was given")
	}
	p.stop()

	// Without the flag, the environment is used.
	addr := freeAddr(t)
	q := startProc(t, []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW, "ANTREAN_ADDR=" + addr, "ANTREAN_DATA=" + envData, "ANTREAN_METRICS_ALLOW=10.9.0.0/16"}, "serve")
	q.url = "http://" + addr
	if err := q.waitReady(readyTimeout); err != nil {
		t.Fatalf("serve from the environment: %v", err)
	}
	if log := q.stderr.String(); !strings.Contains(log, "metrics_allow=[10.9.0.0/16]") {
		t.Errorf("the effective config does not log ANTREAN_METRICS_ALLOW:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(envData, "antrean.db")); err != nil {
		t.Errorf("ANTREAN_DATA: %v", err)
	}
	q.stop()

	for _, c := range []struct {
		args      []string
		wantUsage bool
	}{
		{[]string{"serve", "--bogus"}, true},
		{[]string{"demo", "--addr"}, true},
		{[]string{"serve", "--session-ttl", "soon"}, false},
		{[]string{"serve", "--ws-max", "0"}, false},
		{[]string{"serve", "--ws-per-addr", "many"}, false},
		{[]string{"serve", "--booking-limit", "lots"}, false},
		{[]string{"serve", "--code-guess-limit", "5/never"}, false},
		{[]string{"backup", "--bogus", "x"}, true},
		{[]string{"backup", "--data", data}, true},
		{[]string{"user", "add", "--bogus"}, true},
		{[]string{"user", "frobnicate"}, true},
		{[]string{"serve", "extra-argument"}, false},
		{[]string{"nonsense"}, true},
		{nil, true},
	} {
		r := runCLI(t, nil, "", c.args...)
		if r.code != 2 {
			t.Errorf("antrean %q: exit %d, want 2: %s", c.args, r.code, r.stderr)
		}
		if c.wantUsage && !strings.Contains(strings.ToLower(r.stderr), "usage") {
			t.Errorf("antrean %q: no usage in %q", c.args, r.stderr)
		}
	}
	// A metrics allow list that is no CIDR stops the start with a clear
	// message.
	if r := runCLI(t, []string{"ANTREAN_METRICS_ALLOW=10.0.0.0/33"}, "", "serve", "--data", t.TempDir()); r.code == 0 || !strings.Contains(r.stderr, `metrics allow list entry "10.0.0.0/33" is not a CIDR`) {
		t.Errorf("serve with ANTREAN_METRICS_ALLOW=10.0.0.0/33: exit %d: %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "", "help"); r.code != 0 || !strings.Contains(r.stdout, "antrean serve") {
		t.Errorf("antrean help: exit %d: %q", r.code, r.stdout)
	}
}

var passwordRE = regexp.MustCompile(`password=(\S+)`)

// Without ANTREAN_ADMIN_PASSWORD the first start makes a random admin
// password and logs it once.
func TestFirstStartRandomAdminPassword(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	p := startServer(t, "serve", data, nil)
	m := passwordRE.FindAllStringSubmatch(p.stderr.String(), -1)
	if len(m) != 1 {
		t.Fatalf("the first start logged %d passwords, want 1:\n%s", len(m), p.stderr)
	}
	pw := strings.Trim(m[0][1], `"`)
	if len([]rune(pw)) < 10 {
		t.Errorf("the random password %q is shorter than 10 characters", pw)
	}
	tok := login(t, p.url, "admin", pw)
	p.stop()

	q := startServer(t, "serve", data, []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW})
	if log := q.stderr.String(); strings.Contains(log, pw) || passwordRE.MatchString(log) {
		t.Errorf("the second start logged a password:\n%s", log)
	}
	// ANTREAN_ADMIN_PASSWORD only sets the first admin's password.
	if s := loginStatus(t, q.url, "admin", adminPW); s != http.StatusUnauthorized {
		t.Errorf("login with ANTREAN_ADMIN_PASSWORD of a later start: %d, want 401", s)
	}
	login(t, q.url, "admin", pw)
	mustJSON(t, http.MethodGet, q.url+"/api/v1/me", tok, nil, http.StatusOK, nil)
	q.stop()
}

// `antrean demo` seeds the demo mall once and tells where to look.
func TestDemo(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW}
	p := startServer(t, "demo", data, env)
	out := waitOutput(t, p, "(kept in")
	if !strings.Contains(out, "DEMO ONLY") {
		t.Errorf("the demo's output is not marked DEMO ONLY:\n%s", out)
	}
	for _, path := range []string{"/kiosk?device=", "/display?device=", "/counter", "/admin"} {
		if !strings.Contains(out, p.url+path) {
			t.Errorf("the demo's output lacks %s%s:\n%s", p.url, path, out)
		}
	}
	m := regexp.MustCompile(`/kiosk\?device=(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no kiosk token in:\n%s", out)
	}
	kiosk := m[1]
	if !strings.Contains(out, "demo-antrean") || !strings.Contains(out, "petugas.dkp") {
		t.Errorf("the demo's output lacks the staff accounts:\n%s", out)
	}

	admin := login(t, p.url, "admin", adminPW)
	checkDemoMall(t, p.url, admin)

	svcs := services(t, p.url)
	tk := issue(t, p.url, kiosk, svcs[0].ID)
	if tk.Number != svcs[0].Code+"001" {
		t.Errorf("the first demo ticket is %s, want %s001", tk.Number, svcs[0].Code)
	}
	// The demo staff can sign in.
	login(t, p.url, "petugas.dkp", "demo-antrean")
	login(t, p.url, "greeter", "demo-antrean")
	p.stop()

	// A second start seeds nothing again, and prints the same tokens.
	q := startServer(t, "demo", data, env)
	out2 := waitOutput(t, q, "(kept in")
	if !strings.Contains(out2, "/kiosk?device="+kiosk) {
		t.Errorf("the second start prints another kiosk token:\n%s", out2)
	}
	checkDemoMall(t, q.url, login(t, q.url, "admin", adminPW))
	if got := issue(t, q.url, kiosk, svcs[0].ID); got.Number != svcs[0].Code+"002" {
		t.Errorf("after the second start the next ticket is %s, want %s002", got.Number, svcs[0].Code)
	}
	q.stop()
}

// waitOutput waits until the child's stdout holds s.
func waitOutput(t testing.TB, p *proc, s string) string {
	t.Helper()
	deadline := time.Now().Add(readyTimeout)
	for {
		out := p.stdout.String()
		if strings.Contains(out, s) {
			return out
		}
		if time.Now().After(deadline) || p.done() {
			t.Fatalf("stdout never held %q:\n%s", s, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// checkDemoMall checks the seeded mall through the API.
func checkDemoMall(t testing.TB, base, admin string) {
	t.Helper()
	var ags struct {
		Agencies []struct{ ID, Code string }
	}
	mustJSON(t, http.MethodGet, base+"/api/v1/agencies", "", nil, http.StatusOK, &ags)
	if len(ags.Agencies) != 10 {
		t.Errorf("%d agencies, want 10", len(ags.Agencies))
	}
	svcs := services(t, base)
	if len(svcs) != 18 {
		t.Errorf("%d services, want 18", len(svcs))
	}
	for _, s := range svcs {
		if len(s.Requirements) == 0 {
			t.Errorf("service %s has no requirements", s.Code)
		}
	}
	var ctrs struct {
		Counters []struct {
			AgencyID   string   `json:"agency_id"`
			ServiceIDs []string `json:"service_ids"`
		}
	}
	mustJSON(t, http.MethodGet, base+"/api/v1/counters", "", nil, http.StatusOK, &ctrs)
	if len(ctrs.Counters) != 17 {
		t.Errorf("%d counters, want 17", len(ctrs.Counters))
	}
	var users struct {
		Users []struct {
			Username string `json:"username"`
			Role     string `json:"role"`
			AgencyID string `json:"agency_id"`
		}
	}
	mustJSON(t, http.MethodGet, base+"/api/v1/users", admin, nil, http.StatusOK, &users)
	roles := map[string]int{}
	officerAgencies := map[string]bool{}
	for _, u := range users.Users {
		roles[u.Role]++
		if u.Role == "officer" {
			officerAgencies[u.AgencyID] = true
		}
	}
	for _, a := range ags.Agencies {
		if !officerAgencies[a.ID] {
			t.Errorf("agency %s has no officer", a.Code)
		}
	}
	if roles["officer"] != 10 || roles["supervisor"] != 1 || roles["greeter"] != 1 || roles["admin"] != 1 {
		t.Errorf("users by role %v, want 10 officers, 1 supervisor, 1 greeter, 1 admin", roles)
	}
	var devs struct {
		Devices []struct{ Kind string }
	}
	mustJSON(t, http.MethodGet, base+"/api/v1/devices", admin, nil, http.StatusOK, &devs)
	kinds := map[string]int{}
	for _, d := range devs.Devices {
		kinds[d.Kind]++
	}
	if kinds["kiosk"] != 2 || kinds["display"] != 1 || len(devs.Devices) != 3 {
		t.Errorf("devices by kind %v, want 2 kiosks and 1 display", kinds)
	}
	// Every counter serves services of its own agency.
	svcAgency := map[string]string{}
	for _, s := range svcs {
		svcAgency[s.ID] = s.AgencyID
	}
	for _, c := range ctrs.Counters {
		if len(c.ServiceIDs) == 0 || slices.ContainsFunc(c.ServiceIDs, func(id string) bool { return svcAgency[id] != c.AgencyID }) {
			t.Errorf("a counter of %s serves %v", c.AgencyID, c.ServiceIDs)
		}
	}
}
