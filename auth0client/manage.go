package auth0client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/auth0/go-auth0/v3/management"
	"github.com/auth0/go-auth0/v3/management/core"
	"github.com/auth0/go-auth0/v3/management/option"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// defaultPageSize is the page size of the list calls (the Management API maximum).
const defaultPageSize = 100

// call runs one Management API call with the management token. A 401 drops
// the cached token and the call is made once more with a fresh one (a token
// can be revoked or expire early). create marks a POST that makes a
// resource: its 5xx and lost answers become steps.ErrUncertain.
func (c *Client) call(ctx context.Context, op string, create bool, fn func(opts ...option.RequestOption) error) error {
	for try := 0; ; try++ {
		t, err := c.token(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		err = fn(option.WithToken(t.access), option.WithoutRetries())
		var ae *core.APIError
		if try == 0 && errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized {
			c.dropToken()
			continue
		}
		return c.managementError(ctx, op, create, err)
	}
}

// walkOffset visits every item of an offset-paginated list, page by page,
// until visit returns true or the last page. It stops on the list's total
// (include_totals) instead of asking for an empty page past the end, as the
// SDK's iterator would; without a total, a short page is the last.
func walkOffset[T, R any](ctx context.Context, page *core.Page[*int, T, R], per int,
	total func(R) *float64, visit func(T) bool) error {
	seen := 0
	for {
		for _, item := range page.Results {
			if visit(item) {
				return nil
			}
		}
		seen += len(page.Results)
		if len(page.Results) == 0 {
			return nil
		}
		if t := total(page.Response); t != nil {
			if seen >= int(*t) {
				return nil
			}
		} else if len(page.Results) < per {
			return nil
		}
		next, err := page.GetNextPage(ctx)
		if errors.Is(err, core.ErrNoPages) {
			return nil
		}
		if err != nil {
			return err
		}
		page = next
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// notFound is what a Find returns when nothing matches.
func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, steps.ErrNotFound)
}

// find runs a Find's lookup as one call, so a 401 is tried again with a
// fresh token. lookup says whether it matched; no match is notFound(op).
func find[T any](ctx context.Context, c *Client, op string, lookup func(opts ...option.RequestOption) (T, bool, error)) (T, error) {
	var (
		found T
		ok    bool
	)
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		var err error
		found, ok, err = lookup(opts...)
		return err
	})
	if err == nil && !ok {
		err = notFound(op)
	}
	if err != nil {
		var zero T
		return zero, err
	}
	return found, nil
}

// ---- resource servers

// toResourceServer converts an API as the Management API answers it; its
// signing secret (an HS256 API's key) joins the values a trace redacts.
func (c *Client) toResourceServer(r interface {
	GetID() string
	GetName() string
	GetIdentifier() string
	GetSigningAlg() management.SigningAlgorithmEnum
	GetSigningSecret() string
	GetScopes() []*management.ResourceServerScope
	GetTokenLifetime() int
}) steps.ResourceServer {
	rs := steps.ResourceServer{ID: r.GetID(), Name: r.GetName(), Identifier: r.GetIdentifier(), SigningAlg: string(r.GetSigningAlg()),
		TokenLifetime: r.GetTokenLifetime(), SigningSecret: r.GetSigningSecret()}
	c.secrets.Add(rs.SigningSecret)
	for _, s := range r.GetScopes() {
		if s != nil {
			rs.Scopes = append(rs.Scopes, steps.Scope{Value: s.Value, Description: deref(s.Description)})
		}
	}
	return rs
}

func fromScopes(in []steps.Scope) []*management.ResourceServerScope {
	out := make([]*management.ResourceServerScope, 0, len(in))
	for _, s := range in {
		sc := &management.ResourceServerScope{Value: s.Value}
		if s.Description != "" {
			sc.Description = ptr(s.Description)
		}
		out = append(out, sc)
	}
	return out
}

// FindResourceServer finds an API by its identifier (list filter
// identifiers=, matched exactly).
func (c *Client) FindResourceServer(ctx context.Context, identifier string) (steps.ResourceServer, error) {
	r, err := c.findResourceServer(ctx, identifier)
	if err != nil {
		return steps.ResourceServer{}, err
	}
	return c.toResourceServer(r), nil
}

// findResourceServer returns the API whose identifier is exactly identifier,
// as the Management API answers it (its signing secret too).
func (c *Client) findResourceServer(ctx context.Context, identifier string) (*management.ResourceServer, error) {
	op := fmt.Sprintf("find resource server %q", identifier)
	return find(ctx, c, op, func(opts ...option.RequestOption) (*management.ResourceServer, bool, error) {
		page, err := c.mgmt.ResourceServers.List(ctx, &management.ListResourceServerRequestParameters{
			Identifiers: []*string{ptr(identifier)},
			PerPage:     ptr(c.pageSize),
		}, opts...)
		if err != nil {
			return nil, false, err
		}
		var found *management.ResourceServer
		err = walkOffset(ctx, page, c.pageSize,
			func(r *management.ListResourceServerOffsetPaginatedResponseContent) *float64 { return r.Total },
			func(r *management.ResourceServer) bool {
				if r.GetIdentifier() != identifier {
					return false
				}
				found = r
				return true
			})
		return found, found != nil, err
	})
}

// GetResourceServer reads one API by its id or its identifier (the
// Management API takes either in the path, the identifier URL-encoded): a
// read of the tenant as it is, where the list FindResourceServer filters
// may lag a write. 404: ErrNotFound.
func (c *Client) GetResourceServer(ctx context.Context, idOrIdentifier string) (steps.ResourceServer, error) {
	op := fmt.Sprintf("read resource server %q", idOrIdentifier)
	var out steps.ResourceServer
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.ResourceServers.Get(ctx, idOrIdentifier, &management.GetResourceServerRequestParameters{}, opts...)
		if err != nil {
			return err
		}
		out = c.toResourceServer(r)
		return nil
	})
	return out, err
}

// CreateResourceServer creates an API.
func (c *Client) CreateResourceServer(ctx context.Context, rs steps.ResourceServer) (steps.ResourceServer, error) {
	op := fmt.Sprintf("create resource server %q", rs.Identifier)
	req := &management.CreateResourceServerRequestContent{Identifier: rs.Identifier}
	if rs.Name != "" {
		req.Name = ptr(rs.Name)
	}
	if rs.SigningAlg != "" {
		req.SigningAlg = ptr(management.SigningAlgorithmEnum(rs.SigningAlg))
	}
	if len(rs.Scopes) > 0 {
		req.Scopes = fromScopes(rs.Scopes)
	}
	if rs.TokenLifetime > 0 {
		req.TokenLifetime = ptr(rs.TokenLifetime)
	}
	var out steps.ResourceServer
	err := c.call(ctx, op, true, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.ResourceServers.Create(ctx, req, opts...)
		if err != nil {
			return err
		}
		out = c.toResourceServer(r)
		return nil
	})
	return out, err
}

// UpdateResourceServer updates an API's name, signing algorithm, scopes and
// token lifetime (the fields that are set).
func (c *Client) UpdateResourceServer(ctx context.Context, id string, rs steps.ResourceServer) (steps.ResourceServer, error) {
	op := fmt.Sprintf("update resource server %s", id)
	req := &management.UpdateResourceServerRequestContent{}
	if rs.Name != "" {
		req.Name = ptr(rs.Name)
	}
	if rs.SigningAlg != "" {
		req.SigningAlg = ptr(management.SigningAlgorithmEnum(rs.SigningAlg))
	}
	if rs.Scopes != nil {
		req.Scopes = fromScopes(rs.Scopes)
	}
	if rs.TokenLifetime > 0 {
		req.TokenLifetime = ptr(rs.TokenLifetime)
	}
	var out steps.ResourceServer
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.ResourceServers.Update(ctx, id, req, opts...)
		if err != nil {
			return err
		}
		out = c.toResourceServer(r)
		return nil
	})
	return out, err
}

// DeleteResourceServer deletes an API.
func (c *Client) DeleteResourceServer(ctx context.Context, id string) error {
	return c.call(ctx, fmt.Sprintf("delete resource server %s", id), false, func(opts ...option.RequestOption) error {
		return c.mgmt.ResourceServers.Delete(ctx, id, opts...)
	})
}

// ---- clients

// appFields are the client fields we read, from any of go-auth0's client types.
type appFields interface {
	GetClientID() string
	GetName() string
	GetClientSecret() string
	GetCallbacks() []string
	GetGrantTypes() []string
	GetClientMetadata() management.ClientMetadata
}

func (c *Client) toApp(r appFields, appType, method string) steps.App {
	a := steps.App{
		ClientID:                r.GetClientID(),
		ClientSecret:            r.GetClientSecret(),
		Name:                    r.GetName(),
		AppType:                 appType,
		TokenEndpointAuthMethod: method,
		GrantTypes:              r.GetGrantTypes(),
		Callbacks:               r.GetCallbacks(),
	}
	if md := r.GetClientMetadata(); len(md) > 0 {
		a.Metadata = make(map[string]string, len(md))
		for k, v := range md {
			if s, ok := v.(string); ok {
				a.Metadata[k] = s
			}
		}
	}
	c.secrets.Add(a.ClientSecret)
	if a.ClientID != "" && method != "" {
		c.mu.Lock()
		c.authMethod[a.ClientID] = method
		c.mu.Unlock()
	}
	return a
}

// FindClient finds an application by name through clients/search (see
// search.go), each match read again by id, with its secret; on a tenant
// without the search it pages through every client. When several share the
// name, the one this tool marked wins.
func (c *Client) FindClient(ctx context.Context, name string) (steps.App, error) {
	op := fmt.Sprintf("find application %q", name)
	apps, ok, err := c.findClientsBySearch(ctx, op, "name eq "+scimString(name), func(a steps.App) bool { return a.Name == name })
	if err != nil {
		return steps.App{}, err
	}
	if ok {
		if len(apps) == 0 {
			return steps.App{}, fmt.Errorf("%s: %w", op, steps.ErrNotFound)
		}
		for _, a := range apps {
			if a.Marked() {
				return a, nil
			}
		}
		return apps[0], nil
	}
	return find(ctx, c, op, func(opts ...option.RequestOption) (steps.App, bool, error) {
		page, err := c.mgmt.Clients.List(ctx, &management.ListClientsRequestParameters{PerPage: ptr(c.pageSize)}, opts...)
		if err != nil {
			return steps.App{}, false, err
		}
		var matches []steps.App
		err = walkOffset(ctx, page, c.pageSize,
			func(r *management.ListClientsOffsetPaginatedResponseContent) *float64 { return r.Total },
			func(r *management.Client) bool {
				if r.GetName() == name {
					matches = append(matches, c.toApp(r, string(r.GetAppType()), string(r.GetTokenEndpointAuthMethod())))
				}
				return false
			})
		if err != nil || len(matches) == 0 {
			return steps.App{}, false, err
		}
		for _, a := range matches {
			if a.Marked() {
				return a, true, nil
			}
		}
		return matches[0], true, nil
	})
}

// FindClients returns every application of that name, paging through the
// clients (the name is not a server-side filter).
func (c *Client) FindClients(ctx context.Context, name string) ([]steps.App, error) {
	return c.listClientsWhere(ctx, fmt.Sprintf("find the applications named %q", name),
		func(n string) bool { return n == name })
}

// FindClientsBySuffix returns every application whose name ends with one of
// the suffixes: by the client search where the tenant has it, else paging
// through the clients.
func (c *Client) FindClientsBySuffix(ctx context.Context, suffixes ...string) ([]steps.App, error) {
	op := fmt.Sprintf("find the applications named *%s", strings.Join(suffixes, ", *"))
	terms := make([]string, 0, len(suffixes))
	for _, sfx := range suffixes {
		terms = append(terms, "name ew "+scimString(sfx))
	}
	ends := func(name string) bool {
		for _, sfx := range suffixes {
			if strings.HasSuffix(name, sfx) {
				return true
			}
		}
		return false
	}
	if apps, ok, err := c.findClientsBySearch(ctx, op, strings.Join(terms, " or "), func(a steps.App) bool { return ends(a.Name) }); ok || err != nil {
		return apps, err
	}
	return c.listClientsWhere(ctx, op, ends)
}

// listClientsWhere pages through every client and keeps those whose name
// keep accepts (a retried call starts the walk over).
func (c *Client) listClientsWhere(ctx context.Context, op string, keep func(name string) bool) ([]steps.App, error) {
	var out []steps.App
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		out = nil
		page, err := c.mgmt.Clients.List(ctx, &management.ListClientsRequestParameters{PerPage: ptr(c.pageSize)}, opts...)
		if err != nil {
			return err
		}
		return walkOffset(ctx, page, c.pageSize,
			func(r *management.ListClientsOffsetPaginatedResponseContent) *float64 { return r.Total },
			func(r *management.Client) bool {
				if keep(r.GetName()) {
					out = append(out, c.toApp(r, string(r.GetAppType()), string(r.GetTokenEndpointAuthMethod())))
				}
				return false
			})
	})
	return out, err
}

// GetClient reads an application, with its secret (when the management
// application holds read:client_keys).
func (c *Client) GetClient(ctx context.Context, clientID string) (steps.App, error) {
	op := fmt.Sprintf("read application %s", clientID)
	var out steps.App
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.Clients.Get(ctx, clientID, &management.GetClientRequestParameters{}, opts...)
		if err != nil {
			return err
		}
		out = c.toApp(r, string(r.GetAppType()), string(r.GetTokenEndpointAuthMethod()))
		return nil
	})
	return out, err
}

func toMetadata(m map[string]string) *management.ClientMetadata {
	if len(m) == 0 {
		return nil
	}
	md := make(management.ClientMetadata, len(m))
	for k, v := range m {
		md[k] = v
	}
	return &md
}

// CreateClient creates an application.
func (c *Client) CreateClient(ctx context.Context, app steps.App) (steps.App, error) {
	op := fmt.Sprintf("create application %q", app.Name)
	req := &management.CreateClientRequestContent{
		Name:           app.Name,
		GrantTypes:     app.GrantTypes,
		Callbacks:      app.Callbacks,
		ClientMetadata: toMetadata(app.Metadata),
	}
	if app.AppType != "" {
		req.AppType = ptr(management.ClientAppTypeEnum(app.AppType))
	}
	if app.TokenEndpointAuthMethod != "" {
		req.TokenEndpointAuthMethod = ptr(management.ClientTokenEndpointAuthMethodEnum(app.TokenEndpointAuthMethod))
	}
	var out steps.App
	err := c.call(ctx, op, true, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.Clients.Create(ctx, req, opts...)
		if err != nil {
			return err
		}
		out = c.toApp(r, string(r.GetAppType()), string(r.GetTokenEndpointAuthMethod()))
		return nil
	})
	return out, err
}

// UpdateClient updates an application's fields that are set in app.
func (c *Client) UpdateClient(ctx context.Context, clientID string, app steps.App) (steps.App, error) {
	op := fmt.Sprintf("update application %s", clientID)
	req := &management.UpdateClientRequestContent{
		GrantTypes:     app.GrantTypes,
		Callbacks:      app.Callbacks,
		ClientMetadata: toMetadata(app.Metadata),
	}
	if app.Name != "" {
		req.Name = ptr(app.Name)
	}
	if app.AppType != "" {
		req.AppType = ptr(management.ClientAppTypeEnum(app.AppType))
	}
	if app.TokenEndpointAuthMethod != "" {
		req.TokenEndpointAuthMethod = ptr(management.ClientTokenEndpointAuthMethodOrNullEnum(app.TokenEndpointAuthMethod))
	}
	var out steps.App
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.Clients.Update(ctx, clientID, req, opts...)
		if err != nil {
			return err
		}
		out = c.toApp(r, string(r.GetAppType()), string(r.GetTokenEndpointAuthMethod()))
		return nil
	})
	return out, err
}

// DeleteClient deletes an application.
func (c *Client) DeleteClient(ctx context.Context, clientID string) error {
	return c.call(ctx, fmt.Sprintf("delete application %s", clientID), false, func(opts ...option.RequestOption) error {
		return c.mgmt.Clients.Delete(ctx, clientID, opts...)
	})
}

// ---- client grants

// FindClientGrant finds the grant from a client to an audience (list
// filters client_id and audience, matched exactly).
func (c *Client) FindClientGrant(ctx context.Context, clientID, audience string) (steps.ClientGrant, error) {
	op := fmt.Sprintf("find client grant of %s for %s", clientID, audience)
	return find(ctx, c, op, func(opts ...option.RequestOption) (steps.ClientGrant, bool, error) {
		page, err := c.mgmt.ClientGrants.List(ctx, &management.ListClientGrantsRequestParameters{
			ClientID: ptr(clientID),
			Audience: ptr(audience),
			Take:     ptr(c.pageSize),
		}, opts...)
		if err != nil {
			return steps.ClientGrant{}, false, err
		}
		it := page.Iterator()
		for it.Next(ctx) {
			g := it.Current()
			if g.GetClientID() == clientID && g.GetAudience() == audience {
				return steps.ClientGrant{ID: g.GetID(), ClientID: g.GetClientID(), Audience: g.GetAudience(), Scope: nonNil(g.GetScope())}, true, nil
			}
		}
		return steps.ClientGrant{}, false, it.Err()
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CreateClientGrant authorizes a client for an audience with scopes.
func (c *Client) CreateClientGrant(ctx context.Context, g steps.ClientGrant) (steps.ClientGrant, error) {
	op := fmt.Sprintf("create client grant of %s for %s", g.ClientID, g.Audience)
	req := &management.CreateClientGrantRequestContent{Audience: g.Audience}
	req.SetClientID(ptr(g.ClientID))
	req.SetScope(nonNil(g.Scope))
	var out steps.ClientGrant
	err := c.call(ctx, op, true, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.ClientGrants.Create(ctx, req, opts...)
		if err != nil {
			return err
		}
		out = steps.ClientGrant{ID: r.GetID(), ClientID: r.GetClientID(), Audience: r.GetAudience(), Scope: nonNil(r.GetScope())}
		return nil
	})
	return out, err
}

// UpdateClientGrant replaces a grant's scopes.
func (c *Client) UpdateClientGrant(ctx context.Context, id string, scopes []string) (steps.ClientGrant, error) {
	op := fmt.Sprintf("update client grant %s", id)
	req := &management.UpdateClientGrantRequestContent{}
	req.SetScope(nonNil(scopes))
	var out steps.ClientGrant
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.ClientGrants.Update(ctx, id, req, opts...)
		if err != nil {
			return err
		}
		out = steps.ClientGrant{ID: r.GetID(), ClientID: r.GetClientID(), Audience: r.GetAudience(), Scope: nonNil(r.GetScope())}
		return nil
	})
	return out, err
}

// DeleteClientGrant deletes a grant.
func (c *Client) DeleteClientGrant(ctx context.Context, id string) error {
	return c.call(ctx, fmt.Sprintf("delete client grant %s", id), false, func(opts ...option.RequestOption) error {
		return c.mgmt.ClientGrants.Delete(ctx, id, opts...)
	})
}

// ---- connections

// FindConnection finds a connection by name (list filter name=, matched exactly).
func (c *Client) FindConnection(ctx context.Context, name string) (steps.Connection, error) {
	op := fmt.Sprintf("find connection %q", name)
	return find(ctx, c, op, func(opts ...option.RequestOption) (steps.Connection, bool, error) {
		page, err := c.mgmt.Connections.List(ctx, &management.ListConnectionsQueryParameters{
			Name: ptr(name),
			Take: ptr(c.pageSize),
		}, opts...)
		if err != nil {
			return steps.Connection{}, false, err
		}
		it := page.Iterator()
		for it.Next(ctx) {
			r := it.Current()
			if r.GetName() == name {
				return steps.Connection{ID: r.GetID(), Name: r.GetName(), Strategy: r.GetStrategy(), Metadata: fromConnMetadata(r.GetMetadata()),
					Policy: passwordPolicy(r.GetOptions())}, true, nil
			}
		}
		return steps.Connection{}, false, it.Err()
	})
}

// CreateConnection creates a connection (strategy "auth0", a database, when
// none is given).
func (c *Client) CreateConnection(ctx context.Context, conn steps.Connection) (steps.Connection, error) {
	op := fmt.Sprintf("create connection %q", conn.Name)
	strategy := conn.Strategy
	if strategy == "" {
		strategy = "auth0"
	}
	req := &management.CreateConnectionRequestContent{
		Name:     conn.Name,
		Strategy: management.ConnectionIdentityProviderEnum(strategy),
	}
	if len(conn.Metadata) > 0 {
		md := make(management.ConnectionsMetadata, len(conn.Metadata))
		for k, v := range conn.Metadata {
			md[k] = ptr(v)
		}
		req.Metadata = &md
	}
	var out steps.Connection
	err := c.call(ctx, op, true, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.Connections.Create(ctx, req, opts...)
		if err != nil {
			return err
		}
		out = steps.Connection{ID: r.GetID(), Name: r.GetName(), Strategy: string(r.GetStrategy()), Metadata: fromConnMetadata(r.GetMetadata())}
		return nil
	})
	return out, err
}

// DeleteConnection deletes a connection.
func (c *Client) DeleteConnection(ctx context.Context, id string) error {
	return c.call(ctx, fmt.Sprintf("delete connection %s", id), false, func(opts ...option.RequestOption) error {
		return c.mgmt.Connections.Delete(ctx, id, opts...)
	})
}

// ConnectionEnabledFor says whether the connection is enabled for the
// client (GET /connections/{id}/clients, every checkpoint page).
func (c *Client) ConnectionEnabledFor(ctx context.Context, connectionID, clientID string) (bool, error) {
	op := fmt.Sprintf("read the applications enabled for connection %s", connectionID)
	var enabled bool
	err := c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		enabled = false
		page, err := c.mgmt.Connections.Clients.Get(ctx, connectionID, &management.GetConnectionEnabledClientsRequestParameters{
			Take: ptr(c.pageSize),
		}, opts...)
		if err != nil {
			return err
		}
		it := page.Iterator()
		for it.Next(ctx) {
			if it.Current().GetClientID() == clientID {
				enabled = true
				return nil
			}
		}
		return it.Err()
	})
	return enabled, err
}

// SetConnectionClient enables (or disables) the connection for a client
// (PATCH /connections/{id}/clients).
func (c *Client) SetConnectionClient(ctx context.Context, connectionID, clientID string, enabled bool) error {
	verb := "enable"
	if !enabled {
		verb = "disable"
	}
	op := fmt.Sprintf("%s connection %s for application %s", verb, connectionID, clientID)
	return c.call(ctx, op, false, func(opts ...option.RequestOption) error {
		return c.mgmt.Connections.Clients.Update(ctx, connectionID, management.UpdateEnabledClientConnectionsRequestContent{
			{ClientID: clientID, Status: enabled},
		}, opts...)
	})
}

// ---- users

// FindUser finds a user by email (users-by-email) within a connection (the
// connection named in the user's identities).
func (c *Client) FindUser(ctx context.Context, connection, email string) (steps.User, error) {
	op := fmt.Sprintf("find user %s in connection %q", email, connection)
	return find(ctx, c, op, func(opts ...option.RequestOption) (steps.User, bool, error) {
		users, err := c.mgmt.Users.ListUsersByEmail(ctx, &management.ListUsersByEmailRequestParameters{Email: email}, opts...)
		if err != nil {
			return steps.User{}, false, err
		}
		for _, u := range users {
			for _, id := range u.GetIdentities() {
				if id != nil && id.GetConnection() == connection {
					return steps.User{ID: u.GetUserID(), Email: u.GetEmail(), Connection: connection, AppMetadata: stringsOf(u.GetAppMetadata())}, true, nil
				}
			}
		}
		return steps.User{}, false, nil
	})
}

// CreateUser creates a database user.
func (c *Client) CreateUser(ctx context.Context, u steps.User) (steps.User, error) {
	op := fmt.Sprintf("create user %s in connection %q", u.Email, u.Connection)
	c.secrets.Add(u.Password)
	req := &management.CreateUserRequestContent{Connection: u.Connection, Email: ptr(u.Email)}
	if u.Password != "" {
		req.Password = ptr(u.Password)
	}
	if len(u.AppMetadata) > 0 {
		md := make(management.AppMetadata, len(u.AppMetadata))
		for k, v := range u.AppMetadata {
			md[k] = v
		}
		req.AppMetadata = &md
	}
	var out steps.User
	err := c.call(ctx, op, true, func(opts ...option.RequestOption) error {
		r, err := c.mgmt.Users.Create(ctx, req, opts...)
		if err != nil {
			return err
		}
		out = steps.User{ID: r.GetUserID(), Email: r.GetEmail(), Connection: u.Connection, AppMetadata: stringsOf(r.GetAppMetadata())}
		return nil
	})
	return out, err
}

// DeleteUser deletes a user.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	return c.call(ctx, fmt.Sprintf("delete user %s", id), false, func(opts ...option.RequestOption) error {
		return c.mgmt.Users.Delete(ctx, id, opts...)
	})
}

// fromConnMetadata keeps a connection's metadata values that are set.
func fromConnMetadata(md management.ConnectionsMetadata) map[string]string {
	if len(md) == 0 {
		return nil
	}
	out := make(map[string]string, len(md))
	for k, v := range md {
		if v != nil {
			out[k] = *v
		}
	}
	return out
}

// stringsOf keeps the string values of a metadata object.
func stringsOf(md map[string]any) map[string]string {
	if len(md) == 0 {
		return nil
	}
	out := make(map[string]string, len(md))
	for k, v := range md {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// passwordPolicy reads a database connection's password policy from its
// options: passwordPolicy and password_complexity_options, or the newer
// password_options, which replaces them.
func passwordPolicy(opts map[string]any) steps.PasswordPolicy {
	var p steps.PasswordPolicy
	p.Level, _ = opts["passwordPolicy"].(string)
	if _, ok := opts["passwordPolicy"]; ok && opts["passwordPolicy"] == nil {
		p.Level = "none"
	}
	if cx, ok := opts["password_complexity_options"].(map[string]any); ok {
		p.MinLength = intOf(cx["min_length"])
	}
	if d, ok := opts["password_dictionary"].(map[string]any); ok {
		p.Dictionary, _ = d["enable"].(bool)
	}
	po, ok := opts["password_options"].(map[string]any)
	if !ok {
		return p
	}
	if d, ok := po["dictionary"].(map[string]any); ok {
		p.Dictionary, _ = d["active"].(bool)
	}
	if cx, ok := po["complexity"].(map[string]any); ok {
		c := &steps.PasswordComplexity{MinLength: intOf(cx["min_length"])}
		c.ThreeOfFour = cx["character_type_rule"] == "three_of_four"
		c.BlockIdentical = cx["identical_characters"] == "block"
		if types, ok := cx["character_types"].([]any); ok {
			for _, t := range types {
				if s, ok := t.(string); ok {
					c.CharacterTypes = append(c.CharacterTypes, s)
				}
			}
		}
		p.Complexity = c
	}
	return p
}

func intOf(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}
