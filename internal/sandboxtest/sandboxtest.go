// Package sandboxtest is what tests need to run against an in-process
// sandbox tenant: start one (and a WSO2 stand-in beside it), a client of its
// seeded management application, the settings of a playbook on it, an admin
// that reads the tenant independently of the code under test, a trace sink
// and a recorder of retry notices. Tests of every package use it instead of
// copies of their own.
package sandboxtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// Start starts a sandbox tenant with opts and stops it when the test ends.
func Start(t testing.TB, opts sandbox.Options) *sandbox.Server {
	t.Helper()
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("start the sandbox: %v", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// StartWSO2 starts a WSO2 API Manager stand-in with opts, its Auth0
// connector talking to a0 (none when a0 is nil), and stops it when the test
// ends.
func StartWSO2(t testing.TB, a0 *sandbox.Server, opts wso2sandbox.Options) *wso2sandbox.Server {
	t.Helper()
	if a0 != nil {
		opts.Auth0Client = a0.Client()
	}
	w, err := wso2sandbox.New(opts)
	if err != nil {
		t.Fatalf("start the WSO2 stand-in: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	return w
}

// Domain is the tenant domain to give for srv: host:port for HTTPS, the
// http:// URL for a plain-HTTP sandbox.
func Domain(srv *sandbox.Server) string {
	if strings.HasPrefix(srv.BaseURL, "http://") {
		return srv.BaseURL
	}
	return srv.Domain
}

// FastRetry is the client's default retry policy with millisecond waits, no
// jitter and no time budget: the same attempts, in a test's time.
func FastRetry() auth0client.RetryPolicy {
	p := auth0client.DefaultRetryPolicy()
	p.Floor, p.MaxWait, p.Jitter, p.Budget = time.Millisecond, 20*time.Millisecond, 0, 0
	return p
}

// Config is the client configuration of srv's seeded management
// application (trusting srv's CA), with the default retry policy.
func Config(srv *sandbox.Server) auth0client.Config {
	return auth0client.Config{Domain: Domain(srv), ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Audience: srv.Audience, CAPEM: srv.CAPEM}
}

// Client is a client of srv's seeded management application; edit, when
// not nil, changes its configuration first (another application's
// credentials, a trace, FastRetry).
func Client(t testing.TB, srv *sandbox.Server, edit func(*auth0client.Config)) *auth0client.Client {
	t.Helper()
	cfg := Config(srv)
	if edit != nil {
		edit(&cfg)
	}
	c, err := auth0client.New(cfg)
	if err != nil {
		t.Fatalf("auth0client.New: %v", err)
	}
	return c
}

// Settings are a playbook's settings on srv, with its defaults and a test
// user (jane@example.com) and APIM instance (contoso) for azure.
func Settings(srv *sandbox.Server, id steps.PlaybookID) steps.Settings {
	return steps.WithDefaults(steps.Settings{Playbook: id, Domain: Domain(srv), ClientID: srv.ClientID, ClientSecret: srv.ClientSecret,
		Audience: srv.Audience, UserEmail: "jane@example.com", UserPassword: "Passw0rd!x", APIMInstance: "contoso"})
}

// WriteFile writes content to a 0600 file named name in a temporary folder
// of the test and returns its path: a secret file for a flag, a config file.
func WriteFile(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Admin reads a sandbox tenant through its Management API list endpoints,
// independently of the engine and auth0client, trying again what faults
// break.
type Admin struct {
	t     testing.TB
	srv   *sandbox.Server
	token string
}

// NewAdmin gets a management token for srv's seeded application.
func NewAdmin(t testing.TB, srv *sandbox.Server) *Admin {
	t.Helper()
	a := &Admin{t: t, srv: srv}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {srv.ClientID}, "client_secret": {srv.ClientSecret}, "audience": {srv.Audience}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	a.Do(http.MethodPost, srv.BaseURL+"/oauth/token", form, &tok)
	a.token = tok.AccessToken
	return a
}

// Token is the admin's management token, for a request a test sends
// itself.
func (a *Admin) Token() string { return a.token }

// Do sends one request (form-encoded when form is not nil) and decodes the
// JSON answer into out (when not nil); a 429, a 5xx or a lost answer is
// tried again, up to 40 times, and any other failure ends the test.
func (a *Admin) Do(method, u string, form url.Values, out any) {
	a.t.Helper()
	var last string
	for range 40 {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(context.Background(), method, u, body)
		if err != nil {
			a.t.Fatalf("%s %s: %v", method, u, err)
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if a.token != "" {
			req.Header.Set("Authorization", "Bearer "+a.token)
		}
		resp, err := a.srv.Client().Do(req)
		if err != nil {
			last = err.Error()
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			last = resp.Status
			time.Sleep(50 * time.Millisecond) // a back-off for the test's own reads, not a timing assertion
			continue
		}
		if resp.StatusCode/100 != 2 {
			a.t.Fatalf("%s %s: %s %s", method, u, resp.Status, b)
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				a.t.Fatalf("%s %s: %v", method, u, err)
			}
		}
		return
	}
	a.t.Fatalf("%s %s: still failing: %s", method, u, last)
}

// List returns every item of a Management API collection: path
// ("resource-servers", "clients?fields=...") and the answer's key for the
// items ("resource_servers").
func (a *Admin) List(path, key string) []map[string]any {
	a.t.Helper()
	var all []map[string]any
	for page := 0; ; page++ {
		var out map[string]json.RawMessage
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		a.Do(http.MethodGet, fmt.Sprintf("%s/api/v2/%s%sper_page=100&page=%d&include_totals=true", a.srv.BaseURL, path, sep, page), nil, &out)
		var items []map[string]any
		if err := json.Unmarshal(out[key], &items); err != nil {
			a.t.Fatalf("list %s: %v", path, err)
		}
		var total int
		_ = json.Unmarshal(out["total"], &total)
		all = append(all, items...)
		if len(items) == 0 || len(all) >= total {
			return all
		}
	}
}

// Snapshot lists the tenant's resources as sorted lines, ids included, so
// that two snapshots compare the tenant exactly.
func (a *Admin) Snapshot() []string {
	a.t.Helper()
	var lines []string
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	for _, rs := range a.List("resource-servers", "resource_servers") {
		lines = append(lines, "resource_server "+str(rs, "id")+" "+str(rs, "identifier")+" "+fmt.Sprint(rs["scopes"]))
	}
	for _, c := range a.List("clients", "clients") {
		lines = append(lines, "client "+str(c, "client_id")+" "+str(c, "name")+" "+fmt.Sprint(c["grant_types"], c["callbacks"]))
	}
	for _, g := range a.List("client-grants", "client_grants") {
		lines = append(lines, "client_grant "+str(g, "id")+" "+str(g, "client_id")+" "+str(g, "audience")+" "+fmt.Sprint(g["scope"]))
	}
	for _, c := range a.List("connections", "connections") {
		var en struct {
			Clients []struct {
				ClientID string `json:"client_id"`
			} `json:"clients"`
		}
		a.Do(http.MethodGet, a.srv.BaseURL+"/api/v2/connections/"+str(c, "id")+"/clients?take=100", nil, &en)
		var ids []string
		for _, x := range en.Clients {
			ids = append(ids, x.ClientID)
		}
		slices.Sort(ids)
		lines = append(lines, "connection "+str(c, "id")+" "+str(c, "name")+" enabled:"+strings.Join(ids, ","))
	}
	for _, u := range a.List("users", "users") {
		lines = append(lines, "user "+str(u, "user_id")+" "+str(u, "email"))
	}
	slices.Sort(lines)
	return lines
}

// Count returns how many snapshot lines start with kind and contain name.
func Count(snap []string, kind, name string) int {
	n := 0
	for _, l := range snap {
		if strings.HasPrefix(l, kind+" ") && strings.Contains(l, name) {
			n++
		}
	}
	return n
}

// Notices records the retry notices a client reports (steps.Notify).
type Notices struct {
	mu      sync.Mutex
	notices []steps.RetryNotice
}

// Context returns parent with the recorder as its notifier.
func (n *Notices) Context(parent context.Context) context.Context {
	return steps.WithNotifier(parent, func(rn steps.RetryNotice) {
		n.mu.Lock()
		n.notices = append(n.notices, rn)
		n.mu.Unlock()
	})
}

// All returns the notices recorded so far, in order.
func (n *Notices) All() []steps.RetryNotice {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.notices)
}

// Buffer is a sink (a client's trace, a command's output) safe for
// concurrent writes and reads.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Reset forgets what was written so far.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}
