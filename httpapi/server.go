// Package httpapi serves Antrean's JSON API (API.md) over echo: the error
// convention, authentication and roles, idempotent requests, and the
// handlers of setup, tickets, counter actions, live state and operations.
// Screens and websockets live in their own packages and mount on the same
// echo instance.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/crypto/bcrypt"

	"github.com/mpp-digital/antrean/queue"
)

// Config holds what the API needs beyond the engine.
type Config struct {
	// SessionTTL is how long a login lasts (default 12h).
	SessionTTL time.Duration
	// BcryptCost for new passwords (default bcrypt.DefaultCost).
	BcryptCost int
	// TrustedProxies are the networks whose X-Forwarded-For and
	// X-Forwarded-Proto are believed (forwarded.go).
	TrustedProxies []*net.IPNet
	Logger         *slog.Logger
	// Version is reported by /healthz.
	Version string
	// IssueBurst and IssueEvery limit how fast one kiosk device or greeter
	// issues tickets: a burst, then one per interval (0: 10 and 2 s;
	// a negative burst turns the limit off).
	IssueBurst int
	IssueEvery time.Duration
	// Printer prints a kiosk's tickets on its network printer (none: no
	// server-side printing).
	Printer TicketPrinter
	// OnReplay, when set, is called for each idempotent request answered
	// with the answer kept from its first time (Idempotent-Replayed).
	OnReplay func()
	// OnError, when set, is called with the status and code of each
	// error answer. Both hooks feed the metrics: quick, never blocking.
	OnError func(status int, code string)
}

// Server is the API mounted on an echo instance.
type Server struct {
	Echo   *echo.Echo
	engine *queue.Engine
	cfg    Config
	log    *slog.Logger
	trust  proxyTrust
	logins *loginLimiter
	// issueLimit is nil when issuing is not rate limited.
	issueLimit *issueLimiter
	// details are what /readyz reports beside its status, by name: the
	// state of links the mall does not need to serve (AddReadyDetail).
	details []readyDetail
}

type readyDetail struct {
	name string
	fn   func() any
}

// AddReadyDetail makes /readyz report fn's answer under name in its
// "details". A detail never makes the server unready: it is for links
// the mall serves without (the region's NATS), which a monitor watches
// apart. Call it before serving.
func (s *Server) AddReadyDetail(name string, fn func() any) {
	s.details = append(s.details, readyDetail{name, fn})
}

// New builds the echo instance with the API's routes.
func New(engine *queue.Engine, cfg Config) *Server {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	trust := newProxyTrust(cfg.TrustedProxies)
	// c.RealIP() and c.Scheme() believe forwarded headers only from
	// trusted proxies (forwarded.go), wherever they are asked.
	e.IPExtractor = func(r *http.Request) string { return addrString(trust.clientAddr(r), r) }
	e.SchemeExtractor = trust.scheme
	s := &Server{Echo: e, engine: engine, cfg: cfg, log: cfg.Logger, trust: trust, logins: newLoginLimiter()}
	s.issueLimit = newIssueLimiter(cfg.IssueBurst, cfg.IssueEvery)
	e.HTTPErrorHandler = s.handleError
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
		s.log.Error("panic in handler", "path", c.Path(), "err", err, "stack", string(stack))
		return err
	}}))
	e.Use(s.securityHeaders)
	e.Use(s.serverDate)
	e.Use(bodyLimit(64 << 10))
	e.Use(s.authenticate)
	s.routes()
	return s
}

// serverDate sets the Date header from the engine's clock. The screens
// set their clocks from it (the lobby display decides by it whether a
// call is fresh enough to announce; the console counts waiting minutes),
// and the browser dates the session cookie's expiry by it: all of them
// compare it with times the engine stamped. In a real server the engine's
// clock is the wall clock and nothing changes; a server on a test clock
// then tells its browsers the same time its tickets and events carry.
func (s *Server) serverDate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header()["Date"] = []string{s.engine.Now().UTC().Format(http.TimeFormat)}
		return next(c)
	}
}

// securityHeaders sets API.md's headers on every answer, and HSTS on
// those that went over HTTPS (served directly, or by a trusted proxy
// that says so): a browser that has seen it uses HTTPS only, so the
// session cookie and ticket keys never travel in clear.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Direct assignments of shared, canonical values: this runs on
		// every request. Nobody appends to these slices (Header.Add makes
		// a new one: they are full).
		h := c.Response().Header()
		h["X-Content-Type-Options"] = hdrNosniff
		h["Referrer-Policy"] = hdrNoReferrer
		if strings.HasPrefix(c.Request().URL.Path, "/api/") {
			// JSON, images and the websocket: nothing to run or frame.
			h["Content-Security-Policy"] = hdrAPICSP
			h["Cache-Control"] = hdrNoStore
		} else {
			h["Content-Security-Policy"] = hdrPageCSP
		}
		if s.trust.scheme(c.Request()) == "https" {
			h["Strict-Transport-Security"] = hdrHSTS
		}
		return next(c)
	}
}

var (
	hdrNosniff    = []string{"nosniff"}
	hdrNoReferrer = []string{"no-referrer"}
	hdrNoStore    = []string{"no-store"}
	// One year, this host only: the mall's other hosts may be plain HTTP.
	hdrHSTS    = []string{"max-age=31536000"}
	hdrAPICSP  = []string{"default-src 'none'; frame-ancestors 'none'"}
	hdrPageCSP = []string{"default-src 'self'; img-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"}
)

func (s *Server) routes() {
	e := s.Echo
	e.GET("/", s.start)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	// No group middleware: echo would add catch-all routes for it and
	// answer 404 where API.md wants 405 for a known path.
	api := e.Group("/api/v1")
	api.POST("/login", s.login)
	api.POST("/logout", s.logout, s.need(staff...))
	api.GET("/me", s.me, s.need(staff...))

	api.GET("/site", s.getSite)
	api.PUT("/site", s.putSite, s.need(admin))

	api.GET("/agencies", s.listAgencies)
	api.POST("/agencies", s.createAgency, s.need(admin))
	api.GET("/agencies/:id", s.getAgency)
	api.PUT("/agencies/:id", s.updateAgency, s.need(admin))
	api.DELETE("/agencies/:id", s.deleteAgency, s.need(admin))

	api.GET("/services", s.listServices)
	api.POST("/services", s.createService, s.need(admin, supervisor))
	api.GET("/services/:id", s.getService)
	api.PUT("/services/:id", s.updateService, s.need(admin, supervisor))
	api.DELETE("/services/:id", s.deleteService, s.need(admin, supervisor))

	api.GET("/counters", s.listCounters)
	api.POST("/counters", s.createCounter, s.need(admin, supervisor))
	api.GET("/counters/:id", s.getCounter)
	api.PUT("/counters/:id", s.updateCounter, s.need(admin, supervisor))
	api.DELETE("/counters/:id", s.deleteCounter, s.need(admin, supervisor))
	for _, act := range queue.CounterActions {
		api.POST("/counters/:id/"+act, s.counterAction(act), s.need(admin, supervisor, officer))
	}

	api.GET("/users", s.listUsers, s.need(admin, supervisor))
	api.POST("/users", s.createUser, s.need(admin, supervisor))
	api.GET("/users/:id", s.getUser, s.need(admin, supervisor))
	api.PUT("/users/:id", s.updateUser, s.need(admin, supervisor))
	api.DELETE("/users/:id", s.deleteUser, s.need(admin, supervisor))

	api.GET("/devices", s.listDevices, s.need(admin))
	api.POST("/devices", s.createDevice, s.need(admin))
	api.GET("/devices/:id", s.getDevice, s.need(admin))
	api.PUT("/devices/:id", s.updateDevice, s.need(admin))
	api.DELETE("/devices/:id", s.deleteDevice, s.need(admin))

	api.POST("/tickets", s.issueTicket, s.need(admin, supervisor, officer, greeter, kiosk))
	api.GET("/tickets", s.listTickets, s.need(admin, supervisor, officer))
	api.GET("/tickets/:id", s.getTicket)
	api.GET("/tickets/:id/qr.png", s.ticketQR)
	api.DELETE("/tickets/:id", s.cancelTicket)
	api.GET("/kiosk", s.kioskSelf, s.need(admin, supervisor, officer, greeter, kiosk))

	api.GET("/state", s.getState)
	api.GET("/events", s.listEvents, s.need(admin))
	api.GET("/backup", s.backup, s.need(admin))
	api.GET("/audit", s.listAudit, s.need(admin))
	api.GET("/openapi.json", s.getOpenAPI)
}

// Start serves on a listener until ctx ends, then shuts down gracefully.
func (s *Server) Handler() http.Handler { return s.Echo }

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
}

func (s *Server) readyz(c echo.Context) error {
	answer := func(status int, text string) error {
		body := map[string]any{"status": text}
		if len(s.details) > 0 {
			d := map[string]any{}
			for _, x := range s.details {
				d[x.name] = x.fn()
			}
			body["details"] = d
		}
		return c.JSON(status, body)
	}
	if err := s.engine.Err(); err != nil {
		// Fail-stop: the process restarts to load what the disk holds.
		return answer(http.StatusServiceUnavailable, "a commit failed; restarting")
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if _, err := s.engine.Apply(ctx, time.Time{}, queue.Ping{}); err != nil {
		return answer(http.StatusServiceUnavailable, "engine not answering")
	}
	if _, err := s.engine.Store().FirstSeq(); err != nil {
		return answer(http.StatusServiceUnavailable, "store not answering")
	}
	return answer(http.StatusOK, "ready")
}

// errNoBody and friends are the transport-level errors of API.md.
var (
	errTooLarge    = &apiError{http.StatusRequestEntityTooLarge, "too_large", "The request body is larger than 64 KiB.", "Isi permintaan lebih dari 64 KiB."}
	errNotJSON     = &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the body as application/json.", "Kirim isi permintaan sebagai application/json."}
	errCSRF        = &apiError{http.StatusForbidden, "csrf_failed", "The X-CSRF-Token header is missing or wrong.", "Header X-CSRF-Token tidak ada atau salah."}
	errUnauth      = &apiError{http.StatusUnauthorized, queue.EUnauthenticated, "Sign in first.", "Silakan masuk terlebih dahulu."}
	errForbidden   = &apiError{http.StatusForbidden, queue.EForbidden, "You may not do this.", "Anda tidak berwenang melakukan ini."}
	errNotFoundAPI = &apiError{http.StatusNotFound, queue.ENotFound, "Not found.", "Tidak ditemukan."}
	errMethod      = &apiError{http.StatusMethodNotAllowed, "method_not_allowed", "This method is not allowed here.", "Metode ini tidak diizinkan di sini."}
	errInternal    = &apiError{http.StatusInternalServerError, queue.EInternal, "Something went wrong on the server.", "Terjadi kesalahan pada server."}
)

// apiError is an error answered as it stands.
type apiError struct {
	status int
	code   string
	en, id string
}

func (e *apiError) Error() string { return e.code }

// statusOf is the one table from domain error codes to HTTP status.
var statusOf = map[string]int{
	queue.EInvalid:             http.StatusBadRequest,
	queue.EUnauthenticated:     http.StatusUnauthorized,
	queue.EInvalidCredentials:  http.StatusUnauthorized,
	queue.EForbidden:           http.StatusForbidden,
	queue.ENotFound:            http.StatusNotFound,
	queue.EInvalidTransition:   http.StatusConflict,
	queue.EAlreadyExists:       http.StatusConflict,
	queue.EServiceClosed:       http.StatusConflict,
	queue.EQuotaExhausted:      http.StatusConflict,
	queue.ECounterBusy:         http.StatusConflict,
	queue.ECounterClosed:       http.StatusConflict,
	queue.EInUse:               http.StatusConflict,
	queue.ELimitReached:        http.StatusConflict,
	queue.EIdempotencyMismatch: http.StatusUnprocessableEntity,
	queue.ESlotFull:            http.StatusConflict,
	queue.EAlreadyBooked:       http.StatusConflict,
	queue.EAlreadyRescheduled:  http.StatusConflict,
	queue.ETooEarly:            http.StatusConflict,
	queue.EExpired:             http.StatusConflict,
	queue.EAlreadyCheckedIn:    http.StatusConflict,
	queue.EBookingCancelled:    http.StatusConflict,
	queue.ERateLimited:         http.StatusTooManyRequests,
	queue.EUnavailable:         http.StatusServiceUnavailable,
	queue.EAlreadyRated:        http.StatusConflict,
	queue.ESurveyClosed:        http.StatusConflict,
}

type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields,omitempty"`
	} `json:"error"`
}

// handleError answers every error as API.md's JSON error.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var (
		body   errorBody
		status int
		en, id string
	)
	var qe *queue.Error
	var ae *apiError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &qe):
		status = statusOf[qe.Code]
		if status == 0 {
			status = http.StatusInternalServerError
		}
		body.Error.Code, en, id, body.Error.Fields = qe.Code, qe.EN, qe.ID, qe.Fields
	case errors.As(err, &ae):
		status, body.Error.Code, en, id = ae.status, ae.code, ae.en, ae.id
	case errors.As(err, &he):
		switch he.Code {
		case http.StatusNotFound:
			ae = errNotFoundAPI
		case http.StatusMethodNotAllowed:
			ae = errMethod
			// echo lets a route's last :param take the rest of the path,
			// slashes included (POST /agencies/x/y "matches" /agencies/:id);
			// a path with more segments than the route names none: 404.
			if route := c.Path(); !strings.HasSuffix(route, "*") && strings.Count(echo.GetPath(c.Request()), "/") != strings.Count(route, "/") {
				ae = errNotFoundAPI
				c.Response().Header().Del(echo.HeaderAllow)
			}
		case http.StatusRequestEntityTooLarge:
			ae = errTooLarge
		case http.StatusUnsupportedMediaType:
			ae = errNotJSON
		case http.StatusUnauthorized:
			ae = errUnauth
		case http.StatusForbidden:
			ae = errForbidden
		case http.StatusBadRequest:
			ae = &apiError{http.StatusBadRequest, queue.EInvalid, "The request is not valid.", "Permintaan tidak valid."}
		default:
			s.log.Error("unexpected HTTP error", "path", c.Request().URL.Path, "err", err)
			ae = errInternal
		}
		status, body.Error.Code, en, id = ae.status, ae.code, ae.en, ae.id
	case errors.Is(err, context.Canceled):
		return
	default:
		s.log.Error("internal error", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
		status, body.Error.Code, en, id = errInternal.status, errInternal.code, errInternal.en, errInternal.id
	}
	if s.cfg.OnError != nil {
		s.cfg.OnError(status, body.Error.Code)
	}
	if status == http.StatusUnauthorized {
		if _, err := c.Request().Cookie(SessionHintCookie); err == nil {
			clearSessionHint(c)
		}
	}
	body.Error.Message = id
	if prefersEnglish(c.Request()) {
		body.Error.Message = en
	}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		if c.Response().Header().Get("Retry-After") == "" {
			after := "60"
			if status == http.StatusServiceUnavailable {
				after = "2" // a restart takes about that long
			}
			c.Response().Header().Set("Retry-After", after)
		}
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	_ = c.JSON(status, body)
}

// prefersEnglish reads Accept-Language: English when an "en" tag comes
// before any "id" tag; Indonesian otherwise.
func prefersEnglish(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case tag == "id" || strings.HasPrefix(tag, "id-") || tag == "in":
			return false
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return true
		}
	}
	return false
}
