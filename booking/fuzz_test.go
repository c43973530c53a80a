package booking_test

// Fuzz target: arbitrary bytes as the body of POST /api/v1/bookings and
// of a reschedule, on a running server. Whatever comes in, the answer is
// never a 500, and anything but a 2xx is API.md's JSON error with a code.
//
//	go test -run X -fuzz FuzzBookingBody -fuzztime 30s ./booking/
//
// The booking code's parser has its own target in queue
// (FuzzParseBookingCode).

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
)

func FuzzBookingBody(f *testing.F) {
	s := apptest.Start(f, apptest.Options{Start: at("2026-11-26 07:00:00")})
	m := s.SetupMall()
	nik := *s.App.Engine.State().Service(m.ServiceA2.ID)
	nik.RequiresNIK = true
	s.MustJSON(http.MethodPut, "/api/v1/services/"+nik.ID, s.Admin, nik, http.StatusOK, nil)
	var c created
	s.MustJSON(http.MethodPost, "/api/v1/bookings", "", body(m.ServiceA1.ID, "2026-11-28", "09:00", "081299999999"), http.StatusCreated, &c)
	A1, A2 := m.ServiceA1.ID, m.ServiceA2.ID
	for _, seed := range []string{
		`{"service_id": "` + A1 + `", "date": "2026-11-27", "start": "09:00", "name": "Budi", "phone": "0812 3456 7890"}`,
		`{"service_id": "` + A2 + `", "date": "2026-11-27", "start": "09:30", "name": "Budi", "phone": "+62 812 3456 7891", "nik": "3171 0123 4567 8901"}`,
		`{"service_id": "` + A2 + `", "date": "2026-11-27", "start": "09:30", "name": "Budi", "phone": "0812", "nik": "x"}`,
		`{"service_id": "` + A1 + `", "date": "2026-11-26", "start": "24:00", "name": "", "phone": ""}`,
		`{"service_id": "` + A1 + `", "date": "9999-99-99", "start": "9:00", "name": "\u0000", "phone": "+"}`,
		`{"service_id": "` + A1 + `", "date": "2026-11-27", "start": "09:00", "name": "` + string(bytes.Repeat([]byte("x"), 200)) + `", "phone": "081234567890"}`,
		`{"service_id": "svc_nope", "date": "2026-11-27", "start": "09:00", "name": "a", "phone": "081234567890"}`,
		`{"date": "2026-11-27", "start": "09:00"}`,
		`{"service_id": 1}`,
		`{"service_id": "` + A1 + `", "nik": null}`,
		`{"date": "2026-11-30", "start": "10:00"}`,
		`{"date": "2026-11-30"}`,
		`{}`, ``, `null`, `[]`, `"x"`, `{"service_id": "` + A1 + `"} {}`, `{"service_id": "\ud800"}`, "{\"name\": \"\xff\xfe\"}",
	} {
		f.Add([]byte(seed))
	}
	client := &http.Client{Timeout: 10 * time.Second}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzSend(t, client, s.URL+"/api/v1/bookings", b)
		fuzzSend(t, client, s.URL+"/api/v1/bookings/"+c.Code+"/reschedule", b)
	})
}

func fuzzSend(t *testing.T, client *http.Client, url string, b []byte) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		t.Fatalf("body %q: status %d: %s", b, resp.StatusCode, raw)
	}
	if resp.StatusCode < 300 {
		if !json.Valid(raw) {
			t.Fatalf("body %q: %d answer is not JSON: %q", b, resp.StatusCode, raw)
		}
		return
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("body %q: status %d without a JSON error: %q", b, resp.StatusCode, raw)
	}
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
	default:
		t.Fatalf("body %q: unexpected status %d: %s", b, resp.StatusCode, raw)
	}
}
