package main

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The baseline is gorilla/websocket's own chat example (examples/chat),
// the broadcast most Go websocket servers start from: a hub goroutine
// owns the set of clients and hands each broadcast message to every
// client's buffered channel (256) without waiting, dropping a client whose
// channel is full; each connection has a write pump goroutine (one
// WriteMessage per message, a deadline, pings) and a read pump goroutine
// (read limit, pong deadline); the upgrader has 1 KiB read and write
// buffers. The one change: the example joins queued messages into one
// frame with newlines, a chat-specific trick that would change what the
// clients receive, so here each message is its own frame, as in Antrean.
// There is no storage, no JSON encoding and no snapshot: a trigger hands
// the hub the frames to send, already encoded.

const (
	blWriteWait  = 10 * time.Second
	blPongWait   = 60 * time.Second
	blPingPeriod = blPongWait * 9 / 10
	blMaxMessage = 512
)

var blUpgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}

type blClient struct {
	hub  *blHub
	conn *websocket.Conn
	send chan []byte
}

type blHub struct {
	clients    map[*blClient]bool
	broadcast  chan []byte
	register   chan *blClient
	unregister chan *blClient
	n          atomic.Int64
}

func newBLHub() *blHub {
	return &blHub{
		clients:    map[*blClient]bool{},
		broadcast:  make(chan []byte),
		register:   make(chan *blClient),
		unregister: make(chan *blClient),
	}
}

func (h *blHub) count() int { return int(h.n.Load()) }

func (h *blHub) run() {
	for {
		select {
		case c := <-h.register:
			h.clients[c] = true
			h.n.Add(1)
		case c := <-h.unregister:
			if _, ok := h.clients[c]; ok {
				delete(h.clients, c)
				close(c.send)
				h.n.Add(-1)
			}
		case m := <-h.broadcast:
			for c := range h.clients {
				select {
				case c.send <- m:
				default:
					close(c.send)
					delete(h.clients, c)
					h.n.Add(-1)
				}
			}
		}
	}
}

func (c *blClient) readPump() {
	defer func() {
		c.hub.unregister <- c
		c.conn.Close()
	}()
	c.conn.SetReadLimit(blMaxMessage)
	c.conn.SetReadDeadline(time.Now().Add(blPongWait))
	c.conn.SetPongHandler(func(string) error { c.conn.SetReadDeadline(time.Now().Add(blPongWait)); return nil })
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
	}
}

func (c *blClient) writePump() {
	ticker := time.NewTicker(blPingPeriod)
	defer func() {
		ticker.Stop()
		c.conn.Close()
	}()
	for {
		select {
		case m, ok := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(blWriteWait))
			if !ok {
				c.conn.WriteMessage(websocket.CloseMessage, []byte{})
				return
			}
			if err := c.conn.WriteMessage(websocket.TextMessage, m); err != nil {
				return
			}
		case <-ticker.C:
			c.conn.SetWriteDeadline(time.Now().Add(blWriteWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

type baseline struct {
	hub *blHub
	ln  net.Listener
}

func (b *baseline) close() { b.ln.Close() }

// startBaseline serves GET /ws and POST /broadcast (a JSON array of
// strings: the frames, sent in order).
func startBaseline(addr string, info *serverInfo) (*baseline, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	b := &baseline{hub: newBLHub(), ln: ln}
	go b.hub.run()
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := blUpgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &blClient{hub: b.hub, conn: conn, send: make(chan []byte, 256)}
		c.hub.register <- c
		go c.writePump()
		go c.readPump()
	})
	mux.HandleFunc("POST /broadcast", func(w http.ResponseWriter, r *http.Request) {
		var frames []string
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &frames); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, f := range frames {
			b.hub.broadcast <- []byte(f)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	go http.Serve(ln, mux)
	info.WS = "ws://" + ln.Addr().String() + "/ws"
	info.Trigger = "http://" + ln.Addr().String() + "/broadcast"
	return b, nil
}
