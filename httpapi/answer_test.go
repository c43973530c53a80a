package httpapi

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/jsonenc/jsonenctest"
	"github.com/mpp-digital/antrean/queue"
)

// The answer to an issue, written by hand, is json.Marshal's bytes.
func TestIssueAnswerJSONIsMarshal(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.FixedZone("WIT", 9*3600))
	eta := 25
	for _, a := range []*IssueAnswer{
		{},
		IssueAnswerOf(&queue.Issued{Ticket: &queue.Ticket{ID: "20261126-42", Number: "A042", Status: queue.Waiting,
			Channel: "kiosk", Day: "2026-11-26", IssuedAt: at, QueuedAt: at, Key: "k9x"}, Position: 3, EtaMin: &eta},
			"https://mpp.example.go.id"),
		{Ticket: &queue.Ticket{ID: "x", CalledAt: &at}, Position: -1, StatusURL: "http://a/t/x?k=<&>", Printed: true},
		filledAnswer(),
		nil,
	} {
		want, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := a.AppendJSON(nil); err != nil || !bytes.Equal(got, want) {
			t.Errorf("\n got  %s (%v)\n want %s", got, err, want)
		}
	}
}

// filledAnswer has every field set, so a field the encoder forgot shows.
func filledAnswer() *IssueAnswer {
	var a IssueAnswer
	jsonenctest.Fill(&a)
	return &a
}
