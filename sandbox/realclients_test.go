package sandbox

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// realClientsDir holds Auth0's own Node.js clients, pinned
// (testdata/realclients/package.json; .ci/run installs them with npm ci).
const realClientsDir = "testdata/realclients"

// nodeClients finds node and the installed npm packages, or skips saying
// what is missing. Node absent is the only reason to skip on a machine
// where .ci/run ran: with node present and the packages missing, the test
// fails, so that CI cannot silently stop running them.
func nodeClients(t *testing.T, pkg string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: install Node.js 20.19 or later and run `npm ci` in sandbox/testdata/realclients (.ci/run does both) to run Auth0's own clients against the sandbox")
	}
	if v, err := exec.Command(node, "-p", "process.versions.node").Output(); err != nil || !nodeAtLeast(strings.TrimSpace(string(v)), 20, 19) {
		t.Skipf("node %s is older than 20.19, the oldest the pinned Auth0 packages run on: install a newer Node.js to run Auth0's own clients against the sandbox", strings.TrimSpace(string(v)))
	}
	if _, err := os.Stat(filepath.Join(realClientsDir, "node_modules", pkg, "package.json")); err != nil {
		if os.Getenv("AUTH0_WIZARD_SKIP_NODE_CLIENTS") != "" {
			t.Skipf("npm package %s not installed and AUTH0_WIZARD_SKIP_NODE_CLIENTS is set", pkg)
		}
		t.Fatalf("node is installed but the npm package %s is not: run `make realclients` (npm ci in sandbox/testdata/realclients; make test does it first), or set AUTH0_WIZARD_SKIP_NODE_CLIENTS=1 to skip", pkg)
	}
	return node
}

// nodeAtLeast compares a node version (20.19.0) with major.minor.
func nodeAtLeast(v string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(v, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}

// runNode runs a script of testdata/realclients with node against s: the
// tenant's domain and management credentials in the environment (never in
// argv) and the sandbox CA trusted through NODE_EXTRA_CA_CERTS.
func runNode(t *testing.T, s *Server, node string, timeout time.Duration, extraEnv []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = realClientsDir
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"AUTH0_DOMAIN=" + s.Domain,
		"AUTH0_CLIENT_ID=" + s.ClientID,
		"AUTH0_CLIENT_SECRET=" + s.ClientSecret,
		"NODE_EXTRA_CA_CERTS=" + s.CAFile,
		"NO_COLOR=1",
	}
	cmd.Env = append(env, extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return strings.ReplaceAll(out.String(), s.ClientSecret, "[secret]"), err
}

// TestNodeSDK runs the Auth0 Node.js SDK, unmodified, through create, read,
// update, paged list and delete of every kind the sandbox serves
// (testdata/realclients/sdk.js).
func TestNodeSDK(t *testing.T) {
	node := nodeClients(t, "auth0")
	t.Parallel()
	s := start(t, Options{})
	der, err := x509.MarshalPKIXPublicKey(&testKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	out, err := runNode(t, s, node, 3*time.Minute, []string{"SDK_TEST_PUBLIC_KEY=" + pub}, "sdk.js")
	var failed []string
	summary := ""
	for _, line := range strings.Split(out, "\n") {
		switch {
		case strings.HasPrefix(line, "FAIL "):
			failed = append(failed, line)
		case strings.HasPrefix(line, "summary "):
			summary = line
		}
	}
	t.Logf("Node SDK: %s", summary)
	if err != nil || len(failed) > 0 || summary == "" {
		t.Fatalf("the Node SDK against the sandbox: %v\n%s", err, out)
	}
}

// deployCLIEnv configures the Deploy CLI through its environment: the
// kinds of the round trip, nothing deleted.
var deployCLIEnv = []string{
	`AUTH0_INCLUDED_ONLY=["resourceServers","clients","clientGrants","databases","roles"]`,
	"AUTH0_ALLOW_DELETE=false",
}

// TestDeployCLIRoundTrip runs the Auth0 Deploy CLI (a0deploy), unmodified:
// export a tenant holding an API with scopes, an M2M client, its grant, a
// database connection enabled for it and a role granted one of the scopes;
// import that export into a fresh tenant; export the fresh tenant; the two
// exports must be the same, and the fresh tenant must hold the objects
// through the Management API.
func TestDeployCLIRoundTrip(t *testing.T) {
	node := nodeClients(t, "auth0-deploy-cli")
	t.Parallel()
	a0deploy := filepath.Join("node_modules", "auth0-deploy-cli", "lib", "index.js")
	deploy := func(s *Server, args ...string) {
		t.Helper()
		began := time.Now()
		out, err := runNode(t, s, node, 3*time.Minute, deployCLIEnv, append([]string{a0deploy}, args...)...)
		t.Logf("a0deploy %s: %v (its own schema validation takes most of it)", args[0], time.Since(began).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("a0deploy %s: %v\n%s", args[0], err, out)
		}
	}

	src := start(t, Options{})
	tok := mgmtToken(t, src)
	wantStatus(t, call(t, src, "POST", "/api/v2/resource-servers", tok, map[string]any{
		"name": "Orders API", "identifier": "https://orders.example/api",
		"scopes": []map[string]string{{"value": "read:orders", "description": "Read orders"}, {"value": "write:orders", "description": "Write orders"}},
	}), 201)
	m2m := call(t, src, "POST", "/api/v2/clients", tok, map[string]any{
		"name": "Orders M2M", "app_type": "non_interactive", "grant_types": []string{"client_credentials"},
		"token_endpoint_auth_method": "client_secret_post",
	})
	wantStatus(t, m2m, 201)
	m2mID := m2m.object(t)["client_id"].(string)
	wantStatus(t, call(t, src, "POST", "/api/v2/client-grants", tok, map[string]any{
		"client_id": m2mID, "audience": "https://orders.example/api", "scope": []string{"read:orders"},
	}), 201)
	wantStatus(t, call(t, src, "POST", "/api/v2/connections", tok, map[string]any{
		"name": "orders-db", "strategy": "auth0", "enabled_clients": []string{m2mID},
	}), 201)
	role := call(t, src, "POST", "/api/v2/roles", tok, map[string]any{"name": "Order clerk", "description": "Reads orders"})
	wantStatus(t, role, 200)
	wantStatus(t, call(t, src, "POST", "/api/v2/roles/"+role.object(t)["id"].(string)+"/permissions", tok, map[string]any{
		"permissions": []map[string]string{{"resource_server_identifier": "https://orders.example/api", "permission_name": "read:orders"}},
	}), 201)

	dir := t.TempDir()
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	deploy(src, "export", "--format", "yaml", "--output_folder", first)

	dst := start(t, Options{Seed: 8})
	deploy(dst, "import", "--input_file", filepath.Join(first, "tenant.yaml"))
	deploy(dst, "export", "--format", "yaml", "--output_folder", second)

	a, err := os.ReadFile(filepath.Join(first, "tenant.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(second, "tenant.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Orders API", "write:orders", "Orders M2M", "orders-db", "Order clerk"} {
		if !bytes.Contains(a, []byte(want)) {
			t.Errorf("the first export lacks %q:\n%s", want, a)
		}
	}
	if !bytes.Equal(a, b) {
		t.Errorf("the export of the imported tenant differs from the first:\n--- first\n%s\n--- second\n%s", a, b)
	}

	// The fresh tenant holds the objects, as the Management API shows them.
	dtok := mgmtToken(t, dst)
	rs := call(t, dst, "GET", "/api/v2/resource-servers/"+url.PathEscape("https://orders.example/api"), dtok, nil)
	wantStatus(t, rs, 200)
	if sc, _ := rs.object(t)["scopes"].([]any); len(sc) != 2 {
		t.Errorf("imported API scopes: %s", rs.raw)
	}
	var newID string
	for _, c := range call(t, dst, "GET", "/api/v2/clients", dtok, nil).array(t) {
		if c := c.(map[string]any); c["name"] == "Orders M2M" {
			newID, _ = c["client_id"].(string)
		}
	}
	if newID == "" {
		t.Fatal("the imported tenant has no client Orders M2M")
	}
	grants := call(t, dst, "GET", "/api/v2/client-grants?client_id="+newID, dtok, nil).array(t)
	if len(grants) != 1 || grants[0].(map[string]any)["audience"] != "https://orders.example/api" {
		t.Errorf("imported grants: %v", grants)
	}
	conns := call(t, dst, "GET", "/api/v2/connections?name=orders-db", dtok, nil).array(t)
	if len(conns) != 1 {
		t.Fatalf("imported connection: %v", conns)
	}
	enabled := call(t, dst, "GET", "/api/v2/connections/"+conns[0].(map[string]any)["id"].(string)+"/clients", dtok, nil).object(t)
	if cl, _ := enabled["clients"].([]any); len(cl) != 1 || cl[0].(map[string]any)["client_id"] != newID {
		t.Errorf("imported connection's enabled clients: %v", enabled)
	}
	roles := call(t, dst, "GET", "/api/v2/roles?name_filter=Order%20clerk", dtok, nil).array(t)
	if len(roles) != 1 {
		t.Fatalf("imported roles: %v", roles)
	}
	perms := call(t, dst, "GET", "/api/v2/roles/"+roles[0].(map[string]any)["id"].(string)+"/permissions", dtok, nil).array(t)
	if len(perms) != 1 || perms[0].(map[string]any)["permission_name"] != "read:orders" {
		t.Errorf("imported role's permissions: %v", perms)
	}
}
