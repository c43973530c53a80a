// Package counter is the officer console, GET /counter (SCREENS.md,
// "Officer console"): sign in, pick one of the agency's counters, and work
// it with one key per action. The page is public HTML; everything it shows
// comes from the staff API (API.md) with the session cookie and the CSRF
// token, and live through the public websocket feed.
package counter

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
	//go:embed counter.html
	pageHTML string
)

var (
	// Assets serves the console's script and style sheet at
	// /counter/assets/.
	Assets = web.MustAssets(web.Sub(assetsFS, "assets"), "/counter/assets/")

	catalog = web.Common.Merge(web.MustCatalog(i18nFS, "i18n"))
	page    = template.Must(template.New("counter").Parse(pageHTML))
)

// Page serves the officer console: the shared staff shell with this screen's
// template, catalogue and assets.
type Page struct {
	Engine *queue.Engine
}

func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(&web.Shell{Engine: p.Engine, Page: page, Catalog: catalog, Assets: Assets}).ServeHTTP(w, r)
}

// Catalog is the console's translations (shared ones included).
func Catalog() web.Catalog { return catalog }
