// Package wso2client is the only package that speaks HTTP to WSO2 API
// Manager. It turns a Config (the API Manager's URL, an admin user and
// password, a trusted CA, a trace) into a steps.WSO2Client for API Manager
// 3.2.0, as WSO2 documents it (wso2/docs-apim, en/docs/develop/product-apis:
// admin-apis/admin-v1/admin-v1.yaml info.version v1.2, and
// devportal-apis/devportal-v1/devportal-v1.yaml info.version v1.1):
//
//   - tokens: dynamic client registration (POST /client-registration/v0.17/register
//     with the admin's Basic credentials), then the password grant on the
//     token endpoint, with the scopes each REST API asks for;
//   - Admin REST API v1 (/api/am/admin/v1): the key managers;
//   - Developer Portal REST API v1 (/api/am/store/v1): applications, their
//     keys and application tokens.
//
// Before the first call it detects which Admin REST API the server serves
// and refuses, with a *steps.WSO2VersionError, any but 3.2.0's v1.
//
// When Config.Trace is set every exchange is written to it with credentials,
// tokens and secrets redacted.
package wso2client

import (
	"bytes"
	"context"
	"crypto/tls"
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

	"github.com/auth0-wizard/auth0-wizard/internal/capool"
	"github.com/auth0-wizard/auth0-wizard/internal/redact"
	"github.com/auth0-wizard/auth0-wizard/steps"
)

// Config says which API Manager to use and as whom.
type Config struct {
	// URL is the API Manager's management address, where the Admin and
	// Developer Portal REST APIs and client registration are:
	// https://HOST:9443 on a default install.
	URL string
	// TokenURL is the OAuth2 token endpoint for the password grant. Default
	// URL + "/oauth2/token": the key manager's own endpoint on the same
	// address, which is the tokenUrl of the REST APIs' OAuth2Security
	// definition. WSO2's prose samples use the gateway's
	// https://HOST:8243/token instead, which proxies the same endpoint;
	// set it here when only the gateway is reachable.
	TokenURL string
	Username string // a WSO2 user with the admin role, default "admin"
	Password string
	// ClientName names the REST API client registered by DCR (default
	// "auth0-wizard_rest_api"). WSO2 answers the same credentials again
	// for the same name and owner.
	ClientName string
	CAFile     string    // extra CA to trust
	CAPEM      []byte    // extra CA to trust, in memory
	Trace      io.Writer // redacted HTTP trace, if set
	// Timeout bounds each request, default two minutes (generating keys
	// waits for WSO2's calls to the key manager).
	Timeout time.Duration
}

// The scopes each REST API's operations ask for (any one of them suffices).
var (
	// AdminScopes: every /key-managers operation of admin-v1.yaml lists
	// apim:admin and apim:admin_operations.
	AdminScopes = []string{"apim:admin", "apim:admin_operations"}
	// DevPortalScopes: the /applications operations of devportal-v1.yaml
	// list apim:subscribe and apim:app_manage.
	DevPortalScopes = []string{"apim:subscribe", "apim:app_manage"}
)

// The REST API base paths of API Manager 3.2.0.
const (
	registerPath  = "/client-registration/v0.17/register"
	adminV1Path   = "/api/am/admin/v1"
	storeV1Path   = "/api/am/store/v1"
	defaultClient = "auth0-wizard_rest_api"
)

// Client implements steps.WSO2Client over HTTP.
type Client struct {
	base       *url.URL // scheme://host[:port]
	tokenURL   string
	user       string
	password   string
	clientName string
	httpc      *http.Client
	secrets    *redact.Secrets

	mu      sync.Mutex // guards everything below
	version *steps.WSO2Version
	dcr     *dcrClient
	tokens  map[string]*accessToken // by space-joined scopes
}

var _ steps.WSO2Client = (*Client)(nil)

type dcrClient struct{ id, secret string }

type accessToken struct {
	value   string
	scopes  []string
	expires time.Time
}

// New returns a client for the API Manager. It validates the URL and reads
// the CA file but does no network I/O.
func New(cfg Config) (*Client, error) {
	base, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	tokenURL := cfg.TokenURL
	if tokenURL == "" {
		tokenURL = base.String() + "/oauth2/token"
	} else if u, err := url.Parse(tokenURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("WSO2 token URL %q is not an http(s) URL: give it as https://HOST:8243/token or https://HOST:9443/oauth2/token", tokenURL)
	}
	user := cfg.Username
	if user == "" {
		user = "admin"
	}
	name := cfg.ClientName
	if name == "" {
		name = defaultClient
	}
	secrets := &redact.Secrets{}
	secrets.Add(cfg.Password)
	httpc, err := newHTTPClient(cfg, secrets)
	if err != nil {
		return nil, err
	}
	return &Client{
		base: base, tokenURL: tokenURL, user: user, password: cfg.Password, clientName: name,
		httpc: httpc, secrets: secrets, tokens: map[string]*accessToken{},
	}, nil
}

// ParseURL checks an API Manager URL (scheme, host and port, no path) and
// returns it without a trailing slash.
func ParseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("the WSO2 API Manager URL is empty: give it as https://HOST:9443")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("WSO2 API Manager URL %q is not an https URL: give it as https://HOST:9443", raw)
	}
	if p := strings.TrimRight(u.Path, "/"); p != "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("WSO2 API Manager URL %q has a path: give the address only, as https://HOST:9443 (the REST API paths are added)", raw)
	}
	if u.User != nil {
		return nil, fmt.Errorf("WSO2 API Manager URL must not hold credentials: give the user and password separately")
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// URL returns the API Manager URL in use.
func (c *Client) URL() string { return c.base.String() }

// TokenURL returns the token endpoint in use.
func (c *Client) TokenURL() string { return c.tokenURL }

func newHTTPClient(cfg Config, secrets *redact.Secrets) (*http.Client, error) {
	pool, err := capool.Load(cfg.CAFile, cfg.CAPEM)
	if err != nil {
		return nil, err
	}
	var rt http.RoundTripper = &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
	if cfg.Trace != nil {
		rt = &redact.Transport{Next: rt, W: cfg.Trace, Secrets: secrets}
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	return &http.Client{
		Transport: rt,
		Timeout:   timeout,
		// Never follow a redirect: it could carry credentials elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// response is a read answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send makes one request and reads the whole answer. A body that is not
// nil is sent as JSON unless contentType says otherwise.
func (c *Client) send(ctx context.Context, op, method, u string, body any, contentType string, auth func(*http.Request)) (response, error) {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			return response{}, fmt.Errorf("%s: encode the request: %w", op, err)
		}
		rd = bytes.NewReader(data)
		if contentType == "" {
			contentType = "application/json"
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return response{}, fmt.Errorf("%s: %w", op, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if auth != nil {
		auth(req)
	}
	resp, err := c.httpc.Do(req)
	if err != nil {
		return response{}, c.transportError(ctx, op, err, changes(method, u) && !neverSent(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return response{}, c.transportError(ctx, op, err, changes(method, u))
	}
	return response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}

// registration runs dynamic client registration once and caches the
// client it answers.
func (c *Client) registration(ctx context.Context) (*dcrClient, error) {
	c.mu.Lock()
	d := c.dcr
	c.mu.Unlock()
	if d != nil {
		return d, nil
	}
	const op = "register a REST API client with WSO2"
	if c.password == "" {
		return nil, fmt.Errorf("%s: the WSO2 admin password is empty: give it in WSO2_ADMIN_PASSWORD, a password file or at the prompt", op)
	}
	reqBody := dcrRequest{
		CallbackURL: c.base.String(),
		ClientName:  c.clientName,
		Owner:       c.user,
		GrantType:   "client_credentials password refresh_token",
		SaasApp:     true,
	}
	resp, err := c.send(ctx, op, http.MethodPost, c.base.String()+registerPath, reqBody, "", func(r *http.Request) {
		r.SetBasicAuth(c.user, c.password)
	})
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK && resp.status != http.StatusCreated {
		e := newAPIError(op, resp.status, resp.body)
		switch resp.status {
		case http.StatusUnauthorized:
			e.Advice = fmt.Sprintf("WSO2 refused the user %q and its password: check them (the API Manager's admin user, e.g. the one you sign in to https://%s/admin with)", c.user, c.base.Host)
		case http.StatusForbidden:
			e.Advice = fmt.Sprintf("the user %q may not register REST API clients: use a user with the admin role", c.user)
		case http.StatusNotFound:
			e.Advice = fmt.Sprintf("%s has no client registration endpoint (%s): is it the API Manager's management address (https://HOST:9443)?", c.base, registerPath)
		}
		return nil, e
	}
	var out dcrResponse
	if err := json.Unmarshal(resp.body, &out); err != nil || out.ClientID == "" || out.ClientSecret == "" {
		return nil, fmt.Errorf("%s: WSO2 answered %d without clientId and clientSecret", op, resp.status)
	}
	c.secrets.Add(out.ClientSecret)
	d = &dcrClient{id: out.ClientID, secret: out.ClientSecret}
	c.mu.Lock()
	c.dcr = d
	c.mu.Unlock()
	return d, nil
}

// token returns a cached token for the scopes, or gets one by the password
// grant.
func (c *Client) token(ctx context.Context, scopes []string) (*accessToken, error) {
	key := strings.Join(scopes, " ")
	c.mu.Lock()
	t := c.tokens[key]
	c.mu.Unlock()
	if t != nil && time.Until(t.expires) > time.Minute {
		return t, nil
	}
	d, err := c.registration(ctx)
	if err != nil {
		return nil, err
	}
	op := "get a WSO2 access token with " + key
	form := url.Values{
		"grant_type": {"password"},
		"username":   {c.user},
		"password":   {c.password},
		"scope":      {key},
	}
	resp, err := c.send(ctx, op, http.MethodPost, c.tokenURL, form.Encode(), "application/x-www-form-urlencoded", func(r *http.Request) {
		r.SetBasicAuth(d.id, d.secret)
	})
	if err != nil {
		return nil, err
	}
	if resp.status != http.StatusOK {
		e := newAPIError(op, resp.status, resp.body)
		switch {
		case e.Code == "invalid_grant" || resp.status == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Message), "authentication"):
			e.Advice = fmt.Sprintf("WSO2 refused the user %q and its password at the token endpoint: check them", c.user)
		case resp.status == http.StatusUnauthorized:
			c.mu.Lock()
			c.dcr = nil // the registered client may have been removed: register again next time
			c.mu.Unlock()
			e.Advice = "WSO2's token endpoint refused the registered REST API client: try again (it is registered anew)"
		case resp.status == http.StatusNotFound:
			e.Advice = fmt.Sprintf("there is no token endpoint at %s: set the token URL (https://HOST:8243/token or https://HOST:9443/oauth2/token)", c.tokenURL)
		}
		return nil, e
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.body, &tr); err != nil || tr.AccessToken == "" {
		return nil, fmt.Errorf("%s: the token endpoint answered 200 without an access token", op)
	}
	c.secrets.Add(tr.AccessToken)
	c.secrets.Add(tr.RefreshToken)
	lifetime := time.Duration(tr.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = time.Hour
	}
	t = &accessToken{value: tr.AccessToken, scopes: strings.Fields(tr.Scope), expires: time.Now().Add(lifetime)}
	c.mu.Lock()
	c.tokens[key] = t
	c.mu.Unlock()
	return t, nil
}

func (c *Client) dropToken(scopes []string) {
	c.mu.Lock()
	delete(c.tokens, strings.Join(scopes, " "))
	c.mu.Unlock()
}

// call is an authorized REST API call: it checks the version, obtains the
// token for scopes, sends, and retries once with a new token after a 401.
// It returns the answer when its status is one of ok, an *APIError otherwise.
func (c *Client) call(ctx context.Context, op string, scopes []string, method, path string, body any, contentType string, ok ...int) (response, error) {
	if _, err := c.Version(ctx); err != nil {
		return response{}, fmt.Errorf("%s: %w", op, err)
	}
	for attempt := 0; ; attempt++ {
		t, err := c.token(ctx, scopes)
		if err != nil {
			return response{}, fmt.Errorf("%s: %w", op, err)
		}
		resp, err := c.send(ctx, op, method, c.base.String()+path, body, contentType, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+t.value)
		})
		if err != nil {
			return response{}, err
		}
		for _, s := range ok {
			if resp.status == s {
				return resp, nil
			}
		}
		if resp.status == http.StatusUnauthorized && attempt == 0 {
			c.dropToken(scopes)
			continue
		}
		e := newAPIError(op, resp.status, resp.body)
		e.Uncertain = resp.status >= 500 && changes(method, path)
		if resp.status == http.StatusForbidden {
			e.Advice = fmt.Sprintf("WSO2 refused the user %q this operation: its token has the scopes %s but the operation needs one of %s; "+
				"give the user the admin role, or map the scope to one of its roles in the admin portal (Settings → Scope Assignments)",
				c.user, scopeList(t.scopes), strings.Join(scopes, ", "))
		}
		return response{}, e
	}
}

// changes says whether a REST API request changes something in WSO2 (or,
// through its connector, in the key manager): every method but GET, except
// asking for an application token. Registration and tokens are not changes.
func changes(method, path string) bool {
	if u, err := url.Parse(path); err == nil {
		path = u.Path
	}
	return method != http.MethodGet && strings.HasPrefix(path, "/api/am/") && !strings.HasSuffix(path, "/generate-token")
}

// neverSent says whether a transport error happened before the request
// left (the connection was never made), so nothing can have changed.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func scopeList(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

// Version detects the server's Admin REST API. It asks each known version's
// key manager collection without a token: an API that exists answers 401,
// one that does not, 404. The answer is cached.
func (c *Client) Version(ctx context.Context) (steps.WSO2Version, error) {
	c.mu.Lock()
	v := c.version
	c.mu.Unlock()
	if v != nil {
		return *v, nil
	}
	const op = "detect the WSO2 API Manager version"
	for _, k := range knownVersions {
		resp, err := c.send(ctx, op, http.MethodGet, c.base.String()+"/api/am/admin/"+k.admin+"/key-managers", nil, "", nil)
		if err != nil {
			return steps.WSO2Version{}, err
		}
		if resp.status == http.StatusNotFound {
			continue
		}
		if resp.status != http.StatusUnauthorized && resp.status != http.StatusOK && resp.status != http.StatusForbidden {
			return steps.WSO2Version{}, fmt.Errorf("%s: %s/api/am/admin/%s/key-managers answered %d without a token (401 expected): is %s a WSO2 API Manager?",
				op, c.base, k.admin, resp.status, c.base.Host)
		}
		if !k.supported {
			return steps.WSO2Version{}, &steps.WSO2VersionError{URL: c.base.String(), Found: k.admin, Product: k.product}
		}
		found := steps.WSO2Version{Product: k.product, Admin: k.admin, DevPortal: k.devportal}
		c.mu.Lock()
		c.version = &found
		c.mu.Unlock()
		return found, nil
	}
	return steps.WSO2Version{}, &steps.WSO2VersionError{URL: c.base.String()}
}

// knownVersions are the Admin REST API versions of API Manager releases,
// newest last; only 3.2.0's is spoken.
var knownVersions = []struct {
	admin, devportal, product string
	supported                 bool
}{
	{"v1", "v1", "3.2.0", true},
	{"v2", "v2", "API Manager 4.0", false},
	{"v3", "v3", "API Manager 4.1", false},
	{"v4", "v3", "API Manager 4.2 or later", false},
}
