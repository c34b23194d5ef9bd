// Package steps holds the two playbooks of the wizard as data and the engine
// that plans and applies them against an Auth0 tenant. It has no UI imports
// and prints nothing: inputs come in as structs, results go out as structs and
// progress goes out as Event values on a channel, so the same engine drives the
// interactive wizard and the headless `apply` command.
package steps

import (
	"time"
)

// PlaybookID names a playbook.
type PlaybookID string

// The playbooks of PRODUCT.md.
const (
	WSO2  PlaybookID = "wso2"
	Azure PlaybookID = "azure"
)

// Settings is everything a person provides to a run: the tenant, the
// management application and the answers to each step's inputs. Fields with a
// secret are never serialised by encoding/json.
type Settings struct {
	Playbook PlaybookID `json:"playbook" yaml:"playbook"`

	// Tenant and management application (steps 1 and 2 of both playbooks).
	Domain       string `json:"domain" yaml:"domain"`
	ClientID     string `json:"client_id" yaml:"client_id"`
	ClientSecret string `json:"-" yaml:"-"`
	Audience     string `json:"audience" yaml:"audience"` // management API audience, default https://DOMAIN/api/v2/

	// wso2: key manager and resource server.
	KeyManagerName        string `json:"key_manager_name,omitempty" yaml:"key_manager_name"`
	KeyManagerDisplayName string `json:"key_manager_display_name,omitempty" yaml:"key_manager_display_name"`

	// wso2: WSO2 API Manager itself. APIMURL is its server URL (what the
	// guide's connector uses as every application token's audience); with
	// the admin's credentials the wizard registers the key manager and
	// generates keys through WSO2's REST APIs.
	APIMURL           string `json:"apim_url,omitempty" yaml:"apim_url"`
	WSO2AdminUser     string `json:"wso2_admin_user,omitempty" yaml:"wso2_admin_user"`
	WSO2AdminPassword string `json:"-" yaml:"-"`
	// WSO2AppName is the developer-portal application whose keys WSO2
	// generates with the Auth0 key manager.
	WSO2AppName string `json:"wso2_app_name,omitempty" yaml:"wso2_app_name"`
	// AuthorizeClients are applications WSO2's connector made (client IDs)
	// that the run authorizes for the resource server (the guide's 3.3).
	AuthorizeClients []string `json:"authorize_clients,omitempty" yaml:"authorize_clients"`

	// Both: the API (resource server).
	APIName       string `json:"api_name,omitempty" yaml:"api_name"`
	APIIdentifier string `json:"api_identifier,omitempty" yaml:"api_identifier"`
	SigningAlg    string `json:"signing_alg,omitempty" yaml:"signing_alg"` // RS256 (default) or HS256

	// Both: the application client.
	AppName                 string   `json:"app_name,omitempty" yaml:"app_name"`
	AppType                 string   `json:"app_type,omitempty" yaml:"app_type"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty" yaml:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types,omitempty" yaml:"grant_types"`

	// azure: connection, user and the APIM instance.
	ConnectionName string `json:"connection_name,omitempty" yaml:"connection_name"`
	UserEmail      string `json:"user_email,omitempty" yaml:"user_email"`
	UserPassword   string `json:"-" yaml:"-"`
	APIMInstance   string `json:"apim_instance,omitempty" yaml:"apim_instance"` // adds its developer portal redirect URI to callbacks
	// KeepPasswordRealm keeps the password-realm grant on the application
	// after the test login (it lets anyone holding the application's
	// secret log users in with their passwords); by default the
	// application has it for the test login only.
	KeepPasswordRealm bool `json:"keep_password_realm,omitempty" yaml:"keep_password_realm"`
	// APIMServer is the name of the OAuth 2.0 authorization server in Azure
	// API Management; it is the last segment of the developer portal's
	// redirect URI (default "auth0").
	APIMServer string `json:"apim_server,omitempty" yaml:"apim_server"`
}

// Endpoints are the tenant's well-known endpoints, read from discovery. The
// JSON names are the discovery document's own (auth0client decodes the
// document into this struct), and OpenIDConfiguration is the document's URL.
type Endpoints struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
	RevocationEndpoint    string `json:"revocation_endpoint"`
	OpenIDConfiguration   string `json:"openid_configuration"`
}

// ResourceKind is the kind of tenant resource an action touches. The values
// are those of the headless output contract.
type ResourceKind string

// The resource kinds.
const (
	KindResourceServer ResourceKind = "resource_server"
	KindClient         ResourceKind = "client"
	KindClientGrant    ResourceKind = "client_grant"
	KindConnection     ResourceKind = "connection"
	KindUser           ResourceKind = "user"
	// KindConnectionClient is the connection being enabled for the client.
	// It is an action and a journal entry, not a resource of the output
	// contract: Result.Resources leaves it out.
	KindConnectionClient ResourceKind = "connection_client"
)

// Verb is what a planned action will do.
type Verb string

// The planned verbs (review screen) and their past tense (results, journal).
const (
	Create Verb = "create"
	Reuse  Verb = "reuse"
	Update Verb = "update"
	// Delete is what Teardown does.
	Delete Verb = "delete"
)

// Past returns the verb's past tense as the output contract spells it.
func (v Verb) Past() string {
	switch v {
	case Create:
		return "created"
	case Reuse:
		return "reused"
	case Update:
		return "updated"
	case Delete:
		return "deleted"
	}
	return string(v)
}

// EventKind is the kind of a progress event.
type EventKind string

// The progress events Apply sends.
const (
	EventStarted  EventKind = "started"
	EventWaiting  EventKind = "waiting" // rate limited: Wait says how long
	EventRetrying EventKind = "retrying"
	EventDone     EventKind = "done"
	EventFailed   EventKind = "failed"
)

// Event reports progress of one action during Apply. The UI and the headless
// printer consume the same events.
type Event struct {
	Action   string        `json:"action"` // Action.ID
	Kind     EventKind     `json:"kind"`
	Message  string        `json:"message,omitempty"` // person-readable
	Attempt  int           `json:"attempt,omitempty"`
	Wait     time.Duration `json:"wait,omitempty"`
	Duration time.Duration `json:"duration,omitempty"`
	Verb     Verb          `json:"verb,omitempty"`
	ID       string        `json:"id,omitempty"` // tenant id of the resource, when known
	Time     time.Time     `json:"time"`
}
