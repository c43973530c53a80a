package booking

import (
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/queue"
)

// Limit is a token bucket: Burst at once, then one per Every. A negative
// Burst turns the limit off; zero takes the default.
type Limit struct {
	Burst int
	Every time.Duration
}

// The default limits (README, "Online booking"). Creating: a burst of 10
// bookings from one client, then one a minute — a family books a few,
// and phones on mobile data share carrier addresses. Codes: 10 lookups
// of codes that do not exist, then one a minute; lookups of existing
// codes cost nothing. At one miss a minute, one address finds one of
// 50,000 live codes among 31^8 about once in 30 years.
var (
	DefaultCreateLimit = Limit{Burst: 10, Every: time.Minute}
	DefaultGuessLimit  = Limit{Burst: 10, Every: time.Minute}
)

func (l Limit) orDefault(def Limit) Limit {
	if l.Burst == 0 {
		return def
	}
	if l.Every <= 0 {
		l.Every = def.Every
	}
	return l
}

// limiter holds one token bucket per client.
type limiter struct {
	lim   Limit
	mu    sync.Mutex
	byKey map[string]*bucket
}

type bucket struct {
	r    *rate.Limiter
	seen time.Time
}

// newLimiter returns nil (no limit) for a negative burst.
func newLimiter(l Limit) *limiter {
	if l.Burst < 0 {
		return nil
	}
	return &limiter{lim: l, byKey: map[string]*bucket{}}
}

func (l *limiter) get(key string, now time.Time) *rate.Limiter {
	b := l.byKey[key]
	if b == nil {
		if len(l.byKey) > 20000 {
			// Clients idle long enough have full buckets again: drop them.
			for k, old := range l.byKey {
				if now.Sub(old.seen) > time.Duration(l.lim.Burst)*l.lim.Every {
					delete(l.byKey, k)
				}
			}
		}
		b = &bucket{r: rate.NewLimiter(rate.Every(l.lim.Every), l.lim.Burst)}
		l.byKey[key] = b
	}
	b.seen = now
	return b.r
}

// take spends one token of key's bucket; when there is none it spends
// nothing and returns how long until there is.
func (l *limiter) take(key string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.get(key, now).ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// empty reports how long until key's bucket holds a token again (0: it
// holds one), spending nothing.
func (l *limiter) empty(key string, now time.Time) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tokens := l.get(key, now).TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) * float64(l.lim.Every))
}

// clientKey names who a limit counts: a kiosk device or a member of
// staff by their identity, anyone else by their address — an IPv6
// address by its /64, which one household or phone usually holds whole.
func clientKey(c echo.Context) string {
	caller := httpapi.CallerOf(c)
	switch {
	case caller.Device != nil:
		return "d:" + caller.Device.ID
	case caller.User != nil:
		return "u:" + caller.User.ID
	}
	ip := net.ParseIP(c.RealIP())
	if ip == nil {
		return "a:" + c.RealIP()
	}
	if ip4 := ip.To4(); ip4 != nil {
		return "a:" + ip4.String()
	}
	return "a:" + ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// rateLimited is the 429 answer, with Retry-After in whole seconds.
func rateLimited(c echo.Context, wait time.Duration, en, id string) error {
	secs := int((wait + time.Second - 1) / time.Second)
	c.Response().Header().Set("Retry-After", strconv.Itoa(max(1, secs)))
	return queue.Errorf(queue.ERateLimited, en, id, max(1, secs))
}
