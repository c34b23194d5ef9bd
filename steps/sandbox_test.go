package steps_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// The sandbox helpers of these tests are internal/sandboxtest's, under the
// names the tests here use.

// startSandbox starts an in-process sandbox tenant and returns it with a
// steps.Client for its seeded management application.
func startSandbox(t testing.TB, opts sandbox.Options) (*sandbox.Server, *auth0client.Client) {
	t.Helper()
	sb := sandboxtest.Start(t, opts)
	return sb, sandboxtest.Client(t, sb, nil)
}

// newClient is a client of sb as the application id with secret.
func newClient(t testing.TB, sb *sandbox.Server, id, secret string) *auth0client.Client {
	t.Helper()
	return sandboxtest.Client(t, sb, func(c *auth0client.Config) { c.ClientID, c.ClientSecret = id, secret })
}

func settings(sb *sandbox.Server, id steps.PlaybookID) steps.Settings {
	return sandboxtest.Settings(sb, id)
}

// admin reads the sandbox tenant independently of the engine and
// auth0client (sandboxtest.Admin); t, sb and token are for the requests a
// test sends itself as another administrator.
type admin struct {
	*sandboxtest.Admin
	t     testing.TB
	sb    *sandbox.Server
	token string
}

func newAdmin(t testing.TB, sb *sandbox.Server) *admin {
	t.Helper()
	a := sandboxtest.NewAdmin(t, sb)
	return &admin{Admin: a, t: t, sb: sb, token: a.Token()}
}

func (a *admin) do(method, u string, form url.Values, out any) {
	a.t.Helper()
	a.Do(method, u, form, out)
}

func (a *admin) list(path, key string) []map[string]any { a.t.Helper(); return a.List(path, key) }

func (a *admin) snapshot() []string { a.t.Helper(); return a.Snapshot() }

func count(snap []string, kind, name string) int { return sandboxtest.Count(snap, kind, name) }

func drain(events chan steps.Event) []steps.Event {
	close(events)
	var evs []steps.Event
	for ev := range events {
		evs = append(evs, ev)
	}
	return evs
}

// applyOnce runs what `apply` runs: check, plan, apply.
func applyOnce(ctx context.Context, t testing.TB, c steps.Client, id steps.PlaybookID, s steps.Settings, j *steps.Journal) (steps.Plan, steps.Result, []steps.Event, error) {
	t.Helper()
	p, err := steps.PlaybookByID(id)
	if err != nil {
		t.Fatal(err)
	}
	e := steps.NewEngine(c)
	if _, err := e.Check(ctx, p, s); err != nil {
		return steps.Plan{}, steps.Result{}, nil, err
	}
	plan, err := e.Plan(ctx, p, s, j)
	if err != nil {
		return plan, steps.Result{}, nil, err
	}
	ch := make(chan steps.Event, 1024)
	res, err := e.Apply(ctx, p, s, plan, j, ch)
	return plan, res, drain(ch), err
}

func verbs(plan steps.Plan) map[string]steps.Verb {
	m := map[string]steps.Verb{}
	for _, a := range plan.Actions {
		m[a.ID] = a.Verb
	}
	return m
}
