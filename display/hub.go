// Package display is the live side of Antrean: the websocket hub that fans
// committed events out to lobby screens, consoles and visitors' phones,
// and the lobby display screen with its voice announcements.
package display

import (
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mpp-digital/antrean/queue"
)

// Hub fans events out to websocket clients. It implements queue.Publisher:
// the engine hands it each committed group, and the hub encodes every
// event once and offers it to each client's bounded queue without
// waiting. A client whose queue is full is cut off; it comes back with
// after= and gets exactly what it missed.
type Hub struct {
	mu      sync.RWMutex
	public  map[*client]struct{}
	tickets map[*client]struct{}
	closed  bool
	log     *slog.Logger
	// QueueSize bounds each client's queue of unsent messages (default
	// 256); set it before clients connect.
	QueueSize int
	wg        sync.WaitGroup
	places    placeCache
}

// placeCache holds, for the newest state, each service's queue worked
// out (queue.Places): every commit wakes every phone following a ticket,
// and each needs its ticket's place and estimate; one walk of a queue
// serves them all instead of a walk each.
type placeCache struct {
	mu sync.Mutex
	st *queue.State
	by map[string]*queue.Places
}

// of returns the worked-out queue of the ticket's service in st, or nil
// when the ticket does not wait today.
func (pc *placeCache) of(st *queue.State, t *queue.Ticket) *queue.Places {
	if t.Status != queue.Waiting || t.Day != st.Day {
		return nil
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.st != st {
		pc.st, pc.by = st, map[string]*queue.Places{}
	}
	p, ok := pc.by[t.ServiceID]
	if !ok {
		p = st.Places(t.ServiceID)
		pc.by[t.ServiceID] = p
	}
	return p
}

// NewHub returns an empty hub.
func NewHub(log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{public: map[*client]struct{}{}, tickets: map[*client]struct{}{}, log: log, QueueSize: 256}
}

// message is one event, encoded once for every client.
type message struct {
	seq uint64
	pm  *websocket.PreparedMessage
}

// publicTypes are the event types of the public feed.
func publicEvent(typ string) bool {
	return strings.HasPrefix(typ, "ticket.") || strings.HasPrefix(typ, "counter.") ||
		typ == "config.changed" || typ == "day.started"
}

// Publish is called by the engine after each committed group, in seq order.
// It never blocks.
func (h *Hub) Publish(events []queue.Event, st *queue.State) {
	if h.Clients() == 0 {
		return // nobody to encode for
	}
	var msgs []message
	for _, ev := range events {
		if !publicEvent(ev.Type) {
			continue
		}
		raw, err := ev.Record, error(nil) // made once by the engine
		if raw == nil {
			raw, err = json.Marshal(ev)
		}
		if err != nil {
			h.log.Error("encoding event", "seq", ev.Seq, "err", err)
			continue
		}
		pm, err := websocket.NewPreparedMessage(websocket.TextMessage, raw)
		if err != nil {
			h.log.Error("preparing event", "seq", ev.Seq, "err", err)
			continue
		}
		msgs = append(msgs, message{seq: ev.Seq, pm: pm})
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed {
		return
	}
	for c := range h.public {
		for _, m := range msgs {
			if !c.offer(m) {
				break
			}
		}
	}
	for c := range h.tickets {
		c.nudge(st)
	}
}

// Clients counts the connected clients (public and ticket feeds).
func (h *Hub) Clients() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.public) + len(h.tickets)
}

// ClientCounts counts the connected clients of the public feed (lobby
// screens, consoles, kiosks, survey tablets) and of the ticket feeds
// (visitors' phones), for the metrics.
func (h *Hub) ClientCounts() (public, tickets int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.public), len(h.tickets)
}

func (h *Hub) add(c *client) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	if c.ticketID != "" {
		h.tickets[c] = struct{}{}
	} else {
		h.public[c] = struct{}{}
	}
	h.wg.Add(1)
	return true
}

func (h *Hub) remove(c *client) {
	h.mu.Lock()
	_, inPublic := h.public[c]
	_, inTickets := h.tickets[c]
	delete(h.public, c)
	delete(h.tickets, c)
	h.mu.Unlock()
	if inPublic || inTickets {
		if c.release != nil {
			c.release()
		}
		h.wg.Done()
	}
}

// Close sends every client a 1001 "going away" close and waits (up to
// the timeout) for their goroutines to end. http.Server.Shutdown does not
// close hijacked connections; this does.
func (h *Hub) Close(timeout time.Duration) {
	h.mu.Lock()
	h.closed = true
	all := make([]*client, 0, len(h.public)+len(h.tickets))
	for c := range h.public {
		all = append(all, c)
	}
	for c := range h.tickets {
		all = append(all, c)
	}
	h.mu.Unlock()
	for _, c := range all {
		c.stop(websocket.CloseGoingAway, "server shutting down")
		// A write stuck on a client that stopped reading ends within a
		// second instead of writeWait.
		_ = c.conn.NetConn().SetWriteDeadline(time.Now().Add(time.Second))
	}
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
		h.log.Warn("websocket clients did not end in time")
	}
}
