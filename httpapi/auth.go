package httpapi

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"

	"github.com/mpp-digital/antrean/internal/token"
	"github.com/mpp-digital/antrean/queue"
)

// SessionCookie is the web screens' session cookie.
const SessionCookie = "antrean_session"

// SessionHintCookie tells the screens' scripts, which cannot read the
// HttpOnly session cookie, that a session may be there: it comes and goes
// with the session cookie and holds nothing secret ("1"). A screen opened
// without it shows the sign-in at once instead of asking GET /api/v1/me
// for an answer it knows (a 401, which browsers log as an error).
const SessionHintCookie = "antrean_signed_in"

// Caller kinds beyond the four staff roles.
const (
	kiosk   = "kiosk"
	display = "display"
	admin   = queue.RoleAdmin
	// supervisor, officer and greeter are the staff roles of queue.
	supervisor = queue.RoleSupervisor
	officer    = queue.RoleOfficer
	greeter    = queue.RoleGreeter
)

// staff is every staff role.
var staff = []string{admin, supervisor, officer, greeter}

// Caller is who makes a request: a signed-in user, a device, or nobody.
type Caller struct {
	User    *queue.User
	Device  *queue.Device
	Session *queue.Session
	// Cookie is true when the session came from the cookie; unsafe
	// requests then need the CSRF token.
	Cookie bool
}

// Kind is the caller's role or device kind, "" for anonymous.
func (c *Caller) Kind() string {
	switch {
	case c.User != nil:
		return c.User.Role
	case c.Device != nil:
		return c.Device.Kind
	}
	return ""
}

// Agency is the agency a supervisor, officer or greeter belongs to.
func (c *Caller) Agency() string {
	if c.User != nil {
		return c.User.AgencyID
	}
	return ""
}

// identity names the caller for idempotency keys.
func (c *Caller) identity() string {
	switch {
	case c.Session != nil:
		return "s:" + c.Session.TokenHash
	case c.Device != nil:
		return "d:" + c.Device.ID
	}
	return "anon"
}

func callerOf(c echo.Context) *Caller {
	if v, ok := c.Get("caller").(*Caller); ok {
		return v
	}
	return &Caller{}
}

// authenticate finds the caller. A bearer token that matches nothing is
// refused outright (401); a stale cookie is ignored, so public pages keep
// working for a browser whose session ended.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		st := s.engine.State()
		now := s.engine.Now()
		caller := &Caller{}
		r := c.Request()
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, bearer, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || bearer == "" {
				return errUnauth
			}
			hash := token.Hash(strings.TrimSpace(bearer))
			if ss := st.Session(hash, now); ss != nil {
				if u := st.User(ss.UserID); u != nil && !u.Disabled {
					caller.User, caller.Session = u, ss
				}
			} else if d := st.DeviceByTokenHash(hash); d != nil {
				caller.Device = d
			}
			if caller.User == nil && caller.Device == nil {
				return errUnauth
			}
		} else if ck, err := r.Cookie(SessionCookie); err == nil && ck.Value != "" {
			if ss := st.Session(token.Hash(ck.Value), now); ss != nil {
				if u := st.User(ss.UserID); u != nil && !u.Disabled {
					caller.User, caller.Session, caller.Cookie = u, ss, true
				}
			}
		}
		if caller.Cookie && unsafeMethod(r.Method) && r.URL.Path != "/api/v1/login" {
			got := r.Header.Get("X-CSRF-Token")
			if subtle.ConstantTimeCompare([]byte(got), []byte(caller.Session.CSRFToken)) != 1 {
				return errCSRF
			}
		}
		c.Set("caller", caller)
		return next(c)
	}
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// need lets through only callers of the given kinds: anonymous callers get
// 401, others 403.
func (s *Server) need(kinds ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			k := callerOf(c).Kind()
			if k == "" {
				return errUnauth
			}
			if !slices.Contains(kinds, k) {
				return errForbidden
			}
			return next(c)
		}
	}
}

// mayManageAgency reports whether the caller may change things of an
// agency: admins anywhere, supervisors in their own.
func mayManageAgency(c *Caller, agencyID string) bool {
	switch c.Kind() {
	case admin:
		return true
	case supervisor:
		return agencyID != "" && c.Agency() == agencyID
	}
	return false
}

// mayWorkAgency reports whether the caller may act at the counters or
// read the tickets of an agency.
func mayWorkAgency(c *Caller, agencyID string) bool {
	return mayManageAgency(c, agencyID) || (c.Kind() == officer && c.Agency() == agencyID)
}

type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type loginAnswer struct {
	Token     string      `json:"token"`
	CSRFToken string      `json:"csrf_token"`
	User      *queue.User `json:"user"`
}

// dummyHash keeps a login for an unknown user as slow as one for a known
// user, so timing does not tell which usernames exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("antrean-dummy-password"), bcrypt.DefaultCost)

func (s *Server) login(c echo.Context) error {
	var b loginBody
	if err := decode(c, &b); err != nil {
		return err
	}
	f := map[string]string{}
	if b.Username == "" {
		f["username"] = "required"
	}
	if b.Password == "" {
		f["password"] = "required"
	}
	if len(f) > 0 {
		return queue.Invalid(f)
	}
	now := s.engine.Now()
	try, wait := s.logins.begin(b.Username, s.ClientKey(c.Request()), now)
	if wait > 0 {
		c.Response().Header().Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
		return queue.Errorf(queue.ERateLimited, "Too many failed sign-ins; try again later.", "Terlalu banyak percobaan masuk yang gagal; coba lagi nanti.")
	}
	st := s.engine.State()
	u := st.UserByName(strings.ToLower(strings.TrimSpace(b.Username)))
	hash := dummyHash
	if u != nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(b.Password)) != nil || u == nil || u.Disabled {
		s.logins.failed(try)
		s.recordAudit(c, loginFailedEntry(c, b.Username, u))
		return queue.Errorf(queue.EInvalidCredentials, "Wrong username or password.", "Nama pengguna atau kata sandi salah.")
	}
	s.logins.succeeded(try)
	secret := token.New("st")
	// Sessions live on the engine's clock, which is what checks them.
	created := s.engine.Now()
	sess := &queue.Session{
		TokenHash: token.Hash(secret),
		UserID:    u.ID,
		CSRFToken: queue.RandomString(20),
		Created:   created,
		Expires:   created.Add(s.cfg.SessionTTL),
	}
	login := &queue.AuditEntry{Actor: userActor(u), Address: c.RealIP(), Action: "login"}
	if _, err := s.engine.Do(c.Request().Context(), queue.Request{Cmd: queue.CreateSession{Session: sess}, Audit: login}); err != nil {
		return err
	}
	// Max-Age counts from the browser's receipt, so a kiosk PC whose
	// clock is off keeps the session as long as the server does.
	c.SetCookie(&http.Cookie{
		Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https",
		Expires: sess.Expires, MaxAge: max(1, int(sess.Expires.Sub(sess.Created).Seconds())),
	})
	c.SetCookie(&http.Cookie{
		Name: SessionHintCookie, Value: "1", Path: "/",
		SameSite: http.SameSiteStrictMode, Secure: c.Scheme() == "https",
		Expires: sess.Expires, MaxAge: max(1, int(sess.Expires.Sub(sess.Created).Seconds())),
	})
	return c.JSON(http.StatusOK, loginAnswer{Token: secret, CSRFToken: sess.CSRFToken, User: u})
}

func (s *Server) logout(c echo.Context) error {
	caller := callerOf(c)
	if caller.Session != nil {
		setAuditAction(c, "logout")
		if _, err := s.apply(c, queue.EndSession{TokenHash: caller.Session.TokenHash}); err != nil {
			return err
		}
	}
	c.SetCookie(&http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	clearSessionHint(c)
	return c.NoContent(http.StatusNoContent)
}

// clearSessionHint ends the hint cookie, at sign-out and when a request
// that carried it met no session (it ended elsewhere: a password change,
// a disabled account, a restore).
func clearSessionHint(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: SessionHintCookie, Value: "", Path: "/", SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

type meAnswer struct {
	*queue.User
	CSRFToken string `json:"csrf_token,omitempty"`
}

func (s *Server) me(c echo.Context) error {
	caller := callerOf(c)
	a := meAnswer{User: caller.User}
	if caller.Cookie {
		a.CSRFToken = caller.Session.CSRFToken
	}
	return c.JSON(http.StatusOK, a)
}

// hashPassword checks a new password's length and hashes it.
func (s *Server) hashPassword(pw string) (string, error) {
	if len([]rune(pw)) < queue.MinPasswordLen {
		return "", queue.Invalid(map[string]string{"password": "at least 10 characters"})
	}
	if len(pw) > 72 {
		return "", queue.Invalid(map[string]string{"password": "at most 72 bytes"})
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.cfg.BcryptCost)
	return string(h), err
}
