package booking

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

// The public page /booking (SCREENS.md, "Online booking"): html/template
// with its translations embedded; booking.js and booking.css under
// /booking/assets/ (no inline script or style, so the
// Content-Security-Policy needs no exception).

var (
	//go:embed assets
	assetsFS embed.FS
	//go:embed i18n/*.json
	i18nFS embed.FS
	//go:embed templates/*.html
	templatesFS embed.FS
)

var (
	// Assets serves the booking page's script and style at
	// /booking/assets/.
	Assets = web.MustAssets(web.Sub(assetsFS, "assets"), "/booking/assets/")

	catalog   = web.Common.Merge(web.MustCatalog(i18nFS, "i18n"))
	templates = template.Must(template.New("").ParseFS(templatesFS, "templates/*.html"))
)

// Catalog is the booking page's translations (shared ones included).
func Catalog() web.Catalog { return catalog }

// mountPage adds /booking, /booking/CODE and the page's files.
func mountPage(api *httpapi.Server) {
	p := &page{engine: api.Engine()}
	e := api.Echo
	e.GET(Assets.Prefix()+"*", echo.WrapHandler(Assets))
	e.GET("/booking", p.serve)
	e.GET("/booking/:code", p.serve)
}

type page struct {
	engine *queue.Engine
}

// pageConfig is what booking.js starts from, rendered as JSON data.
type pageConfig struct {
	Lang     string        `json:"lang"`
	Site     pageSite      `json:"site"`
	Today    string        `json:"today"`
	Last     string        `json:"last"`
	Agencies []*pageAgency `json:"agencies"`
	Services []*pageSvc    `json:"services"`
	Privacy  Notice        `json:"privacy"`
	// Code is the code in the address (/booking/CODE), to manage.
	Code string `json:"code"`
}

type pageSite struct {
	Name             string `json:"name"`
	Timezone         string `json:"timezone"`
	CheckinBeforeMin int    `json:"checkin_before_min"`
	CheckinAfterMin  int    `json:"checkin_after_min"`
	RetentionDays    int    `json:"retention_days"`
}

type pageAgency struct {
	ID        string `json:"id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
}

type pageSvc struct {
	ID           string   `json:"id"`
	AgencyID     string   `json:"agency_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	NameEN       string   `json:"name_en"`
	Fee          string   `json:"fee"`
	Requirements []string `json:"requirements"`
	RequiresNIK  bool     `json:"requires_nik"`
}

type pageData struct {
	Lang, OtherLang, LangURL string
	Site                     string
	Config                   pageConfig
	Catalog                  map[string]string
	T                        func(string) string
	Static, Asset            func(string) string
}

// serve renders /booking (and /booking/CODE, the page of a booking: what
// its QR code opens). The page lists the agencies and services that take
// online bookings; booking.js does the rest through the API.
func (p *page) serve(c echo.Context) error {
	st := p.engine.State()
	r := c.Request()
	lang := web.Lang(r)
	other := "en"
	if lang == "en" {
		other = "id"
	}
	u := *r.URL
	q := u.Query()
	q.Set("lang", other)
	u.RawQuery = q.Encode()
	today := p.engine.Now().In(st.Loc)
	cfg := pageConfig{
		Lang: lang,
		Site: pageSite{Name: st.Site.Name, Timezone: st.Site.Timezone, CheckinBeforeMin: st.Site.CheckinBeforeMin,
			CheckinAfterMin: st.Site.CheckinAfterMin, RetentionDays: st.Site.RetentionDays},
		Today: today.Format(queue.DateLayout), Last: today.AddDate(0, 0, queue.BookingDaysAhead).Format(queue.DateLayout),
		Agencies: []*pageAgency{}, Services: []*pageSvc{},
		Privacy: PrivacyNotice(st.Site),
	}
	if code, ok := queue.ParseBookingCode(c.Param("code")); ok {
		cfg.Code = code
	}
	with := map[string]bool{}
	for _, svc := range st.Services() {
		if queue.OnlinePlaces(svc) == 0 {
			continue
		}
		// The page is in one language: the English requirements, fee and
		// agency names in English, the Indonesian where there are none.
		reqs := svc.RequirementsIn(lang)
		if reqs == nil {
			reqs = []string{}
		}
		cfg.Services = append(cfg.Services, &pageSvc{ID: svc.ID, AgencyID: svc.AgencyID, Code: svc.Code, Name: svc.Name,
			NameEN: svc.NameEN, Fee: svc.FeeIn(lang), Requirements: reqs, RequiresNIK: svc.RequiresNIK})
		with[svc.AgencyID] = true
	}
	for _, a := range st.Agencies() {
		if with[a.ID] {
			cfg.Agencies = append(cfg.Agencies, &pageAgency{ID: a.ID, Code: a.Code, Name: a.NameIn(lang), ShortName: a.Label(lang)})
		}
	}
	d := pageData{
		Lang: lang, OtherLang: other, LangURL: u.RequestURI(), Site: st.Site.Name, Config: cfg,
		Catalog: catalog.For(lang),
		T:       func(key string) string { return catalog.T(lang, key) },
		Static:  web.Static.URL, Asset: Assets.URL,
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(http.StatusOK)
	return templates.ExecuteTemplate(c.Response(), "booking.html", d)
}
