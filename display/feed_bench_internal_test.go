package display

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// BenchmarkTicketFeedsCommit is what one commit costs the phones
// following their tickets: every ticket feed works out its ticket's view
// from the new state and whether it changed. 1,700 phones over 18
// services with 60 open counters, as in the busy-morning load; "view"
// is the feeds' way, "marshal" the way before (a Position walk and two
// encodings per feed).
func BenchmarkTicketFeedsCommit(b *testing.B) {
	st, tickets := feedState(b, 1700, 18, 60)
	b.Run("view", func(b *testing.B) {
		h := NewHub(nil)
		last := make([]*queue.PublicTicket, len(tickets))
		b.ReportAllocs()
		for b.Loop() {
			h.places = placeCache{} // a new state each commit
			for i, t := range tickets {
				v := st.PublicIn(t, h.places.of(st, t))
				if last[i] == nil || !samePublic(v, last[i]) {
					last[i] = v
				}
			}
		}
	})
	b.Run("marshal", func(b *testing.B) {
		last := make([][]byte, len(tickets))
		b.ReportAllocs()
		for b.Loop() {
			for i, t := range tickets {
				v := st.Public(t)
				body, _ := json.Marshal(v)
				if string(body) != string(last[i]) {
					last[i] = body
					_, _ = json.Marshal(TicketMessage{Type: "ticket", Seq: st.Seq, Data: v})
				}
			}
		}
	})
}

// feedState makes a state with n tickets waiting over services, and
// open counters, through the real engine (without fsync).
func feedState(b *testing.B, n, services, counters int) (*queue.State, []*queue.Ticket) {
	b.Helper()
	db, err := storage.Open(b.TempDir(), storage.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	eng, err := queue.Open(db, queue.Options{Clock: func() time.Time { return now }, Location: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	do := func(cmd queue.Command) any {
		v, err := eng.Apply(context.Background(), now, cmd)
		if err != nil {
			b.Fatal(err)
		}
		return v
	}
	site := queue.DefaultSite()
	site.Timezone, site.Opens, site.Closes = "UTC", "00:00", "24:00"
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	do(queue.PutSite{Site: site})
	do(queue.PutAgency{Agency: &queue.Agency{ID: "ag", Code: "AG", Name: "Instansi"}, Create: true})
	var svcs []string
	for i := range services {
		s := queue.DefaultService()
		s.ID, s.AgencyID, s.Code, s.Name = fmt.Sprintf("svc%d", i), "ag", string(rune('A'+i%26))+string(rune('A'+i/26)), "Layanan"
		do(queue.PutService{Service: s, Create: true})
		svcs = append(svcs, s.ID)
	}
	do(queue.PutUser{User: &queue.User{ID: "u", Username: "petugas", Role: queue.RoleOfficer, AgencyID: "ag", PasswordHash: "x"}, Create: true})
	for i := range counters {
		id := fmt.Sprintf("k%d", i)
		do(queue.PutCounter{Counter: &queue.Counter{ID: id, AgencyID: "ag", Name: fmt.Sprintf("Loket %d", i+1), ServiceIDs: []string{svcs[i%services]}}, Create: true})
		do(queue.CounterAction{CounterID: id, Action: queue.ActOpen, UserID: "u"})
	}
	var tickets []*queue.Ticket
	for i := range n {
		is := do(queue.IssueTicket{ServiceID: svcs[i%services], Priority: i%7 == 0, Channel: queue.ChannelKiosk, Key: fmt.Sprint("k", i)}).(*queue.Issued)
		tickets = append(tickets, is.Ticket)
	}
	return eng.State(), tickets
}
