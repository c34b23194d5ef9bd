package wso2client

import (
	"encoding/json"
	"maps"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// dcrRequest is the body of POST /client-registration/v0.17/register.
type dcrRequest struct {
	CallbackURL string `json:"callbackUrl"`
	ClientName  string `json:"clientName"`
	Owner       string `json:"owner"`
	GrantType   string `json:"grantType"`
	SaasApp     bool   `json:"saasApp"`
}

// dcrResponse is its answer (the fields this client reads).
type dcrResponse struct {
	ClientID     string `json:"clientId"`
	ClientName   string `json:"clientName"`
	ClientSecret string `json:"clientSecret"`
}

// tokenResponse is a successful token endpoint answer.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	Scope        string `json:"scope"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// keyManagerWire is the Admin REST API's KeyManager DTO on the wire: the
// steps type, whose JSON names are the DTO's, with the connector's
// client_secret put back into additionalProperties.
func keyManagerWire(km steps.WSO2KeyManager) steps.WSO2KeyManager {
	props := maps.Clone(km.AdditionalProperties)
	if km.ClientSecret != "" {
		if props == nil {
			props = map[string]any{}
		}
		props[steps.WSO2PropClientSecret] = km.ClientSecret
	}
	km.AdditionalProperties = props
	km.ID = "" // read-only in the DTO
	return km
}

// marshalKeyManager encodes the DTO with the secret in it; the bytes go to
// WSO2 only.
func marshalKeyManager(km steps.WSO2KeyManager) ([]byte, error) {
	type dto steps.WSO2KeyManager // same fields and names; ClientSecret still skipped
	return json.Marshal(dto(keyManagerWire(km)))
}

// decodeKeyManager decodes a KeyManager DTO and moves client_secret out of
// additionalProperties into ClientSecret (never serialised).
func decodeKeyManager(data []byte) (steps.WSO2KeyManager, error) {
	var km steps.WSO2KeyManager
	if err := json.Unmarshal(data, &km); err != nil {
		return km, err
	}
	if s, ok := km.AdditionalProperties[steps.WSO2PropClientSecret].(string); ok {
		km.ClientSecret = s
		delete(km.AdditionalProperties, steps.WSO2PropClientSecret)
	}
	return km, nil
}

// keyManagerList is the KeyManagerList DTO.
type keyManagerList struct {
	Count int                        `json:"count"`
	List  []steps.WSO2KeyManagerInfo `json:"list"`
}

// applicationList is the ApplicationList DTO.
type applicationList struct {
	Count int                     `json:"count"`
	List  []steps.WSO2Application `json:"list"`
}

// keyGenerateRequest is the ApplicationKeyGenerateRequest DTO.
type keyGenerateRequest struct {
	KeyType                 string            `json:"keyType"`
	KeyManager              string            `json:"keyManager,omitempty"`
	GrantTypesToBeSupported []string          `json:"grantTypesToBeSupported"`
	CallbackURL             string            `json:"callbackUrl,omitempty"`
	Scopes                  []string          `json:"scopes,omitempty"`
	ValidityTime            string            `json:"validityTime,omitempty"`
	AdditionalProperties    map[string]string `json:"additionalProperties,omitempty"`
}

// applicationKey is the ApplicationKey DTO (with its secret, which the steps
// type does not serialise).
type applicationKey struct {
	KeyMappingID         string         `json:"keyMappingId"`
	KeyManager           string         `json:"keyManager"`
	ConsumerKey          string         `json:"consumerKey"`
	ConsumerSecret       string         `json:"consumerSecret"`
	SupportedGrantTypes  []string       `json:"supportedGrantTypes"`
	CallbackURL          string         `json:"callbackUrl"`
	KeyState             string         `json:"keyState"`
	KeyType              string         `json:"keyType"`
	AdditionalProperties map[string]any `json:"additionalProperties"`
}

func (k applicationKey) steps() steps.WSO2ApplicationKeys {
	return steps.WSO2ApplicationKeys{
		KeyMappingID: k.KeyMappingID, KeyManager: k.KeyManager, KeyType: k.KeyType,
		ConsumerKey: k.ConsumerKey, ConsumerSecret: k.ConsumerSecret,
		SupportedGrantTypes: k.SupportedGrantTypes, CallbackURL: k.CallbackURL, KeyState: k.KeyState,
		AdditionalProperties: k.AdditionalProperties,
	}
}

// applicationKeyList is the ApplicationKeyList DTO.
type applicationKeyList struct {
	Count int              `json:"count"`
	List  []applicationKey `json:"list"`
}

// tokenGenerateRequest is the ApplicationTokenGenerateRequest DTO.
type tokenGenerateRequest struct {
	ConsumerSecret string   `json:"consumerSecret,omitempty"`
	ValidityPeriod int64    `json:"validityPeriod,omitempty"`
	Scopes         []string `json:"scopes,omitempty"`
}

// applicationToken is the ApplicationToken DTO.
type applicationToken struct {
	AccessToken  string   `json:"accessToken"`
	TokenScopes  []string `json:"tokenScopes"`
	ValidityTime int64    `json:"validityTime"`
}
