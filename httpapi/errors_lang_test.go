package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// Every error message is wholly in one language (API.md: "Indonesian or
// English per Accept-Language"): an Indonesian message holds Indonesian
// words and no English function word, and the other way round. The word
// lists are small on purpose — the words that give a mixed sentence away
// ("An agency with this code sudah ada.") — with the few terms both
// languages use (Idempotency-Key, server, booking, check-in) left out.

// enWords are English words that never appear in an Indonesian sentence.
var enWords = words(`a an the this that these those is are was were be been being has have had
	with of to in on at for from by and or not no nor please try again already exists exist
	may can cannot could must should first too many much only any there here than after before
	its it you your as into which who what when where if then sign wrong taken full found
	request body send header missing method allowed something went server's ticket tickets
	service services counter counters agency user users visitor visitors booking's closed open
	opens today tomorrow day come back used up still quota state action waiting rated thank
	survey tablet within minutes serve served moving another choose close delete one most`)

// idWords are Indonesian words that never appear in an English sentence.
var idWords = words(`yang dan atau di ke dari untuk dengan ini itu tidak belum sudah silakan coba lagi
	sebelum setelah masih ada pada oleh anda dalam bila hanya harus akan bisa dapat sebagai
	tiket layanan loket instansi pengguna sedang terlalu banyak kembali hari pukul nomor kode
	dulu dahulu tutup buka isi permintaan kesalahan terjadi kirim salah nama kata sandi masuk
	kuota habis datang besok tindakan status menunggu dinilai terima kasih survei tablet
	menit selesai memindahkannya lain hapus paling per situs sebentar sama tujuan
	ditemukan diizinkan metode berwenang melakukan sebagian isian valid penuh pilih slot
	terpakai lewat ambil biasa antrean dibuka dibatalkan waktu berakhir terlalu awal jadwalnya
	diubah pernah batalkan ulang perlu menerima koneksi langsung alamat halaman melayani mampu
	memegang nonaktifkan saja terpasang dilayani ia mulai menyimpan memulai gagal percobaan nanti`)

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// neutral are the terms both languages write the same: header names,
// media types, units, and loan words Indonesian uses as they are.
var neutral = words(`idempotency-key x-csrf-token application/json kib s server booking online check-in
	webhook webhooks nik hp id header valid slot`)

var wordRE = regexp.MustCompile(`[\p{L}][\p{L}'’-]*`)

// identRE matches names written the same in both languages: environment
// variables and settings keys (ANTREAN_METRICS_ALLOW, retention_days).
var identRE = regexp.MustCompile(`\b[\p{L}\d]+(?:_[\p{L}\d]+)+\b`)

// checkLanguage says what is wrong with msg as a message in lang ("id"
// or "en"), or "".
func checkLanguage(lang, msg string) string {
	if strings.TrimSpace(msg) == "" {
		return "empty"
	}
	own, other := idWords, enWords
	if lang == "en" {
		own, other = enWords, idWords
	}
	var foreign []string
	known := 0
	for _, w := range wordRE.FindAllString(strings.ToLower(identRE.ReplaceAllString(msg, " ")), -1) {
		w = strings.Trim(w, "'’-")
		if neutral[w] {
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(w, "'s"), "’s")
		switch {
		case own[w] || own[base]:
			known++
		case other[w] || other[base]:
			foreign = append(foreign, w)
		}
	}
	if len(foreign) > 0 {
		return fmt.Sprintf("holds words of the other language: %q", foreign)
	}
	if known == 0 {
		return "holds no word known to be of its language"
	}
	return ""
}

func TestCheckLanguage(t *testing.T) {
	for _, c := range []struct {
		lang, msg string
		ok        bool
	}{
		{"id", "Instansi dengan kode ini sudah ada.", true},
		{"en", "An agency with this code already exists.", true},
		{"id", "An agency with this code sudah ada.", false},
		{"en", "An agency with this code sudah ada.", false},
		{"id", "Not found.", false},
		{"en", "Tidak ditemukan.", false},
		{"id", "", false},
		{"en", "Set ANTREAN_METRICS_ALLOW first.", true},
	} {
		if got := checkLanguage(c.lang, c.msg); (got == "") != c.ok {
			t.Errorf("checkLanguage(%s, %q) = %q, want ok %v", c.lang, c.msg, got, c.ok)
		}
	}
}

// TestErrorMessagesOneLanguage reads the source of every error the API
// can answer — each queue.Errorf, queue.Error and httpapi apiError, and
// the helpers that pass their texts on — and checks each English text is
// English and each Indonesian text Indonesian. A message built from
// anything but string literals is refused, so none escapes the check.
func TestErrorMessagesOneLanguage(t *testing.T) {
	root := repoRoot(t)
	// Where the English and Indonesian texts are among a call's
	// arguments (0-based). Helpers that take the texts as parameters
	// pass them on to queue.Errorf, whose own call there is skipped.
	calls := map[string][2]int{
		"Errorf":      {1, 2},
		"errInUse":    {0, 1},
		"errExists":   {1, 2},
		"rateLimited": {2, 3},
	}
	passOn := map[string]bool{"Errorf": true, "errExists": true, "errInUse": true, "rateLimited": true}
	n := 0
	check := func(pos token.Position, en, id ast.Expr) {
		for _, x := range []struct {
			lang string
			e    ast.Expr
		}{{"en", en}, {"id", id}} {
			lit, ok := x.e.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: the %s message is not a string literal; write it out so it can be checked", pos, x.lang)
				continue
			}
			s, _ := strconv.Unquote(lit.Value)
			s = strings.NewReplacer("%s", "", "%d", "5").Replace(s)
			if why := checkLanguage(x.lang, s); why != "" {
				t.Errorf("%s: %s message %q %s", pos, x.lang, s, why)
			}
			n++
		}
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "screenshots") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		// The body of a helper that passes its texts on holds a call with
		// parameters for texts: that call is checked at the helper's callers.
		var inHelper []ast.Node
		ast.Inspect(f, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.FuncDecl:
				if passOn[x.Name.Name] {
					inHelper = append(inHelper, x)
				}
			case *ast.ValueSpec:
				for i, name := range x.Names {
					if passOn[name.Name] && i < len(x.Values) {
						inHelper = append(inHelper, x.Values[i])
					}
				}
			}
			return true
		})
		inside := func(n ast.Node) bool {
			for _, h := range inHelper {
				if n.Pos() >= h.Pos() && n.End() <= h.End() {
					return true
				}
			}
			return false
		}
		ast.Inspect(f, func(node ast.Node) bool {
			switch x := node.(type) {
			case *ast.CallExpr:
				name := ""
				switch fn := x.Fun.(type) {
				case *ast.Ident:
					name = fn.Name
				case *ast.SelectorExpr:
					if id, ok := fn.X.(*ast.Ident); ok && (fn.Sel.Name != "Errorf" || id.Name == "queue") {
						name = fn.Sel.Name
					}
				}
				at, ok := calls[name]
				if !ok || inside(x) || len(x.Args) <= at[1] {
					return true
				}
				check(fset.Position(x.Pos()), x.Args[at[0]], x.Args[at[1]])
			case *ast.CompositeLit:
				var typ string
				switch tt := x.Type.(type) {
				case *ast.Ident:
					typ = tt.Name
				case *ast.SelectorExpr:
					typ = tt.Sel.Name
				}
				switch {
				case typ == "apiError" && len(x.Elts) == 4:
					check(fset.Position(x.Pos()), x.Elts[2], x.Elts[3])
				case typ == "Error":
					var en, id ast.Expr
					for _, el := range x.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok {
							switch fmt.Sprint(kv.Key) {
							case "EN":
								en = kv.Value
							case "ID":
								id = kv.Value
							}
						}
					}
					if en != nil && id != nil && !inside(x) {
						check(fset.Position(x.Pos()), en, id)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Errorf("checked %d messages; the source holds more than that — is the walk broken?", n)
	}
	t.Logf("checked %d messages", n)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test")
		}
		dir = parent
	}
}

// TestErrorCodesInBothLanguages walks every error code the API answers —
// the domain's codes (the HTTP layer's status table) and the transport's
// (404 of an unknown path, 405, 413, 415, 403 csrf_failed) — by making a
// real server answer it, once with Accept-Language: id and once with en,
// and checks the code, the status, and that each message is wholly in
// its language. The two codes no request can bring about on purpose
// (internal, and unavailable from a store failure) are checked in the
// source by TestErrorMessagesOneLanguage.
func TestErrorCodesInBothLanguages(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 26, 7, 0, 0, 0, time.FixedZone("WIB", 7*3600))
	s := apptest.Start(t, apptest.Options{Start: day})
	m := s.SetupMall()
	seen := map[string]bool{}

	type req struct {
		method, path, token string
		body                any
		headers             []string
	}
	try := func(name string, status int, code string, r req) {
		t.Helper()
		for _, lang := range []string{"id", "en"} {
			h := append([]string{"Accept-Language", lang}, r.headers...)
			resp := s.Do(r.method, r.path, r.token, r.body, h...)
			var e struct {
				Error struct {
					Code    string `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			_ = json.Unmarshal(resp.Body, &e)
			if resp.Status != status || e.Error.Code != code {
				t.Errorf("%s (%s): %d %s, want %d %s", name, lang, resp.Status, resp.Body, status, code)
				continue
			}
			if why := checkLanguage(lang, e.Error.Message); why != "" {
				t.Errorf("%s: %s message %q %s", name, lang, e.Error.Message, why)
			}
		}
		seen[code] = true
	}
	admin, kiosk, officer := s.Admin, m.Tokens["kiosk"], m.Tokens["officerA"]
	ctr := "/api/v1/counters/" + m.CounterA.ID

	// The transport's.
	try("unknown path", 404, queue.ENotFound, req{method: "GET", path: "/api/v1/nope"})
	try("wrong method", 405, "method_not_allowed", req{method: "PATCH", path: "/api/v1/site"})
	try("too large", 413, "too_large", req{method: "PUT", path: "/api/v1/site", token: admin, body: `{"name": "` + strings.Repeat("x", 70<<10) + `"}`})
	try("not JSON", 415, "unsupported_media_type", req{method: "PUT", path: "/api/v1/site", token: admin, body: []byte("x"), headers: []string{"Content-Type", "text/plain"}})
	try("bad JSON", 400, queue.EInvalid, req{method: "PUT", path: "/api/v1/site", token: admin, body: `{"name": `})
	try("anonymous", 401, queue.EUnauthenticated, req{method: "GET", path: "/api/v1/users"})
	try("officer on users", 403, queue.EForbidden, req{method: "GET", path: "/api/v1/users", token: officer})
	try("wrong password", 401, queue.EInvalidCredentials, req{method: "POST", path: "/api/v1/login", body: map[string]string{"username": "admin", "password": "not-the-password"}})
	// A cookie session without its CSRF token.
	login := s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "admin", "password": apptest.AdminPassword})
	var cookie string
	for _, c := range login.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "antrean_session=") {
			cookie, _, _ = strings.Cut(c, ";")
		}
	}
	try("no CSRF token", 403, "csrf_failed", req{method: "POST", path: "/api/v1/logout", headers: []string{"Cookie", cookie}})

	// The domain's.
	try("invalid agency", 400, queue.EInvalid, req{method: "POST", path: "/api/v1/agencies", token: admin, body: map[string]string{"code": "x y", "name": ""}})
	try("agency code taken", 409, queue.EAlreadyExists, req{method: "POST", path: "/api/v1/agencies", token: admin, body: map[string]string{"code": "DKP", "name": "Lagi"}})
	try("service code taken", 409, queue.EAlreadyExists, req{method: "POST", path: "/api/v1/services", token: admin, body: map[string]any{"agency_id": m.AgencyA.ID, "code": "A", "name": "Lagi"}})
	try("counter name taken", 409, queue.EAlreadyExists, req{method: "POST", path: "/api/v1/counters", token: admin, body: map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 1", "service_ids": []string{m.ServiceA1.ID}}})
	try("username taken", 409, queue.EAlreadyExists, req{method: "POST", path: "/api/v1/users", token: admin, body: map[string]string{"username": "off.a", "password": apptest.StaffPassword, "role": "officer", "agency_id": m.AgencyA.ID}})
	try("agency in use", 409, queue.EInUse, req{method: "DELETE", path: "/api/v1/agencies/" + m.AgencyA.ID, token: admin})
	try("unknown ticket", 404, queue.ENotFound, req{method: "GET", path: "/api/v1/tickets/nope?k=x"})
	try("counter not open", 409, queue.ECounterClosed, req{method: "POST", path: ctr + "/next", token: officer})
	s.MustJSON(http.MethodPost, ctr+"/open", officer, nil, http.StatusOK, nil)
	try("recall of nothing", 409, queue.EInvalidTransition, req{method: "POST", path: ctr + "/recall", token: officer})
	tk := s.Issue(m, m.ServiceA1.ID, false)
	s.MustJSON(http.MethodPost, ctr+"/next", officer, nil, http.StatusOK, nil)
	try("close while busy", 409, queue.ECounterBusy, req{method: "POST", path: ctr + "/close", token: officer})
	s.Do(http.MethodPost, ctr+"/pause", officer, map[string]string{"reason": "ISHOMA"}, "Idempotency-Key", "k-2")
	try("same key, other body", 422, queue.EIdempotencyMismatch, req{method: "POST", path: ctr + "/pause", token: officer, body: map[string]string{"reason": "Rapat"}, headers: []string{"Idempotency-Key", "k-2"}})
	s.MustJSON(http.MethodPost, ctr+"/open", officer, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, ctr+"/done", officer, nil, http.StatusOK, nil)
	fb := "/api/v1/tickets/" + tk.Ticket.ID + "/feedback?k=" + tk.Key()
	scores := map[string]any{"scores": []int{4, 4, 4, 4, 4, 4, 4, 4, 4}}
	s.MustJSON(http.MethodPost, fb, "", scores, http.StatusCreated, nil)
	try("rated twice", 409, queue.EAlreadyRated, req{method: "POST", path: fb, body: scores})
	// A survey tablet at the other counter, 5 minutes on.
	var tablet struct{ Token string }
	s.MustJSON(http.MethodPost, "/api/v1/devices", admin, map[string]string{"kind": "survey", "name": "Tablet", "counter_id": m.CounterA.ID}, http.StatusCreated, &tablet)
	tk2 := s.Issue(m, m.ServiceA1.ID, false)
	s.MustJSON(http.MethodPost, ctr+"/next", officer, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, ctr+"/done", officer, nil, http.StatusOK, nil)
	s.Clock.Add(6 * time.Minute)
	try("tablet too late", 409, queue.ESurveyClosed, req{method: "POST", path: "/api/v1/tickets/" + tk2.Ticket.ID + "/feedback", token: tablet.Token, body: scores})

	// Service closed, quota used up.
	svc := *s.App.Engine.State().Service(m.ServiceA2.ID)
	svc.DailyQuota = 1
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, admin, svc, http.StatusOK, nil)
	s.Issue(m, svc.ID, false)
	try("quota used up", 409, queue.EQuotaExhausted, req{method: "POST", path: "/api/v1/tickets", token: kiosk, body: map[string]any{"service_id": svc.ID}})
	svc.Active = false
	s.MustJSON(http.MethodPut, "/api/v1/services/"+svc.ID, admin, svc, http.StatusOK, nil)
	try("inactive service", 409, queue.EServiceClosed, req{method: "POST", path: "/api/v1/tickets", token: kiosk, body: map[string]any{"service_id": svc.ID}})

	// Webhooks: at most queue.MaxWebhooks.
	for i := 0; i < queue.MaxWebhooks; i++ {
		s.MustJSON(http.MethodPost, "/api/v1/webhooks", admin, map[string]any{"url": fmt.Sprintf("http://127.0.0.1:9/%d", i), "secret": "a-long-enough-secret"}, http.StatusCreated, nil)
	}
	try("too many webhooks", 409, queue.ELimitReached, req{method: "POST", path: "/api/v1/webhooks", token: admin, body: map[string]any{"url": "http://127.0.0.1:9/x", "secret": "a-long-enough-secret"}})

	// Bookings (the clock is at 07:06 on Thursday 26 November; the
	// demo mall's slots are 30 minutes, check-in from 30 before to 15 after).
	A1 := m.ServiceB1.ID
	book := func(date, start, phone string) string {
		var c struct{ Code string }
		s.MustJSON(http.MethodPost, "/api/v1/bookings", "", map[string]string{"service_id": A1, "date": date, "start": start, "name": "Siti", "phone": phone}, http.StatusCreated, &c)
		return c.Code
	}
	first := book("2026-11-27", "09:00", "081211112222")
	try("booked twice", 409, queue.EAlreadyBooked, req{method: "POST", path: "/api/v1/bookings", body: map[string]string{"service_id": A1, "date": "2026-11-27", "start": "10:00", "name": "Siti", "phone": "081211112222"}})
	try("too early", 409, queue.ETooEarly, req{method: "POST", path: "/api/v1/bookings/" + first + "/check-in", token: kiosk})
	rs := "/api/v1/bookings/" + first + "/reschedule"
	s.MustJSON(http.MethodPost, rs, "", map[string]string{"date": "2026-11-27", "start": "11:30"}, http.StatusOK, nil)
	try("rescheduled twice", 409, queue.EAlreadyRescheduled, req{method: "POST", path: rs, body: map[string]string{"date": "2026-11-27", "start": "12:00"}})
	full := *s.App.Engine.State().Service(A1)
	full.SlotCapacity = 1
	s.MustJSON(http.MethodPut, "/api/v1/services/"+A1, admin, full, http.StatusOK, nil)
	book("2026-11-28", "09:00", "081200000001")
	try("slot full", 409, queue.ESlotFull, req{method: "POST", path: "/api/v1/bookings", body: map[string]string{"service_id": A1, "date": "2026-11-28", "start": "09:00", "name": "Siti", "phone": "081200000002"}})
	gone := book("2026-11-29", "09:00", "081200000003")
	s.MustJSON(http.MethodDelete, "/api/v1/bookings/"+gone, "", nil, http.StatusNoContent, nil)
	try("cancelled booking", 409, queue.EBookingCancelled, req{method: "POST", path: "/api/v1/bookings/" + gone + "/check-in", token: kiosk})
	s.Clock.Set(day.Add(45 * time.Minute))
	today := book("2026-11-26", "08:00", "081200000004")
	s.MustJSON(http.MethodPost, "/api/v1/bookings/"+today+"/check-in", kiosk, nil, http.StatusCreated, nil)
	try("checked in twice", 409, queue.EAlreadyCheckedIn, req{method: "POST", path: "/api/v1/bookings/" + today + "/check-in", token: kiosk})
	late := book("2026-11-26", "08:30", "081200000005")
	s.Clock.Set(day.Add(165 * time.Minute))
	try("check-in too late", 409, queue.EExpired, req{method: "POST", path: "/api/v1/bookings/" + late + "/check-in", token: kiosk})
	try("unknown booking", 404, queue.ENotFound, req{method: "GET", path: "/api/v1/bookings/ZZZZZZZZ"})

	// Sign-in throttling, last: it shuts the address out of sign-ins.
	for i := 0; i < 5; i++ {
		s.Do(http.MethodPost, "/api/v1/login", "", map[string]string{"username": "off.b", "password": "wrong-password"})
	}
	try("too many sign-ins", 429, queue.ERateLimited, req{method: "POST", path: "/api/v1/login", body: map[string]string{"username": "off.b", "password": "wrong-password"}})

	// Every domain code the HTTP layer maps has been answered, except
	// the two no request brings about on purpose.
	var missing []string
	for _, code := range domainCodes(t, root(t)) {
		if !seen[code] && code != queue.EInternal && code != queue.EUnavailable {
			missing = append(missing, code)
		}
	}
	if len(missing) > 0 {
		t.Errorf("codes the walk never answered: %v", missing)
	}
}

func root(t *testing.T) string { return repoRoot(t) }

// domainCodes lists the codes of httpapi's status table (statusOf in
// server.go), read from the source so a new code joins the walk.
func domainCodes(t *testing.T, root string) []string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(root, "httpapi", "server.go"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := bytes.Cut(src, []byte("var statusOf = map[string]int{"))
	if !ok {
		t.Fatal("server.go has no statusOf table")
	}
	table, _, _ = bytes.Cut(table, []byte("\n}"))
	consts := map[string]string{}
	for name, v := range map[string]string{
		"EInvalid": queue.EInvalid, "EUnauthenticated": queue.EUnauthenticated, "EInvalidCredentials": queue.EInvalidCredentials,
		"EForbidden": queue.EForbidden, "ENotFound": queue.ENotFound, "EInvalidTransition": queue.EInvalidTransition,
		"EAlreadyExists": queue.EAlreadyExists, "EServiceClosed": queue.EServiceClosed, "EQuotaExhausted": queue.EQuotaExhausted,
		"ECounterBusy": queue.ECounterBusy, "ECounterClosed": queue.ECounterClosed, "EInUse": queue.EInUse,
		"ELimitReached": queue.ELimitReached, "EIdempotencyMismatch": queue.EIdempotencyMismatch, "ESlotFull": queue.ESlotFull,
		"EAlreadyBooked": queue.EAlreadyBooked, "EAlreadyRescheduled": queue.EAlreadyRescheduled, "ETooEarly": queue.ETooEarly,
		"EExpired": queue.EExpired, "EAlreadyCheckedIn": queue.EAlreadyCheckedIn, "EBookingCancelled": queue.EBookingCancelled,
		"ERateLimited": queue.ERateLimited, "EUnavailable": queue.EUnavailable, "EAlreadyRated": queue.EAlreadyRated,
		"ESurveyClosed": queue.ESurveyClosed,
	} {
		consts[name] = v
	}
	var out []string
	for _, m := range regexp.MustCompile(`queue\.(E\w+):`).FindAllSubmatch(table, -1) {
		code, ok := consts[string(m[1])]
		if !ok {
			t.Errorf("statusOf has queue.%s, which this test does not know: add it to the walk", m[1])
			continue
		}
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}
