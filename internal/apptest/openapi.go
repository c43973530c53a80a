package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	vErrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/paths"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// The OpenAPI check: every request a test sends to a test server through
// http.DefaultClient — apptest's Do and MustJSON, and the tests' own
// net/http calls with the default client — and every answer it gets are
// validated against the document the server serves
// (GET /api/v1/openapi.json), with libopenapi-validator. A violation fails
// the test that started the server, when it ends. So the document is
// tested against the real answers of the whole API test suite, and a route,
// a field, a status or an error code the document does not describe is a
// failing test.
//
// The rules:
//   - Every answer of a described operation must be described: its status,
//     its content type, its body (JSON bodies against their schema; others
//     — CSV, xlsx, PNG, .ics — by content type), its required headers (such
//     as Retry-After on 429). An answer described without content has no
//     body.
//   - A request the server accepted (status below 400) must validate: its
//     path, query and header parameters, its security and its body. A
//     request the server refused is the test's deliberate bad input and is
//     not held against the document; its answer still is.
//   - A body the server accepted for an operation described without a
//     requestBody is a violation (the validator alone would pass it).
//   - An /api path the document does not have must answer JSON 404
//     not_found; a described path with a method it lacks, 405
//     method_not_allowed (204 for OPTIONS). The screens' HTML pages are
//     described and checked like the API.
//   - Strict mode: an answer's field, a header or a query parameter that
//     the document does not declare is a violation even where a schema
//     would let it pass; strictOptions lists what is exempt.
//
// Not checked (exclusions): the screens' embedded files (excludedPrefixes:
// any content type, under paths an OpenAPI template cannot match); a path
// outside /api that the document does not describe (a browser's
// /favicon.ico); 101 Switching Protocols. Websockets (gorilla's dialer),
// the browser tests' Chromium and clients with a transport of their own
// (load generators, fuzzers: &http.Client{} uses http.DefaultTransport)
// are not seen.
//
// Every test that starts a server logs how many exchanges were validated
// (go test -v), with the running total of the process (OpenAPIValidated).
// ANTREAN_OPENAPI_CHECK=off turns the check off (to look at something
// else); it is on in CI.

// checked are the running test servers by host:port.
var checked sync.Map // string → *Server

func init() {
	if os.Getenv("ANTREAN_OPENAPI_CHECK") == "off" {
		return
	}
	// http.DefaultClient, not http.DefaultTransport: code under test
	// clones DefaultTransport as an *http.Transport.
	next := http.DefaultClient.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	http.DefaultClient.Transport = &checkingTransport{next: next}
}

// checkingTransport validates exchanges with registered test servers.
type checkingTransport struct{ next http.RoundTripper }

// CloseIdleConnections lets http.DefaultClient.CloseIdleConnections reach
// the real transport.
func (c *checkingTransport) CloseIdleConnections() {
	if ci, ok := c.next.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

func (c *checkingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	v, ok := checked.Load(req.URL.Host)
	if !ok {
		return c.next.RoundTrip(req)
	}
	s := v.(*Server)
	if excluded(req.URL.Path) {
		return c.next.RoundTrip(req)
	}
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		// RoundTrip must not change the caller's request.
		r2 := req.Clone(req.Context())
		r2.Body = io.NopCloser(bytes.NewReader(b))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		req = r2
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return resp, nil
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err != nil {
		// The caller meets the same cut answer; nothing to judge.
		return resp, nil
	}
	s.checked.Add(1)
	validatedTotal.Add(1)
	if problems := checkExchange(req, reqBody, resp, respBody); len(problems) > 0 {
		s.addViolation(fmt.Sprintf("%s %s → %d: %s", req.Method, req.URL.RequestURI(), resp.StatusCode, strings.Join(problems, "; ")))
	}
	return resp, nil
}

// validatedTotal counts the exchanges checked in this process.
var validatedTotal atomic.Int64

// OpenAPIValidated is how many requests and their answers the check has
// validated in this process so far.
func OpenAPIValidated() int64 { return validatedTotal.Load() }

// excludedPrefixes are the paths the check leaves alone: the screens'
// embedded files. The document describes them (tag "screens") as files of
// any type under a prefix, where {path} may hold "/", which an OpenAPI path
// template cannot match; what they hold is tested by the screens' own tests.
// The screens' HTML pages are checked like the API.
var excludedPrefixes = []string{
	"/static/", "/admin/assets/", "/booking/assets/", "/counter/assets/",
	"/display/assets/", "/display/voice/", "/kiosk/assets/", "/survey/assets/",
}

func excluded(path string) bool {
	for _, p := range excludedPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// addViolation keeps a violation for the end of the test.
func (s *Server) addViolation(v string) {
	s.checkMu.Lock()
	s.violations = append(s.violations, v)
	s.checkMu.Unlock()
}

// checkServer registers s for the check and fails its test, when it ends,
// on the violations seen.
func (s *Server) checkServer() {
	if _, on := http.DefaultClient.Transport.(*checkingTransport); !on {
		return
	}
	if err := loadOpenAPI(s.URL); err != nil {
		s.T.Fatalf("apptest: the served OpenAPI document does not load in the validator: %v", err)
	}
	host := strings.TrimPrefix(s.URL, "http://")
	checked.Store(host, s)
	s.T.Cleanup(func() {
		checked.CompareAndDelete(host, s)
		s.T.Logf("OpenAPI: validated %d requests and answers of this test (%d in this process)", s.checked.Load(), validatedTotal.Load())
		s.checkMu.Lock()
		vs := s.violations
		s.violations = nil
		s.checkMu.Unlock()
		const show = 20
		for i, v := range vs {
			if i == show {
				s.T.Errorf("OpenAPI: … and %d more violations", len(vs)-show)
				break
			}
			s.T.Errorf("OpenAPI: %s", v)
		}
		if len(vs) > 0 {
			s.T.Errorf("OpenAPI: %d requests or answers do not match httpapi/openapi.json (apptest/openapi.go says how they are checked)", len(vs))
		}
	})
}

var (
	oaOnce      sync.Once
	oaErr       error
	oaValidator validator.Validator
	oaModel     *v3.Document
	oaOptions   *config.ValidationOptions
	// oaRegexps keeps the validator's compiled path and pattern
	// expressions: without it every check compiles them again, a fifth
	// of the check's time.
	oaRegexps = &sync.Map{}
)

// loadOpenAPI compiles the document served at base once per process (the
// document is embedded in the binary, so every test server serves the
// same one).
func loadOpenAPI(base string) error {
	oaOnce.Do(func() {
		req, err := http.NewRequest(http.MethodGet, base+"/api/v1/openapi.json", nil)
		if err != nil {
			oaErr = err
			return
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			oaErr = err
			return
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			oaErr = fmt.Errorf("GET /api/v1/openapi.json: %d %v", resp.StatusCode, err)
			return
		}
		doc, err := libopenapi.NewDocument(raw)
		if err != nil {
			oaErr = err
			return
		}
		m, err := doc.BuildV3Model()
		if err != nil {
			oaErr = err
			return
		}
		oaModel = &m.Model
		oaValidator = validator.NewValidatorFromV3Model(oaModel, strictOptions()...)
		oaOptions = config.NewValidationOptions(config.WithRegexCache(oaRegexps))
	})
	return oaErr
}

// checkExchange validates one request and its answer; it returns what is
// wrong.
func checkExchange(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte) []string {
	path := req.URL.Path
	vreq := req.Clone(req.Context())
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	pathItem, errs, _ := paths.FindPath(vreq, oaModel, oaOptions)
	if pathItem == nil || len(errs) > 0 {
		missingPath := pathItem == nil
		for _, e := range errs {
			if e.IsPathMissingError() {
				missingPath = true
			}
		}
		switch {
		case missingPath && !strings.HasPrefix(path, "/api/"):
			return nil // a screen or a static file
		case missingPath:
			return expectError(resp, respBody, http.StatusNotFound, "not_found", "a path the document does not describe")
		case req.Method == http.MethodOptions:
			if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Allow") == "" {
				return []string{"OPTIONS on a described path answers 204 with Allow"}
			}
			return nil
		default:
			p := expectError(resp, respBody, http.StatusMethodNotAllowed, "method_not_allowed", "a method the document does not describe for this path")
			if resp.Header.Get("Allow") == "" {
				p = append(p, "405 without Allow")
			}
			return p
		}
	}
	var problems []string
	op := helpers.ExtractOperation(vreq, pathItem)
	if resp.StatusCode < 400 {
		if ok, verrs := oaValidator.ValidateHttpRequestSync(vreq); !ok {
			problems = append(problems, describe("request", verrs)...)
		}
		// The validator passes a body sent to an operation described
		// without one; the server took it, so the document must say so.
		if op != nil && op.RequestBody == nil && len(bytes.TrimSpace(reqBody)) > 0 {
			problems = append(problems, fmt.Sprintf("request: a %d-byte body was accepted, but the operation is described without a requestBody", len(reqBody)))
		}
	}
	vresp := *resp
	vresp.Body = io.NopCloser(bytes.NewReader(respBody))
	vreq.Body = io.NopCloser(bytes.NewReader(reqBody))
	if ok, verrs := oaValidator.ValidateHttpResponse(vreq, &vresp); !ok {
		problems = append(problems, describe("answer", verrs)...)
	}
	// What the validator leaves alone: an answer described without
	// content must have none, and a described content type must be the
	// one sent even when its body is not JSON.
	if op != nil && op.Responses != nil && op.Responses.Codes != nil {
		if r := op.Responses.Codes.GetOrZero(strconv.Itoa(resp.StatusCode)); r != nil && orderedmap.Len(r.Content) == 0 && len(respBody) > 0 && req.Method != http.MethodHead {
			problems = append(problems, fmt.Sprintf("answer: %d is described without content, but the answer has a %d-byte body (%s)", resp.StatusCode, len(respBody), resp.Header.Get("Content-Type")))
		}
	}
	return problems
}

// expectError checks an answer that only an error may be.
func expectError(resp *http.Response, body []byte, status int, code, what string) []string {
	var p []string
	if resp.StatusCode != status {
		p = append(p, fmt.Sprintf("%s answered %d, want %d", what, resp.StatusCode, status))
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/json" {
		p = append(p, fmt.Sprintf("%s answered %q, want JSON", what, resp.Header.Get("Content-Type")))
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code != code || e.Error.Message == "" {
		p = append(p, fmt.Sprintf("%s answered %.200q, want the error %s", what, body, code))
	}
	return p
}

// describe turns validation errors into short lines.
func describe(side string, errs []*vErrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		line := side + ": " + e.Message
		if e.Reason != "" && e.Reason != e.Message {
			line += " (" + e.Reason + ")"
		}
		var details []string
		for _, f := range e.SchemaValidationErrors {
			d := f.Reason
			if f.FieldPath != "" {
				d = f.FieldPath + ": " + d
			}
			if f.KeywordLocation != "" {
				d += " [" + f.KeywordLocation + "]"
			}
			details = append(details, d)
		}
		sort.Strings(details)
		if len(details) > 0 {
			line += ": " + strings.Join(details, ", ")
		}
		out = append(out, line)
	}
	return out
}

// strictOptions make the validator report what the document does not
// declare even where a schema would let it pass: an answer's field, a
// response header, a query parameter. The headers every answer carries
// (the description's Conventions) and the maps keyed by data are left out.
func strictOptions() []config.Option {
	return []config.Option{
		config.WithRegexCache(oaRegexps),
		config.WithStrictMode(),
		config.WithStrictIgnoredHeadersExtra(
			"content-security-policy", "referrer-policy", "x-content-type-options",
			"strict-transport-security", "x-csrf-token",
			// A reverse proxy's headers: not parameters of any operation;
			// the server heeds them only from its trusted proxies.
			"forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-ssl",
			"x-forwarded-host", "x-url-scheme", "x-real-ip",
		),
		config.WithStrictIgnorePaths(
			"$.cookies.antrean_session", // the cookie security scheme
			// Maps keyed by data (additionalProperties), which strict mode
			// reports key by key; ** because a key such as 'breaks[0].to'
			// is written $.body.error.fields['breaks[0].to'].
			"$.body.error.fields**", // Error.fields: by field name
			"$.body.profile**",      // IKMReport.profile: by question and answer
		),
	}
}
