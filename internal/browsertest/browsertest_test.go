package browsertest_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/browsertest"
)

func TestBrowser(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("ANTREAN_SCREENSHOTS", dir)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/app.js":
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte(`setTimeout(() => { document.getElementById("out").textContent = "siap " + innerWidth + "x" + innerHeight; }, 100);
console.error("an error the test expects");`))
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<!doctype html><html lang="id"><body><p id="out">memuat</p><script src="/app.js"></script></body></html>`))
		}
	}))
	defer srv.Close()

	b := browsertest.New(t, browsertest.Options{Width: 800, Height: 600})
	b.Open(srv.URL)
	b.WaitVisible("#out", 5*time.Second)
	b.WaitText("#out", "siap 800x600", 5*time.Second)
	var sum int
	b.Eval(`Promise.resolve(20 + 22)`, &sum)
	if sum != 42 {
		t.Errorf("Eval = %d", sum)
	}
	if got := b.Text("#out"); got != "siap 800x600" {
		t.Errorf("Text = %q", got)
	}
	path := b.Screenshot("page/800x600")
	if filepath.Dir(path) != dir || !strings.HasSuffix(path, ".png") || strings.Contains(filepath.Base(path), "/") {
		t.Errorf("screenshot at %q", path)
	}
	png, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot is not a PNG: %v", err)
	}
	b.WaitFor(`true`, time.Second)
	time.Sleep(100 * time.Millisecond)
	errs := b.Errors()
	if len(errs) != 1 || !strings.Contains(errs[0], "an error the test expects") {
		t.Errorf("Errors = %q", errs)
	}
	b.NoErrors("an error the test expects")
}

// Axe works on a page that forbids scripts from elsewhere (the screens'
// Content-Security-Policy), finds what is wrong and passes what is not.
func TestAxe(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		if r.URL.Path == "/style.css" {
			w.Header().Set("Content-Type", "text/css")
			w.Write([]byte(`.ink { color: #14213D } .pale { color: #bbb }`))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		body := `<main><h1>Antrean</h1><button type="button">Ambil nomor</button><p class="ink">Silakan</p></main>`
		if r.URL.Path == "/bad" {
			body = `<main><button type="button"></button><p class="pale">pucat</p><button type="button" aria-label="Indonesia">ID</button></main>`
		}
		w.Write([]byte(`<!doctype html><html lang="id"><head><title>Uji</title><link rel="stylesheet" href="/style.css"></head><body>` + body + `</body></html>`))
	}))
	defer srv.Close()

	b := browsertest.New(t, browsertest.Options{Width: 800, Height: 600})
	b.Open(srv.URL + "/bad")
	got := map[string]string{}
	for _, v := range b.AxeViolations() {
		got[v.ID] = v.Impact
		if len(v.Nodes) == 0 || len(v.Nodes[0].Target) == 0 || v.Nodes[0].HTML == "" {
			t.Errorf("%s without the element: %+v", v.ID, v)
		}
	}
	for id, impact := range map[string]string{"button-name": "critical", "color-contrast": "serious", "label-content-name-mismatch": "serious"} {
		if got[id] != impact {
			t.Errorf("axe on the bad page: %s is %q, want %q (all: %v)", id, got[id], impact, got)
		}
	}
	b.Open(srv.URL + "/good")
	if vs := b.Axe("good page"); len(vs) != 0 {
		t.Errorf("axe on the good page: %v", vs)
	}
	// The policy held: axe came in through the DevTools protocol.
	b.NoErrors()
}
