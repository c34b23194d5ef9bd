package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// drRun runs a command line in-process with stdin and returns its exit
// code, stdout and stderr.
func drRun(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// drTenant starts a sandbox that outlives the commands run against it (as
// a real tenant does) and returns it with the flags that reach it.
func drTenant(t *testing.T) (*sandbox.Server, []string) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	return sb, tenantFlags(t, sb)
}

func drLines(stdout, status string) []string {
	var out []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, status+"  ") {
			out = append(out, l)
		}
	}
	return out
}

func TestDoctorCommandExitCodes(t *testing.T) {
	t.Parallel()
	sb, tenant := drTenant(t)
	journal := filepath.Join(t.TempDir(), "wso2.journal.json")
	args := func(extra ...string) []string { return append(append([]string{}, extra...), tenant...) }

	if code, _, stderr := drRun(t, "", args("apply", "--playbook", "wso2", "--journal", journal)...); code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}

	trace := filepath.Join(t.TempDir(), "doctor.trace")
	code, stdout, stderr := drRun(t, "", args("doctor", "--playbook", "wso2", "--trace", trace)...)
	if code != 0 {
		t.Fatalf("doctor after apply: exit %d\n%s%s", code, stdout, stderr)
	}
	app, err := sandboxtest.Client(t, sb, nil).FindClient(context.Background(), "WSO2 APIM application")
	if err != nil {
		t.Fatal(err)
	}
	// doctor reads the application's secret and mints tokens: none in its trace.
	checkTrace(t, trace, []string{"/api/v2/client-grants", "/api/v2/resource-servers"}, map[string]string{
		"management secret":  sb.ClientSecret,
		"application secret": app.ClientSecret,
	})
	// tenant, credentials, scopes, API, application, grant, token, the
	// applications WSO2's connector made, the key manager.
	if n := len(drLines(stdout, "PASS")); n != 9 || !strings.Contains(stdout, "9 checks: 9 passed") {
		t.Fatalf("doctor after apply: %d PASS lines, want 9:\n%s", n, stdout)
	}

	// The journal alone says which playbook and application; JSON output.
	code, stdout, stderr = drRun(t, "", args("doctor", "--journal", journal, "--output", "json")...)
	var rep struct {
		Playbook string              `json:"playbook"`
		OK       bool                `json:"ok"`
		Checks   []steps.CheckResult `json:"checks"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("doctor --output json: %v\n%s", err, stdout)
	}
	if code != 0 || !rep.OK || rep.Playbook != "wso2" || len(rep.Checks) != 10 || rep.Checks[0].ID != steps.CheckJournal {
		t.Fatalf("doctor --journal: exit %d, report %+v\n%s", code, rep, stderr)
	}

	// Break the grant for real in the tenant.
	ctx := context.Background()
	admin := sandboxtest.Client(t, sb, nil)
	g, err := admin.FindClientGrant(ctx, app.ClientID, steps.DefaultAPIMURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.DeleteClientGrant(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = drRun(t, "", args("doctor", "--playbook", "wso2")...)
	if code != 1 {
		t.Fatalf("doctor without the grant: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	fails := drLines(stdout, "FAIL")
	if len(fails) != 1 || !strings.Contains(fails[0], "client grant") || !strings.Contains(fails[0], steps.DefaultAPIMURL) {
		t.Fatalf("want one FAIL naming the client grant and the audience:\n%s", stdout)
	}
	if !strings.Contains(stdout, fails[0]+"\n      fix: authorize it") {
		t.Errorf("the FAIL is not followed by its fix:\n%s", stdout)
	}
	if skips := drLines(stdout, "SKIP"); len(skips) != 1 || !strings.Contains(skips[0], "skipped: Client grant to "+steps.DefaultAPIMURL+" failed") {
		t.Errorf("want the token check skipped because of the grant:\n%s", stdout)
	}
	if !strings.Contains(stderr, "1 of 9 checks failed (client_grant)") {
		t.Errorf("stderr does not sum the failure up: %s", stderr)
	}

	// An application that is not there, by its client ID.
	code, stdout, _ = drRun(t, "", args("doctor", "--playbook", "wso2", "--app-client-id", "no-such-client-id")...)
	if code != 1 || !strings.Contains(stdout, "FAIL  Application no-such-client-id — the tenant has no application with the client ID no-such-client-id") {
		t.Errorf("doctor --app-client-id of nothing: exit %d\n%s", code, stdout)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no playbook", args("doctor"), "--playbook is required"},
		{"bad output", args("doctor", "--playbook", "wso2", "--output", "xml"), "--output must be text or json"},
		{"missing journal", args("doctor", "--journal", filepath.Join(t.TempDir(), "nope.json")), "does not exist"},
	} {
		code, _, stderr := drRun(t, "", tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", tc.name, code, stderr, tc.want)
		}
	}
}

func TestDoctorCommandOnAFreshSandbox(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := drRun(t, "", "doctor", "--sandbox", "--playbook", "azure")
	if code != 1 {
		t.Fatalf("doctor --sandbox: exit %d, want 1 (nothing set up)\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"PASS  Tenant", "PASS  Management API credentials", "FAIL  Resource server basic-calculator", "SKIP  Client grant"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
}

func TestTokenDecodeCommand(t *testing.T) {
	t.Parallel()
	sb, _ := drTenant(t)
	tc, err := sandboxtest.Client(t, sb, nil).ClientCredentialsToken(context.Background(), sb.ClientID, sb.ClientSecret, sb.Audience)
	if err != nil {
		t.Fatal(err)
	}
	token := tc.Token
	sig := token[strings.LastIndexByte(token, '.')+1:]

	code, stdout, stderr := drRun(t, token+"\n", "token", "decode", "--ca-file", sb.CAFile, "-")
	if code != 0 {
		t.Fatalf("token decode: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"header", "kid", "claims", "azp    " + sb.ClientID, "iss    https://" + sb.Domain + "/",
		"expiry     expires in 23h5", "signature  ✓ verified against https://" + sb.Domain + "/.well-known/jwks.json", "not shown"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout+stderr, token) || strings.Contains(stdout+stderr, sig) {
		t.Errorf("the token (or its signature) was printed back:\n%s", stdout)
	}

	// No argument and a stdin that is not a terminal: read from stdin; JSON.
	code, stdout, _ = drRun(t, "Bearer "+token, "token", "decode", "--ca-file", sb.CAFile, "-o", "json", "--reveal-secrets")
	var rep tokenReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 0 {
		t.Fatalf("token decode -o json: exit %d, %v\n%s", code, err, stdout)
	}
	if !rep.Signature.Checked || !rep.Signature.Verified || rep.Claims["azp"] != sb.ClientID || rep.ExpiresAt == nil || rep.Token != token {
		t.Errorf("report %+v", rep)
	}

	// The tenant's CA not trusted: decoded, and the check says it was not made.
	code, stdout, _ = drRun(t, token, "token", "decode")
	if code != 0 || !strings.Contains(stdout, "? not checked: the tenant's keys could not be read") {
		t.Errorf("token decode without the CA: exit %d\n%s", code, stdout)
	}

	// Another signature on the same claims.
	forged := token[:len(token)-len(sig)] + base64.RawURLEncoding.EncodeToString([]byte("forged"))
	code, stdout, stderr = drRun(t, forged, "token", "decode", "--ca-file", sb.CAFile)
	if code != 1 || !strings.Contains(stdout, "✗ the signature does not verify") || !strings.Contains(stderr, "signature does not verify") {
		t.Errorf("forged token: exit %d\n%s%s", code, stdout, stderr)
	}

	// Garbage.
	code, stdout, stderr = drRun(t, "", "token", "decode", "this-is-no-token")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "not a JWT") || strings.Contains(stderr, "this-is-no-token") {
		t.Errorf("garbage: exit %d, stdout %q, stderr %q; want 1, nothing on stdout, a clear error that does not repeat the input", code, stdout, stderr)
	}
}

// jwtLike matches anything shaped like a JWT.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

// checkTrace reads a --trace file and fails on every secret found in it.
func checkTrace(t *testing.T, path string, covers []string, secrets map[string]string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("trace mode %v, want 0600", fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	trace := string(b)
	// The trace must be the whole run, redactions included, or finding
	// nothing in it proves nothing.
	for _, want := range append(covers, "POST", "/oauth/token", "/api/v2/clients", "/.well-known/jwks.json", "[REDACTED]") {
		if !strings.Contains(trace, want) {
			t.Errorf("trace lacks %q: it does not cover the run", want)
		}
	}
	for name, v := range secrets {
		if v == "" {
			t.Fatalf("secret %s is empty: the test cannot search for it", name)
		}
		for _, form := range []string{v, url.QueryEscape(v)} {
			if strings.Contains(trace, form) {
				t.Errorf("trace holds the %s", name)
			}
		}
	}
	if m := jwtLike.FindString(trace); m != "" {
		t.Errorf("trace holds a token (%d chars starting %.12s…)", len(m), m)
	}
}

func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

// TestTraceOfSandboxApplyHoldsNoSecret runs the command of the issue,
// `apply --sandbox --playbook azure ... --trace FILE --reveal-secrets
// --output json`, with the user password from the environment (hence not
// parallel), and searches the trace for each secret the output reveals.
func TestTraceOfSandboxApplyHoldsNoSecret(t *testing.T) {
	const password = "Tr4ce-Test-Passw0rd!"
	t.Setenv(envUserPassword, password)
	trace := filepath.Join(t.TempDir(), "t.log")
	code, stdout, stderr := drRun(t, "", "apply", "--sandbox", "--playbook", "azure", "--user-email", "a@example.com",
		"--trace", trace, "--reveal-secrets", "--output", "json")
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || out.ClientSecret == steps.Masked {
		t.Fatalf("output: %v, client secret %q", err, out.ClientSecret)
	}
	checkTrace(t, trace, []string{"/api/v2/users", "/api/v2/connections"}, map[string]string{
		"new client secret":            out.ClientSecret,
		"new client Basic credentials": basicAuth(out.ClientID, out.ClientSecret),
		"user password":                password,
	})
}

// TestTraceOfApplyHoldsNoSecret does the same against a tenant whose
// management secret the test knows, so that it is searched for too.
func TestTraceOfApplyHoldsNoSecret(t *testing.T) {
	t.Parallel()
	sb, tenant := drTenant(t)
	const password = "An0ther-Passw0rd?"
	pwFile := sandboxtest.WriteFile(t, "pw", password)
	trace := filepath.Join(t.TempDir(), "t.log")
	args := append([]string{"apply", "--playbook", "azure", "--user-email", "b@example.com", "--user-password-file", pwFile,
		"--journal", filepath.Join(t.TempDir(), "j.json"), "--trace", trace, "--reveal-secrets", "--output", "json"}, tenant...)
	code, stdout, stderr := drRun(t, "", args...)
	if code != 0 {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	var out struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	checkTrace(t, trace, []string{"/api/v2/users", "/api/v2/connections"}, map[string]string{
		"management secret":            sb.ClientSecret,
		"management Basic credentials": basicAuth(sb.ClientID, sb.ClientSecret),
		"new client secret":            out.ClientSecret,
		"new client Basic credentials": basicAuth(out.ClientID, out.ClientSecret),
		"user password":                password,
	})
}
