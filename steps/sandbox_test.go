package steps_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// startSandbox starts an in-process sandbox tenant and returns it with a
// steps.Client for its seeded management application.
func startSandbox(t testing.TB, opts sandbox.Options) (*sandbox.Server, *auth0client.Client) {
	t.Helper()
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb, newClient(t, sb, sb.ClientID, sb.ClientSecret)
}

func newClient(t testing.TB, sb *sandbox.Server, id, secret string) *auth0client.Client {
	t.Helper()
	c, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: id, ClientSecret: secret, CAPEM: sb.CAPEM})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func settings(sb *sandbox.Server, id steps.PlaybookID) steps.Settings {
	return steps.WithDefaults(steps.Settings{Playbook: id, Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret,
		Audience: sb.Audience, UserEmail: "jane@example.com", UserPassword: "Passw0rd!x", APIMInstance: "contoso"})
}

// admin reads the sandbox tenant through its Management API list endpoints,
// independently of the engine and auth0client, retrying what faults break.
type admin struct {
	t     testing.TB
	sb    *sandbox.Server
	token string
}

func newAdmin(t testing.TB, sb *sandbox.Server) *admin {
	t.Helper()
	a := &admin{t: t, sb: sb}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {sb.ClientID}, "client_secret": {sb.ClientSecret}, "audience": {sb.Audience}}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	a.do(http.MethodPost, sb.BaseURL+"/oauth/token", form, &tok)
	a.token = tok.AccessToken
	return a
}

func (a *admin) do(method, u string, form url.Values, out any) {
	a.t.Helper()
	var last string
	for attempt := 0; attempt < 40; attempt++ {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, u, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if a.token != "" {
			req.Header.Set("Authorization", "Bearer "+a.token)
		}
		resp, err := a.sb.Client().Do(req)
		if err != nil {
			last = err.Error()
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
			last = resp.Status
			time.Sleep(50 * time.Millisecond) // a back-off for the test's own reads, not a timing assertion
			continue
		}
		if resp.StatusCode/100 != 2 {
			a.t.Fatalf("%s %s: %s %s", method, u, resp.Status, b)
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				a.t.Fatalf("%s %s: %v", method, u, err)
			}
		}
		return
	}
	a.t.Fatalf("%s %s: still failing: %s", method, u, last)
}

// list returns every item of a Management API collection.
func (a *admin) list(path, key string) []map[string]any {
	a.t.Helper()
	var all []map[string]any
	for page := 0; ; page++ {
		var out map[string]json.RawMessage
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		a.do(http.MethodGet, fmt.Sprintf("%s/api/v2/%s%sper_page=100&page=%d&include_totals=true", a.sb.BaseURL, path, sep, page), nil, &out)
		var items []map[string]any
		if err := json.Unmarshal(out[key], &items); err != nil {
			a.t.Fatalf("list %s: %v", path, err)
		}
		var total int
		_ = json.Unmarshal(out["total"], &total)
		all = append(all, items...)
		if len(items) == 0 || len(all) >= total {
			return all
		}
	}
}

// snapshot lists the tenant's resources as sorted lines, ids included, so
// that two snapshots compare the tenant exactly.
func (a *admin) snapshot() []string {
	a.t.Helper()
	var lines []string
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	for _, rs := range a.list("resource-servers", "resource_servers") {
		lines = append(lines, "resource_server "+str(rs, "id")+" "+str(rs, "identifier")+" "+fmt.Sprint(rs["scopes"]))
	}
	for _, c := range a.list("clients", "clients") {
		lines = append(lines, "client "+str(c, "client_id")+" "+str(c, "name")+" "+fmt.Sprint(c["grant_types"], c["callbacks"]))
	}
	for _, g := range a.list("client-grants", "client_grants") {
		lines = append(lines, "client_grant "+str(g, "id")+" "+str(g, "client_id")+" "+str(g, "audience")+" "+fmt.Sprint(g["scope"]))
	}
	for _, c := range a.list("connections", "connections") {
		var en struct {
			Clients []struct {
				ClientID string `json:"client_id"`
			} `json:"clients"`
		}
		a.do(http.MethodGet, a.sb.BaseURL+"/api/v2/connections/"+str(c, "id")+"/clients?take=100", nil, &en)
		var ids []string
		for _, x := range en.Clients {
			ids = append(ids, x.ClientID)
		}
		slices.Sort(ids)
		lines = append(lines, "connection "+str(c, "id")+" "+str(c, "name")+" enabled:"+strings.Join(ids, ","))
	}
	for _, u := range a.list("users", "users") {
		lines = append(lines, "user "+str(u, "user_id")+" "+str(u, "email"))
	}
	slices.Sort(lines)
	return lines
}

// count returns how many snapshot lines start with kind and contain name.
func count(snap []string, kind, name string) int {
	n := 0
	for _, l := range snap {
		if strings.HasPrefix(l, kind+" ") && strings.Contains(l, name) {
			n++
		}
	}
	return n
}

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
