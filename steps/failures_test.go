package steps_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/internal/sandboxtest"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// maxCreateAttempts is the engine's bound on the sends of a create whose
// outcome was unknown and not committed (steps.maxCreateAttempts).
const maxCreateAttempts = 6

// traceBuffer collects auth0client's HTTP trace, so a test can count the
// requests the engine really sent (each attempt is traced).
type traceBuffer struct{ sandboxtest.Buffer }

// sent counts the traced requests with this method and path, leaving out
// those of the engine's locks (temporary APIs, see steps/ownership.go).
func (b *traceBuffer) sent(t *testing.T, method, path string) int {
	t.Helper()
	text := b.String()
	n := 0
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	counting := false // the request being read counts, unless it is a lock's
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "urn:auth0-wizard:lock:") && counting {
			n--
			counting = false
		}
		if !strings.HasPrefix(line, "--> ") {
			if strings.HasPrefix(line, "<-- ") {
				counting = false
			}
			continue
		}
		counting = false
		m, rest, ok := strings.Cut(strings.TrimPrefix(line, "--> "), " ")
		if !ok || m != method {
			continue
		}
		if u, err := url.Parse(rest); err == nil && u.Path == path {
			n++
			counting = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the trace: %v", err)
	}
	return n
}

// failureRun is what one scripted apply came to.
type failureRun struct {
	s      steps.Settings
	plan   steps.Plan
	res    steps.Result
	err    error
	evs    []steps.Event
	j      *steps.Journal
	trace  *traceBuffer
	after  []string // the tenant after apply
	reused string   // prepare's resource, made behind the plan's back
}

func (r *failureRun) sent(t *testing.T, method, path string) int {
	return r.trace.sent(t, method, path)
}

func (r *failureRun) resource(kind steps.ResourceKind) (steps.Resource, bool) {
	for _, x := range r.res.Resources {
		if x.Kind == kind {
			return x, true
		}
	}
	return steps.Resource{}, false
}

func (r *failureRun) journaled(kind steps.ResourceKind) string {
	for _, x := range r.j.Resources() {
		if x.Kind == kind {
			return x.Action
		}
	}
	return ""
}

// rsCreate picks the playbook's API create out of the creates on its path
// (the engine's locks are APIs too).
const rsCreate = `"identifier":"https://localhost:9443"`

// refusedName is the Auth0 answer to a create with a name it cannot take.
const refusedName = "Payload validation error: 'String is too long' on property name."

// TestRareFailurePaths drives the engine through the real auth0client over
// HTTP against a sandbox whose script makes the rare failures happen exactly
// where each case needs them: after Plan has read the tenant, the faults are
// scripted and Apply meets them. Every case then tears down with the journal
// and must leave the tenant as it was before Apply (a resource the run
// reused stays), which proves the journal right.
func TestRareFailurePaths(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		id   steps.PlaybookID
		// prepare changes the tenant behind the plan's back (after Plan,
		// before Apply); it returns the id of what it made.
		prepare func(ctx context.Context, t *testing.T, sb *sandbox.Server, s steps.Settings) string
		script  []sandbox.Fault
		check   func(t *testing.T, r *failureRun)
	}{
		{
			name:   "uncertain create that was committed (502) is found and taken as created",
			id:     steps.WSO2,
			script: []sandbox.Fault{{Pattern: "POST /api/v2/resource-servers", Contains: rsCreate, Kind: sandbox.FaultCommitted502}},
			check:  checkCommittedTakenAsCreated,
		},
		{
			name:   "uncertain create that was committed (dropped) is found and taken as created",
			id:     steps.WSO2,
			script: []sandbox.Fault{{Pattern: "POST /api/v2/resource-servers", Contains: rsCreate, Kind: sandbox.FaultCommittedDropped}},
			check:  checkCommittedTakenAsCreated,
		},
		{
			name:   "uncertain create that was not committed (503) is sent again",
			id:     steps.WSO2,
			script: []sandbox.Fault{{Pattern: "POST /api/v2/clients", Kind: sandbox.FaultUnavailable}},
			check:  checkNotCommittedSentAgain,
		},
		{
			name:   "uncertain create that was not committed (dropped) is sent again",
			id:     steps.WSO2,
			script: []sandbox.Fault{{Pattern: "POST /api/v2/clients", Kind: sandbox.FaultDropped}},
			check:  checkNotCommittedSentAgain,
		},
		{
			name: "409 on create is looked up and reused",
			id:   steps.WSO2,
			// Someone else makes the API between Plan and Apply: the
			// plan still says create; the look-up under the lock lags
			// the write (a stale read), so the create meets a real 409.
			script: []sandbox.Fault{{Pattern: "GET /api/v2/resource-servers", Kind: sandbox.FaultAnswer, Status: http.StatusOK,
				Body: `{"resource_servers":[],"start":0,"limit":100,"total":0}`}},
			prepare: func(ctx context.Context, t *testing.T, sb *sandbox.Server, s steps.Settings) string {
				other := newClient(t, sb, sb.ClientID, sb.ClientSecret)
				rs, err := other.CreateResourceServer(ctx, steps.ResourceServer{Name: "made by someone else", Identifier: s.APIIdentifier,
					Scopes: []steps.Scope{{Value: "default", Description: "theirs"}}})
				if err != nil {
					t.Fatal(err)
				}
				return rs.ID
			},
			check: func(t *testing.T, r *failureRun) {
				if r.err != nil {
					t.Fatal(r.err)
				}
				if v := verbs(r.plan)["resource_server"]; v != steps.Create {
					t.Fatalf("the plan says %s for the API: the race did not happen", v)
				}
				if n := r.sent(t, http.MethodPost, "/api/v2/resource-servers"); n != 1 {
					t.Errorf("create sent %d times, want 1 (it meets the 409)", n)
				}
				if x, _ := r.resource(steps.KindResourceServer); x.Action != "reused" || x.ID != r.reused {
					t.Errorf("resource = %+v, want %s reused", x, r.reused)
				}
				if ev, ok := find(r.evs, "resource_server", steps.EventDone); !ok || ev.Verb != steps.Reuse {
					t.Errorf("done event = %+v", ev)
				}
				if a := r.journaled(steps.KindResourceServer); a != "reused" {
					t.Errorf("journal says %q, want reused (teardown must leave it)", a)
				}
				if n := count(r.after, "resource_server", r.s.APIIdentifier); n != 1 {
					t.Errorf("%d APIs %s:\n%s", n, r.s.APIIdentifier, strings.Join(r.after, "\n"))
				}
			},
		},
		{
			name: "409 after an uncertain attempt is ours: created, not a conflict",
			id:   steps.Azure,
			script: []sandbox.Fault{
				{Pattern: "POST /api/v2/users", Kind: sandbox.FaultCommitted502},
				// The lookup after the lost answer misses the user (the
				// search lags the write): a stale read, 200 [].
				{Pattern: "GET /api/v2/users-by-email", Kind: sandbox.FaultAnswer, Status: http.StatusOK, Body: "[]"},
			},
			check: func(t *testing.T, r *failureRun) {
				if r.err != nil {
					t.Fatal(r.err)
				}
				if n := r.sent(t, http.MethodPost, "/api/v2/users"); n != 2 {
					t.Errorf("create sent %d times, want 2 (the second meets a 409)", n)
				}
				if n := r.sent(t, http.MethodGet, "/api/v2/users-by-email"); n != 2 {
					t.Errorf("%d lookups, want 2 (the stale one, then the one after the 409)", n)
				}
				if n := count(r.after, "user", r.s.UserEmail); n != 1 {
					t.Errorf("%d users %s:\n%s", n, r.s.UserEmail, strings.Join(r.after, "\n"))
				}
				if x, _ := r.resource(steps.KindUser); x.Action != "created" {
					t.Errorf("user = %+v, want created", x)
				}
				if a := r.journaled(steps.KindUser); a != "created" {
					t.Errorf("journal says %q for the user, want created", a)
				}
			},
		},
		{
			name: "an uncertain create never committed gives up after a bound",
			id:   steps.WSO2,
			// Dropped connections, not 503s: go-auth0 v3 sleeps a second
			// after any 5xx answer even with retries off, which would add
			// six seconds here; the 503 path is the case "(503) is sent again".
			script: []sandbox.Fault{{Pattern: "POST /api/v2/client-grants", Count: maxCreateAttempts, Kind: sandbox.FaultDropped}},
			check: func(t *testing.T, r *failureRun) {
				if r.err == nil || !strings.Contains(r.err.Error(), fmt.Sprintf("gave up after %d attempts", maxCreateAttempts)) {
					t.Fatalf("err = %v", r.err)
				}
				if n := r.sent(t, http.MethodPost, "/api/v2/client-grants"); n != maxCreateAttempts {
					t.Errorf("sent %d times, want %d", n, maxCreateAttempts)
				}
				if _, ok := find(r.evs, "client_grant", steps.EventFailed); !ok {
					t.Error("no failed event")
				}
				if _, ok := find(r.evs, "token", steps.EventStarted); ok {
					t.Error("token attempted after a failure")
				}
				if n := count(r.after, "client_grant", " "+r.s.APIIdentifier+" "); n != 0 {
					t.Errorf("%d grants made:\n%s", n, strings.Join(r.after, "\n"))
				}
			},
		},
		{
			name: "a refused write fails with the tenant's reason; dependents are not attempted",
			id:   steps.Azure,
			script: []sandbox.Fault{{Pattern: "POST /api/v2/connections", Kind: sandbox.FaultAnswer,
				Status: http.StatusBadRequest, Message: refusedName, ErrorCode: "invalid_body"}},
			check: func(t *testing.T, r *failureRun) {
				if r.err == nil || !strings.Contains(r.err.Error(), "HTTP 400 invalid_body") || !strings.Contains(r.err.Error(), refusedName) {
					t.Fatalf("err = %v", r.err)
				}
				if n := r.sent(t, http.MethodPost, "/api/v2/connections"); n != 1 {
					t.Errorf("a refused create was sent %d times", n)
				}
				ev, ok := find(r.evs, "connection", steps.EventFailed)
				if !ok || !strings.Contains(ev.Message, "String is too long") {
					t.Errorf("failed event = %+v", ev)
				}
				for _, dep := range []string{"user", "connection_client"} {
					if ev, ok := find(r.evs, dep, steps.EventFailed); !ok || !strings.Contains(ev.Message, "not attempted") {
						t.Errorf("%s: %+v", dep, ev)
					}
					if _, ok := find(r.evs, dep, steps.EventStarted); ok {
						t.Errorf("%s started", dep)
					}
				}
				// What did complete is in the result and the journal.
				if len(r.res.Resources) != 3 {
					t.Errorf("resources = %+v", r.res.Resources)
				}
				for _, k := range []steps.ResourceKind{steps.KindResourceServer, steps.KindClient, steps.KindClientGrant} {
					if a := r.journaled(k); a != "created" {
						t.Errorf("journal says %q for %s, want created", a, k)
					}
				}
				if n := count(r.after, "connection", r.s.ConnectionName); n != 0 {
					t.Errorf("the refused connection is in the tenant:\n%s", strings.Join(r.after, "\n"))
				}
			},
		},
		{
			name:   "a client retry notice becomes a waiting event of that action",
			id:     steps.WSO2,
			script: []sandbox.Fault{{Pattern: "POST /oauth/token", Kind: sandbox.FaultRateLimited}},
			check: func(t *testing.T, r *failureRun) {
				if r.err != nil {
					t.Fatal(r.err)
				}
				ev, ok := find(r.evs, "token", steps.EventWaiting)
				if !ok || !strings.Contains(ev.Message, "429") || ev.Attempt != 2 || ev.Wait < time.Second || ev.Wait > 2*time.Second {
					t.Errorf("waiting event = %+v, %v; want the 429's wait of a second or so, attempt 2", ev, ok)
				}
				if !r.res.Token.Verified {
					t.Errorf("token = %+v", r.res.Token)
				}
			},
		},
		{
			name: "a lookup after an uncertain create that itself fails is reported",
			id:   steps.WSO2,
			script: []sandbox.Fault{
				{Pattern: "POST /api/v2/clients", Kind: sandbox.FaultCommitted502},
				// The look-up under the lock asks clients/search; the list
				// read is the one after the lost answer.
				{Pattern: "GET /api/v2/clients", Kind: sandbox.FaultAnswer, Status: http.StatusForbidden,
					Message: "Insufficient scope, expected any of: read:clients, read:client_summary", ErrorCode: "insufficient_scope"},
			},
			check: func(t *testing.T, r *failureRun) {
				if r.err == nil || !strings.Contains(r.err.Error(), "looking it up") || !strings.Contains(r.err.Error(), "read:clients") {
					t.Fatalf("err = %v", r.err)
				}
				if n := r.sent(t, http.MethodPost, "/api/v2/clients"); n != 1 {
					t.Errorf("create sent %d times, want 1: an unknown outcome that could not be looked up is not sent again", n)
				}
				if ev, ok := find(r.evs, "client_grant", steps.EventFailed); !ok || !strings.Contains(ev.Message, "not attempted") {
					t.Errorf("client_grant: %+v", ev)
				}
				// The create was committed: the journal keeps it pending,
				// so teardown (below) finds and removes it.
				if a := r.journaled(steps.KindClient); a != "pending" {
					t.Errorf("journal says %q for the client, want pending", a)
				}
				if n := count(r.after, "client", r.s.AppName); n != 1 {
					t.Errorf("%d applications %s:\n%s", n, r.s.AppName, strings.Join(r.after, "\n"))
				}
			},
		},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			sc := &sandbox.Script{}
			sb, _ := startSandbox(t, sandbox.Options{Seed: int64(100 + i), Script: sc})
			c, trace := tracedClient(t, sb)
			adm := newAdmin(t, sb)
			s := settings(sb, tc.id)
			p, _ := steps.PlaybookByID(tc.id)
			j, err := steps.OpenJournal(filepath.Join(t.TempDir(), "j.json"), false)
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
			r := &failureRun{s: s, plan: plan, j: j, trace: trace}
			if tc.prepare != nil {
				r.reused = tc.prepare(ctx, t, sb, s)
			}
			before := adm.snapshot()
			sc.Add(tc.script...)
			trace.Reset() // count only what Apply sends

			ch := make(chan steps.Event, 1024)
			r.res, r.err = e.Apply(ctx, p, s, plan, j, ch)
			r.evs = drain(ch)
			if n := sc.Left(); n != 0 {
				t.Fatalf("%d scripted faults were never met: the case did not happen (err %v)", n, r.err)
			}
			r.after = adm.snapshot()
			tc.check(t, r)

			if err := e.Teardown(ctx, j, nil); err != nil {
				t.Fatalf("teardown: %v", err)
			}
			if got := adm.snapshot(); !slices.Equal(got, before) {
				t.Fatalf("teardown with the journal did not restore the tenant:\n%s\n---\n%s", strings.Join(before, "\n"), strings.Join(got, "\n"))
			}
		})
	}
}

func checkCommittedTakenAsCreated(t *testing.T, r *failureRun) {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := r.sent(t, http.MethodPost, "/api/v2/resource-servers"); n != 1 {
		t.Errorf("create sent %d times, want 1", n)
	}
	if n := count(r.after, "resource_server", r.s.APIIdentifier); n != 1 {
		t.Errorf("%d APIs %s:\n%s", n, r.s.APIIdentifier, strings.Join(r.after, "\n"))
	}
	for _, x := range r.res.Resources { // not a false conflict: all of it is ours
		if x.Action != "created" {
			t.Errorf("resource = %+v, want created", x)
		}
	}
	if a := r.journaled(steps.KindResourceServer); a != "created" {
		t.Errorf("journal says %q for the API, want created", a)
	}
}

func checkNotCommittedSentAgain(t *testing.T, r *failureRun) {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	if n := r.sent(t, http.MethodPost, "/api/v2/clients"); n != 2 {
		t.Errorf("create sent %d times, want 2", n)
	}
	if n := count(r.after, "client", r.s.AppName); n != 1 {
		t.Errorf("%d applications %s:\n%s", n, r.s.AppName, strings.Join(r.after, "\n"))
	}
	if ev, ok := find(r.evs, "client", steps.EventRetrying); !ok || ev.Attempt != 2 {
		t.Errorf("retrying event = %+v, %v", ev, ok)
	}
	if x, _ := r.resource(steps.KindClient); x.Action != "created" {
		t.Errorf("client = %+v, want created", x)
	}
	if r.res.ClientSecret == "" || !r.res.Token.Verified {
		t.Errorf("no secret or unverified token: %+v", r.res.Token)
	}
}
