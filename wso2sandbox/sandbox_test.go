package wso2sandbox_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// These tests speak raw HTTP to the stand-in, as WSO2's documents show the
// calls, so they hold it to the documents independently of wso2client.

type stand struct {
	t     *testing.T
	w     *wso2sandbox.Server
	http  *http.Client
	a0    *sandbox.Server
	auth0 *auth0client.Client
}

func start(t *testing.T, opts wso2sandbox.Options, withAuth0 bool) *stand {
	t.Helper()
	s := &stand{t: t}
	if withAuth0 {
		a0, err := sandbox.New(sandbox.Options{})
		if err != nil {
			t.Fatalf("sandbox.New: %v", err)
		}
		t.Cleanup(func() { _ = a0.Close() })
		s.a0 = a0
		opts.Auth0Client = a0.Client()
		if s.auth0, err = auth0client.New(auth0client.Config{Domain: a0.Domain, ClientID: a0.ClientID, ClientSecret: a0.ClientSecret, CAPEM: a0.CAPEM}); err != nil {
			t.Fatalf("auth0client.New: %v", err)
		}
	}
	w, err := wso2sandbox.New(opts)
	if err != nil {
		t.Fatalf("wso2sandbox.New: %v", err)
	}
	t.Cleanup(func() { _ = w.Close() })
	s.w = w
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(w.CAPEM)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	s.http = &http.Client{Transport: tr}
	return s
}

// do sends a request and decodes a JSON answer (nil when there is none).
func (s *stand) do(method, path string, body any, header map[string]string) (int, map[string]any) {
	s.t.Helper()
	var rd io.Reader
	ct := "application/json"
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd = strings.NewReader(b)
	default:
		data, _ := json.Marshal(b)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.w.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 {
		if err := json.Unmarshal(data, &out); err != nil {
			s.t.Fatalf("%s %s answered %d with a body that is not a JSON object: %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode, out
}

func basic(user, password string) map[string]string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, password)
	return map[string]string{"Authorization": r.Header.Get("Authorization")}
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

var dcrBody = map[string]any{"callbackUrl": "www.google.lk", "clientName": "rest_api_admin", "owner": "admin",
	"grantType": "client_credentials password refresh_token", "saasApp": true}

// token registers a client as the documents show and gets a password-grant
// token for the user with the scopes.
func (s *stand) token(user, password, scopes string) string {
	s.t.Helper()
	body := map[string]any{}
	for k, v := range dcrBody {
		body[k] = v
	}
	body["owner"] = user
	st, reg := s.do("POST", "/client-registration/v0.17/register", body, basic(user, password))
	if st != http.StatusOK {
		s.t.Fatalf("register = %d %v", st, reg)
	}
	st, tok := s.do("POST", "/oauth2/token", url.Values{"grant_type": {"password"}, "username": {user}, "password": {password}, "scope": {scopes}},
		basic(reg["clientId"].(string), reg["clientSecret"].(string)))
	if st != http.StatusOK {
		s.t.Fatalf("token = %d %v", st, tok)
	}
	return tok["access_token"].(string)
}

func (s *stand) adminToken() string {
	return s.token(s.w.AdminUser, s.w.AdminPassword, "apim:admin apim:admin_operations apim:subscribe apim:app_manage")
}

func wantStatus(t *testing.T, what string, got, want int, body map[string]any) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %d %v, want %d", what, got, body, want)
	}
	if want >= 400 && body != nil {
		if _, ok := body["code"]; !ok {
			if _, ok := body["error"]; !ok {
				t.Fatalf("%s: error body %v is neither WSO2's Error object nor an OAuth error", what, body)
			}
		}
	}
}

func TestRegistrationAndToken(t *testing.T) {
	t.Parallel()
	s := start(t, wso2sandbox.Options{}, false)
	st, body := s.do("POST", "/client-registration/v0.17/register", dcrBody, basic("admin", "wrong"))
	wantStatus(t, "register with a wrong password", st, http.StatusUnauthorized, body)

	st, first := s.do("POST", "/client-registration/v0.17/register", dcrBody, basic(s.w.AdminUser, s.w.AdminPassword))
	wantStatus(t, "register", st, http.StatusOK, first)
	for _, f := range []string{"clientId", "clientName", "callBackURL", "clientSecret", "isSaasApplication", "appOwner", "jsonString"} {
		if _, ok := first[f]; !ok {
			t.Errorf("registration answer lacks %s: %v", f, first)
		}
	}
	_, again := s.do("POST", "/client-registration/v0.17/register", dcrBody, basic(s.w.AdminUser, s.w.AdminPassword))
	if again["clientId"] != first["clientId"] || again["clientSecret"] != first["clientSecret"] {
		t.Errorf("a second registration of the same name and owner made another client")
	}
	other := map[string]any{"clientName": "x", "owner": "someone-else", "grantType": "password", "saasApp": true, "callbackUrl": ""}
	st, body = s.do("POST", "/client-registration/v0.17/register", other, basic(s.w.AdminUser, s.w.AdminPassword))
	wantStatus(t, "register for another owner", st, http.StatusForbidden, body)

	client := basic(first["clientId"].(string), first["clientSecret"].(string))
	st, body = s.do("POST", "/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"admin"}, "password": {"wrong"}, "scope": {"apim:admin"}}, client)
	wantStatus(t, "password grant with a wrong password", st, http.StatusBadRequest, body)
	if body["error"] != "invalid_grant" {
		t.Errorf("error = %v, want invalid_grant", body["error"])
	}
	st, body = s.do("POST", "/token", url.Values{"grant_type": {"password"}, "username": {"admin"}, "password": {s.w.AdminPassword}, "scope": {"apim:admin"}},
		basic(first["clientId"].(string), "wrong"))
	wantStatus(t, "password grant with a wrong client secret", st, http.StatusUnauthorized, body)

	s.w.AddUser("dev", "dev-pw", "apim:subscribe")
	st, body = s.do("POST", "/oauth2/token", url.Values{"grant_type": {"password"}, "username": {"dev"}, "password": {"dev-pw"}, "scope": {"apim:admin apim:subscribe"}}, client)
	wantStatus(t, "dev's token", st, http.StatusOK, body)
	if body["scope"] != "apim:subscribe" {
		t.Errorf("dev's token scope = %v, want only the scope dev has", body["scope"])
	}
}

func TestAdminRefusals(t *testing.T) {
	t.Parallel()
	s := start(t, wso2sandbox.Options{}, false)
	const kms = "/api/am/admin/v1/key-managers"
	st, body := s.do("GET", kms, nil, nil)
	wantStatus(t, "list without a token", st, http.StatusUnauthorized, body)

	s.w.AddUser("dev", "dev-pw", "apim:subscribe", "apim:app_manage")
	st, body = s.do("GET", kms, nil, bearer(s.token("dev", "dev-pw", "apim:admin apim:admin_operations apim:subscribe")))
	wantStatus(t, "list with a subscriber's token", st, http.StatusForbidden, body)

	tok := bearer(s.adminToken())
	st, body = s.do("GET", kms, nil, tok)
	wantStatus(t, "list", st, http.StatusOK, body)
	if body["count"].(float64) != 1 || body["list"].([]any)[0].(map[string]any)["name"] != "Resident Key Manager" {
		t.Errorf("a new API Manager's key managers = %v", body)
	}

	valid := map[string]any{"name": "Auth0", "type": "Auth0", "additionalProperties": map[string]any{
		"client_id": "id", "client_secret": "secret", "audience": "https://t.example/api/v2/"}}
	for _, tc := range []struct {
		name string
		body any
	}{
		{"unknown field", map[string]any{"name": "A", "type": "Auth0", "alias": "x"}},
		{"no type", map[string]any{"name": "A"}},
		{"no name", map[string]any{"type": "Auth0"}},
		{"unknown type", map[string]any{"name": "A", "type": "Nope"}},
		{"no connector secret", map[string]any{"name": "A", "type": "Auth0", "additionalProperties": map[string]any{"client_id": "id", "audience": "a"}}},
		{"bad certificate type", map[string]any{"name": "A", "type": "default", "certificates": map[string]any{"type": "X509"}}},
		{"not JSON", "{"},
	} {
		st, body := s.do("POST", kms, tc.body, tok)
		wantStatus(t, "create with "+tc.name, st, http.StatusBadRequest, body)
	}
	st, created := s.do("POST", kms, valid, tok)
	wantStatus(t, "create", st, http.StatusCreated, created)
	if created["enableSelfValidationJWT"] != true || created["enableTokenHashing"] != false || created["enabled"] != true || created["id"] == "" {
		t.Errorf("created key manager lacks the documented defaults: %v", created)
	}
	st, body = s.do("POST", kms, valid, tok)
	wantStatus(t, "create a name in use", st, http.StatusConflict, body)
	if body["code"] != float64(901402) || body["message"] != "Key Manager Already Exists" {
		t.Errorf("name in use = %v, want WSO2's KEY_MANAGER_ALREADY_EXIST (901402)", body)
	}

	for _, m := range []string{"GET", "PUT", "DELETE"} {
		st, body := s.do(m, kms+"/01234567-0123-0123-0123-012345678901", valid, tok)
		wantStatus(t, m+" an unknown id", st, http.StatusNotFound, body)
	}
	id := created["id"].(string)
	changed := map[string]any{"name": "Auth0", "type": "Auth0", "description": "d", "additionalProperties": valid["additionalProperties"]}
	st, body = s.do("PUT", kms+"/"+id, changed, tok)
	wantStatus(t, "update", st, http.StatusOK, body)
	st, body = s.do("DELETE", kms+"/"+id, nil, tok)
	wantStatus(t, "delete", st, http.StatusOK, body)
}

func TestDevPortalRefusals(t *testing.T) {
	t.Parallel()
	s := start(t, wso2sandbox.Options{}, false)
	const apps = "/api/am/store/v1/applications"
	tok := bearer(s.adminToken())
	s.w.AddUser("ops", "ops-pw", "apim:admin")
	st, body := s.do("POST", apps, map[string]any{"name": "A", "throttlingPolicy": "Unlimited"}, bearer(s.token("ops", "ops-pw", "apim:admin apim:subscribe")))
	wantStatus(t, "create with an admin-only token", st, http.StatusForbidden, body)

	for _, tc := range []struct {
		name string
		body any
	}{
		{"no throttling policy", map[string]any{"name": "A"}},
		{"unknown policy", map[string]any{"name": "A", "throttlingPolicy": "Gold+"}},
		{"unknown field", map[string]any{"name": "A", "throttlingPolicy": "Unlimited", "callbackUrl": "x"}},
	} {
		st, body := s.do("POST", apps, tc.body, tok)
		wantStatus(t, "create with "+tc.name, st, http.StatusBadRequest, body)
	}
	st, app := s.do("POST", apps, map[string]any{"name": "A", "throttlingPolicy": "Unlimited"}, tok)
	wantStatus(t, "create", st, http.StatusCreated, app)
	if app["status"] != "APPROVED" || app["owner"] != "admin" || app["tokenType"] != "JWT" {
		t.Errorf("created application = %v", app)
	}
	st, body = s.do("POST", apps, map[string]any{"name": "A", "throttlingPolicy": "10PerMin"}, tok)
	wantStatus(t, "create a name in use", st, http.StatusConflict, body)
	st, body = s.do("GET", apps+"?query=A", nil, tok)
	wantStatus(t, "search", st, http.StatusOK, body)
	if body["count"].(float64) != 1 {
		t.Errorf("search by name = %v", body)
	}

	id := app["applicationId"].(string)
	st, body = s.do("POST", apps+"/"+id+"/generate-keys", map[string]any{"keyType": "PRODUCTION", "keyManager": "Resident Key Manager"}, tok)
	wantStatus(t, "generate keys without grantTypesToBeSupported", st, http.StatusBadRequest, body)
	st, body = s.do("POST", apps+"/"+id+"/generate-keys", map[string]any{"keyType": "PROD", "grantTypesToBeSupported": []string{}}, tok)
	wantStatus(t, "generate keys of an unknown key type", st, http.StatusBadRequest, body)
	st, body = s.do("POST", apps+"/"+id+"/generate-keys", map[string]any{"keyType": "PRODUCTION", "keyManager": "Nope", "grantTypesToBeSupported": []string{}}, tok)
	wantStatus(t, "generate keys with an unknown key manager", st, http.StatusBadRequest, body)
	st, body = s.do("POST", apps+"/01234567-0123-0123-0123-012345678901/generate-keys", map[string]any{"keyType": "PRODUCTION", "grantTypesToBeSupported": []string{}}, tok)
	wantStatus(t, "generate keys of an unknown application", st, http.StatusNotFound, body)
	st, body = s.do("POST", apps+"/"+id+"/oauth-keys/01234567-0123-0123-0123-012345678901/generate-token", map[string]any{}, tok)
	wantStatus(t, "generate a token with an unknown key mapping", st, http.StatusNotFound, body)
	st, body = s.do("DELETE", apps+"/01234567-0123-0123-0123-012345678901", nil, tok)
	wantStatus(t, "delete an unknown application", st, http.StatusNotFound, body)

	// Another user does not see the application.
	s.w.AddUser("bob", "bob-pw", "apim:subscribe")
	st, body = s.do("GET", apps+"/"+id, nil, bearer(s.token("bob", "bob-pw", "apim:subscribe")))
	wantStatus(t, "another user's application", st, http.StatusNotFound, body)
}

// auth0KeyManager is the Auth0 key manager DTO for the tenant.
func (s *stand) auth0KeyManager() map[string]any {
	return map[string]any{
		"name": "Auth0", "type": "Auth0", "tokenEndpoint": s.a0.BaseURL + "/oauth/token", "issuer": s.a0.BaseURL + "/",
		"certificates":         map[string]any{"type": "JWKS", "value": s.a0.BaseURL + "/.well-known/jwks.json"},
		"additionalProperties": map[string]any{"client_id": s.a0.ClientID, "client_secret": s.a0.ClientSecret, "audience": s.a0.Audience, "self_validate_jwt": true},
	}
}

func TestConnectorGuideGeneration(t *testing.T) {
	t.Parallel()
	s := start(t, wso2sandbox.Options{ServerURL: "https://apim.example.com:9443"}, true)
	ctx := context.Background()
	tok := bearer(s.adminToken())
	st, body := s.do("POST", "/api/am/admin/v1/key-managers", s.auth0KeyManager(), tok)
	wantStatus(t, "create the key manager", st, http.StatusCreated, body)
	rs, err := s.auth0.FindResourceServer(ctx, "https://apim.example.com:9443")
	if err != nil || rs.Name != wso2sandbox.ResourceServerName {
		t.Fatalf("resource server for the server URL = %+v, %v", rs, err)
	}

	st, app := s.do("POST", "/api/am/store/v1/applications", map[string]any{"name": "Shop", "throttlingPolicy": "Unlimited"}, tok)
	wantStatus(t, "create the application", st, http.StatusCreated, app)
	id := app["applicationId"].(string)
	st, key := s.do("POST", "/api/am/store/v1/applications/"+id+"/generate-keys", map[string]any{
		"keyType": "PRODUCTION", "keyManager": "Auth0", "grantTypesToBeSupported": []string{"client_credentials"},
		"callbackUrl": "https://shop.example/cb",
	}, tok)
	wantStatus(t, "generate keys", st, http.StatusOK, key)
	c, err := s.auth0.GetClient(ctx, key["consumerKey"].(string))
	if err != nil {
		t.Fatalf("the connector's Auth0 application: %v", err)
	}
	// The connector's defaults: regular_web, client_secret_basic; the name <user><app>_<KEYTYPE>.
	if c.Name != "adminShop_PRODUCTION" || c.AppType != "regular_web" || c.TokenEndpointAuthMethod != "client_secret_basic" ||
		len(c.Callbacks) != 1 || c.Callbacks[0] != "https://shop.example/cb" || len(c.GrantTypes) != 1 || c.GrantTypes[0] != "client_credentials" {
		t.Fatalf("Auth0 application = %+v", c)
	}
	if key["keyState"] != "COMPLETED" || key["consumerSecret"] != c.ClientSecret || key["keyMappingId"] == "" {
		t.Fatalf("ApplicationKey = %v", key)
	}
	gen := "/api/am/store/v1/applications/" + id + "/oauth-keys/" + key["keyMappingId"].(string) + "/generate-token"
	st, body = s.do("POST", gen, map[string]any{"consumerSecret": c.ClientSecret, "validityPeriod": 3600}, tok)
	wantStatus(t, "generate a token before step 3.3", st, http.StatusInternalServerError, body)
	if body["description"] != wso2sandbox.GuideTokenRefusal {
		t.Fatalf("description = %v, want the connector's %q", body["description"], wso2sandbox.GuideTokenRefusal)
	}
	if _, err := s.auth0.CreateClientGrant(ctx, steps.ClientGrant{ClientID: c.ClientID, Audience: "https://apim.example.com:9443", Scope: []string{}}); err != nil {
		t.Fatal(err)
	}
	st, body = s.do("POST", gen, map[string]any{"consumerSecret": c.ClientSecret, "validityPeriod": 3600, "unknown": 1}, tok)
	wantStatus(t, "generate a token with an unknown field", st, http.StatusBadRequest, body)
	st, body = s.do("POST", gen, map[string]any{"consumerSecret": c.ClientSecret, "validityPeriod": 3600}, tok)
	wantStatus(t, "generate a token", st, http.StatusOK, body)
	if body["accessToken"] == "" || body["validityTime"] == nil {
		t.Fatalf("ApplicationToken = %v", body)
	}
	check, err := s.auth0.ClientCredentialsToken(ctx, c.ClientID, c.ClientSecret, "https://apim.example.com:9443")
	if err != nil || !check.Verified {
		t.Fatalf("the connector-era token request by the application itself: %+v, %v", check, err)
	}

	st, body = s.do("DELETE", "/api/am/store/v1/applications/"+id, nil, tok)
	wantStatus(t, "delete the application", st, http.StatusOK, body)
	if _, err := s.auth0.GetClient(ctx, c.ClientID); err == nil {
		t.Fatalf("the Auth0 application survived the WSO2 application's deletion")
	}
}

func TestConnectorV1Generation(t *testing.T) {
	t.Parallel()
	s := start(t, wso2sandbox.Options{Generation: wso2sandbox.GenerationV1}, true)
	ctx := context.Background()
	tok := bearer(s.adminToken())
	st, body := s.do("POST", "/api/am/admin/v1/key-managers", s.auth0KeyManager(), tok)
	wantStatus(t, "create the key manager", st, http.StatusCreated, body)
	if _, err := s.auth0.FindResourceServer(ctx, s.w.ServerURL); err == nil {
		t.Fatalf("the v1 connector made a resource server")
	}
	if _, err := s.auth0.CreateResourceServer(ctx, steps.ResourceServer{Name: "API", Identifier: "https://api.example/", Scopes: []steps.Scope{{Value: "default"}}}); err != nil {
		t.Fatal(err)
	}
	_, app := s.do("POST", "/api/am/store/v1/applications", map[string]any{"name": "Shop", "throttlingPolicy": "Unlimited"}, tok)
	id := app["applicationId"].(string)
	st, body = s.do("POST", "/api/am/store/v1/applications/"+id+"/generate-keys", map[string]any{
		"keyType": "SANDBOX", "keyManager": "Auth0", "grantTypesToBeSupported": []string{"client_credentials"}}, tok)
	wantStatus(t, "generate keys without audience_of_api", st, http.StatusBadRequest, body)
	if body["code"] != float64(901407) {
		t.Errorf("missing audience_of_api = %v, want KEY_MANAGER_MISSING_REQUIRED_PROPERTIES_IN_APPLICATION (901407)", body)
	}
	st, key := s.do("POST", "/api/am/store/v1/applications/"+id+"/generate-keys", map[string]any{
		"keyType": "SANDBOX", "keyManager": "Auth0", "grantTypesToBeSupported": []string{"client_credentials"},
		"additionalProperties": map[string]string{"app_type": "non_interactive", "token_endpoint_auth_method": "client_secret_post", "audience_of_api": "https://api.example/"},
	}, tok)
	wantStatus(t, "generate keys", st, http.StatusOK, key)
	clientID := key["consumerKey"].(string)
	c, err := s.auth0.GetClient(ctx, clientID)
	if err != nil || c.Name != "adminShop_SANDBOX" || c.AppType != "non_interactive" {
		t.Fatalf("Auth0 application = %+v, %v", c, err)
	}
	g, err := s.auth0.FindClientGrant(ctx, clientID, "https://api.example/")
	if err != nil || len(g.Scope) != 1 || g.Scope[0] != "default" {
		t.Fatalf("the v1 connector's grant = %+v, %v", g, err)
	}
	gen := "/api/am/store/v1/applications/" + id + "/oauth-keys/" + key["keyMappingId"].(string) + "/generate-token"
	st, body = s.do("POST", gen, map[string]any{"scopes": []string{"default"}}, tok)
	wantStatus(t, "generate a token", st, http.StatusOK, body)
	if scopes, _ := body["tokenScopes"].([]any); len(scopes) != 1 || scopes[0] != "default" {
		t.Errorf("tokenScopes = %v, want [default]", body["tokenScopes"])
	}
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	s := start(t, wso2sandbox.Options{}, true)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("url", s.a0.BaseURL+"/.well-known/openid-configuration")
	_ = mw.WriteField("type", "Auth0")
	_ = mw.Close()
	hdr := bearer(s.adminToken())
	hdr["Content-Type"] = mw.FormDataContentType()
	req, _ := http.NewRequest("POST", s.w.URL+"/api/am/admin/v1/key-managers/discover", &buf)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Valid bool `json:"valid"`
		Value struct {
			Issuer, TokenEndpoint, Type string
			Certificates                struct{ Type, Value string }
		} `json:"value"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("discover = %d, %v", resp.StatusCode, err)
	}
	if !out.Valid || out.Value.Issuer != s.a0.BaseURL+"/" || out.Value.TokenEndpoint != s.a0.BaseURL+"/oauth/token" ||
		out.Value.Certificates.Type != "JWKS" || out.Value.Type != "Auth0" {
		t.Fatalf("discover = %+v", out)
	}
}

func TestGivenCertificate(t *testing.T) {
	t.Parallel()
	// The caller's certificate and CA (as the Auth0 sandbox's CA would
	// sign one) are what the stand-in serves and reports: start() trusts
	// only Server.CAPEM, so the call below fails unless both are used.
	cert := signedCertificate(t)
	s := start(t, wso2sandbox.Options{Certificate: &cert.tls, CAPEM: cert.caPEM}, false)
	if !bytes.Equal(s.w.CAPEM, cert.caPEM) {
		t.Fatalf("Server.CAPEM is not the given CA")
	}
	if st, _ := s.do("GET", "/api/am/admin/v1/key-managers", nil, nil); st != http.StatusUnauthorized {
		t.Fatalf("over the given certificate: %d, want 401", st)
	}
}

type testCert struct {
	tls   tls.Certificate
	caPEM []byte
}

func signedCertificate(t *testing.T) testCert {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{
		tls:   tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key},
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
	}
}
