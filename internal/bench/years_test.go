package bench

// Years of data (the issue "Operations and defence", part 5): 120
// simulated service days of 3,000 tickets, written straight into a store
// (internal/simdata: tickets with visits, their events, the officers'
// audit entries, survey responses), then
//
//	hot-backup   64 issuers through the engine on the 120-day database,
//	             p99 without a backup and while GET /api/v1/backup's
//	             Backup runs (to a client reading 64 MiB/s), in one run
//	archive=90d  archive with the window of 90 days, compact: sizes
//	start        app.Open (storage, engine load, reports, jobs) and Close
//	             on that file
//	archive=30d  the same with a window of 30 days
//	archive=all  every day archived: what the database keeps for ever
//
// in this order: each stage works on the file the one before left. The
// days are 2026-05-01 .. 2026-08-28, and the engine's day 2026-08-29
// has 3,000 tickets too (the engine loads them at start); the engine's
// clock is 2026-08-29 10:00 WIB. BENCH_YEARS_DIR keeps the generated days (antrean.db there) for
// the next run, which copies them instead of generating. Never in CI:
// it runs only with BENCH_YEARS=1, and never under -short. BENCHMARKS.md has the
// command and the figures.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/simdata"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/storage"
)

const (
	yearsDays  = 120
	yearsFirst = "2026-05-01"
	yearsToday = "2026-08-29"
	// yearsLastDay is the last generated day before the engine's.
	yearsLastDay = "2026-08-28"
)

// yearsTickets is the tickets a day; BENCH_YEARS_TICKETS lowers it for a
// quick try of the benchmark itself (its figures then mean nothing).
var yearsTickets = envInt("BENCH_YEARS_TICKETS", 3000)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

type years struct {
	dir   string // the data folder the stages work on
	loc   *time.Location
	now   time.Time
	gen   *simdata.Generator
	stage int // 0 generated, 1 archived 90, 2 archived 30, 3 all

	base     int64  // a compacted database holding only the mall
	baseDir  string // its data folder: the fresh database of hot-paths
	full     int64  // the 120 days, as generated
	sizes    map[string]int64
	archived map[string]int64 // archive bytes after each stage
}

func BenchmarkYearsOfData(b *testing.B) {
	// Opt-in: `-bench .` runs the package's other benchmarks, and this
	// one writes 2.3 GiB and takes many minutes.
	if testing.Short() || os.Getenv("BENCH_YEARS") == "" {
		b.Skip("120 days of 3,000 tickets (2.3 GiB): set BENCH_YEARS=1")
	}
	w := newYears(b)
	b.Run("hot-backup", w.hotBackup)
	b.Run("hot-paths/days=120", w.hotPaths)
	b.Run("archive=90d", func(b *testing.B) { w.archiveStage(b, 1, 90) })
	b.Run("start", w.start)
	b.Run("hot-paths/archived=90d", func(b *testing.B) {
		for w.stage < 1 {
			w.archiveStage(b, 1, 90)
		}
		w.hotPaths(b)
	})
	b.Run("archive=30d", func(b *testing.B) { w.archiveStage(b, 2, 30) })
	b.Run("archive=all", func(b *testing.B) { w.archiveStage(b, 3, 0) })
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// newYears makes the data folder: 120 days generated (or copied from
// BENCH_YEARS_DIR, where a first run leaves them).
func newYears(b *testing.B) *years {
	b.Helper()
	loc, _ := time.LoadLocation("Asia/Jakarta")
	now, _ := time.ParseInLocation(time.DateTime, yearsToday+" 10:00:00", loc)
	w := &years{dir: benchDir(b), loc: loc, now: now, sizes: map[string]int64{}, archived: map[string]int64{}}
	w.gen = simdata.New(loc, 0, 0)
	dst := filepath.Join(w.dir, storage.FileName)
	keep := os.Getenv("BENCH_YEARS_DIR")
	if keep != "" {
		if src := filepath.Join(keep, storage.FileName); fileSize(src) > 0 {
			t0 := time.Now()
			if err := copyFile(src, dst); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "years: copied the 120 days from %s in %s\n", keep, time.Since(t0).Round(time.Second))
			w.full = fileSize(dst)
			w.base, w.baseDir = w.baseSize(b)
			return w
		}
	}
	db, err := storage.Open(w.dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if err := db.Commit(w.gen.Setup()); err != nil {
		b.Fatal(err)
	}
	first, _ := time.ParseInLocation(queue.DateLayout, yearsFirst, loc)
	n := 0
	for i := range yearsDays {
		batch := w.gen.Day(first.AddDate(0, 0, i).Format(queue.DateLayout), yearsTickets)
		n += len(batch.Puts) + len(batch.Events)
		if err := db.Commit(batch); err != nil {
			b.Fatal(err)
		}
	}
	// Today, the engine's day, busy too: the engine loads it at start,
	// and no archive takes it.
	today := w.gen.Day(yearsToday, yearsTickets)
	if err := db.Commit(today); err != nil {
		b.Fatal(err)
	}
	// The days' report summaries, as the server's builder makes them.
	eng, err := queue.Open(db, queue.Options{Clock: func() time.Time { return now }, Location: loc, Logger: discardLog()})
	if err != nil {
		b.Fatal(err)
	}
	rep := reports.New(eng, db, discardLog())
	rep.Start()
	for {
		// Today has no stored summary (reports makes it from the live
		// state): wait for the days before it.
		missing, err := db.ReportDays("", yearsLastDay, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(missing) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	rep.Close()
	eng.Close()
	db.Close()
	w.full = fileSize(dst)
	fmt.Fprintf(os.Stderr, "years: %d days and today of %d tickets (%d records and events) written in %s: %.0f MiB, %.1f MiB a day\n",
		yearsDays, yearsTickets, n, time.Since(t0).Round(time.Second), mib(fileSize(dst)), mib(fileSize(dst))/(yearsDays+1))
	if keep != "" {
		os.MkdirAll(keep, 0o700)
		if err := copyFile(dst, filepath.Join(keep, storage.FileName)); err != nil {
			b.Fatal(err)
		}
	}
	w.base, w.baseDir = w.baseSize(b)
	return w
}

// baseSize is the compacted size of a database holding only the mall
// and the day the engine lives in.
func (w *years) baseSize(b *testing.B) (int64, string) {
	dir := benchDir(b)
	db, err := storage.Open(dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	g := simdata.New(w.loc, 0, 0)
	db.Commit(g.Setup())
	if err := db.Commit(g.Day(yearsToday, yearsTickets)); err != nil {
		b.Fatal(err)
	}
	db.Close()
	res, err := storage.Compact(dir, storage.CompactOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return res.After, dir
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// open opens the store and the engine on the folder, at the fixed time.
func (w *years) open(b *testing.B) (*storage.DB, *queue.Engine) {
	b.Helper()
	db, err := storage.Open(w.dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := queue.Open(db, queue.Options{Clock: func() time.Time { return w.now }, Location: w.loc, Logger: discardLog()})
	if err != nil {
		db.Close()
		b.Fatal(err)
	}
	return db, eng
}

// throttled is a client that reads a download at a set rate.
type throttled struct {
	perSec  float64
	start   time.Time
	n       int64
	first   atomic.Int64 // ns from start to the first byte
	started time.Time
}

func (t *throttled) Write(p []byte) (int, error) {
	if t.n == 0 {
		t.first.Store(int64(time.Since(t.started)))
		t.start = time.Now()
	}
	t.n += int64(len(p))
	if ahead := time.Duration(float64(t.n)/t.perSec*float64(time.Second)) - time.Since(t.start); ahead > 0 {
		time.Sleep(ahead)
	}
	return len(p), nil
}

// issuers runs 64 callers issuing tickets through the engine until stop
// is closed, and answers each issue's latency.
func issuers(b *testing.B, eng *queue.Engine, services []string, stop <-chan struct{}) func() []time.Duration {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		all []time.Duration
	)
	for g := range httpClients {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			var mine []time.Duration
			for {
				select {
				case <-stop:
					mu.Lock()
					all = append(all, mine...)
					mu.Unlock()
					return
				default:
				}
				t0 := time.Now()
				_, err := eng.Apply(context.Background(), time.Time{}, queue.IssueTicket{ServiceID: services[r.IntN(len(services))], Channel: queue.ChannelKiosk, Key: queue.RandomString(16)})
				if err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
		})
	}
	return func() []time.Duration { wg.Wait(); slices.Sort(all); return all }
}

// hotBackup: p99 of 64 issuers without a backup (before and after) and
// while a hot backup of the 120-day database runs, in one run: through a
// temporary file (Backup, what GET /api/v1/backup does) and streamed from
// one read transaction (BackupStream, as before). It works on a copy of
// the days, as the issuers add a busy day of their own.
func (w *years) hotBackup(b *testing.B) {
	for _, mode := range []string{"file", "stream"} {
		b.Run("mode="+mode, func(b *testing.B) { w.hotBackupMode(b, mode) })
	}
}

func (w *years) hotBackupMode(b *testing.B, mode string) {
	cp := &years{dir: benchDir(b), loc: w.loc, now: w.now, gen: w.gen}
	if err := copyFile(filepath.Join(w.dir, storage.FileName), filepath.Join(cp.dir, storage.FileName)); err != nil {
		b.Fatal(err)
	}
	db, eng := cp.open(b)
	defer func() { eng.Close(); db.Close() }()
	backup := db.Backup
	if mode == "stream" {
		backup = db.BackupStream
	}
	var services []string
	for _, s := range w.gen.Services {
		services = append(services, s.ID)
	}
	const rate = 64 << 20
	for range b.N {
		quiet := func(d time.Duration) ([]time.Duration, time.Duration) {
			stop := make(chan struct{})
			t0 := time.Now()
			wait := issuers(b, eng, services, stop)
			time.Sleep(d)
			close(stop)
			return wait(), time.Since(t0)
		}
		before, tb := quiet(15 * time.Second)
		stop := make(chan struct{})
		t0 := time.Now()
		wait := issuers(b, eng, services, stop)
		tw := &throttled{perSec: rate, started: time.Now()}
		n, err := backup(tw)
		took := time.Since(t0)
		close(stop)
		during := wait()
		if err != nil {
			b.Fatal(err)
		}
		after, ta := quiet(15 * time.Second)
		none := slices.Sorted(slices.Values(slices.Concat(before, after)))
		b.ReportMetric(ms(percentile(none, 0.50)), "p50-ms-none")
		b.ReportMetric(ms(percentile(none, 0.99)), "p99-ms-none")
		b.ReportMetric(ms(percentile(during, 0.50)), "p50-ms-backup")
		b.ReportMetric(ms(percentile(during, 0.99)), "p99-ms-backup")
		b.ReportMetric(ms(during[len(during)-1]), "max-ms-backup")
		b.ReportMetric(float64(len(none))/(tb+ta).Seconds(), "tickets/s-none")
		b.ReportMetric(float64(len(during))/took.Seconds(), "tickets/s-backup")
		b.ReportMetric(took.Seconds(), "backup-s")
		b.ReportMetric(time.Duration(tw.first.Load()).Seconds(), "first-byte-s")
		b.ReportMetric(mib(fileSize(filepath.Join(cp.dir, storage.FileName))-w.full), "db-grew-MiB")
		b.ReportMetric(mib(n), "backup-MiB")
	}
}

// archiveStage archives with a window of days (0: every day before the
// engine's), as the server's jobs do after the survey purge of
// retention_days 30 (for "all", of every day: what stays for ever
// without anything personal), then compacts.
func (w *years) archiveStage(b *testing.B, stage, window int) {
	if w.stage >= stage {
		b.Skip("done")
	}
	for w.stage < stage-1 { // a stage left out by -bench: do it first
		w.archiveStage(b, w.stage+1, []int{90, 30, 0}[w.stage])
	}
	today, _ := time.ParseInLocation(queue.DateLayout, yearsToday, w.loc)
	day := func(n int) string { return today.AddDate(0, 0, -n).Format(queue.DateLayout) }
	db, err := storage.Open(w.dir, storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	purge := day(30)
	if window == 0 {
		purge = yearsToday
	}
	if _, err := db.PurgeFeedback(purge); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	res, err := db.Archive(context.Background(), day(window), storage.ArchiveOptions{})
	if err != nil {
		b.Fatal(err)
	}
	archiveTook := time.Since(t0)
	free, size := db.FreeShare()
	db.Close()
	t0 = time.Now()
	c, err := storage.Compact(w.dir, storage.CompactOptions{})
	if err != nil {
		b.Fatal(err)
	}
	compactTook := time.Since(t0)
	var arch int64
	names, _ := filepath.Glob(filepath.Join(w.dir, storage.ArchiveDir, "*"+storage.ArchiveExt))
	for _, n := range names {
		arch += fileSize(n)
	}
	w.stage = stage
	w.sizes[b.Name()] = c.After
	w.archived[b.Name()] = arch
	archivedDays := yearsDays - window
	if window == 0 {
		archivedDays = yearsDays
	}
	b.ReportMetric(float64(len(res.Days)), "days-archived")
	b.ReportMetric(archiveTook.Seconds()/float64(max(1, len(res.Days))), "archive-s/day")
	b.ReportMetric(mib(size), "db-MiB-before")
	b.ReportMetric(free*100, "free-%")
	b.ReportMetric(mib(c.After), "db-MiB-compacted")
	b.ReportMetric(compactTook.Seconds(), "compact-s")
	b.ReportMetric(mib(arch), "archive-MiB")
	b.ReportMetric(float64(arch)/float64(archivedDays)/1024, "archive-KiB/day")
	if window == 0 {
		// What the database keeps for ever, per day, and five years of
		// it with each window beside the archives of the other days.
		forever := float64(c.After-w.base) / yearsDays
		archDay := float64(arch) / yearsDays
		b.ReportMetric(forever/1024, "forever-KiB/day")
		live90 := w.sizes[parentName(b)+"/archive=90d"]
		live30 := w.sizes[parentName(b)+"/archive=30d"]
		windowDay := float64(live90-live30) / 60
		b.ReportMetric(windowDay/(1<<20), "window-MiB/day")
		fiveYears := func(wd int) float64 {
			return float64(w.base) + float64(wd)*windowDay + float64(1825-wd)*archDay + 1825*forever
		}
		for _, wd := range []int{30, 90} {
			b.ReportMetric(fiveYears(wd)/(1<<30), fmt.Sprintf("5y-GiB-window%d", wd))
			b.ReportMetric(fiveYears(wd)/1e9, fmt.Sprintf("5y-GB-window%d", wd))
		}
		// The largest window whose five years stay under 2 GB (decimal);
		// -1 when not even every day archived fits.
		fits := -1
		for wd := 0; wd <= 1825 && fiveYears(wd) < 2e9; wd++ {
			fits = wd
		}
		b.ReportMetric(float64(fits), "5y-max-window-days-under-2GB")
	}
	fmt.Fprintf(os.Stderr, "years: %s: %+v\n", b.Name(), res)
}

// parentName is the top benchmark's name of a sub-benchmark.
func parentName(b *testing.B) string {
	name := b.Name()
	if i := len(name) - len(filepath.Base(name)); i > 0 {
		return name[:i-1]
	}
	return name
}

// start: app.Open — the store (with its headroom mapping), the engine's
// load of the day, the reports, webhooks and jobs started — then Close,
// on the file archive=90d left.
func (w *years) start(b *testing.B) {
	for w.stage < 1 {
		w.archiveStage(b, 1, 90)
	}
	var open time.Duration
	for range b.N {
		t0 := time.Now()
		a, err := app.Open(app.Config{Data: w.dir, Clock: func() time.Time { return w.now }, Logger: discardLog(), BcryptCost: 4})
		if err != nil {
			b.Fatal(err)
		}
		open += time.Since(t0)
		a.Close()
	}
	b.ReportMetric(ms(open)/float64(b.N), "open-ms")
	b.ReportMetric(mib(fileSize(filepath.Join(w.dir, storage.FileName))), "db-MiB")
}

// hotPaths: the hot paths on the stage's database against a fresh one
// (the mall and today's 3,000 tickets only, w.baseDir), in the same run:
// issue a ticket (one durable commit), today's summary report and a
// year's (365 days, by service). Both databases are copies, open side by
// side, and measured in alternating rounds, so that a busy machine
// slows both alike; the figures that matter are the ratios.
func (w *years) hotPaths(b *testing.B) {
	type side struct {
		db    *storage.DB
		eng   *queue.Engine
		rep   *reports.Reports
		issue []time.Duration
		today []time.Duration
		year  []time.Duration
	}
	open := func(src string) *side {
		cp := &years{dir: benchDir(b), loc: w.loc, now: w.now}
		if err := copyFile(filepath.Join(src, storage.FileName), filepath.Join(cp.dir, storage.FileName)); err != nil {
			b.Fatal(err)
		}
		db, eng := cp.open(b)
		s := &side{db: db, eng: eng, rep: reports.New(eng, db, discardLog())}
		b.Cleanup(func() { eng.Close(); db.Close() })
		return s
	}
	fresh, aged := open(w.baseDir), open(w.dir)
	services := make([]string, 0, len(w.gen.Services))
	for _, s := range w.gen.Services {
		services = append(services, s.ID)
	}
	today := yearsToday
	yearAgo := w.now.AddDate(-1, 0, 1).Format(queue.DateLayout)
	timed := func(out *[]time.Duration, f func() error) {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		*out = append(*out, time.Since(t0))
	}
	round := func(s *side, i int) {
		for j := range 10 {
			timed(&s.issue, func() error {
				_, err := s.eng.Apply(context.Background(), time.Time{}, queue.IssueTicket{ServiceID: services[(i+j)%len(services)], Channel: queue.ChannelKiosk, Key: queue.RandomString(16)})
				return err
			})
		}
		for range 3 {
			timed(&s.today, func() error {
				_, err := s.rep.Summary(context.Background(), reports.Query{From: today, To: today, GroupBy: reports.ByService}, s.eng.State(), false)
				return err
			})
		}
		timed(&s.year, func() error {
			_, err := s.rep.Summary(context.Background(), reports.Query{From: yearAgo, To: today, GroupBy: reports.ByService}, s.eng.State(), false)
			return err
		})
	}
	// A first year's report reads the day summaries into the page cache
	// on both sides, as any report after the first finds them.
	round(fresh, 0)
	round(aged, 0)
	fresh.issue, fresh.today, fresh.year = nil, nil, nil
	aged.issue, aged.today, aged.year = nil, nil, nil
	for i := range 20 * b.N {
		if i%2 == 0 {
			round(fresh, i)
			round(aged, i)
		} else {
			round(aged, i)
			round(fresh, i)
		}
	}
	med := func(d []time.Duration) time.Duration {
		slices.Sort(d)
		return percentile(d, 0.50)
	}
	for _, m := range []struct {
		name      string
		fresh, me []time.Duration
	}{{"issue", fresh.issue, aged.issue}, {"today", fresh.today, aged.today}, {"year", fresh.year, aged.year}} {
		f, a := med(m.fresh), med(m.me)
		b.ReportMetric(ms(f), m.name+"-ms-fresh")
		b.ReportMetric(ms(a), m.name+"-ms")
		b.ReportMetric(float64(a)/float64(f), m.name+"-x-fresh")
	}
	b.ReportMetric(mib(fileSize(aged.db.Path())), "db-MiB")
}
