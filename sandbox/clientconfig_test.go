package sandbox

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
)

func testPublicKeyPEM(t *testing.T) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&testKey().PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// TestTokenVaultPrivilegedAccessRules replays go-auth0 v1.49's
// TestClient_TokenVaultPrivilegedAccess* cases: what real tenants refused
// with a 400 is refused, what they took is taken, and the credentials made
// inline on create are the client's own, shown whole on create and by id
// afterwards.
func TestTokenVaultPrivilegedAccessRules(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	key := testPublicKeyPEM(t)
	cred := map[string]any{"credential_type": "public_key", "pem": key}
	grants := []any{map[string]any{"connection": "Username-Password-Authentication", "scopes": []string{"openid"}}}
	many := func(n int, f func(i int) any) []any {
		var out []any
		for i := 1; i <= n; i++ {
			out = append(out, f(i))
		}
		return out
	}
	create := func(tvpa map[string]any) answer {
		return call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{
			"name": "TVPA", "app_type": "non_interactive", "token_vault_privileged_access": tvpa,
		})
	}
	for name, tvpa := range map[string]map[string]any{
		"11 ip_allowlist entries": {"credentials": []any{cred}, "grants": grants,
			"ip_allowlist": many(11, func(i int) any { return fmt.Sprintf("10.0.0.%d", i) })},
		"a malformed ip": {"credentials": []any{cred}, "grants": grants, "ip_allowlist": []string{"not-an-ip"}},
		"3 credentials":  {"credentials": []any{cred, cred, cred}, "grants": grants, "ip_allowlist": []string{"10.0.0.1"}},
		"6 grants":       {"credentials": []any{cred}, "ip_allowlist": []string{"10.0.0.1"}, "grants": many(6, func(i int) any { return map[string]any{"connection": fmt.Sprint("c", i), "scopes": []string{"openid"}} })},
		"21 scopes":      {"credentials": []any{cred}, "ip_allowlist": []string{"10.0.0.1"}, "grants": []any{map[string]any{"connection": "c", "scopes": many(21, func(i int) any { return fmt.Sprint("s", i) })}}},
		"a connection twice": {"credentials": []any{cred}, "ip_allowlist": []string{"10.0.0.1"}, "grants": []any{
			map[string]any{"connection": "dup", "scopes": []string{"openid"}}, map[string]any{"connection": "dup", "scopes": []string{"profile"}}}},
		"an empty allowlist": {"credentials": []any{cred}, "grants": grants, "ip_allowlist": []string{}},
		"no grants":          {"credentials": []any{cred}, "grants": []any{}, "ip_allowlist": []string{"10.0.0.1"}},
		"no credentials key": {"grants": grants, "ip_allowlist": []string{"10.0.0.1"}},
		"a credential id":    {"credentials": []any{map[string]any{"id": "cred_x"}}, "grants": grants, "ip_allowlist": []string{"10.0.0.1"}},
	} {
		if a := create(tvpa); a.status != 400 {
			t.Errorf("%s: status %d, want 400: %s", name, a.status, a.raw)
		}
	}

	a := create(map[string]any{"credentials": []any{cred}, "ip_allowlist": []string{"10.0.0.1", "192.168.1.0/24", "2001:db8::/32"}, "grants": grants})
	wantStatus(t, a, 201)
	c := a.object(t)
	id := c["client_id"].(string)
	made := c["token_vault_privileged_access"].(map[string]any)["credentials"].([]any)[0].(map[string]any)
	if made["kid"] == nil || made["created_at"] == nil || made["pem"] != nil {
		t.Fatalf("a credential made on create shows %v, want its kid and times and no PEM", made)
	}
	credID := made["id"].(string)
	got := call(t, s, "GET", "/api/v2/clients/"+id, mgmt, nil).object(t)["token_vault_privileged_access"].(map[string]any)
	if fmt.Sprint(got["credentials"]) != fmt.Sprintf("[map[id:%s]]", credID) {
		t.Fatalf("GET shows credentials %v, want only the id %s", got["credentials"], credID)
	}
	wantStatus(t, call(t, s, "GET", "/api/v2/clients/"+id+"/credentials/"+credID, mgmt, nil), 200)

	ref := []any{map[string]any{"id": credID}}
	for name, body := range map[string]map[string]any{
		"no grants":            {"credentials": ref, "ip_allowlist": []string{"10.0.0.2"}},
		"no ip_allowlist":      {"credentials": ref, "grants": []any{}},
		"no credentials":       {"ip_allowlist": []string{"10.0.0.2"}, "grants": []any{}},
		"credential material":  {"credentials": []any{cred}, "ip_allowlist": []string{"10.0.0.2"}, "grants": []any{}},
		"an unknown reference": {"credentials": []any{map[string]any{"id": "cred_nope"}}, "ip_allowlist": []string{"10.0.0.2"}, "grants": []any{}},
	} {
		a := call(t, s, "PATCH", "/api/v2/clients/"+id, mgmt, map[string]any{"token_vault_privileged_access": body})
		if a.status/100 != 4 {
			t.Errorf("PATCH with %s: status %d, want a refusal: %s", name, a.status, a.raw)
		}
	}
	a = call(t, s, "PATCH", "/api/v2/clients/"+id, mgmt, map[string]any{"token_vault_privileged_access": map[string]any{
		"credentials": ref, "ip_allowlist": []string{"10.0.0.2"}, "grants": []any{}}})
	wantStatus(t, a, 200)
	if tv := a.object(t)["token_vault_privileged_access"].(map[string]any); fmt.Sprint(tv["ip_allowlist"]) != "[10.0.0.2]" || fmt.Sprint(tv["grants"]) != "[]" {
		t.Fatalf("after a whole PATCH: %v", tv)
	}
	wantStatus(t, call(t, s, "PATCH", "/api/v2/clients/"+id, mgmt, map[string]any{"token_vault_privileged_access": nil}), 200)
	if _, ok := call(t, s, "GET", "/api/v2/clients/"+id, mgmt, nil).object(t)["token_vault_privileged_access"]; ok {
		t.Fatal("a null PATCH left token_vault_privileged_access on the client")
	}
}

// TestMyOrganizationConfigurationRules: the shapes real tenants refused
// (TestClient_MyOrganizationConfiguration*) are refused, the rest kept.
func TestMyOrganizationConfigurationRules(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	good := func() map[string]any {
		return map[string]any{
			"connection_profile_id": "cop_1cu7hYRotxr9BYXXwLH14g", "user_attribute_profile_id": "uap_1cyzEQFSNB3A82BQCargzi",
			"allowed_strategies": []string{"okta", "samlp"}, "connection_deletion_behavior": "allow",
			"third_party_client_access": map[string]any{"default_value": "block", "allowed_values": []string{"allow", "block"}},
		}
	}
	a := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "org", "my_organization_configuration": good()})
	wantStatus(t, a, 201)
	if got := a.object(t)["my_organization_configuration"].(map[string]any); got["connection_profile_id"] != "cop_1cu7hYRotxr9BYXXwLH14g" {
		t.Fatalf("kept %v", got)
	}
	for name, change := range map[string]func(map[string]any){
		"profile ids that are no ids": func(m map[string]any) {
			m["connection_profile_id"], m["user_attribute_profile_id"] = "cop_WRONG", "uap_WRONG"
		},
		"a default of allow":                func(m map[string]any) { m["third_party_client_access"].(map[string]any)["default_value"] = "allow" },
		"an unknown strategy":               func(m map[string]any) { m["allowed_strategies"] = []string{"auth0"} },
		"an unknown deletion behaviour":     func(m map[string]any) { m["connection_deletion_behavior"] = "never" },
		"third-party access with no values": func(m map[string]any) { delete(m["third_party_client_access"].(map[string]any), "allowed_values") },
	} {
		body := good()
		change(body)
		if a := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "org", "my_organization_configuration": body}); a.status != 400 {
			t.Errorf("%s: status %d, want 400: %s", name, a.status, a.raw)
		}
	}
}

// TestExpressConfiguration: an express_configuration client is made as
// Auth0 makes one (with its system grant to the Management API, and no
// other grant allowed), the urn:auth0:express-configure API comes from its
// template, and a system API refuses a new name.
func TestExpressConfiguration(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	c := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "OIN", "app_type": "express_configuration"})
	wantStatus(t, c, 201)
	client := c.object(t)
	id := client["client_id"].(string)
	if client["oidc_conformant"] != true || fmt.Sprint(client["grant_types"]) != "[authorization_code client_credentials]" ||
		client["organization_usage"] != "require" || client["organization_require_behavior"] != "pre_login_prompt" ||
		fmt.Sprint(client["jwt_configuration"]) != "map[alg:RS256 secret_encoded:false]" {
		t.Fatalf("express_configuration client: %s", c.raw)
	}
	gs := call(t, s, "GET", "/api/v2/client-grants?client_id="+id, mgmt, nil).array(t)
	if len(gs) != 1 || gs[0].(map[string]any)["is_system"] != true || gs[0].(map[string]any)["audience"] != s.Audience {
		t.Fatalf("grants of an express_configuration client: %v", gs)
	}
	wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": "https://api.example/"}), 201)
	refused := call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"client_id": id, "audience": "https://api.example/", "scope": []string{}})
	wantStatus(t, refused, 400)
	if !strings.Contains(string(refused.raw), "express_configuration cannot be used") {
		t.Fatalf("refusal: %s", refused.raw)
	}

	rs := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": expressConfigureIdentifier, "name": "mine", "token_lifetime": 60})
	wantStatus(t, rs, 201)
	api := rs.object(t)
	if api["name"] != "Okta OIN Express Configuration API" || api["is_system"] != true || api["token_lifetime"] != float64(300) || len(api["scopes"].([]any)) != 2 {
		t.Fatalf("urn:auth0:express-configure: %s", rs.raw)
	}
	wantStatus(t, call(t, s, "PATCH", "/api/v2/resource-servers/"+api["id"].(string), mgmt, map[string]any{"name": "Modified Name"}), 400)
	wantStatus(t, call(t, s, "DELETE", "/api/v2/resource-servers/"+api["id"].(string), mgmt, nil), 204)
}

// TestClientGrantOrganizations: a grant's organizations answer in both of
// Auth0's page forms (a sandbox has none); an unknown grant is a 404.
func TestClientGrantOrganizations(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	c := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "m2m", "app_type": "non_interactive"}).object(t)
	wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": "https://api.example/"}), 201)
	g := call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"client_id": c["client_id"], "audience": "https://api.example/", "scope": []string{}})
	wantStatus(t, g, 201)
	path := "/api/v2/client-grants/" + g.object(t)["id"].(string) + "/organizations"
	if got := call(t, s, "GET", path+"?include_totals=true&per_page=50", mgmt, nil).object(t); fmt.Sprint(got) != "map[limit:50 organizations:[] start:0 total:0]" {
		t.Fatalf("offset page: %v", got)
	}
	if got := call(t, s, "GET", path+"?take=10", mgmt, nil).object(t); fmt.Sprint(got["organizations"]) != "[]" {
		t.Fatalf("checkpoint page: %v", got)
	}
	nf := call(t, s, "GET", "/api/v2/client-grants/cgr_nope/organizations", mgmt, nil)
	wantStatus(t, nf, 404)
	if !strings.Contains(string(nf.raw), "inexistent_client_grant") {
		t.Fatalf("404: %s", nf.raw)
	}
}
