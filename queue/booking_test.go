package queue_test

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// ---- the booking test bed: the standard mall, a site with real hours ----

// newBookingEnv is the standard mall with the site open Monday to Friday
// 08:00–15:00, ISHOMA 12:00–13:00 Monday to Thursday, the Friday break
// 11:30–13:00, a holiday and a short special day; the booking secret is
// made. 2026-11-26 is a Thursday.
func newBookingEnv(t *testing.T, start string) *env {
	t.Helper()
	e := newEnv(t, "Asia/Jakarta", start)
	e.updateSite(func(s *queue.Site) {
		s.Weekdays = []string{"mon", "tue", "wed", "thu", "fri"}
		s.Opens, s.Closes = "08:00", "15:00"
		s.Breaks = []queue.Break{
			{Name: "ISHOMA", Days: []string{"mon", "tue", "wed", "thu"}, From: "12:00", To: "13:00"},
			{Name: "Jumatan", Days: []string{"fri"}, From: "11:30", To: "13:00"},
		}
		s.Holidays = []string{"2026-12-01"}
		s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-28", Opens: "08:00", Closes: "10:00"}}
	})
	secret := make([]byte, 32)
	rand.Read(secret)
	e.must(queue.EnsureBookingSecret{Secret: secret})
	return e
}

var bookingSeq atomic.Int64

// bookCmd is a booking of svc at date and start by phone.
func bookCmd(svc, date, start, phone string) queue.CreateBooking {
	return queue.CreateBooking{
		ID: fmt.Sprintf("bkg_%d", bookingSeq.Add(1)), Code: queue.NewBookingCode(),
		ServiceID: svc, Date: date, Start: start, Name: "Budi Santoso", Phone: phone,
	}
}

func (e *env) book(svc, date, start, phone string) *queue.Booking {
	e.t.Helper()
	return e.must(bookCmd(svc, date, start, phone)).(*queue.Booking)
}

// bookErr books and returns the error code ("" on success).
func (e *env) bookErr(cmd queue.CreateBooking) string {
	e.t.Helper()
	_, err := e.apply(cmd)
	if err == nil {
		return ""
	}
	return queue.ErrorCode(err)
}

func phone(n int) string { return fmt.Sprintf("0812%08d", n) }

func slotStarts(slots []queue.Slot) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start+"-"+s.End)
	}
	return out
}

// ---- slots ----

func TestSlots(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	st := e.st()
	svc := st.Service("svc-a")
	cases := []struct {
		date string
		want string
	}{
		// Thursday: 08:00–12:00 and 13:00–15:00 in 30 minutes.
		{"2026-11-26", "08:00-08:30 08:30-09:00 09:00-09:30 09:30-10:00 10:00-10:30 10:30-11:00 11:00-11:30 11:30-12:00 13:00-13:30 13:30-14:00 14:00-14:30 14:30-15:00"},
		// Friday: the break is 11:30–13:00.
		{"2026-11-27", "08:00-08:30 08:30-09:00 09:00-09:30 09:30-10:00 10:00-10:30 10:30-11:00 11:00-11:30 13:00-13:30 13:30-14:00 14:00-14:30 14:30-15:00"},
		// Saturday is not a weekday of the site, but a special day 08–10.
		{"2026-11-28", "08:00-08:30 08:30-09:00 09:00-09:30 09:30-10:00"},
		{"2026-11-29", ""}, // Sunday
		{"2026-12-01", ""}, // a holiday (Tuesday)
	}
	for _, c := range cases {
		slots, err := st.Slots(svc, c.date, e.now)
		if err != nil {
			t.Fatalf("%s: %v", c.date, err)
		}
		if got := strings.Join(slotStarts(slots), " "); got != c.want {
			t.Errorf("%s: slots\n %s\nwant\n %s", c.date, got, c.want)
		}
		for _, s := range slots {
			if s.Capacity != 5 || s.Booked != 0 {
				t.Errorf("%s %s: capacity %d booked %d, want 5 and 0", c.date, s.Start, s.Capacity, s.Booked)
			}
		}
	}
	// 45-minute slots skip past the break: 08:00…11:45 would cross 12:00.
	e.updateService("svc-b", func(s *queue.Service) { s.SlotMinutes = 45; s.Opens = "09:00" })
	slots, _ := e.st().Slots(e.st().Service("svc-b"), "2026-11-26", e.now)
	if got, want := strings.Join(slotStarts(slots), " "), "09:00-09:45 09:45-10:30 10:30-11:15 11:15-12:00 13:00-13:45 13:45-14:30"; got != want {
		t.Errorf("45-minute slots from 09:00:\n %s\nwant\n %s", got, want)
	}
	// Dates: today to 14 days ahead; not before, not after, not nonsense.
	for _, d := range []string{"2026-11-25", "2026-12-11", "2026-02-30", "26-11-2026", ""} {
		if _, err := e.st().Slots(svc, d, e.now); queue.ErrorCode(err) != queue.EInvalid {
			t.Errorf("slots of %q: %v, want invalid_input", d, err)
		}
	}
	if _, err := e.st().Slots(svc, "2026-12-10", e.now); err != nil {
		t.Errorf("slots 14 days ahead: %v", err)
	}
	// Today's slots are listed until they end.
	slots, _ = e.st().Slots(svc, "2026-11-26", localTime(t, e.loc, "2026-11-26 08:29:59"))
	if slots[0].Start != "08:00" {
		t.Errorf("at 08:29:59 the first slot is %s, want 08:00 (it has not ended)", slots[0].Start)
	}
	slots, _ = e.st().Slots(svc, "2026-11-26", localTime(t, e.loc, "2026-11-26 08:30:00"))
	if slots[0].Start != "08:30" {
		t.Errorf("at 08:30:00 the first slot is %s, want 08:30 (08:00 ended)", slots[0].Start)
	}
	// A service with no online share takes no bookings.
	e.updateService("svc-c", func(s *queue.Service) { s.OnlineSharePct = 0 })
	if slots, _ := e.st().Slots(e.st().Service("svc-c"), "2026-11-26", e.now); len(slots) != 0 {
		t.Errorf("svc-c with online_share_pct 0 has %d slots", len(slots))
	}
}

// ---- capacity and the online share ----

func TestBookingCapacity(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	e.updateService("svc-a", func(s *queue.Service) { s.SlotCapacity = 2 })
	e.book("svc-a", "2026-11-27", "08:00", phone(1))
	e.book("svc-a", "2026-11-27", "08:00", phone(2))
	if got := e.bookErr(bookCmd("svc-a", "2026-11-27", "08:00", phone(3))); got != queue.ESlotFull {
		t.Fatalf("third booking in a slot of 2: %q, want slot_full", got)
	}
	slots, _ := e.st().Slots(e.st().Service("svc-a"), "2026-11-27", e.now)
	if slots[0].Capacity != 2 || slots[0].Booked != 2 || slots[1].Booked != 0 {
		t.Errorf("slots after two bookings: %+v", slots[:2])
	}
	e.book("svc-a", "2026-11-27", "08:30", phone(3))

	// With a daily quota of 10 and an online share of 50 %, five places a
	// day; the fifth fills the day, whatever slot is asked for.
	e.updateService("svc-b", func(s *queue.Service) { s.DailyQuota = 10; s.OnlineSharePct = 50; s.SlotCapacity = 3 })
	for i := range 5 {
		e.book("svc-b", "2026-11-27", []string{"08:00", "08:00", "08:00", "09:00", "10:00"}[i], phone(10+i))
	}
	if got := e.bookErr(bookCmd("svc-b", "2026-11-27", "11:00", phone(20))); got != queue.ESlotFull {
		t.Fatalf("sixth booking of a day with 5 online places: %q, want slot_full", got)
	}
	slots, _ = e.st().Slots(e.st().Service("svc-b"), "2026-11-27", e.now)
	for _, s := range slots {
		if s.Capacity != s.Booked {
			t.Errorf("full day: slot %s shows %d of %d (want no place left)", s.Start, s.Booked, s.Capacity)
		}
	}
	// Another day has its own five.
	e.book("svc-b", "2026-11-30", "08:00", phone(20))
	// 33 % of 10 is 3 places (rounded down): the day holding 5 stays full.
	e.updateService("svc-b", func(s *queue.Service) { s.OnlineSharePct = 33 })
	slots, _ = e.st().Slots(e.st().Service("svc-b"), "2026-11-30", e.now)
	if slots[1].Capacity != 2 {
		t.Errorf("with 3 online places and 1 booked, an empty slot holds %d, want 2", slots[1].Capacity)
	}
	// Cancelling frees the place.
	b := e.book("svc-a", "2026-11-30", "14:30", phone(30))
	e.updateService("svc-a", func(s *queue.Service) { s.SlotCapacity = 1 })
	if got := e.bookErr(bookCmd("svc-a", "2026-11-30", "14:30", phone(31))); got != queue.ESlotFull {
		t.Fatalf("full slot: %q", got)
	}
	e.must(queue.CancelBooking{Code: b.Code})
	e.book("svc-a", "2026-11-30", "14:30", phone(31))
}

// ---- one booking per person ----

func TestOneBookingPerPerson(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	e.book("svc-a", "2026-11-27", "08:00", "0812-1111-2222")
	for _, ph := range []string{"081211112222", "+62 812 1111 2222", "62 812 1111 2222"} {
		if got := e.bookErr(bookCmd("svc-a", "2026-11-27", "09:00", ph)); got != queue.EAlreadyBooked {
			t.Errorf("second booking by %q on the same day: %q, want already_booked", ph, got)
		}
	}
	e.book("svc-a", "2026-11-30", "08:00", "081211112222") // another day
	e.book("svc-b", "2026-11-27", "08:00", "081211112222") // another service

	// The NIK, where the service asks for it: the same person with another
	// phone is refused; the NIK is kept as a hash and its last 4 digits.
	e.updateService("svc-c", func(s *queue.Service) { s.RequiresNIK = true })
	cmd := bookCmd("svc-c", "2026-11-27", "08:00", phone(1))
	cmd.NIK = "3171 0123 4567 8901"
	b := e.must(cmd).(*queue.Booking)
	if b.NIKLast4 != "8901" || len(b.NIKHash) != 64 || strings.Contains(b.NIKHash, "3171") {
		t.Errorf("NIK kept as %q / %q", b.NIKLast4, b.NIKHash)
	}
	raw, _ := json.Marshal(b)
	if strings.Contains(string(raw), b.NIKHash) || strings.Contains(string(raw), "3171012345678901") {
		t.Errorf("a booking's JSON carries the NIK or its hash: %s", raw)
	}
	cmd = bookCmd("svc-c", "2026-11-27", "09:00", phone(2))
	cmd.NIK = "3171012345678901"
	if got := e.bookErr(cmd); got != queue.EAlreadyBooked {
		t.Errorf("same NIK, other phone: %q, want already_booked", got)
	}
	cmd.NIK = ""
	if got := e.bookErr(cmd); got != queue.EInvalid {
		t.Errorf("no NIK where required: %q, want invalid_input", got)
	}
	cmd = bookCmd("svc-a", "2026-11-28", "08:00", phone(3))
	cmd.NIK = "3171012345678901"
	if got := e.bookErr(cmd); got != queue.EInvalid {
		t.Errorf("a NIK where not taken: %q, want invalid_input", got)
	}
	// Cancelling frees the person's day; the cancelled booking keeps no
	// personal data.
	c := e.must(queue.CancelBooking{Code: b.Code}).(*queue.Booking)
	if c.Name != "" || c.Phone != "" || c.NIKHash != "" || c.NIKLast4 != "" || c.Status != queue.BookingCancelled {
		t.Errorf("cancelled booking keeps %+v", c)
	}
	stored, _ := e.db.Booking(b.Code)
	if stored.Name != "" || stored.Phone != "" || stored.NIKHash != "" || stored.NIKLast4 != "" {
		t.Errorf("the store keeps personal data of a cancelled booking: %+v", stored)
	}
	cmd = bookCmd("svc-c", "2026-11-27", "09:00", phone(2))
	cmd.NIK = "3171012345678901"
	e.must(cmd)

	// Bad input.
	for _, c := range []struct {
		change func(*queue.CreateBooking)
		field  string
	}{
		{func(c *queue.CreateBooking) { c.Name = "  " }, "name"},
		{func(c *queue.CreateBooking) { c.Name = "Budi\nSantoso" }, "name"},
		{func(c *queue.CreateBooking) { c.Name = strings.Repeat("x", 101) }, "name"},
		{func(c *queue.CreateBooking) { c.Phone = "12345" }, "phone"},
		{func(c *queue.CreateBooking) { c.Date = "2026-11-25" }, "date"},
		{func(c *queue.CreateBooking) { c.Date = "2026-12-11" }, "date"},
		{func(c *queue.CreateBooking) { c.Date = "2026-02-31" }, "date"},
		{func(c *queue.CreateBooking) { c.Start = "08:10" }, "start"},
		{func(c *queue.CreateBooking) { c.Start = "12:00" }, "start"},     // the break
		{func(c *queue.CreateBooking) { c.Date = "2026-11-29" }, "start"}, // Sunday: no slots
	} {
		cmd := bookCmd("svc-a", "2026-12-02", "08:00", phone(99))
		c.change(&cmd)
		_, err := e.apply(cmd)
		var qe *queue.Error
		if !asErr(err, &qe) || qe.Code != queue.EInvalid || qe.Fields[c.field] == "" {
			t.Errorf("%+v: %v, want invalid_input on %s", cmd, err, c.field)
		}
	}
}

func asErr(err error, target **queue.Error) bool {
	e, ok := err.(*queue.Error)
	*target = e
	return ok
}

// ---- reschedule once ----

func TestRescheduleOnce(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	e.updateService("svc-a", func(s *queue.Service) { s.SlotCapacity = 1 })
	b := e.book("svc-a", "2026-11-27", "08:00", phone(1))
	e.book("svc-a", "2026-11-27", "09:00", phone(2))
	if _, err := e.apply(queue.RescheduleBooking{Code: b.Code, Date: "2026-11-27", Start: "09:00"}); queue.ErrorCode(err) != queue.ESlotFull {
		t.Fatalf("reschedule to a full slot: %v", err)
	}
	if _, err := e.apply(queue.RescheduleBooking{Code: b.Code, Date: "2026-11-27", Start: "08:00"}); queue.ErrorCode(err) != queue.EInvalid {
		t.Fatalf("reschedule to its own slot: %v", err)
	}
	nb := e.must(queue.RescheduleBooking{Code: b.Code, Date: "2026-11-30", Start: "10:00"}).(*queue.Booking)
	if nb.Date != "2026-11-30" || nb.Start != "10:00" || nb.End != "10:30" || nb.RescheduledAt == nil || nb.Code != b.Code {
		t.Fatalf("rescheduled: %+v", nb)
	}
	// The old slot is free again; the new one is taken.
	e.book("svc-a", "2026-11-27", "08:00", phone(3))
	if got := e.bookErr(bookCmd("svc-a", "2026-11-30", "10:00", phone(4))); got != queue.ESlotFull {
		t.Errorf("the new slot: %q, want slot_full", got)
	}
	if _, err := e.apply(queue.RescheduleBooking{Code: b.Code, Date: "2026-12-02", Start: "10:00"}); queue.ErrorCode(err) != queue.EAlreadyRescheduled {
		t.Fatalf("second reschedule: %v, want already_rescheduled", err)
	}
	// The store moved it to its new date.
	stored, _ := e.db.Booking(b.Code)
	if stored.Date != "2026-11-30" || stored.Start != "10:00" {
		t.Errorf("stored after reschedule: %+v", stored)
	}
	e.restart()
	if got := e.st().Booking(b.Code); got == nil || got.Date != "2026-11-30" || got.RescheduledAt == nil {
		t.Errorf("after a restart: %+v", got)
	}
	if got := e.bookErr(bookCmd("svc-a", "2026-11-30", "10:00", phone(5))); got != queue.ESlotFull {
		t.Errorf("after a restart the new slot: %q, want slot_full", got)
	}
	var types []string
	for _, ev := range e.events(0) {
		if strings.HasPrefix(ev.Type, "booking.") {
			types = append(types, ev.Type)
			if strings.Contains(string(ev.Data), b.Code) || strings.Contains(string(ev.Data), "Budi") || strings.Contains(string(ev.Data), "812") {
				t.Errorf("%s carries personal data or the code: %s", ev.Type, ev.Data)
			}
			var d struct {
				Booking map[string]string `json:"booking"`
			}
			json.Unmarshal(ev.Data, &d)
			if keys := slices.Sorted(mapKeys(d.Booking)); strings.Join(keys, ",") != "date,id,service_id,start" {
				t.Errorf("%s data: %s", ev.Type, ev.Data)
			}
		}
	}
	if got := strings.Join(types, " "); got != "booking.created booking.created booking.rescheduled booking.created" {
		t.Errorf("booking events: %s", got)
	}
}

func mapKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// ---- the check-in window, at its edges ----

func TestCheckinWindowEdges(t *testing.T) {
	// checkin_before_min 30, checkin_after_min 15 (the defaults): a 09:00
	// slot is checked in from 08:30:00 to 09:15:00, both included.
	cases := []struct {
		at   string
		want string // error code, "" for success
	}{
		{"2026-11-27 08:29:59", queue.ETooEarly},
		{"2026-11-27 08:30:00", ""},
		{"2026-11-27 09:15:00", ""},
		{"2026-11-27 09:15:01", queue.EExpired},
	}
	for _, c := range cases {
		t.Run(c.at, func(t *testing.T) {
			e := newBookingEnv(t, "2026-11-26 07:00:00")
			b := e.book("svc-a", "2026-11-27", "09:00", phone(1))
			e.at(c.at)
			v, err := e.apply(queue.CheckInBooking{Code: b.Code, Key: e.key()})
			if got := queue.ErrorCode(err); err != nil && got != c.want || err == nil && c.want != "" {
				t.Fatalf("check-in at %s: %v, want %q", c.at, err, c.want)
			}
			if c.want != "" {
				if e.st().Booking(b.Code).Status == queue.BookingCheckedIn {
					t.Fatal("a refused check-in changed the booking")
				}
				return
			}
			is := v.(*queue.Issued)
			if is.Ticket.Channel != queue.ChannelBooking || !is.Ticket.Front() || is.Ticket.Number != "A001" {
				t.Errorf("check-in ticket: %+v", is.Ticket)
			}
			nb := e.st().Booking(b.Code)
			if nb.Status != queue.BookingCheckedIn || nb.TicketID != is.Ticket.ID {
				t.Errorf("booking after check-in: %+v", nb)
			}
			if _, err := e.apply(queue.CheckInBooking{Code: b.Code, Key: e.key()}); queue.ErrorCode(err) != queue.EAlreadyCheckedIn || !strings.Contains(err.Error(), "A001") {
				t.Errorf("second check-in: %v, want already_checked_in naming A001", err)
			}
		})
	}
	// Too early on another day, with the date in the words.
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	b := e.book("svc-a", "2026-11-27", "09:00", phone(1))
	_, err := e.apply(queue.CheckInBooking{Code: b.Code, Key: e.key()})
	if queue.ErrorCode(err) != queue.ETooEarly || !strings.Contains(err.Error(), "2026-11-27 08.30 WIB") {
		t.Errorf("check-in the day before: %v", err)
	}
	// Other windows: 10 before, 5 after.
	e.updateSite(func(s *queue.Site) { s.CheckinBeforeMin, s.CheckinAfterMin = 10, 5 })
	e.at("2026-11-27 08:49:59")
	if _, err := e.apply(queue.CheckInBooking{Code: b.Code, Key: e.key()}); queue.ErrorCode(err) != queue.ETooEarly {
		t.Errorf("10 min 1 s before: %v", err)
	}
	e.at("2026-11-27 09:05:01")
	if _, err := e.apply(queue.CheckInBooking{Code: b.Code, Key: e.key()}); queue.ErrorCode(err) != queue.EExpired {
		t.Errorf("5 min 1 s after: %v", err)
	}
}

// A place booked after its slot began (a slot can be booked until it
// ends) is checked in up to checkin_after_min after it was booked.
func TestLateBookingWindow(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 09:20:00")
	b := e.book("svc-a", "2026-11-26", "09:00", phone(1))
	opens, closes := e.st().CheckinWindow(b)
	if opens.Format(stamp) != "2026-11-26 08:30:00" || !closes.Equal(b.SlotAt.Add(15*time.Minute)) || b.SlotAt.Before(localTime(t, e.loc, "2026-11-26 09:20:00")) {
		t.Errorf("window of a booking made at %s for 09:00: %s to %s", b.SlotAt.Format(stamp), opens.Format(stamp), closes.Format(stamp))
	}
	e.at("2026-11-26 09:29:59")
	e.book("svc-a", "2026-11-26", "09:00", phone(2))
	e.at("2026-11-26 09:30:00")
	if got := e.bookErr(bookCmd("svc-a", "2026-11-26", "09:00", phone(3))); got != queue.EInvalid {
		t.Errorf("booking a slot at its end: %q, want invalid_input", got)
	}
}

// ---- expiry, the day's end, the purge ----

func TestBookingExpiryAndPurge(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	e.updateSite(func(s *queue.Site) { s.RetentionDays = 2 })
	early := e.book("svc-a", "2026-11-26", "08:00", phone(1))
	late := e.book("svc-a", "2026-11-26", "14:00", phone(2))
	next := e.book("svc-a", "2026-11-27", "08:00", phone(3))
	done := e.book("svc-b", "2026-11-26", "08:00", phone(4))
	e.at("2026-11-26 08:00:00")
	e.must(queue.CheckInBooking{Code: done.Code, Key: e.key()})

	// 08:15:00 is the end of early's window: still booked.
	e.at("2026-11-26 08:15:00")
	e.must(queue.Ping{})
	if st := e.st().Booking(early.Code).Status; st != queue.BookingBooked {
		t.Fatalf("at the window's end: %s", st)
	}
	// The next command after it expires it.
	e.at("2026-11-26 08:15:01")
	e.must(queue.Ping{})
	if st := e.st().Booking(early.Code).Status; st != queue.BookingExpired {
		t.Fatalf("a second after the window: %s, want expired", st)
	}
	if stored, _ := e.db.Booking(early.Code); stored.Status != queue.BookingExpired || stored.Name == "" {
		t.Errorf("stored: %+v (expired, personal fields kept until the retention)", stored)
	}
	// The same phone may book again that day (its booking is no longer
	// active); the expired one keeps its place in its slot.
	e.book("svc-a", "2026-11-26", "09:00", phone(1))
	slots, _ := e.st().Slots(e.st().Service("svc-a"), "2026-11-26", e.now)
	if slots[0].Start != "08:00" || slots[0].Booked != 1 || e.st().Booking(early.Code) == nil {
		t.Fatalf("slots at 08:15: %+v", slots)
	}
	// The day ends: late, never checked in, expires; today's and the
	// earlier bookings leave the state, later ones stay.
	e.at("2026-11-27 00:00:05")
	e.must(queue.Ping{})
	if e.st().Booking(late.Code) != nil || e.st().Booking(next.Code) == nil {
		t.Errorf("after midnight the state holds late: %v, next: %v", e.st().Booking(late.Code), e.st().Booking(next.Code))
	}
	stored, _ := e.db.Booking(late.Code)
	if stored.Status != queue.BookingExpired {
		t.Errorf("late after midnight: %s", stored.Status)
	}
	b, st, _ := e.eng.FindBooking(late.Code)
	if b == nil || st.BookingStatus(b, e.now) != queue.BookingExpired {
		t.Errorf("FindBooking of yesterday's: %+v", b)
	}
	// Retention 2 days: 2026-11-26's bookings keep their personal fields
	// on the 27th and 28th, and lose them when the 29th begins.
	e.at("2026-11-28 23:59:59")
	e.must(queue.Ping{})
	if stored, _ := e.db.Booking(done.Code); stored.Name == "" || stored.Phone == "" {
		t.Errorf("purged too early: %+v", stored)
	}
	e.at("2026-11-29 00:00:00")
	e.must(queue.Ping{})
	for _, code := range []string{early.Code, late.Code, done.Code} {
		stored, _ := e.db.Booking(code)
		if stored == nil || stored.Name != "" || stored.Phone != "" || stored.NIKLast4 != "" || stored.NIKHash != "" || stored.PurgedAt == nil {
			t.Errorf("after the retention %s is %+v", code, stored)
		}
		if stored != nil && stored.Date != "2026-11-26" {
			t.Errorf("purge changed more than the personal fields: %+v", stored)
		}
	}
	if stored, _ := e.db.Booking(next.Code); stored.Name == "" {
		t.Errorf("the 27th's booking was purged on the 29th: %+v", stored)
	}
	// The purge survives a restart and is not repeated.
	e.restart()
	e.must(queue.Ping{})
	if stored, _ := e.db.Booking(next.Code); stored.Name == "" {
		t.Errorf("after a restart the 27th's booking lost its data: %+v", stored)
	}
	var expired int
	for _, ev := range e.events(0) {
		if ev.Type == "booking.expired" {
			expired++
		}
	}
	// early (08:15:01), late (midnight), next (27th at midnight), the 09:00 one.
	if expired != 4 {
		t.Errorf("%d booking.expired events, want 4", expired)
	}
}

// A service whose bookings may still be checked in is not deleted.
func TestDeleteServiceWithBookings(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	e.must(queue.PutService{Service: newService("svc-d", "ag-x", "D"), Create: true})
	b := e.book("svc-d", "2026-11-27", "09:00", phone(1))
	e.refuse(queue.DeleteService{ID: "svc-d"}, queue.EInUse)
	e.must(queue.CancelBooking{Code: b.Code})
	e.must(queue.DeleteService{ID: "svc-d"})
}

// ---- routing: the checked-in booking is called before walk-ins ----

func TestCheckedInBookingCalledFirst(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	b := e.book("svc-a", "2026-11-26", "09:00", phone(1))
	e.at("2026-11-26 08:30:00")
	walkIn := e.issue("svc-a", false) // earlier walk-in
	e.must(queue.CheckInBooking{Code: b.Code, Key: e.key()})
	e.openCounter("k1", "u1")
	r := e.act("k1", queue.ActNext)
	if r.Current == nil || r.Current.Channel != queue.ChannelBooking {
		t.Fatalf("next called %+v, want the checked-in booking before %s", r.Current, walkIn.Number)
	}
}

// A check-in is not refused for the quota: its place was set aside when
// booked. It counts against the quota from then on, as the kiosk shows.
func TestCheckinAndQuota(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	e.updateService("svc-a", func(s *queue.Service) { s.DailyQuota = 2 })
	b := e.book("svc-a", "2026-11-26", "09:00", phone(1))
	if left := e.st().QuotaLeft("svc-a"); left != 2 {
		t.Fatalf("a booking counts against the quota before check-in: %d left", left)
	}
	e.at("2026-11-26 08:30:00")
	e.issue("svc-a", false)
	e.issue("svc-a", false)
	if left := e.st().QuotaLeft("svc-a"); left != 0 {
		t.Fatalf("quota left %d", left)
	}
	e.refuse(e.issueCmd("svc-a", false), queue.EQuotaExhausted)
	is := e.must(queue.CheckInBooking{Code: b.Code, Key: e.key()}).(*queue.Issued)
	if is.Ticket.Number != "A003" {
		t.Errorf("check-in ticket %s", is.Ticket.Number)
	}
	// Before opening too: the window opens 30 minutes before the slot.
	e.updateService("svc-b", func(s *queue.Service) { s.Opens = "09:00" })
	e2 := e.book("svc-b", "2026-11-27", "09:00", phone(2))
	e.at("2026-11-27 08:30:00")
	e.must(queue.CheckInBooking{Code: e2.Code, Key: e.key()})
}

// Many bookings at once for few places: exactly the places are taken.
func TestConcurrentBookings(t *testing.T) {
	e := newBookingEnv(t, "2026-11-26 07:00:00")
	e.updateService("svc-a", func(s *queue.Service) { s.DailyQuota = 40; s.OnlineSharePct = 50; s.SlotCapacity = 7 })
	const n = 300
	errs := make(chan error, n)
	starts := []string{"08:00", "08:30", "09:00", "09:30", "10:00"}
	for i := range n {
		go func() {
			cmd := bookCmd("svc-a", "2026-11-27", starts[i%len(starts)], phone(1000+i))
			_, err := e.eng.Apply(t.Context(), e.now, cmd)
			errs <- err
		}()
	}
	ok, full := 0, 0
	for range n {
		switch err := <-errs; {
		case err == nil:
			ok++
		case queue.ErrorCode(err) == queue.ESlotFull:
			full++
		default:
			t.Errorf("booking: %v", err)
		}
	}
	if ok != 20 || full != n-20 {
		t.Errorf("%d booked, %d slot_full; want 20 and %d", ok, full, n-20)
	}
	slots, _ := e.st().Slots(e.st().Service("svc-a"), "2026-11-27", e.now)
	total := 0
	for _, s := range slots {
		total += s.Booked
		if s.Booked > 7 {
			t.Errorf("slot %s holds %d of 7", s.Start, s.Booked)
		}
	}
	if total != 20 {
		t.Errorf("slots hold %d bookings, want 20", total)
	}
	e.restart()
	slots, _ = e.st().Slots(e.st().Service("svc-a"), "2026-11-27", e.now)
	total = 0
	for _, s := range slots {
		total += s.Booked
	}
	if total != 20 {
		t.Errorf("after a restart the slots hold %d bookings, want 20", total)
	}
}
