package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestReviewSaysWhatWasFound: a reused resource that differs from what was
// asked says what it really is and how it differs, before anything changes.
func TestReviewSaysWhatWasFound(t *testing.T) {
	t.Parallel()
	m := New(Options{Playbook: steps.Azure, Settings: steps.Settings{Domain: "acme.example.com", ClientID: "id", ClientSecret: "fake-secret", UserEmail: "jane@example.com", UserPassword: "Fake-passw0rd!"}})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	m, _ = m.goTo(stageReview, 0) // its planning command is not run: the plan is given
	nm, _ = m.Update(fromScreenMsg{visit: m.visit, msg: plannedMsg{Plan: steps.Plan{Playbook: steps.Azure, Actions: []steps.Action{
		{ID: "resource_server", Kind: steps.KindResourceServer, Name: "Basic Calculator (basic-calculator)", Verb: steps.Reuse,
			Found: "Calculator, HS256", Warnings: []string{"signed with HS256, not RS256 as asked"}},
	}}}})
	m = nm.(Model)
	screen := strings.Join(strings.Fields(ansiStrip(m.render())), " ")
	for _, want := range []string{"= reuse API", "found: Calculator, HS256", "! signed with HS256, not RS256 as asked"} {
		if !strings.Contains(screen, want) {
			t.Fatalf("the review lacks %q:\n%s", want, ansiStrip(m.render()))
		}
	}
	if m.sess.plan.Actions[0].Found == "" {
		t.Fatal("the plan was not stored in the session")
	}
}
