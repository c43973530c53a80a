package queue

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The satisfaction survey (SKM, PermenPANRB 14/2017; DOMAIN.md): one
// anonymous response per ticket, only after the ticket is done, and only
// until the end of the ticket's business day — after the midnight roll the
// engine no longer holds the ticket, and a response the next morning says
// little about the service of the day before. A survey tablet at a
// counter (a device of kind survey) may rate the tickets its counter
// finished, for SurveyWindow after done.
//
// A response holds the scores, optionally the respondent's profile (fixed
// lists below) and a comment, and nothing that names the visitor: no
// name, phone or NIK. Profiles and comments are purged after the site's
// retention_days (survey.Purger); the scores stay, so the index (IKM) of
// an old period still computes.

// SurveyWindow is how long after done a survey device may rate a ticket.
const SurveyWindow = 5 * time.Minute

// MaxCommentLen bounds a response's comment, in characters.
const MaxCommentLen = 500

// Feedback channels: how a response came in.
const (
	FeedbackVisitor = "visitor" // the visitor's page, with the ticket's key
	FeedbackDevice  = "device"  // a survey tablet at the counter
)

// Profile is the respondent's optional profile; each field is empty (not
// answered) or one of its ProfileOptions.
type Profile struct {
	Gender     string `json:"gender,omitempty"`
	AgeBand    string `json:"age_band,omitempty"`
	Education  string `json:"education,omitempty"`
	Occupation string `json:"occupation,omitempty"`
}

// Empty reports whether no field was answered.
func (p Profile) Empty() bool { return p == Profile{} }

// ProfileOptions are the answers of each profile field, by JSON name, in
// the order the forms show them. They follow the usual SKM questionnaire:
// gender L (laki-laki) or P (perempuan); age bands in years; education
// SD, SMP, SMA (also SMK and equivalents), D1-D3, S1 (also D4), S2, S3;
// occupation PNS, TNI, POLRI, Swasta (private employee), Wirausaha
// (self-employed), Lainnya (other: students, homemakers, ...).
var ProfileOptions = map[string][]string{
	"gender":     {"L", "P"},
	"age_band":   {"<20", "20-29", "30-39", "40-49", "50-59", "60+"},
	"education":  {"SD", "SMP", "SMA", "D1-D3", "S1", "S2", "S3"},
	"occupation": {"PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Lainnya"},
}

// ProfileFields are the profile's JSON names in form order.
var ProfileFields = []string{"gender", "age_band", "education", "occupation"}

// Field returns a profile field by its JSON name.
func (p Profile) Field(name string) string {
	switch name {
	case "gender":
		return p.Gender
	case "age_band":
		return p.AgeBand
	case "education":
		return p.Education
	case "occupation":
		return p.Occupation
	}
	return ""
}

// Feedback is one stored survey response. TicketID is its key; the
// response carries nothing of the visitor beyond what they chose to give.
type Feedback struct {
	TicketID  string    `json:"ticket_id"`
	Day       string    `json:"day"`
	ServiceID string    `json:"service_id"`
	AgencyID  string    `json:"agency_id"`
	CounterID string    `json:"counter_id"`
	Channel   string    `json:"channel"`
	At        time.Time `json:"at"`
	// Scores holds one answer 1–4 per element of the site's SKM list at
	// the time, in order (U1, U2, ...).
	Scores  []int    `json:"scores"`
	Profile *Profile `json:"profile,omitempty"`
	Comment string   `json:"comment,omitempty"`
}

// Personal reports whether the response still holds what retention
// purges: a profile or a comment.
func (f *Feedback) Personal() bool {
	return (f.Profile != nil && !f.Profile.Empty()) || f.Comment != ""
}

// FeedbackEvent is the data of feedback.received: the ticket, its
// service and agency, and the answers (one 1–4 per SKM element, in the
// site's order) — so that a region server, which has no responses of its
// own, computes the IKM from the events. Nothing personal: never the
// profile or the comment, which stay at the site and are purged after
// its retention. The scores were added after the first two fields:
// receivers that read only those are unaffected.
type FeedbackEvent struct {
	TicketID  string `json:"ticket_id"`
	ServiceID string `json:"service_id"`
	AgencyID  string `json:"agency_id"`
	Scores    []int  `json:"scores"`
}

// FeedbackStore is the part of a Store that keeps survey responses (put
// by the engine as KindFeedback).
type FeedbackStore interface {
	// Feedback calls fn with each response of the days from..to
	// (YYYY-MM-DD, inclusive), by day, then by ticket. fn must not keep
	// the store busy: it runs inside a read transaction.
	Feedback(from, to string, fn func(*Feedback) error) error
	// PurgeFeedback removes the profiles and comments of the responses of
	// the days before the given day, and answers how many it changed.
	PurgeFeedback(before string) (int, error)
}

// KindFeedback is the kind of a Put of a survey response (*Feedback),
// kept per business day by ticket.
const KindFeedback = "feedback"

// Errors of the survey.
const (
	EAlreadyRated = "already_rated"
	// ESurveyClosed: the ticket can no longer be rated (its day has
	// ended, or a survey device's window after done has passed).
	ESurveyClosed = "survey_closed"
)

var (
	errAlreadyRated = Errorf(EAlreadyRated, "This ticket has been rated already; thank you.", "Tiket ini sudah dinilai; terima kasih.")
	errNotDone      = Errorf(EInvalidTransition, "The survey opens when the service is finished.", "Survei dibuka setelah layanan selesai.")
	errDayClosed    = Errorf(ESurveyClosed, "The survey for this ticket closed at the end of its day.", "Survei untuk tiket ini sudah ditutup pada akhir harinya.")
	errWindowClosed = Errorf(ESurveyClosed, "A survey tablet may rate a ticket only within 5 minutes after service.", "Tablet survei hanya dapat menilai tiket dalam 5 menit setelah layanan selesai.")
	errOtherCounter = Errorf(EForbidden, "This ticket was not served at this tablet's counter.", "Tiket ini tidak dilayani di loket tablet ini.")
)

// SubmitFeedback records the survey response of a done ticket of today.
// The caller has checked the visitor's key (Engine.Visitor); a survey
// device's response names the device's counter instead.
type SubmitFeedback struct {
	TicketID string
	Scores   []int
	Profile  Profile
	Comment  string
	// Counter, when set, is the counter of the survey device sending the
	// response: the ticket must have been finished there, at most
	// SurveyWindow ago.
	Counter string
}

func (c SubmitFeedback) apply(tx *txn) (any, error) {
	st := tx.st
	t := st.Ticket(c.TicketID)
	if t == nil {
		// The visitor's key was checked against the store: a ticket of an
		// earlier day exists, and its survey has closed.
		if day, _, ok := ParseTicketID(c.TicketID); ok && c.Counter == "" && day < st.Day {
			return nil, errDayClosed
		}
		return nil, errNotFound
	}
	if c.Counter != "" && t.CounterID != c.Counter {
		return nil, errOtherCounter
	}
	if err := c.validate(st.Site); err != nil {
		return nil, err
	}
	if t.Status != Done || t.DoneAt == nil {
		return nil, errNotDone
	}
	if st.Rated(t.ID) {
		return nil, errAlreadyRated
	}
	if c.Counter != "" && st.now.Sub(*t.DoneAt) > SurveyWindow {
		return nil, errWindowClosed
	}
	f := &Feedback{
		TicketID: t.ID, Day: t.Day, ServiceID: t.ServiceID, AgencyID: t.AgencyID, CounterID: t.CounterID,
		Channel: FeedbackVisitor, At: st.now, Scores: slices.Clone(c.Scores), Comment: strings.TrimSpace(c.Comment),
	}
	if c.Counter != "" {
		f.Channel = FeedbackDevice
	}
	if !c.Profile.Empty() {
		p := c.Profile
		f.Profile = &p
	}
	st.rated.set(t.ID, true, &tx.shards.rated)
	tx.put(KindFeedback, t.ID, f)
	tx.emit("feedback.received", FeedbackEvent{TicketID: t.ID, ServiceID: t.ServiceID, AgencyID: t.AgencyID, Scores: slices.Clone(c.Scores)})
	return f, nil
}

// validate checks the answers against the site's SKM elements.
func (c SubmitFeedback) validate(site *Site) error {
	f := fields{}
	n := len(site.SKMElements)
	if len(c.Scores) != n {
		f.add("scores", fmt.Sprintf("one answer 1–4 for each of the %d elements, in order", n))
	}
	for i, s := range c.Scores {
		if s < 1 || s > 4 {
			f.add(fmt.Sprintf("scores[%d]", i), "an answer from 1 to 4")
		}
	}
	for _, name := range ProfileFields {
		if v := c.Profile.Field(name); v != "" && !slices.Contains(ProfileOptions[name], v) {
			f.add("profile."+name, "one of "+strings.Join(ProfileOptions[name], ", ")+", or empty")
		}
	}
	f.plainText("comment", c.Comment, MaxCommentLen)
	return f.err()
}

// plainText checks a free text field: valid UTF-8, at most maxLen
// characters, no control characters (a line break included: the forms
// send one line).
func (f fields) plainText(name, v string, maxLen int) {
	switch {
	case !utf8.ValidString(v):
		f.add(name, "not valid UTF-8")
	case utf8.RuneCountInString(v) > maxLen:
		f.add(name, fmt.Sprintf("at most %d characters", maxLen))
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		f.add(name, "no control characters or line breaks")
	}
}

// Rated reports whether one of today's tickets has its survey response.
func (s *State) Rated(ticketID string) bool {
	v, _ := s.rated.get(ticketID)
	return v
}

// SurveyOpen reports whether a visitor may still rate the ticket now: it
// is one of today's, done and not rated yet.
func (s *State) SurveyOpen(t *Ticket) bool {
	return t != nil && t.Day == s.Day && t.Status == Done && s.Ticket(t.ID) != nil && !s.Rated(t.ID)
}

// LastDone returns the ticket a counter finished last today, or nil.
func (s *State) LastDone(counterID string) *Ticket {
	var last *Ticket
	s.tickets.each(func(_ string, t *Ticket) {
		if t.CounterID != counterID || t.Status != Done || t.DoneAt == nil {
			return
		}
		if last == nil || t.DoneAt.After(*last.DoneAt) || (t.DoneAt.Equal(*last.DoneAt) && t.Index > last.Index) {
			last = t
		}
	})
	return last
}
