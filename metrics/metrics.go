// Package metrics serves Antrean's Prometheus metrics at GET /metrics
// (API.md, Operations): the live queue, the visitors' waits and service
// times, the engine's commits, the websocket clients, idempotent replays,
// printer failures and error answers, beside the Go runtime and process
// collectors. Every name of its own starts with antrean_.
//
// Little of it sits on the engine's path: the committer observes two
// histograms per commit (Options.OnCommit) and hands each group's events
// to a Publisher that skips all but ticket.called, ticket.recalled and
// ticket.done by their type. The live state (tickets by service and
// status, waiting, counters) is read from Engine.State() when Prometheus
// scrapes, so the engine keeps no bookkeeping for it. Replays, printer
// failures and error answers come through hooks that bump a counter.
package metrics

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/mpp-digital/antrean/queue"
)

// WaitBuckets are the upper bounds, in seconds, of the wait and
// service-time histograms: what a public office sees, from a visitor
// called at once to a morning's wait at a busy agency.
var WaitBuckets = []float64{30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200}

// Clients counts the websocket clients by feed (display.Hub).
type Clients interface {
	ClientCounts() (public, tickets int)
}

// Metrics holds Antrean's collectors and registry. Make one with New
// before the engine (its ObserveCommit is the engine's OnCommit), then
// Watch the engine and the hub.
type Metrics struct {
	reg *prometheus.Registry

	commitSize    prometheus.Histogram
	commitSeconds prometheus.Histogram
	replays       prometheus.Counter
	printFailures prometheus.Counter
	httpErrors    *prometheus.CounterVec
	calls         *prometheus.CounterVec
	recalls       *prometheus.CounterVec
	waitSeconds   *prometheus.HistogramVec
	serviceSecs   *prometheus.HistogramVec
	live          *liveCollector
}

// New makes the metrics of a server of the given version.
func New(version string) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), live: &liveCollector{}}
	m.commitSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "antrean_commit_group_size",
		Help:    "Commands per engine commit (one store transaction, one fsync); _count is the number of commits.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	m.commitSeconds = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "antrean_commit_duration_seconds",
		Help:    "Time of one engine commit to the store, fsync included.",
		Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
	})
	m.replays = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "antrean_idempotent_replays_total",
		Help: "Requests answered with the kept answer of an earlier request with the same Idempotency-Key (a retry; nothing was done again).",
	})
	m.printFailures = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "antrean_printer_failures_total",
		Help: "Tickets a kiosk's network printer did not take (refused, off or too slow); the log names the printer.",
	})
	m.httpErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "antrean_http_errors_total",
		Help: "Error answers by HTTP status and API error code.",
	}, []string{"status", "code"})
	// The server's own failures exist from the start, at zero, so that an
	// alert on their increase works before the first one.
	m.httpErrors.WithLabelValues("500", queue.EInternal)
	m.httpErrors.WithLabelValues("503", queue.EUnavailable)
	svcLabels := []string{"agency", "service"}
	m.calls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "antrean_calls_total",
		Help: "Tickets called to a counter (calls of the next ticket, of a chosen one and call-backs of no-shows; not recalls), by the ticket's service.",
	}, svcLabels)
	m.recalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "antrean_recalls_total",
		Help: "Calls announced again (recall), by the ticket's service.",
	}, svcLabels)
	m.waitSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "antrean_wait_duration_seconds",
		Help:    "Wait from entering a service's queue (issue, check-in or transfer) to the call, observed at the call.",
		Buckets: WaitBuckets,
	}, svcLabels)
	m.serviceSecs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "antrean_service_duration_seconds",
		Help:    "Time at the counter, from the start of service (or the call, without a start) to done, observed when done.",
		Buckets: WaitBuckets,
	}, svcLabels)
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "antrean_build_info",
		Help:        "Always 1; the labels name the build.",
		ConstLabels: prometheus.Labels{"version": version, "goversion": runtime.Version()},
	})
	buildInfo.Set(1)
	m.reg.MustRegister(
		m.commitSize, m.commitSeconds, m.replays, m.printFailures, m.httpErrors,
		m.calls, m.recalls, m.waitSeconds, m.serviceSecs, buildInfo, m.live,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Watch reads the live state from eng at each scrape, follows its
// committed events, and counts hub's websocket clients (hub may be nil).
// Call it once, before serving.
func (m *Metrics) Watch(eng *queue.Engine, hub Clients) {
	m.live.engine, m.live.hub = eng, hub
	eng.Subscribe(m)
}

// ObserveCommit is the engine's Options.OnCommit.
func (m *Metrics) ObserveCommit(commands int, took time.Duration) {
	m.commitSize.Observe(float64(commands))
	m.commitSeconds.Observe(took.Seconds())
}

// Replayed counts an idempotent replay (httpapi.Config.OnReplay).
func (m *Metrics) Replayed() { m.replays.Inc() }

// PrintFailed counts a ticket not printed (kiosk.Printing.OnFailure).
func (m *Metrics) PrintFailed() { m.printFailures.Inc() }

// ErrorAnswered counts an error answer (httpapi.Config.OnError).
func (m *Metrics) ErrorAnswered(status int, code string) {
	m.httpErrors.WithLabelValues(strconv.Itoa(status), code).Inc()
}

// ticketData is what the metrics read of a ticket event's data.
type ticketData struct {
	Ticket struct {
		ID        string     `json:"id"`
		ServiceID string     `json:"service_id"`
		CalledAt  *time.Time `json:"called_at"`
		ServingAt *time.Time `json:"serving_at"`
		DoneAt    *time.Time `json:"done_at"`
	} `json:"ticket"`
}

// Publish implements queue.Publisher. It runs on the engine's committer
// goroutine after each commit: it decodes only the few events it counts
// (never ticket.issued, the busiest) and only touches counters and
// histograms, so it neither blocks nor slows issuing.
func (m *Metrics) Publish(events []queue.Event, st *queue.State) {
	for i := range events {
		ev := &events[i]
		switch ev.Type {
		case "ticket.called", "ticket.recalled", "ticket.done":
		default:
			continue
		}
		var d ticketData
		if err := json.Unmarshal(ev.Data, &d); err != nil {
			continue
		}
		t := &d.Ticket
		agency, service := serviceLabels(st, t.ServiceID)
		switch ev.Type {
		case "ticket.called":
			m.calls.WithLabelValues(agency, service).Inc()
			if w, ok := waitOf(st, t.ID, t.ServiceID, t.CalledAt); ok {
				m.waitSeconds.WithLabelValues(agency, service).Observe(w.Seconds())
			}
		case "ticket.recalled":
			m.recalls.WithLabelValues(agency, service).Inc()
		case "ticket.done":
			start := t.ServingAt
			if start == nil {
				start = t.CalledAt
			}
			if start != nil && t.DoneAt != nil && !t.DoneAt.Before(*start) {
				m.serviceSecs.WithLabelValues(agency, service).Observe(t.DoneAt.Sub(*start).Seconds())
			}
		}
	}
}

// waitOf is the wait that a call at calledAt ended: from the ticket's
// entry into the service's queue to that call. A call-back of a no-show
// ends no wait (its visit was called before), and a ticket the state no
// longer holds (the day rolled in the same commit) is not measured.
func waitOf(st *queue.State, id, serviceID string, calledAt *time.Time) (time.Duration, bool) {
	t := st.Ticket(id)
	if t == nil || calledAt == nil {
		return 0, false
	}
	for i := len(t.Visits) - 1; i >= 0; i-- {
		v := &t.Visits[i]
		if v.ServiceID == serviceID && v.CalledAt != nil && v.CalledAt.Equal(*calledAt) {
			return v.CalledAt.Sub(v.QueuedAt), !v.CalledAt.Before(v.QueuedAt)
		}
	}
	if len(t.Visits) == 0 && t.ServiceID == serviceID {
		// A ticket stored before visits were kept.
		return calledAt.Sub(t.QueuedAt), !calledAt.Before(t.QueuedAt)
	}
	return 0, false
}

// serviceLabels are the agency and service labels of a service: their
// codes, which are unique and short (the service's prefixes its ticket
// numbers). A service deleted since is named by its ID.
func serviceLabels(st *queue.State, serviceID string) (agency, service string) {
	svc := st.Service(serviceID)
	if svc == nil {
		return "", serviceID
	}
	if a := st.Agency(svc.AgencyID); a != nil {
		agency = a.Code
	}
	return agency, svc.Code
}

// Handler serves the metrics in Prometheus' text format, without the
// address check (Mount adds it).
func (m *Metrics) Handler() http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.touch()
		h.ServeHTTP(w, r)
	})
}

// touch makes the series of every service's calls, recalls, waits and
// service times exist, at zero until something happens: a dashboard and
// rate() then see each service from the start, not from its first call.
func (m *Metrics) touch() {
	eng := m.live.engine
	if eng == nil {
		return
	}
	st := eng.State()
	for _, svc := range st.Services() {
		agency, service := serviceLabels(st, svc.ID)
		m.calls.WithLabelValues(agency, service)
		m.recalls.WithLabelValues(agency, service)
		m.waitSeconds.WithLabelValues(agency, service)
		m.serviceSecs.WithLabelValues(agency, service)
	}
}
