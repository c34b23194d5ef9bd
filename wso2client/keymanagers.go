package wso2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Admin REST API v1 key manager operations (admin-v1.yaml: /key-managers,
// /key-managers/{keyManagerId}).

// ListKeyManagers lists the key managers (GET /key-managers, 200 KeyManagerList).
func (c *Client) ListKeyManagers(ctx context.Context) ([]steps.WSO2KeyManagerInfo, error) {
	const op = "list WSO2 key managers"
	resp, err := c.call(ctx, op, AdminScopes, http.MethodGet, adminV1Path+"/key-managers", nil, "", http.StatusOK)
	if err != nil {
		return nil, err
	}
	var l keyManagerList
	if err := json.Unmarshal(resp.body, &l); err != nil {
		return nil, fmt.Errorf("%s: WSO2's answer is not a key manager list: %w", op, err)
	}
	return l.List, nil
}

// FindKeyManager finds a key manager by name and reads it whole.
func (c *Client) FindKeyManager(ctx context.Context, name string) (steps.WSO2KeyManager, error) {
	list, err := c.ListKeyManagers(ctx)
	if err != nil {
		return steps.WSO2KeyManager{}, err
	}
	for _, km := range list {
		if km.Name == name {
			return c.GetKeyManager(ctx, km.ID)
		}
	}
	return steps.WSO2KeyManager{}, fmt.Errorf("find WSO2 key manager %q: %w", name, steps.ErrNotFound)
}

// GetKeyManager reads a key manager (GET /key-managers/{id}, 200 KeyManager).
func (c *Client) GetKeyManager(ctx context.Context, id string) (steps.WSO2KeyManager, error) {
	op := fmt.Sprintf("read WSO2 key manager %s", id)
	resp, err := c.call(ctx, op, AdminScopes, http.MethodGet, adminV1Path+"/key-managers/"+url.PathEscape(id), nil, "", http.StatusOK)
	if err != nil {
		return steps.WSO2KeyManager{}, err
	}
	return c.keyManagerAnswer(op, resp.body)
}

// CreateKeyManager adds a key manager (POST /key-managers, 201 KeyManager;
// a name in use answers 409).
func (c *Client) CreateKeyManager(ctx context.Context, km steps.WSO2KeyManager) (steps.WSO2KeyManager, error) {
	op := fmt.Sprintf("create WSO2 key manager %q", km.Name)
	c.secrets.Add(km.ClientSecret)
	body, err := marshalKeyManager(km)
	if err != nil {
		return steps.WSO2KeyManager{}, fmt.Errorf("%s: %w", op, err)
	}
	resp, err := c.call(ctx, op, AdminScopes, http.MethodPost, adminV1Path+"/key-managers", body, "application/json", http.StatusCreated)
	adviseKeyManager(err, km)
	if err != nil {
		return steps.WSO2KeyManager{}, err
	}
	return c.keyManagerAnswer(op, resp.body)
}

// UpdateKeyManager replaces a key manager (PUT /key-managers/{id}, 200 KeyManager).
func (c *Client) UpdateKeyManager(ctx context.Context, id string, km steps.WSO2KeyManager) (steps.WSO2KeyManager, error) {
	op := fmt.Sprintf("update WSO2 key manager %q (%s)", km.Name, id)
	c.secrets.Add(km.ClientSecret)
	body, err := marshalKeyManager(km)
	if err != nil {
		return steps.WSO2KeyManager{}, fmt.Errorf("%s: %w", op, err)
	}
	resp, err := c.call(ctx, op, AdminScopes, http.MethodPut, adminV1Path+"/key-managers/"+url.PathEscape(id), body, "application/json", http.StatusOK)
	adviseKeyManager(err, km)
	if err != nil {
		return steps.WSO2KeyManager{}, err
	}
	return c.keyManagerAnswer(op, resp.body)
}

// DeleteKeyManager deletes a key manager (DELETE /key-managers/{id}, 200).
func (c *Client) DeleteKeyManager(ctx context.Context, id string) error {
	op := fmt.Sprintf("delete WSO2 key manager %s", id)
	_, err := c.call(ctx, op, AdminScopes, http.MethodDelete, adminV1Path+"/key-managers/"+url.PathEscape(id), nil, "", http.StatusOK, http.StatusNoContent)
	return err
}

func (c *Client) keyManagerAnswer(op string, body []byte) (steps.WSO2KeyManager, error) {
	km, err := decodeKeyManager(body)
	if err != nil {
		return km, fmt.Errorf("%s: WSO2's answer is not a key manager: %w", op, err)
	}
	c.secrets.Add(km.ClientSecret)
	return km, nil
}

// adviseKeyManager explains WSO2's key manager refusals (carbon-apimgt
// ExceptionCodes 901400–901402).
func adviseKeyManager(err error, km steps.WSO2KeyManager) {
	var ae *APIError
	if !errors.As(err, &ae) {
		return
	}
	switch ae.Code {
	case "901400":
		ae.Advice = fmt.Sprintf("this API Manager has no key manager type %q: API Manager 3.2.0 ships the Auth0 connector separately "+
			"(wso2-extensions/apim-km-auth0): put its jar into repository/components/dropins and restart the server", km.Type)
	case "901401":
		ae.Advice = "the key manager's connector configuration is incomplete: the Auth0 connector needs client_id, client_secret and audience"
	case "901402":
		ae.Advice = fmt.Sprintf("a key manager named %q already exists: reuse or update it", km.Name)
	}
}
