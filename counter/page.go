// Package counter is the officer console, GET /counter (SCREENS.md,
// "Officer console"): sign in, pick one of the agency's counters, and work
// it with one key per action. The page is public HTML; everything it shows
// comes from the staff API (API.md) with the session cookie and the CSRF
// token, and live through the public websocket feed.
package counter

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

var (
	//go:embed assets
	assetsFS embed.FS
	//go:embed i18n/*.json
	i18nFS embed.FS
	//go:embed counter.html
	pageHTML string
)

var (
	// Assets serves the console's script and style sheet at
	// /counter/assets/.
	Assets = web.MustAssets(mustSub(assetsFS, "assets"), "/counter/assets/")

	catalog = web.Common.Merge(web.MustCatalog(i18nFS, "i18n"))
	page    = template.Must(template.New("counter").Parse(pageHTML))
)

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Page serves the officer console.
type Page struct {
	Engine *queue.Engine
}

// pageConfig is what the script starts from, rendered into the page as
// JSON data: the site's public settings only.
type pageConfig struct {
	Lang string `json:"lang"`
	Site struct {
		Name     string `json:"name"`
		Timezone string `json:"timezone"`
	} `json:"site"`
}

type pageData struct {
	Lang    string
	Other   string
	Site    *queue.Site
	Config  pageConfig
	Catalog map[string]string
	T       func(string) string
	Static  func(string) string
	Asset   func(string) string
}

// ServeHTTP renders the console; the script does the rest.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	site := p.Engine.State().Site
	var cfg pageConfig
	cfg.Lang = lang
	cfg.Site.Name, cfg.Site.Timezone = site.Name, site.Timezone
	other := "en"
	if lang == "en" {
		other = "id"
	}
	data := pageData{
		Lang: lang, Other: other, Site: site, Config: cfg, Catalog: catalog.For(lang),
		T:      func(key string) string { return catalog.T(lang, key) },
		Static: web.Static.URL, Asset: Assets.URL,
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_ = page.Execute(w, data)
}

// Catalog is the console's translations (shared ones included).
func Catalog() web.Catalog { return catalog }
