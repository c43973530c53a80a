package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mpp-digital/antrean/internal/procstat"
)

// clientConfig is one measurement: N clients of one server.
type clientConfig struct {
	Mode    string // antrean: a snapshot comes first
	URL     string // the websocket feed
	Trigger string // POST here to cause a call
	Token   string // bearer token for Trigger (antrean)
	Frames  []string
	N       int
	Sources []net.IP
	// Warmup triggers are sent first and not counted.
	Warmup, Triggers int
	// Gap is the pause between one trigger's last receipt and the next.
	Gap time.Duration
	// Settle is how long the connected clients idle before the RSS is read.
	Settle time.Duration
	// PID and Control, when set, give the server's memory.
	PID     int
	Control string
	// KeepFrames keeps client 0's frames of the last trigger (to give
	// the baseline the same frames).
	KeepFrames bool
}

// result is what one measurement found.
type result struct {
	Mode    string
	N       int
	Connect time.Duration // to open all N
	// RSS of the server: before the clients (after a forced GC), after
	// they idled Settle, and after a forced GC.
	RSSBefore, RSSIdle, RSSGC uint64
	// Before and Stats are the server's own figures before the clients
	// and after the forced GC.
	Before, Stats serverStats
	// Last, Median and First are each measured trigger's call-to-last-,
	// median- and first-client times.
	Last, Median, First []time.Duration
	// Missing counts receipts that never came (lost clients).
	Missing int
	Frames  []string
}

func (r *result) idleKiB() float64 { return perConnKiB(r.RSSIdle, r.RSSBefore, r.N) }
func (r *result) gcKiB() float64   { return perConnKiB(r.RSSGC, r.RSSBefore, r.N) }

func perConnKiB(after, before uint64, n int) float64 {
	return (float64(after) - float64(before)) / 1024 / float64(n)
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 1).
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

type pool struct {
	cfg     clientConfig
	base    time.Time
	conns   []*websocket.Conn
	recv    [][]int64 // [trigger][client]: ns since base, 0 = not yet
	count   []atomic.Int32
	done    []chan struct{}
	closing atomic.Bool
	lost    atomic.Int32
	mu      sync.Mutex
	group   [][]byte // client 0's frames since its last ticket.called
	last    [][]byte // client 0's frames up to its last ticket.called
}

var calledType = []byte(`"type":"ticket.called"`)

func measure(cfg clientConfig) (*result, error) {
	total := cfg.Warmup + cfg.Triggers
	p := &pool{cfg: cfg, base: time.Now(), conns: make([]*websocket.Conn, cfg.N),
		recv: make([][]int64, total), count: make([]atomic.Int32, total), done: make([]chan struct{}, total)}
	for k := range total {
		p.recv[k] = make([]int64, cfg.N)
		p.done[k] = make(chan struct{})
	}
	res := &result{Mode: cfg.Mode, N: cfg.N}
	ctl := &http.Client{Timeout: 30 * time.Second}
	if cfg.Control != "" {
		if err := ctlGet(ctl, cfg.Control+"/gc", nil); err != nil {
			return nil, err
		}
		time.Sleep(500 * time.Millisecond)
		res.RSSBefore = p.rss(ctl)
		if err := ctlGet(ctl, cfg.Control+"/stats", &res.Before); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if err := p.connect(); err != nil {
		p.close()
		return nil, err
	}
	defer p.close()
	res.Connect = time.Since(start)
	if cfg.Control != "" {
		// The server registers a client as it upgrades it; wait until it
		// holds them all.
		deadline := time.Now().Add(30 * time.Second)
		for {
			var st serverStats
			if err := ctlGet(ctl, cfg.Control+"/stats", &st); err != nil {
				return nil, err
			}
			if st.Clients >= cfg.N {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("the server holds %d clients of %d", st.Clients, cfg.N)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(cfg.Settle)
		res.RSSIdle = p.rss(ctl)
		if err := ctlGet(ctl, cfg.Control+"/gc", nil); err != nil {
			return nil, err
		}
		time.Sleep(500 * time.Millisecond)
		res.RSSGC = p.rss(ctl)
		if err := ctlGet(ctl, cfg.Control+"/stats", &res.Stats); err != nil {
			return nil, err
		}
	} else {
		time.Sleep(cfg.Settle)
	}

	trig := &http.Client{Timeout: 30 * time.Second}
	var body []byte
	if cfg.Mode == "baseline" {
		body, _ = json.Marshal(cfg.Frames)
	}
	for k := range total {
		req, _ := http.NewRequest(http.MethodPost, cfg.Trigger, bytes.NewReader(body))
		if cfg.Token != "" {
			req.Header.Set("Authorization", "Bearer "+cfg.Token)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		sent := time.Since(p.base)
		resp, err := trig.Do(req)
		if err != nil {
			return nil, fmt.Errorf("trigger %d: %w", k, err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			return nil, fmt.Errorf("trigger %d: status %d: %s", k, resp.StatusCode, raw)
		}
		select {
		case <-p.done[k]:
		case <-time.After(10 * time.Second):
		}
		if k < cfg.Warmup {
			time.Sleep(cfg.Gap)
			continue
		}
		var got []time.Duration
		for _, t := range p.recv[k] {
			if t == 0 {
				res.Missing++
				continue
			}
			got = append(got, time.Duration(t)-sent)
		}
		if len(got) > 0 {
			slices.Sort(got)
			res.Last = append(res.Last, got[len(got)-1])
			res.Median = append(res.Median, got[len(got)/2])
			res.First = append(res.First, got[0])
		}
		time.Sleep(cfg.Gap)
	}
	if cfg.KeepFrames {
		p.mu.Lock()
		for _, f := range p.last {
			res.Frames = append(res.Frames, string(f))
		}
		p.mu.Unlock()
	}
	return res, nil
}

func (p *pool) rss(ctl *http.Client) uint64 {
	if p.cfg.PID != 0 {
		if v, err := procstat.RSS(p.cfg.PID); err == nil {
			return v
		}
	}
	var st serverStats
	_ = ctlGet(ctl, p.cfg.Control+"/stats", &st)
	return st.RSS
}

func ctlGet(c *http.Client, url string, out any) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

// connect opens the N connections, a few hundred at a time, each from one
// of the source addresses in turn; in antrean mode it reads the snapshot.
func (p *pool) connect() error {
	const parallel = 200
	idx := make(chan int)
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		failed   atomic.Int32
	)
	for range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				if err := p.dial(i); err != nil {
					failed.Add(1)
					errOnce.Do(func() { firstErr = err })
				}
			}
		}()
	}
	for i := range p.cfg.N {
		if failed.Load() > 0 {
			break
		}
		idx <- i
	}
	close(idx)
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("%d connections failed, the first: %w", failed.Load(), firstErr)
	}
	return nil
}

func (p *pool) dial(i int) error {
	src := p.cfg.Sources[i%len(p.cfg.Sources)]
	d := websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		ReadBufferSize:   4096,
		WriteBufferSize:  256,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}}
			return nd.DialContext(ctx, network, addr)
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, resp, err := d.DialContext(ctx, p.cfg.URL, nil)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return fmt.Errorf("client %d from %s: %w", i, src, err)
	}
	if p.cfg.Mode == "antrean" {
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		_, msg, err := c.ReadMessage()
		if err != nil {
			c.Close()
			return fmt.Errorf("client %d: reading the snapshot: %w", i, err)
		}
		if !bytes.HasPrefix(msg, []byte(`{"type":"snapshot"`)) {
			c.Close()
			return fmt.Errorf("client %d: the first message is not a snapshot: %.80s", i, msg)
		}
		c.SetReadDeadline(time.Time{})
	}
	p.conns[i] = c
	go p.read(i, c)
	return nil
}

// read receives frames; the k-th ticket.called frame a client gets is
// its receipt of trigger k.
func (p *pool) read(i int, c *websocket.Conn) {
	buf := make([]byte, 0, 2048)
	k := 0
	for {
		_, r, err := c.NextReader()
		if err != nil {
			if !p.closing.Load() {
				p.lost.Add(1)
			}
			return
		}
		buf = buf[:0]
		for {
			if len(buf) == cap(buf) {
				buf = slices.Grow(buf, len(buf))
			}
			n, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				break
			}
			if err != nil {
				if !p.closing.Load() {
					p.lost.Add(1)
				}
				return
			}
		}
		at := int64(time.Since(p.base))
		called := bytes.Contains(buf[:min(len(buf), 80)], calledType)
		if i == 0 && p.cfg.KeepFrames {
			p.mu.Lock()
			p.group = append(p.group, bytes.Clone(buf))
			if called {
				p.last, p.group = p.group, nil
			}
			p.mu.Unlock()
		}
		if !called {
			continue
		}
		if k < len(p.recv) {
			p.recv[k][i] = at
			if p.count[k].Add(1) == int32(p.cfg.N) {
				close(p.done[k])
			}
		}
		k++
	}
}

func (p *pool) close() {
	p.closing.Store(true)
	for _, c := range p.conns {
		if c != nil {
			c.NetConn().Close()
		}
	}
}

// parseSources reads "127.0.0.1-127.0.0.20" or "127.0.0.1,127.0.0.2".
func parseSources(s string) ([]net.IP, error) {
	var out []net.IP
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a := net.ParseIP(lo).To4()
		if a == nil {
			return nil, fmt.Errorf("source %q is not an IPv4 address", lo)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b := net.ParseIP(hi).To4()
		if b == nil || a[0] != b[0] || a[1] != b[1] || a[2] != b[2] || b[3] < a[3] {
			return nil, fmt.Errorf("source range %q: want A.B.C.x-A.B.C.y", part)
		}
		for x := int(a[3]); x <= int(b[3]); x++ {
			out = append(out, net.IPv4(a[0], a[1], a[2], byte(x)).To4())
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no source addresses")
	}
	return out, nil
}

// defaultFrames stand in for Antrean's frames when the baseline runs
// alone: a ticket.no_show and a ticket.called of about the real size.
func defaultFrames() []string {
	pad := strings.Repeat("x", 600)
	return []string{
		`{"seq":1,"type":"ticket.no_show","at":"2026-01-01T09:00:00+07:00","data":{"pad":"` + pad + `"}}`,
		`{"seq":2,"type":"ticket.called","at":"2026-01-01T09:00:00+07:00","data":{"pad":"` + pad + pad + `"}}`,
	}
}

func clientsMain(args []string) error {
	fs := flag.NewFlagSet("clients", flag.ContinueOnError)
	var cfg clientConfig
	fs.StringVar(&cfg.Mode, "mode", "antrean", "antrean or baseline: what the server is")
	fs.StringVar(&cfg.URL, "url", "", "the websocket feed, e.g. ws://127.0.0.1:8080/api/v1/ws")
	fs.StringVar(&cfg.Trigger, "trigger", "", "POST here to cause a call (the server's info line has it)")
	fs.StringVar(&cfg.Token, "token", "", "bearer token for --trigger")
	fs.IntVar(&cfg.N, "n", 1000, "connections")
	sources := fs.String("sources", "127.0.0.1-127.0.0.20", "source addresses, a range or a list")
	fs.IntVar(&cfg.Warmup, "warmup", 2, "uncounted triggers first")
	fs.IntVar(&cfg.Triggers, "triggers", 30, "measured triggers")
	fs.DurationVar(&cfg.Gap, "gap", 50*time.Millisecond, "pause between triggers")
	fs.DurationVar(&cfg.Settle, "settle", 2*time.Second, "idle time before reading the server's RSS")
	fs.IntVar(&cfg.PID, "pid", 0, "the server's PID, for its RSS")
	fs.StringVar(&cfg.Control, "control", "", "the server's control URL (its info line has it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.URL == "" || cfg.Trigger == "" {
		return errors.New("--url and --trigger are required")
	}
	var err error
	if cfg.Sources, err = parseSources(*sources); err != nil {
		return err
	}
	if cfg.Mode == "baseline" {
		cfg.Frames = defaultFrames()
	}
	res, err := measure(cfg)
	if err != nil {
		return err
	}
	printResult(os.Stdout, res)
	return nil
}

func printResult(w io.Writer, r *result) {
	fmt.Fprintf(w, "%-8s n=%-6d connect=%-8s last p50=%-9s p99=%-9s median-client p50=%-9s first-client p50=%-8s p99=%-8s missing=%d",
		r.Mode, r.N, r.Connect.Round(time.Millisecond), ms(percentile(r.Last, 0.5)), ms(percentile(r.Last, 0.99)),
		ms(percentile(r.Median, 0.5)), ms(percentile(r.First, 0.5)), ms(percentile(r.First, 0.99)), r.Missing)
	if r.RSSBefore != 0 {
		fmt.Fprintf(w, " rss %s→%s (gc %s) KiB/conn idle=%.1f gc=%.1f (heap %.1f stack %.1f) goroutines=%d",
			mib(r.RSSBefore), mib(r.RSSIdle), mib(r.RSSGC), r.idleKiB(), r.gcKiB(),
			perConnKiB(r.Stats.HeapInuse, r.Before.HeapInuse, r.N), perConnKiB(r.Stats.StackInuse, r.Before.StackInuse, r.N), r.Stats.Goroutines)
	}
	fmt.Fprintln(w)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/1e6) }
func mib(b uint64) string       { return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20)) }
