package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/mpp-digital/antrean/natspub"
)

var (
	descNATSConnected = prometheus.NewDesc("antrean_nats_connected",
		"1 while the site's connection to the region's NATS is up.", []string{"site_id"}, nil)
	descNATSCursor = prometheus.NewDesc("antrean_nats_published_seq",
		"The last event seq the site's JetStream stream holds.", []string{"site_id"}, nil)
	descNATSLagEvents = prometheus.NewDesc("antrean_nats_lag_events",
		"Committed events not yet in the region's stream.", []string{"site_id"}, nil)
	descNATSLagSeconds = prometheus.NewDesc("antrean_nats_lag_seconds",
		"Age of the oldest event not yet in the region's stream (0 when caught up).", []string{"site_id"}, nil)
	descNATSFailing = prometheus.NewDesc("antrean_nats_failing",
		"1 while the publisher's last attempt failed (its reason is in /readyz).", []string{"site_id"}, nil)
)

// natsCollector reads the publisher's state at each scrape.
type natsCollector struct{ status func() natspub.Status }

func (c natsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descNATSConnected, descNATSCursor, descNATSLagEvents, descNATSLagSeconds, descNATSFailing} {
		ch <- d
	}
}

func (c natsCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.status()
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	ch <- prometheus.MustNewConstMetric(descNATSConnected, prometheus.GaugeValue, b(s.Connected), s.SiteID)
	ch <- prometheus.MustNewConstMetric(descNATSCursor, prometheus.GaugeValue, float64(s.Cursor), s.SiteID)
	ch <- prometheus.MustNewConstMetric(descNATSLagEvents, prometheus.GaugeValue, float64(s.LagEvents), s.SiteID)
	ch <- prometheus.MustNewConstMetric(descNATSLagSeconds, prometheus.GaugeValue, float64(s.LagSeconds), s.SiteID)
	ch <- prometheus.MustNewConstMetric(descNATSFailing, prometheus.GaugeValue, b(s.LastError != ""), s.SiteID)
}

// WatchNATS shows the state of the site's publisher to the region's
// JetStream (package natspub) at each scrape. Call it once, before
// serving.
func (m *Metrics) WatchNATS(status func() natspub.Status) {
	m.reg.MustRegister(natsCollector{status})
}
