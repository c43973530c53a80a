package region

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

// decode reads a strict JSON body into v.
func decode(c echo.Context, v any) error {
	req := c.Request()
	if mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type")); mt != "application/json" {
		return &echo.HTTPError{Code: http.StatusUnsupportedMediaType}
	}
	dec := json.NewDecoder(req.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &echo.HTTPError{Code: http.StatusRequestEntityTooLarge}
		}
		return queue.Invalid(map[string]string{"body": "JSON of the documented fields"})
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return queue.Invalid(map[string]string{"body": "one JSON object, nothing after it"})
	}
	return nil
}

func (r *Region) login(c echo.Context) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	addr, _, err := net.SplitHostPort(c.Request().RemoteAddr)
	if err != nil {
		addr = c.Request().RemoteAddr
	}
	token, s, u, err := r.users.login(strings.TrimSpace(in.Username), in.Password, addr)
	if err != nil {
		return err
	}
	// Max-Age, not Expires: the browser's clock judges an expiry date,
	// and it need not agree with the server's.
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: c.Request().TLS != nil, MaxAge: max(1, int(s.Expires.Sub(r.cfg.Clock())/time.Second))})
	return c.JSON(http.StatusOK, map[string]any{"token": token, "csrf_token": s.CSRF, "user": u})
}

func (r *Region) logout(c echo.Context) error {
	cl := r.authenticate(c)
	if err := r.users.logout(cl.token); err != nil {
		return err
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return c.NoContent(http.StatusNoContent)
}

func (r *Region) me(c echo.Context) error {
	cl := r.authenticate(c)
	out := map[string]any{"username": cl.user.Username, "role": cl.user.Role}
	if cl.cookie {
		out["csrf_token"] = cl.sess.CSRF
	}
	return c.JSON(http.StatusOK, out)
}

func (r *Region) getBoard(c echo.Context) error {
	b, err := r.Board()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// SiteInfo is one site of GET /api/v1/sites.
type SiteInfo struct {
	SiteID      string     `json:"site_id"`
	Name        string     `json:"name"`
	Day         string     `json:"day"`
	AppliedSeq  uint64     `json:"applied_seq"`
	StreamSeq   uint64     `json:"stream_seq"`
	LastEventAt *time.Time `json:"last_event_at"`
	AppliedAt   *time.Time `json:"applied_at"`
	Pending     uint64     `json:"pending"`
	Missing     uint64     `json:"missing"`
	// LagS is how far behind the site's clock the region's last applied
	// event is, while the stream holds more for it (0 when caught up).
	LagS int64 `json:"lag_s"`
}

// Sites lists the sites the region knows, by name.
func (r *Region) Sites() []SiteInfo {
	var out []SiteInfo
	now := r.cfg.Clock()
	r.do(func() {
		for _, s := range r.sites {
			i := SiteInfo{SiteID: s.ID, Name: s.Name, Day: s.Day, AppliedSeq: s.Applied, StreamSeq: s.StreamSeq, Pending: s.Pending, Missing: s.Missing}
			if !s.LastAt.IsZero() {
				t, a := s.LastAt, s.AppliedAt
				i.LastEventAt, i.AppliedAt = &t, &a
				if s.Pending > 0 {
					i.LagS = max(0, int64(now.Sub(s.LastAt)/time.Second))
				}
			}
			out = append(out, i)
		}
	})
	slices.SortFunc(out, func(a, b SiteInfo) int { return strings.Compare(a.SiteID, b.SiteID) })
	return out
}

func (r *Region) getSites(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"sites": r.Sites()})
}

func (r *Region) getSummary(c echo.Context) error {
	q, err := ParseSummary(c.QueryParams())
	if err != nil {
		return err
	}
	q.english = english(c.Request())
	rows, err := r.Summary(q)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []Row{}
	}
	if !q.CSV {
		return c.JSON(http.StatusOK, map[string][]Row{"rows": rows})
	}
	name := "ringkasan-region-" + q.GroupBy + "-" + q.From + "-" + q.To + ".csv"
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", SummaryCSV(rows))
}

func (r *Region) getIKM(c echo.Context) error {
	v := c.QueryParams()
	// The same dates as the summary: required, at most 366 days.
	probe := cloneValues(v)
	probe.Set("group_by", ByDay)
	probe.Del("format")
	probe.Del("service_id")
	sq, err := ParseSummary(probe)
	if err != nil {
		return err
	}
	if v.Get("service_id") != "" && sq.SiteID == "" {
		return queue.Invalid(map[string]string{"service_id": "services are a site's: give site_id too"})
	}
	format := v.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return queue.Invalid(map[string]string{"format": "json or csv"})
	}
	rep, err := r.IKM(sq.From, sq.To, sq.SiteID, sq.AgencyID, v.Get("service_id"))
	if err != nil {
		return err
	}
	if format == "csv" {
		b, err := rep.CSV()
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="ikm-region-`+sq.From+`-`+sq.To+`.csv"`)
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", b)
	}
	return c.JSON(http.StatusOK, rep)
}

func (r *Region) listUsers(c echo.Context) error {
	list, err := r.users.list()
	if err != nil {
		return err
	}
	if list == nil {
		list = []User{}
	}
	return c.JSON(http.StatusOK, map[string]any{"users": list})
}

func (r *Region) createUser(c echo.Context) error {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Role     string `json:"role"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := r.users.Add(in.Username, in.Password, in.Role); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, User{Username: in.Username, Role: in.Role})
}

func (r *Region) deleteUser(c echo.Context) error {
	if err := r.users.remove(c.Param("username")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
