package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// runCmd runs the command line in-process and returns its exit code, stdout
// and stderr.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// persistentTenant starts a sandbox that outlives the commands run against
// it (as a real tenant does) and returns it with the flags that reach it.
func persistentTenant(t *testing.T) (*sandbox.Server, []string) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{Seed: 7})
	return sb, tenantFlags(t, sb)
}

// tenantFlags are the flags that reach sb as its management application,
// the secret in a file.
func tenantFlags(t *testing.T, sb *sandbox.Server) []string {
	t.Helper()
	secret := sandboxtest.WriteFile(t, "secret", sb.ClientSecret+"\n")
	return []string{"--domain", sb.Domain, "--client-id", sb.ClientID, "--client-secret-file", secret, "--ca-file", sb.CAFile}
}

// output is the headless output contract of PRODUCT.md.
type output struct {
	Playbook  string            `json:"playbook"`
	Domain    string            `json:"domain"`
	Endpoints map[string]string `json:"endpoints"`
	Resources []struct {
		Kind, ID, Name, Action string
	} `json:"resources"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Audience     string `json:"audience"`
	Token        struct {
		Verified bool           `json:"verified"`
		Claims   map[string]any `json:"claims"`
	} `json:"token"`
	Journal string `json:"journal"`
	// WSO2 is WSO2's side, when the run did it (wso2 with the admin's password).
	WSO2 *struct {
		URL           string `json:"url"`
		KeyManagerID  string `json:"key_manager_id"`
		ApplicationID string `json:"application_id"`
		Token         struct {
			Verified bool `json:"verified"`
		} `json:"token"`
	} `json:"wso2"`
}

func decodeOutput(t *testing.T, stdout string) output {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	var o output
	if err := dec.Decode(&o); err != nil {
		t.Fatalf("stdout is not the output contract's JSON object: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than one JSON value:\n%s", stdout)
	}
	return o
}

func TestApplySandboxJSONContract(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCmd(t, "apply", "--sandbox", "--playbook", "wso2", "--output", "json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	o := decodeOutput(t, stdout)
	var raw map[string]json.RawMessage
	_ = json.Unmarshal([]byte(stdout), &raw)
	for _, k := range []string{"playbook", "domain", "endpoints", "resources", "client_id", "client_secret", "audience", "token", "journal"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("output lacks %q", k)
		}
	}
	for _, k := range []string{"issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "revocation_endpoint", "openid_configuration"} {
		if o.Endpoints[k] == "" {
			t.Errorf("endpoints.%s is empty", k)
		}
	}
	if !strings.HasSuffix(o.Endpoints["issuer"], "/") {
		t.Errorf("issuer %q lacks Auth0's trailing slash", o.Endpoints["issuer"])
	}
	if !o.Token.Verified || o.Token.Claims["azp"] != o.ClientID {
		t.Errorf("token not verified for the new client: %+v", o.Token)
	}
	if o.ClientSecret != steps.Masked {
		t.Errorf("client_secret = %q, want it masked", o.ClientSecret)
	}
	kinds := map[string]string{}
	for _, r := range o.Resources {
		kinds[r.Kind] = r.Action
	}
	// --sandbox starts the WSO2 stand-in too: its key manager and
	// application are made there, and WSO2's connector makes the client.
	for _, k := range []string{"resource_server", "wso2_key_manager", "wso2_application", "client_grant"} {
		if kinds[k] != "created" {
			t.Errorf("resource %s: action %q, want created", k, kinds[k])
		}
	}
	if o.WSO2 == nil || o.WSO2.URL == "" || o.WSO2.KeyManagerID == "" || o.WSO2.ApplicationID == "" || !o.WSO2.Token.Verified {
		t.Errorf("wso2 %+v, want the stand-in's key manager, application and a verified token", o.WSO2)
	} else if o.Audience != o.WSO2.URL {
		t.Errorf("audience %q, want the resource server's identifier, the API Manager URL %q", o.Audience, o.WSO2.URL)
	}
	if !strings.Contains(stderr, "created") {
		t.Errorf("progress did not go to stderr:\n%s", stderr)
	}
}

func TestApplyRepeatReusesAndTeardownRestores(t *testing.T) {
	t.Parallel()
	sb, tenant := persistentTenant(t)
	dir := t.TempDir()
	j1, j2 := filepath.Join(dir, "first.json"), filepath.Join(dir, "second.json")
	args := func(journal string, extra ...string) []string {
		a := append([]string{"apply", "--playbook", "azure", "--user-email", "jane@example.com",
			"--user-password-file", writeTemp(t, "Str0ng!Passw0rd"), "--journal", journal, "--output", "json"}, tenant...)
		return append(a, extra...)
	}

	// A dry run changes nothing.
	code, stdout, stderr := runCmd(t, args(filepath.Join(dir, "dry.json"), "--dry-run")...)
	if code != exitOK {
		t.Fatalf("dry run: exit %d\n%s", code, stderr)
	}
	var plan steps.Plan
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatalf("dry run output: %v\n%s", err, stdout)
	}
	for _, a := range plan.Actions {
		// Enabling the connection for the client is an update of the connection.
		if a.Verb != steps.Create && a.ID != "connection_client" {
			t.Errorf("dry run on an empty tenant plans %s %s", a.Verb, a.ID)
		}
	}
	c := sandboxtest.Client(t, sb, nil)
	if _, err := c.FindResourceServer(context.Background(), "basic-calculator"); !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("after a dry run the resource server exists (err %v)", err)
	}

	code, stdout, stderr = runCmd(t, args(j1)...)
	if code != exitOK {
		t.Fatalf("first apply: exit %d\n%s", code, stderr)
	}
	first := decodeOutput(t, stdout)
	code, stdout, stderr = runCmd(t, args(j2)...)
	if code != exitOK {
		t.Fatalf("second apply: exit %d\n%s", code, stderr)
	}
	second := decodeOutput(t, stdout)
	if len(second.Resources) != len(first.Resources) {
		t.Fatalf("second apply touched %d resources, first %d", len(second.Resources), len(first.Resources))
	}
	for i, r := range second.Resources {
		if r.Action != "reused" || r.ID != first.Resources[i].ID {
			t.Errorf("second apply: %s %s %s, want reused %s", r.Action, r.Kind, r.ID, first.Resources[i].ID)
		}
	}

	// Teardown of the all-reused journal deletes nothing, and says so; of the
	// first, everything it made.
	if code, stdout, stderr = runCmd(t, append([]string{"teardown", "--journal", j2}, tenant...)...); code != exitOK {
		t.Fatalf("teardown of the reused journal: exit %d\n%s", code, stderr)
	}
	if want := "nothing to delete: 5 reused resources left alone"; !strings.Contains(stdout, want) {
		t.Errorf("teardown of the reused journal says %q, want %q", stdout, want)
	}
	if _, err := c.FindResourceServer(context.Background(), "basic-calculator"); err != nil {
		t.Fatalf("teardown of a journal that only reused deleted the resource server: %v", err)
	}
	if code, stdout, stderr = runCmd(t, append([]string{"teardown", "--journal", j1}, tenant...)...); code != exitOK {
		t.Fatalf("teardown: exit %d\n%s", code, stderr)
	}
	if want := "deleted 5 resources this tool created; turned the connection off for the application"; !strings.Contains(stdout, want) {
		t.Errorf("teardown says %q, want %q", stdout, want)
	}
	ctx := context.Background()
	if _, err := c.FindResourceServer(ctx, "basic-calculator"); !errors.Is(err, steps.ErrNotFound) {
		t.Errorf("resource server still there after teardown (err %v)", err)
	}
	if _, err := c.FindClient(ctx, "Azure API Management"); !errors.Is(err, steps.ErrNotFound) {
		t.Errorf("client still there after teardown (err %v)", err)
	}
	if _, err := c.FindConnection(ctx, "BasicCalculator"); !errors.Is(err, steps.ErrNotFound) {
		t.Errorf("connection still there after teardown (err %v)", err)
	}
	// Again: a no-op, and it says so.
	if code, stdout, stderr = runCmd(t, append([]string{"teardown", "--journal", j1}, tenant...)...); code != exitOK {
		t.Fatalf("second teardown: exit %d\n%s", code, stderr)
	}
	if !strings.HasPrefix(stdout, "nothing to delete: the journal "+j1+" records nothing this tool created") {
		t.Errorf("second teardown says %q", stdout)
	}
}

func TestApplyExportModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	masked, revealed := filepath.Join(dir, "km.json"), filepath.Join(dir, "km-secret.json")
	code, _, stderr := runCmd(t, "apply", "--sandbox", "--playbook", "wso2", "--export", "wso2", "--out", masked)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// The key manager needs the real secret: a masked one is said out loud.
	if !strings.Contains(stderr, "warning: the key manager JSON in "+masked+` holds client_secret "********", masked`) ||
		!strings.Contains(stderr, "--reveal-secrets") || !strings.Contains(stderr, "admin portal") {
		t.Errorf("no warning on stderr about the masked secret:\n%s", stderr)
	}
	if code, _, stderr := runCmd(t, "apply", "--sandbox", "--playbook", "wso2", "--export", "dotenv", "--out", revealed, "--reveal-secrets"); code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	revealedKM := filepath.Join(dir, "km-revealed.json")
	code, _, stderr = runCmd(t, "apply", "--sandbox", "--playbook", "wso2", "--export", "wso2", "--out", revealedKM, "--reveal-secrets")
	if code != exitOK || strings.Contains(stderr, "warning") {
		t.Errorf("exit %d, a warning with the secret revealed:\n%s", code, stderr)
	}
	for path, want := range map[string]os.FileMode{masked: 0o644, revealed: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(path), fi.Mode().Perm(), want)
		}
	}
	data, _ := os.ReadFile(masked)
	var km map[string]any
	if err := json.Unmarshal(data, &km); err != nil || km["type"] != "Auth0" {
		t.Errorf("wso2 export is not a key manager of type Auth0: %v\n%s", err, data)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "cfg.yaml")
	_ = os.WriteFile(cfg, []byte("domain: example.us.auth0.com\nclient_secret: nope\n"), 0o600)
	secretFile := filepath.Join(t.TempDir(), "secret")
	_ = os.WriteFile(secretFile, []byte("a-management-secret\n"), 0o600)
	passwordFile := filepath.Join(t.TempDir(), "password")
	_ = os.WriteFile(passwordFile, []byte("Str0ng!Passw0rd\n"), 0o600)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no playbook", []string{"apply", "--sandbox"}, "--playbook is required"},
		{"unknown playbook", []string{"apply", "--sandbox", "--playbook", "okta"}, "okta"},
		{"bad output", []string{"apply", "--sandbox", "--playbook", "wso2", "--output", "yaml"}, "--output"},
		{"export without out", []string{"apply", "--sandbox", "--playbook", "wso2", "--export", "json"}, "--out"},
		{"unknown export", []string{"apply", "--sandbox", "--playbook", "wso2", "--export", "pdf", "--out", "x"}, "pdf"},
		{"secret in config", []string{"apply", "--playbook", "wso2", "--config", cfg}, "secrets are not read from config files"},
		{"user-info domain", []string{"apply", "--playbook", "wso2", "--domain", "tenant.us.auth0.com@evil.example", "--client-id", "x"}, "domain"},
		{"sandbox and domain", []string{"apply", "--sandbox", "--domain", "x.auth0.com", "--playbook", "wso2"}, "--sandbox"},
		// (on the sandbox a demo user is the default; a real tenant has none)
		{"azure without email", []string{"apply", "--domain", "tenant.us.auth0.com", "--client-id", "x", "--client-secret-file", secretFile,
			"--user-password-file", passwordFile, "--playbook", "azure"}, "--user-email"},
		// the management inputs are checked before any request, too
		{"audience without slash", []string{"apply", "--domain", "tenant.us.auth0.com", "--client-id", "x", "--client-secret-file", secretFile,
			"--audience", "https://tenant.us.auth0.com/api/v2", "--playbook", "wso2", "--dry-run"}, "must end with /"},
		{"teardown without journal", []string{"teardown"}, "--journal"},
		{"wso2 export after azure", []string{"apply", "--sandbox", "--playbook", "azure", "--export", "wso2", "--out", "x"},
			"--export wso2 is not for the azure playbook (it would be half empty): use one of json, dotenv, azure-policy"},
		{"azure-policy export after wso2", []string{"apply", "--sandbox", "--playbook", "wso2", "--export", "azure-policy", "--out", "x"},
			"use one of json, dotenv, wso2"},
		{"ca-file without PEM", []string{"apply", "--playbook", "wso2", "--domain", "tenant.us.auth0.com", "--client-id", "x",
			"--client-secret-file", secretFile, "--ca-file", secretFile}, "--ca-file " + secretFile + " holds no PEM certificate"},
		{"unknown flag", []string{"apply", "--frobnicate"}, "frobnicate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := runCmd(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d\nstderr: %s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not name %q:\n%s", tc.want, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout not empty on a usage error: %q", stdout)
			}
		})
	}
}

func TestSettingsPrecedence(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "cfg.yaml")
	_ = os.WriteFile(cfg, []byte("domain: from-config.us.auth0.com\nclient_id: cfg-id\naudience: https://cfg/api/v2/\nplaybook: azure\napi_identifier: from-config\n"), 0o600)
	env := map[string]string{envDomain: "from-env.us.auth0.com", envClientID: "env-id", envClientSecret: "env-secret"}
	g := globalFlags{configFile: cfg, domain: "from-flag.us.auth0.com"}
	rc, cleanup, err := resolve(envFactory(env), g)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	s := rc.Settings
	if s.Domain != "from-flag.us.auth0.com" || s.ClientID != "env-id" || s.ClientSecret != "env-secret" ||
		s.Audience != "https://cfg/api/v2/" || s.Playbook != steps.Azure || s.APIIdentifier != "from-config" {
		t.Errorf("precedence flags > env > config broken: %+v", s)
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	return sandboxtest.WriteFile(t, "f", content)
}

// tenantSnapshot lists the tenant's resources, one sorted line each (ids
// included), read apart from the code under test.
func tenantSnapshot(t *testing.T, sb *sandbox.Server) []string {
	t.Helper()
	return sandboxtest.NewAdmin(t, sb).Snapshot()
}

// The README's dry run of azure needs no password: it creates no user.
func TestAzureDryRunNeedsNoPassword(t *testing.T) {
	t.Parallel()
	_, tenant := persistentTenant(t)
	args := append([]string{"apply", "--playbook", "azure", "--user-email", "demo@example.com", "--dry-run",
		"--journal", filepath.Join(t.TempDir(), "j.json")}, tenant...)
	code, stdout, stderr := runCmd(t, args...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "create  user") || strings.Contains(stderr, "Password") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	// A real run that makes the user still needs it, and says how to give it.
	code, _, stderr = runCmd(t, append([]string{"apply", "--playbook", "azure", "--user-email", "demo@example.com",
		"--journal", filepath.Join(t.TempDir(), "j.json")}, tenant...)...)
	if code != exitUsage || !strings.Contains(stderr, "Password for the test user is required: set AUTH0_WIZARD_USER_PASSWORD or --user-password-file") {
		t.Errorf("apply without the new user's password: exit %d\n%s", code, stderr)
	}
}

// --export's help names the playbook each gateway's format is for.
func TestExportHelpNamesThePlaybooks(t *testing.T) {
	t.Parallel()
	_, stdout, _ := runCmd(t, "apply", "--help")
	if !strings.Contains(stdout, "json, dotenv, wso2 (wso2 only), azure-policy (azure only)") {
		t.Errorf("apply --help:\n%s", stdout)
	}
}

// A --sandbox run says its tenant and journal are gone at exit; the JSON
// contract keeps its journal key.
func TestSandboxRunSaysItsJournalGoes(t *testing.T) {
	t.Parallel()
	code, stdout, stderr := runCmd(t, "apply", "--sandbox", "--playbook", "wso2")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "note: the in-process sandbox tenant and its journal ") || !strings.Contains(stdout, "are deleted when auth0-wizard exits") {
		t.Errorf("text output does not say the journal goes:\n%s", stdout)
	}
	code, stdout, stderr = runCmd(t, "apply", "--sandbox", "--playbook", "wso2", "--output", "json")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if o := decodeOutput(t, stdout); o.Journal == "" || !strings.Contains(stderr, "are deleted when auth0-wizard exits") {
		t.Errorf("journal %q; stderr:\n%s", o.Journal, stderr)
	}
}

// teardown --playbook without --journal tears down the playbook's default
// journal, as the --journal help says. (Not parallel: it changes the
// working directory, where the default journal lives.)
func TestTeardownDefaultJournal(t *testing.T) {
	sb, tenant := persistentTenant(t)
	t.Chdir(t.TempDir())
	before := tenantSnapshot(t, sb)
	if code, _, stderr := runCmd(t, append([]string{"apply", "--playbook", "wso2"}, tenant...)...); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(steps.DefaultJournalPath(steps.WSO2)); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, append([]string{"teardown", "--playbook", "wso2"}, tenant...)...)
	if code != exitOK || !strings.Contains(stdout, "deleted 3 resources") {
		t.Fatalf("teardown --playbook wso2: exit %d\n%s%s", code, stdout, stderr)
	}
	if got := tenantSnapshot(t, sb); !slices.Equal(got, before) {
		t.Errorf("teardown left:\n%s", strings.Join(got, "\n"))
	}
	code, _, stderr = runCmd(t, append([]string{"teardown", "--playbook", "azure"}, tenant...)...)
	if code != exitUsage || !strings.Contains(stderr, "journal auth0-wizard-azure.journal.json does not exist") {
		t.Errorf("teardown of a missing default journal: exit %d\n%s", code, stderr)
	}
}
