package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// waitUntil handles late messages until cond holds.
func (d *driver) waitUntil(what string, cond func(Model) bool) {
	d.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		d.drainLate()
		if cond(d.m) {
			return
		}
		select {
		case m := <-d.late:
			d.update(m)
		case <-deadline:
			d.t.Fatalf("timed out waiting until %s; screen:\n%s", what, d.screen())
		}
	}
}

func (d *driver) requireStep(kind steps.StepKind) {
	d.t.Helper()
	if d.m.stage != stageStep || d.m.currentStep().Kind != kind {
		d.t.Fatalf("on %v step %q, want step %q; screen:\n%s", d.m.stage, d.m.currentStep().Kind, kind, d.screen())
	}
}

// walkWSO2ToThePlan goes from the first screen to the review of wso2 on
// the prefilled sandbox values, by Enter alone, and waits for the plan (or
// its error).
func (d *driver) walkWSO2ToThePlan() {
	d.t.Helper()
	d.press("enter") // wso2
	d.requireStep(steps.StepTenant)
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter")
	d.requireStep(steps.StepManagement)
	d.press("enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.requireStep(steps.StepAPIM)
	d.press("enter", "enter", "enter") // the API Manager step: URL, admin user, no password (WSO2's side by hand)
	d.requireStep(steps.StepKeyManager)
	d.press("enter", "enter")
	d.waitFor("Well-known URL")
	d.press("enter")
	d.requireStep(steps.StepResourceServer)
	d.press("enter", "enter")
	d.requireStep(steps.StepApplication)
	d.press("enter", "enter", "enter")
	if d.m.stage != stageReview {
		d.t.Fatalf("stage %v after the application step, want review:\n%s", d.m.stage, d.screen())
	}
	d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
}

// walkWSO2ToReview is walkWSO2ToThePlan, whose plan must succeed.
func (d *driver) walkWSO2ToReview() {
	d.t.Helper()
	d.walkWSO2ToThePlan()
	if d.m.review().err != nil {
		d.t.Fatalf("plan: %v", d.m.review().err)
	}
}

func TestEnterOnEveryScreenCompletesWSO2(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	d := newDriver(t, sandboxOptions(t, sb), 80, 24)
	d.walkWSO2ToReview()
	d.requireScreen("create", "API", "application", "client grant")
	d.press("enter")
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
	if d.m.progress().err != nil {
		t.Fatalf("apply: %v", d.m.progress().err)
	}
	d.requireScreen("✓ verified", "✓ done")
	d.press("enter")
	if d.m.stage != stageSummary {
		t.Fatalf("stage %v, want summary", d.m.stage)
	}
	r := d.m.sess.result
	d.requireScreen(r.ClientID, r.Endpoints.TokenEndpoint, r.Endpoints.JWKSURI, "✓ verified", "••••••••")
	if strings.Contains(d.screen(), r.ClientSecret) {
		t.Fatalf("summary shows the secret before it is asked for")
	}
	d.press("s")
	d.requireScreen(r.ClientSecret)

	// At 80x24 the summary is longer than the screen: it says so until the
	// end is scrolled into view (the journal path is last).
	d.requireScreen("more (↑/↓ scroll)")
	for range 60 {
		d.press("down")
	}
	d.requireScreen(r.JournalPath)
	if strings.Contains(d.screen(), "more (↑/↓ scroll)") {
		t.Fatalf("the end of the summary is in view, yet it says there is more:\n%s", d.screen())
	}

	d.press("q")
	o := d.m.Outcome()
	if !o.Applied || o.Aborted || o.Result.ClientID != r.ClientID {
		t.Fatalf("outcome = %+v, want applied, not aborted", o)
	}
}

func TestBackKeepsValues(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	d := newDriver(t, sandboxOptions(t, sb), 80, 24)
	d.press("enter", "enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.press("enter", "enter", "enter") // the API Manager step: URL, admin user, no password (WSO2's side by hand)
	d.press("enter", "enter")
	d.waitFor("Well-known URL")
	d.press("enter")
	d.requireStep(steps.StepResourceServer)
	d.typeText(" v2")
	want := d.m.sess.settings.APIName
	if !strings.HasSuffix(want, " v2") {
		t.Fatalf("typed into the API name, got %q", want)
	}

	d.press("esc")
	d.requireStep(steps.StepKeyManager)
	d.press("enter", "enter")
	d.waitFor("Well-known URL")
	d.press("enter")
	d.requireStep(steps.StepResourceServer)
	d.requireScreen(want)

	// shift+tab on the first field is "back" too; on a later field it
	// moves to the field before.
	d.press("tab")
	d.press("shift+tab")
	d.requireStep(steps.StepResourceServer)
	d.press("shift+tab")
	d.requireStep(steps.StepKeyManager)

	// Back to the tenant, which shows its checked result, and on to the
	// playbook choice: the domain survives.
	d.press("esc")
	d.requireStep(steps.StepAPIM)
	d.press("esc")
	d.requireStep(steps.StepManagement)
	d.press("esc")
	d.requireStep(steps.StepTenant)
	d.requireScreen(sb.Domain)
	d.press("esc")
	if d.m.stage != stagePlaybook {
		t.Fatalf("stage %v, want playbook", d.m.stage)
	}
	if d.m.sess.settings.Domain != sb.Domain || d.m.sess.settings.APIName != want {
		t.Fatalf("values lost going back: %+v", d.m.sess.settings)
	}
}

func TestValidationBlocksTheTenantStep(t *testing.T) {
	t.Parallel()
	calls := atomic.Int32{}
	o := Options{
		Context:  context.Background(),
		Playbook: steps.WSO2,
		NewClient: func(steps.Settings) (steps.Client, error) {
			calls.Add(1)
			return nil, errors.New("no tenant in this test")
		},
	}
	d := newDriver(t, o, 80, 24)
	d.requireStep(steps.StepTenant)
	d.press("enter")
	want := steps.ValidateDomain("").Error()
	d.requireStep(steps.StepTenant)
	d.requireScreen(want[:30])
	d.typeText("https://example.com/path")
	d.press("enter")
	d.requireStep(steps.StepTenant)
	d.requireScreen("has a path")
	if d.m.tenant().checking || d.m.tenant().checked || calls.Load() != 0 {
		t.Fatalf("discovery ran on an invalid domain (checking=%v checked=%v calls=%d)", d.m.tenant().checking, d.m.tenant().checked, calls.Load())
	}
}

func TestDiscoveryFailureStaysOnTheScreen(t *testing.T) {
	t.Parallel()
	o := Options{
		Context:  context.Background(),
		Playbook: steps.WSO2,
		Settings: steps.Settings{Domain: "tenant.example.com"},
		NewClient: func(steps.Settings) (steps.Client, error) {
			return nil, errors.New("dial tcp: lookup tenant.example.com: no such host")
		},
	}
	d := newDriver(t, o, 80, 24)
	d.press("enter")
	d.waitFor("discovery failed", "no such host")
	d.requireStep(steps.StepTenant)
	if !d.m.tenant().editing() {
		t.Fatalf("the failed tenant screen is not editable")
	}
}

// scopeClient is the sandbox client with its granted scopes cut down, the
// rare failure a sandbox management application (which has every scope)
// cannot show.
type scopeClient struct {
	steps.Client
	drop *atomic.Bool
}

func (c scopeClient) GrantedScopes(ctx context.Context) ([]string, error) {
	got, err := c.Client.GrantedScopes(ctx)
	if err != nil || !c.drop.Load() {
		return got, err
	}
	var out []string
	for _, s := range got {
		if s != "create:client_grants" {
			out = append(out, s)
		}
	}
	return out, nil
}

func TestMissingScopesBlockUntilFixed(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	drop := &atomic.Bool{}
	drop.Store(true)
	real := o.NewClient
	o.NewClient = func(s steps.Settings) (steps.Client, error) {
		c, err := real(s)
		return scopeClient{Client: c, drop: drop}, err
	}
	d := newDriver(t, o, 80, 24)
	d.press("enter", "enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitFor("missing 1 of the 13 scopes", "create:client_grants")
	if n := strings.Count(d.screen(), "create:client_grants"); n != 1 {
		t.Fatalf("the missing scope is named %d times:\n%s", n, d.screen())
	}
	d.requireScreen("r check again")
	d.press("enter")
	d.requireStep(steps.StepManagement)

	drop.Store(false)
	d.press("r")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.requireStep(steps.StepAPIM)
}

func TestQuitDuringApplyAsksThenStopsCleanly(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.New(sandbox.Options{Seed: 42, Latency: 2 * quick})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	o := sandboxOptions(t, sb)
	o.CAFile, o.Sandbox = sb.CAFile, false // a tenant that outlives the wizard
	d := newDriver(t, o, 80, 24)
	d.walkWSO2ToReview()
	d.press("enter")
	d.waitUntil("apply runs", func(m Model) bool { return m.progress().running })

	d.press("ctrl+c")
	if !d.m.confirmQuit() || d.m.quitting {
		t.Fatalf("ctrl+c during apply did not ask first (confirm=%v quitting=%v)", d.m.confirmQuit(), d.m.quitting)
	}
	d.requireScreen("Quit while the wizard is changing the tenant?")
	d.press("n")
	if d.m.confirmQuit() || d.m.quitting || d.m.stopping {
		t.Fatalf("n did not keep going")
	}
	d.press("ctrl+c", "y")
	if !d.m.stopping {
		t.Fatalf("y did not stop the run")
	}
	d.waitUntil("the engine stopped and the wizard quit", func(m Model) bool { return m.quitting })
	out := d.m.Outcome()
	if !out.Aborted || !out.Started || out.JournalPath != o.JournalPath {
		t.Fatalf("outcome = %+v, want aborted, started, journal %s", out, o.JournalPath)
	}
	plain := PlainSummary(out, false)
	// The command works as printed: the journal gives the rest, the secret
	// comes from the environment, the CA file is named.
	for _, want := range []string{"To resume: AUTH0_CLIENT_SECRET=… auth0-wizard apply --journal " + o.JournalPath + " --ca-file " + o.CAFile,
		"run the wizard again with --journal " + o.JournalPath} {
		if !strings.Contains(plain, want) {
			t.Fatalf("exit text lacks %q:\n%s", want, plain)
		}
	}
}

func TestCtrlCOutsideApplyQuitsAtOnce(t *testing.T) {
	t.Parallel()
	m := New(Options{})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	nm, cmd := nm.(Model).Update(keyMsg("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatalf("ctrl+c did not quit")
	}
	if o := nm.(Model).Outcome(); !o.Aborted || o.Started {
		t.Fatalf("outcome = %+v, want aborted before anything started", o)
	}
}

func TestProgressEventsUpdateTheLines(t *testing.T) {
	t.Parallel()
	m := New(Options{Playbook: steps.WSO2})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	m.sess.plan = steps.Plan{Playbook: steps.WSO2, Actions: []steps.Action{
		{ID: "resource_server", Kind: steps.KindResourceServer, Name: "WSO2 resource server API", Verb: steps.Create},
		{ID: "client", Kind: steps.KindClient, Name: "WSO2 APIM application", Verb: steps.Reuse},
	}}
	j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	m.sess.journal = j
	m, _ = m.goTo(stageProgress, 0) // its Init (which would run Apply) is not run
	events := make(chan steps.Event)
	done := make(chan provisionDoneMsg, 1)
	cancelled := false
	step := func(msg tea.Msg) tea.Cmd {
		t.Helper()
		nm, cmd := m.Update(msg)
		m = nm.(Model)
		return cmd
	}
	if cmd := step(provisionStartedMsg{Events: events, Done: done, Cancel: func() { cancelled = true }}); cmd == nil {
		t.Fatal("start did not arm waitForEvent")
	}
	screen := func() string { return m.render() }
	if !strings.Contains(screen(), "· waiting") {
		t.Fatalf("lines before any event:\n%s", screen())
	}
	for _, ev := range []steps.Event{
		{Action: "resource_server", Kind: steps.EventStarted},
		{Action: "resource_server", Kind: steps.EventWaiting, Wait: 2 * time.Second, Message: "rate limited (429)"},
		{Action: "resource_server", Kind: steps.EventRetrying, Attempt: 2, Message: "503 from the tenant"},
		{Action: "resource_server", Kind: steps.EventDone, Verb: steps.Create, Duration: 2500 * time.Millisecond},
		{Action: "client", Kind: steps.EventStarted},
		{Action: "client", Kind: steps.EventFailed, Message: "403 insufficient_scope: create:clients"},
	} {
		if cmd := step(provisionEventMsg{ev}); cmd == nil {
			t.Fatalf("event %v did not re-arm waitForEvent", ev.Kind)
		}
	}
	s := screen()
	for _, want := range []string{"✓ created", "2.5s", "1 retry", "waited 2s", "✗ failed", "insufficient_scope", "1/3"} {
		if !strings.Contains(s, want) {
			t.Fatalf("progress lacks %q:\n%s", want, s)
		}
	}
	step(provisionDoneMsg{Err: errors.New("create application: 403")})
	if m.progress().running || !cancelled || m.sess.applied {
		t.Fatalf("after a failed run: running=%v cancelled=%v applied=%v", m.progress().running, cancelled, m.sess.applied)
	}
	if s := screen(); !strings.Contains(s, "To resume") {
		t.Fatalf("a failed run does not say how to resume:\n%s", s)
	}
	// esc goes back to the review to re-plan; enter does not reach the summary.
	if cmd := step(keyMsg("enter")); cmd != nil {
		msg := cmd()
		if f, ok := msg.(fromScreenMsg); ok {
			msg = f.msg
		}
		if _, ok := msg.(summaryRequestedMsg); ok {
			t.Fatal("enter after a failed run asks for the summary")
		}
	}
	// Quitting now ends as that failure (exit 1), not as a stop (130).
	step(keyMsg("ctrl+c"))
	o := m.Outcome()
	if o.Aborted || o.Err == nil || !strings.Contains(PlainSummary(o, false), "failed: create application: 403") {
		t.Fatalf("quit after a failed run: aborted=%v err=%v\n%s", o.Aborted, o.Err, PlainSummary(o, false))
	}
}

func TestTinyTerminalAsksToEnlarge(t *testing.T) {
	t.Parallel()
	m := New(Options{})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 50, Height: 12})
	v := nm.(Model).render()
	if !strings.Contains(strings.Join(strings.Fields(v), " "), "enlarge the terminal") {
		t.Fatalf("tiny terminal view:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if w := lipWidth(l); w > 50 {
			t.Fatalf("line of width %d > 50: %q", w, l)
		}
	}
}

func TestDoctorFromSummaryAndFromTheFirstScreen(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)

	// After a run, d on the summary checks what was made: nothing fails.
	d := newDriver(t, o, 80, 24)
	d.walkWSO2ToReview()
	d.press("enter")
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
	d.press("enter", "d")
	d.waitUntil("checked", func(m Model) bool { return m.stage == stageDoctor && !m.doctor().running })
	if d.m.doctor().err != nil || steps.DoctorFailed(d.m.doctor().results) || len(d.m.doctor().results) == 0 {
		t.Fatalf("checks after a successful run: err=%v results=%+v", d.m.doctor().err, d.m.doctor().results)
	}
	d.requireScreen("✓ no check failed", "✓ PASS", "more (↑/↓ scroll)")
	for range 80 {
		d.press("down")
	}
	if strings.Contains(d.screen(), "more (↑/↓ scroll)") {
		t.Fatalf("the last check is in view, yet the screen says there is more:\n%s", d.screen())
	}
	d.press("esc")
	if d.m.stage != stageSummary {
		t.Fatalf("esc from the checks went to %v, want the summary", d.m.stage)
	}

	// "Check an existing setup" of azure on the same tenant (nothing made
	// for azure): tenant, management, then a FAIL naming the missing API.
	o.JournalPath = filepath.Join(t.TempDir(), "none.json")
	d = newDriver(t, o, 80, 24)
	d.press("down", "down", "enter") // check an existing setup
	d.press("down", "enter")         // of azure
	d.requireStep(steps.StepTenant)
	d.requireScreen("check · step 1 of 4")
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.requireScreen("What to check", "check · step 3 of 4")
	for d.m.stage == stageCheckTarget {
		d.press("enter")
	}
	d.waitUntil("checked", func(m Model) bool { return m.stage == stageDoctor && !m.doctor().running })
	d.requireScreen("✗ FAIL", " failed, ")
	if !steps.DoctorFailed(d.m.Outcome().Checks) {
		t.Fatalf("outcome carries no failed check: %+v", d.m.Outcome().Checks)
	}
	d.press("q")
	if o := d.m.Outcome(); o.Aborted || !d.m.quitting {
		t.Fatalf("q after the checks: quitting=%v aborted=%v", d.m.quitting, o.Aborted)
	}
	if txt := PlainSummary(d.m.Outcome(), false); !strings.Contains(txt, "FAIL") {
		t.Fatalf("exit text lacks the verdicts:\n%s", txt)
	}
}

func TestEscDuringApplyStopsTheRunAndGoesBackToReview(t *testing.T) {
	t.Parallel()
	sb, err := sandbox.New(sandbox.Options{Seed: 42, Latency: 2 * quick})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	d := newDriver(t, sandboxOptions(t, sb), 80, 24)
	d.walkWSO2ToReview()
	d.press("enter")
	d.waitUntil("apply runs", func(m Model) bool { return m.progress().running })
	d.press("esc")
	d.requireScreen("Stop the run?")
	d.press("y")
	d.waitUntil("the run stopped", func(m Model) bool { return !m.progress().running })
	if d.m.quitting || d.m.stage != stageProgress {
		t.Fatalf("esc → y quit or left the progress screen (quitting=%v stage=%v)", d.m.quitting, d.m.stage)
	}
	if !errors.Is(d.m.progress().err, context.Canceled) {
		t.Fatalf("run error = %v, want context.Canceled", d.m.progress().err)
	}
	// On the in-process sandbox there is nothing to resume: it says so.
	d.requireScreen("stopped at your request", "cannot be resumed")
	d.press("esc")
	if d.m.stage != stageReview {
		t.Fatalf("esc after a stopped run went to %v, want review", d.m.stage)
	}
	d.waitUntil("planned again", func(m Model) bool { return m.review().planned || m.review().err != nil })
	if d.m.review().err != nil {
		t.Fatalf("re-plan after a stop: %v", d.m.review().err)
	}
}

func TestCtrlOShowsTheWholeExplanation(t *testing.T) {
	t.Parallel()
	m := New(Options{Playbook: steps.WSO2})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	// The application step's explanation is cut at 80x24.
	for i, s := range m.sess.playbook.Steps {
		if s.Kind == steps.StepApplication {
			m, _ = m.goTo(stageStep, i)
		}
	}
	if !m.explainTruncated() {
		t.Skip("the application explanation fits at 80x24 now; nothing to show")
	}
	if !strings.Contains(m.render(), "ctrl+o") {
		t.Fatalf("a cut explanation offers no ctrl+o:\n%s", m.render())
	}
	nm, _ = m.Update(tea.KeyPressMsg{Code: 'o', Mod: tea.ModCtrl})
	m = nm.(Model)
	whole := strings.Join(strings.Fields(ansiStrip(m.render())), " ")
	last := strings.Fields(reflow(m.currentStep().Explain))
	tail := strings.Join(last[len(last)-4:], " ")
	if !strings.Contains(whole, tail) {
		t.Fatalf("ctrl+o does not show the explanation's end %q:\n%s", tail, m.render())
	}
	requireFits(t, ansiStrip(m.render()), 80, 24)
	nm, _ = m.Update(keyMsg("esc"))
	if m = nm.(Model); m.showExplain() || m.stage != stageStep {
		t.Fatalf("esc did not close the text (showExplain=%v stage=%v)", m.showExplain(), m.stage)
	}
}

// countingClient counts the calls that start a check or a run, so a test
// can tell one from two.
type countingClient struct {
	steps.Client
	discover, scopes *atomic.Int32
}

func (c countingClient) Discover(ctx context.Context) (steps.Endpoints, error) {
	c.discover.Add(1)
	return c.Client.Discover(ctx)
}

func (c countingClient) GrantedScopes(ctx context.Context) ([]string, error) {
	c.scopes.Add(1)
	return c.Client.GrantedScopes(ctx)
}

// TestKeyPressedTwiceStartsOneCommand presses each key that starts a check,
// a step change or the run twice before the first press's commands answer
// (a quick double press in the program): the first press's fact is handled
// before the second key, which reaches the screen the first led to and
// starts nothing twice. A second
// enter on the review started a second Apply in parallel, which duplicated
// resources and journaled the second run's as "reused".
func TestKeyPressedTwiceStartsOneCommand(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	var discover, scopes atomic.Int32
	real := o.NewClient
	o.NewClient = func(s steps.Settings) (steps.Client, error) {
		c, err := real(s)
		return countingClient{Client: c, discover: &discover, scopes: &scopes}, err
	}
	d := newDriver(t, o, 80, 24)
	var started int
	d.seen = func(msg tea.Msg) {
		if _, ok := msg.(provisionStartedMsg); ok {
			started++
		}
	}

	d.pressAhead("enter") // the playbook choice
	d.requireStep(steps.StepTenant)
	d.press("enter")
	d.waitFor("the tenant answers")
	d.pressAhead("enter") // the checked tenant: on to the management step, not past it
	d.requireStep(steps.StepManagement)
	d.press("enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	scopes.Store(0)
	d.pressAhead("r") // check again, once
	d.waitUntil("checked again", func(m Model) bool { return m.mgmt().checked })
	if n := scopes.Load(); n != 1 {
		t.Fatalf("r pressed twice checked the scopes %d times, want 1", n)
	}
	d.pressAhead("enter")
	d.requireStep(steps.StepAPIM)
	d.press("enter", "enter") // the second enter above reached this form's first field: on to the last
	d.requireStep(steps.StepKeyManager)
	d.press("enter", "enter")
	d.waitFor("Well-known URL")
	d.pressAhead("enter")
	d.requireStep(steps.StepResourceServer)
	d.press("enter", "enter", "enter", "enter", "enter")
	d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
	if d.m.review().err != nil {
		t.Fatalf("plan: %v", d.m.review().err)
	}

	d.pressAhead("enter") // apply, once
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
	if d.m.progress().err != nil {
		t.Fatalf("apply: %v", d.m.progress().err)
	}
	if started != 1 {
		t.Fatalf("enter pressed twice on the review started %d runs, want 1", started)
	}
	for _, r := range d.m.sess.result.Resources {
		if r.Action != "created" {
			t.Fatalf("on a fresh tenant %s %q was %s, want created (a second run ran alongside?)", r.Kind, r.Name, r.Action)
		}
	}

	d.pressAhead("enter") // the summary
	if d.m.stage != stageSummary {
		t.Fatalf("stage %v, want summary", d.m.stage)
	}
	discover.Store(0)
	d.pressAhead("d") // the checks, once
	d.waitUntil("checked", func(m Model) bool { return m.stage == stageDoctor && !m.doctor().running })
	if n := discover.Load(); n != 1 {
		t.Fatalf("d pressed twice ran the checks %d times, want 1", n)
	}
	discover.Store(0)
	d.pressAhead("r") // run them again, once
	d.waitUntil("checked again", func(m Model) bool { return !m.doctor().running })
	if n := discover.Load(); n != 1 {
		t.Fatalf("r pressed twice ran the checks %d times, want 1", n)
	}
}

// runModel is the wizard on the progress screen of a wso2 run whose events
// and end the test sends itself (Apply is not run).
type runModel struct {
	t *testing.T
	m Model
}

func newRunModel(t *testing.T) *runModel {
	t.Helper()
	m := New(Options{Playbook: steps.WSO2})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	m.sess.plan = steps.Plan{Playbook: steps.WSO2, Actions: []steps.Action{
		{ID: "client", Kind: steps.KindClient, Name: "WSO2 APIM application", Verb: steps.Create},
	}}
	m, _ = m.goTo(stageProgress, 0) // its Init (which would run Apply) is not run
	r := &runModel{t: t, m: m}
	r.send(provisionStartedMsg{Events: make(chan steps.Event), Done: make(chan provisionDoneMsg, 1), Cancel: func() {}})
	return r
}

// send gives the model one message and returns whether it quit.
func (r *runModel) send(msg tea.Msg) (quit bool) {
	r.t.Helper()
	nm, cmd := r.m.Update(msg)
	r.m = nm.(Model)
	if cmd == nil {
		return false
	}
	_, quit = cmd().(tea.QuitMsg)
	return quit
}

// TestRunEndingBehindTheQuitQuestion: ctrl+c during the run asks first; when
// the run ends while the question is up, the question is moot: it goes away
// and the wizard goes on as if it had not been asked. Whatever ends a
// completed run, the outcome says done, not aborted (y used to quit with
// "✓ done" printed and exit 130).
func TestRunEndingBehindTheQuitQuestion(t *testing.T) {
	t.Parallel()
	done := provisionDoneMsg{Result: steps.Result{Playbook: steps.WSO2, ClientID: "abc"}}

	t.Run("the run ends under the question", func(t *testing.T) {
		t.Parallel()
		r := newRunModel(t)
		r.send(keyMsg("ctrl+c"))
		if !r.m.confirmQuit() {
			t.Fatal("ctrl+c during the run did not ask")
		}
		r.send(done)
		if r.m.confirmQuit() {
			t.Fatalf("the run ended and the quit question is still up:\n%s", ansiStrip(r.m.render()))
		}
		if s := ansiStrip(r.m.render()); !strings.Contains(s, "press enter for the summary") {
			t.Fatalf("after the run the screen does not lead to the summary:\n%s", s)
		}
		if r.send(keyMsg("y")) {
			t.Fatal("y meant for the moot question quit the wizard")
		}
		if !r.send(keyMsg("ctrl+c")) {
			t.Fatal("ctrl+c after the run did not quit")
		}
		if o := r.m.Outcome(); !o.Applied || o.Aborted {
			t.Fatalf("outcome applied=%v aborted=%v, want applied and not aborted (exit 0 with the done text)", o.Applied, o.Aborted)
		}
	})
	t.Run("the run ends under the stop question", func(t *testing.T) {
		t.Parallel()
		r := newRunModel(t)
		r.send(keyMsg("esc"))
		r.send(stopRequestedMsg{})
		if !r.m.confirmStop() {
			t.Fatal("esc during the run did not ask")
		}
		r.send(done)
		if r.m.confirmStop() {
			t.Fatal("the run ended and the stop question is still up")
		}
	})
	t.Run("y lands before the end", func(t *testing.T) {
		t.Parallel()
		r := newRunModel(t)
		r.send(keyMsg("ctrl+c"))
		r.send(keyMsg("y"))
		if !r.m.stopping {
			t.Fatal("y did not stop the run")
		}
		if !r.send(done) { // the run completed before it could stop
			t.Fatal("the wizard did not quit once the run ended")
		}
		if o := r.m.Outcome(); !o.Applied || o.Aborted {
			t.Fatalf("outcome applied=%v aborted=%v, want applied and not aborted", o.Applied, o.Aborted)
		}
	})
	t.Run("y, then the run stops", func(t *testing.T) {
		t.Parallel()
		r := newRunModel(t)
		r.send(keyMsg("ctrl+c"))
		r.send(keyMsg("y"))
		r.send(provisionDoneMsg{Err: context.Canceled})
		if o := r.m.Outcome(); o.Applied || !o.Aborted || !o.Started {
			t.Fatalf("outcome applied=%v aborted=%v started=%v, want a stopped run", o.Applied, o.Aborted, o.Started)
		}
	})
}

// TestProgressDurationsAlign: the time each action took starts in one
// column whatever its verdict ("✓ created  10ms" next to "✓ verified  3ms"
// was ragged).
func TestProgressDurationsAlign(t *testing.T) {
	t.Parallel()
	r := newRunModel(t)
	for _, ev := range []steps.Event{
		{Action: "client", Kind: steps.EventDone, Verb: steps.Reuse, Duration: 10 * time.Millisecond},
		{Action: steps.TokenAction, Kind: steps.EventDone, Duration: 3 * time.Millisecond},
	} {
		r.m = step(t, r.m, provisionEventMsg{ev}) // its command waits for the next event: not run
	}
	r.send(provisionDoneMsg{Result: steps.Result{Token: steps.TokenCheck{Verified: true}}})
	screen := ansiStrip(r.m.render())
	col := map[string]int{} // where each time ends: they are right-aligned
	for _, l := range strings.Split(screen, "\n") {
		for _, d := range []string{"10ms", "3ms"} {
			if i := strings.Index(l, " "+d+" "); i >= 0 {
				col[d] = lipWidth(l[:i+1+len(d)])
			}
		}
	}
	if len(col) != 2 || col["10ms"] != col["3ms"] {
		t.Fatalf("durations end at columns %v, want one column:\n%s", col, screen)
	}
}

// step gives m one message and drops the command it returns.
func step(t *testing.T, m Model, msg tea.Msg) Model {
	t.Helper()
	nm, _ := m.Update(msg)
	return nm.(Model)
}

// helpEntries are the "key desc" entries of the active screen's short or
// full help.
func helpEntries(m Model, full bool) []string {
	k := m.screenKeys()
	groups := [][]key.Binding{k.ShortHelp()}
	if full {
		groups = k.FullHelp()
	}
	var out []string
	for _, g := range groups {
		for _, b := range g {
			if b.Enabled() {
				out = append(out, b.Help().Key+" "+b.Help().Desc)
			}
		}
	}
	return out
}

// TestHelpListsEachKeyOnceAndOnlyWhereItWorks: the ? panel repeated
// "enter next" and "esc back", and offered "esc back" on the first screen,
// where there is nothing to go back to.
func TestHelpListsEachKeyOnceAndOnlyWhereItWorks(t *testing.T) {
	t.Parallel()
	noRepeats := func(t *testing.T, where string, m Model) {
		t.Helper()
		seen := map[string]bool{}
		for _, e := range helpEntries(m, true) {
			if seen[e] {
				t.Fatalf("%s: the ? panel lists %q twice: %q", where, e, helpEntries(m, true))
			}
			seen[e] = true
		}
	}
	has := func(m Model, entry string) bool {
		for _, full := range []bool{false, true} {
			for _, e := range helpEntries(m, full) {
				if e == entry {
					return true
				}
			}
		}
		return false
	}

	d := newDriver(t, Options{NewClient: func(steps.Settings) (steps.Client, error) {
		return nil, errors.New("no tenant in this test")
	}}, 80, 24)
	noRepeats(t, "playbook", d.m)
	if has(d.m, "esc back") {
		t.Fatalf("the first screen offers esc back: %q", helpEntries(d.m, true))
	}
	d.press("down", "down", "enter") // check an existing setup: which playbook?
	if !has(d.m, "esc back") {
		t.Fatalf("the second question does not offer esc back (to the first): %q", helpEntries(d.m, true))
	}
	d.press("esc", "up", "up", "enter") // back to the first question, then wso2
	d.requireStep(steps.StepTenant)
	noRepeats(t, "tenant", d.m)
	if !has(d.m, "esc back") {
		t.Fatalf("the tenant screen after the playbook choice does not offer esc back: %q", helpEntries(d.m, true))
	}

	// With --playbook the tenant screen is the first: esc goes nowhere.
	d = newDriver(t, Options{Playbook: steps.WSO2}, 80, 24)
	d.requireStep(steps.StepTenant)
	if has(d.m, "esc back") {
		t.Fatalf("the first screen (--playbook) offers esc back: %q", helpEntries(d.m, true))
	}
	for i := range d.m.sess.playbook.Steps[:d.m.lastInputStep()+1] {
		m, _ := d.m.goTo(stageStep, i)
		noRepeats(t, string(m.currentStep().Kind), m)
	}
}

// TestSummaryFooterShowsChecksAndHelp: at 80 columns the summary's key
// line offers d (the checks) and ? (all keys), as the README documents.
func TestSummaryFooterShowsChecksAndHelp(t *testing.T) {
	t.Parallel()
	for _, w := range []int{80, 120} {
		m := summaryModel(t, steps.WSO2, w, 24, false)
		footer := ansiStrip(m.helpView())
		for _, want := range []string{"d check", "? keys", "q quit", "g gateway", "c copy", "s secret"} {
			if !strings.Contains(footer, want) {
				t.Fatalf("at %d columns the summary's keys lack %q: %q", w, want, footer)
			}
		}
		if strings.Contains(footer, "…") || lipWidth(footer) > m.contentWidth() {
			t.Fatalf("at %d columns the summary's keys are cut: %q", w, footer)
		}
	}
}

// TestProgressLayoutDoesNotDependOnTimings: how long actions took changes
// the numbers only, never what else fits on the line (at 80 columns the
// API's name was there after a 0s action and gone after a 12ms one).
func TestProgressLayoutDoesNotDependOnTimings(t *testing.T) {
	t.Parallel()
	render := func(d time.Duration) string {
		r := newRunModel(t)
		r.m.sess.plan.Actions = []steps.Action{{ID: "rs", Kind: steps.KindResourceServer, Name: "WSO2 resource server API (wso2-resource-server)", Verb: steps.Create}}
		r.m, _ = r.m.goTo(stageProgress, 0)
		r.send(provisionStartedMsg{Events: make(chan steps.Event), Done: make(chan provisionDoneMsg, 1), Cancel: func() {}})
		r.m = step(t, r.m, provisionEventMsg{steps.Event{Action: "rs", Kind: steps.EventDone, Verb: steps.Create, Duration: d}})
		r.m = step(t, r.m, provisionEventMsg{steps.Event{Action: steps.TokenAction, Kind: steps.EventDone, Duration: d}})
		r.send(provisionDoneMsg{Result: steps.Result{Token: steps.TokenCheck{Verified: true}}})
		return maskDurations(ansiStrip(r.m.render()))
	}
	base := render(100 * time.Microsecond)
	for _, d := range []time.Duration{2 * time.Millisecond, 12 * time.Millisecond, 345 * time.Millisecond, 2863 * time.Millisecond, 75 * time.Second} {
		if got := render(d); got != base {
			t.Fatalf("after %v the screen differs from after 100µs:\n%s\nvs\n%s", d, got, base)
		}
	}
	if !strings.Contains(base, "WSO2 resource server") {
		t.Fatalf("the API's name is gone at 80 columns:\n%s", base)
	}
	requireFits(t, base, 80, 24)
}
