package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestTypingAtOnceInTmux types every text screen of both playbooks as a
// paste, a password manager or a script does: each screen's whole strings,
// Tab and Enter in one send-keys, with no delay between keys, then checks
// where each value landed (the screens, and the settings the journal keeps).
// Keys typed quickly went to the field being left: "Orders API" Tab
// "orders-api" Tab gave "Orders APIo" and "basic-calculatorrders-api". The
// tenant is a sandbox started here, so the domain and the management
// application's values are typed too.
func TestTypingAtOnceInTmux(t *testing.T) {
	w := newTmux(t, "typing")
	dir := t.TempDir()
	bin := wizardBinary(t)
	sb := sandboxtest.Start(t, sandbox.Options{Seed: 11})

	start := func(name string) string {
		w.target = name
		journal := filepath.Join(dir, name+".journal.json")
		w.run("new-session", "-d", "-s", name, "-x", "80", "-y", "24", "-c", dir,
			"env -u NO_COLOR -u AUTH0_DOMAIN -u AUTH0_CLIENT_ID -u AUTH0_CLIENT_SECRET -u AUTH0_AUDIENCE HOME="+dir+
				" TERM=xterm-256color "+bin+" --ca-file "+sb.CAFile+" --journal "+journal+"; echo EXIT=$?; sleep 600")
		w.waitFor(15*time.Second, "Choose a playbook")
		return journal
	}
	// tenantAndManagement types the tenant's domain and the management
	// application (client ID, secret, audience), each screen at once.
	tenantAndManagement := func() {
		w.waitFor(10*time.Second, "Tenant domain")
		w.keys("C-u", sb.Domain, "Enter")
		w.waitFor(15*time.Second, "the tenant answers", sb.Domain)
		w.keys("Enter")
		w.waitFor(10*time.Second, "Management API audience")
		w.keys("C-u", sb.ClientID, "Tab", "C-u", sb.ClientSecret, "Tab", "C-u", sb.Audience, "Enter")
		w.waitFor(15*time.Second, "scopes the playbook needs are granted", sb.ClientID, sb.Audience)
		w.keys("Enter")
	}
	// finish applies the plan and quits from the summary; it returns the
	// settings the journal kept.
	finish := func(journal string, summary ...string) steps.Settings {
		w.keys("Enter")
		w.waitFor(60*time.Second, "press enter for the summary")
		w.keys("Enter")
		screen := w.waitFor(15*time.Second, "Summary")
		if !containsAll(screen, summary...) {
			t.Fatalf("summary lacks %q:\n%s", summary, screen)
		}
		w.keys("q")
		w.waitFor(15*time.Second, "EXIT=0")
		data, err := os.ReadFile(journal)
		if err != nil {
			t.Fatal(err)
		}
		var j struct {
			Settings steps.Settings `json:"settings"`
		}
		if err := json.Unmarshal(data, &j); err != nil {
			t.Fatalf("journal: %v\n%s", err, data)
		}
		return j.Settings
	}
	same := func(t *testing.T, field, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}

	t.Run("wso2", func(t *testing.T) {
		w.t = t
		journal := start("wso2")
		w.keys("Enter")
		tenantAndManagement()
		w.waitFor(10*time.Second, "API Manager URL", "Admin password")
		w.keys("C-u", "https://apim.example.com:9443", "Tab", "C-u", "apiadmin", "Tab", "Enter") // no password: WSO2's side by hand
		w.waitFor(10*time.Second, "Key manager name")
		w.keys("C-u", "Orders-KM", "Tab", "C-u", "Orders Key Manager", "Enter")
		w.waitFor(10*time.Second, "Well-known URL", "Orders-KM")
		w.keys("Enter")
		w.waitFor(10*time.Second, "API identifier (audience)")
		w.keys("C-u", "Orders API", "Tab", "C-u", "orders-api", "Enter")
		w.waitFor(10*time.Second, "Application name")
		w.keys("C-u", "Orders app", "Tab", "Tab", "Enter")
		w.waitFor(30*time.Second, "Review the plan", "Journal:", "Orders API (orders-api)", "Orders app")
		set := finish(journal, "✓ verified", "orders-api")
		same(t, "domain", set.Domain, sb.Domain)
		same(t, "client_id", set.ClientID, sb.ClientID)
		same(t, "audience", set.Audience, sb.Audience)
		same(t, "apim_url", set.APIMURL, "https://apim.example.com:9443")
		same(t, "wso2_admin_user", set.WSO2AdminUser, "apiadmin")
		same(t, "key_manager_name", set.KeyManagerName, "Orders-KM")
		same(t, "key_manager_display_name", set.KeyManagerDisplayName, "Orders Key Manager")
		same(t, "api_name", set.APIName, "Orders API")
		same(t, "api_identifier", set.APIIdentifier, "orders-api")
		same(t, "app_name", set.AppName, "Orders app")
	})

	t.Run("azure", func(t *testing.T) {
		w.t = t
		journal := start("azure")
		w.keys("Down", "Enter")
		tenantAndManagement()
		w.waitFor(10*time.Second, "Identifier (audience)")
		w.keys("C-u", "Orders API", "Tab", "C-u", "orders-api", "Tab", "Enter")
		w.waitFor(10*time.Second, "APIM authorization server name")
		w.keys("C-u", "Orders app", "Tab", "C-u", "ordersapim", "Tab", "C-u", "orders-auth", "Enter")
		// The connection and the user, two screens in one go: the keys after
		// the first screen's Enter belong to the next one.
		w.waitFor(10*time.Second, "Database connection name")
		w.keys("C-u", "Orders-Users", "Enter", "C-u", "jane@example.com", "Enter", "C-u", "S3cret-Passw0rd!x", "Enter")
		w.waitFor(30*time.Second, "Review the plan", "Journal:", "Orders API (orders-api)", "Orders app", "Orders-Users", "jane@example.com")
		set := finish(journal, "User token      ✓ verified", "jane@example.com")
		same(t, "domain", set.Domain, sb.Domain)
		same(t, "client_id", set.ClientID, sb.ClientID)
		same(t, "audience", set.Audience, sb.Audience)
		same(t, "api_name", set.APIName, "Orders API")
		same(t, "api_identifier", set.APIIdentifier, "orders-api")
		same(t, "app_name", set.AppName, "Orders app")
		same(t, "apim_instance", set.APIMInstance, "ordersapim")
		same(t, "apim_server", set.APIMServer, "orders-auth")
		same(t, "connection_name", set.ConnectionName, "Orders-Users")
		same(t, "user_email", set.UserEmail, "jane@example.com")
		if strings.Contains(w.history(), "S3cret-Passw0rd!x") {
			t.Errorf("the test user's password is on the terminal")
		}
	})
}
