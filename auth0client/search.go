package auth0client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Finding applications by name without reading every application: Auth0's
// GET /api/v2/clients/search filters on the server (SCIM or Lucene, name
// and metadata among its fields), so the cost does not grow with the
// tenant. go-auth0 v3.0.0 has no method for it; the request goes through the
// same transport (retries, pacing, trace) as every other.
//
// The search is eventually consistent: a client made moments ago may be
// missing from it. So what it finds is read again by id (a consistent read,
// which also carries the secret), and the callers that must not miss a
// client just made (after a create whose answer was lost) use FindClients,
// which walks the list.

// searchClients returns the client IDs clients/search finds for a SCIM
// filter, every checkpoint page.
func (c *Client) searchClients(ctx context.Context, op, filter string) ([]string, error) {
	var ids []string
	q := url.Values{"q": {filter}, "parser": {"scim"}, "take": {"100"}, "fields": {"client_id,name"}, "include_fields": {"true"}}
	for {
		var page struct {
			Clients []struct {
				ClientID string `json:"client_id"`
			} `json:"clients"`
			Next string `json:"next"`
		}
		if err := c.rawGet(ctx, op, "clients/search", q, &page); err != nil {
			return nil, err
		}
		for _, cl := range page.Clients {
			ids = append(ids, cl.ClientID)
		}
		if page.Next == "" || len(page.Clients) == 0 {
			return ids, nil
		}
		q.Set("from", page.Next)
	}
}

// scimString quotes a value for a SCIM filter.
func scimString(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// rawGet reads a Management API path into out, as call does for go-auth0's
// requests: the management token, one more try with a fresh token on a 401,
// and Auth0's error answers turned into this package's errors. A 404 for a
// path the tenant does not serve comes back as an *APIError with Status 404.
func (c *Client) rawGet(ctx context.Context, op, path string, q url.Values, out any) error {
	for try := 0; ; try++ {
		t, err := c.token(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		u := c.base.JoinPath("/api/v2/", path)
		u.RawQuery = q.Encode()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		req.Header.Set("Authorization", "Bearer "+t.access)
		req.Header.Set("Accept", "application/json")
		resp, err := c.httpc.Do(req)
		if err != nil {
			return c.managementError(ctx, op, false, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
		_ = resp.Body.Close()
		if err != nil {
			return c.managementError(ctx, op, false, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && try == 0 {
			c.dropToken()
			continue
		}
		if resp.StatusCode >= 300 {
			return c.managementError(ctx, op, false, &finalAnswer{status: resp.StatusCode, body: body})
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s: the tenant's answer could not be read: %w", op, err)
		}
		return nil
	}
}

// findClientsBySearch finds the applications matching a SCIM filter and
// reads each again by id. ok is false when the tenant has no clients/search
// (the caller then walks the list).
func (c *Client) findClientsBySearch(ctx context.Context, op, filter string, keep func(steps.App) bool) (apps []steps.App, ok bool, err error) {
	ids, err := c.searchClients(ctx, op, filter)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	for _, id := range ids {
		app, err := c.GetClient(ctx, id)
		if errors.Is(err, steps.ErrNotFound) {
			continue // deleted since the index saw it
		}
		if err != nil {
			return nil, true, err
		}
		if keep(app) {
			apps = append(apps, app)
		}
	}
	return apps, true, nil
}
