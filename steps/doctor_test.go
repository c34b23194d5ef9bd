package steps_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// doctorFixture is a sandbox tenant where a playbook was applied by the
// engine, with a management client to make faults in it.
type doctorFixture struct {
	sb    *sandbox.Server
	admin *auth0client.Client
	s     steps.Settings
	p     steps.Playbook
	res   steps.Result
	j     *steps.Journal
}

func appliedTenant(t *testing.T, id steps.PlaybookID, edits ...func(*steps.Settings)) doctorFixture {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	admin := newClient(t, sb, sb.ClientID, sb.ClientSecret)
	p, err := steps.PlaybookByID(id)
	if err != nil {
		t.Fatal(err)
	}
	s := steps.WithDefaults(steps.Settings{Playbook: id, Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret,
		Audience: sb.Audience, UserEmail: "jane@example.com", UserPassword: "Passw0rd!x"})
	for _, edit := range edits {
		edit(&s)
	}
	j, err := steps.OpenJournal("", false)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	eng := steps.NewEngine(admin)
	plan, err := eng.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Apply(ctx, p, s, plan, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doctorFixture{sb: sb, admin: admin, s: s, p: p, res: res, j: j}
}

func (f doctorFixture) resourceID(t *testing.T, kind steps.ResourceKind) string {
	t.Helper()
	for _, r := range f.res.Resources {
		if r.Kind == kind {
			return r.ID
		}
	}
	t.Fatalf("apply made no %s", kind)
	return ""
}

// doctor runs the checks with a fresh client for the management
// credentials in s, as a person running doctor later would.
func (f doctorFixture) doctor(t *testing.T, s steps.Settings, opts steps.DoctorOptions) []steps.CheckResult {
	t.Helper()
	c := newClient(t, f.sb, s.ClientID, s.ClientSecret)
	return steps.NewEngine(c).Doctor(context.Background(), f.p, s, opts)
}

// requireVerdicts checks the exact list of checks, in order, and their verdicts.
func requireVerdicts(t *testing.T, got []steps.CheckResult, want [][2]string) {
	t.Helper()
	var gotPairs [][2]string
	for _, r := range got {
		gotPairs = append(gotPairs, [2]string{r.ID, string(r.Status)})
		if r.Why == "" {
			t.Errorf("%s: no why", r.ID)
		}
		if (r.Status == steps.CheckFail || r.Status == steps.CheckWarn) && r.Fix == "" {
			t.Errorf("%s is %s with no fix: %s", r.ID, r.Status, r.Why)
		}
		if strings.Contains(r.Why+r.Fix, "\n") {
			t.Errorf("%s: why or fix spans lines: %q / %q", r.ID, r.Why, r.Fix)
		}
	}
	if !slices.Equal(gotPairs, want) {
		for _, r := range got {
			t.Logf("%-5s %-18s %s | fix: %s", r.Status, r.ID, r.Why, r.Fix)
		}
		t.Fatalf("verdicts\n got  %v\n want %v", gotPairs, want)
	}
}

func result(t *testing.T, rs []steps.CheckResult, id string) steps.CheckResult {
	t.Helper()
	for _, r := range rs {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no check %s", id)
	return steps.CheckResult{}
}

func requireContains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s %q does not mention %q", what, text, p)
		}
	}
}

func all(status steps.CheckStatus, ids ...string) [][2]string {
	var out [][2]string
	for _, id := range ids {
		out = append(out, [2]string{id, string(status)})
	}
	return out
}

var (
	wso2Checks  = []string{"tenant", "management_token", "scopes", "resource_server", "client", "client_grant", "token", "connector_apps", "key_manager"}
	azureChecks = []string{"tenant", "management_token", "scopes", "resource_server", "client", "client_grant", "token",
		"connection", "connection_client", "user", "user_login"}
)

func TestDoctorPassesAfterApply(t *testing.T) {
	t.Parallel()
	keep := func(s *steps.Settings) { s.KeepPasswordRealm = true }
	for _, tc := range []struct {
		name   string
		id     steps.PlaybookID
		checks []string
		edit   func(*steps.Settings)
		skip   string // a check skipped by design
	}{
		{"wso2", steps.WSO2, wso2Checks, nil, ""},
		// Least privilege: the application had the password-realm grant
		// for the wizard's test login only, so the doctor cannot log in.
		{"azure", steps.Azure, azureChecks, nil, "user_login"},
		{"azure keeping password-realm", steps.Azure, azureChecks, keep, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var edits []func(*steps.Settings)
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			f := appliedTenant(t, tc.id, edits...)
			all := func(status steps.CheckStatus, ids ...string) [][2]string {
				out := all(status, ids...)
				for i := range out {
					if out[i][0] == tc.skip {
						out[i][1] = string(steps.CheckSkip)
					}
				}
				return out
			}

			// By the playbook's default names, with the flags' settings.
			rs := f.doctor(t, f.s, steps.DoctorOptions{})
			requireVerdicts(t, rs, all(steps.CheckPass, tc.checks...))
			if tc.skip != "" {
				requireContains(t, "skip why", result(t, rs, tc.skip).Why, "least privilege")
			}
			requireContains(t, "token why", result(t, rs, "token").Why, "verified", "expires in 23h5")

			// From the journal: only the tenant and credentials given.
			bare := steps.Settings{Domain: f.s.Domain, ClientID: f.s.ClientID, ClientSecret: f.s.ClientSecret, UserPassword: f.s.UserPassword}
			rs = f.doctor(t, bare, steps.DoctorOptions{Journal: f.j})
			requireVerdicts(t, rs, all(steps.CheckPass, append([]string{"journal"}, tc.checks...)...))
			requireContains(t, "client title", result(t, rs, "client").Title, f.res.ClientID)

			// By the application's client ID.
			rs = f.doctor(t, f.s, steps.DoctorOptions{AppClientID: f.res.ClientID})
			requireVerdicts(t, rs, all(steps.CheckPass, tc.checks...))
		})
	}
}

func TestDoctorDeletedClientGrant(t *testing.T) {
	t.Parallel()
	f := appliedTenant(t, steps.WSO2)
	if err := f.admin.DeleteClientGrant(context.Background(), f.resourceID(t, steps.KindClientGrant)); err != nil {
		t.Fatal(err)
	}
	rs := f.doctor(t, f.s, steps.DoctorOptions{})
	requireVerdicts(t, rs, [][2]string{
		{"tenant", "PASS"}, {"management_token", "PASS"}, {"scopes", "PASS"}, {"resource_server", "PASS"}, {"client", "PASS"},
		{"client_grant", "FAIL"}, {"token", "SKIP"}, {"connector_apps", "PASS"}, {"key_manager", "PASS"},
	})
	g := result(t, rs, "client_grant")
	requireContains(t, "client grant why", g.Why, "client grant", f.s.APIIdentifier, f.res.ClientID)
	requireContains(t, "client grant fix", g.Fix, "Machine to Machine Applications", f.s.APIName)
	requireContains(t, "token why", result(t, rs, "token").Why, "skipped: Client grant to "+f.s.APIIdentifier+" failed")
	if !steps.DoctorFailed(rs) {
		t.Error("DoctorFailed is false with a FAIL")
	}
}

func TestDoctorManagementAppLackingAScope(t *testing.T) {
	t.Parallel()
	f := appliedTenant(t, steps.WSO2)
	ctx := context.Background()
	// A second management application whose grant lacks read:client_grants.
	app, err := f.admin.CreateClient(ctx, steps.App{Name: "limited management app", AppType: "non_interactive",
		TokenEndpointAuthMethod: "client_secret_post", GrantTypes: []string{steps.GrantClientCredentials}})
	if err != nil {
		t.Fatal(err)
	}
	scopes := slices.DeleteFunc(slices.Clone(f.p.RequiredScopes), func(s string) bool { return s == "read:client_grants" })
	if _, err := f.admin.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: f.sb.Audience, Scope: scopes}); err != nil {
		t.Fatal(err)
	}
	if app, err = f.admin.GetClient(ctx, app.ClientID); err != nil || app.ClientSecret == "" {
		t.Fatalf("read the limited app's secret: %v", err)
	}
	s := f.s
	s.ClientID, s.ClientSecret = app.ClientID, app.ClientSecret
	rs := f.doctor(t, s, steps.DoctorOptions{})
	requireVerdicts(t, rs, [][2]string{
		{"tenant", "PASS"}, {"management_token", "PASS"}, {"scopes", "FAIL"}, {"resource_server", "PASS"}, {"client", "PASS"},
		{"client_grant", "SKIP"}, {"token", "SKIP"}, {"connector_apps", "SKIP"}, {"key_manager", "WARN"},
	})
	sc := result(t, rs, "scopes")
	requireContains(t, "scopes why", sc.Why, "read:client_grants", app.ClientID)
	if sc.Fix != steps.MissingScopesAdvice([]string{"read:client_grants"}) {
		t.Errorf("scopes fix = %q, want the MissingScopesAdvice", sc.Fix)
	}
	requireContains(t, "grant why", result(t, rs, "client_grant").Why, "skipped: Management API scopes", "read:client_grants")
	requireContains(t, "token why", result(t, rs, "token").Why, "skipped: Management API scopes")
	requireContains(t, "key manager why", result(t, rs, "key_manager").Why, "read:client_grants", "update:client_keys")
}

func TestDoctorWrongSecret(t *testing.T) {
	t.Parallel()
	f := appliedTenant(t, steps.Azure)

	t.Run("management application", func(t *testing.T) {
		s := f.s
		s.ClientSecret = "not-the-secret-at-all"
		rs := f.doctor(t, s, steps.DoctorOptions{})
		want := [][2]string{{"tenant", "PASS"}, {"management_token", "FAIL"}}
		want = append(want, all(steps.CheckSkip, azureChecks[2:]...)...)
		requireVerdicts(t, rs, want)
		m := result(t, rs, "management_token")
		requireContains(t, "management why", m.Why, "secret is wrong")
		requireContains(t, "management fix", m.Fix, f.s.ClientID, "AUTH0_CLIENT_SECRET")
		for _, r := range rs[2:] {
			if r.Why != "skipped: Management API credentials failed" {
				t.Errorf("%s: why = %q", r.ID, r.Why)
			}
		}
	})
	t.Run("application", func(t *testing.T) {
		rs := f.doctor(t, f.s, steps.DoctorOptions{AppClientSecret: "an-old-rotated-secret"})
		want := all(steps.CheckPass, azureChecks...)
		want[6][1], want[10][1] = "FAIL", "SKIP" // token, user_login (the app's credentials are proven by the token)
		requireVerdicts(t, rs, want)
		tok := result(t, rs, "token")
		requireContains(t, "token why", tok.Why, "secret is wrong")
		requireContains(t, "token fix", tok.Fix, "not application", "current secret")
	})
}

func TestDoctorConnectionNotEnabled(t *testing.T) {
	t.Parallel()
	f := appliedTenant(t, steps.Azure)
	if err := f.admin.SetConnectionClient(context.Background(), f.resourceID(t, steps.KindConnection), f.res.ClientID, false); err != nil {
		t.Fatal(err)
	}
	rs := f.doctor(t, f.s, steps.DoctorOptions{})
	want := all(steps.CheckPass, azureChecks...)
	want[8][1], want[10][1] = "FAIL", "SKIP" // connection_client, user_login
	requireVerdicts(t, rs, want)
	cc := result(t, rs, "connection_client")
	requireContains(t, "connection why", cc.Why, "not enabled", f.s.ConnectionName, f.s.AppName, f.res.ClientID)
	requireContains(t, "connection fix", cc.Fix, "Authentication → Database → "+f.s.ConnectionName+" → Applications")
	requireContains(t, "login why", result(t, rs, "user_login").Why, "skipped: "+cc.Title+" failed")
}

func TestDoctorMissingUser(t *testing.T) {
	t.Parallel()
	f := appliedTenant(t, steps.Azure)
	if err := f.admin.DeleteUser(context.Background(), f.resourceID(t, steps.KindUser)); err != nil {
		t.Fatal(err)
	}
	rs := f.doctor(t, f.s, steps.DoctorOptions{})
	want := all(steps.CheckPass, azureChecks...)
	want[9][1], want[10][1] = "FAIL", "SKIP" // user, user_login
	requireVerdicts(t, rs, want)
	u := result(t, rs, "user")
	requireContains(t, "user why", u.Why, f.s.UserEmail, f.s.ConnectionName)
	requireContains(t, "user fix", u.Fix, "Create User")
}

func TestDoctorWarnings(t *testing.T) {
	t.Parallel()
	t.Run("HS256 API", func(t *testing.T) {
		t.Parallel()
		f := appliedTenant(t, steps.Azure, func(s *steps.Settings) { s.SigningAlg = "HS256"; s.KeepPasswordRealm = true })
		rs := f.doctor(t, f.s, steps.DoctorOptions{})
		want := all(steps.CheckPass, azureChecks...)
		// Like Auth0, the sandbox signs an HS256 API's tokens with the API's
		// signing secret: the tenant's JWKS cannot verify them (the API is
		// warned about), the API's secret does (the tokens pass).
		want[3][1] = "WARN" // resource_server
		requireVerdicts(t, rs, want)
		requireContains(t, "token why", result(t, rs, "token").Why, "verified", "signing secret (HS256)")
		requireContains(t, "API why", result(t, rs, "resource_server").Why, "HS256", "JWKS")
		requireContains(t, "API fix", result(t, rs, "resource_server").Fix, "RS256")
		if steps.DoctorFailed(rs) {
			t.Error("a WARN counted as a failure")
		}
	})
	t.Run("auth method differs from the gateway's", func(t *testing.T) {
		t.Parallel()
		f := appliedTenant(t, steps.WSO2)
		s := f.s
		s.TokenEndpointAuthMethod = "client_secret_post"
		rs := f.doctor(t, s, steps.DoctorOptions{})
		want := all(steps.CheckPass, wso2Checks...)
		want[4][1] = "WARN" // client; the token is still minted the app's way
		requireVerdicts(t, rs, want)
		requireContains(t, "client why", result(t, rs, "client").Why, "client_secret_basic", "client_secret_post")
	})
}

func TestDoctorUnreachableTenantSkipsEverything(t *testing.T) {
	t.Parallel()
	f := appliedTenant(t, steps.WSO2)
	f.sb.Close()
	rs := f.doctor(t, f.s, steps.DoctorOptions{})
	want := [][2]string{{"tenant", "FAIL"}}
	want = append(want, all(steps.CheckSkip, wso2Checks[1:]...)...)
	requireVerdicts(t, rs, want)
	requireContains(t, "tenant why", result(t, rs, "tenant").Why, f.s.Domain)
	for _, r := range rs[1:] {
		requireContains(t, r.ID, r.Why, "skipped: Tenant "+f.s.Domain)
	}
}

func TestDoctorIssuerMismatch(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{HTTP: true})
	// The tenant behind a front that names another issuer, as a custom
	// domain does when reached by its canonical name.
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/openid-configuration" {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"issuer":"https://login.example.com/","token_endpoint":"https://login.example.com/oauth/token","jwks_uri":"https://login.example.com/.well-known/jwks.json"}`)
			return
		}
		sb.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	s := steps.Settings{Domain: front.URL, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret}
	c, err := auth0client.New(auth0client.Config{Domain: front.URL, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := steps.PlaybookByID(steps.WSO2)
	rs := steps.NewEngine(c).Doctor(context.Background(), p, s, steps.DoctorOptions{})
	want := [][2]string{{"tenant", "FAIL"}}
	want = append(want, all(steps.CheckSkip, wso2Checks[1:]...)...)
	requireVerdicts(t, rs, want)
	tn := result(t, rs, "tenant")
	requireContains(t, "tenant why", tn.Why, `"https://login.example.com/"`, front.URL+"/")
	requireContains(t, "tenant fix", tn.Fix, "login.example.com")
}

func TestDoctorJournalOfAnotherTenantIsIgnored(t *testing.T) {
	t.Parallel()
	f := appliedTenant(t, steps.Azure)
	p, _ := steps.PlaybookByID(steps.WSO2)
	s := f.s
	s.Playbook = steps.WSO2
	s.APIIdentifier, s.APIName, s.AppName = "", "", "" // wso2 defaults: nothing applied
	rs := steps.NewEngine(f.admin).Doctor(context.Background(), p, s, steps.DoctorOptions{Journal: f.j})
	j := result(t, rs, "journal")
	if j.Status != steps.CheckWarn {
		t.Fatalf("journal of azure checked for wso2: %s %s", j.Status, j.Why)
	}
	// The azure journal's application is not taken for wso2's.
	requireContains(t, "client title", result(t, rs, "client").Title, "WSO2 APIM application")
}

func TestDoctorProgressSendsEachResult(t *testing.T) {
	t.Parallel()
	sb := sandboxtest.Start(t, sandbox.Options{})
	p, _ := steps.PlaybookByID(steps.WSO2)
	ch := make(chan steps.CheckResult, 32)
	s := steps.Settings{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret}
	rs := steps.NewEngine(newClient(t, sb, sb.ClientID, sb.ClientSecret)).Doctor(context.Background(), p, s, steps.DoctorOptions{Progress: ch})
	close(ch)
	var sent []steps.CheckResult
	for r := range ch {
		sent = append(sent, r)
	}
	if !slices.EqualFunc(sent, rs, func(a, b steps.CheckResult) bool { return a.ID == b.ID && a.Status == b.Status }) {
		t.Fatalf("progress sent %v, Doctor returned %v", sent, rs)
	}
	// A fresh tenant: reachable, credentials fine, nothing of the playbook.
	requireVerdicts(t, rs, [][2]string{
		{"tenant", "PASS"}, {"management_token", "PASS"}, {"scopes", "PASS"}, {"resource_server", "FAIL"}, {"client", "FAIL"},
		{"client_grant", "SKIP"}, {"token", "SKIP"}, {"connector_apps", "SKIP"}, {"key_manager", "PASS"},
	})
}

func TestExpiry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		exp  time.Time
		want string
	}{
		{now.Add(24*time.Hour - 30*time.Second), "expires in 23h59m"},
		{now.Add(5*time.Minute + 10*time.Second), "expires in 5m"},
		{now.Add(42 * time.Second), "expires in 42s"},
		{now.Add(-3 * time.Minute), "expired 3 minutes ago"},
		{now.Add(-time.Minute - time.Second), "expired 1 minute ago"},
		{now.Add(-2 * time.Hour), "expired 2 hours ago"},
		{now.Add(-5 * 24 * time.Hour), "expired 5 days ago"},
		{now, "expired 0 seconds ago"},
		{time.Time{}, "no expiry (exp)"},
	} {
		if got := steps.Expiry(tc.exp, now); got != tc.want {
			t.Errorf("Expiry(%v) = %q, want %q", tc.exp.Sub(now), got, tc.want)
		}
	}
}
