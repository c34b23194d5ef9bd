// Package auth0client is the only package that speaks HTTP to Auth0 or imports
// go-auth0. It turns a Config (domain, management application, audience,
// trusted CA, trace) into a steps.Client: discovery, the management token and
// its scopes, the Management API reads and writes the engine needs, and test
// tokens verified against the tenant's JWKS.
//
// Every request goes through one http.Client whose transport retries 429,
// 5xx, transport errors and cut-off answers (never a create after a 5xx or a
// lost answer) by the one RetryPolicy of Config.Retry, reports each wait
// through steps.Notify and, when Config.Trace is set, writes a redacted
// trace of each exchange. It is the only layer that retries: an error it
// returns is Final unless it is a create whose outcome is unknown.
package auth0client

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	mgmtclient "github.com/auth0/go-auth0/v3/management/client"
	"github.com/auth0/go-auth0/v3/management/option"
	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/auth0-wizard/auth0-wizard/internal/capool"
	"github.com/auth0-wizard/auth0-wizard/internal/hostname"
	"github.com/auth0-wizard/auth0-wizard/internal/redact"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Config says which tenant and which management application to use.
type Config struct {
	Domain       string // host[:port], or http://127.0.0.1:PORT for a plain-HTTP sandbox
	ClientID     string
	ClientSecret string
	Audience     string    // default https://DOMAIN/api/v2/
	CAFile       string    // extra CA to trust
	CAPEM        []byte    // extra CA to trust, in memory
	Trace        io.Writer // redacted HTTP trace, if set
	// Retry is how requests are retried; the zero value means
	// DefaultRetryPolicy(). Tests shrink the waits here.
	Retry RetryPolicy
}

// Client implements steps.Client over HTTP.
type Client struct {
	base     *url.URL // scheme://host[:port]
	clientID string
	secret   string
	audience string
	httpc    *http.Client
	retry    *retryTransport
	mgmt     *mgmtclient.Management
	secrets  *redact.Secrets
	pageSize int // items per list page

	tokMu sync.Mutex // held while a management token is fetched
	tok   *mgmtToken

	mu         sync.Mutex        // guards jwks and authMethod
	jwks       jwk.Set           // the tenant's signing keys, once read
	authMethod map[string]string // client_id → token_endpoint_auth_method, as last seen
}

var _ steps.Client = (*Client)(nil)

type mgmtToken struct {
	access  string
	scopes  []string
	expires time.Time
}

// New returns a client for the tenant. It validates the domain
// (hostname.ParseDomain) and reads the CA file but does no network I/O.
func New(cfg Config) (*Client, error) {
	base, err := hostname.ParseDomain(cfg.Domain)
	if err != nil {
		return nil, err
	}
	secrets := &redact.Secrets{}
	secrets.Add(cfg.ClientSecret)
	httpc, retry, err := newHTTPClient(cfg, secrets)
	if err != nil {
		return nil, err
	}
	audience := cfg.Audience
	if audience == "" {
		audience = DefaultAudience(base)
	}
	sdkc := &http.Client{Transport: finalAnswerTransport{next: httpc.Transport}, CheckRedirect: httpc.CheckRedirect}
	opts := []option.RequestOption{
		option.WithHTTPClient(sdkc),
		option.WithoutRetries(), // retries are ours (retryTransport)
		option.WithNoAuth0ClientInfo(),
	}
	if base.Scheme == "http" {
		opts = append(opts, option.WithInsecure())
	}
	mgmt, err := mgmtclient.New(base.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("set up the management client for %s: %w", base.Host, err)
	}
	return &Client{
		base:       base,
		clientID:   cfg.ClientID,
		secret:     cfg.ClientSecret,
		audience:   audience,
		httpc:      httpc,
		retry:      retry,
		mgmt:       mgmt,
		secrets:    secrets,
		authMethod: map[string]string{},
		pageSize:   defaultPageSize,
	}, nil
}

// DefaultAudience is the Management API audience of a tenant:
// https://DOMAIN/api/v2/ (the scheme follows the domain: http for a loopback sandbox).
func DefaultAudience(base *url.URL) string {
	return base.Scheme + "://" + base.Host + "/api/v2/"
}

// RetryPolicy returns the policy the client retries requests by.
func (c *Client) RetryPolicy() RetryPolicy { return c.retry.policy }

// BaseURL returns the tenant's base URL (scheme and host).
func (c *Client) BaseURL() *url.URL { u := *c.base; return &u }

// Issuer returns the issuer the tenant's tokens must carry: the base URL
// with a trailing slash.
func (c *Client) Issuer() string { return c.base.String() + "/" }

// Audience returns the management audience in use.
func (c *Client) Audience() string { return c.audience }

// HTTPClient returns the client's HTTP client (TLS trust, retries, trace),
// for callers in this module that must reach the tenant's public endpoints.
func (c *Client) HTTPClient() *http.Client { return c.httpc }

// newHTTPClient builds the one HTTP client: system roots plus the extra CA,
// timeouts, the trace and the retries.
func newHTTPClient(cfg Config, secrets *redact.Secrets) (*http.Client, *retryTransport, error) {
	pool, err := capool.Load(cfg.CAFile, cfg.CAPEM)
	if err != nil {
		return nil, nil, err
	}
	var rt http.RoundTripper = &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   16,
		ForceAttemptHTTP2:     true,
	}
	if cfg.Trace != nil {
		rt = &redact.Transport{Next: rt, W: cfg.Trace, Secrets: secrets, TextBodies: true}
	}
	policy := cfg.Retry
	if policy == (RetryPolicy{}) {
		policy = DefaultRetryPolicy()
	}
	if err := policy.validate(); err != nil {
		return nil, nil, err
	}
	retry := newRetryTransport(rt, policy)
	return &http.Client{
		Transport: retry,
		// Never follow a redirect: it could carry credentials to another host.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, retry, nil
}

// tokenResponse is a successful /oauth/token answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	IDToken     string `json:"id_token"`
	Scope       string `json:"scope"`
	ExpiresIn   int    `json:"expires_in"`
	TokenType   string `json:"token_type"`
}

// postToken calls the token endpoint. basic sends the client credentials as
// HTTP Basic instead of form fields. A non-200 answer is an *APIError
// without advice (the caller knows who was asking and adds it).
func (c *Client) postToken(ctx context.Context, op string, form url.Values, clientID, secret string, basic bool) (tokenResponse, error) {
	form = cloneValues(form)
	if !basic {
		form.Set("client_id", clientID)
		if secret != "" {
			form.Set("client_secret", secret)
		}
	}
	endpoint := c.base.String() + "/oauth/token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResponse{}, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if basic {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	resp, err := c.httpc.Do(req)
	if err != nil {
		return tokenResponse{}, c.transportError(ctx, op, false, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return tokenResponse{}, c.transportError(ctx, op, false, err)
	}
	if resp.StatusCode != http.StatusOK {
		return tokenResponse{}, newAPIError(op, resp.StatusCode, body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
		return tokenResponse{}, fmt.Errorf("%s: the token endpoint answered 200 without an access token", op)
	}
	c.secrets.Add(tr.AccessToken)
	c.secrets.Add(tr.IDToken)
	return tr, nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v)+2)
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// token returns the cached management token, fetching a new one when there
// is none or it expires within a minute.
func (c *Client) token(ctx context.Context) (*mgmtToken, error) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.tok != nil && time.Until(c.tok.expires) > time.Minute {
		return c.tok, nil
	}
	const op = "get a management token"
	if c.clientID == "" || c.secret == "" {
		return nil, fmt.Errorf("%s: the management application's client ID and client secret are both needed", op)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "audience": {c.audience}}
	tr, err := c.postToken(ctx, op, form, c.clientID, c.secret, false)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			c.adviseManagementToken(ae)
		}
		return nil, err
	}
	scopes := strings.Fields(tr.Scope)
	if tr.Scope == "" {
		scopes = jwtScopes(tr.AccessToken)
	}
	lifetime := time.Duration(tr.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	c.tok = &mgmtToken{access: tr.AccessToken, scopes: scopes, expires: time.Now().Add(lifetime)}
	return c.tok, nil
}

// dropToken forgets the management token (after a 401 from the Management API).
func (c *Client) dropToken() {
	c.tokMu.Lock()
	c.tok = nil
	c.tokMu.Unlock()
}

// adviseManagementToken explains a token endpoint refusal of the management application.
func (c *Client) adviseManagementToken(e *APIError) {
	switch {
	case e.Status == http.StatusUnauthorized:
		e.Advice = fmt.Sprintf("the management application's client secret is wrong or the application was deleted: "+
			"check the client ID (%s) and secret under Applications → Applications → your application → Settings", c.clientID)
	case e.Code == "unauthorized_client":
		e.Advice = "the management application may not use the Client Credentials grant: in Applications → " +
			"Applications → your application → Settings → Advanced Settings → Grant Types, tick Client Credentials and save"
	case e.Status == http.StatusForbidden && strings.Contains(e.Message, "Service not found"):
		e.Advice = fmt.Sprintf("the audience %s is not an API of this tenant: the Management API audience is %s",
			c.audience, DefaultAudience(c.base))
	case e.Status == http.StatusForbidden:
		e.Advice = fmt.Sprintf("the management application (client ID %s) is not authorized for the Management API (%s): "+
			"in the Auth0 dashboard open Applications → APIs → Auth0 Management API → Machine to Machine Applications, "+
			"switch your application to Authorized, tick the scopes the playbook needs and click Update", c.clientID, c.audience)
	}
}

// jwtScopes reads the scope claim of a JWT without verifying it.
func jwtScopes(token string) []string {
	claims, err := decodeJWTPayload(token)
	if err != nil {
		return nil
	}
	s, _ := claims["scope"].(string)
	return strings.Fields(s)
}

// decodeJWTPayload decodes a JWT's claims without verifying anything.
func decodeJWTPayload(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) < 2 {
		return nil, errors.New("not a JWT (no dots)")
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, fmt.Errorf("not a JWT: payload is not base64url: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		return nil, fmt.Errorf("not a JWT: payload is not JSON: %w", err)
	}
	return claims, nil
}

// GrantedScopes obtains the management token and returns its scopes.
func (c *Client) GrantedScopes(ctx context.Context) ([]string, error) {
	t, err := c.token(ctx)
	if err != nil {
		return nil, err
	}
	return append([]string(nil), t.scopes...), nil
}

// IssuerMismatchError is returned by Discover, with the endpoints, when the
// discovery document names another issuer than https://DOMAIN/.
type IssuerMismatchError struct {
	Domain, Want, Got string
}

// Error says which issuer was expected and which was found.
func (e *IssuerMismatchError) Error() string {
	return fmt.Sprintf("tenant %s: its discovery document names the issuer %q, not %q (https://DOMAIN/ with the trailing slash): "+
		"tokens would fail validation against this domain; if the tenant has a custom domain, use the domain the issuer names",
		e.Domain, e.Got, e.Want)
}

// Discover reads /.well-known/openid-configuration. When the issuer is not
// https://DOMAIN/ it returns the endpoints and an *IssuerMismatchError.
func (c *Client) Discover(ctx context.Context) (steps.Endpoints, error) {
	const op = "read the tenant's discovery document"
	wellKnown := c.base.String() + "/.well-known/openid-configuration"
	// Read the signing keys alongside, so the token check later costs no
	// extra round trip; a failure here is retried when they are needed.
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = c.jwkSet(ctx, false) })
	defer wg.Wait()
	body, err := c.getPublic(ctx, op, wellKnown)
	if err != nil {
		return steps.Endpoints{}, err
	}
	// steps.Endpoints names its fields as the discovery document does.
	var ep steps.Endpoints
	if err := json.Unmarshal(body, &ep); err != nil {
		return steps.Endpoints{}, fmt.Errorf("%s: %s does not hold JSON: %w", op, wellKnown, err)
	}
	ep.OpenIDConfiguration = wellKnown
	if ep.Issuer == "" || ep.TokenEndpoint == "" || ep.JWKSURI == "" {
		return ep, fmt.Errorf("%s: %s lacks issuer, token_endpoint or jwks_uri: is %s an Auth0 tenant?", op, wellKnown, c.base.Host)
	}
	if ep.Issuer != c.Issuer() {
		return ep, &IssuerMismatchError{Domain: c.base.Host, Want: c.Issuer(), Got: ep.Issuer}
	}
	return ep, nil
}

// getPublic GETs an unauthenticated tenant URL and returns the body of a 200.
func (c *Client) getPublic(ctx context.Context, op, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.httpc.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, op, false, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, c.transportError(ctx, op, false, err)
	}
	if resp.StatusCode != http.StatusOK {
		e := newAPIError(op, resp.StatusCode, body)
		e.Advice = fmt.Sprintf("%s answered %d instead of 200: check that %s is an Auth0 tenant domain", u, resp.StatusCode, c.base.Host)
		return nil, e
	}
	return body, nil
}
