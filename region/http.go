package region

import (
	"context"
	"crypto/tls"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/mpp-digital/antrean/queue"
)

// The region's HTTP API, in the site's conventions (API.md): JSON with
// snake_case, errors as {"error": {code, message}}, bearer tokens or the
// session cookie with X-CSRF-Token on unsafe requests.
//
//	POST   /api/v1/login              {username, password} → {token, csrf_token, user} + cookie
//	POST   /api/v1/logout             204
//	GET    /api/v1/me                 the user (with csrf_token for a cookie)
//	GET    /api/v1/board              the live board of every site
//	GET    /api/v1/sites              the sites and their links
//	GET    /api/v1/reports/summary    ?from&to&group_by=site|agency|service|counter|hour|day&site_id&agency_id&format=csv
//	GET    /api/v1/reports/ikm        ?from&to&site_id&agency_id&service_id&format=csv
//	GET    /api/v1/users              admin
//	POST   /api/v1/users              admin: {username, password, role: admin|viewer}
//	DELETE /api/v1/users/{username}   admin
//	GET    /api/v1/openapi.json       this API as OpenAPI 3.1 (region/openapi.json)
//	GET    /healthz, /readyz

// SessionCookie is the region screens' session cookie.
const SessionCookie = "antrean_region_session"

type caller struct {
	user   *User
	sess   *session
	token  string
	cookie bool
}

//go:embed openapi.json
var openapiJSON []byte

// Routes lists the HTTP API's routes as "METHOD /path" (echo's :param
// form), for the test that checks openapi.json documents each.
func (r *Region) Routes() []string {
	var out []string
	for _, rt := range r.handler().(*echo.Echo).Routes() {
		out = append(out, rt.Method+" "+rt.Path)
	}
	return out
}

func (r *Region) handler() http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = r.handleError
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}))
	e.Use(middleware.BodyLimit("64K"))
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			if strings.HasPrefix(c.Request().URL.Path, "/api/") {
				h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
				h.Set("Cache-Control", "no-store")
			} else {
				h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
			}
			return next(c)
		}
	})
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", r.readyz)
	e.GET("/", r.page("board"))
	e.GET("/laporan", r.page("reports"))
	e.GET(assetsPrefix+"*", echo.WrapHandler(http.StripPrefix(assetsPrefix, http.FileServerFS(assetsFS))))

	api := e.Group("/api/v1")
	api.POST("/login", r.login)
	api.POST("/logout", r.logout, r.need(RoleAdmin, RoleViewer))
	api.GET("/me", r.me, r.need(RoleAdmin, RoleViewer))
	api.GET("/board", r.getBoard, r.need(RoleAdmin, RoleViewer))
	api.GET("/sites", r.getSites, r.need(RoleAdmin, RoleViewer))
	api.GET("/reports/summary", r.getSummary, r.need(RoleAdmin, RoleViewer))
	api.GET("/reports/ikm", r.getIKM, r.need(RoleAdmin, RoleViewer))
	api.GET("/users", r.listUsers, r.need(RoleAdmin))
	api.POST("/users", r.createUser, r.need(RoleAdmin))
	api.DELETE("/users/:username", r.deleteUser, r.need(RoleAdmin))
	api.GET("/openapi.json", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/json", openapiJSON) })
	api.Any("/*", func(echo.Context) error { return queue.NotFound() })
	return e
}

// Serve listens on the configured address and serves in the background.
func (r *Region) Serve() error {
	ln, err := net.Listen("tcp", r.cfg.Addr)
	if err != nil {
		return err
	}
	r.srv = &http.Server{
		Handler:           r.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(r.log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if r.cfg.TLSCert != "" {
		scheme = "https"
		r.srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	r.url = scheme + "://" + net.JoinHostPort(host, port)
	r.errc = make(chan error, 1)
	go func() {
		var err error
		if r.cfg.TLSCert != "" {
			err = r.srv.ServeTLS(ln, r.cfg.TLSCert, r.cfg.TLSKey)
		} else {
			err = r.srv.Serve(ln)
		}
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		r.errc <- err
	}()
	return nil
}

// URL is where the server serves, once Serve ran.
func (r *Region) URL() string { return r.url }

// Done reports a serving error.
func (r *Region) Done() <-chan error { return r.errc }

// Run serves until ctx ends, then shuts down.
func (r *Region) Run(ctx context.Context) error {
	if err := r.Serve(); err != nil {
		return err
	}
	r.log.Info("antrean region serving", "url", r.url, "nats", r.cfg.Conn.Redacted(), "consumer", r.cfg.Consumer,
		"creds", r.cfg.Conn.Creds != "", "ca", r.cfg.Conn.CA != "", "target_wait", r.cfg.TargetWait, "skm_weight", r.cfg.SKMWeight)
	var err error
	select {
	case <-ctx.Done():
		r.log.Info("shutting down")
	case err = <-r.errc:
	case <-r.failed:
		err = fmt.Errorf("region: a commit failed: %w (restart: it loads what the disk holds)", r.failErr)
	}
	r.Close()
	return err
}

func (r *Region) readyz(c echo.Context) error {
	r.mu.Lock()
	lastErr, n := r.lastErr, len(r.consumers)
	r.mu.Unlock()
	if reason := r.connErr.Reason(r.nc); reason != "" {
		// While it is down, why the connection fails is the news.
		lastErr = "connecting to NATS: " + reason
	}
	body := map[string]any{"status": "ready", "nats_connected": r.nc.IsConnected(), "sites": n, "last_error": lastErr}
	select {
	case <-r.failed:
		body["status"] = "a commit failed; restarting"
		return c.JSON(http.StatusServiceUnavailable, body)
	default:
	}
	// The board answers only while the writer does.
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	done := make(chan bool, 1)
	go func() { done <- r.do(func() {}) }()
	select {
	case ok := <-done:
		if !ok {
			body["status"] = "stopped"
			return c.JSON(http.StatusServiceUnavailable, body)
		}
	case <-ctx.Done():
		body["status"] = "writer not answering"
		return c.JSON(http.StatusServiceUnavailable, body)
	}
	return c.JSON(http.StatusOK, body)
}

// authenticate finds the caller of a request: a bearer token, or the
// session cookie.
func (r *Region) authenticate(c echo.Context) *caller {
	if v, ok := c.Get("caller").(*caller); ok {
		return v
	}
	cl := &caller{}
	req := c.Request()
	if h := req.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		cl.token = strings.TrimPrefix(h, "Bearer ")
	} else if ck, err := req.Cookie(SessionCookie); err == nil {
		cl.token, cl.cookie = ck.Value, true
	}
	cl.sess, cl.user = r.users.session(cl.token)
	c.Set("caller", cl)
	return cl
}

var (
	errUnauth = queue.Errorf(queue.EUnauthenticated, "Sign in first.", "Silakan masuk terlebih dahulu.")
	errForbid = queue.Errorf(queue.EForbidden, "You may not do this.", "Anda tidak berwenang melakukan ini.")
	errCSRF   = &queue.Error{Code: "csrf_failed", EN: "The X-CSRF-Token header is missing or wrong.", ID: "Header X-CSRF-Token tidak ada atau salah."}
)

// need admits callers of the roles; an unsafe request with the cookie
// needs the session's CSRF token.
func (r *Region) need(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			cl := r.authenticate(c)
			if cl.user == nil {
				return errUnauth
			}
			if !containsRole(roles, cl.user.Role) {
				return errForbid
			}
			if cl.cookie && c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead &&
				!sameString(c.Request().Header.Get("X-CSRF-Token"), cl.sess.CSRF) {
				return errCSRF
			}
			return next(c)
		}
	}
}

func containsRole(roles []string, role string) bool {
	for _, x := range roles {
		if x == role {
			return true
		}
	}
	return false
}

var statusOf = map[string]int{
	queue.EInvalid:            http.StatusBadRequest,
	queue.EUnauthenticated:    http.StatusUnauthorized,
	queue.EInvalidCredentials: http.StatusUnauthorized,
	queue.EForbidden:          http.StatusForbidden,
	"csrf_failed":             http.StatusForbidden,
	queue.ENotFound:           http.StatusNotFound,
	queue.EAlreadyExists:      http.StatusConflict,
	queue.EInUse:              http.StatusConflict,
	queue.ERateLimited:        http.StatusTooManyRequests,
}

func (r *Region) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var body struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  map[string]string `json:"fields,omitempty"`
		} `json:"error"`
	}
	status := http.StatusInternalServerError
	en, id := "Something went wrong on the server.", "Terjadi kesalahan pada server."
	body.Error.Code = queue.EInternal
	var qe *queue.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &qe):
		if s, ok := statusOf[qe.Code]; ok {
			status = s
		}
		body.Error.Code, en, id, body.Error.Fields = qe.Code, qe.EN, qe.ID, qe.Fields
	case errors.As(err, &he):
		status = he.Code
		switch he.Code {
		case http.StatusNotFound:
			body.Error.Code, en, id = queue.ENotFound, "Not found.", "Tidak ditemukan."
		case http.StatusMethodNotAllowed:
			body.Error.Code, en, id = "method_not_allowed", "This method is not allowed here.", "Metode ini tidak diizinkan di sini."
		case http.StatusRequestEntityTooLarge:
			body.Error.Code, en, id = "too_large", "The request body is larger than 64 KiB.", "Isi permintaan lebih dari 64 KiB."
		default:
			body.Error.Code, en, id = queue.EInvalid, "The request is not valid.", "Permintaan tidak valid."
			status = http.StatusBadRequest
		}
	default:
		r.log.Error("region: internal error", "path", c.Request().URL.Path, "err", err)
	}
	body.Error.Message = id
	if english(c.Request()) {
		body.Error.Message = en
	}
	if status == http.StatusTooManyRequests {
		c.Response().Header().Set("Retry-After", "60")
	}
	_ = c.JSON(status, body)
}

// english reads ?lang=en, then Accept-Language (en before id).
func english(r *http.Request) bool {
	switch r.URL.Query().Get("lang") {
	case "en":
		return true
	case "id":
		return false
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "id" || strings.HasPrefix(tag, "id-"):
			return false
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return true
		}
	}
	return false
}
