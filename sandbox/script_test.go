package sandbox

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// send sends one Management API request with a token and a JSON body over
// c (no keep-alives, so a dropped connection is never retried unseen).
func send(t *testing.T, c *http.Client, method, u, token, body string) outcome {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return roundTrip(c, req)
}

// clientsNamed counts the tenant's applications with this name.
func clientsNamed(t *testing.T, s *Server, token, name string) int {
	t.Helper()
	a := call(t, s, http.MethodGet, "/api/v2/clients?per_page=100", token, nil)
	wantStatus(t, a, http.StatusOK)
	n := 0
	for _, c := range a.array(t) {
		if c.(map[string]any)["name"] == name {
			n++
		}
	}
	return n
}

// Each kind of scripted fault, on a create against the real tenant: what the
// client sees, and whether the tenant committed the change (exactly once or
// not at all). The fault is used up: the same create then goes through.
func TestScriptKindsOnTheTenant(t *testing.T) {
	t.Parallel()
	const refused = `{"statusCode":400,"error":"Bad Request","message":"Payload validation error: 'String is too long' on property name.","errorCode":"invalid_body"}`
	sc := &Script{}
	s := start(t, Options{HTTP: true, Script: sc})
	tok := mgmtToken(t, s)
	c := newClient(t)
	tests := []struct {
		kind      Fault
		status    int // 0: the connection is dropped
		body      string
		committed int
	}{
		{Fault{Kind: FaultUnavailable}, http.StatusServiceUnavailable, "", 0},
		{Fault{Kind: FaultDropped}, 0, "", 0},
		{Fault{Kind: FaultCommitted502}, http.StatusBadGateway, "", 1},
		{Fault{Kind: FaultCommittedDropped}, 0, "", 1},
		{Fault{Kind: FaultRateLimited}, http.StatusTooManyRequests, tooManyBody, 0},
		{Fault{Kind: FaultAnswer, Status: 400, Message: "Payload validation error: 'String is too long' on property name.", ErrorCode: "invalid_body"}, http.StatusBadRequest, refused, 0},
	}
	for i, tc := range tests {
		t.Run(tc.kind.Kind.String(), func(t *testing.T) {
			name := "scripted app " + strconv.Itoa(i)
			f := tc.kind
			f.Pattern = "POST /api/v2/clients"
			sc.Add(f)
			if sc.Left() != 1 {
				t.Fatalf("Left = %d after adding one fault", sc.Left())
			}
			body := `{"name":"` + name + `"}`
			sent := time.Now()
			o := send(t, c, http.MethodPost, s.BaseURL+"/api/v2/clients", tok, body)
			switch {
			case tc.status == 0 && o.err == nil:
				t.Fatalf("answered %d %s; want the connection dropped", o.status, o.body)
			case tc.status != 0 && o.status != tc.status:
				t.Fatalf("status %d (%v) %s; want %d", o.status, o.err, o.body, tc.status)
			}
			switch {
			case tc.body != "" && o.body != tc.body:
				t.Errorf("body %s; want %s", o.body, tc.body)
			case o.status >= 500:
				if !strings.Contains(o.body, `"statusCode":`+strconv.Itoa(o.status)) || !strings.Contains(o.body, "fault injected by the sandbox's script") {
					t.Errorf("body %s; want Auth0's error shape naming the script", o.body)
				}
			}
			if o.status != 0 && o.header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", o.header.Get("Content-Type"))
			}
			if tc.kind.Kind == FaultRateLimited {
				check429(t, o, sent, scriptedBurst)
				if _, _, reset := rateHeadersOf(t, o); reset > time.Now().Add(2*time.Second).Unix() {
					t.Errorf("X-RateLimit-Reset %d is more than a second or so ahead", reset)
				}
			}
			if n := clientsNamed(t, s, tok, name); n != tc.committed {
				t.Errorf("%d applications %q in the tenant; want %d", n, name, tc.committed)
			}
			if sc.Left() != 0 {
				t.Errorf("Left = %d after the fault was met", sc.Left())
			}
			if o := send(t, c, http.MethodPost, s.BaseURL+"/api/v2/clients", tok, body); o.status != http.StatusCreated {
				t.Errorf("the create after the fault: %d %v %s; want 201", o.status, o.err, o.body)
			}
		})
	}

	// A scripted answer with a body of its own: a stale read.
	sc.Add(Fault{Pattern: "GET /api/v2/clients", Kind: FaultAnswer, Status: http.StatusOK, Body: "[]"})
	a := call(t, s, http.MethodGet, "/api/v2/clients", tok, nil)
	if a.status != http.StatusOK || string(a.raw) != "[]" || a.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Errorf("stale read: %d %q %s", a.status, a.header.Get("Content-Type"), a.raw)
	}
	if got := call(t, s, http.MethodGet, "/api/v2/clients", tok, nil).array(t); len(got) < 2 {
		t.Errorf("the read after the stale one lists %d applications", len(got))
	}
}

// Patterns match as http.ServeMux's do, the first fault added wins, each
// applies to its Count of matching requests, requests nothing matches are
// untouched, and the token endpoint can be scripted too.
func TestScriptMatching(t *testing.T) {
	t.Parallel()
	stub := newTenantStub()
	sc := NewScript(
		Fault{Pattern: "POST /api/v2/clients", Count: 2, Kind: FaultUnavailable},
		Fault{Pattern: "GET /api/v2/clients/{id}", Kind: FaultAnswer, Status: http.StatusNotFound, Message: "The client does not exist", ErrorCode: "inexistent_client"},
		Fault{Pattern: "POST /oauth/token", Kind: FaultDropped},
		Fault{Pattern: "/api/v2/", Kind: FaultCommitted502},
	)
	srv := serve(t, wrapTransport(Options{Script: sc}, stub))
	c := newClient(t)
	steps := []struct {
		method, path string
		want         fault // as classify names it; faultNone: status must be 2xx, or 404 with a scripted answer
		status       int
		left         int
	}{
		{http.MethodPost, "/api/v2/clients", faultUnavailable, 503, 4},          // the first fault, not the subtree one
		{http.MethodGet, "/api/v2/clients", faultLost502, 502, 3},               // no {id}: the subtree fault (served, answer lost)
		{http.MethodPost, "/api/v2/clients", faultUnavailable, 503, 2},          // the first fault's second use
		{http.MethodPost, "/api/v2/clients", faultNone, 201, 2},                 // used up, and so is the subtree fault
		{http.MethodPost, "/api/v2/clients/x/rotate-secret", faultNone, 201, 2}, // an exact pattern matches no longer path
		{http.MethodGet, "/api/v2/clients/abc", faultNone, 404, 1},
		{http.MethodGet, "/api/v2/clients/abc", faultNone, 200, 1},
		{http.MethodGet, "/oauth/token", faultNone, 200, 1}, // another method
		{http.MethodPost, "/oauth/token", faultDropped, 0, 0},
		{http.MethodPost, "/oauth/token", faultNone, 201, 0},
	}
	for i, st := range steps {
		id := "m" + strconv.Itoa(i)
		o := do(t, c, st.method, srv.URL+st.path, id)
		got := classify(o, stub.committed(id))
		if got != st.want || o.status != st.status {
			t.Errorf("#%d %s %s: %v, status %d (%v); want %v, %d", i, st.method, st.path, got, o.status, o.err, st.want, st.status)
		}
		if o.status == http.StatusNotFound && !strings.Contains(o.body, `"errorCode":"inexistent_client"`) {
			t.Errorf("#%d: scripted 404 body %s", i, o.body)
		}
		if n := sc.Left(); n != st.left {
			t.Errorf("#%d %s %s: Left = %d; want %d", i, st.method, st.path, n, st.left)
		}
	}
	stub.mu.Lock()
	entered := slices.Clone(stub.entered)
	stub.mu.Unlock()
	// The faults "before" never reach the tenant; the lost answer does.
	if want := []string{"m1", "m3", "m4", "m6", "m7", "m9"}; !slices.Equal(entered, want) {
		t.Errorf("the tenant saw %v; want %v", entered, want)
	}
}

// A scripted 429 carries Auth0's rate-limit headers: those of an empty
// bucket of scriptedBurst without a rate limit, or the real bucket's state
// with one; either way it takes no token.
func TestScriptRateLimited(t *testing.T) {
	t.Parallel()
	t.Run("no rate limit", func(t *testing.T) {
		t.Parallel()
		sc := NewScript(Fault{Pattern: "POST /oauth/token", Kind: FaultRateLimited}, Fault{Pattern: "/api/v2/", Kind: FaultRateLimited})
		srv := serve(t, wrapTransport(Options{Script: sc}, newTenantStub()))
		c := newClient(t)
		for _, path := range []string{"/oauth/token", "/api/v2/clients"} {
			sent := time.Now()
			o := do(t, c, http.MethodPost, srv.URL+path, "r")
			if o.status != http.StatusTooManyRequests {
				t.Fatalf("%s: %d %v", path, o.status, o.err)
			}
			check429(t, o, sent, scriptedBurst)
			if _, _, reset := rateHeadersOf(t, o); reset > time.Now().Add(2*time.Second).Unix() {
				t.Errorf("%s: X-RateLimit-Reset %d is more than a second or so ahead", path, reset)
			}
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		t.Parallel()
		clock := &fakeClock{now: time.Now()}
		sc := NewScript(Fault{Pattern: "DELETE /api/v2/clients/{id}", Count: 3, Kind: FaultRateLimited})
		srv := serve(t, newTransport(Options{RateLimit: 5, Burst: 5, Script: sc}, newTenantStub(), clock.Now))
		c := newClient(t)
		var got []int
		for i := range 9 {
			sent := clock.Now()
			o := do(t, c, http.MethodDelete, srv.URL+"/api/v2/clients/x", "d"+strconv.Itoa(i))
			got = append(got, o.status)
			if o.status == http.StatusTooManyRequests {
				check429(t, o, sent, 5)
			}
		}
		// Three scripted refusals take no token: the bucket of 5 still
		// serves five, then the limiter itself refuses.
		if want := []int{429, 429, 429, 200, 200, 200, 200, 200, 429}; !slices.Equal(got, want) {
			t.Errorf("statuses %v; want %v", got, want)
		}
	})
}

// Concurrent requests use a fault exactly Count times, while faults are
// added from another goroutine (the race detector watches).
func TestScriptConcurrent(t *testing.T) {
	t.Parallel()
	sc := NewScript(Fault{Pattern: "POST /api/v2/things", Count: 10, Kind: FaultUnavailable})
	stub := newTenantStub()
	srv := serve(t, wrapTransport(Options{Script: sc}, stub))
	c := newClient(t)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		counts = map[int]int{}
	)
	for i := range 40 {
		wg.Go(func() {
			o := do(t, c, http.MethodPost, srv.URL+"/api/v2/things", "c"+strconv.Itoa(i))
			mu.Lock()
			counts[o.status]++
			mu.Unlock()
		})
	}
	wg.Go(func() {
		for range 20 {
			sc.Add(Fault{Pattern: "GET /api/v2/other", Kind: FaultDropped})
			_ = sc.Left()
		}
	})
	wg.Wait()
	if counts[503] != 10 || counts[201] != 30 {
		t.Errorf("statuses %v; want 10 × 503 and 30 × 201", counts)
	}
	if n := sc.Left(); n != 20 {
		t.Errorf("Left = %d; want the 20 faults no request matched", n)
	}
}

// A script replaces the fault --fail-rate drew for the request it matches
// and leaves every other request meeting what the seed gives it.
func TestScriptKeepsTheSeededSequence(t *testing.T) {
	t.Parallel()
	sequence := func(sc *Script) ([]fault, []int) {
		stub := newTenantStub()
		srv := serve(t, wrapTransport(Options{FailRate: 0.4, Seed: 7, Script: sc}, stub))
		c := newClient(t)
		methods := []string{http.MethodPost, http.MethodGet, http.MethodPatch, http.MethodDelete, http.MethodGet, http.MethodPut}
		var seq []fault
		var statuses []int
		for i := range 60 {
			id := "q" + strconv.Itoa(i)
			o := do(t, c, methods[i%len(methods)], srv.URL+"/api/v2/things/"+id, id)
			seq = append(seq, classify(o, stub.committed(id)))
			statuses = append(statuses, o.status)
		}
		return seq, statuses
	}
	plain, _ := sequence(nil)
	scripted, statuses := sequence(NewScript(Fault{Pattern: "PATCH /api/v2/things/q8", Kind: FaultAnswer, Status: http.StatusTeapot, Body: "{}"}))
	if statuses[8] != http.StatusTeapot {
		t.Errorf("the scripted request answered %d", statuses[8])
	}
	plain[8], scripted[8] = faultNone, faultNone
	if !slices.Equal(plain, scripted) {
		t.Errorf("the script shifted the seeded faults:\n%v\n%v", plain, scripted)
	}
}

func TestScriptAddRefusesBadFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		f    Fault
	}{
		{"no kind", Fault{Pattern: "/api/v2/"}},
		{"unknown kind", Fault{Pattern: "/api/v2/", Kind: FaultKind(99)}},
		{"negative count", Fault{Pattern: "/api/v2/", Kind: FaultDropped, Count: -1}},
		{"answer without status", Fault{Pattern: "/api/v2/", Kind: FaultAnswer}},
		{"empty pattern", Fault{Pattern: "", Kind: FaultDropped}},
		{"method without path", Fault{Pattern: "POST", Kind: FaultDropped}},
	} {
		f := tc.f
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%+v) did not panic", f)
				}
			}()
			(&Script{}).Add(f)
		})
	}
}

// The scripted token endpoint fault happens over the sandbox's own HTTPS
// (HTTP/2) server too, with Options.Script set at New.
func TestScriptOverHTTPS(t *testing.T) {
	t.Parallel()
	sc := NewScript(Fault{Pattern: "POST /oauth/token", Kind: FaultUnavailable})
	s := start(t, Options{Script: sc})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {s.ClientID}, "client_secret": {s.ClientSecret}, "audience": {s.Audience}}
	resp, err := s.Client().PostForm(s.BaseURL+"/oauth/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.ProtoMajor != 2 {
		t.Errorf("%s %d; want HTTP/2 503", resp.Proto, resp.StatusCode)
	}
	if mgmtToken(t, s) == "" {
		t.Error("no token after the fault was used up")
	}
}
