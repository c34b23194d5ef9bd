package steps_test

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// TestRealTenant applies each playbook to a real Auth0 tenant and tears it
// down. It runs only when AUTH0_DOMAIN, AUTH0_CLIENT_ID and
// AUTH0_CLIENT_SECRET name a management application with the playbooks'
// scopes (AUTH0_AUDIENCE optional); the names it uses carry a timestamp so
// nothing of the tenant's own is touched, and teardown leaves the tenant's
// lists as they were.
func TestRealTenant(t *testing.T) {
	domain, id, secret := os.Getenv("AUTH0_DOMAIN"), os.Getenv("AUTH0_CLIENT_ID"), os.Getenv("AUTH0_CLIENT_SECRET")
	if domain == "" || id == "" || secret == "" {
		t.Skip("AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET are not all set: no real tenant to test against")
	}
	for _, pb := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		t.Run(string(pb), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			c, err := auth0client.New(auth0client.Config{Domain: domain, ClientID: id, ClientSecret: secret, Audience: os.Getenv("AUTH0_AUDIENCE")})
			if err != nil {
				t.Fatal(err)
			}
			stamp := time.Now().UTC().Format("20060102-150405")
			s := steps.WithDefaults(steps.Settings{Playbook: pb, Domain: domain, ClientID: id, ClientSecret: secret,
				Audience: os.Getenv("AUTH0_AUDIENCE"), APIName: "auth0-wizard test " + stamp,
				APIIdentifier: "https://auth0-wizard-test/" + stamp, AppName: "auth0-wizard test " + stamp,
				ConnectionName: "auth0-wizard-test-" + stamp, UserEmail: "auth0-wizard-test-" + stamp + "@example.com",
				// Policy "good": lower, upper, digits and specials.
				UserPassword: "Aa1!" + strings.ToLower(rand.Text())})
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
			_, res, _, err := applyOnce(ctx, t, c, pb, s, j)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Token.Verified || res.Token.Claims["azp"] != res.ClientID || res.Token.Claims["iss"] != res.Endpoints.Issuer {
				t.Fatalf("token = %+v", res.Token)
			}
			if res.UserToken != nil && !res.UserToken.Verified {
				t.Fatalf("user token = %+v", *res.UserToken)
			}
			for _, r := range res.Resources {
				if r.Action != "created" {
					t.Errorf("%+v", r)
				}
			}
			t.Logf("created %d resources on %s; tearing down", len(res.Resources), domain)
		})
	}
}
