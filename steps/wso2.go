package steps

import (
	"context"
	"fmt"
)

// This file holds what the engine needs from WSO2 API Manager: its types, as
// WSO2's REST APIs name them, and the WSO2Client interface. wso2client
// implements the interface over HTTP; the engine never speaks HTTP itself.
//
// Paths, fields and status codes follow WSO2's published OpenAPI documents
// for API Manager 3.2.0 (wso2/docs-apim: admin-v1.yaml info.version v1.2 and
// devportal-v1.yaml info.version v1.1).

// WSO2Certificates is how WSO2 finds a key manager's signing keys.
type WSO2Certificates struct {
	Type  string `json:"type,omitempty"` // JWKS or PEM
	Value string `json:"value,omitempty"`
}

// WSO2ClaimMapping maps a claim of the key manager's tokens to a WSO2 claim.
type WSO2ClaimMapping struct {
	RemoteClaim string `json:"remoteClaim,omitempty"`
	LocalClaim  string `json:"localClaim,omitempty"`
}

// WSO2TokenValidation is one way WSO2 recognises the key manager's tokens.
type WSO2TokenValidation struct {
	ID     int    `json:"id,omitempty"`
	Enable bool   `json:"enable"`
	Type   string `json:"type,omitempty"` // REFERENCE, JWT or CUSTOM
	Value  any    `json:"value,omitempty"`
}

// The Auth0 connector's key manager type, and the connector configuration
// keys of WSO2KeyManager.AdditionalProperties.
const (
	WSO2KeyManagerTypeAuth0 = "Auth0"
	WSO2PropClientID        = "client_id"
	WSO2PropAudience        = "audience"
	WSO2PropSelfValidateJWT = "self_validate_jwt"
	// WSO2PropClientSecret is never in AdditionalProperties: it travels in
	// WSO2KeyManager.ClientSecret, which is never serialised.
	WSO2PropClientSecret = "client_secret"
)

// WSO2KeyManager is a key manager as the Admin REST API's KeyManager DTO has
// it (required: Name and Type).
//
// AdditionalProperties holds the connector configuration except the
// management application's secret: that is ClientSecret, which encoding/json
// skips (so a journal never holds it) and wso2client puts into the DTO's
// additionalProperties.client_secret on the wire and takes out of it on read.
//
// The Enable* flags and Enabled are always sent as they are: a zero value
// registers a disabled key manager that does not self-validate JWTs, so set
// Enabled, EnableTokenGeneration and EnableSelfValidationJWT (the admin
// portal's defaults for Auth0).
type WSO2KeyManager struct {
	ID                         string                `json:"id,omitempty"`
	Name                       string                `json:"name"`
	DisplayName                string                `json:"displayName,omitempty"`
	Type                       string                `json:"type"`
	Description                string                `json:"description,omitempty"`
	WellKnownEndpoint          string                `json:"wellKnownEndpoint,omitempty"`
	Issuer                     string                `json:"issuer,omitempty"`
	ClientRegistrationEndpoint string                `json:"clientRegistrationEndpoint,omitempty"`
	IntrospectionEndpoint      string                `json:"introspectionEndpoint,omitempty"`
	TokenEndpoint              string                `json:"tokenEndpoint,omitempty"`
	RevokeEndpoint             string                `json:"revokeEndpoint,omitempty"`
	UserInfoEndpoint           string                `json:"userInfoEndpoint,omitempty"`
	AuthorizeEndpoint          string                `json:"authorizeEndpoint,omitempty"`
	Certificates               *WSO2Certificates     `json:"certificates,omitempty"`
	ScopeManagementEndpoint    string                `json:"scopeManagementEndpoint,omitempty"`
	AvailableGrantTypes        []string              `json:"availableGrantTypes,omitempty"`
	EnableTokenGeneration      bool                  `json:"enableTokenGeneration"`
	EnableTokenEncryption      bool                  `json:"enableTokenEncryption"`
	EnableTokenHashing         bool                  `json:"enableTokenHashing"`
	EnableMapOAuthConsumerApps bool                  `json:"enableMapOAuthConsumerApps"`
	EnableOAuthAppCreation     bool                  `json:"enableOAuthAppCreation"`
	EnableSelfValidationJWT    bool                  `json:"enableSelfValidationJWT"`
	ClaimMapping               []WSO2ClaimMapping    `json:"claimMapping,omitempty"`
	ConsumerKeyClaim           string                `json:"consumerKeyClaim,omitempty"`
	ScopesClaim                string                `json:"scopesClaim,omitempty"`
	TokenValidation            []WSO2TokenValidation `json:"tokenValidation,omitempty"`
	Enabled                    bool                  `json:"enabled"`
	AdditionalProperties       map[string]any        `json:"additionalProperties,omitempty"`
	// ClientSecret is the connector's client_secret (the Auth0 management
	// application's secret); never journaled or printed.
	ClientSecret string `json:"-"`
}

// WSO2KeyManagerInfo is one entry of the Admin REST API's key manager list.
type WSO2KeyManagerInfo struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
	Enabled     bool   `json:"enabled"`
}

// WSO2Application is a Developer Portal application (required: Name and
// ThrottlingPolicy, e.g. "Unlimited").
type WSO2Application struct {
	ID               string            `json:"applicationId,omitempty"`
	Name             string            `json:"name"`
	ThrottlingPolicy string            `json:"throttlingPolicy"`
	Description      string            `json:"description,omitempty"`
	TokenType        string            `json:"tokenType,omitempty"` // OAUTH or JWT
	Status           string            `json:"status,omitempty"`
	Owner            string            `json:"owner,omitempty"`
	Attributes       map[string]string `json:"attributes,omitempty"`
}

// WSO2 key types.
const (
	WSO2Production = "PRODUCTION"
	WSO2Sandbox    = "SANDBOX"
)

// The per-application settings the Auth0 connector reads from a key
// generation request's additionalProperties.
const (
	WSO2AppPropAppType                 = "app_type"
	WSO2AppPropTokenEndpointAuthMethod = "token_endpoint_auth_method"
	WSO2AppPropAudienceOfAPI           = "audience_of_api"
)

// WSO2KeyRequest asks WSO2 to generate an application's keys with a key
// manager. With the Auth0 key manager, WSO2's connector creates the Auth0
// application; AppType, TokenEndpointAuthMethod and AudienceOfAPI are the
// connector's per-application settings (sent as additionalProperties).
type WSO2KeyRequest struct {
	KeyType                 string   // WSO2Production (default) or WSO2Sandbox
	KeyManager              string   // the key manager's name
	GrantTypes              []string // grantTypesToBeSupported (required by WSO2)
	CallbackURL             string
	Scopes                  []string
	AppType                 string // regular_web, native, spa or non_interactive
	TokenEndpointAuthMethod string // client_secret_basic or client_secret_post
	AudienceOfAPI           string // the API the connector authorizes the application for
}

// WSO2ApplicationKeys are an application's keys with one key manager: with
// the Auth0 key manager, ConsumerKey is the Auth0 application's client ID.
type WSO2ApplicationKeys struct {
	KeyMappingID         string         `json:"keyMappingId"`
	KeyManager           string         `json:"keyManager"`
	KeyType              string         `json:"keyType"`
	ConsumerKey          string         `json:"consumerKey"`
	ConsumerSecret       string         `json:"-"`
	SupportedGrantTypes  []string       `json:"supportedGrantTypes,omitempty"`
	CallbackURL          string         `json:"callbackUrl,omitempty"`
	KeyState             string         `json:"keyState,omitempty"`
	AdditionalProperties map[string]any `json:"additionalProperties,omitempty"`
}

// WSO2Token is an application token WSO2 generated through its key manager.
type WSO2Token struct {
	AccessToken  string   `json:"-"`
	Scopes       []string `json:"tokenScopes,omitempty"`
	ValidityTime int64    `json:"validityTime,omitempty"` // seconds
}

// WSO2Version is what a WSO2 server's REST APIs are.
type WSO2Version struct {
	Product   string `json:"product"`   // e.g. "3.2.0"
	Admin     string `json:"admin"`     // Admin REST API version, e.g. "v1"
	DevPortal string `json:"devportal"` // Developer Portal REST API version, e.g. "v1"
}

// WSO2VersionError says that a WSO2 server serves REST API versions this
// tool does not speak (or none it recognises), so nothing was changed.
type WSO2VersionError struct {
	URL string
	// Found is the Admin REST API version that answered ("v4"), or "" when
	// none of the known ones did.
	Found string
	// Product is the API Manager release that Found belongs to, when known.
	Product string
}

// Error says what was found, what this tool speaks and what to do.
func (e *WSO2VersionError) Error() string {
	if e.Found == "" {
		return fmt.Sprintf("WSO2 at %s answers none of the Admin REST API versions this tool knows (v1 of API Manager 3.2.0, v2–v4 of 4.x): "+
			"check that the URL is the API Manager's management address (https://HOST:9443), or register the key manager by hand", e.URL)
	}
	product := e.Product
	if product == "" {
		product = "an API Manager release this tool does not know"
	}
	return fmt.Sprintf("WSO2 at %s serves the Admin REST API %s (%s); this tool speaks API Manager 3.2.0's Admin REST API v1 only: "+
		"register the key manager and generate the keys by hand with the values the wizard shows", e.URL, e.Found, product)
}

// WSO2Client is what the engine needs from WSO2 API Manager. Every method
// first makes sure the server speaks a REST API version this tool knows, and
// returns a *WSO2VersionError otherwise.
//
// Find* methods return an error wrapping ErrNotFound when nothing has that
// name; Get/Update/Delete do for an unknown id. Create methods return an
// error wrapping ErrConflict when the name is taken, so the engine can look
// the resource up and reuse it.
type WSO2Client interface {
	// Version detects the server's REST API versions.
	Version(ctx context.Context) (WSO2Version, error)

	ListKeyManagers(ctx context.Context) ([]WSO2KeyManagerInfo, error)
	// FindKeyManager finds a key manager by name and reads it whole.
	FindKeyManager(ctx context.Context, name string) (WSO2KeyManager, error)
	GetKeyManager(ctx context.Context, id string) (WSO2KeyManager, error)
	CreateKeyManager(ctx context.Context, km WSO2KeyManager) (WSO2KeyManager, error)
	UpdateKeyManager(ctx context.Context, id string, km WSO2KeyManager) (WSO2KeyManager, error)
	DeleteKeyManager(ctx context.Context, id string) error

	// FindApplication finds a Developer Portal application of the user by name.
	FindApplication(ctx context.Context, name string) (WSO2Application, error)
	CreateApplication(ctx context.Context, app WSO2Application) (WSO2Application, error)
	// DeleteApplication deletes the application; WSO2's connector deletes
	// the key manager's applications it made for it.
	DeleteApplication(ctx context.Context, id string) error

	// GenerateKeys generates the application's keys with a key manager.
	GenerateKeys(ctx context.Context, appID string, req WSO2KeyRequest) (WSO2ApplicationKeys, error)
	// ApplicationKeys lists the application's keys (with their secrets).
	ApplicationKeys(ctx context.Context, appID string) ([]WSO2ApplicationKeys, error)
	// GenerateToken has WSO2 obtain an application token through the key
	// manager the keys belong to.
	GenerateToken(ctx context.Context, appID string, keys WSO2ApplicationKeys, scopes []string) (WSO2Token, error)
}
