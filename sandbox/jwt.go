package sandbox

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// The sandbox signs and checks its tokens with lestrrat-go/jwx, the JOSE
// library the wizard's auth0client (and go-auth0) already use: one JWT stack
// in the binary. Tokens are built at the JWS level so that their bytes are
// what a JWT library writes for a claims map: the header
// {"alg":…,"kid":…,"typ":"JWT"} and the claims as encoding/json writes the
// map (keys sorted, numbers as given).

// claims is a token's payload as a JSON object.
type claims map[string]any

// str is a string claim ("" when absent or not a string).
func (c claims) str(k string) string {
	s, _ := c[k].(string)
	return s
}

// audience is the aud claim as a list (a single string is a list of one).
func (c claims) audience() []string {
	switch a := c["aud"].(type) {
	case string:
		return []string{a}
	case []string:
		return a
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// numericDate reads a NumericDate claim: ok is false when it is absent,
// err set when it is not a number.
func (c claims) numericDate(k string) (t time.Time, ok bool, err error) {
	v, present := c[k]
	if !present {
		return time.Time{}, false, nil
	}
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case json.Number:
		if f, err = n.Float64(); err != nil {
			return time.Time{}, true, errTokenInvalid
		}
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	default:
		return time.Time{}, true, errTokenInvalid
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, nil
}

// Why a token is refused; the Management API words its 401 from these.
var (
	errTokenMalformed = errors.New("the token is not a compact JWS with a JSON object payload")
	errTokenSignature = errors.New("the token's signature is invalid")
	errTokenExpired   = errors.New("the token has expired")
	errTokenInvalid   = errors.New("the token's claims are invalid")
)

// signJWT signs claims as a compact JWT with alg and key, naming kid in the
// header when it is set.
func signJWT(c claims, alg jwa.SignatureAlgorithm, key any, kid string) (string, error) {
	payload, err := json.Marshal(map[string]any(c))
	if err != nil {
		return "", err
	}
	hdr := jws.NewHeaders()
	if kid != "" {
		if err := hdr.Set(jws.KeyIDKey, kid); err != nil {
			return "", err
		}
	}
	if err := hdr.Set(jws.TypeKey, "JWT"); err != nil {
		return "", err
	}
	tok, err := jws.Sign(payload, jws.WithKey(alg, key, jws.WithProtectedHeaders(hdr)))
	if err != nil {
		return "", err
	}
	return string(tok), nil
}

// verifyJWT checks a compact JWT signed with alg (and no other) by key, and
// that it carries an expiry not yet passed and no not-before still to come.
// The claims are decoded as encoding/json decodes them (numbers float64).
func verifyJWT(raw string, alg jwa.SignatureAlgorithm, key any) (claims, error) {
	if strings.Count(raw, ".") != 2 {
		return nil, errTokenMalformed
	}
	var msg jws.Message
	payload, err := jws.Verify([]byte(raw), jws.WithKey(alg, key), jws.WithMessage(&msg))
	if err != nil {
		if jws.IsVerificationError(err) {
			return nil, errTokenSignature
		}
		return nil, errTokenMalformed
	}
	// The key checked the signature with alg whatever the header says: a
	// header naming another algorithm is refused as a bad signature.
	if sigs := msg.Signatures(); len(sigs) != 1 || sigs[0].ProtectedHeaders().Algorithm() != alg {
		return nil, errTokenSignature
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c == nil {
		return nil, errTokenMalformed
	}
	exp, ok, err := c.numericDate("exp")
	switch {
	case err != nil || !ok:
		return nil, errTokenInvalid
	case !time.Now().Before(exp):
		return nil, errTokenExpired
	}
	if nbf, ok, err := c.numericDate("nbf"); err != nil || (ok && time.Now().Before(nbf)) {
		return nil, errTokenInvalid
	}
	return c, nil
}
