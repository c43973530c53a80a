// Package region is `antrean region`: a server that follows many malls'
// event streams on NATS JetStream and serves a live board of all sites
// and the summary and IKM reports across sites (ARCHITECTURE.md,
// "Scale-out"; README, "A region of many malls").
//
// Ingest: every site has its own stream ANTREAN_<site> (package natspub
// names them); the region finds them by their subjects
// (antrean.*.events) and reads each with a durable pull consumer of its
// own name, one goroutine per site handing messages to one writer
// goroutine. The writer applies them in each site's seq order to its
// state (tracks of the open day's tickets, counters, survey tallies;
// agg.go), writes what changed in one transaction per group of messages,
// and only then acknowledges them (AckAll: one acknowledgement per site
// and group). Each site's last applied seq and stream sequence are
// stored with the aggregates in that same transaction, so a message seen
// again — redelivered after a crash between commit and acknowledgement,
// or published twice — is recognised and skipped: every event counts
// once. At start the consumer is made again from the stored stream
// sequence when the server's own position is ahead of it (a region whose
// data was lost, or started late, reads the streams from the start and
// rebuilds everything).
//
// When a site's day ends (day.started, or a ticket of a later day), the
// writer sums the finished day's tracks up into rows (rows.go) and drops
// the tracks; reports read the stored rows of finished days and ask the
// writer for the open days'.
package region

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mpp-digital/antrean/natspub"
)

// Config is a region server's configuration.
type Config struct {
	Conn natspub.Conn
	// Addr is where the HTTP server listens (":8090").
	Addr string
	// Consumer is the durable consumer's name on every site's stream
	// ("antrean-region"); two region servers on the same streams (a
	// province's and the national one) need different names.
	Consumer string
	// TargetWait is the wait within which a wait counts as within target
	// (15 minutes): the sites' per-service targets are not in events.
	TargetWait time.Duration
	// SKMWeight is the IKM weight mode (exact, 0.111 or 0.11), and
	// SKMElements the element names (the nine of PermenPANRB 14/2017).
	SKMWeight   string
	SKMElements []string
	// DiscoverEvery is how often new site streams are looked for (30 s).
	DiscoverEvery time.Duration
	// Batch bounds how many messages one commit applies (4096).
	Batch int
	// SessionTTL is how long a sign-in lasts (12 h); BcryptCost hashes
	// passwords (10; tests lower it); AdminPassword is the first admin's
	// (random, logged once, when empty).
	SessionTTL    time.Duration
	BcryptCost    int
	AdminPassword string
	TLSCert       string
	TLSKey        string
	// Clock is the region's time (time.Now): the board's longest waits
	// and "today" run on it.
	Clock func() time.Time
	// Observe, when set, is called after each commit for every event it
	// applied, in order: tests and benchmarks watch the ingest with it.
	Observe func(site string, seq uint64, stored time.Time)
	Logger  *slog.Logger
}

// Validate fills defaults and checks the configuration.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.Conn.URL) == "" {
		return errors.New("region: the NATS URL (--nats, ANTREAN_NATS_URL) is required")
	}
	if c.Addr == "" {
		c.Addr = ":8090"
	}
	if c.Consumer == "" {
		c.Consumer = "antrean-region"
	}
	if !validName(c.Consumer) {
		return fmt.Errorf("region: consumer name %q: letters, digits, - and _ only", c.Consumer)
	}
	if c.TargetWait <= 0 {
		c.TargetWait = 15 * time.Minute
	}
	switch c.SKMWeight {
	case "":
		c.SKMWeight = "exact"
	case "exact", "0.111", "0.11":
	default:
		return fmt.Errorf("region: SKM weight %q: exact, 0.111 or 0.11", c.SKMWeight)
	}
	if len(c.SKMElements) == 0 {
		c.SKMElements = defaultElements
	}
	if c.DiscoverEvery <= 0 {
		c.DiscoverEvery = 30 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 4096
	}
	if c.SessionTTL <= 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.BcryptCost == 0 {
		c.BcryptCost = 10
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("region: --tls-cert and --tls-key go together")
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Conn.Name == "" {
		c.Conn.Name = "antrean-region-" + c.Consumer
	}
	return nil
}

func validName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

// defaultElements are the nine SKM elements (queue.DefaultSKMElements).
var defaultElements = []string{
	"Persyaratan", "Sistem, mekanisme, dan prosedur", "Waktu penyelesaian", "Biaya/tarif",
	"Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana", "Perilaku pelaksana",
	"Penanganan pengaduan, saran dan masukan", "Sarana dan prasarana",
}

// Region is a running region server.
type Region struct {
	cfg   Config
	store Store
	log   *slog.Logger

	nc      *nats.Conn
	js      jetstream.JetStream
	connErr natspub.ConnErr

	in   chan inMsg
	reqs chan func()
	// failed is closed when a commit failed; failErr says why.
	failed  chan struct{}
	failErr error
	stop    chan struct{}
	done    chan struct{}
	ctx     context.Context
	halt    context.CancelFunc
	wg      sync.WaitGroup
	board   atomic.Pointer[boardSnap]

	// Owned by the writer goroutine.
	sites map[string]*site

	mu        sync.Mutex
	consumers map[string]*siteConsumer
	lastErr   string

	users *users
	srv   *http.Server
	url   string
	errc  chan error

	ikmCache struct {
		sync.Mutex
		at   time.Time
		data map[string]ikmFigure
	}
	closeOnce sync.Once
}

// inMsg is one message of a site's stream.
type inMsg struct {
	site string
	msg  jetstream.Msg
}

// Open loads the region's store and starts following the sites' streams.
// It serves no HTTP until Serve.
func Open(cfg Config, store Store) (*Region, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sites, err := load(store)
	if err != nil {
		return nil, err
	}
	ctx, halt := context.WithCancel(context.Background())
	r := &Region{cfg: cfg, store: store, log: cfg.Logger, sites: sites,
		in: make(chan inMsg, 8192), reqs: make(chan func()), failed: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}),
		ctx: ctx, halt: halt, consumers: map[string]*siteConsumer{}}
	r.users = newUsers(r)
	if err := r.users.firstStart(); err != nil {
		halt()
		return nil, err
	}
	nc, err := cfg.Conn.Connect(
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				r.log.Warn("region: NATS disconnected; reconnecting", "err", err)
			}
		}),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			if r.connErr.Failed(err) {
				r.log.Warn("region: cannot connect to NATS; retrying", "err", natspub.ExplainConnErr(err))
			}
		}),
		nats.ConnectHandler(func(*nats.Conn) { r.connErr.Up() }),
		nats.ReconnectHandler(func(c *nats.Conn) {
			r.connErr.Up()
			r.log.Info("region: NATS reconnected", "server", c.ConnectedUrlRedacted())
		}),
	)
	if err != nil {
		halt()
		return nil, fmt.Errorf("region: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		halt()
		return nil, fmt.Errorf("region: %w", err)
	}
	r.nc, r.js = nc, js
	go r.writer()
	r.wg.Add(1)
	go r.discover()
	return r, nil
}

// Close stops the consumers, lets the writer commit what it holds, and
// stops serving. It does not close the store.
func (r *Region) Close() error {
	r.closeOnce.Do(func() {
		if r.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = r.srv.Shutdown(ctx)
			cancel()
		}
		r.halt()
		r.wg.Wait()
		close(r.stop)
		<-r.done
		r.nc.Close()
	})
	return nil
}

// Failed is closed when a commit failed: the region then stops taking
// messages, and only a restart (which loads what the disk holds) goes on.
func (r *Region) Failed() <-chan struct{} { return r.failed }

// do runs fn on the writer goroutine and waits for it; false once the
// writer has stopped.
func (r *Region) do(fn func()) bool {
	ran := make(chan struct{})
	select {
	case r.reqs <- func() { fn(); close(ran) }:
	case <-r.done:
		return false
	}
	select {
	case <-ran:
		return true
	case <-r.done:
		return false
	}
}

// writer applies the messages of every site in groups: one transaction
// per group, acknowledgements after it, then the board's new snapshot.
func (r *Region) writer() {
	defer close(r.done)
	batch := make([]inMsg, 0, r.cfg.Batch)
	for {
		select {
		case m := <-r.in:
			batch = append(batch[:0], m)
		drain:
			for len(batch) < r.cfg.Batch {
				select {
				case m := <-r.in:
					batch = append(batch, m)
				default:
					break drain
				}
			}
			if r.apply(batch) != nil {
				close(r.failed)
				r.halt()
				return
			}
		case fn := <-r.reqs:
			fn()
		case <-r.stop:
			// The consumers have stopped: what they handed over is applied.
			for {
				select {
				case m := <-r.in:
					if r.apply([]inMsg{m}) != nil {
						close(r.failed)
						return
					}
				default:
					return
				}
			}
		}
	}
}

// applied is one event applied in a group, for Observe.
type applied struct {
	site   string
	seq    uint64
	stored time.Time
}

// apply applies a group of messages and commits them.
func (r *Region) apply(batch []inMsg) error {
	w := newWrites()
	touched := map[string]*site{}
	last := map[string]jetstream.Msg{} // per site, the message to acknowledge
	var obs []applied
	now := r.cfg.Clock()
	for _, m := range batch {
		last[m.site] = m.msg
		md, err := m.msg.Metadata()
		if err != nil {
			r.log.Error("region: a message without metadata", "site", m.site, "err", err)
			continue
		}
		s := r.sites[m.site]
		if s == nil {
			s = newSite(m.site)
			r.sites[m.site] = s
		}
		seq, err := strconv.ParseUint(m.msg.Headers().Get(natspub.HeaderSeq), 10, 64)
		if err != nil || seq == 0 {
			r.log.Error("region: a message without its seq; passed over", "site", m.site, "stream_seq", md.Sequence.Stream)
			continue
		}
		s.Pending = md.NumPending
		if seq <= s.Applied {
			// Seen already: redelivered, or published twice.
			if md.Sequence.Stream > s.StreamSeq {
				s.StreamSeq = md.Sequence.Stream
				touched[s.ID] = s
			}
			continue
		}
		var e event
		if err := json.Unmarshal(m.msg.Data(), &e); err != nil || e.Seq != seq {
			r.log.Error("region: an event that does not decode; passed over", "site", m.site, "seq", seq, "err", err)
			continue
		}
		if seq > s.Applied+1 && s.Applied > 0 {
			r.log.Warn("region: events missing from the stream", "site", m.site, "from", s.Applied+1, "to", seq-1)
			s.Missing += seq - s.Applied - 1
		} else if s.Applied == 0 && seq > 1 {
			s.Missing += seq - 1
		}
		r.applyEvent(s, &e, w)
		s.Applied, s.StreamSeq, s.LastAt, s.AppliedAt = seq, md.Sequence.Stream, e.At, now
		touched[s.ID] = s
		if r.cfg.Observe != nil {
			obs = append(obs, applied{m.site, seq, md.Timestamp})
		}
	}
	for _, s := range touched {
		b, _ := json.Marshal(&s.siteMeta)
		w.put("sites", []byte(s.ID), b)
	}
	if err := r.store.Update(w.apply); err != nil {
		// The aggregates in memory are ahead of the disk: stop taking
		// messages (unacknowledged, they come again) and let the
		// service manager restart the server, which loads the disk.
		r.log.Error("region: commit failed; stopping, restart to load what the disk holds", "err", err)
		r.setErr("commit: " + err.Error())
		r.failErr = err
		return err
	}
	for _, m := range last {
		_ = m.Ack()
	}
	for _, o := range obs {
		r.cfg.Observe(o.site, o.seq, o.stored)
	}
	return nil
}

// writes collects a group's puts in order.
type writes struct{ list []write }

type write struct {
	bucket     string
	key, value []byte
}

func newWrites() *writes { return &writes{} }

func (w *writes) put(bucket string, key, value []byte) {
	w.list = append(w.list, write{bucket, key, value})
}

func (w *writes) apply(put func(bucket string, key, value []byte) error) error {
	for _, x := range w.list {
		if err := put(x.bucket, x.key, x.value); err != nil {
			return err
		}
	}
	return nil
}

// applyEvent applies one event to its site's state, noting the writes.
func (r *Region) applyEvent(s *site, e *event, w *writes) {
	switch {
	case strings.HasPrefix(e.Type, "ticket."):
		var d ticketData
		if err := json.Unmarshal(e.Data, &d); err != nil || d.Ticket.ID == "" {
			r.log.Warn("region: a ticket event that does not decode", "site", s.ID, "seq", e.Seq, "err", err)
			return
		}
		if d.Ticket.Day > s.Day {
			r.newDay(s, d.Ticket.Day, w)
		}
		t := s.tracks[d.Ticket.ID]
		if t == nil && d.Ticket.Day < s.Day {
			return // a ticket of a day already summed up
		}
		t = applyTicket(t, e, &d)
		s.tracks[d.Ticket.ID] = t
		b, _ := json.Marshal(t)
		w.put("tracks", siteKey(s.ID, d.Ticket.ID), b)
		s.dirty = true
		r.noteName(s, "a", d.Agency, w)
		r.noteName(s, "s", d.Service, w)
		r.noteName(s, "c", d.Counter, w)
	case strings.HasPrefix(e.Type, "counter."):
		var d counterData
		if err := json.Unmarshal(e.Data, &d); err != nil || d.Counter.ID == "" {
			return
		}
		c := &counterRec{AgencyID: d.Counter.AgencyID, Name: d.Counter.Name, Status: d.Counter.Status}
		s.counters[d.Counter.ID] = c
		b, _ := json.Marshal(c)
		w.put("counters", siteKey(s.ID, d.Counter.ID), b)
		r.noteName(s, "c", &ref{ID: d.Counter.ID, Name: d.Counter.Name}, w)
	case e.Type == "day.started":
		var d struct {
			Day string `json:"day"`
		}
		if json.Unmarshal(e.Data, &d) == nil && d.Day > s.Day {
			r.newDay(s, d.Day, w)
		}
	case e.Type == "feedback.received":
		var d feedbackData
		if err := json.Unmarshal(e.Data, &d); err != nil || len(d.Scores) == 0 {
			return // from a site before scores were published: nothing to count
		}
		day := e.At.Format("2006-01-02")
		if t := s.tracks[d.TicketID]; t != nil {
			day = t.Day
		}
		tl, ok := s.ikm[day]
		if !ok {
			tl = tallies{}
			if rec, err := r.store.Get("ikm", ikmKey(day, s.ID)); err == nil && rec != nil {
				_ = decodeTallies(rec, func(agency, service string, n uint64, counts, sums []uint64) {
					tl[agency+keySep+service] = &tally{n: n, counts: counts, sums: sums}
				})
			}
			s.ikm[day] = tl
		}
		tl.add(d.AgencyID, d.ServiceID, d.Scores)
		w.put("ikm", ikmKey(day, s.ID), tl.encode())
		r.invalidateIKM()
	}
}

func (r *Region) noteName(s *site, kind string, x *ref, w *writes) {
	if x == nil || x.ID == "" || x.Name == "" {
		return
	}
	k := kind + "/" + x.ID
	if s.names[k] != x.Name {
		s.names[k] = x.Name
		w.put("names", siteKey(s.ID, k), []byte(x.Name))
	}
}

// newDay moves a site to a later business day: the tracks of the days
// before are summed up into their rows and dropped, the counters close
// (the site closes them at its roll too) and the survey tallies of old
// days are let go.
func (r *Region) newDay(s *site, day string, w *writes) {
	byDay := map[string][]string{}
	for id, t := range s.tracks {
		if t.Day < day {
			byDay[t.Day] = append(byDay[t.Day], id)
		}
	}
	for d, ids := range byDay {
		sets := summarize(func(yield func(*track) bool) {
			for _, id := range ids {
				if !yield(s.tracks[id]) {
					return
				}
			}
		}, r.target())
		for g, set := range sets {
			w.put("days", dayKey(g, d, s.ID), set.encode())
		}
		for _, id := range ids {
			delete(s.tracks, id)
			w.put("tracks", siteKey(s.ID, id), nil)
		}
	}
	for d := range s.ikm {
		if d < day {
			delete(s.ikm, d)
		}
	}
	s.Day, s.dirty, s.today = day, true, nil
}

func (r *Region) target() uint32 { return uint32(r.cfg.TargetWait / time.Second) }

// openRows answers the rows of grouping g of the open days within
// from..to of the sites keep admits, from the writer's tracks. A site's
// rows are made again only when its tracks changed since.
func (r *Region) openRows(g byte, from, to string, keep func(string) bool) ([]dayRec, error) {
	var out []dayRec
	ok := r.do(func() {
		for id, s := range r.sites {
			if !keep(id) {
				continue
			}
			if s.dirty || s.today == nil {
				s.today = map[string]map[byte][]byte{}
				byDay := map[string][]*track{}
				for _, t := range s.tracks {
					byDay[t.Day] = append(byDay[t.Day], t)
				}
				for d, ts := range byDay {
					sets := summarize(func(yield func(*track) bool) {
						for _, t := range ts {
							if !yield(t) {
								return
							}
						}
					}, r.target())
					recs := map[byte][]byte{}
					for gg, set := range sets {
						recs[gg] = set.encode()
					}
					s.today[d] = recs
				}
				s.dirty = false
			}
			for d, recs := range s.today {
				if d >= from && d <= to {
					out = append(out, dayRec{site: id, day: d, rec: recs[g]})
				}
			}
		}
	})
	if !ok {
		return nil, errStopped
	}
	return out, nil
}

var errStopped = errors.New("region: stopped")

// dayRec is one stored rowSet of a site's day.
type dayRec struct {
	site, day string
	rec       []byte
}

func (r *Region) setErr(s string) {
	r.mu.Lock()
	r.lastErr = s
	r.mu.Unlock()
}
