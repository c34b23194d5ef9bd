package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
)

// TestCheckAndJournalConflictInTmux drives the real binary in a real 80x24
// terminal on a sandbox tenant where a setup was made with custom names
// (apply --api-identifier --app-name): "check an existing setup" pointed at
// it by the names typed on the what-to-check screen, then by its journal,
// passes; and the wizard started on that journal for another playbook
// offers the journal conflict's ways out itself and records the run in the
// new journal it shows, leaving the earlier one as it was.
func TestCheckAndJournalConflictInTmux(t *testing.T) {
	w := newTmux(t, "check")
	dir := t.TempDir()
	bin := wizardBinary(t)
	sb, err := sandbox.New(sandbox.Options{Seed: 13})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })

	const api, app = "https://orders.example.com", "Orders gateway"
	journal := filepath.Join(dir, "orders.journal.json")
	apply := exec.Command(bin, "apply", "--playbook", "wso2", "--domain", sb.Domain, "--client-id", sb.ClientID,
		"--audience", sb.Audience, "--ca-file", sb.CAFile, "--journal", journal, "--api-identifier", api, "--app-name", app)
	apply.Dir = dir
	apply.Env = append(cleanEnv(), "AUTH0_CLIENT_SECRET="+sb.ClientSecret, "HOME="+dir)
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("apply with custom names: %v\n%s", err, out)
	}
	before, err := os.ReadFile(journal)
	if err != nil {
		t.Fatal(err)
	}

	start := func(name string, args ...string) {
		w.target = name
		w.run("new-session", "-d", "-s", name, "-x", "80", "-y", "24", "-c", dir,
			"env -u NO_COLOR -u AUTH0_DOMAIN -u AUTH0_CLIENT_ID -u AUTH0_CLIENT_SECRET -u AUTH0_AUDIENCE HOME="+dir+
				" TERM=xterm-256color "+bin+" --ca-file "+sb.CAFile+" "+strings.Join(args, " ")+"; echo EXIT=$?; sleep 600")
	}
	// tenantAndManagement types the tenant and the management application.
	tenantAndManagement := func() {
		w.waitFor(10*time.Second, "Tenant domain")
		w.keys("C-u", sb.Domain, "Enter")
		w.waitFor(15*time.Second, "the tenant answers", sb.Domain)
		w.keys("Enter")
		w.waitFor(10*time.Second, "Management API audience")
		w.keys("C-u", sb.ClientID, "Tab", "C-u", sb.ClientSecret, "Tab", "C-u", sb.Audience, "Enter")
		w.waitFor(15*time.Second, "scopes the playbook needs are granted")
		w.keys("Enter")
	}
	toCheckTarget := func(name string) {
		start(name)
		w.waitFor(15*time.Second, "Choose a playbook")
		w.keys("Down", "Down", "Enter")
		w.waitFor(10*time.Second, "Check the setup of which playbook?")
		w.keys("Enter") // wso2
		tenantAndManagement()
		w.waitFor(10*time.Second, "What to check", "Journal of the run that made it", "API identifier (audience)")
	}
	passed := func() {
		screen := w.waitFor(30*time.Second, "✓ no check failed")
		if strings.Contains(screen, "✗") {
			t.Fatalf("a check failed:\n%s", screen)
		}
		w.keys("q")
		w.waitFor(15*time.Second, "EXIT=0")
	}

	t.Run("check by the names typed", func(t *testing.T) {
		w.t = t
		toCheckTarget("names")
		// No journal in the directory: the field is empty. The names,
		// field by field, as a person types them.
		w.keys("Enter")
		w.waitFor(5*time.Second, "┃ API identifier (audience)")
		w.keys("C-u")
		w.text(api)
		w.keys("Enter")
		w.waitFor(5*time.Second, "┃ Application name")
		w.keys("C-u")
		w.text(app)
		w.waitFor(5*time.Second, app)
		w.keys("Enter", "Enter", "Enter")
		passed()
		if after := w.history(); !strings.Contains(after, api) || !strings.Contains(after, app) {
			t.Errorf("the checks left no trace of %s / %s:\n%s", api, app, after)
		}
	})

	t.Run("check by the journal typed", func(t *testing.T) {
		w.t = t
		toCheckTarget("journal")
		w.text(journal)
		w.keys("Enter", "Enter", "Enter", "Enter", "Enter")
		passed()
	})

	t.Run("a journal of another run: the wizard offers the ways out", func(t *testing.T) {
		w.t = t
		start("conflict", "--playbook", "azure", "--journal", journal)
		tenantAndManagement()
		w.waitFor(10*time.Second, "Identifier (audience)")
		w.keys("Enter", "Enter", "Enter")
		w.waitFor(10*time.Second, "APIM authorization server name")
		w.keys("Enter", "Enter", "Enter")
		w.waitFor(10*time.Second, "Database connection name")
		w.keys("Enter")
		w.waitFor(10*time.Second, "Email")
		w.keys("C-u", "jane@example.com", "Enter", "C-u", "S3cret-Passw0rd!x", "Enter")
		screen := w.waitFor(30*time.Second, "! The journal records another run", "n  start a new journal", "t  tear that run down first")
		for _, cli := range []string{"--journal", "auth0-wizard teardown"} {
			if strings.Contains(screen, cli) {
				t.Fatalf("the wizard prints the command line's remedy %q:\n%s", cli, screen)
			}
		}
		w.keys("n")
		w.waitFor(30*time.Second, "Review the plan", "Journal:", "orders-2.journal.json")
		w.keys("Enter")
		w.waitFor(60*time.Second, "press enter for the summary")
		w.keys("Enter")
		w.waitFor(15*time.Second, "Summary")
		w.keys("q")
		w.waitFor(15*time.Second, "EXIT=0")
		after, err := os.ReadFile(journal)
		if err != nil || string(after) != string(before) {
			t.Errorf("the earlier run's journal changed (%v)", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "orders-2.journal.json")); err != nil {
			t.Errorf("the run's journal is not where the dialog said: %v", err)
		}
	})
}

// cleanEnv is the environment without the settings a developer's shell
// may carry.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AUTH0_") && !strings.HasPrefix(kv, "WSO2_") && !strings.HasPrefix(kv, "NO_COLOR=") {
			out = append(out, kv)
		}
	}
	return out
}
