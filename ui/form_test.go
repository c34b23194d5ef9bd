package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// checkedScreens builds the tenant and management screens of the wso2
// playbook on a fresh session, sized, with no client (no Cmd is run).
func checkedScreens(t *testing.T) (tenantScreen, managementScreen) {
	t.Helper()
	p, err := steps.PlaybookByID(steps.WSO2)
	if err != nil {
		t.Fatal(err)
	}
	sess := &session{playbook: p, settings: steps.Settings{Domain: "acme.example.com", ClientID: "id", ClientSecret: "fake", Audience: "https://acme.example.com/api/v2/"}}
	var ten tenantScreen
	var mgmt managementScreen
	for _, stp := range p.Steps {
		switch stp.Kind {
		case steps.StepTenant:
			ten = newTenantScreen(sess, stp, newStyles(true), newKeyMap(), Options{})
			ten.SetSize(80, 12)
		case steps.StepManagement:
			mgmt = newManagementScreen(sess, stp, newStyles(true), newKeyMap(), Options{})
			mgmt.SetSize(80, 12)
		}
	}
	return ten, mgmt
}

// msgOf runs a Cmd that only emits a fact.
func msgOf(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

// TestCheckedScreensKeys holds the keys the tenant and management screens
// share (checkedForm) and the ones where they differ.
func TestCheckedScreensKeys(t *testing.T) {
	t.Parallel()
	t.Run("esc while discovery runs goes back and keeps waiting", func(t *testing.T) {
		t.Parallel()
		ten, _ := checkedScreens(t)
		ten.checking = true
		ten, cmd := ten.Update(keyMsg("esc"))
		if _, ok := msgOf(cmd).(wentBackMsg); !ok || !ten.checking {
			t.Fatalf("got %T, checking=%v; want wentBackMsg and still checking", msgOf(cmd), ten.checking)
		}
	})
	t.Run("esc while the scope check runs goes back and drops its answer", func(t *testing.T) {
		t.Parallel()
		_, mgmt := checkedScreens(t)
		mgmt.checking = true
		mgmt, cmd := mgmt.Update(keyMsg("esc"))
		if _, ok := msgOf(cmd).(wentBackMsg); !ok || mgmt.checking {
			t.Fatalf("got %T, checking=%v; want wentBackMsg and not checking", msgOf(cmd), mgmt.checking)
		}
		mgmt, _ = mgmt.Update(scopesCheckedMsg{Granted: []string{"read:clients"}})
		if mgmt.checked {
			t.Fatal("an answer after esc was taken")
		}
	})
	t.Run("other keys wait while checking", func(t *testing.T) {
		t.Parallel()
		ten, _ := checkedScreens(t)
		ten.checking = true
		for _, k := range []string{"enter", "e", "a"} {
			if _, cmd := ten.Update(keyMsg(k)); cmd != nil {
				t.Fatalf("%s while checking returned a Cmd", k)
			}
		}
	})
	t.Run("enter once checked is done, e edits again", func(t *testing.T) {
		t.Parallel()
		ten, _ := checkedScreens(t)
		ten, _ = ten.Update(discoveredMsg{Domain: "acme.example.com"})
		if !ten.checked || ten.editing() {
			t.Fatalf("checked=%v editing=%v after discovery", ten.checked, ten.editing())
		}
		_, cmd := ten.Update(keyMsg("enter"))
		if _, ok := msgOf(cmd).(stepDoneMsg); !ok {
			t.Fatalf("enter on a checked tenant: %T, want stepDoneMsg", msgOf(cmd))
		}
		ten, _ = ten.Update(keyMsg("e"))
		if !ten.editing() || ten.form == nil {
			t.Fatalf("e did not bring the form back (editing=%v)", ten.editing())
		}
	})
	t.Run("enter is refused while a scope is missing", func(t *testing.T) {
		t.Parallel()
		_, mgmt := checkedScreens(t)
		mgmt.checking = true
		mgmt, _ = mgmt.Update(scopesCheckedMsg{Missing: []string{"create:client_grants"}})
		if _, cmd := mgmt.Update(keyMsg("enter")); cmd != nil {
			t.Fatal("enter left the screen with a scope missing")
		}
		if got := mgmt.Keys().ShortHelp()[0].Help().Key; got != "r" {
			t.Fatalf("first key hint %q, want r", got)
		}
	})
	t.Run("a failed check puts the form back with the reason", func(t *testing.T) {
		t.Parallel()
		_, mgmt := checkedScreens(t)
		mgmt.checking = true
		mgmt, cmd := mgmt.Update(scopesCheckedMsg{Err: errors.New("access denied")})
		if !mgmt.editing() || mgmt.form == nil || cmd == nil {
			t.Fatalf("editing=%v form=%v cmd=%v", mgmt.editing(), mgmt.form != nil, cmd != nil)
		}
		if v := ansi.Strip(mgmt.View("")); !strings.Contains(v, "✗ access denied") || !strings.Contains(v, "Check the client ID") {
			t.Fatalf("view lacks the reason:\n%s", v)
		}
	})
}
