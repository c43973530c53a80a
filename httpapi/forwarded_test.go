package httpapi

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func mustTrust(t testing.TB, cidrs ...string) proxyTrust {
	t.Helper()
	var nets []*net.IPNet
	for _, c := range cidrs {
		_, n, err := net.ParseCIDR(c)
		if err != nil {
			t.Fatal(err)
		}
		nets = append(nets, n)
	}
	return newProxyTrust(nets)
}

func TestClientAddr(t *testing.T) {
	trust := mustTrust(t, "10.0.0.0/24", "2001:db8:ffff::/48")
	for _, tc := range []struct {
		name, remote string
		xff          []string
		trust        proxyTrust
		want         string
	}{
		{"no proxies: the peer", "203.0.113.5:4000", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"untrusted peer: its header is ignored", "203.0.113.5:4000", []string{"198.51.100.1"}, trust, "203.0.113.5"},
		{"trusted peer without a header", "10.0.0.2:4000", nil, trust, "10.0.0.2"},
		{"trusted peer: the entry it appended", "10.0.0.2:4000", []string{"198.51.100.1"}, trust, "198.51.100.1"},
		{"a client's own entries left of the real one count for nothing", "10.0.0.2:4000", []string{"1.2.3.4, 5.6.7.8, 198.51.100.1"}, trust, "198.51.100.1"},
		{"a chain of trusted proxies", "10.0.0.2:4000", []string{"1.2.3.4, 198.51.100.1, 10.0.0.7, 10.0.0.3"}, trust, "198.51.100.1"},
		{"several header lines", "10.0.0.2:4000", []string{"1.2.3.4", "198.51.100.1, 10.0.0.7"}, trust, "198.51.100.1"},
		{"every entry trusted: the leftmost", "10.0.0.2:4000", []string{"10.0.0.9, 10.0.0.7"}, trust, "10.0.0.9"},
		{"a malformed entry from a trusted proxy ends at it", "10.0.0.2:4000", []string{"198.51.100.1, garbage, 10.0.0.7"}, trust, "10.0.0.7"},
		{"empty entries are skipped", "10.0.0.2:4000", []string{"198.51.100.1, ,"}, trust, "198.51.100.1"},
		{"ports and brackets", "10.0.0.2:4000", []string{"[2001:db8::7]:4711"}, trust, "2001:db8::7"},
		{"IPv4 with a port", "10.0.0.2:4000", []string{"198.51.100.1:80"}, trust, "198.51.100.1"},
		{"IPv4-mapped addresses are IPv4", "[::ffff:10.0.0.2]:4000", []string{"::ffff:198.51.100.1"}, trust, "198.51.100.1"},
		{"an IPv6 proxy", "[2001:db8:ffff:1::1]:443", []string{"203.0.113.9"}, trust, "203.0.113.9"},
		{"zones are not addresses", "10.0.0.2:4000", []string{"fe80::1%eth0"}, trust, "10.0.0.2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tc.trust.clientAddr(r).String(); got != tc.want {
				t.Fatalf("client %s, want %s", got, tc.want)
			}
		})
	}
}

func TestScheme(t *testing.T) {
	trust := mustTrust(t, "10.0.0.0/24")
	for _, tc := range []struct {
		name, remote, proto string
		tls                 bool
		trust               proxyTrust
		want                string
	}{
		{"plain", "203.0.113.5:1", "", false, trust, "http"},
		{"TLS served directly", "203.0.113.5:1", "", true, nil, "https"},
		{"a client's own X-Forwarded-Proto", "203.0.113.5:1", "https", false, trust, "http"},
		{"without trusted proxies", "10.0.0.2:1", "https", false, nil, "http"},
		{"a trusted proxy's", "10.0.0.2:1", "https", false, trust, "https"},
		{"a trusted proxy's, any case", "10.0.0.2:1", "HTTPS", false, trust, "https"},
		{"the outermost proxy's", "10.0.0.2:1", "https, http", false, trust, "https"},
		{"a trusted proxy says http", "10.0.0.2:1", "http", false, trust, "http"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.remote
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			if got := tc.trust.scheme(r); got != tc.want {
				t.Fatalf("scheme %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.1":            "198.51.100.1",
		"::ffff:198.51.100.1":     "198.51.100.1",
		"2001:db8:1:2:3:4:5:6":    "2001:db8:1:2::/64",
		"2001:db8:1:2::ffff":      "2001:db8:1:2::/64",
		"fe80::1%eth0":            "fe80::/64",
		"2001:db8:1:3::1":         "2001:db8:1:3::/64",
		"::1":                     "::/64",
		"2001:db8:1:2:ffff::9%x2": "2001:db8:1:2::/64",
	} {
		if got := AddrKey(netip.MustParseAddr(in)); got != want {
			t.Errorf("AddrKey(%s) = %s, want %s", in, got, want)
		}
	}
	if got := AddrKey(netip.Addr{}); got != "?" {
		t.Errorf("AddrKey(invalid) = %s", got)
	}
}

// FuzzForwarded: whatever the headers, the client address is the peer
// unless the peer is trusted, and then one of the header's entries or
// the peer; https needs TLS or a trusted peer; nothing panics.
func FuzzForwarded(f *testing.F) {
	f.Add("10.0.0.2:4000", "198.51.100.1, 10.0.0.7", "https")
	f.Add("203.0.113.5:1", "1.2.3.4", "https")
	f.Add("[::ffff:10.0.0.2]:1", "[2001:db8::7]:4711,,garbage", "HTTPS, http")
	f.Add("10.0.0.9:1", "fe80::1%eth0, 10.0.0.1", "")
	f.Add("not-an-address", "\x00,\xff", "https")
	trust := mustTrust(f, "10.0.0.0/24", "2001:db8:ffff::/48")
	f.Fuzz(func(t *testing.T, remote, xff, proto string) {
		r, _ := http.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header["X-Forwarded-For"] = []string{xff}
		r.Header["X-Forwarded-Proto"] = []string{proto}
		got := trust.clientAddr(r)
		p := peer(r)
		if !trust.trusts(p) {
			if got != p {
				t.Fatalf("untrusted peer %v: client %v", p, got)
			}
		} else if got != p {
			found := false
			for _, e := range strings.Split(xff, ",") {
				if a, ok := parseHop(strings.TrimSpace(e)); ok && a == got {
					found = true
				}
			}
			if !found {
				t.Fatalf("client %v is neither the peer %v nor an entry of %q", got, p, xff)
			}
		}
		if got.IsValid() && got.Zone() != "" {
			t.Fatalf("client %v has a zone", got)
		}
		if trust.scheme(r) == "https" && !trust.trusts(p) {
			t.Fatalf("https from an untrusted peer %v", p)
		}
		_ = AddrKey(got)
		if (proxyTrust{}).clientAddr(r) != p {
			t.Fatal("without trusted proxies the client is not the peer")
		}
	})
}
