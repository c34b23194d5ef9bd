package steps_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Stale reads: a list answered 200 and empty, as a search that lags a
// write answers. They make the engine's look-up before a create miss what
// another management client has just made, so that the create is sent.
const (
	staleResourceServers = `{"resource_servers":[],"start":0,"limit":100,"total":0}`
	staleClients         = `{"clients":[],"start":0,"limit":100,"total":0}`
	staleClientGrants    = `{"client_grants":[]}`
)

// journalFile is a journal as written to disk, read back independently of
// the engine.
type journalFile struct {
	RunID     string `json:"run_id"`
	Resources []struct {
		ActionID string            `json:"action_id"`
		Kind     string            `json:"kind"`
		ID       string            `json:"id"`
		Action   string            `json:"action"`
		Proof    string            `json:"proof"`
		Lookup   map[string]string `json:"lookup"`
	} `json:"resources"`
}

func readJournalFile(t testing.TB, path string) journalFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var jf journalFile
	if err := json.Unmarshal(b, &jf); err != nil {
		t.Fatalf("journal %s: %v", path, err)
	}
	return jf
}

// entry returns the journal file's entry for an action.
func (jf journalFile) entry(actionID string) (action, id, proof string, ok bool) {
	for _, r := range jf.Resources {
		if r.ActionID == actionID {
			return r.Action, r.ID, r.Proof, true
		}
	}
	return "", "", "", false
}

// tracedClient is a management client of the sandbox whose HTTP trace the
// test reads.
func tracedClient(t testing.TB, sb *sandbox.Server) (*auth0client.Client, *traceBuffer) {
	t.Helper()
	trace := &traceBuffer{}
	c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM, Trace: trace})
	if err != nil {
		t.Fatal(err)
	}
	return c, trace
}

// TestForeignResourceDuringUncertainCreate: for each kind, a resource
// someone else makes under the key while this run's create of it goes
// unanswered (a 503: not committed) is never adopted. The look-up before
// the create is made stale where the engine has one (so the create is
// sent although the resource is there); the create answers 503; the
// look-up after it finds the other client's resource, with other fields or
// no run marker. The run stops with the error that names it, the journal
// does not record it (neither created nor pending), and teardown with the
// journal leaves it in place while removing what the run did make.
func TestForeignResourceDuringUncertainCreate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		id     steps.PlaybookID
		action string
		// before makes what must exist before Plan (a dependency of the
		// kind under test, reused by the run).
		before func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings)
		// meanwhile is the other management client's create, after Plan.
		meanwhile func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) foreign
		script    func(s steps.Settings) []sandbox.Fault
		// check the run's error is the named one.
		named func(t *testing.T, err error, f foreign)
	}{
		{
			name: "API", id: steps.WSO2, action: steps.ActResourceServer,
			meanwhile: func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) foreign {
				rs, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: "Someone else's API", Identifier: s.APIIdentifier,
					Scopes: []steps.Scope{{Value: "read:theirs"}}})
				if err != nil {
					t.Fatal(err)
				}
				return foreign{id: rs.ID, name: s.APIIdentifier}
			},
			script: func(s steps.Settings) []sandbox.Fault {
				return []sandbox.Fault{
					{Pattern: "GET /api/v2/resource-servers", Kind: sandbox.FaultAnswer, Status: http.StatusOK, Body: staleResourceServers},
					{Pattern: "POST /api/v2/resource-servers", Contains: `"identifier":"` + s.APIIdentifier + `"`, Kind: sandbox.FaultUnavailable},
				}
			},
			named: namedForeign(steps.KindResourceServer),
		},
		{
			name: "application", id: steps.WSO2, action: steps.ActClient,
			meanwhile: func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) foreign {
				app, err := c.CreateClient(ctx, steps.App{Name: s.AppName, AppType: "non_interactive", GrantTypes: []string{"client_credentials"}})
				if err != nil {
					t.Fatal(err)
				}
				return foreign{id: app.ClientID, name: s.AppName}
			},
			script: func(s steps.Settings) []sandbox.Fault {
				return []sandbox.Fault{
					{Pattern: "GET /api/v2/clients", Kind: sandbox.FaultAnswer, Status: http.StatusOK, Body: staleClients},
					{Pattern: "POST /api/v2/clients", Kind: sandbox.FaultUnavailable},
				}
			},
			named: func(t *testing.T, err error, f foreign) {
				t.Helper()
				var ue *steps.UnmarkedClientError
				if !errors.As(err, &ue) || ue.ClientID != f.id {
					t.Fatalf("err = %v, want an *UnmarkedClientError naming %s", err, f.id)
				}
			},
		},
		{
			name: "client grant", id: steps.WSO2, action: steps.ActClientGrant,
			before: func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) {
				// An API and an application this tool made earlier (marked):
				// the run reuses both and creates only the grant.
				if _, err := c.CreateResourceServer(ctx, steps.ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier,
					Scopes: []steps.Scope{{Value: steps.WSO2Scope}}}); err != nil {
					t.Fatal(err)
				}
				if _, err := c.CreateClient(ctx, steps.App{Name: s.AppName, AppType: s.AppType, TokenEndpointAuthMethod: s.TokenEndpointAuthMethod,
					GrantTypes: s.GrantTypes, Metadata: map[string]string{steps.MarkerKey: steps.MarkerValue, steps.RunKey: "0123456789abcdef"}}); err != nil {
					t.Fatal(err)
				}
			},
			meanwhile: func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) foreign {
				app, err := c.FindClient(ctx, s.AppName)
				if err != nil {
					t.Fatal(err)
				}
				g, err := c.CreateClientGrant(ctx, steps.ClientGrant{ClientID: app.ClientID, Audience: s.APIIdentifier, Scope: []string{}})
				if err != nil {
					t.Fatal(err)
				}
				return foreign{id: g.ID, name: s.APIIdentifier}
			},
			script: func(s steps.Settings) []sandbox.Fault {
				return []sandbox.Fault{
					{Pattern: "GET /api/v2/client-grants", Kind: sandbox.FaultAnswer, Status: http.StatusOK, Body: staleClientGrants},
					{Pattern: "POST /api/v2/client-grants", Kind: sandbox.FaultUnavailable},
				}
			},
			named: namedForeign(steps.KindClientGrant),
		},
		{
			// A connection's create has no look-up before it (Auth0 keeps
			// names unique): the other client's connection is made after
			// Plan, and the run's create answers 503.
			name: "connection", id: steps.Azure, action: steps.ActConnection,
			meanwhile: func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) foreign {
				conn, err := c.CreateConnection(ctx, steps.Connection{Name: s.ConnectionName, Strategy: "auth0"})
				if err != nil {
					t.Fatal(err)
				}
				return foreign{id: conn.ID, name: s.ConnectionName}
			},
			script: func(s steps.Settings) []sandbox.Fault {
				return []sandbox.Fault{{Pattern: "POST /api/v2/connections", Kind: sandbox.FaultUnavailable}}
			},
			named: namedForeign(steps.KindConnection),
		},
		{
			name: "user", id: steps.Azure, action: steps.ActUser,
			before: func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) {
				// The database connection exists (someone's, reused).
				if _, err := c.CreateConnection(ctx, steps.Connection{Name: s.ConnectionName, Strategy: "auth0"}); err != nil {
					t.Fatal(err)
				}
			},
			meanwhile: func(ctx context.Context, t *testing.T, c steps.Client, s steps.Settings) foreign {
				u, err := c.CreateUser(ctx, steps.User{Email: s.UserEmail, Password: "An0ther-Passw0rd!", Connection: s.ConnectionName,
					AppMetadata: map[string]string{"team": "theirs"}})
				if err != nil {
					t.Fatal(err)
				}
				return foreign{id: u.ID, name: s.UserEmail}
			},
			script: func(s steps.Settings) []sandbox.Fault {
				return []sandbox.Fault{{Pattern: "POST /api/v2/users", Kind: sandbox.FaultUnavailable}}
			},
			named: namedForeign(steps.KindUser),
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sc := &sandbox.Script{}
			sb, _ := startSandbox(t, sandbox.Options{Seed: int64(900 + i), Script: sc})
			c, _ := tracedClient(t, sb)
			other := newClient(t, sb, sb.ClientID, sb.ClientSecret) // another management client
			adm := newAdmin(t, sb)
			s := settings(sb, tc.id)
			if tc.before != nil {
				tc.before(ctx, t, other, s)
			}
			p, _ := steps.PlaybookByID(tc.id)
			path := filepath.Join(t.TempDir(), "j.json")
			j, err := steps.OpenJournal(path, false)
			if err != nil {
				t.Fatal(err)
			}
			e := steps.NewEngine(c)
			if _, err := e.Check(ctx, p, s); err != nil {
				t.Fatal(err)
			}
			plan, err := e.Plan(ctx, p, s, j)
			if err != nil {
				t.Fatal(err)
			}
			if v := verbs(plan)[tc.action]; v != steps.Create {
				t.Fatalf("the plan says %s for %s: the race cannot happen", v, tc.action)
			}
			f := tc.meanwhile(ctx, t, other, s)
			before := adm.snapshot()
			sc.Add(tc.script(s)...)

			ch := make(chan steps.Event, 1024)
			_, err = e.Apply(ctx, p, s, plan, j, ch)
			evs := drain(ch)
			if n := sc.Left(); n != 0 {
				t.Fatalf("%d scripted faults were never met: the race did not happen (err %v)", n, err)
			}
			if err == nil {
				t.Fatal("apply succeeded: the foreign resource was adopted")
			}
			tc.named(t, err, f)
			if !strings.Contains(err.Error(), f.id) {
				t.Errorf("the error does not name the resource's id %s: %v", f.id, err)
			}
			if ev, ok := find(evs, tc.action, steps.EventFailed); !ok || !strings.Contains(ev.Message, f.id) {
				t.Errorf("failed event of %s = %+v", tc.action, ev)
			}
			// The journal never records it: not as created, nor (for a
			// kind whose key is unique) as a pending create that teardown
			// would look up by its key and find theirs.
			jf := readJournalFile(t, path)
			if action, id, _, ok := jf.entry(tc.action); ok && (action == "created" || id == f.id || action == "pending" && tc.action != steps.ActClient) {
				t.Errorf("journal entry for %s: action %q id %q (the foreign one is %s)", tc.action, action, id, f.id)
			}
			for _, r := range jf.Resources {
				if r.ID == f.id {
					t.Errorf("the journal records the foreign %s as %s", f.id, r.Action)
				}
			}
			if err := e.Teardown(ctx, j, nil); err != nil {
				t.Fatalf("teardown: %v", err)
			}
			after := adm.snapshot()
			if d := snapDiff(before, after); d != "" {
				t.Fatalf("teardown did not leave the tenant as before apply (the foreign %s in place, what the run made gone):\n%s", f.id, d)
			}
			if !slices.ContainsFunc(after, func(l string) bool { return strings.Contains(l, f.id) }) {
				t.Fatalf("the foreign %s is gone", f.id)
			}
		})
	}
}

// snapDiff says which snapshot lines only one side has ("" when none).
func snapDiff(before, after []string) string {
	var b strings.Builder
	for _, l := range before {
		if !slices.Contains(after, l) {
			b.WriteString("- " + short(l) + "\n")
		}
	}
	for _, l := range after {
		if !slices.Contains(before, l) {
			b.WriteString("+ " + short(l) + "\n")
		}
	}
	return b.String()
}

func short(l string) string {
	if len(l) > 160 {
		return l[:160] + "…"
	}
	return l
}

// foreign is what another management client made under the run's key.
type foreign struct {
	id   string // its id
	name string // what the run's error must name
}

// namedForeign checks the error is a *ForeignResourceError of the kind,
// naming the resource.
func namedForeign(kind steps.ResourceKind) func(t *testing.T, err error, f foreign) {
	return func(t *testing.T, err error, f foreign) {
		t.Helper()
		var fe *steps.ForeignResourceError
		if !errors.As(err, &fe) || fe.Kind != kind || fe.ID != f.id {
			t.Fatalf("err = %v, want a *ForeignResourceError of %s naming %s", err, kind, f.id)
		}
		if !errors.Is(err, steps.ErrForeign) {
			t.Errorf("errors.Is(err, ErrForeign) is false: %v", err)
		}
		if !strings.Contains(err.Error(), f.name) && !strings.Contains(fe.Name, f.name) {
			t.Errorf("the error does not name %s: %v", f.name, err)
		}
	}
}
