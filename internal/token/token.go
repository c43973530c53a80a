// Package token makes and hashes the secret tokens of sessions and
// devices. The API authenticates with them and the screens that take a
// device token in their address (the lobby display, the kiosk) look the
// device up by the same hash, so the one way of hashing lives here, apart
// from the API's handlers.
package token

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/mpp-digital/antrean/queue"
)

// Hash is how tokens are kept: SHA-256, hex. Tokens are 256 random bits,
// so a fast hash is enough.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// New returns a fresh secret token with a prefix ("st_…", "kiosk_…").
func New(prefix string) string {
	return prefix + "_" + queue.RandomString(32)
}
