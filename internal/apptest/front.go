package apptest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Front is a reverse proxy in front of a test server that plays, for the
// clients behind it, a server that fails a commit and restarts: the first
// request of a kind goes through and commits, but its answer is lost and
// the client gets 503 unavailable, as from a server whose fsync failed;
// further requests of that kind get 503 too, until Up. The server itself
// can meanwhile be stopped and started again on the same address, as its
// service manager would.
type Front struct {
	URL string

	mu      sync.Mutex
	method  string
	path    string // suffix of the failing requests' path
	lost    bool   // the first failing request went through
	down    bool
	keys    []string // Idempotency-Keys of the failing kind, as they came
	changed chan struct{}
}

// NewFront proxies to target until the test ends.
func NewFront(t testing.TB, target string) *Front {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	f := &Front{changed: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(u)
	// The backend may be down between a stop and a start: say so as a
	// gateway does.
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		w.WriteHeader(http.StatusBadGateway)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.fail(w, r, rp) {
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// FailFrom makes requests of method whose path ends in path fail from
// now on: the first commits and loses its answer, the rest are refused.
func (f *Front) FailFrom(method, path string) {
	f.mu.Lock()
	f.method, f.path, f.lost, f.down = method, path, false, true
	f.mu.Unlock()
}

// Up lets every request through again.
func (f *Front) Up() {
	f.mu.Lock()
	f.down = false
	f.mu.Unlock()
}

// Keys returns the Idempotency-Keys of the failing kind of request seen
// so far, failed or passed.
func (f *Front) Keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.keys...)
}

// WaitKeys waits until n requests of the failing kind have come.
func (f *Front) WaitKeys(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	done := time.After(timeout)
	for {
		f.mu.Lock()
		got, ch := len(f.keys), f.changed
		f.mu.Unlock()
		if got >= n {
			return
		}
		select {
		case <-ch:
		case <-done:
			t.Fatalf("only %d requests came, want %d", got, n)
		}
	}
}

func (f *Front) fail(w http.ResponseWriter, r *http.Request, rp *httputil.ReverseProxy) bool {
	f.mu.Lock()
	match := f.path != "" && r.Method == f.method && strings.HasSuffix(r.URL.Path, f.path)
	if match {
		f.keys = append(f.keys, r.Header.Get("Idempotency-Key"))
		close(f.changed)
		f.changed = make(chan struct{})
	}
	down, lose := f.down, !f.lost
	if match && down && lose {
		f.lost = true
	}
	f.mu.Unlock()
	if !match || !down {
		return false
	}
	if lose {
		// It commits; its answer is lost on the way back.
		rec := httptest.NewRecorder()
		rp.ServeHTTP(rec, r)
		io.Copy(io.Discard, rec.Result().Body)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "2")
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, `{"error":{"code":"unavailable","message":"Server tidak dapat menyimpan ini dan sedang memulai ulang."}}`)
	return true
}
