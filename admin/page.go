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
	Assets = web.MustAssets(web.Sub(assetsFS, "assets"), "/admin/assets/")

	// The survey's catalogue names the respondents' profile answers on
	// the SKM page.
	catalog = web.Common.Merge(web.SKM).Merge(web.MustCatalog(i18nFS, "i18n"))
	page    = template.Must(template.New("admin").Parse(pageHTML))
)

// Page serves the admin screens: the shared staff shell with this screen's
// template, catalogue and assets.
type Page struct {
	Engine *queue.Engine
}

func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(&web.Shell{Engine: p.Engine, Page: page, Catalog: catalog, Assets: Assets}).ServeHTTP(w, r)
}

// Catalog is the admin screens' translations (shared ones included).
func Catalog() web.Catalog { return catalog }
