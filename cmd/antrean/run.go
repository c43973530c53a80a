package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/queue"
	"github.com/mpp-digital/antrean/storage"
)

const usage = `antrean — queue and ticketing for a public service mall

Usage:
  antrean serve   [--addr :8080] [--data ./antrean-data]   the server
  antrean demo    [--addr :8080] [--data ./antrean-demo]   the server with a demo mall seeded on first start
  antrean backup  --data DIR FILE                          a consistent copy of a stopped server's database
  antrean restore --data DIR FILE                          put a backup in place (the folder must not be in use)
  antrean export  --data DIR --from DAY --to DAY [--kind tickets|events|audit|feedback]
                                                           the records of those days, archived or not, as JSON lines on stdout
  antrean compact --data DIR                               give a stopped server's free pages back to the disk
  antrean user add --data DIR --username U --role R [--agency CODE]
  antrean user passwd --data DIR --username U
  antrean region  --nats URL [--data ./antrean-region] [--addr :8090]
                                                           the region server: every site's board and reports
  antrean region add-site --nats URL --site-id CODE --name NAME [--replicas 3]
                                                           make a mall's stream on the region's JetStream
  antrean load    --url URL --admin-password PW [flags]    a busy morning against a running server (antrean load -h)

Environment: ANTREAN_ADDR, ANTREAN_DATA, ANTREAN_ADMIN_PASSWORD,
ANTREAN_TLS_CERT, ANTREAN_TLS_KEY, ANTREAN_TRUSTED_PROXIES (CIDRs, comma
separated), ANTREAN_METRICS_ALLOW (CIDRs besides loopback that may read
/metrics, comma separated), ANTREAN_SESSION_TTL (e.g. 12h), ANTREAN_ISSUE_LIMIT (e.g. 10/2s,
or off), ANTREAN_WS_PER_ADDR (256), ANTREAN_WS_MAX (20000),
ANTREAN_BOOKING_LIMIT (e.g. 10/1m, or off), ANTREAN_CODE_GUESS_LIMIT
(e.g. 10/1m, or off), ANTREAN_ARCHIVE_AFTER_DAYS (26, 0 = never),
ANTREAN_COMPACT_FREE (0.5, 0 = never), ANTREAN_BACKUP_DIR,
ANTREAN_BACKUP_EVERY (24h), ANTREAN_BACKUP_KEEP (7), ANTREAN_LOG_LEVEL
(debug, info, warn, error), ANTREAN_NATS_URL, ANTREAN_SITE_ID,
ANTREAN_NATS_CREDS, ANTREAN_NATS_CA (the region's NATS), ANTREAN_PASSWORD
(for 'user'); for 'region': ANTREAN_REGION_DATA, ANTREAN_REGION_ADDR,
ANTREAN_REGION_ADMIN_PASSWORD, ANTREAN_REGION_CONSUMER,
ANTREAN_TARGET_WAIT, ANTREAN_SKM_WEIGHT. Flags win over the environment.
`

// run is the whole command; main only wires the process to it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], false, stdout, stderr)
	case "demo":
		err = serve(ctx, args[1:], true, stdout, stderr)
	case "backup":
		err = fileCommand(args[1:], "backup", storage.BackupFile, stdout)
	case "restore":
		err = fileCommand(args[1:], "restore", func(dir, file string) error { return restore(dir, file, stderr) }, stdout)
	case "export":
		err = exportCommand(args[1:], stdout, stderr)
	case "compact":
		err = compactCommand(args[1:], stdout, stderr)
	case "user":
		err = userCommand(args[1:], stdin, stdout, stderr)
	case "region":
		err = regionCommand(ctx, args[1:], stdout, stderr)
	case "load":
		err = loadCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "antrean: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "antrean: %v\n", err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "antrean: %v\n", err)
		return 1
	}
	return 0
}

type usageError struct{ error }

// parseFlags parses args; a bad flag is a usage error (exit 2), as the
// flag package has already printed the usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		return usageError{err}
	}
	return err
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("antrean "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(env("ANTREAN_LOG_LEVEL", "info"))); err != nil {
		return nil, usageError{fmt.Errorf("ANTREAN_LOG_LEVEL: %v", err)}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})), nil
}

func serve(ctx context.Context, args []string, demo bool, stdout, stderr io.Writer) error {
	name, defData := "serve", "./antrean-data"
	if demo {
		name, defData = "demo", "./antrean-demo"
	}
	fs := newFlags(name, stderr)
	cfg := app.Config{Demo: demo, AdminPassword: os.Getenv("ANTREAN_ADMIN_PASSWORD")}
	fs.StringVar(&cfg.Addr, "addr", env("ANTREAN_ADDR", ":8080"), "address to listen on")
	fs.StringVar(&cfg.Data, "data", env("ANTREAN_DATA", defData), "data folder (holds antrean.db)")
	fs.StringVar(&cfg.TLSCert, "tls-cert", env("ANTREAN_TLS_CERT", ""), "TLS certificate file (serve HTTPS directly)")
	fs.StringVar(&cfg.TLSKey, "tls-key", env("ANTREAN_TLS_KEY", ""), "TLS key file")
	proxies := fs.String("trusted-proxies", env("ANTREAN_TRUSTED_PROXIES", ""), "CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed")
	metricsAllow := fs.String("metrics-allow", env("ANTREAN_METRICS_ALLOW", ""), "CIDRs besides loopback that may read /metrics, comma separated (the scraper's address as it connects; X-Forwarded-For is not believed)")
	ttl := fs.String("session-ttl", env("ANTREAN_SESSION_TTL", "12h"), "how long a staff login lasts")
	issueLimit := fs.String("issue-limit", env("ANTREAN_ISSUE_LIMIT", "10/2s"), "tickets one kiosk or greeter may take: a burst, then one per interval (BURST/INTERVAL), or off")
	wsPerAddr := fs.String("ws-per-addr", env("ANTREAN_WS_PER_ADDR", "256"), "websockets of the public feed one client address may hold")
	wsMax := fs.String("ws-max", env("ANTREAN_WS_MAX", "20000"), "websockets the server holds in all")
	bookingLimit := fs.String("booking-limit", env("ANTREAN_BOOKING_LIMIT", "10/1m"), "online bookings one client (address, kiosk or staff member) may make: BURST/INTERVAL, or off")
	fs.StringVar(&cfg.NATS.Conn.URL, "nats", env("ANTREAN_NATS_URL", ""), "NATS server(s) of the region, comma separated: publish every committed event to JetStream (needs --site-id)")
	fs.StringVar(&cfg.NATS.SiteID, "site-id", env("ANTREAN_SITE_ID", ""), "this mall's site code in the region (a-z, 0-9, - and _)")
	fs.StringVar(&cfg.NATS.Conn.Creds, "nats-creds", env("ANTREAN_NATS_CREDS", ""), "NATS credentials file of this site")
	fs.StringVar(&cfg.NATS.Conn.CA, "nats-ca", env("ANTREAN_NATS_CA", ""), "PEM file of the CA of the NATS servers' TLS certificates")
	guessLimit := fs.String("code-guess-limit", env("ANTREAN_CODE_GUESS_LIMIT", "10/1m"), "lookups of unknown booking codes one client may make before 429: BURST/INTERVAL, or off")
	archiveDays := fs.String("archive-after-days", env("ANTREAN_ARCHIVE_AFTER_DAYS", "26"), "move tickets, events, audit entries and purged survey responses of days this old to the archive files (0: never); 26, the longest window that keeps five years of a busy mall (3,000 tickets a day) under 2 GB with the archives, see BENCHMARKS.md")
	compactFree := fs.String("compact-free", env("ANTREAN_COMPACT_FREE", "0.5"), "compact antrean.db at start when this share of it is free pages (0: never)")
	fs.StringVar(&cfg.BackupDir, "backup-dir", env("ANTREAN_BACKUP_DIR", ""), "write scheduled backups into this folder (another disk)")
	backupEvery := fs.String("backup-every", env("ANTREAN_BACKUP_EVERY", "24h"), "time between scheduled backups")
	backupKeep := fs.String("backup-keep", env("ANTREAN_BACKUP_KEEP", "7"), "scheduled backups kept")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", name, fs.Args())}
	}
	var err error
	if cfg.WSPerAddr, err = positive(*wsPerAddr); err != nil {
		return usageError{fmt.Errorf("--ws-per-addr: %v", err)}
	}
	if cfg.WSMax, err = positive(*wsMax); err != nil {
		return usageError{fmt.Errorf("--ws-max: %v", err)}
	}
	d, err := time.ParseDuration(*ttl)
	if err != nil {
		return usageError{fmt.Errorf("--session-ttl: %v", err)}
	}
	cfg.SessionTTL = d
	if cfg.IssueBurst, cfg.IssueEvery, err = parseIssueLimit(*issueLimit); err != nil {
		return usageError{fmt.Errorf("--issue-limit: %v", err)}
	}
	if cfg.BookingLimit.Burst, cfg.BookingLimit.Every, err = parseIssueLimit(*bookingLimit); err != nil {
		return usageError{fmt.Errorf("--booking-limit: %v", err)}
	}
	if cfg.GuessLimit.Burst, cfg.GuessLimit.Every, err = parseIssueLimit(*guessLimit); err != nil {
		return usageError{fmt.Errorf("--code-guess-limit: %v", err)}
	}
	if cfg.ArchiveAfterDays, err = strconv.Atoi(strings.TrimSpace(*archiveDays)); err != nil || cfg.ArchiveAfterDays < 0 {
		return usageError{fmt.Errorf("--archive-after-days: %q is not a whole number of days (0: never)", *archiveDays)}
	}
	if cfg.CompactFree, err = strconv.ParseFloat(strings.TrimSpace(*compactFree), 64); err != nil || cfg.CompactFree < 0 || cfg.CompactFree >= 1 {
		return usageError{fmt.Errorf("--compact-free: %q is not a share from 0 (never) to below 1", *compactFree)}
	}
	if cfg.BackupEvery, err = time.ParseDuration(*backupEvery); err != nil || cfg.BackupEvery < time.Second {
		return usageError{fmt.Errorf("--backup-every: %q is not a duration of a second or more (e.g. 24h)", *backupEvery)}
	}
	if cfg.BackupKeep, err = positive(*backupKeep); err != nil {
		return usageError{fmt.Errorf("--backup-keep: %v", err)}
	}
	if *proxies != "" {
		cfg.TrustedProxies = strings.Split(*proxies, ",")
	}
	if *metricsAllow != "" {
		cfg.MetricsAllow = strings.Split(*metricsAllow, ",")
	}
	if cfg.Logger, err = logger(stderr); err != nil {
		return err
	}
	return app.Run(ctx, cfg, stdout)
}

// fileCommand is backup and restore: --data DIR FILE.
func fileCommand(args []string, name string, f func(dir, file string) error, stdout io.Writer) error {
	fs := newFlags(name, os.Stderr)
	data := fs.String("data", env("ANTREAN_DATA", ""), "data folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() != 1 {
		return usageError{fmt.Errorf("usage: antrean %s --data DIR FILE", name)}
	}
	if err := f(*data, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: done (%s ↔ %s)\n", name, *data, fs.Arg(0))
	return nil
}

// restore puts a backup in place (with the archive files beside a
// scheduled backup) and warns of archive files the restored database
// names but the data folder lacks.
func restore(dir, file string, stderr io.Writer) error {
	if err := storage.RestoreFile(dir, file); err != nil {
		return err
	}
	problems, err := storage.ArchiveProblems(dir)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "antrean restore: warning: %s: the archived days in it cannot be read until it is put back (from the archive folder beside the backups)\n", p)
	}
	return nil
}

// exportCommand writes the records of a range of days as JSON lines.
// On a stopped server's folder it reads the database and the archive
// files; while a server runs (it holds the database), the archive files
// alone, and says so.
func exportCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	data := fs.String("data", env("ANTREAN_DATA", ""), "data folder")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD (inclusive)")
	kind := fs.String("kind", storage.KindTickets, "tickets, events, audit or feedback")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	const use = "usage: antrean export --data DIR --from YYYY-MM-DD --to YYYY-MM-DD [--kind tickets|events|audit|feedback] > out.jsonl"
	f, errF := time.Parse(queue.DateLayout, *from)
	t, errT := time.Parse(queue.DateLayout, *to)
	switch {
	case *data == "" || fs.NArg() > 0:
		return usageError{errors.New(use)}
	case errF != nil || errT != nil || f.Format(queue.DateLayout) != *from || t.Format(queue.DateLayout) != *to:
		return usageError{fmt.Errorf("--from and --to are days as YYYY-MM-DD\n%s", use)}
	case t.Before(f):
		return usageError{errors.New("--to is before --from")}
	case !slices.Contains(storage.ExportKinds, *kind):
		return usageError{fmt.Errorf("--kind %q: one of %s", *kind, strings.Join(storage.ExportKinds, ", "))}
	}
	db, err := storage.Open(*data, storage.Options{LockTimeout: time.Second})
	var n int
	switch {
	case errors.Is(err, storage.ErrLocked):
		if *kind == storage.KindFeedback {
			return errors.New("a server is running on " + *data + ": survey responses live in its database only; stop it, or read them with GET /api/v1/reports/ikm")
		}
		fmt.Fprintf(stderr, "antrean export: a server is running on %s: writing the archived days only (from %s); the days still in its database are not written (stop the server to export them, or use the API)\n",
			*data, filepath.Join(*data, storage.ArchiveDir))
		n, err = storage.ExportArchive(*data, stdout, *kind, *from, *to)
	case err != nil:
		return err
	default:
		defer db.Close()
		n, err = db.Export(stdout, *kind, *from, *to)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "antrean export: %d %s records of %s to %s\n", n, *kind, *from, *to)
	return nil
}

// compactCommand compacts a stopped server's database.
func compactCommand(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compact", stderr)
	data := fs.String("data", env("ANTREAN_DATA", ""), "data folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *data == "" || fs.NArg() > 0 {
		return usageError{errors.New("usage: antrean compact --data DIR")}
	}
	t0 := time.Now()
	res, err := storage.Compact(*data, storage.CompactOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "compact: %s: %.1f MiB → %.1f MiB in %s\n", filepath.Join(*data, storage.FileName),
		float64(res.Before)/(1<<20), float64(res.After)/(1<<20), time.Since(t0).Round(time.Millisecond))
	return nil
}

func userCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd") {
		return usageError{errors.New("usage: antrean user add|passwd --data DIR --username U [flags]")}
	}
	sub := args[0]
	fs := newFlags("user "+sub, stderr)
	data := fs.String("data", env("ANTREAN_DATA", ""), "data folder")
	username := fs.String("username", "", "username")
	role := fs.String("role", "", "admin, supervisor, officer or greeter (add)")
	agency := fs.String("agency", "", "agency code, for supervisors and officers (add)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *data == "" || *username == "" || fs.NArg() > 0 || (sub == "add" && *role == "") {
		return usageError{fmt.Errorf("usage: antrean user %s --data DIR --username U%s", sub, map[bool]string{true: " --role R [--agency CODE]", false: ""}[sub == "add"])}
	}
	pw := os.Getenv("ANTREAN_PASSWORD")
	if pw == "" {
		fmt.Fprintf(stderr, "Password for %s (at least %d characters): ", *username, queue.MinPasswordLen)
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password given (set ANTREAN_PASSWORD or type it)")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	log, err := logger(io.Discard)
	if err != nil {
		return err
	}
	a, err := app.Open(app.Config{Data: *data, Logger: log, Offline: true})
	if err != nil {
		return err
	}
	defer a.Close()
	if sub == "add" {
		err = a.AddUser(*username, pw, *role, *agency)
	} else {
		err = a.SetPassword(*username, pw)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s: %s done\n", sub, *username)
	return nil
}

// parseIssueLimit reads --issue-limit, --booking-limit and
// --code-guess-limit: "10/2s" (a burst of 10, then one every 2 s) or
// "off".
func parseIssueLimit(s string) (int, time.Duration, error) {
	if strings.EqualFold(s, "off") {
		return -1, 0, nil
	}
	b, e, ok := strings.Cut(s, "/")
	burst, err := strconv.Atoi(b)
	if !ok || err != nil || burst < 1 {
		return 0, 0, fmt.Errorf("%q is not BURST/INTERVAL (e.g. 10/2s) or off", s)
	}
	every, err := time.ParseDuration(e)
	if err != nil || every <= 0 {
		return 0, 0, fmt.Errorf("%q is not BURST/INTERVAL (e.g. 10/2s) or off", s)
	}
	return burst, every, nil
}

// positive reads a count of at least 1 (flags and environment variables
// are read as text, so a bad ANTREAN_* value is reported like a bad flag).
func positive(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q is not a whole number of at least 1", s)
	}
	return n, nil
}
