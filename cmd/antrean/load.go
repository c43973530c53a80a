package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/mpp-digital/antrean/internal/load"
)

const loadUsage = `antrean load: a busy morning against a running server, through its API

  antrean load --url http://127.0.0.1:8080 --admin-password PW [flags]

Doors open at 07:45 with a surge at %d kiosks, %d officers open their
counters around 08:00, %d lobby screens and %d phones follow the calls: an
hour at 10× speed, 6 minutes. Give --speed or --duration and the other
follows (--duration 20s: the hour at 180×); with both, the morning is
duration × speed. Run the server with the issue limit raised (antrean demo
--issue-limit off), or say --expect rate_limited.

Signed in as admin (--admin-password, or ANTREAN_ADMIN_PASSWORD) the run
creates kiosk devices "Kios Beban NN" (deleted at the end), counters
"Loket Beban N" and officers "beban.NN" (kept for the next run), and lifts
the services' daily quotas while it runs (--keep-quotas leaves them).
Without it, give --kiosk-tokens and --officer-tokens (officers get free
counters of their agency).

Exit status: 0 with no errors, 1 with errors (or an interrupted run), 2
for a usage error.

Flags:
`

// loadCommand is `antrean load`.
func loadCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := load.Defaults()
	fs := newFlags("load", stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, loadUsage, cfg.Kiosks, cfg.Officers, cfg.Screens, cfg.Phones)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.URL, "url", env("ANTREAN_LOAD_URL", cfg.URL), "the server (env ANTREAN_LOAD_URL)")
	fs.StringVar(&cfg.AdminUser, "admin-user", cfg.AdminUser, "admin username")
	fs.StringVar(&cfg.AdminPassword, "admin-password", env("ANTREAN_LOAD_ADMIN_PASSWORD", os.Getenv("ANTREAN_ADMIN_PASSWORD")),
		"admin password (env ANTREAN_LOAD_ADMIN_PASSWORD or ANTREAN_ADMIN_PASSWORD)")
	kioskTokens := fs.String("kiosk-tokens", env("ANTREAN_LOAD_KIOSK_TOKENS", ""), "comma-separated kiosk device tokens, instead of creating kiosks (env ANTREAN_LOAD_KIOSK_TOKENS)")
	officerTokens := fs.String("officer-tokens", env("ANTREAN_LOAD_OFFICER_TOKENS", ""), "comma-separated officer bearer tokens, instead of creating officers (env ANTREAN_LOAD_OFFICER_TOKENS)")
	fs.IntVar(&cfg.Kiosks, "kiosks", cfg.Kiosks, "kiosks issuing tickets")
	fs.IntVar(&cfg.Officers, "officers", cfg.Officers, "officers, each at a counter")
	fs.IntVar(&cfg.Screens, "screens", cfg.Screens, "lobby screens on the public feed")
	fs.IntVar(&cfg.Tickets, "tickets", cfg.Tickets, "visitors taking a ticket over the morning")
	fs.IntVar(&cfg.Phones, "phones", cfg.Phones, "visitors following their ticket on a phone (at most --tickets)")
	fs.Float64Var(&cfg.Speed, "speed", cfg.Speed, "how many times faster than real time the morning runs (default: 1h ÷ --duration)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "the run's real length (default: 1h ÷ --speed)")
	expect := fs.String("expect", "", "comma-separated error codes or statuses that count as expected refusals, not errors (e.g. rate_limited,quota_exhausted)")
	fs.BoolVar(&cfg.KeepQuotas, "keep-quotas", false, "leave the services' daily quotas as they are")
	sources := fs.String("sources", "", "websocket source addresses, a range or list (default: 127.0.0.1-127.0.0.N for a loopback server)")
	fs.IntVar(&cfg.PID, "pid", 0, "the server's process ID, for its memory (default: found by the URL's port, or /metrics)")
	seed := fs.Uint64("seed", cfg.Seed, "seed of the simulated visitors and officers")
	jsonOut := fs.String("json", "", "write every figure as JSON to this file")
	quiet := fs.Bool("quiet", false, "no progress lines on stderr")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("load takes no arguments, got %q", fs.Args())}
	}
	// The morning is an hour: one of --speed and --duration gives the
	// other; with both, the morning simulated is duration × speed.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["duration"] && !set["speed"] && cfg.Duration > 0:
		cfg.Speed = float64(load.Morning) / float64(cfg.Duration)
	case set["speed"] && !set["duration"] && cfg.Speed > 0:
		cfg.Duration = time.Duration(float64(load.Morning) / cfg.Speed)
	}
	cfg.Seed = *seed
	cfg.KioskTokens = splitList(*kioskTokens)
	cfg.OfficerTokens = splitList(*officerTokens)
	cfg.Expect = splitList(*expect)
	if *sources != "" {
		ips, err := parseSources(*sources)
		if err != nil {
			return usageError{fmt.Errorf("--sources: %v", err)}
		}
		cfg.Sources = ips
	}
	if !*quiet {
		cfg.Progress = stderr
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	rep, err := load.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	if *jsonOut != "" {
		if err := rep.WriteJSON(*jsonOut); err != nil {
			return err
		}
	}
	switch {
	case rep.ErrorTotal > 0:
		return fmt.Errorf("load: %d errors", rep.ErrorTotal)
	case rep.Interrupted:
		return errors.New("load: interrupted")
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseSources reads "127.0.0.1-127.0.0.20" or "127.0.0.1,127.0.0.2".
func parseSources(s string) ([]net.IP, error) {
	var out []net.IP
	for _, part := range splitList(s) {
		lo, hi, isRange := strings.Cut(part, "-")
		a := net.ParseIP(lo).To4()
		if a == nil {
			return nil, fmt.Errorf("%q is not an IPv4 address", lo)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b := net.ParseIP(hi).To4()
		if b == nil || a[0] != b[0] || a[1] != b[1] || a[2] != b[2] || b[3] < a[3] {
			return nil, fmt.Errorf("range %q: want A.B.C.x-A.B.C.y", part)
		}
		for x := int(a[3]); x <= int(b[3]); x++ {
			out = append(out, net.IPv4(a[0], a[1], a[2], byte(x)).To4())
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no addresses")
	}
	return out, nil
}
