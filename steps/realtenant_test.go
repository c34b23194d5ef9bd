package steps_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestRealTenant applies the wso2 playbook to a real Auth0 tenant and tears
// it down. It runs only when AUTH0_DOMAIN, AUTH0_CLIENT_ID and
// AUTH0_CLIENT_SECRET name a management application with the playbook's
// scopes (AUTH0_AUDIENCE optional); the names it uses carry a timestamp so
// nothing of the tenant's own is touched.
func TestRealTenant(t *testing.T) {
	domain, id, secret := os.Getenv("AUTH0_DOMAIN"), os.Getenv("AUTH0_CLIENT_ID"), os.Getenv("AUTH0_CLIENT_SECRET")
	if domain == "" || id == "" || secret == "" {
		t.Skip("AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are not all set: no real tenant to test against")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := auth0client.New(auth0client.Config{Domain: domain, ClientID: id, ClientSecret: secret, Audience: os.Getenv("AUTH0_AUDIENCE")})
	if err != nil {
		t.Fatal(err)
	}
	stamp := time.Now().UTC().Format("20060102-150405")
	s := steps.WithDefaults(steps.Settings{Playbook: steps.WSO2, Domain: domain, ClientID: id, ClientSecret: secret,
		Audience: os.Getenv("AUTH0_AUDIENCE"), APIName: "auth0-wizard test " + stamp,
		APIIdentifier: "https://auth0-wizard-test/" + stamp, AppName: "auth0-wizard test " + stamp})
	j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "real.journal.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	e := steps.NewEngine(c)
	t.Cleanup(func() {
		if err := e.Teardown(context.Background(), j, nil); err != nil {
			t.Errorf("teardown of the real tenant (journal %s): %v", j.Path(), err)
		}
	})
	_, res, _, err := applyOnce(ctx, t, c, steps.WSO2, s, j)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Token.Verified || res.Token.Claims["azp"] != res.ClientID || res.Token.Claims["iss"] != res.Endpoints.Issuer {
		t.Fatalf("token = %+v", res.Token)
	}
	for _, r := range res.Resources {
		if r.Action != "created" {
			t.Errorf("%+v", r)
		}
	}
	t.Logf("created %d resources on %s; tearing down", len(res.Resources), domain)
}
