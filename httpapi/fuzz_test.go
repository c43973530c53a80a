package httpapi_test

// Fuzz targets: arbitrary bytes as the body of POST /api/v1/tickets and
// PUT /api/v1/site on a running server. Whatever comes in, the answer is
// never a 500, and anything but a 2xx is API.md's JSON error with a code.
//
//	go test -run X -fuzz FuzzTicketBody -fuzztime 20s ./httpapi/
//	go test -run X -fuzz FuzzSiteBody -fuzztime 20s ./httpapi/

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
)

// fuzzSend posts body with the given bearer token and checks the answer.
// It uses only t (never the server's testing.F, which must not be used
// inside the fuzz function).
func fuzzSend(t *testing.T, client *http.Client, method, url, token string, body []byte) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Fatalf("%s with body %q: status %d: %s", method, body, resp.StatusCode, raw)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if !json.Valid(raw) {
			t.Fatalf("body %q: %d answer is not JSON: %q", body, resp.StatusCode, raw)
		}
		return
	}
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("body %q: status %d without a JSON error: %q", body, resp.StatusCode, raw)
	}
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
	default:
		t.Fatalf("body %q: unexpected status %d: %s", body, resp.StatusCode, raw)
	}
}

func FuzzTicketBody(f *testing.F) {
	s := apptest.Start(f, apptest.Options{})
	m := s.SetupMall()
	kiosk := m.Tokens["kiosk"]
	url := s.URL + "/api/v1/tickets"
	for _, seed := range []string{
		`{"service_id": "` + m.ServiceA1.ID + `"}`,
		`{"service_id": "` + m.ServiceB1.ID + `", "priority": true}`,
		`{"service_id": "` + m.ServiceA2.ID + `", "priority": false}`,
		`{"service_id": "svc_nope"}`,
		`{"service_id": ""}`,
		`{}`,
		``,
		`null`,
		`[]`,
		`{"service_id": 1}`,
		`{"service_id": "` + m.ServiceA1.ID + `", "priority": "yes"}`,
		`{"service_id": "` + m.ServiceA1.ID + `", "name": "Budi"}`,
		`{"service_id": "` + m.ServiceA1.ID + `"} {}`,
		`{"service_id": "` + m.ServiceA1.ID + `"`,
		`{"service_id": "\ud800"}`,
		"{\"service_id\": \"\xff\xfe\"}",
		`{"SERVICE_ID": "` + m.ServiceA1.ID + `"}`,
		`{"service_id": "` + m.ServiceA1.ID + `", "service_id": "x"}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`1e999999`,
	} {
		f.Add([]byte(seed))
	}
	client := &http.Client{Timeout: 5 * time.Second}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzSend(t, client, http.MethodPost, url, kiosk, body)
	})
}

func FuzzSiteBody(f *testing.F) {
	s := apptest.Start(f, apptest.Options{})
	admin := s.Admin
	url := s.URL + "/api/v1/site"
	for _, seed := range []string{
		`{"name": "MPP Kota", "timezone": "Asia/Jakarta", "weekdays": ["mon", "tue"], "opens": "08:00", "closes": "15:00"}`,
		`{"name": "MPP", "timezone": "Asia/Makassar", "base_url": "https://antrean.example.id", "issue_opens_before_min": 30,
		  "breaks": [{"name": "ISHOMA", "days": ["fri"], "from": "11:30", "to": "13:00"}], "holidays": ["2026-12-25"],
		  "special_days": [{"date": "2026-12-24", "opens": "08:00", "closes": "12:00"}, {"date": "2026-12-31"}],
		  "priority_interleave": 3, "checkin_before_min": 20, "checkin_after_min": 10, "announce_agency": true,
		  "ticket_paper_mm": 58, "running_text": "Selamat datang", "skm_elements": ["U1"], "skm_weight_mode": "0.111", "retention_days": 365}`,
		`{"name": "x", "closes": "24:00"}`,
		`{"name": "x", "opens": "24:01"}`,
		`{"timezone": "../../../etc/passwd"}`,
		`{"timezone": "Local"}`,
		`{"timezone": ""}`,
		`{"base_url": "javascript:alert(1)"}`,
		`{"holidays": ["2026-02-30", "yesterday"]}`,
		`{"special_days": [{"date": "2026-13-01", "opens": "9", "closes": ""}]}`,
		`{"breaks": [{"name": "", "days": ["xyz"], "from": "13:00", "to": "12:00"}]}`,
		`{"weekdays": []}`,
		`{"weekdays": ["mon", "mon"]}`,
		`{"priority_interleave": -1, "retention_days": 99999999999999999999}`,
		`{"skm_elements": []}`,
		`{"skm_weight_mode": "0.1"}`,
		`{"name": null}`,
		`null`,
		`{}`,
		``,
		`{"name": "x"} x`,
		`{"nama": "x"}`,
	} {
		f.Add([]byte(seed))
	}
	client := &http.Client{Timeout: 5 * time.Second}
	f.Fuzz(func(t *testing.T, body []byte) {
		fuzzSend(t, client, http.MethodPut, url, admin, body)
	})
}
