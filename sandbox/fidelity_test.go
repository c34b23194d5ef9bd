package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// postForm sends an Authentication API form and decodes its JSON answer.
func postForm(t *testing.T, s *Server, path string, form url.Values) (int, http.Header, map[string]any) {
	t.Helper()
	resp, err := s.Client().PostForm(s.BaseURL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

// A minimal resource server gets the defaults a real tenant fills in,
// subject_type_authorization among them (terraform-provider-auth0
// recordings, AUTH0-FACTS §4).
func TestResourceServerMinimalCreateDefaults(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	a := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": "https://min.example"})
	wantStatus(t, a, 201)
	rs := a.object(t)
	sta, _ := rs["subject_type_authorization"].(map[string]any)
	client, _ := sta["client"].(map[string]any)
	user, _ := sta["user"].(map[string]any)
	if client["policy"] != "require_client_grant" || user["policy"] != "allow_all" {
		t.Errorf("subject_type_authorization = %v", rs["subject_type_authorization"])
	}
	if rs["signing_alg"] != "RS256" || rs["token_lifetime"] != float64(86400) || rs["token_lifetime_for_web"] != float64(7200) ||
		rs["allow_offline_access"] != false || rs["skip_consent_for_verifiable_first_party_clients"] != false {
		t.Errorf("defaults: %s", a.raw)
	}
	if rs["allow_online_access"] != false || rs["allow_online_access_with_ephemeral_sessions"] != false {
		t.Errorf("online access defaults: %s", a.raw)
	}
	if _, ok := rs["signing_secret"]; ok {
		t.Errorf("an RS256 API has no signing_secret: %s", a.raw)
	}
	c := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "anon"}).object(t)
	g := call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"client_id": c["client_id"], "audience": "https://min.example", "scope": []string{}, "subject_type": "anonymous_user"})
	wantStatus(t, g, 201)
	if g.object(t)["subject_type"] != "anonymous_user" {
		t.Errorf("anonymous_user grant: %s", g.raw)
	}
}

func TestSigningAlgIsOneOfAuth0s(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	for alg, want := range map[string]int{"RS256": 201, "HS256": 201, "PS256": 201, "RS512": 400, "ES256": 400} {
		a := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": "https://alg-" + alg, "signing_alg": alg})
		if a.status != want {
			t.Errorf("signing_alg %s: status %d, want %d: %s", alg, a.status, want, a.raw)
		}
	}
}

// An API whose signing_alg is HS256 gets HS256 access tokens signed with
// its signing_secret, as Auth0 issues them.
func TestHS256APITokens(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	a := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": "https://hs.example", "signing_alg": "HS256"})
	wantStatus(t, a, 201)
	secret, _ := a.object(t)["signing_secret"].(string)
	if len(secret) < 32 {
		t.Fatalf("an HS256 API gets a signing_secret on create: %s", a.raw)
	}
	c := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "m2m", "app_type": "non_interactive", "grant_types": []string{"client_credentials"}}).object(t)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"client_id": c["client_id"], "audience": "https://hs.example", "scope": []string{}}), 201)
	raw := token(t, s, c["client_id"].(string), c["client_secret"].(string), "https://hs.example")
	hdr, claims := relyingParty(t, raw, jwa.HS256, []byte(secret), jwt.WithAudience("https://hs.example"))
	if hdr["alg"] != "HS256" {
		t.Fatalf("the token of an HS256 API is signed %v", hdr["alg"])
	}
	if claims["sub"] != c["client_id"].(string)+"@clients" {
		t.Errorf("sub = %v", claims["sub"])
	}
	// The Management API still takes only its own RS256 tokens.
	if a := call(t, s, "GET", "/api/v2/clients", raw, nil); a.status != 401 {
		t.Errorf("an HS256 token for another API reached the Management API: %d", a.status)
	}
}

// Plain grant_type=password uses the tenant's default directory, which a
// new tenant does not have.
func TestPasswordGrantNeedsDefaultDirectory(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	pub := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{
		"name": "spa", "app_type": "native", "token_endpoint_auth_method": "none", "grant_types": []string{"password"},
	}).object(t)
	conn := call(t, s, "GET", "/api/v2/connections?name="+defaultConnectionName, mgmt, nil).array(t)[0].(map[string]any)
	wantStatus(t, call(t, s, "PATCH", "/api/v2/connections/"+conn["id"].(string)+"/clients", mgmt,
		[]map[string]any{{"client_id": pub["client_id"], "status": true}}), 204)
	wantStatus(t, call(t, s, "POST", "/api/v2/users", mgmt, map[string]any{
		"connection": defaultConnectionName, "email": "dd@example.com", "password": "Testpassword123!",
	}), 201)
	form := url.Values{"grant_type": {"password"}, "client_id": {pub["client_id"].(string)},
		"username": {"dd@example.com"}, "password": {"Testpassword123!"}}

	st, _, out := postForm(t, s, "/oauth/token", form)
	if st != 500 || out["error"] != "server_error" || !strings.Contains(out["error_description"].(string), "default connection") {
		t.Errorf("no default directory: %d %v", st, out)
	}
	if a := call(t, s, "GET", "/api/v2/tenants/settings", mgmt, nil); a.status != 200 || strings.Contains(string(a.raw), "default_directory") {
		t.Errorf("a new tenant's settings: %d %s", a.status, a.raw)
	}
	wantStatus(t, call(t, s, "PATCH", "/api/v2/tenants/settings", mgmt, map[string]any{"default_directory": defaultConnectionName}), 200)
	if st, _, out := postForm(t, s, "/oauth/token", form); st != 200 || out["access_token"] == nil {
		t.Errorf("with a default directory: %d %v", st, out)
	}
	if a := call(t, s, "PATCH", "/api/v2/tenants/settings", mgmt, map[string]any{"default_directory": 3}); a.status != 400 {
		t.Errorf("a number as default_directory: %d %s", a.status, a.raw)
	}
}

// A confidential client must authenticate to revoke; a public one need not.
func TestRevokeAuthenticatesConfidentialClients(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	st, _, out := postForm(t, s, "/oauth/revoke", url.Values{"client_id": {s.ClientID}, "token": {"some-refresh-token"}})
	if st != 401 || out["error"] == nil || out["error_description"] == nil {
		t.Errorf("confidential client without its secret: %d %v", st, out)
	}
	st, _, _ = postForm(t, s, "/oauth/revoke", url.Values{"client_id": {s.ClientID}, "client_secret": {"wrong"}, "token": {"x"}})
	if st != 401 {
		t.Errorf("wrong secret: %d", st)
	}
	st, _, _ = postForm(t, s, "/oauth/revoke", url.Values{"client_id": {s.ClientID}, "client_secret": {s.ClientSecret}, "token": {"x"}})
	if st != 200 {
		t.Errorf("right secret: %d", st)
	}
	// HTTP Basic, both parts form-url-encoded (RFC 6749 §2.3.1), as at the
	// token endpoint: every byte percent-encoded still authenticates.
	pct := func(v string) string {
		var b strings.Builder
		for i := range len(v) {
			fmt.Fprintf(&b, "%%%02X", v[i])
		}
		return b.String()
	}
	req, err := http.NewRequest("POST", s.BaseURL+"/oauth/revoke", strings.NewReader(url.Values{"token": {"x"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(pct(s.ClientID), pct(s.ClientSecret))
	resp, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("percent-encoded Basic credentials: %d", resp.StatusCode)
	}
	mgmt := mgmtToken(t, s)
	pub := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "spa", "app_type": "spa", "token_endpoint_auth_method": "none"}).object(t)
	if st, _, out := postForm(t, s, "/oauth/revoke", url.Values{"client_id": {pub["client_id"].(string)}, "token": {"x"}}); st != 200 {
		t.Errorf("public client: %d %v", st, out)
	}
}

// The Authentication API answers an oversized body in its OAuth shape.
func TestTokenEndpointTooLargeIsOAuthShaped(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	big := strings.Repeat("a", maxBody+10)
	for _, chunked := range []bool{false, true} {
		var body = strings.NewReader("grant_type=client_credentials&x=" + big)
		req, err := http.NewRequest("POST", s.BaseURL+"/oauth/token", body)
		if err != nil {
			t.Fatal(err)
		}
		if chunked {
			req.ContentLength = -1 // no length: the cap trips while reading
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != 413 || out["error"] != "invalid_request" || out["error_description"] == nil || out["statusCode"] != nil {
			t.Errorf("chunked=%v: %d %v", chunked, resp.StatusCode, out)
		}
	}
}

// A connection read by id with fields= keeps its id (and
// is_domain_connection), as Auth0 answers terraform-provider-auth0.
func TestConnectionReadWithFieldsKeepsID(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	c := call(t, s, "POST", "/api/v2/connections", mgmt, map[string]any{"name": "fields-db", "strategy": "auth0"}).object(t)
	got := call(t, s, "GET", "/api/v2/connections/"+c["id"].(string)+"?fields=enabled_clients%2Cstrategy%2Cname&include_fields=true", mgmt, nil).object(t)
	if got["id"] != c["id"] || got["is_domain_connection"] != false || got["strategy"] != "auth0" || got["options"] != nil || len(got) != 5 {
		t.Errorf("fields read: %v", got)
	}
}

// A client given oidc_logout gets Auth0's back-channel defaults and the
// legacy oidc_backchannel_logout mirror.
func TestClientOIDCLogoutDefaults(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	a := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "rp", "oidc_logout": map[string]any{}})
	wantStatus(t, a, 201)
	c := a.object(t)
	ini, _ := c["oidc_logout"].(map[string]any)["backchannel_logout_initiators"].(map[string]any)
	if ini["mode"] != "custom" || len(ini["selected_initiators"].([]any)) != 2 {
		t.Errorf("oidc_logout: %v", c["oidc_logout"])
	}
	if _, ok := c["oidc_backchannel_logout"].(map[string]any); !ok {
		t.Errorf("oidc_backchannel_logout: %v", c["oidc_backchannel_logout"])
	}
	u := call(t, s, "PATCH", "/api/v2/clients/"+c["client_id"].(string), mgmt, map[string]any{
		"oidc_logout": map[string]any{"backchannel_logout_urls": []string{"https://rp.example/logout"}},
	}).object(t)
	legacy, _ := u["oidc_backchannel_logout"].(map[string]any)
	if urls, _ := legacy["backchannel_logout_urls"].([]any); len(urls) != 1 {
		t.Errorf("legacy mirror after update: %v", u["oidc_backchannel_logout"])
	}
	plain := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "plain"}).object(t)
	if _, ok := plain["oidc_backchannel_logout"]; ok {
		t.Errorf("a client without oidc_logout got oidc_backchannel_logout: %v", plain["oidc_backchannel_logout"])
	}
}

// Without an audience the token endpoint uses the tenant's
// default_audience, and says so when there is none.
func TestTokenDefaultAudience(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}}
	st, _, out := postForm(t, s, "/oauth/token", form)
	if st != 403 || !strings.Contains(out["error_description"].(string), "no default audience") {
		t.Errorf("no default audience: %d %v", st, out)
	}
	a := call(t, s, "PATCH", "/api/v2/tenants/settings", mgmt, map[string]any{"default_audience": s.Audience, "friendly_name": "Sandbox"})
	wantStatus(t, a, 200)
	if got := a.object(t); got["default_audience"] != s.Audience || got["friendly_name"] != "Sandbox" || got["enabled_locales"] == nil {
		t.Errorf("settings after PATCH: %s", a.raw)
	}
	st, _, out = postForm(t, s, "/oauth/token", form)
	if st != 200 {
		t.Fatalf("with a default audience: %d %v", st, out)
	}
	if _, claims := unverifiedJWT(t, out["access_token"].(string)); claims["aud"] != s.Audience {
		t.Errorf("aud = %v", claims["aud"])
	}
	if a := call(t, s, "PATCH", "/api/v2/tenants/settings", mgmt, map[string]any{"no_such_setting": true}); a.status != 400 {
		t.Errorf("unknown setting: %d %s", a.status, a.raw)
	}
	wantStatus(t, call(t, s, "PATCH", "/api/v2/tenants/settings", mgmt, map[string]any{"default_audience": nil}), 200)
	if st, _, _ := postForm(t, s, "/oauth/token", form); st != 403 {
		t.Errorf("after removing the default audience: %d", st)
	}
}

// An email attribute of a database connection gets Auth0's verification
// method and uniqueness.
func TestConnectionEmailAttributeDefaults(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	a := call(t, s, "POST", "/api/v2/connections", mgmt, map[string]any{"name": "email-id", "strategy": "auth0",
		"options": map[string]any{"attributes": map[string]any{"email": map[string]any{"identifier": map[string]any{"active": true}}}}})
	wantStatus(t, a, 201)
	email := a.object(t)["options"].(map[string]any)["attributes"].(map[string]any)["email"].(map[string]any)
	if email["verification_method"] != "link" || email["unique"] != true {
		t.Errorf("email attribute: %v", email)
	}
}

// A grant default_for third_party_clients names no client and lets every
// third-party client (not first-party ones) get tokens for its API.
func TestClientGrantDefaultForThirdPartyClients(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": "https://df.example"}), 201)
	a := call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"audience": "https://df.example", "scope": []string{}, "default_for": "third_party_clients"})
	wantStatus(t, a, 201)
	if g := a.object(t); g["subject_type"] != "client" || g["default_for"] != "third_party_clients" || g["client_id"] != nil {
		t.Errorf("default grant: %s", a.raw)
	}
	if a := call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"audience": "https://df.example", "scope": []string{}, "default_for": "third_party_clients"}); a.status != 409 {
		t.Errorf("second default grant: %d %s", a.status, a.raw)
	}
	if a := call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"audience": "https://df.example", "scope": []string{}}); a.status != 400 {
		t.Errorf("a grant with neither client_id nor default_for: %d %s", a.status, a.raw)
	}
	if l := call(t, s, "GET", "/api/v2/client-grants?default_for=third_party_clients", mgmt, nil).array(t); len(l) != 1 || l[0].(map[string]any)["default_for"] != "third_party_clients" {
		t.Errorf("list default_for=third_party_clients: %v", l)
	}
	third := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "3p", "is_first_party": false, "app_type": "non_interactive", "grant_types": []string{"client_credentials"}}).object(t)
	first := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "1p", "app_type": "non_interactive", "grant_types": []string{"client_credentials"}}).object(t)
	token(t, s, third["client_id"].(string), third["client_secret"].(string), "https://df.example")
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {first["client_id"].(string)},
		"client_secret": {first["client_secret"].(string)}, "audience": {"https://df.example"}}
	if st, _, out := postForm(t, s, "/oauth/token", form); st != 403 || out["error"] != "access_denied" {
		t.Errorf("a first-party client without its own grant: %d %v", st, out)
	}
}

// PATCH enabled_clients null empties the list and keeps the field.
func TestConnectionEnabledClientsNull(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	app := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{"name": "app"}).object(t)
	c := call(t, s, "POST", "/api/v2/connections", mgmt, map[string]any{"name": "db-null", "strategy": "auth0", "enabled_clients": []any{app["client_id"]}}).object(t)
	got := call(t, s, "PATCH", "/api/v2/connections/"+c["id"].(string), mgmt, map[string]any{"enabled_clients": nil}).object(t)
	if l, ok := got["enabled_clients"].([]any); !ok || len(l) != 0 {
		t.Errorf("enabled_clients after null: %v", got["enabled_clients"])
	}
}

// The password grant as Auth0 documents it: without an audience (and no
// default one) the access token is opaque and good for /userinfo only;
// with an API audience and openid it is a JWT for the API and /userinfo;
// without openid /userinfo refuses it, as it refuses a client's token; an
// audience that is no API is refused at the token endpoint.
func TestPasswordGrantAudiencesAndUserinfo(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	app := call(t, s, "POST", "/api/v2/clients", mgmt, map[string]any{
		"name": "login", "app_type": "regular_web", "grant_types": []string{"http://auth0.com/oauth/grant-type/password-realm", "client_credentials"},
	}).object(t)
	id, secret := app["client_id"].(string), app["client_secret"].(string)
	conn := call(t, s, "GET", "/api/v2/connections?name="+defaultConnectionName, mgmt, nil).array(t)[0].(map[string]any)
	wantStatus(t, call(t, s, "PATCH", "/api/v2/connections/"+conn["id"].(string)+"/clients", mgmt, []map[string]any{{"client_id": id, "status": true}}), 204)
	wantStatus(t, call(t, s, "POST", "/api/v2/users", mgmt, map[string]any{"connection": defaultConnectionName, "email": "grace@example.com", "password": "Correct-Horse-9", "name": "Grace"}), 201)
	wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": "https://api.example"}), 201)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", mgmt, map[string]any{"client_id": id, "audience": "https://api.example", "scope": []string{}}), 201)

	login := func(audience, scope string) (int, map[string]any) {
		t.Helper()
		form := url.Values{"grant_type": {"http://auth0.com/oauth/grant-type/password-realm"}, "realm": {defaultConnectionName},
			"client_id": {id}, "client_secret": {secret}, "username": {"grace@example.com"}, "password": {"Correct-Horse-9"}, "scope": {scope}}
		if audience != "" {
			form.Set("audience", audience)
		}
		status, _, body := postForm(t, s, "/oauth/token", form)
		return status, body
	}

	// No audience: an opaque token (a JWE: five parts, the key part empty).
	status, body := login("", "openid profile email")
	if status != 200 {
		t.Fatalf("login without audience: %d %v", status, body)
	}
	opaque := body["access_token"].(string)
	parts := strings.Split(opaque, ".")
	if len(parts) != 5 || parts[1] != "" {
		t.Fatalf("the access token without an audience is not opaque: %q", opaque)
	}
	if _, err := jws.ParseString(opaque); err == nil {
		t.Error("the opaque token parses as a JWS")
	}
	ui := call(t, s, "GET", "/userinfo", opaque, nil)
	wantStatus(t, ui, 200)
	if u := ui.object(t); u["email"] != "grace@example.com" || u["name"] != "Grace" || !strings.HasPrefix(u["sub"].(string), "auth0|") {
		t.Errorf("userinfo with the opaque token: %s", ui.raw)
	}
	if a := call(t, s, "GET", "/api/v2/clients", opaque, nil); a.status != 401 {
		t.Errorf("the opaque token reached the Management API: %d", a.status)
	}
	tampered := parts[0] + ".." + parts[2] + "." + parts[3] + "." + strings.Repeat("A", len(parts[4]))
	if a := call(t, s, "GET", "/userinfo", tampered, nil); a.status != 401 {
		t.Errorf("userinfo took a tampered opaque token: %d", a.status)
	}

	// An API audience with openid: a JWT for both.
	status, body = login("https://api.example", "openid email")
	if status != 200 {
		t.Fatalf("login with audience: %d %v", status, body)
	}
	if a := call(t, s, "GET", "/userinfo", body["access_token"].(string), nil); a.status != 200 || a.object(t)["email"] != "grace@example.com" {
		t.Errorf("userinfo with the API token and openid: %d %s", a.status, a.raw)
	}
	// Without openid the token is for the API alone.
	status, body = login("https://api.example", "email")
	if status != 200 {
		t.Fatalf("login without openid: %d %v", status, body)
	}
	if body["id_token"] != nil {
		t.Errorf("an id_token without openid: %v", body)
	}
	if a := call(t, s, "GET", "/userinfo", body["access_token"].(string), nil); a.status != 401 {
		t.Errorf("userinfo took an API-only token: %d", a.status)
	}
	// A client's token is no user's.
	if a := call(t, s, "GET", "/userinfo", token(t, s, id, secret, "https://api.example"), nil); a.status != 401 {
		t.Errorf("userinfo took a client credentials token: %d", a.status)
	}
	// An audience that is no API.
	status, body = login("https://nothing.example", "openid")
	if status != 403 || body["error"] != "access_denied" || body["error_description"] != "Service not found: https://nothing.example" {
		t.Errorf("login for an audience that is no API: %d %v", status, body)
	}
}

// An identifier URL-encoded twice (as the Auth0 CLI sends it through
// go-auth0 v1) names its resource server, as on a real tenant.
func TestResourceServerIdentifierEncodedTwice(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	ident := "https://cli.example/api"
	rs := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": ident, "scopes": []map[string]string{{"value": "read:x"}}}).object(t)
	once, twice := url.PathEscape(ident), url.PathEscape(url.PathEscape(ident))
	for _, p := range []string{rs["id"].(string), once, twice} {
		a := call(t, s, "GET", "/api/v2/resource-servers/"+p, mgmt, nil)
		if a.status != 200 || a.object(t)["id"] != rs["id"] {
			t.Errorf("GET /resource-servers/%s: %d %s", p, a.status, a.raw)
		}
	}
	if a := call(t, s, "PATCH", "/api/v2/resource-servers/"+twice, mgmt, map[string]any{"name": "CLI"}); a.status != 200 || a.object(t)["name"] != "CLI" {
		t.Errorf("PATCH twice-encoded: %d %s", a.status, a.raw)
	}
	// What names nothing still answers 404, encoded once or twice.
	other := url.PathEscape(url.PathEscape("https://other.example/api"))
	if a := call(t, s, "GET", "/api/v2/resource-servers/"+other, mgmt, nil); a.status != 404 {
		t.Errorf("GET an unknown twice-encoded identifier: %d", a.status)
	}
	wantStatus(t, call(t, s, "DELETE", "/api/v2/resource-servers/"+twice, mgmt, nil), 204)
	if a := call(t, s, "GET", "/api/v2/resource-servers/"+rs["id"].(string), mgmt, nil); a.status != 404 {
		t.Errorf("DELETE twice-encoded left the API: %d", a.status)
	}
}

// Creating the resource server https://DOMAIN/me/ activates the system My
// Account API, as on a real tenant; unlike the Management API it may be
// deleted.
func TestMyAccountAPI(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	a := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"name": "mine", "identifier": s.BaseURL + "/me/"})
	wantStatus(t, a, 201)
	rs := a.object(t)
	if rs["name"] != "Auth0 My Account API" || rs["is_system"] != true || len(rs["scopes"].([]any)) != 3 || rs["token_lifetime"] != float64(600) {
		t.Errorf("My Account API: %s", a.raw)
	}
	wantStatus(t, call(t, s, "DELETE", "/api/v2/resource-servers/"+rs["id"].(string), mgmt, nil), 204)
	if a := call(t, s, "DELETE", "/api/v2/resource-servers/"+url.PathEscape(s.Audience), mgmt, nil); a.status != 400 {
		t.Errorf("the Management API was deletable: %d", a.status)
	}
}

// A read by id with fields= keeps the object's id, as connections do on a
// real tenant; an exclusion cannot remove it.
func TestReadByIDWithFieldsKeepsID(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	rs := call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"name": "F", "identifier": "https://f.example"}).object(t)
	u := call(t, s, "POST", "/api/v2/users", mgmt, map[string]any{"connection": defaultConnectionName, "email": "f@example.com", "password": "Correct-Horse-9"}).object(t)
	cases := []struct {
		path string
		want []string
	}{
		{"/api/v2/clients/" + s.ClientID + "?fields=name&include_fields=true", []string{"client_id", "name", "tenant"}},
		{"/api/v2/resource-servers/" + rs["id"].(string) + "?fields=name", []string{"id", "name"}},
		{"/api/v2/users/" + url.PathEscape(u["user_id"].(string)) + "?fields=email&include_fields=true", []string{"email", "user_id"}},
	}
	for _, c := range cases {
		got := keysOf(call(t, s, "GET", c.path, mgmt, nil).object(t))
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.path, got, c.want)
		}
	}
	ex := call(t, s, "GET", "/api/v2/clients/"+s.ClientID+"?fields=client_id,name&include_fields=false", mgmt, nil).object(t)
	if ex["client_id"] != s.ClientID || ex["name"] != nil || ex["grant_types"] == nil {
		t.Errorf("exclusion: %v", keysOf(ex))
	}
}

// TestArrayQueryForms: an array query parameter is read in each form
// Auth0's query parser takes (repeated, name[] and name[N]), so clients
// that index their arrays (the Auth0 CLI, auth0.net) filter as they mean to.
func TestArrayQueryForms(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	wantStatus(t, call(t, s, "POST", "/api/v2/connections", mgmt, map[string]any{"name": "gh", "strategy": "github"}), 201)
	for _, q := range []string{"strategy=auth0", "strategy[]=auth0", "strategy[0]=auth0", "strategy[1]=sms&strategy[0]=auth0"} {
		for _, c := range call(t, s, "GET", "/api/v2/connections?"+q, mgmt, nil).array(t) {
			if st := c.(map[string]any)["strategy"]; st != "auth0" {
				t.Errorf("connections?%s lists a %v connection", q, st)
			}
		}
	}
	for _, ident := range []string{"https://a.example/", "https://b.example/"} {
		wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", mgmt, map[string]any{"identifier": ident}), 201)
	}
	q := "identifiers[0]=" + url.QueryEscape("https://a.example/") + "&identifiers[1]=" + url.QueryEscape("https://b.example/")
	if got := call(t, s, "GET", "/api/v2/resource-servers?"+q, mgmt, nil).array(t); len(got) != 2 {
		t.Fatalf("resource-servers?%s lists %d APIs, want 2", q, len(got))
	}
}

// An existing database connection cannot be given a non-unique email
// attribute: Auth0 answers 400 "cannot add non-unique email attribute"
// (terraform-provider-auth0 TestAccConnectionAddEmailAttributeNonUnique;
// its docs: only new connections are created with non-unique emails), and
// the connection is left as it was. A unique one is added (...Unique).
func TestConnectionPatchNonUniqueEmailAttribute(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	mgmt := mgmtToken(t, s)
	a := call(t, s, "POST", "/api/v2/connections", mgmt, map[string]any{"name": "db-attrs", "strategy": "auth0",
		"options": map[string]any{"brute_force_protection": true}})
	wantStatus(t, a, 201)
	path := "/api/v2/connections/" + a.object(t)["id"].(string)
	attrs := func(unique bool) map[string]any {
		return map[string]any{"options": map[string]any{"brute_force_protection": true, "attributes": map[string]any{
			"email": map[string]any{"identifier": map[string]any{"active": false}, "profile_required": true,
				"signup": map[string]any{"status": "required", "verification": map[string]any{"active": false}}, "verification_method": "link", "unique": unique},
			"username": map[string]any{"identifier": map[string]any{"active": true}, "profile_required": true, "signup": map[string]any{"status": "required"}},
		}}}
	}
	wantError(t, call(t, s, "PATCH", path, mgmt, attrs(false)), 400, "cannot add non-unique email attribute", "invalid_body")
	if o := call(t, s, "GET", path, mgmt, nil).object(t)["options"].(map[string]any); o["attributes"] != nil {
		t.Errorf("the refused PATCH changed the connection: %v", o["attributes"])
	}
	wantStatus(t, call(t, s, "PATCH", path, mgmt, attrs(true)), 200)
	wantError(t, call(t, s, "PATCH", path, mgmt, attrs(false)), 400, "cannot add non-unique email attribute", "invalid_body")
}
