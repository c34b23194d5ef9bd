package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwt"

	"github.com/auth0-wizard/auth0-wizard/internal/redact"
)

// TestAuth0CLIRequests replays, request by request and byte for byte where
// it matters, what the Auth0 CLI (github.com/auth0/auth0-cli, whose
// Management API client is go-auth0 v1) sends for a machine login and the
// commands below, and checks that the sandbox answers each as a real tenant
// does, in the fields the CLI reads and with the Go types go-auth0 v1 decodes
// them into. TestAuth0CLI runs the real binary; this test runs where there is
// none.
//
// Sources, read rather than guessed: auth0/auth0-cli internal/cli/{login,
// apps,apis,users,test,api,utils_shared,organizations,management,cli}.go,
// internal/auth/auth.go, internal/config/tenant.go, internal/display/*.go and
// its test/integration/*-test-cases.yaml (the CLI's own runs against a real
// tenant); go-auth0 v1.49.0 management/management_request.go (URI escapes
// each path segment with url.PathEscape, List adds per_page=50 and
// include_totals=true before the caller's options, every option re-encodes
// the query with url.Values.Encode, so keys go out sorted) and
// golang.org/x/oauth2 v0.36.0 internal/token.go (the auth-style probe). The
// CLI files are those of its 2025 sources (apps.go 65c892f, apis.go c82e053,
// users.go 613b506, test.go 2b3befe, utils_shared.go 12ee70c, api.go
// 906e28e, auth/auth.go 4812075, config/tenant.go 2d23727). Once, outside
// this repository, the same calls made through go-auth0 v1.49.0 itself and a
// logging transport sent exactly these paths, queries and bodies.
func TestAuth0CLIRequests(t *testing.T) {
	t.Parallel()
	s := start(t, Options{})
	r := &cliRun{s: s}

	// A tenant with a social connection beside its database one, as most
	// have: the CLI's users create asks only for database and passwordless
	// connections (see ConnectionsStrategyIndexed).
	wantStatus(t, call(t, s, "POST", "/api/v2/connections", mgmtToken(t, s), map[string]any{
		"name": cliSocialConnection, "strategy": "github", "enabled_clients": []string{s.ClientID},
	}), http.StatusCreated)

	rows := []cliRow{
		// internal/cli/login.go RunLoginAsMachine → internal/auth/auth.go
		// GetAccessTokenFromClientCreds: a clientcredentials.Config with
		// EndpointParams client_id and audience "https://DOMAIN/api/v2/"
		// and no AuthStyle, so x/oauth2 (internal/token.go RetrieveToken)
		// first sends the secret by HTTP Basic, id and secret QueryEscaped,
		// beside client_id in the form; only if that fails does it send the
		// form again with client_id and client_secret in it. No scope.
		{
			name: "login/POST oauth/token",
			src:  "internal/auth/auth.go GetAccessTokenFromClientCreds",
			send: func(t *testing.T, r *cliRun) answer { return r.machineLogin(t, r.s.ClientID, r.s.ClientSecret) },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				r.token = checkLoginToken(t, r, a)
			},
		},
		// internal/cli/apps.go listAppsCmd: getWithPagination
		// (internal/cli/organizations.go) passes PerPage(100), Page(0) and
		// the command adds is_global=false; go-auth0 Client.List adds
		// include_totals=true. The CLI reads clients[] and HasNext().
		{
			name: "apps list/GET clients",
			src:  "internal/cli/apps.go listAppsCmd",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "GET", "/api/v2/clients?include_totals=true&is_global=false&page=0&per_page=100", "")
			},
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				l := asV1[struct {
					v1List
					Clients []v1Client `json:"clients"`
				}](t, a)
				if l.hasNext() {
					t.Errorf("HasNext() is true for %d clients (start %d, limit %d, total %d): the CLI would ask for page 1", len(l.Clients), l.Start, l.Limit, l.Total)
				}
				ids := make([]string, 0, len(l.Clients))
				for _, c := range l.Clients {
					ids = append(ids, deref(c.ClientID))
				}
				if !slices.Contains(ids, r.s.ClientID) {
					t.Errorf("apps list does not show the management application %s: %v", r.s.ClientID, ids)
				}
				for _, c := range a.object(t)["clients"].([]any) {
					if c.(map[string]any)["global"] == true {
						t.Errorf("is_global=false lists the tenant's global client %v", c.(map[string]any)["name"])
					}
				}
			},
		},
		// internal/cli/apps.go createAppCmd with --type m2m --name and
		// --no-input: the description is asked for, not given, so it goes
		// out as ""; oidc_conformant, jwt_configuration.alg RS256 and an
		// empty client_metadata are always set, and apiDefaultGrantsFor
		// gives non_interactive client_credentials (no auth method). The CLI
		// reads client_id (SetDefaultAppIDForTenant) and what
		// display/apps.go makeApplicationView shows.
		{
			name: "apps create/POST clients",
			src:  "internal/cli/apps.go createAppCmd",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "POST", "/api/v2/clients",
					`{"name":"CLI M2M","description":"","app_type":"non_interactive","oidc_conformant":true,"jwt_configuration":{"alg":"RS256"},"grant_types":["client_credentials"],"client_metadata":{}}`+"\n")
			},
			want: http.StatusCreated,
			check: func(t *testing.T, r *cliRun, a answer) {
				c := asV1[v1Client](t, a)
				r.appID, r.appSecret = deref(c.ClientID), deref(c.ClientSecret)
				if r.appID == "" || r.appSecret == "" {
					t.Fatalf("the created application has no client_id or no client_secret: the CLI shows them and test token sends them")
				}
				if deref(c.Name) != "CLI M2M" || deref(c.AppType) != "non_interactive" || !slices.Equal(deref(c.GrantTypes), []string{"client_credentials"}) {
					t.Errorf("name %q, app_type %q, grant_types %v: want what was sent", deref(c.Name), deref(c.AppType), deref(c.GrantTypes))
				}
			},
		},
		// internal/cli/apps.go showAppCmd: Client.Read(id), one segment
		// through go-auth0's URI. With --reveal-secrets the CLI prints
		// client_secret (display/apps.go safeRaw keeps it).
		{
			name: "apps show --reveal-secrets/GET clients/{id}",
			src:  "internal/cli/apps.go showAppCmd",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", v1Path("clients", r.appID), "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				c := asV1[v1Client](t, a)
				if deref(c.ClientID) != r.appID || deref(c.Name) != "CLI M2M" {
					t.Errorf("client_id %q name %q, want %s and CLI M2M", deref(c.ClientID), deref(c.Name), r.appID)
				}
				if deref(c.ClientSecret) != r.appSecret {
					t.Errorf("apps show --reveal-secrets would not print the secret apps create returned")
				}
			},
		},
		// internal/cli/apis.go createAPICmd with --name --identifier
		// --scopes: apiScopesFor gives {value} only; signing_alg RS256,
		// allow_offline_access false and token_lifetime 86400
		// (apiDefaultTokenLifetime) are always sent. The CLI shows id,
		// name, identifier, scopes, token_lifetime, allow_offline_access,
		// signing_alg (display/apis.go makeAPIView).
		{
			name: "apis create/POST resource-servers",
			src:  "internal/cli/apis.go createAPICmd",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "POST", "/api/v2/resource-servers",
					`{"name":"CLI API","identifier":"`+cliAPIIdentifier+`","scopes":[{"value":"read:things"},{"value":"write:things"}],"signing_alg":"RS256","allow_offline_access":false,"token_lifetime":86400}`+"\n")
			},
			want: http.StatusCreated,
			check: func(t *testing.T, r *cliRun, a answer) {
				rs := asV1[v1ResourceServer](t, a)
				r.apiID = deref(rs.ID)
				if r.apiID == "" || deref(rs.Identifier) != cliAPIIdentifier || deref(rs.Name) != "CLI API" {
					t.Fatalf("id %q identifier %q name %q", r.apiID, deref(rs.Identifier), deref(rs.Name))
				}
				if rs.TokenLifetime == nil || *rs.TokenLifetime != 86400 || rs.AllowOfflineAccess == nil || *rs.AllowOfflineAccess || deref(rs.SigningAlgorithm) != "RS256" {
					t.Errorf("token_lifetime %v allow_offline_access %v signing_alg %q, want 86400 false RS256", rs.TokenLifetime, rs.AllowOfflineAccess, deref(rs.SigningAlgorithm))
				}
				// The CLI's own run against a real tenant
				// (test/integration/apis-test-cases.yaml, 002) prints the
				// scopes as [map[value:read:todos] map[value:write:todos]]:
				// no description is added to a scope sent without one.
				got, _ := json.Marshal(a.object(t)["scopes"])
				if string(got) != `[{"value":"read:things"},{"value":"write:things"}]` {
					t.Errorf("scopes %s, want them as sent", got)
				}
			},
		},
		// internal/cli/apis.go listApisCmd: getWithPagination, so
		// PerPage(100) and Page(0); ResourceServer.List adds
		// include_totals=true. The CLI reads resource_servers[] and
		// HasNext().
		{
			name: "apis list/GET resource-servers",
			src:  "internal/cli/apis.go listApisCmd",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "GET", "/api/v2/resource-servers?include_totals=true&page=0&per_page=100", "")
			},
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				l := asV1[struct {
					v1List
					ResourceServers []v1ResourceServer `json:"resource_servers"`
				}](t, a)
				if l.hasNext() {
					t.Errorf("HasNext() is true for %d APIs", len(l.ResourceServers))
				}
				var idents []string
				for _, rs := range l.ResourceServers {
					idents = append(idents, deref(rs.Identifier))
				}
				if !slices.Contains(idents, cliAPIIdentifier) || !slices.Contains(idents, r.s.Audience) {
					t.Errorf("apis list shows %v, want %s and the Management API", idents, cliAPIIdentifier)
				}
			},
		},
		// internal/cli/apis.go showAPICmd: ResourceServer.Read(ctx,
		// url.PathEscape(id)) and go-auth0's URI escapes the segment again,
		// so an identifier URL goes out encoded twice (":" is not escaped by
		// PathEscape, "/" becomes %2F and then %252F). That Auth0 finds the
		// API by it is UNCONFIRMED (no recording; the CLI's own integration
		// tests show APIs by id), but `auth0 apis show <api-audience>` is
		// documented usage, so the sandbox answers as if it does.
		{
			name: "apis show {identifier}/GET resource-servers/{identifier escaped twice}",
			src:  "internal/cli/apis.go showAPICmd",
			send: func(t *testing.T, r *cliRun) answer {
				p := v1Path("resource-servers", url.PathEscape(cliAPIIdentifier))
				if p != "/api/v2/resource-servers/https:%252F%252Fcli.example%252Fapi" {
					t.Fatalf("the CLI's path is %s, this test built %s", "/api/v2/resource-servers/https:%252F%252Fcli.example%252Fapi", p)
				}
				return r.mgmt(t, "GET", p, "")
			},
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				rs := asV1[v1ResourceServer](t, a)
				if deref(rs.ID) != r.apiID || deref(rs.Identifier) != cliAPIIdentifier {
					t.Errorf("apis show found id %q identifier %q, want %s", deref(rs.ID), deref(rs.Identifier), r.apiID)
				}
			},
		},
		// internal/cli/apis.go listScopesCmd: the same twice-escaped Read;
		// the CLI reads name and scopes[].value/description
		// (display/apis.go ScopesList).
		{
			name: "apis scopes list {identifier}/GET resource-servers/{identifier escaped twice}",
			src:  "internal/cli/apis.go listScopesCmd",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "GET", v1Path("resource-servers", url.PathEscape(cliAPIIdentifier)), "")
			},
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				rs := asV1[v1ResourceServer](t, a)
				var values []string
				for _, sc := range deref(rs.Scopes) {
					values = append(values, deref(sc.Value))
				}
				if deref(rs.Name) != "CLI API" || !slices.Equal(values, []string{"read:things", "write:things"}) {
					t.Errorf("scopes of %q: %v", deref(rs.Name), values)
				}
			},
		},
		// internal/cli/users.go createUserCmd →
		// databaseAndPasswordlessConnectionOptions: Connection.List with
		// strategy[0..2] = auth0, email, sms and PerPage(100) (include_totals
		// from go-auth0). A connection without enabled_clients is left
		// out; none left stops the command.
		{
			name: "users create/GET connections?strategy[0..2]",
			src:  "internal/cli/users.go databaseAndPasswordlessConnectionOptions",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", cliConnectionsByStrategy, "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				l := asV1[v1ConnectionList](t, a)
				for _, c := range l.Connections {
					if deref(c.Name) == defaultConnectionName && len(deref(c.EnabledClients)) > 0 {
						return
					}
				}
				t.Errorf("no %s with enabled_clients: the CLI stops with \"there are currently no active database or passwordless connections\"", defaultConnectionName)
			},
		},
		// The same request. Auth0 documents strategy as an array filter, and
		// two of Auth0's own clients send it as strategy[0], strategy[1], ...
		// to filter by several strategies at once: this CLI function, and
		// auth0/auth0.net ConnectionsClient.GetAllAsync (PR #432, "Support
		// multiple Strategies", fixing issue #416). A sandbox that read only
		// strategy= answered with every connection, and the CLI would
		// offer a social connection to create a password user in. No
		// recording shows Auth0's answer to strategy[0]=: UNCONFIRMED.
		{
			name: "ConnectionsStrategyIndexed/GET connections?strategy[0..2]",
			src:  "internal/cli/users.go databaseAndPasswordlessConnectionOptions",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", cliConnectionsByStrategy, "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				for _, c := range asV1[v1ConnectionList](t, a).Connections {
					if st := deref(c.Strategy); st != "auth0" && st != "email" && st != "sms" {
						t.Errorf("strategy[0]=auth0&strategy[1]=email&strategy[2]=sms lists %s (strategy %s): the sandbox ignores the indexed strategy filter", deref(c.Name), st)
					}
				}
			},
		},
		// internal/cli/users.go createUserCmd: Connection.ReadByName, which
		// in go-auth0 is List(name=...) taking connections[0]; no
		// enabled_clients stops the command, the strategy picks the
		// fields asked for (auth0: email and password).
		{
			name: "users create/GET connections?name",
			src:  "internal/cli/users.go createUserCmd (Connection.ReadByName)",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", cliConnectionByName, "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				c := firstConnection(t, a)
				if deref(c.Strategy) != "auth0" || len(deref(c.EnabledClients)) == 0 {
					t.Errorf("strategy %q enabled_clients %v: the CLI needs auth0 and at least one client", deref(c.Strategy), deref(c.EnabledClients))
				}
			},
		},
		// internal/cli/users.go getConnReqUsername: ReadByName again, for
		// options.requires_username (a nil connection here would panic).
		{
			name: "users create/GET connections?name (requires_username)",
			src:  "internal/cli/users.go getConnReqUsername",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", cliConnectionByName, "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				var opts struct {
					RequiresUsername *bool `json:"requires_username"`
				}
				if err := json.Unmarshal(firstConnection(t, a).Options, &opts); err != nil {
					t.Errorf("options do not decode as go-auth0's ConnectionOptions would: %v", err)
				}
				if opts.RequiresUsername != nil && *opts.RequiresUsername {
					t.Errorf("requires_username is true on a new tenant's database connection: the CLI would ask for --username")
				}
			},
		},
		// internal/cli/users.go createUserCmd → retrieveAuth0UserDetails:
		// email, password and connection, name when --name is given, in
		// go-auth0's User field order. The CLI reads user_id, email,
		// identities[].connection (display/users.go makeUserView).
		{
			name: "users create/POST users",
			src:  "internal/cli/users.go createUserCmd",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "POST", "/api/v2/users",
					`{"connection":"`+defaultConnectionName+`","email":"`+cliUserEmail+`","name":"CLI User","password":"`+cliUserPassword+`"}`+"\n")
			},
			want: http.StatusCreated,
			check: func(t *testing.T, r *cliRun, a answer) {
				u := asV1[v1User](t, a)
				r.userID = deref(u.ID)
				if !strings.HasPrefix(r.userID, "auth0|") || deref(u.Email) != cliUserEmail {
					t.Fatalf("user_id %q email %q", r.userID, deref(u.Email))
				}
				if got := userConnections(u); !slices.Equal(got, []string{defaultConnectionName}) {
					t.Errorf("identities name the connections %v", got)
				}
			},
		},
		// internal/cli/users.go searchUsersCmd --query: getWithPagination
		// options first, then management.Query (search_engine=v3 and q);
		// User.Search is List, so include_totals=true. The CLI reads
		// users[] and HasNext().
		{
			name: "users search --query/GET users?q",
			src:  "internal/cli/users.go searchUsersCmd",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "GET", "/api/v2/users?include_totals=true&page=0&per_page=100&q=email%3A%22cli.user%40example.com%22&search_engine=v3", "")
			},
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				l := asV1[struct {
					v1List
					Users []v1User `json:"users"`
				}](t, a)
				if len(l.Users) != 1 || deref(l.Users[0].ID) != r.userID || l.hasNext() {
					t.Errorf("the search finds %d users (HasNext %v), want only %s", len(l.Users), l.hasNext(), r.userID)
				}
			},
		},
		// internal/cli/users.go showUserCmd: User.Read(id); PathEscape
		// turns "|" into %7C. The CLI takes the connection from
		// identities[].connection.
		{
			name: "users show/GET users/{id}",
			src:  "internal/cli/users.go showUserCmd",
			send: func(t *testing.T, r *cliRun) answer {
				p := v1Path("users", r.userID)
				if !strings.HasPrefix(p, "/api/v2/users/auth0%7C") {
					t.Fatalf("path %s", p)
				}
				return r.mgmt(t, "GET", p, "")
			},
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				u := asV1[v1User](t, a)
				if deref(u.ID) != r.userID || !slices.Equal(userConnections(u), []string{defaultConnectionName}) {
					t.Errorf("user_id %q connections %v", deref(u.ID), userConnections(u))
				}
			},
		},
		// internal/cli/users.go showUserCmd → getConnReqUsername with the
		// connection read from the identities: ReadByName must find it, or
		// the CLI dereferences a nil connection.
		{
			name: "users show/GET connections?name",
			src:  "internal/cli/users.go getConnReqUsername",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", cliConnectionByName, "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				if deref(firstConnection(t, a).Name) != defaultConnectionName {
					t.Errorf("ReadByName found another connection")
				}
			},
		},
		// internal/cli/test.go selectClientToUseForTestsAndValidateExistence:
		// Client.Read; app_type non_interactive sends the command down
		// runClientCredentialsFlow (utils_shared.go), which needs
		// client_secret. --audience given: no picker, no grants list yet.
		{
			name: "test token (no grant)/GET clients/{id}",
			src:  "internal/cli/test.go selectClientToUseForTestsAndValidateExistence",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", v1Path("clients", r.appID), "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				c := asV1[v1Client](t, a)
				if deref(c.AppType) != "non_interactive" || deref(c.ClientSecret) != r.appSecret {
					t.Errorf("app_type %q or client_secret missing: the CLI would open a browser login or send no secret", deref(c.AppType))
				}
			},
		},
		// internal/cli/test.go checkClientIsAuthorizedForAPI:
		// ClientGrant.List(audience, client_id), go-auth0 adding
		// include_totals=true and per_page=50. No grant yet: the CLI stops
		// with "...is not authorized to request access tokens for this
		// API", as its own run against a real tenant expects
		// (test/integration/test-commands-test-cases.yaml, 003).
		{
			name: "test token (no grant)/GET client-grants",
			src:  "internal/cli/test.go checkClientIsAuthorizedForAPI",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", r.grantsQuery(), "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				if l := asV1[v1ClientGrantList](t, a); len(l.ClientGrants) != 0 {
					t.Errorf("an application with no grant has %d grants for %s", len(l.ClientGrants), cliAPIIdentifier)
				}
			},
		},
		// internal/cli/api.go apiCmdRun: --data is unmarshalled into an
		// interface{} and NewRequest re-encodes it (map keys sorted); the
		// CLI pretty-prints whatever JSON comes back. The CLI's own
		// test/integration/scripts/create-client-grant.sh grants its M2M
		// app this way before `test token`.
		{
			name: "api post client-grants --data/POST client-grants",
			src:  "internal/cli/api.go apiCmdRun",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "POST", "/api/v2/client-grants", `{"audience":"`+cliAPIIdentifier+`","client_id":"`+r.appID+`","scope":["read:things"]}`+"\n")
			},
			want:  http.StatusCreated,
			check: func(t *testing.T, r *cliRun, a answer) { rawJSON(t, a) },
		},
		// internal/cli/test.go testTokenCmd → selectClient... again.
		{
			name: "test token/GET clients/{id}",
			src:  "internal/cli/test.go selectClientToUseForTestsAndValidateExistence",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", v1Path("clients", r.appID), "") },
			want: http.StatusOK,
		},
		// internal/cli/test.go checkClientIsAuthorizedForAPI: one grant now.
		{
			name: "test token/GET client-grants",
			src:  "internal/cli/test.go checkClientIsAuthorizedForAPI",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", r.grantsQuery(), "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				l := asV1[v1ClientGrantList](t, a)
				if len(l.ClientGrants) != 1 || deref(l.ClientGrants[0].Audience) != cliAPIIdentifier || deref(l.ClientGrants[0].ClientID) != r.appID {
					t.Errorf("grants %s, want the one made for %s", a.raw, cliAPIIdentifier)
				}
			},
		},
		// internal/cli/utils_shared.go runClientCredentialsFlow:
		// http.PostForm of BuildOauthTokenParams, that is audience,
		// client_id, client_secret and grant_type; --scopes is not sent for
		// a Machine to Machine application. The answer is decoded into
		// authutil.TokenResponse whatever the status and printed
		// (display/test.go TestToken): token_type, expires_in, access_token.
		{
			name: "test token --audience --scopes/POST oauth/token",
			src:  "internal/cli/utils_shared.go runClientCredentialsFlow",
			send: func(t *testing.T, r *cliRun) answer {
				form := url.Values{"audience": {cliAPIIdentifier}, "client_id": {r.appID}, "client_secret": {r.appSecret}, "grant_type": {"client_credentials"}}
				return r.form(t, form.Encode(), "", "")
			},
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				var tr struct {
					AccessToken  string `json:"access_token"`
					RefreshToken string `json:"refresh_token"`
					IDToken      string `json:"id_token"`
					TokenType    string `json:"token_type"`
					ExpiresIn    int64  `json:"expires_in"`
				}
				if err := json.Unmarshal(a.raw, &tr); err != nil {
					t.Fatalf("authutil.TokenResponse does not decode this: %v", err)
				}
				// The CLI's own run (test-commands-test-cases.yaml, 004
				// and 005) prints "TOKEN TYPE Bearer", "EXPIRES IN 1440
				// minute(s)" and expires_in 86400 for an API of default
				// lifetime.
				if tr.TokenType != "Bearer" || tr.ExpiresIn != 86400 || tr.AccessToken == "" {
					t.Errorf("token_type %q expires_in %d access_token empty %v", tr.TokenType, tr.ExpiresIn, tr.AccessToken == "")
				}
				_, claims := unverifiedJWT(t, tr.AccessToken)
				if claims["aud"] != cliAPIIdentifier || claims["azp"] != r.appID || claims["scope"] != "read:things" {
					t.Errorf("aud %v azp %v scope %v: want the API, the application and the granted scope", claims["aud"], claims["azp"], claims["scope"])
				}
			},
		},
		// internal/cli/api.go validateAndSetEndpoint: "https://DOMAIN/api/v2/"
		// + the argument, its query re-encoded; no include_totals, so a
		// bare array, one client long.
		{
			name: "api get clients?per_page=1/GET clients?per_page=1",
			src:  "internal/cli/api.go apiCmdRun",
			send: func(t *testing.T, r *cliRun) answer { return r.mgmt(t, "GET", "/api/v2/clients?per_page=1", "") },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				rawJSON(t, a)
				if l := a.array(t); len(l) != 1 {
					t.Errorf("per_page=1 gives %d clients", len(l))
				}
			},
		},
		// internal/cli/api.go apiCmdRun with --data: POST, the body
		// re-encoded with its keys sorted.
		{
			name: "api post resource-servers --data/POST resource-servers",
			src:  "internal/cli/api.go apiCmdRun",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "POST", "/api/v2/resource-servers", `{"identifier":"urn:cli:raw","name":"Raw API","scopes":[{"value":"raw:read"}]}`+"\n")
			},
			want: http.StatusCreated,
			check: func(t *testing.T, r *cliRun, a answer) {
				rawJSON(t, a)
				if a.object(t)["identifier"] != "urn:cli:raw" {
					t.Errorf("identifier %v", a.object(t)["identifier"])
				}
			},
		},
		// What follows is `auth0 api post` with a token lacking the scope:
		// the M2M application is granted read:clients only on the
		// Management API (api post client-grants), logs the CLI in, and
		// posts a resource server.
		{
			name: "api post client-grants --data (read:clients)/POST client-grants",
			src:  "internal/cli/api.go apiCmdRun",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "POST", "/api/v2/client-grants", `{"audience":"`+r.s.Audience+`","client_id":"`+r.appID+`","scope":["read:clients"]}`+"\n")
			},
			want: http.StatusCreated,
		},
		{
			name: "login as the M2M application/POST oauth/token",
			src:  "internal/auth/auth.go GetAccessTokenFromClientCreds",
			send: func(t *testing.T, r *cliRun) answer { return r.machineLogin(t, r.appID, r.appSecret) },
			want: http.StatusOK,
			check: func(t *testing.T, r *cliRun, a answer) {
				r.token = checkLoginToken(t, r, a)
			},
		},
		// internal/cli/api.go isInsufficientScopeError: on a 403 whose
		// errorCode is insufficient_scope the CLI takes
		// strings.Split(message, "Insufficient scope, expected any of: ")[1]
		// (a message without that prefix panics) and recommends its first
		// comma-separated scope.
		{
			name: "api post resource-servers without the scope/POST resource-servers",
			src:  "internal/cli/api.go isInsufficientScopeError",
			send: func(t *testing.T, r *cliRun) answer {
				return r.mgmt(t, "POST", "/api/v2/resource-servers", `{"identifier":"urn:cli:denied","name":"Denied API"}`+"\n")
			},
			want: http.StatusForbidden,
			check: func(t *testing.T, r *cliRun, a answer) {
				var body struct {
					ErrorCode string `json:"errorCode"`
					Message   string `json:"message"`
				}
				if err := json.Unmarshal(a.raw, &body); err != nil || body.ErrorCode != "insufficient_scope" {
					t.Fatalf("errorCode %q (%v): the CLI would print the error body instead of naming the scope", body.ErrorCode, err)
				}
				parts := strings.Split(body.Message, "Insufficient scope, expected any of: ")
				if len(parts) < 2 {
					t.Fatalf("message %q: the CLI would panic (index out of range)", body.Message)
				}
				if got := strings.Split(parts[1], ",")[0]; got != "create:resource_servers" {
					t.Errorf("the CLI would recommend %q, want create:resource_servers", got)
				}
			},
		},
	}

	for _, row := range rows {
		ok := t.Run(row.name, func(t *testing.T) {
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("the request comes from auth0/auth0-cli %s", row.src)
				}
			})
			a := row.send(t, r)
			if a.status != row.want {
				t.Fatalf("status %d, want %d: %s", a.status, row.want, cliShort(a.raw))
			}
			if row.check != nil {
				row.check(t, r, a)
			}
		})
		if !ok {
			t.Fatalf("stopping at %q: the rows after it use what it makes", row.name)
		}
	}
}

const (
	cliAPIIdentifier    = "https://cli.example/api"
	cliUserEmail        = "cli.user@example.com"
	cliUserPassword     = "Cli-Us3r-Passw0rd!"
	cliSocialConnection = "github-social"
	// cliConnectionsByStrategy is databaseAndPasswordlessConnectionOptions's
	// request as go-auth0 v1 encodes it.
	cliConnectionsByStrategy = "/api/v2/connections?include_totals=true&per_page=100&strategy%5B0%5D=auth0&strategy%5B1%5D=email&strategy%5B2%5D=sms"
	// cliConnectionByName is go-auth0 v1 Connection.ReadByName: List's
	// defaults and name=.
	cliConnectionByName = "/api/v2/connections?include_totals=true&name=" + defaultConnectionName + "&per_page=50"
	// cliUserAgent is internal/cli/management.go initializeManagementClient's
	// "Auth0 CLI/<version>"; the version is any release (UNCONFIRMED which).
	cliUserAgent = "Auth0 CLI/1.20.0"
)

// cliAuth0Client is the Auth0-Client header go-auth0 v1 sends for the CLI
// (WithAuth0ClientEnvEntry("Auth0-CLI", version)): base64 of its JSON.
var cliAuth0Client = base64.StdEncoding.EncodeToString([]byte(`{"name":"go-auth0","version":"1.49.0","env":{"Auth0-CLI":"1.20.0","go":"go1.26.8"}}`))

// cliRow is one request the CLI sends: how to send it, the status a real
// tenant answers, and what the CLI reads from the answer.
type cliRow struct {
	name  string // "<command>/<request>"
	src   string // the auth0/auth0-cli file and function the request comes from
	send  func(t *testing.T, r *cliRun) answer
	want  int
	check func(t *testing.T, r *cliRun, a answer)
}

// cliRun is what the CLI keeps between requests: its config's access token
// and the ids earlier commands printed.
type cliRun struct {
	s                *Server
	token            string
	appID, appSecret string
	apiID, userID    string
}

// mgmt sends a Management API request as go-auth0 v1 does for the CLI.
// wire is the path and query exactly as they go out; body, when not empty,
// is JSON.
func (r *cliRun) mgmt(t *testing.T, method, wire, body string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.s.BaseURL+wire, rd)
	if err != nil {
		t.Fatal(err)
	}
	if got := req.URL.RequestURI(); got != wire {
		t.Fatalf("the request would go out as %s, not %s", got, wire)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("User-Agent", cliUserAgent)
	req.Header.Set("Auth0-Client", cliAuth0Client)
	return sendRequest(t, r.s, req)
}

// form posts an already encoded form to /oauth/token, with HTTP Basic
// credentials when id is not empty (QueryEscaped, as x/oauth2 does).
func (r *cliRun) form(t *testing.T, body, id, secret string) answer {
	t.Helper()
	req, err := http.NewRequest("POST", r.s.BaseURL+"/oauth/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	return sendRequest(t, r.s, req)
}

// machineLogin is the CLI's machine login through x/oauth2's auth-style
// probe: Basic first, the secret in the form only if Basic fails.
func (r *cliRun) machineLogin(t *testing.T, id, secret string) answer {
	t.Helper()
	aud := "https://" + r.s.Domain + "/api/v2/"
	a := r.form(t, url.Values{"audience": {aud}, "client_id": {id}, "grant_type": {"client_credentials"}}.Encode(), id, secret)
	if a.status >= 200 && a.status < 300 {
		return a
	}
	// Whether Auth0 refuses Basic for a client_secret_post application is
	// UNCONFIRMED; x/oauth2 retries either way, so the CLI does not see it.
	t.Logf("HTTP Basic answered %d; x/oauth2 retries with the secret in the form", a.status)
	return r.form(t, url.Values{"audience": {aud}, "client_id": {id}, "client_secret": {secret}, "grant_type": {"client_credentials"}}.Encode(), "", "")
}

// grantsQuery is checkClientIsAuthorizedForAPI's ClientGrant.List.
func (r *cliRun) grantsQuery() string {
	return "/api/v2/client-grants?" + url.Values{
		"audience": {cliAPIIdentifier}, "client_id": {r.appID}, "include_totals": {"true"}, "per_page": {"50"},
	}.Encode()
}

// checkLoginToken checks a token answer as x/oauth2 reads it and the CLI
// then keeps it (internal/config/tenant.go), and returns the token.
func checkLoginToken(t *testing.T, r *cliRun, a answer) string {
	t.Helper()
	// x/oauth2 parses a form-encoded body for those content types and JSON
	// for the rest.
	if ct, _, _ := mime.ParseMediaType(a.header.Get("Content-Type")); ct != "application/json" {
		t.Errorf("Content-Type %q: x/oauth2 expects JSON", ct)
	}
	var tok struct {
		AccessToken string      `json:"access_token"`
		TokenType   string      `json:"token_type"`
		ExpiresIn   json.Number `json:"expires_in"`
		Error       string      `json:"error"`
	}
	if err := json.Unmarshal(a.raw, &tok); err != nil {
		t.Fatalf("x/oauth2 cannot parse the token answer: %v", err)
	}
	if tok.AccessToken == "" || tok.Error != "" {
		t.Fatalf("no access_token or an error %q: x/oauth2 fails the login", tok.Error)
	}
	// HasExpiredToken renews a token that expires within five minutes
	// before every command.
	if n, err := tok.ExpiresIn.Int64(); err != nil || time.Duration(n)*time.Second <= 5*time.Minute {
		t.Errorf("expires_in %q: the CLI would fetch a new token before every command", tok.ExpiresIn)
	}
	// CheckAuthenticationStatus: jwt.ParseInsecure, else "authentication
	// token is corrupted".
	if _, err := jwt.ParseInsecure([]byte(tok.AccessToken)); err != nil {
		t.Fatalf("the access token is not a JWT jwx parses: %v", err)
	}
	if _, claims := unverifiedJWT(t, tok.AccessToken); claims["aud"] != r.s.Audience {
		t.Errorf("aud %v, want %s", claims["aud"], r.s.Audience)
	}
	return tok.AccessToken
}

// v1Path is the path go-auth0 v1 sends for these segments
// (management_request.go URI): each one url.PathEscape'd, a "/" left in it
// escaped as %2F.
func v1Path(segs ...string) string {
	esc := make([]string, len(segs))
	for i, s := range segs {
		esc[i] = strings.ReplaceAll(url.PathEscape(s), "/", "%2F")
	}
	return "/api/v2/" + strings.Join(esc, "/")
}

// asV1 decodes an answer as go-auth0 v1 does (json.Unmarshal into its
// types); a mismatched type is the CLI's "failed to unmarshal response
// payload".
func asV1[T any](t *testing.T, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(a.raw, &v); err != nil {
		t.Fatalf("go-auth0 v1 cannot decode the answer into %T, so the CLI fails: %v: %s", v, err, cliShort(a.raw))
	}
	return v
}

// rawJSON checks what `auth0 api` does with a body: json.Indent, else
// "failed to prepare json output".
func rawJSON(t *testing.T, a answer) {
	t.Helper()
	var b bytes.Buffer
	if err := json.Indent(&b, a.raw, "", "  "); err != nil {
		t.Errorf("auth0 api cannot indent the answer: %v", err)
	}
}

func firstConnection(t *testing.T, a answer) v1Connection {
	t.Helper()
	l := asV1[v1ConnectionList](t, a)
	if len(l.Connections) == 0 {
		t.Fatalf("ReadByName finds no connection: go-auth0 returns 404 \"Connection not found\"")
	}
	return l.Connections[0]
}

func userConnections(u v1User) []string {
	var l []string
	for _, i := range u.Identities {
		l = append(l, deref(i.Connection))
	}
	return l
}

// cliShort is an answer for a failure message, its secrets redacted (the
// project's one redactor) and cut short.
func cliShort(b []byte) string { return redact.Body("application/json", b, true) }

// deref is what a nil field of go-auth0's types reads as: the zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// The types below hold the fields the CLI reads of go-auth0 v1.49.0's
// management types, with the same Go types (the CLI decodes the whole
// object; a field of the wrong JSON type anywhere fails it).

// v1List is management.List, the envelope of a List answer.
type v1List struct {
	Start  int    `json:"start"`
	Limit  int    `json:"limit"`
	Length int    `json:"length"`
	Total  int    `json:"total"`
	Next   string `json:"next"`
}

// hasNext is management.List.HasNext.
func (l v1List) hasNext() bool { return l.Next != "" || l.Total > l.Start+l.Limit }

type v1Client struct {
	ClientID                 *string             `json:"client_id"`
	ClientSecret             *string             `json:"client_secret"`
	Name                     *string             `json:"name"`
	Description              *string             `json:"description"`
	AppType                  *string             `json:"app_type"`
	Callbacks                *[]string           `json:"callbacks"`
	AllowedOrigins           *[]string           `json:"allowed_origins"`
	WebOrigins               *[]string           `json:"web_origins"`
	AllowedLogoutURLs        *[]string           `json:"allowed_logout_urls"`
	TokenEndpointAuthMethod  *string             `json:"token_endpoint_auth_method"`
	GrantTypes               *[]string           `json:"grant_types"`
	ClientMetadata           *map[string]any     `json:"client_metadata"`
	ResourceServerIdentifier *string             `json:"resource_server_identifier"`
	SigningKeys              []map[string]string `json:"signing_keys"`
	RefreshToken             *struct {
		RotationType              *string `json:"rotation_type"`
		ExpirationType            *string `json:"expiration_type"`
		Leeway                    *int    `json:"leeway"`
		TokenLifetime             *int    `json:"token_lifetime"`
		InfiniteTokenLifetime     *bool   `json:"infinite_token_lifetime"`
		InfiniteIdleTokenLifetime *bool   `json:"infinite_idle_token_lifetime"`
		IdleTokenLifetime         *int    `json:"idle_token_lifetime"`
	} `json:"refresh_token"`
}

type v1Scope struct {
	Value       *string `json:"value"`
	Description *string `json:"description"`
}

type v1ResourceServer struct {
	ID                       *string            `json:"id"`
	Name                     *string            `json:"name"`
	Identifier               *string            `json:"identifier"`
	ClientID                 *string            `json:"client_id"`
	Scopes                   *[]v1Scope         `json:"scopes"`
	SigningAlgorithm         *string            `json:"signing_alg"`
	AllowOfflineAccess       *bool              `json:"allow_offline_access"`
	TokenLifetime            *int               `json:"token_lifetime"`
	Options                  *map[string]string `json:"options"`
	SubjectTypeAuthorization *struct {
		User *struct {
			Policy *string `json:"policy"`
		} `json:"user"`
		Client *struct {
			Policy *string `json:"policy"`
		} `json:"client"`
	} `json:"subject_type_authorization"`
}

type v1Connection struct {
	ID             *string         `json:"id"`
	Name           *string         `json:"name"`
	Strategy       *string         `json:"strategy"`
	EnabledClients *[]string       `json:"enabled_clients"`
	Options        json.RawMessage `json:"options"`
}

type v1ConnectionList struct {
	v1List
	Connections []v1Connection `json:"connections"`
}

type v1User struct {
	ID         *string    `json:"user_id"`
	Email      *string    `json:"email"`
	Name       *string    `json:"name"`
	Username   *string    `json:"username"`
	Blocked    *bool      `json:"blocked"`
	CreatedAt  *time.Time `json:"created_at"`
	UpdatedAt  *time.Time `json:"updated_at"`
	Identities []*struct {
		Connection *string `json:"connection"`
		Provider   *string `json:"provider"`
		IsSocial   *bool   `json:"isSocial"`
	} `json:"identities"`
}

type v1ClientGrantList struct {
	v1List
	ClientGrants []struct {
		ID       *string   `json:"id"`
		ClientID *string   `json:"client_id"`
		Audience *string   `json:"audience"`
		Scope    *[]string `json:"scope"`
	} `json:"client_grants"`
}
