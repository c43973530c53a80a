// Package queue is Antrean's domain: the objects of a public service mall,
// the ticket state machine, numbering, routing, waiting-time estimates and
// the single-writer engine that applies every change. It does no I/O of its
// own: persistence goes through the Store interface, time comes in as a
// value, and events leave through a Publisher.
package queue

import (
	"encoding/json"
	"time"
)

// Status is a ticket's state.
type Status string

// The ticket states of ARCHITECTURE.md.
const (
	Waiting   Status = "waiting"
	Called    Status = "called"
	Serving   Status = "serving"
	Done      Status = "done"
	NoShow    Status = "no_show"
	Cancelled Status = "cancelled"
	Expired   Status = "expired"
)

// Final reports whether the status ends a ticket's day for good. A no-show
// can still be called back, so it is not final.
func (s Status) Final() bool { return s == Done || s == Cancelled || s == Expired }

// Channels a ticket can come from.
const (
	ChannelKiosk   = "kiosk"
	ChannelStaff   = "staff"
	ChannelBooking = "booking"
)

// Counter statuses.
const (
	CounterOpen   = "open"
	CounterPaused = "paused"
	CounterClosed = "closed"
)

// Roles of staff users.
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleOfficer    = "officer"
	RoleGreeter    = "greeter"
)

// Device kinds.
const (
	DeviceKiosk   = "kiosk"
	DeviceDisplay = "display"
	// DeviceSurvey is a tablet at a counter showing the satisfaction
	// survey for the tickets that counter finishes (/survey).
	DeviceSurvey = "survey"
)

// Break is a recurring pause in service, such as ISHOMA. NameEN is its
// name in English; screens in English fall back to Name when it is empty.
type Break struct {
	Name   string   `json:"name"`
	NameEN string   `json:"name_en"`
	Days   []string `json:"days"`
	From   string   `json:"from"`
	To     string   `json:"to"`
}

// SpecialDay overrides the hours of one date; no hours means closed.
type SpecialDay struct {
	Date   string `json:"date"`
	Opens  string `json:"opens"`
	Closes string `json:"closes"`
}

// Site holds the settings of the whole mall.
type Site struct {
	Name                string       `json:"name"`
	Timezone            string       `json:"timezone"`
	BaseURL             string       `json:"base_url"`
	Weekdays            []string     `json:"weekdays"`
	Opens               string       `json:"opens"`
	Closes              string       `json:"closes"`
	IssueOpensBeforeMin int          `json:"issue_opens_before_min"`
	Breaks              []Break      `json:"breaks"`
	Holidays            []string     `json:"holidays"`
	SpecialDays         []SpecialDay `json:"special_days"`
	PriorityInterleave  int          `json:"priority_interleave"`
	CheckinBeforeMin    int          `json:"checkin_before_min"`
	CheckinAfterMin     int          `json:"checkin_after_min"`
	AnnounceAgency      bool         `json:"announce_agency"`
	TicketPaperMM       int          `json:"ticket_paper_mm"`
	RunningText         string       `json:"running_text"`
	// RunningTextEN is the running text in English; screens in English
	// fall back to RunningText when it is empty.
	RunningTextEN string   `json:"running_text_en"`
	SKMElements   []string `json:"skm_elements"`
	SKMWeightMode string   `json:"skm_weight_mode"`
	RetentionDays int      `json:"retention_days"`
}

// Agency is one institution serving at the mall.
type Agency struct {
	ID        string `json:"id"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	ShortName string `json:"short_name"`
	// NameEN and ShortNameEN are the names in English; empty means the
	// screens in English show the Indonesian ones.
	NameEN      string `json:"name_en"`
	ShortNameEN string `json:"short_name_en"`
}

// Service is one thing an agency does for visitors; its code prefixes
// ticket numbers.
type Service struct {
	ID           string   `json:"id"`
	AgencyID     string   `json:"agency_id"`
	Code         string   `json:"code"`
	Name         string   `json:"name"`
	NameEN       string   `json:"name_en"`
	Fee          string   `json:"fee"`
	FeeEN        string   `json:"fee_en"`
	Requirements []string `json:"requirements"`
	// RequirementsEN are the requirements in English, in the same order;
	// empty means the screens in English show the Indonesian ones.
	RequirementsEN []string `json:"requirements_en"`
	DailyQuota     int      `json:"daily_quota"`
	Opens          string   `json:"opens"`
	Closes         string   `json:"closes"`
	TargetWaitMin  int      `json:"target_wait_min"`
	AvgServiceMin  int      `json:"avg_service_min"`
	SlotMinutes    int      `json:"slot_minutes"`
	SlotCapacity   int      `json:"slot_capacity"`
	OnlineSharePct int      `json:"online_share_pct"`
	RequiresNIK    bool     `json:"requires_nik"`
	Active         bool     `json:"active"`
}

// Counter is a desk (loket) of one agency. Name is how it is called out
// ("Loket 3"); NameEN how screens in English show it ("Counter 3"), Name
// when it is empty. CurrentID names the ticket it holds; the API renders
// that ticket in place.
type Counter struct {
	ID          string   `json:"id"`
	AgencyID    string   `json:"agency_id"`
	Name        string   `json:"name"`
	NameEN      string   `json:"name_en"`
	ServiceIDs  []string `json:"service_ids"`
	Status      string   `json:"status"`
	PauseReason string   `json:"pause_reason"`
	OfficerID   string   `json:"officer_id"`
	CurrentID   string   `json:"-"`
	// FrontStreak counts the front-group (priority) tickets called in a row,
	// for the interleave.
	FrontStreak int `json:"-"`
}

// Ticket is one visitor's place in a queue. Key is the secret of the
// visitor's status page; it never appears in an API answer.
type Ticket struct {
	ID        string     `json:"id"`
	Number    string     `json:"number"`
	ServiceID string     `json:"service_id"`
	AgencyID  string     `json:"agency_id"`
	Status    Status     `json:"status"`
	Priority  bool       `json:"priority"`
	Channel   string     `json:"channel"`
	Day       string     `json:"day"`
	IssuedAt  time.Time  `json:"issued_at"`
	QueuedAt  time.Time  `json:"queued_at"`
	CalledAt  *time.Time `json:"called_at"`
	ServingAt *time.Time `json:"serving_at"`
	DoneAt    *time.Time `json:"done_at"`
	CounterID string     `json:"counter_id"`
	Calls     int        `json:"calls"`

	Key             string `json:"-"`
	IssuedServiceID string `json:"-"` // the service that gave the number
	Seq             int    `json:"-"` // the number within that service and day
	// Index orders the day's tickets by issue; it is part of the ID.
	Index int `json:"-"`
	// QueueSeq orders the day's entries into a queue (issue, check-in,
	// transfer, call-back): among tickets of equal rank the lower is
	// called first, even within one second and after a restart.
	QueueSeq int `json:"-"`
	// Visits is the ticket's history: one visit per queue it waited in,
	// oldest first; the last is the current one. Reports read it.
	Visits []Visit `json:"-"`
}

// Visit is one wait of a ticket in one service and how it ended.
type Visit struct {
	ServiceID string    `json:"service_id"`
	AgencyID  string    `json:"agency_id"`
	QueuedAt  time.Time `json:"queued_at"`
	// CalledAt is the call that ended the wait, by CounterID and its
	// officer OfficerID; LastCalledAt the latest call (a no-show called
	// back), from which service time runs. Nil while waiting.
	CalledAt     *time.Time `json:"called_at,omitempty"`
	LastCalledAt *time.Time `json:"last_called_at,omitempty"`
	CounterID    string     `json:"counter_id,omitempty"`
	OfficerID    string     `json:"officer_id,omitempty"`
	// EndedAt and Outcome say how the visit ended: done, no_show,
	// transferred, cancelled or expired; empty while it goes on. A no-show
	// called back goes on again.
	EndedAt *time.Time `json:"ended_at,omitempty"`
	Outcome Status     `json:"outcome,omitempty"`
}

// Transferred is the outcome of a visit that ended in a transfer; it is
// never a ticket's status.
const Transferred Status = "transferred"

// Front reports whether routing calls the ticket in the front group:
// priority visitors and checked-in appointments.
func (t *Ticket) Front() bool { return t.Priority || t.Channel == ChannelBooking }

// User is a member of staff. PasswordHash never leaves the server.
type User struct {
	ID           string `json:"id"`
	Username     string `json:"username"`
	Role         string `json:"role"`
	AgencyID     string `json:"agency_id"`
	Disabled     bool   `json:"disabled"`
	PasswordHash string `json:"-"`
}

// Device is a registered kiosk, lobby display or survey tablet. Only the
// token's hash is kept; the token itself is shown once.
type Device struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Printer   string   `json:"printer"`
	AgencyIDs []string `json:"agency_ids"`
	// CounterID is a survey tablet's counter.
	CounterID string `json:"counter_id"`
	TokenHash string `json:"-"`
}

// Session is one login. It is found by the hash of its bearer token; the
// token itself is never stored.
type Session struct {
	TokenHash string    `json:"token_hash"`
	UserID    string    `json:"user_id"`
	CSRFToken string    `json:"csrf_token"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`
}

// IdemRecord remembers the answer to a request that carried an
// Idempotency-Key, so that a repeat gets the same answer.
type IdemRecord struct {
	Key      string    `json:"key"` // hash of caller, path and the header
	BodyHash string    `json:"body_hash"`
	Status   int       `json:"status"`
	Body     []byte    `json:"body"`
	Expires  time.Time `json:"expires"`
}

// Event is one committed change, numbered by a global gap-free sequence.
type Event struct {
	Seq  uint64          `json:"seq"`
	Type string          `json:"type"`
	At   time.Time       `json:"at"`
	Data json.RawMessage `json:"data"`
	// Record, when set, is json.Marshal(e), made once by the engine with
	// Data inside it: the store keeps it and the websocket hub sends it as
	// they are. Events read back from the store do not have it.
	Record []byte `json:"-"`
}

// Day returns the local business day of the event's time, for storage
// partitioning.
func (e Event) Day() string { return e.At.Format(DateLayout) }

// DateLayout is the layout of a business day.
const DateLayout = "2006-01-02"

// English reports whether lang asks for the screens' English.
func English(lang string) bool { return lang == "en" }

// NameIn is the agency's full name in lang: English when it has one,
// else the Indonesian.
func (a *Agency) NameIn(lang string) string {
	if English(lang) && a.NameEN != "" {
		return a.NameEN
	}
	return a.Name
}

// Label is what screens call the agency in lang: its short name, or its
// name when it has none; in English the English ones first, then the
// Indonesian.
func (a *Agency) Label(lang string) string {
	if English(lang) {
		if a.ShortNameEN != "" {
			return a.ShortNameEN
		}
		if a.ShortName == "" && a.NameEN != "" {
			return a.NameEN
		}
	}
	if a.ShortName != "" {
		return a.ShortName
	}
	return a.Name
}

// NameIn is the service's name in lang, falling back to the Indonesian.
func (s *Service) NameIn(lang string) string {
	if English(lang) && s.NameEN != "" {
		return s.NameEN
	}
	return s.Name
}

// FeeIn is the service's fee in lang ("Gratis", "Free"), falling back to
// the Indonesian.
func (s *Service) FeeIn(lang string) string {
	if English(lang) && s.FeeEN != "" {
		return s.FeeEN
	}
	return s.Fee
}

// RequirementsIn are the service's requirements in lang, falling back to
// the Indonesian list when it has no English one.
func (s *Service) RequirementsIn(lang string) []string {
	if English(lang) && len(s.RequirementsEN) > 0 {
		return s.RequirementsEN
	}
	return s.Requirements
}

// RunningTextIn is the site's running text in lang, falling back to the
// Indonesian.
func (s *Site) RunningTextIn(lang string) string {
	if English(lang) && s.RunningTextEN != "" {
		return s.RunningTextEN
	}
	return s.RunningText
}

// NameIn is the counter's name in lang, falling back to the Indonesian.
func (c *Counter) NameIn(lang string) string {
	if English(lang) && c.NameEN != "" {
		return c.NameEN
	}
	return c.Name
}

// NameIn is the break's name in lang, falling back to the Indonesian.
func (b *Break) NameIn(lang string) string {
	if English(lang) && b.NameEN != "" {
		return b.NameEN
	}
	return b.Name
}
