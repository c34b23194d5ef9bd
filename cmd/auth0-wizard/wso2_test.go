package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2client"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// wso2Pair is a sandbox tenant and a WSO2 stand-in beside it that outlive
// the commands run against them, started as `sandbox --wso2` starts them.
type wso2Pair struct {
	sb     *sandbox.Server
	w      *wso2sandbox.Server
	caFile string   // trusts both
	flags  []string // the tenant's flags, --ca-file the one file
}

func startPair(t *testing.T, opts wso2sandbox.Options) wso2Pair {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	w, extra, err := startStandIn(newFactory(nil, nil, nil), sb, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Close() })
	caFile, remove, err := caBundle(sb, extra)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(remove)
	secret := sandboxtest.WriteFile(t, "secret", sb.ClientSecret+"\n")
	return wso2Pair{sb: sb, w: w, caFile: caFile,
		flags: []string{"--domain", sb.Domain, "--client-id", sb.ClientID, "--client-secret-file", secret, "--ca-file", caFile}}
}

// runEnv runs the command line with env as the whole environment.
func runEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	f := envFactory(env)
	f.In, f.Out, f.Err = strings.NewReader(""), &out, &errb
	code := runWith(context.Background(), f, args)
	return code, out.String(), errb.String()
}

func (p wso2Pair) keyManagers(t *testing.T) int {
	t.Helper()
	c, err := wso2client.New(wso2client.Config{URL: p.w.URL, Username: p.w.AdminUser, Password: p.w.AdminPassword, CAFile: p.caFile})
	if err != nil {
		t.Fatal(err)
	}
	kms, err := c.ListKeyManagers(context.Background())
	if err != nil {
		t.Fatalf("list WSO2's key managers trusting %s: %v", p.caFile, err)
	}
	return len(kms)
}

// apply --playbook wso2 with the API Manager URL, the admin user and the
// password from the environment registers the key manager, generates keys
// (WSO2's connector makes the Auth0 application) and verifies a token WSO2
// generated; a re-run reuses everything; teardown without the password says
// what it cannot delete, and with it restores both sides.
func TestApplyWSO2EndToEnd(t *testing.T) {
	t.Parallel()
	p := startPair(t, wso2sandbox.Options{})
	env := map[string]string{envWSO2AdminPassword: p.w.AdminPassword}
	before, kmsBefore := tenantSnapshot(t, p.sb), p.keyManagers(t)
	dir := t.TempDir()
	j1, j2 := filepath.Join(dir, "first.json"), filepath.Join(dir, "second.json")
	args := func(journal string) []string {
		return append([]string{"apply", "--playbook", "wso2", "--apim-url", p.w.URL, "--wso2-admin-user", p.w.AdminUser,
			"--journal", journal, "--output", "json"}, p.flags...)
	}
	code, stdout, stderr := runEnv(t, env, args(j1)...)
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	first := decodeOutput(t, stdout)
	kinds := map[string]string{}
	for _, r := range first.Resources {
		kinds[r.Kind] = r.Action
	}
	for _, k := range []string{"resource_server", "wso2_key_manager", "wso2_application", "client_grant"} {
		if kinds[k] != "created" {
			t.Errorf("resource %s: %q, want created (%+v)", k, kinds[k], first.Resources)
		}
	}
	if w := first.WSO2; w == nil || w.URL != p.w.URL || w.KeyManagerID == "" || w.ApplicationID == "" || !w.Token.Verified {
		t.Fatalf("wso2 %+v", first.WSO2)
	}
	if first.Audience != p.w.URL || first.Token.Claims["aud"] != p.w.URL || !first.Token.Verified {
		t.Errorf("audience %q, token %+v: want the API Manager URL %s", first.Audience, first.Token, p.w.URL)
	}
	if strings.Contains(stdout+stderr, p.w.AdminPassword) {
		t.Error("the WSO2 admin password is in the output")
	}

	code, stdout, stderr = runEnv(t, env, args(j2)...)
	if code != exitOK {
		t.Fatalf("second apply: exit %d\n%s", code, stderr)
	}
	second := decodeOutput(t, stdout)
	if len(second.Resources) != len(first.Resources) {
		t.Fatalf("second apply: %+v", second.Resources)
	}
	for i, r := range second.Resources {
		if r.Action != "reused" || r.ID != first.Resources[i].ID {
			t.Errorf("second apply: %s %s %s, want reused %s", r.Action, r.Kind, r.ID, first.Resources[i].ID)
		}
	}

	// Without the password, teardown deletes what Auth0 holds and names
	// what only WSO2 can delete.
	code, _, stderr = runEnv(t, nil, append([]string{"teardown", "--journal", j1}, p.flags...)...)
	if code != exitFailure || !strings.Contains(stderr, "key manager Auth0") || !strings.Contains(stderr, envWSO2AdminPassword) {
		t.Errorf("teardown without the WSO2 password: exit %d, want 1 naming the WSO2 entries and %s:\n%s", code, envWSO2AdminPassword, stderr)
	}
	if n := p.keyManagers(t); n != kmsBefore+1 {
		t.Errorf("teardown without the password changed WSO2: %d key managers", n)
	}
	if code, _, stderr = runEnv(t, env, append([]string{"teardown", "--journal", j1}, p.flags...)...); code != exitOK {
		t.Fatalf("teardown: exit %d\n%s", code, stderr)
	}
	if after := tenantSnapshot(t, p.sb); !slices.Equal(before, after) {
		t.Errorf("teardown left the tenant changed:\nbefore %v\nafter  %v", before, after)
	}
	if n := p.keyManagers(t); n != kmsBefore {
		t.Errorf("teardown left %d key managers in WSO2, were %d", n, kmsBefore)
	}
}

// A wrong WSO2 password and a WSO2 serving an Admin REST API version this
// tool does not know: each a clear error, exit 1, nothing changed.
func TestApplyWSO2Refusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		opts     wso2sandbox.Options
		password func(*wso2sandbox.Server) string
		want     string
	}{
		{"wrong password", wso2sandbox.Options{}, func(*wso2sandbox.Server) string { return "not-the-password" }, "401"},
		{"unknown version", wso2sandbox.Options{AdminAPIVersion: "v9"}, func(w *wso2sandbox.Server) string { return w.AdminPassword }, "Admin REST API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := startPair(t, tc.opts)
			before, kms := tenantSnapshot(t, p.sb), 0
			if tc.opts.AdminAPIVersion == "" {
				kms = p.keyManagers(t)
			}
			code, stdout, stderr := runEnv(t, map[string]string{envWSO2AdminPassword: tc.password(p.w)},
				append([]string{"apply", "--playbook", "wso2", "--apim-url", p.w.URL, "--journal", filepath.Join(t.TempDir(), "j.json"), "--output", "json"}, p.flags...)...)
			if code != exitFailure || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q; want 1 and an error naming %q:\n%s", code, stdout, tc.want, stderr)
			}
			if after := tenantSnapshot(t, p.sb); !slices.Equal(before, after) {
				t.Errorf("the tenant changed:\nbefore %v\nafter  %v", before, after)
			}
			if tc.opts.AdminAPIVersion == "" {
				if n := p.keyManagers(t); n != kms {
					t.Errorf("WSO2 holds %d key managers after a refused run", n)
				}
			}
		})
	}
}

// Step 3.3 headless: --authorize-client, twice, grants two applications
// WSO2's connector made access to the API.
func TestApplyAuthorizeClients(t *testing.T) {
	t.Parallel()
	sb, tenant := persistentTenant(t)
	c := sandboxtest.Client(t, sb, nil)
	ctx := context.Background()
	var ids []string
	for _, name := range []string{"adminOrders_PRODUCTION", "adminBilling_SANDBOX"} {
		app, err := c.CreateClient(ctx, steps.App{Name: name, AppType: "regular_web", TokenEndpointAuthMethod: "client_secret_basic",
			GrantTypes: []string{steps.GrantClientCredentials}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, app.ClientID)
	}
	code, stdout, stderr := runEnv(t, nil, append([]string{"apply", "--playbook", "wso2", "--authorize-client", ids[0], "--authorize-client", ids[1],
		"--journal", filepath.Join(t.TempDir(), "j.json"), "--output", "json"}, tenant...)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "left to do by hand") {
		t.Errorf("no note that WSO2's side is left by hand:\n%s", stderr)
	}
	o := decodeOutput(t, stdout)
	for _, id := range ids {
		if !slices.ContainsFunc(o.Resources, func(r struct{ Kind, ID, Name, Action string }) bool {
			return r.Kind == "client_grant" && strings.Contains(r.Name, id) && r.Action == "created"
		}) {
			t.Errorf("no grant created for %s: %+v", id, o.Resources)
		}
		if _, err := c.FindClientGrant(ctx, id, o.Audience); err != nil {
			t.Errorf("grant of %s for %s: %v", id, o.Audience, err)
		}
	}
	if code, _, stderr := runEnv(t, nil, "apply", "--sandbox", "--playbook", "azure", "--authorize-client", ids[0]); code != exitUsage {
		t.Errorf("--authorize-client with azure: exit %d, want 2\n%s", code, stderr)
	}
}

// `sandbox --wso2`: the line carries the stand-in, and its one ca_file
// trusts both the tenant and the stand-in.
func TestSandboxCommandWSO2(t *testing.T) {
	t.Parallel()
	r := startSandbox(t, "--wso2")
	l := r.line
	if !strings.HasPrefix(l.WSO2URL, "https://") || l.WSO2AdminUser != "admin" || l.WSO2AdminPassword == "" || l.CAFile == "" {
		t.Fatalf("line %+v", l)
	}
	c, err := wso2client.New(wso2client.Config{URL: l.WSO2URL, Username: l.WSO2AdminUser, Password: l.WSO2AdminPassword, CAFile: l.CAFile})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListKeyManagers(context.Background()); err != nil {
		t.Errorf("the stand-in, trusting ca_file only: %v", err)
	}
	// And apply against both, trusting that one file.
	secret := sandboxtest.WriteFile(t, "secret", l.ClientSecret)
	code, stdout, stderr := runEnv(t, map[string]string{envWSO2AdminPassword: l.WSO2AdminPassword},
		"apply", "--playbook", "wso2", "--domain", l.Domain, "--client-id", l.ClientID, "--client-secret-file", secret, "--ca-file", l.CAFile,
		"--apim-url", l.WSO2URL, "--journal", filepath.Join(t.TempDir(), "j.json"), "--output", "json")
	if code != exitOK {
		t.Fatalf("apply against sandbox --wso2: exit %d\n%s", code, stderr)
	}
	if o := decodeOutput(t, stdout); o.WSO2 == nil || !o.WSO2.Token.Verified {
		t.Errorf("wso2 %+v", o.WSO2)
	}
	if code, _ := r.stop(t); code != exitOK {
		t.Errorf("exit %d\n%s", code, r.stderr)
	}
}
