package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mpp-digital/antrean/queue"
)

// statuses are the ticket states, each reported for every service (zero
// included) so that a dashboard's series do not come and go.
var statuses = []queue.Status{queue.Waiting, queue.Called, queue.Serving, queue.Done, queue.NoShow, queue.Cancelled, queue.Expired}

var counterStatuses = []string{queue.CounterOpen, queue.CounterPaused, queue.CounterClosed}

var (
	descTickets = prometheus.NewDesc("antrean_tickets",
		"Today's tickets by their current service and status.",
		[]string{"agency", "service", "status"}, nil)
	descIssued = prometheus.NewDesc("antrean_tickets_issued_total",
		"Tickets issued today by the service that gave the number, cancelled ones included. It starts again from 0 when the day rolls at local midnight, which rate() takes as a counter reset; a restart keeps it.",
		[]string{"agency", "service"}, nil)
	descWaiting = prometheus.NewDesc("antrean_waiting",
		"Tickets waiting in each service's queue now.",
		[]string{"agency", "service"}, nil)
	descService = prometheus.NewDesc("antrean_service_info",
		"Always 1: each service's name and whether it is active, to label dashboards by name.",
		[]string{"agency", "service", "name", "active"}, nil)
	descCounters = prometheus.NewDesc("antrean_counters",
		"Counters (loket) by agency and status.",
		[]string{"agency", "status"}, nil)
	descClients = prometheus.NewDesc("antrean_websocket_clients",
		"Connected websocket clients by feed: public (lobby displays, consoles, kiosks, survey tablets) and ticket (visitors' ticket pages).",
		[]string{"feed"}, nil)
)

// liveCollector reports the live state as it is when Prometheus scrapes:
// it reads the engine's latest published snapshot (an atomic load) and
// counts, so the engine does nothing for these metrics between scrapes.
type liveCollector struct {
	engine *queue.Engine
	hub    Clients
}

func (c *liveCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTickets, descIssued, descWaiting, descService, descCounters, descClients} {
		ch <- d
	}
}

// svcKey is a series' agency and service labels.
type svcKey struct{ agency, service string }

func (c *liveCollector) Collect(ch chan<- prometheus.Metric) {
	if c.hub != nil {
		public, tickets := c.hub.ClientCounts()
		ch <- prometheus.MustNewConstMetric(descClients, prometheus.GaugeValue, float64(public), "public")
		ch <- prometheus.MustNewConstMetric(descClients, prometheus.GaugeValue, float64(tickets), "ticket")
	}
	if c.engine == nil {
		return
	}
	st := c.engine.State()

	// Every service gets its series, zero or not; tickets of a service
	// deleted since are reported under its ID. Keys are aggregated
	// before sending: a registry refuses two series with equal labels.
	labels := map[string]svcKey{}
	var order []svcKey
	seen := map[svcKey]bool{}
	key := func(serviceID string) svcKey {
		k, ok := labels[serviceID]
		if !ok {
			a, s := serviceLabels(st, serviceID)
			k = svcKey{a, s}
			labels[serviceID] = k
		}
		if !seen[k] {
			seen[k] = true
			order = append(order, k)
		}
		return k
	}
	byStatus := map[svcKey]map[queue.Status]int{}
	issued := map[svcKey]int{}
	waiting := map[svcKey]int{}
	for _, svc := range st.Services() {
		k := key(svc.ID)
		waiting[k] += len(st.Waiting(svc.ID))
		active := "false"
		if svc.Active {
			active = "true"
		}
		ch <- prometheus.MustNewConstMetric(descService, prometheus.GaugeValue, 1, k.agency, k.service, svc.Name, active)
	}
	for t := range st.Tickets() {
		k := key(t.ServiceID)
		m := byStatus[k]
		if m == nil {
			m = map[queue.Status]int{}
			byStatus[k] = m
		}
		m[t.Status]++
		issued[key(issuedService(t))]++
	}
	for _, k := range order {
		for _, s := range statuses {
			ch <- prometheus.MustNewConstMetric(descTickets, prometheus.GaugeValue, float64(byStatus[k][s]), k.agency, k.service, string(s))
		}
		ch <- prometheus.MustNewConstMetric(descIssued, prometheus.CounterValue, float64(issued[k]), k.agency, k.service)
		ch <- prometheus.MustNewConstMetric(descWaiting, prometheus.GaugeValue, float64(waiting[k]), k.agency, k.service)
	}

	counters := map[string]map[string]int{}
	for _, a := range st.Agencies() {
		counters[a.Code] = map[string]int{}
	}
	for _, ctr := range st.Counters() {
		code := ""
		if a := st.Agency(ctr.AgencyID); a != nil {
			code = a.Code
		}
		if counters[code] == nil {
			counters[code] = map[string]int{}
		}
		counters[code][ctr.Status]++
	}
	for code, m := range counters {
		for _, s := range counterStatuses {
			ch <- prometheus.MustNewConstMetric(descCounters, prometheus.GaugeValue, float64(m[s]), code, s)
		}
	}
}

// issuedService is the service that gave a ticket its number.
func issuedService(t *queue.Ticket) string {
	if t.IssuedServiceID != "" {
		return t.IssuedServiceID
	}
	return t.ServiceID
}
