package wso2sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// What WSO2's Auth0 connector does against the Auth0 tenant
// (../shared/AUTH0-FACTS.md §6; wso2-extensions/apim-km-auth0). The calls
// are made with plain net/http on Options.Auth0Client, never under s.mu.

// ResourceServerName is the API the guide-era connector makes.
const ResourceServerName = "WSO2 resource server API"

// GuideTokenRefusal is the guide-era connector's message when Auth0 refuses
// an application token (the application is not authorized for the API).
const GuideTokenRefusal = "Please add application to WSO2 resource server API to generate tokens"

type mgmtToken struct {
	access  string
	expires time.Time
}

// auth0Endpoints are the connector's token endpoint and management
// audience: the key manager's, else the Options'.
func (s *Server) auth0Endpoints(km *keyManagerDTO) (tokenEndpoint, audience string) {
	tokenEndpoint, audience = km.TokenEndpoint, ""
	if v, ok := km.AdditionalProperties["audience"].(string); ok {
		audience = v
	}
	if tokenEndpoint == "" {
		tokenEndpoint = s.opts.Auth0TokenEndpoint
	}
	if audience == "" {
		audience = s.opts.Auth0Audience
	}
	return tokenEndpoint, audience
}

// auth0Call makes one request to Auth0 and returns the status and body.
func (s *Server) auth0Call(ctx context.Context, method, u string, body []byte, contentType string, auth func(*http.Request)) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if auth != nil {
		auth(req)
	}
	resp, err := s.auth0.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("cannot reach Auth0 (%s %s): %w", method, u, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return resp.StatusCode, data, err
}

// auth0Refusal words an Auth0 error answer.
func auth0Refusal(what string, status int, body []byte) error {
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	msg, _ := m["message"].(string)
	if msg == "" {
		msg, _ = m["error_description"].(string)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return fmt.Errorf("%s: Auth0 answered %d: %s", what, status, msg)
}

// managementToken is the connector's Management API token: client
// credentials with the key manager's client_id/client_secret as Basic, the
// audience and an empty scope, kept until it expires.
func (s *Server) managementToken(ctx context.Context, km *keyManagerDTO) (string, error) {
	s.mu.Lock()
	t, ok := s.mgmtTokens[km.ID]
	s.mu.Unlock()
	if ok && time.Until(t.expires) > time.Minute {
		return t.access, nil
	}
	tokenEndpoint, audience := s.auth0Endpoints(km)
	clientID, _ := km.AdditionalProperties["client_id"].(string)
	secret, _ := km.AdditionalProperties["client_secret"].(string)
	form := url.Values{"grant_type": {"client_credentials"}, "audience": {audience}, "scope": {""}}
	status, body, err := s.auth0Call(ctx, http.MethodPost, tokenEndpoint, []byte(form.Encode()), "application/x-www-form-urlencoded", func(r *http.Request) {
		r.SetBasicAuth(clientID, secret)
	})
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", auth0Refusal("Error occurred while getting the Auth0 management token", status, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if json.Unmarshal(body, &tr) != nil || tr.AccessToken == "" {
		return "", fmt.Errorf("Error occurred while getting the Auth0 management token: no access_token in Auth0's answer") //nolint:staticcheck // ST1005: WSO2's own message, as its connector words it
	}
	s.mu.Lock()
	s.mgmtTokens[km.ID] = mgmtToken{access: tr.AccessToken, expires: time.Now().Add(time.Duration(tr.ExpiresIn) * time.Second)}
	s.mu.Unlock()
	return tr.AccessToken, nil
}

// management calls {audience}path with the management token and JSON.
func (s *Server) management(ctx context.Context, km *keyManagerDTO, method, path string, v any) (int, []byte, error) {
	tok, err := s.managementToken(ctx, km)
	if err != nil {
		return 0, nil, err
	}
	_, audience := s.auth0Endpoints(km)
	var body []byte
	ct := ""
	if v != nil {
		if body, err = json.Marshal(v); err != nil {
			return 0, nil, err
		}
		ct = "application/json"
	}
	return s.auth0Call(ctx, method, audience+path, body, ct, func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) })
}

// ensureResourceServer is the guide-era connector's POST
// {audience}resource-servers of "WSO2 resource server API" with the server
// URL as identifier; a 409 means it exists.
func (s *Server) ensureResourceServer(ctx context.Context, km *keyManagerDTO) error {
	status, body, err := s.management(ctx, km, http.MethodPost, "resource-servers", map[string]any{
		"name": ResourceServerName, "identifier": s.ServerURL, "token_lifetime": 86400,
	})
	if err != nil {
		return err
	}
	if status != http.StatusCreated && status != http.StatusOK && status != http.StatusConflict {
		return auth0Refusal("Error occurred while creating the "+ResourceServerName, status, body)
	}
	return nil
}

// connectorLoaded is what the guide-era connector does when it loads a key
// manager's configuration: make the resource server (a failure is only
// logged there, so it is ignored here).
func (s *Server) connectorLoaded(ctx context.Context, k *keyManager) {
	s.mu.Lock()
	d := k.dto
	s.mu.Unlock()
	if d.Type != "Auth0" || s.Generation != GenerationGuide {
		return
	}
	_ = s.ensureResourceServer(ctx, &d)
}

// connectorCreateApp is createApplication: POST {audience}clients named
// <user><app>_<KEYTYPE>, then (v1) the client grant for audience_of_api with
// scope "default". A failed grant leaves the Auth0 application behind, as
// the connector does.
func (s *Server) connectorCreateApp(ctx context.Context, km *keyManagerDTO, owner, appName string, req keyGenerateRequest) (clientID, secret string, err error) {
	props := req.AdditionalProperties
	appType, authMethod := props["app_type"], props["token_endpoint_auth_method"]
	if appType == "" {
		appType = "regular_web"
	}
	if authMethod == "" {
		authMethod = "client_secret_basic"
	}
	audienceOfAPI := props["audience_of_api"] // required in v1: generateKeys checked it
	if s.Generation == GenerationGuide {
		if err := s.ensureResourceServer(ctx, km); err != nil {
			return "", "", err
		}
	}
	callbacks := []string{}
	if req.CallbackURL != "" {
		callbacks = append(callbacks, req.CallbackURL)
	}
	grants := req.GrantTypesToBeSupported
	if grants == nil {
		grants = []string{}
	}
	status, body, err := s.management(ctx, km, http.MethodPost, "clients", map[string]any{
		"name": owner + appName + "_" + req.KeyType, "app_type": appType, "token_endpoint_auth_method": authMethod,
		"grant_types": grants, "callbacks": callbacks,
	})
	if err != nil {
		return "", "", err
	}
	if status != http.StatusCreated && status != http.StatusOK {
		return "", "", auth0Refusal("Error while creating the OAuth application in Auth0", status, body)
	}
	var c struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if json.Unmarshal(body, &c) != nil || c.ClientID == "" {
		return "", "", fmt.Errorf("Error while creating the OAuth application in Auth0: no client_id in Auth0's answer") //nolint:staticcheck // ST1005: WSO2's own message, as its connector words it
	}
	if s.Generation == GenerationV1 {
		status, body, err := s.management(ctx, km, http.MethodPost, "client-grants", map[string]any{
			"client_id": c.ClientID, "audience": audienceOfAPI, "scope": []string{"default"},
		})
		if err != nil {
			return "", "", err
		}
		if status != http.StatusCreated && status != http.StatusOK {
			return "", "", auth0Refusal("Error while creating the client grant of the OAuth application in Auth0", status, body)
		}
	}
	return c.ClientID, c.ClientSecret, nil
}

// connectorDeleteApp is deleteApplication: DELETE {audience}clients/{id}
// (an application already gone is fine).
func (s *Server) connectorDeleteApp(ctx context.Context, km *keyManagerDTO, clientID string) error {
	status, body, err := s.management(ctx, km, http.MethodDelete, "clients/"+url.PathEscape(clientID), nil)
	if err != nil {
		return err
	}
	if status != http.StatusNoContent && status != http.StatusOK && status != http.StatusNotFound {
		return auth0Refusal("Error while deleting the OAuth application "+clientID+" in Auth0", status, body)
	}
	return nil
}

type appToken struct {
	access    string
	scopes    []string
	expiresIn int64
}

// connectorToken is getNewApplicationAccessToken. Guide era: JSON
// {client_id, client_secret, grant_type, audience: server URL, scope}, a 403
// reported as GuideTokenRefusal. v1: the audience of the application's
// first client grant (GET client-grants?client_id=, a bare array), then a
// form with Basic credentials.
func (s *Server) connectorToken(ctx context.Context, km *keyManagerDTO, clientID, secret string, scopes []string) (appToken, error) {
	tokenEndpoint, _ := s.auth0Endpoints(km)
	var status int
	var body []byte
	var err error
	if s.Generation == GenerationGuide {
		req := map[string]string{"client_id": clientID, "client_secret": secret, "grant_type": "client_credentials", "audience": s.ServerURL}
		if len(scopes) > 0 {
			req["scope"] = strings.Join(scopes, " ")
		}
		data, _ := json.Marshal(req)
		status, body, err = s.auth0Call(ctx, http.MethodPost, tokenEndpoint, data, "application/json", nil)
		if err != nil {
			return appToken{}, err
		}
		if status == http.StatusForbidden {
			return appToken{}, fmt.Errorf("%s", GuideTokenRefusal)
		}
	} else {
		st, gb, err := s.management(ctx, km, http.MethodGet, "client-grants?client_id="+url.QueryEscape(clientID), nil)
		if err != nil {
			return appToken{}, err
		}
		var grants []struct {
			Audience string `json:"audience"`
		}
		if st != http.StatusOK {
			return appToken{}, auth0Refusal("Error while reading the client grants of "+clientID, st, gb)
		}
		if json.Unmarshal(gb, &grants) != nil {
			return appToken{}, fmt.Errorf("Error while reading the client grants of %s: Auth0's answer is not an array", clientID) //nolint:staticcheck // ST1005: WSO2's own message, as its connector words it
		}
		if len(grants) == 0 {
			return appToken{}, fmt.Errorf("Error while generating the access token: the Auth0 application %s has no client grant", clientID) //nolint:staticcheck // ST1005: WSO2's own message, as its connector words it
		}
		form := url.Values{"grant_type": {"client_credentials"}, "audience": {grants[0].Audience}, "scope": {strings.Join(scopes, " ")}}
		status, body, err = s.auth0Call(ctx, http.MethodPost, tokenEndpoint, []byte(form.Encode()), "application/x-www-form-urlencoded", func(r *http.Request) {
			r.SetBasicAuth(clientID, secret)
		})
		if err != nil {
			return appToken{}, err
		}
	}
	if status != http.StatusOK {
		return appToken{}, auth0Refusal("Error while generating the access token", status, body)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if json.Unmarshal(body, &tr) != nil || tr.AccessToken == "" {
		return appToken{}, fmt.Errorf("Error while generating the access token: no access_token in Auth0's answer") //nolint:staticcheck // ST1005: WSO2's own message, as its connector words it
	}
	return appToken{access: tr.AccessToken, scopes: strings.Fields(tr.Scope), expiresIn: tr.ExpiresIn}, nil
}
