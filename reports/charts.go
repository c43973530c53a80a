package reports

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/queue"
)

// The figures behind the charts of the "Laporan" screen that the summary
// does not give: the distribution of waits against their targets, the
// arrivals by weekday and hour, and a day's longest waits. The first two
// add up the same per-day summaries as the summary report (their wait
// histograms are exact to the second), so they agree with it to the
// ticket; the longest waits need the tickets themselves, and read one
// day's: today's from the live state, an earlier day's from the store.
// None carries personal data: ticket numbers, services and times.

// Wait distribution (GET /api/v1/reports/waits).
const (
	// DefaultBinMin is the width of a bin of the wait distribution.
	DefaultBinMin = 5
	// MaxBins is the most bins the distribution has; the last one is
	// open-ended when the waits go further.
	MaxBins = 24
)

// WaitBin is one bin of the wait distribution: the waits of at least
// FromMin and under ToMin minutes (ToMin null: the open last bin).
type WaitBin struct {
	FromMin      int   `json:"from_min"`
	ToMin        *int  `json:"to_min"`
	Waits        int64 `json:"waits"`
	WithinTarget int64 `json:"within_target"`
}

// Waits is the distribution of the waits that ended in a call over a
// range, against each service's target_wait_min.
type Waits struct {
	From            string    `json:"from"`
	To              string    `json:"to"`
	AgencyID        string    `json:"agency_id"`
	BinMin          int       `json:"bin_min"`
	Waits           int64     `json:"waits"`
	WithinTarget    int64     `json:"within_target"`
	WithinTargetPct *Percent  `json:"within_target_pct"`
	TargetsMin      []int     `json:"targets_min"`
	Bins            []WaitBin `json:"bins"`
}

// WaitDistribution adds up the waits of from..to (limited to agency
// unless "") into bins of binMin minutes.
func (r *Reports) WaitDistribution(ctx context.Context, from, to, agency string, binMin int, st *queue.State) (*Waits, error) {
	days, err := r.days(ctx, from, to, st)
	if err != nil {
		return nil, err
	}
	out := &Waits{From: from, To: to, AgencyID: agency, BinMin: binMin, TargetsMin: []int{}, Bins: []WaitBin{}}
	type sec struct{ sec, n, within int64 }
	var all []sec
	var top int64
	for _, d := range days {
		for i := range d.cells {
			c := &d.cells[i]
			if agency != "" && d.strs[c.agency] != agency {
				continue
			}
			ws := d.waits(c)
			if len(ws) == 0 {
				continue
			}
			mins := targetMin(st, d.strs[c.service])
			if !slices.Contains(out.TargetsMin, mins) {
				out.TargetsMin = append(out.TargetsMin, mins)
			}
			for _, w := range ws {
				s := sec{sec: int64(w.sec), n: int64(w.n)}
				if w.sec <= uint32(mins*60) {
					s.within = s.n
				}
				all = append(all, s)
				top = max(top, s.sec)
				out.Waits += s.n
				out.WithinTarget += s.within
			}
		}
	}
	slices.Sort(out.TargetsMin)
	out.WithinTargetPct = percent(out.WithinTarget, out.Waits)
	if out.Waits == 0 {
		return out, nil
	}
	width := int64(binMin) * 60
	// Enough bins for the longest wait and for the largest target to
	// be seen with a bin after it, at most MaxBins.
	n := min(max(top, int64(out.TargetsMin[len(out.TargetsMin)-1])*60)/width+1, MaxBins)
	for i := range n {
		b := WaitBin{FromMin: int(i) * binMin}
		if i < n-1 || (i+1)*width > top {
			to := int(i+1) * binMin
			b.ToMin = &to
		}
		out.Bins = append(out.Bins, b)
	}
	for _, s := range all {
		i := min(s.sec/width, n-1)
		out.Bins[i].Waits += s.n
		out.Bins[i].WithinTarget += s.within
	}
	return out, nil
}

// targetMin is a service's target wait in minutes as set now (the
// summary grades past waits by it too).
func targetMin(st *queue.State, serviceID string) int {
	if svc := st.Service(serviceID); svc != nil {
		return svc.TargetWaitMin
	}
	return queue.DefaultService().TargetWaitMin
}

// Weekdays are the heatmap's rows, Monday first as Indonesian calendars
// have it.
var Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// HeatRow is one weekday of the heatmap: the tickets issued in each hour
// (Issued[8] is 08.00–09.00, in the site's time) over the Days days of
// that weekday in the range (up to today).
type HeatRow struct {
	Weekday string    `json:"weekday"`
	Days    int       `json:"days"`
	Total   int64     `json:"total"`
	Issued  [24]int64 `json:"issued"`
}

// Heatmap is arrivals by weekday and hour of issue over a range.
type Heatmap struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	AgencyID string    `json:"agency_id"`
	Max      int64     `json:"max"`
	Rows     []HeatRow `json:"rows"`
}

// ArrivalHeatmap counts the tickets of from..to by weekday and hour of
// issue, as the summary's hour rows count them (with agency: those that
// waited in one of its services, from their first visit there).
func (r *Reports) ArrivalHeatmap(ctx context.Context, from, to, agency string, st *queue.State) (*Heatmap, error) {
	days, err := r.days(ctx, from, to, st)
	if err != nil {
		return nil, err
	}
	out := &Heatmap{From: from, To: to, AgencyID: agency, Rows: make([]HeatRow, len(Weekdays))}
	for i, w := range Weekdays {
		out.Rows[i].Weekday = w
	}
	row := func(day string) *HeatRow {
		t, _ := time.Parse(queue.DateLayout, day)
		return &out.Rows[(int(t.Weekday())+6)%7]
	}
	if st.Day != "" {
		for d := from; d <= min(to, st.Day); d = addDays(d, 1) {
			row(d).Days++
		}
	}
	first := firstOfAll
	if agency != "" {
		first = firstInAgency
	}
	for _, d := range days {
		hr := row(d.day)
		for i := range d.cells {
			c := &d.cells[i]
			if agency != "" && d.strs[c.agency] != agency {
				continue
			}
			hr.Issued[c.hour] += int64(c.first[first])
			hr.Total += int64(c.first[first])
		}
	}
	for _, hr := range out.Rows {
		for _, v := range hr.Issued {
			out.Max = max(out.Max, v)
		}
	}
	return out, nil
}

// Longest waits (GET /api/v1/reports/longest).
const (
	DefaultLongest = 10
	MaxLongest     = 100
)

// LongWait is one wait of a ticket in one service that ended in a call.
type LongWait struct {
	Number       string    `json:"number"`
	ServiceID    string    `json:"service_id"`
	Service      string    `json:"service"`
	AgencyID     string    `json:"agency_id"`
	QueuedAt     time.Time `json:"queued_at"`
	CalledAt     time.Time `json:"called_at"`
	WaitS        int64     `json:"wait_s"`
	TargetMin    int       `json:"target_min"`
	WithinTarget bool      `json:"within_target"`
}

// Longest is a day's longest waits, longest first.
type Longest struct {
	Day      string     `json:"day"`
	AgencyID string     `json:"agency_id"`
	Waits    []LongWait `json:"waits"`
}

// LongestWaits lists the limit longest waits of a day that ended in a
// call (limited to agency unless ""): today's from st, an earlier day's
// from the store, a day to come none.
func (r *Reports) LongestWaits(day, agency string, limit int, st *queue.State, english bool) (*Longest, error) {
	out := &Longest{Day: day, AgencyID: agency, Waits: []LongWait{}}
	var tickets func(yield func(*queue.Ticket) bool)
	switch {
	case st.Day == "" || day > st.Day:
		return out, nil
	case day == st.Day:
		tickets = st.Tickets()
	default:
		list, err := r.store.Tickets(queue.TicketFilter{Day: day})
		if err != nil {
			return nil, err
		}
		tickets = slices.Values(list)
	}
	for t := range tickets {
		if t.Day != day {
			continue
		}
		for _, v := range t.History() {
			if v.CalledAt == nil || (agency != "" && v.AgencyID != agency) {
				continue
			}
			w := int64(seconds(v.CalledAt.Sub(v.QueuedAt)))
			mins := targetMin(st, v.ServiceID)
			lw := LongWait{Number: t.Number, ServiceID: v.ServiceID, Service: v.ServiceID, AgencyID: v.AgencyID,
				QueuedAt: v.QueuedAt, CalledAt: *v.CalledAt, WaitS: w, TargetMin: mins, WithinTarget: w <= int64(mins)*60}
			if svc := st.Service(v.ServiceID); svc != nil {
				lw.Service = svc.Name
				if english && svc.NameEN != "" {
					lw.Service = svc.NameEN
				}
			}
			out.Waits = append(out.Waits, lw)
		}
	}
	slices.SortFunc(out.Waits, func(a, b LongWait) int {
		return cmp.Or(cmp.Compare(b.WaitS, a.WaitS), a.QueuedAt.Compare(b.QueuedAt), cmp.Compare(a.Number, b.Number), cmp.Compare(a.ServiceID, b.ServiceID))
	})
	if len(out.Waits) > limit {
		out.Waits = out.Waits[:limit:limit]
	}
	return out, nil
}

// getWaits serves GET /api/v1/reports/waits?from=&to=&agency_id=&bin_min=.
func (r *Reports) getWaits(c echo.Context) error {
	st := r.eng.State()
	agency, err := reach(c)
	if err != nil {
		return err
	}
	v := c.QueryParams()
	bad := checkRange(v.Get("from"), v.Get("to"))
	binMin, ok := intParam(v, "bin_min", DefaultBinMin, 1, 60)
	if !ok {
		bad["bin_min"] = "between 1 and 60"
	}
	if len(bad) > 0 {
		return queue.Invalid(bad)
	}
	if err := knownAgency(st, agency); err != nil {
		return err
	}
	out, err := r.WaitDistribution(c.Request().Context(), v.Get("from"), v.Get("to"), agency, binMin, st)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// getHeatmap serves GET /api/v1/reports/heatmap?from=&to=&agency_id=.
func (r *Reports) getHeatmap(c echo.Context) error {
	st := r.eng.State()
	agency, err := reach(c)
	if err != nil {
		return err
	}
	v := c.QueryParams()
	if bad := checkRange(v.Get("from"), v.Get("to")); len(bad) > 0 {
		return queue.Invalid(bad)
	}
	if err := knownAgency(st, agency); err != nil {
		return err
	}
	out, err := r.ArrivalHeatmap(c.Request().Context(), v.Get("from"), v.Get("to"), agency, st)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// getLongest serves GET /api/v1/reports/longest?day=&agency_id=&limit=.
func (r *Reports) getLongest(c echo.Context) error {
	st := r.eng.State()
	agency, err := reach(c)
	if err != nil {
		return err
	}
	v := c.QueryParams()
	bad := map[string]string{}
	day := cmp.Or(v.Get("day"), st.Day)
	if _, ok := parseDay(day); !ok {
		bad["day"] = "a date as YYYY-MM-DD"
	}
	limit, ok := intParam(v, "limit", DefaultLongest, 1, MaxLongest)
	if !ok {
		bad["limit"] = "between 1 and 100"
	}
	if len(bad) > 0 {
		return queue.Invalid(bad)
	}
	if err := knownAgency(st, agency); err != nil {
		return err
	}
	out, err := r.LongestWaits(day, agency, limit, st, httpapi.PrefersEnglish(c.Request()))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// intParam reads an optional whole number between lo and hi.
func intParam(v url.Values, name string, def, lo, hi int) (int, bool) {
	s := v.Get(name)
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, false
	}
	return n, true
}
