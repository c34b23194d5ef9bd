// Package hostname answers the questions asked of a tenant's domain in more
// than one package: is it a valid domain, and what base URL does it name
// (ParseDomain), is a host a loopback address (IsLoopback), and do two
// spellings of a domain name the same tenant (Of, Same).
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
// it: white space, an http:// or https:// scheme and trailing slashes removed.
func Of(domain string) string {
	d := strings.TrimSpace(domain)
	for _, scheme := range []string{"https://", "http://"} {
		if len(d) > len(scheme) && strings.EqualFold(d[:len(scheme)], scheme) {
			d = d[len(scheme):]
			break
		}
	}
	return strings.TrimRight(d, "/")
}

// Same reports whether two spellings of a tenant domain name the same
// tenant: the same host[:port] (host names are case-insensitive).
func Same(a, b string) bool { return strings.EqualFold(Of(a), Of(b)) }
