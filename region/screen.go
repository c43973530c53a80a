package region

import (
	"embed"
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/web"
)

// The region's screens: the live board (/) and the reports (/laporan),
// html/template pages with small vanilla JS modules, embedded; Bahasa
// Indonesia first, English with ?lang=en. Without a session a page
// shows the sign-in form.

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed assets
var assetsRoot embed.FS

const assetsPrefix = "/region-static/"

var assetsFS = web.Sub(assetsRoot, "assets")

var pages = template.Must(template.New("").ParseFS(templatesFS, "templates/*.html"))

// catalog holds the screens' words by language (i18n/*.json, as the
// site's screens keep theirs); texts is each language's words and their
// JSON for the scripts, made once rather than at every page load.
var (
	//go:embed i18n/*.json
	i18nFS  embed.FS
	catalog = web.MustCatalog(i18nFS, "i18n")
	texts   = func() map[string]pageTexts {
		m := map[string]pageTexts{}
		for _, lang := range web.Langs {
			t := catalog.For(lang)
			j, err := json.Marshal(t)
			if err != nil {
				panic(err)
			}
			m[lang] = pageTexts{t, template.JS(j)}
		}
		return m
	}()
)

// pageTexts is one language's words, as a map and as JSON.
type pageTexts struct {
	T    map[string]string
	JSON template.JS
}

type pageData struct {
	Page     string
	T        map[string]string
	TJSON    template.JS
	SignedIn bool
	User     *User
	Today    string
}

func (r *Region) page(name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		// The screens speak Bahasa Indonesia unless asked for English
		// (?lang=en, which their links keep): a browser's own language
		// does not decide.
		lang := "id"
		if c.QueryParam("lang") == "en" {
			lang = "en"
		}
		t := texts[lang]
		cl := r.authenticate(c)
		d := pageData{Page: name, T: t.T, TJSON: t.JSON, SignedIn: cl.user != nil, User: cl.user,
			Today: r.cfg.Clock().Format("2006-01-02")}
		c.Response().Header().Set("Content-Type", "text/html; charset=utf-8")
		c.Response().Header().Set("Cache-Control", "no-store")
		c.Response().WriteHeader(http.StatusOK)
		return pages.ExecuteTemplate(c.Response(), "page.html", d)
	}
}
