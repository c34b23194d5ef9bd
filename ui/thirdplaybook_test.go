package ui

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/internal/testplaybook"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestThirdPlaybookInTheWizard gives the wizard a playbook defined in this
// file: the first screen offers it (and its check), Enter walks its
// screens, the run applies it, the summary shows its gateway's form, the
// doctor passes on it, and the engine's Teardown leaves the tenant as it
// was.
func TestThirdPlaybookInTheWizard(t *testing.T) {
	t.Parallel()
	kong := testplaybook.Kong()
	sb := newSandbox(t)
	before := sandboxtest.NewAdmin(t, sb).Snapshot()
	o := sandboxOptions(t, sb)
	o.Playbooks = append(steps.Playbooks(), kong)

	// The first screen lists it, and so do "check an existing setup" and
	// "prepare a class".
	d := newDriver(t, o, 120, 40)
	d.requireScreen(kong.Title, kong.Summary)
	for range len(o.Playbooks) {
		d.press("down")
	}
	d.press("enter") // check an existing setup
	d.requireScreen("Check the setup of which playbook?", kong.Title)
	d = newDriver(t, o, 120, 40)
	for range len(o.Playbooks) + 1 {
		d.press("down")
	}
	d.press("enter") // prepare a class
	d.requireScreen("Kits of which playbook?", kong.Title)

	d = newDriver(t, o, 120, 40)
	for range len(o.Playbooks) - 1 {
		d.press("down")
	}
	d.press("enter") // kong
	d.requireStep(steps.StepTenant)
	d.requireScreen(kong.Steps[0].Explain)
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter")
	d.requireStep(steps.StepManagement)
	d.press("enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.requireStep(steps.StepResourceServer)
	d.requireScreen("The API Kong protects.", "Orders API")
	d.press("enter", "enter")
	d.requireStep(steps.StepApplication)
	d.requireScreen("Kong consumer")
	d.press("enter")
	if d.m.stage != stageReview {
		t.Fatalf("stage %v after the consumer step, want review:\n%s", d.m.stage, d.screen())
	}
	d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
	if err := d.m.review().err; err != nil {
		t.Fatalf("plan: %v", err)
	}
	var planned []string
	for _, a := range d.m.sess.plan.Actions {
		planned = append(planned, a.ID+":"+string(a.Verb))
	}
	if want := []string{"api:create", "consumer:create", "consumer_grant:create"}; !slices.Equal(planned, want) {
		t.Fatalf("plan %v, want %v", planned, want)
	}
	d.press("enter")
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
	if err := d.m.progress().err; err != nil {
		t.Fatalf("apply: %v", err)
	}
	d.press("enter")
	if d.m.stage != stageSummary {
		t.Fatalf("stage %v after the run, want summary:\n%s", d.m.stage, d.screen())
	}
	r := d.m.sess.result
	if !r.Token.Verified || r.Audience != "https://orders.example.com" {
		t.Fatalf("token verified=%v for %q (%s)", r.Token.Verified, r.Audience, r.Token.Reason)
	}

	// g: Kong's form, its secret masked until s.
	d.press("g")
	d.requireScreen(kong.Gateway.Title, "config.issuer", r.Endpoints.OpenIDConfiguration,
		"config.client_id", r.ClientID, "config.client_secret", steps.Masked, "config.audience_required", r.Audience)
	if strings.Contains(d.screen(), r.ClientSecret) {
		t.Fatalf("Kong's form shows the secret before it is asked for:\n%s", d.screen())
	}
	d.press("s")
	d.requireScreen(r.ClientSecret)
	d.press("esc", "s")
	if got := d.m.summary().formats; !slices.Equal(got, kong.Gateway.Exports) {
		t.Errorf("the summary offers exports %v, want kong's own %v", got, kong.Gateway.Exports)
	}

	// d: the doctor's checks of what was made, none failing.
	d.press("d")
	d.waitUntil("checked", func(m Model) bool { return m.stage == stageDoctor && !m.doctor().running })
	if err := d.m.doctor().err; err != nil {
		t.Fatalf("doctor: %v", err)
	}
	res := d.m.doctor().results
	if len(res) == 0 {
		t.Fatal("the doctor ran no check")
	}
	for _, c := range res {
		if c.Status != steps.CheckPass {
			t.Errorf("doctor %s: %s %s (fix: %s)", c.ID, c.Status, c.Why, c.Fix)
		}
	}
	d.requireScreen("✓ no check failed")
	d.press("q")
	out := d.m.Outcome()
	if !out.Applied || out.Aborted || out.Playbook != kong.ID {
		t.Fatalf("outcome applied=%v aborted=%v playbook=%q", out.Applied, out.Aborted, out.Playbook)
	}

	// The engine tears the run down from its journal: the tenant is as it was.
	j, err := steps.OpenJournal(out.JournalPath, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := steps.NewEngine(sandboxtest.Client(t, sb, nil)).Teardown(context.Background(), j, nil); err != nil {
		t.Fatal(err)
	}
	if after := sandboxtest.NewAdmin(t, sb).Snapshot(); !slices.Equal(before, after) {
		t.Errorf("teardown left the tenant changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestThirdPlaybookInLineMode: accessible mode offers the given playbooks
// too, and runs the third one through its form, its exports (its own:
// json only) and the doctor's checks.
func TestThirdPlaybookInLineMode(t *testing.T) {
	t.Parallel()
	kong := testplaybook.Kong()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	o.Playbooks = append(steps.Playbooks(), kong)
	var out bytes.Buffer
	// kong (3); tenant, client ID, audience, API name, identifier,
	// application name kept; apply; export json (2), then none (1); the
	// doctor's checks.
	in := &lineReader{lines: []string{"3", "", "", "", "", "", "", "y", "2", "1", "y"}}
	got, err := RunAccessible(o.Context, o, in, &out)
	text := out.String()
	if err != nil {
		t.Fatalf("RunAccessible: %v\n%s", err, text)
	}
	if !got.Applied || got.Playbook != kong.ID || !got.Result.Token.Verified {
		t.Fatalf("applied=%v playbook=%q token verified=%v\n%s", got.Applied, got.Playbook, got.Result.Token.Verified, text)
	}
	for _, want := range []string{"3. " + kong.Title, "Step 3 of 5: API", "The API Kong protects.", kong.Gateway.Title + ":",
		"config.client_id: " + got.Result.ClientID, "config.client_secret: " + steps.Masked, "1. none: done (default)\n2. json\nEnter a number between 1 and 2", "✓ wrote "} {
		if !strings.Contains(text, want) {
			t.Errorf("line mode output lacks %q", want)
		}
	}
	if strings.Contains(text, got.Result.ClientSecret) {
		t.Errorf("line mode printed the consumer's secret")
	}
	if len(got.Exports) != 1 || !strings.HasSuffix(got.Exports[0], ".json") {
		t.Errorf("exports %v, want kong's json", got.Exports)
	}
	if len(got.Checks) == 0 || steps.DoctorFailed(got.Checks) {
		t.Errorf("checks after the run: %+v", got.Checks)
	}
	if t.Failed() {
		t.Logf("line mode output:\n%s", text)
	}
}
