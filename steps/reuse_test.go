package steps_test

import (
	"context"
	"errors"
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
