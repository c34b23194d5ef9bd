package wso2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Developer Portal REST API v1 operations (devportal-v1.yaml: /applications,
// /applications/{applicationId}, .../generate-keys, .../oauth-keys and
// .../oauth-keys/{keyMappingId}/generate-token).

// FindApplication finds one of the user's applications by name (GET
// /applications?query=NAME, 200 ApplicationList; the query matches the
// name exactly).
func (c *Client) FindApplication(ctx context.Context, name string) (steps.WSO2Application, error) {
	op := fmt.Sprintf("find WSO2 application %q", name)
	resp, err := c.call(ctx, op, DevPortalScopes, http.MethodGet, storeV1Path+"/applications?query="+url.QueryEscape(name), nil, "", http.StatusOK)
	if err != nil {
		return steps.WSO2Application{}, err
	}
	var l applicationList
	if err := json.Unmarshal(resp.body, &l); err != nil {
		return steps.WSO2Application{}, fmt.Errorf("%s: WSO2's answer is not an application list: %w", op, err)
	}
	for _, a := range l.List {
		if a.Name == name {
			return a, nil
		}
	}
	return steps.WSO2Application{}, fmt.Errorf("%s: %w", op, steps.ErrNotFound)
}

// CreateApplication creates an application (POST /applications, 201
// Application; 409 when the user has one of that name). A 202 means a
// workflow holds it for approval, which this tool cannot wait for.
func (c *Client) CreateApplication(ctx context.Context, app steps.WSO2Application) (steps.WSO2Application, error) {
	op := fmt.Sprintf("create WSO2 application %q", app.Name)
	if app.ThrottlingPolicy == "" {
		app.ThrottlingPolicy = "Unlimited"
	}
	app.ID, app.Status = "", "" // read-only
	resp, err := c.call(ctx, op, DevPortalScopes, http.MethodPost, storeV1Path+"/applications", app, "", http.StatusCreated, http.StatusAccepted)
	if err != nil {
		return steps.WSO2Application{}, err
	}
	if resp.status == http.StatusAccepted {
		return steps.WSO2Application{}, fmt.Errorf("%s: WSO2 accepted it for approval (an application creation workflow is on): approve it in the admin portal (Tasks → Application Creation), then run again", op)
	}
	var out steps.WSO2Application
	if err := json.Unmarshal(resp.body, &out); err != nil || out.ID == "" {
		return out, fmt.Errorf("%s: WSO2 answered 201 without an application id", op)
	}
	return out, nil
}

// DeleteApplication deletes an application (DELETE /applications/{id}, 200).
func (c *Client) DeleteApplication(ctx context.Context, id string) error {
	op := fmt.Sprintf("delete WSO2 application %s", id)
	resp, err := c.call(ctx, op, DevPortalScopes, http.MethodDelete, storeV1Path+"/applications/"+url.PathEscape(id), nil, "", http.StatusOK, http.StatusAccepted)
	if err != nil {
		return err
	}
	if resp.status == http.StatusAccepted {
		return fmt.Errorf("%s: WSO2 accepted it for approval (an application deletion workflow is on): approve it in the admin portal", op)
	}
	return nil
}

// GenerateKeys generates the application's keys with a key manager (POST
// /applications/{id}/generate-keys, 200 ApplicationKey).
func (c *Client) GenerateKeys(ctx context.Context, appID string, req steps.WSO2KeyRequest) (steps.WSO2ApplicationKeys, error) {
	keyType := req.KeyType
	if keyType == "" {
		keyType = steps.WSO2Production
	}
	op := fmt.Sprintf("generate %s keys of WSO2 application %s with key manager %q", keyType, appID, req.KeyManager)
	body := keyGenerateRequest{
		KeyType:                 keyType,
		KeyManager:              req.KeyManager,
		GrantTypesToBeSupported: req.GrantTypes,
		CallbackURL:             req.CallbackURL,
		Scopes:                  req.Scopes,
	}
	if body.GrantTypesToBeSupported == nil {
		body.GrantTypesToBeSupported = []string{}
	}
	props := map[string]string{}
	for k, v := range map[string]string{
		steps.WSO2AppPropAppType:                 req.AppType,
		steps.WSO2AppPropTokenEndpointAuthMethod: req.TokenEndpointAuthMethod,
		steps.WSO2AppPropAudienceOfAPI:           req.AudienceOfAPI,
	} {
		if v != "" {
			props[k] = v
		}
	}
	if len(props) > 0 {
		body.AdditionalProperties = props
	}
	resp, err := c.call(ctx, op, DevPortalScopes, http.MethodPost, storeV1Path+"/applications/"+url.PathEscape(appID)+"/generate-keys", body, "", http.StatusOK)
	var ae *APIError
	if errors.As(err, &ae) {
		switch ae.Code {
		case "901407":
			ae.Advice = "WSO2's Auth0 connector (apim-km-auth0 v1.0.x–v1.1.0) needs the application setting audience_of_api: " +
				"give the identifier of the API the Auth0 application is to be authorized for"
		case "901403":
			ae.Advice = fmt.Sprintf("WSO2 has no key manager named %q: register it first (the guide's step 2)", req.KeyManager)
		case "901406":
			ae.Advice = fmt.Sprintf("the key manager %q is disabled: enable it in the admin portal (Key Managers)", req.KeyManager)
		}
	}
	if err != nil {
		return steps.WSO2ApplicationKeys{}, err
	}
	var k applicationKey
	if err := json.Unmarshal(resp.body, &k); err != nil || k.ConsumerKey == "" {
		return steps.WSO2ApplicationKeys{}, fmt.Errorf("%s: WSO2 answered 200 without a consumer key", op)
	}
	c.secrets.Add(k.ConsumerSecret)
	return k.steps(), nil
}

// ApplicationKeys lists the application's keys with every key manager (GET
// /applications/{id}/oauth-keys, 200 ApplicationKeyList).
func (c *Client) ApplicationKeys(ctx context.Context, appID string) ([]steps.WSO2ApplicationKeys, error) {
	op := fmt.Sprintf("read the keys of WSO2 application %s", appID)
	resp, err := c.call(ctx, op, DevPortalScopes, http.MethodGet, storeV1Path+"/applications/"+url.PathEscape(appID)+"/oauth-keys", nil, "", http.StatusOK)
	if err != nil {
		return nil, err
	}
	var l applicationKeyList
	if err := json.Unmarshal(resp.body, &l); err != nil {
		return nil, fmt.Errorf("%s: WSO2's answer is not a key list: %w", op, err)
	}
	out := make([]steps.WSO2ApplicationKeys, 0, len(l.List))
	for _, k := range l.List {
		c.secrets.Add(k.ConsumerSecret)
		out = append(out, k.steps())
	}
	return out, nil
}

// GenerateToken has WSO2 obtain an application token through the keys' key
// manager (POST /applications/{id}/oauth-keys/{keyMappingId}/generate-token,
// 200 ApplicationToken).
func (c *Client) GenerateToken(ctx context.Context, appID string, keys steps.WSO2ApplicationKeys, scopes []string) (steps.WSO2Token, error) {
	op := fmt.Sprintf("generate a token for WSO2 application %s with key manager %q", appID, keys.KeyManager)
	if keys.KeyMappingID == "" {
		return steps.WSO2Token{}, fmt.Errorf("%s: the keys carry no key mapping id: read them with ApplicationKeys first", op)
	}
	body := tokenGenerateRequest{ConsumerSecret: keys.ConsumerSecret, ValidityPeriod: 3600, Scopes: scopes}
	path := storeV1Path + "/applications/" + url.PathEscape(appID) + "/oauth-keys/" + url.PathEscape(keys.KeyMappingID) + "/generate-token"
	resp, err := c.call(ctx, op, DevPortalScopes, http.MethodPost, path, body, "", http.StatusOK)
	var ae *APIError
	if errors.As(err, &ae) && strings.Contains(ae.Description, "add application to WSO2 resource server API") {
		ae.Advice = fmt.Sprintf("Auth0 refused WSO2's connector a token because the Auth0 application %s is not authorized for the "+
			"\"WSO2 resource server API\" (whose identifier is the API Manager's server URL, e.g. %s): authorize it for that API "+
			"(the guide's step 3.3), then generate the token again", keys.ConsumerKey, c.base)
	}
	if err != nil {
		return steps.WSO2Token{}, err
	}
	var t applicationToken
	if err := json.Unmarshal(resp.body, &t); err != nil || t.AccessToken == "" {
		return steps.WSO2Token{}, fmt.Errorf("%s: WSO2 answered 200 without an access token", op)
	}
	c.secrets.Add(t.AccessToken)
	return steps.WSO2Token{AccessToken: t.AccessToken, Scopes: t.TokenScopes, ValidityTime: t.ValidityTime}, nil
}
