package display

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mpp-digital/antrean/queue"
)

const (
	writeWait  = 10 * time.Second
	pongWait   = 60 * time.Second
	pingPeriod = pongWait * 9 / 10
	// DefaultMaxReplay is the most missed events replayed (API.md:
	// a public after= older than the last 1,000 events gets a snapshot).
	// Further behind, a snapshot is cheaper, and anyone may ask: a
	// replay costs the server a read and an encoding per event. Staff
	// page through older events with /api/v1/events.
	DefaultMaxReplay = 1000
	// readLimit bounds what a client may send (it sends only pings).
	readLimit = 512
)

// client is one websocket connection. Its write pump is the only goroutine
// that writes to the connection; the read pump only reads.
type client struct {
	hub  *Hub
	conn *websocket.Conn
	// queue holds the public-feed messages not yet sent: bounded by
	// limit, never waited on, and only as large as what waits, so an idle
	// client holds no 256-slot array. wake tells the write pump it has
	// something.
	mu    sync.Mutex
	queue ring
	limit int
	wake  chan struct{}
	// state carries the newest engine state to a ticket feed (size 1,
	// newest wins).
	state    chan *queue.State
	ticketID string
	lastSeq  uint64

	// release gives back the connection's slot (limits.go).
	release func()

	stopOnce  sync.Once
	done      chan struct{}
	closeCode int
	closeText string
}

// offer queues m without waiting; a full queue cuts the client off.
func (c *client) offer(m message) bool {
	c.mu.Lock()
	full := c.queue.n >= c.limit
	if !full {
		c.queue.push(m, c.limit)
	}
	c.mu.Unlock()
	if full {
		c.stop(websocket.CloseTryAgainLater, "too slow; resume with after=")
		// Unblock a write stuck on a client that stopped reading.
		_ = c.conn.NetConn().SetWriteDeadline(time.Now())
		return false
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
	return true
}

// next takes the oldest queued message; while more wait, the wake-up
// stays set.
func (c *client) next() (message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.queue.pop()
	if c.queue.n > 0 {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
	return m, ok
}

// ring is a queue of messages that grows by doubling up to its limit and
// lets a grown array go when it empties.
type ring struct {
	buf     []message
	head, n int
}

func (r *ring) push(m message, limit int) {
	if r.n == len(r.buf) {
		nb := make([]message, min(max(4, 2*len(r.buf)), limit))
		for i := range r.n {
			nb[i] = r.buf[(r.head+i)%len(r.buf)]
		}
		r.buf, r.head = nb, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = m
	r.n++
}

func (r *ring) pop() (message, bool) {
	if r.n == 0 {
		return message{}, false
	}
	m := r.buf[r.head]
	r.buf[r.head] = message{}
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	if r.n == 0 {
		r.head = 0
		if len(r.buf) > 4 {
			r.buf = nil
		}
	}
	return m, true
}

// nudge hands a ticket feed the newest state; an older one not yet seen
// is replaced.
func (c *client) nudge(st *queue.State) {
	select {
	case <-c.state:
	default:
	}
	select {
	case c.state <- st:
	default:
	}
}

func (c *client) stop(code int, text string) {
	c.stopOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.done)
	})
}

// Feed serves the websocket endpoint GET /api/v1/ws.
type Feed struct {
	Hub    *Hub
	Engine *queue.Engine
	// MaxReplay is the most missed events a resuming client is sent;
	// further behind it gets a snapshot (default DefaultMaxReplay).
	MaxReplay uint64
	// PerAddr caps the public-feed connections of one client address
	// (0: DefaultPerAddr; negative: no cap), Max all connections (0:
	// DefaultMax; negative: no cap). Set them before clients connect.
	PerAddr, Max int

	slots slots
}

var writeBufferPool sync.Pool

func upgrader(checkSameOrigin bool) *websocket.Upgrader {
	return &websocket.Upgrader{
		HandshakeTimeout: 10 * time.Second,
		// Clients send only control frames: a small read buffer of its
		// own lets the HTTP server's 4 KiB one go. The write buffer is
		// pooled (events go out as prepared frames without it), so an
		// idle connection holds none.
		ReadBufferSize:  256,
		WriteBufferPool: &writeBufferPool,
		CheckOrigin: func(r *http.Request) bool {
			if !checkSameOrigin {
				return true // the public feed carries only public data
			}
			return sameOrigin(r)
		},
	}
}

var (
	errNoTicket   = queue.NotFound()
	errBadAfter   = queue.Invalid(map[string]string{"after": "a sequence number"})
	errNotUpgrade = queue.Invalid(map[string]string{"Upgrade": "this endpoint speaks websocket only"})
)

// sameOrigin accepts a request without Origin (not a browser) or one whose
// Origin names the host it was sent to.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// Serve upgrades and runs one client: the public feed, or with
// ticket=ID&k=KEY one ticket's feed. addr is the client's address as
// per-address limits count it (httpapi.AddrKey).
func (f *Feed) Serve(w http.ResponseWriter, r *http.Request, addr string) error {
	q := r.URL.Query()
	c := &client{hub: f.Hub, done: make(chan struct{})}
	var first func() error
	if id := q.Get("ticket"); id != "" || q.Has("k") {
		t, _, err := f.Engine.Visitor(id, q.Get("k"))
		if err != nil {
			return err
		}
		if t == nil {
			return errNoTicket
		}
		if !websocket.IsWebSocketUpgrade(r) {
			return errNotUpgrade
		}
		c.ticketID = t.ID
		c.state = make(chan *queue.State, 1)
		var last *queue.PublicTicket
		first = func() error {
			// Re-read after registering: the ticket may have moved since.
			st := f.Engine.State()
			if cur := st.Ticket(t.ID); cur != nil {
				t = cur
			}
			return c.sendTicket(st, t, &last)
		}
		if c.release, err = f.take(w, addr, t.ID); err != nil {
			return err
		}
		conn, err := upgrader(true).Upgrade(w, r, nil)
		if err != nil {
			c.release()
			return nil // the upgrader has answered
		}
		c.conn = conn
		var gone *queue.Ticket // its last version once it left today's state
		return c.run(first, func(st *queue.State) error {
			cur := st.Ticket(c.ticketID)
			if cur == nil {
				// Not (or no longer) a ticket of today: the day rolled and
				// expired it. The store holds that version; read it once.
				if gone == nil {
					var err error
					if gone, err = f.Engine.Store().Ticket(c.ticketID); err != nil || gone == nil {
						return err
					}
				}
				cur = gone
			}
			return c.sendTicket(st, cur, &last)
		})
	}
	if !websocket.IsWebSocketUpgrade(r) {
		// Answer a plain GET as the API does: a JSON error, not text.
		return errNotUpgrade
	}
	after, resume := uint64(0), false
	if a := q.Get("after"); a != "" {
		n, err := strconv.ParseUint(a, 10, 64)
		if err != nil {
			return errBadAfter
		}
		after, resume = n, true
	}
	c.limit = max(1, f.Hub.QueueSize)
	c.wake = make(chan struct{}, 1)
	var err error
	if c.release, err = f.take(w, addr, ""); err != nil {
		return err
	}
	conn, err := upgrader(false).Upgrade(w, r, nil)
	if err != nil {
		c.release()
		return nil
	}
	c.conn = conn
	first = func() error { return f.catchUp(c, after, resume) }
	return c.run(first, nil)
}

// run registers the client before its first message is made (so nothing
// committed in between is missed), sends that message, then hands the
// connection to its own write pump and returns: the HTTP server's
// goroutine ends, with its deep stack and the request's buffers, and an
// idle connection holds only its two small pumps.
func (c *client) run(first func() error, onState func(*queue.State) error) error {
	if !c.hub.add(c) {
		c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down"), time.Now().Add(time.Second))
		c.conn.Close()
		c.release()
		return nil
	}
	go c.readPump()
	// The first message is made on the HTTP server's goroutine, whose
	// stack is deep already; the write pump's stays small.
	if err := first(); err != nil {
		c.conn.Close()
		c.hub.remove(c)
		return nil
	}
	go c.writePump(onState)
	return nil
}

// writePump does every write after the first, until the connection ends.
func (c *client) writePump(onState func(*queue.State) error) {
	defer c.hub.remove(c)
	defer c.conn.Close()
	ping := time.NewTicker(pingPeriod)
	defer ping.Stop()
	for {
		// A stopped client ends now rather than writing what is still
		// queued: a stuck one would hold the shutdown up.
		select {
		case <-c.done:
			c.bye()
			return
		default:
		}
		select {
		case <-c.wake:
			m, ok := c.next()
			if !ok || m.seq <= c.lastSeq {
				continue // already sent by the snapshot or the replay
			}
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WritePreparedMessage(m.pm); err != nil {
				return
			}
			c.lastSeq = m.seq
		case st := <-c.state:
			if err := onState(st); err != nil {
				return
			}
		case <-ping.C:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		case <-c.done:
			c.bye()
			return
		}
	}
}

// bye sends the 1001 close of a shutdown; a client cut off for another
// reason just loses its connection.
func (c *client) bye() {
	if c.closeCode == websocket.CloseGoingAway {
		c.conn.SetWriteDeadline(time.Now().Add(time.Second))
		c.conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(c.closeCode, c.closeText))
	}
}

// readPump reads (and drops) what the client sends, so pongs and close
// frames are seen; a silent client dies after pongWait.
func (c *client) readPump() {
	c.conn.SetReadLimit(readLimit)
	c.conn.SetReadDeadline(time.Now().Add(pongWait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			c.stop(websocket.CloseNormalClosure, "")
			return
		}
	}
}

// Snapshot is the first message of a public feed without a usable after=.
type Snapshot struct {
	Type string       `json:"type"`
	Seq  uint64       `json:"seq"`
	Data *queue.Board `json:"data"`
}

// catchUp sends a snapshot, or exactly the events after `after` when the
// store still holds them all.
func (f *Feed) catchUp(c *client, after uint64, resume bool) error {
	st := f.Engine.State()
	limit := f.MaxReplay
	if limit == 0 {
		limit = DefaultMaxReplay
	}
	if resume && after <= st.Seq && st.Seq-after <= limit {
		first, err := f.Engine.Store().FirstSeq()
		if err == nil && (after+1 >= first || after == st.Seq) {
			return f.replay(c, after)
		}
	}
	b := st.BoardAt(f.Engine.Now())
	raw, err := json.Marshal(Snapshot{Type: "snapshot", Seq: b.Seq, Data: b})
	if err != nil {
		return err
	}
	c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.conn.WriteMessage(websocket.TextMessage, raw); err != nil {
		return err
	}
	c.lastSeq = b.Seq
	return nil
}

// replay writes the public events after `after` from the event log.
func (f *Feed) replay(c *client, after uint64) error {
	c.lastSeq = after
	for {
		evs, err := f.Engine.Store().Events(c.lastSeq, 1000)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		for _, ev := range evs {
			if publicEvent(ev.Type) {
				raw, err := json.Marshal(ev)
				if err != nil {
					return err
				}
				c.conn.SetWriteDeadline(time.Now().Add(writeWait))
				if err := c.conn.WriteMessage(websocket.TextMessage, raw); err != nil {
					return err
				}
			}
			c.lastSeq = ev.Seq
		}
	}
}

// TicketMessage is what a ticket feed sends: the ticket's public view,
// each time it changes.
type TicketMessage struct {
	Type string              `json:"type"`
	Seq  uint64              `json:"seq"`
	Data *queue.PublicTicket `json:"data"`
}

// sendTicket sends the ticket's view when it differs from the last sent.
// It runs for every commit on every ticket feed, most often to find
// nothing changed: the place comes from the hub's cache and the
// comparison needs no encoding.
func (c *client) sendTicket(st *queue.State, t *queue.Ticket, last **queue.PublicTicket) error {
	view := st.PublicIn(t, c.hub.places.of(st, t))
	if *last != nil && samePublic(view, *last) {
		return nil
	}
	*last = view
	raw, err := json.Marshal(TicketMessage{Type: "ticket", Seq: st.Seq, Data: view})
	if err != nil {
		return err
	}
	c.conn.SetWriteDeadline(time.Now().Add(writeWait))
	return c.conn.WriteMessage(websocket.TextMessage, raw)
}

// samePublic reports whether two public views of a ticket say the same.
func samePublic(a, b *queue.PublicTicket) bool {
	return a.ID == b.ID && a.Number == b.Number && a.ServiceID == b.ServiceID && a.ServiceName == b.ServiceName &&
		a.ServiceNameEN == b.ServiceNameEN && a.AgencyID == b.AgencyID && a.AgencyName == b.AgencyName &&
		a.AgencyNameEN == b.AgencyNameEN &&
		a.Status == b.Status && a.Priority == b.Priority && a.Channel == b.Channel && a.Day == b.Day &&
		sameInt(a.Position, b.Position) && sameInt(a.PeopleAhead, b.PeopleAhead) && sameInt(a.EtaMin, b.EtaMin) &&
		a.CounterName == b.CounterName && a.CounterNameEN == b.CounterNameEN && a.Calls == b.Calls && a.IssuedAt.Equal(b.IssuedAt) &&
		sameTime(a.CalledAt, b.CalledAt) && sameTime(a.ServingAt, b.ServingAt) && sameTime(a.DoneAt, b.DoneAt) &&
		slices.Equal(a.Requirements, b.Requirements) &&
		slices.Equal(a.RequirementsEN, b.RequirementsEN) && a.Fee == b.Fee && a.FeeEN == b.FeeEN
}

func sameInt(a, b *int) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func sameTime(a, b *time.Time) bool {
	return a == nil && b == nil || a != nil && b != nil && a.Equal(*b)
}
