// Package booking is online booking (API.md, "Online booking (MPP
// Digital)"; SCREENS.md, "Online booking"): the API of slots, bookings
// and the kiosk's check-in, mounted on the API server with its roles,
// strict bodies and idempotent commands, and the public page /booking, a
// phone-first page that books a slot and manages a booking by its code.
//
// The state changes are the engine's commands (queue/booking.go); this
// package reads requests, limits how fast one client books and how many
// unknown codes it may try, and renders answers, the calendar file and
// the QR code.
package booking

import (
	"github.com/mpp-digital/antrean/httpapi"
)

// Config holds the booking limits (README, "Online booking").
type Config struct {
	// Create limits the bookings one client makes: a kiosk device or a
	// member of staff by identity, anyone else by address (an IPv6
	// address by its /64). Zero: DefaultCreateLimit.
	Create Limit
	// Guess limits the lookups of codes that do not exist, per client as
	// Create counts them. Zero: DefaultGuessLimit.
	Guess Limit
}

// Mount adds the booking API to api and the /booking page to its echo.
func Mount(api *httpapi.Server, cfg Config) {
	h := &handlers{
		api: api, engine: api.Engine(),
		creates: newLimiter(cfg.Create.orDefault(DefaultCreateLimit)),
		guesses: newLimiter(cfg.Guess.orDefault(DefaultGuessLimit)),
	}
	h.routes()
	mountPage(api)
}
