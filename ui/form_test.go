package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// checkedScreens builds the tenant and management screens of the wso2
// playbook on a fresh session, sized, with no client (no Cmd is run).
func checkedScreens(t *testing.T) (*tenantScreen, *managementScreen) {
	t.Helper()
	p, err := steps.PlaybookByID(steps.WSO2)
	if err != nil {
		t.Fatal(err)
	}
	sess := &session{playbook: p, settings: steps.Settings{Domain: "acme.example.com", ClientID: "id", ClientSecret: "fake", Audience: "https://acme.example.com/api/v2/"}}
	c := &common{sess: sess, styles: newStyles(true), keys: newKeyMap()}
	var ten *tenantScreen
	var mgmt *managementScreen
	for i, stp := range p.Steps {
		switch stp.Kind {
		case steps.StepTenant:
			ten = newTenantScreen(c, i).(*tenantScreen)
			ten.SetSize(80, 12)
		case steps.StepManagement:
			mgmt = newManagementScreen(c, i).(*managementScreen)
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
		_, cmd := ten.Update(keyMsg("esc"))
		if _, ok := msgOf(cmd).(wentBackMsg); !ok || !ten.checking {
			t.Fatalf("got %T, checking=%v; want wentBackMsg and still checking", msgOf(cmd), ten.checking)
		}
	})
	t.Run("esc while the scope check runs goes back and drops its answer", func(t *testing.T) {
		t.Parallel()
		_, mgmt := checkedScreens(t)
		mgmt.checking = true
		_, cmd := mgmt.Update(keyMsg("esc"))
		if _, ok := msgOf(cmd).(wentBackMsg); !ok || mgmt.checking {
			t.Fatalf("got %T, checking=%v; want wentBackMsg and not checking", msgOf(cmd), mgmt.checking)
		}
		mgmt.Update(scopesCheckedMsg{Granted: []string{"read:clients"}})
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
		ten.Update(discoveredMsg{Domain: "acme.example.com"})
		if !ten.checked || ten.editing() {
			t.Fatalf("checked=%v editing=%v after discovery", ten.checked, ten.editing())
		}
		_, cmd := ten.Update(keyMsg("enter"))
		if _, ok := msgOf(cmd).(stepDoneMsg); !ok {
			t.Fatalf("enter on a checked tenant: %T, want stepDoneMsg", msgOf(cmd))
		}
		ten.Update(keyMsg("e"))
		if !ten.editing() || ten.form == nil {
			t.Fatalf("e did not bring the form back (editing=%v)", ten.editing())
		}
	})
	t.Run("enter is refused while a scope is missing", func(t *testing.T) {
		t.Parallel()
		_, mgmt := checkedScreens(t)
		mgmt.checking = true
		mgmt.Update(scopesCheckedMsg{Missing: []string{"create:client_grants"}})
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
		_, cmd := mgmt.Update(scopesCheckedMsg{Err: errors.New("access denied")})
		if !mgmt.editing() || mgmt.form == nil || cmd == nil {
			t.Fatalf("editing=%v form=%v cmd=%v", mgmt.editing(), mgmt.form != nil, cmd != nil)
		}
		if v := ansi.Strip(mgmt.View()); !strings.Contains(v, "✗ access denied") {
			t.Fatalf("view lacks the reason:\n%s", v)
		}
		if v := ansi.Strip(mgmt.View()); lipHeight(v) > 12 {
			t.Fatalf("view is %d lines in a room of 12:\n%s", lipHeight(v), v)
		}
		mgmt.SetSize(80, 30) // with room, what to do comes under the reason
		if v := ansi.Strip(mgmt.View()); !strings.Contains(v, "✗ access denied") || !strings.Contains(v, "press enter on the last field") {
			t.Fatalf("view lacks the reason or the hint:\n%s", v)
		}
	})
}

// stepIndex is the index of the playbook's step of kind k.
func stepIndex(t *testing.T, p steps.Playbook, k steps.StepKind) int {
	t.Helper()
	for i, s := range p.Steps {
		if s.Kind == k {
			return i
		}
	}
	t.Fatalf("playbook %s has no %s step", p.ID, k)
	return 0
}

// TestFieldErrorIsInSight: a value the validator refuses says why on
// screen, at every size down to the minimum. At 80x24 azure's Application
// step refused "My Corp!" with its message below the fold.
func TestFieldErrorIsInSight(t *testing.T) {
	t.Parallel()
	for _, sz := range []struct{ w, h int }{{80, 24}, {60, 16}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			t.Parallel()
			d := newDriver(t, Options{Playbook: steps.Azure}, sz.w, sz.h)
			var cmd tea.Cmd
			d.m, cmd = d.m.goTo(stageStep, stepIndex(t, d.m.sess.playbook, steps.StepApplication))
			d.exec(cmd)
			d.press("tab")
			d.typeText("My Corp!")
			d.press("enter")
			d.requireStep(steps.StepApplication)
			if d.m.sess.settings.APIMInstance != "My Corp!" {
				t.Fatalf("typed into the wrong field: %+v", d.m.sess.settings)
			}
			d.requireScreen(`"My Corp!" must start with a letter`)
			requireFits(t, d.screen(), sz.w, sz.h)

			// Fixed, the error goes and the screen is as before.
			d.press("ctrl+u")
			d.typeText("mycorp")
			d.press("enter")
			if strings.Contains(d.screen(), "must start with a letter") {
				t.Fatalf("the error stays once the value is fixed:\n%s", d.screen())
			}
			requireFits(t, d.screen(), sz.w, sz.h)
		})
	}
}

// TestCheckErrorIsReadableWhole: the reason a management check failed is on
// screen whole, however long, with the form still there. At 80x24 a wrong
// secret's reason was cut at "…secret under Applications →".
func TestCheckErrorIsReadableWhole(t *testing.T) {
	t.Parallel()
	long := errors.New("get a management token: the management application (client ID FOmveMM1klEynKTzHzCnfWi6nkGJ99qk) " +
		"is not authorized for the Management API (https://acme.example.com/api/v2/): in the Auth0 dashboard open " +
		"Applications → APIs → Auth0 Management API → Machine to Machine Applications, switch your application to " +
		"Authorized, tick the scopes the playbook needs and click Update")
	for _, sz := range []struct{ w, h int }{{80, 24}, {60, 16}} {
		t.Run(fmt.Sprintf("wrong secret on the sandbox %dx%d", sz.w, sz.h), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			o := sandboxOptions(t, sb)
			o.Playbook = steps.WSO2
			d := newDriver(t, o, sz.w, sz.h)
			var cmd tea.Cmd
			d.m, cmd = d.m.goTo(stageStep, stepIndex(t, d.m.sess.playbook, steps.StepManagement))
			d.exec(cmd)
			d.press("tab", "ctrl+u")
			d.typeText("wrong")
			d.press("enter", "enter")
			d.waitUntil("the check failed", func(m Model) bool { return m.mgmt().err != nil })
			requireWholeError(t, d, "✗ "+d.m.mgmt().err.Error(), sz.w, sz.h)
			d.requireScreen("Client ID")
			if sz.w >= 80 { // at the minimum size the form scrolls to its focused field
				d.requireScreen("Client secret", "Management API audience", "> "+sb.Audience)
			}
		})
		t.Run(fmt.Sprintf("not authorized %dx%d", sz.w, sz.h), func(t *testing.T) {
			t.Parallel()
			o := Options{
				Playbook: steps.WSO2,
				Settings: steps.Settings{Domain: "acme.example.com", ClientID: "FOmveMM1klEynKTzHzCnfWi6nkGJ99qk", ClientSecret: "fake"},
				NewClient: func(steps.Settings) (steps.Client, error) {
					return nil, long
				},
			}
			d := newDriver(t, o, sz.w, sz.h)
			var cmd tea.Cmd
			d.m, cmd = d.m.goTo(stageStep, stepIndex(t, d.m.sess.playbook, steps.StepManagement))
			d.exec(cmd)
			d.press("enter", "enter", "enter")
			d.waitUntil("the check failed", func(m Model) bool { return m.mgmt().err != nil })
			requireWholeError(t, d, "✗ "+long.Error(), sz.w, sz.h)
		})
	}
}

// requireWholeError fails unless the screen fits and shows the whole text.
func requireWholeError(t *testing.T, d *driver, text string, w, h int) {
	t.Helper()
	screen := d.screen()
	requireFits(t, screen, w, h)
	squeeze := func(s string) string { return strings.Join(strings.Fields(s), "") }
	if !strings.Contains(squeeze(screen), squeeze(text)) {
		t.Fatalf("the screen does not show the whole error %q:\n%s", text, screen)
	}
}
