package queue

import (
	"crypto/subtle"
	"fmt"
	"slices"
	"time"
)

// PublicTicket is what a visitor and the public feeds may see of a ticket:
// no key, no personal data.
type PublicTicket struct {
	ID            string `json:"id"`
	Number        string `json:"number"`
	ServiceID     string `json:"service_id"`
	ServiceName   string `json:"service_name"`
	ServiceNameEN string `json:"service_name_en"`
	AgencyID      string `json:"agency_id"`
	AgencyName    string `json:"agency_name"`
	// AgencyNameEN is the agency's label in English, the Indonesian one
	// when it has none.
	AgencyNameEN string `json:"agency_name_en"`
	Status       Status `json:"status"`
	Priority     bool   `json:"priority"`
	Channel      string `json:"channel"`
	Day          string `json:"day"`
	Position     *int   `json:"position"`
	PeopleAhead  *int   `json:"people_ahead"`
	EtaMin       *int   `json:"eta_min"`
	CounterName  string `json:"counter_name"`
	// CounterNameEN is the counter's name in English, the Indonesian one
	// when it has none (empty like CounterName when not at a counter).
	CounterNameEN string     `json:"counter_name_en"`
	Calls         int        `json:"calls"`
	IssuedAt      time.Time  `json:"issued_at"`
	CalledAt      *time.Time `json:"called_at"`
	ServingAt     *time.Time `json:"serving_at"`
	DoneAt        *time.Time `json:"done_at"`
	Requirements  []string   `json:"requirements,omitempty"`
	// RequirementsEN and FeeEN are the requirements and the fee in
	// English (the visitor's view only), the Indonesian ones when the
	// service has none.
	RequirementsEN []string `json:"requirements_en,omitempty"`
	Fee            string   `json:"fee,omitempty"`
	FeeEN          string   `json:"fee_en,omitempty"`
}

// Public renders a ticket's public view against this state. Tickets of
// earlier days have no position or estimate.
func (s *State) Public(t *Ticket) *PublicTicket { return s.PublicIn(t, nil) }

// PublicIn is Public with the ticket's queue already worked out (Places of
// its service in this state; nil: work it out for this ticket alone).
func (s *State) PublicIn(t *Ticket, q *Places) *PublicTicket {
	p := &PublicTicket{
		ID: t.ID, Number: t.Number, ServiceID: t.ServiceID, AgencyID: t.AgencyID,
		Status: t.Status, Priority: t.Priority, Channel: t.Channel, Day: t.Day, Calls: t.Calls,
		IssuedAt: t.IssuedAt, CalledAt: t.CalledAt, ServingAt: t.ServingAt, DoneAt: t.DoneAt,
	}
	if svc := s.services[t.ServiceID]; svc != nil {
		p.ServiceName, p.ServiceNameEN = svc.Name, svc.NameEN
	}
	if a := s.agencies[t.AgencyID]; a != nil {
		p.AgencyName, p.AgencyNameEN = a.Label("id"), a.Label("en")
	}
	if t.Status == Called || t.Status == Serving {
		if c := s.counters[t.CounterID]; c != nil {
			p.CounterName, p.CounterNameEN = c.Name, c.NameIn("en")
		}
	}
	if t.Day == s.Day && t.Status == Waiting {
		var pos int
		if q != nil {
			pos = q.Position(t.ID)
		} else {
			pos = s.Position(t)
		}
		if pos > 0 {
			ahead := pos - 1
			p.Position, p.PeopleAhead = &pos, &ahead
			if q != nil {
				p.EtaMin = eta(ahead, q.open, q.avg)
			} else {
				p.EtaMin = s.ETA(t.ServiceID, ahead)
			}
		}
	}
	return p
}

// TicketEvent is the data of every ticket.* event.
type TicketEvent struct {
	Ticket       *PublicTicket `json:"ticket"`
	Counter      *Ref          `json:"counter"`
	Service      *ServiceRef   `json:"service"`
	Agency       *Ref          `json:"agency"`
	FromService  *ServiceRef   `json:"from_service,omitempty"`
	Announcement *Announcement `json:"announcement,omitempty"`
}

// Ref names an object in an event; NameEN is its name in English (an
// agency's label, a counter's name), the Indonesian one when it has none.
type Ref struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
}

// ServiceRef names a service in an event, in Indonesian and English (the
// Indonesian when it has no English name).
type ServiceRef struct {
	ID     string `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	NameEN string `json:"name_en"`
}

func (s *State) serviceRef(id string) *ServiceRef {
	svc := s.services[id]
	if svc == nil {
		return &ServiceRef{ID: id}
	}
	return &ServiceRef{ID: svc.ID, Code: svc.Code, Name: svc.Name, NameEN: svc.NameIn("en")}
}

func (tx *txn) emitTicket(typ string, t *Ticket, extra func(*TicketEvent)) {
	st := tx.st
	ev := &TicketEvent{Ticket: st.Public(t), Service: st.serviceRef(t.ServiceID)}
	if a := st.agencies[t.AgencyID]; a != nil {
		ev.Agency = &Ref{ID: a.ID, Name: a.Label("id"), NameEN: a.Label("en")}
	}
	if c := st.counters[t.CounterID]; c != nil && t.CounterID != "" {
		ev.Counter = &Ref{ID: c.ID, Name: c.Name, NameEN: c.NameIn("en")}
	}
	if extra != nil {
		extra(ev)
	}
	tx.emit(typ, ev)
}

// IssueTicket takes a number in a service.
type IssueTicket struct {
	ServiceID string
	Priority  bool
	Channel   string // kiosk, staff or booking
	Key       string // the visitor page's secret, made by the caller
	// IgnoreHours issues outside opening hours (bookings checked in
	// early are handled by their own window).
	IgnoreHours bool
}

// Issued is the answer to IssueTicket.
type Issued struct {
	Ticket   *Ticket
	Position int
	EtaMin   *int
}

func (c IssueTicket) apply(tx *txn) (any, error) {
	st := tx.st
	svc := st.services[c.ServiceID]
	if svc == nil {
		return nil, errNotFound
	}
	if c.Key == "" || !slices.Contains([]string{ChannelKiosk, ChannelStaff, ChannelBooking}, c.Channel) {
		return nil, fmt.Errorf("queue: IssueTicket needs a key and a channel")
	}
	if err := st.CanIssue(svc, st.now); err != nil {
		if c.IgnoreHours && ErrorCode(err) == EServiceClosed && svc.Active {
			// Outside hours, but the quota still holds.
			if st.QuotaLeft(svc.ID) == 0 {
				err = errQuota
			} else {
				err = nil
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return tx.issue(svc, c.Priority, c.Channel, c.Key), nil
}

// issue takes the next number of a service for a ticket that may be
// issued (IssueTicket, a booking's check-in).
func (tx *txn) issue(svc *Service, priority bool, channel, key string) *Issued {
	st := tx.st
	// Numbers go by the service code, so a service deleted and made again
	// with the same code never reissues a number of the day.
	seq := st.numbers[svc.Code] + 1
	index := st.lastIndex + 1
	mutable(tx, "numbers", &st.numbers)[svc.Code] = seq
	mutable(tx, "quotaUsed", &st.quotaUsed)[svc.ID]++
	st.lastIndex = index
	st.lastQueueSeq++
	t := &Ticket{
		ID:              TicketID(st.Day, index),
		Number:          fmt.Sprintf("%s%03d", svc.Code, seq),
		ServiceID:       svc.ID,
		AgencyID:        svc.AgencyID,
		Status:          Waiting,
		Priority:        priority,
		Channel:         channel,
		Day:             st.Day,
		IssuedAt:        st.now,
		QueuedAt:        st.now,
		Key:             key,
		IssuedServiceID: svc.ID,
		Seq:             seq,
		Index:           index,
		QueueSeq:        st.lastQueueSeq,
		Visits:          []Visit{{ServiceID: svc.ID, AgencyID: svc.AgencyID, QueuedAt: st.now}},
	}
	tx.putTicket(t)
	tx.emitTicket("ticket.issued", t, nil)
	pos := st.Position(t)
	return &Issued{Ticket: t, Position: pos, EtaMin: st.ETA(svc.ID, pos-1)}
}

// CancelTicket cancels a waiting ticket (the visitor, or staff).
type CancelTicket struct{ TicketID string }

func (c CancelTicket) apply(tx *txn) (any, error) {
	t := tx.st.Ticket(c.TicketID)
	if t == nil {
		return nil, errNotFound
	}
	if t.Status != Waiting {
		return nil, errTransition
	}
	nt := *t
	nt.Status = Cancelled
	nt.endVisit(Cancelled, tx.st.now)
	tx.putTicket(&nt)
	if q := tx.st.quotaUsed[t.IssuedServiceID]; q > 0 {
		mutable(tx, "quotaUsed", &tx.st.quotaUsed)[t.IssuedServiceID] = q - 1
	}
	tx.emitTicket("ticket.cancelled", &nt, nil)
	return &nt, nil
}

// Counter actions, the verbs of POST /api/v1/counters/{id}/ACTION.
const (
	ActOpen     = "open"
	ActPause    = "pause"
	ActClose    = "close"
	ActNext     = "next"
	ActCall     = "call"
	ActRecall   = "recall"
	ActStart    = "start"
	ActDone     = "done"
	ActNoShow   = "no-show"
	ActTransfer = "transfer"
)

// CounterActions lists every action.
var CounterActions = []string{ActOpen, ActPause, ActClose, ActNext, ActCall, ActRecall, ActStart, ActDone, ActNoShow, ActTransfer}

// CounterAction is one officer action at a counter.
type CounterAction struct {
	CounterID string
	Action    string
	UserID    string // who acts; open makes them the counter's officer
	TicketID  string // call
	ServiceID string // transfer
	Reason    string // pause
}

// CounterResult is the counter after an action; Current is its ticket.
type CounterResult struct {
	Counter *Counter
	Current *Ticket
}

func (c CounterAction) apply(tx *txn) (any, error) {
	st := tx.st
	ctr := st.counters[c.CounterID]
	if ctr == nil {
		return nil, errNotFound
	}
	cur := st.Ticket(ctr.CurrentID)
	if err := c.check(st, ctr, cur); err != nil {
		return nil, err
	}
	nc := *ctr
	now := st.now
	switch c.Action {
	case ActOpen:
		if ctr.Status == CounterOpen && ctr.OfficerID == c.UserID {
			break
		}
		nc.Status, nc.PauseReason, nc.OfficerID = CounterOpen, "", c.UserID
		tx.putCounter(&nc)
		tx.emit("counter.opened", CounterEvent{Counter: st.CounterView(&nc)})
	case ActPause:
		nc.Status, nc.PauseReason = CounterPaused, c.Reason
		tx.putCounter(&nc)
		tx.emit("counter.paused", CounterEvent{Counter: st.CounterView(&nc)})
	case ActClose:
		if ctr.Status == CounterClosed {
			break
		}
		nc.Status, nc.PauseReason, nc.OfficerID, nc.FrontStreak = CounterClosed, "", "", 0
		tx.putCounter(&nc)
		tx.emit("counter.closed", CounterEvent{Counter: st.CounterView(&nc)})
	case ActNext, ActCall:
		var pick *Ticket
		front := false
		if c.Action == ActCall {
			pick = st.Ticket(c.TicketID)
			front = pick.Front()
		} else {
			pick, front = st.route(&nc)
		}
		if cur != nil {
			tx.finish(cur, now)
		}
		nc.CurrentID = ""
		if pick != nil {
			if front {
				nc.FrontStreak++
			} else {
				nc.FrontStreak = 0
			}
			nc.CurrentID = pick.ID
		}
		tx.putCounter(&nc)
		if pick != nil {
			tx.call(pick, &nc, now)
		}
	case ActRecall:
		nt := *cur
		nt.Calls++
		tx.putTicket(&nt)
		tx.emitTicket("ticket.recalled", &nt, func(ev *TicketEvent) { ev.Announcement = st.announce(&nt, &nc) })
	case ActStart:
		nt := *cur
		nt.Status, nt.ServingAt = Serving, &now
		tx.putTicket(&nt)
		tx.emitTicket("ticket.serving", &nt, nil)
	case ActDone:
		tx.finish(cur, now)
		nc.CurrentID = ""
		tx.putCounter(&nc)
	case ActNoShow:
		nt := *cur
		nt.Status = NoShow
		nt.endVisit(NoShow, now)
		tx.putTicket(&nt)
		nc.CurrentID = ""
		tx.putCounter(&nc)
		tx.emitTicket("ticket.no_show", &nt, nil)
	case ActTransfer:
		to := st.services[c.ServiceID]
		nt := *cur
		nt.Status, nt.ServiceID, nt.AgencyID = Waiting, to.ID, to.AgencyID
		// It waits afresh: the old service's call times no longer apply.
		nt.QueuedAt, nt.CounterID, nt.CalledAt, nt.ServingAt = now, "", nil, nil
		nt.endVisit(Transferred, now)
		nt.Visits = append(nt.Visits, Visit{ServiceID: to.ID, AgencyID: to.AgencyID, QueuedAt: now})
		nt.QueueSeq = tx.nextQueueSeq()
		tx.putTicket(&nt)
		nc.CurrentID = ""
		tx.putCounter(&nc)
		from := st.serviceRef(cur.ServiceID)
		tx.emitTicket("ticket.transferred", &nt, func(ev *TicketEvent) { ev.FromService = from })
	}
	return &CounterResult{Counter: st.counters[nc.ID], Current: st.Ticket(st.counters[nc.ID].CurrentID)}, nil
}

// check refuses an action the counter's state does not allow, before the
// action writes anything.
func (c CounterAction) check(st *State, ctr *Counter, cur *Ticket) error {
	needOpen := func() error {
		if ctr.Status != CounterOpen {
			return errCounterShut
		}
		return nil
	}
	// Actions on the current ticket are allowed while paused: the ticket
	// stays with the counter during a pause and may be finished.
	needCurrent := func(allowed ...Status) error {
		if ctr.Status == CounterClosed {
			return errCounterShut
		}
		if cur == nil || !slices.Contains(allowed, cur.Status) {
			return errTransition
		}
		return nil
	}
	switch c.Action {
	case ActOpen:
		return nil
	case ActPause:
		if ctr.Status == CounterClosed {
			return errCounterShut
		}
		return ValidText("reason", c.Reason, false, 100, false)
	case ActClose:
		if cur != nil {
			return errCounterBusy
		}
		return nil
	case ActNext:
		return needOpen()
	case ActCall:
		if err := needOpen(); err != nil {
			return err
		}
		t := st.Ticket(c.TicketID)
		if t == nil {
			return errNotFound
		}
		if (t.Status != Waiting && t.Status != NoShow) || !slices.Contains(ctr.ServiceIDs, t.ServiceID) {
			return errNotInService
		}
		return nil
	case ActRecall, ActNoShow:
		return needCurrent(Called)
	case ActStart:
		return needCurrent(Called)
	case ActDone:
		return needCurrent(Called, Serving)
	case ActTransfer:
		if err := needCurrent(Called, Serving); err != nil {
			return err
		}
		to := st.services[c.ServiceID]
		if to == nil {
			return Invalid(map[string]string{"service_id": "no such service"})
		}
		if !to.Active {
			return Errorf(EServiceClosed, "That service is not available.", "Layanan tujuan tidak tersedia.")
		}
		return nil
	}
	return Invalid(map[string]string{"action": "unknown action"})
}

// History returns the ticket's visits, oldest first, as reports read them.
// A ticket stored before visits were kept gets one made from its current
// queue and status. The slice may be the ticket's own; do not change it.
func (t *Ticket) History() []Visit {
	if len(t.Visits) > 0 {
		return t.Visits
	}
	vs := t.visits()
	switch t.Status {
	case Done:
		vs[0].Outcome, vs[0].EndedAt = Done, t.DoneAt
	case NoShow, Cancelled, Expired:
		vs[0].Outcome = t.Status
	}
	return vs
}

// visits returns the ticket's visits; a ticket stored before visits were
// kept gets one made from its current queue.
func (t *Ticket) visits() []Visit {
	if len(t.Visits) > 0 {
		return t.Visits
	}
	v := Visit{ServiceID: t.ServiceID, AgencyID: t.AgencyID, QueuedAt: t.QueuedAt, CalledAt: t.CalledAt, LastCalledAt: t.CalledAt, CounterID: t.CounterID}
	return []Visit{v}
}

// endVisit ends the ticket's current visit with outcome at now. t is a
// copy about to be stored: its visits are copied before the change.
func (t *Ticket) endVisit(outcome Status, now time.Time) {
	t.Visits = slices.Clone(t.visits())
	v := &t.Visits[len(t.Visits)-1]
	v.EndedAt, v.Outcome = &now, outcome
}

// nextQueueSeq numbers an entry into a queue.
func (tx *txn) nextQueueSeq() int {
	tx.st.lastQueueSeq++
	return tx.st.lastQueueSeq
}

// finish marks a called or serving ticket done.
func (tx *txn) finish(t *Ticket, now time.Time) {
	nt := *t
	nt.Status, nt.DoneAt = Done, &now
	nt.endVisit(Done, now)
	tx.putTicket(&nt)
	if d, ok := serviceDuration(&nt); ok {
		m := mutable(tx, "serviceTimes", &tx.st.serviceTimes)
		m[nt.ServiceID] = appendKept(m[nt.ServiceID], d, serviceTimesKept)
		tx.timesChanged(nt.ServiceID)
	}
	tx.emitTicket("ticket.done", &nt, nil)
}

// call makes a ticket the counter's current one and announces it.
func (tx *txn) call(t *Ticket, ctr *Counter, now time.Time) {
	nt := *t
	if t.Status == NoShow {
		// A call-back enters the queue again, straight to the counter.
		nt.QueueSeq = tx.nextQueueSeq()
	}
	nt.Status, nt.CalledAt, nt.ServingAt, nt.DoneAt = Called, &now, nil, nil
	nt.CounterID = ctr.ID
	nt.Calls = 1
	nt.Visits = slices.Clone(nt.visits())
	v := &nt.Visits[len(nt.Visits)-1]
	if v.CalledAt == nil {
		v.CalledAt, v.CounterID, v.OfficerID = &now, ctr.ID, ctr.OfficerID
	}
	v.LastCalledAt, v.EndedAt, v.Outcome = &now, nil, ""
	tx.putTicket(&nt)
	rc := RecentCall{Number: nt.Number, CounterName: ctr.Name, CounterNameEN: ctr.NameIn("en"), CalledAt: now}
	tx.st.recentCalls = append([]RecentCall{rc}, tx.st.recentCalls[:min(len(tx.st.recentCalls), recentCallsKept-1)]...)
	tx.recentChanged = true
	tx.writes++
	tx.emitTicket("ticket.called", &nt, func(ev *TicketEvent) { ev.Announcement = tx.st.announce(&nt, ctr) })
}

func (s *State) announce(t *Ticket, ctr *Counter) *Announcement {
	agency, agencyEN := "", ""
	if a := s.agencies[t.AgencyID]; a != nil {
		agency, agencyEN = a.Label("id"), a.Label("en")
	}
	a := Announce(t.Number, ctr.Name, agency, s.Site.AnnounceAgency)
	// The English call names the agency and the counter as English
	// screens show them: the counter's English name when it has one
	// ("Passport desk 2"), else its Indonesian name, whose "Loket"
	// Announce says as "counter".
	if counterEN := ctr.NameIn("en"); agencyEN != agency || counterEN != ctr.Name {
		en := Announce(t.Number, counterEN, agencyEN, s.Site.AnnounceAgency)
		a.EN, a.ShortEN = en.EN, en.ShortEN
	}
	return &a
}

// route picks the ticket a counter calls next: the front group (priority
// and appointments) ahead of regular tickets, interleaved by the site's
// ratio; within a group the oldest by queue time across the counter's
// services.
func (s *State) route(ctr *Counter) (pick *Ticket, front bool) {
	var oldestFront, oldestRegular *Ticket
	for _, sid := range ctr.ServiceIDs {
		// Each list is in queue order: its first front and first regular
		// ticket are its oldest.
		var f, r *Ticket
		for _, t := range s.waiting[sid] {
			if t.Front() && f == nil {
				f = t
			} else if !t.Front() && r == nil {
				r = t
			}
			if f != nil && r != nil {
				break
			}
		}
		if f != nil && (oldestFront == nil || queuedAfter(oldestFront, f)) {
			oldestFront = f
		}
		if r != nil && (oldestRegular == nil || queuedAfter(oldestRegular, r)) {
			oldestRegular = r
		}
	}
	if pickFront(oldestFront != nil, oldestRegular != nil, ctr.FrontStreak, s.Site.PriorityInterleave) {
		return oldestFront, true
	}
	return oldestRegular, false
}

// Visitor finds a ticket by ID and key, today's or an earlier day's, with
// the state it was read against. A wrong or missing key answers exactly as
// a missing ticket: a nil ticket. Every visitor route goes through here.
func (e *Engine) Visitor(id, key string) (*Ticket, *State, error) {
	st := e.State()
	t := st.Ticket(id)
	if t == nil {
		var err error
		if t, err = e.store.Ticket(id); err != nil {
			return nil, st, err
		}
	}
	if t == nil || t.Key == "" || subtle.ConstantTimeCompare([]byte(key), []byte(t.Key)) != 1 {
		return nil, st, nil
	}
	return t, st, nil
}

// VisitorView is a ticket's public view with its service's requirements
// (never nil) and fee, as the visitor's page shows it.
func (s *State) VisitorView(t *Ticket) *PublicTicket {
	p := s.Public(t)
	p.Requirements = []string{}
	if svc := s.services[t.ServiceID]; svc != nil {
		p.Fee, p.FeeEN = svc.Fee, svc.FeeIn("en")
		if svc.Requirements != nil {
			p.Requirements = svc.Requirements
		}
		p.RequirementsEN = svc.RequirementsIn("en")
		if p.RequirementsEN == nil {
			p.RequirementsEN = []string{}
		}
	}
	return p
}
