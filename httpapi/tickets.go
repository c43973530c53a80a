package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/mpp-digital/antrean/internal/jsonenc"
	"github.com/mpp-digital/antrean/internal/ticketurl"
	"github.com/mpp-digital/antrean/queue"
)

type issueBody struct {
	ServiceID string `json:"service_id"`
	Priority  bool   `json:"priority"`
}

// IssueAnswer is the answer to POST /api/v1/tickets and to a booking's
// check-in.
type IssueAnswer struct {
	Ticket    *queue.Ticket `json:"ticket"`
	Position  int           `json:"position"`
	EtaMin    *int          `json:"eta_min"`
	StatusURL string        `json:"status_url"`
	QRURL     string        `json:"qr_url"`
	Printed   bool          `json:"printed"`
}

func (s *Server) issueTicket(c echo.Context) error {
	caller := callerOf(c)
	var b issueBody
	if err := decode(c, &b); err != nil {
		return err
	}
	if b.ServiceID == "" {
		return queue.Invalid(map[string]string{"service_id": "required"})
	}
	svc := s.engine.State().Service(b.ServiceID)
	if svc == nil {
		return errNotFoundAPI
	}
	channel := queue.ChannelStaff
	switch caller.Kind() {
	case kiosk:
		channel = queue.ChannelKiosk
	case officer, supervisor:
		if !mayWorkAgency(caller, svc.AgencyID) {
			return errForbidden
		}
	case greeter:
		// A greeter of an agency issues for its services only; one of the
		// mall's information desk (no agency) for every agency.
		if a := caller.Agency(); a != "" && a != svc.AgencyID {
			return errForbidden
		}
	}
	if err := s.limitIssue(c); err != nil {
		return err
	}
	return s.issue(c, queue.IssueTicket{ServiceID: b.ServiceID, Priority: b.Priority, Channel: channel, Key: queue.RandomString(16)})
}

// issue runs a command whose value is a *queue.Issued and answers it as
// POST /api/v1/tickets does.
func (s *Server) issue(c echo.Context, cmd queue.Command) error {
	caller := callerOf(c)
	base := s.baseURL(c)
	var printTicket func() bool
	rep, err := s.run(c, cmd, func(st *queue.State, v any) (int, any) {
		is := v.(*queue.Issued)
		a := IssueAnswerOf(is, base)
		if s.cfg.Printer != nil {
			printTicket = s.cfg.Printer.Prepare(caller.Device, st, is.Ticket, a.StatusURL)
		}
		return http.StatusCreated, a
	})
	if err != nil {
		return err
	}
	// Printing comes after the commit, never inside the engine.
	s.afterIssue(&rep, printTicket)
	return reply(c, rep)
}

// AppendJSON appends json.Marshal(a) without reflection (run uses it):
// the answer to every issue. On an error the bytes are not to be used.
func (a *IssueAnswer) AppendJSON(b []byte) ([]byte, error) {
	if a == nil {
		return append(b, "null"...), nil
	}
	b = append(b, `{"ticket":`...)
	b, err := a.Ticket.AppendJSON(b)
	b = append(b, `,"position":`...)
	b = jsonenc.Int(b, a.Position)
	b = append(b, `,"eta_min":`...)
	b = jsonenc.IntPtr(b, a.EtaMin)
	b = append(b, `,"status_url":`...)
	b = jsonenc.String(b, a.StatusURL)
	b = append(b, `,"qr_url":`...)
	b = jsonenc.String(b, a.QRURL)
	b = append(b, `,"printed":`...)
	b = jsonenc.Bool(b, a.Printed)
	return append(b, '}'), err
}

// IssueAnswerOf renders an issued ticket with its visitor URLs.
func IssueAnswerOf(is *queue.Issued, base string) *IssueAnswer {
	t := is.Ticket
	return &IssueAnswer{
		Ticket:    t,
		Position:  is.Position,
		EtaMin:    is.EtaMin,
		StatusURL: ticketurl.Status(base, t),
		QRURL:     ticketurl.QR(base, t),
	}
}

// baseURL is the site's base_url, or the scheme and host of the request.
func (s *Server) baseURL(c echo.Context) string {
	return ticketurl.Base(s.engine.State().Site.BaseURL, c.Scheme(), c.Request().Host)
}

// visitorTicket finds a ticket by ID and key; a wrong key is a missing
// ticket.
func (s *Server) visitorTicket(c echo.Context) (*queue.Ticket, *queue.State, error) {
	t, st, err := s.engine.Visitor(c.Param("id"), c.QueryParam("k"))
	if err != nil {
		return nil, nil, err
	}
	if t == nil {
		return nil, nil, errNotFoundAPI
	}
	return t, st, nil
}

func (s *Server) getTicket(c echo.Context) error {
	t, st, err := s.visitorTicket(c)
	if err != nil {
		return err
	}
	p := st.VisitorView(t)
	// The answer always names its requirements, even when none (the
	// view's field is omitted from events when empty).
	return c.JSON(http.StatusOK, struct {
		*queue.PublicTicket
		Requirements []string `json:"requirements"`
	}{p, p.Requirements})
}

func (s *Server) ticketQR(c echo.Context) error {
	t, _, err := s.visitorTicket(c)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(ticketurl.Status(s.baseURL(c), t), qrcode.Medium, 320)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "private, max-age=86400")
	return c.Blob(http.StatusOK, "image/png", png)
}

func (s *Server) cancelTicket(c echo.Context) error {
	t, _, err := s.visitorTicket(c)
	if err != nil {
		return err
	}
	setAuditAction(c, "ticket.cancelled")
	if _, err := s.apply(c, queue.CancelTicket{TicketID: t.ID}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listTickets(c echo.Context) error {
	caller := callerOf(c)
	st := s.engine.State()
	f := queue.TicketFilter{Day: c.QueryParam("day"), Status: queue.Status(c.QueryParam("status")), After: c.QueryParam("after")}
	if f.Day == "" {
		f.Day = st.Day
	} else if _, err := time.Parse(queue.DateLayout, f.Day); err != nil {
		return queue.Invalid(map[string]string{"day": "a date as YYYY-MM-DD"})
	}
	switch f.Status {
	case "", queue.Waiting, queue.Called, queue.Serving, queue.Done, queue.NoShow, queue.Cancelled, queue.Expired:
	default:
		return queue.Invalid(map[string]string{"status": "one of waiting, called, serving, done, no_show, cancelled, expired"})
	}
	if f.After != "" {
		// The store pages within one day; an ID of another day is bad input.
		if day, _, ok := queue.ParseTicketID(f.After); !ok || day != f.Day {
			return queue.Invalid(map[string]string{"after": "a ticket id of the listed day"})
		}
	}
	limit, err := queryInt(c, "limit", 1000, 1, 10000)
	if err != nil {
		return err
	}
	f.Limit = limit
	if sid := c.QueryParam("service_id"); sid != "" {
		svc := st.Service(sid)
		if svc == nil {
			return queue.Invalid(map[string]string{"service_id": "no such service"})
		}
		if !mayWorkAgency(caller, svc.AgencyID) {
			return errForbidden
		}
		f.ServiceIDs = []string{sid}
	}
	if caller.Kind() != admin {
		f.AgencyID = caller.Agency()
	}
	list, err := s.engine.Store().Tickets(f)
	if err != nil {
		return err
	}
	next := ""
	if len(list) == limit {
		next = list[len(list)-1].ID
	}
	return c.JSON(http.StatusOK, map[string]any{"tickets": orEmpty(list), "next_after": next})
}

// --- counter actions

type actionBody struct {
	Reason    string `json:"reason,omitempty"`
	TicketID  string `json:"ticket_id,omitempty"`
	ServiceID string `json:"service_id,omitempty"`
}

func (s *Server) counterAction(act string) echo.HandlerFunc {
	return func(c echo.Context) error {
		caller := callerOf(c)
		k := s.engine.State().Counter(c.Param("id"))
		if k == nil {
			return errNotFoundAPI
		}
		if !mayWorkAgency(caller, k.AgencyID) {
			return errForbidden
		}
		var b actionBody
		if err := decodeOptional(c, &b); err != nil {
			return err
		}
		f := map[string]string{}
		switch act {
		case queue.ActCall:
			if b.TicketID == "" {
				f["ticket_id"] = "required"
			}
		case queue.ActTransfer:
			if b.ServiceID == "" {
				f["service_id"] = "required"
			}
		}
		for name, set := range map[string]bool{"reason": b.Reason != "" && act != queue.ActPause, "ticket_id": b.TicketID != "" && act != queue.ActCall, "service_id": b.ServiceID != "" && act != queue.ActTransfer} {
			if set {
				f[name] = "not taken by this action"
			}
		}
		if len(f) > 0 {
			return queue.Invalid(f)
		}
		cmd := queue.CounterAction{CounterID: k.ID, Action: act, UserID: caller.User.ID, TicketID: b.TicketID, ServiceID: b.ServiceID, Reason: b.Reason}
		return s.do(c, cmd, func(st *queue.State, v any) (int, any) {
			r := v.(*queue.CounterResult)
			if act == queue.ActNext && r.Current == nil {
				return http.StatusNoContent, nil
			}
			return http.StatusOK, &queue.CounterView{Counter: r.Counter, Current: r.Current}
		})
	}
}

// --- live state and events

func (s *Server) getState(c echo.Context) error {
	return c.JSON(http.StatusOK, s.engine.State().BoardAt(s.engine.Now()))
}

func (s *Server) listEvents(c echo.Context) error {
	afterStr := c.QueryParam("after")
	var after uint64
	if afterStr != "" {
		if _, err := fmt.Sscan(afterStr, &after); err != nil || fmt.Sprint(after) != afterStr {
			return queue.Invalid(map[string]string{"after": "a sequence number"})
		}
	}
	limit, err := queryInt(c, "limit", 1000, 1, 10000)
	if err != nil {
		return err
	}
	evs, err := s.engine.Store().Events(after, limit)
	if err != nil {
		return err
	}
	next := after
	if len(evs) > 0 {
		next = evs[len(evs)-1].Seq
	}
	return c.JSON(http.StatusOK, map[string]any{"events": orEmpty(evs), "next_after": next})
}

func (s *Server) backup(c echo.Context) error {
	name := "antrean-" + s.engine.Now().In(s.engine.State().Loc).Format("20060102-1504") + ".db"
	h := c.Response().Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	// The backup holds everything, personal data included: logged first.
	setAuditAction(c, "backup")
	if err := s.recordAudit(c, s.auditOf(c)); err != nil {
		return err
	}
	c.Response().WriteHeader(http.StatusOK)
	if _, err := s.engine.Store().Backup(c.Response()); err != nil {
		s.log.Error("backup failed midway", "err", err)
	}
	return nil
}
