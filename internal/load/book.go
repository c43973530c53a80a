package load

import (
	"sync"
	"time"
)

// callBook matches each call an officer made with the ticket.called frame
// of every lobby screen and the message of that ticket's phone that shows
// it. A call is known by its ticket, the second of its called_at (the API
// gives times to the second) and, for the rare second with two calls of
// one ticket (a no-show called back at once), its rank in that second:
// each side counts its own, and as every side sees every call of a ticket
// in order, the n-th on one side is the n-th on the other.
type callBook struct {
	mu      sync.Mutex
	calls   map[callKey]*callRec
	made    map[ticketAt]int      // calls answered, per ticket and second
	seen    []map[ticketAt]int    // frames per screen, per ticket and second
	phones  map[string]*phoneView // by ticket ID
	up      []bool                // screens that connected at the start
	changed chan struct{}         // a receipt came (capacity 1: a nudge)
}

type ticketAt struct {
	id string
	at int64 // unix second of called_at
}

type callKey struct {
	ticketAt
	n int
}

type callRec struct {
	pressed  time.Time   // when the officer's request went out
	answered time.Time   // when the officer had the answer; zero: not (yet)
	screens  []time.Time // receipt per screen; zero: none
	phone    time.Time
}

// phoneView is what the book knows of one ticket's phone.
type phoneView struct {
	joined   time.Time // its first message
	baseline ticketAt  // the call its first message already showed, if any
	seen     map[ticketAt]int
}

func newCallBook(screens int) *callBook {
	b := &callBook{calls: map[callKey]*callRec{}, made: map[ticketAt]int{}, phones: map[string]*phoneView{},
		seen: make([]map[ticketAt]int, screens), up: make([]bool, screens), changed: make(chan struct{}, 1)}
	for i := range b.seen {
		b.seen[i] = map[ticketAt]int{}
	}
	return b
}

func (b *callBook) rec(k callKey) *callRec {
	c := b.calls[k]
	if c == nil {
		c = &callRec{screens: make([]time.Time, len(b.seen))}
		b.calls[k] = c
	}
	return c
}

func (b *callBook) nudge() {
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// answered records an officer's call: pressed when the request went out,
// at when the answer was read.
func (b *callBook) answered(id string, calledAt time.Time, pressed, at time.Time) {
	ta := ticketAt{id, calledAt.Unix()}
	b.mu.Lock()
	b.made[ta]++
	c := b.rec(callKey{ta, b.made[ta]})
	c.pressed, c.answered = pressed, at
	b.mu.Unlock()
	b.nudge()
}

func (b *callBook) screenUp(i int) {
	b.mu.Lock()
	b.up[i] = true
	b.mu.Unlock()
}

// screenSaw records a ticket.called frame on screen i.
func (b *callBook) screenSaw(i int, id string, calledAt time.Time, at time.Time) {
	ta := ticketAt{id, calledAt.Unix()}
	b.mu.Lock()
	b.seen[i][ta]++
	b.rec(callKey{ta, b.seen[i][ta]}).screens[i] = at
	b.mu.Unlock()
	b.nudge()
}

// phoneJoined records a phone's first message; calledAt is the call it
// shows already (zero if none): that one is not measured.
func (b *callBook) phoneJoined(id string, calledAt *time.Time, at time.Time) {
	p := &phoneView{joined: at, seen: map[ticketAt]int{}}
	if calledAt != nil {
		p.baseline = ticketAt{id, calledAt.Unix()}
		p.seen[p.baseline] = 1
	}
	b.mu.Lock()
	b.phones[id] = p
	b.mu.Unlock()
}

// phoneSaw records a phone's first message that shows a new call.
func (b *callBook) phoneSaw(id string, calledAt time.Time, at time.Time) {
	ta := ticketAt{id, calledAt.Unix()}
	b.mu.Lock()
	if p := b.phones[id]; p != nil {
		p.seen[ta]++
		b.rec(callKey{ta, p.seen[ta]}).phone = at
	}
	b.mu.Unlock()
	b.nudge()
}

// phoneExpected: the ticket's phone was following before the call was
// answered and its first message did not show the call already.
func (b *callBook) phoneExpected(k callKey, c *callRec) bool {
	p := b.phones[k.id]
	if p == nil {
		return false
	}
	if !c.phone.IsZero() {
		return true
	}
	return p.joined.Before(c.answered) && !(k.ticketAt == p.baseline && k.n == 1)
}

// pending counts the receipts still to come for answered calls.
func (b *callBook) pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for k, c := range b.calls {
		if c.answered.IsZero() {
			continue
		}
		for i, t := range c.screens {
			if b.up[i] && t.IsZero() {
				n++
			}
		}
		if c.phone.IsZero() && b.phoneExpected(k, c) {
			n++
		}
	}
	return n
}

// wait returns once every answered call has reached every screen and
// phone that follows it, or at the deadline.
func (b *callBook) wait(deadline time.Time) {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	for b.pending() > 0 {
		select {
		case <-b.changed:
		case <-t.C:
			return
		}
	}
}

// results are the call-to-screen and call-to-phone latencies, and what
// never arrived.
type bookResults struct {
	screen, lastScreen, phone []time.Duration
	// From the press (the request going out) rather than the answer.
	pressLastScreen, pressPhone []time.Duration
	early                       int
	screenMissed, phoneMissed   int
}

func (b *callBook) results() bookResults {
	b.mu.Lock()
	defer b.mu.Unlock()
	var r bookResults
	for k, c := range b.calls {
		if c.answered.IsZero() {
			continue // a call this run did not make, or whose answer was lost
		}
		var last, lastPress time.Duration
		complete := true
		for i, t := range c.screens {
			if !b.up[i] {
				continue
			}
			if t.IsZero() {
				r.screenMissed++
				complete = false
				continue
			}
			d := t.Sub(c.answered)
			if d < 0 {
				r.early++
				d = 0
			}
			r.screen = append(r.screen, d)
			last = max(last, d)
			lastPress = max(lastPress, t.Sub(c.pressed))
		}
		if complete && len(c.screens) > 0 {
			r.lastScreen = append(r.lastScreen, last)
			r.pressLastScreen = append(r.pressLastScreen, lastPress)
		}
		if !c.phone.IsZero() {
			r.phone = append(r.phone, max(0, c.phone.Sub(c.answered)))
			r.pressPhone = append(r.pressPhone, c.phone.Sub(c.pressed))
		} else if b.phoneExpected(k, c) {
			r.phoneMissed++
		}
	}
	return r
}
