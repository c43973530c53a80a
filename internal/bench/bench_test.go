package bench

// Throughput benchmarks of the foundation issue, all in one run:
//
//	BenchmarkFsync                     raw sync rate of the disk under the data dir
//	BenchmarkIssue/callers=N           durable IssueTicket through the real engine on real bbolt
//	BenchmarkBaselineUpdatePerTicket/callers=N   one bolt.DB.Update per ticket (ticket + event)
//	BenchmarkHTTPIssue                 POST /api/v1/tickets, 64 keep-alive clients
//	BenchmarkHTTPTrivialEcho           the same clients against a trivial echo handler
//
// The data lives on the ordinary disk: in $BENCH_DIR, or else in a hidden
// folder under this package's directory (the test's working directory),
// never in os.TempDir, which is tmpfs on many machines. A data dir on
// tmpfs or ramfs fails the benchmark unless BENCH_ALLOW_TMPFS=1. fsync is
// on everywhere (storage.Options.NoSync and bolt.Options.NoSync stay
// false). See BENCHMARKS.md for the command and the figures.

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	bolt "go.etcd.io/bbolt"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// TestMain runs the benchmarks with the scheduler setting of the antrean
// binary (app.TuneProcs: one P more than CPUs), for every benchmark alike;
// -cpu N or GOMAXPROCS=N measures another.
func TestMain(m *testing.M) {
	app.TuneProcs()
	os.Exit(m.Run())
}

// callerCounts are the concurrent callers of the engine benchmarks; 64 is
// also BenchmarkHTTPIssue's number of clients.
var callerCounts = []int{1, 16, 64, 256}

var logDirOnce sync.Once

// benchDir makes a fresh data folder on the ordinary disk and removes it
// when the benchmark run ends.
func benchDir(b *testing.B) string {
	b.Helper()
	base := os.Getenv("BENCH_DIR")
	if base == "" {
		base = "." // the package directory: go test's working directory
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		b.Fatal(err)
	}
	dir, err := os.MkdirTemp(base, ".antrean-bench-*") // dot: not a Go package
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	fs, inMemory := fsType(dir)
	if inMemory && os.Getenv("BENCH_ALLOW_TMPFS") == "" {
		b.Fatalf("%s is on %s: fsync costs nothing there; set BENCH_DIR to a folder on a real disk (or BENCH_ALLOW_TMPFS=1)", dir, fs)
	}
	logDirOnce.Do(func() {
		abs, _ := filepath.Abs(base)
		load, _ := os.ReadFile("/proc/loadavg") // how busy the (shared) machine was
		fmt.Fprintf(os.Stderr, "bench: data under %s (%s), fsync on; %d CPUs, GOMAXPROCS %d, load %s\n",
			abs, fs, runtime.NumCPU(), runtime.GOMAXPROCS(0), strings.TrimSpace(string(load)))
	})
	return dir
}

// drive runs b.N operations spread over callers goroutines, each calling
// op in a loop, and reports throughput (unit/s) and the p50 and p99
// latency of one call.
func drive(b *testing.B, callers int, unit string, op func(caller int) error) {
	b.Helper()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		lat      = make([][]time.Duration, callers)
	)
	per := b.N/callers + 1
	for g := range callers {
		lat[g] = make([]time.Duration, 0, per)
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuTime()
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := lat[g]
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := op(g); err != nil {
					errOnce.Do(func() { firstErr = err })
					next.Store(int64(b.N)) // stop the others
					break
				}
				mine = append(mine, time.Since(t0))
			}
			lat[g] = mine
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	b.StopTimer()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), unit+"/s")
	b.ReportMetric(ms(percentile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(all, 0.99)), "p99-ms")
	if cpu > 0 {
		// CPU per op, server and clients together: what the op costs the
		// machine, steadier than the rate when others share the CPUs.
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/op")
	}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkFsync measures the raw sync rate of the disk holding the data:
// one 4 KiB write at a rotating offset of a 1 MiB file, then a sync.
// mode=fsync is f.Sync (fsync(2)); mode=fdatasync is what bbolt calls on
// Linux for each commit (twice: data pages, then the meta page).
func BenchmarkFsync(b *testing.B) {
	for _, m := range []struct {
		name string
		sync func(*os.File) error
	}{{"fsync", (*os.File).Sync}, {"fdatasync", dataSync}} {
		b.Run("mode="+m.name, func(b *testing.B) {
			f, err := os.OpenFile(filepath.Join(benchDir(b), "fsync.bin"), os.O_RDWR|os.O_CREATE, 0o600)
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			const block, blocks = 4096, 256
			if _, err := f.Write(make([]byte, block*blocks)); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			buf := bytes.Repeat([]byte{0xA5}, block)
			i := 0
			drive(b, 1, "syncs", func(int) error {
				buf[0] = byte(i)
				if _, err := f.WriteAt(buf, int64(i%blocks)*block); err != nil {
					return err
				}
				i++
				return m.sync(f)
			})
		})
	}
}

// openMall opens the real store and engine in a fresh data folder and
// sets up a site open around the clock every day, one agency and one
// service without a quota. It returns the service's ID.
func openMall(b *testing.B) (*queue.Engine, *countingStore, string) {
	b.Helper()
	db, err := storage.Open(benchDir(b), storage.Options{}) // NoSync false: every commit is fsynced
	if err != nil {
		b.Fatal(err)
	}
	cs := &countingStore{DB: db}
	eng, err := queue.Open(cs, queue.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		db.Close()
		b.Fatal(err)
	}
	b.Cleanup(func() {
		eng.Close()
		db.Close()
	})
	site := queue.DefaultSite()
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	site.Opens, site.Closes = "00:00", "24:00"
	agency := &queue.Agency{ID: "agc_bench", Code: "DKP", Name: "Dinas Kependudukan", ShortName: "Dukcapil"}
	svc := queue.DefaultService()
	svc.ID, svc.AgencyID, svc.Code, svc.Name = "svc_bench", agency.ID, "A", "Perekaman KTP-el"
	svc.DailyQuota = 0 // no quota: numbers simply grow (A1000, A10000, ...)
	ctx := context.Background()
	for _, cmd := range []queue.Command{
		queue.PutSite{Site: site},
		queue.PutAgency{Agency: agency, Create: true},
		queue.PutService{Service: svc, Create: true},
	} {
		if _, err := eng.Apply(ctx, time.Time{}, cmd); err != nil {
			b.Fatalf("%T: %v", cmd, err)
		}
	}
	cs.reset()
	return eng, cs, svc.ID
}

// countingStore is the real store, counting the engine's commits (one
// group, one transaction, one round of fsyncs each) and their time.
type countingStore struct {
	*storage.DB
	commits, events atomic.Int64
	busy            atomic.Int64 // ns inside Commit
}

func (c *countingStore) Commit(b *queue.Batch) error {
	t0 := time.Now()
	err := c.DB.Commit(b)
	c.busy.Add(int64(time.Since(t0)))
	c.commits.Add(1)
	c.events.Add(int64(len(b.Events)))
	return err
}

func (c *countingStore) reset() { c.commits.Store(0); c.events.Store(0); c.busy.Store(0) }

// report adds the mean group size (events per commit: one per ticket) and
// the mean time of one commit.
func (c *countingStore) report(b *testing.B) {
	if n := c.commits.Load(); n > 0 {
		b.ReportMetric(float64(c.events.Load())/float64(n), "tickets/commit")
		b.ReportMetric(ms(time.Duration(c.busy.Load()/n)), "commit-ms")
	}
}

// BenchmarkIssue: each op is one durable IssueTicket through Engine.Apply
// (the call returns after the group holding it is fsynced).
func BenchmarkIssue(b *testing.B) {
	for _, callers := range callerCounts {
		b.Run("callers="+strconv.Itoa(callers), func(b *testing.B) {
			eng, cs, svc := openMall(b)
			ctx := context.Background()
			drive(b, callers, "tickets", func(int) error {
				v, err := eng.Apply(ctx, time.Time{}, queue.IssueTicket{ServiceID: svc, Channel: queue.ChannelKiosk, Key: queue.RandomString(16)})
				if err == nil && v.(*queue.Issued).Ticket == nil {
					err = errors.New("no ticket")
				}
				return err
			})
			cs.report(b)
		})
	}
}

// baseline is the naive design the engine replaces: every ticket is its
// own bbolt write transaction (so its own fsyncs), holding the ticket and
// its event as JSON plus the counters, with the same concurrency.
type baseline struct {
	db  *bolt.DB
	loc *time.Location
}

var (
	bktMeta    = []byte("meta")
	bktTickets = []byte("tickets")
	bktEvents  = []byte("events")
	keyNumber  = []byte("number")
	keyIndex   = []byte("index")
	keySeq     = []byte("seq")
)

func openBaseline(b *testing.B) *baseline {
	b.Helper()
	db, err := bolt.Open(filepath.Join(benchDir(b), "baseline.db"), 0o600, &bolt.Options{Timeout: time.Second}) // NoSync false
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	err = db.Update(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bktMeta, bktTickets, bktEvents} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Jakarta")
	return &baseline{db: db, loc: loc}
}

// baselineTicket is the stored form: the ticket with its hidden fields.
type baselineTicket struct {
	*queue.Ticket
	Key             string `json:"key"`
	IssuedServiceID string `json:"issued_service_id"`
	Seq             int    `json:"seq"`
	Index           int    `json:"index"`
}

func (bl *baseline) issue(serviceID, key string) error {
	now := time.Now().Truncate(time.Second).In(bl.loc)
	day := now.Format(queue.DateLayout)
	return bl.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bktMeta)
		seq, index, evSeq := getU64(meta.Get(keyNumber))+1, getU64(meta.Get(keyIndex))+1, getU64(meta.Get(keySeq))+1
		t := &queue.Ticket{
			ID: queue.TicketID(day, int(index)), Number: fmt.Sprintf("A%03d", seq), ServiceID: serviceID, AgencyID: "agc_bench",
			Status: queue.Waiting, Channel: queue.ChannelKiosk, Day: day, IssuedAt: now, QueuedAt: now,
			Key: key, IssuedServiceID: serviceID, Seq: int(seq), Index: int(index),
		}
		rec, err := json.Marshal(baselineTicket{t, t.Key, t.IssuedServiceID, t.Seq, t.Index})
		if err != nil {
			return err
		}
		data, err := json.Marshal(queue.TicketEvent{
			Ticket:  &queue.PublicTicket{ID: t.ID, Number: t.Number, ServiceID: t.ServiceID, ServiceName: "Perekaman KTP-el", AgencyID: t.AgencyID, AgencyName: "Dukcapil", Status: t.Status, Channel: t.Channel, Day: t.Day, IssuedAt: t.IssuedAt},
			Service: &queue.ServiceRef{ID: serviceID, Code: "A", Name: "Perekaman KTP-el"},
			Agency:  &queue.Ref{ID: "agc_bench", Name: "Dukcapil"},
		})
		if err != nil {
			return err
		}
		ev, err := json.Marshal(queue.Event{Seq: evSeq, Type: "ticket.issued", At: now, Data: data})
		if err != nil {
			return err
		}
		tb, err := tx.Bucket(bktTickets).CreateBucketIfNotExists([]byte(day))
		if err != nil {
			return err
		}
		eb, err := tx.Bucket(bktEvents).CreateBucketIfNotExists([]byte(day))
		if err != nil {
			return err
		}
		return errors.Join(
			tb.Put(u64(index), rec),
			eb.Put(u64(evSeq), ev),
			meta.Put(keyNumber, u64(seq)),
			meta.Put(keyIndex, u64(index)),
			meta.Put(keySeq, u64(evSeq)),
		)
	})
}

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func getU64(v []byte) uint64 {
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// BenchmarkBaselineUpdatePerTicket: each op is one bolt.DB.Update (one
// ticket and its event), with the callers of BenchmarkIssue.
func BenchmarkBaselineUpdatePerTicket(b *testing.B) {
	for _, callers := range callerCounts {
		b.Run("callers="+strconv.Itoa(callers), func(b *testing.B) {
			bl := openBaseline(b)
			drive(b, callers, "tickets", func(int) error {
				return bl.issue("svc_bench", queue.RandomString(16))
			})
		})
	}
}

const httpClients = 64

// httpClient is a client whose transport keeps a keep-alive connection
// for each of the httpClients callers.
func httpClient(b *testing.B) *http.Client {
	tr := &http.Transport{
		MaxIdleConns:        httpClients,
		MaxIdleConnsPerHost: httpClients,
		MaxConnsPerHost:     httpClients,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	b.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// warmUp opens the clients' keep-alive connections before the clock
// starts: httpClients callers send a few requests each at once, so no
// measured request pays for a TCP handshake or a cold server.
func warmUp(b *testing.B, op func() error) {
	b.Helper()
	var (
		wg   sync.WaitGroup
		errs = make(chan error, httpClients)
	)
	for range httpClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				if err := op(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// post sends one JSON POST and reads the whole answer.
func post(client *http.Client, url, token string, body []byte, want int) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		msg, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("POST %s: status %d, want %d: %s", url, resp.StatusCode, want, msg)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// BenchmarkHTTPIssue: each op is POST /api/v1/tickets as a kiosk device
// against a real server (app.Open + Serve on 127.0.0.1:0 through apptest,
// real bbolt with fsync in a data folder on the ordinary disk), from
// httpClients keep-alive clients. apptest turns the per-kiosk issue rate
// limit off (one kiosk here issues thousands of tickets a second).
func BenchmarkHTTPIssue(b *testing.B) {
	srv := apptest.Start(b, apptest.Options{Data: benchDir(b)})
	mall := srv.SetupMall()
	body, _ := json.Marshal(map[string]any{"service_id": mall.ServiceA1.ID, "priority": false})
	client := httpClient(b)
	url, token := srv.URL+"/api/v1/tickets", mall.Tokens["kiosk"]
	warmUp(b, func() error { return post(client, url, token, body, http.StatusCreated) })
	drive(b, httpClients, "req", func(int) error {
		return post(client, url, token, body, http.StatusCreated)
	})
}

// BenchmarkHTTPTrivialEcho is BenchmarkHTTPIssue's ceiling on this machine:
// the same clients and requests against an echo handler that answers a
// small JSON object and touches nothing else.
func BenchmarkHTTPTrivialEcho(b *testing.B) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST("/x", func(c echo.Context) error {
		return c.JSON(http.StatusCreated, map[string]any{"ok": true, "n": 1})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	b.Cleanup(func() { hs.Close() })
	body, _ := json.Marshal(map[string]any{"service_id": "svc_bench", "priority": false})
	client := httpClient(b)
	url := "http://" + ln.Addr().String() + "/x"
	warmUp(b, func() error { return post(client, url, "kiosk-token", body, http.StatusCreated) })
	drive(b, httpClients, "req", func(int) error {
		return post(client, url, "kiosk-token", body, http.StatusCreated)
	})
}
