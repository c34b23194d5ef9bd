package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

func TestPagination(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	for i := range 5 {
		wantStatus(t, call(t, s, "POST", "/api/v2/connections", tok, map[string]any{"name": fmt.Sprintf("db-%d", i), "strategy": "auth0"}), 201)
	}
	// 6 connections: the default one and ours.
	bare := call(t, s, "GET", "/api/v2/connections?per_page=2&page=1", tok, nil)
	wantStatus(t, bare, 200)
	if l := bare.array(t); len(l) != 2 || l[0].(map[string]any)["name"] != "db-1" {
		t.Errorf("page 1 of 2: %s", bare.raw)
	}
	totals := call(t, s, "GET", "/api/v2/connections?per_page=4&page=1&include_totals=true", tok, nil).object(t)
	if totals["total"] != float64(6) || totals["start"] != float64(4) || totals["limit"] != float64(4) || len(totals["connections"].([]any)) != 2 {
		t.Errorf("totals: %v", totals)
	}
	// Checkpoint pages chain through next until it is absent.
	var names []string
	from := ""
	for range 10 {
		path := "/api/v2/connections?take=4"
		if from != "" {
			path += "&from=" + from
		}
		page := call(t, s, "GET", path, tok, nil).object(t)
		for _, c := range page["connections"].([]any) {
			names = append(names, c.(map[string]any)["name"].(string))
		}
		next, ok := page["next"].(string)
		if !ok {
			break
		}
		from = next
	}
	if len(names) != 6 || names[5] != "db-4" {
		t.Errorf("checkpoint walk: %v", names)
	}
	// fields= keeps what was asked (and is_domain_connection, as Auth0 does).
	f := call(t, s, "GET", "/api/v2/connections?fields=name&include_fields=true&per_page=1", tok, nil).array(t)
	if m := f[0].(map[string]any); len(m) != 2 || m["name"] == nil || m["is_domain_connection"] == nil {
		t.Errorf("fields: %v", m)
	}
	c := call(t, s, "GET", "/api/v2/clients?fields=client_id&include_fields=true", tok, nil).array(t)
	if m := c[0].(map[string]any); len(m) != 2 || m["tenant"] == nil {
		t.Errorf("client fields: %v", m)
	}
	users := call(t, s, "GET", "/api/v2/users?include_totals=true", tok, nil).object(t)
	for _, k := range []string{"start", "limit", "length", "users", "total"} {
		if _, ok := users[k]; !ok {
			t.Errorf("users totals lack %s: %v", k, users)
		}
	}
	if a := call(t, s, "GET", "/api/v2/clients?per_page=101", tok, nil); a.status != 400 {
		t.Errorf("per_page 101: %d", a.status)
	}
	if a := call(t, s, "GET", "/api/v2/users-by-email?email=nobody@example.com", tok, nil); string(a.raw) != "[]" {
		t.Errorf("users-by-email with no match: %s", a.raw)
	}
}

func TestLegacyEnabledClientsStayInSync(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	app := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "a"}).object(t)
	id := app["client_id"].(string)
	conn := call(t, s, "POST", "/api/v2/connections", tok, map[string]any{"name": "db", "strategy": "auth0", "enabled_clients": []string{id}}).object(t)
	cid := conn["id"].(string)
	got := call(t, s, "GET", "/api/v2/connections/"+cid+"/clients", tok, nil).object(t)
	if l := got["clients"].([]any); len(l) != 1 || l[0].(map[string]any)["client_id"] != id {
		t.Errorf("enabled by the legacy field, seen by /clients: %v", got)
	}
	wantStatus(t, call(t, s, "PATCH", "/api/v2/connections/"+cid, tok, map[string]any{"enabled_clients": []string{}}), 200)
	got = call(t, s, "GET", "/api/v2/connections/"+cid+"/clients", tok, nil).object(t)
	if l := got["clients"].([]any); len(l) != 0 {
		t.Errorf("after PATCH enabled_clients []: %v", got)
	}
	wantStatus(t, call(t, s, "PATCH", "/api/v2/connections/"+cid+"/clients", tok, []map[string]any{{"client_id": id, "status": true}}), 204)
	if ec := call(t, s, "GET", "/api/v2/connections/"+cid, tok, nil).object(t)["enabled_clients"].([]any); len(ec) != 1 {
		t.Errorf("legacy field after PATCH /clients: %v", ec)
	}
	// Deleting the client removes it from the connection and its grants.
	wantStatus(t, call(t, s, "DELETE", "/api/v2/clients/"+id, tok, nil), 204)
	if ec := call(t, s, "GET", "/api/v2/connections/"+cid, tok, nil).object(t)["enabled_clients"].([]any); len(ec) != 0 {
		t.Errorf("a deleted client stays enabled: %v", ec)
	}
	del := call(t, s, "DELETE", "/api/v2/connections/"+cid, tok, nil)
	if del.status != 202 || del.object(t)["deleted_at"] == nil {
		t.Errorf("delete connection: %d %s", del.status, del.raw)
	}
}

func TestStateSurvivesARestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tenant.json")
	first, err := New(Options{StateFile: path, Seed: 3, signingKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	tok := mgmtToken(t, first)
	app := call(t, first, "POST", "/api/v2/clients", tok, map[string]any{"name": "kept"}).object(t)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}

	// A new key would be generated if the state did not carry it.
	second, err := New(Options{StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if second.ClientID != first.ClientID || second.ClientSecret != first.ClientSecret {
		t.Errorf("management credentials changed across a restart")
	}
	if second.kid != first.kid {
		t.Errorf("signing key changed across a restart")
	}
	tok2 := mgmtToken(t, second)
	got := call(t, second, "GET", "/api/v2/clients/"+app["client_id"].(string), tok2, nil)
	wantStatus(t, got, 200)
	if got.object(t)["client_secret"] != app["client_secret"] {
		t.Errorf("client secret changed across a restart")
	}
	// The system API follows the new address.
	rs := call(t, second, "GET", "/api/v2/resource-servers/"+strings.ReplaceAll(second.Audience, "/", "%2F"), tok2, nil)
	wantStatus(t, rs, 200)

	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{StateFile: path}); err == nil || !strings.Contains(err.Error(), "not a sandbox state") {
		t.Errorf("a corrupt state file: %v", err)
	}
}

func TestNonLoopbackWarns(t *testing.T) {
	t.Parallel()
	s := start(t, Options{Addr: "0.0.0.0:0", HTTP: true})
	if len(s.Warnings) == 0 || !strings.Contains(s.Warnings[0], "not a real authorization server") {
		t.Errorf("warnings: %v", s.Warnings)
	}
	if !strings.HasPrefix(s.BaseURL, "http://127.0.0.1:") {
		t.Errorf("base URL %s", s.BaseURL)
	}
	l := start(t, Options{HTTP: true})
	if len(l.Warnings) != 0 || l.CAFile != "" {
		t.Errorf("loopback HTTP: warnings %v, CA file %q", l.Warnings, l.CAFile)
	}
	h := start(t, Options{})
	if h.CAFile == "" || !strings.HasPrefix(h.BaseURL, "https://") || h.Audience != h.BaseURL+"/api/v2/" {
		t.Errorf("HTTPS sandbox: %s %s %q", h.BaseURL, h.Audience, h.CAFile)
	}
	if pem, err := os.ReadFile(h.CAFile); err != nil || string(pem) != string(h.CAPEM) {
		t.Errorf("CA file: %v", err)
	}
}

func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			a := call(t, s, "POST", "/api/v2/resource-servers", tok, map[string]any{"identifier": "same"})
			b := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": fmt.Sprint("c", i)})
			if (a.status != 201 && a.status != 409) || b.status != 201 {
				t.Errorf("%d %d", a.status, b.status)
			}
			call(t, s, "GET", "/api/v2/clients", tok, nil)
		})
	}
	wg.Wait()
	list := call(t, s, "GET", "/api/v2/resource-servers?identifiers=same", tok, nil).array(t)
	if len(list) != 1 {
		t.Errorf("one identifier, %d resource servers", len(list))
	}
}

// FuzzManagementRequest sends arbitrary methods, paths and bodies to the
// Management API with a valid token: the sandbox must answer every one with
// a well-formed Auth0 answer, never a panic or a 500.
func FuzzManagementRequest(f *testing.F) {
	s, err := New(Options{Seed: 1, HTTP: true, signingKey: testKey()})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	s.mu.Lock()
	tok, err := s.sign(map[string]any{"aud": s.Audience, "exp": 1 << 40, "scope": strings.Join(managementScopeValues(), " ")})
	s.mu.Unlock()
	if err != nil {
		f.Fatal(err)
	}
	seeds := []struct{ method, path, body string }{
		{"POST", "/api/v2/resource-servers", `{"identifier":"x","scopes":[{"value":"a"}]}`},
		{"POST", "/api/v2/resource-servers", `{"identifier":"x","scopes":[1,{"value":2}]}`},
		{"PATCH", "/api/v2/resource-servers/x", `{"token_encryption":{"encryption_key":null}}`},
		{"POST", "/api/v2/clients", `{"name":"a","client_metadata":{"k":null},"refresh_token":null,"jwt_configuration":{"alg":1}}`},
		{"POST", "/api/v2/clients", `{"name":"a","client_authentication_methods":{"private_key_jwt":{"credentials":[1,{"pem":2}]}}}`},
		{"PATCH", "/api/v2/clients/x", `{"client_metadata":null}`},
		{"POST", "/api/v2/client-grants", `{"client_id":1,"audience":[]}`},
		{"POST", "/api/v2/connections", `{"name":"a","strategy":"auth0","options":{"password_options":{"complexity":{"min_length":"x"}}}}`},
		{"PATCH", "/api/v2/connections/x/clients", `[{"client_id":"a","status":"yes"}]`},
		{"POST", "/api/v2/users", `{"connection":"` + defaultConnectionName + `","email":"a@b","password":"\u0000\u0000\u0000"}`},
		{"PATCH", "/api/v2/users/auth0%7Cx", `{"app_metadata":{"a":{"b":[null]}}}`},
		{"GET", "/api/v2/users?q=email:%22unterminated&page=-1", ``},
		{"GET", "/api/v2/connections?from=%%%&take=0", ``},
		{"GET", "/api/v2/clients?fields=,,,&include_fields=maybe", ``},
		{"DELETE", "/api/v2/", `null`},
		{"POST", "/api/v2/clients/x/rotate-secret", `[[[[`},
	}
	for _, sd := range seeds {
		f.Add(sd.method, sd.path, sd.body)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, method, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req, err := http.NewRequest(method, "http://"+s.Domain+"/api/v2"+path, strings.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", method, path, body, rec.Code, rec.Body)
		}
		if rec.Code != http.StatusNoContent && rec.Code != http.StatusMethodNotAllowed && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: %d answer is not JSON: %q", method, path, body, rec.Code, rec.Body)
		}
	})
}

func TestClientCredentialsAndNulls(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	const pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAua6LXMfgDE/tDdkOL1Oe\n-----END PUBLIC KEY-----"
	app := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{
		"name": "jwt", "addons": nil, "default_organization": nil,
		"client_authentication_methods": map[string]any{"private_key_jwt": map[string]any{"credentials": []any{
			map[string]any{"name": "k1", "credential_type": "public_key", "pem": pem},
		}}},
	})
	wantStatus(t, app, 201)
	body := app.object(t)
	if _, ok := body["addons"]; ok {
		t.Error("a null field of a create is echoed")
	}
	id := body["client_id"].(string)
	creds := call(t, s, "GET", "/api/v2/clients/"+id+"/credentials", tok, nil).array(t)
	if len(creds) != 1 {
		t.Fatalf("credentials: %v", creds)
	}
	c1 := creds[0].(map[string]any)
	if !strings.HasPrefix(c1["id"].(string), "cred_") || c1["kid"] == nil || c1["pem"] != nil {
		t.Errorf("credential: %v", c1)
	}
	c2 := call(t, s, "POST", "/api/v2/clients/"+id+"/credentials", tok, map[string]any{"credential_type": "public_key", "name": "k2", "pem": pem})
	wantStatus(t, c2, 201)
	cid := c2.object(t)["id"].(string)
	wantStatus(t, call(t, s, "GET", "/api/v2/clients/"+id+"/credentials/"+cid, tok, nil), 200)
	wantStatus(t, call(t, s, "DELETE", "/api/v2/clients/"+id+"/credentials/"+cid, tok, nil), 204)
	wantError(t, call(t, s, "GET", "/api/v2/clients/"+id+"/credentials/"+cid, tok, nil), 404, "The credential does not exist", "inexistent_client_credential")

	up := call(t, s, "PATCH", "/api/v2/clients/"+id, tok, map[string]any{"description": nil, "cross_origin_auth": true})
	wantStatus(t, up, 200)
	if u := up.object(t); u["cross_origin_authentication"] != true || u["description"] != nil {
		t.Errorf("patch: %s", up.raw)
	}

	user := call(t, s, "POST", "/api/v2/users", tok, map[string]any{"connection": defaultConnectionName, "email": "r@example.com", "password": "Correct-Horse-9"}).object(t)
	roles := call(t, s, "GET", "/api/v2/users/"+strings.ReplaceAll(user["user_id"].(string), "|", "%7C")+"/roles", tok, nil)
	if roles.status != 200 || string(roles.raw) != "[]" {
		t.Errorf("roles: %d %s", roles.status, roles.raw)
	}
}

func TestSearchQueries(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	wantStatus(t, call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "WSO2 keys"}), 201)
	for _, u := range []string{"ada@example.com", "adam@example.com", "bob@example.com"} {
		wantStatus(t, call(t, s, "POST", "/api/v2/users", tok, map[string]any{"connection": defaultConnectionName, "email": u, "password": "Correct-Horse-9"}), 201)
	}
	cases := []struct {
		path string
		want int
	}{
		{"/api/v2/users?q=" + url.QueryEscape(`email:"ada@example.com"`), 1},
		{"/api/v2/users?q=" + url.QueryEscape(`email:ada*`), 2},
		{"/api/v2/users?q=" + url.QueryEscape(`identities.connection:"`+defaultConnectionName+`" AND email:bob@example.com`), 1},
		{"/api/v2/users?q=" + url.QueryEscape(`email:"nobody@example.com"`), 0},
	}
	for _, c := range cases {
		a := call(t, s, "GET", c.path, tok, nil)
		wantStatus(t, a, 200)
		if n := len(a.array(t)); n != c.want {
			t.Errorf("%s: %d results, want %d", c.path, n, c.want)
		}
	}
}

// GET /clients refuses a q it does not take (a search by name is
// clients/search's); clients/search finds by SCIM or Lucene filters, pages
// by checkpoint and never shows secrets, keys, owners or addons.
func TestClientSearch(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	wso2 := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "WSO2 keys", "app_type": "non_interactive", "client_metadata": map[string]any{"owner": "wso2"}}).object(t)
	wantStatus(t, call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "WSO2 portal", "app_type": "spa"}), 201)
	wantStatus(t, call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "Billing", "app_type": "spa", "client_metadata": map[string]any{"owner": "finance"}}), 201)

	refused := call(t, s, "GET", "/api/v2/clients?q="+url.QueryEscape(`name:"WSO2 keys"`), tok, nil)
	wantStatus(t, refused, 400)
	if refused.object(t)["errorCode"] != "invalid_query_string" {
		t.Errorf("q=name on /clients: %s", refused.raw)
	}
	wantStatus(t, call(t, s, "GET", "/api/v2/clients?q="+url.QueryEscape(`client_grant.allow_any_organization:true`), tok, nil), 200)

	names := func(path string) []string {
		t.Helper()
		a := call(t, s, "GET", path, tok, nil)
		wantStatus(t, a, 200)
		var out []string
		for _, c := range a.object(t)["clients"].([]any) {
			c := c.(map[string]any)
			for _, k := range []string{"client_secret", "signing_keys", "encryption_key", "owners", "addons"} {
				if _, ok := c[k]; ok {
					t.Errorf("%s: clients/search shows %s", path, k)
				}
			}
			out = append(out, c["name"].(string))
		}
		sort.Strings(out)
		return out
	}
	scim := func(q string) string { return "/api/v2/clients/search?parser=scim&q=" + url.QueryEscape(q) }
	cases := []struct {
		path string
		want []string
	}{
		{scim(`name eq "WSO2 keys"`), []string{"WSO2 keys"}},
		{scim(`name eq "wso2 KEYS"`), []string{"WSO2 keys"}},
		{scim(`name sw "WSO2"`), []string{"WSO2 keys", "WSO2 portal"}},
		{scim(`name ew "portal"`), []string{"WSO2 portal"}},
		{scim(`name co "SO2 p"`), []string{"WSO2 portal"}},
		{scim(`client_id eq "` + wso2["client_id"].(string) + `"`), []string{"WSO2 keys"}},
		{scim(`app_type eq "spa" and metadata.owner eq "finance"`), []string{"Billing"}},
		{scim(`metadata.owner eq "wso2" or name eq "Billing"`), []string{"Billing", "WSO2 keys"}},
		{"/api/v2/clients/search?q=" + url.QueryEscape(`name:"WSO2 keys"`), []string{"WSO2 keys"}},
		{"/api/v2/clients/search?q=" + url.QueryEscape(`metadata.owner:finance`), []string{"Billing"}},
	}
	for _, c := range cases {
		if got := names(c.path); !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.path, got, c.want)
		}
	}
	for _, bad := range []string{scim(`name gt "a"`), scim(`client_secret eq "x"`), scim(`name eq "unterminated`), "/api/v2/clients/search?parser=sql&q=x"} {
		if a := call(t, s, "GET", bad, tok, nil); a.status != 400 {
			t.Errorf("%s: %d %s, want 400", bad, a.status, a.raw)
		}
	}

	// Checkpoint paging walks every client once.
	seen := checkpointWalk(t, s, tok, "/api/v2/clients/search?take=2", "clients", "client_id")
	all := call(t, s, "GET", "/api/v2/clients", tok, nil).array(t)
	if len(seen) != len(all) {
		t.Errorf("paged search saw %d clients, the tenant has %d", len(seen), len(all))
	}
}

func TestSeededRestartDrawsNewIDs(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tenant.json")
	first, err := New(Options{StateFile: path, Seed: 9, HTTP: true, signingKey: testKey()})
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	second := start(t, Options{StateFile: path, Seed: 9, HTTP: true})
	tok := mgmtToken(t, second)
	// The system API's id was the first draw of seed 9.
	rs := call(t, second, "POST", "/api/v2/resource-servers", tok, map[string]any{"identifier": "after-restart"})
	wantStatus(t, rs, 201)
	list := call(t, second, "GET", "/api/v2/resource-servers", tok, nil).array(t)
	seen := map[any]bool{}
	for _, r := range list {
		id := r.(map[string]any)["id"]
		if seen[id] {
			t.Fatalf("two resource servers share id %v", id)
		}
		seen[id] = true
	}
}

// The users search takes the v3 (Lucene) syntax Auth0 documents.
func TestUserSearchLuceneV3(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	for _, u := range []map[string]any{
		{"email": "ada@example.com", "name": "Ada Lovelace", "app_metadata": map[string]any{"plan": "pro", "seats": 5, "roles": []string{"admin", "dev"}}},
		{"email": "adam@example.org", "name": "Adam Smith", "app_metadata": map[string]any{"plan": "free", "seats": 1}},
		{"email": "bob@example.com", "name": "Bob", "blocked": true},
	} {
		u["connection"], u["password"] = defaultConnectionName, "Correct-Horse-9"
		wantStatus(t, call(t, s, "POST", "/api/v2/users", tok, u), 201)
	}
	cases := []struct {
		q    string
		want []string
	}{
		{``, []string{"ada@example.com", "adam@example.org", "bob@example.com"}},
		{`email:"ada@example.com"`, []string{"ada@example.com"}},
		{`email:ADA@example.com`, []string{"ada@example.com"}},
		{`email:ada*`, []string{"ada@example.com", "adam@example.org"}},
		{`email:*@example.com`, []string{"ada@example.com", "bob@example.com"}},
		{`email.domain:"example.org"`, []string{"adam@example.org"}},
		{`name:"Ada Lovelace"`, []string{"ada@example.com"}},
		{`app_metadata.plan:pro OR app_metadata.plan:free`, []string{"ada@example.com", "adam@example.org"}},
		{`app_metadata.plan:(pro OR free) AND NOT email:adam*`, []string{"ada@example.com"}},
		{`app_metadata.seats:[2 TO 10]`, []string{"ada@example.com"}},
		{`app_metadata.seats:{1 TO *]`, []string{"ada@example.com"}},
		{`app_metadata.roles:dev`, []string{"ada@example.com"}},
		{`_exists_:app_metadata.plan`, []string{"ada@example.com", "adam@example.org"}},
		{`-_exists_:app_metadata`, []string{"bob@example.com"}},
		{`blocked:true`, []string{"bob@example.com"}},
		{`identities.connection:"` + defaultConnectionName + `" AND (name:bob OR email:ada*)`, []string{"ada@example.com", "adam@example.org", "bob@example.com"}},
		{`email:ada* name:"Adam Smith"`, []string{"adam@example.org"}},
		{`lovelace`, nil},
		{`ada@example.com`, []string{"ada@example.com"}},
		{`created_at:[2000-01-01 TO *]`, []string{"ada@example.com", "adam@example.org", "bob@example.com"}},
	}
	for _, c := range cases {
		a := call(t, s, "GET", "/api/v2/users?search_engine=v3&q="+url.QueryEscape(c.q), tok, nil)
		wantStatus(t, a, 200)
		var got []string
		for _, u := range a.array(t) {
			got = append(got, u.(map[string]any)["email"].(string))
		}
		sort.Strings(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("q=%s: %v, want %v", c.q, got, c.want)
		}
	}
	for _, bad := range []string{`email:"open`, `(email:ada`, `email:ada)`, `seats:[1 TO`, `AND`} {
		if a := call(t, s, "GET", "/api/v2/users?q="+url.QueryEscape(bad), tok, nil); a.status != 400 {
			t.Errorf("q=%s: %d %s, want 400", bad, a.status, a.raw)
		}
	}
	for _, engine := range []string{"v1", "v2", "v4"} {
		if a := call(t, s, "GET", "/api/v2/users?search_engine="+engine+"&q=email:ada*", tok, nil); a.status != 400 {
			t.Errorf("search_engine=%s: %d, want 400", engine, a.status)
		}
	}
}

// A state saved before the sandbox had the global client (or without its
// Management API) loads with what a fresh tenant has added, and the rest
// as it was.
func TestOlderStateGainsTheFreshTenantsObjects(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tenant.json")
	first, err := New(Options{StateFile: path, Seed: 5, signingKey: testKey(), HTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	tok := mgmtToken(t, first)
	kept := call(t, first, "POST", "/api/v2/clients", tok, map[string]any{"name": "kept", "description": "as it was"}).object(t)
	me := first.BaseURL + "/me/"
	wantStatus(t, call(t, first, "POST", "/api/v2/resource-servers", tok, map[string]any{"identifier": me}), 201)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// What an older sandbox saved: no global client, no system API (nor
	// the grant to it).
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	tn := st["tenant"].(map[string]any)
	drop := func(key string, gone func(map[string]any) bool) {
		var keep []any
		for _, x := range tn[key].([]any) {
			if !gone(x.(map[string]any)) {
				keep = append(keep, x)
			}
		}
		tn[key] = keep
	}
	drop("clients", func(c map[string]any) bool { return c["global"] == true })
	drop("resource_servers", func(rs map[string]any) bool { return rs["is_system"] == true && rs["identifier"] != me })
	drop("client_grants", func(g map[string]any) bool { return strings.HasSuffix(g["audience"].(string), "/api/v2/") })
	old, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}

	second, err := New(Options{StateFile: path, HTTP: true, checkIndexes: true})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	tok2 := mgmtToken(t, second) // the management application is granted again
	clients := call(t, second, "GET", "/api/v2/clients?per_page=100", tok2, nil)
	wantStatus(t, clients, 200)
	var global, again map[string]any
	for _, x := range clients.array(t) {
		c := x.(map[string]any)
		switch {
		case c["global"] == true:
			global = c
		case c["client_id"] == kept["client_id"]:
			again = c
		}
	}
	if global == nil || global["name"] != globalClientName || global["tenant"] != tenantName {
		t.Errorf("no global client after loading an older state: %s", clients.raw)
	}
	if again == nil || again["description"] != "as it was" || again["client_secret"] != kept["client_secret"] {
		t.Errorf("the saved client changed: %v", again)
	}
	rs := call(t, second, "GET", "/api/v2/resource-servers/"+strings.ReplaceAll(second.Audience, "/", "%2F"), tok2, nil)
	wantStatus(t, rs, 200)
	if o := rs.object(t); o["is_system"] != true || o["name"] != "Auth0 Management API" || len(o["scopes"].([]any)) != len(managementScopes) {
		t.Errorf("the Management API added: %s", rs.raw)
	}
	// The other system API (My Account) is not taken for the Management API.
	if a := call(t, second, "GET", "/api/v2/resource-servers/"+strings.ReplaceAll(me, "/", "%2F"), tok2, nil); a.status != 200 || a.object(t)["name"] != "Auth0 My Account API" {
		t.Errorf("the My Account API after loading: %d %s", a.status, a.raw)
	}
	if n := len(call(t, second, "GET", "/api/v2/connections", tok2, nil).array(t)); n != 1 {
		t.Errorf("%d connections, want the saved one", n)
	}
	// Saved again, nothing more is added on the next load.
	if err := second.SaveState(); err != nil {
		t.Fatal(err)
	}
	third, err := New(Options{StateFile: path, HTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	third.mu.Lock()
	added := third.completeTenant()
	n := len(third.t.Clients)
	third.mu.Unlock()
	if len(added) != 0 || n != 3 {
		t.Errorf("a complete tenant gained %v (%d clients)", added, n)
	}
}
