package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mpp-digital/antrean/natspub"
	"github.com/mpp-digital/antrean/region"
	"github.com/mpp-digital/antrean/storage"
)

// regionCommand is `antrean region`: the server that follows every
// site's JetStream stream and serves the region's board and reports
// (package region).
func regionCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "add-site" {
		return addSiteCommand(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("region", stderr)
	cfg := region.Config{AdminPassword: os.Getenv("ANTREAN_REGION_ADMIN_PASSWORD")}
	data := fs.String("data", env("ANTREAN_REGION_DATA", "./antrean-region"), "data folder (holds the region's database)")
	fs.StringVar(&cfg.Addr, "addr", env("ANTREAN_REGION_ADDR", ":8090"), "address to listen on")
	fs.StringVar(&cfg.Conn.URL, "nats", env("ANTREAN_NATS_URL", ""), "NATS server(s) of the region, comma separated (required)")
	fs.StringVar(&cfg.Conn.Creds, "nats-creds", env("ANTREAN_NATS_CREDS", ""), "NATS credentials file of the region server")
	fs.StringVar(&cfg.Conn.CA, "nats-ca", env("ANTREAN_NATS_CA", ""), "PEM file of the CA of the NATS servers' TLS certificates")
	fs.StringVar(&cfg.Consumer, "consumer", env("ANTREAN_REGION_CONSUMER", "antrean-region"), "durable consumer name on every site's stream (one per region server)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", env("ANTREAN_TLS_CERT", ""), "TLS certificate file (serve HTTPS directly)")
	fs.StringVar(&cfg.TLSKey, "tls-key", env("ANTREAN_TLS_KEY", ""), "TLS key file")
	fs.StringVar(&cfg.SKMWeight, "skm-weight", env("ANTREAN_SKM_WEIGHT", "exact"), "IKM weight: exact, 0.111 or 0.11")
	target := fs.String("target-wait", env("ANTREAN_TARGET_WAIT", "15m"), "a wait within this counts as within target")
	ttl := fs.String("session-ttl", env("ANTREAN_SESSION_TTL", "12h"), "how long a sign-in lasts")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("region takes no arguments, got %q", fs.Args())}
	}
	if strings.TrimSpace(cfg.Conn.URL) == "" {
		return usageError{fmt.Errorf("--nats (ANTREAN_NATS_URL) is required")}
	}
	var err error
	if cfg.TargetWait, err = time.ParseDuration(*target); err != nil || cfg.TargetWait <= 0 {
		return usageError{fmt.Errorf("--target-wait: %q is not a positive duration", *target)}
	}
	if cfg.SessionTTL, err = time.ParseDuration(*ttl); err != nil || cfg.SessionTTL <= 0 {
		return usageError{fmt.Errorf("--session-ttl: %q is not a positive duration", *ttl)}
	}
	if cfg.Logger, err = logger(stderr); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	db, err := storage.OpenRegion(*data, storage.Options{LockTimeout: 2 * time.Second})
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := region.Open(cfg, db)
	if err != nil {
		return err
	}
	return r.Run(ctx)
}

// addSiteCommand is `antrean region add-site`: the province's operator
// makes a mall's stream (or updates its name, replicas and retention)
// before the mall publishes to it.
func addSiteCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("region add-site", stderr)
	var conn natspub.Conn
	fs.StringVar(&conn.URL, "nats", env("ANTREAN_NATS_URL", ""), "NATS server(s), with the operator's user (required)")
	fs.StringVar(&conn.Creds, "nats-creds", env("ANTREAN_NATS_CREDS", ""), "NATS credentials file of the operator")
	fs.StringVar(&conn.CA, "nats-ca", env("ANTREAN_NATS_CA", ""), "PEM file of the CA of the NATS servers' TLS certificates")
	site := fs.String("site-id", "", "the mall's site code (a-z, 0-9, - and _), as its --site-id")
	name := fs.String("name", "", "the mall's name, shown on the region's board")
	replicas := fs.Int("replicas", 1, "copies of the stream: 3 on a three-node cluster")
	maxAge := fs.Duration("max-age", natspub.DefaultMaxAge, "how long the stream keeps events")
	maxBytes := fs.Int64("max-bytes", 0, "bound on the stream's size in bytes (0: the account's limit)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if conn.URL == "" || !natspub.ValidSiteID(*site) || fs.NArg() > 0 {
		return usageError{errors.New("usage: antrean region add-site --nats URL --site-id CODE --name NAME [--replicas 3]")}
	}
	conn.Name = "antrean-add-site"
	// One attempt, not retried in the background as a server's link is:
	// the operator then reads why the server refused (a certificate not
	// trusted, a wrong password). Retrying, the request for the stream
	// failed at once with "nats: outbound buffer limit exceeded" (no
	// reconnect buffer), which said nothing of the cause.
	nc, err := conn.Connect(nats.RetryOnFailedConnect(false))
	if err != nil {
		return fmt.Errorf("connecting to %s: %s", conn.Redacted(), natspub.ExplainConnErr(err))
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := natspub.EnsureStream(cctx, js, *site, natspub.StreamOptions{Name: *name, Replicas: *replicas, MaxAge: *maxAge, MaxBytes: *maxBytes})
	if err != nil {
		return err
	}
	info := st.CachedInfo()
	fmt.Fprintf(stdout, "stream %s: subject %s, %d replicas, %d events held\n", info.Config.Name, natspub.Subject(*site), info.Config.Replicas, info.State.Msgs)
	return nil
}
