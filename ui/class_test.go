package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// traceCounter counts the Management API requests in a client's trace.
type traceCounter struct{ n *atomic.Int64 }

func (c traceCounter) Write(b []byte) (int, error) {
	if bytes.HasPrefix(b, []byte("--> ")) && bytes.Contains(b, []byte("/api/v2/")) {
		c.n.Add(1)
	}
	return len(b), nil
}

// writeHandoutsTo is Options.WriteHandouts for the tests: one file per
// kit and kits.csv, 0600, under dir (cmd's writes the real sheets).
func writeHandoutsTo(t *testing.T) func(string, steps.KitsResult) ([]string, error) {
	t.Helper()
	return func(dir string, res steps.KitsResult) ([]string, error) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		var files []string
		for _, k := range res.Kits {
			p := filepath.Join(dir, k.Label+".md")
			if err := os.WriteFile(p, []byte(k.Label+" "+k.ClientID+"\n"), 0o600); err != nil {
				return files, err
			}
			files = append(files, p)
		}
		p := filepath.Join(dir, "kits.csv")
		return append(files, p), os.WriteFile(p, []byte("label\n"), 0o600)
	}
}

// classOptions are sandbox options for azure kits (the test user's email
// domain given, as --sandbox gives it).
func classOptions(t *testing.T, opts ...sandbox.Options) (Options, string) {
	t.Helper()
	sb := newSandbox(t)
	if len(opts) > 0 {
		var err error
		if sb, err = sandbox.New(opts[0]); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sb.Close() })
	}
	o := sandboxOptions(t, sb)
	o.Settings.UserEmail = "demo@example.com"
	o.WriteHandouts = writeHandoutsTo(t)
	// The requests counted as cmd counts them: the client's trace.
	var sent atomic.Int64
	o.NewClient = func(s steps.Settings) (steps.Client, error) {
		return auth0client.New(auth0client.Config{
			Domain: s.Domain, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
			Audience: s.Audience, CAPEM: sb.CAPEM, Trace: traceCounter{&sent},
		})
	}
	o.Requests = sent.Load
	out := filepath.Join(t.TempDir(), "handouts")
	return o, out
}

// chooseClass picks "prepare a class" on the first screen and answers its
// questions: azure, count attendees named prefix, handouts in out.
func (d *driver) chooseClass(count, prefix, out string) {
	d.t.Helper()
	d.requireScreen("Prepare a class")
	d.press("down", "down", "down", "enter") // wso2, azure, check, class
	d.requireScreen("Kits of which playbook?")
	d.press("down", "enter") // azure
	d.requireScreen("How many attendees?")
	d.press("ctrl+u")
	d.typeText(count)
	d.press("enter", "ctrl+u")
	d.typeText(prefix)
	d.press("enter", "ctrl+u")
	d.typeText(out)
	d.press("enter")
}

// toKits goes from the tenant screen to the kits screen, every value
// kept and each check waited for.
func (d *driver) toKits() {
	d.t.Helper()
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
}

// The class flow: the first screen's questions, the tenant and management
// screens, the kits screen (which asks before it changes anything), the
// run's rows, the summary with the handouts, and the outcome cmd prints.
func TestPrepareAClass(t *testing.T) {
	t.Parallel()
	o, out := classOptions(t)
	o.Sandbox = false // as on a tenant of one's own: the summary says how to check and remove the kits
	d := newDriver(t, o, 100, 30)
	d.chooseClass("3", "team", out)
	d.requireStep(steps.StepTenant)
	if d.m.sess.kits == nil || d.m.sess.kits.kits.Count != 3 || d.m.sess.kits.kits.Prefix != "team" || d.m.sess.kits.out != out {
		t.Fatalf("class plan = %+v, want 3 team kits into %s", d.m.sess.kits, out)
	}
	if d.m.sess.playbook.ID != steps.Azure {
		t.Fatalf("playbook %q, want azure", d.m.sess.playbook.ID)
	}
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter")
	d.requireStep(steps.StepManagement)
	d.press("enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	if d.m.stage != stageKits {
		t.Fatalf("stage %v after the management step, want kits:\n%s", d.m.stage, d.screen())
	}
	d.requireScreen("3 kits of the", "team-01 … team-03", "handouts    "+out, "Nothing changes before you say yes")

	// Enter asks; n leaves the tenant alone.
	d.press("enter")
	d.requireScreen("! Make 3 azure kits on "+o.Settings.Domain+"?", "y make them", "n not now", "y make them • n not now")
	d.press("n")
	if d.m.dialog != nil || d.m.sess.run.started {
		t.Fatalf("after n: dialog %v, run started %v", d.m.dialog, d.m.sess.run.started)
	}
	d.press("enter", "y")
	d.waitUntil("the kits are made", func(m Model) bool { return m.sess.kitsDone != nil })
	if err := d.m.sess.run.err; err != nil {
		t.Fatalf("kits: %v\n%s", err, d.screen())
	}
	d.requireScreen("17/17 · ", " req/s · done", "✓ every kit complete", "team-01", "team-03", "✓ done", "shared")
	res := d.m.sess.kitsDone.Result
	if res.Complete() != 3 {
		t.Fatalf("%d of 3 kits complete", res.Complete())
	}
	for _, k := range res.Kits {
		if _, err := os.Stat(filepath.Join(out, k.Label+".md")); err != nil {
			t.Errorf("handout of %s: %v", k.Label, err)
		}
	}

	d.press("enter")
	if d.m.stage != stageKitsSummary {
		t.Fatalf("stage %v, want the class summary", d.m.stage)
	}
	d.requireScreen("✓ 3 of 3 kits complete", "handouts   "+out, "3 files: one .md and one .html per attendee", "CSV        "+filepath.Join(out, "kits.csv"),
		"auth0-wizard doctor --kits --journal "+res.JournalPath, "auth0-wizard teardown --journal "+res.JournalPath)
	if strings.Contains(d.screen(), res.Kits[0].ClientSecret) || strings.Contains(d.screen(), res.Kits[0].UserPassword) {
		t.Fatal("the class summary shows a secret")
	}
	d.press("q")
	oc := d.m.Outcome()
	if oc.Aborted || oc.Kits == nil || oc.Kits.Result.Complete() != 3 || len(oc.Kits.Files) != 4 {
		t.Fatalf("outcome = %+v, want the 3 kits and their 4 files", oc)
	}

	// The journal keeps the class: its kits are those made.
	j, err := steps.OpenJournal(res.JournalPath, true)
	if err != nil {
		t.Fatal(err)
	}
	if kits := steps.JournalKits(j); len(kits) != 3 || kits[2].Label != "team-03" {
		t.Fatalf("journal kits = %+v", kits)
	}
}

// The class questions refuse what the kits command refuses, and esc goes
// back to the first question.
func TestClassQuestionsAreChecked(t *testing.T) {
	t.Parallel()
	o, _ := classOptions(t)
	d := newDriver(t, o, 100, 30)
	d.press("down", "down", "down", "enter")
	d.requireScreen("Kits of which playbook?", "↑/↓ move")
	d.press("enter") // wso2
	d.requireScreen("How many attendees?")
	if strings.Contains(d.screen(), "↑/↓ move") {
		t.Fatalf("a typed number's footer offers ↑/↓ move:\n%s", d.screen())
	}
	d.press("ctrl+u")
	d.typeText("0")
	d.press("enter")
	d.requireScreen("the number of kits must be from 1 to 500, not 0")
	d.press("ctrl+u")
	d.typeText("2")
	d.press("enter", "ctrl+u")
	d.typeText("-bad")
	d.press("enter")
	d.requireScreen("must start with a letter or digit")
	if d.m.stage != stagePlaybook {
		t.Fatalf("stage %v after a refused prefix", d.m.stage)
	}
	d.press("esc")
	d.requireScreen("What do you want to set up?")
	if d.m.screen.Frame().Typing {
		t.Fatal("the first question is a choice: ? is the help key there")
	}
}

// Quitting while the kits are made asks first; yes stops after the
// actions in progress, and the outcome is an abort.
func TestQuitDuringTheClassAsks(t *testing.T) {
	t.Parallel()
	o, out := classOptions(t, sandbox.Options{Seed: 42, Latency: quick}) // still going when ctrl+c comes
	d := newDriver(t, o, 100, 30)
	d.chooseClass("2", "q", out)
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter", "enter", "y")
	d.waitUntil("the run started", func(m Model) bool { return m.sess.run.running || m.sess.kitsDone != nil })
	if !d.m.sess.run.running {
		t.Fatal("the kits were made before ctrl+c could be pressed")
	}
	d.press("ctrl+c")
	if !d.m.confirmQuit() {
		t.Fatalf("ctrl+c during the class did not ask:\n%s", d.screen())
	}
	d.press("y")
	d.waitUntil("stopped", func(m Model) bool { return m.quitting })
	if oc := d.m.Outcome(); !oc.Aborted || oc.Kits == nil || oc.Kits.Result.Complete() == 2 {
		t.Fatalf("outcome %+v: want an abort with the class not complete", oc)
	}
}

// A class of azure with no test user's email given (on a tenant of one's
// own the wizard's class skips the user step): the kits screen asks for
// one before it offers to make the kits, refuses one that is not an email,
// and the attendees' users get its domain.
func TestClassAsksForTheUsersEmail(t *testing.T) {
	t.Parallel()
	o, out := classOptions(t)
	o.Settings.UserEmail = ""
	d := newDriver(t, o, 100, 30)
	d.chooseClass("2", "team", out)
	d.requireScreen("class · step 1 of 3") // tenant, management, the kits
	d.toKits()
	d.requireScreen("class · step 3 of 3", "2 kits of the", "A test user's email", "trainer@school.example gives attendee-01@school.example")
	if strings.Contains(d.screen(), "enter: make the kits") {
		t.Fatalf("the kits are offered before the email is given:\n%s", d.screen())
	}
	d.typeText("jane")
	d.press("enter")
	d.requireScreen("that is not an email address")
	d.press("ctrl+u")
	d.typeText("trainer@school.example")
	d.press("enter")
	d.requireScreen("Nothing changes before you say yes. enter: make the kits")
	d.press("enter", "y")
	d.waitUntil("the kits are made", func(m Model) bool { return m.sess.kitsDone != nil })
	if err := d.m.sess.run.err; err != nil {
		t.Fatalf("kits: %v\n%s", err, d.screen())
	}
	for _, k := range d.m.sess.kitsDone.Result.Kits {
		if want := k.Label + "@school.example"; k.UserEmail != want {
			t.Errorf("%s's user is %q, want %q", k.Label, k.UserEmail, want)
		}
	}
}

// Kits that cannot be made as the settings stand (an application name
// too long once the attendee's label is added) are said on the kits
// screen, which then offers no way to make them.
func TestClassThatCannotBeMadeIsSaidFirst(t *testing.T) {
	t.Parallel()
	o, out := classOptions(t)
	o.Settings.AppName = strings.Repeat("a", 195)
	d := newDriver(t, o, 100, 30)
	d.chooseClass("2", "team", out)
	d.toKits()
	d.requireScreen("✗ these kits cannot be made: the attendees' application names", "esc: back to change the class")
	d.press("enter")
	if d.m.dialog != nil || d.m.sess.run.started {
		t.Fatalf("enter on kits that cannot be made: dialog %v, run started %v", d.m.dialog, d.m.sess.run.started)
	}
}
