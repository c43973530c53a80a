package reports

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// A day's summary: the day's visits (a ticket's waits in one service
// each, Ticket.History) added up per cell — agency × service × counter ×
// officer × hour of issue — with counts, sums and an exact histogram of
// the waits in whole seconds. Every grouping of the summary report is a
// sum of cells, and the p90 of any range is exact by nearest rank over
// the cells' histograms, so a range of days needs only its days'
// summaries, never their tickets.

// Which "issued" count a grouping adds up. A ticket counts once in each
// row it belongs to, also when a transfer brings it into a row's queues a
// second time; each cell counts the visits that are their ticket's first
// in the cell's agency, service, counter or officer (and its first of
// all, for the hour and day rows).
const (
	firstOfAll = iota
	firstInAgency
	firstInService
	firstAtCounter
	firstByOfficer
	nFirst
)

// bin is one second of the wait histogram: n waits of sec seconds.
type bin struct{ sec, n uint32 }

// cell is the sum of the visits of one agency, service, counter and
// officer (those of the call that ended the wait; "" when none did) and
// hour of issue, in one day. It holds no pointers, so that the garbage
// collector need not look into a year of them.
type cell struct {
	agency, service, counter, officer uint32 // indexes into daySum.strs
	hour                              uint8
	first                             [nFirst]uint32
	served, noShow, cancelled         uint32
	serviceN                          uint32 // served visits with a service time
	serviceSum                        uint64 // their service times, seconds
	waitSum                           uint64 // seconds, over waits
	lo, hi                            uint32 // its waits: daySum.bins[lo:hi], by second
}

// daySum is one business day's summary.
type daySum struct {
	day   string
	strs  []string
	cells []cell
	bins  []bin // the wait histograms of all cells, cell after cell
}

// waits returns c's wait histogram: every wait of its visits that ended
// in a call, by second.
func (s *daySum) waits(c *cell) []bin { return s.bins[c.lo:c.hi] }

type cellKey struct {
	agency, service, counter, officer string
	hour                              uint8
}

// summarize adds up a day's tickets. Tickets of other days are skipped.
func summarize(day string, tickets func(yield func(*queue.Ticket) bool)) *daySum {
	s := &daySum{day: day}
	strIdx := map[string]uint32{}
	str := func(v string) uint32 {
		i, ok := strIdx[v]
		if !ok {
			i = uint32(len(s.strs))
			strIdx[v] = i
			s.strs = append(s.strs, v)
		}
		return i
	}
	cellIdx := map[cellKey]int{}
	var waits [][]uint32 // per cell, unsorted
	for t := range tickets {
		if t.Day != day {
			continue
		}
		hour := uint8(t.IssuedAt.Hour()) // in the offset it was issued with: the site's
		var agencies, services, counters, officers []string
		for i, v := range t.History() {
			k := cellKey{v.AgencyID, v.ServiceID, v.CounterID, v.OfficerID, hour}
			ci, ok := cellIdx[k]
			if !ok {
				ci = len(s.cells)
				cellIdx[k] = ci
				s.cells = append(s.cells, cell{agency: str(k.agency), service: str(k.service), counter: str(k.counter), officer: str(k.officer), hour: hour})
				waits = append(waits, nil)
			}
			c := &s.cells[ci]
			if i == 0 {
				c.first[firstOfAll]++
			}
			for _, f := range []struct {
				seen *[]string
				v    string
				by   int
			}{{&agencies, v.AgencyID, firstInAgency}, {&services, v.ServiceID, firstInService}, {&counters, v.CounterID, firstAtCounter}, {&officers, v.OfficerID, firstByOfficer}} {
				if !slices.Contains(*f.seen, f.v) {
					*f.seen = append(*f.seen, f.v)
					c.first[f.by]++
				}
			}
			if v.CalledAt != nil {
				w := seconds(v.CalledAt.Sub(v.QueuedAt))
				waits[ci] = append(waits[ci], w)
				c.waitSum += uint64(w)
			}
			switch v.Outcome {
			case queue.Done:
				c.served++
				// A no-show called back is served from the call-back on.
				if from := cmp.Or(v.LastCalledAt, v.CalledAt); from != nil && v.EndedAt != nil {
					c.serviceN++
					c.serviceSum += uint64(seconds(v.EndedAt.Sub(*from)))
				}
			case queue.NoShow:
				c.noShow++
			case queue.Cancelled:
				c.cancelled++
			}
		}
	}
	s.sort(waits)
	return s
}

// seconds rounds a duration to whole seconds; a negative one (a clock
// that stepped back) counts as 0.
func seconds(d time.Duration) uint32 {
	if d <= 0 {
		return 0
	}
	return uint32(min((d+time.Second/2)/time.Second, 1<<31))
}

// histogram sorts waits into bins.
func histogram(ws []uint32) []bin {
	if len(ws) == 0 {
		return nil
	}
	slices.Sort(ws)
	var out []bin
	for _, w := range ws {
		if n := len(out); n > 0 && out[n-1].sec == w {
			out[n-1].n++
		} else {
			out = append(out, bin{w, 1})
		}
	}
	return out
}

// sort orders the cells by their key, so that a day's summary encodes to
// the same bytes whatever order its tickets came in, and makes their
// histograms from each cell's waits.
func (s *daySum) sort(waits [][]uint32) {
	order := make([]int, len(s.cells))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		a, b := &s.cells[i], &s.cells[j]
		return cmp.Or(
			cmp.Compare(s.strs[a.agency], s.strs[b.agency]),
			cmp.Compare(s.strs[a.service], s.strs[b.service]),
			cmp.Compare(s.strs[a.counter], s.strs[b.counter]),
			cmp.Compare(s.strs[a.officer], s.strs[b.officer]),
			cmp.Compare(a.hour, b.hour))
	})
	cells := make([]cell, 0, len(s.cells))
	for _, i := range order {
		c := s.cells[i]
		c.lo = uint32(len(s.bins))
		s.bins = append(s.bins, histogram(waits[i])...)
		c.hi = uint32(len(s.bins))
		cells = append(cells, c)
	}
	s.cells = cells
}

// The stored form of a summary, version 1: a version byte, then unsigned
// varints: the strings (count, then length and bytes of each), the number
// of cells and of bins in all, then per cell the four string indexes, the
// hour, the five first-counts, served, no-show, cancelled, the service
// count and sum, the wait sum, its number of bins and each bin as the
// step from the previous second and its count. A record of another
// version, or one that does not decode, is made again from the day's
// tickets.
const encodingVersion = 1

func (s *daySum) encode() []byte {
	b := make([]byte, 0, 64+len(s.cells)*24+len(s.bins)*3)
	b = append(b, encodingVersion)
	b = binary.AppendUvarint(b, uint64(len(s.strs)))
	for _, v := range s.strs {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	b = binary.AppendUvarint(b, uint64(len(s.cells)))
	b = binary.AppendUvarint(b, uint64(len(s.bins)))
	for i := range s.cells {
		c := &s.cells[i]
		for _, v := range []uint64{uint64(c.agency), uint64(c.service), uint64(c.counter), uint64(c.officer), uint64(c.hour)} {
			b = binary.AppendUvarint(b, v)
		}
		for _, v := range c.first {
			b = binary.AppendUvarint(b, uint64(v))
		}
		for _, v := range []uint64{uint64(c.served), uint64(c.noShow), uint64(c.cancelled), uint64(c.serviceN), c.serviceSum, c.waitSum, uint64(c.hi - c.lo)} {
			b = binary.AppendUvarint(b, v)
		}
		prev := uint32(0)
		for _, w := range s.waits(c) {
			b = binary.AppendUvarint(b, uint64(w.sec-prev))
			b = binary.AppendUvarint(b, uint64(w.n))
			prev = w.sec
		}
	}
	return b
}

var errBadRecord = errors.New("reports: malformed day summary")

// decoder reads unsigned varints; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uint(limit uint64) uint64 {
	if d.err == nil && len(d.b) > 0 && d.b[0] < 0x80 && uint64(d.b[0]) <= limit {
		v := uint64(d.b[0]) // most fields are small: one byte
		d.b = d.b[1:]
		return v
	}
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > limit {
		d.err = errBadRecord
		return 0
	}
	d.b = d.b[n:]
	return v
}

const maxU32 = 1<<32 - 1

// decodeDay reads a stored summary.
func decodeDay(day string, rec []byte) (*daySum, error) {
	if len(rec) == 0 || rec[0] != encodingVersion {
		return nil, fmt.Errorf("reports: day summary %s: not of version %d", day, encodingVersion)
	}
	d := &decoder{b: rec[1:]}
	s := &daySum{day: day}
	n := d.uint(uint64(len(d.b)))
	s.strs = make([]string, 0, n)
	for range n {
		l := d.uint(maxU32)
		if d.err == nil && l > uint64(len(d.b)) {
			d.err = errBadRecord
		}
		if d.err != nil {
			break
		}
		s.strs = append(s.strs, string(d.b[:l]))
		d.b = d.b[l:]
	}
	str := func() uint32 {
		v := d.uint(maxU32)
		if v >= uint64(len(s.strs)) {
			d.err = errBadRecord
		}
		return uint32(v)
	}
	// A cell takes 17 bytes or more, a bin two.
	n = d.uint(uint64(len(d.b)) / 17)
	nBins := d.uint(uint64(len(d.b)) / 2)
	s.cells = make([]cell, 0, n)
	s.bins = make([]bin, 0, nBins)
	for range n {
		if d.err != nil {
			break
		}
		var c cell
		c.agency, c.service, c.counter, c.officer = str(), str(), str(), str()
		c.hour = uint8(d.uint(23))
		for i := range c.first {
			c.first[i] = uint32(d.uint(maxU32))
		}
		c.served, c.noShow, c.cancelled, c.serviceN = uint32(d.uint(maxU32)), uint32(d.uint(maxU32)), uint32(d.uint(maxU32)), uint32(d.uint(maxU32))
		c.serviceSum, c.waitSum = d.uint(1<<63), d.uint(1<<63)
		nb := d.uint(nBins - uint64(len(s.bins)))
		if d.err != nil {
			break
		}
		c.lo = uint32(len(s.bins))
		// The bins are most of a record: read them in a tight loop.
		b, sec := d.b, uint64(0)
		for j := range nb {
			step, k := binary.Uvarint(b)
			if k <= 0 {
				d.err = errBadRecord
				break
			}
			b = b[k:]
			cnt, k := binary.Uvarint(b)
			if k <= 0 {
				d.err = errBadRecord
				break
			}
			b = b[k:]
			sec += step
			if (j > 0 && step == 0) || step > maxU32 || sec > maxU32 || cnt == 0 || cnt > maxU32 {
				d.err = errBadRecord // bins go up strictly, and each holds a wait
				break
			}
			s.bins = append(s.bins, bin{uint32(sec), uint32(cnt)})
		}
		d.b = b
		c.hi = uint32(len(s.bins))
		s.cells = append(s.cells, c)
	}
	if d.err == nil && (len(d.b) != 0 || uint64(len(s.bins)) != nBins) {
		d.err = errBadRecord
	}
	if d.err != nil {
		return nil, fmt.Errorf("reports: day summary %s: %w", day, d.err)
	}
	return s, nil
}
