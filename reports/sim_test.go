package reports_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/storage"
)

// The day generator: a small mall driven through the real engine on real
// bbolt by a fake clock, day after day, with fixed arrivals, service
// times, no-shows and their call-backs, transfers (within an agency and
// to another), cancellations, an officer handing a counter over, and
// tickets left waiting until the day rolls. The test keeps its own record
// of what it did — who was issued when, which counter called whom when,
// how each visit ended — and computes every figure of every grouping from
// that record alone, never from the product's summaries.

// fakeClock is the engine's clock; the simulation moves it.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// The mall.
type simAgency struct{ id, code, short string }
type simService struct {
	id, agency, code, name string
	targetMin              int
	weight                 int
}
type simCounter struct {
	id, agency, name string
	services         []string
	officer          string // the officer who opens it in the morning
}
type simUser struct{ id, username, agency string }

var (
	simAgencies = []simAgency{{"ag-sam", "SAM", "Samsat"}, {"ag-dkp", "DKP", "Dukcapil"}, {"ag-imi", "IMI", "Imigrasi"}}
	simServices = []simService{
		{"sv-ktp", "ag-dkp", "A", "Perekaman KTP-el", 10, 5},
		{"sv-kk", "ag-dkp", "B", "Kartu Keluarga", 20, 3},
		{"sv-pas", "ag-imi", "C", "Paspor Baru", 15, 3},
		{"sv-stnk", "ag-sam", "D", "Perpanjangan STNK", 5, 4},
		{"sv-pkb", "ag-sam", "E", "Pajak Kendaraan", 30, 2},
	}
	simCounters = []simCounter{
		{"k-6", "ag-sam", "Loket 6", []string{"sv-pkb"}, "u-f"},
		{"k-1", "ag-dkp", "Loket 1", []string{"sv-ktp", "sv-kk"}, "u-a"},
		{"k-2", "ag-dkp", "Loket 2", []string{"sv-ktp"}, "u-b"},
		{"k-3", "ag-dkp", "Loket 3", []string{"sv-kk"}, "u-c"},
		{"k-4", "ag-imi", "Loket 4", []string{"sv-pas"}, "u-d"},
		{"k-5", "ag-sam", "Loket 5", []string{"sv-stnk", "sv-pkb"}, "u-e"},
	}
	simUsers = []simUser{{"u-a", "petugas.ani", "ag-dkp"}, {"u-b", "petugas.budi", "ag-dkp"}, {"u-c", "petugas.citra", "ag-dkp"},
		{"u-d", "petugas.dewi", "ag-imi"}, {"u-e", "petugas.eko", "ag-sam"}, {"u-f", "petugas.fajar", "ag-sam"},
		{"u-g", "petugas.gita", "ag-dkp"}} // u-g takes Loket 1 over at noon
)

// What the test did, per ticket: its visits as the test made them.
type recVisit struct {
	service, agency   string
	queued            time.Time
	firstCall         *time.Time
	counter, officer  string
	lastCall, endedAt *time.Time
	outcome           queue.Status
}

type recTicket struct {
	id, day string
	issued  time.Time
	status  queue.Status
	visits  []*recVisit
}

func (t *recTicket) cur() *recVisit { return t.visits[len(t.visits)-1] }

type simCtr struct {
	simCounter
	officer   string
	open      bool
	current   string
	busyUntil time.Time
	plan      string // what happens to the current ticket when service ends
	handed    bool   // Loket 1 went to u-g today
	calls     int
}

// sim is a running mall and the test's record of it.
type sim struct {
	t     *testing.T
	loc   *time.Location
	zone  string
	dir   string
	clk   *fakeClock
	db    *storage.DB
	eng   *queue.Engine
	rep   *reports.Reports
	keys  int
	now   time.Time
	tix   map[string]*recTicket
	order []string // ticket IDs in issue order
	today []string // the simulated day's ticket IDs in issue order
	days  []string // every simulated day; the last is today
	// noShows waits to be called back: ticket ID → the counter's call
	// count when it was a no-show.
	noShows map[string]int
	// cmds counts the commands sent, per kind, to check the generator
	// covered what it claims.
	cmds map[string]int
}

func newSim(t *testing.T, zone string) *sim {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	s := &sim{t: t, loc: loc, zone: zone, dir: t.TempDir(), clk: &fakeClock{}, tix: map[string]*recTicket{}, noShows: map[string]int{}, cmds: map[string]int{}}
	return s
}

// open starts store, engine and reports (the builder too) at s.now.
func (s *sim) open() {
	s.t.Helper()
	// NoSync: this test checks figures, not durability, and sends
	// thousands of commands.
	db, err := storage.Open(s.dir, storage.Options{NoSync: true})
	if err != nil {
		s.t.Fatal(err)
	}
	s.clk.Set(s.now)
	eng, err := queue.Open(db, queue.Options{Clock: s.clk.Now, Location: s.loc})
	if err != nil {
		s.t.Fatal(err)
	}
	s.db, s.eng = db, eng
	s.rep = reports.New(eng, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s.rep.Start()
	s.t.Cleanup(s.close)
}

func (s *sim) close() {
	if s.rep != nil {
		s.rep.Close()
		s.eng.Close()
		s.db.Close()
		s.rep = nil
	}
}

func (s *sim) apply(cmd queue.Command) any {
	s.t.Helper()
	s.clk.Set(s.now)
	v, err := s.eng.Apply(context.Background(), s.now, cmd)
	if err != nil {
		s.t.Fatalf("%s: %T %+v: %v", s.now.Format(time.DateTime), cmd, cmd, err)
	}
	return v
}

func (s *sim) setup() {
	site := queue.DefaultSite()
	site.Name, site.Timezone = "MPP Simulasi", s.zone
	site.Weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	site.Opens, site.Closes = "07:00", "17:00"
	s.apply(queue.PutSite{Site: site})
	for _, a := range simAgencies {
		s.apply(queue.PutAgency{Agency: &queue.Agency{ID: a.id, Code: a.code, Name: "Instansi " + a.short, ShortName: a.short}, Create: true})
	}
	for _, v := range simServices {
		svc := queue.DefaultService()
		svc.ID, svc.AgencyID, svc.Code, svc.Name, svc.NameEN, svc.TargetWaitMin = v.id, v.agency, v.code, v.name, v.name+" (en)", v.targetMin
		s.apply(queue.PutService{Service: svc, Create: true})
	}
	for _, c := range simCounters {
		s.apply(queue.PutCounter{Counter: &queue.Counter{ID: c.id, AgencyID: c.agency, Name: c.name, ServiceIDs: c.services}, Create: true})
	}
	for _, u := range simUsers {
		s.apply(queue.PutUser{User: &queue.User{ID: u.id, Username: u.username, Role: queue.RoleOfficer, AgencyID: u.agency, PasswordHash: "x"}, Create: true})
	}
}

func (s *sim) at(day string, hms string) time.Time {
	t, err := time.ParseInLocation(time.DateTime, day+" "+hms, s.loc)
	if err != nil {
		s.t.Fatal(err)
	}
	return t
}

func serviceOf(id string) simService {
	for _, v := range simServices {
		if v.id == id {
			return v
		}
	}
	panic(id)
}

// issue takes a ticket at s.now.
func (s *sim) issue(service string, priority bool) {
	s.keys++
	iss := s.apply(queue.IssueTicket{ServiceID: service, Priority: priority, Channel: queue.ChannelKiosk, Key: fmt.Sprintf("key-%d", s.keys)}).(*queue.Issued)
	s.cmds["issue"]++
	tk := &recTicket{id: iss.Ticket.ID, day: s.now.Format(queue.DateLayout), issued: s.now, status: queue.Waiting,
		visits: []*recVisit{{service: service, agency: serviceOf(service).agency, queued: s.now}}}
	s.tix[tk.id] = tk
	s.order = append(s.order, tk.id)
	s.today = append(s.today, tk.id)
}

func (s *sim) act(c *simCtr, action string, mod func(*queue.CounterAction)) *queue.CounterResult {
	cmd := queue.CounterAction{CounterID: c.id, Action: action, UserID: c.officer}
	if mod != nil {
		mod(&cmd)
	}
	s.cmds[action]++
	return s.apply(cmd).(*queue.CounterResult)
}

func ptr(t time.Time) *time.Time { return &t }

// end closes the counter's current ticket's visit in the record.
func (s *sim) end(c *simCtr, outcome queue.Status) {
	tk := s.tix[c.current]
	v := tk.cur()
	v.outcome, v.endedAt = outcome, ptr(s.now)
	tk.status = outcome
	c.current = ""
}

// called records that c called ticket id now.
func (s *sim) called(c *simCtr, id string, r *rand.Rand) {
	tk := s.tix[id]
	v := tk.cur()
	if v.firstCall == nil {
		v.firstCall, v.counter, v.officer = ptr(s.now), c.id, c.officer
	}
	v.lastCall, v.outcome, v.endedAt = ptr(s.now), "", nil
	tk.status = queue.Called
	delete(s.noShows, id)
	c.current = id
	c.calls++
	c.busyUntil = s.now.Add(time.Duration(60+r.IntN(12*60)) * time.Second)
	switch p := r.IntN(100); {
	case p < 40:
		c.plan = "done"
	case p < 65:
		c.plan = "next" // finished as done by the next call
	case p < 80:
		c.plan = "no-show"
		c.busyUntil = s.now.Add(time.Duration(30+r.IntN(120)) * time.Second)
	case p < 90:
		c.plan = "transfer"
	default:
		c.plan = "start-done" // served after "start"
	}
}

// step lets counter c act at s.now if it is free.
func (s *sim) step(c *simCtr, day string, r *rand.Rand) {
	if s.now.Before(c.busyUntil) {
		return
	}
	if !c.open {
		if !s.now.Before(s.at(day, "08:00:00")) && s.now.Before(s.at(day, "15:00:00")) {
			s.act(c, queue.ActOpen, nil)
			c.open = true
		}
		return
	}
	if c.current != "" {
		switch c.plan {
		case "done":
			s.act(c, queue.ActDone, nil)
			s.end(c, queue.Done)
		case "start-done":
			s.act(c, queue.ActStart, nil)
			c.plan, c.busyUntil = "done", s.now.Add(time.Duration(30+r.IntN(300))*time.Second)
			return
		case "no-show":
			id := c.current
			s.act(c, queue.ActNoShow, nil)
			s.end(c, queue.NoShow)
			s.noShows[id] = c.calls
		case "transfer":
			tk := s.tix[c.current]
			from := tk.cur().service
			to := simServices[r.IntN(len(simServices))].id
			if to == from {
				to = simServices[(slices.IndexFunc(simServices, func(v simService) bool { return v.id == from })+1)%len(simServices)].id
			}
			s.act(c, queue.ActTransfer, func(a *queue.CounterAction) { a.ServiceID = to })
			s.end(c, queue.Transferred)
			tk.status = queue.Waiting
			tk.visits = append(tk.visits, &recVisit{service: to, agency: serviceOf(to).agency, queued: s.now})
		case "next":
			// left for the next call below
		}
	}
	// Loket 1 is handed over at noon, when free.
	if c.id == "k-1" && !c.handed && c.current == "" && !s.now.Before(s.at(day, "12:00:00")) {
		c.officer, c.handed = "u-g", true
		s.act(c, queue.ActOpen, nil)
	}
	if !s.now.Before(s.at(day, "15:00:00")) {
		if c.current != "" { // "next" planned: finish it
			s.act(c, queue.ActDone, nil)
			s.end(c, queue.Done)
		}
		s.act(c, queue.ActClose, nil)
		c.open = false
		c.busyUntil = s.at(day, "23:59:59")
		return
	}
	// Call back a no-show of its services after three other calls, now and
	// then; else the next by routing.
	var back string
	for _, id := range s.today {
		if n, ok := s.noShows[id]; ok && c.calls-n >= 3 && slices.Contains(c.services, s.tix[id].cur().service) && r.IntN(3) == 0 {
			back = id
			break
		}
	}
	finishing := c.current
	if back == "" && !s.anyWaiting(c) {
		// Nobody waits (as the record knows): finish the current ticket
		// and look again a little later.
		if finishing != "" {
			s.act(c, queue.ActDone, nil)
			s.end(c, queue.Done)
		}
		c.busyUntil = s.now.Add(30 * time.Second)
		return
	}
	var res *queue.CounterResult
	if back != "" {
		res = s.act(c, queue.ActCall, func(a *queue.CounterAction) { a.TicketID = back })
	} else {
		res = s.act(c, queue.ActNext, nil)
	}
	if finishing != "" {
		s.end(c, queue.Done)
	}
	if res.Current == nil {
		c.busyUntil = s.now.Add(time.Minute) // nobody waits: look again soon
		return
	}
	if back != "" && res.Current.ID != back {
		s.t.Fatalf("called back %s, the counter holds %s", back, res.Current.ID)
	}
	s.called(c, res.Current.ID, r)
}

// anyWaiting reports whether a ticket waits in one of c's services.
func (s *sim) anyWaiting(c *simCtr) bool {
	for _, id := range s.today {
		if tk := s.tix[id]; tk.status == queue.Waiting && slices.Contains(c.services, tk.cur().service) {
			return true
		}
	}
	return false
}

// runDay simulates one day from 07:45 until `until` (15:30 for a whole
// day, after the counters close), with n tickets issued from 07:45 to
// 13:00 and a few just before 15:00.
func (s *sim) runDay(day string, seed uint64, n int, until string) {
	r := rand.New(rand.NewPCG(seed, 7))
	s.now = s.at(day, "07:45:00")
	// Earlier days' tickets expired at the roll: only today's wait or
	// are called back.
	s.today = nil
	start, last := s.now, s.at(day, "13:00:00")
	var arrivals []time.Time
	for range n {
		arrivals = append(arrivals, start.Add(time.Duration(r.Int64N(int64(last.Sub(start)/time.Second)))*time.Second))
	}
	// Latecomers just before the counters close: left waiting, they
	// expire when the day rolls.
	for range n/15 + 1 {
		arrivals = append(arrivals, s.at(day, "14:45:00").Add(time.Duration(r.IntN(14*60))*time.Second))
	}
	slices.SortFunc(arrivals, func(a, b time.Time) int { return a.Compare(b) })
	weights := 0
	for _, v := range simServices {
		weights += v.weight
	}
	pick := func() string {
		w := r.IntN(weights)
		for _, v := range simServices {
			if w -= v.weight; w < 0 {
				return v.id
			}
		}
		panic("weights")
	}
	cancels := map[int64][]string{} // unix second → tickets to cancel then
	ctrs := make([]*simCtr, len(simCounters))
	for i, c := range simCounters {
		ctrs[i] = &simCtr{simCounter: c, officer: c.officer}
	}
	end := s.at(day, until)
	for ; !s.now.After(end); s.now = s.now.Add(time.Second) {
		for len(arrivals) > 0 && !arrivals[0].After(s.now) {
			arrivals = arrivals[1:]
			s.issue(pick(), r.IntN(10) == 0)
			if r.IntN(6) == 0 {
				id := s.order[len(s.order)-1]
				at := s.now.Add(time.Duration(60+r.IntN(20*60)) * time.Second).Unix()
				cancels[at] = append(cancels[at], id)
			}
		}
		for _, id := range cancels[s.now.Unix()] {
			if tk := s.tix[id]; tk.status == queue.Waiting {
				s.apply(queue.CancelTicket{TicketID: id})
				s.cmds["cancel"]++
				tk.status = queue.Cancelled
				v := tk.cur()
				v.outcome, v.endedAt = queue.Cancelled, ptr(s.now)
			}
		}
		for _, c := range ctrs {
			s.step(c, day, r)
		}
	}
}

// roll starts the next day (a command just after midnight rolls it) and
// records what the roll does: every visit still open expires.
func (s *sim) roll(next string) {
	s.now = s.at(next, "00:00:30")
	s.apply(queue.Ping{})
	for _, id := range s.order {
		tk := s.tix[id]
		if tk.day >= next || tk.status == queue.Done || tk.status == queue.Cancelled || tk.status == queue.Expired {
			continue
		}
		if v := tk.cur(); v.outcome == "" {
			v.outcome, v.endedAt = queue.Expired, ptr(s.now)
		}
		tk.status = queue.Expired
	}
	s.noShows = map[string]int{}
}

// run simulates days from first: nDays whole days, each rolled, then a
// last day ("today") until 11:30, left live.
func (s *sim) run(first string, nDays, perDay int) {
	s.now = s.at(first, "06:00:00")
	s.open()
	s.setup()
	day := first
	for i := range nDays {
		s.days = append(s.days, day)
		s.runDay(day, uint64(i+1), perDay+i%5*3, "15:30:00")
		day = addDay(day, 1)
		s.roll(day)
	}
	s.days = append(s.days, day)
	s.runDay(day, 1000, perDay, "11:30:00")
}

func addDay(day string, n int) string {
	t, err := time.Parse(queue.DateLayout, day)
	if err != nil {
		panic(err)
	}
	return t.AddDate(0, 0, n).Format(queue.DateLayout)
}

// ---- the figures, from the record alone ----

type expAcc struct {
	tickets                   map[string]bool
	served, noShow, cancelled int64
	waits                     []int64
	within                    int64
	serviceSum, serviceN      int64
}

// expected computes the report of q from the test's record.
func (s *sim) expected(q reports.Query) []reports.Row {
	accs := map[string]*expAcc{}
	for _, id := range s.order {
		tk := s.tix[id]
		if tk.day < q.From || tk.day > q.To {
			continue
		}
		for _, v := range tk.visits {
			if q.AgencyID != "" && v.agency != q.AgencyID {
				continue
			}
			var key string
			switch q.GroupBy {
			case reports.ByAgency:
				key = v.agency
			case reports.ByService:
				key = v.service
			case reports.ByCounter:
				key = v.counter
			case reports.ByOfficer:
				key = v.officer
			case reports.ByHour:
				key = fmt.Sprintf("%02d", tk.issued.In(s.loc).Hour())
			case reports.ByDay:
				key = tk.day
			}
			a := accs[key]
			if a == nil {
				a = &expAcc{tickets: map[string]bool{}}
				accs[key] = a
			}
			a.tickets[tk.id] = true
			if v.firstCall != nil {
				w := int64(v.firstCall.Sub(v.queued) / time.Second)
				a.waits = append(a.waits, w)
				if w <= int64(serviceOf(v.service).targetMin*60) {
					a.within++
				}
			}
			switch v.outcome {
			case queue.Done:
				a.served++
				a.serviceN++
				a.serviceSum += int64(v.endedAt.Sub(*v.lastCall) / time.Second)
			case queue.NoShow:
				a.noShow++
			case queue.Cancelled:
				a.cancelled++
			}
		}
	}
	pct := func(num, den int64) *reports.Percent {
		if den == 0 {
			return nil
		}
		p := reports.Percent(math.Round(1000 * float64(num) / float64(den)))
		return &p
	}
	avg := func(sum, n int64) *int64 {
		if n == 0 {
			return nil
		}
		v := int64(math.Round(float64(sum) / float64(n)))
		return &v
	}
	var out []reports.Row
	for key, a := range accs {
		r := reports.Row{Key: key, Label: s.label(q.GroupBy, key), Issued: int64(len(a.tickets)), Served: a.served, NoShow: a.noShow,
			Cancelled: a.cancelled, NoShowPct: pct(a.noShow, a.served+a.noShow), WithinTargetPct: pct(a.within, int64(len(a.waits))),
			AvgServiceS: avg(a.serviceSum, a.serviceN)}
		if len(a.waits) > 0 {
			var sum int64
			for _, w := range a.waits {
				sum += w
			}
			r.AvgWaitS = avg(sum, int64(len(a.waits)))
			sorted := slices.Sorted(slices.Values(a.waits))
			rank := (90*len(sorted) + 99) / 100 // ⌈0.9 n⌉
			r.P90WaitS = &sorted[rank-1]
		}
		out = append(out, r)
	}
	rank := s.rankOf(q.GroupBy)
	sort.Slice(out, func(i, j int) bool {
		return cmp.Or(cmp.Compare(rank(out[i].Key), rank(out[j].Key)), cmp.Compare(out[i].Key, out[j].Key)) < 0
	})
	if out == nil {
		out = []reports.Row{}
	}
	return out
}

func (s *sim) label(groupBy, key string) string {
	if key == "" {
		return "Tidak dipanggil"
	}
	switch groupBy {
	case reports.ByAgency:
		for _, a := range simAgencies {
			if a.id == key {
				return a.short
			}
		}
	case reports.ByService:
		return serviceOf(key).name
	case reports.ByCounter:
		for _, c := range simCounters {
			if c.id == key {
				return c.name
			}
		}
	case reports.ByOfficer:
		for _, u := range simUsers {
			if u.id == key {
				return u.username
			}
		}
	case reports.ByHour:
		var h int
		fmt.Sscanf(key, "%d", &h)
		return fmt.Sprintf("%02d.00–%02d.00", h, h+1)
	case reports.ByDay:
		return key
	}
	s.t.Fatalf("no label for %s %q", groupBy, key)
	return ""
}

// rankOf orders rows: agencies and services by code, counters by agency
// code then name, officers by username; the row of visits no call ended
// last; hours and days by key.
func (s *sim) rankOf(groupBy string) func(key string) int {
	var keys []string
	switch groupBy {
	case reports.ByAgency:
		as := slices.Clone(simAgencies)
		slices.SortFunc(as, func(a, b simAgency) int { return cmp.Compare(a.code, b.code) })
		for _, a := range as {
			keys = append(keys, a.id)
		}
	case reports.ByService:
		vs := slices.Clone(simServices)
		slices.SortFunc(vs, func(a, b simService) int { return cmp.Compare(a.code, b.code) })
		for _, v := range vs {
			keys = append(keys, v.id)
		}
	case reports.ByCounter:
		code := func(agency string) string {
			return simAgencies[slices.IndexFunc(simAgencies, func(a simAgency) bool { return a.id == agency })].code
		}
		cs := slices.Clone(simCounters)
		slices.SortFunc(cs, func(a, b simCounter) int {
			return cmp.Or(cmp.Compare(code(a.agency), code(b.agency)), cmp.Compare(a.name, b.name))
		})
		for _, c := range cs {
			keys = append(keys, c.id)
		}
	case reports.ByOfficer:
		us := slices.Clone(simUsers)
		slices.SortFunc(us, func(a, b simUser) int { return cmp.Compare(a.username, b.username) })
		for _, u := range us {
			keys = append(keys, u.id)
		}
	default:
		return func(string) int { return 0 }
	}
	return func(key string) int {
		if key == "" {
			return len(keys) + 1
		}
		if i := slices.Index(keys, key); i >= 0 {
			return i
		}
		return len(keys)
	}
}

// ---- checking ----

// check compares the product's report of q with the record's.
func (s *sim) check(q reports.Query) {
	s.t.Helper()
	got, err := s.rep.Summary(context.Background(), q, s.eng.State(), false)
	if err != nil {
		s.t.Fatalf("%+v: %v", q, err)
	}
	want := s.expected(q)
	if !slices.EqualFunc(got, want, rowEqual) {
		s.t.Errorf("report %s..%s by %s (agency %q):\n%s", q.From, q.To, q.GroupBy, q.AgencyID, diffRows(got, want))
	}
}

func rowEqual(a, b reports.Row) bool {
	return fmt.Sprint(rowText(a)) == fmt.Sprint(rowText(b))
}

func rowText(r reports.Row) string {
	p := func(v *reports.Percent) string {
		if v == nil {
			return "null"
		}
		return v.String()
	}
	i := func(v *int64) string {
		if v == nil {
			return "null"
		}
		return fmt.Sprint(*v)
	}
	return fmt.Sprintf("%q %q issued=%d served=%d no_show=%d (%s%%) cancelled=%d wait avg=%s p90=%s service avg=%s within=%s%%",
		r.Key, r.Label, r.Issued, r.Served, r.NoShow, p(r.NoShowPct), r.Cancelled, i(r.AvgWaitS), i(r.P90WaitS), i(r.AvgServiceS), p(r.WithinTargetPct))
}

func diffRows(got, want []reports.Row) string {
	out := ""
	for i := range max(len(got), len(want)) {
		g, w := "(none)", "(none)"
		if i < len(got) {
			g = rowText(got[i])
		}
		if i < len(want) {
			w = rowText(want[i])
		}
		mark := "  "
		if g != w {
			mark = "≠ "
		}
		out += fmt.Sprintf("%s got  %s\n   want %s\n", mark, g, w)
	}
	return out
}

// checkAll checks every grouping, for all agencies and for each agency,
// over each range.
func (s *sim) checkAll(ranges [][2]string) {
	s.t.Helper()
	for _, rg := range ranges {
		for _, g := range reports.Groupings {
			for _, agency := range []string{"", "ag-dkp", "ag-imi", "ag-sam"} {
				s.check(reports.Query{From: rg[0], To: rg[1], GroupBy: g, AgencyID: agency})
			}
		}
	}
}

// stored returns the days with a stored summary and those missing one,
// reading the store directly.
func (s *sim) stored() (have, missing []string) {
	s.t.Helper()
	missing, err := s.db.ReportDays("", "", func(day string, _ []byte) error {
		have = append(have, day)
		return nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return have, missing
}

// waitBuilt waits until the builder has stored the summary of every
// finished day, without any report being read.
func (s *sim) waitBuilt() {
	s.t.Helper()
	finished := s.days[:len(s.days)-1]
	deadline := time.Now().Add(20 * time.Second)
	for {
		have, missing := s.stored()
		// Today has tickets and no summary: it is read live.
		if slices.Equal(have, finished) && slices.Equal(missing, s.days[len(s.days)-1:]) {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("summaries after the rolls: stored %v, missing %v; want stored %v", have, missing, finished)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dropSummaries deletes the stored summaries of the days.
func (s *sim) dropSummaries(days []string) {
	s.t.Helper()
	recs := map[string][]byte{}
	for _, d := range days {
		recs[d] = nil
	}
	if err := s.db.PutReportDays(recs); err != nil {
		s.t.Fatal(err)
	}
}

// covered checks that the generator did what it claims, so that the
// figures compared cover every path.
func (s *sim) covered() {
	s.t.Helper()
	for _, k := range []string{"issue", "cancel", queue.ActNext, queue.ActCall, queue.ActDone, queue.ActNoShow, queue.ActTransfer, queue.ActStart, queue.ActOpen, queue.ActClose} {
		if s.cmds[k] == 0 {
			s.t.Errorf("the generator sent no %s", k)
		}
	}
	var callBacks, crossAgency, expired, doneAfterBack, notCalled int
	for _, tk := range s.tix {
		for i, v := range tk.visits {
			if v.firstCall != nil && !v.firstCall.Equal(*v.lastCall) {
				callBacks++
				if v.outcome == queue.Done {
					doneAfterBack++
				}
			}
			if i > 0 && v.agency != tk.visits[i-1].agency {
				crossAgency++
			}
			if v.outcome == queue.Expired {
				expired++
			}
			if v.firstCall == nil {
				notCalled++
			}
		}
	}
	s.t.Logf("%d tickets over %d days; %v; %d call-backs (%d then served), %d transfers to another agency, %d visits expired, %d never called",
		len(s.tix), len(s.days), s.cmds, callBacks, doneAfterBack, crossAgency, expired, notCalled)
	if callBacks == 0 || doneAfterBack == 0 || crossAgency == 0 || expired == 0 || notCalled == 0 {
		s.t.Error("the generator missed a case (see the log line)")
	}
}
