package sandbox

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/auth0/go-auth0/v3/management"
)

// newRole makes a role and returns its id.
func newRole(t *testing.T, s *Server, tok, name, description string) string {
	t.Helper()
	a := call(t, s, "POST", "/api/v2/roles", tok, map[string]any{"name": name, "description": description})
	wantStatus(t, a, 200)
	return a.object(t)["id"].(string)
}

// newUser makes a database user and returns its user_id, escaped for a path.
func newUser(t *testing.T, s *Server, tok, email string) (id, path string) {
	t.Helper()
	a := call(t, s, "POST", "/api/v2/users", tok, map[string]any{
		"connection": defaultConnectionName, "email": email, "password": "Correct-Horse-9",
	})
	wantStatus(t, a, 201)
	id = a.object(t)["user_id"].(string)
	return id, url.PathEscape(id)
}

// newAPI makes an API with the given scopes (value: description) and
// returns its id.
func newAPI(t *testing.T, s *Server, tok, identifier string, scopes ...string) string {
	t.Helper()
	var sc []map[string]any
	for i := 0; i+1 < len(scopes); i += 2 {
		sc = append(sc, map[string]any{"value": scopes[i], "description": scopes[i+1]})
	}
	a := call(t, s, "POST", "/api/v2/resource-servers", tok, map[string]any{"name": "API " + identifier, "identifier": identifier, "scopes": sc})
	wantStatus(t, a, 201)
	return a.object(t)["id"].(string)
}

func perm(api, name string) map[string]any {
	return map[string]any{"resource_server_identifier": api, "permission_name": name}
}

func wantBody(t *testing.T, a answer, status int, want string) {
	t.Helper()
	if a.status != status || string(a.raw) != want {
		t.Errorf("got %d %s\nwant %d %s", a.status, a.raw, status, want)
	}
}

var roleIDShape = regexp.MustCompile(`^rol_[A-Za-z0-9]{16}$`)

func TestRolesCRUD(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)

	created := call(t, s, "POST", "/api/v2/roles", tok, map[string]any{"name": "admin", "description": "Administrators"})
	wantStatus(t, created, 200) // Auth0 answers 200, not 201
	id := created.object(t)["id"].(string)
	if !roleIDShape.MatchString(id) {
		t.Errorf("role id %q is not rol_ and 16 characters", id)
	}
	wantBody(t, created, 200, `{"id":"`+id+`","name":"admin","description":"Administrators","type":"tenant"}`)
	wantBody(t, call(t, s, "GET", "/api/v2/roles/"+id, tok, nil), 200, string(created.raw))

	wantError(t, call(t, s, "POST", "/api/v2/roles", tok, map[string]any{"description": "x"}), 400,
		"Payload validation error: 'Missing required property: name'.", "invalid_body")
	wantError(t, call(t, s, "POST", "/api/v2/roles", tok, map[string]any{"name": ""}), 400,
		"Payload validation error: 'String is too short (0 chars), minimum 1' on property name.", "invalid_body")
	wantError(t, call(t, s, "POST", "/api/v2/roles", tok, map[string]any{"name": "x", "permissions": []string{}}), 400,
		"Payload validation error: 'Additional properties not allowed: permissions'.", "invalid_body")

	// PATCH changes name and description; type and owner_id are refused.
	wantBody(t, call(t, s, "PATCH", "/api/v2/roles/"+id, tok, map[string]any{"description": "The Administrator"}), 200,
		`{"id":"`+id+`","name":"admin","description":"The Administrator","type":"tenant"}`)
	wantError(t, call(t, s, "PATCH", "/api/v2/roles/"+id, tok, map[string]any{"type": "tenant"}), 400,
		"Payload validation error: 'Additional properties not allowed: type'.", "invalid_body")
	wantError(t, call(t, s, "PATCH", "/api/v2/roles/rol_0000000000000000", tok, map[string]any{"name": "y"}), 404, "The role does not exist.", "")

	// An organization-level role keeps its type and owner.
	org := call(t, s, "POST", "/api/v2/roles", tok, map[string]any{"name": "org admin", "type": "organization", "owner_id": "org_abc"})
	wantStatus(t, org, 200)
	orgID := org.object(t)["id"].(string)
	if got := org.object(t); got["type"] != "organization" || got["owner_id"] != "org_abc" {
		t.Errorf("organization role: %s", org.raw)
	}

	// Lists: a bare array, or the totals form in Auth0's order.
	other := newRole(t, s, tok, "Auditor", "Reads logs")
	if l := call(t, s, "GET", "/api/v2/roles", tok, nil).array(t); len(l) != 3 {
		t.Errorf("GET /roles: %d roles, want 3", len(l))
	}
	wantBody(t, call(t, s, "GET", "/api/v2/roles?include_totals=true&name_filter=AUDIT&per_page=50", tok, nil), 200,
		`{"roles":[{"id":"`+other+`","name":"Auditor","description":"Reads logs","type":"tenant"}],"start":0,"limit":50,"total":1}`)
	page := call(t, s, "GET", "/api/v2/roles?include_totals=true&per_page=1&page=2", tok, nil).object(t)
	if roles := page["roles"].([]any); len(roles) != 1 || roles[0].(map[string]any)["id"] != other || page["total"] != 3.0 || page["start"] != 2.0 {
		t.Errorf("page 2 of 1: %v", page)
	}
	if l := call(t, s, "GET", "/api/v2/roles?type=organization&owner_id=org_abc", tok, nil).array(t); len(l) != 1 || l[0].(map[string]any)["id"] != orgID {
		t.Errorf("organization roles: %v", l)
	}
	if l := call(t, s, "GET", "/api/v2/roles?type=tenant", tok, nil).array(t); len(l) != 2 {
		t.Errorf("tenant roles: %v", l)
	}
	wantError(t, call(t, s, "GET", "/api/v2/roles?per_page=x", tok, nil), 400,
		"Query validation error: 'Expected type integer but found type string' on property per_page.", "invalid_query_string")

	// DELETE answers 200 {}; the role is gone, and a second DELETE is a 404
	// without an errorCode (recording TestRoleManager_Delete).
	wantBody(t, call(t, s, "DELETE", "/api/v2/roles/"+id, tok, map[string]any{}), 200, `{}`)
	wantError(t, call(t, s, "GET", "/api/v2/roles/"+id, tok, nil), 404, "The role does not exist.", "")
	wantError(t, call(t, s, "DELETE", "/api/v2/roles/"+id, tok, map[string]any{}), 404, "The role does not exist.", "")
}

// Each endpoint takes the scopes Auth0's API reference gives it, and only
// those.
func TestRolesScopes(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	admin := mgmtToken(t, s)
	role := newRole(t, s, admin, "r", "d")
	uid, upath := newUser(t, s, admin, "scoped@example.com")
	cases := []struct {
		method, path string
		body         any
		scopes       string // "expected any of"
		ok           int
	}{
		{"GET", "/api/v2/roles", nil, "read:roles", 200},
		{"POST", "/api/v2/roles", map[string]any{"name": "n"}, "create:roles", 200},
		{"GET", "/api/v2/roles/" + role, nil, "read:roles", 200},
		{"PATCH", "/api/v2/roles/" + role, map[string]any{"name": "m"}, "update:roles", 200},
		{"GET", "/api/v2/roles/" + role + "/permissions", nil, "read:roles", 200},
		{"GET", "/api/v2/roles/" + role + "/users", nil, "read:users, read:roles, read:role_members", 200},
		{"POST", "/api/v2/roles/" + role + "/users", map[string]any{"users": []string{uid}}, "update:roles, create:role_members", 200},
		{"GET", "/api/v2/users/" + upath + "/roles", nil, "read:users, read:roles, read:role_members", 200},
		{"POST", "/api/v2/users/" + upath + "/roles", map[string]any{"roles": []string{role}}, "update:users, create:role_members", 204},
		{"DELETE", "/api/v2/users/" + upath + "/roles", map[string]any{"roles": []string{role}}, "update:users, delete:role_members", 204},
		{"GET", "/api/v2/users/" + upath + "/permissions", nil, "read:users", 200},
		{"DELETE", "/api/v2/roles/" + role, map[string]any{}, "delete:roles", 200},
	}
	other := scopedToken(t, s, "read:clients")
	for _, c := range cases {
		wantError(t, call(t, s, c.method, c.path, other, c.body), 403, "Insufficient scope, expected any of: "+c.scopes, "insufficient_scope")
	}
	for _, c := range cases {
		// The last scope listed alone opens the endpoint.
		scopes := strings.Split(c.scopes, ", ")
		if a := call(t, s, c.method, c.path, scopedToken(t, s, scopes[len(scopes)-1]), c.body); a.status != c.ok {
			t.Errorf("%s %s with %s: %d %s, want %d", c.method, c.path, scopes[len(scopes)-1], a.status, a.raw, c.ok)
		}
	}
	// Writing permissions takes update:roles for a role, update:users for
	// a user.
	api := "https://scopes.example.com/"
	newAPI(t, s, admin, api, "read:x", "Read X")
	body := map[string]any{"permissions": []any{perm(api, "read:x")}}
	for _, c := range []struct{ path, scope string }{
		{"/api/v2/roles/" + newRole(t, s, admin, "p", "d") + "/permissions", "update:roles"},
		{"/api/v2/users/" + upath + "/permissions", "update:users"},
	} {
		wantError(t, call(t, s, "POST", c.path, scopedToken(t, s, "read:roles", "read:users"), body), 403,
			"Insufficient scope, expected any of: "+c.scope, "insufficient_scope")
		wantBody(t, call(t, s, "POST", c.path, scopedToken(t, s, c.scope), body), 201, `{}`)
		wantError(t, call(t, s, "DELETE", c.path, other, body), 403, "Insufficient scope, expected any of: "+c.scope, "insufficient_scope")
		wantStatus(t, call(t, s, "DELETE", c.path, scopedToken(t, s, c.scope), body), 204)
	}
}

func TestRolePermissions(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	api := "https://api.example.com/"
	newAPI(t, s, tok, api, "write:b", "Write B", "read:a", "Read A", "read:b", "Read B")
	role := newRole(t, s, tok, "editor", "Edits")
	path := "/api/v2/roles/" + role + "/permissions"

	wantBody(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{perm(api, "write:b"), perm(api, "read:a")}}), 201, `{}`)
	// Again, with one more: no duplicate.
	wantBody(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{perm(api, "read:a"), perm(api, "read:b")}}), 201, `{}`)
	view := func(name, desc string) string {
		return `{"permission_name":"` + name + `","description":"` + desc + `","resource_server_name":"API ` + api + `","resource_server_identifier":"` + api + `"}`
	}
	// Sorted by name, in the totals form's order.
	wantBody(t, call(t, s, "GET", path+"?include_totals=true&per_page=50", tok, nil), 200,
		`{"permissions":[`+view("read:a", "Read A")+`,`+view("read:b", "Read B")+`,`+view("write:b", "Write B")+`],"start":0,"limit":50,"total":3}`)
	wantBody(t, call(t, s, "GET", path+"?per_page=1&page=1", tok, nil), 200, `[`+view("read:b", "Read B")+`]`)

	// The API must exist and declare the permission.
	wantError(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{perm("https://nope.example.com/", "read:a")}}), 404,
		"The resource server does not exist: 'https://nope.example.com/'", "")
	wantError(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{perm(api, "delete:a")}}), 400,
		"Permission 'delete:a' is not defined for the resource server '"+api+"'", "")
	wantError(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{}}), 400,
		"Payload validation error: 'Array is too short (0), minimum 1' on property permissions.", "invalid_body")
	wantError(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{map[string]any{"permission_name": "read:a"}}}), 400,
		"Payload validation error: 'Missing required property: resource_server_identifier' on property permissions[0].", "invalid_body")
	wantError(t, call(t, s, "POST", path, tok, map[string]any{}), 400,
		"Payload validation error: 'Missing required property: permissions'.", "invalid_body")
	wantError(t, call(t, s, "POST", "/api/v2/roles/rol_0000000000000000/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:a")}}), 404,
		"The role does not exist.", "")
	wantError(t, call(t, s, "GET", "/api/v2/roles/rol_0000000000000000/permissions", tok, nil), 404, "The role does not exist.", "")

	// The Management API's own scopes are permissions too.
	wantStatus(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{perm(s.Audience, "read:users")}}), 201)

	wantStatus(t, call(t, s, "DELETE", path, tok, map[string]any{"permissions": []any{perm(api, "read:a"), perm(api, "write:b"), perm(s.Audience, "read:users")}}), 204)
	wantBody(t, call(t, s, "GET", path, tok, nil), 200, `[`+view("read:b", "Read B")+`]`)
	// A scope taken off the API is no longer a permission of the role.
	rs := call(t, s, "GET", "/api/v2/resource-servers/"+url.PathEscape(api), tok, nil).object(t)
	wantStatus(t, call(t, s, "PATCH", "/api/v2/resource-servers/"+rs["id"].(string), tok, map[string]any{"scopes": []any{map[string]any{"value": "read:a"}}}), 200)
	wantBody(t, call(t, s, "GET", path+"?include_totals=true", tok, nil), 200, `{"permissions":[],"start":0,"limit":50,"total":0}`)
}

func TestUserRolesAndPermissions(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	api := "https://orders.example.com/"
	newAPI(t, s, tok, api, "read:orders", "Read orders", "write:orders", "Write orders")
	uid, upath := newUser(t, s, tok, "ada@example.com")
	clerk := newRole(t, s, tok, "clerk", "Front desk")
	manager := newRole(t, s, tok, "manager", "Back office")
	wantStatus(t, call(t, s, "POST", "/api/v2/roles/"+clerk+"/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:orders")}}), 201)
	wantStatus(t, call(t, s, "POST", "/api/v2/roles/"+manager+"/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:orders"), perm(api, "write:orders")}}), 201)

	// Roles: assigned with 204, listed in the totals form's order.
	wantBody(t, call(t, s, "POST", "/api/v2/users/"+upath+"/roles", tok, map[string]any{"roles": []string{clerk}}), 204, ``)
	wantBody(t, call(t, s, "GET", "/api/v2/users/"+upath+"/roles?include_totals=true&per_page=50", tok, nil), 200,
		`{"roles":[{"id":"`+clerk+`","name":"clerk","description":"Front desk","type":"tenant"}],"start":0,"limit":50,"total":1}`)
	wantBody(t, call(t, s, "GET", "/api/v2/roles/"+clerk+"/users", tok, nil), 200,
		`[{"user_id":"`+uid+`","email":"ada@example.com","picture":`+jsonString(t, gravatar("ada@example.com"))+`,"name":"ada@example.com"}]`)

	// A permission of the user's role, and the same one given directly:
	// one entry, both sources.
	wantBody(t, call(t, s, "POST", "/api/v2/users/"+upath+"/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:orders")}}), 201, `{}`)
	permsPath := "/api/v2/users/" + upath + "/permissions"
	entry := func(name, desc, sources string) string {
		return `{"permission_name":"` + name + `","description":"` + desc + `","resource_server_name":"API ` + api + `","resource_server_identifier":"` + api + `","sources":[` + sources + `]}`
	}
	direct := `{"source_id":"","source_name":"","source_type":"DIRECT"}`
	fromRole := func(id, name string) string {
		return `{"source_id":"` + id + `","source_name":"` + name + `","source_type":"ROLE"}`
	}
	wantBody(t, call(t, s, "GET", permsPath, tok, nil), 200, `[`+entry("read:orders", "Read orders", direct+","+fromRole(clerk, "clerk"))+`]`)

	wantStatus(t, call(t, s, "POST", "/api/v2/users/"+upath+"/roles", tok, map[string]any{"roles": []string{manager}}), 204)
	wantBody(t, call(t, s, "GET", permsPath+"?include_totals=true", tok, nil), 200,
		`{"permissions":[`+entry("read:orders", "Read orders", direct+","+fromRole(clerk, "clerk")+","+fromRole(manager, "manager"))+`,`+
			entry("write:orders", "Write orders", fromRole(manager, "manager"))+`],"start":0,"limit":50,"total":2}`)

	// Taking the direct permission leaves what the roles grant; taking a
	// role takes what only it granted.
	wantBody(t, call(t, s, "DELETE", permsPath, tok, map[string]any{"permissions": []any{perm(api, "read:orders")}}), 204, ``)
	wantBody(t, call(t, s, "DELETE", "/api/v2/users/"+upath+"/roles", tok, map[string]any{"roles": []string{manager}}), 204, ``)
	wantBody(t, call(t, s, "GET", permsPath, tok, nil), 200, `[`+entry("read:orders", "Read orders", fromRole(clerk, "clerk"))+`]`)

	// 404s and 400s, with Auth0's error codes.
	missing := url.PathEscape("auth0|000000000000000000000000")
	wantError(t, call(t, s, "GET", "/api/v2/users/"+missing+"/roles", tok, nil), 404, "The user does not exist.", "inexistent_user")
	wantError(t, call(t, s, "GET", "/api/v2/users/"+missing+"/permissions", tok, nil), 404, "The user does not exist.", "inexistent_user")
	wantError(t, call(t, s, "POST", "/api/v2/users/"+missing+"/roles", tok, map[string]any{"roles": []string{clerk}}), 404, "The user does not exist.", "inexistent_user")
	wantError(t, call(t, s, "POST", "/api/v2/users/"+missing+"/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:orders")}}), 404,
		"The user does not exist.", "inexistent_user")
	wantError(t, call(t, s, "POST", "/api/v2/users/"+upath+"/roles", tok, map[string]any{"roles": []string{"rol_0000000000000000"}}), 404, "The role does not exist.", "")
	wantError(t, call(t, s, "POST", "/api/v2/users/"+upath+"/roles", tok, map[string]any{"roles": []string{"clerk"}}), 400,
		"Payload validation error: 'String does not match pattern ^rol_[A-Za-z0-9]{16}$: clerk' on property roles[0].", "invalid_body")
	wantError(t, call(t, s, "POST", "/api/v2/users/"+upath+"/roles", tok, map[string]any{"roles": []string{}}), 400,
		"Payload validation error: 'Array is too short (0), minimum 1' on property roles.", "invalid_body")
	wantError(t, call(t, s, "POST", "/api/v2/roles/"+clerk+"/users", tok, map[string]any{"users": []string{"auth0|000000000000000000000000"}}), 404,
		"The user does not exist.", "inexistent_user")
	wantError(t, call(t, s, "GET", "/api/v2/roles/rol_0000000000000000/users", tok, nil), 404, "The role does not exist.", "")
}

// A role's members page by offset and by checkpoint, those assigned
// together in user_id order.
func TestRoleUsersPaging(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	role := newRole(t, s, tok, "team", "")
	var ids []string
	for _, e := range []string{"c@example.com", "a@example.com", "b@example.com"} {
		id, _ := newUser(t, s, tok, e)
		ids = append(ids, id)
	}
	wantBody(t, call(t, s, "POST", "/api/v2/roles/"+role+"/users", tok, map[string]any{"users": ids}), 200, `{}`)
	late, _ := newUser(t, s, tok, "d@example.com")
	wantStatus(t, call(t, s, "POST", "/api/v2/roles/"+role+"/users", tok, map[string]any{"users": []string{late, ids[0]}}), 200)

	want := append(slices.Sorted(slices.Values(ids)), late)
	seen := checkpointWalk(t, s, tok, "/api/v2/roles/"+role+"/users?take=3", "users", "user_id")
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("members %v, want %v", seen, want)
	}
	totals := call(t, s, "GET", "/api/v2/roles/"+role+"/users?include_totals=true&per_page=2&page=1", tok, nil)
	var got struct {
		Users               []map[string]any
		Start, Limit, Total int
	}
	if err := json.Unmarshal(totals.raw, &got); err != nil || len(got.Users) != 2 || got.Users[0]["user_id"] != want[2] || got.Total != 4 || got.Start != 2 || got.Limit != 2 {
		t.Errorf("offset page: %s", totals.raw)
	}
	if !strings.HasPrefix(string(totals.raw), `{"users":[`) {
		t.Errorf("the totals form starts with %.20s, want the users", totals.raw)
	}
}

// jsonString is s as the sandbox encodes it (Go's encoding, & as \u0026).
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Deleting a role, a user or an API takes along what refers to it.
func TestRolesDeletionsCascade(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "tenant.json")
	s := start(t, Options{StateFile: state})
	tok := mgmtToken(t, s)
	api := "https://cascade.example.com/"
	apiID := newAPI(t, s, tok, api, "read:x", "Read X")
	role := newRole(t, s, tok, "r", "d")
	kept := newRole(t, s, tok, "kept", "d")
	uid, upath := newUser(t, s, tok, "gone@example.com")
	other, opath := newUser(t, s, tok, "stays@example.com")
	for _, r := range []string{role, kept} {
		wantStatus(t, call(t, s, "POST", "/api/v2/roles/"+r+"/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:x"), perm(s.Audience, "read:users")}}), 201)
		wantStatus(t, call(t, s, "POST", "/api/v2/roles/"+r+"/users", tok, map[string]any{"users": []string{uid, other}}), 200)
	}
	wantStatus(t, call(t, s, "POST", "/api/v2/users/"+opath+"/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:x")}}), 201)

	// The role: gone from its users.
	wantStatus(t, call(t, s, "DELETE", "/api/v2/roles/"+role, tok, nil), 200)
	if l := call(t, s, "GET", "/api/v2/users/"+opath+"/roles", tok, nil).array(t); len(l) != 1 || l[0].(map[string]any)["id"] != kept {
		t.Errorf("roles after the role's deletion: %v", l)
	}
	// The user: gone from its roles.
	wantStatus(t, call(t, s, "DELETE", "/api/v2/users/"+upath, tok, nil), 204)
	if l := call(t, s, "GET", "/api/v2/roles/"+kept+"/users", tok, nil).array(t); len(l) != 1 || l[0].(map[string]any)["user_id"] != other {
		t.Errorf("members after the user's deletion: %v", l)
	}
	// A user made again under the same id has no roles.
	again := call(t, s, "POST", "/api/v2/users", tok, map[string]any{
		"connection": defaultConnectionName, "email": "gone@example.com", "password": "Correct-Horse-9", "user_id": uid,
	})
	wantStatus(t, again, 201)
	wantBody(t, call(t, s, "GET", "/api/v2/users/"+upath+"/roles", tok, nil), 200, `[]`)

	// The API: its permissions leave roles and users, and an API made
	// again with its identifier does not bring them back.
	wantStatus(t, call(t, s, "DELETE", "/api/v2/resource-servers/"+apiID, tok, nil), 204)
	newAPI(t, s, tok, api, "read:x", "Read X")
	if l := call(t, s, "GET", "/api/v2/roles/"+kept+"/permissions", tok, nil).array(t); len(l) != 1 || l[0].(map[string]any)["permission_name"] != "read:users" {
		t.Errorf("role permissions after the API's deletion: %v", l)
	}
	perms := call(t, s, "GET", "/api/v2/users/"+opath+"/permissions", tok, nil).array(t)
	if len(perms) != 1 || perms[0].(map[string]any)["resource_server_identifier"] != s.Audience {
		t.Errorf("user permissions after the API's deletion: %v", perms)
	}
	// Nor does the saved tenant keep what it no longer shows.
	if err := s.SaveState(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	var saved struct {
		Tenant struct {
			RolePermissions map[string][]permissionRef `json:"role_permissions"`
			RoleMembers     map[string][]string        `json:"role_members"`
			UserPermissions map[string][]permissionRef `json:"user_permissions"`
		} `json:"tenant"`
	}
	if err := json.Unmarshal(data, &saved); err != nil {
		t.Fatal(err)
	}
	if _, ok := saved.Tenant.RolePermissions[role]; ok {
		t.Errorf("the deleted role's permissions are saved: %v", saved.Tenant.RolePermissions)
	}
	for _, m := range []map[string][]permissionRef{saved.Tenant.RolePermissions, saved.Tenant.UserPermissions} {
		for k, refs := range m {
			for _, p := range refs {
				if p.ResourceServerID == apiID {
					t.Errorf("%s keeps a permission of the deleted API: %v", k, p)
				}
			}
		}
	}
	if members := saved.Tenant.RoleMembers[kept]; strings.Join(members, " ") != other {
		t.Errorf("saved members of %s: %v, want %s alone", kept, members, other)
	}
}

// Roles, their permissions and members and a user's own permissions
// survive a restart of a saved tenant, the Management API's permissions
// with its identifier at the new address.
func TestRolesSurviveRestart(t *testing.T) {
	state := filepath.Join(t.TempDir(), "tenant.json")
	first, err := New(Options{StateFile: state, signingKey: testKey(), checkIndexes: true})
	if err != nil {
		t.Fatal(err)
	}
	tok := mgmtToken(t, first)
	api := "https://saved.example.com/"
	newAPI(t, first, tok, api, "read:x", "Read X")
	role := newRole(t, first, tok, "saved", "Kept across restarts")
	_, upath := newUser(t, first, tok, "saved@example.com")
	wantStatus(t, call(t, first, "POST", "/api/v2/roles/"+role+"/permissions", tok, map[string]any{"permissions": []any{perm(first.Audience, "read:users")}}), 201)
	wantStatus(t, call(t, first, "POST", "/api/v2/users/"+upath+"/roles", tok, map[string]any{"roles": []string{role}}), 204)
	wantStatus(t, call(t, first, "POST", "/api/v2/users/"+upath+"/permissions", tok, map[string]any{"permissions": []any{perm(api, "read:x")}}), 201)
	paths := []string{"/api/v2/roles/" + role, "/api/v2/roles/" + role + "/permissions", "/api/v2/roles/" + role + "/users", "/api/v2/users/" + upath + "/roles", "/api/v2/users/" + upath + "/permissions"}
	before := map[string]string{}
	for _, p := range paths {
		a := call(t, first, "GET", p, tok, nil)
		wantStatus(t, a, 200)
		before[p] = strings.ReplaceAll(string(a.raw), first.Audience, "AUDIENCE")
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second, err := New(Options{StateFile: state, checkIndexes: true})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	tok = mgmtToken(t, second)
	for _, p := range paths {
		a := call(t, second, "GET", p, tok, nil)
		if got := strings.ReplaceAll(string(a.raw), second.Audience, "AUDIENCE"); a.status != 200 || got != before[p] {
			t.Errorf("GET %s after the restart: %d %s\nbefore: %s", p, a.status, a.raw, before[p])
		}
	}
	if !strings.Contains(before["/api/v2/users/"+upath+"/permissions"], `"source_type":"ROLE"`) {
		t.Errorf("the user's permissions before the restart hold no role's: %s", before["/api/v2/users/"+upath+"/permissions"])
	}
}

// The Go SDK for Auth0 (v3), unmodified, through roles, their permissions
// and members, and a user's roles and permissions.
func TestSDKRoles(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	m, ctx := sdk(t, s)
	_, err := m.ResourceServers.Create(ctx, &management.CreateResourceServerRequestContent{
		Name: ptr("Orders"), Identifier: "https://orders.example/api",
		Scopes: []*management.ResourceServerScope{{Value: "read:orders", Description: ptr("Read orders")}},
	})
	if err != nil {
		t.Fatalf("create API: %v", err)
	}
	u, err := m.Users.Create(ctx, &management.CreateUserRequestContent{
		Connection: defaultConnectionName, Email: ptr("ada@example.com"), Password: ptr("Correct-Horse-9"),
	})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	role, err := m.Roles.Create(ctx, &management.CreateRoleRequestContent{Name: "clerk", Description: ptr("Front desk")})
	if err != nil || !roleIDShape.MatchString(role.GetID()) || role.GetName() != "clerk" {
		t.Fatalf("create role: %v %v", role, err)
	}
	if _, err := m.Roles.Update(ctx, role.GetID(), &management.UpdateRoleRequestContent{Description: ptr("Counter")}); err != nil {
		t.Errorf("update role: %v", err)
	}
	if got, err := m.Roles.Get(ctx, role.GetID()); err != nil || got.GetDescription() != "Counter" {
		t.Errorf("get role: %v %v", got, err)
	}
	page, err := m.Roles.List(ctx, &management.ListRolesRequestParameters{NameFilter: ptr("CLE")})
	if err != nil {
		t.Fatalf("list roles: %v", err)
	}
	var names []string
	for it := page.Iterator(); it.Next(ctx); {
		names = append(names, it.Current().GetName())
	}
	if strings.Join(names, ",") != "clerk" {
		t.Errorf("roles named like CLE: %v", names)
	}

	read := []*management.PermissionRequestPayload{{ResourceServerIdentifier: "https://orders.example/api", PermissionName: "read:orders"}}
	if err := m.Roles.Permissions.Add(ctx, role.GetID(), &management.AddRolePermissionsRequestContent{Permissions: read}); err != nil {
		t.Fatalf("add role permissions: %v", err)
	}
	undeclared := []*management.PermissionRequestPayload{{ResourceServerIdentifier: "https://orders.example/api", PermissionName: "write:orders"}}
	if err := m.Roles.Permissions.Add(ctx, role.GetID(), &management.AddRolePermissionsRequestContent{Permissions: undeclared}); statusOf(err) != 400 {
		t.Errorf("an undeclared permission: %v", err)
	}
	rp, err := m.Roles.Permissions.List(ctx, role.GetID(), &management.ListRolePermissionsRequestParameters{})
	if err != nil {
		t.Fatalf("list role permissions: %v", err)
	}
	n := 0
	for it := rp.Iterator(); it.Next(ctx); n++ {
		if p := it.Current(); p.GetPermissionName() != "read:orders" || p.GetResourceServerName() != "Orders" || p.GetDescription() != "Read orders" {
			t.Errorf("role permission %v", p)
		}
	}
	if n != 1 {
		t.Errorf("the role has %d permissions, want 1", n)
	}

	if err := m.Users.Roles.Assign(ctx, u.GetUserID(), &management.AssignUserRolesRequestContent{Roles: []string{role.GetID()}}); err != nil {
		t.Fatalf("assign user roles: %v", err)
	}
	members, err := m.Roles.Users.List(ctx, role.GetID(), &management.ListRoleUsersRequestParameters{})
	if err != nil {
		t.Fatalf("list role users: %v", err)
	}
	var ids []string
	for it := members.Iterator(); it.Next(ctx); {
		ids = append(ids, it.Current().GetUserID())
	}
	if strings.Join(ids, ",") != u.GetUserID() {
		t.Errorf("role members: %v", ids)
	}
	up, err := m.Users.Permissions.List(ctx, u.GetUserID(), &management.ListUserPermissionsRequestParameters{})
	if err != nil {
		t.Fatalf("list user permissions: %v", err)
	}
	var perms []string
	for it := up.Iterator(); it.Next(ctx); {
		perms = append(perms, it.Current().GetResourceServerIdentifier()+" "+it.Current().GetPermissionName())
	}
	if strings.Join(perms, ",") != "https://orders.example/api read:orders" {
		t.Errorf("user permissions through the role: %v", perms)
	}
	if err := m.Users.Roles.Delete(ctx, u.GetUserID(), &management.DeleteUserRolesRequestContent{Roles: []string{role.GetID()}}); err != nil {
		t.Errorf("remove user roles: %v", err)
	}
	ur, err := m.Users.Roles.List(ctx, u.GetUserID(), &management.ListUserRolesRequestParameters{})
	if err != nil {
		t.Fatalf("list user roles: %v", err)
	}
	if it := ur.Iterator(); it.Next(ctx) {
		t.Errorf("the user keeps role %v", it.Current())
	}
	if err := m.Roles.Delete(ctx, role.GetID()); err != nil {
		t.Errorf("delete role: %v", err)
	}
	if _, err := m.Roles.Get(ctx, role.GetID()); statusOf(err) != 404 {
		t.Errorf("get deleted role: %v", err)
	}
}

// TestRBACTokens: an API with RBAC (enforce_policies) cuts a user token's
// API scopes to the permissions the user holds, directly or by a role; an
// *_authz dialect adds the permissions claim; without either the token
// carries what was asked, as Auth0 documents ("Enable Role-Based Access
// Control for APIs").
func TestRBACTokens(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	admin := mgmtToken(t, s)
	api := call(t, s, "POST", "/api/v2/resource-servers", admin, map[string]any{
		"identifier": "https://rbac.example/", "scopes": []map[string]string{{"value": "read:a"}, {"value": "write:a"}, {"value": "admin:a"}},
	}).object(t)
	app := call(t, s, "POST", "/api/v2/clients", admin, map[string]any{"name": "rbac", "grant_types": []string{"http://auth0.com/oauth/grant-type/password-realm", "client_credentials"}}).object(t)
	conns := call(t, s, "GET", "/api/v2/connections?name="+defaultConnectionName, admin, nil).array(t)
	wantStatus(t, call(t, s, "PATCH", "/api/v2/connections/"+conns[0].(map[string]any)["id"].(string)+"/clients", admin,
		[]map[string]any{{"client_id": app["client_id"], "status": true}}), 204)
	user := call(t, s, "POST", "/api/v2/users", admin, map[string]any{"connection": defaultConnectionName, "email": "ada@example.com", "password": "Correct-Horse-9"}).object(t)
	uid := url.PathEscape(user["user_id"].(string))
	perm := func(name string) map[string]any {
		return map[string]any{"resource_server_identifier": "https://rbac.example/", "permission_name": name}
	}
	wantStatus(t, call(t, s, "POST", "/api/v2/users/"+uid+"/permissions", admin, map[string]any{"permissions": []any{perm("read:a")}}), 201)
	role := call(t, s, "POST", "/api/v2/roles", admin, map[string]any{"name": "writers"}).object(t)
	wantStatus(t, call(t, s, "POST", "/api/v2/roles/"+role["id"].(string)+"/permissions", admin, map[string]any{"permissions": []any{perm("write:a")}}), 201)
	wantStatus(t, call(t, s, "POST", "/api/v2/users/"+uid+"/roles", admin, map[string]any{"roles": []string{role["id"].(string)}}), 204)

	userToken := func() map[string]any {
		t.Helper()
		form := url.Values{"grant_type": {"http://auth0.com/oauth/grant-type/password-realm"}, "realm": {defaultConnectionName}, "client_id": {app["client_id"].(string)}, "client_secret": {app["client_secret"].(string)},
			"username": {"ada@example.com"}, "password": {"Correct-Horse-9"}, "audience": {"https://rbac.example/"}, "scope": {"openid read:a write:a admin:a"}}
		_, c := unverifiedJWT(t, postToken(t, s, form)["access_token"].(string))
		return c
	}
	patch := func(body map[string]any) {
		wantStatus(t, call(t, s, "PATCH", "/api/v2/resource-servers/"+api["id"].(string), admin, body), 200)
	}
	if c := userToken(); c["scope"] != "openid read:a write:a admin:a" || c["permissions"] != nil {
		t.Fatalf("without RBAC: scope %v, permissions %v", c["scope"], c["permissions"])
	}
	patch(map[string]any{"enforce_policies": true})
	if c := userToken(); c["scope"] != "openid read:a write:a" || c["permissions"] != nil {
		t.Fatalf("with RBAC: scope %v, permissions %v; want the scopes held and no permissions claim", c["scope"], c["permissions"])
	}
	patch(map[string]any{"token_dialect": "access_token_authz"})
	if c := userToken(); fmt.Sprint(c["permissions"]) != "[read:a write:a]" {
		t.Fatalf("with access_token_authz: permissions %v, want [read:a write:a]", c["permissions"])
	}
	wantStatus(t, call(t, s, "DELETE", "/api/v2/users/"+uid+"/roles", admin, map[string]any{"roles": []string{role["id"].(string)}}), 204)
	if c := userToken(); c["scope"] != "openid read:a" || fmt.Sprint(c["permissions"]) != "[read:a]" {
		t.Fatalf("after the role is taken away: scope %v, permissions %v", c["scope"], c["permissions"])
	}

	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", admin, map[string]any{"client_id": app["client_id"], "audience": "https://rbac.example/", "scope": []string{"admin:a"}}), 201)
	_, c := unverifiedJWT(t, token(t, s, app["client_id"].(string), app["client_secret"].(string), "https://rbac.example/"))
	if fmt.Sprint(c["permissions"]) != "[admin:a]" || c["scope"] != "admin:a" {
		t.Fatalf("a machine token with access_token_authz: scope %v, permissions %v", c["scope"], c["permissions"])
	}
}

// TestPermissionsRemovalOfDeletedAPI: taking a permission off a role or a
// user after its API was deleted answers 204, as Auth0 does
// (terraform-provider-auth0 TestAccRole: the API is destroyed first, then
// DELETE /roles/{id}/permissions naming it answers 204); an add naming it
// is still refused.
func TestPermissionsRemovalOfDeletedAPI(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	api := "https://gone.example.com/"
	newAPI(t, s, tok, api, "read:a", "Read A")
	role := newRole(t, s, tok, "reader", "Reads")
	rolePath := "/api/v2/roles/" + role + "/permissions"
	wantStatus(t, call(t, s, "POST", rolePath, tok, map[string]any{"permissions": []any{perm(api, "read:a")}}), 201)
	u := call(t, s, "POST", "/api/v2/users", tok, map[string]any{
		"connection": defaultConnectionName, "email": "gone@example.com", "password": "Testpassword123!",
	})
	wantStatus(t, u, 201)
	userPath := "/api/v2/users/" + url.PathEscape(u.object(t)["user_id"].(string)) + "/permissions"
	wantStatus(t, call(t, s, "POST", userPath, tok, map[string]any{"permissions": []any{perm(api, "read:a")}}), 201)

	rs := call(t, s, "GET", "/api/v2/resource-servers/"+url.PathEscape(api), tok, nil).object(t)
	wantStatus(t, call(t, s, "DELETE", "/api/v2/resource-servers/"+rs["id"].(string), tok, nil), 204)

	for _, path := range []string{rolePath, userPath} {
		wantStatus(t, call(t, s, "DELETE", path, tok, map[string]any{"permissions": []any{perm(api, "read:a")}}), 204)
		wantBody(t, call(t, s, "GET", path, tok, nil), 200, `[]`)
		wantError(t, call(t, s, "POST", path, tok, map[string]any{"permissions": []any{perm(api, "read:a")}}), 404,
			"The resource server does not exist: '"+api+"'", "")
	}
}
