package queue

import (
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
)

// TicketID makes the ID of the index-th ticket issued on day (YYYY-MM-DD):
// "20261126-42". The day in the ID lets the store find the ticket's day
// without an index; the ID is still opaque to clients.
func TicketID(day string, index int) string {
	return strings.ReplaceAll(day, "-", "") + "-" + strconv.Itoa(index)
}

// ParseTicketID splits a ticket ID into its day (YYYY-MM-DD) and index.
func ParseTicketID(id string) (day string, index int, ok bool) {
	d, n, found := strings.Cut(id, "-")
	if !found || len(d) != 8 || len(n) == 0 || len(n) > 9 {
		return "", 0, false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return "", 0, false
		}
	}
	i, err := strconv.Atoi(n)
	if err != nil || i <= 0 || strconv.Itoa(i) != n {
		return "", 0, false
	}
	return d[:4] + "-" + d[4:6] + "-" + d[6:], i, true
}

var idEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// NewID returns a random opaque ID with a prefix, such as "svc_k3m9x2ab4q".
func NewID(prefix string) string {
	return prefix + "_" + RandomString(8)
}

// RandomString returns n random bytes encoded in a lower-case alphabet
// without look-alikes.
func RandomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("queue: no randomness: %v", err))
	}
	return idEncoding.EncodeToString(b)
}
