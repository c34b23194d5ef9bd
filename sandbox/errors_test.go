package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
)

// wantError checks an Auth0 Management API error answer exactly.
func wantError(t *testing.T, a answer, status int, message, code string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	body := a.object(t)
	if body["statusCode"] != float64(status) || body["error"] != http.StatusText(status) || body["message"] != message {
		t.Errorf("body %s, want message %q", a.raw, message)
	}
	if got, _ := body["errorCode"].(string); got != code {
		t.Errorf("errorCode %q, want %q", got, code)
	}
}

func TestManagementAuthentication(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	claimsFor := func(exp int64, aud string) claims {
		return claims{"iss": s.BaseURL + "/", "sub": s.ClientID + "@clients", "aud": aud, "iat": now - 100, "exp": exp, "scope": "read:clients"}
	}
	signWith := func(k *rsa.PrivateKey, c claims) string {
		raw, err := signJWT(c, jwa.RS256, k, "")
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	hsRaw, err := signJWT(claimsFor(now+100, s.Audience), jwa.HS256, []byte("secret"), "")
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, header, message string
	}{
		{"no header", "", "Missing authentication"},
		{"not bearer", "Basic abc", "Bad HTTP authentication header format"},
		{"garbage", "Bearer not-a-jwt", "Invalid token"},
		{"expired", "Bearer " + signWith(testKey(), claimsFor(now-10, s.Audience)), "Expired token received for JSON Web Token validation"},
		{"other key", "Bearer " + signWith(other, claimsFor(now+100, s.Audience)), "Invalid signature received for JSON Web Token validation"},
		{"HS256", "Bearer " + hsRaw, "Invalid signature received for JSON Web Token validation"},
		{"wrong audience", "Bearer " + signWith(testKey(), claimsFor(now+100, "https://api.example.com/")), "Bad audience: https://api.example.com/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", s.BaseURL+"/api/v2/clients", nil)
			if c.header != "" {
				req.Header.Set("Authorization", c.header)
			}
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("the answer is not JSON: %v", err)
			}
			if resp.StatusCode != 401 || body["message"] != c.message || body["error"] != "Unauthorized" || body["statusCode"] != float64(401) {
				t.Errorf("%d %v, want 401 %q", resp.StatusCode, body, c.message)
			}
		})
	}
}

// A second machine-to-machine application, granted fewer Management API
// scopes through the Management API itself, meets Auth0's 403s.
func TestInsufficientScope(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	admin := mgmtToken(t, s)
	app := call(t, s, "POST", "/api/v2/clients", admin, map[string]any{"name": "limited", "app_type": "non_interactive", "grant_types": []string{"client_credentials"}})
	wantStatus(t, app, 201)
	id, secret := app.object(t)["client_id"].(string), app.object(t)["client_secret"].(string)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", admin, map[string]any{
		"client_id": id, "audience": s.Audience, "scope": []string{"read:clients", "read:resource_servers", "read:connections", "read:users"},
	}), 201)
	limited := token(t, s, id, secret, s.Audience)

	wantError(t, call(t, s, "POST", "/api/v2/client-grants", limited, map[string]any{"client_id": id, "audience": s.Audience, "scope": []string{}}),
		403, "Insufficient scope, expected any of: create:client_grants", "insufficient_scope")
	wantError(t, call(t, s, "POST", "/api/v2/resource-servers", limited, map[string]any{"identifier": "x"}),
		403, "Insufficient scope, expected any of: create:resource_servers", "insufficient_scope")
	wantError(t, call(t, s, "POST", "/api/v2/clients/"+id+"/rotate-secret", limited, nil),
		403, "Insufficient scope, expected any of: update:client_keys", "insufficient_scope")
	wantError(t, call(t, s, "PATCH", "/api/v2/connections/con_x/clients", limited, []any{}),
		403, "Insufficient scope, expected any of: update:connections", "insufficient_scope")
	wantError(t, call(t, s, "POST", "/api/v2/users", limited, map[string]any{}),
		403, "Insufficient scope, expected any of: create:users", "insufficient_scope")
	wantError(t, call(t, s, "GET", "/api/v2/client-grants", limited, nil),
		403, "Insufficient scope, expected any of: read:client_grants", "insufficient_scope")

	// read:clients without read:client_keys: no secrets.
	got := call(t, s, "GET", "/api/v2/clients/"+id, limited, nil)
	wantStatus(t, got, 200)
	if _, ok := got.object(t)["client_secret"]; ok {
		t.Error("client_secret shown without read:client_keys")
	}
	list := call(t, s, "GET", "/api/v2/clients", limited, nil)
	wantStatus(t, list, 200)
	for _, c := range list.array(t) {
		if _, ok := c.(map[string]any)["client_secret"]; ok {
			t.Error("client list shows secrets without read:client_keys")
		}
	}
	// The other way round: a token with none of the list scopes.
	summary := call(t, s, "POST", "/api/v2/clients", admin, map[string]any{"name": "summary"}).object(t)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", admin, map[string]any{
		"client_id": summary["client_id"], "audience": s.Audience, "scope": []string{"read:users"},
	}), 201)
	st := token(t, s, summary["client_id"].(string), summary["client_secret"].(string), s.Audience)
	wantError(t, call(t, s, "GET", "/api/v2/clients", st, nil),
		403, "Insufficient scope, expected any of: read:clients, read:client_summary", "insufficient_scope")
}

func TestNotFoundAndIdempotentDelete(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	cases := []struct {
		path, message, code string
	}{
		{"/api/v2/resource-servers/5f0000000000000000000000", "The resource server does not exist", "inexistent_resource_server"},
		{"/api/v2/clients/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "The client does not exist", "inexistent_client"},
		{"/api/v2/client-grants/cgr_AAAAAAAAAAAAAAAA", "The grant does not exist.", "inexistent_client_grant"},
		{"/api/v2/connections/con_AAAAAAAAAAAAAAAA", "The connection does not exist", "inexistent_connection"},
		{"/api/v2/users/auth0%7C5f0000000000000000000000", "The user does not exist.", "inexistent_user"},
	}
	for _, c := range cases {
		wantError(t, call(t, s, "GET", c.path, tok, nil), 404, c.message, c.code)
		wantStatus(t, call(t, s, "DELETE", c.path, tok, nil), 204)
	}
	wantError(t, call(t, s, "GET", "/api/v2/no-such-thing", tok, nil), 404, "Not Found", "")
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	rs := map[string]any{"name": "calc", "identifier": "basic-calculator"}
	wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", tok, rs), 201)
	wantError(t, call(t, s, "POST", "/api/v2/resource-servers", tok, rs), 409, "A resource server with the same identifier already exists", "conflict")

	grant := map[string]any{"client_id": s.ClientID, "audience": "basic-calculator", "scope": []string{}}
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", tok, grant), 201)
	wantError(t, call(t, s, "POST", "/api/v2/client-grants", tok, grant), 409,
		"A client grant already exists between "+s.ClientID+" and basic-calculator", "conflict")
	// A grant to the system API names only the scopes it has.
	extra := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "extra"}).object(t)
	wantError(t, call(t, s, "POST", "/api/v2/client-grants", tok, map[string]any{"client_id": extra["client_id"], "audience": s.Audience, "scope": []string{"read:clients", "fly:away"}}),
		400, "Payload validation error: scope must be a subset of resource server scopes", "invalid_body")
	// The same pair for users is another grant.
	grant["subject_type"] = "user"
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", tok, grant), 201)

	conn := map[string]any{"name": "BasicCalculator", "strategy": "auth0"}
	wantStatus(t, call(t, s, "POST", "/api/v2/connections", tok, conn), 201)
	wantError(t, call(t, s, "POST", "/api/v2/connections", tok, conn), 409, "A connection with the same name already exists", "connection_conflict")

	user := map[string]any{"connection": "BasicCalculator", "email": "ada@example.com", "password": "Correct-Horse-9"}
	wantStatus(t, call(t, s, "POST", "/api/v2/users", tok, user), 201)
	user["email"] = "ADA@example.com"
	wantError(t, call(t, s, "POST", "/api/v2/users", tok, user), 409, "The user already exists.", "auth0_idp_error")
}

func TestPayloadValidation(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	cases := []struct {
		name, method, path, body, message string
	}{
		{"malformed", "POST", "/api/v2/clients", `{"name":`, "Invalid request payload JSON format"},
		{"trailing data", "POST", "/api/v2/clients", `{"name":"a"} x`, "Invalid request payload JSON format"},
		{"not an object", "POST", "/api/v2/resource-servers", `["x"]`, "Payload validation error: 'Expected type object but found type array'."},
		{"unknown field", "POST", "/api/v2/resource-servers", `{"identifier":"a","colour":"red"}`, "Payload validation error: 'Additional properties not allowed: colour'."},
		{"missing identifier", "POST", "/api/v2/resource-servers", `{"name":"a"}`, "Payload validation error: 'Missing required property: identifier'."},
		{"wrong type", "POST", "/api/v2/resource-servers", `{"identifier":"a","token_lifetime":"long"}`, "Payload validation error: 'Expected type integer but found type string' on property token_lifetime."},
		{"enum", "POST", "/api/v2/resource-servers", `{"identifier":"a","signing_alg":"none"}`, `Payload validation error: 'No enum match for: "none"' on property signing_alg.`},
		{"identifier is immutable", "PATCH", "/api/v2/resource-servers/" + url.PathEscape(s.Audience), `{"identifier":"b"}`, "Payload validation error: 'Additional properties not allowed: identifier'."},
		{"system API name", "PATCH", "/api/v2/resource-servers/" + url.PathEscape(s.Audience), `{"name":"b"}`, "Payload validation error: 'Additional properties not allowed: name'."},
		{"client name type", "POST", "/api/v2/clients", `{"name":7}`, "Payload validation error: 'Expected type string but found type integer' on property name."},
		{"client_metadata value", "POST", "/api/v2/clients", `{"name":"a","client_metadata":{"n":1}}`, "Payload validation error: 'Expected type string but found type integer' on property client_metadata.n."},
		{"grant scope items", "POST", "/api/v2/client-grants", `{"client_id":"x","audience":"y","scope":[1]}`, "Payload validation error: 'Expected type string but found type integer' on property scope[0]."},
		{"connection name", "POST", "/api/v2/connections", `{"name":"bad name","strategy":"auth0"}`, `Payload validation error: 'String does not match pattern ^[a-zA-Z0-9](?:[a-zA-Z0-9\-]*[a-zA-Z0-9])?$: bad name' on property name.`},
		{"enabled clients body", "PATCH", "/api/v2/connections/con_x/clients", `{}`, ""},
		{"user email", "POST", "/api/v2/users", `{"connection":"` + defaultConnectionName + `","email":"nope","password":"Correct-Horse-9"}`, "Payload validation error: 'Object didn't pass validation for format email: nope' on property email."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := call(t, s, c.method, c.path, tok, c.body)
			if c.message == "" {
				if a.status != 400 && a.status != 404 {
					t.Errorf("status %d: %s", a.status, a.raw)
				}
				return
			}
			wantError(t, a, 400, c.message, "invalid_body")
		})
	}
	// The system API cannot be deleted.
	a := call(t, s, "DELETE", "/api/v2/resource-servers/"+url.PathEscape(s.Audience), tok, nil)
	if a.status != 400 {
		t.Errorf("deleting the system API: %d %s", a.status, a.raw)
	}
}

func TestPasswordPolicies(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	cases := []struct {
		policy, password string
		ok               bool
	}{
		{"none", "a", true},
		{"low", "abcde", false},
		{"low", "abcdef", true},
		{"fair", "abcdefgh", false},
		{"fair", "Abcdefg1", true},
		{"good", "abcdefg1", false},
		{"good", "Abcdefg1", true},
		{"good", "Ab cdefg", true},
		{"good", "Ab1!", false},
		{"excellent", "Abcdefgh1", false},
		{"excellent", "Abcdeffff1", false},
		{"excellent", "Abcdefgh12", true},
	}
	made := map[string]bool{}
	for i, c := range cases {
		name := "policy-" + c.policy
		if !made[name] {
			wantStatus(t, call(t, s, "POST", "/api/v2/connections", tok, map[string]any{
				"name": name, "strategy": "auth0", "options": map[string]any{"passwordPolicy": c.policy},
			}), 201)
			made[name] = true
		}
		a := call(t, s, "POST", "/api/v2/users", tok, map[string]any{
			"connection": name, "email": "u" + itoa(int64(i)) + "@example.com", "password": c.password,
		})
		switch {
		case c.ok && a.status != 201:
			t.Errorf("%s %q: %d %s", c.policy, c.password, a.status, a.raw)
		case !c.ok:
			wantError(t, a, 400, "PasswordStrengthError: Password is too weak", "")
		}
	}
	// password_options.complexity, as recorded.
	wantStatus(t, call(t, s, "POST", "/api/v2/connections", tok, map[string]any{
		"name": "complex", "strategy": "auth0", "options": map[string]any{"password_options": map[string]any{
			"complexity": map[string]any{"min_length": 12, "character_types": []string{"uppercase", "lowercase", "number", "special"}, "character_type_rule": "three_of_four"},
		}},
	}), 201)
	wantError(t, call(t, s, "POST", "/api/v2/users", tok, map[string]any{"connection": "complex", "email": "c@example.com", "password": "Short1!"}),
		400, "PasswordStrengthError: Password is too weak", "")
	wantStatus(t, call(t, s, "POST", "/api/v2/users", tok, map[string]any{"connection": "complex", "email": "c@example.com", "password": "longenough12AB"}), 201)
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	big := `{"name":"` + strings.Repeat("a", maxBody) + `"}`
	a := call(t, s, "POST", "/api/v2/clients", tok, big)
	if a.status != 413 {
		t.Fatalf("status %d", a.status)
	}
	// Without a Content-Length (chunked), the cap still holds.
	req, _ := http.NewRequest("POST", s.BaseURL+"/oauth/token", struct{ *strings.Reader }{strings.NewReader("grant_type=" + strings.Repeat("x", maxBody))})
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 413 {
		t.Errorf("token endpoint: %d", resp.StatusCode)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	admin := mgmtToken(t, s)
	wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", admin, map[string]any{"identifier": "basic-calculator"}), 201)
	spa := call(t, s, "POST", "/api/v2/clients", admin, map[string]any{"name": "spa", "grant_types": []string{"authorization_code"}}).object(t)
	realm := call(t, s, "POST", "/api/v2/clients", admin, map[string]any{"name": "realm", "grant_types": []string{"http://auth0.com/oauth/grant-type/password-realm"}}).object(t)
	conns := call(t, s, "GET", "/api/v2/connections?name="+defaultConnectionName, admin, nil).array(t)
	connID := conns[0].(map[string]any)["id"].(string)
	wantStatus(t, call(t, s, "PATCH", "/api/v2/connections/"+connID+"/clients", admin, []map[string]any{{"client_id": realm["client_id"], "status": true}}), 204)
	wantStatus(t, call(t, s, "POST", "/api/v2/users", admin, map[string]any{"connection": defaultConnectionName, "email": "ada@example.com", "password": "Correct-Horse-9"}), 201)

	cc := func(id, secret, audience string) url.Values {
		return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "audience": {audience}}
	}
	pw := func(id, secret, user, password string) url.Values {
		return url.Values{"grant_type": {"http://auth0.com/oauth/grant-type/password-realm"}, "client_id": {id}, "client_secret": {secret},
			"username": {user}, "password": {password}, "realm": {defaultConnectionName}}
	}
	grantMsg := `Client is not authorized to access "basic-calculator". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`
	cases := []struct {
		name        string
		form        url.Values
		status      int
		code, descr string
	}{
		{"wrong secret", cc(s.ClientID, "nope", s.Audience), 401, "access_denied", "Unauthorized"},
		{"unknown client", cc("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "nope", s.Audience), 401, "access_denied", "Unauthorized"},
		{"unknown audience", cc(s.ClientID, s.ClientSecret, "https://nowhere/"), 403, "access_denied", "Service not found: https://nowhere/"},
		{"no audience", cc(s.ClientID, s.ClientSecret, ""), 403, "access_denied", "No audience parameter was provided, and no default audience has been configured"},
		{"no grant", cc(s.ClientID, s.ClientSecret, "basic-calculator"), 403, "access_denied", grantMsg},
		{"grant type not allowed", cc(spa["client_id"].(string), spa["client_secret"].(string), "basic-calculator"), 403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client."},
		{"missing grant_type", url.Values{"client_id": {s.ClientID}}, 400, "invalid_request", "Missing required parameter: grant_type"},
		{"password-realm not allowed", pw(s.ClientID, s.ClientSecret, "ada@example.com", "Correct-Horse-9"), 403, "unauthorized_client", "Grant type 'http://auth0.com/oauth/grant-type/password-realm' not allowed for the client."},
		{"wrong password", pw(realm["client_id"].(string), realm["client_secret"].(string), "ada@example.com", "wrong"), 403, "invalid_grant", "Wrong email or password."},
		{"unknown user", pw(realm["client_id"].(string), realm["client_secret"].(string), "bob@example.com", "Correct-Horse-9"), 403, "invalid_grant", "Wrong email or password."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := s.Client().PostForm(s.BaseURL+"/oauth/token", c.form)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("the answer is not JSON: %v", err)
			}
			if resp.StatusCode != c.status || body["error"] != c.code || body["error_description"] != c.descr {
				t.Errorf("%d %v, want %d %s %q", resp.StatusCode, body, c.status, c.code, c.descr)
			}
		})
	}

	// The password-realm grant that works: a user token, aud an array
	// with openid and an API audience.
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", admin, map[string]any{"client_id": realm["client_id"], "audience": "basic-calculator", "scope": []string{}}), 201)
	form := pw(realm["client_id"].(string), realm["client_secret"].(string), "ada@example.com", "Correct-Horse-9")
	form.Set("audience", "basic-calculator")
	form.Set("scope", "openid email")
	resp, err := s.Client().PostForm(s.BaseURL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("the answer is not JSON: %v", err)
	}
	if resp.StatusCode != 200 || body["id_token"] == nil || body["scope"] != "openid email" {
		t.Fatalf("password-realm: %d %v", resp.StatusCode, body)
	}
	_, tc := relyingParty(t, body["access_token"].(string), jwa.RS256, &testKey().PublicKey)
	aud := claims(tc).audience()
	sub, _ := tc["sub"].(string)
	if len(aud) != 2 || aud[0] != "basic-calculator" || aud[1] != s.BaseURL+"/userinfo" || !strings.HasPrefix(sub, "auth0|") {
		t.Errorf("user token claims: %v", tc)
	}
	ui := call(t, s, "GET", "/userinfo", body["access_token"].(string), nil)
	wantStatus(t, ui, 200)
	if u := ui.object(t); u["email"] != "ada@example.com" || u["sub"] != sub {
		t.Errorf("userinfo: %s", ui.raw)
	}
	if a := call(t, s, "GET", "/userinfo", "garbage", nil); a.status != 401 {
		t.Errorf("userinfo with a bad token: %d", a.status)
	}
}
