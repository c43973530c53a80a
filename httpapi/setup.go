package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/internal/token"
	"github.com/mpp-digital/antrean/queue"
)

func (s *Server) getSite(c echo.Context) error {
	return c.JSON(http.StatusOK, s.engine.State().Site)
}

func (s *Server) putSite(c echo.Context) error {
	site := queue.DefaultSite()
	site.SKMElements = nil
	if err := decode(c, site); err != nil {
		return err
	}
	if site.SKMElements == nil {
		site.SKMElements = slices.Clone(queue.DefaultSKMElements)
	}
	site.Breaks = orEmpty(site.Breaks)
	for i := range site.Breaks {
		// A list, also when the caller sent null: [] is every open day.
		site.Breaks[i].Days = orEmpty(site.Breaks[i].Days)
	}
	site.Holidays = orEmpty(site.Holidays)
	site.SpecialDays = orEmpty(site.SpecialDays)
	v, err := s.apply(c, queue.PutSite{Site: site})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// --- agencies

func (s *Server) listAgencies(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"agencies": s.engine.State().Agencies()})
}

func (s *Server) getAgency(c echo.Context) error {
	a := s.engine.State().Agency(c.Param("id"))
	if a == nil {
		return errNotFoundAPI
	}
	return c.JSON(http.StatusOK, a)
}

func (s *Server) createAgency(c echo.Context) error {
	return s.putAgency(c, queue.NewID("agc"), true)
}

func (s *Server) updateAgency(c echo.Context) error {
	return s.putAgency(c, c.Param("id"), false)
}

func (s *Server) putAgency(c echo.Context, id string, create bool) error {
	if !create && s.engine.State().Agency(id) == nil {
		return errNotFoundAPI
	}
	a := &queue.Agency{}
	if err := decode(c, a); err != nil {
		return err
	}
	a.ID = id
	v, err := s.apply(c, queue.PutAgency{Agency: a, Create: create})
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(create), v)
}

func createdOrOK(create bool) int {
	if create {
		return http.StatusCreated
	}
	return http.StatusOK
}

func (s *Server) deleteAgency(c echo.Context) error {
	if _, err := s.apply(c, queue.DeleteAgency{ID: c.Param("id")}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// --- services

func (s *Server) listServices(c echo.Context) error {
	list := s.engine.State().Services()
	if a := c.QueryParam("agency_id"); a != "" {
		list = slices.DeleteFunc(slices.Clone(list), func(v *queue.Service) bool { return v.AgencyID != a })
	}
	return c.JSON(http.StatusOK, map[string]any{"services": list})
}

func (s *Server) getService(c echo.Context) error {
	v := s.engine.State().Service(c.Param("id"))
	if v == nil {
		return errNotFoundAPI
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) createService(c echo.Context) error {
	return s.putService(c, queue.NewID("svc"), true)
}

func (s *Server) updateService(c echo.Context) error {
	return s.putService(c, c.Param("id"), false)
}

func (s *Server) putService(c echo.Context, id string, create bool) error {
	caller := callerOf(c)
	if !create {
		old := s.engine.State().Service(id)
		if old == nil {
			return errNotFoundAPI
		}
		if !mayManageAgency(caller, old.AgencyID) {
			return errForbidden
		}
	}
	svc := queue.DefaultService()
	if err := decode(c, svc); err != nil {
		return err
	}
	if !mayManageAgency(caller, svc.AgencyID) {
		return errForbidden
	}
	svc.ID = id
	svc.Requirements = orEmpty(svc.Requirements)
	svc.RequirementsEN = orEmpty(svc.RequirementsEN)
	v, err := s.apply(c, queue.PutService{Service: svc, Create: create})
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(create), v)
}

func (s *Server) deleteService(c echo.Context) error {
	old := s.engine.State().Service(c.Param("id"))
	if old == nil {
		return errNotFoundAPI
	}
	if !mayManageAgency(callerOf(c), old.AgencyID) {
		return errForbidden
	}
	if _, err := s.apply(c, queue.DeleteService{ID: old.ID}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// --- counters

func (s *Server) listCounters(c echo.Context) error {
	st := s.engine.State()
	a := c.QueryParam("agency_id")
	out := []*queue.CounterView{}
	for _, k := range st.Counters() {
		if a == "" || k.AgencyID == a {
			out = append(out, st.CounterView(k))
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"counters": out})
}

func (s *Server) getCounter(c echo.Context) error {
	st := s.engine.State()
	k := st.Counter(c.Param("id"))
	if k == nil {
		return errNotFoundAPI
	}
	return c.JSON(http.StatusOK, st.CounterView(k))
}

// counterBody is what a counter's setup takes. The read-only fields of the
// Counter object are accepted and ignored, so a client may PUT back what it
// got.
type counterBody struct {
	ID          string          `json:"id"`
	AgencyID    string          `json:"agency_id"`
	Name        string          `json:"name"`
	NameEN      string          `json:"name_en"`
	ServiceIDs  []string        `json:"service_ids"`
	Status      string          `json:"status"`
	PauseReason string          `json:"pause_reason"`
	OfficerID   string          `json:"officer_id"`
	Current     json.RawMessage `json:"current"`
}

func (s *Server) createCounter(c echo.Context) error {
	return s.putCounter(c, queue.NewID("ctr"), true)
}

func (s *Server) updateCounter(c echo.Context) error {
	return s.putCounter(c, c.Param("id"), false)
}

func (s *Server) putCounter(c echo.Context, id string, create bool) error {
	caller := callerOf(c)
	if !create {
		old := s.engine.State().Counter(id)
		if old == nil {
			return errNotFoundAPI
		}
		if !mayManageAgency(caller, old.AgencyID) {
			return errForbidden
		}
	}
	var b counterBody
	if err := decode(c, &b); err != nil {
		return err
	}
	if !mayManageAgency(caller, b.AgencyID) {
		return errForbidden
	}
	k := &queue.Counter{ID: id, AgencyID: b.AgencyID, Name: b.Name, NameEN: b.NameEN, ServiceIDs: orEmpty(b.ServiceIDs)}
	v, err := s.apply(c, queue.PutCounter{Counter: k, Create: create})
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(create), v)
}

func (s *Server) deleteCounter(c echo.Context) error {
	old := s.engine.State().Counter(c.Param("id"))
	if old == nil {
		return errNotFoundAPI
	}
	if !mayManageAgency(callerOf(c), old.AgencyID) {
		return errForbidden
	}
	if _, err := s.apply(c, queue.DeleteCounter{ID: old.ID}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// --- users

type userBody struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Password string `json:"password"`
	Role     string `json:"role"`
	AgencyID string `json:"agency_id"`
	Disabled bool   `json:"disabled"`
}

// mayManageUser: admins manage everyone; supervisors the officers of their
// own agency.
func mayManageUser(c *Caller, role, agencyID string) bool {
	if c.Kind() == admin {
		return true
	}
	return c.Kind() == supervisor && role == officer && agencyID == c.Agency()
}

func (s *Server) listUsers(c echo.Context) error {
	caller := callerOf(c)
	out := []*queue.User{}
	for _, u := range s.engine.State().Users() {
		if mayManageUser(caller, u.Role, u.AgencyID) {
			out = append(out, u)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"users": out})
}

func (s *Server) getUser(c echo.Context) error {
	u := s.engine.State().User(c.Param("id"))
	if u == nil {
		return errNotFoundAPI
	}
	// 403 like PUT and DELETE of the same user (API.md: 403 forbidden).
	if !mayManageUser(callerOf(c), u.Role, u.AgencyID) {
		return errForbidden
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) createUser(c echo.Context) error {
	return s.putUser(c, queue.NewID("usr"), true)
}

func (s *Server) updateUser(c echo.Context) error {
	return s.putUser(c, c.Param("id"), false)
}

func (s *Server) putUser(c echo.Context, id string, create bool) error {
	caller := callerOf(c)
	if !create {
		old := s.engine.State().User(id)
		if old == nil {
			return errNotFoundAPI
		}
		if !mayManageUser(caller, old.Role, old.AgencyID) {
			return errForbidden
		}
	}
	var b userBody
	if err := decode(c, &b); err != nil {
		return err
	}
	if !mayManageUser(caller, b.Role, b.AgencyID) {
		return errForbidden
	}
	u := &queue.User{ID: id, Username: b.Username, Role: b.Role, AgencyID: b.AgencyID, Disabled: b.Disabled}
	if err := u.Validate(); err != nil {
		return err
	}
	if b.Password != "" || create {
		h, err := s.hashPassword(b.Password)
		if err != nil {
			return err
		}
		u.PasswordHash = h
		if !create {
			setAuditAction(c, "user.password")
		}
	}
	v, err := s.apply(c, queue.PutUser{User: u, Create: create})
	if err != nil {
		return err
	}
	return c.JSON(createdOrOK(create), v)
}

func (s *Server) deleteUser(c echo.Context) error {
	old := s.engine.State().User(c.Param("id"))
	if old == nil {
		return errNotFoundAPI
	}
	if !mayManageUser(callerOf(c), old.Role, old.AgencyID) {
		return errForbidden
	}
	if _, err := s.apply(c, queue.DeleteUser{ID: old.ID}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// --- devices

type deviceBody struct {
	ID        string   `json:"id"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name"`
	Printer   string   `json:"printer"`
	AgencyIDs []string `json:"agency_ids"`
	CounterID string   `json:"counter_id"`
}

type createdDevice struct {
	*queue.Device
	Token string `json:"token"`
}

func (s *Server) listDevices(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"devices": s.engine.State().Devices()})
}

func (s *Server) getDevice(c echo.Context) error {
	d := s.engine.State().Device(c.Param("id"))
	if d == nil {
		return errNotFoundAPI
	}
	return c.JSON(http.StatusOK, d)
}

func (s *Server) createDevice(c echo.Context) error {
	return s.putDevice(c, queue.NewID("dev"), true)
}

func (s *Server) updateDevice(c echo.Context) error {
	return s.putDevice(c, c.Param("id"), false)
}

func (s *Server) putDevice(c echo.Context, id string, create bool) error {
	if !create && s.engine.State().Device(id) == nil {
		return errNotFoundAPI
	}
	var b deviceBody
	if err := decode(c, &b); err != nil {
		return err
	}
	d := &queue.Device{ID: id, Kind: b.Kind, Name: b.Name, Printer: b.Printer, AgencyIDs: orEmpty(b.AgencyIDs), CounterID: b.CounterID}
	secret := ""
	if create {
		secret = token.New(b.Kind)
		d.TokenHash = token.Hash(secret)
	}
	v, err := s.apply(c, queue.PutDevice{Device: d, Create: create})
	if err != nil {
		return err
	}
	if create {
		return c.JSON(http.StatusCreated, createdDevice{Device: v.(*queue.Device), Token: secret})
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) deleteDevice(c echo.Context) error {
	if _, err := s.apply(c, queue.DeleteDevice{ID: c.Param("id")}); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
