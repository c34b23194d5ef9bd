package steps_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

func TestPlaybooksEndToEnd(t *testing.T) {
	t.Parallel()
	for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		t.Run(string(id), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sb, c := startSandbox(t, sandbox.Options{Seed: 1})
			adm := newAdmin(t, sb)
			s := settings(sb, id)
			p, _ := steps.PlaybookByID(id)
			before := adm.snapshot()

			// Plan changes nothing and plans every action as create (the
			// connection_client as update: it enables the connection).
			e := steps.NewEngine(c)
			plan, err := e.Plan(ctx, p, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range plan.Actions {
				if want := steps.Create; a.Verb != want && !(a.Kind == steps.KindConnectionClient && a.Verb == steps.Update) {
					t.Errorf("first plan: %s is %s", a.ID, a.Verb)
				}
			}
			if got := adm.snapshot(); !slices.Equal(got, before) {
				t.Fatalf("plan changed the tenant:\n%v\n%v", before, got)
			}

			path := filepath.Join(t.TempDir(), steps.DefaultJournalPath(id))
			j, err := steps.OpenJournal(path, false)
			if err != nil {
				t.Fatal(err)
			}
			_, res, evs, err := applyOnce(ctx, t, c, id, s, j)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Token.Verified || res.Token.Claims["azp"] != res.ClientID || res.Token.Claims["aud"] != s.APIIdentifier {
				t.Fatalf("token = %+v", res.Token)
			}
			if res.ClientSecret == "" {
				t.Fatal("no client secret in the result")
			}
			wantKinds := map[steps.PlaybookID]int{steps.WSO2: 3, steps.Azure: 5}[id]
			if len(res.Resources) != wantKinds {
				t.Fatalf("resources = %+v", res.Resources)
			}
			for _, r := range res.Resources {
				if r.Action != "created" || r.ID == "" {
					t.Errorf("first apply: %+v", r)
				}
			}
			if id == steps.Azure {
				if res.UserToken == nil || !res.UserToken.Verified {
					t.Errorf("user token = %+v (%s)", res.UserToken, res.UserTokenNote)
				}
			}
			for _, a := range plan.Actions {
				if _, ok := find(evs, a.ID, steps.EventDone); !ok {
					t.Errorf("no done event for %s", a.ID)
				}
			}
			if ev, ok := find(evs, "token", steps.EventDone); !ok || ev.Duration <= 0 {
				t.Errorf("token done event = %+v", ev)
			}
			after := adm.snapshot()
			if count(after, "client", s.AppName) != 1 || count(after, "resource_server", s.APIIdentifier) != 1 ||
				count(after, "client_grant", s.APIIdentifier) != 1 {
				t.Fatalf("tenant after apply:\n%s", strings.Join(after, "\n"))
			}
			if id == steps.Azure && (count(after, "connection", s.ConnectionName+" enabled:"+res.ClientID) != 1 || count(after, "user", s.UserEmail) != 1) {
				t.Fatalf("tenant after apply:\n%s", strings.Join(after, "\n"))
			}
			if id == steps.Azure && count(after, "client", steps.APIMRedirectURI("contoso", "auth0")) != 1 {
				t.Errorf("callback missing:\n%s", strings.Join(after, "\n"))
			}

			// A second apply (a new engine and client, the same journal)
			// reuses everything and changes nothing.
			j2, _ := steps.OpenJournal(path, false)
			plan2, res2, _, err := applyOnce(ctx, t, newClient(t, sb, sb.ClientID, sb.ClientSecret), id, s, j2)
			if err != nil {
				t.Fatal(err)
			}
			for a, v := range verbs(plan2) {
				if v != steps.Reuse {
					t.Errorf("second plan: %s is %s", a, v)
				}
			}
			for _, r := range res2.Resources {
				if r.Action != "reused" {
					t.Errorf("second apply: %+v", r)
				}
			}
			if res2.ClientID != res.ClientID || res2.ClientSecret != res.ClientSecret || !res2.Token.Verified {
				t.Errorf("second apply: client %s token %v", res2.ClientID, res2.Token.Verified)
			}
			if got := adm.snapshot(); !slices.Equal(got, after) {
				t.Fatalf("second apply changed the tenant:\n%s\n---\n%s", strings.Join(after, "\n"), strings.Join(got, "\n"))
			}
			// The journal still says created, so teardown removes it all.
			for _, r := range j2.Resources() {
				if r.Action != "created" && r.Kind != steps.KindConnectionClient {
					t.Errorf("journal after reuse: %+v", r)
				}
			}
			if err := e.Teardown(ctx, j2, nil); err != nil {
				t.Fatal(err)
			}
			if got := adm.snapshot(); !slices.Equal(got, before) {
				t.Fatalf("teardown left the tenant changed:\n%s\n---\n%s", strings.Join(before, "\n"), strings.Join(got, "\n"))
			}
			if err := e.Teardown(ctx, j2, nil); err != nil {
				t.Fatalf("second teardown: %v", err)
			}
		})
	}
}

func find(evs []steps.Event, action string, kind steps.EventKind) (steps.Event, bool) {
	for _, ev := range evs {
		if ev.Action == action && ev.Kind == kind {
			return ev, true
		}
	}
	return steps.Event{}, false
}

// A management application without one required scope: Check names it, and
// apply stops before any change.
func TestMissingScopeStopsBeforeAnyChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 2})
	p, _ := steps.PlaybookByID(steps.Azure)
	// A second management application, granted every required scope but one.
	granted := slices.DeleteFunc(slices.Clone(p.RequiredScopes), func(s string) bool { return s == "create:client_grants" })
	app, err := c.CreateClient(ctx, steps.App{Name: "limited management app", AppType: "non_interactive", GrantTypes: []string{"client_credentials"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: sb.Audience, Scope: granted}); err != nil {
		t.Fatal(err)
	}
	adm := newAdmin(t, sb)
	before := adm.snapshot()

	limited := newClient(t, sb, app.ClientID, app.ClientSecret)
	s := settings(sb, steps.Azure)
	s.ClientID, s.ClientSecret = app.ClientID, app.ClientSecret
	_, _, _, err = applyOnce(ctx, t, limited, steps.Azure, s, nil)
	var ms *steps.MissingScopesError
	if !errors.As(err, &ms) || !slices.Equal(ms.Missing, []string{"create:client_grants"}) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "create:client_grants") || !strings.Contains(err.Error(), "Machine to Machine Applications") {
		t.Errorf("advice = %v", err)
	}
	// Apply on its own runs the check too.
	_, err = steps.NewEngine(limited).Apply(ctx, p, s, steps.Plan{}, nil, nil)
	if !errors.As(err, &ms) {
		t.Fatalf("apply err = %v", err)
	}
	if got := adm.snapshot(); !slices.Equal(got, before) {
		t.Fatalf("the tenant changed:\n%v\n%v", before, got)
	}
}

// TestAzurePolicyVerifiesHS256Tokens: for an API that signs with HS256, the
// exported validate-jwt policy (secrets revealed) carries the key that
// verifies the tokens the tenant issues for it, first as created and then
// as reused by a second apply; without reveal it carries no secret.
func TestAzurePolicyVerifiesHS256Tokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sb, c := startSandbox(t, sandbox.Options{Seed: 5})
	s := settings(sb, steps.Azure)
	s.SigningAlg = "HS256"
	for _, run := range []string{"created", "reused"} {
		j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
		if err != nil {
			t.Fatal(err)
		}
		_, res, _, err := applyOnce(ctx, t, c, steps.Azure, s, j)
		if err != nil {
			t.Fatalf("%s: %v", run, err)
		}
		if res.Resources[0].Action != run || !res.Token.Verified || res.Token.KeySource != steps.KeySourceSecret {
			t.Fatalf("%s: API %s, token %+v", run, res.Resources[0].Action, res.Token)
		}
		data, secret, err := steps.Export(steps.FormatAzurePolicy, res, s, true)
		if err != nil {
			t.Fatal(err)
		}
		var policy struct {
			Keys []string `xml:"inbound>validate-jwt>issuer-signing-keys>key"`
		}
		if err := xml.Unmarshal(data, &policy); err != nil {
			t.Fatalf("%s: policy is not XML: %v\n%s", run, err, data)
		}
		if !secret || len(policy.Keys) != 1 {
			t.Fatalf("%s: secret=%v, keys %v in\n%s", run, secret, policy.Keys, data)
		}
		key, err := base64.StdEncoding.DecodeString(policy.Keys[0])
		if err != nil {
			t.Fatalf("%s: key is not base64: %v", run, err)
		}
		if _, err := jwt.ParseString(res.Token.Token, jwt.WithKey(jwa.HS256, key),
			jwt.WithAudience(s.APIIdentifier), jwt.WithIssuer(res.Endpoints.Issuer)); err != nil {
			t.Fatalf("%s: the policy's key does not verify the tenant's token: %v", run, err)
		}
		masked, secret, err := steps.Export(steps.FormatAzurePolicy, res, s, false)
		if err != nil {
			t.Fatal(err)
		}
		if secret || bytes.Contains(masked, []byte(policy.Keys[0])) || !bytes.Contains(masked, []byte("HS256")) {
			t.Fatalf("%s: without reveal: secret=%v\n%s", run, secret, masked)
		}
	}
}
