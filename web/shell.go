package web

import (
	"html/template"
	"io/fs"
	"net/http"

	"github.com/mpp-digital/antrean/queue"
)

// Sub is fs.Sub that panics, for embedded trees known at build time.
func Sub(fsys fs.FS, dir string) fs.FS { return mustSub(fsys, dir) }

// Shell serves the HTML shell of a staff screen (the officer console, the
// admin screens): the page template with the language, its catalogue and
// the site's public settings. The screen's script does the rest through
// the staff API.
type Shell struct {
	Engine  *queue.Engine
	Page    *template.Template
	Catalog Catalog
	Assets  *Assets
}

// ShellConfig is what a staff screen's script starts from, rendered into
// the page as JSON data: the site's public settings only.
type ShellConfig struct {
	Lang string `json:"lang"`
	Site struct {
		Name     string `json:"name"`
		Timezone string `json:"timezone"`
	} `json:"site"`
}

// ShellData is what a shell template gets.
type ShellData struct {
	Lang    string
	Other   string
	Site    *queue.Site
	Config  ShellConfig
	Catalog map[string]string
	T       func(string) string
	Static  func(string) string
	Asset   func(string) string
}

func (s *Shell) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := Lang(r)
	site := s.Engine.State().Site
	var cfg ShellConfig
	cfg.Lang = lang
	cfg.Site.Name, cfg.Site.Timezone = site.Name, site.Timezone
	other := "en"
	if lang == "en" {
		other = "id"
	}
	data := ShellData{
		Lang: lang, Other: other, Site: site, Config: cfg, Catalog: s.Catalog.For(lang),
		T:      func(key string) string { return s.Catalog.T(lang, key) },
		Static: Static.URL, Asset: s.Assets.URL,
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = s.Page.Execute(w, data)
}
