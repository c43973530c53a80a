package ticketurl

import (
	"testing"

	"github.com/mpp-digital/antrean/queue"
)

// The addresses a visitor's phone opens: the site's public address wins
// over the request's host, and the ID and key are escaped.
func TestURLs(t *testing.T) {
	tk := &queue.Ticket{ID: "20261126-42", Key: "a+b/c"}
	for _, c := range []struct{ site, scheme, host, status, qr string }{
		{"", "http", "antrean.local:8080", "http://antrean.local:8080/t/20261126-42?k=a%2Bb%2Fc", "http://antrean.local:8080/api/v1/tickets/20261126-42/qr.png?k=a%2Bb%2Fc"},
		{"https://antrean.bintankab.go.id/", "http", "10.0.0.5", "https://antrean.bintankab.go.id/t/20261126-42?k=a%2Bb%2Fc", "https://antrean.bintankab.go.id/api/v1/tickets/20261126-42/qr.png?k=a%2Bb%2Fc"},
	} {
		base := Base(c.site, c.scheme, c.host)
		if got := Status(base, tk); got != c.status {
			t.Errorf("Status under %q = %q, want %q", base, got, c.status)
		}
		if got := QR(base, tk); got != c.qr {
			t.Errorf("QR under %q = %q, want %q", base, got, c.qr)
		}
	}
	if got := QR("", tk); got != "/api/v1/tickets/20261126-42/qr.png?k=a%2Bb%2Fc" {
		t.Errorf("QR on the same server = %q", got)
	}
}
