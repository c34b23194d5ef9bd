package wso2client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
	"github.com/auth0-wizard/auth0-wizard/wso2sandbox"
)

// keyManager is the Auth0 key manager as the guide's step 2 fills it in.
func (w *world) keyManager() steps.WSO2KeyManager {
	base := w.a0.BaseURL
	return steps.WSO2KeyManager{
		Name: "Auth0", DisplayName: "Auth0", Type: steps.WSO2KeyManagerTypeAuth0, Description: "Auth0 tenant " + w.a0.Domain,
		WellKnownEndpoint: base + "/.well-known/openid-configuration", Issuer: base + "/",
		ClientRegistrationEndpoint: w.a0.Audience + "clients", IntrospectionEndpoint: "none",
		TokenEndpoint: base + "/oauth/token", RevokeEndpoint: base + "/oauth/revoke", UserInfoEndpoint: base + "/userinfo",
		AuthorizeEndpoint: base + "/authorize", Certificates: &steps.WSO2Certificates{Type: "JWKS", Value: base + "/.well-known/jwks.json"},
		AvailableGrantTypes: []string{"client_credentials"}, EnableTokenGeneration: true, EnableSelfValidationJWT: true,
		ConsumerKeyClaim: "azp", ScopesClaim: "scope", Enabled: true,
		AdditionalProperties: map[string]any{
			steps.WSO2PropClientID: w.a0.ClientID, steps.WSO2PropAudience: w.a0.Audience, steps.WSO2PropSelfValidateJWT: true,
		},
		ClientSecret: w.a0.ClientSecret,
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// verifyJWT checks a token's signature against the tenant's JWKS (by kid,
// RS256) and returns its claims.
func verifyJWT(t *testing.T, a0 *sandbox.Server, raw string) jwt.Token {
	t.Helper()
	resp, err := a0.Client().Get(a0.BaseURL + "/.well-known/jwks.json")
	must(t, "read JWKS", err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, "read JWKS", err)
	set, err := jwk.Parse(body)
	must(t, "decode JWKS", err)
	tok, err := jwt.ParseString(raw, jwt.WithKeySet(set), jwt.WithIssuer(a0.BaseURL+"/"))
	must(t, "verify the WSO2-generated token against the tenant's JWKS", err)
	return tok
}

func TestVersionDetected(t *testing.T) {
	t.Parallel()
	w := sandboxtest.StartWSO2(t, nil, wso2sandbox.Options{})
	v, err := newClient(t, w, nil).Version(context.Background())
	must(t, "Version", err)
	if v != (steps.WSO2Version{Product: "3.2.0", Admin: "v1", DevPortal: "v1"}) {
		t.Fatalf("Version = %+v", v)
	}
}

func TestUnknownAPIVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version, found, says string
	}{
		{"v4", "v4", "API Manager 4.2 or later"},
		{"v9", "", "none of the Admin REST API versions this tool knows"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			t.Parallel()
			w := sandboxtest.StartWSO2(t, nil, wso2sandbox.Options{AdminAPIVersion: tc.version})
			c := newClient(t, w, nil)
			_, err := c.CreateKeyManager(context.Background(), steps.WSO2KeyManager{Name: "Auth0", Type: "Auth0"})
			var ve *steps.WSO2VersionError
			if !errors.As(err, &ve) || ve.Found != tc.found {
				t.Fatalf("CreateKeyManager = %v, want a *steps.WSO2VersionError with Found %q", err, tc.found)
			}
			if !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), "3.2.0") {
				t.Errorf("error %q does not say %q and what this tool speaks", err, tc.says)
			}
		})
	}
}

func TestWrongAdminPassword(t *testing.T) {
	t.Parallel()
	w := sandboxtest.StartWSO2(t, nil, wso2sandbox.Options{})
	c := newClient(t, w, func(cfg *Config) { cfg.Password = "not-the-password" })
	_, err := c.ListKeyManagers(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Fatalf("ListKeyManagers = %v, want a 401 *APIError", err)
	}
	if !strings.Contains(err.Error(), `refused the user "admin" and its password`) {
		t.Errorf("error %q does not say the password is wrong", err)
	}
	if strings.Contains(err.Error(), "not-the-password") {
		t.Errorf("error %q holds the password", err)
	}
}

func TestMissingAdminScope(t *testing.T) {
	t.Parallel()
	w := sandboxtest.StartWSO2(t, nil, wso2sandbox.Options{})
	w.AddUser("dev", "dev-password", "apim:subscribe")
	c := newClient(t, w, func(cfg *Config) { cfg.Username, cfg.Password = "dev", "dev-password" })
	_, err := c.ListKeyManagers(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Fatalf("ListKeyManagers = %v, want a 403 *APIError", err)
	}
	for _, want := range []string{`"dev"`, "apim:admin, apim:admin_operations", "default", "Scope Assignments"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	// The same user may use the Developer Portal.
	if _, err := c.CreateApplication(context.Background(), steps.WSO2Application{Name: "ok"}); err != nil {
		t.Errorf("CreateApplication as a subscriber: %v", err)
	}
}

func TestKeyManagerLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t, wso2sandbox.Options{})
	ctx := context.Background()
	var trace syncBuffer
	w.c = newClient(t, w.wso2, func(cfg *Config) { cfg.Trace = &trace })

	_, err := w.c.FindKeyManager(ctx, "Auth0")
	if !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("FindKeyManager before create = %v, want ErrNotFound", err)
	}
	created, err := w.c.CreateKeyManager(ctx, w.keyManager())
	must(t, "CreateKeyManager", err)
	if created.ID == "" || created.Type != "Auth0" || created.ClientSecret != w.a0.ClientSecret {
		t.Fatalf("created = %+v", created)
	}
	if _, ok := created.AdditionalProperties[steps.WSO2PropClientSecret]; ok {
		t.Fatalf("client_secret left in AdditionalProperties: %v", created.AdditionalProperties)
	}
	if j, _ := json.Marshal(created); strings.Contains(string(j), w.a0.ClientSecret) {
		t.Fatalf("the journaled form holds the secret: %s", j)
	}

	_, err = w.c.CreateKeyManager(ctx, w.keyManager())
	if !errors.Is(err, steps.ErrConflict) || !strings.Contains(err.Error(), `a key manager named "Auth0" already exists`) {
		t.Fatalf("second CreateKeyManager = %v, want ErrConflict saying the name is taken", err)
	}
	noConnector := w.keyManager()
	noConnector.Name, noConnector.Type = "Other", "Auth0Connector"
	if _, err := w.c.CreateKeyManager(ctx, noConnector); err == nil || !strings.Contains(err.Error(), "repository/components/dropins") {
		t.Fatalf("CreateKeyManager of an unknown type = %v, want advice on installing the connector", err)
	}

	found, err := w.c.FindKeyManager(ctx, "Auth0")
	must(t, "FindKeyManager", err)
	if found.ID != created.ID || found.TokenEndpoint != w.a0.BaseURL+"/oauth/token" || found.ConsumerKeyClaim != "azp" {
		t.Fatalf("found = %+v", found)
	}

	found.Description = "updated"
	updated, err := w.c.UpdateKeyManager(ctx, found.ID, found)
	must(t, "UpdateKeyManager", err)
	if again, _ := w.c.GetKeyManager(ctx, found.ID); updated.Description != "updated" || again.Description != "updated" || again.ClientSecret != w.a0.ClientSecret {
		t.Fatalf("after update: %+v / %+v", updated, again)
	}

	// The guide-era connector made the resource server on loading the key manager.
	rs, err := w.auth0.FindResourceServer(ctx, w.wso2.ServerURL)
	must(t, "FindResourceServer", err)
	if rs.Name != wso2sandbox.ResourceServerName {
		t.Errorf("resource server = %+v", rs)
	}

	must(t, "DeleteKeyManager", w.c.DeleteKeyManager(ctx, found.ID))
	if _, err := w.c.GetKeyManager(ctx, found.ID); !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("GetKeyManager after delete = %v, want ErrNotFound", err)
	}
	if err := w.c.DeleteKeyManager(ctx, found.ID); !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("second DeleteKeyManager = %v, want ErrNotFound", err)
	}

	out := trace.String()
	for _, secret := range []string{w.wso2.AdminPassword, w.a0.ClientSecret} {
		if strings.Contains(out, secret) {
			t.Fatalf("the trace holds a secret")
		}
	}
	if !strings.Contains(out, "POST "+w.wso2.URL+"/api/am/admin/v1/key-managers") || !strings.Contains(out, `"client_secret":"[REDACTED]"`) {
		t.Fatalf("the trace lacks the redacted key manager creation:\n%s", out)
	}
}

func TestGenerateKeysGuideGeneration(t *testing.T) {
	t.Parallel()
	w := newWorld(t, wso2sandbox.Options{Generation: wso2sandbox.GenerationGuide})
	ctx := context.Background()
	var trace syncBuffer
	w.c = newClient(t, w.wso2, func(cfg *Config) { cfg.Trace = &trace })
	_, err := w.c.CreateKeyManager(ctx, w.keyManager())
	must(t, "CreateKeyManager", err)

	app, err := w.c.CreateApplication(ctx, steps.WSO2Application{Name: "Orders", Description: "made by a test"})
	must(t, "CreateApplication", err)
	if _, err := w.c.CreateApplication(ctx, steps.WSO2Application{Name: "Orders"}); !errors.Is(err, steps.ErrConflict) {
		t.Fatalf("second CreateApplication = %v, want ErrConflict", err)
	}
	found, err := w.c.FindApplication(ctx, "Orders")
	must(t, "FindApplication", err)
	if found.ID != app.ID || found.Owner != "admin" {
		t.Fatalf("found = %+v, created %+v", found, app)
	}

	keys, err := w.c.GenerateKeys(ctx, app.ID, steps.WSO2KeyRequest{
		KeyManager: "Auth0", GrantTypes: []string{"client_credentials"},
		AppType: "non_interactive", TokenEndpointAuthMethod: "client_secret_post",
	})
	must(t, "GenerateKeys", err)
	if keys.KeyMappingID == "" || keys.ConsumerSecret == "" || keys.KeyType != steps.WSO2Production || keys.KeyManager != "Auth0" {
		t.Fatalf("keys = %+v", keys)
	}
	// WSO2's connector made the Auth0 application, named and shaped as it does.
	a, err := w.auth0.GetClient(ctx, keys.ConsumerKey)
	must(t, "GetClient", err)
	if a.Name != "adminOrders_PRODUCTION" || a.AppType != "non_interactive" || a.TokenEndpointAuthMethod != "client_secret_post" ||
		a.ClientSecret != keys.ConsumerSecret || a.Marked() {
		t.Fatalf("Auth0 application = %+v", a)
	}
	if _, err := w.auth0.FindClientGrant(ctx, keys.ConsumerKey, w.wso2.ServerURL); !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("the guide-era connector made a client grant: %v", err)
	}

	listed, err := w.c.ApplicationKeys(ctx, app.ID)
	must(t, "ApplicationKeys", err)
	if len(listed) != 1 || listed[0].KeyMappingID != keys.KeyMappingID || listed[0].ConsumerSecret != keys.ConsumerSecret {
		t.Fatalf("ApplicationKeys = %+v", listed)
	}

	// Step 3.3 not done yet: the connector's message.
	_, err = w.c.GenerateToken(ctx, app.ID, listed[0], nil)
	if err == nil || !strings.Contains(err.Error(), wso2sandbox.GuideTokenRefusal) {
		t.Fatalf("GenerateToken before the grant = %v, want %q", err, wso2sandbox.GuideTokenRefusal)
	}
	// Step 3.3: authorize the application for the WSO2 resource server API.
	_, err = w.auth0.CreateClientGrant(ctx, steps.ClientGrant{ClientID: keys.ConsumerKey, Audience: w.wso2.ServerURL, Scope: []string{}})
	must(t, "CreateClientGrant", err)
	tok, err := w.c.GenerateToken(ctx, app.ID, listed[0], nil)
	must(t, "GenerateToken", err)
	claims := verifyJWT(t, w.a0, tok.AccessToken)
	if aud := claims.Audience(); len(aud) != 1 || aud[0] != w.wso2.ServerURL {
		t.Errorf("aud = %v, want the API Manager's server URL %s", aud, w.wso2.ServerURL)
	}
	if azp, _ := claims.Get("azp"); azp != keys.ConsumerKey {
		t.Errorf("azp = %v, want the consumer key %s", azp, keys.ConsumerKey)
	}

	for what, secret := range map[string]string{"consumer secret": keys.ConsumerSecret, "access token": tok.AccessToken, "admin password": w.wso2.AdminPassword} {
		if strings.Contains(trace.String(), secret) {
			t.Fatalf("the trace holds the %s", what)
		}
	}
	if !strings.Contains(trace.String(), "/generate-token") {
		t.Fatalf("the trace lacks the token request")
	}

	// Keys again for the same key manager and type: refused, nothing made.
	if _, err := w.c.GenerateKeys(ctx, app.ID, steps.WSO2KeyRequest{KeyManager: "Auth0", GrantTypes: []string{"client_credentials"}}); !errors.Is(err, steps.ErrConflict) {
		t.Fatalf("second GenerateKeys = %v, want ErrConflict", err)
	}

	// Deleting the application through WSO2 deletes the Auth0 application.
	must(t, "DeleteApplication", w.c.DeleteApplication(ctx, app.ID))
	if _, err := w.auth0.GetClient(ctx, keys.ConsumerKey); !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("Auth0 application after DeleteApplication: %v, want ErrNotFound", err)
	}
	if _, err := w.c.FindApplication(ctx, "Orders"); !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("FindApplication after delete = %v, want ErrNotFound", err)
	}
}

func TestGenerateKeysV1Generation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, wso2sandbox.Options{Generation: wso2sandbox.GenerationV1})
	ctx := context.Background()
	const api = "https://orders.example.com/"
	_, err := w.auth0.CreateResourceServer(ctx, steps.ResourceServer{Name: "Orders API", Identifier: api, SigningAlg: "RS256",
		Scopes: []steps.Scope{{Value: "default"}}})
	must(t, "CreateResourceServer", err)
	_, err = w.c.CreateKeyManager(ctx, w.keyManager())
	must(t, "CreateKeyManager", err)
	app, err := w.c.CreateApplication(ctx, steps.WSO2Application{Name: "Billing"})
	must(t, "CreateApplication", err)

	// audience_of_api is required by this generation.
	if _, err := w.c.GenerateKeys(ctx, app.ID, steps.WSO2KeyRequest{KeyManager: "Auth0", GrantTypes: []string{"client_credentials"}}); err == nil ||
		!strings.Contains(err.Error(), "audience_of_api") {
		t.Fatalf("GenerateKeys without audience_of_api = %v", err)
	}
	keys, err := w.c.GenerateKeys(ctx, app.ID, steps.WSO2KeyRequest{KeyManager: "Auth0", GrantTypes: []string{"client_credentials"}, AudienceOfAPI: api})
	must(t, "GenerateKeys", err)
	g, err := w.auth0.FindClientGrant(ctx, keys.ConsumerKey, api)
	must(t, "FindClientGrant", err)
	if len(g.Scope) != 1 || g.Scope[0] != "default" {
		t.Fatalf("the v1 connector's grant = %+v, want scope [default]", g)
	}
	tok, err := w.c.GenerateToken(ctx, app.ID, keys, nil)
	must(t, "GenerateToken", err)
	claims := verifyJWT(t, w.a0, tok.AccessToken)
	if aud := claims.Audience(); len(aud) != 1 || aud[0] != api {
		t.Errorf("aud = %v, want %s", aud, api)
	}
	if _, err := w.auth0.FindResourceServer(ctx, w.wso2.ServerURL); !errors.Is(err, steps.ErrNotFound) {
		t.Errorf("the v1 connector made a resource server for the server URL: %v", err)
	}
}

func TestGatewayTokenURL(t *testing.T) {
	t.Parallel()
	w := sandboxtest.StartWSO2(t, nil, wso2sandbox.Options{})
	// The documents' prose samples use the gateway's /token (port 8243 on a
	// real install; the stand-in serves it on its one port).
	c := newClient(t, w, func(cfg *Config) { cfg.TokenURL = w.URL + "/token" })
	if _, err := c.ListKeyManagers(context.Background()); err != nil {
		t.Fatalf("ListKeyManagers with the gateway token URL: %v", err)
	}
	if c.TokenURL() != w.URL+"/token" || newClient(t, w, nil).TokenURL() != w.URL+"/oauth2/token" {
		t.Fatalf("token URLs = %s, %s", c.TokenURL(), newClient(t, w, nil).TokenURL())
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	// A port that was just free: nothing listens (no server with a
	// backlog of half-accepted connections being torn down).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, "Listen", err)
	addr := ln.Addr().String()
	must(t, "Close", ln.Close())
	c, err := New(Config{URL: "https://" + addr, Password: "x"})
	must(t, "New", err)
	_, err = c.Version(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || !strings.Contains(err.Error(), "nothing listens there") {
		t.Fatalf("Version of a closed port = %v, want a *TransportError saying nothing listens", err)
	}
}

func TestConnectorFailureIsUncertain(t *testing.T) {
	t.Parallel()
	w := newWorld(t, wso2sandbox.Options{})
	ctx := context.Background()
	km := w.keyManager()
	km.ClientSecret = "not-the-management-secret"
	_, err := w.c.CreateKeyManager(ctx, km)
	must(t, "CreateKeyManager", err)
	app, err := w.c.CreateApplication(ctx, steps.WSO2Application{Name: "Broken"})
	must(t, "CreateApplication", err)
	_, err = w.c.GenerateKeys(ctx, app.ID, steps.WSO2KeyRequest{KeyManager: "Auth0", GrantTypes: []string{"client_credentials"}})
	if !errors.Is(err, steps.ErrUncertain) || !strings.Contains(err.Error(), "Auth0 answered 401") {
		t.Fatalf("GenerateKeys with a wrong connector secret = %v, want an uncertain error that says Auth0 refused", err)
	}
	if strings.Contains(err.Error(), "not-the-management-secret") {
		t.Fatalf("the error holds the secret: %v", err)
	}
	// Reads are never uncertain.
	if _, err := w.c.GetKeyManager(ctx, "01234567-0123-0123-0123-012345678901"); errors.Is(err, steps.ErrUncertain) || !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("GetKeyManager of an unknown id = %v", err)
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want, err string }{
		{"https://apim.example.com:9443", "https://apim.example.com:9443", ""},
		{"https://apim.example.com:9443/", "https://apim.example.com:9443", ""},
		{"apim.example.com", "", "not an https URL"},
		{"https://apim.example.com:9443/publisher", "", "has a path"},
		{"", "", "empty"},
	} {
		u, err := ParseURL(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("ParseURL(%q) = %v, want an error saying %q", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || u.String() != tc.want):
			t.Errorf("ParseURL(%q) = %v, %v, want %s", tc.in, u, err, tc.want)
		}
	}
}
