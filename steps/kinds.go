package steps

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The ids of the playbooks' actions: the plan's Action.ID and the journal's
// action_id. Journals written by earlier versions use the same strings.
const (
	ActResourceServer   = "resource_server"
	ActClient           = "client"
	ActClientGrant      = "client_grant"
	ActConnection       = "connection"
	ActConnectionClient = "connection_client"
	ActUser             = "user"
)

// ActionSpec is one action of a playbook, as data: which kind of resource
// it makes or reuses, what it depends on, and what it wants the resource to
// be. The engine plans, applies, journals and tears it down by walking the
// kind's entry in the resource model; it knows nothing of the playbook.
type ActionSpec struct {
	ID        string
	Kind      ResourceKind
	DependsOn []string
	// Want is what the action wants in the tenant, from the settings.
	Want func(Settings) Desired
	// When, if set, says whether the action is part of a run with these
	// settings (the wso2 playbook's WSO2 side needs WSO2's credentials).
	When func(Settings) bool
	// Inputs names, for a lookup key the journal keeps, the input it comes
	// from: a run whose inputs name another resource than the one the
	// journal records as created is refused, naming that input.
	Inputs map[string]string
}

// Desired is what an action wants in the tenant. Name is how the review, the
// progress lines and the journal name it; of the rest, the field of the
// action's kind is used. What comes from another action (a grant's client
// ID, a connection's ID) is taken from the action it depends on.
type Desired struct {
	Name           string
	ResourceServer ResourceServer
	App            App // with Metadata, Callbacks and GrantTypes as wanted
	Grant          ClientGrant
	Connection     Connection
	User           User
	// WSO2 API Manager's side (wso2 playbook with its admin credentials).
	KeyManager WSO2KeyManager
	WSO2App    WSO2Application
	WSO2Keys   WSO2KeyRequest
}

// env is what a kind's functions work through: the Auth0 tenant and, for
// the kinds on a gateway's side, the gateway's client (nil when no
// gateway credentials were given).
type env struct {
	Client
	wso2 WSO2Client
}

// resource is a resource as found or made.
type resource struct {
	id    string
	rs    ResourceServer
	app   App
	grant ClientGrant
	conn  Connection
	user  User
	km    WSO2KeyManager
	wapp  WSO2Application
	keys  WSO2ApplicationKeys
}

// refs are the resources an action depends on, by kind.
type refs map[ResourceKind]resource

// kindDef is one kind of the resource model: how a resource of that kind is
// found, made, brought up to date, deleted and proven ours.
type kindDef struct {
	label string
	// scopes are the Management API scopes its find, create, update and
	// delete need.
	scopes []string
	// inResult: the resource is one of Result.Resources (the output
	// contract); connection_client is an action, not a resource.
	inResult bool
	// doneVerb is what making it is called (Create; Update for enabling a
	// connection for a client, which changes the connection).
	doneVerb Verb
	// needs are the kinds whose ids find needs: when one of them is still to
	// be made, the resource cannot exist yet and is not looked up. ready,
	// when set, decides instead (a grant needs a client, of one kind or
	// another, or none when its client is named).
	needs []ResourceKind
	ready func(d Desired, r refs) bool
	// complete fills what the action wants from what discovery read (the
	// key manager's endpoints); nil when the settings say it all.
	complete func(d *Desired, ep Endpoints, domain string, s Settings)
	// lookupKeys are what find needs, kept in the journal so that resume and
	// teardown can find the resource again.
	lookupKeys func(d Desired, r refs) map[string]string

	find func(ctx context.Context, c env, d Desired, r refs) (resource, error)
	// byID reads the resource by the id a journal recorded, when that is
	// cheaper than find (an application: find searches by name); nil: find.
	byID   func(ctx context.Context, c env, d Desired, id string) (resource, error)
	create func(ctx context.Context, c env, d Desired, r refs) (resource, error)
	// reuse completes a found resource for use (nil: as found).
	reuse func(ctx context.Context, c env, f resource) (resource, error)
	// changes lists what an update would change (nil: never updated).
	changes func(d Desired, f resource) []string
	update  func(ctx context.Context, c env, d Desired, f resource, r refs) (resource, error)
	// finish completes a resource just made or found after a conflict
	// (nil: as it is).
	finish func(ctx context.Context, c env, d Desired, f resource) (resource, error)
	// resolve finds the id of a resource from its journal lookup keys (a
	// create whose answer was lost).
	resolve func(ctx context.Context, c env, l map[string]string) (string, error)
	delete  func(ctx context.Context, c env, id string, l map[string]string) error
	// marked says whether a found resource carries this tool's marker (nil:
	// the kind has none); a found resource of such a kind without it is
	// someone else's and is neither reused nor duplicated.
	marked func(f resource) bool
	// foreign is the error for such a resource.
	foreign func(d Desired, f resource) error
	// mark puts the run's marker on what the run creates (nil: the kind
	// has no metadata); runOf reads the run marker of a found one.
	mark  func(d *Desired, run string)
	runOf func(f resource) string
	// findAll lists every resource under the key, for a kind whose key
	// Auth0 does not keep unique (nil: find is exact).
	findAll func(ctx context.Context, c env, d Desired, r refs) ([]resource, error)
	// same says what differs between what was sent and what was found, for
	// a kind without metadata ("" when every field sent matches).
	same func(d Desired, f resource) string
	// depsProve: for same to prove a resource this run's, everything it
	// depends on must be this run's too (a grant between an application and
	// an API that this run made); else what matches is reused, not adopted.
	depsProve bool
	// owner reads who made the resource with that id (its lookup keys l
	// name it too): whether it carries the tool's marker, and which run's
	// (nil: the kind has no metadata, and the id recorded when the create
	// was proven ours is the proof). Teardown checks it before each delete.
	owner func(ctx context.Context, c env, id string, l map[string]string) (marked bool, run string, err error)
	// lockKey is the key its creates are serialised on across runs (nil:
	// Auth0 keeps the key unique and the marker proves who made it).
	lockKey func(d Desired, r refs) string
	// precheck says, before any change, why creating the resource would
	// fail against what its dependencies are (a password the found
	// connection's policy refuses); nil: nothing to check.
	precheck func(d Desired, r refs) error
	// describe says what a found resource really is, for the review, and
	// how it differs from what was asked (warnings).
	describe func(d Desired, f resource) (found string, warnings []string)
	// unfit says why a found resource cannot serve as the one wanted (a
	// social connection where a database is wanted); nil when it can. Plan
	// refuses before any change.
	unfit func(d Desired, f resource) error
}

// kinds is the resource model, in the order resources are made; teardown
// walks it backwards.
var kindOrder = []ResourceKind{KindResourceServer, KindWSO2KeyManager, KindClient, KindWSO2Application, KindClientGrant,
	KindConnection, KindConnectionClient, KindUser}

func kindOf(k ResourceKind) (kindDef, error) {
	d, ok := kinds[k]
	if !ok {
		return kindDef{}, fmt.Errorf("unknown resource kind %q", k)
	}
	return d, nil
}

// kinds is the resource model. It is filled once, by init (the WSO2 kinds
// reach the playbooks through the key manager's export, which a variable's
// initialiser could not refer back to), and never changed after.
var kinds map[ResourceKind]kindDef

func init() {
	kinds = authKinds
	kinds[KindWSO2KeyManager] = wso2KeyManagerKind
	kinds[KindWSO2Application] = wso2ApplicationKind
}

var authKinds = map[ResourceKind]kindDef{
	KindResourceServer: {
		label: "API", inResult: true, doneVerb: Create, scopes: scopesResourceServers,
		lookupKeys: func(d Desired, _ refs) map[string]string {
			return map[string]string{"identifier": d.ResourceServer.Identifier}
		},
		find: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			rs, err := c.FindResourceServer(ctx, d.ResourceServer.Identifier)
			return resource{id: rs.ID, rs: rs}, err
		},
		create: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			rs, err := c.CreateResourceServer(ctx, d.ResourceServer)
			return resource{id: rs.ID, rs: rs}, err
		},
		changes: func(d Desired, f resource) []string {
			var ch []string
			for _, want := range d.ResourceServer.Scopes {
				if !slices.ContainsFunc(f.rs.Scopes, func(s Scope) bool { return s.Value == want.Value }) {
					ch = append(ch, "add scope "+want.Value)
				}
			}
			return ch
		},
		update: func(ctx context.Context, c env, d Desired, f resource, _ refs) (resource, error) {
			scopes := slices.Clone(f.rs.Scopes)
			for _, want := range d.ResourceServer.Scopes {
				if !slices.ContainsFunc(scopes, func(x Scope) bool { return x.Value == want.Value }) {
					scopes = append(scopes, want)
				}
			}
			rs, err := c.UpdateResourceServer(ctx, f.id, ResourceServer{Name: f.rs.Name, Scopes: scopes})
			if err != nil {
				return resource{}, err
			}
			if rs.SigningAlg == "" {
				rs.SigningAlg, rs.SigningSecret = f.rs.SigningAlg, f.rs.SigningSecret
			}
			return resource{id: orID(rs.ID, f.id), rs: rs}, nil
		},
		lockKey: func(d Desired, _ refs) string { return d.ResourceServer.Identifier },
		describe: func(d Desired, f resource) (string, []string) {
			got, want := f.rs, d.ResourceServer
			alg := orDefault(got.SigningAlg, "RS256")
			var warns []string
			if want.Name != "" && got.Name != want.Name {
				warns = append(warns, fmt.Sprintf("the API is named %q, not %q as asked: it is reused as it is", Printable(got.Name), Printable(want.Name)))
			}
			if w := orDefault(want.SigningAlg, "RS256"); alg != w {
				warns = append(warns, fmt.Sprintf("it signs with %s, not %s as asked: it is reused as it is", alg, w))
			}
			if alg == "HS256" {
				warns = append(warns, "HS256 tokens are signed with the API's secret: a gateway cannot check them against the tenant's JWKS")
			}
			return fmt.Sprintf("API %q, signs with %s", Printable(got.Name), alg), warns
		},
		same: func(d Desired, f resource) string {
			want, got := d.ResourceServer, f.rs
			switch {
			case got.Name != want.Name:
				return "its name " + strconv.Quote(got.Name)
			case want.SigningAlg != "" && got.SigningAlg != "" && got.SigningAlg != want.SigningAlg:
				return "its signing algorithm " + got.SigningAlg
			}
			for _, sc := range want.Scopes {
				if !slices.ContainsFunc(got.Scopes, func(x Scope) bool { return x.Value == sc.Value }) {
					return "its scopes (no " + sc.Value + ")"
				}
			}
			if len(got.Scopes) != len(want.Scopes) {
				return "its scopes"
			}
			return ""
		},
		resolve: func(ctx context.Context, c env, l map[string]string) (string, error) {
			rs, err := c.FindResourceServer(ctx, l["identifier"])
			return rs.ID, err
		},
		delete: func(ctx context.Context, c env, id string, _ map[string]string) error {
			return c.DeleteResourceServer(ctx, id)
		},
	},
	KindClient: {
		label: "application", inResult: true, doneVerb: Create, scopes: scopesClients,
		lookupKeys: func(d Desired, _ refs) map[string]string { return map[string]string{"name": d.App.Name} },
		find: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			app, err := c.FindClient(ctx, d.App.Name)
			return resource{id: app.ClientID, app: app}, err
		},
		create: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			app, err := c.CreateClient(ctx, d.App)
			return resource{id: app.ClientID, app: app}, err
		},
		reuse: func(ctx context.Context, c env, f resource) (resource, error) {
			if f.app.ClientSecret != "" {
				return f, nil // the look-up read it by id already
			}
			app, err := c.GetClient(ctx, f.id)
			return resource{id: app.ClientID, app: app}, err
		},
		byID: func(ctx context.Context, c env, d Desired, id string) (resource, error) {
			app, err := c.GetClient(ctx, id)
			if err == nil && app.Name != d.App.Name {
				err = ErrNotFound // renamed since: look it up by name
			}
			return resource{id: app.ClientID, app: app}, err
		},
		changes: appChanges,
		update: func(ctx context.Context, c env, d Desired, f resource, _ refs) (resource, error) {
			want := d.App
			app, err := c.UpdateClient(ctx, f.id, App{Name: want.Name, AppType: want.AppType, TokenEndpointAuthMethod: want.TokenEndpointAuthMethod,
				GrantTypes: union(f.app.GrantTypes, want.GrantTypes), Callbacks: union(f.app.Callbacks, want.Callbacks)})
			if err != nil {
				return resource{}, err
			}
			if app.ClientSecret == "" {
				if app, err = c.GetClient(ctx, f.id); err != nil {
					return resource{}, err
				}
			}
			return resource{id: orID(app.ClientID, f.id), app: app}, nil
		},
		finish: func(ctx context.Context, c env, _ Desired, f resource) (resource, error) {
			if f.app.ClientSecret != "" {
				return f, nil
			}
			app, err := c.GetClient(ctx, f.id)
			return resource{id: app.ClientID, app: app}, err
		},
		resolve: func(ctx context.Context, c env, l map[string]string) (string, error) {
			apps, err := c.FindClients(ctx, l["name"])
			if err != nil {
				return "", err
			}
			for _, a := range apps {
				if a.Marked() && (l[RunKey] == "" || a.Metadata[RunKey] == l[RunKey]) {
					return a.ClientID, nil
				}
			}
			return "", ErrNotFound
		},
		owner: func(ctx context.Context, c env, id string, _ map[string]string) (bool, string, error) {
			app, err := c.GetClient(ctx, id)
			return app.Marked(), app.Metadata[RunKey], err
		},
		delete: func(ctx context.Context, c env, id string, _ map[string]string) error {
			return c.DeleteClient(ctx, id)
		},
		marked: func(f resource) bool { return f.app.Marked() },
		mark:   func(d *Desired, run string) { d.App.Metadata = runMarker(run, d.App.Metadata) },
		runOf:  func(f resource) string { return f.app.Metadata[RunKey] },
		findAll: func(ctx context.Context, c env, d Desired, _ refs) ([]resource, error) {
			apps, err := c.FindClients(ctx, d.App.Name)
			out := make([]resource, 0, len(apps))
			for _, a := range apps {
				out = append(out, resource{id: a.ClientID, app: a})
			}
			return out, err
		},
		lockKey: func(d Desired, _ refs) string { return d.App.Name },
		foreign: func(d Desired, f resource) error {
			return &UnmarkedClientError{Name: d.App.Name, ClientID: f.app.ClientID}
		},
	},
	KindClientGrant: {
		label: "client grant", inResult: true, doneVerb: Create, scopes: scopesClientGrants,
		ready: func(d Desired, r refs) bool { return grantClientID(d, r) != "" },
		lookupKeys: func(d Desired, r refs) map[string]string {
			return map[string]string{"client_id": grantClientID(d, r), "audience": d.Grant.Audience}
		},
		find: func(ctx context.Context, c env, d Desired, r refs) (resource, error) {
			g, err := c.FindClientGrant(ctx, grantClientID(d, r), d.Grant.Audience)
			return resource{id: g.ID, grant: g}, err
		},
		create: func(ctx context.Context, c env, d Desired, r refs) (resource, error) {
			g, err := c.CreateClientGrant(ctx, ClientGrant{ClientID: grantClientID(d, r), Audience: d.Grant.Audience, Scope: nonNil(d.Grant.Scope)})
			return resource{id: g.ID, grant: g}, err
		},
		changes: func(d Desired, f resource) []string {
			if m := missingStrings(d.Grant.Scope, f.grant.Scope); len(m) > 0 {
				return []string{"add scope " + strings.Join(m, ", ")}
			}
			return nil
		},
		update: func(ctx context.Context, c env, d Desired, f resource, _ refs) (resource, error) {
			g, err := c.UpdateClientGrant(ctx, f.id, union(f.grant.Scope, d.Grant.Scope))
			return resource{id: orID(g.ID, f.id), grant: g}, err
		},
		lockKey:   func(d Desired, r refs) string { return grantClientID(d, r) + "\x00" + d.Grant.Audience },
		depsProve: true,
		same: func(d Desired, f resource) string {
			if m := missingStrings(d.Grant.Scope, f.grant.Scope); len(m) > 0 || len(f.grant.Scope) != len(d.Grant.Scope) {
				return "its scopes " + strconv.Quote(strings.Join(f.grant.Scope, " "))
			}
			return ""
		},
		resolve: func(ctx context.Context, c env, l map[string]string) (string, error) {
			g, err := c.FindClientGrant(ctx, l["client_id"], l["audience"])
			return g.ID, err
		},
		delete: func(ctx context.Context, c env, id string, _ map[string]string) error {
			return c.DeleteClientGrant(ctx, id)
		},
	},
	KindConnection: {
		label: "connection", inResult: true, doneVerb: Create, scopes: scopesConnections,
		lookupKeys: func(d Desired, _ refs) map[string]string { return map[string]string{"name": d.Connection.Name} },
		find: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			conn, err := c.FindConnection(ctx, d.Connection.Name)
			return resource{id: conn.ID, conn: conn}, err
		},
		create: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			conn, err := c.CreateConnection(ctx, d.Connection)
			return resource{id: conn.ID, conn: conn}, err
		},
		mark: func(d *Desired, run string) { d.Connection.Metadata = runMarker(run, d.Connection.Metadata) },
		describe: func(_ Desired, f resource) (string, []string) {
			return fmt.Sprintf("%s connection, password policy %s", Printable(f.conn.Strategy), f.conn.Policy), nil
		},
		runOf: func(f resource) string { return f.conn.Metadata[RunKey] },
		unfit: func(d Desired, f resource) error {
			want, got := d.Connection.Strategy, f.conn.Strategy
			if want == "" || got == "" || want == got {
				return nil
			}
			return &UnfitConnectionError{Name: f.conn.Name, ID: f.id, Strategy: got, Want: want}
		},
		resolve: func(ctx context.Context, c env, l map[string]string) (string, error) {
			conn, err := c.FindConnection(ctx, l["name"])
			return conn.ID, err
		},
		owner: func(ctx context.Context, c env, id string, l map[string]string) (bool, string, error) {
			conn, err := c.FindConnection(ctx, l["name"])
			if err == nil && conn.ID != id {
				err = ErrNotFound // gone, and another made under its name
			}
			return conn.Metadata[MarkerKey] == MarkerValue, conn.Metadata[RunKey], err
		},
		delete: func(ctx context.Context, c env, id string, _ map[string]string) error {
			return c.DeleteConnection(ctx, id)
		},
	},
	KindConnectionClient: {
		// Enabling a connection for a client: its id is the connection's.
		label: "connection client", doneVerb: Update, scopes: []string{"read:connections", "update:connections"},
		needs: []ResourceKind{KindConnection, KindClient},
		lookupKeys: func(d Desired, r refs) map[string]string {
			return map[string]string{"client_id": r[KindClient].id, "connection_id": r[KindConnection].id,
				"connection": r[KindConnection].conn.Name, "app": r[KindClient].app.Name}
		},
		find: func(ctx context.Context, c env, _ Desired, r refs) (resource, error) {
			connID := r[KindConnection].id
			ok, err := c.ConnectionEnabledFor(ctx, connID, r[KindClient].id)
			if err == nil && !ok {
				err = ErrNotFound
			}
			return resource{id: connID}, err
		},
		create: func(ctx context.Context, c env, _ Desired, r refs) (resource, error) {
			connID := r[KindConnection].id
			return resource{id: connID}, c.SetConnectionClient(ctx, connID, r[KindClient].id, true)
		},
		// Enabled is enabled: after a lost answer, finding it so is the
		// outcome that was asked for.
		same: func(Desired, resource) string { return "" },
		resolve: func(_ context.Context, _ env, l map[string]string) (string, error) {
			if l["connection_id"] == "" {
				return "", ErrNotFound
			}
			return l["connection_id"], nil
		},
		delete: func(ctx context.Context, c env, id string, l map[string]string) error {
			return c.SetConnectionClient(ctx, id, l["client_id"], false)
		},
	},
	KindUser: {
		label: "user", inResult: true, doneVerb: Create, scopes: scopesUsers,
		lookupKeys: func(d Desired, _ refs) map[string]string {
			return map[string]string{"connection": d.User.Connection, "email": d.User.Email}
		},
		find: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			u, err := c.FindUser(ctx, d.User.Connection, d.User.Email)
			return resource{id: u.ID, user: u}, err
		},
		create: func(ctx context.Context, c env, d Desired, _ refs) (resource, error) {
			u, err := c.CreateUser(ctx, d.User)
			return resource{id: u.ID, user: u}, err
		},
		mark: func(d *Desired, run string) { d.User.AppMetadata = runMarker(run, d.User.AppMetadata) },
		precheck: func(d Desired, r refs) error {
			conn, ok := r[KindConnection]
			if !ok || d.User.Password == "" {
				return nil
			}
			if err := conn.conn.Policy.Check(d.User.Password); err != nil {
				return &PasswordPolicyError{Connection: conn.conn.Name, Email: d.User.Email, Err: err}
			}
			return nil
		},
		runOf: func(f resource) string { return f.user.AppMetadata[RunKey] },
		resolve: func(ctx context.Context, c env, l map[string]string) (string, error) {
			u, err := c.FindUser(ctx, l["connection"], l["email"])
			return u.ID, err
		},
		owner: func(ctx context.Context, c env, id string, l map[string]string) (bool, string, error) {
			u, err := c.FindUser(ctx, l["connection"], l["email"])
			if err == nil && u.ID != id {
				err = ErrNotFound
			}
			return u.AppMetadata[MarkerKey] == MarkerValue, u.AppMetadata[RunKey], err
		},
		delete: func(ctx context.Context, c env, id string, _ map[string]string) error {
			return c.DeleteUser(ctx, id)
		},
	},
}

// grantClientID is the client a grant is for: the one it names, else the
// application it depends on (made by the wizard, or by WSO2's connector).
func grantClientID(d Desired, r refs) string {
	switch {
	case d.Grant.ClientID != "":
		return d.Grant.ClientID
	case r[KindClient].id != "":
		return r[KindClient].id
	}
	return r[KindWSO2Application].keys.ConsumerKey
}

// appChanges is what differs between the application wanted and the one
// found.
func appChanges(d Desired, f resource) []string {
	want, a := d.App, f.app
	var ch []string
	if want.AppType != "" && a.AppType != want.AppType {
		ch = append(ch, fmt.Sprintf("app type %s → %s", orNone(a.AppType), want.AppType))
	}
	if want.TokenEndpointAuthMethod != "" && a.TokenEndpointAuthMethod != want.TokenEndpointAuthMethod {
		ch = append(ch, fmt.Sprintf("token endpoint authentication %s → %s", orNone(a.TokenEndpointAuthMethod), want.TokenEndpointAuthMethod))
	}
	if m := missingStrings(want.GrantTypes, a.GrantTypes); len(m) > 0 {
		ch = append(ch, "add grant types "+strings.Join(m, ", "))
	}
	if m := missingStrings(want.Callbacks, a.Callbacks); len(m) > 0 {
		ch = append(ch, "add callback "+strings.Join(m, ", "))
	}
	return ch
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ScopesFor are the Management API scopes a list of actions needs, each
// once, in the order of the actions.
func ScopesFor(actions []ActionSpec) []string {
	var out []string
	for _, a := range actions {
		for _, s := range kinds[a.Kind].scopes {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// ActionsFor are the playbook's actions for a run with these settings: its
// Actions that apply (When), then those Expand adds.
func (p Playbook) ActionsFor(s Settings) []ActionSpec {
	var out []ActionSpec
	for _, a := range p.Actions {
		if a.When == nil || a.When(s) {
			out = append(out, a)
		}
	}
	if p.Expand != nil {
		out = append(out, p.Expand(s)...)
	}
	return out
}

// Action returns the playbook's action with that id, if any.
func (p Playbook) Action(id string) (ActionSpec, bool) {
	for _, a := range p.Actions {
		if a.ID == id {
			return a, true
		}
	}
	return ActionSpec{}, false
}

// actionOfKind returns the playbook's first action of a kind, if any.
func (p Playbook) actionOfKind(k ResourceKind) (ActionSpec, bool) {
	for _, a := range p.Actions {
		if a.Kind == k {
			return a, true
		}
	}
	return ActionSpec{}, false
}

// Has says whether the playbook has an action of that kind.
func (p Playbook) Has(k ResourceKind) bool {
	_, ok := p.actionOfKind(k)
	return ok
}

// want is what the playbook's first action of a kind wants (zero if none).
func (p Playbook) want(k ResourceKind, s Settings) Desired {
	if a, ok := p.actionOfKind(k); ok && a.Want != nil {
		return a.Want(s)
	}
	return Desired{}
}

// UnfitConnectionError says a connection with the chosen name exists but is
// not of the strategy the playbook needs: users cannot be created in a social
// or enterprise connection, so nothing is changed.
type UnfitConnectionError struct {
	Name, ID, Strategy, Want string
}

// Error says what was found and what to do.
func (e *UnfitConnectionError) Error() string {
	what := "a database connection (strategy " + e.Want + ")"
	if e.Want != "auth0" {
		what = "a connection of strategy " + e.Want
	}
	return fmt.Sprintf("the connection %q (%s) already exists with strategy %q, and the playbook needs %s to hold its test user: "+
		"nothing was changed; choose another connection name (a new database connection is then created), "+
		"or the name of an existing database connection (Authentication → Database in the dashboard)",
		Printable(e.Name), e.ID, Printable(e.Strategy), what)
}

// PasswordPolicyError says the test user's password does not meet the
// password policy of the connection it is to be created in, found before any
// change.
type PasswordPolicyError struct {
	Connection, Email string
	Err               error
}

// Error says what and what to do.
func (e *PasswordPolicyError) Error() string {
	return fmt.Sprintf("the password for user %s does not meet connection %q's password policy: %v; nothing was changed: choose a stronger password",
		Printable(e.Email), Printable(e.Connection), e.Err)
}

// Unwrap returns the policy's reason.
func (e *PasswordPolicyError) Unwrap() error { return e.Err }
