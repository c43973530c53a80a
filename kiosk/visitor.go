package kiosk

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/internal/ticketurl"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/survey"
	"github.com/mpp-digital/antrean/web"
)

// lookup finds a ticket by ID and key, today's or an earlier day's; a
// wrong or missing key is a missing ticket.
func (s *screens) lookup(c echo.Context) (*queue.Ticket, *queue.State, error) {
	return s.engine.Visitor(c.Param("id"), c.QueryParam("k"))
}

// baseURL is the site's base_url, or the scheme and host of the request
// (as the API makes status_url).
func baseURL(c echo.Context, st *queue.State) string {
	return ticketurl.Base(st.Site.BaseURL, c.Scheme(), c.Request().Host)
}

// pageBase is what every page of the package renders from.
type pageBase struct {
	Lang    string
	Site    string
	Catalog map[string]string
	T       func(string) string
	Static  func(string) string
	Asset   func(string) string
	// LangURL is this page in the other language.
	LangURL, OtherLang string
}

func newPageBase(c echo.Context, st *queue.State) pageBase {
	lang := web.Lang(c.Request())
	other := "en"
	if lang == "en" {
		other = "id"
	}
	u := *c.Request().URL
	q := u.Query()
	q.Set("lang", other)
	u.RawQuery = q.Encode()
	return pageBase{
		Lang: lang, Site: st.Site.Name, Catalog: catalog.For(lang),
		T:      func(key string) string { return catalog.T(lang, key) },
		Static: web.Static.URL, Asset: Assets.URL,
		LangURL: u.RequestURI(), OtherLang: other,
	}
}

// visitorConfig is what visitor.js starts from.
type visitorConfig struct {
	Ticket   *queue.PublicTicket `json:"ticket"`
	Key      string              `json:"key"`
	Timezone string              `json:"timezone"`
	Lang     string              `json:"lang"`
	Survey   visitorSurvey       `json:"survey"`
}

// visitorSurvey is the satisfaction survey on the ticket's page: the
// site's elements, and its state for this ticket: "pending" (not done
// yet), "open", "rated" or "closed" (its day has ended).
type visitorSurvey struct {
	Elements any    `json:"elements"`
	State    string `json:"state"`
}

func surveyState(st *queue.State, t *queue.Ticket) string {
	switch {
	case st.Rated(t.ID):
		return "rated"
	case st.SurveyOpen(t):
		return "open"
	case t.Day == st.Day && !t.Status.Final():
		return "pending"
	}
	return "closed"
}

type visitorData struct {
	pageBase
	Config visitorConfig
	Ticket *queue.PublicTicket
	// Texts rendered for the first paint; visitor.js keeps them current.
	Service, Agency, Status, Position, Eta, Message, Counter, Issued, Fee string
	Requirements                                                          []string
	QRURL                                                                 string
}

// notFoundData is the page of a missing ticket (or a wrong key).
type notFoundData struct{ pageBase }

func (s *screens) notFound(c echo.Context, st *queue.State) error {
	base := newPageBase(c, st)
	// The same page whatever was asked: nothing of the request in it.
	base.LangURL = "?lang=" + base.OtherLang
	return render(c, http.StatusNotFound, "notfound.html", notFoundData{base})
}

// visitor serves GET /t/{id}?k=KEY: the visitor's ticket, readable
// without JavaScript; visitor.js then follows the ticket's feed.
func (s *screens) visitor(c echo.Context) error {
	t, st, err := s.lookup(c)
	if err != nil {
		return err
	}
	if t == nil {
		return s.notFound(c, st)
	}
	base := newPageBase(c, st)
	lang := base.Lang
	p := st.VisitorView(t)
	f := newFormatter(lang, st.Loc, st.Site.Timezone)
	now := s.engine.Now()
	d := visitorData{
		pageBase: base,
		Config: visitorConfig{Ticket: p, Key: t.Key, Timezone: st.Site.Timezone, Lang: lang,
			Survey: visitorSurvey{Elements: survey.Elements(st.Site), State: surveyState(st, t)}},
		Ticket:  p,
		Service: serviceName(lang, p),
		Status:  catalog.T(lang, "status."+string(p.Status)),
		Issued:  fill(catalog.T(lang, "visitor.issued"), "date", f.Date(p.IssuedAt), "time", f.Time(p.IssuedAt)),
		QRURL:   ticketurl.QR("", t),
	}
	// In English the English texts, which the visitor's view fills with
	// the Indonesian ones where the mall has set none.
	counter, fee := p.CounterName, p.Fee
	d.Requirements, d.Agency = p.Requirements, p.AgencyName
	if queue.English(lang) {
		counter, fee = p.CounterNameEN, p.FeeEN
		d.Requirements, d.Agency = p.RequirementsEN, p.AgencyNameEN
	}
	d.Counter, d.Fee = strings.ToUpper(counter), feeText(lang, fee)
	if p.Status == queue.Waiting && p.Position != nil {
		d.Position = positionText(lang, *p.Position)
		switch {
		case p.EtaMin == nil:
			d.Eta = catalog.T(lang, "ticket.eta.none")
		case *p.EtaMin <= 0:
			d.Eta = catalog.T(lang, "visitor.eta.now")
		default:
			d.Eta = fill(catalog.T(lang, "visitor.eta"), "n", *p.EtaMin, "time", f.Time(now.Add(time.Duration(*p.EtaMin)*time.Minute)))
		}
	}
	if p.Status != queue.Waiting {
		d.Message = fill(catalog.T(lang, "visitor.msg."+string(p.Status)), "counter", counter)
	}
	return render(c, http.StatusOK, "visitor.html", d)
}

// positionText is "Posisi Anda: 4 — 3 orang di depan".
func positionText(lang string, pos int) string {
	if pos <= 1 {
		return catalog.T(lang, "visitor.position.next")
	}
	return fill(catalog.T(lang, "visitor.position"), "pos", pos, "ahead", pos-1)
}

type printData struct {
	pageBase
	Ticket                     *queue.PublicTicket
	Agency, Service, Ahead     string
	Date, Time                 string
	Eta, Fee, QRURL, StatusURL string
	Requirements               []string
	PaperMM                    int
	PaperCSS                   string
}

// print serves GET /t/{id}/print?k=KEY[&mm=58|80]: the ticket for a
// thermal roll, printed by the kiosk's browser (Chromium --kiosk-printing
// prints it without a dialog). The paper is the site's ticket_paper_mm
// unless mm names the other. The kiosk page frames it to print it, so
// this page alone may be framed by the same origin. The layout keeps to
// the roll's printable width (print.css): long names wrap, the date and
// the time each stay whole, and print.js shrinks a number too long for
// the roll.
func (s *screens) print(c echo.Context) error {
	t, st, err := s.lookup(c)
	if err != nil {
		return err
	}
	if t == nil {
		return s.notFound(c, st)
	}
	base := newPageBase(c, st)
	lang := base.Lang
	p := st.VisitorView(t)
	f := newFormatter(lang, st.Loc, st.Site.Timezone)
	mm := st.Site.TicketPaperMM
	switch c.QueryParam("mm") {
	case "58":
		mm = 58
	case "80":
		mm = 80
	}
	d := printData{
		pageBase: base, Ticket: p, Service: serviceName(lang, p),
		Date: f.Date(p.IssuedAt), Time: f.Time(p.IssuedAt),
		QRURL:     ticketurl.QR("", t),
		StatusURL: ticketurl.Status(baseURL(c, st), t),
		PaperMM:   mm, PaperCSS: Assets.URL("print-" + itoa(mm) + ".css"),
		Requirements: p.Requirements,
	}
	fee := p.Fee
	if queue.English(lang) {
		d.Requirements, fee = p.RequirementsEN, p.FeeEN
	}
	d.Fee = feeText(lang, fee)
	if a := st.Agency(t.AgencyID); a != nil {
		d.Agency = a.NameIn(lang)
	}
	// People ahead and the estimate, as the network printer's slip has
	// them (escpos.go): the slip is what the visitor holds.
	if p.PeopleAhead != nil {
		d.Ahead = aheadText(lang, *p.PeopleAhead)
	}
	switch {
	case p.Status != queue.Waiting:
	case p.EtaMin == nil:
		d.Eta = catalog.T(lang, "ticket.eta.none")
	case *p.EtaMin <= 0:
		d.Eta = catalog.T(lang, "service.eta.now")
	default:
		// The time stays whole when the line breaks: "sekitar" / "23.59 WITA".
		d.Eta = fill(catalog.T(lang, "ticket.eta"), "time", keep(f.Time(s.engine.Now().Add(time.Duration(*p.EtaMin)*time.Minute))))
	}
	c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
	return render(c, http.StatusOK, "print.html", d)
}
