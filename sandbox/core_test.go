package sandbox

import (
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

func TestDiscoveryAndJWKSVerifyAToken(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	d := call(t, s, "GET", "/.well-known/openid-configuration", "", nil)
	wantStatus(t, d, 200)
	if !strings.HasPrefix(string(d.raw), `{"issuer":"`+s.BaseURL+`/"`) {
		t.Errorf("issuer must come first with a trailing slash: %s", d.raw)
	}
	doc := d.object(t)
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "device_authorization_endpoint", "userinfo_endpoint",
		"mfa_challenge_endpoint", "jwks_uri", "registration_endpoint", "revocation_endpoint", "scopes_supported",
		"response_types_supported", "code_challenge_methods_supported", "response_modes_supported",
		"subject_types_supported", "id_token_signing_alg_values_supported", "token_endpoint_auth_methods_supported",
		"claims_supported", "request_uri_parameter_supported", "request_parameter_supported"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("discovery lacks %s", k)
		}
	}
	for _, k := range []string{"grant_types_supported", "introspection_endpoint"} {
		if _, ok := doc[k]; ok {
			t.Errorf("discovery has %s, which Auth0 does not publish", k)
		}
	}
	if doc["jwks_uri"] != s.BaseURL+"/.well-known/jwks.json" {
		t.Errorf("jwks_uri = %v", doc["jwks_uri"])
	}

	j := call(t, s, "GET", "/.well-known/jwks.json", "", nil)
	wantStatus(t, j, 200)
	keys := j.object(t)["keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("keys: %v", keys)
	}
	k := keys[0].(map[string]any)
	for _, f := range []string{"kty", "use", "n", "e", "kid", "x5t", "x5c", "alg"} {
		if _, ok := k[f]; !ok {
			t.Errorf("JWK lacks %s", f)
		}
	}
	nb, _ := base64.RawURLEncoding.DecodeString(k["n"].(string))
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: 65537}

	raw := mgmtToken(t, s)
	hdr, claims := relyingParty(t, raw, jwa.RS256, pub, jwt.WithIssuer(s.BaseURL+"/"), jwt.WithAudience(s.Audience))
	if hdr["kid"] != k["kid"] || hdr["alg"] != "RS256" || hdr["typ"] != "JWT" {
		t.Errorf("header %v, JWKS kid %v", hdr, k["kid"])
	}
	if claims["sub"] != s.ClientID+"@clients" || claims["azp"] != s.ClientID || claims["gty"] != "client-credentials" {
		t.Errorf("claims: %v", claims)
	}
	if aud, ok := claims["aud"].(string); !ok || aud != s.Audience {
		t.Errorf("aud must be the audience string: %v", claims["aud"])
	}
	scopes := strings.Fields(claims["scope"].(string))
	for _, want := range []string{"create:client_grants", "read:clients", "read:client_keys", "create:users", "update:connections"} {
		if !slices.Contains(scopes, want) {
			t.Errorf("management token lacks %s", want)
		}
	}
	exp, _ := claims["exp"].(float64)
	iat, _ := claims["iat"].(float64)
	if exp-iat != 86400 {
		t.Errorf("lifetime %v s", exp-iat)
	}
}

func TestNewTenantHoldsWhatARealOneHolds(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	rs := call(t, s, "GET", "/api/v2/resource-servers", tok, nil)
	wantStatus(t, rs, 200)
	var system map[string]any
	for _, x := range rs.array(t) {
		if m := x.(map[string]any); m["is_system"] == true {
			system = m
		}
	}
	if system == nil || system["identifier"] != s.Audience || system["name"] != "Auth0 Management API" {
		t.Fatalf("no system API for %s: %s", s.Audience, rs.raw)
	}
	g := call(t, s, "GET", "/api/v2/client-grants?client_id="+s.ClientID, tok, nil)
	wantStatus(t, g, 200)
	if grants := g.array(t); len(grants) != 1 || grants[0].(map[string]any)["audience"] != s.Audience {
		t.Fatalf("management grant: %s", g.raw)
	}
	c := call(t, s, "GET", "/api/v2/connections?name="+defaultConnectionName, tok, nil)
	wantStatus(t, c, 200)
	conns := c.array(t)
	if len(conns) != 1 || !slices.Contains(conns[0].(map[string]any)["enabled_clients"].([]any), any(s.ClientID)) {
		t.Fatalf("default connection: %s", c.raw)
	}
	cl := call(t, s, "GET", "/api/v2/clients/"+s.ClientID, tok, nil)
	wantStatus(t, cl, 200)
	if cl.object(t)["client_secret"] != s.ClientSecret {
		t.Errorf("management client secret not shown with read:client_keys")
	}
	if ct := cl.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

func TestSeedRepeatsIDsAndSecrets(t *testing.T) {
	t.Parallel()
	a := start(t, Options{Seed: 42})
	b := start(t, Options{Seed: 42})
	if a.ClientID != b.ClientID || a.ClientSecret != b.ClientSecret {
		t.Errorf("seed 42 gave %s and %s", a.ClientID, b.ClientID)
	}
	c := start(t, Options{Seed: 43})
	if c.ClientID == a.ClientID {
		t.Errorf("seeds 42 and 43 gave the same client id")
	}
	if len(a.ClientID) != 32 || len(a.ClientSecret) != 64 {
		t.Errorf("id %q secret length %d", a.ClientID, len(a.ClientSecret))
	}
	ta, tb := mgmtToken(t, a), mgmtToken(t, b)
	ra := call(t, a, "POST", "/api/v2/clients", ta, map[string]any{"name": "x"}).object(t)
	rb := call(t, b, "POST", "/api/v2/clients", tb, map[string]any{"name": "x"}).object(t)
	if ra["client_id"] != rb["client_id"] || ra["client_secret"] != rb["client_secret"] {
		t.Errorf("created clients differ under one seed")
	}
}

func TestBasicAndJSONTokenRequests(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	req, _ := http.NewRequest("POST", s.BaseURL+"/oauth/token",
		strings.NewReader("grant_type=client_credentials&audience="+s.Audience))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(s.ClientID, s.ClientSecret)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("Basic auth: %d", resp.StatusCode)
	}
	a := call(t, s, "POST", "/oauth/token", "", map[string]any{
		"grant_type": "client_credentials", "client_id": s.ClientID, "client_secret": s.ClientSecret, "audience": s.Audience})
	wantStatus(t, a, 200)
	body := a.object(t)
	if body["token_type"] != "Bearer" || body["expires_in"] != float64(86400) || body["scope"] == nil {
		t.Errorf("token answer: %v", body)
	}
}

// A new sandbox tenant holds what a real new tenant holds: the global
// client, the system API with its real scopes, the dashboard's default
// database connection and a new tenant's settings.
func TestFreshTenantIsARealNewTenant(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)

	var global map[string]any
	for _, c := range call(t, s, "GET", "/api/v2/clients", tok, nil).array(t) {
		if c := c.(map[string]any); c["global"] == true {
			global = c
		}
	}
	if global == nil || global["name"] != "All Applications" || global["tenant"] != tenantName || global["is_first_party"] != true {
		t.Fatalf("global client: %v", global)
	}
	for _, c := range call(t, s, "GET", "/api/v2/clients?is_global=false", tok, nil).array(t) {
		if c.(map[string]any)["global"] == true {
			t.Errorf("is_global=false lists the global client")
		}
	}
	if g := call(t, s, "GET", "/api/v2/client-grants?client_id="+global["client_id"].(string), tok, nil).array(t); len(g) != 0 {
		t.Errorf("the global client has grants: %v", g)
	}

	api := call(t, s, "GET", "/api/v2/resource-servers/"+url.PathEscape(s.Audience), tok, nil).object(t)
	scopes := api["scopes"].([]any)
	if len(scopes) != len(managementScopes) || len(scopes) < 232 {
		t.Errorf("the Management API has %d scopes", len(scopes))
	}
	if first := scopes[0].(map[string]any); first["value"] != "read:client_grants" || first["description"] != "Read Client Grants" {
		t.Errorf("first scope %v", first)
	}
	sta, _ := api["subject_type_authorization"].(map[string]any)
	if api["is_system"] != true || sta["client"].(map[string]any)["policy"] != "require_client_grant" {
		t.Errorf("system API: %v", api)
	}

	conn := call(t, s, "GET", "/api/v2/connections?name="+defaultConnectionName, tok, nil).array(t)[0].(map[string]any)
	opts := conn["options"].(map[string]any)
	for k, want := range map[string]any{"passwordPolicy": "good", "brute_force_protection": true, "import_mode": false, "strategy_version": float64(2), "disable_self_service_change_password": false} {
		if opts[k] != want {
			t.Errorf("default connection options.%s = %v, want %v", k, opts[k], want)
		}
	}
	if pc, _ := opts["password_complexity_options"].(map[string]any); pc["min_length"] != float64(8) {
		t.Errorf("password_complexity_options %v", opts["password_complexity_options"])
	}
	if conn["authentication"] == nil || conn["connected_accounts"] == nil {
		t.Errorf("default connection lacks authentication/connected_accounts: %v", conn)
	}

	set := call(t, s, "GET", "/api/v2/tenants/settings", tok, nil).object(t)
	flags, _ := set["flags"].(map[string]any)
	if flags["enable_sso"] != true || set["sandbox_version"] != "22" || set["session_lifetime"] != float64(168) || set["idle_session_lifetime"] != float64(72) {
		t.Errorf("tenant settings: %v", set)
	}
	up := call(t, s, "PATCH", "/api/v2/tenants/settings", tok, map[string]any{"flags": map[string]any{"enable_sso": false}, "friendly_name": "Sandbox"})
	wantStatus(t, up, 200)
	flags, _ = up.object(t)["flags"].(map[string]any)
	if flags["enable_sso"] != false || flags["universal_login"] != true || up.object(t)["friendly_name"] != "Sandbox" {
		t.Errorf("PATCH flags merges: %s", up.raw)
	}
}
