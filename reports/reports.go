// Package reports is the reporting side of Antrean: the summary report of
// GET /api/v1/reports/summary (issued, served, no-shows, waits and
// service times by agency, service, counter, officer, hour or day), and
// later the admin's "Laporan" screens.
//
// A report over a year must not read a million tickets. So each finished
// business day is summed up once into a small record per day (day.go),
// kept in the store; a report reads the summaries of its days, adds
// today's figures from the engine's live state, and adds up the rows.
// Summaries are derived data: they are made in the background when the
// engine starts a new day, and made again from the stored tickets when a
// report meets a past day without one (an older database, a record of an
// older format, a failed write).
package reports

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/mpp-digital/antrean/queue"
)

// Store is what reports need of the database; *storage.DB has it.
type Store interface {
	// ReportDays calls fn with the stored summary of each day from..to
	// that has one, in day order, and returns the days of the range that
	// hold tickets but no summary.
	ReportDays(from, to string, fn func(day string, rec []byte) error) (missing []string, err error)
	// PutReportDays stores summaries by day; a nil record deletes.
	PutReportDays(recs map[string][]byte) error
	// Tickets lists one day's tickets.
	Tickets(f queue.TicketFilter) ([]*queue.Ticket, error)
}

// Reports answers the reports and keeps the days' summaries.
type Reports struct {
	eng   *queue.Engine
	store Store
	log   *slog.Logger

	kick      chan struct{} // a day may have finished: build what is missing
	stop      chan struct{}
	done      chan struct{}
	startOnce sync.Once
	stopOnce  sync.Once
}

// New makes the reports of an engine's data and follows the engine's
// events (a new day starts the building of the finished one). Start runs
// the builder.
func New(eng *queue.Engine, store Store, log *slog.Logger) *Reports {
	if log == nil {
		log = slog.Default()
	}
	r := &Reports{eng: eng, store: store, log: log,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	eng.Subscribe(r)
	return r
}

// Publish notes a day.started event (queue.Publisher). It runs on the
// engine's committer goroutine and so never blocks: it only kicks the
// builder, which does the work on its own goroutine.
func (r *Reports) Publish(events []queue.Event, _ *queue.State) {
	for _, e := range events {
		if e.Type == "day.started" {
			select {
			case r.kick <- struct{}{}:
			default: // a kick is already pending; it will see this day too
			}
			return
		}
	}
}

// Start runs the builder goroutine: at once, for the days finished while
// the server was down or before summaries existed, then at every
// day.started.
func (r *Reports) Start() {
	r.startOnce.Do(func() {
		select {
		case r.kick <- struct{}{}:
		default:
		}
		go r.loop()
	})
}

// Close stops the builder, waiting for a day being built; call it before
// the store closes.
func (r *Reports) Close() {
	r.stopOnce.Do(func() { close(r.stop) })
	r.startOnce.Do(func() { close(r.done) }) // never started: nothing to wait for
	<-r.done
}

func (r *Reports) loop() {
	defer close(r.done)
	for {
		select {
		case <-r.stop:
			return
		case <-r.kick:
			if err := r.buildMissing(); err != nil {
				// Reports make the days again when they meet them.
				r.log.Warn("reports: building day summaries", "err", err)
			}
		}
	}
}

// buildBatch is how many days' summaries one write stores, when the
// builder catches up on many.
const buildBatch = 31

// buildMissing makes the summaries of the finished days that have
// tickets but none, oldest first.
func (r *Reports) buildMissing() error {
	today := r.eng.State().Day
	if today == "" {
		return nil
	}
	missing, err := r.store.ReportDays("", addDays(today, -1), nil)
	if err != nil {
		return err
	}
	recs := map[string][]byte{}
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		err := r.store.PutReportDays(recs)
		recs = map[string][]byte{}
		return err
	}
	for _, day := range missing {
		select {
		case <-r.stop:
			return flush()
		default:
		}
		s, err := r.buildDay(day)
		if err != nil {
			return err
		}
		recs[day] = s.encode()
		if len(recs) >= buildBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(missing) > 0 {
		r.log.Info("reports: built day summaries", "days", len(missing), "first", missing[0], "last", missing[len(missing)-1])
	}
	return flush()
}

// buildDay sums up a finished day from its stored tickets.
func (r *Reports) buildDay(day string) (*daySum, error) {
	tickets, err := r.store.Tickets(queue.TicketFilter{Day: day})
	if err != nil {
		return nil, err
	}
	return summarize(day, func(yield func(*queue.Ticket) bool) {
		for _, t := range tickets {
			if !yield(t) {
				return
			}
		}
	}), nil
}

// days gathers the summaries of from..to: stored ones for the days before
// st's day (made and stored now where missing or unreadable), today's
// from the live state, nothing for days to come.
func (r *Reports) days(ctx context.Context, from, to string, st *queue.State) ([]*daySum, error) {
	var out []*daySum
	today := st.Day
	if today == "" {
		return nil, nil
	}
	if last := min(to, addDays(today, -1)); from <= last {
		var stored []storedDay
		missing, err := r.store.ReportDays(from, last, func(day string, rec []byte) error {
			stored = append(stored, storedDay{day: day, rec: rec})
			return nil
		})
		if err != nil {
			return nil, err
		}
		decodeAll(stored)
		var redo []string
		for _, sd := range stored {
			if sd.err != nil {
				r.log.Warn("reports: making a day summary again", "day", sd.day, "err", sd.err)
				redo = append(redo, sd.day)
				continue
			}
			out = append(out, sd.sum)
		}
		redo = append(redo, missing...)
		recs := map[string][]byte{}
		for _, day := range redo {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			s, err := r.buildDay(day)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
			recs[day] = s.encode()
		}
		if len(recs) > 0 {
			// Derived data: a failed write only means the next report
			// makes the days again.
			if err := r.store.PutReportDays(recs); err != nil {
				r.log.Warn("reports: storing day summaries", "err", err, "days", len(recs))
			}
		}
	}
	if from <= today && today <= to {
		out = append(out, summarize(today, st.Tickets()))
	}
	return out, nil
}

// storedDay is a stored summary, read and then decoded.
type storedDay struct {
	day string
	rec []byte
	sum *daySum
	err error
}

// decodeAll decodes the days on up to four cores: decoding is most of a
// long report's work.
func decodeAll(days []storedDay) {
	workers := min(runtime.GOMAXPROCS(0), 4, len(days)/8+1)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(days); i = int(next.Add(1)) - 1 {
				d := &days[i]
				d.sum, d.err = decodeDay(d.day, d.rec)
			}
		})
	}
	wg.Wait()
}

// Summary answers a summary report against the state st (today's
// tickets, names, targets). english labels the row of visits no call
// ended, and services, in English.
func (r *Reports) Summary(ctx context.Context, q Query, st *queue.State, english bool) ([]Row, error) {
	days, err := r.days(ctx, q.From, q.To, st)
	if err != nil {
		return nil, err
	}
	return rows(q, st, days, english), nil
}
