package auth0client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// DecodedToken is a JWT read without verifying anything: its header and
// claims as JSON values, and the registered claims a person asks about.
type DecodedToken struct {
	Header  map[string]any
	Claims  map[string]any
	Issuer  string    // iss, "" when absent
	Expires time.Time // exp, zero when absent
}

// DecodeToken splits a JWT and decodes its header and claims. A leading
// "Bearer " and surrounding white space are ignored. Nothing is verified
// and nothing is fetched. The error says what is wrong with the input
// without repeating any of it (it may be a live token).
func DecodeToken(token string) (DecodedToken, error) {
	token = strings.TrimSpace(token)
	if len(token) > 7 && strings.EqualFold(token[:7], "bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	if token == "" {
		return DecodedToken{}, fmt.Errorf("decode token: the input is empty")
	}
	parts := strings.Split(token, ".")
	switch len(parts) {
	case 3:
	case 5:
		return DecodedToken{}, fmt.Errorf("decode token: the input has five parts, an encrypted token (JWE): its claims cannot be read without the recipient's key")
	default:
		return DecodedToken{}, fmt.Errorf("decode token: the input is not a JWT: a JWT has three base64url parts separated by dots, this has %d", len(parts))
	}
	var d DecodedToken
	if err := decodeSegment(parts[0], &d.Header); err != nil {
		return DecodedToken{}, fmt.Errorf("decode token: the header (first part) %w", err)
	}
	if err := decodeSegment(parts[1], &d.Claims); err != nil {
		return DecodedToken{}, fmt.Errorf("decode token: the claims (second part) %w", err)
	}
	if _, ok := d.Header["alg"].(string); !ok {
		return DecodedToken{}, fmt.Errorf("decode token: the header has no \"alg\": this is not a JWT")
	}
	d.Issuer, _ = d.Claims["iss"].(string)
	d.Expires = timeClaim(d.Claims, "exp")
	return d, nil
}

func decodeSegment(seg string, out *map[string]any) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return fmt.Errorf("is not base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(out); err != nil || *out == nil {
		return fmt.Errorf("is not a JSON object")
	}
	return nil
}

// SignatureCheck is what checking a token's signature against the tenant's
// JWKS found.
type SignatureCheck struct {
	Verified bool
	Alg      string // from the header
	Kid      string // from the header
	JWKSURI  string // where the keys were read
	Reason   string // why it did not verify
}

// VerifySignature checks only the token's signature against the tenant's
// JWKS (by kid; the keys are fetched again once for a kid not held). The
// claims are not checked: a person decoding an expired token still learns
// whether the tenant signed it. The error is for a JWKS that could not be
// read (the tenant unreachable, or not serving keys).
func (c *Client) VerifySignature(ctx context.Context, token string) (SignatureCheck, error) {
	token = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(token), "Bearer "))
	c.secrets.Add(token)
	sc := SignatureCheck{JWKSURI: c.base.String() + "/.well-known/jwks.json"}
	d, err := DecodeToken(token)
	if err != nil {
		sc.Reason = err.Error()
		return sc, nil
	}
	sc.Alg, _ = d.Header["alg"].(string)
	sc.Kid, _ = d.Header["kid"].(string)
	switch {
	case sc.Alg == "none":
		sc.Reason = "the token is not signed (alg none)"
		return sc, nil
	case strings.HasPrefix(sc.Alg, "HS"):
		sc.Reason = fmt.Sprintf("the token is signed with %s, a secret shared with the API, which the tenant's public keys (JWKS) cannot check", sc.Alg)
		return sc, nil
	}
	detail, err := c.verifyJWKS(ctx, token, sc.Alg)
	if err != nil {
		return sc, err
	}
	if detail != "" {
		sc.Reason = fmt.Sprintf("the signature does not verify against the keys at %s (alg %s, kid %q): %s", sc.JWKSURI, sc.Alg, sc.Kid, detail)
		return sc, nil
	}
	sc.Verified = true
	return sc, nil
}
