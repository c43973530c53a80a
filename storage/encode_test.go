package storage

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/jsonenc/jsonenctest"
	"github.com/mpp-digital/antrean/queue"
)

// TestEncodeEventIsMarshal: the event encoder writes exactly what
// json.Marshal writes for events whose data json.Marshal made.
func TestEncodeEventIsMarshal(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 30, 5, 0, time.FixedZone("WIB", 7*3600))
	datas := []any{
		map[string]string{"day": "2026-11-26"},
		map[string]string{"what": "service", "id": "svc_<b>&\"x\"\u2028é"},
		&queue.Ticket{ID: "20261126-1", Number: "A001", IssuedAt: at},
		nil, []int{}, "s", 12.5, true,
	}
	types := []string{"ticket.issued", "config.changed", "we<ird>&\"type\"\n", "é"}
	for i, d := range datas {
		for j, typ := range types {
			raw, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			e := queue.Event{Seq: uint64(i*100 + j), Type: typ, At: at.Add(time.Duration(i) * time.Millisecond), Data: raw}
			want, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := encodeEvent(e)
			if err != nil || string(got) != string(want) {
				t.Fatalf("encodeEvent(%+v) = %s, %v; json.Marshal = %s", e, got, err, want)
			}
		}
	}
	for _, e := range []queue.Event{
		{Seq: 1, Type: "x", At: at}, // nil data
		{Seq: 2, Type: "x", At: at, Data: json.RawMessage(" { \"a\" : 1 }")},  // not compact
		{Seq: 3, Type: "x", At: at, Data: json.RawMessage{}},                  // empty: an error
		{Seq: 4, Type: "x", At: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, // year out of range: an error
	} {
		want, werr := json.Marshal(e)
		got, gerr := encodeEvent(e)
		if string(got) != string(want) || (werr == nil) != (gerr == nil) {
			t.Fatalf("encodeEvent(%+v) = %s, %v; json.Marshal = %s, %v", e, got, gerr, want, werr)
		}
	}
}

// FuzzAsMarshaled: what asMarshaled accepts is valid JSON that
// json.Marshal leaves as it is; and what json.Marshal writes, it accepts.
func FuzzAsMarshaled(f *testing.F) {
	for _, s := range []string{`{}`, `[]`, `{"a":1,"b":[true,false,null,-0.5e+3,"x\"\\\/\u00e9\n"]}`, `"<"`, `"\u003c"`,
		`{ "a":1}`, `[1,]`, `01`, `1.`, `-`, `"\u12"`, "\"\xe2\x80\xa8\"", "\"\xff\"", `{"a":{"b":[[[]]]}}`, `1e5`, `tru`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if asMarshaled(b) {
			if !json.Valid(b) {
				t.Fatalf("accepted invalid %q", b)
			}
			out, err := json.Marshal(json.RawMessage(b))
			if err != nil || string(out) != string(b) {
				t.Fatalf("accepted %q, json.Marshal writes %q (%v)", b, out, err)
			}
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			if m, err := json.Marshal(v); err == nil && !asMarshaled(m) {
				t.Fatalf("refused json.Marshal's own %q", m)
			}
		}
	})
}

// The ticket record, written by hand on every issue and call, is
// json.Marshal's bytes.
func TestTicketRecordIsMarshal(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.FixedZone("WITA", 8*3600))
	later := at.Add(90 * time.Second)
	for _, tk := range []*queue.Ticket{
		{},
		{ID: "20261126-42", Number: "A042", ServiceID: "svc_a", AgencyID: "agc_x", Status: queue.Waiting,
			Channel: "kiosk", Day: "2026-11-26", IssuedAt: at, QueuedAt: at, Key: "k<&>", IssuedServiceID: "svc_a", Seq: 42, Index: 42},
		{ID: "20261126-7", Number: "B007", Status: queue.Serving, Priority: true, IssuedAt: at, QueuedAt: later,
			CalledAt: &later, ServingAt: &later, DoneAt: &later, CounterID: "ctr_\u2028", Calls: 2, Key: "\xff", Seq: -1, Index: 7},
		filled(),
	} {
		r := ticketRecord(tk).(ticketRec)
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := r.appendJSON(nil); err != nil || !bytes.Equal(got, want) {
			t.Errorf("\n got  %s (%v)\n want %s", got, err, want)
		}
	}
	// A time json.Marshal refuses fails the record as it did before.
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := encode(queue.Put{Kind: queue.KindTicket, ID: "20261126-1", Value: &queue.Ticket{ID: "20261126-1", DoneAt: &far}}, ticketRecord); err == nil {
		t.Error("a ticket done in the year 10000 was encoded")
	}
}

// filled is a ticket with every field set (hidden ones included).
func filled() *queue.Ticket {
	var tk queue.Ticket
	jsonenctest.Fill(&tk)
	return &tk
}

// An event's record is stored as it is only when it is the event's own
// (its seq and type); any other is ignored and the event encoded afresh.
func TestEventRecordUsedOnlyWhenItFits(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	ev := queue.Event{Seq: 42, Type: "ticket.issued", At: at, Data: json.RawMessage(`{"n":1}`)}
	want, _ := json.Marshal(ev)
	own := append([]byte(nil), want...)
	for _, c := range []struct {
		name   string
		record []byte
	}{
		{"none", nil},
		{"its own", own},
		{"another seq", []byte(`{"seq":41,"type":"ticket.issued","at":"x","data":{}}`)},
		{"a longer seq", []byte(`{"seq":420,"type":"ticket.issued","at":"x","data":{}}`)},
		{"another type", []byte(`{"seq":42,"type":"ticket.called","at":"x","data":{}}`)},
		{"cut short", want[:len(want)-1]},
	} {
		e := ev
		e.Record = c.record
		got, err := encodeEvent(e)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %s (%v), want %s", c.name, got, err, want)
		}
		if c.name == "its own" && &got[0] != &own[0] {
			t.Error("the event's own record was encoded again instead of stored as it is")
		}
	}
}

func TestEventRecordOtherData(t *testing.T) {
	at := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	ev := queue.Event{Seq: 7, Type: "day.started", At: at, Data: json.RawMessage(`{"day":"2026-11-26"}`)}
	want, _ := json.Marshal(ev)
	ev.Record = []byte(`{"seq":7,"type":"day.started","at":"2026-11-26T08:00:00Z","data":{"day":"2026-11-25"}}`)
	if got, err := encodeEvent(ev); err != nil || !bytes.Equal(got, want) {
		t.Errorf("a record with other data was stored: %s (%v)", got, err)
	}
}
