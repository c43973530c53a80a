package metrics

import (
	"net"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

// Who may read /metrics is decided by address, not by caller: loopback
// and the networks of ANTREAN_METRICS_ALLOW, others 403 (API.md,
// Operations). The metrics name every service, the day's numbers and the
// server's inner workings; they are for the monitoring network, not the
// public.
//
// The address is the TCP peer's, never X-Forwarded-For (nor X-Real-IP,
// nor Forwarded), even from a trusted proxy: those headers are written
// by whoever sends the request, and a proxy only appends to what the
// client sent, so believing them would let anyone who reaches the server
// through a proxy claim to be 127.0.0.1. The peer's address cannot be
// made up over TCP. And because a reverse proxy on the same host (nginx,
// Caddy) reaches antrean from loopback, a request that carries any of
// those headers was forwarded for someone else and is refused whatever
// its peer: a scraper connects directly. Block /metrics at the proxy as
// well (README, Operations).

// forwardHeaders mark a request a proxy forwarded for a client.
var forwardHeaders = []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"}

// allowed reports whether r may read the metrics: its peer is loopback or
// in allow, and no proxy forwarded it.
func allowed(r *http.Request, allow []*net.IPNet) bool {
	for _, h := range forwardHeaders {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() {
		return true
	}
	for _, n := range allow {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

var errNotAllowed = queue.Errorf(queue.EForbidden,
	"Metrics answer only loopback and the networks in ANTREAN_METRICS_ALLOW, connecting directly.",
	"Metrik hanya dijawab untuk loopback dan jaringan dalam ANTREAN_METRICS_ALLOW, yang terhubung langsung.")

// Mount serves GET /metrics on e for loopback and the allowed networks;
// others get API.md's JSON 403 from e's error handler.
func (m *Metrics) Mount(e *echo.Echo, allow []*net.IPNet) {
	h := m.Handler()
	e.GET("/metrics", func(c echo.Context) error {
		if !allowed(c.Request(), allow) {
			return errNotAllowed
		}
		h.ServeHTTP(c.Response(), c.Request())
		return nil
	})
}
