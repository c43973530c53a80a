package region

import (
	"encoding/binary"
	"errors"
	"maps"
	"slices"
)

// Waits are kept as histograms of whole seconds in bins: one bin per
// second below 2 minutes, then 5 s to 10 minutes, 30 s to an hour, 5
// minutes to a day, and one bin for the rest. A cross-site report adds up
// hundreds of sites' days; with bins the histograms of a row have at most
// nBins entries whatever the number of tickets, and a p90 is exact below
// 2 minutes and within its bin's width above (reported as the bin's
// lower end). Averages are exact: the rows keep the sums.
const nBins = 605

func binOf(sec uint32) int {
	switch {
	case sec < 120:
		return int(sec)
	case sec < 600:
		return 120 + int(sec-120)/5
	case sec < 3600:
		return 216 + int(sec-600)/30
	case sec < 86400:
		return 316 + int(sec-3600)/300
	}
	return nBins - 1
}

// binLow is the lowest wait of bin i, in seconds.
func binLow(i int) uint32 {
	switch {
	case i < 120:
		return uint32(i)
	case i < 216:
		return 120 + uint32(i-120)*5
	case i < 316:
		return 600 + uint32(i-216)*30
	case i < nBins-1:
		return 3600 + uint32(i-316)*300
	}
	return 86400
}

// row is one row's figures. issued counts the tickets whose first visit
// in the row's group this is (API.md: a ticket counts once per row);
// issuedAll those whose first visit of all it is (the day and hour rows
// of a report without an agency filter count those).
type row struct {
	issued, issuedAll         uint64
	served, noShow, cancelled uint64
	serviceN, serviceSum      uint64
	waitSum, within           uint64
	hist                      map[uint16]uint64
}

func (r *row) add(issued, issuedAll uint64, f *visitFigures) {
	r.issued += issued
	r.issuedAll += issuedAll
	r.served += f.served
	r.noShow += f.noShow
	r.cancelled += f.cancelled
	r.serviceN += f.serviceN
	r.serviceSum += f.serviceSum
	if f.waited {
		r.waitSum += uint64(f.wait)
		r.within += f.within
		r.hist[uint16(binOf(f.wait))]++
	}
}

// rowSet is the rows of one grouping of one site's day, by key.
type rowSet struct{ rows map[string]*row }

func newRowSet() *rowSet { return &rowSet{rows: map[string]*row{}} }

func (s *rowSet) row(key string) *row {
	r := s.rows[key]
	if r == nil {
		r = &row{hist: map[uint16]uint64{}}
		s.rows[key] = r
	}
	return r
}

// The stored form of a rowSet, version 1: a version byte, the number of
// rows, then per row in key order its key (length, bytes), issued,
// issued_all, served, no_show, cancelled, the service count and sum, the
// wait sum, within, the number of histogram bins and each bin as the
// step from the previous bin's index and its count; all unsigned varints.
const rowsVersion = 1

func (s *rowSet) encode() []byte {
	b := []byte{rowsVersion}
	b = binary.AppendUvarint(b, uint64(len(s.rows)))
	for _, k := range slices.Sorted(maps.Keys(s.rows)) {
		r := s.rows[k]
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		for _, v := range []uint64{r.issued, r.issuedAll, r.served, r.noShow, r.cancelled, r.serviceN, r.serviceSum, r.waitSum, r.within, uint64(len(r.hist))} {
			b = binary.AppendUvarint(b, v)
		}
		prev := uint64(0)
		for _, bin := range slices.Sorted(maps.Keys(r.hist)) {
			b = binary.AppendUvarint(b, uint64(bin)-prev)
			b = binary.AppendUvarint(b, r.hist[bin])
			prev = uint64(bin)
		}
	}
	return b
}

var errBadRows = errors.New("region: malformed day rows")

// acc adds up rows of one report row.
type acc struct {
	site, key                 string
	issued, served            int64
	noShow, cancelled         int64
	serviceN, serviceSum      int64
	waitN, waitSum, within    int64
	hist                      [nBins]uint32
	useIssuedAll, sawAnything bool
}

// decodeInto reads a stored rowSet, adding each row to the accumulator
// pick answers for its key (nil: skip the row). pick's key is valid
// during the call only.
func decodeInto(rec []byte, pick func(key []byte) *acc) error {
	if len(rec) == 0 || rec[0] != rowsVersion {
		return errBadRows
	}
	b := rec[1:]
	next := func() (uint64, bool) {
		if len(b) > 0 && b[0] < 0x80 {
			v := uint64(b[0])
			b = b[1:]
			return v, true
		}
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return v, true
	}
	n, ok := next()
	if !ok {
		return errBadRows
	}
	var f [10]uint64
	for range n {
		l, ok := next()
		if !ok || l > uint64(len(b)) {
			return errBadRows
		}
		key := b[:l]
		b = b[l:]
		for i := range f {
			if f[i], ok = next(); !ok {
				return errBadRows
			}
		}
		a := pick(key)
		if a != nil {
			a.sawAnything = true
			if a.useIssuedAll {
				a.issued += int64(f[1])
			} else {
				a.issued += int64(f[0])
			}
			a.served += int64(f[2])
			a.noShow += int64(f[3])
			a.cancelled += int64(f[4])
			a.serviceN += int64(f[5])
			a.serviceSum += int64(f[6])
			a.waitSum += int64(f[7])
			a.within += int64(f[8])
		}
		bin := uint64(0)
		for j := range f[9] {
			step, ok1 := next()
			cnt, ok2 := next()
			if !ok1 || !ok2 {
				return errBadRows
			}
			bin += step
			if bin >= nBins || (j > 0 && step == 0) {
				return errBadRows
			}
			if a != nil {
				a.hist[bin] += uint32(cnt)
				a.waitN += int64(cnt)
			}
		}
	}
	if len(b) != 0 {
		return errBadRows
	}
	return nil
}

// p90 is the 90th percentile by nearest rank of the accumulated waits,
// as its bin's lower end; false without waits.
func (a *acc) p90() (int64, bool) {
	if a.waitN == 0 {
		return 0, false
	}
	rank := (9*a.waitN + 9) / 10
	seen := int64(0)
	for i, c := range a.hist {
		if seen += int64(c); seen >= rank {
			return int64(binLow(i)), true
		}
	}
	return int64(binLow(nBins - 1)), true
}
