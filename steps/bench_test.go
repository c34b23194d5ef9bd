package steps_test

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/auth0-wizard/auth0-wizard/auth0client"
	"github.com/auth0-wizard/auth0-wizard/sandbox"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// benchLatency is what the sandbox adds to every response in the benchmark.
const benchLatency = 100 * time.Millisecond

// BenchmarkApply runs what `apply` runs (check, plan, apply with the token
// check) on a fresh tenant of a sandbox that adds 100 ms to every response,
// and reports the wall time next to the floor: the HTTP round trips on the
// longest path of the run's dependency graph times 100 ms.
//
// The round trips are counted, not guessed: a calibration run with the same
// playbook on a fresh tenant of a sandbox with the same latency makes every
// Client call alone, and takes as its round trips the requests on its own
// longest path (its time over the latency, rounded: a call that fetches the
// JWKS alongside discovery makes 2 requests in 1 round trip); the requests
// themselves are counted in auth0client's trace and reported too (lookups,
// the management token, the test token and the JWKS fetch included). The
// graph is the engine's:
// discovery ∥ management token; the lookups at once; resource server ∥
// client (∥ connection); grant after both, connection-client after client
// and connection, user after connection; then the token check(s).
func BenchmarkApply(b *testing.B) {
	for _, id := range []steps.PlaybookID{steps.WSO2, steps.Azure} {
		b.Run(string(id), func(b *testing.B) {
			costs, requests := calibrate(b, id)
			floorTrips := floor(id, costs)
			sb, err := sandbox.New(sandbox.Options{Seed: 1, Latency: benchLatency})
			if err != nil {
				b.Fatal(err)
			}
			defer sb.Close()
			var wall time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				c := newClient(b, sb, sb.ClientID, sb.ClientSecret)
				s := settings(sb, id)
				j, _ := steps.OpenJournal("", false)
				b.StartTimer()
				start := time.Now()
				_, res, _, err := applyOnce(context.Background(), b, c, id, s, j)
				took := time.Since(start)
				b.StopTimer()
				if err != nil || !res.Token.Verified {
					b.Fatalf("apply: %v (token %+v)", err, res.Token)
				}
				wall += took
				if err := steps.NewEngine(c).Teardown(context.Background(), j, nil); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			perOp := wall / time.Duration(b.N)
			floorTime := time.Duration(floorTrips) * benchLatency
			b.ReportMetric(float64(perOp.Milliseconds()), "wall-ms")
			b.ReportMetric(float64(floorTime.Milliseconds()), "floor-ms")
			b.ReportMetric(float64(floorTrips), "floor-round-trips")
			b.ReportMetric(float64(perOp)/float64(floorTime), "x-floor")
			b.Logf("%s: wall %v, floor %v (%d round trips × %v on the longest path; round trips per call %v, HTTP requests per call %v), %.2f× the floor",
				id, perOp.Round(time.Millisecond), floorTime, floorTrips, benchLatency, costs, requests, float64(perOp)/float64(floorTime))
		})
	}
}

// floor is the number of round trips on the longest path of the engine's
// dependency graph for a fresh tenant, given each call's round trips.
func floor(id steps.PlaybookID, cost map[string]int) int {
	max := func(names ...string) int {
		m := 0
		for _, n := range names {
			m = maxInt(m, cost[n])
		}
		return m
	}
	check := max("Discover", "GrantedScopes")
	// On a fresh tenant nothing is found, so the plan's second round (what
	// needs a found application's id) does not happen.
	plan := max("FindResourceServer", "FindClient", "FindConnection", "FindUser")
	// A create of an API, an application or a grant runs under the
	// tenant-wide lock (steps/ownership.go): the lock taken (an API made),
	// the resource looked up again, made, then the lock released.
	lock, unlock := cost["CreateResourceServer"], cost["DeleteResourceServer"]
	rs := lock + cost["FindResourceServer"] + cost["CreateResourceServer"] + unlock
	client := lock + cost["FindClient"] + cost["CreateClient"] + unlock // a create answers with the secret
	grant := maxInt(rs, client) + lock + cost["FindClientGrant"] + cost["CreateClientGrant"] + unlock
	apply := grant
	if id == steps.Azure {
		conn := cost["CreateConnection"]
		connClient := maxInt(conn, client) + cost["SetConnectionClient"]
		user := conn + cost["CreateUser"]
		apply = maxInt(grant, maxInt(connClient, user))
	}
	token := max("ClientCredentialsToken", "PasswordRealmToken")
	if id == steps.Azure {
		// Under the lock on the application's test login: its grant types
		// read again, the password-realm grant allowed, the login, the
		// grant taken back, the lock released.
		token = lock + cost["GetClient"] + maxInt(cost["ClientCredentialsToken"], 2*cost["UpdateClient"]+cost["PasswordRealmToken"]) + unlock
	}
	return check + plan + apply + token
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// requestCounter counts the exchanges auth0client's trace writes (each
// starts with "--> METHOD URL").
type requestCounter struct {
	mu sync.Mutex
	n  int
}

func (w *requestCounter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.n += bytes.Count(append([]byte("\n"), p...), []byte("\n--> "))
	return len(p), nil
}

func (w *requestCounter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// calibrate applies the playbook once on a fresh tenant of a sandbox with
// the benchmark's latency, every Client call made alone, and returns for each
// method the most round trips (time over latency, rounded) and the most HTTP
// requests (from the trace) any of its calls took.
func calibrate(b *testing.B, id steps.PlaybookID) (trips, requests map[string]int) {
	b.Helper()
	sb, err := sandbox.New(sandbox.Options{Seed: 1, Latency: benchLatency})
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	w := &requestCounter{}
	ac, err := auth0client.New(auth0client.Config{Domain: sb.Domain, ClientID: sb.ClientID, ClientSecret: sb.ClientSecret, CAPEM: sb.CAPEM, Trace: w})
	if err != nil {
		b.Fatal(err)
	}
	sc := &serialClient{c: ac, w: w, trips: map[string]int{}, requests: map[string]int{}}
	if _, res, _, err := applyOnce(context.Background(), b, sc, id, settings(sb, id), nil); err != nil || !res.Token.Verified {
		b.Fatalf("calibration apply: %v", err)
	}
	return sc.trips, sc.requests
}

// serialClient makes one call at a time and records the round trips and
// HTTP requests each took.
type serialClient struct {
	mu       sync.Mutex
	c        steps.Client
	w        *requestCounter
	trips    map[string]int
	requests map[string]int
}

func (s *serialClient) rec(name string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n0, t0 := s.w.count(), time.Now()
	fn()
	took := time.Since(t0)
	s.trips[name] = maxInt(s.trips[name], int((took+benchLatency/2)/benchLatency))
	s.requests[name] = maxInt(s.requests[name], s.w.count()-n0)
}

func (s *serialClient) Discover(ctx context.Context) (e steps.Endpoints, err error) {
	s.rec("Discover", func() { e, err = s.c.Discover(ctx) })
	return
}
func (s *serialClient) GrantedScopes(ctx context.Context) (g []string, err error) {
	s.rec("GrantedScopes", func() { g, err = s.c.GrantedScopes(ctx) })
	return
}
func (s *serialClient) FindResourceServer(ctx context.Context, identifier string) (r steps.ResourceServer, err error) {
	s.rec("FindResourceServer", func() { r, err = s.c.FindResourceServer(ctx, identifier) })
	return
}
func (s *serialClient) GetResourceServer(ctx context.Context, idOrIdentifier string) (r steps.ResourceServer, err error) {
	s.rec("GetResourceServer", func() { r, err = s.c.GetResourceServer(ctx, idOrIdentifier) })
	return
}
func (s *serialClient) CreateResourceServer(ctx context.Context, rs steps.ResourceServer) (r steps.ResourceServer, err error) {
	s.rec("CreateResourceServer", func() { r, err = s.c.CreateResourceServer(ctx, rs) })
	return
}
func (s *serialClient) UpdateResourceServer(ctx context.Context, id string, rs steps.ResourceServer) (r steps.ResourceServer, err error) {
	s.rec("UpdateResourceServer", func() { r, err = s.c.UpdateResourceServer(ctx, id, rs) })
	return
}
func (s *serialClient) DeleteResourceServer(ctx context.Context, id string) (err error) {
	s.rec("DeleteResourceServer", func() { err = s.c.DeleteResourceServer(ctx, id) })
	return
}
func (s *serialClient) FindClient(ctx context.Context, name string) (a steps.App, err error) {
	s.rec("FindClient", func() { a, err = s.c.FindClient(ctx, name) })
	return
}
func (s *serialClient) FindClients(ctx context.Context, name string) (a []steps.App, err error) {
	s.rec("FindClients", func() { a, err = s.c.FindClients(ctx, name) })
	return
}
func (s *serialClient) VerifyToken(ctx context.Context, token, audience, clientID string) (t steps.TokenCheck, err error) {
	s.rec("VerifyToken", func() { t, err = s.c.VerifyToken(ctx, token, audience, clientID) })
	return
}
func (s *serialClient) FindClientsBySuffix(ctx context.Context, suffixes ...string) (a []steps.App, err error) {
	s.rec("FindClientsBySuffix", func() { a, err = s.c.FindClientsBySuffix(ctx, suffixes...) })
	return
}
func (s *serialClient) GetClient(ctx context.Context, clientID string) (a steps.App, err error) {
	s.rec("GetClient", func() { a, err = s.c.GetClient(ctx, clientID) })
	return
}
func (s *serialClient) CreateClient(ctx context.Context, app steps.App) (a steps.App, err error) {
	s.rec("CreateClient", func() { a, err = s.c.CreateClient(ctx, app) })
	return
}
func (s *serialClient) UpdateClient(ctx context.Context, clientID string, app steps.App) (a steps.App, err error) {
	s.rec("UpdateClient", func() { a, err = s.c.UpdateClient(ctx, clientID, app) })
	return
}
func (s *serialClient) DeleteClient(ctx context.Context, clientID string) (err error) {
	s.rec("DeleteClient", func() { err = s.c.DeleteClient(ctx, clientID) })
	return
}
func (s *serialClient) FindClientGrant(ctx context.Context, clientID, audience string) (g steps.ClientGrant, err error) {
	s.rec("FindClientGrant", func() { g, err = s.c.FindClientGrant(ctx, clientID, audience) })
	return
}
func (s *serialClient) CreateClientGrant(ctx context.Context, cg steps.ClientGrant) (g steps.ClientGrant, err error) {
	s.rec("CreateClientGrant", func() { g, err = s.c.CreateClientGrant(ctx, cg) })
	return
}
func (s *serialClient) UpdateClientGrant(ctx context.Context, id string, scopes []string) (g steps.ClientGrant, err error) {
	s.rec("UpdateClientGrant", func() { g, err = s.c.UpdateClientGrant(ctx, id, scopes) })
	return
}
func (s *serialClient) DeleteClientGrant(ctx context.Context, id string) (err error) {
	s.rec("DeleteClientGrant", func() { err = s.c.DeleteClientGrant(ctx, id) })
	return
}
func (s *serialClient) FindConnection(ctx context.Context, name string) (c steps.Connection, err error) {
	s.rec("FindConnection", func() { c, err = s.c.FindConnection(ctx, name) })
	return
}
func (s *serialClient) CreateConnection(ctx context.Context, conn steps.Connection) (c steps.Connection, err error) {
	s.rec("CreateConnection", func() { c, err = s.c.CreateConnection(ctx, conn) })
	return
}
func (s *serialClient) DeleteConnection(ctx context.Context, id string) (err error) {
	s.rec("DeleteConnection", func() { err = s.c.DeleteConnection(ctx, id) })
	return
}
func (s *serialClient) ConnectionEnabledFor(ctx context.Context, connectionID, clientID string) (ok bool, err error) {
	s.rec("ConnectionEnabledFor", func() { ok, err = s.c.ConnectionEnabledFor(ctx, connectionID, clientID) })
	return
}
func (s *serialClient) SetConnectionClient(ctx context.Context, connectionID, clientID string, enabled bool) (err error) {
	s.rec("SetConnectionClient", func() { err = s.c.SetConnectionClient(ctx, connectionID, clientID, enabled) })
	return
}
func (s *serialClient) FindUser(ctx context.Context, connection, email string) (u steps.User, err error) {
	s.rec("FindUser", func() { u, err = s.c.FindUser(ctx, connection, email) })
	return
}
func (s *serialClient) CreateUser(ctx context.Context, user steps.User) (u steps.User, err error) {
	s.rec("CreateUser", func() { u, err = s.c.CreateUser(ctx, user) })
	return
}
func (s *serialClient) DeleteUser(ctx context.Context, id string) (err error) {
	s.rec("DeleteUser", func() { err = s.c.DeleteUser(ctx, id) })
	return
}
func (s *serialClient) ClientCredentialsToken(ctx context.Context, clientID, clientSecret, audience string) (t steps.TokenCheck, err error) {
	s.rec("ClientCredentialsToken", func() { t, err = s.c.ClientCredentialsToken(ctx, clientID, clientSecret, audience) })
	return
}
func (s *serialClient) PasswordRealmToken(ctx context.Context, clientID, clientSecret, realm, username, password, audience string) (t steps.TokenCheck, err error) {
	s.rec("PasswordRealmToken", func() {
		t, err = s.c.PasswordRealmToken(ctx, clientID, clientSecret, realm, username, password, audience)
	})
	return
}

var _ steps.Client = (*serialClient)(nil)
