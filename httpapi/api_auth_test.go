package httpapi_test

// HTTP tests of signing in and out, sessions (bearer and cookie with CSRF),
// the failed-login limit, and what ends a session (API.md "Conventions"
// and "Staff and setup"; ARCHITECTURE.md's security model).

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

type apiLogin struct {
	Token     string         `json:"token"`
	CSRFToken string         `json:"csrf_token"`
	User      map[string]any `json:"user"`
	cookie    *http.Cookie
}

// apiDoLogin signs in and returns the answer with its session cookie.
func apiDoLogin(t *testing.T, s *apptest.Server, user, password string) apiLogin {
	t.Helper()
	r := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": user, "password": password})
	apiWantStatus(t, r, http.StatusOK)
	var l apiLogin
	r.JSON(t, &l)
	resp := http.Response{Header: r.Header}
	for _, c := range resp.Cookies() {
		if c.Name == httpapi.SessionCookie {
			l.cookie = c
		}
	}
	if l.cookie == nil {
		t.Fatalf("login set no %s cookie: %v", httpapi.SessionCookie, r.Header)
	}
	return l
}

func TestAPILogin(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	t.Run("answer and cookie", func(t *testing.T) {
		r := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": apptest.StaffPassword})
		apiWantStatus(t, r, http.StatusOK)
		apiNoSecrets(t, r)
		var l apiLogin
		r.JSON(t, &l)
		if l.Token == "" || l.CSRFToken == "" {
			t.Fatalf("login answer: %s", r.Body)
		}
		if l.User["id"] != m.Users["officerA"].ID || l.User["username"] != "off.a" || l.User["role"] != "officer" || l.User["agency_id"] != m.AgencyA.ID || l.User["disabled"] != false {
			t.Fatalf("login user: %v", l.User)
		}
		resp := http.Response{Header: r.Header}
		var ck *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "antrean_session" {
				ck = c
			}
		}
		if ck == nil || ck.Value == "" {
			t.Fatalf("no antrean_session cookie: %v", r.Header["Set-Cookie"])
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
			t.Errorf("cookie is not HttpOnly, SameSite=Strict, Path=/: %v", r.Header["Set-Cookie"])
		}
		if ck.Secure {
			t.Errorf("cookie is Secure over plain HTTP (browsers would drop it): %v", r.Header["Set-Cookie"])
		}
		// The username is not case sensitive at sign-in.
		apiWantStatus(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "OFF.A", "password": apptest.StaffPassword}), http.StatusOK)
	})

	t.Run("wrong password and unknown user look the same", func(t *testing.T) {
		wrong := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "sup.a", "password": "wrong-password-1"})
		apiWantError(t, wrong, http.StatusUnauthorized, queue.EInvalidCredentials)
		unknown := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "nobody", "password": "wrong-password-1"})
		apiWantError(t, unknown, http.StatusUnauthorized, queue.EInvalidCredentials)
		if !bytes.Equal(wrong.Body, unknown.Body) {
			t.Errorf("unknown user %s differs from wrong password %s", unknown.Body, wrong.Body)
		}
		if c := wrong.Header.Get("Set-Cookie"); c != "" {
			t.Errorf("a failed login set a cookie: %s", c)
		}
		apiWantFields(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{}), "username", "password")
	})

	t.Run("me", func(t *testing.T) {
		l := apiDoLogin(t, s, "sup.b", apptest.StaffPassword)
		r := s.Do(http.MethodGet, "/api/v1/me", l.Token, nil)
		apiWantStatus(t, r, http.StatusOK)
		apiNoSecrets(t, r)
		me := apiObj(t, r)
		if me["id"] != m.Users["supervisorB"].ID || me["role"] != "supervisor" || me["agency_id"] != m.AgencyB.ID {
			t.Fatalf("me: %s", r.Body)
		}
		if _, ok := me["csrf_token"]; ok {
			t.Errorf("a bearer session has no use for a csrf_token: %s", r.Body)
		}
		r = apiRaw(t, s, http.MethodGet, "/api/v1/me", nil, nil, l.cookie)
		apiWantStatus(t, r, http.StatusOK)
		if me := apiObj(t, r); me["csrf_token"] != l.CSRFToken || me["username"] != "sup.b" {
			t.Fatalf("me with the cookie carries the session's csrf_token: %s", r.Body)
		}
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", "", nil), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", "st_made_up", nil), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, apiRaw(t, s, http.MethodGet, "/api/v1/me", nil, map[string]string{"Authorization": "Basic " + l.Token}), http.StatusUnauthorized, queue.EUnauthenticated)
		// Devices are not staff.
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", m.Tokens["kiosk"], nil), http.StatusForbidden, queue.EForbidden)
	})
}

func TestAPILoginRateLimit(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	s.SetupMall()
	for i := 0; i < 5; i++ {
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": "wrong-password-" + strconv.Itoa(i)}), http.StatusUnauthorized, queue.EInvalidCredentials)
	}
	// The sixth attempt is refused even with the right password.
	r := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": apptest.StaffPassword})
	apiWantError(t, r, http.StatusTooManyRequests, queue.ERateLimited)
	ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || ra <= 0 || ra > 15*60+1 {
		t.Fatalf("Retry-After %q, want seconds up to 15 minutes", r.Header.Get("Retry-After"))
	}
	if strings.Contains(string(r.Body), `"token"`) {
		t.Fatalf("a rate-limited login gave a token: %s", r.Body)
	}
	// The username is counted case-insensitively.
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "Off.A", "password": apptest.StaffPassword}), http.StatusTooManyRequests, queue.ERateLimited)
	// Another username from the same address still signs in (many officers
	// share one address behind a router).
	s.Login("off.b", apptest.StaffPassword)
	s.Login("sup.a", apptest.StaffPassword)
}

// TestAPILoginRateLimitPerAddress: 50 failures from one address within 15
// minutes, over any usernames, stop sign-ins from that address.
func TestAPILoginRateLimitPerAddress(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	var names []string
	for i := 0; i < 14; i++ {
		name := "petugas" + strconv.Itoa(i)
		s.MustJSON(http.MethodPost, "/api/v1/users", s.Admin, map[string]any{"username": name, "password": apptest.StaffPassword, "role": "officer", "agency_id": m.AgencyA.ID}, http.StatusCreated, nil)
		names = append(names, name)
	}
	// 49 failures spread over 13 users, none reaching the per-user limit.
	for i := 0; i < 49; i++ {
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": names[i%13], "password": "wrong-password-x"}), http.StatusUnauthorized, queue.EInvalidCredentials)
	}
	// A success clears the user's count, not the address's.
	s.Login(names[0], apptest.StaffPassword)
	s.Login(names[13], apptest.StaffPassword) // 49 failures: still fine
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": names[13], "password": "wrong-password-x"}), http.StatusUnauthorized, queue.EInvalidCredentials)
	r := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": names[13], "password": apptest.StaffPassword})
	apiWantError(t, r, http.StatusTooManyRequests, queue.ERateLimited)
	if r.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "admin", "password": apptest.AdminPassword}), http.StatusTooManyRequests, queue.ERateLimited)
	// Signed-in staff are not affected.
	apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", s.Admin, nil), http.StatusOK)
}

func TestAPILogout(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	s.SetupMall()

	t.Run("bearer", func(t *testing.T) {
		one := apiDoLogin(t, s, "off.a", apptest.StaffPassword)
		two := apiDoLogin(t, s, "off.a", apptest.StaffPassword)
		r := s.Do(http.MethodPost, "/api/v1/logout", one.Token, nil)
		apiWantStatus(t, r, http.StatusNoContent)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", one.Token, nil), http.StatusUnauthorized, queue.EUnauthenticated)
		// The cookie of that same login is over too (it is the same session).
		apiWantError(t, apiRaw(t, s, http.MethodGet, "/api/v1/me", nil, nil, one.cookie), http.StatusUnauthorized, queue.EUnauthenticated)
		// The user's other login goes on.
		apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", two.Token, nil), http.StatusOK)
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/logout", one.Token, nil), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/logout", "", nil), http.StatusUnauthorized, queue.EUnauthenticated)
	})

	t.Run("cookie", func(t *testing.T) {
		l := apiDoLogin(t, s, "sup.a", apptest.StaffPassword)
		// Without the CSRF token the logout is refused and the session lives.
		apiWantError(t, apiRaw(t, s, http.MethodPost, "/api/v1/logout", nil, nil, l.cookie), http.StatusForbidden, "csrf_failed")
		apiWantStatus(t, apiRaw(t, s, http.MethodGet, "/api/v1/me", nil, nil, l.cookie), http.StatusOK)
		r := apiRaw(t, s, http.MethodPost, "/api/v1/logout", nil, map[string]string{"X-CSRF-Token": l.CSRFToken}, l.cookie)
		apiWantStatus(t, r, http.StatusNoContent)
		resp := http.Response{Header: r.Header}
		cleared := false
		for _, c := range resp.Cookies() {
			if c.Name == httpapi.SessionCookie && c.Value == "" && c.MaxAge < 0 {
				cleared = true
			}
		}
		if !cleared {
			t.Errorf("logout does not clear the cookie: %v", r.Header["Set-Cookie"])
		}
		apiWantError(t, apiRaw(t, s, http.MethodGet, "/api/v1/me", nil, nil, l.cookie), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", l.Token, nil), http.StatusUnauthorized, queue.EUnauthenticated)
		// A stale cookie does not break public pages.
		apiWantStatus(t, apiRaw(t, s, http.MethodGet, "/api/v1/state", nil, nil, l.cookie), http.StatusOK)
	})
}

func TestAPISessionsEnd(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	off := m.Users["officerA"]

	t.Run("password change", func(t *testing.T) {
		tok := s.Login("off.a", apptest.StaffPassword)
		other := m.Tokens["officerB"]
		s.MustJSON(http.MethodPut, "/api/v1/users/"+off.ID, s.Admin, map[string]any{"username": "off.a", "password": "new-password-22", "role": "officer", "agency_id": m.AgencyA.ID}, http.StatusOK, nil)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", tok, nil), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", m.Tokens["officerA"], nil), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", other, nil), http.StatusOK)
		apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", s.Admin, nil), http.StatusOK)
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": apptest.StaffPassword}), http.StatusUnauthorized, queue.EInvalidCredentials)
		s.Login("off.a", "new-password-22")
	})

	t.Run("PUT without a password keeps the sessions", func(t *testing.T) {
		tok := s.Login("off.b", apptest.StaffPassword)
		s.MustJSON(http.MethodPut, "/api/v1/users/"+m.Users["officerB"].ID, s.Admin, map[string]any{"username": "off.b", "role": "officer", "agency_id": m.AgencyB.ID}, http.StatusOK, nil)
		apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", tok, nil), http.StatusOK)
	})

	t.Run("disabled user", func(t *testing.T) {
		sup := m.Users["supervisorA"]
		tok := s.Login("sup.a", apptest.StaffPassword)
		body := map[string]any{"username": "sup.a", "role": "supervisor", "agency_id": m.AgencyA.ID, "disabled": true}
		var u map[string]any
		s.MustJSON(http.MethodPut, "/api/v1/users/"+sup.ID, s.Admin, body, http.StatusOK, &u)
		if u["disabled"] != true {
			t.Fatalf("PUT disabled: %v", u)
		}
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", tok, nil), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", m.Tokens["supervisorA"], nil), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "sup.a", "password": apptest.StaffPassword}), http.StatusUnauthorized, queue.EInvalidCredentials)
		body["disabled"] = false
		s.MustJSON(http.MethodPut, "/api/v1/users/"+sup.ID, s.Admin, body, http.StatusOK, nil)
		s.Login("sup.a", apptest.StaffPassword)
	})
}

func TestAPICookieCSRF(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	s.SetupMall()
	l := apiDoLogin(t, s, "admin", apptest.AdminPassword)
	count := func() int {
		return len(apiList(t, s.Do(http.MethodGet, "/api/v1/agencies", "", nil), "agencies"))
	}
	body := `{"code": "BPN", "name": "Badan Pertanahan"}`
	json := map[string]string{"Content-Type": "application/json"}

	// GET with the cookie needs no CSRF token.
	apiList(t, apiRaw(t, s, http.MethodGet, "/api/v1/users", nil, nil, l.cookie), "users")

	before := count()
	apiWantError(t, apiRaw(t, s, http.MethodPost, "/api/v1/agencies", strings.NewReader(body), json, l.cookie), http.StatusForbidden, "csrf_failed")
	apiWantError(t, apiRaw(t, s, http.MethodPost, "/api/v1/agencies", strings.NewReader(body), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": "wrong"}, l.cookie), http.StatusForbidden, "csrf_failed")
	// Another session's CSRF token does not fit this session.
	other := apiDoLogin(t, s, "admin", apptest.AdminPassword)
	apiWantError(t, apiRaw(t, s, http.MethodPost, "/api/v1/agencies", strings.NewReader(body), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": other.CSRFToken}, l.cookie), http.StatusForbidden, "csrf_failed")
	apiWantError(t, apiRaw(t, s, http.MethodPut, "/api/v1/site", strings.NewReader(`{"name":"Dibajak"}`), json, l.cookie), http.StatusForbidden, "csrf_failed")
	apiWantError(t, apiRaw(t, s, http.MethodDelete, "/api/v1/agencies/x", nil, nil, l.cookie), http.StatusForbidden, "csrf_failed")
	if count() != before {
		t.Fatal("a request refused for CSRF changed something")
	}
	if site := apiObj(t, s.Do(http.MethodGet, "/api/v1/site", "", nil)); site["name"] == "Dibajak" {
		t.Fatal("a request refused for CSRF changed the site")
	}

	r := apiRaw(t, s, http.MethodPost, "/api/v1/agencies", strings.NewReader(body), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": l.CSRFToken}, l.cookie)
	apiWantStatus(t, r, http.StatusCreated)
	if count() != before+1 {
		t.Fatal("the agency was not created")
	}
	// A bearer token needs no CSRF token.
	apiWantStatus(t, s.Do(http.MethodPost, "/api/v1/agencies", l.Token, map[string]string{"code": "BPS", "name": "Badan Pusat Statistik"}), http.StatusCreated)
}

// TestAPISessionUsesEngineClock: a login on a server whose clock is far
// from the wall clock (tests, or a clock set by NTP after start) makes a
// session that lives by the same clock the server checks it with.
func TestAPISessionUsesEngineClock(t *testing.T) {
	t.Parallel()
	wib := time.FixedZone("WIB", 7*3600)
	s := apptest.Start(t, apptest.Options{Start: time.Now().In(wib).AddDate(1, 0, 0)})
	apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", s.Admin, nil), http.StatusOK)
	s.Clock.Add(11 * time.Hour)
	apiWantStatus(t, s.Do(http.MethodGet, "/api/v1/me", s.Admin, nil), http.StatusOK)
	// The default session lifetime is 12 hours.
	s.Clock.Add(2 * time.Hour)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", s.Admin, nil), http.StatusUnauthorized, queue.EUnauthenticated)
}
