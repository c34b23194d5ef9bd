package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// caPool parses caPEM into a pool holding exactly one CA certificate.
func caPool(t *testing.T, caPEM []byte) (*x509.CertPool, *x509.Certificate) {
	t.Helper()
	block, rest := pem.Decode(caPEM)
	if block == nil || block.Type != "CERTIFICATE" || len(strings.TrimSpace(string(rest))) != 0 {
		t.Fatalf("CA PEM is not exactly one CERTIFICATE block:\n%s", caPEM)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parse CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("AppendCertsFromPEM refused the CA")
	}
	return pool, ca
}

func TestNewCertificatesVerify(t *testing.T) {
	t.Parallel()
	caPEM, cert, err := newCertificates(1, []string{"127.0.0.1:8443", "sandbox.test", "192.0.2.7", "[2001:db8::1]:443", "0.0.0.0", ""})
	if err != nil {
		t.Fatalf("newCertificates: %v", err)
	}
	pool, ca := caPool(t, caPEM)
	if ca.Subject.CommonName != "auth0-wizard sandbox CA" || !ca.IsCA || ca.KeyUsage&x509.KeyUsageCertSign == 0 {
		t.Errorf("CA: CN %q, IsCA %v, KeyUsage %v; want the sandbox CA allowed to sign certificates", ca.Subject.CommonName, ca.IsCA, ca.KeyUsage)
	}
	leaf := cert.Leaf
	if leaf == nil {
		t.Fatal("certificate has no parsed Leaf")
	}
	if leaf.IsCA {
		t.Error("server certificate is a CA")
	}
	now := time.Now()
	if !leaf.NotBefore.Before(now.Add(-50*time.Minute)) || leaf.NotAfter.Before(now.Add(7*24*time.Hour-time.Minute)) {
		t.Errorf("validity %v .. %v; want from about an hour ago for 7 days", leaf.NotBefore, leaf.NotAfter)
	}
	for _, ip := range leaf.IPAddresses {
		if ip.IsUnspecified() {
			t.Errorf("unspecified address %v in the SANs", ip)
		}
	}

	for _, host := range []string{"127.0.0.1", "::1", "localhost", "sandbox.test", "192.0.2.7", "2001:db8::1"} {
		_, err := leaf.Verify(x509.VerifyOptions{
			DNSName:     host,
			Roots:       pool,
			KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			CurrentTime: now,
		})
		if err != nil {
			t.Errorf("verify for %s: %v", host, err)
		}
	}
	for _, host := range []string{"example.com", "10.1.2.3"} {
		if _, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err == nil {
			t.Errorf("verify for %s succeeded; want a hostname mismatch", host)
		}
	}
	// A second CA must not verify the first one's certificate.
	otherPEM, _, err := newCertificates(1, nil)
	if err != nil {
		t.Fatalf("newCertificates: %v", err)
	}
	otherPool, _ := caPool(t, otherPEM)
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "localhost", Roots: otherPool}); err == nil {
		t.Error("certificate verified against another sandbox's CA, even with the same seed")
	}
}

// tlsServer serves "ok" over TLS with a fresh sandbox certificate and returns
// its address and the CA PEM.
func tlsServer(t *testing.T, hosts []string) (*httptest.Server, []byte) {
	t.Helper()
	caPEM, cert, err := newCertificates(0, hosts)
	if err != nil {
		t.Fatalf("newCertificates: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "ok "+r.Proto)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.Config.ErrorLog = discardLog() // the refused handshakes below are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, caPEM
}

func TestCertificatesGoClient(t *testing.T) {
	t.Parallel()
	srv, caPEM := tlsServer(t, []string{"sandbox.test"})
	pool, _ := caPool(t, caPEM)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	tests := []struct {
		name   string
		url    string
		dialTo string // where to connect, when the URL's host does not resolve here
	}{
		{"ipv4", "https://127.0.0.1:" + port + "/", ""},
		{"localhost", "https://localhost:" + port + "/", "127.0.0.1:" + port},
		{"dns name", "https://sandbox.test:" + port + "/", "127.0.0.1:" + port},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}
			if tc.dialTo != "" {
				tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, tc.dialTo)
				}
			}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(tc.url)
			if err != nil {
				t.Fatalf("GET %s: %v", tc.url, err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if !strings.HasPrefix(string(body), "ok ") {
				t.Errorf("body %q", body)
			}
		})
	}

	// Without the CA the same request must fail verification.
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(srv.URL)
	if err == nil {
		resp.Body.Close()
		t.Fatal("request without the sandbox CA succeeded; want an unknown authority error")
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("error %v; want an unknown authority error", err)
	}
}

// TestCertificatesCurl checks that curl, with its own TLS stack, accepts the
// certificate when given the CA file: the sandbox command prints ca_file for
// exactly such clients.
func TestCertificatesCurl(t *testing.T) {
	t.Parallel()
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed; the Go client test covers verification")
	}
	srv, caPEM := tlsServer(t, nil)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, url := range []string{srv.URL + "/", "https://localhost:" + port + "/"} {
		out, err := exec.Command(curl, "--silent", "--show-error", "--max-time", "10", "--cacert", caFile, url).CombinedOutput()
		if err != nil {
			t.Errorf("curl %s: %v\n%s", url, err, out)
			continue
		}
		if !strings.HasPrefix(string(out), "ok ") {
			t.Errorf("curl %s: body %q", url, out)
		}
	}
	// And refuses it without the CA.
	if out, err := exec.Command(curl, "--silent", "--show-error", "--max-time", "10", srv.URL+"/").CombinedOutput(); err == nil {
		t.Errorf("curl without --cacert succeeded: %s", out)
	}
}

// discardLog is a server error log for tests whose refused handshakes and
// aborted streams are expected.
func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// A server started beside the sandbox with a certificate the sandbox
// issued is trusted through the sandbox's one CA file.
func TestIssueCertificateSharesTheCA(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	cert, err := s.IssueCertificate("wso2.test", "127.0.0.1:9443", "[::1]:9443")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(s.CAFile)
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("CA file %s: %v", s.CAFile, err)
	}
	for _, host := range []string{"wso2.test", "localhost", "127.0.0.1"} {
		if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err != nil {
			t.Errorf("the issued certificate does not verify for %s against the CA file: %v", host, err)
		}
	}
	if _, err := cert.Leaf.Verify(x509.VerifyOptions{DNSName: "other.test", Roots: pool}); err == nil {
		t.Error("the issued certificate verifies for a host it was not issued for")
	}

	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "beside the sandbox")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	defer srv.Close()
	resp, err := s.Client().Get(srv.URL)
	if err != nil {
		t.Fatalf("the sandbox's client does not trust the issued certificate: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "beside the sandbox" {
		t.Errorf("body %q", body)
	}

	plain := start(t, Options{HTTP: true})
	if _, err := plain.IssueCertificate("wso2.test"); err == nil {
		t.Error("a plain-HTTP sandbox issued a certificate without a CA")
	}
}
