package survey

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/queue"
)

// Mount adds the survey's API routes to the server, and its screen (the
// survey tablet, /survey) with its files to the server's echo.
func Mount(api *httpapi.Server) {
	h := &handlers{api: api, eng: api.Engine()}
	api.Route(http.MethodPost, "/tickets/:id/feedback", h.feedback)
	api.Route(http.MethodGet, "/reports/ikm", h.ikm, httpapi.Admin, httpapi.Supervisor)
	api.Route(http.MethodGet, "/survey", h.device, queue.DeviceSurvey)
	mountScreen(api.Echo, api.Engine())
}

type handlers struct {
	api *httpapi.Server
	eng *queue.Engine
}

// feedbackBody is POST /api/v1/tickets/{id}/feedback.
type feedbackBody struct {
	Scores  []int          `json:"scores"`
	Profile *queue.Profile `json:"profile"`
	Comment string         `json:"comment"`
}

// decodeFeedback turns a request body into the command (without the
// ticket and counter); FuzzFeedbackBody holds it to never panic and to
// refuse what the engine would refuse for its shape.
func decodeFeedback(c echo.Context) (queue.SubmitFeedback, error) {
	var b feedbackBody
	if err := httpapi.Decode(c, &b); err != nil {
		return queue.SubmitFeedback{}, err
	}
	cmd := queue.SubmitFeedback{Scores: b.Scores, Comment: b.Comment}
	if b.Profile != nil {
		cmd.Profile = *b.Profile
	}
	return cmd, nil
}

// feedback serves POST /api/v1/tickets/{id}/feedback: the visitor with
// the ticket's key (a wrong or missing key is a missing ticket, 404), or a
// survey tablet with its device token, for its own counter's tickets
// within 5 minutes after done (its k, if any, is not looked at).
func (h *handlers) feedback(c echo.Context) error {
	id := c.Param("id")
	var counter string
	if d := httpapi.CallerOf(c).Device; d != nil && d.Kind == queue.DeviceSurvey {
		counter = d.CounterID
	} else {
		t, _, err := h.eng.Visitor(id, c.QueryParam("k"))
		if err != nil {
			return err
		}
		if t == nil {
			return queue.NotFound()
		}
	}
	cmd, err := decodeFeedback(c)
	if err != nil {
		return err
	}
	cmd.TicketID, cmd.Counter = id, counter
	return h.api.Do(c, cmd, func(_ *queue.State, v any) (int, any) { return http.StatusCreated, v })
}

// elementInfo is an element as the forms show it.
type elementInfo struct {
	Element string `json:"element"`
	Name    string `json:"name"`
	NameEN  string `json:"name_en"`
}

// defaultElementsEN are the English names of queue.DefaultSKMElements;
// a site's own wording has none and shows as it is.
var defaultElementsEN = []string{
	"Requirements",
	"Procedure",
	"Completion time",
	"Fee",
	"Service product",
	"Staff competence",
	"Staff conduct",
	"Complaints and suggestions handling",
	"Facilities",
}

// Elements lists the site's elements for the forms.
func Elements(site *queue.Site) []elementInfo {
	out := make([]elementInfo, 0, len(site.SKMElements))
	for i, name := range site.SKMElements {
		e := elementInfo{Element: "U" + strconv.Itoa(i+1), Name: name}
		if j := slices.Index(queue.DefaultSKMElements, name); j >= 0 {
			e.NameEN = defaultElementsEN[j]
		}
		out = append(out, e)
	}
	return out
}

// deviceAnswer is GET /api/v1/survey: what a survey tablet shows.
type deviceAnswer struct {
	Name     string        `json:"name"`
	Counter  counterInfo   `json:"counter"`
	Elements []elementInfo `json:"elements"`
	WindowS  int           `json:"window_s"`
	// Pending is the ticket the counter finished last, while the tablet
	// may still rate it (not rated, within the window); else null.
	Pending *pending `json:"pending"`
}

// counterInfo is the tablet's counter; NameEN is its name in English (its
// Indonesian name when it has none).
type counterInfo struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	NameEN     string `json:"name_en"`
	AgencyID   string `json:"agency_id"`
	AgencyName string `json:"agency_name"`
	// AgencyNameEN is the agency's label in English (the Indonesian one
	// when it has none); the tablet switches language on the spot.
	AgencyNameEN string `json:"agency_name_en"`
}

type pending struct {
	TicketID  string    `json:"ticket_id"`
	Number    string    `json:"number"`
	DoneAt    time.Time `json:"done_at"`
	ClosesInS int       `json:"closes_in_s"`
}

// device serves GET /api/v1/survey to a survey tablet.
func (h *handlers) device(c echo.Context) error {
	d := httpapi.CallerOf(c).Device
	st := h.eng.State()
	now := h.eng.Now()
	a := deviceAnswer{Name: d.Name, Elements: Elements(st.Site), WindowS: int(queue.SurveyWindow / time.Second)}
	if k := st.Counter(d.CounterID); k != nil {
		a.Counter = counterInfo{ID: k.ID, Name: k.Name, NameEN: k.NameIn("en"), AgencyID: k.AgencyID}
		if ag := st.Agency(k.AgencyID); ag != nil {
			a.Counter.AgencyName, a.Counter.AgencyNameEN = ag.Label("id"), ag.Label("en")
		}
	}
	if t := st.LastDone(d.CounterID); t != nil && !st.Rated(t.ID) {
		left := queue.SurveyWindow - now.Sub(*t.DoneAt)
		if left > 0 {
			a.Pending = &pending{TicketID: t.ID, Number: t.Number, DoneAt: t.DoneAt.In(st.Loc), ClosesInS: int((left + time.Second - 1) / time.Second)}
		}
	}
	return c.JSON(http.StatusOK, a)
}

// --- the IKM report

// reportQuery is a checked GET /api/v1/reports/ikm.
type reportQuery struct {
	From, To  string
	AgencyID  string
	ServiceID string
	Format    string
}

// maxRangeDays is the longest report range, from..to inclusive.
const maxRangeDays = 366

// parseRange reads from and to (YYYY-MM-DD in the site's zone, both
// inclusive; each defaults to today, from to to): a malformed date, to
// before from or a range over 366 days is 400.
func parseRange(c echo.Context, today string) (from, to string, err error) {
	from, to = c.QueryParam("from"), c.QueryParam("to")
	if to == "" {
		to = today
	}
	if from == "" {
		from = to
	}
	bad := map[string]string{}
	f, errF := time.Parse(queue.DateLayout, from)
	if errF != nil {
		bad["from"] = "a date as YYYY-MM-DD"
	}
	t, errT := time.Parse(queue.DateLayout, to)
	if errT != nil {
		bad["to"] = "a date as YYYY-MM-DD"
	}
	if len(bad) == 0 {
		switch days := int(t.Sub(f).Hours()/24) + 1; {
		case days < 1:
			bad["to"] = "on or after from"
		case days > maxRangeDays:
			bad["to"] = "at most 366 days after from, inclusive"
		}
	}
	if len(bad) > 0 {
		return "", "", queue.Invalid(bad)
	}
	return from, to, nil
}

// query checks the report's parameters and the caller's reach: a
// supervisor reads their own agency only (another agency, or a service
// of one, is 403) and by default; an admin any, and all by default.
func (h *handlers) query(c echo.Context, st *queue.State) (reportQuery, error) {
	var q reportQuery
	var err error
	if q.From, q.To, err = parseRange(c, st.Day); err != nil {
		return q, err
	}
	q.Format = c.QueryParam("format")
	switch q.Format {
	case "", "json", "csv", "xlsx":
	default:
		return q, queue.Invalid(map[string]string{"format": "json, csv or xlsx"})
	}
	caller := httpapi.CallerOf(c)
	q.AgencyID, q.ServiceID = c.QueryParam("agency_id"), c.QueryParam("service_id")
	if q.AgencyID == "" && caller.Kind() != queue.RoleAdmin {
		q.AgencyID = caller.Agency()
	}
	if q.AgencyID != "" {
		if !httpapi.MayManageAgency(caller, q.AgencyID) {
			return q, httpapi.Forbidden()
		}
		if st.Agency(q.AgencyID) == nil {
			return q, queue.Invalid(map[string]string{"agency_id": "no such agency"})
		}
	}
	if q.ServiceID != "" {
		svc := st.Service(q.ServiceID)
		if svc == nil {
			return q, queue.Invalid(map[string]string{"service_id": "no such service"})
		}
		if !httpapi.MayManageAgency(caller, svc.AgencyID) {
			return q, httpapi.Forbidden()
		}
		if q.AgencyID != "" && svc.AgencyID != q.AgencyID {
			return q, queue.Invalid(map[string]string{"service_id": "not a service of agency_id"})
		}
	}
	return q, nil
}

// responses reads the responses the query covers, one day per read
// transaction so that a long range never holds the store for long.
func (h *handlers) responses(q reportQuery) ([]*queue.Feedback, error) {
	var out []*queue.Feedback
	from, _ := time.Parse(queue.DateLayout, q.From)
	to, _ := time.Parse(queue.DateLayout, q.To)
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := d.Format(queue.DateLayout)
		err := h.eng.Store().Feedback(day, day, func(f *queue.Feedback) error {
			if (q.AgencyID == "" || f.AgencyID == q.AgencyID) && (q.ServiceID == "" || f.ServiceID == q.ServiceID) {
				out = append(out, f)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Report is the IKM report of GET /api/v1/reports/ikm.
type Report struct {
	From      string `json:"from"`
	To        string `json:"to"`
	AgencyID  string `json:"agency_id"`
	ServiceID string `json:"service_id"`
	Index
	// Profile counts the respondents by each profile field's answers;
	// "none" counts those who left it empty.
	Profile map[string]map[string]int `json:"profile"`
	// Comments are the newest MaxComments comments, newest first (the
	// workbook has them all); CommentsTotal counts them all. Comments
	// purged by retention are gone from both.
	Comments      []Comment `json:"comments"`
	CommentsTotal int       `json:"comments_total"`
	// comments are the responses' comments, for the workbook only.
	comments []*queue.Feedback
}

// Comment is a respondent's comment as the report shows it: when, for
// which service, and the text; never the ticket.
type Comment struct {
	Day       string    `json:"day"`
	At        time.Time `json:"at"`
	AgencyID  string    `json:"agency_id"`
	ServiceID string    `json:"service_id"`
	Comment   string    `json:"comment"`
}

// MaxComments is how many comments the JSON report carries.
const MaxComments = 200

// BuildReport computes the report of responses for a site.
func BuildReport(site *queue.Site, from, to, agencyID, serviceID string, responses []*queue.Feedback) *Report {
	r := &Report{From: from, To: to, AgencyID: agencyID, ServiceID: serviceID, Profile: map[string]map[string]int{}}
	scores := make([][]int, 0, len(responses))
	for _, name := range queue.ProfileFields {
		r.Profile[name] = map[string]int{"none": 0}
		for _, o := range queue.ProfileOptions[name] {
			r.Profile[name][o] = 0
		}
	}
	for _, f := range responses {
		scores = append(scores, f.Scores)
		var p queue.Profile
		if f.Profile != nil {
			p = *f.Profile
		}
		for _, name := range queue.ProfileFields {
			v := p.Field(name)
			if _, ok := r.Profile[name][v]; !ok || v == "" {
				v = "none"
			}
			r.Profile[name][v]++
		}
		if f.Comment != "" {
			r.comments = append(r.comments, f)
		}
	}
	r.Index = Compute(site.SKMElements, scores, site.SKMWeightMode)
	newest := slices.Clone(r.comments)
	slices.SortStableFunc(newest, func(a, b *queue.Feedback) int { return b.At.Compare(a.At) })
	r.CommentsTotal = len(newest)
	r.Comments = make([]Comment, 0, min(len(newest), MaxComments))
	for _, f := range newest[:min(len(newest), MaxComments)] {
		r.Comments = append(r.Comments, Comment{Day: f.Day, At: f.At, AgencyID: f.AgencyID, ServiceID: f.ServiceID, Comment: f.Comment})
	}
	return r
}

// ikm serves GET /api/v1/reports/ikm (JSON, &format=csv or xlsx).
func (h *handlers) ikm(c echo.Context) error {
	st := h.eng.State()
	q, err := h.query(c, st)
	if err != nil {
		return err
	}
	list, err := h.responses(q)
	if err != nil {
		return err
	}
	r := BuildReport(st.Site, q.From, q.To, q.AgencyID, q.ServiceID, list)
	switch q.Format {
	case "csv":
		b, err := r.CSV()
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="ikm-`+q.From+`-`+q.To+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
	case "xlsx":
		b, err := r.Workbook(st)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Content-Disposition", `attachment; filename="skm-ikm-`+q.From+`-`+q.To+`.xlsx"`)
		return c.Blob(http.StatusOK, XLSXType, b)
	}
	return c.JSON(http.StatusOK, r)
}

// CSV is the report as CSV (UTF-8, a header row): one row per element,
// then the IKM row. Figures have a dot for decimals; an empty cell is a
// figure with nothing to count.
func (r *Report) CSV() ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"element", "name", "respondents", "sum", "average", "weight", "converted", "grade", "performance"})
	for _, e := range r.Elements {
		weight := ""
		if e.Average != nil {
			weight = strconv.FormatFloat(e.Weight, 'f', 6, 64)
		}
		_ = w.Write([]string{e.Element, e.Name, strconv.Itoa(e.Respondents), strconv.Itoa(e.Sum),
			num(e.Average, 3), weight, num(e.Converted, 2), str(e.Grade), str(e.Performance)})
	}
	_ = w.Write([]string{"IKM", "Indeks Kepuasan Masyarakat", strconv.Itoa(r.Respondents), "",
		num(r.IKMUnit, 3), "", num(r.IKM, 2), str(r.Grade), str(r.Performance)})
	w.Flush()
	return buf.Bytes(), w.Error()
}

func num(p *float64, decimals int) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', decimals, 64)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
