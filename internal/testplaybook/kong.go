// Package testplaybook holds a third gateway's playbook, Kong, for tests
// only: defined in no production code, it shows that a playbook is data
// (steps plans, applies, journals, tears down and checks it; the wizard and
// line mode offer, walk, apply, show and check it) with no code of its own.
package testplaybook

import (
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Kong is the playbook: its steps and texts, its actions (an API, a
// consumer application, its grant) and its gateway form.
func Kong() steps.Playbook {
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
	field := func(key, label string, ptr func(*steps.Settings) *string, def string) steps.Input {
		return steps.Input{Key: key, Label: label, Field: ptr, Default: func(steps.Settings) string { return def }}
	}
	return steps.Playbook{
		ID: "kong", Title: "Kong Gateway with Auth0", Summary: "Auth0 as the OpenID Connect provider of Kong's openid-connect plugin",
		Steps: []steps.Step{
			{ID: "tenant", Kind: steps.StepTenant, Title: "Tenant", Explain: "The Auth0 tenant Kong trusts.",
				Inputs: []steps.Input{{Key: "domain", Label: "Tenant domain", Field: func(s *steps.Settings) *string { return &s.Domain }, Validate: steps.ValidateDomain}}},
			{ID: "management", Kind: steps.StepManagement, Title: "Management application", Explain: "The application the wizard makes Kong's side with.",
				Inputs: []steps.Input{
					{Key: "client_id", Label: "Client ID", Field: func(s *steps.Settings) *string { return &s.ClientID }},
					{Key: "client_secret", Label: "Client secret", Secret: true, Field: func(s *steps.Settings) *string { return &s.ClientSecret }},
					{Key: "audience", Label: "Management API audience", Field: func(s *steps.Settings) *string { return &s.Audience }},
				}},
			{ID: "api", Kind: steps.StepResourceServer, Title: "API", Explain: "The API Kong protects.", Actions: []steps.ResourceKind{steps.KindResourceServer},
				Inputs: []steps.Input{
					field("api_name", "API name", func(s *steps.Settings) *string { return &s.APIName }, "Orders API"),
					field("api_identifier", "API identifier", func(s *steps.Settings) *string { return &s.APIIdentifier }, "https://orders.example.com"),
				}},
			{ID: "consumer", Kind: steps.StepApplication, Title: "Consumer", Explain: "The consumer Kong lets in.", Actions: []steps.ResourceKind{steps.KindClient, steps.KindClientGrant},
				Inputs: []steps.Input{field("app_name", "Application name", func(s *steps.Settings) *string { return &s.AppName }, "Kong consumer")}},
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
