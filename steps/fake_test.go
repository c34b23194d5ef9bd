package steps

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// fakeClient is a hand-written in-memory steps.Client for the table of rare
// failure paths (TestRareFailurePaths: an uncertain create, a 409, a failing
// write); the flows themselves are proven against the sandbox over HTTP.
type fakeClient struct {
	mu      sync.Mutex
	n       int
	rs      map[string]ResourceServer // by id
	apps    map[string]App            // by client id
	grants  map[string]ClientGrant
	conns   map[string]Connection
	enabled map[string]bool // connID|clientID
	users   map[string]User
	scopes  []string
	calls   []string
	// faults: per method, the faults of its next calls, in order.
	faults map[string][]fault
}

// fault is what one call does wrong: commit (or not), then return err.
type fault struct {
	commit bool
	err    error
}

func newFake() *fakeClient {
	p, _ := PlaybookByID(Azure)
	return &fakeClient{rs: map[string]ResourceServer{}, apps: map[string]App{}, grants: map[string]ClientGrant{},
		conns: map[string]Connection{}, enabled: map[string]bool{}, users: map[string]User{},
		scopes: slices.Clone(p.RequiredScopes), faults: map[string][]fault{}}
}

func (f *fakeClient) inject(method string, fs ...fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults[method] = append(f.faults[method], fs...)
}

// call records the call and returns its fault, if any.
func (f *fakeClient) call(method string) (fault, bool) {
	f.mu.Lock()
	f.calls = append(f.calls, method)
	var ft fault
	ok := false
	if q := f.faults[method]; len(q) > 0 {
		ft, ok = q[0], true
		f.faults[method] = q[1:]
	}
	f.mu.Unlock()
	return ft, ok
}

func (f *fakeClient) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == method {
			n++
		}
	}
	return n
}

func (f *fakeClient) id(prefix string) string {
	f.n++
	return fmt.Sprintf("%s%04d", prefix, f.n)
}

// write runs a write under a possible fault: commit runs unless the fault
// says the change is not committed.
func (f *fakeClient) write(method string, commit func() error) error {
	ft, ok := f.call(method)
	if ok && !ft.commit {
		return ft.err
	}
	f.mu.Lock()
	err := commit()
	f.mu.Unlock()
	if err != nil {
		return err
	}
	if ok {
		return ft.err
	}
	return nil
}

func (f *fakeClient) Discover(ctx context.Context) (Endpoints, error) {
	f.call("Discover")
	return Endpoints{Issuer: "https://fake.example/", TokenEndpoint: "https://fake.example/oauth/token",
		JWKSURI: "https://fake.example/.well-known/jwks.json", OpenIDConfiguration: "https://fake.example/.well-known/openid-configuration"}, nil
}

func (f *fakeClient) GrantedScopes(ctx context.Context) ([]string, error) {
	f.call("GrantedScopes")
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.scopes), nil
}

func (f *fakeClient) FindResourceServer(ctx context.Context, identifier string) (ResourceServer, error) {
	if ft, ok := f.call("FindResourceServer"); ok {
		return ResourceServer{}, ft.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rs {
		if r.Identifier == identifier {
			return r, nil
		}
	}
	return ResourceServer{}, ErrNotFound
}

func (f *fakeClient) CreateResourceServer(ctx context.Context, rs ResourceServer) (ResourceServer, error) {
	err := f.write("CreateResourceServer", func() error {
		for _, r := range f.rs {
			if r.Identifier == rs.Identifier {
				return fmt.Errorf("409: %w", ErrConflict)
			}
		}
		rs.ID = f.id("rs_")
		f.rs[rs.ID] = rs
		return nil
	})
	if err != nil {
		return ResourceServer{}, err
	}
	return rs, nil
}

func (f *fakeClient) UpdateResourceServer(ctx context.Context, id string, rs ResourceServer) (ResourceServer, error) {
	err := f.write("UpdateResourceServer", func() error {
		old, ok := f.rs[id]
		if !ok {
			return ErrNotFound
		}
		old.Scopes = rs.Scopes
		f.rs[id] = old
		rs = old
		return nil
	})
	return rs, err
}

func (f *fakeClient) DeleteResourceServer(ctx context.Context, id string) error {
	return f.write("DeleteResourceServer", func() error { delete(f.rs, id); return nil })
}

func (f *fakeClient) FindClient(ctx context.Context, name string) (App, error) {
	if ft, ok := f.call("FindClient"); ok {
		return App{}, ft.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, a := range f.apps {
		if a.Name == name {
			a.ClientSecret = ""
			return a, nil
		}
	}
	return App{}, ErrNotFound
}

func (f *fakeClient) GetClient(ctx context.Context, clientID string) (App, error) {
	f.call("GetClient")
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.apps[clientID]
	if !ok {
		return App{}, ErrNotFound
	}
	return a, nil
}

func (f *fakeClient) CreateClient(ctx context.Context, app App) (App, error) {
	err := f.write("CreateClient", func() error {
		app.ClientID = f.id("client")
		app.ClientSecret = "secret-" + app.ClientID
		f.apps[app.ClientID] = app
		return nil
	})
	if err != nil {
		return App{}, err
	}
	return app, nil
}

func (f *fakeClient) UpdateClient(ctx context.Context, clientID string, app App) (App, error) {
	err := f.write("UpdateClient", func() error {
		old, ok := f.apps[clientID]
		if !ok {
			return ErrNotFound
		}
		old.GrantTypes, old.Callbacks, old.AppType, old.TokenEndpointAuthMethod = app.GrantTypes, app.Callbacks, app.AppType, app.TokenEndpointAuthMethod
		f.apps[clientID] = old
		app = old
		return nil
	})
	return app, err
}

func (f *fakeClient) DeleteClient(ctx context.Context, clientID string) error {
	return f.write("DeleteClient", func() error { delete(f.apps, clientID); return nil })
}

func (f *fakeClient) FindClientGrant(ctx context.Context, clientID, audience string) (ClientGrant, error) {
	f.call("FindClientGrant")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.grants {
		if g.ClientID == clientID && g.Audience == audience {
			return g, nil
		}
	}
	return ClientGrant{}, ErrNotFound
}

func (f *fakeClient) CreateClientGrant(ctx context.Context, g ClientGrant) (ClientGrant, error) {
	err := f.write("CreateClientGrant", func() error {
		for _, x := range f.grants {
			if x.ClientID == g.ClientID && x.Audience == g.Audience {
				return fmt.Errorf("409: %w", ErrConflict)
			}
		}
		g.ID = f.id("cgr_")
		f.grants[g.ID] = g
		return nil
	})
	if err != nil {
		return ClientGrant{}, err
	}
	return g, nil
}

func (f *fakeClient) UpdateClientGrant(ctx context.Context, id string, scopes []string) (ClientGrant, error) {
	var g ClientGrant
	err := f.write("UpdateClientGrant", func() error {
		var ok bool
		if g, ok = f.grants[id]; !ok {
			return ErrNotFound
		}
		g.Scope = scopes
		f.grants[id] = g
		return nil
	})
	return g, err
}

func (f *fakeClient) DeleteClientGrant(ctx context.Context, id string) error {
	return f.write("DeleteClientGrant", func() error { delete(f.grants, id); return nil })
}

func (f *fakeClient) FindConnection(ctx context.Context, name string) (Connection, error) {
	f.call("FindConnection")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		if c.Name == name {
			return c, nil
		}
	}
	return Connection{}, ErrNotFound
}

func (f *fakeClient) CreateConnection(ctx context.Context, c Connection) (Connection, error) {
	err := f.write("CreateConnection", func() error {
		for _, x := range f.conns {
			if x.Name == c.Name {
				return fmt.Errorf("409: %w", ErrConflict)
			}
		}
		c.ID = f.id("con_")
		f.conns[c.ID] = c
		return nil
	})
	if err != nil {
		return Connection{}, err
	}
	return c, nil
}

func (f *fakeClient) DeleteConnection(ctx context.Context, id string) error {
	return f.write("DeleteConnection", func() error { delete(f.conns, id); return nil })
}

func (f *fakeClient) ConnectionEnabledFor(ctx context.Context, connectionID, clientID string) (bool, error) {
	f.call("ConnectionEnabledFor")
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.enabled[connectionID+"|"+clientID], nil
}

func (f *fakeClient) SetConnectionClient(ctx context.Context, connectionID, clientID string, enabled bool) error {
	return f.write("SetConnectionClient", func() error {
		if _, ok := f.conns[connectionID]; !ok {
			return ErrNotFound
		}
		f.enabled[connectionID+"|"+clientID] = enabled
		return nil
	})
}

func (f *fakeClient) FindUser(ctx context.Context, connection, email string) (User, error) {
	if ft, ok := f.call("FindUser"); ok {
		return User{}, ft.err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, u := range f.users {
		if u.Email == email && u.Connection == connection {
			return u, nil
		}
	}
	return User{}, ErrNotFound
}

func (f *fakeClient) CreateUser(ctx context.Context, u User) (User, error) {
	err := f.write("CreateUser", func() error {
		for _, x := range f.users {
			if x.Email == u.Email && x.Connection == u.Connection {
				return fmt.Errorf("409 The user already exists.: %w", ErrConflict)
			}
		}
		u.ID = f.id("auth0|")
		u.Password = ""
		f.users[u.ID] = u
		return nil
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func (f *fakeClient) DeleteUser(ctx context.Context, id string) error {
	return f.write("DeleteUser", func() error { delete(f.users, id); return nil })
}

func (f *fakeClient) ClientCredentialsToken(ctx context.Context, clientID, clientSecret, audience string) (TokenCheck, error) {
	if ft, ok := f.call("ClientCredentialsToken"); ok {
		Notify(ctx, RetryNotice{Attempt: 1, Wait: time.Millisecond, RateLimited: true, Reason: "429 Too Many Requests"})
		if ft.err != nil {
			return TokenCheck{}, ft.err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.apps[clientID]
	if !ok || a.ClientSecret != clientSecret {
		return TokenCheck{}, fmt.Errorf("401 access_denied: Unauthorized")
	}
	return TokenCheck{Verified: true, Claims: map[string]any{"azp": clientID, "aud": audience}}, nil
}

func (f *fakeClient) PasswordRealmToken(ctx context.Context, clientID, clientSecret, realm, username, password, audience string) (TokenCheck, error) {
	f.call("PasswordRealmToken")
	return TokenCheck{Verified: true, Claims: map[string]any{"azp": clientID}}, nil
}

var _ Client = (*fakeClient)(nil)
