package sandbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Auth0 answers a user login without an audience (and no default audience)
// with an opaque access token, good only for /userinfo. Its opaque tokens
// are JWEs encrypted with a key only the tenant holds ("alg":"dir",
// "enc":"A256GCM", five dot-separated parts, the second empty), so a client
// cannot read them as a JWT; the sandbox issues the same kind, keyed from its
// signing key so that they survive a restart of a saved tenant.

// opaqueKey is the tenant's key for its opaque tokens.
func (s *Server) opaqueKey() []byte {
	sum := sha256.Sum256(append([]byte("auth0-wizard sandbox opaque access tokens\x00"), s.key.D.Bytes()...))
	return sum[:]
}

func (s *Server) sealOpaque(c claims) (string, error) {
	hdr, err := json.Marshal(map[string]string{"alg": "dir", "enc": "A256GCM", "iss": c.str("iss")})
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(map[string]any(c))
	if err != nil {
		return "", err
	}
	block, err := aes.NewCipher(s.opaqueKey())
	if err != nil {
		return "", err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return "", err
	}
	iv := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(iv); err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding.EncodeToString
	protected := b64(hdr)
	sealed := gcm.Seal(nil, iv, payload, []byte(protected))
	ct, tag := sealed[:len(sealed)-gcm.Overhead()], sealed[len(sealed)-gcm.Overhead():]
	return protected + ".." + b64(iv) + "." + b64(ct) + "." + b64(tag), nil
}

var errOpaque = errors.New("not an opaque token of this tenant")

// openOpaque decrypts an opaque token this tenant issued and checks that
// it has not expired.
func (s *Server) openOpaque(raw string) (claims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 5 || parts[1] != "" {
		return nil, errOpaque
	}
	dec := base64.RawURLEncoding.DecodeString
	iv, err1 := dec(parts[2])
	ct, err2 := dec(parts[3])
	tag, err3 := dec(parts[4])
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, errOpaque
	}
	block, err := aes.NewCipher(s.opaqueKey())
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil || len(iv) != gcm.NonceSize() {
		return nil, errOpaque
	}
	payload, err := gcm.Open(nil, iv, append(ct, tag...), []byte(parts[0]))
	if err != nil {
		return nil, errOpaque
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || c == nil {
		return nil, errOpaque
	}
	exp, ok, err := c.numericDate("exp")
	if err != nil || !ok || time.Now().After(exp) {
		return nil, errTokenExpired
	}
	return c, nil
}
