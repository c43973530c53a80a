package storage

import (
	"encoding/json"
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

// FuzzDecodeTicket: the ticket record decoder never panics, and what it
// accepts encodes and decodes again to the same record.
func FuzzDecodeTicket(f *testing.F) {
	seed, _ := json.Marshal(ticketRecord(&queue.Ticket{ID: "20261126-1", Number: "A001", Key: "k", Seq: 1, Index: 1}))
	for _, s := range []string{string(seed), `{}`, `null`, `[]`, `{"called_at":"x"}`, `{"index":1e99}`, `{"status":7}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tk, err := decodeTicket(b)
		if err != nil {
			return
		}
		again, err := json.Marshal(ticketRecord(tk))
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		tk2, err := decodeTicket(again)
		if err != nil {
			t.Fatalf("decode of re-encoded %s: %v", again, err)
		}
		if a, _ := json.Marshal(ticketRecord(tk2)); string(a) != string(again) {
			t.Fatalf("not stable:\n%s\n%s", again, a)
		}
	})
}
