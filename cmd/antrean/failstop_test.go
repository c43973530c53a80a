package main

// ARCHITECTURE.md and API.md, Limits: a store failure answers 503
// unavailable; the outcome of that request is unknown until the server
// is back, and a retry with the same Idempotency-Key returns it. The
// server fails stop: a commit error does not prove that nothing was
// written (bbolt #233, a failed fsync of the meta page), so the process
// exits and its service manager restarts it on what the disk holds.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	faultBinOnce sync.Once
	faultBin     string
	faultBinErr  error
)

// faultBinary builds antrean with the faultinject tag, which fails the
// commit named by ANTREAN_FAULT_COMMIT the way a failed fsync does.
func faultBinary(t testing.TB) string {
	t.Helper()
	faultBinOnce.Do(func() {
		faultBin = filepath.Join(filepath.Dir(antreanBin), "antrean-faultinject")
		args := []string{"build", "-tags", "faultinject", "-o", faultBin}
		if raceChild {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			faultBinErr = fmt.Errorf("building antrean -tags faultinject: %v\n%s", err, out)
		}
	})
	if faultBinErr != nil {
		t.Fatal(faultBinErr)
	}
	return faultBin
}

// issueKeyed takes a ticket with an Idempotency-Key.
func issueKeyed(c *http.Client, base, token, serviceID, key string) (status int, raw []byte, replayed bool, err error) {
	body, _ := json.Marshal(map[string]any{"service_id": serviceID})
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/tickets", bytes.NewReader(body))
	if err != nil {
		return 0, nil, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Idempotency-Key", key)
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, false, err
	}
	defer resp.Body.Close()
	raw, err = io.ReadAll(resp.Body)
	return resp.StatusCode, raw, resp.Header.Get("Idempotent-Replayed") == "true", err
}

// A commit fails inside a real server under load, written to disk or not:
// the server answers 503 unavailable and /readyz 503, exits non-zero, and
// after the restart every acknowledged ticket is there, every retried
// request (same key) answers its true outcome, and no ticket is on disk
// that neither an answer nor a retry told of.
func TestFailedCommitFailsStop(t *testing.T) {
	bin := faultBinary(t)
	for _, mode := range []string{"landed", "lost"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			env := []string{"ANTREAN_ADMIN_PASSWORD=" + adminPW, "ANTREAN_ISSUE_LIMIT=off"}
			p := startServerBin(t, bin, "demo", data, env)
			kiosk, svcs := kioskToken(t, data), unlimited(t, p.url)
			p.stop()

			// The 40th commit of the next run fails.
			p = startServerBin(t, bin, "serve", data, append(env, "ANTREAN_FAULT_COMMIT=40:"+mode))
			const clients = 8
			c := &http.Client{Timeout: 10 * time.Second}
			var (
				mu        sync.Mutex
				acked     = map[string]ticket{} // key → ticket
				failed    []string              // keys without a 201
				saw503    bool
				readyz503 bool
				other     []string
				wg        sync.WaitGroup
			)
			for i := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for n := 0; !p.done(); n++ {
						key := fmt.Sprintf("%s-%d-%d", mode, i, n)
						s := svcs[(i+n)%len(svcs)]
						status, raw, _, err := issueKeyed(c, p.url, kiosk, s.ID, key)
						mu.Lock()
						switch {
						case err == nil && status == http.StatusCreated:
							var out struct{ Ticket ticket }
							json.Unmarshal(raw, &out)
							acked[key] = out.Ticket
						case err == nil && status == http.StatusServiceUnavailable:
							failed = append(failed, key)
							if strings.Contains(string(raw), `"code":"unavailable"`) {
								saw503 = true
							}
						case err != nil: // the server has gone
							failed = append(failed, key)
						default:
							other = append(other, fmt.Sprintf("%d %s", status, raw))
						}
						mu.Unlock()
						if status == http.StatusServiceUnavailable && i == 0 {
							if resp, err := c.Get(p.url + "/readyz"); err == nil {
								resp.Body.Close()
								mu.Lock()
								readyz503 = readyz503 || resp.StatusCode == http.StatusServiceUnavailable
								mu.Unlock()
							}
						}
						if err != nil || status == http.StatusServiceUnavailable {
							time.Sleep(20 * time.Millisecond)
						}
					}
				}()
			}
			code, _ := p.waitExit(60 * time.Second)
			wg.Wait()
			if code == 0 {
				t.Fatalf("antrean exited 0 after a failed commit; want non-zero so that its service manager restarts it")
			}
			if !strings.Contains(p.stderr.String(), "a commit failed") {
				t.Errorf("the log does not say why it stopped:\n%s", p.stderr)
			}
			if len(other) > 0 {
				t.Fatalf("%d unexpected answers, first: %s", len(other), other[0])
			}
			if !saw503 || !readyz503 {
				t.Errorf("during the grace: a 503 unavailable answer seen: %v, /readyz 503: %v", saw503, readyz503)
			}
			if len(acked) == 0 || len(failed) == 0 {
				t.Fatalf("%d acknowledged, %d failed: the fault came too early or never", len(acked), len(failed))
			}

			// The service manager's restart.
			q := startServer(t, "serve", data, env)
			admin := login(t, q.url, "admin", adminPW)
			day := serverDay(t, q.url)
			stored := map[string]ticket{}
			list := func(day, sid string) []ticket { return listTickets(t, q.url, admin, day, sid) }
			for _, s := range svcs {
				for _, tk := range list(day, s.ID) {
					stored[tk.ID] = tk
				}
			}
			checkStored(t, "after the restart", list, svcs, []string{day}, ackedList(acked))
			told := map[string]bool{}
			for _, a := range acked {
				told[a.ID] = true
			}
			replays := 0
			for _, key := range failed {
				var i, n int
				fmt.Sscanf(strings.TrimPrefix(key, mode+"-"), "%d-%d", &i, &n)
				s := svcs[(i+n)%len(svcs)]
				status, raw, replayed, err := issueKeyed(c, q.url, kiosk, s.ID, key)
				if err != nil || status != http.StatusCreated {
					t.Fatalf("retry of %s: %d %s (%v)", key, status, raw, err)
				}
				var out struct{ Ticket ticket }
				json.Unmarshal(raw, &out)
				told[out.Ticket.ID] = true
				if replayed {
					replays++
					if stored[out.Ticket.ID].Number != out.Ticket.Number {
						t.Errorf("retry of %s replayed %s, which was not on disk", key, out.Ticket.Number)
					}
				} else if _, ok := stored[out.Ticket.ID]; ok {
					t.Errorf("retry of %s issued %s afresh, but that ID was on disk already", key, out.Ticket.Number)
				}
			}
			for id, tk := range stored {
				if !told[id] {
					t.Errorf("ticket %s (%s) is on disk, but no answer or retry told of it", tk.Number, id)
				}
			}
			if mode == "lost" && replays > 0 {
				t.Errorf("%d retries were replays, but the failed commit wrote nothing", replays)
			}
			if mode == "landed" && replays == 0 {
				t.Errorf("no retry was a replay, but the failed commit, of tickets, landed")
			}
			checkSeqs(t, allEvents(t, q.url, admin))
			t.Logf("%s: %d acknowledged, %d refused and retried (%d replays of a commit that landed), %d on disk before the retries",
				mode, len(acked), len(failed), replays, len(stored))
			q.stop()
		})
	}
}

func ackedList(m map[string]ticket) []ticket {
	out := make([]ticket, 0, len(m))
	for _, tk := range m {
		out = append(out, tk)
	}
	return out
}
