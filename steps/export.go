package steps

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/auth0-wizard/auth0-wizard/assets"
)

// Masked is how a secret is shown unless secrets are revealed.
const Masked = "********"

// Export formats, by name.
const (
	FormatJSON        = "json"
	FormatDotenv      = "dotenv"
	FormatWSO2        = "wso2"
	FormatAzurePolicy = "azure-policy"
)

// ExportFormat is one entry of the export registry: a format a result can
// be written in. Which formats a playbook offers is the playbook's data
// (Playbook.Gateway.Exports); what a format holds is here.
type ExportFormat struct {
	Name string // the --export value and the summary screen's menu entry
	// FileSuffix ends the name of the file the wizard writes the format to
	// (auth0-wizard-<playbook><FileSuffix>): the extension with its dot,
	// after a word that keeps two JSON formats apart.
	FileSuffix string
	// Render turns a result into the format's bytes.
	Render func(r Result, s Settings, reveal bool) (Rendered, error)
	// Masks says what the format hides without reveal, for a front end's
	// note ("AUTH0_CLIENT_SECRET is left out").
	Masks string
	// MaskedWarning, when set, is what headless apply tells a person who
	// wrote the file with its secret masked (one %s: the file's path): the
	// file is of no use until the secret is filled in.
	MaskedWarning string
}

// Rendered is an export's bytes and what they hold.
type Rendered struct {
	Data []byte
	// Secret says the bytes hold a secret (only with reveal): a file
	// holding them must be written 0600.
	Secret bool
	// Masked says a secret was masked or left out (reveal would put it in).
	Masked bool
}

// exportRegistry holds every format, in menu order.
var exportRegistry = []ExportFormat{
	{Name: FormatJSON, FileSuffix: ".json", Render: renderJSON,
		Masks: `its "client_secret" is masked (` + Masked + `)`},
	{Name: FormatDotenv, FileSuffix: ".env", Render: renderDotenv,
		Masks: "AUTH0_CLIENT_SECRET is left out"},
	{Name: FormatWSO2, FileSuffix: "-keymanager.json", Render: renderKeyManager,
		Masks: `its "client_secret" is masked (` + Masked + `)`,
		MaskedWarning: "the key manager JSON in %s holds client_secret \"" + Masked + "\", masked: add --reveal-secrets to write the " +
			"management application's secret into it, or fill it in the admin portal's Add Key Manager form before use"},
	{Name: FormatAzurePolicy, FileSuffix: "-validate-jwt.xml", Render: renderAzurePolicy,
		Masks: "the API's signing secret is left out"},
}

// ExportFormats returns the export formats' names, in menu order.
func ExportFormats() []string {
	names := make([]string, 0, len(exportRegistry))
	for _, f := range exportRegistry {
		names = append(names, f.Name)
	}
	return names
}

// ExportFormatByName returns the registry's entry for a format.
func ExportFormatByName(name string) (ExportFormat, error) {
	for _, f := range exportRegistry {
		if f.Name == name {
			return f, nil
		}
	}
	return ExportFormat{}, fmt.Errorf("unknown export format %q: choose one of %s", name, strings.Join(ExportFormats(), ", "))
}

// ExportFormatsFor lists the formats that make sense after a playbook, as
// its gateway data says (Playbook.Gateway.Exports); every format for an
// unknown playbook.
func ExportFormatsFor(id PlaybookID) []string {
	if p, err := PlaybookByID(id); err == nil {
		return slices.Clone(p.Gateway.Exports)
	}
	return ExportFormats()
}

// Field is one value of a gateway's form, for the summary screen.
type Field struct {
	Label  string
	Value  string
	Secret bool   // Value is masked unless revealed; copy it with care
	Help   string // a short note on where it goes or why
}

func mask(secret string, reveal bool) string {
	if reveal || secret == "" {
		return secret
	}
	return Masked
}

// Export renders r in a format (see ExportFormatByName and Render).
// secret reports whether the bytes carry a secret (only with reveal): a
// file holding them must be written 0600.
//
//   - json: the headless output contract object of PRODUCT.md.
//   - dotenv: the new application's settings for the API and its clients
//     (AUTH0_DOMAIN, AUTH0_ISSUER, AUTH0_TOKEN_ENDPOINT, AUTH0_JWKS_URI,
//     AUTH0_AUDIENCE = the API identifier, AUTH0_CLIENT_ID, and
//     AUTH0_CLIENT_SECRET only with reveal, else a comment; a run that made
//     or reused a connection adds AUTH0_CONNECTION).
//   - wso2: the key manager JSON of WSO2 API Manager 3.2.0's Admin REST API v1
//     (POST /api/am/admin/v1/key-managers).
//   - azure-policy: an API policy document whose inbound validate-jwt accepts
//     only tokens this tenant issued for the API.
func Export(format string, r Result, s Settings, reveal bool) (data []byte, secret bool, err error) {
	out, err := Render(format, r, s, reveal)
	return out.Data, out.Secret, err
}

// Render renders r in a format, saying whether the bytes hold or mask a
// secret.
func Render(format string, r Result, s Settings, reveal bool) (Rendered, error) {
	f, err := ExportFormatByName(format)
	if err != nil {
		return Rendered{}, err
	}
	return f.Render(r, WithDefaults(s), reveal)
}

func renderJSON(r Result, _ Settings, reveal bool) (Rendered, error) {
	b, err := json.MarshalIndent(Output(r, reveal), "", "  ")
	if err != nil {
		return Rendered{}, fmt.Errorf("encode json export: %w", err)
	}
	return Rendered{Data: append(b, '\n'), Secret: reveal && r.ClientSecret != "", Masked: !reveal && r.ClientSecret != ""}, nil
}

func renderKeyManager(r Result, s Settings, reveal bool) (Rendered, error) {
	b, err := json.MarshalIndent(KeyManager(r, s, reveal), "", "  ")
	if err != nil {
		return Rendered{}, fmt.Errorf("encode wso2 key manager: %w", err)
	}
	return Rendered{Data: append(b, '\n'), Secret: reveal && s.ClientSecret != "", Masked: !reveal && s.ClientSecret != ""}, nil
}

// template parses an export template once, at its first use; a template
// missing from assets is an error, not an empty file.
func exportTemplate(name string, funcs template.FuncMap) func() (*template.Template, error) {
	return sync.OnceValues(func() (*template.Template, error) {
		text := assets.Template(name)
		if text == "" {
			return nil, fmt.Errorf("export template %s is missing from assets/templates", name)
		}
		t, err := template.New(name).Funcs(funcs).Option("missingkey=error").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("parse export template %s: %w", name, err)
		}
		return t, nil
	})
}

var (
	dotenvTemplate      = exportTemplate("dotenv.tmpl", template.FuncMap{"env": dotenvQuote})
	azurePolicyTemplate = exportTemplate("azure-policy.xml.tmpl", template.FuncMap{"xml": xmlEscape})
)

// OutputDocument is the headless output contract of PRODUCT.md
// (`apply --output json`): exactly these keys.
type OutputDocument struct {
	Playbook     PlaybookID       `json:"playbook"`
	Domain       string           `json:"domain"`
	Endpoints    Endpoints        `json:"endpoints"`
	Resources    []OutputResource `json:"resources"`
	ClientID     string           `json:"client_id"`
	ClientSecret string           `json:"client_secret"`
	Audience     string           `json:"audience"`
	Token        OutputToken      `json:"token"`
	Journal      string           `json:"journal"`
	// WSO2 is WSO2 API Manager's side, when the run did it.
	WSO2 *OutputWSO2 `json:"wso2,omitempty"`
}

// OutputWSO2 is the `wso2` object of the output contract: where API
// Manager is, the ids of the key manager and the developer-portal
// application the run made or reused there, and whether the token WSO2
// generated verified.
type OutputWSO2 struct {
	URL           string          `json:"url"`
	KeyManagerID  string          `json:"key_manager_id"`
	ApplicationID string          `json:"application_id"`
	Token         OutputWSO2Token `json:"token"`
}

// OutputWSO2Token is whether the token WSO2 generated verified.
type OutputWSO2Token struct {
	Verified bool `json:"verified"`
}

// OutputResource is one resource of the output contract.
type OutputResource struct {
	Kind   ResourceKind `json:"kind"`
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	Action string       `json:"action"`
}

// OutputToken is the test token of the output contract.
type OutputToken struct {
	Verified bool           `json:"verified"`
	Claims   map[string]any `json:"claims"`
}

// Output builds the headless output contract object from a result; the
// client secret is masked unless reveal.
func Output(r Result, reveal bool) OutputDocument {
	d := OutputDocument{
		Playbook: r.Playbook, Domain: r.Domain, Endpoints: r.Endpoints,
		Resources: []OutputResource{}, ClientID: r.ClientID, ClientSecret: mask(r.ClientSecret, reveal),
		Audience: r.Audience, Token: OutputToken{Verified: r.Token.Verified, Claims: r.Token.Claims}, Journal: r.JournalPath,
	}
	if d.Token.Claims == nil {
		d.Token.Claims = map[string]any{}
	}
	if w := r.WSO2; w != nil {
		d.WSO2 = &OutputWSO2{URL: w.URL, KeyManagerID: w.KeyManagerID, ApplicationID: w.ApplicationID, Token: OutputWSO2Token{Verified: w.Token.Verified}}
	}
	for _, res := range r.Resources {
		if res.Kind == KindConnectionClient {
			continue
		}
		d.Resources = append(d.Resources, OutputResource(res))
	}
	return d
}

type envVar struct{ Name, Value, Comment string }

func renderDotenv(r Result, s Settings, reveal bool) (Rendered, error) {
	t, err := dotenvTemplate()
	if err != nil {
		return Rendered{}, err
	}
	vars := []envVar{
		{Name: "AUTH0_DOMAIN", Value: r.Domain},
		{Name: "AUTH0_ISSUER", Value: r.Endpoints.Issuer},
		{Name: "AUTH0_TOKEN_ENDPOINT", Value: r.Endpoints.TokenEndpoint},
		{Name: "AUTH0_JWKS_URI", Value: r.Endpoints.JWKSURI},
		{Name: "AUTH0_AUDIENCE", Value: r.Audience},
		{Name: "AUTH0_CLIENT_ID", Value: r.ClientID},
	}
	secret := reveal && r.ClientSecret != ""
	if secret {
		vars = append(vars, envVar{Name: "AUTH0_CLIENT_SECRET", Value: r.ClientSecret})
	} else {
		vars = append(vars, envVar{Comment: "AUTH0_CLIENT_SECRET is left out: export again with the secret shown to include it (s on the wizard's summary, or --reveal-secrets)"})
	}
	if slices.ContainsFunc(r.Resources, func(x Resource) bool { return x.Kind == KindConnection }) {
		// The users log in through the run's connection: the API's clients name it.
		vars = append(vars, envVar{Name: "AUTH0_CONNECTION", Value: s.ConnectionName})
	}
	var b bytes.Buffer
	err = t.Execute(&b, struct {
		AppName  string
		Playbook PlaybookID
		Vars     []envVar
	}{oneLine(s.AppName), r.Playbook, vars})
	if err != nil {
		return Rendered{}, fmt.Errorf("render dotenv: %w", err)
	}
	return Rendered{Data: b.Bytes(), Secret: secret, Masked: !secret && r.ClientSecret != ""}, nil
}

// dotenvQuote double-quotes a value so that dotenv parsers and POSIX shells
// read it back unchanged.
func dotenvQuote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`", "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}

func oneLine(s string) string { return strings.NewReplacer("\n", " ", "\r", " ").Replace(s) }

// KeyManagerDTO is WSO2 API Manager 3.2.0's Admin REST API v1 KeyManager
// for the Auth0 connector.
type KeyManagerDTO struct {
	Name                       string               `json:"name"`
	DisplayName                string               `json:"displayName"`
	Type                       string               `json:"type"`
	Description                string               `json:"description"`
	WellKnownEndpoint          string               `json:"wellKnownEndpoint"`
	IntrospectionEndpoint      string               `json:"introspectionEndpoint"`
	ClientRegistrationEndpoint string               `json:"clientRegistrationEndpoint"`
	TokenEndpoint              string               `json:"tokenEndpoint"`
	RevokeEndpoint             string               `json:"revokeEndpoint"`
	UserInfoEndpoint           string               `json:"userInfoEndpoint"`
	AuthorizeEndpoint          string               `json:"authorizeEndpoint"`
	Certificates               KeyManagerCert       `json:"certificates"`
	Issuer                     string               `json:"issuer"`
	ScopeManagementEndpoint    string               `json:"scopeManagementEndpoint"`
	AvailableGrantTypes        []string             `json:"availableGrantTypes"`
	EnableTokenGeneration      bool                 `json:"enableTokenGeneration"`
	EnableTokenEncryption      bool                 `json:"enableTokenEncryption"`
	EnableTokenHashing         bool                 `json:"enableTokenHashing"`
	EnableMapOAuthConsumerApps bool                 `json:"enableMapOAuthConsumerApps"`
	EnableOAuthAppCreation     bool                 `json:"enableOAuthAppCreation"`
	EnableSelfValidationJWT    bool                 `json:"enableSelfValidationJWT"`
	ClaimMapping               []KeyManagerClaimMap `json:"claimMapping"`
	ConsumerKeyClaim           string               `json:"consumerKeyClaim"`
	ScopesClaim                string               `json:"scopesClaim"`
	TokenValidation            []KeyManagerTokenVal `json:"tokenValidation"`
	Enabled                    bool                 `json:"enabled"`
	AdditionalProperties       KeyManagerConnector  `json:"additionalProperties"`
}

// KeyManagerCert is how WSO2 gets the key manager's signing keys.
type KeyManagerCert struct {
	Type  string `json:"type"` // JWKS or PEM
	Value string `json:"value"`
}

// KeyManagerClaimMap maps a remote claim to a local one.
type KeyManagerClaimMap struct {
	RemoteClaim string `json:"remoteClaim"`
	LocalClaim  string `json:"localClaim"`
}

// KeyManagerTokenVal is a token handling option.
type KeyManagerTokenVal struct {
	ID     int    `json:"id"`
	Enable bool   `json:"enable"`
	Type   string `json:"type"` // REFERENCE, JWT or CUSTOM
	Value  any    `json:"value"`
}

// KeyManagerConnector is the Auth0 connector's configuration: the management
// application's keys and audience, which the connector uses to create
// applications in Auth0.
type KeyManagerConnector struct {
	ClientID        string `json:"client_id"`
	ClientSecret    string `json:"client_secret"`
	Audience        string `json:"audience"`
	SelfValidateJWT bool   `json:"self_validate_jwt"`
}

// keyManagerGrantTypes are offered to WSO2 developers, in Auth0's names.
func keyManagerGrantTypes() []string {
	return []string{"client_credentials", "authorization_code", "refresh_token", "password", "implicit"}
}

// KeyManager builds the WSO2 key manager for the tenant. Its connector
// configuration is the management application's (Settings.ClientID,
// ClientSecret, Audience), not the new application's; the secret is masked
// unless reveal.
func KeyManager(r Result, s Settings, reveal bool) KeyManagerDTO {
	s = WithDefaults(s)
	ep := r.Endpoints
	return KeyManagerDTO{
		Name:                       s.KeyManagerName,
		DisplayName:                s.KeyManagerDisplayName,
		Type:                       "Auth0",
		Description:                "Auth0 tenant " + r.Domain + " (configured by auth0-wizard)",
		WellKnownEndpoint:          ep.OpenIDConfiguration,
		IntrospectionEndpoint:      "none",
		ClientRegistrationEndpoint: s.Audience + "clients",
		TokenEndpoint:              ep.TokenEndpoint,
		RevokeEndpoint:             ep.RevocationEndpoint,
		UserInfoEndpoint:           ep.UserinfoEndpoint,
		AuthorizeEndpoint:          ep.AuthorizationEndpoint,
		Certificates:               KeyManagerCert{Type: "JWKS", Value: ep.JWKSURI},
		Issuer:                     ep.Issuer,
		ScopeManagementEndpoint:    "none",
		AvailableGrantTypes:        keyManagerGrantTypes(),
		EnableTokenGeneration:      true,
		EnableTokenEncryption:      false,
		EnableTokenHashing:         false,
		EnableMapOAuthConsumerApps: true,
		EnableOAuthAppCreation:     true,
		EnableSelfValidationJWT:    true,
		ClaimMapping:               []KeyManagerClaimMap{},
		ConsumerKeyClaim:           "azp",
		ScopesClaim:                "scope",
		TokenValidation: []KeyManagerTokenVal{{ID: 0, Enable: true, Type: "JWT",
			Value: map[string]any{"body": map[string]string{"iss": ep.Issuer}}}},
		Enabled: true,
		AdditionalProperties: KeyManagerConnector{
			ClientID: s.ClientID, ClientSecret: mask(s.ClientSecret, reveal), Audience: s.Audience, SelfValidateJWT: true,
		},
	}
}

// KeyManagerFields returns the WSO2 admin portal's "Add Key Manager" form
// for type Auth0, in the form's order, with values.
func KeyManagerFields(r Result, s Settings, reveal bool) []Field {
	k := KeyManager(r, s, reveal)
	return []Field{
		{Label: "Name", Value: k.Name},
		{Label: "Display Name", Value: k.DisplayName},
		{Label: "Description", Value: k.Description},
		{Label: "Key Manager Type", Value: k.Type},
		{Label: "Well-known URL", Value: k.WellKnownEndpoint, Help: "then Import fills the endpoints below"},
		{Label: "Issuer", Value: k.Issuer, Help: "with the trailing slash, as in the tokens' iss"},
		{Label: "Client Registration Endpoint", Value: k.ClientRegistrationEndpoint, Help: "the connector creates applications here (audience + clients)"},
		{Label: "Introspection Endpoint", Value: k.IntrospectionEndpoint, Help: "Auth0 has none: tokens are self-validated"},
		{Label: "Token Endpoint", Value: k.TokenEndpoint},
		{Label: "Revoke Endpoint", Value: k.RevokeEndpoint},
		{Label: "Userinfo Endpoint", Value: k.UserInfoEndpoint},
		{Label: "Authorize Endpoint", Value: k.AuthorizeEndpoint},
		{Label: "Scope Management Endpoint", Value: k.ScopeManagementEndpoint, Help: "not used by the Auth0 connector"},
		{Label: "Consumer Key Claim URI", Value: k.ConsumerKeyClaim},
		{Label: "Scopes Claim URI", Value: k.ScopesClaim},
		{Label: "Grant Types", Value: strings.Join(k.AvailableGrantTypes, " "), Help: "Auth0's names; offered to developers when they generate keys"},
		{Label: "Certificates", Value: "JWKS: " + k.Certificates.Value},
		{Label: "Token Validation Method", Value: "Self validate JWT", Help: "Auth0 access tokens are JWTs signed with the tenant's keys"},
		{Label: "Token Handling Options", Value: "JWT, iss = " + k.Issuer},
		{Label: "Client ID", Value: k.AdditionalProperties.ClientID, Help: "the management application's, not the new application's"},
		{Label: "Client Secret", Value: k.AdditionalProperties.ClientSecret, Secret: true, Help: "the management application's secret"},
		{Label: "Audience", Value: k.AdditionalProperties.Audience, Help: "the Management API audience"},
	}
}

// AzureFields returns the values of Azure API Management's "OAuth 2.0
// authorization server" form (APIs → OAuth 2.0 + OpenID Connect → Add), in
// the form's order.
func AzureFields(r Result, s Settings, reveal bool) []Field {
	s = WithDefaults(s)
	ep := r.Endpoints
	authorize := ep.AuthorizationEndpoint
	if authorize != "" && r.Audience != "" {
		authorize += "?audience=" + url.QueryEscape(r.Audience)
	}
	fields := []Field{
		{Label: "Display name", Value: "Auth0"},
		{Label: "Name", Value: s.APIMServer, Help: "the last segment of the developer portal's redirect URI"},
		{Label: "Client registration page URL", Value: "http://localhost", Help: "a placeholder: users are not registered through APIM"},
		{Label: "Authorization grant types", Value: "Authorization code"},
		{Label: "Authorization endpoint URL", Value: authorize, Help: "audience= asks Auth0 for an access token (a JWT) for this API in the code flow; without it (and without a tenant Default Audience) validate-jwt rejects the token"},
		{Label: "Authorization request method", Value: "GET"},
		{Label: "Token endpoint URL", Value: ep.TokenEndpoint},
		{Label: "Client authentication methods", Value: "Basic"},
		{Label: "Access token sending method", Value: "Authorization header"},
		{Label: "Default scope", Value: "openid", Help: "optional"},
		{Label: "Client ID", Value: r.ClientID},
		{Label: "Client secret", Value: mask(r.ClientSecret, reveal), Secret: true},
	}
	if s.APIMInstance != "" {
		fields = append(fields, Field{Label: "Redirect URI", Value: APIMRedirectURI(s.APIMInstance, s.APIMServer),
			Help: "already among the application's allowed callbacks"})
	} else {
		fields = append(fields, Field{Label: "Redirect URI", Value: "(APIM shows it)",
			Help: "APIM shows it, " + APIMRedirectURI("INSTANCE", s.APIMServer) + " (INSTANCE: your API Management service's name): add it to the application's Allowed Callback URLs, or give the instance name and run again"})
	}
	return append(fields,
		Field{Label: "validate-jwt openid-config", Value: ep.OpenIDConfiguration},
		Field{Label: "validate-jwt audience", Value: r.Audience},
		Field{Label: "validate-jwt issuer", Value: ep.Issuer, Help: "with its trailing slash"},
	)
}

// exportAzurePolicy renders the validate-jwt policy. For an API that signs
// with HS256 (the tenant's as applied, else the settings'), the tokens are
// checked with the API's signing secret: with reveal it goes into
// issuer-signing-keys, base64 of its bytes as Azure wants a symmetric key
// (Auth0 signs with the secret's bytes as they are); without, a comment says
// how to get it there.
func renderAzurePolicy(r Result, s Settings, reveal bool) (Rendered, error) {
	t, err := azurePolicyTemplate()
	if err != nil {
		return Rendered{}, err
	}
	alg := r.APISigningAlg
	if alg == "" {
		alg = s.SigningAlg
	}
	var key string
	if alg == "HS256" && reveal && r.APISigningSecret != "" {
		key = base64.StdEncoding.EncodeToString([]byte(r.APISigningSecret))
	}
	var b bytes.Buffer
	err = t.Execute(&b, struct {
		Domain, Audience, Issuer, OpenIDConfiguration string
		HS256                                         bool
		SigningKey                                    string
		Scopes                                        []string
	}{r.Domain, r.Audience, r.Endpoints.Issuer, r.Endpoints.OpenIDConfiguration, alg == "HS256", key, grantScopesOf(r.Playbook)})
	if err != nil {
		return Rendered{}, fmt.Errorf("render azure policy: %w", err)
	}
	return Rendered{Data: b.Bytes(), Secret: key != "", Masked: alg == "HS256" && key == ""}, nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), "--", "&#45;&#45;") // also safe inside the leading comment
}

// grantScopesOf are the scopes the playbook's client grant carries.
func grantScopesOf(id PlaybookID) []string {
	p, err := PlaybookByID(id)
	if err != nil {
		return []string{}
	}
	return nonNil(p.want(KindClientGrant, WithDefaults(Settings{Playbook: id})).Grant.Scope)
}
