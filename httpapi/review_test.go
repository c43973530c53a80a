package httpapi

// Review tests of the failed-login limit (API.md: after 5 failures within
// 15 minutes for one username, 429). They run the real handler on a real
// engine and bbolt store, and look into the limiter where only it can tell.

import (
	"context"
	"net/http"
	"net/http/httptest"
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

// The per-username limit counts the name as sign-in reads it: with spaces
// around it trimmed and in any case, the same account.
func TestReviewLoginLimitCountsTheAccount(t *testing.T) {
	s := reviewServer(t)
	for i := range 5 {
		// Each from its own address: the per-address limit plays no part.
		if got := reviewLogin(s, "10.0.0."+string(rune('1'+i)), "off.a", "wrong-password"); got != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, got)
		}
	}
	for _, name := range []string{"off.a", " off.a", "off.a ", "\toff.a", "OFF.A  "} {
		if got := reviewLogin(s, "10.0.1.1", name, reviewPassword); got != http.StatusTooManyRequests {
			t.Errorf("login as %q after 5 failures for off.a: status %d, want 429", name, got)
		}
	}
}

// Sign-ins that arrive together are each counted before the slow password
// check: the sixth of a burst is refused, not only the sixth to finish.
func TestReviewLoginLimitHoldsUnderConcurrency(t *testing.T) {
	s := reviewServer(t)
	const n = 30
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
			// Unknown users check against the dummy hash (full bcrypt cost):
			// a burst overlaps for sure.
			code := reviewLogin(s, "10.1."+string(rune('0'+i/10))+"."+string(rune('0'+i%10)), "nobody", "wrong-password")
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	if codes[http.StatusUnauthorized] > 5 || codes[http.StatusTooManyRequests] != n-codes[http.StatusUnauthorized] {
		t.Fatalf("a burst of %d wrong passwords for one name got %v; want at most 5 checked (401), the rest 429", n, codes)
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
	for k := range s.logins.byUser {
		if len(k) > 100 {
			t.Fatalf("the limiter keeps a %d-byte key for one failed sign-in", len(k))
		}
	}
}
