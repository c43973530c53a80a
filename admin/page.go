// Package admin is the administration screens, GET /admin (SCREENS.md,
// "Admin"): a live overview, services and counters, agencies, users,
// devices, every site setting, and the backup download. The page is
// public HTML; what it shows and changes goes through the staff API
// (API.md) with the session cookie and the CSRF token, so the API's rules
// decide who may do what — an admin everything, a supervisor their own
// agency — and the page hides what the signed-in user cannot do.
package admin

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
	//go:embed admin.html
	pageHTML string
)

var (
	// Assets serves the admin screens' scripts and style sheet at
	// /admin/assets/.
	Assets = web.MustAssets(mustSub(assetsFS, "assets"), "/admin/assets/")

	catalog = web.Common.Merge(web.MustCatalog(i18nFS, "i18n"))
	page    = template.Must(template.New("admin").Parse(pageHTML))
)

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Page serves the admin screens.
type Page struct {
	Engine *queue.Engine
}

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

// ServeHTTP renders the admin shell; the script does the rest.
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

// Catalog is the admin screens' translations (shared ones included).
func Catalog() web.Catalog { return catalog }
