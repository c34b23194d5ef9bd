package sandbox

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// scopedToken is a Management API token of a new M2M application granted
// only the given scopes.
func scopedToken(t *testing.T, s *Server, scopes ...string) string {
	t.Helper()
	admin := mgmtToken(t, s)
	c := call(t, s, "POST", "/api/v2/clients", admin, map[string]any{
		"name": "scoped " + strings.Join(scopes, " "), "app_type": "non_interactive", "grant_types": []string{"client_credentials"},
	}).object(t)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", admin, map[string]any{
		"client_id": c["client_id"], "audience": s.Audience, "scope": scopes,
	}), 201)
	return token(t, s, c["client_id"].(string), c["client_secret"].(string), s.Audience)
}

// The endpoints Auth0's own tools call first answer as an empty real
// tenant does, in Auth0's shapes, each behind its own scope.
func TestFirstTouchEndpoints(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	admin := mgmtToken(t, s)
	none := scopedToken(t, s, "read:users")
	cases := []struct {
		path, scope, want string
	}{
		{"/api/v2/actions/actions", "read:actions", `{"actions":[],"total":0,"page":0,"per_page":50}`},
		{"/api/v2/actions/actions?page=2&per_page=10&deployed=true", "read:actions", `{"actions":[],"total":0,"page":2,"per_page":10}`},
		{"/api/v2/rules", "read:rules", `[]`},
		{"/api/v2/rules?include_totals=true", "read:rules", `{"total":0,"start":0,"limit":50,"rules":[]}`},
		{"/api/v2/organizations", "read:organizations, read:organizations_summary", `[]`},
		{"/api/v2/organizations?take=10", "read:organizations, read:organizations_summary", `{"organizations":[]}`},
		{"/api/v2/organizations?include_totals=true", "read:organizations, read:organizations_summary", `{"total":0,"start":0,"limit":50,"organizations":[]}`},
		{"/api/v2/logs", "read:logs, read:logs_users", `[]`},
		{"/api/v2/logs?include_totals=true", "read:logs, read:logs_users", `{"start":0,"limit":50,"length":0,"logs":[],"total":0}`},
		{"/api/v2/logs?take=10", "read:logs, read:logs_users", `[]`},
		{"/api/v2/custom-domains", "read:custom_domains", `[]`},
		{"/api/v2/connections-directory-provisionings", "read:directory_provisionings", `{"directory_provisionings":[]}`},
	}
	for _, c := range cases {
		a := call(t, s, "GET", c.path, admin, nil)
		if a.status != 200 || string(a.raw) != c.want {
			t.Errorf("GET %s: %d %s, want 200 %s", c.path, a.status, a.raw, c.want)
		}
		if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", c.path, ct)
		}
		denied := call(t, s, "GET", c.path, none, nil)
		wantError(t, denied, 403, "Insufficient scope, expected any of: "+c.scope, "insufficient_scope")
		// Only a scope the endpoint takes opens it.
		first, _, _ := strings.Cut(c.scope, ",")
		if a := call(t, s, "GET", c.path, scopedToken(t, s, first), nil); a.status != 200 {
			t.Errorf("GET %s with %s alone: %d %s", c.path, c.scope, a.status, a.raw)
		}
	}
	for _, p := range []string{"/api/v2/rules/rul_x", "/api/v2/organizations/org_x", "/api/v2/actions/actions/x", "/api/v2/custom-domains/cd_x"} {
		if a := call(t, s, "GET", p, admin, nil); a.status != 404 {
			t.Errorf("GET %s: %d %s, want 404", p, a.status, a.raw)
		}
	}
	for _, p := range []string{"/api/v2/actions/actions?per_page=101", "/api/v2/rules?per_page=x", "/api/v2/logs?take=0"} {
		if a := call(t, s, "GET", p, admin, nil); a.status != 400 {
			t.Errorf("GET %s: %d %s, want 400", p, a.status, a.raw)
		}
	}
	// Read-only: a write is not served.
	if a := call(t, s, "POST", "/api/v2/rules", admin, map[string]any{"name": "x"}); a.status != 404 {
		t.Errorf("POST /rules: %d %s", a.status, a.raw)
	}
	// The system API lists the scopes these endpoints need, so a grant can
	// name them.
	rs := call(t, s, "GET", "/api/v2/resource-servers/"+url.PathEscape(s.Audience), admin, nil).object(t)
	raw, _ := json.Marshal(rs["scopes"])
	for _, c := range cases {
		for _, sc := range strings.Split(c.scope, ", ") {
			if !strings.Contains(string(raw), `"`+sc+`"`) {
				t.Errorf("the Management API has no scope %s", sc)
			}
		}
	}
}

// GET /clients pages by checkpoint too (AUTH0-FACTS §4).
func TestClientsCheckpointPaging(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	for i := range 3 {
		wantStatus(t, call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "c" + string(rune('a'+i))}), 201)
	}
	all := call(t, s, "GET", "/api/v2/clients", tok, nil).array(t)
	if seen := checkpointWalk(t, s, tok, "/api/v2/clients?take=2", "clients", "client_id"); len(seen) != len(all) {
		t.Errorf("checkpoint paging saw %d clients of %d", len(seen), len(all))
	}
}
