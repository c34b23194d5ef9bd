package steps

import (
	"context"
	"errors"
	"time"
)

// Client is what the engine needs from an Auth0 tenant. auth0client
// implements it over HTTP with go-auth0; the engine never speaks HTTP itself.
//
// Find* methods return ErrNotFound when the resource does not exist. Write
// methods return an error wrapping ErrConflict on a 409, so the engine can look
// the resource up again and reuse it.
type Client interface {
	// Discover reads /.well-known/openid-configuration.
	Discover(ctx context.Context) (Endpoints, error)
	// GrantedScopes obtains the management token and returns its scopes.
	GrantedScopes(ctx context.Context) ([]string, error)

	FindResourceServer(ctx context.Context, identifier string) (ResourceServer, error)
	// GetResourceServer reads one API by its id or identifier: unlike a
	// search or a filtered list, it sees the tenant as it is (the lock's
	// reads need that).
	GetResourceServer(ctx context.Context, idOrIdentifier string) (ResourceServer, error)
	CreateResourceServer(ctx context.Context, rs ResourceServer) (ResourceServer, error)
	UpdateResourceServer(ctx context.Context, id string, rs ResourceServer) (ResourceServer, error)
	DeleteResourceServer(ctx context.Context, id string) error

	// FindClient finds an application by name; Marked says whether its
	// client_metadata carries this tool's marker.
	FindClient(ctx context.Context, name string) (App, error)
	// FindClients returns every application of that name (names are not
	// unique in Auth0), each with its metadata; none is not an error.
	FindClients(ctx context.Context, name string) ([]App, error)
	GetClient(ctx context.Context, clientID string) (App, error) // with its secret
	// FindClientsBySuffix returns every application whose name ends with
	// one of the suffixes (WSO2's connector names its applications
	// <user><app>_PRODUCTION and _SANDBOX).
	FindClientsBySuffix(ctx context.Context, suffixes ...string) ([]App, error)
	CreateClient(ctx context.Context, app App) (App, error)
	UpdateClient(ctx context.Context, clientID string, app App) (App, error)
	DeleteClient(ctx context.Context, clientID string) error

	FindClientGrant(ctx context.Context, clientID, audience string) (ClientGrant, error)
	CreateClientGrant(ctx context.Context, g ClientGrant) (ClientGrant, error)
	UpdateClientGrant(ctx context.Context, id string, scopes []string) (ClientGrant, error)
	DeleteClientGrant(ctx context.Context, id string) error

	FindConnection(ctx context.Context, name string) (Connection, error)
	CreateConnection(ctx context.Context, c Connection) (Connection, error)
	DeleteConnection(ctx context.Context, id string) error
	// ConnectionEnabledFor says whether the connection is enabled for the client.
	ConnectionEnabledFor(ctx context.Context, connectionID, clientID string) (bool, error)
	// SetConnectionClient enables (or disables) the connection for a client.
	SetConnectionClient(ctx context.Context, connectionID, clientID string, enabled bool) error

	FindUser(ctx context.Context, connection, email string) (User, error)
	CreateUser(ctx context.Context, u User) (User, error)
	DeleteUser(ctx context.Context, id string) error

	// ClientCredentialsToken mints a token for the client and verifies its
	// signature against the tenant's JWKS and its claims.
	ClientCredentialsToken(ctx context.Context, clientID, clientSecret, audience string) (TokenCheck, error)
	// VerifyToken checks a token someone else obtained (WSO2, say) against
	// the tenant's keys and its claims: iss, aud holds audience, azp is
	// clientID (when given), exp.
	VerifyToken(ctx context.Context, token, audience, clientID string) (TokenCheck, error)
	// PasswordRealmToken logs a user in through the password-realm grant.
	PasswordRealmToken(ctx context.Context, clientID, clientSecret, realm, username, password, audience string) (TokenCheck, error)
}

// Sentinel errors a Client wraps.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("already exists")
	// ErrUncertain marks a failed write whose outcome is unknown (a 5xx or
	// a lost answer): the change may have been committed. The engine looks
	// the resource up by its reuse rule before trying again; it never
	// re-sends a create blindly.
	ErrUncertain = errors.New("outcome unknown")
	// ErrCredentials marks a refusal of the management application itself:
	// a 401 or 403 from the token endpoint or the Management API (a wrong
	// secret, an application not authorized, a missing scope). Every other
	// call with the same credentials would meet it too.
	ErrCredentials = errors.New("credentials refused")
)

// MarkerKey is the metadata key that marks a resource as made by this tool
// (an application's client_metadata, a connection's metadata, a user's
// app_metadata); its value is MarkerValue. RunKey holds the id of the run
// that made it, which proves a resource found after an unanswered create is
// this run's and not another's.
const (
	MarkerKey   = "created_by"
	MarkerValue = "auth0-wizard"
	RunKey      = "auth0_wizard_run"
)

// runMarker is the metadata a run puts on what it creates.
func runMarker(run string, into map[string]string) map[string]string {
	out := make(map[string]string, len(into)+2)
	for k, v := range into {
		out[k] = v
	}
	out[MarkerKey] = MarkerValue
	if run != "" {
		out[RunKey] = run
	}
	return out
}

// Scope is a resource server scope.
type Scope struct {
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
}

// ResourceServer is an Auth0 API.
type ResourceServer struct {
	ID            string  `json:"id,omitempty"`
	Name          string  `json:"name"`
	Identifier    string  `json:"identifier"`
	SigningAlg    string  `json:"signing_alg,omitempty"`
	Scopes        []Scope `json:"scopes,omitempty"`
	TokenLifetime int     `json:"token_lifetime,omitempty"`
	// SigningSecret is the key of an API that signs with HS256, as the
	// Management API answers it; never journaled or printed.
	SigningSecret string `json:"-"`
}

// App is an Auth0 application (client).
type App struct {
	ClientID                string            `json:"client_id,omitempty"`
	ClientSecret            string            `json:"-"`
	Name                    string            `json:"name"`
	AppType                 string            `json:"app_type,omitempty"`
	TokenEndpointAuthMethod string            `json:"token_endpoint_auth_method,omitempty"`
	GrantTypes              []string          `json:"grant_types,omitempty"`
	Callbacks               []string          `json:"callbacks,omitempty"`
	Metadata                map[string]string `json:"client_metadata,omitempty"`
}

// Marked reports whether this tool made the application.
func (a App) Marked() bool { return a.Metadata[MarkerKey] == MarkerValue }

// ClientGrant authorizes a client for an API.
type ClientGrant struct {
	ID       string   `json:"id,omitempty"`
	ClientID string   `json:"client_id"`
	Audience string   `json:"audience"`
	Scope    []string `json:"scope"`
}

// Connection is a database connection.
type Connection struct {
	ID       string            `json:"id,omitempty"`
	Name     string            `json:"name"`
	Strategy string            `json:"strategy"`
	Metadata map[string]string `json:"metadata,omitempty"`
	// Policy is a database connection's password policy, as found.
	Policy PasswordPolicy `json:"-"`
}

// User is a database user.
type User struct {
	ID          string            `json:"user_id,omitempty"`
	Email       string            `json:"email"`
	Password    string            `json:"-"`
	Connection  string            `json:"connection"`
	AppMetadata map[string]string `json:"app_metadata,omitempty"`
}

// What a token's signature was checked against (TokenCheck.KeySource).
const (
	KeySourceJWKS   = "the tenant's JWKS"
	KeySourceSecret = "the API's signing secret (HS256)"
)

// TokenCheck is a minted token and what verifying it found.
type TokenCheck struct {
	Verified bool           `json:"verified"`
	Claims   map[string]any `json:"claims,omitempty"`
	Reason   string         `json:"reason,omitempty"` // why it did not verify
	// KeySource says what the signature was checked against: the tenant's
	// JWKS, or an HS256 API's signing secret.
	KeySource string    `json:"-"`
	Token     string    `json:"-"`
	Expires   time.Time `json:"-"`
}

// RetryNotice is what a Client reports when it waits before another attempt
// (a 429, a 5xx or a transport error). Clients report it through Notify; the
// engine turns it into an Event for the action that is running.
type RetryNotice struct {
	Attempt     int
	Wait        time.Duration
	RateLimited bool
	Reason      string
}

type notifierKey struct{}

// WithNotifier returns a context whose Client calls report retries to fn.
func WithNotifier(ctx context.Context, fn func(RetryNotice)) context.Context {
	return context.WithValue(ctx, notifierKey{}, fn)
}

// Notify reports a retry to the notifier in ctx, if any.
func Notify(ctx context.Context, n RetryNotice) {
	if fn, ok := ctx.Value(notifierKey{}).(func(RetryNotice)); ok && fn != nil {
		fn(n)
	}
}
