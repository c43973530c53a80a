package admin_test

import (
	"io/fs"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/admin"
	"github.com/mpp-digital/antrean/internal/apptest"
)

// TestPage: /admin is served in both languages with the headers of
// API.md, no inline script or style, and its catalogue holds every key
// its files use.
func TestPage(t *testing.T) {
	s := apptest.Start(t, apptest.Options{Start: apptest.Workday})
	for lang, want := range map[string]string{"": `<html lang="id">`, "?lang=en": `<html lang="en">`} {
		r := s.Do(http.MethodGet, "/admin"+lang, "", nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Fatalf("GET /admin%s: %d %s", lang, r.Status, r.Header.Get("Content-Type"))
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP = %q", csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("headers %v", r.Header)
		}
		body := string(r.Body)
		if !strings.Contains(body, want) || !strings.Contains(body, `id="admin-config"`) {
			t.Errorf("GET /admin%s lacks %s or its config", lang, want)
		}
		if regexp.MustCompile(`<script>|<script type="module">|style="|<style`).MatchString(body) {
			t.Errorf("GET /admin%s has inline script or style", lang)
		}
	}
	files, _ := fs.Glob(os.DirFS("assets"), "*")
	for _, f := range files {
		if r := s.Do(http.MethodGet, "/admin/assets/"+f, "", nil); r.Status != http.StatusOK {
			t.Errorf("GET /admin/assets/%s: %d", f, r.Status)
		}
	}
	cat := admin.Catalog()
	if m := cat.Missing(); len(m) > 0 {
		t.Errorf("keys missing per language: %v", m)
	}
	keyRe := regexp.MustCompile(`\bt\("([a-z][a-z0-9_.\-]*[a-z0-9_])"|call \.T "([^"]+)"|label: "(nav\.[a-z]+)"`)
	names := []string{"admin.html", "../web/static/staff.js"}
	for _, f := range files {
		if strings.HasSuffix(f, ".js") {
			names = append(names, "assets/"+f)
		}
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			k := m[1] + m[2] + m[3]
			if _, ok := cat["id"][k]; !ok {
				t.Errorf("%s: the catalogue lacks %q", n, k)
			}
		}
	}
}
