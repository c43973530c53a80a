package survey

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

var (
	//go:embed assets
	assetsFS embed.FS
	//go:embed i18n/*.json
	i18nFS embed.FS
	//go:embed templates/survey.html
	pageHTML string
)

var (
	// Assets serves the survey tablet's script and style at
	// /survey/assets/ (the form itself is web's skm.js and skm.css).
	Assets = web.MustAssets(web.Sub(assetsFS, "assets"), "/survey/assets/")

	catalog = web.Common.Merge(web.SKM).Merge(web.MustCatalog(i18nFS, "i18n"))
	page    = template.Must(template.New("survey").Parse(pageHTML))
)

// Catalog is the tablet's translations (the form's and shared ones
// included).
func Catalog() web.Catalog { return catalog }

func mountScreen(e *echo.Echo, eng *queue.Engine) {
	e.GET(Assets.Prefix()+"*", echo.WrapHandler(Assets))
	e.GET("/survey", func(c echo.Context) error { return tablet(c, eng) })
}

type tabletData struct {
	Lang, Site           string
	CatalogID, CatalogEN map[string]string
	T, Static, Asset     func(string) string
}

// tablet serves GET /survey, the survey tablet at a counter. The page
// holds no data of its own: the script pairs with ?device=TOKEN (kept in
// the browser, taken out of the address bar), reads GET /api/v1/survey
// and follows the public feed for ticket.done at its counter. It greets
// in Bahasa Indonesia; its toggle switches to English and back.
func tablet(c echo.Context, eng *queue.Engine) error {
	lang := web.Langs[0]
	d := tabletData{
		Lang: lang, Site: eng.State().Site.Name,
		CatalogID: catalog.For("id"), CatalogEN: catalog.For("en"),
		T:      func(key string) string { return catalog.T(lang, key) },
		Static: web.Static.URL, Asset: Assets.URL,
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return page.Execute(c.Response(), d)
}
