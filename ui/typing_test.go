package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestHuhMovesAreImmediate: settle knows the commands huh moves its focus
// with, and the batches around them (a huh or Bubble Tea release that
// renames one would bring the typing bug back).
func TestHuhMovesAreImmediate(t *testing.T) {
	t.Parallel()
	var v string
	f := huh.NewForm(huh.NewGroup(huh.NewInput().Value(&v)))
	f.Init()
	for name, cmd := range map[string]tea.Cmd{"prevGroup": f.PrevField(), "nextGroup": f.NextField()} {
		now, later := split(cmd)
		if len(later) > 0 || len(now) == 0 {
			t.Fatalf("huh's move to the %s is not run at once: %d now, %d later", name, len(now), len(later))
		}
	}
	nop := func() tea.Msg { return nil }
	for _, cmd := range []tea.Cmd{tea.Batch(stepDone, wentBack), tea.Sequence(stepDone, wentBack), report(quitRequestedMsg{})} {
		if now, later := split(cmd); len(later) > 0 || len(now) == 0 {
			t.Fatalf("a batch or a report is not run at once: %d now, %d later", len(now), len(later))
		}
	}
	if _, later := split(tea.Batch(nop, stepDone)); len(later) != 1 {
		t.Fatalf("a command that may wait was run at once")
	}
}

// typeAll sends every key of keys to m, one Update after the other, with
// no command run in between: as fast as a paste or a script types.
func typeAll(m Model, keys ...tea.KeyPressMsg) Model {
	for _, k := range keys {
		nm, _ := m.Update(k)
		m = nm.(Model)
	}
	return m
}

// keysOf is text as key presses, and names ("tab", "enter") as themselves.
func keysOf(parts ...string) []tea.KeyPressMsg {
	var out []tea.KeyPressMsg
	for _, p := range parts {
		switch p {
		case "tab", "enter", "shift+tab", "ctrl+u", "down":
			out = append(out, keyMsg(p))
			continue
		}
		for _, r := range p {
			out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	return out
}

// TestKeysTypedAtOnceLandInTheirField is the typing bug: on the API screen
// "Orders API" tab "orders-api" tab gave "Orders APIo" and
// "basic-calculatorrders-api", and an email, enter, then a password put the
// password's first letter in the email. Every key must reach the field that
// has the focus after the key before it, with no command run between keys.
func TestKeysTypedAtOnceLandInTheirField(t *testing.T) {
	t.Parallel()
	m := New(Options{Playbook: steps.Azure})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	var cmd tea.Cmd
	m, cmd = m.goTo(stageStep, stepIndex(t, m.sess.playbook, steps.StepResourceServer))
	_ = cmd // not run: the form has the focus once goTo returns

	m = typeAll(m, keysOf("ctrl+u", "Orders API", "tab", "ctrl+u", "orders-api", "tab")...)
	set := m.sess.settings
	if set.APIName != "Orders API" || set.APIIdentifier != "orders-api" {
		t.Fatalf("API name %q, identifier %q; want %q and %q", set.APIName, set.APIIdentifier, "Orders API", "orders-api")
	}
	// The last field is a choice: enter finishes the screen, and what is
	// typed next is the application's name on the next screen.
	m = typeAll(m, keysOf("enter", "ctrl+u", "Orders app", "tab", "ordersapim", "tab", "ctrl+u", "orders-auth", "enter")...)
	set = m.sess.settings
	if m.currentStep().Kind != steps.StepConnection || set.AppName != "Orders app" || set.APIMInstance != "ordersapim" || set.APIMServer != "orders-auth" {
		t.Fatalf("on %q: app %q, instance %q, server %q", m.currentStep().Kind, set.AppName, set.APIMInstance, set.APIMServer)
	}
	m = typeAll(m, keysOf("ctrl+u", "Orders-Users", "enter", "ctrl+u", "jane@example.com", "enter", "ctrl+u", "S3cret-passw0rd!", "enter")...)
	set = m.sess.settings
	if set.ConnectionName != "Orders-Users" || set.UserEmail != "jane@example.com" || set.UserPassword != "S3cret-passw0rd!" {
		t.Fatalf("connection %q, email %q, password of %d characters", set.ConnectionName, set.UserEmail, len(set.UserPassword))
	}
	if m.stage != stageReview {
		t.Fatalf("on %v after the last field, want the review", m.stage)
	}
}

// TestWSO2KeysTypedAtOnce: the same on wso2's screens that only ask for
// values, the keys of three screens in one go.
func TestWSO2KeysTypedAtOnce(t *testing.T) {
	t.Parallel()
	m := New(Options{Playbook: steps.WSO2})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	m, _ = m.goTo(stageStep, stepIndex(t, m.sess.playbook, steps.StepKeyManager))
	m = typeAll(m, keysOf(
		"ctrl+u", "Orders-KM", "tab", "ctrl+u", "Orders Key Manager", "enter", // the key manager's inputs
		"enter", // its fields shown: on
		"ctrl+u", "Orders API", "tab", "ctrl+u", "orders-api", "enter",
		"ctrl+u", "Orders app", "tab", "tab", "enter")...)
	set := m.sess.settings
	for _, f := range []struct{ name, got, want string }{
		{"key manager name", set.KeyManagerName, "Orders-KM"},
		{"display name", set.KeyManagerDisplayName, "Orders Key Manager"},
		{"API name", set.APIName, "Orders API"},
		{"API identifier", set.APIIdentifier, "orders-api"},
		{"application name", set.AppName, "Orders app"},
	} {
		if f.got != f.want {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
	if m.stage != stageReview {
		t.Fatalf("on %v %q after the last field, want the review", m.stage, m.currentStep().Kind)
	}
}

// TestInputAskedOnceItApplies: an input asked only with some settings
// (When) comes as they are typed, the focus kept where it was, and keys
// typed at once after it appeared reach it: the API Manager's admin
// password brings the developer portal application's name.
func TestInputAskedOnceItApplies(t *testing.T) {
	t.Parallel()
	m := New(Options{Playbook: steps.WSO2})
	nm, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m = nm.(Model)
	m, _ = m.goTo(stageStep, stepIndex(t, m.sess.playbook, steps.StepAPIM))
	if strings.Contains(ansiStrip(m.render()), "Developer portal application") {
		t.Fatalf("the application's name is asked without the admin password:\n%s", ansiStrip(m.render()))
	}
	m = typeAll(m, keysOf("tab", "tab", "fake-admin-pw")...)
	if !strings.Contains(ansiStrip(m.render()), "Developer portal application") {
		t.Fatalf("the admin password did not bring the application's name:\n%s", ansiStrip(m.render()))
	}
	m = typeAll(m, keysOf("x", "tab", "ctrl+u", "OrdersApp")...)
	set := m.sess.settings
	if set.WSO2AdminPassword != "fake-admin-pwx" || set.WSO2AppName != "OrdersApp" {
		t.Fatalf("password of %d characters, application %q; want 14 and OrdersApp", len(set.WSO2AdminPassword), set.WSO2AppName)
	}
}
