package reports_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/simdata"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/storage"
)

// BenchmarkSummary: the summary report over 30 and 365 days of a busy
// mall (5,000 tickets a day, 10 agencies, 18 services, 40 counters and
// officers), from the per-day summaries, beside reading the same days'
// raw tickets from the same store in the same run. The days are
// simdata's (its tickets only: reports read nothing else), written
// straight into a store — one Commit of 5,000 ticket puts with their
// visits per day — not through the engine; then the builder makes the
// 365 summaries. The store lives on the ordinary disk ($BENCH_DIR, else
// a hidden folder in this package's directory). BENCHMARKS.md has the
// command and the figures.
//
//	go test -run '^$' -bench Summary -benchtime 2x ./reports/
func BenchmarkSummary(b *testing.B) {
	if testing.Short() {
		b.Skip("a year of tickets")
	}
	w := benchWorld(b)
	for _, days := range []int{30, 365} {
		from, to := addDay(w.today, -days), addDay(w.today, -1)
		var raw float64 // ns per op of reading the raw tickets
		b.Run(fmt.Sprintf("days=%d/raw-tickets", days), func(b *testing.B) {
			n := 0
			for b.Loop() {
				n = 0
				for d := from; d <= to; d = addDay(d, 1) {
					tks, err := w.db.Tickets(queue.TicketFilter{Day: d})
					if err != nil {
						b.Fatal(err)
					}
					n += len(tks)
				}
			}
			raw = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			b.ReportMetric(float64(n), "tickets")
			b.ReportMetric(raw/1e6, "ms/report")
		})
		for _, g := range reports.Groupings {
			b.Run(fmt.Sprintf("days=%d/group_by=%s", days, g), func(b *testing.B) {
				q := reports.Query{From: from, To: to, GroupBy: g}
				st := w.eng.State()
				rows := 0
				cpu0 := cpuTime()
				for b.Loop() {
					out, err := w.rep.Summary(context.Background(), q, st, false)
					if err != nil {
						b.Fatal(err)
					}
					rows = len(out)
				}
				ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
				// CPU time per report: steadier than the wall clock on a
				// machine that others share.
				b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/report")
				b.ReportMetric(float64(rows), "rows")
				b.ReportMetric(ns/1e6, "ms/report")
				if raw > 0 {
					b.ReportMetric(raw/ns, "x-raw")
				}
			})
		}
	}
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type benchData struct {
	db    *storage.DB
	eng   *queue.Engine
	rep   *reports.Reports
	today string
}

// benchWorld writes 365 days of simdata's tickets ending yesterday into
// a fresh store, opens the engine on it today, and lets the builder make
// every day's summary.
func benchWorld(b *testing.B) *benchData {
	b.Helper()
	// BENCH_REPORTS_DIR keeps the data folder for the next run (which
	// then skips writing it); otherwise it is made afresh and removed.
	dir, reuse := os.Getenv("BENCH_REPORTS_DIR"), false
	if dir != "" {
		_, err := os.Stat(filepath.Join(dir, storage.FileName))
		reuse = err == nil
	} else {
		base := os.Getenv("BENCH_DIR")
		if base == "" {
			base = "."
		}
		var err error
		if dir, err = os.MkdirTemp(base, ".antrean-bench-*"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	wib, _ := time.LoadLocation("Asia/Jakarta")
	const today = "2026-11-26"
	g := simdata.New(wib, 0, 0)
	g.TicketsOnly = true
	t0 := time.Now()
	if !reuse {
		if err := db.Commit(g.Setup()); err != nil {
			b.Fatal(err)
		}
	}
	first := addDay(today, -365)
	tickets := 0
	for d := first; d < today && !reuse; d = addDay(d, 1) {
		batch := g.Day(d, 5000)
		tickets += len(batch.Puts)
		if err := db.Commit(batch); err != nil {
			b.Fatal(err)
		}
	}
	wrote := time.Since(t0)
	now, _ := time.ParseInLocation(time.DateTime, today+" 07:00:00", wib)
	eng, err := queue.Open(db, queue.Options{Clock: func() time.Time { return now }, Location: wib, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	rep := reports.New(eng, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t0 = time.Now()
	rep.Start()
	b.Cleanup(rep.Close)
	for {
		missing, err := db.ReportDays("", "", nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(missing) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	built := time.Since(t0)
	size := 0
	if _, err := db.ReportDays("", "", func(_ string, rec []byte) error { size += len(rec); return nil }); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(filepath.Join(dir, storage.FileName))
	fmt.Fprintf(os.Stderr, "bench: %d tickets over 365 days written in %s (database %d MiB); summaries built in %s (%.1f ms a day), %.1f KiB a day\n",
		tickets, wrote.Round(time.Second), fi.Size()>>20, built.Round(time.Millisecond), float64(built.Milliseconds())/365, float64(size)/365/1024)
	return &benchData{db: db, eng: eng, rep: rep, today: today}
}
