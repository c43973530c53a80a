package counter_test

import (
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/counter"
	"github.com/mpp-digital/antrean/internal/apptest"
)

// TestPage: /counter is served in both languages with the headers of
// API.md, no inline script or style (the CSP forbids them), and its
// catalogue holds every key its files use.
func TestPage(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	for lang, want := range map[string]string{"": `<html lang="id">`, "?lang=en": `<html lang="en">`} {
		r := s.Do(http.MethodGet, "/counter"+lang, "", nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET /counter%s: %d %s", lang, r.Status, r.Header.Get("Content-Type"))
		}
		for h, v := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
			if got := r.Header.Get(h); got != v {
				t.Errorf("%s = %q, want %q", h, got, v)
			}
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP = %q", csp)
		}
		body := string(r.Body)
		if !strings.Contains(body, want) || !strings.Contains(body, `id="counter-config"`) {
			t.Errorf("GET /counter%s lacks %s or its config", lang, want)
		}
		if regexp.MustCompile(`<script>|<script type="module">|style="|<style`).MatchString(body) {
			t.Errorf("GET /counter%s has inline script or style", lang)
		}
	}
	for _, path := range []string{"/counter/assets/console.js", "/counter/assets/console.css", "/static/staff.js", "/static/staff.css"} {
		if r := s.Do(http.MethodGet, path, "", nil); r.Status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.Status)
		}
	}
	cat := counter.Catalog()
	if m := cat.Missing(); len(m) > 0 {
		t.Errorf("keys missing per language: %v", m)
	}
	used := usedKeys(t, os.DirFS("."), "counter.html", "assets/console.js")
	used = append(used, usedKeys(t, os.DirFS("../web/static"), "staff.js")...)
	for _, k := range used {
		if _, ok := cat["id"][k]; !ok {
			t.Errorf("the catalogue lacks %q", k)
		}
	}
}

var keyRe = regexp.MustCompile(`\bt\("([a-z][a-z0-9_.\-]*[a-z0-9_])"|call \.T "([^"]+)"`)

// usedKeys lists the translation keys that files name literally.
func usedKeys(t *testing.T, fsys fs.FS, names ...string) []string {
	t.Helper()
	var out []string
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			out = append(out, m[1]+m[2])
		}
	}
	return out
}
