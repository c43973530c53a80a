package queue

import (
	"slices"
	"time"
)

// CounterView is the Counter of API.md: the counter with its current
// ticket in place.
type CounterView struct {
	*Counter
	Current *Ticket `json:"current"`
}

// CounterView renders a counter with its current ticket.
func (s *State) CounterView(c *Counter) *CounterView {
	return &CounterView{Counter: c, Current: s.Ticket(c.CurrentID)}
}

// CounterEvent is the data of counter.* events.
type CounterEvent struct {
	Counter *CounterView `json:"counter"`
}

// errExists is already_exists naming what exists, in each language whole:
// en "An agency with this code", id "Instansi dengan kode ini".
var errExists = func(field, en, id string) error {
	e := Errorf(EAlreadyExists, en+" already exists.", id+" sudah ada.")
	e.Fields = map[string]string{field: "already in use"}
	return e
}

var errInUse = func(en, id string) error { return Errorf(EInUse, en, id) }

// PutSite replaces the site settings.
type PutSite struct{ Site *Site }

func (c PutSite) apply(tx *txn) (any, error) {
	if err := c.Site.Validate(); err != nil {
		return nil, err
	}
	loc, _ := time.LoadLocation(c.Site.Timezone)
	tx.st.Site = c.Site
	tx.st.Loc = loc
	tx.put(KindSite, "site", c.Site)
	tx.configChanged("site", "")
	return c.Site, nil
}

// PutAgency creates (Create) or replaces an agency.
type PutAgency struct {
	Agency *Agency
	Create bool
}

func (c PutAgency) apply(tx *txn) (any, error) {
	a := c.Agency
	if err := checkExists(tx.st.agencies, a.ID, c.Create); err != nil {
		return nil, err
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	for _, o := range tx.st.agencies {
		if o.ID != a.ID && o.Code == a.Code {
			return nil, errExists("code", "An agency with this code", "Instansi dengan kode ini")
		}
	}
	mutable(tx, "agencies", &tx.st.agencies)[a.ID] = a
	tx.put(KindAgency, a.ID, a)
	tx.configChanged("agency", a.ID)
	return a, nil
}

func checkExists[V any](m map[string]V, id string, create bool) error {
	_, ok := m[id]
	switch {
	case create && ok:
		return errExists("id", "This object", "Objek ini")
	case !create && !ok:
		return errNotFound
	}
	return nil
}

// DeleteAgency removes an agency that nothing refers to any more.
type DeleteAgency struct{ ID string }

func (c DeleteAgency) apply(tx *txn) (any, error) {
	st := tx.st
	if st.agencies[c.ID] == nil {
		return nil, errNotFound
	}
	for _, s := range st.services {
		if s.AgencyID == c.ID {
			return nil, errInUse("The agency still has services.", "Instansi masih memiliki layanan.")
		}
	}
	for _, k := range st.counters {
		if k.AgencyID == c.ID {
			return nil, errInUse("The agency still has counters.", "Instansi masih memiliki loket.")
		}
	}
	for _, u := range st.users {
		if u.AgencyID == c.ID {
			return nil, errInUse("The agency still has users.", "Instansi masih memiliki pengguna.")
		}
	}
	delete(mutable(tx, "agencies", &st.agencies), c.ID)
	tx.put(KindAgency, c.ID, nil)
	tx.configChanged("agency", c.ID)
	return nil, nil
}

// PutService creates or replaces a service.
type PutService struct {
	Service *Service
	Create  bool
}

func (c PutService) apply(tx *txn) (any, error) {
	st, s := tx.st, c.Service
	if err := checkExists(st.services, s.ID, c.Create); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if st.agencies[s.AgencyID] == nil {
		return nil, Invalid(map[string]string{"agency_id": "no such agency"})
	}
	if old := st.services[s.ID]; old != nil && old.AgencyID != s.AgencyID {
		for _, k := range st.counters {
			if slices.Contains(k.ServiceIDs, s.ID) {
				return nil, Invalid(map[string]string{"agency_id": "counters of the old agency still serve this service"})
			}
		}
		// Tickets carry the agency of their service from issue; those still
		// open today would be called by the new agency as the old one's.
		open := false
		st.tickets.each(func(_ string, t *Ticket) {
			open = open || (t.ServiceID == s.ID && !t.Status.Final())
		})
		if open {
			return nil, errInUse("Visitors still hold tickets of this service today.", "Masih ada pengunjung yang memegang tiket layanan ini hari ini.")
		}
	}
	for _, o := range st.services {
		if o.ID != s.ID && o.Code == s.Code {
			return nil, errExists("code", "A service with this code", "Layanan dengan kode ini")
		}
	}
	mutable(tx, "services", &st.services)[s.ID] = s
	tx.put(KindService, s.ID, s)
	tx.configChanged("service", s.ID)
	return s, nil
}

// DeleteService removes a service no counter serves and nobody waits for.
type DeleteService struct{ ID string }

func (c DeleteService) apply(tx *txn) (any, error) {
	st := tx.st
	if st.services[c.ID] == nil {
		return nil, errNotFound
	}
	for _, k := range st.counters {
		if slices.Contains(k.ServiceIDs, c.ID) {
			return nil, errInUse("Counters still serve this service.", "Layanan ini masih dilayani loket.")
		}
	}
	if len(st.waiting[c.ID]) > 0 {
		return nil, errInUse("Visitors are waiting for this service.", "Masih ada pengunjung yang menunggu layanan ini.")
	}
	if st.hasBookings(c.ID) {
		return nil, errInUse("Visitors hold online bookings of this service; make it inactive instead.", "Masih ada pengunjung yang memegang booking online layanan ini; nonaktifkan layanan ini saja.")
	}
	delete(mutable(tx, "services", &st.services), c.ID)
	tx.put(KindService, c.ID, nil)
	tx.configChanged("service", c.ID)
	return nil, nil
}

// PutCounter creates or replaces a counter's setup; its status, officer
// and current ticket stay as they are.
type PutCounter struct {
	Counter *Counter
	Create  bool
}

func (c PutCounter) apply(tx *txn) (any, error) {
	st, k := tx.st, *c.Counter
	if err := checkExists(st.counters, k.ID, c.Create); err != nil {
		return nil, err
	}
	if err := k.Validate(); err != nil {
		return nil, err
	}
	if st.agencies[k.AgencyID] == nil {
		return nil, Invalid(map[string]string{"agency_id": "no such agency"})
	}
	seen := map[string]bool{}
	for _, sid := range k.ServiceIDs {
		s := st.services[sid]
		if s == nil || s.AgencyID != k.AgencyID || seen[sid] {
			return nil, Invalid(map[string]string{"service_ids": "services of the counter's agency, each once"})
		}
		seen[sid] = true
	}
	for _, o := range st.counters {
		if o.ID != k.ID && o.AgencyID == k.AgencyID && o.Name == k.Name {
			return nil, errExists("name", "A counter with this name", "Loket dengan nama ini")
		}
	}
	if old := st.counters[k.ID]; old != nil {
		if old.AgencyID != k.AgencyID && old.CurrentID != "" {
			return nil, errCounterBusy
		}
		if old.AgencyID != k.AgencyID && old.Status != CounterClosed {
			// Its officer belongs to the old agency and could not close it.
			return nil, Errorf(ECounterBusy, "Close the counter before moving it to another agency.", "Tutup loket sebelum memindahkannya ke instansi lain.")
		}
		k.Status, k.PauseReason, k.OfficerID, k.CurrentID, k.FrontStreak = old.Status, old.PauseReason, old.OfficerID, old.CurrentID, old.FrontStreak
	} else {
		k.Status, k.PauseReason, k.OfficerID, k.CurrentID = CounterClosed, "", "", ""
	}
	tx.putCounter(&k)
	tx.configChanged("counter", k.ID)
	return st.CounterView(&k), nil
}

// DeleteCounter removes a counter that holds no ticket.
type DeleteCounter struct{ ID string }

func (c DeleteCounter) apply(tx *txn) (any, error) {
	st := tx.st
	k := st.counters[c.ID]
	if k == nil {
		return nil, errNotFound
	}
	if k.CurrentID != "" {
		return nil, errCounterBusy
	}
	for _, d := range st.devices {
		if d.CounterID == c.ID {
			return nil, errInUse("A survey tablet stands at this counter; remove it first.", "Tablet survei terpasang di loket ini; hapus dulu.")
		}
	}
	delete(mutable(tx, "counters", &st.counters), c.ID)
	tx.put(KindCounter, c.ID, nil)
	tx.configChanged("counter", c.ID)
	return nil, nil
}

// PutUser creates or replaces a user. PasswordHash, when empty on an
// update, keeps the old one. A new password or disabling ends the user's
// sessions.
type PutUser struct {
	User   *User
	Create bool
}

func (c PutUser) apply(tx *txn) (any, error) {
	st, u := tx.st, *c.User
	if err := checkExists(st.users, u.ID, c.Create); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if u.AgencyID != "" && st.agencies[u.AgencyID] == nil {
		return nil, Invalid(map[string]string{"agency_id": "no such agency"})
	}
	for _, o := range st.users {
		if o.ID != u.ID && o.Username == u.Username {
			return nil, errExists("username", "A user with this name", "Pengguna dengan nama ini")
		}
	}
	old := st.users[u.ID]
	if u.PasswordHash == "" {
		if old == nil {
			return nil, Invalid(map[string]string{"password": "required"})
		}
		u.PasswordHash = old.PasswordHash
	}
	if old != nil && (u.PasswordHash != old.PasswordHash || u.Disabled || u.Role != old.Role || u.AgencyID != old.AgencyID) {
		tx.endSessions(u.ID)
	}
	mutable(tx, "users", &st.users)[u.ID] = &u
	tx.put(KindUser, u.ID, &u)
	tx.configChanged("user", u.ID)
	return &u, nil
}

func (tx *txn) endSessions(userID string) {
	var ended []string
	tx.st.sessions.each(func(k string, s *Session) {
		if s.UserID == userID {
			ended = append(ended, k)
		}
	})
	for _, k := range ended {
		tx.delSession(k)
	}
}

// DeleteUser removes a user and ends their sessions.
type DeleteUser struct{ ID string }

func (c DeleteUser) apply(tx *txn) (any, error) {
	st := tx.st
	if st.users[c.ID] == nil {
		return nil, errNotFound
	}
	tx.endSessions(c.ID)
	delete(mutable(tx, "users", &st.users), c.ID)
	tx.put(KindUser, c.ID, nil)
	tx.configChanged("user", c.ID)
	return nil, nil
}

// PutDevice registers (Create, with TokenHash) or replaces a device; an
// update keeps the token.
type PutDevice struct {
	Device *Device
	Create bool
}

func (c PutDevice) apply(tx *txn) (any, error) {
	st, d := tx.st, *c.Device
	if err := checkExists(st.devices, d.ID, c.Create); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	for _, a := range d.AgencyIDs {
		if st.agencies[a] == nil {
			return nil, Invalid(map[string]string{"agency_ids": "no such agency"})
		}
	}
	if d.CounterID != "" && st.counters[d.CounterID] == nil {
		return nil, Invalid(map[string]string{"counter_id": "no such counter"})
	}
	if old := st.devices[d.ID]; old != nil {
		if old.Kind != d.Kind {
			return nil, Invalid(map[string]string{"kind": "a device's kind cannot change"})
		}
		d.TokenHash = old.TokenHash
	} else if d.TokenHash == "" {
		return nil, Invalid(map[string]string{"token": "required"})
	}
	if d.AgencyIDs == nil {
		d.AgencyIDs = []string{}
	}
	mutable(tx, "devices", &st.devices)[d.ID] = &d
	tx.put(KindDevice, d.ID, &d)
	tx.configChanged("device", d.ID)
	return &d, nil
}

// DeleteDevice revokes a device's token.
type DeleteDevice struct{ ID string }

func (c DeleteDevice) apply(tx *txn) (any, error) {
	st := tx.st
	if st.devices[c.ID] == nil {
		return nil, errNotFound
	}
	delete(mutable(tx, "devices", &st.devices), c.ID)
	tx.put(KindDevice, c.ID, nil)
	tx.configChanged("device", c.ID)
	return nil, nil
}

// CreateSession records a login.
type CreateSession struct{ Session *Session }

func (c CreateSession) apply(tx *txn) (any, error) {
	u := tx.st.users[c.Session.UserID]
	if u == nil || u.Disabled {
		return nil, Errorf(EInvalidCredentials, "Wrong username or password.", "Nama pengguna atau kata sandi salah.")
	}
	tx.putSession(c.Session)
	return c.Session, nil
}

// EndSession ends one login.
type EndSession struct{ TokenHash string }

func (c EndSession) apply(tx *txn) (any, error) {
	if _, ok := tx.st.sessions.get(c.TokenHash); ok {
		tx.delSession(c.TokenHash)
	}
	return nil, nil
}

// housekeeping rolls the day when the local date changed (run before every
// command too) and drops expired sessions and idempotency records.
type housekeeping struct{}

func (housekeeping) apply(tx *txn) (any, error) {
	now := tx.st.now
	var expired []string
	tx.st.sessions.each(func(k string, s *Session) {
		if !now.Before(s.Expires) {
			expired = append(expired, k)
		}
	})
	for _, k := range expired {
		tx.delSession(k)
	}
	expired = expired[:0]
	tx.st.idem.each(func(k string, r *IdemRecord) {
		if !now.Before(r.Expires) {
			expired = append(expired, k)
		}
	})
	for _, k := range expired {
		tx.st.idem.del(k, &tx.shards.idem)
		tx.put(KindIdem, k, nil)
	}
	return nil, nil
}

// rollIfNewDay starts a new business day when the command's local date is
// past the state's: every ticket not done, cancelled or expired expires,
// counters close, numbering restarts, and day.started is published.
func (tx *txn) rollIfNewDay() {
	st := tx.st
	day := st.now.In(st.Loc).Format(DateLayout)
	if day <= st.Day {
		return
	}
	if st.Day != "" {
		var open []*Ticket
		st.tickets.each(func(_ string, t *Ticket) {
			if !t.Status.Final() {
				open = append(open, t)
			}
		})
		slices.SortFunc(open, func(a, b *Ticket) int { return a.Index - b.Index })
		for _, t := range open {
			nt := *t
			nt.Status = Expired
			if v := nt.visits(); v[len(v)-1].Outcome == "" {
				nt.endVisit(Expired, st.now)
			}
			tx.put(KindTicket, nt.ID, &nt)
			tx.emitTicket("ticket.expired", &nt, nil)
		}
		for _, c := range st.Counters() {
			if c.Status == CounterClosed && c.CurrentID == "" {
				continue
			}
			nc := *c
			nc.Status, nc.PauseReason, nc.OfficerID, nc.CurrentID, nc.FrontStreak = CounterClosed, "", "", "", 0
			tx.putCounter(&nc)
			tx.emit("counter.closed", CounterEvent{Counter: &CounterView{Counter: &nc}})
		}
	}
	tx.rollBookings(day)
	st.Day = day
	st.tickets = shardMap[*Ticket]{}
	tx.shards.tickets = [nShards]bool{}
	st.rated = shardMap[bool]{}
	tx.shards.rated = [nShards]bool{}
	st.waiting = map[string][]*Ticket{}
	st.frontWaiting = map[string]int{}
	st.numbers = map[string]int{}
	st.quotaUsed = map[string]int{}
	st.serviceTimes = map[string][]time.Duration{}
	st.recentCalls = nil
	st.lastIndex, st.lastQueueSeq = 0, 0
	for _, name := range []string{"waiting", "frontWaiting", "numbers", "quotaUsed", "serviceTimes"} {
		tx.owned[name] = true
	}
	tx.emit("day.started", map[string]string{"day": day})
}

// Ping changes nothing; its answer shows the engine's goroutine is alive.
type Ping struct{}

func (Ping) apply(*txn) (any, error) { return nil, nil }
