package auth0client

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/auth0-wizard/auth0-wizard/steps"
)

// passwordRealmGrant is Auth0's password-realm grant type.
const passwordRealmGrant = "http://auth0.com/oauth/grant-type/password-realm"

// ClientCredentialsToken mints a token for an application by the client
// credentials grant and verifies it (signature by kid against the tenant's
// JWKS; iss, aud, azp = clientID, exp). The credentials go as form fields
// (client_secret_post) or HTTP Basic (client_secret_basic), as the
// application's token_endpoint_auth_method says when this client has seen
// the application; otherwise form fields first and Basic after a 401.
// A refusal by the token endpoint is an error; a token that does not verify
// is Verified=false with the Reason.
func (c *Client) ClientCredentialsToken(ctx context.Context, clientID, clientSecret, audience string) (steps.TokenCheck, error) {
	op := fmt.Sprintf("mint a client credentials token for application %s", clientID)
	form := url.Values{"grant_type": {"client_credentials"}, "audience": {audience}}
	return c.mint(ctx, op, form, clientID, clientSecret, audience, func(e *APIError) { adviseAppToken(e, clientID, audience) })
}

// PasswordRealmToken logs a user in by the password-realm grant (realm =
// the database connection) and verifies the access token like
// ClientCredentialsToken.
func (c *Client) PasswordRealmToken(ctx context.Context, clientID, clientSecret, realm, username, password, audience string) (steps.TokenCheck, error) {
	op := fmt.Sprintf("log user %s in through connection %q", username, realm)
	c.secrets.Add(password)
	form := url.Values{
		"grant_type": {passwordRealmGrant},
		"realm":      {realm},
		"username":   {username},
		"password":   {password},
		"scope":      {"openid"},
	}
	if audience != "" {
		form.Set("audience", audience)
	}
	return c.mint(ctx, op, form, clientID, clientSecret, audience, func(e *APIError) { adviseUserToken(e, clientID, realm) })
}

// mint asks the token endpoint for a token as the application and verifies
// it; advise fills in what a person can do about a refusal.
func (c *Client) mint(ctx context.Context, op string, form url.Values, clientID, clientSecret, audience string,
	advise func(*APIError)) (steps.TokenCheck, error) {
	c.secrets.Add(clientSecret)
	tr, err := c.postWithMethod(ctx, op, form, clientID, clientSecret)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			advise(ae)
		}
		return steps.TokenCheck{}, err
	}
	return c.VerifyToken(ctx, tr.AccessToken, audience, clientID)
}

// postWithMethod calls the token endpoint with the application's auth method.
func (c *Client) postWithMethod(ctx context.Context, op string, form url.Values, clientID, secret string) (tokenResponse, error) {
	c.mu.Lock()
	method := c.authMethod[clientID]
	c.mu.Unlock()
	switch method {
	case "client_secret_basic":
		return c.postToken(ctx, op, form, clientID, secret, true)
	case "client_secret_post", "none":
		return c.postToken(ctx, op, form, clientID, secret, false)
	}
	tr, err := c.postToken(ctx, op, form, clientID, secret, false)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized {
		return c.postToken(ctx, op, form, clientID, secret, true)
	}
	return tr, err
}

func adviseAppToken(e *APIError, clientID, audience string) {
	switch {
	case e.Status == http.StatusUnauthorized:
		e.Advice = fmt.Sprintf("the application's client secret is wrong or the application (client ID %s) was deleted", clientID)
	case e.Code == "unauthorized_client":
		e.Advice = "the application may not use the Client Credentials grant: tick it under Applications → your application → " +
			"Settings → Advanced Settings → Grant Types"
	case e.Status == http.StatusForbidden:
		e.Advice = fmt.Sprintf("the application (client ID %s) is not authorized for the API %s: it needs a client grant "+
			"(APIs → your API → Machine to Machine Applications → authorize the application)", clientID, audience)
	}
}

func adviseUserToken(e *APIError, clientID, realm string) {
	switch {
	case e.Status == http.StatusUnauthorized:
		e.Advice = fmt.Sprintf("the application's client secret is wrong or the application (client ID %s) was deleted", clientID)
	case e.Code == "unauthorized_client":
		e.Advice = "the application may not use the password-realm grant: tick Password under Applications → your application → " +
			"Settings → Advanced Settings → Grant Types"
	case e.Code == "invalid_grant":
		e.Advice = fmt.Sprintf("the email or password is wrong, or the user is not in the connection %q", realm)
	case e.Status == http.StatusForbidden:
		e.Advice = fmt.Sprintf("the login was refused: check that the connection %q is enabled for the application "+
			"(Authentication → Database → %s → Applications)", realm, realm)
	}
}

// jwkSet returns the tenant's key set, fetched when not yet cached or when
// refresh is set (a kid it does not hold).
//
// Tokens are checked with lestrrat-go/jwx, the JOSE library go-auth0
// already links in (for private-key-JWT client assertions): one JWT stack
// in the binary.
func (c *Client) jwkSet(ctx context.Context, refresh bool) (jwk.Set, error) {
	c.mu.Lock()
	set := c.jwks
	c.mu.Unlock()
	if set != nil && !refresh {
		return set, nil
	}
	const op = "read the tenant's signing keys (JWKS)"
	body, err := c.getPublic(ctx, op, c.base.String()+"/.well-known/jwks.json")
	if err != nil {
		return nil, err
	}
	set, err = jwk.Parse(body)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	c.mu.Lock()
	c.jwks = set
	c.mu.Unlock()
	return set, nil
}

// jwksAlgs are the asymmetric algorithms a tenant's published keys can check.
var jwksAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"}

// verifyJWKS checks an asymmetric signature against the tenant's JWKS (by
// kid; the key's own alg, or else its type, must allow the token's alg),
// fetching the keys again once when they fail (they may have rotated).
// It returns why the signature is refused ("" when it verifies), or an error
// reading the keys.
func (c *Client) verifyJWKS(ctx context.Context, token, alg string) (string, error) {
	if !slices.Contains(jwksAlgs, alg) {
		return fmt.Sprintf("the algorithm %q is not one the tenant's public keys check (%s)", alg, strings.Join(jwksAlgs, ", ")), nil
	}
	verify := func(refresh bool) (string, error) {
		set, err := c.jwkSet(ctx, refresh)
		if err != nil {
			return "", err
		}
		if _, err := jws.Verify([]byte(token), jws.WithKeySet(set, jws.WithInferAlgorithmFromKey(true))); err != nil {
			return err.Error(), nil
		}
		return "", nil
	}
	detail, err := verify(false)
	if err == nil && detail != "" {
		detail, err = verify(true)
	}
	return detail, err
}

// signingSecret reads the signing secret of the API whose identifier is
// audience (an HS256 API's key), through the Management API.
func (c *Client) signingSecret(ctx context.Context, audience string) ([]byte, error) {
	if audience == "" {
		return nil, errors.New("the token names no audience")
	}
	rs, err := c.findResourceServer(ctx, audience)
	if err != nil {
		return nil, err
	}
	secret := rs.GetSigningSecret()
	if secret == "" {
		return nil, fmt.Errorf("the Management API returned no signing_secret for API %q", audience)
	}
	c.secrets.Add(secret)
	return []byte(secret), nil
}

// VerifyToken decodes a token and checks it: the signature against the
// tenant's JWKS (by kid), or for HS256 against the API's signing secret, iss = the tenant's issuer, aud holds audience (when
// given), azp = clientID (when given), and exp in the future. Claims are
// always filled when the token decodes; Verified is false with the Reason
// when a check fails. The error is only for failing to read the JWKS.
func (c *Client) VerifyToken(ctx context.Context, token, audience, clientID string) (steps.TokenCheck, error) {
	c.secrets.Add(token)
	check := steps.TokenCheck{Token: token}
	d, err := DecodeToken(token)
	if err != nil {
		check.Reason = "the token cannot be read: " + strings.TrimPrefix(err.Error(), "decode token: ")
		return check, nil
	}
	claims := d.Claims
	check.Claims = claims
	check.Expires = d.Expires
	alg, _ := d.Header["alg"].(string)
	kid, _ := d.Header["kid"].(string)
	if alg == "HS256" {
		// Auth0 signs an HS256 API's tokens with that API's signing secret,
		// which the Management API reads back: verify with it, as a gateway
		// given the secret (Azure's issuer-signing-keys) does.
		if audience == "" {
			if aud := audienceClaim(claims); len(aud) > 0 {
				audience = aud[0]
			}
		}
		key, err := c.signingSecret(ctx, audience)
		if err != nil {
			check.Reason = fmt.Sprintf("the token is signed with HS256 (API %q's signing secret), and that secret could not be read to check it: %v", audience, err)
			return check, nil
		}
		if _, err := jws.Verify([]byte(strings.TrimSpace(token)), jws.WithKey(jwa.HS256, key)); err != nil {
			check.Reason = fmt.Sprintf("the HS256 signature does not verify with API %q's signing secret: %v", audience, err)
			return check, nil
		}
		check.KeySource = steps.KeySourceSecret
	} else if detail, err := c.verifyJWKS(ctx, strings.TrimSpace(token), alg); err != nil {
		return check, err
	} else if detail != "" {
		check.Reason = fmt.Sprintf("the signature does not verify against the tenant's JWKS (alg %s, kid %q): %s", alg, kid, detail)
		return check, nil
	} else {
		check.KeySource = steps.KeySourceJWKS
	}
	if iss, _ := claims["iss"].(string); iss != c.Issuer() {
		check.Reason = fmt.Sprintf("the issuer (iss) is %q, not %q", iss, c.Issuer())
		return check, nil
	}
	if audience != "" {
		aud := audienceClaim(claims)
		if !slices.Contains(aud, audience) {
			check.Reason = fmt.Sprintf("the audience (aud) is %q, not %q", aud, audience)
			return check, nil
		}
	}
	if clientID != "" {
		if azp, _ := claims["azp"].(string); azp != clientID {
			check.Reason = fmt.Sprintf("the authorized party (azp) is %q, not the application %q", azp, clientID)
			return check, nil
		}
	}
	if check.Expires.IsZero() {
		check.Reason = "the token has no expiry (exp)"
		return check, nil
	}
	if !check.Expires.After(time.Now()) {
		check.Reason = fmt.Sprintf("the token expired at %s", check.Expires.UTC().Format(time.RFC3339))
		return check, nil
	}
	check.Verified = true
	return check, nil
}

// audienceClaim reads aud, a string or a list of strings.
func audienceClaim(claims map[string]any) []string {
	switch v := claims["aud"].(type) {
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// timeClaim reads a NumericDate claim (seconds since the epoch, possibly
// with a fraction); zero when absent or not a number.
func timeClaim(claims map[string]any, name string) time.Time {
	f, ok := claims[name].(float64)
	if !ok {
		return time.Time{}
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}
