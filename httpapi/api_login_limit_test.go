package httpapi_test

// HTTP tests of login throttling (API.md, Conventions): 5 failures for a
// username from one address → that pair gets 429; 50 from one address →
// that address gets 429; failures of a username across many addresses
// pace it (one try per 5 s from addresses that failed for it), and the
// right password from an address that has not failed always works. The
// server believes X-Forwarded-For from the test client (a trusted proxy),
// so one test client speaks for many addresses; the clock is fixed and
// moved by hand.

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// limitStart is a fixed time for the clock of these tests.
var limitStart = time.Date(2026, 11, 26, 9, 0, 0, 0, time.FixedZone("WIB", 7*3600))

// behindProxy starts a server that trusts the test client (127.0.0.1) as
// its reverse proxy, with a fixed clock.
func behindProxy(t *testing.T) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{Start: limitStart, Configure: func(c *app.Config) {
		c.TrustedProxies = []string{"127.0.0.1/32"}
	}})
}

// loginFrom signs in as the client at addr (through the trusted proxy).
func loginFrom(s *apptest.Server, addr, user, password string) *apptest.Response {
	s.T.Helper()
	return s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": user, "password": password}, "X-Forwarded-For", addr)
}

// want429 checks a rate-limited answer and its Retry-After in seconds.
func want429(t *testing.T, r *apptest.Response, retryAfter int) {
	t.Helper()
	apiWantError(t, r, http.StatusTooManyRequests, queue.ERateLimited)
	if got := r.Header.Get("Retry-After"); got != strconv.Itoa(retryAfter) {
		t.Fatalf("Retry-After %q, want %d", got, retryAfter)
	}
}

// A stranger guessing admin's password from one address: after 5
// failures that address gets 429 for admin (until the first failure is
// 15 minutes old), while admin signs in from any other address, and the
// stranger's address may still sign in as someone else.
func TestLoginStrangerFromOneAddress(t *testing.T) {
	t.Parallel()
	s := behindProxy(t)
	s.SetupMall()
	const stranger, office = "203.0.113.66", "198.51.100.7"
	for i := range 5 {
		apiWantError(t, loginFrom(s, stranger, "admin", "guess-number-"+strconv.Itoa(i)), http.StatusUnauthorized, queue.EInvalidCredentials)
		s.Clock.Add(time.Minute)
	}
	// The pair is refused, the right password included; the first
	// failure is 5 minutes old: 10 minutes to wait.
	want429(t, loginFrom(s, stranger, "admin", "guess-number-6"), 600)
	want429(t, loginFrom(s, stranger, "ADMIN ", apptest.AdminPassword), 600)
	// The right password from an address that has not failed.
	apiWantStatus(t, loginFrom(s, office, "admin", apptest.AdminPassword), http.StatusOK)
	// Another name from the stranger's address (an officer behind the
	// same router).
	apiWantStatus(t, loginFrom(s, stranger, "off.a", apptest.StaffPassword), http.StatusOK)
	// Admin from the stranger's address, once the oldest failure is 15
	// minutes old: one more try before the pair is full again.
	s.Clock.Add(10*time.Minute - time.Second)
	want429(t, loginFrom(s, stranger, "admin", apptest.AdminPassword), 1)
	s.Clock.Add(time.Second)
	apiWantStatus(t, loginFrom(s, stranger, "admin", apptest.AdminPassword), http.StatusOK)
	// That success forgave the pair's failures, not the four others of
	// the name: one more failure fills the name's five, and from then
	// on this address, having failed for it, is paced.
	apiWantError(t, loginFrom(s, stranger, "admin", "guess-again-1"), http.StatusUnauthorized, queue.EInvalidCredentials)
	apiWantError(t, loginFrom(s, stranger, "admin", "guess-again-2"), http.StatusUnauthorized, queue.EInvalidCredentials)
	want429(t, loginFrom(s, stranger, "admin", "guess-again-3"), 5)
}

// A stranger guessing from many addresses: each address that has not
// failed gets its guess checked, then the username is paced: attempts
// from addresses that failed for it get one turn per 5 s between them,
// else 429. The right password from a clean address is never refused,
// however hard the stranger tries.
func TestLoginStrangerFromManyAddresses(t *testing.T) {
	t.Parallel()
	s := behindProxy(t)
	s.SetupMall()
	addr := func(i int) string { return "203.0.113." + strconv.Itoa(i) }
	for i := range 40 {
		apiWantError(t, loginFrom(s, addr(i), "admin", "guess-"+strconv.Itoa(i)), http.StatusUnauthorized, queue.EInvalidCredentials)
	}
	// Second guesses: the first takes the turn, the others wait for it.
	apiWantError(t, loginFrom(s, addr(0), "admin", "guess-x"), http.StatusUnauthorized, queue.EInvalidCredentials)
	for i := 1; i < 40; i++ {
		want429(t, loginFrom(s, addr(i), "admin", "guess-y"), 5)
	}
	// Meanwhile admin signs in from the office, twice, and from a phone.
	apiWantStatus(t, loginFrom(s, "198.51.100.7", "admin", apptest.AdminPassword), http.StatusOK)
	apiWantStatus(t, loginFrom(s, "198.51.100.7", "admin", apptest.AdminPassword), http.StatusOK)
	apiWantStatus(t, loginFrom(s, "2001:db8:77::1", "admin", apptest.AdminPassword), http.StatusOK)
	// Other usernames are not paced.
	apiWantStatus(t, loginFrom(s, addr(5), "sup.a", apptest.StaffPassword), http.StatusOK)
	// One turn per 5 s.
	s.Clock.Add(4 * time.Second)
	want429(t, loginFrom(s, addr(7), "admin", "guess-z"), 1)
	s.Clock.Add(time.Second)
	apiWantError(t, loginFrom(s, addr(7), "admin", "guess-z"), http.StatusUnauthorized, queue.EInvalidCredentials)
	want429(t, loginFrom(s, addr(8), "admin", "guess-z"), 5)
	// An address that failed is paced for the right password too (it
	// could be the stranger's), but gets through on its turn.
	s.Clock.Add(5 * time.Second)
	apiWantStatus(t, loginFrom(s, addr(9), "admin", apptest.AdminPassword), http.StatusOK)
	// A fresh address of the stranger's gets one guess, then waits.
	apiWantError(t, loginFrom(s, addr(200), "admin", "guess-1"), http.StatusUnauthorized, queue.EInvalidCredentials)
	want429(t, loginFrom(s, addr(200), "admin", "guess-2"), 5)
	// The pace ends when the failures age out of the window.
	s.Clock.Add(15 * time.Minute)
	apiWantError(t, loginFrom(s, addr(8), "admin", "guess-3"), http.StatusUnauthorized, queue.EInvalidCredentials)
	apiWantError(t, loginFrom(s, addr(8), "admin", "guess-4"), http.StatusUnauthorized, queue.EInvalidCredentials)
}

// 50 failures from one address, over many usernames none of which fails
// 5 times there: the address gets 429 for every name (until the oldest
// failure is 15 minutes old); other addresses do not.
func TestLoginPerAddressLimit(t *testing.T) {
	t.Parallel()
	s := behindProxy(t)
	m := s.SetupMall()
	// Thirteen names (unknown ones would cost a full-strength bcrypt
	// each), none failing 5 times.
	names := []string{"admin", "sup.a", "off.a", "sup.b", "off.b", "greeter", "greeter.a", "greeter.b"}
	for i := range 5 {
		name := "petugas" + strconv.Itoa(i)
		s.MustJSON(http.MethodPost, "/api/v1/users", s.Admin, map[string]any{"username": name, "password": apptest.StaffPassword, "role": "officer", "agency_id": m.AgencyA.ID}, http.StatusCreated, nil)
		names = append(names, name)
	}
	const router = "192.0.2.10"
	for i := range 50 {
		apiWantError(t, loginFrom(s, router, names[i%len(names)], "wrong-password-1"), http.StatusUnauthorized, queue.EInvalidCredentials)
		if i == 48 {
			// The 49 so far leave room for a sign-in, which is not a
			// failure and takes no room.
			apiWantStatus(t, loginFrom(s, router, "off.a", apptest.StaffPassword), http.StatusOK)
		}
	}
	want429(t, loginFrom(s, router, "off.b", apptest.StaffPassword), 900)
	want429(t, loginFrom(s, router, "tamu", "wrong-password-1"), 900)
	apiWantStatus(t, loginFrom(s, "192.0.2.11", "off.b", apptest.StaffPassword), http.StatusOK)
	// Signed-in staff are not affected.
	apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", s.Admin, nil, "X-Forwarded-For", router), http.StatusOK)
	s.Clock.Add(15 * time.Minute)
	apiWantStatus(t, loginFrom(s, router, "off.b", apptest.StaffPassword), http.StatusOK)
}

// An IPv6 client is counted by its /64: a phone or a home router takes
// any address in its network at will.
func TestLoginIPv6CountsTheNetwork(t *testing.T) {
	t.Parallel()
	s := behindProxy(t)
	s.SetupMall()
	for i := range 5 {
		apiWantError(t, loginFrom(s, "2001:db8:1:2::"+strconv.Itoa(i+1), "off.a", "wrong-password-1"), http.StatusUnauthorized, queue.EInvalidCredentials)
	}
	want429(t, loginFrom(s, "2001:db8:1:2:ffff::9", "off.a", apptest.StaffPassword), 900)
	apiWantStatus(t, loginFrom(s, "2001:db8:1:3::1", "off.a", apptest.StaffPassword), http.StatusOK)
}

// Without trusted proxies X-Forwarded-For is the client's word, and
// counts for nothing: a stranger cannot pose as a new address per guess.
func TestLoginForwardedForFromUntrustedClient(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Start: limitStart})
	s.SetupMall()
	for i := range 5 {
		apiWantError(t, loginFrom(s, "203.0.113."+strconv.Itoa(i), "off.a", "wrong-password-1"), http.StatusUnauthorized, queue.EInvalidCredentials)
	}
	want429(t, loginFrom(s, "198.51.100.99", "off.a", apptest.StaffPassword), 900)
	want429(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": apptest.StaffPassword}), 900)
}
