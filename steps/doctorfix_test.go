package steps_test

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// cliOnly finds what only the command line offers: a flag (--journal), an
// environment variable (AUTH0_CLIENT_SECRET), a config key
// (keep_password_realm: a snake_case word not part of a scope such as
// read:client_keys) and the apply command.
var cliOnly = regexp.MustCompile("--[a-z]|\\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\\b|(^|[^:\\w])[a-z]+_[a-z_]+\\b|auth0-wizard [a-z]|`apply`|\\bapply --")

// TestDoctorFixesInTheWizardNameOnlyWhatItOffers breaks a setup in every way
// a check has a fix for and scans each fix the wizard shows (FixFor
// FrontWizard) for a flag, an environment variable, a config key or the
// apply command; the command line's fix (Fix) still names them where it did.
// It fails too if a check whose command-line fix names one of them was not
// reached, so that a new such fix is not left out of the scan.
func TestDoctorFixesInTheWizardNameOnlyWhatItOffers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	type seen struct{ id, status string }
	var (
		results []steps.CheckResult
		reached []seen
	)
	collect := func(rs []steps.CheckResult) {
		for _, r := range rs {
			results = append(results, r)
			reached = append(reached, seen{r.ID, string(r.Status)})
		}
	}

	// wso2, checked with names nothing was made with; the application
	// the journal records gone; the connector's application not
	// authorized; the API identifier other than the API Manager's URL.
	w := appliedTenant(t, steps.WSO2, func(s *steps.Settings) { s.APIIdentifier = "https://orders.example.com" })
	s := w.s
	s.APIIdentifier, s.AppName = "basic-calculator", "Calculator app"
	collect(w.doctor(t, s, steps.DoctorOptions{}))
	if _, err := w.admin.CreateClient(ctx, steps.App{Name: "adminOrders_PRODUCTION", AppType: "regular_web",
		TokenEndpointAuthMethod: "client_secret_basic", GrantTypes: []string{steps.GrantClientCredentials}}); err != nil {
		t.Fatal(err)
	}
	collect(w.doctor(t, w.s, steps.DoctorOptions{}))
	bad := w.s
	bad.ClientSecret = "not-the-secret"
	collect(w.doctor(t, bad, steps.DoctorOptions{}))
	if err := w.admin.DeleteClientGrant(ctx, w.resourceID(t, steps.KindClientGrant)); err != nil {
		t.Fatal(err)
	}
	collect(w.doctor(t, w.s, steps.DoctorOptions{}))
	if err := w.admin.DeleteClient(ctx, w.res.ClientID); err != nil {
		t.Fatal(err)
	}
	collect(w.doctor(t, steps.Settings{Domain: w.s.Domain, ClientID: w.s.ClientID, ClientSecret: w.s.ClientSecret, Audience: w.s.Audience},
		steps.DoctorOptions{Journal: w.j}))

	// azure: the password-realm grant taken back after the test login, the
	// connection turned off for the application, the user and the
	// connection gone, no email; a journal of another playbook, an empty
	// one; the tenant gone.
	a := appliedTenant(t, steps.Azure)
	collect(a.doctor(t, a.s, steps.DoctorOptions{}))
	if err := a.admin.SetConnectionClient(ctx, a.resourceID(t, steps.KindConnection), a.res.ClientID, false); err != nil {
		t.Fatal(err)
	}
	collect(a.doctor(t, a.s, steps.DoctorOptions{}))
	if err := a.admin.DeleteUser(ctx, a.resourceID(t, steps.KindUser)); err != nil {
		t.Fatal(err)
	}
	noEmail := a.s
	noEmail.UserEmail = ""
	collect(a.doctor(t, a.s, steps.DoctorOptions{}))
	collect(a.doctor(t, noEmail, steps.DoctorOptions{}))
	if err := a.admin.DeleteConnection(ctx, a.resourceID(t, steps.KindConnection)); err != nil {
		t.Fatal(err)
	}
	collect(a.doctor(t, a.s, steps.DoctorOptions{}))
	wp, _ := steps.PlaybookByID(steps.WSO2)
	other := a.s
	other.Playbook, other.APIIdentifier, other.APIName, other.AppName = steps.WSO2, "", "", ""
	collect(steps.NewEngine(a.admin).Doctor(ctx, wp, other, steps.DoctorOptions{Journal: a.j}))
	empty, err := steps.OpenJournal(filepath.Join(t.TempDir(), "empty.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	collect(a.doctor(t, a.s, steps.DoctorOptions{Journal: empty}))
	a.sb.Close()
	collect(a.doctor(t, a.s, steps.DoctorOptions{}))

	for _, r := range results {
		fix := r.FixFor(steps.FrontWizard)
		if m := cliOnly.FindString(fix); m != "" {
			t.Errorf("%s %s: the wizard's fix names %q, which the wizard does not offer: %s", r.ID, r.Status, m, fix)
		}
		if r.FixFor(steps.FrontCLI) != r.Fix {
			t.Errorf("%s: the command line's fix is not Fix", r.ID)
		}
	}
	// Every check whose command-line fix names what the wizard lacks was
	// reached, in the status that shows it.
	for _, want := range []seen{
		{"tenant", "FAIL"}, {"management_token", "FAIL"}, {"resource_server", "FAIL"}, {"client", "FAIL"},
		{"client_grant", "FAIL"}, {"connection", "FAIL"}, {"connection_client", "FAIL"}, {"user", "FAIL"},
		{"user", "SKIP"}, {"user_login", "SKIP"}, {"connector_apps", "FAIL"}, {"key_manager", "WARN"},
		{"journal", "WARN"},
	} {
		if !slices.Contains(reached, want) {
			t.Errorf("no case reached %s %s", want.id, want.status)
		}
	}
	var named int
	for _, r := range results {
		if cliOnly.MatchString(r.Fix) {
			named++
			if r.WizardFix == "" {
				t.Errorf("%s %s: the command line's fix names what the wizard lacks, and there is no wizard wording: %s", r.ID, r.Status, r.Fix)
			}
		}
	}
	if named == 0 {
		t.Fatal("no command-line fix named a flag, variable or key: the scan cannot fail")
	}
}
