package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

// The audit log of API.md: every change a member of staff makes goes to
// the engine with an entry naming who (the user), from where (the client
// address), what (the action, from the route) and on what (the command's
// target), and the engine writes it in the same commit as the change.
// Sign-ins, failed sign-ins, backups and views of personal data are
// recorded on their own.

// auditActionKey holds an action that overrides the one of the route.
const auditActionKey = "audit.action"

// setAuditAction names the action of this request in the audit log, for
// routes whose method and path do not say it (a password change).
func setAuditAction(c echo.Context, action string) { c.Set(auditActionKey, action) }

// SetAuditAction is setAuditAction for feature packages.
func SetAuditAction(c echo.Context, action string) { setAuditAction(c, action) }

// auditOf is the audit entry of a request by a member of staff that may
// change something, or nil: devices and visitors are not audited.
func (s *Server) auditOf(c echo.Context) *queue.AuditEntry {
	caller := callerOf(c)
	if caller.User == nil {
		return nil
	}
	r := c.Request()
	action, _ := c.Get(auditActionKey).(string)
	if action == "" {
		action = routeAction(r.Method, c.Path())
	}
	if action == "" {
		return nil
	}
	return &queue.AuditEntry{Actor: userActor(caller.User), Address: c.RealIP(), Action: action}
}

func userActor(u *queue.User) queue.AuditActor {
	return queue.AuditActor{Kind: "user", ID: u.ID, Name: u.Username}
}

// routeAction names what a request does from its route: POST to a list
// creates ("device.created"), PUT updates, DELETE deletes, POST to an
// object's verb does it ("counter.next"). GET is not an action, except
// where a handler says so (setAuditAction).
func routeAction(method, route string) string {
	parts := strings.Split(strings.TrimPrefix(route, "/api/v1/"), "/")
	if parts[0] == "" {
		return ""
	}
	kind := singular(parts[0])
	switch {
	case len(parts) >= 3 && method == http.MethodPost:
		return kind + "." + parts[len(parts)-1]
	case method == http.MethodPost:
		return kind + ".created"
	case method == http.MethodPut:
		return kind + ".updated"
	case method == http.MethodDelete:
		return kind + ".deleted"
	}
	return ""
}

func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies"):
		return strings.TrimSuffix(s, "ies") + "y"
	case strings.HasSuffix(s, "s"):
		return strings.TrimSuffix(s, "s")
	}
	return s
}

// recordAudit writes an entry that goes with no change (nil: nothing).
func (s *Server) recordAudit(c echo.Context, e *queue.AuditEntry) error {
	if e == nil {
		return nil
	}
	_, err := s.engine.Apply(c.Request().Context(), time.Time{}, queue.RecordAudit{Entry: e})
	return err
}

// RecordAudit writes an audit entry for a request by a member of staff
// that changes nothing but must be logged (a view of personal data), with
// action and target; other callers leave none.
func (s *Server) RecordAudit(c echo.Context, action, targetKind, targetID string) error {
	setAuditAction(c, action)
	e := s.auditOf(c)
	if e == nil {
		return nil
	}
	e.Target = queue.AuditTarget{Kind: targetKind, ID: targetID}
	return s.recordAudit(c, e)
}

// loginFailedEntry is the entry of a failed sign-in: the user when the
// name is one, else the name as typed (bounded, printable only).
func loginFailedEntry(c echo.Context, typed string, u *queue.User) *queue.AuditEntry {
	actor := queue.AuditActor{Kind: "user", Name: printable(typed, 64)}
	if u != nil {
		actor = userActor(u)
	}
	return &queue.AuditEntry{Actor: actor, Address: c.RealIP(), Action: "login.failed"}
}

func printable(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= max {
			break
		}
		if unicode.IsPrint(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

type auditAnswer struct {
	Entries   []*queue.AuditEntry `json:"entries"`
	NextAfter string              `json:"next_after"`
}

// listAudit answers GET /api/v1/audit: newest first; from and to are
// dates in the site's zone (inclusive); after is the id of the last entry
// of the page before.
func (s *Server) listAudit(c echo.Context) error {
	st := s.engine.State()
	f := queue.AuditFilter{ActorID: c.QueryParam("actor_id"), Action: c.QueryParam("action")}
	bad := map[string]string{}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		v := c.QueryParam(name)
		if v == "" {
			continue
		}
		d, err := time.ParseInLocation(queue.DateLayout, v, st.Loc)
		if err != nil {
			bad[name] = "a date as YYYY-MM-DD"
			continue
		}
		*dst = d
	}
	if !f.To.IsZero() {
		f.To = f.To.AddDate(0, 0, 1) // to is inclusive
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad["to"] = "on or after from"
	}
	if v := c.QueryParam("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			bad["after"] = "the id of an entry"
		}
		f.Before = n
	}
	limit, err := queryInt(c, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return queue.Invalid(bad)
	}
	f.Limit = limit
	entries, err := s.engine.Store().Audit(f)
	if err != nil {
		return err
	}
	a := auditAnswer{Entries: entries}
	if a.Entries == nil {
		a.Entries = []*queue.AuditEntry{}
	}
	if len(entries) == limit {
		a.NextAfter = entries[len(entries)-1].ID
	}
	return c.JSON(http.StatusOK, a)
}
