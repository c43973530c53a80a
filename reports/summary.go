package reports

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/mpp-digital/antrean/queue"
)

// Row is one group of the summary report. Figures with nothing to count
// are null.
type Row struct {
	Key             string   `json:"key"`
	Label           string   `json:"label"`
	Issued          int64    `json:"issued"`
	Served          int64    `json:"served"`
	NoShow          int64    `json:"no_show"`
	NoShowPct       *Percent `json:"no_show_pct"`
	Cancelled       int64    `json:"cancelled"`
	AvgWaitS        *int64   `json:"avg_wait_s"`
	P90WaitS        *int64   `json:"p90_wait_s"`
	AvgServiceS     *int64   `json:"avg_service_s"`
	WithinTargetPct *Percent `json:"within_target_pct"`
}

// Percent is a percentage in tenths: 667 is 66.7 %. It is written with
// its one decimal, in JSON as a number (66.7, 100.0).
type Percent int64

// String writes p with a point and one decimal: "66.7".
func (p Percent) String() string {
	return strconv.FormatInt(int64(p)/10, 10) + "." + strconv.FormatInt(int64(p)%10, 10)
}

// MarshalJSON writes p as a number with one decimal.
func (p Percent) MarshalJSON() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalJSON reads a number, to the nearest tenth.
func (p *Percent) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f*10, 0) {
		return fmt.Errorf("reports: percentage %s: not a number", b)
	}
	*p = Percent(math.Round(f * 10))
	return nil
}

// percent is num ÷ den × 100 rounded to one decimal (half up), or nil
// when den is 0.
func percent(num, den int64) *Percent {
	if den <= 0 {
		return nil
	}
	p := Percent((2000*num + den) / (2 * den))
	return &p
}

// average is sum ÷ n rounded to a whole number (half up), or nil when n
// is 0.
func average(sum, n int64) *int64 {
	if n <= 0 {
		return nil
	}
	v := (2*sum + n) / (2 * n)
	return &v
}

// acc adds up the cells of one row.
type acc struct {
	key                               string
	issued, served, noShow, cancelled int64
	waitN, waitSum, within            int64
	serviceN, serviceSum              int64
	waits                             [][]bin
}

// NotCalled labels the row of visits whose wait no call ended (still
// waiting, cancelled, expired) under group_by counter and officer; its
// key is "".
const (
	NotCalledID = "Tidak dipanggil"
	NotCalledEN = "Not called"
)

// hourKeys are the keys of the hour rows.
var hourKeys = func() (k [24]string) {
	for h := range k {
		k[h] = fmt.Sprintf("%02d", h)
	}
	return k
}()

// rows adds up the days' cells into the rows of q.GroupBy, limited to
// q.AgencyID, labelled and ordered against st. within_target uses each
// service's target_wait_min as st has it now.
func rows(q Query, st *queue.State, days []*daySum, english bool) []Row {
	byKey := map[string]*acc{}
	var list []*acc
	row := func(key string) *acc {
		a := byKey[key]
		if a == nil {
			a = &acc{key: key}
			byKey[key] = a
			list = append(list, a)
		}
		return a
	}
	targets := map[string]uint32{} // seconds, by service
	target := func(serviceID string) uint32 {
		t, ok := targets[serviceID]
		if !ok {
			mins := queue.DefaultService().TargetWaitMin
			if svc := st.Service(serviceID); svc != nil {
				mins = svc.TargetWaitMin
			}
			t = uint32(mins * 60)
			targets[serviceID] = t
		}
		return t
	}
	// Per day, the row and the target of each of its strings, found once.
	var rowOf []*acc
	var targetOf []uint32
	var hours [24]*acc
	for _, d := range days {
		rowOf, targetOf = rowOf[:0], targetOf[:0]
		for _, str := range d.strs {
			targetOf = append(targetOf, target(str))
			rowOf = append(rowOf, nil)
		}
		var today *acc
		for i := range d.cells {
			c := &d.cells[i]
			if q.AgencyID != "" && d.strs[c.agency] != q.AgencyID {
				continue
			}
			var a *acc
			var issued uint32
			// A row keyed by one of the day's strings.
			by := func(idx uint32, first int) {
				if a = rowOf[idx]; a == nil {
					a = row(d.strs[idx])
					rowOf[idx] = a
				}
				issued = c.first[first]
			}
			switch q.GroupBy {
			case ByAgency:
				by(c.agency, firstInAgency)
			case ByService:
				by(c.service, firstInService)
			case ByCounter:
				by(c.counter, firstAtCounter)
			case ByOfficer:
				by(c.officer, firstByOfficer)
			case ByHour, ByDay:
				if q.GroupBy == ByHour {
					if a = hours[c.hour]; a == nil {
						a = row(hourKeys[c.hour])
						hours[c.hour] = a
					}
				} else {
					if today == nil {
						today = row(d.day)
					}
					a = today
				}
				// Within one agency a ticket counts from its first visit
				// there: it may have come by transfer from another.
				issued = c.first[firstOfAll]
				if q.AgencyID != "" {
					issued = c.first[firstInAgency]
				}
			}
			a.issued += int64(issued)
			a.served += int64(c.served)
			a.noShow += int64(c.noShow)
			a.cancelled += int64(c.cancelled)
			a.serviceN += int64(c.serviceN)
			a.serviceSum += int64(c.serviceSum)
			a.waitSum += int64(c.waitSum)
			if ws := d.waits(c); len(ws) > 0 {
				a.waits = append(a.waits, ws)
				t := targetOf[c.service]
				for _, w := range ws {
					a.waitN += int64(w.n)
					if w.sec <= t {
						a.within += int64(w.n)
					}
				}
			}
		}
	}
	lab := newLabeler(q.GroupBy, st, english)
	out := make([]Row, 0, len(list))
	var scratch []uint32
	for _, a := range list {
		r := Row{Key: a.key, Label: lab.label(a.key),
			Issued: a.issued, Served: a.served, NoShow: a.noShow, Cancelled: a.cancelled,
			NoShowPct:       percent(a.noShow, a.served+a.noShow),
			AvgWaitS:        average(a.waitSum, a.waitN),
			AvgServiceS:     average(a.serviceSum, a.serviceN),
			WithinTargetPct: percent(a.within, a.waitN),
		}
		if a.waitN > 0 {
			var p90 uint32
			p90, scratch = nearestRank(a.waits, a.waitN, scratch)
			v := int64(p90)
			r.P90WaitS = &v
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y Row) int {
		return cmp.Or(cmp.Compare(lab.rank(x.Key), lab.rank(y.Key)), cmp.Compare(x.Key, y.Key))
	})
	return out
}

// nearestRank returns the 90th percentile by nearest rank of n waits
// held in sorted histograms: the smallest wait with at least ⌈0.9 n⌉
// waits at or below it. It counts the waits per second into scratch (one
// pass, whatever the number of histograms), or sorts when the waits are
// few beside their largest value.
func nearestRank(hists [][]bin, n int64, scratch []uint32) (uint32, []uint32) {
	rank := (9*n + 9) / 10
	var top uint32
	bins := 0
	for _, h := range hists {
		top = max(top, h[len(h)-1].sec)
		bins += len(h)
	}
	if uint64(top) > 8*uint64(bins)+1024 {
		all := make([]bin, 0, bins)
		for _, h := range hists {
			all = append(all, h...)
		}
		slices.SortFunc(all, func(a, b bin) int { return cmp.Compare(a.sec, b.sec) })
		seen := int64(0)
		for _, b := range all {
			if seen += int64(b.n); seen >= rank {
				return b.sec, scratch
			}
		}
		return top, scratch
	}
	if cap(scratch) < int(top)+1 {
		scratch = make([]uint32, int(top)+1)
	}
	counts := scratch[:int(top)+1]
	clear(counts)
	for _, h := range hists {
		for _, b := range h {
			counts[b.sec] += b.n
		}
	}
	seen := int64(0)
	for sec, c := range counts {
		if seen += int64(c); seen >= rank {
			return uint32(sec), scratch
		}
	}
	return top, scratch
}

// labeler names and orders a grouping's rows by what the state knows now:
// agencies and services by code, counters as the admin lists them,
// officers by username, hours and days in time order. Rows of objects
// deleted since are named by their key and come after the others; the
// row of visits no call ended comes last.
type labeler struct {
	groupBy string
	st      *queue.State
	english bool
	order   map[string]int
}

func newLabeler(groupBy string, st *queue.State, english bool) *labeler {
	l := &labeler{groupBy: groupBy, st: st, english: english, order: map[string]int{}}
	add := func(id string) { l.order[id] = len(l.order) }
	switch groupBy {
	case ByAgency:
		for _, a := range st.Agencies() {
			add(a.ID)
		}
	case ByService:
		for _, s := range st.Services() {
			add(s.ID)
		}
	case ByCounter:
		for _, c := range st.Counters() {
			add(c.ID)
		}
	case ByOfficer:
		for _, u := range st.Users() {
			add(u.ID)
		}
	}
	return l
}

// rank orders a key: known objects in their order, then unknown ones,
// then "".
func (l *labeler) rank(key string) int {
	switch {
	case l.groupBy == ByHour || l.groupBy == ByDay:
		return 0
	case key == "":
		return len(l.order) + 1
	}
	if i, ok := l.order[key]; ok {
		return i
	}
	return len(l.order)
}

func (l *labeler) label(key string) string {
	if key == "" {
		if l.english {
			return NotCalledEN
		}
		return NotCalledID
	}
	st := l.st
	switch l.groupBy {
	case ByAgency:
		if a := st.Agency(key); a != nil {
			return cmp.Or(a.ShortName, a.Name)
		}
	case ByService:
		if s := st.Service(key); s != nil {
			if l.english && s.NameEN != "" {
				return s.NameEN
			}
			return s.Name
		}
	case ByCounter:
		if c := st.Counter(key); c != nil {
			return c.Name
		}
	case ByOfficer:
		if u := st.User(key); u != nil {
			return u.Username
		}
	case ByHour:
		h, _ := strconv.Atoi(key)
		return fmt.Sprintf("%02d.00–%02d.00", h, h+1)
	}
	return key
}
