package apptest

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// answer makes an answer as a server might send it.
func answer(status int, ctype, body string) *http.Response {
	h := http.Header{}
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

// TestOpenAPICheck: the check passes the server's real exchanges and
// reports exchanges that the document does not describe, so a passing
// suite means something.
func TestOpenAPICheck(t *testing.T) {
	s := Start(t, Options{})
	before := s.checked.Load()
	r := s.Do(http.MethodGet, "/api/v1/site", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/site: %d %s", r.Status, r.Body)
	}
	if n := s.checked.Load() - before; n != 1 {
		t.Errorf("one request through Do: %d exchanges checked, want 1", n)
	}
	if OpenAPIValidated() < 1 {
		t.Errorf("OpenAPIValidated() = %d after a checked request", OpenAPIValidated())
	}

	check := func(method, path, reqBody string, resp *http.Response) []string {
		t.Helper()
		var rd io.Reader = http.NoBody
		if reqBody != "" {
			rd = bytes.NewReader([]byte(reqBody))
		}
		req, err := http.NewRequest(method, s.URL+path, rd)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+s.Admin)
		if reqBody != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		body, _ := io.ReadAll(resp.Body)
		return checkExchange(req, []byte(reqBody), resp, body)
	}

	// The real answer passes.
	real := answer(http.StatusOK, r.Header.Get("Content-Type"), string(r.Body))
	real.Header = r.Header
	if p := check(http.MethodGet, "/api/v1/site", "", real); len(p) > 0 {
		t.Errorf("the real answer of GET /api/v1/site: %v", p)
	}

	for _, c := range []struct {
		name, method, path, body string
		resp                     *http.Response
		want                     string
	}{
		{"a field the schema lacks", http.MethodGet, "/api/v1/site", "",
			answer(http.StatusOK, "application/json", strings.Replace(string(r.Body), "{", `{"surprise": 1,`, 1)), "surprise"},
		{"a wrong type", http.MethodGet, "/api/v1/agencies", "",
			answer(http.StatusOK, "application/json", `{"agencies": 3}`), "agencies"},
		{"an undescribed status", http.MethodGet, "/api/v1/site", "",
			answer(http.StatusTeapot, "application/json", `{"error": {"code": "x", "message": "y"}}`), "418"},
		{"an error not in the Error shape", http.MethodGet, "/api/v1/agencies/nope", "",
			answer(http.StatusNotFound, "application/json", `{"oops": true}`), "missing property 'error'"},
		{"an unknown /api path answering HTML", http.MethodGet, "/api/v1/nothing-here", "",
			answer(http.StatusNotFound, "text/html", `<h1>404</h1>`), "not_found"},
		{"a body accepted where none is described", http.MethodPost, "/api/v1/logout", `{"a": 1}`,
			answer(http.StatusNoContent, "", ""), "requestBody"},
		{"a request field the schema lacks, accepted", http.MethodPost, "/api/v1/agencies", `{"code": "ABC", "name": "A", "short_name": "A", "extra": 1}`,
			answer(http.StatusCreated, "application/json", `{}`), "extra"},
	} {
		p := check(c.method, c.path, c.body, c.resp)
		if !strings.Contains(strings.Join(p, "; "), c.want) {
			t.Errorf("%s: %s %s → %d: problems %q, want one naming %q", c.name, c.method, c.path, c.resp.StatusCode, p, c.want)
		}
	}
}
