// Package kiosk serves what a visitor meets on the way to a counter: the
// touch kiosk that issues tickets (/kiosk), the ticket's printout (a print
// page for the kiosk's browser, and ESC/POS for network thermal printers),
// and the visitor's live ticket page on their phone (/t/{id}?k=KEY).
//
// Pages are html/template with their translations embedded; scripts and
// styles are files under /kiosk/assets/ (no inline script or style, so the
// Content-Security-Policy needs no exception). Issuing itself is the API's
// POST /api/v1/tickets; the kiosk page calls it like any client.
package kiosk

import (
	"embed"
	"encoding/base64"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/web"
)

var (
	//go:embed assets
	assetsFS embed.FS
	//go:embed i18n/*.json
	i18nFS embed.FS
	//go:embed templates/*.html
	templatesFS embed.FS
)

var (
	// Assets serves the kiosk's and the visitor page's scripts and styles
	// at /kiosk/assets/.
	Assets = web.MustAssets(web.Sub(assetsFS, "assets"), "/kiosk/assets/")

	catalog   = web.Common.Merge(web.SKM).Merge(web.MustCatalog(i18nFS, "i18n"))
	templates = template.Must(template.New("").Funcs(template.FuncMap{"slashBreaks": slashBreaks}).ParseFS(templatesFS, "templates/*.html"))
)

// LaporURL is the national complaints channel SP4N-LAPOR!.
const LaporURL = "https://www.lapor.go.id"

// laporQR is the QR of LaporURL as a data: URL, for the kiosk (a kiosk
// does not leave its page for the internet; a phone does).
var laporQR = func() template.URL {
	png, err := qrcode.Encode(LaporURL, qrcode.Medium, 256)
	if err != nil {
		panic(err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}()

// Catalog is the kiosk's and visitor page's translations (shared ones
// included).
func Catalog() web.Catalog { return catalog }

// Mount adds the kiosk, the visitor's ticket page, the print page and
// their files to e.
func Mount(e *echo.Echo, eng *queue.Engine) {
	s := &screens{engine: eng}
	e.GET(Assets.Prefix()+"*", echo.WrapHandler(Assets))
	e.GET("/kiosk", s.kiosk)
	e.GET("/t/:id", s.visitor)
	e.GET("/t/:id/print", s.print)
}

type screens struct {
	engine *queue.Engine
}

// --- the kiosk page

// kioskConfig is what kiosk.js starts from, rendered as JSON data.
type kioskConfig struct {
	Site     kioskSite        `json:"site"`
	Agencies []*queue.Agency  `json:"agencies"`
	Services []*kioskService  `json:"services"`
	Board    *queue.Board     `json:"board"`
	Paper    int              `json:"paper_mm"`
	Lapor    string           `json:"lapor_url"`
	Limits   map[string]int64 `json:"limits"`
}

type kioskSite struct {
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
}

// kioskService is a service as the kiosk lists it.
type kioskService struct {
	ID           string   `json:"id"`
	AgencyID     string   `json:"agency_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	NameEN       string   `json:"name_en"`
	Fee          string   `json:"fee"`
	FeeEN        string   `json:"fee_en"`
	Requirements []string `json:"requirements"`
	// RequirementsEN are the English requirements, as FeeEN is the
	// English fee (empty: none).
	RequirementsEN []string `json:"requirements_en"`
	Active         bool     `json:"active"`
}

type kioskData struct {
	Lang   string
	Site   kioskSite
	Config kioskConfig
	CatalogID,
	CatalogEN map[string]string
	LaporQR template.URL
	T       func(string) string
	Static  func(string) string
	Asset   func(string) string
}

// kiosk serves GET /kiosk. The page carries the site's agencies and
// services and the live board; who issues (a paired kiosk device, kept in
// the browser, or a signed-in greeter) is settled by the script.
func (s *screens) kiosk(c echo.Context) error {
	st := s.engine.State()
	cfg := kioskConfig{
		Site:     kioskSite{Name: st.Site.Name, Timezone: st.Site.Timezone},
		Agencies: st.Agencies(),
		Board:    st.BoardAt(s.engine.Now()),
		Paper:    st.Site.TicketPaperMM,
		Lapor:    LaporURL,
		Limits:   map[string]int64{"ticket_ms": 15000, "idle_ms": 30000},
	}
	if cfg.Agencies == nil {
		cfg.Agencies = []*queue.Agency{}
	}
	cfg.Services = kioskServices(st)
	// A kiosk greets every visitor in Bahasa Indonesia; the page's toggle
	// switches to English and back.
	lang := web.Langs[0]
	data := kioskData{
		Lang: lang, Site: cfg.Site, Config: cfg,
		CatalogID: catalog.For("id"), CatalogEN: catalog.For("en"), LaporQR: laporQR,
		T:      func(key string) string { return catalog.T(lang, key) },
		Static: web.Static.URL, Asset: Assets.URL,
	}
	return render(c, http.StatusOK, "kiosk.html", data)
}

func kioskServices(st *queue.State) []*kioskService {
	out := []*kioskService{}
	for _, svc := range st.Services() {
		reqs := svc.Requirements
		if reqs == nil {
			reqs = []string{}
		}
		en := svc.RequirementsEN
		if en == nil {
			en = []string{}
		}
		out = append(out, &kioskService{ID: svc.ID, AgencyID: svc.AgencyID, Code: svc.Code, Name: svc.Name, NameEN: svc.NameEN, Fee: svc.Fee, FeeEN: svc.FeeEN, Requirements: reqs, RequirementsEN: en, Active: svc.Active})
	}
	return out
}

// render writes a page; screens are never cached (they carry live data).
func render(c echo.Context, status int, name string, data any) error {
	h := c.Response().Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	c.Response().WriteHeader(status)
	return templates.ExecuteTemplate(c.Response(), name, data)
}

// --- texts shared by the pages and the printout

// aheadText is "3 orang di depan Anda" ("Anda berikutnya" for none).
func aheadText(lang string, n int) string {
	switch n {
	case 0:
		return catalog.T(lang, "ticket.ahead.none")
	case 1:
		return catalog.T(lang, "ticket.ahead.one")
	}
	return fill(catalog.T(lang, "ticket.ahead"), "n", n)
}

// feeText shows a fee; none, "0" or "Gratis" read "Gratis" ("Free").
func feeText(lang, fee string) string {
	switch strings.ToLower(strings.TrimSpace(fee)) {
	case "", "0", "rp 0", "rp0", "gratis", "free":
		return catalog.T(lang, "fee.free")
	}
	return fee
}

// serviceName is the service's name in the language (English when it
// has one).
func serviceName(lang string, p *queue.PublicTicket) string {
	if lang == "en" && p.ServiceNameEN != "" {
		return p.ServiceNameEN
	}
	return p.ServiceName
}

// slashBreaks is s, escaped, with a line-break opportunity after each
// slash: a name like "Penerbitan/Perpanjangan/Penggantian" is one word
// to a browser, which would otherwise break it mid-syllable on a narrow
// roll.
func slashBreaks(s string) template.HTML {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = template.HTMLEscapeString(p)
	}
	return template.HTML(strings.Join(parts, "/<wbr>"))
}

// itoa is strconv.Itoa for templates.
func itoa(n int) string { return strconv.Itoa(n) }
