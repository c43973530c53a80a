package region

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mpp-digital/antrean/natspub"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/survey"
)

// Groupings of the region's summary report: the site's (API.md) but
// officer, which events cannot tell, plus site.
const (
	BySite    = "site"
	ByAgency  = reports.ByAgency
	ByService = reports.ByService
	ByCounter = reports.ByCounter
	ByHour    = reports.ByHour
	ByDay     = reports.ByDay
)

// SummaryQuery is GET /api/v1/reports/summary on the region.
type SummaryQuery struct {
	reports.Query
	// SiteID limits the report to one site ("" is every site).
	SiteID  string
	english bool
}

// ParseSummary reads the query: the site's parameters (from, to,
// agency_id, group_by, format) plus site_id, and group_by=site.
func ParseSummary(v url.Values) (SummaryQuery, error) {
	g := v.Get("group_by")
	if g == reports.ByOfficer {
		return SummaryQuery{}, queue.Invalid(map[string]string{"group_by": "site, agency, service, counter, hour or day: events do not tell which officer called"})
	}
	if g == BySite {
		v = cloneValues(v)
		v.Set("group_by", ByDay)
	}
	q, err := reports.ParseQuery(v)
	if err != nil {
		var qe *queue.Error
		if errors.As(err, &qe) && qe.Fields["group_by"] != "" {
			qe.Fields["group_by"] = "required, one of site, agency, service, counter, hour, day"
		}
		return SummaryQuery{}, err
	}
	if g == BySite {
		q.GroupBy = BySite
	}
	sq := SummaryQuery{Query: q, SiteID: v.Get("site_id")}
	if sq.SiteID != "" && !natspub.ValidSiteID(sq.SiteID) {
		return SummaryQuery{}, queue.Invalid(map[string]string{"site_id": "a site ID"})
	}
	if sq.AgencyID != "" && sq.SiteID == "" {
		return SummaryQuery{}, queue.Invalid(map[string]string{"agency_id": "agencies are a site's: give site_id too"})
	}
	return sq, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// Row is a row of the region's summary report: the site's row with the
// site it belongs to ("" for rows across sites: day and hour without
// site_id).
type Row struct {
	SiteID string `json:"site_id"`
	reports.Row
}

// Summary answers a summary report.
func (r *Region) Summary(q SummaryQuery) ([]Row, error) {
	g := gTotal
	switch q.GroupBy {
	case BySite, ByDay:
		if q.AgencyID != "" {
			g = gAgency
		}
	case ByAgency:
		g = gAgency
	case ByService:
		g = gService
	case ByCounter:
		g = gCounter
	case ByHour:
		g = gHour
	}
	accs := map[string]*acc{}
	get := func(site, key string, all bool) *acc {
		k := site + "/" + key
		a := accs[k]
		if a == nil {
			a = &acc{site: site, key: key, useIssuedAll: all}
			accs[k] = a
		}
		return a
	}
	agencyPrefix := []byte(q.AgencyID + keySep)
	pickFor := func(site, day string) func(key []byte) *acc {
		return func(key []byte) *acc {
			switch g {
			case gTotal:
				if q.GroupBy == BySite {
					return get(site, site, false)
				}
				return get(q.SiteID, day, false)
			case gAgency:
				if q.AgencyID != "" && string(key) != q.AgencyID {
					return nil
				}
				switch q.GroupBy {
				case BySite:
					return get(site, site, false)
				case ByDay:
					return get(q.SiteID, day, false)
				}
				return get(site, string(key), false)
			}
			if q.AgencyID != "" && !bytes.HasPrefix(key, agencyPrefix) {
				return nil
			}
			_, id, _ := bytes.Cut(key, []byte(keySep))
			if g == gHour {
				return get(q.SiteID, string(id), q.AgencyID == "")
			}
			return get(site, string(id), false)
		}
	}
	keep := func(site string) bool { return q.SiteID == "" || site == q.SiteID }
	from, to := dayKey(g, q.From, ""), dayKey(g, q.To, "")
	from, to = from[:len(from)-1], append(to[:len(to)-1], '0') // g/from/… up to g/to/…
	var decodeErr error
	err := r.store.Scan("days", from, to, func(k, v []byte) error {
		rest := k[2:]
		day, site, ok := bytes.Cut(rest, []byte("/"))
		if !ok || !keep(string(site)) {
			return nil
		}
		if err := decodeInto(v, pickFor(string(site), string(day))); err != nil && decodeErr == nil {
			decodeErr = err
			r.log.Warn("region: a day's rows do not decode; left out", "key", string(k), "err", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	open, err := r.openRows(g, q.From, q.To, keep)
	if err != nil {
		return nil, err
	}
	for _, d := range open {
		if d.rec != nil {
			if err := decodeInto(d.rec, pickFor(d.site, d.day)); err != nil {
				return nil, err
			}
		}
	}
	names := r.names(keep)
	out := make([]Row, 0, len(accs))
	for _, a := range accs {
		if !a.sawAnything {
			continue
		}
		row := Row{SiteID: a.site, Row: reports.Row{Key: a.key,
			Issued: a.issued, Served: a.served, NoShow: a.noShow, Cancelled: a.cancelled,
			NoShowPct:       percent(a.noShow, a.served+a.noShow),
			AvgWaitS:        average(a.waitSum, a.waitN),
			AvgServiceS:     average(a.serviceSum, a.serviceN),
			WithinTargetPct: percent(a.within, a.waitN)}}
		if p, ok := a.p90(); ok {
			row.P90WaitS = &p
		}
		row.Label = names.label(q.GroupBy, a.site, a.key, q.English())
		out = append(out, row)
	}
	slices.SortFunc(out, func(x, y Row) int {
		switch q.GroupBy {
		case ByDay, ByHour:
			return strings.Compare(x.Key, y.Key)
		}
		return cmp.Or(
			strings.Compare(strings.ToLower(names.site(x.SiteID)), strings.ToLower(names.site(y.SiteID))),
			strings.Compare(x.SiteID, y.SiteID),
			cmp.Compare(b2i(x.Key == ""), b2i(y.Key == "")),
			strings.Compare(strings.ToLower(x.Label), strings.ToLower(y.Label)),
			strings.Compare(x.Key, y.Key))
	})
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// English reports whether labels are asked in English (set by the
// handler from Accept-Language).
func (q SummaryQuery) English() bool { return q.english }

// nameBook is a copy of the sites' names, for labels.
type nameBook struct {
	sites map[string]string
	names map[string]map[string]string // site → kind/id → name
}

func (r *Region) names(keep func(string) bool) *nameBook {
	b := &nameBook{sites: map[string]string{}, names: map[string]map[string]string{}}
	r.do(func() {
		for id, s := range r.sites {
			b.sites[id] = s.Name
			if keep(id) {
				b.names[id] = maps.Clone(s.names)
			}
		}
	})
	return b
}

func (b *nameBook) site(id string) string { return cmp.Or(b.sites[id], id) }

func (b *nameBook) label(groupBy, site, key string, english bool) string {
	switch groupBy {
	case BySite:
		return b.site(key)
	case ByDay:
		return key
	case ByHour:
		h, _ := strconv.Atoi(key)
		return strconv.Itoa(100 + h)[1:] + ".00–" + strconv.Itoa(101 + h)[1:] + ".00"
	}
	if key == "" {
		if english {
			return reports.NotCalledEN
		}
		return reports.NotCalledID
	}
	kind := map[string]string{ByAgency: "a", ByService: "s", ByCounter: "c"}[groupBy]
	return cmp.Or(b.names[site][kind+"/"+key], key)
}

func percent(num, den int64) *reports.Percent {
	if den <= 0 {
		return nil
	}
	p := reports.Percent((2000*num + den) / (2 * den))
	return &p
}

func average(sum, n int64) *int64 {
	if n <= 0 {
		return nil
	}
	v := (2*sum + n) / (2 * n)
	return &v
}

// SummaryCSV is the rows for a spreadsheet set to Indonesian, as the
// site's CSV (reports.CSV), with the site first.
func SummaryCSV(rows []Row) []byte {
	plain := make([]reports.Row, len(rows))
	for i, r := range rows {
		plain[i] = r.Row
	}
	site := reports.CSV(plain)
	// Put site_id in front of every line of the site's CSV.
	var buf bytes.Buffer
	lines := bytes.Split(bytes.TrimSuffix(site, []byte("\r\n")), []byte("\r\n"))
	for i, l := range lines {
		if i == 0 {
			l = bytes.TrimPrefix(l, []byte("\ufeff"))
			buf.WriteString("\ufeffsite_id;")
		} else {
			buf.WriteString(rows[i-1].SiteID + ";")
		}
		buf.Write(l)
		buf.WriteString("\r\n")
	}
	return buf.Bytes()
}

// IKMReport is GET /api/v1/reports/ikm on the region: the site's shape
// (survey.Report) with site_id, and the figures of each site. Profiles
// and comments never leave the sites: profile is null.
type IKMReport struct {
	From      string `json:"from"`
	To        string `json:"to"`
	SiteID    string `json:"site_id"`
	AgencyID  string `json:"agency_id"`
	ServiceID string `json:"service_id"`
	survey.Index
	Profile map[string]map[string]int `json:"profile"`
	Sites   []SiteIKM                 `json:"sites"`
}

// SiteIKM is one site's index in a report across sites.
type SiteIKM struct {
	SiteID      string   `json:"site_id"`
	Name        string   `json:"name"`
	Respondents int      `json:"respondents"`
	IKM         *float64 `json:"ikm"`
	Grade       *string  `json:"grade"`
	Performance *string  `json:"performance"`
}

// IKM answers the IKM report of from..to, limited to a site (and within
// it an agency or a service) when given.
func (r *Region) IKM(from, to, siteID, agencyID, serviceID string) (*IKMReport, error) {
	all := &tallySum{}
	per := map[string]*tallySum{}
	err := r.store.Scan("ikm", []byte(from), []byte(to+"0"), func(k, v []byte) error {
		_, site, _ := strings.Cut(string(k), "/")
		if siteID != "" && site != siteID {
			return nil
		}
		return decodeTallies(v, func(agency, service string, n uint64, counts, sums []uint64) {
			if (agencyID != "" && agency != agencyID) || (serviceID != "" && service != serviceID) {
				return
			}
			all.add(n, counts, sums)
			s := per[site]
			if s == nil {
				s = &tallySum{}
				per[site] = s
			}
			s.add(n, counts, sums)
		})
	})
	if err != nil {
		return nil, err
	}
	rep := &IKMReport{From: from, To: to, SiteID: siteID, AgencyID: agencyID, ServiceID: serviceID,
		Index: all.index(r.cfg.SKMElements, r.cfg.SKMWeight), Sites: []SiteIKM{}}
	names := r.names(func(string) bool { return false })
	for site, s := range per {
		idx := s.index(r.cfg.SKMElements, r.cfg.SKMWeight)
		rep.Sites = append(rep.Sites, SiteIKM{SiteID: site, Name: names.site(site), Respondents: idx.Respondents,
			IKM: idx.IKM, Grade: idx.Grade, Performance: idx.Performance})
	}
	slices.SortFunc(rep.Sites, func(a, b SiteIKM) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.SiteID, b.SiteID))
	})
	return rep, nil
}

// IKMCSV is the report as the site's IKM CSV, then a row per site.
func (rep *IKMReport) CSV() ([]byte, error) {
	sr := survey.Report{From: rep.From, To: rep.To, AgencyID: rep.AgencyID, ServiceID: rep.ServiceID, Index: rep.Index}
	b, err := sr.CSV()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Write(b)
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"site_id", "name", "respondents", "", "", "", "ikm", "grade", "performance"})
	for _, s := range rep.Sites {
		ikm, grade, perf := "", "", ""
		if s.IKM != nil {
			ikm = strconv.FormatFloat(*s.IKM, 'f', 2, 64)
		}
		if s.Grade != nil {
			grade = *s.Grade
		}
		if s.Performance != nil {
			perf = *s.Performance
		}
		_ = w.Write([]string{s.SiteID, s.Name, strconv.Itoa(s.Respondents), "", "", "", ikm, grade, perf})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}
