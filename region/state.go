package region

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Store is the region's database; *storage.RegionDB is one. Buckets:
// sites (site → siteMeta), names (site/kind/id → name), counters
// (site/id → counterRec), tracks (site/ticket → track, the open days'),
// days (grouping/day/site → rowSet), ikm (day/site → tallies), users
// (username → user), sessions (token hash → session).
type Store interface {
	Update(fn func(put func(bucket string, key, value []byte) error) error) error
	Get(bucket string, key []byte) ([]byte, error)
	Scan(bucket string, from, to []byte, fn func(k, v []byte) error) error
	Close() error
}

// siteMeta is what the region keeps of a site beside its aggregates.
type siteMeta struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Applied is the site's last event applied, StreamSeq its sequence in
	// the site's stream; the consumer goes on after it.
	Applied   uint64 `json:"applied"`
	StreamSeq uint64 `json:"stream_seq"`
	// LastAt is the last applied event's time (the site's clock),
	// AppliedAt when the region applied it.
	LastAt    time.Time `json:"last_at"`
	AppliedAt time.Time `json:"applied_at"`
	// Missing counts events the stream never had for the region: seqs
	// skipped (the site's log dropped them before they were published,
	// or the stream's retention did before the region read them).
	Missing uint64 `json:"missing"`
	// Day is the site's business day, from its day.started and tickets.
	Day string `json:"day"`
	// Pending is how many messages of the site's stream the region had
	// still to read after the last one it applied.
	Pending uint64 `json:"pending"`
}

type counterRec struct {
	AgencyID string `json:"agency_id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
}

// site is the writer's state of one site.
type site struct {
	siteMeta
	counters map[string]*counterRec
	tracks   map[string]*track
	names    map[string]string // kind/id → name
	// ikm holds the tallies of the days with feedback seen since start,
	// by day (loaded from the store on first use).
	ikm map[string]tallies
	// dirty is set when something of today changed since the rows of
	// the open days were last made (today).
	dirty bool
	today map[string]map[byte][]byte // day → grouping → encoded rows
}

func newSite(id string) *site {
	return &site{siteMeta: siteMeta{ID: id}, counters: map[string]*counterRec{}, tracks: map[string]*track{},
		names: map[string]string{}, ikm: map[string]tallies{}, dirty: true}
}

// tallies are a site-day's survey answers by agency/service: for each,
// the respondents and per element the answers and their sum.
type tallies map[string]*tally

type tally struct {
	n      uint64
	counts []uint64
	sums   []uint64
}

func (t tallies) add(agency, service string, scores []int) {
	k := agency + keySep + service
	x := t[k]
	if x == nil {
		x = &tally{}
		t[k] = x
	}
	x.n++
	for len(x.counts) < len(scores) {
		x.counts, x.sums = append(x.counts, 0), append(x.sums, 0)
	}
	for i, s := range scores {
		if s >= 1 && s <= 4 {
			x.counts[i]++
			x.sums[i] += uint64(s)
		}
	}
}

// encode: a version byte, the number of entries, then per entry in key
// order its key, respondents, number of elements and each element's
// answers and sum; unsigned varints.
func (t tallies) encode() []byte {
	b := []byte{1}
	b = binary.AppendUvarint(b, uint64(len(t)))
	for _, k := range slices.Sorted(maps.Keys(t)) {
		x := t[k]
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, x.n)
		b = binary.AppendUvarint(b, uint64(len(x.counts)))
		for i := range x.counts {
			b = binary.AppendUvarint(b, x.counts[i])
			b = binary.AppendUvarint(b, x.sums[i])
		}
	}
	return b
}

// decodeTallies calls fn with each entry of a stored tallies record.
func decodeTallies(rec []byte, fn func(agency, service string, n uint64, counts, sums []uint64)) error {
	bad := fmt.Errorf("region: malformed survey tallies")
	if len(rec) == 0 || rec[0] != 1 {
		return bad
	}
	b := rec[1:]
	next := func() (uint64, bool) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	n, ok := next()
	if !ok {
		return bad
	}
	for range n {
		l, ok := next()
		if !ok || l > uint64(len(b)) {
			return bad
		}
		key := string(b[:l])
		b = b[l:]
		resp, ok1 := next()
		ne, ok2 := next()
		if !ok1 || !ok2 || ne > 64 {
			return bad
		}
		counts, sums := make([]uint64, ne), make([]uint64, ne)
		for i := range ne {
			var okc, oks bool
			counts[i], okc = next()
			sums[i], oks = next()
			if !okc || !oks {
				return bad
			}
		}
		agency, service, _ := strings.Cut(key, keySep)
		fn(agency, service, resp, counts, sums)
	}
	if len(b) != 0 {
		return bad
	}
	return nil
}

// Keys.
func siteKey(site, id string) []byte { return []byte(site + "/" + id) }

func dayKey(g byte, day, site string) []byte { return []byte(string(g) + "/" + day + "/" + site) }

func ikmKey(day, site string) []byte { return []byte(day + "/" + site) }

// load reads every site's state.
func load(st Store) (map[string]*site, error) {
	sites := map[string]*site{}
	get := func(key []byte) (*site, string, bool) {
		id, rest, ok := strings.Cut(string(key), "/")
		s := sites[id]
		return s, rest, ok && s != nil
	}
	err := st.Scan("sites", nil, nil, func(k, v []byte) error {
		s := newSite(string(k))
		if err := json.Unmarshal(v, &s.siteMeta); err != nil {
			return fmt.Errorf("region: site %s: %w", k, err)
		}
		sites[s.ID] = s
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = st.Scan("names", nil, nil, func(k, v []byte) error {
		if s, rest, ok := get(k); ok {
			s.names[rest] = string(v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = st.Scan("counters", nil, nil, func(k, v []byte) error {
		if s, id, ok := get(k); ok {
			var c counterRec
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("region: counter %s: %w", k, err)
			}
			s.counters[id] = &c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = st.Scan("tracks", nil, nil, func(k, v []byte) error {
		if s, id, ok := get(k); ok {
			var t track
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("region: track %s: %w", k, err)
			}
			if len(t.Visits) > 0 {
				s.tracks[id] = &t
			}
		}
		return nil
	})
	return sites, err
}
