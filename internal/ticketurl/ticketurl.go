// Package ticketurl makes the addresses a visitor gets with a ticket: the
// status page their phone opens from the QR code, and the QR code itself.
// The API's issue answer, the printed ticket and the print page all name
// them, so they are made in one place.
package ticketurl

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/mpp-digital/antrean/queue"
)

// Base is where visitors reach the server: the site's base_url when set
// (the public address of a reverse proxy, for phones on mobile data),
// else the scheme and host the request came to.
func Base(siteBaseURL, scheme, host string) string {
	if siteBaseURL != "" {
		return strings.TrimRight(siteBaseURL, "/")
	}
	return scheme + "://" + host
}

// Status is the visitor's page of a ticket, /t/{id}?k=KEY, under base.
func Status(base string, t *queue.Ticket) string {
	return fmt.Sprintf("%s/t/%s?k=%s", base, url.PathEscape(t.ID), url.QueryEscape(t.Key))
}

// QR is the PNG of the QR code of the ticket's status page, under base
// ("" for a path on the same server).
func QR(base string, t *queue.Ticket) string {
	return fmt.Sprintf("%s/api/v1/tickets/%s/qr.png?k=%s", base, url.PathEscape(t.ID), url.QueryEscape(t.Key))
}
