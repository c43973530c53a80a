package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestAssetsCaching(t *testing.T) {
	a, err := NewAssets(fstest.MapFS{
		"app.js":     {Data: []byte("export const x = 1;\n")},
		"css/a.css":  {Data: []byte("body{}")},
		"clip.wav":   {Data: []byte("RIFF....WAVE")},
		"notes.xyz1": {Data: []byte("?")},
	}, "/static/")
	if err != nil {
		t.Fatal(err)
	}
	get := func(target string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		w := httptest.NewRecorder()
		a.ServeHTTP(w, req)
		return w
	}
	url := a.URL("app.js")
	if !strings.HasPrefix(url, "/static/app.js?v=") {
		t.Fatalf("URL = %q", url)
	}
	w := get(url)
	if w.Code != 200 || w.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" ||
		w.Header().Get("Content-Type") != "text/javascript; charset=utf-8" || w.Body.String() != "export const x = 1;\n" {
		t.Errorf("versioned: %d %v %q", w.Code, w.Header(), w.Body)
	}
	w = get("/static/app.js")
	etag := w.Header().Get("ETag")
	if w.Code != 200 || w.Header().Get("Cache-Control") != "no-cache" || etag == "" {
		t.Errorf("unversioned: %d %v", w.Code, w.Header())
	}
	if w := get("/static/app.js", "If-None-Match", etag); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("revalidation: %d", w.Code)
	}
	if w := get("/static/app.js?v=old"); w.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("a stale version is cached for long: %v", w.Header())
	}
	for path, ct := range map[string]string{
		"/static/css/a.css":  "text/css; charset=utf-8",
		"/static/clip.wav":   "audio/wav",
		"/static/notes.xyz1": "application/octet-stream",
	} {
		if w := get(path); w.Code != 200 || w.Header().Get("Content-Type") != ct {
			t.Errorf("%s: %d %q", path, w.Code, w.Header().Get("Content-Type"))
		}
	}
	for _, path := range []string{"/static/nope.js", "/static/", "/static/../web.go", "/other/app.js"} {
		if w := get(path); w.Code != http.StatusNotFound {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	req := httptest.NewRequest(http.MethodPost, "/static/app.js", nil)
	w = httptest.NewRecorder()
	a.ServeHTTP(w, req)
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", w.Code)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("URL of a missing file does not panic")
		}
	}()
	a.URL("missing.js")
}

func TestStaticFiles(t *testing.T) {
	for _, name := range []string{"tokens.css", "live.js", "i18n.js", "favicon.svg"} {
		if !Static.Has(name) {
			t.Errorf("static file %s missing", name)
		}
	}
}

func TestCatalog(t *testing.T) {
	if m := Common.Missing(); len(m) > 0 {
		t.Errorf("keys missing: %v", m)
	}
	if got := Common.T("id", "conn.offline"); got != "Terputus — menyambung kembali…" {
		t.Errorf("conn.offline = %q", got)
	}
	c := Catalog{"id": {"a": "satu", "b": "dua"}, "en": {"a": "one"}}
	if c.T("en", "b") != "dua" || c.T("en", "zz") != "zz" || c.T("fr", "a") != "satu" {
		t.Errorf("fallbacks wrong")
	}
	m := c.Merge(Catalog{"id": {"b": "DUA"}, "en": {"b": "two"}})
	if m.T("id", "b") != "DUA" || m.T("en", "b") != "two" || m.T("id", "a") != "satu" {
		t.Errorf("merge wrong: %v", m)
	}
	for target, want := range map[string]string{"/x": "id", "/x?lang=en": "en", "/x?lang=fr": "id", "/x?lang=id": "id"} {
		if got := Lang(httptest.NewRequest(http.MethodGet, target, nil)); got != want {
			t.Errorf("Lang(%s) = %q", target, got)
		}
	}
}
