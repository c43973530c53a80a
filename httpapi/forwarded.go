package httpapi

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Who is asking, and over what: the client address that limits count
// and the scheme of the request (the Secure cookie flag, absolute
// visitor URLs, HSTS). A reverse proxy says both in X-Forwarded-For and
// X-Forwarded-Proto, but so can anyone else: those headers count only
// when the connection comes from one of ANTREAN_TRUSTED_PROXIES. Without
// that, one client could pose as a thousand addresses and escape every
// per-address limit, or make the server hand out https links it does not
// serve.

// proxyTrust is the set of networks whose forwarded headers are believed.
type proxyTrust []netip.Prefix

func newProxyTrust(nets []*net.IPNet) proxyTrust {
	var t proxyTrust
	for _, n := range nets {
		a, ok := netip.AddrFromSlice(n.IP)
		ones, bits := n.Mask.Size()
		if !ok || bits == 0 {
			continue
		}
		if a.Is4In6() {
			a = a.Unmap()
			if bits == 128 {
				ones -= 96
			}
		}
		if p, err := a.Prefix(ones); err == nil && ones >= 0 {
			t = append(t, p)
		}
	}
	return t
}

func (t proxyTrust) trusts(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peer is the address at the other end of the connection; invalid when
// RemoteAddr is not an IP address (a test's or a unix socket's).
func peer(r *http.Request) netip.Addr {
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	a, _ := parseHop(r.RemoteAddr)
	return a
}

// clientAddr is the client's address: the connection's peer, or, when the
// peer is a trusted proxy, the nearest address in X-Forwarded-For that is
// not one. Proxies append the address they got the request from, so the
// entries right of the first untrusted one were written by trusted
// proxies and those left of it by nobody we know: the walk goes from the
// right and stops there. A malformed entry written by a trusted proxy
// ends the walk at that proxy. When every entry is trusted, the leftmost
// is the client (a client inside a trusted network).
func (t proxyTrust) clientAddr(r *http.Request) netip.Addr {
	client := peer(r)
	if len(t) == 0 || !t.trusts(client) {
		return client
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		line := hops[i]
		for line != "" {
			var entry string
			if j := strings.LastIndexByte(line, ','); j >= 0 {
				line, entry = line[:j], line[j+1:]
			} else {
				line, entry = "", line
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			a, ok := parseHop(entry)
			if !ok {
				return client
			}
			client = a
			if !t.trusts(a) {
				return client
			}
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an IP address, possibly in
// brackets or with a port ("203.0.113.9", "[2001:db8::1]:4711").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil && ap.Addr().Zone() == "" {
		return ap.Addr().Unmap(), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() && a.Zone() == "" {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}

// scheme is "https" when the connection is TLS, or when a trusted proxy
// says the client's was (the first value of X-Forwarded-Proto: the
// scheme the outermost proxy saw); "http" otherwise.
func (t proxyTrust) scheme(r *http.Request) string {
	if r.TLS != nil {
		return "https"
	}
	if len(t) > 0 && t.trusts(peer(r)) {
		v := r.Header.Get("X-Forwarded-Proto")
		if i := strings.IndexByte(v, ','); i >= 0 {
			v = v[:i]
		}
		if strings.EqualFold(strings.TrimSpace(v), "https") {
			return "https"
		}
	}
	return "http"
}

// AddrKey is what per-address limits count a client address by: an IPv4
// address itself, an IPv6 address by its /64 (one subscriber's network:
// a phone or home router may take any address in it at will).
func AddrKey(a netip.Addr) string {
	if !a.IsValid() {
		return "?"
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.WithZone("").Prefix(64)
		return p.String()
	}
	return a.String()
}

// addrString is the client address as logs and echo's RealIP show it.
func addrString(a netip.Addr, r *http.Request) string {
	if a.IsValid() {
		return a.String()
	}
	return r.RemoteAddr
}
