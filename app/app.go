// Package app wires Antrean together: storage, engine, HTTP API and the
// screens, with one Config. The command line fills the Config; tests start
// an App for real on 127.0.0.1:0 with a temporary data folder.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	// The site's time zone must load on machines without zoneinfo.
	_ "time/tzdata"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/admin"
	"github.com/mpp-digital/antrean/booking"
	"github.com/mpp-digital/antrean/counter"
	"github.com/mpp-digital/antrean/display"
	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/kiosk"
	"github.com/mpp-digital/antrean/metrics"
	"github.com/mpp-digital/antrean/natspub"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/reports"
	"github.com/mpp-digital/antrean/storage"
	"github.com/mpp-digital/antrean/survey"
	"github.com/mpp-digital/antrean/web"
	"github.com/mpp-digital/antrean/webhooks"
)

// Version is the build's version, set with -ldflags at release.
var Version = "dev"

// Config is every setting of a server. The command line fills it from
// flags and ANTREAN_* variables.
type Config struct {
	Addr string
	Data string
	// Demo seeds the demo mall on first start.
	Demo bool
	// AdminPassword is the first admin's password; random when empty.
	AdminPassword  string
	TLSCert        string
	TLSKey         string
	TrustedProxies []string
	// MetricsAllow are the networks (CIDRs, or single addresses) besides
	// loopback that may read GET /metrics.
	MetricsAllow []string
	SessionTTL   time.Duration
	// BcryptCost lowers password hashing cost in tests (default 10).
	BcryptCost int
	// Clock replaces time.Now for the engine (tests).
	Clock queue.Clock
	// NoSync turns fsync off; only for tests that say so.
	NoSync bool
	// Offline opens the data without first-start work (the user command).
	Offline bool
	Logger  *slog.Logger

	// IssueBurst and IssueEvery limit how fast one kiosk or greeter takes
	// tickets (0: a burst of 10, then one per 2 s; a negative burst: off).
	IssueBurst int
	IssueEvery time.Duration

	// WSPerAddr caps the public websocket feed's connections from one
	// client address, WSMax all websocket connections (API.md, Limits).
	// 0 takes the defaults (256 and 20,000); a negative value turns the
	// cap off (load tests only). WSMax is lowered at start to leave the
	// process file descriptors for everything else (fdlimit.go).
	WSPerAddr int
	WSMax     int

	// BookingLimit limits the online bookings one client makes, and
	// GuessLimit its lookups of booking codes that do not exist (zero:
	// the defaults of package booking; a negative burst: off).
	BookingLimit booking.Limit
	GuessLimit   booking.Limit

	// FailGrace is how long a server whose commit failed goes on
	// answering 503 before it exits for its service manager to restart
	// it (default 2 s).
	FailGrace time.Duration

	// Webhooks tunes the webhook deliveries (tests: timers, time limit);
	// the zero value is API.md's.
	Webhooks webhooks.Options

	// NATS, when its Conn.URL is set, publishes every committed event to
	// the region's JetStream as site NATS.SiteID (package natspub).
	NATS natspub.Config

	// ArchiveAfterDays moves the tickets, events and audit entries of
	// days that many days before today to the archive files (0: never).
	// The job runs at start and every ArchiveEvery (1 h), and every
	// ArchiveRetry (10 s) while a day waits for its report summary.
	ArchiveAfterDays int
	ArchiveEvery     time.Duration
	ArchiveRetry     time.Duration

	// CompactFree compacts antrean.db at start when at least this share
	// of the file is free pages (0: never); CompactMinSize (64 MiB) is the
	// smallest file worth it.
	CompactFree    float64
	CompactMinSize int64

	// BackupDir, when set, gets a backup every BackupEvery (24 h), of
	// which the newest BackupKeep (7) are kept.
	BackupDir   string
	BackupEvery time.Duration
	BackupKeep  int
}

// Validate checks the config and fills defaults.
func (c *Config) Validate() error {
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if c.Data == "" {
		return errors.New("config: the data folder (--data, ANTREAN_DATA) is required")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return errors.New("config: --tls-cert and --tls-key go together")
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 12 * time.Hour
	}
	if c.SessionTTL < time.Minute {
		return errors.New("config: the session lifetime must be at least a minute")
	}
	if p := c.AdminPassword; p != "" && len([]rune(p)) < queue.MinPasswordLen {
		return fmt.Errorf("config: ANTREAN_ADMIN_PASSWORD must have at least %d characters", queue.MinPasswordLen)
	}
	if _, err := c.proxies(); err != nil {
		return err
	}
	if _, err := c.metricsAllow(); err != nil {
		return err
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if c.FailGrace <= 0 {
		c.FailGrace = 2 * time.Second
	}
	if c.WSPerAddr == 0 {
		c.WSPerAddr = display.DefaultPerAddr
	}
	if c.WSMax == 0 {
		c.WSMax = display.DefaultMax
	}
	if c.NATS.Conn.URL != "" || c.NATS.SiteID != "" {
		if c.NATS.Conn.URL == "" {
			return errors.New("config: --site-id needs --nats (ANTREAN_NATS_URL)")
		}
		if c.NATS.Logger == nil {
			c.NATS.Logger = c.Logger
		}
		if err := c.NATS.Validate(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if c.ArchiveAfterDays < 0 {
		return errors.New("config: --archive-after-days must be 0 (never) or more")
	}
	if c.ArchiveEvery <= 0 {
		c.ArchiveEvery = time.Hour
	}
	if c.ArchiveRetry <= 0 {
		c.ArchiveRetry = 10 * time.Second
	}
	if c.CompactFree < 0 || c.CompactFree >= 1 {
		return errors.New("config: --compact-free is a share of the file, from 0 (never) to below 1")
	}
	if c.BackupDir != "" {
		if c.BackupEvery == 0 {
			c.BackupEvery = 24 * time.Hour
		}
		if c.BackupEvery < time.Second {
			return errors.New("config: --backup-every must be at least a second")
		}
		if c.BackupKeep == 0 {
			c.BackupKeep = 7
		}
		if c.BackupKeep < 1 {
			return errors.New("config: --backup-keep must be at least 1")
		}
		if d, err := filepath.Abs(c.BackupDir); err == nil {
			if data, err := filepath.Abs(c.Data); err == nil && d == data {
				return errors.New("config: --backup-dir must not be the data folder (put backups on another disk)")
			}
		}
	}
	return nil
}

func (c *Config) proxies() ([]*net.IPNet, error) {
	return parseNets(c.TrustedProxies, "trusted proxy")
}

func (c *Config) metricsAllow() ([]*net.IPNet, error) {
	return parseNets(c.MetricsAllow, "metrics allow list entry")
}

// parseNets reads CIDRs; a bare address is a network of one.
func parseNets(list []string, what string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			if strings.Contains(s, ":") {
				s += "/128"
			} else {
				s += "/32"
			}
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("config: %s %q is not a CIDR", what, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// App is a running server.
type App struct {
	Config Config
	DB     *storage.DB
	Engine *queue.Engine
	API    *httpapi.Server
	Hub    *display.Hub
	// Reports answers the reports and keeps their per-day summaries.
	Reports *reports.Reports
	// Metrics serves GET /metrics.
	Metrics *metrics.Metrics
	// Feed serves GET /api/v1/ws; tests may lower its MaxReplay before
	// clients connect.
	Feed *display.Feed
	// Webhooks delivers events to the registered webhooks.
	Webhooks *webhooks.Dispatcher
	// NATS publishes the events to the region (nil without --nats).
	NATS *natspub.Publisher
	// URL is where it serves, e.g. http://127.0.0.1:43121.
	URL string
	// AdminPassword is set when this start created the admin with a
	// random password.
	AdminPassword string

	srv  *http.Server
	ln   net.Listener
	errc chan error
	log  *slog.Logger
	// stopJobs ends the background jobs (the survey's retention purge)
	// and waits for them.
	stopJobs func()
}

// Open opens the data folder and starts the engine, without serving.
func Open(cfg Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Logger
	t0 := time.Now()
	compactFree := cfg.CompactFree
	if cfg.Offline {
		compactFree = 0 // the user tool: quick, whatever the file
	}
	db, err := storage.Open(cfg.Data, storage.Options{LockTimeout: time.Second, NoSync: cfg.NoSync,
		CompactFree: compactFree, CompactMinSize: cfg.CompactMinSize})
	if err != nil {
		return nil, err
	}
	if c := db.Compacted(); c != nil {
		log.Info("compacted the database at start", "before_bytes", c.Before, "after_bytes", c.After, "took", time.Since(t0).Round(time.Millisecond))
	}
	// The metrics come first: the engine tells them of every commit.
	met := metrics.New(Version)
	eng, err := queue.Open(db, queue.Options{Clock: cfg.Clock, Logger: log, Location: mustLoc("Asia/Jakarta"), OnCommit: met.ObserveCommit})
	if err != nil {
		db.Close()
		return nil, err
	}
	proxies, _ := cfg.proxies()
	allow, _ := cfg.metricsAllow()
	a := &App{Config: cfg, DB: db, Engine: eng, Metrics: met, log: log}
	a.API = httpapi.New(eng, httpapi.Config{SessionTTL: cfg.SessionTTL, BcryptCost: cfg.BcryptCost, TrustedProxies: proxies, Logger: log, Version: Version,
		IssueBurst: cfg.IssueBurst, IssueEvery: cfg.IssueEvery, Printer: &kiosk.Printing{Logger: log, OnFailure: met.PrintFailed},
		OnReplay: met.Replayed, OnError: met.ErrorAnswered})
	booking.Mount(a.API, booking.Config{Create: cfg.BookingLimit, Guess: cfg.GuessLimit})
	a.Hub = display.NewHub(log)
	eng.Subscribe(a.Hub)
	met.Watch(eng, a.Hub)
	met.Mount(a.API.Echo, allow)
	a.Config.WSMax = fitDescriptors(cfg.WSMax, openFilesLimit(), log)
	feed := &display.Feed{Hub: a.Hub, Engine: eng, PerAddr: a.Config.WSPerAddr, Max: a.Config.WSMax}
	a.Feed = feed
	a.API.Echo.GET("/api/v1/ws", func(c echo.Context) error { return feed.Serve(c.Response(), c.Request(), a.API.ClientKey(c.Request())) })
	mountScreens(a.API.Echo, eng)
	survey.Mount(a.API)
	a.Reports = reports.New(eng, db, log)
	a.Reports.Mount(a.API)
	whOpts := cfg.Webhooks
	if whOpts.Logger == nil {
		whOpts.Logger = log
	}
	a.Webhooks = webhooks.New(eng, whOpts)
	webhooks.Mount(a.API, a.Webhooks)
	if cfg.Offline {
		return a, nil // the command line's user tool delivers nothing
	}
	a.Reports.Start()
	a.Webhooks.Start()
	if cfg.NATS.Conn.URL != "" {
		if a.NATS, err = natspub.New(eng, cfg.NATS); err == nil {
			err = a.NATS.Start()
		}
		if err != nil {
			a.NATS = nil
			a.closeEngine()
			return nil, err
		}
		// The mall serves without the region: a detail, never unready.
		a.API.AddReadyDetail("nats", func() any { return a.NATS.Status() })
		a.Metrics.WatchNATS(a.NATS.Status)
	}
	if err := a.firstStart(); err != nil {
		a.closeEngine()
		return nil, err
	}
	a.startJobs()
	return a, nil
}

// startJobs starts the background jobs: the daily purge of survey
// profiles and comments past the site's retention, the archive of old
// days and the scheduled backups.
func (a *App) startJobs() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { (&survey.Purger{Engine: a.Engine, Logger: a.log}).Run(ctx) })
	if a.Config.ArchiveAfterDays > 0 {
		wg.Go(func() { a.runArchive(ctx) })
	}
	if a.Config.BackupDir != "" {
		wg.Go(func() { a.runBackups(ctx) })
	}
	a.stopJobs = func() { cancel(); wg.Wait() }
}

// mountScreens adds the web screens and their embedded files.
func mountScreens(e *echo.Echo, eng *queue.Engine) {
	e.GET("/static/*", echo.WrapHandler(web.Static))
	e.GET(display.Assets.Prefix()+"*", echo.WrapHandler(display.Assets))
	e.GET(display.Voice.Prefix()+"*", echo.WrapHandler(display.Voice))
	e.GET("/display", echo.WrapHandler(&display.Page{Engine: eng}))
	kiosk.Mount(e, eng)
	e.GET(counter.Assets.Prefix()+"*", echo.WrapHandler(counter.Assets))
	e.GET("/counter", echo.WrapHandler(&counter.Page{Engine: eng}))
	e.GET(admin.Assets.Prefix()+"*", echo.WrapHandler(admin.Assets))
	e.GET("/admin", echo.WrapHandler(&admin.Page{Engine: eng}))
}

func mustLoc(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

// firstStart creates the first admin on an empty database, and seeds the
// demo mall when asked.
func (a *App) firstStart() error {
	st := a.Engine.State()
	if len(st.Users()) == 0 {
		pw := a.Config.AdminPassword
		if pw == "" {
			pw = queue.RandomString(10)
			a.AdminPassword = pw
		}
		if err := a.addUser("admin", pw, queue.RoleAdmin, ""); err != nil {
			return fmt.Errorf("creating the first admin: %w", err)
		}
		if a.AdminPassword != "" {
			a.log.Warn("created the first admin with a random password; it is shown only this once", "username", "admin", "password", a.AdminPassword)
		} else {
			a.log.Info("created the first admin with the password from ANTREAN_ADMIN_PASSWORD", "username", "admin")
		}
	}
	if a.Config.Demo && len(st.Agencies()) == 0 {
		return a.seedDemo()
	}
	return nil
}

func (a *App) addUser(username, password, role, agencyID string) error {
	hash, err := a.hash(password)
	if err != nil {
		return err
	}
	u := &queue.User{ID: queue.NewID("usr"), Username: username, Role: role, AgencyID: agencyID, PasswordHash: hash}
	_, err = a.Engine.Apply(context.Background(), time.Time{}, queue.PutUser{User: u, Create: true})
	return err
}

func (a *App) hash(password string) (string, error) {
	if len([]rune(password)) < queue.MinPasswordLen {
		return "", fmt.Errorf("the password needs at least %d characters", queue.MinPasswordLen)
	}
	cost := a.Config.BcryptCost
	if cost == 0 {
		cost = 10
	}
	return hashPassword(password, cost)
}

// AddUser creates a user; agencyCode names the agency by its code.
func (a *App) AddUser(username, password, role, agencyCode string) error {
	agencyID := ""
	if agencyCode != "" {
		for _, ag := range a.Engine.State().Agencies() {
			if strings.EqualFold(ag.Code, agencyCode) {
				agencyID = ag.ID
			}
		}
		if agencyID == "" {
			return fmt.Errorf("no agency with code %q", agencyCode)
		}
	}
	return a.addUser(username, password, role, agencyID)
}

// SetPassword changes a user's password, which ends their sessions.
func (a *App) SetPassword(username, password string) error {
	u := a.Engine.State().UserByName(username)
	if u == nil {
		return fmt.Errorf("no user %q", username)
	}
	hash, err := a.hash(password)
	if err != nil {
		return err
	}
	nu := *u
	nu.PasswordHash = hash
	_, err = a.Engine.Apply(context.Background(), time.Time{}, queue.PutUser{User: &nu})
	return err
}

// Serve listens on the configured address and serves in the background.
func (a *App) Serve() error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return err
	}
	a.ln = ln
	a.srv = &http.Server{
		Handler:           a.API.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if a.Config.TLSCert != "" {
		scheme = "https"
		a.srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	a.URL = scheme + "://" + hostPort(ln.Addr())
	a.errc = make(chan error, 1)
	go func() {
		var err error
		if a.Config.TLSCert != "" {
			err = a.srv.ServeTLS(ln, a.Config.TLSCert, a.Config.TLSKey)
		} else {
			err = a.srv.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.errc <- err
	}()
	return nil
}

// hostPort makes a listener address dialable: ":8080" → "127.0.0.1:8080".
func hostPort(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// Done reports a serving error (nil after a clean shutdown).
func (a *App) Done() <-chan error { return a.errc }

// Close shuts down gracefully: stop taking requests and let those in
// flight finish, then let the engine commit what it has queued, then close
// the database.
func (a *App) Close() error {
	var first error
	if a.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := a.srv.Shutdown(ctx); err != nil {
			first = err
		}
		cancel()
	}
	// Shutdown leaves hijacked websockets alone: close them with 1001.
	a.Hub.Close(5 * time.Second)
	if err := a.closeEngine(); err != nil && first == nil {
		first = err
	}
	return first
}

func (a *App) closeEngine() error {
	if a.stopJobs != nil {
		a.stopJobs()
		a.stopJobs = nil
	}
	a.Reports.Close() // its builder reads and writes the store
	// Before the engine: a delivery that got its 2xx is recorded first,
	// and the publisher's cursor is saved.
	a.Webhooks.Close()
	if a.NATS != nil {
		a.NATS.Close()
	}
	a.Engine.Close()
	return a.DB.Close()
}

// Run serves until ctx ends (SIGINT/SIGTERM in the command), then shuts
// down gracefully.
func Run(ctx context.Context, cfg Config, out io.Writer) error {
	a, err := Open(cfg)
	if err != nil {
		return err
	}
	if err := a.Serve(); err != nil {
		a.closeEngine()
		return err
	}
	cfg = a.Config
	cfg.Logger.Info("antrean serving", "url", a.URL, "data", filepath.Clean(cfg.Data), "version", Version,
		"demo", cfg.Demo, "tls", cfg.TLSCert != "", "trusted_proxies", cfg.TrustedProxies, "metrics_allow", cfg.MetricsAllow, "session_ttl", cfg.SessionTTL,
		"issue_burst", cfg.IssueBurst, "issue_every", cfg.IssueEvery, "ws_per_addr", cfg.WSPerAddr, "ws_max", cfg.WSMax,
		"open_files_limit", openFilesLimit(), "nats", natsText(cfg.NATS),
		"archive_after_days", cfg.ArchiveAfterDays, "compact_free", cfg.CompactFree,
		"backup_dir", cfg.BackupDir, "backup_every", cfg.BackupEvery, "backup_keep", cfg.BackupKeep,
		"booking_limit", limitText(cfg.BookingLimit, booking.DefaultCreateLimit), "code_guess_limit", limitText(cfg.GuessLimit, booking.DefaultGuessLimit))
	if cfg.Demo {
		a.printDemo(out)
	}
	select {
	case <-ctx.Done():
		cfg.Logger.Info("shutting down")
	case err := <-a.errc:
		a.closeEngine()
		return err
	case <-a.Engine.Failed():
		return a.failStop(ctx)
	}
	return a.Close()
}

// natsText is the NATS link as the log shows it: the servers without
// credentials and the site, or "off".
func natsText(c natspub.Config) string {
	if c.Conn.URL == "" {
		return "off"
	}
	return fmt.Sprintf("%s as site %s (creds %t, ca %t)", c.Conn.Redacted(), c.SiteID, c.Conn.Creds != "", c.Conn.CA != "")
}

// limitText is a booking limit as the log shows it: "10/1m0s" or "off".
func limitText(l, def booking.Limit) string {
	switch {
	case l.Burst < 0:
		return "off"
	case l.Burst == 0:
		l = def
	}
	return fmt.Sprintf("%d/%s", l.Burst, l.Every)
}

// ErrCommitFailed is matched by Run's error after a failed commit.
var ErrCommitFailed = errors.New("a commit failed")

// failStop ends a server whose engine stopped on a failed commit: it goes
// on answering 503 for FailGrace, so that clients see "unavailable" and
// retry, then shuts down and reports the cause; the command exits
// non-zero and the service manager starts it again, which loads what the
// disk holds.
func (a *App) failStop(ctx context.Context) error {
	cause := a.Engine.Err()
	a.log.Error("a commit failed: whether it reached the disk is unknown; antrean stops taking changes and exits so that its service manager restarts it",
		"err", cause, "exit_in", a.Config.FailGrace)
	select {
	case <-time.After(a.Config.FailGrace):
	case <-ctx.Done():
	}
	a.Close()
	return fmt.Errorf("%w: %v (restart antrean: it loads what the disk holds)", ErrCommitFailed, cause)
}
