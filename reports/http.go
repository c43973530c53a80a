package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/queue"
)

// Mount adds the report routes to the API.
func (r *Reports) Mount(api *httpapi.Server) {
	api.Route(http.MethodGet, "/reports/summary", r.getSummary, httpapi.Admin, httpapi.Supervisor)
	api.Route(http.MethodGet, "/reports/waits", r.getWaits, httpapi.Admin, httpapi.Supervisor)
	api.Route(http.MethodGet, "/reports/heatmap", r.getHeatmap, httpapi.Admin, httpapi.Supervisor)
	api.Route(http.MethodGet, "/reports/longest", r.getLongest, httpapi.Admin, httpapi.Supervisor)
}

// getSummary serves GET /api/v1/reports/summary: admins any agency (all
// without agency_id), supervisors their own (agency_id optional; another
// agency's is 403).
func (r *Reports) getSummary(c echo.Context) error {
	st := r.eng.State()
	agency, err := reach(c)
	if err != nil {
		return err
	}
	q, err := ParseQuery(c.QueryParams())
	if err != nil {
		return err
	}
	q.AgencyID = agency
	if err := knownAgency(st, agency); err != nil {
		return err
	}
	list, err := r.Summary(c.Request().Context(), q, st, httpapi.PrefersEnglish(c.Request()))
	if err != nil {
		return err
	}
	if !q.CSV {
		return c.JSON(http.StatusOK, map[string][]Row{"rows": list})
	}
	name := fmt.Sprintf("ringkasan-%s-%s-%s.csv", q.GroupBy, q.From, q.To)
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", CSV(list))
}

// reach is the agency a report request covers: an admin's agency_id
// ("" for all), a supervisor's own agency, named or not. A supervisor
// naming another agency is 403, checked before anything else about the
// request; one without an agency sees nothing (fail closed).
func reach(c echo.Context) (string, error) {
	caller := httpapi.CallerOf(c)
	agency := c.QueryParam("agency_id")
	if caller.Kind() != httpapi.Admin {
		if agency == "" {
			agency = caller.Agency()
		}
		if !httpapi.MayManageAgency(caller, agency) {
			return "", httpapi.Forbidden()
		}
	}
	return agency, nil
}

// knownAgency is 400 for an agency_id that names no agency.
func knownAgency(st *queue.State, agency string) error {
	if agency != "" && st.Agency(agency) == nil {
		return queue.Invalid(map[string]string{"agency_id": "no such agency"})
	}
	return nil
}

// CSVHeader is the header row of the CSV form: the JSON field names.
var CSVHeader = []string{"key", "label", "issued", "served", "no_show", "no_show_pct", "cancelled",
	"avg_wait_s", "p90_wait_s", "avg_service_s", "within_target_pct"}

// CSV writes rows for a spreadsheet set to Indonesian, which is how the
// malls' offices open them: a UTF-8 byte order mark (without it Excel
// reads UTF-8 as the ANSI code page and garbles names), ";" between
// fields (the list separator of the Indonesian locale, where "," is the
// decimal comma), decimal commas in percentages, CRLF line ends, empty
// cells for null figures. A text that a spreadsheet would take for a
// formula (starting with =, +, -, @, a tab or a carriage return) is
// prefixed with an apostrophe.
func CSV(rows []Row) []byte {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	_ = w.Write(CSVHeader)
	num := func(v int64) string { return strconv.FormatInt(v, 10) }
	opt := func(v *int64) string {
		if v == nil {
			return ""
		}
		return num(*v)
	}
	pct := func(p *Percent) string {
		if p == nil {
			return ""
		}
		return strings.Replace(p.String(), ".", ",", 1)
	}
	for _, r := range rows {
		_ = w.Write([]string{neutral(r.Key), neutral(r.Label), num(r.Issued), num(r.Served), num(r.NoShow), pct(r.NoShowPct),
			num(r.Cancelled), opt(r.AvgWaitS), opt(r.P90WaitS), opt(r.AvgServiceS), pct(r.WithinTargetPct)})
	}
	w.Flush()
	return buf.Bytes()
}

// neutral keeps a text from being read as a formula (OWASP's CSV
// injection advice).
func neutral(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
