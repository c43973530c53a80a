package queue

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Online bookings (API.md, "Online booking (MPP Digital)"): a visitor
// books a slot of a service from home, gets an 8-symbol code, and checks
// in at the kiosk within the slot's window; check-in issues a ticket of
// channel booking that routing calls ahead of walk-ins (Ticket.Front).
//
// The state holds the bookings of today and later (loaded at start,
// dropped from memory when their day is over, kept in the store), their
// counts per slot and per service and day, and who holds an active
// booking per service and day (by phone, and by NIK hash where used).
// Personal data — the name, the phone and the NIK's hash and last four
// digits — is erased when a booking is cancelled, and from every booking
// retention_days after its date (the store does that when the day rolls).

// Booking statuses.
const (
	BookingBooked    = "booked"
	BookingCheckedIn = "checked_in"
	BookingCancelled = "cancelled"
	BookingExpired   = "expired"
)

// Booking error codes (409 unless said).
const (
	ESlotFull           = "slot_full"
	EAlreadyBooked      = "already_booked"
	EAlreadyRescheduled = "already_rescheduled"
	ETooEarly           = "too_early"
	EExpired            = "expired"
	EAlreadyCheckedIn   = "already_checked_in"
	EBookingCancelled   = "booking_cancelled"
)

// Booking is one visitor's place in a slot. NIKHash never leaves the
// server; the API shows the NIK as its last four digits only.
type Booking struct {
	ID        string `json:"id"`
	Code      string `json:"code"`
	ServiceID string `json:"service_id"`
	AgencyID  string `json:"agency_id"`
	Date      string `json:"date"`
	Start     string `json:"start"`
	End       string `json:"end"`
	Status    string `json:"status"`
	// Personal fields, erased on cancel and after the retention.
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	NIKLast4 string `json:"nik_last4"`
	NIKHash  string `json:"-"`

	CreatedAt time.Time `json:"created_at"`
	// SlotAt is when the booking took its slot: made, or rescheduled. A
	// place taken after its slot began (a slot can be booked until it
	// ends) keeps its check-in window open checkin_after_min from then.
	SlotAt        time.Time  `json:"slot_at"`
	RescheduledAt *time.Time `json:"rescheduled_at"`
	CancelledAt   *time.Time `json:"cancelled_at"`
	CheckedInAt   *time.Time `json:"checked_in_at"`
	ExpiredAt     *time.Time `json:"expired_at"`
	PurgedAt      *time.Time `json:"purged_at"`
	// TicketID is the ticket its check-in issued.
	TicketID string `json:"ticket_id"`
}

// erasePersonal removes the personal fields (b is a copy about to be
// stored).
func (b *Booking) erasePersonal() {
	b.Name, b.Phone, b.NIKLast4, b.NIKHash = "", "", "", ""
}

// active reports whether the booking holds its person's one booking of
// the service and day.
func (b *Booking) active() bool { return b.Status == BookingBooked || b.Status == BookingCheckedIn }

// BookingEvent is the data of booking.* events: no code, name or phone.
type BookingEvent struct {
	Booking BookingRef `json:"booking"`
}

// BookingRef names a booking in an event.
type BookingRef struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Date      string `json:"date"`
	Start     string `json:"start"`
}

func (tx *txn) emitBooking(typ string, b *Booking) {
	tx.emit(typ, BookingEvent{Booking: BookingRef{ID: b.ID, ServiceID: b.ServiceID, Date: b.Date, Start: b.Start}})
}

// Booking returns one of the bookings the state holds (today's and
// later), or nil.
func (s *State) Booking(code string) *Booking {
	b, _ := s.bookings.get(code)
	return b
}

// BookingSecret is the site's key for NIK hashes (nil until made).
func (s *State) BookingSecret() []byte { return s.bookingSecret }

// slotStart is the local start of the booking's slot.
func (s *State) slotStart(b *Booking) time.Time {
	d, _ := time.ParseInLocation(DateLayout, b.Date, s.Loc)
	m, _ := parseClock(b.Start)
	return d.Add(time.Duration(m) * time.Minute)
}

// CheckinWindow is when a booking can be checked in, both ends included:
// from checkin_before_min before its slot starts (but not before its
// date begins: a check-in issues a ticket of that day) to
// checkin_after_min after the start — or after the booking took the slot,
// when that was later.
func (s *State) CheckinWindow(b *Booking) (opens, closes time.Time) {
	start := s.slotStart(b)
	day, _ := time.ParseInLocation(DateLayout, b.Date, s.Loc)
	opens = start.Add(-time.Duration(s.Site.CheckinBeforeMin) * time.Minute)
	if opens.Before(day) {
		opens = day
	}
	from := start
	if b.SlotAt.After(from) {
		from = b.SlotAt.Truncate(time.Second).In(s.Loc)
	}
	return opens, from.Add(time.Duration(s.Site.CheckinAfterMin) * time.Minute)
}

// BookingStatus is a booking's status at now: a booking not checked in
// by the end of its window is expired even before the engine writes so.
func (s *State) BookingStatus(b *Booking, now time.Time) string {
	if b.Status == BookingBooked {
		if _, closes := s.CheckinWindow(b); now.After(closes) {
			return BookingExpired
		}
	}
	return b.Status
}

// BookingClosed says why a booking can no longer be changed or checked
// in at now — cancelled, checked in or expired — or nil while it is
// booked.
func (s *State) BookingClosed(b *Booking, now time.Time) error {
	switch s.BookingStatus(b, now) {
	case BookingCancelled:
		return errCancelled
	case BookingCheckedIn:
		return errCheckedIn(s, b)
	case BookingExpired:
		return errBookingExpired(s, b)
	}
	return nil
}

// CanReschedule reports whether a booking may still move to another slot
// at now: booked, window not over, never moved.
func (s *State) CanReschedule(b *Booking, now time.Time) bool {
	return s.BookingStatus(b, now) == BookingBooked && b.RescheduledAt == nil
}

// --- commands

// EnsureBookingSecret gives the site its key for NIK hashes, once: a
// later command with another secret changes nothing. The caller makes
// the secret (crypto/rand), so the command stays deterministic.
type EnsureBookingSecret struct{ Secret []byte }

func (c EnsureBookingSecret) apply(tx *txn) (any, error) {
	if tx.st.bookingSecret != nil {
		return nil, nil
	}
	if len(c.Secret) < 32 {
		return nil, fmt.Errorf("queue: a booking secret needs at least 32 bytes")
	}
	sec := slices.Clone(c.Secret)
	tx.put(KindSecret, SecretBookingNIK, &Secret{Name: SecretBookingNIK, Value: sec})
	tx.st.bookingSecret = sec
	return nil, nil
}

// CreateBooking books a place. ID and Code are made by the caller
// (NewID, NewBookingCode); Phone and NIK are as the visitor typed them.
type CreateBooking struct {
	ID, Code               string
	ServiceID, Date, Start string
	Name, Phone, NIK       string
}

func (c CreateBooking) apply(tx *txn) (any, error) {
	st := tx.st
	svc := st.services[c.ServiceID]
	if svc == nil {
		return nil, errNotFound
	}
	f := fields{}
	name, why := cleanName(c.Name)
	if why != "" {
		f.add("name", why)
	}
	phone, ok := NormalizePhone(c.Phone)
	if !ok {
		f.add("phone", "an Indonesian phone number, such as 0812 3456 7890 or +62 812 3456 7890")
	}
	var nik string
	switch {
	case svc.RequiresNIK:
		if nik, ok = NormalizeNIK(c.NIK); !ok {
			f.add("nik", "the 16 digits of the NIK (this service requires it)")
		}
	case c.NIK != "":
		f.add("nik", "this service does not take a NIK")
	}
	if _, ok := ParseBookingCode(c.Code); !ok || c.ID == "" {
		return nil, fmt.Errorf("queue: CreateBooking needs an ID and a well-formed code")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if OnlinePlaces(svc) == 0 {
		return nil, Errorf(EServiceClosed, "This service takes no online bookings.", "Layanan ini tidak menerima booking online.")
	}
	sp, err := st.findSlot(svc, c.Date, c.Start, st.now)
	if err != nil {
		return nil, err
	}
	if err := st.checkPlace(svc, c.Date, c.Start); err != nil {
		return nil, err
	}
	nikHash := ""
	if nik != "" {
		if st.bookingSecret == nil {
			return nil, fmt.Errorf("queue: no booking secret yet (EnsureBookingSecret)")
		}
		nikHash = NIKHash(st.bookingSecret, nik)
	}
	if err := st.checkHolder(svc.ID, c.Date, phone, nikHash, ""); err != nil {
		return nil, err
	}
	if st.Booking(c.Code) != nil {
		return nil, Errorf(EAlreadyExists, "This booking code is taken; try again.", "Kode booking ini sudah terpakai; coba lagi.")
	}
	b := &Booking{
		ID: c.ID, Code: c.Code, ServiceID: svc.ID, AgencyID: svc.AgencyID,
		Date: c.Date, Start: sp.start(), End: sp.end(), Status: BookingBooked,
		Name: name, Phone: phone, NIKHash: nikHash,
		CreatedAt: st.now, SlotAt: st.now,
	}
	if nik != "" {
		b.NIKLast4 = nik[len(nik)-4:]
	}
	tx.putBooking(b)
	tx.emitBooking("booking.created", b)
	return b, nil
}

// checkPlace refuses a slot with no place left, or a day whose online
// places are taken.
func (s *State) checkPlace(svc *Service, date, start string) error {
	if s.bookingCount(slotKey(svc.ID, date, start)) >= svc.SlotCapacity {
		return Errorf(ESlotFull, "This slot is full; choose another.", "Slot ini sudah penuh; silakan pilih slot lain.")
	}
	if places := OnlinePlaces(svc); places >= 0 && s.bookingCount(dayKey(svc.ID, date)) >= places {
		return Errorf(ESlotFull, "No online places are left on this day; choose another day.", "Kuota booking online hari itu sudah habis; silakan pilih hari lain.")
	}
	return nil
}

// checkHolder refuses a second active booking of one phone, or one NIK,
// for a service and day (but the booking self, when it moves).
func (s *State) checkHolder(serviceID, date, phone, nikHash, self string) error {
	for _, k := range holderKeys(serviceID, date, phone, nikHash) {
		if code, ok := s.bookingHolders.get(k); ok && code != self {
			if b := s.Booking(code); b != nil && b.active() {
				return Errorf(EAlreadyBooked, "There is already a booking for this service on that day with this phone number or NIK.", "Sudah ada booking untuk layanan ini pada hari itu dengan nomor HP atau NIK ini.")
			}
		}
	}
	return nil
}

func holderKeys(serviceID, date, phone, nikHash string) []string {
	var keys []string
	if phone != "" {
		keys = append(keys, "p|"+serviceID+"|"+date+"|"+phone)
	}
	if nikHash != "" {
		keys = append(keys, "n|"+serviceID+"|"+date+"|"+nikHash)
	}
	return keys
}

// CancelBooking cancels a booked place and erases its personal fields.
// Cancelling a cancelled booking changes nothing.
type CancelBooking struct{ Code string }

func (c CancelBooking) apply(tx *txn) (any, error) {
	st := tx.st
	b := st.Booking(c.Code)
	if b == nil {
		return nil, errNotFound
	}
	if b.Status == BookingCancelled {
		return b, nil
	}
	if err := st.BookingClosed(b, st.now); err != nil {
		return nil, err
	}
	nb := *b
	nb.Status, nb.CancelledAt = BookingCancelled, &st.now
	nb.erasePersonal()
	tx.putBooking(&nb)
	tx.emitBooking("booking.cancelled", &nb)
	return &nb, nil
}

// RescheduleBooking moves a booked place to another slot, once.
type RescheduleBooking struct{ Code, Date, Start string }

func (c RescheduleBooking) apply(tx *txn) (any, error) {
	st := tx.st
	b := st.Booking(c.Code)
	if b == nil {
		return nil, errNotFound
	}
	if err := st.BookingClosed(b, st.now); err != nil {
		return nil, err
	}
	if b.RescheduledAt != nil {
		return nil, Errorf(EAlreadyRescheduled, "This booking was rescheduled once already; cancel it and book again if you must.", "Booking ini sudah pernah diubah jadwalnya; batalkan dan booking ulang bila perlu.")
	}
	svc := st.services[b.ServiceID]
	if svc == nil {
		return nil, errNotFound
	}
	if OnlinePlaces(svc) == 0 {
		return nil, Errorf(EServiceClosed, "This service takes no online bookings.", "Layanan ini tidak menerima booking online.")
	}
	sp, err := st.findSlot(svc, c.Date, c.Start, st.now)
	if err != nil {
		return nil, err
	}
	if c.Date == b.Date && sp.start() == b.Start {
		return nil, Invalid(map[string]string{"start": "that is the booking's own slot"})
	}
	// Its own place does not count against the new slot or day.
	if c.Date == b.Date {
		if st.bookingCount(slotKey(svc.ID, c.Date, sp.start())) >= svc.SlotCapacity {
			return nil, Errorf(ESlotFull, "This slot is full; choose another.", "Slot ini sudah penuh; silakan pilih slot lain.")
		}
	} else if err := st.checkPlace(svc, c.Date, sp.start()); err != nil {
		return nil, err
	}
	if err := st.checkHolder(svc.ID, c.Date, b.Phone, b.NIKHash, b.Code); err != nil {
		return nil, err
	}
	nb := *b
	nb.Date, nb.Start, nb.End = c.Date, sp.start(), sp.end()
	nb.RescheduledAt, nb.SlotAt = &st.now, st.now
	tx.putBooking(&nb)
	tx.emitBooking("booking.rescheduled", &nb)
	return &nb, nil
}

// CheckInBooking checks a booking in at the kiosk: within its window, it
// issues a ticket of channel booking (a front ticket). The ticket is
// issued outside opening hours too (the window may open before the
// service does), and whatever the quota: the place was set aside when
// booked, within the service's online share; it counts against the
// day's quota from now on, like any ticket.
type CheckInBooking struct {
	Code string
	Key  string // the ticket's visitor-page secret, made by the caller
}

func (c CheckInBooking) apply(tx *txn) (any, error) {
	st := tx.st
	b := st.Booking(c.Code)
	if b == nil {
		return nil, errNotFound
	}
	if err := st.BookingClosed(b, st.now); err != nil {
		return nil, err
	}
	opens, _ := st.CheckinWindow(b)
	if b.Date != st.Day || st.now.Before(opens) {
		return nil, Errorf(ETooEarly, "Too early: check-in for this booking opens %s.", "Terlalu awal: check-in untuk booking ini dibuka %s.", st.when(opens))
	}
	svc := st.services[b.ServiceID]
	if svc == nil {
		return nil, errNotFound
	}
	if !svc.Active {
		return nil, Errorf(EServiceClosed, "This service is not available.", "Layanan ini tidak tersedia.")
	}
	if c.Key == "" {
		return nil, fmt.Errorf("queue: CheckInBooking needs a key")
	}
	is := tx.issue(svc, false, ChannelBooking, c.Key)
	nb := *b
	nb.Status, nb.CheckedInAt, nb.TicketID = BookingCheckedIn, &st.now, is.Ticket.ID
	tx.putBooking(&nb)
	tx.emitBooking("booking.checked_in", &nb)
	return is, nil
}

var errCancelled = Errorf(EBookingCancelled, "This booking was cancelled.", "Booking ini sudah dibatalkan.")

func errCheckedIn(st *State, b *Booking) error {
	number := ""
	if t := st.Ticket(b.TicketID); t != nil {
		number = t.Number
	}
	if number == "" {
		return Errorf(EAlreadyCheckedIn, "This booking is already checked in.", "Booking ini sudah check-in.")
	}
	return Errorf(EAlreadyCheckedIn, "This booking is already checked in: ticket %s.", "Booking ini sudah check-in: nomor antrean %s.", number)
}

func errBookingExpired(st *State, b *Booking) error {
	_, closes := st.CheckinWindow(b)
	return Errorf(EExpired, "Check-in for this booking closed %s; please take a regular ticket.", "Waktu check-in booking ini sudah berakhir %s; silakan ambil nomor antrean biasa.", st.when(closes))
}

// when says a time for a message: "at 07.30 WIB", with the date when it
// is not today ("on 2026-11-27 at 07.30 WIB").
func (s *State) when(t time.Time) string {
	t = t.In(s.Loc)
	clock := t.Format("15.04 MST")
	if d := t.Format(DateLayout); d != s.now.In(s.Loc).Format(DateLayout) {
		return d + " " + clock
	}
	return clock
}

// hasBookings reports whether someone holds a booking of the service
// that may still be checked in.
func (s *State) hasBookings(serviceID string) bool {
	found := false
	s.bookings.each(func(_ string, b *Booking) {
		found = found || (b.ServiceID == serviceID && b.Status == BookingBooked)
	})
	return found
}

// --- keeping the bookings

// putBooking stores a new version of a booking and keeps the counts and
// holders in step. Booking values are never changed in place.
func (tx *txn) putBooking(b *Booking) {
	st := tx.st
	if old := st.Booking(b.Code); old != nil {
		tx.unindexBooking(old)
	}
	if b.Date >= st.Day {
		st.bookings.set(b.Code, b, &tx.shards.bookings)
		tx.indexBooking(b)
	} else {
		st.bookings.del(b.Code, &tx.shards.bookings)
	}
	tx.put(KindBooking, b.ID, b)
	if b.Status == BookingBooked {
		// Zero stays zero: the next command works the earliest out anew.
		if _, closes := st.CheckinWindow(b); !st.bookingExpiry.IsZero() && closes.Before(st.bookingExpiry) {
			st.bookingExpiry = closes
		}
	}
}

func (tx *txn) indexBooking(b *Booking) {
	st := tx.st
	if b.Status != BookingCancelled {
		for _, k := range []string{slotKey(b.ServiceID, b.Date, b.Start), dayKey(b.ServiceID, b.Date)} {
			st.bookingCounts.set(k, st.bookingCount(k)+1, &tx.shards.bookingCounts)
		}
	}
	if b.active() {
		for _, k := range holderKeys(b.ServiceID, b.Date, b.Phone, b.NIKHash) {
			st.bookingHolders.set(k, b.Code, &tx.shards.bookingHolders)
		}
	}
}

func (tx *txn) unindexBooking(b *Booking) {
	st := tx.st
	if b.Status != BookingCancelled {
		for _, k := range []string{slotKey(b.ServiceID, b.Date, b.Start), dayKey(b.ServiceID, b.Date)} {
			if n := st.bookingCount(k); n > 1 {
				st.bookingCounts.set(k, n-1, &tx.shards.bookingCounts)
			} else {
				st.bookingCounts.del(k, &tx.shards.bookingCounts)
			}
		}
	}
	for _, k := range holderKeys(b.ServiceID, b.Date, b.Phone, b.NIKHash) {
		if code, ok := st.bookingHolders.get(k); ok && code == b.Code {
			st.bookingHolders.del(k, &tx.shards.bookingHolders)
		}
	}
}

// noExpiry is bookingExpiry when no booked booking waits for its window
// to close.
var noExpiry = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// expireBookings marks expired the booked bookings whose check-in window
// closed. It runs before every command, and does work only when the
// earliest window known to close (bookingExpiry) has closed, or the site
// settings changed since it was worked out.
func (tx *txn) expireBookings() {
	st := tx.st
	now := st.now
	if st.bookingExpirySite == st.Site && !st.bookingExpiry.IsZero() && !now.After(st.bookingExpiry) {
		return
	}
	var due []*Booking
	next := noExpiry
	st.bookings.each(func(_ string, b *Booking) {
		if b.Status != BookingBooked {
			return
		}
		if _, closes := st.CheckinWindow(b); now.After(closes) {
			due = append(due, b)
		} else if closes.Before(next) {
			next = closes
		}
	})
	slices.SortFunc(due, cmpBooking)
	for _, b := range due {
		nb := *b
		nb.Status, nb.ExpiredAt = BookingExpired, &now
		tx.putBooking(&nb)
		tx.emitBooking("booking.expired", &nb)
	}
	st.bookingExpiry, st.bookingExpirySite = next, st.Site
}

// cmpBooking orders bookings by date, start and code: events about many
// come in a stable order.
func cmpBooking(a, b *Booking) int {
	return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Start, b.Start), cmp.Compare(a.Code, b.Code))
}

// rollBookings is the booking side of a new business day: the bookings
// of the days before are expired when still booked and leave the state
// (the store keeps them), and the personal fields of bookings whose
// retention is over are purged in the store.
func (tx *txn) rollBookings(day string) {
	st := tx.st
	var old []*Booking
	st.bookings.each(func(_ string, b *Booking) {
		if b.Date < day {
			old = append(old, b)
		}
	})
	slices.SortFunc(old, cmpBooking)
	for _, b := range old {
		if b.Status == BookingBooked {
			nb := *b
			nb.Status, nb.ExpiredAt = BookingExpired, &st.now
			tx.put(KindBooking, nb.ID, &nb)
			tx.emitBooking("booking.expired", &nb)
		}
		st.bookings.del(b.Code, &tx.shards.bookings)
	}
	if len(old) > 0 {
		tx.reindexBookings()
	}
	// Personal fields are kept retention_days full days after the
	// booking's date, then erased.
	if before := dateAdd(day, -st.Site.RetentionDays, st.Loc); before > st.bookingsPurgedBefore {
		tx.put(KindBookingPurge, before, &BookingPurge{Before: before, At: st.now})
		st.bookingsPurgedBefore = before
	}
}

// reindexBookings makes the counts and holders again from the bookings.
func (tx *txn) reindexBookings() {
	st := tx.st
	st.bookingCounts, st.bookingHolders = shardMap[int]{}, shardMap[string]{}
	tx.shards.bookingCounts, tx.shards.bookingHolders = [nShards]bool{}, [nShards]bool{}
	var all []*Booking
	st.bookings.each(func(_ string, b *Booking) { all = append(all, b) })
	for _, b := range all {
		tx.indexBooking(b)
	}
	st.bookingExpiry = time.Time{}
}

// loadBookings puts the stored bookings of day and later into a new
// state.
func (st *State) loadBookings(ld *Loaded) {
	tx := &txn{st: st, owned: map[string]bool{}}
	for _, b := range ld.Bookings {
		if b.Date >= st.Day {
			st.bookings.set(b.Code, b, &tx.shards.bookings)
			tx.indexBooking(b)
		}
	}
	st.bookingSecret = ld.BookingSecret
	st.bookingsPurgedBefore = ld.BookingsPurgedBefore
}

// FindBooking finds a booking by code: one of today's or later from the
// state, an older one from the store; nil when there is none.
func (e *Engine) FindBooking(code string) (*Booking, *State, error) {
	st := e.State()
	if b := st.Booking(code); b != nil {
		return b, st, nil
	}
	b, err := e.store.Booking(code)
	return b, st, err
}
