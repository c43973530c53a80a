package load

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
)

// Config is one run of the load.
type Config struct {
	// URL is the server, e.g. http://127.0.0.1:8080.
	URL string

	// AdminUser and AdminPassword sign in to create what the run needs:
	// kiosk devices, officers and their counters. Tokens given below are
	// used instead of creating that kind.
	AdminUser, AdminPassword string
	// KioskTokens are kiosk device tokens; OfficerTokens staff bearer
	// tokens of officers (each gets a counter of its agency).
	KioskTokens, OfficerTokens []string

	Kiosks, Officers, Screens int
	// Tickets are the visitors of the morning; Phones of them follow
	// their ticket on their phone.
	Tickets, Phones int

	// Speed is how much faster than real time the morning runs; Duration
	// is the run's real length. The simulated morning is Duration × Speed.
	Speed    float64
	Duration time.Duration

	// Expect names API error codes or HTTP statuses ("rate_limited",
	// "429", "quota_exhausted") that count as expected refusals, not
	// errors. A kiosk refused with 429 retries after Retry-After.
	Expect []string
	// KeepQuotas leaves the services' daily quotas as they are. Otherwise,
	// when signed in as admin, the run lifts them for its duration and
	// puts them back at the end (2,000 tickets exceed most malls' quotas).
	KeepQuotas bool

	// Sources are the local addresses the websockets are opened from, in
	// turn. Empty: several 127.0.0.x when the server is on 127.0.0.0/8
	// (the server caps websockets per client address), else the default.
	Sources []net.IP
	// PID is the server's process, for its memory; 0: found by the URL's
	// port when the server runs here, else from /metrics.
	PID int

	Seed      uint64
	Behaviour Behaviour

	// Progress, when set, gets a line now and then while the load runs.
	Progress io.Writer
	// Grace is how long the run waits at the end for frames of the last
	// calls to reach every screen and phone.
	Grace time.Duration
}

// Behaviour is how visitors and officers act, in simulated time.
type Behaviour struct {
	PriorityShare float64 // tickets taken on the priority path
	SlowShare     float64 // visitors recalled once before they reach the counter
	AbsentShare   float64 // visitors who do not come: recalled, then no-show
	CallBackShare float64 // no-shows who come back and are called again
	// CallBackAfter is how many other visitors the officer calls before
	// calling a no-show back (DOMAIN.md: "after about five other numbers").
	CallBackAfter int
	TransferShare float64 // tickets sent on to another service
	// ServiceMean is the mean time at the counter (log-normal, σ 0.6).
	ServiceMean time.Duration
	// Walk is the time from the call to the counter (uniform).
	Walk [2]time.Duration
	// Tap is a visitor's time at the kiosk before the ticket (uniform).
	Tap [2]time.Duration
	// Scan is the time from the ticket to the phone following it (uniform).
	Scan [2]time.Duration
	// IdlePoll is how long an officer with nobody waiting waits before
	// pressing next again.
	IdlePoll time.Duration
	// OpenAt is when counters open, as a share of the morning (08:00 of
	// 07:45–08:45); each officer is a little early or late.
	OpenAt float64
}

// Morning is the simulated morning of the default run: 07:45 to 08:45.
const Morning = time.Hour

// Defaults is the busy morning of the issue: 20 kiosks, 60 officers, 30
// lobby screens and 2,000 phones over an hour at 10× speed (6 minutes).
func Defaults() Config {
	return Config{
		URL:       "http://localhost:8080",
		AdminUser: "admin",
		Kiosks:    20, Officers: 60, Screens: 30, Tickets: 2000, Phones: 2000,
		Speed: 10, Duration: Morning / 10,
		Seed:  1,
		Grace: 5 * time.Second,
		Behaviour: Behaviour{
			PriorityShare: 0.05, SlowShare: 0.10, AbsentShare: 0.05, CallBackShare: 0.5, CallBackAfter: 5, TransferShare: 0.05,
			ServiceMean: 8 * time.Minute,
			Walk:        [2]time.Duration{20 * time.Second, 90 * time.Second},
			Tap:         [2]time.Duration{8 * time.Second, 15 * time.Second},
			Scan:        [2]time.Duration{5 * time.Second, 60 * time.Second},
			IdlePoll:    15 * time.Second,
			OpenAt:      0.25,
		},
	}
}

// Validate checks a config before anything is sent.
func (c *Config) Validate() error {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q: want http://host:port or https://host:port", c.URL)
	}
	if len(c.KioskTokens) > 0 {
		c.Kiosks = len(c.KioskTokens)
	}
	if len(c.OfficerTokens) > 0 {
		c.Officers = len(c.OfficerTokens)
	}
	var errs []string
	if c.Kiosks < 1 || c.Officers < 1 || c.Screens < 0 || c.Tickets < 1 || c.Phones < 0 {
		errs = append(errs, "want at least one kiosk, officer and ticket, and no negative counts")
	}
	if c.Phones > c.Tickets {
		errs = append(errs, fmt.Sprintf("--phones %d: at most one phone per ticket (--tickets %d)", c.Phones, c.Tickets))
	}
	if c.Speed <= 0 || c.Duration <= 0 {
		errs = append(errs, "--speed and --duration must be positive")
	}
	if c.AdminPassword == "" && (len(c.KioskTokens) == 0 || len(c.OfficerTokens) == 0) {
		errs = append(errs, "give --admin-password (the run creates kiosks, officers and counters), or both --kiosk-tokens and --officer-tokens")
	}
	b := c.Behaviour
	for name, v := range map[string]float64{"priority": b.PriorityShare, "slow": b.SlowShare, "absent": b.AbsentShare,
		"call-back": b.CallBackShare, "transfer": b.TransferShare, "open-at": b.OpenAt} {
		if v < 0 || v > 1 {
			errs = append(errs, fmt.Sprintf("%s share %g: want 0..1", name, v))
		}
	}
	if b.SlowShare+b.AbsentShare > 1 {
		errs = append(errs, "slow and absent shares add up to more than 1")
	}
	if b.ServiceMean <= 0 || b.CallBackAfter < 0 || b.IdlePoll <= 0 || b.Walk[1] < b.Walk[0] || b.Tap[1] < b.Tap[0] || b.Scan[1] < b.Scan[0] {
		errs = append(errs, "behaviour times: want positive means and ranges lo ≤ hi")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// Simulated is the length of the simulated morning.
func (c *Config) Simulated() time.Duration {
	return time.Duration(float64(c.Duration) * c.Speed)
}
