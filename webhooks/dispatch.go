// Package webhooks delivers committed events to the integrators' URLs
// (API.md, "Webhooks") and serves the API that registers them.
//
// A webhook's queue is its cursor plus the event log: the log is durable
// already, so there is nothing else to keep. Each webhook has one worker
// goroutine that reads the events after its cursor from the store
// (queue.Store.Events), skips the types it does not want, and POSTs the
// others one at a time, in seq order, retrying each until a 2xx answer;
// then it moves the cursor past it through the engine (AdvanceWebhook),
// which also records the delivery. The engine only wakes the workers: the
// dispatcher's Publish, on the engine's committer goroutine, notes the
// newest seq and returns, so a slow or dead receiver costs the engine
// nothing but one small command per delivered event.
//
// Guarantees: per webhook, events go out in seq order, each at least once.
// An event goes out again only when its answer was lost (the receiver took
// it but the 2xx did not come back within the time limit), or when the
// server stopped between a 2xx and the commit of the cursor after it.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/mpp-digital/antrean/internal/seqwait"
	"github.com/mpp-digital/antrean/queue"
)

// Options tune a Dispatcher; the zero value is API.md's behaviour.
type Options struct {
	// Timeout is how long one attempt may take: a 2xx answer within it
	// delivers the event (5 s).
	Timeout time.Duration
	// MinBackoff is the wait after the first failed attempt (1 s); each
	// later wait doubles, up to MaxBackoff (30 s).
	MinBackoff, MaxBackoff time.Duration
	// NewTimer makes the timers of the waits between attempts and of each
	// attempt's time limit (time.NewTimer). Tests pass a fake that runs
	// minutes of retries in no time.
	NewTimer func(time.Duration) Timer
	// Client sends the deliveries (default: redirects are not followed,
	// proxies come from the environment).
	Client *http.Client
	Logger *slog.Logger
}

// Timer is the part of time.Timer a Dispatcher uses.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time { return r.t.C }
func (r realTimer) Stop() bool          { return r.t.Stop() }

// pageSize is how many events a worker reads from the store at a time.
const pageSize = 100

// saveSkippedAfter is how far a worker's cursor may run ahead of the
// stored one over events its filter skips before it stores it: a restart
// then reads at most about this many events again to skip them again,
// and a quiet filter costs the engine one command per this many events.
const saveSkippedAfter = 1000

// UserAgent is the User-Agent of every delivery.
const UserAgent = "antrean-webhook/1"

// Dispatcher runs one worker per registered webhook. It is a
// queue.Publisher; Start subscribes it.
type Dispatcher struct {
	eng   *queue.Engine
	store queue.Store
	opts  Options
	log   *slog.Logger

	latest   *seqwait.Latest // the newest committed seq
	changed  chan struct{}   // the set of webhooks may have changed
	progress broadcast       // a delivery's state changed

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	started bool
	workers map[string]*worker
}

// New makes a dispatcher for the engine's webhooks; Start starts it.
func New(eng *queue.Engine, opts Options) *Dispatcher {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.MinBackoff <= 0 {
		opts.MinBackoff = time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.NewTimer == nil {
		opts.NewTimer = func(d time.Duration) Timer { return realTimer{time.NewTimer(d)} }
	}
	if opts.Client == nil {
		opts.Client = &http.Client{
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
			// A redirect is an answer other than 2xx: not delivered.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Dispatcher{
		eng: eng, store: eng.Store(), opts: opts, log: opts.Logger,
		latest:   seqwait.New(),
		changed:  make(chan struct{}, 1),
		progress: broadcast{ch: make(chan struct{})},
		ctx:      ctx, cancel: cancel,
		workers: map[string]*worker{},
	}
}

// Start subscribes to the engine and starts a worker for each webhook.
func (d *Dispatcher) Start() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started || d.ctx.Err() != nil {
		return
	}
	d.started = true
	d.eng.Subscribe(d)
	// After Subscribe: every later commit reaches Publish, and the state
	// holds every earlier one.
	d.latest.Set(d.eng.State().Seq)
	d.wg.Add(1)
	go d.supervise()
}

// Close stops every worker and waits for them. An attempt in flight is
// abandoned (its event goes again after a restart); a delivery whose 2xx
// came is recorded first, so Close must come before the engine's.
func (d *Dispatcher) Close() {
	d.cancel()
	d.wg.Wait()
}

// Publish notes the newest seq for the workers and whether the webhooks
// changed. It runs on the engine's committer goroutine and never blocks.
func (d *Dispatcher) Publish(events []queue.Event, _ *queue.State) {
	if len(events) == 0 {
		return
	}
	if webhooksChanged(events) {
		select {
		case d.changed <- struct{}{}:
		default: // a reconcile is due already
		}
	}
	d.latest.Set(events[len(events)-1].Seq)
}

// webhooksChanged reports whether a webhook was registered or deleted.
func webhooksChanged(events []queue.Event) bool {
	for _, e := range events {
		// config.changed data is {"id":…,"what":…}, encoded by json.Marshal.
		if e.Type == "config.changed" && bytes.Contains(e.Data, []byte(`"what":"webhook"`)) {
			return true
		}
	}
	return false
}

// supervise keeps one worker per registered webhook.
func (d *Dispatcher) supervise() {
	defer d.wg.Done()
	for {
		d.reconcile()
		select {
		case <-d.changed:
		case <-d.ctx.Done():
			return
		}
	}
}

func (d *Dispatcher) reconcile() {
	want := map[string]*queue.Webhook{}
	for _, w := range d.eng.State().Webhooks() {
		want[w.ID] = w
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, wk := range d.workers {
		if want[id] == nil {
			wk.cancel()
			delete(d.workers, id)
		}
	}
	for id, w := range want {
		if d.workers[id] != nil {
			continue
		}
		ctx, cancel := context.WithCancel(d.ctx)
		wk := &worker{d: d, hook: w, cursor: w.After, saved: w.After, ctx: ctx, cancel: cancel,
			log: d.log.With("webhook", w.ID)}
		d.workers[id] = wk
		d.wg.Add(1)
		go wk.run()
	}
}

// Pending returns the delivery the webhook is working on (being sent, or
// waiting to be sent again), or nil.
func (d *Dispatcher) Pending(id string) *queue.WebhookDelivery {
	d.mu.Lock()
	wk := d.workers[id]
	d.mu.Unlock()
	if wk == nil {
		return nil
	}
	wk.mu.Lock()
	defer wk.mu.Unlock()
	if wk.pending == nil {
		return nil
	}
	p := *wk.pending
	return &p
}

// Changes returns a channel that is closed at the next change of a
// delivery: an attempt made or failed, an event delivered. A caller that
// takes the channel before it reads (Pending, the state's deliveries)
// misses no change.
func (d *Dispatcher) Changes() <-chan struct{} { return d.progress.wait() }

// broadcast wakes every waiter at once by closing a channel.
type broadcast struct {
	mu sync.Mutex
	ch chan struct{}
}

func (b *broadcast) wait() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.ch
}

func (b *broadcast) signal() {
	b.mu.Lock()
	close(b.ch)
	b.ch = make(chan struct{})
	b.mu.Unlock()
}

// worker delivers one webhook's events.
type worker struct {
	d    *Dispatcher
	hook *queue.Webhook // as registered: URL, secret and types never change
	// cursor is the last seq done with; saved the last one stored.
	cursor, saved uint64
	ctx           context.Context
	cancel        context.CancelFunc
	log           *slog.Logger

	mu      sync.Mutex
	pending *queue.WebhookDelivery
}

func (w *worker) run() {
	defer w.d.wg.Done()
	readWait := w.d.opts.MinBackoff
	for w.ctx.Err() == nil {
		evs, err := w.d.store.Events(w.cursor, pageSize)
		if err != nil {
			w.log.Error("webhook: reading the event log", "after", w.cursor, "err", err)
			if !w.sleep(readWait) {
				return
			}
			readWait = min(2*readWait, w.d.opts.MaxBackoff)
			continue
		}
		readWait = w.d.opts.MinBackoff
		if len(evs) == 0 {
			if !w.waitFor(w.cursor + 1) {
				return
			}
			continue
		}
		if first := evs[0].Seq; first > w.cursor+1 {
			w.log.Warn("webhook: events were dropped from the log before they were delivered", "from", w.cursor+1, "to", first-1)
		}
		for _, e := range evs {
			if !w.hook.Wants(e.Type) {
				w.cursor = e.Seq
				continue
			}
			if !w.deliver(e) {
				return
			}
		}
		if w.cursor-w.saved >= saveSkippedAfter && !w.advance(w.cursor, nil) {
			return
		}
	}
}

// waitFor waits until seq is committed; false when the worker stops.
func (w *worker) waitFor(seq uint64) bool { return w.d.latest.Wait(seq, w.ctx.Done()) }

// sleep waits d; false when the worker stops first.
func (w *worker) sleep(d time.Duration) bool {
	t := w.d.opts.NewTimer(d)
	select {
	case <-t.C():
		return true
	case <-w.ctx.Done():
		t.Stop()
		return false
	}
}

// deliver sends e until a 2xx answer and records it; false when the
// worker must stop (the webhook was deleted, the dispatcher or the engine
// stopped).
func (w *worker) deliver(e queue.Event) bool {
	body := e.Record // the event log's record: json.Marshal(e)
	if body == nil {
		var err error
		if body, err = json.Marshal(e); err != nil {
			w.log.Error("webhook: encoding an event; it is passed over", "seq", e.Seq, "err", err)
			w.cursor = e.Seq
			return true
		}
	}
	mac := hmac.New(sha256.New, []byte(w.hook.Secret))
	mac.Write(body)
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))

	p := queue.WebhookDelivery{WebhookID: w.hook.ID, Seq: e.Seq, Type: e.Type, Status: queue.DeliveryPending}
	w.setPending(&p)
	defer w.setPending(nil)
	wait := w.d.opts.MinBackoff
	for {
		p.Attempts++
		w.setPending(&p)
		err := w.post(e, body, sig)
		if err == nil {
			break
		}
		if w.ctx.Err() != nil {
			return false
		}
		p.LastError = err.Error()
		w.setPending(&p)
		w.log.Debug("webhook: attempt failed", "seq", e.Seq, "attempt", p.Attempts, "err", err, "retry_in", wait)
		if !w.sleep(wait) {
			return false
		}
		wait = min(2*wait, w.d.opts.MaxBackoff)
	}
	return w.advance(e.Seq, &p)
}

// advance stores the cursor at seq, with the delivery of that event when
// d is not nil. false when the worker must stop.
func (w *worker) advance(seq uint64, d *queue.WebhookDelivery) bool {
	// Not the worker's context: a delivery whose 2xx came is recorded even
	// while the dispatcher stops (Close waits for it; the engine closes
	// after the dispatcher).
	_, err := w.d.eng.Apply(context.Background(), time.Time{}, queue.AdvanceWebhook{ID: w.hook.ID, Seq: seq, Delivery: d})
	switch {
	case err == nil:
		w.cursor, w.saved = seq, seq
		w.d.progress.signal()
		return true
	case queue.ErrorCode(err) == queue.ENotFound:
		// Deleted meanwhile: the supervisor stops this worker anyway.
	default:
		// The engine stopped: this event goes again after the restart.
		w.log.Warn("webhook: could not store the cursor", "seq", seq, "err", err)
	}
	return false
}

func (w *worker) setPending(p *queue.WebhookDelivery) {
	w.mu.Lock()
	if p == nil {
		w.pending = nil
	} else {
		cp := *p
		w.pending = &cp
	}
	w.mu.Unlock()
	w.d.progress.signal()
}

var errTimeout = errors.New("timeout")

// post makes one attempt: nil for a 2xx answer within the time limit.
func (w *worker) post(e queue.Event, body []byte, sig string) error {
	ctx, cancel := context.WithCancelCause(w.ctx)
	defer cancel(nil)
	limit := w.d.opts.NewTimer(w.d.opts.Timeout)
	defer limit.Stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-limit.C():
			cancel(errTimeout)
		case <-done:
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.hook.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", UserAgent)
	h.Set("X-Antrean-Event", e.Type)
	h.Set("X-Antrean-Seq", strconv.FormatUint(e.Seq, 10))
	h.Set("X-Antrean-Signature", sig)
	resp, err := w.d.opts.Client.Do(req)
	if err != nil {
		if errors.Is(context.Cause(ctx), errTimeout) {
			return fmt.Errorf("no answer within %s", w.d.opts.Timeout)
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the method and URL, which the list shows
		}
		return err
	}
	// Read a little of the answer so the connection can be used again.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return nil
}
