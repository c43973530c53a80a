package httpapi

// Review tests of the failed-login limit (API.md: after 5 failures within
// 15 minutes for one username, 429). They run the real handler on a real
// engine and bbolt store, and look into the limiter where only it can tell.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

const reviewPassword = "staff-password-1"

// reviewServer is the API on a fresh store with one officer, "off.a".
func reviewServer(t *testing.T) *Server {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := queue.Open(db, queue.Options{})
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close(); db.Close() })
	hash, err := bcrypt.GenerateFromPassword([]byte(reviewPassword), 4)
	if err != nil {
		t.Fatal(err)
	}
	u := &queue.User{ID: "usr_off", Username: "off.a", Role: queue.RoleGreeter, PasswordHash: string(hash)}
	if _, err := eng.Apply(context.Background(), time.Time{}, queue.PutUser{User: u, Create: true}); err != nil {
		t.Fatal(err)
	}
	return New(eng, Config{BcryptCost: 4, Logger: nil})
}

// reviewLogin posts a login from addr and returns the status.
func reviewLogin(s *Server, addr, username, password string) int {
	body := `{"username":` + quoteJSON(username) + `,"password":` + quoteJSON(password) + `}`
	req := httptest.NewRequest(http.MethodPost, "/api/v1/login", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = addr + ":40000"
	rec := httptest.NewRecorder()
	s.Echo.ServeHTTP(rec, req)
	return rec.Code
}

func quoteJSON(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// The per-pair limit counts the name as sign-in reads it: with spaces
// around it trimmed and in any case, the same account.
func TestReviewLoginLimitCountsTheAccount(t *testing.T) {
	s := reviewServer(t)
	for i := range 5 {
		if got := reviewLogin(s, "10.0.0.1", "off.a", "wrong-password"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, got)
		}
	}
	for _, name := range []string{"off.a", " off.a", "off.a ", "\toff.a", "OFF.A  "} {
		if got := reviewLogin(s, "10.0.0.1", name, reviewPassword); got != http.StatusTooManyRequests {
			t.Errorf("login as %q after 5 failures for off.a from the same address: status %d, want 429", name, got)
		}
	}
	// From an address that has not failed, the right password works.
	if got := reviewLogin(s, "10.0.1.1", " OFF.A", reviewPassword); got != http.StatusOK {
		t.Errorf("the right password from a clean address: status %d, want 200", got)
	}
}

// Sign-ins that arrive together are each counted before the slow password
// check: the sixth of a burst from one address is refused, not only the
// sixth to finish; and once the name is paced, a burst from addresses
// that have failed for it gets one check.
func TestReviewLoginLimitHoldsUnderConcurrency(t *testing.T) {
	s := reviewServer(t)
	burst := func(n int, addr func(i int) string) map[int]int {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			codes = map[int]int{}
		)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Unknown users check against the dummy hash (full bcrypt
				// cost): a burst overlaps for sure.
				code := reviewLogin(s, addr(i), "nobody", "wrong-password")
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		return codes
	}
	const n = 30
	codes := burst(n, func(int) string { return "10.1.0.1" })
	if codes[http.StatusUnauthorized] != 5 || codes[http.StatusTooManyRequests] != n-5 {
		t.Fatalf("a burst of %d wrong passwords for one name from one address got %v; want 5 checked (401), the rest 429", n, codes)
	}
	// The name has failed 5 times: it is paced. Two addresses that have
	// not failed for it get their guesses checked; then a burst from
	// them gets one check.
	for i := range 2 {
		if got := reviewLogin(s, "10.2.0."+strconv.Itoa(i), "nobody", "wrong-password"); got != http.StatusUnauthorized {
			t.Fatalf("status %d", got)
		}
	}
	codes = burst(6, func(i int) string { return "10.2.0." + strconv.Itoa(i%2) })
	if codes[http.StatusUnauthorized] != 1 || codes[http.StatusTooManyRequests] != 5 {
		t.Fatalf("a burst for a paced name from addresses that failed for it got %v; want 1 checked, 5 429", codes)
	}
}

// What the limiter keeps per failed sign-in is bounded, whatever username
// a client sends (a body may be 64 KiB).
func TestReviewLoginLimitKeepsShortKeys(t *testing.T) {
	s := reviewServer(t)
	long := strings.Repeat("x", 60<<10)
	if got := reviewLogin(s, "10.2.0.1", long, "wrong-password"); got != http.StatusUnauthorized {
		t.Fatalf("status %d", got)
	}
	s.logins.mu.Lock()
	defer s.logins.mu.Unlock()
	for _, tab := range []*failTable{&s.logins.users, &s.logins.pairs, &s.logins.addrs} {
		for k := range tab.m {
			if len(k) > 200 {
				t.Fatalf("the limiter keeps a %d-byte key for one failed sign-in", len(k))
			}
		}
	}
}
