package hostname_test

import (
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true, "[::1]": true,
		"example.com": false, "10.0.0.1": false, "": false, "localhost.example.com": false, "::": false,
	} {
		if got := hostname.IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestOfAndSame(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"tenant.eu.auth0.com":            "tenant.eu.auth0.com",
		" https://tenant.eu.auth0.com/ ": "tenant.eu.auth0.com",
		"http://127.0.0.1:8443//":        "127.0.0.1:8443",
		"HTTPS://Tenant.eu.auth0.com":    "Tenant.eu.auth0.com",
		"https://":                       "https:",
	} {
		if got := hostname.Of(in); got != want {
			t.Errorf("Of(%q) = %q, want %q", in, got, want)
		}
	}
	if !hostname.Same("https://Tenant.EU.auth0.com/", "tenant.eu.auth0.com") || hostname.Same("a.auth0.com", "b.auth0.com") ||
		hostname.Same("127.0.0.1:1", "127.0.0.1:2") {
		t.Error("Same does not compare host and port, case-insensitively")
	}
}

func TestScheme(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"tenant.eu.auth0.com": "https", "https://tenant.eu.auth0.com": "https", "HTTPS://tenant.eu.auth0.com": "https",
		"http://127.0.0.1:8080": "http", "HTTP://127.0.0.1:8080": "http", " Http://localhost:3000/ ": "http",
		"127.0.0.1:8080": "https", "": "https",
	} {
		if got := hostname.Scheme(in); got != want {
			t.Errorf("Scheme(%q) = %q, want %q", in, got, want)
		}
	}
}
