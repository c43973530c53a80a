package storage_test

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
	bolt "go.etcd.io/bbolt"
)

func bookingPut(b *queue.Booking) queue.Put {
	return queue.Put{Kind: queue.KindBooking, ID: b.ID, Value: b}
}

// TestBookingRecords: every field of a booking, its NIK hash included,
// survives a restart; Load gives the bookings of its day and later; a
// reschedule files the booking under its new date; the purge erases the
// personal fields of the dates before its cutoff and nothing else; the
// secret is kept.
func TestBookingRecords(t *testing.T) {
	dir := t.TempDir()
	db := open(t, dir)
	n := 0
	full := filled[queue.Booking](t, &n)
	full.Code, full.Date = "FULLFULL", "2026-11-27"
	mk := func(code, date string) *queue.Booking {
		return &queue.Booking{ID: "bkg_" + code, Code: code, ServiceID: "svc", Date: date, Start: "08:00", End: "08:30",
			Status: queue.BookingBooked, Name: "Budi", Phone: "+6281234567890", NIKLast4: "8901", NIKHash: "hash-" + code}
	}
	old, today, moved := mk("OLDOLDAA", "2026-11-24"), mk("TODAYAAA", "2026-11-26"), mk("MOVEDAAA", "2026-11-26")
	commit(t, db, &queue.Batch{Day: "2026-11-26", Puts: []queue.Put{
		bookingPut(full), bookingPut(old), bookingPut(today), bookingPut(moved),
		{Kind: queue.KindSecret, ID: queue.SecretBookingNIK, Value: &queue.Secret{Name: queue.SecretBookingNIK, Value: []byte("0123456789abcdef0123456789abcdef")}},
	}})
	// Moved to the 30th, then, in the same batch, its second version.
	m2 := *moved
	m2.Date = "2026-11-30"
	m3 := m2
	m3.Start = "09:00"
	commit(t, db, &queue.Batch{Puts: []queue.Put{bookingPut(&m2), bookingPut(&m3)}})
	db.Close()

	db = open(t, dir)
	l := load(t, db)
	if string(l.BookingSecret) != "0123456789abcdef0123456789abcdef" {
		t.Errorf("secret %q", l.BookingSecret)
	}
	got := map[string]*queue.Booking{}
	for _, b := range l.Bookings {
		if got[b.Code] != nil {
			t.Errorf("%s loaded twice", b.Code)
		}
		got[b.Code] = b
	}
	if len(got) != 3 || got["OLDOLDAA"] != nil {
		t.Errorf("loaded %v, want the 26th's and later only", got)
	}
	equal(t, "full booking", got["FULLFULL"], full)
	if b := got["MOVEDAAA"]; b == nil || b.Date != "2026-11-30" || b.Start != "09:00" {
		t.Errorf("moved booking: %+v", b)
	}
	if b, _ := db.Booking("OLDOLDAA"); b == nil || b.NIKHash != "hash-OLDOLDAA" {
		t.Errorf("Booking of an old code: %+v", b)
	}
	if b, _ := db.Booking("NOPENOPE"); b != nil {
		t.Errorf("Booking of an unknown code: %+v", b)
	}

	// The purge of the dates before the 27th.
	at := time.Date(2026, 12, 27, 0, 0, 0, 0, time.UTC)
	commit(t, db, &queue.Batch{Puts: []queue.Put{{Kind: queue.KindBookingPurge, ID: "2026-11-27", Value: &queue.BookingPurge{Before: "2026-11-27", At: at}}}})
	for _, code := range []string{"OLDOLDAA", "TODAYAAA"} {
		b, _ := db.Booking(code)
		if b == nil || b.Name != "" || b.Phone != "" || b.NIKLast4 != "" || b.NIKHash != "" || b.PurgedAt == nil || !b.PurgedAt.Equal(at) {
			t.Errorf("after the purge %s: %+v", code, b)
		}
		if b != nil && (b.Date == "" || b.Status != queue.BookingBooked || b.ID != "bkg_"+code) {
			t.Errorf("the purge erased more than personal fields of %s: %+v", code, b)
		}
	}
	for _, code := range []string{"FULLFULL", "MOVEDAAA"} {
		if b, _ := db.Booking(code); b.Name == "" || b.NIKHash == "" {
			t.Errorf("%s was purged: %+v", code, b)
		}
	}
	if l := load(t, db); l.BookingsPurgedBefore != "2026-11-27" {
		t.Errorf("purged before %q", l.BookingsPurgedBefore)
	}
	// A booking cannot be deleted.
	if err := db.Commit(&queue.Batch{Puts: []queue.Put{{Kind: queue.KindBooking, ID: "x", Value: (*queue.Booking)(nil)}}}); err == nil {
		t.Error("deleting a booking was accepted")
	}
}

// TestMigrateBookings: a database of schema version 2 (before bookings)
// gains the buckets of bookings and keeps what it held.
func TestMigrateBookings(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, storage.FileName)
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range []string{"meta", "site", "agencies", "services", "counters", "users", "devices", "sessions", "idem", "tickets", "events", "live"} {
			if _, err := tx.CreateBucket([]byte(name)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema_version"), binary.BigEndian.AppendUint64(nil, 2))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	db := open(t, dir)
	commit(t, db, &queue.Batch{Day: "2026-11-26", Puts: []queue.Put{bookingPut(&queue.Booking{ID: "b", Code: "AAAAAAAA", Date: "2026-11-26", Status: queue.BookingBooked})}})
	if l := load(t, db); len(l.Bookings) != 1 {
		t.Errorf("after migrating from 2, bookings %v", l.Bookings)
	}
}
