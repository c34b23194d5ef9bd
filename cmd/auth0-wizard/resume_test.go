package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// cancelOn is a stderr that cancels the command's context once a line
// starting with prefix is written, as Ctrl+C does at that moment.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	prefix string
	cancel context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, l := range strings.Split(string(p), "\n") {
		if strings.HasPrefix(l, w.prefix) {
			w.cancel()
		}
	}
	return w.buf.Write(p)
}

func (w *cancelOn) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// runStopped runs a command line and stops it like Ctrl+C once stderr has
// a line starting with prefix.
func runStopped(t *testing.T, prefix string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &cancelOn{prefix: prefix, cancel: cancel}
	var out bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &out, stderr)
	return code, stderr.String()
}

// The repro of the review: a run with its own names from a config file,
// stopped by Ctrl+C mid-apply, is resumed by the command its hint prints
// (only --journal, plus the secret and the CA the journal cannot hold). The
// resume continues that run (its names, nothing made twice), a run with
// other names is refused with the journal untouched, and teardown then
// restores the tenant exactly.
func TestStoppedRunResumesFromItsJournal(t *testing.T) {
	t.Parallel()
	// Every answer takes 50 ms, so the action in flight at the stop is
	// still in flight when the stop lands.
	sb := sandboxtest.Start(t, sandbox.Options{Seed: 21, Latency: 50 * time.Millisecond})
	dir := t.TempDir()
	secret := writeTemp(t, sb.ClientSecret+"\n")
	journal := filepath.Join(dir, "j2.json")
	cfg := filepath.Join(dir, "cfg.yaml")
	if err := os.WriteFile(cfg, []byte("api_identifier: wso2-two\napp_name: WSO2 two\njournal: "+journal+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := tenantSnapshot(t, sb)

	code, stderr := runStopped(t, "… ", "apply", "--config", cfg, "--playbook", "wso2", "--domain", sb.Domain,
		"--client-id", sb.ClientID, "--client-secret-file", secret, "--ca-file", sb.CAFile)
	if code != exitAbort {
		t.Fatalf("stopped run: exit %d\n%s", code, stderr)
	}
	mid := tenantSnapshot(t, sb)
	if len(mid) == len(before) || len(mid)-len(before) >= 3 {
		t.Fatalf("the stop did not land mid-apply (%d made):\n%s", len(mid)-len(before), stderr)
	}
	want := "To resume: AUTH0_CLIENT_SECRET=… auth0-wizard apply --journal " + journal + " --ca-file " + sb.CAFile + "\n"
	if !strings.Contains(stderr, want) {
		t.Fatalf("stderr lacks the resume hint %q:\n%s", want, stderr)
	}
	recorded, _ := os.ReadFile(journal)

	// Other names for what the journal records: refused (usage), nothing
	// changed, the journal kept. The API and the application start side by
	// side, so the stop may land with either recorded: the name changed is
	// one of a resource the journal holds.
	other := []string{"--app-name", "WSO2 three", `app_name "WSO2 two"`, `app_name "WSO2 three"`}
	stopped, err := steps.OpenJournal(journal, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range stopped.Resources() {
		if r.Kind == steps.KindResourceServer && r.Action == "created" {
			other = []string{"--api-identifier", "wso2-three", `api_identifier "wso2-two"`, `api_identifier "wso2-three"`}
		}
	}
	code, _, stderr = runCmd(t, "apply", "--journal", journal, other[0], other[1],
		"--client-secret-file", secret, "--ca-file", sb.CAFile)
	if code != exitUsage || !strings.Contains(stderr, other[2]) || !strings.Contains(stderr, other[3]) {
		t.Fatalf("other names (%s %s): exit %d\n%s", other[0], other[1], code, stderr)
	}
	if now, _ := os.ReadFile(journal); !bytes.Equal(now, recorded) || !slices.Equal(tenantSnapshot(t, sb), mid) {
		t.Fatalf("a refused run changed the journal or the tenant:\n%s", now)
	}

	// The hint's command, the secret as a file instead of the environment.
	line := strings.SplitN(want, "auth0-wizard ", 2)[1]
	args := append(strings.Fields(line), "--client-secret-file", secret, "--output", "json")
	code, stdout, stderr := runCmd(t, args...)
	if code != exitOK {
		t.Fatalf("resume %v: exit %d\n%s", args, code, stderr)
	}
	o := decodeOutput(t, stdout)
	if o.Audience != "wso2-two" || !o.Token.Verified {
		t.Errorf("resume ran with audience %q (token verified %v), want the stopped run's wso2-two", o.Audience, o.Token.Verified)
	}
	after := tenantSnapshot(t, sb)
	if len(after)-len(before) != 3 {
		t.Fatalf("after the resume %d new resources, want 3 (resource server, client, grant):\n%s", len(after)-len(before), strings.Join(after, "\n"))
	}
	for _, r := range o.Resources {
		if r.Name == "WSO2 resource server API (wso2-resource-server)" || r.Name == "WSO2 APIM application" {
			t.Errorf("resume touched a default-named resource: %+v", r)
		}
	}
	j, err := steps.OpenJournal(journal, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range j.Resources() {
		if r.Action != "created" {
			t.Errorf("journal after resume: %+v, want every resource created", r)
		}
	}

	// Teardown with the journal, the secret and the CA: the tenant as before.
	code, stdout, stderr = runCmd(t, "teardown", "--journal", journal, "--client-secret-file", secret, "--ca-file", sb.CAFile)
	if code != exitOK {
		t.Fatalf("teardown: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "deleted 3 resources this tool created") {
		t.Errorf("teardown says:\n%s", stdout)
	}
	if got := tenantSnapshot(t, sb); !slices.Equal(got, before) {
		t.Fatalf("teardown left:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
}

// A stopped --sandbox run says it cannot be resumed: its tenant is gone.
func TestStoppedSandboxRunSaysItCannotResume(t *testing.T) {
	t.Parallel()
	// Stopped once the plan is printed: deterministic, before any action.
	code, stderr := runStopped(t, "plan: ", "apply", "--sandbox", "--playbook", "wso2")
	if code != exitAbort {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "cannot be resumed") || !strings.Contains(stderr, "afresh") || strings.Contains(stderr, "To resume") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// The wizard resumed with --journal (or the playbook's default journal)
// opens on the stopped run's tenant and values.
func TestWizardSettingsResumeFromTheJournal(t *testing.T) {
	t.Parallel()
	sb, tenant := persistentTenant(t)
	journal := filepath.Join(t.TempDir(), "j.json")
	args := append([]string{"apply", "--playbook", "azure", "--journal", journal, "--api-identifier", "calc-two",
		"--user-email", "two@example.com", "--user-password-file", writeTemp(t, "Str0ng!Passw0rd")}, tenant...)
	if code, _, stderr := runCmd(t, args...); code != exitOK {
		t.Fatalf("apply: exit %d\n%s", code, stderr)
	}
	rc, cleanup, err := resolve(envFactory(nil), globalFlags{journal: journal})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	s, err := wizardSettings(rc)
	if err != nil {
		t.Fatal(err)
	}
	if s.Playbook != steps.Azure || s.Domain != sb.Domain || s.ClientID != sb.ClientID || s.APIIdentifier != "calc-two" || s.UserEmail != "two@example.com" {
		t.Errorf("wizard settings from the journal: %+v", s)
	}
}
