package auth0client_test

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// jwtLike matches what looks like a JWT (a trace must hold none).
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?`)

func answerJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// syncBuffer is a trace sink safe for concurrent writes and reads.
type syncBuffer = sandboxtest.Buffer

func mustNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("%s = %v, want ErrNotFound", what, err)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// roundTrip runs every steps.Client method against a sandbox and returns the
// secret values it handled (for the trace test).
func roundTrip(t *testing.T, srv *sandbox.Server, c *auth0client.Client) []string {
	t.Helper()
	ctx := t.Context()

	ep, err := c.Discover(ctx)
	must(t, "Discover", err)
	wantIssuer := srv.BaseURL + "/"
	if ep.Issuer != wantIssuer || ep.TokenEndpoint != srv.BaseURL+"/oauth/token" ||
		ep.JWKSURI != srv.BaseURL+"/.well-known/jwks.json" ||
		ep.OpenIDConfiguration != srv.BaseURL+"/.well-known/openid-configuration" ||
		ep.AuthorizationEndpoint == "" || ep.UserinfoEndpoint == "" || ep.RevocationEndpoint == "" {
		t.Fatalf("Discover = %+v, want the sandbox's endpoints with issuer %s", ep, wantIssuer)
	}

	scopes, err := c.GrantedScopes(ctx)
	must(t, "GrantedScopes", err)
	for _, s := range []string{"create:clients", "read:client_grants", "create:resource_servers", "create:users", "update:connections"} {
		if !slices.Contains(scopes, s) {
			t.Fatalf("GrantedScopes = %v, lacks %s", scopes, s)
		}
	}

	// Resource server.
	const api = "https://calc.example/api"
	_, err = c.FindResourceServer(ctx, api)
	mustNotFound(t, "FindResourceServer before create", err)
	rs, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: "Basic Calculator", Identifier: api, SigningAlg: "RS256",
		Scopes: []steps.Scope{{Value: "default", Description: "Default scope"}}})
	must(t, "CreateResourceServer", err)
	if rs.ID == "" || rs.Identifier != api || rs.Name != "Basic Calculator" || len(rs.Scopes) != 1 || rs.Scopes[0].Value != "default" {
		t.Fatalf("CreateResourceServer = %+v", rs)
	}
	found, err := c.FindResourceServer(ctx, api)
	must(t, "FindResourceServer", err)
	if found.ID != rs.ID {
		t.Fatalf("FindResourceServer = %+v, want id %s", found, rs.ID)
	}
	_, err = c.CreateResourceServer(ctx, steps.ResourceServer{Name: "Again", Identifier: api})
	if !errors.Is(err, steps.ErrConflict) {
		t.Fatalf("second CreateResourceServer = %v, want ErrConflict", err)
	}
	upd, err := c.UpdateResourceServer(ctx, rs.ID, steps.ResourceServer{Name: "Calculator", Scopes: []steps.Scope{{Value: "default"}, {Value: "read:calc"}}})
	must(t, "UpdateResourceServer", err)
	if upd.Name != "Calculator" || len(upd.Scopes) != 2 || upd.Identifier != api {
		t.Fatalf("UpdateResourceServer = %+v", upd)
	}

	// Application.
	const appName = "Calculator Key Manager App"
	_, err = c.FindClient(ctx, appName)
	mustNotFound(t, "FindClient before create", err)
	app, err := c.CreateClient(ctx, steps.App{
		Name: appName, AppType: "regular_web", TokenEndpointAuthMethod: "client_secret_post",
		GrantTypes: []string{"client_credentials", steps.GrantPasswordRealm},
		Callbacks:  []string{"https://apim.example/signin-oauth/code/callback"},
		Metadata:   map[string]string{steps.MarkerKey: steps.MarkerValue},
	})
	must(t, "CreateClient", err)
	if app.ClientID == "" || app.ClientSecret == "" || !app.Marked() || app.TokenEndpointAuthMethod != "client_secret_post" {
		t.Fatalf("CreateClient = %+v (secret set: %v)", app, app.ClientSecret != "")
	}
	fc, err := c.FindClient(ctx, appName)
	must(t, "FindClient", err)
	if fc.ClientID != app.ClientID || !fc.Marked() {
		t.Fatalf("FindClient = %+v, want %s marked", fc, app.ClientID)
	}
	got, err := c.GetClient(ctx, app.ClientID)
	must(t, "GetClient", err)
	if got.ClientSecret != app.ClientSecret || got.Name != appName || !slices.Contains(got.GrantTypes, "client_credentials") {
		t.Fatalf("GetClient = %+v, want the same secret, name and grant types", got)
	}
	ua, err := c.UpdateClient(ctx, app.ClientID, steps.App{Callbacks: []string{"https://apim.example/cb1", "https://apim.example/cb2"}})
	must(t, "UpdateClient", err)
	if len(ua.Callbacks) != 2 || ua.Name != appName {
		t.Fatalf("UpdateClient = %+v", ua)
	}

	// Client grant.
	_, err = c.FindClientGrant(ctx, app.ClientID, api)
	mustNotFound(t, "FindClientGrant before create", err)
	g, err := c.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: api, Scope: []string{"default"}})
	must(t, "CreateClientGrant", err)
	if g.ID == "" || g.ClientID != app.ClientID || g.Audience != api || !slices.Equal(g.Scope, []string{"default"}) {
		t.Fatalf("CreateClientGrant = %+v", g)
	}
	fg, err := c.FindClientGrant(ctx, app.ClientID, api)
	must(t, "FindClientGrant", err)
	if fg.ID != g.ID {
		t.Fatalf("FindClientGrant = %+v, want %s", fg, g.ID)
	}
	_, err = c.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: api, Scope: []string{}})
	if !errors.Is(err, steps.ErrConflict) {
		t.Fatalf("second CreateClientGrant = %v, want ErrConflict", err)
	}
	ug, err := c.UpdateClientGrant(ctx, g.ID, []string{"default", "read:calc"})
	must(t, "UpdateClientGrant", err)
	if !slices.Equal(ug.Scope, []string{"default", "read:calc"}) {
		t.Fatalf("UpdateClientGrant = %+v", ug)
	}

	// The application's token, verified.
	tc, err := c.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, api)
	must(t, "ClientCredentialsToken", err)
	if !tc.Verified || tc.Claims["azp"] != app.ClientID || tc.Claims["iss"] != wantIssuer || tc.Token == "" || tc.Expires.IsZero() {
		t.Fatalf("ClientCredentialsToken = verified %v, reason %q, claims %v", tc.Verified, tc.Reason, tc.Claims)
	}
	if scope, _ := tc.Claims["scope"].(string); !strings.Contains(scope, "read:calc") {
		t.Errorf("token scope %v lacks the granted read:calc", tc.Claims["scope"])
	}

	// Connection and user.
	const conn = "calculator-users"
	_, err = c.FindConnection(ctx, conn)
	mustNotFound(t, "FindConnection before create", err)
	cn, err := c.CreateConnection(ctx, steps.Connection{Name: conn, Strategy: "auth0"})
	must(t, "CreateConnection", err)
	if cn.ID == "" || cn.Name != conn || cn.Strategy != "auth0" {
		t.Fatalf("CreateConnection = %+v", cn)
	}
	fcn, err := c.FindConnection(ctx, conn)
	must(t, "FindConnection", err)
	if fcn.ID != cn.ID {
		t.Fatalf("FindConnection = %+v, want %s", fcn, cn.ID)
	}
	on, err := c.ConnectionEnabledFor(ctx, cn.ID, app.ClientID)
	must(t, "ConnectionEnabledFor", err)
	if on {
		t.Fatal("a new connection is enabled for the application already")
	}
	must(t, "SetConnectionClient", c.SetConnectionClient(ctx, cn.ID, app.ClientID, true))
	on, err = c.ConnectionEnabledFor(ctx, cn.ID, app.ClientID)
	must(t, "ConnectionEnabledFor", err)
	if !on {
		t.Fatal("the connection is not enabled for the application after SetConnectionClient")
	}

	const email, password = "calc.user@example.com", "Tr0ub4dor&3-horse"
	_, err = c.FindUser(ctx, conn, email)
	mustNotFound(t, "FindUser before create", err)
	u, err := c.CreateUser(ctx, steps.User{Email: email, Password: password, Connection: conn})
	must(t, "CreateUser", err)
	if u.ID == "" || u.Email != email {
		t.Fatalf("CreateUser = %+v", u)
	}
	fu, err := c.FindUser(ctx, conn, email)
	must(t, "FindUser", err)
	if fu.ID != u.ID {
		t.Fatalf("FindUser = %+v, want %s", fu, u.ID)
	}
	_, err = c.FindUser(ctx, "another-connection", email)
	mustNotFound(t, "FindUser in another connection", err)

	pt, err := c.PasswordRealmToken(ctx, app.ClientID, app.ClientSecret, conn, email, password, api)
	must(t, "PasswordRealmToken", err)
	if !pt.Verified || pt.Claims["azp"] != app.ClientID {
		t.Fatalf("PasswordRealmToken = verified %v, reason %q, claims %v", pt.Verified, pt.Reason, pt.Claims)
	}
	_, err = c.PasswordRealmToken(ctx, app.ClientID, app.ClientSecret, conn, email, "wrong-password-1A!", api)
	var ae *auth0client.APIError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "email or password is wrong") {
		t.Fatalf("PasswordRealmToken with a wrong password = %v, want the wrong-password advice", err)
	}

	secrets := []string{srv.ClientSecret, app.ClientSecret, password, tc.Token, pt.Token}

	// Teardown, in reverse order; a second delete is not an error or is a 404.
	must(t, "SetConnectionClient off", c.SetConnectionClient(ctx, cn.ID, app.ClientID, false))
	must(t, "DeleteUser", c.DeleteUser(ctx, u.ID))
	must(t, "DeleteConnection", c.DeleteConnection(ctx, cn.ID))
	must(t, "DeleteClientGrant", c.DeleteClientGrant(ctx, g.ID))
	must(t, "DeleteClient", c.DeleteClient(ctx, app.ClientID))
	must(t, "DeleteResourceServer", c.DeleteResourceServer(ctx, rs.ID))
	if err := c.DeleteClient(ctx, app.ClientID); err != nil && !errors.Is(err, steps.ErrNotFound) {
		t.Fatalf("second DeleteClient = %v, want nil or ErrNotFound", err)
	}
	_, err = c.FindResourceServer(ctx, api)
	mustNotFound(t, "FindResourceServer after delete", err)
	_, err = c.FindClient(ctx, appName)
	mustNotFound(t, "FindClient after delete", err)
	_, err = c.GetClient(ctx, app.ClientID)
	mustNotFound(t, "GetClient after delete", err)
	_, err = c.FindClientGrant(ctx, app.ClientID, api)
	mustNotFound(t, "FindClientGrant after delete", err)
	_, err = c.FindConnection(ctx, conn)
	mustNotFound(t, "FindConnection after delete", err)
	_, err = c.FindUser(ctx, conn, email)
	mustNotFound(t, "FindUser after delete", err)
	return secrets
}

func TestSandboxRoundTrip(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 1})
	roundTrip(t, srv, sandboxtest.Client(t, srv, nil))
}

func TestSandboxRoundTripPlainHTTP(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 2, HTTP: true})
	if !strings.HasPrefix(srv.BaseURL, "http://") {
		t.Fatalf("sandbox with HTTP serves %s", srv.BaseURL)
	}
	roundTrip(t, srv, sandboxtest.Client(t, srv, nil))
}

func TestTraceRedactsSecrets(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 3})
	var trace syncBuffer
	c := sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.Trace = &trace })
	secrets := roundTrip(t, srv, c)
	out := trace.String()
	for _, want := range []string{"--> POST " + srv.BaseURL + "/oauth/token", "<-- 200", "/api/v2/clients", "Authorization: Bearer [REDACTED]",
		"client_secret=%5BREDACTED%5D", `"client_secret":"[REDACTED]"`, `"access_token":"[REDACTED]"`} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	for i, s := range secrets {
		if s == "" {
			t.Fatalf("secret %d is empty: the round trip did not collect it", i)
		}
		if strings.Contains(out, s) {
			t.Errorf("trace holds secret %d (%d chars)", i, len(s))
		}
		if parts := strings.Split(s, "."); len(parts) == 3 {
			for _, p := range parts[1:] {
				if len(p) > 16 && strings.Contains(out, p) {
					t.Errorf("trace holds part of token %d", i)
				}
			}
		}
	}
	// Discover read the keys; the two token checks reused them.
	if n := strings.Count(out, "--> GET "+srv.BaseURL+"/.well-known/jwks.json\n"); n != 1 {
		t.Errorf("the JWKS was read %d times, want once", n)
	}
	if jwtLike.MatchString(out) {
		t.Errorf("trace holds a JWT-looking string: %q", jwtLike.FindString(out))
	}
}

func TestTraceRedactsBasicAuthAndJSONBodies(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 4})
	var trace syncBuffer
	c := sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.Trace = &trace })
	ctx := t.Context()
	app, err := c.CreateClient(ctx, steps.App{Name: "basic app", AppType: "non_interactive", TokenEndpointAuthMethod: "client_secret_basic",
		GrantTypes: []string{"client_credentials"}})
	must(t, "CreateClient", err)
	_, err = c.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: srv.Audience, Scope: []string{"read:clients"}})
	must(t, "CreateClientGrant", err)
	tc, err := c.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, srv.Audience)
	must(t, "ClientCredentialsToken with client_secret_basic", err)
	if !tc.Verified {
		t.Fatalf("basic-auth token not verified: %s", tc.Reason)
	}
	out := trace.String()
	if !strings.Contains(out, "Authorization: Basic [REDACTED]") {
		t.Error("trace does not show the Basic scheme redacted")
	}
	for _, s := range []string{app.ClientSecret, srv.ClientSecret, tc.Token} {
		if strings.Contains(out, s) {
			t.Error("trace holds a secret")
		}
	}
}

func TestWrongSecret(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 5})
	c := sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.ClientSecret = "not-the-secret" })
	_, err := c.GrantedScopes(t.Context())
	var ae *auth0client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
		t.Fatalf("GrantedScopes with a wrong secret = %v, want a 401 APIError", err)
	}
	if !strings.Contains(err.Error(), "the management application's client secret is wrong or the application was deleted") {
		t.Fatalf("error %q does not say the secret is wrong", err)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal("error echoes the secret")
	}
	// A management call fails the same way, before sending anything else.
	_, err = c.FindClient(t.Context(), "x")
	if !strings.Contains(errText(err), "client secret is wrong") {
		t.Fatalf("FindClient with a wrong secret = %v", err)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// m2mClient creates an application through the Management API with a client
// grant to the management audience holding scopes, and returns a Client
// that uses its credentials.
func m2mClient(t *testing.T, srv *sandbox.Server, admin *auth0client.Client, name string, scopes []string, grant bool) *auth0client.Client {
	t.Helper()
	ctx := t.Context()
	app, err := admin.CreateClient(ctx, steps.App{Name: name, AppType: "non_interactive", GrantTypes: []string{"client_credentials"}})
	must(t, "create the M2M application", err)
	if grant {
		_, err = admin.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: srv.Audience, Scope: scopes})
		must(t, "grant the M2M application", err)
	}
	return sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.ClientID, cfg.ClientSecret = app.ClientID, app.ClientSecret })
}

func TestMissingScope(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 6})
	admin := sandboxtest.Client(t, srv, nil)
	weak := m2mClient(t, srv, admin, "read-only manager", []string{"read:clients", "read:resource_servers"}, true)
	ctx := t.Context()
	scopes, err := weak.GrantedScopes(ctx)
	must(t, "GrantedScopes", err)
	slices.Sort(scopes)
	if !slices.Equal(scopes, []string{"read:clients", "read:resource_servers"}) {
		t.Fatalf("GrantedScopes = %v, want the two granted", scopes)
	}
	// A read it holds works.
	_, err = weak.FindResourceServer(ctx, "https://nothing.example/")
	mustNotFound(t, "FindResourceServer with read:resource_servers", err)

	_, err = weak.CreateResourceServer(ctx, steps.ResourceServer{Name: "x", Identifier: "https://x.example/"})
	var ae *auth0client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden || !slices.Contains(ae.MissingScopes, "create:resource_servers") {
		t.Fatalf("CreateResourceServer without the scope = %#v, want 403 naming create:resource_servers", err)
	}
	msg := err.Error()
	for _, want := range []string{"create:resource_servers", "Auth0 Management API", "Machine to Machine Applications", "Update"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not say %q", msg, want)
		}
	}
	if errors.Is(err, steps.ErrUncertain) || errors.Is(err, steps.ErrConflict) || errors.Is(err, steps.ErrNotFound) {
		t.Errorf("a 403 matches a steps sentinel: %v", err)
	}
}

func TestNotAuthorizedForManagementAPI(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 7})
	admin := sandboxtest.Client(t, srv, nil)
	ungranted := m2mClient(t, srv, admin, "ungranted app", nil, false)
	_, err := ungranted.GrantedScopes(t.Context())
	var ae *auth0client.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Fatalf("GrantedScopes without a grant = %v, want a 403", err)
	}
	if !strings.Contains(err.Error(), "not authorized for the Management API") || !strings.Contains(err.Error(), "Machine to Machine Applications") {
		t.Fatalf("error %q does not say how to authorize the application", err)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, domain, kind string
		want               []string
	}{
		{"refused", "127.0.0.1:1", "refused", []string{"127.0.0.1:1", "connection refused"}},
		{"no such host", "no-such-tenant.invalid", "dns", []string{"no-such-tenant.invalid", "no such host"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := auth0client.New(auth0client.Config{Domain: tc.domain, ClientID: "id", ClientSecret: "secret-value"})
			must(t, "New", err)
			for _, call := range []func() error{
				func() error { _, err := c.Discover(t.Context()); return err },
				func() error { _, err := c.GrantedScopes(t.Context()); return err },
			} {
				err := call()
				var te *auth0client.TransportError
				if !errors.As(err, &te) || te.Kind != tc.kind {
					t.Fatalf("error = %v (%T), want a %s TransportError", err, err, tc.kind)
				}
				for _, w := range tc.want {
					var dns *net.DNSError
					if w == "no such host" && errors.As(err, &dns) && !dns.IsNotFound {
						// No resolver here (offline CI): the lookup failed otherwise.
						w = "DNS lookup"
					}
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
			}
		})
	}
}

func TestUnknownCertificateAuthority(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 8})
	c := sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.CAPEM = nil })
	_, err := c.Discover(t.Context())
	var te *auth0client.TransportError
	if !errors.As(err, &te) || te.Kind != "tls" || !strings.Contains(err.Error(), "--ca-file") {
		t.Fatalf("Discover without the sandbox CA = %v, want a TLS error suggesting --ca-file", err)
	}
	// The CA file works as well as the PEM.
	c = sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.CAPEM, cfg.CAFile = nil, srv.CAFile })
	_, err = c.Discover(t.Context())
	must(t, "Discover with --ca-file", err)
}

func TestVerifyTokenFailures(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 9})
	admin := sandboxtest.Client(t, srv, nil)
	ctx := t.Context()
	app, err := admin.CreateClient(ctx, steps.App{Name: "verify app", AppType: "non_interactive", GrantTypes: []string{"client_credentials"}})
	must(t, "CreateClient", err)
	_, err = admin.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: srv.Audience, Scope: []string{"read:clients"}})
	must(t, "CreateClientGrant", err)
	tc, err := admin.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, srv.Audience)
	must(t, "ClientCredentialsToken", err)
	if !tc.Verified {
		t.Fatalf("token not verified: %s", tc.Reason)
	}
	parts := strings.Split(tc.Token, ".")
	sig := []byte(parts[2])
	sig[5] ^= 1
	if sig[5] == '.' {
		sig[5] = 'A'
	}
	tampered := parts[0] + "." + parts[1] + "." + string(sig)
	tests := []struct {
		name, token, audience, clientID, reason string
	}{
		{"wrong audience", tc.Token, "https://other.example/", app.ClientID, "audience"},
		{"wrong azp", tc.Token, srv.Audience, "someone-else", "azp"},
		{"tampered signature", tampered, srv.Audience, app.ClientID, "signature"},
		{"not a JWT", "opaque", srv.Audience, app.ClientID, "not a JWT"},
	}
	for _, tt := range tests {
		got, err := admin.VerifyToken(ctx, tt.token, tt.audience, tt.clientID)
		must(t, tt.name, err)
		if got.Verified || !strings.Contains(got.Reason, tt.reason) {
			t.Errorf("%s: verified %v, reason %q; want unverified mentioning %q", tt.name, got.Verified, got.Reason, tt.reason)
		}
	}
	// Wrong secret for the application's own token.
	_, err = admin.ClientCredentialsToken(ctx, app.ClientID, "wrong-secret", srv.Audience)
	if err == nil || !strings.Contains(err.Error(), "client secret is wrong") {
		t.Fatalf("ClientCredentialsToken with a wrong secret = %v", err)
	}
}

// TestSandboxFaultsAndRateLimit drives creates and reads through a sandbox
// whose script fails chosen Management API requests: 429s, 503s, dropped
// connections, and writes committed with their answer lost. Every create
// either succeeds or is uncertain, an uncertain one is looked up before it
// is sent again, and nothing is ever reported as a conflict. The faults are
// scripted, not drawn against a clock, so the counts are exact on a loaded
// machine (a token bucket refilled in real time gave no 429 at all there).
func TestSandboxFaultsAndRateLimit(t *testing.T) {
	t.Parallel()
	const post, get = "POST /api/v2/resource-servers", "GET /api/v2/resource-servers"
	script := sandbox.NewScript(
		// The first create: a 429 (retried by the client), then a 503 it
		// must not re-send (uncertain); the test looks it up, through a 503
		// and a 429 the client retries, and does not find it; sent again, it
		// is committed with its answer lost (uncertain), looked up, found.
		sandbox.Fault{Pattern: post, Kind: sandbox.FaultRateLimited},
		sandbox.Fault{Pattern: post, Kind: sandbox.FaultUnavailable},
		sandbox.Fault{Pattern: get, Kind: sandbox.FaultUnavailable},
		sandbox.Fault{Pattern: get, Kind: sandbox.FaultRateLimited},
		sandbox.Fault{Pattern: post, Kind: sandbox.FaultCommittedDropped},
		// The second: dropped before the tenant saw it (uncertain), looked
		// up through a read whose answer is lost (retried), not found, sent
		// again and made.
		sandbox.Fault{Pattern: post, Kind: sandbox.FaultDropped},
		sandbox.Fault{Pattern: get, Kind: sandbox.FaultCommitted502},
	)
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 11, Script: script})
	c := sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.Retry = sandboxtest.FastRetry() })
	var rec sandboxtest.Notices
	ctx := rec.Context(t.Context())

	const n = 8
	uncertain := 0
	ids := map[string]string{}
	for i := range n {
		ident := fmt.Sprintf("https://api%d.example/", i)
		for try := 0; ; try++ {
			if try > 5 {
				t.Fatalf("create %s: still uncertain after %d tries", ident, try)
			}
			rs, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: fmt.Sprintf("API %d", i), Identifier: ident})
			if err == nil {
				ids[ident] = rs.ID
				break
			}
			if !errors.Is(err, steps.ErrUncertain) {
				t.Fatalf("create %s: %v (want success or ErrUncertain; a conflict here would mean a blind re-send)", ident, err)
			}
			uncertain++
			// The engine's rule: look it up before sending it again.
			rs, err = c.FindResourceServer(ctx, ident)
			if err == nil {
				ids[ident] = rs.ID
				break
			}
			if !errors.Is(err, steps.ErrNotFound) {
				t.Fatalf("find %s after an uncertain create: %v", ident, err)
			}
		}
	}
	if left := script.Left(); left != 0 {
		t.Fatalf("%d scripted faults of the creates were not met: the requests went otherwise than scripted", left)
	}
	// Concurrent reads, as the engine makes them, through a 429 and two
	// lost connections (whichever reads meet them).
	script.Add(sandbox.Fault{Pattern: get, Kind: sandbox.FaultRateLimited},
		sandbox.Fault{Pattern: get, Kind: sandbox.FaultDropped, Count: 2})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for ident, id := range ids {
		wg.Go(func() {
			rs, err := c.FindResourceServer(ctx, ident)
			if err == nil && rs.ID != id {
				err = fmt.Errorf("find %s = %s, want %s", ident, rs.ID, id)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			for _, nt := range rec.All() {
				t.Logf("%+v", nt)
			}
			t.Fatal(err)
		}
	}
	if len(ids) != n {
		t.Fatalf("%d resource servers, want %d", len(ids), n)
	}
	notices := rec.All()
	var limited, failed int
	for _, nt := range notices {
		if strings.HasPrefix(nt.Reason, "pacing") {
			// After a 429 whose bucket is empty, requests wait for it
			// to refill before they are sent: not retries.
			if !nt.RateLimited || nt.Wait <= 0 || nt.Attempt < 1 {
				t.Errorf("pacing notice %+v", nt)
			}
			continue
		}
		if nt.RateLimited {
			limited++
		} else {
			failed++
		}
		if nt.Wait <= 0 || nt.Attempt < 2 || nt.Reason == "" {
			t.Errorf("notice %+v lacks a wait, attempt or reason", nt)
		}
	}
	// 3 uncertain creates (the 503, the lost answer, the dropped one);
	// retried: 429s of a create, a read and a concurrent read; faults of
	// reads: the 503, the lost answer, the two drops.
	if uncertain != 3 || limited != 3 || failed != 4 || script.Left() != 0 {
		t.Errorf("%d uncertain creates, %d rate-limit waits, %d fault retries, %d faults left; want 3, 3, 4, 0",
			uncertain, limited, failed, script.Left())
	}
}

func TestFindClientPagesThroughEveryClient(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 12})
	var trace syncBuffer
	c := sandboxtest.Client(t, srv, func(cfg *auth0client.Config) { cfg.Trace = &trace })
	auth0client.SetPageSize(c, 3)
	ctx := t.Context()
	for i := range 7 {
		_, err := c.CreateClient(ctx, steps.App{Name: fmt.Sprintf("filler %d", i), AppType: "non_interactive"})
		must(t, "CreateClient", err)
	}
	// Two applications share the name; the marked one (made last) wins.
	_, err := c.CreateClient(ctx, steps.App{Name: "shared name", AppType: "spa"})
	must(t, "CreateClient", err)
	marked, err := c.CreateClient(ctx, steps.App{Name: "shared name", AppType: "non_interactive",
		Metadata: map[string]string{steps.MarkerKey: steps.MarkerValue}})
	must(t, "CreateClient", err)

	// FindClient asks clients/search, then reads each match by id: its
	// requests do not grow with the tenant, and the marked one wins.
	before := strings.Count(trace.String(), "--> GET ")
	got, err := c.FindClient(ctx, "shared name")
	must(t, "FindClient", err)
	if got.ClientID != marked.ClientID || !got.Marked() || got.ClientSecret == "" {
		t.Fatalf("FindClient = %+v, want the marked %s, with its secret", got, marked.ClientID)
	}
	if n := strings.Count(trace.String(), "--> GET ") - before; n != 3 {
		t.Errorf("FindClient made %d reads for two matches, want 3 (the search, then each by id)", n)
	}
	if n := strings.Count(trace.String(), "--> GET "+srv.BaseURL+"/api/v2/clients?"); n != 0 {
		t.Errorf("FindClient walked the client list (%d pages)", n)
	}
	_, err = c.FindClient(ctx, "no such name")
	mustNotFound(t, "FindClient of an unknown name", err)

	// FindClients (the consistent read after a lost answer) walks them all.
	mark := len(trace.String())
	before = strings.Count(trace.String(), "--> GET "+srv.BaseURL+"/api/v2/clients?")
	all, err := c.FindClients(ctx, "shared name")
	must(t, "FindClients", err)
	if len(all) != 2 {
		t.Fatalf("FindClients = %d applications, want 2", len(all))
	}
	pages := strings.Count(trace.String(), "--> GET "+srv.BaseURL+"/api/v2/clients?") - before
	if pages < 4 {
		t.Fatalf("FindClients read %d pages of 3 for 10 or more clients", pages)
	}
	if strings.Contains(trace.String()[mark:], `"clients":[]`) {
		t.Error("FindClients asked for an empty page past the end")
	}

	before = strings.Count(trace.String(), "/api/v2/resource-servers?")
	_, err = c.FindResourceServer(ctx, "https://absent.example/")
	mustNotFound(t, "FindResourceServer", err)
	if n := strings.Count(trace.String(), "/api/v2/resource-servers?") - before; n != 1 {
		t.Errorf("a FindResourceServer that finds nothing made %d requests, want 1", n)
	}
}

func TestDiscoverIssuerMismatch(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/.well-known/jwks.json" { // Discover reads the keys alongside
			answerJSON(w, http.StatusOK, `{"keys":[]}`)
			return
		}
		if r.URL.Path != "/.well-known/openid-configuration" {
			t.Errorf("unexpected request %s", r.URL)
			http.NotFound(w, r)
			return
		}
		answerJSON(w, http.StatusOK, `{"issuer":"https://login.example.com/","authorization_endpoint":"https://login.example.com/authorize",`+
			`"token_endpoint":"https://login.example.com/oauth/token","jwks_uri":"https://login.example.com/.well-known/jwks.json"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := auth0client.New(auth0client.Config{Domain: srv.URL, CAPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})})
	must(t, "New", err)
	ep, err := c.Discover(t.Context())
	var mismatch *auth0client.IssuerMismatchError
	if !errors.As(err, &mismatch) || mismatch.Got != "https://login.example.com/" || mismatch.Want != srv.URL+"/" {
		t.Fatalf("Discover = %v, want an IssuerMismatchError", err)
	}
	if ep.TokenEndpoint != "https://login.example.com/oauth/token" {
		t.Errorf("Discover did not return the endpoints with the mismatch: %+v", ep)
	}
	if !strings.Contains(err.Error(), "trailing slash") {
		t.Errorf("error %q does not explain the expected issuer", err)
	}
}

// TestVerifyHS256Token: an HS256 API's tokens are signed with its signing
// secret (not the tenant's JWKS); VerifyToken reads that secret through the
// Management API and checks them with it, and refuses one signed otherwise.
func TestVerifyHS256Token(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 11})
	var trace syncBuffer
	admin := sandboxtest.Client(t, srv, func(c *auth0client.Config) { c.Trace = &trace })
	ctx := t.Context()
	const api = "https://hs256.example/api"
	_, err := admin.CreateResourceServer(ctx, steps.ResourceServer{Name: "HS API", Identifier: api, SigningAlg: "HS256"})
	must(t, "CreateResourceServer", err)
	app, err := admin.CreateClient(ctx, steps.App{Name: "hs app", AppType: "non_interactive", GrantTypes: []string{"client_credentials"}})
	must(t, "CreateClient", err)
	_, err = admin.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: api, Scope: []string{}})
	must(t, "CreateClientGrant", err)
	tc, err := admin.ClientCredentialsToken(ctx, app.ClientID, app.ClientSecret, api)
	must(t, "ClientCredentialsToken", err)
	if !tc.Verified {
		t.Fatalf("HS256 token not verified: %s", tc.Reason)
	}
	// The same claims signed with another key do not verify.
	payload, err := json.Marshal(tc.Claims)
	must(t, "encode the claims", err)
	forged, err := jws.Sign(payload, jws.WithKey(jwa.HS256, []byte("not the API's secret")))
	must(t, "sign", err)
	got, err := admin.VerifyToken(ctx, string(forged), api, app.ClientID)
	must(t, "VerifyToken", err)
	if got.Verified || !strings.Contains(got.Reason, "HS256 signature does not verify") {
		t.Fatalf("forged HS256 token: verified %v, reason %q", got.Verified, got.Reason)
	}
	seen := regexp.MustCompile(`"signing_secret":\s*"([^"]*)"`).FindAllStringSubmatch(trace.String(), -1)
	if len(seen) == 0 {
		t.Fatal("the trace shows no signing_secret field: the redaction check would prove nothing")
	}
	for _, m := range seen {
		if m[1] != "[REDACTED]" {
			t.Errorf("the trace holds the API's signing secret: %s", m[0])
		}
	}
}

// TestFinalServerErrorIsNotSleptOn: a 5xx answer to a create is not retried
// (it may have been committed), and must reach the engine at once as an
// uncertain error. go-auth0 v3.0.0 would otherwise sleep on its Retry-After
// (30 s here, up to a minute, deaf to Ctrl+C) before returning it.
func TestFinalServerErrorIsNotSleptOn(t *testing.T) {
	t.Parallel()
	script := sandbox.NewScript(sandbox.Fault{Pattern: "POST /api/v2/resource-servers", Kind: sandbox.FaultAnswer,
		Status: http.StatusServiceUnavailable, Message: "Service Unavailable", ErrorCode: "service_unavailable",
		Header: http.Header{"Retry-After": {"30"}}})
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 12, Script: script})
	c := sandboxtest.Client(t, srv, nil)
	start := time.Now()
	_, err := c.CreateResourceServer(t.Context(), steps.ResourceServer{Name: "slow", Identifier: "https://slow.example/"})
	took := time.Since(start)
	var ae *auth0client.APIError
	if !errors.Is(err, steps.ErrUncertain) || !errors.As(err, &ae) || ae.Status != http.StatusServiceUnavailable || ae.Code != "service_unavailable" {
		t.Fatalf("CreateResourceServer after a 503 = %v, want an uncertain *APIError 503 service_unavailable", err)
	}
	if script.Left() != 0 {
		t.Fatalf("the scripted 503 was not met")
	}
	if took > 10*time.Second {
		t.Fatalf("the 503 took %v to come back: something slept on its Retry-After", took)
	}
}

// TestPlainHTTPSandboxGivenWithoutScheme: a sandbox started with --http,
// its domain given without http://, says how to give it (and is not retried).
func TestPlainHTTPSandboxGivenWithoutScheme(t *testing.T) {
	t.Parallel()
	srv := sandboxtest.Start(t, sandbox.Options{Seed: 13, HTTP: true})
	c, err := auth0client.New(auth0client.Config{Domain: srv.Domain, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret})
	must(t, "New", err)
	var rec sandboxtest.Notices
	_, err = c.Discover(rec.Context(t.Context()))
	var te *auth0client.TransportError
	if !errors.As(err, &te) || te.Kind != "tls" || !strings.Contains(err.Error(), "http://127.0.0.1:PORT") {
		t.Fatalf("Discover of a plain-HTTP sandbox over HTTPS = %v, want a TLS error saying to give http://", err)
	}
	if n := len(rec.All()); n != 0 {
		t.Fatalf("%d retries of a request that cannot succeed", n)
	}
}
