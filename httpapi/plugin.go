package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

// What a feature package (reports, booking, webhooks, ...) needs to add
// routes to the API with its conventions: callers and roles, strict JSON
// bodies, idempotent commands, API.md's errors. Each feature keeps its
// handlers in its own package and mounts them with Route.

// Caller kinds, for Route: the staff roles and the device kinds.
const (
	Admin      = admin
	Supervisor = supervisor
	Officer    = officer
	Greeter    = greeter
	Kiosk      = kiosk
	Display    = display
)

// Staff is every staff role.
var Staff = staff

// Route adds the API route /api/v1+path for callers of the given kinds
// (none: everyone, anonymous included); other callers get 401 or 403.
func (s *Server) Route(method, path string, h echo.HandlerFunc, kinds ...string) {
	var mw []echo.MiddlewareFunc
	if len(kinds) > 0 {
		mw = append(mw, s.need(kinds...))
	}
	s.Echo.Add(method, "/api/v1"+path, h, mw...)
}

// ClientKey is what per-address limits count the request's client by:
// AddrKey of its address, X-Forwarded-For believed only from trusted
// proxies.
func (s *Server) ClientKey(r *http.Request) string { return AddrKey(s.trust.clientAddr(r)) }

// Engine returns the engine the API serves.
func (s *Server) Engine() *queue.Engine { return s.engine }

// CallerOf returns who made the request (never nil; Kind "" when
// anonymous).
func CallerOf(c echo.Context) *Caller { return callerOf(c) }

// MayManageAgency reports whether the caller may manage, and read the
// reports of, an agency: admins any, supervisors their own.
func MayManageAgency(c *Caller, agencyID string) bool { return mayManageAgency(c, agencyID) }

// Decode reads a JSON body strictly into v (API.md: a JSON content type,
// no unknown fields, nothing after the value).
func Decode(c echo.Context, v any) error { return decode(c, v) }

// DecodeOptional is Decode for a body that may be empty.
func DecodeOptional(c echo.Context, v any) error { return decodeOptional(c, v) }

// Do runs a command through the engine and answers it; with an
// Idempotency-Key header the answer is kept and a repeat gets it again.
// render turns the command's value into the status and the JSON body.
func (s *Server) Do(c echo.Context, cmd queue.Command, render func(st *queue.State, v any) (int, any)) error {
	return s.do(c, cmd, render)
}

// Issue runs a command whose value is a *queue.Issued — IssueTicket, or a
// booking's check-in — and answers it as POST /api/v1/tickets does: 201
// with the IssueAnswer, kept for a repeat with the same Idempotency-Key,
// and printed on a kiosk's network printer after the commit.
func (s *Server) Issue(c echo.Context, cmd queue.Command) error { return s.issue(c, cmd) }

// BaseURL is the site's base_url, or the scheme and host of the request:
// where visitors' links point.
func (s *Server) BaseURL(c echo.Context) string { return s.baseURL(c) }

// Replays reports whether a request with this Idempotency-Key from this
// caller on this path was answered already: its repeat changes nothing
// (rate limits let it through).
func (s *Server) Replays(c echo.Context, key string) bool {
	return s.engine.State().Idem(s.idemKey(c, key), s.engine.Now()) != nil
}

// QueryInt reads an optional integer query parameter within [lo, hi].
func QueryInt(c echo.Context, name string, def, lo, hi int) (int, error) {
	return queryInt(c, name, def, lo, hi)
}

// Forbidden is the 403 error of a caller who may not do this.
func Forbidden() error { return errForbidden }

// PrefersEnglish reports whether the request's Accept-Language puts
// English before Indonesian.
func PrefersEnglish(r *http.Request) bool { return prefersEnglish(r) }
