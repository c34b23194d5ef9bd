package hostname_test

import (
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

// FuzzParseDomain: whatever is typed as a tenant domain, ParseDomain does
// not panic, and what it accepts is a base URL and nothing more: https (or
// http on a loopback address only), a lower-case host (no final dot) with
// an optional port, no user-info, path, query or fragment. Parsing its
// answer again gives the same answer, and Of and Same name that tenant.
// An input holding an "@" (a password may sit before it) gets the one
// error that echoes nothing of it. The seeds run in every `go test`; `make fuzz` explores.
func FuzzParseDomain(f *testing.F) {
	for _, s := range []string{
		"my-tenant.eu.auth0.com", "My-Tenant.EU.auth0.com.", "127.0.0.1:8443", "https://my-tenant.us.auth0.com/",
		"http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:8080", "[::1]:8443", "HTTPS://TENANT.AUTH0.COM",
		"", " ", "tenant.us.auth0.com@evil.example", "https://admin:hunter2@tenant.auth0.com", "http://10.0.0.1",
		"my-tenant.auth0.com/api/v2", "tenant?x=1", "tenant#f", "ftp://x", "x:99999", "x:", "my_tenant", "a..b", "https://",
		":8443", "http://localhost.:80", "https://%41.com", "xn--bcher-kva.example", "[fe80::1%25eth0]:443", "http://127.1",
		"http:///x", "//tenant", "https://tenant:0", "tenant:443/", "https://[::1]", "http://LOCALHOST", "0x7f.1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		u, err := hostname.ParseDomain(in)
		if err != nil {
			if u != nil {
				t.Fatalf("ParseDomain(%q) returned %v with the error %v", in, u, err)
			}
			if strings.Contains(in, "@") {
				// What comes before the "@" may be a password: the error
				// is the same whatever it is (nothing of it is echoed).
				if _, at := hostname.ParseDomain("@"); err.Error() != at.Error() {
					t.Fatalf("ParseDomain(%q): the error may repeat a password before the \"@\": %v", in, err)
				}
			}
			return
		}
		switch u.Scheme {
		case "https":
		case "http":
			if !hostname.IsLoopback(u.Hostname()) {
				t.Fatalf("ParseDomain(%q) = %s: plain http to a host that is not loopback", in, u)
			}
		default:
			t.Fatalf("ParseDomain(%q) = %s: scheme %q", in, u, u.Scheme)
		}
		if u.User != nil || u.Path != "" || u.RawPath != "" || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
			t.Fatalf("ParseDomain(%q) = %#v: more than a scheme and a host", in, u)
		}
		if u.Hostname() == "" || strings.HasSuffix(u.Hostname(), ".") || u.Host != strings.ToLower(u.Host) {
			t.Fatalf("ParseDomain(%q) = %s: host %q is empty, ends with a dot or is not lower case", in, u, u.Host)
		}
		if strings.ContainsAny(u.Host, "@/?#\\ \t\r\n") {
			t.Fatalf("ParseDomain(%q) = %s: host %q holds a character a host cannot", in, u, u.Host)
		}
		again, err := hostname.ParseDomain(u.String())
		if err != nil || again.String() != u.String() {
			t.Fatalf("ParseDomain(%q) = %s, but ParseDomain of that = %v, %v", in, u, again, err)
		}
		if u.Scheme == "https" {
			if bare, err := hostname.ParseDomain(u.Host); err != nil || bare.String() != u.String() {
				t.Fatalf("ParseDomain(%q) = %s, but its host %q alone = %v, %v", in, u, u.Host, bare, err)
			}
		}
		// The input and its base URL name the same tenant (a fully
		// qualified name's final dot aside: ParseDomain drops it).
		of := strings.ToLower(hostname.Of(in))
		of = strings.TrimSuffix(strings.Replace(of, ".:", ":", 1), ".")
		if of != u.Host && !hostname.Same(in, u.String()) {
			t.Fatalf("ParseDomain(%q) = %s, but Of says the input names %q", in, u, hostname.Of(in))
		}
	})
}
