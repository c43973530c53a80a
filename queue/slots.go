package queue

import (
	"fmt"
	"slices"
	"time"
)

// Online booking slots (API.md, "Online booking"): a service's day, from
// its hours minus the site's breaks, cut into slots of slot_minutes with
// slot_capacity places each, bookable from today to BookingDaysAhead days
// ahead. Online places per day are at most online_share_pct of the daily
// quota, so that walk-ins keep the rest.

// BookingDaysAhead is how far ahead bookings are taken: today and the
// next 14 days.
const BookingDaysAhead = 14

// Slot is one bookable period of a service on a date. Capacity is the
// places the slot can hold now: its slot_capacity, less what the day's
// online share no longer allows (so Capacity − Booked are the places
// left); Booked counts its bookings that are not cancelled.
type Slot struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Capacity int    `json:"capacity"`
	Booked   int    `json:"booked"`
}

// slotSpan is a slot's minutes after midnight, end exclusive.
type slotSpan struct{ from, to int }

func (sp slotSpan) start() string { return clockText(sp.from) }
func (sp slotSpan) end() string   { return clockText(sp.to) }

// clockText is minutes after midnight as "HH:MM".
func clockText(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

// OnlinePlaces is how many bookings a service takes per day: none when
// its online share is 0 or it is inactive; online_share_pct of its daily
// quota, rounded down, when it has one; and -1 (only the slots' places
// limit them) without a quota, where walk-ins are never turned away for
// lack of quota anyway.
func OnlinePlaces(svc *Service) int {
	switch {
	case !svc.Active || svc.OnlineSharePct <= 0:
		return 0
	case svc.DailyQuota <= 0:
		return -1
	}
	return svc.DailyQuota * svc.OnlineSharePct / 100
}

// bookingDate reads a booking date and checks that bookings are taken
// for it at now: a real date from today (in the site's zone) to
// BookingDaysAhead days ahead. It returns local midnight of the date.
func (s *State) bookingDate(date string, now time.Time) (time.Time, error) {
	f := fields{}
	f.date("date", date)
	if err := f.err(); err != nil {
		return time.Time{}, err
	}
	d, _ := time.ParseInLocation(DateLayout, date, s.Loc)
	today := now.In(s.Loc).Format(DateLayout)
	last := dateAdd(today, BookingDaysAhead, s.Loc)
	switch {
	case date < today:
		return time.Time{}, Invalid(map[string]string{"date": "in the past"})
	case date > last:
		return time.Time{}, Invalid(map[string]string{"date": fmt.Sprintf("at most %d days ahead (until %s)", BookingDaysAhead, last)})
	}
	return d, nil
}

// dateAdd is the date n days after date (YYYY-MM-DD).
func dateAdd(date string, n int, loc *time.Location) string {
	d, err := time.ParseInLocation(DateLayout, date, loc)
	if err != nil {
		return date
	}
	return d.AddDate(0, 0, n).Format(DateLayout)
}

// slotSpans cuts the service's hours on the date at midnight into slots:
// from opening, slot_minutes at a time, each ending by closing; a slot
// that would overlap a break of that weekday starts after the break
// instead. A break without days applies every day.
func (s *State) slotSpans(svc *Service, midnight time.Time) []slotSpan {
	opens, closes, ok := s.Hours(svc, midnight.Add(12*time.Hour))
	length := svc.SlotMinutes
	if !ok || length <= 0 {
		return nil
	}
	day := weekdayNames[midnight.Weekday()]
	var breaks []slotSpan
	for _, b := range s.Site.Breaks {
		if len(b.Days) > 0 && !slices.Contains(b.Days, day) {
			continue
		}
		from, ok1 := parseClock(b.From)
		to, ok2 := parseClock(b.To)
		if ok1 && ok2 && from < to {
			breaks = append(breaks, slotSpan{from, to})
		}
	}
	var out []slotSpan
	for t := opens; t+length <= closes; {
		next := slotSpan{t, t + length}
		moved := false
		for _, b := range breaks {
			if b.from < next.to && next.from < b.to && b.to > t {
				t, moved = b.to, true
			}
		}
		if moved {
			continue
		}
		out = append(out, next)
		t = next.to
	}
	return out
}

// Slots lists the slots of a service on a date that have not ended at
// now, with their places; an error for a date bookings are not taken
// for. A service that takes no bookings has none.
func (s *State) Slots(svc *Service, date string, now time.Time) ([]Slot, error) {
	midnight, err := s.bookingDate(date, now)
	if err != nil {
		return nil, err
	}
	out := []Slot{}
	places := OnlinePlaces(svc)
	if places == 0 {
		return out, nil
	}
	left := s.DayPlacesLeft(svc, date)
	for _, sp := range s.slotSpans(svc, midnight) {
		if !now.Before(midnight.Add(time.Duration(sp.to) * time.Minute)) {
			continue // ended: "a slot can be booked until it ends"
		}
		booked := s.bookingCount(slotKey(svc.ID, date, sp.start()))
		capacity := svc.SlotCapacity
		if left >= 0 {
			capacity = min(capacity, booked+left)
		}
		out = append(out, Slot{Start: sp.start(), End: sp.end(), Capacity: max(capacity, booked), Booked: booked})
	}
	return out, nil
}

// DayPlacesLeft is how many online places a service has left on a date:
// its online places less the bookings of that day that are not
// cancelled, or -1 when only its slots limit them (no quota).
func (s *State) DayPlacesLeft(svc *Service, date string) int {
	places := OnlinePlaces(svc)
	if places < 0 {
		return -1
	}
	return max(0, places-s.bookingCount(dayKey(svc.ID, date)))
}

// findSlot finds the slot of a service starting at start on a date, as a
// booking would take it at now: the date is bookable, the slot exists
// and has not ended. It returns the slot and its local start and end.
func (s *State) findSlot(svc *Service, date, start string, now time.Time) (slotSpan, error) {
	midnight, err := s.bookingDate(date, now)
	if err != nil {
		return slotSpan{}, err
	}
	if _, ok := parseClock(start); !ok {
		return slotSpan{}, Invalid(map[string]string{"start": "a time as HH:MM"})
	}
	for _, sp := range s.slotSpans(svc, midnight) {
		if sp.start() != start {
			continue
		}
		if !now.Before(midnight.Add(time.Duration(sp.to) * time.Minute)) {
			return slotSpan{}, Invalid(map[string]string{"start": "this slot has ended"})
		}
		return sp, nil
	}
	return slotSpan{}, Invalid(map[string]string{"start": "not a slot of this service on that date"})
}

// slotKey and dayKey name the counts of bookings in a slot and in a
// service's day.
func slotKey(serviceID, date, start string) string {
	return "s|" + serviceID + "|" + date + "|" + start
}
func dayKey(serviceID, date string) string { return "d|" + serviceID + "|" + date }

func (s *State) bookingCount(key string) int {
	n, _ := s.bookingCounts.get(key)
	return n
}
