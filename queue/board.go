package queue

import "time"

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
	AgencyID     string `json:"agency_id"`
	Waiting      int    `json:"waiting"`
	EtaMin       *int   `json:"eta_min"`
	OpenCounters int    `json:"open_counters"`
}

// BoardCounter is one counter on the board.
type BoardCounter struct {
	ID       string       `json:"id"`
	Name     string       `json:"name"`
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

// Board renders the public live state.
func (s *State) Board() *Board {
	b := &Board{Seq: s.Seq, Day: s.Day, Services: []BoardService{}, Counters: []BoardCounter{}, RecentCalls: s.recentCalls}
	if b.RecentCalls == nil {
		b.RecentCalls = []RecentCall{}
	}
	for _, svc := range s.Services() {
		n := len(s.waiting[svc.ID])
		b.Services = append(b.Services, BoardService{
			ID: svc.ID, Code: svc.Code, Name: svc.Name, AgencyID: svc.AgencyID,
			Waiting: n, EtaMin: s.ETA(svc.ID, n), OpenCounters: s.OpenCounters(svc.ID),
		})
	}
	for _, c := range s.Counters() {
		bc := BoardCounter{ID: c.ID, Name: c.Name, AgencyID: c.AgencyID, Status: c.Status}
		if t := s.Ticket(c.CurrentID); t != nil {
			bc.Current = &BoardTicket{Number: t.Number, Status: t.Status, CalledAt: t.CalledAt}
		}
		b.Counters = append(b.Counters, bc)
	}
	return b
}
