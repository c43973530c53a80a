package queue

import (
	"io"
	"time"
)

// Kinds of records a Change writes.
const (
	KindSite    = "site"
	KindAgency  = "agency"
	KindService = "service"
	KindCounter = "counter"
	KindUser    = "user"
	KindDevice  = "device"
	KindSession = "session"
	KindIdem    = "idem"
	KindTicket  = "ticket"
	// The day's recent calls and each service's recent service times,
	// kept so that a restart shows the same calls and estimates.
	KindRecentCalls  = "recent_calls"
	KindServiceTimes = "service_times"
	// KindAudit is an *AuditEntry, by its ID (kept like tickets).
	KindAudit = "audit"
	// Online bookings (ID: the booking's ID), the purge of their personal
	// fields (ID: the date before which it purges) and the site's secrets
	// (ID: the secret's name).
	KindBooking      = "booking"
	KindBookingPurge = "booking_purge"
	KindSecret       = "secret"
)

// SecretBookingNIK names the key of NIK hashes.
const SecretBookingNIK = "booking_nik"

// Secret is the value of a KindSecret put: a key the site keeps in its
// database (it travels with backups, so a restored mall still matches
// its bookings).
type Secret struct {
	Name  string `json:"name"`
	Value []byte `json:"value"`
}

// BookingPurge is the value of a KindBookingPurge put: the store erases
// the personal fields of every booking dated before Before (and forgets
// their codes' NIK hashes).
type BookingPurge struct {
	Before string    `json:"before"`
	At     time.Time `json:"at"`
}

// RecentCalls is the value of a KindRecentCalls put: the day's last calls,
// newest first.
type RecentCalls struct {
	Day   string       `json:"day"`
	Calls []RecentCall `json:"calls"`
}

// ServiceTimes is the value of a KindServiceTimes put (ID: the service's):
// the service's recent service times of the day, oldest first.
type ServiceTimes struct {
	Day       string          `json:"day"`
	ServiceID string          `json:"service_id"`
	Durations []time.Duration `json:"durations"`
}

// Put is one record to write, or to delete when Value is nil. Value is the
// pointer type of its kind: *Site, *Agency, *Service, *Counter, *User,
// *Device, *Session, *IdemRecord, *Ticket, *RecentCalls, *ServiceTimes,
// *Feedback, *AuditEntry, *Booking, *BookingPurge, *Secret, *Webhook,
// *WebhookDelivery or *PublishCursor. Tickets and survey responses are kept per business
// day; ID is the record's key (for a site, "site"; for a response, its
// ticket's ID).
type Put struct {
	Kind  string
	ID    string
	Value any
}

// Batch is what one group of commands changed: records and events, written
// together in one transaction.
type Batch struct {
	Puts   []Put
	Events []Event
	// Day, when set, records the business day the engine now lives in.
	Day string
	// Encoded is the store's own encoding of the batch, made by a store
	// that is also a Preparer; Commit uses it when set.
	Encoded any
}

// A Preparer is a Store that can encode a batch ahead of Commit, a part
// at a time: Prepare encodes the puts and events that an earlier Prepare
// of the same batch has not, and records its work in b.Encoded. The engine
// calls it as a group grows, while the group before is being committed, so
// the encoding is off the commit's serial path. Values put are never
// changed afterwards (the state is copy-on-write), so an early encoding
// stays right.
type Preparer interface {
	Prepare(b *Batch) error
}

// Loaded is the state a Store hands the engine at start.
type Loaded struct {
	Site     *Site
	Agencies []*Agency
	Services []*Service
	Counters []*Counter
	Users    []*User
	Devices  []*Device
	Sessions []*Session
	Idem     []*IdemRecord
	// Day is the business day the engine last lived in ("" on a new
	// database) and Tickets that day's tickets.
	Day     string
	Tickets []*Ticket
	// Rated lists the IDs of Day's tickets that have a survey response.
	Rated []string
	// Seq is the last event sequence number committed, and LastAt its
	// time: the engine's time never goes back before it, also when the
	// clock stepped back while the server was down.
	Seq    uint64
	LastAt time.Time
	// RecentCalls and ServiceTimes are the last stored; only those of Day
	// count.
	RecentCalls  *RecentCalls
	ServiceTimes []*ServiceTimes
	// AuditSeq is the Seq of the last audit entry stored.
	AuditSeq uint64
	// Bookings are those dated Day or later; BookingSecret the key of NIK
	// hashes (nil until made); BookingsPurgedBefore the date before which
	// bookings hold no personal data any more.
	Bookings             []*Booking
	BookingSecret        []byte
	BookingsPurgedBefore string
	// Webhooks and the deliveries kept of them (any order).
	Webhooks          []*Webhook
	WebhookDeliveries []*WebhookDelivery
	// PublishCursors are the publishers' cursors (publish.go).
	PublishCursors []*PublishCursor
}

// TicketFilter narrows a ticket listing of one day.
type TicketFilter struct {
	Day        string
	ServiceIDs []string // empty = all
	AgencyID   string   // "" = all
	Status     Status   // "" = all
	After      string   // ticket ID to start after
	Limit      int
}

// Store keeps Antrean's state durably. One engine owns it and calls
// Commit from one goroutine at a time (its committer). Reads may run
// concurrently.
type Store interface {
	Load() (*Loaded, error)
	// Commit writes the batch atomically and durably (one fsync).
	Commit(b *Batch) error
	// Events returns up to limit events with seq > after, in order.
	Events(after uint64, limit int) ([]Event, error)
	// FirstSeq returns the lowest seq still held (0 when none).
	FirstSeq() (uint64, error)
	// Ticket returns a ticket of any day, or nil when there is none.
	Ticket(id string) (*Ticket, error)
	// Tickets lists one day's tickets in issue order.
	Tickets(f TicketFilter) ([]*Ticket, error)
	// Booking returns the booking with that code, of any date, or nil.
	Booking(code string) (*Booking, error)
	// DropBefore removes events and tickets of days before the given day
	// (retention).
	DropBefore(day string) error
	// Audit lists audit entries newest first.
	Audit(f AuditFilter) ([]*AuditEntry, error)
	// Backup writes a consistent copy of the database to w.
	Backup(w io.Writer) (int64, error)
	Close() error
	FeedbackStore
}

// Clock gives the engine the time for commands it starts by itself (the
// midnight roll); tests inject their own.
type Clock func() time.Time
