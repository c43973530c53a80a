package queue

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Error codes of API.md. The HTTP layer maps each to a status in one table.
const (
	EInvalid             = "invalid_input"
	EUnauthenticated     = "unauthenticated"
	EInvalidCredentials  = "invalid_credentials"
	EForbidden           = "forbidden"
	ENotFound            = "not_found"
	EInvalidTransition   = "invalid_transition"
	EAlreadyExists       = "already_exists"
	EServiceClosed       = "service_closed"
	EQuotaExhausted      = "quota_exhausted"
	ECounterBusy         = "counter_busy"
	ECounterClosed       = "counter_closed"
	EInUse               = "in_use"
	ELimitReached        = "limit_reached"
	EIdempotencyMismatch = "idempotency_mismatch"
	ERateLimited         = "rate_limited"
	EInternal            = "internal"
	// EUnavailable: the store failed or the server is stopping; the
	// outcome of the request is unknown until the server is back, and a
	// retry with the same Idempotency-Key tells it (API.md, Limits).
	EUnavailable = "unavailable"
)

// Error is a domain error with a stable code, a message in Indonesian and
// English, and, for invalid input, the fields at fault.
type Error struct {
	Code   string
	EN     string
	ID     string
	Fields map[string]string
}

// Error is the code and English message, with the fields at fault (the
// command line shows it as it stands: "invalid_input: ... (role: one of ...)").
func (e *Error) Error() string {
	s := e.Code + ": " + e.EN
	if len(e.Fields) > 0 {
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			parts = append(parts, k+": "+e.Fields[k])
		}
		s += " (" + strings.Join(parts, "; ") + ")"
	}
	return s
}

// Errorf makes an Error; en and id are the English and Indonesian messages.
func Errorf(code, en, id string, args ...any) *Error {
	if len(args) > 0 {
		en = fmt.Sprintf(en, args...)
		id = fmt.Sprintf(id, args...)
	}
	return &Error{Code: code, EN: en, ID: id}
}

// Invalid makes an invalid_input error naming the fields at fault.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EInvalid, EN: "Some fields are not valid.", ID: "Sebagian isian tidak valid.", Fields: fields}
}

// ErrorCode returns the code of a domain error, or EInternal for any other.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

var (
	errNotFound     = Errorf(ENotFound, "Not found.", "Tidak ditemukan.")
	errTransition   = Errorf(EInvalidTransition, "The ticket's state does not allow this action.", "Status tiket tidak mengizinkan tindakan ini.")
	errCounterShut  = Errorf(ECounterClosed, "The counter is not open.", "Loket belum dibuka.")
	errCounterBusy  = Errorf(ECounterBusy, "The counter still has a ticket; finish it first.", "Loket masih melayani tiket; selesaikan dulu.")
	errQuota        = Errorf(EQuotaExhausted, "Today's quota is used up; please come back tomorrow.", "Kuota hari ini sudah habis, silakan datang kembali besok.")
	errStopped      = Errorf(EUnavailable, "The server is restarting; try again in a moment with the same Idempotency-Key.", "Server sedang memulai ulang; coba lagi sebentar lagi dengan Idempotency-Key yang sama.")
	errUnavailable  = Errorf(EUnavailable, "The server could not save this and is restarting; try again in a moment with the same Idempotency-Key.", "Server tidak dapat menyimpan ini dan sedang memulai ulang; coba lagi sebentar lagi dengan Idempotency-Key yang sama.")
	errNotInService = Errorf(EInvalidTransition, "The ticket is not waiting in this counter's services.", "Tiket tidak menunggu di layanan loket ini.")
)

// NotFound returns the not_found error.
func NotFound() *Error { return errNotFound }
