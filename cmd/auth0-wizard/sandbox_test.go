package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
)

// sandboxRun is a running `auth0-wizard sandbox` command in this process.
type sandboxRun struct {
	line   sandboxLine
	cancel context.CancelFunc
	done   chan struct{} // closed once run returned
	code   int           // run's exit code, once done is closed
	stdout *io.PipeReader
	rest   chan string // whatever stdout held after the first line
	stderr *lockedBuffer
}

// lockedBuffer is a buffer safe to read while the command writes it.
type lockedBuffer = sandboxtest.Buffer

// startSandbox runs the sandbox command with args and returns once its
// first stdout line was read and decoded.
func startSandbox(t *testing.T, args ...string) *sandboxRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	outR, outW := io.Pipe()
	r := &sandboxRun{cancel: cancel, done: make(chan struct{}), stdout: outR, rest: make(chan string, 1), stderr: &lockedBuffer{}}
	go func() {
		r.code = run(ctx, append([]string{"sandbox"}, args...), strings.NewReader(""), outW, r.stderr)
		outW.Close()
		close(r.done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Error("sandbox command still running 10s after its context was cancelled")
		}
	})

	lines := make(chan string, 1)
	readErr := make(chan error, 1)
	go func() {
		br := bufio.NewReader(outR)
		first, err := br.ReadString('\n')
		if err != nil {
			readErr <- err
			return
		}
		lines <- first
		rest, _ := io.ReadAll(br)
		r.rest <- string(rest)
	}()
	select {
	case first := <-lines:
		dec := json.NewDecoder(strings.NewReader(first))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r.line); err != nil {
			t.Fatalf("first stdout line %q is not the sandbox JSON object: %v", first, err)
		}
		var fields map[string]any
		want := 6
		if slices.Contains(args, "--wso2") {
			want = 9 // and wso2_url, wso2_admin_user, wso2_admin_password
		}
		if err := json.Unmarshal([]byte(first), &fields); err != nil || len(fields) != want {
			t.Errorf("first line has fields %v; want exactly domain, base_url, audience, client_id, client_secret, ca_file", fields)
		}
	case err := <-readErr:
		<-r.done
		t.Fatalf("no stdout line (exit %d, read error %v); stderr:\n%s", r.code, err, r.stderr)
	case <-time.After(20 * time.Second):
		t.Fatal("no stdout line within 20s")
	}
	return r
}

// stop cancels the command's context (what SIGINT does through main) and
// returns its exit code and everything stdout held after the first line.
func (r *sandboxRun) stop(t *testing.T) (int, string) {
	t.Helper()
	r.cancel()
	select {
	case <-r.done:
		return r.code, <-r.rest
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox command still running 10s after its context was cancelled")
	}
	return -1, ""
}

func getDiscovery(t *testing.T, c *http.Client, baseURL string) map[string]any {
	t.Helper()
	resp, err := c.Get(baseURL + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatalf("GET discovery: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET discovery: status %d", resp.StatusCode)
	}
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatalf("discovery document: %v", err)
	}
	return doc
}

func TestSandboxCommandHTTP(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "tenant.json")
	r := startSandbox(t, "--http", "--seed", "1", "--state", state)
	l := r.line

	if !strings.HasPrefix(l.Domain, "127.0.0.1:") || strings.HasSuffix(l.Domain, ":0") {
		t.Errorf("domain %q; want 127.0.0.1 and the port it listens on", l.Domain)
	}
	if l.BaseURL != "http://"+l.Domain {
		t.Errorf("base_url %q; want http://%s", l.BaseURL, l.Domain)
	}
	if l.Audience != l.BaseURL+"/api/v2/" {
		t.Errorf("audience %q; want %s/api/v2/", l.Audience, l.BaseURL)
	}
	if l.ClientID == "" || l.ClientSecret == "" {
		t.Errorf("client_id %q, client_secret set %v; want the seeded management application", l.ClientID, l.ClientSecret != "")
	}
	if l.CAFile != "" {
		t.Errorf("ca_file %q with --http; want empty", l.CAFile)
	}

	doc := getDiscovery(t, &http.Client{Timeout: 10 * time.Second}, l.BaseURL)
	if doc["issuer"] != l.BaseURL+"/" {
		t.Errorf("issuer %v; want %s/", doc["issuer"], l.BaseURL)
	}

	code, rest := r.stop(t)
	if code != exitOK {
		t.Errorf("exit %d after the context was cancelled; want 0. stderr:\n%s", code, r.stderr)
	}
	if rest != "" {
		t.Errorf("stdout held more than the JSON line: %q", rest)
	}
	if strings.Contains(r.stderr.String(), l.ClientSecret) {
		t.Error("the client secret appeared on stderr")
	}
	info, err := os.Stat(state)
	if err != nil {
		t.Fatalf("--state was not written on exit: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v; want 0600 (it holds secrets)", info.Mode().Perm())
	}
	data, _ := os.ReadFile(state)
	if !json.Valid(data) {
		t.Errorf("state file is not JSON:\n%.200s", data)
	}

	// The same seed and state bring the same management application back.
	again := startSandbox(t, "--http", "--seed", "1", "--state", state)
	if again.line.ClientID != l.ClientID || again.line.ClientSecret != l.ClientSecret {
		t.Errorf("restarted from --state with client %q; want %q and the same secret", again.line.ClientID, l.ClientID)
	}
	if code, _ := again.stop(t); code != exitOK {
		t.Errorf("second run exit %d; want 0", code)
	}
}

func TestSandboxCommandHTTPS(t *testing.T) {
	t.Parallel()
	r := startSandbox(t, "--latency", "1ms-5ms", "--rate-limit", "50")
	l := r.line
	if l.BaseURL != "https://"+l.Domain || l.CAFile == "" {
		t.Fatalf("base_url %q, ca_file %q; want HTTPS and a CA file", l.BaseURL, l.CAFile)
	}
	caPEM, err := os.ReadFile(l.CAFile)
	if err != nil {
		t.Fatalf("read ca_file: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("ca_file %s holds no PEM certificate", l.CAFile)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	defer tr.CloseIdleConnections()
	doc := getDiscovery(t, &http.Client{Transport: tr, Timeout: 10 * time.Second}, l.BaseURL)
	if doc["issuer"] != l.BaseURL+"/" {
		t.Errorf("issuer %v; want %s/", doc["issuer"], l.BaseURL)
	}
	if !strings.Contains(r.stderr.String(), "--ca-file "+l.CAFile) {
		t.Errorf("stderr hint does not name the CA file:\n%s", r.stderr)
	}
	if code, _ := r.stop(t); code != exitOK {
		t.Errorf("exit %d; want 0. stderr:\n%s", code, r.stderr)
	}
}

func TestSandboxCommandUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"fail rate above 1", []string{"--fail-rate", "1.5"}, "--fail-rate"},
		{"fail rate negative", []string{"--fail-rate", "-0.1"}, "--fail-rate"},
		{"fail rate NaN", []string{"--fail-rate", "NaN"}, "--fail-rate"},
		{"fail rate not a number", []string{"--fail-rate", "often"}, "--fail-rate"},
		{"latency nonsense", []string{"--latency", "slow"}, "--latency"},
		{"latency without unit", []string{"--latency", "20-200ms"}, "--latency"},
		{"latency negative", []string{"--latency", "-5ms"}, "--latency"},
		{"latency range backwards", []string{"--latency", "200ms-20ms"}, "ends before it starts"},
		{"rate limit negative", []string{"--rate-limit", "-1"}, "--rate-limit"},
		{"rate limit infinite", []string{"--rate-limit", "Inf"}, "--rate-limit"},
		{"burst negative", []string{"--rate-limit", "5", "--burst", "-1"}, "--burst"},
		{"burst without rate limit", []string{"--burst", "5"}, "needs --rate-limit"},
		{"addr without port", []string{"--addr", "127.0.0.1"}, "--addr"},
		{"seed not a number", []string{"--seed", "one"}, "--seed"},
		{"unknown flag", []string{"--fail"}, "unknown flag"},
		{"argument", []string{"now"}, "no arguments"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append([]string{"sandbox"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
			if code != exitUsage {
				t.Errorf("exit %d; want %d (usage). stderr: %s", code, exitUsage, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q does not mention %q", stderr.String(), tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q; want nothing: only a started sandbox prints its line", stdout.String())
			}
		})
	}
}

func TestParseLatency(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		lo, hi time.Duration
	}{
		{"", 0, 0},
		{"0", 0, 0},
		{"50ms", 50 * time.Millisecond, 0},
		{"20ms-200ms", 20 * time.Millisecond, 200 * time.Millisecond},
		{" 1s - 2s ", time.Second, 2 * time.Second},
		{"100ms-100ms", 100 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tc := range tests {
		lo, hi, err := parseLatency(tc.in)
		if err != nil || lo != tc.lo || hi != tc.hi {
			t.Errorf("parseLatency(%q) = %v, %v, %v; want %v, %v", tc.in, lo, hi, err, tc.lo, tc.hi)
		}
	}
}
