package steps

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// collect runs fn with an events channel and returns what it sent.
func collect(t *testing.T, fn func(chan<- Event)) []Event {
	t.Helper()
	ch := make(chan Event, 256)
	fn(ch)
	close(ch)
	var evs []Event
	for ev := range ch {
		evs = append(evs, ev)
	}
	return evs
}

func findEvent(evs []Event, action string, kind EventKind) (Event, bool) {
	for _, ev := range evs {
		if ev.Action == action && ev.Kind == kind {
			return ev, true
		}
	}
	return Event{}, false
}

var (
	errLost   = fmt.Errorf("502 Bad Gateway: %w", ErrUncertain)
	errBadReq = errors.New("400 Bad Request: Payload validation error: 'String is too long' on property name")
)

func TestRareFailurePaths(t *testing.T) {
	t.Parallel()
	type check func(t *testing.T, f *fakeClient, res Result, err error, evs []Event)
	cases := []struct {
		name   string
		id     PlaybookID
		faults map[string][]fault
		before func(f *fakeClient)
		check  check
	}{
		{
			name:   "uncertain create that was committed is found and taken as created",
			id:     WSO2,
			faults: map[string][]fault{"CreateResourceServer": {{commit: true, err: errLost}}},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err != nil {
					t.Fatal(err)
				}
				if n := f.count("CreateResourceServer"); n != 1 {
					t.Errorf("create sent %d times, want 1", n)
				}
				if len(f.rs) != 1 {
					t.Errorf("%d resource servers, want 1", len(f.rs))
				}
				if r := res.Resources[0]; r.Kind != KindResourceServer || r.Action != "created" {
					t.Errorf("resource = %+v, want created", r)
				}
			},
		},
		{
			name:   "uncertain create that was not committed is sent again",
			id:     WSO2,
			faults: map[string][]fault{"CreateClient": {{commit: false, err: errLost}}},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err != nil {
					t.Fatal(err)
				}
				if n := f.count("CreateClient"); n != 2 {
					t.Errorf("create sent %d times, want 2", n)
				}
				if len(f.apps) != 1 {
					t.Errorf("%d clients, want 1", len(f.apps))
				}
				if ev, ok := findEvent(evs, "client", EventRetrying); !ok || ev.Attempt != 2 {
					t.Errorf("retrying event = %+v, %v", ev, ok)
				}
				if res.ClientSecret == "" || !res.Token.Verified {
					t.Errorf("no secret or unverified token: %+v", res.Token)
				}
			},
		},
		{
			name: "409 on create is looked up and reused",
			id:   WSO2,
			before: func(f *fakeClient) {
				// Made by someone else after Plan looked (Plan does not see it).
				f.rs["rs_0001"] = ResourceServer{ID: "rs_0001", Name: "x", Identifier: "wso2-resource-server", Scopes: []Scope{{Value: "default"}}}
				f.n = 1
				f.inject("FindResourceServer", fault{err: ErrNotFound})
			},
			faults: map[string][]fault{},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err != nil {
					t.Fatal(err)
				}
				if r := res.Resources[0]; r.Action != "reused" || r.ID != "rs_0001" {
					t.Errorf("resource = %+v, want the existing one reused", r)
				}
				if ev, ok := findEvent(evs, "resource_server", EventDone); !ok || ev.Verb != Reuse {
					t.Errorf("done event = %+v", ev)
				}
			},
		},
		{
			name: "409 after an uncertain attempt is ours: created, not a conflict",
			id:   Azure,
			faults: map[string][]fault{
				"CreateUser": {{commit: true, err: errLost}},
				// Plan's lookup, then the lookup after the lost answer misses it (index lag).
				"FindUser": {{err: ErrNotFound}, {err: ErrNotFound}},
			},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err != nil {
					t.Fatal(err)
				}
				if n := f.count("CreateUser"); n != 2 {
					t.Errorf("create sent %d times, want 2 (the second meets a 409)", n)
				}
				if len(f.users) != 1 {
					t.Errorf("%d users", len(f.users))
				}
				for _, r := range res.Resources {
					if r.Kind == KindUser && r.Action != "created" {
						t.Errorf("user = %+v", r)
					}
				}
			},
		},
		{
			name: "an uncertain create never committed gives up after a bound",
			id:   WSO2,
			faults: map[string][]fault{"CreateClientGrant": {
				{err: errLost}, {err: errLost}, {err: errLost}, {err: errLost}, {err: errLost}, {err: errLost}, {err: errLost}}},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("gave up after %d attempts", maxCreateAttempts)) {
					t.Fatalf("err = %v", err)
				}
				if n := f.count("CreateClientGrant"); n != maxCreateAttempts {
					t.Errorf("sent %d times", n)
				}
				if _, ok := findEvent(evs, "client_grant", EventFailed); !ok {
					t.Error("no failed event")
				}
				if _, ok := findEvent(evs, "token", EventStarted); ok {
					t.Error("token attempted after a failure")
				}
			},
		},
		{
			name:   "a refused write fails with the tenant's reason; dependents are not attempted",
			id:     Azure,
			faults: map[string][]fault{"CreateConnection": {{err: errBadReq}}},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err == nil || !strings.Contains(err.Error(), "400 Bad Request") {
					t.Fatalf("err = %v", err)
				}
				if n := f.count("CreateConnection"); n != 1 {
					t.Errorf("a refused create was sent %d times", n)
				}
				ev, ok := findEvent(evs, "connection", EventFailed)
				if !ok || !strings.Contains(ev.Message, "String is too long") {
					t.Errorf("failed event = %+v", ev)
				}
				for _, dep := range []string{"user", "connection_client"} {
					if ev, ok := findEvent(evs, dep, EventFailed); !ok || !strings.Contains(ev.Message, "not attempted") {
						t.Errorf("%s: %+v", dep, ev)
					}
					if _, ok := findEvent(evs, dep, EventStarted); ok {
						t.Errorf("%s started", dep)
					}
				}
				// What did complete is in the result (and journal).
				if len(res.Resources) != 3 {
					t.Errorf("resources = %+v", res.Resources)
				}
			},
		},
		{
			name:   "a client retry notice becomes a waiting event of that action",
			id:     WSO2,
			faults: map[string][]fault{"ClientCredentialsToken": {{}}},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err != nil {
					t.Fatal(err)
				}
				if ev, ok := findEvent(evs, "token", EventWaiting); !ok || ev.Message != "429 Too Many Requests" {
					t.Errorf("waiting event = %+v, %v", ev, ok)
				}
			},
		},
		{
			name:   "a lookup after an uncertain create that itself fails is reported",
			id:     WSO2,
			faults: map[string][]fault{"CreateClient": {{commit: true, err: errLost}}},
			before: func(f *fakeClient) {
				f.inject("FindClient", fault{err: ErrNotFound}, fault{err: errors.New("403 insufficient_scope")})
			},
			check: func(t *testing.T, f *fakeClient, res Result, err error, evs []Event) {
				if err == nil || !strings.Contains(err.Error(), "looking it up") {
					t.Fatalf("err = %v", err)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake()
			if tc.before != nil {
				tc.before(f)
			}
			for m, fs := range tc.faults {
				f.inject(m, fs...)
			}
			p, _ := PlaybookByID(tc.id)
			s := validSettings(tc.id)
			j, err := OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
			if err != nil {
				t.Fatal(err)
			}
			e := NewEngine(f)
			e.backoff = 0
			ctx := context.Background()
			var res Result
			var aerr error
			evs := collect(t, func(ch chan<- Event) {
				plan, err := e.Plan(ctx, p, s, j)
				if err != nil {
					t.Fatal(err)
				}
				res, aerr = e.Apply(ctx, p, s, plan, j, ch)
			})
			tc.check(t, f, res, aerr, evs)
		})
	}
}
