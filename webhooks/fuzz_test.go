package webhooks

// FuzzWebhookBody: arbitrary bytes as the body of POST /api/v1/webhooks,
// through the handler's decoder (strict JSON, then the webhook's rules):
//
//	go test -run X -fuzz FuzzWebhookBody -fuzztime 30s ./webhooks/
//
// Whatever comes in, the decoder does not panic; it refuses with API.md's
// invalid_input naming the fields at fault, or accepts a webhook that
// passes its own validation, whose URL is absolute http(s), whose types
// are known and unrepeated, and which decodes again to the same webhook.

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

func decodeBytes(body []byte) (*queue.Webhook, error) {
	req := httptest.NewRequest(http.MethodPost, "/api/v1/webhooks", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return decodeInput(echo.New().NewContext(req, httptest.NewRecorder()))
}

func FuzzWebhookBody(f *testing.F) {
	for _, seed := range []string{
		`{"url": "https://portal.mpp.go.id/antrean", "events": [], "secret": "0123456789abcdef"}`,
		`{"url": "http://10.0.0.5:8081/hook?x=1", "events": ["ticket.called", "day.started"], "secret": "rahasia-yang-cukup-panjang"}`,
		`{"url": "https://x.example/", "secret": "0123456789abcdef", "events": null}`,
		`{"url": "https://x.example/", "secret": "0123456789abcdef", "events": ["ticket.called", "ticket.called"]}`,
		`{"url": "https://x.example/", "secret": "0123456789abcdef", "events": ["TICKET.CALLED"]}`,
		`{"url": "https://x.example/", "secret": "0123456789abcdef", "events": [1]}`,
		`{"url": "https://user:pass@x.example/", "secret": "0123456789abcdef"}`,
		`{"url": "javascript:alert(1)", "secret": "0123456789abcdef"}`,
		`{"url": "https://x.example/#a", "secret": "0123456789abcdef"}`,
		`{"url": "https://[::1]:99999/", "secret": "0123456789abcdef"}`,
		`{"url": "https://x.example/\u0000", "secret": "0123456789abcdef"}`,
		`{"url": "https://x.example/", "secret": "0123456789abcde\u0007"}`,
		`{"url": "https://x.example/", "secret": "\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800\ud800"}`,
		"{\"url\": \"https://x.example/\", \"secret\": \"\xff\xfe\xfd\xfc\xff\xfe\xfd\xfc\xff\xfe\xfd\xfc\xff\xfe\xfd\xfc\"}",
		`{"url": "https://x.example/", "secret": "short"}`,
		`{"url": "https://x.example/", "secret": "0123456789abcdef", "id": "whk_mine"}`,
		`{"url": "https://x.example/", "secret": "0123456789abcdef"} []`,
		`{"url": "https://x.example/", "secret": "0123456789abcdef"`,
		`{"URL": "https://x.example/", "Secret": "0123456789abcdef"}`,
		`{}`, ``, `null`, `[]`, `"x"`, `1e999`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w, err := decodeBytes(body)
		if err != nil {
			var qe *queue.Error
			if !errors.As(err, &qe) || qe.Code != queue.EInvalid || len(qe.Fields) == 0 {
				t.Fatalf("body %q: error %v, want invalid_input with fields", body, err)
			}
			for k, v := range qe.Fields {
				if v == "" { // k may be "": an unknown field named ""
					t.Fatalf("body %q: field error %q: %q", body, k, v)
				}
			}
			return
		}
		if err := w.Validate(); err != nil {
			t.Fatalf("body %q: accepted a webhook that does not validate: %v", body, err)
		}
		u, err := url.Parse(w.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			t.Fatalf("body %q: accepted URL %q", body, w.URL)
		}
		if n := utf8.RuneCountInString(w.Secret); n < queue.MinWebhookSecretLen || n > queue.MaxWebhookSecretLen || !utf8.ValidString(w.Secret) {
			t.Fatalf("body %q: accepted secret %q", body, w.Secret)
		}
		seen := map[string]bool{}
		for _, typ := range w.Events {
			if !slices.Contains(queue.EventTypes, typ) || seen[typ] {
				t.Fatalf("body %q: accepted events %q", body, w.Events)
			}
			seen[typ] = true
		}
		if w.Events == nil || w.ID != "" {
			t.Fatalf("body %q: accepted %+v", body, w)
		}
		again, _ := json.Marshal(input{URL: w.URL, Events: w.Events, Secret: w.Secret})
		w2, err := decodeBytes(again)
		if err != nil || !reflect.DeepEqual(w, w2) {
			t.Fatalf("body %q: accepted %+v, but its own encoding %s gives %+v, %v", body, w, again, w2, err)
		}
	})
}
