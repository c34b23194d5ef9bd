package hostname_test

import (
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

func TestParseDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     string // base URL; "" means an error
		errHas   string // part of the error when want is ""
	}{
		{"tenant host", "my-tenant.eu.auth0.com", "https://my-tenant.eu.auth0.com", ""},
		{"upper case folded", "My-Tenant.EU.auth0.com", "https://my-tenant.eu.auth0.com", ""},
		{"host and port", "127.0.0.1:8443", "https://127.0.0.1:8443", ""},
		{"https URL", "https://my-tenant.us.auth0.com", "https://my-tenant.us.auth0.com", ""},
		{"https URL trailing slash", "https://my-tenant.us.auth0.com/", "https://my-tenant.us.auth0.com", ""},
		{"host trailing slash", "my-tenant.us.auth0.com/", "https://my-tenant.us.auth0.com", ""},
		{"http loopback v4", "http://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"http loopback 127/8", "http://127.3.4.5:8080", "http://127.3.4.5:8080", ""},
		{"http localhost", "http://localhost:3000", "http://localhost:3000", ""},
		{"http loopback v6", "http://[::1]:8080", "http://[::1]:8080", ""},
		{"https ipv6 host", "[::1]:8443", "https://[::1]:8443", ""},
		{"scheme in upper case", "HTTPS://My-Tenant.eu.auth0.com", "https://my-tenant.eu.auth0.com", ""},
		{"scheme in mixed case, trailing slash", "Https://my-tenant.eu.auth0.com/", "https://my-tenant.eu.auth0.com", ""},
		{"plain http in upper case on loopback", "HTTP://127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"fully qualified", "my-tenant.eu.auth0.com.", "https://my-tenant.eu.auth0.com", ""},
		{"fully qualified with port", "my-tenant.eu.auth0.com.:443", "https://my-tenant.eu.auth0.com:443", ""},

		{"empty", "", "", "empty"},
		{"space inside", "my tenant.auth0.com", "", "space"},
		{"leading space", " my-tenant.auth0.com", "", "space"},
		{"user-info", "tenant.us.auth0.com@evil.example", "", "user-info"},
		{"user-info in URL", "https://tenant.us.auth0.com@evil.example/", "", "user-info"},
		{"user and password", "https://admin:hunter2@tenant.auth0.com", "", "user-info"},
		{"http not loopback", "http://my-tenant.auth0.com", "", "loopback"},
		{"http private address", "http://10.0.0.1:8080", "", "loopback"},
		{"path", "my-tenant.auth0.com/api/v2", "", "path"},
		{"path in URL", "https://my-tenant.auth0.com/api/v2/", "", "path"},
		{"path in URL, scheme in upper case", "HTTPS://my-tenant.auth0.com/x", "", "path"},
		{"plain http in upper case not loopback", "HTTP://my-tenant.auth0.com", "", "loopback"},
		{"query", "my-tenant.auth0.com?x=1", "", "query"},
		{"empty query", "my-tenant.auth0.com?", "", "query"},
		{"fragment", "https://my-tenant.auth0.com#frag", "", "fragment"},
		{"ftp scheme", "ftp://my-tenant.auth0.com", "", "scheme"},
		{"bad port", "my-tenant.auth0.com:99999", "", "port"},
		{"port not a number", "my-tenant.auth0.com:abc", "", ""},
		{"empty port", "my-tenant.auth0.com:", "", "port"},
		{"underscore", "my_tenant.auth0.com", "", "letters, digits"},
		{"double dot", "my-tenant..auth0.com", "", "empty label"},
		{"no host", "https://", "", "host"},
		{"just a port", ":8443", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := hostname.ParseDomain(tc.in)
			if tc.want != "" {
				if err != nil {
					t.Fatalf("hostname.ParseDomain(%q): %v", tc.in, err)
				}
				if got := u.String(); got != tc.want {
					t.Fatalf("hostname.ParseDomain(%q) = %q, want %q", tc.in, got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("hostname.ParseDomain(%q) = %v, want an error", tc.in, u)
			}
			msg := err.Error()
			if tc.errHas != "" && !strings.Contains(msg, tc.errHas) {
				t.Errorf("error %q does not say %q", msg, tc.errHas)
			}
			if !strings.Contains(msg, "a valid domain looks like") {
				t.Errorf("error %q does not show a valid domain", msg)
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("error %q echoes a password", msg)
			}
		})
	}
}
