package sandbox

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/auth0/go-auth0/v3/authentication"
	"github.com/auth0/go-auth0/v3/authentication/oauth"
	"github.com/auth0/go-auth0/v3/management"
	mgmtclient "github.com/auth0/go-auth0/v3/management/client"
	"github.com/auth0/go-auth0/v3/management/core"
	"github.com/auth0/go-auth0/v3/management/option"
	"golang.org/x/oauth2"
)

// sdk is the Go SDK for Auth0 (v3) pointed at a sandbox over HTTPS with
// the seeded management application's credentials.
func sdk(t *testing.T, s *Server) (*mgmtclient.Management, context.Context) {
	t.Helper()
	if !strings.HasPrefix(s.BaseURL, "https://") {
		t.Fatalf("the sandbox serves %s: the SDK test needs HTTPS", s.BaseURL)
	}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, s.Client())
	m, err := mgmtclient.New(s.Domain,
		option.WithClientCredentials(ctx, s.ClientID, s.ClientSecret),
		option.WithHTTPClient(s.Client()),
		option.WithMaxAttempts(1),
	)
	if err != nil {
		t.Fatal(err)
	}
	return m, ctx
}

func ptr[T any](v T) *T { return &v }

func statusOf(err error) int {
	var ae *core.APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

func TestSDKResourceServers(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	m, ctx := sdk(t, s)
	rs, err := m.ResourceServers.Create(ctx, &management.CreateResourceServerRequestContent{
		Name:       ptr("Basic Calculator"),
		Identifier: "basic-calculator",
		Scopes:     []*management.ResourceServerScope{{Value: "default", Description: ptr("Default")}},
		SigningAlg: ptr(management.SigningAlgorithmEnumRs256),
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if len(rs.GetID()) != 24 || rs.GetTokenLifetime() != 86400 || rs.GetAllowOfflineAccess() {
		t.Errorf("defaults: id %q lifetime %d", rs.GetID(), rs.GetTokenLifetime())
	}
	byIdent, err := m.ResourceServers.Get(ctx, "basic-calculator", &management.GetResourceServerRequestParameters{})
	if err != nil || byIdent.GetID() != rs.GetID() {
		t.Fatalf("get by identifier: %v %v", byIdent, err)
	}
	page, err := m.ResourceServers.List(ctx, &management.ListResourceServerRequestParameters{Identifiers: []*string{ptr("basic-calculator")}})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for it := page.Iterator(); it.Next(ctx); {
		found = append(found, it.Current().GetIdentifier())
	}
	if !slices.Equal(found, []string{"basic-calculator"}) {
		t.Errorf("list by identifier: %v", found)
	}
	up, err := m.ResourceServers.Update(ctx, rs.GetID(), &management.UpdateResourceServerRequestContent{
		Scopes: []*management.ResourceServerScope{{Value: "default"}, {Value: "add"}},
	})
	if err != nil || len(up.GetScopes()) != 2 {
		t.Fatalf("update: %v %v", up, err)
	}
	if _, err := m.ResourceServers.Create(ctx, &management.CreateResourceServerRequestContent{Identifier: "basic-calculator"}); statusOf(err) != 409 {
		t.Errorf("duplicate identifier: %v", err)
	}
	if err := m.ResourceServers.Delete(ctx, rs.GetID()); err != nil {
		t.Fatal(err)
	}
	if err := m.ResourceServers.Delete(ctx, rs.GetID()); err != nil {
		t.Errorf("second delete: %v", err)
	}
	_, err = m.ResourceServers.Get(ctx, rs.GetID(), &management.GetResourceServerRequestParameters{})
	var nf *management.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("get after delete: %v", err)
	}
}

func TestSDKClientsAndGrants(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	m, ctx := sdk(t, s)
	if _, err := m.ResourceServers.Create(ctx, &management.CreateResourceServerRequestContent{
		Identifier: "https://api.example.com/", Scopes: []*management.ResourceServerScope{{Value: "default"}},
	}); err != nil {
		t.Fatal(err)
	}
	md := management.ClientMetadata{"created_by": "auth0-wizard"}
	c, err := m.Clients.Create(ctx, &management.CreateClientRequestContent{
		Name:                    "WSO2 app",
		AppType:                 ptr(management.ClientAppTypeEnumNonInteractive),
		TokenEndpointAuthMethod: ptr(management.ClientTokenEndpointAuthMethodEnumClientSecretPost),
		GrantTypes:              []string{"client_credentials"},
		Callbacks:               []string{},
		ClientMetadata:          &md,
	})
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	if len(c.GetClientID()) != 32 || c.GetClientSecret() == "" || c.GetClientMetadata()["created_by"] != "auth0-wizard" {
		t.Fatalf("created client: %+v", c)
	}
	got, err := m.Clients.Get(ctx, c.GetClientID(), &management.GetClientRequestParameters{})
	if err != nil || got.GetClientSecret() != c.GetClientSecret() {
		t.Fatalf("get client: %v", err)
	}
	page, err := m.Clients.List(ctx, &management.ListClientsRequestParameters{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for it := page.Iterator(); it.Next(ctx); {
		names = append(names, it.Current().GetName())
	}
	// The management application, the global client and this one.
	if !slices.Contains(names, "WSO2 app") || !slices.Contains(names, globalClientName) || len(names) != 3 {
		t.Errorf("list clients: %v", names)
	}
	page, err = m.Clients.List(ctx, &management.ListClientsRequestParameters{IsGlobal: ptr(false)})
	if err != nil {
		t.Fatal(err)
	}
	names = nil
	for it := page.Iterator(); it.Next(ctx); {
		names = append(names, it.Current().GetName())
	}
	if slices.Contains(names, globalClientName) || len(names) != 2 {
		t.Errorf("list clients is_global=false: %v", names)
	}
	up, err := m.Clients.Update(ctx, c.GetClientID(), &management.UpdateClientRequestContent{Description: ptr("keys")})
	if err != nil || up.GetDescription() != "keys" {
		t.Fatalf("update client: %v", err)
	}
	rot, err := m.Clients.RotateSecret(ctx, c.GetClientID())
	if err != nil || rot.GetClientSecret() == "" || rot.GetClientSecret() == c.GetClientSecret() {
		t.Fatalf("rotate: %v", err)
	}

	g, err := m.ClientGrants.Create(ctx, &management.CreateClientGrantRequestContent{
		ClientID: ptr(c.GetClientID()), Audience: "https://api.example.com/", Scope: []string{"default"},
	})
	if err != nil || !strings.HasPrefix(g.GetID(), "cgr_") {
		t.Fatalf("create grant: %v", err)
	}
	_, err = m.ClientGrants.Create(ctx, &management.CreateClientGrantRequestContent{
		ClientID: ptr(c.GetClientID()), Audience: "https://api.example.com/", Scope: []string{"default"},
	})
	if statusOf(err) != 409 {
		t.Errorf("duplicate grant: %v", err)
	}
	gp, err := m.ClientGrants.List(ctx, &management.ListClientGrantsRequestParameters{ClientID: ptr(c.GetClientID())})
	if err != nil {
		t.Fatal(err)
	}
	var grants []string
	for it := gp.Iterator(); it.Next(ctx); {
		grants = append(grants, it.Current().GetID())
	}
	if !slices.Equal(grants, []string{g.GetID()}) {
		t.Errorf("grants of the client: %v", grants)
	}
	ug, err := m.ClientGrants.Update(ctx, g.GetID(), &management.UpdateClientGrantRequestContent{Scope: []string{"default", "extra"}})
	if err != nil || len(ug.GetScope()) != 2 {
		t.Fatalf("update grant: %v", err)
	}

	// The application can now get a token for the API, by the SDK's
	// authentication package (client_secret_post).
	auth, err := authentication.New(ctx, s.Domain, authentication.WithClient(s.Client()),
		authentication.WithClientID(c.GetClientID()), authentication.WithClientSecret(rot.GetClientSecret()))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := auth.OAuth.LoginWithClientCredentials(ctx, oauth.LoginWithClientCredentialsRequest{Audience: "https://api.example.com/"}, oauth.IDTokenValidationOptions{})
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	if tok.Scope != "default extra" || tok.TokenType != "Bearer" || tok.ExpiresIn != 86400 {
		t.Errorf("token set: %+v", tok)
	}

	if err := m.ClientGrants.Delete(ctx, g.GetID()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.ClientGrants.Get(ctx, g.GetID()); statusOf(err) != 404 {
		t.Errorf("grant after delete: %v", err)
	}
	if err := m.Clients.Delete(ctx, c.GetClientID()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Clients.Get(ctx, c.GetClientID(), &management.GetClientRequestParameters{}); statusOf(err) != 404 {
		t.Errorf("client after delete: %v", err)
	}
}

func TestSDKConnectionsAndUsers(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	m, ctx := sdk(t, s)
	app, err := m.Clients.Create(ctx, &management.CreateClientRequestContent{Name: "calc",
		GrantTypes: []string{"password", "http://auth0.com/oauth/grant-type/password-realm"},
		AppType:    ptr(management.ClientAppTypeEnumRegularWeb)})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := m.Connections.Create(ctx, &management.CreateConnectionRequestContent{
		Name: "BasicCalculator", Strategy: management.ConnectionIdentityProviderEnumAuth0,
	})
	if err != nil || !strings.HasPrefix(conn.GetID(), "con_") {
		t.Fatalf("create connection: %v", err)
	}
	if _, err := m.Connections.Create(ctx, &management.CreateConnectionRequestContent{
		Name: "BasicCalculator", Strategy: management.ConnectionIdentityProviderEnumAuth0,
	}); statusOf(err) != 409 {
		t.Errorf("duplicate connection: %v", err)
	}
	lp, err := m.Connections.List(ctx, &management.ListConnectionsQueryParameters{Name: ptr("BasicCalculator")})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for it := lp.Iterator(); it.Next(ctx); {
		ids = append(ids, it.Current().GetID())
	}
	if !slices.Equal(ids, []string{conn.GetID()}) {
		t.Errorf("list by name: %v", ids)
	}
	if err := m.Connections.Clients.Update(ctx, conn.GetID(), management.UpdateEnabledClientConnectionsRequestContent{
		{ClientID: app.GetClientID(), Status: true},
	}); err != nil {
		t.Fatalf("enable: %v", err)
	}
	ep, err := m.Connections.Clients.Get(ctx, conn.GetID(), &management.GetConnectionEnabledClientsRequestParameters{})
	if err != nil {
		t.Fatal(err)
	}
	var enabled []string
	for it := ep.Iterator(); it.Next(ctx); {
		enabled = append(enabled, it.Current().GetClientID())
	}
	if !slices.Equal(enabled, []string{app.GetClientID()}) {
		t.Errorf("enabled clients: %v", enabled)
	}
	full, err := m.Connections.Get(ctx, conn.GetID(), &management.GetConnectionRequestParameters{})
	if err != nil || !slices.Equal(full.GetEnabledClients(), []string{app.GetClientID()}) {
		t.Errorf("legacy enabled_clients: %v %v", full.GetEnabledClients(), err)
	}

	u, err := m.Users.Create(ctx, &management.CreateUserRequestContent{
		Connection: "BasicCalculator", Email: ptr("ada@example.com"), Password: ptr("Correct-Horse-9"),
	})
	if err != nil || !strings.HasPrefix(u.GetUserID(), "auth0|") {
		t.Fatalf("create user: %v", err)
	}
	_, err = m.Users.Create(ctx, &management.CreateUserRequestContent{
		Connection: "BasicCalculator", Email: ptr("bob@example.com"), Password: ptr("short"),
	})
	if statusOf(err) != 400 || !strings.Contains(err.Error(), "PasswordStrengthError") {
		t.Errorf("weak password: %v", err)
	}
	_, err = m.Users.Create(ctx, &management.CreateUserRequestContent{
		Connection: "BasicCalculator", Email: ptr("ada@example.com"), Password: ptr("Correct-Horse-9"),
	})
	if statusOf(err) != 409 {
		t.Errorf("existing user: %v", err)
	}
	got, err := m.Users.Get(ctx, u.GetUserID(), &management.GetUserRequestParameters{})
	if err != nil || got.GetEmail() != "ada@example.com" {
		t.Fatalf("get user: %v", err)
	}
	byEmail, err := m.Users.ListUsersByEmail(ctx, &management.ListUsersByEmailRequestParameters{Email: "ada@example.com"})
	if err != nil || len(byEmail) != 1 {
		t.Fatalf("users by email: %v %v", byEmail, err)
	}
	up, err := m.Users.List(ctx, &management.ListUsersRequestParameters{Q: ptr(`email:"ada@example.com"`)})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for it := up.Iterator(); it.Next(ctx); {
		found = append(found, it.Current().GetUserID())
	}
	if !slices.Equal(found, []string{u.GetUserID()}) {
		t.Errorf("search: %v", found)
	}
	upd, err := m.Users.Update(ctx, u.GetUserID(), &management.UpdateUserRequestContent{GivenName: ptr("Ada")})
	if err != nil || upd.GetGivenName() != "Ada" {
		t.Fatalf("update user: %v", err)
	}

	// The user logs in through the password-realm grant.
	auth, err := authentication.New(ctx, s.Domain, authentication.WithClient(s.Client()),
		authentication.WithClientID(app.GetClientID()), authentication.WithClientSecret(app.GetClientSecret()))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := auth.OAuth.LoginWithPassword(ctx, oauth.LoginWithPasswordRequest{
		Username: "ada@example.com", Password: "Correct-Horse-9", Realm: "BasicCalculator", Scope: "openid profile email",
	}, oauth.IDTokenValidationOptions{})
	if err != nil {
		t.Fatalf("password-realm: %v", err)
	}
	if ts.IDToken == "" || ts.AccessToken == "" {
		t.Errorf("token set: %+v", ts)
	}
	info, err := auth.UserInfo(ctx, ts.AccessToken)
	if err != nil || info.Sub != u.GetUserID() || info.Email != "ada@example.com" {
		t.Errorf("userinfo: %+v %v", info, err)
	}
	if err := auth.OAuth.RevokeRefreshToken(ctx, oauth.RevokeRefreshTokenRequest{Token: "whatever"}); err != nil {
		t.Errorf("revoke: %v", err)
	}

	if err := m.Users.Delete(ctx, u.GetUserID()); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Users.Get(ctx, u.GetUserID(), &management.GetUserRequestParameters{}); statusOf(err) != 404 {
		t.Errorf("user after delete: %v", err)
	}
	if err := m.Connections.Delete(ctx, conn.GetID()); err != nil {
		t.Fatalf("delete connection: %v", err)
	}
	if err := m.Connections.Delete(ctx, conn.GetID()); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

// The SDK's token source tries HTTP Basic first; the sandbox must accept it
// (and the management client must work with a token from it).
func TestSDKTokenSourceUsesBasic(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	var sawBasic bool
	base := s.Client().Transport
	spy := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if _, _, ok := r.BasicAuth(); ok && r.URL.Path == "/oauth/token" {
			sawBasic = true
		}
		return base.RoundTrip(r)
	})}
	ctx := context.WithValue(t.Context(), oauth2.HTTPClient, spy)
	m, err := mgmtclient.New(s.Domain, option.WithClientCredentials(ctx, s.ClientID, s.ClientSecret), option.WithHTTPClient(spy))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Clients.Get(ctx, s.ClientID, &management.GetClientRequestParameters{}); err != nil {
		t.Fatal(err)
	}
	if !sawBasic {
		t.Error("the token source did not use HTTP Basic")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
