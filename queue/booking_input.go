package queue

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// What a visitor types into a booking, read the one way every caller
// shares: the booking code, an Indonesian phone number and a NIK.

// BookingCodeAlphabet is the alphabet of booking codes: digits and capital
// letters without the look-alikes 0/O, 1/I/L. 31 symbols, so an 8-symbol
// code is one of 31^8 ≈ 8.5 × 10^11.
const BookingCodeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// BookingCodeLen is the length of a booking code.
const BookingCodeLen = 8

// NewBookingCode returns a fresh random booking code (crypto/rand, each
// symbol uniform: bytes past the last whole multiple of the alphabet are
// drawn again).
func NewBookingCode() string {
	const n = len(BookingCodeAlphabet)
	const limit = 256 - 256%n
	out := make([]byte, 0, BookingCodeLen)
	buf := make([]byte, 2*BookingCodeLen)
	for len(out) < BookingCodeLen {
		if _, err := rand.Read(buf); err != nil {
			panic(fmt.Sprintf("queue: no randomness: %v", err))
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < BookingCodeLen {
				out = append(out, BookingCodeAlphabet[int(b)%n])
			}
		}
	}
	return string(out)
}

// ParseBookingCode reads a booking code as a person or a scanner gives
// it: any case, with spaces or dashes between the symbols ("k7p2-xm9q"),
// or a URL ending in the code (what the booking's QR holds,
// ".../booking/K7P2XM9Q", also with "?code=K7P2XM9Q"). It returns the
// code in capitals, or ok false when the text holds no well-formed code.
func ParseBookingCode(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > 2048 {
		return "", false
	}
	if strings.Contains(s, "/") || strings.Contains(s, "=") {
		// A URL: the code is its last path segment or the value of code=.
		if i := strings.IndexAny(s, "#"); i >= 0 {
			s = s[:i]
		}
		if i := strings.LastIndex(s, "code="); i >= 0 {
			s = s[i+len("code="):]
			if j := strings.IndexByte(s, '&'); j >= 0 {
				s = s[:j]
			}
		} else {
			if i := strings.IndexByte(s, '?'); i >= 0 {
				s = s[:i]
			}
			s = strings.TrimRight(s, "/")
			if i := strings.LastIndexByte(s, '/'); i >= 0 {
				s = s[i+1:]
			}
		}
	}
	b := make([]byte, 0, BookingCodeLen)
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		if r >= utf8.RuneSelf || !strings.ContainsRune(BookingCodeAlphabet, r) || len(b) == BookingCodeLen {
			return "", false
		}
		b = append(b, byte(r))
	}
	if len(b) != BookingCodeLen {
		return "", false
	}
	return string(b), true
}

// NormalizePhone reads an Indonesian phone number in its usual forms —
// "0812-3456-7890", "+62 812 3456 7890", "62812…", "+62 0812…", with
// spaces, dashes, dots or brackets — and returns it as +62 and the
// national number without its leading 0 ("+6281234567890"). ok is false
// for anything else: another country, letters, or a national number not
// 8 to 12 digits long.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > 40 {
		return "", false
	}
	var digits []byte
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r == '+' && i == 0:
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')':
		default:
			return "", false
		}
	}
	d := string(digits)
	switch {
	case strings.HasPrefix(s, "+"):
		if !strings.HasPrefix(d, "62") {
			return "", false
		}
		d = strings.TrimPrefix(d[2:], "0")
	case strings.HasPrefix(d, "62"):
		d = strings.TrimPrefix(d[2:], "0")
	case strings.HasPrefix(d, "0"):
		d = d[1:]
	default:
		return "", false
	}
	if len(d) < 8 || len(d) > 12 || d[0] == '0' {
		return "", false
	}
	return "+62" + d, true
}

// NormalizeNIK reads a NIK (the 16-digit national identity number),
// allowing spaces and dots between digits; ok is false for anything else.
func NormalizeNIK(s string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-':
		default:
			return "", false
		}
		if b.Len() > 16 {
			return "", false
		}
	}
	n := b.String()
	if len(n) != 16 || strings.Trim(n, "0") == "" {
		return "", false
	}
	return n, true
}

// NIKHash is the keyed hash under which a NIK is kept (HMAC-SHA256 with
// the site's secret, hex): enough to tell that two bookings name the same
// person, useless to read the number back without the secret.
func NIKHash(secret []byte, nik string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(nik))
	return hex.EncodeToString(m.Sum(nil))
}

// MaskLast4 shows only the last four characters of s, the rest as '*'.
func MaskLast4(s string) string {
	if s == "" {
		return ""
	}
	n := utf8.RuneCountInString(s)
	if n <= 4 {
		return s
	}
	r := []rune(s)
	return strings.Repeat("*", n-4) + string(r[n-4:])
}

// cleanName trims a visitor's name and reports whether it is fit to keep:
// 1 to 100 characters, no control characters.
func cleanName(s string) (string, string) {
	if !utf8.ValidString(s) {
		return "", "not valid UTF-8"
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return "", "no control characters"
		}
	}
	s = strings.Join(strings.Fields(s), " ")
	switch {
	case s == "":
		return "", "required"
	case utf8.RuneCountInString(s) > 100:
		return "", "at most 100 characters"
	}
	return s, ""
}
