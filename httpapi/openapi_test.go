package httpapi_test

import (
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/internal/apptest"
	"github.com/mpp-digital/antrean/queue"
)

// openAPIMethods are the operation keys of an OpenAPI path item.
var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// fetchOpenAPI gets the served document and checks how it is served.
func fetchOpenAPI(t *testing.T, s *apptest.Server) map[string]any {
	t.Helper()
	r := s.Do(http.MethodGet, "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json without a token: %d %s, want 200", r.Status, r.Body)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		t.Errorf("Content-Type %q, want application/json", r.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("the document is not JSON: %v", err)
	}
	return doc
}

// echoToOpenAPI turns an echo path into an OpenAPI one: /a/:id → /a/{id},
// and a trailing wildcard /assets/* → /assets/{path} (the document says
// that such a {path} may hold "/").
var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

func echoToOpenAPI(p string) string {
	p = echoParam.ReplaceAllString(p, "{$1}")
	if strings.HasSuffix(p, "/*") {
		p = strings.TrimSuffix(p, "*") + "{path}"
	}
	return p
}

// operations lists the document's operations as "METHOD /path".
func openAPIOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		t.Fatal("the document has no paths")
	}
	ops := map[string]map[string]any{}
	for p, item := range paths {
		pi, ok := item.(map[string]any)
		if !ok {
			t.Errorf("paths[%q] is not an object", p)
			continue
		}
		for _, m := range openAPIMethods {
			if o, ok := pi[m]; ok {
				op, ok := o.(map[string]any)
				if !ok {
					t.Errorf("%s %s is not an object", m, p)
					continue
				}
				ops[strings.ToUpper(m)+" "+p] = op
			}
		}
	}
	return ops
}

// TestOpenAPI: the document is served to anyone as JSON, is OpenAPI 3.1,
// describes exactly the routes registered on the server — the API, the
// probes, /metrics and the screens with their files — (so the two cannot
// drift), and is well formed: every operation answers something, says who
// may call it, declares its path parameters, describes the body it takes,
// the schema of each answer and its error answers in API.md's error shape,
// and every $ref resolves. (internal/apptest/openapi.go checks the real
// requests and answers of the test suite against it.)
func TestOpenAPI(t *testing.T) {
	s := apptest.Start(t, apptest.Options{})
	doc := fetchOpenAPI(t, s)

	t.Run("version", func(t *testing.T) {
		v, _ := doc["openapi"].(string)
		if !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(v) {
			t.Errorf("openapi %q, want 3.1.x", v)
		}
		info, _ := doc["info"].(map[string]any)
		if info["title"] == nil || info["version"] == nil {
			t.Errorf("info needs a title and a version: %v", info)
		}
	})

	ops := openAPIOperations(t, doc)

	t.Run("routes", func(t *testing.T) {
		registered := map[string]bool{}
		for _, rt := range s.App.API.Echo.Routes() {
			registered[rt.Method+" "+echoToOpenAPI(rt.Path)] = true
		}
		var missing, extra []string
		for route := range registered {
			if ops[route] == nil {
				missing = append(missing, route)
			}
		}
		for route := range ops {
			if !registered[route] {
				extra = append(extra, route)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		for _, r := range missing {
			t.Errorf("route %s is registered but not in httpapi/openapi.json: describe it", r)
		}
		for _, r := range extra {
			t.Errorf("httpapi/openapi.json describes %s, which the server does not register", r)
		}
		if ops["GET /api/v1/openapi.json"] == nil {
			t.Error("the document does not describe itself")
		}
	})

	t.Run("operations", func(t *testing.T) {
		schemes := map[string]any{}
		if comps, ok := doc["components"].(map[string]any); ok {
			schemes, _ = comps["securitySchemes"].(map[string]any)
		}
		for _, name := range []string{"bearer", "cookie", "csrf"} {
			if schemes[name] == nil {
				t.Errorf("components.securitySchemes has no %q", name)
			}
		}
		ids := map[string]string{}
		pathParam := regexp.MustCompile(`\{([^}]+)\}`)
		for route, op := range ops {
			_, path, _ := strings.Cut(route, " ")
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", route)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s and %s share operationId %q", route, other, id)
			}
			ids[id] = route
			if resp, _ := op["responses"].(map[string]any); len(resp) == 0 {
				t.Errorf("%s has no responses", route)
			}
			if d, _ := op["description"].(string); !strings.HasPrefix(d, "**Who:** ") {
				t.Errorf("%s: the description must start with **Who:** and the roles allowed", route)
			}
			sec, ok := op["security"].([]any)
			if !ok || len(sec) == 0 {
				t.Errorf("%s has no security requirements", route)
			}
			for _, req := range sec {
				for name := range req.(map[string]any) {
					if schemes[name] == nil {
						t.Errorf("%s: security scheme %q is not defined", route, name)
					}
				}
			}
			// Path parameters: declared on the path item or the operation.
			declared := map[string]bool{}
			pi := doc["paths"].(map[string]any)[path].(map[string]any)
			for _, list := range []any{pi["parameters"], op["parameters"]} {
				ps, _ := list.([]any)
				for _, p := range ps {
					pm := resolveParam(t, doc, p)
					if pm["in"] == "path" {
						declared[pm["name"].(string)] = true
						if pm["required"] != true {
							t.Errorf("%s: path parameter %v must be required", route, pm["name"])
						}
					}
				}
			}
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				if !declared[m[1]] {
					t.Errorf("%s: path parameter {%s} is not declared", route, m[1])
				}
			}
		}
		// Idempotency-Key where API.md accepts it.
		idem := []string{"POST /api/v1/tickets", "POST /api/v1/bookings", "POST /api/v1/bookings/{code}/check-in"}
		for _, act := range queue.CounterActions {
			idem = append(idem, "POST /api/v1/counters/{id}/"+act)
		}
		for _, route := range idem {
			op := ops[route]
			if op == nil {
				t.Errorf("%s is not described", route)
				continue
			}
			ps, _ := op["parameters"].([]any)
			if !slices.ContainsFunc(ps, func(p any) bool {
				pm := resolveParam(t, doc, p)
				return pm["in"] == "header" && pm["name"] == "Idempotency-Key"
			}) {
				t.Errorf("%s does not take the Idempotency-Key header", route)
			}
		}
	})

	t.Run("bodies and answers", func(t *testing.T) {
		errorRef := "#/components/schemas/Error"
		for route, op := range ops {
			method, path, _ := strings.Cut(route, " ")
			// A body: PUT always; POST unless the route takes none at all
			// (the check in apptest fails a described-as-bodiless route
			// that accepts one).
			rb, _ := op["requestBody"].(map[string]any)
			if rb == nil && (method == "PUT" || method == "PATCH") {
				t.Errorf("%s takes a body but describes no requestBody", route)
			}
			if rb != nil {
				content, _ := rb["content"].(map[string]any)
				if len(content) == 0 {
					t.Errorf("%s: requestBody without content", route)
				}
				for mt, m := range content {
					if mm, _ := m.(map[string]any); mm["schema"] == nil {
						t.Errorf("%s: requestBody %s has no schema", route, mt)
					}
				}
			}
			responses, _ := op["responses"].(map[string]any)
			var success, errs int
			for code, r := range responses {
				resp := resolveResponse(t, doc, r)
				content, _ := resp["content"].(map[string]any)
				for mt, m := range content {
					if mm, _ := m.(map[string]any); mm["schema"] == nil {
						t.Errorf("%s: answer %s %s has no schema", route, code, mt)
					}
				}
				switch {
				case strings.HasPrefix(code, "2") || code == "101":
					success++
				case strings.HasPrefix(code, "4") || strings.HasPrefix(code, "5"):
					errs++
					// Errors are API.md's JSON error object; the exceptions
					// are outside /api: the readiness probe answers 503
					// with its Health object, a missing screen file is
					// plain text, a missing ticket page HTML. Websocket
					// handshake failures of the library are plain text too.
					js, _ := content["application/json"].(map[string]any)
					schema, _ := js["schema"].(map[string]any)
					isError := schema["$ref"] == errorRef
					exception := !strings.HasPrefix(path, "/api/") || (route == "GET /api/v1/ws" && code == "400")
					if !isError && !exception {
						t.Errorf("%s: error answer %s is not the Error object (application/json, $ref %s)", route, code, errorRef)
					}
				}
			}
			if success == 0 {
				t.Errorf("%s describes no successful answer", route)
			}
			if errs == 0 {
				t.Errorf("%s describes no error answer", route)
			}
		}
	})

	t.Run("refs", func(t *testing.T) {
		n := 0
		walkRefs(doc, "#", func(at, ref string) {
			n++
			if _, err := resolvePointer(doc, ref); err != "" {
				t.Errorf("%s: $ref %q does not resolve: %s", at, ref, err)
			}
		})
		if n == 0 {
			t.Error("no $ref in the document")
		}
		schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
		for _, name := range []string{"Site", "Break", "SpecialDay", "Agency", "Service", "Counter", "Ticket", "PublicTicket",
			"User", "Device", "CreatedDevice", "IssueAnswer", "Board", "Event", "Error",
			"Slot", "SlotList", "BookingInput", "BookingCreated", "Booking", "BookingEvent"} {
			if schemas[name] == nil {
				t.Errorf("components.schemas has no %s", name)
			}
		}
	})
}

// resolveResponse follows a response's $ref.
func resolveResponse(t *testing.T, doc map[string]any, r any) map[string]any {
	t.Helper()
	rm, _ := r.(map[string]any)
	if ref, ok := rm["$ref"].(string); ok {
		v, err := resolvePointer(doc, ref)
		if err != "" {
			t.Errorf("response $ref %q: %s", ref, err)
			return map[string]any{}
		}
		rm, _ = v.(map[string]any)
	}
	if rm == nil {
		return map[string]any{}
	}
	return rm
}

// resolveParam follows a parameter's $ref.
func resolveParam(t *testing.T, doc map[string]any, p any) map[string]any {
	t.Helper()
	pm, _ := p.(map[string]any)
	if ref, ok := pm["$ref"].(string); ok {
		v, err := resolvePointer(doc, ref)
		if err != "" {
			t.Errorf("parameter $ref %q: %s", ref, err)
			return map[string]any{}
		}
		pm, _ = v.(map[string]any)
	}
	if pm == nil {
		return map[string]any{}
	}
	return pm
}

// walkRefs calls f for every "$ref" in v, and for every discriminator
// mapping value (they name schemas too).
func walkRefs(v any, at string, f func(at, ref string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			switch {
			case k == "$ref":
				if s, ok := e.(string); ok {
					f(at, s)
				} else {
					f(at, "(not a string)")
				}
			case k == "discriminator":
				if d, ok := e.(map[string]any); ok {
					if m, ok := d["mapping"].(map[string]any); ok {
						for name, target := range m {
							s, _ := target.(string)
							f(at+"/discriminator/mapping/"+name, s)
						}
					}
				}
			default:
				walkRefs(e, at+"/"+k, f)
			}
		}
	case []any:
		for i, e := range x {
			walkRefs(e, at+"/"+strconv.Itoa(i), f)
		}
	}
}

// resolvePointer resolves a local reference "#/a/b" in doc; it answers
// why not when it cannot.
func resolvePointer(doc map[string]any, ref string) (any, string) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, "not a local reference (#/...)"
	}
	var cur any = doc
	for _, tok := range strings.Split(ref[2:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				return nil, "no " + strconv.Quote(tok)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, "no index " + tok
			}
			cur = c[i]
		default:
			return nil, "cannot descend into " + strconv.Quote(tok)
		}
	}
	return cur, ""
}
