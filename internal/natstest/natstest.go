// Package natstest runs real NATS servers with JetStream inside the test
// process (github.com/nats-io/nats-server/v2/server): one server, or a
// three-node cluster on loopback, each with its store in t.TempDir(). A
// server can be shut down and started again on the same port and store,
// which is how tests take the link away and give it back.
//
// With NATSTEST_LOGDIR set to a folder, each server writes its debug log
// there (NAME-PORT.log): how a stream's Raft group failed is in them.
package natstest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/logger"
	"github.com/nats-io/nats-server/v2/server"
)

// Server is one embedded NATS server.
type Server struct {
	t    testing.TB
	opts server.Options
	srv  *server.Server
}

// Start runs a single JetStream server on a free loopback port.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{t: t, opts: server.Options{
		ServerName: "n1",
		Host:       "127.0.0.1",
		Port:       FreePort(t),
		JetStream:  true,
		StoreDir:   t.TempDir(),
		NoLog:      true,
		NoSigs:     true,
		// Small limits keep the test process small.
		JetStreamMaxMemory: 64 << 20,
		JetStreamMaxStore:  1 << 30,
	}}
	s.start()
	t.Cleanup(s.Shutdown)
	return s
}

// StartWith runs a server with the options opts (its store dir and port
// are filled in when empty).
func StartWith(t testing.TB, opts server.Options) *Server {
	t.Helper()
	if opts.StoreDir == "" {
		opts.StoreDir = t.TempDir()
	}
	if opts.Port == 0 {
		opts.Port = FreePort(t)
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	opts.NoLog, opts.NoSigs, opts.JetStream = true, true, true
	s := &Server{t: t, opts: opts}
	s.start()
	t.Cleanup(s.Shutdown)
	return s
}

func (s *Server) start() {
	s.t.Helper()
	o := s.opts // the server changes the options it is given
	srv, err := server.NewServer(&o)
	if err != nil {
		s.t.Fatalf("natstest: %v", err)
	}
	if d := os.Getenv("NATSTEST_LOGDIR"); d != "" {
		name := filepath.Join(d, fmt.Sprintf("%s-%d.log", s.opts.ServerName, s.opts.Port))
		srv.SetLogger(logger.NewFileLogger(name, true, true, false, true, logger.LogUTC(true)), true, false)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		s.t.Fatalf("natstest: server %s not ready", s.opts.ServerName)
	}
	s.srv = srv
}

// URL is the client URL: tls:// when the server takes TLS only.
func (s *Server) URL() string {
	if s.opts.TLSConfig != nil {
		return "tls://" + s.Addr()
	}
	return "nats://" + s.Addr()
}

// Addr is the server's client address, host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.opts.Port) }

// Shutdown stops the server (the link drops); Restart starts it again.
func (s *Server) Shutdown() {
	if s.srv != nil {
		s.srv.Shutdown()
		s.srv.WaitForShutdown()
		s.srv = nil
	}
}

// Restart starts a stopped server again on the same port and store.
func (s *Server) Restart() {
	s.t.Helper()
	if s.srv == nil {
		s.start()
	}
}

// Running reports whether the server runs.
func (s *Server) Running() bool { return s.srv != nil }

// Cluster is three JetStream servers with routes between them.
type Cluster struct {
	Servers []*Server
}

// StartCluster runs a three-node cluster on loopback and waits until
// JetStream has a meta leader.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	const n = 3
	ports, cports := make([]int, n), make([]int, n)
	for i := range n {
		ports[i], cports[i] = FreePort(t), FreePort(t)
	}
	var routes []string
	for _, p := range cports {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", p))
	}
	var all []server.Options
	for i := range n {
		all = append(all, server.Options{
			ServerName:         fmt.Sprintf("n%d", i+1),
			Host:               "127.0.0.1",
			Port:               ports[i],
			StoreDir:           t.TempDir(),
			JetStreamMaxMemory: 64 << 20,
			JetStreamMaxStore:  1 << 30,
			Cluster: server.ClusterOpts{
				Name: "antrean-test",
				Host: "127.0.0.1",
				Port: cports[i],
			},
			Routes: server.RoutesFromStr(strings.Join(routes, ",")),
		})
	}
	return StartClusterWith(t, all)
}

// StartClusterWith runs a cluster of servers with the options all (a
// configuration file's, say: routes, TLS and accounts as they are) and
// waits until JetStream has a meta leader with every peer current.
func StartClusterWith(t testing.TB, all []server.Options) *Cluster {
	t.Helper()
	c := &Cluster{}
	for _, opts := range all {
		// The servers start one after the other: a server waits for no
		// route, so StartWith returns at once.
		c.Servers = append(c.Servers, StartWith(t, opts))
	}
	// A leader alone is not enough: until it has seen both other peers
	// current, placing an R3 stream fails ("no suitable peers").
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range c.Servers {
			if s.srv != nil && s.srv.JetStreamIsLeader() && allPeersCurrent(s.srv, len(all)-1) {
				return c
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("natstest: the cluster has no JetStream meta leader with every peer current")
	return nil
}

// URL lists every server's client URL, comma separated.
func (c *Cluster) URL() string {
	var out []string
	for _, s := range c.Servers {
		out = append(out, s.URL())
	}
	return strings.Join(out, ",")
}

// FreePort is a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StreamLeader returns the server that leads a stream (of the global
// account), waiting for one.
func (c *Cluster) StreamLeader(t testing.TB, stream string) *Server {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range c.Servers {
			if s.srv != nil && s.srv.JetStreamIsStreamLeader(server.DEFAULT_GLOBAL_ACCOUNT, stream) {
				return s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("natstest: no leader for stream %s", stream)
	return nil
}

// allPeersCurrent tells whether the meta leader srv sees others peers,
// each online and current.
func allPeersCurrent(srv *server.Server, others int) bool {
	jsz, err := srv.Jsz(nil)
	if err != nil || jsz.Meta == nil || len(jsz.Meta.Replicas) != others {
		return false
	}
	for _, p := range jsz.Meta.Replicas {
		if !p.Current || p.Offline {
			return false
		}
	}
	return true
}
