package steps_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2client"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// wso2Fixture is an Auth0 sandbox and a WSO2 stand-in whose connector talks
// to it, with the engine's clients for both.
type wso2Fixture struct {
	sb   *sandbox.Server
	w    *wso2sandbox.Server
	e    *steps.Engine
	s    steps.Settings
	p    steps.Playbook
	adm  *admin
	wcli *wso2client.Client
}

func startWSO2(t *testing.T, generation string) wso2Fixture {
	t.Helper()
	sb, c := startSandbox(t, sandbox.Options{})
	w := sandboxtest.StartWSO2(t, sb, wso2sandbox.Options{Generation: generation})
	wc, err := wso2client.New(wso2client.Config{URL: w.URL, Username: w.AdminUser, Password: w.AdminPassword, CAPEM: w.CAPEM})
	if err != nil {
		t.Fatal(err)
	}
	s := settings(sb, steps.WSO2)
	s.APIMURL, s.WSO2AdminUser, s.WSO2AdminPassword = w.URL, w.AdminUser, w.AdminPassword
	s.APIIdentifier = "" // the default: the API Manager's URL
	p, _ := steps.PlaybookByID(steps.WSO2)
	s = p.WithDefaults(s)
	return wso2Fixture{sb: sb, w: w, e: steps.NewEngine(c).WithWSO2(wc), s: s, p: p, adm: newAdmin(t, sb), wcli: wc}
}

// The guide's steps 2 and 3 done for real: the key manager registered in
// WSO2, a developer-portal application whose keys WSO2 generates (its
// connector makes the Auth0 application), that application authorized for
// the API (3.3), and a token WSO2 generates, verified against the tenant.
// Then a second run reuses everything, and teardown restores both sides.
func TestWSO2EndToEnd(t *testing.T) {
	t.Parallel()
	for _, gen := range []string{wso2sandbox.GenerationGuide, "v1"} {
		t.Run(gen, func(t *testing.T) {
			t.Parallel()
			f := startWSO2(t, gen)
			ctx := context.Background()
			if f.s.APIIdentifier != f.w.URL {
				t.Fatalf("the API's identifier defaults to %q, want the API Manager's URL %q", f.s.APIIdentifier, f.w.URL)
			}
			before := f.adm.snapshot()
			kmsBefore, err := f.wcli.ListKeyManagers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "wso2.journal.json"), false)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := f.e.Plan(ctx, f.p, f.s, j)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, a := range plan.Actions {
				ids = append(ids, a.ID+":"+string(a.Verb))
			}
			want := []string{"resource_server:create", "wso2_key_manager:create", "wso2_application:create", "wso2_client_grant:create"}
			if !slices.Equal(ids, want) {
				t.Fatalf("plan %v, want %v", ids, want)
			}
			res, err := f.e.Apply(ctx, f.p, f.s, plan, j, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.WSO2 == nil || res.WSO2.KeyManagerID == "" || res.WSO2.ApplicationID == "" || !res.WSO2.Token.Verified {
				t.Fatalf("wso2 result %+v", res.WSO2)
			}
			if !res.Token.Verified || res.Token.Claims["aud"] != f.w.URL || res.Token.Claims["azp"] != res.ClientID {
				t.Errorf("token %+v, want aud %s and azp %s", res.Token.Claims, f.w.URL, res.ClientID)
			}
			// The Auth0 application is the one WSO2's connector made.
			var connectorApp bool
			for _, line := range f.adm.snapshot() {
				if strings.HasPrefix(line, "client "+res.ClientID+" ") && strings.Contains(line, "Auth0WizardApp_PRODUCTION") {
					connectorApp = true
				}
			}
			if !connectorApp {
				t.Errorf("no Auth0 application %s named <user>Auth0WizardApp_PRODUCTION:\n%s", res.ClientID, strings.Join(f.adm.snapshot(), "\n"))
			}

			// The connector-era audience: a token requested as that connector
			// requests it (client credentials, audience = the API Manager URL)
			// succeeds for the application WSO2 made.
			tok, err := f.e.Client().ClientCredentialsToken(ctx, res.ClientID, res.ClientSecret, f.w.URL)
			if err != nil || !tok.Verified {
				t.Errorf("connector-style token: %v %+v", err, tok)
			}

			again, err := f.e.Plan(ctx, f.p, f.s, j)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range again.Actions {
				if a.Verb != steps.Reuse {
					t.Errorf("second plan: %s is %s %v, want reuse", a.ID, a.Verb, a.Changes)
				}
			}
			if _, err := f.e.Apply(ctx, f.p, f.s, again, j, nil); err != nil {
				t.Fatalf("second apply: %v", err)
			}

			if err := f.e.Teardown(ctx, j, nil); err != nil {
				t.Fatal(err)
			}
			after := f.adm.snapshot()
			// The guide-era connector makes "WSO2 resource server API" with
			// the server URL as identifier when it is missing: here it is
			// ours (same identifier), so nothing extra may stay behind.
			if !slices.Equal(before, after) {
				t.Errorf("teardown left Auth0 changed: %s", snapshotDiff(before, after))
			}
			kms, err := f.wcli.ListKeyManagers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(kms) != len(kmsBefore) {
				t.Errorf("teardown left WSO2's key managers at %d, were %d", len(kms), len(kmsBefore))
			}
			if _, err := f.wcli.FindApplication(ctx, f.s.WSO2AppName); err == nil {
				t.Errorf("teardown left the WSO2 application %s", f.s.WSO2AppName)
			}
		})
	}
}

// snapshotDiff names the lines only one snapshot has, each cut short.
func snapshotDiff(before, after []string) string {
	short := func(s string) string {
		if len(s) > 160 {
			return s[:160] + "…"
		}
		return s
	}
	var b strings.Builder
	for _, l := range before {
		if !slices.Contains(after, l) {
			b.WriteString("\n  - " + short(l))
		}
	}
	for _, l := range after {
		if !slices.Contains(before, l) {
			b.WriteString("\n  + " + short(l))
		}
	}
	return b.String()
}

// Step 3.3 without WSO2's credentials: two applications WSO2's connector
// made are in the tenant; the run authorizes the one it is told to, the
// doctor passes it and fails the other, naming the flag that fixes it.
func TestAuthorizeConnectorApplications(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	mk := func(name string) steps.App {
		app, err := c.CreateClient(ctx, steps.App{Name: name, AppType: "regular_web", TokenEndpointAuthMethod: "client_secret_basic",
			GrantTypes: []string{steps.GrantClientCredentials}})
		if err != nil {
			t.Fatal(err)
		}
		return app
	}
	one, two := mk("adminOrders_PRODUCTION"), mk("adminBilling_SANDBOX")
	s := settings(sb, steps.WSO2)
	s.AuthorizeClients = []string{one.ClientID}
	p, _ := steps.PlaybookByID(steps.WSO2)
	e := steps.NewEngine(c)
	j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, p, s, steps.Plan{}, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	var granted bool
	for _, r := range res.Resources {
		if r.Kind == steps.KindClientGrant && strings.Contains(r.Name, one.ClientID) && r.Action == "created" {
			granted = true
		}
	}
	if !granted {
		t.Fatalf("no grant created for %s: %+v", one.ClientID, res.Resources)
	}
	apps, err := e.ConnectorApplications(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]bool{}
	for _, a := range apps {
		state[a.App.ClientID] = a.Authorized
	}
	if len(apps) != 2 || !state[one.ClientID] || state[two.ClientID] {
		t.Fatalf("connector applications %+v", apps)
	}
	// The connector-era token for the authorized one now succeeds.
	if tok, err := c.ClientCredentialsToken(ctx, one.ClientID, one.ClientSecret, s.APIIdentifier); err != nil || !tok.Verified {
		t.Errorf("token for the authorized application: %v %+v", err, tok)
	}
	var check steps.CheckResult
	for _, r := range e.Doctor(ctx, p, s, steps.DoctorOptions{Journal: j}) {
		if r.ID == steps.CheckConnectorApps {
			check = r
		}
	}
	if check.Status != steps.CheckFail || !strings.Contains(check.Why, two.ClientID) || strings.Contains(check.Why, one.ClientID) ||
		!strings.Contains(check.Fix, "--authorize-client "+two.ClientID) {
		t.Errorf("doctor: %+v", check)
	}
	if err := e.Teardown(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	if apps, _ := e.ConnectorApplications(ctx, s); len(apps) != 2 || apps[0].Authorized || apps[1].Authorized {
		t.Errorf("after teardown: %+v (the connector's applications stay, their grant made by the run goes)", apps)
	}
}

// A key manager of the same name already in WSO2 with other values is
// planned as an update naming what differs, updated by the run, and left in
// WSO2 by teardown (it was not this run's).
func TestWSO2KeyManagerOfTheSameNameIsUpdated(t *testing.T) {
	t.Parallel()
	f := startWSO2(t, wso2sandbox.GenerationGuide)
	ctx := context.Background()
	theirs := steps.WSO2KeyManager{Name: f.s.KeyManagerName, DisplayName: "Someone's", Type: steps.WSO2KeyManagerTypeAuth0,
		Issuer: "https://elsewhere.example/", WellKnownEndpoint: "https://elsewhere.example/.well-known/openid-configuration",
		Enabled: true, EnableSelfValidationJWT: true, ConsumerKeyClaim: "azp", ScopesClaim: "scope",
		AdditionalProperties: map[string]any{steps.WSO2PropClientID: "x", steps.WSO2PropAudience: "https://elsewhere.example/api/v2/"}, ClientSecret: "y"}
	km, err := f.wcli.CreateKeyManager(ctx, theirs)
	if err != nil {
		t.Fatal(err)
	}
	j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := f.e.Plan(ctx, f.p, f.s, j)
	if err != nil {
		t.Fatal(err)
	}
	var act steps.Action
	for _, a := range plan.Actions {
		if a.ID == steps.ActWSO2KeyManager {
			act = a
		}
	}
	if act.Verb != steps.Update || act.ExistingID != km.ID || !strings.Contains(strings.Join(act.Changes, "; "), "issuer") {
		t.Fatalf("key manager action %+v, want an update of %s naming the issuer", act, km.ID)
	}
	res, err := f.e.Apply(ctx, f.p, f.s, plan, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.WSO2.Token.Verified {
		t.Fatalf("WSO2 token: %+v", res.WSO2.Token)
	}
	got, err := f.wcli.GetKeyManager(ctx, km.ID)
	if err != nil || got.Issuer != res.Endpoints.Issuer {
		t.Fatalf("after the run the key manager's issuer is %q (%v), want %q", got.Issuer, err, res.Endpoints.Issuer)
	}
	if err := f.e.Teardown(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.wcli.GetKeyManager(ctx, km.ID); err != nil {
		t.Errorf("teardown deleted the key manager the run only updated: %v", err)
	}
}
