package ui

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// earlierRun applies a playbook on the sandbox as an earlier run did, with
// its own journal at path and edits to the settings, and returns its result.
func earlierRun(t *testing.T, sb *sandbox.Server, id steps.PlaybookID, path string, edit func(*steps.Settings)) steps.Result {
	t.Helper()
	c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := steps.PlaybookByID(id)
	s := steps.Settings{Playbook: id, Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, Audience: sb.Audience,
		UserEmail: "jane@example.com", UserPassword: "Sandbox-Passw0rd!x"}
	if edit != nil {
		edit(&s)
	}
	s = p.WithDefaults(s)
	j, err := steps.OpenJournal(path, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	e := steps.NewEngine(c)
	pl, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, p, s, pl, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// conflictAtReview walks wso2 by Enter to the review, where the journal
// at the wizard's path holds an earlier run: the journal dialog is open.
func conflictAtReview(t *testing.T, sb *sandbox.Server, o Options) *driver {
	t.Helper()
	d := newDriver(t, o, 100, 40)
	d.walkWSO2ToThePlan()
	if d.m.dialog == nil || d.m.dialog.kind != dialogJournal {
		t.Fatalf("no journal dialog over the review (err %v):\n%s", d.m.review().err, d.screen())
	}
	return d
}

func TestJournalConflictOffersTheWaysOut(t *testing.T) {
	t.Parallel()
	const custom = "https://orders.example.com"
	earlier := func(t *testing.T) (*sandbox.Server, Options, string) {
		sb := newSandbox(t)
		o := sandboxOptions(t, sb)
		earlierRun(t, sb, steps.WSO2, o.JournalPath, func(s *steps.Settings) { s.APIIdentifier = custom })
		before, err := os.ReadFile(o.JournalPath)
		if err != nil {
			t.Fatal(err)
		}
		return sb, o, string(before)
	}

	t.Run("the dialog, in the wizard's words", func(t *testing.T) {
		t.Parallel()
		sb, o, _ := earlier(t)
		d := conflictAtReview(t, sb, o)
		fresh := filepath.Join(filepath.Dir(o.JournalPath), "journal-2.json")
		if got := d.m.dialog.conflict.newPath; got != fresh {
			t.Errorf("the new journal offered is %q, want %q", got, fresh)
		}
		d.requireScreen("! The journal records another run", "API identifier", custom,
			"c  continue that run", "n  start a new journal", "journal-2.json", "t  tear that run down first",
			"c continue that run", "n new journal", "t tear it down", "esc back")
		for _, cli := range []string{"--journal", "auth0-wizard teardown", "api_identifier"} {
			if strings.Contains(d.screen(), cli) {
				t.Errorf("the dialog names %q, which the wizard does not offer:\n%s", cli, d.screen())
			}
		}
		// On the smallest terminal the choices stay in sight (their
		// details go first), the new journal's name with them.
		d.send(tea.WindowSizeMsg{Width: 60, Height: 16})
		requireFits(t, d.screen(), 60, 16)
		d.requireScreen("c  continue that run", "n  start a new journal: journal-2.json", "t  tear that run down first")
		d.send(tea.WindowSizeMsg{Width: 100, Height: 40})
		// esc closes it over the review, which says the same and offers
		// the choices again with r.
		d.press("esc")
		if d.m.dialog != nil {
			t.Fatalf("esc left the dialog open")
		}
		d.requireScreen("records what an earlier run of this playbook created", "r choices")
		if strings.Contains(d.screen(), "--journal") {
			t.Errorf("the review prints the command line's remedy:\n%s", d.screen())
		}
		d.press("r")
		d.waitUntil("the dialog again", func(m Model) bool { return m.dialog != nil && m.dialog.kind == dialogJournal })
	})

	t.Run("n: a new journal beside it", func(t *testing.T) {
		t.Parallel()
		sb, o, before := earlier(t)
		d := conflictAtReview(t, sb, o)
		fresh := filepath.Join(filepath.Dir(o.JournalPath), "journal-2.json")
		d.press("n")
		d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
		if err := d.m.review().err; err != nil {
			t.Fatalf("plan with the new journal: %v", err)
		}
		if got := d.m.sess.journal.Path(); got != fresh {
			t.Fatalf("the plan's journal is %q, want %q", got, fresh)
		}
		d.requireScreen("Journal:", "journal-2.json")
		d.press("enter")
		d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
		if err := d.m.progress().err; err != nil {
			t.Fatalf("apply: %v", err)
		}
		if o := d.m.Outcome(); o.JournalPath != fresh {
			t.Errorf("outcome's journal %q, want %q", o.JournalPath, fresh)
		}
		after, err := os.ReadFile(o.JournalPath)
		if err != nil || string(after) != before {
			t.Errorf("the earlier run's journal changed (%v)", err)
		}
		if _, err := os.Stat(fresh); err != nil {
			t.Errorf("no new journal: %v", err)
		}
	})

	t.Run("c: continue the journal's run", func(t *testing.T) {
		t.Parallel()
		sb, o, _ := earlier(t)
		d := conflictAtReview(t, sb, o)
		d.press("c")
		d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
		if err := d.m.review().err; err != nil {
			t.Fatalf("plan continuing the run: %v", err)
		}
		if got := d.m.sess.settings.APIIdentifier; got != custom {
			t.Errorf("API identifier %q, want the journal's %q", got, custom)
		}
		for _, a := range d.m.sess.plan.Actions {
			if a.Verb != steps.Reuse {
				t.Errorf("continuing the run plans %s %s %q, want every action reused", a.Verb, a.Kind, a.Name)
			}
		}
		if got := d.m.sess.journal.Path(); got != o.JournalPath {
			t.Errorf("the plan's journal is %q, want the earlier run's %q", got, o.JournalPath)
		}
	})

	t.Run("t: tear that run down, then plan", func(t *testing.T) {
		t.Parallel()
		sb, o, _ := earlier(t)
		d := conflictAtReview(t, sb, o)
		d.press("t")
		d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
		if err := d.m.review().err; err != nil {
			t.Fatalf("teardown then plan: %v", err)
		}
		d.requireScreen("✓ the earlier run", "was torn down")
		for _, a := range d.m.sess.plan.Actions {
			if a.Verb != steps.Create {
				t.Errorf("after the teardown the plan %ss %s %q, want every action created", a.Verb, a.Kind, a.Name)
			}
		}
		c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.FindResourceServer(context.Background(), custom); !errors.Is(err, steps.ErrNotFound) {
			t.Errorf("the earlier run's API is still there (%v)", err)
		}
	})

	t.Run("another playbook's journal: no continue", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t)
		o := sandboxOptions(t, sb)
		earlierRun(t, sb, steps.Azure, o.JournalPath, nil)
		d := conflictAtReview(t, sb, o)
		d.requireScreen("a run of the azure playbook created on "+sb.Domain, "n  start a new journal", "t  tear that run down first")
		if strings.Contains(d.screen(), "continue that run") {
			t.Errorf("continue is offered for another playbook's run:\n%s", d.screen())
		}
		d.press("c") // not offered: nothing happens
		if d.m.dialog == nil {
			t.Fatalf("c closed the dialog")
		}
	})
}

func TestFreeJournalPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "auth0-wizard-wso2.journal.json")
	if got, want := freeJournalPath(p), filepath.Join(dir, "auth0-wizard-wso2-2.journal.json"); got != want {
		t.Errorf("freeJournalPath = %q, want %q", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "auth0-wizard-wso2-2.journal.json"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := freeJournalPath(p), filepath.Join(dir, "auth0-wizard-wso2-3.journal.json"); got != want {
		t.Errorf("with -2 taken, freeJournalPath = %q, want %q", got, want)
	}
	if got := freeJournalPath(filepath.Join(dir, "j.json")); got != filepath.Join(dir, "j-2.json") {
		t.Errorf("freeJournalPath(j.json) = %q", got)
	}
	if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("freeJournalPath made a file")
	}
}
