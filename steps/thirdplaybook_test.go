package steps_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// kongPlaybook is a third gateway, defined here and nowhere else: its steps,
// texts, actions and gateway form are all data. That the engine plans,
// applies, journals, tears down and checks it with no change to its own code
// is what "playbooks as data" means.
func kongPlaybook() steps.Playbook {
	const scope = "read:orders"
	actions := []steps.ActionSpec{
		{ID: "api", Kind: steps.KindResourceServer, Inputs: map[string]string{"identifier": "api_identifier"},
			Want: func(s steps.Settings) steps.Desired {
				return steps.Desired{Name: s.APIName, ResourceServer: steps.ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier,
					Scopes: []steps.Scope{{Value: scope, Description: "read orders"}}}}
			}},
		{ID: "consumer", Kind: steps.KindClient, Inputs: map[string]string{"name": "app_name"},
			Want: func(s steps.Settings) steps.Desired {
				return steps.Desired{Name: s.AppName, App: steps.App{Name: s.AppName, AppType: "non_interactive",
					GrantTypes: []string{steps.GrantClientCredentials}, Metadata: map[string]string{steps.MarkerKey: steps.MarkerValue}}}
			}},
		{ID: "consumer_grant", Kind: steps.KindClientGrant, DependsOn: []string{"api", "consumer"},
			Want: func(s steps.Settings) steps.Desired {
				return steps.Desired{Name: s.AppName + " → " + s.APIIdentifier, Grant: steps.ClientGrant{Audience: s.APIIdentifier, Scope: []string{scope}}}
			}},
	}
	field := func(label string, ptr func(*steps.Settings) *string, def string) steps.Input {
		return steps.Input{Key: strings.ReplaceAll(strings.ToLower(label), " ", "_"), Label: label, Field: ptr,
			Default: func(steps.Settings) string { return def }}
	}
	return steps.Playbook{
		ID: "kong", Title: "Kong Gateway with Auth0", Summary: "Auth0 as the OpenID Connect provider of Kong's openid-connect plugin",
		Steps: []steps.Step{
			{ID: "tenant", Kind: steps.StepTenant, Title: "Tenant", Explain: "The Auth0 tenant Kong trusts.",
				Inputs: []steps.Input{{Key: "domain", Label: "Tenant domain", Field: func(s *steps.Settings) *string { return &s.Domain }, Validate: steps.ValidateDomain}}},
			{ID: "api", Kind: steps.StepResourceServer, Title: "API", Explain: "The API Kong protects.", Actions: []steps.ResourceKind{steps.KindResourceServer},
				Inputs: []steps.Input{
					field("API name", func(s *steps.Settings) *string { return &s.APIName }, "Orders API"),
					field("API identifier", func(s *steps.Settings) *string { return &s.APIIdentifier }, "https://orders.example.com"),
				}},
			{ID: "consumer", Kind: steps.StepApplication, Title: "Consumer", Explain: "The consumer Kong lets in.", Actions: []steps.ResourceKind{steps.KindClient, steps.KindClientGrant},
				Inputs: []steps.Input{field("Application name", func(s *steps.Settings) *string { return &s.AppName }, "Kong consumer")}},
			{ID: "summary", Kind: steps.StepSummary, Title: "Summary", Explain: "What Kong's plugin needs."},
		},
		Actions:        actions,
		RequiredScopes: steps.ScopesFor(actions),
		Gateway: steps.Gateway{
			Title: "Kong: openid-connect plugin", Requester: "Kong's openid-connect plugin",
			Exports: []string{steps.FormatJSON},
			Fields: func(r steps.Result, _ steps.Settings, reveal bool) []steps.Field {
				secret := steps.Masked
				if reveal {
					secret = r.ClientSecret
				}
				return []steps.Field{{Label: "config.issuer", Value: r.Endpoints.OpenIDConfiguration},
					{Label: "config.client_id", Value: r.ClientID}, {Label: "config.client_secret", Value: secret, Secret: true},
					{Label: "config.audience_required", Value: r.Audience, Help: "the API identifier"}}
			},
		},
	}
}

func TestThirdPlaybookIsData(t *testing.T) {
	t.Parallel()
	p := kongPlaybook()
	sb, c := startSandbox(t, sandbox.Options{})
	a := newAdmin(t, sb)
	before := a.snapshot()
	e := steps.NewEngine(c)
	s := p.WithDefaults(steps.Settings{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, Audience: sb.Audience})
	ctx := context.Background()
	j, err := steps.OpenJournal(t.TempDir()+"/kong.journal.json", false)
	if err != nil {
		t.Fatal(err)
	}

	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, act := range plan.Actions {
		ids = append(ids, act.ID+":"+string(act.Verb))
	}
	if want := []string{"api:create", "consumer:create", "consumer_grant:create"}; !slices.Equal(ids, want) {
		t.Fatalf("plan %v, want %v", ids, want)
	}
	res, err := e.Apply(ctx, p, s, plan, j, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Token.Verified || res.Audience != "https://orders.example.com" {
		t.Fatalf("token verified=%v for %q (%s)", res.Token.Verified, res.Audience, res.Token.Reason)
	}
	if got := res.Token.Claims["scope"]; got != "read:orders" {
		t.Errorf("token scope %v, want the grant's read:orders", got)
	}
	if f := p.Gateway.Fields(res, s, false); len(f) != 4 || f[1].Value != res.ClientID || f[2].Value == res.ClientSecret {
		t.Errorf("gateway fields %+v", f)
	}

	// A second plan reuses everything.
	again, err := e.Plan(ctx, p, s, j)
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range again.Actions {
		if act.Verb != steps.Reuse {
			t.Errorf("second plan: %s is %s, want reuse", act.ID, act.Verb)
		}
	}

	for _, r := range e.Doctor(ctx, p, s, steps.DoctorOptions{Journal: j}) {
		if r.Status != steps.CheckPass {
			t.Errorf("doctor %s: %s %s (fix: %s)", r.ID, r.Status, r.Why, r.Fix)
		}
	}

	if err := e.Teardown(ctx, j, nil); err != nil {
		t.Fatal(err)
	}
	if after := a.snapshot(); !slices.Equal(before, after) {
		t.Errorf("teardown left the tenant changed:\nbefore %v\nafter  %v", before, after)
	}
}
