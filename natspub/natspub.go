// Package natspub publishes a site's committed events to NATS JetStream,
// for the region server (ARCHITECTURE.md, "Scale-out"; package region).
//
// Subjects and streams: site CODE publishes on antrean.CODE.events into
// its own stream ANTREAN_CODE, which holds that subject only. One stream
// per site keeps each site's history, limits and retention apart, lets
// an operator remove a site whole, and makes the stream's last sequence
// the site's own: every message names the stream sequence it must follow
// (Nats-Expected-Last-Sequence), so the stream refuses a message whose
// predecessor did not land, and it holds each site's events in seq order
// whatever fails in between — a lost connection, a leader election in a
// cluster, a restart. The streams are made by the operator (antrean
// region add-site); a site only publishes.
//
// Not Nats-Expected-Last-Msg-Id: a clustered stream checks that header
// only when it applies the message, after the leader proposed it, and
// nats-server (2.15) takes a mismatch there for a critical write error
// and stops the stream's Raft group on every replica — the stream has no
// leader until the servers restart. A mismatch is what a leader change
// in the middle of a window makes (the old leader's last proposals are
// lost, the next messages reach the new one), so with that header killing
// one node of three stopped the site's stream for good. The leader checks
// Nats-Expected-Last-Sequence before it proposes, and a mismatch is only
// an error answer to the publisher, which syncs and sends again.
//
// Each message is one event exactly as the event log and webhooks carry
// it ({seq, type, at, data}), with headers Nats-Msg-Id "CODE:SEQ" (the
// stream drops a repeat within its duplicate window), Antrean-Seq and
// Antrean-Type.
//
// The Publisher follows the webhooks' pattern: the event log is durable
// already, so its queue is a cursor plus the log. The engine only wakes
// it (Publish notes the newest seq and returns), and one goroutine reads
// the events after the cursor from the store, publishes a window of them
// asynchronously, and moves the cursor over the prefix that the stream
// acknowledged. The cursor is saved through the engine (queue.
// AdvancePublishCursor) at most about once a second. After any failure,
// and at every (re)connection, it asks the stream for the site's last
// message and goes on after it: events the stream holds already are never
// sent again, even when the saved cursor is behind them, so a restart or
// a lost acknowledgement neither loses nor duplicates. A site that cannot
// reach NATS keeps serving; the publisher retries with capped backoff and
// catches up when the link returns.
package natspub

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mpp-digital/antrean/internal/seqwait"
	"github.com/mpp-digital/antrean/queue"
)

// Headers of each message beyond JetStream's own.
const (
	HeaderSeq  = "Antrean-Seq"
	HeaderType = "Antrean-Type"
)

// CursorName is the name of the publisher's cursor in the site's store.
const CursorName = "nats"

var siteIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ValidSiteID reports whether id can name a site: 1–32 of a–z, 0–9, '-'
// and '_', starting with a letter or digit (it is a NATS subject token
// and part of a stream name).
func ValidSiteID(id string) bool { return siteIDRe.MatchString(id) }

// Subject is the subject site publishes its events on.
func Subject(site string) string { return "antrean." + site + ".events" }

// SubjectWildcard matches every site's subject.
const SubjectWildcard = "antrean.*.events"

// StreamName is the name of site's stream.
func StreamName(site string) string { return "ANTREAN_" + site }

// SiteOfSubject returns the site of a subject made by Subject, or "".
func SiteOfSubject(subj string) string {
	s, ok := strings.CutPrefix(subj, "antrean.")
	if !ok {
		return ""
	}
	s, ok = strings.CutSuffix(s, ".events")
	if !ok || !ValidSiteID(s) {
		return ""
	}
	return s
}

// MsgID is the Nats-Msg-Id of site's event seq.
func MsgID(site string, seq uint64) string { return site + ":" + strconv.FormatUint(seq, 10) }

// Conn is how to reach NATS: the servers, and the credentials and TLS
// trust of this client.
type Conn struct {
	// URL is one server or several, comma separated
	// (nats://a:4222,nats://b:4222); tls:// asks for TLS.
	URL string
	// Creds is a NATS credentials file (a user JWT and its nkey seed).
	Creds string
	// CA is a PEM file of the certificate authority of the servers' TLS
	// certificates; with it the connection must use TLS.
	CA string
	// Name names the connection in the servers' monitoring.
	Name string
}

// Options are the nats.Options of c: reconnect for ever with jitter,
// and no reconnect buffer, so that a publication during an outage fails
// at once (the publisher goes back to its cursor) instead of being held
// and sent later out of order.
func (c Conn) Options(extra ...nats.Option) []nats.Option {
	opts := []nats.Option{
		nats.Name(c.Name),
		nats.MaxReconnects(-1),
		nats.RetryOnFailedConnect(true),
		nats.ReconnectWait(time.Second),
		nats.ReconnectJitter(500*time.Millisecond, 2*time.Second),
		nats.ReconnectBufSize(-1),
		nats.Timeout(5 * time.Second),
	}
	if c.Creds != "" {
		opts = append(opts, nats.UserCredentials(c.Creds))
	}
	if c.CA != "" {
		opts = append(opts, nats.RootCAs(c.CA), nats.Secure(&tls.Config{MinVersion: tls.VersionTLS12}))
	}
	return append(opts, extra...)
}

// Connect connects to NATS; with RetryOnFailedConnect it answers at once
// even when no server answers, and keeps trying in the background.
func (c Conn) Connect(extra ...nats.Option) (*nats.Conn, error) {
	return nats.Connect(c.URL, c.Options(extra...)...)
}

// ConnErr keeps why the last attempt to connect to NATS failed, for
// /readyz and the log. A connection made by Conn retries in the
// background for ever (RetryOnFailedConnect), so a failed attempt's
// error reaches no caller: without ConnErr a server whose certificate
// this client does not trust (no --nats-ca, or the wrong one), a server
// that wants a client certificate, a wrong password and a link that is
// down all look alike — "not connected", and nothing in the log.
//
// Wire Failed to nats.ReconnectErrHandler (nats.go calls it for the
// first attempt too, with RetryOnFailedConnect) and Up to the connect
// and reconnect handlers: nats.go calls them all from one goroutine, in
// order, so a success is never overtaken by an older failure.
type ConnErr struct {
	mu     sync.Mutex
	reason string
	// logged holds the reasons already logged since the connection was
	// last up: a server list tried round and round logs each once.
	logged map[string]bool
}

// Failed notes a failed attempt; it reports whether its reason is new
// since the connection was last up (worth a log line).
func (e *ConnErr) Failed(err error) bool {
	if err == nil {
		return false
	}
	r := ExplainConnErr(err)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reason = r
	if e.logged[r] {
		return false
	}
	if e.logged == nil || len(e.logged) >= 16 {
		e.logged = map[string]bool{}
	}
	e.logged[r] = true
	return true
}

// Up notes that the connection is up.
func (e *ConnErr) Up() {
	e.mu.Lock()
	e.reason, e.logged = "", nil
	e.mu.Unlock()
}

// Reason is why nc is not connected: the last failed attempt's error,
// with a hint when it is a matter of certificates; "" while nc is
// connected or before an attempt failed.
func (e *ConnErr) Reason(nc *nats.Conn) string {
	if nc == nil || nc.IsConnected() {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reason
}

// ExplainConnErr is the error of an attempt to connect, with a hint at
// what to look at when it is a matter of certificates: the server's not
// trusted (the CA), naming another host, not valid, or the server
// demanding one of the client.
func ExplainConnErr(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return err.Error() + " (the server's certificate is not signed by the CA of --nats-ca, ANTREAN_NATS_CA; without it only the system's CAs are trusted)"
	case errors.As(err, &host):
		return err.Error() + " (the server's certificate does not name the host of the URL: connect by a name it has)"
	case errors.As(err, &invalid):
		return err.Error() + " (the server's certificate is not valid: expired, not yet valid, or not for a server; is this machine's clock right?)"
	case strings.Contains(err.Error(), "tls: certificate required"):
		// A TLS alert from the server; crypto/tls has no type for it.
		return err.Error() + " (the server demands a client certificate, which antrean does not send: turn verify off in the server's client tls block)"
	}
	return err.Error()
}

// Redacted is the URL without any user or password in it, for logs.
func (c Conn) Redacted() string {
	var out []string
	for _, u := range strings.Split(c.URL, ",") {
		if at := strings.LastIndex(u, "@"); at >= 0 {
			scheme := ""
			if i := strings.Index(u, "://"); i >= 0 && i < at {
				scheme = u[:i+3]
			}
			u = scheme + "***@" + u[at+1:]
		}
		out = append(out, strings.TrimSpace(u))
	}
	return strings.Join(out, ",")
}

// StreamOptions size a site's stream.
type StreamOptions struct {
	// Name is the site's name, kept as the stream's description (the
	// region's board shows it).
	Name string
	// Replicas is 1 on a single server, 3 on a three-node cluster.
	Replicas int
	// MaxAge is how long the stream keeps events (default 400 days: a
	// region server started late, or rebuilt, finds a year of reports).
	MaxAge time.Duration
	// MaxBytes bounds the stream's size (0: no bound beyond the
	// account's).
	MaxBytes int64
}

// DefaultMaxAge is a stream's default retention.
const DefaultMaxAge = 400 * 24 * time.Hour

// StreamConfig is the configuration of site's stream.
func StreamConfig(site string, o StreamOptions) jetstream.StreamConfig {
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultMaxAge
	}
	return jetstream.StreamConfig{
		Name:        StreamName(site),
		Description: o.Name,
		Subjects:    []string{Subject(site)},
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      o.MaxAge,
		MaxBytes:    maxOr(o.MaxBytes),
		MaxMsgs:     -1,
		Storage:     jetstream.FileStorage,
		Replicas:    o.Replicas,
		Duplicates:  10 * time.Minute,
		Compression: jetstream.S2Compression,
		AllowDirect: true,
	}
}

func maxOr(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// EnsureStream makes site's stream, or updates its name and limits.
func EnsureStream(ctx context.Context, js jetstream.JetStream, site string, o StreamOptions) (jetstream.Stream, error) {
	if !ValidSiteID(site) {
		return nil, fmt.Errorf("natspub: %q is not a site ID (1–32 of a-z, 0-9, - and _)", site)
	}
	return js.CreateOrUpdateStream(ctx, StreamConfig(site, o))
}

// Config is a Publisher's configuration.
type Config struct {
	Conn   Conn
	SiteID string
	// Window is how many events may await the stream's acknowledgement
	// at once (256).
	Window int
	// AckTimeout is how long one acknowledgement may take (10 s).
	AckTimeout time.Duration
	// MinBackoff and MaxBackoff bound the waits after a failure (1 s,
	// doubling to 30 s).
	MinBackoff, MaxBackoff time.Duration
	// SaveEvery is how often the cursor is saved while publishing (1 s);
	// it is saved too when the publisher has caught up, and at Close.
	SaveEvery time.Duration
	Logger    *slog.Logger
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if strings.TrimSpace(c.Conn.URL) == "" {
		return errors.New("natspub: the NATS URL is required")
	}
	if !ValidSiteID(c.SiteID) {
		return fmt.Errorf("natspub: the site ID %q is not valid: 1–32 of a-z, 0-9, - and _", c.SiteID)
	}
	if c.Window <= 0 {
		c.Window = 256
	}
	if c.AckTimeout <= 0 {
		c.AckTimeout = 10 * time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 30 * time.Second
	}
	if c.SaveEvery <= 0 {
		c.SaveEvery = time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Conn.Name == "" {
		c.Conn.Name = "antrean-site-" + c.SiteID
	}
	return nil
}

// Status is the publisher's state, for /readyz and /metrics.
type Status struct {
	URL    string `json:"url"`
	SiteID string `json:"site_id"`
	Stream string `json:"stream"`
	// Connected is true while the connection to NATS is up.
	Connected bool `json:"connected"`
	// Cursor is the last seq the stream holds; Latest the last committed.
	Cursor uint64 `json:"cursor"`
	Latest uint64 `json:"latest"`
	// LagEvents is Latest − Cursor; LagSeconds the age of the oldest
	// event not yet published (0 when none).
	LagEvents  uint64 `json:"lag_events"`
	LagSeconds int64  `json:"lag_seconds"`
	// LastError is the last failure, "" once publishing works again;
	// while not connected, why the last attempt to connect failed (an
	// untrusted certificate, a refused password, no answer).
	LastError string `json:"last_error"`
	// PublishedAt is when an event was last acknowledged.
	PublishedAt *time.Time `json:"published_at"`
}

// Publisher publishes the engine's committed events to the site's
// stream. It is a queue.Publisher; Start subscribes it.
type Publisher struct {
	cfg     Config
	eng     *queue.Engine
	store   queue.Store
	log     *slog.Logger
	subject string
	stream  string
	latest  *seqwait.Latest

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	nc      *nats.Conn
	js      jetstream.JetStream
	connErr ConnErr

	mu          sync.Mutex
	cursor      uint64 // the last seq the stream holds
	saved       uint64 // the cursor as last saved through the engine
	savedAt     time.Time
	lastErr     string
	publishedAt time.Time
	// lastSeq is the stream sequence of the stream's last message (the
	// stream's last sequence): the next message names it.
	lastSeq uint64
}

// New makes a publisher of the engine's events; Start starts it.
func New(eng *queue.Engine, cfg Config) (*Publisher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &Publisher{cfg: cfg, eng: eng, store: eng.Store(), log: cfg.Logger.With("nats_site", cfg.SiteID),
		subject: Subject(cfg.SiteID), stream: StreamName(cfg.SiteID), latest: seqwait.New(),
		ctx: ctx, cancel: cancel, done: make(chan struct{})}
	return p, nil
}

// Start connects (in the background when no server answers yet),
// subscribes to the engine and starts publishing.
func (p *Publisher) Start() error {
	nc, err := p.cfg.Conn.Connect(
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				p.log.Warn("nats: disconnected; the site keeps serving and catches up later", "err", err)
			}
		}),
		nats.ReconnectErrHandler(func(_ *nats.Conn, err error) {
			if p.connErr.Failed(err) {
				p.log.Warn("nats: cannot connect; the site keeps serving and catches up later", "err", ExplainConnErr(err))
			}
		}),
		nats.ConnectHandler(func(c *nats.Conn) {
			p.connErr.Up()
			p.log.Info("nats: connected", "server", c.ConnectedUrlRedacted())
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			p.connErr.Up()
			p.log.Info("nats: reconnected", "server", c.ConnectedUrlRedacted())
		}),
	)
	if err != nil {
		return fmt.Errorf("natspub: %w", err)
	}
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(2*p.cfg.Window), jetstream.WithPublishAsyncTimeout(p.cfg.AckTimeout))
	if err != nil {
		nc.Close()
		return fmt.Errorf("natspub: %w", err)
	}
	p.nc, p.js = nc, js
	st := p.eng.State()
	p.cursor = st.PublishCursor(CursorName)
	p.saved = p.cursor
	p.eng.Subscribe(p)
	// After Subscribe: every later commit reaches Publish, and the state
	// read now holds every earlier one.
	p.latest.Set(p.eng.State().Seq)
	go p.run()
	return nil
}

// Publish notes the newest committed seq. It runs on the engine's
// committer goroutine and never blocks.
func (p *Publisher) Publish(events []queue.Event, _ *queue.State) {
	if len(events) > 0 {
		p.latest.Set(events[len(events)-1].Seq)
	}
}

// Close stops publishing, saves the cursor and closes the connection.
// Call it before the engine closes.
func (p *Publisher) Close() {
	p.once.Do(func() {
		p.cancel()
		if p.nc == nil {
			close(p.done)
			return
		}
		<-p.done
		p.save(true)
		p.nc.Close()
	})
}

// Status reports the publisher's state.
func (p *Publisher) Status() Status {
	latest, _ := p.latest.Get()
	p.mu.Lock()
	s := Status{URL: p.cfg.Conn.Redacted(), SiteID: p.cfg.SiteID, Stream: p.stream,
		Cursor: p.cursor, Latest: latest, LastError: p.lastErr}
	if !p.publishedAt.IsZero() {
		t := p.publishedAt
		s.PublishedAt = &t
	}
	p.mu.Unlock()
	s.Connected = p.nc != nil && p.nc.IsConnected()
	if r := p.connErr.Reason(p.nc); r != "" {
		// While it is down, why the connection fails is the news.
		s.LastError = "connecting: " + r
	}
	if latest > s.Cursor {
		s.LagEvents = latest - s.Cursor
		if evs, err := p.store.Events(s.Cursor, 1); err == nil && len(evs) > 0 {
			s.LagSeconds = max(0, int64(p.eng.Now().Sub(evs[0].At)/time.Second))
		}
	}
	return s
}

func (p *Publisher) run() {
	defer close(p.done)
	wait := p.cfg.MinBackoff
	synced := false
	fail := func(what string, err error) bool {
		p.setErr(what, err)
		synced = false
		if !p.sleep(wait) {
			return false
		}
		wait = min(2*wait, p.cfg.MaxBackoff)
		return true
	}
	for p.ctx.Err() == nil {
		if !p.nc.IsConnected() {
			// Reconnecting in the background: wait for it, not for errors.
			if !p.sleep(min(wait, time.Second)) {
				return
			}
			synced = false
			continue
		}
		if !synced {
			if err := p.sync(); err != nil {
				if !fail("finding the stream's last event", err) {
					return
				}
				continue
			}
			synced = true
		}
		p.mu.Lock()
		cursor := p.cursor
		p.mu.Unlock()
		evs, err := p.store.Events(cursor, p.cfg.Window)
		if err != nil {
			if !fail("reading the event log", err) {
				return
			}
			continue
		}
		if len(evs) == 0 {
			p.save(false)
			if !p.waitEvents(cursor + 1) {
				return
			}
			continue
		}
		if first := evs[0].Seq; first > cursor+1 {
			p.log.Warn("nats: events left the site's log before they were published; the region will miss them", "from", cursor+1, "to", first-1)
		}
		if err := p.publish(evs); err != nil {
			if !fail("publishing", err) {
				return
			}
			continue
		}
		wait = p.cfg.MinBackoff
		p.setErr("", nil)
		p.save(false)
	}
}

// sync reads the site's last message in the stream: the publisher goes
// on after it, naming its stream sequence as the next message's expected
// last sequence.
func (p *Publisher) sync() error {
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.AckTimeout)
	defer cancel()
	s, err := p.js.Stream(ctx, p.stream)
	if err != nil {
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("stream %s does not exist: the region's operator adds the site with 'antrean region add-site --site-id %s'", p.stream, p.cfg.SiteID)
		}
		return err
	}
	m, err := s.GetLastMsgForSubject(ctx, p.subject)
	var last uint64
	// A stream emptied by its limits or a purge keeps its last sequence.
	lastSeq := s.CachedInfo().State.LastSeq
	switch {
	case errors.Is(err, jetstream.ErrMsgNotFound):
	case err != nil:
		return err
	default:
		prev := m.Header.Get(nats.MsgIdHdr)
		lastSeq = m.Sequence
		last, err = strconv.ParseUint(m.Header.Get(HeaderSeq), 10, 64)
		if err != nil || prev != MsgID(p.cfg.SiteID, last) {
			return fmt.Errorf("the last message of %s (stream seq %d) is not an event of site %s", p.stream, m.Sequence, p.cfg.SiteID)
		}
	}
	if latest := p.eng.State().Seq; last > latest {
		// Publishing seq ≤ last again would be dropped as duplicates.
		return fmt.Errorf("the stream holds event %d but this site's last event is %d: is another server publishing as site %q, or was this database restored from an older backup? (publishing stops until an operator resolves it)", last, latest, p.cfg.SiteID)
	}
	p.mu.Lock()
	p.lastSeq = lastSeq
	if last > p.cursor {
		p.cursor = last
	}
	p.mu.Unlock()
	return nil
}

// publish sends evs (the events after the cursor, in order) and moves
// the cursor over those the stream acknowledged, in order. The i-th
// message expects the stream's last sequence to be lastSeq+i; a message
// the stream refused or lost (a leader change) makes every later one of
// the window refused too (the stream's last sequence is not the one they
// name), so what it holds stays in order, and the publisher syncs and
// sends again from the stream's last message (a repeat of one that did
// land is dropped by its Nats-Msg-Id and acknowledged as a duplicate).
func (p *Publisher) publish(evs []queue.Event) error {
	p.mu.Lock()
	expect := p.lastSeq
	p.mu.Unlock()
	first := expect
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	var sendErr error
	for _, e := range evs {
		m := nats.NewMsg(p.subject)
		m.Data = e.Record
		if m.Data == nil {
			b, err := json.Marshal(e)
			if err != nil {
				sendErr = fmt.Errorf("encoding event %d: %w", e.Seq, err)
				break
			}
			m.Data = b
		}
		id := MsgID(p.cfg.SiteID, e.Seq)
		m.Header.Set(nats.MsgIdHdr, id)
		m.Header.Set(jetstream.ExpectedLastSeqHeader, strconv.FormatUint(expect, 10))
		m.Header.Set(HeaderSeq, strconv.FormatUint(e.Seq, 10))
		m.Header.Set(HeaderType, e.Type)
		f, err := p.js.PublishMsgAsync(m)
		if err != nil {
			sendErr = err
			break
		}
		futures = append(futures, f)
		expect++
	}
	// Wait for every answer, in order; the cursor moves over the
	// acknowledged prefix.
	var ackErr error
	for i, f := range futures {
		var err error
		select {
		case ack := <-f.Ok():
			if want := first + uint64(i) + 1; ack.Sequence != want {
				// Not where the chain puts it: another publisher, or a
				// repeat of an event the stream holds elsewhere.
				err = fmt.Errorf("the stream stored it at sequence %d, not %d", ack.Sequence, want)
			}
		case err = <-f.Err():
		case <-p.ctx.Done():
			err = p.ctx.Err()
		}
		if err != nil && ackErr == nil {
			ackErr = fmt.Errorf("event %d: %w", evs[i].Seq, err)
		}
		if ackErr == nil {
			p.mu.Lock()
			p.cursor, p.lastSeq, p.publishedAt = evs[i].Seq, first+uint64(i)+1, time.Now()
			p.mu.Unlock()
		}
	}
	return cmpErr(ackErr, sendErr)
}

func cmpErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// save stores the cursor through the engine when it moved and SaveEvery
// has passed since the last save (or always, when final).
func (p *Publisher) save(final bool) {
	p.mu.Lock()
	cursor, saved, savedAt := p.cursor, p.saved, p.savedAt
	p.mu.Unlock()
	if cursor <= saved || (!final && time.Since(savedAt) < p.cfg.SaveEvery) {
		return
	}
	if _, err := p.eng.Apply(context.Background(), time.Time{}, queue.AdvancePublishCursor{Name: CursorName, Seq: cursor}); err != nil {
		// The engine stopped: the stream's last message tells where to
		// go on after the restart.
		p.log.Warn("nats: could not save the cursor", "seq", cursor, "err", err)
		return
	}
	p.mu.Lock()
	p.saved, p.savedAt = cursor, time.Now()
	p.mu.Unlock()
}

// waitEvents waits until seq is committed; while the cursor is not
// saved, at most until its save is due, and saves it. false when the
// publisher stops.
func (p *Publisher) waitEvents(seq uint64) bool {
	p.mu.Lock()
	unsaved, due := p.cursor > p.saved, p.cfg.SaveEvery-time.Since(p.savedAt)
	p.mu.Unlock()
	if !unsaved {
		return p.latest.Wait(seq, p.ctx.Done())
	}
	t := time.NewTimer(max(due, 0))
	defer t.Stop()
	for {
		cur, ch := p.latest.Get()
		if cur >= seq {
			return true
		}
		select {
		case <-ch:
			continue
		case <-t.C:
		case <-p.ctx.Done():
			return false
		}
		break
	}
	p.save(false)
	return p.ctx.Err() == nil
}

func (p *Publisher) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.ctx.Done():
		return false
	}
}

func (p *Publisher) setErr(what string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		p.lastErr = ""
		return
	}
	msg := what + ": " + err.Error()
	if msg != p.lastErr && p.ctx.Err() == nil {
		p.log.Warn("nats: "+what, "err", err)
	}
	p.lastErr = msg
}
