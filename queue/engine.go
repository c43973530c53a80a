package queue

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mpp-digital/antrean/internal/jsonenc"
)

// Publisher receives events after the transaction holding them committed,
// in seq order, from the engine's committer goroutine. It must not block.
type Publisher interface {
	Publish(events []Event, st *State)
}

// Options configure an engine.
type Options struct {
	// Location is the site's time zone when the store holds no site yet.
	Location *time.Location
	// Clock gives the time for the engine's own commands (the midnight
	// roll, housekeeping); time.Now when nil.
	Clock Clock
	// MaxGroup bounds how many commands share one commit (default 256).
	MaxGroup int
	// GroupWait is how long a group may wait for more commands before its
	// commit, when the last group held at least 8 (a busy engine): it
	// waits until it is as big as the last one or GroupWait has passed.
	// Bigger groups mean fewer commits for the same work. Default 1 ms;
	// negative turns the wait off.
	GroupWait time.Duration
	Logger    *slog.Logger
	// OnCommit, when set, is told after each group's store commit how
	// many commands it held and how long the commit took. It runs on the
	// committer goroutine before the callers are answered and the events
	// go out: it must be quick and must not block (a counter or a
	// histogram, no I/O).
	OnCommit func(commands int, took time.Duration)
}

// Engine is the single writer: one goroutine owns the live state and
// applies commands in groups; a second commits each group in one store
// transaction, then answers the callers and publishes the events.
type Engine struct {
	store    Store
	opts     Options
	state    atomic.Pointer[State]
	reqs     chan *request
	pubMu    sync.Mutex
	pubs     []Publisher
	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
	// failed is closed when a commit failed (cause holds why): the engine
	// has stopped for good, and only a restart tells what the disk holds.
	failed chan struct{}
	cause  error
	log    *slog.Logger
}

// Command is a change the engine can apply. The commands are the exported
// types of this package (IssueTicket, CounterAction, PutService, ...).
type Command interface {
	apply(tx *txn) (any, error)
}

// Request is a command with its time and, optionally, the idempotency
// key of the HTTP request that carried it.
type Request struct {
	Now time.Time
	Cmd Command
	// Idem, when set, makes the request idempotent: a repeat within the
	// record's lifetime answers Reply.Status/Body of the first.
	Idem *Idem
	// Audit, when set, is written to the audit log in the same commit as
	// the change, if the command succeeds (not for a replay).
	Audit *AuditEntry
	// Render turns a successful result into the HTTP answer kept for
	// replays. It runs on the engine's goroutine with the new state, not
	// yet committed, and runs again if a failed commit before it makes the
	// engine apply the request again: it must be quick, deterministic and
	// without side effects. Required with Idem.
	Render func(st *State, v any) (status int, body []byte)
}

// Idem identifies an idempotent request.
type Idem struct {
	Key      string // hash of caller, method, path and Idempotency-Key
	BodyHash string
	TTL      time.Duration
}

// Reply is the engine's answer to a request.
type Reply struct {
	Value any
	// Status and Body are set when the request carried Render: the
	// rendered answer, or the one recorded for an earlier identical request.
	Status   int
	Body     []byte
	Replayed bool
}

type request struct {
	Request
	ctx   context.Context
	reply chan result
}

type result struct {
	Reply
	err error
}

// Open loads the state from the store and starts the engine's goroutine.
func Open(store Store, opts Options) (*Engine, error) {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.MaxGroup <= 0 {
		opts.MaxGroup = 256
	}
	if opts.GroupWait == 0 {
		opts.GroupWait = time.Millisecond
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	ld, err := store.Load()
	if err != nil {
		return nil, fmt.Errorf("queue: loading state: %w", err)
	}
	st, err := stateFromLoaded(ld, opts.Location)
	if err != nil {
		return nil, err
	}
	e := &Engine{
		store:  store,
		opts:   opts,
		reqs:   make(chan *request, 4096),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
		failed: make(chan struct{}),
		log:    opts.Logger,
	}
	e.state.Store(st)
	// Bring the state to today before anyone reads it: a server that was
	// down over midnight expires yesterday's tickets now.
	g := e.newGroup(st)
	g.add(&request{Request: Request{Now: opts.Clock(), Cmd: housekeeping{}}, reply: make(chan result, 1)})
	if err := e.commit(g); err != nil {
		return nil, fmt.Errorf("queue: starting the day: %w", err)
	}
	go e.loop()
	return e, nil
}

// Subscribe adds a publisher; it sees every event committed after this call.
func (e *Engine) Subscribe(p Publisher) {
	e.pubMu.Lock()
	e.pubs = append(e.pubs, p)
	e.pubMu.Unlock()
}

// State returns the latest published snapshot.
func (e *Engine) State() *State { return e.state.Load() }

// Store returns the engine's store, for reads of committed history.
func (e *Engine) Store() Store { return e.store }

// Now returns the engine clock's time.
func (e *Engine) Now() time.Time { return e.opts.Clock() }

// Failed is closed when a commit has failed. The engine then takes no
// more commands: the disk may hold that commit or not (a failed fsync
// proves neither), and only a restart, which loads what the disk holds,
// makes memory and disk agree again. Err tells the cause.
func (e *Engine) Failed() <-chan struct{} { return e.failed }

// Err returns the cause of a failed commit, or nil.
func (e *Engine) Err() error {
	select {
	case <-e.failed:
		return e.cause
	default:
		return nil
	}
}

// Do queues a request and waits until it is committed (or refused). Once
// the engine has stopped, or a commit has failed, it answers the
// unavailable error: the outcome of a request caught in a failed commit
// is unknown until a restart.
func (e *Engine) Do(ctx context.Context, r Request) (Reply, error) {
	if r.Now.IsZero() {
		r.Now = e.opts.Clock()
	}
	req := &request{Request: r, ctx: ctx, reply: make(chan result, 1)}
	select {
	case <-e.done:
		return Reply{}, errStopped
	default:
	}
	select {
	case e.reqs <- req:
	case <-e.stop:
		return Reply{}, errStopped
	case <-e.done:
		return Reply{}, errStopped
	case <-ctx.Done():
		return Reply{}, ctx.Err()
	}
	select {
	case res := <-req.reply:
		return res.Reply, res.err
	case <-e.done:
		// The loop may have answered just before it ended.
		select {
		case res := <-req.reply:
			return res.Reply, res.err
		default:
			return Reply{}, errStopped
		}
	}
}

// Apply is Do without idempotency, for callers that want the value.
func (e *Engine) Apply(ctx context.Context, now time.Time, cmd Command) (any, error) {
	rep, err := e.Do(ctx, Request{Now: now, Cmd: cmd})
	return rep.Value, err
}

// Close stops taking commands, commits those already queued and stops the
// goroutine. It does not close the store.
func (e *Engine) Close() error {
	e.stopOnce.Do(func() { close(e.stop) })
	<-e.done
	return nil
}

// The engine's goroutine applies commands while the committer goroutine
// writes the group before them: a group of commands is applied to the
// state the previous group left (committed or not), and handed to the
// committer when it is free. So the next group fills up and is applied
// while the disk syncs the last one, and nobody sees or is answered with
// a state before it is durable: the committer publishes each state and
// answers each group's callers only after its commit, in order.
//
// A failed commit stops the engine for good (fail-stop). The error of a
// commit does not say that nothing was written: when bbolt's second
// fsync, of the meta page, fails, the commit may be on disk after all
// (bbolt #233). Going on from the memory's state, or from the state
// before the group, would both guess; so the callers of that group, of
// the group applied on top of it and of every later request are answered
// unavailable, and the process restarts (app) and loads what the disk
// holds. A retry with the same Idempotency-Key then finds the answer if
// the commit landed, or is applied afresh if it did not.
func (e *Engine) loop() {
	defer close(e.done)
	timer := time.NewTimer(e.untilHousekeeping())
	defer timer.Stop()
	toCommit := make(chan *group)
	committed := make(chan error)
	go func() {
		for g := range toCommit {
			committed <- e.commit(g)
		}
	}()
	defer close(toCommit)
	var (
		base     = e.state.Load() // what the next group applies to
		open     *group           // applied, not yet handed to the committer
		busy     bool             // a group is being committed
		stopping bool
		stop     = e.stop
		gw       = newGroupWait(e.opts.GroupWait)
	)
	defer gw.timer.Stop()
	for {
		if !busy && open != nil {
			e.fill(open, len(e.reqs))
			if gw.ready(len(open.batch), e.opts.MaxGroup, stopping) {
				toCommit <- open
				base, open, busy = open.tx.st, nil, true
				continue
			}
		}
		if stopping && !busy {
			// Everything queued before the stop is committed.
			select {
			case r := <-e.reqs:
				if open == nil {
					open = e.newGroup(base)
				}
				open.add(r)
				continue
			default:
				return
			}
		}
		reqs := e.reqs
		if open != nil && len(open.batch) >= e.opts.MaxGroup {
			reqs = nil // full: wait for the committer
		}
		select {
		case r := <-reqs:
			if open == nil {
				gw.opening()
				open = e.newGroup(base)
			}
			open.add(r)
		case err := <-committed:
			busy = false
			if err != nil {
				e.cause = err
				close(e.failed)
				if open != nil {
					open.refuse(errUnavailable)
				}
				// Requests still queued, and any that come, meet the closed
				// done channel: they are answered unavailable too.
				return
			}
			if open == nil {
				gw.idle()
			}
		case <-timer.C:
			if open != nil && len(open.batch) >= e.opts.MaxGroup {
				timer.Reset(10 * time.Millisecond) // after this full group
				break
			}
			if open == nil {
				open = e.newGroup(base)
			}
			open.add(&request{Request: Request{Now: e.opts.Clock(), Cmd: housekeeping{}}, reply: make(chan result, 1)})
			timer.Reset(e.untilHousekeeping())
		case <-stop:
			stopping, stop = true, nil
		case <-gw.c:
			gw.c = nil
		}
	}
}

// untilHousekeeping is the wait until the next minute boundary: the roll
// at local midnight and purges of expired sessions ride on it.
func (e *Engine) untilHousekeeping() time.Duration {
	now := e.opts.Clock()
	return now.Truncate(time.Minute).Add(time.Minute).Sub(now) + 10*time.Millisecond
}

// groupWaitAfter is the size of the last group from which the next one
// may wait (Options.GroupWait): below it the engine is not busy, and a
// lone request goes to disk at once.
const groupWaitAfter = 8

// groupWait decides when the open group goes to a free committer: at
// once, unless the engine is busy (the last group held groupWaitAfter or
// more); then when it is as big as the last, or after Options.GroupWait.
type groupWait struct {
	max    time.Duration
	last   int // the size of the last group handed over
	timer  *time.Timer
	c      <-chan time.Time // the timer's channel while a group waits
	waited bool             // the open group has had its wait
	idleAt time.Time        // when the committer went idle with nothing open
}

func newGroupWait(max time.Duration) *groupWait {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &groupWait{max: max, timer: t}
}

// ready reports whether a group of n goes to the committer now; if not,
// the timer runs and the loop asks again when gw.c fires or more arrive.
func (gw *groupWait) ready(n, maxGroup int, stopping bool) bool {
	if !gw.waited && !stopping && gw.max > 0 && gw.last >= groupWaitAfter && n < gw.last && n < maxGroup {
		gw.waited = true
		gw.timer.Reset(gw.max)
		gw.c = gw.timer.C
	}
	if gw.c != nil && n < gw.last && !stopping {
		return false
	}
	if gw.c != nil {
		gw.timer.Stop()
	}
	gw.c, gw.waited, gw.last = nil, false, n
	return true
}

// idle notes that the committer finished with no group open.
func (gw *groupWait) idle() { gw.idleAt = time.Now() }

// opening notes a new group; after a quiet spell it need not wait.
func (gw *groupWait) opening() {
	if !gw.idleAt.IsZero() && time.Since(gw.idleAt) > gw.max {
		gw.last = 0
	}
	gw.idleAt = time.Time{}
}

// group is a batch of requests applied to one working copy of the state.
type group struct {
	base    *State
	tx      *txn
	batch   []*request
	results []result
	b       Batch    // the changes, as far as prepared
	prep    Preparer // the store, when it encodes ahead of Commit
}

func (e *Engine) newGroup(base *State) *group {
	g := &group{base: base, tx: newTxn(base)}
	g.prep, _ = e.store.(Preparer)
	return g
}

// add applies r to the group's working copy and encodes its changes for
// the store. An encoding error is left for Commit to meet again and report.
func (g *group) add(r *request) {
	var res result
	if r.ctx != nil && r.ctx.Err() != nil {
		res.err = r.ctx.Err()
	} else {
		res = g.tx.run(r)
	}
	g.batch = append(g.batch, r)
	g.results = append(g.results, res)
	if g.prep != nil && g.tx.changed() {
		g.b.Puts, g.b.Events = g.tx.puts, g.tx.events
		_ = g.prep.Prepare(&g.b)
	}
}

// fill applies up to n more queued requests, as many as the group takes.
func (e *Engine) fill(g *group, n int) {
	for ; n > 0 && len(g.batch) < e.opts.MaxGroup; n-- {
		select {
		case r := <-e.reqs:
			g.add(r)
		default:
			return
		}
	}
}

// refuse answers every request of the group with err.
func (g *group) refuse(err error) {
	for _, r := range g.batch {
		r.reply <- result{err: err}
	}
}

// batchOf is the group's changes for the store.
func (g *group) batchOf() *Batch {
	tx := g.tx
	tx.putLive()
	g.b.Puts, g.b.Events, g.b.Day = tx.puts, tx.events, ""
	if tx.st.Day != g.base.Day {
		g.b.Day = tx.st.Day
	}
	return &g.b
}

// commit writes the group's changes in one transaction, and only then
// publishes the new state, answers the callers and hands the events to
// the publishers. If the commit fails, every caller is answered
// unavailable: whether the group is on disk is unknown.
func (e *Engine) commit(g *group) error {
	tx := g.tx
	if !tx.changed() {
		for i, r := range g.batch {
			r.reply <- g.results[i]
		}
		return nil
	}
	b := g.batchOf()
	var start time.Time // the commit's latency, not a time of the rules
	if e.opts.OnCommit != nil {
		start = time.Now()
	}
	if err := e.store.Commit(b); err != nil {
		g.refuse(errUnavailable)
		e.log.Error("commit failed: the engine stops; restart to load what the disk holds", "err", err, "commands", len(g.batch))
		return fmt.Errorf("queue: commit: %w", err)
	}
	var took time.Duration
	if e.opts.OnCommit != nil {
		took = time.Since(start)
	}
	next := tx.st
	e.state.Store(next)
	// OnCommit hears of the group before its callers are answered, so a
	// caller that got its answer can count on the group being counted.
	if e.opts.OnCommit != nil {
		e.opts.OnCommit(len(g.batch), took)
	}
	for i, r := range g.batch {
		r.reply <- g.results[i]
	}
	if len(tx.events) > 0 {
		e.pubMu.Lock()
		pubs := slices.Clone(e.pubs)
		e.pubMu.Unlock()
		for _, p := range pubs {
			p.Publish(tx.events, next)
		}
	}
	return nil
}

// txn is a group's working copy of the state and the changes it made.
type txn struct {
	st     *State
	owned  map[string]bool
	shards struct {
		sessions, idem, tickets, rated          [nShards]bool
		bookings, bookingCounts, bookingHolders [nShards]bool
	}
	puts   []Put
	events []Event
	// recentChanged and timesChanged note changes to the recent calls and
	// to services' service times, stored once per group (putLive).
	recentChanged bool
	timesDirty    map[string]bool
	// mark/rollback guard: a command must validate before it writes.
	writes int
}

func newTxn(cur *State) *txn {
	st := *cur
	return &txn{st: &st, owned: map[string]bool{}}
}

func (tx *txn) changed() bool { return len(tx.puts) > 0 || len(tx.events) > 0 }

func (tx *txn) run(r *request) result {
	now := r.Now.Truncate(time.Second)
	if now.Before(tx.st.now) {
		now = tx.st.now // time never runs backwards inside the engine
	}
	// Times are kept to the second, as API.md shows them.
	tx.st.now = now.Truncate(time.Second).In(tx.st.Loc)
	tx.rollIfNewDay()
	tx.expireBookings()
	if r.Idem != nil {
		if rec := tx.st.Idem(r.Idem.Key, tx.st.now); rec != nil {
			if rec.BodyHash != r.Idem.BodyHash {
				return result{err: Errorf(EIdempotencyMismatch, "This Idempotency-Key was used with a different request.", "Idempotency-Key ini sudah dipakai untuk permintaan lain.")}
			}
			return result{Reply: Reply{Status: rec.Status, Body: rec.Body, Replayed: true}}
		}
	}
	before := tx.writes
	v, err := r.Cmd.apply(tx)
	if err != nil {
		if tx.writes != before {
			// A command must refuse before it writes; one that did not is a
			// bug that would leak half a change into the group.
			panic(fmt.Sprintf("queue: %T wrote before failing: %v", r.Cmd, err))
		}
		return result{err: err}
	}
	if r.Audit != nil {
		tx.putAudit(r.Audit, r.Cmd, v)
	}
	res := result{Reply: Reply{Value: v}}
	if r.Render != nil {
		res.Status, res.Body = r.Render(tx.st, v)
		if r.Idem != nil && res.Status < 300 {
			ttl := r.Idem.TTL
			if ttl <= 0 {
				ttl = 10 * time.Minute
			}
			tx.putIdem(&IdemRecord{Key: r.Idem.Key, BodyHash: r.Idem.BodyHash, Status: res.Status, Body: res.Body, Expires: tx.st.now.Add(ttl)})
		}
	}
	return res
}

// mutable returns a map of the working state that this group may change,
// cloning it the first time.
func mutable[V any](tx *txn, name string, m *map[string]V) map[string]V {
	if !tx.owned[name] {
		*m = maps.Clone(*m)
		if *m == nil {
			*m = map[string]V{}
		}
		tx.owned[name] = true
	}
	tx.writes++
	return *m
}

func (tx *txn) put(kind, id string, v any) {
	tx.writes++
	tx.puts = append(tx.puts, Put{Kind: kind, ID: id, Value: v})
}

func (tx *txn) emit(typ string, data any) {
	seq, at := tx.st.Seq+1, tx.st.now
	// The whole record, json.Marshal of the Event, with Data inside it.
	var err error
	rec := make([]byte, 0, 1024)
	rec = append(rec, `{"seq":`...)
	rec = strconv.AppendUint(rec, seq, 10)
	rec = append(rec, `,"type":`...)
	rec = jsonenc.String(rec, typ)
	rec = append(rec, `,"at":`...)
	rec = jsonenc.Time(rec, at, &err)
	rec = append(rec, `,"data":`...)
	start := len(rec)
	if err == nil {
		if ev, ok := data.(*TicketEvent); ok {
			rec, err = ev.AppendJSON(rec)
		} else {
			var raw []byte
			raw, err = json.Marshal(data)
			rec = append(rec, raw...)
		}
	}
	if err != nil {
		panic(fmt.Sprintf("queue: encoding %s event: %v", typ, err))
	}
	raw := rec[start:len(rec):len(rec)] // the '}' below goes past its end
	rec = append(rec, '}')
	tx.writes++
	tx.st.Seq = seq
	tx.events = append(tx.events, Event{Seq: seq, Type: typ, At: at, Data: raw, Record: rec})
}

func (tx *txn) timesChanged(serviceID string) {
	if tx.timesDirty == nil {
		tx.timesDirty = map[string]bool{}
	}
	tx.timesDirty[serviceID] = true
}

// putLive stores what changed of the day's recent calls and service
// times, so that a restart shows the same calls and estimates.
func (tx *txn) putLive() {
	st := tx.st
	if tx.recentChanged {
		tx.put(KindRecentCalls, "recent_calls", &RecentCalls{Day: st.Day, Calls: st.recentCalls})
		tx.recentChanged = false
	}
	for _, id := range slices.Sorted(maps.Keys(tx.timesDirty)) {
		tx.put(KindServiceTimes, id, &ServiceTimes{Day: st.Day, ServiceID: id, Durations: st.serviceTimes[id]})
	}
	tx.timesDirty = nil
}

func (tx *txn) putIdem(r *IdemRecord) {
	tx.st.idem.set(r.Key, r, &tx.shards.idem)
	tx.put(KindIdem, r.Key, r)
}

func (tx *txn) putSession(s *Session) {
	tx.st.sessions.set(s.TokenHash, s, &tx.shards.sessions)
	tx.put(KindSession, s.TokenHash, s)
}

func (tx *txn) delSession(hash string) {
	tx.st.sessions.del(hash, &tx.shards.sessions)
	tx.put(KindSession, hash, nil)
}

// putTicket stores a new version of a ticket and keeps the waiting lists in
// step. Ticket values are never changed in place: callers pass a copy.
func (tx *txn) putTicket(t *Ticket) {
	old, _ := tx.st.tickets.get(t.ID)
	tx.st.tickets.set(t.ID, t, &tx.shards.tickets)
	tx.put(KindTicket, t.ID, t)
	if old != nil && old.Status == Waiting {
		w := mutable(tx, "waiting", &tx.st.waiting)
		fronts := 0
		w[old.ServiceID] = slices.DeleteFunc(slices.Clone(w[old.ServiceID]), func(x *Ticket) bool {
			if x.ID != t.ID {
				return false
			}
			if x.Front() {
				fronts++
			}
			return true
		})
		if fronts > 0 {
			mutable(tx, "frontWaiting", &tx.st.frontWaiting)[old.ServiceID] -= fronts
		}
	}
	if t.Status == Waiting {
		w := mutable(tx, "waiting", &tx.st.waiting)
		if t.Front() {
			mutable(tx, "frontWaiting", &tx.st.frontWaiting)[t.ServiceID]++
		}
		list := w[t.ServiceID]
		// Keep queue-time order; a ticket almost always goes at the end.
		i := len(list)
		for i > 0 && queuedAfter(list[i-1], t) {
			i--
		}
		if i == len(list) {
			w[t.ServiceID] = append(list, t)
		} else {
			w[t.ServiceID] = slices.Insert(slices.Clone(list), i, t)
		}
	}
}

// queuedAfter reports whether a entered its queue after b: by QueueSeq,
// which every entry gets; the times only break ties that cannot happen.
func queuedAfter(a, b *Ticket) bool {
	if a.QueueSeq != b.QueueSeq {
		return a.QueueSeq > b.QueueSeq
	}
	if !a.QueuedAt.Equal(b.QueuedAt) {
		return a.QueuedAt.After(b.QueuedAt)
	}
	return a.Index > b.Index
}

func (tx *txn) putCounter(c *Counter) {
	mutable(tx, "counters", &tx.st.counters)[c.ID] = c
	tx.put(KindCounter, c.ID, c)
}

func (tx *txn) configChanged(what, id string) {
	tx.emit("config.changed", map[string]string{"what": what, "id": id})
}

// stateFromLoaded builds the first State from what the store held.
func stateFromLoaded(ld *Loaded, defLoc *time.Location) (*State, error) {
	st := &State{
		auditSeq:     ld.AuditSeq,
		Seq:          ld.Seq,
		Day:          ld.Day,
		Site:         ld.Site,
		agencies:     map[string]*Agency{},
		services:     map[string]*Service{},
		counters:     map[string]*Counter{},
		users:        map[string]*User{},
		devices:      map[string]*Device{},
		waiting:      map[string][]*Ticket{},
		frontWaiting: map[string]int{},
		numbers:      map[string]int{},
		quotaUsed:    map[string]int{},
		serviceTimes: map[string][]time.Duration{},
	}
	if st.Site == nil {
		st.Site = DefaultSite()
		st.Site.Timezone = defLoc.String()
	}
	loc, err := time.LoadLocation(st.Site.Timezone)
	if err != nil {
		return nil, fmt.Errorf("queue: site time zone %q: %w", st.Site.Timezone, err)
	}
	st.Loc = loc
	if !ld.LastAt.IsZero() {
		st.now = ld.LastAt.In(loc)
	}
	for _, a := range ld.Agencies {
		st.agencies[a.ID] = a
	}
	for _, s := range ld.Services {
		st.services[s.ID] = s
	}
	for _, c := range ld.Counters {
		st.counters[c.ID] = c
	}
	for _, u := range ld.Users {
		st.users[u.ID] = u
	}
	for _, d := range ld.Devices {
		st.devices[d.ID] = d
	}
	var owned [nShards]bool
	for _, s := range ld.Sessions {
		st.sessions.set(s.TokenHash, s, &owned)
	}
	owned = [nShards]bool{}
	for _, r := range ld.Idem {
		st.idem.set(r.Key, r, &owned)
	}
	owned = [nShards]bool{}
	for _, id := range ld.Rated {
		st.rated.set(id, true, &owned)
	}
	owned = [nShards]bool{}
	tickets := slices.Clone(ld.Tickets)
	slices.SortFunc(tickets, func(a, b *Ticket) int { return a.Index - b.Index })
	numberQueueEntries(tickets)
	for _, t := range tickets {
		st.tickets.set(t.ID, t, &owned)
		st.lastIndex = max(st.lastIndex, t.Index)
		st.lastQueueSeq = max(st.lastQueueSeq, t.QueueSeq)
		code := strings.TrimRight(t.Number, "0123456789")
		st.numbers[code] = max(st.numbers[code], t.Seq)
		if t.Status != Cancelled {
			st.quotaUsed[t.IssuedServiceID]++
		}
		if t.Status == Waiting {
			st.waiting[t.ServiceID] = append(st.waiting[t.ServiceID], t)
			if t.Front() {
				st.frontWaiting[t.ServiceID]++
			}
		}
	}
	for _, list := range st.waiting {
		slices.SortFunc(list, func(a, b *Ticket) int { return a.QueueSeq - b.QueueSeq })
	}
	if rc := ld.RecentCalls; rc != nil && rc.Day == ld.Day {
		st.recentCalls = rc.Calls
	}
	for _, t := range ld.ServiceTimes {
		if t.Day == ld.Day && len(t.Durations) > 0 {
			st.serviceTimes[t.ServiceID] = t.Durations
		}
	}
	st.loadBookings(ld)
	st.loadWebhooks(ld)
	st.publishCursors = map[string]uint64{}
	for _, c := range ld.PublishCursors {
		st.publishCursors[c.Name] = c.After
	}
	return st, nil
}

// numberQueueEntries gives tickets stored before queue entries were
// numbered (QueueSeq 0) numbers after the others', in the order of their
// queue times and then issue: the order they had then.
func numberQueueEntries(tickets []*Ticket) {
	var old []*Ticket
	last := 0
	for _, t := range tickets {
		if t.QueueSeq == 0 {
			old = append(old, t)
		}
		last = max(last, t.QueueSeq)
	}
	slices.SortStableFunc(old, func(a, b *Ticket) int { return a.QueuedAt.Compare(b.QueuedAt) })
	for _, t := range old {
		last++
		t.QueueSeq = last
	}
}

// serviceDuration is how long a finished ticket was at the counter.
func serviceDuration(t *Ticket) (time.Duration, bool) {
	if t.Status != Done || t.DoneAt == nil {
		return 0, false
	}
	start := t.ServingAt
	if start == nil {
		start = t.CalledAt
	}
	if start == nil {
		return 0, false
	}
	d := t.DoneAt.Sub(*start)
	return d, d > 0
}

func appendKept[T any](s []T, v T, keep int) []T {
	out := make([]T, 0, min(len(s)+1, keep))
	if len(s)+1 > keep {
		s = s[len(s)+1-keep:]
	}
	out = append(out, s...)
	return append(out, v)
}
