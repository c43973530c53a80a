package reports_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/storage"
)

// BenchmarkSummary: the summary report over 30 and 365 days of a busy
// mall (5,000 tickets a day, 10 agencies, 18 services, 40 counters and
// officers), from the per-day summaries, beside reading the same days'
// raw tickets from the same store in the same run. The data is written
// straight into a store — one Commit of 5,000 ticket puts with their
// visits per day — not through the engine: that takes about a minute,
// then the builder makes the 365 summaries. The store lives on the
// ordinary disk ($BENCH_DIR, else a hidden folder in this package's
// directory). BENCHMARKS.md has the command and the figures.
//
//	go test -run '^$' -bench Summary -benchtime 5x ./reports/
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

// benchWorld writes 365 days of tickets ending yesterday into a fresh
// store, opens the engine on it today, and lets the builder make every
// day's summary.
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
	m := benchMall()
	t0 := time.Now()
	if !reuse {
		if err := db.Commit(&queue.Batch{Puts: m.puts()}); err != nil {
			b.Fatal(err)
		}
	}
	first := addDay(today, -365)
	tickets := 0
	for d, i := first, 0; d < today && !reuse; d, i = addDay(d, 1), i+1 {
		batch := &queue.Batch{Day: d}
		for _, t := range m.day(d, uint64(i), 5000, wib) {
			batch.Puts = append(batch.Puts, queue.Put{Kind: queue.KindTicket, ID: t.ID, Value: t})
		}
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

// benchMallT is a busy mall: agencies, their services and counters, one
// officer per counter.
type benchMallT struct {
	site     *queue.Site
	agencies []*queue.Agency
	services []*queue.Service
	counters []*queue.Counter
	users    []*queue.User
	weights  []int
	byServ   map[string][]*queue.Counter
}

func benchMall() *benchMallT {
	m := &benchMallT{byServ: map[string][]*queue.Counter{}}
	m.site = queue.DefaultSite()
	m.site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	names := []string{"Dukcapil", "Imigrasi", "Samsat", "BPJS Kesehatan", "BPJS Ketenagakerjaan", "Pajak", "Polres", "BPN", "DPMPTSP", "PDAM"}
	// services per agency, and their weights
	perAgency := []int{3, 2, 2, 2, 2, 2, 1, 2, 1, 1}
	svcN, ctrN := 0, 0
	for i, name := range names {
		a := &queue.Agency{ID: fmt.Sprintf("agc_%02d", i), Code: fmt.Sprintf("AG%d", i), Name: name, ShortName: name}
		m.agencies = append(m.agencies, a)
		var mine []string
		for range perAgency[i] {
			s := queue.DefaultService()
			s.ID, s.AgencyID, s.Code, s.Name = fmt.Sprintf("svc_%02d", svcN), a.ID, string(rune('A'+svcN)), fmt.Sprintf("Layanan %d", svcN)
			s.TargetWaitMin = []int{10, 15, 20, 30}[svcN%4]
			m.services = append(m.services, s)
			m.weights = append(m.weights, 1+svcN%4)
			mine = append(mine, s.ID)
			svcN++
		}
		for k := range 4 {
			c := &queue.Counter{ID: fmt.Sprintf("ctr_%02d", ctrN), AgencyID: a.ID, Name: fmt.Sprintf("Loket %d", ctrN+1), Status: queue.CounterClosed,
				ServiceIDs: []string{mine[k%len(mine)]}}
			if k == 0 {
				c.ServiceIDs = mine
			}
			m.counters = append(m.counters, c)
			for _, s := range c.ServiceIDs {
				m.byServ[s] = append(m.byServ[s], c)
			}
			m.users = append(m.users, &queue.User{ID: fmt.Sprintf("usr_%02d", ctrN), Username: fmt.Sprintf("petugas%02d", ctrN), Role: queue.RoleOfficer, AgencyID: a.ID, PasswordHash: "x"})
			ctrN++
		}
	}
	return m
}

func (m *benchMallT) puts() []queue.Put {
	out := []queue.Put{{Kind: queue.KindSite, ID: "site", Value: m.site}}
	for _, a := range m.agencies {
		out = append(out, queue.Put{Kind: queue.KindAgency, ID: a.ID, Value: a})
	}
	for _, s := range m.services {
		out = append(out, queue.Put{Kind: queue.KindService, ID: s.ID, Value: s})
	}
	for _, c := range m.counters {
		out = append(out, queue.Put{Kind: queue.KindCounter, ID: c.ID, Value: c})
	}
	for _, u := range m.users {
		out = append(out, queue.Put{Kind: queue.KindUser, ID: u.ID, Value: u})
	}
	return out
}

// day makes n finished tickets of a day: arrivals from 07:45 over six
// hours; waits of about 15 minutes (exponential, at most 3 hours),
// service of 2 to 20 minutes; 2 % cancelled, 1 % never called, 8 %
// no-shows (a third of them called back and served), 3 % transferred to
// another service and served there.
func (m *benchMallT) day(day string, seed uint64, n int, loc *time.Location) []*queue.Ticket {
	r := rand.New(rand.NewPCG(seed, 42))
	open, _ := time.ParseInLocation(time.DateTime, day+" 07:45:00", loc)
	arrivals := make([]time.Duration, n)
	for i := range arrivals {
		arrivals[i] = time.Duration(r.Int64N(int64(6*time.Hour/time.Second))) * time.Second
	}
	slices.Sort(arrivals)
	total := 0
	for _, w := range m.weights {
		total += w
	}
	pick := func() *queue.Service {
		x := r.IntN(total)
		for i, w := range m.weights {
			if x -= w; x < 0 {
				return m.services[i]
			}
		}
		return m.services[0]
	}
	mins := func(lo, hi int) time.Duration { return time.Duration(lo*60+r.IntN((hi-lo)*60)) * time.Second }
	wait := func(mean float64) time.Duration {
		return time.Duration(min(-math.Log(1-r.Float64())*mean*60, 3*3600)) * time.Second
	}
	seqs := map[string]int{}
	out := make([]*queue.Ticket, 0, n)
	for i, at := range arrivals {
		svc := pick()
		issued := open.Add(at)
		seqs[svc.Code]++
		t := &queue.Ticket{ID: queue.TicketID(day, i+1), Number: fmt.Sprintf("%s%03d", svc.Code, seqs[svc.Code]), Channel: queue.ChannelKiosk,
			Priority: r.IntN(10) == 0, Day: day, IssuedAt: issued, Key: fmt.Sprintf("k%015d", r.Int64N(1e15)), IssuedServiceID: svc.ID,
			Seq: seqs[svc.Code], Index: i + 1, QueueSeq: i + 1, Calls: 1}
		visit := func(s *queue.Service, queued time.Time) *queue.Visit {
			t.Visits = append(t.Visits, queue.Visit{ServiceID: s.ID, AgencyID: s.AgencyID, QueuedAt: queued})
			return &t.Visits[len(t.Visits)-1]
		}
		call := func(v *queue.Visit, s *queue.Service, at time.Time) {
			c := m.byServ[s.ID][r.IntN(len(m.byServ[s.ID]))]
			v.CalledAt, v.LastCalledAt, v.CounterID, v.OfficerID = &at, &at, c.ID, "usr_"+c.ID[4:]
		}
		end := func(v *queue.Visit, outcome queue.Status, at time.Time) { v.EndedAt, v.Outcome = &at, outcome }
		v := visit(svc, issued)
		now := issued
		switch p := r.IntN(100); {
		case p < 2:
			end(v, queue.Cancelled, now.Add(mins(1, 30)))
			t.Status = queue.Cancelled
		case p < 3:
			end(v, queue.Expired, open.Add(16*time.Hour))
			t.Status = queue.Expired
		default:
			now = now.Add(wait(15))
			call(v, svc, now)
			switch {
			case p < 11:
				now = now.Add(mins(1, 3))
				end(v, queue.NoShow, now)
				t.Status = queue.NoShow
				if r.IntN(3) == 0 {
					back := now.Add(mins(10, 60))
					v.LastCalledAt, v.EndedAt, v.Outcome = &back, nil, ""
					now = back.Add(mins(2, 20))
					end(v, queue.Done, now)
					t.Status = queue.Done
				}
			case p < 14:
				now = now.Add(mins(2, 10))
				end(v, queue.Transferred, now)
				to := m.services[(slices.Index(m.services, svc)+1+r.IntN(len(m.services)-1))%len(m.services)]
				v2 := visit(to, now)
				now = now.Add(wait(10))
				call(v2, to, now)
				now = now.Add(mins(2, 20))
				end(v2, queue.Done, now)
				t.Status = queue.Done
			default:
				now = now.Add(mins(2, 20))
				end(v, queue.Done, now)
				t.Status = queue.Done
			}
		}
		last := t.Visits[len(t.Visits)-1]
		t.ServiceID, t.AgencyID, t.QueuedAt, t.CalledAt, t.CounterID = last.ServiceID, last.AgencyID, last.QueuedAt, last.LastCalledAt, last.CounterID
		if t.Status == queue.Done {
			t.DoneAt = last.EndedAt
		}
		out = append(out, t)
	}
	return out
}
