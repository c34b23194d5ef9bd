package steps_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// What exists already is reused and brought up to what the playbook needs
// (the wso2 scope on the API and the grant, the application's grant types),
// and teardown never deletes it.
func TestExistingResourcesAreUpdatedNotDuplicated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 4})
	s := settings(sb, steps.WSO2)
	rs, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier})
	if err != nil {
		t.Fatal(err)
	}
	app, err := c.CreateClient(ctx, steps.App{Name: s.AppName, AppType: "regular_web", TokenEndpointAuthMethod: "client_secret_basic",
		GrantTypes: []string{"authorization_code"}, Metadata: map[string]string{steps.MarkerKey: steps.MarkerValue}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: s.APIIdentifier, Scope: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, sb)

	p, _ := steps.PlaybookByID(steps.WSO2)
	e := steps.NewEngine(c)
	s.ClientSecret = "" // a plan needs no secret of the settings
	plan, err := e.Plan(ctx, p, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"resource_server": rs.ID, "client": app.ClientID, "client_grant": g.ID}
	for _, a := range plan.Actions {
		if a.Verb != steps.Update || a.ExistingID != want[a.ID] || len(a.Changes) == 0 {
			t.Errorf("plan %s = %s %s %v", a.ID, a.Verb, a.ExistingID, a.Changes)
		}
	}
	j, _ := steps.OpenJournal("", false)
	res, err := e.Apply(ctx, p, s, plan, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Resources {
		if r.Action != "updated" || r.ID != want[string(r.Kind)] {
			t.Errorf("resource %+v", r)
		}
	}
	if !res.Token.Verified || res.Token.Claims["scope"] != steps.WSO2Scope {
		t.Fatalf("token = %+v", res.Token)
	}
	after := adm.snapshot()
	if count(after, "client", s.AppName) != 1 || count(after, "resource_server", s.APIIdentifier) != 1 {
		t.Fatalf("duplicated:\n%s", strings.Join(after, "\n"))
	}
	if err := e.Teardown(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	if got := adm.snapshot(); !slices.Equal(got, after) {
		t.Fatalf("teardown touched what was only updated:\n%s", strings.Join(got, "\n"))
	}
}

// A same-named application this tool did not make is neither reused nor
// duplicated.
func TestUnmarkedClientRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 5})
	s := settings(sb, steps.Azure)
	if _, err := c.CreateClient(ctx, steps.App{Name: s.AppName, AppType: "non_interactive"}); err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, sb)
	before := adm.snapshot()
	_, _, _, err := applyOnce(ctx, t, c, steps.Azure, s, nil)
	if !errors.Is(err, steps.ErrUnmarkedClient) {
		t.Fatalf("err = %v", err)
	}
	if got := adm.snapshot(); !slices.Equal(got, before) {
		t.Fatal("the tenant changed")
	}
}

// Teardown touches nothing that was only reused, and turns off again a
// connection this tool only enabled for its application.
func TestTeardownLeavesReused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 8})
	s := settings(sb, steps.Azure)
	if _, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier, SigningAlg: "RS256"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateConnection(ctx, steps.Connection{Name: s.ConnectionName, Strategy: "auth0"}); err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, sb)
	before := adm.snapshot()
	p, _ := steps.PlaybookByID(steps.Azure)
	e := steps.NewEngine(c)
	j, _ := steps.OpenJournal("", false)
	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	v := verbs(plan)
	if v["resource_server"] != steps.Reuse || v["connection"] != steps.Reuse || v["client"] != steps.Create || v["connection_client"] != steps.Update {
		t.Fatalf("plan = %v", v)
	}
	if _, err := e.Apply(ctx, p, s, plan, j, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.Teardown(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	if got := adm.snapshot(); !slices.Equal(got, before) {
		t.Fatalf("tenant after teardown:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
}

// The user's password is needed only to create the user or log it in: a
// plan (dry run) does without it, apply says when it is missing, and with
// the user already there apply runs and says the login was not tried.
func TestPasswordOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 9})
	adm := newAdmin(t, sb)
	before := adm.snapshot()
	p, _ := steps.PlaybookByID(steps.Azure)
	s := settings(sb, steps.Azure)
	s.UserPassword = ""
	e := steps.NewEngine(c)
	plan, err := e.Plan(ctx, p, s, nil)
	if err != nil {
		t.Fatalf("plan without a password: %v", err)
	}
	if _, err := e.Apply(ctx, p, s, plan, nil, nil); err == nil || !strings.Contains(err.Error(), "no password was given") {
		t.Fatalf("apply err = %v", err)
	}
	if got := adm.snapshot(); !slices.Equal(got, before) {
		t.Fatal("apply changed the tenant before refusing")
	}
	if _, err := c.CreateConnection(ctx, steps.Connection{Name: s.ConnectionName, Strategy: "auth0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateUser(ctx, steps.User{Email: s.UserEmail, Password: "An0ther-Passw0rd", Connection: s.ConnectionName}); err != nil {
		t.Fatal(err)
	}
	plan, err = e.Plan(ctx, p, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, p, s, plan, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.UserToken != nil || !strings.Contains(res.UserTokenNote, "no password") || !res.Token.Verified {
		t.Fatalf("user token %+v, note %q, token %v", res.UserToken, res.UserTokenNote, res.Token.Verified)
	}
}

// A create that was sent and never recorded (a crash in between) is
// "pending" in the journal: a resume takes the resource as created, and
// teardown finds it by its reuse rule and deletes it.
func TestPendingCreateIsResolved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 10})
	adm := newAdmin(t, sb)
	before := adm.snapshot()
	s := settings(sb, steps.WSO2)
	// The crash: the resource server was made, the journal says only "pending".
	if _, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier,
		Scopes: []steps.Scope{{Value: steps.WSO2Scope}}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "j.json")
	doc := fmt.Sprintf(`{"version":1,"playbook":"wso2","domain":%q,"resources":[
		{"action_id":"resource_server","kind":"resource_server","name":"x","action":"pending","lookup":{"identifier":%q}}],
		"updated_at":"2026-11-22T00:00:00Z"}`, sb.Domain, s.APIIdentifier)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, resume := range []bool{true, false} {
		j, err := steps.OpenJournal(path, false)
		if err != nil {
			t.Fatal(err)
		}
		if resume {
			if _, _, _, err := applyOnce(ctx, t, c, steps.WSO2, s, j); err != nil {
				t.Fatal(err)
			}
			for _, r := range j.Resources() {
				if r.Action != "created" {
					t.Errorf("after resume: %+v", r)
				}
			}
			if err := steps.NewEngine(c).Teardown(ctx, j, nil); err != nil {
				t.Fatal(err)
			}
			if got := adm.snapshot(); !slices.Equal(got, before) {
				t.Fatalf("after resume and teardown:\n%s", strings.Join(got, "\n"))
			}
			// Again, straight to teardown this time.
			if _, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier}); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := steps.NewEngine(c).Teardown(ctx, j, nil); err != nil {
			t.Fatal(err)
		}
		if got := adm.snapshot(); !slices.Equal(got, before) || len(j.Resources()) != 0 {
			t.Fatalf("after teardown of a pending entry:\n%s\n%+v", strings.Join(got, "\n"), j.Resources())
		}
	}
}

// A connection of the wrong kind under the chosen name (a social one) is
// refused by the plan, and by an apply that plans for itself, before any
// write: the tenant is as it was.
func TestPlanRefusesASocialConnection(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	s := settings(sb, steps.Azure)
	if _, err := c.CreateConnection(ctx, steps.Connection{Name: s.ConnectionName, Strategy: "google-oauth2"}); err != nil {
		t.Fatal(err)
	}
	a := newAdmin(t, sb)
	before := a.snapshot()
	p, _ := steps.PlaybookByID(steps.Azure)
	e := steps.NewEngine(c)
	_, err := e.Plan(ctx, p, s, nil)
	var unfit *steps.UnfitConnectionError
	if !errors.As(err, &unfit) || unfit.Strategy != "google-oauth2" || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("plan: %v, want an UnfitConnectionError naming google-oauth2", err)
	}
	if _, err := e.Apply(ctx, p, s, steps.Plan{}, nil, nil); !errors.As(err, &unfit) {
		t.Fatalf("apply: %v, want the same refusal", err)
	}
	if after := a.snapshot(); !slices.Equal(before, after) {
		t.Errorf("the tenant changed:\nbefore %v\nafter  %v", before, after)
	}
}

// A connection whose password policy refuses the test user's password is
// found by the plan, before any write; a reused API's real name and
// algorithm are on the plan, with a warning for what differs.
func TestPlanKnowsThePolicyAndWhatIsReused(t *testing.T) {
	t.Parallel()
	sb, c := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	s := settings(sb, steps.Azure)
	s.UserPassword = "Passw0rd!x" // 10 characters: good enough for "good", not for a minimum of 14
	a := newAdmin(t, sb)
	conn, err := c.CreateConnection(ctx, steps.Connection{Name: s.ConnectionName, Strategy: "auth0"})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"options":{"passwordPolicy":"excellent","password_complexity_options":{"min_length":14}}}`
	req, _ := http.NewRequest(http.MethodPatch, sb.BaseURL+"/api/v2/connections/"+conn.ID, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := sb.Client().Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("patch the connection's policy: %v %v", err, resp)
	}
	resp.Body.Close()
	if _, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: "Their calculator", Identifier: s.APIIdentifier, SigningAlg: "HS256"}); err != nil {
		t.Fatal(err)
	}
	before := a.snapshot()
	p, _ := steps.PlaybookByID(steps.Azure)
	e := steps.NewEngine(c)
	_, err = e.Plan(ctx, p, s, nil)
	var weak *steps.PasswordPolicyError
	if !errors.As(err, &weak) || !strings.Contains(err.Error(), "14") {
		t.Fatalf("plan: %v, want a PasswordPolicyError naming the minimum of 14", err)
	}
	if _, err := e.Apply(ctx, p, s, steps.Plan{}, nil, nil); !errors.As(err, &weak) {
		t.Fatalf("apply: %v, want the same refusal before any write", err)
	}
	if after := a.snapshot(); !slices.Equal(before, after) {
		t.Errorf("the tenant changed")
	}

	s.UserPassword = "Passw0rd!x-longer"
	plan, err := e.Plan(ctx, p, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range plan.Actions {
		switch act.ID {
		case steps.ActResourceServer:
			if !strings.Contains(act.Found, "Their calculator") || !strings.Contains(act.Found, "HS256") || len(act.Warnings) < 2 {
				t.Errorf("API: found %q, warnings %q", act.Found, act.Warnings)
			}
		case steps.ActConnection:
			if !strings.Contains(act.Found, "excellent") {
				t.Errorf("connection: found %q, want its policy", act.Found)
			}
		}
	}
}

// Least privilege: the azure application has the password-realm grant for
// the test login only; asked to keep it, it keeps it.
func TestPasswordRealmOnlyForTheTestLogin(t *testing.T) {
	t.Parallel()
	for _, keep := range []bool{false, true} {
		sb, c := startSandbox(t, sandbox.Options{})
		ctx := context.Background()
		s := settings(sb, steps.Azure)
		s.KeepPasswordRealm = keep
		p, _ := steps.PlaybookByID(steps.Azure)
		res, err := steps.NewEngine(c).Apply(ctx, p, s, steps.Plan{}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.UserToken == nil || !res.UserToken.Verified {
			t.Fatalf("keep=%v: the test login did not happen or verify: %+v %s", keep, res.UserToken, res.UserTokenNote)
		}
		app, err := c.GetClient(ctx, res.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		if has := slices.Contains(app.GrantTypes, steps.GrantPasswordRealm); has != keep {
			t.Errorf("keep=%v: after the run the application's grant types are %v", keep, app.GrantTypes)
		}
	}
}
