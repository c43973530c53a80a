package survey_test

// Fuzz target: arbitrary bytes as the body of POST
// /api/v1/tickets/{id}/feedback on a running server, with the ticket's
// key. Whatever comes in, the answer is never a 500: 201 once, then
// API.md's JSON error (400 for the body, 409 once rated).
//
//	go test -run X -fuzz FuzzFeedbackBody -fuzztime 20s ./survey/

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/apptest"
)

func FuzzFeedbackBody(f *testing.F) {
	for _, seed := range []string{
		`{"scores":[4,4,4,4,4,4,4,4,4]}`,
		`{"scores":[1,2,3,4,1,2,3,4,1],"profile":{"gender":"P","age_band":"60+","education":"D1-D3","occupation":"Lainnya"},"comment":"ok"}`,
		`{"scores":[4,4,4,4,4,4,4,4,4],"profile":null,"comment":""}`,
		`{"scores":[0,5,-1,1e9,4,4,4,4,4]}`,
		`{"scores":[4,4,4,4,4,4,4,4,4],"comment":"\u0000\n\t"}`,
		`{"scores":[4.5]}`, `{"scores":null}`, `{"profile":{"gender":1}}`, `{}`, `[]`, `null`, `"x"`, ``, `{`,
	} {
		f.Add([]byte(seed))
	}
	s := apptest.Start(f, apptest.Options{Start: time.Date(2026, 11, 26, 9, 0, 0, 0, jakarta)})
	m := s.SetupMall()
	ctr := "/api/v1/counters/" + m.CounterA.ID + "/"
	s.MustJSON(http.MethodPost, ctr+"open", s.Admin, nil, http.StatusOK, nil)
	a := s.Issue(m, m.ServiceA1.ID, false)
	s.MustJSON(http.MethodPost, ctr+"next", s.Admin, nil, http.StatusOK, nil)
	s.MustJSON(http.MethodPost, ctr+"done", s.Admin, nil, http.StatusOK, nil)
	url := s.URL + feedbackPath(a, a.Key())
	client := &http.Client{Timeout: 10 * time.Second}
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := client.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		switch resp.StatusCode {
		case http.StatusCreated:
			if !json.Valid(raw) {
				t.Fatalf("body %q: 201 answer is not JSON: %q", body, raw)
			}
			return
		case http.StatusBadRequest, http.StatusConflict, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("body %q: status %d: %s", body, resp.StatusCode, raw)
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(raw, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("body %q: %d without a JSON error: %q", body, resp.StatusCode, raw)
		}
	})
}
