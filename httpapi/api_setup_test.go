package httpapi_test

// HTTP tests of API.md's "Staff and setup" section against a real server:
// the site, agencies, services, counters, users and devices. The helpers at
// the top are shared by the other api_*_test.go files of this package.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// apiError is the decoded error answer of API.md.
type apiError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// apiWantError checks that r is API.md's JSON error with this status and
// code, and returns it decoded.
func apiWantError(t *testing.T, r *apptest.Response, status int, code string) apiError {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("error answer with Content-Type %q, want JSON: %s", ct, r.Body)
	}
	var e apiError
	if err := json.Unmarshal(r.Body, &e); err != nil {
		t.Fatalf("error answer is not JSON: %v: %s", err, r.Body)
	}
	if e.Error.Code != code {
		t.Fatalf("error code %q, want %q: %s", e.Error.Code, code, r.Body)
	}
	if e.Error.Message == "" {
		t.Fatalf("error without a message: %s", r.Body)
	}
	return e
}

// apiWantFields checks an invalid_input answer names (at least) the fields.
func apiWantFields(t *testing.T, r *apptest.Response, fields ...string) {
	t.Helper()
	e := apiWantError(t, r, http.StatusBadRequest, queue.EInvalid)
	for _, f := range fields {
		if e.Error.Fields[f] == "" {
			t.Errorf("invalid_input does not name field %q: %s", f, r.Body)
		}
	}
}

// apiWantStatus checks the status of an answer.
func apiWantStatus(t *testing.T, r *apptest.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
}

// apiNoSecrets fails when a raw answer holds a password, a bcrypt hash or
// any of the given secrets.
func apiNoSecrets(t *testing.T, r *apptest.Response, secrets ...string) {
	t.Helper()
	low := strings.ToLower(string(r.Body))
	for _, bad := range []string{"password", "$2a$", "$2b$", "$2y$", "token_hash", "passwordhash"} {
		if strings.Contains(low, bad) {
			t.Errorf("answer contains %q: %s", bad, r.Body)
		}
	}
	for _, s := range secrets {
		if s != "" && bytes.Contains(r.Body, []byte(s)) {
			t.Errorf("answer contains the secret %q: %s", s, r.Body)
		}
	}
}

// apiRaw sends a request built by hand: any headers, cookies, and a body
// reader (nil for none). It reads the whole answer.
func apiRaw(t *testing.T, s *apptest.Server, method, path string, body io.Reader, headers map[string]string, cookies ...*http.Cookie) *apptest.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return &apptest.Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// apiObj decodes a JSON object answer into a generic map.
func apiObj(t *testing.T, r *apptest.Response) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

// apiList decodes a list answer {"name": [...]} and checks it holds
// nothing but that list (plus next_after for paged lists).
func apiList(t *testing.T, r *apptest.Response, name string) []map[string]any {
	t.Helper()
	apiWantStatus(t, r, http.StatusOK)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("list answer is not a JSON object: %v: %s", err, r.Body)
	}
	raw, ok := m[name]
	if !ok {
		t.Fatalf("list answer has no %q: %s", name, r.Body)
	}
	var list []map[string]any
	if err := json.Unmarshal(raw, &list); err != nil || list == nil {
		t.Fatalf("%q is not an array: %v: %s", name, err, raw)
	}
	return list
}

func apiIDs(list []map[string]any) []string {
	var out []string
	for _, v := range list {
		out = append(out, v["id"].(string))
	}
	return out
}

func apiContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// --- site

func TestAPISite(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	t.Run("GET is public", func(t *testing.T) {
		var site map[string]any
		s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
		if site["name"] != "MPP Uji" || site["opens"] != "00:00" || site["closes"] != "24:00" {
			t.Fatalf("site is not what SetupMall put: %v", site)
		}
		for _, f := range []string{"name", "timezone", "base_url", "weekdays", "opens", "closes", "issue_opens_before_min", "breaks", "holidays", "special_days", "priority_interleave", "checkin_before_min", "checkin_after_min", "announce_agency", "ticket_paper_mm", "running_text", "skm_elements", "skm_weight_mode", "retention_days"} {
			if _, ok := site[f]; !ok {
				t.Errorf("site has no %q", f)
			}
		}
	})

	t.Run("PUT replaces and left-out fields take defaults", func(t *testing.T) {
		full := map[string]any{
			"name": "MPP Kota", "timezone": "Asia/Makassar", "base_url": "https://antrean.example.id",
			"weekdays": []string{"mon", "sat"}, "opens": "07:30", "closes": "16:00", "issue_opens_before_min": 30,
			"breaks":              []map[string]any{{"name": "ISHOMA", "days": []string{"mon"}, "from": "12:00", "to": "13:00"}},
			"holidays":            []string{"2026-12-25"},
			"special_days":        []map[string]any{{"date": "2026-12-24", "opens": "08:00", "closes": "12:00"}},
			"priority_interleave": 3, "checkin_before_min": 20, "checkin_after_min": 10, "announce_agency": true,
			"ticket_paper_mm": 58, "running_text": "Selamat datang", "skm_elements": []string{"U1", "U2"},
			"skm_weight_mode": "0.11", "retention_days": 90,
		}
		var got map[string]any
		s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, full, http.StatusOK, &got)
		if got["timezone"] != "Asia/Makassar" || got["running_text"] != "Selamat datang" || got["ticket_paper_mm"] != 58.0 {
			t.Fatalf("PUT answer does not hold the new site: %v", got)
		}
		// Now only the name: everything else returns to API.md's defaults.
		s.MustJSON(http.MethodPut, "/api/v1/site", s.Admin, map[string]any{"name": "MPP Kota"}, http.StatusOK, &got)
		var site map[string]any
		s.MustJSON(http.MethodGet, "/api/v1/site", "", nil, http.StatusOK, &site)
		want := map[string]any{
			"name": "MPP Kota", "base_url": "", "issue_opens_before_min": 15.0, "priority_interleave": 2.0,
			"checkin_before_min": 30.0, "checkin_after_min": 15.0, "announce_agency": false,
			"ticket_paper_mm": 80.0, "running_text": "", "skm_weight_mode": "exact", "retention_days": 30.0,
		}
		for k, v := range want {
			if site[k] != v {
				t.Errorf("after a PUT without it, %s = %v, want the default %v", k, site[k], v)
			}
		}
		for _, k := range []string{"breaks", "holidays", "special_days"} {
			if l, ok := site[k].([]any); !ok || len(l) != 0 {
				t.Errorf("after a PUT without it, %s = %v, want []", k, site[k])
			}
		}
		if l, ok := site["skm_elements"].([]any); !ok || len(l) != 9 {
			t.Errorf("skm_elements default is the nine elements, got %v", site["skm_elements"])
		}
		if got["name"] != site["name"] {
			t.Errorf("PUT answer %v differs from GET %v", got, site)
		}
	})

	t.Run("validation is 400 invalid_input with fields and changes nothing", func(t *testing.T) {
		before := s.Do(http.MethodGet, "/api/v1/site", "", nil)
		r := s.Do(http.MethodPut, "/api/v1/site", s.Admin, map[string]any{
			"name": "", "timezone": "Mars/Olympus", "opens": "25:00", "ticket_paper_mm": 70,
			"skm_weight_mode": "half", "holidays": []string{"2026-02-30"}, "weekdays": []string{"mon", "funday"},
			"base_url": "ftp://x", "retention_days": 0,
		})
		apiWantFields(t, r, "name", "timezone", "opens", "ticket_paper_mm", "skm_weight_mode", "holidays[0]", "weekdays", "base_url", "retention_days")
		r = s.Do(http.MethodPut, "/api/v1/site", s.Admin, map[string]any{"opens": "15:00", "closes": "08:00"})
		apiWantFields(t, r, "closes")
		r = s.Do(http.MethodPut, "/api/v1/site", s.Admin, map[string]any{"special_days": []map[string]any{{"date": "2026-12-24", "opens": "08:00"}}})
		apiWantFields(t, r, "special_days[0]")
		r = s.Do(http.MethodPut, "/api/v1/site", s.Admin, map[string]any{"name": 5})
		apiWantFields(t, r, "name")
		after := s.Do(http.MethodGet, "/api/v1/site", "", nil)
		if !bytes.Equal(before.Body, after.Body) {
			t.Fatalf("a refused PUT changed the site:\n%s\n%s", before.Body, after.Body)
		}
	})

	t.Run("PUT needs an admin", func(t *testing.T) {
		apiWantError(t, s.Do(http.MethodPut, "/api/v1/site", "", map[string]any{"name": "x"}), http.StatusUnauthorized, queue.EUnauthenticated)
		apiWantError(t, s.Do(http.MethodPut, "/api/v1/site", m.Tokens["supervisorA"], map[string]any{"name": "x"}), http.StatusForbidden, queue.EForbidden)
	})
}

// --- agencies

func TestAPIAgencies(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	list := apiList(t, s.Do(http.MethodGet, "/api/v1/agencies", "", nil), "agencies")
	if len(list) != 2 {
		t.Fatalf("agencies: %v", list)
	}

	var a map[string]any
	s.MustJSON(http.MethodPost, "/api/v1/agencies", s.Admin, map[string]any{"code": "BPJ", "name": "BPJS Kesehatan", "short_name": "BPJS"}, http.StatusCreated, &a)
	id, _ := a["id"].(string)
	if id == "" || a["code"] != "BPJ" || a["name"] != "BPJS Kesehatan" || a["short_name"] != "BPJS" {
		t.Fatalf("created agency: %v", a)
	}
	var got map[string]any
	s.MustJSON(http.MethodGet, "/api/v1/agencies/"+id, "", nil, http.StatusOK, &got)
	if got["id"] != id || got["short_name"] != "BPJS" {
		t.Fatalf("GET agency: %v", got)
	}
	if !apiContains(apiIDs(apiList(t, s.Do(http.MethodGet, "/api/v1/agencies", "", nil), "agencies")), id) {
		t.Fatal("the new agency is not listed")
	}

	// PUT replaces: short_name left out is empty again.
	s.MustJSON(http.MethodPut, "/api/v1/agencies/"+id, s.Admin, map[string]any{"code": "BPJ", "name": "BPJS Kes"}, http.StatusOK, &got)
	if got["id"] != id || got["name"] != "BPJS Kes" || got["short_name"] != "" {
		t.Fatalf("PUT agency: %v", got)
	}

	apiWantError(t, s.Do(http.MethodGet, "/api/v1/agencies/agc_nope", "", nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/agencies/agc_nope", s.Admin, map[string]any{"code": "ZZ", "name": "x"}), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/agencies/agc_nope", s.Admin, nil), http.StatusNotFound, queue.ENotFound)

	// Codes are unique, on create and on replace.
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/agencies", s.Admin, map[string]any{"code": "DKP", "name": "Lagi"}), http.StatusConflict, queue.EAlreadyExists)
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/agencies/"+id, s.Admin, map[string]any{"code": "POL", "name": "x"}), http.StatusConflict, queue.EAlreadyExists)
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/agencies", s.Admin, map[string]any{"code": "bad code", "name": ""}), "code", "name")

	// An agency with services is in use.
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/agencies/"+m.AgencyA.ID, s.Admin, nil), http.StatusConflict, queue.EInUse)
	s.MustJSON(http.MethodGet, "/api/v1/agencies/"+m.AgencyA.ID, "", nil, http.StatusOK, nil)

	r := s.Do(http.MethodDelete, "/api/v1/agencies/"+id, s.Admin, nil)
	apiWantStatus(t, r, http.StatusNoContent)
	if len(r.Body) != 0 {
		t.Errorf("204 with a body: %q", r.Body)
	}
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/agencies/"+id, "", nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/agencies/"+id, s.Admin, nil), http.StatusNotFound, queue.ENotFound)

	apiWantError(t, s.Do(http.MethodPost, "/api/v1/agencies", m.Tokens["supervisorA"], map[string]any{"code": "X", "name": "x"}), http.StatusForbidden, queue.EForbidden)
}

// --- services

func TestAPIServices(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	if n := len(apiList(t, s.Do(http.MethodGet, "/api/v1/services", "", nil), "services")); n != 3 {
		t.Fatalf("%d services, want 3", n)
	}
	onlyA := apiList(t, s.Do(http.MethodGet, "/api/v1/services?agency_id="+m.AgencyA.ID, "", nil), "services")
	if len(onlyA) != 2 {
		t.Fatalf("services of agency A: %v", onlyA)
	}

	// Create with the least: API.md's defaults fill the rest.
	var svc map[string]any
	s.MustJSON(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "code": "C", "name": "Akta Kelahiran", "daily_quota": 5}, http.StatusCreated, &svc)
	id, _ := svc["id"].(string)
	want := map[string]any{
		"agency_id": m.AgencyA.ID, "code": "C", "name": "Akta Kelahiran", "name_en": "", "fee": "",
		"daily_quota": 5.0, "opens": "", "closes": "", "target_wait_min": 15.0, "avg_service_min": 10.0,
		"slot_minutes": 30.0, "slot_capacity": 5.0, "online_share_pct": 50.0, "requires_nik": false, "active": true,
	}
	if id == "" {
		t.Fatalf("created service has no id: %v", svc)
	}
	for k, v := range want {
		if svc[k] != v {
			t.Errorf("created service %s = %v, want %v", k, svc[k], v)
		}
	}
	if r, ok := svc["requirements"].([]any); !ok || len(r) != 0 {
		t.Errorf("requirements = %v, want []", svc["requirements"])
	}

	var got map[string]any
	s.MustJSON(http.MethodGet, "/api/v1/services/"+id, "", nil, http.StatusOK, &got)
	if got["id"] != id || got["daily_quota"] != 5.0 {
		t.Fatalf("GET service: %v", got)
	}

	// PUT replaces: daily_quota left out is 0 again; new fields land.
	s.MustJSON(http.MethodPut, "/api/v1/services/"+id, s.Admin, map[string]any{
		"agency_id": m.AgencyA.ID, "code": "C", "name": "Akta", "name_en": "Birth certificate",
		"requirements": []string{"KK", "Surat lahir"}, "opens": "08:00", "closes": "24:00", "active": false,
	}, http.StatusOK, &got)
	if got["daily_quota"] != 0.0 || got["name_en"] != "Birth certificate" || got["active"] != false || got["closes"] != "24:00" || len(got["requirements"].([]any)) != 2 {
		t.Fatalf("PUT service: %v", got)
	}

	apiWantError(t, s.Do(http.MethodGet, "/api/v1/services/svc_nope", "", nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/services/svc_nope", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "code": "Q", "name": "x"}), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/services/svc_nope", s.Admin, nil), http.StatusNotFound, queue.ENotFound)

	// Codes are unique in the site, across agencies.
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyB.ID, "code": "A", "name": "x"}), http.StatusConflict, queue.EAlreadyExists)
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "code": "ABCD", "name": "x", "slot_minutes": 1, "opens": "9"}), "code", "slot_minutes", "opens")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/services", s.Admin, map[string]any{"agency_id": "agc_nope", "code": "Q", "name": "x"}), "agency_id")

	// The agency's supervisor may write its services, not another's.
	s.MustJSON(http.MethodPost, "/api/v1/services", m.Tokens["supervisorA"], map[string]any{"agency_id": m.AgencyA.ID, "code": "D", "name": "Pindah datang"}, http.StatusCreated, nil)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/services", m.Tokens["supervisorA"], map[string]any{"agency_id": m.AgencyB.ID, "code": "E", "name": "x"}), http.StatusForbidden, queue.EForbidden)

	// A service a counter serves is in use.
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/services/"+m.ServiceA1.ID, s.Admin, nil), http.StatusConflict, queue.EInUse)

	apiWantStatus(t, s.Do(http.MethodDelete, "/api/v1/services/"+id, s.Admin, nil), http.StatusNoContent)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/services/"+id, "", nil), http.StatusNotFound, queue.ENotFound)
}

// --- counters

func TestAPICounters(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	list := apiList(t, s.Do(http.MethodGet, "/api/v1/counters", "", nil), "counters")
	if len(list) != 2 {
		t.Fatalf("counters: %v", list)
	}
	for _, k := range list {
		for _, f := range []string{"id", "agency_id", "name", "service_ids", "status", "pause_reason", "officer_id", "current"} {
			if _, ok := k[f]; !ok {
				t.Errorf("counter has no %q: %v", f, k)
			}
		}
	}
	if n := len(apiList(t, s.Do(http.MethodGet, "/api/v1/counters?agency_id="+m.AgencyB.ID, "", nil), "counters")); n != 1 {
		t.Fatalf("counters of agency B: %d", n)
	}

	var k map[string]any
	s.MustJSON(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 2", "service_ids": []string{m.ServiceA1.ID}}, http.StatusCreated, &k)
	id, _ := k["id"].(string)
	if id == "" || k["status"] != "closed" || k["current"] != nil || k["officer_id"] != "" || k["name"] != "Loket 2" {
		t.Fatalf("created counter: %v", k)
	}
	var got map[string]any
	s.MustJSON(http.MethodGet, "/api/v1/counters/"+id, "", nil, http.StatusOK, &got)
	if got["id"] != id || len(got["service_ids"].([]any)) != 1 {
		t.Fatalf("GET counter: %v", got)
	}
	s.MustJSON(http.MethodPut, "/api/v1/counters/"+id, s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 3", "service_ids": []string{m.ServiceA2.ID, m.ServiceA1.ID}}, http.StatusOK, &got)
	if got["name"] != "Loket 3" || len(got["service_ids"].([]any)) != 2 || got["service_ids"].([]any)[0] != m.ServiceA2.ID {
		t.Fatalf("PUT counter: %v", got)
	}
	// A client may PUT back the counter it got (read-only fields ignored).
	s.MustJSON(http.MethodPut, "/api/v1/counters/"+id, s.Admin, got, http.StatusOK, nil)

	// Its services must belong to its agency.
	r := s.Do(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 9", "service_ids": []string{m.ServiceB1.ID}})
	apiWantFields(t, r, "service_ids")
	r = s.Do(http.MethodPut, "/api/v1/counters/"+id, s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 3", "service_ids": []string{m.ServiceA1.ID, m.ServiceB1.ID}})
	apiWantFields(t, r, "service_ids")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "", "service_ids": []string{}}), "name", "service_ids")
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/counters", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "Loket 1", "service_ids": []string{m.ServiceA1.ID}}), http.StatusConflict, queue.EAlreadyExists)

	apiWantError(t, s.Do(http.MethodGet, "/api/v1/counters/ctr_nope", "", nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/counters/ctr_nope", s.Admin, map[string]any{"agency_id": m.AgencyA.ID, "name": "x", "service_ids": []string{m.ServiceA1.ID}}), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/counters/ctr_nope", s.Admin, nil), http.StatusNotFound, queue.ENotFound)

	// A supervisor writes the counters of their own agency only.
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/counters/"+id, m.Tokens["supervisorB"], got), http.StatusForbidden, queue.EForbidden)

	apiWantStatus(t, s.Do(http.MethodDelete, "/api/v1/counters/"+id, m.Tokens["supervisorA"], nil), http.StatusNoContent)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/counters/"+id, "", nil), http.StatusNotFound, queue.ENotFound)
}

// --- users

func TestAPIUsers(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	r := s.Do(http.MethodGet, "/api/v1/users", s.Admin, nil)
	users := apiList(t, r, "users")
	if len(users) != 8 {
		t.Fatalf("%d users, want admin and the mall's seven staff: %s", len(users), r.Body)
	}
	apiNoSecrets(t, r)
	for _, u := range users {
		if len(u) != 5 {
			t.Errorf("a user is {id, username, role, agency_id, disabled}, got %v", u)
		}
	}

	body := map[string]any{"username": "petugas.baru", "password": "sandi-rahasia-1", "role": "officer", "agency_id": m.AgencyA.ID}
	r = s.Do(http.MethodPost, "/api/v1/users", s.Admin, body)
	apiWantStatus(t, r, http.StatusCreated)
	apiNoSecrets(t, r, "sandi-rahasia-1")
	u := apiObj(t, r)
	id, _ := u["id"].(string)
	if id == "" || u["username"] != "petugas.baru" || u["role"] != "officer" || u["agency_id"] != m.AgencyA.ID || u["disabled"] != false {
		t.Fatalf("created user: %s", r.Body)
	}
	s.Login("petugas.baru", "sandi-rahasia-1")

	r = s.Do(http.MethodGet, "/api/v1/users/"+id, s.Admin, nil)
	apiWantStatus(t, r, http.StatusOK)
	apiNoSecrets(t, r)

	// PUT replaces; the password may be left out and stays.
	r = s.Do(http.MethodPut, "/api/v1/users/"+id, s.Admin, map[string]any{"username": "petugas.baru", "role": "supervisor", "agency_id": m.AgencyA.ID})
	apiWantStatus(t, r, http.StatusOK)
	apiNoSecrets(t, r)
	if u := apiObj(t, r); u["role"] != "supervisor" || u["disabled"] != false {
		t.Fatalf("PUT user: %s", r.Body)
	}
	s.Login("petugas.baru", "sandi-rahasia-1")

	apiWantError(t, s.Do(http.MethodPost, "/api/v1/users", s.Admin, body), http.StatusConflict, queue.EAlreadyExists)
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/users/"+id, s.Admin, map[string]any{"username": "off.a", "role": "officer", "agency_id": m.AgencyA.ID}), http.StatusConflict, queue.EAlreadyExists)
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/users", s.Admin, map[string]any{"username": "pendek", "password": "123456789", "role": "officer", "agency_id": m.AgencyA.ID}), "password")
	apiWantStatus(t, s.Do(http.MethodPost, "/api/v1/users", s.Admin, map[string]any{"username": "pas.sepuluh", "password": "1234567890", "role": "greeter"}), http.StatusCreated)
	s.Login("pas.sepuluh", "1234567890")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/users", s.Admin, map[string]any{"username": "tanpa.instansi", "password": "sandi-rahasia-1", "role": "officer"}), "agency_id")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/users", s.Admin, map[string]any{"username": "Bad Name", "password": "sandi-rahasia-1", "role": "king"}), "username", "role")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/users", s.Admin, map[string]any{"username": "tanpa.sandi", "role": "greeter"}), "password")

	apiWantError(t, s.Do(http.MethodGet, "/api/v1/users/usr_nope", s.Admin, nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/users/usr_nope", s.Admin, map[string]any{"username": "x1", "role": "greeter"}), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/users/usr_nope", s.Admin, nil), http.StatusNotFound, queue.ENotFound)

	// A supervisor sees and manages the officers of their own agency only.
	r = s.Do(http.MethodGet, "/api/v1/users", m.Tokens["supervisorA"], nil)
	apiNoSecrets(t, r)
	for _, u := range apiList(t, r, "users") {
		if u["role"] != "officer" || u["agency_id"] != m.AgencyA.ID {
			t.Errorf("supervisor A sees %v", u)
		}
	}
	r = s.Do(http.MethodPost, "/api/v1/users", m.Tokens["supervisorA"], map[string]any{"username": "off.a2", "password": "sandi-rahasia-2", "role": "officer", "agency_id": m.AgencyA.ID})
	apiWantStatus(t, r, http.StatusCreated)
	apiNoSecrets(t, r, "sandi-rahasia-2")
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/users", m.Tokens["supervisorA"], map[string]any{"username": "off.b2", "password": "sandi-rahasia-2", "role": "officer", "agency_id": m.AgencyB.ID}), http.StatusForbidden, queue.EForbidden)

	// Deleting a user ends their sessions.
	tok := s.Login("petugas.baru", "sandi-rahasia-1")
	apiWantStatus(t, s.Do(http.MethodDelete, "/api/v1/users/"+id, s.Admin, nil), http.StatusNoContent)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/me", tok, nil), http.StatusUnauthorized, queue.EUnauthenticated)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/users/"+id, s.Admin, nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/login", "", map[string]any{"username": "petugas.baru", "password": "sandi-rahasia-1"}), http.StatusUnauthorized, queue.EInvalidCredentials)
}

// --- devices

func TestAPIDevices(t *testing.T) {
	t.Parallel()
	s := apptest.Start(t, apptest.Options{})
	m := s.SetupMall()

	r := s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "kiosk", "name": "Kiosk Lobi", "printer": "192.168.1.50:9100"})
	apiWantStatus(t, r, http.StatusCreated)
	var d struct {
		ID, Kind, Name, Printer, Token string
		AgencyIDs                      []string `json:"agency_ids"`
	}
	r.JSON(t, &d)
	if d.ID == "" || d.Kind != "kiosk" || d.Printer != "192.168.1.50:9100" || d.Token == "" || d.AgencyIDs == nil {
		t.Fatalf("created device: %s", r.Body)
	}

	// The token appears once: never in a list, a GET or a PUT answer.
	r = s.Do(http.MethodGet, "/api/v1/devices", s.Admin, nil)
	if l := apiList(t, r, "devices"); len(l) != 3 {
		t.Fatalf("devices: %s", r.Body)
	}
	apiNoSecrets(t, r, d.Token, m.Tokens["kiosk"], m.Tokens["display"])
	if strings.Contains(string(r.Body), `"token"`) {
		t.Errorf("device list has a token field: %s", r.Body)
	}
	r = s.Do(http.MethodGet, "/api/v1/devices/"+d.ID, s.Admin, nil)
	apiWantStatus(t, r, http.StatusOK)
	apiNoSecrets(t, r, d.Token)
	r = s.Do(http.MethodPut, "/api/v1/devices/"+d.ID, s.Admin, map[string]any{"kind": "kiosk", "name": "Kiosk Timur"})
	apiWantStatus(t, r, http.StatusOK)
	apiNoSecrets(t, r, d.Token)
	if got := apiObj(t, r); got["name"] != "Kiosk Timur" || got["printer"] != "" {
		t.Fatalf("PUT device replaces (printer left out is empty): %s", r.Body)
	}

	// The token works as a bearer token, also after the PUT.
	var issued apptest.IssueAnswer
	s.MustJSON(http.MethodPost, "/api/v1/tickets", d.Token, map[string]any{"service_id": m.ServiceA1.ID}, http.StatusCreated, &issued)
	if issued.Ticket.Channel != "kiosk" {
		t.Errorf("a kiosk's ticket has channel %q", issued.Ticket.Channel)
	}

	// A display with a zone.
	r = s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "display", "name": "Layar Dukcapil", "agency_ids": []string{m.AgencyA.ID}})
	apiWantStatus(t, r, http.StatusCreated)
	if got := apiObj(t, r); len(got["agency_ids"].([]any)) != 1 {
		t.Fatalf("display zone: %s", r.Body)
	}

	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "toaster", "name": ""}), "kind", "name")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "display", "name": "x", "printer": "10.0.0.1:9100"}), "printer")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "kiosk", "name": "x", "printer": "no-port"}), "printer")
	apiWantFields(t, s.Do(http.MethodPost, "/api/v1/devices", s.Admin, map[string]any{"kind": "display", "name": "x", "agency_ids": []string{"agc_nope"}}), "agency_ids")
	apiWantFields(t, s.Do(http.MethodPut, "/api/v1/devices/"+d.ID, s.Admin, map[string]any{"kind": "display", "name": "x"}), "kind")

	apiWantError(t, s.Do(http.MethodGet, "/api/v1/devices/dev_nope", s.Admin, nil), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodPut, "/api/v1/devices/dev_nope", s.Admin, map[string]any{"kind": "kiosk", "name": "x"}), http.StatusNotFound, queue.ENotFound)
	apiWantError(t, s.Do(http.MethodDelete, "/api/v1/devices/dev_nope", s.Admin, nil), http.StatusNotFound, queue.ENotFound)

	// Delete revokes the token.
	apiWantStatus(t, s.Do(http.MethodDelete, "/api/v1/devices/"+d.ID, s.Admin, nil), http.StatusNoContent)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/tickets", d.Token, map[string]any{"service_id": m.ServiceA1.ID}), http.StatusUnauthorized, queue.EUnauthenticated)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/state", d.Token, nil), http.StatusUnauthorized, queue.EUnauthenticated)
	apiWantError(t, s.Do(http.MethodGet, "/api/v1/devices/"+d.ID, s.Admin, nil), http.StatusNotFound, queue.ENotFound)
	// The other kiosk is unaffected.
	s.Issue(m, m.ServiceA1.ID, false)

	apiWantError(t, s.Do(http.MethodGet, "/api/v1/devices", m.Tokens["supervisorA"], nil), http.StatusForbidden, queue.EForbidden)
	apiWantError(t, s.Do(http.MethodPost, "/api/v1/devices", m.Tokens["kiosk"], map[string]any{"kind": "kiosk", "name": "x"}), http.StatusForbidden, queue.EForbidden)
}
