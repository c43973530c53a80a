// Package load is `antrean load`: the busy morning of a public service
// mall played against a running server, through its public HTTP API and
// websockets only. Doors open at 07:45 with a surge of visitors at the
// kiosks; counters open around 08:00; officers call, recall, serve,
// transfer and mark no-shows; lobby screens follow the public feed and
// visitors' phones their own ticket's feed. The morning runs faster than
// real time (--speed), and the run measures what a visitor and an officer
// wait for: the ticket, the call, and the call reaching every screen and
// the ticket's phone.
//
// Each kiosk, officer, screen and phone is a goroutine. Kiosks and
// officers sleep in simulated time between their requests; screens and
// phones only read. A call is timed from the moment the officer has the
// answer of next (or call) to the moment each screen has read the
// ticket.called frame and the ticket's phone the message that shows the
// call, all on this process's monotonic clock.
package load

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// setupTimeout bounds each setup and tidy-up step.
const setupTimeout = 2 * time.Minute

// run is one load run.
type run struct {
	cfg   Config
	ctx   context.Context // the whole run (requests); the morning is shorter
	api   *api
	stats *stats
	book  *callBook
	feeds *feeds
	mall  *mall
	base  time.Time // real time of 07:45

	dialing sync.WaitGroup // phones not yet connected
}

// Run plays the morning and returns what it measured. The report is
// returned with figures even when ctx ends the run early (Interrupted).
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	raiseNoFile()
	u, _ := url.Parse(cfg.URL)
	base := strings.TrimRight(cfg.URL, "/")
	// Requests are not cut off by an interrupt: the actors stop at their
	// next pause, and the officers still close their counters.
	r := &run{cfg: cfg, ctx: context.WithoutCancel(ctx), api: newAPI(base, cfg.Kiosks+cfg.Officers),
		stats: newStats(cfg.Expect), book: newCallBook(cfg.Screens)}
	sources := cfg.Sources
	local := isLoopback(u.Hostname())
	if len(sources) == 0 && local {
		sources = loopbackSources(u.Hostname(), cfg.Screens+cfg.Phones)
	}
	ws := "ws" + strings.TrimPrefix(base, "http")
	r.feeds = newFeeds(ws, sources)

	rep := &Report{URL: cfg.URL, Started: time.Now(), Latency: map[string]Summary{},
		Machine: Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadAvgStart: loadAvg()}}
	rep.Setup = Setup{Kiosks: cfg.Kiosks, Officers: cfg.Officers, Screens: cfg.Screens, Phones: cfg.Phones,
		Tickets: cfg.Tickets, Speed: cfg.Speed, Real: cfg.Duration.String(), Simulated: cfg.Simulated().String(),
		Sources: max(1, len(sources)), Seed: cfg.Seed}

	setupCtx, cancel := context.WithTimeout(ctx, setupTimeout)
	m, err := r.setup(setupCtx)
	cancel()
	if err != nil {
		return nil, err
	}
	r.mall = m
	rep.Setup.Services, rep.Setup.Agencies = len(m.services), m.agencies
	defer func() {
		if err := m.restore(r.api); err != nil {
			r.progress("putting the mall back: %v", err)
		}
	}()

	port, _ := strconv.Atoi(u.Port())
	if port == 0 {
		port = map[string]int{"http": 80, "https": 443}[u.Scheme]
	}
	probe := findServer(ctx, cfg.PID, port, local, base)
	var mem *memSampler
	if probe != nil {
		mem = startSampler(ctx, probe)
	}

	// The lobby screens are on before the doors open.
	ready := make(chan bool, cfg.Screens)
	for i := range cfg.Screens {
		r.feeds.readers.Add(1)
		go func() {
			defer r.feeds.readers.Done()
			r.screen(ctx, i, ready)
		}()
	}
	for range cfg.Screens {
		<-ready
	}

	arrivals, peak := arrivalTimes(cfg.Tickets, cfg.Phones, cfg.Simulated(), rand.New(rand.NewPCG(cfg.Seed, 0)))
	rep.Setup.PeakPerMinute = peak
	cpu0 := selfCPU()
	r.base = time.Now()
	morning, endMorning := context.WithDeadline(ctx, r.base.Add(cfg.Duration))
	defer endMorning()
	stopProgress := r.startProgress(morning)

	var actors sync.WaitGroup
	for k, token := range m.kiosks {
		var mine []arrival
		for i, a := range arrivals {
			if i%len(m.kiosks) == k {
				mine = append(mine, a)
			}
		}
		actors.Add(1)
		go func() {
			defer actors.Done()
			r.kiosk(morning, token, mine, rand.New(rand.NewPCG(cfg.Seed, uint64(1000+k))))
		}()
	}
	for i, o := range m.officers {
		actors.Add(1)
		go func() {
			defer actors.Done()
			r.officer(morning, o, rand.New(rand.NewPCG(cfg.Seed, uint64(2000+i))))
		}()
	}
	actors.Wait()
	r.dialing.Wait()
	stopProgress()
	r.book.wait(time.Now().Add(cfg.Grace))
	rep.Interrupted = ctx.Err() != nil
	if mem != nil {
		rep.Server = mem.stop(time.Since(r.base), rep.Machine.CPUs)
	}
	r.feeds.closeAll()
	rep.ToolCPUSeconds = (selfCPU() - cpu0).Seconds()
	rep.Machine.LoadAvgEnd = loadAvg()
	r.fill(rep)
	return rep, nil
}

// fill puts the measurements into the report.
func (r *run) fill(rep *Report) {
	br := r.book.results()
	s := r.stats
	s.mu.Lock()
	defer s.mu.Unlock()
	if br.screenMissed > 0 {
		s.errs["screen: a call never shown"] = br.screenMissed
	}
	if br.phoneMissed > 0 {
		s.errs["phone: a call never shown"] = br.phoneMissed
	}
	for k, v := range s.lat {
		rep.Latency[k] = summarize(v)
	}
	rep.Latency["call_to_screen"] = summarize(br.screen)
	rep.Latency["call_to_last_screen"] = summarize(br.lastScreen)
	rep.Latency["call_to_phone"] = summarize(br.phone)
	rep.Latency["press_to_last_screen"] = summarize(br.pressLastScreen)
	rep.Latency["press_to_phone"] = summarize(br.pressPhone)
	rep.Errors, rep.Expected = s.errs, s.expected
	for _, n := range s.errs {
		rep.ErrorTotal += n
	}
	c := s.counts
	rep.Counts = Counts{Issued: c["issued"], NotIssued: c["not_issued"], Priority: c["priority"], Calls: c["calls"],
		CallBacks: c["call_backs"], Recalls: c["recalls"], NoShows: c["no_shows"], Transfers: c["transfers"], Done: c["done"],
		PhonesConnected: int(r.feeds.phonesJoined.Load()), PhonesPeak: int(r.feeds.phonesPeak.Load()),
		ScreenFrames: len(br.screen), EarlyFrames: br.early, PhoneCalls: len(br.phone)}
}

// --- simulated time

// simNow is the simulated time since the doors opened.
func (r *run) simNow() time.Duration {
	return time.Duration(float64(time.Since(r.base)) * r.cfg.Speed)
}

// sleepUntil waits for a simulated time; false if ctx ended first.
func (r *run) sleepUntil(ctx context.Context, sim time.Duration) bool {
	d := time.Until(r.base.Add(time.Duration(float64(sim) / r.cfg.Speed)))
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// sleep waits a simulated duration.
func (r *run) sleep(ctx context.Context, sim time.Duration) bool {
	return r.sleepUntil(ctx, r.simNow()+sim)
}

// clock is the mall's time for a simulated instant: doors at 07:45.
func clock(sim time.Duration) string {
	t := time.Date(2000, 1, 1, 7, 45, 0, 0, time.UTC).Add(sim)
	return t.Format("15:04:05")
}

func (r *run) progress(format string, args ...any) {
	if r.cfg.Progress != nil {
		fmt.Fprintf(r.cfg.Progress, "antrean load: "+format+"\n", args...)
	}
}

// startProgress prints a line about twelve times a run.
func (r *run) startProgress(morning context.Context) (stop func()) {
	if r.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(max(time.Second, r.cfg.Duration/12))
		defer t.Stop()
		for {
			select {
			case <-t.C:
			case <-done:
				return
			case <-morning.Done():
				r.progress("%s the morning is over; counters close", clock(r.cfg.Simulated()))
				<-done
				return
			}
			s := r.stats
			r.progress("%s (+%s) issued %d, calls %d, done %d; phones open %d; errors %d",
				clock(r.simNow()), time.Since(r.base).Round(time.Second), s.get("issued"), s.get("calls"), s.get("done"),
				r.feeds.phonesOpen.Load(), s.errorTotal())
		}
	}()
	return func() { close(done); wg.Wait() }
}

// --- arrivals

type arrival struct {
	at    time.Duration // simulated, since 07:45
	phone bool          // the visitor follows the ticket on a phone
}

// surge shapes the arrival rate over the morning (x from 0 at the doors to
// 1 at the end): a steady trickle, plus the crowd that waited for the
// doors, peaking four minutes (of an hour) after they open and mostly gone
// by 08:00 — about 60% of the hour's visitors come in its first quarter.
func surge(x float64) float64 {
	const peak = 4.0 / 60
	return 1 + 7*(x/peak)*math.Exp(1-x/peak)
}

// arrivalTimes spreads n arrivals over the morning by the surge curve
// (stratified: the i-th falls in the i-th n-quantile, at a random place in
// it) and returns the busiest simulated minute's count.
// Phones are spread evenly over the tickets.
func arrivalTimes(n, phones int, span time.Duration, rng *rand.Rand) ([]arrival, int) {
	const steps = 3600
	cdf := make([]float64, steps+1)
	for i := 1; i <= steps; i++ {
		x := (float64(i) - 0.5) / steps
		cdf[i] = cdf[i-1] + surge(x)
	}
	total := cdf[steps]
	out := make([]arrival, n)
	perMin := map[int64]int{}
	peak := 0
	j := 0
	for i := range out {
		q := (float64(i) + rng.Float64()) / float64(n) * total
		for j < steps && cdf[j+1] < q {
			j++
		}
		frac := (q - cdf[j]) / (cdf[j+1] - cdf[j])
		x := (float64(j) + frac) / steps
		out[i].at = time.Duration(x * float64(span))
		out[i].phone = (i+1)*phones/n > i*phones/n
		m := int64(out[i].at / time.Minute)
		perMin[m]++
		peak = max(peak, perMin[m])
	}
	return out, peak
}

func uniform(rng *rand.Rand, r [2]time.Duration) time.Duration {
	return r[0] + time.Duration(rng.Float64()*float64(r[1]-r[0]))
}

// --- kiosks

// kiosk serves its share of the visitors one after another: each taps
// for a while, takes a ticket, and maybe scans its QR code with a phone.
func (r *run) kiosk(morning context.Context, token string, arrivals []arrival, rng *rand.Rand) {
	b := r.cfg.Behaviour
	free := time.Duration(0)
	for i, a := range arrivals {
		if !r.sleepUntil(morning, max(a.at, free)+uniform(rng, b.Tap)) {
			r.stats.count("not_issued", len(arrivals)-i)
			return
		}
		svc := r.pickService(rng)
		prio := rng.Float64() < b.PriorityShare
		t, ok := r.issue(token, svc, prio)
		free = r.simNow() + 3*time.Second // the visitor takes the ticket and goes
		if !ok {
			continue
		}
		r.stats.count("issued", 1)
		if prio {
			r.stats.count("priority", 1)
		}
		if a.phone {
			r.dialing.Add(1)
			go r.phone(morning, t, uniform(rng, b.Scan))
		}
	}
}

func (r *run) pickService(rng *rand.Rand) service {
	m := r.mall
	total := 0.0
	for _, w := range m.weights {
		total += w
	}
	x := rng.Float64() * total
	for i, w := range m.weights {
		if x < w {
			return m.services[i]
		}
		x -= w
	}
	return m.services[len(m.services)-1]
}

// issue takes one ticket; a refusal that --expect names is retried after
// Retry-After, as a kiosk does.
func (r *run) issue(token string, svc service, prio bool) (issued, bool) {
	body := map[string]any{"service_id": svc.ID, "priority": prio}
	for attempt := 0; ; attempt++ {
		a, err := r.api.do(r.ctx, http.MethodPost, "/api/v1/tickets", token, body, true)
		if err != nil {
			if r.ctx.Err() == nil {
				r.stats.fail("issue", transportKind(err))
			}
			return issued{}, false
		}
		if a.status == http.StatusCreated {
			r.stats.latency("issue", a.took)
			var ans struct {
				Ticket struct {
					ID string `json:"id"`
				} `json:"ticket"`
				StatusURL string `json:"status_url"`
			}
			if err := a.decode(&ans); err != nil {
				r.stats.fail("issue", "undecodable answer")
				return issued{}, false
			}
			su, err := url.Parse(ans.StatusURL)
			if err != nil || su.Query().Get("k") == "" {
				r.stats.fail("issue", "status_url without a key")
				return issued{}, false
			}
			return issued{id: ans.Ticket.ID, key: su.Query().Get("k")}, true
		}
		expected := r.stats.fail("issue", a.detail(), a.code(), strconv.Itoa(a.status))
		if !expected || a.status != http.StatusTooManyRequests || attempt >= 10 {
			return issued{}, false
		}
		t := time.NewTimer(max(a.retryAfter, 100*time.Millisecond))
		select {
		case <-t.C:
		case <-r.ctx.Done():
			t.Stop()
			return issued{}, false
		}
	}
}

// --- officers

// callAnswer is what the run reads of a counter action's answer.
type callAnswer struct {
	Current *struct {
		ID        string    `json:"id"`
		ServiceID string    `json:"service_id"`
		CalledAt  time.Time `json:"called_at"`
	} `json:"current"`
}

// act presses one button of the console; nil when it failed (counted).
func (r *run) act(o officer, action string, body any) *answer {
	a, err := r.api.do(r.ctx, http.MethodPost, "/api/v1/counters/"+o.counter.ID+"/"+action, o.token, body, true)
	if err != nil {
		if r.ctx.Err() == nil {
			r.stats.fail(action, transportKind(err))
		}
		return nil
	}
	r.stats.latency("action."+action, a.took)
	if a.status/100 != 2 {
		r.stats.fail(action, a.detail(), a.code(), strconv.Itoa(a.status))
		return nil
	}
	return a
}

// call presses next (or calls a no-show back) and books the call; it
// returns the called ticket, or nil when nobody waits or it failed.
func (r *run) call(o officer, ticketID string) *callAnswer {
	action, body := "next", any(nil)
	if ticketID != "" {
		action, body = "call", map[string]string{"ticket_id": ticketID}
	}
	a := r.act(o, action, body)
	if a == nil || a.status == http.StatusNoContent {
		return nil
	}
	at := time.Now()
	var ans callAnswer
	if err := a.decode(&ans); err != nil || ans.Current == nil {
		r.stats.fail(action, "answer without a current ticket")
		return nil
	}
	r.book.answered(ans.Current.ID, ans.Current.CalledAt, at.Add(-a.took), at)
	r.stats.latency("call", a.took)
	r.stats.count("calls", 1)
	return &ans
}

// officer works one counter: opens it around 08:00, then calls, serves and
// finishes visitors until the morning ends, then finishes the current one
// and closes.
func (r *run) officer(morning context.Context, o officer, rng *rand.Rand) {
	b := r.cfg.Behaviour
	span := r.cfg.Simulated()
	openAt := time.Duration(b.OpenAt*float64(span)) + time.Duration((rng.Float64()*5-2)*float64(time.Minute))
	openAt = max(0, min(openAt, span-time.Second))
	if !r.sleepUntil(morning, openAt) || r.act(o, "open", nil) == nil {
		return
	}
	current := false // the counter has a called or serving ticket
	defer func() {
		// Tidy up even when the run was interrupted.
		if current {
			if r.act(o, "done", nil) != nil {
				r.stats.count("done", 1)
			}
		}
		r.act(o, "close", nil)
	}()
	type callBack struct {
		id    string
		after int // call it back after this many calls
	}
	var backs []callBack
	calls := 0
	for morning.Err() == nil {
		backID := ""
		if len(backs) > 0 && calls >= backs[0].after {
			backID, backs = backs[0].id, backs[1:]
		}
		ans := r.call(o, backID)
		if ans == nil {
			if !r.sleep(morning, b.IdlePoll) {
				return
			}
			continue
		}
		calls++
		current = true
		if backID != "" {
			r.stats.count("call_backs", 1)
		}
		t := ans.Current
		fate := rng.Float64()
		switch {
		case backID == "" && fate < b.AbsentShare:
			// Nobody comes: recall after a minute, then no-show.
			if !r.sleep(morning, time.Minute) {
				return
			}
			if r.act(o, "recall", nil) != nil {
				r.stats.count("recalls", 1)
			}
			if !r.sleep(morning, time.Minute) {
				return
			}
			if r.act(o, "no-show", nil) != nil {
				r.stats.count("no_shows", 1)
				current = false
				if rng.Float64() < b.CallBackShare {
					backs = append(backs, callBack{id: t.ID, after: calls + b.CallBackAfter})
				}
			}
			continue
		case backID == "" && fate < b.AbsentShare+b.SlowShare:
			// Slow to come: recalled once.
			if !r.sleep(morning, 45*time.Second) {
				return
			}
			if r.act(o, "recall", nil) != nil {
				r.stats.count("recalls", 1)
			}
		}
		if !r.sleep(morning, uniform(rng, b.Walk)) {
			return
		}
		r.act(o, "start", nil)
		serve := time.Duration(float64(b.ServiceMean) * math.Exp(0.6*rng.NormFloat64()-0.18)) // log-normal, mean ServiceMean
		serve = max(time.Minute, min(serve, 5*b.ServiceMean))
		if !r.sleep(morning, serve) {
			return
		}
		if rng.Float64() < b.TransferShare && len(r.mall.services) > 1 {
			to := r.pickService(rng)
			for to.ID == t.ServiceID {
				to = r.mall.services[rng.IntN(len(r.mall.services))]
			}
			if r.act(o, "transfer", map[string]string{"service_id": to.ID}) != nil {
				r.stats.count("transfers", 1)
				current = false
				continue
			}
		}
		if r.act(o, "done", nil) != nil {
			r.stats.count("done", 1)
			current = false
		}
	}
}

// --- addresses

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackSources are enough 127.0.0.x addresses that none opens more
// than 100 websockets (the server's default cap per address is 256).
// Linux answers on all of 127.0.0.0/8 without setup. For an IPv6 target
// (::1) there is one loopback address: no binding.
func loopbackSources(host string, conns int) []net.IP {
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || ip.To4() == nil) {
		return nil
	}
	n := min(250, max(1, (conns+99)/100))
	out := make([]net.IP, n)
	for i := range out {
		out[i] = net.IPv4(127, 0, 0, byte(i+1)).To4()
	}
	return out
}

// --- server memory

// memSampler reads the server's RSS every second while the load runs.
type memSampler struct {
	probe      *serverProbe
	start      uint64
	cpu0       time.Duration
	peak       atomic.Uint64
	done, quit chan struct{}
}

func startSampler(ctx context.Context, p *serverProbe) *memSampler {
	m := &memSampler{probe: p, done: make(chan struct{}), quit: make(chan struct{})}
	m.start, m.cpu0, _ = p.read(ctx)
	m.peak.Store(m.start)
	go func() {
		defer close(m.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if rss, _, err := p.read(ctx); err == nil && rss > m.peak.Load() {
					m.peak.Store(rss)
				}
			case <-m.quit:
				return
			}
		}
	}()
	return m
}

func (m *memSampler) stop(elapsed time.Duration, cpus int) *ServerStats {
	close(m.quit)
	<-m.done
	rss, cpu, _ := m.probe.read(context.Background())
	peak := max(m.peak.Load(), rss)
	const mib = 1 << 20
	s := &ServerStats{PID: m.probe.pid, Source: m.probe.source(), RSSStartMiB: round1(float64(m.start) / mib),
		RSSPeakMiB: round1(float64(peak) / mib), RSSEndMiB: round1(float64(rss) / mib)}
	if cpu > 0 {
		s.CPUSeconds = round1((cpu - m.cpu0).Seconds())
		s.CPUShare = math.Round((cpu-m.cpu0).Seconds()/elapsed.Seconds()/float64(cpus)*1000) / 1000
	}
	return s
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
