package capool_test

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/capool"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
)

// TestLoad: a pool with the sandbox's CA, by file or PEM, reaches the
// sandbox over TLS where the system's alone does not; a CA that is missing
// or not PEM is an error that says so.
func TestLoad(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	reaches := func(pool *x509.CertPool) bool {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		resp, err := c.Get(sb.BaseURL + "/.well-known/openid-configuration")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return true
	}
	bare, err := capool.Load("", nil)
	if err != nil || reaches(bare) {
		t.Fatalf("the system's pool alone: %v, reaches the sandbox %v", err, reaches(bare))
	}
	for name, args := range map[string]struct {
		file string
		pem  []byte
	}{"file": {file: sb.CAFile}, "PEM": {pem: sb.CAPEM}} {
		pool, err := capool.Load(args.file, args.pem)
		if err != nil || !reaches(pool) {
			t.Errorf("the sandbox's CA by %s: %v, reaches the sandbox %v", name, err, err == nil && reaches(pool))
		}
	}
	notPEM := filepath.Join(t.TempDir(), "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		file string
		pem  []byte
		want string
	}{
		"missing file": {file: filepath.Join(t.TempDir(), "none.pem"), want: "read CA file"},
		"file not PEM": {file: notPEM, want: "no PEM certificate"},
		"PEM not PEM":  {pem: []byte("nope"), want: "no PEM certificate"},
	} {
		if _, err := capool.Load(tc.file, tc.pem); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", name, err, tc.want)
		}
	}
}
