// Package jsonenc appends JSON values exactly as encoding/json's Marshal
// writes them: strings HTML-escaped, invalid UTF-8 as U+FFFD, U+2028 and
// U+2029 escaped, times in RFC 3339 with nanoseconds. The hot paths of
// Antrean (a ticket's record, its event, the answer to an issue) encode
// with it instead of reflection; their tests compare the bytes with
// encoding/json's.
package jsonenc

import (
	"strconv"
	"time"
	"unicode/utf8"
)

const hex = "0123456789abcdef"

// safe marks the ASCII bytes that go into a JSON string as they are: not
// a control character, ", \, <, > or &.
var safe = func() (s [utf8.RuneSelf]bool) {
	for i := 0x20; i < utf8.RuneSelf; i++ {
		s[i] = true
	}
	for _, c := range `"\<>&` {
		s[c] = false
	}
	return s
}()

// String appends s as a JSON string.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if safe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Strings appends a JSON array of strings; nil is null.
func Strings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = String(b, s)
	}
	return append(b, ']')
}

// Int appends n.
func Int(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// IntPtr appends *p, or null.
func IntPtr(b []byte, p *int) []byte {
	if p == nil {
		return append(b, "null"...)
	}
	return Int(b, *p)
}

// Bool appends true or false.
func Bool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

// Time appends t as time.Time's MarshalJSON does. A time MarshalJSON
// refuses (a year outside 0 to 9999, an offset of 24 hours or more) sets
// *err, if it is not set yet, and appends nothing.
func Time(b []byte, t time.Time, err *error) []byte {
	out, e := t.AppendText(append(b, '"'))
	if e != nil {
		if *err == nil {
			*err = e
		}
		return b
	}
	return append(out, '"')
}

// TimePtr appends *t, or null.
func TimePtr(b []byte, t *time.Time, err *error) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return Time(b, *t, err)
}
