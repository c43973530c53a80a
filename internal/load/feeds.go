package load

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// feeds opens and tracks the websockets: lobby screens on the public feed
// and phones on their ticket's feed, each from the next source address in
// turn, since the server caps websockets per client address.
type feeds struct {
	base    string // ws://host:port
	sources []net.IP
	next    atomic.Uint64

	closing atomic.Bool
	mu      sync.Mutex
	conns   map[*websocket.Conn]struct{}
	readers sync.WaitGroup

	phonesOpen, phonesPeak, phonesJoined atomic.Int64
}

func newFeeds(base string, sources []net.IP) *feeds {
	return &feeds{base: base, sources: sources, conns: map[*websocket.Conn]struct{}{}}
}

func (f *feeds) dial(ctx context.Context, path string) (*websocket.Conn, error) {
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 256}
	if len(f.sources) > 0 {
		src := f.sources[f.next.Add(1)%uint64(len(f.sources))]
		d.NetDialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			nd := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}}
			return nd.DialContext(ctx, network, addr)
		}
	}
	c, resp, err := d.DialContext(ctx, f.base+path, nil)
	if err != nil {
		if resp != nil {
			body, _ := io.ReadAll(resp.Body)
			a := answer{status: resp.StatusCode, body: body}
			return nil, refused{resp.StatusCode, a.code()}
		}
		return nil, errors.New(transportKind(err))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing.Load() {
		c.Close()
		return nil, context.Canceled
	}
	f.conns[c] = struct{}{}
	return c, nil
}

func (f *feeds) forget(c *websocket.Conn) {
	f.mu.Lock()
	delete(f.conns, c)
	f.mu.Unlock()
	c.Close()
}

// closeAll ends every feed and waits for its reader.
func (f *feeds) closeAll() {
	f.closing.Store(true)
	f.mu.Lock()
	for c := range f.conns {
		c.NetConn().Close()
	}
	f.mu.Unlock()
	f.readers.Wait()
}

// refused is an upgrade the server answered with an HTTP status (429
// over the caps on websockets per address or per ticket).
type refused struct {
	status int
	code   string // the API error code, if the body had one
}

func (e refused) Error() string {
	return strings.TrimSpace(fmt.Sprintf("HTTP %d %s", e.status, e.code))
}

// refusal is the status and error code of a refused upgrade, as --expect
// names them.
func refusal(err error) []string {
	var r refused
	if errors.As(err, &r) {
		return []string{strconv.Itoa(r.status), r.code}
	}
	return nil
}

// watcher keeps what helps to tell why a websocket was lost: its age,
// its last message and the server's last ping.
type watcher struct {
	c                  *websocket.Conn
	opened, last, ping time.Time
	pings              int
}

func watch(c *websocket.Conn) *watcher {
	w := &watcher{c: c, opened: time.Now()}
	// As gorilla's default ping handler: answer with a pong at once.
	c.SetPingHandler(func(data string) error {
		w.ping = time.Now()
		w.pings++
		err := c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(10*time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		return err
	})
	return w
}

func (w *watcher) got() { w.last = time.Now() }

func (w *watcher) lost(err error) string {
	ago := func(t time.Time) string {
		if t.IsZero() {
			return "never"
		}
		return time.Since(t).Round(time.Millisecond).String() + " ago"
	}
	return fmt.Sprintf("lost from %s after %s (last message %s, %d pings, the last %s): %v",
		w.c.LocalAddr(), time.Since(w.opened).Round(time.Millisecond), ago(w.last), w.pings, ago(w.ping), err)
}

var calledType = []byte(`"type":"ticket.called"`)

// seqOf reads the "seq" of a frame without decoding it all.
func seqOf(msg []byte) uint64 {
	i := bytes.Index(msg, []byte(`"seq":`))
	if i < 0 {
		return 0
	}
	var n uint64
	for _, ch := range msg[i+6:] {
		if ch < '0' || ch > '9' {
			break
		}
		n = n*10 + uint64(ch-'0')
	}
	return n
}

// screen is one lobby screen: the public feed from the start to the end,
// resuming with after= if its connection is lost, as the display does.
// ready is closed once it has its snapshot (or gave up).
func (r *run) screen(ctx context.Context, i int, ready chan<- bool) {
	var last uint64
	path := "/api/v1/ws"
	for attempt := 0; ; attempt++ {
		c, err := r.feeds.dial(ctx, path)
		if err == nil {
			if ready != nil {
				c.SetReadDeadline(time.Now().Add(30 * time.Second))
			}
			err = r.readScreen(i, c, &last, &ready)
		} else {
			err = fmt.Errorf("dial: %w", err)
		}
		if r.feeds.closing.Load() || ctx.Err() != nil {
			break
		}
		r.stats.fail("screen", err.Error(), refusal(err)...)
		if attempt >= 5 {
			break
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond) // a real screen's backoff
		if last > 0 {
			path = "/api/v1/ws?after=" + strconv.FormatUint(last, 10)
		}
	}
	if ready != nil {
		ready <- false
	}
}

func (r *run) readScreen(i int, c *websocket.Conn, last *uint64, ready *chan<- bool) error {
	defer r.feeds.forget(c)
	var called struct {
		Data struct {
			Ticket struct {
				ID       string    `json:"id"`
				CalledAt time.Time `json:"called_at"`
			} `json:"ticket"`
		} `json:"data"`
	}
	w := watch(c)
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			if !r.feeds.closing.Load() {
				r.progress("screen %d: %s", i+1, w.lost(err))
			}
			return fmt.Errorf("connection lost (%s)", transportKind(err))
		}
		w.got()
		at := time.Now()
		if s := seqOf(msg[:min(len(msg), 48)]); s > 0 {
			*last = s
		}
		if *ready != nil {
			c.SetReadDeadline(time.Time{})
			r.book.screenUp(i)
			*ready <- true
			*ready = nil
		}
		if !bytes.Contains(msg[:min(len(msg), 80)], calledType) {
			continue
		}
		if err := json.Unmarshal(msg, &called); err != nil {
			r.stats.fail("screen", "undecodable ticket.called frame")
			continue
		}
		r.book.screenSaw(i, called.Data.Ticket.ID, called.Data.Ticket.CalledAt, at)
	}
}

// issued is what a phone needs of an issued ticket.
type issued struct {
	id, key string
}

// phone follows one ticket's own feed from a little after the ticket is
// taken until the ticket is done (or the run ends).
func (r *run) phone(morning context.Context, t issued, scan time.Duration) {
	defer r.dialing.Done()
	if !r.sleep(morning, scan) {
		return
	}
	c, err := r.feeds.dial(r.ctx, "/api/v1/ws?ticket="+url.QueryEscape(t.id)+"&k="+url.QueryEscape(t.key))
	if err != nil {
		if !r.feeds.closing.Load() && r.ctx.Err() == nil {
			r.stats.fail("phone", "dial: "+err.Error(), refusal(err)...)
		}
		return
	}
	r.feeds.readers.Add(1)
	go func() {
		defer r.feeds.readers.Done()
		defer r.feeds.forget(c)
		open := r.feeds.phonesOpen.Add(1)
		defer r.feeds.phonesOpen.Add(-1)
		for {
			peak := r.feeds.phonesPeak.Load()
			if open <= peak || r.feeds.phonesPeak.CompareAndSwap(peak, open) {
				break
			}
		}
		r.feeds.phonesJoined.Add(1)
		if err := r.readPhone(t.id, c); err != nil && !r.feeds.closing.Load() {
			r.stats.fail("phone", err.Error())
		}
	}()
}

// ticketView is what a phone reads of its ticket's messages.
type ticketView struct {
	Status   string     `json:"status"`
	CalledAt *time.Time `json:"called_at"`
}

func (r *run) readPhone(id string, c *websocket.Conn) error {
	var prev *ticketView
	w := watch(c)
	for {
		_, msg, err := c.ReadMessage()
		if err != nil {
			if !r.feeds.closing.Load() {
				r.progress("phone of ticket %s: %s", id, w.lost(err))
			}
			return fmt.Errorf("connection lost (%s)", transportKind(err))
		}
		w.got()
		at := time.Now()
		var m struct {
			Type string     `json:"type"`
			Data ticketView `json:"data"`
		}
		if err := json.Unmarshal(msg, &m); err != nil || m.Type != "ticket" {
			return fmt.Errorf("unexpected message %.60q", msg)
		}
		v := m.Data
		if prev == nil {
			r.book.phoneJoined(id, v.CalledAt, at)
		} else if v.CalledAt != nil && newCall(prev, &v) {
			r.book.phoneSaw(id, *v.CalledAt, at)
		}
		prev = &v
		switch v.Status {
		case "done", "cancelled", "expired":
			return nil // the visitor puts the phone away
		}
	}
}

// newCall tells whether a ticket's view shows a call the previous one did
// not: a new called_at, or back to called from waiting or no_show within
// the same second. A recall keeps its called_at.
func newCall(prev, v *ticketView) bool {
	if prev.CalledAt == nil || v.CalledAt.Unix() != prev.CalledAt.Unix() {
		return true
	}
	return v.Status == "called" && (prev.Status == "waiting" || prev.Status == "no_show")
}
