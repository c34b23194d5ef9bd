package ui

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Update-level tests of the screens issue 13 added or changed: the
// application screen's step 3.3, the what-to-check screen, the summary's
// notes and the API Manager screen with a wrong password. Each drives
// Model.Update with key messages (the driver) on the sandbox over real
// HTTP.

// space is the key that ticks an option of a multi-select.
var space = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}

// tenantAdmin is a management client of the sandbox, to prepare its state.
func tenantAdmin(t *testing.T, sb *sandbox.Server) *auth0client.Client {
	t.Helper()
	c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// connectorApp makes an application as WSO2's connector names them.
func connectorApp(t *testing.T, c *auth0client.Client, name string) steps.App {
	t.Helper()
	app, err := c.CreateClient(context.Background(), steps.App{Name: name, AppType: "regular_web", TokenEndpointAuthMethod: "client_secret_basic",
		GrantTypes: []string{steps.GrantClientCredentials}})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// connectorTenant is a sandbox where wso2 was set up once and WSO2's
// connector then made two applications: orders, authorized for the API,
// and billing, not yet.
func connectorTenant(t *testing.T) (sb *sandbox.Server, o Options, orders, billing steps.App) {
	t.Helper()
	sb = newSandbox(t)
	o = sandboxOptions(t, sb)
	earlier := earlierRun(t, sb, steps.WSO2, filepath.Join(t.TempDir(), "earlier.json"), nil)
	c := tenantAdmin(t, sb)
	orders, billing = connectorApp(t, c, "adminOrders_PRODUCTION"), connectorApp(t, c, "adminBilling_SANDBOX")
	if _, err := c.CreateClientGrant(context.Background(), steps.ClientGrant{ClientID: orders.ClientID, Audience: earlier.Audience, Scope: []string{"default"}}); err != nil {
		t.Fatal(err)
	}
	return sb, o, orders, billing
}

// toApplication walks wso2 by Enter, WSO2's side by hand, to the
// application screen and waits for the connector's applications.
func (d *driver) toApplication() {
	d.t.Helper()
	d.press("enter") // wso2
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitUntil("scopes checked", func(m Model) bool { return m.mgmt().checked })
	d.press("enter")
	d.requireStep(steps.StepAPIM)
	d.press("enter", "enter", "enter")
	d.press("enter", "enter")
	d.waitUntil("key manager fields", func(m Model) bool { return activeScreen[keyManagerScreen](m).showing })
	d.press("enter")
	d.requireStep(steps.StepResourceServer)
	d.press("enter", "enter")
	d.requireStep(steps.StepApplication)
	d.waitUntil("the connector's applications listed", func(m Model) bool {
		s := activeScreen[applicationScreen](m)
		return s.listed || s.err != nil
	})
}

func TestApplicationStep33PicksTheConnectorsApplications(t *testing.T) {
	t.Parallel()
	sb, o, orders, billing := connectorTenant(t)
	d := newDriver(t, o, 100, 40)
	d.toApplication()
	d.requireScreen("Authorize for the API (step 3.3)", "adminBilling_SANDBOX ("+billing.ClientID+")",
		"✓ already authorized for the API: adminOrders_PRODUCTION")
	if strings.Contains(d.screen(), orders.ClientID) {
		t.Fatalf("the authorized application is offered again:\n%s", d.screen())
	}
	// The application's own fields first, then the pick: space ticks
	// billing, enter goes on to the review.
	for range askedInputs(d.m.currentStep(), d.m.sess.settings) {
		d.press("enter")
	}
	d.requireStep(steps.StepApplication)
	d.send(space)
	if got := d.m.sess.settings.AuthorizeClients; !slices.Equal(got, []string{billing.ClientID}) {
		t.Fatalf("picked %v, want [%s]", got, billing.ClientID)
	}
	d.press("enter")
	d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
	if err := d.m.review().err; err != nil {
		t.Fatalf("plan: %v", err)
	}
	d.requireScreen("create client grant  adminBilling_SANDBOX (" + billing.ClientID + ") → ")
	d.press("enter")
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
	if err := d.m.progress().err; err != nil {
		t.Fatalf("apply: %v", err)
	}
	if _, err := tenantAdmin(t, sb).FindClientGrant(context.Background(), billing.ClientID, d.m.sess.result.Audience); err != nil {
		t.Fatalf("billing is not authorized for the API after the run: %v", err)
	}

	// Back on the screen later, nothing is left to pick: both are listed
	// as authorized and no multi-select is asked.
	d2 := newDriver(t, o, 100, 40)
	d2.toApplication()
	d2.requireScreen("✓ already authorized for the API: adminOrders_PRODUCTION, adminBilling_SANDBOX")
	if slices.Contains(activeScreen[applicationScreen](d2.m).askedNow(), authorizeKey) {
		t.Fatalf("step 3.3 asked with nothing to authorize:\n%s", d2.screen())
	}
}

func TestApplicationStep33NothingMadeYet(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	d := newDriver(t, sandboxOptions(t, sb), 100, 40)
	d.toApplication()
	d.requireScreen("WSO2's connector has made no application in this tenant yet")
	if strings.Contains(d.screen(), "Authorize for the API") {
		t.Fatalf("an empty pick is offered:\n%s", d.screen())
	}
}

// toCheckTarget walks "check an existing setup" of wso2 to its what-to-check
// screen.
func (d *driver) toCheckTarget() {
	d.t.Helper()
	d.press("down", "down", "enter") // check an existing setup
	d.press("enter")                 // of wso2
	d.requireStep(steps.StepTenant)
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitUntil("scopes checked", func(m Model) bool { return m.mgmt().checked })
	d.press("enter")
	if d.m.stage != stageCheckTarget {
		d.t.Fatalf("stage %v, want the what-to-check screen:\n%s", d.m.stage, d.screen())
	}
}

// checksDone waits for the doctor's verdicts.
func (d *driver) checksDone() []steps.CheckResult {
	d.t.Helper()
	d.waitUntil("checked", func(m Model) bool {
		return m.stage == stageDoctor && !m.doctor().running
	})
	if err := d.m.doctor().err; err != nil {
		d.t.Fatalf("doctor: %v\n%s", err, d.screen())
	}
	return d.m.sess.checks
}

func requirePassed(t *testing.T, rs []steps.CheckResult, screen string) {
	t.Helper()
	if len(rs) == 0 || steps.DoctorFailed(rs) {
		t.Fatalf("the checks did not pass:\n%s", screen)
	}
	if !strings.Contains(screen, "✓ no check failed") {
		t.Fatalf("no passing verdict on screen:\n%s", screen)
	}
}

func TestCheckTargetScreen(t *testing.T) {
	t.Parallel()
	const api, app = "https://orders.example.com", "Orders gateway"
	custom := func(t *testing.T) (*sandbox.Server, Options, string) {
		sb := newSandbox(t)
		o := sandboxOptions(t, sb)
		journal := filepath.Join(t.TempDir(), "orders.journal.json")
		earlierRun(t, sb, steps.WSO2, journal, func(s *steps.Settings) { s.APIIdentifier, s.AppName = api, app })
		return sb, o, journal
	}

	t.Run("names typed", func(t *testing.T) {
		t.Parallel()
		_, o, _ := custom(t)
		d := newDriver(t, o, 100, 40)
		d.toCheckTarget()
		d.requireScreen("Journal of the run that made it", "API identifier (audience)", "Application name", "Application client ID (optional)")
		d.press("enter") // no journal
		d.typeText(api)
		d.press("enter")
		d.press("ctrl+u")
		d.typeText(app)
		d.press("enter", "enter", "enter")
		rs := d.checksDone()
		requirePassed(t, rs, d.screen())
		if s := d.m.sess.settings; s.APIIdentifier != api || s.AppName != app {
			t.Errorf("checked %q / %q, want the names typed", s.APIIdentifier, s.AppName)
		}
	})

	t.Run("the journal, prefilled when it is there", func(t *testing.T) {
		t.Parallel()
		_, o, journal := custom(t)
		o.JournalPath, o.ExistingJournals = journal, []string{journal}
		d := newDriver(t, o, 100, 40)
		d.toCheckTarget()
		if got := activeScreen[checkTargetScreen](d.m).target.journal; got != journal {
			t.Fatalf("journal field %q, want it prefilled with %q", got, journal)
		}
		d.press("enter", "enter", "enter", "enter", "enter")
		rs := d.checksDone()
		requirePassed(t, rs, d.screen())
		if r := rs[0]; r.ID != steps.CheckJournal || r.Status != steps.CheckPass {
			t.Errorf("first check %s %s, want the journal's pass", r.ID, r.Status)
		}
		d.requireScreen(api)
	})

	t.Run("a client ID instead of the name", func(t *testing.T) {
		t.Parallel()
		sb, o, _ := custom(t)
		c := tenantAdmin(t, sb)
		found, err := c.FindClient(context.Background(), app)
		if err != nil {
			t.Fatal(err)
		}
		d := newDriver(t, o, 100, 40)
		d.toCheckTarget()
		d.press("enter")
		d.typeText(api)
		d.press("enter", "enter") // the name left as the default: the client ID says which
		d.typeText(found.ClientID)
		d.press("enter", "enter")
		rs := d.checksDone()
		requirePassed(t, rs, d.screen())
		if d.m.sess.doctorOpt.clientID != found.ClientID {
			t.Errorf("target %+v", d.m.sess.doctorOpt)
		}
	})

	t.Run("defaults where nothing was made: the fix points at this screen", func(t *testing.T) {
		t.Parallel()
		_, o, _ := custom(t)
		d := newDriver(t, o, 100, 40)
		d.toCheckTarget()
		d.press("enter", "enter", "enter", "enter", "enter")
		rs := d.checksDone()
		if !steps.DoctorFailed(rs) {
			t.Fatalf("the default names passed on a setup made with other names")
		}
		flat := strings.Join(strings.Fields(ansi.Strip(d.m.doctor().content())), " ")
		if !strings.Contains(flat, `on the "What to check" screen`) {
			t.Errorf("the fix does not point at the what-to-check screen:\n%s", flat)
		}
		for _, cli := range []string{"--", "AUTH0_", "`apply`"} {
			if strings.Contains(flat, cli) {
				t.Errorf("the check screen names %q:\n%s", cli, flat)
			}
		}
		// esc goes back to the screen, the values kept.
		d.press("esc")
		if d.m.stage != stageCheckTarget {
			t.Fatalf("esc from the checks went to %v", d.m.stage)
		}
	})

	t.Run("a journal that is not there", func(t *testing.T) {
		t.Parallel()
		_, o, _ := custom(t)
		d := newDriver(t, o, 100, 40)
		d.toCheckTarget()
		missing := filepath.Join(t.TempDir(), "nope.json")
		d.typeText(missing)
		d.press("enter", "enter", "enter", "enter", "enter")
		d.waitUntil("checked", func(m Model) bool { return m.stage == stageDoctor && !m.doctor().running })
		if err := d.m.doctor().err; err == nil || !strings.Contains(err.Error(), "cannot be read") {
			t.Fatalf("doctor err %v, want the journal named as unreadable", err)
		}
		d.requireScreen("nope.json")
	})
}

// azureToSummary walks azure to the summary, api and app doing what the
// API and application screens are to be given; it returns the review.
func azureToSummary(t *testing.T, d *driver, api, app func(*driver)) (review string) {
	t.Helper()
	d.press("down", "enter")
	d.press("enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.requireStep(steps.StepResourceServer)
	api(d)
	d.requireStep(steps.StepApplication)
	app(d)
	d.requireStep(steps.StepConnection)
	d.press("enter")
	d.requireStep(steps.StepUser)
	d.typeText("jane@example.com")
	d.press("enter", "enter")
	d.waitUntil("planned", func(m Model) bool { return m.review().planned || m.review().err != nil })
	if err := d.m.review().err; err != nil {
		t.Fatalf("plan: %v", err)
	}
	review = d.screen()
	d.press("enter")
	d.waitUntil("applied", func(m Model) bool { return m.sess.applied || m.progress().err != nil })
	if err := d.m.progress().err; err != nil {
		t.Fatalf("apply: %v", err)
	}
	d.press("enter")
	if d.m.stage != stageSummary {
		t.Fatalf("stage %v, want the summary", d.m.stage)
	}
	return review
}

// summaryText is the whole summary (the part scrolled out of view too),
// its words joined by single spaces.
func summaryText(d *driver) string {
	return strings.Join(strings.Fields(ansi.Strip(d.m.summary().content())), " ")
}

func TestSummaryNotes(t *testing.T) {
	t.Parallel()
	enters := func(n int) func(*driver) {
		return func(d *driver) {
			for range n {
				d.press("enter")
			}
		}
	}

	t.Run("a missing callback, with the URL to add", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t)
		d := newDriver(t, sandboxOptions(t, sb), 120, 40)
		azureToSummary(t, d, enters(3), enters(3))
		url := steps.APIMRedirectURI("INSTANCE", d.m.sess.settings.APIMServer)
		text := summaryText(d)
		for _, want := range []string{"! no APIM instance name was given", url, "Allowed Callback URLs", d.m.sess.settings.AppName} {
			if !strings.Contains(text, want) {
				t.Errorf("summary lacks %q:\n%s", want, text)
			}
		}
		// The gateway's form says it too, on its Redirect URI field.
		d.press("g")
		for range 40 {
			if strings.Contains(d.screen(), "> Redirect URI") {
				break
			}
			d.press("down")
		}
		if flat := strings.Join(strings.Fields(d.screen()), " "); !strings.Contains(flat, url) || !strings.Contains(flat, "Allowed Callback URLs") {
			t.Errorf("the Redirect URI field's help does not give the URL to add:\n%s", d.screen())
		}
	})

	t.Run("an instance name: its callback added, no note", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t)
		d := newDriver(t, sandboxOptions(t, sb), 120, 40)
		azureToSummary(t, d, enters(3), func(d *driver) {
			d.press("enter")
			d.typeText("contoso")
			d.press("enter", "enter")
		})
		if text := summaryText(d); strings.Contains(text, "no APIM instance name") {
			t.Errorf("the callback note is shown though the instance was given:\n%s", text)
		}
		app, err := tenantAdmin(t, sb).GetClient(context.Background(), d.m.sess.result.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if want := steps.APIMRedirectURI("contoso", d.m.sess.settings.APIMServer); !slices.Contains(app.Callbacks, want) {
			t.Errorf("callbacks %v, want %s", app.Callbacks, want)
		}
	})

	t.Run("an HS256 API", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t)
		d := newDriver(t, sandboxOptions(t, sb), 120, 40)
		review := azureToSummary(t, d, func(d *driver) {
			d.press("enter", "enter", "right", "enter") // the signing algorithm: HS256
		}, enters(3))
		if flat := strings.Join(strings.Fields(review), " "); !strings.Contains(flat, "! signs its tokens with HS256") {
			t.Errorf("the review does not warn of HS256:\n%s", review)
		}
		if d.m.sess.settings.SigningAlg != "HS256" {
			t.Fatalf("signing algorithm %q", d.m.sess.settings.SigningAlg)
		}
		if text := summaryText(d); !strings.Contains(text, "! the API signs its tokens with HS256") || !strings.Contains(text, "JWKS") {
			t.Errorf("summary lacks the HS256 note:\n%s", text)
		}
	})

	t.Run("a reused API that differs from what was asked", func(t *testing.T) {
		t.Parallel()
		sb := newSandbox(t)
		p, _ := steps.PlaybookByID(steps.Azure)
		ident := p.WithDefaults(steps.Settings{Playbook: steps.Azure, Domain: sb.Domain}).APIIdentifier
		if _, err := tenantAdmin(t, sb).CreateResourceServer(context.Background(), steps.ResourceServer{
			Name: "Someone else's calculator", Identifier: ident, SigningAlg: "HS256", Scopes: []steps.Scope{{Value: "default"}}}); err != nil {
			t.Fatal(err)
		}
		d := newDriver(t, sandboxOptions(t, sb), 120, 40)
		review := azureToSummary(t, d, enters(3), enters(3))
		if !strings.Contains(review, "found: ") || !strings.Contains(review, "Someone else's calculator") {
			t.Errorf("the review does not say what the reused API really is:\n%s", review)
		}
		text := summaryText(d)
		for _, want := range []string{"! API", "Someone else's calculator", "HS256"} {
			if !strings.Contains(text, want) {
				t.Errorf("summary lacks %q:\n%s", want, text)
			}
		}
	})
}

func TestAPIManagerWrongPassword(t *testing.T) {
	t.Parallel()
	sb, w := newWSO2Sandbox(t)
	d := newDriver(t, wso2Options(t, sb, w), 100, 30)
	d.press("enter", "enter")
	d.waitFor("the tenant answers")
	d.press("enter", "enter", "enter", "enter")
	d.waitFor("scopes the playbook needs are granted")
	d.press("enter")
	d.requireStep(steps.StepAPIM)
	d.press("enter", "enter")
	d.typeText("not-the-password")
	d.press("enter", "enter")
	d.waitUntil("the API Manager answered", func(m Model) bool {
		s := activeScreen[apimScreen](m)
		return s.checked || s.err != nil
	})
	s := activeScreen[apimScreen](d.m)
	if s.checked || s.err == nil {
		t.Fatalf("a wrong password was accepted:\n%s", d.screen())
	}
	d.requireStep(steps.StepAPIM)
	d.requireScreen("✗ ")
	if flat := strings.Join(strings.Fields(d.screen()), " "); !strings.Contains(flat, "leave the password empty to do WSO2's side by hand") {
		t.Fatalf("the hint is not on screen:\n%s", d.screen())
	}
	if d.m.sess.wso2 != nil {
		t.Fatalf("a WSO2 client was kept after a refused password")
	}
	if strings.Contains(d.screen(), "not-the-password") {
		t.Fatalf("the password is on screen:\n%s", d.screen())
	}
	// The form is there again, from its first field: the password fixed,
	// it is checked again on the same screen.
	if k := activeScreen[apimScreen](d.m).form.GetFocusedField().GetKey(); k != "apim_url" {
		t.Fatalf("focus on %q after the refusal", k)
	}
	d.press("enter", "enter")
	d.press("ctrl+u")
	d.typeText(w.AdminPassword)
	d.press("enter", "enter")
	d.waitUntil("checked", func(m Model) bool {
		s := activeScreen[apimScreen](m)
		return s.checked || (s.err != nil && !s.checking)
	})
	if err := activeScreen[apimScreen](d.m).err; err != nil {
		t.Fatalf("the right password was refused: %v\n%s", err, d.screen())
	}
	if flat := strings.Join(strings.Fields(d.screen()), " "); !strings.Contains(flat, "✓ WSO2 answers") || !strings.Contains(flat, "the credentials work") {
		t.Fatalf("no passing check on screen:\n%s", d.screen())
	}
	if d.m.sess.wso2 == nil {
		t.Fatal("no WSO2 client after the check")
	}
}

// The trainer's view of the sandbox's test user: its email and password on
// the summary, the password masked until s, which the key line names as
// showing the secrets (plural: the user's password is one) and then hiding.
func TestSummaryShowsTheTestUsersPasswordOnAsking(t *testing.T) {
	t.Parallel()
	sb := newSandbox(t)
	o := sandboxOptions(t, sb)
	d := newDriver(t, o, 100, 40)
	azureToSummary(t, d, func(d *driver) { d.press("enter", "enter", "enter") }, func(d *driver) { d.press("enter", "enter", "enter") })
	pw := o.Settings.UserPassword
	d.requireScreen("User            jane@example.com", "User password   ••••••••", "s secrets")
	if strings.Contains(d.screen(), pw) {
		t.Fatalf("the password is shown before s:\n%s", d.screen())
	}
	d.press("s")
	d.requireScreen("User password   "+pw, "s hide")
	d.press("s")
	d.requireScreen("User password   ••••••••", "s secrets")
}
