package queue

import (
	"cmp"
	"iter"
	"slices"
	"time"
)

// State is an immutable snapshot of everything the engine holds: the
// configuration, today's tickets and counters, sessions. Readers get one
// from Engine.State and may keep it as long as they like; the engine never
// changes a published State.
type State struct {
	Seq  uint64
	Day  string
	Loc  *time.Location
	Site *Site
	// now is the latest command time seen; it only moves forward.
	now time.Time

	agencies map[string]*Agency
	services map[string]*Service
	counters map[string]*Counter
	users    map[string]*User
	devices  map[string]*Device

	sessions shardMap[*Session]
	idem     shardMap[*IdemRecord]
	tickets  shardMap[*Ticket]
	// rated holds today's tickets that have their survey response.
	rated shardMap[bool]

	// waiting holds each service's waiting tickets by queue time.
	waiting map[string][]*Ticket
	// frontWaiting counts the front-group tickets in each waiting list.
	frontWaiting map[string]int
	// numbers is the last number issued per service code today.
	numbers map[string]int
	// quotaUsed counts the tickets issued per service today, less cancelled.
	quotaUsed map[string]int
	// lastIndex is the index of the last ticket issued today, and
	// lastQueueSeq the last Ticket.QueueSeq given today.
	lastIndex    int
	lastQueueSeq int
	// serviceTimes holds the most recent service durations per service.
	serviceTimes map[string][]time.Duration
	recentCalls  []RecentCall
	// auditSeq is the Seq of the last audit entry.
	auditSeq uint64

	// Online bookings (booking.go): those of today and later by code,
	// the not-cancelled ones counted per slot and per service and day
	// (slotKey, dayKey), and the code of the active booking per service,
	// day and phone or NIK hash (holderKeys).
	bookings       shardMap[*Booking]
	bookingCounts  shardMap[int]
	bookingHolders shardMap[string]
	bookingSecret  []byte
	// bookingsPurgedBefore: the personal fields of bookings dated before
	// it are erased in the store.
	bookingsPurgedBefore string
	// bookingExpiry is the earliest close of a booked booking's check-in
	// window as worked out with the site settings bookingExpirySite
	// (zero: to be worked out).
	bookingExpiry     time.Time
	bookingExpirySite *Site

	// webhooks, and the deliveries kept of each, oldest first (webhook.go).
	webhooks   map[string]*Webhook
	deliveries map[string][]WebhookDelivery
	// publishCursors are the publishers' cursors by name (publish.go).
	publishCursors map[string]uint64
}

// RecentCall is one of the last calls, for lobby screens. CounterNameEN
// is the counter's name in English (its Indonesian name when it has
// none); calls recorded before it existed lack it.
type RecentCall struct {
	Number        string    `json:"number"`
	CounterName   string    `json:"counter_name"`
	CounterNameEN string    `json:"counter_name_en,omitempty"`
	CalledAt      time.Time `json:"called_at"`
}

const (
	recentCallsKept  = 10
	serviceTimesKept = 20
)

func sortedValues[V any](m map[string]V, key func(V) string) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b V) int { return cmp.Compare(key(a), key(b)) })
	return out
}

// Now is the latest time the engine has seen.
func (s *State) Now() time.Time { return s.now }

// Agencies lists the agencies by code.
func (s *State) Agencies() []*Agency {
	return sortedValues(s.agencies, func(a *Agency) string { return a.Code })
}

// Agency returns an agency or nil.
func (s *State) Agency(id string) *Agency { return s.agencies[id] }

// Services lists the services by code.
func (s *State) Services() []*Service {
	return sortedValues(s.services, func(v *Service) string { return v.Code })
}

// Service returns a service or nil.
func (s *State) Service(id string) *Service { return s.services[id] }

// Counters lists the counters by agency code, then name in natural order.
func (s *State) Counters() []*Counter {
	out := sortedValues(s.counters, func(c *Counter) string { return c.ID })
	slices.SortStableFunc(out, func(a, b *Counter) int {
		if c := cmp.Compare(s.agencyCode(a.AgencyID), s.agencyCode(b.AgencyID)); c != 0 {
			return c
		}
		return naturalCompare(a.Name, b.Name)
	})
	return out
}

func (s *State) agencyCode(id string) string {
	if a := s.agencies[id]; a != nil {
		return a.Code
	}
	return ""
}

// Counter returns a counter or nil.
func (s *State) Counter(id string) *Counter { return s.counters[id] }

// Users lists the users by username.
func (s *State) Users() []*User {
	return sortedValues(s.users, func(u *User) string { return u.Username })
}

// User returns a user or nil.
func (s *State) User(id string) *User { return s.users[id] }

// UserByName returns the user with that username, or nil.
func (s *State) UserByName(name string) *User {
	for _, u := range s.users {
		if u.Username == name {
			return u
		}
	}
	return nil
}

// Devices lists the devices by name.
func (s *State) Devices() []*Device {
	return sortedValues(s.devices, func(d *Device) string { return d.Name + "\x00" + d.ID })
}

// Device returns a device or nil.
func (s *State) Device(id string) *Device { return s.devices[id] }

// DeviceByTokenHash returns the device whose token hashes to h, or nil.
func (s *State) DeviceByTokenHash(h string) *Device {
	for _, d := range s.devices {
		if d.TokenHash == h {
			return d
		}
	}
	return nil
}

// Session returns the live session with that token hash at time now.
func (s *State) Session(hash string, now time.Time) *Session {
	ss, ok := s.sessions.get(hash)
	if !ok || !now.Before(ss.Expires) {
		return nil
	}
	return ss
}

// Idem returns the unexpired idempotency record with that key.
func (s *State) Idem(key string, now time.Time) *IdemRecord {
	r, ok := s.idem.get(key)
	if !ok || !now.Before(r.Expires) {
		return nil
	}
	return r
}

// Ticket returns one of today's tickets, or nil.
func (s *State) Ticket(id string) *Ticket {
	t, _ := s.tickets.get(id)
	return t
}

// Tickets yields every ticket of the state's day (Day), in no order:
// today's figures for reports, which read earlier days from the store.
func (s *State) Tickets() iter.Seq[*Ticket] {
	return func(yield func(*Ticket) bool) {
		for _, shard := range s.tickets.shards {
			for _, t := range shard {
				if !yield(t) {
					return
				}
			}
		}
	}
}

// Waiting returns the tickets waiting in a service, oldest first.
func (s *State) Waiting(serviceID string) []*Ticket { return s.waiting[serviceID] }

// RecentCalls returns the last calls, newest first.
func (s *State) RecentCalls() []RecentCall { return s.recentCalls }

// QuotaLeft returns how many tickets a service can still issue today, or
// -1 when it has no quota.
func (s *State) QuotaLeft(serviceID string) int {
	svc := s.services[serviceID]
	if svc == nil || svc.DailyQuota == 0 {
		return -1
	}
	return max(0, svc.DailyQuota-s.quotaUsed[serviceID])
}

// OpenCounters counts the open counters serving a service.
func (s *State) OpenCounters(serviceID string) int {
	n := 0
	for _, c := range s.counters {
		if c.Status == CounterOpen && slices.Contains(c.ServiceIDs, serviceID) {
			n++
		}
	}
	return n
}

// AvgServiceTime is the moving average of the service's recent service
// times, or its configured average before there are any.
func (s *State) AvgServiceTime(serviceID string) time.Duration {
	if ts := s.serviceTimes[serviceID]; len(ts) > 0 {
		var sum time.Duration
		for _, d := range ts {
			sum += d
		}
		return sum / time.Duration(len(ts))
	}
	if svc := s.services[serviceID]; svc != nil && svc.AvgServiceMin > 0 {
		return time.Duration(svc.AvgServiceMin) * time.Minute
	}
	return 10 * time.Minute
}

// ETA estimates the minutes until a visitor with peopleAhead people before
// them is called, or nil when no counter serving the service is open.
func (s *State) ETA(serviceID string, peopleAhead int) *int {
	return eta(peopleAhead, s.OpenCounters(serviceID), s.AvgServiceTime(serviceID))
}

func eta(peopleAhead, open int, avg time.Duration) *int {
	if open == 0 {
		return nil
	}
	total := time.Duration(peopleAhead) * avg / time.Duration(open)
	m := int((total + time.Minute - 1) / time.Minute)
	return &m
}

// Places is what a state says of one service's queue, worked out once
// for many readers (the phones following their tickets): the place of
// each waiting ticket, as Position gives it, and the estimate's inputs.
type Places struct {
	pos  map[string]int
	open int
	avg  time.Duration
}

// Places works out a service's queue in one walk.
func (s *State) Places(serviceID string) *Places {
	return &Places{pos: s.Positions(serviceID), open: s.OpenCounters(serviceID), avg: s.AvgServiceTime(serviceID)}
}

// Position is a ticket's place (0: not waiting in this queue).
func (p *Places) Position(ticketID string) int { return p.pos[ticketID] }

// Position returns a waiting ticket's 1-based place in its service's queue
// by the routing rules (the front group interleaved with regular tickets),
// or 0 when the ticket is not waiting.
//
// The interleave depends only on how many tickets each group holds, so the
// place follows from the ticket's rank in its group and the other group's
// size: no walk of the queue for the newest ticket (the one just issued),
// a walk up to the ticket otherwise.
func (s *State) Position(t *Ticket) int {
	if t == nil || t.Status != Waiting {
		return 0
	}
	list := s.waiting[t.ServiceID]
	var (
		ahead, frontAhead int // tickets before t in queue order, and front ones among them
		front             bool
	)
	if n := len(list); n > 0 && list[n-1].ID == t.ID {
		ahead, frontAhead, front = n-1, s.frontWaiting[t.ServiceID], list[n-1].Front()
		if front {
			frontAhead--
		}
	} else {
		found := false
		for i, w := range list {
			if w.ID == t.ID {
				ahead, front, found = i, w.Front(), true
				break
			}
			if w.Front() {
				frontAhead++
			}
		}
		if !found {
			return 0
		}
	}
	ratio := 0
	if s.Site != nil {
		ratio = s.Site.PriorityInterleave
	}
	fronts := s.frontWaiting[t.ServiceID]
	regulars := len(list) - fronts
	// The counter's interleave goes on from its run of front calls: count
	// that run (capped at ratio) as front tickets already called.
	run := 0
	if ratio > 0 {
		run = min(s.frontRun(t.ServiceID), ratio)
	}
	return place(ahead, frontAhead, front, fronts, regulars, ratio, run)
}

// Positions returns the place (as Position gives it) of every ticket
// waiting in a service, found in one walk of its queue: for many readers
// of one state, such as the phones following their tickets.
func (s *State) Positions(serviceID string) map[string]int {
	list := s.waiting[serviceID]
	out := make(map[string]int, len(list))
	ratio := 0
	if s.Site != nil {
		ratio = s.Site.PriorityInterleave
	}
	fronts := s.frontWaiting[serviceID]
	regulars := len(list) - fronts
	run := 0
	if ratio > 0 {
		run = min(s.frontRun(serviceID), ratio)
	}
	frontAhead := 0
	for i, t := range list {
		out[t.ID] = place(i, frontAhead, t.Front(), fronts, regulars, ratio, run)
		if t.Front() {
			frontAhead++
		}
	}
	return out
}

// place is the 1-based place of a waiting ticket with ahead tickets before
// it in queue order, frontAhead of them front ones, in a queue of fronts
// front and regulars regular tickets, interleaved by ratio after a run of
// run front calls (see Position).
func place(ahead, frontAhead int, front bool, fronts, regulars, ratio, run int) int {
	if front {
		// ratio front tickets, then a regular one while any is left.
		k := frontAhead
		if ratio <= 0 {
			return k + 1
		}
		return k + 1 + min(regulars, (k+run)/ratio)
	}
	k := ahead - frontAhead
	if ratio <= 0 {
		return fronts + k + 1
	}
	return k + 1 + min(fronts+run, ratio*(k+1)) - run
}

// frontRun is the run of front calls (Counter.FrontStreak) that "next"
// goes on from for a service: that of the open counter serving it, or of
// the first by ID when several do (then the place is an estimate anyway).
func (s *State) frontRun(serviceID string) int {
	var by *Counter
	for _, c := range s.counters {
		if c.Status == CounterOpen && slices.Contains(c.ServiceIDs, serviceID) && (by == nil || c.ID < by.ID) {
			by = c
		}
	}
	if by == nil {
		return 0
	}
	return by.FrontStreak
}

// pickFront decides between the front group and regular tickets: the front
// goes first, but after ratio front calls in a row a waiting regular ticket
// gets its turn. A ratio of 0 serves the front group strictly first.
func pickFront(haveFront, haveRegular bool, streak, ratio int) bool {
	if !haveFront {
		return false
	}
	if !haveRegular || ratio <= 0 {
		return true
	}
	return streak < ratio
}

// naturalCompare orders "Loket 2" before "Loket 10".
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, ra := leadingDigits(a)
		db, rb := leadingDigits(b)
		if da != "" && db != "" {
			if c := cmp.Compare(len(da), len(db)); c != 0 {
				return c
			}
			if c := cmp.Compare(da, db); c != 0 {
				return c
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func leadingDigits(s string) (digits, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	for i > 1 && s[0] == '0' && len(s) > 1 {
		// keep "007" comparable with "7" by dropping leading zeros
		s, i = s[1:], i-1
	}
	return s[:i], s[i:]
}
