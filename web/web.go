// Package web holds what every screen shares: the design tokens
// (tokens.css), the live feed client (live.js), the translation helper
// (i18n.js) and the common translation catalogues, all embedded in the
// binary and served under /static/. Screens embed their own files and
// serve them with the same Assets type.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

//go:embed i18n/*.json
var i18nFS embed.FS

// Static serves the shared files at /static/.
var Static = MustAssets(mustSub(staticFS, "static"), "/static/")

// Common is the shared translation catalogue (id, en).
var Common = MustCatalog(i18nFS, "i18n")

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Assets serves a tree of embedded files under a URL prefix. Each file
// gets a content hash: URL adds it as ?v=HASH, and a request carrying the
// current hash is cached for a year (immutable); any other request is
// answered with no-cache and an ETag, so a browser revalidates cheaply and
// never keeps a stale file after an upgrade.
type Assets struct {
	prefix string
	files  map[string]*asset
}

type asset struct {
	body  []byte
	hash  string
	ctype string
}

// contentTypes are set explicitly: the system's MIME table varies, and
// nosniff makes a wrong type fatal for scripts.
var contentTypes = map[string]string{
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".json": "application/json",
	".wav":  "audio/wav",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

// NewAssets reads every file of fsys, to be served under prefix (which
// starts and ends with a slash).
func NewAssets(fsys fs.FS, prefix string) (*Assets, error) {
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		return nil, fmt.Errorf("web: asset prefix %q must start and end with /", prefix)
	}
	a := &Assets{prefix: prefix, files: map[string]*asset{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ct := contentTypes[path.Ext(name)]
		if ct == "" {
			ct = mime.TypeByExtension(path.Ext(name))
		}
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.files[name] = &asset{body: body, hash: hex.EncodeToString(sum[:6]), ctype: ct}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// MustAssets is NewAssets for package variables.
func MustAssets(fsys fs.FS, prefix string) *Assets {
	a, err := NewAssets(fsys, prefix)
	if err != nil {
		panic(err)
	}
	return a
}

// Prefix is the URL prefix the files are served under.
func (a *Assets) Prefix() string { return a.prefix }

// URL is the versioned URL of a file, e.g. /static/live.js?v=1a2b3c4d5e6f.
// It panics on a file that does not exist: templates name files at
// build time, and a typo must fail the tests, not the lobby.
func (a *Assets) URL(name string) string {
	f := a.files[name]
	if f == nil {
		panic(fmt.Sprintf("web: no asset %q under %s", name, a.prefix))
	}
	return a.prefix + name + "?v=" + f.hash
}

// Has reports whether a file exists.
func (a *Assets) Has(name string) bool { return a.files[name] != nil }

// ServeHTTP answers GET and HEAD for the files under the prefix.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := strings.CutPrefix(r.URL.Path, a.prefix)
	f := a.files[name]
	if !ok || f == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	if r.URL.Query().Get("v") == f.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatch(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", f.ctype)
	h.Set("Content-Length", fmt.Sprint(len(f.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		w.Write(f.body)
	}
}

func etagMatch(header, etag string) bool {
	for _, m := range strings.Split(header, ",") {
		m = strings.TrimSpace(m)
		if m == etag || m == "W/"+etag || m == "*" {
			return true
		}
	}
	return false
}
