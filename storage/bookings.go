package storage

import (
	"encoding/json"
	"fmt"

	"github.com/mpp-digital/antrean/queue"
	bolt "go.etcd.io/bbolt"
)

// Online bookings. Layout: bucket bookings holds every booking by its
// code (JSON, the NIK hash included); bucket booking_days holds one
// nested bucket per date ("2026-11-26") naming the codes of that date
// whose personal fields are still kept (code → booking ID), so that a
// start loads today's and later bookings without reading the rest, and
// the purge after retention_days reads only the dates it erases. Bucket
// secrets holds the site's keys by name (the key of NIK hashes); meta
// holds bookings_purged_before.

var (
	bktBookings    = []byte("bookings")
	bktBookingDays = []byte("booking_days")
	bktSecrets     = []byte("secrets")

	keyPurgedBefore = []byte("bookings_purged_before")
)

// migrateBookings is the migration that makes the buckets of bookings.
func migrateBookings(tx *bolt.Tx) error {
	for _, name := range [][]byte{bktBookings, bktBookingDays, bktSecrets} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

type bookingRec struct {
	*queue.Booking
	NIKHash string `json:"nik_hash"`
}

func bookingRecord(b *queue.Booking) any { return bookingRec{b, b.NIKHash} }

func decodeBooking(v []byte) (*queue.Booking, error) {
	r := bookingRec{Booking: new(queue.Booking)}
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("storage: decode booking: %w", err)
	}
	r.Booking.NIKHash = r.NIKHash
	return r.Booking, nil
}

// encodeBookingPut encodes the puts of bookings, their purge and secrets.
func encodeBookingPut(p queue.Put) (op, bool, error) {
	switch p.Kind {
	case queue.KindBooking:
		val, err := encode(p, bookingRecord)
		if err != nil {
			return op{}, true, err
		}
		b, _ := p.Value.(*queue.Booking)
		if b == nil || val == nil {
			return op{}, true, fmt.Errorf("storage: a booking cannot be deleted (%q)", p.ID)
		}
		code, date, id := []byte(b.Code), []byte(b.Date), []byte(b.ID)
		return op{bucket: bktBookings, key: code, fn: func(tx *bolt.Tx) error {
			return putBooking(tx, code, date, id, val)
		}}, true, nil
	case queue.KindBookingPurge:
		pv, ok := p.Value.(*queue.BookingPurge)
		if !ok || pv == nil {
			return op{}, true, fmt.Errorf("storage: booking purge %q: value is %T", p.ID, p.Value)
		}
		purge := *pv
		return op{bucket: bktBookingDays, key: []byte(p.ID), fn: func(tx *bolt.Tx) error {
			return purgeBookings(tx, purge)
		}}, true, nil
	case queue.KindSecret:
		s, ok := p.Value.(*queue.Secret)
		if !ok || s == nil || len(s.Value) == 0 {
			return op{}, true, fmt.Errorf("storage: secret %q: value is %T", p.ID, p.Value)
		}
		return op{bucket: bktSecrets, key: []byte(p.ID), val: append([]byte(nil), s.Value...)}, true, nil
	}
	return op{}, false, nil
}

// putBooking writes a booking and files its code under its date, taking
// it from the date it had (a reschedule moves it).
func putBooking(tx *bolt.Tx, code, date, id, val []byte) error {
	all, days := tx.Bucket(bktBookings), tx.Bucket(bktBookingDays)
	if old := all.Get(code); old != nil {
		var prev struct {
			Date string `json:"date"`
		}
		if err := json.Unmarshal(old, &prev); err != nil {
			return fmt.Errorf("decode booking: %w", err)
		}
		if prev.Date != string(date) {
			if b := days.Bucket([]byte(prev.Date)); b != nil {
				if err := b.Delete(code); err != nil {
					return err
				}
			}
		}
	}
	if err := all.Put(code, val); err != nil {
		return err
	}
	day, err := days.CreateBucketIfNotExists(date)
	if err != nil {
		return err
	}
	return day.Put(code, id)
}

// purgeBookings erases the personal fields of the bookings dated before
// p.Before and drops those dates from booking_days.
func purgeBookings(tx *bolt.Tx, p queue.BookingPurge) error {
	all, days := tx.Bucket(bktBookings), tx.Bucket(bktBookingDays)
	var dates [][]byte
	c := days.Cursor()
	for k, v := c.First(); k != nil && string(k) < p.Before; k, v = c.Next() {
		if v == nil {
			dates = append(dates, append([]byte(nil), k...))
		}
	}
	at := p.At
	for _, d := range dates {
		var codes [][]byte
		if err := days.Bucket(d).ForEach(func(k, _ []byte) error {
			codes = append(codes, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, code := range codes {
			v := all.Get(code)
			if v == nil {
				continue
			}
			b, err := decodeBooking(v)
			if err != nil {
				return err
			}
			b.Name, b.Phone, b.NIKLast4, b.NIKHash = "", "", "", ""
			if b.PurgedAt == nil {
				b.PurgedAt = &at
			}
			raw, err := json.Marshal(bookingRecord(b))
			if err != nil {
				return err
			}
			if err := all.Put(code, raw); err != nil {
				return err
			}
		}
		if err := days.DeleteBucket(d); err != nil {
			return err
		}
	}
	return tx.Bucket(bktMeta).Put(keyPurgedBefore, []byte(p.Before))
}

// loadBookings reads the bookings dated day or later, the secret of NIK
// hashes and how far the purge went.
func loadBookings(tx *bolt.Tx, day string, l *queue.Loaded) error {
	l.BookingsPurgedBefore = string(tx.Bucket(bktMeta).Get(keyPurgedBefore))
	if v := tx.Bucket(bktSecrets).Get([]byte(queue.SecretBookingNIK)); v != nil {
		l.BookingSecret = append([]byte(nil), v...)
	}
	if day == "" {
		return nil
	}
	all, days := tx.Bucket(bktBookings), tx.Bucket(bktBookingDays)
	c := days.Cursor()
	for k, v := c.Seek([]byte(day)); k != nil; k, v = c.Next() {
		if v != nil {
			continue
		}
		err := days.Bucket(k).ForEach(func(code, _ []byte) error {
			raw := all.Get(code)
			if raw == nil {
				return fmt.Errorf("storage: booking %s of %s is missing", code, k)
			}
			b, err := decodeBooking(raw)
			if err != nil {
				return err
			}
			l.Bookings = append(l.Bookings, b)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Booking returns the booking with that code, of any date, or nil.
func (db *DB) Booking(code string) (*queue.Booking, error) {
	if code == "" {
		return nil, nil
	}
	var b *queue.Booking
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bktBookings).Get([]byte(code))
		if v == nil {
			return nil
		}
		var err error
		b, err = decodeBooking(v)
		return err
	})
	return b, err
}
