package queue_test

import (
	"strings"
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

func TestParseBookingCode(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"K7P2XM9Q", "K7P2XM9Q"},
		{"k7p2xm9q", "K7P2XM9Q"},
		{"  K7P2-XM9Q ", "K7P2XM9Q"},
		{"K7P2 XM9Q", "K7P2XM9Q"},
		{"http://antrean.local:8080/booking/K7P2XM9Q", "K7P2XM9Q"},
		{"https://mpp.example.id/booking/k7p2xm9q/", "K7P2XM9Q"},
		{"https://mpp.example.id/booking/K7P2XM9Q?lang=en", "K7P2XM9Q"},
		{"https://mpp.example.id/booking?code=K7P2XM9Q&lang=en", "K7P2XM9Q"},
		{"https://mpp.example.id/booking/K7P2XM9Q#x", "K7P2XM9Q"},
		{"K7P2XM9", ""},            // too short
		{"K7P2XM9QA", ""},          // too long
		{"K7P2XM0Q", ""},           // 0 is not in the alphabet
		{"K7P2XMOQ", ""},           // nor O
		{"K7P2XM1Q", ""},           // nor 1
		{"K7P2XMIQ", ""},           // nor I
		{"K7P2XMLQ", ""},           // nor L
		{"K7P2XM9Ç", ""},           // nor anything outside ASCII
		{"https://x/booking/", ""}, // a URL without a code
		{"", ""},
		{strings.Repeat("A", 5000), ""},
	} {
		got, ok := queue.ParseBookingCode(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("ParseBookingCode(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestNewBookingCode(t *testing.T) {
	seen := map[string]bool{}
	counts := map[rune]int{}
	for range 20000 {
		c := queue.NewBookingCode()
		if got, ok := queue.ParseBookingCode(c); !ok || got != c {
			t.Fatalf("NewBookingCode made %q, which does not parse", c)
		}
		if seen[c] {
			t.Fatalf("NewBookingCode repeated %q", c)
		}
		seen[c] = true
		for _, r := range c {
			counts[r]++
		}
	}
	// Every symbol of the alphabet comes up, about as often as the others
	// (160,000 symbols over 31: ~5,161 each).
	for _, r := range queue.BookingCodeAlphabet {
		if n := counts[r]; n < 4500 || n > 5900 {
			t.Errorf("symbol %c came %d times of 160000", r, n)
		}
	}
}

func FuzzParseBookingCode(f *testing.F) {
	for _, s := range []string{"K7P2XM9Q", "k7p2-xm9q", "http://h/booking/K7P2XM9Q", "?code=K7P2XM9Q", "0O1IL", "", "////", "code=", "\xff\xfe", "K7P2XM9Q\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := queue.ParseBookingCode(s)
		if !ok {
			if code != "" {
				t.Fatalf("%q: not ok but code %q", s, code)
			}
			return
		}
		if len(code) != queue.BookingCodeLen {
			t.Fatalf("%q: code %q of length %d", s, code, len(code))
		}
		for _, r := range code {
			if !strings.ContainsRune(queue.BookingCodeAlphabet, r) {
				t.Fatalf("%q: code %q has %q, not in the alphabet", s, code, r)
			}
		}
		if again, ok := queue.ParseBookingCode(code); !ok || again != code {
			t.Fatalf("%q: code %q does not parse as itself (%q, %v)", s, code, again, ok)
		}
	})
}

func TestNormalizePhone(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"081234567890", "+6281234567890"},
		{"0812-3456-7890", "+6281234567890"},
		{"0812 3456 7890", "+6281234567890"},
		{"+62 812 3456 7890", "+6281234567890"},
		{"+62 0812 3456 7890", "+6281234567890"},
		{"6281234567890", "+6281234567890"},
		{"(021) 555-1234", "+62215551234"},
		{"0771.21234", "+6277121234"},
		{"+1 202 555 0100", ""}, // another country
		{"81234567890", ""},     // no 0 or 62
		{"0812", ""},            // too short
		{"08123456789012345", ""},
		{"0812 3456 789O", ""}, // a letter
		{"+62+812345678", ""},
		{"", ""},
	} {
		got, ok := queue.NormalizePhone(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestNormalizeNIK(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"3171012345678901", "3171012345678901"},
		{"3171 0123 4567 8901", "3171012345678901"},
		{"3171.0123.4567.8901", "3171012345678901"},
		{"317101234567890", ""},
		{"31710123456789012", ""},
		{"317101234567890X", ""},
		{"0000000000000000", ""},
		{"", ""},
	} {
		got, ok := queue.NormalizeNIK(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("NormalizeNIK(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
	if queue.MaskLast4("3171012345678901") != "************8901" {
		t.Errorf("MaskLast4: %q", queue.MaskLast4("3171012345678901"))
	}
	a, b := queue.NIKHash([]byte("secret-1"), "3171012345678901"), queue.NIKHash([]byte("secret-2"), "3171012345678901")
	if a == b || strings.Contains(a, "8901") || len(a) != 64 {
		t.Errorf("NIKHash: %q and %q under two secrets", a, b)
	}
}
