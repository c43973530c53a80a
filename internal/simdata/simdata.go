// Package simdata makes service days of a busy mall for benchmarks and
// tests of history: finished tickets with their visits, the events the
// engine would have published for them, the audit entries of the
// officers' actions and sign-ins, and survey responses — written
// straight into a store, one Commit per day, without the engine (a day
// takes a second instead of minutes). Everything is deterministic given
// the day.
package simdata

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/mpp-digital/antrean/queue"
)

// Generator makes days of one mall; it numbers events and audit entries
// on from day to day, as the engine does.
type Generator struct {
	Loc      *time.Location
	Site     *queue.Site
	Agencies []*queue.Agency
	Services []*queue.Service
	Counters []*queue.Counter
	Users    []*queue.User
	// FeedbackShare is the share of served tickets rated (0.25).
	FeedbackShare float64
	// TicketsOnly makes Day's batch hold the tickets alone — no events,
	// audit entries or survey responses — for benchmarks of what is made
	// from tickets only (the reports' day summaries), where the rest
	// would be most of the writing and of the file. The tickets are the
	// same as without it, and Seq and AuditSeq do not move.
	TicketsOnly bool

	weights  []int
	byServ   map[string][]*queue.Counter
	officer  map[string]*queue.User // by counter ID
	seq      uint64
	auditSeq uint64
}

// New makes the mall: 10 agencies, 18 services with requirements and
// targets of 10–30 minutes, 40 counters with an officer each; open every
// day. Seq and AuditSeq continue after seq and auditSeq (0 for a new
// database).
func New(loc *time.Location, seq, auditSeq uint64) *Generator {
	g := &Generator{Loc: loc, FeedbackShare: 0.25, byServ: map[string][]*queue.Counter{}, officer: map[string]*queue.User{}, seq: seq, auditSeq: auditSeq}
	g.Site = queue.DefaultSite()
	g.Site.Name = "Mal Pelayanan Publik Kabupaten Simulasi"
	g.Site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	g.Site.Opens, g.Site.Closes = "00:00", "24:00"
	names := []string{"Dinas Kependudukan dan Pencatatan Sipil", "Kantor Imigrasi", "Samsat", "BPJS Kesehatan", "BPJS Ketenagakerjaan",
		"Kantor Pelayanan Pajak", "Polres", "Badan Pertanahan Nasional", "DPMPTSP", "PDAM"}
	short := []string{"Dukcapil", "Imigrasi", "Samsat", "BPJS Kesehatan", "BPJS TK", "Pajak", "Polres", "BPN", "DPMPTSP", "PDAM"}
	perAgency := []int{3, 2, 2, 2, 2, 2, 1, 2, 1, 1}
	svcN, ctrN := 0, 0
	for i, name := range names {
		a := &queue.Agency{ID: fmt.Sprintf("agc_sim%02d", i), Code: fmt.Sprintf("AG%d", i), Name: name, ShortName: short[i]}
		g.Agencies = append(g.Agencies, a)
		var mine []string
		for range perAgency[i] {
			s := queue.DefaultService()
			s.ID, s.AgencyID, s.Code = fmt.Sprintf("svc_sim%02d", svcN), a.ID, string(rune('A'+svcN))
			s.Name, s.NameEN = fmt.Sprintf("Layanan %s nomor %d", short[i], svcN+1), fmt.Sprintf("%s service %d", short[i], svcN+1)
			s.Requirements = []string{"KTP-el asli", "Fotokopi Kartu Keluarga", "Formulir permohonan yang sudah diisi"}
			s.Fee = "Gratis"
			s.TargetWaitMin = []int{10, 15, 20, 30}[svcN%4]
			g.Services = append(g.Services, s)
			g.weights = append(g.weights, 1+svcN%4)
			mine = append(mine, s.ID)
			svcN++
		}
		for k := range 4 {
			c := &queue.Counter{ID: fmt.Sprintf("ctr_sim%02d", ctrN), AgencyID: a.ID, Name: fmt.Sprintf("Loket %d", ctrN+1), Status: queue.CounterClosed,
				ServiceIDs: []string{mine[k%len(mine)]}}
			if k == 0 {
				c.ServiceIDs = mine
			}
			g.Counters = append(g.Counters, c)
			for _, s := range c.ServiceIDs {
				g.byServ[s] = append(g.byServ[s], c)
			}
			u := &queue.User{ID: fmt.Sprintf("usr_sim%02d", ctrN), Username: fmt.Sprintf("petugas.%02d", ctrN), Role: queue.RoleOfficer, AgencyID: a.ID,
				PasswordHash: "$2a$10$0123456789012345678901uK0bT7h5G5s8v5o6t2h0q5S7p8r9x0y"}
			g.Users = append(g.Users, u)
			g.officer[c.ID] = u
			ctrN++
		}
	}
	return g
}

// Setup is the batch that stores the mall's configuration.
func (g *Generator) Setup() *queue.Batch {
	b := &queue.Batch{Puts: []queue.Put{{Kind: queue.KindSite, ID: "site", Value: g.Site}}}
	for _, a := range g.Agencies {
		b.Puts = append(b.Puts, queue.Put{Kind: queue.KindAgency, ID: a.ID, Value: a})
	}
	for _, s := range g.Services {
		b.Puts = append(b.Puts, queue.Put{Kind: queue.KindService, ID: s.ID, Value: s})
	}
	for _, c := range g.Counters {
		b.Puts = append(b.Puts, queue.Put{Kind: queue.KindCounter, ID: c.ID, Value: c})
	}
	for _, u := range g.Users {
		b.Puts = append(b.Puts, queue.Put{Kind: queue.KindUser, ID: u.ID, Value: u})
	}
	return b
}

// Seq and AuditSeq are the last event and audit entry numbered.
func (g *Generator) Seq() uint64      { return g.seq }
func (g *Generator) AuditSeq() uint64 { return g.auditSeq }

// Day makes one finished day of n tickets as one batch: arrivals from
// 07:45 over six hours; waits of about 15 minutes (exponential, at most
// 3 hours), service of 2 to 20 minutes; 2 % cancelled, 1 % never called,
// 8 % no-shows (a third of them called back and served), 3 % transferred
// to another service and served there; the events of all that in time
// order (day.started, counters opening and closing, every ticket's
// issue, calls, recalls, service and end, survey responses), the audit
// entries of the officers (sign-in, every counter action), and a survey
// response for FeedbackShare of the served tickets (half with a profile,
// a tenth with a comment). With TicketsOnly, the tickets alone.
func (g *Generator) Day(day string, n int) *queue.Batch {
	h := fnv.New64a()
	h.Write([]byte(day))
	r := rand.New(rand.NewPCG(h.Sum64(), 42))
	midnight, err := time.ParseInLocation(queue.DateLayout, day, g.Loc)
	if err != nil {
		panic(err)
	}
	open := midnight.Add(7*time.Hour + 45*time.Minute)
	at := func(d time.Duration) time.Time { return open.Add(d) }
	arrivals := make([]time.Duration, n)
	for i := range arrivals {
		arrivals[i] = time.Duration(r.Int64N(int64(6*time.Hour/time.Second))) * time.Second
	}
	slices.Sort(arrivals)
	total := 0
	for _, w := range g.weights {
		total += w
	}
	pick := func() *queue.Service {
		x := r.IntN(total)
		for i, w := range g.weights {
			if x -= w; x < 0 {
				return g.Services[i]
			}
		}
		return g.Services[0]
	}
	mins := func(lo, hi int) time.Duration { return time.Duration(lo*60+r.IntN((hi-lo)*60)) * time.Second }
	wait := func(mean float64) time.Duration {
		return time.Duration(min(-math.Log(1-r.Float64())*mean*60, 3*3600)) * time.Second
	}

	var evs []pending
	var audits []*queue.AuditEntry
	emit := func(t time.Time, typ string, data any) {
		if g.TicketsOnly {
			return
		}
		raw, err := json.Marshal(data)
		if err != nil {
			panic(err)
		}
		evs = append(evs, pending{at: t, typ: typ, data: raw})
	}
	audit := func(t time.Time, u *queue.User, action, kind, id string) {
		if g.TicketsOnly {
			return
		}
		audits = append(audits, &queue.AuditEntry{At: t, Actor: queue.AuditActor{Kind: "user", ID: u.ID, Name: u.Username},
			Address: "10.20.1." + u.ID[len(u.ID)-2:], Action: action, Target: queue.AuditTarget{Kind: kind, ID: id}})
	}
	emit(midnight, "day.started", map[string]string{"day": day})
	for _, c := range g.Counters {
		u := g.officer[c.ID]
		on, off := at(mins(0, 15)), open.Add(7*time.Hour+mins(0, 30))
		audit(on.Add(-time.Minute), u, "login", "user", u.ID)
		cc := *c
		cc.Status, cc.OfficerID = queue.CounterOpen, u.ID
		audit(on, u, "counter.open", "counter", c.ID)
		emit(on, "counter.opened", queue.CounterEvent{Counter: &queue.CounterView{Counter: &cc}})
		cc2 := cc
		cc2.Status, cc2.OfficerID = queue.CounterClosed, ""
		audit(off, u, "counter.close", "counter", c.ID)
		emit(off, "counter.closed", queue.CounterEvent{Counter: &queue.CounterView{Counter: &cc2}})
	}

	seqs := map[string]int{}
	var puts []queue.Put
	for i, arr := range arrivals {
		svc := pick()
		issued := at(arr)
		seqs[svc.Code]++
		t := &queue.Ticket{ID: queue.TicketID(day, i+1), Number: fmt.Sprintf("%s%03d", svc.Code, seqs[svc.Code]), Channel: queue.ChannelKiosk,
			Priority: r.IntN(10) == 0, Day: day, IssuedAt: issued, Key: fmt.Sprintf("%016x", r.Uint64()), IssuedServiceID: svc.ID,
			Seq: seqs[svc.Code], Index: i + 1, QueueSeq: i + 1}
		// A step is an event of the ticket: what it was about then.
		type step struct {
			at   time.Time
			typ  string
			svc  *queue.Service
			ctr  *queue.Counter
			from *queue.Service
			st   queue.Status
		}
		var steps []step
		visit := func(s *queue.Service, queued time.Time) *queue.Visit {
			t.Visits = append(t.Visits, queue.Visit{ServiceID: s.ID, AgencyID: s.AgencyID, QueuedAt: queued})
			return &t.Visits[len(t.Visits)-1]
		}
		call := func(v *queue.Visit, s *queue.Service, when time.Time) *queue.Counter {
			c := g.byServ[s.ID][r.IntN(len(g.byServ[s.ID]))]
			v.CalledAt, v.LastCalledAt, v.CounterID, v.OfficerID = &when, &when, c.ID, g.officer[c.ID].ID
			t.Calls++
			steps = append(steps, step{at: when, typ: "ticket.called", svc: s, ctr: c, st: queue.Called})
			audit(when, g.officer[c.ID], "counter.next", "counter", c.ID)
			if r.IntN(10) == 0 { // a recall
				re := when.Add(mins(1, 2))
				t.Calls++
				steps = append(steps, step{at: re, typ: "ticket.recalled", svc: s, ctr: c, st: queue.Called})
				audit(re, g.officer[c.ID], "counter.recall", "counter", c.ID)
			}
			return c
		}
		serve := func(s *queue.Service, c *queue.Counter, from, end time.Time) {
			sv := from.Add(mins(1, 2))
			if !sv.Before(end) {
				sv = from
			}
			t.ServingAt = &sv
			steps = append(steps, step{at: sv, typ: "ticket.serving", svc: s, ctr: c, st: queue.Serving})
			audit(sv, g.officer[c.ID], "counter.start", "counter", c.ID)
		}
		end := func(v *queue.Visit, outcome queue.Status, when time.Time) { v.EndedAt, v.Outcome = &when, outcome }
		v := visit(svc, issued)
		steps = append(steps, step{at: issued, typ: "ticket.issued", svc: svc, st: queue.Waiting})
		now := issued
		switch p := r.IntN(100); {
		case p < 2:
			now = now.Add(mins(1, 30))
			end(v, queue.Cancelled, now)
			t.Status = queue.Cancelled
			steps = append(steps, step{at: now, typ: "ticket.cancelled", svc: svc, st: queue.Cancelled})
		case p < 3:
			end(v, queue.Expired, midnight.Add(24*time.Hour-time.Second))
			t.Status = queue.Expired
			steps = append(steps, step{at: *v.EndedAt, typ: "ticket.expired", svc: svc, st: queue.Expired})
		default:
			now = now.Add(wait(15))
			c := call(v, svc, now)
			switch {
			case p < 11:
				now = now.Add(mins(1, 3))
				end(v, queue.NoShow, now)
				t.Status = queue.NoShow
				steps = append(steps, step{at: now, typ: "ticket.no_show", svc: svc, ctr: c, st: queue.NoShow})
				audit(now, g.officer[c.ID], "counter.no-show", "counter", c.ID)
				if r.IntN(3) == 0 {
					back := now.Add(mins(10, 60))
					v.EndedAt, v.Outcome = nil, ""
					v.LastCalledAt = &back
					t.Calls++
					steps = append(steps, step{at: back, typ: "ticket.called", svc: svc, ctr: c, st: queue.Called})
					audit(back, g.officer[c.ID], "counter.call", "counter", c.ID)
					now = back.Add(mins(2, 20))
					serve(svc, c, back, now)
					end(v, queue.Done, now)
					t.Status = queue.Done
					steps = append(steps, step{at: now, typ: "ticket.done", svc: svc, ctr: c, st: queue.Done})
				}
			case p < 14:
				now = now.Add(mins(2, 10))
				end(v, queue.Transferred, now)
				to := g.Services[(slices.Index(g.Services, svc)+1+r.IntN(len(g.Services)-1))%len(g.Services)]
				steps = append(steps, step{at: now, typ: "ticket.transferred", svc: to, ctr: c, from: svc, st: queue.Waiting})
				audit(now, g.officer[c.ID], "counter.transfer", "counter", c.ID)
				v2 := visit(to, now)
				now = now.Add(wait(10))
				c2 := call(v2, to, now)
				from := now
				now = now.Add(mins(2, 20))
				serve(to, c2, from, now)
				end(v2, queue.Done, now)
				t.Status = queue.Done
				steps = append(steps, step{at: now, typ: "ticket.done", svc: to, ctr: c2, st: queue.Done})
			default:
				from := now
				now = now.Add(mins(2, 20))
				serve(svc, c, from, now)
				end(v, queue.Done, now)
				t.Status = queue.Done
				steps = append(steps, step{at: now, typ: "ticket.done", svc: svc, ctr: c, st: queue.Done})
				if r.IntN(3) == 0 {
					audit(now, g.officer[c.ID], "counter.done", "counter", c.ID)
				}
			}
		}
		last := t.Visits[len(t.Visits)-1]
		t.ServiceID, t.AgencyID, t.QueuedAt, t.CalledAt, t.CounterID = last.ServiceID, last.AgencyID, last.QueuedAt, last.LastCalledAt, last.CounterID
		if t.Status == queue.Done {
			t.DoneAt = last.EndedAt
		}
		puts = append(puts, queue.Put{Kind: queue.KindTicket, ID: t.ID, Value: t})

		// The events: each step's public view of the ticket as it was
		// then.
		ahead := r.IntN(40)
		if g.TicketsOnly {
			steps = nil
		}
		for _, s := range steps {
			a := g.agency(s.svc.AgencyID)
			pt := &queue.PublicTicket{ID: t.ID, Number: t.Number, ServiceID: s.svc.ID, ServiceName: s.svc.Name, ServiceNameEN: s.svc.NameEN,
				AgencyID: a.ID, AgencyName: a.ShortName, Status: s.st, Priority: t.Priority, Channel: t.Channel, Day: day, Calls: t.Calls,
				IssuedAt: t.IssuedAt}
			ev := &queue.TicketEvent{Ticket: pt, Service: &queue.ServiceRef{ID: s.svc.ID, Code: s.svc.Code, Name: s.svc.Name}, Agency: &queue.Ref{ID: a.ID, Name: a.ShortName}}
			if s.st == queue.Waiting {
				pos, eta := ahead+1, 3*ahead
				pt.Position, pt.PeopleAhead, pt.EtaMin = &pos, &ahead, &eta
			}
			if s.ctr != nil {
				ev.Counter = &queue.Ref{ID: s.ctr.ID, Name: s.ctr.Name}
				if s.st == queue.Called || s.st == queue.Serving {
					pt.CounterName = s.ctr.Name
				}
				when := s.at
				pt.CalledAt = &when
			}
			if s.st == queue.Serving || s.st == queue.Done {
				pt.ServingAt = t.ServingAt
			}
			if s.st == queue.Done {
				pt.DoneAt = t.DoneAt
			}
			if s.from != nil {
				ev.FromService = &queue.ServiceRef{ID: s.from.ID, Code: s.from.Code, Name: s.from.Name}
			}
			if s.typ == "ticket.called" || s.typ == "ticket.recalled" {
				ev.Announcement = &queue.Announcement{
					ID: "Nomor antrean " + t.Number[:1] + " " + queue.NumberWords(t.Seq) + ", silakan menuju " + s.ctr.Name,
					EN: "Ticket " + t.Number + ", please go to " + s.ctr.Name}
			}
			emit(s.at, s.typ, ev)
		}

		// The survey; drawn with TicketsOnly too, so that the next
		// tickets are the same.
		if t.Status == queue.Done && r.Float64() < g.FeedbackShare {
			f := &queue.Feedback{TicketID: t.ID, Day: day, ServiceID: t.ServiceID, AgencyID: t.AgencyID, CounterID: t.CounterID, Channel: "visitor",
				At: t.DoneAt.Add(mins(1, 4)), Scores: make([]int, 9)}
			for k := range f.Scores {
				f.Scores[k] = 2 + r.IntN(3)
			}
			if r.IntN(2) == 0 {
				f.Profile = &queue.Profile{Gender: []string{"L", "P"}[r.IntN(2)], AgeBand: []string{"20-29", "30-39", "40-49", "50-59"}[r.IntN(4)],
					Education: []string{"SMA", "S1", "D1-D3"}[r.IntN(3)], Occupation: []string{"Swasta", "PNS", "Wirausaha", "Lainnya"}[r.IntN(4)]}
			}
			if r.IntN(10) == 0 {
				f.Comment = []string{"Pelayanan cepat, petugas ramah.", "Antrean terlalu lama, mohon ditambah loket.", "Ruang tunggu nyaman dan bersih."}[r.IntN(3)]
			}
			if !g.TicketsOnly {
				puts = append(puts, queue.Put{Kind: queue.KindFeedback, ID: t.ID, Value: f})
			}
			emit(f.At, "feedback.received", queue.FeedbackEvent{TicketID: t.ID, ServiceID: t.ServiceID})
		}
	}

	// Number the events and audit entries in time order, as the engine
	// would have.
	slices.SortStableFunc(evs, func(a, b pending) int { return a.at.Compare(b.at) })
	b := &queue.Batch{Day: day, Puts: puts}
	for _, e := range evs {
		g.seq++
		b.Events = append(b.Events, queue.Event{Seq: g.seq, Type: e.typ, At: e.at, Data: e.data})
	}
	slices.SortStableFunc(audits, func(a, b *queue.AuditEntry) int { return cmp.Compare(a.At.UnixNano(), b.At.UnixNano()) })
	for _, a := range audits {
		g.auditSeq++
		a.Seq, a.ID = g.auditSeq, strconv.FormatUint(g.auditSeq, 10)
		b.Puts = append(b.Puts, queue.Put{Kind: queue.KindAudit, ID: a.ID, Value: a})
	}
	return b
}

type pending struct {
	at   time.Time
	typ  string
	data json.RawMessage
}

func (g *Generator) agency(id string) *queue.Agency {
	for _, a := range g.Agencies {
		if a.ID == id {
			return a
		}
	}
	return &queue.Agency{ID: id}
}
