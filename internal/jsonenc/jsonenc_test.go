package jsonenc

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "A001", `"quoted" \ back`, "<script>&amp;", "\x00\x1f\x7f", "tab\tnl\ncr\r\b\f", "Rp 50.000 · é ü 日本", "\u2028\u2029", "\xff\xfe bad", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := String(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("String(%q) = %s, encoding/json writes %s", s, got, want)
		}
		ss := []string{s, "x"}
		want, _ = json.Marshal(ss)
		if got := Strings(nil, ss); !bytes.Equal(got, want) {
			t.Fatalf("Strings = %s, want %s", got, want)
		}
	})
}

func TestValues(t *testing.T) {
	jkt := time.FixedZone("WIB", 7*3600)
	n := -42
	var err error
	for _, c := range []struct {
		got []byte
		v   any
	}{
		{Strings(nil, nil), []string(nil)},
		{Strings(nil, []string{}), []string{}},
		{Int(nil, 0), 0},
		{IntPtr(nil, &n), &n},
		{IntPtr(nil, nil), (*int)(nil)},
		{Bool(nil, true), true},
		{Time(nil, time.Date(2026, 11, 26, 8, 0, 0, 0, jkt), &err), time.Date(2026, 11, 26, 8, 0, 0, 0, jkt)},
		{Time(nil, time.Date(2026, 11, 26, 8, 0, 0, 1500, time.UTC), &err), time.Date(2026, 11, 26, 8, 0, 0, 1500, time.UTC)},
		{Time(nil, time.Date(0, 1, 1, 0, 0, 0, 0, time.FixedZone("", -(23*3600+59*60+30))), &err), time.Date(0, 1, 1, 0, 0, 0, 0, time.FixedZone("", -(23*3600+59*60+30)))},
		{TimePtr(nil, nil, &err), (*time.Time)(nil)},
	} {
		want, err := json.Marshal(c.v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(c.got, want) {
			t.Errorf("%#v: got %s, encoding/json writes %s", c.v, c.got, want)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	// Times json.Marshal refuses are refused here too, and the first
	// error is kept.
	for _, bad := range []time.Time{
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)),
	} {
		if _, jerr := json.Marshal(bad); jerr == nil {
			t.Fatalf("json.Marshal takes %v", bad)
		}
		var err error
		if got := Time([]byte("x"), bad, &err); err == nil || string(got) != "x" {
			t.Errorf("Time(%v) = %q, %v; want nothing appended and an error", bad, got, err)
		}
		first := err
		Time(nil, bad, &err)
		if err != first {
			t.Error("a second error replaced the first")
		}
	}
}
