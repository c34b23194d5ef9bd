package ui

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// screenSizes are the sizes every screen is checked and goldened at.
var screenSizes = []struct{ w, h int }{{60, 16}, {80, 24}, {160, 48}}

var (
	// A time with the spaces that right-align it in its column.
	durationRE = regexp.MustCompile(` *\b(\d+m\d+s|\d+(\.\d+)?(ns|µs|ms|s|m))\b`)
	// A create whose answer is lost under load is found again and reused:
	// the engine's right answer, but not a stable one for a golden.
	verbRE = regexp.MustCompile(`[+=~] (created|reused |updated)`)
	doneRE = regexp.MustCompile(`✓ (created|reused|updated)`)
	timeRE = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
	// A time claim's number, before its date (steps.ClaimText).
	epochRE = regexp.MustCompile(`\b\d{9,11} \(TIME\)`)
)

// normalize masks what differs between runs: the sandbox's port, temp
// directories, durations, times and the ids of what the run created (the
// seeded sandbox keeps the management application's stable; secrets are
// masked on screen anyway).
func normalize(screen string, sb *sandbox.Server, o Options, r steps.Result) string {
	s := strings.ReplaceAll(screen, sb.Domain, "127.0.0.1:PORT")
	if r.ClientID != "" {
		s = strings.ReplaceAll(s, r.ClientID, "CREATED_CLIENT_ID")
	}
	for _, res := range r.Resources {
		if res.ID != "" {
			s = strings.ReplaceAll(s, res.ID, "ID")
		}
	}
	s = strings.ReplaceAll(s, filepath.Dir(o.JournalPath), "TMP")
	s = maskDurations(s)
	s = timeRE.ReplaceAllString(s, "TIME")
	s = epochRE.ReplaceAllString(s, "EPOCH (TIME)")
	s = verbRE.ReplaceAllString(s, "* done   ")
	s = doneRE.ReplaceAllString(s, "✓ done   ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// maskDurations replaces each time, with the spaces that align it, by
// "Nms" in the same width, so the columns stay as drawn.
func maskDurations(s string) string {
	return durationRE.ReplaceAllStringFunc(s, func(m string) string {
		return strings.Repeat(" ", max(len([]rune(m))-3, 0)) + "Nms"
	})
}

// requireFits fails if the screen has a line wider than the terminal or more
// lines than it has rows.
func requireFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a %d-row terminal:\n%s", len(lines), h, screen)
	}
	for i, l := range lines {
		if lw := lipWidth(l); lw > w {
			t.Errorf("line %d is %d columns on a %d-column terminal: %q", i+1, lw, w, l)
		}
	}
}

// TestScreens walks both playbooks on the sandbox at 80x24 and 120x40; at
// every screen it checks that nothing spills out of the terminal and
// compares the screen with its golden (go test ./ui/... -update rewrites).
func TestScreens(t *testing.T) {
	t.Parallel()
	for _, sz := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t)
			o := sandboxOptions(t, sb)
			snap := func(d *driver, name string) {
				t.Helper()
				screen := d.screen()
				requireFits(t, screen, sz.w, sz.h)
				t.Run(name, func(t *testing.T) { golden.RequireEqual(t, normalize(screen, sb, o, d.m.sess.result)) })
			}

			d := newDriver(t, o, sz.w, sz.h)
			snap(d, "01-playbook")
			d.press("enter")
			snap(d, "wso2-01-tenant")
			d.press("enter")
			d.waitFor("the tenant answers")
			snap(d, "wso2-02-tenant-checked")
			d.press("enter")
			snap(d, "wso2-03-management")
			d.press("enter", "enter", "enter")
			d.waitUntil("scopes checked", func(m Model) bool { return m.mgmt().checked })
			snap(d, "wso2-04-management-checked")
			d.press("enter")
			snap(d, "wso2-04a-api-manager")
			d.press("enter", "enter", "enter") // the API Manager step: URL, admin user, no password (WSO2's side by hand)
			snap(d, "wso2-05-key-manager")
			d.press("enter", "enter")
			d.waitUntil("key manager fields", func(m Model) bool { return activeScreen[keyManagerScreen](m).showing })
			snap(d, "wso2-06-key-manager-fields")
			d.press("enter")
			snap(d, "wso2-07-resource-server")
			d.press("enter", "enter")
			snap(d, "wso2-08-application")
			d.press("enter", "enter", "enter")
			d.waitUntil("planned", func(m Model) bool { return m.review().planned })
			snap(d, "wso2-09-review")
			d.press("enter")
			d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
			snap(d, "wso2-10-progress")
			d.press("enter")
			snap(d, "wso2-11-summary")
			d.press("g")
			snap(d, "wso2-12-summary-gateway")
			d.press("esc", "?")
			snap(d, "wso2-13-summary-help")

			// wso2 with the API Manager's password: the stand-in registers
			// the key manager and generates keys (its own tenant).
			wsb, w := newWSO2Sandbox(t)
			wo := wso2Options(t, wsb, w)
			d = newDriver(t, wo, sz.w, sz.h)
			d.press("enter", "enter")
			d.waitFor("the tenant answers")
			d.press("enter", "enter", "enter", "enter")
			d.waitUntil("scopes checked", func(m Model) bool { return m.mgmt().checked })
			d.press("enter")
			d.requireStep(steps.StepAPIM)
			d.press("enter", "enter")
			d.typeText(w.AdminPassword)
			d.press("enter", "enter")
			d.waitUntil("API Manager checked", func(m Model) bool {
				return activeScreen[apimScreen](m).checked || activeScreen[apimScreen](m).err != nil
			})
			snapW := func(name string) {
				t.Helper()
				screen := d.screen()
				requireFits(t, screen, sz.w, sz.h)
				screen = strings.ReplaceAll(screen, w.Domain, "127.0.0.1:WSO2PORT")
				t.Run(name, func(t *testing.T) { golden.RequireEqual(t, normalize(screen, wsb, wo, d.m.sess.result)) })
			}
			snapW("wso2c-01-api-manager-checked")
			d.press("enter", "enter", "enter")
			d.waitUntil("key manager fields", func(m Model) bool { return activeScreen[keyManagerScreen](m).showing })
			snapW("wso2c-02-key-manager")
			d.press("enter")
			d.requireStep(steps.StepResourceServer)
			d.press("enter", "enter")
			d.requireStep(steps.StepApplication)
			d.press("enter", "enter")
			d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
			snapW("wso2c-03-review")
			d.press("enter")
			d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
			snapW("wso2c-04-progress")
			d.press("enter")
			snapW("wso2c-05-summary")

			// azure on the same tenant, typing the connection name and the
			// user's email.
			az := o
			az.JournalPath = filepath.Join(filepath.Dir(o.JournalPath), "azure-journal.json")
			d = newDriver(t, az, sz.w, sz.h)
			d.press("down", "enter", "enter")
			d.waitFor("the tenant answers")
			d.press("enter", "enter", "enter", "enter")
			d.waitUntil("scopes checked", func(m Model) bool { return m.mgmt().checked })
			d.press("enter")
			d.requireStep(steps.StepResourceServer)
			snap(d, "azure-01-api")
			d.press("enter", "enter", "enter")
			d.requireStep(steps.StepApplication)
			snap(d, "azure-02-application")
			d.press("enter", "enter", "enter")
			d.requireStep(steps.StepConnection)
			d.press("ctrl+u")
			d.typeText("Calculator-Users")
			snap(d, "azure-03-connection")
			d.press("enter")
			d.requireStep(steps.StepUser)
			d.typeText("jane@example.com")
			snap(d, "azure-04-user")
			d.press("enter", "enter")
			d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
			snap(d, "azure-05-review")
			d.press("enter")
			d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
			snap(d, "azure-06-progress")
			d.press("enter")
			snap(d, "azure-07-summary")
			d.press("g")
			snap(d, "azure-08-summary-gateway")
		})
	}
}

// TestResizeKeepsEveryLineInside resizes the terminal on every screen of a
// wso2 walk (large, then 80x24, then the minimum 60x16) and checks that
// nothing spills out.
func TestResizeKeepsEveryLineInside(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	d := newDriver(t, sandboxOptions(t, sb), 160, 45)
	check := func(where string) {
		t.Helper()
		for _, sz := range []struct{ w, h int }{{80, 24}, {60, 16}, {160, 45}} {
			d.send(tea.WindowSizeMsg{Width: sz.w, Height: sz.h})
			screen := d.screen()
			lines := strings.Split(screen, "\n")
			if len(lines) > sz.h {
				t.Errorf("%s at %dx%d: %d lines", where, sz.w, sz.h, len(lines))
			}
			for i, l := range lines {
				if lipWidth(l) > sz.w {
					t.Errorf("%s at %dx%d: line %d is %d wide: %q", where, sz.w, sz.h, i+1, lipWidth(l), l)
				}
			}
		}
	}
	check("playbook")
	d.press("enter")
	check("tenant")
	d.press("enter")
	d.waitFor("the tenant answers")
	check("tenant checked")
	d.press("enter")
	check("management")
	d.press("enter", "enter", "enter")
	d.waitUntil("scopes checked", func(m Model) bool { return m.mgmt().checked })
	check("management checked")
	d.press("enter")
	check("API Manager")
	d.press("enter", "enter", "enter") // the API Manager step: URL, admin user, no password (WSO2's side by hand)
	d.press("enter", "enter")
	d.waitFor("Well-known URL")
	check("key manager fields")
	d.press("enter", "enter", "enter", "enter", "enter", "enter")
	d.waitUntil("planned", func(m Model) bool { return m.review().planned })
	check("review")
	d.press("enter")
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied })
	check("progress")
	d.press("enter")
	check("summary")
	d.press("g")
	check("gateway")
}

// TestMoreScreens goldens, at every size, the what-to-check screen of
// "check an existing setup" (its journal prefilled, as when the default
// journal is there) and the application screen with step 3.3's pick of the
// applications WSO2's connector made (one already authorized, one to pick).
func TestMoreScreens(t *testing.T) {
	t.Parallel()
	for _, sz := range screenSizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			t.Parallel()
			snap := func(d *driver, sb *sandbox.Server, o Options, name string, ids ...string) {
				t.Helper()
				screen := d.screen()
				requireFits(t, screen, sz.w, sz.h)
				for i, id := range ids {
					screen = strings.ReplaceAll(screen, id, fmt.Sprintf("CONNECTOR_CLIENT_ID_%d", i+1))
				}
				t.Run(name, func(t *testing.T) { golden.RequireEqual(t, normalize(screen, sb, o, d.m.sess.result)) })
			}

			sb := newSandbox(t)
			o := sandboxOptions(t, sb)
			o.ExistingJournals = []string{o.JournalPath}
			d := newDriver(t, o, sz.w, sz.h)
			d.toCheckTarget()
			snap(d, sb, o, "check-01-what-to-check")
			d.press("ctrl+u", "enter") // no journal: the names are asked
			snap(d, sb, o, "check-02-what-to-check-names")
			d.press("enter", "enter", "enter", "enter")
			d.checksDone()
			snap(d, sb, o, "check-03-checks")
			if sz.h < 48 && !strings.Contains(d.screen(), "more (↑/↓ scroll)") { // all of it fits at 160x48
				t.Errorf("the checks do not say there is more below:\n%s", d.screen())
			}

			csb, co, orders, billing := connectorTenant(t)
			d = newDriver(t, co, sz.w, sz.h)
			d.toApplication()
			snap(d, csb, co, "wso2-08-application-connector-apps", billing.ClientID, orders.ClientID)
			for range askedInputs(d.m.currentStep(), d.m.sess.settings) {
				d.press("enter")
			}
			d.send(space)
			snap(d, csb, co, "wso2-08b-application-connector-picked", billing.ClientID, orders.ClientID)
		})
	}
}
