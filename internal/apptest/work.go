package apptest

import (
	"net/http"
	"slices"
	"time"
)

// A morning's work at the Mall, done through the API on the test's
// clock, and what it made, so that report tests can work out their
// figures from what they did instead of from the server's answers.

// WorkTicket is a ticket the work issued.
type WorkTicket struct {
	ID, Key, Number     string
	Day                 string
	ServiceID, AgencyID string
	Issued              time.Time
	Cancelled, Done     bool
	Called              *time.Time
	counter             string
}

// WorkWait is a wait that ended in a call: the ticket waited from its
// issue to the call.
type WorkWait struct {
	Day, Number         string
	ServiceID, AgencyID string
	Queued, Called      time.Time
}

// Seconds is the wait rounded to whole seconds, as reports count it.
func (w WorkWait) Seconds() int64 {
	return int64((w.Called.Sub(w.Queued) + time.Second/2) / time.Second)
}

// Work is what DoWork did.
type Work struct {
	Tickets []*WorkTicket
	Waits   []WorkWait
}

// DoWork runs a morning at the Mall on the day of start (its clock is set
// forward through the day; start must not be before the clock): agency
// A's Loket 1 serves a stream of tickets of its two services from a few
// minutes after start, every 6 minutes, one visitor cancelling; Polres'
// Loket 7 opens late and serves its four SKCK tickets slowly, the last
// after three hours. variant (0, 1, 2, …) shifts the numbers so that days
// differ. With finish false the morning stops before Loket 7's last call
// (a day still going on: that ticket waits). Staff sign in again first.
func (s *Server) DoWork(m *Mall, start time.Time, variant int, finish bool) *Work {
	s.T.Helper()
	w := &Work{}
	type action struct {
		at time.Time
		do func()
	}
	var acts []action
	at := func(min int, do func()) { acts = append(acts, action{start.Add(time.Duration(min) * time.Minute), do}) }
	queues := map[string][]*WorkTicket{} // waiting, by counter
	current := map[string]*WorkTicket{}
	issue := func(counter, service, agency string) {
		a := s.Issue(m, service, false)
		t := &WorkTicket{ID: a.Ticket.ID, Key: a.Key(), Number: a.Ticket.Number, Day: a.Ticket.Day,
			ServiceID: service, AgencyID: agency, Issued: a.Ticket.IssuedAt, counter: counter}
		w.Tickets = append(w.Tickets, t)
		queues[counter] = append(queues[counter], t)
	}
	act := func(who, counter, action string, want int) {
		s.MustJSON(http.MethodPost, "/api/v1/counters/"+counter+"/"+action, m.Tokens[who], nil, want, nil)
	}
	next := func(who, counter string) {
		if c := current[counter]; c != nil {
			c.Done = true
		}
		q := queues[counter]
		if len(q) == 0 {
			act(who, counter, "next", http.StatusNoContent)
			current[counter] = nil
			return
		}
		act(who, counter, "next", http.StatusOK)
		t := q[0]
		queues[counter] = q[1:]
		now := s.Clock.Now()
		t.Called = &now
		current[counter] = t
		w.Waits = append(w.Waits, WorkWait{Day: t.Day, Number: t.Number, ServiceID: t.ServiceID, AgencyID: t.AgencyID, Queued: t.Issued, Called: now})
	}
	done := func(who, counter string) {
		if c := current[counter]; c != nil {
			act(who, counter, "done", http.StatusOK)
			c.Done = true
			current[counter] = nil
		}
	}

	nA := 8 + 2*variant
	for i := range nA {
		svc := m.ServiceA1.ID
		if i%3 == 2 {
			svc = m.ServiceA2.ID
		}
		at(4*i, func() { issue(m.CounterA.ID, svc, m.AgencyA.ID) })
	}
	// The fourth visitor gives up before being called.
	at(4*3+1, func() {
		q := queues[m.CounterA.ID]
		t := q[len(q)-1]
		s.MustJSON(http.MethodDelete, "/api/v1/tickets/"+t.ID+"?k="+t.Key, "", nil, http.StatusNoContent, nil)
		t.Cancelled = true
		queues[m.CounterA.ID] = q[:len(q)-1]
	})
	openA := 5 + 4*variant
	at(openA, func() { act("officerA", m.CounterA.ID, "open", http.StatusOK) })
	for j := range nA - 1 {
		at(openA+1+6*j, func() { next("officerA", m.CounterA.ID) })
	}
	at(openA+1+6*(nA-1), func() { done("officerA", m.CounterA.ID) })

	for _, m0 := range []int{5, 6, 70 + 5*variant, 120} {
		at(m0, func() { issue(m.CounterB.ID, m.ServiceB1.ID, m.AgencyB.ID) })
	}
	at(89, func() { act("officerB", m.CounterB.ID, "open", http.StatusOK) })
	at(90, func() { next("officerB", m.CounterB.ID) })
	at(105, func() { next("officerB", m.CounterB.ID) })
	at(170, func() { next("officerB", m.CounterB.ID) })
	if finish {
		at(300, func() { next("officerB", m.CounterB.ID) })
		at(310, func() { done("officerB", m.CounterB.ID) })
		at(311, func() { act("officerB", m.CounterB.ID, "close", http.StatusOK) })
	} else {
		at(175, func() { done("officerB", m.CounterB.ID) })
	}
	at(openA+2+6*(nA-1), func() { act("officerA", m.CounterA.ID, "close", http.StatusOK) })

	slices.SortStableFunc(acts, func(a, b action) int { return a.at.Compare(b.at) })
	s.Clock.Set(start)
	s.Admin = s.Login("admin", AdminPassword)
	m.Tokens["admin"] = s.Admin
	for who, u := range m.Users {
		m.Tokens[who] = s.Login(u.Username, StaffPassword)
	}
	for _, a := range acts {
		s.Clock.Set(a.at)
		a.do()
	}
	return w
}
