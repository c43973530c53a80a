package region

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/mpp-digital/antrean/survey"
)

// BoardSite is one site on the live board.
type BoardSite struct {
	SiteID string `json:"site_id"`
	Name   string `json:"name"`
	// Day is the site's business day the figures are of.
	Day          string `json:"day"`
	Waiting      int    `json:"waiting"`
	OpenCounters int    `json:"open_counters"`
	// LongestWaitS is how long the longest-waiting visitor has waited
	// (null when nobody waits).
	LongestWaitS *int64 `json:"longest_wait_s"`
	Issued       int    `json:"issued"`
	Served       int    `json:"served"`
	NoShow       int    `json:"no_show"`
	// IKM is over the site's last 30 days (null without respondents).
	IKM            *float64 `json:"ikm"`
	IKMGrade       *string  `json:"ikm_grade"`
	IKMRespondents int      `json:"ikm_respondents"`
	// The link: the last event applied, its time at the site, how many
	// the stream still held for the region then, and seqs never seen.
	AppliedSeq  uint64     `json:"applied_seq"`
	LastEventAt *time.Time `json:"last_event_at"`
	Pending     uint64     `json:"pending"`
	Missing     uint64     `json:"missing"`

	oldest int64 // Unix time the longest wait began
}

// Board is GET /api/v1/board.
type Board struct {
	At    time.Time    `json:"at"`
	Sites []*BoardSite `json:"sites"`
	// Totals add up the sites (IKM: over every respondent of the sites'
	// last 30 days).
	Totals BoardSite `json:"totals"`
}

// boardSnap is the last board made, kept a second: a board on many
// screens costs one walk over the tracks per second, whatever their
// number.
type boardSnap struct {
	at    time.Time
	board *Board
}

// Board answers the live board.
func (r *Region) Board() (*Board, error) {
	now := r.cfg.Clock()
	if b := r.board.Load(); b != nil && now.Sub(b.at) < time.Second && !now.Before(b.at) {
		return b.board, nil
	}
	var list []*BoardSite
	ok := r.do(func() {
		for _, s := range r.sites {
			b := &BoardSite{SiteID: s.ID, Name: s.Name, Day: s.Day, AppliedSeq: s.Applied, Pending: s.Pending, Missing: s.Missing}
			if !s.LastAt.IsZero() {
				t := s.LastAt
				b.LastEventAt = &t
			}
			for _, c := range s.counters {
				if c.Status == "open" {
					b.OpenCounters++
				}
			}
			for _, t := range s.tracks {
				if t.Day != s.Day {
					continue
				}
				b.Issued++
				for i := range t.Visits {
					switch t.Visits[i].Outcome {
					case "done":
						b.Served++
					case "no_show":
						b.NoShow++
					}
				}
				if t.Status == "waiting" {
					b.Waiting++
					if q := t.current().Queued; b.oldest == 0 || q < b.oldest {
						b.oldest = q
					}
				}
			}
			list = append(list, b)
		}
	})
	if !ok {
		return nil, errStopped
	}
	ikm := r.boardIKM(list)
	board := &Board{At: now, Sites: list}
	tot := &board.Totals
	tot.SiteID, tot.Name = "", "Semua situs"
	var all tallySum
	for _, b := range list {
		if b.oldest != 0 {
			w := max(0, now.Unix()-b.oldest)
			b.LongestWaitS = &w
			if tot.LongestWaitS == nil || w > *tot.LongestWaitS {
				tot.LongestWaitS = &w
			}
		}
		if f, ok := ikm[b.SiteID]; ok {
			b.IKM, b.IKMGrade, b.IKMRespondents = f.idx.IKM, f.idx.Grade, f.idx.Respondents
			all.addSum(&f.sum)
		}
		tot.Waiting += b.Waiting
		tot.OpenCounters += b.OpenCounters
		tot.Issued += b.Issued
		tot.Served += b.Served
		tot.NoShow += b.NoShow
		tot.Pending += b.Pending
		tot.Missing += b.Missing
	}
	if all.n > 0 {
		idx := all.index(r.cfg.SKMElements, r.cfg.SKMWeight)
		tot.IKM, tot.IKMGrade, tot.IKMRespondents = idx.IKM, idx.Grade, idx.Respondents
	}
	slices.SortFunc(list, func(a, b *BoardSite) int {
		return cmp.Or(strings.Compare(strings.ToLower(cmp.Or(a.Name, a.SiteID)), strings.ToLower(cmp.Or(b.Name, b.SiteID))), strings.Compare(a.SiteID, b.SiteID))
	})
	r.board.Store(&boardSnap{at: now, board: board})
	return board, nil
}

// ikmFigure is a site's IKM of its last 30 days.
type ikmFigure struct {
	sum tallySum
	idx survey.Index
}

// tallySum adds tallies up.
type tallySum struct {
	n      int
	counts []int
	sums   []int
}

func (t *tallySum) add(n uint64, counts, sums []uint64) {
	t.n += int(n)
	for len(t.counts) < len(counts) {
		t.counts, t.sums = append(t.counts, 0), append(t.sums, 0)
	}
	for i := range counts {
		t.counts[i] += int(counts[i])
		t.sums[i] += int(sums[i])
	}
}

func (t *tallySum) addSum(o *tallySum) {
	t.n += o.n
	for len(t.counts) < len(o.counts) {
		t.counts, t.sums = append(t.counts, 0), append(t.sums, 0)
	}
	for i := range o.counts {
		t.counts[i] += o.counts[i]
		t.sums[i] += o.sums[i]
	}
}

func (t *tallySum) index(names []string, mode string) survey.Index {
	tl := make([]survey.Tally, len(t.counts))
	for i := range t.counts {
		tl[i] = survey.Tally{Respondents: t.counts[i], Sum: t.sums[i]}
	}
	return survey.ComputeTallies(names, t.n, tl, mode)
}

// boardIKM is every site's IKM of its last 30 days, kept 30 seconds
// (or until a response comes).
func (r *Region) boardIKM(list []*BoardSite) map[string]ikmFigure {
	c := &r.ikmCache
	c.Lock()
	defer c.Unlock()
	now := r.cfg.Clock()
	if c.data != nil && now.Sub(c.at) < 30*time.Second && !now.Before(c.at) {
		return c.data
	}
	from, to := "", ""
	window := map[string][2]string{}
	for _, b := range list {
		if b.Day == "" {
			continue
		}
		f := addDays(b.Day, -29)
		window[b.SiteID] = [2]string{f, b.Day}
		if from == "" || f < from {
			from = f
		}
		to = max(to, b.Day)
	}
	sums := map[string]*tallySum{}
	if from != "" {
		err := r.store.Scan("ikm", []byte(from), []byte(to+"0"), func(k, v []byte) error {
			day, site, _ := strings.Cut(string(k), "/")
			w, ok := window[site]
			if !ok || day < w[0] || day > w[1] {
				return nil
			}
			s := sums[site]
			if s == nil {
				s = &tallySum{}
				sums[site] = s
			}
			return decodeTallies(v, func(_, _ string, n uint64, counts, ss []uint64) { s.add(n, counts, ss) })
		})
		if err != nil {
			r.log.Warn("region: reading survey tallies", "err", err)
		}
	}
	out := map[string]ikmFigure{}
	for site, s := range sums {
		out[site] = ikmFigure{sum: *s, idx: s.index(r.cfg.SKMElements, r.cfg.SKMWeight)}
	}
	c.data, c.at = out, now
	return out
}

func (r *Region) invalidateIKM() {
	c := &r.ikmCache
	c.Lock()
	c.data = nil
	c.Unlock()
}

func addDays(day string, n int) string {
	t, err := time.Parse("2006-01-02", day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format("2006-01-02")
}
