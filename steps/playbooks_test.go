package steps

import (
	"slices"
	"strings"
	"testing"
)

func validSettings(id PlaybookID) Settings {
	return WithDefaults(Settings{Playbook: id, Domain: "my-tenant.us.auth0.com", ClientID: "mgmtClientId123",
		ClientSecret: "fake-secret", UserEmail: "jane@example.com", UserPassword: "Passw0rd!x"})
}

func TestPlaybooksAreComplete(t *testing.T) {
	t.Parallel()
	ps := Playbooks()
	if len(ps) != 2 || ps[0].ID != WSO2 || ps[1].ID != Azure {
		t.Fatalf("playbooks = %v, want wso2 then azure", ps)
	}
	wantSteps := map[PlaybookID][]string{
		WSO2:  {"tenant", "management", "apim", "key_manager", "resource_server", "application", "summary"},
		Azure: {"tenant", "management", "resource_server", "application", "connection", "user", "summary"},
	}
	for _, p := range ps {
		var ids []string
		for _, s := range p.Steps {
			ids = append(ids, s.ID)
			if s.Title == "" || s.Explain == "" {
				t.Errorf("%s/%s: missing title or explanation", p.ID, s.ID)
			}
			for _, in := range s.Inputs {
				if in.Key == "" || in.Label == "" || in.Help == "" || in.Field == nil {
					t.Errorf("%s/%s/%s: incomplete input", p.ID, s.ID, in.Key)
				}
			}
		}
		if !slices.Equal(ids, wantSteps[p.ID]) {
			t.Errorf("%s steps = %v, want %v", p.ID, ids, wantSteps[p.ID])
		}
		if err := p.Validate(validSettings(p.ID)); err != nil {
			t.Errorf("%s: defaults do not validate: %v", p.ID, err)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	t.Parallel()
	s := validSettings(Azure)
	if s.Audience != "https://my-tenant.us.auth0.com/api/v2/" || s.APIIdentifier != "basic-calculator" ||
		s.SigningAlg != "RS256" || s.ConnectionName != "BasicCalculator" || s.AppType != "non_interactive" {
		t.Fatalf("azure defaults: %+v", s)
	}
	w := validSettings(WSO2)
	if w.APIName != "WSO2 resource server API" || w.KeyManagerName != "Auth0" || w.AppType != "regular_web" ||
		w.TokenEndpointAuthMethod != "client_secret_basic" || !slices.Equal(w.GrantTypes, []string{GrantClientCredentials}) {
		t.Fatalf("wso2 defaults: %+v", w)
	}
	// A given value is kept.
	if got := WithDefaults(Settings{Playbook: Azure, APIName: "Mine"}).APIName; got != "Mine" {
		t.Fatalf("api name = %q", got)
	}
}

func TestValidateNamesTheInput(t *testing.T) {
	t.Parallel()
	p, _ := PlaybookByID(Azure)
	cases := []struct {
		name  string
		edit  func(*Settings)
		label string
	}{
		{"weak password", func(s *Settings) { s.UserPassword = "password" }, "Password"},
		{"bad email", func(s *Settings) { s.UserEmail = "jane" }, "Email"},
		{"connection with space", func(s *Settings) { s.ConnectionName = "Basic Calc" }, "Database connection name"},
		{"userinfo in domain", func(s *Settings) { s.Domain = "tenant.us.auth0.com@evil.example" }, "Tenant domain"},
		{"http domain not loopback", func(s *Settings) { s.Domain = "http://tenant.us.auth0.com" }, "Tenant domain"},
		{"audience without slash", func(s *Settings) { s.Audience = "https://x/api/v2" }, "Management API audience"},
		{"alg", func(s *Settings) { s.SigningAlg = "PS256" }, "Signing algorithm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := validSettings(Azure)
			tc.edit(&s)
			err := p.Validate(s)
			if err == nil || !strings.HasPrefix(err.Error(), tc.label+":") {
				t.Fatalf("err = %v, want one naming %q", err, tc.label)
			}
		})
	}
	if _, err := PlaybookByID("nope"); err == nil || !strings.Contains(err.Error(), "wso2") {
		t.Fatalf("unknown playbook error = %v", err)
	}
}

func TestValidateDomain(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"my-tenant.us.auth0.com", "127.0.0.1:8443", "http://127.0.0.1:8080", "http://LOCALHOST:3000", "login.example.com", "https://my-tenant.eu.auth0.com"} {
		if err := ValidateDomain(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "tenant.us.auth0.com@evil.example", "tenant.us.auth0.com/path", "tenant.us.auth0.com?x=1", "http://example.com", "user@tenant.us.auth0.com", "tenant#frag"} {
		if err := ValidateDomain(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestScopeCheck(t *testing.T) {
	t.Parallel()
	for _, p := range Playbooks() {
		if m := ScopeCheck(p, p.RequiredScopes); len(m) != 0 {
			t.Errorf("%s: all granted, missing %v", p.ID, m)
		}
		granted := slices.DeleteFunc(slices.Clone(p.RequiredScopes), func(s string) bool { return s == "create:client_grants" })
		m := ScopeCheck(p, granted)
		if !slices.Equal(m, []string{"create:client_grants"}) {
			t.Errorf("%s: missing = %v", p.ID, m)
		}
		adv := MissingScopesAdvice(m)
		for _, want := range []string{"create:client_grants", "APIs → Auth0 Management API → Machine to Machine Applications", "Update"} {
			if !strings.Contains(adv, want) {
				t.Errorf("advice %q lacks %q", adv, want)
			}
		}
	}
	w, _ := PlaybookByID(WSO2)
	a, _ := PlaybookByID(Azure)
	if slices.Contains(w.RequiredScopes, "create:users") || !slices.Contains(a.RequiredScopes, "create:users") {
		t.Error("user scopes belong to azure only")
	}
}

// A password typed into the email field (the fields sit next to each
// other) must not be shown back in the error.
func TestEmailErrorDoesNotEchoAPassword(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"Passw0rd!x", "hunter2 secret"} {
		err := validateEmail(v)
		if err == nil {
			t.Fatalf("%q accepted as an email address", v)
		}
		if strings.Contains(err.Error(), v) || strings.Contains(err.Error(), "Passw0rd") {
			t.Errorf("error echoes the input: %v", err)
		}
	}
	if err := validateEmail("jane@example"); err == nil || !strings.Contains(err.Error(), "jane@example") {
		t.Errorf("an address without a dot in its domain: %v (the address, shown, helps)", err)
	}
	if err := validateEmail("jane@example.com"); err != nil {
		t.Error(err)
	}
}
