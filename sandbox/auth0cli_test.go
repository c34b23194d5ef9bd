package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAuth0CLI drives the real Auth0 CLI, unmodified, against the sandbox:
// a machine login (client credentials sent by HTTP Basic), apps list, apps
// show with the secret revealed, apis list, and test token (client
// credentials with the secret in the body). It runs only when an auth0
// binary is on PATH; CI does not download one.
func TestAuth0CLI(t *testing.T) {
	bin, err := exec.LookPath("auth0")
	if err != nil {
		t.Skip("no auth0 binary on PATH: install the Auth0 CLI (go install github.com/auth0/auth0-cli/cmd/auth0@latest, or a release from github.com/auth0/auth0-cli) to run this test")
	}
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	api := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{
		"name": "CLI API", "identifier": "https://cli.example/api", "scopes": []map[string]string{{"value": "read:things"}},
	})
	wantStatus(t, api, 201)
	app := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{
		"name": "CLI M2M", "app_type": "non_interactive", "grant_types": []string{"client_credentials"},
	}).object(t)
	appID := app["client_id"].(string)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{
		"client_id": appID, "audience": "https://cli.example/api", "scope": []string{"read:things"},
	}), 201)

	home := t.TempDir()
	caFile := filepath.Join(home, "sandbox-ca.pem")
	if err := os.WriteFile(caFile, s.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"SSL_CERT_FILE="+caFile, "AUTH0_DISABLE_ANALYTICS=true", "NO_COLOR=1")
	run := func(args ...string) []byte {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append(args, "--no-input")...)
		cmd.Env = env
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			// argv holds the sandbox's throwaway secret only for login;
			// it is not printed here.
			t.Fatalf("auth0 %s: %v\nstdout: %s\nstderr: %s", args[0], err, stdout.String(), stderr.String())
		}
		return stdout.Bytes()
	}

	run("login", "--domain", s.Domain, "--client-id", s.ClientID, "--client-secret", s.ClientSecret)

	if out := run("apps", "list", "--json"); !bytes.Contains(out, []byte(appID)) {
		t.Errorf("apps list does not name %s: %s", appID, out)
	}
	var shown map[string]any
	out := run("apps", "show", appID, "--reveal-secrets", "--json")
	if err := json.Unmarshal(out, &shown); err != nil {
		t.Fatalf("apps show --json: %v: %s", err, out)
	}
	if shown["client_secret"] != app["client_secret"] {
		t.Errorf("apps show --reveal-secrets did not give the client's secret")
	}
	if out := run("apis", "list", "--json"); !bytes.Contains(out, []byte("https://cli.example/api")) {
		t.Errorf("apis list does not name the API: %s", out)
	}
	out = run("test", "token", appID, "--audience", "https://cli.example/api", "--scopes", "read:things", "--force", "--json")
	if !strings.Contains(string(out), "access_token") {
		t.Errorf("test token gave no access token: %s", out)
	}
}
