package region_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/internal/natstest"
	"github.com/mpp-digital/antrean/natspub"
	"github.com/mpp-digital/antrean/region"
)

// The province's NATS takes TLS only (deploy/nats: a tls block for
// clients). A mall with a tls:// URL and the province's CA publishes
// to it, and a region server with the same CA reads every event once,
// in order; both say they are connected. The site connects by address
// and the region by name, so both kinds of name in a certificate
// (127.0.0.1, localhost) are checked.
func TestTLSRegionSeesEveryEventOnceInOrder(t *testing.T) {
	ca := natstest.NewCA(t, "Antrean Provinsi CA")
	cert, key := ca.Issue("nats-1", "127.0.0.1", "localhost")
	ns := natstest.StartTLS(t, cert, key, "")
	if !strings.HasPrefix(ns.URL(), "tls://") {
		t.Fatalf("URL %s", ns.URL())
	}
	addSite(t, ns.URL(), "bintan", "MPP Kabupaten Bintan", 1, nats.RootCAs(ca.File))
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	s := startSiteConn(t, natspub.Conn{URL: ns.URL(), CA: ca.File}, "bintan", "", clock)
	m := s.SetupMall()
	byName := "tls://localhost:" + strings.TrimPrefix(ns.Addr(), "127.0.0.1:")
	rr := startRegion(t, byName, "", func(c *region.Config) { c.Conn.CA = ca.File; c.Clock = clock.Now })
	x := newSim(t, s, m, 6)
	x.run(150)
	want := x.marker(rr, "bintan", 0) // nothing more may come
	rr.Obs.checkOnceInOrder(t, "bintan", want)
	sameReports(t, s, rr.R, "bintan", clock.Now().Format("2006-01-02"))

	var ready struct {
		Details struct{ NATS natsStatus } `json:"details"`
	}
	waitFor(t, "the site to say it caught up", 10*time.Second, func() bool {
		getJSON(t, s.URL+"/readyz", "", &ready)
		return ready.Details.NATS.Cursor == want
	})
	if n := ready.Details.NATS; !n.Connected || n.LagEvents != 0 || n.LastError != "" {
		t.Errorf("the site's /readyz nats over TLS: %+v", n)
	}
	if err := rr.R.Serve(); err != nil {
		t.Fatal(err)
	}
	var rready struct {
		NATSConnected bool   `json:"nats_connected"`
		Sites         int    `json:"sites"`
		LastError     string `json:"last_error"`
	}
	if code := getJSON(t, rr.R.URL()+"/readyz", "", &rready); code != http.StatusOK || !rready.NATSConnected || rready.Sites != 1 || rready.LastError != "" {
		t.Errorf("the region's /readyz over TLS: %d %+v", code, rready)
	}
}

// A mall that does not trust the NATS server's certificate publishes
// nothing, keeps issuing tickets, and says why where an operator looks:
// /readyz (details.nats.last_error, with a hint at --nats-ca) and
// /metrics (antrean_nats_connected 0, antrean_nats_failing 1) and the
// log, once (before, it said only "not connected", like a link that is
// down, and logged nothing). The same for a nats:// URL to a server
// that takes TLS only (nats.go then asks for TLS itself, and trusts the
// system's CAs), a certificate that names another host, and a server
// that demands a client certificate, which Antrean does not send
// (README, "What a province needs to run").
func TestTLSUntrustedSiteSaysSoAndKeepsServing(t *testing.T) {
	ca := natstest.NewCA(t, "Antrean Provinsi CA")
	other := natstest.NewCA(t, "Another CA")
	cert, key := ca.Issue("nats-1", "127.0.0.1", "localhost")
	ns := natstest.StartTLS(t, cert, key, "")
	trusted := []nats.Option{nats.RootCAs(ca.File)}
	// A node whose certificate names only its DNS name, reached by
	// address; the operator reaches it by that name.
	ncert, nkey := ca.Issue("nats-9", "nats-9.antrean.provinsi.go.id")
	named := natstest.StartTLS(t, ncert, nkey, "")
	byNodeName := []nats.Option{nats.RootCAs(ca.File), nats.Secure(&tls.Config{ServerName: "nats-9.antrean.provinsi.go.id", MinVersion: tls.VersionTLS12})}
	// A node that demands a client certificate signed by the CA (verify:
	// true); the operator here has one.
	mcert, mkey := ca.Issue("nats-m", "127.0.0.1")
	mutual := natstest.StartTLS(t, mcert, mkey, ca.File)
	opCert, opKey := ca.Issue("operator", "operator")
	withClientCert := []nats.Option{nats.RootCAs(ca.File), nats.ClientCert(opCert, opKey)}

	for i, c := range []struct {
		name     string
		conn     natspub.Conn
		ns       *natstest.Server
		operator []nats.Option
		want     []string // in last_error
	}{
		{"tls URL without a CA", natspub.Conn{URL: ns.URL()}, ns, trusted,
			[]string{"certificate signed by unknown authority", "--nats-ca"}},
		{"tls URL with another CA", natspub.Conn{URL: ns.URL(), CA: other.File}, ns, trusted,
			[]string{"certificate signed by unknown authority", "--nats-ca"}},
		{"nats URL to a TLS-only server", natspub.Conn{URL: "nats://" + ns.Addr()}, ns, trusted,
			[]string{"certificate signed by unknown authority"}},
		{"certificate for another host", natspub.Conn{URL: named.URL(), CA: ca.File}, named, byNodeName,
			[]string{"doesn't contain any IP SANs", "does not name the host"}},
		{"server demands a client certificate", natspub.Conn{URL: mutual.URL(), CA: ca.File}, mutual, withClientCert,
			[]string{"certificate required", "client certificate"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each its own site and stream
			site := fmt.Sprintf("uji-%d", i+1)
			addSite(t, c.ns.URL(), site, "MPP Uji", 1, c.operator...)
			clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
			var log logBuffer
			s := startSiteConn(t, c.conn, site, "", clock, &log)
			m := s.SetupMall()
			s.Issue(m, m.ServiceA1.ID, false)

			var ready struct {
				Status  string
				Details struct{ NATS natsStatus } `json:"details"`
			}
			hasAll := func(msg string) bool {
				for _, w := range c.want {
					if !strings.Contains(msg, w) {
						return false
					}
				}
				return true
			}
			waitFor(t, "/readyz to say why the site cannot connect", 10*time.Second, func() bool {
				getJSON(t, s.URL+"/readyz", "", &ready)
				return hasAll(ready.Details.NATS.LastError)
			})
			// It keeps issuing, and stays ready: the link is not the mall.
			for range 3 {
				s.Issue(m, m.ServiceB1.ID, false)
			}
			latest := siteSeq(s)
			if code := getJSON(t, s.URL+"/readyz", "", &ready); code != http.StatusOK || ready.Status != "ready" {
				t.Fatalf("/readyz: %d %+v", code, ready)
			}
			n := ready.Details.NATS
			if n.Connected || n.Cursor != 0 || n.LagEvents != latest || !hasAll(n.LastError) {
				t.Errorf("/readyz nats: %+v; the site's last event is %d", n, latest)
			}
			met := metricsText(t, s.URL)
			for _, w := range []string{
				fmt.Sprintf(`antrean_nats_connected{site_id=%q} 0`, site),
				fmt.Sprintf(`antrean_nats_failing{site_id=%q} 1`, site),
				fmt.Sprintf(`antrean_nats_published_seq{site_id=%q} 0`, site),
				fmt.Sprintf(`antrean_nats_lag_events{site_id=%q} %d`, site, latest),
			} {
				if !strings.Contains(met, w) {
					t.Errorf("/metrics has no %s:\n%s", w, grepLines(met, "antrean_nats_"))
				}
			}
			if got := streamMsgs(t, c.ns.URL(), site, c.operator...); got != 0 {
				t.Errorf("the site's stream holds %d messages", got)
			}
			// The log says it too, once however many attempts failed.
			var warned []string
			for _, l := range strings.Split(log.String(), "\n") {
				if strings.Contains(l, "nats: cannot connect") {
					warned = append(warned, l)
				}
			}
			if len(warned) != 1 || !strings.Contains(warned[0], c.want[0]) {
				t.Errorf("the site's log of the failure: %q", warned)
			}
		})
	}
}

// A region server that does not trust the NATS server's certificate
// stays up and says why in /readyz.
func TestTLSUntrustedRegionSaysSo(t *testing.T) {
	ca := natstest.NewCA(t, "Antrean Provinsi CA")
	other := natstest.NewCA(t, "Another CA")
	cert, key := ca.Issue("nats-1", "127.0.0.1", "localhost")
	ns := natstest.StartTLS(t, cert, key, "")
	rr := startRegion(t, ns.URL(), "", func(c *region.Config) { c.Conn.CA = other.File })
	if err := rr.R.Serve(); err != nil {
		t.Fatal(err)
	}
	var ready struct {
		Status        string `json:"status"`
		NATSConnected bool   `json:"nats_connected"`
		LastError     string `json:"last_error"`
	}
	waitFor(t, "the region's /readyz to say why it cannot connect", 10*time.Second, func() bool {
		getJSON(t, rr.R.URL()+"/readyz", "", &ready)
		return strings.Contains(ready.LastError, "certificate signed by unknown authority")
	})
	if ready.Status != "ready" || ready.NATSConnected || !strings.Contains(ready.LastError, "--nats-ca") {
		t.Errorf("the region's /readyz: %+v", ready)
	}
}

// streamMsgs is how many messages site's stream holds.
func streamMsgs(t testing.TB, url, site string, opts ...nats.Option) uint64 {
	t.Helper()
	js := jetStream(t, url, opts...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, natspub.StreamName(site))
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State.Msgs
}

// deployNATSPasswords are the passwords deploy/nats/accounts.conf reads
// from the environment.
var deployNATSPasswords = map[string]string{
	"ANTREAN_REGION_NATS_PASSWORD":      "region-secret",
	"ANTREAN_OPERATOR_NATS_PASSWORD":    "operator-secret",
	"ANTREAN_SITE_BINTAN_NATS_PASSWORD": "bintan-secret",
	"ANTREAN_SITE_BATAM_NATS_PASSWORD":  "batam-secret",
	"ANTREAN_SYS_NATS_PASSWORD":         "sys-secret",
}

// The three nodes of deploy/nats, read by server.ProcessConfigFile as
// shipped but for where they listen, where their files are and whom
// their routes name (all on loopback here): TLS for clients
// (server-authenticated: no client certificates, so a mall needs only
// the CA), routes that check each other's certificates, the accounts of
// accounts.conf. They form a cluster (with node certificates for server
// and client authentication; serverAuth alone, the routes fail); the
// operator makes an R3 stream, a mall publishes to it over TLS with its
// own user, and the region reads every event once, in order.
func TestDeployNATSConfigsOverTLS(t *testing.T) {
	for k, v := range deployNATSPasswords {
		t.Setenv(k, v)
	}
	ca := natstest.NewCA(t, "Antrean Provinsi CA")
	dir := t.TempDir()
	accounts, err := os.ReadFile("../deploy/nats/accounts.conf")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts.conf"), accounts, 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 3
	ports, cports := make([]int, n), make([]int, n)
	for i := range n {
		ports[i], cports[i] = natstest.FreePort(t), natstest.FreePort(t)
	}
	var all []server.Options
	for i := range n {
		node := fmt.Sprintf("nats-%d", i+1)
		b, err := os.ReadFile("../deploy/nats/" + node + ".conf")
		if err != nil {
			t.Fatal(err)
		}
		conf := string(b)
		cert, key := ca.Issue(node, "127.0.0.1", node+".antrean.provinsi.go.id", "nats.antrean.provinsi.go.id")
		edit := func(old, new string) {
			t.Helper()
			if !strings.Contains(conf, old) {
				t.Fatalf("%s.conf has no %q any more: change this test with it", node, old)
			}
			conf = strings.ReplaceAll(conf, old, new)
		}
		edit(`"/etc/nats/tls/`+node+`.crt"`, strconv.Quote(cert))
		edit(`"/etc/nats/tls/`+node+`.key"`, strconv.Quote(key))
		edit(`"/etc/nats/tls/ca.crt"`, strconv.Quote(ca.File))
		edit(`"/var/lib/nats/jetstream"`, strconv.Quote(t.TempDir()))
		edit("listen: 0.0.0.0:4222", fmt.Sprintf("listen: 127.0.0.1:%d", ports[i]))
		edit("listen: 0.0.0.0:6222", fmt.Sprintf("listen: 127.0.0.1:%d", cports[i]))
		edit("http: 127.0.0.1:8222", "") // three nodes on one machine
		for j := range n {
			edit(fmt.Sprintf("nats-route://nats-%d.antrean.provinsi.go.id:6222", j+1), fmt.Sprintf("nats-route://127.0.0.1:%d", cports[j]))
		}
		file := filepath.Join(dir, node+".conf")
		if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		opts, err := server.ProcessConfigFile(file)
		if err != nil {
			t.Fatalf("%s.conf: %v", node, err)
		}
		if opts.TLSConfig == nil || opts.TLSConfig.MinVersion != tls.VersionTLS12 || opts.TLSVerify || opts.TLSConfig.ClientAuth != tls.NoClientCert {
			t.Errorf("%s.conf: clients: TLS 1.2 or later without client certificates, got verify %t, %+v", node, opts.TLSVerify, opts.TLSConfig)
		}
		if opts.Cluster.TLSConfig == nil || opts.Cluster.TLSConfig.ClientAuth != tls.RequireAndVerifyClientCert {
			t.Errorf("%s.conf: routes are not mutually authenticated: %+v", node, opts.Cluster.TLSConfig)
		}
		all = append(all, *opts)
	}
	natstest.StartClusterWith(t, all)
	// Every node, as README's malls list them.
	urls := func(user, password string) string {
		var out []string
		for _, p := range ports {
			out = append(out, fmt.Sprintf("tls://%s:%s@127.0.0.1:%d", user, password, p))
		}
		return strings.Join(out, ",")
	}

	addSite(t, urls("operator", "operator-secret"), "bintan", "MPP Kabupaten Bintan", 3, nats.RootCAs(ca.File))
	clock := apptest.NewClock(apptest.Workday.Add(-2 * time.Hour))
	s := startSiteConn(t, natspub.Conn{URL: urls("site-bintan", "bintan-secret"), CA: ca.File}, "bintan", "", clock)
	m := s.SetupMall()
	rr := startRegion(t, urls("region", "region-secret"), "", func(c *region.Config) { c.Conn.CA = ca.File; c.Clock = clock.Now })
	x := newSim(t, s, m, 7)
	x.run(100)
	want := x.marker(rr, "bintan", 0)
	rr.Obs.checkOnceInOrder(t, "bintan", want)
}
