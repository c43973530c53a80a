package queue_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

// checkInvariants checks what must hold after every command: the store
// and the state agree on every ticket, the waiting lists hold exactly the
// waiting tickets in queue order, and counters and their current tickets
// point at each other.
func (e *env) checkInvariants() {
	e.t.Helper()
	st := e.st()
	stored, err := e.db.Tickets(queue.TicketFilter{Day: st.Day})
	if err != nil {
		e.t.Fatal(err)
	}
	waiting := map[string]int{}
	for _, s := range stored {
		m := st.Ticket(s.ID)
		if m == nil {
			e.t.Fatalf("stored ticket %s is not in the state", s.ID)
		}
		if a, b := ticketText(s), ticketText(m); a != b {
			e.t.Fatalf("store and state disagree on %s:\nstore %s\nstate %s", s.ID, a, b)
		}
		switch m.Status {
		case queue.Waiting:
			waiting[m.ServiceID]++
			if !slices.Contains(st.Waiting(m.ServiceID), m) {
				e.t.Fatalf("waiting ticket %s is not in the waiting list of %s", m.Number, m.ServiceID)
			}
		case queue.Called, queue.Serving:
			c := st.Counter(m.CounterID)
			if c == nil || c.CurrentID != m.ID {
				e.t.Fatalf("%s ticket %s is not the current of its counter %q", m.Status, m.Number, m.CounterID)
			}
		}
	}
	for _, svc := range st.Services() {
		list := st.Waiting(svc.ID)
		if len(list) != waiting[svc.ID] {
			e.t.Fatalf("waiting list of %s has %d, %d tickets wait", svc.ID, len(list), waiting[svc.ID])
		}
		for i, w := range list {
			if w.Status != queue.Waiting || w.ServiceID != svc.ID {
				e.t.Fatalf("waiting list of %s holds %s (%s, %s)", svc.ID, w.Number, w.Status, w.ServiceID)
			}
			if i > 0 && list[i-1].QueueSeq >= w.QueueSeq {
				e.t.Fatalf("waiting list of %s is out of queue order at %d", svc.ID, i)
			}
		}
	}
	for _, c := range st.Counters() {
		if c.CurrentID == "" {
			continue
		}
		if c.Status == queue.CounterClosed {
			e.t.Fatalf("closed counter %s holds %s", c.ID, c.CurrentID)
		}
		cur := st.Ticket(c.CurrentID)
		if cur == nil || (cur.Status != queue.Called && cur.Status != queue.Serving) || cur.CounterID != c.ID {
			e.t.Fatalf("counter %s holds %+v", c.ID, cur)
		}
	}
}

// ticketText renders every field of a ticket, hidden ones included.
func ticketText(t *queue.Ticket) string {
	b, _ := json.Marshal(t)
	return fmt.Sprintf("%s key=%s issued_service=%s seq=%d index=%d", b, t.Key, t.IssuedServiceID, t.Seq, t.Index)
}

// transitionEnv: A001, A002, B001 (k1's services) and C001 wait; k1 is open
// by u1 and holds A001 as cur says: "called", "serving" or "none".
func transitionEnv(t *testing.T, cur string) *env {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.issue("svc-a", false)
	e.issue("svc-a", false)
	e.issue("svc-b", false)
	e.issue("svc-c", false)
	e.openCounter("k1", "u1")
	switch cur {
	case "called":
		e.act("k1", queue.ActNext)
	case "serving":
		e.act("k1", queue.ActNext)
		e.act("k1", queue.ActStart)
	case "none":
	default:
		t.Fatalf("bad current %q", cur)
	}
	e.checkInvariants()
	return e
}

// The table of ARCHITECTURE.md "Ticket states": every counter action ×
// the state of the counter's current ticket.
func TestCounterTransitions(t *testing.T) {
	type want struct {
		code    string // "" = allowed
		events  []string
		current string                  // number of the counter's current ticket after
		counter string                  // counter status after ("" = open)
		status  map[string]queue.Status // statuses that differ from the start
	}
	base := map[string]map[string]queue.Status{
		"called":  {"A001": queue.Called, "A002": queue.Waiting, "B001": queue.Waiting, "C001": queue.Waiting},
		"serving": {"A001": queue.Serving, "A002": queue.Waiting, "B001": queue.Waiting, "C001": queue.Waiting},
		"none":    {"A001": queue.Waiting, "A002": queue.Waiting, "B001": queue.Waiting, "C001": queue.Waiting},
	}
	baseCurrent := map[string]string{"called": "A001", "serving": "A001", "none": ""}
	refused := func(code string) want { return want{code: code} }
	same := func(events ...string) want {
		return want{events: events, current: "=", status: map[string]queue.Status{}}
	}

	cases := []struct {
		action, arg string
		from        map[string]want // by "called", "serving", "none"
	}{
		{queue.ActNext, "", map[string]want{
			"called":  {events: []string{"ticket.done", "ticket.called"}, current: "A002", status: map[string]queue.Status{"A001": queue.Done, "A002": queue.Called}},
			"serving": {events: []string{"ticket.done", "ticket.called"}, current: "A002", status: map[string]queue.Status{"A001": queue.Done, "A002": queue.Called}},
			"none":    {events: []string{"ticket.called"}, current: "A001", status: map[string]queue.Status{"A001": queue.Called}},
		}},
		{queue.ActCall, "B001", map[string]want{
			"called":  {events: []string{"ticket.done", "ticket.called"}, current: "B001", status: map[string]queue.Status{"A001": queue.Done, "B001": queue.Called}},
			"serving": {events: []string{"ticket.done", "ticket.called"}, current: "B001", status: map[string]queue.Status{"A001": queue.Done, "B001": queue.Called}},
			"none":    {events: []string{"ticket.called"}, current: "B001", status: map[string]queue.Status{"B001": queue.Called}},
		}},
		{queue.ActRecall, "", map[string]want{
			"called":  same("ticket.recalled"),
			"serving": refused(queue.EInvalidTransition),
			"none":    refused(queue.EInvalidTransition),
		}},
		{queue.ActStart, "", map[string]want{
			"called":  {events: []string{"ticket.serving"}, current: "A001", status: map[string]queue.Status{"A001": queue.Serving}},
			"serving": refused(queue.EInvalidTransition),
			"none":    refused(queue.EInvalidTransition),
		}},
		{queue.ActDone, "", map[string]want{
			"called":  {events: []string{"ticket.done"}, status: map[string]queue.Status{"A001": queue.Done}},
			"serving": {events: []string{"ticket.done"}, status: map[string]queue.Status{"A001": queue.Done}},
			"none":    refused(queue.EInvalidTransition),
		}},
		{queue.ActNoShow, "", map[string]want{
			"called":  {events: []string{"ticket.no_show"}, status: map[string]queue.Status{"A001": queue.NoShow}},
			"serving": refused(queue.EInvalidTransition),
			"none":    refused(queue.EInvalidTransition),
		}},
		{queue.ActTransfer, "svc-c", map[string]want{
			"called":  {events: []string{"ticket.transferred"}, status: map[string]queue.Status{"A001": queue.Waiting}},
			"serving": {events: []string{"ticket.transferred"}, status: map[string]queue.Status{"A001": queue.Waiting}},
			"none":    refused(queue.EInvalidTransition),
		}},
		{queue.ActClose, "", map[string]want{
			"called":  refused(queue.ECounterBusy),
			"serving": refused(queue.ECounterBusy),
			"none":    {events: []string{"counter.closed"}, counter: queue.CounterClosed, status: map[string]queue.Status{}},
		}},
		{queue.ActOpen, "", map[string]want{ // by the officer who holds it: nothing to do
			"called":  same(),
			"serving": same(),
			"none":    same(),
		}},
		{queue.ActPause, "ishoma", map[string]want{
			"called":  {events: []string{"counter.paused"}, current: "=", counter: queue.CounterPaused, status: map[string]queue.Status{}},
			"serving": {events: []string{"counter.paused"}, current: "=", counter: queue.CounterPaused, status: map[string]queue.Status{}},
			"none":    {events: []string{"counter.paused"}, current: "=", counter: queue.CounterPaused, status: map[string]queue.Status{}},
		}},
	}
	for _, tc := range cases {
		for _, from := range []string{"called", "serving", "none"} {
			w, ok := tc.from[from]
			if !ok {
				t.Fatalf("%s: no case for %s", tc.action, from)
			}
			t.Run(tc.action+"/"+from, func(t *testing.T) {
				e := transitionEnv(t, from)
				arg := tc.arg
				if tc.action == queue.ActCall {
					arg = e.ids[arg]
				}
				cmd := counterCmd("k1", tc.action, arg)
				if w.code != "" {
					e.refuse(cmd, w.code)
					return
				}
				seq := e.st().Seq
				cmdTime := e.now
				res := e.must(cmd).(*queue.CounterResult)
				if got := types(e.events(seq)); !slices.Equal(got, w.events) {
					t.Fatalf("events %v, want %v", got, w.events)
				}
				k1 := e.st().Counter("k1")
				wantCounter := w.counter
				if wantCounter == "" {
					wantCounter = queue.CounterOpen
				}
				if k1.Status != wantCounter {
					t.Fatalf("counter %s, want %s", k1.Status, wantCounter)
				}
				wantCur := w.current
				if wantCur == "=" {
					wantCur = baseCurrent[from]
				}
				gotCur := ""
				if k1.CurrentID != "" {
					gotCur = e.st().Ticket(k1.CurrentID).Number
				}
				if gotCur != wantCur {
					t.Fatalf("current %q, want %q", gotCur, wantCur)
				}
				if !reflect.DeepEqual(res.Counter, k1) {
					t.Fatalf("answer's counter %+v, state's %+v", res.Counter, k1)
				}
				if (res.Current == nil) != (gotCur == "") || res.Current != nil && res.Current.Number != gotCur {
					t.Fatalf("answer's current %+v, want %q", res.Current, gotCur)
				}
				status := maps.Clone(base[from])
				maps.Copy(status, w.status)
				for n, s := range status {
					if got := e.tk(n).Status; got != s {
						t.Fatalf("%s is %s, want %s", n, got, s)
					}
				}
				// What each transition writes on the ticket.
				switch tc.action {
				case queue.ActNext, queue.ActCall:
					c := e.tk(gotCur)
					if c.CounterID != "k1" || c.CalledAt == nil || !c.CalledAt.Equal(cmdTime) || c.Calls != 1 {
						t.Fatalf("called ticket %+v", c)
					}
				case queue.ActRecall:
					if c := e.tk("A001"); c.Calls != 2 {
						t.Fatalf("recall: calls %d, want 2", c.Calls)
					}
				case queue.ActStart:
					if c := e.tk("A001"); c.ServingAt == nil || !c.ServingAt.Equal(cmdTime) {
						t.Fatalf("start: serving_at %v", c.ServingAt)
					}
				case queue.ActTransfer:
					c := e.tk("A001")
					if c.ServiceID != "svc-c" || c.AgencyID != "ag-y" || c.Number != "A001" || !c.QueuedAt.Equal(cmdTime) || c.CounterID != "" {
						t.Fatalf("transferred ticket %+v", c)
					}
				case queue.ActPause:
					if k1.PauseReason != "ishoma" {
						t.Fatalf("pause reason %q", k1.PauseReason)
					}
				}
				if status["A001"] == queue.Done {
					if c := e.tk("A001"); c.DoneAt == nil || !c.DoneAt.Equal(cmdTime) {
						t.Fatalf("done_at %v, want %v", c.DoneAt, cmdTime)
					}
				}
				e.checkInvariants()
			})
		}
	}
}

// Actions that need an open counter answer counter_closed on a closed one,
// whatever else they carry.
func TestClosedCounter(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	a := e.issue("svc-a", false)
	for _, act := range []string{queue.ActNext, queue.ActCall, queue.ActRecall, queue.ActStart, queue.ActDone, queue.ActNoShow, queue.ActTransfer, queue.ActPause} {
		t.Run(act, func(t *testing.T) {
			arg := map[string]string{queue.ActCall: a.ID, queue.ActTransfer: "svc-b", queue.ActPause: "rapat"}[act]
			e.t = t
			e.refuse(counterCmd("k1", act, arg), queue.ECounterClosed)
		})
	}
	e.t = t
	// Closing a closed counter changes nothing; opening it does.
	seq := e.st().Seq
	r := e.act("k1", queue.ActClose)
	if r.Counter.Status != queue.CounterClosed || e.st().Seq != seq {
		t.Fatalf("close of a closed counter: %+v, %d events", r.Counter, e.st().Seq-seq)
	}
	r = e.act("k1", queue.ActOpen, "u3")
	if r.Counter.Status != queue.CounterOpen || r.Counter.OfficerID != "u3" || r.Current != nil {
		t.Fatalf("open: %+v", r.Counter)
	}
	if got := types(e.events(seq)); !slices.Equal(got, []string{"counter.opened"}) {
		t.Fatalf("open: events %v", got)
	}
	// Another officer takes an open counter over.
	seq = e.st().Seq
	if r = e.act("k1", queue.ActOpen, "u1"); r.Counter.OfficerID != "u1" {
		t.Fatalf("take over: %+v", r.Counter)
	}
	if got := types(e.events(seq)); !slices.Equal(got, []string{"counter.opened"}) {
		t.Fatalf("take over: events %v", got)
	}
	e.checkInvariants()
}

// A paused counter keeps its ticket, may finish it, but calls nobody.
func TestPausedCounter(t *testing.T) {
	e := transitionEnv(t, "called")
	e.act("k1", queue.ActPause, "ishoma")
	e.refuse(counterCmd("k1", queue.ActNext), queue.ECounterClosed)
	e.refuse(counterCmd("k1", queue.ActCall, e.ids["B001"]), queue.ECounterClosed)
	e.refuse(counterCmd("k1", queue.ActClose), queue.ECounterBusy)
	e.act("k1", queue.ActStart) // the visitor is at the desk already
	seq := e.st().Seq
	r := e.act("k1", queue.ActDone)
	if r.Counter.Status != queue.CounterPaused || r.Counter.PauseReason != "ishoma" || r.Current != nil {
		t.Fatalf("done while paused: %+v %+v", r.Counter, r.Current)
	}
	if e.tk("A001").Status != queue.Done || !slices.Equal(types(e.events(seq)), []string{"ticket.done"}) {
		t.Fatalf("done while paused: A001 %s, events %v", e.tk("A001").Status, types(e.events(seq)))
	}
	e.refuse(counterCmd("k1", queue.ActNext), queue.ECounterClosed)
	if e.st().OpenCounters("svc-a") != 0 {
		t.Fatal("a paused counter counts as open")
	}
	r = e.act("k1", queue.ActOpen)
	if r.Counter.Status != queue.CounterOpen || r.Counter.PauseReason != "" {
		t.Fatalf("open after pause: %+v", r.Counter)
	}
	if r = e.act("k1", queue.ActNext); r.Current == nil || r.Current.Number != "A002" {
		t.Fatalf("next after the pause: %+v", r.Current)
	}
	// Pause with a current, then close refused; done, then close allowed.
	e.act("k1", queue.ActPause)
	e.act("k1", queue.ActDone)
	if r = e.act("k1", queue.ActClose); r.Counter.Status != queue.CounterClosed || r.Counter.OfficerID != "" {
		t.Fatalf("close after pause: %+v", r.Counter)
	}
	e.checkInvariants()
}

func TestCallByID(t *testing.T) {
	e := transitionEnv(t, "none")
	e.openCounter("k3", "u3")
	e.openCounter("k2", "u2")
	ids := e.ids
	// A001 → no_show at k1 (called back below).
	e.act("k1", queue.ActNext)
	e.act("k1", queue.ActNoShow)
	// A002 done at k3.
	e.act("k3", queue.ActNext)
	e.act("k3", queue.ActDone)
	// A003 cancelled; A004 called at k3; A005 waiting.
	a3 := e.issue("svc-a", false)
	a4 := e.issue("svc-a", false)
	a5 := e.issue("svc-a", false)
	e.must(queue.CancelTicket{TicketID: a3.ID})
	if r := e.act("k3", queue.ActCall, a4.ID); r.Current.ID != a4.ID {
		t.Fatalf("k3 called %s", r.Current.Number)
	}

	for _, tc := range []struct{ name, counter, id, code string }{
		{"done", "k1", ids["A002"], queue.EInvalidTransition},
		{"cancelled", "k1", a3.ID, queue.EInvalidTransition},
		{"called at another counter", "k1", a4.ID, queue.EInvalidTransition},
		{"service the counter does not serve", "k1", ids["C001"], queue.EInvalidTransition},
		{"other agency's counter", "k2", a5.ID, queue.EInvalidTransition},
		{"counter serves A only", "k3", ids["B001"], queue.EInvalidTransition},
		{"unknown", "k1", "20261126-999", queue.ENotFound},
		{"empty", "k1", "", queue.ENotFound},
		{"garbage", "k1", "../../etc", queue.ENotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.refuse(counterCmd(tc.counter, queue.ActCall, tc.id), tc.code)
		})
	}
	e.t = t

	// A waiting ticket may be called out of turn.
	if r := e.act("k1", queue.ActCall, a5.ID); r.Current.ID != a5.ID || r.Current.Status != queue.Called {
		t.Fatalf("call of waiting A005: %+v", r.Current)
	}
	// The no-show is called back, by any counter serving its service; the
	// current is finished first.
	seq := e.st().Seq
	r := e.act("k1", queue.ActCall, ids["A001"])
	if r.Current == nil || r.Current.Number != "A001" || r.Current.Status != queue.Called || r.Current.Calls != 1 || r.Current.CounterID != "k1" {
		t.Fatalf("call back of the no-show: %+v", r.Current)
	}
	if got := types(e.events(seq)); !slices.Equal(got, []string{"ticket.done", "ticket.called"}) {
		t.Fatalf("call back: events %v", got)
	}
	if e.tk("A005").Status != queue.Done {
		t.Fatalf("A005 %s, want done", e.tk("A005").Status)
	}
	e.act("k1", queue.ActNoShow)
	e.act("k3", queue.ActDone)
	if r := e.act("k3", queue.ActCall, ids["A001"]); r.Current.Number != "A001" || r.Current.CounterID != "k3" {
		t.Fatalf("call back at k3: %+v", r.Current)
	}
	e.checkInvariants()

	// An expired ticket (yesterday's) is no longer among today's.
	e.at("2026-11-27 08:00:00")
	e.openCounter("k1", "u1")
	e.refuse(counterCmd("k1", queue.ActCall, ids["B001"]), queue.ENotFound)
	if old, _ := e.db.Ticket(ids["B001"]); old == nil || old.Status != queue.Expired {
		t.Fatalf("B001 of yesterday: %+v", old)
	}
}

func TestCancel(t *testing.T) {
	e := transitionEnv(t, "none")
	e.updateService("svc-a", func(s *queue.Service) { s.DailyQuota = 10 })
	e.openCounter("k3", "u3")
	e.act("k1", queue.ActNext) // A001 called at k1
	e.act("k3", queue.ActNext) // A002 called at k3
	e.act("k3", queue.ActStart)
	a3 := e.issue("svc-a", false)
	a4 := e.issue("svc-a", false)
	a5 := e.issue("svc-a", true)

	quota := e.st().QuotaLeft("svc-a")
	seq := e.st().Seq
	res := e.must(queue.CancelTicket{TicketID: a4.ID}).(*queue.Ticket)
	if res.Status != queue.Cancelled || e.tk("A004").Status != queue.Cancelled {
		t.Fatalf("cancel: %+v", res)
	}
	if got := types(e.events(seq)); !slices.Equal(got, []string{"ticket.cancelled"}) {
		t.Fatalf("cancel: events %v", got)
	}
	if got := numbers(e.st().Waiting("svc-a")); !slices.Equal(got, []string{"A003", "A005"}) {
		t.Fatalf("waiting after cancel %v", got)
	}
	if e.st().QuotaLeft("svc-a") != quota+1 {
		t.Fatalf("quota left %d after cancel, want %d", e.st().QuotaLeft("svc-a"), quota+1)
	}
	if p := e.st().Position(e.tk("A005")); p != 1 { // priority goes first
		t.Fatalf("A005 position %d", p)
	}
	if p := e.st().Position(e.tk("A003")); p != 2 {
		t.Fatalf("A003 position %d", p)
	}
	if p := e.st().Position(e.tk("A004")); p != 0 {
		t.Fatalf("a cancelled ticket has position %d", p)
	}

	e.act("k1", queue.ActDone) // A001 done
	e.must(queue.CancelTicket{TicketID: a3.ID})
	e.act("k1", queue.ActNext) // A005 called
	e.act("k1", queue.ActNoShow)
	for _, tc := range []struct{ name, id, code string }{
		{"serving", e.st().Counter("k3").CurrentID, queue.EInvalidTransition}, // A002
		{"done", e.ids["A001"], queue.EInvalidTransition},
		{"cancelled", a4.ID, queue.EInvalidTransition},
		{"no_show", a5.ID, queue.EInvalidTransition},
		{"unknown", "20261126-77", queue.ENotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.refuse(queue.CancelTicket{TicketID: tc.id}, tc.code)
		})
	}
	e.t = t
	// A called (not yet serving) ticket cannot be cancelled either.
	e.act("k1", queue.ActCall, a5.ID)
	e.refuse(queue.CancelTicket{TicketID: a5.ID}, queue.EInvalidTransition)
	e.checkInvariants()
}

func TestTransfer(t *testing.T) {
	e := transitionEnv(t, "serving") // k1 serves A001; C001 waits for k2
	e.updateService("svc-c", func(s *queue.Service) { s.DailyQuota = 5 })
	e.updateService("svc-a", func(s *queue.Service) { s.DailyQuota = 5 })
	quotaA, quotaC := e.st().QuotaLeft("svc-a"), e.st().QuotaLeft("svc-c")
	a1 := e.tk("A001")
	e.at("2026-11-26 09:30:00")
	seq := e.st().Seq
	r := e.act("k1", queue.ActTransfer, "svc-c")
	if r.Current != nil || r.Counter.CurrentID != "" {
		t.Fatalf("k1 still holds %+v", r.Current)
	}
	nt := e.st().Ticket(a1.ID)
	when := localTime(t, e.loc, "2026-11-26 09:30:00")
	if nt.Number != "A001" || nt.ServiceID != "svc-c" || nt.AgencyID != "ag-y" || nt.Status != queue.Waiting ||
		!nt.QueuedAt.Equal(when) || !nt.IssuedAt.Equal(a1.IssuedAt) || nt.IssuedServiceID != "svc-a" || nt.CounterID != "" {
		t.Fatalf("transferred: %+v", nt)
	}
	evs := e.events(seq)
	if len(evs) != 1 || evs[0].Type != "ticket.transferred" {
		t.Fatalf("events %v", types(evs))
	}
	var data struct {
		Ticket      queue.PublicTicket `json:"ticket"`
		Service     queue.ServiceRef   `json:"service"`
		FromService *queue.ServiceRef  `json:"from_service"`
		Agency      queue.Ref          `json:"agency"`
	}
	if err := json.Unmarshal(evs[0].Data, &data); err != nil {
		t.Fatal(err)
	}
	if data.FromService == nil || data.FromService.ID != "svc-a" || data.Service.ID != "svc-c" || data.Agency.ID != "ag-y" ||
		data.Ticket.Number != "A001" || data.Ticket.Status != queue.Waiting || intp(data.Ticket.Position) != "2" {
		t.Fatalf("ticket.transferred data: %s", evs[0].Data)
	}
	// It joined the end of the target's queue; no quota moved.
	if got := numbers(e.st().Waiting("svc-c")); !slices.Equal(got, []string{"C001", "A001"}) {
		t.Fatalf("svc-c waiting %v", got)
	}
	if e.st().QuotaLeft("svc-a") != quotaA || e.st().QuotaLeft("svc-c") != quotaC {
		t.Fatalf("quota moved: A %d→%d, C %d→%d", quotaA, e.st().QuotaLeft("svc-a"), quotaC, e.st().QuotaLeft("svc-c"))
	}
	// The target's numbering goes on unaffected.
	if c := e.issue("svc-c", false); c.Number != "C002" {
		t.Fatalf("next C number %s", c.Number)
	}
	// The counter of the other agency calls it in its turn.
	e.openCounter("k2", "u2")
	if r := e.act("k2", queue.ActNext); r.Current.Number != "C001" {
		t.Fatalf("k2 first called %s", r.Current.Number)
	}
	r = e.act("k2", queue.ActNext)
	if r.Current == nil || r.Current.ID != a1.ID || r.Current.Number != "A001" || r.Current.CounterID != "k2" || r.Current.ServingAt != nil {
		t.Fatalf("k2 then called %+v", r.Current)
	}
	// ... and may transfer it on, back to the first agency.
	e.act("k2", queue.ActTransfer, "svc-b")
	if got := numbers(e.st().Waiting("svc-b")); !slices.Equal(got, []string{"B001", "A001"}) {
		t.Fatalf("svc-b waiting %v", got)
	}
	if tk := e.tk("A001"); tk.AgencyID != "ag-x" {
		t.Fatalf("agency after the second transfer %s", tk.AgencyID)
	}
	e.checkInvariants()

	// Refusals: unknown or inactive target.
	e.act("k1", queue.ActNext) // A002
	e.refuse(counterCmd("k1", queue.ActTransfer, "svc-nope"), queue.EInvalid)
	e.refuse(counterCmd("k1", queue.ActTransfer, ""), queue.EInvalid)
	e.updateService("svc-c", func(s *queue.Service) { s.Active = false })
	e.refuse(counterCmd("k1", queue.ActTransfer, "svc-c"), queue.EServiceClosed)
}

func TestCounterActionInput(t *testing.T) {
	e := transitionEnv(t, "called")
	e.refuse(counterCmd("k-nope", queue.ActNext), queue.ENotFound)
	e.refuse(counterCmd("", queue.ActOpen), queue.ENotFound)
	e.refuse(counterCmd("k1", "explode"), queue.EInvalid)
	e.refuse(counterCmd("k1", ""), queue.EInvalid)
	e.refuse(counterCmd("k1", queue.ActPause, strings.Repeat("x", 101)), queue.EInvalid)
	e.act("k1", queue.ActPause, strings.Repeat("é", 100))
}

// "next" with nobody waiting finishes the current all the same.
func TestNextEmptyQueue(t *testing.T) {
	e := newEnv(t, "Asia/Jakarta", "2026-11-26 08:00:00")
	e.issue("svc-b", false)
	e.openCounter("k1", "u1")
	e.act("k1", queue.ActNext)
	seq := e.st().Seq
	r := e.act("k1", queue.ActNext)
	if r.Current != nil || e.tk("B001").Status != queue.Done {
		t.Fatalf("next on an empty queue: current %+v, B001 %s", r.Current, e.tk("B001").Status)
	}
	if got := types(e.events(seq)); !slices.Equal(got, []string{"ticket.done"}) {
		t.Fatalf("events %v", got)
	}
	seq = e.st().Seq
	if r = e.act("k1", queue.ActNext); r.Current != nil || e.st().Seq != seq {
		t.Fatalf("next with nothing to do: %+v, %d events", r.Current, e.st().Seq-seq)
	}
	e.checkInvariants()
}
