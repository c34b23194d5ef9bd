package auth0client_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestRealTenant reads a real tenant when AUTH0_DOMAIN, AUTH0_CLIENT_ID and
// AUTH0_CLIENT_SECRET are set (AUTH0_AUDIENCE optional). It changes nothing.
func TestRealTenant(t *testing.T) {
	domain, id, secret := os.Getenv("AUTH0_DOMAIN"), os.Getenv("AUTH0_CLIENT_ID"), os.Getenv("AUTH0_CLIENT_SECRET")
	if domain == "" || id == "" || secret == "" {
		t.Skip("AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are not all set")
	}
	var trace syncBuffer
	c, err := auth0client.New(auth0client.Config{Domain: domain, ClientID: id, ClientSecret: secret, Audience: os.Getenv("AUTH0_AUDIENCE"), Trace: &trace})
	must(t, "New", err)
	ctx := t.Context()
	ep, err := c.Discover(ctx)
	must(t, "Discover", err)
	if ep.Issuer != c.Issuer() || ep.JWKSURI == "" {
		t.Fatalf("Discover = %+v", ep)
	}
	scopes, err := c.GrantedScopes(ctx)
	must(t, "GrantedScopes", err)
	t.Logf("granted scopes: %v", scopes)
	switch {
	case slices.Contains(scopes, "read:resource_servers"):
		rs, err := c.FindResourceServer(ctx, c.Audience())
		must(t, "FindResourceServer(management audience)", err)
		if rs.Identifier != c.Audience() {
			t.Fatalf("FindResourceServer = %+v", rs)
		}
	case slices.Contains(scopes, "read:clients"):
		_, err := c.FindClient(ctx, "auth0-wizard test: no application has this name")
		if !errors.Is(err, steps.ErrNotFound) {
			t.Fatalf("FindClient = %v, want ErrNotFound", err)
		}
	default:
		t.Logf("neither read:resource_servers nor read:clients granted: no read attempted")
	}
	if strings.Contains(trace.String(), secret) || jwtLike.MatchString(trace.String()) {
		t.Fatal("the trace holds the client secret or a token")
	}
}
