package queue

import (
	"fmt"
	"time"
)

// Board is the public live state of GET /api/v1/state and the websocket
// snapshot: numbers and counters, no personal data.
type Board struct {
	Seq         uint64         `json:"seq"`
	Day         string         `json:"day"`
	Services    []BoardService `json:"services"`
	Counters    []BoardCounter `json:"counters"`
	RecentCalls []RecentCall   `json:"recent_calls"`
}

// BoardService is one service's queue on the board.
type BoardService struct {
	ID           string `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	NameEN       string `json:"name_en"`
	AgencyID     string `json:"agency_id"`
	Waiting      int    `json:"waiting"`
	EtaMin       *int   `json:"eta_min"`
	OpenCounters int    `json:"open_counters"`
	// What a kiosk shows before a tap, as of the board's time: whether a
	// ticket can be taken now, and if not why (ClosedReason: inactive,
	// closed_today, not_yet_open, closed_for_day, quota_exhausted); the
	// service's hours today ("HH:MM", empty on a closed day); the tickets
	// left in its daily quota (null: no quota).
	Open         bool   `json:"open"`
	ClosedReason string `json:"closed_reason"`
	Opens        string `json:"opens"`
	Closes       string `json:"closes"`
	QuotaLeft    *int   `json:"quota_left"`
}

// BoardCounter is one counter on the board; NameEN is its name in
// English, the Indonesian one when it has none.
type BoardCounter struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
	NameEN   string       `json:"name_en"`
	AgencyID string       `json:"agency_id"`
	Status   string       `json:"status"`
	Current  *BoardTicket `json:"current"`
}

// BoardTicket is a counter's current ticket on the board.
type BoardTicket struct {
	Number   string     `json:"number"`
	Status   Status     `json:"status"`
	CalledAt *time.Time `json:"called_at"`
}

// Board renders the public live state as of the state's last change.
func (s *State) Board() *Board { return s.BoardAt(s.now) }

// BoardAt renders the public live state with the services' opening state
// at now (the state's own time is that of its last change, which may be
// long past when nothing happened).
func (s *State) BoardAt(now time.Time) *Board {
	b := &Board{Seq: s.Seq, Day: s.Day, Services: []BoardService{}, Counters: []BoardCounter{}, RecentCalls: s.recentCalls}
	if b.RecentCalls == nil {
		b.RecentCalls = []RecentCall{}
	}
	for _, svc := range s.Services() {
		n := len(s.waiting[svc.ID])
		b.Services = append(b.Services, BoardService{
			ID: svc.ID, Code: svc.Code, Name: svc.Name, NameEN: svc.NameIn("en"), AgencyID: svc.AgencyID,
			Waiting: n, EtaMin: s.ETA(svc.ID, n), OpenCounters: s.OpenCounters(svc.ID),
		})
		bs := &b.Services[len(b.Services)-1]
		bs.ClosedReason, bs.Opens, bs.Closes = s.IssueState(svc, now)
		bs.Open = bs.ClosedReason == ""
		if left := s.QuotaLeft(svc.ID); left >= 0 {
			bs.QuotaLeft = &left
		}
	}
	for _, c := range s.Counters() {
		bc := BoardCounter{ID: c.ID, Name: c.Name, NameEN: c.NameIn("en"), AgencyID: c.AgencyID, Status: c.Status}
		if t := s.Ticket(c.CurrentID); t != nil {
			bc.Current = &BoardTicket{Number: t.Number, Status: t.Status, CalledAt: t.CalledAt}
		}
		b.Counters = append(b.Counters, bc)
	}
	return b
}

// Reasons a service takes no tickets now (BoardService.ClosedReason).
const (
	ClosedInactive  = "inactive"
	ClosedToday     = "closed_today"
	ClosedNotYet    = "not_yet_open"
	ClosedForDay    = "closed_for_day"
	ClosedQuotaFull = "quota_exhausted"
)

// IssueState tells, in CanIssue's order, why a ticket for svc cannot be
// taken at now ("" when it can), with the service's hours that day as
// "HH:MM" (empty on a closed day).
func (s *State) IssueState(svc *Service, now time.Time) (reason, opens, closes string) {
	o, c, ok := s.Hours(svc, now)
	if ok {
		opens, closes = fmt.Sprintf("%02d:%02d", o/60, o%60), fmt.Sprintf("%02d:%02d", c/60, c%60)
	}
	if s.CanIssue(svc, now) == nil {
		return "", opens, closes
	}
	local := now.In(s.Loc)
	m := local.Hour()*60 + local.Minute()
	switch {
	case !svc.Active:
		reason = ClosedInactive
	case !ok:
		reason = ClosedToday
	case m < o-s.Site.IssueOpensBeforeMin:
		reason = ClosedNotYet
	case m >= c:
		reason = ClosedForDay
	default:
		reason = ClosedQuotaFull
	}
	return reason, opens, closes
}
