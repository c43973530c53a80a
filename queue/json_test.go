package queue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/mpp-digital/antrean/internal/jsonenc/jsonenctest"
)

// jsonCase builds the issue path's objects from fuzzed parts, with every
// optional part present or not.
func jsonCase(s1, s2, s3 string, n int, nanos int64, mask uint8) (*Ticket, *TicketEvent) {
	at := time.Unix(0, nanos%(1<<62)).In(time.FixedZone("", int(n%(14*60))*60))
	if y := at.Year(); y < 0 || y > 9999 {
		at = time.Date(2026, 11, 26, 8, 0, 0, int(nanos%1e9+1e9)%1e9, time.UTC)
	}
	opt := func(bit uint8) bool { return mask&(1<<bit) != 0 }
	tp := func(bit uint8) *time.Time {
		if opt(bit) {
			return &at
		}
		return nil
	}
	ip := func(bit uint8) *int {
		if opt(bit) {
			return &n
		}
		return nil
	}
	t := &Ticket{ID: s1, Number: s2, ServiceID: s3, AgencyID: s1 + s2, Status: Status(s3), Priority: opt(0),
		Channel: s2, Day: s1, IssuedAt: at, QueuedAt: at.Add(time.Second), CalledAt: tp(1), ServingAt: tp(2),
		DoneAt: tp(3), CounterID: s3, Calls: n, Key: "secret", Seq: 3, Index: 4}
	p := &PublicTicket{ID: s1, Number: s2, ServiceID: s3, ServiceName: s1, ServiceNameEN: s2, AgencyID: s3,
		AgencyName: s1, AgencyNameEN: s3, Status: Status(s2), Priority: opt(4), Channel: s3, Day: s1, Position: ip(5),
		PeopleAhead: ip(6), EtaMin: ip(7), CounterName: s2, CounterNameEN: s1, Calls: n, IssuedAt: at, CalledAt: tp(1),
		ServingAt: tp(2), DoneAt: tp(3), Fee: s3}
	if opt(3) {
		p.FeeEN = s1
	}
	if opt(4) {
		p.Requirements = []string{s1, s2}
		p.RequirementsEN = []string{s2, s3}
	} else if opt(5) {
		p.Requirements = []string{}
		p.RequirementsEN = []string{}
	}
	ev := &TicketEvent{Ticket: p, Service: &ServiceRef{ID: s1, Code: s2, Name: s3, NameEN: s1}}
	if opt(6) {
		ev.Counter = &Ref{ID: s2, Name: s3, NameEN: s1}
		ev.Agency = &Ref{ID: s1, Name: s2, NameEN: s3}
		ev.FromService = &ServiceRef{ID: s3, Code: s1, Name: s2, NameEN: s3}
	}
	if opt(7) {
		ev.Announcement = &Announcement{ID: s1 + " " + s2, EN: s3, ShortID: s2, ShortEN: s3 + s1}
	}
	return t, ev
}

// checkAppendJSON compares an appender's bytes and error with json.Marshal's.
func checkAppendJSON(t *testing.T, what string, got []byte, gotErr error, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if (err != nil) != (gotErr != nil) {
		t.Fatalf("%s: error %v, json.Marshal's %v", what, gotErr, err)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("%s:\n got  %s\n want %s", what, got, want)
	}
}

type jsonAppender interface{ AppendJSON([]byte) ([]byte, error) }

func checkValue(t *testing.T, what string, v jsonAppender) {
	t.Helper()
	got, err := v.AppendJSON(nil)
	checkAppendJSON(t, what, got, err, v)
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("20261126-42", "A042", "svc_8nnadd93ppqqy", 3, int64(1795000000e9), uint8(0))
	f.Add("<b>&amp;</b>", "\"x\"\\\n\t", "Perekaman KTP-el · é \u2028", -1, int64(1), uint8(0xff))
	f.Add("\xff\xfe", "", "\x00\x1f", 0, int64(-5e17), uint8(0x55))
	f.Fuzz(func(t *testing.T, s1, s2, s3 string, n int, nanos int64, mask uint8) {
		tk, ev := jsonCase(s1, s2, s3, n, nanos, mask)
		checkValue(t, "Ticket", tk)
		checkValue(t, "PublicTicket", ev.Ticket)
		checkValue(t, "TicketEvent", ev)
		ev.Ticket, ev.Service = nil, nil
		checkValue(t, "TicketEvent without ticket", ev)
	})
}

// The events a real day makes encode as encoding/json encodes them.
func TestAppendJSONIsMarshal(t *testing.T) {
	for mask := range 256 {
		tk, ev := jsonCase("20261126-7", "B007", "Paspor <baru> & \"ganti\"", 12, int64(mask)*1e9+17, uint8(mask))
		checkValue(t, "Ticket", tk)
		checkValue(t, "TicketEvent", ev)
	}
}

// Every field, however new, is written: a value with each field set.
func TestAppendJSONWritesEveryField(t *testing.T) {
	for _, v := range []jsonAppender{&Ticket{}, &PublicTicket{}, &TicketEvent{}} {
		jsonenctest.Fill(v)
		checkValue(t, fmt.Sprintf("%T", v), v)
	}
	// nil writes null, as json.Marshal does.
	for _, v := range []jsonAppender{(*Ticket)(nil), (*PublicTicket)(nil), (*TicketEvent)(nil)} {
		checkValue(t, fmt.Sprintf("nil %T", v), v)
	}
}

// A time json.Marshal refuses fails the encoding, as it fails json.Marshal.
func TestAppendJSONRefusesWhatMarshalRefuses(t *testing.T) {
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	tk, ev := jsonCase("20261126-1", "A001", "svc", 1, 0, 0xff)
	tk.DoneAt, ev.Ticket.ServingAt = &far, &far
	for _, v := range []jsonAppender{tk, ev.Ticket, ev} {
		if _, err := v.AppendJSON(nil); err == nil {
			t.Errorf("%T with a time in the year 10000: no error", v)
		}
		checkValue(t, fmt.Sprintf("%T", v), v)
	}
}
