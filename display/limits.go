package display

import (
	"net/http"
	"sync"

	"github.com/mpp-digital/antrean/queue"
)

// The caps of the websocket endpoint (API.md, Limits). A connection holds
// a file descriptor and two goroutines for as long as the client likes,
// and asking for one costs a client nothing: without caps one client can
// hold every descriptor the process has, and then nothing else (not even
// /healthz) is answered. A slot is taken before the upgrade and given
// back when the connection ends; beyond a cap the upgrade is refused with
// a JSON error and the socket is never accepted.
const (
	// DefaultPerAddr is how many public-feed connections one client
	// address (httpapi.AddrKey: an IPv4 address, an IPv6 /64) may hold:
	// a mall's LAN behind one router holds its screens and consoles.
	DefaultPerAddr = 256
	// PerTicket is how many feeds one ticket may have, whatever the
	// address: phones on mobile data share carrier addresses, and a
	// visitor needs one page or two.
	PerTicket = 4
	// DefaultMax is how many connections the endpoint holds in all.
	DefaultMax = 20000
)

var (
	errPerAddr   = queue.Errorf(queue.ERateLimited, "Too many live connections from your address.", "Terlalu banyak koneksi langsung dari alamat Anda.")
	errPerTicket = queue.Errorf(queue.ERateLimited, "This ticket has as many live pages open as it may.", "Tiket ini sudah dibuka di terlalu banyak halaman langsung.")
	errFull      = queue.Errorf(queue.EUnavailable, "The server holds as many live connections as it can; try again shortly.", "Server sedang melayani koneksi langsung sebanyak yang ia mampu; coba lagi sebentar lagi.")
)

// retryAfter is what a refused upgrade tells the client: a slot frees
// when someone leaves, which takes a while.
const retryAfter = "30"

// slots counts the connections held, per address, per ticket and in all.
type slots struct {
	mu       sync.Mutex
	total    int
	byAddr   map[string]int
	byTicket map[string]int
}

// take reserves a slot for a connection of the public feed (ticket "")
// from addr, or of a ticket's feed, and returns what gives it back; or
// the error that refuses the upgrade.
func (f *Feed) take(w http.ResponseWriter, addr, ticket string) (func(), error) {
	perAddr, max := f.PerAddr, f.Max
	if perAddr == 0 {
		perAddr = DefaultPerAddr
	}
	if max == 0 {
		max = DefaultMax
	}
	s := &f.slots
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	switch {
	case ticket != "" && s.byTicket[ticket] >= PerTicket:
		err = errPerTicket
	case ticket == "" && perAddr > 0 && s.byAddr[addr] >= perAddr:
		err = errPerAddr
	case max > 0 && s.total >= max:
		err = errFull
	}
	if err != nil {
		w.Header().Set("Retry-After", retryAfter)
		return nil, err
	}
	if s.byAddr == nil {
		s.byAddr, s.byTicket = map[string]int{}, map[string]int{}
	}
	s.total++
	if ticket != "" {
		s.byTicket[ticket]++
	} else {
		s.byAddr[addr]++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.total--
			if ticket != "" {
				if s.byTicket[ticket]--; s.byTicket[ticket] <= 0 {
					delete(s.byTicket, ticket)
				}
			} else if s.byAddr[addr]--; s.byAddr[addr] <= 0 {
				delete(s.byAddr, addr)
			}
		})
	}, nil
}

// Held counts the connections holding a slot: all, from addr's public
// feeds, and of ticket's feed.
func (f *Feed) Held(addr, ticket string) (total, fromAddr, ofTicket int) {
	s := &f.slots
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total, s.byAddr[addr], s.byTicket[ticket]
}
