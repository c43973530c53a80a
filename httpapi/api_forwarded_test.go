package httpapi_test

// X-Forwarded-Proto and X-Forwarded-For count only from
// ANTREAN_TRUSTED_PROXIES (API.md, Limits): the Secure flag of the
// session cookie, the scheme of status_url and qr_url, HSTS, and the
// client address that limits count (api_login_limit_test.go) follow them
// only then.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/app"
	"github.com/mpp-digital/antrean/httpapi"
	"github.com/mpp-digital/antrean/internal/apptest"
)

// sessionCookie returns the session cookie an answer sets.
func sessionCookie(t *testing.T, r *apptest.Response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == httpapi.SessionCookie {
			return c
		}
	}
	t.Fatalf("no session cookie: %v", r.Header)
	return nil
}

func TestForwardedProtoFromUntrustedClient(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()
	https := []string{"X-Forwarded-Proto", "https", "X-Forwarded-Ssl", "on", "X-Url-Scheme", "https"}
	r := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": apptest.StaffPassword}, https...)
	apiWantStatus(t, r, http.StatusOK)
	if sessionCookie(t, r).Secure {
		t.Error("a client's X-Forwarded-Proto made the cookie Secure")
	}
	if h := r.Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS over plain HTTP: %q", h)
	}
	r = s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA1.ID}, https...)
	apiWantStatus(t, r, http.StatusCreated)
	var a apptest.IssueAnswer
	r.JSON(t, &a)
	if !strings.HasPrefix(a.StatusURL, s.URL+"/t/") || !strings.HasPrefix(a.QRURL, s.URL+"/api/") {
		t.Errorf("a client's X-Forwarded-Proto changed the visitor URLs: %s, %s", a.StatusURL, a.QRURL)
	}
}

func TestForwardedProtoFromTrustedProxy(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{Configure: func(c *app.Config) {
		c.TrustedProxies = []string{"127.0.0.1"}
	}})
	m := s.SetupMall()
	host := strings.TrimPrefix(s.URL, "http://")
	r := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": apptest.StaffPassword}, "X-Forwarded-Proto", "https", "X-Forwarded-For", "198.51.100.4")
	apiWantStatus(t, r, http.StatusOK)
	if !sessionCookie(t, r).Secure {
		t.Error("behind a trusted proxy that says https, the cookie is not Secure")
	}
	if h := r.Header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
		t.Errorf("HSTS %q behind a trusted proxy that says https", h)
	}
	r = s.Do(http.MethodPost, "/api/v1/tickets", m.Tokens["kiosk"], map[string]any{"service_id": m.ServiceA1.ID}, "X-Forwarded-Proto", "https")
	apiWantStatus(t, r, http.StatusCreated)
	var a apptest.IssueAnswer
	r.JSON(t, &a)
	if !strings.HasPrefix(a.StatusURL, "https://"+host+"/t/") || !strings.HasPrefix(a.QRURL, "https://"+host+"/api/") {
		t.Errorf("visitor URLs behind a trusted proxy that says https: %s, %s", a.StatusURL, a.QRURL)
	}
	// The visitor's page builds its QR from the same scheme.
	page := s.Do(http.MethodGet, strings.TrimPrefix(a.StatusURL, "https://"+host), "", nil, "X-Forwarded-Proto", "https")
	apiWantStatus(t, page, http.StatusOK)
	if page.Header.Get("Strict-Transport-Security") == "" {
		t.Error("the visitor's page behind a trusted proxy that says https has no HSTS")
	}
	// The proxy says plain HTTP: plain it is.
	r = s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.a", "password": apptest.StaffPassword}, "X-Forwarded-Proto", "http")
	apiWantStatus(t, r, http.StatusOK)
	if sessionCookie(t, r).Secure || r.Header.Get("Strict-Transport-Security") != "" {
		t.Errorf("plain HTTP through the proxy: Secure cookie or HSTS: %v", r.Header)
	}
}

// Serving TLS directly: HSTS on every answer, API and pages, and a
// Secure cookie.
func TestHSTSOverTLS(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	ts := httptest.NewTLSServer(s.App.API.Handler())
	t.Cleanup(ts.Close)
	for _, path := range []string{"/healthz", "/api/v1/state", "/display", "/api/v1/nothing-here"} {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if h := resp.Header.Get("Strict-Transport-Security"); h != "max-age=31536000" {
			t.Errorf("GET %s over TLS: HSTS %q", path, h)
		}
	}
	resp, err := ts.Client().Post(ts.URL+"/api/v1/login", "application/json", strings.NewReader(`{"username":"admin","password":"`+apptest.AdminPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login over TLS: %d", resp.StatusCode)
	}
	secure := false
	for _, c := range resp.Cookies() {
		secure = secure || (c.Name == httpapi.SessionCookie && c.Secure)
	}
	if !secure {
		t.Error("login over TLS: the cookie is not Secure")
	}
	// Plain HTTP on the app's own listener: no HSTS.
	if h := s.Do(http.MethodGet, "/healthz", "", nil).Header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("HSTS over plain HTTP: %q", h)
	}
}
