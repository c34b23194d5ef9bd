// Package hostname answers the questions asked of a tenant's domain in more
// than one package: is it a valid domain, and what base URL does it name
// (ParseDomain), is a host a loopback address (IsLoopback), and do two
// spellings of a domain name the same tenant (Of, Scheme, Same). The scheme
// is taken in any case everywhere: HTTPS://host is https://host.
package hostname

import (
	"net"
	"strings"
)

// IsLoopback reports whether host (without a port) is localhost or a
// loopback IP address (127.0.0.0/8, ::1).
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	return ip != nil && ip.IsLoopback()
}

// Of returns the host[:port] of a tenant domain as people and journals spell
// it: white space, an http:// or https:// scheme (in any case) and trailing
// slashes removed.
func Of(domain string) string {
	_, rest := splitScheme(domain)
	return strings.TrimRight(rest, "/")
}

// Scheme returns the scheme a tenant domain names: "http" for an http://
// URL (in any case: HTTP:// too), "https" for anything else, a bare host
// included (HTTPS implied).
func Scheme(domain string) string {
	if scheme, _ := splitScheme(domain); scheme == "http" {
		return "http"
	}
	return "https"
}

// splitScheme cuts an http:// or https:// scheme, in any case, off a
// domain trimmed of white space: the scheme lower-cased ("" when there is
// none) and what follows it.
func splitScheme(domain string) (scheme, rest string) {
	d := strings.TrimSpace(domain)
	for _, scheme := range []string{"https", "http"} {
		prefix := scheme + "://"
		if len(d) > len(prefix) && strings.EqualFold(d[:len(prefix)], prefix) {
			return scheme, d[len(prefix):]
		}
	}
	return "", d
}

// Same reports whether two spellings of a tenant domain name the same
// tenant: the same host[:port] (host names are case-insensitive).
func Same(a, b string) bool { return strings.EqualFold(Of(a), Of(b)) }
