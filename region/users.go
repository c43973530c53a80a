package region

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/mpp-digital/antrean/queue"
)

// The region's own users: admin (everything, users included) and viewer
// (pemantau: the board and the reports). They sign in with a username
// and password (bcrypt) and get a bearer token, and the screens a
// session cookie with a CSRF token for unsafe requests, as on a site.
const (
	RoleAdmin  = "admin"
	RoleViewer = "viewer"
)

// User is a region user; the hash never leaves the server.
type User struct {
	Username string `json:"username"`
	Role     string `json:"role"`
	Hash     string `json:"hash,omitempty"`
	Created  string `json:"created"`
}

type session struct {
	Username string    `json:"username"`
	CSRF     string    `json:"csrf"`
	Expires  time.Time `json:"expires"`
}

type users struct {
	r *Region

	mu       sync.Mutex
	failures map[string][]time.Time // username|address → recent failures
}

func newUsers(r *Region) *users { return &users{r: r, failures: map[string][]time.Time{}} }

var errUserExists = queue.Errorf(queue.EAlreadyExists, "That username exists already.", "Nama pengguna itu sudah ada.")

// firstStart makes the first admin on an empty store.
func (u *users) firstStart() error {
	empty := true
	if err := u.r.store.Scan("users", nil, nil, func(_, _ []byte) error { empty = false; return nil }); err != nil {
		return err
	}
	if !empty {
		return nil
	}
	pw := u.r.cfg.AdminPassword
	random := pw == ""
	if random {
		pw = randomToken()[:16]
	}
	if err := u.Add("admin", pw, RoleAdmin); err != nil {
		return fmt.Errorf("region: the first admin: %w", err)
	}
	if random {
		u.r.log.Warn("region: created the first admin with a random password; it is shown only this once", "username", "admin", "password", pw)
	} else {
		u.r.log.Info("region: created the first admin with the password from ANTREAN_ADMIN_PASSWORD", "username", "admin")
	}
	return nil
}

// Add creates a user.
func (u *users) Add(username, password, role string) error {
	if err := checkUser(username, password, role); err != nil {
		return err
	}
	if old, _ := u.get(username); old != nil {
		return errUserExists
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), u.r.cfg.BcryptCost)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(User{Username: username, Role: role, Hash: string(hash), Created: u.r.cfg.Clock().Format(time.RFC3339)})
	return u.r.store.Update(func(put func(string, []byte, []byte) error) error { return put("users", []byte(username), b) })
}

// AddUser creates a region user (the command line's user add).
func (r *Region) AddUser(username, password, role string) error {
	return r.users.Add(username, password, role)
}

func checkUser(username, password, role string) error {
	f := map[string]string{}
	if l := utf8.RuneCountInString(username); l < 2 || l > 64 || strings.IndexFunc(username, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_')
	}) >= 0 {
		f["username"] = "2–64 of a-z, 0-9, '.', '-' and '_'"
	}
	if utf8.RuneCountInString(password) < queue.MinPasswordLen || utf8.RuneCountInString(password) > 200 {
		f["password"] = fmt.Sprintf("at least %d characters", queue.MinPasswordLen)
	}
	if role != RoleAdmin && role != RoleViewer {
		f["role"] = "admin or viewer"
	}
	if len(f) > 0 {
		return queue.Invalid(f)
	}
	return nil
}

func (u *users) get(username string) (*User, error) {
	b, err := u.r.store.Get("users", []byte(username))
	if err != nil || b == nil {
		return nil, err
	}
	var x User
	if err := json.Unmarshal(b, &x); err != nil {
		return nil, err
	}
	return &x, nil
}

func (u *users) list() ([]User, error) {
	var out []User
	err := u.r.store.Scan("users", nil, nil, func(_, v []byte) error {
		var x User
		if err := json.Unmarshal(v, &x); err != nil {
			return err
		}
		x.Hash = ""
		out = append(out, x)
		return nil
	})
	return out, err
}

// remove deletes a user and their sessions; the last admin stays.
func (u *users) remove(username string) error {
	x, err := u.get(username)
	if err != nil {
		return err
	}
	if x == nil {
		return queue.NotFound()
	}
	if x.Role == RoleAdmin {
		list, err := u.list()
		if err != nil {
			return err
		}
		if slices.IndexFunc(list, func(o User) bool { return o.Role == RoleAdmin && o.Username != username }) < 0 {
			return queue.Errorf(queue.EInUse, "The last admin cannot be removed.", "Admin terakhir tidak dapat dihapus.")
		}
	}
	var gone [][]byte
	_ = u.r.store.Scan("sessions", nil, nil, func(k, v []byte) error {
		var s session
		if json.Unmarshal(v, &s) == nil && s.Username == username {
			gone = append(gone, slices.Clone(k))
		}
		return nil
	})
	return u.r.store.Update(func(put func(string, []byte, []byte) error) error {
		for _, k := range gone {
			if err := put("sessions", k, nil); err != nil {
				return err
			}
		}
		return put("users", []byte(username), nil)
	})
}

var (
	errBadLogin  = queue.Errorf(queue.EInvalidCredentials, "Wrong username or password.", "Nama pengguna atau kata sandi salah.")
	errThrottled = queue.Errorf(queue.ERateLimited, "Too many failed sign-ins; try again later.", "Terlalu banyak percobaan masuk yang gagal; coba lagi nanti.")
)

// login checks a password and starts a session. After 5 failures within
// 15 minutes for one username from one address, that pair is refused
// until the oldest is 15 minutes old (never a lockout of the username
// from everywhere).
func (u *users) login(username, password, addr string) (token string, s *session, user *User, err error) {
	key := username + "|" + addr
	now := time.Now()
	u.mu.Lock()
	recent := slices.DeleteFunc(u.failures[key], func(t time.Time) bool { return now.Sub(t) > 15*time.Minute })
	u.failures[key] = recent
	if len(u.failures) > 50000 {
		clear(u.failures)
	}
	u.mu.Unlock()
	if len(recent) >= 5 {
		return "", nil, nil, errThrottled
	}
	x, err := u.get(username)
	if err != nil {
		return "", nil, nil, err
	}
	hash := []byte("$2a$10$0000000000000000000000000000000000000000000000000000.")
	if x != nil {
		hash = []byte(x.Hash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || x == nil {
		u.mu.Lock()
		u.failures[key] = append(u.failures[key], now)
		u.mu.Unlock()
		return "", nil, nil, errBadLogin
	}
	token = randomToken()
	s = &session{Username: username, CSRF: randomToken(), Expires: u.r.cfg.Clock().Add(u.r.cfg.SessionTTL)}
	b, _ := json.Marshal(s)
	// Sessions that ended go with each sign-in: there are few.
	var ended [][]byte
	_ = u.r.store.Scan("sessions", nil, nil, func(k, v []byte) error {
		var o session
		if json.Unmarshal(v, &o) != nil || !u.r.cfg.Clock().Before(o.Expires) {
			ended = append(ended, slices.Clone(k))
		}
		return nil
	})
	err = u.r.store.Update(func(put func(string, []byte, []byte) error) error {
		for _, k := range ended {
			if err := put("sessions", k, nil); err != nil {
				return err
			}
		}
		return put("sessions", tokenKey(token), b)
	})
	if err != nil {
		return "", nil, nil, err
	}
	x.Hash = ""
	return token, s, x, nil
}

// session finds a live session and its user.
func (u *users) session(token string) (*session, *User) {
	if token == "" {
		return nil, nil
	}
	b, err := u.r.store.Get("sessions", tokenKey(token))
	if err != nil || b == nil {
		return nil, nil
	}
	var s session
	if json.Unmarshal(b, &s) != nil || !u.r.cfg.Clock().Before(s.Expires) {
		return nil, nil
	}
	x, err := u.get(s.Username)
	if err != nil || x == nil {
		return nil, nil
	}
	x.Hash = ""
	return &s, x
}

func (u *users) logout(token string) error {
	return u.r.store.Update(func(put func(string, []byte, []byte) error) error { return put("sessions", tokenKey(token), nil) })
}

func tokenKey(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return []byte(hex.EncodeToString(h[:]))
}

func randomToken() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sameString(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
