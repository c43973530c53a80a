package survey

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/mpp-digital/antrean/queue"
)

// FuzzDecodeFeedback: the feedback body decoder alone, on arbitrary
// bytes. It never panics; it refuses with invalid_input (never an
// internal error); and what it accepts is exactly what the same fields
// say when encoded and decoded again.
//
//	go test -run X -fuzz FuzzDecodeFeedback -fuzztime 20s ./survey/
func FuzzDecodeFeedback(f *testing.F) {
	for _, seed := range []string{
		`{"scores":[4,4,4,4,4,4,4,4,4]}`,
		`{"scores":[1,2,3,4],"profile":{"gender":"L","age_band":"<20"},"comment":"Terima kasih"}`,
		`{"scores":[],"profile":{}}`, `{"scores":[1],"x":1}`, `{"scores":[1]} 1`, `{"comment":"\u202e"}`, `[`, ``,
	} {
		f.Add([]byte(seed))
	}
	e := echo.New()
	decode := func(body []byte) (queue.SubmitFeedback, error) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/tickets/x/feedback", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return decodeFeedback(e.NewContext(req, httptest.NewRecorder()))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		cmd, err := decode(body)
		if err != nil {
			if code := queue.ErrorCode(err); code != queue.EInvalid {
				t.Fatalf("body %q: error %v (%s), want invalid_input", body, err, code)
			}
			return
		}
		b := feedbackBody{Scores: cmd.Scores, Comment: cmd.Comment, Profile: &cmd.Profile}
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("body %q: re-encoding %+v: %v", body, b, err)
		}
		again, err := decode(raw)
		if err != nil {
			t.Fatalf("body %q: the re-encoded %s is refused: %v", body, raw, err)
		}
		if len(again.Scores) == 0 && len(cmd.Scores) == 0 {
			again.Scores, cmd.Scores = nil, nil
		}
		if !reflect.DeepEqual(again, cmd) {
			t.Fatalf("body %q: decoded %+v, re-decoded %+v", body, cmd, again)
		}
	})
}
