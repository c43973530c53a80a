package queue_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

// ---- numbering ----

func TestNumbering(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	var got []string
	for _, s := range []string{"svc-a", "svc-b", "svc-a", "svc-c", "svc-b", "svc-a", "svc-a"} {
		got = append(got, e.issue(s, false).Number)
	}
	want := []string{"A001", "B001", "A002", "C001", "B002", "A003", "A004"}
	if !slices.Equal(got, want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	for i, n := range want {
		tk := e.tk(n)
		if tk.ID != queue.TicketID("2026-11-26", i+1) || tk.Index != i+1 || tk.Day != "2026-11-26" {
			t.Fatalf("%s: id %s index %d day %s", n, tk.ID, tk.Index, tk.Day)
		}
	}

	// Numbers are never given again in the day: not after a cancel, a
	// no-show, a transfer, nor a restart.
	e.must(queue.CancelTicket{TicketID: e.ids["A004"]})
	if n := e.issue("svc-a", false).Number; n != "A005" {
		t.Fatalf("after cancelling A004: %s, want A005", n)
	}
	e.openCounter("k1", "u1")
	e.act("k1", queue.ActNext) // A001
	e.act("k1", queue.ActNoShow)
	e.act("k1", queue.ActNext) // B001
	e.act("k1", queue.ActTransfer, "svc-a")
	if n := e.issue("svc-a", false).Number; n != "A006" {
		t.Fatalf("after a no-show and a transfer in: %s, want A006", n)
	}
	if n := e.issue("svc-b", false).Number; n != "B003" {
		t.Fatalf("after a transfer out: %s, want B003", n)
	}
	e.restart()
	if n := e.issue("svc-a", false).Number; n != "A007" {
		t.Fatalf("after a restart: %s, want A007", n)
	}
	stored, err := e.db.Tickets(queue.TicketFilter{Day: "2026-11-26"})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, tk := range stored {
		if seen[tk.Number] {
			t.Fatalf("number %s issued twice", tk.Number)
		}
		seen[tk.Number] = true
	}
	if len(stored) != 11 {
		t.Fatalf("%d tickets stored, want 11", len(stored))
	}
}

func TestNumberingPastNineHundredNinetyNine(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	seen := map[string]bool{}
	for i := 1; i <= 1000; i++ {
		tk := e.issue("svc-b", false) // no quota
		want := fmt.Sprintf("B%03d", i)
		if tk.Number != want || tk.Seq != i || seen[tk.Number] {
			t.Fatalf("ticket %d: number %s seq %d (seen before: %v), want %s", i, tk.Number, tk.Seq, seen[tk.Number], want)
		}
		seen[tk.Number] = true
	}
	for _, n := range []string{"B001", "B099", "B999", "B1000"} {
		if !seen[n] {
			t.Fatalf("%s was not issued", n)
		}
	}
	if tk := e.issue("svc-a", false); tk.Number != "A001" {
		t.Fatalf("another service: %s", tk.Number)
	}
	if tk := e.issue("svc-b", false); tk.Number != "B1001" {
		t.Fatalf("after B1000: %s", tk.Number)
	}
}

// ---- quota ----

func TestQuota(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.updateService("svc-a", func(s *queue.Service) { s.DailyQuota = 3 })
	e.updateService("svc-b", func(s *queue.Service) { s.DailyQuota = 2 })
	if q := e.st().QuotaLeft("svc-c"); q != -1 {
		t.Fatalf("no quota: QuotaLeft %d, want -1", q)
	}
	for i := 1; i <= 3; i++ {
		e.issue("svc-a", false)
		if q := e.st().QuotaLeft("svc-a"); q != 3-i {
			t.Fatalf("after %d: quota left %d", i, q)
		}
	}
	e.refuse(e.issueCmd("svc-a", false), queue.EQuotaExhausted)
	e.refuse(e.issueCmd("svc-a", true), queue.EQuotaExhausted) // priority too
	if err := e.st().CanIssue(e.st().Service("svc-a"), e.now); queue.ErrorCode(err) != queue.EQuotaExhausted {
		t.Fatalf("CanIssue: %v", err)
	}

	// A cancelled ticket frees its place; its number stays used.
	e.must(queue.CancelTicket{TicketID: e.ids["A002"]})
	if q := e.st().QuotaLeft("svc-a"); q != 1 {
		t.Fatalf("after a cancel: quota left %d, want 1", q)
	}
	if n := e.issue("svc-a", false).Number; n != "A004" {
		t.Fatalf("after a cancel: %s, want A004", n)
	}
	e.refuse(e.issueCmd("svc-a", false), queue.EQuotaExhausted)

	// Transferred-in tickets don't count toward the target's quota; they
	// stay counted where they were issued.
	e.issue("svc-b", false) // B001: 1 of 2
	e.openCounter("k1", "u1")
	e.act("k1", queue.ActCall, e.ids["A001"])
	e.act("k1", queue.ActTransfer, "svc-b")
	if qa, qb := e.st().QuotaLeft("svc-a"), e.st().QuotaLeft("svc-b"); qa != 0 || qb != 1 {
		t.Fatalf("after transfer A→B: quota left A %d B %d, want 0 and 1", qa, qb)
	}
	if n := e.issue("svc-b", false).Number; n != "B002" {
		t.Fatalf("B after the transfer: %s", n)
	}
	e.refuse(e.issueCmd("svc-b", false), queue.EQuotaExhausted)
	if got := numbers(e.st().Waiting("svc-b")); !slices.Equal(got, []string{"B001", "A001", "B002"}) {
		t.Fatalf("svc-b waits %v", got)
	}
	// A transferred ticket that is cancelled frees its own service's place.
	e.must(queue.CancelTicket{TicketID: e.ids["A001"]})
	if qa, qb := e.st().QuotaLeft("svc-a"), e.st().QuotaLeft("svc-b"); qa != 1 || qb != 0 {
		t.Fatalf("after cancelling the transferred A001: A %d B %d, want 1 and 0", qa, qb)
	}

	// The count survives a restart and restarts with the day.
	e.restart()
	if qa, qb := e.st().QuotaLeft("svc-a"), e.st().QuotaLeft("svc-b"); qa != 1 || qb != 0 {
		t.Fatalf("after restart: A %d B %d, want 1 and 0", qa, qb)
	}
	e.at("2026-11-27 08:00:00")
	if n := e.issue("svc-b", false).Number; n != "B001" || e.st().QuotaLeft("svc-b") != 1 {
		t.Fatalf("next day: %s, quota left %d", n, e.st().QuotaLeft("svc-b"))
	}
}

// ---- hours ----

func TestHours(t *testing.T) {
	const zone = "Asia/Jayapura" // local times, not UTC, decide
	// 2026-11-26 is a Thursday, 2026-11-28 a Saturday, 2026-11-29 a Sunday.
	type tc struct {
		name    string
		site    func(*queue.Site)
		service func(*queue.Service)
		at      string
		closed  bool
	}
	none := func(*queue.Site) {}
	cases := []tc{
		{"before issue opens", none, nil, "2026-11-26 07:44:59", true},
		{"issue opens 15 min early", none, nil, "2026-11-26 07:45:00", false},
		{"opening", none, nil, "2026-11-26 08:00:00", false},
		{"last second", none, nil, "2026-11-26 14:59:59", false},
		{"at closing", none, nil, "2026-11-26 15:00:00", true},
		{"evening", none, nil, "2026-11-26 22:00:00", true},
		{"after midnight", none, nil, "2026-11-26 00:30:00", true},
		{"saturday not listed", none, nil, "2026-11-28 10:00:00", true},
		{"sunday not listed", none, nil, "2026-11-29 10:00:00", true},
		{"weekday listed alone", func(s *queue.Site) { s.Weekdays = []string{"sat"} }, nil, "2026-11-28 10:00:00", false},
		{"weekday no longer listed", func(s *queue.Site) { s.Weekdays = []string{"sat"} }, nil, "2026-11-26 10:00:00", true},
		{"holiday", func(s *queue.Site) { s.Holidays = []string{"2026-11-20", "2026-11-26"} }, nil, "2026-11-26 10:00:00", true},
		{"other holiday", func(s *queue.Site) { s.Holidays = []string{"2026-12-25"} }, nil, "2026-11-26 10:00:00", false},
		{"special day without hours", func(s *queue.Site) { s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-26"}} }, nil, "2026-11-26 10:00:00", true},
		{"special saturday open", func(s *queue.Site) {
			s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-28", Opens: "09:00", Closes: "12:00"}}
		}, nil, "2026-11-28 10:00:00", false},
		{"special saturday early", func(s *queue.Site) {
			s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-28", Opens: "09:00", Closes: "12:00"}}
		}, nil, "2026-11-28 08:44:59", true},
		{"special saturday doors", func(s *queue.Site) {
			s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-28", Opens: "09:00", Closes: "12:00"}}
		}, nil, "2026-11-28 08:45:00", false},
		{"special saturday closed", func(s *queue.Site) {
			s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-28", Opens: "09:00", Closes: "12:00"}}
		}, nil, "2026-11-28 12:00:00", true},
		{"special hours replace the site's", func(s *queue.Site) {
			s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-26", Opens: "10:00", Closes: "11:00"}}
		}, nil, "2026-11-26 09:00:00", true},
		{"special hours end early", func(s *queue.Site) {
			s.SpecialDays = []queue.SpecialDay{{Date: "2026-11-26", Opens: "10:00", Closes: "11:00"}}
		}, nil, "2026-11-26 11:00:00", true},
		{"inactive service", none, func(s *queue.Service) { s.Active = false }, "2026-11-26 10:00:00", true},
		{"service opens later", none, func(s *queue.Service) { s.Opens, s.Closes = "10:00", "12:00" }, "2026-11-26 09:44:59", true},
		{"service doors", none, func(s *queue.Service) { s.Opens, s.Closes = "10:00", "12:00" }, "2026-11-26 09:45:00", false},
		{"service closes earlier", none, func(s *queue.Service) { s.Opens, s.Closes = "10:00", "12:00" }, "2026-11-26 12:00:00", true},
		{"service hours inside the site's", none, func(s *queue.Service) { s.Opens, s.Closes = "07:00", "16:00" }, "2026-11-26 07:44:00", true},
		{"service hours inside the site's, end", none, func(s *queue.Service) { s.Opens, s.Closes = "07:00", "16:00" }, "2026-11-26 15:30:00", true},
		{"no early issue", func(s *queue.Site) { s.IssueOpensBeforeMin = 0 }, nil, "2026-11-26 07:59:59", true},
		{"no early issue, opening", func(s *queue.Site) { s.IssueOpensBeforeMin = 0 }, nil, "2026-11-26 08:00:00", false},
		{"30 min early", func(s *queue.Site) { s.IssueOpensBeforeMin = 30 }, nil, "2026-11-26 07:30:00", false},
		{"open to midnight", func(s *queue.Site) { s.Closes = "24:00" }, nil, "2026-11-26 23:59:59", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, zone, "2026-11-25 06:00:00")
			e.updateSite(func(s *queue.Site) {
				d := queue.DefaultSite()
				s.Weekdays, s.Opens, s.Closes = d.Weekdays, d.Opens, d.Closes
				c.site(s)
			})
			if c.service != nil {
				e.updateService("svc-a", c.service)
			}
			// Start the case's day first: the first command of a day rolls
			// it, refused or not.
			e.at(c.at[:10] + " 00:00:00")
			e.must(queue.Ping{})
			e.at(c.at)
			svc := e.st().Service("svc-a")
			when := localTime(t, e.loc, c.at)
			canErr := e.st().CanIssue(svc, when)
			if c.closed {
				if queue.ErrorCode(canErr) != queue.EServiceClosed {
					t.Fatalf("CanIssue at %s: %v, want service_closed", c.at, canErr)
				}
				e.refuse(e.issueCmd("svc-a", false), queue.EServiceClosed)
				return
			}
			if canErr != nil {
				t.Fatalf("CanIssue at %s: %v", c.at, canErr)
			}
			tk := e.issue("svc-a", false)
			if !tk.IssuedAt.Equal(when) || tk.Day != when.Format(queue.DateLayout) {
				t.Fatalf("issued at %v on %s", tk.IssuedAt, tk.Day)
			}
		})
	}
}

// IgnoreHours (bookings checked in early) issues outside the hours, but
// never for an inactive service.
func TestIgnoreHours(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 06:00:00")
	e.updateSite(func(s *queue.Site) { s.Opens, s.Closes = "08:00", "15:00" })
	cmd := e.issueCmd("svc-a", false)
	e.refuse(cmd, queue.EServiceClosed)
	cmd.IgnoreHours, cmd.Channel = true, queue.ChannelBooking
	if tk := e.issueWith(cmd); tk.Number != "A001" || !tk.Front() {
		t.Fatalf("booking outside hours: %+v", tk)
	}
	e.updateService("svc-a", func(s *queue.Service) { s.Active = false })
	cmd.Key = e.key()
	e.refuse(cmd, queue.EServiceClosed)
}

// ---- the day ----

// dayEvent is what the tests read of an event's data.
type dayEvent struct {
	Ticket *struct {
		ID     string       `json:"id"`
		Number string       `json:"number"`
		Status queue.Status `json:"status"`
		Day    string       `json:"day"`
	} `json:"ticket"`
	Counter *struct {
		ID      string          `json:"id"`
		Status  string          `json:"status"`
		Current json.RawMessage `json:"current"`
	} `json:"counter"`
	Day string `json:"day"`
}

func decodeEvent(t *testing.T, ev queue.Event) dayEvent {
	t.Helper()
	var d dayEvent
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		t.Fatalf("%s: %v", ev.Type, err)
	}
	return d
}

// describe renders events as "type:subject" for comparison.
func describe(t *testing.T, evs []queue.Event) []string {
	var out []string
	for _, ev := range evs {
		d := decodeEvent(t, ev)
		s := ev.Type
		switch {
		case d.Ticket != nil:
			s += ":" + d.Ticket.Number + "@" + d.Ticket.Day + "/" + string(d.Ticket.Status)
		case d.Counter != nil:
			s += ":" + d.Counter.ID + "/" + d.Counter.Status
		case d.Day != "":
			s += ":" + d.Day
		}
		out = append(out, s)
	}
	return out
}

func TestDayRollover(t *testing.T) {
	for _, tc := range []struct{ zone, day, next string }{
		{"Asia/Jakarta", "2026-11-26", "2026-11-27"},
		{"Asia/Makassar", "2026-02-28", "2026-03-01"},
		{"Asia/Jayapura", "2026-12-31", "2027-01-01"},
	} {
		t.Run(strings.ReplaceAll(tc.zone, "/", "_"), func(t *testing.T) {
			e := newEnv(t, tc.zone, tc.day+" 08:00:00")
			if e.st().Day != tc.day {
				t.Fatalf("day %s, want %s", e.st().Day, tc.day)
			}
			for range 4 {
				e.issue("svc-a", false) // A001..A004
			}
			e.openCounter("k1", "u1")
			e.openCounter("k3", "u3")
			e.openCounter("k2", "u2")
			e.act("k1", queue.ActNext) // A001 done
			e.act("k1", queue.ActDone)
			e.act("k1", queue.ActNext) // A002 no-show
			e.act("k1", queue.ActNoShow)
			e.act("k1", queue.ActNext) // A003 serving at k1
			e.act("k1", queue.ActStart)
			e.act("k3", queue.ActNext) // A004 called at k3, paused
			e.act("k3", queue.ActPause, "ishoma")
			e.must(queue.CancelTicket{TicketID: e.issue("svc-a", false).ID}) // A005 cancelled
			e.issue("svc-b", false)                                          // B001 waiting
			old := map[string]string{}
			for _, n := range []string{"A001", "A002", "A003", "A004", "A005", "B001"} {
				old[n] = e.ids[n]
			}

			e.at(tc.day + " 23:59:59")
			last := e.issue("svc-a", false)
			if last.Number != "A006" || last.Day != tc.day || last.ID != queue.TicketID(tc.day, 7) {
				t.Fatalf("at 23:59:59: %s day %s id %s", last.Number, last.Day, last.ID)
			}
			old["A006"] = last.ID
			seq := e.st().Seq

			// The first command of the new day rolls it; the clock (and so
			// the housekeeping timer) still lags in the old day.
			e.at(tc.next + " 00:00:00")
			midnight := e.now
			if e.clk.Now().Format(queue.DateLayout) != tc.day {
				t.Fatal("the engine clock should still be in the old day")
			}
			first := e.issue("svc-a", false)
			if first.Number != "A001" || first.Day != tc.next || first.ID != queue.TicketID(tc.next, 1) {
				t.Fatalf("first ticket of the new day: %s day %s id %s", first.Number, first.Day, first.ID)
			}
			evs := e.events(seq)
			want := []string{
				"ticket.expired:A002@" + tc.day + "/expired",
				"ticket.expired:A003@" + tc.day + "/expired",
				"ticket.expired:A004@" + tc.day + "/expired",
				"ticket.expired:B001@" + tc.day + "/expired",
				"ticket.expired:A006@" + tc.day + "/expired",
				"counter.closed:k1/closed",
				"counter.closed:k3/closed",
				"counter.closed:k2/closed",
				"day.started:" + tc.next,
				"ticket.issued:A001@" + tc.next + "/waiting",
			}
			if got := describe(t, evs); !slices.Equal(got, want) {
				t.Fatalf("events at midnight:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			for _, ev := range evs {
				if !ev.At.Equal(midnight) || ev.Day() != tc.next {
					t.Fatalf("%s at %v (day %s), want local midnight of %s", ev.Type, ev.At, ev.Day(), tc.next)
				}
				if d := decodeEvent(t, ev); d.Counter != nil && len(d.Counter.Current) > 0 && string(d.Counter.Current) != "null" {
					t.Fatalf("closed counter still holds %s", d.Counter.Current)
				}
			}
			e.checkSeqs()

			// The store: yesterday's tickets final, done and cancelled kept.
			wantStatus := map[string]queue.Status{"A001": queue.Done, "A002": queue.Expired, "A003": queue.Expired,
				"A004": queue.Expired, "A005": queue.Cancelled, "B001": queue.Expired, "A006": queue.Expired}
			for n, s := range wantStatus {
				tk, err := e.db.Ticket(old[n])
				if err != nil || tk == nil {
					t.Fatalf("%s: %v", n, err)
				}
				if tk.Status != s || tk.Day != tc.day {
					t.Fatalf("%s of %s: %s, want %s", n, tk.Day, tk.Status, s)
				}
				if e.st().Ticket(old[n]) != nil {
					t.Fatalf("yesterday's %s is still in today's state", n)
				}
			}
			if done, _ := e.db.Ticket(old["A001"]); done.DoneAt == nil {
				t.Fatal("the done ticket lost its done_at")
			}
			if yd, _ := e.db.Tickets(queue.TicketFilter{Day: tc.day}); len(yd) != 7 {
				t.Fatalf("%d tickets kept for %s, want 7", len(yd), tc.day)
			}

			// The state: a new day, counters closed and empty.
			st := e.st()
			if st.Day != tc.next {
				t.Fatalf("state day %s", st.Day)
			}
			for _, c := range st.Counters() {
				if c.Status != queue.CounterClosed || c.CurrentID != "" || c.OfficerID != "" || c.PauseReason != "" || c.FrontStreak != 0 {
					t.Fatalf("counter after midnight: %+v", c)
				}
			}
			if len(st.RecentCalls()) != 0 || len(st.Waiting("svc-b")) != 0 || len(st.Waiting("svc-a")) != 1 {
				t.Fatalf("leftovers: recent %d, B waiting %d, A waiting %d", len(st.RecentCalls()), len(st.Waiting("svc-b")), len(st.Waiting("svc-a")))
			}
			if n := e.issue("svc-b", false).Number; n != "B001" {
				t.Fatalf("B on the new day: %s", n)
			}
			// Yesterday's tickets cannot be acted on today.
			e.openCounter("k1", "u1")
			e.refuse(queue.CancelTicket{TicketID: old["B001"]}, queue.ENotFound)
			e.refuse(counterCmd("k1", queue.ActCall, old["A002"]), queue.ENotFound)
			e.checkInvariants()

			// A restart on the new day keeps it and loads no old ticket.
			e.restart()
			if e.st().Day != tc.next || e.st().Seq != uint64(len(e.events(0))) {
				t.Fatalf("after restart: day %s seq %d", e.st().Day, e.st().Seq)
			}
			if n := e.issue("svc-a", false).Number; n != "A002" {
				t.Fatalf("after restart on the new day: %s, want A002", n)
			}
		})
	}
}

// A server that was down over midnight expires yesterday's tickets while
// it opens, before any command.
func TestReopenAfterMidnight(t *testing.T) {
	e := newEnv(t, "Asia/Makassar", "2026-11-26 08:00:00")
	a1 := e.issue("svc-a", false)
	a2 := e.issue("svc-a", false)
	a3 := e.issue("svc-a", false)
	e.openCounter("k1", "u1")
	e.act("k1", queue.ActCall, a3.ID)
	e.act("k1", queue.ActDone) // A003 done
	e.act("k1", queue.ActNext) // A001 called
	e.at("2026-11-26 16:00:00")
	e.close()
	seq := e.closedSeq(t)

	e.at("2026-11-27 07:00:00")
	e.clk.Set(e.now)
	e.open()
	st := e.st()
	if st.Day != "2026-11-27" {
		t.Fatalf("day after reopening: %s", st.Day)
	}
	want := []string{
		"ticket.expired:A001@2026-11-26/expired",
		"ticket.expired:A002@2026-11-26/expired",
		"counter.closed:k1/closed",
		"day.started:2026-11-27",
	}
	if got := describe(t, e.events(seq)); !slices.Equal(got, want) {
		t.Fatalf("events at open:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for id, s := range map[string]queue.Status{a1.ID: queue.Expired, a2.ID: queue.Expired, a3.ID: queue.Done} {
		if tk, _ := e.db.Ticket(id); tk == nil || tk.Status != s {
			t.Fatalf("%s after reopening: %+v, want %s", id, tk, s)
		}
	}
	if k1 := st.Counter("k1"); k1.Status != queue.CounterClosed || k1.CurrentID != "" {
		t.Fatalf("k1 after reopening: %+v", k1)
	}
	e.checkSeqs()
	if tk := e.issue("svc-a", false); tk.Number != "A001" || tk.ID != queue.TicketID("2026-11-27", 1) {
		t.Fatalf("first ticket: %s %s", tk.Number, tk.ID)
	}

	// Down for a whole day: one roll, to the day it opens on.
	e.at("2026-11-27 10:00:00")
	e.close()
	e.at("2026-11-29 09:00:00")
	e.clk.Set(e.now)
	seq = e.closedSeq(t)
	e.open()
	want = []string{"ticket.expired:A001@2026-11-27/expired", "day.started:2026-11-29"}
	if got := describe(t, e.events(seq)); !slices.Equal(got, want) {
		t.Fatalf("events after two days down:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// closedSeq reads the last seq in the store of a closed env.
func (e *env) closedSeq(t *testing.T) uint64 {
	db, err := storage.Open(e.dir, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	evs, err := db.Events(0, 0)
	if err != nil || len(evs) == 0 {
		t.Fatalf("events: %d, %v", len(evs), err)
	}
	return evs[len(evs)-1].Seq
}

// An engine started on an empty database on a day begins it at seq 1, and
// a command after midnight rolls an empty day too.
func TestFirstDay(t *testing.T) {
	e := newBareEnv(t, "Asia/Jayapura", "2026-11-26 00:00:00")
	evs := e.events(0)
	if got := describe(t, evs); !slices.Equal(got, []string{"day.started:2026-11-26"}) || evs[0].Seq != 1 {
		t.Fatalf("first events: %v", got)
	}
	if e.st().Site.Timezone != "Asia/Jayapura" {
		t.Fatalf("default site zone %q", e.st().Site.Timezone)
	}
	e.at("2026-11-27 00:00:00")
	e.must(queue.Ping{})
	if e.st().Day != "2026-11-27" {
		t.Fatalf("day %s", e.st().Day)
	}
	if got := describe(t, e.events(1)); !slices.Equal(got, []string{"day.started:2026-11-27"}) {
		t.Fatalf("events %v", got)
	}
}

// TestStateTickets: State.Tickets yields exactly the day's tickets, and a
// roll leaves the new day's state without the old day's.
func TestStateTickets(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	want := []string{}
	for _, s := range []string{"svc-a", "svc-b", "svc-c", "svc-a"} {
		want = append(want, e.issue(s, false).ID)
	}
	e.must(queue.CancelTicket{TicketID: want[1]})
	collect := func() []string {
		var got []string
		for tk := range e.st().Tickets() {
			got = append(got, tk.ID)
		}
		slices.Sort(got)
		return got
	}
	slices.Sort(want)
	if got := collect(); !slices.Equal(got, want) {
		t.Fatalf("Tickets yields %v, want %v", got, want)
	}
	for range e.st().Tickets() {
		break // stopping early is allowed
	}
	e.at("2026-11-27 00:00:01")
	e.must(queue.Ping{})
	if got := collect(); len(got) != 0 {
		t.Fatalf("after the roll Tickets yields %v, want none", got)
	}
}

// TestHistoryOfOldTickets: a ticket stored before visits were kept gets
// one visit made from its queue and status, as reports read it.
func TestHistoryOfOldTickets(t *testing.T) {
	at := func(m int) *time.Time { v := time.Date(2026, 11, 26, 8, m, 0, 0, time.UTC); return &v }
	old := queue.Ticket{ID: "20261126-1", ServiceID: "svc-a", AgencyID: "ag-x", QueuedAt: *at(0), CalledAt: at(5), DoneAt: at(9), CounterID: "k1", Status: queue.Done}
	h := old.History()
	want := queue.Visit{ServiceID: "svc-a", AgencyID: "ag-x", QueuedAt: *at(0), CalledAt: at(5), LastCalledAt: at(5), CounterID: "k1", EndedAt: at(9), Outcome: queue.Done}
	if len(h) != 1 || !reflect.DeepEqual(h[0], want) {
		t.Fatalf("History of an old done ticket: %+v, want [%+v]", h, want)
	}
	for _, st := range []queue.Status{queue.NoShow, queue.Cancelled, queue.Expired} {
		tk := old
		tk.Status = st
		if h := tk.History(); len(h) != 1 || h[0].Outcome != st {
			t.Errorf("History of an old %s ticket: %+v", st, h)
		}
	}
	tk := old
	tk.Status, tk.CalledAt, tk.DoneAt = queue.Waiting, nil, nil
	if h := tk.History(); len(h) != 1 || h[0].Outcome != "" || h[0].CalledAt != nil {
		t.Errorf("History of an old waiting ticket: %+v", h)
	}
	// A ticket with visits answers them as they are.
	tk.Visits = []queue.Visit{{ServiceID: "svc-b"}, {ServiceID: "svc-a"}}
	if h := tk.History(); len(h) != 2 || h[0].ServiceID != "svc-b" {
		t.Errorf("History of a ticket with visits: %+v", h)
	}
}
