package hostname

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

// domainHint is appended to every domain validation error.
const domainHint = "a valid domain looks like my-tenant.eu.auth0.com or 127.0.0.1:8443 (https implied), " +
	"https://my-tenant.eu.auth0.com, or http://127.0.0.1:PORT for a local sandbox"

// ParseDomain validates a tenant domain as a person types it and returns the
// base URL to talk to (scheme and host only, lower-cased, without a fully
// qualified name's final dot): the one place a domain is checked and
// normalised.
//
// Accepted: a host with an optional port (HTTPS implied), an https:// URL of
// such a host, and an http:// URL only for a loopback address (127.0.0.0/8,
// ::1, localhost). A lone trailing "/" is tolerated. Refused: empty input,
// spaces, a path, a query, a fragment and user-info ("tenant@evil.example"
// would send our credentials to evil.example).
func ParseDomain(s string) (*url.URL, error) {
	u, err := parseDomain(s)
	if err != nil {
		return nil, fmt.Errorf("%w; %s", err, domainHint)
	}
	return u, nil
}

func parseDomain(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("the tenant domain is empty")
	}
	if strings.ContainsAny(s, "@") {
		// The input may carry a password before the "@": do not echo it
		// (checked first: every other error quotes the input).
		return nil, errors.New("the tenant domain contains user-info (an \"@\"): " +
			"everything before the \"@\" would be ignored and the request sent to the host after it")
	}
	if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
		return nil, fmt.Errorf("the tenant domain %q contains a space", s)
	}
	if strings.Contains(s, "#") {
		return nil, fmt.Errorf("the tenant domain %q has a fragment (#...)", s)
	}
	if strings.Contains(s, "?") {
		return nil, fmt.Errorf("the tenant domain %q has a query (?...)", s)
	}
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("the tenant domain %q is not a host name or URL", s)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("the tenant domain %q uses plain http, which is allowed only for a loopback address "+
				"(127.0.0.1, ::1, localhost); use https", s)
		}
	default:
		return nil, fmt.Errorf("the tenant domain %q has scheme %q; only https (or http on loopback) is allowed", s, u.Scheme)
	}
	if u.User != nil {
		return nil, errors.New("the tenant domain contains user-info")
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("the tenant domain %q is not a host name or URL", s)
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("the tenant domain %q has a path (%s); give the host only", s, u.Path)
	}
	if u.RawQuery != "" || u.ForceQuery {
		return nil, fmt.Errorf("the tenant domain %q has a query (?...)", s)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("the tenant domain %q has a fragment (#...)", s)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("the tenant domain %q has no host name", s)
	}
	if err := checkHostname(host); err != nil {
		return nil, fmt.Errorf("the tenant domain %q: %w", s, err)
	}
	if p := u.Port(); p != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("the tenant domain %q has an invalid port %q (1-65535)", s, p)
		}
	}
	// A fully qualified "tenant.auth0.com." is the same host; tokens name it
	// without the final dot.
	hostPort := strings.TrimSuffix(host, ".")
	if strings.Contains(hostPort, ":") {
		hostPort = "[" + hostPort + "]"
	}
	if p := u.Port(); p != "" {
		hostPort += ":" + p
	}
	return &url.URL{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(hostPort)}, nil
}

// checkHostname accepts an IP address or a DNS name of letters, digits,
// hyphens and dots.
func checkHostname(h string) error {
	if net.ParseIP(h) != nil {
		return nil
	}
	if len(h) > 253 {
		return errors.New("the host name is longer than 253 characters")
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" {
			return errors.New("the host name has an empty label (two dots in a row)")
		}
		if len(label) > 63 {
			return fmt.Errorf("the host name label %q is longer than 63 characters", label)
		}
		if strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("the host name label %q starts or ends with a hyphen", label)
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("the host name contains %q; only letters, digits, hyphens and dots are allowed", r)
			}
		}
	}
	return nil
}
