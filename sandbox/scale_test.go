package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The checker the other tests run after every write (Options.checkIndexes)
// sees an index that a write left behind.
func TestIndexesAgreeSeesAStaleIndex(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.indexesAgree(); err != nil {
		t.Fatalf("a fresh tenant: %v", err)
	}
	c := s.findClient(s.ClientID)
	c["name"] = "renamed behind the index's back"
	if err := s.indexesAgree(); err == nil || !strings.Contains(err.Error(), "clients index") {
		t.Errorf("a rename the index missed: %v", err)
	}
	s.ix.clients.update(c)
	if err := s.indexesAgree(); err != nil {
		t.Errorf("after the update: %v", err)
	}
	if s.ix.clients.first("name", "renamed behind the index's back") == nil {
		t.Error("the renamed client is not found by its new name")
	}
}

// Lookups follow every kind of write: renames, deletes (and what a delete
// takes with it), users by email in any case.
func TestLookupsFollowWrites(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	c := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "one", "app_type": "non_interactive"})
	wantStatus(t, c, 201)
	id := c.object(t)["client_id"].(string)
	wantStatus(t, call(t, s, "PATCH", "/api/v2/clients/"+id, tok, map[string]any{"name": "two"}), 200)
	search := func(name string) int {
		a := call(t, s, "GET", "/api/v2/clients/search?parser=scim&q=name+eq+%22"+name+"%22", tok, nil)
		wantStatus(t, a, 200)
		return len(a.object(t)["clients"].([]any))
	}
	if search("one") != 0 || search("two") != 1 || search("TWO") != 1 {
		t.Errorf("after a rename: one %d, two %d, TWO %d", search("one"), search("two"), search("TWO"))
	}
	if a := call(t, s, "GET", "/api/v2/clients/search?parser=scim&q=client_id+eq+%22"+id+"%22+and+name+eq+%22two%22", tok, nil); len(a.object(t)["clients"].([]any)) != 1 {
		t.Errorf("by client_id and name: %s", a.raw)
	}
	wantStatus(t, call(t, s, "POST", "/api/v2/resource-servers", tok, map[string]any{"identifier": "https://ix.example", "name": "ix"}), 201)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", tok, map[string]any{"client_id": id, "audience": "https://ix.example", "scope": []string{}}), 201)
	wantStatus(t, call(t, s, "GET", "/api/v2/resource-servers/https%3A%2F%2Fix.example", tok, nil), 200)
	conn := call(t, s, "POST", "/api/v2/connections", tok, map[string]any{"name": "ix-db", "strategy": "auth0", "enabled_clients": []string{id}})
	wantStatus(t, conn, 201)
	connID := conn.object(t)["id"].(string)
	u := call(t, s, "POST", "/api/v2/users", tok, map[string]any{"connection": "ix-db", "email": "Ada@Example.com", "password": "Str0ng-passw0rd!"})
	wantStatus(t, u, 201)
	if a := call(t, s, "POST", "/api/v2/users", tok, map[string]any{"connection": "ix-db", "email": "ada@example.COM", "password": "Str0ng-passw0rd!"}); a.status != 409 {
		t.Errorf("the same email in another case: %d %s", a.status, a.raw)
	}
	byEmail := call(t, s, "GET", "/api/v2/users-by-email?email=ADA@example.com", tok, nil)
	wantStatus(t, byEmail, 200)
	if len(byEmail.array(t)) != 1 {
		t.Errorf("users-by-email: %s", byEmail.raw)
	}
	uid := u.object(t)["user_id"].(string)
	wantStatus(t, call(t, s, "PATCH", "/api/v2/users/"+uid, tok, map[string]any{"email": "grace@example.com"}), 200)
	if a := call(t, s, "GET", "/api/v2/users-by-email?email=ada@example.com", tok, nil); len(a.array(t)) != 0 {
		t.Errorf("the old email still finds the user: %s", a.raw)
	}
	// A connection's delete takes its users; a client's its grants.
	wantStatus(t, call(t, s, "DELETE", "/api/v2/connections/"+connID, tok, nil), 202)
	wantStatus(t, call(t, s, "GET", "/api/v2/users/"+uid, tok, nil), 404)
	wantStatus(t, call(t, s, "DELETE", "/api/v2/clients/"+id, tok, nil), 204)
	if a := call(t, s, "GET", "/api/v2/client-grants?client_id="+id, tok, nil); len(a.array(t)) != 0 {
		t.Errorf("the deleted client's grants: %s", a.raw)
	}
	wantStatus(t, call(t, s, "DELETE", "/api/v2/resource-servers/https%3A%2F%2Fix.example", tok, nil), 204)
	wantStatus(t, call(t, s, "GET", "/api/v2/resource-servers/https%3A%2F%2Fix.example", tok, nil), 404)
}

// A list answers what the tenant holds now: the kept encoding of a client's
// view is never served after a write.
func TestClientListsShowEveryWrite(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	list := func() map[string]map[string]any {
		a := call(t, s, "GET", "/api/v2/clients?per_page=100", tok, nil)
		wantStatus(t, a, 200)
		out := map[string]map[string]any{}
		for _, x := range a.array(t) {
			c := x.(map[string]any)
			out[c["client_id"].(string)] = c
		}
		return out
	}
	before := list()[s.ClientID]
	list() // served from the kept encoding
	wantStatus(t, call(t, s, "PATCH", "/api/v2/clients/"+s.ClientID, tok, map[string]any{"description": "changed"}), 200)
	if got := list()[s.ClientID]; got["description"] != "changed" {
		t.Errorf("after a PATCH: %v", got["description"])
	}
	wantStatus(t, call(t, s, "POST", "/api/v2/clients/"+s.ClientID+"/rotate-secret", tok, nil), 200)
	if got := list()[s.ClientID]; got["client_secret"] == before["client_secret"] {
		t.Error("after a rotation the list shows the old secret")
	}
	// A token without read:client_keys sees no secret, from the same
	// generation of kept encodings.
	limited := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": "reader", "app_type": "non_interactive", "grant_types": []string{"client_credentials"}}).object(t)
	wantStatus(t, call(t, s, "POST", "/api/v2/client-grants", tok, map[string]any{"client_id": limited["client_id"], "audience": s.Audience, "scope": []string{"read:clients"}}), 201)
	list()
	reader := token(t, s, limited["client_id"].(string), limited["client_secret"].(string), s.Audience)
	a := call(t, s, "GET", "/api/v2/clients?per_page=100", reader, nil)
	wantStatus(t, a, 200)
	if strings.Contains(string(a.raw), `"client_secret":`) {
		t.Errorf("read:clients alone sees secrets: %s", a.raw)
	}
}

// encodeAnswer writes what json.Marshal writes.
func TestEncodeAnswerIsJSONMarshal(t *testing.T) {
	t.Parallel()
	item := obj{"name": "<b>&\u2028é", "n": json.Number("12.50"), "l": []any{true, nil, obj{"x": "y"}}, "s": []string{"a"}}
	raw, err := json.Marshal(item)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{
		nil, "x", []any(nil), []any{}, []any{item, json.RawMessage(raw), nil},
		orderedObject{{"total", 3}, {"clients", []any{json.RawMessage(raw), item}}, {"<k>", orderedObject{}}},
		obj{"a": []any{orderedObject{{"b", 1}}}},
		detach(orderedObject{{"next", "abc"}, {"clients", []any{item}}}),
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := encodeAnswer(v)
		if err != nil || string(got) != string(want) {
			t.Errorf("encodeAnswer(%#v) = %s (%v), json.Marshal %s", v, got, err, want)
		}
	}
}

// A page of a list costs what its own items cost, whatever the tenant's
// size: the allocations of a fields= page (never served from kept
// encodings) on a tenant of 2,000 clients are those on one of 100. (Not
// parallel: AllocsPerRun counts the whole process's allocations.)
func TestAPageCostsItsItems(t *testing.T) {
	allocs := func(n int) float64 {
		s, err := New(Options{Seed: 3, signingKey: testKey()})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		tok, err := s.sign(claims{"aud": s.Audience, "exp": 1 << 40, "scope": "read:clients create:clients"})
		if err != nil {
			t.Fatal(err)
		}
		h := s.Handler()
		serve := func(method, path, body string) *httptest.ResponseRecorder {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		for i := range n {
			if rec := serve("POST", "/api/v2/clients", fmt.Sprintf(`{"name":"c%d"}`, i)); rec.Code != http.StatusCreated {
				t.Fatalf("create: %d %s", rec.Code, rec.Body)
			}
		}
		return testing.AllocsPerRun(20, func() {
			if rec := serve("GET", "/api/v2/clients?per_page=50&page=1&fields=name,client_id", ""); rec.Code != http.StatusOK {
				t.Fatalf("list: %d %s", rec.Code, rec.Body)
			}
		})
	}
	small, big := allocs(100), allocs(2000)
	if big > small*1.1+10 {
		t.Errorf("a page allocates %.0f times on 2,000 clients, %.0f on 100", big, small)
	}
}

// Reads share the lock and run beside writes: the race detector sees every
// answer copied out of the tenant before it is encoded.
func TestReadsBesideWrites(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	var wg sync.WaitGroup
	paths := []string{"/api/v2/clients?per_page=20", "/api/v2/clients?fields=name", "/api/v2/clients/" + s.ClientID,
		"/api/v2/resource-servers", "/api/v2/client-grants", "/api/v2/connections", "/api/v2/users",
		"/api/v2/clients/search?parser=scim&q=name+sw+%22w%22", "/api/v2/tenants/settings"}
	for _, p := range paths {
		wg.Go(func() {
			for range 15 {
				if a := call(t, s, "GET", p, tok, nil); a.status != 200 || !json.Valid(a.raw) {
					t.Errorf("GET %s: %d %s", p, a.status, a.raw)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 15 {
			c := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": fmt.Sprintf("w%d", i), "client_metadata": map[string]any{"k": "v"}})
			if c.status != 201 {
				t.Errorf("create: %d %s", c.status, c.raw)
				return
			}
			id := c.object(t)["client_id"].(string)
			if a := call(t, s, "PATCH", "/api/v2/clients/"+id, tok, map[string]any{"client_metadata": map[string]any{"k": "w"}, "callbacks": []string{"https://x.example/cb"}}); a.status != 200 {
				t.Errorf("update: %d %s", a.status, a.raw)
			}
			if i%3 == 0 {
				if a := call(t, s, "DELETE", "/api/v2/clients/"+id, tok, nil); a.status != 204 {
					t.Errorf("delete: %d %s", a.status, a.raw)
				}
			}
		}
	})
	wg.Wait()
}

// clients/search sorts by name or updated_at, ascending, as Auth0's API
// reference has it, and keeps the tenant's order without sort.
func TestClientSearchSort(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	tok := mgmtToken(t, s)
	ids := map[string]string{}
	for _, n := range []string{"s-b", "s-A", "s-c"} {
		a := call(t, s, "POST", "/api/v2/clients", tok, map[string]any{"name": n})
		wantStatus(t, a, 201)
		ids[n] = a.object(t)["client_id"].(string)
	}
	wantStatus(t, call(t, s, "PATCH", "/api/v2/clients/"+ids["s-b"], tok, map[string]any{"description": "touched"}), 200)
	names := func(sort string) string {
		a := call(t, s, "GET", "/api/v2/clients/search?parser=scim&q=name+sw+%22s-%22&take=2"+sort, tok, nil)
		wantStatus(t, a, 200)
		var out []string
		page := a.object(t)
		for {
			for _, c := range page["clients"].([]any) {
				out = append(out, c.(map[string]any)["name"].(string))
			}
			next, _ := page["next"].(string)
			if next == "" {
				return strings.Join(out, ",")
			}
			a = call(t, s, "GET", "/api/v2/clients/search?parser=scim&q=name+sw+%22s-%22&take=2"+sort+"&from="+next, tok, nil)
			wantStatus(t, a, 200)
			page = a.object(t)
		}
	}
	for sort, want := range map[string]string{"": "s-b,s-A,s-c", "&sort=name": "s-A,s-b,s-c", "&sort=updated_at": "s-A,s-c,s-b"} {
		if got := names(sort); got != want {
			t.Errorf("sort %q: %s, want %s", sort, got, want)
		}
	}
	a := call(t, s, "GET", "/api/v2/clients/search?sort=created_at", tok, nil)
	if a.status != 400 || a.object(t)["errorCode"] != "invalid_query_string" {
		t.Errorf("sort=created_at: %d %s", a.status, a.raw)
	}
}
