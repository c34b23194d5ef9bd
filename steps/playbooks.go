package steps

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/auth0-wizard/auth0-wizard/assets"
	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
)

// Grant types, in Auth0's names.
const (
	GrantClientCredentials = "client_credentials"
	GrantAuthorizationCode = "authorization_code"
	GrantPasswordRealm     = "http://auth0.com/oauth/grant-type/password-realm"
)

// WSO2Scope is the scope WSO2's Auth0 connector requests on the resource
// server for every application it creates.
const WSO2Scope = "default"

// Management API scopes, in one place. Each playbook's RequiredScopes is
// exactly what the engine calls with it (plan, apply, resume and teardown).
var (
	// resource server: find by identifier, create, add the wso2 scope to a
	// reused one, delete on teardown.
	scopesResourceServers = []string{"read:resource_servers", "create:resource_servers", "update:resource_servers", "delete:resource_servers"}
	// client: find by name, create, update a reused one, delete on teardown;
	// read:client_keys reads the secret of a reused client.
	scopesClients = []string{"read:clients", "create:clients", "update:clients", "delete:clients", "read:client_keys"}
	// client grant: find by client and audience, create, add missing
	// scopes, delete on teardown.
	scopesClientGrants = []string{"read:client_grants", "create:client_grants", "update:client_grants", "delete:client_grants"}
	// connection: find by name, create, enable for the client (update), delete.
	scopesConnections = []string{"read:connections", "create:connections", "update:connections", "delete:connections"}
	// user: find by email, create, delete on teardown.
	scopesUsers = []string{"read:users", "create:users", "delete:users"}
)

// The playbooks' actions, as data (the resource model in kinds.go does the
// work).
var (
	wso2Actions = []ActionSpec{
		{ID: ActResourceServer, Kind: KindResourceServer, Inputs: map[string]string{"identifier": "api_identifier"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.APIName + " (" + s.APIIdentifier + ")", ResourceServer: ResourceServer{
					Name: s.APIName, Identifier: s.APIIdentifier, SigningAlg: s.SigningAlg,
					Scopes: []Scope{{Value: WSO2Scope, Description: "Requested by WSO2 API Manager for its applications"}}}}
			}},
		// Without WSO2's credentials: an application made as the connector
		// makes one, with its grant.
		{ID: ActClient, Kind: KindClient, Inputs: map[string]string{"name": "app_name"}, Want: wantApp, When: notWSO2Connected},
		{ID: ActClientGrant, Kind: KindClientGrant, DependsOn: []string{ActResourceServer, ActClient}, When: notWSO2Connected,
			Inputs: map[string]string{"audience": "api_identifier"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.AppName + " → " + s.APIIdentifier, Grant: ClientGrant{Audience: s.APIIdentifier, Scope: []string{WSO2Scope}}}
			}},
	}
	azureActions = []ActionSpec{
		{ID: ActResourceServer, Kind: KindResourceServer, Inputs: map[string]string{"identifier": "api_identifier"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.APIName + " (" + s.APIIdentifier + ")",
					ResourceServer: ResourceServer{Name: s.APIName, Identifier: s.APIIdentifier, SigningAlg: s.SigningAlg}}
			}},
		{ID: ActClient, Kind: KindClient, Inputs: map[string]string{"name": "app_name"}, Want: func(s Settings) Desired {
			d := wantApp(s)
			if s.KeepPasswordRealm {
				d.App.GrantTypes = union(d.App.GrantTypes, []string{GrantPasswordRealm})
			}
			if s.APIMInstance != "" {
				d.App.Callbacks = []string{APIMRedirectURI(s.APIMInstance, s.APIMServer)}
			}
			return d
		}},
		{ID: ActClientGrant, Kind: KindClientGrant, DependsOn: []string{ActResourceServer, ActClient},
			Inputs: map[string]string{"audience": "api_identifier"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.AppName + " → " + s.APIIdentifier, Grant: ClientGrant{Audience: s.APIIdentifier, Scope: []string{}}}
			}},
		{ID: ActConnection, Kind: KindConnection, Inputs: map[string]string{"name": "connection_name"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.ConnectionName, Connection: Connection{Name: s.ConnectionName, Strategy: "auth0"}}
			}},
		{ID: ActConnectionClient, Kind: KindConnectionClient, DependsOn: []string{ActConnection, ActClient},
			Inputs: map[string]string{"connection": "connection_name", "app": "app_name"},
			Want:   func(s Settings) Desired { return Desired{Name: s.ConnectionName + " → " + s.AppName} }},
		{ID: ActUser, Kind: KindUser, DependsOn: []string{ActConnection},
			Inputs: map[string]string{"connection": "connection_name", "email": "user_email"},
			Want: func(s Settings) Desired {
				return Desired{Name: s.UserEmail, User: User{Email: s.UserEmail, Password: s.UserPassword, Connection: s.ConnectionName}}
			}},
	}
)

// DefaultAPIMURL is WSO2 API Manager's own default server URL.
const DefaultAPIMURL = "https://localhost:9443"

func notWSO2Connected(s Settings) bool { return !wso2Connected(s) }

// validateAPIMURL checks the API Manager URL: https, a host (and port), no
// path.
func validateAPIMURL(v string) error {
	u, err := url.Parse(v)
	switch {
	case v == "":
		return fmt.Errorf("enter the API Manager's URL, e.g. %s", DefaultAPIMURL)
	case err != nil || u.Host == "" || !strings.EqualFold(u.Scheme, "https") && !(strings.EqualFold(u.Scheme, "http") && hostname.IsLoopback(u.Hostname())):
		return fmt.Errorf("%q is not an https URL of the API Manager, e.g. %s", Printable(v), DefaultAPIMURL)
	case strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("%q has more than a scheme, host and port: give only https://HOST:PORT", Printable(v))
	}
	return rejectControl("the URL", v)
}

// wantApp is the application a playbook makes: marked as this tool's.
func wantApp(s Settings) Desired {
	return Desired{Name: s.AppName, App: App{Name: s.AppName, AppType: s.AppType, TokenEndpointAuthMethod: s.TokenEndpointAuthMethod,
		GrantTypes: slices.Clone(s.GrantTypes), Metadata: map[string]string{MarkerKey: MarkerValue}}}
}

// Playbooks returns the playbooks: wso2, then azure. Each call returns fresh
// values the caller may keep.
func Playbooks() []Playbook { return []Playbook{wso2Playbook(), azurePlaybook()} }

// PlaybookByID returns the playbook with that id.
func PlaybookByID(id PlaybookID) (Playbook, error) {
	var ids []string
	for _, p := range Playbooks() {
		if p.ID == id {
			return p, nil
		}
		ids = append(ids, string(p.ID))
	}
	return Playbook{}, fmt.Errorf("unknown playbook %q: choose one of %s", Printable(string(id)), strings.Join(ids, ", "))
}

// Step returns the step with that id, if any.
func (p Playbook) Step(id string) (Step, bool) {
	for _, s := range p.Steps {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// Inputs returns every input of every step, in screen order.
func (p Playbook) Inputs() []Input {
	var in []Input
	for _, s := range p.Steps {
		in = append(in, s.Inputs...)
	}
	return in
}

// Validate runs every input's Validate on the (defaulted) settings and
// returns the first failure, naming the input.
func (p Playbook) Validate(s Settings) error {
	if s.Playbook != "" && s.Playbook != p.ID {
		return fmt.Errorf("settings are for playbook %q, not %q", s.Playbook, p.ID)
	}
	return p.validate(s, false)
}

// ValidateGiven is Validate with the secret inputs left empty skipped: a
// secret asked for later (the test user's password, only when the plan makes
// the user) is checked once it is given.
func (p Playbook) ValidateGiven(s Settings) error {
	if s.Playbook != "" && s.Playbook != p.ID {
		return fmt.Errorf("settings are for playbook %q, not %q", s.Playbook, p.ID)
	}
	return p.validate(s, true)
}

// validate runs the inputs' Validate; lenientSecrets skips secret inputs
// left empty (the engine needs the user's password only to create the user
// or log it in, and the management secret lives in the Client).
func (p Playbook) validate(s Settings, lenientSecrets bool) error {
	for _, in := range p.Inputs() {
		if in.Field == nil || in.Validate == nil || in.When != nil && !in.When(s) {
			continue
		}
		v := *in.Field(&s)
		if lenientSecrets && in.Secret && v == "" {
			continue
		}
		if err := in.Validate(v); err != nil {
			return fmt.Errorf("%s: %w", in.Label, err)
		}
	}
	return nil
}

// WithDefaults returns s with every empty input of its playbook set to the
// input's default, and the values no screen asks for set to the playbook's.
// Settings without a playbook get wso2's.
func WithDefaults(s Settings) Settings {
	if s.Playbook == "" {
		s.Playbook = WSO2
	}
	p, err := PlaybookByID(s.Playbook)
	if err != nil {
		return s
	}
	return p.WithDefaults(s)
}

// WithDefaults returns s, for this playbook, with every empty input set to
// its default and the playbook's Defaults applied.
func (p Playbook) WithDefaults(s Settings) Settings {
	s.Playbook = p.ID
	for _, in := range p.Inputs() {
		if in.Field == nil || in.Default == nil {
			continue
		}
		if f := in.Field(&s); *f == "" {
			*f = in.Default(s)
		}
	}
	if p.Defaults != nil {
		p.Defaults(&s)
	}
	return s
}

// ScopeCheck compares the scopes the management token was granted with the
// playbook's RequiredScopes and returns the missing ones, in the playbook's
// order. It is the one place the required list is compared.
func ScopeCheck(p Playbook, granted []string) (missing []string) {
	have := make(map[string]bool, len(granted))
	for _, g := range granted {
		have[g] = true
	}
	for _, r := range p.RequiredScopes {
		if !have[r] {
			missing = append(missing, r)
		}
	}
	return missing
}

// MissingScopesAdvice is the person-readable fix for missing scopes: which
// ones, and where in the dashboard to grant them.
func MissingScopesAdvice(missing []string) string {
	if len(missing) == 0 {
		return ""
	}
	noun := "scope"
	if len(missing) > 1 {
		noun = "scopes"
	}
	return fmt.Sprintf("your Management API application lacks the %s %s: in the Auth0 dashboard open "+
		"Applications → APIs → Auth0 Management API → Machine to Machine Applications → your application, "+
		"tick %s, then Update, and run the check again",
		noun, strings.Join(missing, ", "), map[bool]string{true: "it", false: "each of them"}[len(missing) == 1])
}

// MissingScopesError is what Check returns when the management application
// lacks scopes the playbook needs.
type MissingScopesError struct {
	Missing []string
}

// Error names the missing scopes and says how to grant them.
func (e *MissingScopesError) Error() string { return MissingScopesAdvice(e.Missing) }

func text(p PlaybookID, step string) string { return assets.Text(string(p) + "-" + step) }

func tenantStep(p PlaybookID) Step {
	return Step{
		ID: "tenant", Kind: StepTenant, Title: "Tenant", Explain: text(p, "tenant"),
		Inputs: []Input{{
			Key: "domain", Label: "Tenant domain",
			Help:     "e.g. my-tenant.us.auth0.com or your custom domain; HTTPS is implied",
			Field:    func(s *Settings) *string { return &s.Domain },
			Validate: ValidateDomain,
		}},
	}
}

func managementStep(p PlaybookID) Step {
	return Step{
		ID: "management", Kind: StepManagement, Title: "Management application", Explain: text(p, "management"),
		Inputs: []Input{
			{
				Key: "client_id", Label: "Client ID",
				Help:     "of the machine-to-machine application authorized for the Auth0 Management API",
				Field:    func(s *Settings) *string { return &s.ClientID },
				Validate: validateToken("a client ID"),
			},
			{
				Key: "client_secret", Label: "Client secret", Secret: true,
				Help:     "that application's secret (Settings tab); never written to disk",
				Field:    func(s *Settings) *string { return &s.ClientSecret },
				Validate: validateToken("the client secret"),
			},
			{
				Key: "audience", Label: "Management API audience",
				Help:     "https://DOMAIN/api/v2/ unless you use a custom one; it must end with /",
				Field:    func(s *Settings) *string { return &s.Audience },
				Default:  func(s Settings) string { return ManagementAudience(s.Domain) },
				Validate: validateAudience,
			},
		},
	}
}

func wso2Playbook() Playbook {
	return Playbook{
		ID:      WSO2,
		Title:   "WSO2 API Manager 3.2.0 with Auth0",
		Summary: "Auth0 as the key manager of WSO2 API Manager: the resource server, an application with its client grant, a verified token and the key manager configuration",
		Actions: slices.Concat(wso2Actions, wso2SideActions()),
		Expand:  authorizeActions,
		Defaults: func(s *Settings) {
			if len(s.GrantTypes) == 0 {
				s.GrantTypes = []string{GrantClientCredentials}
			}
		},
		RequiredScopes: ScopesFor(wso2Actions),

		Gateway: Gateway{
			Title:     "WSO2 admin portal: Add Key Manager (type Auth0)",
			Requester: "WSO2's connector",
			Checks:    []string{CheckConnectorApps, CheckKeyManager},
			Fields:    KeyManagerFields,
			Exports:   []string{FormatJSON, FormatDotenv, FormatWSO2},
		},
		Steps: []Step{
			tenantStep(WSO2),
			managementStep(WSO2),
			{
				ID: "apim", Kind: StepAPIM, Title: "WSO2 API Manager", Explain: text(WSO2, "apim"),
				Inputs: []Input{
					{
						Key: "apim_url", Label: "API Manager URL",
						Help:     "its management address, e.g. https://apim.example.com:9443 (WSO2's default is https://localhost:9443)",
						Field:    func(s *Settings) *string { return &s.APIMURL },
						Default:  func(Settings) string { return DefaultAPIMURL },
						Validate: validateAPIMURL,
					},
					{
						Key: "wso2_admin_user", Label: "Admin user",
						Help:     "a WSO2 user with the admin role (apim:admin, apim:admin_operations)",
						Field:    func(s *Settings) *string { return &s.WSO2AdminUser },
						Default:  func(Settings) string { return "admin" },
						Validate: validateName("a user name", 200),
					},
					{
						Key: "wso2_admin_password", Label: "Admin password", Secret: true,
						Help:  "leave empty to do WSO2's side by hand; never written to disk",
						Field: func(s *Settings) *string { return &s.WSO2AdminPassword },
					},
					{
						Key: "wso2_app_name", Label: "Developer portal application",
						Help:     "the WSO2 application whose production keys WSO2 generates with the Auth0 key manager",
						Field:    func(s *Settings) *string { return &s.WSO2AppName },
						Default:  func(Settings) string { return "Auth0WizardApp" },
						Validate: validateName("an application name", 70),
						When:     wso2Connected,
					},
				},
			},
			{
				ID: "key_manager", Kind: StepKeyManager, Title: "WSO2 key manager", Explain: text(WSO2, "key_manager"),
				Inputs: []Input{
					{
						Key: "key_manager_name", Label: "Key manager name",
						Help:     "the key manager's name in WSO2 (letters, digits, '-', '_', '.'); shown to developers when they generate keys",
						Field:    func(s *Settings) *string { return &s.KeyManagerName },
						Default:  func(Settings) string { return "Auth0" },
						Validate: validateKeyManagerName,
					},
					{
						Key: "key_manager_display_name", Label: "Display name",
						Help:     "how the developer portal lists it",
						Field:    func(s *Settings) *string { return &s.KeyManagerDisplayName },
						Default:  func(Settings) string { return "Auth0" },
						Validate: validateName("a display name", 100),
					},
				},
			},
			{
				ID: "resource_server", Kind: StepResourceServer, Title: "Resource server", Explain: text(WSO2, "resource_server"),
				Actions: []ResourceKind{KindResourceServer},
				Inputs: []Input{
					{
						Key: "api_name", Label: "API name",
						Help:     "the name of the Auth0 API WSO2 applications are authorized for",
						Field:    func(s *Settings) *string { return &s.APIName },
						Default:  func(Settings) string { return "WSO2 resource server API" },
						Validate: validateName("an API name", 200),
					},
					{
						Key: "api_identifier", Label: "API identifier (audience)",
						Help:  "the audience of its tokens and the developer portal's \"audience of API\"; cannot be changed later",
						Field: func(s *Settings) *string { return &s.APIIdentifier },
						Default: func(s Settings) string {
							if s.APIMURL == "" {
								return DefaultAPIMURL
							}
							return s.APIMURL
						},
						Validate: validateIdentifier,
					},
				},
			},
			{
				ID: "application", Kind: StepApplication, Title: "Application keys", Explain: text(WSO2, "application"),
				Actions: []ResourceKind{KindClient, KindClientGrant},
				Inputs: []Input{
					{
						Key: "app_name", Label: "Application name",
						Help:     "the Auth0 application that holds the keys; marked in its metadata as made by auth0-wizard",
						When:     func(s Settings) bool { return !wso2Connected(s) },
						Field:    func(s *Settings) *string { return &s.AppName },
						Default:  func(Settings) string { return "WSO2 APIM application" },
						Validate: validateName("an application name", 200),
					},
					{
						Key: "app_type", Label: "Application type",
						Help:     "regular_web is what WSO2's connector creates by default; non_interactive is Auth0's machine-to-machine type; both can use client credentials",
						Options:  []string{"regular_web", "non_interactive"},
						Field:    func(s *Settings) *string { return &s.AppType },
						Default:  func(Settings) string { return "regular_web" },
						Validate: validateOption("regular_web", "non_interactive"),
					},
					{
						Key: "token_endpoint_auth_method", Label: "Token endpoint authentication",
						Help:     "client_secret_basic (the connector's default) sends the keys in an Authorization: Basic header; client_secret_post sends them in the body",
						Options:  []string{"client_secret_basic", "client_secret_post"},
						Field:    func(s *Settings) *string { return &s.TokenEndpointAuthMethod },
						Default:  func(Settings) string { return "client_secret_basic" },
						Validate: validateOption("client_secret_basic", "client_secret_post"),
					},
				},
			},
			{ID: "summary", Kind: StepSummary, Title: "Summary", Explain: text(WSO2, "summary")},
		},
	}
}

func azurePlaybook() Playbook {
	return Playbook{
		ID:      Azure,
		Title:   "Auth0 for Azure API Management",
		Summary: "Auth0 as the OAuth 2.0 authorization server of Azure API Management: an API, a machine-to-machine application, a database connection and a test user, with a verified token and the validate-jwt policy",
		Actions: azureActions,
		Defaults: func(s *Settings) {
			if len(s.GrantTypes) == 0 {
				// client_credentials for the wizard's test token,
				// authorization_code for the APIM developer portal; the
				// password-realm grant only for the test login (least
				// privilege), unless asked to keep it.
				s.GrantTypes = []string{GrantClientCredentials, GrantAuthorizationCode}
			}
			if s.AppType == "" {
				s.AppType = "non_interactive"
			}
			if s.TokenEndpointAuthMethod == "" {
				s.TokenEndpointAuthMethod = "client_secret_basic"
			}
		},
		RequiredScopes: ScopesFor(azureActions),
		Gateway: Gateway{
			Title:     "Azure API Management: OAuth 2.0 authorization server",
			Requester: "Azure API Management",
			Fields:    AzureFields,
			Exports:   []string{FormatJSON, FormatDotenv, FormatAzurePolicy},
			ShowsUser: true,
		},
		Steps: []Step{
			tenantStep(Azure),
			managementStep(Azure),
			{
				ID: "resource_server", Kind: StepResourceServer, Title: "API", Explain: text(Azure, "resource_server"),
				Actions: []ResourceKind{KindResourceServer},
				Inputs: []Input{
					{
						Key: "api_name", Label: "API name",
						Help:     "a descriptive name for the API",
						Field:    func(s *Settings) *string { return &s.APIName },
						Default:  func(Settings) string { return "Basic Calculator" },
						Validate: validateName("an API name", 200),
					},
					{
						Key: "api_identifier", Label: "Identifier (audience)",
						Help:     "a logical identifier, the audience of its tokens and of validate-jwt; cannot be changed later",
						Field:    func(s *Settings) *string { return &s.APIIdentifier },
						Default:  func(Settings) string { return "basic-calculator" },
						Validate: validateIdentifier,
					},
					{
						Key: "signing_alg", Label: "Signing algorithm",
						Help:     "RS256: signed with the tenant's published keys (the gateway verifies them by itself); HS256: signed with a secret of the API",
						Options:  []string{"RS256", "HS256"},
						Field:    func(s *Settings) *string { return &s.SigningAlg },
						Default:  func(Settings) string { return "RS256" },
						Validate: validateOption("RS256", "HS256"),
					},
				},
			},
			{
				ID: "application", Kind: StepApplication, Title: "Application", Explain: text(Azure, "application"),
				Actions: []ResourceKind{KindClient, KindClientGrant},
				Inputs: []Input{
					{
						Key: "app_name", Label: "Application name",
						Help:     "the machine-to-machine application Azure API Management uses; marked in its metadata as made by auth0-wizard",
						Field:    func(s *Settings) *string { return &s.AppName },
						Default:  func(s Settings) string { return "Azure API Management" },
						Validate: validateName("an application name", 200),
					},
					{
						Key: "apim_instance", Label: "APIM instance name (optional)",
						Help:     "the name of your API Management service (INSTANCE.azure-api.net); adds its developer portal redirect URI to the allowed callbacks",
						Field:    func(s *Settings) *string { return &s.APIMInstance },
						Validate: validateAPIMName(true),
					},
					{
						Key: "apim_server", Label: "APIM authorization server name",
						Help:     "the name you give the OAuth 2.0 authorization server in APIM; ends the redirect URI",
						Field:    func(s *Settings) *string { return &s.APIMServer },
						Default:  func(Settings) string { return "auth0" },
						Validate: validateAPIMName(false),
					},
				},
			},
			{
				ID: "connection", Kind: StepConnection, Title: "Connection", Explain: text(Azure, "connection"),
				Actions: []ResourceKind{KindConnection, KindConnectionClient},
				Inputs: []Input{{
					Key: "connection_name", Label: "Database connection name",
					Help:     "letters, digits and '-', starting and ending with a letter or digit, e.g. BasicCalculator",
					Field:    func(s *Settings) *string { return &s.ConnectionName },
					Default:  func(Settings) string { return "BasicCalculator" },
					Validate: validateConnectionName,
				}},
			},
			{
				ID: "user", Kind: StepUser, Title: "Test user", Explain: text(Azure, "user"),
				Actions: []ResourceKind{KindUser},
				Inputs: []Input{
					{
						Key: "user_email", Label: "Email",
						Help:     "the test user's email, its login name in the connection",
						Field:    func(s *Settings) *string { return &s.UserEmail },
						Validate: validateEmail,
					},
					{
						Key: "user_password", Label: "Password", Secret: true,
						Help:     "at least 8 characters with 3 of: lower case, upper case, digits, special characters (policy \"good\"); never written to disk",
						Field:    func(s *Settings) *string { return &s.UserPassword },
						Validate: ValidatePassword,
					},
				},
			},
			{ID: "summary", Kind: StepSummary, Title: "Summary", Explain: text(Azure, "summary")},
		},
	}
}

// ManagementAudience returns the default Management API audience of a
// tenant domain: https://DOMAIN/api/v2/ (http:// for a plain-HTTP loopback
// sandbox given as an http:// URL, in any case).
func ManagementAudience(domain string) string {
	h := domainHost(domain)
	if h == "" {
		return ""
	}
	return hostname.Scheme(domain) + "://" + h + "/api/v2/"
}

// domainHost is the host[:port] of a tenant domain (hostname.Of): its
// scheme, in any case, and a trailing slash removed.
func domainHost(domain string) string { return hostname.Of(domain) }

// ValidateDomain checks a tenant domain as PRODUCT.md defines it
// (hostname.ParseDomain, the one check): a host with an optional port
// (HTTPS implied), an https:// URL of one, or an http:// URL of a loopback
// address; the scheme in any case; no path, query, fragment or user info.
// White space around it is not counted (the tenant screen trims it).
func ValidateDomain(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return errors.New("enter the tenant domain, e.g. my-tenant.us.auth0.com")
	}
	_, err := hostname.ParseDomain(v)
	return err
}

func validateToken(what string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("enter %s", what)
		}
		if strings.IndexFunc(v, unicode.IsSpace) >= 0 {
			return fmt.Errorf("%s contains white space: paste it again without spaces or line breaks", what)
		}
		return nil
	}
}

func validateAudience(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not a URL: the Management API audience looks like https://DOMAIN/api/v2/", v)
	}
	if !strings.HasSuffix(v, "/") {
		return fmt.Errorf("%q must end with / (the WSO2 connector appends \"clients\" to it)", v)
	}
	return nil
}

func validateName(what string, max int) func(string) error {
	return func(v string) error {
		switch {
		case strings.TrimSpace(v) == "":
			return fmt.Errorf("enter %s", what)
		case len(v) > max:
			return fmt.Errorf("%s is at most %d characters", what, max)
		case strings.ContainsAny(v, "<>"):
			return fmt.Errorf("%s cannot contain < or >", what)
		}
		return rejectControl(what, v)
	}
}

func validateKeyManagerName(v string) error {
	if v == "" {
		return fmt.Errorf("enter a key manager name, e.g. Auth0")
	}
	for _, r := range v {
		if !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) || r == '-' || r == '_' || r == '.') {
			return fmt.Errorf("%q: use only letters, digits, '-', '_' and '.'", v)
		}
	}
	return nil
}

func validateIdentifier(v string) error {
	if err := rejectControl("the identifier", v); err != nil {
		return err
	}
	switch {
	case v == "":
		return fmt.Errorf("enter an identifier, e.g. basic-calculator or https://api.example.com/")
	case strings.IndexFunc(v, unicode.IsSpace) >= 0:
		return fmt.Errorf("%q contains white space", v)
	case len(v) > 600:
		return fmt.Errorf("an identifier is at most 600 characters")
	case strings.HasSuffix(v, "/api/v2/") && strings.HasPrefix(v, "https://"):
		return fmt.Errorf("%q looks like the Management API's audience: give your own API its own identifier", v)
	}
	return nil
}

func validateOption(opts ...string) func(string) error {
	return func(v string) error {
		if slices.Contains(opts, v) {
			return nil
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(opts, ", "))
	}
}

func isAlnum(r rune) bool { return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

func validateConnectionName(v string) error {
	if v == "" {
		return fmt.Errorf("enter a connection name, e.g. BasicCalculator")
	}
	if len(v) > 128 {
		return fmt.Errorf("a connection name is at most 128 characters")
	}
	rs := []rune(v)
	if !isAlnum(rs[0]) || !isAlnum(rs[len(rs)-1]) {
		return fmt.Errorf("%q must start and end with a letter or digit", v)
	}
	for _, r := range rs {
		if !isAlnum(r) && r != '-' {
			return fmt.Errorf("%q: use only letters, digits and '-'", v)
		}
	}
	return nil
}

func validateAPIMName(optional bool) func(string) error {
	return func(v string) error {
		if v == "" {
			if optional {
				return nil
			}
			return fmt.Errorf("enter a name")
		}
		if len(v) > 50 {
			return fmt.Errorf("%q is longer than 50 characters", v)
		}
		rs := []rune(v)
		if !(rs[0] < unicode.MaxASCII && unicode.IsLetter(rs[0])) || !isAlnum(rs[len(rs)-1]) {
			return fmt.Errorf("%q must start with a letter and end with a letter or digit", v)
		}
		for _, r := range rs {
			if !isAlnum(r) && r != '-' {
				return fmt.Errorf("%q: use only letters, digits and '-'", v)
			}
		}
		return nil
	}
}

func validateEmail(v string) error {
	if err := rejectControl("the email address", v); err != nil {
		return err
	}
	if !strings.Contains(v, "@") {
		// Not echoed: without an @ this is most likely something else
		// typed into the wrong field, the test user's password say.
		return fmt.Errorf("that is not an email address (it has no @): type one, e.g. jane@example.com")
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@")+1:], ".") && !strings.HasSuffix(v, "@localhost") {
		return fmt.Errorf("%q is not an email address, e.g. jane@example.com", v)
	}
	return nil
}

// ValidatePassword checks a password against Auth0's "good" policy (the
// default of a new database connection): at least 8 characters with 3 of
// lower case, upper case, digits and special characters. A connection with a
// stricter policy may still refuse it; the tenant's error is then shown.
func ValidatePassword(v string) error {
	return PasswordPolicy{}.Check(v)
}
