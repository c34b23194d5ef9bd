package ui

import (
	"context"
	"errors"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// comingUp is Options.Tenant for a tenant that comes up when the test
// says: Settings are empty until then.
func comingUp(t *testing.T, o Options) (Options, func(error)) {
	t.Helper()
	set := o.Settings
	release := make(chan error, 1)
	o.Settings = steps.Settings{}
	o.Tenant = func(ctx context.Context) (steps.Settings, error) {
		select {
		case err := <-release:
			return set, err
		case <-ctx.Done():
			return steps.Settings{}, ctx.Err()
		}
	}
	return o, func(err error) { release <- err }
}

// The first screen needs no tenant: it is there before the tenant is up,
// and a choice made meanwhile waits on the starting screen, then reaches
// the tenant screen with the tenant's settings (the playbook kept).
func TestFirstScreenBeforeTheTenantIsUp(t *testing.T) {
	sb := newSandbox(t)
	o, up := comingUp(t, sandboxOptions(t, sb))
	d := newDriver(t, o, 100, 30)
	d.requireScreen("Choose a playbook", "[sandbox]")
	d.press("enter") // wso2
	d.requireScreen("Starting the sandbox", "starting the sandbox tenant")
	if _, ok := d.m.screen.(*startingScreen); !ok || d.m.stage != stageStep {
		t.Fatalf("on %T at %v, want the starting screen standing in for the tenant step", d.m.screen, d.m.stage)
	}
	d.press("enter") // means nothing while it starts
	if _, ok := d.m.screen.(*startingScreen); !ok {
		t.Fatalf("enter left the starting screen for %T", d.m.screen)
	}
	up(nil)
	d.waitUntil("the tenant screen", onTenantScreen)
	d.requireStep(steps.StepTenant)
	d.requireScreen(sb.Domain)
	if got := d.m.sess.settings; got.Domain != sb.Domain || got.ClientID != sb.ClientID || got.Playbook != steps.WSO2 {
		t.Fatalf("settings after the tenant came up: domain %q, client %q, playbook %q", got.Domain, got.ClientID, got.Playbook)
	}
	// Once up, nothing waits: back and forth are immediate.
	d.press("esc")
	d.requireScreen("Choose a playbook")
	d.press("enter")
	if !onTenantScreen(d.m) {
		t.Fatalf("the tenant screen waited again; screen:\n%s", d.screen())
	}
}

// With the playbook given, the first screen needs the tenant: the starting
// screen comes first, then the tenant screen.
func TestGivenPlaybookWaitsForTheTenant(t *testing.T) {
	sb := newSandbox(t)
	o, up := comingUp(t, sandboxOptions(t, sb))
	o.Playbook = steps.Azure
	d := newDriver(t, o, 100, 30)
	d.requireScreen("starting the sandbox tenant")
	up(nil)
	d.waitUntil("the tenant screen", onTenantScreen)
	d.requireScreen(sb.Domain)
	if d.m.sess.settings.Playbook != steps.Azure {
		t.Fatalf("playbook %q after the tenant came up, want azure", d.m.sess.settings.Playbook)
	}
}

// A tenant that does not come up is said on the screen that waits for it.
func TestTenantThatDoesNotComeUp(t *testing.T) {
	sb := newSandbox(t)
	o, up := comingUp(t, sandboxOptions(t, sb))
	d := newDriver(t, o, 100, 30)
	up(errors.New("start the sandbox tenant: no entropy"))
	d.waitUntil("the error is recorded", func(m Model) bool { return m.sess.tenantErr != nil })
	d.requireScreen("Choose a playbook") // the first screen is still usable
	d.press("enter")
	d.requireScreen("✗ the sandbox tenant did not start: start the sandbox tenant: no entropy", "ctrl+c quits")
	if d.m.screen.Frame().Busy {
		t.Fatal("the starting screen still spins after the tenant failed")
	}
}

func onTenantScreen(m Model) bool {
	_, ok := m.screen.(*tenantScreen)
	return ok
}
